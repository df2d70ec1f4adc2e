//! Post-state comparison: full `hash_tree_root`, and on mismatch the first differing field.

use maxeb_core::types::BeaconState;
use maxeb_core::Preset;
use tree_hash::TreeHash;

use crate::harness::Outcome;

/// Name the first top-level field where `got` and `want` differ (and, for lists, the first index).
pub fn first_difference<P: Preset>(got: &BeaconState<P>, want: &BeaconState<P>) -> String {
    macro_rules! fields {
        ($($f:ident),* $(,)?) => {
            $(
                if got.$f != want.$f {
                    return describe(stringify!($f), &got.$f, &want.$f);
                }
            )*
        };
    }
    fields!(
        genesis_time,
        genesis_validators_root,
        slot,
        fork,
        latest_block_header,
        block_roots,
        state_roots,
        historical_roots,
        eth1_data,
        eth1_data_votes,
        eth1_deposit_index,
        validators,
        balances,
        randao_mixes,
        slashings,
        previous_epoch_participation,
        current_epoch_participation,
        justification_bits,
        previous_justified_checkpoint,
        current_justified_checkpoint,
        finalized_checkpoint,
        inactivity_scores,
        current_sync_committee,
        next_sync_committee,
        latest_execution_payload_header,
        next_withdrawal_index,
        next_withdrawal_validator_index,
        historical_summaries,
        deposit_requests_start_index,
        deposit_balance_to_consume,
        exit_balance_to_consume,
        earliest_exit_epoch,
        consolidation_balance_to_consume,
        earliest_consolidation_epoch,
        pending_deposits,
        pending_partial_withdrawals,
        pending_consolidations,
    );
    "no field differs (roots differ?)".to_string()
}

fn describe<T: std::fmt::Debug>(name: &str, got: &T, want: &T) -> String {
    let (g, w) = (format!("{got:?}"), format!("{want:?}"));
    // Point at the first differing character so long lists stay readable.
    let at = g
        .bytes()
        .zip(w.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(g.len().min(w.len()));
    let from = at.saturating_sub(80);
    let cut = |s: &str| {
        s.get(from..(at + 120).min(s.len()))
            .unwrap_or("")
            .to_string()
    };
    format!(
        "field `{name}` differs near char {at}: got …{}… want …{}…",
        cut(&g),
        cut(&w)
    )
}

/// Compare a post-state with the expected one by `hash_tree_root`.
pub fn compare_states<P: Preset>(got: &BeaconState<P>, want: &BeaconState<P>) -> Outcome {
    if got.tree_hash_root() == want.tree_hash_root() {
        Outcome::Pass
    } else {
        Outcome::Fail(format!(
            "post-state root mismatch: {}",
            first_difference(got, want)
        ))
    }
}
