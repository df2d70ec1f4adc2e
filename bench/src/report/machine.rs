//! This machine's limits, measured at the start of a report: the SHA-256 node-hash rate of the
//! root's kernel and the memory read bandwidth, both on every thread the run uses. Each time in
//! the report is set against them (`floors`), so a reader sees how far it is from the limit on
//! the machine it ran on, busy or not.

use crate::results::{metric_names as mn, MachineRates, ScenarioResult};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// Blocks one thread hashes per call: 1 MiB of input, well inside L2.
const BLOCKS: usize = 16_384;
/// The buffer read for the bandwidth: far beyond any L3 here (32 MiB).
const READ_BYTES: usize = 512 << 20;

/// Both rates; best of a few repetitions, so a neighbour's burst does not lower the floor.
pub fn measure() -> MachineRates {
    MachineRates {
        node_hashes_per_s: hash_rate(),
        read_bytes_per_s: read_rate(),
    }
}

fn hash_rate() -> f64 {
    let threads = rayon::current_num_threads().max(1);
    let input = vec![0x5au8; BLOCKS.saturating_mul(64)];
    let mut best = 0.0_f64;
    for _ in 0..5 {
        let t = Instant::now();
        let mut reps = 0u64;
        while t.elapsed() < Duration::from_millis(40) {
            (0..threads).into_par_iter().for_each(|_| {
                let mut out = vec![0u8; BLOCKS.saturating_mul(32)];
                maxeb_core::fast::root::hash::hash_blocks(&mut out, &input);
                std::hint::black_box(&out);
            });
            reps = reps.saturating_add(1);
        }
        let blocks = reps as f64 * BLOCKS as f64 * threads as f64;
        best = best.max(blocks / t.elapsed().as_secs_f64());
    }
    best
}

fn read_rate() -> f64 {
    let words = vec![1u64; READ_BYTES / 8];
    let mut best = 0.0_f64;
    for _ in 0..4 {
        let t = Instant::now();
        let sum: u64 = words
            .par_chunks(1 << 16)
            .map(|c| c.iter().fold(0u64, |a, x| a.wrapping_add(*x)))
            .reduce(|| 0, u64::wrapping_add);
        std::hint::black_box(sum);
        best = best.max(READ_BYTES as f64 / t.elapsed().as_secs_f64());
    }
    best
}

/// Each root and epoch time's floor (ms): node hashes at the hash rate; the epoch's bytes (a
/// model: `measure::epoch_bytes_model`) at the read bandwidth; the 32 slots' hashes plus their
/// epoch's bytes.
pub fn floors(s: &ScenarioResult, rates: &MachineRates, epoch_bytes: u64) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    let hashes = |k: &str| {
        s.work
            .get(k)
            .map(|n| *n as f64 / rates.node_hashes_per_s * 1e3)
    };
    let epoch =
        (rates.read_bytes_per_s > 0.0).then(|| epoch_bytes as f64 / rates.read_bytes_per_s * 1e3);
    let mut put = |name: &str, v: Option<f64>| {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            out.insert(name.to_string(), v);
        }
    };
    put(mn::ROOT_WARM_MS, hashes("node_hashes"));
    put(mn::ROOT_COLD_MS, hashes("node_hashes.cold_root"));
    put(mn::EPOCH_FAST_MS, epoch);
    put(
        mn::SLOTS_32_MS,
        hashes("node_hashes.slots_32").map(|h| h + epoch.unwrap_or(0.0)),
    );
    out
}
