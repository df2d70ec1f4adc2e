//! electra § process_pending_deposits and electra § process_pending_consolidations on the
//! tracked state, with the persistent pubkey index instead of registry scans. Each records the
//! validators whose balance it changes (they join the live set and take their
//! effective-balance update after these steps).

use crate::epoch::process_pending_deposits::{
    get_validator_from_deposit, is_valid_deposit_signature,
};
use crate::error::{Error, Result};
use crate::fast::cache::deposits::DepositSignatures;
use crate::fast::cache::pubkeys::index_u32;
use crate::fast::cache::PubkeyIndex;
use crate::fast::tracked::TrackedState;
use crate::helpers::math::{add, sub};
use crate::helpers::misc::compute_start_slot_at_epoch;
use crate::preset::consts::{FAR_FUTURE_EPOCH, GENESIS_SLOT};
use crate::preset::Preset;
use crate::types::{BlsPubkey, Bytes32, Epoch, Gwei, PendingDeposit, ValidatorIndex};
use ssz_types::VariableList;

/// The existing validators the pending steps of this epoch may change, before they run: the
/// pubkeys of the first `MAX_PENDING_DEPOSITS_PER_EPOCH` deposits (no more are examined) and
/// both ends of every pending consolidation. Sorted, deduplicated.
pub fn pending_candidates<P: Preset>(
    state: &TrackedState<P>,
    pubkeys: &PubkeyIndex,
    deposits: bool,
    consolidations: bool,
) -> Result<Vec<u32>> {
    let s = state.state();
    let mut out = Vec::new();
    if deposits {
        for d in s
            .pending_deposits
            .iter()
            .take(P::MAX_PENDING_DEPOSITS_PER_EPOCH as usize)
        {
            if let Some(i) = pubkeys.get(&s.validators, &d.pubkey) {
                out.push(index_u32(i as usize)?);
            }
        }
    }
    if consolidations {
        let n = s.validators.len() as u64;
        for c in s.pending_consolidations.iter() {
            for i in [c.source_index, c.target_index] {
                // Out-of-range indices make the step fail later, as the spec's would.
                if i < n {
                    out.push(index_u32(i as usize)?);
                }
            }
        }
    }
    Ok(sorted_dedup_below(out, s.validators.len()))
}

/// `sorted_dedup` of indices all below `bound`: a least-significant-digit radix sort (11-bit
/// digits, only as many as `bound` needs) when they are many. mainnet-2026's 16k consolidation
/// ends, in queue order, took ~225 us to sort with `sort_unstable` (a bitmap over the
/// registry: ~200 us, most of it faulting in its fresh pages).
pub(crate) fn sorted_dedup_below(mut v: Vec<u32>, bound: usize) -> Vec<u32> {
    const BITS: u32 = 11;
    const DIGITS: usize = 1 << BITS;
    if v.len() < 4096 || v.iter().any(|&i| i as usize >= bound) {
        return crate::fast::cache::sorted_dedup(v);
    }
    let mut passes = 0u32;
    while passes < 3 && (bound.saturating_sub(1) >> passes.saturating_mul(BITS)) > 0 {
        passes = passes.saturating_add(1);
    }
    let mut buf = vec![0u32; v.len()];
    for pass in 0..passes {
        let shift = pass.saturating_mul(BITS);
        let digit = |x: u32| ((x >> shift) as usize) & (DIGITS - 1);
        let mut start = [0usize; DIGITS];
        for &x in &v {
            if let Some(c) = start.get_mut(digit(x)) {
                *c = c.saturating_add(1);
            }
        }
        let mut sum = 0usize;
        for c in start.iter_mut() {
            let n = *c;
            *c = sum;
            sum = sum.saturating_add(n);
        }
        for &x in &v {
            if let Some(c) = start.get_mut(digit(x)) {
                if let Some(slot) = buf.get_mut(*c) {
                    *slot = x;
                }
                *c = c.saturating_add(1);
            }
        }
        std::mem::swap(&mut v, &mut buf);
    }
    v.dedup();
    v
}

/// electra § add_validator_to_registry on the tracked state; indexes the new pubkey.
fn add_validator_to_registry<P: Preset>(
    state: &mut TrackedState<P>,
    pubkeys: &mut PubkeyIndex,
    pubkey: BlsPubkey,
    withdrawal_credentials: Bytes32,
    amount: Gwei,
) -> Result<()> {
    // > [Modified in Electra:EIP7251]
    let validator = get_validator_from_deposit::<P>(pubkey, withdrawal_credentials, amount)?;
    state.push_validator(validator)?;
    let f = state.fields_mut();
    f.balances
        .push(amount)
        .map_err(|_| Error::ListFull("balances"))?;
    f.previous_epoch_participation
        .push(0)
        .map_err(|_| Error::ListFull("previous_epoch_participation"))?;
    f.current_epoch_participation
        .push(0)
        .map_err(|_| Error::ListFull("current_epoch_participation"))?;
    f.inactivity_scores
        .push(0)
        .map_err(|_| Error::ListFull("inactivity_scores"))?;
    pubkeys.extend(&state.state().validators)
}

/// phase0 § increase_balance on the tracked state.
fn increase_balance<P: Preset>(
    state: &mut TrackedState<P>,
    index: ValidatorIndex,
    delta: Gwei,
) -> Result<()> {
    let f = state.fields_mut();
    let len = f.balances.len() as u64;
    let b = f
        .balances
        .get_mut(index as usize)
        .ok_or(Error::OutOfRange {
            what: "balances",
            index,
            len,
        })?;
    *b = add(*b, delta, "increase_balance")?;
    Ok(())
}

/// electra § apply_pending_deposit, the pubkey already looked up (`found`).
fn apply_pending_deposit<P: Preset>(
    state: &mut TrackedState<P>,
    pubkeys: &mut PubkeyIndex,
    deposit: &PendingDeposit,
    found: Option<ValidatorIndex>,
    prechecked: Option<bool>,
    touched: &mut Vec<u32>,
) -> Result<()> {
    match found {
        None => {
            // > Verify the deposit signature (proof of possession) which is not checked by the
            // > deposit contract
            let valid = prechecked.unwrap_or_else(|| {
                is_valid_deposit_signature::<P>(
                    &deposit.pubkey,
                    deposit.withdrawal_credentials,
                    deposit.amount,
                    &deposit.signature,
                )
            });
            if valid {
                let index = state.state().validators.len();
                add_validator_to_registry(
                    state,
                    pubkeys,
                    deposit.pubkey,
                    deposit.withdrawal_credentials,
                    deposit.amount,
                )?;
                touched.push(index_u32(index)?);
            }
        }
        Some(validator_index) => {
            increase_balance(state, validator_index, deposit.amount)?;
            touched.push(index_u32(validator_index as usize)?);
        }
    }
    Ok(())
}

/// electra § process_pending_deposits; `available_churn` is
/// `get_activation_exit_churn_limit(state)` (from the epoch's total active balance). Returns
/// the deposits examined (`EpochWork::pending_deposits`).
pub fn process_pending_deposits<P: Preset>(
    state: &mut TrackedState<P>,
    pubkeys: &mut PubkeyIndex,
    signatures: &mut DepositSignatures,
    current_epoch: Epoch,
    activation_exit_churn_limit: Gwei,
    touched: &mut Vec<u32>,
) -> Result<u64> {
    const WHAT: &str = "process_pending_deposits";
    let next_epoch = add(current_epoch, 1, WHAT)?;
    let s = state.state();
    let available_for_processing = add(
        s.deposit_balance_to_consume,
        activation_exit_churn_limit,
        WHAT,
    )?;
    let mut processed_amount: Gwei = 0;
    let mut next_deposit_index: usize = 0;
    let mut deposits_to_postpone = Vec::new();
    let mut is_churn_limit_reached = false;
    let finalized_slot = compute_start_slot_at_epoch::<P>(s.finalized_checkpoint.epoch)?;
    let bridge_pending = s.eth1_deposit_index < s.deposit_requests_start_index;
    let queue_len = s.pending_deposits.len();
    // The loop examines at most the first MAX_PENDING_DEPOSITS_PER_EPOCH deposits; those whose
    // pubkey is not in the registry now may need their signature checked: check them together
    // up front, from the verified-signature cache (a deposit the loop does not reach, or that
    // an earlier one turns into a top-up, just leaves its answer unused).
    let examined = P::MAX_PENDING_DEPOSITS_PER_EPOCH as usize;
    let unknown: Vec<(usize, &PendingDeposit)> = s
        .pending_deposits
        .iter()
        .take(examined)
        .enumerate()
        .filter(|(_, d)| pubkeys.get(&s.validators, &d.pubkey).is_none())
        .collect();
    let checked = signatures.check::<P>(&unknown.iter().map(|(_, d)| *d).collect::<Vec<_>>());
    let mut prechecked: Vec<Option<bool>> = vec![None; examined];
    for ((i, _), ok) in unknown.iter().zip(checked) {
        if let Some(slot) = prechecked.get_mut(*i) {
            *slot = Some(ok);
        }
    }
    let mut examined: u64 = 0;
    for i in 0..queue_len {
        let s = state.state();
        let Some(deposit) = s.pending_deposits.get(i).cloned() else {
            break;
        };
        examined = examined.saturating_add(1);
        // > Do not process deposit requests if Eth1 bridge deposits are not yet applied.
        if deposit.slot > GENESIS_SLOT && bridge_pending {
            break;
        }
        // > Check if deposit has been finalized, otherwise, stop processing.
        if deposit.slot > finalized_slot {
            break;
        }
        // > Check if number of processed deposits has not reached the limit, otherwise, stop
        // > processing.
        if next_deposit_index as u64 >= P::MAX_PENDING_DEPOSITS_PER_EPOCH {
            break;
        }
        // > Read validator state
        let found = pubkeys.get(&s.validators, &deposit.pubkey);
        let (mut is_validator_exited, mut is_validator_withdrawn) = (false, false);
        if let Some(index) = found {
            let v = s.validators.get(index as usize).ok_or(Error::OutOfRange {
                what: "validators",
                index,
                len: s.validators.len() as u64,
            })?;
            is_validator_exited = v.exit_epoch < FAR_FUTURE_EPOCH;
            is_validator_withdrawn = v.withdrawable_epoch < next_epoch;
        }
        if is_validator_withdrawn {
            // > Deposited balance will never become active. Increase balance but do not
            // > consume churn
            let pre = prechecked.get(i).copied().flatten();
            apply_pending_deposit(state, pubkeys, &deposit, found, pre, touched)?;
        } else if is_validator_exited {
            // > Validator is exiting, postpone the deposit until after withdrawable epoch
            deposits_to_postpone.push(deposit);
        } else {
            // > Check if deposit fits in the churn, otherwise, do no more deposit processing in
            // > this epoch.
            is_churn_limit_reached =
                add(processed_amount, deposit.amount, WHAT)? > available_for_processing;
            if is_churn_limit_reached {
                break;
            }
            // > Consume churn and apply deposit.
            processed_amount = add(processed_amount, deposit.amount, WHAT)?;
            let pre = prechecked.get(i).copied().flatten();
            apply_pending_deposit(state, pubkeys, &deposit, found, pre, touched)?;
        }
        // > Regardless of how the deposit was handled, we move on in the queue.
        next_deposit_index = next_deposit_index.saturating_add(1);
    }
    let f = state.fields_mut();
    // > state.pending_deposits = state.pending_deposits[next_deposit_index:] + deposits_to_postpone
    // The head moves past the processed deposits; the tail is not moved (`QueueList`).
    f.pending_deposits.drop_front(next_deposit_index);
    f.pending_deposits
        .extend(deposits_to_postpone)
        .map_err(|_| Error::ListFull("pending_deposits"))?;
    signatures.trim::<P>(f.pending_deposits);
    // > Accumulate churn only if the churn limit has been hit.
    *f.deposit_balance_to_consume = if is_churn_limit_reached {
        sub(available_for_processing, processed_amount, WHAT)?
    } else {
        0
    };
    Ok(examined)
}

/// electra § process_pending_consolidations on the tracked state. Returns the consolidations
/// examined (`EpochWork::pending_consolidations`).
pub fn process_pending_consolidations<P: Preset>(
    state: &mut TrackedState<P>,
    current_epoch: Epoch,
    touched: &mut Vec<u32>,
) -> Result<u64> {
    let next_epoch = add(current_epoch, 1, "process_pending_consolidations")?;
    let f = state.fields_mut();
    let n = f.validators.len() as u64;
    let bad = |what, index, len| Error::OutOfRange { what, index, len };
    let mut next_pending_consolidation: usize = 0;
    let mut examined: u64 = 0;
    for c in f.pending_consolidations.iter() {
        examined = examined.saturating_add(1);
        let source = f.validators.get(c.source_index as usize).ok_or(bad(
            "validators",
            c.source_index,
            n,
        ))?;
        if source.slashed {
            next_pending_consolidation = next_pending_consolidation.saturating_add(1);
            continue;
        }
        if source.withdrawable_epoch > next_epoch {
            break;
        }
        let len = f.balances.len() as u64;
        let source_balance = f.balances.get_mut(c.source_index as usize).ok_or(bad(
            "balances",
            c.source_index,
            len,
        ))?;
        // > Calculate the consolidated balance
        let source_effective_balance = (*source_balance).min(source.effective_balance);
        // > Move active balance to target. Excess balance is withdrawable.
        *source_balance = source_balance.saturating_sub(source_effective_balance);
        let target_balance = f.balances.get_mut(c.target_index as usize).ok_or(bad(
            "balances",
            c.target_index,
            len,
        ))?;
        *target_balance = add(
            *target_balance,
            source_effective_balance,
            "increase_balance",
        )?;
        touched.push(index_u32(c.source_index as usize)?);
        touched.push(index_u32(c.target_index as usize)?);
        next_pending_consolidation = next_pending_consolidation.saturating_add(1);
    }
    // > state.pending_consolidations = state.pending_consolidations[next_pending_consolidation:]
    if next_pending_consolidation > 0 {
        let remaining = f
            .pending_consolidations
            .get(next_pending_consolidation..)
            .unwrap_or_default()
            .to_vec();
        *f.pending_consolidations =
            VariableList::new(remaining).map_err(|_| Error::ListFull("pending_consolidations"))?;
    }
    Ok(examined)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    #[test]
    fn radix_dedup_is_sort_dedup() {
        let mut x = 12_345u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for (n, bound) in [
            (10usize, 100usize),
            (5000, 20_000),
            (16_000, 2_000_000),
            (9000, 64),
        ] {
            let v: Vec<u32> = (0..n).map(|_| (next() % bound as u64) as u32).collect();
            let want = crate::fast::cache::sorted_dedup(v.clone());
            assert_eq!(super::sorted_dedup_below(v.clone(), bound), want);
            // A bound too small still gives the exact answer.
            assert_eq!(super::sorted_dedup_below(v, bound / 2), want);
        }
    }
}
