//! Fast vs reference `process_epoch` on mainnet-sized state files: cache build time, fast
//! per-phase and total medians (min-max) over fresh clones, reference side by side in the same
//! run, 1 and 2 rayon threads, fast == reference check, peak RSS.
//!
//! `cargo run --release -p maxeb-core --example fast_epoch_report -- [--runs N] [--ref-runs N]
//!  [--boundary] FILE...` (mainnet preset). `--boundary` first advances the slot to the last
//! slot before the next sync committee period (so the epoch selects a committee).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use maxeb_core::epoch::process_epoch;
use maxeb_core::fast::cache::FastCaches;
use maxeb_core::fast::epoch::{process_epoch_fast_timed, EpochConfig, EpochTimings};
use maxeb_core::fast::TrackedState;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Preset};
use ssz::Encode;
use std::time::{Duration, Instant};
use tree_hash::TreeHash;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// "median (min-max)" in ms.
fn stat(mut xs: Vec<Duration>) -> String {
    xs.sort();
    let m = xs[xs.len() / 2];
    format!(
        "{:.2} ({:.2}-{:.2})",
        ms(m),
        ms(xs[0]),
        ms(*xs.last().unwrap())
    )
}

/// A clone with the spare capacity `io::read_state` gives the validators list (1,024 entries),
/// on every registry list: a plain `clone()` has none, so the first appended validator would
/// reallocate 256 MB inside the timed epoch, on both paths.
fn clone_with_headroom(state: &BeaconState<Mainnet>) -> BeaconState<Mainnet> {
    use ssz_types::VariableList;
    fn spare<T: Clone, N: typenum::Unsigned>(l: &VariableList<T, N>) -> VariableList<T, N> {
        let mut v: Vec<T> = Vec::with_capacity(l.len() + 1024);
        v.extend_from_slice(l);
        VariableList::new(v).unwrap()
    }
    let mut s = state.clone();
    s.validators = spare(&state.validators);
    s.balances = spare(&state.balances);
    s.previous_epoch_participation = spare(&state.previous_epoch_participation);
    s.current_epoch_participation = spare(&state.current_epoch_participation);
    s.inactivity_scores = spare(&state.inactivity_scores);
    s
}

fn peak_rss_mb() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM"))
                .map(|l| l.trim_start_matches("VmHWM:").trim().to_string())
        })
        .unwrap_or_default()
}

fn main() {
    let mut runs = 7usize;
    let mut ref_runs = 3usize;
    let mut boundary = false;
    let mut files = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().unwrap().parse().unwrap(),
            "--ref-runs" => ref_runs = args.next().unwrap().parse().unwrap(),
            "--boundary" => boundary = true,
            _ => files.push(a),
        }
    }
    for file in files {
        let t = Instant::now();
        let mut state: BeaconState<Mainnet> =
            maxeb_core::io::read_state(std::path::Path::new(&file)).unwrap();
        let load = t.elapsed();
        if boundary {
            let period = Mainnet::EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
            let e = state.slot / Mainnet::SLOTS_PER_EPOCH;
            let target = (e + 1).div_ceil(period) * period - 1; // (target + 1) % period == 0
            state.slot = (target + 1) * Mainnet::SLOTS_PER_EPOCH - 1;
        }
        println!(
            "== {file}: {} indices, epoch {}, loaded in {:.0} ms{}",
            state.validators.len(),
            state.slot / Mainnet::SLOTS_PER_EPOCH,
            ms(load),
            if boundary {
                " (slot moved to a sync committee period's last epoch)"
            } else {
                ""
            }
        );

        // Cache build.
        let mut builds = Vec::new();
        let mut caches = None;
        for _ in 0..runs.min(5) {
            let t = Instant::now();
            let c = FastCaches::build(&state).unwrap();
            builds.push(t.elapsed());
            caches = Some(c);
        }
        let caches = caches.unwrap();
        println!(
            "cache build: {} ms; live set {} of {}",
            stat(builds),
            caches.live_len(),
            state.validators.len()
        );

        if std::env::var("PROBE").is_ok() {
            // Memory-access probe: the same sum over the live list and over every index.
            let e = state.slot / Mainnet::SLOTS_PER_EPOCH;
            let live = caches.live();
            let gaps = live.windows(2).filter(|w| w[1] != w[0] + 1).count();
            println!("live runs: {} gaps in {} live indices", gaps, live.len());
            for _ in 0..3 {
                let t = Instant::now();
                let mut a = 0u64;
                for &i in live {
                    let v = &state.validators[i as usize];
                    if v.activation_epoch <= e && e < v.exit_epoch && !v.slashed {
                        a += v.effective_balance;
                    }
                }
                let sparse = t.elapsed();
                let t = Instant::now();
                let mut b = 0u64;
                for v in state.validators.iter() {
                    if v.activation_epoch <= e && e < v.exit_epoch && !v.slashed {
                        b += v.effective_balance;
                    }
                }
                let dense = t.elapsed();
                println!(
                    "probe: sparse over live {:.2} ms, dense over all {:.2} ms ({a} {b})",
                    ms(sparse),
                    ms(dense)
                );
            }
        }
        // Fast, 1 and 2 threads, each run on fresh clones of the state and of the built caches.
        let mut fast_result = None;
        for threads in [1usize, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut totals = Vec::new();
            let mut phases: Vec<Vec<Duration>> = vec![Vec::new(); 12];
            let mut next_epoch_totals = Vec::new();
            for _ in 0..runs {
                let mut tracked = TrackedState::new(clone_with_headroom(&state));
                let mut c = caches.clone();
                let mut timings = EpochTimings::default();
                let t = Instant::now();
                pool.install(|| {
                    process_epoch_fast_timed(
                        &mut tracked,
                        &mut c,
                        &EpochConfig::all(),
                        &mut timings,
                    )
                })
                .unwrap();
                totals.push(t.elapsed());
                for (k, (_, d)) in timings.phases().iter().enumerate() {
                    phases[k].push(*d);
                }
                // The next epoch with the carried (pruned) caches.
                *tracked.fields_mut().slot += Mainnet::SLOTS_PER_EPOCH;
                let t = Instant::now();
                pool.install(|| {
                    process_epoch_fast_timed(
                        &mut tracked,
                        &mut c,
                        &EpochConfig::all(),
                        &mut EpochTimings::default(),
                    )
                })
                .unwrap();
                next_epoch_totals.push(t.elapsed());
                if threads == 2 && fast_result.is_none() {
                    fast_result = Some(tracked.into_state());
                }
            }
            println!("fast process_epoch, {threads} thread(s), {runs} runs: {} ms; next epoch with carried caches {} ms", stat(totals), stat(next_epoch_totals));
            let names = EpochTimings::default().phases();
            for (k, (name, _)) in names.iter().enumerate() {
                println!("    {name:<28} {} ms", stat(phases[k].clone()));
            }
        }

        // Reference, same process, fresh clones.
        let mut refs = Vec::new();
        let mut ref_result = None;
        for _ in 0..ref_runs {
            let mut s = clone_with_headroom(&state);
            // The reference epoch followed by a second one, as the fast runs did.
            let t = Instant::now();
            process_epoch(&mut s).unwrap();
            refs.push(t.elapsed());
            s.slot += Mainnet::SLOTS_PER_EPOCH;
            process_epoch(&mut s).unwrap();
            ref_result.get_or_insert(s);
        }
        if ref_runs == 0 {
            continue;
        }
        println!(
            "reference process_epoch, {ref_runs} runs: {} ms",
            stat(refs)
        );
        let (a, b) = (fast_result.unwrap(), ref_result.unwrap());
        let equal = a.as_ssz_bytes() == b.as_ssz_bytes();
        let (ra, rb) = (a.tree_hash_root(), b.tree_hash_root());
        println!(
            "two consecutive epochs, fast (carried caches) == reference: SSZ bytes {}, roots {} ({ra:?})",
            if equal { "identical" } else { "DIFFER" },
            if ra == rb { "equal" } else { "DIFFER" }
        );
        assert!(equal && ra == rb);
        println!("peak RSS so far: {}", peak_rss_mb());
    }
}
