//! phase0 § process_proposer_slashing

use crate::crypto::bls;
use crate::error::{ensure, Error, Result};
use crate::helpers::accessors::{get_current_epoch, get_domain, validator};
use crate::helpers::misc::{compute_epoch_at_slot, compute_signing_root};
use crate::helpers::mutators::slash_validator;
use crate::helpers::predicates::is_slashable_validator;
use crate::operations::SignatureCheck;
use crate::preset::consts::DOMAIN_BEACON_PROPOSER;
use crate::preset::Preset;
use crate::types::{BeaconState, ProposerSlashing};

/// phase0 § process_proposer_slashing
pub fn process_proposer_slashing<P: Preset>(
    state: &mut BeaconState<P>,
    proposer_slashing: &ProposerSlashing,
    signatures: SignatureCheck,
) -> Result<()> {
    let header_1 = &proposer_slashing.signed_header_1.message;
    let header_2 = &proposer_slashing.signed_header_2.message;

    // > Verify header slots match
    ensure(
        header_1.slot == header_2.slot,
        "process_proposer_slashing: header slots differ",
    )?;
    // > Verify header proposer indices match
    ensure(
        header_1.proposer_index == header_2.proposer_index,
        "process_proposer_slashing: proposer indices differ",
    )?;
    // > Verify the headers are different
    ensure(
        header_1 != header_2,
        "process_proposer_slashing: headers are equal",
    )?;
    // > Verify the proposer is slashable
    let proposer = validator(state, header_1.proposer_index)?;
    ensure(
        is_slashable_validator(proposer, get_current_epoch(state)),
        "process_proposer_slashing: proposer not slashable",
    )?;
    // > Verify signatures
    for signed_header in [
        &proposer_slashing.signed_header_1,
        &proposer_slashing.signed_header_2,
    ] {
        let valid = signatures.holds(|| {
            let domain = get_domain(
                state,
                DOMAIN_BEACON_PROPOSER,
                Some(compute_epoch_at_slot::<P>(signed_header.message.slot)),
            );
            let signing_root = compute_signing_root(&signed_header.message, domain);
            bls::verify(
                &proposer.pubkey,
                signing_root.as_slice(),
                &signed_header.signature,
            )
        });
        if !valid {
            return Err(Error::Signature(
                "process_proposer_slashing: header signature",
            ));
        }
    }

    slash_validator(state, header_1.proposer_index, None)
}
