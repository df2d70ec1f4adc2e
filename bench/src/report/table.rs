//! The report's tables, built once from a `Results` and rendered as terminal text, Markdown or
//! HTML, so the three always show the same figures.

use crate::results::{metric_names as mn, Kind, Metric, Results, ScenarioResult};
use crate::stats::fmt_ms;

pub struct Table {
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    fn new(head: &[&str]) -> Self {
        Table {
            head: head.iter().map(|s| s.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// Columns padded to their widest cell; numbers right-aligned, the first column left.
    pub fn text(&self) -> String {
        let cols = self.head.len();
        let mut width = vec![0usize; cols];
        for row in std::iter::once(&self.head).chain(&self.rows) {
            for (w, cell) in width.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |row: &Vec<String>| {
            let cells: Vec<String> = row
                .iter()
                .zip(&width)
                .enumerate()
                .map(|(i, (c, w))| {
                    if i == 0 {
                        format!("{c:<w$}")
                    } else {
                        format!("{c:>w$}")
                    }
                })
                .collect();
            format!("{}\n", cells.join("  ").trim_end())
        };
        let mut s = line(&self.head);
        for row in &self.rows {
            s.push_str(&line(row));
        }
        s
    }

    pub fn markdown(&self) -> String {
        let row = |r: &Vec<String>| format!("| {} |\n", r.join(" | "));
        let mut s = row(&self.head);
        let sep: Vec<&str> = self
            .head
            .iter()
            .enumerate()
            .map(|(i, _)| if i == 0 { "---" } else { "---:" })
            .collect();
        s.push_str(&format!("|{}|\n", sep.join("|")));
        for r in &self.rows {
            s.push_str(&row(r));
        }
        s
    }

    pub fn html(&self) -> String {
        let mut s = String::from("<table>\n<thead><tr>");
        for h in &self.head {
            s.push_str(&format!("<th>{}</th>", esc(h)));
        }
        s.push_str("</tr></thead>\n<tbody>\n");
        for r in &self.rows {
            s.push_str("<tr>");
            for c in r {
                s.push_str(&format!("<td>{}</td>", esc(c)));
            }
            s.push_str("</tr>\n");
        }
        s.push_str("</tbody>\n</table>\n");
        s
    }
}

/// HTML text escape.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `12.3 (11.9-14.0, n=5)`, or the value alone for one sample.
pub fn metric_text(m: &Metric) -> String {
    let v = |x: f64| value(x, &m.unit);
    if m.samples.len() == 1 {
        format!("{} (n=1)", v(m.median))
    } else {
        format!(
            "{} ({}-{}, n={})",
            v(m.median),
            v(m.min),
            v(m.max),
            m.samples.len()
        )
    }
}

fn value(x: f64, unit: &str) -> String {
    match unit {
        "ms" => fmt_ms(x),
        "bytes" => mb(x),
        "s" => format!("{x:.3}"),
        _ => format!("{x}"),
    }
}

/// Bytes as MB (10^6), one decimal.
pub fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// A count with thousands separators.
pub fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        let left = s.len().saturating_sub(i);
        if i > 0 && left.checked_rem(3) == Some(0) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `0.45x`.
pub fn ratio_text(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.1}x")
    } else {
        format!("{r:.2}x")
    }
}

/// A figure the savings compare, read off a scenario.
#[derive(Clone, Copy)]
pub enum Figure {
    Metric(&'static str),
    Ssz,
    Memory,
}

impl Figure {
    pub fn of(self, s: &ScenarioResult) -> Option<f64> {
        match self {
            Figure::Metric(name) => s.metrics.get(name).map(|m| m.median),
            Figure::Ssz => Some(s.ssz_bytes as f64),
            Figure::Memory => Some(s.memory_bytes as f64),
        }
    }
}

/// `x / base` for one figure, when both are known and the base is not zero.
pub fn ratio(s: &ScenarioResult, base: &ScenarioResult, f: Figure) -> Option<f64> {
    let (a, b) = (f.of(s)?, f.of(base)?);
    (b > 0.0).then(|| a / b)
}

/// The savings tables' columns: (header, metric in `savings[]`, time or not).
pub const SAVINGS_COLUMNS: &[(&str, &str, bool)] = &[
    ("active", "active_validators", false),
    ("epoch: validators visited", "validators_visited", false),
    ("warm root: node hashes", "node_hashes", false),
    ("32 slots: node hashes", "node_hashes.slots_32", false),
    ("sigs: pairings", "pairings", false),
    ("sigs: G1 additions", "g1_additions", false),
    ("memory", "memory_bytes", false),
    ("epoch", mn::EPOCH_FAST_MS, true),
    ("warm root", mn::ROOT_WARM_MS, true),
    ("32 slots", mn::SLOTS_32_MS, true),
    ("cold root", mn::ROOT_COLD_MS, true),
];

/// Every scenario's ratio to the base, in two tables: the exact work counts (`time` false),
/// then the times with their 95% interval (`savings::cell`). Columns no scenario has are left
/// out.
pub fn savings(r: &Results, base: &str, time: bool) -> Table {
    let cols: Vec<&(&str, &str, bool)> = SAVINGS_COLUMNS
        .iter()
        .filter(|(_, m, t)| *t == time && r.savings.iter().any(|v| v.metric == *m))
        .collect();
    let first = if time {
        format!("time / {base} [95% interval]")
    } else {
        format!("work / {base} (exact)")
    };
    let mut head = vec![first];
    head.extend(cols.iter().map(|(h, _, _)| h.to_string()));
    let mut t = Table {
        head,
        rows: Vec::new(),
    };
    for s in r.scenarios.iter().filter(|s| s.name != base) {
        let mut row = vec![s.name.clone()];
        for (_, m, _) in &cols {
            row.push(
                super::savings::find(r, &s.name, m)
                    .map(super::savings::cell)
                    .unwrap_or_else(|| "-".into()),
            );
        }
        t.rows.push(row);
    }
    t
}

/// The deterministic work counts of every scenario (the savings' exact basis).
pub fn work(r: &Results) -> Option<Table> {
    let mut names: Vec<&String> = Vec::new();
    for s in &r.scenarios {
        for k in s.work.keys() {
            if !names.contains(&k) {
                names.push(k);
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    let mut head = vec!["work (count)".to_string()];
    head.extend(r.scenarios.iter().map(|s| s.name.clone()));
    let mut t = Table {
        head,
        rows: Vec::new(),
    };
    for n in names {
        let mut row = vec![n.clone()];
        for s in &r.scenarios {
            row.push(
                s.work
                    .get(n)
                    .map(|v| count(*v))
                    .unwrap_or_else(|| "-".into()),
            );
        }
        t.rows.push(row);
    }
    Some(t)
}

/// Instruction counts (callgrind), where counted.
pub fn instructions(r: &Results) -> Option<Table> {
    let mut names: Vec<&String> = Vec::new();
    for s in &r.scenarios {
        for k in s.instructions.keys() {
            if !names.contains(&k) {
                names.push(k);
            }
        }
    }
    if names.is_empty() {
        return None;
    }
    let mut head = vec!["scenario (instructions)".to_string()];
    head.extend(names.iter().map(|n| n.to_string()));
    let mut t = Table {
        head,
        rows: Vec::new(),
    };
    for s in &r.scenarios {
        let mut row = vec![s.name.clone()];
        for n in &names {
            row.push(
                s.instructions
                    .get(*n)
                    .map(|v| count(*v))
                    .unwrap_or_else(|| "-".into()),
            );
        }
        t.rows.push(row);
    }
    Some(t)
}

/// A time's interval is flagged from here (+-10%).
pub const WIDE: f64 = 0.10;

/// Every timed figure whose 95% interval is wider than +-10%, one line per scenario, and the
/// figures with too few samples for an interval, one line per metric.
pub fn flags(r: &Results) -> Vec<String> {
    let mut out = Vec::new();
    let mut single: Vec<(String, usize)> = Vec::new();
    for s in &r.scenarios {
        let mut wide = Vec::new();
        for (name, m) in &s.metrics {
            if !matches!(m.kind, Kind::Time | Kind::CpuTime) {
                continue;
            }
            match m.rel_halfwidth() {
                Some(h) if h > WIDE => wide.push(format!("{name} +-{:.0}%", h * 100.0)),
                Some(_) => {}
                None => {
                    if !single.iter().any(|(n, _)| n == name) {
                        single.push((name.clone(), m.samples.len()));
                    }
                }
            }
        }
        if !wide.is_empty() {
            out.push(format!(
                "{}: 95% interval wider than +-{:.0}% (too noisy to compare closely): {}",
                s.name,
                WIDE * 100.0,
                wide.join(", ")
            ));
        }
    }
    if !single.is_empty() {
        let names: Vec<String> = single.iter().map(|(n, k)| format!("{n} (n={k})")).collect();
        out.push(format!(
            "too few samples for an interval, so no time ratio: {}",
            names.join(", ")
        ));
    }
    out
}

/// The median with its interval as +-%, `!` when wider than +-10%: `0.412 +-3%`.
pub fn time_text(m: &Metric) -> String {
    let v = value(m.median, &m.unit);
    match m.rel_halfwidth() {
        Some(h) if h > WIDE => format!("{v} +-{:.0}% !", h * 100.0),
        Some(h) => format!("{v} +-{:.0}%", (h * 100.0).max(0.5)),
        None => format!("{v} (n={})", m.samples.len()),
    }
}

/// Each root and epoch time against its floor on this machine: node hashes at the measured
/// hash rate, or the epoch's bytes at the measured read bandwidth.
pub fn floors(r: &Results) -> Option<Table> {
    let cols = [
        ("epoch", mn::EPOCH_FAST_MS),
        ("warm root", mn::ROOT_WARM_MS),
        ("cold root", mn::ROOT_COLD_MS),
        ("32 slots", mn::SLOTS_32_MS),
    ];
    if r.scenarios.iter().all(|s| s.floors_ms.is_empty()) {
        return None;
    }
    let mut head = vec!["scenario: median / floor (ms)".to_string()];
    head.extend(cols.iter().map(|(h, _)| h.to_string()));
    let mut t = Table {
        head,
        rows: Vec::new(),
    };
    for s in &r.scenarios {
        let mut row = vec![s.name.clone()];
        for (_, m) in cols {
            row.push(match (s.metrics.get(m), s.floors_ms.get(m)) {
                (Some(x), Some(f)) if *f > 0.0 => format!(
                    "{} / {} ({:.1}x)",
                    fmt_ms(x.median),
                    fmt_ms(*f),
                    x.median / f
                ),
                _ => "-".into(),
            });
        }
        t.rows.push(row);
    }
    Some(t)
}

/// Registry, active set, sizes, seed, epoch.
pub fn shape(r: &Results) -> Table {
    let mut t = Table::new(&[
        "scenario",
        "seed",
        "epoch",
        "indices",
        "active",
        "SSZ",
        "in memory",
        "heap peak",
        "source",
    ]);
    for s in &r.scenarios {
        t.rows.push(vec![
            s.name.clone(),
            s.seed.map(|x| x.to_string()).unwrap_or_else(|| "-".into()),
            s.epoch.to_string(),
            count(s.validators),
            count(s.active_validators),
            mb(s.ssz_bytes as f64),
            mb(s.memory_bytes as f64),
            s.metrics
                .get(mn::HEAP_PEAK_BYTES)
                .map(|m| mb(m.median))
                .unwrap_or_else(|| "-".into()),
            s.source.clone(),
        ]);
    }
    t
}

/// The timed metrics, median (min-max, n).
pub fn timings(r: &Results) -> Table {
    let mut cols: Vec<(&str, &str)> = vec![
        ("process_epoch", mn::EPOCH_FAST_MS),
        ("warm root", mn::ROOT_WARM_MS),
        ("cold root", mn::ROOT_COLD_MS),
        ("32 slots", mn::SLOTS_32_MS),
        ("cache build", mn::CACHE_BUILD_MS),
        ("sync draw (cache build)", mn::SYNC_LOOKAHEAD_MS),
        ("load / build", mn::LOAD_MS),
    ];
    cols.retain(|(_, m)| {
        m != &mn::SYNC_LOOKAHEAD_MS || r.scenarios.iter().any(|s| s.metrics.contains_key(*m))
    });
    if r.scenarios
        .iter()
        .any(|s| s.metrics.contains_key(mn::EPOCH_REFERENCE_MS))
    {
        cols.insert(1, ("reference epoch", mn::EPOCH_REFERENCE_MS));
    }
    let mut head = vec!["scenario (ms)"];
    head.extend(cols.iter().map(|c| c.0));
    let mut t = Table::new(&head);
    for s in &r.scenarios {
        let mut row = vec![s.name.clone()];
        for (_, m) in &cols {
            row.push(
                s.metrics
                    .get(*m)
                    .map(time_text)
                    .unwrap_or_else(|| "-".into()),
            );
        }
        t.rows.push(row);
    }
    t
}

/// The step names in the order the first scenario reports them, then any others.
pub fn step_names(r: &Results, reference: bool) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in &r.scenarios {
        let steps = if reference {
            &s.reference_steps
        } else {
            &s.steps
        };
        for n in steps.keys() {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    if reference {
        // The spec's order, not alphabetical.
        let order: Vec<&str> = maxeb_core::epoch::epoch_steps::<maxeb_core::Mainnet>()
            .iter()
            .map(|(n, _)| *n)
            .collect();
        names.sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(order.len()));
    } else {
        // The fast path's phase order (EpochTimings::phases), not alphabetical.
        let order: Vec<&str> = maxeb_core::fast::EpochTimings::default()
            .phases()
            .iter()
            .map(|(n, _)| *n)
            .collect();
        names.sort_by_key(|n| order.iter().position(|o| o == n).unwrap_or(order.len()));
    }
    names
}

/// `process_epoch` per step, medians in ms (the min-max and samples are in results.json).
pub fn steps(r: &Results, reference: bool) -> Option<Table> {
    let names = step_names(r, reference);
    if names.is_empty() {
        return None;
    }
    let mut head = vec!["step (median ms)".to_string()];
    head.extend(r.scenarios.iter().map(|s| s.name.clone()));
    let mut t = Table {
        head,
        rows: Vec::new(),
    };
    for n in &names {
        let mut row = vec![n.clone()];
        for s in &r.scenarios {
            let steps = if reference {
                &s.reference_steps
            } else {
                &s.steps
            };
            row.push(
                steps
                    .get(n)
                    .map(|m| fmt_ms(m.median))
                    .unwrap_or_else(|| "-".into()),
            );
        }
        t.rows.push(row);
    }
    Some(t)
}

/// The signature workload per epoch.
pub fn sigs(r: &Results) -> Option<Table> {
    if r.scenarios.iter().all(|s| s.work.is_empty()) {
        return None;
    }
    let mut t = Table::new(&[
        "scenario",
        "signatures",
        "distinct messages",
        "gossip messages",
        "committees",
        "pairings",
        "gossip CPU-s",
        "gossip wall ms",
        "aggregation ms",
        "aggregate path ms",
    ]);
    for s in &r.scenarios {
        let c = |k: &str| {
            s.work
                .get(k)
                .map(|n| count(*n))
                .unwrap_or_else(|| "-".into())
        };
        let m = |k: &str| {
            s.metrics
                .get(k)
                .map(metric_text)
                .unwrap_or_else(|| "-".into())
        };
        t.rows.push(vec![
            s.name.clone(),
            c("signatures"),
            c("distinct_messages"),
            c("gossip_messages"),
            c("committees"),
            c("pairings"),
            m(mn::SIGS_GOSSIP_CPU_S),
            m(mn::SIGS_GOSSIP_MS),
            m(mn::SIGS_AGGREGATION_MS),
            m(mn::SIGS_AGGREGATE_PATH_MS),
        ]);
    }
    Some(t)
}

/// The sibling of a boundary scenario: `X-sync-boundary` -> `X`.
pub fn boundary_sibling(name: &str) -> Option<String> {
    name.strip_suffix("-sync-boundary").map(|s| s.to_string())
}

/// Sync-committee-boundary epochs against the same registry one step off the boundary. The
/// next committee's draw (`sync_lookahead`) is work of the boundary: the engine does it ahead,
/// entering a period's last epoch, which for a state that starts there is its cache build.
pub fn boundary(r: &Results) -> Option<Table> {
    let mut t = Table::new(&[
        "boundary scenario",
        "process_epoch",
        "sync committee draw (ahead, at cache build)",
        "draw: candidates",
        "boundary work (epoch + draw)",
        "off the boundary",
        "epoch there",
        "epoch: boundary / off [95%]",
        "(epoch + draw) / off epoch (medians)",
        "of which sync_committee_updates",
    ]);
    for s in &r.scenarios {
        let Some(sib) = boundary_sibling(&s.name) else {
            continue;
        };
        let med = |x: &ScenarioResult, m: &str| x.metrics.get(m).map(|m| m.median);
        let epoch = med(s, mn::EPOCH_FAST_MS);
        let draw = med(s, mn::SYNC_LOOKAHEAD_MS);
        let total = epoch.map(|e| e + draw.unwrap_or(0.0));
        let other = r.scenario(&sib);
        let off = other.and_then(|o| med(o, mn::EPOCH_FAST_MS));
        let ms_text = |v: Option<f64>| {
            v.map(|v| format!("{} ms", fmt_ms(v)))
                .unwrap_or_else(|| "-".into())
        };
        t.rows.push(vec![
            s.name.clone(),
            s.metrics
                .get(mn::EPOCH_FAST_MS)
                .map(|m| format!("{} ms", time_text(m)))
                .unwrap_or_else(|| "-".into()),
            s.metrics
                .get(mn::SYNC_LOOKAHEAD_MS)
                .map(|m| format!("{} ms", time_text(m)))
                .unwrap_or_else(|| "-".into()),
            s.work
                .get("sync_lookahead_candidates")
                .map(|n| count(*n))
                .unwrap_or_else(|| "-".into()),
            ms_text(total),
            sib.clone(),
            ms_text(off),
            other
                .and_then(|o| super::savings::time_ratio(s, o, mn::EPOCH_FAST_MS))
                .map(|v| super::savings::cell(&v))
                .unwrap_or_else(|| "-".into()),
            match (total, off) {
                (Some(a), Some(b)) if b > 0.0 => ratio_text(a / b),
                _ => "-".into(),
            },
            step_ms(s, "sync_committee_updates"),
        ]);
    }
    (!t.rows.is_empty()).then_some(t)
}

/// Plain-text paragraphs on the `-fresh` decomposition and the boundary, for md and html.
pub fn findings(r: &Results, base: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(b) = r.scenario(base) else {
        return out;
    };
    let e = Figure::Metric(mn::EPOCH_FAST_MS);
    let w = Figure::Metric(mn::ROOT_WARM_MS);
    let rt = |s: &ScenarioResult, o: &ScenarioResult, f: Figure| match f {
        Figure::Metric(name) => super::savings::time_ratio(s, o, name)
            .map(|v| super::savings::cell(&v))
            .unwrap_or_else(|| "-".into()),
        _ => ratio(s, o, f).map(ratio_text).unwrap_or_else(|| "-".into()),
    };
    // One line per scenario: the exact work ratios first, then the times with their intervals.
    for s in r.scenarios.iter().filter(|s| s.name != base) {
        let w = |m: &str| super::savings::find(r, &s.name, m).map(super::savings::cell);
        let mut parts = Vec::new();
        for (label, m) in [
            ("active validators", "active_validators"),
            ("validators visited per epoch", "validators_visited"),
            ("node hashes of the warm root", "node_hashes"),
            ("pairings of an epoch's attestation signatures", "pairings"),
            ("G1 additions (public-key aggregation)", "g1_additions"),
        ] {
            if let Some(c) = w(m) {
                parts.push(format!("{label} {c}"));
            }
        }
        let mut times = Vec::new();
        for (label, m) in [
            ("epoch", mn::EPOCH_FAST_MS),
            ("warm root", mn::ROOT_WARM_MS),
            ("32 slots", mn::SLOTS_32_MS),
        ] {
            if let Some(c) = w(m) {
                times.push(format!("{label} {c}"));
            }
        }
        out.push(format!(
            "`{}` against `{}`: {}; time: {}.",
            s.name,
            b.name,
            parts.join(", "),
            times.join(", ")
        ));
    }
    for fresh in &r.scenarios {
        let Some(parent) = fresh
            .name
            .strip_suffix("-fresh")
            .and_then(|p| r.scenario(p))
        else {
            continue;
        };
        out.push(format!(
            "Smaller active set: `{}` against `{}` keeps the {}-index registry and has {} active \
             instead of {}: epoch {}, warm root {}, memory {}.",
            parent.name,
            b.name,
            count(parent.validators),
            count(parent.active_validators),
            count(b.active_validators),
            rt(parent, b, e),
            rt(parent, b, w),
            rt(parent, b, Figure::Memory),
        ));
        out.push(format!(
            "Smaller registry: `{}` against `{}` has the same {} active validators in {} indices \
             instead of {} (withdrawn indices dropped): epoch {}, warm root {}, memory {}, SSZ {}. \
             Both together (`{}` against `{}`): epoch {}, memory {}.",
            fresh.name,
            parent.name,
            count(fresh.active_validators),
            count(fresh.validators),
            count(parent.validators),
            rt(fresh, parent, e),
            rt(fresh, parent, w),
            rt(fresh, parent, Figure::Memory),
            rt(fresh, parent, Figure::Ssz),
            fresh.name,
            b.name,
            rt(fresh, b, e),
            rt(fresh, b, Figure::Memory),
        ));
    }
    let boundaries: Vec<&ScenarioResult> = r
        .scenarios
        .iter()
        .filter(|s| boundary_sibling(&s.name).is_some())
        .collect();
    let plain = boundaries
        .iter()
        .find(|s| boundary_sibling(&s.name).as_deref() == Some(base));
    for s in &boundaries {
        if let Some(p) = plain.filter(|p| p.name != s.name) {
            out.push(format!(
                "At the sync-committee boundary, `{}` against `{}`: epoch {}, \
                 sync_committee_updates {} -> {}; the next committee's draw, done ahead of the \
                 boundary (here at cache build), {} -> {} with {} -> {} candidates.",
                s.name,
                p.name,
                rt(s, p, e),
                step_ms(p, "sync_committee_updates"),
                step_ms(s, "sync_committee_updates"),
                metric_ms(p, mn::SYNC_LOOKAHEAD_MS),
                metric_ms(s, mn::SYNC_LOOKAHEAD_MS),
                p.work
                    .get("sync_lookahead_candidates")
                    .map(|n| count(*n))
                    .unwrap_or_else(|| "-".into()),
                s.work
                    .get("sync_lookahead_candidates")
                    .map(|n| count(*n))
                    .unwrap_or_else(|| "-".into()),
            ));
        }
    }
    out
}

fn metric_ms(s: &ScenarioResult, name: &str) -> String {
    s.metrics
        .get(name)
        .map(|m| format!("{} ms", fmt_ms(m.median)))
        .unwrap_or_else(|| "-".into())
}

fn step_ms(s: &ScenarioResult, step: &str) -> String {
    s.steps
        .get(step)
        .map(|m| format!("{} ms", fmt_ms(m.median)))
        .unwrap_or_else(|| "-".into())
}
