//! A public function never panics on a state that decodes: real vector states made inconsistent
//! (registry lists of different lengths, out-of-range queue indices, values at uint64 edges) go
//! through every `process_epoch` step, `process_epoch` and `process_slots`, which must return
//! `Ok` or `Err`, never panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use maxeb_core::epoch::{epoch_steps, process_epoch};
use maxeb_core::slots::process_slots;
use maxeb_core::types::{BeaconState, PendingConsolidation, PendingDeposit};
use maxeb_core::{Mainnet, Minimal, Preset};
use ssz_types::VariableList;
use std::panic::{catch_unwind, AssertUnwindSafe};

mod common;

/// Pre-states from several handlers, so queues, slashings and leaks are all populated somewhere.
const CASES: &[&str] = &[
    "slashings/pyspec_tests/low_penalty",
    "pending_deposits/pyspec_tests/apply_pending_deposit_top_up__max_effective_balance_compounding",
    "pending_consolidations/pyspec_tests/basic_pending_consolidation",
    "rewards_and_penalties/pyspec_tests/random_fill_attestations_with_leak",
    "inactivity_updates/pyspec_tests/all_zero_inactivity_scores_full_participation_leaking",
    "registry_updates/pyspec_tests/ejection",
];

type Mutation<P> = (&'static str, fn(&mut BeaconState<P>));

fn mutations<P: Preset>() -> Vec<Mutation<P>> {
    vec![
        ("balances one short", |s| {
            let mut b = s.balances.to_vec();
            b.pop();
            s.balances = VariableList::new(b).unwrap();
        }),
        ("no previous participation", |s| {
            s.previous_epoch_participation = VariableList::default()
        }),
        ("current participation one short", |s| {
            let mut b = s.current_epoch_participation.to_vec();
            b.pop();
            s.current_epoch_participation = VariableList::new(b).unwrap();
        }),
        ("no inactivity scores", |s| {
            s.inactivity_scores = VariableList::default()
        }),
        ("no validators", |s| s.validators = VariableList::default()),
        ("balances at u64::MAX", |s| {
            s.balances.iter_mut().for_each(|b| *b = u64::MAX)
        }),
        ("inactivity scores at u64::MAX", |s| {
            s.inactivity_scores.iter_mut().for_each(|x| *x = u64::MAX)
        }),
        ("slashings at u64::MAX", |s| {
            s.slashings.iter_mut().for_each(|x| *x = u64::MAX)
        }),
        ("effective balances at u64::MAX", |s| {
            s.validators
                .iter_mut()
                .for_each(|v| v.effective_balance = u64::MAX)
        }),
        ("exit queue at the end of time", |s| {
            s.earliest_exit_epoch = u64::MAX - 1;
            s.exit_balance_to_consume = 0;
            s.earliest_consolidation_epoch = u64::MAX - 1;
            s.consolidation_balance_to_consume = 0;
        }),
        ("finalized epoch u64::MAX", |s| {
            s.finalized_checkpoint.epoch = u64::MAX
        }),
        ("slot near u64::MAX", |s| s.slot = u64::MAX - 2),
        ("consolidation beyond the registry", |s| {
            let n = s.validators.len() as u64;
            s.pending_consolidations = VariableList::new(vec![
                PendingConsolidation {
                    source_index: n + 5,
                    target_index: 0,
                },
                PendingConsolidation {
                    source_index: 0,
                    target_index: u64::MAX,
                },
            ])
            .unwrap();
        }),
        ("deposit with a garbage key and u64::MAX amount", |s| {
            let mut d = s.pending_deposits.to_vec();
            d.insert(
                0,
                PendingDeposit {
                    amount: u64::MAX,
                    ..PendingDeposit::default()
                },
            );
            s.pending_deposits = maxeb_core::types::QueueList::new(d).unwrap();
            s.deposit_balance_to_consume = u64::MAX;
        }),
    ]
}

fn run<P: Preset>(preset: &str) {
    let root = common::vectors_root();
    let mut runs = 0;
    for case in CASES {
        let path = root.join(format!(
            "tests/{preset}/electra/epoch_processing/{case}/pre.ssz_snappy"
        ));
        let base: BeaconState<P> =
            maxeb_core::io::read_state(&path).unwrap_or_else(|e| panic!("{e}"));
        for (what, mutate) in mutations::<P>() {
            let mut state = base.clone();
            mutate(&mut state);
            let label = format!("{preset} {case} / {what}");
            for (step, f) in epoch_steps::<P>() {
                let mut s = state.clone();
                let r = catch_unwind(AssertUnwindSafe(|| f(&mut s)));
                assert!(r.is_ok(), "{label}: {step} panicked");
                runs += 1;
            }
            let mut s = state.clone();
            assert!(
                catch_unwind(AssertUnwindSafe(|| process_epoch(&mut s))).is_ok(),
                "{label}: process_epoch panicked"
            );
            let mut s = state.clone();
            // Vector pre-states sit at an epoch's last slot: one slot crosses the boundary.
            let target = s.slot.saturating_add(1);
            assert!(
                catch_unwind(AssertUnwindSafe(|| process_slots(&mut s, target))).is_ok(),
                "{label}: process_slots panicked"
            );
            runs += 2;
        }
    }
    assert!(runs > 0);
}

#[test]
fn inconsistent_minimal_states_never_panic() {
    run::<Minimal>("minimal");
}

#[test]
fn inconsistent_mainnet_states_never_panic() {
    run::<Mainnet>("mainnet");
}
