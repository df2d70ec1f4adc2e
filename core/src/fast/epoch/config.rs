//! Which `process_epoch` steps the fast path runs, and where its time went.

use std::time::Duration;

/// The steps of electra § process_epoch, in the spec's order (names as `crate::epoch::epoch_steps`).
pub const STEP_NAMES: [&str; 14] = [
    "justification_and_finalization",
    "inactivity_updates",
    "rewards_and_penalties",
    "registry_updates",
    "slashings",
    "eth1_data_reset",
    "pending_deposits",
    "pending_consolidations",
    "effective_balance_updates",
    "slashings_reset",
    "randao_mixes_reset",
    "historical_summaries_update",
    "participation_flag_updates",
    "sync_committee_updates",
];

/// Which steps run. `all()` is `process_epoch`; `only(name)` runs one step, so each per-step
/// vector exercises the fused code for exactly that step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochConfig {
    enabled: [bool; 14],
}

impl Default for EpochConfig {
    fn default() -> Self {
        Self::all()
    }
}

impl EpochConfig {
    /// Every step: the whole `process_epoch`.
    pub fn all() -> Self {
        EpochConfig {
            enabled: [true; 14],
        }
    }

    /// Only the step named `name` (a `STEP_NAMES` entry), or `None` for an unknown name.
    pub fn only(name: &str) -> Option<Self> {
        let pos = STEP_NAMES.iter().position(|n| *n == name)?;
        let mut enabled = [false; 14];
        if let Some(e) = enabled.get_mut(pos) {
            *e = true;
        }
        Some(EpochConfig { enabled })
    }

    /// Whether every step runs (only then is the live set pruned and the caches carried on).
    pub fn is_all(&self) -> bool {
        self.enabled.iter().all(|e| *e)
    }

    /// Whether the step named `name` runs.
    pub fn runs(&self, name: &str) -> bool {
        STEP_NAMES
            .iter()
            .position(|n| *n == name)
            .and_then(|p| self.enabled.get(p).copied())
            .unwrap_or(false)
    }
}

/// Wall time of each phase of one `process_epoch_fast` call (for benchmarks; tests never look).
#[derive(Debug, Clone, Default)]
pub struct EpochTimings {
    /// Cache preparation (revalidation; a rebuild when needed).
    pub prepare: Duration,
    /// First pass (`scan`): sums, registry decisions, compact records.
    pub scan: Duration,
    pub justification: Duration,
    /// The fused pass: inactivity, rewards and penalties, slashings, effective balances.
    pub single_pass: Duration,
    /// Registry and effective-balance record updates, ejections (exit queue, in index order).
    pub apply: Duration,
    pub pending_deposits: Duration,
    pub pending_consolidations: Duration,
    /// Effective-balance updates of the validators the pending steps touch.
    pub deferred_effective_balances: Duration,
    /// eth1 / slashings / randao resets, historical summaries.
    pub resets: Duration,
    pub participation_flag_updates: Duration,
    pub sync_committee_updates: Duration,
    /// Live set update.
    pub live_update: Duration,
    /// Entering the last epoch of a sync-committee period: the next committee's draw computed
    /// ahead (`crate::fast::cache::SyncLookahead`); zero in other epochs.
    pub sync_lookahead: Duration,
    /// Validators (or queue entries, or candidates) each phase visited: deterministic.
    pub work: EpochWork,
}

/// What each phase of one `process_epoch_fast` call visited, in the algorithm's own terms: the
/// same state gives the same counts whatever the thread count or timing (a loop split across
/// threads counts its whole length). Zero for a phase that did not run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EpochWork {
    /// Live-set entries the scan read (the one read of the validator records).
    pub scan: u64,
    /// Compact records the fused pass processed.
    pub single_pass: u64,
    /// Registry updates applied: eligibility marks, activation candidates, ejections.
    pub registry: u64,
    /// Pending deposits examined (up to the one that stopped the loop, included).
    pub pending_deposits: u64,
    /// Pending consolidations examined (likewise).
    pub pending_consolidations: u64,
    /// Validators whose effective balance was decided again after the queues.
    pub deferred_effective_balances: u64,
    /// Sync-committee candidates drawn (shuffled) at a period boundary; with a lookahead of the
    /// same (seed, active count) only those it fell short by.
    pub sync_committee: u64,
    /// Sync-committee candidates tested against effective balances at a period boundary
    /// (the lookahead's and those drawn).
    pub sync_committee_tested: u64,
    /// Candidates the next committee's draw ahead of its boundary drew at the end of this
    /// epoch (`crate::fast::cache::SyncLookahead::drawn`); zero in other epochs.
    pub sync_lookahead: u64,
}

impl EpochWork {
    /// (name, count) of each phase, in the epoch's order.
    pub fn named(&self) -> Vec<(&'static str, u64)> {
        vec![
            ("scan", self.scan),
            ("single_pass", self.single_pass),
            ("registry", self.registry),
            ("pending_deposits", self.pending_deposits),
            ("pending_consolidations", self.pending_consolidations),
            (
                "deferred_effective_balances",
                self.deferred_effective_balances,
            ),
            ("sync_committee", self.sync_committee),
            ("sync_committee_tested", self.sync_committee_tested),
            ("sync_lookahead", self.sync_lookahead),
        ]
    }
}

impl EpochTimings {
    /// (name, duration) of each phase, in order.
    pub fn phases(&self) -> [(&'static str, Duration); 13] {
        [
            ("prepare", self.prepare),
            ("scan", self.scan),
            ("justification", self.justification),
            ("single_pass", self.single_pass),
            ("apply", self.apply),
            ("pending_deposits", self.pending_deposits),
            ("pending_consolidations", self.pending_consolidations),
            (
                "deferred_effective_balances",
                self.deferred_effective_balances,
            ),
            ("resets", self.resets),
            (
                "participation_flag_updates",
                self.participation_flag_updates,
            ),
            ("sync_committee_updates", self.sync_committee_updates),
            ("live_update", self.live_update),
            ("sync_lookahead", self.sync_lookahead),
        ]
    }
}
