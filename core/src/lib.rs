//! maxeb-core: the Electra (Pectra) state-transition core.
//!
//! Layout follows the spec: `types` (containers), `helpers` (math, predicates, accessors,
//! mutators), `epoch` (one file per `process_epoch` step), `operations` (block operations and
//! execution-layer requests), `slots` (`process_slots`), `crypto` (BLS, shuffling, hashing).
//! `fast` is the engine the benchmarks run, `sigs` attestation signatures at epoch scale, and
//! `work` the deterministic work counts (node hashes, pairings, point operations) both record.

pub mod crypto;
pub mod diff;
pub mod epoch;
pub mod error;
pub mod fast;
pub mod helpers;
pub mod io;
pub mod operations;
pub mod preset;
pub mod sigs;
pub mod slots;
pub mod types;
pub mod vectors;
pub mod work;

pub use preset::{Mainnet, Minimal, Preset};
