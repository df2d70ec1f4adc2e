use clap::{Parser, Subcommand};

mod fixture;

#[derive(Parser)]
#[command(
    name = "maxeb",
    version,
    about = "Electra epoch-transition engine and benchmarks"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate a scenario's BeaconState into an SSZ file.
    Fixture(fixture::Args),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Fixture(args) => fixture::run(args),
    }
}
