//! altair § process_sync_committee_updates with electra § get_next_sync_committee_indices, the
//! next epoch's active indices collected by the scan.
//!
//! The candidates' shuffled positions come from `ShuffledIndex`: phase0 § compute_shuffled_index
//! with its 90 pivots computed once and its source hashes memoized per (round, 256-position
//! block). Measured on mainnet-2026 (975k active, loaded machine): the whole-list shuffle
//! (`crypto::shuffle::shuffle_list`, 90 passes over the list) took 1.0-1.2 s; only the first
//! ~10^4-10^5 positions are ever read (acceptance is `effective_balance / 2048 ETH`), and their
//! source hashes are at most 90 x n/256.

use crate::crypto::bls::eth_aggregate_pubkeys;
use crate::crypto::hash::hash;
use crate::crypto::hash::hash_concat;
use crate::error::{ensure, Error, Result};
use crate::fast::cache::{committee_indices, sorted_dedup, FastCaches};
use crate::fast::tracked::TrackedState;
use crate::helpers::accessors::get_seed;
use crate::helpers::math::{add, mul, rem, sub};
use crate::preset::consts::DOMAIN_SYNC_COMMITTEE;
use crate::preset::Preset;
use crate::types::{BeaconState, Epoch, Root, SyncCommittee, ValidatorIndex};
use ssz_types::FixedVector;

/// phase0 § compute_shuffled_index for many indices of one (index_count, seed): pivots computed
/// once, source hashes memoized.
pub struct ShuffledIndex {
    seed: Root,
    index_count: u64,
    pivots: Vec<u64>,
    /// `sources[round][position // 256]`, filled on first use.
    sources: Vec<Vec<Option<[u8; 32]>>>,
}

impl ShuffledIndex {
    /// For `index_count > 0` indices shuffled with `seed` in `rounds` rounds
    /// (`SHUFFLE_ROUND_COUNT`).
    pub fn new(index_count: u64, seed: Root, rounds: u8) -> Result<Self> {
        ensure(index_count > 0, "compute_shuffled_index: index_count > 0")?;
        let mut pivots = vec![0u64; usize::from(rounds)];
        for (round, pivot) in pivots.iter_mut().enumerate() {
            // > pivot = bytes_to_uint64(hash(seed + uint_to_bytes(uint8(current_round)))[0:8]) % index_count
            let mut buf = [0u8; 33];
            buf[..32].copy_from_slice(seed.as_slice());
            buf[32] = round as u8;
            let h = hash(&buf);
            let mut b = [0u8; 8];
            b.copy_from_slice(h.get(..8).unwrap_or(&[0u8; 8]));
            *pivot = rem(u64::from_le_bytes(b), index_count, "compute_shuffled_index")?;
        }
        let blocks = usize::try_from(index_count.div_ceil(256))
            .map_err(|_| Error::Assert("compute_shuffled_index: index_count"))?;
        Ok(ShuffledIndex {
            seed,
            index_count,
            pivots,
            sources: vec![vec![None; blocks]; usize::from(rounds)],
        })
    }

    /// phase0 § compute_shuffled_index(index, index_count, seed)
    pub fn get(&mut self, index: u64) -> Result<u64> {
        let mut one = [index];
        self.get_many(&mut one)?;
        Ok(one[0])
    }

    /// `compute_shuffled_index` of every entry of `indices`, in place. Round by round over the
    /// whole batch, so each round's memo (n/256 hashes, ~128 KB at 1M) stays in cache.
    pub fn get_many(&mut self, indices: &mut [u64]) -> Result<()> {
        const WHAT: &str = "compute_shuffled_index";
        let n = self.index_count;
        ensure(
            indices.iter().all(|&i| i < n),
            "compute_shuffled_index: index < index_count",
        )?;
        for (round, (pivot, sources)) in self.pivots.iter().zip(self.sources.iter_mut()).enumerate()
        {
            for index in indices.iter_mut() {
                // > flip = (pivot + index_count - index) % index_count
                let flip = rem(add(*pivot, n.saturating_sub(*index), WHAT)?, n, WHAT)?;
                let position = (*index).max(flip);
                let block = (position / 256) as usize;
                let slot = sources
                    .get_mut(block)
                    .ok_or(Error::Assert("compute_shuffled_index: block"))?;
                let source = match slot {
                    Some(s) => *s,
                    None => {
                        // > source = hash(seed + uint_to_bytes(uint8(current_round)) + uint_to_bytes(uint32(position // 256)))
                        let mut buf = [0u8; 37];
                        buf[..32].copy_from_slice(self.seed.as_slice());
                        buf[32] = round as u8;
                        buf[33..].copy_from_slice(&((position / 256) as u32).to_le_bytes());
                        *slot.insert(hash(&buf))
                    }
                };
                // > byte = uint8(source[(position % 256) // 8]); bit = (byte >> (position % 8)) % 2
                let byte = source
                    .get(((position % 256) / 8) as usize)
                    .copied()
                    .unwrap_or(0);
                if (byte >> (position % 8)) & 1 == 1 {
                    *index = flip;
                }
            }
        }
        Ok(())
    }
}

/// Shuffled positions computed per batch in `get_next_sync_committee_indices`.
const BATCH: u64 = 4096;

/// electra § get_next_sync_committee_indices `[Modified in Electra]`, given
/// `get_active_validator_indices(state, next_epoch)` (sorted).
pub fn get_next_sync_committee_indices<P: Preset>(
    state: &BeaconState<P>,
    next_epoch: Epoch,
    active_validator_indices: &[ValidatorIndex],
) -> Result<Vec<ValidatorIndex>> {
    const WHAT: &str = "get_next_sync_committee_indices";
    // > MAX_RANDOM_VALUE = 2**16 - 1  # [Modified in Electra]
    const MAX_RANDOM_VALUE: u64 = (1 << 16) - 1;
    let active_validator_count = active_validator_indices.len() as u64;
    ensure(
        active_validator_count > 0,
        "get_next_sync_committee_indices: no active validators",
    )?;
    let seed = get_seed(state, next_epoch, DOMAIN_SYNC_COMMITTEE)?;
    let mut shuffled = ShuffledIndex::new(active_validator_count, seed, P::SHUFFLE_ROUND_COUNT)?;
    let mut i: u64 = 0;
    let mut random_bytes = [0u8; 32];
    // Shuffled positions of candidates batch_start.., computed BATCH at a time.
    let (mut batch_start, mut batch) = (0u64, Vec::new());
    let mut sync_committee_indices = Vec::with_capacity(P::SYNC_COMMITTEE_SIZE as usize);
    while (sync_committee_indices.len() as u64) < P::SYNC_COMMITTEE_SIZE {
        if i >= add(batch_start, batch.len() as u64, WHAT)? {
            batch_start = i;
            batch = (i..add(i, BATCH, WHAT)?)
                .map(|k| rem(k, active_validator_count, WHAT))
                .collect::<Result<Vec<u64>>>()?;
            shuffled.get_many(&mut batch)?;
        }
        let shuffled_index = *batch
            .get(sub(i, batch_start, WHAT)? as usize)
            .ok_or(Error::Assert("get_next_sync_committee_indices: batch"))?;
        let candidate_index = *active_validator_indices
            .get(shuffled_index as usize)
            .ok_or(Error::OutOfRange {
                what: "active_validator_indices",
                index: shuffled_index,
                len: active_validator_count,
            })?;
        // > random_bytes = hash(seed + uint_to_bytes(i // 16)): one hash per 16 candidates.
        let chunk = rem(i, 16, WHAT)?;
        if chunk == 0 {
            random_bytes = hash_concat(seed.as_slice(), &(i / 16).to_le_bytes());
        }
        // > offset = i % 16 * 2; random_value = bytes_to_uint64(random_bytes[offset:offset + 2])
        let pair: [u8; 2] = random_bytes
            .chunks_exact(2)
            .nth(chunk as usize)
            .and_then(|s| <[u8; 2]>::try_from(s).ok())
            .ok_or(Error::Assert(
                "get_next_sync_committee_indices: random bytes",
            ))?;
        let random_value = u64::from(u16::from_le_bytes(pair));
        let effective_balance = state
            .validators
            .get(candidate_index as usize)
            .ok_or(Error::OutOfRange {
                what: "validators",
                index: candidate_index,
                len: state.validators.len() as u64,
            })?
            .effective_balance;
        // > [Modified in Electra:EIP7251]
        if mul(effective_balance, MAX_RANDOM_VALUE, WHAT)?
            >= mul(P::MAX_EFFECTIVE_BALANCE_ELECTRA, random_value, WHAT)?
        {
            sync_committee_indices.push(candidate_index);
        }
        i = add(i, 1, WHAT)?;
    }
    Ok(sync_committee_indices)
}

/// altair § process_sync_committee_updates; `next_active` is the next epoch's active set (only
/// read at a period boundary). Records the committees' indices in `caches`.
pub fn process_sync_committee_updates<P: Preset>(
    state: &mut TrackedState<P>,
    caches: &mut FastCaches,
    current_epoch: Epoch,
    next_active: &[ValidatorIndex],
) -> Result<()> {
    let next_epoch = add(current_epoch, 1, "process_sync_committee_updates")?;
    if rem(
        next_epoch,
        P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD,
        "process_sync_committee_updates",
    )? != 0
    {
        return Ok(());
    }
    // altair § get_next_sync_committee
    let s = state.state();
    let indices = get_next_sync_committee_indices(s, next_epoch, next_active)?;
    let pubkeys = indices
        .iter()
        .map(|&i| {
            s.validators
                .get(i as usize)
                .map(|v| v.pubkey)
                .ok_or(Error::OutOfRange {
                    what: "validators",
                    index: i,
                    len: s.validators.len() as u64,
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let aggregate_pubkey = eth_aggregate_pubkeys(&pubkeys)
        .map_err(|_| Error::Assert("get_next_sync_committee: invalid pubkey"))?;
    // The indices blocks will credit: the first occurrence of each pubkey.
    let new_next = committee_indices(&caches.pubkeys, &s.validators, &pubkeys)?;
    let next = SyncCommittee {
        pubkeys: FixedVector::new(pubkeys)
            .map_err(|_| Error::Assert("get_next_sync_committee: committee size"))?,
        aggregate_pubkey,
    };
    let f = state.fields_mut();
    *f.current_sync_committee = std::mem::replace(f.next_sync_committee, next);
    let current = std::mem::replace(&mut caches.next_sync, new_next);
    caches.sync_members = sorted_dedup([current, caches.next_sync.clone()].concat());
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::crypto::shuffle::compute_shuffled_index;
    use crate::{Mainnet, Minimal, Preset};

    #[test]
    fn memoized_shuffled_index_matches_the_spec_function() {
        for (n, byte) in [(1u64, 1u8), (2, 2), (255, 3), (256, 4), (257, 5), (3000, 6)] {
            let seed = Root::repeat_byte(byte);
            let mut m = ShuffledIndex::new(n, seed, Mainnet::SHUFFLE_ROUND_COUNT).unwrap();
            let mut s = ShuffledIndex::new(n, seed, Minimal::SHUFFLE_ROUND_COUNT).unwrap();
            let mut all: Vec<u64> = (0..n).rev().collect();
            m.get_many(&mut all).unwrap();
            for (k, i) in (0..n).rev().enumerate() {
                assert_eq!(
                    all[k],
                    compute_shuffled_index::<Mainnet>(i, n, &seed).unwrap()
                );
            }
            for i in (0..n).rev().chain(0..n) {
                assert_eq!(
                    m.get(i).unwrap(),
                    compute_shuffled_index::<Mainnet>(i, n, &seed).unwrap()
                );
                assert_eq!(
                    s.get(i).unwrap(),
                    compute_shuffled_index::<Minimal>(i, n, &seed).unwrap()
                );
            }
            assert!(m.get(n).is_err());
        }
        assert!(ShuffledIndex::new(0, Root::ZERO, 90).is_err());
    }
}
