//! electra § process_effective_balance_updates

use crate::error::Result;
use crate::helpers::accessors::balance;
use crate::helpers::math::{add, div, mul, rem, sub};
use crate::helpers::predicates::get_max_effective_balance;
use crate::preset::Preset;
use crate::types::BeaconState;

/// electra § process_effective_balance_updates `[Modified in Electra:EIP7251]`
pub fn process_effective_balance_updates<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    const WHAT: &str = "process_effective_balance_updates";
    // > Update effective balances with hysteresis
    let hysteresis_increment = div(P::EFFECTIVE_BALANCE_INCREMENT, P::HYSTERESIS_QUOTIENT, WHAT)?;
    let downward_threshold = mul(
        hysteresis_increment,
        P::HYSTERESIS_DOWNWARD_MULTIPLIER,
        WHAT,
    )?;
    let upward_threshold = mul(hysteresis_increment, P::HYSTERESIS_UPWARD_MULTIPLIER, WHAT)?;
    for index in 0..state.validators.len() {
        let bal = balance(state, index as u64)?;
        let Some(validator) = state.validators.get_mut(index) else {
            break;
        };
        // > [Modified in Electra:EIP7251]
        let max_effective_balance = get_max_effective_balance::<P>(validator);
        if add(bal, downward_threshold, WHAT)? < validator.effective_balance
            || add(validator.effective_balance, upward_threshold, WHAT)? < bal
        {
            validator.effective_balance =
                sub(bal, rem(bal, P::EFFECTIVE_BALANCE_INCREMENT, WHAT)?, WHAT)?
                    .min(max_effective_balance);
        }
    }
    Ok(())
}
