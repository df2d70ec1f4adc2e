//! altair § process_sync_committee_updates, with altair § get_next_sync_committee and
//! electra § get_next_sync_committee_indices.

use crate::crypto::bls::eth_aggregate_pubkeys;
use crate::crypto::hash::hash_concat;
use crate::crypto::shuffle::compute_shuffled_index;
use crate::error::{ensure, Error, Result};
use crate::helpers::accessors::{
    get_active_validator_indices, get_current_epoch, get_seed, validator,
};
use crate::helpers::math::{add, mul, rem};
use crate::preset::consts::DOMAIN_SYNC_COMMITTEE;
use crate::preset::Preset;
use crate::types::{BeaconState, SyncCommittee, ValidatorIndex};
use ssz_types::FixedVector;

/// electra § get_next_sync_committee_indices `[Modified in Electra]`
pub fn get_next_sync_committee_indices<P: Preset>(
    state: &BeaconState<P>,
) -> Result<Vec<ValidatorIndex>> {
    const WHAT: &str = "get_next_sync_committee_indices";
    let epoch = add(get_current_epoch(state), 1, WHAT)?;
    // > MAX_RANDOM_VALUE = 2**16 - 1  # [Modified in Electra]
    const MAX_RANDOM_VALUE: u64 = (1 << 16) - 1;
    let active_validator_indices = get_active_validator_indices(state, epoch);
    let active_validator_count = active_validator_indices.len() as u64;
    // The spec's `i % 0` raises on an empty active set.
    ensure(
        active_validator_count > 0,
        "get_next_sync_committee_indices: no active validators",
    )?;
    let seed = get_seed(state, epoch, DOMAIN_SYNC_COMMITTEE)?;
    let mut i: u64 = 0;
    let mut sync_committee_indices = Vec::with_capacity(P::SYNC_COMMITTEE_SIZE as usize);
    while (sync_committee_indices.len() as u64) < P::SYNC_COMMITTEE_SIZE {
        let shuffled_index = compute_shuffled_index::<P>(
            rem(i, active_validator_count, WHAT)?,
            active_validator_count,
            &seed,
        )?;
        let candidate_index = *active_validator_indices
            .get(shuffled_index as usize)
            .ok_or(Error::OutOfRange {
                what: "active_validator_indices",
                index: shuffled_index,
                len: active_validator_count,
            })?;
        // > [Modified in Electra]
        // > random_bytes = hash(seed + uint_to_bytes(i // 16))
        let random_bytes = hash_concat(seed.as_slice(), &(i / 16).to_le_bytes());
        // > offset = i % 16 * 2; random_value = bytes_to_uint64(random_bytes[offset:offset + 2])
        // The 2-byte chunk number `i % 16` is bytes [offset, offset + 2).
        let pair: [u8; 2] = random_bytes
            .chunks_exact(2)
            .nth(rem(i, 16, WHAT)? as usize)
            .and_then(|s| <[u8; 2]>::try_from(s).ok())
            .ok_or(Error::Assert(
                "get_next_sync_committee_indices: random bytes",
            ))?;
        let random_value = u64::from(u16::from_le_bytes(pair));
        let effective_balance = validator(state, candidate_index)?.effective_balance;
        // > [Modified in Electra:EIP7251]
        // > if effective_balance * MAX_RANDOM_VALUE >= MAX_EFFECTIVE_BALANCE_ELECTRA * random_value:
        // uint64 products, as in the spec (an overflow makes the transition invalid).
        if mul(effective_balance, MAX_RANDOM_VALUE, WHAT)?
            >= mul(P::MAX_EFFECTIVE_BALANCE_ELECTRA, random_value, WHAT)?
        {
            sync_committee_indices.push(candidate_index);
        }
        i = add(i, 1, WHAT)?;
    }
    Ok(sync_committee_indices)
}

/// altair § get_next_sync_committee
pub fn get_next_sync_committee<P: Preset>(state: &BeaconState<P>) -> Result<SyncCommittee<P>> {
    let indices = get_next_sync_committee_indices(state)?;
    let pubkeys = indices
        .iter()
        .map(|&index| validator(state, index).map(|v| v.pubkey))
        .collect::<Result<Vec<_>>>()?;
    let aggregate_pubkey = eth_aggregate_pubkeys(&pubkeys)
        .map_err(|_| Error::Assert("get_next_sync_committee: invalid pubkey"))?;
    Ok(SyncCommittee {
        pubkeys: FixedVector::new(pubkeys)
            .map_err(|_| Error::Assert("get_next_sync_committee: committee size"))?,
        aggregate_pubkey,
    })
}

/// altair § process_sync_committee_updates
pub fn process_sync_committee_updates<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    let next_epoch = add(
        get_current_epoch(state),
        1,
        "process_sync_committee_updates",
    )?;
    if rem(
        next_epoch,
        P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD,
        "process_sync_committee_updates",
    )? == 0
    {
        // Compute before moving: get_next_sync_committee reads neither committee field.
        let next = get_next_sync_committee(state)?;
        state.current_sync_committee = std::mem::replace(&mut state.next_sync_committee, next);
    }
    Ok(())
}
