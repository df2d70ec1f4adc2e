//! `maxeb epoch`: load (or build) a state, build the fast engine's caches, run `process_epoch` N
//! times on fresh copies, and report per-step and total medians with min-max, cache-build time,
//! warm and cold root times, the 32-slot time and peak RSS. `--reference` times the spec-literal
//! path instead. `--json` prints one object (fields in the README).

use crate::meta;
use crate::source::{load, PreSource, PresetArg, StateArgs};
use crate::stats::Summary;
use anyhow::{anyhow, Context, Result};
use indicatif::ProgressBar;
use maxeb_core::epoch::epoch_steps;
use maxeb_core::fast::{EpochTimings, FastEngine};
use maxeb_core::helpers::accessors::get_current_epoch;
use maxeb_core::slots::process_slots;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Minimal, Preset};
use serde_json::{json, Value};
use ssz::Encode;
use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};
use tree_hash::TreeHash;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub state: StateArgs,
    /// Time the spec-literal reference path instead of the fast engine.
    #[arg(long)]
    pub reference: bool,
    /// Runs of process_epoch (each on a fresh copy of the state and caches).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub runs: u64,
    /// Worker threads (rayon); default: every core.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Skip the 32-slot measurement (the reference path takes minutes at mainnet size).
    #[arg(long)]
    pub no_slots: bool,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// What one path measured (shared with `maxeb report`).
#[derive(Default)]
pub struct Measured {
    pub epoch: Vec<Duration>,
    pub steps: BTreeMap<&'static str, Vec<Duration>>,
    /// The order the steps are reported in.
    pub step_order: Vec<&'static str>,
    pub root_warm: Vec<Duration>,
    pub root_cold: Vec<Duration>,
    pub slots_32: Vec<Duration>,
    pub cache_build: Option<Duration>,
    /// The part of `cache_build` that drew the next sync committee ahead (a state in the last
    /// epoch of a period only).
    pub sync_lookahead: Option<Duration>,
    pub cache_bytes: Option<usize>,
    pub post_root: String,
}

/// How much to measure: `runs` epochs (each on a fresh copy), and the 32 slots or not.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub runs: u64,
    pub slots: bool,
}

impl Measured {
    fn step(&mut self, name: &'static str, d: Duration) {
        if !self.steps.contains_key(name) {
            self.step_order.push(name);
        }
        self.steps.entry(name).or_default().push(d);
    }
}

pub fn run(args: &Args) -> Result<()> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build_global()
            .context("setting up the thread pool")?;
    }
    let (source, preset) = args.state.resolve()?;
    match preset {
        PresetArg::Mainnet => run_preset::<Mainnet>(args, &source),
        PresetArg::Minimal => run_preset::<Minimal>(args, &source),
    }
}

/// A spinner on stderr for a phase that may take more than a second (hidden with `--json`
/// piped, as indicatif hides it when stderr is not a terminal).
pub fn progress(what: String) -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_message(what);
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

fn run_preset<P: Preset>(args: &Args, source: &PreSource) -> Result<()> {
    let pb = progress(format!("loading {}", source.name()));
    let t = Instant::now();
    let state = load::<P>(source)?;
    let load_time = t.elapsed();
    pb.finish_and_clear();

    let epoch = get_current_epoch(&state);
    let active = crate::source::active_count(&state);
    let ssz_bytes = state.ssz_bytes_len();
    let (slot, validators) = (state.slot, state.validators.len());
    // The fast path takes the state (no second copy held: peak RSS is the engine plus the one
    // working clone of the run in progress).
    let plan = Plan {
        runs: args.runs,
        slots: !args.no_slots,
    };
    let m = if args.reference {
        reference::<P>(plan, source, &state)?
    } else {
        fast::<P>(plan, source, state)?
    };
    let peak = meta::peak_rss_bytes();
    let path = if args.reference { "reference" } else { "fast" };

    let med = |v: &[Duration]| Summary::of(v).map(|s| s.median_ms);
    if args.json {
        let steps: serde_json::Map<String, Value> = m
            .step_order
            .iter()
            .filter_map(|n| Some((n.to_string(), json!(med(m.steps.get(n)?)?))))
            .collect();
        let steps_range: serde_json::Map<String, Value> = m
            .step_order
            .iter()
            .filter_map(|n| Some((n.to_string(), Summary::of(m.steps.get(n)?)?.json())))
            .collect();
        let mut obj = json!({
            "path": path,
            "source": source.name(),
            "scenario": source.scenario().map(|s| s.name.clone()),
            "seed": source.scenario().map(|s| s.seed),
            "preset": P::NAME,
            "slot": slot,
            "epoch": epoch,
            "validators": validators,
            "active_validators": active,
            "ssz_bytes": ssz_bytes,
            "threads": rayon::current_num_threads(),
            "runs": args.runs,
            "load_ms": load_time.as_secs_f64() * 1e3,
            "process_epoch_ms": med(&m.epoch),
            "process_epoch": Summary::of(&m.epoch).map(|s| s.json()),
            "state_root_warm_ms": med(&m.root_warm),
            "state_root_cold_ms": med(&m.root_cold),
            "slots_32_ms": med(&m.slots_32),
            "cache_build_ms": m.cache_build.map(|d| d.as_secs_f64() * 1e3),
            "sync_lookahead_ms": m.sync_lookahead.map(|d| d.as_secs_f64() * 1e3),
            "cache_bytes": m.cache_bytes,
            "peak_rss_bytes": peak,
            "steps": steps,
            "steps_range": steps_range,
            "post_state_root": m.post_root,
        });
        if let (Some(o), Value::Object(extra)) = (obj.as_object_mut(), meta::json()) {
            o.extend(extra);
        }
        let mut out = std::io::stdout().lock();
        writeln!(out, "{obj}").context("cannot write to stdout")?;
        return Ok(());
    }

    let mut out = std::io::stdout().lock();
    let line = |s: Option<Summary>| s.map(|s| s.text()).unwrap_or_else(|| "-".into());
    let report = (|| -> std::io::Result<()> {
        writeln!(
            out,
            "{} ({} preset, slot {}, epoch {epoch}): {} validators, {active} active, {ssz_bytes} SSZ bytes",
            source.name(),
            P::NAME,
            slot,
            validators
        )?;
        writeln!(
            out,
            "path: {path}, {} threads, {} runs; load {:.0} ms; SHA-256 kernel {:?}",
            rayon::current_num_threads(),
            args.runs,
            load_time.as_secs_f64() * 1e3,
            maxeb_core::fast::root::hash::kernel()
        )?;
        if let Some(d) = m.cache_build {
            writeln!(out, "cache build           {:.1} ms", d.as_secs_f64() * 1e3)?;
        }
        if let Some(d) = m.sync_lookahead {
            writeln!(
                out,
                "  of which the next sync committee's draw, ahead of the boundary: {:.1} ms",
                d.as_secs_f64() * 1e3
            )?;
        }
        writeln!(out, "process_epoch         {}", line(Summary::of(&m.epoch)))?;
        for n in &m.step_order {
            if let Some(v) = m.steps.get(n) {
                writeln!(out, "  {n:<30} {}", line(Summary::of(v)))?;
            }
        }
        writeln!(
            out,
            "state root, warm      {}",
            line(Summary::of(&m.root_warm))
        )?;
        writeln!(
            out,
            "state root, cold      {}",
            line(Summary::of(&m.root_cold))
        )?;
        writeln!(
            out,
            "32 slots              {}",
            line(Summary::of(&m.slots_32))
        )?;
        if let Some(b) = m.cache_bytes {
            writeln!(out, "cache bytes           {b}")?;
        }
        if let Some(p) = peak {
            writeln!(
                out,
                "peak RSS              {p} bytes ({:.2}x the SSZ size; the process: engine + one working clone)",
                p as f64 / ssz_bytes.max(1) as f64
            )?;
        }
        writeln!(out, "post-state root       {}", m.post_root)?;
        out.flush()
    })();
    report.context("cannot write the report to stdout")
}

fn with_source<T>(source: &PreSource, what: &str, r: maxeb_core::error::Result<T>) -> Result<T> {
    r.map_err(|e| anyhow!("{}: {what}: {e}", source.name()))
}

/// The spec-literal path: each step of `epoch_steps` timed; its root is a full `tree_hash_root`
/// (warm = cold: the reference keeps no cache).
pub fn reference<P: Preset>(
    plan: Plan,
    source: &PreSource,
    state: &BeaconState<P>,
) -> Result<Measured> {
    let mut m = Measured::default();
    for run in 1..=plan.runs {
        let pb = progress(format!("reference process_epoch, run {}", run));
        let mut s = state.clone();
        let t = Instant::now();
        for (name, step) in epoch_steps::<P>() {
            let ts = Instant::now();
            with_source(source, name, step(&mut s))?;
            m.step(name, ts.elapsed());
        }
        m.epoch.push(t.elapsed());
        let t = Instant::now();
        let root = s.tree_hash_root();
        let d = t.elapsed();
        m.root_cold.push(d);
        m.root_warm.push(d);
        m.post_root = format!("{root}");
        pb.finish_and_clear();
    }
    if plan.slots {
        let pb = progress("reference process_slots over 32 slots".into());
        let mut s = state.clone();
        let to = s.slot.saturating_add(32);
        let t = Instant::now();
        with_source(source, "process_slots", process_slots(&mut s, to))?;
        m.slots_32.push(t.elapsed());
        pb.finish_and_clear();
    }
    Ok(m)
}

/// The fast engine: caches built once, then each run on a clone of the warm engine.
pub fn fast<P: Preset>(plan: Plan, source: &PreSource, state: BeaconState<P>) -> Result<Measured> {
    let mut m = Measured::default();
    let pb = progress("building the fast engine's caches".into());
    // The cold root: a state's first root, every layer hashed (in parallel).
    let t = Instant::now();
    let mut engine = with_source(source, "building caches", FastEngine::new(state))?;
    m.cache_build = Some(t.elapsed());
    m.sync_lookahead = engine.caches().sync_lookahead().map(|l| l.elapsed());
    let t = Instant::now();
    engine.hash_tree_root();
    m.root_cold.push(t.elapsed());
    m.cache_bytes = Some(engine.cache_bytes());
    pb.finish_and_clear();

    for run in 1..=plan.runs {
        let pb = progress(format!("fast process_epoch, run {}", run));
        let mut e = engine.clone();
        let mut timings = EpochTimings::default();
        let t = Instant::now();
        with_source(source, "process_epoch", e.process_epoch_timed(&mut timings))?;
        m.epoch.push(t.elapsed());
        for (name, d) in timings.phases() {
            m.step(name, d);
        }
        let t = Instant::now();
        let root = e.hash_tree_root();
        m.root_warm.push(t.elapsed());
        m.post_root = format!("{root}");
        pb.finish_and_clear();
    }
    if plan.slots {
        for run in 1..=plan.runs {
            let pb = progress(format!("fast process_slots over 32 slots, run {}", run));
            let mut e = engine.clone();
            let to = e.state().slot.saturating_add(32);
            let t = Instant::now();
            with_source(source, "process_slots", e.process_slots(to))?;
            m.slots_32.push(t.elapsed());
            pb.finish_and_clear();
        }
    }
    Ok(m)
}
