//! Figures for the incremental state root and the fast `process_slots` on a mainnet-preset state
//! file (default `/work/fixtures-cache/mainnet-2026.ssz`). Release build:
//!
//! ```sh
//! cargo run --release -p maxeb-core --example fast_root -- [FILE] [all|rss|hash]
//! ```
//! `all`: every figure (clones the state: do not read its RSS); `rss`: load, cold root, 32 slots
//! across the boundary only, for `/usr/bin/time -v`; `hash`: batched SHA-256 throughput.
//! Every root is also checked against `tree_hash` once (the first cold root) or by the fast
//! path's own equality with the reference path's state.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use maxeb_core::fast::root::hash::hash_blocks;
use maxeb_core::fast::slots::{process_slots, process_slots_with};
use maxeb_core::fast::TrackedState;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Preset};
use ssz_types::VariableList;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tree_hash::TreeHash;

type P = Mainnet;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// "median (min-max) ms over n".
fn summary(name: &str, mut v: Vec<f64>) {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let med = v[v.len() / 2];
    println!(
        "{name:<48} median {med:9.3} ms  (min {:9.3}, max {:9.3}, n={})",
        v[0],
        v[v.len() - 1],
        v.len()
    );
}

/// This process's user + system CPU time so far (ms, 10 ms ticks), from /proc/self/stat.
fn cpu_ms() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name.
    (ticks(11) + ticks(12)) * 10.0
}

static EPOCH_NS: AtomicU64 = AtomicU64::new(0);

/// The reference epoch applied with recorded validator changes (the fused epoch's pattern),
/// timed as the epoch (the clone and the diff count as epoch time, not slot time).
fn recorded_epoch(t: &mut TrackedState<P>) -> maxeb_core::error::Result<()> {
    let t0 = Instant::now();
    apply_recorded_epoch(t);
    EPOCH_NS.fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
    Ok(())
}

/// The reference epoch, timed.
fn timed_epoch(t: &mut TrackedState<P>) -> maxeb_core::error::Result<()> {
    let t0 = Instant::now();
    let r = t.with_state_mut(maxeb_core::epoch::process_epoch);
    EPOCH_NS.fetch_add(t0.elapsed().as_nanos() as u64, Ordering::Relaxed);
    r
}

fn hash_throughput() {
    let n = 1usize << 20;
    let input: Vec<u8> = (0..n * 64).map(|i| (i * 7 + 3) as u8).collect();
    let mut out = vec![0u8; n * 32];
    let mut v = Vec::new();
    for _ in 0..7 {
        let t0 = Instant::now();
        hash_blocks(&mut out, &input);
        v.push(n as f64 / t0.elapsed().as_secs_f64() / 1e6);
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "hashtree, one thread, 2^20 blocks: median {:.1} M nodes/s (min {:.1}, max {:.1})",
        v[3], v[0], v[6]
    );
    let mut v = Vec::new();
    for _ in 0..3 {
        let t0 = Instant::now();
        for b in input.chunks_exact(64).take(n / 4) {
            std::hint::black_box(ethereum_hashing::hash_fixed(b));
        }
        v.push((n / 4) as f64 / t0.elapsed().as_secs_f64() / 1e6);
    }
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "sha2 (ethereum_hashing) one block per call:   median {:.1} M nodes/s (min {:.1}, max {:.1})",
        v[1], v[0], v[2]
    );
}

/// A small state: the first `n` validators of `s` (and their per-validator entries).
fn small(s: &BeaconState<P>, n: usize) -> BeaconState<P> {
    let mut x = s.clone();
    x.validators = VariableList::new(x.validators.iter().take(n).cloned().collect()).unwrap();
    x.balances = VariableList::new(x.balances.iter().take(n).copied().collect()).unwrap();
    x.previous_epoch_participation = VariableList::new(
        x.previous_epoch_participation
            .iter()
            .take(n)
            .copied()
            .collect(),
    )
    .unwrap();
    x.current_epoch_participation = VariableList::new(
        x.current_epoch_participation
            .iter()
            .take(n)
            .copied()
            .collect(),
    )
    .unwrap();
    x.inactivity_scores =
        VariableList::new(x.inactivity_scores.iter().take(n).copied().collect()).unwrap();
    x.pending_deposits = Default::default();
    x.pending_partial_withdrawals = Default::default();
    x.pending_consolidations = Default::default();
    x
}

/// The fused epoch's pattern: the reference epoch run on a clone, then applied to `t` with the
/// changed validators recorded one by one (found by diffing) and every other field assigned.
/// Returns how many validators changed.
fn apply_recorded_epoch(t: &mut TrackedState<P>) -> usize {
    let mut s = t.state().clone();
    maxeb_core::epoch::process_epoch(&mut s).unwrap();
    if std::env::var_os("FAST_ROOT_COUNTS").is_some() {
        let o = t.state();
        let diff = |a: &[u64], b: &[u64]| a.iter().zip(b).filter(|(x, y)| x != y).count();
        let diff8 = |a: &[u8], b: &[u8]| a.iter().zip(b).filter(|(x, y)| x != y).count();
        println!(
            "  epoch changes: balances {}, inactivity {}, prev participation {}, cur participation {}, pending deposits {} -> {}, partials {} -> {}, consolidations {} -> {}",
            diff(&o.balances, &s.balances),
            diff(&o.inactivity_scores, &s.inactivity_scores),
            diff8(&o.previous_epoch_participation, &s.previous_epoch_participation),
            diff8(&o.current_epoch_participation, &s.current_epoch_participation),
            o.pending_deposits.len(),
            s.pending_deposits.len(),
            o.pending_partial_withdrawals.len(),
            s.pending_partial_withdrawals.len(),
            o.pending_consolidations.len(),
            s.pending_consolidations.len()
        );
    }
    let mut changed = 0;
    for (i, v) in s.validators.iter().enumerate() {
        match t.state().validators.get(i) {
            Some(old) if old == v => continue,
            Some(_) => *t.validator_mut(i).unwrap() = v.clone(),
            None => t.push_validator(v.clone()).unwrap(),
        }
        changed += 1;
    }
    {
        let f = t.fields_mut();
        *f.balances = s.balances.clone();
        *f.previous_epoch_participation = s.previous_epoch_participation.clone();
        *f.current_epoch_participation = s.current_epoch_participation.clone();
        *f.inactivity_scores = s.inactivity_scores.clone();
        *f.randao_mixes = s.randao_mixes.clone();
        *f.slashings = s.slashings.clone();
        *f.historical_summaries = s.historical_summaries.clone();
        *f.eth1_data_votes = s.eth1_data_votes.clone();
        *f.justification_bits = s.justification_bits.clone();
        *f.previous_justified_checkpoint = s.previous_justified_checkpoint;
        *f.current_justified_checkpoint = s.current_justified_checkpoint;
        *f.finalized_checkpoint = s.finalized_checkpoint;
        *f.current_sync_committee = s.current_sync_committee.clone();
        *f.next_sync_committee = s.next_sync_committee.clone();
        *f.deposit_balance_to_consume = s.deposit_balance_to_consume;
        *f.exit_balance_to_consume = s.exit_balance_to_consume;
        *f.earliest_exit_epoch = s.earliest_exit_epoch;
        *f.consolidation_balance_to_consume = s.consolidation_balance_to_consume;
        *f.earliest_consolidation_epoch = s.earliest_consolidation_epoch;
        *f.pending_deposits = s.pending_deposits.clone();
        *f.pending_partial_withdrawals = s.pending_partial_withdrawals.clone();
        *f.pending_consolidations = s.pending_consolidations.clone();
    }
    assert_eq!(t.state(), &s, "applied epoch");
    changed
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "/work/fixtures-cache/mainnet-2026.ssz".into());
    let mode = args.get(2).cloned().unwrap_or_else(|| "all".into());
    if mode == "hash" {
        hash_throughput();
        return;
    }
    let t0 = Instant::now();
    let state = maxeb_core::io::read_state::<P>(std::path::Path::new(&path)).unwrap();
    println!(
        "loaded {path}: {} validators, slot {} (slot in epoch {}), {:.0} ms; rayon threads {}",
        state.validators.len(),
        state.slot,
        state.slot % P::SLOTS_PER_EPOCH,
        ms(t0.elapsed()),
        rayon::current_num_threads()
    );

    if mode == "cold" {
        // For a profiler: cold roots only.
        let mut t = TrackedState::new(state);
        let mut cold = Vec::new();
        let n: usize = std::env::var("COLD_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(3);
        for _ in 0..n {
            t = TrackedState::new(t.into_state());
            let t0 = Instant::now();
            std::hint::black_box(t.hash_tree_root());
            cold.push(ms(t0.elapsed()));
        }
        summary("cold root (parallel)", cold);
        return;
    }
    if mode == "small" {
        // For a profiler: 8,192 slots of the 256-validator state, twice.
        let sm = small(&state, 256);
        drop(state);
        for _ in 0..2 {
            let mut u = TrackedState::new(sm.clone());
            let target = u.state().slot + 8192;
            EPOCH_NS.store(0, Ordering::Relaxed);
            let t0 = Instant::now();
            process_slots_with(&mut u, target, timed_epoch).unwrap();
            println!(
                "8,192 slots: {:.0} ms, of which epochs {:.0} ms",
                ms(t0.elapsed()),
                EPOCH_NS.load(Ordering::Relaxed) as f64 / 1e6
            );
        }
        return;
    }
    if mode == "epoch-rec" {
        // For a profiler: the warm root after a recorded epoch.
        let mut t = TrackedState::new(state);
        let _ = t.hash_tree_root();
        for _ in 0..2 {
            let changed = apply_recorded_epoch(&mut t);
            let (t0, c0) = (Instant::now(), cpu_ms());
            std::hint::black_box(t.hash_tree_root());
            println!(
                "root after a recorded epoch ({changed} validators): {:.1} ms, CPU {:.0} ms",
                ms(t0.elapsed()),
                cpu_ms() - c0
            );
        }
        return;
    }
    if mode == "warm" {
        // For a profiler: one cold root, then many warm roots of an unchanged state.
        let mut t = TrackedState::new(state);
        let _ = t.hash_tree_root();
        let mut warm = Vec::new();
        for _ in 0..200 {
            let t0 = Instant::now();
            std::hint::black_box(t.hash_tree_root());
            warm.push(ms(t0.elapsed()));
        }
        summary("warm root, nothing changed", warm);
        return;
    }
    if mode == "rss" || mode == "rss-root" {
        let mut t = TrackedState::new(state);
        let (t0, c0) = (Instant::now(), cpu_ms());
        let root = t.hash_tree_root();
        println!(
            "cold root {root} in {:.1} ms (process CPU {:.0} ms)",
            ms(t0.elapsed()),
            cpu_ms() - c0
        );
        println!("root cache heap bytes: {}", t.root_cache_bytes());
        if mode == "rss-root" {
            return;
        }
        let target = t.state().slot + 32;
        let t0 = Instant::now();
        process_slots(&mut t, target).unwrap();
        println!(
            "32 slots in {:.1} ms; root {}",
            ms(t0.elapsed()),
            t.hash_tree_root()
        );
        return;
    }

    // Cold root: the first against tree_hash, then fresh caches.
    let t0 = Instant::now();
    let want = state.tree_hash_root();
    println!(
        "tree_hash_root (reference, one thread): {:.0} ms",
        ms(t0.elapsed())
    );
    let mut t = TrackedState::new(state);
    let mut cold = Vec::new();
    let mut cold_cpu = Vec::new();
    for i in 0..5 {
        if i > 0 {
            t = TrackedState::new(t.into_state());
        }
        let (t0, c0) = (Instant::now(), cpu_ms());
        let r = t.hash_tree_root();
        cold.push(ms(t0.elapsed()));
        cold_cpu.push(cpu_ms() - c0);
        assert_eq!(r, want, "cold root");
    }
    summary("cold root (parallel)", cold);
    summary("  its process CPU time (user+sys, 10 ms ticks)", cold_cpu);
    println!(
        "root cache heap bytes: {} ({:.1} MB)",
        t.root_cache_bytes(),
        t.root_cache_bytes() as f64 / 1e6
    );

    let mut warm = Vec::new();
    for _ in 0..9 {
        let t0 = Instant::now();
        let r = t.hash_tree_root();
        warm.push(ms(t0.elapsed()));
        assert_eq!(r, want);
    }
    summary("warm root, nothing changed", warm);

    // One empty slot mid-epoch (no boundary): advance to the epoch's first slot + 1 first.
    let base = t.state().slot;
    let to_mid = base + (P::SLOTS_PER_EPOCH - base % P::SLOTS_PER_EPOCH) + 1;
    process_slots(&mut t, to_mid).unwrap();
    let _ = t.hash_tree_root();
    let mut one = Vec::new();
    for _ in 0..9 {
        let s = t.state().slot + 1;
        if s % P::SLOTS_PER_EPOCH == 0 {
            break;
        }
        let t0 = Instant::now();
        process_slots(&mut t, s).unwrap();
        one.push(ms(t0.elapsed()));
    }
    summary("one empty slot, one process_slots call each", one);
    // Several slots in one call: after its first, each slot's root is the quick one.
    let mut per_slot = Vec::new();
    for _ in 0..5 {
        let s = t.state().slot;
        let left = P::SLOTS_PER_EPOCH - 1 - s % P::SLOTS_PER_EPOCH;
        if left < 5 {
            break;
        }
        let t0 = Instant::now();
        process_slots(&mut t, s + 4).unwrap();
        per_slot.push(ms(t0.elapsed()) / 4.0);
    }
    summary("empty slot, 4 slots per call (per slot)", per_slot);
    let t0 = Instant::now();
    let r = t.hash_tree_root();
    let d = ms(t0.elapsed());
    assert_eq!(r, t.state().tree_hash_root(), "after empty slots");
    println!("  (root after those slots checked against tree_hash; warm root {d:.3} ms)");

    // Warm root after a reference process_epoch through with_state_mut (every validator marked).
    let mut after_all = Vec::new();
    let mut after_rec = Vec::new();
    for rep in 0..3 {
        t.with_state_mut(maxeb_core::epoch::process_epoch).unwrap();
        let t0 = Instant::now();
        let r = t.hash_tree_root();
        after_all.push(ms(t0.elapsed()));
        if rep == 0 {
            assert_eq!(r, t.state().tree_hash_root(), "after epoch");
        }
        let changed = apply_recorded_epoch(&mut t);
        let t0 = Instant::now();
        let r = t.hash_tree_root();
        after_rec.push(ms(t0.elapsed()));
        println!("  epoch {rep}: {changed} validators changed");
        if rep == 0 {
            assert_eq!(r, t.state().tree_hash_root(), "after recorded epoch");
        }
    }
    summary("warm root after process_epoch (all marked)", after_all);
    summary("warm root after an epoch, changes recorded", after_rec);

    // 32 slots across the boundary, from an epoch's last slot... first back to mid-epoch.
    let mut slots32 = Vec::new();
    let mut epochs = Vec::new();
    for _ in 0..3 {
        let s = t.state().slot;
        let target = s + 32;
        EPOCH_NS.store(0, Ordering::Relaxed);
        let t0 = Instant::now();
        process_slots_with(&mut t, target, timed_epoch).unwrap();
        slots32.push(ms(t0.elapsed()));
        epochs.push(EPOCH_NS.load(Ordering::Relaxed) as f64 / 1e6);
    }
    summary("32 slots across one boundary (total)", slots32.clone());
    summary("  of which the reference process_epoch", epochs.clone());
    summary(
        "  32 slots minus the epoch",
        slots32.iter().zip(&epochs).map(|(a, b)| a - b).collect(),
    );
    assert_eq!(
        t.hash_tree_root(),
        t.state().tree_hash_root(),
        "after 32 slots"
    );
    let mut slots32 = Vec::new();
    let mut epochs = Vec::new();
    for _ in 0..3 {
        let target = t.state().slot + 32;
        EPOCH_NS.store(0, Ordering::Relaxed);
        let t0 = Instant::now();
        process_slots_with(&mut t, target, recorded_epoch).unwrap();
        slots32.push(ms(t0.elapsed()));
        epochs.push(EPOCH_NS.load(Ordering::Relaxed) as f64 / 1e6);
    }
    summary(
        "32 slots, recorded-changes epoch: minus the epoch",
        slots32.iter().zip(&epochs).map(|(a, b)| a - b).collect(),
    );
    assert_eq!(
        t.hash_tree_root(),
        t.state().tree_hash_root(),
        "after 32 slots (recorded)"
    );

    // 8,192 empty slots of a small state (256 validators, same file's other fields).
    let sm = small(t.state(), 256);
    drop(t);
    let mut runs = Vec::new();
    let mut epochs = Vec::new();
    let mut end_root = None;
    for _ in 0..3 {
        let mut u = TrackedState::new(sm.clone());
        let target = u.state().slot + 8192;
        EPOCH_NS.store(0, Ordering::Relaxed);
        let t0 = Instant::now();
        process_slots_with(&mut u, target, timed_epoch).unwrap();
        runs.push(ms(t0.elapsed()));
        epochs.push(EPOCH_NS.load(Ordering::Relaxed) as f64 / 1e6);
        end_root = Some(u.hash_tree_root());
    }
    summary("8,192 slots, 256 validators (total)", runs);
    summary("  of which reference process_epoch (256x)", epochs);
    // Equality with the reference path over the first 64 of those slots (the reference rehashes
    // the whole state every slot: ~20 ms each here, so not all 8,192).
    let mut reference = sm.clone();
    let mut u = TrackedState::new(sm);
    let target = reference.slot + 64;
    maxeb_core::slots::process_slots(&mut reference, target).unwrap();
    process_slots(&mut u, target).unwrap();
    assert!(u.state() == &reference, "small state after 64 slots");
    assert_eq!(u.hash_tree_root(), reference.tree_hash_root());
    let _ = end_root;
    println!("  (fast == reference after 64 slots: state and root)");
}
