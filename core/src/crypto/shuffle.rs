//! phase0 § compute_shuffled_index (swap-or-not), and the same permutation applied to a whole list
//! in one pass per round (what committee computation at 1M validators needs).

use crate::crypto::hash::hash;
use crate::error::{ensure, Error, Result};
use crate::preset::Preset;
use crate::types::Root;

/// `hash(seed + uint_to_bytes(uint8(round)))`'s first 8 bytes mod `index_count`.
fn pivot(seed: &Root, round: u8, index_count: u64) -> u64 {
    let mut buf = [0u8; 33];
    buf[..32].copy_from_slice(seed.as_slice());
    buf[32] = round;
    let h = hash(&buf);
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    u64::from_le_bytes(b).checked_rem(index_count).unwrap_or(0)
}

/// `hash(seed + uint_to_bytes(uint8(round)) + uint_to_bytes(uint32(position // 256)))`
pub(crate) fn source(seed: &Root, round: u8, position_div_256: u32) -> [u8; 32] {
    let mut buf = [0u8; 37];
    buf[..32].copy_from_slice(seed.as_slice());
    buf[32] = round;
    buf[33..].copy_from_slice(&position_div_256.to_le_bytes());
    hash(&buf)
}

/// Bit `position % 256` of a `source` hash.
fn bit(source: &[u8; 32], position: u64) -> bool {
    let byte = source
        .get(((position % 256) / 8) as usize)
        .copied()
        .unwrap_or(0);
    (byte >> (position % 8)) & 1 == 1
}

/// phase0 § compute_shuffled_index
pub fn compute_shuffled_index<P: Preset>(index: u64, index_count: u64, seed: &Root) -> Result<u64> {
    ensure(
        index < index_count,
        "compute_shuffled_index: index < index_count",
    )?;
    let mut index = index;
    for current_round in 0..P::SHUFFLE_ROUND_COUNT {
        let pivot = pivot(seed, current_round, index_count);
        // > flip = (pivot + index_count - index) % index_count   (pivot < index_count, index < index_count)
        let flip = pivot
            .checked_add(index_count.saturating_sub(index))
            .and_then(|x| x.checked_rem(index_count))
            .ok_or(Error::Arithmetic("compute_shuffled_index"))?;
        let position = index.max(flip);
        let src = source(seed, current_round, (position / 256) as u32);
        if bit(&src, position) {
            index = flip;
        }
    }
    Ok(index)
}

/// The whole list in shuffled order: `out[i] = input[compute_shuffled_index(i, len, seed)]`,
/// as `compute_committee` reads it. O(rounds * n) hashes amortized to one per 256 positions.
///
/// Each round is an involution swapping `i` with `flip(i)` when the bit at `max(i, flip(i))` is
/// set; `compute_shuffled_index` applies rounds 0..R to an index, so the list applies them in
/// reverse order, R-1 down to 0.
#[allow(clippy::arithmetic_side_effects)] // every value stays below 2n <= 2^41
pub fn shuffle_list<P: Preset>(input: &[u64], seed: &Root) -> Vec<u64> {
    let mut list = input.to_vec();
    let n = list.len() as u64;
    if n <= 1 {
        return list;
    }
    for round in (0..P::SHUFFLE_ROUND_COUNT).rev() {
        let pivot = pivot(seed, round, n);
        let mut cached: Option<(u64, [u8; 32])> = None;
        let mut swap_if = |list: &mut [u64], i: u64, j: u64| {
            // i < j here: the position hashed is j.
            let block = j / 256;
            let src = match cached {
                Some((b, s)) if b == block => s,
                _ => {
                    let s = source(seed, round, block as u32);
                    cached = Some((block, s));
                    s
                }
            };
            if bit(&src, j) {
                list.swap(i as usize, j as usize);
            }
        };
        // Pairs with i + j = pivot: i in [0, pivot/2), j = pivot - i (descending).
        let mut i = 0u64;
        while i < pivot - i {
            swap_if(&mut list, i, pivot - i);
            i += 1;
        }
        // Pairs with i + j = pivot + n: i in (pivot, ...), j = pivot + n - i (descending).
        let mut i = pivot + 1;
        while i < pivot + n - i {
            swap_if(&mut list, i, pivot + n - i);
            i += 1;
        }
    }
    list
}

#[cfg(test)]
#[allow(
    clippy::arithmetic_side_effects,
    clippy::unwrap_used,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;
    use crate::preset::{Mainnet, Minimal};

    fn check<P: Preset>(n: u64, seed_byte: u8) {
        let seed = Root::repeat_byte(seed_byte);
        let input: Vec<u64> = (0..n).map(|i| i * 3 + 7).collect();
        let fast = shuffle_list::<P>(&input, &seed);
        for i in 0..n {
            let j = compute_shuffled_index::<P>(i, n, &seed).unwrap();
            assert_eq!(fast[i as usize], input[j as usize], "n={n} i={i}");
        }
    }

    #[test]
    fn whole_list_shuffle_matches_compute_shuffled_index() {
        for n in [1, 2, 3, 5, 16, 255, 256, 257, 1000, 3000] {
            check::<Minimal>(n, n as u8);
            check::<Mainnet>(n, 0xa5 ^ n as u8);
        }
    }
}
