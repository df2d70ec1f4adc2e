//! An epoch's beacon committees from one shuffling of the active set.

use crate::crypto::shuffle::shuffle_list;
use crate::error::{Error, Result};
use crate::helpers::accessors::{get_active_validator_indices, get_seed};
use crate::helpers::math::{add, div, mul};
use crate::preset::consts::DOMAIN_BEACON_ATTESTER;
use crate::preset::Preset;
use crate::types::{BeaconState, CommitteeIndex, Epoch, Slot, ValidatorIndex};

/// phase0 § get_beacon_committee for every slot of one epoch, from one `shuffle_list` instead of
/// one `compute_shuffled_index` per member per call.
#[derive(Clone, Debug)]
pub struct EpochCommittees {
    pub epoch: Epoch,
    pub committees_per_slot: u64,
    pub slots_per_epoch: u64,
    shuffled: Vec<ValidatorIndex>,
}

impl EpochCommittees {
    /// The committees of `epoch` as `state` determines them.
    pub fn new<P: Preset>(state: &BeaconState<P>, epoch: Epoch) -> Result<Self> {
        let active = get_active_validator_indices(state, epoch);
        let seed = get_seed(state, epoch, DOMAIN_BEACON_ATTESTER)?;
        // phase0 § get_committee_count_per_slot, from the active set already at hand.
        let per_slot = div(
            div(
                active.len() as u64,
                P::SLOTS_PER_EPOCH,
                "get_committee_count_per_slot",
            )?,
            P::TARGET_COMMITTEE_SIZE,
            "get_committee_count_per_slot",
        )?
        .clamp(1, P::MAX_COMMITTEES_PER_SLOT);
        Ok(EpochCommittees {
            epoch,
            committees_per_slot: per_slot,
            slots_per_epoch: P::SLOTS_PER_EPOCH,
            shuffled: shuffle_list::<P>(&active, &seed),
        })
    }

    /// Number of committees in the epoch.
    pub fn count(&self) -> u64 {
        self.committees_per_slot
            .saturating_mul(self.slots_per_epoch)
    }

    /// Number of active validators.
    pub fn active(&self) -> usize {
        self.shuffled.len()
    }

    /// phase0 § compute_committee's slice of the shuffled list for `(slot, index)`.
    pub fn committee(&self, slot: Slot, index: CommitteeIndex) -> Result<&[ValidatorIndex]> {
        let start_slot = mul(self.epoch, self.slots_per_epoch, "EpochCommittees")?;
        let in_epoch = slot
            .checked_sub(start_slot)
            .filter(|s| *s < self.slots_per_epoch)
            .ok_or(Error::Assert("EpochCommittees: slot outside the epoch"))?;
        if index >= self.committees_per_slot {
            return Err(Error::Assert(
                "EpochCommittees: committee index out of range",
            ));
        }
        let i = add(
            mul(in_epoch, self.committees_per_slot, "EpochCommittees")?,
            index,
            "EpochCommittees",
        )?;
        let len = self.shuffled.len() as u64;
        let count = self.count();
        let start = div(
            mul(len, i, "compute_committee")?,
            count,
            "compute_committee",
        )?;
        let end = div(
            mul(len, add(i, 1, "compute_committee")?, "compute_committee")?,
            count,
            "compute_committee",
        )?;
        self.shuffled
            .get(start as usize..end as usize)
            .ok_or(Error::OutOfRange {
                what: "shuffled",
                index: end,
                len,
            })
    }
}
