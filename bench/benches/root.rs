//! Criterion benches of the state root: the warm root after one epoch (the incremental root cache
//! rehashes what the epoch changed), the cold root (a fresh engine: every layer hashed, in
//! parallel), and the reference full recompute with `tree_hash`. States: see `common`. Timings
//! only: the roots' equality is proved in core/tests/fast_root.rs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::states;
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use maxeb_core::fast::FastEngine;
use tree_hash::TreeHash;

fn benches(c: &mut Criterion) {
    for s in states() {
        let mut g = c.benchmark_group("root");
        // Warm: the engine after one epoch, its root cache holding the pre-epoch layers.
        let mut engine = FastEngine::new(s.state.clone()).unwrap();
        engine.hash_tree_root();
        let mut after = engine.clone();
        after.process_epoch().unwrap();
        drop(engine);
        g.bench_function(BenchmarkId::new("warm_after_epoch", &s.name), |b| {
            b.iter_batched(
                || after.clone(),
                |mut e| {
                    let root = e.hash_tree_root();
                    (e, root)
                },
                BatchSize::LargeInput,
            )
        });
        drop(after);

        // Cold: an engine whose root cache is empty (its first root).
        let fresh = FastEngine::new(s.state.clone()).unwrap();
        g.bench_function(BenchmarkId::new("cold", &s.name), |b| {
            b.iter_batched(
                || fresh.clone(),
                |mut e| {
                    let root = e.hash_tree_root();
                    (e, root)
                },
                BatchSize::LargeInput,
            )
        });
        drop(fresh);

        // Reference: tree_hash's full recompute (it keeps no cache, so no clone is needed).
        g.bench_function(BenchmarkId::new("reference_tree_hash", &s.name), |b| {
            b.iter(|| s.state.tree_hash_root())
        });
        g.finish();
    }
}

criterion_group! {
    name = root;
    config = common::config();
    targets = benches
}
criterion_main!(root);
