//! `maxeb gate`: the CI regression gate. Compares a baseline against a current `results.json`
//! (or several of each, paired by position: round `i` of the baseline was measured beside round
//! `i` of the current, so slow drift of a shared machine cancels) and exits 0 when nothing
//! regressed, 1 when a tracked metric did, 2 when the files cannot be read or compared.
//!
//! The decision, per scenario and metric (README "CI regression gate" has the measured quality):
//! - time (`kind` time / cpu_time): the samples are compared on a log scale. The shift is the
//!   Hodges-Lehmann estimate (median of every within-round current-minus-baseline difference);
//!   its significance is a one-sided rank-sum test stratified by round (van Elteren: the rounds'
//!   Mann-Whitney U statistics summed), normal approximation, Bonferroni-corrected over the time
//!   metrics compared. A metric regressed when the test is significant at `--alpha` *and* the
//!   estimated slowdown is at least half of `--threshold`: the threshold is the size of
//!   regression the gate must catch, half of it the level it starts flagging at, so a change of the
//!   threshold's size is caught while sub-threshold noise that a long run makes "significant" is not.
//! - deterministic (`kind` instructions / bytes): the change of the median, flagged at half the
//!   threshold too; no test needed.
//!
//! A metric or scenario of the baseline missing from the current fails the gate: a renamed metric
//! must not pass silently.

use crate::results::{Better, Kind, Metric, Results};
use anyhow::{bail, Context, Result};
use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Baseline results.json (one, or one per round).
    #[arg(long, required = true, num_args = 1..)]
    pub baseline: Vec<PathBuf>,
    /// Current results.json (as many as the baseline: paired by position).
    #[arg(long, required = true, num_args = 1..)]
    pub current: Vec<PathBuf>,
    /// The regression size to catch: `5%` or `0.05`. Changes from half of it are flagged.
    #[arg(long, default_value = "5%", value_parser = parse_threshold)]
    pub threshold: f64,
    /// Family-wise false-alarm level of the time tests.
    #[arg(long, default_value_t = 0.01, value_parser = parse_alpha)]
    pub alpha: f64,
    /// Gate only these metrics (repeatable); default: every metric of the baseline.
    #[arg(long = "metric", value_name = "NAME")]
    pub metrics: Vec<String>,
    /// Gate the per-step epoch timings too (`steps`).
    #[arg(long)]
    pub steps: bool,
    /// Print one JSON object instead of the table.
    #[arg(long)]
    pub json: bool,
}

fn parse_threshold(s: &str) -> std::result::Result<f64, String> {
    let (num, scale) = match s.strip_suffix('%') {
        Some(n) => (n, 100.0),
        None => (s, 1.0),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: expected e.g. 5% or 0.05"))?;
    let v = v / scale;
    if v.is_finite() && v > 0.0 && v < 10.0 {
        Ok(v)
    } else {
        Err(format!("`{s}`: must be above 0 and below 1000%"))
    }
}

fn parse_alpha(s: &str) -> std::result::Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("`{s}`: expected a probability"))?;
    if v > 0.0 && v < 0.5 {
        Ok(v)
    } else {
        Err(format!("`{s}`: must be in (0, 0.5)"))
    }
}

/// What the gate concluded for one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Regressed,
    Improved,
    /// In the baseline, not in the current.
    Missing,
}

impl Verdict {
    fn text(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Regressed => "REGRESSED",
            Verdict::Improved => "improved",
            Verdict::Missing => "MISSING",
        }
    }
}

/// One row of the gate's table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub scenario: String,
    pub metric: String,
    pub unit: String,
    pub baseline: f64,
    pub current: f64,
    /// Estimated relative change (current / baseline - 1), in the metric's own direction.
    pub change: f64,
    /// One-sided p-value of a slowdown (time metrics), before the Bonferroni correction.
    pub p_worse: Option<f64>,
    pub p_better: Option<f64>,
    pub verdict: Verdict,
}

pub fn run(args: &Args) -> Result<ExitCode> {
    if args.baseline.len() != args.current.len() {
        bail!(
            "{} baseline file(s) and {} current file(s): rounds are paired by position, give as many of each",
            args.baseline.len(),
            args.current.len()
        );
    }
    let load = |p: &PathBuf| Results::load(p);
    let base: Vec<Results> = args.baseline.iter().map(load).collect::<Result<_>>()?;
    let cur: Vec<Results> = args.current.iter().map(load).collect::<Result<_>>()?;
    let rows = compare(&base, &cur, args)?;
    let failed = rows
        .iter()
        .any(|r| matches!(r.verdict, Verdict::Regressed | Verdict::Missing));
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", rows_json(&rows, args, failed))?;
    } else {
        write_table(&mut out, &rows, args, base.len())?;
        writeln!(
            out,
            "{}",
            if failed {
                "gate: FAIL (a tracked metric regressed or is missing)"
            } else {
                "gate: pass"
            }
        )?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// One metric of one scenario across the rounds: (baseline metric, current metric) per round.
struct Series<'a> {
    scenario: &'a str,
    name: String,
    rounds: Vec<(&'a Metric, Option<&'a Metric>)>,
}

/// Every gated metric of the baseline with its current counterpart, and the gate's verdicts.
pub fn compare(base: &[Results], cur: &[Results], args: &Args) -> Result<Vec<Row>> {
    let first = base.first().context("no baseline file")?;
    let wanted: BTreeSet<&str> = args.metrics.iter().map(String::as_str).collect();
    let mut series: Vec<Series> = Vec::new();
    for s in &first.scenarios {
        let mut names: Vec<String> = s.metrics.keys().cloned().collect();
        if args.steps {
            names.extend(s.steps.keys().map(|k| format!("step:{k}")));
        }
        for name in names {
            if !wanted.is_empty() && !wanted.contains(name.as_str()) {
                continue;
            }
            let mut rounds = Vec::new();
            for (i, (b, c)) in base.iter().zip(cur).enumerate() {
                let bs = b.scenario(&s.name).with_context(|| {
                    format!(
                        "baseline file {}: no scenario `{}`",
                        i.saturating_add(1),
                        s.name
                    )
                })?;
                let bm = lookup(bs, &name).with_context(|| {
                    format!(
                        "baseline file {}: scenario `{}` has no metric `{name}`",
                        i.saturating_add(1),
                        s.name
                    )
                })?;
                let cs = c.scenario(&s.name);
                if let Some(cs) = cs {
                    if (cs.validators, cs.active_validators, cs.ssz_bytes)
                        != (bs.validators, bs.active_validators, bs.ssz_bytes)
                    {
                        bail!(
                            "scenario `{}`: baseline and current measured different states ({} vs {} validators, {} vs {} SSZ bytes)",
                            s.name, bs.validators, cs.validators, bs.ssz_bytes, cs.ssz_bytes
                        );
                    }
                }
                rounds.push((bm, cs.and_then(|cs| lookup(cs, &name))));
            }
            series.push(Series {
                scenario: &s.name,
                name,
                rounds,
            });
        }
    }
    if !wanted.is_empty() {
        for w in &wanted {
            if !series.iter().any(|s| s.name == *w) {
                bail!("--metric {w}: no such metric in the baseline");
            }
        }
    }
    let time_tests = series
        .iter()
        .filter(|s| s.rounds.first().is_some_and(|(m, _)| is_time(m.kind)))
        .count()
        .max(1);
    let level = args.alpha / time_tests as f64;
    let flag_at = (1.0 + args.threshold / 2.0).ln();
    Ok(series.iter().map(|s| judge(s, level, flag_at)).collect())
}

fn lookup<'a>(s: &'a crate::results::ScenarioResult, name: &str) -> Option<&'a Metric> {
    match name.strip_prefix("step:") {
        Some(step) => s.steps.get(step),
        None => s.metrics.get(name),
    }
}

fn is_time(kind: Kind) -> bool {
    matches!(kind, Kind::Time | Kind::CpuTime)
}

fn judge(s: &Series, level: f64, flag_at: f64) -> Row {
    let Some((m0, _)) = s.rounds.first() else {
        unreachable_row(s)
    };
    let base_median = median(s.rounds.iter().map(|(b, _)| b.median).collect());
    let mut row = Row {
        scenario: s.scenario.to_string(),
        metric: s.name.clone(),
        unit: m0.unit.clone(),
        baseline: base_median,
        current: f64::NAN,
        change: f64::NAN,
        p_worse: None,
        p_better: None,
        verdict: Verdict::Missing,
    };
    let pairs: Option<Vec<(&Metric, &Metric)>> =
        s.rounds.iter().map(|(b, c)| c.map(|c| (*b, c))).collect();
    let Some(pairs) = pairs else {
        return row;
    };
    row.current = median(pairs.iter().map(|(_, c)| c.median).collect());
    // Positive `shift` = worse, in log units.
    let sign = match m0.better {
        Better::Lower => 1.0,
        Better::Higher => -1.0,
    };
    let positive = |v: &[f64]| v.iter().all(|x| *x > 0.0);
    if !pairs
        .iter()
        .all(|(b, c)| positive(&b.samples) && positive(&c.samples))
    {
        // A zero or negative sample (a 0 ms step): compare plainly, no log scale.
        row.change = if row.baseline == 0.0 {
            0.0
        } else {
            row.current / row.baseline - 1.0
        };
        row.verdict = if sign * row.change >= flag_at.exp_m1() && !is_time(m0.kind) {
            Verdict::Regressed
        } else {
            Verdict::Ok
        };
        return row;
    }
    if is_time(m0.kind) {
        let (shift, z) = stratified_shift(&pairs);
        let worse = sign * shift;
        row.change = shift.exp_m1();
        let p_worse = normal_sf(sign * z);
        let p_better = normal_sf(-sign * z);
        row.p_worse = Some(p_worse);
        row.p_better = Some(p_better);
        row.verdict = if p_worse < level && worse >= flag_at {
            Verdict::Regressed
        } else if p_better < level && -worse >= flag_at {
            Verdict::Improved
        } else {
            Verdict::Ok
        };
    } else {
        let shift = (row.current / row.baseline).ln();
        row.change = shift.exp_m1();
        row.verdict = if sign * shift >= flag_at {
            Verdict::Regressed
        } else if -sign * shift >= flag_at {
            Verdict::Improved
        } else {
            Verdict::Ok
        };
    }
    row
}

fn unreachable_row(s: &Series) -> ! {
    // `compare` pushes one round per baseline file and there is at least one.
    unreachable!("metric {} of {} has no rounds", s.name, s.scenario)
}

/// Hodges-Lehmann shift of ln(current) - ln(baseline) over every within-round pair, and the
/// stratified rank-sum z (positive: current larger).
fn stratified_shift(pairs: &[(&Metric, &Metric)]) -> (f64, f64) {
    let mut diffs = Vec::new();
    let (mut u_dev, mut var) = (0.0_f64, 0.0_f64);
    for (b, c) in pairs {
        let lb: Vec<f64> = b.samples.iter().map(|x| x.ln()).collect();
        let lc: Vec<f64> = c.samples.iter().map(|x| x.ln()).collect();
        let (na, nb) = (lb.len() as f64, lc.len() as f64);
        let mut u = 0.0_f64;
        for y in &lc {
            for x in &lb {
                diffs.push(y - x);
                u += if y > x {
                    1.0
                } else if y == x {
                    0.5
                } else {
                    0.0
                };
            }
        }
        u_dev += u - na * nb / 2.0;
        var += na * nb * (na + nb + 1.0) / 12.0;
    }
    let z = if var > 0.0 { u_dev / var.sqrt() } else { 0.0 };
    (median(diffs), z)
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let mid = n / 2;
    let hi = v.get(mid).copied().unwrap_or(f64::NAN);
    if n % 2 == 1 {
        hi
    } else {
        let lo = v.get(mid.saturating_sub(1)).copied().unwrap_or(f64::NAN);
        (lo + hi) / 2.0
    }
}

/// P(Z > z) for a standard normal Z (erfc by Numerical Recipes' Chebyshev fit, |error| < 1.2e-7).
pub fn normal_sf(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let poly = -z * z - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98
                                + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let r = t * poly.exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

fn write_table(out: &mut impl Write, rows: &[Row], args: &Args, rounds: usize) -> Result<()> {
    writeln!(
        out,
        "gate: {} metric(s), {rounds} round(s), threshold {:.1}% (flags from {:.1}%), alpha {}",
        rows.len(),
        args.threshold * 100.0,
        args.threshold * 50.0,
        args.alpha
    )?;
    writeln!(
        out,
        "{:<36} {:<30} {:<12} {:>12} {:>12} {:>8} {:>9}  verdict",
        "scenario", "metric", "unit", "baseline", "current", "change", "p(worse)"
    )?;
    let mut sorted: Vec<&Row> = rows.iter().collect();
    // What moved first: failures, then the largest changes.
    sorted.sort_by(|a, b| {
        let rank = |r: &Row| match r.verdict {
            Verdict::Regressed | Verdict::Missing => 0,
            Verdict::Improved => 1,
            Verdict::Ok => 2,
        };
        rank(a)
            .cmp(&rank(b))
            .then(b.change.abs().total_cmp(&a.change.abs()))
    });
    for r in sorted {
        writeln!(
            out,
            "{:<36} {:<30} {:<12} {:>12} {:>12} {:>8} {:>9}  {}",
            r.scenario,
            r.metric,
            r.unit,
            num(r.baseline),
            if r.current.is_nan() {
                "-".to_string()
            } else {
                num(r.current)
            },
            if r.change.is_nan() {
                "-".to_string()
            } else {
                format!("{:+.1}%", r.change * 100.0)
            },
            r.p_worse.map_or("-".to_string(), |p| format!("{p:.2e}")),
            r.verdict.text()
        )?;
    }
    Ok(())
}

fn num(v: f64) -> String {
    if v.abs() >= 1e6 {
        format!("{v:.3e}")
    } else if v.abs() >= 100.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.3}")
    }
}

fn rows_json(rows: &[Row], args: &Args, failed: bool) -> serde_json::Value {
    let f = |v: f64| if v.is_finite() { Some(v) } else { None };
    serde_json::json!({
        "pass": !failed,
        "threshold": args.threshold,
        "alpha": args.alpha,
        "rows": rows.iter().map(|r| serde_json::json!({
            "scenario": r.scenario,
            "metric": r.metric,
            "unit": r.unit,
            "baseline": f(r.baseline),
            "current": f(r.current),
            "change": f(r.change),
            "p_worse": r.p_worse,
            "verdict": r.verdict.text(),
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::*;
    use crate::results::{RunRecord, ScenarioResult, SCHEMA_VERSION};
    use std::collections::BTreeMap;

    fn args(threshold: f64) -> Args {
        Args {
            baseline: vec![],
            current: vec![],
            threshold,
            alpha: 0.01,
            metrics: vec![],
            steps: false,
            json: false,
        }
    }

    fn results(samples: Vec<f64>, instructions: f64) -> Results {
        let mut metrics = BTreeMap::new();
        metrics.insert("process_epoch_ms".into(), Metric::ms(samples).unwrap());
        metrics.insert(
            "process_epoch_instructions".into(),
            Metric::new(
                "instructions",
                Kind::Instructions,
                Better::Lower,
                vec![instructions],
            )
            .unwrap(),
        );
        Results {
            schema_version: SCHEMA_VERSION,
            run: RunRecord::current(1),
            scenarios: vec![ScenarioResult {
                name: "small".into(),
                source: "built-in".into(),
                seed: Some(1),
                preset: "mainnet".into(),
                epoch: 1,
                validators: 10,
                active_validators: 10,
                ssz_bytes: 100,
                memory_bytes: 100,
                metrics,
                steps: BTreeMap::new(),
                counts: BTreeMap::new(),
                reference_steps: BTreeMap::new(),
            }],
            external: vec![],
        }
    }

    /// A deterministic "noisy" series: base * (1 + jitter), jitter in about +-3%.
    fn noisy(base: f64, n: usize, phase: usize) -> Vec<f64> {
        (0..n)
            .map(|i| {
                let k = (i * 7 + phase * 3) % 13;
                base * (1.0 + (k as f64 - 6.0) * 0.005)
            })
            .collect()
    }

    fn verdict(rows: &[Row], metric: &str) -> Verdict {
        rows.iter().find(|r| r.metric == metric).unwrap().verdict
    }

    #[test]
    fn equal_runs_pass_and_a_slowdown_fails() {
        let a = results(noisy(10.0, 15, 0), 1e9);
        let same = results(noisy(10.0, 15, 1), 1e9);
        let rows = compare(std::slice::from_ref(&a), &[same], &args(0.05)).unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Ok);
        assert_eq!(verdict(&rows, "process_epoch_instructions"), Verdict::Ok);

        let slow = results(noisy(10.5, 15, 1), 1.05e9);
        let rows = compare(std::slice::from_ref(&a), &[slow], &args(0.05)).unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Regressed);
        assert_eq!(
            verdict(&rows, "process_epoch_instructions"),
            Verdict::Regressed
        );

        let fast = results(noisy(9.5, 15, 1), 0.95e9);
        let rows = compare(&[a], &[fast], &args(0.05)).unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Improved);
    }

    #[test]
    fn a_significant_but_tiny_shift_is_not_flagged() {
        // 1% slower with no noise at all: certain, but below half the 5% threshold.
        let a = results(vec![10.0; 20], 1e9);
        let b = results(vec![10.1; 20], 1.01e9);
        let rows = compare(&[a], &[b], &args(0.05)).unwrap();
        assert!(rows.iter().all(|r| r.verdict == Verdict::Ok), "{rows:?}");
    }

    #[test]
    fn too_few_samples_cannot_fail() {
        // One sample each: no test can be significant at 1%; the gate says ok, not regressed.
        let rows = compare(
            &[results(vec![10.0], 1e9)],
            &[results(vec![20.0], 1e9)],
            &args(0.05),
        )
        .unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Ok);
    }

    #[test]
    fn rounds_are_paired() {
        // The machine got 20% slower between rounds; within each round current == baseline.
        let base = vec![
            results(noisy(10.0, 9, 0), 1e9),
            results(noisy(12.0, 9, 2), 1e9),
        ];
        let cur = vec![
            results(noisy(10.0, 9, 1), 1e9),
            results(noisy(12.0, 9, 3), 1e9),
        ];
        let rows = compare(&base, &cur, &args(0.05)).unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Ok);
        // Unpaired (round 1 baseline against round 2 current) the drift would look like a regression.
        let rows = compare(&base[..1], &cur[1..], &args(0.05)).unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Regressed);
    }

    #[test]
    fn missing_metric_fails_and_different_states_are_refused() {
        let a = results(noisy(10.0, 9, 0), 1e9);
        let mut b = a.clone();
        b.scenarios[0].metrics.remove("process_epoch_instructions");
        let rows = compare(std::slice::from_ref(&a), &[b], &args(0.05)).unwrap();
        assert_eq!(
            verdict(&rows, "process_epoch_instructions"),
            Verdict::Missing
        );

        let mut c = a.clone();
        c.scenarios[0].validators = 11;
        let err = compare(&[a], &[c], &args(0.05)).unwrap_err().to_string();
        assert!(err.contains("different states"), "{err}");
    }

    #[test]
    fn normal_tail() {
        assert!((normal_sf(0.0) - 0.5).abs() < 1e-6);
        assert!((normal_sf(1.959_964) - 0.025).abs() < 1e-6);
        assert!((normal_sf(-2.326_348) - 0.99).abs() < 1e-6);
    }

    #[test]
    fn thresholds_parse() {
        assert_eq!(parse_threshold("5%"), Ok(0.05));
        assert_eq!(parse_threshold("0.05"), Ok(0.05));
        assert!(parse_threshold("-1%").is_err());
        assert!(parse_threshold("five").is_err());
    }
}
