//! `maxeb flamegraph --target epoch|root|slots|cold-root|sigs`: profile one part of the fast engine,
//! or the gossip verification of an epoch's attestations, with pprof (sampling, ~1 kHz) on a
//! scenario or state file and write an SVG flame graph under `flamegraphs/` (or `--out`).
//!
//! Each iteration works on a fresh clone of the warm engine. pprof cannot pause, so the clone is
//! sampled too: it runs in `fresh_copy`, its own tower in the graph, apart from the work profiled.
//! Build with `--profile profiling` (release + debug info) for source-level frames.

use crate::source::{load, PreSource, PresetArg, StateArgs};
use anyhow::{anyhow, bail, Context, Result};
use clap::ValueEnum;
use maxeb_core::fast::FastEngine;
use maxeb_core::helpers::accessors::{get_active_validator_indices, get_current_epoch};
use maxeb_core::sigs::{verify_gossip, Blinding, PubkeyCache};
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Minimal, Preset};
use maxeb_fixtures::attestations::{epoch_workload, key_count, WorkloadOptions};
use maxeb_fixtures::keys;
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
    /// Gossip batch verification of one epoch's attestations (`maxeb_core::sigs::verify_gossip`,
    /// batches of 4,096, OS blinding), signed by the fixture keys (cached as `maxeb sigs` does);
    /// needs `--scenario`, whose seed gives the keys.
    Sigs,
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
    if args.target == Target::Sigs && source.scenario().is_none() {
        bail!(
            "{}: --target sigs needs --scenario (the signing keys come from the scenario's seed)",
            source.name()
        );
    }
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
    let budget = Duration::from_secs(args.seconds);
    let (report, iterations, elapsed) = if args.target == Target::Sigs {
        let work = sigs_setup(source, &state)?;
        drop(state);
        profile(args, budget, || {
            let r = verify_gossip(
                &work.attestations,
                &work.signing_roots,
                &work.cache,
                4096,
                &Blinding::Os,
            )
            .map_err(|e| anyhow!("{}: gossip verification: {e}", source.name()))?;
            if !r.invalid.is_empty() {
                return Err(anyhow!(
                    "{}: {} attestations failed gossip verification",
                    source.name(),
                    r.invalid.len()
                ));
            }
            Ok(())
        })?
    } else {
        let mut engine = FastEngine::new(state).map_err(err)?;
        engine.hash_tree_root();
        profile(args, budget, || {
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
                Target::Sigs => {}
            }
            Ok(())
        })?
    };
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
        elapsed.as_secs_f64(),
        out.display()
    );
    Ok(())
}

/// Runs `work` under the profiler until `budget` has passed (at least once); the report, the
/// iterations and the time they took.
fn profile(
    args: &Args,
    budget: Duration,
    mut work: impl FnMut() -> Result<()>,
) -> Result<(pprof::Report, u64, Duration)> {
    let guard = pprof::ProfilerGuardBuilder::default()
        .frequency(args.frequency)
        .blocklist(&["libc", "libgcc", "pthread", "vdso"])
        .build()
        .context("starting the profiler")?;
    let start = Instant::now();
    let mut iterations = 0u64;
    while iterations == 0 || start.elapsed() < budget {
        work()?;
        iterations = iterations.saturating_add(1);
    }
    let elapsed = start.elapsed();
    let report = guard.report().build().context("building the profile")?;
    Ok((report, iterations, elapsed))
}

/// One epoch's attestations, their signing roots and the pubkey cache of the active set.
struct SigsWork {
    attestations: Vec<maxeb_core::sigs::SingleAttestation>,
    signing_roots: Vec<maxeb_core::types::Root>,
    cache: PubkeyCache,
}

/// Signs (or reads from the signature cache `maxeb sigs` shares: `$MAXEB_SIG_CACHE`, else
/// `sigs/` in the output folder) the epoch's attestations with the scenario's fixture keys.
fn sigs_setup<P: Preset>(source: &PreSource, state: &BeaconState<P>) -> Result<SigsWork> {
    let scenario = source.scenario().ok_or_else(|| {
        anyhow!(
            "{}: --target sigs needs --scenario (the signing keys come from the scenario's seed)",
            source.name()
        )
    })?;
    let opts = WorkloadOptions {
        label: scenario.name.clone(),
        seed: scenario.seed,
        participation: scenario.participation.previous.source,
        wrong_head: 0.05,
        cache_dir: Some(
            std::env::var_os("MAXEB_SIG_CACHE")
                .map(PathBuf::from)
                .unwrap_or_else(|| maxeb_fixtures::paths::out_dir().join("sigs")),
        ),
        progress: false,
        key_count: Some(key_count(scenario)),
        key_cache: Some(keys::default_cache_dir()),
    };
    let (work, _) = epoch_workload(state, &opts)
        .with_context(|| format!("{}: signing the epoch's attestations", source.name()))?;
    let active = get_active_validator_indices(state, get_current_epoch(state));
    let cache = PubkeyCache::build(&state.validators, &active);
    Ok(SigsWork {
        attestations: work.attestations,
        signing_roots: work.signing_roots,
        cache,
    })
}
