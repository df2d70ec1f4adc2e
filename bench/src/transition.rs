//! `maxeb transition`: read an Electra `BeaconState` (or build a scenario's in memory; by default
//! the embedded `tiny`), run `process_slots` for N slots, write the post-state, print its root and
//! the time each phase took.
//!
//! Errors are returned, never panicked, and each names the file involved. Nothing is written
//! before the transition has succeeded, and the write itself is atomic (temp file + rename), so
//! a failed run leaves no output file.

use crate::source::{load, PreSource, PresetArg, StateArgs};
use anyhow::{anyhow, bail, Context, Result};
use maxeb_core::fast::FastEngine;
use maxeb_core::io::{write_ssz, Format};
use maxeb_core::slots::process_slots;
use maxeb_core::{Mainnet, Minimal, Preset};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tree_hash::TreeHash;

/// With no `--pre` and no `--scenario`, the embedded `tiny` scenario is built in memory (about
/// 0.2 s), so the command runs on a fresh checkout with no files.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub state: StateArgs,
    /// Number of slots to advance (at least 1); the default crosses one epoch boundary.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..))]
    pub slots: u64,
    /// Post-state file: `.ssz` or `.ssz_snappy` (format by extension), written atomically.
    /// Optional: without it the transition runs and reports, and nothing is written.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Run the spec-literal reference path instead of the fast engine (same post-state; the
    /// reference recomputes the whole state root every slot).
    #[arg(long)]
    pub reference: bool,
}

/// Time spent in each phase.
#[derive(Debug, Default)]
struct Timings {
    load: Duration,
    /// The fast engine's epoch caches (none on the reference path).
    caches: Option<Duration>,
    transition: Duration,
    root: Duration,
    write: Duration,
}

pub fn run(args: &Args) -> Result<()> {
    // Reject a bad output path before doing minutes of work at mainnet scale.
    if let Some(out) = &args.out {
        check_out_path(out)?;
    }
    let (source, preset) = args.state.resolve()?;
    match preset {
        PresetArg::Mainnet => run_preset::<Mainnet>(args, &source),
        PresetArg::Minimal => run_preset::<Minimal>(args, &source),
    }
}

fn run_preset<P: Preset>(args: &Args, source: &PreSource) -> Result<()> {
    let mut t = Timings::default();

    let start = Instant::now();
    let mut state = load::<P>(source)?;
    t.load = start.elapsed();

    let from = state.slot;
    let validators_pre = state.validators.len();
    let to = from.checked_add(args.slots).ok_or_else(|| {
        anyhow!(
            "{}: slot {from} + {} slots overflows uint64",
            source.name(),
            args.slots
        )
    })?;

    let failed = || {
        format!(
            "{}: process_slots from slot {from} to {to} failed",
            source.name()
        )
    };
    let (state, root) = if args.reference {
        let start = Instant::now();
        process_slots(&mut state, to).with_context(failed)?;
        t.transition = start.elapsed();
        let start = Instant::now();
        let root = state.tree_hash_root();
        t.root = start.elapsed();
        (state, root)
    } else {
        let start = Instant::now();
        let mut engine = FastEngine::new(state)
            .with_context(|| format!("{}: building the fast engine's caches", source.name()))?;
        t.caches = Some(start.elapsed());
        // The first slot's root is the cold root (every layer hashed, in parallel).
        let start = Instant::now();
        engine.process_slots(to).with_context(failed)?;
        t.transition = start.elapsed();
        let start = Instant::now();
        let root = engine.hash_tree_root();
        t.root = start.elapsed();
        (engine.into_state(), root)
    };

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
            "pre: {} ({} preset, slot {from}, {} validators; {} path)",
            source.name(),
            P::NAME,
            validators_pre,
            if args.reference { "reference" } else { "fast" }
        )?;
        match &args.out {
            Some(path) => writeln!(out, "post: {} (slot {to})", path.display())?,
            None => writeln!(out, "post: slot {to} (not written: no --out)")?,
        }
        writeln!(out, "state_root: {root}")?;
        let caches = t
            .caches
            .map(|d| format!(", caches {} ms", ms(d)))
            .unwrap_or_default();
        writeln!(
            out,
            "time: load {} ms{caches}, transition {} ms, root {} ms, write {} ms",
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

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}
