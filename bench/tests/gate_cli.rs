//! `maxeb gate` on the built binary: exit 0 for a decided pass, 1 for a regression or a missing
//! metric (doubled times from one round per side included), 2 for an unreadable file or files of
//! different states, with one error line, 3 when a time metric cannot be decided (A vs A from
//! one round: never 1).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("maxeb-gate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A results.json with one scenario: an epoch time metric (`samples`) and an instruction count.
fn write(
    dir: &Path,
    name: &str,
    validators: u64,
    samples: &[f64],
    instructions: Option<f64>,
) -> String {
    let metric = |unit: &str, kind: &str, s: &[f64]| {
        let mut v = s.to_vec();
        v.sort_by(f64::total_cmp);
        serde_json::json!({"unit": unit, "kind": kind, "better": "lower", "samples": s,
            "median": v[v.len() / 2], "min": v[0], "max": v[v.len() - 1]})
    };
    let mut metrics = serde_json::Map::new();
    metrics.insert("process_epoch_ms".into(), metric("ms", "time", samples));
    if let Some(i) = instructions {
        metrics.insert(
            "process_epoch_instructions".into(),
            metric("instructions", "instructions", &[i]),
        );
    }
    let j = serde_json::json!({
        "schema_version": 2,
        "run": {"commit": "x", "toolchain": "t", "profile": "release", "date": "d", "cpu": "c",
                "cores": 2, "mem_total_bytes": null, "threads": 1, "command": "test"},
        "scenarios": [{"name": "small", "source": "built-in", "seed": 1, "preset": "mainnet",
            "epoch": 1, "validators": validators, "active_validators": 1, "ssz_bytes": 1,
            "memory_bytes": 1, "metrics": metrics}],
    });
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_string(&j).unwrap()).unwrap();
    p.display().to_string()
}

fn gate(base: &[&str], cur: &[&str]) -> Output {
    gate_with(base, cur, &[])
}

fn gate_with(base: &[&str], cur: &[&str], extra: &[&str]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_maxeb"));
    c.arg("gate")
        .args(extra)
        .arg("--baseline")
        .args(base)
        .arg("--current")
        .args(cur);
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// 15 samples of about `ms` (+-3%, in a fixed order).
fn samples(ms: f64, phase: usize) -> Vec<f64> {
    (0..15)
        .map(|i| ms * (1.0 + (((i * 7 + phase * 3) % 13) as f64 - 6.0) * 0.005))
        .collect()
}

#[test]
fn exit_codes() {
    let d = dir();
    let a = write(&d, "a.json", 10, &samples(10.0, 0), Some(1e9));
    let same = write(&d, "same.json", 10, &samples(10.0, 1), Some(1e9));
    let doubled = write(&d, "doubled.json", 10, &samples(20.0, 0), Some(1e9));
    let slower = write(&d, "slower.json", 10, &samples(10.0, 0), Some(1.06e9));
    let missing = write(&d, "missing.json", 10, &samples(10.0, 0), None);
    let other = write(&d, "other.json", 11, &samples(10.0, 0), Some(1e9));

    // A vs A from one round per side, the same file or another run: undecided, exit 3.
    for cur in [&a, &same] {
        let o = gate(&[&a], &[cur]);
        let out = stdout(&o);
        assert_eq!(o.status.code(), Some(3), "{out}");
        assert!(
            out.contains("inconclusive: 1 time metric(s) of 1 scenario(s): 1 round(s) per side")
                && out.contains("needs 7 paired rounds")
                && out.contains("gate: INCONCLUSIVE"),
            "{out}"
        );
    }
    // Seven rounds decide it: pass.
    let o = gate(&[a.as_str(); 7], &[same.as_str(); 7]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("gate: pass"));
    // The instruction count alone needs no rounds.
    let o = gate_with(&[&a], &[&same], &["--metric", "process_epoch_instructions"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));

    // Every time metric doubled, one round per side: caught.
    let o = gate(&[&a], &[&doubled]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("REGRESSED (large effect)"), "{out}");
    let o = gate_with(&[&a], &[&doubled], &["--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (j["exit"].as_u64(), j["verdict"].as_str()),
        (Some(1), Some("fail"))
    );
    let o = gate_with(&[&a], &[&a], &["--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(
        (j["exit"].as_u64(), j["verdict"].as_str()),
        (Some(3), Some("inconclusive"))
    );
    let time_row = j["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["metric"] == "process_epoch_ms")
        .unwrap();
    assert_eq!(time_row["reason"].as_str(), Some("too_few_rounds"));

    let o = gate(&[&a], &[&slower]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("REGRESSED") && out.contains("+6.0%"), "{out}");

    let o = gate(&[&a], &[&missing]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("MISSING"));

    let o = gate(&[&a], &[&other]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("different states"));

    // Unreadable, wrong version, unpaired rounds: one line, exit 2.
    let bad = d.join("bad.json");
    std::fs::write(&bad, "{not json").unwrap();
    let bad = bad.display().to_string();
    let o = gate(&[&a], &[&bad]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("bad.json") && err.lines().count() == 1,
        "{err}"
    );
    let v99 = d.join("v99.json");
    std::fs::write(
        &v99,
        std::fs::read_to_string(&a)
            .unwrap()
            .replace("\"schema_version\":2", "\"schema_version\":99"),
    )
    .unwrap();
    let o = gate(&[&a], &[&v99.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("schema_version 99"));
    let o = gate(&[&a, &same], &[&same]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}
