//! The beacon block and what its body carries that the state does not: deposits, the sync
//! aggregate, BLS-to-execution changes, execution-layer requests.

use super::*;
use crate::preset::consts::DEPOSIT_CONTRACT_TREE_DEPTH;
use typenum::{Unsigned, U33};

/// `DEPOSIT_CONTRACT_TREE_DEPTH + 1`: the deposit proof also carries the deposit count (mix-in).
type DepositProofLength = U33;
const _: () = assert!(DepositProofLength::U64 == DEPOSIT_CONTRACT_TREE_DEPTH + 1);

/// phase0 § DepositData
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct DepositData {
    pub pubkey: BlsPubkey,
    pub withdrawal_credentials: Bytes32,
    pub amount: Gwei,
    /// Signing over `DepositMessage`
    pub signature: BlsSignature,
}

/// phase0 § Deposit
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct Deposit {
    /// Merkle path to the deposit root
    pub proof: FixedVector<Bytes32, DepositProofLength>,
    pub data: DepositData,
}

/// altair § SyncAggregate
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct SyncAggregate<P: Preset> {
    pub sync_committee_bits: BitVector<P::SyncCommitteeSize>,
    pub sync_committee_signature: BlsSignature,
}

/// capella § BLSToExecutionChange
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct BLSToExecutionChange {
    pub validator_index: ValidatorIndex,
    pub from_bls_pubkey: BlsPubkey,
    pub to_execution_address: ExecutionAddress,
}

/// capella § SignedBLSToExecutionChange
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct SignedBLSToExecutionChange {
    pub message: BLSToExecutionChange,
    pub signature: BlsSignature,
}

/// electra § ExecutionRequests `[New in Electra]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct ExecutionRequests<P: Preset> {
    /// `[New in Electra:EIP6110]`
    pub deposits: VariableList<DepositRequest, P::MaxDepositRequestsPerPayload>,
    /// `[New in Electra:EIP7002:EIP7251]`
    pub withdrawals: VariableList<WithdrawalRequest, P::MaxWithdrawalRequestsPerPayload>,
    /// `[New in Electra:EIP7251]`
    pub consolidations: VariableList<ConsolidationRequest, P::MaxConsolidationRequestsPerPayload>,
}

/// electra § BeaconBlockBody `[Modified in Electra:EIP6110/EIP7002/EIP7251/EIP7549]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct BeaconBlockBody<P: Preset> {
    pub randao_reveal: BlsSignature,
    /// Eth1 data vote
    pub eth1_data: Eth1Data,
    /// Arbitrary data
    pub graffiti: Bytes32,
    // Operations
    pub proposer_slashings: VariableList<ProposerSlashing, P::MaxProposerSlashings>,
    /// `[Modified in Electra:EIP7549]`
    pub attester_slashings: VariableList<AttesterSlashing<P>, P::MaxAttesterSlashingsElectra>,
    /// `[Modified in Electra:EIP7549]`
    pub attestations: VariableList<Attestation<P>, P::MaxAttestationsElectra>,
    pub deposits: VariableList<Deposit, P::MaxDeposits>,
    pub voluntary_exits: VariableList<SignedVoluntaryExit, P::MaxVoluntaryExits>,
    pub sync_aggregate: SyncAggregate<P>,
    // Execution
    pub execution_payload: ExecutionPayload<P>,
    // Capella operations
    pub bls_to_execution_changes:
        VariableList<SignedBLSToExecutionChange, P::MaxBlsToExecutionChanges>,
    pub blob_kzg_commitments: VariableList<KzgCommitment, P::MaxBlobCommitmentsPerBlock>,
    /// `[New in Electra]`
    pub execution_requests: ExecutionRequests<P>,
}

/// phase0 § BeaconBlock (its body is Electra's)
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct BeaconBlock<P: Preset> {
    pub slot: Slot,
    pub proposer_index: ValidatorIndex,
    pub parent_root: Root,
    pub state_root: Root,
    pub body: BeaconBlockBody<P>,
}

/// phase0 § SignedBeaconBlock
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct SignedBeaconBlock<P: Preset> {
    pub message: BeaconBlock<P>,
    pub signature: BlsSignature,
}
