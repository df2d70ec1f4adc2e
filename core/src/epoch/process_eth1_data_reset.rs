//! phase0 § process_eth1_data_reset

use crate::error::Result;
use crate::helpers::accessors::get_current_epoch;
use crate::helpers::math::{add, rem};
use crate::preset::Preset;
use crate::types::BeaconState;
use ssz_types::VariableList;

/// phase0 § process_eth1_data_reset
pub fn process_eth1_data_reset<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    let next_epoch = add(get_current_epoch(state), 1, "process_eth1_data_reset")?;
    // > Reset eth1 data votes
    if rem(
        next_epoch,
        P::EPOCHS_PER_ETH1_VOTING_PERIOD,
        "process_eth1_data_reset",
    )? == 0
    {
        state.eth1_data_votes = VariableList::empty();
    }
    Ok(())
}
