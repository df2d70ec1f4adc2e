//! The fast `process_epoch`: a scan of the live set (the only read of validator records), one
//! fused pass over it for the per-validator steps, the queues and periodic steps on their own, caches carried across
//! epochs (`crate::fast::cache`). Same results as `crate::epoch::process_epoch` (the oracle).
//!
//! Order (the spec's, per validator):
//! 1. `cache` revalidation (`FastCaches::prepare`),
//! 2. `scan`: the one read of the validator records: total active and participating balances,
//!    registry decisions, a compact record per live validator,
//! 3. `justification`,
//! 4. `single_pass`: inactivity, rewards and penalties, slashings, effective balances (all but
//!    the validators the queues will touch), from the compact records,
//! 5. `apply`: registry updates (activations after justification's finality), effective
//!    balances, then ejections through the exit queue in index order,
//! 6. eth1 reset, `pending` deposits and consolidations, the deferred effective-balance updates
//!    (the pass's answer, but for the validators the queues changed and the ejected),
//! 7. `resets` (slashings, randao, historical summaries, participation rotation),
//!    `sync_committee` at a period boundary,
//! 8. the live set for the next epoch,
//! 9. entering the last epoch of a sync-committee period, the next committee's draw
//!    (`crate::fast::cache::SyncLookahead`).
pub mod apply;
pub mod config;
pub mod justification;
pub mod pending;
pub mod resets;
pub mod scan;
pub mod single_pass;
pub mod sync_committee;

pub use config::{EpochConfig, EpochTimings, EpochWork, STEP_NAMES};

use crate::error::Error;
use crate::error::Result;
use crate::fast::cache::live::{insert_absent, remove_sorted, union_sorted};
use crate::fast::cache::{sorted_dedup, EpochValues, FastCaches};
use crate::fast::tracked::TrackedState;
use crate::helpers::accessors::{get_current_epoch, get_previous_epoch};
use crate::helpers::math::{add, div, div_preset, mul, rem_preset, sub};
use crate::helpers::misc::compute_activation_exit_epoch;
use crate::preset::consts::GENESIS_EPOCH;
use crate::preset::Preset;
use scan::{Registry, ScanParams};
use single_pass::{PassOutput, PassParams};
use std::time::Instant;

/// `process_epoch` on a tracked state with carried caches; `config` chooses the steps
/// (`EpochConfig::all()` for the whole epoch). On `Err` the state is unspecified (the
/// transition is invalid) and the caches are marked for a rebuild.
pub fn process_epoch_fast<P: Preset>(
    state: &mut TrackedState<P>,
    caches: &mut FastCaches,
    config: &EpochConfig,
) -> Result<()> {
    process_epoch_fast_timed(state, caches, config, &mut EpochTimings::default())
}

/// `process_epoch_fast`, recording each phase's wall time and what it visited in `timings`.
pub fn process_epoch_fast_timed<P: Preset>(
    state: &mut TrackedState<P>,
    caches: &mut FastCaches,
    config: &EpochConfig,
    timings: &mut EpochTimings,
) -> Result<()> {
    #[cfg(feature = "inject-slowdown")]
    let _slowdown = crate::fast::inject::Slowdown::start(state.state().validators.len());
    timings.work = EpochWork::default();
    let mut t = Instant::now();
    let mut lap = |slot: &mut std::time::Duration| {
        *slot = t.elapsed();
        t = Instant::now();
    };
    caches.prepare_tracked(state)?;
    // Until this call succeeds with every step, the caches are not valid for the next epoch.
    caches.prepared_epoch = None;
    lap(&mut timings.prepare);

    let runs = |name| config.runs(name);
    let s = state.state();
    let current_epoch = get_current_epoch(s);
    let previous_epoch = get_previous_epoch(s);
    let next_epoch = add(current_epoch, 1, "process_epoch")?;
    let inc = P::EFFECTIVE_BALANCE_INCREMENT;
    let deposits = runs("pending_deposits");
    let consolidations = runs("pending_consolidations");
    let effective_balance = runs("effective_balance_updates");
    let slashings = runs("slashings");
    let not_genesis = current_epoch != GENESIS_EPOCH;
    let mut p = PassParams {
        current_epoch,
        inactivity: runs("inactivity_updates") && not_genesis,
        rewards: runs("rewards_and_penalties") && not_genesis,
        slashings,
        effective_balance,
        prune: config.is_all(),
        ..PassParams::default()
    };
    if slashings {
        p.slashing_target_epoch = add(
            current_epoch,
            div_preset(P::EPOCHS_PER_SLASHINGS_VECTOR, 2),
            "process_slashings",
        )?;
    }

    // 2. the scan: sums, registry decisions, compact records
    let deferred = if effective_balance && (deposits || consolidations) {
        pending::pending_candidates(state, &caches.pubkeys, deposits, consolidations)?
    } else {
        Vec::new()
    };
    let scan_params = ScanParams {
        current_epoch,
        previous_epoch,
        next_epoch,
        registry: runs("registry_updates"),
        slashings,
        slashing_target_epoch: p.slashing_target_epoch,
        collect_next_active: runs("sync_committee_updates")
            && rem_preset(next_epoch, P::EPOCHS_PER_SYNC_COMMITTEE_PERIOD) == 0,
        prune: config.is_all(),
    };
    let sc = {
        let f = state.fields_mut();
        let reg = Registry {
            validators: f.validators,
            previous_participation: f.previous_epoch_participation,
            current_participation: f.current_epoch_participation,
            view: &caches.view,
        };
        scan::scan::<P>(
            &scan_params,
            &caches.live,
            &deferred,
            &caches.sync_members,
            &reg,
        )?
    };
    let needs_values = runs("justification_and_finalization")
        || p.rewards
        || scan_params.registry
        || slashings
        || deposits;
    let values = match sc.values {
        Some(v) => v,
        None if needs_values => return Err(Error::Arithmetic("get_total_balance")),
        None => EpochValues::default(),
    };
    lap(&mut timings.scan);
    // Every live entry was read (`scan` checks it), one record each.
    timings.work.scan = caches.live.len() as u64;

    // 3. justification
    if runs("justification_and_finalization") {
        let mut f = state.fields_mut();
        justification::process_justification_and_finalization(
            &mut f,
            &values,
            previous_epoch,
            current_epoch,
        )?;
    }
    lap(&mut timings.justification);

    // 4. the fused pass
    let finalized_epoch = state.state().finalized_checkpoint.epoch;
    if p.inactivity || p.rewards {
        // phase0 § is_in_inactivity_leak (after justification, as the spec reads it)
        let finality_delay = sub(previous_epoch, finalized_epoch, "get_finality_delay")?;
        p.in_leak = finality_delay > P::MIN_EPOCHS_TO_INACTIVITY_PENALTY;
    }
    if p.rewards {
        const WHAT: &str = "get_flag_index_deltas";
        p.base_reward_per_increment = values.base_reward_per_increment;
        p.active_increments = div(values.total_active_balance, inc, WHAT)?;
        for (x, b) in p
            .flag_increments
            .iter_mut()
            .zip(values.previous_flag_balances)
        {
            *x = div(b, inc, WHAT)?;
        }
    }
    if slashings {
        // electra § process_slashings: the values fixed for the whole loop
        const WHAT: &str = "process_slashings";
        let total_balance = values.total_active_balance;
        let mut sum_slashings: u64 = 0;
        for x in state.state().slashings.iter() {
            sum_slashings = add(sum_slashings, *x, WHAT)?;
        }
        let adjusted_total_slashing_balance = mul(
            sum_slashings,
            P::PROPORTIONAL_SLASHING_MULTIPLIER_BELLATRIX,
            WHAT,
        )?
        .min(total_balance);
        // > Factored out from total balance to avoid uint64 overflow
        p.penalty_per_effective_balance_increment = div(
            adjusted_total_slashing_balance,
            div(total_balance, inc, WHAT)?,
            WHAT,
        )?;
    }
    if effective_balance {
        const WHAT: &str = "process_effective_balance_updates";
        let hysteresis_increment = div(inc, P::HYSTERESIS_QUOTIENT, WHAT)?;
        p.downward_threshold = mul(
            hysteresis_increment,
            P::HYSTERESIS_DOWNWARD_MULTIPLIER,
            WHAT,
        )?;
        p.upward_threshold = mul(hysteresis_increment, P::HYSTERESIS_UPWARD_MULTIPLIER, WHAT)?;
    }
    let pass = p.inactivity || p.rewards || slashings || effective_balance || p.prune;
    let out = if pass {
        let f = state.fields_mut();
        single_pass::single_pass::<P>(
            &p,
            &caches.live,
            &sc.records,
            f.balances,
            f.inactivity_scores,
        )?
    } else {
        PassOutput::default()
    };
    lap(&mut timings.single_pass);
    if pass {
        timings.work.single_pass = sc
            .records
            .iter()
            .fold(0u64, |n, r| n.saturating_add(r.flags.len() as u64));
    }

    // 5. validator record updates and ejections
    if scan_params.registry {
        timings.work.registry = (sc.eligibility.len() as u64)
            .saturating_add(sc.activation_candidates.len() as u64)
            .saturating_add(sc.ejections.len() as u64);
        let activation_epoch = compute_activation_exit_epoch::<P>(current_epoch)?;
        apply::apply_registry(
            state,
            &sc.eligibility,
            &sc.activation_candidates,
            finalized_epoch,
            activation_epoch,
        )?;
    }
    apply::apply_effective_balances(state, &out.effective_balances)?;
    if !sc.ejections.is_empty() {
        apply::eject::<P>(state, &p, values.total_active_balance, &sc.ejections)?;
    }
    lap(&mut timings.apply);

    // 6. eth1 reset, the queues, the deferred effective balances
    if runs("eth1_data_reset") {
        resets::process_eth1_data_reset(&mut state.fields_mut(), current_epoch)?;
    }
    let mut touched = Vec::new();
    if deposits {
        let churn = apply::activation_exit_churn_limit::<P>(values.total_active_balance)?;
        timings.work.pending_deposits = pending::process_pending_deposits(
            state,
            &mut caches.pubkeys,
            &mut caches.deposit_signatures,
            current_epoch,
            churn,
            &mut touched,
        )?;
    }
    lap(&mut timings.pending_deposits);
    if consolidations {
        timings.work.pending_consolidations =
            pending::process_pending_consolidations(state, current_epoch, &mut touched)?;
    }
    lap(&mut timings.pending_consolidations);
    let touched = sorted_dedup(touched);
    let n_before = caches.registry_len;
    if p.effective_balance || config.is_all() {
        // The pass skipped exactly `deferred`: every existing validator the queues changed must
        // be among them (`pending_candidates`), or its effective balance would be stale (and
        // the live set below would miss it).
        let mut skipped = crate::fast::cache::live::SortedCursor::new(&deferred);
        if touched
            .iter()
            .any(|&i| (i as usize) < n_before && !skipped.contains(i))
        {
            return Err(crate::error::Error::Assert(
                "fast process_epoch: a queue changed a validator the pass had finished",
            ));
        }
    }
    let appended = touched
        .get(touched.partition_point(|&i| (i as usize) < n_before)..)
        .unwrap_or_default();
    if p.effective_balance {
        // Decided now, from the records: what the queues changed, the ejected (their exit took
        // the effective balance before its update), and the pass's overflows. Every other
        // deferred validator takes the pass's answer (`PassOutput::tentative`).
        let again = union_sorted(&union_sorted(&sc.ejections, &touched), &out.undecided);
        timings.work.deferred_effective_balances = again.len() as u64;
        apply::deferred_effective_balances::<P>(state, &p, &again)?;
        apply::apply_tentative(state, &out.tentative, &again)?;
    }
    lap(&mut timings.deferred_effective_balances);

    // 7. periodic steps
    {
        let mut f = state.fields_mut();
        if runs("slashings_reset") {
            resets::process_slashings_reset(&mut f, current_epoch)?;
        }
        if runs("randao_mixes_reset") {
            resets::process_randao_mixes_reset(&mut f, current_epoch)?;
        }
    }
    if runs("historical_summaries_update") {
        resets::process_historical_summaries_update(state, current_epoch)?;
    }
    lap(&mut timings.resets);
    if runs("participation_flag_updates") {
        resets::process_participation_flag_updates(&mut state.fields_mut())?;
    }
    lap(&mut timings.participation_flag_updates);
    if runs("sync_committee_updates") {
        let drew = sync_committee::process_sync_committee_updates(
            state,
            caches,
            current_epoch,
            &sc.next_active,
        )?;
        timings.work.sync_committee = drew.drawn;
        timings.work.sync_committee_tested = drew.tested;
    }
    lap(&mut timings.sync_committee_updates);

    // 8. the live set for the next epoch
    if config.is_all() {
        // What joins: the queue candidates the scan did not meet in the live set, and the
        // validators the deposits appended (ejections are live; every other validator the
        // queues changed is a candidate, checked above).
        let kept = remove_sorted(std::mem::take(&mut caches.live), &out.pruned);
        caches.live = insert_absent(kept, union_sorted(&sc.deferred_missing, appended));
        caches.registry_len = state.state().validators.len();
        caches.prepared_epoch = Some(next_epoch);
    }
    caches.values = Some(values);
    lap(&mut timings.live_update);

    // 9. entering a period's last epoch: the next committee's draw, ahead of its boundary
    if config.is_all() {
        timings.work.sync_lookahead = caches.prepare_sync_lookahead(state.state(), next_epoch)?;
    }
    lap(&mut timings.sync_lookahead);
    Ok(())
}
