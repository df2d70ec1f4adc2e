//! `maxeb time-external` on the built binary, with maxeb's own `transition --reference` as the
//! "other" tool on `tiny`: equal post-states exit 0 and record a row; a tool that writes a
//! different state exits 1 with the diff; a bad template, a failing command and a missing post
//! file give one error line and exit 2.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;
use std::process::{Command, Output};

const MAXEB: &str = env!("CARGO_BIN_EXE_maxeb");

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("maxeb-te-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn time_external(cmd: &str, extra: &[&str]) -> Output {
    Command::new(MAXEB)
        .args([
            "time-external",
            "--scenario",
            "tiny",
            "--slots",
            "2",
            "--runs",
            "2",
            "--cmd",
            cmd,
        ])
        .args(extra)
        .output()
        .unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// One line on stderr, starting `error:`, and no panic.
fn one_error_line(o: &Output) -> String {
    let err = text(&o.stderr);
    let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(lines.len(), 1, "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    lines[0].to_string()
}

#[test]
fn reference_transition_as_the_other_tool_is_equal_and_recorded() {
    let dir = scratch("equal");
    let out = dir.join("results.json");
    let cmd = format!("'{MAXEB}' transition --reference --slots 2 --pre {{pre}} --out {{post}}");
    let o = time_external(&cmd, &["--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("post-states: equal"), "{stdout}");
    assert!(stdout.contains("ratio other / maxeb"), "{stdout}");

    // Missing file: created with no scenarios and the one row; a second run appends.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json["scenarios"], serde_json::json!([]));
    let rows = json["external"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["scenario"], "tiny");
    assert_eq!(rows[0]["slots"], 2);
    assert_eq!(rows[0]["post_states_equal"], true);
    assert_eq!(rows[0]["maxeb_ms"]["samples"].as_array().unwrap().len(), 2);
    assert_eq!(
        rows[0]["external_ms"]["samples"].as_array().unwrap().len(),
        2
    );

    let o = time_external(&cmd, &["--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", text(&o.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(json["external"].as_array().unwrap().len(), 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_different_post_state_prints_the_diff_and_exits_1() {
    let dir = scratch("differ");
    let out = dir.join("results.json");
    // One slot more than maxeb's two: a different slot (and roots).
    let cmd = format!("'{MAXEB}' transition --reference --slots 3 --pre {{pre}} --out {{post}}");
    let o = time_external(&cmd, &["--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "stderr: {}", text(&o.stderr));
    let stdout = text(&o.stdout);
    assert!(stdout.contains("post-states differ"), "{stdout}");
    assert!(stdout.contains("slot"), "{stdout}");
    assert!(one_error_line(&o).contains("differs"));
    assert!(!out.exists(), "no row is recorded for a mismatch");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_template_is_one_line_exit_2() {
    let o = time_external("tool --in {pre}", &[]);
    assert_eq!(o.status.code(), Some(2));
    let line = one_error_line(&o);
    assert!(line.contains("--cmd") && line.contains("{post}"), "{line}");
}

#[test]
fn a_failing_command_reports_its_exit_code_and_stderr() {
    let o = time_external("echo boom >&2; exit 3; : {pre} {post}", &[]);
    assert_eq!(o.status.code(), Some(2));
    let line = one_error_line(&o);
    assert!(
        line.contains("exit code 3") && line.contains("boom"),
        "{line}"
    );
}

#[test]
fn a_command_that_writes_no_post_state_is_an_error() {
    let o = time_external("true {pre} {post}", &[]);
    assert_eq!(o.status.code(), Some(2));
    let line = one_error_line(&o);
    assert!(line.contains("wrote no post-state"), "{line}");
}
