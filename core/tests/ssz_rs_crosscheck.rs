//! Cross-check against an independent SSZ implementation: ssz_rs 0.9 decodes our encoding of a
//! mainnet-preset `BeaconState` and computes its own `hash_tree_root`, which must equal ours
//! (ethereum_ssz + tree_hash). Covers what no official vector does: mainnet-sized lists.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use maxeb_core::preset::consts::FAR_FUTURE_EPOCH;
use maxeb_core::types as t;
use maxeb_core::Mainnet;
use ssz::Encode;
use ssz_rs::prelude::*;
use tree_hash::TreeHash;

mod common;
use common::Rng;

type Bytes32 = Vector<u8, 32>;
type Pubkey = Vector<u8, 48>;
type Sig = Vector<u8, 96>;
type Version = Vector<u8, 4>;
const REGISTRY: usize = 1 << 40;

#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct Fork {
    previous_version: Version,
    current_version: Version,
    epoch: u64,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct Checkpoint {
    epoch: u64,
    root: Bytes32,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct BeaconBlockHeader {
    slot: u64,
    proposer_index: u64,
    parent_root: Bytes32,
    state_root: Bytes32,
    body_root: Bytes32,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct Eth1Data {
    deposit_root: Bytes32,
    deposit_count: u64,
    block_hash: Bytes32,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct Validator {
    pubkey: Pubkey,
    withdrawal_credentials: Bytes32,
    effective_balance: u64,
    slashed: bool,
    activation_eligibility_epoch: u64,
    activation_epoch: u64,
    exit_epoch: u64,
    withdrawable_epoch: u64,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct SyncCommittee {
    pubkeys: Vector<Pubkey, 512>,
    aggregate_pubkey: Pubkey,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct ExecutionPayloadHeader {
    parent_hash: Bytes32,
    fee_recipient: Vector<u8, 20>,
    state_root: Bytes32,
    receipts_root: Bytes32,
    logs_bloom: Vector<u8, 256>,
    prev_randao: Bytes32,
    block_number: u64,
    gas_limit: u64,
    gas_used: u64,
    timestamp: u64,
    extra_data: List<u8, 32>,
    base_fee_per_gas: U256,
    block_hash: Bytes32,
    transactions_root: Bytes32,
    withdrawals_root: Bytes32,
    blob_gas_used: u64,
    excess_blob_gas: u64,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct HistoricalSummary {
    block_summary_root: Bytes32,
    state_summary_root: Bytes32,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct PendingDeposit {
    pubkey: Pubkey,
    withdrawal_credentials: Bytes32,
    amount: u64,
    signature: Sig,
    slot: u64,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct PendingPartialWithdrawal {
    validator_index: u64,
    amount: u64,
    withdrawable_epoch: u64,
}
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct PendingConsolidation {
    source_index: u64,
    target_index: u64,
}

/// electra § BeaconState, mainnet preset, written out independently for ssz_rs.
#[derive(PartialEq, Eq, Debug, Default, Clone, SimpleSerialize)]
struct BeaconState {
    genesis_time: u64,
    genesis_validators_root: Bytes32,
    slot: u64,
    fork: Fork,
    latest_block_header: BeaconBlockHeader,
    block_roots: Vector<Bytes32, 8192>,
    state_roots: Vector<Bytes32, 8192>,
    historical_roots: List<Bytes32, 16777216>,
    eth1_data: Eth1Data,
    eth1_data_votes: List<Eth1Data, 2048>,
    eth1_deposit_index: u64,
    validators: List<Validator, REGISTRY>,
    balances: List<u64, REGISTRY>,
    randao_mixes: Vector<Bytes32, 65536>,
    slashings: Vector<u64, 8192>,
    previous_epoch_participation: List<u8, REGISTRY>,
    current_epoch_participation: List<u8, REGISTRY>,
    justification_bits: Bitvector<4>,
    previous_justified_checkpoint: Checkpoint,
    current_justified_checkpoint: Checkpoint,
    finalized_checkpoint: Checkpoint,
    inactivity_scores: List<u64, REGISTRY>,
    current_sync_committee: SyncCommittee,
    next_sync_committee: SyncCommittee,
    latest_execution_payload_header: ExecutionPayloadHeader,
    next_withdrawal_index: u64,
    next_withdrawal_validator_index: u64,
    historical_summaries: List<HistoricalSummary, 16777216>,
    deposit_requests_start_index: u64,
    deposit_balance_to_consume: u64,
    exit_balance_to_consume: u64,
    earliest_exit_epoch: u64,
    consolidation_balance_to_consume: u64,
    earliest_consolidation_epoch: u64,
    pending_deposits: List<PendingDeposit, 134217728>,
    pending_partial_withdrawals: List<PendingPartialWithdrawal, 134217728>,
    pending_consolidations: List<PendingConsolidation, 262144>,
}

/// Our root vs ssz_rs's root of the same encoding.
fn cross_check(state: &t::BeaconState<Mainnet>) {
    let bytes = state.as_ssz_bytes();
    let mut theirs: BeaconState = ssz_rs::deserialize(&bytes).expect("ssz_rs decodes our encoding");
    let theirs_root = theirs.hash_tree_root().expect("ssz_rs root");
    let ours = state.tree_hash_root();
    assert_eq!(ours.as_slice(), theirs_root.as_ref(), "state roots differ");
    // Field-level too, for the large lists.
    let mut v = theirs.validators.clone();
    assert_eq!(
        state.validators.tree_hash_root().as_slice(),
        v.hash_tree_root().unwrap().as_ref()
    );
    let mut b = theirs.balances.clone();
    assert_eq!(
        state.balances.tree_hash_root().as_slice(),
        b.hash_tree_root().unwrap().as_ref()
    );
}

/// A mainnet-preset state with `n` validators and every list non-empty.
fn generated_state(n: usize, seed: u64) -> t::BeaconState<Mainnet> {
    let mut r = Rng(seed | 1);
    let mut s: t::BeaconState<Mainnet> =
        ssz::Decode::from_ssz_bytes(&minimal_valid_encoding()).expect("empty state decodes");
    s.slot = 11_650_000;
    s.genesis_validators_root = t::Root::from(r.array::<32>());
    for x in s
        .block_roots
        .iter_mut()
        .chain(s.state_roots.iter_mut())
        .chain(s.randao_mixes.iter_mut())
    {
        *x = t::Root::from(r.array::<32>());
    }
    for x in s.slashings.iter_mut() {
        *x = r.next() % 64_000_000_000;
    }
    for i in 0..n {
        let exited = r.next() % 2 == 0;
        let v = t::Validator {
            pubkey: t::BlsPubkey::from(r.array::<48>()),
            withdrawal_credentials: t::Root::from(r.array::<32>()),
            effective_balance: 32_000_000_000 + (r.next() % 3) * 1_000_000_000,
            slashed: r.next() % 1000 == 0,
            activation_eligibility_epoch: i as u64,
            activation_epoch: i as u64 + 5,
            exit_epoch: if exited {
                300_000 + i as u64
            } else {
                FAR_FUTURE_EPOCH
            },
            withdrawable_epoch: if exited {
                300_256 + i as u64
            } else {
                FAR_FUTURE_EPOCH
            },
        };
        s.validators.push(v).unwrap();
        s.balances
            .push(31_000_000_000 + r.next() % 3_000_000_000)
            .unwrap();
        s.previous_epoch_participation
            .push((r.next() % 8) as u8)
            .unwrap();
        s.current_epoch_participation
            .push((r.next() % 8) as u8)
            .unwrap();
        s.inactivity_scores.push(r.next() % 5).unwrap();
    }
    for i in 0..1000u64 {
        s.pending_deposits
            .push(t::PendingDeposit {
                pubkey: t::BlsPubkey::from(r.array::<48>()),
                withdrawal_credentials: t::Root::from(r.array::<32>()),
                amount: 32_000_000_000,
                signature: t::BlsSignature::from(r.array::<96>()),
                slot: i,
            })
            .unwrap();
        s.pending_partial_withdrawals
            .push(t::PendingPartialWithdrawal {
                validator_index: i,
                amount: i * 7,
                withdrawable_epoch: i + 9,
            })
            .unwrap();
        s.pending_consolidations
            .push(t::PendingConsolidation {
                source_index: i,
                target_index: i + 1,
            })
            .unwrap();
        s.historical_summaries
            .push(t::HistoricalSummary {
                block_summary_root: t::Root::from(r.array::<32>()),
                state_summary_root: t::Root::from(r.array::<32>()),
            })
            .unwrap();
    }
    s.latest_execution_payload_header.base_fee_per_gas = t::U256::from(r.next()) << 100;
    s.latest_execution_payload_header.extra_data =
        ssz_types::VariableList::new(vec![1, 2, 3]).unwrap();
    s.justification_bits.set(1, true).unwrap();
    s
}

/// The SSZ encoding of an all-default mainnet state (ssz_rs's `Default` gives the same shape).
fn minimal_valid_encoding() -> Vec<u8> {
    ssz_rs::serialize(&BeaconState::default()).expect("ssz_rs encodes the default state")
}

#[test]
fn generated_mainnet_state_roots_agree_with_ssz_rs() {
    cross_check(&generated_state(200_000, 42));
}

#[test]
fn default_state_roots_agree_with_ssz_rs() {
    cross_check(&generated_state(0, 7));
}

/// Every mainnet-preset state in the vectors' electra epoch_processing folder (where present).
#[test]
fn mainnet_vector_states_agree_with_ssz_rs() {
    let root = common::vectors_root();
    let dir =
        root.join("tests/mainnet/electra/epoch_processing/effective_balance_updates/pyspec_tests");
    let mut n = 0;
    for case in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = case.unwrap().path().join("pre.ssz_snappy");
        let state: t::BeaconState<Mainnet> = maxeb_core::io::read_state(&p).unwrap();
        cross_check(&state);
        n += 1;
    }
    assert!(
        n > 0,
        "no mainnet vector states found under {}",
        dir.display()
    );
}
