//! `maxeb`: command-line entry point. Each subcommand lives in its own module (clap `Args` + `run`).

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod alloc;
mod diff;
mod epoch;
mod fixture;
mod flamegraph;
mod gate;
mod instructions;
mod meta;
mod report;
// Read and written by `report`, `gate` and `time-external`.
#[allow(dead_code)]
mod results;
mod sigs;
mod source;
mod stats;
mod time_external;
mod transition;
mod verify;

// mimalloc: the transition allocates and frees many large buffers; the system allocator is slower
// at that and would skew the timings.
#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

#[derive(Debug, Parser)]
#[command(
    name = "maxeb",
    version,
    about = "Electra (Pectra) epoch transition engine and benchmark harness"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Advance an Electra BeaconState by N slots and write the post-state.
    Transition(transition::Args),
    /// Generate a scenario's BeaconState into an SSZ file (and a manifest line).
    Fixture(fixture::Args),
    /// Time process_epoch (fast engine, or --reference), its roots and 32 slots on one state.
    Epoch(epoch::Args),
    /// Profile the fast engine (epoch, root, slots, cold root) into an SVG flame graph.
    Flamegraph(flamegraph::Args),
    /// Run the fast engine and the reference path on one state; compare post-states and roots.
    Verify(verify::Args),
    /// Field-level difference of two state files; exit 0 equal, 1 different, 2 unreadable.
    Diff(diff::Args),
    /// Sign, aggregate and verify one epoch of attestations (gossip, aggregation, aggregate path).
    Sigs(sigs::Args),
    /// CI regression gate: compare results.json files; exit 0 pass, 1 regressed, 2 unreadable, 3 inconclusive.
    Gate(gate::Args),
    /// Count the instructions of `maxeb transition` on one state (callgrind) into a results.json.
    Instructions(instructions::Args),
    /// The consolidation-savings report: run scenarios, print the savings table, write
    /// report.md/.html, results.json/.csv and SVG plots.
    Report(report::Args),
    /// Time another implementation's transition beside maxeb's on the same file, check the
    /// post-states match; exit 0 equal, 1 different, 2 on an error.
    TimeExternal(time_external::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    // Each command's exit code on success, and on an error (1, or 2 for `diff` as `cmp` does).
    let (result, failure) = match cli.command {
        Command::Transition(args) => (
            transition::run(&args).map(|()| ExitCode::SUCCESS),
            ExitCode::FAILURE,
        ),
        Command::Fixture(args) => (
            fixture::run(args).map(|()| ExitCode::SUCCESS),
            ExitCode::FAILURE,
        ),
        Command::Epoch(args) => (
            epoch::run(&args).map(|()| ExitCode::SUCCESS),
            ExitCode::FAILURE,
        ),
        Command::Flamegraph(args) => (
            flamegraph::run(&args).map(|()| ExitCode::SUCCESS),
            ExitCode::FAILURE,
        ),
        Command::Sigs(args) => (
            sigs::run(&args).map(|()| ExitCode::SUCCESS),
            ExitCode::FAILURE,
        ),
        Command::Report(args) => (
            report::run(&args).map(|()| ExitCode::SUCCESS),
            ExitCode::FAILURE,
        ),
        Command::Verify(args) => (verify::run(&args), ExitCode::from(2)),
        Command::Diff(args) => (diff::run(&args), ExitCode::from(2)),
        Command::Gate(args) => (gate::run(&args), ExitCode::from(2)),
        Command::Instructions(args) => (
            instructions::run(&args).map(|()| ExitCode::SUCCESS),
            ExitCode::FAILURE,
        ),
        Command::TimeExternal(args) => (time_external::run(&args), ExitCode::from(2)),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            // Contract: one line on stderr, naming the file and what is wrong.
            eprintln!("error: {}", one_line(&error_chain(&e)));
            failure
        }
    }
}

/// Help and version go out as clap writes them; a real usage error is cut to its first paragraph
/// on one line (clap adds tips and a usage block after a blank line), exit code 2 as clap uses.
fn usage_error(e: &clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            }
        }
        _ => {
            let text = e.render().to_string();
            let first: Vec<&str> = text
                .lines()
                .map(str::trim)
                .skip_while(|l| l.is_empty())
                .take_while(|l| !l.is_empty())
                .collect();
            let first = if first.is_empty() {
                "error: invalid arguments".to_string()
            } else {
                first.join(" ")
            };
            eprintln!("{first} (see `maxeb --help`)");
            ExitCode::from(2)
        }
    }
}

/// The error and its causes, `: `-separated, skipping a cause whose text the message already
/// holds (`IoError` prints its `io::Error` source itself).
fn error_chain(e: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !msg.contains(&text) {
            if !msg.is_empty() {
                msg.push_str(": ");
            }
            msg.push_str(&text);
        }
    }
    msg
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
