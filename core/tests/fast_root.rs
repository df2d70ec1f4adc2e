//! The incremental root (`TrackedState::hash_tree_root`) on the official vector states: every
//! `epoch_processing` case of both presets. For each case: the cold root of `pre` (and of `post`,
//! `pre_epoch`, `post_epoch` where present) equals `tree_hash`; then, warm, after the case's own
//! step (equal to `post`'s root when the case has a post) and after each later step of the epoch.
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use maxeb_core::epoch::epoch_steps;
use maxeb_core::fast::TrackedState;
use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Minimal, Preset};
use std::path::Path;
use tree_hash::TreeHash;

mod common;

fn cases<P: Preset>(preset: &str) -> usize {
    let root = common::vectors_root().join(format!("tests/{preset}/electra/epoch_processing"));
    let mut n = 0;
    let mut handlers: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    handlers.sort();
    for handler in handlers {
        let name = handler.file_name().unwrap().to_string_lossy().to_string();
        let steps = epoch_steps::<P>();
        let at = steps
            .iter()
            .position(|(s, _)| *s == name)
            .unwrap_or_else(|| panic!("no epoch step named {name}"));
        let mut dirs: Vec<_> = std::fs::read_dir(handler.join("pyspec_tests"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        dirs.sort();
        for case in dirs {
            one_case::<P>(&case, at);
            n += 1;
        }
    }
    n
}

fn read<P: Preset>(case: &Path, name: &str) -> Option<BeaconState<P>> {
    let p = case.join(format!("{name}.ssz_snappy"));
    p.is_file()
        .then(|| maxeb_core::io::read_state::<P>(&p).unwrap())
}

fn one_case<P: Preset>(case: &Path, at: usize) {
    let what = case.display();
    for name in ["post", "pre_epoch", "post_epoch"] {
        if let Some(s) = read::<P>(case, name) {
            let want = s.tree_hash_root();
            assert_eq!(
                TrackedState::new(s).hash_tree_root(),
                want,
                "{what}: cold {name}"
            );
        }
    }
    let pre = read::<P>(case, "pre").unwrap();
    let post = read::<P>(case, "post");
    let mut t = TrackedState::new(pre);
    assert_eq!(
        t.hash_tree_root(),
        t.state().tree_hash_root(),
        "{what}: cold pre"
    );
    let steps = epoch_steps::<P>();
    // `pre` is the state just before the handler's step: run it, then the rest of the epoch.
    // Roots are checked after the case's step, then after the last step (every step's root is
    // checked on generated states in the unit tests; here the full tree_hash is the slow part).
    let (name, step) = steps[at];
    if t.with_state_mut(step).is_err() {
        assert!(
            post.is_none(),
            "{what}: {name} failed but the case has a post"
        );
        return;
    }
    let want = t.state().tree_hash_root();
    assert_eq!(t.hash_tree_root(), want, "{what}: after {name}");
    if let Some(p) = &post {
        assert_eq!(want, p.tree_hash_root(), "{what}: the step gives post");
    }
    for (_, step) in steps.iter().skip(at + 1) {
        if t.with_state_mut(step).is_err() {
            return;
        }
    }
    assert_eq!(
        t.hash_tree_root(),
        t.state().tree_hash_root(),
        "{what}: end of epoch"
    );
}

#[test]
fn vector_states_minimal() {
    assert!(cases::<Minimal>("minimal") > 50);
}

#[test]
fn vector_states_mainnet() {
    assert!(cases::<Mainnet>("mainnet") > 20);
}

/// Mainnet scale (`MAXEB_LARGE_STATE`, default `/work/fixtures-cache/mainnet-2026.ssz`): the
/// cold root equals `tree_hash`, and fast `process_slots` across one epoch boundary gives the
/// reference path's state and root. Slow (two full reference transitions): `--ignored`.
#[test]
#[ignore]
fn large_state_fast_slots_equal_reference() {
    let path = std::env::var("MAXEB_LARGE_STATE")
        .unwrap_or_else(|_| "/work/fixtures-cache/mainnet-2026.ssz".into());
    let state = maxeb_core::io::read_state::<Mainnet>(Path::new(&path)).unwrap();
    let mut reference = state.clone();
    let mut t = TrackedState::new(state);
    assert_eq!(t.hash_tree_root(), reference.tree_hash_root(), "cold root");
    let slot = reference.slot + 3;
    maxeb_core::slots::process_slots(&mut reference, slot).unwrap();
    maxeb_core::fast::slots::process_slots(&mut t, slot).unwrap();
    assert!(t.state() == &reference, "state after 3 slots");
    assert_eq!(
        t.hash_tree_root(),
        reference.tree_hash_root(),
        "root after 3 slots"
    );
}
