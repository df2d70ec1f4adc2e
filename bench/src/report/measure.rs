//! One scenario's figures: load or build the state; the signature workload (before the fast
//! engine takes the state); the reference epoch when asked; then the fast engine through
//! `maxeb epoch`'s own measuring functions (`epoch::fast`, `epoch::reference`).

use super::Input;
use crate::epoch::{self, Measured, Plan};
use crate::meta;
use crate::results::{metric_names as mn, Better, Kind, Metric, ScenarioResult};
use crate::sigs;
use crate::source::{load, PresetArg};
use anyhow::Result;
use maxeb_core::helpers::accessors::get_current_epoch;
use maxeb_core::helpers::predicates::is_active_validator;
use maxeb_core::types::{BeaconState, Validator};
use maxeb_core::{Mainnet, Minimal, Preset};
use ssz::Encode;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub struct Opts {
    pub runs: u64,
    pub reference: bool,
    pub sigs: bool,
    pub sig_cache: PathBuf,
}

/// Measures one scenario; `notes` collects what was skipped and why.
pub fn scenario(
    input: &Input,
    opts: &Opts,
    label: &str,
    notes: &mut Vec<String>,
) -> Result<ScenarioResult> {
    match input.preset {
        PresetArg::Mainnet => {
            let (state, load_time) = load_timed::<Mainnet>(input, label)?;
            let sig = match (opts.sigs, input.seed) {
                (false, _) => None,
                (true, None) => {
                    notes.push(format!(
                        "{}: no seed known (no manifest.tsv line names the file): signatures skipped",
                        input.name
                    ));
                    None
                }
                (true, Some(seed)) => Some(signatures(&state, input, seed, opts)?),
            };
            finish::<Mainnet>(input, opts, label, state, load_time, sig)
        }
        PresetArg::Minimal => {
            let (state, load_time) = load_timed::<Minimal>(input, label)?;
            if opts.sigs {
                notes.push(format!(
                    "{}: minimal preset: the signature workload runs on mainnet-preset states only",
                    input.name
                ));
            }
            finish::<Minimal>(input, opts, label, state, load_time, None)
        }
    }
}

fn load_timed<P: Preset>(input: &Input, label: &str) -> Result<(BeaconState<P>, Duration)> {
    let pb = epoch::progress(format!("{label}: loading"));
    let t = Instant::now();
    let state = load::<P>(&input.source)?;
    let d = t.elapsed();
    pb.finish_and_clear();
    Ok((state, d))
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

fn ms(samples: &[Duration]) -> Option<Metric> {
    Metric::ms(samples.iter().map(|d| d.as_secs_f64() * 1e3).collect())
}

fn put(map: &mut BTreeMap<String, Metric>, name: &str, m: Option<Metric>) {
    if let Some(m) = m {
        map.insert(name.to_string(), m);
    }
}

fn steps(m: &Measured) -> BTreeMap<String, Metric> {
    m.step_order
        .iter()
        .filter_map(|n| Some((n.to_string(), ms(m.steps.get(n)?)?)))
        .collect()
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

fn finish<P: Preset>(
    input: &Input,
    opts: &Opts,
    label: &str,
    state: BeaconState<P>,
    load_time: Duration,
    sig: Option<sigs::Report>,
) -> Result<ScenarioResult> {
    let epoch = get_current_epoch(&state);
    let active = state
        .validators
        .iter()
        .filter(|v| is_active_validator(v, epoch))
        .count() as u64;
    let ssz_bytes = state.ssz_bytes_len() as u64;
    let validators = state.validators.len() as u64;
    let state_bytes = state_memory_bytes(&state, ssz_bytes);
    let mut metrics = BTreeMap::new();
    put(&mut metrics, mn::LOAD_MS, ms(&[load_time]));

    let mut reference_steps = BTreeMap::new();
    if opts.reference {
        let pb = epoch::progress(format!("{label}: reference path"));
        let plan = Plan {
            runs: opts.runs,
            slots: false,
        };
        let r = epoch::reference::<P>(plan, &input.source, &state)?;
        pb.finish_and_clear();
        put(&mut metrics, mn::EPOCH_REFERENCE_MS, ms(&r.epoch));
        reference_steps = steps(&r);
    }

    // Peak RSS of the fast engine's part: the state, its caches and one working clone.
    let reset = meta::reset_peak_rss();
    let plan = Plan {
        runs: opts.runs,
        slots: true,
    };
    let m = epoch::fast::<P>(plan, &input.source, state)?;
    let peak = if reset { meta::peak_rss_bytes() } else { None };
    put(&mut metrics, mn::EPOCH_FAST_MS, ms(&m.epoch));
    put(&mut metrics, mn::ROOT_WARM_MS, ms(&m.root_warm));
    put(&mut metrics, mn::ROOT_COLD_MS, ms(&m.root_cold));
    put(&mut metrics, mn::SLOTS_32_MS, ms(&m.slots_32));
    put(
        &mut metrics,
        mn::CACHE_BUILD_MS,
        m.cache_build.and_then(|d| ms(&[d])),
    );
    put(
        &mut metrics,
        mn::PEAK_RSS_BYTES,
        peak.and_then(|p| Metric::new("bytes", Kind::Bytes, Better::Lower, vec![p as f64])),
    );
    let cache_bytes = m.cache_bytes.unwrap_or(0) as u64;

    let mut work = BTreeMap::new();
    if let Some(r) = &sig {
        let cpu_s = |p: sigs::Phase| p.cpu_ms / 1e3;
        put(
            &mut metrics,
            mn::SIGS_GOSSIP_CPU_S,
            Metric::new("s", Kind::CpuTime, Better::Lower, vec![cpu_s(r.gossip_ms)]),
        );
        put(
            &mut metrics,
            mn::SIGS_GOSSIP_MS,
            Metric::ms(vec![r.gossip_ms.wall_ms]),
        );
        put(
            &mut metrics,
            mn::SIGS_AGGREGATION_MS,
            Metric::ms(vec![r.aggregation_ms.wall_ms]),
        );
        put(
            &mut metrics,
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
        work.insert(
            "pairings".into(),
            r.gossip_pairings
                .saturating_add(r.aggregate_pairings)
                .saturating_add(r.onchain_pairings),
        );
    }

    Ok(ScenarioResult {
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
        steps: steps(&m),
        work,
        instructions: BTreeMap::new(),
        floors_ms: BTreeMap::new(),
        reference_steps,
    })
}
