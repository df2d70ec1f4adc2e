//! `tests/<preset>/phase0/shuffling/core/shuffle/<case>/mapping.yaml`: `mapping[i]` is
//! `compute_shuffled_index(i, count, seed)`; the whole-list shuffle must agree.

use crate::harness::{Harness, Outcome};
use maxeb_core::crypto::shuffle::{compute_shuffled_index, shuffle_list};
use maxeb_core::types::Root;
use maxeb_core::{Mainnet, Minimal, Preset};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Mapping {
    seed: String,
    count: u64,
    mapping: Vec<u64>,
}

fn run_preset<P: Preset>(h: &mut Harness) {
    let rel = format!("tests/{}/phase0/shuffling/core", P::NAME);
    h.run_handler(&rel, &format!("shuffling/core {}", P::NAME), &[], |case| {
        let m: Mapping = match case.read_yaml("mapping.yaml") {
            Ok(m) => m,
            Err(e) => return Outcome::Fail(e),
        };
        let seed: Root = match m.seed.parse() {
            Ok(s) => s,
            Err(e) => return Outcome::Fail(format!("seed: {e}")),
        };
        if m.mapping.len() as u64 != m.count {
            return Outcome::Fail("mapping length != count".into());
        }
        for (i, want) in m.mapping.iter().enumerate() {
            match compute_shuffled_index::<P>(i as u64, m.count, &seed) {
                Ok(got) if got == *want => {}
                other => return Outcome::Fail(format!("index {i}: got {other:?}, want {want}")),
            }
        }
        let input: Vec<u64> = (0..m.count).collect();
        if shuffle_list::<P>(&input, &seed) != m.mapping {
            return Outcome::Fail("shuffle_list disagrees with the mapping".into());
        }
        Outcome::Pass
    });
}

pub fn run(h: &mut Harness) {
    run_preset::<Minimal>(h);
    run_preset::<Mainnet>(h);
}
