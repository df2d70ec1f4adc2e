//! `maxeb report`: the consolidation-savings comparison. Runs a list of scenarios (default: the
//! built-in small family, built in memory in about a second each) through the fast engine (and
//! the reference path and the signature workload where asked), prints the savings table and
//! writes `results.json`, `results.csv`, `report.md`, a self-contained `report.html` and
//! `plots/*.svg` into `--out`.

mod csv;
mod html;
mod machine;
mod markdown;
pub(crate) mod measure;
mod plots;
mod savings;
mod table;

use crate::results::{write_atomic, Results, RunRecord, SCHEMA_VERSION};
use crate::source::{infer_preset, PreSource, PresetArg, StateArgs};
use anyhow::{bail, Context, Result};
use maxeb_fixtures::{attestations::key_count, ScenarioSource, BUILTIN};
use std::path::{Path, PathBuf};

/// The built-in small family: mainnet-2026's shape at 1/40 scale.
pub const SMALL_FAMILY: &[&str] = &[
    "small",
    "small-consolidated-25",
    "small-consolidated-50",
    "small-consolidated-75",
    "small-consolidated-max",
    "small-consolidated-max-fresh",
    "small-sync-boundary",
    "small-consolidated-max-sync-boundary",
];

/// The mainnet-sized family, for the closing hint.
const MAINNET_FAMILY: &[&str] = &[
    "mainnet-2026",
    "mainnet-2026-consolidated-25",
    "mainnet-2026-consolidated-50",
    "mainnet-2026-consolidated-75",
    "mainnet-2026-consolidated-max",
    "mainnet-2026-consolidated-max-fresh",
    "mainnet-2026-sync-boundary",
    "mainnet-2026-consolidated-max-sync-boundary",
];

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Comma-separated scenarios: built-in names, YAML paths, or `.ssz` / `.ssz_snappy` state
    /// files (e.g. written by `maxeb fixture`; name and seed from the manifest.tsv beside them).
    /// Default: the small family.
    #[arg(long, value_delimiter = ',', value_name = "A,B,...")]
    pub scenarios: Vec<String>,
    /// Output folder (default: reports/latest/ in a maxeb checkout, else report/ in the default
    /// output folder).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The most timed rounds: each round takes one sample of every scenario's epoch, warm root
    /// and 32 slots, in rotated order (the first 15 also rebuild the engine for the cold root and
    /// cache build). Rounds stop earlier once every median is within --precision (after 6).
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=1000))]
    pub runs: u64,
    /// Stop the rounds once every timed median's 95% interval is within +-this.
    #[arg(long, default_value = "5%", value_parser = parse_precision)]
    pub precision: f64,
    /// Stop the rounds after this many seconds in them (once 6 rounds are done).
    #[arg(long, default_value_t = 90, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub budget: u64,
    /// Skip the instruction counts (callgrind; ~30 CPU-s for the small family, minutes at
    /// mainnet size). Without valgrind on the PATH they are skipped with a note.
    #[arg(long)]
    pub no_instructions: bool,
    /// Count the deterministic work only (no timing, no machine rates): the same numbers on
    /// every machine, e.g. to check a committed report is current.
    #[arg(long, conflicts_with = "reference")]
    pub work_only: bool,
    /// Also time the spec-literal reference epoch (3 runs, not interleaved).
    #[arg(long)]
    pub reference: bool,
    /// Skip the signature workload.
    #[arg(long)]
    pub no_sigs: bool,
    /// Worker threads (rayon); default: every core.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// The scenario ratios are taken against (default: `mainnet-2026` or `small` when in the
    /// list, else the first).
    #[arg(long, value_name = "NAME")]
    pub base: Option<String>,
}

fn parse_precision(s: &str) -> std::result::Result<f64, String> {
    crate::stats::parse_fraction(s, 1.0)
}

/// One scenario to run, resolved before anything is measured (a bad name fails at once).
pub struct Input {
    /// The name in the report: the scenario's, or the manifest's for a file, else its stem.
    pub name: String,
    pub source: PreSource,
    pub preset: PresetArg,
    /// `built-in`, `yaml:PATH` or `file:PATH`.
    pub origin: String,
    pub seed: Option<u64>,
    /// Fixture keys the signature workload may need (the scenario's, when known).
    pub key_count: Option<u64>,
    /// Share of active validators that attest (the scenario's previous-epoch source rate).
    pub participation: f64,
}

pub fn run(args: &Args) -> Result<()> {
    let names: Vec<String> = if args.scenarios.is_empty() {
        SMALL_FAMILY.iter().map(|s| s.to_string()).collect()
    } else {
        args.scenarios
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    if names.is_empty() {
        bail!("--scenarios: no scenario named");
    }
    let inputs = names
        .iter()
        .map(|n| resolve(n))
        .collect::<Result<Vec<_>>>()?;
    let base = pick_base(args.base.as_deref(), &inputs)?;
    let out = match &args.out {
        Some(p) => p.clone(),
        None => default_out(),
    };
    check_out(&out)?;
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(usize::try_from(n)?)
            .build_global()
            .context("setting up the thread pool")?;
    }

    let mut run = RunRecord::current(rayon::current_num_threads());
    let opts = measure::Opts {
        max_rounds: args.runs,
        precision: args.precision,
        budget: std::time::Duration::from_secs(args.budget),
        reference: args.reference,
        sigs: !args.no_sigs,
        sig_cache: crate::sigs::default_cache_dir(),
    };
    let rates = if args.work_only {
        None
    } else {
        let pb =
            crate::epoch::progress("measuring this machine's hash rate and read bandwidth".into());
        let rates = machine::measure();
        pb.finish_and_clear();
        Some(rates)
    };
    let mut notes = Vec::new();
    let mut prepared = Vec::with_capacity(inputs.len());
    let total = inputs.len();
    for (i, input) in inputs.iter().enumerate() {
        let label = format!("[{}/{total}] {}", i.saturating_add(1), input.name);
        prepared.push(measure::prepare(input, &opts, &label, &mut notes)?);
    }
    let rounds = if args.work_only {
        None
    } else {
        Some(measure::rounds(&mut prepared, &opts)?)
    };
    if let Some(rounds) = &rounds {
        notes.push(format!(
        "{} interleaved round(s) in {:.1} s; {}",
        rounds.rounds,
        rounds.elapsed.as_secs_f64(),
        if rounds.converged {
            format!(
                "every timed median within +-{:.0}%",
                args.precision * 100.0
            )
        } else {
            format!(
                "stopped by the cap (--runs {}) or the budget (--budget {} s) before every median was within +-{:.0}%",
                args.runs,
                args.budget,
                args.precision * 100.0
            )
        }
    ));
    } else {
        notes.push("--work-only: work counts only, nothing timed".to_string());
    }
    if !args.no_instructions && !args.work_only {
        if crate::instructions::valgrind_available("valgrind") {
            measure::instructions(&mut prepared, "valgrind")?;
        } else {
            notes.push(
                "valgrind not found: no instruction counts (install valgrind, or pass \
                 --no-instructions to silence this)"
                    .to_string(),
            );
        }
    }
    let scenarios = prepared
        .into_iter()
        .map(|p| {
            let mut s = p.result;
            if let Some(rates) = &rates {
                s.floors_ms = machine::floors(&s, rates, p.epoch_bytes);
            }
            s
        })
        .collect();
    run.machine = rates;
    let mut results = Results {
        schema_version: SCHEMA_VERSION,
        run,
        scenarios,
        savings: vec![],
        external: vec![],
    };
    results.savings = savings::compute(&results, &base);

    let mut stdout = String::new();
    stdout.push_str(&format!(
        "savings against {base}: ratio = scenario / {base}, below 1 a saving; work counts are exact, \
         times a median ratio with its 95% interval (bootstrap over paired rounds)\n"
    ));
    stdout.push_str(&table::savings(&results, &base, false).text());
    stdout.push('\n');
    stdout.push_str(&table::savings(&results, &base, true).text());
    stdout.push_str(&format!(
        "\ntimes (ms, median +-95% interval; ! wider than +-{:.0}%)\n",
        table::WIDE * 100.0
    ));
    stdout.push_str(&table::timings(&results).text());
    for f in table::flags(&results) {
        stdout.push_str(&format!("! {f}\n"));
    }
    for n in &notes {
        stdout.push_str(&format!("note: {n}\n"));
    }
    write_all(&out, &results, &base, &notes)?;
    stdout.push_str(&format!(
        "\nfull report: {} (report.html, report.md, results.json, results.csv, plots/)\n",
        out.display()
    ));
    stdout.push_str(&mainnet_hint());
    print!("{stdout}");
    Ok(())
}

/// Every output file, each written atomically; plots first, the report files last.
fn write_all(out: &Path, results: &Results, base: &str, notes: &[String]) -> Result<()> {
    let plots = plots::all(results, base)?;
    std::fs::create_dir_all(out.join("plots"))
        .with_context(|| format!("{}: cannot create (--out)", out.display()))?;
    for p in &plots {
        write_atomic(&out.join("plots").join(p.file), p.svg.as_bytes())?;
    }
    results.save(&out.join("results.json"))?;
    write_atomic(&out.join("results.csv"), csv::render(results).as_bytes())?;
    write_atomic(
        &out.join("report.md"),
        markdown::render(results, base, notes, &plots).as_bytes(),
    )?;
    write_atomic(
        &out.join("report.html"),
        html::render(results, base, notes, &plots).as_bytes(),
    )?;
    Ok(())
}

/// A scenario name, YAML path or state file, checked (and the file's preset read) up front.
fn resolve(name: &str) -> Result<Input> {
    if name.ends_with(".ssz") || name.ends_with(".ssz_snappy") {
        let path = PathBuf::from(name);
        if !path.is_file() {
            bail!("{name}: no such state file (--scenarios)");
        }
        let preset = infer_preset(&path)?;
        let entry = crate::sigs::manifest_entry(&path);
        let known = entry
            .as_ref()
            .and_then(|(n, _)| ScenarioSource::Builtin(n.clone()).load().ok());
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.to_string());
        return Ok(Input {
            name: entry.as_ref().map(|e| e.0.clone()).unwrap_or(stem),
            origin: format!("file:{name}"),
            seed: entry.as_ref().map(|e| e.1),
            key_count: known.as_ref().map(key_count),
            participation: known
                .as_ref()
                .map_or(1.0, |s| s.participation.previous.source),
            source: PreSource::File(path),
            preset,
        });
    }
    let state = StateArgs {
        preset: None,
        pre: None,
        scenario: Some(name.to_string()),
    };
    let (source, preset) = state.resolve()?;
    let Some(s) = source.scenario() else {
        bail!("{name}: not a scenario");
    };
    let origin = if BUILTIN.iter().any(|(n, _)| *n == name) {
        "built-in".to_string()
    } else {
        format!("yaml:{name}")
    };
    Ok(Input {
        name: s.name.clone(),
        origin,
        seed: Some(s.seed),
        key_count: Some(key_count(s)),
        participation: s.participation.previous.source,
        preset,
        source,
    })
}

fn pick_base(asked: Option<&str>, inputs: &[Input]) -> Result<String> {
    let has = |n: &str| inputs.iter().any(|i| i.name == n);
    if let Some(b) = asked {
        if !has(b) {
            let names: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
            bail!("--base {b}: not among the scenarios ({})", names.join(", "));
        }
        return Ok(b.to_string());
    }
    for b in ["mainnet-2026", "small"] {
        if has(b) {
            return Ok(b.to_string());
        }
    }
    inputs
        .first()
        .map(|i| i.name.clone())
        .context("no scenarios")
}

/// `reports/latest/` in a checkout (git-ignored), else `report/` in the default output folder.
fn default_out() -> PathBuf {
    let cwd = std::env::current_dir().ok();
    match cwd
        .as_deref()
        .and_then(maxeb_fixtures::paths::checkout_root)
    {
        Some(root) => root.join("reports").join("latest"),
        None => maxeb_fixtures::paths::out_dir().join("report"),
    }
}

/// Fails early (before minutes of measuring) when `--out` cannot be a folder: it is a file, or
/// its nearest existing ancestor is not a folder or is read-only. Creates nothing.
fn check_out(out: &Path) -> Result<()> {
    if out.exists() && !out.is_dir() {
        bail!("{}: --out exists and is not a folder", out.display());
    }
    let existing = out.ancestors().find(|a| a.exists());
    match existing {
        Some(a) if !a.is_dir() => bail!(
            "{}: cannot create (--out): {} is not a folder",
            out.display(),
            a.display()
        ),
        Some(a) => {
            let ro = std::fs::metadata(a).map(|m| m.permissions().readonly());
            if matches!(ro, Ok(true)) {
                bail!(
                    "{}: cannot write (--out): {} is read-only",
                    out.display(),
                    a.display()
                );
            }
            Ok(())
        }
        None => Ok(()),
    }
}

fn mainnet_hint() -> String {
    let files: Vec<String> = MAINNET_FAMILY
        .iter()
        .map(|n| format!("DIR/{n}.ssz"))
        .collect();
    format!(
        "mainnet size (2M indices; each state built in memory in ~1-2 min with the key cache):\n  \
         maxeb report --scenarios {} --out reports/mainnet\n\
         or, on files written by `maxeb fixture --scenario NAME`:\n  \
         maxeb report --scenarios {}\n",
        MAINNET_FAMILY.join(","),
        files.join(",")
    )
}
