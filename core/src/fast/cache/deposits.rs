//! `DepositSignatures`: which pending deposits carry a valid signature, verified once.
//!
//! electra § is_valid_deposit_signature is a pure function of the deposit's pubkey, withdrawal
//! credentials, amount and signature and of the fork's deposit domain (`GENESIS_FORK_VERSION`),
//! so its answer can be cached under exactly those inputs and reused by every later epoch that
//! examines the deposit. A node would verify a deposit when it enters `pending_deposits`; here
//! `FastCaches::build` verifies the front of the queue (what the next epochs examine, `WINDOW`
//! entries, batch-verified on rayon) and the epoch verifies (then caches) only on a miss.
//!
//! Why: on mainnet-2026 the epoch's BLS checks of new-validator deposits took 92 ms of a 240 ms
//! fast epoch (report of 2d6fae6); with the cache the epoch looks them up.

use crate::crypto::bls;
use crate::epoch::process_pending_deposits::is_valid_deposit_signature;
use crate::helpers::misc::{compute_domain, compute_signing_root};
use crate::preset::consts::DOMAIN_DEPOSIT;
use crate::preset::Preset;
use crate::types::{BlsPubkey, BlsSignature, Bytes32, DepositMessage, Gwei, PendingDeposit, Root};
use std::collections::HashMap;

/// Queue entries `build` (and `FastCaches::verify_pending_deposits`) verify ahead: the deposits
/// the next two epochs can examine (each examines at most `MAX_PENDING_DEPOSITS_PER_EPOCH`, from
/// the front). Later ones are verified when an epoch first examines them.
pub fn window<P: Preset>() -> usize {
    (P::MAX_PENDING_DEPOSITS_PER_EPOCH as usize).saturating_mul(2)
}

/// Past this many answers, keep only those for the queue's front (bounds the memory).
const KEEP_LIMIT: usize = 1024;

/// Everything the signature's validity depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    fork_version: [u8; 4],
    pubkey: BlsPubkey,
    withdrawal_credentials: Bytes32,
    amount: Gwei,
    signature: BlsSignature,
}

fn key<P: Preset>(d: &PendingDeposit) -> Key {
    Key {
        fork_version: P::GENESIS_FORK_VERSION,
        pubkey: d.pubkey,
        withdrawal_credentials: d.withdrawal_credentials,
        amount: d.amount,
        signature: d.signature,
    }
}

/// Cached answers of electra § is_valid_deposit_signature.
#[derive(Debug, Clone, Default)]
pub struct DepositSignatures {
    answers: HashMap<Key, bool>,
    /// Signatures verified so far (cache misses), for inspection and tests.
    verified: u64,
}

impl DepositSignatures {
    /// Bytes held (an estimate from the table's capacity: key, value and a control byte).
    pub fn heap_bytes(&self) -> usize {
        self.answers
            .capacity()
            .saturating_mul(std::mem::size_of::<(Key, bool)>().saturating_add(1))
    }

    /// How many answers are cached.
    pub fn len(&self) -> usize {
        self.answers.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    /// Signatures verified so far (every cache miss costs one).
    pub fn verified(&self) -> u64 {
        self.verified
    }

    /// The cached answer for `deposit`, if any.
    pub fn get<P: Preset>(&self, deposit: &PendingDeposit) -> Option<bool> {
        self.answers.get(&key::<P>(deposit)).copied()
    }

    /// `is_valid_deposit_signature` for each of `deposits`: cached answers looked up, the
    /// others verified together (`valid_deposit_signatures`) and cached.
    pub fn check<P: Preset>(&mut self, deposits: &[&PendingDeposit]) -> Vec<bool> {
        let misses: Vec<&PendingDeposit> = deposits
            .iter()
            .copied()
            .filter(|d| self.get::<P>(d).is_none())
            .collect();
        let fresh = valid_deposit_signatures::<P>(&misses);
        self.verified = self.verified.saturating_add(misses.len() as u64);
        for (d, ok) in misses.iter().zip(fresh) {
            self.answers.insert(key::<P>(d), ok);
        }
        deposits
            .iter()
            .map(|d| self.get::<P>(d).unwrap_or(false))
            .collect()
    }

    /// Bound the memory: past `KEEP_LIMIT` answers keep those for the first `window` entries
    /// of `queue` only (a dropped answer is recomputed if ever needed: same result).
    pub fn trim<P: Preset>(&mut self, queue: &[PendingDeposit]) {
        if self.answers.len() <= KEEP_LIMIT {
            return;
        }
        let front: std::collections::HashSet<Key> =
            queue.iter().take(window::<P>()).map(key::<P>).collect();
        self.answers.retain(|k, _| front.contains(k));
    }
}

/// Fresh entropy for batch verification's random scalars, from std's OS-seeded hasher keys.
fn batch_seed(deposits: &[&PendingDeposit]) -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut seed = [0u8; 32];
    for (k, chunk) in seed.chunks_mut(8).enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(k);
        for d in deposits {
            h.write(d.signature.as_bytes());
        }
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    seed
}

/// electra § is_valid_deposit_signature for many deposits at once: one batch verification
/// (random linear combination) per rayon half; a failing half is checked set by set.
/// Same answers as checking each alone (a batch passes only if every set verifies).
pub fn valid_deposit_signatures<P: Preset>(deposits: &[&PendingDeposit]) -> Vec<bool> {
    use rayon::prelude::*;
    if deposits.len() <= 1 {
        return deposits
            .iter()
            .map(|d| {
                is_valid_deposit_signature::<P>(
                    &d.pubkey,
                    d.withdrawal_credentials,
                    d.amount,
                    &d.signature,
                )
            })
            .collect();
    }
    let domain = compute_domain(DOMAIN_DEPOSIT, P::GENESIS_FORK_VERSION, Root::ZERO);
    let roots: Vec<Root> = deposits
        .iter()
        .map(|d| {
            let message = DepositMessage {
                pubkey: d.pubkey,
                withdrawal_credentials: d.withdrawal_credentials,
                amount: d.amount,
            };
            compute_signing_root(&message, domain)
        })
        .collect();
    let seed = batch_seed(deposits);
    let half = deposits.len().div_ceil(2);
    let check = |lo: usize, hi: usize| -> Vec<bool> {
        let ds = deposits.get(lo..hi).unwrap_or_default();
        let rs = roots.get(lo..hi).unwrap_or_default();
        let sets: Vec<(BlsPubkey, &[u8], BlsSignature)> = ds
            .iter()
            .zip(rs)
            .map(|(d, r)| (d.pubkey, r.as_slice(), d.signature))
            .collect();
        if bls::batch_verify(&sets, seed) {
            vec![true; sets.len()]
        } else {
            sets.par_iter()
                .map(|(pk, m, sig)| bls::verify(pk, m, sig))
                .collect()
        }
    };
    let (a, b) = rayon::join(|| check(0, half), || check(half, deposits.len()));
    [a, b].concat()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::crypto::bls::Keypair;
    use crate::{Mainnet, Minimal};

    fn deposit(key: &Keypair, amount: Gwei, good: bool) -> PendingDeposit {
        let domain = compute_domain(DOMAIN_DEPOSIT, Minimal::GENESIS_FORK_VERSION, Root::ZERO);
        let signed = DepositMessage {
            pubkey: key.pubkey,
            withdrawal_credentials: Root::repeat_byte(1),
            amount: if good {
                amount
            } else {
                amount.saturating_add(1)
            },
        };
        PendingDeposit {
            pubkey: key.pubkey,
            withdrawal_credentials: Root::repeat_byte(1),
            amount,
            signature: key.sign(compute_signing_root(&signed, domain).as_slice()),
            slot: 0,
        }
    }

    /// Same answers as the spec function (good, bad, a pubkey twice with different
    /// amounts); answers are reused, and keyed by the fork version too.
    #[test]
    fn cached_answers_equal_the_spec_function() {
        let keys: Vec<Keypair> = (1u8..4)
            .map(|i| Keypair::from_ikm(&[i; 32]).unwrap())
            .collect();
        let ds = [
            deposit(&keys[0], 32, true),
            deposit(&keys[1], 32, false),
            deposit(&keys[0], 7, true),
            deposit(&keys[2], 1, true),
            deposit(&keys[0], 7, false),
        ];
        let refs: Vec<&PendingDeposit> = ds.iter().collect();
        let spec: Vec<bool> = ds
            .iter()
            .map(|d| {
                is_valid_deposit_signature::<Minimal>(
                    &d.pubkey,
                    d.withdrawal_credentials,
                    d.amount,
                    &d.signature,
                )
            })
            .collect();
        assert_eq!(spec, vec![true, false, true, true, false]);
        let mut c = DepositSignatures::default();
        assert_eq!(c.check::<Minimal>(&refs), spec);
        assert_eq!(c.verified(), 5);
        assert_eq!(c.check::<Minimal>(&refs[1..3]), spec[1..3]);
        assert_eq!(c.verified(), 5, "answers are reused");
        assert_eq!(c.get::<Minimal>(&ds[1]), Some(false));
        // Mainnet's genesis fork version gives another domain: not answered yet, and invalid.
        assert_eq!(c.get::<Mainnet>(&ds[0]), None);
        assert_eq!(c.check::<Mainnet>(&refs[..1]), vec![false]);
        c.trim::<Minimal>(&ds);
        assert_eq!(c.len(), 6);
    }
}
