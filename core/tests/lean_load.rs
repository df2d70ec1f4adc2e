//! `io::read_state` on a raw `.ssz` file decodes the validators from the file in chunks (to keep
//! peak memory near 1.25x the file). Differential test against the ordinary decoder
//! (`BeaconState::from_ssz_bytes` on the whole file): on real and corrupted files both must accept
//! or reject alike, and agree on the value.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use maxeb_core::types::BeaconState;
use maxeb_core::{Mainnet, Minimal, Preset};
use ssz::{Decode, Encode};

mod common;
use common::{Rng, Scratch};

const CASES: &[&str] = &[
    "slashings/pyspec_tests/low_penalty",
    "pending_deposits/pyspec_tests/apply_pending_deposit_top_up__max_effective_balance_compounding",
    "pending_consolidations/pyspec_tests/basic_pending_consolidation",
];

/// Both decoders on `bytes` written to a `.ssz` file: same verdict, same value.
fn agree<P: Preset>(dir: &Scratch, bytes: &[u8], what: &str) -> bool {
    let path = dir.0.join("state.ssz");
    std::fs::write(&path, bytes).unwrap();
    let lean = maxeb_core::io::read_state::<P>(&path);
    let plain = BeaconState::<P>::from_ssz_bytes(bytes);
    match (&lean, &plain) {
        (Ok(a), Ok(b)) => assert!(a == b, "{what}: decoders disagree on the value"),
        (Err(e), Err(_)) => assert!(
            e.to_string().contains("state.ssz"),
            "{what}: error must name the file: {e}"
        ),
        _ => panic!(
            "{what}: lean {:?} vs plain {:?}",
            lean.as_ref().err(),
            plain.as_ref().err()
        ),
    }
    lean.is_ok()
}

fn run<P: Preset>(preset: &str) {
    let root = common::vectors_root();
    let dir = Scratch::new(&format!("lean-{preset}"));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ P::SLOTS_PER_EPOCH);
    let (mut accepted, mut rejected) = (0, 0);
    for case in CASES {
        let path = root.join(format!(
            "tests/{preset}/electra/epoch_processing/{case}/pre.ssz_snappy"
        ));
        let state: BeaconState<P> = maxeb_core::io::read_state(&path).unwrap();
        let bytes = state.as_ssz_bytes();
        assert!(
            agree::<P>(&dir, &bytes, "valid state"),
            "{case}: a valid state must load"
        );
        // Truncations, including inside the fixed part and inside the validators region.
        for cut in [
            0,
            1,
            100,
            bytes.len() / 3,
            bytes.len() / 2,
            bytes.len() - 121,
            bytes.len() - 1,
        ] {
            let ok = agree::<P>(&dir, &bytes[..cut], &format!("{case} cut at {cut}"));
            if ok {
                accepted += 1
            } else {
                rejected += 1
            }
        }
        // Corrupted offsets and bytes anywhere, and one extra trailing byte.
        for k in 0..150 {
            let mut b = bytes.clone();
            let at = rng.below(b.len());
            b[at] ^= (rng.next() as u8) | 1;
            if k % 3 == 0 {
                // Hit the fixed part, where the offsets are.
                let at = rng.below(2_800.min(b.len()));
                b[at] = rng.next() as u8;
            }
            let ok = agree::<P>(&dir, &b, &format!("{case} mutation {k}"));
            if ok {
                accepted += 1
            } else {
                rejected += 1
            }
        }
        let mut b = bytes.clone();
        b.push(0);
        let ok = agree::<P>(&dir, &b, &format!("{case} trailing byte"));
        if ok {
            accepted += 1
        } else {
            rejected += 1
        }
    }
    // The corruption loop must exercise both verdicts, or it tests nothing.
    assert!(
        accepted > 0 && rejected > 0,
        "accepted {accepted}, rejected {rejected}"
    );
}

#[test]
fn lean_loader_agrees_with_the_ordinary_decoder_minimal() {
    run::<Minimal>("minimal");
}

#[test]
fn lean_loader_agrees_with_the_ordinary_decoder_mainnet() {
    run::<Mainnet>("mainnet");
}
