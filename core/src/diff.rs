//! Field-level difference of two `BeaconState`s: which fields, which list indices, old and new
//! values. For when two implementations (or maxeb's two paths) disagree on a post-state.
//!
//! Every field of the state is compared, in the spec's order. Lists report a length change and the
//! differing indices (all of them counted, the first `limit` shown); a validator's entry names the
//! fields of `Validator` that differ.

use crate::preset::Preset;
use crate::types::{BeaconState, Validator};
use std::fmt::{Debug, Write};

/// One differing field of the state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldDiff {
    /// The state's field name (`balances`, `validators`, ...).
    pub field: &'static str,
    /// For lists: `(len_a, len_b)`.
    pub lens: Option<(usize, usize)>,
    /// For lists: how many indices below both lengths differ.
    pub differing: usize,
    /// The differences shown: `(index, text)`; `index` is `None` for a whole-value field.
    pub shown: Vec<(Option<usize>, String)>,
}

/// The difference of two states (empty when they are equal).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StateDiff {
    pub fields: Vec<FieldDiff>,
}

impl StateDiff {
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// A human-readable report, one line per shown difference.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for f in &self.fields {
            match f.lens {
                Some((a, b)) => {
                    let _ = write!(s, "{}: {} indices differ", f.field, f.differing);
                    if a != b {
                        let _ = write!(s, ", length {a} -> {b}");
                    }
                    let _ = writeln!(s);
                }
                None => {
                    let _ = writeln!(s, "{}:", f.field);
                }
            }
            for (i, text) in &f.shown {
                match i {
                    Some(i) => {
                        let _ = writeln!(s, "  [{i}] {text}");
                    }
                    None => {
                        let _ = writeln!(s, "  {text}");
                    }
                }
            }
            let hidden = f.differing.saturating_sub(f.shown.len());
            if f.lens.is_some() && hidden > 0 {
                let _ = writeln!(s, "  ... and {hidden} more");
            }
        }
        s
    }
}

struct Differ {
    limit: usize,
    out: StateDiff,
}

impl Differ {
    fn value<T: PartialEq + Debug>(&mut self, field: &'static str, a: &T, b: &T) {
        if a != b {
            self.out.fields.push(FieldDiff {
                field,
                lens: None,
                differing: 1,
                shown: vec![(None, format!("{a:?} -> {b:?}"))],
            });
        }
    }

    fn list<T: PartialEq>(
        &mut self,
        field: &'static str,
        a: &[T],
        b: &[T],
        show: impl Fn(&T, &T) -> String,
    ) {
        if a == b {
            return;
        }
        let mut d = FieldDiff {
            field,
            lens: Some((a.len(), b.len())),
            differing: 0,
            shown: Vec::new(),
        };
        for (i, (x, y)) in a.iter().zip(b).enumerate() {
            if x != y {
                d.differing = d.differing.saturating_add(1);
                if d.shown.len() < self.limit {
                    d.shown.push((Some(i), show(x, y)));
                }
            }
        }
        self.out.fields.push(d);
    }

    fn debug_list<T: PartialEq + Debug>(&mut self, field: &'static str, a: &[T], b: &[T]) {
        self.list(field, a, b, |x, y| format!("{x:?} -> {y:?}"));
    }
}

/// The fields of two validators that differ, as `name: old -> new` pairs.
fn validator_fields(a: &Validator, b: &Validator) -> String {
    let mut parts = Vec::new();
    let mut f = |name: &str, x: String, y: String| {
        if x != y {
            parts.push(format!("{name}: {x} -> {y}"));
        }
    };
    f(
        "pubkey",
        format!("{:?}", a.pubkey),
        format!("{:?}", b.pubkey),
    );
    f(
        "withdrawal_credentials",
        format!("{}", a.withdrawal_credentials),
        format!("{}", b.withdrawal_credentials),
    );
    f(
        "effective_balance",
        a.effective_balance.to_string(),
        b.effective_balance.to_string(),
    );
    f("slashed", a.slashed.to_string(), b.slashed.to_string());
    f(
        "activation_eligibility_epoch",
        a.activation_eligibility_epoch.to_string(),
        b.activation_eligibility_epoch.to_string(),
    );
    f(
        "activation_epoch",
        a.activation_epoch.to_string(),
        b.activation_epoch.to_string(),
    );
    f(
        "exit_epoch",
        a.exit_epoch.to_string(),
        b.exit_epoch.to_string(),
    );
    f(
        "withdrawable_epoch",
        a.withdrawable_epoch.to_string(),
        b.withdrawable_epoch.to_string(),
    );
    parts.join(", ")
}

/// Compare `a` with `b` field by field; at most `limit` differing indices are shown per list.
pub fn diff_states<P: Preset>(a: &BeaconState<P>, b: &BeaconState<P>, limit: usize) -> StateDiff {
    let mut d = Differ {
        limit,
        out: StateDiff::default(),
    };
    d.value("genesis_time", &a.genesis_time, &b.genesis_time);
    d.value(
        "genesis_validators_root",
        &a.genesis_validators_root,
        &b.genesis_validators_root,
    );
    d.value("slot", &a.slot, &b.slot);
    d.value("fork", &a.fork, &b.fork);
    d.value(
        "latest_block_header",
        &a.latest_block_header,
        &b.latest_block_header,
    );
    d.debug_list("block_roots", &a.block_roots, &b.block_roots);
    d.debug_list("state_roots", &a.state_roots, &b.state_roots);
    d.debug_list("historical_roots", &a.historical_roots, &b.historical_roots);
    d.value("eth1_data", &a.eth1_data, &b.eth1_data);
    d.debug_list("eth1_data_votes", &a.eth1_data_votes, &b.eth1_data_votes);
    d.value(
        "eth1_deposit_index",
        &a.eth1_deposit_index,
        &b.eth1_deposit_index,
    );
    d.list("validators", &a.validators, &b.validators, validator_fields);
    d.debug_list("balances", &a.balances, &b.balances);
    d.debug_list("randao_mixes", &a.randao_mixes, &b.randao_mixes);
    d.debug_list("slashings", &a.slashings, &b.slashings);
    d.debug_list(
        "previous_epoch_participation",
        &a.previous_epoch_participation,
        &b.previous_epoch_participation,
    );
    d.debug_list(
        "current_epoch_participation",
        &a.current_epoch_participation,
        &b.current_epoch_participation,
    );
    d.value(
        "justification_bits",
        &a.justification_bits,
        &b.justification_bits,
    );
    d.value(
        "previous_justified_checkpoint",
        &a.previous_justified_checkpoint,
        &b.previous_justified_checkpoint,
    );
    d.value(
        "current_justified_checkpoint",
        &a.current_justified_checkpoint,
        &b.current_justified_checkpoint,
    );
    d.value(
        "finalized_checkpoint",
        &a.finalized_checkpoint,
        &b.finalized_checkpoint,
    );
    d.debug_list(
        "inactivity_scores",
        &a.inactivity_scores,
        &b.inactivity_scores,
    );
    d.debug_list(
        "current_sync_committee.pubkeys",
        &a.current_sync_committee.pubkeys,
        &b.current_sync_committee.pubkeys,
    );
    d.value(
        "current_sync_committee.aggregate_pubkey",
        &a.current_sync_committee.aggregate_pubkey,
        &b.current_sync_committee.aggregate_pubkey,
    );
    d.debug_list(
        "next_sync_committee.pubkeys",
        &a.next_sync_committee.pubkeys,
        &b.next_sync_committee.pubkeys,
    );
    d.value(
        "next_sync_committee.aggregate_pubkey",
        &a.next_sync_committee.aggregate_pubkey,
        &b.next_sync_committee.aggregate_pubkey,
    );
    d.value(
        "latest_execution_payload_header",
        &a.latest_execution_payload_header,
        &b.latest_execution_payload_header,
    );
    d.value(
        "next_withdrawal_index",
        &a.next_withdrawal_index,
        &b.next_withdrawal_index,
    );
    d.value(
        "next_withdrawal_validator_index",
        &a.next_withdrawal_validator_index,
        &b.next_withdrawal_validator_index,
    );
    d.debug_list(
        "historical_summaries",
        &a.historical_summaries,
        &b.historical_summaries,
    );
    d.value(
        "deposit_requests_start_index",
        &a.deposit_requests_start_index,
        &b.deposit_requests_start_index,
    );
    d.value(
        "deposit_balance_to_consume",
        &a.deposit_balance_to_consume,
        &b.deposit_balance_to_consume,
    );
    d.value(
        "exit_balance_to_consume",
        &a.exit_balance_to_consume,
        &b.exit_balance_to_consume,
    );
    d.value(
        "earliest_exit_epoch",
        &a.earliest_exit_epoch,
        &b.earliest_exit_epoch,
    );
    d.value(
        "consolidation_balance_to_consume",
        &a.consolidation_balance_to_consume,
        &b.consolidation_balance_to_consume,
    );
    d.value(
        "earliest_consolidation_epoch",
        &a.earliest_consolidation_epoch,
        &b.earliest_consolidation_epoch,
    );
    d.debug_list("pending_deposits", &a.pending_deposits, &b.pending_deposits);
    d.debug_list(
        "pending_partial_withdrawals",
        &a.pending_partial_withdrawals,
        &b.pending_partial_withdrawals,
    );
    d.debug_list(
        "pending_consolidations",
        &a.pending_consolidations,
        &b.pending_consolidations,
    );
    d.out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::epoch::tests::test_state;
    use crate::Minimal;

    #[test]
    fn names_fields_and_indices() {
        let a = test_state::<Minimal>(10, 3);
        assert!(diff_states(&a, &a.clone(), 5).is_empty());
        let mut b = a.clone();
        b.balances[3] += 1;
        b.balances[7] += 1;
        b.validators[2].exit_epoch = 9;
        b.slot += 1;
        b.pending_consolidations.push(Default::default()).unwrap();
        let d = diff_states(&a, &b, 1);
        let names: Vec<_> = d.fields.iter().map(|f| f.field).collect();
        assert_eq!(
            names,
            ["slot", "validators", "balances", "pending_consolidations"]
        );
        let bal = &d.fields[2];
        assert_eq!((bal.differing, bal.shown.len()), (2, 1));
        assert_eq!(bal.shown[0].0, Some(3));
        assert_eq!(
            d.fields[1].shown[0].1,
            format!("exit_epoch: {} -> 9", u64::MAX)
        );
        assert_eq!(d.fields[3].lens, Some((0, 1)));
        let text = d.render();
        assert!(text.contains("balances: 2 indices differ"), "{text}");
        assert!(text.contains("... and 1 more"), "{text}");
        assert!(text.contains("length 0 -> 1"), "{text}");
    }
}
