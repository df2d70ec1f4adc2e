//! § Predicates (phase0, capella, electra).

use crate::preset::consts::{
    COMPOUNDING_WITHDRAWAL_PREFIX, ETH1_ADDRESS_WITHDRAWAL_PREFIX, FAR_FUTURE_EPOCH,
};
use crate::preset::Preset;
use crate::types::{AttestationData, BeaconState, Bytes32, Epoch, Gwei, Validator};

/// phase0 § is_active_validator
pub fn is_active_validator(validator: &Validator, epoch: Epoch) -> bool {
    validator.activation_epoch <= epoch && epoch < validator.exit_epoch
}

/// electra § is_eligible_for_activation_queue `[Modified in Electra:EIP7251]`
pub fn is_eligible_for_activation_queue<P: Preset>(validator: &Validator) -> bool {
    validator.activation_eligibility_epoch == FAR_FUTURE_EPOCH
        // > and validator.effective_balance >= MIN_ACTIVATION_BALANCE
        && validator.effective_balance >= P::MIN_ACTIVATION_BALANCE
}

/// phase0 § is_eligible_for_activation
pub fn is_eligible_for_activation<P: Preset>(
    state: &BeaconState<P>,
    validator: &Validator,
) -> bool {
    validator.activation_eligibility_epoch <= state.finalized_checkpoint.epoch
        && validator.activation_epoch == FAR_FUTURE_EPOCH
}

/// phase0 § is_slashable_validator
pub fn is_slashable_validator(validator: &Validator, epoch: Epoch) -> bool {
    !validator.slashed
        && validator.activation_epoch <= epoch
        && epoch < validator.withdrawable_epoch
}

/// phase0 § is_slashable_attestation_data
pub fn is_slashable_attestation_data(data_1: &AttestationData, data_2: &AttestationData) -> bool {
    // Double vote
    (data_1 != data_2 && data_1.target.epoch == data_2.target.epoch)
        // Surround vote
        || (data_1.source.epoch < data_2.source.epoch && data_2.target.epoch < data_1.target.epoch)
}

/// electra § is_compounding_withdrawal_credential
pub fn is_compounding_withdrawal_credential(withdrawal_credentials: &Bytes32) -> bool {
    withdrawal_credentials.0[0] == COMPOUNDING_WITHDRAWAL_PREFIX
}

/// electra § has_compounding_withdrawal_credential
pub fn has_compounding_withdrawal_credential(validator: &Validator) -> bool {
    is_compounding_withdrawal_credential(&validator.withdrawal_credentials)
}

/// capella § has_eth1_withdrawal_credential
pub fn has_eth1_withdrawal_credential(validator: &Validator) -> bool {
    validator.withdrawal_credentials.0[0] == ETH1_ADDRESS_WITHDRAWAL_PREFIX
}

/// electra § has_execution_withdrawal_credential
pub fn has_execution_withdrawal_credential(validator: &Validator) -> bool {
    has_compounding_withdrawal_credential(validator) || has_eth1_withdrawal_credential(validator)
}

/// electra § is_fully_withdrawable_validator `[Modified in Electra:EIP7251]`
pub fn is_fully_withdrawable_validator(validator: &Validator, balance: Gwei, epoch: Epoch) -> bool {
    // > has_execution_withdrawal_credential(validator)  # [Modified in Electra:EIP7251]
    has_execution_withdrawal_credential(validator)
        && validator.withdrawable_epoch <= epoch
        && balance > 0
}

/// electra § is_partially_withdrawable_validator `[Modified in Electra:EIP7251]`
pub fn is_partially_withdrawable_validator<P: Preset>(
    validator: &Validator,
    balance: Gwei,
) -> bool {
    let max_effective_balance = get_max_effective_balance::<P>(validator);
    let has_max_effective_balance = validator.effective_balance == max_effective_balance;
    let has_excess_balance = balance > max_effective_balance;
    has_execution_withdrawal_credential(validator)
        && has_max_effective_balance
        && has_excess_balance
}

/// electra § get_max_effective_balance (listed under misc helpers in the spec)
pub fn get_max_effective_balance<P: Preset>(validator: &Validator) -> Gwei {
    if has_compounding_withdrawal_credential(validator) {
        P::MAX_EFFECTIVE_BALANCE_ELECTRA
    } else {
        P::MIN_ACTIVATION_BALANCE
    }
}
