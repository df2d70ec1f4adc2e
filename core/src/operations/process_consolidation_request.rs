//! electra § process_consolidation_request and is_valid_switch_to_compounding_request
//! `[New in Electra:EIP7251]`
//!
//! An execution-layer request that fails a check is ignored (the spec returns), never invalid.

use crate::error::{Error, Result};
use crate::helpers::accessors::{
    get_consolidation_churn_limit, get_current_epoch, get_pending_balance_to_withdraw, validator,
    validator_mut,
};
use crate::helpers::math::add;
use crate::helpers::mutators::{
    compute_consolidation_epoch_and_update_churn, switch_to_compounding_validator,
};
use crate::helpers::predicates::{
    has_compounding_withdrawal_credential, has_eth1_withdrawal_credential,
    has_execution_withdrawal_credential, is_active_validator,
};
use crate::operations::{index_of_pubkey, withdrawal_address};
use crate::preset::consts::FAR_FUTURE_EPOCH;
use crate::preset::Preset;
use crate::types::{BeaconState, ConsolidationRequest, PendingConsolidation};

/// electra § is_valid_switch_to_compounding_request
pub fn is_valid_switch_to_compounding_request<P: Preset>(
    state: &BeaconState<P>,
    consolidation_request: &ConsolidationRequest,
) -> bool {
    // > Switch to compounding requires source and target be equal
    if consolidation_request.source_pubkey != consolidation_request.target_pubkey {
        return false;
    }
    // > Verify pubkey exists
    let Some(source_validator) = index_of_pubkey(state, &consolidation_request.source_pubkey)
        .and_then(|i| validator(state, i).ok())
    else {
        return false;
    };
    // > Verify request has been authorized
    if withdrawal_address(&source_validator.withdrawal_credentials)
        != consolidation_request.source_address
    {
        return false;
    }
    // > Verify source withdrawal credentials
    if !has_eth1_withdrawal_credential(source_validator) {
        return false;
    }
    // > Verify the source is active
    if !is_active_validator(source_validator, get_current_epoch(state)) {
        return false;
    }
    // > Verify exit for source has not been initiated
    source_validator.exit_epoch == FAR_FUTURE_EPOCH
}

/// electra § process_consolidation_request
pub fn process_consolidation_request<P: Preset>(
    state: &mut BeaconState<P>,
    consolidation_request: &ConsolidationRequest,
) -> Result<()> {
    if is_valid_switch_to_compounding_request(state, consolidation_request) {
        if let Some(source_index) = index_of_pubkey(state, &consolidation_request.source_pubkey) {
            switch_to_compounding_validator(state, source_index)?;
        }
        return Ok(());
    }

    // > Verify that source != target, so a consolidation cannot be used as an exit
    if consolidation_request.source_pubkey == consolidation_request.target_pubkey {
        return Ok(());
    }
    // > If the pending consolidations queue is full, consolidation requests are ignored
    if state.pending_consolidations.len() as u64 == P::PENDING_CONSOLIDATIONS_LIMIT {
        return Ok(());
    }
    // > If there is too little available consolidation churn limit, consolidation requests are ignored
    if get_consolidation_churn_limit(state)? <= P::MIN_ACTIVATION_BALANCE {
        return Ok(());
    }

    // > Verify pubkeys exists
    let Some(source_index) = index_of_pubkey(state, &consolidation_request.source_pubkey) else {
        return Ok(());
    };
    let Some(target_index) = index_of_pubkey(state, &consolidation_request.target_pubkey) else {
        return Ok(());
    };
    let source_validator = validator(state, source_index)?;
    let target_validator = validator(state, target_index)?;

    // > Verify source withdrawal credentials
    let has_correct_credential = has_execution_withdrawal_credential(source_validator);
    let is_correct_source_address = withdrawal_address(&source_validator.withdrawal_credentials)
        == consolidation_request.source_address;
    if !(has_correct_credential && is_correct_source_address) {
        return Ok(());
    }
    // > Verify that target has compounding withdrawal credentials
    if !has_compounding_withdrawal_credential(target_validator) {
        return Ok(());
    }
    // > Verify the source and the target are active
    let current_epoch = get_current_epoch(state);
    if !is_active_validator(source_validator, current_epoch)
        || !is_active_validator(target_validator, current_epoch)
    {
        return Ok(());
    }
    // > Verify exits for source and target have not been initiated
    if source_validator.exit_epoch != FAR_FUTURE_EPOCH
        || target_validator.exit_epoch != FAR_FUTURE_EPOCH
    {
        return Ok(());
    }
    // > Verify the source has been active long enough
    if current_epoch
        < add(
            source_validator.activation_epoch,
            P::SHARD_COMMITTEE_PERIOD,
            "process_consolidation_request",
        )?
    {
        return Ok(());
    }
    // > Verify the source has no pending withdrawals in the queue
    if get_pending_balance_to_withdraw(state, source_index)? > 0 {
        return Ok(());
    }

    // > Initiate source validator exit and append pending consolidation
    let source_effective_balance = source_validator.effective_balance;
    let exit_epoch = compute_consolidation_epoch_and_update_churn(state, source_effective_balance)?;
    let source_validator = validator_mut(state, source_index)?;
    source_validator.exit_epoch = exit_epoch;
    source_validator.withdrawable_epoch = add(
        exit_epoch,
        P::MIN_VALIDATOR_WITHDRAWABILITY_DELAY,
        "process_consolidation_request",
    )?;
    state
        .pending_consolidations
        .push(PendingConsolidation {
            source_index,
            target_index,
        })
        .map_err(|_| Error::ListFull("pending_consolidations"))
}
