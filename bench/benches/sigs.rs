//! Criterion benches of the three signature paths and the pubkey cache, each at a small and a
//! large size: small from the embedded `tiny` state (built in memory, ~3k signatures), large from
//! the built-in `small` scenario (50k indices, ~24k signatures, built in memory), or from the
//! fixture file `$MAXEB_SIGS_LARGE` (mainnet-2026-consolidated-max-fresh: ~155k signatures;
//! mainnet-2026: ~950k, with `MAXEB_SIGS_LARGE_SCENARIO=mainnet-2026`). Signatures come from the on-disk workload cache that
//! `maxeb sigs` fills (signed here on first use). Timings only: correctness is in
//! fixtures/tests/sigs.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use maxeb_core::helpers::accessors::{get_active_validator_indices, get_current_epoch};
use maxeb_core::sigs::{
    aggregate_committees, verify_aggregates, verify_gossip, Blinding, PubkeyCache,
};
use maxeb_core::types::BeaconState;
use maxeb_core::Mainnet;
use maxeb_fixtures::attestations::{epoch_workload, key_count, EpochWorkload, WorkloadOptions};
use maxeb_fixtures::{generate_state, keys, GenOptions, ScenarioSource};
use std::path::{Path, PathBuf};

type P = Mainnet;

struct Case {
    name: &'static str,
    state: BeaconState<P>,
    active: Vec<u64>,
    work: EpochWorkload,
    cache: PubkeyCache,
}

fn sig_dir() -> PathBuf {
    std::env::var_os("MAXEB_SIG_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/out/sigs"))
}

fn case(name: &'static str, scenario: &str, state: BeaconState<P>) -> Case {
    let s = ScenarioSource::Builtin(scenario.into()).load().unwrap();
    let opts = WorkloadOptions {
        label: s.name.clone(),
        seed: s.seed,
        participation: s.participation.previous.source,
        wrong_head: 0.05,
        cache_dir: Some(sig_dir()),
        progress: false,
        key_count: Some(key_count(&s)),
        key_cache: Some(keys::default_cache_dir()),
    };
    let (work, _) = epoch_workload(&state, &opts).unwrap();
    let active = get_active_validator_indices(&state, get_current_epoch(&state));
    let cache = PubkeyCache::build(&state.validators, &active);
    Case {
        name,
        state,
        active,
        work,
        cache,
    }
}

fn cases() -> Vec<Case> {
    let tiny = maxeb_fixtures::tiny().unwrap();
    let gen = GenOptions {
        key_cache: Some(keys::default_cache_dir()),
    };
    let mut out = vec![case(
        "small",
        "tiny",
        generate_state::<P>(&tiny, &gen).unwrap().0,
    )];
    // Large: a mainnet-sized fixture file when `MAXEB_SIGS_LARGE` names one (its scenario in
    // `MAXEB_SIGS_LARGE_SCENARIO`, default mainnet-2026-consolidated-max-fresh), else the built-in
    // `small` state (50k indices, ~24k signatures per epoch), built in memory.
    match std::env::var_os("MAXEB_SIGS_LARGE").map(PathBuf::from) {
        Some(large) => {
            let scenario = std::env::var("MAXEB_SIGS_LARGE_SCENARIO")
                .unwrap_or_else(|_| "mainnet-2026-consolidated-max-fresh".into());
            let state = maxeb_core::io::read_state::<P>(&large).unwrap();
            out.push(case("large", &scenario, state));
        }
        None => {
            let small = ScenarioSource::Builtin("small".into()).load().unwrap();
            out.push(case(
                "large",
                "small",
                generate_state::<P>(&small, &gen).unwrap().0,
            ));
        }
    }
    out
}

fn benches(c: &mut Criterion) {
    let cases = cases();
    let blinding = Blinding::Os;
    let mut g = c.benchmark_group("sigs");
    g.sample_size(10);
    g.measurement_time(std::time::Duration::from_secs(5));
    for k in &cases {
        let w = &k.work;
        // 1. Gossip: one batch of 2,048 signatures (grouped, blinded) from the epoch.
        let n = w.attestations.len().min(2048);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::new("gossip_2048", k.name), |b| {
            b.iter(|| {
                verify_gossip(
                    &w.attestations[..n],
                    &w.signing_roots,
                    &k.cache,
                    4096,
                    &blinding,
                )
                .unwrap()
            })
        });
        let points = verify_gossip(&w.attestations, &w.signing_roots, &k.cache, 4096, &blinding)
            .unwrap()
            .points;
        // 2. Aggregation of every committee of the epoch.
        g.throughput(Throughput::Elements(w.attestations.len() as u64));
        g.bench_function(BenchmarkId::new("aggregation_epoch", k.name), |b| {
            b.iter(|| aggregate_committees(&w.jobs, &points, &k.cache))
        });
        // 3. Aggregate path: every committee aggregate of the epoch, batched.
        let triples: Vec<_> = aggregate_committees(&w.jobs, &points, &k.cache)
            .into_iter()
            .flatten()
            .map(|a| (a.pubkey, a.message, a.signature))
            .collect();
        g.throughput(Throughput::Elements(triples.len() as u64));
        g.bench_function(BenchmarkId::new("aggregate_path_epoch", k.name), |b| {
            b.iter(|| verify_aggregates(&triples, &w.signing_roots, 4096, &blinding).unwrap())
        });
        // Pubkey cache: build for 2,048 keys; save + load the whole active set.
        let some = &k.active[..k.active.len().min(2048)];
        g.throughput(Throughput::Elements(some.len() as u64));
        g.bench_function(BenchmarkId::new("pubkey_cache_build_2048", k.name), |b| {
            b.iter(|| PubkeyCache::build(&k.state.validators, some))
        });
        let file = std::env::temp_dir().join(format!("maxeb-bench-pkc-{}.bin", k.name));
        k.cache.save(&file, &k.state.validators).unwrap();
        g.throughput(Throughput::Elements(k.active.len() as u64));
        g.bench_function(BenchmarkId::new("pubkey_cache_load", k.name), |b| {
            b.iter_batched(
                || (),
                |()| PubkeyCache::load(&file, &k.state.validators, &k.active).unwrap(),
                BatchSize::PerIteration,
            )
        });
        let _ = std::fs::remove_file(&file);
    }
    g.finish();
}

criterion_group!(sigs, benches);
criterion_main!(sigs);
