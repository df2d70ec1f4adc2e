//! Post-state comparison: full `hash_tree_root`, and on mismatch the differing fields
//! (`maxeb_core::diff`, the same report as `maxeb diff`).

use maxeb_core::diff::diff_states;
use maxeb_core::types::BeaconState;
use maxeb_core::Preset;
use tree_hash::TreeHash;

use crate::harness::Outcome;

/// Compare a post-state with the expected one by `hash_tree_root`.
pub fn compare_states<P: Preset>(got: &BeaconState<P>, want: &BeaconState<P>) -> Outcome {
    if got.tree_hash_root() == want.tree_hash_root() {
        Outcome::Pass
    } else {
        let d = diff_states(want, got, 3);
        let text = if d.is_empty() {
            "no field differs (roots differ?)".to_string()
        } else {
            d.render().lines().collect::<Vec<_>>().join("; ")
        };
        Outcome::Fail(format!("post-state root mismatch (want -> got): {text}"))
    }
}
