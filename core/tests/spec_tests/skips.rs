//! Every vectors folder the runner does not run, in one place, with the reason.
//!
//! The runner walks the whole tree it is given (`tests/<preset>/<fork>/<runner>/<handler>`). A
//! handler folder is run by a module of this runner, or matched here and listed in the summary's
//! SKIPPED section with its folder and case counts, or it fails the run: nothing is silently
//! ignored, and a folder without a runner never passes. Patterns are `preset/fork/runner/handler`,
//! `*` matching any one segment and `!name` any segment but `name`. The first matching entry names the reason.

/// `(pattern, reason)`, checked in order after the folders a runner claimed.
pub const SKIPS: &[(&str, &str)] = &[
    // ---- Electra runners and handlers maxeb does not implement (yet)
    (
        "*/electra/sanity/blocks",
        "block processing (process_block) is not implemented",
    ),
    (
        "*/electra/sanity/slots",
        "runner not written: no sanity/slots vectors in the shared set to validate it against \
         (process_slots is checked against epoch_processing post_epoch and the CLI tests)",
    ),
    (
        "*/electra/operations/block_header",
        "process_block_header is not implemented (block processing)",
    ),
    (
        "*/electra/operations/bls_to_execution_change",
        "process_bls_to_execution_change is not implemented (block processing)",
    ),
    (
        "*/electra/operations/deposit",
        "process_deposit (Merkle-proof deposits) is not implemented (block processing)",
    ),
    (
        "*/electra/operations/execution_payload",
        "process_execution_payload is not implemented (needs an execution engine stub)",
    ),
    (
        "*/electra/operations/sync_aggregate",
        "process_sync_aggregate is not implemented (block processing)",
    ),
    (
        "*/electra/finality/*",
        "finality runs blocks: block processing is not implemented",
    ),
    (
        "*/electra/random/*",
        "random runs blocks: block processing is not implemented",
    ),
    (
        "*/electra/transition/*",
        "fork transitions (Deneb -> Electra) are not implemented",
    ),
    (
        "*/electra/fork/*",
        "upgrade_to_electra is not implemented",
    ),
    (
        "*/electra/fork_choice/*",
        "fork choice is not implemented",
    ),
    ("*/electra/sync/*", "optimistic sync is not implemented"),
    (
        "*/electra/light_client/*",
        "light-client processing is not implemented",
    ),
    (
        "*/electra/merkle_proof/*",
        "Merkle proof generation is not implemented",
    ),
    (
        "*/electra/rewards/*",
        "runner not written: no rewards vectors in the shared set to validate it against \
         (the rewards_and_penalties epoch vectors cover the deltas' sum)",
    ),
    // ---- general
    (
        "general/*/ssz_generic/*",
        "generic SSZ (uints, bitlists, containers, progressive types) is tested by the SSZ crates maxeb uses",
    ),
    ("general/*/kzg/*", "KZG (blobs, cells) is not implemented"),
    // ---- other forks: maxeb implements Electra (phase0 shuffling and BLS are run)
    ("minimal/!electra/*/*", "maxeb implements the Electra fork only"),
    ("mainnet/!electra/*/*", "maxeb implements the Electra fork only"),
];

/// The reason for the handler folder `rel` (`preset/fork/runner/handler`), if a pattern matches.
pub fn reason(rel: &[&str; 4]) -> Option<(&'static str, &'static str)> {
    SKIPS.iter().copied().find(|(pattern, _)| {
        let parts: Vec<&str> = pattern.split('/').collect();
        parts.len() == 4
            && parts
                .iter()
                .zip(rel)
                .all(|(p, s)| match p.strip_prefix('!') {
                    Some(not) => not != *s,
                    None => *p == "*" || p == s,
                })
    })
}

/// The matcher on known paths, recorded as a runner check (this binary has no libtest `#[test]`).
pub fn self_check() -> Result<(), String> {
    let r = |s: &str| {
        let v: Vec<&str> = s.split('/').collect();
        match v.as_slice() {
            [a, b, c, d] => reason(&[a, b, c, d]).map(|(p, _)| p),
            _ => None,
        }
    };
    let cases = [
        (
            "minimal/electra/sanity/blocks",
            Some("*/electra/sanity/blocks"),
        ),
        (
            "mainnet/electra/fork_choice/on_block",
            Some("*/electra/fork_choice/*"),
        ),
        (
            "minimal/fulu/operations/attestation",
            Some("minimal/!electra/*/*"),
        ),
        ("mainnet/phase0/sanity/slots", Some("mainnet/!electra/*/*")),
        ("minimal/electra/made_up_runner/x", None),
        ("minimal/electra/operations/made_up_handler", None),
        (
            "general/phase0/ssz_generic/uints",
            Some("general/*/ssz_generic/*"),
        ),
        ("general/fulu/kzg/compute_cells", Some("general/*/kzg/*")),
        ("general/phase0/made_up/x", None),
    ];
    for (path, want) in cases {
        let got = r(path);
        if got != want {
            return Err(format!(
                "skip pattern for {path}: {got:?}, expected {want:?}"
            ));
        }
    }
    Ok(())
}
