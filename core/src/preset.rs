//! Presets (`presets/{mainnet,minimal}/*.yaml`) and the chain configuration (`configs/*.yaml`)
//! that goes with each.
//!
//! One `P: Preset` type parameter carries every compile-time list length (as `typenum` types, which
//! `ssz_types` needs) and every constant. maxeb always pairs the mainnet preset with the mainnet
//! config and the minimal preset with the minimal config, as the consensus-spec-tests do, so the few
//! config values the transition reads live here too, in their own section. A test
//! (`spec_tests::constants`) checks every value against the vectors' own YAML files.

use std::fmt::Debug;
use typenum::Unsigned;

/// A typenum length usable in `ssz_types` lists and vectors.
pub trait Len:
    Unsigned + Clone + Copy + Debug + PartialEq + Eq + Send + Sync + Default + 'static
{
}
impl<T: Unsigned + Clone + Copy + Debug + PartialEq + Eq + Send + Sync + Default + 'static> Len
    for T
{
}

/// A consensus preset plus its paired chain config.
pub trait Preset: 'static + Clone + Copy + Debug + PartialEq + Eq + Send + Sync + Default {
    /// `PRESET_BASE` / `CONFIG_NAME`.
    const NAME: &'static str;

    // ---- SSZ lengths (typenum) ----
    type SlotsPerHistoricalRoot: Len;
    type EpochsPerHistoricalVector: Len;
    type EpochsPerSlashingsVector: Len;
    type HistoricalRootsLimit: Len;
    type ValidatorRegistryLimit: Len;
    /// `EPOCHS_PER_ETH1_VOTING_PERIOD * SLOTS_PER_EPOCH`
    type SlotsPerEth1VotingPeriod: Len;
    type SyncCommitteeSize: Len;
    type MaxValidatorsPerCommittee: Len;
    type MaxCommitteesPerSlot: Len;
    /// `MAX_VALIDATORS_PER_COMMITTEE * MAX_COMMITTEES_PER_SLOT`
    type MaxValidatorsPerSlot: Len;
    type PendingDepositsLimit: Len;
    type PendingPartialWithdrawalsLimit: Len;
    type PendingConsolidationsLimit: Len;
    type MaxBytesPerTransaction: Len;
    type MaxTransactionsPerPayload: Len;
    type BytesPerLogsBloom: Len;
    type MaxExtraDataBytes: Len;
    type MaxWithdrawalsPerPayload: Len;
    // Block body list limits (phase0, capella, deneb, electra presets).
    type MaxProposerSlashings: Len;
    type MaxAttesterSlashingsElectra: Len;
    type MaxAttestationsElectra: Len;
    type MaxDeposits: Len;
    type MaxVoluntaryExits: Len;
    type MaxBlsToExecutionChanges: Len;
    type MaxBlobCommitmentsPerBlock: Len;
    // Execution-layer request list limits (electra preset).
    type MaxDepositRequestsPerPayload: Len;
    type MaxWithdrawalRequestsPerPayload: Len;
    type MaxConsolidationRequestsPerPayload: Len;
    /// `SYNC_COMMITTEE_SIZE // SYNC_COMMITTEE_SUBNET_COUNT` (altair validator.md)
    type SyncSubcommitteeSize: Len;
    /// `FIELD_ELEMENTS_PER_BLOB * BYTES_PER_FIELD_ELEMENT` (deneb `Blob`)
    type BytesPerBlob: Len;
    /// deneb preset `KZG_COMMITMENT_INCLUSION_PROOF_DEPTH`
    type KzgCommitmentInclusionProofDepth: Len;

    // ---- phase0 preset ----
    const MAX_COMMITTEES_PER_SLOT: u64;
    const TARGET_COMMITTEE_SIZE: u64;
    const MAX_VALIDATORS_PER_COMMITTEE: u64;
    const SHUFFLE_ROUND_COUNT: u8;
    const HYSTERESIS_QUOTIENT: u64 = 4;
    const HYSTERESIS_DOWNWARD_MULTIPLIER: u64 = 1;
    const HYSTERESIS_UPWARD_MULTIPLIER: u64 = 5;
    const MIN_DEPOSIT_AMOUNT: u64 = 1_000_000_000;
    const MAX_EFFECTIVE_BALANCE: u64 = 32_000_000_000;
    const EFFECTIVE_BALANCE_INCREMENT: u64 = 1_000_000_000;
    const MIN_ATTESTATION_INCLUSION_DELAY: u64 = 1;
    const SLOTS_PER_EPOCH: u64;
    const MIN_SEED_LOOKAHEAD: u64 = 1;
    const MAX_SEED_LOOKAHEAD: u64 = 4;
    const EPOCHS_PER_ETH1_VOTING_PERIOD: u64;
    const SLOTS_PER_HISTORICAL_ROOT: u64;
    const MIN_EPOCHS_TO_INACTIVITY_PENALTY: u64 = 4;
    const EPOCHS_PER_HISTORICAL_VECTOR: u64;
    const EPOCHS_PER_SLASHINGS_VECTOR: u64;
    const HISTORICAL_ROOTS_LIMIT: u64 = 16_777_216;
    const VALIDATOR_REGISTRY_LIMIT: u64 = 1_099_511_627_776;
    const BASE_REWARD_FACTOR: u64 = 64;
    const WHISTLEBLOWER_REWARD_QUOTIENT: u64 = 512;
    const PROPOSER_REWARD_QUOTIENT: u64 = 8;

    // ---- altair preset ----
    const INACTIVITY_PENALTY_QUOTIENT_ALTAIR: u64 = 50_331_648;
    const SYNC_COMMITTEE_SIZE: u64;
    const EPOCHS_PER_SYNC_COMMITTEE_PERIOD: u64;

    // ---- bellatrix preset ----
    const INACTIVITY_PENALTY_QUOTIENT_BELLATRIX: u64 = 16_777_216;
    const PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX: u64 = 3;

    // ---- capella preset ----
    const MAX_WITHDRAWALS_PER_PAYLOAD: u64;
    const MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP: u64;

    // ---- deneb preset ----
    const FIELD_ELEMENTS_PER_BLOB: u64 = 4096;

    // ---- electra preset ----
    const MIN_ACTIVATION_BALANCE: u64 = 32_000_000_000;
    const MAX_EFFECTIVE_BALANCE_ELECTRA: u64 = 2_048_000_000_000;
    const MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA: u64 = 4096;
    const WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA: u64 = 4096;
    const PENDING_DEPOSITS_LIMIT: u64 = 134_217_728;
    const PENDING_PARTIAL_WITHDRAWALS_LIMIT: u64;
    const PENDING_CONSOLIDATIONS_LIMIT: u64;
    const MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP: u64;
    const MAX_PENDING_DEPOSITS_PER_EPOCH: u64 = 16;

    // ---- config (configs/<NAME>.yaml): the values the transition reads ----
    const GENESIS_FORK_VERSION: [u8; 4];
    /// Pinned by deneb § process_voluntary_exit (EIP-7044) for the exit signature domain.
    const CAPELLA_FORK_VERSION: [u8; 4];
    const ELECTRA_FORK_VERSION: [u8; 4];
    const MIN_VALIDATOR_WITHDRAWABILITY_DELAY: u64 = 256;
    const SHARD_COMMITTEE_PERIOD: u64;
    const INACTIVITY_SCORE_BIAS: u64 = 4;
    const INACTIVITY_SCORE_RECOVERY_RATE: u64 = 16;
    const EJECTION_BALANCE: u64 = 16_000_000_000;
    const MIN_PER_EPOCH_CHURN_LIMIT: u64;
    const CHURN_LIMIT_QUOTIENT: u64;
    const MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA: u64;
    const MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT: u64;
}

/// The mainnet preset with the mainnet config.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Mainnet;

/// The minimal preset with the minimal config (what most spec tests use).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Minimal;

use typenum::{
    U1, U1048576, U1073741824, U1099511627776, U128, U131072, U134217728, U16, U16777216, U17, U2,
    U2048, U256, U262144, U32, U4, U4096, U512, U64, U65536, U8, U8192,
};

impl Preset for Mainnet {
    const NAME: &'static str = "mainnet";
    type SlotsPerHistoricalRoot = U8192;
    type EpochsPerHistoricalVector = U65536;
    type EpochsPerSlashingsVector = U8192;
    type HistoricalRootsLimit = U16777216;
    type ValidatorRegistryLimit = U1099511627776;
    type SlotsPerEth1VotingPeriod = U2048;
    type SyncCommitteeSize = U512;
    type MaxValidatorsPerCommittee = U2048;
    type MaxCommitteesPerSlot = U64;
    type MaxValidatorsPerSlot = U131072;
    type PendingDepositsLimit = U134217728;
    type PendingPartialWithdrawalsLimit = U134217728;
    type PendingConsolidationsLimit = U262144;
    type MaxBytesPerTransaction = U1073741824;
    type MaxTransactionsPerPayload = U1048576;
    type BytesPerLogsBloom = U256;
    type MaxExtraDataBytes = U32;
    type MaxWithdrawalsPerPayload = U16;
    type MaxProposerSlashings = U16;
    type MaxAttesterSlashingsElectra = U1;
    type MaxAttestationsElectra = U8;
    type MaxDeposits = U16;
    type MaxVoluntaryExits = U16;
    type MaxBlsToExecutionChanges = U16;
    type MaxBlobCommitmentsPerBlock = U4096;
    type MaxDepositRequestsPerPayload = U8192;
    type MaxWithdrawalRequestsPerPayload = U16;
    type MaxConsolidationRequestsPerPayload = U2;
    type SyncSubcommitteeSize = U128;
    type BytesPerBlob = U131072;
    type KzgCommitmentInclusionProofDepth = U17;

    const MAX_COMMITTEES_PER_SLOT: u64 = 64;
    const TARGET_COMMITTEE_SIZE: u64 = 128;
    const MAX_VALIDATORS_PER_COMMITTEE: u64 = 2048;
    const SHUFFLE_ROUND_COUNT: u8 = 90;
    const SLOTS_PER_EPOCH: u64 = 32;
    const EPOCHS_PER_ETH1_VOTING_PERIOD: u64 = 64;
    const SLOTS_PER_HISTORICAL_ROOT: u64 = 8192;
    const EPOCHS_PER_HISTORICAL_VECTOR: u64 = 65536;
    const EPOCHS_PER_SLASHINGS_VECTOR: u64 = 8192;
    const SYNC_COMMITTEE_SIZE: u64 = 512;
    const EPOCHS_PER_SYNC_COMMITTEE_PERIOD: u64 = 256;
    const MAX_WITHDRAWALS_PER_PAYLOAD: u64 = 16;
    const MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP: u64 = 16384;
    const PENDING_PARTIAL_WITHDRAWALS_LIMIT: u64 = 134_217_728;
    const PENDING_CONSOLIDATIONS_LIMIT: u64 = 262_144;
    const MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP: u64 = 8;

    const GENESIS_FORK_VERSION: [u8; 4] = [0, 0, 0, 0];
    const CAPELLA_FORK_VERSION: [u8; 4] = [3, 0, 0, 0];
    const ELECTRA_FORK_VERSION: [u8; 4] = [5, 0, 0, 0];
    const SHARD_COMMITTEE_PERIOD: u64 = 256;
    const MIN_PER_EPOCH_CHURN_LIMIT: u64 = 4;
    const CHURN_LIMIT_QUOTIENT: u64 = 65536;
    const MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA: u64 = 128_000_000_000;
    const MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT: u64 = 256_000_000_000;
}

impl Preset for Minimal {
    const NAME: &'static str = "minimal";
    type SlotsPerHistoricalRoot = U64;
    type EpochsPerHistoricalVector = U64;
    type EpochsPerSlashingsVector = U64;
    type HistoricalRootsLimit = U16777216;
    type ValidatorRegistryLimit = U1099511627776;
    type SlotsPerEth1VotingPeriod = U32;
    type SyncCommitteeSize = U32;
    type MaxValidatorsPerCommittee = U2048;
    type MaxCommitteesPerSlot = U4;
    type MaxValidatorsPerSlot = typenum::U8192;
    type PendingDepositsLimit = U134217728;
    type PendingPartialWithdrawalsLimit = U64;
    type PendingConsolidationsLimit = U64;
    type MaxBytesPerTransaction = U1073741824;
    type MaxTransactionsPerPayload = U1048576;
    type BytesPerLogsBloom = U256;
    type MaxExtraDataBytes = U32;
    type MaxWithdrawalsPerPayload = U4;
    type MaxProposerSlashings = U16;
    type MaxAttesterSlashingsElectra = U1;
    type MaxAttestationsElectra = U8;
    type MaxDeposits = U16;
    type MaxVoluntaryExits = U16;
    type MaxBlsToExecutionChanges = U16;
    type MaxBlobCommitmentsPerBlock = U4096;
    type MaxDepositRequestsPerPayload = U8192;
    type MaxWithdrawalRequestsPerPayload = U16;
    type MaxConsolidationRequestsPerPayload = U2;
    type SyncSubcommitteeSize = U8;
    type BytesPerBlob = U131072;
    type KzgCommitmentInclusionProofDepth = U17;

    const MAX_COMMITTEES_PER_SLOT: u64 = 4;
    const TARGET_COMMITTEE_SIZE: u64 = 4;
    const MAX_VALIDATORS_PER_COMMITTEE: u64 = 2048;
    const SHUFFLE_ROUND_COUNT: u8 = 10;
    const SLOTS_PER_EPOCH: u64 = 8;
    const EPOCHS_PER_ETH1_VOTING_PERIOD: u64 = 4;
    const SLOTS_PER_HISTORICAL_ROOT: u64 = 64;
    const EPOCHS_PER_HISTORICAL_VECTOR: u64 = 64;
    const EPOCHS_PER_SLASHINGS_VECTOR: u64 = 64;
    const SYNC_COMMITTEE_SIZE: u64 = 32;
    const EPOCHS_PER_SYNC_COMMITTEE_PERIOD: u64 = 8;
    const MAX_WITHDRAWALS_PER_PAYLOAD: u64 = 4;
    const MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP: u64 = 16;
    const PENDING_PARTIAL_WITHDRAWALS_LIMIT: u64 = 64;
    const PENDING_CONSOLIDATIONS_LIMIT: u64 = 64;
    const MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP: u64 = 2;

    const GENESIS_FORK_VERSION: [u8; 4] = [0, 0, 0, 1];
    const CAPELLA_FORK_VERSION: [u8; 4] = [3, 0, 0, 1];
    const ELECTRA_FORK_VERSION: [u8; 4] = [5, 0, 0, 1];
    const SHARD_COMMITTEE_PERIOD: u64 = 64;
    const MIN_PER_EPOCH_CHURN_LIMIT: u64 = 2;
    const CHURN_LIMIT_QUOTIENT: u64 = 32;
    const MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA: u64 = 64_000_000_000;
    const MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT: u64 = 128_000_000_000;
}

/// Phase0 constants that are the same in every preset.
pub mod consts {
    pub const FAR_FUTURE_EPOCH: u64 = u64::MAX;
    pub const GENESIS_SLOT: u64 = 0;
    pub const GENESIS_EPOCH: u64 = 0;
    pub const BASE_REWARDS_PER_EPOCH: u64 = 4;
    pub const DEPOSIT_CONTRACT_TREE_DEPTH: u64 = 32;
    /// altair validator.md § Constants
    pub const SYNC_COMMITTEE_SUBNET_COUNT: u64 = 4;
    /// deneb polynomial-commitments.md § Constants
    pub const BYTES_PER_FIELD_ELEMENT: u64 = 32;
    /// electra light-client/sync-protocol.md § Constants: `get_generalized_index(BeaconState,
    /// 'finalized_checkpoint', 'root')`
    pub const FINALIZED_ROOT_GINDEX_ELECTRA: u64 = 169;
    /// electra light-client/sync-protocol.md § Constants
    pub const CURRENT_SYNC_COMMITTEE_GINDEX_ELECTRA: u64 = 86;
    /// electra light-client/sync-protocol.md § Constants
    pub const NEXT_SYNC_COMMITTEE_GINDEX_ELECTRA: u64 = 87;
    /// capella light-client/sync-protocol.md § Constants: `get_generalized_index(BeaconBlockBody,
    /// 'execution_payload')`
    pub const EXECUTION_PAYLOAD_GINDEX: u64 = 25;
    pub const JUSTIFICATION_BITS_LENGTH: usize = 4;
    pub const BLS_WITHDRAWAL_PREFIX: u8 = 0x00;
    pub const ETH1_ADDRESS_WITHDRAWAL_PREFIX: u8 = 0x01;
    pub const COMPOUNDING_WITHDRAWAL_PREFIX: u8 = 0x02;
    pub const UNSET_DEPOSIT_REQUESTS_START_INDEX: u64 = u64::MAX;
    pub const FULL_EXIT_REQUEST_AMOUNT: u64 = 0;

    pub const DOMAIN_BEACON_PROPOSER: [u8; 4] = [0, 0, 0, 0];
    pub const DOMAIN_BEACON_ATTESTER: [u8; 4] = [1, 0, 0, 0];
    pub const DOMAIN_RANDAO: [u8; 4] = [2, 0, 0, 0];
    pub const DOMAIN_DEPOSIT: [u8; 4] = [3, 0, 0, 0];
    pub const DOMAIN_VOLUNTARY_EXIT: [u8; 4] = [4, 0, 0, 0];
    pub const DOMAIN_SELECTION_PROOF: [u8; 4] = [5, 0, 0, 0];
    pub const DOMAIN_AGGREGATE_AND_PROOF: [u8; 4] = [6, 0, 0, 0];
    pub const DOMAIN_SYNC_COMMITTEE: [u8; 4] = [7, 0, 0, 0];

    // Altair participation flags and weights.
    pub const TIMELY_SOURCE_FLAG_INDEX: usize = 0;
    pub const TIMELY_TARGET_FLAG_INDEX: usize = 1;
    pub const TIMELY_HEAD_FLAG_INDEX: usize = 2;
    pub const TIMELY_SOURCE_WEIGHT: u64 = 14;
    pub const TIMELY_TARGET_WEIGHT: u64 = 26;
    pub const TIMELY_HEAD_WEIGHT: u64 = 14;
    pub const SYNC_REWARD_WEIGHT: u64 = 2;
    pub const PROPOSER_WEIGHT: u64 = 8;
    pub const WEIGHT_DENOMINATOR: u64 = 64;
    pub const PARTICIPATION_FLAG_WEIGHTS: [u64; 3] = [
        TIMELY_SOURCE_WEIGHT,
        TIMELY_TARGET_WEIGHT,
        TIMELY_HEAD_WEIGHT,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    fn divisors_nonzero<P: Preset>() {
        for (name, v) in [
            ("SLOTS_PER_EPOCH", P::SLOTS_PER_EPOCH),
            ("SLOTS_PER_HISTORICAL_ROOT", P::SLOTS_PER_HISTORICAL_ROOT),
            (
                "EPOCHS_PER_HISTORICAL_VECTOR",
                P::EPOCHS_PER_HISTORICAL_VECTOR,
            ),
            (
                "EPOCHS_PER_SLASHINGS_VECTOR",
                P::EPOCHS_PER_SLASHINGS_VECTOR,
            ),
            (
                "EPOCHS_PER_ETH1_VOTING_PERIOD",
                P::EPOCHS_PER_ETH1_VOTING_PERIOD,
            ),
            (
                "EPOCHS_PER_SYNC_COMMITTEE_PERIOD",
                P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD,
            ),
            ("TARGET_COMMITTEE_SIZE", P::TARGET_COMMITTEE_SIZE),
            (
                "EFFECTIVE_BALANCE_INCREMENT",
                P::EFFECTIVE_BALANCE_INCREMENT,
            ),
            ("HYSTERESIS_QUOTIENT", P::HYSTERESIS_QUOTIENT),
            (
                "MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA",
                P::MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA,
            ),
            (
                "WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA",
                P::WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA,
            ),
            ("PROPOSER_REWARD_QUOTIENT", P::PROPOSER_REWARD_QUOTIENT),
            (
                "INACTIVITY_PENALTY_QUOTIENT_BELLATRIX",
                P::INACTIVITY_PENALTY_QUOTIENT_BELLATRIX,
            ),
            ("CHURN_LIMIT_QUOTIENT", P::CHURN_LIMIT_QUOTIENT),
            (
                "MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA",
                P::MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA,
            ),
        ] {
            assert_ne!(v, 0, "{} {name} is a divisor and must be non-zero", P::NAME);
        }
    }

    /// `helpers::math::div_preset` / `rem_preset` rely on this.
    #[test]
    fn divisors_are_nonzero() {
        divisors_nonzero::<Mainnet>();
        divisors_nonzero::<Minimal>();
    }
}
