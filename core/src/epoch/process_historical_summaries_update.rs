//! capella § process_historical_summaries_update

use crate::error::{Error, Result};
use crate::helpers::accessors::get_current_epoch;
use crate::helpers::math::{add, div, rem};
use crate::preset::Preset;
use crate::types::{BeaconState, HistoricalSummary};
use tree_hash::TreeHash;

/// capella § process_historical_summaries_update
pub fn process_historical_summaries_update<P: Preset>(state: &mut BeaconState<P>) -> Result<()> {
    const WHAT: &str = "process_historical_summaries_update";
    // > Set historical block root accumulator.
    let next_epoch = add(get_current_epoch(state), 1, WHAT)?;
    let period = div(P::SLOTS_PER_HISTORICAL_ROOT, P::SLOTS_PER_EPOCH, WHAT)?;
    if rem(next_epoch, period, WHAT)? == 0 {
        let historical_summary = HistoricalSummary {
            block_summary_root: state.block_roots.tree_hash_root(),
            state_summary_root: state.state_roots.tree_hash_root(),
        };
        state
            .historical_summaries
            .push(historical_summary)
            .map_err(|_| Error::ListFull("historical_summaries"))?;
    }
    Ok(())
}
