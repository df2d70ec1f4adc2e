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
pub mod cache;
pub mod epoch;
pub mod tracked;

pub use tracked::{FieldsMut, TrackedState, ValidatorChanges};
