//! The consensus-spec-tests runner (`cargo test --release -p maxeb-core --test spec_tests`).
//!
//! Finds the vectors at `$MAXEB_SPEC_TESTS`, default `../shared/consensus-spec-tests` beside the
//! repository root (or `.cache/consensus-spec-tests` in the repository, where `scripts/fetch-vectors`
//! puts the release archives). A missing root fails the run. An optional first argument filters
//! handlers by substring (`cargo test ... -- pending_deposits`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
#![allow(clippy::arithmetic_side_effects)]

mod bls;
mod constants;
mod epoch_processing;
mod harness;
mod operations;
mod shuffling;
mod ssz_static;
mod state_diff;

use harness::Harness;
use std::path::PathBuf;

/// Where the vectors are (see `maxeb_core::vectors::spec_tests_root`).
fn vectors_root() -> Result<PathBuf, String> {
    maxeb_core::vectors::spec_tests_root(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
}

fn main() {
    // libtest-style flags (e.g. `--nocapture`) are ignored; the first other argument filters.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let root = match vectors_root() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("consensus-spec-tests: {}", root.display());
    let mut h = Harness::new(root, filter);
    // Each module registers its handlers here.
    constants::run(&mut h);
    bls::run(&mut h);
    shuffling::run(&mut h);
    ssz_static::run(&mut h);
    epoch_processing::run(&mut h);
    operations::run(&mut h);
    if !h.finish() {
        std::process::exit(1);
    }
}
