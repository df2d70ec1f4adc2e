//! `maxeb time-external --cmd 'OTHER ... {pre} ... {post}'`: time another implementation's state
//! transition beside maxeb's own on the same pre-state file, check that both post-states are
//! equal, and record both timings in a `results.json`.
//!
//! maxeb's side runs as a subprocess, `maxeb transition --pre PRE --slots N --out POST` (this same
//! binary), not in-process: the other tool is timed from spawn to exit (start-up, decode, caches,
//! transition, root, encode, write), so maxeb is timed the same way, from the same file, with the
//! same page cache. The runs alternate (maxeb, other, other, maxeb, ...: an ABBA order, so a drift
//! in the machine's load hits both sides alike). Every post-state of the other tool is compared
//! with maxeb's first one (`maxeb_core::diff::diff_states`), and each later maxeb post-state with
//! the first one; a difference prints the diff and exits 1, and nothing is recorded. Exit 2 on
//! an error (bad template, failing command, missing or unreadable post-state).

use crate::results::{ExternalTiming, Metric, Results, RunRecord, SCHEMA_VERSION};
use crate::source::{load, PreSource, PresetArg, StateArgs};
use crate::stats::Summary;
use anyhow::{anyhow, bail, Context, Result};
use maxeb_core::diff::diff_states;
use maxeb_core::io::{read_state, write_ssz};
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Minimal, Preset};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The other tool's command, run with `sh -c`; `{pre}` and `{post}` are replaced by the
    /// pre-state file (`--pre` as given, or the scenario written as `.ssz`) and the file it must
    /// write the post-state to (raw SSZ, `.ssz`). It must advance `--slots` slots.
    #[arg(long, value_name = "TEMPLATE")]
    pub cmd: String,
    #[command(flatten)]
    pub state: StateArgs,
    /// Runs of each side (interleaved).
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..))]
    pub runs: u64,
    /// Slots maxeb advances (`maxeb transition --slots`); the other command must do the same.
    #[arg(long, value_name = "N", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..))]
    pub slots: u64,
    /// Append an `external` row to this `results.json` (created, with no scenarios, if missing).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    check_template(&args.cmd)?;
    if let Some(out) = &args.out {
        // A bad results file should fail before minutes of runs, not after.
        if out.exists() {
            Results::load(out)?;
        }
    }
    let (source, preset) = args.state.resolve()?;
    match preset {
        PresetArg::Mainnet => run_preset::<Mainnet>(args, &source),
        PresetArg::Minimal => run_preset::<Minimal>(args, &source),
    }
}

/// The template must name both files, or the other tool cannot be given the same state.
fn check_template(cmd: &str) -> Result<()> {
    let missing: Vec<&str> = ["{pre}", "{post}"]
        .into_iter()
        .filter(|k| !cmd.contains(k))
        .collect();
    if !missing.is_empty() {
        bail!(
            "--cmd: the template has no {} (it must contain {{pre}} and {{post}}): {cmd}",
            missing.join(" and ")
        );
    }
    Ok(())
}

/// A scratch folder for the pre-state and the post-states, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("maxeb-time-external-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `path` quoted for `sh`.
fn sh_quote(path: &Path) -> String {
    format!("'{}'", path.display().to_string().replace('\'', r"'\''"))
}

/// Runs a command, returns its wall time; a non-zero exit is an error with its code and the tail
/// of its stderr; a missing post-state file is an error.
fn timed(what: &str, cmd: &mut Command, post: &Path) -> Result<Duration> {
    if post.exists() {
        std::fs::remove_file(post).with_context(|| format!("{}: cannot remove", post.display()))?;
    }
    let start = Instant::now();
    let out = cmd
        .output()
        .with_context(|| format!("{what}: cannot start"))?;
    let elapsed = start.elapsed();
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        let code = out
            .status
            .code()
            .map(|c| format!("exit code {c}"))
            .unwrap_or_else(|| "killed by a signal".into());
        bail!("{what}: failed ({code}); stderr: {}", tail.join(" | "));
    }
    if !post.is_file() {
        bail!(
            "{what}: exited 0 but wrote no post-state at {}",
            post.display()
        );
    }
    Ok(elapsed)
}

fn run_preset<P: Preset>(args: &Args, source: &PreSource) -> Result<ExitCode> {
    let scratch = Scratch::new()?;
    let pre = match source {
        PreSource::File(path) => path.clone(),
        PreSource::Scenario { .. } => {
            let state = load::<P>(source)?;
            let path = scratch.0.join("pre.ssz");
            write_ssz(&path, &state)?;
            path
        }
    };
    let mine = scratch.0.join("maxeb-post.ssz");
    let theirs = scratch.0.join("other-post.ssz");
    let other_cmd = args
        .cmd
        .replace("{pre}", &sh_quote(&pre))
        .replace("{post}", &sh_quote(&theirs));
    let exe = std::env::current_exe().context("cannot find the maxeb binary")?;
    let preset = P::NAME.to_string();
    let slots = args.slots.to_string();
    let maxeb_cmd = || {
        let mut c = Command::new(&exe);
        c.arg("transition")
            .arg("--pre")
            .arg(&pre)
            .args(["--preset", &preset, "--slots", &slots, "--out"])
            .arg(&mine);
        c
    };

    let name = source
        .scenario()
        .map(|s| s.name.clone())
        .unwrap_or_else(|| source.name());
    eprintln!(
        "{name}: {} runs each of maxeb transition and `{}`, {} slots, interleaved",
        args.runs, args.cmd, args.slots
    );
    let mut reference: Option<BeaconState<P>> = None;
    let (mut maxeb_t, mut other_t) = (Vec::new(), Vec::new());
    for i in 0..args.runs {
        // ABBA: maxeb first on even runs, the other tool first on odd ones.
        let order = if i % 2 == 0 {
            [true, false]
        } else {
            [false, true]
        };
        for is_maxeb in order {
            if is_maxeb {
                let t = timed("maxeb transition", &mut maxeb_cmd(), &mine)?;
                maxeb_t.push(t);
                let post = read_state::<P>(&mine)?;
                match &reference {
                    None => reference = Some(post),
                    Some(first) => {
                        if let Some(code) = mismatch("maxeb transition (run to run)", first, &post)?
                        {
                            return Ok(code);
                        }
                    }
                }
            } else {
                let mut c = Command::new("sh");
                c.arg("-c").arg(&other_cmd);
                other_t.push(timed(&format!("`{}`", args.cmd), &mut c, &theirs)?);
                // maxeb runs first on run 0, so its post-state is there to compare with.
                let first = reference
                    .as_ref()
                    .ok_or_else(|| anyhow!("no maxeb post-state to compare with"))?;
                let post = read_state::<P>(&theirs)?;
                if let Some(code) = mismatch(&format!("`{}`", args.cmd), first, &post)? {
                    return Ok(code);
                }
            }
        }
    }

    let ms = |v: &[Duration]| v.iter().map(|d| d.as_secs_f64() * 1e3).collect::<Vec<_>>();
    let summary = |v: &[Duration]| {
        Summary::of(v).ok_or_else(|| anyhow!("no runs recorded (--runs must be at least 1)"))
    };
    let (sm, so) = (summary(&maxeb_t)?, summary(&other_t)?);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "pre: {name} ({} preset), {} slots",
        P::NAME,
        args.slots
    )?;
    writeln!(out, "maxeb transition (subprocess)  {}", sm.text())?;
    writeln!(out, "other: {}  {}", args.cmd, so.text())?;
    writeln!(
        out,
        "ratio other / maxeb (medians): {:.2}x",
        so.median_ms / sm.median_ms
    )?;
    writeln!(
        out,
        "post-states: equal ({} runs of each compared)",
        args.runs
    )?;
    out.flush()?;

    if let Some(path) = &args.out {
        let row = ExternalTiming {
            scenario: name,
            command: args.cmd.clone(),
            slots: args.slots,
            maxeb_ms: Metric::ms(ms(&maxeb_t)).ok_or_else(|| anyhow!("no maxeb timings"))?,
            external_ms: Metric::ms(ms(&other_t)).ok_or_else(|| anyhow!("no timings"))?,
            post_states_equal: true,
        };
        let mut results = if path.exists() {
            Results::load(path)?
        } else {
            Results {
                schema_version: SCHEMA_VERSION,
                run: RunRecord::current(rayon::current_num_threads()),
                scenarios: Vec::new(),
                savings: Vec::new(),
                external: Vec::new(),
            }
        };
        results.external.push(row);
        results.save(path)?;
        writeln!(out, "recorded in {}", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `Some(exit 1)` after printing the difference when `post` differs from maxeb's `first`.
fn mismatch<P: Preset>(
    what: &str,
    first: &BeaconState<P>,
    post: &BeaconState<P>,
) -> Result<Option<ExitCode>> {
    let d = diff_states(first, post, 10);
    if d.is_empty() {
        return Ok(None);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "post-states differ: {what} against maxeb transition, {} fields (maxeb -> other):",
        d.fields.len()
    )?;
    write!(out, "{}", d.render())?;
    out.flush()?;
    eprintln!(
        "error: {what}: post-state differs from maxeb's ({} fields)",
        d.fields.len()
    );
    Ok(Some(ExitCode::from(1)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_must_name_both_files() {
        assert!(check_template("tool --in {pre} --out {post}").is_ok());
        let err = check_template("tool --in {pre}")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("no {post}"), "{err}");
        let err = check_template("tool")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("no {pre} and {post}"), "{err}");
    }

    #[test]
    fn quoting_survives_a_quote() {
        assert_eq!(sh_quote(Path::new("/tmp/a'b")), r"'/tmp/a'\''b'");
    }
}
