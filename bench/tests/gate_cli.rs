//! `maxeb gate` on the built binary: exit 0 for equal files, 1 for a regression or a missing
//! metric, 2 for an unreadable file or files of different states, with one error line.
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
        "schema_version": 1,
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
    let mut c = Command::new(env!("CARGO_BIN_EXE_maxeb"));
    c.arg("gate")
        .arg("--baseline")
        .args(base)
        .arg("--current")
        .args(cur);
    c.output().unwrap()
}

#[test]
fn exit_codes() {
    let d = dir();
    let a = write(&d, "a.json", 10, &[10.0, 10.1, 9.9], Some(1e9));
    let same = write(&d, "same.json", 10, &[10.05, 9.95, 10.0], Some(1e9));
    let slower = write(&d, "slower.json", 10, &[10.0, 10.1, 9.9], Some(1.06e9));
    let missing = write(&d, "missing.json", 10, &[10.0, 10.1, 9.9], None);
    let other = write(&d, "other.json", 11, &[10.0, 10.1, 9.9], Some(1e9));

    let o = gate(&[&a], &[&same]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("gate: pass"));

    let o = gate(&[&a], &[&slower]);
    assert_eq!(o.status.code(), Some(1));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("REGRESSED") && out.contains("+6.0%"), "{out}");

    let o = gate(&[&a], &[&missing]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("MISSING"));

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
    let v2 = d.join("v2.json");
    std::fs::write(
        &v2,
        std::fs::read_to_string(&a)
            .unwrap()
            .replace("\"schema_version\":1", "\"schema_version\":2"),
    )
    .unwrap();
    let o = gate(&[&a], &[&v2.display().to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("schema_version 2"));
    let o = gate(&[&a, &same], &[&same]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&d);
}
