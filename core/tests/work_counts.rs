//! Deterministic work counts (`maxeb_core::work`, `EpochTimings::work`): exact node-hash counts
//! of the fast root's helpers and of incremental roots, and the same counts for the same state
//! run to run and on one or two rayon threads (roots, the epoch, 32 slots, a sync-committee
//! boundary and its lookahead).
//!
//! The counters are process-wide: every test here takes `LOCK` so no two count at once.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    clippy::arithmetic_side_effects
)]

use maxeb_core::crypto::bls::Keypair;
use maxeb_core::fast::epoch::{EpochTimings, EpochWork};
use maxeb_core::fast::root::hash::{merkle_nodes, merkleize_into, NodeHashes};
use maxeb_core::fast::root::leaves::{validator_group_roots, ElemRoots};
use maxeb_core::fast::root::tree::Layers;
use maxeb_core::fast::{FastEngine, TrackedState};
use maxeb_core::preset::consts::FAR_FUTURE_EPOCH;
use maxeb_core::types::*;
use maxeb_core::work::{snapshot, Work};
use maxeb_core::{Minimal, Preset};
use ssz_types::{BitVector, FixedVector, VariableList};
use std::sync::Mutex;
use tree_hash::TreeHash;

type P = Minimal;
const ETH: u64 = 1_000_000_000;

static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> std::sync::MutexGuard<'static, ()> {
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// The work `f` did, and its result.
fn counted<R>(f: impl FnOnce() -> R) -> (Work, R) {
    let before = snapshot();
    let r = f();
    (snapshot().since(&before), r)
}

/// `f` on a fresh rayon pool of `threads` threads.
fn on_threads<R: Send>(threads: usize, f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// Only node hashes, `n` of them.
fn hashes(n: u64) -> Work {
    Work {
        node_hashes: n,
        ..Work::default()
    }
}

/// `ceil(log2(n))`: the levels above `n` nodes up to one.
fn levels_above(n: usize) -> u64 {
    let mut k = 0;
    while (1usize << k) < n {
        k += 1;
    }
    k
}

fn validator(pubkey: BlsPubkey, effective_balance: u64) -> Validator {
    let mut wc = [0u8; 32];
    wc[0] = 0x01;
    Validator {
        pubkey,
        withdrawal_credentials: Root::from(wc),
        effective_balance,
        slashed: false,
        activation_eligibility_epoch: 0,
        activation_epoch: 0,
        exit_epoch: FAR_FUTURE_EPOCH,
        withdrawable_epoch: FAR_FUTURE_EPOCH,
    }
}

/// A state at `epoch`'s last slot with one validator per key, varied balances and flags, some
/// exiting or below the ejection balance, and a few queued deposits and consolidations.
fn state(pubkeys: &[BlsPubkey], epoch: u64) -> BeaconState<P> {
    let n = pubkeys.len();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut validators = Vec::with_capacity(n);
    let mut balances = Vec::with_capacity(n);
    let mut prev = Vec::with_capacity(n);
    let mut cur = Vec::with_capacity(n);
    for (i, pk) in pubkeys.iter().enumerate() {
        let eb = if i % 97 == 5 { 16 * ETH } else { 32 * ETH };
        let mut v = validator(*pk, eb);
        if i % 131 == 7 {
            v.exit_epoch = epoch + 2;
            v.withdrawable_epoch = epoch + 10;
        }
        validators.push(v);
        balances.push(eb - ETH / 2 + next() % ETH);
        prev.push((next() % 8) as u8);
        cur.push((next() % 8) as u8);
    }
    let mut pending_deposits = QueueList::default();
    for i in 0..3 {
        pending_deposits
            .push(PendingDeposit {
                pubkey: pubkeys[i],
                withdrawal_credentials: validators[i].withdrawal_credentials,
                amount: ETH,
                signature: BlsSignature::default(),
                slot: 0,
            })
            .unwrap();
    }
    let pending_consolidations = VariableList::new(vec![PendingConsolidation {
        source_index: 7,
        target_index: 8,
    }])
    .unwrap();
    BeaconState {
        genesis_time: 0,
        genesis_validators_root: Root::ZERO,
        slot: (epoch + 1) * P::SLOTS_PER_EPOCH - 1,
        fork: Fork::default(),
        latest_block_header: BeaconBlockHeader::default(),
        block_roots: FixedVector::default(),
        state_roots: FixedVector::default(),
        historical_roots: VariableList::default(),
        eth1_data: Eth1Data::default(),
        eth1_data_votes: VariableList::default(),
        eth1_deposit_index: 0,
        validators: VariableList::new(validators).unwrap(),
        balances: VariableList::new(balances).unwrap(),
        randao_mixes: FixedVector::default(),
        slashings: FixedVector::default(),
        previous_epoch_participation: VariableList::new(prev).unwrap(),
        current_epoch_participation: VariableList::new(cur).unwrap(),
        justification_bits: BitVector::new(),
        previous_justified_checkpoint: Checkpoint::default(),
        current_justified_checkpoint: Checkpoint::default(),
        finalized_checkpoint: Checkpoint {
            epoch: epoch - 1,
            root: Root::ZERO,
        },
        inactivity_scores: VariableList::new(vec![0; n]).unwrap(),
        current_sync_committee: SyncCommittee::default(),
        next_sync_committee: SyncCommittee::default(),
        latest_execution_payload_header: ExecutionPayloadHeader::default(),
        next_withdrawal_index: 0,
        next_withdrawal_validator_index: 0,
        historical_summaries: VariableList::default(),
        deposit_requests_start_index: u64::MAX,
        deposit_balance_to_consume: 0,
        exit_balance_to_consume: 0,
        earliest_exit_epoch: 0,
        consolidation_balance_to_consume: 0,
        earliest_consolidation_epoch: 0,
        pending_deposits,
        pending_partial_withdrawals: VariableList::default(),
        pending_consolidations,
    }
}

/// Distinct placeholder keys (never decompressed off a sync-committee boundary).
fn fake_pubkeys(n: usize) -> Vec<BlsPubkey> {
    (0..n as u64)
        .map(|i| {
            let mut pk = [0u8; 48];
            pk[..8].copy_from_slice(&i.to_le_bytes());
            pk.into()
        })
        .collect()
}

/// A tree of `2^k` chunks costs `2^k - 1` inner nodes; `g` such trees `g` times that.
#[test]
fn merkleize_counts_inner_nodes() {
    let _g = lock();
    for k in 0..=12u32 {
        for groups in [1usize, 3] {
            let chunks = groups << k;
            let input: Vec<u8> = (0..chunks * 32).map(|i| (i * 7 + 1) as u8).collect();
            let mut out = vec![[0u8; 32]; groups];
            let (w, ()) =
                counted(|| merkleize_into(&input, k, &mut out, &mut Vec::new(), &mut Vec::new()));
            assert_eq!(
                w,
                hashes(groups as u64 * ((1u64 << k) - 1)),
                "k {k} x {groups}"
            );
        }
    }
}

/// `Layers` over n nodes hashes what `tree_hash`'s hasher does (`merkle_nodes`: zero subtrees
/// are never hashed), then one node per level from its top to the tree's depth; the same on one
/// thread and two (layers of 2^14 pairs and more are hashed in parallel chunks).
#[test]
fn layers_count_what_tree_hash_counts() {
    let _g = lock();
    assert_eq!(
        [1, 2, 3, 4, 5, 17, 1024].map(merkle_nodes),
        [0, 1, 3, 3, 6, 20, 1023]
    );
    for n in [1usize, 2, 3, 5, 17, 100, 1000, 40_000, 100_003] {
        let nodes: Vec<[u8; 32]> = (0..n).map(|i| [(i % 251) as u8; 32]).collect();
        let depth = 40;
        let run = |threads| {
            on_threads(threads, || {
                let mut tree = Layers::new(0, depth);
                let (built, ()) = counted(|| tree.rebuild(nodes.clone()));
                let (rooted, root) = counted(|| tree.root());
                (built, rooted, root)
            })
        };
        let (built, rooted, root) = run(1);
        assert_eq!(built, hashes(merkle_nodes(n as u64)), "{n} nodes");
        assert_eq!(rooted, hashes(u64::from(depth) - levels_above(n)), "{n}");
        assert_eq!(run(2), (built, rooted, root), "{n} nodes on two threads");
    }
}

/// List elements: pending deposits hashed in batches cost the ten nodes `tree_hash` hashes for
/// each (their `NodeHashes`), and give its roots; elements left to `tree_hash` count its nodes.
#[test]
fn element_roots_count_their_nodes() {
    let _g = lock();
    assert_eq!(PendingDeposit::NODE_HASHES, 10);
    let deposits: Vec<PendingDeposit> = (0..37u8)
        .map(|i| PendingDeposit {
            pubkey: [i; 48].into(),
            withdrawal_credentials: Root::from([i ^ 0x55; 32]),
            amount: u64::from(i) * ETH,
            signature: BlsSignature::default(),
            slot: u64::from(i),
        })
        .collect();
    let refs: Vec<&PendingDeposit> = deposits.iter().collect();
    let mut out = vec![[0u8; 32]; refs.len()];
    let (w, ()) = counted(|| PendingDeposit::roots(&refs, &mut out));
    assert_eq!(w, hashes(37 * PendingDeposit::NODE_HASHES));
    for (d, r) in deposits.iter().zip(&out) {
        assert_eq!(&d.tree_hash_root().0, r);
    }
    let votes = vec![Eth1Data::default(); 5];
    let refs: Vec<&Eth1Data> = votes.iter().collect();
    let mut out = vec![[0u8; 32]; 5];
    let (w, ()) = counted(|| Eth1Data::roots(&refs, &mut out));
    assert_eq!(w, hashes(5 * 3));
}

/// A group of four validators: 1 (key) + 4 (level one) + 2 + 1 nodes each, less the two level-one
/// nodes shared by whole-ETH balances and no exit, then the group's 3 nodes.
#[test]
fn validator_groups_count_their_nodes() {
    let _g = lock();
    let keys = fake_pubkeys(8);
    let shared: Vec<Validator> = keys[..4].iter().map(|k| validator(*k, 32 * ETH)).collect();
    let (w, _) = counted(|| validator_group_roots(&shared, 2, &[0]));
    assert_eq!(w, hashes(4 * (1 + 2 + 2 + 1) + 3));
    let mut own: Vec<Validator> = keys[4..]
        .iter()
        .map(|k| validator(*k, 32 * ETH + 1))
        .collect();
    for v in &mut own {
        v.exit_epoch = 9;
    }
    let (w, _) = counted(|| validator_group_roots(&own, 2, &[0]));
    assert_eq!(w, hashes(4 * (1 + 4 + 2 + 1) + 3));
}

/// Roots of one state: the cold root, a warm root with nothing changed, and warm roots after one
/// balance and after one validator changed, which cost exactly that group and its path up the
/// stored layers more than the unchanged one. All the same on one thread and two, and run to
/// run. (Large enough that the parallel compare, hash and layer paths run.)
#[test]
fn state_root_counts() {
    let _g = lock();
    let n = 70_000;
    let s = state(&fake_pubkeys(n), 5);
    let run = |threads| {
        on_threads(threads, || {
            let mut t = TrackedState::new(s.clone());
            let (cold, root) = counted(|| t.hash_tree_root());
            assert_eq!(root, s.tree_hash_root());
            let (warm, _) = counted(|| t.hash_tree_root());
            t.fields_mut().balances[12_345] += 1;
            let (balance, _) = counted(|| t.hash_tree_root());
            t.validator_mut(777).unwrap().effective_balance -= ETH;
            let (record, _) = counted(|| t.hash_tree_root());
            [cold, warm, balance, record]
        })
    };
    let one = run(1);
    let [cold, warm, balance, record] = one;
    assert!(cold.node_hashes > n as u64 * 6, "{cold:?}");
    assert_eq!(
        Work {
            node_hashes: 0,
            ..cold
        },
        Work::default(),
        "a root does no signature work"
    );
    // Balances: groups of 16; the changed group is 4 chunks (3 nodes) below its path.
    let balance_groups = n.div_ceil(16);
    assert_eq!(
        balance.node_hashes - warm.node_hashes,
        3 + levels_above(balance_groups)
    );
    // Validators: groups of 4 on the shared nodes; the changed record's balance is still whole
    // ETH (31 ETH), so the group costs 4 x 6 + 3.
    let validator_groups = n.div_ceil(4);
    assert_eq!(
        record.node_hashes - warm.node_hashes,
        4 * 6 + 3 + levels_above(validator_groups)
    );
    assert_eq!(run(2), one, "two threads");
    assert_eq!(run(1), one, "run to run");
}

/// The fast epoch and 32 slots: the same `EpochWork` and `Work` on one thread and two, run to
/// run; the scan reads the whole live set and the fused pass one record per live entry.
#[test]
fn epoch_and_slot_counts() {
    let _g = lock();
    let n = 70_000;
    let s = state(&fake_pubkeys(n), 5);
    let run = |threads| {
        on_threads(threads, || {
            let mut e = FastEngine::new(s.clone()).unwrap();
            e.hash_tree_root();
            let live = e.caches().live().len() as u64;
            let mut timings = EpochTimings::default();
            let (epoch_work, ()) = counted(|| e.process_epoch_timed(&mut timings).unwrap());
            // From epoch 1: four epochs short of the first sync-committee boundary (whose
            // placeholder keys would not validate).
            let mut e = FastEngine::new(state(&fake_pubkeys(n), 1)).unwrap();
            e.hash_tree_root();
            let slot = e.state().slot;
            let (slots, ()) = counted(|| {
                e.process_slots(slot + 32).unwrap();
                e.hash_tree_root();
            });
            (live, timings.work, epoch_work, slots)
        })
    };
    let one = run(1);
    let (live, w, _, slots) = one;
    assert_eq!(w.scan, live);
    assert_eq!(w.single_pass, live);
    assert!(
        w.pending_deposits > 0 && w.pending_consolidations > 0,
        "{w:?}"
    );
    assert!(w.registry > 0, "ejections: {w:?}");
    assert_eq!(
        (w.sync_committee, w.sync_committee_tested, w.sync_lookahead),
        (0, 0, 0),
        "no boundary"
    );
    assert!(slots.node_hashes > 0);
    assert_eq!(run(2), one, "two threads");
    assert_eq!(run(1), one, "run to run");
}

/// A sync-committee period: the draw ahead of the boundary (at the end of the epoch before it,
/// or when the caches are built in it), and the boundary itself, which takes the lookahead's
/// candidates and draws none; with real keys (the boundary validates them). Same counts on one
/// thread and two.
#[test]
fn sync_committee_counts() {
    let _g = lock();
    let keys: Vec<BlsPubkey> = (0..64u8)
        .map(|i| Keypair::from_ikm(&[i.wrapping_add(1); 32]).unwrap().pubkey)
        .collect();
    let period = P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD;
    let run = |threads| {
        on_threads(threads, || {
            // Entering the period's last epoch: the epoch before draws ahead.
            let mut before = FastEngine::new(state(&keys, period - 2)).unwrap();
            let mut t = EpochTimings::default();
            before.process_epoch_timed(&mut t).unwrap();
            let ahead = t.work;
            let drawn = before.caches().sync_lookahead().unwrap().drawn();
            // Built in the period's last epoch: the caches draw ahead, the boundary uses it.
            let mut last = FastEngine::new(state(&keys, period - 1)).unwrap();
            let built = last.caches().sync_lookahead().unwrap();
            let built = (built.drawn(), built.candidates() as u64);
            let mut t = EpochTimings::default();
            let (boundary_work, ()) = counted(|| last.process_epoch_timed(&mut t).unwrap());
            (ahead, drawn, built, t.work, boundary_work)
        })
    };
    let one = run(1);
    let (ahead, drawn, (built, kept), boundary, boundary_work): (
        EpochWork,
        u64,
        (u64, u64),
        EpochWork,
        Work,
    ) = one;
    assert!(drawn > 0);
    assert_eq!(ahead.sync_lookahead, drawn);
    assert_eq!((ahead.sync_committee, ahead.sync_committee_tested), (0, 0));
    assert!(built >= kept && kept > 0, "{built} {kept}");
    assert_eq!(boundary.sync_committee, 0, "the lookahead covered the draw");
    assert_eq!(boundary.sync_committee_tested, kept);
    assert_eq!(boundary.sync_lookahead, 0);
    // The new committee's aggregate key: 32 keys summed (31 additions), each validated unless
    // the lookahead already had it.
    assert_eq!(boundary_work.g1_additions, P::SYNC_COMMITTEE_SIZE - 1);
    assert_eq!(boundary_work.pairings, 0);
    assert_eq!(run(2), one, "two threads");
}

/// Signatures: the BLS functions and the epoch-scale paths count as `maxeb_core::work` says
/// (decompressions per key and signature, n - 1 additions per sum of n, one Miller loop per
/// pair with one final exponentiation per check), and the gossip path's own pairing count
/// agrees.
#[test]
fn signature_counts() {
    use maxeb_core::crypto::bls;
    use maxeb_core::sigs::{
        aggregate_committees, verify_aggregates, verify_gossip, AggregationJob, Blinding,
        PubkeyCache, SingleAttestation,
    };
    let _g = lock();
    let keys: Vec<Keypair> = (0..8u8)
        .map(|i| Keypair::from_ikm(&[i.wrapping_add(100); 32]).unwrap())
        .collect();
    let pubkeys: Vec<BlsPubkey> = keys.iter().map(|k| k.pubkey).collect();
    let messages = [Root::from([1u8; 32]), Root::from([2u8; 32])];
    let sig = |k: usize, m: usize| keys[k].sign(messages[m].as_slice());

    // FastAggregateVerify over four keys: 4 + 1 decompressions, 3 additions, 2 Miller loops.
    let agg = bls::aggregate(&(0..4).map(|k| sig(k, 0)).collect::<Vec<_>>()).unwrap();
    let (w, ok) =
        counted(|| bls::fast_aggregate_verify(&pubkeys[..4], messages[0].as_slice(), &agg));
    assert!(ok);
    let want = Work {
        pairings: 2,
        final_exponentiations: 1,
        g1_additions: 3,
        g1_decompressions: 4,
        g2_decompressions: 1,
        ..Work::default()
    };
    assert_eq!(w, want);
    // Aggregate of four signatures: four decompressed, three additions.
    let (w, _) = counted(|| bls::aggregate(&(0..4).map(|k| sig(k, 1)).collect::<Vec<_>>()));
    assert_eq!(
        w,
        Work {
            g2_additions: 3,
            g2_decompressions: 4,
            ..Work::default()
        }
    );

    // The gossip path: eight signatures over two messages in one batch: 8 decompressions, one
    // blinded sum of 8 signatures, one of each message group's keys, 2 + 1 Miller loops.
    let validators: Vec<Validator> = pubkeys.iter().map(|k| validator(*k, 32 * ETH)).collect();
    let indices: Vec<u64> = (0..8).collect();
    let (w, cache) = counted(|| PubkeyCache::build(&validators, &indices));
    assert_eq!(
        w,
        Work {
            g1_decompressions: 8,
            ..Work::default()
        }
    );
    let attestations: Vec<SingleAttestation> = (0..8)
        .map(|k| SingleAttestation {
            committee_index: 0,
            attester_index: k as u64,
            message: (k % 2) as u32,
            signature: sig(k, k % 2),
        })
        .collect();
    let (w, report) = counted(|| {
        verify_gossip(&attestations, &messages, &cache, 64, &Blinding::Seeded(7)).unwrap()
    });
    assert!(report.invalid.is_empty());
    assert_eq!(w.pairings, report.pairings);
    assert_eq!(
        w,
        Work {
            pairings: 3,
            final_exponentiations: 1,
            g1_additions: 3 + 3,
            g2_additions: 7,
            g2_decompressions: 8,
            ..Work::default()
        }
    );

    // Aggregation: one committee per message, four members each: 3 + 3 additions in G1 and G2.
    let jobs: Vec<AggregationJob> = (0..2)
        .map(|m| {
            let items: Vec<usize> = (0..8).filter(|k| k % 2 == m).collect();
            AggregationJob {
                slot: 0,
                committee_index: m as u64,
                message: m as u32,
                attesters: items.iter().map(|&k| k as u64).collect(),
                bits: vec![true; items.len()],
                items,
            }
        })
        .collect();
    let (w, aggregates) = counted(|| aggregate_committees(&jobs, &report.points, &cache));
    assert_eq!(
        w,
        Work {
            g1_additions: 6,
            g2_additions: 6,
            ..Work::default()
        }
    );
    // The aggregate path: two aggregates on two messages: 2 decompressions, a blinded sum of
    // two signatures, groups of one key, 2 + 1 Miller loops.
    let triples: Vec<_> = aggregates
        .into_iter()
        .map(|a| {
            let a = a.unwrap();
            (a.pubkey, a.message, a.signature)
        })
        .collect();
    let (w, (bad, _, pairings)) =
        counted(|| verify_aggregates(&triples, &messages, 64, &Blinding::Seeded(7)).unwrap());
    assert!(bad.is_empty());
    assert_eq!(
        w,
        Work {
            pairings,
            final_exponentiations: 1,
            g2_additions: 1,
            g2_decompressions: 2,
            ..Work::default()
        }
    );
    assert_eq!(pairings, 3);
}
