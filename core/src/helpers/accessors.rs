//! § Beacon state accessors (phase0, altair, electra), plus checked element access.
//!
//! These are the spec-literal reference: each call recomputes what it needs from the state, as the
//! spec does. Callers that call one repeatedly on an unchanged state may hoist the call (the spec's
//! functions are pure), and say so where they do.

use crate::crypto::hash::hash;
use crate::error::{ensure, Error, Result};
use crate::helpers::math::{add, div, div_preset, mul, rem_preset, sub};
use crate::helpers::misc::{
    compute_committee, compute_domain, compute_epoch_at_slot, compute_proposer_index,
    compute_start_slot_at_epoch,
};
use crate::helpers::predicates::is_active_validator;
use crate::preset::consts::{DOMAIN_BEACON_ATTESTER, DOMAIN_BEACON_PROPOSER, GENESIS_EPOCH};
use crate::preset::Preset;
use crate::types::{
    Attestation, BeaconState, CommitteeIndex, Domain, DomainType, Epoch, Gwei, IndexedAttestation,
    Root, Slot, Validator, ValidatorIndex,
};
use std::collections::BTreeSet;

// ---------------------------------------------------------------- checked element access

/// `state.validators[index]`, or `OutOfRange`.
pub fn validator<P: Preset>(state: &BeaconState<P>, index: ValidatorIndex) -> Result<&Validator> {
    let len = state.validators.len() as u64;
    state
        .validators
        .get(index as usize)
        .ok_or(Error::OutOfRange {
            what: "validators",
            index,
            len,
        })
}

/// `state.validators[index]` for update, or `OutOfRange`.
pub fn validator_mut<P: Preset>(
    state: &mut BeaconState<P>,
    index: ValidatorIndex,
) -> Result<&mut Validator> {
    let len = state.validators.len() as u64;
    state
        .validators
        .get_mut(index as usize)
        .ok_or(Error::OutOfRange {
            what: "validators",
            index,
            len,
        })
}

/// `state.balances[index]`, or `OutOfRange`.
pub fn balance<P: Preset>(state: &BeaconState<P>, index: ValidatorIndex) -> Result<Gwei> {
    let len = state.balances.len() as u64;
    state
        .balances
        .get(index as usize)
        .copied()
        .ok_or(Error::OutOfRange {
            what: "balances",
            index,
            len,
        })
}

/// `state.balances[index]` for update, or `OutOfRange`.
pub fn balance_mut<P: Preset>(
    state: &mut BeaconState<P>,
    index: ValidatorIndex,
) -> Result<&mut Gwei> {
    let len = state.balances.len() as u64;
    state
        .balances
        .get_mut(index as usize)
        .ok_or(Error::OutOfRange {
            what: "balances",
            index,
            len,
        })
}

// ---------------------------------------------------------------- phase0

/// phase0 § get_current_epoch
pub fn get_current_epoch<P: Preset>(state: &BeaconState<P>) -> Epoch {
    compute_epoch_at_slot::<P>(state.slot)
}

/// phase0 § get_previous_epoch
pub fn get_previous_epoch<P: Preset>(state: &BeaconState<P>) -> Epoch {
    let current_epoch = get_current_epoch(state);
    if current_epoch == GENESIS_EPOCH {
        GENESIS_EPOCH
    } else {
        current_epoch.saturating_sub(1)
    }
}

/// phase0 § get_block_root
pub fn get_block_root<P: Preset>(state: &BeaconState<P>, epoch: Epoch) -> Result<Root> {
    get_block_root_at_slot(state, compute_start_slot_at_epoch::<P>(epoch)?)
}

/// phase0 § get_block_root_at_slot
pub fn get_block_root_at_slot<P: Preset>(state: &BeaconState<P>, slot: Slot) -> Result<Root> {
    // > assert slot < state.slot <= slot + SLOTS_PER_HISTORICAL_ROOT
    ensure(
        slot < state.slot && state.slot <= slot.saturating_add(P::SLOTS_PER_HISTORICAL_ROOT),
        "get_block_root_at_slot: slot out of range",
    )?;
    let i = rem_preset(slot, P::SLOTS_PER_HISTORICAL_ROOT);
    state
        .block_roots
        .get(i as usize)
        .copied()
        .ok_or(Error::OutOfRange {
            what: "block_roots",
            index: i,
            len: P::SLOTS_PER_HISTORICAL_ROOT,
        })
}

/// phase0 § get_randao_mix
pub fn get_randao_mix<P: Preset>(state: &BeaconState<P>, epoch: Epoch) -> Result<Root> {
    let i = rem_preset(epoch, P::EPOCHS_PER_HISTORICAL_VECTOR);
    state
        .randao_mixes
        .get(i as usize)
        .copied()
        .ok_or(Error::OutOfRange {
            what: "randao_mixes",
            index: i,
            len: P::EPOCHS_PER_HISTORICAL_VECTOR,
        })
}

/// phase0 § get_active_validator_indices
pub fn get_active_validator_indices<P: Preset>(
    state: &BeaconState<P>,
    epoch: Epoch,
) -> Vec<ValidatorIndex> {
    (0u64..)
        .zip(state.validators.iter())
        .filter(|(_, v)| is_active_validator(v, epoch))
        .map(|(i, _)| i)
        .collect()
}

/// phase0 § get_seed
pub fn get_seed<P: Preset>(
    state: &BeaconState<P>,
    epoch: Epoch,
    domain_type: DomainType,
) -> Result<Root> {
    // > mix = get_randao_mix(state, Epoch(epoch + EPOCHS_PER_HISTORICAL_VECTOR - MIN_SEED_LOOKAHEAD - 1))
    let e = sub(
        add(epoch, P::EPOCHS_PER_HISTORICAL_VECTOR, "get_seed")?,
        P::MIN_SEED_LOOKAHEAD.saturating_add(1),
        "get_seed",
    )?;
    let mix = get_randao_mix(state, e)?;
    let mut buf = [0u8; 44];
    buf[..4].copy_from_slice(&domain_type);
    buf[4..12].copy_from_slice(&epoch.to_le_bytes());
    buf[12..].copy_from_slice(mix.as_slice());
    Ok(Root::from(hash(&buf)))
}

/// phase0 § get_committee_count_per_slot
pub fn get_committee_count_per_slot<P: Preset>(state: &BeaconState<P>, epoch: Epoch) -> u64 {
    let active = get_active_validator_indices(state, epoch).len() as u64;
    div_preset(
        div_preset(active, P::SLOTS_PER_EPOCH),
        P::TARGET_COMMITTEE_SIZE,
    )
    .clamp(1, P::MAX_COMMITTEES_PER_SLOT)
}

/// phase0 § get_beacon_committee
pub fn get_beacon_committee<P: Preset>(
    state: &BeaconState<P>,
    slot: Slot,
    index: CommitteeIndex,
) -> Result<Vec<ValidatorIndex>> {
    let epoch = compute_epoch_at_slot::<P>(slot);
    let committees_per_slot = get_committee_count_per_slot(state, epoch);
    let indices = get_active_validator_indices(state, epoch);
    let seed = get_seed(state, epoch, DOMAIN_BEACON_ATTESTER)?;
    // > index=(slot % SLOTS_PER_EPOCH) * committees_per_slot + index
    let i = add(
        mul(
            rem_preset(slot, P::SLOTS_PER_EPOCH),
            committees_per_slot,
            "get_beacon_committee",
        )?,
        index,
        "get_beacon_committee",
    )?;
    let count = mul(
        committees_per_slot,
        P::SLOTS_PER_EPOCH,
        "get_beacon_committee",
    )?;
    compute_committee::<P>(&indices, &seed, i, count)
}

/// phase0 § get_beacon_proposer_index (with electra § compute_proposer_index)
pub fn get_beacon_proposer_index<P: Preset>(state: &BeaconState<P>) -> Result<ValidatorIndex> {
    let epoch = get_current_epoch(state);
    let seed_base = get_seed(state, epoch, DOMAIN_BEACON_PROPOSER)?;
    let mut buf = [0u8; 40];
    buf[..32].copy_from_slice(seed_base.as_slice());
    buf[32..].copy_from_slice(&state.slot.to_le_bytes());
    let seed = Root::from(hash(&buf));
    let indices = get_active_validator_indices(state, epoch);
    compute_proposer_index(state, &indices, &seed)
}

/// phase0 § get_total_balance: at least `EFFECTIVE_BALANCE_INCREMENT`, so never zero.
pub fn get_total_balance<P: Preset>(
    state: &BeaconState<P>,
    indices: impl IntoIterator<Item = ValidatorIndex>,
) -> Result<Gwei> {
    let mut sum: Gwei = 0;
    for i in indices {
        sum = add(
            sum,
            validator(state, i)?.effective_balance,
            "get_total_balance",
        )?;
    }
    Ok(sum.max(P::EFFECTIVE_BALANCE_INCREMENT))
}

/// phase0 § get_total_active_balance
pub fn get_total_active_balance<P: Preset>(state: &BeaconState<P>) -> Result<Gwei> {
    // Active indices are unique already: the spec's `set(...)` changes nothing.
    get_total_balance(
        state,
        get_active_validator_indices(state, get_current_epoch(state)),
    )
}

/// phase0 § get_domain
pub fn get_domain<P: Preset>(
    state: &BeaconState<P>,
    domain_type: DomainType,
    epoch: Option<Epoch>,
) -> Domain {
    let epoch = epoch.unwrap_or_else(|| get_current_epoch(state));
    let fork_version = if epoch < state.fork.epoch {
        state.fork.previous_version
    } else {
        state.fork.current_version
    };
    compute_domain(domain_type, fork_version, state.genesis_validators_root)
}

/// electra § get_committee_indices
pub fn get_committee_indices<P: Preset>(attestation: &Attestation<P>) -> Vec<CommitteeIndex> {
    (0u64..)
        .zip(attestation.committee_bits.iter())
        .filter(|(_, b)| *b)
        .map(|(i, _)| i)
        .collect()
}

/// electra § get_attesting_indices `[Modified in Electra:EIP7549]`
pub fn get_attesting_indices<P: Preset>(
    state: &BeaconState<P>,
    attestation: &Attestation<P>,
) -> Result<BTreeSet<ValidatorIndex>> {
    let mut output = BTreeSet::new();
    let mut committee_offset: usize = 0;
    for committee_index in get_committee_indices(attestation) {
        let committee = get_beacon_committee(state, attestation.data.slot, committee_index)?;
        for (i, attester_index) in committee.iter().enumerate() {
            let bit_index = committee_offset
                .checked_add(i)
                .ok_or(Error::Arithmetic("get_attesting_indices"))?;
            // An out-of-range bit is an invalid attestation (the spec's IndexError).
            if attestation
                .aggregation_bits
                .get(bit_index)
                .map_err(|_| Error::Assert("get_attesting_indices: aggregation bit out of range"))?
            {
                output.insert(*attester_index);
            }
        }
        committee_offset = committee_offset
            .checked_add(committee.len())
            .ok_or(Error::Arithmetic("get_attesting_indices"))?;
    }
    Ok(output)
}

/// phase0 § get_indexed_attestation (electra: indices from all committees)
pub fn get_indexed_attestation<P: Preset>(
    state: &BeaconState<P>,
    attestation: &Attestation<P>,
) -> Result<IndexedAttestation<P>> {
    let attesting_indices: Vec<_> = get_attesting_indices(state, attestation)?
        .into_iter()
        .collect();
    Ok(IndexedAttestation {
        attesting_indices: ssz_types::VariableList::new(attesting_indices)
            .map_err(|_| Error::ListFull("attesting_indices"))?,
        data: attestation.data.clone(),
        signature: attestation.signature,
    })
}

// ---------------------------------------------------------------- electra

/// electra § get_balance_churn_limit
pub fn get_balance_churn_limit<P: Preset>(state: &BeaconState<P>) -> Result<Gwei> {
    let churn = P::MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA.max(div(
        get_total_active_balance(state)?,
        P::CHURN_LIMIT_QUOTIENT,
        "get_balance_churn_limit",
    )?);
    sub(
        churn,
        rem_preset(churn, P::EFFECTIVE_BALANCE_INCREMENT),
        "get_balance_churn_limit",
    )
}

/// electra § get_activation_exit_churn_limit
pub fn get_activation_exit_churn_limit<P: Preset>(state: &BeaconState<P>) -> Result<Gwei> {
    Ok(P::MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT.min(get_balance_churn_limit(state)?))
}

/// electra § get_consolidation_churn_limit
pub fn get_consolidation_churn_limit<P: Preset>(state: &BeaconState<P>) -> Result<Gwei> {
    sub(
        get_balance_churn_limit(state)?,
        get_activation_exit_churn_limit(state)?,
        "get_consolidation_churn_limit",
    )
}

/// electra § get_pending_balance_to_withdraw
pub fn get_pending_balance_to_withdraw<P: Preset>(
    state: &BeaconState<P>,
    validator_index: ValidatorIndex,
) -> Result<Gwei> {
    let mut sum: Gwei = 0;
    for w in state
        .pending_partial_withdrawals
        .iter()
        .filter(|w| w.validator_index == validator_index)
    {
        sum = add(sum, w.amount, "get_pending_balance_to_withdraw")?;
    }
    Ok(sum)
}

// ---------------------------------------------------------------- altair

/// altair § get_base_reward_per_increment
pub fn get_base_reward_per_increment<P: Preset>(state: &BeaconState<P>) -> Result<Gwei> {
    base_reward_per_increment_from_total::<P>(get_total_active_balance(state)?)
}

/// `get_base_reward_per_increment` for a known total active balance: callers that need it for
/// many validators of one unchanged state compute the total once (the spec recomputes it per call).
pub fn base_reward_per_increment_from_total<P: Preset>(total_active_balance: Gwei) -> Result<Gwei> {
    div(
        P::EFFECTIVE_BALANCE_INCREMENT.saturating_mul(P::BASE_REWARD_FACTOR),
        crate::helpers::math::integer_squareroot(total_active_balance),
        "get_base_reward_per_increment",
    )
}

/// altair § get_base_reward
pub fn get_base_reward<P: Preset>(state: &BeaconState<P>, index: ValidatorIndex) -> Result<Gwei> {
    let increments = div_preset(
        validator(state, index)?.effective_balance,
        P::EFFECTIVE_BALANCE_INCREMENT,
    );
    mul(
        increments,
        get_base_reward_per_increment(state)?,
        "get_base_reward",
    )
}
