//! The `maxeb transition` contract, tested on the built binary: bad input gives a non-zero exit,
//! one line on stderr naming the file, no panic and no output file; a real state transitions
//! and the printed root is the written post-state's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use maxeb_core::io::{read_state, write_ssz};
use maxeb_core::slots::process_slots;
use maxeb_core::types::BeaconState;
use maxeb_core::{Minimal, Preset};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tree_hash::TreeHash;

/// Last slot of epoch 0 after `process_slot` (see core/tests/spec_tests/epoch_processing.rs):
/// one more slot crosses the epoch boundary.
const CASE: &str = "tests/minimal/electra/epoch_processing/slashings/pyspec_tests/low_penalty";

/// The vectors root (`maxeb_core::vectors::spec_tests_root`); absent vectors fail the test.
fn vectors_root() -> PathBuf {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    maxeb_core::vectors::spec_tests_root(&repo).unwrap_or_else(|e| panic!("{e}"))
}

fn vector(name: &str) -> PathBuf {
    let p = vectors_root().join(CASE).join(name);
    assert!(p.is_file(), "vector file missing: {}", p.display());
    p
}

struct Scratch(PathBuf);
impl Scratch {
    fn new(tag: &str) -> Self {
        let d = std::env::temp_dir().join(format!("maxeb-cli-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    /// Everything in the folder, to catch stray temp files.
    fn entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }
}
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn maxeb(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maxeb"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap()
}

fn transition(preset: &str, pre: &Path, slots: &str, out: &Path) -> Output {
    maxeb(&[
        "transition",
        "--preset",
        preset,
        "--pre",
        pre.to_str().unwrap(),
        "--slots",
        slots,
        "--out",
        out.to_str().unwrap(),
    ])
}

/// Non-zero exit, exactly one stderr line containing `names`, no panic text, nothing on stdout,
/// and `out` not created.
fn assert_clean_failure(o: &Output, names: &str, out: Option<&Path>, what: &str) -> String {
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!o.status.success(), "{what}: exit 0; stderr: {stderr}");
    assert_ne!(o.status.code(), Some(101), "{what}: exit 101 (panic)");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what}: panic text: {stderr}"
    );
    assert_eq!(
        stderr.lines().count(),
        1,
        "{what}: not one line: {stderr:?}"
    );
    assert!(stderr.starts_with("error: "), "{what}: {stderr}");
    assert!(
        stderr.contains(names),
        "{what}: does not name {names}: {stderr}"
    );
    assert!(
        o.stdout.is_empty(),
        "{what}: stdout: {}",
        String::from_utf8_lossy(&o.stdout)
    );
    if let Some(out) = out {
        assert!(
            !out.exists(),
            "{what}: output file created: {}",
            out.display()
        );
    }
    stderr
}

#[test]
fn missing_file() {
    let d = Scratch::new("missing");
    let pre = d.path("nope.ssz_snappy");
    let out = d.path("out.ssz");
    let o = transition("minimal", &pre, "1", &out);
    let e = assert_clean_failure(&o, &pre.display().to_string(), Some(&out), "missing file");
    assert!(e.contains("cannot read"), "{e}");
    assert!(d.entries().is_empty(), "{:?}", d.entries());
}

#[test]
fn truncated_file() {
    let d = Scratch::new("truncated");
    let pre: BeaconState<Minimal> = read_state(&vector("pre.ssz_snappy")).unwrap();
    let full = d.path("full.ssz");
    write_ssz(&full, &pre).unwrap();
    let bytes = std::fs::read(&full).unwrap();
    for len in [0, 1, 100, bytes.len() / 2, bytes.len() - 1] {
        let p = d.file(&format!("cut{len}.ssz"), &bytes[..len]);
        let out = d.path("out.ssz");
        let o = transition("minimal", &p, "1", &out);
        let e = assert_clean_failure(
            &o,
            &p.display().to_string(),
            Some(&out),
            &format!("{len} bytes"),
        );
        // Sentences, never the decoder's Debug form (`OffsetOutOfBounds(2895921)`).
        assert!(!e.contains("OutOfBounds"), "{e}");
        if len == 100 {
            assert!(
                e.contains("truncated or not a minimal-preset BeaconState (100 bytes"),
                "{e}"
            );
        } else if len == bytes.len() - 1 {
            // The last field's end is past the data: its offset names it.
            assert!(e.contains("points past the end of the data"), "{e}");
        }
    }
    // A snappy file cut short.
    let snappy = std::fs::read(vector("pre.ssz_snappy")).unwrap();
    let p = d.file("cut.ssz_snappy", &snappy[..snappy.len() / 2]);
    let out = d.path("out.ssz_snappy");
    let o = transition("minimal", &p, "1", &out);
    assert_clean_failure(&o, &p.display().to_string(), Some(&out), "truncated snappy");
}

#[test]
fn random_bytes() {
    let d = Scratch::new("random");
    let mut x: u64 = 0x1234_5678_9abc_def1;
    let bytes: Vec<u8> = (0..20_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    for (name, preset) in [("r.ssz", "minimal"), ("r.ssz_snappy", "mainnet")] {
        let p = d.file(name, &bytes);
        let out = d.path("out.ssz");
        let o = transition(preset, &p, "1", &out);
        let e = assert_clean_failure(&o, &p.display().to_string(), Some(&out), name);
        if name == "r.ssz" {
            // 20,000 bytes: past minimal's fixed part, so the first offset is what is wrong.
            assert!(e.contains("the first offset (historical_roots) is "), "{e}");
        }
    }
}

#[test]
fn wrong_preset() {
    let d = Scratch::new("preset");
    let pre = vector("pre.ssz_snappy");
    let out = d.path("out.ssz");
    let o = transition("mainnet", &pre, "1", &out);
    let e = assert_clean_failure(&o, &pre.display().to_string(), Some(&out), "wrong preset");
    assert!(e.contains("mainnet"), "{e}");
}

#[test]
fn wrong_fork_version() {
    // Decodes as Electra, but the fork says Deneb: refused before any work.
    let d = Scratch::new("fork");
    let mut state: BeaconState<Minimal> = read_state(&vector("pre.ssz_snappy")).unwrap();
    assert_eq!(state.fork.current_version, Minimal::ELECTRA_FORK_VERSION);
    state.fork.current_version = [0x04, 0, 0, 0x01];
    let p = d.path("deneb.ssz");
    write_ssz(&p, &state).unwrap();
    let out = d.path("out.ssz");
    let o = transition("minimal", &p, "1", &out);
    let e = assert_clean_failure(&o, &p.display().to_string(), Some(&out), "wrong fork");
    assert!(e.contains("fork"), "{e}");
}

#[test]
fn unknown_extension() {
    let d = Scratch::new("ext");
    let snappy = std::fs::read(vector("pre.ssz_snappy")).unwrap();
    // Input with an unknown extension.
    let p = d.file("pre.bin", &snappy);
    let out = d.path("out.ssz");
    let o = transition("minimal", &p, "1", &out);
    let e = assert_clean_failure(&o, &p.display().to_string(), Some(&out), "input .bin");
    assert!(e.contains("extension"), "{e}");
    // Output with an unknown extension.
    let pre = vector("pre.ssz_snappy");
    let out = d.path("out.json");
    let o = transition("minimal", &pre, "1", &out);
    let e = assert_clean_failure(&o, &out.display().to_string(), Some(&out), "output .json");
    assert!(e.contains("extension"), "{e}");
    assert_eq!(d.entries(), vec!["pre.bin".to_string()]);
}

#[test]
fn bad_flags() {
    let d = Scratch::new("flags");
    let pre = vector("pre.ssz_snappy");
    let pre = pre.to_str().unwrap();
    let out = d.path("out.ssz");
    let o_s = out.to_str().unwrap();
    let base = [
        "transition",
        "--preset",
        "minimal",
        "--pre",
        pre,
        "--slots",
        "1",
        "--out",
        o_s,
    ];
    fn set<'a>(base: &[&'a str], i: usize, v: &'a str) -> Vec<&'a str> {
        let mut a = base.to_vec();
        a[i] = v;
        a
    }
    let with = |i: usize, v: &'static str| set(&base, i, v);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        ([base.as_slice(), &["--bogus"]].concat(), "--bogus"),
        (with(2, "holesky"), "holesky"),
        (with(6, "abc"), "abc"),
        (with(6, "-3"), "-3"),
        (with(6, "0"), "0"),
        (with(0, "transmogrify"), "transmogrify"),
    ];
    for (args, names) in cases {
        let o = maxeb(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_clean_failure(&o, names, Some(&out), &format!("{args:?}"));
    }
    // Slot overflow is caught (checked add), naming the file.
    let max = u64::MAX.to_string();
    let o = maxeb(&set(&base, 6, &max));
    assert_clean_failure(&o, pre, Some(&out), "slot overflow");
    assert!(d.entries().is_empty(), "{:?}", d.entries());
}

#[test]
fn unwritable_out_path() {
    let d = Scratch::new("unwritable");
    let pre = vector("pre_epoch.ssz_snappy");
    // Folder missing; parent is a regular file. Caught before the transition.
    let f = d.file("plain", b"x");
    for out in [
        d.path("no/such/dir/out.ssz"),
        f.join("out.ssz"),
        d.0.clone(),
    ] {
        let o = transition("minimal", &pre, "1", &out);
        assert_clean_failure(&o, &out.display().to_string(), None, "unwritable");
    }
    // A folder that exists but where no file can be created (procfs refuses even root):
    // the write fails after the transition and leaves nothing behind.
    let out = Path::new("/proc/maxeb-cli-test-out.ssz");
    if Path::new("/proc/self").is_dir() {
        let o = transition("minimal", &pre, "1", out);
        assert_clean_failure(&o, &out.display().to_string(), Some(out), "/proc");
    }
    assert_eq!(d.entries(), vec!["plain".to_string()]);
}

#[test]
fn transition_failure_leaves_no_output() {
    // One balance missing: the registry and balances disagree and the epoch transition (one
    // slot from the last slot of the epoch) must fail rather than write anything.
    let d = Scratch::new("fails");
    let mut state: BeaconState<Minimal> = read_state(&vector("pre_epoch.ssz_snappy")).unwrap();
    let mut balances = state.balances.to_vec();
    balances.pop();
    state.balances = balances.try_into().unwrap();
    let mut lib = state.clone();
    let to = lib.slot + 1;
    assert!(
        process_slots(&mut lib, to).is_err(),
        "precondition: the library rejects it"
    );
    let p = d.path("broken.ssz");
    write_ssz(&p, &state).unwrap();
    let out = d.path("out.ssz_snappy");
    // The fast engine rejects it when building its caches, the reference in process_slots.
    let o = transition("minimal", &p, "1", &out);
    let e = assert_clean_failure(&o, &p.display().to_string(), Some(&out), "transition fails");
    assert!(
        e.contains("fast engine") || e.contains("process_slots"),
        "{e}"
    );
    let mut args = vec![
        "transition",
        "--reference",
        "--pre",
        p.to_str().unwrap(),
        "--slots",
        "1",
        "--out",
    ];
    args.push(out.to_str().unwrap());
    let o = maxeb(&args);
    let e = assert_clean_failure(&o, &p.display().to_string(), Some(&out), "reference fails");
    assert!(e.contains("process_slots"), "{e}");
    assert_eq!(d.entries(), vec!["broken.ssz".to_string()]);
}

fn printed_root(o: &Output) -> String {
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("state_root: "))
        .unwrap_or_else(|| panic!("no state_root line: {stdout}"));
    assert!(
        line.len() == 66
            && line.starts_with("0x")
            && line[2..].chars().all(|c| c.is_ascii_hexdigit()),
        "{line}"
    );
    line.to_string()
}

#[test]
fn success_one_slot_across_the_epoch_boundary() {
    let d = Scratch::new("ok");
    let pre_path = vector("pre_epoch.ssz_snappy");
    let pre: BeaconState<Minimal> = read_state(&pre_path).unwrap();
    assert_eq!(
        (pre.slot + 1) % Minimal::SLOTS_PER_EPOCH,
        0,
        "case must end an epoch"
    );

    let out = d.path("post.ssz");
    let o = transition("minimal", &pre_path, "1", &out);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "exit {:?}: {stderr}", o.status.code());
    let stdout = String::from_utf8_lossy(&o.stdout);
    for phase in ["load", "transition", "root", "write"] {
        assert!(
            stdout.contains(&format!("{phase} ")),
            "no {phase} time: {stdout}"
        );
    }
    let post: BeaconState<Minimal> = read_state(&out).unwrap();
    assert_eq!(post.slot, pre.slot + 1);
    assert_eq!(printed_root(&o), post.tree_hash_root().to_string());

    // Independent of maxeb's process_slots: the vectors give post_epoch = process_epoch(pre_epoch)
    // at the same slot. process_slots adds, around it, process_slot (re-caching the state root
    // at this slot; the header's state_root is already set, the block root unchanged) and slot+1.
    let mut want: BeaconState<Minimal> = read_state(&vector("post_epoch.ssz_snappy")).unwrap();
    let i = (pre.slot % Minimal::SLOTS_PER_HISTORICAL_ROOT) as usize;
    want.state_roots[i] = pre.tree_hash_root();
    want.slot = pre.slot + 1;
    assert!(
        post == want,
        "post-state differs from post_epoch + process_slot"
    );

    // The reference path: the same post-state root.
    let r = maxeb(&[
        "transition",
        "--reference",
        "--pre",
        pre_path.to_str().unwrap(),
        "--slots",
        "1",
    ]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    assert_eq!(printed_root(&r), printed_root(&o));

    // Snappy output: same state, and the same root printed.
    let out2 = d.path("post.ssz_snappy");
    let o2 = transition("minimal", &pre_path, "1", &out2);
    assert!(
        o2.status.success(),
        "{}",
        String::from_utf8_lossy(&o2.stderr)
    );
    assert_eq!(printed_root(&o2), printed_root(&o));
    assert!(read_state::<Minimal>(&out2).unwrap() == post);
    assert_eq!(
        d.entries(),
        vec!["post.ssz".to_string(), "post.ssz_snappy".to_string()]
    );
}

/// The README's main command: no arguments builds the embedded `tiny` scenario and crosses an
/// epoch boundary; the same run twice gives the same root, and `--out` writes a state whose
/// root is the printed one.
#[test]
fn default_scenario_runs_and_is_deterministic() {
    let a = maxeb(&["transition"]);
    assert_eq!(
        a.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&a.stderr)
    );
    let stdout = String::from_utf8_lossy(&a.stdout);
    assert!(stdout.contains("tiny"), "{stdout}");
    let root = printed_root(&a);

    let d = Scratch::new("default");
    let out = d.path("post.ssz_snappy");
    let b = maxeb(&[
        "transition",
        "--scenario",
        "tiny",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(
        b.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&b.stderr)
    );
    assert_eq!(
        printed_root(&b),
        root,
        "same scenario, same slots, different root"
    );
    let post: maxeb_core::types::BeaconState<maxeb_core::Mainnet> =
        maxeb_core::io::read_state(&out).unwrap();
    assert_eq!(
        format!("{}", tree_hash::TreeHash::tree_hash_root(&post)),
        root
    );

    // A scenario names its preset; asking for another is a clean error.
    let c = maxeb(&["transition", "--preset", "minimal"]);
    assert_clean_failure(&c, "tiny", None, "preset mismatch");
}

/// `--pre` alone: the preset is read from the file's layout, the transition runs and reports the
/// same root as with `--preset` and `--out`, and nothing is written anywhere.
#[test]
fn pre_without_out_or_preset() {
    let d = Scratch::new("noout");
    let pre = vector("pre_epoch.ssz_snappy");
    let out = d.path("post.ssz");
    let with = transition("minimal", &pre, "1", &out);
    assert!(
        with.status.success(),
        "{}",
        String::from_utf8_lossy(&with.stderr)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_maxeb"))
        .args(["transition", "--pre", pre.to_str().unwrap(), "--slots", "1"])
        .current_dir(&d.0)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("minimal preset"), "{stdout}");
    assert!(stdout.contains("not written"), "{stdout}");
    assert_eq!(printed_root(&o), printed_root(&with));
    assert_eq!(d.entries(), vec!["post.ssz".to_string()]);

    // Long enough for the minimal preset but its layout fits neither: a clean error asking
    // for --preset.
    let min = maxeb_core::io::min_state_len();
    let bad = d.file("zeros.ssz", &vec![0u8; min + 1000]);
    let e = maxeb(&["transition", "--pre", bad.to_str().unwrap()]);
    let msg = assert_clean_failure(&e, "zeros.ssz", None, "unknown layout");
    assert!(msg.contains("--preset"), "{msg}");
    // Shorter than any preset's fixed part: truncated, with no preset to ask for.
    let short = d.file("short.ssz", &[0u8; 100]);
    let e = maxeb(&["transition", "--pre", short.to_str().unwrap()]);
    let msg = assert_clean_failure(&e, "short.ssz", None, "100 bytes");
    assert!(
        msg.contains(&format!(
            "truncated or not a BeaconState (100 bytes, the smallest is {min})"
        )),
        "{msg}"
    );
    assert!(!msg.contains("--preset"), "{msg}");
}

/// An installed binary has no source tree: outside a checkout, generated files go to the platform
/// cache folder (here `$XDG_CACHE_HOME/maxeb`), never to the build-time source path.
#[cfg(all(unix, not(target_os = "macos")))]
#[test]
fn default_folders_outside_a_checkout() {
    let d = Scratch::new("cachedir");
    let cache = d.path("xdg");
    let o = Command::new(env!("CARGO_BIN_EXE_maxeb"))
        .args(["fixture", "--scenario", "tiny"])
        .current_dir(&d.0)
        .env("XDG_CACHE_HOME", &cache)
        .env_remove("MAXEB_OUT_DIR")
        .env_remove("MAXEB_KEY_CACHE")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(cache.join("maxeb/tiny.ssz").is_file(), "{:?}", d.entries());
    assert!(cache.join("maxeb/manifest.tsv").is_file());
    assert!(cache.join("maxeb/keys").is_dir());
    // $MAXEB_OUT_DIR wins.
    let out = d.path("explicit");
    let o = Command::new(env!("CARGO_BIN_EXE_maxeb"))
        .args(["fixture", "--scenario", "tiny"])
        .current_dir(&d.0)
        .env("XDG_CACHE_HOME", &cache)
        .env("MAXEB_OUT_DIR", &out)
        .env("MAXEB_KEY_CACHE", cache.join("maxeb/keys"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("tiny.ssz").is_file());
}

/// `maxeb diff`: exit 0 for equal states, 1 naming the differing field and indices, 2 (one clean
/// line) for an unreadable file.
#[test]
fn diff_states_exit_codes() {
    let pre = vector("pre.ssz_snappy");
    let post = vector("post.ssz_snappy");
    let p = |x: &Path| x.to_str().unwrap().to_string();
    let same = maxeb(&["diff", &p(&pre), &p(&pre)]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    assert!(String::from_utf8_lossy(&same.stdout).contains("equal"));
    let differ = maxeb(&["diff", &p(&pre), &p(&post)]);
    assert_eq!(differ.status.code(), Some(1));
    let text = String::from_utf8_lossy(&differ.stdout);
    // The slashings case moves balances only: the diff names that field and an index.
    assert!(
        text.contains("balances:") && text.contains("  [0] "),
        "{text}"
    );
    assert!(!text.contains("validators:"), "{text}");
    let d = Scratch::new("diff");
    let missing = d.path("missing.ssz");
    let o = maxeb(&["diff", &p(&pre), &p(&missing)]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.ssz"));
}
