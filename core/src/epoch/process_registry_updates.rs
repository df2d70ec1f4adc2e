//! electra § process_registry_updates

use crate::error::Result;
use crate::helpers::accessors::{get_current_epoch, validator, validator_mut};
use crate::helpers::math::add;
use crate::helpers::misc::compute_activation_exit_epoch;
use crate::helpers::mutators::initiate_validator_exit;
use crate::helpers::predicates::{
    is_active_validator, is_eligible_for_activation, is_eligible_for_activation_queue,
};
use crate::preset::Preset;
use crate::types::BeaconState;

/// electra § process_registry_updates `[Modified in Electra:EIP7251]`
pub fn process_registry_updates<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    let current_epoch = get_current_epoch(state);
    let activation_epoch = compute_activation_exit_epoch::<P>(current_epoch)?;

    // > Process activation eligibility, ejections, and activations
    for index in 0..state.validators.len() as u64 {
        let v = validator(state, index)?;
        // > [Modified in Electra:EIP7251]
        if is_eligible_for_activation_queue::<P>(v) {
            validator_mut(state, index)?.activation_eligibility_epoch =
                add(current_epoch, 1, "process_registry_updates")?;
        } else if is_active_validator(v, current_epoch)
            && v.effective_balance <= P::EJECTION_BALANCE
        {
            // > [Modified in Electra:EIP7251]
            // Each call recomputes the churn limit (O(n)); ejections are rare, so this stays
            // spec-literal.
            initiate_validator_exit(state, index)?;
        } else if is_eligible_for_activation(state, v) {
            validator_mut(state, index)?.activation_epoch = activation_epoch;
        }
    }
    Ok(())
}
