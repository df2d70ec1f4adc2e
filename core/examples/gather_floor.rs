//! The memory floor of the fast epoch's two passes on a state's own layout: the same loads
//! and stores by live index as the scan and the fused pass, with no work between them, against
//! the same byte count read sequentially. Each run starts with the caches flushed (a 256 MB
//! write), as an epoch does after a slot's work. Release build:
//!
//! ```sh
//! cargo run --release -p maxeb-core --example gather_floor -- FILE [RUNS]
//! ```
//! Prints medians (min-max) in ms for: the dense stream, the scan's gathers (a u64 and three
//! u8 lists), the pass's (read and write a u64 list, read another), each with and without the
//! software prefetch hint the engine uses on sparse ranges; then the same two passes with the
//! effective balances (scan) or the inactivity scores (pass) read from a copy in live order, the
//! layouts the engine does not have yet, to tell what each would save.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    unsafe_code
)]
mod util;
use maxeb_core::fast::FastCaches;
use maxeb_core::Mainnet;
use rayon::prelude::*;
use std::time::Instant;
use util::med;

const RANGE: usize = 1 << 15;
const AHEAD: usize = 16;

#[inline(always)]
fn hint<T>(s: &[T], i: usize) {
    if let Some(r) = s.get(i) {
        // SAFETY: a pointer into a live slice; a prefetch cannot fault.
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                (r as *const T).cast::<i8>(),
            )
        };
    }
}

fn flush(buf: &mut [u64]) {
    buf.par_iter_mut().for_each(|x| *x = x.wrapping_add(1));
}

/// The live indices of each registry range.
fn ranges(live: &[u32], n: usize) -> Vec<&[u32]> {
    (0..n.div_ceil(RANGE))
        .map(|k| {
            let lo = live.partition_point(|&x| (x as usize) < k * RANGE);
            let hi = live.partition_point(|&x| (x as usize) < (k + 1) * RANGE);
            &live[lo..hi]
        })
        .collect()
}

fn scan_like(r: &[&[u32]], eb: &[u64], a: &[u8], b: &[u8], c: &[u8], pf: bool) -> u64 {
    r.par_iter()
        .map(|live| {
            let mut s = 0u64;
            for (n, &i) in live.iter().enumerate() {
                if pf {
                    if let Some(&x) = live.get(n + AHEAD) {
                        let x = x as usize;
                        hint(eb, x);
                        hint(a, x);
                        hint(b, x);
                        hint(c, x);
                    }
                }
                let i = i as usize;
                s = s.wrapping_add(eb[i] ^ u64::from(a[i] ^ b[i] ^ c[i]));
            }
            s
        })
        .sum()
}

/// `scan_like` with the effective balances in live order (`eb_live[k]` for `live[k]`).
fn scan_dense_eb(r: &[&[u32]], eb_live: &[u64], a: &[u8], b: &[u8], c: &[u8]) -> u64 {
    let mut at = 0;
    let parts: Vec<(&[u32], &[u64])> = r
        .iter()
        .map(|live| {
            let e = &eb_live[at..at + live.len()];
            at += live.len();
            (*live, e)
        })
        .collect();
    parts
        .par_iter()
        .map(|(live, e)| {
            let mut s = 0u64;
            for (n, (&i, &eb)) in live.iter().zip(e.iter()).enumerate() {
                if let Some(&x) = live.get(n + AHEAD) {
                    let x = x as usize;
                    hint(a, x);
                    hint(b, x);
                    hint(c, x);
                }
                let i = i as usize;
                s = s.wrapping_add(eb ^ u64::from(a[i] ^ b[i] ^ c[i]));
            }
            s
        })
        .sum()
}

/// `pass_like` with the scores read from a copy in live order (`scores_live[k]` for `live[k]`),
/// and the balances gathered with the hint.
fn pass_dense_scores(r: &[&[u32]], bal: &mut [u64], scores_live: &[u64]) -> u64 {
    let mut rest = bal;
    let mut chunks = Vec::new();
    let mut at = 0;
    for live in r {
        let n = rest.len().min(RANGE);
        let (c, tail) = rest.split_at_mut(n);
        chunks.push((c, *live, &scores_live[at..at + live.len()]));
        at += live.len();
        rest = tail;
    }
    chunks
        .into_par_iter()
        .enumerate()
        .map(|(k, (bal, live, sc))| {
            let base = k * RANGE;
            let mut s = 0u64;
            for (n, (&i, &sc)) in live.iter().zip(sc.iter()).enumerate() {
                if let Some(&x) = live.get(n + AHEAD) {
                    hint(bal, x as usize - base);
                }
                let i = i as usize;
                s = s.wrapping_add(sc);
                bal[i - base] = bal[i - base].wrapping_add(sc | 1);
            }
            s
        })
        .sum()
}

fn pass_like(r: &[&[u32]], bal: &mut [u64], scores: &[u64], pf: bool) -> u64 {
    let mut rest = bal;
    let mut chunks = Vec::new();
    for _ in 0..r.len() {
        let at = rest.len().min(RANGE);
        let (c, tail) = rest.split_at_mut(at);
        chunks.push(c);
        rest = tail;
    }
    chunks
        .into_par_iter()
        .zip(r.par_iter())
        .enumerate()
        .map(|(k, (bal, live))| {
            let base = k * RANGE;
            let mut s = 0u64;
            for (n, &i) in live.iter().enumerate() {
                if pf {
                    if let Some(&x) = live.get(n + AHEAD) {
                        hint(bal, x as usize - base);
                        hint(scores, x as usize);
                    }
                }
                let i = i as usize;
                let sc = scores[i];
                s = s.wrapping_add(sc);
                bal[i - base] = bal[i - base].wrapping_add(sc | 1);
            }
            s
        })
        .sum()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: gather_floor FILE [RUNS]");
    let runs: usize = args.next().map_or(25, |x| x.parse().unwrap());
    let state = maxeb_core::io::read_state::<Mainnet>(std::path::Path::new(&path)).unwrap();
    let caches = FastCaches::build(&state).unwrap();
    let live = caches.live().to_vec();
    let n = state.validators.len();
    let eb: Vec<u64> = state
        .validators
        .iter()
        .map(|v| v.effective_balance)
        .collect();
    let kinds: Vec<u8> = state
        .previous_epoch_participation
        .iter()
        .map(|x| x ^ 1)
        .collect();
    let pp: Vec<u8> = state.previous_epoch_participation.to_vec();
    let cp: Vec<u8> = state.current_epoch_participation.to_vec();
    let mut bal: Vec<u64> = state.balances.to_vec();
    let scores: Vec<u64> = state.inactivity_scores.to_vec();
    drop(state);
    let r = ranges(&live, n);
    let dense: Vec<u64> = vec![1; live.len() * 3];
    let eb_live: Vec<u64> = live.iter().map(|&i| eb[i as usize]).collect();
    let scores_live: Vec<u64> = live.iter().map(|&i| scores[i as usize]).collect();
    let mut junk = vec![0u64; 32 << 20];
    let mut t: [Vec<f64>; 7] = Default::default();
    let mut sink = 0u64;
    for _ in 0..runs {
        let mut time = |slot: usize, f: &mut dyn FnMut() -> u64, junk: &mut Vec<u64>| {
            flush(junk);
            let s = Instant::now();
            let x = f();
            t[slot].push(s.elapsed().as_secs_f64() * 1e3);
            x
        };
        sink ^= time(0, &mut || dense.par_iter().sum::<u64>(), &mut junk);
        sink ^= time(
            1,
            &mut || scan_like(&r, &eb, &kinds, &pp, &cp, false),
            &mut junk,
        );
        sink ^= time(
            2,
            &mut || scan_like(&r, &eb, &kinds, &pp, &cp, true),
            &mut junk,
        );
        sink ^= time(
            3,
            &mut || pass_like(&r, &mut bal, &scores, false),
            &mut junk,
        );
        sink ^= time(4, &mut || pass_like(&r, &mut bal, &scores, true), &mut junk);
        sink ^= time(
            5,
            &mut || scan_dense_eb(&r, &eb_live, &kinds, &pp, &cp),
            &mut junk,
        );
        sink ^= time(
            6,
            &mut || pass_dense_scores(&r, &mut bal, &scores_live),
            &mut junk,
        );
    }
    println!(
        "{path}: {} live of {n}, {} threads, {runs} runs (ms)",
        live.len(),
        rayon::current_num_threads()
    );
    let names = [
        "dense stream, 24 B per live validator",
        "scan's gathers (u64 + 3 x u8)",
        "scan's gathers, prefetch hint",
        "pass's gathers (u64 read+write, u64 read)",
        "pass's gathers, prefetch hint",
        "scan, effective balances in live order, hint",
        "pass, scores in live order, hint",
    ];
    for (name, x) in names.iter().zip(t) {
        println!("  {name:44} {}", med(x));
    }
    std::hint::black_box(sink);
}
