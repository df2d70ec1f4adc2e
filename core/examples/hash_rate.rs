//! The incremental root's floor: Merkle-node hashes per second on one thread
//! (`fast::root::hash::hash_blocks`, 64-byte blocks, hashtree), at three batch sizes.
//! `cargo run --release -p maxeb-core --example hash_rate`
#![allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_precision_loss
)]

use maxeb_core::fast::root::hash::hash_blocks;
use std::time::Instant;

fn main() {
    let n = 1 << 20;
    let input: Vec<u8> = (0..n * 64).map(|i| (i * 7 + 3) as u8).collect();
    let mut out = vec![0u8; n * 32];
    for batch in [256usize, 4096, n] {
        let mut rates = Vec::new();
        for _ in 0..7 {
            let t = Instant::now();
            for (o, i) in out.chunks_mut(batch * 32).zip(input.chunks(batch * 64)) {
                hash_blocks(o, i);
            }
            rates.push(n as f64 / t.elapsed().as_secs_f64() / 1e6);
        }
        rates.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!(
            "batch {batch:>8}: {:.1}M nodes/s (median of 7; {:.1}-{:.1})",
            rates[3], rates[0], rates[6]
        );
    }
}
