//! Unit tests where the vectors are thin: uint64 edges that must give `Err`, never a wrap, and
//! small hand-checked transitions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use super::*;
use crate::error::Error;
use crate::helpers::mutators::{
    compute_consolidation_epoch_and_update_churn, compute_exit_epoch_and_update_churn,
};
use crate::preset::consts::FAR_FUTURE_EPOCH;
use crate::types::{
    BeaconBlockHeader, Checkpoint, Eth1Data, ExecutionPayloadHeader, Fork, PendingDeposit,
    QueueList, Root, SyncCommittee, Validator,
};
use crate::{Mainnet, Minimal};
use ssz_types::{BitVector, FixedVector, VariableList};

/// `n` active validators of 32 ETH (0x01 credentials), every flag set, at `epoch`'s last slot.
pub(crate) fn test_state<P: Preset>(n: usize, epoch: u64) -> BeaconState<P> {
    let validators: Vec<Validator> = (0..n as u64)
        .map(|i| {
            let mut pubkey = [0u8; 48];
            pubkey[..8].copy_from_slice(&i.to_le_bytes());
            let mut wc = [0u8; 32];
            wc[0] = 0x01;
            Validator {
                pubkey: pubkey.into(),
                withdrawal_credentials: Root::from(wc),
                effective_balance: 32_000_000_000,
                slashed: false,
                activation_eligibility_epoch: 0,
                activation_epoch: 0,
                exit_epoch: FAR_FUTURE_EPOCH,
                withdrawable_epoch: FAR_FUTURE_EPOCH,
            }
        })
        .collect();
    BeaconState {
        genesis_time: 0,
        genesis_validators_root: Root::ZERO,
        slot: (epoch + 1) * P::SLOTS_PER_EPOCH - 1,
        fork: Fork::default(),
        latest_block_header: BeaconBlockHeader::default(),
        block_roots: FixedVector::default(),
        state_roots: FixedVector::default(),
        historical_roots: VariableList::default(),
        eth1_data: Eth1Data::default(),
        eth1_data_votes: VariableList::default(),
        eth1_deposit_index: 0,
        validators: VariableList::new(validators).unwrap(),
        balances: VariableList::new(vec![32_000_000_000; n]).unwrap(),
        randao_mixes: FixedVector::default(),
        slashings: FixedVector::default(),
        previous_epoch_participation: VariableList::new(vec![0b111; n]).unwrap(),
        current_epoch_participation: VariableList::new(vec![0b111; n]).unwrap(),
        justification_bits: BitVector::new(),
        previous_justified_checkpoint: Checkpoint::default(),
        current_justified_checkpoint: Checkpoint::default(),
        finalized_checkpoint: Checkpoint {
            epoch: epoch.saturating_sub(1),
            root: Root::ZERO,
        },
        inactivity_scores: VariableList::new(vec![0; n]).unwrap(),
        current_sync_committee: SyncCommittee::default(),
        next_sync_committee: SyncCommittee::default(),
        latest_execution_payload_header: ExecutionPayloadHeader::default(),
        next_withdrawal_index: 0,
        next_withdrawal_validator_index: 0,
        historical_summaries: VariableList::default(),
        deposit_requests_start_index: u64::MAX,
        deposit_balance_to_consume: 0,
        exit_balance_to_consume: 0,
        earliest_exit_epoch: 0,
        consolidation_balance_to_consume: 0,
        earliest_consolidation_epoch: 0,
        pending_deposits: QueueList::default(),
        pending_partial_withdrawals: VariableList::default(),
        pending_consolidations: VariableList::default(),
    }
}

#[test]
fn exit_churn_overflow_is_err() {
    let mut state = test_state::<Minimal>(64, 10);
    // The earliest exit epoch cannot move past u64::MAX.
    state.earliest_exit_epoch = u64::MAX;
    state.exit_balance_to_consume = 0;
    assert_eq!(
        compute_exit_epoch_and_update_churn(&mut state, 1),
        Err(Error::Arithmetic("compute_exit_epoch_and_update_churn"))
    );
    // At u64::MAX with enough balance left to consume, nothing is added: still fine.
    state.exit_balance_to_consume = 5;
    assert_eq!(
        compute_exit_epoch_and_update_churn(&mut state, 5),
        Ok(u64::MAX)
    );
    assert_eq!(state.exit_balance_to_consume, 0);
}

#[test]
fn exit_churn_huge_balance_is_err() {
    let mut state = test_state::<Minimal>(64, 10);
    // additional_epochs * per_epoch_churn cannot overflow here, but earliest + additional can.
    state.earliest_exit_epoch = u64::MAX - 2;
    assert!(matches!(
        compute_exit_epoch_and_update_churn(&mut state, u64::MAX),
        Err(Error::Arithmetic(_))
    ));
}

#[test]
fn consolidation_churn_overflow_is_err() {
    // Minimal: 64 validators * 32 ETH / CHURN_LIMIT_QUOTIENT(32) = 64 ETH = MIN_PER_EPOCH_CHURN
    // -> balance churn 64 ETH, activation-exit churn min(128, 64) = 64 ETH, consolidation churn 0.
    let mut state = test_state::<Minimal>(64, 10);
    // A zero consolidation churn divides by zero in the spec (`// per_epoch_consolidation_churn`).
    assert!(matches!(
        compute_consolidation_epoch_and_update_churn(&mut state, 1),
        Err(Error::Arithmetic(_))
    ));
    // With churn available: the epoch overflow is an error too.
    let mut state = test_state::<Minimal>(256, 10);
    state.earliest_consolidation_epoch = u64::MAX;
    assert!(matches!(
        compute_consolidation_epoch_and_update_churn(&mut state, 1),
        Err(Error::Arithmetic(_))
    ));
}

#[test]
fn ejection_with_exhausted_exit_queue_is_err() {
    let mut state = test_state::<Minimal>(64, 10);
    state.validators[3].effective_balance = Minimal::EJECTION_BALANCE;
    state.earliest_exit_epoch = u64::MAX;
    assert!(matches!(
        process_registry_updates(&mut state),
        Err(Error::Arithmetic(_))
    ));
    // Same state with room in the queue: ejected, with the exit epoch the churn gives.
    let mut state = test_state::<Minimal>(64, 10);
    state.validators[3].effective_balance = Minimal::EJECTION_BALANCE;
    process_registry_updates(&mut state).unwrap();
    // compute_activation_exit_epoch(10) = 15; 16 ETH fits in the 64 ETH churn of epoch 15.
    assert_eq!(state.validators[3].exit_epoch, 15);
    assert_eq!(state.validators[3].withdrawable_epoch, 15 + 256);
    assert_eq!(state.exit_balance_to_consume, 48_000_000_000);
}

#[test]
fn pending_deposits_churn_overflow_is_err() {
    let mut state = test_state::<Minimal>(64, 10);
    state.deposit_balance_to_consume = u64::MAX;
    assert_eq!(
        process_pending_deposits(&mut state),
        Err(Error::Arithmetic("process_pending_deposits"))
    );
}

#[test]
fn pending_deposit_top_up_and_churn_carry() {
    let mut state = test_state::<Minimal>(64, 10);
    let top_up = |i: usize, amount: u64| PendingDeposit {
        pubkey: state.validators[i].pubkey,
        withdrawal_credentials: state.validators[i].withdrawal_credentials,
        amount,
        signature: Default::default(),
        slot: 0,
    };
    // Churn is 64 ETH: the first two fit (40 + 20), the third (10) does not.
    let deps = vec![
        top_up(1, 40_000_000_000),
        top_up(2, 20_000_000_000),
        top_up(3, 10_000_000_000),
    ];
    state.pending_deposits = QueueList::new(deps.clone()).unwrap();
    process_pending_deposits(&mut state).unwrap();
    assert_eq!(state.balances[1], 72_000_000_000);
    assert_eq!(state.balances[2], 52_000_000_000);
    assert_eq!(state.balances[3], 32_000_000_000);
    assert_eq!(&state.pending_deposits[..], &deps[2..]);
    assert_eq!(state.deposit_balance_to_consume, 4_000_000_000);
}

#[test]
fn slashings_sum_overflow_is_err() {
    let mut state = test_state::<Minimal>(64, 10);
    state.slashings[0] = u64::MAX;
    state.slashings[1] = 1;
    assert_eq!(
        process_slashings(&mut state),
        Err(Error::Arithmetic("process_slashings"))
    );
}

#[test]
fn inactivity_score_overflow_is_err() {
    let mut state = test_state::<Minimal>(64, 10);
    // Not target-participating: the score grows by INACTIVITY_SCORE_BIAS.
    state.previous_epoch_participation[5] = 0;
    state.inactivity_scores[5] = u64::MAX - 1;
    assert_eq!(
        process_inactivity_updates(&mut state),
        Err(Error::Arithmetic("process_inactivity_updates"))
    );
}

#[test]
fn effective_balance_update_overflow_is_err() {
    let mut state = test_state::<Minimal>(8, 10);
    state.balances[0] = u64::MAX;
    assert_eq!(
        process_effective_balance_updates(&mut state),
        Err(Error::Arithmetic("process_effective_balance_updates"))
    );
}

#[test]
fn process_slots_rejects_past_slot_and_crosses_epoch() {
    let mut state = test_state::<Minimal>(64, 3);
    let slot = state.slot;
    assert!(matches!(
        crate::slots::process_slots(&mut state, slot),
        Err(Error::Assert(_))
    ));
    crate::slots::process_slots(&mut state, slot + 2).unwrap();
    assert_eq!(state.slot, slot + 2);
    // The epoch boundary ran: participation rotated and current reset.
    assert!(state.current_epoch_participation.iter().all(|f| *f == 0));
    assert!(state
        .previous_epoch_participation
        .iter()
        .all(|f| *f == 0b111));
}

/// Mainnet-scale reference run: 2,000,000 indices, 1,000,000 active, 16 pending top-ups.
/// Ignored by default (memory and time); run with
/// `cargo test --release -p maxeb-core --lib mainnet_scale -- --ignored --nocapture`.
/// Prints the time; asserts only outcomes, never timings.
#[test]
#[ignore]
fn mainnet_scale_process_epoch() {
    let n = 2_000_000;
    let mut state = test_state::<Mainnet>(n, 1000);
    for i in (1..n).step_by(2) {
        state.validators[i].exit_epoch = 500;
        state.validators[i].withdrawable_epoch = 756;
        state.balances[i] = 0;
        state.validators[i].effective_balance = 0;
    }
    for i in (0..2000).step_by(2) {
        state.previous_epoch_participation[i] = 0;
    }
    let deps: Vec<PendingDeposit> = (0..20)
        .map(|k| {
            let v = &state.validators[n - 2 - 2 * k];
            PendingDeposit {
                pubkey: v.pubkey,
                withdrawal_credentials: v.withdrawal_credentials,
                amount: 1_000_000_000,
                signature: Default::default(),
                slot: 0,
            }
        })
        .collect();
    state.pending_deposits = QueueList::new(deps).unwrap();
    // Step by step (timed), then the same through process_epoch: both must agree.
    let mut by_steps = state.clone();
    for (name, step) in epoch_steps::<Mainnet>() {
        let t = std::time::Instant::now();
        step(&mut by_steps).unwrap();
        eprintln!("  {name}: {:?}", t.elapsed());
    }
    let t = std::time::Instant::now();
    process_epoch(&mut state).unwrap();
    eprintln!("process_epoch, 2M indices / 1M active: {:?}", t.elapsed());
    assert!(by_steps == state);
    assert_eq!(state.pending_deposits.len(), 4);
    // The 16 oldest top-ups were applied on top of the same rewards as an untouched peer.
    assert_eq!(
        state.balances[n - 2],
        state.balances[n - 42] + 1_000_000_000
    );
    assert_eq!(
        state.balances[n - 32],
        state.balances[n - 42] + 1_000_000_000
    );
    assert_eq!(state.balances[n - 34], state.balances[n - 42]);
    // Missed target/source: penalized against a full participant.
    assert!(state.balances[0] < state.balances[2000]);

    // The state is still at the epoch's last slot: process_slots to the next slot runs one
    // process_slot (a full, uncached state root) and process_epoch again, then advances.
    let slot = state.slot;
    let t = std::time::Instant::now();
    crate::slots::process_slots(&mut state, slot + 1).unwrap();
    eprintln!(
        "process_slots across the boundary (state root + process_epoch): {:?}",
        t.elapsed()
    );
    assert_eq!(state.slot, slot + 1);
}

#[test]
fn process_slot_caches_roots() {
    use tree_hash::TreeHash;
    let mut state = test_state::<Minimal>(16, 3);
    state.slot = 70; // 70 % SLOTS_PER_HISTORICAL_ROOT(64) = 6
    let before = state.tree_hash_root();
    crate::slots::process_slot(&mut state).unwrap();
    assert_eq!(state.state_roots[6], before);
    assert_eq!(state.latest_block_header.state_root, before);
    assert_eq!(
        state.block_roots[6],
        state.latest_block_header.tree_hash_root()
    );
    assert_eq!(state.slot, 70);
    // A header whose state root is already set keeps it.
    let mut state = test_state::<Minimal>(16, 3);
    state.slot = 70;
    state.latest_block_header.state_root = Root::repeat_byte(7);
    crate::slots::process_slot(&mut state).unwrap();
    assert_eq!(state.latest_block_header.state_root, Root::repeat_byte(7));
    assert_ne!(state.state_roots[6], Root::repeat_byte(7));
}

#[test]
fn registry_ejections_match_spec_literal_exits() {
    // 20 ejections spread over several exit epochs (16 ETH each, 64 ETH churn per epoch):
    // the hoisted churn limit gives what calling initiate_validator_exit per validator gives.
    let mut state = test_state::<Minimal>(64, 10);
    for i in (0..60).step_by(3) {
        state.validators[i].effective_balance = Minimal::EJECTION_BALANCE;
    }
    state.validators[9].exit_epoch = 40; // already exiting: left alone
    let mut want = state.clone();
    for i in (0..60).step_by(3) {
        crate::helpers::mutators::initiate_validator_exit(&mut want, i as u64).unwrap();
    }
    process_registry_updates(&mut state).unwrap();
    assert!(state == want);
    assert_eq!(state.validators[9].exit_epoch, 40);
    assert_eq!(state.validators[57].exit_epoch, 15 + 4);
}
