//! Electra SSZ containers (`specs/electra/beacon-chain.md` § Containers, and the earlier forks'
//! containers that Electra keeps unchanged).
//!
//! Field order is the spec's: SSZ encoding and `hash_tree_root` depend on it.
//!
//! This file holds the containers a `BeaconState` is made of and the block operations;
//! `state` the state, `block` the block and its body, `blob` blob sidecars, `gossip` what
//! validators sign and gossip, `light_client` the light-client containers, `legacy` the
//! earlier forks' containers nothing in Electra holds.

mod blob;
mod block;
mod bytes;
mod gossip;
mod legacy;
mod light_client;
mod queue;
mod serde_hex;
mod state;

pub use blob::{Blob, BlobIdentifier, BlobIndex, BlobSidecar, KzgCommitment, KzgProof};
pub use block::{
    BLSToExecutionChange, BeaconBlock, BeaconBlockBody, Deposit, DepositData, ExecutionRequests,
    SignedBLSToExecutionChange, SignedBeaconBlock, SyncAggregate,
};
pub use bytes::{BlsPubkey, BlsSignature, ByteVector};
pub use gossip::{
    AggregateAndProof, ContributionAndProof, Eth1Block, SignedAggregateAndProof,
    SignedContributionAndProof, SingleAttestation, SyncAggregatorSelectionData,
    SyncCommitteeContribution, SyncCommitteeMessage,
};
pub use legacy::{HistoricalBatch, PendingAttestation, PowBlock};
pub use light_client::{
    CurrentSyncCommitteeBranch, ExecutionBranch, FinalityBranch, LightClientBootstrap,
    LightClientFinalityUpdate, LightClientHeader, LightClientOptimisticUpdate, LightClientUpdate,
    NextSyncCommitteeBranch,
};
pub use queue::{QueueFull, QueueList};
pub use state::BeaconState;

use crate::preset::Preset;
use serde::Serialize;
use ssz_derive::{Decode, Encode};
use ssz_types::{BitList, BitVector, FixedVector, VariableList};
use tree_hash_derive::TreeHash;

pub use alloy_primitives::{Address, B256 as Root, U256};

pub type Slot = u64;
pub type Epoch = u64;
pub type CommitteeIndex = u64;
pub type ValidatorIndex = u64;
pub type Gwei = u64;
pub type WithdrawalIndex = u64;
pub type ParticipationFlags = u8;
pub type Version = [u8; 4];
pub type DomainType = [u8; 4];
pub type Domain = Root;
/// `Bytes32` and `Hash32` are the same 32 bytes as a `Root`.
pub type Bytes32 = Root;
pub type ExecutionAddress = Address;

// ---------------------------------------------------------------- phase0

/// phase0 § Fork
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct Fork {
    #[serde(serialize_with = "serde_hex::version")]
    pub previous_version: Version,
    #[serde(serialize_with = "serde_hex::version")]
    pub current_version: Version,
    pub epoch: Epoch,
}

/// phase0 § ForkData
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct ForkData {
    #[serde(serialize_with = "serde_hex::version")]
    pub current_version: Version,
    pub genesis_validators_root: Root,
}

/// phase0 § Checkpoint
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct Checkpoint {
    pub epoch: Epoch,
    pub root: Root,
}

/// phase0 § Validator
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct Validator {
    pub pubkey: BlsPubkey,
    pub withdrawal_credentials: Bytes32,
    pub effective_balance: Gwei,
    pub slashed: bool,
    pub activation_eligibility_epoch: Epoch,
    pub activation_epoch: Epoch,
    pub exit_epoch: Epoch,
    pub withdrawable_epoch: Epoch,
}

/// phase0 § AttestationData
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct AttestationData {
    pub slot: Slot,
    pub index: CommitteeIndex,
    pub beacon_block_root: Root,
    pub source: Checkpoint,
    pub target: Checkpoint,
}

/// phase0 § Eth1Data
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct Eth1Data {
    pub deposit_root: Root,
    pub deposit_count: u64,
    pub block_hash: Bytes32,
}

/// capella § HistoricalSummary (what Electra states keep instead of phase0's `HistoricalBatch`)
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct HistoricalSummary {
    pub block_summary_root: Root,
    pub state_summary_root: Root,
}

/// phase0 § DepositMessage
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct DepositMessage {
    pub pubkey: BlsPubkey,
    pub withdrawal_credentials: Bytes32,
    pub amount: Gwei,
}

/// phase0 § BeaconBlockHeader
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct BeaconBlockHeader {
    pub slot: Slot,
    pub proposer_index: ValidatorIndex,
    pub parent_root: Root,
    pub state_root: Root,
    pub body_root: Root,
}

/// phase0 § SigningData
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct SigningData {
    pub object_root: Root,
    pub domain: Domain,
}

/// phase0 § SignedBeaconBlockHeader
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct SignedBeaconBlockHeader {
    pub message: BeaconBlockHeader,
    pub signature: BlsSignature,
}

/// phase0 § ProposerSlashing
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct ProposerSlashing {
    pub signed_header_1: SignedBeaconBlockHeader,
    pub signed_header_2: SignedBeaconBlockHeader,
}

/// phase0 § VoluntaryExit
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct VoluntaryExit {
    pub epoch: Epoch,
    pub validator_index: ValidatorIndex,
}

/// phase0 § SignedVoluntaryExit
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct SignedVoluntaryExit {
    pub message: VoluntaryExit,
    pub signature: BlsSignature,
}

// ---------------------------------------------------------------- electra (modified)

/// electra § IndexedAttestation `[Modified in Electra:EIP7549]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct IndexedAttestation<P: Preset> {
    pub attesting_indices: VariableList<ValidatorIndex, P::MaxValidatorsPerSlot>,
    pub data: AttestationData,
    pub signature: BlsSignature,
}

/// electra § AttesterSlashing `[Modified in Electra:EIP7549]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct AttesterSlashing<P: Preset> {
    pub attestation_1: IndexedAttestation<P>,
    pub attestation_2: IndexedAttestation<P>,
}

/// electra § Attestation `[Modified in Electra:EIP7549]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct Attestation<P: Preset> {
    pub aggregation_bits: BitList<P::MaxValidatorsPerSlot>,
    pub data: AttestationData,
    pub signature: BlsSignature,
    pub committee_bits: BitVector<P::MaxCommitteesPerSlot>,
}

// ---------------------------------------------------------------- altair / capella / deneb

/// altair § SyncCommittee
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct SyncCommittee<P: Preset> {
    pub pubkeys: FixedVector<BlsPubkey, P::SyncCommitteeSize>,
    pub aggregate_pubkey: BlsPubkey,
}

impl<P: Preset> Default for SyncCommittee<P> {
    fn default() -> Self {
        Self {
            pubkeys: FixedVector::default(),
            aggregate_pubkey: BlsPubkey::default(),
        }
    }
}

/// capella § Withdrawal
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct Withdrawal {
    pub index: WithdrawalIndex,
    pub validator_index: ValidatorIndex,
    pub address: ExecutionAddress,
    pub amount: Gwei,
}

/// `Transaction`: `ByteList[MAX_BYTES_PER_TRANSACTION]`
pub type Transaction<P> = VariableList<u8, <P as Preset>::MaxBytesPerTransaction>;

/// deneb § ExecutionPayload (unchanged in Electra)
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct ExecutionPayload<P: Preset> {
    pub parent_hash: Bytes32,
    pub fee_recipient: ExecutionAddress,
    pub state_root: Bytes32,
    pub receipts_root: Bytes32,
    #[serde(with = "ssz_types::serde_utils::hex_fixed_vec")]
    pub logs_bloom: FixedVector<u8, P::BytesPerLogsBloom>,
    pub prev_randao: Bytes32,
    pub block_number: u64,
    pub gas_limit: u64,
    pub gas_used: u64,
    pub timestamp: u64,
    #[serde(with = "ssz_types::serde_utils::hex_var_list")]
    pub extra_data: VariableList<u8, P::MaxExtraDataBytes>,
    #[serde(serialize_with = "serde_hex::u256_decimal")]
    pub base_fee_per_gas: U256,
    pub block_hash: Bytes32,
    #[serde(with = "ssz_types::serde_utils::list_of_hex_var_list")]
    pub transactions: VariableList<Transaction<P>, P::MaxTransactionsPerPayload>,
    pub withdrawals: VariableList<Withdrawal, P::MaxWithdrawalsPerPayload>,
    pub blob_gas_used: u64,
    pub excess_blob_gas: u64,
}

/// deneb § ExecutionPayloadHeader (unchanged in Electra)
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct ExecutionPayloadHeader<P: Preset> {
    pub parent_hash: Bytes32,
    pub fee_recipient: ExecutionAddress,
    pub state_root: Bytes32,
    pub receipts_root: Bytes32,
    #[serde(with = "ssz_types::serde_utils::hex_fixed_vec")]
    pub logs_bloom: FixedVector<u8, P::BytesPerLogsBloom>,
    pub prev_randao: Bytes32,
    pub block_number: u64,
    pub gas_limit: u64,
    pub gas_used: u64,
    pub timestamp: u64,
    #[serde(with = "ssz_types::serde_utils::hex_var_list")]
    pub extra_data: VariableList<u8, P::MaxExtraDataBytes>,
    #[serde(serialize_with = "serde_hex::u256_decimal")]
    pub base_fee_per_gas: U256,
    pub block_hash: Bytes32,
    pub transactions_root: Root,
    pub withdrawals_root: Root,
    pub blob_gas_used: u64,
    pub excess_blob_gas: u64,
}

impl<P: Preset> Default for ExecutionPayloadHeader<P> {
    fn default() -> Self {
        Self {
            parent_hash: Root::ZERO,
            fee_recipient: Address::ZERO,
            state_root: Root::ZERO,
            receipts_root: Root::ZERO,
            logs_bloom: FixedVector::default(),
            prev_randao: Root::ZERO,
            block_number: 0,
            gas_limit: 0,
            gas_used: 0,
            timestamp: 0,
            extra_data: VariableList::default(),
            base_fee_per_gas: U256::ZERO,
            block_hash: Root::ZERO,
            transactions_root: Root::ZERO,
            withdrawals_root: Root::ZERO,
            blob_gas_used: 0,
            excess_blob_gas: 0,
        }
    }
}

// ---------------------------------------------------------------- electra (new)

/// electra § PendingDeposit
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct PendingDeposit {
    pub pubkey: BlsPubkey,
    pub withdrawal_credentials: Bytes32,
    pub amount: Gwei,
    pub signature: BlsSignature,
    pub slot: Slot,
}

/// electra § PendingPartialWithdrawal
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct PendingPartialWithdrawal {
    pub validator_index: ValidatorIndex,
    pub amount: Gwei,
    pub withdrawable_epoch: Epoch,
}

/// electra § PendingConsolidation
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct PendingConsolidation {
    pub source_index: ValidatorIndex,
    pub target_index: ValidatorIndex,
}

/// electra § DepositRequest
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct DepositRequest {
    pub pubkey: BlsPubkey,
    pub withdrawal_credentials: Bytes32,
    pub amount: Gwei,
    pub signature: BlsSignature,
    pub index: u64,
}

/// electra § WithdrawalRequest
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct WithdrawalRequest {
    pub source_address: ExecutionAddress,
    pub validator_pubkey: BlsPubkey,
    pub amount: Gwei,
}

/// electra § ConsolidationRequest
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct ConsolidationRequest {
    pub source_address: ExecutionAddress,
    pub source_pubkey: BlsPubkey,
    pub target_pubkey: BlsPubkey,
}
