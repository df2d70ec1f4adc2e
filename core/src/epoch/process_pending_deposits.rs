//! electra § process_pending_deposits, with apply_pending_deposit, is_valid_deposit_signature,
//! add_validator_to_registry and get_validator_from_deposit.

use crate::crypto::bls;
use crate::error::{Error, Result};
use crate::helpers::accessors::{get_activation_exit_churn_limit, get_current_epoch};
use crate::helpers::math::{add, rem, sub};
use crate::helpers::misc::{compute_domain, compute_signing_root, compute_start_slot_at_epoch};
use crate::helpers::mutators::increase_balance;
use crate::helpers::predicates::get_max_effective_balance;
use crate::preset::consts::{DOMAIN_DEPOSIT, FAR_FUTURE_EPOCH, GENESIS_SLOT};
use crate::preset::Preset;
use crate::types::{
    BeaconState, BlsPubkey, BlsSignature, Bytes32, DepositMessage, Gwei, PendingDeposit, QueueList,
    Root, Validator, ValidatorIndex,
};
use std::collections::HashMap;

/// `validator_pubkeys.index(pubkey)` if `pubkey in validator_pubkeys`: a linear scan, as the
/// spec's list; at most `MAX_PENDING_DEPOSITS_PER_EPOCH` (16) deposits are looked at per epoch.
fn find_validator_index<P: Preset>(
    state: &BeaconState<P>,
    pubkey: &BlsPubkey,
) -> Option<ValidatorIndex> {
    state
        .validators
        .iter()
        .position(|v| v.pubkey == *pubkey)
        .map(|i| i as u64)
}

/// `pubkey in validator_pubkeys` for the few pubkeys one `process_pending_deposits` call can look
/// at, found in one pass over the registry.
///
/// Departure from the spec's form, same results: the spec scans `state.validators` once or twice
/// per deposit; at most `MAX_PENDING_DEPOSITS_PER_EPOCH` (16) deposits are examined, so that is up
/// to 32 passes over the registry, 712 ms of a 2.2 s `process_epoch` on mainnet-2026 (2M indices,
/// `maxeb fixture --load ... --epoch`). Validators are only appended during the step, so noting
/// each append keeps every answer equal to the spec's scan (first occurrence wins).
struct PubkeyLookup(HashMap<BlsPubkey, Option<ValidatorIndex>>);

impl PubkeyLookup {
    fn build<P: Preset>(
        state: &BeaconState<P>,
        pubkeys: impl IntoIterator<Item = BlsPubkey>,
    ) -> Self {
        let mut map: HashMap<BlsPubkey, Option<ValidatorIndex>> =
            pubkeys.into_iter().map(|p| (p, None)).collect();
        let mut missing = map.len();
        for (index, v) in (0u64..).zip(state.validators.iter()) {
            if missing == 0 {
                break;
            }
            if let Some(slot @ None) = map.get_mut(&v.pubkey) {
                *slot = Some(index);
                missing = missing.saturating_sub(1);
            }
        }
        PubkeyLookup(map)
    }

    /// The index of `pubkey` in the registry (a plain scan for a pubkey not prepared).
    fn get<P: Preset>(&self, state: &BeaconState<P>, pubkey: &BlsPubkey) -> Option<ValidatorIndex> {
        match self.0.get(pubkey) {
            Some(found) => *found,
            None => find_validator_index(state, pubkey),
        }
    }

    /// A validator with `pubkey` was appended at `index`.
    fn appended(&mut self, pubkey: &BlsPubkey, index: ValidatorIndex) {
        if let Some(slot @ None) = self.0.get_mut(pubkey) {
            *slot = Some(index);
        }
    }
}

/// electra § is_valid_deposit_signature
pub fn is_valid_deposit_signature<P: Preset>(
    pubkey: &BlsPubkey,
    withdrawal_credentials: Bytes32,
    amount: Gwei,
    signature: &BlsSignature,
) -> bool {
    let deposit_message = DepositMessage {
        pubkey: *pubkey,
        withdrawal_credentials,
        amount,
    };
    // > Fork-agnostic domain since deposits are valid across forks
    // > domain = compute_domain(DOMAIN_DEPOSIT)  (defaults: GENESIS_FORK_VERSION, zero root)
    let domain = compute_domain(DOMAIN_DEPOSIT, P::GENESIS_FORK_VERSION, Root::ZERO);
    let signing_root = compute_signing_root(&deposit_message, domain);
    bls::verify(pubkey, signing_root.as_slice(), signature)
}

/// electra § get_validator_from_deposit `[Modified in Electra:EIP7251]`
pub fn get_validator_from_deposit<P: Preset>(
    pubkey: BlsPubkey,
    withdrawal_credentials: Bytes32,
    amount: Gwei,
) -> Result<Validator> {
    let mut validator = Validator {
        pubkey,
        withdrawal_credentials,
        effective_balance: 0,
        slashed: false,
        activation_eligibility_epoch: FAR_FUTURE_EPOCH,
        activation_epoch: FAR_FUTURE_EPOCH,
        exit_epoch: FAR_FUTURE_EPOCH,
        withdrawable_epoch: FAR_FUTURE_EPOCH,
    };
    // > [Modified in Electra:EIP7251]
    let max_effective_balance = get_max_effective_balance::<P>(&validator);
    validator.effective_balance = sub(
        amount,
        rem(
            amount,
            P::EFFECTIVE_BALANCE_INCREMENT,
            "get_validator_from_deposit",
        )?,
        "get_validator_from_deposit",
    )?
    .min(max_effective_balance);
    Ok(validator)
}

/// electra § add_validator_to_registry `[Modified in Electra:EIP7251]`
///
/// `get_index_for_new_validator` is `len(state.validators)` in Electra, so `set_or_append_list`
/// always appends.
pub fn add_validator_to_registry<P: Preset>(
    state: &mut BeaconState<P>,
    pubkey: BlsPubkey,
    withdrawal_credentials: Bytes32,
    amount: Gwei,
) -> Result<()> {
    // > [Modified in Electra:EIP7251]
    let validator = get_validator_from_deposit::<P>(pubkey, withdrawal_credentials, amount)?;
    state
        .validators
        .push(validator)
        .map_err(|_| Error::ListFull("validators"))?;
    state
        .balances
        .push(amount)
        .map_err(|_| Error::ListFull("balances"))?;
    state
        .previous_epoch_participation
        .push(0)
        .map_err(|_| Error::ListFull("previous_epoch_participation"))?;
    state
        .current_epoch_participation
        .push(0)
        .map_err(|_| Error::ListFull("current_epoch_participation"))?;
    state
        .inactivity_scores
        .push(0)
        .map_err(|_| Error::ListFull("inactivity_scores"))?;
    Ok(())
}

/// electra § apply_pending_deposit
pub fn apply_pending_deposit<P: Preset>(
    state: &mut BeaconState<P>,
    deposit: &PendingDeposit,
) -> Result<()> {
    let found = find_validator_index(state, &deposit.pubkey);
    apply_pending_deposit_at(state, deposit, found).map(|_| ())
}

/// `apply_pending_deposit` with `validator_pubkeys.index(deposit.pubkey)` already looked up;
/// returns the index of the validator it added, if it added one.
fn apply_pending_deposit_at<P: Preset>(
    state: &mut BeaconState<P>,
    deposit: &PendingDeposit,
    found: Option<ValidatorIndex>,
) -> Result<Option<ValidatorIndex>> {
    match found {
        None => {
            // > Verify the deposit signature (proof of possession) which is not checked by the
            // > deposit contract
            if is_valid_deposit_signature::<P>(
                &deposit.pubkey,
                deposit.withdrawal_credentials,
                deposit.amount,
                &deposit.signature,
            ) {
                let index = state.validators.len() as u64;
                add_validator_to_registry(
                    state,
                    deposit.pubkey,
                    deposit.withdrawal_credentials,
                    deposit.amount,
                )?;
                return Ok(Some(index));
            }
            Ok(None)
        }
        Some(validator_index) => {
            increase_balance(state, validator_index, deposit.amount)?;
            Ok(None)
        }
    }
}

/// electra § process_pending_deposits
pub fn process_pending_deposits<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    const WHAT: &str = "process_pending_deposits";
    let next_epoch = add(get_current_epoch(state), 1, WHAT)?;
    let available_for_processing = add(
        state.deposit_balance_to_consume,
        get_activation_exit_churn_limit(state)?,
        WHAT,
    )?;
    let mut processed_amount: Gwei = 0;
    let mut next_deposit_index: usize = 0;
    let mut deposits_to_postpone = Vec::new();
    let mut is_churn_limit_reached = false;
    let finalized_slot = compute_start_slot_at_epoch::<P>(state.finalized_checkpoint.epoch)?;

    let mut lookup = PubkeyLookup::build(
        state,
        state
            .pending_deposits
            .iter()
            .take(P::MAX_PENDING_DEPOSITS_PER_EPOCH as usize)
            .map(|d| d.pubkey),
    );
    // Deposits are applied while iterating: walk by index over the (unchanged) queue.
    let queue_len = state.pending_deposits.len();
    for i in 0..queue_len {
        let Some(deposit) = state.pending_deposits.get(i).cloned() else {
            break;
        };
        // > Do not process deposit requests if Eth1 bridge deposits are not yet applied.
        if deposit.slot > GENESIS_SLOT
            && state.eth1_deposit_index < state.deposit_requests_start_index
        {
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
        let mut is_validator_exited = false;
        let mut is_validator_withdrawn = false;
        let found = lookup.get(state, &deposit.pubkey);
        if let Some(index) = found {
            let validator = crate::helpers::accessors::validator(state, index)?;
            is_validator_exited = validator.exit_epoch < FAR_FUTURE_EPOCH;
            is_validator_withdrawn = validator.withdrawable_epoch < next_epoch;
        }

        if is_validator_withdrawn {
            // > Deposited balance will never become active. Increase balance but do not
            // > consume churn
            if let Some(new) = apply_pending_deposit_at(state, &deposit, found)? {
                lookup.appended(&deposit.pubkey, new);
            }
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
            if let Some(new) = apply_pending_deposit_at(state, &deposit, found)? {
                lookup.appended(&deposit.pubkey, new);
            }
        }
        // > Regardless of how the deposit was handled, we move on in the queue.
        next_deposit_index = next_deposit_index.saturating_add(1);
    }

    // > state.pending_deposits = state.pending_deposits[next_deposit_index:] + deposits_to_postpone
    let mut remaining: Vec<PendingDeposit> = state
        .pending_deposits
        .get(next_deposit_index..)
        .unwrap_or_default()
        .to_vec();
    remaining.extend(deposits_to_postpone);
    state.pending_deposits =
        QueueList::new(remaining).map_err(|_| Error::ListFull("pending_deposits"))?;

    // > Accumulate churn only if the churn limit has been hit.
    state.deposit_balance_to_consume = if is_churn_limit_reached {
        sub(available_for_processing, processed_amount, WHAT)?
    } else {
        0
    };
    Ok(())
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;
    use crate::epoch::tests::test_state;
    use crate::Minimal;

    /// `PubkeyLookup` answers as the spec's linear scan does: first occurrence among duplicate
    /// registry keys, absent keys, repeated wanted keys, and keys appended after the build.
    #[test]
    fn pubkey_lookup_matches_the_linear_scan() {
        let mut state = test_state::<Minimal>(64, 10);
        // Duplicate pubkeys in the registry: 5 == 40 == 63.
        let dup = state.validators[5].pubkey;
        state.validators[40].pubkey = dup;
        state.validators[63].pubkey = dup;
        let absent = BlsPubkey::from([0xab; 48]);
        let wanted = [
            dup,
            state.validators[7].pubkey,
            absent,
            dup,
            state.validators[63].pubkey,
        ];
        let mut lookup = PubkeyLookup::build(&state, wanted);
        for k in wanted.iter().chain([&state.validators[20].pubkey]) {
            assert_eq!(lookup.get(&state, k), find_validator_index(&state, k));
        }
        assert_eq!(lookup.get(&state, &dup), Some(5));
        // Appending the absent key makes it found, at its new index, as a rescan would.
        let index = state.validators.len() as u64;
        add_validator_to_registry(&mut state, absent, Root::ZERO, 32_000_000_000).unwrap();
        lookup.appended(&absent, index);
        assert_eq!(
            lookup.get(&state, &absent),
            find_validator_index(&state, &absent)
        );
        assert_eq!(lookup.get(&state, &absent), Some(64));
    }
}
