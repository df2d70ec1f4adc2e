//! deneb § Custom types and containers for blobs (unchanged in Electra).

use super::*;

/// deneb § Custom types `KZGCommitment`: `Bytes48`
pub type KzgCommitment = ByteVector<48>;
/// deneb § Custom types `KZGProof`: `Bytes48`
pub type KzgProof = ByteVector<48>;
/// deneb § Custom types `BlobIndex`
pub type BlobIndex = u64;
/// deneb polynomial-commitments § Custom types `Blob`:
/// `ByteVector[BYTES_PER_FIELD_ELEMENT * FIELD_ELEMENTS_PER_BLOB]`
pub type Blob<P> = FixedVector<u8, <P as Preset>::BytesPerBlob>;

/// deneb p2p-interface § BlobSidecar
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TreeHash, Serialize)]
#[serde(bound = "")]
pub struct BlobSidecar<P: Preset> {
    pub index: BlobIndex,
    /// One hex string of `BYTES_PER_BLOB` bytes, as in the vectors' `value.yaml`.
    #[serde(with = "ssz_types::serde_utils::hex_fixed_vec")]
    pub blob: Blob<P>,
    pub kzg_commitment: KzgCommitment,
    pub kzg_proof: KzgProof,
    pub signed_block_header: SignedBeaconBlockHeader,
    pub kzg_commitment_inclusion_proof: FixedVector<Bytes32, P::KzgCommitmentInclusionProofDepth>,
}

/// deneb p2p-interface § BlobIdentifier
#[derive(Clone, Debug, PartialEq, Eq, Default, Encode, Decode, TreeHash, Serialize)]
pub struct BlobIdentifier {
    pub block_root: Root,
    pub index: BlobIndex,
}
