//! `results.json`: the stable, versioned record that `maxeb report` writes and `maxeb gate` and
//! `maxeb time-external` read. The schema is documented in the README ("results.json"); a change
//! that breaks a reader bumps [`SCHEMA_VERSION`], and a reader refuses a version it does not know.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The schema version this binary writes and reads. 2: `scenarios[].work`,
/// `scenarios[].instructions`, `scenarios[].floors_ms`, `savings[]`, `run.machine`; metrics carry
/// the 95% interval of their median; `counts` folded into `work`.
pub const SCHEMA_VERSION: u32 = 2;

/// One `results.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Results {
    pub schema_version: u32,
    pub run: RunRecord,
    pub scenarios: Vec<ScenarioResult>,
    /// Every ratio of a scenario to the base (`maxeb report`): on deterministic work counts, on
    /// instruction counts and on times, each with its interval.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub savings: Vec<Saving>,
    /// `maxeb time-external` rows: another implementation timed beside maxeb on the same file.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external: Vec<ExternalTiming>,
}

/// What made the numbers: build, machine, date, command (see `meta.rs`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunRecord {
    pub commit: String,
    pub toolchain: String,
    pub profile: String,
    /// UTC, `YYYY-MM-DDTHH:MM:SSZ`.
    pub date: String,
    pub cpu: String,
    pub cores: usize,
    pub mem_total_bytes: Option<u64>,
    /// rayon threads the timed work ran on.
    pub threads: usize,
    /// The command line that produced the file.
    pub command: String,
    /// `/proc/loadavg` (1, 5, 15 min) when the run started: how busy the machine was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_average: Option<[f64; 3]>,
    /// This machine's limits, measured at the start of the run (the floors' denominators).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub machine: Option<MachineRates>,
}

/// Rates measured on the machine the run used, so each time can be set against its floor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MachineRates {
    /// 64-byte SHA-256 node hashes per second, on every thread the run used (the root's kernel).
    pub node_hashes_per_s: f64,
    /// Bytes per second read from a buffer far larger than the caches, on every thread.
    pub read_bytes_per_s: f64,
}

impl RunRecord {
    /// The record of this process (commit and toolchain from the build, machine and date now).
    pub fn current(threads: usize) -> Self {
        RunRecord {
            commit: crate::meta::COMMIT.to_string(),
            toolchain: crate::meta::TOOLCHAIN.to_string(),
            profile: crate::meta::PROFILE.to_string(),
            date: crate::meta::utc_now(),
            cpu: crate::meta::cpu_model(),
            cores: crate::meta::cores(),
            mem_total_bytes: crate::meta::mem_total_bytes(),
            threads,
            command: std::env::args().collect::<Vec<_>>().join(" "),
            load_average: crate::meta::load_average(),
            machine: None,
        }
    }
}

/// One scenario's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioResult {
    /// Scenario name (`mainnet-2026`, `small-consolidated-max`, ...) or the file stem for `--pre`.
    pub name: String,
    /// `built-in`, `yaml:PATH` or `file:PATH`.
    pub source: String,
    pub seed: Option<u64>,
    pub preset: String,
    pub epoch: u64,
    /// Registry length (`len(state.validators)`).
    pub validators: u64,
    pub active_validators: u64,
    pub ssz_bytes: u64,
    /// State plus every cache the fast engine holds (root cache, pubkey index, live set).
    pub memory_bytes: u64,
    /// Tracked metrics by name; see [`metric_names`] for the ones the report writes.
    pub metrics: BTreeMap<String, Metric>,
    /// `process_epoch` per step (fast engine), milliseconds, by the spec's step name.
    #[serde(default)]
    pub steps: BTreeMap<String, Metric>,
    /// Deterministic work counts (the same state gives the same numbers on any machine):
    /// validators visited per epoch phase, SHA-256 node hashes per root, signature work
    /// (pairings, point additions, decompressions), state bytes changed. Names in the README.
    #[serde(default)]
    pub work: BTreeMap<String, u64>,
    /// Instruction counts (callgrind, one thread) where counted: `process_epoch`,
    /// `state_root_warm`, `slots_32`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub instructions: BTreeMap<String, u64>,
    /// The floor of a time metric on this machine, by the metric's name: its node hashes at the
    /// measured hash rate, or its bytes touched at the measured read bandwidth (ms).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub floors_ms: BTreeMap<String, f64>,
    /// `process_epoch` per spec step on the reference path (`maxeb report --reference`), ms.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reference_steps: BTreeMap<String, Metric>,
}

/// The metric names `maxeb report` writes (ms unless the name says otherwise).
pub mod metric_names {
    pub const EPOCH_FAST_MS: &str = "process_epoch_ms";
    pub const EPOCH_REFERENCE_MS: &str = "process_epoch_reference_ms";
    pub const ROOT_WARM_MS: &str = "state_root_warm_ms";
    pub const ROOT_COLD_MS: &str = "state_root_cold_ms";
    pub const SLOTS_32_MS: &str = "slots_32_ms";
    pub const CACHE_BUILD_MS: &str = "cache_build_ms";
    pub const SIGS_GOSSIP_CPU_S: &str = "sigs_gossip_cpu_s";
    pub const SIGS_AGGREGATION_MS: &str = "sigs_aggregation_ms";
    pub const SIGS_AGGREGATE_PATH_MS: &str = "sigs_aggregate_path_ms";
    pub const LOAD_MS: &str = "load_ms";
    pub const SIGS_GOSSIP_MS: &str = "sigs_gossip_ms";
    /// The next sync committee's draw, where the engine does it ahead of the boundary: in the
    /// cache build of a state already in a period's last epoch.
    pub const SYNC_LOOKAHEAD_MS: &str = "sync_lookahead_ms";
    /// The state's heap bytes (what its load left live) plus the peak above them while its
    /// engine was built and one working clone ran the epoch, root and 32 slots, counted by the
    /// allocator (`alloc`): independent of which scenario ran before.
    pub const HEAP_PEAK_BYTES: &str = "heap_peak_bytes";
}

/// Which direction is a regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Lower,
    Higher,
}

/// What a metric counts; instruction counts and bytes are deterministic, times are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Wall-clock time; noisy on a shared machine.
    Time,
    /// CPU time of the process's threads.
    CpuTime,
    /// Instructions (callgrind / perf); repeatable for the same binary and input.
    Instructions,
    Bytes,
    Count,
}

/// Every sample of one metric, with its summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metric {
    /// `ms`, `s`, `bytes`, `instructions`, ...
    pub unit: String,
    pub kind: Kind,
    pub better: Better,
    /// In the order taken.
    pub samples: Vec<f64>,
    pub median: f64,
    pub min: f64,
    pub max: f64,
    /// The 95% interval of the median (distribution-free, from order statistics); `None` with
    /// too few samples to have one (fewer than 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high: Option<f64>,
}

impl Metric {
    /// A metric from its samples; `None` for none, or for a NaN or infinite sample.
    pub fn new(unit: &str, kind: Kind, better: Better, samples: Vec<f64>) -> Option<Self> {
        if samples.is_empty() || samples.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let mut sorted = samples.clone();
        let median = crate::stats::median(&mut sorted)?;
        let (low, high) = match crate::stats::median_interval(&sorted) {
            Some((l, h)) => (Some(l), Some(h)),
            None => (None, None),
        };
        Some(Metric {
            unit: unit.to_string(),
            kind,
            better,
            median,
            min: *sorted.first()?,
            max: *sorted.last()?,
            samples,
            low,
            high,
        })
    }

    /// Half the width of the median's interval relative to the median (0.05 = +-5%); `None`
    /// without an interval.
    pub fn rel_halfwidth(&self) -> Option<f64> {
        let (l, h) = (self.low?, self.high?);
        (self.median > 0.0).then(|| ((h - self.median).max(self.median - l)) / self.median)
    }

    /// Wall-clock milliseconds, lower is better.
    pub fn ms(samples: Vec<f64>) -> Option<Self> {
        Metric::new("ms", Kind::Time, Better::Lower, samples)
    }
}

/// What a saving's ratio is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A deterministic work count: exact, `low == high == ratio`.
    Work,
    /// A callgrind instruction count: repeatable to ~1e-5.
    Instructions,
    /// Wall time: the interval is a bootstrap over paired rounds.
    Time,
}

/// One scenario's figure as a ratio to the base scenario's (`maxeb report`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Saving {
    pub scenario: String,
    pub base: String,
    /// The metric's name in `work`, `instructions` or `metrics`.
    pub metric: String,
    pub basis: Basis,
    /// scenario / base (below 1: the scenario does less).
    pub ratio: f64,
    /// The 95% interval of the ratio (equal to `ratio` for work counts); `None` where no
    /// interval can be had (a metric with a single sample).
    pub low: Option<f64>,
    pub high: Option<f64>,
}

/// One `maxeb time-external` comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalTiming {
    pub scenario: String,
    /// The other tool's command template (`{pre}`, `{post}` substituted).
    pub command: String,
    pub slots: u64,
    /// maxeb's own transition, the same slots on the same file, interleaved with the other.
    pub maxeb_ms: Metric,
    pub external_ms: Metric,
    /// `maxeb diff` of the two post-states found them equal.
    pub post_states_equal: bool,
}

impl Results {
    /// Reads and checks a `results.json`, naming the file and the field on an error.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let version: serde_json::Value =
            serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
        match version.get("schema_version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(SCHEMA_VERSION) => {}
            Some(v) => bail!(
                "{}: schema_version {v}, this maxeb reads {SCHEMA_VERSION}",
                path.display()
            ),
            None => bail!("{}: no schema_version field", path.display()),
        }
        let results: Results = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a maxeb results.json", path.display()))?;
        Ok(results)
    }

    /// Writes atomically (temporary file in the same folder, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).context("encoding results.json")?;
        write_atomic(path, text.as_bytes())
    }

    /// The scenario named `name`.
    pub fn scenario(&self, name: &str) -> Option<&ScenarioResult> {
        self.scenarios.iter().find(|s| s.name == name)
    }
}

/// Writes `bytes` to `path` atomically (`maxeb_core::io::write_atomic`: a temporary file beside
/// it, fsync, rename), creating the folder first.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create", dir.display()))?;
    }
    maxeb_core::io::write_atomic(path, bytes)?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sample() -> Results {
        let mut metrics = BTreeMap::new();
        metrics.insert(
            metric_names::EPOCH_FAST_MS.to_string(),
            Metric::ms(vec![3.0, 1.0, 2.0]).unwrap_or_else(|| unreachable!()),
        );
        Results {
            schema_version: SCHEMA_VERSION,
            run: RunRecord::current(2),
            scenarios: vec![ScenarioResult {
                name: "small".into(),
                source: "built-in".into(),
                seed: Some(1),
                preset: "mainnet".into(),
                epoch: 411_000,
                validators: 50_000,
                active_validators: 25_000,
                ssz_bytes: 7_000_000,
                memory_bytes: 9_000_000,
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

    #[test]
    fn metric_summary() {
        let m = Metric::ms(vec![4.0, 1.0, 3.0, 2.0]).unwrap_or_else(|| unreachable!());
        assert_eq!((m.median, m.min, m.max), (2.5, 1.0, 4.0));
        assert_eq!(m.samples, vec![4.0, 1.0, 3.0, 2.0]);
        assert!(Metric::ms(vec![]).is_none());
        assert!(Metric::ms(vec![1.0, f64::NAN]).is_none());
    }

    #[test]
    fn round_trip_and_version_check() {
        let dir = std::env::temp_dir().join(format!("maxeb-results-{}", std::process::id()));
        let path = dir.join("results.json");
        let r = sample();
        r.save(&path).unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(Results::load(&path).unwrap_or_else(|e| panic!("{e:#}")), r);

        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            &path,
            text.replace(
                &format!("\"schema_version\": {SCHEMA_VERSION}"),
                "\"schema_version\": 99",
            ),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let err = format!(
            "{:#}",
            Results::load(&path).err().unwrap_or_else(|| unreachable!())
        );
        assert!(err.contains("schema_version 99"), "{err}");

        std::fs::write(&path, "{\"schema_version\": 2, \"run\": 3}")
            .unwrap_or_else(|e| panic!("{e}"));
        let err = format!(
            "{:#}",
            Results::load(&path).err().unwrap_or_else(|| unreachable!())
        );
        assert!(err.contains("results.json"), "{err}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
