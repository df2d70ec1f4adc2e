//! The next sync committee's draw, computed in the epoch before its period boundary.
//!
//! At a boundary, electra § get_next_sync_committee_indices costs three things (mainnet-2026,
//! 975k active, 2 threads): the shuffle's source hashes (90 rounds x 3.8k blocks), ~46k
//! candidates x 90 rounds of position steps, and 512 KeyValidates (~37 ms of one core); together
//! 50-60 ms of the step's ~61 ms. Only the acceptance test reads anything the boundary epoch
//! changes (effective balances). The rest is fixed earlier:
//! - a candidate's shuffled position and random value are a pure function of
//!   (seed, active count): `draw_for` hands them out only when both match the boundary's;
//! - the seed `get_seed(next_epoch, DOMAIN_SYNC_COMMITTEE)` reads the randao mix of
//!   `next_epoch - 2`, final once the epoch before the boundary begins;
//! - the active set at `next_epoch` is fixed by then too: activation and exit epochs are only
//!   ever set to `compute_activation_exit_epoch(current) = current + 5` or later;
//! - KeyValidate is a pure function of the pubkey: the committee drawn with the present
//!   effective balances is validated ahead (`validated` answers only for the same pubkey at the
//!   same index), and the boundary validates only members that differ.
//!
//! So nothing here can change a result: a stale or wrong lookahead is a miss, and the boundary
//! computes what is missing. A node runs this in idle time during the epoch before the boundary;
//! the fast engine runs it when it enters that epoch (the end of `process_epoch_fast`) or builds
//! its caches in it, and reports its time apart (`elapsed`).

use crate::crypto::bls::key_validate;
use crate::error::{ensure, Result};
use crate::fast::epoch::sync_committee::{
    draw_batch, draw_until_full, expected_candidates, ShuffledIndex,
};
use crate::helpers::accessors::get_seed;
use crate::helpers::math::{add, div};
use crate::helpers::predicates::is_active_validator;
use crate::preset::consts::DOMAIN_SYNC_COMMITTEE;
use crate::preset::Preset;
use crate::types::{BeaconState, BlsPubkey, Epoch, Root, ValidatorIndex};
use blst::min_pk::PublicKey;
use rayon::prelude::*;
use std::time::{Duration, Instant};

/// The most candidates the lookahead draws (10 bytes each: 10 MB). mainnet-2026 needs ~28k.
const LOOKAHEAD_CAP: u64 = 1 << 20;

/// The draw's inputs for the first candidates of one (seed, active count), and the validated
/// keys of the committee they give with the present effective balances.
#[derive(Debug, Clone, Default)]
pub struct SyncLookahead {
    /// The boundary epoch (a period's first) this was computed for.
    pub(crate) next_epoch: Epoch,
    seed: Root,
    index_count: u64,
    /// Shuffled positions of candidates `0..len`.
    positions: Vec<u64>,
    /// Random values of candidates `0..len`.
    random_values: Vec<u16>,
    /// KeyValidated keys of the predicted committee, sorted by index.
    keys: Vec<(ValidatorIndex, BlsPubkey, PublicKey)>,
    /// Candidates drawn (shuffled position and random value computed), the margin included,
    /// before the record was cut to `positions.len()`: a deterministic count of its work.
    drawn: u64,
    /// Wall time of `compute`.
    elapsed: Duration,
}

/// The lookahead's candidates for one (seed, active count).
pub(crate) struct Draw<'a> {
    pub positions: &'a [u64],
    pub random_values: &'a [u16],
}

impl SyncLookahead {
    /// The draw for `next_epoch` from `state` in the epoch before it, or `None` if there is
    /// nothing to draw from (no active validator, or an error the boundary itself will meet).
    /// `within`: sorted indices that hold every validator active at `next_epoch` (the live
    /// set: reading 1M records instead of 2M took ~20 ms off on mainnet-2026), or `None` for the
    /// whole registry. Were it to miss one, the active count differs and the boundary misses.
    pub fn compute<P: Preset>(
        state: &BeaconState<P>,
        next_epoch: Epoch,
        within: Option<&[u32]>,
    ) -> Option<Self> {
        let t = Instant::now();
        let mut lookahead = Self::compute_inner(state, next_epoch, within).ok()?;
        lookahead.elapsed = t.elapsed();
        Some(lookahead)
    }

    fn compute_inner<P: Preset>(
        state: &BeaconState<P>,
        next_epoch: Epoch,
        within: Option<&[u32]>,
    ) -> Result<Self> {
        const WHAT: &str = "sync committee lookahead";
        let active_at = |i: &u32| {
            state
                .validators
                .get(*i as usize)
                .is_some_and(|v| is_active_validator(v, next_epoch))
        };
        // Indices past u32 (the fast engine's index width) are left out: the count then
        // differs from the boundary's, a miss.
        let active: Vec<u32> = match within {
            Some(within) => within.par_iter().copied().filter(active_at).collect(),
            None => (0..u32::try_from(state.validators.len()).unwrap_or(u32::MAX))
                .into_par_iter()
                .filter(active_at)
                .collect(),
        };
        let index_count = active.len() as u64;
        ensure(
            index_count > 0,
            "sync committee lookahead: no active validators",
        )?;
        let seed = get_seed(state, next_epoch, DOMAIN_SYNC_COMMITTEE)?;
        let mut shuffled = ShuffledIndex::new(index_count, seed, P::SHUFFLE_ROUND_COUNT)?;
        shuffled.fill_all();
        // Draw as the boundary would with the present effective balances, then a margin for
        // the balances the boundary epoch moves (hysteresis changes a few per epoch; each
        // rejected former member costs on average one committee seat's worth of candidates).
        let expected = expected_candidates(state, &active);
        let batch = expected.saturating_add(expected / 4).clamp(1024, 1 << 20);
        let (mut positions, mut random_values) = (Vec::new(), Vec::new());
        let mut committee = Vec::with_capacity(P::SYNC_COMMITTEE_SIZE as usize);
        // The spec's loop ends only once the committee is full: on balances that accept
        // (almost) nobody it runs on. The lookahead stops at LOOKAHEAD_CAP candidates instead
        // and keeps a short draw, which the boundary continues with its own balances.
        let (needed, mut drawn) = draw_until_full::<P>(
            state,
            &active,
            &mut shuffled,
            (0, batch, LOOKAHEAD_CAP),
            &mut committee,
            Some((&mut positions, &mut random_values)),
        )?;
        // Margin: an eighth of the candidates needed, at least 1,024, past those drawn.
        let want = add(needed, div(needed, 8, WHAT)?.max(1024), WHAT)?.min(LOOKAHEAD_CAP);
        if want > positions.len() as u64 {
            let start = positions.len() as u64;
            let (p, r) = draw_batch(&mut shuffled, start, want.saturating_sub(start))?;
            drawn = drawn.saturating_add(p.len() as u64);
            positions.extend_from_slice(&p);
            random_values.extend_from_slice(&r);
        }
        positions.truncate(want as usize);
        random_values.truncate(want as usize);
        // The predicted members' keys, validated in parallel; an invalid key is left to the
        // boundary, where it makes the transition invalid.
        let mut members = committee;
        members.sort_unstable();
        members.dedup();
        let keys = members
            .par_iter()
            .filter_map(|&i| {
                let pubkey = state.validators.get(i as usize)?.pubkey;
                Some((i, pubkey, key_validate(&pubkey).ok()?))
            })
            .collect();
        Ok(SyncLookahead {
            next_epoch,
            seed,
            index_count,
            positions,
            random_values,
            keys,
            drawn,
            elapsed: Duration::ZERO,
        })
    }

    /// The precomputed candidates if they are those of (seed, index_count).
    pub(crate) fn draw_for(&self, seed: Root, index_count: u64) -> Option<Draw<'_>> {
        (self.seed == seed && self.index_count == index_count).then_some(Draw {
            positions: &self.positions,
            random_values: &self.random_values,
        })
    }

    /// The validated key of `pubkey` if it was validated here as validator `index`'s.
    pub(crate) fn validated(&self, index: ValidatorIndex, pubkey: &BlsPubkey) -> Option<PublicKey> {
        let at = self.keys.binary_search_by_key(&index, |k| k.0).ok()?;
        let (_, known, key) = self.keys.get(at)?;
        (known == pubkey).then_some(*key)
    }

    /// The boundary epoch this draw is for.
    pub fn next_epoch(&self) -> Epoch {
        self.next_epoch
    }

    /// Candidates drawn ahead.
    pub fn candidates(&self) -> usize {
        self.positions.len()
    }

    /// Keys validated ahead.
    pub fn validated_keys(&self) -> usize {
        self.keys.len()
    }

    /// Candidates drawn (the work of the draw, deterministic; `candidates` is what it kept).
    pub fn drawn(&self) -> u64 {
        self.drawn
    }

    /// Wall time of the computation.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Bytes held on the heap.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of_val(self.positions.as_slice())
            .saturating_add(std::mem::size_of_val(self.random_values.as_slice()))
            .saturating_add(std::mem::size_of_val(self.keys.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects
    )]
    use super::*;
    use crate::crypto::bls::Keypair;
    use crate::epoch::process_sync_committee_updates::get_next_sync_committee_indices as spec;
    use crate::epoch::tests::test_state;
    use crate::fast::epoch::sync_committee::get_next_sync_committee_indices as fast;
    use crate::helpers::accessors::get_active_validator_indices;
    use crate::{Mainnet, Minimal};

    /// `n` validators at the last epoch of a period, effective balances from 1 to 2048 ETH
    /// (biased low, so candidates are rejected), a non-zero randao mix.
    fn boundary_state<P: Preset>(n: usize, salt: u64) -> BeaconState<P> {
        let epoch = 3 * P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD - 1;
        let mut state = test_state::<P>(n, epoch);
        let mut x = salt.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        for v in state.validators.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v.effective_balance =
                [1u64, 16, 32, 32, 64, 512, 2048][(x % 7) as usize] * 1_000_000_000;
        }
        for (k, mix) in state.randao_mixes.iter_mut().enumerate() {
            *mix = Root::repeat_byte((k as u8) ^ (salt as u8));
        }
        state
    }

    fn next_active<P: Preset>(state: &BeaconState<P>) -> (Epoch, Vec<u32>) {
        let next = crate::helpers::accessors::get_current_epoch(state) + 1;
        let active = get_active_validator_indices(state, next);
        (next, active.iter().map(|&i| i as u32).collect())
    }

    fn check<P: Preset>(n: usize, salt: u64) {
        let mut state = boundary_state::<P>(n, salt);
        let (next, active) = next_active(&state);
        let l = SyncLookahead::compute(&state, next, None).unwrap();
        let seed = get_seed(&state, next, DOMAIN_SYNC_COMMITTEE).unwrap();
        assert!(l.draw_for(seed, active.len() as u64).is_some());
        assert!(l.candidates() >= P::SYNC_COMMITTEE_SIZE as usize);
        let want = spec(&state).unwrap();
        assert_eq!(fast(&state, next, &active, Some(&l)).unwrap(), want);
        assert_eq!(fast(&state, next, &active, None).unwrap(), want);

        // The boundary epoch moves effective balances: the lookahead still hits, and only
        // acceptance reads the new ones.
        for (k, v) in state.validators.iter_mut().enumerate() {
            if k % 3 == 0 {
                v.effective_balance = if v.effective_balance > 32_000_000_000 {
                    1_000_000_000
                } else {
                    2_048_000_000_000
                };
            }
        }
        let want = spec(&state).unwrap();
        assert_ne!(
            fast(&state, next, &active, None).unwrap(),
            fast(&boundary_state::<P>(n, salt), next, &active, None).unwrap()
        );
        assert_eq!(fast(&state, next, &active, Some(&l)).unwrap(), want);

        // A lookahead that falls short: the boundary draws the rest.
        let mut short = l.clone();
        short.positions.truncate(7);
        short.random_values.truncate(7);
        assert_eq!(fast(&state, next, &active, Some(&short)).unwrap(), want);

        // Another active count (a state the lookahead was not computed from): a miss.
        state.validators[1].exit_epoch = next;
        let (_, active) = next_active(&state);
        assert!(l.draw_for(seed, active.len() as u64).is_none());
        assert_eq!(
            fast(&state, next, &active, Some(&l)).unwrap(),
            spec(&state).unwrap()
        );

        // Another seed: a miss.
        let other = SyncLookahead::compute(&boundary_state::<P>(n, salt + 1), next, None).unwrap();
        assert!(other.draw_for(seed, active.len() as u64).is_none());
        assert_eq!(
            fast(&state, next, &active, Some(&other)).unwrap(),
            spec(&state).unwrap()
        );
    }

    /// Balances that accept nobody: the lookahead stops at its cap instead of looping, and
    /// the boundary (with balances that accept again) still gives the spec's committee.
    #[test]
    fn lookahead_stops_at_its_cap_on_balances_that_accept_nobody() {
        let mut state = boundary_state::<Minimal>(64, 7);
        for v in state.validators.iter_mut() {
            v.effective_balance = 0;
        }
        let (next, active) = next_active(&state);
        let l = SyncLookahead::compute(&state, next, None).unwrap();
        assert_eq!(l.candidates() as u64, LOOKAHEAD_CAP);
        assert_eq!(l.validated_keys(), 0);
        for v in state.validators.iter_mut() {
            v.effective_balance = 32_000_000_000;
        }
        assert_eq!(
            fast(&state, next, &active, Some(&l)).unwrap(),
            spec(&state).unwrap()
        );
    }

    #[test]
    fn lookahead_draw_equals_the_spec_function() {
        for salt in 0..4 {
            check::<Minimal>(100 + 37 * salt as usize, salt);
        }
        check::<Mainnet>(2000, 9);
    }

    #[test]
    fn validated_keys_only_for_the_same_pubkey_and_index() {
        let mut state = boundary_state::<Minimal>(48, 3);
        let keys: Vec<Keypair> = (0..48u8)
            .map(|i| Keypair::from_ikm(&[i.wrapping_add(1); 32]).unwrap())
            .collect();
        for (v, k) in state.validators.iter_mut().zip(&keys) {
            v.pubkey = k.pubkey;
        }
        // One member with an invalid key (pubkeys do not take part in the draw): never
        // cached, so the boundary meets it.
        let members = spec(&state).unwrap();
        let bad = members[0];
        state.validators[bad as usize].pubkey = BlsPubkey::from([0x11u8; 48]);
        let (next, _) = next_active(&state);
        let l = SyncLookahead::compute(&state, next, None).unwrap();
        assert_eq!(spec(&state).unwrap(), members);
        let mut distinct = members.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let valid = distinct.iter().filter(|&&i| i != bad).count();
        assert_eq!(l.validated_keys(), valid);
        for &i in &distinct {
            let pubkey = state.validators[i as usize].pubkey;
            let got = l.validated(i, &pubkey);
            if i == bad {
                assert!(got.is_none());
            } else {
                assert_eq!(got, Some(key_validate(&pubkey).unwrap()));
                let other = state.validators[((i + 1) % 48) as usize].pubkey;
                assert!(l.validated(i, &other).is_none());
            }
        }
    }
}
