//! electra § process_voluntary_exit `[Modified in Electra:EIP7251]`

use crate::crypto::bls;
use crate::error::{ensure, Error, Result};
use crate::helpers::accessors::{get_current_epoch, get_pending_balance_to_withdraw, validator};
use crate::helpers::math::add;
use crate::helpers::misc::{compute_domain, compute_signing_root};
use crate::helpers::mutators::initiate_validator_exit;
use crate::helpers::predicates::is_active_validator;
use crate::operations::SignatureCheck;
use crate::preset::consts::{DOMAIN_VOLUNTARY_EXIT, FAR_FUTURE_EPOCH};
use crate::preset::Preset;
use crate::types::{BeaconState, SignedVoluntaryExit};

/// electra § process_voluntary_exit
pub fn process_voluntary_exit<P: Preset>(
    state: &mut BeaconState<P>,
    signed_voluntary_exit: &SignedVoluntaryExit,
    signatures: SignatureCheck,
) -> Result<()> {
    let voluntary_exit = &signed_voluntary_exit.message;
    let v = validator(state, voluntary_exit.validator_index)?;
    let current_epoch = get_current_epoch(state);
    // > Verify the validator is active
    ensure(
        is_active_validator(v, current_epoch),
        "process_voluntary_exit: validator not active",
    )?;
    // > Verify exit has not been initiated
    ensure(
        v.exit_epoch == FAR_FUTURE_EPOCH,
        "process_voluntary_exit: exit already initiated",
    )?;
    // > Exits must specify an epoch when they become valid; they are not valid before then
    ensure(
        current_epoch >= voluntary_exit.epoch,
        "process_voluntary_exit: exit epoch in the future",
    )?;
    // > Verify the validator has been active long enough
    ensure(
        current_epoch
            >= add(
                v.activation_epoch,
                P::SHARD_COMMITTEE_PERIOD,
                "process_voluntary_exit",
            )?,
        "process_voluntary_exit: validator not active long enough",
    )?;
    // > [New in Electra:EIP7251]
    // > Only exit validator if it has no pending withdrawals in the queue
    ensure(
        get_pending_balance_to_withdraw(state, voluntary_exit.validator_index)? == 0,
        "process_voluntary_exit: validator has pending withdrawals",
    )?;
    // > Verify signature
    // > domain = compute_domain(DOMAIN_VOLUNTARY_EXIT, CAPELLA_FORK_VERSION, state.genesis_validators_root)
    // (deneb EIP-7044: exits signed once stay valid across later forks)
    let valid = signatures.holds(|| {
        let domain = compute_domain(
            DOMAIN_VOLUNTARY_EXIT,
            P::CAPELLA_FORK_VERSION,
            state.genesis_validators_root,
        );
        let signing_root = compute_signing_root(voluntary_exit, domain);
        bls::verify(
            &v.pubkey,
            signing_root.as_slice(),
            &signed_voluntary_exit.signature,
        )
    });
    if !valid {
        return Err(Error::Signature("process_voluntary_exit"));
    }
    // > Initiate exit
    initiate_validator_exit(state, voluntary_exit.validator_index)
}
