//! `Layers`: the cached upper part of one Merkle tree.
//!
//! The tree's leaves are 32-byte chunks; the lowest stored layer is `base`, whose nodes are the
//! roots of groups of `2^base` chunks. Below it nothing is stored: a changed group is rehashed
//! from the data (cheaper than keeping those layers, which would cost more memory than the data
//! for the validators). Above the last stored node the tree is completed with zero subtrees up to
//! the type's `depth`.
// Index arithmetic here is on in-memory lengths (< 2^40 nodes), which cannot overflow a usize.
#![allow(clippy::arithmetic_side_effects)]

use super::hash::{hash_blocks, hash_pair, zero_hash, Node};
use rayon::prelude::*;

/// Below this many pairs a layer is hashed on one thread.
const PAR_PAIRS: usize = 1 << 14;

/// The stored layers of one tree.
#[derive(Debug, Default)]
pub struct Layers {
    base: u32,
    depth: u32,
    /// `layers[k]`: the nodes at level `base + k`; the last layer has one node (none if empty).
    layers: Vec<Vec<Node>>,
}

/// Spare nodes a clone keeps in its bottom layer (halved layer by layer up).
const LAYER_HEADROOM: usize = 256;

/// Not derived: `Vec::clone` keeps no spare capacity, so the first root after a clone whose list
/// grew (new validators: every registry-sized tree) reallocated and copied each layer, page
/// faults included: 13.7k faults and ~27 ms of the first post-epoch root on a clone of
/// mainnet-2026 against 0 faults and ~24 ms for the same root one epoch later on the same
/// engine (a node's layers grow amortized; the benches run each epoch on a clone).
impl Clone for Layers {
    fn clone(&self) -> Self {
        let layers = self
            .layers
            .iter()
            .enumerate()
            .map(|(k, l)| crate::fast::with_spare(l, (LAYER_HEADROOM >> k.min(16)).max(1)))
            .collect();
        Layers {
            base: self.base,
            depth: self.depth,
            layers,
        }
    }
}

/// Hash the pairs of `below` into `above` (`above.len() == below.len().div_ceil(2)`); an odd last
/// node pairs with the zero subtree of `level`. Adjacent nodes are already the 64-byte blocks
/// hashtree reads, so whole pairs are hashed in place (the copy into a block buffer was 6% of a
/// warm root, perf).
fn hash_layer(below: &[Node], above: &mut [Node], level: u32) {
    let run = |below: &[Node], above: &mut [Node]| {
        let whole = below.len() / 2 * 2;
        let (pairs, odd) = below.split_at(whole);
        hash_blocks(above.as_flattened_mut(), pairs.as_flattened());
        if let (Some(l), Some(slot)) = (odd.first(), above.get_mut(whole / 2)) {
            *slot = hash_pair(l, &zero_hash(level as usize));
        }
    };
    if above.len() >= PAR_PAIRS {
        below
            .par_chunks(PAR_PAIRS)
            .zip(above.par_chunks_mut(PAR_PAIRS / 2))
            .for_each(|(b, a)| run(b, a));
    } else {
        run(below, above);
    }
}

impl Layers {
    /// An empty tree over at most `2^depth` chunks, storing layers from `base` up.
    pub fn new(base: u32, depth: u32) -> Self {
        Layers {
            base: base.min(depth),
            depth,
            layers: Vec::new(),
        }
    }

    /// The level of the lowest stored layer: a group covers `2^base()` chunks.
    pub fn base(&self) -> u32 {
        self.base
    }

    /// How many groups (nodes of the lowest stored layer) the tree holds.
    pub fn groups(&self) -> usize {
        self.layers.first().map_or(0, Vec::len)
    }

    /// The stored group roots.
    pub fn group_roots(&self) -> &[Node] {
        self.layers.first().map_or(&[], Vec::as_slice)
    }

    /// Bytes held by the layers.
    pub fn heap_bytes(&self) -> usize {
        self.layers.iter().map(|l| l.capacity() * 32).sum()
    }

    /// Replace every group root and rehash every layer above (in parallel when large).
    pub fn rebuild(&mut self, groups: Vec<Node>) {
        self.layers.truncate(1);
        match self.layers.first_mut() {
            Some(l) => *l = groups,
            None => self.layers.push(groups),
        }
        self.rehash_from(0);
    }

    /// Rehash every stored layer above layer `k`, resizing them to the layer below.
    fn rehash_from(&mut self, k: usize) {
        let mut k = k;
        loop {
            let len = self.layers.get(k).map_or(0, Vec::len);
            if len <= 1 {
                self.layers.truncate(k + 1);
                if len == 0 {
                    self.layers.clear();
                }
                return;
            }
            let mut above = match self.layers.get_mut(k + 1) {
                Some(a) => std::mem::take(a),
                None => Vec::new(),
            };
            above.resize(len.div_ceil(2), [0u8; 32]);
            if let Some(below) = self.layers.get(k) {
                hash_layer(below, &mut above, self.base + k as u32);
            }
            match self.layers.get_mut(k + 1) {
                Some(a) => *a = above,
                None => self.layers.push(above),
            }
            k += 1;
        }
    }

    /// Resize to `groups` groups, set the given group roots (`dirty` sorted by index, unique) and
    /// rehash their ancestors. A caller whose list changed length must include the new last
    /// group; ancestors of the last group at every level are then rehashed, which covers nodes
    /// whose right child appeared or vanished.
    pub fn update(&mut self, groups: usize, dirty: &[(usize, Node)]) {
        let first = self.groups_mut(groups);
        for (i, n) in dirty {
            if let Some(slot) = first.get_mut(*i) {
                *slot = *n;
            }
        }
        let idx: Vec<usize> = dirty.iter().map(|(i, _)| *i).collect();
        self.rehash_above(&idx);
    }

    /// The group roots, resized to `groups` (new ones zero), for the caller to set in place; it
    /// then calls `rehash_above` with the groups it set.
    pub fn groups_mut(&mut self, groups: usize) -> &mut [Node] {
        if self.layers.is_empty() {
            self.layers.push(Vec::new());
        }
        match self.layers.first_mut() {
            Some(first) => {
                first.resize(groups, [0u8; 32]);
                first
            }
            None => &mut [],
        }
    }

    /// Rehash the ancestors of the groups `dirty` (sorted, unique), whose roots were set through
    /// `groups_mut`; the same contract on a changed length as `update`.
    pub fn rehash_above(&mut self, dirty: &[usize]) {
        let groups = self.groups();
        // Many changes: one parallel pass over every layer is cheaper than the scattered walk.
        if dirty.len() * 4 >= groups {
            self.rehash_from(0);
            return;
        }
        let mut idx: Vec<usize> = dirty.iter().copied().filter(|&i| i < groups).collect();
        let mut k = 0usize;
        let mut buf: Vec<u8> = Vec::new();
        let mut out: Vec<u8> = Vec::new();
        loop {
            let len = self.layers.get(k).map_or(0, Vec::len);
            if len <= 1 {
                self.layers.truncate(k + 1);
                if len == 0 {
                    self.layers.clear();
                }
                return;
            }
            let above_len = len.div_ceil(2);
            if self.layers.len() <= k + 1 {
                self.layers.push(Vec::new());
            }
            idx = idx.iter().map(|i| i / 2).collect();
            idx.dedup();
            let z = zero_hash((self.base + k as u32) as usize);
            buf.clear();
            if let Some(below) = self.layers.get(k) {
                for p in &idx {
                    let l = below.get(2 * p).unwrap_or(&z);
                    let r = below.get(2 * p + 1).unwrap_or(&z);
                    buf.extend_from_slice(l);
                    buf.extend_from_slice(r);
                }
            }
            out.clear();
            out.resize(idx.len() * 32, 0);
            hash_blocks(&mut out, &buf);
            if let Some(above) = self.layers.get_mut(k + 1) {
                above.resize(above_len, [0u8; 32]);
                for (p, h) in idx.iter().zip(out.chunks_exact(32)) {
                    if let Some(slot) = above.get_mut(*p) {
                        slot.copy_from_slice(h);
                    }
                }
            }
            k += 1;
        }
    }

    /// The root of the whole `2^depth`-chunk tree (without any length mix-in).
    pub fn root(&self) -> Node {
        let Some(top) = self.layers.last().and_then(|l| l.first()) else {
            return zero_hash(self.depth as usize);
        };
        let mut root = *top;
        let top_level = self.base as usize + self.layers.len() - 1;
        for level in top_level..self.depth as usize {
            root = hash_pair(&root, &zero_hash(level));
        }
        root
    }
}

/// `ceil(log2(n))` for `n >= 1` (0 for `n <= 1`): the depth of a tree over `n` chunks.
pub fn depth_for(n: usize) -> u32 {
    if n <= 1 {
        0
    } else {
        usize::BITS - (n - 1).leading_zeros()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A clone equals the original and keeps spare capacity in every layer, so a tree that
    /// grows after a clone is not reallocated.
    #[test]
    fn clone_keeps_headroom() {
        let mut t = Layers::new(1, 20);
        t.rebuild((0..5000u32).map(|i| [i as u8; 32]).collect());
        let c = t.clone();
        assert_eq!(c.root(), t.root());
        assert_eq!(c.layers, t.layers);
        for l in &c.layers {
            assert!(l.capacity() > l.len());
        }
    }

    /// The root of `leaves` padded to `2^depth` zero chunks, node by node.
    fn naive(leaves: &[Node], depth: u32) -> Node {
        let mut layer: Vec<Node> = leaves.to_vec();
        for level in 0..depth {
            let z = zero_hash(level as usize);
            layer = layer
                .chunks(2)
                .map(|p| hash_pair(&p[0], p.get(1).unwrap_or(&z)))
                .collect();
            if layer.is_empty() {
                layer.push(zero_hash(level as usize + 1));
            }
        }
        layer.first().copied().unwrap_or(zero_hash(depth as usize))
    }

    #[test]
    fn update_equals_rebuild_through_growth_and_truncation() {
        let mut seed = 7u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let depth = 12;
        let mut leaves: Vec<Node> = (0..37u8).map(|i| [i; 32]).collect();
        let mut t = Layers::new(0, depth);
        t.rebuild(leaves.clone());
        assert_eq!(t.root(), naive(&leaves, depth));
        for round in 0..300 {
            let old = leaves.len();
            let new = match round % 5 {
                0 => (next() % 200) as usize,
                _ => old,
            };
            leaves.resize(new, [0u8; 32]);
            let mut dirty = std::collections::BTreeMap::new();
            for _ in 0..(next() % 4) {
                if new > 0 {
                    let i = (next() as usize) % new;
                    leaves[i] = [next() as u8; 32];
                    dirty.insert(i, leaves[i]);
                }
            }
            if new != old && new > 0 {
                let from = old.min(new).saturating_sub(1);
                for (i, l) in leaves.iter().enumerate().skip(from) {
                    dirty.insert(i, *l);
                }
            }
            let d: Vec<(usize, Node)> = dirty.into_iter().collect();
            t.update(new, &d);
            assert_eq!(
                t.root(),
                naive(&leaves, depth),
                "round {round}, len {old} -> {new}"
            );
        }
    }

    #[test]
    fn depths() {
        assert_eq!([1, 2, 3, 4, 5, 8192].map(depth_for), [0, 1, 2, 2, 3, 13]);
    }
}
