//! altair § process_justification_and_finalization, phase0 § weigh_justification_and_finalization.

use crate::epoch::process_rewards_and_penalties::get_unslashed_participating_indices;
use crate::error::{Error, Result};
use crate::helpers::accessors::{
    get_block_root, get_current_epoch, get_previous_epoch, get_total_active_balance,
    get_total_balance,
};
use crate::helpers::math::{add, mul};
use crate::preset::consts::{GENESIS_EPOCH, TIMELY_TARGET_FLAG_INDEX};
use crate::preset::Preset;
use crate::types::{BeaconState, Checkpoint, Gwei};

/// altair § process_justification_and_finalization
pub fn process_justification_and_finalization<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    // > Skip FFG updates in the first two epochs to avoid corner cases that might result in
    // > modifying this stub.
    if get_current_epoch(state) <= GENESIS_EPOCH + 1 {
        return Ok(());
    }
    let previous_indices = get_unslashed_participating_indices(
        state,
        TIMELY_TARGET_FLAG_INDEX,
        get_previous_epoch(state),
    )?;
    let current_indices = get_unslashed_participating_indices(
        state,
        TIMELY_TARGET_FLAG_INDEX,
        get_current_epoch(state),
    )?;
    let total_active_balance = get_total_active_balance(state)?;
    let previous_target_balance = get_total_balance(state, previous_indices)?;
    let current_target_balance = get_total_balance(state, current_indices)?;
    weigh_justification_and_finalization(
        state,
        total_active_balance,
        previous_target_balance,
        current_target_balance,
    )
}

fn bit(bits: &ssz_types::BitVector<typenum::U4>, i: usize) -> Result<bool> {
    bits.get(i)
        .map_err(|_| Error::Assert("justification_bits index"))
}

fn set_bit(bits: &mut ssz_types::BitVector<typenum::U4>, i: usize, v: bool) -> Result<()> {
    bits.set(i, v)
        .map_err(|_| Error::Assert("justification_bits index"))
}

/// phase0 § weigh_justification_and_finalization
pub fn weigh_justification_and_finalization<P: Preset>(
    state: &mut BeaconState<P>,
    total_active_balance: Gwei,
    previous_epoch_target_balance: Gwei,
    current_epoch_target_balance: Gwei,
) -> Result<()> {
    const WHAT: &str = "weigh_justification_and_finalization";
    let previous_epoch = get_previous_epoch(state);
    let current_epoch = get_current_epoch(state);
    let old_previous_justified_checkpoint = state.previous_justified_checkpoint;
    let old_current_justified_checkpoint = state.current_justified_checkpoint;

    // > Process justifications
    state.previous_justified_checkpoint = state.current_justified_checkpoint;
    // > state.justification_bits[1:] = state.justification_bits[:JUSTIFICATION_BITS_LENGTH - 1]
    let old_bits = state.justification_bits.clone();
    for (to, from) in [(3, 2), (2, 1), (1, 0)] {
        set_bit(&mut state.justification_bits, to, bit(&old_bits, from)?)?;
    }
    set_bit(&mut state.justification_bits, 0, false)?;
    let two_thirds = mul(total_active_balance, 2, WHAT)?;
    if mul(previous_epoch_target_balance, 3, WHAT)? >= two_thirds {
        state.current_justified_checkpoint = Checkpoint {
            epoch: previous_epoch,
            root: get_block_root(state, previous_epoch)?,
        };
        set_bit(&mut state.justification_bits, 1, true)?;
    }
    if mul(current_epoch_target_balance, 3, WHAT)? >= two_thirds {
        state.current_justified_checkpoint = Checkpoint {
            epoch: current_epoch,
            root: get_block_root(state, current_epoch)?,
        };
        set_bit(&mut state.justification_bits, 0, true)?;
    }

    // > Process finalizations
    let b = |i: usize| bit(&state.justification_bits, i);
    let (b0, b1, b2, b3) = (b(0)?, b(1)?, b(2)?, b(3)?);
    let prev_epoch = old_previous_justified_checkpoint.epoch;
    let curr_epoch = old_current_justified_checkpoint.epoch;
    // `&&` short-circuits as Python's `and`: the uint64 `+` (which may overflow) runs only when
    // the bits are set, as in the spec.
    let is = |e: u64, k: u64| -> Result<bool> { Ok(add(e, k, WHAT)? == current_epoch) };
    // > The 2nd/3rd/4th most recent epochs are justified, the 2nd using the 4th as source
    if b1 && b2 && b3 && is(prev_epoch, 3)? {
        state.finalized_checkpoint = old_previous_justified_checkpoint;
    }
    // > The 2nd/3rd most recent epochs are justified, the 2nd using the 3rd as source
    if b1 && b2 && is(prev_epoch, 2)? {
        state.finalized_checkpoint = old_previous_justified_checkpoint;
    }
    // > The 1st/2nd/3rd most recent epochs are justified, the 1st using the 3rd as source
    if b0 && b1 && b2 && is(curr_epoch, 2)? {
        state.finalized_checkpoint = old_current_justified_checkpoint;
    }
    // > The 1st/2nd most recent epochs are justified, the 1st using the 2nd as source
    if b0 && b1 && is(curr_epoch, 1)? {
        state.finalized_checkpoint = old_current_justified_checkpoint;
    }
    Ok(())
}
