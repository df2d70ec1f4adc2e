//! `TrackedState`: a `BeaconState` whose mutations go through one API that records them.
//!
//! Why: the incremental state root must rehash only what changed, and its correctness must not
//! depend on a caller remembering to mark a change. The state is private; validators (the one list
//! too large to keep a shadow copy of: 121 B x 2M) are changed only through `validator_mut` /
//! `push_validator`, which record the index. Every other field is reachable mutably only through
//! `fields_mut`, whose changes the root cache detects itself (by comparing against what it last
//! hashed). `with_state_mut` is the escape hatch for code written against `&mut BeaconState`: it
//! marks every validator changed.
//!
//! The root cache (`root::StateRootCache`) lives here, beside the state it hashes, so a cache can
//! never be paired with another state. It keeps its own record of changed validators (one bit per
//! group, set by the same calls), so `take_changes` stays the caller's: taking the changes for
//! other uses cannot make the root stale.

use crate::error::{Error, Result};
use crate::fast::root::StateRootCache;
use crate::preset::Preset;
use crate::types::*;
use ssz_types::{BitVector, FixedVector, VariableList};
use typenum::U4;

/// What changed in the validators list since the last `take_changes`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ValidatorChanges {
    /// Indices changed in place (unsorted, may repeat).
    pub changed: Vec<usize>,
    /// The list length when the changes were last taken; indices at or past it are new.
    pub len_before: usize,
    /// Every validator may have changed (after `with_state_mut`, or a fresh state).
    pub all: bool,
}

/// A `BeaconState` plus the record of which validators changed.
#[derive(Debug)]
pub struct TrackedState<P: Preset> {
    state: BeaconState<P>,
    changes: ValidatorChanges,
    root: StateRootCache<P>,
    /// A third record of the same calls, for the epoch caches' registry view
    /// (`take_view_changes`), so neither `take_changes` nor the root can make the view stale.
    view: ViewRecord,
}

/// Validators changed since the last `take_view_changes`, under a token naming that take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ViewRecord {
    /// Changed in place (unsorted, may repeat); appended ones are found by length.
    pub(crate) changed: Vec<usize>,
    /// Every validator may have changed.
    pub(crate) all: bool,
    /// Unique per take (process-wide counter): a view that applied the take named `token`
    /// is current with this record.
    pub(crate) token: u64,
}

/// Tokens for `ViewRecord`: unique within the process.
static NEXT_VIEW_TOKEN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

fn next_view_token() -> u64 {
    NEXT_VIEW_TOKEN.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

/// Every field of the state but `validators` mutably, and `validators` read-only: a split borrow,
/// so the fast code can read the registry while it updates balances and the rest.
pub struct FieldsMut<'a, P: Preset> {
    pub genesis_time: &'a mut u64,
    pub genesis_validators_root: &'a mut Root,
    pub slot: &'a mut Slot,
    pub fork: &'a mut Fork,
    pub latest_block_header: &'a mut BeaconBlockHeader,
    pub block_roots: &'a mut FixedVector<Root, P::SlotsPerHistoricalRoot>,
    pub state_roots: &'a mut FixedVector<Root, P::SlotsPerHistoricalRoot>,
    pub historical_roots: &'a mut VariableList<Root, P::HistoricalRootsLimit>,
    pub eth1_data: &'a mut Eth1Data,
    pub eth1_data_votes: &'a mut VariableList<Eth1Data, P::SlotsPerEth1VotingPeriod>,
    pub eth1_deposit_index: &'a mut u64,
    pub validators: &'a [Validator],
    pub balances: &'a mut VariableList<Gwei, P::ValidatorRegistryLimit>,
    pub randao_mixes: &'a mut FixedVector<Bytes32, P::EpochsPerHistoricalVector>,
    pub slashings: &'a mut FixedVector<Gwei, P::EpochsPerSlashingsVector>,
    pub previous_epoch_participation:
        &'a mut VariableList<ParticipationFlags, P::ValidatorRegistryLimit>,
    pub current_epoch_participation:
        &'a mut VariableList<ParticipationFlags, P::ValidatorRegistryLimit>,
    pub justification_bits: &'a mut BitVector<U4>,
    pub previous_justified_checkpoint: &'a mut Checkpoint,
    pub current_justified_checkpoint: &'a mut Checkpoint,
    pub finalized_checkpoint: &'a mut Checkpoint,
    pub inactivity_scores: &'a mut VariableList<u64, P::ValidatorRegistryLimit>,
    pub current_sync_committee: &'a mut SyncCommittee<P>,
    pub next_sync_committee: &'a mut SyncCommittee<P>,
    pub latest_execution_payload_header: &'a mut ExecutionPayloadHeader<P>,
    pub next_withdrawal_index: &'a mut WithdrawalIndex,
    pub next_withdrawal_validator_index: &'a mut ValidatorIndex,
    pub historical_summaries: &'a mut VariableList<HistoricalSummary, P::HistoricalRootsLimit>,
    pub deposit_requests_start_index: &'a mut u64,
    pub deposit_balance_to_consume: &'a mut Gwei,
    pub exit_balance_to_consume: &'a mut Gwei,
    pub earliest_exit_epoch: &'a mut Epoch,
    pub consolidation_balance_to_consume: &'a mut Gwei,
    pub earliest_consolidation_epoch: &'a mut Epoch,
    pub pending_deposits: &'a mut QueueList<PendingDeposit, P::PendingDepositsLimit>,
    pub pending_partial_withdrawals:
        &'a mut VariableList<PendingPartialWithdrawal, P::PendingPartialWithdrawalsLimit>,
    pub pending_consolidations:
        &'a mut VariableList<PendingConsolidation, P::PendingConsolidationsLimit>,
}

/// Spare capacity a clone keeps in each registry-indexed list (as `io` gives the decoded
/// validators list).
const REGISTRY_HEADROOM: usize = 1024;

/// A copy of `list` with at least `REGISTRY_HEADROOM` spare capacity, in one copy.
fn with_headroom<T: Clone, N: typenum::Unsigned>(list: &VariableList<T, N>) -> VariableList<T, N> {
    let v = crate::fast::with_spare(list, REGISTRY_HEADROOM);
    // Same length as `list`, so within its limit.
    VariableList::new(v).unwrap_or_else(|_| list.clone())
}

/// Not derived: `Vec::clone` keeps no spare capacity, so the first validator a deposit appends
/// to a cloned state reallocated the 2M-entry registry lists (~290 MB copied) inside the epoch:
/// 60-90 ms of mainnet-2026's "pending deposits" phase (measured: `maxeb epoch`, which runs each
/// epoch on a clone). A running node's lists grow amortized; the clone keeps that headroom.
impl<P: Preset> Clone for TrackedState<P> {
    // Every field spelled `.clone()` alike, Copy or not, so the list reads as the struct's.
    #[allow(clippy::clone_on_copy)]
    fn clone(&self) -> Self {
        let s = &self.state;
        let state = BeaconState {
            genesis_time: s.genesis_time.clone(),
            genesis_validators_root: s.genesis_validators_root.clone(),
            slot: s.slot.clone(),
            fork: s.fork.clone(),
            latest_block_header: s.latest_block_header.clone(),
            block_roots: s.block_roots.clone(),
            state_roots: s.state_roots.clone(),
            historical_roots: s.historical_roots.clone(),
            eth1_data: s.eth1_data.clone(),
            eth1_data_votes: s.eth1_data_votes.clone(),
            eth1_deposit_index: s.eth1_deposit_index.clone(),
            validators: with_headroom(&s.validators),
            balances: with_headroom(&s.balances),
            randao_mixes: s.randao_mixes.clone(),
            slashings: s.slashings.clone(),
            previous_epoch_participation: with_headroom(&s.previous_epoch_participation),
            current_epoch_participation: with_headroom(&s.current_epoch_participation),
            justification_bits: s.justification_bits.clone(),
            previous_justified_checkpoint: s.previous_justified_checkpoint.clone(),
            current_justified_checkpoint: s.current_justified_checkpoint.clone(),
            finalized_checkpoint: s.finalized_checkpoint.clone(),
            inactivity_scores: with_headroom(&s.inactivity_scores),
            current_sync_committee: s.current_sync_committee.clone(),
            next_sync_committee: s.next_sync_committee.clone(),
            latest_execution_payload_header: s.latest_execution_payload_header.clone(),
            next_withdrawal_index: s.next_withdrawal_index.clone(),
            next_withdrawal_validator_index: s.next_withdrawal_validator_index.clone(),
            historical_summaries: s.historical_summaries.clone(),
            deposit_requests_start_index: s.deposit_requests_start_index.clone(),
            deposit_balance_to_consume: s.deposit_balance_to_consume.clone(),
            exit_balance_to_consume: s.exit_balance_to_consume.clone(),
            earliest_exit_epoch: s.earliest_exit_epoch.clone(),
            consolidation_balance_to_consume: s.consolidation_balance_to_consume.clone(),
            earliest_consolidation_epoch: s.earliest_consolidation_epoch.clone(),
            pending_deposits: s.pending_deposits.clone(),
            pending_partial_withdrawals: s.pending_partial_withdrawals.clone(),
            pending_consolidations: s.pending_consolidations.clone(),
        };
        TrackedState {
            state,
            changes: self.changes.clone(),
            root: self.root.clone(),
            view: self.view.clone(),
        }
    }
}

impl<P: Preset> TrackedState<P> {
    /// Wrap a state; every validator counts as changed until the first `take_changes`.
    pub fn new(state: BeaconState<P>) -> Self {
        let len_before = state.validators.len();
        TrackedState {
            state,
            changes: ValidatorChanges {
                changed: Vec::new(),
                len_before,
                all: true,
            },
            root: StateRootCache::new(),
            view: ViewRecord {
                changed: Vec::new(),
                all: true,
                token: next_view_token(),
            },
        }
    }

    /// The state, read-only.
    pub fn state(&self) -> &BeaconState<P> {
        &self.state
    }

    /// The state, giving up the tracking.
    pub fn into_state(self) -> BeaconState<P> {
        self.state
    }

    /// `state.validators[index]` for update; records `index` as changed.
    pub fn validator_mut(&mut self, index: usize) -> Result<&mut Validator> {
        let len = self.state.validators.len() as u64;
        let v = self
            .state
            .validators
            .get_mut(index)
            .ok_or(Error::OutOfRange {
                what: "validators",
                index: index as u64,
                len,
            })?;
        self.changes.changed.push(index);
        self.view.changed.push(index);
        self.root.mark_validator(index);
        Ok(v)
    }

    /// Append a validator (the new index counts as changed).
    pub fn push_validator(&mut self, validator: Validator) -> Result<()> {
        let index = self.state.validators.len();
        self.state
            .validators
            .push(validator)
            .map_err(|_| Error::ListFull("validators"))?;
        self.root.mark_validator(index);
        Ok(())
    }

    /// Every field but `validators` for update (the root cache detects their changes).
    pub fn fields_mut(&mut self) -> FieldsMut<'_, P> {
        let BeaconState {
            genesis_time,
            genesis_validators_root,
            slot,
            fork,
            latest_block_header,
            block_roots,
            state_roots,
            historical_roots,
            eth1_data,
            eth1_data_votes,
            eth1_deposit_index,
            validators,
            balances,
            randao_mixes,
            slashings,
            previous_epoch_participation,
            current_epoch_participation,
            justification_bits,
            previous_justified_checkpoint,
            current_justified_checkpoint,
            finalized_checkpoint,
            inactivity_scores,
            current_sync_committee,
            next_sync_committee,
            latest_execution_payload_header,
            next_withdrawal_index,
            next_withdrawal_validator_index,
            historical_summaries,
            deposit_requests_start_index,
            deposit_balance_to_consume,
            exit_balance_to_consume,
            earliest_exit_epoch,
            consolidation_balance_to_consume,
            earliest_consolidation_epoch,
            pending_deposits,
            pending_partial_withdrawals,
            pending_consolidations,
        } = &mut self.state;
        FieldsMut {
            genesis_time,
            genesis_validators_root,
            slot,
            fork,
            latest_block_header,
            block_roots,
            state_roots,
            historical_roots,
            eth1_data,
            eth1_data_votes,
            eth1_deposit_index,
            validators: &validators[..],
            balances,
            randao_mixes,
            slashings,
            previous_epoch_participation,
            current_epoch_participation,
            justification_bits,
            previous_justified_checkpoint,
            current_justified_checkpoint,
            finalized_checkpoint,
            inactivity_scores,
            current_sync_committee,
            next_sync_committee,
            latest_execution_payload_header,
            next_withdrawal_index,
            next_withdrawal_validator_index,
            historical_summaries,
            deposit_requests_start_index,
            deposit_balance_to_consume,
            exit_balance_to_consume,
            earliest_exit_epoch,
            consolidation_balance_to_consume,
            earliest_consolidation_epoch,
            pending_deposits,
            pending_partial_withdrawals,
            pending_consolidations,
        }
    }

    /// Run code written against `&mut BeaconState` (e.g. a reference-path step); every validator
    /// counts as changed afterwards, so the next root rehashes the whole registry.
    pub fn with_state_mut<R>(&mut self, f: impl FnOnce(&mut BeaconState<P>) -> R) -> R {
        self.changes.all = true;
        self.view.all = true;
        self.root.mark_all_validators();
        f(&mut self.state)
    }

    /// ssz § hash_tree_root of the state, incrementally: rehashes what changed since the last
    /// call (the first call hashes everything, in parallel).
    pub fn hash_tree_root(&mut self) -> Root {
        self.root.hash_tree_root(&self.state)
    }

    /// The roots of `block_roots` and `state_roots` (as capella §
    /// process_historical_summaries_update reads them), from the root cache: only what changed
    /// since the last root is rehashed.
    pub(crate) fn history_roots(&mut self) -> (Root, Root) {
        self.root.history_roots(&self.state)
    }

    /// The 37 field roots from the cache (tests locate a mismatch with it).
    #[cfg(test)]
    pub(crate) fn field_roots(&mut self) -> [[u8; 32]; 37] {
        self.root.field_roots(&self.state)
    }

    /// `hash_tree_root` for `fast::slots` between two of its own slots, when only `slot`,
    /// `latest_block_header` and element `written` of `block_roots` / `state_roots` changed
    /// since the last root (see `StateRootCache::hash_tree_root_after_slot`).
    pub(crate) fn hash_tree_root_after_slot(&mut self, written: usize) -> Root {
        self.root.hash_tree_root_after_slot(&self.state, written)
    }

    /// Bytes the root cache holds on the heap.
    pub fn root_cache_bytes(&self) -> usize {
        self.root.heap_bytes()
    }

    /// The record for the epoch caches' registry view since the last call, and start a new
    /// one under a fresh token: (the record taken, the new token).
    pub(crate) fn take_view_changes(&mut self) -> (ViewRecord, u64) {
        let token = next_view_token();
        let next = ViewRecord {
            changed: Vec::new(),
            all: false,
            token,
        };
        (std::mem::replace(&mut self.view, next), token)
    }

    /// The registry view's pending record (read-only).
    pub(crate) fn view_record(&self) -> &ViewRecord {
        &self.view
    }

    /// The validator changes since the last call, and start a new record.
    pub fn take_changes(&mut self) -> ValidatorChanges {
        let len = self.state.validators.len();
        let next = ValidatorChanges {
            changed: Vec::new(),
            len_before: len,
            all: false,
        };
        std::mem::replace(&mut self.changes, next)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::epoch::tests::test_state;
    use crate::Minimal;

    /// A clone is equal (state, change record, root) and keeps spare capacity in the registry
    /// lists, so an appended validator does not reallocate them.
    #[test]
    fn clone_is_equal_with_headroom() {
        let mut t = TrackedState::new(test_state::<Minimal>(8, 3));
        let root = t.hash_tree_root();
        t.validator_mut(2).unwrap().effective_balance = 5;
        let mut c = t.clone();
        assert!(c.state() == t.state());
        assert_eq!(c.changes, t.changes);
        assert_eq!(c.hash_tree_root(), t.hash_tree_root());
        assert_ne!(c.hash_tree_root(), root);
        let s = c.into_state();
        let v: Vec<Validator> = s.validators.into();
        assert!(v.capacity() >= v.len() + REGISTRY_HEADROOM);
        let b: Vec<Gwei> = s.balances.into();
        assert!(b.capacity() >= b.len() + REGISTRY_HEADROOM);
    }

    #[test]
    fn records_validator_changes() {
        let mut t = TrackedState::new(test_state::<Minimal>(8, 3));
        assert!(t.take_changes().all);
        t.validator_mut(5).unwrap().effective_balance = 1;
        assert!(t.validator_mut(8).is_err());
        t.push_validator(Validator::default()).unwrap();
        *t.fields_mut().balances.get_mut(0).unwrap() = 7;
        let c = t.take_changes();
        assert_eq!((c.changed, c.len_before, c.all), (vec![5], 8, false));
        assert_eq!(t.take_changes().len_before, 9);
        t.with_state_mut(|s| s.slot += 1);
        assert!(t.take_changes().all);
        assert_eq!(t.state().balances[0], 7);
    }
}
