//! The fast engine, beside the spec-literal reference path (`crate::epoch`, `crate::slots`).
//!
//! The reference path is the oracle: plain, one function per spec function, recomputing what the
//! spec recomputes. Everything here must give byte-identical states and equal roots, and is tested
//! against it (the official vectors run through both; differential tests on generated states).
//!
//! - `tracked`: `TrackedState`, the state plus a record of what changed, so the incremental root
//!   never depends on a caller remembering to mark a change.
//! - `root`: `StateRootCache`, the incremental `hash_tree_root` that `TrackedState` carries
//!   (batched SHA-256 via hashtree, parallel cold root).
//! - `slots`: `process_slots` / `process_slot` on a `TrackedState`: an empty slot rehashes only
//!   what it changed; the epoch function is a parameter.
pub mod root;
pub mod slots;
pub mod tracked;

pub use root::StateRootCache;
pub use tracked::{FieldsMut, TrackedState, ValidatorChanges};
