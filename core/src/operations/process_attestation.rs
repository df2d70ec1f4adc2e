//! electra § process_attestation, with the helpers it needs: altair § has_flag / add_flag,
//! deneb § get_attestation_participation_flag_indices, phase0 § is_valid_indexed_attestation.

use crate::crypto::bls;
use crate::error::{ensure, Error, Result};
use crate::helpers::accessors::{
    base_reward_per_increment_from_total, get_beacon_committee, get_beacon_proposer_index,
    get_block_root, get_block_root_at_slot, get_committee_count_per_slot, get_committee_indices,
    get_current_epoch, get_domain, get_previous_epoch, get_total_active_balance, validator,
};
use crate::helpers::math::{add, div, integer_squareroot, mul, sub};
use crate::helpers::misc::{add_flag, has_flag};
use crate::helpers::misc::{compute_epoch_at_slot, compute_signing_root};
use crate::helpers::mutators::increase_balance;
use crate::operations::SignatureCheck;
use crate::preset::consts::{
    DOMAIN_BEACON_ATTESTER, PARTICIPATION_FLAG_WEIGHTS, PROPOSER_WEIGHT, TIMELY_HEAD_FLAG_INDEX,
    TIMELY_SOURCE_FLAG_INDEX, TIMELY_TARGET_FLAG_INDEX, WEIGHT_DENOMINATOR,
};
use crate::preset::Preset;
use crate::sigs::PubkeyCache;
use crate::types::BlsSignature;
use crate::types::{
    Attestation, AttestationData, BeaconState, BlsPubkey, Gwei, IndexedAttestation, ValidatorIndex,
};
use blst::min_pk::PublicKey;
use blst::MultiPoint;
use std::collections::BTreeSet;

/// phase0 § is_valid_indexed_attestation (electra: indices span all committees of the slot)
///
/// An index beyond the registry makes it invalid (the spec raises on `state.validators[i]`).
pub fn is_valid_indexed_attestation<P: Preset>(
    state: &BeaconState<P>,
    indexed_attestation: &IndexedAttestation<P>,
    signatures: SignatureCheck,
) -> bool {
    is_valid_indexed_attestation_with_cache(state, indexed_attestation, signatures, None)
}

/// phase0 § is_valid_indexed_attestation, taking decompressed keys from `cache` when given.
///
/// A cached key was decompressed once from this state's registry (see `sigs::pubkey_cache`:
/// registry keys passed `KeyValidate` at deposit); an index the cache lacks falls back to
/// `KeyValidate` of the state's bytes, as without a cache. The result is the same as
/// [`is_valid_indexed_attestation`] for every attestation over such a registry.
pub fn is_valid_indexed_attestation_with_cache<P: Preset>(
    state: &BeaconState<P>,
    indexed_attestation: &IndexedAttestation<P>,
    signatures: SignatureCheck,
    cache: Option<&PubkeyCache>,
) -> bool {
    // > Verify indices are sorted and unique
    let indices = &indexed_attestation.attesting_indices;
    if indices.is_empty() || !indices.windows(2).all(|w| matches!(w, [a, b] if a < b)) {
        return false;
    }
    // > pubkeys = [state.validators[i].pubkey for i in indices]
    let Ok(pubkeys) = indices
        .iter()
        .map(|&i| validator(state, i).map(|v| v.pubkey))
        .collect::<Result<Vec<BlsPubkey>>>()
    else {
        return false;
    };
    // > Verify aggregate signature
    signatures.holds(|| {
        let domain = get_domain(
            state,
            DOMAIN_BEACON_ATTESTER,
            Some(indexed_attestation.data.target.epoch),
        );
        let signing_root = compute_signing_root(&indexed_attestation.data, domain);
        match cache {
            None => bls::fast_aggregate_verify(
                &pubkeys,
                signing_root.as_slice(),
                &indexed_attestation.signature,
            ),
            Some(cache) => cached_fast_aggregate_verify(
                cache,
                indices,
                &pubkeys,
                signing_root.as_slice(),
                &indexed_attestation.signature,
            ),
        }
    })
}

/// IETF `FastAggregateVerify` with keys from `cache` (`KeyValidate` for any it lacks).
fn cached_fast_aggregate_verify(
    cache: &PubkeyCache,
    indices: &[ValidatorIndex],
    pubkeys: &[BlsPubkey],
    message: &[u8],
    signature: &BlsSignature,
) -> bool {
    let Ok(keys) = indices
        .iter()
        .zip(pubkeys)
        .map(|(&i, pk)| match cache.get(i) {
            Some(k) => Ok(*k),
            None => bls::key_validate(pk),
        })
        .collect::<std::result::Result<Vec<PublicKey>, _>>()
    else {
        return false;
    };
    if keys.is_empty() {
        return false;
    }
    let Ok(sig) = bls::signature_validate(signature) else {
        return false;
    };
    let agg = keys.as_slice().add().to_public_key();
    sig.verify(false, message, bls::DST, &[], &agg, false) == blst::BLST_ERROR::BLST_SUCCESS
}

/// deneb § get_attestation_participation_flag_indices `[Modified in Deneb:EIP7045]`
pub fn get_attestation_participation_flag_indices<P: Preset>(
    state: &BeaconState<P>,
    data: &AttestationData,
    inclusion_delay: u64,
) -> Result<Vec<usize>> {
    let justified_checkpoint = if data.target.epoch == get_current_epoch(state) {
        state.current_justified_checkpoint
    } else {
        state.previous_justified_checkpoint
    };
    // > Matching roots (`and` short-circuits: a root is only read when the previous match holds)
    let is_matching_source = data.source == justified_checkpoint;
    let is_matching_target =
        is_matching_source && data.target.root == get_block_root(state, data.target.epoch)?;
    let is_matching_head =
        is_matching_target && data.beacon_block_root == get_block_root_at_slot(state, data.slot)?;
    ensure(
        is_matching_source,
        "get_attestation_participation_flag_indices: source does not match",
    )?;

    let mut participation_flag_indices = Vec::with_capacity(3);
    if is_matching_source && inclusion_delay <= integer_squareroot(P::SLOTS_PER_EPOCH) {
        participation_flag_indices.push(TIMELY_SOURCE_FLAG_INDEX);
    }
    // > if is_matching_target:  # [Modified in Deneb:EIP7045]
    if is_matching_target {
        participation_flag_indices.push(TIMELY_TARGET_FLAG_INDEX);
    }
    if is_matching_head && inclusion_delay == P::MIN_ATTESTATION_INCLUSION_DELAY {
        participation_flag_indices.push(TIMELY_HEAD_FLAG_INDEX);
    }
    Ok(participation_flag_indices)
}

/// electra § process_attestation `[Modified in Electra:EIP7549]`
pub fn process_attestation<P: Preset>(
    state: &mut BeaconState<P>,
    attestation: &Attestation<P>,
    signatures: SignatureCheck,
) -> Result<()> {
    process_attestation_with_cache(state, attestation, signatures, None)
}

/// electra § process_attestation with the signature check's keys from a [`PubkeyCache`] built
/// for this state (see [`is_valid_indexed_attestation_with_cache`]).
pub fn process_attestation_with_cache<P: Preset>(
    state: &mut BeaconState<P>,
    attestation: &Attestation<P>,
    signatures: SignatureCheck,
    cache: Option<&PubkeyCache>,
) -> Result<()> {
    let data = &attestation.data;
    let current_epoch = get_current_epoch(state);
    ensure(
        data.target.epoch == get_previous_epoch(state) || data.target.epoch == current_epoch,
        "process_attestation: target epoch is neither previous nor current",
    )?;
    ensure(
        data.target.epoch == compute_epoch_at_slot::<P>(data.slot),
        "process_attestation: target epoch does not match slot",
    )?;
    ensure(
        add(
            data.slot,
            P::MIN_ATTESTATION_INCLUSION_DELAY,
            "process_attestation",
        )? <= state.slot,
        "process_attestation: included before the inclusion delay",
    )?;

    // > assert data.index == 0  # [Modified in Electra:EIP7549]
    ensure(data.index == 0, "process_attestation: data.index != 0")?;
    // Hoisted out of the loop: the committee count depends on the (unchanged) state only.
    let committee_count = get_committee_count_per_slot(state, data.target.epoch);
    let mut committee_offset: usize = 0;
    // The union of every `committee_attesters` is `get_attesting_indices(state, attestation)` (the
    // same committees of the same state): collected here instead of shuffling all committees again.
    let mut attesting_indices: BTreeSet<ValidatorIndex> = BTreeSet::new();
    for committee_index in get_committee_indices(attestation) {
        ensure(
            committee_index < committee_count,
            "process_attestation: committee index out of range",
        )?;
        let committee = get_beacon_committee(state, data.slot, committee_index)?;
        // > committee_attesters = {... if attestation.aggregation_bits[committee_offset + i]}
        let mut committee_attesters: usize = 0;
        for (i, &attester_index) in committee.iter().enumerate() {
            let bit_index = committee_offset
                .checked_add(i)
                .ok_or(Error::Arithmetic("process_attestation"))?;
            if attestation
                .aggregation_bits
                .get(bit_index)
                .map_err(|_| Error::Assert("process_attestation: aggregation bit out of range"))?
            {
                attesting_indices.insert(attester_index);
                committee_attesters = committee_attesters.saturating_add(1);
            }
        }
        ensure(
            committee_attesters > 0,
            "process_attestation: a committee has no attester",
        )?;
        committee_offset = committee_offset
            .checked_add(committee.len())
            .ok_or(Error::Arithmetic("process_attestation"))?;
    }
    // > Bitfield length matches total number of participants
    ensure(
        attestation.aggregation_bits.len() == committee_offset,
        "process_attestation: aggregation bits length != committee sizes",
    )?;

    // > Participation flag indices
    let participation_flag_indices = get_attestation_participation_flag_indices(
        state,
        data,
        sub(state.slot, data.slot, "process_attestation")?,
    )?;

    // > Verify signature
    // > assert is_valid_indexed_attestation(state, get_indexed_attestation(state, attestation))
    // (`get_indexed_attestation`: the sorted attesting indices collected above)
    let indexed_attestation = IndexedAttestation::<P> {
        attesting_indices: ssz_types::VariableList::new(
            attesting_indices.iter().copied().collect(),
        )
        .map_err(|_| Error::ListFull("attesting_indices"))?,
        data: data.clone(),
        signature: attestation.signature,
    };
    ensure(
        is_valid_indexed_attestation_with_cache(state, &indexed_attestation, signatures, cache),
        "process_attestation: invalid indexed attestation",
    )?;

    // Hoisted: `get_base_reward` recomputes the total active balance per call; the loop below only
    // changes participation flags, never effective balances or activity.
    let base_reward_per_increment =
        base_reward_per_increment_from_total::<P>(get_total_active_balance(state)?)?;
    let mut increments = Vec::with_capacity(attesting_indices.len());
    for &index in &attesting_indices {
        increments.push(div(
            validator(state, index)?.effective_balance,
            P::EFFECTIVE_BALANCE_INCREMENT,
            "get_base_reward",
        )?);
    }

    // > Update epoch participation flags
    let is_current = data.target.epoch == current_epoch;
    let epoch_participation = if is_current {
        &mut state.current_epoch_participation
    } else {
        &mut state.previous_epoch_participation
    };
    let mut proposer_reward_numerator: Gwei = 0;
    for (&index, &effective_increments) in attesting_indices.iter().zip(&increments) {
        let len = epoch_participation.len() as u64;
        let flags = epoch_participation
            .get_mut(index as usize)
            .ok_or(Error::OutOfRange {
                what: "epoch_participation",
                index,
                len,
            })?;
        for (flag_index, &weight) in PARTICIPATION_FLAG_WEIGHTS.iter().enumerate() {
            if participation_flag_indices.contains(&flag_index) && !has_flag(*flags, flag_index) {
                *flags = add_flag(*flags, flag_index);
                // > proposer_reward_numerator += get_base_reward(state, index) * weight
                let base_reward = mul(
                    effective_increments,
                    base_reward_per_increment,
                    "get_base_reward",
                )?;
                proposer_reward_numerator = add(
                    proposer_reward_numerator,
                    mul(base_reward, weight, "process_attestation")?,
                    "process_attestation",
                )?;
            }
        }
    }

    // > Reward proposer
    const PROPOSER_REWARD_DENOMINATOR: u64 =
        (WEIGHT_DENOMINATOR - PROPOSER_WEIGHT) * WEIGHT_DENOMINATOR / PROPOSER_WEIGHT;
    let proposer_reward = proposer_reward_numerator / PROPOSER_REWARD_DENOMINATOR;
    let proposer_index = get_beacon_proposer_index(state)?;
    increase_balance(state, proposer_index, proposer_reward)
}
