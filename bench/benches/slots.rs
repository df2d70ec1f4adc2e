//! Criterion benches of `process_slots`: 32 slots across the epoch boundary on the fast engine
//! (warm caches and root, as a running node has them) and on the reference path (a full root
//! every slot), and 8,192 empty slots of `tiny` on the fast path (256 epochs; the issue's "well
//! under a second"). Each iteration runs on a fresh clone, made outside the timed part. States:
//! see `common`. At mainnet size the reference's 32 slots take minutes per iteration (139.9 s
//! measured, issue 7), so they run there only with `MAXEB_BENCH_SLOW=1`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{large, scenario, states};
use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion};
use maxeb_core::fast::FastEngine;

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("slots");
    for s in states() {
        let to = s.state.slot.checked_add(32).unwrap();
        let mut engine = FastEngine::new(s.state.clone()).unwrap();
        engine.hash_tree_root();
        g.bench_function(BenchmarkId::new("fast_32", &s.name), |b| {
            b.iter_batched(
                || engine.clone(),
                |mut e| {
                    e.process_slots(to).unwrap();
                    e
                },
                BatchSize::LargeInput,
            )
        });
        drop(engine);
        if !large() || std::env::var_os("MAXEB_BENCH_SLOW").is_some() {
            g.bench_function(BenchmarkId::new("reference_32", &s.name), |b| {
                b.iter_batched(
                    || s.state.clone(),
                    |mut st| {
                        maxeb_core::slots::process_slots(&mut st, to).unwrap();
                        st
                    },
                    BatchSize::LargeInput,
                )
            });
        }
    }
    let tiny = scenario("tiny");
    let to = tiny.state.slot.checked_add(8192).unwrap();
    let mut engine = FastEngine::new(tiny.state).unwrap();
    engine.hash_tree_root();
    g.bench_function(BenchmarkId::new("fast_8192_empty", &tiny.name), |b| {
        b.iter_batched(
            || engine.clone(),
            |mut e| {
                e.process_slots(to).unwrap();
                e
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

criterion_group! {
    name = slots;
    config = common::config();
    targets = benches
}
criterion_main!(slots);
