//! `RegistryView`: a compact, persistent, structure-of-arrays mirror of what the scan reads per
//! validator, so the epoch streams 9 bytes per live validator instead of its 121-byte record.
//!
//! Per registry index: the effective balance and a kind byte. A validator is *settled* at
//! epoch `E` when it is not slashed, not exiting (`exit_epoch == FAR_FUTURE_EPOCH`), already
//! eligible (`activation_eligibility_epoch != FAR_FUTURE_EPOCH`) and active since at least the
//! previous epoch (`activation_epoch <= get_previous_epoch(E)`). Each condition holds at every
//! later epoch until the record changes, so for a settled validator every decision of the scan
//! follows from its effective balance and credentials alone: it is active in the previous,
//! current and next epochs, eligible, not in either registry queue, not slashed, not inert. The
//! scan reads the record only of validators that are not settled (exiting, pending, slashed).
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

/// The mirror (module doc).
#[derive(Debug, Clone, Default)]
pub struct RegistryView {
    /// `validators[i].effective_balance`.
    pub(crate) effective_balances: Vec<Gwei>,
    /// `kind` bits of validator `i`.
    pub(crate) kinds: Vec<u8>,
    /// The `TrackedState` change-record token last applied; `None`: not synced to any.
    pub(crate) token: Option<u64>,
    /// Validators that are settled but for an activation epoch still ahead: re-read each
    /// refresh until settled (else a new validator would stay unsettled until its record next
    /// changed).
    pub(crate) maturing: Vec<u32>,
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

impl RegistryView {
    /// The view of `validators` at an epoch whose previous epoch is `previous_epoch`.
    pub fn build(validators: &[Validator], previous_epoch: Epoch) -> Self {
        RegistryView {
            effective_balances: validators.iter().map(|v| v.effective_balance).collect(),
            kinds: validators
                .iter()
                .map(|v| kind_of(v, previous_epoch))
                .collect(),
            token: None,
            maturing: validators
                .iter()
                .enumerate()
                .filter(|(_, v)| maturing(v, previous_epoch))
                .filter_map(|(i, _)| u32::try_from(i).ok())
                .collect(),
        }
    }

    /// Bytes held.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(self.effective_balances.as_slice())
            .saturating_add(std::mem::size_of_val(self.kinds.as_slice()))
    }

    /// Validators covered.
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Re-read the records of `changed` and of every validator appended since (`validators` is
    /// the whole registry, which never shrinks under spec processing).
    pub fn refresh(
        &mut self,
        validators: &[Validator],
        changed: &[usize],
        previous_epoch: Epoch,
    ) -> Result<()> {
        if validators.len() < self.kinds.len() {
            return Err(Error::Assert("fast registry view: the registry shrank"));
        }
        let first_new = self.kinds.len();
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
            if let (Some(eb), Some(k)) = (self.effective_balances.get_mut(i), self.kinds.get_mut(i))
            {
                *eb = v.effective_balance;
                *k = kind_of(v, previous_epoch);
            }
            if maturing(v, previous_epoch) {
                self.maturing
                    .push(crate::fast::cache::pubkeys::index_u32(i)?);
            }
        }
        for (i, v) in validators.iter().enumerate().skip(first_new) {
            self.effective_balances.push(v.effective_balance);
            self.kinds.push(kind_of(v, previous_epoch));
            if maturing(v, previous_epoch) {
                self.maturing
                    .push(crate::fast::cache::pubkeys::index_u32(i)?);
            }
        }
        self.maturing.sort_unstable();
        self.maturing.dedup();
        Ok(())
    }

    /// Whether the view equals a fresh one of `validators` for every validator settled in the
    /// fresh one and in effective balance and credentials everywhere (a validator the view
    /// calls unsettled is merely read from its record).
    pub fn check_against(&self, validators: &[Validator], previous_epoch: Epoch) -> bool {
        let fresh = RegistryView::build(validators, previous_epoch);
        self.effective_balances == fresh.effective_balances
            && self.kinds.iter().zip(&fresh.kinds).all(|(&mine, &f)| {
                mine & !kind::SETTLED == f & !kind::SETTLED
                    && (mine & kind::SETTLED == 0 || f & kind::SETTLED != 0)
            })
            && self.kinds.len() == fresh.kinds.len()
    }
}
