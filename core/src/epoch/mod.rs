//! electra § Epoch processing: one file per `process_epoch` step, in spec order.

pub mod process_effective_balance_updates;
pub mod process_eth1_data_reset;
pub mod process_historical_summaries_update;
pub mod process_inactivity_updates;
pub mod process_justification_and_finalization;
pub mod process_participation_flag_updates;
pub mod process_pending_consolidations;
pub mod process_pending_deposits;
pub mod process_randao_mixes_reset;
pub mod process_registry_updates;
pub mod process_rewards_and_penalties;
pub mod process_slashings;
pub mod process_slashings_reset;
pub mod process_sync_committee_updates;

#[cfg(test)]
pub(crate) mod tests;

pub use process_effective_balance_updates::process_effective_balance_updates;
pub use process_eth1_data_reset::process_eth1_data_reset;
pub use process_historical_summaries_update::process_historical_summaries_update;
pub use process_inactivity_updates::process_inactivity_updates;
pub use process_justification_and_finalization::process_justification_and_finalization;
pub use process_participation_flag_updates::process_participation_flag_updates;
pub use process_pending_consolidations::process_pending_consolidations;
pub use process_pending_deposits::process_pending_deposits;
pub use process_randao_mixes_reset::process_randao_mixes_reset;
pub use process_registry_updates::process_registry_updates;
pub use process_rewards_and_penalties::process_rewards_and_penalties;
pub use process_slashings::process_slashings;
pub use process_slashings_reset::process_slashings_reset;
pub use process_sync_committee_updates::process_sync_committee_updates;

use crate::error::Result;
use crate::preset::Preset;
use crate::types::BeaconState;

/// One `process_epoch` step.
pub type EpochStep<P> = fn(&mut BeaconState<P>) -> Result<()>;

/// The steps of electra § process_epoch, in the spec's order, by name (without `process_`).
/// `process_epoch` runs exactly these; the spec-test runner uses the list to replay the steps
/// before a handler's own.
pub fn epoch_steps<P: Preset>() -> [(&'static str, EpochStep<P>); 14] {
    [
        (
            "justification_and_finalization",
            process_justification_and_finalization::<P>,
        ),
        ("inactivity_updates", process_inactivity_updates::<P>),
        ("rewards_and_penalties", process_rewards_and_penalties::<P>),
        // > [Modified in Electra:EIP7251]
        ("registry_updates", process_registry_updates::<P>),
        // > [Modified in Electra:EIP7251]
        ("slashings", process_slashings::<P>),
        ("eth1_data_reset", process_eth1_data_reset::<P>),
        // > [New in Electra:EIP7251]
        ("pending_deposits", process_pending_deposits::<P>),
        // > [New in Electra:EIP7251]
        (
            "pending_consolidations",
            process_pending_consolidations::<P>,
        ),
        // > [Modified in Electra:EIP7251]
        (
            "effective_balance_updates",
            process_effective_balance_updates::<P>,
        ),
        ("slashings_reset", process_slashings_reset::<P>),
        ("randao_mixes_reset", process_randao_mixes_reset::<P>),
        (
            "historical_summaries_update",
            process_historical_summaries_update::<P>,
        ),
        (
            "participation_flag_updates",
            process_participation_flag_updates::<P>,
        ),
        (
            "sync_committee_updates",
            process_sync_committee_updates::<P>,
        ),
    ]
}

/// electra § process_epoch `[Modified in Electra]`
pub fn process_epoch<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    // The spec's sequence of calls is the list above: one list, so the runner's replays and this
    // function cannot drift apart.
    for (_, step) in epoch_steps::<P>() {
        step(state)?;
    }
    Ok(())
}
