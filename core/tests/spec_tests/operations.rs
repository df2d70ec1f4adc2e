//! `tests/<preset>/electra/operations/<handler>`: apply one operation to `pre`; with `post` the
//! result must match it, without `post` the operation must be rejected (an `Err`, not a panic).

use crate::harness::{Case, Harness, Outcome};
use crate::state_diff::compare_states;
use maxeb_core::error::Result as CoreResult;
use maxeb_core::operations::{self, SignatureCheck};
use maxeb_core::types::{
    Attestation, AttesterSlashing, BeaconState, ConsolidationRequest, DepositRequest,
    ExecutionPayload, ProposerSlashing, SignedVoluntaryExit, WithdrawalRequest,
};
use maxeb_core::{Mainnet, Minimal, Preset};

/// `bls_setting` 2 means the vector was made with BLS switched off; 0 (optional) and 1 verify.
fn signature_check(case: &Case) -> Result<SignatureCheck, String> {
    Ok(match case.bls_setting()? {
        2 => SignatureCheck::Skip,
        _ => SignatureCheck::Verify,
    })
}

/// Read `pre`, the operation from `op_file`, and `post` if present; apply; judge.
fn run_case<P: Preset, T: ssz::Decode>(
    case: &Case,
    op_file: &str,
    apply: impl Fn(&mut BeaconState<P>, &T, SignatureCheck) -> CoreResult<()>,
) -> Outcome {
    let inner = || -> Result<Outcome, String> {
        let sig = signature_check(case)?;
        let mut state: BeaconState<P> = case.read_ssz("pre.ssz_snappy")?;
        let op: T = case.read_ssz(op_file)?;
        let post: Option<BeaconState<P>> = case.read_ssz_opt("post.ssz_snappy")?;
        // A valid operation must give the same post-state with signature checks skipped: `Skip`
        // drops the pairing checks and nothing else.
        let unsigned = (post.is_some() && sig == SignatureCheck::Verify).then(|| {
            let mut s = state.clone();
            let r = apply(&mut s, &op, SignatureCheck::Skip);
            (s, r)
        });
        // Robustness: on decodable but inconsistent states (no registry; registry without
        // balances or participation) the handler may reject, but must not panic.
        for broken in broken_states(&state) {
            let mut b = broken;
            let _ = apply(&mut b, &op, sig);
        }
        let result = apply(&mut state, &op, sig);
        Ok(match (result, post) {
            (Ok(()), Some(want)) => match unsigned {
                Some((_, Err(e))) => {
                    Outcome::Fail(format!("rejected with signatures skipped: {e}"))
                }
                Some((s, Ok(()))) if s != want => {
                    Outcome::Fail("post-state differs with signatures skipped".to_string())
                }
                _ => compare_states(&state, &want),
            },
            (Err(e), Some(_)) => Outcome::Fail(format!("valid operation rejected: {e}")),
            (Ok(()), None) => Outcome::Fail("invalid operation accepted".to_string()),
            (Err(_), None) => Outcome::Pass,
        })
    };
    inner().unwrap_or_else(Outcome::Fail)
}

/// Copies of `state` that decode fine but break the registry's invariants.
fn broken_states<P: Preset>(state: &BeaconState<P>) -> Vec<BeaconState<P>> {
    let mut empty = state.clone();
    empty.validators = Default::default();
    empty.balances = Default::default();
    empty.previous_epoch_participation = Default::default();
    empty.current_epoch_participation = Default::default();
    empty.inactivity_scores = Default::default();
    let mut no_balances = state.clone();
    no_balances.balances = Default::default();
    no_balances.previous_epoch_participation = Default::default();
    no_balances.current_epoch_participation = Default::default();
    vec![empty, no_balances]
}

fn run_preset<P: Preset>(h: &mut Harness) {
    let base = format!("tests/{}/electra/operations", P::NAME);
    let mut handler = |name: &str, f: &(dyn Fn(&Case) -> Outcome + Sync)| {
        h.run_handler(
            &format!("{base}/{name}"),
            &format!("operations/{name} {}", P::NAME),
            &[],
            f,
        );
    };
    handler("attestation", &|c| {
        run_case::<P, Attestation<P>>(c, "attestation.ssz_snappy", |s, op, sig| {
            operations::process_attestation(s, op, sig)
        })
    });
    handler("attester_slashing", &|c| {
        run_case::<P, AttesterSlashing<P>>(c, "attester_slashing.ssz_snappy", |s, op, sig| {
            operations::process_attester_slashing(s, op, sig)
        })
    });
    handler("proposer_slashing", &|c| {
        run_case::<P, ProposerSlashing>(c, "proposer_slashing.ssz_snappy", |s, op, sig| {
            operations::process_proposer_slashing(s, op, sig)
        })
    });
    handler("voluntary_exit", &|c| {
        run_case::<P, SignedVoluntaryExit>(c, "voluntary_exit.ssz_snappy", |s, op, sig| {
            operations::process_voluntary_exit(s, op, sig)
        })
    });
    handler("deposit_request", &|c| {
        run_case::<P, DepositRequest>(c, "deposit_request.ssz_snappy", |s, op, _| {
            operations::process_deposit_request(s, op)
        })
    });
    handler("withdrawal_request", &|c| {
        run_case::<P, WithdrawalRequest>(c, "withdrawal_request.ssz_snappy", |s, op, _| {
            operations::process_withdrawal_request(s, op)
        })
    });
    handler("consolidation_request", &|c| {
        run_case::<P, ConsolidationRequest>(c, "consolidation_request.ssz_snappy", |s, op, _| {
            operations::process_consolidation_request(s, op)
        })
    });
    handler("withdrawals", &|c| {
        run_case::<P, ExecutionPayload<P>>(c, "execution_payload.ssz_snappy", |s, op, _| {
            operations::process_withdrawals(s, op)
        })
    });
}

/// Every electra operations handler this crate implements, minimal then mainnet.
pub fn run(h: &mut Harness) {
    run_preset::<Minimal>(h);
    run_preset::<Mainnet>(h);
}
