//! `tests/<preset>/electra/epoch_processing/<handler>`: each handler applies exactly its own
//! step to `pre` (already transitioned to just before that step, per the format doc) and
//! compares with `post`; a case without `post` must return `Err`.
//!
//! Where the case also carries `pre_epoch`/`post_epoch` (consensus-specs
//! `helpers/epoch_processing.py::run_epoch_processing_with`): `pre_epoch` is the state at the
//! last slot of the epoch after `process_slot`, and `post_epoch` is `process_epoch(pre_epoch)`
//! (slot unchanged; the format doc's "alternative condition"). We check that, that replaying the
//! steps before the handler's on `pre_epoch` gives `pre`, and that `post` plus the steps after
//! the handler's gives `post_epoch`.

use crate::harness::{Case, Harness, Outcome};
use crate::state_diff::compare_states;
use maxeb_core::epoch::{epoch_steps, process_epoch};
use maxeb_core::fast::cache::FastCaches;
use maxeb_core::fast::epoch::{process_epoch_fast, EpochConfig};
use maxeb_core::fast::TrackedState;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Minimal, Preset};

/// Cases where `post_epoch` is not `process_epoch(pre_epoch)` (nor `pre` the earlier steps on
/// `pre_epoch`): the generator
/// (`phase0/epoch_processing/test_process_effective_balance_updates.py`,
/// `run_test_effective_balance_hysteresis`) overwrites
/// balances and credentials after the earlier steps to set up the hysteresis table, between
/// yielding `pre_epoch` and `pre`. Their `post`, and `post_epoch` as `post` plus the later steps,
/// are still checked.
const GENERATOR_EDITS: [&str; 2] = [
    "effective_balance_hysteresis",
    "effective_balance_hysteresis_with_compounding_credentials",
];

pub fn run(h: &mut Harness) {
    for case in GENERATOR_EDITS {
        h.note(format!(
            "PARTIAL epoch_processing/effective_balance_updates {case}: pre_epoch -> pre/post_epoch \
             checks not applied (the generator edits the state between pre_epoch and pre); \
             post and post+later steps = post_epoch are checked"
        ));
    }
    // The handlers are the reference's steps; the fast path names its steps the same way.
    let handlers = epoch_steps::<Minimal>().map(|(name, _)| name);
    h.record(
        "epoch_processing/fast step names",
        if handlers == maxeb_core::fast::epoch::STEP_NAMES {
            Outcome::Pass
        } else {
            Outcome::Fail(format!(
                "fast STEP_NAMES {:?} != reference epoch_steps {handlers:?}",
                maxeb_core::fast::epoch::STEP_NAMES
            ))
        },
    );
    for handler in handlers {
        run_preset::<Minimal>(h, handler);
        run_preset::<Mainnet>(h, handler);
    }
}

fn run_preset<P: Preset>(h: &mut Harness, handler: &'static str) {
    let rel = format!("tests/{}/electra/epoch_processing/{handler}", P::NAME);
    let label = format!("epoch_processing/{handler} {}", P::NAME);
    // Mainnet ships no sync_committee_updates vectors (they are minimal-only).
    if !h.root.join(&rel).is_dir() && P::NAME == "mainnet" && handler == "sync_committee_updates" {
        return;
    }
    h.run_handler(&rel, &label, &[], |case| {
        match run_case::<P>(case, handler) {
            Ok(()) => Outcome::Pass,
            Err(e) => Outcome::Fail(e),
        }
    });
}

fn check<P: Preset>(got: &BeaconState<P>, want: &BeaconState<P>, what: &str) -> Result<(), String> {
    match compare_states(got, want) {
        Outcome::Pass => Ok(()),
        Outcome::Fail(e) => Err(format!("{what}: {e}")),
    }
}

/// The fast engine on `pre` with `config`, caches built from `pre`.
fn fast<P: Preset>(pre: &BeaconState<P>, config: &EpochConfig) -> Result<BeaconState<P>, String> {
    let mut caches = FastCaches::build(pre).map_err(|e| e.to_string())?;
    let mut state = TrackedState::new(pre.clone());
    process_epoch_fast(&mut state, &mut caches, config).map_err(|e| e.to_string())?;
    Ok(state.into_state())
}

/// The fast result against the expected one (`None`: the step must fail).
fn check_fast<P: Preset>(
    got: Result<BeaconState<P>, String>,
    want: &Option<BeaconState<P>>,
    what: &str,
) -> Result<(), String> {
    match (got, want) {
        (Ok(state), Some(want)) => check(&state, want, what),
        (Err(e), Some(_)) => Err(format!("{what}: returned Err({e}) but the case has a post")),
        (Ok(_), None) => Err(format!("{what}: succeeded but the case has no post")),
        (Err(_), None) => Ok(()),
    }
}

fn run_case<P: Preset>(case: &Case, handler: &str) -> Result<(), String> {
    // Signatures are always verified; a case that needs them off could not pass here.
    let bls = case.bls_setting()?;
    if bls == 2 {
        return Err("bls_setting 2 (BLS off) is not supported".into());
    }
    let steps = epoch_steps::<P>();
    let pos = steps
        .iter()
        .position(|(n, _)| *n == handler)
        .ok_or_else(|| format!("unknown handler {handler}"))?;
    let (_, step) = steps[pos];

    let pre: BeaconState<P> = case.read_ssz("pre.ssz_snappy")?;
    let post: Option<BeaconState<P>> = case.read_ssz_opt("post.ssz_snappy")?;
    let mut state = pre.clone();
    match (step(&mut state), &post) {
        (Ok(()), Some(want)) => check(&state, want, "post")?,
        (Err(e), Some(_)) => return Err(format!("step returned Err({e}) but post exists")),
        (Ok(()), None) => return Err("step succeeded but the case has no post".into()),
        (Err(_), None) => {}
    }
    let only = EpochConfig::only(handler).ok_or_else(|| format!("unknown handler {handler}"))?;
    check_fast(fast(&pre, &only), &post, "fast path, handler's step only")?;

    if let Some(pre_epoch) = case.read_ssz_opt::<BeaconState<P>>("pre_epoch.ssz_snappy")? {
        let post_epoch: Option<BeaconState<P>> = case.read_ssz_opt("post_epoch.ssz_snappy")?;
        // The format doc's alternative condition: process_epoch(pre_epoch) == post_epoch.
        if !GENERATOR_EDITS.contains(&case.name.as_str()) {
            check_fast(
                fast(&pre_epoch, &EpochConfig::all()),
                &post_epoch,
                "fast path, process_epoch on pre_epoch",
            )?;
            let mut state = pre_epoch.clone();
            match (process_epoch(&mut state), &post_epoch) {
                (Ok(()), Some(want)) => check(&state, want, "post_epoch")?,
                (Err(e), Some(_)) => {
                    return Err(format!(
                        "process_epoch returned Err({e}) but post_epoch exists"
                    ))
                }
                (Ok(()), None) => return Err("process_epoch succeeded but no post_epoch".into()),
                (Err(_), None) => {}
            }
            // Replaying the steps before the handler's on pre_epoch gives pre.
            let mut replay = pre_epoch;
            for (name, f) in &steps[..pos] {
                f(&mut replay).map_err(|e| format!("replay: {name} returned Err({e})"))?;
            }
            check(&replay, &pre, "pre_epoch + steps before the handler vs pre")?;
        }
        // The generator's own definition: post_epoch is post plus the steps after the handler's.
        if let (Some(post), Some(want)) = (&post, &post_epoch) {
            let mut state = post.clone();
            for (name, f) in &steps[pos + 1..] {
                f(&mut state)
                    .map_err(|e| format!("post + later steps: {name} returned Err({e})"))?;
            }
            check(&state, want, "post + steps after the handler vs post_epoch")?;
        }
    } else if case.exists("post_epoch.ssz_snappy") {
        return Err("post_epoch without pre_epoch".into());
    }
    Ok(())
}
