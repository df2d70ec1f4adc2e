//! Committee aggregation and the aggregate path (committee aggregates, on-chain `Attestation`s).

use super::batch::{verify_sets, SignatureSet};
use super::{Blinding, EpochCommittees, PubkeyCache, SigsError};
use crate::error::Error;
use crate::helpers::accessors::get_committee_indices;
use crate::preset::Preset;
use crate::types::{Attestation, BlsSignature, CommitteeIndex, Root, Slot, ValidatorIndex};
use blst::min_pk::{PublicKey, Signature};
use blst::MultiPoint;
use rayon::prelude::*;

/// One committee's aggregate over the members that signed one message.
#[derive(Clone, Debug)]
pub struct CommitteeAggregate {
    pub slot: Slot,
    pub committee_index: CommitteeIndex,
    pub message: u32,
    /// One bit per committee member, as `aggregation_bits` of the committee's part.
    pub bits: Vec<bool>,
    /// `Aggregate` of the members' signatures, compressed as a block carries it.
    pub signature: BlsSignature,
    /// The sum of the members' public keys (what `FastAggregateVerify` computes first).
    pub pubkey: PublicKey,
}

/// What to aggregate: the items (positions into the verified signatures) of one committee that
/// signed `message`, and their bits in the committee.
#[derive(Clone, Debug)]
pub struct AggregationJob {
    pub slot: Slot,
    pub committee_index: CommitteeIndex,
    pub message: u32,
    pub items: Vec<usize>,
    pub attesters: Vec<ValidatorIndex>,
    pub bits: Vec<bool>,
}

/// Build each job's aggregate signature (G2) and aggregate key (G1), jobs in parallel. Points
/// are summed with blst's multi-point addition (affine additions sharing one inversion per
/// round). A job whose signature or key is missing yields `None` for that job.
pub fn aggregate_committees(
    jobs: &[AggregationJob],
    points: &[Option<Signature>],
    cache: &PubkeyCache,
) -> Vec<Option<CommitteeAggregate>> {
    jobs.par_iter()
        .map(|job| {
            let sigs = job
                .items
                .iter()
                .map(|&i| points.get(i).copied().flatten())
                .collect::<Option<Vec<Signature>>>()?;
            let pks = job
                .attesters
                .iter()
                .map(|&v| cache.get(v).copied())
                .collect::<Option<Vec<PublicKey>>>()?;
            if sigs.is_empty() || pks.len() != sigs.len() {
                return None;
            }
            crate::work::g2_sum(sigs.len());
            crate::work::g1_sum(pks.len());
            let signature = BlsSignature::from(sigs.as_slice().add().to_signature().compress());
            let pubkey = pks.as_slice().add().to_public_key();
            Some(CommitteeAggregate {
                slot: job.slot,
                committee_index: job.committee_index,
                message: job.message,
                bits: job.bits.clone(),
                signature,
                pubkey,
            })
        })
        .collect()
}

/// Verify pre-aggregated `(key, message, compressed signature)` triples, as
/// `FastAggregateVerify` after its key aggregation: each signature is decompressed and
/// subgroup-checked, then all are batch-verified with blinding, grouped by message. Returns the
/// positions of invalid ones, batches and pairings.
pub fn verify_aggregates(
    aggregates: &[(PublicKey, u32, BlsSignature)],
    messages: &[Root],
    batch_size: usize,
    blinding: &Blinding,
) -> Result<(Vec<usize>, u64, u64), SigsError> {
    let points: Vec<Option<Signature>> = aggregates
        .par_iter()
        .map(|(_, _, s)| Signature::sig_validate(s.as_bytes(), false).ok())
        .collect();
    crate::work::g2_decompressions(aggregates.len());
    let mut invalid = Vec::new();
    let mut sets = Vec::with_capacity(aggregates.len());
    for (id, ((pk, m, _), p)) in aggregates.iter().zip(&points).enumerate() {
        match p {
            Some(signature) => sets.push(SignatureSet {
                pubkey: pk,
                message: *m,
                signature,
                id,
            }),
            None => invalid.push(id),
        }
    }
    let (bad, batches, pairings) = verify_sets(sets, messages, batch_size, blinding)?;
    invalid.extend(bad);
    invalid.sort_unstable();
    Ok((invalid, batches, pairings))
}

/// electra § get_attesting_indices over precomputed committees (order: committee by committee).
pub fn attesting_indices<P: Preset>(
    committees: &EpochCommittees,
    attestation: &Attestation<P>,
) -> Result<Vec<ValidatorIndex>, Error> {
    let mut out = Vec::new();
    let mut offset = 0usize;
    for index in get_committee_indices(attestation) {
        let committee = committees.committee(attestation.data.slot, index)?;
        for (i, &v) in committee.iter().enumerate() {
            let bit = offset
                .checked_add(i)
                .ok_or(Error::Arithmetic("attesting_indices"))?;
            if attestation.aggregation_bits.get(bit).unwrap_or(false) {
                out.push(v);
            }
        }
        offset = offset
            .checked_add(committee.len())
            .ok_or(Error::Arithmetic("attesting_indices"))?;
    }
    Ok(out)
}

/// Verify on-chain Electra `Attestation`s (several committees each, through `committee_bits`)
/// with cached keys: `signing_roots[i]` is the signing root of `attestations[i].data`. An
/// attestation with no attester, or an attester without a cached key, is invalid. Returns the
/// positions of invalid ones, batches and pairings.
pub fn verify_attestations<P: Preset>(
    attestations: &[Attestation<P>],
    signing_roots: &[Root],
    committees: &EpochCommittees,
    cache: &PubkeyCache,
    batch_size: usize,
    blinding: &Blinding,
) -> Result<(Vec<usize>, u64, u64), SigsError> {
    let keyed: Vec<Option<PublicKey>> = attestations
        .par_iter()
        .map(|a| {
            let indices = attesting_indices(committees, a).ok()?;
            let pks = indices
                .iter()
                .map(|&v| cache.get(v).copied())
                .collect::<Option<Vec<PublicKey>>>()?;
            if pks.is_empty() {
                return None;
            }
            crate::work::g1_sum(pks.len());
            Some(pks.as_slice().add().to_public_key())
        })
        .collect();
    let mut invalid = Vec::new();
    let mut triples = Vec::with_capacity(attestations.len());
    let mut ids = Vec::with_capacity(attestations.len());
    for (id, (a, pk)) in attestations.iter().zip(keyed).enumerate() {
        let Some(pk) = pk else {
            invalid.push(id);
            continue;
        };
        let m = u32::try_from(id).map_err(|_| SigsError::Message(u32::MAX))?;
        triples.push((pk, m, a.signature));
        ids.push(id);
    }
    let (bad, batches, pairings) =
        verify_aggregates(&triples, signing_roots, batch_size, blinding)?;
    invalid.extend(bad.iter().filter_map(|&b| ids.get(b).copied()));
    invalid.sort_unstable();
    Ok((invalid, batches, pairings))
}
