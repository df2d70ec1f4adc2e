//! `PubkeyIndex`: the persistent pubkey -> validator index map, memory-lean.
//!
//! 12 bytes per validator (a sorted `u64` pubkey prefix and a `u32` index, in two parallel
//! vectors) instead of a `HashMap<BlsPubkey, u64>` (48-byte keys, ~100 B per entry with the
//! table's overhead). A prefix hit is confirmed against the registry's full pubkey, so prefix
//! collisions only cost an extra comparison. Validators appended after the build go to a short
//! unsorted tail, merged into the sorted part once it grows.
//!
//! Validity: a pubkey never changes once in the registry and validators are only appended, so
//! the index stays right for every later state of the same chain; `extend` indexes the appended
//! ones (checked by length on every use).

use crate::error::{Error, Result};
use crate::types::{BlsPubkey, Validator, ValidatorIndex};

/// Merge the tail into the sorted part beyond this many entries (a tail lookup is a scan).
const TAIL_LIMIT: usize = 4096;

/// The first 8 bytes of a pubkey, as the sort key.
fn prefix(pubkey: &BlsPubkey) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(pubkey.0.get(..8).unwrap_or(&[0u8; 8]));
    u64::from_le_bytes(b)
}

/// `validator_pubkeys.index(pubkey)` (the first occurrence) without scanning the registry.
#[derive(Debug, Clone, Default)]
pub struct PubkeyIndex {
    /// Sorted by (prefix, index).
    prefixes: Vec<u64>,
    indices: Vec<u32>,
    /// Appended since the last merge, in index order (all above every sorted index).
    tail: Vec<(u64, u32)>,
    /// Validators `0..len` are indexed.
    len: usize,
}

/// A registry index as `u32` (the caches' index width), or an error past 2^32 validators.
pub(crate) fn index_u32(index: usize) -> Result<u32> {
    u32::try_from(index).map_err(|_| Error::Assert("fast caches: more than 2^32 validators"))
}

impl PubkeyIndex {
    /// Bytes the index holds (12 per indexed validator, plus the unmerged tail).
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(self.prefixes.as_slice())
            .saturating_add(std::mem::size_of_val(self.indices.as_slice()))
            .saturating_add(std::mem::size_of_val(self.tail.as_slice()))
    }

    /// Index every validator of `validators`.
    pub fn build(validators: &[Validator]) -> Result<Self> {
        let mut pairs = Vec::with_capacity(validators.len());
        for (i, v) in validators.iter().enumerate() {
            pairs.push((prefix(&v.pubkey), index_u32(i)?));
        }
        rayon::slice::ParallelSliceMut::par_sort_unstable(&mut pairs[..]);
        let (prefixes, indices) = pairs.into_iter().unzip();
        Ok(PubkeyIndex {
            prefixes,
            indices,
            tail: Vec::new(),
            len: validators.len(),
        })
    }

    /// How many validators are indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no validator is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Index the validators appended since the last call (`validators` is the whole registry).
    pub fn extend(&mut self, validators: &[Validator]) -> Result<()> {
        for (i, v) in validators.iter().enumerate().skip(self.len) {
            self.tail.push((prefix(&v.pubkey), index_u32(i)?));
        }
        self.len = self.len.max(validators.len());
        if self.tail.len() > TAIL_LIMIT {
            let mut pairs: Vec<(u64, u32)> = self
                .prefixes
                .iter()
                .copied()
                .zip(self.indices.iter().copied())
                .collect();
            pairs.append(&mut self.tail);
            pairs.sort_unstable();
            (self.prefixes, self.indices) = pairs.into_iter().unzip();
        }
        Ok(())
    }

    /// The first index whose pubkey is `pubkey`, as the spec's `validator_pubkeys.index`.
    pub fn get(&self, validators: &[Validator], pubkey: &BlsPubkey) -> Option<ValidatorIndex> {
        let p = prefix(pubkey);
        let matches = |i: u32| {
            validators
                .get(i as usize)
                .is_some_and(|v| v.pubkey == *pubkey)
        };
        let start = self.prefixes.partition_point(|&x| x < p);
        // Sorted by (prefix, index): the first full match is the smallest index.
        let sorted = self
            .prefixes
            .get(start..)
            .unwrap_or_default()
            .iter()
            .zip(self.indices.get(start..).unwrap_or_default())
            .take_while(|(&x, _)| x == p)
            .map(|(_, &i)| i)
            .find(|&i| matches(i));
        // Every tail index is above every sorted one.
        sorted
            .or_else(|| {
                self.tail
                    .iter()
                    .filter(|(x, _)| *x == p)
                    .map(|&(_, i)| i)
                    .find(|&i| matches(i))
            })
            .map(u64::from)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn v(bytes: [u8; 48]) -> Validator {
        Validator {
            pubkey: BlsPubkey::from(bytes),
            ..Validator::default()
        }
    }

    /// Same answers as the spec's linear scan: duplicates (first wins), shared prefixes,
    /// absent keys, keys appended later (tail and merged).
    #[test]
    fn matches_linear_scan() {
        let mut vals = Vec::new();
        for i in 0u8..200 {
            let mut b = [0u8; 48];
            b[0] = i % 7; // many shared prefixes
            b[47] = i / 3; // duplicates of full keys
            vals.push(v(b));
        }
        let scan = |vals: &[Validator], k: &BlsPubkey| {
            vals.iter().position(|x| x.pubkey == *k).map(|i| i as u64)
        };
        let mut idx = PubkeyIndex::build(&vals).unwrap();
        let mut probe = [0u8; 48];
        probe[0] = 3;
        probe[47] = 250;
        let absent = BlsPubkey::from(probe);
        for k in vals.iter().map(|x| x.pubkey).chain([absent]) {
            assert_eq!(idx.get(&vals, &k), scan(&vals, &k));
        }
        for round in 0..3 {
            for j in 0..3000u32 {
                let mut b = [0u8; 48];
                b[..4].copy_from_slice(&j.to_le_bytes());
                b[40] = round;
                vals.push(v(b));
            }
            vals.push(v(probe));
            idx.extend(&vals).unwrap();
            assert_eq!(idx.len(), vals.len());
            for k in vals.iter().step_by(37).map(|x| x.pubkey).chain([absent]) {
                assert_eq!(idx.get(&vals, &k), scan(&vals, &k));
            }
        }
    }
}
