//! What the state benches share: the states they run on and the criterion config with the pprof
//! profiler (`-- --profile-time N` writes a flame graph per bench).
//!
//! States: by default `tiny` (4k indices) and `small` (50k), both built in memory through the
//! fixtures crate as `maxeb --scenario` builds them. `MAXEB_BENCH_STATE=FILE.ssz` replaces them with
//! one state file (mainnet preset, e.g. /work/fixtures-new/mainnet-2026.ssz);
//! `MAXEB_BENCH_SCENARIO=NAME` with one scenario built in memory (a built-in name or a YAML path).
//! Benches may panic on a bad setup: they are not library code.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    dead_code // each suite uses part of this module
)]

use criterion::Criterion;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Preset};
use maxeb_fixtures::{generate_state, keys, GenOptions, ScenarioSource};
use pprof::criterion::{Output, PProfProfiler};
use std::path::PathBuf;
use std::time::Duration;

pub type P = Mainnet;

/// One state a suite runs on, named for the bench ids (`tiny`, `small`, the file stem, ...).
pub struct Named {
    pub name: String,
    pub state: BeaconState<P>,
}

/// Whether a mainnet-sized state was asked for (suites shorten their timing budget then).
pub fn large() -> bool {
    std::env::var_os("MAXEB_BENCH_STATE").is_some()
        || std::env::var_os("MAXEB_BENCH_SCENARIO").is_some()
}

/// Build a scenario's state in memory, as `maxeb --scenario NAME` does.
pub fn scenario(name: &str) -> Named {
    let source = ScenarioSource::parse(name);
    let scenario = source
        .load()
        .unwrap_or_else(|e| panic!("{}: {e}", source.label()));
    let opts = GenOptions {
        key_cache: Some(keys::default_cache_dir()),
    };
    let (state, _) = generate_state::<P>(&scenario, &opts)
        .unwrap_or_else(|e| panic!("{}: generating the state: {e}", source.label()));
    Named {
        name: scenario.name,
        state,
    }
}

/// The states selected by the environment (see the module doc).
pub fn states() -> Vec<Named> {
    if let Some(file) = std::env::var_os("MAXEB_BENCH_STATE").map(PathBuf::from) {
        match maxeb_core::io::state_file_preset(&file) {
            Ok(Some(name)) if name == P::NAME => {}
            Ok(_) => panic!(
                "MAXEB_BENCH_STATE={}: not a mainnet-preset state (the benches run the mainnet preset)",
                file.display()
            ),
            Err(e) => panic!("MAXEB_BENCH_STATE: {e}"),
        }
        let state = maxeb_core::io::read_state::<P>(&file)
            .unwrap_or_else(|e| panic!("MAXEB_BENCH_STATE: {e}"));
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "state".into());
        let name = name
            .trim_end_matches(".ssz_snappy")
            .trim_end_matches(".ssz")
            .to_string();
        return vec![Named { name, state }];
    }
    if let Ok(name) = std::env::var("MAXEB_BENCH_SCENARIO") {
        return vec![scenario(&name)];
    }
    vec![scenario("tiny"), scenario("small")]
}

/// The criterion config of every state suite: few samples, short windows (the default
/// `cargo bench` of all suites must stay under 15 minutes on the 2-core machine), and pprof as the
/// profiler so `--profile-time N` writes `target/criterion/<bench id>/profile/flamegraph.svg`.
pub fn config() -> Criterion {
    let (warm_up, measure) = if large() { (1000, 10_000) } else { (500, 2000) };
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(warm_up))
        .measurement_time(Duration::from_millis(measure))
        .with_profiler(PProfProfiler::new(997, Output::Flamegraph(None)))
}
