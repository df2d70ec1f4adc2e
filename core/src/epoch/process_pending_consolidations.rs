//! electra § process_pending_consolidations

use crate::error::{Error, Result};
use crate::helpers::accessors::{balance, get_current_epoch, validator};
use crate::helpers::math::add;
use crate::helpers::mutators::{decrease_balance, increase_balance};
use crate::preset::Preset;
use crate::types::BeaconState;
use ssz_types::VariableList;

/// electra § process_pending_consolidations
pub fn process_pending_consolidations<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    let next_epoch = add(
        get_current_epoch(state),
        1,
        "process_pending_consolidations",
    )?;
    let mut next_pending_consolidation: usize = 0;
    for i in 0..state.pending_consolidations.len() {
        let Some(pending_consolidation) = state.pending_consolidations.get(i).cloned() else {
            break;
        };
        let source_validator = validator(state, pending_consolidation.source_index)?;
        if source_validator.slashed {
            next_pending_consolidation = next_pending_consolidation.saturating_add(1);
            continue;
        }
        if source_validator.withdrawable_epoch > next_epoch {
            break;
        }
        // > Calculate the consolidated balance
        let source_effective_balance = balance(state, pending_consolidation.source_index)?
            .min(source_validator.effective_balance);
        // > Move active balance to target. Excess balance is withdrawable.
        decrease_balance(
            state,
            pending_consolidation.source_index,
            source_effective_balance,
        )?;
        increase_balance(
            state,
            pending_consolidation.target_index,
            source_effective_balance,
        )?;
        next_pending_consolidation = next_pending_consolidation.saturating_add(1);
    }
    // > state.pending_consolidations = state.pending_consolidations[next_pending_consolidation:]
    let remaining = state
        .pending_consolidations
        .get(next_pending_consolidation..)
        .unwrap_or_default()
        .to_vec();
    state.pending_consolidations =
        VariableList::new(remaining).map_err(|_| Error::ListFull("pending_consolidations"))?;
    Ok(())
}
