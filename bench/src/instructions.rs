//! `maxeb instructions`: the instruction count of `maxeb transition` on one state, under
//! callgrind, recorded in a `results.json` for `maxeb gate`. Seconds on a shared machine move by
//! tens of percent; instructions for the same binary and input do not (two runs on `small`:
//! 768,061,837 and 768,057,929, 5e-6 apart), so a 5% regression of work is visible in one run.
//! Blind to what instructions do not show (cache misses, memory bandwidth, lock waits): that is
//! what the gate's time metrics are for.
//!
//! Two counts, both with one rayon thread (so they do not depend on how work was split):
//! - `process_epoch_instructions`: one fast-engine `process_epoch` alone (callgrind collects only
//!   inside `process_epoch_fast_timed`; the run happens inside a one-thread rayon pool so the
//!   parallel parts execute on the collecting thread, not in a worker outside the toggle);
//! - `transition_instructions`: the whole `maxeb transition --pre FILE --slots N`: decode, cache
//!   build, the slots and the epoch, the post-state root.

use crate::results::{Better, Kind, Metric, Results, RunRecord, ScenarioResult, SCHEMA_VERSION};
use crate::source::{load, PreSource, PresetArg, StateArgs};
use anyhow::{bail, Context, Result};
use maxeb_core::fast::FastEngine;
use maxeb_core::helpers::accessors::get_current_epoch;
use maxeb_core::helpers::predicates::is_active_validator;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Minimal, Preset};
use ssz::Encode;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The metrics this command writes.
pub const TRANSITION: &str = "transition_instructions";
pub const EPOCH: &str = "process_epoch_instructions";

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub state: StateArgs,
    /// Slots the counted transition advances.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=8192))]
    pub slots: u64,
    /// results.json to add the count to (its scenario entry is created or extended).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Scenario name to record under (default: the scenario's name, or the file stem).
    #[arg(long)]
    pub name: Option<String>,
    /// The valgrind executable.
    #[arg(long, default_value = "valgrind")]
    pub valgrind: String,
    /// Internal: run one fast `process_epoch` on this state file (what callgrind counts).
    #[arg(long, hide = true, value_name = "FILE")]
    pub inner_epoch: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    if let Some(file) = &args.inner_epoch {
        return inner_epoch(file);
    }
    let (source, preset) = args.state.resolve()?;
    match preset {
        PresetArg::Mainnet => run_preset::<Mainnet>(args, &source),
        PresetArg::Minimal => run_preset::<Minimal>(args, &source),
    }
}

fn run_preset<P: Preset>(args: &Args, source: &PreSource) -> Result<()> {
    let state: BeaconState<P> = load(source)?;
    let work = tempdir()?;
    let result = count(args, source, &state, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn count<P: Preset>(
    args: &Args,
    source: &PreSource,
    state: &BeaconState<P>,
    work: &Path,
) -> Result<()> {
    // The counted run reads a file, so a scenario is written out first (outside the count).
    let pre = match source {
        PreSource::File(p) => p.clone(),
        PreSource::Scenario { .. } => {
            let p = work.join("pre.ssz");
            std::fs::write(&p, state.as_ssz_bytes())
                .with_context(|| format!("{}: cannot write", p.display()))?;
            p
        }
    };
    let exe = std::env::current_exe().context("locating the maxeb executable")?;
    let transition = callgrind(
        args,
        &work.join("transition.out"),
        &[],
        &[
            "transition".as_ref(),
            "--pre".as_ref(),
            pre.as_os_str(),
            "--slots".as_ref(),
            args.slots.to_string().as_ref(),
        ],
        &exe,
    )?;
    let epoch = callgrind(
        args,
        &work.join("epoch.out"),
        &[
            "--collect-atstart=no",
            "--toggle-collect=*process_epoch_fast_timed*",
        ],
        &[
            "instructions".as_ref(),
            "--out".as_ref(),
            work.join("unused.json").as_os_str(),
            "--inner-epoch".as_ref(),
            pre.as_os_str(),
        ],
        &exe,
    )?;
    let name = args.name.clone().unwrap_or_else(|| match source {
        PreSource::File(p) => p.file_stem().map_or_else(
            || p.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        ),
        PreSource::Scenario { scenario, .. } => scenario.name.clone(),
    });
    let metric = |total: u64| {
        Metric::new(
            "instructions",
            Kind::Instructions,
            Better::Lower,
            vec![total as f64],
        )
        .context("instruction count is not a number")
    };
    let metrics = [(EPOCH, metric(epoch)?), (TRANSITION, metric(transition)?)];
    let mut results = if args.out.exists() {
        Results::load(&args.out)?
    } else {
        Results {
            schema_version: SCHEMA_VERSION,
            run: RunRecord::current(1),
            scenarios: vec![],
            savings: vec![],
            external: vec![],
        }
    };
    let entry = describe(state, source, &name)?;
    match results.scenarios.iter_mut().find(|s| s.name == name) {
        Some(s) => {
            if (s.validators, s.ssz_bytes) != (entry.validators, entry.ssz_bytes) {
                bail!(
                    "{}: scenario `{name}` there has {} validators / {} SSZ bytes, this state {} / {}",
                    args.out.display(),
                    s.validators,
                    s.ssz_bytes,
                    entry.validators,
                    entry.ssz_bytes
                );
            }
            s.metrics.extend(metrics.map(|(k, m)| (k.to_string(), m)));
        }
        None => {
            let mut entry = entry;
            entry
                .metrics
                .extend(metrics.map(|(k, m)| (k.to_string(), m)));
            results.scenarios.push(entry);
        }
    }
    results.save(&args.out)?;
    println!(
        "{name}: process_epoch {epoch} instructions, maxeb transition --slots {} {transition} \
         (callgrind, 1 thread) -> {}",
        args.slots,
        args.out.display()
    );
    Ok(())
}

/// Runs `exe cmd...` under callgrind with one rayon thread; its `totals:` count.
fn callgrind(
    args: &Args,
    out: &Path,
    options: &[&str],
    cmd: &[&std::ffi::OsStr],
    exe: &Path,
) -> Result<u64> {
    let output = Command::new(&args.valgrind)
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .args(options)
        .arg(exe)
        .args(cmd)
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .with_context(|| format!("running `{}` (is valgrind installed?)", args.valgrind))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = err.lines().rev().take(3).collect();
        bail!(
            "callgrind run of `maxeb {}` failed ({}): {}",
            cmd.iter()
                .map(|a| a.to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        );
    }
    let text = std::fs::read_to_string(out)
        .with_context(|| format!("{}: callgrind wrote no output", out.display()))?;
    parse_totals(&text).with_context(|| format!("{}: no `totals:` line", out.display()))
}

/// The counted part of `process_epoch_instructions`: load, build the engine, then one epoch
/// inside a one-thread pool (so rayon runs it on this thread, inside callgrind's toggle).
fn inner_epoch(file: &Path) -> Result<()> {
    match crate::source::infer_preset(file)? {
        PresetArg::Mainnet => inner_epoch_preset::<Mainnet>(file),
        PresetArg::Minimal => inner_epoch_preset::<Minimal>(file),
    }
}

fn inner_epoch_preset<P: Preset>(file: &Path) -> Result<()> {
    let state = maxeb_core::io::read_state::<P>(file)?;
    let mut engine = FastEngine::new(state)?;
    let _ = engine.hash_tree_root();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .context("building the one-thread pool")?;
    pool.install(|| engine.process_epoch())?;
    Ok(())
}

/// callgrind's `totals: N` (first event, Ir).
fn parse_totals(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix("totals:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// A new scenario entry for `state` (no metrics yet).
fn describe<P: Preset>(
    state: &BeaconState<P>,
    source: &PreSource,
    name: &str,
) -> Result<ScenarioResult> {
    let epoch = get_current_epoch(state);
    let active = state
        .validators
        .iter()
        .filter(|v| is_active_validator(v, epoch))
        .count() as u64;
    let ssz_bytes = state.ssz_bytes_len() as u64;
    // The same definition as `maxeb report`'s, so the entries of both agree.
    let engine = FastEngine::new(state.clone())?;
    let memory = crate::report::measure::state_memory_bytes(state, ssz_bytes)
        .saturating_add(engine.cache_bytes() as u64);
    Ok(ScenarioResult {
        name: name.to_string(),
        source: match source {
            PreSource::File(p) => format!("file:{}", p.display()),
            PreSource::Scenario { label, .. } => label.clone(),
        },
        seed: source.scenario().map(|s| s.seed),
        preset: P::NAME.to_string(),
        epoch,
        validators: state.validators.len() as u64,
        active_validators: active,
        ssz_bytes,
        memory_bytes: memory,
        metrics: BTreeMap::new(),
        steps: BTreeMap::new(),
        work: BTreeMap::new(),
        instructions: BTreeMap::new(),
        floors_ms: BTreeMap::new(),
        reference_steps: BTreeMap::new(),
    })
}

fn tempdir() -> Result<PathBuf> {
    let d = std::env::temp_dir().join(format!(
        "maxeb-instructions-{}-{}",
        std::process::id(),
        crate::meta::utc_now().replace(':', "")
    ));
    std::fs::create_dir_all(&d).with_context(|| format!("{}: cannot create", d.display()))?;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_line() {
        let text = "events: Ir\nsummary: 12\nfn=x\n0 12\ntotals: 768061837\n";
        assert_eq!(parse_totals(text), Some(768_061_837));
        assert_eq!(parse_totals("summary: 1\n"), None);
    }
}
