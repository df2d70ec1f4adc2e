//! `maxeb instructions`: instruction counts under callgrind, recorded in a `results.json` for
//! `maxeb gate` and `maxeb report`. Seconds on a shared machine move by tens of percent;
//! instructions for the same binary and input do not (see `scenario_counts` for the measured
//! spread), so a 5% regression of work is visible in one run. Blind to what instructions do not
//! show (cache misses, memory bandwidth, lock waits): that is what the time metrics are for.
//! Roots are counted on the AVX2 SHA-256 path: valgrind hides SHA-NI, which native runs use.
//!
//! Every count runs with one rayon thread, so it does not depend on how the work was split:
//! - [`scenario_counts`] (one callgrind run): `process_epoch`, `state_root_warm`, `slots_32`,
//!   the operations `maxeb epoch` and `maxeb report` time, each on the same engine they use;
//! - `transition_instructions`: the whole `maxeb transition --pre FILE --slots N` (decode, cache
//!   build, the slots and the epoch, the post-state root), a second run.

use crate::results::{Better, Kind, Metric, Results, RunRecord, ScenarioResult, SCHEMA_VERSION};
use crate::source::{load, PreSource, PresetArg, StateArgs};
use anyhow::{bail, Context, Result};
use maxeb_core::fast::FastEngine;
use maxeb_core::helpers::accessors::get_current_epoch;
use maxeb_core::types::{BeaconState, Root};
use maxeb_core::{Mainnet, Minimal, Preset};
use ssz::Encode;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The metrics this command writes.
pub const TRANSITION: &str = "transition_instructions";
pub const EPOCH: &str = "process_epoch_instructions";

/// The keys of `scenario_counts` (and of `ScenarioResult::instructions`), each with the function
/// of the inner run that does exactly that operation (callgrind dumps on its entry and exit).
const COUNTED: [(&str, &str); 3] = [
    ("process_epoch", "maxeb_count_process_epoch"),
    ("state_root_warm", "maxeb_count_state_root_warm"),
    ("slots_32", "maxeb_count_slots_32"),
];

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub state: StateArgs,
    /// Slots the counted transition advances.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=8192))]
    pub slots: u64,
    /// results.json to add the counts to (its scenario entry is created or extended).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Scenario name to record under (default: the scenario's name, or the file stem).
    #[arg(long)]
    pub name: Option<String>,
    /// The valgrind executable.
    #[arg(long, default_value = "valgrind")]
    pub valgrind: String,
    /// Internal: run the three counted operations on this state file (what callgrind counts).
    #[arg(long, hide = true, value_name = "FILE")]
    pub inner_counts: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    if let Some(file) = &args.inner_counts {
        let preset = match args.state.preset {
            Some(p) => p,
            None => crate::source::infer_preset(file)?,
        };
        return match preset {
            PresetArg::Mainnet => inner_counts::<Mainnet>(file),
            PresetArg::Minimal => inner_counts::<Minimal>(file),
        };
    }
    if !valgrind_available(&args.valgrind) {
        bail!(
            "`{} --version` does not run: install valgrind (its callgrind tool counts the \
             instructions) or pass --valgrind PATH",
            args.valgrind
        );
    }
    let (source, preset) = args.state.resolve()?;
    match preset {
        PresetArg::Mainnet => run_preset::<Mainnet>(args, &source, preset),
        PresetArg::Minimal => run_preset::<Minimal>(args, &source, preset),
    }
}

/// Whether `valgrind --version` runs (the report skips counts with a note when it does not).
pub fn valgrind_available(valgrind: &str) -> bool {
    Command::new(valgrind)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Instruction counts of one state's fast engine under callgrind, one rayon thread:
/// "process_epoch" (one fast process_epoch on a fresh engine clone), "state_root_warm" (the root
/// right after that epoch), "slots_32" (process_slots over 32 slots from a fresh clone).
///
/// One callgrind run: the inner run (`--inner-counts`) builds the engine and its cold root
/// uncounted, then calls one `#[inline(never)]` function per operation; callgrind collects only
/// inside them (`--toggle-collect`) and dumps on leaving each (`--dump-after`), so the part a
/// function's exit writes holds exactly that function.
pub fn scenario_counts(
    pre: &Path,
    preset: PresetArg,
    valgrind: &str,
) -> Result<BTreeMap<String, u64>> {
    let exe = std::env::current_exe().context("locating the maxeb executable")?;
    let work = tempdir()?;
    let result = counts_in(&work, &exe, pre, preset, valgrind);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn counts_in(
    work: &Path,
    exe: &Path,
    pre: &Path,
    preset: PresetArg,
    valgrind: &str,
) -> Result<BTreeMap<String, u64>> {
    let out = work.join("counts.out");
    let mut options = vec!["--collect-atstart=no".to_string()];
    for (_, f) in COUNTED {
        // Patterns match the whole name, so neither matches a closure's `f::{{closure}}`. They
        // differ in text on purpose: given one pattern string for both options, callgrind 3.19
        // applied only one of them to the second and third function.
        options.push(format!("--toggle-collect=*::{f}"));
        options.push(format!("--dump-after=*{f}"));
    }
    let preset_name = match preset {
        PresetArg::Mainnet => "mainnet",
        PresetArg::Minimal => "minimal",
    };
    callgrind(
        valgrind,
        &out,
        &options,
        &[
            "instructions".as_ref(),
            "--out".as_ref(),
            work.join("unused.json").as_os_str(),
            "--preset".as_ref(),
            preset_name.as_ref(),
            "--inner-counts".as_ref(),
            pre.as_os_str(),
        ],
        exe,
    )?;
    let mut parts = vec![];
    for entry in
        std::fs::read_dir(work).with_context(|| format!("{}: cannot list", work.display()))?
    {
        let path = entry
            .with_context(|| format!("{}: cannot list", work.display()))?
            .path();
        let is_part = path
            .file_name()
            .and_then(OsStr::to_str)
            .is_some_and(|n| n.starts_with("counts.out"));
        if is_part {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            parts.push((path, text));
        }
    }
    split_counts(&parts)
}

/// Each counted function's instructions: the `totals:` of the part written on leaving it.
/// Collection is on only inside the counted functions and each exit dumps (and zeroes), so that
/// part holds exactly one call; every other part (the final one) must hold nothing.
fn split_counts(parts: &[(PathBuf, String)]) -> Result<BTreeMap<String, u64>> {
    let mut counts = BTreeMap::new();
    for (path, text) in parts {
        let total =
            parse_totals(text).with_context(|| format!("{}: no `totals:` line", path.display()))?;
        let counted = trigger(text)
            .and_then(|t| t.strip_prefix("--dump-after="))
            .and_then(|name| COUNTED.iter().find(|(_, f)| name.ends_with(f)));
        match counted {
            Some((key, f)) => {
                if total == 0 {
                    bail!("{}: `{f}` counted 0 instructions", path.display());
                }
                if counts.insert(key.to_string(), total).is_some() {
                    bail!(
                        "{}: callgrind left `{f}` twice (one call expected)",
                        path.display()
                    );
                }
            }
            None if total != 0 => bail!(
                "{}: {total} instructions collected outside the counted functions",
                path.display()
            ),
            None => {}
        }
    }
    for (key, f) in COUNTED {
        if !counts.contains_key(key) {
            bail!("callgrind wrote no part for leaving `{f}`");
        }
    }
    Ok(counts)
}

/// What made callgrind write a part: `desc: Trigger: WHAT` in its header.
fn trigger(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|l| l.strip_prefix("desc: Trigger:"))
        .map(str::trim)
}

fn run_preset<P: Preset>(args: &Args, source: &PreSource, preset: PresetArg) -> Result<()> {
    let state: BeaconState<P> = load(source)?;
    let work = tempdir()?;
    let result = count(args, source, preset, &state, &work);
    let _ = std::fs::remove_dir_all(&work);
    result
}

fn count<P: Preset>(
    args: &Args,
    source: &PreSource,
    preset: PresetArg,
    state: &BeaconState<P>,
    work: &Path,
) -> Result<()> {
    // The counted runs read a file, so a scenario is written out first (outside the count).
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
    let out = work.join("transition.out");
    callgrind(
        &args.valgrind,
        &out,
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
    let text = std::fs::read_to_string(&out)
        .with_context(|| format!("{}: callgrind wrote no output", out.display()))?;
    let transition =
        parse_totals(&text).with_context(|| format!("{}: no `totals:` line", out.display()))?;
    let counts = scenario_counts(&pre, preset, &args.valgrind)?;
    let epoch = counts.get("process_epoch").copied().unwrap_or_default();
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
    let scenario = match results.scenarios.iter_mut().position(|s| s.name == name) {
        Some(i) => {
            let s = results.scenarios.get_mut(i).context("scenario index")?;
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
            s
        }
        None => {
            results.scenarios.push(entry);
            results
                .scenarios
                .last_mut()
                .context("scenario just added")?
        }
    };
    scenario
        .metrics
        .extend(metrics.map(|(k, m)| (k.to_string(), m)));
    scenario.instructions.extend(counts.clone());
    results.save(&args.out)?;
    let list: Vec<String> = counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
    println!(
        "{name}: {}, maxeb transition --slots {} {transition} instructions (callgrind, 1 thread) -> {}",
        list.join(", "),
        args.slots,
        args.out.display()
    );
    Ok(())
}

/// Runs `exe cmd...` under callgrind with one rayon thread, writing to `out` (and its parts).
fn callgrind(
    valgrind: &str,
    out: &Path,
    options: &[String],
    cmd: &[&OsStr],
    exe: &Path,
) -> Result<()> {
    let output = Command::new(valgrind)
        .arg("--tool=callgrind")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .args(options)
        .arg(exe)
        .args(cmd)
        .env("RAYON_NUM_THREADS", "1")
        // mimalloc returns freed memory to the OS once a delay on the clock has passed (1 s by
        // default), so a slow (loaded) run purged inside a counted function and a fast one did
        // not (up to +21k instructions, 1.1e-3 of a warm root on `small`); never purging
        // takes the clock out of the count.
        .env("MIMALLOC_PURGE_DELAY", "-1")
        .output()
        .with_context(|| format!("running `{valgrind}` (is valgrind installed?)"))?;
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
    Ok(())
}

/// The inner run of [`scenario_counts`]: load and build the engine and its cold root (not
/// counted), then the three counted functions inside a one-thread pool, so rayon runs their
/// parallel parts on the thread that entered them (inside callgrind's toggle).
fn inner_counts<P: Preset>(file: &Path) -> Result<()> {
    let state = maxeb_core::io::read_state::<P>(file)?;
    let mut engine = FastEngine::new(state)?;
    let _ = engine.hash_tree_root();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .context("building the one-thread pool")?;
    let root = pool.install(|| -> Result<Root> {
        let mut e = engine.clone();
        maxeb_count_process_epoch(&mut e)?;
        let root = maxeb_count_state_root_warm(&mut e);
        drop(e);
        let mut e = engine.clone();
        let to = e.state().slot.saturating_add(32);
        maxeb_count_slots_32(&mut e, to)?;
        Ok(root)
    })?;
    println!("post-epoch root {root}");
    Ok(())
}

// The counted functions: `#[inline(never)]` so each is a symbol callgrind can dump around, and
// no closures inside (a closure's symbol starts with its parent's and would match too).
#[inline(never)]
fn maxeb_count_process_epoch<P: Preset>(e: &mut FastEngine<P>) -> Result<()> {
    Ok(e.process_epoch()?)
}

#[inline(never)]
fn maxeb_count_state_root_warm<P: Preset>(e: &mut FastEngine<P>) -> Root {
    e.hash_tree_root()
}

#[inline(never)]
fn maxeb_count_slots_32<P: Preset>(e: &mut FastEngine<P>, to: u64) -> Result<()> {
    Ok(e.process_slots(to)?)
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
    let active = crate::source::active_count(state);
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

/// A fresh directory for one call's callgrind output (calls may run at the same time).
pub(crate) fn tempdir() -> Result<PathBuf> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!(
        "maxeb-instructions-{}-{n}-{}",
        std::process::id(),
        crate::meta::utc_now().replace(':', "")
    ));
    std::fs::create_dir_all(&d).with_context(|| format!("{}: cannot create", d.display()))?;
    Ok(d)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn totals_line() {
        let text = "events: Ir\nsummary: 12\nfn=x\n0 12\ntotals: 768061837\n";
        assert_eq!(parse_totals(text), Some(768_061_837));
        assert_eq!(parse_totals("summary: 1\n"), None);
    }

    /// A dump part as callgrind 3.19 writes it (header lines that matter here).
    fn part(n: usize, trigger: &str, total: u64) -> (PathBuf, String) {
        (
            PathBuf::from(format!("counts.out.{n}")),
            format!("version: 1\ndesc: Trigger: {trigger}\nevents: Ir\nsummary: {total}\ntotals: {total}\n"),
        )
    }

    fn after(f: &str) -> String {
        format!("--dump-after=maxeb::instructions::{f}")
    }

    #[test]
    fn each_function_from_the_part_its_exit_wrote() {
        let parts = vec![
            part(0, "Program termination", 0),
            part(3, &after("maxeb_count_slots_32"), 300),
            part(1, &after("maxeb_count_process_epoch"), 100),
            part(2, &after("maxeb_count_state_root_warm"), 200),
        ];
        let counts = split_counts(&parts).unwrap();
        let want: BTreeMap<String, u64> = [
            ("process_epoch".to_string(), 100),
            ("state_root_warm".to_string(), 200),
            ("slots_32".to_string(), 300),
        ]
        .into();
        assert_eq!(counts, want);
    }

    #[test]
    fn parts_that_cannot_be_split_are_errors() {
        let good = || {
            vec![
                part(1, &after("maxeb_count_process_epoch"), 100),
                part(2, &after("maxeb_count_state_root_warm"), 200),
                part(3, &after("maxeb_count_slots_32"), 300),
            ]
        };
        // Instructions outside the counted functions: collection was not confined to them.
        let mut leak = good();
        leak.push(part(0, "Program termination", 5));
        let e = split_counts(&leak).unwrap_err().to_string();
        assert!(e.contains("outside the counted functions"), "{e}");
        // A function never left (or its dump missing).
        let missing: Vec<_> = good().into_iter().take(2).collect();
        let e = split_counts(&missing).unwrap_err().to_string();
        assert!(e.contains("maxeb_count_slots_32"), "{e}");
        // A function left twice: the inner run called it twice.
        let mut twice = good();
        twice.push(part(4, &after("maxeb_count_slots_32"), 300));
        let e = split_counts(&twice).unwrap_err().to_string();
        assert!(e.contains("twice"), "{e}");
        // Nothing counted inside a function: its toggle did not apply.
        let mut zero = good();
        zero[1] = part(2, &after("maxeb_count_state_root_warm"), 0);
        let e = split_counts(&zero).unwrap_err().to_string();
        assert!(e.contains("counted 0"), "{e}");
    }
}
