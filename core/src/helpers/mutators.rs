//! § Beacon state mutators (phase0, electra).

use crate::error::{Error, Result};
use crate::helpers::accessors::{
    balance, balance_mut, get_activation_exit_churn_limit, get_beacon_proposer_index,
    get_consolidation_churn_limit, get_current_epoch, validator, validator_mut,
};
use crate::helpers::math::{add, div, div_preset, mul, rem_preset, sub};
use crate::helpers::misc::compute_activation_exit_epoch;
use crate::preset::consts::{
    COMPOUNDING_WITHDRAWAL_PREFIX, FAR_FUTURE_EPOCH, GENESIS_SLOT, PROPOSER_WEIGHT,
    WEIGHT_DENOMINATOR,
};
use crate::preset::Preset;
use crate::types::{BeaconState, BlsSignature, Epoch, Gwei, PendingDeposit, ValidatorIndex};

/// `bls.G2_POINT_AT_INFINITY`: the compressed point at infinity (0xc0, then zeros).
pub const G2_POINT_AT_INFINITY: BlsSignature = {
    let mut b = [0u8; 96];
    b[0] = 0xc0;
    crate::types::ByteVector(b)
};

/// phase0 § increase_balance (a uint64 overflow makes the transition invalid)
pub fn increase_balance<P: Preset>(
    state: &mut BeaconState<P>,
    index: ValidatorIndex,
    delta: Gwei,
) -> Result<()> {
    let b = balance_mut(state, index)?;
    *b = add(*b, delta, "increase_balance")?;
    Ok(())
}

/// phase0 § decrease_balance (saturates at zero, as the spec says)
pub fn decrease_balance<P: Preset>(
    state: &mut BeaconState<P>,
    index: ValidatorIndex,
    delta: Gwei,
) -> Result<()> {
    let b = balance_mut(state, index)?;
    // > state.balances[index] = 0 if delta > state.balances[index] else state.balances[index] - delta
    *b = b.saturating_sub(delta);
    Ok(())
}

/// electra § initiate_validator_exit `[Modified in Electra:EIP7251]`
pub fn initiate_validator_exit<P: Preset>(
    state: &mut BeaconState<P>,
    index: ValidatorIndex,
) -> Result<()> {
    // > Return if validator already initiated exit
    if validator(state, index)?.exit_epoch != FAR_FUTURE_EPOCH {
        return Ok(());
    }
    let churn = get_activation_exit_churn_limit(state)?;
    initiate_validator_exit_with_churn_limit(state, index, churn)
}

/// electra § initiate_validator_exit, given `get_activation_exit_churn_limit(state)` already
/// computed on this state: the spec recomputes it (O(n)) inside
/// `compute_exit_epoch_and_update_churn`; loops that exit many validators without changing the
/// current epoch's active balance (process_registry_updates) pass it once. Same result.
pub fn initiate_validator_exit_with_churn_limit<P: Preset>(
    state: &mut BeaconState<P>,
    index: ValidatorIndex,
    activation_exit_churn_limit: Gwei,
) -> Result<()> {
    let v = validator(state, index)?;
    // > Return if validator already initiated exit
    if v.exit_epoch != FAR_FUTURE_EPOCH {
        return Ok(());
    }
    let effective_balance = v.effective_balance;
    // > exit_queue_epoch = compute_exit_epoch_and_update_churn(state, validator.effective_balance)
    let exit_queue_epoch =
        exit_epoch_and_update_churn(state, effective_balance, activation_exit_churn_limit)?;
    let v = validator_mut(state, index)?;
    v.exit_epoch = exit_queue_epoch;
    v.withdrawable_epoch = add(
        exit_queue_epoch,
        P::MIN_VALIDATOR_WITHDRAWABILITY_DELAY,
        "initiate_validator_exit",
    )?;
    Ok(())
}

/// electra § switch_to_compounding_validator
pub fn switch_to_compounding_validator<P: Preset>(
    state: &mut BeaconState<P>,
    index: ValidatorIndex,
) -> Result<()> {
    let v = validator_mut(state, index)?;
    // > validator.withdrawal_credentials = COMPOUNDING_WITHDRAWAL_PREFIX + validator.withdrawal_credentials[1:]
    v.withdrawal_credentials.0[0] = COMPOUNDING_WITHDRAWAL_PREFIX;
    queue_excess_active_balance(state, index)
}

/// electra § queue_excess_active_balance
pub fn queue_excess_active_balance<P: Preset>(
    state: &mut BeaconState<P>,
    index: ValidatorIndex,
) -> Result<()> {
    let bal = balance(state, index)?;
    if bal > P::MIN_ACTIVATION_BALANCE {
        let excess_balance = sub(
            bal,
            P::MIN_ACTIVATION_BALANCE,
            "queue_excess_active_balance",
        )?;
        *balance_mut(state, index)? = P::MIN_ACTIVATION_BALANCE;
        let v = validator(state, index)?;
        // > Use bls.G2_POINT_AT_INFINITY as a signature field placeholder
        // > and GENESIS_SLOT to distinguish from a pending deposit request
        let pending = PendingDeposit {
            pubkey: v.pubkey,
            withdrawal_credentials: v.withdrawal_credentials,
            amount: excess_balance,
            signature: G2_POINT_AT_INFINITY,
            slot: GENESIS_SLOT,
        };
        state
            .pending_deposits
            .push(pending)
            .map_err(|_| Error::ListFull("pending_deposits"))?;
    }
    Ok(())
}

/// The shared body of `compute_exit_epoch_and_update_churn` and
/// `compute_consolidation_epoch_and_update_churn`: the spec writes it out twice over different
/// state fields. Returns the new (earliest epoch, balance to consume). The fast engine calls it
/// on its tracked fields (`fast::epoch::apply`).
pub(crate) fn epoch_and_churn(
    current_earliest: Epoch,
    current_to_consume: Gwei,
    activation_exit_epoch: Epoch,
    per_epoch_churn: Gwei,
    balance: Gwei,
    what: &'static str,
) -> Result<(Epoch, Gwei)> {
    let mut earliest = current_earliest.max(activation_exit_epoch);
    // > New epoch for exits/consolidations.
    let mut to_consume = if current_earliest < earliest {
        per_epoch_churn
    } else {
        current_to_consume
    };
    // > Exit/consolidation doesn't fit in the current earliest epoch.
    if balance > to_consume {
        let balance_to_process = sub(balance, to_consume, what)?;
        // > additional_epochs = (balance_to_process - 1) // per_epoch_churn + 1
        let additional_epochs = add(
            div(sub(balance_to_process, 1, what)?, per_epoch_churn, what)?,
            1,
            what,
        )?;
        earliest = add(earliest, additional_epochs, what)?;
        to_consume = add(
            to_consume,
            mul(additional_epochs, per_epoch_churn, what)?,
            what,
        )?;
    }
    // > Consume the balance and update state variables.
    Ok((earliest, sub(to_consume, balance, what)?))
}

/// electra § compute_exit_epoch_and_update_churn
pub fn compute_exit_epoch_and_update_churn<P: Preset>(
    state: &mut BeaconState<P>,
    exit_balance: Gwei,
) -> Result<Epoch> {
    let churn = get_activation_exit_churn_limit(state)?;
    exit_epoch_and_update_churn(state, exit_balance, churn)
}

/// `compute_exit_epoch_and_update_churn` with `per_epoch_churn` already computed.
fn exit_epoch_and_update_churn<P: Preset>(
    state: &mut BeaconState<P>,
    exit_balance: Gwei,
    per_epoch_churn: Gwei,
) -> Result<Epoch> {
    let (earliest, to_consume) = epoch_and_churn(
        state.earliest_exit_epoch,
        state.exit_balance_to_consume,
        compute_activation_exit_epoch::<P>(get_current_epoch(state))?,
        per_epoch_churn,
        exit_balance,
        "compute_exit_epoch_and_update_churn",
    )?;
    state.exit_balance_to_consume = to_consume;
    state.earliest_exit_epoch = earliest;
    Ok(earliest)
}

/// electra § compute_consolidation_epoch_and_update_churn
pub fn compute_consolidation_epoch_and_update_churn<P: Preset>(
    state: &mut BeaconState<P>,
    consolidation_balance: Gwei,
) -> Result<Epoch> {
    let (earliest, to_consume) = epoch_and_churn(
        state.earliest_consolidation_epoch,
        state.consolidation_balance_to_consume,
        compute_activation_exit_epoch::<P>(get_current_epoch(state))?,
        get_consolidation_churn_limit(state)?,
        consolidation_balance,
        "compute_consolidation_epoch_and_update_churn",
    )?;
    state.consolidation_balance_to_consume = to_consume;
    state.earliest_consolidation_epoch = earliest;
    Ok(earliest)
}

/// electra § slash_validator `[Modified in Electra:EIP7251]`
pub fn slash_validator<P: Preset>(
    state: &mut BeaconState<P>,
    slashed_index: ValidatorIndex,
    whistleblower_index: Option<ValidatorIndex>,
) -> Result<()> {
    let epoch = get_current_epoch(state);
    initiate_validator_exit(state, slashed_index)?;
    let v = validator_mut(state, slashed_index)?;
    v.slashed = true;
    v.withdrawable_epoch = v.withdrawable_epoch.max(add(
        epoch,
        P::EPOCHS_PER_SLASHINGS_VECTOR,
        "slash_validator",
    )?);
    let effective_balance = v.effective_balance;
    let slot = rem_preset(epoch, P::EPOCHS_PER_SLASHINGS_VECTOR) as usize;
    let s = state.slashings.get_mut(slot).ok_or(Error::OutOfRange {
        what: "slashings",
        index: slot as u64,
        len: P::EPOCHS_PER_SLASHINGS_VECTOR,
    })?;
    *s = add(*s, effective_balance, "slash_validator")?;
    // > slashing_penalty = validator.effective_balance // MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA
    let slashing_penalty = div_preset(effective_balance, P::MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA);
    decrease_balance(state, slashed_index, slashing_penalty)?;

    // > Apply proposer and whistleblower rewards
    let proposer_index = get_beacon_proposer_index(state)?;
    let whistleblower_index = whistleblower_index.unwrap_or(proposer_index);
    // > whistleblower_reward = Gwei(validator.effective_balance // WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA)
    let whistleblower_reward =
        div_preset(effective_balance, P::WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA);
    let proposer_reward =
        mul(whistleblower_reward, PROPOSER_WEIGHT, "slash_validator")? / WEIGHT_DENOMINATOR;
    increase_balance(state, proposer_index, proposer_reward)?;
    increase_balance(
        state,
        whistleblower_index,
        sub(whistleblower_reward, proposer_reward, "slash_validator")?,
    )?;
    Ok(())
}
