//! altair § process_inactivity_updates

use crate::epoch::process_rewards_and_penalties::{
    get_eligible_validator_indices, get_unslashed_participating_indices, is_in_inactivity_leak,
};
use crate::error::{Error, Result};
use crate::helpers::accessors::{get_current_epoch, get_previous_epoch};
use crate::helpers::math::add;
use crate::preset::consts::{GENESIS_EPOCH, TIMELY_TARGET_FLAG_INDEX};
use crate::preset::Preset;
use crate::types::BeaconState;

/// altair § process_inactivity_updates
pub fn process_inactivity_updates<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    // > Skip the genesis epoch as score updates are based on the previous epoch participation
    if get_current_epoch(state) == GENESIS_EPOCH {
        return Ok(());
    }
    // Hoisted out of the loop: the loop writes only inactivity_scores, which neither the
    // participating set nor the leak predicate reads.
    let participating = get_unslashed_participating_indices(
        state,
        TIMELY_TARGET_FLAG_INDEX,
        get_previous_epoch(state),
    )?;
    let in_leak = is_in_inactivity_leak(state)?;
    for index in get_eligible_validator_indices(state)? {
        let len = state.inactivity_scores.len() as u64;
        let score = state
            .inactivity_scores
            .get_mut(index as usize)
            .ok_or(Error::OutOfRange {
                what: "inactivity_scores",
                index,
                len,
            })?;
        // > Increase the inactivity score of inactive validators
        if participating.binary_search(&index).is_ok() {
            *score = score.saturating_sub(1);
        } else {
            *score = add(
                *score,
                P::INACTIVITY_SCORE_BIAS,
                "process_inactivity_updates",
            )?;
        }
        // > Decrease the inactivity score of all eligible validators during a leak-free epoch
        if !in_leak {
            // > state.inactivity_scores[index] -= min(INACTIVITY_SCORE_RECOVERY_RATE, ...)
            *score = score.saturating_sub(P::INACTIVITY_SCORE_RECOVERY_RATE);
        }
    }
    Ok(())
}
