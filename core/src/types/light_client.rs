//! electra light-client/sync-protocol.md § Containers (the branch depths changed in Electra:
//! `BeaconState` grew past 32 fields, so its gindices gained a level).

use super::*;
use crate::preset::consts::{
    CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA, EXECUTION_PAYLOAD_GINDEX, FINALIZED_ROOT_GINDEX_ELECTRA,
    NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA,
};
use typenum::{Unsigned, U4, U6, U7};

/// `floorlog2(FINALIZED_ROOT_GINDEX_ELECTRA)`
pub type FinalityBranchLength = U7;
/// `floorlog2(CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA)`
pub type CurrentSyncCommitteeBranchLength = U6;
/// `floorlog2(NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA)`
pub type NextSyncCommitteeBranchLength = U6;
/// `floorlog2(EXECUTION_PAYLOAD_GINDEX)`
pub type ExecutionBranchLength = U4;

const _: () = assert!(FINALIZED_ROOT_GINDEX_ELECTRA.ilog2() as u64 == FinalityBranchLength::U64);
const _: () = assert!(
    CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA.ilog2() as u64 == CurrentSyncCommitteeBranchLength::U64
);
const _: () = assert!(
    NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA.ilog2() as u64 == NextSyncCommitteeBranchLength::U64
);
const _: () = assert!(EXECUTION_PAYLOAD_GINDEX.ilog2() as u64 == ExecutionBranchLength::U64);

/// electra light-client § Custom types `FinalityBranch` `[Modified in Electra]`
pub type FinalityBranch = FixedVector<Bytes32, FinalityBranchLength>;
/// electra light-client § Custom types `CurrentSyncCommitteeBranch` `[Modified in Electra]`
pub type CurrentSyncCommitteeBranch = FixedVector<Bytes32, CurrentSyncCommitteeBranchLength>;
/// electra light-client § Custom types `NextSyncCommitteeBranch` `[Modified in Electra]`
pub type NextSyncCommitteeBranch = FixedVector<Bytes32, NextSyncCommitteeBranchLength>;
/// capella light-client § Custom types `ExecutionBranch`
pub type ExecutionBranch = FixedVector<Bytes32, ExecutionBranchLength>;

/// deneb light-client § LightClientHeader (unchanged in Electra)
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct LightClientHeader<P: Preset> {
    /// Beacon block header
    pub beacon: BeaconBlockHeader,
    /// Execution payload header corresponding to `beacon.body_root`
    pub execution: ExecutionPayloadHeader<P>,
    pub execution_branch: ExecutionBranch,
}

/// electra light-client § LightClientBootstrap `[Modified in Electra]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct LightClientBootstrap<P: Preset> {
    /// Header matching the requested beacon block root
    pub header: LightClientHeader<P>,
    /// Current sync committee corresponding to `header.beacon.state_root`
    pub current_sync_committee: SyncCommittee<P>,
    pub current_sync_committee_branch: CurrentSyncCommitteeBranch,
}

/// electra light-client § LightClientUpdate `[Modified in Electra]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct LightClientUpdate<P: Preset> {
    /// Header attested to by the sync committee
    pub attested_header: LightClientHeader<P>,
    /// Next sync committee corresponding to `attested_header.beacon.state_root`
    pub next_sync_committee: SyncCommittee<P>,
    pub next_sync_committee_branch: NextSyncCommitteeBranch,
    /// Finalized header corresponding to `attested_header.beacon.state_root`
    pub finalized_header: LightClientHeader<P>,
    pub finality_branch: FinalityBranch,
    /// Sync committee aggregate signature
    pub sync_aggregate: SyncAggregate<P>,
    /// Slot at which the aggregate signature was created (untrusted)
    pub signature_slot: Slot,
}

/// electra light-client § LightClientFinalityUpdate `[Modified in Electra]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct LightClientFinalityUpdate<P: Preset> {
    /// Header attested to by the sync committee
    pub attested_header: LightClientHeader<P>,
    /// Finalized header corresponding to `attested_header.beacon.state_root`
    pub finalized_header: LightClientHeader<P>,
    pub finality_branch: FinalityBranch,
    /// Sync committee aggregate signature
    pub sync_aggregate: SyncAggregate<P>,
    /// Slot at which the aggregate signature was created (untrusted)
    pub signature_slot: Slot,
}

/// altair light-client § LightClientOptimisticUpdate (Electra keeps its fields)
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct LightClientOptimisticUpdate<P: Preset> {
    /// Header attested to by the sync committee
    pub attested_header: LightClientHeader<P>,
    /// Sync committee aggregate signature
    pub sync_aggregate: SyncAggregate<P>,
    /// Slot at which the aggregate signature was created (untrusted)
    pub signature_slot: Slot,
}
