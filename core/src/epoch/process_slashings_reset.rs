//! phase0 § process_slashings_reset

use crate::error::{Error, Result};
use crate::helpers::accessors::get_current_epoch;
use crate::helpers::math::{add, rem};
use crate::preset::Preset;
use crate::types::BeaconState;

/// phase0 § process_slashings_reset
pub fn process_slashings_reset<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    let next_epoch = add(get_current_epoch(state), 1, "process_slashings_reset")?;
    let i = rem(
        next_epoch,
        P::EPOCHS_PER_SLASHINGS_VECTOR,
        "process_slashings_reset",
    )?;
    // > state.slashings[next_epoch % EPOCHS_PER_SLASHINGS_VECTOR] = Gwei(0)
    *state
        .slashings
        .get_mut(i as usize)
        .ok_or(Error::OutOfRange {
            what: "slashings",
            index: i,
            len: P::EPOCHS_PER_SLASHINGS_VECTOR,
        })? = 0;
    Ok(())
}
