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
    /// Signature and pubkey cache folder (default: $MAXEB_SIG_CACHE, else fixtures/out/sigs).
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
    args.cache_dir
        .clone()
        .or_else(|| std::env::var_os("MAXEB_SIG_CACHE").map(PathBuf::from))
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("fixtures")
                .join("out")
                .join("sigs")
        })
}

/// (scenario name, seed) from the manifest.tsv beside `file` (last line naming the file).
fn manifest_entry(file: &Path) -> Option<(String, u64)> {
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

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!("{cpu}, {cores} cores")
}

fn command_line(cmd: &str, args: &[&str]) -> String {
    std::process::Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1e3
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

/// Everything measured, in one place for the table and the JSON.
#[derive(Default)]
struct Report {
    label: String,
    seed: u64,
    epoch: u64,
    threads: usize,
    load_ms: f64,
    active: usize,
    signatures: usize,
    distinct_messages: usize,
    committees: u64,
    aggregates: usize,
    onchain_attestations: usize,
    sign_s: f64,
    sign_cached: bool,
    pk_build_ms: f64,
    pk_load_ms: f64,
    pk_bytes: u64,
    floor_n: usize,
    floor_ms: f64,
    baseline_n: usize,
    baseline_ms: f64,
    gossip_ms: f64,
    gossip_batches: u64,
    gossip_pairings: u64,
    gossip_invalid: usize,
    aggregation_ms: f64,
    aggregate_ms: f64,
    aggregate_pairings: u64,
    aggregate_invalid: usize,
    onchain_ms: f64,
    onchain_pairings: u64,
    onchain_invalid: usize,
}

impl Report {
    /// p2p-interface § TARGET_AGGREGATORS_PER_COMMITTEE aggregate-and-proof messages per committee.
    fn aggregate_and_proofs(&self) -> u64 {
        self.committees.saturating_mul(16)
    }

    fn invalid(&self) -> usize {
        self.gossip_invalid
            .saturating_add(self.aggregate_invalid)
            .saturating_add(self.onchain_invalid)
    }

    fn per_core_us(&self, wall_ms: f64, n: usize) -> f64 {
        if n == 0 {
            return 0.0;
        }
        wall_ms * 1e3 * self.threads as f64 / n as f64
    }
}

fn run_in_pool(args: &Args, threads: usize) -> Result<()> {
    let mut r = Report {
        threads,
        ..Report::default()
    };
    let t = Instant::now();
    let (state, label, seed, scenario_part, key_count) = load(args)?;
    r.load_ms = ms(t);
    r.label = label;
    r.seed = seed;
    let participation = args.participation.or(scenario_part).unwrap_or(1.0);
    let blinding = match args.seeded_blinding {
        Some(s) => Blinding::Seeded(s),
        None => Blinding::Os,
    };
    let progress = !args.json;
    let dir = cache_dir(args);
    let epoch = maxeb_core::helpers::accessors::get_current_epoch(&state);
    r.epoch = epoch;
    let active = get_active_validator_indices(&state, epoch);
    r.active = active.len();

    // Pubkey cache: build (timed), persist, load back (timed, checked).
    let t = Instant::now();
    let built = PubkeyCache::build(&state.validators, &active);
    r.pk_build_ms = ms(t);
    let pk_file = dir.join(format!(
        "pubkeys-{}-s{seed}-e{epoch}.bin",
        r.label.replace(['/', ' '], "_")
    ));
    std::fs::create_dir_all(&dir).with_context(|| format!("{}", dir.display()))?;
    r.pk_bytes = built.save(&pk_file, &state.validators)?;
    drop(built);
    let t = Instant::now();
    let cache = PubkeyCache::load(&pk_file, &state.validators, &active)?;
    r.pk_load_ms = ms(t);

    // The signed workload.
    let opts = WorkloadOptions {
        label: r.label.clone(),
        seed,
        participation,
        wrong_head: args.wrong_head,
        cache_dir: Some(dir.clone()),
        progress,
        key_count,
        key_cache: Some(keys::default_cache_dir()),
    };
    let (w, stats) = epoch_workload(&state, &opts)?;
    if let (Some(why), false) = (&stats.cache_rejected, args.json) {
        eprintln!("signature cache not used ({why}); signed afresh");
    }
    r.sign_s = stats.seconds;
    r.sign_cached = stats.from_cache;
    r.signatures = w.attestations.len();
    r.distinct_messages = w.distinct_messages();
    r.committees = w.committees.count();

    // Floor: G2 uncompress + subgroup check of the same signatures, same pool.
    let n_floor = if args.floor_sample == 0 {
        r.signatures
    } else {
        args.floor_sample.min(r.signatures)
    };
    let sample = w.attestations.get(..n_floor).unwrap_or_default();
    let spin = spinner(progress, "floor");
    let t = Instant::now();
    let ok = sample
        .par_iter()
        .with_min_len(256)
        .filter(|a| Signature::sig_validate(a.signature.as_bytes(), false).is_ok())
        .count();
    r.floor_ms = ms(t);
    r.floor_n = n_floor;
    spin.finish_and_clear();
    if ok != n_floor {
        bail!(
            "{} signatures failed to decompress",
            n_floor.saturating_sub(ok)
        );
    }

    // Baseline: verify_multiple_aggregate_signatures (one Miller loop per set, no grouping).
    r.baseline_n = args.baseline_sample.min(r.signatures);
    let spin = spinner(progress, "baseline");
    let t = Instant::now();
    baseline(&w, &cache, r.baseline_n)?;
    r.baseline_ms = ms(t);
    spin.finish_and_clear();

    // 1. Gossip path.
    let spin = spinner(progress, "gossip path");
    let t = Instant::now();
    let gossip = verify_gossip(
        &w.attestations,
        &w.signing_roots,
        &cache,
        args.batch,
        &blinding,
    )?;
    r.gossip_ms = ms(t);
    spin.finish_and_clear();
    r.gossip_batches = gossip.batches;
    r.gossip_pairings = gossip.pairings;
    r.gossip_invalid = gossip.invalid.len();

    // 2. Aggregation.
    let spin = spinner(progress, "aggregation");
    let t = Instant::now();
    let aggregates = aggregate_committees(&w.jobs, &gossip.points, &cache);
    r.aggregation_ms = ms(t);
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
    let t = Instant::now();
    let (bad, _, pairings) = verify_aggregates(&triples, &w.signing_roots, args.batch, &blinding)?;
    r.aggregate_ms = ms(t);
    r.aggregate_pairings = pairings;
    r.aggregate_invalid = bad.len();

    // 3b. On-chain Electra attestations: one per (slot, message), all its committees.
    let (onchain, roots) = onchain_attestations::<P>(&w, &aggregates)?;
    r.onchain_attestations = onchain.len();
    let t = Instant::now();
    let (bad, _, pairings) = verify_attestations(
        &onchain,
        &roots,
        &w.committees,
        &cache,
        args.batch,
        &blinding,
    )?;
    r.onchain_ms = ms(t);
    r.onchain_pairings = pairings;
    r.onchain_invalid = bad.len();

    if args.json {
        print_json(&r);
    } else {
        print_table(&r);
    }
    if r.invalid() > 0 {
        bail!(
            "invalid signatures: gossip {}, aggregates {}, on-chain {}",
            r.gossip_invalid,
            r.aggregate_invalid,
            r.onchain_invalid
        );
    }
    Ok(())
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

fn print_table(r: &Report) {
    let floor = r.per_core_us(r.floor_ms, r.floor_n);
    let gossip = r.per_core_us(r.gossip_ms, r.signatures);
    let base = r.per_core_us(r.baseline_ms, r.baseline_n);
    println!(
        "{} (seed {}, epoch {}): {} active, {} signatures, {} distinct messages, {} committees, {} threads",
        r.label, r.seed, r.epoch, r.active, r.signatures, r.distinct_messages, r.committees, r.threads
    );
    println!(
        "gossip messages per epoch: {} SingleAttestation + {} aggregate-and-proof (16 aggregators x committee)",
        r.signatures,
        r.aggregate_and_proofs()
    );
    println!("load state                 {:>10.1} ms", r.load_ms);
    println!(
        "signing (one-off)          {:>10.1} ms  {}",
        r.sign_s * 1e3,
        if r.sign_cached {
            "from the signature cache"
        } else {
            "signed now, cached"
        }
    );
    println!(
        "pubkey cache build         {:>10.1} ms  {} keys; load {:.1} ms; {} bytes on disk",
        r.pk_build_ms, r.active, r.pk_load_ms, r.pk_bytes
    );
    println!(
        "floor (uncompress+subgroup){:>10.1} ms  {:.1} us/sig/core over {} sigs",
        r.floor_ms, floor, r.floor_n
    );
    println!(
        "baseline (vmas)            {:>10.1} ms  {:.1} us/sig/core over {} sigs",
        r.baseline_ms, base, r.baseline_n
    );
    println!(
        "1 gossip path              {:>10.1} ms  {:.1} us/sig/core ({:.2}x floor, {:.1}x cheaper than baseline); {} batches, {} pairings, {} invalid",
        r.gossip_ms,
        gossip,
        if floor > 0.0 { gossip / floor } else { 0.0 },
        if gossip > 0.0 { base / gossip } else { 0.0 },
        r.gossip_batches,
        r.gossip_pairings,
        r.gossip_invalid
    );
    println!(
        "2 aggregation              {:>10.1} ms  {} aggregates ({:.2} us/sig/core)",
        r.aggregation_ms,
        r.aggregates,
        r.per_core_us(r.aggregation_ms, r.signatures)
    );
    println!(
        "3 aggregate path           {:>10.1} ms  {} committee aggregates, {} pairings, {} invalid",
        r.aggregate_ms, r.aggregates, r.aggregate_pairings, r.aggregate_invalid
    );
    println!(
        "3 on-chain attestations    {:>10.1} ms  {} attestations, {} pairings, {} invalid",
        r.onchain_ms, r.onchain_attestations, r.onchain_pairings, r.onchain_invalid
    );
}

fn print_json(r: &Report) {
    let floor = r.per_core_us(r.floor_ms, r.floor_n);
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
        "load_ms": r.load_ms,
        "gossip_ms": r.gossip_ms,
        "gossip_us_per_signature_per_core": r.per_core_us(r.gossip_ms, r.signatures),
        "floor_us_per_signature": floor,
        "floor_signatures": r.floor_n,
        "baseline_us_per_signature": r.per_core_us(r.baseline_ms, r.baseline_n),
        "baseline_signatures": r.baseline_n,
        "aggregation_ms": r.aggregation_ms,
        "aggregate_path_ms": r.aggregate_ms,
        "onchain_ms": r.onchain_ms,
        "signing_ms": r.sign_s * 1e3,
        "signing_cached": r.sign_cached,
        "pubkey_cache_build_ms": r.pk_build_ms,
        "pubkey_cache_load_ms": r.pk_load_ms,
        "pubkey_cache_bytes": r.pk_bytes,
        "invalid": r.invalid(),
        "commit": command_line("git", &["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "--short", "HEAD"]),
        "machine": machine(),
        "toolchain": command_line("rustc", &["-V"]),
    });
    println!("{v}");
}
