//! BLS signatures on blst, min_pk variant (phase0 § BLS signatures; altair § BLS extensions).
//!
//! The spec names IETF BLS functions (`Verify`, `Aggregate`, `FastAggregateVerify`,
//! `AggregateVerify`) over the proof-of-possession ciphersuite; they are `verify`, `aggregate`,
//! `fast_aggregate_verify`, `aggregate_verify` here. Keys pass `KeyValidate` (on the curve, in the
//! subgroup, not the identity); signatures are subgroup-checked. Each call adds its decompressions,
//! point additions and Miller loops to `crate::work` (how each counts: that module's docs).

use crate::types::{BlsPubkey, BlsSignature};
use blst::min_pk::{AggregatePublicKey, AggregateSignature, PublicKey, SecretKey, Signature};
use blst::BLST_ERROR;
use thiserror::Error;

/// The proof-of-possession ciphersuite's domain separation tag.
pub const DST: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

/// Why a BLS operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BlsError {
    #[error("no inputs")]
    Empty,
    #[error("invalid public key: {0:?}")]
    PublicKey(BLST_ERROR),
    #[error("invalid signature: {0:?}")]
    Signature(BLST_ERROR),
    #[error("invalid secret key material: {0:?}")]
    SecretKey(BLST_ERROR),
}

/// `KeyValidate(pubkey)`: decompress, subgroup check, reject the identity.
pub fn key_validate(pubkey: &BlsPubkey) -> Result<PublicKey, BlsError> {
    crate::work::g1_decompressions(1);
    PublicKey::key_validate(pubkey.as_bytes()).map_err(BlsError::PublicKey)
}

/// Decompress a signature with its subgroup check. The point at infinity is a valid signature
/// encoding (it aggregates; it never verifies against a valid key).
pub fn signature_validate(signature: &BlsSignature) -> Result<Signature, BlsError> {
    crate::work::g2_decompressions(1);
    Signature::sig_validate(signature.as_bytes(), false).map_err(BlsError::Signature)
}

/// IETF `Verify(PK, message, signature)`
pub fn verify(pubkey: &BlsPubkey, message: &[u8], signature: &BlsSignature) -> bool {
    let (Ok(pk), Ok(sig)) = (key_validate(pubkey), signature_validate(signature)) else {
        return false;
    };
    crate::work::verification(2);
    sig.verify(false, message, DST, &[], &pk, false) == BLST_ERROR::BLST_SUCCESS
}

/// IETF `Aggregate(signatures)`: at least one signature, each valid.
pub fn aggregate(signatures: &[BlsSignature]) -> Result<BlsSignature, BlsError> {
    if signatures.is_empty() {
        return Err(BlsError::Empty);
    }
    let sigs = signatures
        .iter()
        .map(signature_validate)
        .collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&Signature> = sigs.iter().collect();
    crate::work::g2_sum(refs.len());
    let agg = AggregateSignature::aggregate(&refs, false).map_err(BlsError::Signature)?;
    Ok(BlsSignature::from(agg.to_signature().compress()))
}

/// Aggregate already-validated public keys (no identity check on the result, as the spec's
/// `FastAggregateVerify` aggregates before verifying).
fn aggregate_keys(pubkeys: &[BlsPubkey]) -> Result<PublicKey, BlsError> {
    if pubkeys.is_empty() {
        return Err(BlsError::Empty);
    }
    let pks = pubkeys
        .iter()
        .map(key_validate)
        .collect::<Result<Vec<_>, _>>()?;
    aggregate_validated_keys(&pks)
}

/// The sum of keys that passed `key_validate` (at least one).
pub fn aggregate_validated_keys(pks: &[PublicKey]) -> Result<PublicKey, BlsError> {
    let refs: Vec<&PublicKey> = pks.iter().collect();
    crate::work::g1_sum(refs.len());
    let agg = AggregatePublicKey::aggregate(&refs, false).map_err(BlsError::PublicKey)?;
    Ok(agg.to_public_key())
}

/// IETF `FastAggregateVerify(PKs, message, signature)`
pub fn fast_aggregate_verify(
    pubkeys: &[BlsPubkey],
    message: &[u8],
    signature: &BlsSignature,
) -> bool {
    let (Ok(pk), Ok(sig)) = (aggregate_keys(pubkeys), signature_validate(signature)) else {
        return false;
    };
    crate::work::verification(2);
    sig.verify(false, message, DST, &[], &pk, false) == BLST_ERROR::BLST_SUCCESS
}

/// IETF `AggregateVerify(PKs, messages, signature)`
pub fn aggregate_verify(
    pubkeys: &[BlsPubkey],
    messages: &[&[u8]],
    signature: &BlsSignature,
) -> bool {
    if pubkeys.is_empty() || pubkeys.len() != messages.len() {
        return false;
    }
    let Ok(pks) = pubkeys
        .iter()
        .map(key_validate)
        .collect::<Result<Vec<_>, _>>()
    else {
        return false;
    };
    let Ok(sig) = signature_validate(signature) else {
        return false;
    };
    let refs: Vec<&PublicKey> = pks.iter().collect();
    crate::work::verification((refs.len() as u64).saturating_add(1));
    sig.aggregate_verify(false, messages, DST, &refs, false) == BLST_ERROR::BLST_SUCCESS
}

/// altair § eth_aggregate_pubkeys
pub fn eth_aggregate_pubkeys(pubkeys: &[BlsPubkey]) -> Result<BlsPubkey, BlsError> {
    // > assert len(pubkeys) > 0; assert all(bls.KeyValidate(pubkey) for pubkey in pubkeys)
    Ok(BlsPubkey::from(aggregate_keys(pubkeys)?.compress()))
}

/// altair § eth_fast_aggregate_verify
pub fn eth_fast_aggregate_verify(
    pubkeys: &[BlsPubkey],
    message: &[u8],
    signature: &BlsSignature,
) -> bool {
    // > if len(pubkeys) == 0 and signature == G2_POINT_AT_INFINITY: return True
    if pubkeys.is_empty() && *signature == crate::helpers::mutators::G2_POINT_AT_INFINITY {
        return true;
    }
    fast_aggregate_verify(pubkeys, message, signature)
}

/// Verify many `(pubkey, message, signature)` sets at once (random linear combination); true
/// iff every set verifies. `seed` feeds the random scalars: pass fresh entropy.
pub fn batch_verify(sets: &[(BlsPubkey, &[u8], BlsSignature)], seed: [u8; 32]) -> bool {
    if sets.is_empty() {
        return true;
    }
    let mut pks = Vec::with_capacity(sets.len());
    let mut sigs = Vec::with_capacity(sets.len());
    for (pk, _, sig) in sets {
        let (Ok(pk), Ok(sig)) = (key_validate(pk), signature_validate(sig)) else {
            return false;
        };
        pks.push(pk);
        sigs.push(sig);
    }
    // 64-bit scalars from SHA-256(seed || i): unpredictable to whoever chose the sets.
    let rands: Vec<blst::blst_scalar> = (0u64..)
        .take(sets.len())
        .map(|i| {
            let h = crate::crypto::hash::hash_concat(&seed, &i.to_le_bytes());
            let mut s = blst::blst_scalar::default();
            s.b[..8].copy_from_slice(&h[..8]);
            // A zero scalar would drop a set from the check.
            s.b[0] |= 1;
            s
        })
        .collect();
    let msgs: Vec<&[u8]> = sets.iter().map(|(_, m, _)| *m).collect();
    let pk_refs: Vec<&PublicKey> = pks.iter().collect();
    let sig_refs: Vec<&Signature> = sigs.iter().collect();
    // One Miller loop per set and one for the blinded signature sum; one final exponentiation.
    crate::work::g2_sum(sig_refs.len());
    crate::work::verification((sets.len() as u64).saturating_add(1));
    Signature::verify_multiple_aggregate_signatures(
        &msgs, DST, &pk_refs, false, &sig_refs, false, &rands, 64,
    ) == BLST_ERROR::BLST_SUCCESS
}

/// A secret key (for fixtures and tests that sign).
pub struct Keypair {
    pub secret: SecretKey,
    pub pubkey: BlsPubkey,
}

impl Keypair {
    /// EIP-2333 `KeyGen` from at least 32 bytes of input keying material.
    pub fn from_ikm(ikm: &[u8]) -> Result<Self, BlsError> {
        let secret = SecretKey::key_gen(ikm, &[]).map_err(BlsError::SecretKey)?;
        let pubkey = BlsPubkey::from(secret.sk_to_pk().compress());
        Ok(Keypair { secret, pubkey })
    }

    /// A secret key from its 32-byte big-endian encoding.
    pub fn from_secret_bytes(bytes: &[u8]) -> Result<Self, BlsError> {
        let secret = SecretKey::from_bytes(bytes).map_err(BlsError::SecretKey)?;
        let pubkey = BlsPubkey::from(secret.sk_to_pk().compress());
        Ok(Keypair { secret, pubkey })
    }

    /// IETF `Sign(SK, message)`
    pub fn sign(&self, message: &[u8]) -> BlsSignature {
        BlsSignature::from(self.secret.sign(message, DST, &[]).compress())
    }
}
