//! `maxeb report` on the built binary, on small scenarios (a few seconds): every output file is
//! written and readable (results.json through the schema's own loader, the CSV row by row, the
//! HTML self-contained), and bad input fails with one line, a non-zero exit and nothing written.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

// The schema as the binary has it (bench has no library target).
#[allow(dead_code)]
#[path = "../src/meta.rs"]
mod meta;
#[allow(dead_code)]
#[path = "../src/results.rs"]
mod results;
#[allow(dead_code)]
#[path = "../src/stats.rs"]
mod stats;

use results::{metric_names as mn, Better, Kind, Results};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("maxeb-report-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn report(args: &[&str], sig_cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maxeb"))
        .arg("report")
        .args(args)
        .env("MAXEB_SIG_CACHE", sig_cache)
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Every name in `dir` and below, to catch temp files left behind.
fn tree(dir: &Path) -> Vec<String> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_dir() {
            v.extend(tree(&e.path()).into_iter().map(|n| format!("{name}/{n}")));
        } else {
            v.push(name);
        }
    }
    v.sort();
    v
}

#[test]
fn writes_every_file_and_they_read_back() {
    let d = scratch("ok");
    let out = d.join("out");
    let o = report(
        &[
            "--scenarios",
            "tiny,small-consolidated-max-fresh",
            "--runs",
            "2",
            "--no-sigs",
            "--out",
            out.to_str().unwrap(),
        ],
        &d.join("sigs"),
    );
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    // The savings table, the ratio to the base (the first scenario here), where it went.
    assert!(stdout.contains("small-consolidated-max-fresh"), "{stdout}");
    assert!(
        stdout.contains("x ["),
        "no time ratio with its interval in: {stdout}"
    );
    assert!(
        stdout.contains("validators visited"),
        "no work column in: {stdout}"
    );
    assert!(stdout.contains(out.to_str().unwrap()), "{stdout}");
    assert!(stdout.contains("mainnet-2026"), "no mainnet hint: {stdout}");

    assert_eq!(
        tree(&out),
        [
            "plots/epoch_vs_active.svg",
            "plots/memory.svg",
            "plots/savings.svg",
            "plots/steps.svg",
            "report.html",
            "report.md",
            "results.csv",
            "results.json",
        ]
    );

    let r = Results::load(&out.join("results.json")).unwrap();
    assert_eq!(r.schema_version, 2);
    let machine = r.run.machine.as_ref().expect("machine rates");
    assert!(machine.node_hashes_per_s > 1e5 && machine.read_bytes_per_s > 1e8);
    // Every non-base scenario has its savings, exact ones with low == high == ratio.
    let work: Vec<_> = r
        .savings
        .iter()
        .filter(|v| v.basis == results::Basis::Work)
        .collect();
    assert!(work.iter().any(|v| v.metric == "validators_visited"));
    assert!(work
        .iter()
        .all(|v| v.low == Some(v.ratio) && v.high == Some(v.ratio)));
    assert!(r.savings.iter().any(|v| v.basis == results::Basis::Time
        && v.metric == mn::EPOCH_FAST_MS
        && v.low.is_some()));
    assert_eq!(r.run.command.split_whitespace().nth(1), Some("report"));
    let names: Vec<&str> = r.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["tiny", "small-consolidated-max-fresh"]);
    for s in &r.scenarios {
        let e = &s.metrics[mn::EPOCH_FAST_MS];
        assert_eq!(e.samples.len(), 2, "{}: every run's sample kept", s.name);
        assert_eq!(
            (e.kind, e.better, e.unit.as_str()),
            (Kind::Time, Better::Lower, "ms")
        );
        assert!(e.min <= e.median && e.median <= e.max);
        assert_eq!(s.metrics[mn::SLOTS_32_MS].samples.len(), 2);
        assert_eq!(s.metrics[mn::HEAP_PEAK_BYTES].kind, Kind::Bytes);
        for k in [
            "validators_visited",
            "node_hashes",
            "node_hashes.cold_root",
            "node_hashes.slots_32",
        ] {
            assert!(
                s.work.get(k).is_some_and(|n| *n > 0),
                "{}: work {k}: {:?}",
                s.name,
                s.work
            );
        }
        assert!(
            s.floors_ms.contains_key(mn::ROOT_WARM_MS),
            "{:?}",
            s.floors_ms
        );
        assert!(!s.metrics.contains_key(mn::SIGS_GOSSIP_CPU_S), "--no-sigs");
        assert!(s.steps.contains_key("single_pass"), "{:?}", s.steps.keys());
        assert!(s.active_validators > 0 && s.active_validators <= s.validators);
        assert!(s.memory_bytes > s.ssz_bytes / 2);
        assert_eq!(s.seed, Some(if s.name == "tiny" { 1 } else { 2027 }));
    }
    // -fresh drops the withdrawn indices: a smaller registry than its 50k-index family.
    assert!(r.scenarios[1].validators < 50_000);

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.matches("<svg").count() >= 4, "inline plots");
    for bad in [
        "src=\"http",
        "href=\"http",
        "<script",
        "<link",
        "@import",
        "url(http",
    ] {
        assert!(
            !html.contains(bad),
            "external reference {bad} in report.html"
        );
    }
    assert!(html.contains("small-consolidated-max-fresh"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("## Savings against `tiny`"), "{md}");
    assert!(md.contains("commit: `"));
    let svg = std::fs::read_to_string(out.join("plots/steps.svg")).unwrap();
    assert!(
        svg.contains("<text") && svg.contains("single_pass"),
        "labels as SVG text"
    );

    let csv = std::fs::read_to_string(out.join("results.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,metric,unit,median,min,max,samples")
    );
    let mut epoch_rows = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f.len(), 7, "{line}");
        let (med, min, max): (f64, f64, f64) = (
            f[3].parse().unwrap(),
            f[4].parse().unwrap(),
            f[5].parse().unwrap(),
        );
        assert!(min <= med && med <= max, "{line}");
        let samples: Vec<f64> = f[6].split(';').map(|x| x.parse().unwrap()).collect();
        assert!(!samples.is_empty());
        if f[1] == mn::EPOCH_FAST_MS {
            assert_eq!(samples.len(), 2);
            epoch_rows += 1;
        }
    }
    assert_eq!(epoch_rows, 2);
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn signature_workload_is_reported() {
    let d = scratch("sigs");
    let out = d.join("out");
    let o = report(
        &[
            "--scenarios",
            "tiny",
            "--runs",
            "1",
            "--out",
            out.to_str().unwrap(),
        ],
        &d.join("sigs"),
    );
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let r = Results::load(&out.join("results.json")).unwrap();
    let s = &r.scenarios[0];
    for c in [
        "signatures",
        "distinct_messages",
        "gossip_messages",
        "committees",
        "pairings",
        "g1_additions",
        "g2_decompressions",
    ] {
        assert!(s.work[c] > 0, "{c}: {:?}", s.work);
    }
    assert!(s.work["gossip_messages"] > s.work["signatures"]);
    let g = &s.metrics[mn::SIGS_GOSSIP_CPU_S];
    assert_eq!((g.kind, g.unit.as_str()), (Kind::CpuTime, "s"));
    assert!(s.metrics.contains_key(mn::SIGS_AGGREGATE_PATH_MS));
    assert!(out.join("plots/sigs.svg").is_file());
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn reference_path_when_asked() {
    let d = scratch("ref");
    let out = d.join("out");
    let o = report(
        &[
            "--scenarios",
            "tiny",
            "--runs",
            "2",
            "--reference",
            "--no-sigs",
            "--out",
            out.to_str().unwrap(),
        ],
        &d.join("sigs"),
    );
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let r = Results::load(&out.join("results.json")).unwrap();
    let s = &r.scenarios[0];
    assert_eq!(s.metrics[mn::EPOCH_REFERENCE_MS].samples.len(), 2);
    assert!(
        s.reference_steps.contains_key("rewards_and_penalties"),
        "{:?}",
        s.reference_steps.keys()
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("reference path"), "{md}");
    let _ = std::fs::remove_dir_all(&d);
}

/// One line on stderr naming `needle`, a failing exit, and `out` not created.
fn fails_cleanly(o: &Output, needle: &str, out: &Path) {
    let err = stderr(o);
    assert!(!o.status.success(), "should fail");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(needle), "{needle} not in: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "{} written", out.display());
}

#[test]
fn bad_input_fails_with_one_line_and_writes_nothing() {
    let d = scratch("bad");
    let sigs = d.join("sigs");
    let out = d.join("out");
    let o = report(
        &[
            "--scenarios",
            "tiny,no-such-scenario",
            "--out",
            out.to_str().unwrap(),
        ],
        &sigs,
    );
    fails_cleanly(&o, "no-such-scenario", &out);

    let o = report(
        &[
            "--scenarios",
            "/nonexistent/state.ssz",
            "--out",
            out.to_str().unwrap(),
        ],
        &sigs,
    );
    fails_cleanly(&o, "/nonexistent/state.ssz", &out);

    let o = report(
        &[
            "--scenarios",
            "tiny",
            "--base",
            "small",
            "--out",
            out.to_str().unwrap(),
        ],
        &sigs,
    );
    fails_cleanly(&o, "--base small", &out);

    // --out names a file, or a folder under a file: refused before anything runs.
    let file = d.join("a-file");
    std::fs::write(&file, b"keep").unwrap();
    for bad in [file.clone(), file.join("sub")] {
        let o = report(
            &[
                "--scenarios",
                "tiny",
                "--no-sigs",
                "--out",
                bad.to_str().unwrap(),
            ],
            &sigs,
        );
        let err = stderr(&o);
        assert!(!o.status.success());
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.contains(file.to_str().unwrap()) && err.contains("--out"),
            "{err}"
        );
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"keep");

    let o = report(&["--runs", "0"], &sigs);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(tree(&d), ["a-file"]);
    let _ = std::fs::remove_dir_all(&d);
}

/// The committed `reports/sample-small/` must be what this engine does: its deterministic work
/// counts equal a fresh `--work-only` run's exactly, scenario by scenario, so a stale sample
/// (older engine, older scenarios) fails here. Times are not compared (they are the machine's).
#[test]
fn committed_small_sample_work_counts_are_current() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/sample-small/results.json");
    let committed =
        Results::load(&sample).unwrap_or_else(|e| panic!("{}: {e:#}", sample.display()));
    let d = scratch("sample");
    let out = d.join("out");
    let o = report(
        &["--work-only", "--out", out.to_str().unwrap()],
        &d.join("sigs"),
    );
    assert!(o.status.success(), "stderr: {}", stderr(&o));
    let fresh = Results::load(&out.join("results.json")).unwrap();
    let names = |r: &Results| {
        r.scenarios
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&committed), names(&fresh), "scenario list");
    for (c, f) in committed.scenarios.iter().zip(&fresh.scenarios) {
        assert!(!f.work.is_empty(), "{}: no work counted", f.name);
        assert_eq!(
            c.work, f.work,
            "{}: the committed sample's work counts differ from this engine's: regenerate \
             reports/sample-small/ (README)",
            c.name
        );
        assert_eq!(
            (c.validators, c.active_validators, c.ssz_bytes),
            (f.validators, f.active_validators, f.ssz_bytes),
            "{}: state shape",
            c.name
        );
    }
    let _ = std::fs::remove_dir_all(&d);
}
