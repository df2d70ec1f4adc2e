//! electra § Withdrawals: process_withdrawals and the helpers it is built from (capella's
//! get_balance_after_withdrawals / apply_withdrawals / update_next_withdrawal_index /
//! update_next_withdrawal_validator_index, electra's get_pending_partial_withdrawals,
//! get_validators_sweep_withdrawals, get_expected_withdrawals, update_pending_partial_withdrawals).

use crate::error::{ensure, Error, Result};
use crate::helpers::accessors::{balance, get_current_epoch, validator};
use crate::helpers::math::{add, rem, sub};
use crate::helpers::mutators::decrease_balance;
use crate::helpers::predicates::{
    get_max_effective_balance, is_fully_withdrawable_validator, is_partially_withdrawable_validator,
};
use crate::operations::withdrawal_address;
use crate::preset::consts::FAR_FUTURE_EPOCH;
use crate::preset::Preset;
use crate::types::{
    BeaconState, ExecutionPayload, Gwei, Validator, ValidatorIndex, Withdrawal, WithdrawalIndex,
};

/// electra § ExpectedWithdrawals `[Modified in Electra:EIP7251]`
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ExpectedWithdrawals {
    pub withdrawals: Vec<Withdrawal>,
    pub processed_partial_withdrawals_count: u64,
    pub processed_sweep_withdrawals_count: u64,
}

/// electra § is_eligible_for_partial_withdrawals
pub fn is_eligible_for_partial_withdrawals<P: Preset>(
    validator: &Validator,
    balance: Gwei,
) -> bool {
    let has_sufficient_effective_balance = validator.effective_balance >= P::MIN_ACTIVATION_BALANCE;
    let has_excess_balance = balance > P::MIN_ACTIVATION_BALANCE;
    validator.exit_epoch == FAR_FUTURE_EPOCH
        && has_sufficient_effective_balance
        && has_excess_balance
}

/// capella § get_balance_after_withdrawals
pub fn get_balance_after_withdrawals<P: Preset>(
    state: &BeaconState<P>,
    validator_index: ValidatorIndex,
    withdrawals: &[Withdrawal],
) -> Result<Gwei> {
    let mut withdrawn: Gwei = 0;
    for w in withdrawals
        .iter()
        .filter(|w| w.validator_index == validator_index)
    {
        withdrawn = add(withdrawn, w.amount, "get_balance_after_withdrawals")?;
    }
    sub(
        balance(state, validator_index)?,
        withdrawn,
        "get_balance_after_withdrawals",
    )
}

/// electra § get_pending_partial_withdrawals
///
/// Returns the new withdrawals, the next withdrawal index and how many queue entries were
/// processed. `prior_withdrawals` are the ones already chosen for this payload.
pub fn get_pending_partial_withdrawals<P: Preset>(
    state: &BeaconState<P>,
    mut withdrawal_index: WithdrawalIndex,
    prior_withdrawals: &[Withdrawal],
) -> Result<(Vec<Withdrawal>, WithdrawalIndex, u64)> {
    let epoch = get_current_epoch(state);
    // > withdrawals_limit = min(len(prior_withdrawals) + MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP,
    // >                         MAX_WITHDRAWALS_PER_PAYLOAD - 1)
    let withdrawals_limit = add(
        prior_withdrawals.len() as u64,
        P::MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP,
        "get_pending_partial_withdrawals",
    )?
    .min(sub(
        P::MAX_WITHDRAWALS_PER_PAYLOAD,
        1,
        "get_pending_partial_withdrawals",
    )?);
    ensure(
        prior_withdrawals.len() as u64 <= withdrawals_limit,
        "get_pending_partial_withdrawals: too many prior withdrawals",
    )?;

    let mut processed_count: u64 = 0;
    // `all_withdrawals = prior_withdrawals + withdrawals`, kept as one growing list.
    let mut all_withdrawals: Vec<Withdrawal> = prior_withdrawals.to_vec();
    for withdrawal in state.pending_partial_withdrawals.iter() {
        let is_withdrawable = withdrawal.withdrawable_epoch <= epoch;
        let has_reached_limit = all_withdrawals.len() as u64 >= withdrawals_limit;
        if !is_withdrawable || has_reached_limit {
            break;
        }

        let validator_index = withdrawal.validator_index;
        let v = validator(state, validator_index)?;
        let bal = get_balance_after_withdrawals(state, validator_index, &all_withdrawals)?;
        if is_eligible_for_partial_withdrawals::<P>(v, bal) {
            // > withdrawal_amount = min(balance - MIN_ACTIVATION_BALANCE, withdrawal.amount)
            let withdrawal_amount = sub(
                bal,
                P::MIN_ACTIVATION_BALANCE,
                "get_pending_partial_withdrawals",
            )?
            .min(withdrawal.amount);
            all_withdrawals.push(Withdrawal {
                index: withdrawal_index,
                validator_index,
                address: withdrawal_address(&v.withdrawal_credentials),
                amount: withdrawal_amount,
            });
            withdrawal_index = add(withdrawal_index, 1, "get_pending_partial_withdrawals")?;
        }
        processed_count = add(processed_count, 1, "get_pending_partial_withdrawals")?;
    }
    let withdrawals = all_withdrawals.split_off(prior_withdrawals.len());
    Ok((withdrawals, withdrawal_index, processed_count))
}

/// electra § get_validators_sweep_withdrawals `[Modified in Electra:EIP7251]`
pub fn get_validators_sweep_withdrawals<P: Preset>(
    state: &BeaconState<P>,
    mut withdrawal_index: WithdrawalIndex,
    prior_withdrawals: &[Withdrawal],
) -> Result<(Vec<Withdrawal>, WithdrawalIndex, u64)> {
    let epoch = get_current_epoch(state);
    let validators_len = state.validators.len() as u64;
    let validators_limit = validators_len.min(P::MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP);
    let withdrawals_limit = P::MAX_WITHDRAWALS_PER_PAYLOAD;
    // > There must be at least one space reserved for validator sweep withdrawals
    ensure(
        (prior_withdrawals.len() as u64) < withdrawals_limit,
        "get_validators_sweep_withdrawals: no space for sweep withdrawals",
    )?;

    let mut processed_count: u64 = 0;
    let mut all_withdrawals: Vec<Withdrawal> = prior_withdrawals.to_vec();
    let mut validator_index = state.next_withdrawal_validator_index;
    for _ in 0..validators_limit {
        let has_reached_limit = all_withdrawals.len() as u64 >= withdrawals_limit;
        if has_reached_limit {
            break;
        }

        let v = validator(state, validator_index)?;
        let bal = get_balance_after_withdrawals(state, validator_index, &all_withdrawals)?;
        if is_fully_withdrawable_validator(v, bal, epoch) {
            all_withdrawals.push(Withdrawal {
                index: withdrawal_index,
                validator_index,
                address: withdrawal_address(&v.withdrawal_credentials),
                amount: bal,
            });
            withdrawal_index = add(withdrawal_index, 1, "get_validators_sweep_withdrawals")?;
        } else if is_partially_withdrawable_validator::<P>(v, bal) {
            all_withdrawals.push(Withdrawal {
                index: withdrawal_index,
                validator_index,
                address: withdrawal_address(&v.withdrawal_credentials),
                // > amount=balance - get_max_effective_balance(validator)  # [Modified in Electra:EIP7251]
                amount: sub(
                    bal,
                    get_max_effective_balance::<P>(v),
                    "get_validators_sweep_withdrawals",
                )?,
            });
            withdrawal_index = add(withdrawal_index, 1, "get_validators_sweep_withdrawals")?;
        }

        validator_index = rem(
            add(validator_index, 1, "get_validators_sweep_withdrawals")?,
            validators_len,
            "get_validators_sweep_withdrawals",
        )?;
        processed_count = add(processed_count, 1, "get_validators_sweep_withdrawals")?;
    }
    let withdrawals = all_withdrawals.split_off(prior_withdrawals.len());
    Ok((withdrawals, withdrawal_index, processed_count))
}

/// electra § get_expected_withdrawals `[Modified in Electra:EIP7251]`
pub fn get_expected_withdrawals<P: Preset>(state: &BeaconState<P>) -> Result<ExpectedWithdrawals> {
    let withdrawal_index = state.next_withdrawal_index;
    let mut withdrawals: Vec<Withdrawal> = Vec::new();

    // > [New in Electra:EIP7251]
    // > Get partial withdrawals
    let (partial_withdrawals, withdrawal_index, processed_partial_withdrawals_count) =
        get_pending_partial_withdrawals(state, withdrawal_index, &withdrawals)?;
    withdrawals.extend(partial_withdrawals);

    // > Get validators sweep withdrawals
    let (validators_sweep_withdrawals, _withdrawal_index, processed_sweep_withdrawals_count) =
        get_validators_sweep_withdrawals(state, withdrawal_index, &withdrawals)?;
    withdrawals.extend(validators_sweep_withdrawals);

    Ok(ExpectedWithdrawals {
        withdrawals,
        processed_partial_withdrawals_count,
        processed_sweep_withdrawals_count,
    })
}

/// capella § apply_withdrawals
pub fn apply_withdrawals<P: Preset>(
    state: &mut BeaconState<P>,
    withdrawals: &[Withdrawal],
) -> Result<()> {
    for withdrawal in withdrawals {
        decrease_balance(state, withdrawal.validator_index, withdrawal.amount)?;
    }
    Ok(())
}

/// capella § update_next_withdrawal_index
pub fn update_next_withdrawal_index<P: Preset>(
    state: &mut BeaconState<P>,
    withdrawals: &[Withdrawal],
) -> Result<()> {
    // > Update the next withdrawal index if this block contained withdrawals
    if let Some(latest_withdrawal) = withdrawals.last() {
        state.next_withdrawal_index =
            add(latest_withdrawal.index, 1, "update_next_withdrawal_index")?;
    }
    Ok(())
}

/// electra § update_pending_partial_withdrawals `[New in Electra:EIP7251]`
pub fn update_pending_partial_withdrawals<P: Preset>(
    state: &mut BeaconState<P>,
    processed_partial_withdrawals_count: u64,
) -> Result<()> {
    // > state.pending_partial_withdrawals = state.pending_partial_withdrawals[processed_partial_withdrawals_count:]
    let rest: Vec<_> = state
        .pending_partial_withdrawals
        .iter()
        .skip(usize::try_from(processed_partial_withdrawals_count).unwrap_or(usize::MAX))
        .cloned()
        .collect();
    state.pending_partial_withdrawals = ssz_types::VariableList::new(rest)
        .map_err(|_| Error::ListFull("pending_partial_withdrawals"))?;
    Ok(())
}

/// capella § update_next_withdrawal_validator_index
pub fn update_next_withdrawal_validator_index<P: Preset>(
    state: &mut BeaconState<P>,
    withdrawals: &[Withdrawal],
) -> Result<()> {
    let validators_len = state.validators.len() as u64;
    // > Update the next validator index to start the next withdrawal sweep
    let next_validator_index = match withdrawals.last() {
        // > Next sweep starts after the latest withdrawal's validator index
        Some(last) if withdrawals.len() as u64 == P::MAX_WITHDRAWALS_PER_PAYLOAD => rem(
            add(
                last.validator_index,
                1,
                "update_next_withdrawal_validator_index",
            )?,
            validators_len,
            "update_next_withdrawal_validator_index",
        )?,
        // > Advance sweep by the max length of the sweep if there was not a full set of withdrawals
        _ => rem(
            add(
                state.next_withdrawal_validator_index,
                P::MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP,
                "update_next_withdrawal_validator_index",
            )?,
            validators_len,
            "update_next_withdrawal_validator_index",
        )?,
    };
    state.next_withdrawal_validator_index = next_validator_index;
    Ok(())
}

/// electra § process_withdrawals `[Modified in Electra:EIP7251]`
pub fn process_withdrawals<P: Preset>(
    state: &mut BeaconState<P>,
    payload: &ExecutionPayload<P>,
) -> Result<()> {
    // > Get expected withdrawals
    let expected = get_expected_withdrawals(state)?;
    ensure(
        payload.withdrawals[..] == expected.withdrawals[..],
        "process_withdrawals: payload withdrawals differ from expected",
    )?;

    // > Apply expected withdrawals
    apply_withdrawals(state, &expected.withdrawals)?;

    // > Update withdrawals fields in the state
    update_next_withdrawal_index(state, &expected.withdrawals)?;
    // > [New in Electra:EIP7251]
    update_pending_partial_withdrawals(state, expected.processed_partial_withdrawals_count)?;
    update_next_withdrawal_validator_index(state, &expected.withdrawals)
}
