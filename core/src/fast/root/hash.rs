//! SHA-256 of 64-byte blocks in batches, and the roots of all-zero subtrees.
//!
//! Every Merkle node is `sha256(left ++ right)`: one 64-byte block (plus the fixed padding block).
//! `hashtree` hashes many such blocks per call across SIMD lanes or with SHA-NI (measured here:
//! ~18-21M blocks/s/core with SHA-NI, 38-41M/s with its AVX-512 kernel, against ~11-13M/s for
//! `sha2` one at a time), so the layers are hashed in batches rather than node by node.

use std::sync::OnceLock;

/// A 32-byte Merkle node.
pub type Node = [u8; 32];

/// Deepest subtree a `BeaconState` list reaches (validators: 2^40 chunks, plus margin).
pub const MAX_DEPTH: usize = 64;

/// `out[32*i..32*i+32] = sha256(input[64*i..64*i+64])` for every whole block both slices hold;
/// each block counts as a node hash (`crate::work`).
pub fn hash_blocks(out: &mut [u8], input: &[u8]) {
    let n = hash_blocks_uncounted(out, input);
    crate::work::node_hashes(n as u64);
}

/// `hash_blocks` without counting, for the tables a process builds once (zero subtrees, shared
/// validator nodes): the first root of a process then counts what every later one would.
/// Returns the blocks hashed.
pub(super) fn hash_blocks_uncounted(out: &mut [u8], input: &[u8]) -> usize {
    // The count passed is bounded by both lengths: hashtree itself trusts it blindly.
    let n = (input.len() / 64).min(out.len() / 32);
    if n > 0 {
        kernels::hash(kernels::chosen(), out, input, n);
    }
    n
}

/// Node hashes `tree_hash` performs for the root of one value of a type the fast root leaves to
/// it (small containers, some list elements), added to `crate::work`'s count where it is called.
pub trait NodeHashes {
    const NODE_HASHES: u64;
}

/// Node hashes of a `tree_hash` Merkle tree over `leaves` chunks (`MerkleHasher`, and
/// `merkle_root`'s two-leaf shortcut): every node with a leaf below it, level by level up to the
/// root; subtrees of only padding come from its zero-hash table.
pub const fn merkle_nodes(leaves: u64) -> u64 {
    let (mut n, mut total) = (leaves, 0u64);
    while n > 1 {
        n = n.div_ceil(2);
        total = total.saturating_add(n);
    }
    total
}

/// Which SHA-256 kernel `hash_blocks` uses (`kernels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kernel {
    /// hashtree's own choice (SHA-NI whenever the CPU has it).
    Hashtree,
    /// hashtree's AVX-512 16-lane kernel for whole groups of 16 blocks, SHA-NI for the rest.
    Avx512,
}

/// The kernel in use: `MAXEB_SHA256=hashtree|avx512` if set (for side-by-side figures), else the
/// faster of the two on this CPU, timed once on 4,096 blocks.
pub fn kernel() -> Kernel {
    kernels::chosen()
}

/// hashtree's kernels, called directly. Its own dispatch takes SHA-NI whenever the CPU has it
/// ("SHANI outperforms [AVX-512] significantly on smaller lists"), but on the 2-vCPU build machine
/// of 2026-12-02 (Intel Xeon with AMX and AVX-512 FP16, i.e. Sapphire Rapids class) its AVX-512
/// 16-lane kernel hashed 38-41M blocks/s against 18-19M/s for SHA-NI x2 on 2^20 blocks
/// (`core/examples/hash_impls.rs`). Other CPUs may rank them the other way, hence the timed
/// choice. Below 16 blocks the AVX-512 kernel falls back to AVX2; the remainder goes to SHA-NI.
mod kernels {
    use super::Kernel;
    use std::sync::OnceLock;

    #[cfg(target_arch = "x86_64")]
    #[allow(unsafe_code)]
    mod ffi {
        extern "C" {
            fn hashtree_sha256_avx512_x16(output: *mut u8, input: *const u8, count: u64);
            fn hashtree_sha256_shani_x2(output: *mut u8, input: *const u8, count: u64);
        }

        /// AVX-512 x16 on `n` blocks; needs AVX-512F and VL (checked by the caller once).
        pub(super) fn avx512_x16(out: &mut [u8], input: &[u8], n: usize) {
            if n.checked_mul(64).is_some_and(|b| b <= input.len())
                && n.checked_mul(32).is_some_and(|b| b <= out.len())
            {
                // SAFETY: reads 64 * n bytes of `input` and writes 32 * n of `out`, both checked
                // above; the CPU features were detected before this kernel was chosen.
                unsafe { hashtree_sha256_avx512_x16(out.as_mut_ptr(), input.as_ptr(), n as u64) }
            }
        }

        /// SHA-NI x2 on `n` blocks; needs the SHA extension (checked by the caller once).
        pub(super) fn shani_x2(out: &mut [u8], input: &[u8], n: usize) {
            if n.checked_mul(64).is_some_and(|b| b <= input.len())
                && n.checked_mul(32).is_some_and(|b| b <= out.len())
            {
                // SAFETY: as `avx512_x16`.
                unsafe { hashtree_sha256_shani_x2(out.as_mut_ptr(), input.as_ptr(), n as u64) }
            }
        }
    }

    /// Whether this CPU can run `Kernel::Avx512` (with its SHA-NI tail).
    fn avx512_available() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("sha")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// `n` blocks (bounded by both slices) with `kernel`.
    pub(super) fn hash(kernel: Kernel, out: &mut [u8], input: &[u8], n: usize) {
        match kernel {
            Kernel::Hashtree => hashtree_rs::hash(out, input, n),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => {
                let whole = n / 16 * 16;
                ffi::avx512_x16(out, input, whole);
                if whole < n {
                    let (o, i) = (
                        out.get_mut(whole * 32..).unwrap_or_default(),
                        input.get(whole * 64..).unwrap_or_default(),
                    );
                    ffi::shani_x2(o, i, n - whole);
                }
            }
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx512 => hashtree_rs::hash(out, input, n),
        }
    }

    /// The kernel, chosen once (see `super::kernel`).
    pub(super) fn chosen() -> Kernel {
        static CHOSEN: OnceLock<Kernel> = OnceLock::new();
        *CHOSEN.get_or_init(|| {
            // hashtree picks its own implementation lazily on its first call; doing it once up
            // front keeps two rayon threads from racing that first call.
            hashtree_rs::init();
            let available = avx512_available();
            match std::env::var("MAXEB_SHA256").as_deref() {
                Ok("hashtree") => return Kernel::Hashtree,
                Ok("avx512") if available => return Kernel::Avx512,
                _ => {}
            }
            if !available {
                return Kernel::Hashtree;
            }
            // Timed, best of three each: either gives the same digests, only speed differs.
            let input = vec![0x5au8; 4096 * 64];
            let mut out = vec![0u8; 4096 * 32];
            let mut best = |k: Kernel| {
                (0..3)
                    .map(|_| {
                        let t = std::time::Instant::now();
                        hash(k, &mut out, &input, 4096);
                        t.elapsed()
                    })
                    .min()
                    .unwrap_or_default()
            };
            let (h, a) = (best(Kernel::Hashtree), best(Kernel::Avx512));
            if a < h {
                Kernel::Avx512
            } else {
                Kernel::Hashtree
            }
        })
    }

    #[cfg(test)]
    mod tests {
        #![allow(
            clippy::unwrap_used,
            clippy::indexing_slicing,
            clippy::arithmetic_side_effects
        )]
        use super::*;

        /// Both kernels give sha2's digests for every count from 0 to 70 blocks (whole groups
        /// of 16 and every remainder) and for a large batch.
        #[test]
        fn kernels_agree_with_sha2() {
            use sha2::{Digest, Sha256};
            let input: Vec<u8> = (0..5000u32 * 64).map(|i| (i * 31 + 7) as u8).collect();
            let kernels: &[Kernel] = if avx512_available() {
                &[Kernel::Hashtree, Kernel::Avx512]
            } else {
                &[Kernel::Hashtree]
            };
            for n in (0..=70).chain([4096, 5000]) {
                let want: Vec<u8> = input[..n * 64]
                    .chunks(64)
                    .flat_map(|b| Sha256::digest(b).to_vec())
                    .collect();
                for &k in kernels {
                    let mut out = vec![0u8; n * 32];
                    hash(k, &mut out, &input, n);
                    assert_eq!(out, want, "{k:?} on {n} blocks");
                }
            }
        }
    }
}

/// The 64-byte block `a ++ b`.
fn pair(a: &Node, b: &Node) -> [u8; 64] {
    let mut block = [0u8; 64];
    let (l, r) = block.split_at_mut(32);
    l.copy_from_slice(a);
    r.copy_from_slice(b);
    block
}

/// `sha256(a ++ b)`.
pub fn hash_pair(a: &Node, b: &Node) -> Node {
    let mut out = [0u8; 32];
    hash_blocks(&mut out, &pair(a, b));
    out
}

/// `hash_pair` without counting (the once-per-process tables).
pub(super) fn hash_pair_uncounted(a: &Node, b: &Node) -> Node {
    let mut out = [0u8; 32];
    hash_blocks_uncounted(&mut out, &pair(a, b));
    out
}

/// ssz § mix_in_length: `sha256(root ++ uint256(length))`.
pub fn mix_in_length(root: &Node, length: usize) -> Node {
    let mut len = [0u8; 32];
    let (lo, _) = len.split_at_mut(8);
    lo.copy_from_slice(&(length as u64).to_le_bytes());
    hash_pair(root, &len)
}

/// The root of a subtree of `2^level` zero chunks.
pub fn zero_hash(level: usize) -> Node {
    static ZEROS: OnceLock<Vec<Node>> = OnceLock::new();
    let zeros = ZEROS.get_or_init(|| {
        let mut z = vec![[0u8; 32]];
        for _ in 0..MAX_DEPTH {
            let next = z.last().map_or([0u8; 32], |n| hash_pair_uncounted(n, n));
            z.push(next);
        }
        z
    });
    zeros.get(level).copied().unwrap_or([0u8; 32])
}

/// Merkleize `input` (whole groups of `2^levels` chunks) into one root per group in `out`. The
/// first level is hashed straight from `input`; `a` and `b` are scratch buffers the caller
/// reuses between calls.
pub fn merkleize_into(
    input: &[u8],
    levels: u32,
    out: &mut [Node],
    a: &mut Vec<u8>,
    b: &mut Vec<u8>,
) {
    if levels == 0 {
        for (o, c) in out.iter_mut().zip(input.chunks_exact(32)) {
            o.copy_from_slice(c);
        }
        return;
    }
    a.clear();
    a.resize(input.len() / 2, 0);
    hash_blocks(a, input);
    for _ in 1..levels {
        b.clear();
        b.resize(a.len() / 2, 0);
        hash_blocks(b, a);
        std::mem::swap(a, b);
    }
    for (o, c) in out.iter_mut().zip(a.chunks_exact(32)) {
        o.copy_from_slice(c);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use sha2::{Digest, Sha256};

    #[test]
    fn batch_equals_sha256_of_each_block() {
        let input: Vec<u8> = (0..64 * 37u32).map(|i| (i * 31 + 7) as u8).collect();
        let mut out = vec![0u8; 32 * 37];
        hash_blocks(&mut out, &input);
        for (o, b) in out.chunks(32).zip(input.chunks(64)) {
            assert_eq!(o, Sha256::digest(b).as_slice());
        }
        // A short output slice bounds the count: nothing is written past it.
        let mut short = vec![0u8; 32 * 2 + 5];
        hash_blocks(&mut short, &input);
        assert_eq!(&short[..64], &out[..64]);
        assert_eq!(&short[64..], &[0u8; 5]);
    }

    #[test]
    fn zero_hashes_match_tree_hash() {
        for l in 0..10 {
            assert_eq!(
                zero_hash(l).as_slice(),
                ethereum_hashing::ZERO_HASHES[l].as_slice()
            );
        }
    }
}
