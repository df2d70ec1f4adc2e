//! Fixed-size byte vectors that are not 32 bytes: `BLSPubkey` (48), `BLSSignature` (96).
//!
//! SSZ `ByteVector[N]`: serialized as the raw bytes; hashed by packing into 32-byte chunks.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use ssz::{Decode, DecodeError, Encode};
use tree_hash::{PackedEncoding, TreeHash, TreeHashType};

/// SSZ `ByteVector[N]`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ByteVector<const N: usize>(pub [u8; N]);

/// `BLSPubkey`: a compressed G1 point.
pub type BlsPubkey = ByteVector<48>;
/// `BLSSignature`: a compressed G2 point.
pub type BlsSignature = ByteVector<96>;

impl<const N: usize> ByteVector<N> {
    pub const ZERO: Self = Self([0u8; N]);

    pub fn as_bytes(&self) -> &[u8; N] {
        &self.0
    }
}

impl<const N: usize> Default for ByteVector<N> {
    fn default() -> Self {
        Self([0u8; N])
    }
}

impl<const N: usize> std::fmt::Debug for ByteVector<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "0x{}", hex::encode(self.0))
    }
}

impl<const N: usize> From<[u8; N]> for ByteVector<N> {
    fn from(b: [u8; N]) -> Self {
        Self(b)
    }
}

impl<const N: usize> Encode for ByteVector<N> {
    fn is_ssz_fixed_len() -> bool {
        true
    }
    fn ssz_fixed_len() -> usize {
        N
    }
    fn ssz_bytes_len(&self) -> usize {
        N
    }
    fn ssz_append(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.0);
    }
}

impl<const N: usize> Decode for ByteVector<N> {
    fn is_ssz_fixed_len() -> bool {
        true
    }
    fn ssz_fixed_len() -> usize {
        N
    }
    fn from_ssz_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        let arr: [u8; N] = bytes
            .try_into()
            .map_err(|_| DecodeError::InvalidByteLength {
                len: bytes.len(),
                expected: N,
            })?;
        Ok(Self(arr))
    }
}

impl<const N: usize> TreeHash for ByteVector<N> {
    fn tree_hash_type() -> TreeHashType {
        TreeHashType::Vector
    }
    fn tree_hash_packed_encoding(&self) -> PackedEncoding {
        unreachable!("ByteVector is not a basic type and is never packed")
    }
    fn tree_hash_packing_factor() -> usize {
        unreachable!("ByteVector is not a basic type and is never packed")
    }
    fn tree_hash_root(&self) -> tree_hash::Hash256 {
        // A ByteVector's chunk count is ceil(N / 32); merkle_root pads to the next power of two.
        tree_hash::merkle_root(&self.0, N.div_ceil(32))
    }
}

impl<const N: usize> Serialize for ByteVector<N> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(self.0)))
    }
}

impl<'de, const N: usize> Deserialize<'de> for ByteVector<N> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let raw = hex::decode(s.trim_start_matches("0x")).map_err(serde::de::Error::custom)?;
        let arr: [u8; N] = raw.try_into().map_err(|v: Vec<u8>| {
            serde::de::Error::custom(format!("expected {N} bytes, got {}", v.len()))
        })?;
        Ok(Self(arr))
    }
}
