//! phase0 § hash: SHA-256.

/// SHA-256 of `data`.
pub fn hash(data: &[u8]) -> [u8; 32] {
    ethereum_hashing::hash_fixed(data)
}

/// SHA-256 of `a ++ b`, without allocating.
pub fn hash_concat(a: &[u8], b: &[u8]) -> [u8; 32] {
    use ethereum_hashing::{Context, Sha256Context};
    let mut ctx = Context::new();
    ctx.update(a);
    ctx.update(b);
    ctx.finalize()
}
