//! Criterion benches of `BeaconState` SSZ decode (bytes -> state) and encode (state -> bytes),
//! through `ethereum_ssz` as `maxeb` reads and writes state files. States: see `common`; the
//! throughput is the SSZ size. Timings only: round trips are tested in core/tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{states, P};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use maxeb_core::types::BeaconState;
use ssz::{Decode, Encode};

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("ssz");
    for s in states() {
        let bytes = s.state.as_ssz_bytes();
        g.throughput(Throughput::Bytes(bytes.len() as u64));
        g.bench_function(BenchmarkId::new("decode", &s.name), |b| {
            b.iter(|| BeaconState::<P>::from_ssz_bytes(&bytes).unwrap())
        });
        g.bench_function(BenchmarkId::new("encode", &s.name), |b| {
            b.iter(|| s.state.as_ssz_bytes())
        });
    }
    g.finish();
}

criterion_group! {
    name = ssz;
    config = common::config();
    targets = benches
}
criterion_main!(ssz);
