//! Random 64-bit blinding scalars for batch verification.
//!
//! A batch `sum r_i * (e(pk_i, H(m_i)) vs e(g1, sig_i))` is only sound if whoever chose the
//! signatures cannot predict the `r_i`: by default they come from the operating system's CSPRNG
//! (`getrandom`). [`Blinding::Seeded`] makes benchmark runs reproducible and must be asked for
//! explicitly; it is never the default.

use super::SigsError;
use crate::crypto::hash::hash_concat;

/// Bytes per scalar: 64-bit scalars, little-endian as blst's multi-scalar multiplication reads them.
pub const SCALAR_BYTES: usize = 8;
/// Bits per scalar.
pub const SCALAR_BITS: usize = 64;

/// Where blinding scalars come from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Blinding {
    /// The OS CSPRNG (the default).
    #[default]
    Os,
    /// SHA-256(seed || salt || counter): reproducible, for benchmarks only.
    Seeded(u64),
}

impl Blinding {
    /// `n` non-zero 64-bit scalars, `n * 8` little-endian bytes. `salt` separates the calls of a
    /// seeded run (the OS source ignores it).
    pub fn scalars(&self, n: usize, salt: u64) -> Result<Vec<u8>, SigsError> {
        let len = n
            .checked_mul(SCALAR_BYTES)
            .ok_or_else(|| SigsError::Entropy("too many scalars".into()))?;
        let mut out = vec![0u8; len];
        match self {
            Blinding::Os => {
                getrandom::fill(&mut out).map_err(|e| SigsError::Entropy(e.to_string()))?;
            }
            Blinding::Seeded(seed) => {
                let mut key = [0u8; 16];
                let (a, b) = key.split_at_mut(8);
                a.copy_from_slice(&seed.to_le_bytes());
                b.copy_from_slice(&salt.to_le_bytes());
                for (counter, chunk) in (0u64..).zip(out.chunks_mut(32)) {
                    let h = hash_concat(&key, &counter.to_le_bytes());
                    let take = chunk.len();
                    if let Some(src) = h.get(..take) {
                        chunk.copy_from_slice(src);
                    }
                }
            }
        }
        // A zero scalar would drop its set from the check.
        for s in out.chunks_mut(SCALAR_BYTES) {
            if s.iter().all(|&b| b == 0) {
                if let Some(b) = s.first_mut() {
                    *b = 1;
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn os_scalars_differ_and_seeded_repeat() {
        let a = Blinding::Os.scalars(64, 0).unwrap();
        let b = Blinding::Os.scalars(64, 0).unwrap();
        assert_eq!(a.len(), 512);
        assert_ne!(a, b);
        let s = Blinding::Seeded(7);
        assert_eq!(s.scalars(10, 3).unwrap(), s.scalars(10, 3).unwrap());
        assert_ne!(s.scalars(10, 3).unwrap(), s.scalars(10, 4).unwrap());
        assert!(a.chunks(8).all(|c| c.iter().any(|&x| x != 0)));
        assert_eq!(Blinding::default(), Blinding::Os);
    }
}
