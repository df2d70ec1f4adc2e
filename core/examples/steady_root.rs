//! The post-epoch state root on a fresh clone of the engine (what `maxeb epoch` times) against
//! the same root one epoch later on the same engine (what a running node pays), with the minor
//! page faults of each (Linux, `/proc/self/stat`). Release build:
//!
//! ```sh
//! cargo run --release -p maxeb-core --example steady_root -- FILE
//! ```
//! FILE: a mainnet-preset state at the last slot of an epoch (e.g. a `mainnet-2026` fixture).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects
)]
use maxeb_core::fast::FastEngine;
use maxeb_core::Mainnet;
use std::time::Instant;
fn minflt() -> u64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    f.get(7).and_then(|x| x.parse().ok()).unwrap_or(0)
}
fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
/// Cross the boundary after `to - 1` (`to` one past it), then take the post-epoch root: (wall
/// time of the boundary slots, balances changed, wall time of the root, page faults in it).
fn boundary_then_root(e: &mut FastEngine<Mainnet>, to: u64) -> (f64, usize, f64, u64) {
    let before: Vec<u64> = e.state().balances.to_vec();
    let t = Instant::now();
    e.process_slots(to).unwrap();
    let boundary = ms(t.elapsed());
    let changed = e
        .state()
        .balances
        .iter()
        .zip(&before)
        .filter(|(x, y)| x != y)
        .count();
    let f0 = minflt();
    let t = Instant::now();
    e.hash_tree_root();
    let root = ms(t.elapsed());
    (boundary, changed, root, minflt() - f0)
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: steady_root FILE (a mainnet-preset state)");
    let state = maxeb_core::io::read_state::<Mainnet>(std::path::Path::new(&path)).unwrap();
    let mut engine = FastEngine::new(state).unwrap();
    engine.hash_tree_root();
    for run in 0..5 {
        let mut e = engine.clone();
        let s = e.state().slot;
        let (a, ch1, r1, f1) = boundary_then_root(&mut e, s + 1);
        e.process_slots(s + 32).unwrap();
        let (b, ch2, r2, f2) = boundary_then_root(&mut e, s + 33);
        println!(
            "run {run}: fresh clone: boundary {a:.1} ms ({ch1} balances changed), root {r1:.1} ms ({f1} faults) | one epoch later: boundary {b:.1} ms ({ch2} changed), root {r2:.1} ms ({f2} faults)"
        );
    }
}
