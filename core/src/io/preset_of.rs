//! Which preset a `BeaconState` file is encoded for, read from its layout.
//!
//! The fixed part of an Electra `BeaconState` has a preset-dependent length (the history vectors,
//! randao mixes, slashings and sync committees are fixed-size), and its first variable-size field,
//! `historical_roots`, stores an offset equal to that length. So for each preset P: the 4 bytes at
//! P's position of that offset must equal P's fixed length. Exactly one preset matching is an
//! answer; none or both is "cannot tell" (the caller then asks for `--preset`).

use crate::preset::{Mainnet, Minimal, Preset};

/// Where `historical_roots`' offset sits, and the length of the fixed part, for preset `P`.
fn layout<P: Preset>() -> Option<(usize, usize)> {
    let shr = usize::try_from(P::SLOTS_PER_HISTORICAL_ROOT).ok()?;
    let ehv = usize::try_from(P::EPOCHS_PER_HISTORICAL_VECTOR).ok()?;
    let esv = usize::try_from(P::EPOCHS_PER_SLASHINGS_VECTOR).ok()?;
    let scs = usize::try_from(P::SYNC_COMMITTEE_SIZE).ok()?;
    const OFFSET: usize = 4;
    const CHECKPOINT: usize = 8 + 32;
    // genesis_time, genesis_validators_root, slot, fork, latest_block_header
    let before_history: usize = 8 + 32 + 8 + (4 + 4 + 8) + (8 + 8 + 32 + 32 + 32);
    let offset_at = before_history.checked_add(shr.checked_mul(2 * 32)?)?;
    let sync_committee = scs.checked_mul(48)?.checked_add(48)?;
    let fixed = [
        offset_at,
        OFFSET,               // historical_roots
        32 + 8 + 32,          // eth1_data
        OFFSET,               // eth1_data_votes
        8,                    // eth1_deposit_index
        OFFSET * 2,           // validators, balances
        ehv.checked_mul(32)?, // randao_mixes
        esv.checked_mul(8)?,  // slashings
        OFFSET * 2,           // previous/current_epoch_participation
        1,                    // justification_bits
        CHECKPOINT * 3,       // previous/current justified, finalized
        OFFSET,               // inactivity_scores
        sync_committee,       // current_sync_committee
        sync_committee,       // next_sync_committee
        OFFSET,               // latest_execution_payload_header
        8 * 2,                // next_withdrawal_index, next_withdrawal_validator_index
        OFFSET,               // historical_summaries
        8 * 6,                // deposit_requests_start_index .. earliest_consolidation_epoch
        OFFSET * 3, // pending_deposits, pending_partial_withdrawals, pending_consolidations
    ]
    .iter()
    .try_fold(0usize, |a, b| a.checked_add(*b))?;
    Some((offset_at, fixed))
}

fn matches<P: Preset>(prefix: &[u8]) -> bool {
    let Some((at, fixed)) = layout::<P>() else {
        return false;
    };
    let Some(end) = at.checked_add(4) else {
        return false;
    };
    match prefix
        .get(at..end)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
    {
        Some(b) => u32::from_le_bytes(b) as usize == fixed && prefix.len() >= fixed,
        None => false,
    }
}

/// Bytes of a state's prefix that `preset_of` needs to see (the largest preset's fixed part).
pub fn prefix_len() -> usize {
    [layout::<Mainnet>(), layout::<Minimal>()]
        .iter()
        .flatten()
        .map(|(_, fixed)| *fixed)
        .max()
        .unwrap_or(0)
}

/// `Mainnet::NAME` or `Minimal::NAME` when exactly one preset's layout fits the state's first
/// bytes (at least `prefix_len()` of them, or the whole state if shorter); `None` otherwise.
pub fn preset_of(prefix: &[u8]) -> Option<&'static str> {
    match (matches::<Mainnet>(prefix), matches::<Minimal>(prefix)) {
        (true, false) => Some(Mainnet::NAME),
        (false, true) => Some(Minimal::NAME),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::epoch::tests::test_state;
    use ssz::Encode;

    #[test]
    fn tells_the_presets_apart() {
        let mainnet = test_state::<Mainnet>(5, 3).as_ssz_bytes();
        let minimal = test_state::<Minimal>(5, 3).as_ssz_bytes();
        assert_eq!(preset_of(&mainnet), Some("mainnet"));
        assert_eq!(preset_of(&minimal), Some("minimal"));
        // A prefix is enough; a short or foreign file is not recognised.
        assert_eq!(preset_of(&mainnet[..prefix_len()]), Some("mainnet"));
        assert_eq!(preset_of(&mainnet[..1000]), None);
        assert_eq!(preset_of(&[0u8; 600_000]), None);
        // The computed fixed length is the encoder's (first offset = fixed part length).
        let (at, fixed) = layout::<Minimal>().unwrap();
        assert_eq!(
            u32::from_le_bytes(minimal[at..at + 4].try_into().unwrap()) as usize,
            fixed
        );
    }
}
