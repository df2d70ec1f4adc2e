//! electra § process_withdrawal_request `[New in Electra:EIP7002:EIP7251]`
//!
//! An execution-layer request that fails a check is ignored (the spec returns), never invalid.

use crate::error::{Error, Result};
use crate::helpers::accessors::{
    balance, get_current_epoch, get_pending_balance_to_withdraw, validator,
};
use crate::helpers::math::{add, sub};
use crate::helpers::mutators::{compute_exit_epoch_and_update_churn, initiate_validator_exit};
use crate::helpers::predicates::{
    has_compounding_withdrawal_credential, has_execution_withdrawal_credential, is_active_validator,
};
use crate::operations::{index_of_pubkey, withdrawal_address};
use crate::preset::consts::{FAR_FUTURE_EPOCH, FULL_EXIT_REQUEST_AMOUNT};
use crate::preset::Preset;
use crate::types::{BeaconState, PendingPartialWithdrawal, WithdrawalRequest};

/// electra § process_withdrawal_request
pub fn process_withdrawal_request<P: Preset>(
    state: &mut BeaconState<P>,
    withdrawal_request: &WithdrawalRequest,
) -> Result<()> {
    let amount = withdrawal_request.amount;
    let is_full_exit_request = amount == FULL_EXIT_REQUEST_AMOUNT;

    // > If partial withdrawal queue is full, only full exits are processed
    if state.pending_partial_withdrawals.len() as u64 == P::PENDING_PARTIAL_WITHDRAWALS_LIMIT
        && !is_full_exit_request
    {
        return Ok(());
    }

    // > Verify pubkey exists
    let Some(index) = index_of_pubkey(state, &withdrawal_request.validator_pubkey) else {
        return Ok(());
    };
    let v = validator(state, index)?;

    // > Verify withdrawal credentials
    let has_correct_credential = has_execution_withdrawal_credential(v);
    let is_correct_source_address =
        withdrawal_address(&v.withdrawal_credentials) == withdrawal_request.source_address;
    if !(has_correct_credential && is_correct_source_address) {
        return Ok(());
    }
    let current_epoch = get_current_epoch(state);
    // > Verify the validator is active
    if !is_active_validator(v, current_epoch) {
        return Ok(());
    }
    // > Verify exit has not been initiated
    if v.exit_epoch != FAR_FUTURE_EPOCH {
        return Ok(());
    }
    // > Verify the validator has been active long enough
    if current_epoch
        < add(
            v.activation_epoch,
            P::SHARD_COMMITTEE_PERIOD,
            "process_withdrawal_request",
        )?
    {
        return Ok(());
    }

    let pending_balance_to_withdraw = get_pending_balance_to_withdraw(state, index)?;

    if is_full_exit_request {
        // > Only exit validator if it has no pending withdrawals in the queue
        if pending_balance_to_withdraw == 0 {
            initiate_validator_exit(state, index)?;
        }
        return Ok(());
    }

    let bal = balance(state, index)?;
    let has_sufficient_effective_balance = v.effective_balance >= P::MIN_ACTIVATION_BALANCE;
    // > has_excess_balance = state.balances[index] > MIN_ACTIVATION_BALANCE + pending_balance_to_withdraw
    let has_excess_balance = bal
        > add(
            P::MIN_ACTIVATION_BALANCE,
            pending_balance_to_withdraw,
            "process_withdrawal_request",
        )?;

    // > Only allow partial withdrawals with compounding withdrawal credentials
    if has_compounding_withdrawal_credential(v)
        && has_sufficient_effective_balance
        && has_excess_balance
    {
        // > to_withdraw = min(state.balances[index] - MIN_ACTIVATION_BALANCE - pending_balance_to_withdraw, amount)
        let to_withdraw = sub(
            sub(bal, P::MIN_ACTIVATION_BALANCE, "process_withdrawal_request")?,
            pending_balance_to_withdraw,
            "process_withdrawal_request",
        )?
        .min(amount);
        let exit_queue_epoch = compute_exit_epoch_and_update_churn(state, to_withdraw)?;
        let withdrawable_epoch = add(
            exit_queue_epoch,
            P::MIN_VALIDATOR_WITHDRAWABILITY_DELAY,
            "process_withdrawal_request",
        )?;
        state
            .pending_partial_withdrawals
            .push(PendingPartialWithdrawal {
                validator_index: index,
                amount: to_withdraw,
                withdrawable_epoch,
            })
            .map_err(|_| Error::ListFull("pending_partial_withdrawals"))?;
    }
    Ok(())
}
