//! The incremental root against `tree_hash` of the plain state: after every reference epoch step,
//! after seeded random mutations of every field kind, and fast `process_slots` against the
//! reference one.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use crate::epoch::epoch_steps;
use crate::epoch::tests::test_state;
use crate::fast::slots::{process_slots, process_slots_with, reference_epoch};
use crate::fast::TrackedState;
use crate::preset::Preset;
use crate::types::*;
use crate::{Mainnet, Minimal};
use ssz_types::VariableList;
use tree_hash::TreeHash;

/// xorshift64*: deterministic, seeded.
/// xorshift64*, for seeded test data (also used by `leaves`' tests).
pub(super) struct Rng(pub(super) u64);
impl Rng {
    pub(super) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn root(&mut self) -> Root {
        let mut b = [0u8; 32];
        for c in b.chunks_mut(8) {
            c.copy_from_slice(&self.next().to_le_bytes());
        }
        Root::from(b)
    }
}

/// `test_state` with varied balances, flags, scores, exits, history and queues, so the epoch
/// steps change many fields.
fn varied_state<P: Preset>(n: usize, epoch: u64, seed: u64) -> BeaconState<P> {
    let mut rng = Rng(seed);
    let mut s = test_state::<P>(n, epoch);
    for i in 0..n {
        s.balances[i] = 31_000_000_000 + rng.next() % 3_000_000_000;
        s.previous_epoch_participation[i] = (rng.next() % 8) as u8;
        s.current_epoch_participation[i] = (rng.next() % 8) as u8;
        s.inactivity_scores[i] = rng.next() % 50;
    }
    if n < 8 {
        return s;
    }
    s.balances[1] = 15_000_000_000; // ejected
    s.validators[2].withdrawal_credentials.0[0] = 0x02; // compounding
    s.balances[2] = 40_000_000_000;
    for i in 0..P::SLOTS_PER_HISTORICAL_ROOT as usize {
        s.block_roots[i] = rng.root();
        s.state_roots[i] = rng.root();
    }
    for i in 0..P::EPOCHS_PER_HISTORICAL_VECTOR as usize {
        s.randao_mixes[i] = rng.root();
    }
    s.slashings[0] = 64_000_000_000;
    for i in 0..5 {
        s.pending_deposits
            .push(PendingDeposit {
                pubkey: s.validators[i].pubkey,
                withdrawal_credentials: s.validators[i].withdrawal_credentials,
                amount: 1_000_000_000,
                signature: BlsSignature::default(),
                slot: 0,
            })
            .unwrap();
    }
    s.pending_partial_withdrawals
        .push(PendingPartialWithdrawal {
            validator_index: 3,
            amount: 1,
            withdrawable_epoch: 0,
        })
        .unwrap();
    s.pending_consolidations
        .push(PendingConsolidation {
            source_index: 4,
            target_index: 2,
        })
        .unwrap();
    s.historical_summaries
        .push(HistoricalSummary {
            block_summary_root: rng.root(),
            state_summary_root: rng.root(),
        })
        .unwrap();
    s.eth1_data_votes.push(Eth1Data::default()).unwrap();
    s
}

fn check<P: Preset>(t: &mut TrackedState<P>, what: &str) {
    let want = t.state().tree_hash_root();
    let got = t.hash_tree_root();
    if got != want {
        let fresh = TrackedState::new(t.state().clone()).field_roots();
        let warm = t.field_roots();
        let bad: Vec<usize> = (0..37).filter(|&i| fresh[i] != warm[i]).collect();
        panic!("{what}: root {got} != {want}; fields differing (0-based): {bad:?}");
    }
}

fn every_step<P: Preset>(mut state: BeaconState<P>, epochs: usize) {
    let mut t = TrackedState::new(state.clone());
    check(&mut t, "cold");
    check(&mut t, "warm, unchanged");
    for e in 0..epochs {
        for (name, step) in epoch_steps::<P>() {
            step(&mut state).unwrap();
            t.with_state_mut(step).unwrap();
            assert_eq!(t.state(), &state);
            check(&mut t, &format!("epoch {e}, after {name}"));
        }
        t.with_state_mut(|s| s.slot += P::SLOTS_PER_EPOCH);
        state.slot += P::SLOTS_PER_EPOCH;
        check(&mut t, &format!("epoch {e}, slot advanced"));
    }
}

#[test]
fn root_after_every_epoch_step_minimal() {
    // From epoch 1 for 6 epochs: no sync-committee period boundary (the test keys are not points).
    every_step(varied_state::<Minimal>(200, 1, 1), 6);
}

#[test]
fn root_after_every_epoch_step_mainnet() {
    every_step(varied_state::<Mainnet>(300, 5, 2), 3);
}

/// One random mutation of a random field kind, through the tracked API.
fn mutate<P: Preset>(t: &mut TrackedState<P>, rng: &mut Rng) {
    let n = t.state().validators.len();
    match rng.below(24) {
        0 | 1 => {
            let i = rng.below(n);
            let v = t.validator_mut(i).unwrap();
            match rng.below(6) {
                0 => v.effective_balance = rng.next(),
                1 => v.slashed = !v.slashed,
                2 => v.exit_epoch = rng.next(),
                3 => v.withdrawable_epoch = rng.next(),
                4 => v.withdrawal_credentials = rng.root(),
                _ => v.activation_epoch = rng.next(),
            }
        }
        2 => {
            let mut v = t.state().validators[rng.below(n)].clone();
            v.pubkey.0[10] ^= rng.next() as u8;
            t.push_validator(v).unwrap();
            let f = t.fields_mut();
            f.balances.push(rng.next()).unwrap();
            f.previous_epoch_participation.push(1).unwrap();
            f.current_epoch_participation.push(2).unwrap();
            f.inactivity_scores.push(rng.next() % 9).unwrap();
        }
        3 => {
            let f = t.fields_mut();
            let len = f.balances.len();
            for _ in 0..rng.below(40).min(len) {
                let i = rng.below(len);
                f.balances[i] = rng.next();
            }
        }
        4 => {
            // Every balance (the epoch's pattern).
            for b in t.fields_mut().balances.iter_mut() {
                *b = b.wrapping_add(1);
            }
        }
        5 => {
            let f = t.fields_mut();
            if let Some(p) = f.current_epoch_participation.get_mut(rng.below(n)) {
                *p ^= 1 << rng.below(3);
            }
        }
        6 => {
            // Rotation: previous = current, current = zeros.
            let f = t.fields_mut();
            *f.previous_epoch_participation = f.current_epoch_participation.clone();
            for p in f.current_epoch_participation.iter_mut() {
                *p = 0;
            }
        }
        7 => {
            let f = t.fields_mut();
            if let Some(s) = f.inactivity_scores.get_mut(rng.below(n)) {
                *s = rng.next();
            }
        }
        8 => {
            // Truncate the per-validator u64/u8 lists (not the registry: the API cannot shrink it).
            let f = t.fields_mut();
            let keep = rng.below(f.balances.len() + 1);
            let b: Vec<u64> = f.balances.iter().copied().take(keep).collect();
            *f.balances = VariableList::new(b).unwrap();
            let keep = rng.below(f.inactivity_scores.len() + 1);
            let s: Vec<u64> = f.inactivity_scores.iter().copied().take(keep).collect();
            *f.inactivity_scores = VariableList::new(s).unwrap();
            let keep = rng.below(f.previous_epoch_participation.len() + 1);
            let p: Vec<u8> = f
                .previous_epoch_participation
                .iter()
                .copied()
                .take(keep)
                .collect();
            *f.previous_epoch_participation = VariableList::new(p).unwrap();
        }
        9 => {
            let f = t.fields_mut();
            let i = rng.below(P::SLOTS_PER_HISTORICAL_ROOT as usize);
            f.block_roots[i] = rng.root();
            let j = rng.below(P::SLOTS_PER_HISTORICAL_ROOT as usize);
            f.state_roots[j] = rng.root();
        }
        10 => {
            let f = t.fields_mut();
            let i = rng.below(P::EPOCHS_PER_HISTORICAL_VECTOR as usize);
            f.randao_mixes[i] = rng.root();
            let j = rng.below(P::EPOCHS_PER_SLASHINGS_VECTOR as usize);
            f.slashings[j] = rng.next();
        }
        11 => {
            let r = rng.root();
            t.fields_mut().historical_roots.push(r).unwrap();
        }
        12 => {
            let f = t.fields_mut();
            if rng.below(4) == 0 {
                *f.eth1_data_votes = Default::default();
            } else {
                let _ = f.eth1_data_votes.push(Eth1Data {
                    deposit_root: Root::ZERO,
                    deposit_count: rng.next(),
                    block_hash: Root::ZERO,
                });
            }
        }
        13 => {
            let s = HistoricalSummary {
                block_summary_root: rng.root(),
                state_summary_root: rng.root(),
            };
            t.fields_mut().historical_summaries.push(s).unwrap();
        }
        14 => {
            let f = t.fields_mut();
            for _ in 0..rng.below(30) {
                f.pending_deposits
                    .push(PendingDeposit {
                        pubkey: BlsPubkey::default(),
                        withdrawal_credentials: Root::ZERO,
                        amount: rng.next(),
                        signature: BlsSignature::default(),
                        slot: rng.next() % 3,
                    })
                    .unwrap();
            }
        }
        15 => {
            // Drain from the front, postpone a few to the back (process_pending_deposits).
            let f = t.fields_mut();
            let len = f.pending_deposits.len();
            let k = rng.below(len + 1);
            let postponed: Vec<PendingDeposit> = f
                .pending_deposits
                .iter()
                .take(k)
                .take(rng.below(3))
                .cloned()
                .collect();
            // As the fast step does it: the head moves, the tail stays (and at times compacts).
            f.pending_deposits.drop_front(k);
            f.pending_deposits.extend(postponed).unwrap();
        }
        16 => {
            let f = t.fields_mut();
            if rng.below(3) == 0 {
                let v: Vec<_> = f
                    .pending_partial_withdrawals
                    .iter()
                    .skip(1)
                    .cloned()
                    .collect();
                *f.pending_partial_withdrawals = VariableList::new(v).unwrap();
            } else {
                let _ = f
                    .pending_partial_withdrawals
                    .push(PendingPartialWithdrawal {
                        validator_index: rng.next(),
                        amount: rng.next(),
                        withdrawable_epoch: rng.next(),
                    });
            }
        }
        17 => {
            let f = t.fields_mut();
            if rng.below(3) == 0 {
                let v: Vec<_> = f.pending_consolidations.iter().skip(2).cloned().collect();
                *f.pending_consolidations = VariableList::new(v).unwrap();
            } else {
                let _ = f.pending_consolidations.push(PendingConsolidation {
                    source_index: rng.next(),
                    target_index: rng.next(),
                });
            }
        }
        18 => {
            let f = t.fields_mut();
            *f.slot += 1;
            *f.genesis_time = rng.next();
            *f.eth1_deposit_index = rng.next();
            *f.earliest_exit_epoch = rng.next();
            *f.deposit_balance_to_consume = rng.next();
        }
        19 => {
            let f = t.fields_mut();
            f.fork.epoch = rng.next();
            f.latest_block_header.state_root = rng.root();
            f.eth1_data.deposit_count = rng.next();
            *f.genesis_validators_root = rng.root();
        }
        20 => {
            let f = t.fields_mut();
            f.justification_bits.set(rng.below(4), true).unwrap();
            f.finalized_checkpoint.epoch = rng.next();
            f.current_justified_checkpoint.root = rng.root();
            f.previous_justified_checkpoint.epoch = rng.next();
        }
        21 => {
            let f = t.fields_mut();
            let i = rng.below(P::SYNC_COMMITTEE_SIZE as usize);
            f.next_sync_committee.pubkeys[i].0[0] ^= 1;
            if rng.below(2) == 0 {
                *f.current_sync_committee = f.next_sync_committee.clone();
            }
        }
        22 => {
            let f = t.fields_mut();
            f.latest_execution_payload_header.block_number = rng.next();
            f.latest_execution_payload_header.extra_data =
                VariableList::new(vec![7u8; rng.below(32)]).unwrap();
            *f.next_withdrawal_index = rng.next();
            *f.earliest_consolidation_epoch = rng.next();
        }
        _ => {
            // Code written against &mut BeaconState (marks every validator changed).
            let i = rng.below(n);
            t.with_state_mut(|s| s.validators[i].exit_epoch = 3);
        }
    }
}

fn random_rounds<P: Preset>(seed: u64, n: usize, rounds: usize) {
    let mut rng = Rng(seed);
    let mut t = TrackedState::new(varied_state::<P>(n, 3, seed));
    check(&mut t, "cold");
    for round in 0..rounds {
        for _ in 0..=rng.below(4) {
            mutate(&mut t, &mut rng);
        }
        // Taking the public change record must not make the root stale.
        if rng.below(5) == 0 {
            let _ = t.take_changes();
        }
        check(&mut t, &format!("seed {seed} round {round}"));
        // A clone carries its own cache: both continue independently.
        if round % 97 == 50 {
            let mut c = t.clone();
            mutate(&mut c, &mut rng);
            check(&mut c, "clone");
        }
    }
}

#[test]
fn random_mutations_minimal() {
    for seed in 1..=4 {
        random_rounds::<Minimal>(seed, 150, 400);
    }
}

#[test]
fn random_mutations_mainnet() {
    random_rounds::<Mainnet>(9, 100, 300);
}

#[test]
fn random_mutations_from_empty_registry_lists() {
    // Lists that start empty and grow (every push goes through the mix-in and new groups).
    let mut rng = Rng(77);
    let mut t = TrackedState::new(varied_state::<Minimal>(1, 1, 5));
    check(&mut t, "cold");
    for round in 0..200 {
        mutate(&mut t, &mut rng);
        if rng.below(2) == 0 {
            let v = t.state().validators[0].clone();
            t.push_validator(v).unwrap();
        }
        check(&mut t, &format!("round {round}"));
    }
}

fn fast_slots_equal_reference<P: Preset>(state: BeaconState<P>, boundaries: u64) {
    let mut reference = state.clone();
    let mut t = TrackedState::new(state);
    let mut slot = reference.slot;
    // A few slots at a time, through several boundaries, comparing after each call.
    let end = slot + boundaries * P::SLOTS_PER_EPOCH + 1;
    // The first call runs several slots: the header written by its first slot must reach the
    // second slot's root (the quick path).
    let mut step = 3;
    while slot < end {
        slot = (slot + step).min(end);
        crate::slots::process_slots(&mut reference, slot).unwrap();
        process_slots(&mut t, slot).unwrap();
        assert_eq!(t.state(), &reference, "state at slot {slot}");
        assert_eq!(
            t.hash_tree_root(),
            reference.tree_hash_root(),
            "root at {slot}"
        );
        step = step % 5 + 1;
        // A caller's change between two calls (no root taken after it): the next call's first
        // slot must see it.
        let i = (slot as usize * 7) % reference.balances.len();
        reference.balances[i] += 1;
        t.fields_mut().balances[i] += 1;
        if slot % 3 == 0 {
            reference.validators[i].effective_balance -= 1_000_000_000;
            t.validator_mut(i).unwrap().effective_balance -= 1_000_000_000;
        }
        // As after a block: the header's state root is zero again, so the next call's first
        // slot fills it and its second slot's root must include it.
        reference.latest_block_header.state_root = Root::ZERO;
        reference.latest_block_header.slot = slot;
        *t.fields_mut().latest_block_header = reference.latest_block_header.clone();
    }
}

#[test]
fn fast_process_slots_equals_reference_minimal() {
    fast_slots_equal_reference(varied_state::<Minimal>(200, 1, 3), 5);
}

#[test]
fn fast_process_slots_equals_reference_mainnet() {
    fast_slots_equal_reference(varied_state::<Mainnet>(128, 4, 4), 2);
}

#[test]
fn process_slots_rejects_the_past_and_takes_an_epoch_fn() {
    let mut t = TrackedState::new(varied_state::<Minimal>(16, 2, 6));
    let s = t.state().slot;
    assert!(process_slots(&mut t, s).is_err());
    fn failing(_: &mut TrackedState<Minimal>) -> crate::error::Result<()> {
        Err(crate::error::Error::Assert("epoch"))
    }
    // The state is at an epoch's last slot: the next slot runs the epoch function.
    assert_eq!(
        process_slots_with(&mut t, s + 1, failing),
        Err(crate::error::Error::Assert("epoch"))
    );
    let mut u = TrackedState::new(varied_state::<Minimal>(16, 2, 6));
    process_slots_with(&mut u, s + 1, reference_epoch).unwrap();
    assert_eq!(u.state().slot, s + 1);
}

#[test]
fn packed_cache_random_lengths_and_values() {
    let mut rng = Rng(5);
    for base in 0..4u32 {
        let mut c = super::PackedCache::<u64>::new(base, 1 << 20);
        let mut d: Vec<u64> = (0..100).collect();
        for round in 0..500 {
            match rng.below(4) {
                0 => d.truncate(rng.below(d.len() + 1)),
                1 => {
                    for _ in 0..rng.below(70) {
                        d.push(rng.next())
                    }
                }
                _ => {
                    for _ in 0..rng.below(5) {
                        if !d.is_empty() {
                            let i = rng.below(d.len());
                            d[i] = rng.next();
                        }
                    }
                }
            }
            let l: VariableList<u64, typenum::U1048576> = VariableList::new(d.clone()).unwrap();
            let want = l.tree_hash_root().0;
            let got = super::hash::mix_in_length(&c.root(&d), d.len());
            assert_eq!(got, want, "base {base} round {round} len {}", d.len());
        }
    }
}

/// A packed list's cached root against `tree_hash` through the changes an epoch makes at scale:
/// long lists (the parallel compare and rebuild), runs of zero groups (hashed as constants),
/// sparse and dense edits, a reset to all zeros, growth and truncation.
fn packed_cache_at_scale<T, N>(base: u32, mut value: impl FnMut(&mut Rng) -> T)
where
    T: super::leaves::Packed + TreeHash + std::fmt::Debug,
    N: typenum::Unsigned + Clone + Send + Sync,
{
    let mut rng = Rng(11 + u64::from(base));
    let mut c = super::PackedCache::<T>::new(base, N::to_usize());
    let len = 150_000usize;
    // Zero and non-zero stretches, as withdrawn and active validators interleave.
    let mut d: Vec<T> = (0..len)
        .map(|i| {
            if (i / 700) % 3 == 0 {
                T::default()
            } else {
                value(&mut rng)
            }
        })
        .collect();
    for round in 0..12 {
        match round % 6 {
            0 => {}
            1 => {
                for _ in 0..rng.below(40) {
                    let i = rng.below(d.len());
                    d[i] = value(&mut rng);
                }
            }
            2 => d.iter_mut().step_by(3).for_each(|e| *e = value(&mut rng)),
            3 => d.iter_mut().for_each(|e| *e = T::default()),
            4 => {
                let n = rng.below(5_000);
                for _ in 0..n {
                    d.push(value(&mut rng));
                }
            }
            _ => d.truncate(d.len() - rng.below(3_000)),
        }
        let l: VariableList<T, N> = VariableList::new(d.clone()).unwrap();
        let want = l.tree_hash_root().0;
        let got = super::hash::mix_in_length(&c.root(&d), d.len());
        assert_eq!(got, want, "base {base} round {round} len {}", d.len());
    }
}

#[test]
fn packed_cache_at_scale_u64_u8_and_roots() {
    for base in [0, 2] {
        packed_cache_at_scale::<u64, typenum::U1099511627776>(base, |r| r.next() % 3);
    }
    packed_cache_at_scale::<u8, typenum::U1099511627776>(1, |r| (r.next() % 8) as u8);
    packed_cache_at_scale::<Root, typenum::U16777216>(1, |r| Root::repeat_byte(r.next() as u8));
}
