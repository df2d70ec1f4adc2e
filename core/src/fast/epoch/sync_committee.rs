//! altair § process_sync_committee_updates with electra § get_next_sync_committee_indices, the
//! next epoch's active indices collected by the scan.
//!
//! The candidates' shuffled positions come from `ShuffledIndex`: phase0 § compute_shuffled_index
//! with its 90 pivots computed once and its source hashes computed once per (round, 256-position
//! block). Only the first ~10^4-10^5 positions are ever read (acceptance is
//! `effective_balance / 2048 ETH`), so the whole-list shuffle (`crypto::shuffle::shuffle_list`,
//! 90 passes over the list: 1.0-1.2 s on mainnet-2026, 975k active) does far more than needed.
//! When the expected candidates cover most 256-position blocks (mainnet-2026: ~3x10^4
//! candidates, 3.8k blocks), every source hash is computed up front in parallel and the
//! candidates are then shuffled and tested in parallel; otherwise the hashes are memoized as
//! they are met. Measured on mainnet-2026 at the period boundary (2 threads): the sequential
//! memoized version, with a `%` per (candidate, round), took 100-110 ms of the step's 145 ms.

use crate::crypto::bls::{aggregate_validated_keys, key_validate, BlsError};
use crate::crypto::hash::hash;
use crate::crypto::hash::hash_concat;
use crate::crypto::shuffle::source;
use crate::error::{ensure, Error, Result};
use crate::fast::cache::{committee_indices, sorted_dedup, FastCaches, SyncLookahead};
use crate::fast::tracked::TrackedState;
use crate::helpers::accessors::get_seed;
use crate::helpers::math::{add, mul, rem};
use crate::preset::consts::DOMAIN_SYNC_COMMITTEE;
use crate::preset::Preset;
use crate::types::{BeaconState, BlsPubkey, Epoch, Root, SyncCommittee, ValidatorIndex};
use rayon::prelude::*;
use ssz_types::FixedVector;

/// phase0 § compute_shuffled_index for many indices of one (index_count, seed): pivots computed
/// once, source hashes computed once each (on demand, or all at once with `fill_all`).
pub struct ShuffledIndex {
    seed: Root,
    index_count: u64,
    pivots: Vec<u64>,
    /// Per round, the source hashes of the 256-position blocks concatenated: the bit of
    /// `position` is `sources[round][position / 8] >> (position % 8) & 1`.
    sources: Vec<Vec<u8>>,
    /// Per round, which blocks' hashes are in `sources` (empty once `fill_all` ran).
    filled: Vec<Vec<bool>>,
}

impl ShuffledIndex {
    /// For `index_count > 0` indices shuffled with `seed` in `rounds` rounds
    /// (`SHUFFLE_ROUND_COUNT`).
    pub fn new(index_count: u64, seed: Root, rounds: u8) -> Result<Self> {
        ensure(index_count > 0, "compute_shuffled_index: index_count > 0")?;
        // Positions are u32 blocks of 256 in the spec's source hash.
        ensure(
            index_count <= 1 << 40,
            "compute_shuffled_index: index_count fits uint32 blocks",
        )?;
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
            sources: vec![vec![0u8; blocks.saturating_mul(32)]; usize::from(rounds)],
            filled: vec![vec![false; blocks]; usize::from(rounds)],
        })
    }

    /// Number of 256-position blocks (source hashes per round).
    pub fn blocks(&self) -> usize {
        self.sources.first().map_or(0, |s| s.len() / 32)
    }

    /// Compute every source hash (rounds x blocks), in parallel.
    pub fn fill_all(&mut self) {
        let seed = self.seed;
        self.sources
            .par_iter_mut()
            .enumerate()
            .for_each(|(round, src)| {
                for (block, out) in src.chunks_exact_mut(32).enumerate() {
                    out.copy_from_slice(&source(&seed, round as u8, block as u32));
                }
            });
        self.filled = Vec::new();
    }

    /// phase0 § compute_shuffled_index(index, index_count, seed)
    pub fn get(&mut self, index: u64) -> Result<u64> {
        let mut one = [index];
        self.get_many(&mut one)?;
        Ok(one[0])
    }

    /// `compute_shuffled_index` of every entry of `indices`, in place. Round by round over the
    /// whole batch, so each round's hashes (n/8 bytes, ~122 KB at 1M) stay in cache. After
    /// `fill_all`, in parallel.
    pub fn get_many(&mut self, indices: &mut [u64]) -> Result<()> {
        let n = self.index_count;
        ensure(
            indices.iter().all(|&i| i < n),
            "compute_shuffled_index: index < index_count",
        )?;
        if self.filled.is_empty() {
            // One share per thread, each round by round (a round's hashes stay in that core's
            // cache; chunk by chunk over all 90 rounds' 11 MB took 2-3x longer).
            let this = &*self;
            let share = indices
                .len()
                .div_ceil(rayon::current_num_threads())
                .max(1024);
            indices
                .par_chunks_mut(share)
                .for_each(|chunk| this.shuffle_filled(chunk));
            return Ok(());
        }
        for (round, ((pivot, sources), filled)) in self
            .pivots
            .iter()
            .zip(self.sources.iter_mut())
            .zip(self.filled.iter_mut())
            .enumerate()
        {
            for index in indices.iter_mut() {
                let block = (*index).max(flip(*pivot, n, *index)) / 256;
                let done = filled
                    .get_mut(block as usize)
                    .ok_or(Error::Assert("compute_shuffled_index: block"))?;
                if !*done {
                    let at = (block as usize).saturating_mul(32);
                    sources
                        .get_mut(at..at.saturating_add(32))
                        .ok_or(Error::Assert("compute_shuffled_index: block"))?
                        .copy_from_slice(&source(&self.seed, round as u8, block as u32));
                    *done = true;
                }
                *index = round_step(*pivot, n, *index, sources);
            }
        }
        Ok(())
    }

    /// `get_many` with every hash present (read-only).
    fn shuffle_filled(&self, indices: &mut [u64]) {
        let n = self.index_count;
        for (&pivot, sources) in self.pivots.iter().zip(&self.sources) {
            for index in indices.iter_mut() {
                *index = round_step(pivot, n, *index, sources);
            }
        }
    }
}

/// `pivot, index < index_count`, so one conditional subtraction stands in for the `%`:
/// > flip = (pivot + index_count - index) % index_count
#[inline]
fn flip(pivot: u64, n: u64, index: u64) -> u64 {
    let x = pivot.saturating_add(n.saturating_sub(index));
    if x >= n {
        x.saturating_sub(n)
    } else {
        x
    }
}

/// One round of phase0 § compute_shuffled_index for one index, branch-free (the bit is a coin
/// flip: a branch on it mispredicts half the time):
/// > flip = (pivot + index_count - index) % index_count; position = max(index, flip)
/// > byte = uint8(source[(position % 256) // 8]); bit = (byte >> (position % 8)) % 2
/// > index = flip if bit else index
///
/// `pivot, index < index_count <= 2**40` (checked by the callers), so the sum is below
/// `2 * index_count`: one conditional subtraction instead of the division, and the saturating
/// operations never saturate.
#[inline]
fn round_step(pivot: u64, n: u64, index: u64, sources: &[u8]) -> u64 {
    let flip = flip(pivot, n, index);
    let position = index.max(flip);
    let byte = sources.get((position / 8) as usize).copied().unwrap_or(0);
    let mask = u64::from((byte >> (position % 8)) & 1).wrapping_neg();
    (flip & mask) | (index & !mask)
}

/// Candidates examined per batch when the expected count is not known to be larger.
const BATCH: u64 = 4096;
/// The largest first batch (8 MB of shuffled positions).
const MAX_FIRST_BATCH: u64 = 1 << 20;

/// How many candidates a draw from `active_validator_indices` is expected to examine:
/// SYNC_COMMITTEE_SIZE / mean acceptance, the mean taken over up to 1,024 evenly spaced active
/// validators. Only batching depends on it, never a result.
pub(crate) fn expected_candidates<P: Preset>(
    state: &BeaconState<P>,
    active_validator_indices: &[u32],
) -> u64 {
    let step = (active_validator_indices.len() / 1024).max(1);
    let (mut sum, mut k) = (0u128, 0u128);
    for &i in active_validator_indices.iter().step_by(step) {
        let eb = state
            .validators
            .get(i as usize)
            .map_or(0, |v| v.effective_balance);
        sum = sum.saturating_add(u128::from(eb));
        k = k.saturating_add(1);
    }
    let mean = sum.checked_div(k).unwrap_or(0).max(1);
    let c = u128::from(P::SYNC_COMMITTEE_SIZE)
        .saturating_mul(u128::from(P::MAX_EFFECTIVE_BALANCE_ELECTRA))
        .checked_div(mean)
        .unwrap_or(0);
    u64::try_from(c).unwrap_or(u64::MAX)
}

/// The draw's inputs for candidates `start..start + len`: each one's shuffled position
/// (`compute_shuffled_index(i % active_validator_count, ...)`) and random value, in parallel.
/// Both depend only on (seed, active_validator_count), never on balances.
pub(crate) fn draw_batch(
    shuffled: &mut ShuffledIndex,
    start: u64,
    len: u64,
) -> Result<(Vec<u64>, Vec<u16>)> {
    const WHAT: &str = "get_next_sync_committee_indices";
    let n = shuffled.index_count;
    let mut positions = (start..add(start, len, WHAT)?)
        .map(|k| rem(k, n, WHAT))
        .collect::<Result<Vec<u64>>>()?;
    shuffled.get_many(&mut positions)?;
    let seed = shuffled.seed;
    let random_values = (0..len)
        .collect::<Vec<u64>>()
        .par_chunks(1024)
        .map(|chunk| {
            let mut bytes = None;
            chunk
                .iter()
                .map(|&k| random_value(&seed, start.saturating_add(k), &mut bytes))
                .collect::<Vec<u16>>()
        })
        .flatten()
        .collect();
    Ok((positions, random_values))
}

/// The random value of candidate `i`; `random_bytes` carries the hash of `i // 16` from the
/// previous candidate.
fn random_value(seed: &Root, i: u64, random_bytes: &mut Option<(u64, [u8; 32])>) -> u16 {
    // > random_bytes = hash(seed + uint_to_bytes(i // 16)): one hash per 16 candidates.
    let bytes = match *random_bytes {
        Some((group, bytes)) if group == i / 16 => bytes,
        _ => {
            let bytes = hash_concat(seed.as_slice(), &(i / 16).to_le_bytes());
            *random_bytes = Some((i / 16, bytes));
            bytes
        }
    };
    // > offset = i % 16 * 2; random_value = bytes_to_uint64(random_bytes[offset:offset + 2])
    // `i % 16 * 2 + 1 < 32`: always in range.
    let at = (i % 16).saturating_mul(2) as usize;
    u16::from_le_bytes([
        bytes.get(at).copied().unwrap_or(0),
        bytes.get(at.saturating_add(1)).copied().unwrap_or(0),
    ])
}

/// Test candidates (shuffled positions with their random values) against `state`'s effective
/// balances in parallel, and append the accepted to `committee` in the spec's order until it is
/// full. What lies beyond the last accepted candidate (and any error there) the spec never
/// evaluates. Returns how many candidates were examined: all, or up to the one that filled it.
fn take_accepted<P: Preset>(
    state: &BeaconState<P>,
    active_validator_indices: &[u32],
    positions: &[u64],
    random_values: &[u16],
    committee: &mut Vec<ValidatorIndex>,
) -> Result<usize> {
    let accepted = positions
        .par_chunks(1024)
        .zip(random_values.par_chunks(1024))
        .map(|(ps, rs)| {
            ps.iter()
                .zip(rs)
                .map(|(&p, &r)| accept::<P>(state, active_validator_indices, p, r))
                .collect::<Vec<_>>()
        })
        .collect::<Vec<Vec<Result<Option<ValidatorIndex>>>>>();
    let mut examined: usize = 0;
    for candidate in accepted.into_iter().flatten() {
        if (committee.len() as u64) >= P::SYNC_COMMITTEE_SIZE {
            break;
        }
        examined = examined.saturating_add(1);
        if let Some(index) = candidate? {
            committee.push(index);
        }
    }
    Ok(examined)
}

/// Candidates a boundary's committee computation drew (shuffled) itself, and tested against
/// effective balances (`EpochWork::sync_committee`, `sync_committee_tested`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrawWork {
    pub drawn: u64,
    pub tested: u64,
}

/// electra § get_next_sync_committee_indices `[Modified in Electra]`, given
/// `get_active_validator_indices(state, next_epoch)` (sorted), and the draw's inputs computed
/// ahead of the boundary if `lookahead` has them for this (seed, active count).
pub fn get_next_sync_committee_indices<P: Preset>(
    state: &BeaconState<P>,
    next_epoch: Epoch,
    active_validator_indices: &[u32],
    lookahead: Option<&SyncLookahead>,
) -> Result<Vec<ValidatorIndex>> {
    next_sync_committee_indices_counted(state, next_epoch, active_validator_indices, lookahead)
        .map(|(indices, _)| indices)
}

/// `get_next_sync_committee_indices` with the candidates it drew and tested.
fn next_sync_committee_indices_counted<P: Preset>(
    state: &BeaconState<P>,
    next_epoch: Epoch,
    active_validator_indices: &[u32],
    lookahead: Option<&SyncLookahead>,
) -> Result<(Vec<ValidatorIndex>, DrawWork)> {
    let active_validator_count = active_validator_indices.len() as u64;
    ensure(
        active_validator_count > 0,
        "get_next_sync_committee_indices: no active validators",
    )?;
    let seed = get_seed(state, next_epoch, DOMAIN_SYNC_COMMITTEE)?;
    let mut sync_committee_indices = Vec::with_capacity(P::SYNC_COMMITTEE_SIZE as usize);
    // The first candidates from the lookahead: only the acceptance test, which reads this
    // state's effective balances, is left for the boundary.
    let mut i: u64 = 0;
    let mut work = DrawWork::default();
    if let Some(draw) = lookahead.and_then(|l| l.draw_for(seed, active_validator_count)) {
        take_accepted::<P>(
            state,
            active_validator_indices,
            draw.positions,
            draw.random_values,
            &mut sync_committee_indices,
        )?;
        i = draw.positions.len() as u64;
        work.tested = i;
    }
    if (sync_committee_indices.len() as u64) >= P::SYNC_COMMITTEE_SIZE {
        return Ok((sync_committee_indices, work));
    }
    let mut shuffled = ShuffledIndex::new(active_validator_count, seed, P::SHUFFLE_ROUND_COUNT)?;
    let expected = if i == 0 {
        expected_candidates(state, active_validator_indices)
    } else {
        // Past a lookahead that fell short: a few more candidates (batching only).
        BATCH
    };
    // Enough candidates to touch most blocks in every round: hash them all, in parallel, and
    // take a first batch with margin.
    let mut batch_len = BATCH;
    if expected.saturating_mul(2) >= shuffled.blocks() as u64 {
        shuffled.fill_all();
        // Capped: a registry of near-zero balances would otherwise ask for a huge batch.
        batch_len = expected
            .saturating_add(expected / 4)
            .clamp(BATCH, MAX_FIRST_BATCH);
    }
    let (_, drawn) = draw_until_full::<P>(
        state,
        active_validator_indices,
        &mut shuffled,
        (i, batch_len, u64::MAX),
        &mut sync_committee_indices,
        None,
    )?;
    work.drawn = drawn;
    work.tested = work.tested.saturating_add(drawn);
    Ok((sync_committee_indices, work))
}

/// The positions and random values of every candidate drawn (`draw_until_full`'s record).
pub(crate) type DrawRecord<'a> = (&'a mut Vec<u64>, &'a mut Vec<u16>);

/// Draw candidates from `start` in batches (the first `first_batch` long, then `BATCH`): each
/// batch shuffled, then tested, in parallel, and taken in order until `committee` is full, or
/// until `cap` candidates are drawn. `record` keeps every drawn candidate's inputs. Returns how
/// many candidates were examined from 0 (one past the one that filled the committee), and how
/// many it drew (every batch is drawn and tested whole).
pub(crate) fn draw_until_full<P: Preset>(
    state: &BeaconState<P>,
    active_validator_indices: &[u32],
    shuffled: &mut ShuffledIndex,
    (start, first_batch, cap): (u64, u64, u64),
    committee: &mut Vec<ValidatorIndex>,
    mut record: Option<DrawRecord<'_>>,
) -> Result<(u64, u64)> {
    const WHAT: &str = "get_next_sync_committee_indices";
    let (mut i, mut batch_len, mut examined) = (start, first_batch, start);
    while (committee.len() as u64) < P::SYNC_COMMITTEE_SIZE && i < cap {
        // Candidates i..i + batch_len.
        let (positions, random_values) = draw_batch(shuffled, i, batch_len)?;
        let taken = take_accepted::<P>(
            state,
            active_validator_indices,
            &positions,
            &random_values,
            committee,
        )?;
        examined = add(i, taken as u64, WHAT)?;
        if let Some((p, r)) = record.as_mut() {
            p.extend_from_slice(&positions);
            r.extend_from_slice(&random_values);
        }
        i = add(i, batch_len, WHAT)?;
        batch_len = BATCH;
    }
    Ok((examined, i.saturating_sub(start)))
}

/// One candidate of electra § get_next_sync_committee_indices: at `shuffled_index` in the
/// active list, with its `random_value`; its index if accepted.
fn accept<P: Preset>(
    state: &BeaconState<P>,
    active_validator_indices: &[u32],
    shuffled_index: u64,
    random_value: u16,
) -> Result<Option<ValidatorIndex>> {
    const WHAT: &str = "get_next_sync_committee_indices";
    // > MAX_RANDOM_VALUE = 2**16 - 1  # [Modified in Electra]
    const MAX_RANDOM_VALUE: u64 = (1 << 16) - 1;
    let candidate_index = active_validator_indices
        .get(shuffled_index as usize)
        .map(|&i| ValidatorIndex::from(i))
        .ok_or(Error::OutOfRange {
            what: "active_validator_indices",
            index: shuffled_index,
            len: active_validator_indices.len() as u64,
        })?;
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
    // > if effective_balance * MAX_RANDOM_VALUE >= MAX_EFFECTIVE_BALANCE_ELECTRA * random_value
    Ok((mul(effective_balance, MAX_RANDOM_VALUE, WHAT)?
        >= mul(
            P::MAX_EFFECTIVE_BALANCE_ELECTRA,
            u64::from(random_value),
            WHAT,
        )?)
    .then_some(candidate_index))
}

/// altair § eth_aggregate_pubkeys with the KeyValidate of each key in parallel (512 keys: ~37
/// ms of one core), reusing the keys the lookahead validated (`indices[k]` holds `pubkeys[k]`).
fn eth_aggregate_pubkeys_par(
    indices: &[ValidatorIndex],
    pubkeys: &[BlsPubkey],
    lookahead: Option<&SyncLookahead>,
) -> Result<BlsPubkey, BlsError> {
    // > assert len(pubkeys) > 0; assert all(bls.KeyValidate(pubkey) for pubkey in pubkeys)
    if pubkeys.is_empty() {
        return Err(BlsError::Empty);
    }
    let keys = pubkeys
        .par_iter()
        .zip(indices)
        .map(
            |(pubkey, &index)| match lookahead.and_then(|l| l.validated(index, pubkey)) {
                Some(key) => Ok(key),
                None => key_validate(pubkey),
            },
        )
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BlsPubkey::from(aggregate_validated_keys(&keys)?.compress()))
}

/// altair § process_sync_committee_updates; `next_active` is the next epoch's active set (only
/// read at a period boundary). Records the committees' indices in `caches`. Returns the
/// candidates drawn and tested (none off a boundary).
pub fn process_sync_committee_updates<P: Preset>(
    state: &mut TrackedState<P>,
    caches: &mut FastCaches,
    current_epoch: Epoch,
    next_active: &[u32],
) -> Result<DrawWork> {
    let next_epoch = add(current_epoch, 1, "process_sync_committee_updates")?;
    if rem(
        next_epoch,
        P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD,
        "process_sync_committee_updates",
    )? != 0
    {
        return Ok(DrawWork::default());
    }
    // altair § get_next_sync_committee
    let s = state.state();
    // The lookahead is for this boundary only; taken, it is spent.
    let lookahead = caches.sync_lookahead.take();
    let lookahead = lookahead.as_ref().filter(|l| l.next_epoch == next_epoch);
    let (indices, work) =
        next_sync_committee_indices_counted(s, next_epoch, next_active, lookahead)?;
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
    let aggregate_pubkey = eth_aggregate_pubkeys_par(&indices, &pubkeys, lookahead)
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
    Ok(work)
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
            let mut filled = ShuffledIndex::new(n, seed, Mainnet::SHUFFLE_ROUND_COUNT).unwrap();
            filled.fill_all();
            let mut all: Vec<u64> = (0..n).rev().collect();
            let mut all_filled = all.clone();
            m.get_many(&mut all).unwrap();
            filled.get_many(&mut all_filled).unwrap();
            for (k, i) in (0..n).rev().enumerate() {
                let want = compute_shuffled_index::<Mainnet>(i, n, &seed).unwrap();
                assert_eq!(all[k], want);
                assert_eq!(all_filled[k], want);
            }
            assert!(filled.get(n).is_err());
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
