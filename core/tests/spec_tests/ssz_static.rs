//! `tests/<preset>/electra/ssz_static/<Type>/<suite>/<case>`: decode `serialized.ssz_snappy`,
//! check it re-encodes to the same bytes, that its `hash_tree_root` is `roots.yaml`'s root, and
//! that it equals `value.yaml` field by field. Every type folder present must have a runner.

use crate::harness::{Case, Harness, Outcome};
use maxeb_core::types::*;
use maxeb_core::{Mainnet, Minimal, Preset};
use serde::Serialize;
use ssz::{Decode, Encode};
use tree_hash::TreeHash;

/// Lowercase every string, so checksummed addresses compare with the vectors' lowercase hex.
fn normalize(v: serde_yaml::Value) -> serde_yaml::Value {
    use serde_yaml::Value;
    match v {
        Value::String(s) => Value::String(s.to_lowercase()),
        Value::Sequence(xs) => Value::Sequence(xs.into_iter().map(normalize).collect()),
        Value::Mapping(m) => {
            Value::Mapping(m.into_iter().map(|(k, v)| (k, normalize(v))).collect())
        }
        other => other,
    }
}

fn check_case<T: Decode + Encode + TreeHash + Serialize>(case: &Case) -> Result<(), String> {
    let bytes = case.read_ssz_snappy("serialized.ssz_snappy")?;
    let value = T::from_ssz_bytes(&bytes).map_err(|e| format!("decode: {e:?}"))?;
    if value.as_ssz_bytes() != bytes {
        return Err("re-encoding differs from serialized.ssz_snappy".into());
    }
    let roots: serde_yaml::Value = case.read_yaml("roots.yaml")?;
    let want = roots
        .get("root")
        .and_then(|r| r.as_str())
        .ok_or("roots.yaml: no root")?;
    let got = format!("{:#x}", value.tree_hash_root());
    if got != want.to_lowercase() {
        return Err(format!("root {got} != {want}"));
    }
    let expected: serde_yaml::Value = case.read_yaml("value.yaml")?;
    let actual = serde_yaml::to_value(&value).map_err(|e| format!("serialize: {e}"))?;
    if normalize(actual) != normalize(expected) {
        return Err("decoded value differs from value.yaml".into());
    }
    Ok(())
}

fn run_type<T: Decode + Encode + TreeHash + Serialize>(h: &mut Harness, preset: &str, ty: &str) {
    let rel = format!("tests/{preset}/electra/ssz_static/{ty}");
    h.run_handler(
        &rel,
        &format!("ssz_static/{ty} {preset}"),
        &[],
        |case| match check_case::<T>(case) {
            Ok(()) => Outcome::Pass,
            Err(e) => Outcome::Fail(e),
        },
    );
}

fn run_preset<P: Preset>(h: &mut Harness) {
    let dir = h.root.join(format!("tests/{}/electra/ssz_static", P::NAME));
    for ty_dir in Harness::subdirs(&dir) {
        let ty = ty_dir
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let p = P::NAME;
        match ty.as_str() {
            "AggregateAndProof" => run_type::<AggregateAndProof<P>>(h, p, &ty),
            "Attestation" => run_type::<Attestation<P>>(h, p, &ty),
            "AttestationData" => run_type::<AttestationData>(h, p, &ty),
            "AttesterSlashing" => run_type::<AttesterSlashing<P>>(h, p, &ty),
            "BLSToExecutionChange" => run_type::<BLSToExecutionChange>(h, p, &ty),
            "BeaconBlock" => run_type::<BeaconBlock<P>>(h, p, &ty),
            "BeaconBlockBody" => run_type::<BeaconBlockBody<P>>(h, p, &ty),
            "BeaconBlockHeader" => run_type::<BeaconBlockHeader>(h, p, &ty),
            "BeaconState" => run_type::<BeaconState<P>>(h, p, &ty),
            "BlobIdentifier" => run_type::<BlobIdentifier>(h, p, &ty),
            "BlobSidecar" => run_type::<BlobSidecar<P>>(h, p, &ty),
            "Checkpoint" => run_type::<Checkpoint>(h, p, &ty),
            "ConsolidationRequest" => run_type::<ConsolidationRequest>(h, p, &ty),
            "ContributionAndProof" => run_type::<ContributionAndProof<P>>(h, p, &ty),
            "Deposit" => run_type::<Deposit>(h, p, &ty),
            "DepositData" => run_type::<DepositData>(h, p, &ty),
            "DepositMessage" => run_type::<DepositMessage>(h, p, &ty),
            "DepositRequest" => run_type::<DepositRequest>(h, p, &ty),
            "Eth1Block" => run_type::<Eth1Block>(h, p, &ty),
            "Eth1Data" => run_type::<Eth1Data>(h, p, &ty),
            "ExecutionPayload" => run_type::<ExecutionPayload<P>>(h, p, &ty),
            "ExecutionPayloadHeader" => run_type::<ExecutionPayloadHeader<P>>(h, p, &ty),
            "ExecutionRequests" => run_type::<ExecutionRequests<P>>(h, p, &ty),
            "Fork" => run_type::<Fork>(h, p, &ty),
            "ForkData" => run_type::<ForkData>(h, p, &ty),
            "HistoricalBatch" => run_type::<HistoricalBatch<P>>(h, p, &ty),
            "HistoricalSummary" => run_type::<HistoricalSummary>(h, p, &ty),
            "IndexedAttestation" => run_type::<IndexedAttestation<P>>(h, p, &ty),
            "LightClientBootstrap" => run_type::<LightClientBootstrap<P>>(h, p, &ty),
            "LightClientFinalityUpdate" => run_type::<LightClientFinalityUpdate<P>>(h, p, &ty),
            "LightClientHeader" => run_type::<LightClientHeader<P>>(h, p, &ty),
            "LightClientOptimisticUpdate" => run_type::<LightClientOptimisticUpdate<P>>(h, p, &ty),
            "LightClientUpdate" => run_type::<LightClientUpdate<P>>(h, p, &ty),
            "PendingAttestation" => run_type::<PendingAttestation<P>>(h, p, &ty),
            "PendingConsolidation" => run_type::<PendingConsolidation>(h, p, &ty),
            "PendingDeposit" => run_type::<PendingDeposit>(h, p, &ty),
            "PendingPartialWithdrawal" => run_type::<PendingPartialWithdrawal>(h, p, &ty),
            "PowBlock" => run_type::<PowBlock>(h, p, &ty),
            "ProposerSlashing" => run_type::<ProposerSlashing>(h, p, &ty),
            "SignedAggregateAndProof" => run_type::<SignedAggregateAndProof<P>>(h, p, &ty),
            "SignedBLSToExecutionChange" => run_type::<SignedBLSToExecutionChange>(h, p, &ty),
            "SignedBeaconBlock" => run_type::<SignedBeaconBlock<P>>(h, p, &ty),
            "SignedBeaconBlockHeader" => run_type::<SignedBeaconBlockHeader>(h, p, &ty),
            "SignedContributionAndProof" => run_type::<SignedContributionAndProof<P>>(h, p, &ty),
            "SignedVoluntaryExit" => run_type::<SignedVoluntaryExit>(h, p, &ty),
            "SigningData" => run_type::<SigningData>(h, p, &ty),
            "SingleAttestation" => run_type::<SingleAttestation>(h, p, &ty),
            "SyncAggregate" => run_type::<SyncAggregate<P>>(h, p, &ty),
            "SyncAggregatorSelectionData" => run_type::<SyncAggregatorSelectionData>(h, p, &ty),
            "SyncCommittee" => run_type::<SyncCommittee<P>>(h, p, &ty),
            "SyncCommitteeContribution" => run_type::<SyncCommitteeContribution<P>>(h, p, &ty),
            "SyncCommitteeMessage" => run_type::<SyncCommitteeMessage>(h, p, &ty),
            "Validator" => run_type::<Validator>(h, p, &ty),
            "VoluntaryExit" => run_type::<VoluntaryExit>(h, p, &ty),
            "Withdrawal" => run_type::<Withdrawal>(h, p, &ty),
            "WithdrawalRequest" => run_type::<WithdrawalRequest>(h, p, &ty),
            // A type folder with no runner is not claimed, so the whole-tree walk fails it by
            // name (harness::coverage); its vectors are never silently passed over.
            _ => {}
        }
    }
}

/// Beyond the generic checks: a decoded `SignedBeaconBlock` survives an SSZ round trip as a
/// value, and its block's root is the root of the `BeaconBlockHeader` that carries the body's
/// root (what `process_block_header` and `BlobSidecar.signed_block_header` rely on).
fn check_signed_block<P: Preset>(case: &Case) -> Result<(), String> {
    let block: SignedBeaconBlock<P> = case.read_ssz("serialized.ssz_snappy")?;
    let again = SignedBeaconBlock::<P>::from_ssz_bytes(&block.as_ssz_bytes())
        .map_err(|e| format!("decode of the re-encoding: {e:?}"))?;
    if again != block {
        return Err("SSZ round trip changed the block".into());
    }
    let roots: serde_yaml::Value = case.read_yaml("roots.yaml")?;
    let want = roots
        .get("root")
        .and_then(|r| r.as_str())
        .ok_or("roots.yaml: no root")?
        .to_lowercase();
    let got = format!("{:#x}", again.tree_hash_root());
    if got != want {
        return Err(format!("root after round trip {got} != {want}"));
    }
    let b = &block.message;
    let header = BeaconBlockHeader {
        slot: b.slot,
        proposer_index: b.proposer_index,
        parent_root: b.parent_root,
        state_root: b.state_root,
        body_root: b.body.tree_hash_root(),
    };
    if header.tree_hash_root() != b.tree_hash_root() {
        return Err("BeaconBlock root != its BeaconBlockHeader root".into());
    }
    Ok(())
}

fn run_block_checks<P: Preset>(h: &mut Harness) {
    let rel = format!("tests/{}/electra/ssz_static/SignedBeaconBlock", P::NAME);
    h.run_handler(
        &rel,
        &format!(
            "ssz_static/SignedBeaconBlock round trip + header root {}",
            P::NAME
        ),
        &[],
        |case| match check_signed_block::<P>(case) {
            Ok(()) => Outcome::Pass,
            Err(e) => Outcome::Fail(e),
        },
    );
}

pub fn run(h: &mut Harness) {
    run_preset::<Minimal>(h);
    run_preset::<Mainnet>(h);
    run_block_checks::<Minimal>(h);
    run_block_checks::<Mainnet>(h);
}
