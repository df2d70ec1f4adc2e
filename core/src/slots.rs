//! phase0 § process_slots / process_slot.

use crate::epoch::process_epoch;
use crate::error::{ensure, Error, Result};
use crate::helpers::math::{add, rem};
use crate::preset::Preset;
use crate::types::{BeaconState, Root, Slot};
use tree_hash::TreeHash;

/// phase0 § process_slots: advance `state` to `slot`, running `process_epoch` at each boundary.
pub fn process_slots<P: Preset>(state: &mut BeaconState<P>, slot: Slot) -> Result<()> {
    // > assert state.slot < slot
    ensure(state.slot < slot, "process_slots: slot not in the future")?;
    while state.slot < slot {
        process_slot(state)?;
        // > Process epoch on the start slot of the next epoch
        let next_slot = add(state.slot, 1, "process_slots")?;
        if rem(next_slot, P::SLOTS_PER_EPOCH, "process_slots")? == 0 {
            process_epoch(state)?;
        }
        state.slot = next_slot;
    }
    Ok(())
}

/// phase0 § process_slot
pub fn process_slot<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    let i = rem(state.slot, P::SLOTS_PER_HISTORICAL_ROOT, "process_slot")? as usize;
    let out_of_range = Error::OutOfRange {
        what: "state_roots/block_roots",
        index: i as u64,
        len: P::SLOTS_PER_HISTORICAL_ROOT,
    };
    // > Cache state root
    let previous_state_root = state.tree_hash_root();
    *state.state_roots.get_mut(i).ok_or(out_of_range.clone())? = previous_state_root;
    // > Cache latest block header state root
    if state.latest_block_header.state_root == Root::ZERO {
        state.latest_block_header.state_root = previous_state_root;
    }
    // > Cache block root
    let previous_block_root = state.latest_block_header.tree_hash_root();
    *state.block_roots.get_mut(i).ok_or(out_of_range)? = previous_block_root;
    Ok(())
}
