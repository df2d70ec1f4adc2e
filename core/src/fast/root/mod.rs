//! `StateRootCache`: the incremental `hash_tree_root` of a `BeaconState` (ssz § Merkleization).
//!
//! One cache per field kind, each rehashing only what changed since it last hashed:
//! - validators: the tree above groups of `2^VALIDATOR_BASE` validators; which groups changed is
//!   recorded by `TrackedState`'s mutation API (`mark_validator` / `mark_all_validators`), the one
//!   field with no shadow copy (121 B x 2M is too large to keep twice);
//! - packed lists and vectors (balances, participation, inactivity scores, block/state roots,
//!   randao mixes, slashings, historical roots): a shadow copy of what was last hashed, compared
//!   group by group (memory-bound: ~16 MB per 2M u64s), and the tree above the groups;
//! - lists of containers (eth1 votes, historical summaries, the pending queues): a shadow copy and
//!   each element's root; a drain from the front (the pending queues) is recognised as a shift,
//!   so surviving elements keep their roots;
//! - small containers (header, fork, sync committees, payload header, ...): shadow and root.
//!
//! Nothing is trusted from callers beyond the validator record: a field changed through any
//! `&mut` is found by the comparison.
// Index arithmetic on in-memory lengths (< 2^40), which cannot overflow a usize.
#![allow(clippy::arithmetic_side_effects)]

pub mod hash;
pub mod leaves;
pub mod tree;

#[cfg(test)]
mod tests;

use crate::preset::Preset;
use crate::types::*;
use hash::{merkleize_into, mix_in_length, Node, NodeHashes};
use leaves::{
    packed_roots_into, packed_run_roots, per_group, validator_group_roots, ElemRoots, Packed,
    Scratch,
};
use rayon::prelude::*;
use tree::{depth_for, Layers};
use tree_hash::TreeHash;
use typenum::Unsigned;

/// Validators per stored group: 2^2. A changed validator costs rehashing its group (4 x 8 + 3
/// hashes, ~2 us); the layers cost 16 MB per million validators (storing every validator root
/// would cost 64 MB per million).
pub const VALIDATOR_BASE: u32 = 2;
/// u64 lists (balances, inactivity scores): groups of 4 chunks = 16 values.
const U64_BASE: u32 = 2;
/// Byte lists (participation) and root vectors: groups of 2 chunks.
const SMALL_BASE: u32 = 1;
/// Elements from which a packed list is compared against its shadow in parallel.
const PAR_COMPARE: usize = 1 << 16;
/// List elements hashed per batch (and per rayon task).
const ELEM_BATCH: usize = 512;

/// Chunks a packed list or vector of `limit` elements of `size` bytes spans.
fn packed_depth(limit: usize, size: usize) -> u32 {
    depth_for(limit.saturating_mul(size).div_ceil(32))
}

/// One block of groups in `PackedCache::root`'s pass: its index, its shadow and data elements,
/// and its group roots.
type Block<'a, T> = (usize, ((&'a mut [T], &'a [T]), &'a mut [Node]));

/// A packed basic list or vector: shadow copy plus the layers above the groups.
#[derive(Default)]
struct PackedCache<T> {
    shadow: Vec<T>,
    tree: Layers,
    built: bool,
}

/// Spare elements a cloned shadow keeps (a deposit appends a validator; see `Layers`' `Clone`).
const SHADOW_HEADROOM: usize = 1024;

impl<T: Clone> Clone for PackedCache<T> {
    fn clone(&self) -> Self {
        PackedCache {
            shadow: crate::fast::with_spare(&self.shadow, SHADOW_HEADROOM),
            tree: self.tree.clone(),
            built: self.built,
        }
    }
}

impl<T: Packed> PackedCache<T> {
    fn new(base: u32, limit: usize) -> Self {
        PackedCache {
            shadow: Vec::new(),
            tree: Layers::new(base, packed_depth(limit, T::SIZE)),
            built: false,
        }
    }

    fn heap_bytes(&self) -> usize {
        self.shadow.capacity() * std::mem::size_of::<T>() + self.tree.heap_bytes()
    }

    /// `root` when only `data[index]` can differ from what was last hashed.
    fn root_at(&mut self, data: &[T], index: usize) -> Node {
        let per = per_group::<T>(self.tree.base());
        let g = index / per;
        let start = (g * per).min(data.len());
        let end = (start + per).min(data.len());
        if !self.built || self.shadow.len() != data.len() {
            return self.root(data);
        }
        let (Some(old), Some(new)) = (self.shadow.get_mut(start..end), data.get(start..end)) else {
            return self.root(data);
        };
        if old != new {
            old.copy_from_slice(new);
            let groups = self.tree.groups();
            let base = self.tree.base();
            if let Some(slot) = self.tree.groups_mut(groups).get_mut(g..g + 1) {
                packed_run_roots(data, base, g, slot, &mut Scratch::default());
            }
            self.tree.rehash_above(&[g]);
        }
        self.tree.root()
    }

    /// The root of `data` as a vector (no length mix-in).
    ///
    /// One pass compares each group with the shadow, refreshes the shadow and rehashes the
    /// group's root in place, in blocks of 64 groups (an unchanged block is one memcmp), in
    /// parallel on long lists; then the layers above the changed groups. After an epoch nearly
    /// every group of balances and inactivity scores differs: a compare-then-copy walk on one
    /// thread was ~35 CPU-ms of a 54 ms warm root on mainnet-2026 (pprof), and the index and
    /// root vectors it built between those steps another 7% in page faults (perf).
    fn root(&mut self, data: &[T]) -> Node {
        let base = self.tree.base();
        let per = per_group::<T>(base);
        let groups = data.len().div_ceil(per);
        let old_len = if self.built { self.shadow.len() } else { 0 };
        let common = old_len.min(data.len());
        // A changed length: from the group holding element `common - 1` on, every group is
        // rehashed (the tree path of the new last group changes), the ones before are compared.
        let resized = old_len != data.len() || !self.built;
        let fresh = if resized {
            common.saturating_sub(1) / per
        } else {
            groups
        };
        let compared = (fresh * per).min(common);
        let block = 64usize;
        let layer0 = self.tree.groups_mut(groups);
        let (cmp_roots, fresh_roots) = layer0.split_at_mut(fresh.min(groups));
        let (old, new) = (
            self.shadow.get_mut(..compared).unwrap_or(&mut []),
            data.get(..compared).unwrap_or(&[]),
        );
        let refresh = |s: &mut Scratch, (b, ((x, y), r)): Block<'_, T>| {
            let mut d = Vec::new();
            if x != y {
                for (g, (xg, yg)) in x.chunks_mut(per).zip(y.chunks(per)).enumerate() {
                    if xg != yg {
                        xg.copy_from_slice(yg);
                        d.push(g);
                    }
                }
                // Rehash each run of changed groups with one call.
                let mut k = 0;
                while let Some(&g0) = d.get(k) {
                    let mut n = 1;
                    while d.get(k + n) == Some(&(g0 + n)) {
                        n += 1;
                    }
                    if let Some(out) = r.get_mut(g0..g0 + n) {
                        packed_run_roots(y, base, g0, out, s);
                    }
                    k += n;
                }
                d.iter_mut().for_each(|g| *g += b * block);
            }
            d
        };
        let mut dirty: Vec<usize> = if compared >= PAR_COMPARE {
            old.par_chunks_mut(block * per)
                .zip(new.par_chunks(block * per))
                .zip(cmp_roots.par_chunks_mut(block))
                .enumerate()
                .map_init(Scratch::default, refresh)
                .flatten_iter()
                .collect()
        } else {
            let mut s = Scratch::default();
            old.chunks_mut(block * per)
                .zip(new.chunks(block * per))
                .zip(cmp_roots.chunks_mut(block))
                .enumerate()
                .flat_map(|x| refresh(&mut s, x))
                .collect()
        };
        if resized {
            packed_roots_into(data, base, fresh, fresh_roots);
            dirty.extend(fresh..groups);
            self.shadow.truncate(compared);
            self.shadow
                .extend_from_slice(data.get(compared..).unwrap_or(&[]));
        }
        if dirty.is_empty() && !resized {
            return self.tree.root();
        }
        self.built = true;
        self.tree.rehash_above(&dirty);
        self.tree.root()
    }
}

/// A list of containers: shadow copy plus every element's root (the tree's bottom layer).
#[derive(Default)]
struct ElemCache<T> {
    shadow: Vec<T>,
    tree: Layers,
    built: bool,
}

impl<T: Clone> Clone for ElemCache<T> {
    fn clone(&self) -> Self {
        ElemCache {
            shadow: crate::fast::with_spare(&self.shadow, SHADOW_HEADROOM),
            tree: self.tree.clone(),
            built: self.built,
        }
    }
}

impl<T: ElemRoots + PartialEq + Clone + Send + Sync> ElemCache<T> {
    fn new(limit: usize) -> Self {
        ElemCache {
            shadow: Vec::new(),
            tree: Layers::new(0, depth_for(limit)),
            built: false,
        }
    }

    fn heap_bytes(&self) -> usize {
        self.shadow.capacity() * std::mem::size_of::<T>() + self.tree.heap_bytes()
    }

    /// The root of `data` as a list (with the length mixed in).
    fn root(&mut self, data: &[T]) -> Node {
        if !self.built || self.shadow.as_slice() != data {
            // Elements kept from the last hash keep their roots: either in place or shifted by
            // what a queue drained from its front (`queue = queue[k:] + postponed`).
            let shift = match (self.built, data.first()) {
                (true, Some(first)) => self.shadow.iter().position(|e| e == first),
                _ => None,
            };
            let old = self.tree.group_roots();
            let shadow = &self.shadow;
            let built = self.built;
            let kept = |(i, e): (usize, &T)| -> Option<Node> {
                let reuse = |k: usize| {
                    let j = i + k;
                    match (shadow.get(j), old.get(j)) {
                        (Some(s), Some(r)) if s == e => Some(*r),
                        _ => None,
                    }
                };
                shift
                    .and_then(reuse)
                    .or_else(|| if built { reuse(0) } else { None })
            };
            let par = data.len() >= 4096;
            let mut roots: Vec<Option<Node>> = if par {
                data.par_iter().enumerate().map(kept).collect()
            } else {
                data.iter().enumerate().map(kept).collect()
            };
            // The others, hashed in batches.
            let missing: Vec<usize> = roots
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.is_none().then_some(i))
                .collect();
            let items: Vec<&T> = missing.iter().filter_map(|&i| data.get(i)).collect();
            let mut fresh = vec![[0u8; 32]; items.len()];
            if par {
                fresh
                    .par_chunks_mut(ELEM_BATCH)
                    .zip(items.par_chunks(ELEM_BATCH))
                    .for_each(|(o, c)| T::roots(c, o));
            } else {
                T::roots(&items, &mut fresh);
            }
            for (&i, r) in missing.iter().zip(fresh) {
                if let Some(slot) = roots.get_mut(i) {
                    *slot = Some(r);
                }
            }
            self.tree
                .rebuild(roots.into_iter().map(Option::unwrap_or_default).collect());
            // Into the shadow's own buffer: a fresh one each epoch was a 10 MB allocation for
            // mainnet-2026's 50k pending deposits, faulted in page by page.
            self.shadow.clear();
            self.shadow.extend_from_slice(data);
            self.built = true;
        }
        mix_in_length(&self.tree.root(), data.len())
    }
}

/// A small field: shadow copy and root.
#[derive(Clone, Default)]
struct SmallCache<T> {
    last: Option<(T, Node)>,
}

impl<T: TreeHash + NodeHashes + PartialEq + Clone> SmallCache<T> {
    fn root(&mut self, value: &T) -> Node {
        if let Some((v, r)) = &self.last {
            if v == value {
                return *r;
            }
        }
        crate::work::node_hashes(T::NODE_HASHES);
        let r = value.tree_hash_root().0;
        self.last = Some((value.clone(), r));
        r
    }
}

/// The validators list: the layers above groups, and the groups changed since the last hash.
/// (`dirty` grows by a word per 64 groups appended: a reallocation of 8 bytes per 256
/// validators, left to `Vec`.)
#[derive(Clone, Default)]
struct ValidatorsCache {
    tree: Layers,
    /// One bit per group changed in place or appended since the last hash.
    dirty: Vec<u64>,
    /// Every validator may have changed (fresh cache, or `with_state_mut`).
    all: bool,
    /// Some bit of `dirty` is set.
    any: bool,
    /// The list length when last hashed.
    len: usize,
}

impl ValidatorsCache {
    fn mark(&mut self, index: usize) {
        let g = index >> self.tree.base();
        let (w, b) = (g / 64, g % 64);
        if self.dirty.len() <= w {
            self.dirty.resize(w + 1, 0);
        }
        if let Some(word) = self.dirty.get_mut(w) {
            *word |= 1u64 << b;
        }
        self.any = true;
    }

    fn heap_bytes(&self) -> usize {
        self.dirty.capacity() * 8 + self.tree.heap_bytes()
    }

    fn root(&mut self, data: &[Validator]) -> Node {
        let base = self.tree.base();
        let per = 1usize << base;
        let groups = data.len().div_ceil(per);
        if self.all {
            let all: Vec<usize> = (0..groups).collect();
            self.tree.rebuild(validator_group_roots(data, base, &all));
        } else {
            let mut dirty: Vec<usize> = Vec::new();
            for (w, word) in self.dirty.iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    let b = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let g = w * 64 + b;
                    if g < groups {
                        dirty.push(g);
                    }
                }
            }
            if self.len != data.len() {
                let common = self.len.min(data.len());
                dirty.extend(common.saturating_sub(1) / per..groups);
                dirty.sort_unstable();
                dirty.dedup();
            }
            if !dirty.is_empty() || self.tree.groups() != groups {
                let roots = validator_group_roots(data, base, &dirty);
                let upd: Vec<(usize, Node)> = dirty.into_iter().zip(roots).collect();
                self.tree.update(groups, &upd);
            }
        }
        if self.any {
            self.dirty.iter_mut().for_each(|w| *w = 0);
        }
        self.any = false;
        self.all = false;
        self.len = data.len();
        mix_in_length(&self.tree.root(), data.len())
    }
}

/// The incremental `hash_tree_root` of one `BeaconState`. Lives inside `TrackedState` (its
/// hashing and marking methods are crate-private), so it is only ever paired with the state whose
/// validator changes it was told about: use `TrackedState::hash_tree_root`.
#[derive(Clone)]
pub struct StateRootCache<P: Preset> {
    fork: SmallCache<Fork>,
    latest_block_header: SmallCache<BeaconBlockHeader>,
    block_roots: PackedCache<Root>,
    state_roots: PackedCache<Root>,
    historical_roots: PackedCache<Root>,
    eth1_data: SmallCache<Eth1Data>,
    eth1_data_votes: ElemCache<Eth1Data>,
    validators: ValidatorsCache,
    balances: PackedCache<Gwei>,
    randao_mixes: PackedCache<Bytes32>,
    slashings: PackedCache<Gwei>,
    previous_epoch_participation: PackedCache<ParticipationFlags>,
    current_epoch_participation: PackedCache<ParticipationFlags>,
    inactivity_scores: PackedCache<u64>,
    current_sync_committee: SmallCache<SyncCommittee<P>>,
    next_sync_committee: SmallCache<SyncCommittee<P>>,
    latest_execution_payload_header: SmallCache<ExecutionPayloadHeader<P>>,
    historical_summaries: ElemCache<HistoricalSummary>,
    pending_deposits: ElemCache<PendingDeposit>,
    pending_partial_withdrawals: ElemCache<PendingPartialWithdrawal>,
    pending_consolidations: ElemCache<PendingConsolidation>,
    /// The field roots of the last root, for `hash_tree_root_after_slot`.
    last_fields: Option<[Node; 37]>,
}

impl<P: Preset> std::fmt::Debug for StateRootCache<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateRootCache")
            .field("heap_bytes", &self.heap_bytes())
            .finish_non_exhaustive()
    }
}

impl<P: Preset> Default for StateRootCache<P> {
    fn default() -> Self {
        Self::new()
    }
}

impl<P: Preset> StateRootCache<P> {
    /// An empty cache: the first root hashes everything (in parallel).
    pub fn new() -> Self {
        let registry = P::ValidatorRegistryLimit::to_usize();
        StateRootCache {
            fork: SmallCache::default(),
            latest_block_header: SmallCache::default(),
            block_roots: PackedCache::new(SMALL_BASE, P::SlotsPerHistoricalRoot::to_usize()),
            state_roots: PackedCache::new(SMALL_BASE, P::SlotsPerHistoricalRoot::to_usize()),
            historical_roots: PackedCache::new(SMALL_BASE, P::HistoricalRootsLimit::to_usize()),
            eth1_data: SmallCache::default(),
            eth1_data_votes: ElemCache::new(P::SlotsPerEth1VotingPeriod::to_usize()),
            validators: ValidatorsCache {
                tree: Layers::new(VALIDATOR_BASE, depth_for(registry)),
                dirty: Vec::new(),
                all: true,
                any: false,
                len: 0,
            },
            balances: PackedCache::new(U64_BASE, registry),
            randao_mixes: PackedCache::new(SMALL_BASE, P::EpochsPerHistoricalVector::to_usize()),
            slashings: PackedCache::new(SMALL_BASE, P::EpochsPerSlashingsVector::to_usize()),
            previous_epoch_participation: PackedCache::new(SMALL_BASE, registry),
            current_epoch_participation: PackedCache::new(SMALL_BASE, registry),
            inactivity_scores: PackedCache::new(U64_BASE, registry),
            current_sync_committee: SmallCache::default(),
            next_sync_committee: SmallCache::default(),
            latest_execution_payload_header: SmallCache::default(),
            historical_summaries: ElemCache::new(P::HistoricalRootsLimit::to_usize()),
            pending_deposits: ElemCache::new(P::PendingDepositsLimit::to_usize()),
            pending_partial_withdrawals: ElemCache::new(
                P::PendingPartialWithdrawalsLimit::to_usize(),
            ),
            pending_consolidations: ElemCache::new(P::PendingConsolidationsLimit::to_usize()),
            last_fields: None,
        }
    }

    /// Record that `validators[index]` changed in place or was appended.
    pub(crate) fn mark_validator(&mut self, index: usize) {
        self.validators.mark(index);
    }

    /// Record that any validator may have changed.
    pub(crate) fn mark_all_validators(&mut self) {
        self.validators.all = true;
        self.validators.dirty = Vec::new();
    }

    /// Bytes the cache holds on the heap (shadows and layers).
    pub fn heap_bytes(&self) -> usize {
        self.block_roots.heap_bytes()
            + self.state_roots.heap_bytes()
            + self.historical_roots.heap_bytes()
            + self.eth1_data_votes.heap_bytes()
            + self.validators.heap_bytes()
            + self.balances.heap_bytes()
            + self.randao_mixes.heap_bytes()
            + self.slashings.heap_bytes()
            + self.previous_epoch_participation.heap_bytes()
            + self.current_epoch_participation.heap_bytes()
            + self.inactivity_scores.heap_bytes()
            + self.historical_summaries.heap_bytes()
            + self.pending_deposits.heap_bytes()
            + self.pending_partial_withdrawals.heap_bytes()
            + self.pending_consolidations.heap_bytes()
    }

    /// ssz § hash_tree_root of `state`, rehashing what changed since the last call. `state` must
    /// be the one whose validator changes were recorded here (`TrackedState` guarantees it).
    pub(crate) fn hash_tree_root(&mut self, s: &BeaconState<P>) -> Root {
        let fields = self.field_roots(s);
        self.last_fields = Some(fields);
        merkleize_fields(&fields)
    }

    /// The roots of `s.block_roots` and `s.state_roots` from their cached trees (compared with
    /// their shadows, so correct whatever changed).
    pub(crate) fn history_roots(&mut self, s: &BeaconState<P>) -> (Root, Root) {
        (
            Root::from(self.block_roots.root(&s.block_roots)),
            Root::from(self.state_roots.root(&s.state_roots)),
        )
    }

    /// `hash_tree_root` when, since the last root, only `slot`, `latest_block_header` and
    /// element `written` of `block_roots` and of `state_roots` can have changed (what
    /// `process_slot` and the slot increment write): the other 33 field roots are reused without
    /// comparing their shadows, and of the two root vectors only that element's group is
    /// compared. Only `fast::slots` calls it, between two of its own slots; if any validator was
    /// recorded changed, or there is no previous root, it falls back to the full root.
    pub(crate) fn hash_tree_root_after_slot(&mut self, s: &BeaconState<P>, written: usize) -> Root {
        let v = &self.validators;
        let untouched = !v.all && !v.any && v.len == s.validators.len();
        let Some(mut fields) = self.last_fields.filter(|_| untouched) else {
            return self.hash_tree_root(s);
        };
        let mut set = |i: usize, n: Node| {
            if let Some(f) = fields.get_mut(i) {
                *f = n;
            }
        };
        set(2, s.slot.tree_hash_root().0);
        set(4, self.latest_block_header.root(&s.latest_block_header));
        set(5, self.block_roots.root_at(&s.block_roots, written));
        set(6, self.state_roots.root_at(&s.state_roots, written));
        self.last_fields = Some(fields);
        merkleize_fields(&fields)
    }

    /// The roots of the state's 37 fields, in the spec's order.
    pub(crate) fn field_roots(&mut self, s: &BeaconState<P>) -> [Node; 37] {
        let StateRootCache {
            fork,
            latest_block_header,
            block_roots,
            state_roots,
            historical_roots,
            eth1_data,
            eth1_data_votes,
            validators,
            balances,
            randao_mixes,
            slashings,
            previous_epoch_participation,
            current_epoch_participation,
            inactivity_scores,
            current_sync_committee,
            next_sync_committee,
            latest_execution_payload_header,
            historical_summaries,
            pending_deposits,
            pending_partial_withdrawals,
            pending_consolidations,
            last_fields: _,
        } = self;
        // After the epoch's flag rotation the previous list is what the current one was when
        // last hashed: swapping the two caches leaves the previous one nothing to rehash (and
        // the reset current list is all zero groups). Each root still compares its shadow.
        let prev: &[u8] = s.previous_epoch_participation.as_ref();
        if current_epoch_participation.built
            && current_epoch_participation.shadow.as_slice() == prev
            && previous_epoch_participation.shadow.as_slice() != prev
        {
            std::mem::swap(previous_epoch_participation, current_epoch_participation);
        }
        let list = |c: &mut PackedCache<u64>, d: &[u64]| mix_in_length(&c.root(d), d.len());
        let flags = |c: &mut PackedCache<u8>, d: &[u8]| mix_in_length(&c.root(d), d.len());
        // Registry and balances on one thread, every other field on the other (a warm root is
        // mostly shadow comparisons, memory-bound; a cold one is split further inside).
        let ((validators_root, balances_root), rest) = rayon::join(
            || (validators.root(&s.validators), list(balances, &s.balances)),
            || {
                [
                    flags(
                        previous_epoch_participation,
                        &s.previous_epoch_participation,
                    ),
                    flags(current_epoch_participation, &s.current_epoch_participation),
                    list(inactivity_scores, &s.inactivity_scores),
                    block_roots.root(&s.block_roots),
                    state_roots.root(&s.state_roots),
                    mix_in_length(
                        &historical_roots.root(&s.historical_roots),
                        s.historical_roots.len(),
                    ),
                    randao_mixes.root(&s.randao_mixes),
                    slashings.root(&s.slashings),
                    eth1_data_votes.root(&s.eth1_data_votes),
                    historical_summaries.root(&s.historical_summaries),
                    pending_deposits.root(&s.pending_deposits),
                    pending_partial_withdrawals.root(&s.pending_partial_withdrawals),
                    pending_consolidations.root(&s.pending_consolidations),
                ]
            },
        );
        let [prev_part, cur_part, inactivity, block_roots_root, state_roots_root, historical_roots_root, randao, slashings_root, votes, summaries, deposits, partials, consolidations] =
            rest;
        let u64_root = |v: u64| v.tree_hash_root().0;
        // The three checkpoints below, hashed by tree_hash (the integers and the justification
        // bits are one chunk each: no hash).
        crate::work::node_hashes(3 * Checkpoint::NODE_HASHES);
        // electra § BeaconState, field by field in the spec's order.
        [
            u64_root(s.genesis_time),
            s.genesis_validators_root.0,
            u64_root(s.slot),
            fork.root(&s.fork),
            latest_block_header.root(&s.latest_block_header),
            block_roots_root,
            state_roots_root,
            historical_roots_root,
            eth1_data.root(&s.eth1_data),
            votes,
            u64_root(s.eth1_deposit_index),
            validators_root,
            balances_root,
            randao,
            slashings_root,
            prev_part,
            cur_part,
            s.justification_bits.tree_hash_root().0,
            s.previous_justified_checkpoint.tree_hash_root().0,
            s.current_justified_checkpoint.tree_hash_root().0,
            s.finalized_checkpoint.tree_hash_root().0,
            inactivity,
            current_sync_committee.root(&s.current_sync_committee),
            next_sync_committee.root(&s.next_sync_committee),
            latest_execution_payload_header.root(&s.latest_execution_payload_header),
            u64_root(s.next_withdrawal_index),
            u64_root(s.next_withdrawal_validator_index),
            summaries,
            u64_root(s.deposit_requests_start_index),
            u64_root(s.deposit_balance_to_consume),
            u64_root(s.exit_balance_to_consume),
            u64_root(s.earliest_exit_epoch),
            u64_root(s.consolidation_balance_to_consume),
            u64_root(s.earliest_consolidation_epoch),
            deposits,
            partials,
            consolidations,
        ]
    }
}

/// electra § BeaconState root from its 37 field roots (padded to 64 leaves: six levels).
fn merkleize_fields(fields: &[Node; 37]) -> Root {
    let mut buf = vec![0u8; 64 * 32];
    for (f, d) in fields.iter().zip(buf.chunks_exact_mut(32)) {
        d.copy_from_slice(f);
    }
    let mut root = [[0u8; 32]];
    merkleize_into(&buf, 6, &mut root, &mut Vec::new(), &mut Vec::new());
    let [root] = root;
    Root::from(root)
}
