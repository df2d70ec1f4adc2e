//! Which preset a `BeaconState` file is encoded for, read from its layout.
//!
//! The fixed part of an Electra `BeaconState` has a preset-dependent length (the history vectors,
//! randao mixes, slashings and sync committees are fixed-size), and its first variable-size field,
//! `historical_roots`, stores an offset equal to that length. So for each preset P: the 4 bytes at
//! P's position of that offset must equal P's fixed length. Exactly one preset matching is an
//! answer; none or both is "cannot tell" (the caller then asks for `--preset`).

use super::fields::{read_u32, Layout};
use crate::preset::{Mainnet, Minimal, Preset};

/// Where `historical_roots`' offset (the first) sits, and the length of the fixed part, for `P`.
fn layout<P: Preset>() -> Option<(usize, usize)> {
    let l = Layout::of::<P>();
    l.offsets.first().map(|&(_, at)| (at, l.fixed_len))
}

fn matches<P: Preset>(prefix: &[u8]) -> bool {
    let Some((at, fixed)) = layout::<P>() else {
        return false;
    };
    read_u32(prefix, at) == Some(fixed) && prefix.len() >= fixed
}

/// Both presets' fixed-part lengths.
fn fixed_lens() -> [usize; 2] {
    [
        Layout::of::<Mainnet>().fixed_len,
        Layout::of::<Minimal>().fixed_len,
    ]
}

/// Bytes of a state's prefix that `preset_of` needs to see (the largest preset's fixed part).
pub fn prefix_len() -> usize {
    fixed_lens().into_iter().max().unwrap_or(0)
}

/// The shortest encoding a state of any preset can have (the smallest preset's fixed part).
pub fn min_state_len() -> usize {
    fixed_lens().into_iter().min().unwrap_or(0)
}

/// `Mainnet::NAME` or `Minimal::NAME` when exactly one preset's layout fits the state's first
/// bytes (at least `prefix_len()` of them, or the whole state if shorter); `None` otherwise.
pub fn preset_of(prefix: &[u8]) -> Option<&'static str> {
    match (matches::<Mainnet>(prefix), matches::<Minimal>(prefix)) {
        (true, false) => Some(Mainnet::NAME),
        (false, true) => Some(Minimal::NAME),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::epoch::tests::test_state;
    use ssz::Encode;

    #[test]
    fn tells_the_presets_apart() {
        let mainnet = test_state::<Mainnet>(5, 3).as_ssz_bytes();
        let minimal = test_state::<Minimal>(5, 3).as_ssz_bytes();
        assert_eq!(preset_of(&mainnet), Some("mainnet"));
        assert_eq!(preset_of(&minimal), Some("minimal"));
        // A prefix is enough; a short or foreign file is not recognised.
        assert_eq!(preset_of(&mainnet[..prefix_len()]), Some("mainnet"));
        assert_eq!(preset_of(&mainnet[..1000]), None);
        assert_eq!(preset_of(&[0u8; 600_000]), None);
        // The computed fixed length is the encoder's (first offset = fixed part length).
        let (at, fixed) = layout::<Minimal>().unwrap();
        assert_eq!(
            u32::from_le_bytes(minimal[at..at + 4].try_into().unwrap()) as usize,
            fixed
        );
    }
}
