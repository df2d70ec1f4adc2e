//! Criterion benches of `process_epoch`: each fast-path step alone (`EpochConfig::only`), the whole
//! epoch on the fast engine, and the whole epoch on the spec-literal reference path. Each
//! iteration runs on a fresh clone, made outside the timed part (`iter_batched`, `LargeInput`).
//! States: see `common` (default `tiny` and `small`). Timings only: fast == reference is proved in
//! core/tests/fast_epoch.rs and by `maxeb verify`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::states;
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use maxeb_core::fast::epoch::STEP_NAMES;
use maxeb_core::fast::{process_epoch_fast, EpochConfig, FastCaches, FastEngine, TrackedState};

fn benches(c: &mut Criterion) {
    for s in states() {
        let mut g = c.benchmark_group("epoch");
        // One step alone: the tracked state and the caches, cloned per iteration. The root cache
        // stays empty (no root is taken), which keeps the clone cheap.
        let tracked = TrackedState::new(s.state.clone());
        let caches = FastCaches::build(&s.state).unwrap();
        for step in STEP_NAMES {
            let config = EpochConfig::only(step).unwrap();
            g.bench_function(
                BenchmarkId::new(format!("fast_step/{step}"), &s.name),
                |b| {
                    b.iter_batched(
                        || (tracked.clone(), caches.clone()),
                        |(mut t, mut k)| {
                            process_epoch_fast(&mut t, &mut k, &config).unwrap();
                            (t, k)
                        },
                        BatchSize::LargeInput,
                    )
                },
            );
        }
        drop((tracked, caches));

        // The whole epoch on the warm engine (caches built, cold root taken), as `maxeb epoch`.
        let mut engine = FastEngine::new(s.state.clone()).unwrap();
        engine.hash_tree_root();
        g.bench_function(BenchmarkId::new("fast", &s.name), |b| {
            b.iter_batched(
                || engine.clone(),
                |mut e| {
                    e.process_epoch().unwrap();
                    e
                },
                BatchSize::LargeInput,
            )
        });
        drop(engine);

        g.bench_function(BenchmarkId::new("reference", &s.name), |b| {
            b.iter_batched(
                || s.state.clone(),
                |mut st| {
                    maxeb_core::epoch::process_epoch(&mut st).unwrap();
                    st
                },
                BatchSize::LargeInput,
            )
        });
        g.finish();
    }
}

criterion_group! {
    name = epoch;
    config = common::config();
    targets = benches
}
criterion_main!(epoch);
