//! altair § process_justification_and_finalization from the first pass's sums, and
//! phase0 § weigh_justification_and_finalization over the split borrow.

use crate::error::{ensure, Error, Result};
use crate::fast::cache::EpochValues;
use crate::fast::tracked::FieldsMut;
use crate::helpers::math::{add, mul, rem_preset};
use crate::helpers::misc::compute_start_slot_at_epoch;
use crate::preset::consts::GENESIS_EPOCH;
use crate::preset::Preset;
use crate::types::{Checkpoint, Epoch, Gwei, Root};
use ssz_types::BitVector;
use typenum::U4;

/// phase0 § get_block_root (with get_block_root_at_slot) over the split borrow.
fn get_block_root<P: Preset>(f: &FieldsMut<'_, P>, epoch: Epoch) -> Result<Root> {
    let slot = compute_start_slot_at_epoch::<P>(epoch)?;
    let state_slot = *f.slot;
    ensure(
        slot < state_slot && state_slot <= slot.saturating_add(P::SLOTS_PER_HISTORICAL_ROOT),
        "get_block_root_at_slot: slot out of range",
    )?;
    let i = rem_preset(slot, P::SLOTS_PER_HISTORICAL_ROOT);
    f.block_roots
        .get(i as usize)
        .copied()
        .ok_or(Error::OutOfRange {
            what: "block_roots",
            index: i,
            len: P::SLOTS_PER_HISTORICAL_ROOT,
        })
}

fn bit(bits: &BitVector<U4>, i: usize) -> Result<bool> {
    bits.get(i)
        .map_err(|_| Error::Assert("justification_bits index"))
}

fn set_bit(bits: &mut BitVector<U4>, i: usize, v: bool) -> Result<()> {
    bits.set(i, v)
        .map_err(|_| Error::Assert("justification_bits index"))
}

/// altair § process_justification_and_finalization, the sums taken from the first pass.
pub fn process_justification_and_finalization<P: Preset>(
    f: &mut FieldsMut<'_, P>,
    values: &EpochValues,
    previous_epoch: Epoch,
    current_epoch: Epoch,
) -> Result<()> {
    // > Skip FFG updates in the first two epochs to avoid corner cases that might result in
    // > modifying this stub.
    if current_epoch <= GENESIS_EPOCH + 1 {
        return Ok(());
    }
    weigh_justification_and_finalization(
        f,
        previous_epoch,
        current_epoch,
        values.total_active_balance,
        values.previous_flag_balances[crate::preset::consts::TIMELY_TARGET_FLAG_INDEX],
        values.current_target_balance,
    )
}

/// phase0 § weigh_justification_and_finalization
pub fn weigh_justification_and_finalization<P: Preset>(
    f: &mut FieldsMut<'_, P>,
    previous_epoch: Epoch,
    current_epoch: Epoch,
    total_active_balance: Gwei,
    previous_epoch_target_balance: Gwei,
    current_epoch_target_balance: Gwei,
) -> Result<()> {
    const WHAT: &str = "weigh_justification_and_finalization";
    let old_previous_justified_checkpoint = *f.previous_justified_checkpoint;
    let old_current_justified_checkpoint = *f.current_justified_checkpoint;
    // > Process justifications
    *f.previous_justified_checkpoint = *f.current_justified_checkpoint;
    let old_bits = f.justification_bits.clone();
    for (to, from) in [(3, 2), (2, 1), (1, 0)] {
        set_bit(f.justification_bits, to, bit(&old_bits, from)?)?;
    }
    set_bit(f.justification_bits, 0, false)?;
    let two_thirds = mul(total_active_balance, 2, WHAT)?;
    if mul(previous_epoch_target_balance, 3, WHAT)? >= two_thirds {
        *f.current_justified_checkpoint = Checkpoint {
            epoch: previous_epoch,
            root: get_block_root(f, previous_epoch)?,
        };
        set_bit(f.justification_bits, 1, true)?;
    }
    if mul(current_epoch_target_balance, 3, WHAT)? >= two_thirds {
        *f.current_justified_checkpoint = Checkpoint {
            epoch: current_epoch,
            root: get_block_root(f, current_epoch)?,
        };
        set_bit(f.justification_bits, 0, true)?;
    }
    // > Process finalizations
    let bits = f.justification_bits.clone();
    let (b0, b1, b2, b3) = (
        bit(&bits, 0)?,
        bit(&bits, 1)?,
        bit(&bits, 2)?,
        bit(&bits, 3)?,
    );
    let prev = old_previous_justified_checkpoint.epoch;
    let curr = old_current_justified_checkpoint.epoch;
    // `&&` short-circuits as Python's `and`: the uint64 `+` runs only when the bits are set.
    let is = |e: u64, k: u64| -> Result<bool> { Ok(add(e, k, WHAT)? == current_epoch) };
    // > The 2nd/3rd/4th most recent epochs are justified, the 2nd using the 4th as source
    if b1 && b2 && b3 && is(prev, 3)? {
        *f.finalized_checkpoint = old_previous_justified_checkpoint;
    }
    // > The 2nd/3rd most recent epochs are justified, the 2nd using the 3rd as source
    if b1 && b2 && is(prev, 2)? {
        *f.finalized_checkpoint = old_previous_justified_checkpoint;
    }
    // > The 1st/2nd/3rd most recent epochs are justified, the 1st using the 3rd as source
    if b0 && b1 && b2 && is(curr, 2)? {
        *f.finalized_checkpoint = old_current_justified_checkpoint;
    }
    // > The 1st/2nd most recent epochs are justified, the 1st using the 2nd as source
    if b0 && b1 && is(curr, 1)? {
        *f.finalized_checkpoint = old_current_justified_checkpoint;
    }
    Ok(())
}
