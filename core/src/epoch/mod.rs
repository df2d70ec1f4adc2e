//! electra § Epoch processing: one file per `process_epoch` step, in spec order.

use crate::error::{Error, Result};
use crate::preset::Preset;
use crate::types::BeaconState;

/// electra § process_epoch
///
/// PLACEHOLDER until the epoch-processing work lands: always an error, never a silent pass.
pub fn process_epoch<P: Preset>(_state: &mut BeaconState<P>) -> Result<()> {
    Err(Error::Assert("process_epoch: not implemented yet"))
}
