//! `maxeb sigs` on the built binary: the embedded `tiny` scenario runs all three paths with no
//! invalid signature and prints the JSON fields the issue asks for; bad flags fail cleanly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::process::Command;

fn maxeb() -> Command {
    Command::new(env!("CARGO_BIN_EXE_maxeb"))
}

#[test]
fn sigs_on_tiny_prints_every_json_field() {
    let dir = std::env::temp_dir().join(format!("maxeb-sigs-cli-{}", std::process::id()));
    let out = maxeb()
        .args([
            "sigs",
            "--scenario",
            "tiny",
            "--threads",
            "2",
            "--json",
            "--cache-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "signatures",
        "distinct_messages",
        "gossip_messages",
        "committees",
        "pairings",
        "threads",
        "gossip_us_per_signature_per_core",
        "floor_us_per_signature",
        "baseline_us_per_signature",
        "aggregation_ms",
        "aggregate_path_ms",
        "pubkey_cache_build_ms",
        "pubkey_cache_load_ms",
        "pubkey_cache_bytes",
        "commit",
        "machine",
        "toolchain",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["invalid"], 0);
    assert_eq!(v["threads"], 2);
    assert_eq!(v["committees"], 32);
    assert_eq!(v["distinct_messages"], 64);
    assert!(v["signatures"].as_u64().unwrap() > 2700);
    assert_eq!(v["aggregates"], v["onchain_attestations"]);
    // Second run: signatures come from the cache written by the first.
    let again = maxeb()
        .args([
            "sigs",
            "--scenario",
            "tiny",
            "--threads",
            "1",
            "--json",
            "--cache-dir",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    let w: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(w["signing_cached"], true);
    assert_eq!(w["signatures"], v["signatures"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sigs_rejects_bad_flags() {
    let out = maxeb().args(["sigs"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = maxeb()
        .args(["sigs", "--scenario", "tiny", "--threads", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = maxeb()
        .args(["sigs", "--pre", "/nonexistent/state.ssz", "--seed", "1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/state.ssz"));
}
