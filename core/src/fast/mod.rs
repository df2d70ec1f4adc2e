//! The fast engine, beside the spec-literal reference path (`crate::epoch`, `crate::slots`).
//!
//! The reference path is the oracle: plain, one function per spec function, recomputing what the
//! spec recomputes. Everything here must give byte-identical states and equal roots, and is tested
//! against it (the official vectors run through both; differential tests on generated states).
//!
//! - `tracked`: `TrackedState`, the state plus a record of what changed, so the incremental root
//!   never depends on a caller remembering to mark a change.
pub mod tracked;

pub use tracked::{FieldsMut, TrackedState, ValidatorChanges};
