//! electra § process_slashings

use crate::error::Result;
use crate::helpers::accessors::{get_current_epoch, get_total_active_balance};
use crate::helpers::math::{add, div, mul};
use crate::helpers::mutators::decrease_balance;
use crate::preset::Preset;
use crate::types::BeaconState;

/// electra § process_slashings `[Modified in Electra:EIP7251]`
pub fn process_slashings<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    const WHAT: &str = "process_slashings";
    let epoch = get_current_epoch(state);
    let total_balance = get_total_active_balance(state)?;
    let mut sum_slashings: u64 = 0;
    for s in state.slashings.iter() {
        sum_slashings = add(sum_slashings, *s, WHAT)?;
    }
    let adjusted_total_slashing_balance = mul(
        sum_slashings,
        P::PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX,
        WHAT,
    )?
    .min(total_balance);
    // > Factored out from total balance to avoid uint64 overflow
    let increment = P::EFFECTIVE_BALANCE_INCREMENT;
    let penalty_per_effective_balance_increment = div(
        adjusted_total_slashing_balance,
        div(total_balance, increment, WHAT)?,
        WHAT,
    )?;
    let target_withdrawable_epoch = add(epoch, P::EPOCHS_PER_SLASHINGS_VECTOR / 2, WHAT)?;
    for index in 0..state.validators.len() {
        let Some(v) = state.validators.get(index) else {
            break;
        };
        if v.slashed && target_withdrawable_epoch == v.withdrawable_epoch {
            let effective_balance_increments = div(v.effective_balance, increment, WHAT)?;
            // > [Modified in Electra:EIP7251]
            let penalty = mul(
                penalty_per_effective_balance_increment,
                effective_balance_increments,
                WHAT,
            )?;
            decrease_balance(state, index as u64, penalty)?;
        }
    }
    Ok(())
}
