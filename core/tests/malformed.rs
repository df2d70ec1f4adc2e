//! Malformed input never panics: truncated, random, bad-offset, over-long, wrong-preset and
//! wrong-fork encodings of a `BeaconState`, bad snappy data and unknown extensions all return an
//! `Err` (naming the file where a file is involved). Inputs are built from real vector states,
//! found the way the spec-test runner finds them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use maxeb_core::io::{self, IoError};
use maxeb_core::types::{
    BeaconBlockHeader, BeaconState, Checkpoint, Eth1Data, Fork, PendingConsolidation, Root,
    SyncCommittee,
};
use maxeb_core::{Mainnet, Minimal, Preset};
use ssz::{Decode, Encode};
use ssz_types::FixedVector;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use tree_hash::TreeHash;

mod common;
use common::{vector_path, Rng, Scratch};

const MINIMAL_CASE: &str =
    "tests/minimal/electra/epoch_processing/slashings/pyspec_tests/low_penalty/pre.ssz_snappy";
const MAINNET_CASE: &str =
    "tests/mainnet/electra/epoch_processing/slashings/pyspec_tests/low_penalty/pre.ssz_snappy";
const OFFSET: usize = 4;

// ---------------------------------------------------------------- inputs

/// The raw SSZ bytes of a vector state (decompressed), checked to decode as `P`.
fn real_state<P: Preset>(case: &str) -> (PathBuf, Vec<u8>, BeaconState<P>) {
    let path = vector_path(case);
    let bytes = io::read_ssz_bytes(&path).unwrap();
    let state = BeaconState::<P>::from_ssz_bytes(&bytes).unwrap();
    (path, bytes, state)
}

// ---------------------------------------------------------------- the state's fixed part

fn fixed<T: Decode>() -> usize {
    if T::is_ssz_fixed_len() {
        T::ssz_fixed_len()
    } else {
        OFFSET
    }
}

/// Field sizes of the fixed part, in spec order; `None` marks an offset (variable-size field).
fn layout<P: Preset>() -> Vec<(&'static str, Option<usize>)> {
    type Roots<P> = FixedVector<Root, <P as Preset>::SlotsPerHistoricalRoot>;
    vec![
        ("genesis_time", Some(8)),
        ("genesis_validators_root", Some(32)),
        ("slot", Some(8)),
        ("fork", Some(fixed::<Fork>())),
        ("latest_block_header", Some(fixed::<BeaconBlockHeader>())),
        ("block_roots", Some(fixed::<Roots<P>>())),
        ("state_roots", Some(fixed::<Roots<P>>())),
        ("historical_roots", None),
        ("eth1_data", Some(fixed::<Eth1Data>())),
        ("eth1_data_votes", None),
        ("eth1_deposit_index", Some(8)),
        ("validators", None),
        ("balances", None),
        (
            "randao_mixes",
            Some(fixed::<FixedVector<Root, P::EpochsPerHistoricalVector>>()),
        ),
        (
            "slashings",
            Some(fixed::<FixedVector<u64, P::EpochsPerSlashingsVector>>()),
        ),
        ("previous_epoch_participation", None),
        ("current_epoch_participation", None),
        ("justification_bits", Some(1)),
        ("previous_justified_checkpoint", Some(fixed::<Checkpoint>())),
        ("current_justified_checkpoint", Some(fixed::<Checkpoint>())),
        ("finalized_checkpoint", Some(fixed::<Checkpoint>())),
        ("inactivity_scores", None),
        ("current_sync_committee", Some(fixed::<SyncCommittee<P>>())),
        ("next_sync_committee", Some(fixed::<SyncCommittee<P>>())),
        ("latest_execution_payload_header", None),
        ("next_withdrawal_index", Some(8)),
        ("next_withdrawal_validator_index", Some(8)),
        ("historical_summaries", None),
        ("deposit_requests_start_index", Some(8)),
        ("deposit_balance_to_consume", Some(8)),
        ("exit_balance_to_consume", Some(8)),
        ("earliest_exit_epoch", Some(8)),
        ("consolidation_balance_to_consume", Some(8)),
        ("earliest_consolidation_epoch", Some(8)),
        ("pending_deposits", None),
        ("pending_partial_withdrawals", None),
        ("pending_consolidations", None),
    ]
}

/// Fixed-part length and the byte positions of the 12 offsets, by field name. Checked against
/// the real encoding: the first offset equals the fixed-part length and offsets never decrease.
struct Layout {
    fixed_len: usize,
    offsets: Vec<(&'static str, usize)>,
}
impl Layout {
    fn of<P: Preset>(bytes: &[u8]) -> Self {
        let mut pos = 0;
        let mut offsets = Vec::new();
        for (name, size) in layout::<P>() {
            match size {
                Some(n) => pos += n,
                None => {
                    offsets.push((name, pos));
                    pos += OFFSET;
                }
            }
        }
        let l = Layout {
            fixed_len: pos,
            offsets,
        };
        assert_eq!(l.offsets.len(), 12);
        assert_eq!(l.value(bytes, "historical_roots"), l.fixed_len);
        let values: Vec<usize> = l.offsets.iter().map(|(n, _)| l.value(bytes, n)).collect();
        assert!(values.windows(2).all(|w| w[0] <= w[1]), "{values:?}");
        assert!(*values.last().unwrap() <= bytes.len());
        l
    }
    fn pos(&self, field: &str) -> usize {
        self.offsets.iter().find(|(n, _)| *n == field).unwrap().1
    }
    fn value(&self, bytes: &[u8], field: &str) -> usize {
        let p = self.pos(field);
        u32::from_le_bytes(bytes[p..p + OFFSET].try_into().unwrap()) as usize
    }
    fn set(&self, bytes: &mut [u8], field: &str, value: u32) {
        let p = self.pos(field);
        bytes[p..p + OFFSET].copy_from_slice(&value.to_le_bytes());
    }
}

// ---------------------------------------------------------------- checks

/// Decoding must return `Err`, and must not panic.
fn assert_decode_err<P: Preset>(bytes: &[u8], what: &str) {
    let r = catch_unwind(AssertUnwindSafe(|| BeaconState::<P>::from_ssz_bytes(bytes)));
    match r {
        Err(_) => panic!("{what}: decoding BeaconState<{}> panicked", P::NAME),
        Ok(Ok(_)) => panic!("{what}: BeaconState<{}> decoded without error", P::NAME),
        Ok(Err(_)) => {}
    }
}

/// Reading the file must return an `Err` whose message names the file.
fn assert_file_err<P: Preset>(path: &Path, what: &str) -> IoError {
    let r = catch_unwind(AssertUnwindSafe(|| io::read_state::<P>(path)));
    let e = match r {
        Err(_) => panic!("{what}: read_state panicked on {}", path.display()),
        Ok(Ok(_)) => panic!("{what}: read_state accepted {}", path.display()),
        Ok(Err(e)) => e,
    };
    let msg = e.to_string();
    assert!(
        msg.contains(&path.display().to_string()),
        "{what}: error does not name the file: {msg}"
    );
    assert!(!msg.contains('\n'), "{what}: error is not one line: {msg}");
    assert_sentence(&msg, what);
    e
}

/// The decoder's error variants: their Debug form (`OffsetOutOfBounds(2895921)`) must never
/// reach a message; `io::describe_decode_error` words each one.
const DEBUG_FORMS: [&str; 12] = [
    "InvalidByteLength",
    "InvalidLengthPrefix",
    "OutOfBoundsByte",
    "OffsetIntoFixedPortion",
    "OffsetSkipsVariableBytes",
    "OffsetsAreDecreasing",
    "OffsetOutOfBounds",
    "InvalidListFixedBytesLen",
    "ZeroLengthItem",
    "BytesInvalid",
    "UnionSelectorInvalid",
    "NoMatchingVariant",
];

fn assert_sentence(msg: &str, what: &str) {
    for form in DEBUG_FORMS {
        assert!(
            !msg.contains(form),
            "{what}: Debug form in the message: {msg}"
        );
    }
}

// ---------------------------------------------------------------- tests

fn truncations<P: Preset>(case: &str, exhaustive: bool) {
    let (_, bytes, state) = real_state::<P>(case);
    // With the last lists empty, every strict prefix leaves an offset past the end; with elements
    // there, cutting whole elements off the last list would be a valid, shorter state.
    assert!(
        state.pending_consolidations.is_empty() && state.pending_partial_withdrawals.is_empty()
    );
    let l = Layout::of::<P>(&bytes);
    let v = l.value(&bytes, "validators");
    let b = l.value(&bytes, "balances");
    assert!(b > v + 2 * 121, "need validators to cut mid-list");
    let named = [
        ("empty", 0),
        ("one byte", 1),
        ("fixed part - 1", l.fixed_len - 1),
        ("fixed part", l.fixed_len),
        ("fixed part + 1", l.fixed_len + 1),
        ("mid validators list", v + (b - v) / 2 + 7),
        ("last byte missing", bytes.len() - 1),
    ];
    for (what, len) in named {
        assert_decode_err::<P>(&bytes[..len], what);
    }
    if exhaustive {
        for len in 0..bytes.len() {
            assert_decode_err::<P>(&bytes[..len], &format!("prefix of {len} bytes"));
        }
    }
    // And through a file, both formats.
    let dir = Scratch::new(&format!("trunc-{}", P::NAME));
    for (what, len) in named {
        let cut = &bytes[..len];
        let p = dir.file("cut.ssz", cut);
        assert_file_err::<P>(&p, what);
        let p = dir.file("cut.ssz_snappy", &io::snappy_compress(&p, cut).unwrap());
        assert_file_err::<P>(&p, what);
    }
}

#[test]
fn truncated_minimal() {
    truncations::<Minimal>(MINIMAL_CASE, true);
}

#[test]
fn truncated_mainnet() {
    truncations::<Mainnet>(MAINNET_CASE, false);
}

#[test]
fn random_bytes() {
    let (_, minimal, _) = real_state::<Minimal>(MINIMAL_CASE);
    let (_, mainnet, _) = real_state::<Mainnet>(MAINNET_CASE);
    let mut rng = Rng(0x6d61_7865_6272_6e64);
    let dir = Scratch::new("random");
    for len in [0, 1, 3, 4, 100, 4096, minimal.len(), mainnet.len()] {
        let bytes = rng.bytes(len);
        assert_decode_err::<Minimal>(&bytes, &format!("{len} random bytes"));
        assert_decode_err::<Mainnet>(&bytes, &format!("{len} random bytes"));
        let p = dir.file("random.ssz", &bytes);
        assert_file_err::<Minimal>(&p, "random bytes");
        let p = dir.file("random.ssz_snappy", &bytes);
        assert_file_err::<Mainnet>(&p, "random bytes as snappy");
    }
    // Random bytes behind a valid first offset get past the first check.
    let l = Layout::of::<Minimal>(&minimal);
    for _ in 0..200 {
        let len = l.fixed_len + rng.below(4 * l.fixed_len);
        let mut bytes = rng.bytes(len);
        l.set(&mut bytes, "historical_roots", l.fixed_len as u32);
        assert_decode_err::<Minimal>(&bytes, "random bytes, valid first offset");
    }
}

fn bad_offsets<P: Preset>(case: &str) {
    let (_, bytes, _) = real_state::<P>(case);
    let l = Layout::of::<P>(&bytes);
    let len = bytes.len() as u32;
    let fixed = l.fixed_len as u32;
    let mut cases: Vec<(String, Vec<u8>)> = Vec::new();
    let mut with = |what: String, edits: &[(&str, u32)]| {
        let mut b = bytes.clone();
        for (field, v) in edits {
            l.set(&mut b, field, *v);
        }
        cases.push((what, b));
    };
    for (field, _) in &l.offsets {
        with(format!("{field} offset past the end"), &[(field, len + 1)]);
        with(format!("{field} offset u32::MAX"), &[(field, u32::MAX)]);
        with(
            format!("{field} offset into the fixed part"),
            &[(field, fixed - 1)],
        );
    }
    with(
        "first offset beyond the fixed part".into(),
        &[("historical_roots", fixed + 4)],
    );
    with("first offset zero".into(), &[("historical_roots", 0)]);
    // Decreasing: each offset set below its predecessor (the predecessors here are all > fixed).
    let v = l.value(&bytes, "validators");
    let b = l.value(&bytes, "balances");
    with(
        "balances before validators".into(),
        &[("balances", v as u32 - 1)],
    );
    with(
        "validators and balances offsets swapped".into(),
        &[("validators", b as u32), ("balances", v as u32)],
    );
    let h = l.value(&bytes, "latest_execution_payload_header");
    with(
        "header offset before inactivity_scores".into(),
        &[
            ("inactivity_scores", h as u32),
            ("latest_execution_payload_header", h as u32 - 8),
        ],
    );
    // Validators list length not a multiple of 121: move the balances offset by one byte.
    with(
        "validators list not whole elements".into(),
        &[("balances", b as u32 + 1)],
    );
    for (what, b) in &cases {
        assert_ne!(b, &bytes, "{what}: edit changed nothing");
        assert_decode_err::<P>(b, what);
    }
    let dir = Scratch::new(&format!("offsets-{}", P::NAME));
    let p = dir.file("bad_offset.ssz", &cases[0].1);
    assert_file_err::<P>(&p, &cases[0].0);
}

#[test]
fn bad_offsets_minimal() {
    bad_offsets::<Minimal>(MINIMAL_CASE);
}

#[test]
fn bad_offsets_mainnet() {
    bad_offsets::<Mainnet>(MAINNET_CASE);
}

/// Appending `n` pending consolidations to a state whose last list is empty: the limit itself
/// decodes, one more does not.
fn over_long_consolidations<P: Preset>(case: &str) {
    let (_, bytes, state) = real_state::<P>(case);
    assert!(state.pending_consolidations.is_empty());
    let limit = P::PENDING_CONSOLIDATIONS_LIMIT as usize;
    let one = PendingConsolidation {
        source_index: 1,
        target_index: 2,
    }
    .as_ssz_bytes();
    let with_n = |n: usize| {
        let mut b = bytes.clone();
        for _ in 0..n {
            b.extend_from_slice(&one);
        }
        b
    };
    let at_limit = BeaconState::<P>::from_ssz_bytes(&with_n(limit))
        .expect("a list exactly at its limit must decode");
    assert_eq!(at_limit.pending_consolidations.len(), limit);
    let over = with_n(limit + 1);
    assert_decode_err::<P>(&over, &format!("{} pending consolidations", limit + 1));
    let dir = Scratch::new(&format!("overlong-{}", P::NAME));
    let p = dir.file("over.ssz", &over);
    let e = assert_file_err::<P>(&p, "over-long list");
    assert!(
        e.to_string().ends_with(&format!(
            "pending_consolidations: invalid bytes: VariableList of {} items exceeds maximum of \
             {limit}",
            limit + 1
        )),
        "{e}"
    );
}

#[test]
fn over_long_list_minimal() {
    // 65 pending consolidations > PENDING_CONSOLIDATIONS_LIMIT = 64.
    assert_eq!(Minimal::PENDING_CONSOLIDATIONS_LIMIT, 64);
    over_long_consolidations::<Minimal>(MINIMAL_CASE);
}

#[test]
fn over_long_list_mainnet() {
    over_long_consolidations::<Mainnet>(MAINNET_CASE);
}

/// `bytes` written as `NAME.ssz` and as `NAME.ssz_snappy`: both readers (the `.ssz` one checks
/// offsets itself and decodes the validators apart) must say the same thing.
fn both_formats(dir: &Scratch, name: &str, bytes: &[u8]) -> [PathBuf; 2] {
    let raw = dir.file(&format!("{name}.ssz"), bytes);
    let snappy = io::snappy_compress(&raw, bytes).unwrap();
    [raw, dir.file(&format!("{name}.ssz_snappy"), &snappy)]
}

/// The wording of the common failures: a file shorter than any state says so (not "pass
/// --preset"); a bad offset or a bad value inside a field is a sentence naming the field.
#[test]
fn messages_name_the_problem() {
    let (_, bytes, _) = real_state::<Minimal>(MINIMAL_CASE);
    let l = Layout::of::<Minimal>(&bytes);
    let dir = Scratch::new("messages");
    let ends = |e: &IoError, tail: &str| {
        assert!(e.to_string().ends_with(tail), "want ...{tail}, got {e}");
    };

    // 100 bytes: shorter than any preset's fixed part (minimal's, the smallest).
    let min = io::min_state_len();
    assert_eq!(min, l.fixed_len);
    for p in both_formats(&dir, "short", &bytes[..100]) {
        let e = io::state_file_preset(&p).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: truncated or not a BeaconState (100 bytes, the smallest is {min})",
                p.display()
            )
        );
        let e = assert_file_err::<Minimal>(&p, "100 bytes");
        ends(
            &e,
            &format!(
                "truncated or not a minimal-preset BeaconState (100 bytes, the smallest is {min})"
            ),
        );
    }

    // An offset past the end (the decoder's own words: `OffsetOutOfBounds(2895921)`).
    let mut b = bytes.clone();
    l.set(&mut b, "balances", 2_895_921);
    for p in both_formats(&dir, "offset", &b) {
        let e = assert_file_err::<Minimal>(&p, "balances offset past the end");
        ends(
            &e,
            &format!(
                "the balances offset (2895921) points past the end of the data ({} bytes)",
                b.len()
            ),
        );
    }
    // Offsets out of order.
    let mut b = bytes.clone();
    let v = l.value(&bytes, "validators");
    l.set(&mut b, "balances", v as u32 - 1);
    for p in both_formats(&dir, "order", &b) {
        let e = assert_file_err::<Minimal>(&p, "balances before validators");
        ends(
            &e,
            &format!(
                "the balances offset ({}) points before the previous field's ({v})",
                v - 1
            ),
        );
    }

    // A value inside a field: validator 0's `slashed` (after pubkey 48, credentials 32,
    // effective balance 8) set to 2. The `.ssz` reader knows the index too.
    let mut b = bytes.clone();
    b[v + 48 + 32 + 8] = 2;
    let [raw, snappy] = both_formats(&dir, "slashed", &b);
    let e = assert_file_err::<Minimal>(&raw, "slashed = 2");
    ends(
        &e,
        "validators[0]: invalid bytes: Out-of-range for boolean: 2",
    );
    let e = assert_file_err::<Minimal>(&snappy, "slashed = 2");
    ends(&e, "validators: invalid bytes: Out-of-range for boolean: 2");
}

#[test]
fn wrong_preset() {
    let min = vector_path(MINIMAL_CASE);
    let main = vector_path(MAINNET_CASE);
    // Control: each reads under its own preset.
    io::read_state::<Minimal>(&min).unwrap();
    io::read_state::<Mainnet>(&main).unwrap();
    let e = assert_file_err::<Mainnet>(&min, "minimal state read as mainnet");
    assert!(
        matches!(e, IoError::Ssz { .. } | IoError::Truncated { .. }),
        "{e}"
    );
    let e = assert_file_err::<Minimal>(&main, "mainnet state read as minimal");
    assert!(matches!(e, IoError::Ssz { .. }), "{e}");
    // Minimal's first offset sits where mainnet has block roots: the message says which offset.
    assert!(
        e.to_string()
            .contains("the first offset (historical_roots) is "),
        "{e}"
    );
}

#[test]
fn bad_snappy() {
    let (path, bytes, _) = real_state::<Minimal>(MINIMAL_CASE);
    let compressed = std::fs::read(&path).unwrap();
    let dir = Scratch::new("snappy");
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", vec![]),
        ("raw SSZ in a .ssz_snappy file", bytes.clone()),
        (
            "compressed data cut in half",
            compressed[..compressed.len() / 2].to_vec(),
        ),
        (
            "compressed data minus last byte",
            compressed[..compressed.len() - 1].to_vec(),
        ),
        // Declared length 0xffffffffff: over the accepted maximum.
        (
            "huge declared length",
            vec![0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x00],
        ),
        // Framed stream identifier, then a chunk with a bad checksum.
        (
            "framed stream, bad chunk",
            [
                b"\xff\x06\x00\x00sNaPpY".as_slice(),
                &[0x01, 0x08, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4],
            ]
            .concat(),
        ),
    ];
    let mut declared_longer = compressed.clone();
    declared_longer[0] ^= 0x01; // varint length off by one
    cases.push(("declared length wrong", declared_longer));
    for (what, data) in &cases {
        let p = dir.file("bad.ssz_snappy", data);
        let e = assert_file_err::<Minimal>(&p, what);
        assert!(
            matches!(
                e,
                IoError::Snappy { .. } | IoError::Ssz { .. } | IoError::Truncated { .. }
            ),
            "{what}: {e}"
        );
    }
    // The intact file reads back.
    let p = dir.file("good.ssz_snappy", &compressed);
    io::read_state::<Minimal>(&p).unwrap();
}

#[test]
fn unknown_extension() {
    let (_, bytes, _) = real_state::<Minimal>(MINIMAL_CASE);
    let dir = Scratch::new("ext");
    for name in [
        "state.bin",
        "state",
        "state.SSZ",
        "state.ssz.gz",
        "state.snappy",
    ] {
        let p = dir.file(name, &bytes);
        let e = assert_file_err::<Minimal>(&p, name);
        assert!(matches!(e, IoError::Extension { .. }), "{name}: {e}");
        // Writing refuses it too, and creates nothing.
        let out = dir.0.join(format!("out-{name}"));
        let state = BeaconState::<Minimal>::from_ssz_bytes(&bytes).unwrap();
        let e = io::write_ssz(&out, &state).unwrap_err();
        assert!(e.to_string().contains(&out.display().to_string()), "{e}");
        assert!(!out.exists());
    }
    // A missing file is an error naming it, not a panic.
    let missing = dir.0.join("missing.ssz");
    let e = assert_file_err::<Minimal>(&missing, "missing file");
    assert!(matches!(e, IoError::Read { .. }), "{e}");
}

#[test]
fn wrong_fork_shape() {
    // A Deneb-shaped state: an Electra state without the Electra-only tail of the fixed part
    // (6 uint64 + 3 list offsets after historical_summaries), offsets shifted to match. Its
    // first offset is then Deneb's fixed-part length, not Electra's.
    let (_, bytes, state) = real_state::<Minimal>(MINIMAL_CASE);
    assert!(state.pending_deposits.is_empty() && state.pending_consolidations.is_empty());
    let l = Layout::of::<Minimal>(&bytes);
    let cut_at = l.pos("historical_summaries") + OFFSET;
    let tail_fixed = 6 * 8 + 3 * OFFSET;
    let mut deneb_like = bytes[..cut_at].to_vec();
    deneb_like.extend_from_slice(&bytes[cut_at + tail_fixed..]);
    for (field, _) in l
        .offsets
        .iter()
        .take_while(|(n, _)| !n.starts_with("pending_"))
    {
        let v = l.value(&bytes, field) - tail_fixed;
        l.set(&mut deneb_like, field, v as u32);
    }
    assert_eq!(deneb_like.len(), bytes.len() - tail_fixed);
    assert_decode_err::<Minimal>(&deneb_like, "Deneb-shaped state");
    let dir = Scratch::new("fork");
    let p = dir.file("deneb.ssz", &deneb_like);
    assert_file_err::<Minimal>(&p, "Deneb-shaped state");
}

/// Seeded byte flips and truncations of real states: decoding may succeed or fail but never
/// panics; what decodes re-encodes to the same bytes (SSZ is canonical) and hashes.
fn mutate<P: Preset>(case: &str, iterations: usize, seed: u64) {
    let (path, bytes, _) = real_state::<P>(case);
    let compressed = std::fs::read(&path).unwrap();
    let l = Layout::of::<P>(&bytes);
    let mut rng = Rng(seed);
    let mut decoded = 0usize;
    for i in 0..iterations {
        let mut b = bytes.clone();
        let flips = 1 + rng.below(4);
        for _ in 0..flips {
            // Half the flips hit an offset, where the decoder's bounds logic is.
            let pos = if rng.below(2) == 0 {
                l.offsets[rng.below(l.offsets.len())].1 + rng.below(OFFSET)
            } else {
                rng.below(b.len())
            };
            b[pos] ^= 1 << rng.below(8);
        }
        if rng.below(4) == 0 {
            let keep = rng.below(b.len());
            b.truncate(keep);
        }
        let r = catch_unwind(AssertUnwindSafe(|| {
            BeaconState::<P>::from_ssz_bytes(&b).map(|s| (s.as_ssz_bytes(), s.tree_hash_root()))
        }));
        match r {
            Err(_) => panic!("iteration {i} (seed {seed:#x}): decode panicked"),
            Ok(Ok((re, _root))) => {
                decoded += 1;
                assert_eq!(re, b, "iteration {i}: decoded state re-encodes differently");
            }
            Ok(Err(_)) => {}
        }
        // And the snappy layer: flip a byte of the compressed file.
        if i % 4 == 0 {
            let mut c = compressed.clone();
            let pos = rng.below(c.len());
            c[pos] ^= 1 << rng.below(8);
            let r = catch_unwind(AssertUnwindSafe(|| {
                io::snappy_decompress(&path, &c)
                    .map(|d| BeaconState::<P>::from_ssz_bytes(&d).is_ok())
            }));
            assert!(r.is_ok(), "iteration {i}: snappy mutation panicked");
        }
    }
    // Flips in data bytes (not offsets) often leave a valid state: the loop did reach the
    // success path, not only the first bounds check.
    assert!(
        decoded > 0,
        "no mutation decoded; the loop exercised only rejections"
    );
}

#[test]
fn mutation_loop_minimal() {
    mutate::<Minimal>(MINIMAL_CASE, 4000, 0x5eed_0001);
}

#[test]
fn mutation_loop_mainnet() {
    mutate::<Mainnet>(MAINNET_CASE, 300, 0x5eed_0002);
}
