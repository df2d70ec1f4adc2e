//! `report.md`: the header, the savings table, the findings, every table, and the plots as
//! links to `plots/*.svg`.

use super::plots::Plot;
use super::table;
use crate::results::Results;

/// The "how to read this" paragraph (the HTML shows the same text).
pub const HOW_TO_READ: &str = "Ratios (`0.45x`) are this scenario's figure over the base \
scenario's: below 1 is a saving. The first columns are deterministic work counts, the same on \
any machine and in any run: validators the epoch visits, SHA-256 node hashes of the post-epoch \
state root and of 32 slots, pairings and point additions of one epoch's attestation signatures, \
bytes in memory. Their ratios are exact. Times come after them: each is the median of samples \
taken in interleaved rounds (every scenario once per round, the order rotated), each sample at \
least 25 ms of repeated runs on fresh copies of the warm engine, rounds added until every \
median's 95% interval (order statistics) is within the target or a cap is reached. A time ratio \
carries its 95% interval, a percentile bootstrap over paired rounds; an interval that holds 1 \
reads `no clear change`. A time whose interval is wider than +-10% is marked `!` and listed: too \
noisy to compare closely (a busy machine; see the load average). Each root and epoch time is \
also set against its floor on this machine: node hashes at the hash rate measured at the start, \
or the bytes the epoch must read (its visits times record, balance and score sizes, a model) at \
the measured read bandwidth. The consolidated scenarios keep the base's stakers and stake, \
merged into fewer, larger validators; their sources stay in the registry as withdrawn indices, \
so `-max` shows the effect of a smaller active set alone, and `-max-fresh` (the withdrawn \
indices dropped) adds the effect of a smaller registry. `-sync-boundary` scenarios sit one epoch \
before a sync-committee period (and historical-summaries) boundary: their epoch runs \
process_sync_committee_updates, and the next committee's draw, which the engine does ahead (on \
entering a period's last epoch: for these states, at cache build), is shown beside it as the \
boundary's work. Signature times are one sample each (CPU-seconds for the gossip path). \"in \
memory\" is the state's lists at their in-memory record sizes plus the fast engine's cache bytes \
(exact); heap peak is the most bytes the program held while this scenario's state, engine and \
one working copy were live, counted by the allocator from the scenario's own start, so it does \
not depend on which scenario ran before.";

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
    s.push_str(&table::savings(r, base, false).markdown());
    s.push('\n');
    s.push_str(&table::savings(r, base, true).markdown());
    s.push('\n');
    for f in table::findings(r, base) {
        s.push_str(&format!("- {f}\n"));
    }
    for n in notes {
        s.push_str(&format!("- Note: {n}\n"));
    }
    let flags = table::flags(r);
    if !flags.is_empty() {
        s.push_str("\n**Flagged** (interval wider than +-10%, or none):\n\n");
        for f in flags {
            s.push_str(&format!("- {f}\n"));
        }
    }
    s.push_str(&format!("\n## How to read this\n\n{HOW_TO_READ}\n"));
    s.push_str("\n## Scenarios\n\n");
    s.push_str(&table::shape(r).markdown());
    if let Some(t) = table::work(r) {
        s.push_str("\n## Work counts (deterministic)\n\n");
        s.push_str(&t.markdown());
    }
    if let Some(t) = table::instructions(r) {
        s.push_str("\n## Instruction counts (callgrind, one thread)\n\n");
        s.push_str(&t.markdown());
    }
    s.push_str("\n## Timings (ms, median +-95% interval; ! wider than +-10%)\n\n");
    s.push_str(&table::timings(r).markdown());
    if let Some(t) = table::floors(r) {
        s.push_str("\n## Against the floor on this machine\n\n");
        s.push_str(&t.markdown());
        if let Some(m) = &r.run.machine {
            s.push_str(&format!(
                "\nFloors: node hashes at {:.1}M/s, the epoch's bytes at {:.1} GB/s (measured at the start of the run, every thread).\n",
                m.node_hashes_per_s / 1e6,
                m.read_bytes_per_s / 1e9
            ));
        }
    }
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
