//! Group roots computed from the data: packed basic lists/vectors and the validator registry.
//!
//! A group is `2^base` leaf chunks. Groups are gathered into one buffer and hashed level by level
//! in batches (`hash::merkleize_groups`), many groups per `hashtree` call; large sets are split
//! across rayon threads.
// Index arithmetic on in-memory lengths (< 2^40), which cannot overflow a usize.
#![allow(clippy::arithmetic_side_effects)]

use super::hash::{
    hash_blocks, hash_blocks_uncounted, hash_pair_uncounted, merkle_nodes, merkleize_into,
    zero_hash, Node, NodeHashes,
};
use crate::types::{Root, Validator};
use rayon::prelude::*;
use std::sync::OnceLock;
use tree_hash::TreeHash;

/// Groups of packed data hashed per batch (keeps the buffers in cache).
const BATCH: usize = 256;
/// Groups of validators per batch: 128 validators, 32 KB of field chunks. Small enough that the
/// buffers stay below malloc's mmap threshold: at 256 groups (256 KB) every batch was a fresh
/// mapping, zeroed page by page (page faults + clear_page ~4% of a cold root).
const BATCH_VALIDATORS: usize = 32;
/// Below this many groups, one thread.
const PAR_GROUPS: usize = 2048;

/// An SSZ basic type packed into chunks (`uint64`, `uint8`, `Bytes32`).
pub trait Packed: Copy + PartialEq + Default + Send + Sync {
    /// Serialized size in bytes (divides 32).
    const SIZE: usize;
    /// Write the little-endian serialization into `out` (`out.len() == SIZE`).
    fn put(&self, out: &mut [u8]);
    /// `data`'s serialization when it is `data`'s own memory (hashed without a copy), else `None`.
    fn serialized(_data: &[Self]) -> Option<&[u8]> {
        None
    }
}

impl Packed for u64 {
    const SIZE: usize = 8;
    fn put(&self, out: &mut [u8]) {
        out.copy_from_slice(&self.to_le_bytes());
    }
    #[cfg(target_endian = "little")]
    fn serialized(data: &[u64]) -> Option<&[u8]> {
        Some(bytemuck::cast_slice(data))
    }
}

impl Packed for u8 {
    const SIZE: usize = 1;
    fn put(&self, out: &mut [u8]) {
        if let Some(b) = out.first_mut() {
            *b = *self;
        }
    }
    fn serialized(data: &[u8]) -> Option<&[u8]> {
        Some(data)
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

/// Buffers reused by one thread across the groups it hashes (fresh ones per batch were page
/// faults: `clear_page` was 7% of a warm root, perf).
#[derive(Default)]
pub struct Scratch {
    pack: Vec<u8>,
    a: Vec<u8>,
    b: Vec<u8>,
}

/// The roots of the consecutive groups `first..first + out.len()` of the packed `data` (chunks
/// past its end are zero), written to `out`. An all-zero group's root is the zero subtree's,
/// taken without hashing (a reset participation list, the balances of withdrawn validators);
/// runs of whole groups are hashed straight from `data`'s memory where that is its serialization.
pub fn packed_run_roots<T: Packed>(
    data: &[T],
    base: u32,
    first: usize,
    out: &mut [Node],
    scratch: &mut Scratch,
) {
    let per = per_group::<T>(base);
    let group_bytes = 32usize << base;
    let zero = zero_hash(base as usize);
    let elems = |g: usize| {
        let start = (g * per).min(data.len());
        data.get(start..(start + per).min(data.len()))
            .unwrap_or(&[])
    };
    let is_zero = |g: usize| elems(g).iter().all(|e| *e == T::default());
    let mut g = 0;
    while g < out.len() {
        if is_zero(first + g) {
            if let Some(o) = out.get_mut(g) {
                *o = zero;
            }
            g += 1;
            continue;
        }
        let mut h = g + 1;
        while h < out.len() && !is_zero(first + h) {
            h += 1;
        }
        // Groups `g..h` are a run of non-zero groups.
        let (lo, hi) = ((first + g) * per, (first + h) * per);
        let Scratch { pack, a, b } = &mut *scratch;
        let direct = data.get(lo..hi).and_then(T::serialized);
        let input: &[u8] = match direct {
            Some(bytes) => bytes,
            None => {
                pack.clear();
                pack.resize((h - g) * group_bytes, 0);
                let run = data
                    .get(lo.min(data.len())..hi.min(data.len()))
                    .unwrap_or(&[]);
                for (e, d) in run.iter().zip(pack.chunks_exact_mut(T::SIZE)) {
                    e.put(d);
                }
                pack
            }
        };
        if let Some(o) = out.get_mut(g..h) {
            merkleize_into(input, base, o, a, b);
        }
        g = h;
    }
}

/// The roots of the groups `first..first + out.len()` of `data`, written to `out`: in parallel
/// batches when there are many.
pub fn packed_roots_into<T: Packed>(data: &[T], base: u32, first: usize, out: &mut [Node]) {
    if out.len() >= PAR_GROUPS {
        out.par_chunks_mut(BATCH)
            .enumerate()
            .for_each_init(Scratch::default, |s, (k, o)| {
                packed_run_roots(data, base, first + k * BATCH, o, s)
            });
    } else {
        packed_run_roots(data, base, first, out, &mut Scratch::default());
    }
}

/// A `uint64` as its chunk.
fn chunk(x: u64) -> [u8; 32] {
    let mut c = [0u8; 32];
    if let Some(lo) = c.get_mut(..8) {
        lo.copy_from_slice(&x.to_le_bytes());
    }
    c
}

/// Level-one nodes of the validator tree shared by many validators, computed once per process:
/// `hash(effective_balance, slashed)` for every whole-ETH balance up to 2048 ETH, and
/// `hash(exit_epoch, withdrawable_epoch)` while both are FAR_FUTURE_EPOCH (every validator not
/// exiting). They are two of a validator's eight hashes; on mainnet-2026 the balance pair has
/// ~1.5k distinct values in 2M validators.
struct SharedNodes {
    balance: Vec<Node>,
    not_exiting: Node,
}

const INCREMENT: u64 = 1_000_000_000;
const MAX_INCREMENTS: u64 = 2048;

fn shared_nodes() -> &'static SharedNodes {
    static SHARED: OnceLock<SharedNodes> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut blocks = Vec::new();
        for k in 0..=MAX_INCREMENTS {
            for slashed in [0u64, 1] {
                blocks.extend_from_slice(&chunk(k * INCREMENT));
                blocks.extend_from_slice(&chunk(slashed));
            }
        }
        let mut out = vec![0u8; blocks.len() / 2];
        hash_blocks_uncounted(&mut out, &blocks);
        let far = chunk(u64::MAX);
        SharedNodes {
            balance: out
                .chunks_exact(32)
                .map(|c| {
                    let mut n = [0u8; 32];
                    n.copy_from_slice(c);
                    n
                })
                .collect(),
            not_exiting: hash_pair_uncounted(&far, &far),
        }
    })
}

/// The shared node for this balance pair, if it is one of the table's.
fn balance_node(shared: &SharedNodes, effective_balance: u64, slashed: bool) -> Option<&Node> {
    if effective_balance % INCREMENT != 0 {
        return None;
    }
    let k = usize::try_from(effective_balance / INCREMENT).ok()?;
    shared.balance.get(2 * k + usize::from(slashed))
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
    // Level one: four nodes per validator, (pubkey, credentials), (balance, slashed),
    // (eligibility, activation), (exit, withdrawable); the shared ones are copied, the others
    // gathered as blocks and hashed in one batch.
    let shared = shared_nodes();
    let mut level1 = vec![[0u8; 32]; vs.len() * 4];
    let mut blocks: Vec<u8> = Vec::with_capacity(vs.len() * 4 * 64);
    let mut at: Vec<usize> = Vec::with_capacity(vs.len() * 4);
    let mut push = |i: usize, a: &[u8], b: &[u8; 32]| {
        blocks.extend_from_slice(a);
        blocks.extend_from_slice(b);
        at.push(i);
    };
    let set = |nodes: &mut [Node], i: usize, n: &Node| {
        if let Some(d) = nodes.get_mut(i) {
            *d = *n;
        }
    };
    for (i, (v, pkr)) in vs.iter().zip(pk_roots.chunks_exact(32)).enumerate() {
        push(4 * i, pkr, &v.withdrawal_credentials.0);
        match balance_node(shared, v.effective_balance, v.slashed) {
            Some(n) => set(&mut level1, 4 * i + 1, n),
            None => push(
                4 * i + 1,
                &chunk(v.effective_balance),
                &chunk(u64::from(v.slashed)),
            ),
        }
        push(
            4 * i + 2,
            &chunk(v.activation_eligibility_epoch),
            &chunk(v.activation_epoch),
        );
        if v.exit_epoch == u64::MAX && v.withdrawable_epoch == u64::MAX {
            set(&mut level1, 4 * i + 3, &shared.not_exiting);
        } else {
            push(
                4 * i + 3,
                &chunk(v.exit_epoch),
                &chunk(v.withdrawable_epoch),
            );
        }
    }
    let mut hashed = vec![0u8; at.len() * 32];
    hash_blocks(&mut hashed, &blocks);
    for (i, h) in at.iter().zip(hashed.chunks_exact(32)) {
        if let Some(d) = level1.get_mut(*i) {
            d.copy_from_slice(h);
        }
    }
    // Levels two and three: adjacent nodes are the blocks.
    let mut level2 = vec![0u8; vs.len() * 64];
    hash_blocks(&mut level2, level1.as_flattened());
    if let Some(dst) = leaves.get_mut(..vs.len() * 32) {
        hash_blocks(dst, &level2);
    }
}

/// A list element whose roots `ElemCache` computes: one `tree_hash` each unless the type hashes
/// many at once.
pub trait ElemRoots: TreeHash + NodeHashes + Sized + Sync {
    /// The roots of `items`, in order, into `out` (`out.len() == items.len()`).
    fn roots(items: &[&Self], out: &mut [Node]) {
        for (o, e) in out.iter_mut().zip(items) {
            *o = e.tree_hash_root().0;
        }
        crate::work::node_hashes(Self::NODE_HASHES.saturating_mul(items.len() as u64));
    }
}

impl ElemRoots for crate::types::Eth1Data {}
impl ElemRoots for crate::types::HistoricalSummary {}
impl ElemRoots for crate::types::PendingPartialWithdrawal {}
impl ElemRoots for crate::types::PendingConsolidation {}

/// `tree_hash`'s node hashes per type (`NodeHashes`): a container of f fields is
/// `merkle_nodes(f)` above its fields' own; a 48-byte key is two chunks (one hash), a 96-byte
/// signature three (`merkle_nodes(3)`); integers, roots, addresses and bitvectors of up to 256
/// bits are one chunk (none).
mod node_hashes {
    use super::{merkle_nodes, NodeHashes};
    use crate::preset::Preset;
    use crate::types::*;
    use typenum::Unsigned;

    const PUBKEY: u64 = merkle_nodes(2);
    const SIGNATURE: u64 = merkle_nodes(3);

    impl NodeHashes for Checkpoint {
        const NODE_HASHES: u64 = merkle_nodes(2);
    }
    impl NodeHashes for Fork {
        const NODE_HASHES: u64 = merkle_nodes(3);
    }
    impl NodeHashes for BeaconBlockHeader {
        const NODE_HASHES: u64 = merkle_nodes(5);
    }
    impl NodeHashes for Eth1Data {
        const NODE_HASHES: u64 = merkle_nodes(3);
    }
    impl NodeHashes for HistoricalSummary {
        const NODE_HASHES: u64 = merkle_nodes(2);
    }
    impl NodeHashes for PendingPartialWithdrawal {
        const NODE_HASHES: u64 = merkle_nodes(3);
    }
    impl NodeHashes for PendingConsolidation {
        const NODE_HASHES: u64 = merkle_nodes(2);
    }
    /// Hashed here in batches (`ElemRoots for PendingDeposit`), the same ten nodes.
    impl NodeHashes for PendingDeposit {
        const NODE_HASHES: u64 = merkle_nodes(5) + PUBKEY + SIGNATURE;
    }
    /// The keys (one hash each), the vector of their roots, the aggregate key, the container.
    impl<P: Preset> NodeHashes for SyncCommittee<P> {
        const NODE_HASHES: u64 = {
            let n = P::SyncCommitteeSize::U64;
            n * PUBKEY + merkle_nodes(n) + PUBKEY + merkle_nodes(2)
        };
    }
    /// Seventeen fields; the logs bloom's chunks; the extra data (at most one chunk) mixed in
    /// with its length.
    impl<P: Preset> NodeHashes for ExecutionPayloadHeader<P> {
        const NODE_HASHES: u64 = merkle_nodes(17)
            + merkle_nodes(P::BytesPerLogsBloom::U64.div_ceil(32))
            + merkle_nodes(P::MaxExtraDataBytes::U64.div_ceil(32))
            + 1;
    }
}

/// electra § PendingDeposit roots in hashtree batches: its ten hashes in five calls, against
/// `tree_hash`'s one SHA-256 context per node (50k deposits on mainnet-2026 were 8% of a cold
/// root, perf).
impl ElemRoots for crate::types::PendingDeposit {
    fn roots(items: &[&Self], out: &mut [Node]) {
        let n = items.len();
        let mut blocks: Vec<u8> = Vec::with_capacity(n * 3 * 64);
        // The pubkey's block, the signature's two (96 bytes: three chunks and a zero one).
        for d in items {
            let sig = d.signature.as_bytes();
            blocks.extend_from_slice(d.pubkey.as_bytes());
            blocks.extend_from_slice(&[0u8; 16]);
            blocks.extend_from_slice(sig);
            blocks.extend_from_slice(&[0u8; 32]);
        }
        let mut first = vec![0u8; n * 3 * 32];
        hash_blocks(&mut first, &blocks);
        // The signature's root: its two nodes are adjacent.
        blocks.clear();
        for t in first.chunks_exact(96) {
            blocks.extend_from_slice(t.get(32..).unwrap_or(&[]));
        }
        let mut sig_roots = vec![0u8; n * 32];
        hash_blocks(&mut sig_roots, &blocks);
        // Level one of the eight field chunks: (pubkey, credentials), (amount, signature),
        // (slot, 0); the fourth pair is zero.
        blocks.clear();
        for ((d, t), sr) in items
            .iter()
            .zip(first.chunks_exact(96))
            .zip(sig_roots.chunks_exact(32))
        {
            blocks.extend_from_slice(t.get(..32).unwrap_or(&[]));
            blocks.extend_from_slice(d.withdrawal_credentials.as_slice());
            blocks.extend_from_slice(&chunk(d.amount));
            blocks.extend_from_slice(sr);
            blocks.extend_from_slice(&chunk(d.slot));
            blocks.extend_from_slice(&[0u8; 32]);
        }
        let mut level1 = vec![0u8; n * 3 * 32];
        hash_blocks(&mut level1, &blocks);
        blocks.clear();
        let z1 = zero_hash(1);
        for t in level1.chunks_exact(96) {
            blocks.extend_from_slice(t);
            blocks.extend_from_slice(&z1);
        }
        let mut level2 = vec![0u8; n * 2 * 32];
        hash_blocks(&mut level2, &blocks);
        hash_blocks(out.as_flattened_mut(), &level2);
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
        let start = out.len();
        out.resize(start + gs.len(), [0u8; 32]);
        if let Some(o) = out.get_mut(start..) {
            merkleize_into(&buf, base, o, &mut Vec::new(), &mut Vec::new());
        }
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// Every validator's root against `tree_hash`, with balances and epochs on and off the
    /// shared nodes' table: whole ETH from 0 to past 2048 ETH, fractional, u64::MAX, slashed or
    /// not, exit or withdrawable epoch alone at FAR_FUTURE_EPOCH.
    #[test]
    fn validator_roots_equal_tree_hash_on_and_off_the_shared_nodes() {
        let mut rng = super::super::tests::Rng(0x9E37_79B9_7F4A_7C15);
        let mut next = || rng.next();
        let balances = [
            0,
            INCREMENT,
            32 * INCREMENT,
            2048 * INCREMENT,
            2049 * INCREMENT,
            31 * INCREMENT + 1,
            u64::MAX,
            u64::MAX - u64::MAX % INCREMENT,
        ];
        let epochs = [0, 1, 411_000, u64::MAX - 1, u64::MAX];
        let vs: Vec<Validator> = (0..600)
            .map(|i| {
                let mut pubkey = [0u8; 48];
                pubkey.iter_mut().for_each(|b| *b = next() as u8);
                Validator {
                    pubkey: crate::types::BlsPubkey::from(pubkey),
                    withdrawal_credentials: Root::repeat_byte(next() as u8),
                    effective_balance: balances[(next() % balances.len() as u64) as usize],
                    slashed: i % 3 == 0,
                    activation_eligibility_epoch: epochs[(next() % 5) as usize],
                    activation_epoch: epochs[(next() % 5) as usize],
                    exit_epoch: epochs[(next() % 5) as usize],
                    withdrawable_epoch: epochs[(next() % 5) as usize],
                }
            })
            .collect();
        let refs: Vec<&Validator> = vs.iter().collect();
        let mut leaves = vec![0u8; vs.len() * 32];
        validator_roots(&refs, &mut leaves);
        for (v, got) in vs.iter().zip(leaves.chunks_exact(32)) {
            assert_eq!(got, v.tree_hash_root().as_slice(), "{v:?}");
        }
    }

    /// Batched pending-deposit roots against `tree_hash`, over odd batch sizes.
    #[test]
    fn pending_deposit_roots_equal_tree_hash() {
        use crate::types::PendingDeposit;
        let ds: Vec<PendingDeposit> = (0..37u64)
            .map(|i| PendingDeposit {
                pubkey: crate::types::BlsPubkey::from([i as u8 ^ 0x5a; 48]),
                withdrawal_credentials: Root::repeat_byte(i as u8),
                amount: i * 1_000_000_007,
                signature: crate::types::BlsSignature::from([(i * 3) as u8; 96]),
                slot: u64::MAX - i,
            })
            .collect();
        for n in [0, 1, 2, 5, 37] {
            let refs: Vec<&PendingDeposit> = ds.iter().take(n).collect();
            let mut out = vec![[0u8; 32]; n];
            PendingDeposit::roots(&refs, &mut out);
            for (d, r) in refs.iter().zip(&out) {
                assert_eq!(r, &d.tree_hash_root().0);
            }
        }
    }
}
