//! phase0 § process_slots / process_slot on a `TrackedState`, with the incremental root.

use crate::error::{ensure, Error, Result};
use crate::fast::tracked::TrackedState;
use crate::helpers::math::{add, rem};
use crate::preset::Preset;
use crate::types::{Root, Slot};
use tree_hash::TreeHash;

/// The epoch function `process_slots` runs at each boundary.
pub type EpochFn<P> = fn(&mut TrackedState<P>) -> Result<()>;

/// The epoch function `process_slots` uses: the one call site to switch to the fused fast epoch.
pub fn epoch_fn<P: Preset>() -> EpochFn<P> {
    reference_epoch::<P>
}

/// electra § process_epoch through the reference path (every validator counts as changed).
pub fn reference_epoch<P: Preset>(state: &mut TrackedState<P>) -> Result<()> {
    state.with_state_mut(crate::epoch::process_epoch)
}

/// phase0 § process_slots, running `epoch_fn()` at each epoch boundary.
pub fn process_slots<P: Preset>(state: &mut TrackedState<P>, slot: Slot) -> Result<()> {
    process_slots_with(state, slot, epoch_fn::<P>())
}

/// phase0 § process_slots with the epoch function `epoch` (e.g. the reference or the fast one,
/// which carries its caches: hence a closure).
pub fn process_slots_with<P: Preset>(
    state: &mut TrackedState<P>,
    slot: Slot,
    mut epoch: impl FnMut(&mut TrackedState<P>) -> Result<()>,
) -> Result<()> {
    // > assert state.slot < slot
    ensure(
        state.state().slot < slot,
        "process_slots: slot not in the future",
    )?;
    // `Some(i)` when, since the last root, only this loop's own slot writes happened (element i
    // of the root vectors, the header, the slot): then the next root reuses every other field's
    // root without comparing. None on entry (the caller may have changed anything) and after an
    // epoch.
    let mut own_writes_only = None;
    while state.state().slot < slot {
        own_writes_only = Some(process_slot_inner(state, own_writes_only)?);
        // > Process epoch on the start slot of the next epoch
        let next_slot = add(state.state().slot, 1, "process_slots")?;
        if rem(next_slot, P::SLOTS_PER_EPOCH, "process_slots")? == 0 {
            epoch(state)?;
            own_writes_only = None;
        }
        *state.fields_mut().slot = next_slot;
    }
    Ok(())
}

/// phase0 § process_slot
pub fn process_slot<P: Preset>(state: &mut TrackedState<P>) -> Result<()> {
    process_slot_inner(state, None).map(|_| ())
}

/// phase0 § process_slot; `own_writes_only: Some(i)`: only the previous slot's writes (at index
/// `i` of the root vectors) happened since the last root (`process_slots` knows it), so the root
/// reuses the other fields' roots. Returns the index this slot wrote.
fn process_slot_inner<P: Preset>(
    state: &mut TrackedState<P>,
    own_writes_only: Option<usize>,
) -> Result<usize> {
    let i = rem(
        state.state().slot,
        P::SLOTS_PER_HISTORICAL_ROOT,
        "process_slot",
    )? as usize;
    let out_of_range = Error::OutOfRange {
        what: "state_roots/block_roots",
        index: i as u64,
        len: P::SLOTS_PER_HISTORICAL_ROOT,
    };
    // > Cache state root
    let previous_state_root = match own_writes_only {
        Some(written) => state.hash_tree_root_after_slot(written),
        None => state.hash_tree_root(),
    };
    let f = state.fields_mut();
    *f.state_roots.get_mut(i).ok_or(out_of_range.clone())? = previous_state_root;
    // > Cache latest block header state root
    if f.latest_block_header.state_root == Root::ZERO {
        f.latest_block_header.state_root = previous_state_root;
    }
    // > Cache block root
    let previous_block_root = f.latest_block_header.tree_hash_root();
    *f.block_roots.get_mut(i).ok_or(out_of_range)? = previous_block_root;
    Ok(i)
}
