//! Batch verification of signature sets: blinded, grouped by message, bisected on failure.
//!
//! For a batch of sets `(pk_i, m_i, sig_i)` with random 64-bit `r_i`, the batch holds iff
//! `prod_g e(sum_{i in g} r_i pk_i, H(m_g)) == e(g1, sum_i r_i sig_i)`, where `g` runs over the
//! batch's distinct messages: each group costs one G1 multi-scalar multiplication and one Miller
//! loop, whatever its size, plus one G2 multi-scalar multiplication over all signatures. A failed
//! batch is bisected (fresh scalars each time) down to the single sets that fail `Verify`.

use super::blinding::{Blinding, SCALAR_BITS, SCALAR_BYTES};
use super::{PubkeyCache, SigsError, SingleAttestation};
use crate::crypto::bls::DST;
use crate::types::Root;
use blst::min_pk::{AggregatePublicKey, AggregateSignature, PublicKey, Signature};
use blst::BLST_ERROR;
use rayon::prelude::*;

/// One signature to check: a decompressed key, the message's position in the message table, and
/// the decompressed, subgroup-checked signature. `id` names it to the caller.
#[derive(Clone, Copy, Debug)]
pub struct SignatureSet<'a> {
    pub pubkey: &'a PublicKey,
    pub message: u32,
    pub signature: &'a Signature,
    pub id: usize,
}

/// What a verification run found.
#[derive(Clone, Debug, Default)]
pub struct GossipReport {
    /// Ids of the invalid items, ascending.
    pub invalid: Vec<usize>,
    /// Batches checked (bisection steps included).
    pub batches: u64,
    /// Miller loops computed (one per message group per batch, plus one for the signatures).
    pub pairings: u64,
    /// The decompressed signatures, by item (None when it did not decompress or failed its
    /// subgroup check), for aggregation of what was verified.
    pub points: Vec<Option<Signature>>,
}

#[derive(Default)]
struct Counts {
    batches: u64,
    pairings: u64,
}

fn message(messages: &[Root], m: u32) -> Result<&[u8], SigsError> {
    messages
        .get(m as usize)
        .map(|r| r.as_slice())
        .ok_or(SigsError::Message(m))
}

/// One blinded, grouped check of `sets` (already sorted by message).
fn check(
    sets: &[SignatureSet<'_>],
    messages: &[Root],
    blinding: &Blinding,
    salt: u64,
    counts: &mut Counts,
) -> Result<bool, SigsError> {
    let Some(first) = sets.first() else {
        return Ok(true);
    };
    counts.batches = counts.batches.saturating_add(1);
    if sets.len() == 1 {
        // A single set: plain `Verify` (two Miller loops), no scalar needed.
        counts.pairings = counts.pairings.saturating_add(2);
        crate::work::verification(2);
        let m = message(messages, first.message)?;
        return Ok(first
            .signature
            .verify(false, m, DST, &[], first.pubkey, false)
            == BLST_ERROR::BLST_SUCCESS);
    }
    let scalars = blinding.scalars(sets.len(), salt)?;
    let sigs: Vec<Signature> = sets.iter().map(|s| *s.signature).collect();
    crate::work::g2_sum(sigs.len());
    let sig = AggregateSignature::aggregate_with_randomness(&sigs, &scalars, SCALAR_BITS, false)
        .map_err(|_| SigsError::Entropy("empty batch".into()))?
        .to_signature();
    let mut pks: Vec<PublicKey> = Vec::new();
    let mut msgs: Vec<&[u8]> = Vec::new();
    let mut start = 0usize;
    while let Some(head) = sets.get(start) {
        let len = sets.get(start..).map_or(0, |rest| {
            rest.iter()
                .take_while(|s| s.message == head.message)
                .count()
        });
        let end = start.saturating_add(len);
        let group: Vec<PublicKey> = sets
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .map(|s| *s.pubkey)
            .collect();
        crate::work::g1_sum(group.len());
        let r = scalars
            .get(start.saturating_mul(SCALAR_BYTES)..end.saturating_mul(SCALAR_BYTES))
            .unwrap_or_default();
        let agg = AggregatePublicKey::aggregate_with_randomness(&group, r, SCALAR_BITS, false)
            .map_err(|_| SigsError::Entropy("empty group".into()))?;
        pks.push(agg.to_public_key());
        msgs.push(message(messages, head.message)?);
        start = end;
    }
    let miller_loops = (pks.len() as u64).saturating_add(1);
    counts.pairings = counts.pairings.saturating_add(miller_loops);
    crate::work::verification(miller_loops);
    let refs: Vec<&PublicKey> = pks.iter().collect();
    Ok(sig.aggregate_verify(false, &msgs, DST, &refs, false) == BLST_ERROR::BLST_SUCCESS)
}

/// Bisect a failed batch: push the ids of the sets that fail on their own into `invalid`.
fn bisect(
    sets: &[SignatureSet<'_>],
    messages: &[Root],
    blinding: &Blinding,
    salt: u64,
    known_bad: bool,
    counts: &mut Counts,
    invalid: &mut Vec<usize>,
) -> Result<(), SigsError> {
    if !known_bad && check(sets, messages, blinding, salt, counts)? {
        return Ok(());
    }
    if let [one] = sets {
        // `known_bad` for a single set comes from its sibling passing: confirm it on its own.
        if !known_bad || !check(sets, messages, blinding, salt, counts)? {
            invalid.push(one.id);
        }
        return Ok(());
    }
    let (left, right) = sets.split_at(sets.len() / 2);
    let salt = salt.wrapping_mul(0x9e37_79b9_7f4a_7c15).wrapping_add(1);
    let before = invalid.len();
    bisect(left, messages, blinding, salt, false, counts, invalid)?;
    // The whole failed: if the left half held nothing bad, the right half does (completeness of
    // the batch equation), so its own check is skipped.
    let right_known_bad = invalid.len() == before;
    bisect(
        right,
        messages,
        blinding,
        salt.wrapping_add(1),
        right_known_bad,
        counts,
        invalid,
    )
}

/// Verify `sets` in batches of `batch_size` on the current rayon pool; ids of invalid sets.
pub fn verify_sets(
    mut sets: Vec<SignatureSet<'_>>,
    messages: &[Root],
    batch_size: usize,
    blinding: &Blinding,
) -> Result<(Vec<usize>, u64, u64), SigsError> {
    let batch_size = batch_size.max(1);
    // Group within each batch: sort each chunk by message (stable: ids stay ordered).
    sets.par_chunks_mut(batch_size)
        .for_each(|c| c.sort_by_key(|s| s.message));
    let results = sets
        .par_chunks(batch_size)
        .enumerate()
        .map(|(b, chunk)| -> Result<(Vec<usize>, Counts), SigsError> {
            let mut counts = Counts::default();
            let mut invalid = Vec::new();
            bisect(
                chunk,
                messages,
                blinding,
                b as u64,
                false,
                &mut counts,
                &mut invalid,
            )?;
            Ok((invalid, counts))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut invalid = Vec::new();
    let (mut batches, mut pairings) = (0u64, 0u64);
    for (bad, c) in results {
        invalid.extend(bad);
        batches = batches.saturating_add(c.batches);
        pairings = pairings.saturating_add(c.pairings);
    }
    invalid.sort_unstable();
    Ok((invalid, batches, pairings))
}

/// The gossip path: verify every `SingleAttestation` against the cached key of its attester.
///
/// Each signature is decompressed and subgroup-checked (the mandatory floor); one that fails,
/// or whose attester has no cached key, is invalid without a pairing. The rest are verified in
/// blinded batches of `batch_size` grouped by message, bisected when a batch fails.
pub fn verify_gossip(
    attestations: &[SingleAttestation],
    messages: &[Root],
    cache: &PubkeyCache,
    batch_size: usize,
    blinding: &Blinding,
) -> Result<GossipReport, SigsError> {
    let points: Vec<Option<Signature>> = attestations
        .par_iter()
        .with_min_len(256)
        .map(|a| Signature::sig_validate(a.signature.as_bytes(), false).ok())
        .collect();
    crate::work::g2_decompressions(attestations.len());
    let mut invalid = Vec::new();
    let mut sets = Vec::with_capacity(attestations.len());
    for (id, (a, p)) in attestations.iter().zip(&points).enumerate() {
        match (p, cache.get(a.attester_index)) {
            (Some(signature), Some(pubkey)) => sets.push(SignatureSet {
                pubkey,
                message: a.message,
                signature,
                id,
            }),
            _ => invalid.push(id),
        }
    }
    let (bad, batches, pairings) = verify_sets(sets, messages, batch_size, blinding)?;
    invalid.extend(bad);
    invalid.sort_unstable();
    Ok(GossipReport {
        invalid,
        batches,
        pairings,
        points,
    })
}
