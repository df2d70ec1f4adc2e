//! electra § BeaconState

use super::*;
use crate::preset::consts::JUSTIFICATION_BITS_LENGTH;
use typenum::U4;

const _: () = assert!(JUSTIFICATION_BITS_LENGTH == 4);

/// electra § BeaconState `[Modified in Electra:EIP6110/EIP7251]`
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct BeaconState<P: Preset> {
    // Versioning
    pub genesis_time: u64,
    pub genesis_validators_root: Root,
    pub slot: Slot,
    pub fork: Fork,
    // History
    pub latest_block_header: BeaconBlockHeader,
    pub block_roots: FixedVector<Root, P::SlotsPerHistoricalRoot>,
    pub state_roots: FixedVector<Root, P::SlotsPerHistoricalRoot>,
    pub historical_roots: VariableList<Root, P::HistoricalRootsLimit>,
    // Eth1
    pub eth1_data: Eth1Data,
    pub eth1_data_votes: VariableList<Eth1Data, P::SlotsPerEth1VotingPeriod>,
    pub eth1_deposit_index: u64,
    // Registry
    pub validators: VariableList<Validator, P::ValidatorRegistryLimit>,
    pub balances: VariableList<Gwei, P::ValidatorRegistryLimit>,
    // Randomness
    pub randao_mixes: FixedVector<Bytes32, P::EpochsPerHistoricalVector>,
    // Slashings
    pub slashings: FixedVector<Gwei, P::EpochsPerSlashingsVector>,
    // Participation
    pub previous_epoch_participation: VariableList<ParticipationFlags, P::ValidatorRegistryLimit>,
    pub current_epoch_participation: VariableList<ParticipationFlags, P::ValidatorRegistryLimit>,
    // Finality
    pub justification_bits: BitVector<U4>,
    pub previous_justified_checkpoint: Checkpoint,
    pub current_justified_checkpoint: Checkpoint,
    pub finalized_checkpoint: Checkpoint,
    // Inactivity
    pub inactivity_scores: VariableList<u64, P::ValidatorRegistryLimit>,
    // Sync
    pub current_sync_committee: SyncCommittee<P>,
    pub next_sync_committee: SyncCommittee<P>,
    // Execution
    pub latest_execution_payload_header: ExecutionPayloadHeader<P>,
    // Withdrawals
    pub next_withdrawal_index: WithdrawalIndex,
    pub next_withdrawal_validator_index: ValidatorIndex,
    // Deep history valid from Capella onwards
    pub historical_summaries: VariableList<HistoricalSummary, P::HistoricalRootsLimit>,
    // [New in Electra:EIP6110]
    pub deposit_requests_start_index: u64,
    // [New in Electra:EIP7251]
    pub deposit_balance_to_consume: Gwei,
    pub exit_balance_to_consume: Gwei,
    pub earliest_exit_epoch: Epoch,
    pub consolidation_balance_to_consume: Gwei,
    pub earliest_consolidation_epoch: Epoch,
    /// A `List[PendingDeposit, PENDING_DEPOSITS_LIMIT]` whose front drops without a move.
    pub pending_deposits: QueueList<PendingDeposit, P::PendingDepositsLimit>,
    pub pending_partial_withdrawals:
        VariableList<PendingPartialWithdrawal, P::PendingPartialWithdrawalsLimit>,
    pub pending_consolidations: VariableList<PendingConsolidation, P::PendingConsolidationsLimit>,
}
