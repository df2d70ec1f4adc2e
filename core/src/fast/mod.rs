//! The fast engine, beside the spec-literal reference path (`crate::epoch`, `crate::slots`).
//!
//! The reference path is the oracle: plain, one function per spec function, recomputing what the
//! spec recomputes. Everything here must give byte-identical states and equal roots, and is tested
//! against it (the official vectors run through both; differential tests on generated states).
//!
//! - `tracked`: `TrackedState`, the state plus a record of what changed, so the incremental root
//!   never depends on a caller remembering to mark a change.
//! - `cache`: `FastCaches`, kept across epochs: the live set (validators an epoch can change),
//!   the pubkey index, the sync committees' indices, the epoch's balance sums.
//! - `epoch`: `process_epoch_fast`, the fused epoch transition over the live set, one file per
//!   concern (the scan, justification, the fused pass, applying its results, the queues, resets,
//!   sync committees), switched per step by `EpochConfig`.
//! - `root`: `StateRootCache`, the incremental `hash_tree_root` that `TrackedState` carries
//!   (batched SHA-256 via hashtree, parallel cold root).
//! - `prefetch`: software prefetch hints for the gathers over sparse live sets.
//! - `slots`: `process_slots` / `process_slot` on a `TrackedState`: an empty slot rehashes only
//!   what it changed; the epoch function is a parameter.
pub mod cache;
pub mod engine;
pub mod epoch;
#[cfg(feature = "inject-slowdown")]
pub mod inject;
pub(crate) mod prefetch;
pub mod root;
pub mod slots;
pub mod tracked;

/// A copy of `v` with `spare` elements of capacity beyond its length, in one copy. The engine's
/// clones use it for every vector that grows between epochs (registry lists, the live set, the
/// root cache's shadows and layers): a derived `Clone` keeps no spare room, so the first growth
/// after a clone reallocated and copied into fresh pages (measured in `TrackedState`'s,
/// `FastCaches`' and the root cache's `Clone` impls).
pub(crate) fn with_spare<T: Clone>(v: &[T], spare: usize) -> Vec<T> {
    let mut out = Vec::with_capacity(v.len().saturating_add(spare));
    out.extend_from_slice(v);
    out
}

pub use cache::FastCaches;
pub use engine::FastEngine;
pub use epoch::{process_epoch_fast, EpochConfig, EpochTimings};
pub use root::StateRootCache;
pub use tracked::{FieldsMut, TrackedState, ValidatorChanges};
