//! First pass over the live set: the balance sums justification, rewards, slashings and the
//! churn need (altair § get_unslashed_participating_indices / phase0 § get_total_balance /
//! get_total_active_balance), summed once instead of once per use.

use crate::error::{Error, Result};
use crate::fast::cache::EpochValues;
use crate::helpers::accessors::base_reward_per_increment_from_total;
use crate::helpers::math::add;
use crate::helpers::misc::has_flag;
use crate::helpers::predicates::is_active_validator;
use crate::preset::consts::TIMELY_TARGET_FLAG_INDEX;
use crate::preset::Preset;
use crate::types::{Epoch, Gwei, ParticipationFlags, Validator};
use rayon::prelude::*;

const WHAT: &str = "get_total_balance";
/// Live indices per rayon task.
const CHUNK: usize = 1 << 14;

/// Raw sums (before `get_total_balance`'s one-increment floor).
#[derive(Clone, Copy, Default)]
struct Raw {
    active: Gwei,
    previous: [Gwei; 3],
    current_target: Gwei,
}

impl Raw {
    fn merge(self, o: Raw) -> Result<Raw> {
        let mut previous = [0; 3];
        for ((p, a), b) in previous.iter_mut().zip(self.previous).zip(o.previous) {
            *p = add(a, b, WHAT)?;
        }
        Ok(Raw {
            active: add(self.active, o.active, WHAT)?,
            previous,
            current_target: add(self.current_target, o.current_target, WHAT)?,
        })
    }
}

/// The epoch's balance sums over `live` (a superset of every active validator), as
/// `get_total_balance` gives them (floored at one increment).
pub fn epoch_values<P: Preset>(
    live: &[u32],
    validators: &[Validator],
    previous_participation: &[ParticipationFlags],
    current_participation: &[ParticipationFlags],
    previous_epoch: Epoch,
    current_epoch: Epoch,
) -> Result<EpochValues> {
    let raw = live
        .par_chunks(CHUNK)
        .map(|chunk| {
            let mut r = Raw::default();
            for &i in chunk {
                let i = i as usize;
                let (Some(v), Some(&pf), Some(&cf)) = (
                    validators.get(i),
                    previous_participation.get(i),
                    current_participation.get(i),
                ) else {
                    return Err(Error::OutOfRange {
                        what: "validators",
                        index: i as u64,
                        len: validators.len() as u64,
                    });
                };
                let eb = v.effective_balance;
                let active_current = is_active_validator(v, current_epoch);
                if active_current {
                    r.active = add(r.active, eb, WHAT)?;
                }
                if !v.slashed {
                    if is_active_validator(v, previous_epoch) {
                        for (flag, sum) in r.previous.iter_mut().enumerate() {
                            if has_flag(pf, flag) {
                                *sum = add(*sum, eb, WHAT)?;
                            }
                        }
                    }
                    if active_current && has_flag(cf, TIMELY_TARGET_FLAG_INDEX) {
                        r.current_target = add(r.current_target, eb, WHAT)?;
                    }
                }
            }
            Ok(r)
        })
        .try_reduce(Raw::default, Raw::merge)?;
    let floor = |x: Gwei| x.max(P::EFFECTIVE_BALANCE_INCREMENT);
    let total_active_balance = floor(raw.active);
    Ok(EpochValues {
        total_active_balance,
        previous_flag_balances: raw.previous.map(floor),
        current_target_balance: floor(raw.current_target),
        base_reward_per_increment: base_reward_per_increment_from_total::<P>(total_active_balance)?,
    })
}
