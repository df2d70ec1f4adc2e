//! `maxeb flamegraph --target epoch|root|slots`: profile one part of the fast engine with pprof
//! (sampling, ~1 kHz) on a scenario or state file and write an SVG flame graph under
//! `flamegraphs/` (or `--out`).
//!
//! Each iteration works on a fresh clone of the warm engine. pprof cannot pause, so the clone is
//! sampled too: it runs in `fresh_copy`, its own tower in the graph, apart from the work profiled.
//! Build with `--profile profiling` (release + debug info) for source-level frames.

use crate::source::{load, PreSource, PresetArg, StateArgs};
use anyhow::{anyhow, Context, Result};
use clap::ValueEnum;
use maxeb_core::fast::FastEngine;
use maxeb_core::{Mainnet, Minimal, Preset};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What to profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Target {
    /// `process_epoch` on the fast engine.
    Epoch,
    /// The warm state root after one epoch (the epoch itself is sampled too, as its own tower).
    Root,
    /// 32 slots across the epoch boundary.
    Slots,
    /// The cold root of a freshly loaded state.
    ColdRoot,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub state: StateArgs,
    #[arg(long, value_enum)]
    pub target: Target,
    /// Seconds of profiling (iterations repeat until then; at least one runs).
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Sampling frequency, Hz.
    #[arg(long, default_value_t = 997)]
    pub frequency: i32,
    /// The SVG to write; default flamegraphs/<source>-<target>.svg in the checkout (else the
    /// default output folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<()> {
    let (source, preset) = args.state.resolve()?;
    match preset {
        PresetArg::Mainnet => run_preset::<Mainnet>(args, &source),
        PresetArg::Minimal => run_preset::<Minimal>(args, &source),
    }
}

/// The clone each iteration starts from (named, so it is one tower of the graph).
#[inline(never)]
fn fresh_copy<P: Preset>(engine: &FastEngine<P>) -> FastEngine<P> {
    engine.clone()
}

fn run_preset<P: Preset>(args: &Args, source: &PreSource) -> Result<()> {
    let name = source
        .scenario()
        .map(|s| s.name.clone())
        .unwrap_or_else(|| {
            source
                .name()
                .rsplit('/')
                .next()
                .unwrap_or("state")
                .trim_end_matches(".ssz_snappy")
                .trim_end_matches(".ssz")
                .to_string()
        });
    let target = format!("{:?}", args.target).to_lowercase();
    let out = args.out.clone().unwrap_or_else(|| {
        let dir = std::env::current_dir()
            .ok()
            .and_then(|d| maxeb_fixtures::paths::checkout_root(&d))
            .map(|r| r.join("flamegraphs"))
            .unwrap_or_else(|| maxeb_fixtures::paths::out_dir().join("flamegraphs"));
        dir.join(format!("{name}-{target}.svg"))
    });
    let state = load::<P>(source)?;
    let err = |e: maxeb_core::error::Error| anyhow!("{}: {e}", source.name());
    let mut engine = FastEngine::new(state).map_err(err)?;
    engine.hash_tree_root();

    let guard = pprof::ProfilerGuardBuilder::default()
        .frequency(args.frequency)
        .blocklist(&["libc", "libgcc", "pthread", "vdso"])
        .build()
        .context("starting the profiler")?;
    let budget = Duration::from_secs(args.seconds);
    let start = Instant::now();
    let mut iterations = 0u64;
    while iterations == 0 || start.elapsed() < budget {
        match args.target {
            Target::Epoch => {
                let mut e = fresh_copy(&engine);
                e.process_epoch().map_err(err)?;
            }
            Target::Root => {
                let mut e = fresh_copy(&engine);
                e.process_epoch().map_err(err)?;
                e.hash_tree_root();
            }
            Target::Slots => {
                let mut e = fresh_copy(&engine);
                let to = e.state().slot.saturating_add(32);
                e.process_slots(to).map_err(err)?;
            }
            Target::ColdRoot => {
                let mut e = FastEngine::new(engine.state().clone()).map_err(err)?;
                e.hash_tree_root();
            }
        }
        iterations = iterations.saturating_add(1);
    }
    let report = guard.report().build().context("building the profile")?;
    let mut svg = Vec::new();
    report
        .flamegraph(&mut svg)
        .context("drawing the flame graph")?;
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
    }
    maxeb_core::io::write_atomic(&out, &svg)?;
    println!(
        "{}: {iterations} iterations of {target} in {:.1} s; flame graph {}",
        source.name(),
        start.elapsed().as_secs_f64(),
        out.display()
    );
    Ok(())
}
