//! Containers that validators sign and gossip but blocks and states do not hold
//! (`validator.md` and `p2p-interface.md` of phase0, altair and electra).

use super::*;

/// electra validator.md § AggregateAndProof `[Modified in Electra:EIP7549]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct AggregateAndProof<P: Preset> {
    pub aggregator_index: ValidatorIndex,
    pub aggregate: Attestation<P>,
    pub selection_proof: BlsSignature,
}

/// electra validator.md § SignedAggregateAndProof `[Modified in Electra:EIP7549]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct SignedAggregateAndProof<P: Preset> {
    pub message: AggregateAndProof<P>,
    pub signature: BlsSignature,
}

/// electra beacon-chain § SingleAttestation `[New in Electra:EIP7549]`
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct SingleAttestation {
    pub committee_index: CommitteeIndex,
    pub attester_index: ValidatorIndex,
    pub data: AttestationData,
    pub signature: BlsSignature,
}

/// phase0 validator.md § Eth1Block
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct Eth1Block {
    pub timestamp: u64,
    pub deposit_root: Root,
    pub deposit_count: u64,
}

/// altair validator.md § SyncCommitteeMessage
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct SyncCommitteeMessage {
    /// Slot to which this contribution pertains
    pub slot: Slot,
    /// Block root for this signature
    pub beacon_block_root: Root,
    /// Index of the validator that produced this signature
    pub validator_index: ValidatorIndex,
    /// Signature by the validator over the block root of `slot`
    pub signature: BlsSignature,
}

/// altair validator.md § SyncCommitteeContribution
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct SyncCommitteeContribution<P: Preset> {
    /// Slot to which this contribution pertains
    pub slot: Slot,
    /// Block root for this contribution
    pub beacon_block_root: Root,
    /// The subcommittee this contribution pertains to out of the broader sync committee
    pub subcommittee_index: u64,
    /// A bit is set if a signature from the validator at the corresponding index in the
    /// subcommittee is present in the aggregate `signature`.
    pub aggregation_bits: BitVector<P::SyncSubcommitteeSize>,
    /// Signature by the validator(s) over the block root of `slot`
    pub signature: BlsSignature,
}

/// altair validator.md § ContributionAndProof
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct ContributionAndProof<P: Preset> {
    pub aggregator_index: ValidatorIndex,
    pub contribution: SyncCommitteeContribution<P>,
    pub selection_proof: BlsSignature,
}

/// altair validator.md § SignedContributionAndProof
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct SignedContributionAndProof<P: Preset> {
    pub message: ContributionAndProof<P>,
    pub signature: BlsSignature,
}

/// altair validator.md § SyncAggregatorSelectionData
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct SyncAggregatorSelectionData {
    pub slot: Slot,
    pub subcommittee_index: u64,
}
