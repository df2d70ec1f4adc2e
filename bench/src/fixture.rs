//! `maxeb fixture`: generate a scenario's Electra state (or load one back and time it).

use anyhow::{bail, Context, Result};
use maxeb_fixtures::{generate_to_file, keys, GenOptions, PresetName, ScenarioSource};
use std::path::PathBuf;
use std::time::Instant;

/// Generate a scenario's BeaconState (`.ssz` or `.ssz_snappy`) and append it to the manifest.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A scenario under fixtures/scenarios/ (built in) or a path to a YAML file.
    #[arg(long, required_unless_present = "load")]
    pub scenario: Option<String>,
    /// Output file; default <out>/<scenario>.ssz, where <out> is $MAXEB_OUT_DIR, else the
    /// checkout's fixtures/out when run inside one, else the platform cache folder (~/.cache/maxeb)
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Key/signature cache folder; default $MAXEB_KEY_CACHE, else <out>/keys
    #[arg(long)]
    pub keys_dir: Option<PathBuf>,
    /// Derive every key afresh and write no cache.
    #[arg(long)]
    pub no_key_cache: bool,
    /// After writing, read the file back, decode it and run process_epoch on it.
    #[arg(long)]
    pub check: bool,
    /// Only load (read + decode) this mainnet-preset state file and report the time.
    #[arg(long, conflicts_with = "scenario")]
    pub load: Option<PathBuf>,
    /// With --load: also run process_epoch.
    #[arg(long)]
    pub epoch: bool,
}

pub fn run(args: Args) -> Result<()> {
    if let Some(path) = &args.load {
        return load(path, args.epoch);
    }
    let Some(name) = args.scenario.as_deref() else {
        bail!("--scenario is required");
    };
    let source = ScenarioSource::parse(name);
    let scenario = source.load()?;
    let out = args.out.clone().unwrap_or_else(|| {
        maxeb_fixtures::default_out_dir().join(format!("{}.ssz", scenario.name))
    });
    let opts = GenOptions {
        key_cache: if args.no_key_cache {
            None
        } else {
            Some(
                args.keys_dir
                    .clone()
                    .unwrap_or_else(keys::default_cache_dir),
            )
        },
    };
    let t = Instant::now();
    let g = generate_to_file(&source, &out, &opts)
        .with_context(|| format!("generating scenario {name}"))?;
    let s = &g.summary;
    println!(
        "{}: {} validators ({} active, {} compounding active, {} withdrawn, {} slashed), \
         {} pending deposits, {} partial withdrawals, {} consolidations",
        g.scenario,
        s.validators,
        s.active,
        s.compounding_active,
        s.withdrawn,
        s.slashed,
        s.pending_deposits,
        s.pending_partial_withdrawals,
        s.pending_consolidations
    );
    println!(
        "  total balance {:.0} ETH, active effective {:.0} ETH",
        s.total_balance_gwei as f64 / 1e9,
        s.total_active_effective_gwei as f64 / 1e9
    );
    println!(
        "  wrote {} ({} bytes, sha256 {}) in {:.2} s; manifest {}",
        g.path.display(),
        g.bytes,
        g.sha256,
        t.elapsed().as_secs_f64(),
        g.manifest.display()
    );
    if args.check {
        if scenario.preset != PresetName::Mainnet {
            bail!("--check supports mainnet-preset states only");
        }
        load(&g.path, true)?;
    }
    Ok(())
}

fn load(path: &std::path::Path, epoch: bool) -> Result<()> {
    let t = Instant::now();
    let mut state = maxeb_core::io::read_state::<maxeb_core::Mainnet>(path)?;
    println!(
        "  loaded {} ({} validators) in {:.3} s",
        path.display(),
        state.validators.len(),
        t.elapsed().as_secs_f64()
    );
    if epoch {
        // Step by step (the same calls process_epoch makes, in its order), each timed.
        let t = Instant::now();
        let mut steps = Vec::new();
        for (name, step) in maxeb_core::epoch::epoch_steps::<maxeb_core::Mainnet>() {
            let s = Instant::now();
            step(&mut state).with_context(|| format!("{name} on {}", path.display()))?;
            steps.push((name, s.elapsed()));
        }
        println!(
            "  process_epoch ran without error in {:.3} s",
            t.elapsed().as_secs_f64()
        );
        for (name, d) in steps {
            println!("    {name:<32} {:>9.3} ms", d.as_secs_f64() * 1e3);
        }
    }
    Ok(())
}
