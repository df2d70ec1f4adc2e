//! `report.md`: the header, the savings table, the findings, every table, and the plots as
//! links to `plots/*.svg`.

use super::plots::Plot;
use super::table;
use crate::results::Results;

/// The "how to read this" paragraph (the HTML shows the same text).
pub const HOW_TO_READ: &str = "Every timed figure is a median with its min-max and the number of \
samples (n); each run of process_epoch and of the 32 slots starts from a fresh copy of the \
warm engine (state, root cache, epoch caches), so runs do not feed each other. Ratios (`0.45x`) \
are this scenario's median over the base scenario's median: below 1 is a saving. The consolidated \
scenarios keep the base's stakers and stake, merged into fewer, larger validators; their sources \
stay in the registry as withdrawn indices, so `-max` shows the effect of a smaller active set \
alone, and `-max-fresh` (the withdrawn indices dropped) adds the effect of a smaller registry. \
`-sync-boundary` scenarios sit one epoch before a sync-committee period (and historical-summaries) \
boundary, so their epoch also runs process_sync_committee_updates, where Electra's \
balance-weighted selection depends on effective balances. Times are wall-clock on the machine \
in the header, which may be shared (see the load average); signature work is CPU-seconds, which \
other tenants disturb less. \"in memory\" is an estimate: the state's lists at their in-memory \
record sizes plus the fast engine's cache bytes; peak RSS is the process's high-water mark while \
the fast engine ran (the state, its caches and one working copy, plus allocator slack).";

/// The run record as (label, value) rows, shared with the HTML.
pub fn header(r: &Results) -> Vec<(&'static str, String)> {
    let run = &r.run;
    let seeds: Vec<String> = r
        .scenarios
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s.name,
                s.seed.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
            )
        })
        .collect();
    vec![
        ("commit", run.commit.clone()),
        ("date", run.date.clone()),
        (
            "machine",
            format!(
                "{}, {} logical cores{}",
                run.cpu,
                run.cores,
                run.mem_total_bytes
                    .map(|b| format!(", {:.1} GB RAM", b as f64 / 1e9))
                    .unwrap_or_default()
            ),
        ),
        (
            "load average at start",
            run.load_average
                .map(|l| format!("{:.2} {:.2} {:.2} (1, 5, 15 min)", l[0], l[1], l[2]))
                .unwrap_or_else(|| "-".into()),
        ),
        ("toolchain", format!("{} ({})", run.toolchain, run.profile)),
        ("threads", run.threads.to_string()),
        ("command", run.command.clone()),
        ("scenario seeds", seeds.join(", ")),
    ]
}

pub fn render(r: &Results, base: &str, notes: &[String], plots: &[Plot]) -> String {
    let mut s = String::from("# maxeb consolidation-savings report\n\n");
    for (k, v) in header(r) {
        s.push_str(&format!("- {k}: `{v}`\n"));
    }
    s.push_str(&format!("\n## Savings against `{base}`\n\n"));
    s.push_str(&table::savings(r, base).markdown());
    s.push('\n');
    for f in table::findings(r, base) {
        s.push_str(&format!("- {f}\n"));
    }
    for n in notes {
        s.push_str(&format!("- Note: {n}\n"));
    }
    s.push_str(&format!("\n## How to read this\n\n{HOW_TO_READ}\n"));
    s.push_str("\n## Scenarios\n\n");
    s.push_str(&table::shape(r).markdown());
    s.push_str("\n## Timings (ms, median (min-max, n))\n\n");
    s.push_str(&table::timings(r).markdown());
    if let Some(t) = table::boundary(r) {
        s.push_str("\n## Sync-committee boundary\n\n");
        s.push_str(&t.markdown());
    }
    if let Some(t) = table::steps(r, false) {
        s.push_str("\n## process_epoch per step, fast engine (median ms)\n\n");
        s.push_str(&t.markdown());
    }
    if let Some(t) = table::steps(r, true) {
        s.push_str("\n## process_epoch per step, reference path (median ms)\n\n");
        s.push_str(&t.markdown());
    }
    if let Some(t) = table::sigs(r) {
        s.push_str("\n## Signature workload per epoch\n\n");
        s.push_str(&t.markdown());
        s.push_str(
            "\nOne epoch of Electra `SingleAttestation`s signed with the fixture keys (cached), \
             verified on the gossip path in blinded batches, aggregated per committee, and the \
             committee aggregates verified (`maxeb sigs`). Gossip messages: single attestations \
             plus 16 aggregate-and-proofs per committee. One sample per scenario.\n",
        );
    }
    s.push_str("\n## Plots\n\n");
    for p in plots {
        s.push_str(&format!("![{}](plots/{})\n\n", p.title, p.file));
    }
    s.push_str("Every sample is in `results.json` (schema in the README) and `results.csv`.\n");
    s
}
