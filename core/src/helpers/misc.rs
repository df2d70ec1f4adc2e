//! § Misc helpers (phase0, electra): epochs and slots, domains and signing roots, committees and
//! proposer selection.

use crate::crypto::hash::hash_concat;
use crate::crypto::shuffle::compute_shuffled_index;
use crate::error::{Error, Result};
use crate::helpers::math::{add, div, div_preset, mul};
use crate::preset::Preset;
use crate::types::{
    BeaconState, Domain, DomainType, Epoch, ForkData, ParticipationFlags, Root, SigningData, Slot,
    ValidatorIndex, Version,
};
use tree_hash::TreeHash;

/// phase0 § compute_epoch_at_slot
pub fn compute_epoch_at_slot<P: Preset>(slot: Slot) -> Epoch {
    div_preset(slot, P::SLOTS_PER_EPOCH)
}

/// phase0 § compute_start_slot_at_epoch
pub fn compute_start_slot_at_epoch<P: Preset>(epoch: Epoch) -> Result<Slot> {
    mul(epoch, P::SLOTS_PER_EPOCH, "compute_start_slot_at_epoch")
}

/// phase0 § compute_activation_exit_epoch
pub fn compute_activation_exit_epoch<P: Preset>(epoch: Epoch) -> Result<Epoch> {
    add(
        epoch,
        P::MAX_SEED_LOOKAHEAD.saturating_add(1),
        "compute_activation_exit_epoch",
    )
}

/// phase0 § compute_fork_data_root
pub fn compute_fork_data_root(current_version: Version, genesis_validators_root: Root) -> Root {
    ForkData {
        current_version,
        genesis_validators_root,
    }
    .tree_hash_root()
}

/// phase0 § compute_domain
pub fn compute_domain(
    domain_type: DomainType,
    fork_version: Version,
    genesis_validators_root: Root,
) -> Domain {
    let fork_data_root = compute_fork_data_root(fork_version, genesis_validators_root);
    let mut d = [0u8; 32];
    d[..4].copy_from_slice(&domain_type);
    d[4..].copy_from_slice(&fork_data_root.0[..28]);
    Root::from(d)
}

/// phase0 § compute_signing_root
pub fn compute_signing_root<T: TreeHash>(ssz_object: &T, domain: Domain) -> Root {
    SigningData {
        object_root: ssz_object.tree_hash_root(),
        domain,
    }
    .tree_hash_root()
}

/// phase0 § compute_committee: the `index`-th of `count` committees of the shuffled `indices`.
pub fn compute_committee<P: Preset>(
    indices: &[ValidatorIndex],
    seed: &Root,
    index: u64,
    count: u64,
) -> Result<Vec<ValidatorIndex>> {
    let len = indices.len() as u64;
    let start = div(
        mul(len, index, "compute_committee")?,
        count,
        "compute_committee",
    )?;
    let end = div(
        mul(
            len,
            add(index, 1, "compute_committee")?,
            "compute_committee",
        )?,
        count,
        "compute_committee",
    )?;
    (start..end)
        .map(|i| {
            let j = compute_shuffled_index::<P>(i, len, seed)?;
            indices.get(j as usize).copied().ok_or(Error::OutOfRange {
                what: "compute_committee indices",
                index: j,
                len,
            })
        })
        .collect()
}

/// electra § compute_proposer_index `[Modified in Electra:EIP7251]`: sample by effective balance
/// with a 16-bit random value.
pub fn compute_proposer_index<P: Preset>(
    state: &BeaconState<P>,
    indices: &[ValidatorIndex],
    seed: &Root,
) -> Result<ValidatorIndex> {
    crate::error::ensure(
        !indices.is_empty(),
        "compute_proposer_index: no active validators",
    )?;
    // > MAX_RANDOM_VALUE = 2**16 - 1  # [Modified in Electra]
    const MAX_RANDOM_VALUE: u64 = (1 << 16) - 1;
    let total = indices.len() as u64;
    let mut i: u64 = 0;
    loop {
        let shuffled = compute_shuffled_index::<P>(i.checked_rem(total).unwrap_or(0), total, seed)?;
        let candidate_index = *indices.get(shuffled as usize).ok_or(Error::OutOfRange {
            what: "compute_proposer_index indices",
            index: shuffled,
            len: total,
        })?;
        // > random_bytes = hash(seed + uint_to_bytes(i // 16))
        let random_bytes = hash_concat(seed.as_slice(), &(i / 16).to_le_bytes());
        // > offset = i % 16 * 2; random_value = bytes_to_uint64(random_bytes[offset:offset + 2])
        let pair = random_bytes
            .chunks_exact(2)
            .nth((i % 16) as usize)
            .unwrap_or(&[0, 0]);
        let random_value = u64::from(u16::from_le_bytes(
            <[u8; 2]>::try_from(pair).unwrap_or([0, 0]),
        ));
        let effective_balance =
            crate::helpers::accessors::validator(state, candidate_index)?.effective_balance;
        // > if effective_balance * MAX_RANDOM_VALUE >= MAX_EFFECTIVE_BALANCE_ELECTRA * random_value:
        // Both products fit in u128; effective_balance <= 2^64 and MAX_RANDOM_VALUE < 2^16.
        if u128::from(effective_balance).saturating_mul(u128::from(MAX_RANDOM_VALUE))
            >= u128::from(P::MAX_EFFECTIVE_BALANCE_ELECTRA).saturating_mul(u128::from(random_value))
        {
            return Ok(candidate_index);
        }
        i = add(i, 1, "compute_proposer_index")?;
    }
}

/// altair § add_flag
pub fn add_flag(flags: ParticipationFlags, flag_index: usize) -> ParticipationFlags {
    // > flag = ParticipationFlags(2**flag_index); return flags | flag
    flags | 1u8.checked_shl(flag_index as u32).unwrap_or(0)
}

/// altair § has_flag
pub fn has_flag(flags: ParticipationFlags, flag_index: usize) -> bool {
    // > flag = ParticipationFlags(2**flag_index); return flags & flag == flag
    let flag = 1u8.checked_shl(flag_index as u32).unwrap_or(0);
    flag != 0 && flags & flag == flag
}
