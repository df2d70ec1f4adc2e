//! Differential tests of the fast epoch transition (`maxeb_core::fast::epoch`) against the
//! spec-literal reference (`maxeb_core::epoch::process_epoch`): byte-identical SSZ and equal
//! roots, on seeded random small states biased to the edges, over consecutive epochs with the
//! caches carried across (spec-reachable block-level changes written between epochs), and on
//! the official `pre_epoch` states.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

mod common;

use common::Rng;
use maxeb_core::crypto::bls::Keypair;
use maxeb_core::epoch::process_epoch;
use maxeb_core::fast::cache::FastCaches;
use maxeb_core::fast::epoch::{process_epoch_fast, EpochConfig};
use maxeb_core::fast::TrackedState;
use maxeb_core::helpers::misc::{compute_domain, compute_signing_root};
use maxeb_core::helpers::predicates::is_active_validator;
use maxeb_core::preset::consts::{DOMAIN_DEPOSIT, FAR_FUTURE_EPOCH};
use maxeb_core::types::*;
use maxeb_core::{Minimal, Preset};
use ssz::Encode;
use ssz_types::{BitVector, FixedVector, VariableList};
use std::sync::OnceLock;
use tree_hash::TreeHash;

type P = Minimal;
const ETH: u64 = 1_000_000_000;
/// Validators in a generated state draw keys 0..MAX_N; new deposits draw from the rest.
const MAX_N: usize = 120;
const KEYS: usize = MAX_N + 40;

fn keys() -> &'static [Keypair] {
    static K: OnceLock<Vec<Keypair>> = OnceLock::new();
    K.get_or_init(|| {
        (0..KEYS)
            .map(|i| {
                let mut ikm = [7u8; 32];
                ikm[..8].copy_from_slice(&(i as u64).to_le_bytes());
                Keypair::from_ikm(&ikm).unwrap()
            })
            .collect()
    })
}

fn pick<T: Copy>(r: &mut Rng, xs: &[T]) -> T {
    xs[r.below(xs.len())]
}

fn credentials(r: &mut Rng) -> Root {
    let mut wc = r.array::<32>();
    wc[0] = pick(r, &[0x00, 0x01, 0x02, 0x02]);
    Root::from(wc)
}

fn signed_deposit(key: &Keypair, wc: Root, amount: u64, good: bool, slot: u64) -> PendingDeposit {
    let msg = DepositMessage {
        pubkey: key.pubkey,
        withdrawal_credentials: wc,
        amount,
    };
    let domain = compute_domain(DOMAIN_DEPOSIT, P::GENESIS_FORK_VERSION, Root::ZERO);
    // A bad signature: the right key over another amount.
    let signed = DepositMessage {
        amount: if good { amount } else { amount + 1 },
        ..msg
    };
    PendingDeposit {
        pubkey: key.pubkey,
        withdrawal_credentials: wc,
        amount,
        signature: key.sign(compute_signing_root(&signed, domain).as_slice()),
        slot,
    }
}

/// A balance near `eb`'s hysteresis thresholds (or anywhere).
fn balance_near(r: &mut Rng, eb: u64) -> u64 {
    let down = ETH / 4;
    let up = ETH / 4 * 5;
    match r.below(8) {
        0 => eb,
        1 => eb.saturating_sub(down),
        2 => eb.saturating_sub(down + 1),
        3 => eb + up,
        4 => eb + up + 1,
        5 => 0,
        _ => (eb + r.next() % (3 * ETH)).saturating_sub(r.next() % (3 * ETH)),
    }
}

/// A random small state at the last slot of its epoch, biased to the edges.
fn gen_state(seed: u64) -> BeaconState<P> {
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let keys = keys();
    let n = 24 + r.below(MAX_N - 24);
    let e: u64 = 12 + r.below(60) as u64; // current epoch
    let finalized = e - 1 - r.below(8) as u64; // delay > 4: inactivity leak
    let half_window = P::EPOCHS_PER_SLASHINGS_VECTOR / 2;
    let mut validators = Vec::new();
    let mut balances = Vec::new();
    let mut prev = Vec::new();
    let mut cur = Vec::new();
    let mut scores = Vec::new();
    for key in keys.iter().take(n) {
        let wc = credentials(&mut r);
        let max = if wc.0[0] == 0x02 {
            2048 * ETH
        } else {
            32 * ETH
        };
        let mut eb = pick(
            &mut r,
            &[
                0,
                ETH,
                16 * ETH,
                17 * ETH,
                31 * ETH,
                32 * ETH,
                33 * ETH,
                64 * ETH,
                2048 * ETH,
            ],
        )
        .min(max);
        if r.below(10) == 0 {
            eb = 33 * ETH; // above the credentials' maximum
        }
        let mut v = Validator {
            pubkey: key.pubkey,
            withdrawal_credentials: wc,
            effective_balance: eb,
            slashed: false,
            activation_eligibility_epoch: r.below(e as usize) as u64,
            activation_epoch: r.below(e as usize) as u64,
            exit_epoch: FAR_FUTURE_EPOCH,
            withdrawable_epoch: FAR_FUTURE_EPOCH,
        };
        let mut bal = balance_near(&mut r, eb);
        match r.below(12) {
            0..=3 => {}                                                                   // active
            4 => v.effective_balance = pick(&mut r, &[15 * ETH, 16 * ETH, 16 * ETH + 1]), // ejection
            5 => {
                // exiting or exited, not withdrawable yet
                v.exit_epoch = e - 3 + r.below(8) as u64;
                v.withdrawable_epoch = v.exit_epoch + pick(&mut r, &[1, 4, 256]);
            }
            6 | 7 => {
                // withdrawn; mostly inert
                v.exit_epoch = e - 2 - r.below(5) as u64;
                v.withdrawable_epoch = pick(&mut r, &[e, e - 1, e + 1, v.exit_epoch + 1]);
                if r.below(3) > 0 {
                    v.effective_balance = 0;
                    bal = 0;
                }
            }
            8 => {
                // slashed, around the slashings window's edge
                v.slashed = true;
                v.exit_epoch = e - 2 + r.below(4) as u64;
                v.withdrawable_epoch = pick(
                    &mut r,
                    &[e + half_window - 1, e + half_window, e + half_window + 1, e],
                );
            }
            9 => {
                // waiting: for the queue, for finality, for activation
                v.activation_epoch = FAR_FUTURE_EPOCH;
                v.activation_eligibility_epoch =
                    pick(&mut r, &[FAR_FUTURE_EPOCH, finalized, finalized + 1, e + 1]);
                v.effective_balance = pick(&mut r, &[31 * ETH, 32 * ETH, 2048 * ETH.min(max)]);
            }
            10 => {
                // withdrawable by the next epoch (consolidation sources, "withdrawn" deposits)
                v.exit_epoch = e - 1;
                v.withdrawable_epoch = e + 1;
            }
            _ => {
                v.activation_epoch = e + 1 + r.below(4) as u64; // activating
            }
        }
        let active = |ep| is_active_validator(&v, ep);
        let flags = |r: &mut Rng, on: bool| if on { r.below(8) as u8 } else { 0 };
        prev.push(flags(&mut r, active(e - 1)));
        cur.push(flags(&mut r, active(e)));
        scores.push(
            pick(&mut r, &[0, 0, 3, 17, 100, 5_000_000]) * u64::from(bal > 0 || r.below(2) == 0),
        );
        balances.push(bal);
        validators.push(v);
    }
    // Pending deposits: top-ups, new validators (good and bad signatures), a repeated new key.
    let finalized_slot = finalized * P::SLOTS_PER_EPOCH;
    let mut deposits = Vec::new();
    for _ in 0..r.below(22) {
        let slot = pick(&mut r, &[0, 0, finalized_slot, finalized_slot + 1]);
        let amount = pick(&mut r, &[ETH, 7 * ETH, 32 * ETH, 40 * ETH, 2048 * ETH]);
        let d = match r.below(4) {
            0 | 1 => {
                let v = &validators[r.below(n)];
                PendingDeposit {
                    pubkey: v.pubkey,
                    withdrawal_credentials: v.withdrawal_credentials,
                    amount,
                    signature: Default::default(),
                    slot,
                }
            }
            k => {
                let key = &keys[MAX_N + r.below(KEYS - MAX_N)];
                signed_deposit(
                    key,
                    credentials(&mut r),
                    amount,
                    k == 2 || r.below(4) > 0,
                    slot,
                )
            }
        };
        deposits.push(d);
    }
    let mut consolidations = Vec::new();
    for _ in 0..r.below(6) {
        consolidations.push(PendingConsolidation {
            source_index: r.below(n) as u64,
            target_index: r.below(n) as u64,
        });
    }
    let committee = |r: &mut Rng| SyncCommittee::<P> {
        pubkeys: FixedVector::new(
            (0..P::SYNC_COMMITTEE_SIZE)
                .map(|_| validators[r.below(n)].pubkey)
                .collect(),
        )
        .unwrap(),
        aggregate_pubkey: keys[0].pubkey,
    };
    let current_sync_committee = committee(&mut r);
    let next_sync_committee = committee(&mut r);
    let mut bits = BitVector::new();
    for i in 0..4 {
        bits.set(i, r.below(2) == 1).unwrap();
    }
    let roots = |r: &mut Rng, k: usize| {
        (0..k)
            .map(|_| Root::from(r.array::<32>()))
            .collect::<Vec<_>>()
    };
    let mut slashings = vec![0u64; P::EPOCHS_PER_SLASHINGS_VECTOR as usize];
    for _ in 0..r.below(4) {
        let i = r.below(slashings.len());
        slashings[i] = pick(&mut r, &[ETH, 32 * ETH, 1000 * ETH]);
    }
    let justified = finalized + r.below((e - finalized) as usize) as u64;
    let bridge_done = r.below(2) == 0;
    BeaconState {
        genesis_time: 0,
        genesis_validators_root: Root::from(r.array::<32>()),
        slot: (e + 1) * P::SLOTS_PER_EPOCH - 1,
        fork: Fork::default(),
        latest_block_header: BeaconBlockHeader::default(),
        block_roots: FixedVector::new(roots(&mut r, P::SLOTS_PER_HISTORICAL_ROOT as usize))
            .unwrap(),
        state_roots: FixedVector::new(roots(&mut r, P::SLOTS_PER_HISTORICAL_ROOT as usize))
            .unwrap(),
        historical_roots: VariableList::default(),
        eth1_data: Eth1Data::default(),
        eth1_data_votes: VariableList::new(vec![Eth1Data::default(); r.below(3)]).unwrap(),
        eth1_deposit_index: 10,
        validators: VariableList::new(validators).unwrap(),
        balances: VariableList::new(balances).unwrap(),
        randao_mixes: FixedVector::new(roots(&mut r, P::EPOCHS_PER_HISTORICAL_VECTOR as usize))
            .unwrap(),
        slashings: FixedVector::new(slashings).unwrap(),
        previous_epoch_participation: VariableList::new(prev).unwrap(),
        current_epoch_participation: VariableList::new(cur).unwrap(),
        justification_bits: bits,
        previous_justified_checkpoint: Checkpoint {
            epoch: justified.saturating_sub(r.below(2) as u64),
            root: Root::from(r.array::<32>()),
        },
        current_justified_checkpoint: Checkpoint {
            epoch: justified,
            root: Root::from(r.array::<32>()),
        },
        finalized_checkpoint: Checkpoint {
            epoch: finalized,
            root: Root::from(r.array::<32>()),
        },
        inactivity_scores: VariableList::new(scores).unwrap(),
        current_sync_committee,
        next_sync_committee,
        latest_execution_payload_header: ExecutionPayloadHeader::default(),
        next_withdrawal_index: 0,
        next_withdrawal_validator_index: 0,
        historical_summaries: VariableList::default(),
        deposit_requests_start_index: if bridge_done { 0 } else { u64::MAX },
        deposit_balance_to_consume: pick(&mut r, &[0, 0, 5 * ETH, 100 * ETH]),
        exit_balance_to_consume: pick(&mut r, &[0, ETH, 64 * ETH]),
        earliest_exit_epoch: pick(&mut r, &[0, e + 5, e + 9]),
        consolidation_balance_to_consume: 0,
        earliest_consolidation_epoch: 0,
        pending_deposits: QueueList::new(deposits).unwrap(),
        pending_partial_withdrawals: VariableList::default(),
        pending_consolidations: VariableList::new(consolidations).unwrap(),
    }
}

/// Spec-reachable block-level changes between two epochs, written to both states: the slot
/// moves to the next epoch's last slot; attestations set flags of validators active in their
/// epoch; a sync-committee member (possibly withdrawn) is rewarded; deposit and consolidation
/// requests join the queues (a top-up may name an inert validator).
fn between_epochs(r: &mut Rng, reference: &mut BeaconState<P>, fast: &mut TrackedState<P>) {
    let edit = |s: &mut BeaconState<P>, r: &mut Rng| {
        s.slot += P::SLOTS_PER_EPOCH;
        let e = s.slot / P::SLOTS_PER_EPOCH;
        let n = s.validators.len();
        for i in 0..n {
            if r.below(3) > 0 && is_active_validator(&s.validators[i], e) {
                s.current_epoch_participation[i] |= r.below(8) as u8;
            }
            if r.below(4) == 0 && is_active_validator(&s.validators[i], e - 1) {
                s.previous_epoch_participation[i] |= r.below(8) as u8;
            }
        }
        let member = s.current_sync_committee.pubkeys[r.below(P::SYNC_COMMITTEE_SIZE as usize)];
        if let Some(i) = s.validators.iter().position(|v| v.pubkey == member) {
            s.balances[i] += 1 + r.next() % 100_000;
        }
        if r.below(2) == 0 {
            let v = &s.validators[r.below(n)];
            let d = PendingDeposit {
                pubkey: v.pubkey,
                withdrawal_credentials: v.withdrawal_credentials,
                amount: pick(r, &[ETH, 32 * ETH]),
                signature: Default::default(),
                slot: 0,
            };
            s.pending_deposits.push(d).unwrap();
        }
        // A deposit for a new key (or a repeated one), signature good or bad: the carried
        // verified-signature cache misses on it and must give the spec's answer.
        if r.below(3) == 0 {
            let key = &keys()[MAX_N + r.below(KEYS - MAX_N)];
            let wc = credentials(r);
            let good = r.below(3) > 0;
            let d = signed_deposit(key, wc, 32 * ETH, good, 0);
            s.pending_deposits.push(d).unwrap();
        }
        if r.below(3) == 0 {
            let c = PendingConsolidation {
                source_index: r.below(n) as u64,
                target_index: r.below(n) as u64,
            };
            s.pending_consolidations.push(c).unwrap();
        }
    };
    // The same random edits on both: replay the generator.
    let mut r2 = Rng(r.0);
    edit(reference, r);
    let mut copy = fast.state().clone();
    edit(&mut copy, &mut r2);
    // A voluntary exit of an active, settled validator (a record change between epochs: the
    // carried registry view must see it through the tracked state's change record).
    if r.below(2) == 0 {
        let e = reference.slot / P::SLOTS_PER_EPOCH;
        let n = reference.validators.len();
        let i = r.below(n);
        let v = &reference.validators[i];
        if is_active_validator(v, e) && v.exit_epoch == FAR_FUTURE_EPOCH && !v.slashed {
            let exit = e + 1 + P::MAX_SEED_LOOKAHEAD;
            let withdrawable = exit + P::MIN_VALIDATOR_WITHDRAWABILITY_DELAY;
            for w in [
                &mut reference.validators[i],
                &mut copy.validators[i],
                fast.validator_mut(i).unwrap(),
            ] {
                w.exit_epoch = exit;
                w.withdrawable_epoch = withdrawable;
            }
        }
    }
    // Mirror the edits into the tracked state through its API: slot, flags, balances, queues.
    let f = fast.fields_mut();
    *f.slot = copy.slot;
    *f.current_epoch_participation = copy.current_epoch_participation;
    *f.previous_epoch_participation = copy.previous_epoch_participation;
    *f.balances = copy.balances;
    *f.pending_deposits = copy.pending_deposits;
    *f.pending_consolidations = copy.pending_consolidations;
    assert!(fast.state() == reference, "between-epoch edits diverged");
}

fn same(a: &BeaconState<P>, b: &BeaconState<P>) -> bool {
    a.as_ssz_bytes() == b.as_ssz_bytes() && a.tree_hash_root() == b.tree_hash_root()
}

/// What the compared epochs exercised (so the generator cannot silently stop covering an edge).
#[derive(Debug, Default)]
struct Coverage {
    ejections: usize,
    activations: usize,
    queued: usize,
    effective_balance_changes: usize,
    slashing_penalties: usize,
    new_validators: usize,
    deposits_applied: usize,
    consolidations_applied: usize,
    leak_epochs: usize,
    finalizations: usize,
    pruned: usize,
    /// Deposit signatures the carried cache had to verify in an epoch (misses).
    signature_misses: usize,
    /// Period boundaries reached with the carried caches holding the next committee's draw.
    sync_lookaheads: usize,
}

fn cover(c: &mut Coverage, pre: &BeaconState<P>, post: &BeaconState<P>) {
    for (a, b) in pre.validators.iter().zip(post.validators.iter()) {
        c.ejections += usize::from(a.exit_epoch != b.exit_epoch);
        c.activations += usize::from(a.activation_epoch != b.activation_epoch);
        c.queued += usize::from(a.activation_eligibility_epoch != b.activation_eligibility_epoch);
        c.effective_balance_changes += usize::from(a.effective_balance != b.effective_balance);
    }
    let e = pre.slot / P::SLOTS_PER_EPOCH;
    let target = e + P::EPOCHS_PER_SLASHINGS_VECTOR / 2;
    c.slashing_penalties += pre
        .validators
        .iter()
        .filter(|v| v.slashed && v.withdrawable_epoch == target)
        .count()
        * usize::from(pre.slashings.iter().any(|x| *x > 0));
    c.new_validators += post.validators.len() - pre.validators.len();
    c.deposits_applied += usize::from(post.pending_deposits.len() < pre.pending_deposits.len());
    c.consolidations_applied +=
        usize::from(post.pending_consolidations.len() < pre.pending_consolidations.len());
    c.leak_epochs += usize::from(e - 1 - post.finalized_checkpoint.epoch > 4);
    c.finalizations += usize::from(post.finalized_checkpoint != pre.finalized_checkpoint);
}

/// Run `epochs` consecutive epochs on both paths with the caches carried across. Returns how
/// many epochs succeeded on both (they must agree on failure too).
fn run_both(seed: u64, mut reference: BeaconState<P>, epochs: usize, c: &mut Coverage) -> usize {
    let mut r = Rng(seed ^ 0x5555);
    let mut caches = FastCaches::build(&reference).unwrap();
    let mut fast = TrackedState::new(reference.clone());
    for epoch in 0..epochs {
        let live_before = caches.live_len();
        let verified_before = caches.deposit_signatures().verified();
        if epoch % 2 == 1 {
            // A warm root cache, then a slot's writes to the root vectors: what the fast
            // epoch reads from that cache (historical summaries) must see them.
            fast.hash_tree_root();
            let i = r.below(P::SLOTS_PER_HISTORICAL_ROOT as usize);
            let (b, s) = (Root::from(r.array::<32>()), Root::from(r.array::<32>()));
            reference.block_roots[i] = b;
            reference.state_roots[i] = s;
            let f = fast.fields_mut();
            f.block_roots[i] = b;
            f.state_roots[i] = s;
        }
        let next_epoch = reference.slot / P::SLOTS_PER_EPOCH + 1;
        c.sync_lookaheads += usize::from(
            caches
                .sync_lookahead()
                .is_some_and(|l| l.next_epoch() == next_epoch && l.candidates() > 0),
        );
        let pre = reference.clone();
        let want = process_epoch(&mut reference);
        let got = process_epoch_fast(&mut fast, &mut caches, &EpochConfig::all());
        match (&want, &got) {
            (Ok(()), Ok(())) => {}
            (Err(_), Err(_)) => return epoch,
            _ => panic!("seed {seed} epoch {epoch}: reference {want:?}, fast {got:?}"),
        }
        if !same(fast.state(), &reference) {
            let d = first_difference(fast.state(), &reference);
            panic!("seed {seed} epoch {epoch}: states differ ({d})");
        }
        cover(c, &pre, &reference);
        c.pruned += live_before.saturating_sub(caches.live_len());
        c.signature_misses += (caches.deposit_signatures().verified() - verified_before) as usize;
        between_epochs(&mut r, &mut reference, &mut fast);
        caches
            .check_tracked(&fast)
            .unwrap_or_else(|e| panic!("seed {seed} epoch {epoch}: carried caches: {e}"));
    }
    epochs
}

fn first_difference(a: &BeaconState<P>, b: &BeaconState<P>) -> String {
    for i in 0..a.validators.len().max(b.validators.len()) {
        if a.validators.get(i) != b.validators.get(i) {
            return format!(
                "validator {i}: {:?} vs {:?}",
                a.validators.get(i),
                b.validators.get(i)
            );
        }
        if a.balances.get(i) != b.balances.get(i) {
            return format!(
                "balance {i}: {:?} vs {:?}",
                a.balances.get(i),
                b.balances.get(i)
            );
        }
        if a.inactivity_scores.get(i) != b.inactivity_scores.get(i) {
            return format!("inactivity score {i}");
        }
        if a.current_epoch_participation.get(i) != b.current_epoch_participation.get(i)
            || a.previous_epoch_participation.get(i) != b.previous_epoch_participation.get(i)
        {
            return format!("participation {i}");
        }
    }
    let fields = [
        (
            "finalized",
            a.finalized_checkpoint == b.finalized_checkpoint,
        ),
        (
            "justified",
            a.current_justified_checkpoint == b.current_justified_checkpoint,
        ),
        ("pending_deposits", a.pending_deposits == b.pending_deposits),
        (
            "pending_consolidations",
            a.pending_consolidations == b.pending_consolidations,
        ),
        ("sync", a.next_sync_committee == b.next_sync_committee),
        (
            "exit queue",
            (a.earliest_exit_epoch, a.exit_balance_to_consume)
                == (b.earliest_exit_epoch, b.exit_balance_to_consume),
        ),
        (
            "deposit churn",
            a.deposit_balance_to_consume == b.deposit_balance_to_consume,
        ),
    ];
    fields
        .iter()
        .filter(|(_, eq)| !eq)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// 200 generated states, 6 epochs each, caches carried.
#[test]
fn fast_equals_reference_on_generated_states() {
    let mut full_runs = 0;
    let mut epochs = 0;
    let mut boundaries = 0;
    let mut c = Coverage::default();
    for seed in 0..200 {
        let state = gen_state(seed);
        let e0 = state.slot / P::SLOTS_PER_EPOCH;
        let done = run_both(seed, state, 6, &mut c);
        epochs += done;
        full_runs += usize::from(done == 6);
        boundaries += (e0..e0 + done as u64)
            .filter(|e| (e + 1) % P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD == 0)
            .count();
    }
    eprintln!("{full_runs} of 200 runs completed 6 epochs; {epochs} epochs compared, {boundaries} at a sync committee period boundary");
    // The generator must mostly produce valid transitions, or the comparison says little.
    assert!(full_runs >= 150, "only {full_runs} runs went 6 epochs");
    assert!(boundaries >= 50);
    eprintln!("{c:?}");
    let Coverage {
        ejections,
        activations,
        queued,
        effective_balance_changes,
        slashing_penalties,
        new_validators,
        deposits_applied,
        consolidations_applied,
        leak_epochs,
        finalizations,
        pruned,
        signature_misses,
        sync_lookaheads,
    } = c;
    for (what, k) in [
        ("ejections", ejections),
        ("activations", activations),
        ("queued", queued),
        ("effective balance changes", effective_balance_changes),
        ("slashing penalties", slashing_penalties),
        ("new validators", new_validators),
        ("deposits applied", deposits_applied),
        ("consolidations applied", consolidations_applied),
        ("leak epochs", leak_epochs),
        ("finalizations", finalizations),
        ("validators pruned from the live set", pruned),
        ("deposit signatures verified in an epoch", signature_misses),
        ("boundaries with the draw computed ahead", sync_lookaheads),
    ] {
        assert!(k >= 10, "generator covers too few {what}: {k}");
    }
}

/// The live set really shrinks to the validators an epoch can change, and a carried set keeps
/// them through a top-up of an inert validator (it must re-enter and get its balance).
#[test]
fn inert_validator_reenters_on_top_up() {
    let mut state = gen_state(7);
    let e = state.slot / P::SLOTS_PER_EPOCH;
    // Make validator 0 inert and not a sync committee member.
    let v0 = state.validators[0].pubkey;
    for k in state
        .current_sync_committee
        .pubkeys
        .iter_mut()
        .chain(state.next_sync_committee.pubkeys.iter_mut())
    {
        if *k == v0 {
            *k = state.validators[1].pubkey;
        }
    }
    let v = &mut state.validators[0];
    v.activation_epoch = 0;
    v.exit_epoch = e - 3;
    v.withdrawable_epoch = e - 1;
    v.effective_balance = 0;
    v.withdrawal_credentials.0[0] = 0x01;
    state.balances[0] = 0;
    state.previous_epoch_participation[0] = 0;
    state.current_epoch_participation[0] = 0;
    state.pending_deposits = QueueList::default();
    state.pending_consolidations = VariableList::default();
    let caches = FastCaches::build(&state).unwrap();
    assert!(!caches.live().contains(&0), "validator 0 should be inert");
    assert!(caches.live_len() < state.validators.len());
    let mut reference = state.clone();
    let mut fast = TrackedState::new(state);
    let mut caches = caches;
    process_epoch(&mut reference).unwrap();
    process_epoch_fast(&mut fast, &mut caches, &EpochConfig::all()).unwrap();
    assert!(same(fast.state(), &reference));
    // A top-up (already finalized, slot 0) for the inert validator, then another epoch.
    let top_up = PendingDeposit {
        pubkey: v0,
        withdrawal_credentials: reference.validators[0].withdrawal_credentials,
        amount: 40 * ETH,
        signature: Default::default(),
        slot: 0,
    };
    reference.slot += P::SLOTS_PER_EPOCH;
    reference.pending_deposits.push(top_up.clone()).unwrap();
    let f = fast.fields_mut();
    *f.slot += P::SLOTS_PER_EPOCH;
    f.pending_deposits.push(top_up).unwrap();
    process_epoch(&mut reference).unwrap();
    process_epoch_fast(&mut fast, &mut caches, &EpochConfig::all()).unwrap();
    assert!(same(fast.state(), &reference));
    assert_eq!(fast.state().balances[0], 40 * ETH);
    assert_eq!(fast.state().validators[0].effective_balance, 32 * ETH);
    assert!(caches.live().contains(&0));
}

/// Balance sums past uint64: every validator active and unslashed since genesis (the fast
/// scan's settled path) with an effective balance a few times below u64::MAX / n, so the
/// total overflows while each validator's own arithmetic need not. The spec's transition is
/// invalid at `get_total_balance`; the fast path must fail there too, not wrap or saturate into
/// another result.
#[test]
fn balance_sums_past_u64_fail_on_both_paths() {
    let (mut failures, mut successes) = (0, 0);
    for (seed, per) in [(3u64, 2u64), (5, 3), (8, 1), (13, 8), (21, 2)] {
        let mut reference = gen_state(seed);
        let n = reference.validators.len() as u64;
        for v in reference.validators.iter_mut() {
            v.activation_eligibility_epoch = 0;
            v.activation_epoch = 0;
            v.exit_epoch = FAR_FUTURE_EPOCH;
            v.withdrawable_epoch = FAR_FUTURE_EPOCH;
            v.slashed = false;
            // `per` validators' worth of u64::MAX spread over n: overflows for per >= 2.
            v.effective_balance = (u64::MAX / n).saturating_mul(per) / ETH * ETH;
        }
        let mut caches = FastCaches::build(&reference).unwrap();
        let mut fast = TrackedState::new(reference.clone());
        let want = process_epoch(&mut reference);
        let got = process_epoch_fast(&mut fast, &mut caches, &EpochConfig::all());
        // The same error too: the first invalid step in the spec's order is the sum.
        assert_eq!(want, got, "seed {seed}");
        if want.is_ok() {
            assert!(same(fast.state(), &reference));
            successes += 1;
        } else {
            failures += 1;
        }
    }
    assert!(
        failures >= 3,
        "overflowing totals must make the transition invalid"
    );
    eprintln!("{failures} invalid, {successes} valid");
}

/// Caches prepared for another epoch, or invalidated, are rebuilt: a state edited arbitrarily
/// (not by spec processing) still gives the reference result after `invalidate`.
#[test]
fn stale_caches_are_rebuilt() {
    let state = gen_state(11);
    let mut caches = FastCaches::build(&state).unwrap();
    let mut reference = state.clone();
    let mut fast = TrackedState::new(state);
    if process_epoch(&mut reference).is_err() {
        return;
    }
    process_epoch_fast(&mut fast, &mut caches, &EpochConfig::all()).unwrap();
    // Arbitrary edit: a withdrawn validator's balance and flags (no block could do this).
    let edit = |s: &mut BeaconState<P>| {
        s.slot += P::SLOTS_PER_EPOCH;
        for i in 0..s.validators.len() {
            s.balances[i] += 3 * ETH;
            s.current_epoch_participation[i] = 0b111;
        }
    };
    edit(&mut reference);
    fast.with_state_mut(edit);
    caches.invalidate();
    let want = process_epoch(&mut reference);
    let got = process_epoch_fast(&mut fast, &mut caches, &EpochConfig::all());
    assert_eq!(want.is_ok(), got.is_ok());
    if want.is_ok() {
        assert!(same(fast.state(), &reference));
    }
    // Caches prepared for epoch E+1 used on a state still at E are rebuilt, not trusted.
    let mut again = fast.state().clone();
    let mut caches2 = caches.clone();
    let mut t = TrackedState::new(again.clone());
    assert_ne!(
        caches2.prepared_epoch(),
        Some(again.slot / P::SLOTS_PER_EPOCH)
    );
    let want = process_epoch(&mut again);
    let got = process_epoch_fast(&mut t, &mut caches2, &EpochConfig::all());
    assert_eq!(want.is_ok(), got.is_ok());
    if want.is_ok() {
        assert!(same(t.state(), &again));
    }
}

/// Every official `pre_epoch` state: three consecutive epochs, fast vs reference, caches
/// carried (the slot advanced by one epoch between them).
#[test]
fn fast_equals_reference_on_official_pre_epoch_states() {
    fn walk<Q: Preset>(root: &std::path::Path) -> (usize, usize) {
        let dir = root.join(format!("tests/{}/electra/epoch_processing", Q::NAME));
        let (mut cases, mut epochs) = (0, 0);
        for handler in std::fs::read_dir(&dir).unwrap() {
            let suite = handler.unwrap().path().join("pyspec_tests");
            for case in std::fs::read_dir(&suite).unwrap() {
                let path = case.unwrap().path().join("pre_epoch.ssz_snappy");
                if !path.is_file() {
                    continue;
                }
                let state: BeaconState<Q> = maxeb_core::io::read_state(&path).unwrap();
                cases += 1;
                let mut caches = match FastCaches::build(&state) {
                    Ok(c) => c,
                    Err(_) => continue,
                };
                let mut reference = state.clone();
                let mut fast = TrackedState::new(state);
                for k in 0..3 {
                    let want = process_epoch(&mut reference);
                    let got = process_epoch_fast(&mut fast, &mut caches, &EpochConfig::all());
                    assert_eq!(
                        want.is_ok(),
                        got.is_ok(),
                        "{} epoch {k}: {want:?} vs {got:?}",
                        path.display()
                    );
                    if want.is_err() {
                        break;
                    }
                    assert!(
                        fast.state().as_ssz_bytes() == reference.as_ssz_bytes()
                            && fast.state().tree_hash_root() == reference.tree_hash_root(),
                        "{} epoch {k}: states differ",
                        path.display()
                    );
                    epochs += 1;
                    reference.slot += Q::SLOTS_PER_EPOCH;
                    *fast.fields_mut().slot += Q::SLOTS_PER_EPOCH;
                }
            }
        }
        (cases, epochs)
    }
    let root = common::vectors_root();
    let (c1, e1) = walk::<Minimal>(&root);
    let (c2, e2) = walk::<maxeb_core::Mainnet>(&root);
    eprintln!(
        "official pre_epoch states: {} cases, {} epochs compared",
        c1 + c2,
        e1 + e2
    );
    assert!(c1 > 100 && c2 > 100, "too few pre_epoch states found");
}
