//! hashtree's SHA-256 kernels side by side on this CPU (x86-64 with SHA-NI, AVX-512 and AVX2):
//! 2^20 64-byte blocks each, three rounds, digests compared. The figures behind
//! `core::fast::root::hash`'s kernel choice. Release build:
//!
//! ```sh
//! cargo run --release -p maxeb-core --example hash_impls
//! ```
#![allow(unsafe_code, clippy::unwrap_used, clippy::arithmetic_side_effects)]
#[cfg(target_arch = "x86_64")]
use std::time::Instant;
#[cfg(target_arch = "x86_64")]
extern "C" {
    fn hashtree_sha256_shani_x2(out: *mut u8, input: *const u8, count: u64);
    fn hashtree_sha256_avx512_x16(out: *mut u8, input: *const u8, count: u64);
    fn hashtree_sha256_avx2_x8(out: *mut u8, input: *const u8, count: u64);
}
#[cfg(not(target_arch = "x86_64"))]
fn main() {
    eprintln!("hash_impls: x86-64 kernels only");
}

#[cfg(target_arch = "x86_64")]
fn main() {
    hashtree_rs::init();
    let n = 1 << 20;
    let input: Vec<u8> = (0..n * 64).map(|i| (i * 7 + 3) as u8).collect();
    let mut a = vec![0u8; n * 32];
    let mut b = vec![0u8; n * 32];
    let mut c = vec![0u8; n * 32];
    for round in 0..3 {
        let t = Instant::now();
        unsafe { hashtree_sha256_shani_x2(a.as_mut_ptr(), input.as_ptr(), n as u64) };
        let x = t.elapsed();
        let t = Instant::now();
        unsafe { hashtree_sha256_avx512_x16(b.as_mut_ptr(), input.as_ptr(), n as u64) };
        let y = t.elapsed();
        let t = Instant::now();
        unsafe { hashtree_sha256_avx2_x8(c.as_mut_ptr(), input.as_ptr(), n as u64) };
        let z = t.elapsed();
        assert_eq!(a, b);
        assert_eq!(a, c);
        let rate = |d: std::time::Duration| n as f64 / d.as_secs_f64() / 1e6;
        println!(
            "round {round}: shani_x2 {:.1} M/s, avx512_x16 {:.1} M/s, avx2_x8 {:.1} M/s",
            rate(x),
            rate(y),
            rate(z)
        );
    }
}
