//! The fused per-validator pass over the live set: altair § process_inactivity_updates,
//! altair § process_rewards_and_penalties, electra § process_registry_updates (all but the exit
//! queue), electra § process_slashings and electra § process_effective_balance_updates, each
//! switched on or off, in the spec's order for every validator.
//!
//! Why fusing is exact: each of these steps changes a validator from its own fields and values
//! fixed before the pass (the epoch's sums, the finalized checkpoint after justification, the
//! slashings vector); none reads another validator's changed fields. The exceptions are
//! handled outside the pass: an ejection takes its exit epoch from the exit queue, in index
//! order (the validator is handed back and finished in `apply`), and validators the pending
//! deposits and consolidations change (the `deferred` list) take their effective-balance update
//! after those steps.
//!
//! Balances and inactivity scores are written in place, split into index ranges across rayon
//! tasks; validator records are read-only here (the pass returns their changes, applied
//! through `TrackedState::validator_mut` so the root cache sees them).

use crate::error::{Error, Result};
use crate::fast::cache::live::{is_inert_fields, sub_range, SortedCursor};
use crate::helpers::math::{add, div, div_preset, mul, rem, sub};
use crate::helpers::misc::has_flag;
use crate::helpers::predicates::{get_max_effective_balance, is_active_validator};
use crate::preset::consts::{
    FAR_FUTURE_EPOCH, PARTICIPATION_FLAG_WEIGHTS, TIMELY_HEAD_FLAG_INDEX, TIMELY_TARGET_FLAG_INDEX,
    WEIGHT_DENOMINATOR,
};
use crate::preset::Preset;
use crate::types::{Epoch, Gwei, ParticipationFlags, Validator};
use rayon::prelude::*;

/// Registry indices per rayon task.
const CHUNK: usize = 1 << 15;

/// What the pass does and the values fixed before it.
#[derive(Debug, Clone, Default)]
pub struct PassParams {
    pub current_epoch: Epoch,
    pub previous_epoch: Epoch,
    pub next_epoch: Epoch,
    pub inactivity: bool,
    pub rewards: bool,
    pub registry: bool,
    pub slashings: bool,
    pub effective_balance: bool,
    /// Collect the indices active at the next epoch (for sync committee selection).
    pub collect_next_active: bool,
    /// Drop validators inert from the next epoch on (only when every step runs).
    pub prune: bool,
    pub in_leak: bool,
    pub base_reward_per_increment: Gwei,
    /// `get_total_active_balance // EFFECTIVE_BALANCE_INCREMENT`.
    pub active_increments: u64,
    /// Per flag, `unslashed_participating_balance // EFFECTIVE_BALANCE_INCREMENT`.
    pub flag_increments: [u64; 3],
    pub finalized_epoch: Epoch,
    /// `compute_activation_exit_epoch(current_epoch)`.
    pub activation_epoch: Epoch,
    /// `current_epoch + EPOCHS_PER_SLASHINGS_VECTOR // 2`.
    pub slashing_target_epoch: Epoch,
    pub penalty_per_effective_balance_increment: Gwei,
    pub downward_threshold: Gwei,
    pub upward_threshold: Gwei,
}

/// A validator record change found by the pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidatorUpdate {
    pub index: u32,
    pub effective_balance: Gwei,
    pub activation_eligibility_epoch: Epoch,
    pub activation_epoch: Epoch,
}

/// What the pass hands back.
#[derive(Debug, Default)]
pub struct PassOutput {
    /// The live set for the next epoch (sorted): the input minus the pruned.
    pub keep: Vec<u32>,
    pub updates: Vec<ValidatorUpdate>,
    /// Validators to eject, in index order (exit queue, then slashings, then the deferred
    /// effective-balance update).
    pub ejections: Vec<u32>,
    /// Indices active at the next epoch, sorted (when asked for).
    pub next_active: Vec<u64>,
}

/// Registry slices the pass reads.
pub struct Registry<'a> {
    pub validators: &'a [Validator],
    pub previous_participation: &'a [ParticipationFlags],
    pub current_participation: &'a [ParticipationFlags],
}

/// Run the pass over `live` (sorted). `deferred` (sorted) skip the effective-balance update;
/// `sync_members` (sorted) are never pruned. `balances` and `scores` are the whole lists.
pub fn single_pass<P: Preset>(
    p: &PassParams,
    live: &[u32],
    deferred: &[u32],
    sync_members: &[u32],
    reg: &Registry<'_>,
    balances: &mut [Gwei],
    scores: &mut [u64],
) -> Result<PassOutput> {
    let n = reg.validators.len();
    if balances.len() != n
        || scores.len() != n
        || reg.previous_participation.len() != n
        || reg.current_participation.len() != n
    {
        return Err(Error::Assert(
            "fast process_epoch: registry lists of unequal length",
        ));
    }
    let outs = balances
        .par_chunks_mut(CHUNK)
        .zip(scores.par_chunks_mut(CHUNK))
        .enumerate()
        .map(|(k, (b, s))| {
            let base = k.saturating_mul(CHUNK);
            let end = base.saturating_add(b.len());
            chunk::<P>(
                p,
                base,
                sub_range(live, base, end),
                sub_range(deferred, base, end),
                sub_range(sync_members, base, end),
                reg,
                b,
                s,
            )
        })
        .collect::<Result<Vec<PassOutput>>>()?;
    let mut out = PassOutput::default();
    for o in outs {
        out.keep.extend(o.keep);
        out.updates.extend(o.updates);
        out.ejections.extend(o.ejections);
        out.next_active.extend(o.next_active);
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn chunk<P: Preset>(
    p: &PassParams,
    base: usize,
    live: &[u32],
    deferred: &[u32],
    sync_members: &[u32],
    reg: &Registry<'_>,
    balances: &mut [Gwei],
    scores: &mut [u64],
) -> Result<PassOutput> {
    const WHAT: &str = "process_epoch (fused pass)";
    let mut out = PassOutput {
        keep: Vec::with_capacity(live.len()),
        ..PassOutput::default()
    };
    let mut deferred = SortedCursor::new(deferred);
    let mut members = SortedCursor::new(sync_members);
    let inc = P::EFFECTIVE_BALANCE_INCREMENT;
    let reward_denominator = mul(p.active_increments, WEIGHT_DENOMINATOR, WHAT);
    let inactivity_denominator = mul(
        P::INACTIVITY_SCORE_BIAS,
        P::INACTIVITY_PENALTY_QUOTIENT_BELLATRIX,
        WHAT,
    )?;
    for &index in live {
        let i = index as usize;
        let j = i.wrapping_sub(base);
        let out_of_range = || Error::OutOfRange {
            what: "validators",
            index: i as u64,
            len: reg.validators.len() as u64,
        };
        let v = reg.validators.get(i).ok_or_else(out_of_range)?;
        let pf = *reg.previous_participation.get(i).ok_or_else(out_of_range)?;
        let cf = *reg.current_participation.get(i).ok_or_else(out_of_range)?;
        let bal_slot = balances.get_mut(j).ok_or_else(out_of_range)?;
        let score_slot = scores.get_mut(j).ok_or_else(out_of_range)?;
        let mut bal = *bal_slot;
        let mut score = *score_slot;
        let eb = v.effective_balance;

        // phase0 § get_eligible_validator_indices
        let active_previous = is_active_validator(v, p.previous_epoch);
        let eligible = active_previous
            || (v.slashed && add(p.previous_epoch, 1, WHAT)? < v.withdrawable_epoch);
        // In get_unslashed_participating_indices(TIMELY_TARGET_FLAG_INDEX, previous_epoch).
        let unslashed_previous = active_previous && !v.slashed;
        let target = unslashed_previous && has_flag(pf, TIMELY_TARGET_FLAG_INDEX);

        // altair § process_inactivity_updates
        if p.inactivity && eligible {
            // > Increase the inactivity score of inactive validators
            if target {
                score = score.saturating_sub(1);
            } else {
                score = add(
                    score,
                    P::INACTIVITY_SCORE_BIAS,
                    "process_inactivity_updates",
                )?;
            }
            // > Decrease the inactivity score of all eligible validators during a leak-free epoch
            if !p.in_leak {
                score = score.saturating_sub(P::INACTIVITY_SCORE_RECOVERY_RATE);
            }
        }

        // altair § process_rewards_and_penalties: the four delta sets in the spec's order,
        // each an increase then a (saturating) decrease.
        if p.rewards && eligible {
            // altair § get_base_reward
            let base_reward = mul(
                div_preset(eb, inc),
                p.base_reward_per_increment,
                "get_base_reward",
            )?;
            for (flag, (&weight, &increments)) in PARTICIPATION_FLAG_WEIGHTS
                .iter()
                .zip(p.flag_increments.iter())
                .enumerate()
            {
                // altair § get_flag_index_deltas
                if unslashed_previous && has_flag(pf, flag) {
                    if !p.in_leak {
                        let reward_numerator =
                            mul(mul(base_reward, weight, WHAT)?, increments, WHAT)?;
                        let reward = div(reward_numerator, reward_denominator.clone()?, WHAT)?;
                        bal = add(bal, reward, "increase_balance")?;
                    }
                } else if flag != TIMELY_HEAD_FLAG_INDEX {
                    let penalty = div_preset(mul(base_reward, weight, WHAT)?, WEIGHT_DENOMINATOR);
                    bal = bal.saturating_sub(penalty);
                }
            }
            // bellatrix § get_inactivity_penalty_deltas
            if !target {
                let penalty_numerator = mul(eb, score, WHAT)?;
                bal = bal.saturating_sub(div(penalty_numerator, inactivity_denominator, WHAT)?);
            }
        }

        // electra § process_registry_updates (the exit queue is `apply`'s)
        let mut eligibility = v.activation_eligibility_epoch;
        let mut activation = v.activation_epoch;
        let mut ejected = false;
        if p.registry {
            if v.activation_eligibility_epoch == FAR_FUTURE_EPOCH && eb >= P::MIN_ACTIVATION_BALANCE
            {
                eligibility = add(p.current_epoch, 1, "process_registry_updates")?;
            } else if is_active_validator(v, p.current_epoch) && eb <= P::EJECTION_BALANCE {
                // > initiate_validator_exit returns at once if the exit is already initiated.
                ejected = v.exit_epoch == FAR_FUTURE_EPOCH;
            } else if v.activation_eligibility_epoch <= p.finalized_epoch
                && v.activation_epoch == FAR_FUTURE_EPOCH
            {
                activation = p.activation_epoch;
            }
        }

        let mut new_eb = eb;
        if !ejected {
            // electra § process_slashings
            if p.slashings && v.slashed && p.slashing_target_epoch == v.withdrawable_epoch {
                let penalty = mul(
                    p.penalty_per_effective_balance_increment,
                    div_preset(eb, inc),
                    "process_slashings",
                )?;
                bal = bal.saturating_sub(penalty);
            }
            // electra § process_effective_balance_updates
            if p.effective_balance && !deferred.contains(index) {
                new_eb = effective_balance_after::<P>(p, v, bal, eb)?;
            }
        } else {
            out.ejections.push(index);
        }

        *bal_slot = bal;
        *score_slot = score;
        if new_eb != eb
            || eligibility != v.activation_eligibility_epoch
            || activation != v.activation_epoch
        {
            out.updates.push(ValidatorUpdate {
                index,
                effective_balance: new_eb,
                activation_eligibility_epoch: eligibility,
                activation_epoch: activation,
            });
        }
        // An ejected validator stays active at the next epoch (its exit epoch is later).
        if p.collect_next_active && activation <= p.next_epoch && p.next_epoch < v.exit_epoch {
            out.next_active.push(u64::from(index));
        }
        // After the rotation its previous flags are today's current ones, its current ones 0.
        let prune = p.prune
            && !ejected
            && !deferred.contains(index)
            && !members.contains(index)
            && is_inert_fields(
                v.exit_epoch,
                activation,
                v.withdrawable_epoch,
                new_eb,
                bal,
                cf,
                p.next_epoch,
            );
        if !prune {
            out.keep.push(index);
        }
    }
    Ok(out)
}

/// electra § process_effective_balance_updates for one validator: the new effective balance.
pub fn effective_balance_after<P: Preset>(
    p: &PassParams,
    v: &Validator,
    balance: Gwei,
    effective_balance: Gwei,
) -> Result<Gwei> {
    const WHAT: &str = "process_effective_balance_updates";
    if add(balance, p.downward_threshold, WHAT)? < effective_balance
        || add(effective_balance, p.upward_threshold, WHAT)? < balance
    {
        // > [Modified in Electra:EIP7251]
        let max_effective_balance = get_max_effective_balance::<P>(v);
        Ok(sub(
            balance,
            rem(balance, P::EFFECTIVE_BALANCE_INCREMENT, WHAT)?,
            WHAT,
        )?
        .min(max_effective_balance))
    } else {
        Ok(effective_balance)
    }
}
