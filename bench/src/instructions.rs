//! `maxeb instructions`: the instruction count of `maxeb transition` on one state, under
//! callgrind, recorded in a `results.json` for `maxeb gate`. Seconds on a shared machine move by
//! tens of percent; instructions for the same binary and input do not (two runs on `small`:
//! 768,061,837 and 768,057,929, 5e-6 apart), so a 5% regression of work is visible in one run.
//! Blind to what instructions do not show (cache misses, memory bandwidth, lock waits): that is
//! what the gate's time metrics are for.
//!
//! The counted command is `maxeb transition --pre FILE --slots N` with one rayon thread (so the
//! count does not depend on how work was split). It includes decoding the file, the fast engine's
//! cache build, the slots and the epoch, and the post-state root.

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

/// The metric this command writes.
pub const METRIC: &str = "transition_instructions";

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
}

pub fn run(args: &Args) -> Result<()> {
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
    let cg_out = work.join("callgrind.out");
    let output = Command::new(&args.valgrind)
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", cg_out.display()))
        .arg(&exe)
        .arg("transition")
        .arg("--pre")
        .arg(&pre)
        .arg("--slots")
        .arg(args.slots.to_string())
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .with_context(|| format!("running `{}` (is valgrind installed?)", args.valgrind))?;
    if !output.status.success() {
        let err = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = err.lines().rev().take(3).collect();
        bail!(
            "callgrind run of `maxeb transition --pre {}` failed ({}): {}",
            pre.display(),
            output.status,
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        );
    }
    let text = std::fs::read_to_string(&cg_out)
        .with_context(|| format!("{}: callgrind wrote no output", cg_out.display()))?;
    let total =
        parse_totals(&text).with_context(|| format!("{}: no `totals:` line", cg_out.display()))?;
    let name = args.name.clone().unwrap_or_else(|| match source {
        PreSource::File(p) => p.file_stem().map_or_else(
            || p.display().to_string(),
            |s| s.to_string_lossy().into_owned(),
        ),
        PreSource::Scenario { scenario, .. } => scenario.name.clone(),
    });
    let metric = Metric::new(
        "instructions",
        Kind::Instructions,
        Better::Lower,
        vec![total as f64],
    )
    .context("instruction count is not a number")?;
    let mut results = if args.out.exists() {
        Results::load(&args.out)?
    } else {
        Results {
            schema_version: SCHEMA_VERSION,
            run: RunRecord::current(1),
            scenarios: vec![],
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
            s.metrics.insert(METRIC.to_string(), metric);
        }
        None => {
            let mut entry = entry;
            entry.metrics.insert(METRIC.to_string(), metric);
            results.scenarios.push(entry);
        }
    }
    results.save(&args.out)?;
    println!(
        "{name}: {total} instructions (maxeb transition --slots {}, callgrind, 1 thread) -> {}",
        args.slots,
        args.out.display()
    );
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
    let ssz_bytes = state.as_ssz_bytes().len() as u64;
    let engine = FastEngine::new(state.clone())?;
    let memory = ssz_bytes.saturating_add(engine.cache_bytes() as u64);
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
        counts: BTreeMap::new(),
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
