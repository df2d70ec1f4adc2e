//! Every constant in `maxeb_core::Preset` against the vectors' own `presets/<name>/*.yaml` and
//! `configs/<name>.yaml`, so a typo in a preset cannot hide behind vectors that do not exercise it.

use crate::harness::{Harness, Outcome};
use maxeb_core::preset::{consts, Preset};
use maxeb_core::{Mainnet, Minimal};
use std::collections::BTreeMap;

fn ours<P: Preset>() -> Vec<(&'static str, String)> {
    let hex4 = |v: [u8; 4]| format!("0x{}", hex::encode(v));
    let mut v: Vec<(&'static str, String)> = vec![
        (
            "MAX_COMMITTEES_PER_SLOT",
            P::MAX_COMMITTEES_PER_SLOT.to_string(),
        ),
        (
            "TARGET_COMMITTEE_SIZE",
            P::TARGET_COMMITTEE_SIZE.to_string(),
        ),
        (
            "MAX_VALIDATORS_PER_COMMITTEE",
            P::MAX_VALIDATORS_PER_COMMITTEE.to_string(),
        ),
        ("SHUFFLE_ROUND_COUNT", P::SHUFFLE_ROUND_COUNT.to_string()),
        ("HYSTERESIS_QUOTIENT", P::HYSTERESIS_QUOTIENT.to_string()),
        (
            "HYSTERESIS_DOWNWARD_MULTIPLIER",
            P::HYSTERESIS_DOWNWARD_MULTIPLIER.to_string(),
        ),
        (
            "HYSTERESIS_UPWARD_MULTIPLIER",
            P::HYSTERESIS_UPWARD_MULTIPLIER.to_string(),
        ),
        ("MIN_DEPOSIT_AMOUNT", P::MIN_DEPOSIT_AMOUNT.to_string()),
        (
            "MAX_EFFECTIVE_BALANCE",
            P::MAX_EFFECTIVE_BALANCE.to_string(),
        ),
        (
            "EFFECTIVE_BALANCE_INCREMENT",
            P::EFFECTIVE_BALANCE_INCREMENT.to_string(),
        ),
        (
            "MIN_ATTESTATION_INCLUSION_DELAY",
            P::MIN_ATTESTATION_INCLUSION_DELAY.to_string(),
        ),
        ("SLOTS_PER_EPOCH", P::SLOTS_PER_EPOCH.to_string()),
        ("MIN_SEED_LOOKAHEAD", P::MIN_SEED_LOOKAHEAD.to_string()),
        ("MAX_SEED_LOOKAHEAD", P::MAX_SEED_LOOKAHEAD.to_string()),
        (
            "EPOCHS_PER_ETH1_VOTING_PERIOD",
            P::EPOCHS_PER_ETH1_VOTING_PERIOD.to_string(),
        ),
        (
            "SLOTS_PER_HISTORICAL_ROOT",
            P::SLOTS_PER_HISTORICAL_ROOT.to_string(),
        ),
        (
            "MIN_EPOCHS_TO_INACTIVITY_PENALTY",
            P::MIN_EPOCHS_TO_INACTIVITY_PENALTY.to_string(),
        ),
        (
            "EPOCHS_PER_HISTORICAL_VECTOR",
            P::EPOCHS_PER_HISTORICAL_VECTOR.to_string(),
        ),
        (
            "EPOCHS_PER_SLASHINGS_VECTOR",
            P::EPOCHS_PER_SLASHINGS_VECTOR.to_string(),
        ),
        (
            "HISTORICAL_ROOTS_LIMIT",
            P::HISTORICAL_ROOTS_LIMIT.to_string(),
        ),
        (
            "VALIDATOR_REGISTRY_LIMIT",
            P::VALIDATOR_REGISTRY_LIMIT.to_string(),
        ),
        ("BASE_REWARD_FACTOR", P::BASE_REWARD_FACTOR.to_string()),
        (
            "WHISTLEBLOWER_REWARD_QUOTIENT",
            P::WHISTLEBLOWER_REWARD_QUOTIENT.to_string(),
        ),
        (
            "PROPOSER_REWARD_QUOTIENT",
            P::PROPOSER_REWARD_QUOTIENT.to_string(),
        ),
        (
            "INACTIVITY_PENALTY_QUOTIENT_ALTAIR",
            P::INACTIVITY_PENALTY_QUOTIENT_ALTAIR.to_string(),
        ),
        ("SYNC_COMMITTEE_SIZE", P::SYNC_COMMITTEE_SIZE.to_string()),
        (
            "EPOCHS_PER_SYNC_COMMITTEE_PERIOD",
            P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD.to_string(),
        ),
        (
            "INACTIVITY_PENALTY_QUOTIENT_BELLATRIX",
            P::INACTIVITY_PENALTY_QUOTIENT_BELLATRIX.to_string(),
        ),
        (
            "PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX",
            P::PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX.to_string(),
        ),
        (
            "MAX_WITHDRAWALS_PER_PAYLOAD",
            P::MAX_WITHDRAWALS_PER_PAYLOAD.to_string(),
        ),
        (
            "MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP",
            P::MAX_VALIDATORS_PER_WITHDRAWALS_SWEEP.to_string(),
        ),
        (
            "MIN_ACTIVATION_BALANCE",
            P::MIN_ACTIVATION_BALANCE.to_string(),
        ),
        (
            "MAX_EFFECTIVE_BALANCE_ELECTRA",
            P::MAX_EFFECTIVE_BALANCE_ELECTRA.to_string(),
        ),
        (
            "MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA",
            P::MIN_SLASHING_PENALTY_QUOTIENT_ELECTRA.to_string(),
        ),
        (
            "WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA",
            P::WHISTLEBLOWER_REWARD_QUOTIENT_ELECTRA.to_string(),
        ),
        (
            "PENDING_DEPOSITS_LIMIT",
            P::PENDING_DEPOSITS_LIMIT.to_string(),
        ),
        (
            "PENDING_PARTIAL_WITHDRAWALS_LIMIT",
            P::PENDING_PARTIAL_WITHDRAWALS_LIMIT.to_string(),
        ),
        (
            "PENDING_CONSOLIDATIONS_LIMIT",
            P::PENDING_CONSOLIDATIONS_LIMIT.to_string(),
        ),
        (
            "MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP",
            P::MAX_PENDING_PARTIALS_PER_WITHDRAWALS_SWEEP.to_string(),
        ),
        (
            "MAX_PENDING_DEPOSITS_PER_EPOCH",
            P::MAX_PENDING_DEPOSITS_PER_EPOCH.to_string(),
        ),
        (
            "FIELD_ELEMENTS_PER_BLOB",
            P::FIELD_ELEMENTS_PER_BLOB.to_string(),
        ),
        // config
        ("GENESIS_FORK_VERSION", hex4(P::GENESIS_FORK_VERSION)),
        ("CAPELLA_FORK_VERSION", hex4(P::CAPELLA_FORK_VERSION)),
        ("ELECTRA_FORK_VERSION", hex4(P::ELECTRA_FORK_VERSION)),
        (
            "MIN_VALIDATOR_WITHDRAWABILITY_DELAY",
            P::MIN_VALIDATOR_WITHDRAWABILITY_DELAY.to_string(),
        ),
        (
            "SHARD_COMMITTEE_PERIOD",
            P::SHARD_COMMITTEE_PERIOD.to_string(),
        ),
        (
            "INACTIVITY_SCORE_BIAS",
            P::INACTIVITY_SCORE_BIAS.to_string(),
        ),
        (
            "INACTIVITY_SCORE_RECOVERY_RATE",
            P::INACTIVITY_SCORE_RECOVERY_RATE.to_string(),
        ),
        ("EJECTION_BALANCE", P::EJECTION_BALANCE.to_string()),
        (
            "MIN_PER_EPOCH_CHURN_LIMIT",
            P::MIN_PER_EPOCH_CHURN_LIMIT.to_string(),
        ),
        ("CHURN_LIMIT_QUOTIENT", P::CHURN_LIMIT_QUOTIENT.to_string()),
        (
            "MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA",
            P::MIN_PER_EPOCH_CHURN_LIMIT_ELECTRA.to_string(),
        ),
        (
            "MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT",
            P::MAX_PER_EPOCH_ACTIVATION_EXIT_CHURN_LIMIT.to_string(),
        ),
    ];
    // List lengths that exist only as typenums, against the vectors' values by their spec name.
    use typenum::Unsigned;
    let typenum_only: [(&'static str, usize); 21] = [
        ("HISTORICAL_ROOTS_LIMIT", P::HistoricalRootsLimit::USIZE),
        ("VALIDATOR_REGISTRY_LIMIT", P::ValidatorRegistryLimit::USIZE),
        (
            "MAX_VALIDATORS_PER_COMMITTEE",
            P::MaxValidatorsPerCommittee::USIZE,
        ),
        ("PENDING_DEPOSITS_LIMIT", P::PendingDepositsLimit::USIZE),
        (
            "PENDING_PARTIAL_WITHDRAWALS_LIMIT",
            P::PendingPartialWithdrawalsLimit::USIZE,
        ),
        (
            "MAX_BYTES_PER_TRANSACTION",
            P::MaxBytesPerTransaction::USIZE,
        ),
        (
            "MAX_TRANSACTIONS_PER_PAYLOAD",
            P::MaxTransactionsPerPayload::USIZE,
        ),
        ("BYTES_PER_LOGS_BLOOM", P::BytesPerLogsBloom::USIZE),
        ("MAX_EXTRA_DATA_BYTES", P::MaxExtraDataBytes::USIZE),
        (
            "MAX_WITHDRAWALS_PER_PAYLOAD",
            P::MaxWithdrawalsPerPayload::USIZE,
        ),
        ("MAX_PROPOSER_SLASHINGS", P::MaxProposerSlashings::USIZE),
        (
            "MAX_ATTESTER_SLASHINGS_ELECTRA",
            P::MaxAttesterSlashingsElectra::USIZE,
        ),
        ("MAX_ATTESTATIONS_ELECTRA", P::MaxAttestationsElectra::USIZE),
        ("MAX_DEPOSITS", P::MaxDeposits::USIZE),
        ("MAX_VOLUNTARY_EXITS", P::MaxVoluntaryExits::USIZE),
        (
            "MAX_BLS_TO_EXECUTION_CHANGES",
            P::MaxBlsToExecutionChanges::USIZE,
        ),
        (
            "MAX_BLOB_COMMITMENTS_PER_BLOCK",
            P::MaxBlobCommitmentsPerBlock::USIZE,
        ),
        (
            "KZG_COMMITMENT_INCLUSION_PROOF_DEPTH",
            P::KzgCommitmentInclusionProofDepth::USIZE,
        ),
        (
            "MAX_DEPOSIT_REQUESTS_PER_PAYLOAD",
            P::MaxDepositRequestsPerPayload::USIZE,
        ),
        (
            "MAX_WITHDRAWAL_REQUESTS_PER_PAYLOAD",
            P::MaxWithdrawalRequestsPerPayload::USIZE,
        ),
        (
            "MAX_CONSOLIDATION_REQUESTS_PER_PAYLOAD",
            P::MaxConsolidationRequestsPerPayload::USIZE,
        ),
    ];
    v.extend(typenum_only.map(|(name, n)| (name, n.to_string())));
    // The typenum lengths must equal their constants.
    let lens: [(&'static str, usize, u64); 10] = [
        (
            "SLOTS_PER_HISTORICAL_ROOT (typenum)",
            P::SlotsPerHistoricalRoot::USIZE,
            P::SLOTS_PER_HISTORICAL_ROOT,
        ),
        (
            "EPOCHS_PER_HISTORICAL_VECTOR (typenum)",
            P::EpochsPerHistoricalVector::USIZE,
            P::EPOCHS_PER_HISTORICAL_VECTOR,
        ),
        (
            "EPOCHS_PER_SLASHINGS_VECTOR (typenum)",
            P::EpochsPerSlashingsVector::USIZE,
            P::EPOCHS_PER_SLASHINGS_VECTOR,
        ),
        (
            "SYNC_COMMITTEE_SIZE (typenum)",
            P::SyncCommitteeSize::USIZE,
            P::SYNC_COMMITTEE_SIZE,
        ),
        (
            "MAX_COMMITTEES_PER_SLOT (typenum)",
            P::MaxCommitteesPerSlot::USIZE,
            P::MAX_COMMITTEES_PER_SLOT,
        ),
        (
            "MAX_VALIDATORS_PER_SLOT (typenum)",
            P::MaxValidatorsPerSlot::USIZE,
            P::MAX_VALIDATORS_PER_COMMITTEE * P::MAX_COMMITTEES_PER_SLOT,
        ),
        (
            "SLOTS_PER_ETH1_VOTING_PERIOD (typenum)",
            P::SlotsPerEth1VotingPeriod::USIZE,
            P::EPOCHS_PER_ETH1_VOTING_PERIOD * P::SLOTS_PER_EPOCH,
        ),
        (
            "PENDING_CONSOLIDATIONS_LIMIT (typenum)",
            P::PendingConsolidationsLimit::USIZE,
            P::PENDING_CONSOLIDATIONS_LIMIT,
        ),
        (
            "SYNC_COMMITTEE_SIZE // SYNC_COMMITTEE_SUBNET_COUNT (typenum)",
            P::SyncSubcommitteeSize::USIZE,
            P::SYNC_COMMITTEE_SIZE / consts::SYNC_COMMITTEE_SUBNET_COUNT,
        ),
        (
            "BYTES_PER_BLOB (typenum)",
            P::BytesPerBlob::USIZE,
            P::FIELD_ELEMENTS_PER_BLOB * consts::BYTES_PER_FIELD_ELEMENT,
        ),
    ];
    for (name, a, b) in lens {
        v.push((
            name,
            if a as u64 == b {
                "typenum-ok".into()
            } else {
                format!("typenum {a} != {b}")
            },
        ));
    }
    v
}

fn yaml_values(h: &Harness, preset: &str) -> Result<BTreeMap<String, String>, String> {
    let mut files: Vec<std::path::PathBuf> =
        std::fs::read_dir(h.root.join(format!("presets/{preset}")))
            .map_err(|e| format!("presets/{preset}: {e}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
    files.sort();
    files.push(h.root.join(format!("configs/{preset}.yaml")));
    let mut out = BTreeMap::new();
    for f in files {
        // Flat `KEY: value  # comment` lines, read as text: YAML would turn `0x00000001` into
        // an integer and reject TERMINAL_TOTAL_DIFFICULTY as too large.
        let text = h.read_file(&f)?;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim_end();
            if line.starts_with(' ') || line.starts_with('-') {
                continue;
            }
            if let Some((k, v)) = line.split_once(':') {
                let v = v.trim().trim_matches('\'').to_lowercase();
                if !v.is_empty() {
                    out.insert(k.trim().to_string(), v);
                }
            }
        }
    }
    Ok(out)
}

fn check<P: Preset>(h: &mut Harness) {
    let label = format!("constants {}", P::NAME);
    let outcome = match yaml_values(h, P::NAME) {
        Err(e) => Outcome::Fail(e),
        Ok(theirs) => {
            let bad: Vec<String> = ours::<P>()
                .into_iter()
                .filter_map(|(name, val)| {
                    if val == "typenum-ok" {
                        return None;
                    }
                    if val.starts_with("typenum") {
                        return Some(format!("{name}: {val}"));
                    }
                    match theirs.get(name) {
                        Some(t) if *t == val => None,
                        Some(t) => Some(format!("{name}: ours {val}, vectors {t}")),
                        None => Some(format!("{name}: not in the vectors' presets/config")),
                    }
                })
                .collect();
            if bad.is_empty() {
                Outcome::Pass
            } else {
                Outcome::Fail(bad.join("; "))
            }
        }
    };
    h.record(&label, outcome);
}

pub fn run(h: &mut Harness) {
    check::<Minimal>(h);
    check::<Mainnet>(h);
}
