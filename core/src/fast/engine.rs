//! `FastEngine`: the fast path's whole state, a `TrackedState` (with its incremental root) and the
//! epoch caches, kept together so that neither can be paired with another state.

use crate::error::Result;
use crate::fast::cache::FastCaches;
use crate::fast::epoch::{process_epoch_fast_timed, EpochConfig, EpochTimings};
use crate::fast::slots::process_slots_with;
use crate::fast::tracked::TrackedState;
use crate::preset::Preset;
use crate::types::{BeaconState, Root, Slot};

/// The fast engine: what `maxeb transition` and `maxeb epoch` run by default.
#[derive(Debug, Clone)]
pub struct FastEngine<P: Preset> {
    state: TrackedState<P>,
    caches: FastCaches,
}

impl<P: Preset> FastEngine<P> {
    /// Take a state and build the epoch caches (live set, pubkey index, sync committees). The
    /// root cache fills on the first `hash_tree_root` (the cold root).
    pub fn new(state: BeaconState<P>) -> Result<Self> {
        let mut caches = FastCaches::build(&state)?;
        let mut state = TrackedState::new(state);
        caches.pair_with(&mut state);
        Ok(FastEngine { state, caches })
    }

    /// The state, read-only.
    pub fn state(&self) -> &BeaconState<P> {
        self.state.state()
    }

    /// The state, giving up the caches.
    pub fn into_state(self) -> BeaconState<P> {
        self.state.into_state()
    }

    /// The epoch caches (for inspection and tests).
    pub fn caches(&self) -> &FastCaches {
        &self.caches
    }

    /// ssz § hash_tree_root, incrementally (the first call hashes everything, in parallel).
    pub fn hash_tree_root(&mut self) -> Root {
        self.state.hash_tree_root()
    }

    /// electra § process_epoch on the fast path.
    pub fn process_epoch(&mut self) -> Result<()> {
        self.process_epoch_timed(&mut EpochTimings::default())
    }

    /// `process_epoch`, recording each phase's wall time.
    pub fn process_epoch_timed(&mut self, timings: &mut EpochTimings) -> Result<()> {
        process_epoch_fast_timed(
            &mut self.state,
            &mut self.caches,
            &EpochConfig::all(),
            timings,
        )
    }

    /// phase0 § process_slots on the fast path: each slot's root costs what changed, each
    /// boundary runs the fast epoch with the carried caches.
    pub fn process_slots(&mut self, slot: Slot) -> Result<()> {
        let caches = &mut self.caches;
        process_slots_with(&mut self.state, slot, |s| {
            process_epoch_fast_timed(s, caches, &EpochConfig::all(), &mut EpochTimings::default())
        })
    }

    /// Bytes the engine holds beside the state: the root cache and the epoch caches.
    pub fn cache_bytes(&self) -> usize {
        self.state
            .root_cache_bytes()
            .saturating_add(self.caches.heap_bytes())
    }
}
