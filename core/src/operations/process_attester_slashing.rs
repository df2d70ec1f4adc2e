//! phase0 § process_attester_slashing (electra: `AttesterSlashing` of EIP-7549 indexed attestations)

use crate::error::{ensure, Result};
use crate::helpers::accessors::{get_current_epoch, validator};
use crate::helpers::mutators::slash_validator;
use crate::helpers::predicates::{is_slashable_attestation_data, is_slashable_validator};
use crate::operations::{is_valid_indexed_attestation, SignatureCheck};
use crate::preset::Preset;
use crate::types::{AttesterSlashing, BeaconState, ValidatorIndex};
use std::collections::BTreeSet;

/// phase0 § process_attester_slashing
pub fn process_attester_slashing<P: Preset>(
    state: &mut BeaconState<P>,
    attester_slashing: &AttesterSlashing<P>,
    signatures: SignatureCheck,
) -> Result<()> {
    let attestation_1 = &attester_slashing.attestation_1;
    let attestation_2 = &attester_slashing.attestation_2;
    ensure(
        is_slashable_attestation_data(&attestation_1.data, &attestation_2.data),
        "process_attester_slashing: attestation data not slashable",
    )?;
    ensure(
        is_valid_indexed_attestation(state, attestation_1, signatures),
        "process_attester_slashing: attestation_1 invalid",
    )?;
    ensure(
        is_valid_indexed_attestation(state, attestation_2, signatures),
        "process_attester_slashing: attestation_2 invalid",
    )?;

    let mut slashed_any = false;
    // > indices = set(attestation_1.attesting_indices).intersection(attestation_2.attesting_indices)
    let indices_2: BTreeSet<ValidatorIndex> =
        attestation_2.attesting_indices.iter().copied().collect();
    let indices: BTreeSet<ValidatorIndex> = attestation_1
        .attesting_indices
        .iter()
        .copied()
        .filter(|i| indices_2.contains(i))
        .collect();
    // > for index in sorted(indices):  (a BTreeSet iterates in order)
    for index in indices {
        // The epoch is re-read each time, as the spec does; slashing does not change the slot.
        if is_slashable_validator(validator(state, index)?, get_current_epoch(state)) {
            slash_validator(state, index, None)?;
            slashed_any = true;
        }
    }
    ensure(slashed_any, "process_attester_slashing: nobody slashed")
}
