//! CPU time of the fast epoch on a mainnet-sized state file: per run, the wall time of each
//! phase and the CPU time of the whole epoch summed over every thread of the process (from
//! `/proc/self/task/*/schedstat`, nanoseconds), which a loaded shared machine inflates far less
//! than wall time. Each run is on a clone of the warm engine, as `maxeb epoch` does.
//!
//! `RAYON_NUM_THREADS=1 cargo run --release -p maxeb-core --example fast_epoch_cpu -- FILE [RUNS]`
//! (mainnet preset). `--boundary` first moves the slot to the last one before the next sync
//! committee period. `FAST_EPOCH_LOOP=1` runs epochs only (no report), for perf.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

mod util;
use maxeb_core::fast::epoch::EpochTimings;
use maxeb_core::fast::FastEngine;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Preset};
use std::time::Instant;
use util::med;

/// CPU nanoseconds run by every thread of this process so far.
fn cpu_ns() -> u64 {
    let mut total = 0;
    for t in std::fs::read_dir("/proc/self/task").unwrap() {
        let p = t.unwrap().path().join("schedstat");
        if let Ok(s) = std::fs::read_to_string(p) {
            total += s
                .split_whitespace()
                .next()
                .and_then(|x| x.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    total
}

fn main() {
    let mut file = None;
    let mut runs = 7;
    let mut boundary = false;
    for a in std::env::args().skip(1) {
        if a == "--boundary" {
            boundary = true;
        } else if let Ok(n) = a.parse() {
            runs = n;
        } else {
            file = Some(a);
        }
    }
    let mut state: BeaconState<Mainnet> =
        maxeb_core::io::read_state(std::path::Path::new(&file.expect("FILE"))).unwrap();
    if boundary {
        let period = Mainnet::EPOCHS_PER_SYNC_COMMITTEE_PERIOD * Mainnet::SLOTS_PER_EPOCH;
        state.slot = (state.slot / period + 1) * period - 1;
    }
    let t = Instant::now();
    let engine = FastEngine::new(state).unwrap();
    eprintln!("cache build {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    let looping = std::env::var("FAST_EPOCH_LOOP").is_ok();
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    let mut phases: Vec<Vec<f64>> = vec![Vec::new(); EpochTimings::default().phases().len()];
    for _ in 0..runs {
        let mut e = engine.clone();
        let mut timings = EpochTimings::default();
        let (c0, t0) = (cpu_ns(), Instant::now());
        e.process_epoch_timed(&mut timings).unwrap();
        wall.push(t0.elapsed().as_secs_f64() * 1e3);
        cpu.push((cpu_ns() - c0) as f64 / 1e6);
        for (k, (_, d)) in timings.phases().iter().enumerate() {
            phases[k].push(d.as_secs_f64() * 1e3);
        }
        drop(e);
    }
    if looping {
        return;
    }
    println!("epoch wall ms {}", med(wall));
    println!("epoch cpu ms (all threads) {}", med(cpu));
    for (k, (name, _)) in EpochTimings::default().phases().iter().enumerate() {
        println!("  {name:28} {}", med(phases[k].clone()));
    }
}
