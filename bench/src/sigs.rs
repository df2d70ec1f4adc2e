//! `maxeb sigs`: one epoch of attestation signatures on a fixture state: sign (or load the
//! cached signatures), build the pubkey cache, then time the gossip path, aggregation and the
//! aggregate path, with the floor (G2 uncompress + subgroup check) and the baseline
//! (`verify_multiple_aggregate_signatures`) measured in the same run on the same signatures.

use anyhow::{bail, Context, Result};
use blst::min_pk::{PublicKey, Signature};
use blst::{blst_scalar, BLST_ERROR};
use maxeb_core::crypto::bls::DST;
use maxeb_core::helpers::accessors::get_active_validator_indices;
use maxeb_core::sigs::{
    aggregate_committees, verify_aggregates, verify_attestations, verify_gossip, Blinding,
    PubkeyCache,
};
use maxeb_core::types::{BeaconState, BlsSignature};
use maxeb_core::work::{self, Work};
use maxeb_core::Mainnet;
use maxeb_fixtures::attestations::{
    epoch_workload, key_count, onchain_attestations, EpochWorkload, WorkloadOptions,
};
use maxeb_fixtures::{generate_state, keys, GenOptions, PresetName, ScenarioSource};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

type P = Mainnet;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Build this scenario's state in memory (a built-in name or a YAML path).
    #[arg(
        long,
        value_name = "NAME",
        required_unless_present = "pre",
        conflicts_with = "pre"
    )]
    pub scenario: Option<String>,
    /// A mainnet-preset fixture state file (`.ssz` / `.ssz_snappy`) written by `maxeb fixture`;
    /// its seed and scenario come from the manifest.tsv beside it unless given.
    #[arg(long, value_name = "FILE")]
    pub pre: Option<PathBuf>,
    /// Fixture key seed (default: the scenario's, or the manifest's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Rayon threads for every path (default: all cores).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub threads: Option<u64>,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
    /// Signatures per gossip batch.
    #[arg(long, default_value_t = 4096)]
    pub batch: usize,
    /// Share of attesters that vote for another head.
    #[arg(long, default_value_t = 0.05)]
    pub wrong_head: f64,
    /// Share of active validators attesting (default: the scenario's previous-epoch source
    /// participation, else 1).
    #[arg(long)]
    pub participation: Option<f64>,
    /// Signature and pubkey cache folder (default: $MAXEB_SIG_CACHE, else sigs/ in the default
    /// output folder: the checkout's fixtures/out, or the platform cache folder).
    #[arg(long)]
    pub cache_dir: Option<PathBuf>,
    /// Sets timed through verify_multiple_aggregate_signatures for the baseline.
    #[arg(long, default_value_t = 4096)]
    pub baseline_sample: usize,
    /// Signatures timed for the floor (uncompress + subgroup check); 0 = all.
    #[arg(long, default_value_t = 0)]
    pub floor_sample: usize,
    /// Reproducible blinding scalars from this seed (benchmarks only; default: OS CSPRNG).
    #[arg(long, value_name = "SEED")]
    pub seeded_blinding: Option<u64>,
}

fn cache_dir(args: &Args) -> PathBuf {
    args.cache_dir.clone().unwrap_or_else(default_cache_dir)
}

/// `$MAXEB_SIG_CACHE`, else `sigs/` in the default output folder.
pub fn default_cache_dir() -> PathBuf {
    std::env::var_os("MAXEB_SIG_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| maxeb_fixtures::paths::out_dir().join("sigs"))
}

/// (scenario name, seed) from the manifest.tsv beside `file` (last line naming the file).
pub fn manifest_entry(file: &Path) -> Option<(String, u64)> {
    let manifest = maxeb_fixtures::manifest::manifest_path(file);
    let name = file.file_name()?.to_string_lossy().into_owned();
    let text = std::fs::read_to_string(manifest).ok()?;
    text.lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            match f.as_slice() {
                [_, file, _, scenario, seed, ..] if *file == name => {
                    Some((scenario.to_string(), seed.parse().ok()?))
                }
                _ => None,
            }
        })
        .next_back()
}

/// CPU time of the whole process so far (every thread), from /proc/self/task/*/schedstat (ns);
/// 0 where unavailable. The machine is shared: CPU time is what a phase cost, whatever the
/// other tenants took of the wall clock.
pub fn cpu_ns() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .filter_map(|t| t.ok())
        .filter_map(|t| std::fs::read_to_string(t.path().join("schedstat")).ok())
        .filter_map(|s| {
            s.split_whitespace()
                .next()
                .and_then(|n| n.parse::<u64>().ok())
        })
        .fold(0u64, u64::saturating_add)
}

/// Wall and CPU time of one phase.
#[derive(Clone, Copy, Debug, Default)]
pub struct Phase {
    pub wall_ms: f64,
    pub cpu_ms: f64,
}

struct Clock {
    wall: Instant,
    cpu: u64,
}

impl Clock {
    fn start() -> Self {
        Clock {
            wall: Instant::now(),
            cpu: cpu_ns(),
        }
    }

    fn stop(&self) -> Phase {
        Phase {
            wall_ms: self.wall.elapsed().as_secs_f64() * 1e3,
            cpu_ms: cpu_ns().saturating_sub(self.cpu) as f64 / 1e6,
        }
    }
}

pub fn run(args: &Args) -> Result<()> {
    if !(0.0..=1.0).contains(&args.wrong_head) {
        bail!("--wrong-head must be in [0, 1]");
    }
    let threads = match args.threads {
        Some(n) => usize::try_from(n)?,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("building the thread pool")?;
    pool.install(|| run_in_pool(args, threads))
}

/// Everything measured, in one place for the table, the JSON and `maxeb report`.
#[derive(Default)]
pub struct Report {
    pub label: String,
    pub seed: u64,
    pub epoch: u64,
    pub threads: usize,
    pub load_ms: Phase,
    pub active: usize,
    pub signatures: usize,
    pub distinct_messages: usize,
    pub committees: u64,
    pub aggregates: usize,
    pub onchain_attestations: usize,
    pub sign_s: f64,
    pub sign_cached: bool,
    pub pk_build_ms: Phase,
    pub pk_load_ms: Phase,
    pub pk_bytes: u64,
    pub floor_n: usize,
    pub floor_ms: Phase,
    pub baseline_n: usize,
    pub baseline_ms: Phase,
    pub gossip_ms: Phase,
    pub gossip_batches: u64,
    pub gossip_pairings: u64,
    pub gossip_invalid: usize,
    pub aggregation_ms: Phase,
    pub aggregate_ms: Phase,
    pub aggregate_pairings: u64,
    pub aggregate_invalid: usize,
    pub onchain_ms: Phase,
    pub onchain_pairings: u64,
    pub onchain_invalid: usize,
    /// Deterministic work of each measured phase (`maxeb_core::work`): decompressions, point
    /// additions, Miller loops, final exponentiations. The fixtures' signing is outside them.
    pub gossip_work: Work,
    pub aggregation_work: Work,
    pub aggregate_work: Work,
    pub onchain_work: Work,
}

impl Report {
    /// p2p-interface § TARGET_AGGREGATORS_PER_COMMITTEE aggregate-and-proof messages per committee.
    pub fn aggregate_and_proofs(&self) -> u64 {
        self.committees.saturating_mul(16)
    }

    /// An error naming each path that rejected a valid signature.
    pub fn check(&self) -> Result<()> {
        if self.invalid() > 0 {
            bail!(
                "invalid signatures: gossip {}, aggregates {}, on-chain {}",
                self.gossip_invalid,
                self.aggregate_invalid,
                self.onchain_invalid
            );
        }
        Ok(())
    }

    fn invalid(&self) -> usize {
        self.gossip_invalid
            .saturating_add(self.aggregate_invalid)
            .saturating_add(self.onchain_invalid)
    }

    /// Wall time x threads per item: what the issue's `_per_core` figures mean.
    fn per_core_us(&self, p: Phase, n: usize) -> f64 {
        if n == 0 {
            return 0.0;
        }
        p.wall_ms * 1e3 * self.threads as f64 / n as f64
    }

    /// CPU time per item (robust to other tenants of the machine).
    fn cpu_us(&self, p: Phase, n: usize) -> f64 {
        if n == 0 {
            return 0.0;
        }
        p.cpu_ms * 1e3 / n as f64
    }
}

/// The workload and timing knobs of one measurement (from the flags, or `maxeb report`'s).
pub struct Knobs {
    pub batch: usize,
    pub wrong_head: f64,
    pub participation: f64,
    pub cache_dir: PathBuf,
    /// Sets timed through verify_multiple_aggregate_signatures; 0 skips the baseline.
    pub baseline_sample: usize,
    /// Signatures timed for the floor, at most all of them; 0 skips the floor.
    pub floor_sample: usize,
    pub blinding: Blinding,
    pub progress: bool,
}

fn run_in_pool(args: &Args, threads: usize) -> Result<()> {
    let spin = spinner(!args.json, "loading state");
    let t = Clock::start();
    let (state, label, seed, scenario_part, key_count) = load(args)?;
    spin.finish_and_clear();
    let load_ms = t.stop();
    let knobs = Knobs {
        batch: args.batch,
        wrong_head: args.wrong_head,
        participation: args.participation.or(scenario_part).unwrap_or(1.0),
        cache_dir: cache_dir(args),
        baseline_sample: args.baseline_sample,
        floor_sample: if args.floor_sample == 0 {
            usize::MAX
        } else {
            args.floor_sample
        },
        blinding: match args.seeded_blinding {
            Some(s) => Blinding::Seeded(s),
            None => Blinding::Os,
        },
        progress: !args.json,
    };
    let mut r = measure(&state, label, seed, key_count, threads, &knobs)?;
    r.load_ms = load_ms;
    if args.json {
        print_json(&r);
    } else {
        print_table(&r);
    }
    r.check()
}

/// One epoch's signature workload on `state`, measured on the current rayon pool (`threads`
/// threads); every path's result is counted, [`Report::check`] says whether any was invalid.
pub fn measure(
    state: &BeaconState<P>,
    label: String,
    seed: u64,
    key_count: Option<u64>,
    threads: usize,
    knobs: &Knobs,
) -> Result<Report> {
    let mut r = Report {
        threads,
        label,
        seed,
        ..Report::default()
    };
    let blinding = &knobs.blinding;
    let progress = knobs.progress;
    let dir = knobs.cache_dir.clone();
    let epoch = maxeb_core::helpers::accessors::get_current_epoch(state);
    r.epoch = epoch;
    let active = get_active_validator_indices(state, epoch);
    r.active = active.len();

    // Pubkey cache: build (timed), persist, load back (timed, checked).
    let spin = spinner(progress, "pubkey cache");
    let t = Clock::start();
    let built = PubkeyCache::build(&state.validators, &active);
    r.pk_build_ms = t.stop();
    let pk_file = dir.join(format!(
        "pubkeys-{}-s{seed}-e{epoch}.bin",
        r.label.replace(['/', ' '], "_")
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
    r.pk_bytes = built.save(&pk_file, &state.validators)?;
    drop(built);
    let t = Clock::start();
    let cache = PubkeyCache::load(&pk_file, &state.validators, &active)?;
    r.pk_load_ms = t.stop();
    spin.finish_and_clear();

    // The signed workload.
    let opts = WorkloadOptions {
        label: r.label.clone(),
        seed,
        participation: knobs.participation,
        wrong_head: knobs.wrong_head,
        cache_dir: Some(dir.clone()),
        progress,
        key_count,
        key_cache: Some(keys::default_cache_dir()),
    };
    let (w, stats) = epoch_workload(state, &opts)?;
    if let (Some(why), true) = (&stats.cache_rejected, progress) {
        eprintln!("signature cache not used ({why}); signed afresh");
    }
    r.sign_s = stats.seconds;
    r.sign_cached = stats.from_cache;
    r.signatures = w.attestations.len();
    r.distinct_messages = w.distinct_messages();
    r.committees = w.committees.count();

    // Floor: G2 uncompress + subgroup check of the same signatures, same pool.
    let n_floor = knobs.floor_sample.min(r.signatures);
    let sample = w.attestations.get(..n_floor).unwrap_or_default();
    let spin = spinner(progress, "floor");
    let t = Clock::start();
    let ok = sample
        .par_iter()
        .with_min_len(256)
        .filter(|a| Signature::sig_validate(a.signature.as_bytes(), false).is_ok())
        .count();
    r.floor_ms = t.stop();
    r.floor_n = n_floor;
    spin.finish_and_clear();
    if ok != n_floor {
        bail!(
            "{} signatures failed to decompress",
            n_floor.saturating_sub(ok)
        );
    }

    // Baseline: verify_multiple_aggregate_signatures (one Miller loop per set, no grouping).
    r.baseline_n = knobs.baseline_sample.min(r.signatures);
    let spin = spinner(progress, "baseline");
    let t = Clock::start();
    baseline(&w, &cache, r.baseline_n)?;
    r.baseline_ms = t.stop();
    spin.finish_and_clear();

    // 1. Gossip path.
    let spin = spinner(progress, "gossip path");
    let t = Clock::start();
    let w0 = work::snapshot();
    let gossip = verify_gossip(
        &w.attestations,
        &w.signing_roots,
        &cache,
        knobs.batch,
        blinding,
    )?;
    r.gossip_ms = t.stop();
    r.gossip_work = work::snapshot().since(&w0);
    spin.finish_and_clear();
    r.gossip_batches = gossip.batches;
    r.gossip_pairings = gossip.pairings;
    r.gossip_invalid = gossip.invalid.len();

    // 2. Aggregation.
    let spin = spinner(progress, "aggregation");
    let t = Clock::start();
    let w0 = work::snapshot();
    let aggregates = aggregate_committees(&w.jobs, &gossip.points, &cache);
    r.aggregation_ms = t.stop();
    r.aggregation_work = work::snapshot().since(&w0);
    spin.finish_and_clear();
    drop(gossip);
    let aggregates: Vec<_> = aggregates.into_iter().flatten().collect();
    r.aggregates = aggregates.len();
    if r.aggregates != w.jobs.len() {
        bail!(
            "{} committee aggregates could not be built",
            w.jobs.len().saturating_sub(r.aggregates)
        );
    }

    // 3a. Aggregate path: every committee aggregate, batched with blinding.
    let triples: Vec<(PublicKey, u32, BlsSignature)> = aggregates
        .iter()
        .map(|a| (a.pubkey, a.message, a.signature))
        .collect();
    let spin = spinner(progress, "aggregate path");
    let t = Clock::start();
    let w0 = work::snapshot();
    let (bad, _, pairings) = verify_aggregates(&triples, &w.signing_roots, knobs.batch, blinding)?;
    r.aggregate_ms = t.stop();
    r.aggregate_work = work::snapshot().since(&w0);
    r.aggregate_pairings = pairings;
    r.aggregate_invalid = bad.len();

    // 3b. On-chain Electra attestations: one per (slot, message), all its committees.
    let (onchain, roots) = onchain_attestations::<P>(&w, &aggregates)?;
    r.onchain_attestations = onchain.len();
    let t = Clock::start();
    let w0 = work::snapshot();
    let (bad, _, pairings) = verify_attestations(
        &onchain,
        &roots,
        &w.committees,
        &cache,
        knobs.batch,
        blinding,
    )?;
    r.onchain_ms = t.stop();
    r.onchain_work = work::snapshot().since(&w0);
    spin.finish_and_clear();
    r.onchain_pairings = pairings;
    r.onchain_invalid = bad.len();
    Ok(r)
}

fn spinner(on: bool, what: &str) -> indicatif::ProgressBar {
    if on {
        keys::spinner(what)
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// State, label, seed, scenario participation, scenario key count.
type Loaded = (BeaconState<P>, String, u64, Option<f64>, Option<u64>);

fn load(args: &Args) -> Result<Loaded> {
    let known = |name: &str| ScenarioSource::Builtin(name.into()).load().ok();
    if let Some(path) = &args.pre {
        let entry = manifest_entry(path);
        let label = entry.as_ref().map(|e| e.0.clone()).unwrap_or_else(|| {
            path.file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "state".into())
        });
        let seed = match (args.seed, &entry) {
            (Some(s), _) => s,
            (None, Some((_, s))) => *s,
            (None, None) => bail!(
                "{}: no manifest.tsv line names this file; pass --seed",
                path.display()
            ),
        };
        let state = maxeb_core::io::read_state::<P>(path)?;
        let s = known(&label);
        return Ok((
            state,
            label,
            seed,
            s.as_ref().map(|s| s.participation.previous.source),
            s.as_ref().map(key_count),
        ));
    }
    let Some(name) = &args.scenario else {
        bail!("--scenario or --pre is required");
    };
    let source = ScenarioSource::parse(name);
    let scenario = source.load()?;
    if scenario.preset != PresetName::Mainnet {
        bail!(
            "{}: maxeb sigs runs on mainnet-preset scenarios",
            source.label()
        );
    }
    let opts = GenOptions {
        key_cache: Some(keys::default_cache_dir()),
    };
    let (state, _) = generate_state::<P>(&scenario, &opts)?;
    Ok((
        state,
        scenario.name.clone(),
        args.seed.unwrap_or(scenario.seed),
        Some(scenario.participation.previous.source),
        Some(key_count(&scenario)),
    ))
}

/// `verify_multiple_aggregate_signatures` on the first `n` sets, in calls of 512 sets on the
/// pool, signatures decompressed and subgroup-checked inside as the gossip path does, keys
/// from the cache.
fn baseline(w: &EpochWorkload, cache: &PubkeyCache, n: usize) -> Result<()> {
    let sample = w.attestations.get(..n).unwrap_or_default();
    let ok = sample
        .par_chunks(512)
        .map(|chunk| -> Result<bool> {
            let mut sigs = Vec::with_capacity(chunk.len());
            let mut pks = Vec::with_capacity(chunk.len());
            let mut msgs = Vec::with_capacity(chunk.len());
            for a in chunk {
                sigs.push(
                    Signature::uncompress(a.signature.as_bytes())
                        .map_err(|e| anyhow::anyhow!("{e:?}"))?,
                );
                pks.push(
                    cache
                        .get(a.attester_index)
                        .context("attester without a cached key")?,
                );
                msgs.push(
                    w.signing_roots
                        .get(a.message as usize)
                        .context("message out of range")?
                        .as_slice(),
                );
            }
            let mut rands = vec![blst_scalar::default(); chunk.len()];
            let mut bytes = vec![0u8; chunk.len().saturating_mul(8)];
            getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("{e}"))?;
            for (r, b) in rands.iter_mut().zip(bytes.chunks(8)) {
                r.b[..8].copy_from_slice(b);
                r.b[0] |= 1;
            }
            let sig_refs: Vec<&Signature> = sigs.iter().collect();
            Ok(Signature::verify_multiple_aggregate_signatures(
                &msgs, DST, &pks, false, &sig_refs, true, &rands, 64,
            ) == BLST_ERROR::BLST_SUCCESS)
        })
        .collect::<Result<Vec<bool>>>()?;
    if ok.iter().any(|b| !b) {
        bail!("baseline: verify_multiple_aggregate_signatures rejected valid signatures");
    }
    Ok(())
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>9.1} ms wall {:>9.1} ms cpu",
            self.wall_ms, self.cpu_ms
        )
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

fn print_table(r: &Report) {
    let (floor, gossip, base) = (
        r.cpu_us(r.floor_ms, r.floor_n),
        r.cpu_us(r.gossip_ms, r.signatures),
        r.cpu_us(r.baseline_ms, r.baseline_n),
    );
    println!(
        "{} (seed {}, epoch {}): {} active, {} signatures, {} distinct messages, {} committees, {} threads",
        r.label, r.seed, r.epoch, r.active, r.signatures, r.distinct_messages, r.committees, r.threads
    );
    println!(
        "gossip messages per epoch: {} SingleAttestation + {} aggregate-and-proof (16 aggregators x committee)",
        r.signatures,
        r.aggregate_and_proofs()
    );
    println!("load state            {}", r.load_ms);
    println!(
        "signing (one-off)     {:>9.1} ms wall  {}",
        r.sign_s * 1e3,
        if r.sign_cached {
            "from the signature cache"
        } else {
            "signed now, cached"
        }
    );
    println!("pubkey cache build    {}  {} keys", r.pk_build_ms, r.active);
    println!(
        "pubkey cache load     {}  {} bytes on disk",
        r.pk_load_ms, r.pk_bytes
    );
    println!(
        "floor                 {}  {:.1} us cpu/sig over {} sigs (G2 uncompress + subgroup check)",
        r.floor_ms, floor, r.floor_n
    );
    println!(
        "baseline              {}  {:.1} us cpu/sig over {} sigs (verify_multiple_aggregate_signatures)",
        r.baseline_ms, base, r.baseline_n
    );
    println!(
        "1 gossip path         {}  {:.1} us cpu/sig: {:.3}x floor, {:.1}x cheaper than baseline; {} batches, {} pairings, {} invalid",
        r.gossip_ms,
        gossip,
        ratio(gossip, floor),
        ratio(base, gossip),
        r.gossip_batches,
        r.gossip_pairings,
        r.gossip_invalid
    );
    println!(
        "2 aggregation         {}  {} aggregates, {:.2} us cpu/sig",
        r.aggregation_ms,
        r.aggregates,
        r.cpu_us(r.aggregation_ms, r.signatures)
    );
    println!(
        "3 aggregate path      {}  {} committee aggregates, {} pairings, {} invalid",
        r.aggregate_ms, r.aggregates, r.aggregate_pairings, r.aggregate_invalid
    );
    println!(
        "3 on-chain attest.    {}  {} attestations, {} pairings, {} invalid",
        r.onchain_ms, r.onchain_attestations, r.onchain_pairings, r.onchain_invalid
    );
    for (name, w) in phase_work(r) {
        let counts: Vec<String> = w
            .named()
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        println!("work {name:<16} {}", counts.join(", "));
    }
}

fn phase(p: Phase) -> serde_json::Value {
    serde_json::json!({ "wall_ms": p.wall_ms, "cpu_ms": p.cpu_ms })
}

/// A phase's work counts as a JSON object, name -> integer.
fn work_json(w: &Work) -> serde_json::Value {
    serde_json::Value::Object(
        w.named()
            .iter()
            .map(|(k, n)| ((*k).to_string(), serde_json::Value::from(*n)))
            .collect(),
    )
}

/// Each measured phase's work counts.
pub fn phase_work(r: &Report) -> [(&'static str, Work); 4] {
    [
        ("gossip", r.gossip_work),
        ("aggregation", r.aggregation_work),
        ("aggregate_path", r.aggregate_work),
        ("onchain", r.onchain_work),
    ]
}

fn print_json(r: &Report) {
    let v = serde_json::json!({
        "scenario": r.label,
        "seed": r.seed,
        "epoch": r.epoch,
        "active": r.active,
        "signatures": r.signatures,
        "distinct_messages": r.distinct_messages,
        "gossip_messages": (r.signatures as u64).saturating_add(r.aggregate_and_proofs()),
        "single_attestations": r.signatures,
        "aggregate_and_proofs": r.aggregate_and_proofs(),
        "committees": r.committees,
        "aggregates": r.aggregates,
        "onchain_attestations": r.onchain_attestations,
        "pairings": r.gossip_pairings.saturating_add(r.aggregate_pairings).saturating_add(r.onchain_pairings),
        "gossip_pairings": r.gossip_pairings,
        "gossip_batches": r.gossip_batches,
        "aggregate_pairings": r.aggregate_pairings,
        "onchain_pairings": r.onchain_pairings,
        "threads": r.threads,
        "gossip_us_per_signature_per_core": r.per_core_us(r.gossip_ms, r.signatures),
        "floor_us_per_signature": r.per_core_us(r.floor_ms, r.floor_n),
        "baseline_us_per_signature": r.per_core_us(r.baseline_ms, r.baseline_n),
        "gossip_cpu_us_per_signature": r.cpu_us(r.gossip_ms, r.signatures),
        "floor_cpu_us_per_signature": r.cpu_us(r.floor_ms, r.floor_n),
        "baseline_cpu_us_per_signature": r.cpu_us(r.baseline_ms, r.baseline_n),
    });
    let more = serde_json::json!({
        "floor_signatures": r.floor_n,
        "baseline_signatures": r.baseline_n,
        "gossip_ms": r.gossip_ms.wall_ms,
        "aggregation_ms": r.aggregation_ms.wall_ms,
        "aggregate_path_ms": r.aggregate_ms.wall_ms,
        "onchain_ms": r.onchain_ms.wall_ms,
        "pubkey_cache_build_ms": r.pk_build_ms.wall_ms,
        "pubkey_cache_load_ms": r.pk_load_ms.wall_ms,
        "pubkey_cache_bytes": r.pk_bytes,
        "phases": {
            "load": phase(r.load_ms),
            "pubkey_cache_build": phase(r.pk_build_ms),
            "pubkey_cache_load": phase(r.pk_load_ms),
            "floor": phase(r.floor_ms),
            "baseline": phase(r.baseline_ms),
            "gossip": phase(r.gossip_ms),
            "aggregation": phase(r.aggregation_ms),
            "aggregate_path": phase(r.aggregate_ms),
            "onchain": phase(r.onchain_ms),
        },
        "work": serde_json::Value::Object(
            phase_work(r)
                .iter()
                .map(|(k, w)| ((*k).to_string(), work_json(w)))
                .collect(),
        ),
        "signing_ms": r.sign_s * 1e3,
        "signing_cached": r.sign_cached,
        "invalid": r.invalid(),
    });
    let mut v = v;
    if let (Some(a), serde_json::Value::Object(b)) = (v.as_object_mut(), more) {
        a.extend(b);
    }
    // commit, toolchain, date, machine: the same record every command's JSON carries.
    if let (Some(a), serde_json::Value::Object(b)) = (v.as_object_mut(), crate::meta::json()) {
        a.extend(b);
    }
    println!("{v}");
}
