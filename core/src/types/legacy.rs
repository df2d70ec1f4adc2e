//! Containers that earlier forks define and Electra still lists (the ssz_static vectors cover
//! them) but that no Electra state or block holds.

use super::*;

/// phase0 § PendingAttestation (replaced by participation flags in altair)
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct PendingAttestation<P: Preset> {
    pub aggregation_bits: BitList<P::MaxValidatorsPerCommittee>,
    pub data: AttestationData,
    pub inclusion_delay: Slot,
    pub proposer_index: ValidatorIndex,
}

/// phase0 § HistoricalBatch (capella's `HistoricalSummary` holds its two roots instead)
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct HistoricalBatch<P: Preset> {
    pub block_roots: FixedVector<Root, P::SlotsPerHistoricalRoot>,
    pub state_roots: FixedVector<Root, P::SlotsPerHistoricalRoot>,
}

/// bellatrix fork-choice § PowBlock
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct PowBlock {
    pub block_hash: Bytes32,
    pub parent_hash: Bytes32,
    #[serde(serialize_with = "serde_hex::u256_decimal")]
    pub total_difficulty: U256,
}
