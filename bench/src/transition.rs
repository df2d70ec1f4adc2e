//! `maxeb transition`: read an Electra `BeaconState` (or build a scenario's in memory; by default
//! the embedded `tiny`), run `process_slots` for N slots, write the post-state, print its root and
//! the time each phase took.
//!
//! Errors are returned, never panicked, and each names the file involved. Nothing is written
//! before the transition has succeeded, and the write itself is atomic (temp file + rename), so
//! a failed run leaves no output file.

use anyhow::{anyhow, bail, Context, Result};
use clap::ValueEnum;
use maxeb_core::io::{read_state, write_ssz, Format};
use maxeb_core::slots::process_slots;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Minimal, Preset};
use maxeb_fixtures::{generate_state, keys, GenOptions, PresetName, Scenario, ScenarioSource};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tree_hash::TreeHash;

/// The consensus preset (with its paired chain config) the state is encoded for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PresetArg {
    Mainnet,
    Minimal,
}

/// With no `--pre` and no `--scenario`, the embedded `tiny` scenario is built in memory (about
/// 0.2 s), so the command runs on a fresh checkout with no files.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Preset of the pre-state. With --pre it is read from the file's layout when omitted (the
    /// fixed part's length differs between presets); a scenario names its own.
    #[arg(long, value_enum)]
    pub preset: Option<PresetArg>,
    /// Pre-state file: Electra BeaconState, `.ssz` or `.ssz_snappy`.
    #[arg(long, value_name = "FILE", conflicts_with = "scenario")]
    pub pre: Option<PathBuf>,
    /// Build this scenario's state in memory instead (a name under fixtures/scenarios/ or a YAML
    /// path); default `tiny`, embedded in the binary.
    #[arg(long, value_name = "NAME")]
    pub scenario: Option<String>,
    /// Number of slots to advance (at least 1); the default crosses one epoch boundary.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..))]
    pub slots: u64,
    /// Post-state file: `.ssz` or `.ssz_snappy` (format by extension), written atomically.
    /// Optional: without it the transition runs and reports, and nothing is written.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Where the pre-state comes from.
#[derive(Debug)]
enum PreSource<'a> {
    File(&'a Path),
    /// A scenario, parsed once (its preset picks the code path), with its label for messages.
    Scenario {
        label: String,
        scenario: Box<Scenario>,
    },
}

impl Args {
    /// The pre-state's source and preset.
    fn pre_source(&self) -> Result<(PreSource<'_>, PresetArg)> {
        let source = match (&self.pre, &self.scenario) {
            (Some(p), _) => {
                let preset = match self.preset {
                    Some(preset) => preset,
                    None => infer_preset(p)?,
                };
                return Ok((PreSource::File(p), preset));
            }
            (None, Some(name)) => ScenarioSource::parse(name),
            (None, None) => ScenarioSource::Builtin("tiny".into()),
        };
        let scenario = source.load()?;
        let named = match scenario.preset {
            PresetName::Mainnet => PresetArg::Mainnet,
            PresetName::Minimal => PresetArg::Minimal,
        };
        if let Some(p) = self.preset.filter(|p| *p != named) {
            bail!(
                "{}: scenario is for the {named:?} preset, not {p:?}",
                source.label()
            );
        }
        let label = source.label();
        Ok((
            PreSource::Scenario {
                label,
                scenario: Box::new(scenario),
            },
            named,
        ))
    }
}

/// Time spent in each phase.
#[derive(Debug, Default)]
struct Timings {
    load: Duration,
    transition: Duration,
    root: Duration,
    write: Duration,
}

pub fn run(args: &Args) -> Result<()> {
    // Reject a bad output path before doing minutes of work at mainnet scale.
    if let Some(out) = &args.out {
        check_out_path(out)?;
    }
    let (source, preset) = args.pre_source()?;
    match preset {
        PresetArg::Mainnet => run_preset::<Mainnet>(args, &source),
        PresetArg::Minimal => run_preset::<Minimal>(args, &source),
    }
}

fn run_preset<P: Preset>(args: &Args, source: &PreSource<'_>) -> Result<()> {
    let mut t = Timings::default();

    let start = Instant::now();
    let mut state = load::<P>(source)?;
    t.load = start.elapsed();

    let from = state.slot;
    let to = from.checked_add(args.slots).ok_or_else(|| {
        anyhow!(
            "{}: slot {from} + {} slots overflows uint64",
            source_name(source),
            args.slots
        )
    })?;

    let start = Instant::now();
    process_slots(&mut state, to).with_context(|| {
        format!(
            "{}: process_slots from slot {from} to {to} failed",
            source_name(source)
        )
    })?;
    t.transition = start.elapsed();

    let start = Instant::now();
    let root = state.tree_hash_root();
    t.root = start.elapsed();

    let start = Instant::now();
    if let Some(out) = &args.out {
        write_ssz(out, &state)?;
    }
    t.write = start.elapsed();

    // writeln! rather than println!: a closed stdout is an error, not a panic.
    let mut out = std::io::stdout().lock();
    let report = (|| {
        writeln!(
            out,
            "pre: {} ({} preset, slot {from}, {} validators)",
            source_name(source),
            P::NAME,
            state.validators.len()
        )?;
        match &args.out {
            Some(path) => writeln!(out, "post: {} (slot {to})", path.display())?,
            None => writeln!(out, "post: slot {to} (not written: no --out)")?,
        }
        writeln!(out, "state_root: {root}")?;
        writeln!(
            out,
            "time: load {} ms, transition {} ms, root {} ms, write {} ms",
            ms(t.load),
            ms(t.transition),
            ms(t.root),
            ms(t.write)
        )?;
        out.flush()
    })();
    report.context("cannot write the report to stdout")?;
    Ok(())
}

fn load<P: Preset>(source: &PreSource<'_>) -> Result<BeaconState<P>> {
    match source {
        PreSource::File(path) => {
            let state = read_state::<P>(path)?;
            check_fork::<P>(path, &state)?;
            Ok(state)
        }
        PreSource::Scenario { label, scenario } => {
            // A mainnet-sized scenario derives ~2M keys once, then reads them from the cache.
            let opts = GenOptions {
                key_cache: Some(keys::default_cache_dir()),
            };
            let (state, _) = generate_state::<P>(scenario, &opts)
                .with_context(|| format!("{label}: generating the state"))?;
            Ok(state)
        }
    }
}

fn source_name(source: &PreSource<'_>) -> String {
    match source {
        PreSource::File(path) => path.display().to_string(),
        PreSource::Scenario { label, .. } => label.clone(),
    }
}

/// The preset a state file's layout says, or an error asking for `--preset`.
pub fn infer_preset(path: &Path) -> Result<PresetArg> {
    match maxeb_core::io::state_file_preset(path)? {
        Some(name) if name == Mainnet::NAME => Ok(PresetArg::Mainnet),
        Some(name) if name == Minimal::NAME => Ok(PresetArg::Minimal),
        _ => bail!(
            "{}: cannot tell the preset from the file (its layout fits neither mainnet nor \
             minimal); pass --preset",
            path.display()
        ),
    }
}

/// A state of another fork can decode as Electra only by accident; its fork version says so.
fn check_fork<P: Preset>(path: &Path, state: &BeaconState<P>) -> Result<()> {
    let have = state.fork.current_version;
    let want = P::ELECTRA_FORK_VERSION;
    if have != want {
        bail!(
            "{}: fork.current_version is 0x{}, not Electra's 0x{} ({} preset)",
            path.display(),
            hex4(have),
            hex4(want),
            P::NAME
        );
    }
    Ok(())
}

/// The output must have a known extension and an existing folder; the file itself may exist
/// (it is replaced atomically).
fn check_out_path(out: &Path) -> Result<()> {
    Format::from_path(out)?;
    if out.is_dir() {
        bail!("{}: cannot write: is a directory", out.display());
    }
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!(
            "{}: cannot write: folder {} does not exist",
            out.display(),
            dir.display()
        );
    }
    Ok(())
}

fn hex4(v: [u8; 4]) -> String {
    v.iter().map(|b| format!("{b:02x}")).collect()
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}
