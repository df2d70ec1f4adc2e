//! phase0 § process_randao_mixes_reset

use crate::error::{Error, Result};
use crate::helpers::accessors::{get_current_epoch, get_randao_mix};
use crate::helpers::math::{add, rem};
use crate::preset::Preset;
use crate::types::BeaconState;

/// phase0 § process_randao_mixes_reset
pub fn process_randao_mixes_reset<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    let current_epoch = get_current_epoch(state);
    let next_epoch = add(current_epoch, 1, "process_randao_mixes_reset")?;
    let mix = get_randao_mix(state, current_epoch)?;
    let i = rem(
        next_epoch,
        P::EPOCHS_PER_HISTORICAL_VECTOR,
        "process_randao_mixes_reset",
    )?;
    // > state.randao_mixes[next_epoch % EPOCHS_PER_HISTORICAL_VECTOR] = get_randao_mix(state, current_epoch)
    *state
        .randao_mixes
        .get_mut(i as usize)
        .ok_or(Error::OutOfRange {
            what: "randao_mixes",
            index: i,
            len: P::EPOCHS_PER_HISTORICAL_VECTOR,
        })? = mix;
    Ok(())
}
