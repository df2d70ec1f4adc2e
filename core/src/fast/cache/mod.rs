//! The fast engine's caches, kept across epochs where still valid.
//!
//! | cache | what | invalidated by |
//! |---|---|---|
//! | `live` | the live set: indices any epoch step can change (`live` module doc) | nothing a spec transition does: validators leave when inert (checked each epoch), join when a pending deposit or consolidation names them or when appended; a state not reached by spec processing from the cached one needs `FastCaches::build` |
//! | `pubkeys` | pubkey -> first index (`PubkeyIndex`) | nothing (pubkeys are immutable, validators only appended: extended by length) |
//! | sync members | indices of the current and next sync committees (kept live) | the committee rotation, which `process_epoch_fast` performs and records |
//! | `deposit_signatures` | answers of is_valid_deposit_signature per (pubkey, credentials, amount, signature, fork version) (`DepositSignatures`) | nothing (a pure function of its key); trimmed to the queue's front past 1024 answers |
//! | `view` | effective balance and a kind byte per validator (`RegistryView`): the scan's source for settled validators | every record change, which `TrackedState` records for it (applied before each scan by `sync_view`; a token mismatch rebuilds it) |
//! | `sync_lookahead` | the next sync committee's shuffled candidates, random values and validated keys, computed in the epoch before a period boundary (`SyncLookahead`) | nothing: used only for the (seed, active count) and pubkeys it was computed for, else a miss; spent at the boundary |
//! | `EpochValues` | total active balance, per-flag unslashed participating balances (previous epoch), current target balance, base reward per increment | every slot (attestations set flags): recomputed by the scan of each epoch over the live set, kept for inspection |
//! | compact records (`epoch::scan`) | effective balance + 8 bits per live validator | not kept: valid from the scan to the fused pass of one epoch only (blocks change records between epochs, unseen here) |
//!
//! The caches know the epoch they are prepared for (the next epoch to process) and the registry
//! length; `process_epoch_fast` rebuilds them when the state's epoch is not that epoch or the
//! registry shrank, and indexes appended validators.
pub mod deposits;
pub mod live;
pub mod pubkeys;
pub mod sync_lookahead;
pub mod view;

pub use deposits::DepositSignatures;
pub use live::is_inert;
pub use pubkeys::PubkeyIndex;
pub use sync_lookahead::SyncLookahead;
pub use view::RegistryView;

use crate::error::{Error, Result};
use crate::fast::tracked::TrackedState;
use crate::helpers::accessors::{get_current_epoch, get_previous_epoch};
use crate::preset::Preset;
use crate::types::{BeaconState, Epoch, Gwei, Validator};
use pubkeys::index_u32;
use rayon::prelude::*;

/// The per-epoch values the scan computes (recomputed every epoch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EpochValues {
    /// `get_total_active_balance` (at least one increment).
    pub total_active_balance: Gwei,
    /// `get_total_balance(get_unslashed_participating_indices(flag, previous_epoch))`, per flag.
    pub previous_flag_balances: [Gwei; 3],
    /// The same for the timely-target flag of the current epoch.
    pub current_target_balance: Gwei,
    /// `get_base_reward_per_increment`.
    pub base_reward_per_increment: Gwei,
}

/// Caches for `process_epoch_fast`, built once (`build`) and carried from epoch to epoch.
#[derive(Debug, Default)]
pub struct FastCaches {
    /// The epoch these caches are prepared for; `None` forces a rebuild on next use.
    pub(crate) prepared_epoch: Option<Epoch>,
    /// Registry length the live set and pubkey index cover.
    pub(crate) registry_len: usize,
    /// Sorted live indices.
    pub(crate) live: Vec<u32>,
    pub(crate) pubkeys: PubkeyIndex,
    /// The next sync committee's member indices, in committee order (becomes current).
    pub(crate) next_sync: Vec<u32>,
    /// Sorted, deduplicated indices of the current and next sync committees.
    pub(crate) sync_members: Vec<u32>,
    /// The last epoch's scan values.
    pub(crate) values: Option<EpochValues>,
    /// Verified deposit signatures (kept across rebuilds: valid for any state).
    pub(crate) deposit_signatures: DepositSignatures,
    /// The scan's compact mirror of the records.
    pub(crate) view: RegistryView,
    /// The next sync committee's draw, in the epoch before a period boundary.
    pub(crate) sync_lookahead: Option<SyncLookahead>,
}

/// Not derived: `Vec::clone` keeps no spare capacity (`live::LIVE_HEADROOM`), so the first epoch
/// after a clone appended the new validators to a full live list and copied its 4 MB into fresh
/// pages (mainnet-2026; the benches run each epoch on a clone, a node's list grows amortized).
impl Clone for FastCaches {
    fn clone(&self) -> Self {
        FastCaches {
            prepared_epoch: self.prepared_epoch,
            registry_len: self.registry_len,
            live: crate::fast::with_spare(&self.live, live::LIVE_HEADROOM),
            pubkeys: self.pubkeys.clone(),
            next_sync: self.next_sync.clone(),
            sync_members: self.sync_members.clone(),
            values: self.values,
            deposit_signatures: self.deposit_signatures.clone(),
            view: self.view.clone(),
            sync_lookahead: self.sync_lookahead.clone(),
        }
    }
}

/// The registry lists must be as long as `validators` (the spec keeps them so).
pub(crate) fn check_lengths<P: Preset>(state: &BeaconState<P>) -> Result<()> {
    let n = state.validators.len();
    if state.balances.len() != n
        || state.previous_epoch_participation.len() != n
        || state.current_epoch_participation.len() != n
        || state.inactivity_scores.len() != n
    {
        return Err(Error::Assert(
            "fast process_epoch: registry lists of unequal length",
        ));
    }
    Ok(())
}

/// Indices of a committee's pubkeys (first occurrence; unknown pubkeys are skipped).
pub(crate) fn committee_indices(
    pubkeys: &PubkeyIndex,
    validators: &[Validator],
    committee: &[crate::types::BlsPubkey],
) -> Result<Vec<u32>> {
    committee
        .iter()
        .filter_map(|k| pubkeys.get(validators, k))
        .map(|i| index_u32(i as usize))
        .collect()
}

pub(crate) fn sorted_dedup(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v.dedup();
    v
}

/// The indices of `state`'s validators that are not inert at `epoch` (sorted), in parallel.
fn not_inert<P: Preset>(state: &BeaconState<P>, epoch: Epoch) -> Result<Vec<u32>> {
    const CHUNK: usize = 1 << 16;
    let flags = |list: &[u8], i: usize| list.get(i).copied().unwrap_or(0);
    let parts: Vec<Result<Vec<u32>>> = state
        .validators
        .par_chunks(CHUNK)
        .enumerate()
        .map(|(c, vs)| {
            let mut out = Vec::new();
            for (j, v) in vs.iter().enumerate() {
                let i = c.saturating_mul(CHUNK).saturating_add(j);
                let inert = is_inert(
                    v,
                    state.balances.get(i).copied().unwrap_or(0),
                    flags(&state.previous_epoch_participation, i),
                    flags(&state.current_epoch_participation, i),
                    epoch,
                );
                if !inert {
                    out.push(index_u32(i)?);
                }
            }
            Ok(out)
        })
        .collect();
    let mut live = Vec::new();
    for p in parts {
        live.extend_from_slice(&p?);
    }
    Ok(live)
}

impl FastCaches {
    /// Bytes the caches hold on the heap.
    pub fn heap_bytes(&self) -> usize {
        [&self.live, &self.next_sync, &self.sync_members]
            .iter()
            .map(|v| std::mem::size_of_val(v.as_slice()))
            .fold(self.pubkeys.heap_bytes(), usize::saturating_add)
            .saturating_add(self.deposit_signatures.heap_bytes())
            .saturating_add(self.view.heap_bytes())
            .saturating_add(self.sync_lookahead.as_ref().map_or(0, |l| l.heap_bytes()))
    }

    /// Build every cache from `state` (one pass over the registry, one sort of the pubkeys),
    /// and verify the signatures of the deposits the next epochs examine
    /// (`verify_pending_deposits`).
    pub fn build<P: Preset>(state: &BeaconState<P>) -> Result<Self> {
        Self::build_keeping(state, DepositSignatures::default())
    }

    /// `build`, keeping already verified deposit signatures.
    fn build_keeping<P: Preset>(
        state: &BeaconState<P>,
        deposit_signatures: DepositSignatures,
    ) -> Result<Self> {
        check_lengths(state)?;
        let validators = &state.validators[..];
        let epoch = get_current_epoch(state);
        // The three passes over the records are independent but for the sync members (found
        // through the pubkey index), which join the live set afterwards. On two threads this
        // took mainnet-2026's cache build from ~230 to ~145 ms (one by one: 105 ms pubkeys,
        // 69 ms live set, 37 ms view).
        let (pubkeys, (not_inert, view)) = rayon::join(
            || PubkeyIndex::build(validators),
            || {
                rayon::join(
                    || not_inert(state, epoch),
                    || RegistryView::build(validators, &state.balances, get_previous_epoch(state)),
                )
            },
        );
        let pubkeys = pubkeys?;
        let current =
            committee_indices(&pubkeys, validators, &state.current_sync_committee.pubkeys)?;
        let next_sync =
            committee_indices(&pubkeys, validators, &state.next_sync_committee.pubkeys)?;
        let sync_members = sorted_dedup([current, next_sync.clone()].concat());
        // The live set: every sync-committee member, and every validator not inert.
        let live = live::union_into_live(not_inert?, &sync_members);
        let mut caches = FastCaches {
            prepared_epoch: Some(epoch),
            registry_len: validators.len(),
            live,
            pubkeys,
            next_sync,
            sync_members,
            values: None,
            deposit_signatures,
            view,
            sync_lookahead: None,
        };
        caches.verify_pending_deposits(state);
        caches.prepare_sync_lookahead(state, epoch)?;
        Ok(caches)
    }

    /// If the epoch after `epoch` begins a sync-committee period, compute its draw
    /// (`SyncLookahead`) unless already there; `epoch` is the state's epoch, or the next one
    /// when called at the end of an epoch transition. Returns the candidates a new draw drew
    /// (0 when none was computed).
    pub(crate) fn prepare_sync_lookahead<P: Preset>(
        &mut self,
        state: &BeaconState<P>,
        epoch: Epoch,
    ) -> Result<u64> {
        let next_epoch = crate::helpers::math::add(epoch, 1, "sync committee lookahead")?;
        if crate::helpers::math::rem_preset(next_epoch, P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD) != 0
            || self
                .sync_lookahead
                .as_ref()
                .is_some_and(|l| l.next_epoch == next_epoch)
        {
            return Ok(0);
        }
        self.sync_lookahead = SyncLookahead::compute(state, next_epoch, Some(&self.live));
        Ok(self.sync_lookahead.as_ref().map_or(0, SyncLookahead::drawn))
    }

    /// The next sync committee's draw, if computed for the coming boundary.
    pub fn sync_lookahead(&self) -> Option<&SyncLookahead> {
        self.sync_lookahead.as_ref()
    }

    /// Verify (and cache) the signatures of the queued deposits the next epochs may examine
    /// (the first `deposits::window` entries whose pubkey is not in the registry), as a node
    /// does when a deposit enters the queue; the epoch then only looks them up. Entries already
    /// answered cost nothing; `build` calls this.
    pub fn verify_pending_deposits<P: Preset>(&mut self, state: &BeaconState<P>) {
        let candidates: Vec<&crate::types::PendingDeposit> = state
            .pending_deposits
            .iter()
            .take(deposits::window::<P>())
            .filter(|d| self.pubkeys.get(&state.validators, &d.pubkey).is_none())
            .collect();
        self.deposit_signatures.check::<P>(&candidates);
    }

    /// The verified deposit signatures.
    pub fn deposit_signatures(&self) -> &DepositSignatures {
        &self.deposit_signatures
    }

    /// Make the caches fit `state` before an epoch: rebuild if prepared for another epoch or
    /// the registry shrank; index and mark live any appended validators.
    pub fn prepare<P: Preset>(&mut self, state: &BeaconState<P>) -> Result<()> {
        self.prepare_rebuilt(state).map(|_| ())
    }

    /// `prepare`, telling whether it rebuilt every cache from `state`.
    fn prepare_rebuilt<P: Preset>(&mut self, state: &BeaconState<P>) -> Result<bool> {
        check_lengths(state)?;
        let n = state.validators.len();
        if self.prepared_epoch != Some(get_current_epoch(state)) || n < self.registry_len {
            let kept = std::mem::take(&mut self.deposit_signatures);
            *self = FastCaches::build_keeping(state, kept)?;
            return Ok(true);
        }
        if n > self.registry_len {
            for i in self.registry_len..n {
                self.live.push(index_u32(i)?);
            }
            self.pubkeys.extend(&state.validators)?;
            self.registry_len = n;
        }
        Ok(false)
    }

    /// `prepare` on a tracked state, then bring the registry view up to date with the
    /// state's record of changed validators (rebuilt from the records when that record is not
    /// the one the view last applied).
    pub fn prepare_tracked<P: Preset>(&mut self, state: &mut TrackedState<P>) -> Result<()> {
        let rebuilt = self.prepare_rebuilt(state.state())?;
        let (record, token) = state.take_view_changes();
        let s = state.state();
        let previous_epoch = get_previous_epoch(s);
        if rebuilt {
            // Built from these very records just now.
        } else if self.view.token == Some(record.token) && !record.all {
            self.view
                .refresh(&s.validators, &s.balances, &record.changed, previous_epoch)?;
        } else {
            self.view = RegistryView::build(&s.validators, &s.balances, previous_epoch);
        }
        self.view.token = Some(token);
        Ok(())
    }

    /// `check_against`, and the registry view with the state's pending change record applied
    /// (as the next epoch will) must match the records (for tests).
    pub fn check_tracked<P: Preset>(&self, state: &TrackedState<P>) -> Result<(), String> {
        self.check_against(state.state())?;
        let record = state.view_record();
        if self.view.token != Some(record.token) || record.all {
            return Err("registry view not paired with this state's change record".into());
        }
        let s = state.state();
        let previous_epoch = get_previous_epoch(s);
        let mut view = self.view.clone();
        view.refresh(&s.validators, &s.balances, &record.changed, previous_epoch)
            .map_err(|e| e.to_string())?;
        if !view.check_against(&s.validators, previous_epoch) {
            return Err("registry view differs from the records".into());
        }
        Ok(())
    }

    /// Pair freshly built caches with the tracked state they were built from (its records
    /// unchanged since): the view is current with it.
    pub(crate) fn pair_with<P: Preset>(&mut self, state: &mut TrackedState<P>) {
        let (_, token) = state.take_view_changes();
        self.view.token = Some(token);
    }

    /// The registry view.
    pub fn view(&self) -> &RegistryView {
        &self.view
    }

    /// Forget the preparation: the next `process_epoch_fast` rebuilds.
    pub fn invalidate(&mut self) {
        self.prepared_epoch = None;
    }

    /// The epoch these caches are prepared for.
    pub fn prepared_epoch(&self) -> Option<Epoch> {
        self.prepared_epoch
    }

    /// Number of live validators.
    pub fn live_len(&self) -> usize {
        self.live.len()
    }

    /// The sorted live indices.
    pub fn live(&self) -> &[u32] {
        &self.live
    }

    /// The persistent pubkey index.
    pub fn pubkeys(&self) -> &PubkeyIndex {
        &self.pubkeys
    }

    /// The last epoch's scan values.
    pub fn values(&self) -> Option<EpochValues> {
        self.values
    }

    /// Check these carried caches against a fresh build from `state` (for tests): the live set
    /// must contain every validator the fresh build finds live, the sync members must agree.
    pub fn check_against<P: Preset>(&self, state: &BeaconState<P>) -> Result<(), String> {
        let fresh = FastCaches::build(state).map_err(|e| e.to_string())?;
        if self.prepared_epoch != fresh.prepared_epoch {
            return Err(format!(
                "prepared for {:?}, state at {:?}",
                self.prepared_epoch, fresh.prepared_epoch
            ));
        }
        let mut mine = live::SortedCursor::new(&self.live);
        if let Some(i) = fresh.live.iter().find(|&&i| !mine.contains(i)) {
            return Err(format!(
                "validator {i} is live but not in the carried live set"
            ));
        }
        if self.sync_members != fresh.sync_members || self.next_sync != fresh.next_sync {
            return Err("sync committee members differ".into());
        }
        if self.pubkeys.len() != state.validators.len()
            || self.registry_len != state.validators.len()
        {
            return Err("pubkey index / registry length".into());
        }
        if self.live.windows(2).any(|w| w.first() >= w.get(1)) {
            return Err("live set not strictly ascending".into());
        }

        Ok(())
    }
}
