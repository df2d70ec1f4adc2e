//! The first pass over the live set, the only one that reads validator records: the epoch's
//! balance sums (phase0 § get_total_active_balance, altair § get_unslashed_participating_indices
//! with phase0 § get_total_balance), the justification-independent decisions of
//! electra § process_registry_updates, and a compact record per live validator (effective
//! balance and eight bits) from which the second pass (`single_pass`) updates balances and
//! scores without touching the records again.
//!
//! Why this split: the records are 2.0M x 121 B; at 975k live validators one read of their hot
//! cache line costs more than everything else the epoch does. Nothing changes a record between
//! this pass and the second (justification writes checkpoints only), so the compact copy is
//! exact for that pass.

use crate::error::{Error, Result};
use crate::fast::cache::live::{is_inert_fields, SortedCursor};
use crate::fast::cache::view::{kind, slot_kind, Epochs, RegistryView};
use crate::fast::cache::EpochValues;
use crate::fast::prefetch::{prefetch, AHEAD};
use crate::helpers::accessors::base_reward_per_increment_from_total;
use crate::helpers::math::add;
use crate::helpers::misc::has_flag;
use crate::helpers::predicates::has_compounding_withdrawal_credential;
use crate::preset::consts::{FAR_FUTURE_EPOCH, TIMELY_TARGET_FLAG_INDEX};
use crate::preset::Preset;
use crate::types::{Epoch, Gwei, ParticipationFlags, Validator};
use rayon::prelude::*;

/// Registry indices per range: the scan's and the fused pass's unit of work (one rayon task
/// each), so the pass reads the records of its range from the scan's output for that range.
pub const RANGE: usize = 1 << 15;

/// Compact-record bits.
pub mod bits {
    /// In get_eligible_validator_indices.
    pub const ELIGIBLE: u8 = 1;
    /// Unslashed, active in the previous epoch, with flag k (k = 0, 1, 2): bits 1, 2, 3.
    pub const FLAG0: u8 = 1 << 1;
    /// process_slashings penalizes it this epoch.
    pub const SLASHING: u8 = 1 << 4;
    /// Compounding credentials (get_max_effective_balance is MAX_EFFECTIVE_BALANCE_ELECTRA).
    pub const COMPOUNDING: u8 = 1 << 5;
    /// No effective-balance update in the pass (ejected, or the queues may change it): kept live.
    pub const DEFER: u8 = 1 << 6;
    /// Inert from the next epoch on if its new effective balance and balance are 0.
    pub const PRUNABLE: u8 = 1 << 7;
}

/// What the scan is asked for.
#[derive(Debug, Clone, Default)]
pub struct ScanParams {
    pub current_epoch: Epoch,
    pub previous_epoch: Epoch,
    pub next_epoch: Epoch,
    pub registry: bool,
    pub slashings: bool,
    pub slashing_target_epoch: Epoch,
    pub collect_next_active: bool,
    pub prune: bool,
}

/// The compact records of the live validators of one registry range (`RANGE`), in live order.
#[derive(Debug, Default)]
pub struct Records {
    pub effective_balances: Vec<Gwei>,
    pub flags: Vec<u8>,
}

/// The scan's results.
#[derive(Debug, Default)]
pub struct Scan {
    /// `None`: a uint64 total overflowed (an error for the steps that read it).
    pub values: Option<EpochValues>,
    /// Per registry range `k` (indices `k * RANGE..`), its live validators' records. Built per
    /// range by the task that scans it: one pair of 975k-entry arrays zeroed up front was a
    /// serial memset and ~2.3k page faults (~1.2 ms of mainnet-2026's epoch, perf).
    pub records: Vec<Records>,
    /// Queue entries: (index, new activation_eligibility_epoch).
    pub eligibility: Vec<(u32, Epoch)>,
    /// Activation candidates (the spec's third branch), decided after justification:
    /// (index, activation_eligibility_epoch).
    pub activation_candidates: Vec<(u32, Epoch)>,
    /// Ejections, in index order.
    pub ejections: Vec<u32>,
    /// Indices active at the next epoch (when asked for), sorted.
    pub next_active: Vec<u32>,
    /// The entries of `deferred` not in `live`, sorted: what the live set for the next epoch
    /// must gain from them (the search for these in the live list took 0.5-0.9 ms of
    /// mainnet-2026's epoch).
    pub deferred_missing: Vec<u32>,
}

/// Sums in u128: cannot overflow (fewer than 2^32 terms, each below 2^64, sum below 2^96, so the
/// settled path's `wrapping_add` never wraps and skips saturation's compare); whether a uint64
/// sum overflowed is decided at the end, and is an error only for the steps that sum (as in the
/// spec).
#[derive(Default)]
struct Part {
    active: u128,
    previous: [u128; 3],
    current_target: u128,
    eligibility: Vec<(u32, Epoch)>,
    activation_candidates: Vec<(u32, Epoch)>,
    ejections: Vec<u32>,
    next_active: Vec<u32>,
    deferred_missing: Vec<u32>,
}

/// Registry slices the scan reads.
pub struct Registry<'a> {
    pub validators: &'a [Validator],
    pub previous_participation: &'a [ParticipationFlags],
    pub current_participation: &'a [ParticipationFlags],
    /// The records' mirror, current with `validators` (`FastCaches::prepare_tracked`).
    pub view: &'a RegistryView,
}

/// The fields of a validator record the scan reads.
#[derive(Clone, Copy)]
struct Rec {
    effective_balance: Gwei,
    slashed: bool,
    activation_eligibility_epoch: Epoch,
    activation_epoch: Epoch,
    exit_epoch: Epoch,
    withdrawable_epoch: Epoch,
    compounding: bool,
}

impl Rec {
    fn of(v: &Validator) -> Rec {
        Rec {
            effective_balance: v.effective_balance,
            slashed: v.slashed,
            activation_eligibility_epoch: v.activation_eligibility_epoch,
            activation_epoch: v.activation_epoch,
            exit_epoch: v.exit_epoch,
            withdrawable_epoch: v.withdrawable_epoch,
            compounding: has_compounding_withdrawal_credential(v),
        }
    }

    /// An unsettled validator from its in-flight entry (the record's fields, `view` module).
    fn in_flight(e: &Epochs, effective_balance: Gwei, compounding: bool) -> Rec {
        Rec {
            effective_balance,
            slashed: e.slashed,
            activation_eligibility_epoch: e.activation_eligibility_epoch,
            activation_epoch: e.activation_epoch,
            exit_epoch: e.exit_epoch,
            withdrawable_epoch: e.withdrawable_epoch,
            compounding,
        }
    }

    /// phase0 § is_active_validator
    #[inline]
    fn is_active(&self, epoch: Epoch) -> bool {
        self.activation_epoch <= epoch && epoch < self.exit_epoch
    }
}

/// The scan's sorted-list cursors over one range.
struct Cursors<'a, 'b> {
    deferred: &'b mut SortedCursor<'a>,
    members: &'b mut SortedCursor<'a>,
    in_flight: &'b mut std::iter::Peekable<std::slice::Iter<'a, Epochs>>,
}

/// The scan of one range's live validators (`live`); `PREFETCH`: ask for the lines of the
/// validator `AHEAD` on (`crate::fast::prefetch::sparse` ranges; two copies of the loop, so
/// the dense ranges keep theirs unchanged).
fn scan_range<P: Preset, const PREFETCH: bool>(
    p: &ScanParams,
    live: &[u32],
    reg: &Registry<'_>,
    cursors: &mut Cursors<'_, '_>,
    part: &mut Part,
    records: &mut Records,
) -> Result<()> {
    let Cursors {
        deferred,
        members,
        in_flight,
    } = cursors;
    let mut lead = live.iter().skip(AHEAD);
    for &index in live {
        if PREFETCH {
            if let Some(&ahead) = lead.next() {
                let a = ahead as usize;
                prefetch(&reg.view.slots, a);
                prefetch(reg.previous_participation, a);
                prefetch(reg.current_participation, a);
            }
        }
        let i = index as usize;
        let out_of_range = || Error::OutOfRange {
            what: "validators",
            index: i as u64,
            len: reg.validators.len() as u64,
        };
        let slot = *reg.view.slots.get(i).ok_or_else(out_of_range)?;
        let k = slot_kind(slot);
        let view_eb = || reg.view.effective_balance_of(i, slot);
        let compounding = k & kind::COMPOUNDING != 0;
        let pf = *reg.previous_participation.get(i).ok_or_else(out_of_range)?;
        let cf = *reg.current_participation.get(i).ok_or_else(out_of_range)?;
        if k & kind::SETTLED != 0 {
            // A settled validator (`view` module doc): the general body below on a
            // record with these epochs (eligible long ago, active since at least the
            // previous epoch, not exiting, not slashed), which stand in for its own
            // (not read), with every decision folded: active in the previous, current
            // and next epochs, eligible, unslashed, in no queue but the ejection
            // test, not prunable; the sums without branches (the flags are data). 95%
            // of mainnet-2026's live set.
            let eb = view_eb();
            records.effective_balances.push(eb);
            let eb128 = u128::from(eb);
            let masked = |on: bool| eb128 & 0u128.wrapping_sub(u128::from(on));
            part.active = part.active.wrapping_add(eb128);
            let mut b = bits::ELIGIBLE;
            if compounding {
                b |= bits::COMPOUNDING;
            }
            for (flag, sum) in part.previous.iter_mut().enumerate() {
                let on = has_flag(pf, flag);
                *sum = sum.wrapping_add(masked(on));
                b |= u8::from(on) << flag.saturating_add(1);
            }
            part.current_target = part
                .current_target
                .wrapping_add(masked(has_flag(cf, TIMELY_TARGET_FLAG_INDEX)));
            // > elif is_active_validator(validator, current_epoch) and
            // > validator.effective_balance <= EJECTION_BALANCE: initiate_validator_exit
            let ejected = p.registry && eb <= P::EJECTION_BALANCE;
            if ejected {
                part.ejections.push(index);
            }
            // Asked even when ejected, so the cursor records only candidates not in `live`.
            let candidate = deferred.contains_or_miss(index, &mut part.deferred_missing);
            if ejected || candidate {
                b |= bits::DEFER;
            }
            if p.collect_next_active {
                part.next_active.push(index);
            }
            records.flags.push(b);
            continue;
        }
        while in_flight.next_if(|e| e.index < index).is_some() {}
        let v = match in_flight.next_if(|e| e.index == index) {
            Some(e) => Rec::in_flight(e, view_eb(), compounding),
            None => Rec::of(reg.validators.get(i).ok_or_else(out_of_range)?),
        };
        let eb = v.effective_balance;
        records.effective_balances.push(eb);

        // The sums.
        let active_current = v.is_active(p.current_epoch);
        let active_previous = v.is_active(p.previous_epoch);
        let eb128 = u128::from(eb);
        if active_current {
            part.active = part.active.saturating_add(eb128);
        }
        let mut b = 0u8;
        if !v.slashed {
            if active_previous {
                for (flag, sum) in part.previous.iter_mut().enumerate() {
                    if has_flag(pf, flag) {
                        *sum = sum.saturating_add(eb128);
                        b |= bits::FLAG0 << flag;
                    }
                }
            }
            if active_current && has_flag(cf, TIMELY_TARGET_FLAG_INDEX) {
                part.current_target = part.current_target.saturating_add(eb128);
            }
        }
        // phase0 § get_eligible_validator_indices
        // > or (v.slashed and previous_epoch + 1 < v.withdrawable_epoch)
        if active_previous
            || (v.slashed
                && add(p.previous_epoch, 1, "get_eligible_validator_indices")?
                    < v.withdrawable_epoch)
        {
            b |= bits::ELIGIBLE;
        }
        if v.compounding {
            b |= bits::COMPOUNDING;
        }

        // electra § process_registry_updates, but for the exit queue (`apply`) and the
        // finality test of activations (after justification).
        let mut ejected = false;
        if p.registry {
            if v.activation_eligibility_epoch == FAR_FUTURE_EPOCH && eb >= P::MIN_ACTIVATION_BALANCE
            {
                let epoch = add(p.current_epoch, 1, "process_registry_updates")?;
                part.eligibility.push((index, epoch));
            } else if active_current && eb <= P::EJECTION_BALANCE {
                // > initiate_validator_exit returns at once if already exiting.
                ejected = v.exit_epoch == FAR_FUTURE_EPOCH;
                if ejected {
                    part.ejections.push(index);
                }
            } else if v.activation_epoch == FAR_FUTURE_EPOCH {
                part.activation_candidates
                    .push((index, v.activation_eligibility_epoch));
            }
        }
        let candidate = deferred.contains_or_miss(index, &mut part.deferred_missing);
        let defer = ejected || candidate;
        if defer {
            b |= bits::DEFER;
        }
        // electra § process_slashings (an ejected validator's check follows its exit)
        if p.slashings && !ejected && v.slashed && p.slashing_target_epoch == v.withdrawable_epoch {
            b |= bits::SLASHING;
        }
        // An activation only moves activation_epoch past the next epoch: same answer.
        if p.collect_next_active
            && v.activation_epoch <= p.next_epoch
            && p.next_epoch < v.exit_epoch
        {
            part.next_active.push(index);
        }
        // After the rotation its previous flags are today's current ones, the current 0;
        // an activation candidate has activation_epoch FAR, so is never prunable.
        if p.prune
            && !defer
            && !members.contains(index)
            && is_inert_fields(
                v.exit_epoch,
                v.activation_epoch,
                v.withdrawable_epoch,
                0,
                0,
                cf,
                p.next_epoch,
            )
        {
            b |= bits::PRUNABLE;
        }
        records.flags.push(b);
    }
    Ok(())
}

/// Scan `live` (sorted; a superset of every validator an epoch step can change). `deferred`
/// and `sync_members` are sorted.
pub fn scan<P: Preset>(
    p: &ScanParams,
    live: &[u32],
    deferred: &[u32],
    sync_members: &[u32],
    reg: &Registry<'_>,
) -> Result<Scan> {
    let ranges = reg.validators.len().div_ceil(RANGE);
    let parts = (0..ranges)
        .into_par_iter()
        .map(|k| {
            let base = k.saturating_mul(RANGE);
            let lo = live.partition_point(|&x| (x as usize) < base);
            let hi = live.partition_point(|&x| (x as usize) < base.saturating_add(RANGE));
            let live = live.get(lo..hi).unwrap_or_default();
            let mut records = Records {
                effective_balances: Vec::with_capacity(live.len()),
                flags: Vec::with_capacity(live.len()),
            };
            let first = live.first().copied().unwrap_or(0) as usize;
            let last = live.last().copied().unwrap_or(0) as usize;
            // The whole range's candidates, so each lands in exactly one range and the ones
            // not in `live` are found here (`Scan::deferred_missing`).
            let mut deferred = SortedCursor::new(crate::fast::cache::live::sub_range(
                deferred,
                base,
                base.saturating_add(RANGE),
            ));
            let mut members = SortedCursor::new(crate::fast::cache::live::sub_range(
                sync_members,
                first,
                last.saturating_add(1),
            ));
            let mut in_flight = reg
                .view
                .unsettled_range(first, last.saturating_add(1))
                .iter()
                .peekable();
            let mut part = Part::default();
            if p.collect_next_active {
                // Nearly every live validator is active: one allocation, no regrowth.
                part.next_active.reserve_exact(live.len());
            }
            let mut cursors = Cursors {
                deferred: &mut deferred,
                members: &mut members,
                in_flight: &mut in_flight,
            };
            if crate::fast::prefetch::sparse(live) {
                scan_range::<P, true>(p, live, reg, &mut cursors, &mut part, &mut records)?;
            } else {
                scan_range::<P, false>(p, live, reg, &mut cursors, &mut part, &mut records)?;
            }
            part.deferred_missing.extend_from_slice(deferred.rest());
            Ok((part, records))
        })
        .collect::<Result<Vec<(Part, Records)>>>()?;

    let mut scan = Scan::default();
    let (mut active, mut previous, mut current_target) = (0u128, [0u128; 3], 0u128);
    let mut scanned = 0usize;
    if p.collect_next_active {
        let total = parts.iter().map(|(x, _)| x.next_active.len()).sum();
        scan.next_active.reserve_exact(total);
    }
    for (part, records) in parts {
        scanned = scanned.saturating_add(records.flags.len());
        scan.records.push(records);
        active = active.saturating_add(part.active);
        for (s, x) in previous.iter_mut().zip(part.previous) {
            *s = s.saturating_add(x);
        }
        current_target = current_target.saturating_add(part.current_target);
        scan.eligibility.extend(part.eligibility);
        scan.activation_candidates
            .extend(part.activation_candidates);
        scan.ejections.extend(part.ejections);
        scan.next_active.extend(part.next_active);
        scan.deferred_missing.extend(part.deferred_missing);
    }
    // Every live index lies in some range (none past the registry).
    if scanned != live.len() {
        return Err(Error::OutOfRange {
            what: "validators",
            index: live.last().copied().map_or(0, u64::from),
            len: reg.validators.len() as u64,
        });
    }
    // get_total_balance: at least one increment.
    let floor = |x: u128| {
        u64::try_from(x)
            .ok()
            .map(|x| x.max(P::EFFECTIVE_BALANCE_INCREMENT))
    };
    let [f0, f1, f2] = previous.map(floor);
    scan.values = match (floor(active), f0, f1, f2, floor(current_target)) {
        (Some(total_active_balance), Some(f0), Some(f1), Some(f2), Some(current_target)) => {
            Some(EpochValues {
                total_active_balance,
                previous_flag_balances: [f0, f1, f2],
                current_target_balance: current_target,
                base_reward_per_increment: base_reward_per_increment_from_total::<P>(
                    total_active_balance,
                )?,
            })
        }
        _ => None,
    };
    Ok(scan)
}
