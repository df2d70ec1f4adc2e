//! `RegistryView`: a compact, persistent mirror of what the scan reads per validator, so the
//! epoch reads 2 bytes per live validator instead of its 121-byte record.
//!
//! Per registry index one `u16` (`Slot`): the effective balance in whole ETH and the kind bits.
//! A validator is *settled* at epoch `E` when it is not slashed, not exiting (`exit_epoch ==
//! FAR_FUTURE_EPOCH`), already eligible (`activation_eligibility_epoch != FAR_FUTURE_EPOCH`) and
//! active since at least the previous epoch (`activation_epoch <= get_previous_epoch(E)`). Each
//! condition holds at every later epoch until the record changes, so for a settled validator
//! every decision of the scan follows from its effective balance and credentials alone: it is
//! active in the previous, current and next epochs, eligible, not in either registry queue, not
//! slashed, not inert. The scan reads the record only of validators that are not settled
//! (exiting, pending, slashed).
//!
//! Validity: records change only through `TrackedState` (`validator_mut`, `push_validator`,
//! `with_state_mut`), which keeps a change record for this view beside the root's; the epoch
//! applies it before the scan (`FastCaches::sync_view`). The view remembers the token of the
//! state's record it last applied; any other token (a cache paired with another state, or a
//! second cache drained the record) makes it rebuild from the records.
//!
//! Why: on mainnet-2026 (975k live in 2.0M) the scan of the records took 98 ms of a 240 ms
//! epoch (report of 2d6fae6), stalled on loads of the records' cache lines.

use crate::error::{Error, Result};
use crate::helpers::predicates::has_compounding_withdrawal_credential;
use crate::preset::consts::FAR_FUTURE_EPOCH;
use crate::types::{Epoch, Gwei, Validator};

/// Kind bits.
pub mod kind {
    /// Settled (module doc): the record need not be read.
    pub const SETTLED: u8 = 1;
    /// Compounding withdrawal credentials.
    pub const COMPOUNDING: u8 = 1 << 1;
}

/// A validator's entry: bits 0-1 its `kind` bits, bit 2 `ODD`, bits 3-15 its effective balance
/// in units of `UNIT`. An effective balance that is not a whole number of units below
/// `2^13` (none is in a state the spec produces: it is always a multiple of
/// EFFECTIVE_BALANCE_INCREMENT, at most MAX_EFFECTIVE_BALANCE_ELECTRA = 2,048 units) sets `ODD`
/// and is kept exactly in `RegistryView::odd`.
///
/// Why 2 bytes and not a `u64` and a kind byte (9 bytes): on consolidated-max the live
/// validators lie one per ~12 indices, so each one's `u64` was a cache line of its own; 32
/// entries now share a line.
pub(crate) type Slot = u16;

/// The effective-balance unit of a `Slot`: both presets' EFFECTIVE_BALANCE_INCREMENT (the
/// encoding stays exact for any other value, through `ODD`).
const UNIT: Gwei = 1_000_000_000;
/// The slot's effective balance is in `RegistryView::odd`.
const ODD: Slot = 1 << 2;
/// The kind bits of a slot.
const KIND_BITS: Slot = 0b11;
/// The first bit of the effective balance.
const EB_SHIFT: u32 = 3;

/// The kind bits of `slot`.
#[inline]
pub(crate) fn slot_kind(slot: Slot) -> u8 {
    (slot & KIND_BITS) as u8
}

/// The slot of `kind` and `effective_balance`; `ODD` when the balance does not fit.
#[inline]
fn slot_of(kind: u8, effective_balance: Gwei) -> Slot {
    let units = effective_balance / UNIT;
    let kind = Slot::from(kind) & KIND_BITS;
    if effective_balance % UNIT == 0 && units < 1 << (Slot::BITS - EB_SHIFT) {
        // Below 2^13: fits the slot's top 13 bits.
        (units as Slot) << EB_SHIFT | kind
    } else {
        ODD | kind
    }
}

/// The mirror (module doc).
#[derive(Debug, Clone, Default)]
pub struct RegistryView {
    /// Validator `i`'s `Slot`.
    pub(crate) slots: Vec<Slot>,
    /// The effective balances that do not fit a slot (`ODD`), sorted by index.
    odd: Vec<(u32, Gwei)>,
    /// The `TrackedState` change-record token last applied; `None`: not synced to any.
    pub(crate) token: Option<u64>,
    /// Validators that are settled but for an activation epoch still ahead: re-read each
    /// refresh until settled (else a new validator would stay unsettled until its record next
    /// changed).
    pub(crate) maturing: Vec<u32>,
    /// The epochs of unsettled validators still in flight (`in_flight`), sorted by index: the
    /// scan reads these instead of the records, which it would otherwise fetch one random
    /// 121-byte record at a time (26k exiting, pending and slashed validators on mainnet-2026:
    /// 26% of the scan's samples, perf). A live unsettled validator missing here is read from
    /// its record.
    pub(crate) unsettled: Vec<Epochs>,
}

/// The record fields the scan reads of an unsettled validator, beside its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Epochs {
    pub(crate) index: u32,
    pub(crate) slashed: bool,
    pub(crate) activation_eligibility_epoch: Epoch,
    pub(crate) activation_epoch: Epoch,
    pub(crate) exit_epoch: Epoch,
    pub(crate) withdrawable_epoch: Epoch,
}

impl Epochs {
    fn of(index: u32, v: &Validator) -> Epochs {
        Epochs {
            index,
            slashed: v.slashed,
            activation_eligibility_epoch: v.activation_eligibility_epoch,
            activation_epoch: v.activation_epoch,
            exit_epoch: v.exit_epoch,
            withdrawable_epoch: v.withdrawable_epoch,
        }
    }
}

/// Always kept in `unsettled`: not settled, and not withdrawable with a zero effective balance
/// (those are inert or about to be, so rarely in the live set).
#[inline]
fn in_flight(kind: u8, v: &Validator, previous_epoch: Epoch) -> bool {
    kind & kind::SETTLED == 0 && (v.withdrawable_epoch > previous_epoch || v.effective_balance > 0)
}

/// Kept in `unsettled` when built or re-read: `in_flight`, or not settled with a balance left
/// (`balance`). A withdrawable validator with effective balance 0 and a balance is live: a
/// consolidation source waiting in the queue (5.1k on consolidated-max, where reading their
/// records was 32% of the scan's samples, perf). Its balance can grow without its record
/// changing (a top-up), so such an entry may be missing: then the scan reads the record.
#[inline]
fn kept(kind: u8, v: &Validator, balance: Gwei, previous_epoch: Epoch) -> bool {
    in_flight(kind, v, previous_epoch) || (kind & kind::SETTLED == 0 && balance > 0)
}

/// Settled but for `activation_epoch <= previous_epoch`, with the activation already set.
#[inline]
fn maturing(v: &Validator, previous_epoch: Epoch) -> bool {
    !v.slashed
        && v.exit_epoch == FAR_FUTURE_EPOCH
        && v.activation_eligibility_epoch != FAR_FUTURE_EPOCH
        && v.activation_epoch != FAR_FUTURE_EPOCH
        && v.activation_epoch > previous_epoch
}

/// The kind byte of `v` at epoch `epoch` (`previous_epoch`: get_previous_epoch of it).
#[inline]
fn kind_of(v: &Validator, previous_epoch: Epoch) -> u8 {
    let mut k = 0;
    if !v.slashed
        && v.exit_epoch == FAR_FUTURE_EPOCH
        && v.activation_eligibility_epoch != FAR_FUTURE_EPOCH
        && v.activation_epoch <= previous_epoch
    {
        k |= kind::SETTLED;
    }
    if has_compounding_withdrawal_credential(v) {
        k |= kind::COMPOUNDING;
    }
    k
}

/// A re-read record's side entries: its new in-flight entry (or none) for the merge, and
/// whether it is still maturing.
fn reread(
    index: u32,
    kind: u8,
    v: &Validator,
    balance: Gwei,
    previous_epoch: Epoch,
    updates: &mut Vec<(u32, Option<Epochs>)>,
    maturing_list: &mut Vec<u32>,
) {
    updates.push((
        index,
        kept(kind, v, balance, previous_epoch).then(|| Epochs::of(index, v)),
    ));
    if maturing(v, previous_epoch) {
        maturing_list.push(index);
    }
}

/// `balances[i]`, 0 past the end.
#[inline]
fn balance_of(balances: &[Gwei], i: usize) -> Gwei {
    balances.get(i).copied().unwrap_or(0)
}

impl RegistryView {
    /// The view of `validators` (with their `balances`) at an epoch whose previous epoch is
    /// `previous_epoch`.
    pub fn build(validators: &[Validator], balances: &[Gwei], previous_epoch: Epoch) -> Self {
        // One pass over the records (a pass per field cost ~60 ms more at 2.0M).
        let mut view = RegistryView {
            slots: Vec::with_capacity(validators.len()),
            ..RegistryView::default()
        };
        for (i, v) in validators.iter().enumerate() {
            let k = kind_of(v, previous_epoch);
            let Ok(index) = u32::try_from(i) else {
                // Past u32 indices (never at any real registry size): the view stops.
                break;
            };
            view.push(index, k, v.effective_balance);
            if maturing(v, previous_epoch) {
                view.maturing.push(index);
            }
            if kept(k, v, balance_of(balances, i), previous_epoch) {
                view.unsettled.push(Epochs::of(index, v));
            }
        }
        view
    }

    /// The kept in-flight entries of indices `start..end`.
    pub(crate) fn unsettled_range(&self, start: usize, end: usize) -> &[Epochs] {
        let lo = self
            .unsettled
            .partition_point(|e| (e.index as usize) < start);
        let hi = self.unsettled.partition_point(|e| (e.index as usize) < end);
        self.unsettled.get(lo..hi).unwrap_or_default()
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(self.slots.as_slice())
            .saturating_add(std::mem::size_of_val(self.odd.as_slice()))
            .saturating_add(std::mem::size_of_val(self.unsettled.as_slice()))
    }

    /// Validators covered.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The effective balance of validator `index`, whose slot is `slot`.
    #[inline]
    pub(crate) fn effective_balance_of(&self, index: usize, slot: Slot) -> Gwei {
        if slot & ODD == 0 {
            // At most 2^13 - 1 units: no overflow.
            Gwei::from(slot >> EB_SHIFT).saturating_mul(UNIT)
        } else {
            self.odd_balance(index)
        }
    }

    /// The effective balance of validator `index`, `None` past the view.
    pub fn effective_balance(&self, index: usize) -> Option<Gwei> {
        let slot = *self.slots.get(index)?;
        Some(self.effective_balance_of(index, slot))
    }

    /// The kind bits of validator `index`, `None` past the view.
    pub fn kind(&self, index: usize) -> Option<u8> {
        self.slots.get(index).map(|&s| slot_kind(s))
    }

    #[cold]
    fn odd_balance(&self, index: usize) -> Gwei {
        self.odd
            .binary_search_by_key(&index, |&(i, _)| i as usize)
            .ok()
            .and_then(|at| self.odd.get(at))
            .map_or(0, |&(_, eb)| eb)
    }

    /// Append validator `index` (the next one).
    fn push(&mut self, index: u32, kind: u8, effective_balance: Gwei) {
        let slot = slot_of(kind, effective_balance);
        if slot & ODD != 0 {
            self.odd.push((index, effective_balance));
        }
        self.slots.push(slot);
    }

    /// Set validator `index`'s entry (within the view).
    fn set(&mut self, index: u32, kind: u8, effective_balance: Gwei) {
        let slot = slot_of(kind, effective_balance);
        if let Some(s) = self.slots.get_mut(index as usize) {
            *s = slot;
        }
        match (
            self.odd.binary_search_by_key(&index, |&(i, _)| i),
            slot & ODD != 0,
        ) {
            (Ok(at), true) => {
                if let Some(e) = self.odd.get_mut(at) {
                    e.1 = effective_balance;
                }
            }
            (Ok(at), false) => {
                self.odd.remove(at);
            }
            (Err(at), true) => self.odd.insert(at, (index, effective_balance)),
            (Err(_), false) => {}
        }
    }

    /// Re-read the records of `changed` and of every validator appended since (`validators` is
    /// the whole registry, which never shrinks under spec processing; `balances` its balances).
    pub fn refresh(
        &mut self,
        validators: &[Validator],
        balances: &[Gwei],
        changed: &[usize],
        previous_epoch: Epoch,
    ) -> Result<()> {
        if validators.len() < self.slots.len() {
            return Err(Error::Assert("fast registry view: the registry shrank"));
        }
        let first_new = self.slots.len();
        // (index, its new in-flight entry if any) for every record re-read.
        let mut updates: Vec<(u32, Option<Epochs>)> = Vec::new();
        let maturing_before = std::mem::take(&mut self.maturing);
        let again = maturing_before.iter().map(|&i| i as usize);
        for i in changed
            .iter()
            .copied()
            .filter(|&i| i < first_new)
            .chain(again)
        {
            let v = validators.get(i).ok_or(Error::OutOfRange {
                what: "validators",
                index: i as u64,
                len: validators.len() as u64,
            })?;
            let k = kind_of(v, previous_epoch);
            let index = crate::fast::cache::pubkeys::index_u32(i)?;
            self.set(index, k, v.effective_balance);
            reread(
                index,
                k,
                v,
                balance_of(balances, i),
                previous_epoch,
                &mut updates,
                &mut self.maturing,
            );
        }
        for (i, v) in validators.iter().enumerate().skip(first_new) {
            let k = kind_of(v, previous_epoch);
            let index = crate::fast::cache::pubkeys::index_u32(i)?;
            self.push(index, k, v.effective_balance);
            reread(
                index,
                k,
                v,
                balance_of(balances, i),
                previous_epoch,
                &mut updates,
                &mut self.maturing,
            );
        }
        self.maturing.sort_unstable();
        self.maturing.dedup();
        self.merge_unsettled(updates, balances, previous_epoch);
        Ok(())
    }

    /// Replace the entries of the re-read validators by their new ones (one merge, not an
    /// insertion each), dropping entries no longer kept (withdrawable with effective balance
    /// and balance 0: still exact, but no longer worth their bytes).
    fn merge_unsettled(
        &mut self,
        mut updates: Vec<(u32, Option<Epochs>)>,
        balances: &[Gwei],
        previous_epoch: Epoch,
    ) {
        if updates.is_empty() {
            // Nothing re-read: every entry is still its record's (pruning waits for a merge).
            return;
        }
        // One update per index (a record re-read twice gives the same answer twice).
        updates.sort_by_key(|u| u.0);
        updates.dedup_by_key(|u| u.0);
        let old = std::mem::take(&mut self.unsettled);
        let mut out = Vec::with_capacity(old.len().saturating_add(updates.len()));
        let mut ups = updates.into_iter().peekable();
        let view = &*self;
        let keep = |e: &Epochs| {
            e.withdrawable_epoch > previous_epoch
                || view
                    .effective_balance(e.index as usize)
                    .is_some_and(|eb| eb > 0)
                || balance_of(balances, e.index as usize) > 0
        };
        for e in old {
            while let Some((_, new)) = ups.next_if(|u| u.0 < e.index) {
                out.extend(new);
            }
            match ups.next_if(|u| u.0 == e.index) {
                Some((_, new)) => out.extend(new),
                None if keep(&e) => out.push(e),
                None => {}
            }
        }
        for (_, new) in ups {
            out.extend(new);
        }
        self.unsettled = out;
    }

    /// Whether the view equals a fresh one of `validators` for every validator settled in the
    /// fresh one and in effective balance and credentials everywhere (a validator the view
    /// calls unsettled is merely read from its record).
    pub fn check_against(&self, validators: &[Validator], previous_epoch: Epoch) -> bool {
        // Without balances: the entries every view must keep (`in_flight`).
        let fresh = RegistryView::build(validators, &[], previous_epoch);
        // Every kept entry is the record's, sorted; every fresh in-flight one is kept.
        let sorted = self
            .unsettled
            .windows(2)
            .all(|w| w.first().map(|a| a.index) < w.get(1).map(|b| b.index));
        let exact = self.unsettled.iter().all(|e| {
            validators
                .get(e.index as usize)
                .is_some_and(|v| Epochs::of(e.index, v) == *e)
        });
        let mut mine = self.unsettled.iter().peekable();
        let complete = fresh.unsettled.iter().all(|f| {
            while mine.next_if(|m| m.index < f.index).is_some() {}
            mine.peek().is_some_and(|m| m.index == f.index)
        });
        if !(sorted && exact && complete) {
            return false;
        }
        self.slots.len() == fresh.slots.len()
            && self.odd == fresh.odd
            && self.slots.iter().zip(&fresh.slots).all(|(&mine, &f)| {
                let (mine_kind, f_kind) = (slot_kind(mine), slot_kind(f));
                mine & !KIND_BITS == f & !KIND_BITS
                    && mine_kind & !kind::SETTLED == f_kind & !kind::SETTLED
                    && (mine_kind & kind::SETTLED == 0 || f_kind & kind::SETTLED != 0)
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A withdrawn validator (exited at 10, withdrawable at 20, effective balance 0).
    fn withdrawn() -> Validator {
        Validator {
            activation_eligibility_epoch: 0,
            activation_epoch: 1,
            exit_epoch: 10,
            withdrawable_epoch: 20,
            ..Validator::default()
        }
    }

    #[test]
    fn withdrawn_with_a_balance_is_kept_in_flight() {
        let settled = Validator {
            effective_balance: 32_000_000_000,
            exit_epoch: FAR_FUTURE_EPOCH,
            withdrawable_epoch: FAR_FUTURE_EPOCH,
            ..withdrawn()
        };
        let validators = vec![settled, withdrawn(), withdrawn()];
        // Validator 1 still holds a balance (a consolidation source in the queue), 2 none.
        let balances = [32_000_000_000, 5, 0];
        let view = RegistryView::build(&validators, &balances, 100);
        let indices: Vec<u32> = view.unsettled.iter().map(|e| e.index).collect();
        assert_eq!(indices, vec![1]);
        assert_eq!(view.unsettled[0], Epochs::of(1, &validators[1]));
        assert!(view.check_against(&validators, 100));
        // Without balances (what every view must keep) neither is an entry.
        assert!(RegistryView::build(&validators, &[], 100)
            .unsettled
            .is_empty());

        // Its balance paid out, the next merge drops it; a re-read of 2 with a balance adds it.
        let mut view = view;
        view.refresh(&validators, &[32_000_000_000, 0, 7], &[2], 100)
            .unwrap();
        let indices: Vec<u32> = view.unsettled.iter().map(|e| e.index).collect();
        assert_eq!(indices, vec![2]);
        assert!(view.check_against(&validators, 100));
    }

    /// Every effective balance reads back exactly, whether it fits a slot or not, through
    /// builds, re-reads that move it in and out of `odd`, and appends.
    #[test]
    fn effective_balances_read_back_exactly() {
        let settled = |eb: Gwei| Validator {
            effective_balance: eb,
            exit_epoch: FAR_FUTURE_EPOCH,
            withdrawable_epoch: FAR_FUTURE_EPOCH,
            ..withdrawn()
        };
        let ebs = [
            0,
            UNIT,
            32 * UNIT,
            2048 * UNIT,
            8191 * UNIT,
            8192 * UNIT,
            UNIT + 1,
            u64::MAX,
            17,
        ];
        let mut validators: Vec<Validator> = ebs.iter().map(|&eb| settled(eb)).collect();
        let view = RegistryView::build(&validators, &[], 100);
        for (i, &eb) in ebs.iter().enumerate() {
            assert_eq!(view.effective_balance(i), Some(eb), "index {i}");
            assert_eq!(view.kind(i), Some(kind::SETTLED), "index {i}");
        }
        assert_eq!(view.odd.len(), 4, "8192, UNIT + 1, u64::MAX, 17 do not fit");
        assert!(view.check_against(&validators, 100));

        // Re-read: an odd one becomes whole, a whole one odd, an odd one another odd value;
        // then two are appended, one of each.
        let mut view = view;
        validators[6].effective_balance = 31 * UNIT;
        validators[2].effective_balance = 5;
        validators[7].effective_balance = 3 * UNIT + 7;
        validators.push(settled(9 * UNIT));
        validators.push(settled(9 * UNIT + 9));
        view.refresh(&validators, &[], &[2, 6, 7], 100).unwrap();
        for (i, v) in validators.iter().enumerate() {
            assert_eq!(
                view.effective_balance(i),
                Some(v.effective_balance),
                "index {i}"
            );
        }
        let odd: Vec<u32> = view.odd.iter().map(|e| e.0).collect();
        assert_eq!(odd, vec![2, 5, 7, 8, 10]);
        assert!(view.check_against(&validators, 100));
        assert_eq!(view.effective_balance(validators.len()), None);
    }
}
