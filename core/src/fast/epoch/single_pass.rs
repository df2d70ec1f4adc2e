//! The second pass over the live set, fused per validator: altair § process_inactivity_updates,
//! altair § process_rewards_and_penalties, the electra § process_slashings penalty and
//! electra § process_effective_balance_updates, each switched on or off, in the spec's order for
//! every validator. It reads the scan's compact records (`scan`), never the validator records.
//!
//! Why fusing is exact: each of these steps changes a validator from its own fields and values
//! fixed before the pass (the epoch's sums, the finalized checkpoint after justification, the
//! slashings vector); none reads another validator's changed fields. The exceptions are
//! handled outside the pass: an ejection takes its exit epoch from the exit queue, in index
//! order (`apply` finishes it), and validators the pending deposits and consolidations may change
//! (flag `DEFER`) take their effective-balance update after those steps: the pass returns its
//! answer for them (`PassOutput::tentative`), which stands for every one the queues leave alone,
//! and the rest are decided again from their records.
//!
//! Balances and inactivity scores are written in place, split into index ranges across rayon
//! tasks; effective-balance changes are returned, to be written through
//! `TrackedState::validator_mut` so the root cache sees them.

use crate::error::{Error, Result};
use crate::fast::epoch::scan::{bits, Records, RANGE};
use crate::fast::prefetch::{prefetch, AHEAD};
use crate::helpers::math::{add, div, div_preset, mul, rem, sub};
use crate::preset::consts::{
    PARTICIPATION_FLAG_WEIGHTS, TIMELY_HEAD_FLAG_INDEX, TIMELY_TARGET_FLAG_INDEX,
    WEIGHT_DENOMINATOR,
};
use crate::preset::Preset;
use crate::types::{Epoch, Gwei};
use rayon::prelude::*;

/// Registry indices per rayon task: the scan's ranges.
const CHUNK: usize = RANGE;

/// What the pass does and the values fixed before it.
#[derive(Debug, Clone, Default)]
pub struct PassParams {
    pub current_epoch: Epoch,
    pub inactivity: bool,
    pub rewards: bool,
    pub slashings: bool,
    pub effective_balance: bool,
    /// Drop validators inert from the next epoch on (only when every step runs).
    pub prune: bool,
    pub in_leak: bool,
    pub base_reward_per_increment: Gwei,
    /// `get_total_active_balance // EFFECTIVE_BALANCE_INCREMENT`.
    pub active_increments: u64,
    /// Per flag, `unslashed_participating_balance // EFFECTIVE_BALANCE_INCREMENT`.
    pub flag_increments: [u64; 3],
    /// `current_epoch + EPOCHS_PER_SLASHINGS_VECTOR // 2`.
    pub slashing_target_epoch: Epoch,
    pub penalty_per_effective_balance_increment: Gwei,
    pub downward_threshold: Gwei,
    pub upward_threshold: Gwei,
}

/// What the pass hands back.
#[derive(Debug, Default)]
pub struct PassOutput {
    /// The validators inert from the next epoch on (sorted): the live set for the next epoch is
    /// the input minus these. (Returning the kept list instead cost a 4 MB copy per epoch on
    /// mainnet-2026, where almost nothing is pruned.)
    pub pruned: Vec<u32>,
    /// (index, new effective balance).
    pub effective_balances: Vec<(u32, Gwei)>,
    /// Deferred validators (`DEFER`) whose effective balance changes on the balance the pass
    /// leaves: (index, new effective balance). Exact for every one whose balance and record
    /// nothing changes before the deferred update (neither queue touched it, not ejected);
    /// the others are decided again then. Reading the 16k deferred records after the queues
    /// took 0.55-0.65 ms of every epoch (mainnet-2026 and consolidated-max), for the few
    /// dozen the queues change.
    pub tentative: Vec<(u32, Gwei)>,
    /// Deferred validators whose update overflowed on the pass's balance (sorted): decided
    /// after the queues, which may change that balance.
    pub undecided: Vec<u32>,
}

/// Run the pass over `live` (sorted) with the scan's records (`records[k]`: those of the live
/// validators in registry range `k`). `balances` and `scores` are the whole lists.
pub fn single_pass<P: Preset>(
    p: &PassParams,
    live: &[u32],
    records: &[Records],
    balances: &mut [Gwei],
    scores: &mut [u64],
) -> Result<PassOutput> {
    if balances.len() != scores.len() || records.len() != balances.len().div_ceil(CHUNK) {
        return Err(Error::Assert(
            "fast process_epoch: registry lists of unequal length",
        ));
    }
    let outs = balances
        .par_chunks_mut(CHUNK)
        .zip(scores.par_chunks_mut(CHUNK))
        .enumerate()
        .map_init(DeltaMemo::new::<P>, |memo, (k, (b, s))| {
            let base = k.saturating_mul(CHUNK);
            let end = base.saturating_add(b.len());
            let lo = live.partition_point(|&x| (x as usize) < base);
            let hi = live.partition_point(|&x| (x as usize) < end);
            let live = live.get(lo..hi).unwrap_or_default();
            let range = records.get(k).filter(|r| {
                r.effective_balances.len() == live.len() && r.flags.len() == live.len()
            });
            let Some(range) = range else {
                return Err(Error::Assert(
                    "fast process_epoch: scan records not aligned with the live set",
                ));
            };
            let records = Compact {
                live,
                effective_balances: &range.effective_balances,
                flags: &range.flags,
            };
            if crate::fast::prefetch::sparse(live) {
                chunk::<P, true>(p, memo, base, &records, b, s)
            } else {
                chunk::<P, false>(p, memo, base, &records, b, s)
            }
        })
        .collect::<Result<Vec<PassOutput>>>()?;
    let mut out = PassOutput::default();
    for o in outs {
        out.pruned.extend(o.pruned);
        out.effective_balances.extend(o.effective_balances);
        out.tentative.extend(o.tentative);
        out.undecided.extend(o.undecided);
    }
    Ok(out)
}

/// altair § get_flag_index_deltas per effective-balance increment count `e`: the base reward
/// and each flag's reward and penalty are functions of `e` and of values fixed for the epoch,
/// so they are computed once per `e` met by each rayon task instead of once per validator:
/// three 64-bit divisions and six multiplications a validator were 21% of the pass's samples
/// on mainnet-2026 (perf). Filled up front, the 2,049-entry table cost ~60 us an epoch, a
/// quarter of `tiny`'s; a 64-slot direct-mapped memo thrashed on mainnet-2026's spread of
/// compounding balances (pass 7.4-9.0 -> 10.1 ms). An entry whose uint64
/// arithmetic overflows is marked, so a validator that needs it fails as in the spec.
#[derive(Debug, Clone, Copy, Default)]
struct Deltas {
    reward: [Gwei; 3],
    penalty: [Gwei; 3],
    /// Bit 0: the base reward is a uint64; bit 1 + k: flag k's reward; bit 4 + k: its penalty.
    ok: u8,
}

/// `Deltas::of` memoized by increment count, filled as counts are met; one per rayon task
/// (`map_init`). Counts above `MAX_EFFECTIVE_BALANCE_ELECTRA`'s (a malformed state) are
/// computed each time.
struct DeltaMemo {
    entries: Vec<Deltas>,
    filled: Vec<bool>,
    /// The last count beyond the table.
    beyond: Deltas,
}

impl DeltaMemo {
    fn new<P: Preset>() -> Self {
        let n = usize::try_from(div_preset(
            P::MAX_EFFECTIVE_BALANCE_ELECTRA,
            P::EFFECTIVE_BALANCE_INCREMENT,
        ))
        .unwrap_or(0)
        .saturating_add(1);
        DeltaMemo {
            entries: vec![Deltas::default(); n],
            filled: vec![false; n],
            beyond: Deltas::default(),
        }
    }

    #[inline]
    fn get(&mut self, p: &PassParams, increments: u64) -> &Deltas {
        let slot = usize::try_from(increments).unwrap_or(usize::MAX);
        if !self.filled.get(slot).copied().unwrap_or(true) {
            if let (Some(filled), Some(entry)) =
                (self.filled.get_mut(slot), self.entries.get_mut(slot))
            {
                *entry = Deltas::of(p, increments);
                *filled = true;
            }
        }
        match self.entries.get(slot) {
            Some(entry) => entry,
            None => {
                self.beyond = Deltas::of(p, increments);
                &self.beyond
            }
        }
    }
}

impl Deltas {
    fn of(p: &PassParams, increments: u64) -> Deltas {
        const WHAT: &str = "get_flag_index_deltas";
        let mut d = Deltas::default();
        // altair § get_base_reward
        let Ok(base_reward) = mul(increments, p.base_reward_per_increment, "get_base_reward")
        else {
            return d;
        };
        d.ok = 1;
        let reward_denominator = mul(p.active_increments, WEIGHT_DENOMINATOR, WHAT);
        for (flag, (&weight, &flag_increments)) in PARTICIPATION_FLAG_WEIGHTS
            .iter()
            .zip(p.flag_increments.iter())
            .enumerate()
        {
            let weighted = mul(base_reward, weight, WHAT);
            let reward = weighted.clone().and_then(|w| {
                div(
                    mul(w, flag_increments, WHAT)?,
                    reward_denominator.clone()?,
                    WHAT,
                )
            });
            if let (Ok(r), Some(slot)) = (reward, d.reward.get_mut(flag)) {
                *slot = r;
                d.ok |= 2 << flag;
            }
            if let (Ok(w), Some(slot)) = (weighted, d.penalty.get_mut(flag)) {
                *slot = div_preset(w, WEIGHT_DENOMINATOR);
                d.ok |= 16 << flag;
            }
        }
        d
    }
}

/// The scan's compact records of one index range, aligned.
struct Compact<'a> {
    live: &'a [u32],
    effective_balances: &'a [Gwei],
    flags: &'a [u8],
}

/// The pass over one range; `PREFETCH`: ask for the lines of the validator `AHEAD` on
/// (`crate::fast::prefetch::sparse` ranges; two copies of the loop, so the dense ranges keep
/// theirs unchanged).
fn chunk<P: Preset, const PREFETCH: bool>(
    p: &PassParams,
    memo: &mut DeltaMemo,
    base: usize,
    records: &Compact<'_>,
    balances: &mut [Gwei],
    scores: &mut [u64],
) -> Result<PassOutput> {
    let Compact {
        live,
        effective_balances,
        flags,
    } = *records;
    const WHAT: &str = "process_epoch (fused pass)";
    let mut out = PassOutput::default();
    let inc = P::EFFECTIVE_BALANCE_INCREMENT;
    let inactivity_denominator = mul(
        P::INACTIVITY_SCORE_BIAS,
        P::INACTIVITY_PENALTY_QUOTIENT_BELLATRIX,
        WHAT,
    )?;
    let len = base.saturating_add(balances.len()) as u64;
    let mut lead = live.iter().skip(AHEAD);
    for ((&index, &eb), &b) in live.iter().zip(effective_balances).zip(flags) {
        if PREFETCH {
            if let Some(&ahead) = lead.next() {
                let a = (ahead as usize).wrapping_sub(base);
                prefetch(balances, a);
                prefetch(scores, a);
            }
        }
        let j = (index as usize).wrapping_sub(base);
        let out_of_range = || Error::OutOfRange {
            what: "balances",
            index: u64::from(index),
            len,
        };
        let bal_slot = balances.get_mut(j).ok_or_else(out_of_range)?;
        let score_slot = scores.get_mut(j).ok_or_else(out_of_range)?;
        let mut bal = *bal_slot;
        let mut score = *score_slot;
        let eligible = b & bits::ELIGIBLE != 0;
        let participating = |flag: usize| b & (bits::FLAG0 << flag) != 0;
        let target = participating(TIMELY_TARGET_FLAG_INDEX);

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
            // altair § get_base_reward, then altair § get_flag_index_deltas per flag: the
            // deltas of this effective balance (`Deltas::of`), applied in the spec's order.
            let d = *memo.get(p, div_preset(eb, inc));
            if d.ok & 1 == 0 {
                return Err(Error::Arithmetic("get_base_reward"));
            }
            for flag in 0..PARTICIPATION_FLAG_WEIGHTS.len() {
                if participating(flag) {
                    if !p.in_leak {
                        if d.ok & (2 << flag) == 0 {
                            return Err(Error::Arithmetic(WHAT));
                        }
                        let reward = d.reward.get(flag).copied().unwrap_or(0);
                        bal = add(bal, reward, "increase_balance")?;
                    }
                } else if flag != TIMELY_HEAD_FLAG_INDEX {
                    if d.ok & (16 << flag) == 0 {
                        return Err(Error::Arithmetic(WHAT));
                    }
                    bal = bal.saturating_sub(d.penalty.get(flag).copied().unwrap_or(0));
                }
            }
            // bellatrix § get_inactivity_penalty_deltas
            if !target {
                let penalty_numerator = mul(eb, score, WHAT)?;
                bal = bal.saturating_sub(div(penalty_numerator, inactivity_denominator, WHAT)?);
            }
        }

        // electra § process_slashings
        if p.slashings && b & bits::SLASHING != 0 {
            let penalty = mul(
                p.penalty_per_effective_balance_increment,
                div_preset(eb, inc),
                "process_slashings",
            )?;
            bal = bal.saturating_sub(penalty);
        }

        // electra § process_effective_balance_updates
        let mut new_eb = eb;
        if p.effective_balance {
            let compounding = b & bits::COMPOUNDING != 0;
            if b & bits::DEFER == 0 {
                new_eb = effective_balance_after::<P>(p, compounding, bal, eb)?;
                if new_eb != eb {
                    out.effective_balances.push((index, new_eb));
                }
            } else {
                // The answer if the queues leave this balance alone (`PassOutput::tentative`);
                // an overflow here is decided again after them, on the balance they leave.
                match effective_balance_after::<P>(p, compounding, bal, eb) {
                    Ok(after) if after != eb => out.tentative.push((index, after)),
                    Ok(_) => {}
                    Err(_) => out.undecided.push(index),
                }
            }
        }

        *bal_slot = bal;
        *score_slot = score;
        let prune = p.prune && b & bits::PRUNABLE != 0 && new_eb == 0 && bal == 0;
        if prune {
            out.pruned.push(index);
        }
    }
    Ok(out)
}

/// electra § process_effective_balance_updates for one validator: the new effective balance
/// (`compounding`: the validator has compounding credentials).
pub fn effective_balance_after<P: Preset>(
    p: &PassParams,
    compounding: bool,
    balance: Gwei,
    effective_balance: Gwei,
) -> Result<Gwei> {
    const WHAT: &str = "process_effective_balance_updates";
    if add(balance, p.downward_threshold, WHAT)? < effective_balance
        || add(effective_balance, p.upward_threshold, WHAT)? < balance
    {
        // > [Modified in Electra:EIP7251] get_max_effective_balance
        let max_effective_balance = if compounding {
            P::MAX_EFFECTIVE_BALANCE_ELECTRA
        } else {
            P::MIN_ACTIVATION_BALANCE
        };
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
