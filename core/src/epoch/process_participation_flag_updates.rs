//! altair § process_participation_flag_updates

use crate::error::{Error, Result};
use crate::preset::Preset;
use crate::types::BeaconState;
use ssz_types::VariableList;

/// altair § process_participation_flag_updates
pub fn process_participation_flag_updates<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    // > state.previous_epoch_participation = state.current_epoch_participation
    // > state.current_epoch_participation = [ParticipationFlags(0b0000_0000) for _ in range(len(state.validators))]
    let zeros = VariableList::new(vec![0; state.validators.len()])
        .map_err(|_| Error::ListFull("current_epoch_participation"))?;
    state.previous_epoch_participation =
        std::mem::replace(&mut state.current_epoch_participation, zeros);
    Ok(())
}
