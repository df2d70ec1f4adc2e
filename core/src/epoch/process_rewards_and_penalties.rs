//! altair § process_rewards_and_penalties, with get_flag_index_deltas,
//! get_inactivity_penalty_deltas (bellatrix), get_unslashed_participating_indices, and the
//! phase0/altair reward helpers they use.

use crate::error::{ensure, Error, Result};
use crate::helpers::accessors::{
    base_reward_per_increment_from_total, get_active_validator_indices, get_current_epoch,
    get_previous_epoch, get_total_active_balance, get_total_balance, validator,
};
use crate::helpers::math::{add, div, mul, sub};
use crate::helpers::misc::has_flag;
use crate::helpers::mutators::{decrease_balance, increase_balance};
use crate::helpers::predicates::is_active_validator;
use crate::preset::consts::{
    GENESIS_EPOCH, PARTICIPATION_FLAG_WEIGHTS, TIMELY_HEAD_FLAG_INDEX, TIMELY_TARGET_FLAG_INDEX,
    WEIGHT_DENOMINATOR,
};
use crate::preset::Preset;
use crate::types::{BeaconState, Epoch, Gwei, ValidatorIndex};

/// phase0 § get_finality_delay
pub fn get_finality_delay<P: Preset>(state: &BeaconState<P>) -> Result<u64> {
    sub(
        get_previous_epoch(state),
        state.finalized_checkpoint.epoch,
        "get_finality_delay",
    )
}

/// phase0 § is_in_inactivity_leak
pub fn is_in_inactivity_leak<P: Preset>(state: &BeaconState<P>) -> Result<bool> {
    Ok(get_finality_delay(state)? > P::MIN_EPOCHS_TO_INACTIVITY_PENALTY)
}

/// phase0 § get_eligible_validator_indices
pub fn get_eligible_validator_indices<P: Preset>(
    state: &BeaconState<P>,
) -> Result<Vec<ValidatorIndex>> {
    let previous_epoch = get_previous_epoch(state);
    let mut out = Vec::new();
    for (index, v) in (0u64..).zip(state.validators.iter()) {
        // > or (v.slashed and previous_epoch + 1 < v.withdrawable_epoch)
        if is_active_validator(v, previous_epoch)
            || (v.slashed
                && add(previous_epoch, 1, "get_eligible_validator_indices")? < v.withdrawable_epoch)
        {
            out.push(index);
        }
    }
    Ok(out)
}

/// altair § get_unslashed_participating_indices
///
/// The spec's `Set` is returned as a strictly ascending `Vec` (active indices are unique).
pub fn get_unslashed_participating_indices<P: Preset>(
    state: &BeaconState<P>,
    flag_index: usize,
    epoch: Epoch,
) -> Result<Vec<ValidatorIndex>> {
    let current_epoch = get_current_epoch(state);
    // > assert epoch in (get_previous_epoch(state), get_current_epoch(state))
    ensure(
        epoch == get_previous_epoch(state) || epoch == current_epoch,
        "get_unslashed_participating_indices: epoch not previous or current",
    )?;
    let epoch_participation = if epoch == current_epoch {
        &state.current_epoch_participation
    } else {
        &state.previous_epoch_participation
    };
    let mut out = Vec::new();
    for index in get_active_validator_indices(state, epoch) {
        let flags = *epoch_participation
            .get(index as usize)
            .ok_or(Error::OutOfRange {
                what: "epoch_participation",
                index,
                len: epoch_participation.len() as u64,
            })?;
        if has_flag(flags, flag_index) && !validator(state, index)?.slashed {
            out.push(index);
        }
    }
    Ok(out)
}

/// Membership mask of `indices` over `n` validators (the spec's `index in set`).
fn mask(indices: &[ValidatorIndex], n: usize) -> Vec<bool> {
    let mut m = vec![false; n];
    for &i in indices {
        if let Some(b) = m.get_mut(i as usize) {
            *b = true;
        }
    }
    m
}

fn is_in(mask: &[bool], index: ValidatorIndex) -> bool {
    mask.get(index as usize).copied().unwrap_or(false)
}

fn slot_mut(v: &mut [Gwei], index: ValidatorIndex) -> Result<&mut Gwei> {
    let len = v.len() as u64;
    v.get_mut(index as usize).ok_or(Error::OutOfRange {
        what: "deltas",
        index,
        len,
    })
}

/// altair § get_flag_index_deltas
pub fn get_flag_index_deltas<P: Preset>(
    state: &BeaconState<P>,
    flag_index: usize,
) -> Result<(Vec<Gwei>, Vec<Gwei>)> {
    const WHAT: &str = "get_flag_index_deltas";
    let n = state.validators.len();
    let mut rewards = vec![0; n];
    let mut penalties = vec![0; n];
    let previous_epoch = get_previous_epoch(state);
    let unslashed_participating_indices =
        get_unslashed_participating_indices(state, flag_index, previous_epoch)?;
    let weight = *PARTICIPATION_FLAG_WEIGHTS
        .get(flag_index)
        .ok_or(Error::Assert("get_flag_index_deltas: flag_index"))?;
    let unslashed_participating_balance =
        get_total_balance(state, unslashed_participating_indices.iter().copied())?;
    let unslashed_participating_increments = div(
        unslashed_participating_balance,
        P::EFFECTIVE_BALANCE_INCREMENT,
        WHAT,
    )?;
    let total_active_balance = get_total_active_balance(state)?;
    let active_increments = div(total_active_balance, P::EFFECTIVE_BALANCE_INCREMENT, WHAT)?;
    let participating = mask(&unslashed_participating_indices, n);
    // Hoisted out of the loop: the state is not modified while deltas are computed, so the
    // spec's per-validator get_base_reward -> get_total_active_balance is the same every time.
    let base_reward_per_increment =
        base_reward_per_increment_from_total::<P>(total_active_balance)?;
    let in_leak = is_in_inactivity_leak(state)?;
    for index in get_eligible_validator_indices(state)? {
        // altair § get_base_reward, with the hoisted per-increment reward.
        let increments = div(
            validator(state, index)?.effective_balance,
            P::EFFECTIVE_BALANCE_INCREMENT,
            WHAT,
        )?;
        let base_reward = mul(increments, base_reward_per_increment, "get_base_reward")?;
        if is_in(&participating, index) {
            if !in_leak {
                let reward_numerator = mul(
                    mul(base_reward, weight, WHAT)?,
                    unslashed_participating_increments,
                    WHAT,
                )?;
                let r = slot_mut(&mut rewards, index)?;
                *r = add(
                    *r,
                    div(
                        reward_numerator,
                        mul(active_increments, WEIGHT_DENOMINATOR, WHAT)?,
                        WHAT,
                    )?,
                    WHAT,
                )?;
            }
        } else if flag_index != TIMELY_HEAD_FLAG_INDEX {
            let p = slot_mut(&mut penalties, index)?;
            *p = add(
                *p,
                mul(base_reward, weight, WHAT)? / WEIGHT_DENOMINATOR,
                WHAT,
            )?;
        }
    }
    Ok((rewards, penalties))
}

/// bellatrix § get_inactivity_penalty_deltas `[Modified in Bellatrix]`
pub fn get_inactivity_penalty_deltas<P: Preset>(
    state: &BeaconState<P>,
) -> Result<(Vec<Gwei>, Vec<Gwei>)> {
    const WHAT: &str = "get_inactivity_penalty_deltas";
    let n = state.validators.len();
    let rewards = vec![0; n];
    let mut penalties = vec![0; n];
    let previous_epoch = get_previous_epoch(state);
    let matching_target_indices =
        get_unslashed_participating_indices(state, TIMELY_TARGET_FLAG_INDEX, previous_epoch)?;
    let matching = mask(&matching_target_indices, n);
    for index in get_eligible_validator_indices(state)? {
        if !is_in(&matching, index) {
            let score = *state
                .inactivity_scores
                .get(index as usize)
                .ok_or(Error::OutOfRange {
                    what: "inactivity_scores",
                    index,
                    len: state.inactivity_scores.len() as u64,
                })?;
            let penalty_numerator = mul(validator(state, index)?.effective_balance, score, WHAT)?;
            // > penalty_denominator = INACTIVITY_SCORE_BIAS * INACTIVITY_PENALTY_QUOTIENT_BELLATRIX
            let penalty_denominator = mul(
                P::INACTIVITY_SCORE_BIAS,
                P::INACTIVITY_PENALTY_QUOTIENT_BELLATRIX,
                WHAT,
            )?;
            let p = slot_mut(&mut penalties, index)?;
            *p = add(*p, div(penalty_numerator, penalty_denominator, WHAT)?, WHAT)?;
        }
    }
    Ok((rewards, penalties))
}

/// altair § process_rewards_and_penalties
pub fn process_rewards_and_penalties<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    // > No rewards are applied at the end of `GENESIS_EPOCH` because rewards are for work done
    // > in the previous epoch
    if get_current_epoch(state) == GENESIS_EPOCH {
        return Ok(());
    }
    let mut deltas = Vec::with_capacity(4);
    for flag_index in 0..PARTICIPATION_FLAG_WEIGHTS.len() {
        deltas.push(get_flag_index_deltas(state, flag_index)?);
    }
    deltas.push(get_inactivity_penalty_deltas(state)?);
    for (rewards, penalties) in deltas {
        for (index, (reward, penalty)) in (0u64..).zip(rewards.into_iter().zip(penalties)) {
            increase_balance(state, index, reward)?;
            decrease_balance(state, index, penalty)?;
        }
    }
    Ok(())
}
