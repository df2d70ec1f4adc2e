//! Decompressed validator public keys, built once per state and persisted.
//!
//! A registry's keys passed `KeyValidate` when their deposits were processed (an invalid key
//! never becomes a validator), so the cache decompresses each once (on-curve by construction)
//! and skips the subgroup check, as production clients do; the identity encoding is refused.
//! A key that does not decompress is left out: using it falls back to the caller's check.
//!
//! On disk: `MXPKC001`, count, a binding (SHA-256 over each cached index and its compressed
//! key, as the state holds them), then per key its index and the affine point as raw limbs
//! (loading copies them, no field arithmetic), then a SHA-256 of everything before. A load
//! recomputes the binding from the state, checks the checksum, and recompresses a sample of
//! points against the state's bytes; any mismatch is an error, never a silently wrong key.

use super::SigsError;
use crate::types::{BlsPubkey, Validator, ValidatorIndex};
use blst::min_pk::PublicKey;
use blst::{blst_fp, blst_p1_affine};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::path::Path;

const MAGIC: &[u8; 8] = b"MXPKC001";
const LIMBS: usize = 6;
/// Bytes of one record: index (8) + x and y limbs (2 * 6 * 8).
const RECORD: usize = 8 + 2 * LIMBS * 8;
const HEADER: usize = 8 + 8 + 32;
const NONE: u32 = u32::MAX;
/// Points recompressed and compared with the state on load.
const SAMPLE: usize = 256;

/// Decompressed public keys of some validators (typically the epoch's active set).
#[derive(Clone, Debug, Default)]
pub struct PubkeyCache {
    /// Per validator index: position in `keys`, or `NONE`.
    slot_of: Vec<u32>,
    keys: Vec<PublicKey>,
    indices: Vec<ValidatorIndex>,
}

fn compressed(validators: &[Validator], i: ValidatorIndex) -> Option<&BlsPubkey> {
    validators.get(usize::try_from(i).ok()?).map(|v| &v.pubkey)
}

/// Decompress one registry key without the subgroup check; refuse the identity.
fn decompress(pk: &BlsPubkey) -> Option<PublicKey> {
    // Compressed encoding: bit 0x40 of the first byte flags the point at infinity.
    if pk.as_bytes().first().is_none_or(|b| b & 0x40 != 0) {
        return None;
    }
    PublicKey::uncompress(pk.as_bytes()).ok()
}

impl PubkeyCache {
    /// Decompress the keys of `indices` (in parallel on the current rayon pool).
    pub fn build(validators: &[Validator], indices: &[ValidatorIndex]) -> Self {
        let decoded: Vec<Option<PublicKey>> = indices
            .par_iter()
            .with_min_len(1024)
            .map(|&i| compressed(validators, i).and_then(decompress))
            .collect();
        // Counted once for the batch: the keys decompressed (a registry key always does).
        crate::work::g1_decompressions(decoded.iter().filter(|k| k.is_some()).count());
        Self::assemble(validators.len(), indices, decoded)
    }

    fn assemble(
        registry_len: usize,
        indices: &[ValidatorIndex],
        decoded: Vec<Option<PublicKey>>,
    ) -> Self {
        let mut slot_of = vec![NONE; registry_len];
        let mut keys = Vec::with_capacity(decoded.len());
        let mut kept = Vec::with_capacity(decoded.len());
        for (&i, pk) in indices.iter().zip(decoded) {
            let (Some(pk), Some(s)) =
                (pk, usize::try_from(i).ok().and_then(|i| slot_of.get_mut(i)))
            else {
                continue;
            };
            let Ok(pos) = u32::try_from(keys.len()) else {
                break;
            };
            *s = pos;
            keys.push(pk);
            kept.push(i);
        }
        PubkeyCache {
            slot_of,
            keys,
            indices: kept,
        }
    }

    /// The decompressed key of validator `index`, if cached.
    #[inline]
    pub fn get(&self, index: ValidatorIndex) -> Option<&PublicKey> {
        let s = *self.slot_of.get(usize::try_from(index).ok()?)?;
        self.keys.get(s as usize)
    }

    /// Number of cached keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no key is cached.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Bytes held in memory (points, index map and index list).
    pub fn bytes(&self) -> usize {
        self.keys
            .len()
            .saturating_mul(std::mem::size_of::<PublicKey>())
            .saturating_add(self.slot_of.len().saturating_mul(4))
            .saturating_add(self.indices.len().saturating_mul(8))
    }

    /// SHA-256 over `(index, compressed key)` of `indices` as `validators` holds them.
    pub fn binding(validators: &[Validator], indices: &[ValidatorIndex]) -> [u8; 32] {
        let mut h = Sha256::new();
        for &i in indices {
            h.update(i.to_le_bytes());
            if let Some(pk) = compressed(validators, i) {
                h.update(pk.as_bytes());
            }
        }
        h.finalize().into()
    }

    /// Write the cache atomically; returns the file's size in bytes.
    pub fn save(&self, path: &Path, validators: &[Validator]) -> Result<u64, SigsError> {
        let mut data = Vec::with_capacity(
            HEADER
                .saturating_add(self.keys.len().saturating_mul(RECORD))
                .saturating_add(32),
        );
        data.extend_from_slice(MAGIC);
        data.extend_from_slice(&(self.keys.len() as u64).to_le_bytes());
        data.extend_from_slice(&Self::binding(validators, &self.indices));
        for (&i, pk) in self.indices.iter().zip(&self.keys) {
            data.extend_from_slice(&i.to_le_bytes());
            let aff: &blst_p1_affine = pk.into();
            for limb in aff.x.l.iter().chain(aff.y.l.iter()) {
                data.extend_from_slice(&limb.to_le_bytes());
            }
        }
        let sum = Sha256::digest(&data);
        data.extend_from_slice(&sum);
        crate::io::write_atomic(path, &data)?;
        Ok(data.len() as u64)
    }

    /// Load a cache written by [`PubkeyCache::save`] for exactly these `indices` of `validators`.
    pub fn load(
        path: &Path,
        validators: &[Validator],
        indices: &[ValidatorIndex],
    ) -> Result<Self, SigsError> {
        let bad = |problem: &str| SigsError::Cache {
            path: path.to_path_buf(),
            problem: problem.to_string(),
        };
        let data = std::fs::read(path).map_err(|source| SigsError::CacheIo {
            path: path.to_path_buf(),
            source,
        })?;
        let (body, sum) = data
            .split_last_chunk::<32>()
            .ok_or_else(|| bad("shorter than its checksum"))?;
        if Sha256::digest(body).as_slice() != sum.as_slice() {
            return Err(bad("checksum mismatch (corrupt or truncated)"));
        }
        let (head, records) = body
            .split_at_checked(HEADER)
            .ok_or_else(|| bad("short header"))?;
        if head.get(..8) != Some(MAGIC.as_slice()) {
            return Err(bad("not a pubkey cache (magic)"));
        }
        let count = head
            .get(8..16)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
            .ok_or_else(|| bad("short header"))?;
        if records.len() as u64 != count.saturating_mul(RECORD as u64) {
            return Err(bad("record count does not match the length"));
        }
        let mut cached = Vec::with_capacity(records.len() / RECORD);
        let mut keys = Vec::with_capacity(records.len() / RECORD);
        for r in records.chunks_exact(RECORD) {
            let mut words = r
                .chunks_exact(8)
                .filter_map(|w| <[u8; 8]>::try_from(w).ok())
                .map(u64::from_le_bytes);
            let index = words.next().ok_or_else(|| bad("short record"))?;
            let mut x = blst_fp::default();
            let mut y = blst_fp::default();
            for l in x.l.iter_mut().chain(y.l.iter_mut()) {
                *l = words.next().ok_or_else(|| bad("short record"))?;
            }
            cached.push(index);
            keys.push(PublicKey::from(blst_p1_affine { x, y }));
        }
        // Every requested index that the state's key decompresses must be cached; the binding
        // ties the cached list to the state's bytes.
        let binding = head.get(16..48).ok_or_else(|| bad("short header"))?;
        if Self::binding(validators, &cached).as_slice() != binding {
            return Err(bad("built from different keys than this state holds"));
        }
        // Cached indices must be requested ones (a bitmap over the registry, not a hash set).
        let mut wanted = vec![false; validators.len()];
        for &i in indices {
            if let Some(w) = usize::try_from(i).ok().and_then(|i| wanted.get_mut(i)) {
                *w = true;
            }
        }
        let requested = |i: &ValidatorIndex| {
            usize::try_from(*i)
                .ok()
                .and_then(|i| wanted.get(i).copied())
                .unwrap_or(false)
        };
        if cached.len() > indices.len() || !cached.iter().all(requested) {
            return Err(bad("built for a different set of validators"));
        }
        let step = keys.len().div_ceil(SAMPLE).max(1);
        for (i, pk) in cached.iter().zip(&keys).step_by(step) {
            if compressed(validators, *i).map(|c| *c.as_bytes()) != Some(pk.compress()) {
                return Err(bad("a cached point does not match the state's key"));
            }
        }
        let cache = Self::assemble(
            validators.len(),
            &cached,
            keys.into_iter().map(Some).collect(),
        );
        if cache.len() < indices.len() {
            // Keys left out at build time must still fail to decompress now.
            let missing = indices.par_iter().any(|&i| {
                cache.get(i).is_none() && compressed(validators, i).and_then(decompress).is_some()
            });
            if missing {
                return Err(bad("misses keys of this validator set"));
            }
        }
        Ok(cache)
    }

    /// Load from `path` when it holds a valid cache for this set, else build and try to save
    /// it there. Returns the cache, whether it was loaded, and the file size when saved or loaded.
    pub fn load_or_build(
        path: &Path,
        validators: &[Validator],
        indices: &[ValidatorIndex],
    ) -> (Self, Result<u64, SigsError>, bool) {
        if let Ok(c) = Self::load(path, validators, indices) {
            let size =
                std::fs::metadata(path)
                    .map(|m| m.len())
                    .map_err(|source| SigsError::CacheIo {
                        path: path.to_path_buf(),
                        source,
                    });
            return (c, size, true);
        }
        let c = Self::build(validators, indices);
        let saved = c.save(path, validators);
        (c, saved, false)
    }
}
