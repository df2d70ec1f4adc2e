//! The spec-test harness: finds the vectors, runs cases in parallel, records every file read,
//! prints a summary per runner/handler/preset, and fails on any failure or unread vector file.

use serde::de::DeserializeOwned;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

/// What one case came to.
pub enum Outcome {
    Pass,
    Fail(String),
}

/// A test case folder (`tests/<preset>/<fork>/<runner>/<handler>/<suite>/<case>`).
pub struct Case<'a> {
    pub dir: PathBuf,
    /// The case folder's name.
    pub name: String,
    reads: &'a Mutex<BTreeSet<PathBuf>>,
}

impl Case<'_> {
    fn mark(&self, path: &Path) {
        if let Ok(mut r) = self.reads.lock() {
            r.insert(path.to_path_buf());
        }
    }

    /// Whether `file` exists in the case folder (does not count as a read).
    pub fn exists(&self, file: &str) -> bool {
        self.dir.join(file).exists()
    }

    /// Raw bytes of a file, recorded as read.
    pub fn read_bytes(&self, file: &str) -> Result<Vec<u8>, String> {
        let p = self.dir.join(file);
        let b = std::fs::read(&p).map_err(|e| format!("{}: {e}", p.display()))?;
        self.mark(&p);
        Ok(b)
    }

    /// Decompressed SSZ bytes of `<file>` (a `.ssz_snappy` name), recorded as read.
    pub fn read_ssz_snappy(&self, file: &str) -> Result<Vec<u8>, String> {
        let p = self.dir.join(file);
        let b = maxeb_core::io::read_ssz_bytes(&p).map_err(|e| e.to_string())?;
        self.mark(&p);
        Ok(b)
    }

    /// Decode `<file>` (a `.ssz_snappy` name) as `T`, recorded as read.
    pub fn read_ssz<T: ssz::Decode>(&self, file: &str) -> Result<T, String> {
        let b = self.read_ssz_snappy(file)?;
        T::from_ssz_bytes(&b)
            .map_err(|e| format!("{}: decode: {e:?}", self.dir.join(file).display()))
    }

    /// Like `read_ssz`, but `None` when the file is absent.
    pub fn read_ssz_opt<T: ssz::Decode>(&self, file: &str) -> Result<Option<T>, String> {
        if self.exists(file) {
            self.read_ssz(file).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Parse a YAML file, recorded as read.
    pub fn read_yaml<T: DeserializeOwned>(&self, file: &str) -> Result<T, String> {
        let b = self.read_bytes(file)?;
        serde_yaml::from_slice(&b).map_err(|e| format!("{}: {e}", self.dir.join(file).display()))
    }

    /// `meta.yaml`'s `bls_setting` (0 = unset/optional, 1 = required, 2 = ignored), reading it if present.
    pub fn bls_setting(&self) -> Result<u64, String> {
        if !self.exists("meta.yaml") {
            return Ok(0);
        }
        let v: serde_yaml::Value = self.read_yaml("meta.yaml")?;
        Ok(v.get("bls_setting").and_then(|x| x.as_u64()).unwrap_or(0))
    }
}

#[derive(Default, Clone, Copy)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

/// Which handlers to run, from libtest-style arguments: the free arguments are substring filters
/// (a handler runs when its label or folder contains any of them; none means all), `--skip S`
/// drops those containing `S`. The binary's own test name (`spec_tests`, as nextest passes it
/// with `--exact`) selects everything.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

impl Filter {
    /// Whether the run is unfiltered (then the whole tree's coverage is checked).
    pub fn is_all(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty()
    }

    fn selects(&self, label: &str, rel: &str) -> bool {
        let hit = |f: &String| label.contains(f.as_str()) || rel.contains(f.as_str());
        (self.include.is_empty() || self.include.iter().any(hit)) && !self.exclude.iter().any(hit)
    }
}

/// The run's state: the vectors root, counts, failures, files read.
pub struct Harness {
    pub root: PathBuf,
    filter: Filter,
    counts: BTreeMap<String, Counts>,
    failures: Vec<String>,
    skipped: Vec<String>,
    reads: Mutex<BTreeSet<PathBuf>>,
    /// Handler folders whose every file must have been read.
    claimed: Vec<PathBuf>,
}

impl Harness {
    pub fn new(root: PathBuf, filter: Filter) -> Self {
        Harness {
            root,
            filter,
            counts: BTreeMap::new(),
            failures: Vec::new(),
            skipped: Vec::new(),
            reads: Mutex::new(BTreeSet::new()),
            claimed: Vec::new(),
        }
    }

    /// Sub-folders of `dir`, sorted (empty if `dir` is absent).
    pub fn subdirs(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    /// Run every case of a handler folder `rel` (relative to the root, e.g.
    /// `tests/minimal/electra/epoch_processing/slashings`), all suites, in parallel.
    /// `label` is the summary row (e.g. `epoch_processing/slashings minimal`).
    /// `skips` names cases (by `<suite>/<case>` or `<case>`) not run, with the reason.
    pub fn run_handler<F>(&mut self, rel: &str, label: &str, skips: &[(&str, &str)], f: F)
    where
        F: Fn(&Case) -> Outcome + Sync,
    {
        if !self.filter.selects(label, rel) {
            return;
        }
        let dir = self.root.join(rel);
        self.claimed.push(dir.clone());
        let mut cases = Vec::new();
        for suite in Self::subdirs(&dir) {
            for case in Self::subdirs(&suite) {
                cases.push((suite.clone(), case));
            }
        }
        let reads = &self.reads;
        let results: Vec<(String, Result<Outcome, String>)> = cases
            .par_iter()
            .map(|(suite, case_dir)| {
                let suite_name = suite
                    .file_name()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let name = case_dir
                    .file_name()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let full = format!("{label} {suite_name}/{name}");
                if let Some((_, why)) = skips
                    .iter()
                    .find(|(n, _)| *n == name || *n == format!("{suite_name}/{name}"))
                {
                    // A skipped case's files are accounted for: mark them read.
                    for p in walk_files(case_dir) {
                        if let Ok(mut r) = reads.lock() {
                            r.insert(p);
                        }
                    }
                    return (full, Err(why.to_string()));
                }
                let case = Case {
                    dir: case_dir.clone(),
                    name,
                    reads,
                };
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&case)))
                    .unwrap_or_else(|p| {
                        let msg = p
                            .downcast_ref::<String>()
                            .cloned()
                            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                            .unwrap_or_default();
                        Outcome::Fail(format!("panicked: {msg}"))
                    });
                (full, Ok(out))
            })
            .collect();
        let c = self.counts.entry(label.to_string()).or_default();
        for (full, r) in results {
            match r {
                Ok(Outcome::Pass) => c.passed += 1,
                Ok(Outcome::Fail(msg)) => {
                    c.failed += 1;
                    self.failures.push(format!("FAIL {full}: {msg}"));
                }
                Err(why) => {
                    c.skipped += 1;
                    self.skipped.push(format!("SKIP {full}: {why}"));
                }
            }
        }
        if cases_is_empty(c) {
            self.failures.push(format!(
                "FAIL {label}: no cases found under {}",
                dir.display()
            ));
        }
    }

    /// Record one outcome that is not a case folder (e.g. the constants check) under `label`.
    pub fn record(&mut self, label: &str, outcome: Outcome) {
        if !self.filter.selects(label, label) {
            return;
        }
        let c = self.counts.entry(label.to_string()).or_default();
        match outcome {
            Outcome::Pass => c.passed += 1,
            Outcome::Fail(msg) => {
                c.failed += 1;
                self.failures.push(format!("FAIL {label}: {msg}"));
            }
        }
    }

    /// A line printed in the summary (e.g. a check deliberately not applied, with its reason).
    pub fn note(&mut self, line: String) {
        self.skipped.push(line);
    }

    /// Read a vectors file that is not part of a case (presets, configs), recorded as read.
    pub fn read_file(&self, path: &Path) -> Result<String, String> {
        let s = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if let Ok(mut r) = self.reads.lock() {
            r.insert(path.to_path_buf());
        }
        Ok(s)
    }

    /// Walk every handler folder (`tests/<preset>/<fork>/<runner>/<handler>`): each is claimed by
    /// a runner, or named in `skips::SKIPS` (counted into the SKIPPED section), or a failure.
    fn coverage(
        &self,
        failures: &mut Vec<String>,
    ) -> BTreeMap<String, (usize, usize, &'static str)> {
        let mut skipped: BTreeMap<String, (usize, usize, &'static str)> = BTreeMap::new();
        let tests = self.root.join("tests");
        for preset in Self::subdirs(&tests) {
            for fork in Self::subdirs(&preset) {
                for runner in Self::subdirs(&fork) {
                    for handler in Self::subdirs(&runner) {
                        if self.claimed.contains(&handler) {
                            continue;
                        }
                        let name = |p: &Path| {
                            p.file_name()
                                .map(|s| s.to_string_lossy().into_owned())
                                .unwrap_or_default()
                        };
                        let parts = [name(&preset), name(&fork), name(&runner), name(&handler)];
                        let rel = parts.join("/");
                        let cases = count_cases(&handler);
                        let refs = [
                            parts[0].as_str(),
                            parts[1].as_str(),
                            parts[2].as_str(),
                            parts[3].as_str(),
                        ];
                        match crate::skips::reason(&refs) {
                            Some((pattern, why)) => {
                                // One summary row per skip entry and preset/fork.
                                let p: Vec<&str> = pattern.split('/').collect();
                                let key = format!(
                                    "{}/{}/{}/{}",
                                    refs[0],
                                    refs[1],
                                    p.get(2).copied().unwrap_or("*"),
                                    p.get(3).copied().unwrap_or("*")
                                );
                                let e = skipped.entry(key).or_insert((0, 0, why));
                                e.0 += 1;
                                e.1 += cases;
                            }
                            None => failures.push(format!(
                                "FAIL tests/{rel}: no runner and no named skip ({cases} cases); \
                                 add a runner or an entry with its reason to spec_tests/skips.rs"
                            )),
                        }
                    }
                }
            }
        }
        skipped
    }

    /// Print the summary; return whether the run passed.
    pub fn finish(self) -> bool {
        let mut failures = Vec::new();
        let whole_tree = self.filter.is_all();
        let skipped_folders = if whole_tree {
            self.coverage(&mut failures)
        } else {
            BTreeMap::new()
        };
        let reads = self.reads.into_inner().unwrap_or_default();
        failures.extend(self.failures);
        let mut unread = 0usize;
        for dir in &self.claimed {
            for f in walk_files(dir) {
                if !reads.contains(&f) {
                    unread += 1;
                    if unread <= 20 {
                        failures.push(format!("UNREAD {}", f.display()));
                    }
                }
            }
        }
        if unread > 20 {
            failures.push(format!(
                "UNREAD ... and {} more vector files never read",
                unread - 20
            ));
        }
        println!(
            "\n{:<58} {:>7} {:>7} {:>7}",
            "runner/handler preset", "passed", "failed", "skipped"
        );
        let (mut tp, mut tf, mut ts) = (0, 0, 0);
        for (label, c) in &self.counts {
            println!(
                "{label:<58} {:>7} {:>7} {:>7}",
                c.passed, c.failed, c.skipped
            );
            tp += c.passed;
            tf += c.failed;
            ts += c.skipped;
        }
        for s in &self.skipped {
            println!("{s}");
        }
        if whole_tree {
            let (folders, cases) = skipped_folders
                .values()
                .fold((0, 0), |(f, c), (nf, nc, _)| (f + nf, c + nc));
            println!(
                "\nSKIPPED (no runner; reasons in core/tests/spec_tests/skips.rs): \
                 {folders} handler folders, {cases} cases"
            );
            for (key, (nf, nc, why)) in &skipped_folders {
                println!("  SKIP {key:<50} {nc:>6} cases {nf:>4} folders: {why}");
            }
            ts += cases;
        } else {
            println!("\n(filtered run: the whole-tree coverage check runs only unfiltered)");
        }
        for f in &failures {
            println!("{f}");
        }
        if self.counts.is_empty() {
            println!("no handler matched the filter");
        }
        // One line per failed case, per unread file, per handler with no cases and per folder
        // with neither a runner nor a named skip.
        let failed = failures.len();
        debug_assert!(failed >= tf);
        println!("\nspec_tests: {tp} passed, {failed} failed, {ts} skipped");
        // A filter that matches nothing passes with nothing run, as libtest does, so that
        // `cargo test --workspace -- NAME` works across test binaries; unfiltered, an empty run fails.
        failed == 0 && (!self.counts.is_empty() || !whole_tree)
    }
}

/// `<suite>/<case>` folders under a handler folder.
fn count_cases(handler: &Path) -> usize {
    Harness::subdirs(handler)
        .iter()
        .map(|suite| Harness::subdirs(suite).len())
        .sum()
}

fn cases_is_empty(c: &Counts) -> bool {
    c.passed + c.failed + c.skipped == 0
}

/// Every file under `dir`, recursively.
pub fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        if let Ok(rd) = std::fs::read_dir(&d) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
    }
    out
}
