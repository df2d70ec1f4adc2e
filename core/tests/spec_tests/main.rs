//! The consensus-spec-tests runner (`cargo test --release -p maxeb-core --test spec_tests`).
//!
//! Finds the vectors at `$MAXEB_SPEC_TESTS`, default `../shared/consensus-spec-tests` beside the
//! repository root (or `.cache/consensus-spec-tests` in the repository, where `scripts/fetch-vectors`
//! puts the release archives). A missing root fails the run.
//!
//! Arguments follow libtest's, so `cargo test --workspace -- NAME` and nextest work: free arguments
//! filter handlers by substring (`cargo test ... -- pending_deposits`; a filter that matches nothing
//! runs nothing and passes), `--skip S` drops handlers, `--list` prints the one test this binary is
//! (`spec_tests: test`), `--ignored` runs nothing (no vector is ignored), and other flags are
//! accepted and ignored. Unfiltered, every folder of the tree must be run or named in `skips.rs`.
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
mod skips;
mod ssz_static;
mod state_diff;

use harness::{Filter, Harness, Outcome};
use std::path::PathBuf;

/// Where the vectors are (see `maxeb_core::vectors::spec_tests_root`).
fn vectors_root() -> Result<PathBuf, String> {
    maxeb_core::vectors::spec_tests_root(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".."))
}

/// This binary's one test, as `--list` names it and nextest passes it back with `--exact`.
const TEST_NAME: &str = "spec_tests";

/// libtest flags that take a value (the value is not a filter).
const FLAGS_WITH_VALUE: [&str; 7] = [
    "--skip",
    "--test-threads",
    "--format",
    "--color",
    "--logfile",
    "--shuffle-seed",
    "-Z",
];

/// What the command line asks for.
struct Args {
    filter: Filter,
    list: bool,
    ignored_only: bool,
}

fn parse_args(args: impl Iterator<Item = String>) -> Args {
    let mut out = Args {
        filter: Filter::default(),
        list: false,
        ignored_only: false,
    };
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--list" => out.list = true,
            "--ignored" => out.ignored_only = true,
            "--skip" => out.filter.exclude.extend(args.next()),
            f if FLAGS_WITH_VALUE.contains(&f) => {
                args.next();
            }
            f if f.starts_with('-') => {}
            // The whole binary by its test name selects everything.
            TEST_NAME => {}
            _ => out.filter.include.push(a),
        }
    }
    out
}

fn main() {
    let args = parse_args(std::env::args().skip(1));
    if args.list {
        // libtest's terse listing: nextest reads it to find the tests.
        if !args.ignored_only {
            println!("{TEST_NAME}: test");
        }
        return;
    }
    if args.ignored_only {
        println!("spec_tests: 0 passed, 0 failed, 0 skipped (no vector is #[ignore]d)");
        return;
    }
    let root = match vectors_root() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("consensus-spec-tests: {}", root.display());
    let mut h = Harness::new(root, args.filter);
    h.record(
        "runner/skip patterns",
        match skips::self_check() {
            Ok(()) => Outcome::Pass,
            Err(e) => Outcome::Fail(e),
        },
    );
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
