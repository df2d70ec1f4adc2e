//! phase0 § Math, plus the checked uint64 arithmetic the whole transition uses.

use crate::error::{Error, Result};

/// phase0 § integer_squareroot
pub fn integer_squareroot(n: u64) -> u64 {
    // > if n == UINT64_MAX: return UINT64_MAX_SQRT
    if n == u64::MAX {
        return 4_294_967_295;
    }
    let mut x = n;
    // > y = (x + 1) // 2   (div_ceil: no overflow at n = UINT64_MAX - 1)
    let mut y = x.div_ceil(2);
    while y < x {
        x = y;
        // > y = (x + n // x) // 2   (x >= 1 here; from above sqrt(n), x + n/x <= n + 1)
        y = x.saturating_add(n.checked_div(x).unwrap_or(0)) / 2;
    }
    x
}

/// uint64 `a + b`; overflow makes the transition invalid.
#[inline]
pub fn add(a: u64, b: u64, what: &'static str) -> Result<u64> {
    a.checked_add(b).ok_or(Error::Arithmetic(what))
}

/// uint64 `a - b`; underflow makes the transition invalid.
#[inline]
pub fn sub(a: u64, b: u64, what: &'static str) -> Result<u64> {
    a.checked_sub(b).ok_or(Error::Arithmetic(what))
}

/// uint64 `a * b`; overflow makes the transition invalid.
#[inline]
pub fn mul(a: u64, b: u64, what: &'static str) -> Result<u64> {
    a.checked_mul(b).ok_or(Error::Arithmetic(what))
}

/// uint64 `a // b`; division by zero makes the transition invalid.
#[inline]
pub fn div(a: u64, b: u64, what: &'static str) -> Result<u64> {
    a.checked_div(b).ok_or(Error::Arithmetic(what))
}

/// uint64 `a % b`; modulo by zero makes the transition invalid.
#[inline]
pub fn rem(a: u64, b: u64, what: &'static str) -> Result<u64> {
    a.checked_rem(b).ok_or(Error::Arithmetic(what))
}

/// `a / b` where `b` is a preset constant. Every divisor in `Preset` is non-zero
/// (`preset::tests::divisors_are_nonzero`), so this cannot divide by zero; clippy cannot see
/// through `P::CONST`, hence the one allowance here instead of one per call site.
#[inline]
#[allow(clippy::arithmetic_side_effects)]
pub(crate) const fn div_preset(a: u64, b: u64) -> u64 {
    a / b
}

/// `a % b` where `b` is a preset constant (see `div_preset`).
#[inline]
#[allow(clippy::arithmetic_side_effects)]
pub(crate) const fn rem_preset(a: u64, b: u64) -> u64 {
    a % b
}

/// phase0 § bytes_to_uint64 (little-endian) of the first 8 bytes of a 32-byte hash.
#[inline]
pub fn bytes_to_uint64(bytes: &[u8; 32]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(bytes.get(..8).unwrap_or(&[0u8; 8]));
    u64::from_le_bytes(b)
}

#[cfg(test)]
#[allow(clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    /// Reference: the largest x with x*x <= n, by binary search in u128.
    fn isqrt_ref(n: u64) -> u64 {
        let (mut lo, mut hi) = (0u128, 1u128 << 32);
        while lo + 1 < hi {
            let mid = (lo + hi) / 2;
            if mid * mid <= n as u128 {
                lo = mid
            } else {
                hi = mid
            }
        }
        lo as u64
    }

    #[test]
    fn integer_squareroot_matches_reference() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut cases = vec![
            0,
            1,
            2,
            3,
            4,
            15,
            16,
            17,
            1 << 32,
            (1 << 32) - 1,
            u64::MAX,
            u64::MAX - 1,
        ];
        for _ in 0..10_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            cases.push(x);
            cases.push(x >> (x % 64));
        }
        for n in cases {
            assert_eq!(integer_squareroot(n), isqrt_ref(n), "n = {n}");
        }
    }
}
