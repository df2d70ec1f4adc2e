//! phase0 § process_slots / process_slot.

use crate::error::{Error, Result};
use crate::preset::Preset;
use crate::types::{BeaconState, Slot};

/// phase0 § process_slots: advance `state` to `slot`, running `process_epoch` at each boundary.
///
/// PLACEHOLDER until the epoch-processing work lands: always an error, never a silent pass.
pub fn process_slots<P: Preset>(_state: &mut BeaconState<P>, _slot: Slot) -> Result<()> {
    Err(Error::Assert("process_slots: not implemented yet"))
}
