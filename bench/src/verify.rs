//! `maxeb verify`: run the fast engine and the spec-literal reference path on the same state and
//! compare the post-states (field by field, `maxeb diff`'s report) and their roots (the fast
//! engine's incremental root against the reference's full `hash_tree_root`). Exit 0 when they
//! agree, 1 when they differ.

use crate::source::{load, PreSource, PresetArg, StateArgs};
use anyhow::{anyhow, Result};
use maxeb_core::diff::diff_states;
use maxeb_core::fast::FastEngine;
use maxeb_core::slots::process_slots;
use maxeb_core::{Mainnet, Minimal, Preset};
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;
use tree_hash::TreeHash;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub state: StateArgs,
    /// Slots to advance on both paths (the default, from a state at an epoch's last slot, crosses
    /// one epoch boundary; the reference rehashes the whole state every slot, ~4 s at 2M indices).
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    pub slots: u64,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let (source, preset) = args.state.resolve()?;
    match preset {
        PresetArg::Mainnet => run_preset::<Mainnet>(args, &source),
        PresetArg::Minimal => run_preset::<Minimal>(args, &source),
    }
}

fn run_preset<P: Preset>(args: &Args, source: &PreSource) -> Result<ExitCode> {
    let pre = load::<P>(source)?;
    let to = pre
        .slot
        .checked_add(args.slots)
        .ok_or_else(|| anyhow!("{}: slot overflow", source.name()))?;
    let failed = |path: &str, e: maxeb_core::error::Error| {
        anyhow!("{}: {path} process_slots to {to}: {e}", source.name())
    };

    let t = Instant::now();
    let mut engine = FastEngine::new(pre.clone()).map_err(|e| failed("fast", e))?;
    engine.process_slots(to).map_err(|e| failed("fast", e))?;
    let fast_root = engine.hash_tree_root();
    let fast_time = t.elapsed();
    let fast = engine.into_state();

    let t = Instant::now();
    let mut reference = pre;
    process_slots(&mut reference, to).map_err(|e| failed("reference", e))?;
    let reference_root = reference.tree_hash_root();
    let reference_time = t.elapsed();

    let d = diff_states(&reference, &fast, 10);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{}: {} slots to slot {to}, {} validators",
        source.name(),
        args.slots,
        reference.validators.len()
    )?;
    writeln!(
        out,
        "reference: root {reference_root} ({:.0} ms)",
        reference_time.as_secs_f64() * 1e3
    )?;
    writeln!(
        out,
        "fast:      root {fast_root} ({:.0} ms, incremental root)",
        fast_time.as_secs_f64() * 1e3
    )?;
    // The fast root is the cache's; it must equal a full recompute of the fast state too.
    let fast_full = fast.tree_hash_root();
    if d.is_empty() && fast_root == reference_root && fast_full == fast_root {
        writeln!(out, "equal: byte-identical post-states, equal roots")?;
        return Ok(ExitCode::SUCCESS);
    }
    if fast_full != fast_root {
        writeln!(
            out,
            "DIFFER: the fast engine's cached root {fast_root} != its state's full root {fast_full}"
        )?;
    }
    if !d.is_empty() {
        writeln!(
            out,
            "DIFFER: {} fields (reference -> fast):",
            d.fields.len()
        )?;
        write!(out, "{}", d.render())?;
    }
    Ok(ExitCode::from(1))
}
