//! electra § process_registry_updates

use crate::error::Result;
use crate::helpers::accessors::{
    get_activation_exit_churn_limit, get_current_epoch, validator, validator_mut,
};
use crate::helpers::math::add;
use crate::helpers::misc::compute_activation_exit_epoch;
use crate::helpers::mutators::initiate_validator_exit_with_churn_limit;
use crate::helpers::predicates::{
    is_active_validator, is_eligible_for_activation, is_eligible_for_activation_queue,
};
use crate::preset::consts::FAR_FUTURE_EPOCH;
use crate::preset::Preset;
use crate::types::{BeaconState, Gwei};

/// electra § process_registry_updates `[Modified in Electra:EIP7251]`
pub fn process_registry_updates<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    let current_epoch = get_current_epoch(state);
    let activation_epoch = compute_activation_exit_epoch::<P>(current_epoch)?;

    let mut exit_churn_limit: Option<Gwei> = None;

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
            if v.exit_epoch != FAR_FUTURE_EPOCH {
                // The spec's initiate_validator_exit returns at once.
                continue;
            }
            // Hoisted out of the loop (computed at the first exit, as the spec first computes
            // it there): the loop never changes the current epoch's active set or effective
            // balances (new exit epochs are > current epoch), so the churn limit is the same.
            let churn = match exit_churn_limit {
                Some(c) => c,
                None => *exit_churn_limit.insert(get_activation_exit_churn_limit(state)?),
            };
            initiate_validator_exit_with_churn_limit(state, index, churn)?;
        } else if is_eligible_for_activation(state, v) {
            validator_mut(state, index)?.activation_epoch = activation_epoch;
        }
    }
    Ok(())
}
