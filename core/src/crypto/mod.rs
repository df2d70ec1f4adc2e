//! Cryptographic primitives: SHA-256, the swap-or-not shuffle, BLS signatures (blst).

pub mod bls;
pub mod hash;
pub mod shuffle;
