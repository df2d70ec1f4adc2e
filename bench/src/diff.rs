//! `maxeb diff A B`: the field-level difference of two state files (which fields, which validator
//! indices, old and new values), for when two implementations disagree. Exit 0 when the states
//! are equal, 1 when they differ, 2 when a file cannot be read (as `cmp` and `diff` do).

use crate::source::{infer_preset, PresetArg};
use anyhow::{bail, Result};
use maxeb_core::diff::diff_states;
use maxeb_core::io::read_state;
use maxeb_core::{Mainnet, Minimal, Preset};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use tree_hash::TreeHash;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The first state (`.ssz` or `.ssz_snappy`).
    pub a: PathBuf,
    /// The second state.
    pub b: PathBuf,
    /// Preset of both files (read from the first file's layout when omitted).
    #[arg(long, value_enum)]
    pub preset: Option<PresetArg>,
    /// At most this many differing indices shown per list field.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let preset = match args.preset {
        Some(p) => p,
        None => infer_preset(&args.a)?,
    };
    match preset {
        PresetArg::Mainnet => run_preset::<Mainnet>(args),
        PresetArg::Minimal => run_preset::<Minimal>(args),
    }
}

fn run_preset<P: Preset>(args: &Args) -> Result<ExitCode> {
    let a = read_state::<P>(&args.a)?;
    let b = read_state::<P>(&args.b)?;
    let d = diff_states(&a, &b, args.limit);
    let (ra, rb) = (a.tree_hash_root(), b.tree_hash_root());
    let mut out = std::io::stdout().lock();
    writeln!(out, "a: {} (root {ra})", args.a.display())?;
    writeln!(out, "b: {} (root {rb})", args.b.display())?;
    if d.is_empty() {
        if ra != rb {
            bail!("{}: equal fields but different roots", name(&args.b));
        }
        writeln!(out, "equal")?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "{} fields differ (a -> b):", d.fields.len())?;
    write!(out, "{}", d.render())?;
    out.flush()?;
    Ok(ExitCode::from(1))
}

fn name(p: &Path) -> String {
    p.display().to_string()
}
