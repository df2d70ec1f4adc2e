//! `maxeb`: command-line entry point. Each subcommand lives in its own module (clap `Args` + `run`).

use clap::error::ErrorKind;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod fixture;
mod sigs;
mod transition;

// mimalloc: the transition allocates and frees many large buffers; the system allocator is slower
// at that and would skew the timings.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Sign, aggregate and verify one epoch of attestations (gossip, aggregation, aggregate path).
    Sigs(sigs::Args),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let result = match cli.command {
        Command::Transition(args) => transition::run(&args),
        Command::Fixture(args) => fixture::run(args),
        Command::Sigs(args) => sigs::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Contract: one line on stderr, naming the file and what is wrong.
            eprintln!("error: {}", one_line(&error_chain(&e)));
            ExitCode::FAILURE
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
