//! `maxeb gate`: the CI regression gate. Compares a baseline against a current `results.json`
//! (or several of each, paired by position: round `i` of the baseline was measured beside round
//! `i` of the current, so slow drift of a shared machine cancels). Exit 0: nothing regressed and
//! every metric decided; 1: a tracked metric regressed or is missing; 2: the files cannot be read
//! or compared; 3: inconclusive (nothing regressed, but a time metric could not be decided from
//! the rounds given). The gate never passes on evidence that cannot decide.
//!
//! The decision, per scenario and metric (README "CI regression gate" has the measured quality):
//! - time (`kind` time / cpu_time): the shift is the Hodges-Lehmann estimate on a log scale
//!   (median of every within-round current-minus-baseline difference); its significance is a
//!   one-sided sign test over the rounds (round i: is the current median above the baseline
//!   median?), Bonferroni-corrected over the time metrics compared. A metric regressed when the
//!   test is significant at `--alpha` *and* the estimated slowdown is at least half of
//!   `--threshold`: the threshold is the size of regression the gate must catch, half of it the
//!   level it starts flagging at. n rounds give at best p = 2^-n, so the test needs
//!   log2(tests / alpha) paired rounds (7 for one metric at 1%, 13 for 72); with fewer, a time
//!   metric is `inconclusive` unless the large-effect rule below decides it. With enough rounds,
//!   an estimate at or past the flag level that the test cannot confirm is `inconclusive` too.
//! - large effect (decides from one round per side): a code slowdown scales every sample, so a
//!   metric's floor (min) and its median move by the same factor; a neighbour lifts the median
//!   of a run it shares but rarely its floor (one undisturbed sample is enough), and when it is
//!   there for a whole run it lifts some metrics, not all. So a time metric with at least 6
//!   samples per side has a large effect in a round when its min and its median both moved by
//!   at least `--large-effect` (default +50%), and it regressed when that holds for it *and*
//!   for nine in ten time metrics of the round (`metrics` of every scenario with 6+ samples;
//!   every one below ten), in more than half of the rounds (every round for one or two) and in
//!   none the other way: a round like that was never seen between runs of one build (0 of
//!   7,592 ordered pairs), so a majority of them is no noise, and one noisy round of ten does
//!   not hide a 2x slowdown. Why not one metric alone: under a CPU hog and other builds on
//!   this 2-core machine, one metric's floor moved by up to 4x between runs of the same build.
//!   Every metric at once did not: over 7212 ordered pairs of 164 such runs (load 3-12), the round's weakest metric
//!   moved by at most +25% (reports/2026-12-08-gate). Every time metric doubled is a round
//!   effect of exactly +100%: caught. A large regression in some metrics only, or from rounds
//!   whose noise hides it, is `inconclusive` (exit 3), never a pass.
//! - deterministic (`kind` instructions or count, and the `work` and `instructions` maps of
//!   `results.json` as `work:NAME` / `instructions:NAME`): the change of the median, flagged at
//!   half the threshold too; no test needed. Byte counts (peak RSS) are shown but gated only when
//!   named with `--metric`: they move by several percent between identical runs.
//!
//! A metric, work count, instruction count or scenario of the baseline missing from the current
//! fails the gate: a renamed metric must not pass silently.

use crate::results::{Better, Kind, Metric, Results, ScenarioResult};
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
    /// A time change this large in the min and the median of nine in ten time metrics at once is
    /// decided from the rounds given, even one per side (see the module doc).
    #[arg(long, default_value = "50%", value_parser = parse_threshold)]
    pub large_effect: f64,
    /// Gate only these metrics (repeatable; `work:NAME`, `instructions:NAME` for the counts);
    /// default: every metric and count of the baseline.
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
    crate::stats::parse_fraction(s, 10.0)
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

/// The gate's exit code when nothing failed but a time metric was left undecided.
pub const EXIT_INCONCLUSIVE: u8 = 3;

/// Below this many samples per side a metric has no interval of its median, and no floor or
/// spread worth reading: the large-effect rule skips it.
const LARGE_EFFECT_MIN_SAMPLES: usize = 6;

/// What the gate concluded for one metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Regressed,
    Improved,
    /// A time metric the rounds given cannot decide; see [`Undecided`].
    Inconclusive(Undecided),
    /// In the baseline, not in the current.
    Missing,
    /// Shown, not gated: peak RSS and other byte counts move by several percent between
    /// identical runs here (142.9 vs 134.5 MB on `small`), so they are gated only when named
    /// with `--metric`.
    Info,
}

/// Why a time metric is inconclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecided {
    /// Fewer rounds than the sign test needs to reach the Bonferroni level at all.
    TooFewRounds,
    /// Enough rounds, an estimate at or past the flag level, and a test that does not confirm it.
    NotSignificant,
}

impl Verdict {
    fn text(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Regressed => "REGRESSED",
            Verdict::Improved => "improved",
            Verdict::Inconclusive(_) => "inconclusive",
            Verdict::Missing => "MISSING",
            Verdict::Info => "info",
        }
    }
}

/// Which rule gave a row its verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// The sign test over paired rounds (time).
    SignTest,
    /// The large-effect rule (time, from any number of rounds).
    LargeEffect,
    /// A deterministic count compared as is.
    Exact,
}

impl Rule {
    fn text(self) -> &'static str {
        match self {
            Rule::SignTest => "sign_test",
            Rule::LargeEffect => "large_effect",
            Rule::Exact => "exact",
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
    /// The large-effect rule's effect (relative, the weakest round), time metrics with enough
    /// samples only.
    pub large_effect: Option<f64>,
    pub verdict: Verdict,
    pub rule: Option<Rule>,
}

/// The gate's rows and what applied to all of them.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub rows: Vec<Row>,
    pub rounds: usize,
    /// Time metrics tested (the Bonferroni divisor).
    pub time_tests: usize,
    /// Paired rounds the sign test needs to reach `alpha / time_tests`.
    pub rounds_needed: usize,
    /// Per round: the weakest large effect over its time metrics (relative; `None` when no
    /// metric had enough samples).
    pub round_effects: Vec<Option<f64>>,
}

impl Outcome {
    fn failed(&self) -> bool {
        self.rows
            .iter()
            .any(|r| matches!(r.verdict, Verdict::Regressed | Verdict::Missing))
    }

    fn inconclusive(&self, why: Undecided) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| r.verdict == Verdict::Inconclusive(why))
            .collect()
    }

    /// 0 pass, 1 regressed or missing, 3 inconclusive.
    pub fn exit(&self) -> u8 {
        if self.failed() {
            1
        } else if self
            .rows
            .iter()
            .any(|r| matches!(r.verdict, Verdict::Inconclusive(_)))
        {
            EXIT_INCONCLUSIVE
        } else {
            0
        }
    }

    /// One line per group of inconclusive metrics, saying why and what would decide them.
    pub fn summary_lines(&self, args: &Args) -> Vec<String> {
        let mut lines = Vec::new();
        let group = |rows: &[&Row]| {
            let names: BTreeSet<&str> = rows.iter().map(|r| r.metric.as_str()).collect();
            let scenarios: BTreeSet<&str> = rows.iter().map(|r| r.scenario.as_str()).collect();
            format!(
                "{} time metric(s) of {} scenario(s)",
                names.len(),
                scenarios.len()
            )
        };
        let few = self.inconclusive(Undecided::TooFewRounds);
        if !few.is_empty() {
            lines.push(format!(
                "inconclusive: {}: {} round(s) per side cannot reach alpha {} with Bonferroni over {} tests; it needs {} paired rounds, or a change of +{:.0}% in the min and median of nine in ten time metrics at once",
                group(&few),
                self.rounds,
                args.alpha,
                self.time_tests,
                self.rounds_needed,
                args.large_effect * 100.0
            ));
        }
        let weak = self.inconclusive(Undecided::NotSignificant);
        if !weak.is_empty() {
            lines.push(format!(
                "inconclusive: {}: estimated at least {:.1}% slower, but the sign test over {} rounds is not significant at alpha {} / {}; more rounds or a quieter machine decide",
                group(&weak),
                args.threshold * 50.0,
                self.rounds,
                args.alpha,
                self.time_tests
            ));
        }
        lines
    }
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
    let outcome = compare(&base, &cur, args)?;
    let exit = outcome.exit();
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", outcome_json(&outcome, args))?;
    } else {
        write_table(&mut out, &outcome, args)?;
        for line in outcome.summary_lines(args) {
            writeln!(out, "{line}")?;
        }
        writeln!(
            out,
            "{}",
            match exit {
                0 => "gate: pass",
                1 => "gate: FAIL (a tracked metric regressed or is missing)",
                _ => "gate: INCONCLUSIVE (nothing regressed, but the rounds given cannot decide every time metric)",
            }
        )?;
    }
    Ok(ExitCode::from(exit))
}

/// One metric of one scenario across the rounds: (round index, baseline metric, current
/// metric) per round whose baseline has it.
struct Series<'a> {
    scenario: &'a str,
    name: String,
    rounds: Vec<(usize, Metric, Option<Metric>)>,
}

/// Every gated metric of the baseline with its current counterpart, and the gate's verdicts.
pub fn compare(base: &[Results], cur: &[Results], args: &Args) -> Result<Outcome> {
    let first = base.first().context("no baseline file")?;
    let wanted: BTreeSet<&str> = args.metrics.iter().map(String::as_str).collect();
    let mut series: Vec<Series> = Vec::new();
    for s in &first.scenarios {
        let mut names: Vec<String> = s.metrics.keys().cloned().collect();
        if args.steps {
            names.extend(s.steps.keys().map(|k| format!("step:{k}")));
        }
        names.extend(s.work.keys().map(|k| format!("work:{k}")));
        names.extend(s.instructions.keys().map(|k| format!("instructions:{k}")));
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
                rounds.push((i, bm, cs.and_then(|cs| lookup(cs, &name))));
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
        .filter(|s| s.rounds.first().is_some_and(|(_, m, _)| is_time(m.kind)))
        .count();
    let level = args.alpha / time_tests.max(1) as f64;
    let round_effects: Vec<Option<Effect>> = base
        .iter()
        .zip(cur)
        .map(|(b, c)| round_effect(b, c))
        .collect();
    let ctx = Ctx {
        level,
        flag_at: (1.0 + args.threshold / 2.0).ln(),
        large_at: (1.0 + args.large_effect.max(args.threshold)).ln(),
        rounds: base.len(),
        rounds_needed: rounds_needed(level),
        round_effects: &round_effects,
    };
    let rows = series
        .iter()
        .map(|s| {
            let mut row = judge(s, &ctx);
            let bytes = s
                .rounds
                .first()
                .is_some_and(|(_, m, _)| m.kind == Kind::Bytes);
            if bytes && wanted.is_empty() && row.verdict != Verdict::Missing {
                row.verdict = Verdict::Info;
            }
            row
        })
        .collect();
    Ok(Outcome {
        rows,
        rounds: ctx.rounds,
        time_tests,
        rounds_needed: ctx.rounds_needed,
        round_effects: round_effects
            .iter()
            .map(|e| e.map(|(worse, _)| worse.exp_m1()))
            .collect(),
    })
}

/// A large effect in log units: (worse, better), the smaller and the larger of the min's and
/// the median's shift.
type Effect = (f64, f64);

/// What every time metric's judgement shares.
struct Ctx<'a> {
    level: f64,
    flag_at: f64,
    large_at: f64,
    rounds: usize,
    rounds_needed: usize,
    /// Per round: the weakest (worse, better) large effect over the round's time metrics.
    round_effects: &'a [Option<Effect>],
}

/// The metric `name` of a scenario: `step:X`, `work:X` and `instructions:X` read the steps and
/// the two count maps (as one-sample metrics), anything else `metrics`.
fn lookup(s: &ScenarioResult, name: &str) -> Option<Metric> {
    let count = |v: &u64, unit: &str, kind: Kind| {
        // u64 -> f64 rounds above 2^53; counts that large differ by far more than that.
        Metric::new(unit, kind, Better::Lower, vec![*v as f64])
    };
    if let Some(step) = name.strip_prefix("step:") {
        s.steps.get(step).cloned()
    } else if let Some(w) = name.strip_prefix("work:") {
        s.work.get(w).and_then(|v| count(v, "count", Kind::Count))
    } else if let Some(i) = name.strip_prefix("instructions:") {
        s.instructions
            .get(i)
            .and_then(|v| count(v, "instructions", Kind::Instructions))
    } else {
        s.metrics.get(name).cloned()
    }
}

fn is_time(kind: Kind) -> bool {
    matches!(kind, Kind::Time | Kind::CpuTime)
}

/// The smallest n with 2^-n below `level`: the paired rounds a sign test needs to get there.
fn rounds_needed(level: f64) -> usize {
    let (mut n, mut p) = (0usize, 1.0_f64);
    while p >= level && n < 1024 {
        p /= 2.0;
        n = n.saturating_add(1);
    }
    n
}

/// The large effect of one metric in one round, in log units as (worse, better): the smaller
/// and the larger of the floor's (min's) and the median's shift, so a slowdown counts only when
/// both moved and a speed-up only when both did. `None` below [`LARGE_EFFECT_MIN_SAMPLES`]
/// samples a side, for a non-positive floor, and for a higher-is-better metric (its floor is
/// not its min).
fn large_effect(b: &Metric, c: &Metric) -> Option<Effect> {
    let enough = |m: &Metric| {
        is_time(m.kind)
            && m.better == Better::Lower
            && m.samples.len() >= LARGE_EFFECT_MIN_SAMPLES
            && m.min > 0.0
            && m.median > 0.0
    };
    if !enough(b) || !enough(c) {
        return None;
    }
    let d_median = (c.median / b.median).ln();
    let d_min = (c.min / b.min).ln();
    Some((d_median.min(d_min), d_median.max(d_min)))
}

/// The large effect of a round as a whole, in log units as (worse, better): the lowest decile
/// of the metrics' slowdowns and the highest decile of their speed-ups over every time metric
/// (`metrics` of every scenario) with enough samples, so a round "moved" only when nine in ten
/// of them did (all of them below ten metrics). A decile, not the minimum: the cold-root and
/// cache-build figures are single runs per round (no 25 ms batch), and one of them alone can
/// hold a 2x slowdown measured at another moment below the trigger.
fn round_effect(b: &Results, c: &Results) -> Option<Effect> {
    let (mut worse, mut better) = (Vec::new(), Vec::new());
    for bs in &b.scenarios {
        let Some(cs) = c.scenario(&bs.name) else {
            continue;
        };
        for (name, bm) in &bs.metrics {
            if let Some((w, x)) = cs.metrics.get(name).and_then(|cm| large_effect(bm, cm)) {
                worse.push(w);
                better.push(x);
            }
        }
    }
    worse.sort_by(f64::total_cmp);
    better.sort_by(f64::total_cmp);
    let k = worse.len().saturating_sub(1) / 10;
    let w = *worse.get(k)?;
    let x = *better.get(better.len().saturating_sub(1).saturating_sub(k))?;
    Some((w, x))
}

fn judge(s: &Series, ctx: &Ctx) -> Row {
    let Some((_, m0, _)) = s.rounds.first() else {
        unreachable_row(s)
    };
    let base_median = median(s.rounds.iter().map(|(_, b, _)| b.median).collect());
    let mut row = Row {
        scenario: s.scenario.to_string(),
        metric: s.name.clone(),
        unit: m0.unit.clone(),
        baseline: base_median,
        current: f64::NAN,
        change: f64::NAN,
        p_worse: None,
        p_better: None,
        large_effect: None,
        verdict: Verdict::Missing,
        rule: None,
    };
    let pairs: Option<Vec<(usize, &Metric, &Metric)>> = s
        .rounds
        .iter()
        .map(|(i, b, c)| c.as_ref().map(|c| (*i, b, c)))
        .collect();
    let Some(pairs) = pairs else {
        return row;
    };
    row.current = median(pairs.iter().map(|(_, _, c)| c.median).collect());
    // Positive `shift` = worse, in log units.
    let sign = match m0.better {
        Better::Lower => 1.0,
        Better::Higher => -1.0,
    };
    let positive = |v: &[f64]| v.iter().all(|x| *x > 0.0);
    if !pairs
        .iter()
        .all(|(_, b, c)| positive(&b.samples) && positive(&c.samples))
    {
        // A zero or negative sample (a 0 ms step): compare plainly, no log scale.
        row.change = if row.baseline == 0.0 {
            if row.current == 0.0 {
                0.0
            } else {
                sign * f64::INFINITY
            }
        } else {
            row.current / row.baseline - 1.0
        };
        if is_time(m0.kind) {
            // No log scale, no test: what the rounds cannot decide stays undecided.
            row.verdict = if ctx.rounds < ctx.rounds_needed {
                Verdict::Inconclusive(Undecided::TooFewRounds)
            } else {
                Verdict::Ok
            };
        } else {
            row.rule = Some(Rule::Exact);
            row.verdict = if sign * row.change >= ctx.flag_at.exp_m1() {
                Verdict::Regressed
            } else {
                Verdict::Ok
            };
        }
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
            .map(|(_, b, c)| sign * (c.median / b.median).ln())
            .collect();
        let p_worse = sign_test(d.iter().filter(|x| **x > 0.0).count(), d.len());
        let p_better = sign_test(d.iter().filter(|x| **x < 0.0).count(), d.len());
        row.p_worse = Some(p_worse);
        row.p_better = Some(p_better);
        // The large-effect rule: this metric and its round, in more than half of the rounds
        // (every round for one or two) and in no round the other way.
        let effects: Option<Vec<(Effect, Effect)>> = pairs
            .iter()
            .map(|(i, b, c)| {
                let round = ctx.round_effects.get(*i).copied().flatten()?;
                Some((large_effect(b, c)?, round))
            })
            .collect();
        let (mut large_worse, mut large_better) = (false, false);
        if let Some(effects) = effects.filter(|e| !e.is_empty()) {
            let weakest = effects
                .iter()
                .map(|((w, _), _)| *w)
                .fold(f64::INFINITY, f64::min);
            row.large_effect = Some(weakest.exp_m1());
            let worse_rounds = effects
                .iter()
                .filter(|((w, _), (rw, _))| *w >= ctx.large_at && *rw >= ctx.large_at)
                .count();
            let better_rounds = effects
                .iter()
                .filter(|((_, x), (_, rx))| *x <= -ctx.large_at && *rx <= -ctx.large_at)
                .count();
            let most = |k: usize| k.saturating_mul(2) > effects.len();
            large_worse = most(worse_rounds) && better_rounds == 0;
            large_better = most(better_rounds) && worse_rounds == 0;
        }
        (row.verdict, row.rule) = if p_worse < ctx.level && worse >= ctx.flag_at {
            (Verdict::Regressed, Some(Rule::SignTest))
        } else if large_worse {
            (Verdict::Regressed, Some(Rule::LargeEffect))
        } else if p_better < ctx.level && -worse >= ctx.flag_at {
            (Verdict::Improved, Some(Rule::SignTest))
        } else if large_better {
            (Verdict::Improved, Some(Rule::LargeEffect))
        } else if ctx.rounds < ctx.rounds_needed {
            (Verdict::Inconclusive(Undecided::TooFewRounds), None)
        } else if worse >= ctx.flag_at {
            (Verdict::Inconclusive(Undecided::NotSignificant), None)
        } else {
            (Verdict::Ok, Some(Rule::SignTest))
        };
    } else {
        let shift = (row.current / row.baseline).ln();
        row.change = shift.exp_m1();
        row.rule = Some(Rule::Exact);
        row.verdict = if sign * shift >= ctx.flag_at {
            Verdict::Regressed
        } else if -sign * shift >= ctx.flag_at {
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
fn hodges_lehmann(pairs: &[(usize, &Metric, &Metric)]) -> f64 {
    let mut diffs = Vec::new();
    for (_, b, c) in pairs {
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

fn write_table(out: &mut impl Write, o: &Outcome, args: &Args) -> Result<()> {
    writeln!(
        out,
        "gate: {} metric(s), {} round(s), threshold {:.1}% (flags from {:.1}%), alpha {} over {} time test(s) (needs {} rounds), large effect +{:.0}%",
        o.rows.len(),
        o.rounds,
        args.threshold * 100.0,
        args.threshold * 50.0,
        args.alpha,
        o.time_tests,
        o.rounds_needed,
        args.large_effect * 100.0
    )?;
    if o.round_effects.iter().any(Option::is_some) {
        let effects: Vec<String> = o
            .round_effects
            .iter()
            .map(|e| e.map_or("-".to_string(), |e| format!("{:+.0}%", e * 100.0)))
            .collect();
        writeln!(
            out,
            "round effect (min and median, the weakest time metric; one per round): {}",
            effects.join(" ")
        )?;
    }
    writeln!(
        out,
        "{:<36} {:<30} {:<12} {:>12} {:>12} {:>8} {:>9} {:>7}  verdict",
        "scenario", "metric", "unit", "baseline", "current", "change", "p(worse)", "large"
    )?;
    let mut sorted: Vec<&Row> = o.rows.iter().collect();
    // What moved first: failures, then the largest changes.
    sorted.sort_by(|a, b| {
        let rank = |r: &Row| match r.verdict {
            Verdict::Regressed | Verdict::Missing => 0,
            Verdict::Inconclusive(_) => 1,
            Verdict::Improved => 2,
            Verdict::Ok => 3,
            Verdict::Info => 4,
        };
        rank(a)
            .cmp(&rank(b))
            .then(b.change.abs().total_cmp(&a.change.abs()))
    });
    let pct = |v: f64| {
        if v.is_nan() {
            "-".to_string()
        } else {
            format!("{:+.1}%", v * 100.0)
        }
    };
    for r in sorted {
        writeln!(
            out,
            "{:<36} {:<30} {:<12} {:>12} {:>12} {:>8} {:>9} {:>7}  {}{}",
            r.scenario,
            r.metric,
            r.unit,
            num(r.baseline),
            if r.current.is_nan() {
                "-".to_string()
            } else {
                num(r.current)
            },
            pct(r.change),
            r.p_worse.map_or("-".to_string(), |p| format!("{p:.2e}")),
            r.large_effect
                .map_or("-".to_string(), |e| format!("{:+.0}%", e * 100.0)),
            r.verdict.text(),
            if r.rule == Some(Rule::LargeEffect) {
                " (large effect)"
            } else {
                ""
            }
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

fn outcome_json(o: &Outcome, args: &Args) -> serde_json::Value {
    let f = |v: f64| if v.is_finite() { Some(v) } else { None };
    let exit = o.exit();
    serde_json::json!({
        "pass": exit == 0,
        "exit": exit,
        "verdict": match exit { 0 => "pass", 1 => "fail", _ => "inconclusive" },
        "threshold": args.threshold,
        "alpha": args.alpha,
        "large_effect": args.large_effect,
        "rounds": o.rounds,
        "time_tests": o.time_tests,
        "rounds_needed": o.rounds_needed,
        "round_effects": o.round_effects.iter().map(|e| e.and_then(f)).collect::<Vec<_>>(),
        "inconclusive": o.summary_lines(args),
        "rows": o.rows.iter().map(|r| serde_json::json!({
            "scenario": r.scenario,
            "metric": r.metric,
            "unit": r.unit,
            "baseline": f(r.baseline),
            "current": f(r.current),
            "change": f(r.change),
            "p_worse": r.p_worse,
            "p_better": r.p_better,
            "large_effect": r.large_effect.and_then(f),
            "verdict": r.verdict.text(),
            "reason": match r.verdict {
                Verdict::Inconclusive(Undecided::TooFewRounds) => Some("too_few_rounds"),
                Verdict::Inconclusive(Undecided::NotSignificant) => Some("not_significant"),
                _ => None,
            },
            "rule": r.rule.map(Rule::text),
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
            large_effect: 0.5,
            metrics: vec![],
            steps: false,
            json: false,
        }
    }

    /// The rows of `super::compare` (most tests look at verdicts only).
    fn compare(base: &[Results], cur: &[Results], args: &Args) -> Result<Vec<Row>> {
        super::compare(base, cur, args).map(|o| o.rows)
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
    fn one_round_decides_a_large_effect_and_leaves_a_small_one_inconclusive() {
        // Twice as slow in one round, floor and median alike: the large-effect rule decides.
        let base = [results(noisy(10.0, 15, 0), 1e9)];
        let o = super::compare(&base, &[results(noisy(20.0, 15, 0), 1.1e9)], &args(0.05)).unwrap();
        let row = o
            .rows
            .iter()
            .find(|r| r.metric == "process_epoch_ms")
            .unwrap();
        assert_eq!(
            (row.verdict, row.rule),
            (Verdict::Regressed, Some(Rule::LargeEffect))
        );
        assert_eq!(o.exit(), 1);
        // 10% slower from one round: no rule can decide it; the count still does.
        let o = super::compare(&base, &[results(noisy(11.0, 15, 0), 1.1e9)], &args(0.05)).unwrap();
        assert_eq!(
            verdict(&o.rows, "process_epoch_ms"),
            Verdict::Inconclusive(Undecided::TooFewRounds)
        );
        assert_eq!(
            verdict(&o.rows, "process_epoch_instructions"),
            Verdict::Regressed
        );
        // The same with an unchanged count: nothing failed, one metric undecided, exit 3.
        let o = super::compare(&base, &[results(noisy(11.0, 15, 0), 1e9)], &args(0.05)).unwrap();
        assert_eq!(o.exit(), EXIT_INCONCLUSIVE);
        let lines = o.summary_lines(&args(0.05));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(lines[0].contains("needs 7 paired rounds"), "{lines:?}");
        // Twice as fast: improved, and the gate passes.
        let o = super::compare(&base, &[results(noisy(5.0, 15, 0), 1e9)], &args(0.05)).unwrap();
        assert_eq!(verdict(&o.rows, "process_epoch_ms"), Verdict::Improved);
        assert_eq!(o.exit(), 0);
    }

    /// One round of `scenarios` x `metrics` time metrics, metric `m` of every scenario scaled by
    /// `factor(m)`, 15 samples each.
    fn wide(scenarios: usize, metrics: usize, factor: impl Fn(usize) -> f64) -> Results {
        let mut r = results(noisy(10.0, 15, 0), 1e9);
        let one = r.scenarios[0].clone();
        r.scenarios = (0..scenarios)
            .map(|s| {
                let mut sc = one.clone();
                sc.name = format!("s{s}");
                sc.metrics = (0..metrics)
                    .map(|m| {
                        let ms = Metric::ms(noisy(10.0 * factor(m), 15, s + m)).unwrap();
                        (format!("t{m}_ms"), ms)
                    })
                    .collect();
                sc
            })
            .collect();
        r
    }

    #[test]
    fn one_metric_alone_is_no_large_effect() {
        // A neighbour held through a run moves one metric's floor: one of nine metrics twice as
        // slow is not decided from one round (the round as a whole did not move).
        let base = [wide(8, 9, |_| 1.0)];
        let o = super::compare(
            &base,
            &[wide(8, 9, |m| if m == 0 { 2.0 } else { 1.0 })],
            &args(0.05),
        )
        .unwrap();
        assert!(o
            .rows
            .iter()
            .all(|r| matches!(r.verdict, Verdict::Inconclusive(_))));
        assert_eq!(o.exit(), EXIT_INCONCLUSIVE);
        assert_eq!((o.time_tests, o.rounds_needed), (72, 13));
        let lines = o.summary_lines(&args(0.05));
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].contains("9 time metric(s) of 8 scenario(s)")
                && lines[0].contains("over 72 tests")
                && lines[0].contains("needs 13 paired rounds"),
            "{lines:?}"
        );
        // Every metric twice as slow: all 72 decided, from one round.
        let o = super::compare(&base, &[wide(8, 9, |_| 2.0)], &args(0.05)).unwrap();
        assert!(o.rows.iter().all(|r| r.verdict == Verdict::Regressed));
        assert!((o.round_effects[0].unwrap() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_disturbed_run_is_no_large_effect() {
        // The current's median tripled but its floor stayed: a neighbour took part of the run,
        // not a slower build. Every metric of the round alike, still not decided.
        let base = [wide(2, 3, |_| 1.0)];
        let mut cur = wide(2, 3, |_| 1.0);
        for sc in &mut cur.scenarios {
            for m in sc.metrics.values_mut() {
                let mut s = m.samples.clone();
                for (i, x) in s.iter_mut().enumerate() {
                    if i % 4 != 0 {
                        *x *= 3.0;
                    }
                }
                *m = Metric::ms(s).unwrap();
            }
        }
        let o = super::compare(&base, &[cur], &args(0.05)).unwrap();
        assert!(
            o.rows
                .iter()
                .all(|r| matches!(r.verdict, Verdict::Inconclusive(_))),
            "{:?}",
            o.rows
        );
    }

    #[test]
    fn enough_rounds_that_cannot_confirm_a_shift_are_inconclusive() {
        // 10 rounds, 7 of them 20% slower and 3 5% faster: the estimate is past the flag level
        // but 7 of 10 is no significant sign test.
        let base = rounds(10.0, 1e9, 10, 0);
        let cur: Vec<Results> = (0..10)
            .map(|r| {
                let f = if r < 7 { 12.0 } else { 9.5 };
                results(noisy(f, 15, 1 + 2 * r), 1e9)
            })
            .collect();
        let o = super::compare(&base, &cur, &args(0.05)).unwrap();
        assert_eq!(
            verdict(&o.rows, "process_epoch_ms"),
            Verdict::Inconclusive(Undecided::NotSignificant)
        );
        assert_eq!(o.exit(), EXIT_INCONCLUSIVE);
        assert!(o.summary_lines(&args(0.05))[0].contains("not significant"));
    }

    #[test]
    fn work_and_instruction_counts_are_exact() {
        let with = |hashes: u64, process_epoch: Option<u64>| {
            let mut r = results(noisy(10.0, 15, 0), 1e9);
            r.scenarios[0].work.insert("node_hashes".into(), hashes);
            r.scenarios[0].work.insert("pairings".into(), 0);
            if let Some(i) = process_epoch {
                r.scenarios[0]
                    .instructions
                    .insert("process_epoch".into(), i);
            }
            r
        };
        let a = with(1000, Some(5_000_000));
        let against =
            |cur: Results| compare(std::slice::from_ref(&a), &[cur], &args(0.05)).unwrap();
        let rows = against(with(1000, Some(5_000_000)));
        assert_eq!(verdict(&rows, "work:node_hashes"), Verdict::Ok);
        assert_eq!(verdict(&rows, "work:pairings"), Verdict::Ok);
        assert_eq!(verdict(&rows, "instructions:process_epoch"), Verdict::Ok);
        // +3% node hashes is past half the 5% threshold; -3% instructions is an improvement.
        let rows = against(with(1030, Some(4_850_000)));
        assert_eq!(verdict(&rows, "work:node_hashes"), Verdict::Regressed);
        assert_eq!(
            verdict(&rows, "instructions:process_epoch"),
            Verdict::Improved
        );
        // A count gone from the current fails; one from zero to some is a regression.
        let mut b = with(1000, None);
        b.scenarios[0].work.insert("pairings".into(), 4);
        let rows = against(b);
        assert_eq!(
            verdict(&rows, "instructions:process_epoch"),
            Verdict::Missing
        );
        assert_eq!(verdict(&rows, "work:pairings"), Verdict::Regressed);
    }

    #[test]
    fn rounds_needed_for_the_sign_test() {
        assert_eq!(rounds_needed(0.01), 7);
        assert_eq!(rounds_needed(0.01 / 7.0), 10);
        assert_eq!(rounds_needed(0.01 / 72.0), 13);
        assert!(sign_test(7, 7) < 0.01 && sign_test(6, 6) >= 0.01);
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
