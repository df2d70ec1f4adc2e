//! `savings[]`: every figure of every scenario as a ratio to the base scenario's, on the basis
//! it was measured on. Work counts are exact (the interval is the point). Instruction counts
//! repeat to ~1e-5. Times carry a 95% interval by a bootstrap over paired rounds
//! (`stats::ratio_interval`); a time measured once has no interval.

use crate::results::{Basis, Kind, Results, Saving, ScenarioResult};
use crate::stats::ratio_interval;

/// The facts compared as exact counts, beside `work`.
fn facts(s: &ScenarioResult) -> [(&'static str, u64); 4] {
    [
        ("active_validators", s.active_validators),
        ("validators", s.validators),
        ("ssz_bytes", s.ssz_bytes),
        ("memory_bytes", s.memory_bytes),
    ]
}

/// Every ratio of every scenario but the base to the base.
pub fn compute(r: &Results, base: &str) -> Vec<Saving> {
    let Some(b) = r.scenario(base) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for s in r.scenarios.iter().filter(|s| s.name != base) {
        let exact = |metric: &str, basis: Basis, x: u64, y: u64| {
            (y > 0).then(|| {
                let ratio = x as f64 / y as f64;
                Saving {
                    scenario: s.name.clone(),
                    base: base.to_string(),
                    metric: metric.to_string(),
                    basis,
                    ratio,
                    low: Some(ratio),
                    high: Some(ratio),
                }
            })
        };
        for ((name, x), (_, y)) in facts(s).into_iter().zip(facts(b)) {
            out.extend(exact(name, Basis::Work, x, y));
        }
        for (name, x) in &s.work {
            if let Some(y) = b.work.get(name) {
                out.extend(exact(name, Basis::Work, *x, *y));
            }
        }
        for (name, x) in &s.instructions {
            if let Some(y) = b.instructions.get(name) {
                if let Some(mut v) = exact(name, Basis::Instructions, *x, *y) {
                    // Repeatable, not exact: no interval is claimed beyond the point.
                    (v.low, v.high) = (None, None);
                    out.push(v);
                }
            }
        }
        out.extend(s.metrics.keys().filter_map(|name| time_ratio(s, b, name)));
    }
    out
}

/// `s`'s time metric `name` against `base`'s, with the bootstrap interval: only when both were
/// taken in the same rounds (as many samples, at least two). A time measured once (the
/// signature workload, the load) gives no ratio: its work counts carry the comparison.
pub fn time_ratio(s: &ScenarioResult, base: &ScenarioResult, name: &str) -> Option<Saving> {
    let m = s.metrics.get(name)?;
    let bm = base.metrics.get(name)?;
    if !matches!(m.kind, Kind::Time | Kind::CpuTime) || bm.median <= 0.0 {
        return None;
    }
    let paired = bm.samples.len() == m.samples.len() && m.samples.len() >= 2;
    let (ratio, low, high) = paired
        .then(|| ratio_interval(&bm.samples, &m.samples))
        .flatten()?;
    Some(Saving {
        scenario: s.name.clone(),
        base: base.name.clone(),
        metric: name.to_string(),
        basis: Basis::Time,
        ratio,
        low: Some(low),
        high: Some(high),
    })
}

/// The saving of `scenario`'s `metric`, if computed.
pub fn find<'a>(r: &'a Results, scenario: &str, metric: &str) -> Option<&'a Saving> {
    r.savings
        .iter()
        .find(|v| v.scenario == scenario && v.metric == metric)
}

/// A ratio for a table cell: `0.45x` exact; a time `0.82x [0.78-0.86]`, or
/// `no clear change [0.95-1.04]` when its interval spans 1.
pub fn cell(v: &Saving) -> String {
    let x = super::table::ratio_text;
    match (v.basis, v.low, v.high) {
        (Basis::Work | Basis::Instructions, _, _) => x(v.ratio),
        (Basis::Time, Some(l), Some(h)) if l <= 1.0 && h >= 1.0 => {
            format!("no clear change [{}-{}]", num(l), num(h))
        }
        (Basis::Time, Some(l), Some(h)) => format!("{} [{}-{}]", x(v.ratio), num(l), num(h)),
        (Basis::Time, _, _) => format!("{} (no interval)", x(v.ratio)),
    }
}

fn num(r: f64) -> String {
    if r >= 10.0 {
        format!("{r:.1}")
    } else {
        format!("{r:.2}")
    }
}
