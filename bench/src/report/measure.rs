//! One scenario's figures, in two parts.
//!
//! [`prepare`], once per scenario and in order: load or build the state; build the fast engine
//! (its caches and the cold root); one untimed pass of the epoch, its root and 32 slots that
//! counts the deterministic work and the heap's peak; the signature workload and the reference
//! epoch where asked. What it returns holds the warm engine.
//!
//! [`rounds`], then: the timed samples, taken in interleaved rounds over every prepared scenario
//! (A B C ... then B C ... A, the start rotated each round), so a noisy stretch of a shared
//! machine hits every scenario alike and each round pairs the scenarios' samples. Rounds go on
//! until every figure's median is known to `precision` (the 95% interval of the median, from
//! order statistics) or the round cap or the time budget is reached.

use super::Input;
use crate::epoch::{self, Plan};
use crate::results::{metric_names as mn, Better, Kind, Metric, ScenarioResult};
use crate::sigs;
use crate::source::{load, PresetArg};
use anyhow::{anyhow, Result};
use maxeb_core::fast::{EpochTimings, FastEngine};
use maxeb_core::helpers::accessors::get_current_epoch;
use maxeb_core::types::{BeaconState, Validator};
use maxeb_core::{Mainnet, Minimal, Preset};
use ssz::Encode;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct Opts {
    /// The cap on timed rounds.
    pub max_rounds: u64,
    /// Rounds stop once every figure's median interval is within +-this (0.05 = 5%).
    pub precision: f64,
    /// Rounds stop after this much time spent in them (once `MIN_ROUNDS` are done).
    pub budget: Duration,
    pub reference: bool,
    pub sigs: bool,
    pub sig_cache: PathBuf,
}

/// Fewest rounds: 6 samples are the fewest whose (min, max) covers the median with 95%.
pub const MIN_ROUNDS: u64 = 6;
/// Rounds that also rebuild the engine from the state (cache build, cold root): the costly
/// figures stop here even when not yet within `precision`.
pub const COLD_ROUNDS: u64 = 15;

/// One round's samples of one scenario.
#[derive(Default)]
struct Sample {
    values: Vec<(&'static str, f64)>,
    steps: Vec<(&'static str, f64)>,
}

/// A warm engine of either preset, sampled by the rounds.
trait Subject: Send {
    fn sample(&mut self, cold: bool) -> Result<Sample>;
    /// The pre-state as SSZ (for the instruction counts, which run on a file).
    fn state_ssz(&self) -> Vec<u8>;
}

struct Engine<P: Preset> {
    engine: FastEngine<P>,
    name: String,
    /// Repetitions per sample of the epoch (+ warm root) and of the 32 slots (`batch`).
    reps_epoch: u32,
    reps_slots: u32,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Each sample runs an operation this long at the least (repeated on fresh clones, the mean
/// taken): a neighbour steals whole scheduler slices (~3-4 ms here), so a 0.4 ms sample is
/// either untouched or several times too long, and its median's interval stays wide however
/// many rounds run. Over 25 ms the stolen share averages out, and it hits every scenario alike.
const SAMPLE_MS: f64 = 25.0;
/// The most repetitions in one sample.
const MAX_REPS: u32 = 64;

/// Repetitions for an operation that took `once` (untimed warm-up run).
fn batch(once: Duration) -> u32 {
    let r = (SAMPLE_MS / ms(once).max(1e-3)).ceil();
    if r >= f64::from(MAX_REPS) {
        MAX_REPS
    } else {
        (r as u32).max(1)
    }
}

impl<P: Preset> Engine<P> {
    fn fail(&self, what: &str, e: maxeb_core::error::Error) -> anyhow::Error {
        anyhow!("{}: {what}: {e}", self.name)
    }
}

impl<P: Preset> Subject for Engine<P> {
    fn state_ssz(&self) -> Vec<u8> {
        self.engine.state().as_ssz_bytes()
    }

    fn sample(&mut self, cold: bool) -> Result<Sample> {
        let mut s = Sample::default();
        let (mut epoch, mut root, mut slots) = (0.0, 0.0, 0.0);
        let mut steps: Vec<(&'static str, f64)> = Vec::new();
        for _ in 0..self.reps_epoch {
            let mut e = self.engine.clone();
            let mut timings = EpochTimings::default();
            let t = Instant::now();
            e.process_epoch_timed(&mut timings)
                .map_err(|x| self.fail("process_epoch", x))?;
            epoch += ms(t.elapsed());
            let phases = timings.phases();
            if steps.is_empty() {
                steps = phases.iter().map(|(n, _)| (*n, 0.0)).collect();
            }
            for ((_, acc), (_, d)) in steps.iter_mut().zip(phases.iter()) {
                *acc += ms(*d);
            }
            let t = Instant::now();
            e.hash_tree_root();
            root += ms(t.elapsed());
        }
        for _ in 0..self.reps_slots {
            let mut e = self.engine.clone();
            let to = e.state().slot.saturating_add(32);
            let t = Instant::now();
            e.process_slots(to)
                .map_err(|x| self.fail("process_slots", x))?;
            slots += ms(t.elapsed());
        }
        let (re, rs) = (f64::from(self.reps_epoch), f64::from(self.reps_slots));
        s.values.push((mn::EPOCH_FAST_MS, epoch / re));
        s.values.push((mn::ROOT_WARM_MS, root / re));
        s.values.push((mn::SLOTS_32_MS, slots / rs));
        s.steps = steps.into_iter().map(|(n, v)| (n, v / re)).collect();

        if cold {
            let state = self.engine.state().clone();
            let t = Instant::now();
            let mut e = FastEngine::new(state).map_err(|x| self.fail("building caches", x))?;
            s.values.push((mn::CACHE_BUILD_MS, ms(t.elapsed())));
            if let Some(l) = e.caches().sync_lookahead() {
                s.values.push((mn::SYNC_LOOKAHEAD_MS, ms(l.elapsed())));
            }
            let t = Instant::now();
            e.hash_tree_root();
            s.values.push((mn::ROOT_COLD_MS, ms(t.elapsed())));
        }
        Ok(s)
    }
}

/// A scenario set up for the rounds: its record so far and its warm engine.
pub struct Prepared {
    pub result: ScenarioResult,
    preset: PresetArg,
    subject: Box<dyn Subject>,
    /// Bytes each live validator's epoch reads at least (the epoch's floor; see `floors`).
    pub epoch_bytes: u64,
    samples: BTreeMap<&'static str, Vec<f64>>,
    steps: BTreeMap<&'static str, Vec<f64>>,
}

/// Sets one scenario up; `notes` collects what was skipped and why.
pub fn prepare(
    input: &Input,
    opts: &Opts,
    label: &str,
    notes: &mut Vec<String>,
) -> Result<Prepared> {
    match input.preset {
        PresetArg::Mainnet => {
            let seed = match (opts.sigs, input.seed) {
                (false, _) => None,
                (true, None) => {
                    notes.push(format!(
                        "{}: no seed known (no manifest.tsv line names the file): signatures skipped",
                        input.name
                    ));
                    None
                }
                (true, Some(seed)) => Some(seed),
            };
            prepare_preset::<Mainnet>(input, opts, label, |state| {
                seed.map(|seed| signatures(state, input, seed, opts))
                    .transpose()
            })
        }
        PresetArg::Minimal => {
            if opts.sigs {
                notes.push(format!(
                    "{}: minimal preset: the signature workload runs on mainnet-preset states only",
                    input.name
                ));
            }
            prepare_preset::<Minimal>(input, opts, label, |_| Ok(None))
        }
    }
}

/// `prepare` for one preset; `sigs` runs the signature workload on the state (mainnet only).
fn prepare_preset<P: Preset>(
    input: &Input,
    opts: &Opts,
    label: &str,
    sigs: impl FnOnce(&BeaconState<P>) -> Result<Option<sigs::Report>>,
) -> Result<Prepared> {
    let pb = epoch::progress(format!("{label}: loading"));
    let live_before = crate::alloc::live();
    let t = Instant::now();
    let state = load::<P>(&input.source)?;
    let load_time = t.elapsed();
    // The state's own heap bytes (what the load left live; its temporaries are freed).
    let state_heap = crate::alloc::live().saturating_sub(live_before);
    pb.finish_and_clear();

    let epoch = get_current_epoch(&state);
    let active = crate::source::active_count(&state);
    let ssz_bytes = state.ssz_bytes_len() as u64;
    let validators = state.validators.len() as u64;
    let state_bytes = state_memory_bytes(&state, ssz_bytes);
    let mut metrics = BTreeMap::new();
    put(&mut metrics, mn::LOAD_MS, Metric::ms(vec![ms(load_time)]));

    let mut reference_steps = BTreeMap::new();
    if opts.reference {
        let pb = epoch::progress(format!("{label}: reference path"));
        let plan = Plan {
            runs: REFERENCE_RUNS.min(opts.max_rounds),
            slots: false,
        };
        let r = epoch::reference::<P>(plan, &input.source, &state)?;
        pb.finish_and_clear();
        put(
            &mut metrics,
            mn::EPOCH_REFERENCE_MS,
            Metric::ms(r.epoch.iter().copied().map(ms).collect()),
        );
        reference_steps = r
            .step_order
            .iter()
            .filter_map(|n| {
                let v = r.steps.get(n)?;
                Some((
                    n.to_string(),
                    Metric::ms(v.iter().copied().map(ms).collect())?,
                ))
            })
            .collect();
    }

    // The engine, its cold root and one untimed epoch, root and 32 slots: the work counts, the
    // heap's peak (state, caches, one working clone: the state's bytes plus the peak above them
    // while nothing but the engine and its clones is allocated), and the warm-up of the rounds.
    let pb = epoch::progress(format!("{label}: building the engine, counting work"));
    let heap = crate::alloc::window();
    let fail = |what: &str, e: maxeb_core::error::Error| anyhow!("{}: {what}: {e}", input.name);
    let w0 = maxeb_core::work::snapshot();
    let mut engine = FastEngine::new(state).map_err(|e| fail("building caches", e))?;
    engine.hash_tree_root();
    let mut work = BTreeMap::new();
    work.insert(
        "node_hashes.cold_root".to_string(),
        maxeb_core::work::snapshot().since(&w0).node_hashes,
    );
    if let Some(l) = engine.caches().sync_lookahead() {
        work.insert(
            "sync_lookahead_candidates".to_string(),
            l.candidates() as u64,
        );
    }
    let cache_bytes = engine.cache_bytes() as u64;

    let mut e = engine.clone();
    let mut timings = EpochTimings::default();
    let w0 = maxeb_core::work::snapshot();
    // The first epoch of the process is untimed; its duration only sizes the samples' batches.
    let t = Instant::now();
    e.process_epoch_timed(&mut timings)
        .map_err(|x| fail("process_epoch", x))?;
    let w1 = maxeb_core::work::snapshot();
    e.hash_tree_root();
    let once_epoch = t.elapsed();
    let w2 = maxeb_core::work::snapshot();
    let mut visited = 0u64;
    for (phase, n) in timings.work.named() {
        visited = visited.saturating_add(n);
        work.insert(format!("validators_visited.{phase}"), n);
    }
    work.insert("validators_visited".to_string(), visited);
    work.insert("node_hashes.epoch".to_string(), w1.since(&w0).node_hashes);
    work.insert("node_hashes".to_string(), w2.since(&w1).node_hashes);
    drop(e);
    let mut e = engine.clone();
    let to = e.state().slot.saturating_add(32);
    let w0 = maxeb_core::work::snapshot();
    let t = Instant::now();
    e.process_slots(to).map_err(|x| fail("process_slots", x))?;
    let once_slots = t.elapsed();
    work.insert(
        "node_hashes.slots_32".to_string(),
        maxeb_core::work::snapshot().since(&w0).node_hashes,
    );
    drop(e);
    let heap_peak = heap.peak().saturating_add(state_heap);
    // Outside the window: two encodings of the state are measurement, not the engine's memory.
    let mut e = engine.clone();
    e.process_epoch().map_err(|x| fail("process_epoch", x))?;
    work.insert(
        "state_bytes_changed".to_string(),
        bytes_changed(&engine.state().as_ssz_bytes(), &e.state().as_ssz_bytes()),
    );
    drop(e);
    pb.finish_and_clear();
    put(
        &mut metrics,
        mn::HEAP_PEAK_BYTES,
        Metric::new("bytes", Kind::Bytes, Better::Lower, vec![heap_peak as f64]),
    );
    let epoch_bytes = epoch_bytes_model(&work);

    if let Some(r) = sigs(engine.state())? {
        sig_figures(&r, &mut metrics, &mut work);
    }

    let result = ScenarioResult {
        name: input.name.clone(),
        source: input.origin.clone(),
        seed: input.seed,
        preset: P::NAME.to_string(),
        epoch,
        validators,
        active_validators: active,
        ssz_bytes,
        memory_bytes: state_bytes.saturating_add(cache_bytes),
        metrics,
        steps: BTreeMap::new(),
        work,
        instructions: BTreeMap::new(),
        floors_ms: BTreeMap::new(),
        reference_steps,
    };
    Ok(Prepared {
        result,
        preset: input.preset,
        subject: Box::new(Engine {
            engine,
            name: input.name.clone(),
            reps_epoch: batch(once_epoch),
            reps_slots: batch(once_slots),
        }),
        epoch_bytes,
        samples: BTreeMap::new(),
        steps: BTreeMap::new(),
    })
}

/// Runs of the reference epoch (`--reference`): seconds each at mainnet size, not interleaved.
const REFERENCE_RUNS: u64 = 3;

/// Bytes at which two SSZ encodings differ (the longer one's tail counted whole): what the
/// epoch had to write at the least, whatever the implementation.
fn bytes_changed(a: &[u8], b: &[u8]) -> u64 {
    let common = a.iter().zip(b).filter(|(x, y)| x != y).count() as u64;
    common.saturating_add(a.len().abs_diff(b.len()) as u64)
}

/// The bytes a fused epoch cannot avoid reading, from its visit counts: each validator the scan
/// visits, its record and two participation bytes; each the pass visits, its balance and
/// inactivity score, read and written. A model, and a floor: the caches' own reads are left out.
fn epoch_bytes_model(work: &BTreeMap<String, u64>) -> u64 {
    let get = |k: &str| work.get(k).copied().unwrap_or(0);
    let record = std::mem::size_of::<Validator>() as u64;
    get("validators_visited.scan")
        .saturating_mul(record.saturating_add(2))
        .saturating_add(get("validators_visited.single_pass").saturating_mul(32))
}

fn signatures(
    state: &BeaconState<Mainnet>,
    input: &Input,
    seed: u64,
    opts: &Opts,
) -> Result<sigs::Report> {
    let knobs = sigs::Knobs {
        batch: 4096,
        wrong_head: 0.05,
        participation: input.participation,
        cache_dir: opts.sig_cache.clone(),
        // The floor and the baseline are `maxeb sigs`'s comparisons, not the epoch's cost.
        baseline_sample: 0,
        floor_sample: 0,
        blinding: maxeb_core::sigs::Blinding::Os,
        progress: true,
    };
    let r = sigs::measure(
        state,
        input.name.clone(),
        seed,
        input.key_count,
        rayon::current_num_threads(),
        &knobs,
    )?;
    r.check()?;
    Ok(r)
}

/// The signature workload's times (one sample each) and counts.
fn sig_figures(
    r: &sigs::Report,
    metrics: &mut BTreeMap<String, Metric>,
    work: &mut BTreeMap<String, u64>,
) {
    let cpu_s = |p: sigs::Phase| p.cpu_ms / 1e3;
    put(
        metrics,
        mn::SIGS_GOSSIP_CPU_S,
        Metric::new("s", Kind::CpuTime, Better::Lower, vec![cpu_s(r.gossip_ms)]),
    );
    put(
        metrics,
        mn::SIGS_GOSSIP_MS,
        Metric::ms(vec![r.gossip_ms.wall_ms]),
    );
    put(
        metrics,
        mn::SIGS_AGGREGATION_MS,
        Metric::ms(vec![r.aggregation_ms.wall_ms]),
    );
    put(
        metrics,
        mn::SIGS_AGGREGATE_PATH_MS,
        Metric::ms(vec![r.aggregate_ms.wall_ms]),
    );
    let as_u64 = |n: usize| n as u64;
    work.insert("signatures".into(), as_u64(r.signatures));
    work.insert("distinct_messages".into(), as_u64(r.distinct_messages));
    work.insert(
        "gossip_messages".into(),
        as_u64(r.signatures).saturating_add(r.aggregate_and_proofs()),
    );
    work.insert("committees".into(), r.committees);
    work.insert("aggregates".into(), as_u64(r.aggregates));
    // Every verifying and aggregating phase's point and pairing work, summed by name.
    for w in [
        &r.gossip_work,
        &r.aggregation_work,
        &r.aggregate_work,
        &r.onchain_work,
    ] {
        for (name, n) in w.named() {
            if name != "node_hashes" {
                let e = work.entry(name.to_string()).or_insert(0);
                *e = e.saturating_add(n);
            }
        }
    }
}

fn put(map: &mut BTreeMap<String, Metric>, name: &str, m: Option<Metric>) {
    if let Some(m) = m {
        map.insert(name.to_string(), m);
    }
}

/// The state's bytes in memory: its SSZ size with each validator counted at its in-memory size
/// instead of its 121 encoded bytes (the other lists hold fixed-size records laid out as they
/// encode), plus the struct itself. An estimate: allocator slack is not counted.
pub(crate) fn state_memory_bytes<P: Preset>(state: &BeaconState<P>, ssz_bytes: u64) -> u64 {
    let n = state.validators.len() as u64;
    let encoded = <Validator as Encode>::ssz_fixed_len() as u64;
    let in_memory = std::mem::size_of::<Validator>() as u64;
    ssz_bytes
        .saturating_sub(n.saturating_mul(encoded))
        .saturating_add(n.saturating_mul(in_memory))
        .saturating_add(std::mem::size_of::<BeaconState<P>>() as u64)
}

/// How the rounds ended.
pub struct RoundsRun {
    pub rounds: u64,
    pub elapsed: Duration,
    /// Every figure within `precision` (else the cap or the budget stopped them).
    pub converged: bool,
}

/// The interleaved rounds over every prepared scenario (module doc).
pub fn rounds(prepared: &mut [Prepared], opts: &Opts) -> Result<RoundsRun> {
    let n = prepared.len();
    let start = Instant::now();
    let pb = epoch::progress("timing: round 1".into());
    let mut round = 0u64;
    let converged = loop {
        let cold = round < COLD_ROUNDS;
        let first = usize::try_from(round)
            .unwrap_or(0)
            .checked_rem(n)
            .unwrap_or(0);
        for k in 0..n {
            let i = first.saturating_add(k).checked_rem(n).unwrap_or(0);
            let Some(p) = prepared.get_mut(i) else {
                continue;
            };
            let s = p.subject.sample(cold)?;
            for (name, v) in s.values {
                p.samples.entry(name).or_default().push(v);
            }
            for (name, v) in s.steps {
                p.steps.entry(name).or_default().push(v);
            }
        }
        round = round.saturating_add(1);
        let open = unsettled(prepared, opts.precision, round);
        pb.set_message(format!(
            "timing: {round} round(s), {open} figure(s) not yet within +-{:.0}%",
            opts.precision * 100.0
        ));
        // The cap is the user's and holds even below MIN_ROUNDS; precision and budget stop
        // the rounds only once the medians can have an interval.
        if round >= opts.max_rounds
            || (round >= MIN_ROUNDS && (open == 0 || start.elapsed() >= opts.budget))
        {
            break open == 0;
        }
    };
    pb.finish_and_clear();
    for p in prepared.iter_mut() {
        for (name, v) in std::mem::take(&mut p.samples) {
            put(&mut p.result.metrics, name, Metric::ms(v));
        }
        p.result.steps = std::mem::take(&mut p.steps)
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_string(), Metric::ms(v)?)))
            .collect();
    }
    Ok(RoundsRun {
        rounds: round,
        elapsed: start.elapsed(),
        converged,
    })
}

/// Figures whose median is not yet within `precision`; the cold ones stop counting after
/// their last round.
fn unsettled(prepared: &[Prepared], precision: f64, round: u64) -> usize {
    let cold_over = round >= COLD_ROUNDS;
    prepared
        .iter()
        .flat_map(|p| p.samples.iter())
        .filter(|(name, v)| {
            if cold_over && is_cold(name) {
                return false;
            }
            Metric::ms(v.to_vec())
                .and_then(|m| m.rel_halfwidth())
                .is_none_or(|h| h > precision)
        })
        .count()
}

/// Figures sampled only in the first `COLD_ROUNDS` rounds (each rebuilds the engine).
fn is_cold(name: &str) -> bool {
    [mn::CACHE_BUILD_MS, mn::ROOT_COLD_MS, mn::SYNC_LOOKAHEAD_MS].contains(&name)
}

/// Instruction counts (`instructions::scenario_counts`: callgrind, one thread) of every prepared
/// scenario, two at a time (this machine's cores), after the timed rounds so they do not run
/// beside them.
pub fn instructions(prepared: &mut [Prepared], valgrind: &str) -> Result<()> {
    let dir = crate::instructions::tempdir()?;
    let pb = epoch::progress(format!(
        "counting instructions (callgrind) of {} scenario(s)",
        prepared.len()
    ));
    let jobs: Vec<(usize, Vec<u8>, PresetArg)> = prepared
        .iter()
        .enumerate()
        .map(|(i, p)| (i, p.subject.state_ssz(), p.preset))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<Result<(usize, BTreeMap<String, u64>)>> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((i, ssz, preset)) = jobs.get(k) else {
                            break;
                        };
                        let file = dir.join(format!("state-{i}.ssz"));
                        let r = std::fs::write(&file, ssz)
                            .map_err(|e| anyhow!("{}: cannot write: {e}", file.display()))
                            .and_then(|()| {
                                crate::instructions::scenario_counts(&file, *preset, valgrind)
                            })
                            .map(|c| (*i, c));
                        let _ = std::fs::remove_file(&file);
                        out.push(r);
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    let _ = std::fs::remove_dir_all(&dir);
    pb.finish_and_clear();
    for r in results {
        let (i, counts) = r?;
        if let Some(p) = prepared.get_mut(i) {
            p.result.instructions = counts;
        }
    }
    Ok(())
}
