//! Group roots computed from the data: packed basic lists/vectors and the validator registry.
//!
//! A group is `2^base` leaf chunks. Groups are gathered into one buffer and hashed level by level
//! in batches (`hash::merkleize_groups`), many groups per `hashtree` call; large sets are split
//! across rayon threads.
// Index arithmetic on in-memory lengths (< 2^40), which cannot overflow a usize.
#![allow(clippy::arithmetic_side_effects)]

use super::hash::{hash_blocks, merkleize_groups, Node};
use crate::types::{Root, Validator};
use rayon::prelude::*;

/// Groups of packed data hashed per batch (keeps the buffers in cache).
const BATCH: usize = 256;
/// Groups of validators per batch: 128 validators, 32 KB of field chunks. Small enough that the
/// buffers stay below malloc's mmap threshold: at 256 groups (256 KB) every batch was a fresh
/// mapping, zeroed page by page (page faults + clear_page ~4% of a cold root).
const BATCH_VALIDATORS: usize = 32;
/// Below this many groups, one thread.
const PAR_GROUPS: usize = 2048;

/// An SSZ basic type packed into chunks (`uint64`, `uint8`, `Bytes32`).
pub trait Packed: Copy + PartialEq + Send + Sync {
    /// Serialized size in bytes (divides 32).
    const SIZE: usize;
    /// Write the little-endian serialization into `out` (`out.len() == SIZE`).
    fn put(&self, out: &mut [u8]);
}

impl Packed for u64 {
    const SIZE: usize = 8;
    fn put(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
}

impl Packed for u8 {
    const SIZE: usize = 1;
    fn put(&self, out: &mut [u8]) {
        if let Some(b) = out.first_mut() {
            *b = *self;
        }
    }
}

impl Packed for Root {
    const SIZE: usize = 32;
    fn put(&self, out: &mut [u8]) {
        out.copy_from_slice(self.as_slice());
    }
}

/// Elements per group of `2^base` chunks.
pub fn per_group<T: Packed>(base: u32) -> usize {
    (32usize << base) / T::SIZE
}

/// Run `f` over `groups` in batches of `batch`, in parallel when there are many; results in
/// order.
fn batched(
    groups: &[usize],
    batch: usize,
    f: impl Fn(&[usize], &mut Vec<Node>) + Sync,
) -> Vec<Node> {
    if groups.len() >= PAR_GROUPS {
        groups
            .par_chunks(batch)
            .flat_map_iter(|c| {
                let mut out = Vec::with_capacity(c.len());
                f(c, &mut out);
                out
            })
            .collect()
    } else {
        let mut out = Vec::with_capacity(groups.len());
        for c in groups.chunks(batch) {
            f(c, &mut out);
        }
        out
    }
}

/// Copy the first `n` 32-byte nodes of `buf` to `out`.
fn push_nodes(buf: &[u8], n: usize, out: &mut Vec<Node>) {
    for c in buf.chunks_exact(32).take(n) {
        let mut node = [0u8; 32];
        node.copy_from_slice(c);
        out.push(node);
    }
}

/// The roots of the given groups of the packed `data` (chunks past its end are zero).
pub fn packed_group_roots<T: Packed>(data: &[T], base: u32, groups: &[usize]) -> Vec<Node> {
    let per = per_group::<T>(base);
    let group_bytes = 32usize << base;
    batched(groups, BATCH, |gs, out| {
        let mut buf = vec![0u8; gs.len() * group_bytes];
        let mut scratch = Vec::new();
        for (g, dst) in gs.iter().zip(buf.chunks_exact_mut(group_bytes)) {
            let start = (g * per).min(data.len());
            let end = (start + per).min(data.len());
            let elems = data.get(start..end).unwrap_or(&[]);
            for (e, d) in elems.iter().zip(dst.chunks_exact_mut(T::SIZE)) {
                e.put(d);
            }
        }
        merkleize_groups(&mut buf, &mut scratch, base);
        push_nodes(&buf, gs.len(), out);
    })
}

/// phase0 § Validator `hash_tree_root` for each validator of `vs`, appended to `out` as leaves
/// of 32 bytes in `leaves` (which must hold `32 * vs.len()` bytes).
fn validator_roots(vs: &[&Validator], leaves: &mut [u8]) {
    // The pubkey (48 bytes) is two chunks: one block.
    let mut pk = vec![0u8; vs.len() * 64];
    for (v, d) in vs.iter().zip(pk.chunks_exact_mut(64)) {
        if let Some(d) = d.get_mut(..48) {
            d.copy_from_slice(v.pubkey.as_bytes());
        }
    }
    let mut pk_roots = vec![0u8; vs.len() * 32];
    hash_blocks(&mut pk_roots, &pk);
    // Eight field chunks per validator, then three levels.
    let mut buf = vec![0u8; vs.len() * 256];
    for ((v, d), pkr) in vs
        .iter()
        .zip(buf.chunks_exact_mut(256))
        .zip(pk_roots.chunks_exact(32))
    {
        let mut fields = d.chunks_exact_mut(32);
        let mut put = |bytes: &[u8]| {
            if let Some(f) = fields.next() {
                if let Some(f) = f.get_mut(..bytes.len()) {
                    f.copy_from_slice(bytes);
                }
            }
        };
        put(pkr);
        put(v.withdrawal_credentials.as_slice());
        put(&v.effective_balance.to_le_bytes());
        put(&[u8::from(v.slashed)]);
        put(&v.activation_eligibility_epoch.to_le_bytes());
        put(&v.activation_epoch.to_le_bytes());
        put(&v.exit_epoch.to_le_bytes());
        put(&v.withdrawable_epoch.to_le_bytes());
    }
    let mut scratch = Vec::new();
    merkleize_groups(&mut buf, &mut scratch, 3);
    if let (Some(dst), Some(src)) = (leaves.get_mut(..vs.len() * 32), buf.get(..vs.len() * 32)) {
        dst.copy_from_slice(src);
    }
}

/// The roots of the given groups of `2^base` validators (past the end: zero leaves).
pub fn validator_group_roots(data: &[Validator], base: u32, groups: &[usize]) -> Vec<Node> {
    let per = 1usize << base;
    batched(groups, BATCH_VALIDATORS, |gs, out| {
        let mut buf = vec![0u8; gs.len() * per * 32];
        // Validators present, and where their leaf goes in `buf`.
        let mut vs: Vec<&Validator> = Vec::with_capacity(gs.len() * per);
        let mut at: Vec<usize> = Vec::with_capacity(gs.len() * per);
        for (k, g) in gs.iter().enumerate() {
            let start = (g * per).min(data.len());
            let end = (start + per).min(data.len());
            for (j, v) in data.get(start..end).unwrap_or(&[]).iter().enumerate() {
                vs.push(v);
                at.push(k * per + j);
            }
        }
        let mut leaves = vec![0u8; vs.len() * 32];
        validator_roots(&vs, &mut leaves);
        for (slot, leaf) in at.iter().zip(leaves.chunks_exact(32)) {
            if let Some(d) = buf.get_mut(slot * 32..slot * 32 + 32) {
                d.copy_from_slice(leaf);
            }
        }
        let mut scratch = Vec::new();
        merkleize_groups(&mut buf, &mut scratch, base);
        push_nodes(&buf, gs.len(), out);
    })
}
