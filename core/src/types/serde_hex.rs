//! Serialization in the consensus-spec-tests' YAML conventions (`value.yaml`): byte strings as
//! 0x-hex, uint256 as a decimal string.

use serde::Serializer;

/// `Version` (4 bytes) as `'0x01000000'`.
pub fn version<S: Serializer>(v: &[u8; 4], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("0x{}", hex::encode(v)))
}

/// `uint256` as a decimal string.
pub fn u256_decimal<S: Serializer>(v: &alloy_primitives::U256, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&v.to_string())
}
