//! Applying what the fused pass found: validator record updates (through
//! `TrackedState::validator_mut`, so the root cache sees them), ejections through the exit
//! queue in index order (electra § initiate_validator_exit, with
//! electra § compute_exit_epoch_and_update_churn), and the effective-balance updates deferred
//! until after the queues.

use crate::error::Result;
use crate::fast::epoch::single_pass::{effective_balance_after, PassParams};
use crate::fast::tracked::TrackedState;
use crate::helpers::math::{add, div, mul, rem_preset, sub};
use crate::helpers::misc::compute_activation_exit_epoch;
use crate::helpers::mutators::epoch_and_churn;
use crate::helpers::predicates::has_compounding_withdrawal_credential;
use crate::preset::consts::FAR_FUTURE_EPOCH;
use crate::preset::Preset;
use crate::types::{Epoch, Gwei};

/// electra § process_registry_updates' queue entries and activations (candidates whose
/// eligibility epoch is finalized, `finalized_epoch` read after justification).
pub fn apply_registry<P: Preset>(
    state: &mut TrackedState<P>,
    eligibility: &[(u32, Epoch)],
    activation_candidates: &[(u32, Epoch)],
    finalized_epoch: Epoch,
    activation_epoch: Epoch,
) -> Result<()> {
    for &(i, epoch) in eligibility {
        state
            .validator_mut(i as usize)?
            .activation_eligibility_epoch = epoch;
    }
    // phase0 § is_eligible_for_activation (activation_epoch == FAR_FUTURE_EPOCH checked by the scan)
    for &(i, eligibility_epoch) in activation_candidates {
        if eligibility_epoch <= finalized_epoch {
            state.validator_mut(i as usize)?.activation_epoch = activation_epoch;
        }
    }
    Ok(())
}

/// Write the pass's effective-balance changes.
pub fn apply_effective_balances<P: Preset>(
    state: &mut TrackedState<P>,
    updates: &[(u32, Gwei)],
) -> Result<()> {
    for &(i, eb) in updates {
        state.validator_mut(i as usize)?.effective_balance = eb;
    }
    Ok(())
}

/// electra § get_activation_exit_churn_limit (with get_balance_churn_limit) for a known total
/// active balance.
pub fn activation_exit_churn_limit<P: Preset>(total_active_balance: Gwei) -> Result<Gwei> {
    let churn = P::MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA.max(div(
        total_active_balance,
        P::CHURN_LIMIT_QUOTIENT,
        "get_balance_churn_limit",
    )?);
    let balance_churn = sub(
        churn,
        rem_preset(churn, P::EFFECTIVE_BALANCE_INCREMENT),
        "get_balance_churn_limit",
    )?;
    Ok(P::MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT.min(balance_churn))
}

/// electra § compute_exit_epoch_and_update_churn on the tracked state's exit queue fields.
pub fn compute_exit_epoch_and_update_churn<P: Preset>(
    state: &mut TrackedState<P>,
    current_epoch: Epoch,
    per_epoch_churn: Gwei,
    exit_balance: Gwei,
) -> Result<Epoch> {
    const WHAT: &str = "compute_exit_epoch_and_update_churn";
    let f = state.fields_mut();
    // The spec's body, shared with the reference path (`helpers::mutators`).
    let (earliest_exit_epoch, to_consume) = epoch_and_churn(
        *f.earliest_exit_epoch,
        *f.exit_balance_to_consume,
        compute_activation_exit_epoch::<P>(current_epoch)?,
        per_epoch_churn,
        exit_balance,
        WHAT,
    )?;
    // > Consume the balance and update state variables.
    *f.exit_balance_to_consume = to_consume;
    *f.earliest_exit_epoch = earliest_exit_epoch;
    Ok(earliest_exit_epoch)
}

/// The ejections of electra § process_registry_updates, in index order, each followed by its
/// electra § process_slashings check (the pass left both to here: the exit epoch comes from the
/// queue).
pub fn eject<P: Preset>(
    state: &mut TrackedState<P>,
    p: &PassParams,
    total_active_balance: Gwei,
    ejections: &[u32],
) -> Result<()> {
    // The registry loop changes neither the current active set nor effective balances, so the
    // churn limit is the same for every ejection.
    let churn = activation_exit_churn_limit::<P>(total_active_balance)?;
    for &index in ejections {
        let i = index as usize;
        let v = crate::fast::epoch::apply::validator(state, i)?;
        if v.exit_epoch != FAR_FUTURE_EPOCH {
            continue;
        }
        let effective_balance = v.effective_balance;
        let exit_queue_epoch =
            compute_exit_epoch_and_update_churn(state, p.current_epoch, churn, effective_balance)?;
        let v = state.validator_mut(i)?;
        v.exit_epoch = exit_queue_epoch;
        v.withdrawable_epoch = add(
            exit_queue_epoch,
            P::MIN_VALIDATOR_WITHDRAWABILITY_DELAY,
            "initiate_validator_exit",
        )?;
        let (slashed, withdrawable) = (v.slashed, v.withdrawable_epoch);
        if p.slashings && slashed && p.slashing_target_epoch == withdrawable {
            let penalty = mul(
                p.penalty_per_effective_balance_increment,
                crate::helpers::math::div_preset(effective_balance, P::EFFECTIVE_BALANCE_INCREMENT),
                "process_slashings",
            )?;
            let f = state.fields_mut();
            let len = f.balances.len() as u64;
            let b = f
                .balances
                .get_mut(i)
                .ok_or(crate::error::Error::OutOfRange {
                    what: "balances",
                    index: i as u64,
                    len,
                })?;
            *b = b.saturating_sub(penalty);
        }
    }
    Ok(())
}

fn validator<P: Preset>(state: &TrackedState<P>, i: usize) -> Result<&crate::types::Validator> {
    let s = state.state();
    s.validators.get(i).ok_or(crate::error::Error::OutOfRange {
        what: "validators",
        index: i as u64,
        len: s.validators.len() as u64,
    })
}

/// electra § process_effective_balance_updates for `indices` (sorted), after the queues, from
/// the records.
pub fn deferred_effective_balances<P: Preset>(
    state: &mut TrackedState<P>,
    p: &PassParams,
    indices: &[u32],
) -> Result<()> {
    for &index in indices {
        let i = index as usize;
        let s = state.state();
        let (Some(v), Some(&balance)) = (s.validators.get(i), s.balances.get(i)) else {
            continue;
        };
        let compounding = has_compounding_withdrawal_credential(v);
        let eb = effective_balance_after::<P>(p, compounding, balance, v.effective_balance)?;
        if eb != v.effective_balance {
            state.validator_mut(i)?.effective_balance = eb;
        }
    }
    Ok(())
}

/// The pass's effective-balance updates of deferred validators (`PassOutput::tentative`,
/// sorted), but for those in `again` (sorted), decided from their records instead.
pub fn apply_tentative<P: Preset>(
    state: &mut TrackedState<P>,
    tentative: &[(u32, Gwei)],
    again: &[u32],
) -> Result<()> {
    let mut again = crate::fast::cache::live::SortedCursor::new(again);
    for &(index, eb) in tentative {
        if !again.contains(index) {
            state.validator_mut(index as usize)?.effective_balance = eb;
        }
    }
    Ok(())
}
