//! `maxeb instructions` on the built binary: the three callgrind counts of `scenario_counts`
//! (process_epoch, state_root_warm, slots_32) land in results.json's `scenarios[].instructions`,
//! positive and repeatable, beside the gate's `process_epoch_instructions` and
//! `transition_instructions`; a missing valgrind is one clear error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const KEYS: [&str; 3] = ["process_epoch", "slots_32", "state_root_warm"];

fn valgrind_installed() -> bool {
    Command::new("valgrind")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

struct Scratch(PathBuf);
impl Scratch {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("maxeb-instr-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `maxeb instructions --scenario tiny --out OUT`; its single scenario entry.
fn count(out: &Path) -> Value {
    let o = Command::new(env!("CARGO_BIN_EXE_maxeb"))
        .args(["instructions", "--scenario", "tiny", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "maxeb instructions failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&std::fs::read(out).unwrap()).unwrap();
    let scenarios = v["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 1, "{v}");
    scenarios[0].clone()
}

fn counts(s: &Value) -> Vec<u64> {
    let map = s["instructions"].as_object().unwrap();
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    assert_eq!(keys, KEYS, "{s}");
    KEYS.iter().map(|k| map[*k].as_u64().unwrap()).collect()
}

#[test]
fn three_positive_repeatable_counts_in_results_json() {
    if !valgrind_installed() {
        eprintln!("skipped: `valgrind --version` does not run (valgrind not installed)");
        return;
    }
    let dir = Scratch::new("counts");
    let a = count(&dir.0.join("a.json"));
    let b = count(&dir.0.join("b.json"));
    let (ca, cb) = (counts(&a), counts(&b));
    for (k, (x, y)) in KEYS.iter().zip(ca.iter().zip(&cb)) {
        assert!(*x > 0 && *y > 0, "{k}: {x} / {y}");
        let rel = x.abs_diff(*y) as f64 / *x.min(y) as f64;
        assert!(rel <= 1e-3, "{k}: {x} vs {y} ({rel:.2e} apart)");
    }
    // The gate's metric is the same count as the map's; the transition is counted too.
    let gate = a["metrics"]["process_epoch_instructions"]["median"]
        .as_f64()
        .unwrap();
    assert_eq!(gate, ca[0] as f64, "{a}");
    assert!(
        a["metrics"]["transition_instructions"]["median"]
            .as_f64()
            .unwrap()
            > 0.0
    );
}

#[test]
fn missing_valgrind_is_one_clear_error() {
    let dir = Scratch::new("novalgrind");
    let out = dir.0.join("r.json");
    let o = Command::new(env!("CARGO_BIN_EXE_maxeb"))
        .args(["instructions", "--scenario", "tiny", "--valgrind"])
        .arg(dir.0.join("no-such-valgrind"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no-such-valgrind") && err.contains("install valgrind"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!out.exists(), "no results.json on failure");
}
