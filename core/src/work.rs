//! Deterministic work counts: process-wide counters of the work the fast root and the signature
//! code do, in the algorithm's own units (a Merkle node hashed, a Miller loop, a point added or
//! decompressed). The same input gives the same counts whatever the machine, the thread count
//! or the timing, so savings ratios on them are exact where time ratios are not.
//!
//! Read [`snapshot`] before and after an operation and take [`Work::since`]. The counters are
//! global and never reset: a measurement must not overlap other counted work in the process
//! (tests that read them serialize themselves). Each is one relaxed atomic add per batch (a
//! `hash_blocks` call, a verification call), never per element of a parallel loop, so the hot
//! paths pay a few instructions per call; each counter sits on its own cache line so two
//! threads hashing do not share one.
//!
//! How each operation counts (blst, min_pk: keys in G1, signatures in G2):
//! - `node_hashes`: every 64-byte SHA-256 compression of a Merkle node by the fast root
//!   (`crate::fast::root`): `hash_blocks` adds the blocks it hashes (`hash_pair` and the length
//!   mix-ins go through it), and the small containers and list elements it leaves to `tree_hash`
//!   add the compressions `tree_hash` performs for them (`crate::fast::root::hash::NodeHashes`).
//!   The process-wide tables built once (zero subtrees, shared validator nodes) are not counted,
//!   so the first root of a process counts what every later one would.
//! - `pairings`: Miller loops, one per (G1, G2) pair: `Verify` and `FastAggregateVerify` 2 (the
//!   key with the message, the generator with the signature); `AggregateVerify` over n keys and
//!   a batch check of n sets (`verify_multiple_aggregate_signatures`, the blinded grouped check
//!   of `crate::sigs`) n + 1, where n is the number of distinct-message groups for the latter.
//! - `final_exponentiations`: one per verification call of any kind (a batch shares one).
//! - `g1_additions` / `g2_additions`: a sum of n points counts n - 1, whether blst forms it
//!   point by point (`AggregatePublicKey::aggregate`), with batched affine additions
//!   (`MultiPoint::add`) or as a multi-scalar multiplication with blinding scalars
//!   (`aggregate_with_randomness`, and the blinded signature sum inside
//!   `verify_multiple_aggregate_signatures`); the doublings and bucket additions of the scalar
//!   multiplications are not counted.
//! - `g1_decompressions` / `g2_decompressions`: each key or signature uncompressed from its 48
//!   or 96 bytes (`KeyValidate`, `sig_validate`), counted whether or not it then passes its
//!   checks; the pubkey cache's build counts the keys it decompressed (a registry key always
//!   does), and loading its raw points is none.

use std::sync::atomic::{AtomicU64, Ordering};

/// One counter on its own cache line (64 bytes, x86-64 and most ARM cores).
#[repr(align(64))]
struct Counter(AtomicU64);

impl Counter {
    const fn new() -> Self {
        Counter(AtomicU64::new(0))
    }

    #[inline]
    fn add(&self, n: u64) {
        self.0.fetch_add(n, Ordering::Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

static NODE_HASHES: Counter = Counter::new();
static PAIRINGS: Counter = Counter::new();
static FINAL_EXPONENTIATIONS: Counter = Counter::new();
static G1_ADDITIONS: Counter = Counter::new();
static G2_ADDITIONS: Counter = Counter::new();
static G1_DECOMPRESSIONS: Counter = Counter::new();
static G2_DECOMPRESSIONS: Counter = Counter::new();

/// Process-wide counters of deterministic work, read before and after an operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// 64-byte SHA-256 compressions of Merkle nodes by the fast root.
    pub node_hashes: u64,
    /// Miller loops (one per (G1, G2) pair).
    pub pairings: u64,
    pub final_exponentiations: u64,
    /// Public-key aggregation (G1 points summed).
    pub g1_additions: u64,
    /// Signature aggregation (G2 points summed).
    pub g2_additions: u64,
    pub g1_decompressions: u64,
    pub g2_decompressions: u64,
}

/// The counters now.
pub fn snapshot() -> Work {
    Work {
        node_hashes: NODE_HASHES.get(),
        pairings: PAIRINGS.get(),
        final_exponentiations: FINAL_EXPONENTIATIONS.get(),
        g1_additions: G1_ADDITIONS.get(),
        g2_additions: G2_ADDITIONS.get(),
        g1_decompressions: G1_DECOMPRESSIONS.get(),
        g2_decompressions: G2_DECOMPRESSIONS.get(),
    }
}

impl Work {
    /// The work done between `earlier` and `self` (field by field, saturating at zero).
    pub fn since(&self, earlier: &Work) -> Work {
        Work {
            node_hashes: self.node_hashes.saturating_sub(earlier.node_hashes),
            pairings: self.pairings.saturating_sub(earlier.pairings),
            final_exponentiations: self
                .final_exponentiations
                .saturating_sub(earlier.final_exponentiations),
            g1_additions: self.g1_additions.saturating_sub(earlier.g1_additions),
            g2_additions: self.g2_additions.saturating_sub(earlier.g2_additions),
            g1_decompressions: self
                .g1_decompressions
                .saturating_sub(earlier.g1_decompressions),
            g2_decompressions: self
                .g2_decompressions
                .saturating_sub(earlier.g2_decompressions),
        }
    }

    /// (name, count) of each counter, in the struct's order.
    pub fn named(&self) -> [(&'static str, u64); 7] {
        [
            ("node_hashes", self.node_hashes),
            ("pairings", self.pairings),
            ("final_exponentiations", self.final_exponentiations),
            ("g1_additions", self.g1_additions),
            ("g2_additions", self.g2_additions),
            ("g1_decompressions", self.g1_decompressions),
            ("g2_decompressions", self.g2_decompressions),
        ]
    }
}

/// `n` Merkle node compressions.
#[inline]
pub(crate) fn node_hashes(n: u64) {
    NODE_HASHES.add(n);
}

/// One verification: `miller_loops` pairs and its final exponentiation.
pub(crate) fn verification(miller_loops: u64) {
    PAIRINGS.add(miller_loops);
    FINAL_EXPONENTIATIONS.add(1);
}

/// A sum of `points` G1 points: `points - 1` additions.
pub(crate) fn g1_sum(points: usize) {
    G1_ADDITIONS.add((points as u64).saturating_sub(1));
}

/// A sum of `points` G2 points: `points - 1` additions.
pub(crate) fn g2_sum(points: usize) {
    G2_ADDITIONS.add((points as u64).saturating_sub(1));
}

/// `n` public keys uncompressed.
pub(crate) fn g1_decompressions(n: usize) {
    G1_DECOMPRESSIONS.add(n as u64);
}

/// `n` signatures uncompressed.
pub(crate) fn g2_decompressions(n: usize) {
    G2_DECOMPRESSIONS.add(n as u64);
}
