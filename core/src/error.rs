//! Typed errors of the state transition. A transition that hits one of these is invalid.

use thiserror::Error;

/// Why a state transition (or one of its steps) is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// A uint64 operation the spec performs overflowed or underflowed (the spec's `assert`
    /// semantics: the transition is invalid).
    #[error("uint64 arithmetic overflow/underflow in {0}")]
    Arithmetic(&'static str),
    /// An index is out of range of the list it addresses.
    #[error("index {index} out of range in {what} (len {len})")]
    OutOfRange {
        what: &'static str,
        index: u64,
        len: u64,
    },
    /// An SSZ list would exceed its limit.
    #[error("list {0} is full")]
    ListFull(&'static str),
    /// A spec `assert` failed.
    #[error("assertion failed: {0}")]
    Assert(&'static str),
    /// A BLS signature did not verify, or a key or signature failed to decode.
    #[error("invalid signature: {0}")]
    Signature(&'static str),
}

/// Result of a transition step.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `assert` in the spec: return `Error::Assert(msg)` unless `cond` holds.
#[inline]
pub fn ensure(cond: bool, msg: &'static str) -> Result<()> {
    if cond {
        Ok(())
    } else {
        Err(Error::Assert(msg))
    }
}
