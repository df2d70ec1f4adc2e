//! altair § process_sync_committee_updates with electra § get_next_sync_committee_indices over
//! one whole-list shuffle of the next epoch's active indices (the pass collects them) instead of
//! one `compute_shuffled_index` (90 rounds, two hashes each) per candidate.

use crate::crypto::bls::eth_aggregate_pubkeys;
use crate::crypto::hash::hash_concat;
use crate::crypto::shuffle::shuffle_list;
use crate::error::{ensure, Error, Result};
use crate::fast::cache::{committee_indices, sorted_dedup, FastCaches};
use crate::fast::tracked::TrackedState;
use crate::helpers::accessors::get_seed;
use crate::helpers::math::{add, mul, rem};
use crate::preset::consts::DOMAIN_SYNC_COMMITTEE;
use crate::preset::Preset;
use crate::types::{BeaconState, Epoch, SyncCommittee, ValidatorIndex};
use ssz_types::FixedVector;

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
    // shuffled[k] = active[compute_shuffled_index(k, count, seed)]
    let shuffled = shuffle_list::<P>(active_validator_indices, &seed);
    let mut i: u64 = 0;
    let mut random_bytes = [0u8; 32];
    let mut sync_committee_indices = Vec::with_capacity(P::SYNC_COMMITTEE_SIZE as usize);
    while (sync_committee_indices.len() as u64) < P::SYNC_COMMITTEE_SIZE {
        let k = rem(i, active_validator_count, WHAT)?;
        let candidate_index = *shuffled.get(k as usize).ok_or(Error::OutOfRange {
            what: "active_validator_indices",
            index: k,
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
