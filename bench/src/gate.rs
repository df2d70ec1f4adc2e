//! `maxeb gate`: the CI regression gate. Compares a baseline against a current `results.json`
//! (or several of each, paired by position: round `i` of the baseline was measured beside round
//! `i` of the current, so slow drift of a shared machine cancels) and exits 0 when nothing
//! regressed, 1 when a tracked metric did, 2 when the files cannot be read or compared.
//!
//! The decision, per scenario and metric (README "CI regression gate" has the measured quality):
//! - time (`kind` time / cpu_time): the shift is the Hodges-Lehmann estimate on a log scale
//!   (median of every within-round current-minus-baseline difference); its significance is a
//!   one-sided sign test over the rounds (round i: is the current median above the baseline
//!   median?), Bonferroni-corrected over the time metrics compared. A metric regressed when the
//!   test is significant at `--alpha` *and* the estimated slowdown is at least half of
//!   `--threshold`: the threshold is the size of regression the gate must catch, half of it the
//!   level it starts flagging at. One round can never be significant: time needs at least
//!   log2(metrics / alpha) paired rounds (7 for one metric at 1%, 10 for seven).
//! - deterministic (`kind` instructions): the change of the median, flagged at half the
//!   threshold too; no test needed. Byte counts (peak RSS) are shown but gated only when named
//!   with `--metric`: they move by several percent between identical runs.
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
    /// Shown, not gated: peak RSS and other byte counts move by several percent between
    /// identical runs here (142.9 vs 134.5 MB on `small`), so they are gated only when named
    /// with `--metric`.
    Info,
}

impl Verdict {
    fn text(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Regressed => "REGRESSED",
            Verdict::Improved => "improved",
            Verdict::Missing => "MISSING",
            Verdict::Info => "info",
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
                // A metric recorded in some rounds only (an instruction count taken once) is
                // compared over the rounds whose baseline has it.
                let Some(bm) = lookup(bs, &name) else {
                    continue;
                };
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
    Ok(series
        .iter()
        .map(|s| {
            let mut row = judge(s, level, flag_at);
            let bytes = s.rounds.first().is_some_and(|(m, _)| m.kind == Kind::Bytes);
            if bytes && wanted.is_empty() && row.verdict != Verdict::Missing {
                row.verdict = Verdict::Info;
            }
            row
        })
        .collect())
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
        let shift = hodges_lehmann(&pairs);
        let worse = sign * shift;
        row.change = shift.exp_m1();
        // The test's unit is the round, not the sample: samples of one run share its machine
        // state (on `small` at load 13-15, a within-run rank-sum test flagged 9% of A-vs-A
        // comparisons). Round i's sign is that of ln(median current_i / median baseline_i);
        // the builds ran in rotated order within a round, so under "no change" each sign is a
        // fair coin and the one-sided sign test is exact.
        let d: Vec<f64> = pairs
            .iter()
            .map(|(b, c)| sign * (c.median / b.median).ln())
            .collect();
        let p_worse = sign_test(d.iter().filter(|x| **x > 0.0).count(), d.len());
        let p_better = sign_test(d.iter().filter(|x| **x < 0.0).count(), d.len());
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

/// Hodges-Lehmann shift of ln(current) - ln(baseline): the median of every within-round
/// difference of a current and a baseline sample.
fn hodges_lehmann(pairs: &[(&Metric, &Metric)]) -> f64 {
    let mut diffs = Vec::new();
    for (b, c) in pairs {
        for y in &c.samples {
            for x in &b.samples {
                diffs.push(y.ln() - x.ln());
            }
        }
    }
    median(diffs)
}

/// P(X >= k) for X ~ Binomial(n, 1/2): the one-sided sign test.
pub fn sign_test(k: usize, n: usize) -> f64 {
    let mut p = 0.0_f64;
    let mut term = 0.5_f64.powi(i32::try_from(n).unwrap_or(i32::MAX)); // C(n, 0) / 2^n
    for i in 0..=n {
        if i >= k {
            p += term;
        }
        // C(n, i+1) = C(n, i) * (n - i) / (i + 1)
        term = term * (n as f64 - i as f64) / (i as f64 + 1.0);
    }
    p.min(1.0)
}

fn median(mut v: Vec<f64>) -> f64 {
    crate::stats::median(&mut v).unwrap_or(f64::NAN)
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
            Verdict::Info => 3,
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
                work: BTreeMap::new(),
                instructions: BTreeMap::new(),
                floors_ms: BTreeMap::new(),
                reference_steps: BTreeMap::new(),
            }],
            savings: vec![],
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

    /// `n` rounds of `results`, the round's jitter phase shifted so no two are alike.
    fn rounds(base: f64, instructions: f64, n: usize, phase: usize) -> Vec<Results> {
        (0..n)
            .map(|r| results(noisy(base, 15, phase + 2 * r), instructions))
            .collect()
    }

    #[test]
    fn equal_runs_pass_and_a_slowdown_fails() {
        let a = rounds(10.0, 1e9, 10, 0);
        let rows = compare(&a, &rounds(10.0, 1e9, 10, 1), &args(0.05)).unwrap();
        assert!(rows.iter().all(|r| r.verdict == Verdict::Ok), "{rows:?}");

        let rows = compare(&a, &rounds(10.5, 1.05e9, 10, 1), &args(0.05)).unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Regressed);
        assert_eq!(
            verdict(&rows, "process_epoch_instructions"),
            Verdict::Regressed
        );

        let rows = compare(&a, &rounds(9.5, 0.95e9, 10, 1), &args(0.05)).unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Improved);
        assert_eq!(
            verdict(&rows, "process_epoch_instructions"),
            Verdict::Improved
        );
    }

    #[test]
    fn a_significant_but_tiny_shift_is_not_flagged() {
        // 1% slower in every round: certain, but below half the 5% threshold.
        let rows = compare(
            &rounds(10.0, 1e9, 10, 0),
            &rounds(10.1, 1.01e9, 10, 0),
            &args(0.05),
        )
        .unwrap();
        assert!(rows.iter().all(|r| r.verdict == Verdict::Ok), "{rows:?}");
    }

    #[test]
    fn one_round_cannot_fail_on_time() {
        // Twice as slow, but in one round: no test over rounds can be significant; the
        // deterministic metric still decides.
        let rows = compare(
            &[results(noisy(10.0, 15, 0), 1e9)],
            &[results(noisy(20.0, 15, 0), 1.1e9)],
            &args(0.05),
        )
        .unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Ok);
        assert_eq!(
            verdict(&rows, "process_epoch_instructions"),
            Verdict::Regressed
        );
    }

    #[test]
    fn rounds_are_paired() {
        // The machine got slower round by round (drift up to +45%); within each round current
        // == baseline, so the paired test sees no regression.
        let drift = |r: usize| 10.0 * (1.0 + 0.05 * r as f64);
        let base: Vec<Results> = (0..10)
            .map(|r| results(noisy(drift(r), 15, r), 1e9))
            .collect();
        let cur: Vec<Results> = (0..10)
            .map(|r| results(noisy(drift(r), 15, r + 1), 1e9))
            .collect();
        let rows = compare(&base, &cur, &args(0.05)).unwrap();
        assert_eq!(verdict(&rows, "process_epoch_ms"), Verdict::Ok);
        // Paired the wrong way (each baseline round against the next, slower, current round)
        // the drift looks like a regression: the pairing is what removes it.
        let rows = compare(&base[..9], &cur[1..], &args(0.05)).unwrap();
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
    fn bytes_are_shown_and_gated_only_when_named() {
        let with_rss = |rss: f64| {
            let mut r = results(noisy(10.0, 9, 0), 1e9);
            r.scenarios[0].metrics.insert(
                "peak_rss_bytes".into(),
                Metric::new("bytes", Kind::Bytes, Better::Lower, vec![rss]).unwrap(),
            );
            r
        };
        let (a, b) = (with_rss(100e6), with_rss(120e6));
        let rows = compare(
            std::slice::from_ref(&a),
            std::slice::from_ref(&b),
            &args(0.05),
        )
        .unwrap();
        assert_eq!(verdict(&rows, "peak_rss_bytes"), Verdict::Info);
        let mut named = args(0.05);
        named.metrics = vec!["peak_rss_bytes".into()];
        let rows = compare(&[a], &[b], &named).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(verdict(&rows, "peak_rss_bytes"), Verdict::Regressed);
    }

    #[test]
    fn sign_test_tail() {
        assert_eq!(sign_test(0, 5), 1.0);
        assert!((sign_test(5, 5) - 1.0 / 32.0).abs() < 1e-12);
        assert!((sign_test(9, 10) - 11.0 / 1024.0).abs() < 1e-12);
        assert!((sign_test(7, 7) - 1.0 / 128.0).abs() < 1e-12);
    }

    #[test]
    fn thresholds_parse() {
        assert_eq!(parse_threshold("5%"), Ok(0.05));
        assert_eq!(parse_threshold("0.05"), Ok(0.05));
        assert!(parse_threshold("-1%").is_err());
        assert!(parse_threshold("five").is_err());
    }
}
