//! Attestation signatures at epoch scale (issue 8): the gossip path (every `SingleAttestation`
//! batch-verified with blinding, same-message grouping and bisection), committee aggregation, and
//! the aggregate path (committee aggregates and on-chain `Attestation`s), all on rayon over
//! chunks of work, with decompressed public keys from a [`PubkeyCache`] built once per state.
//!
//! Nothing here knows how fixture keys are made: keys and signatures are opaque bytes.

pub mod aggregate;
pub mod batch;
pub mod blinding;
pub mod committees;
pub mod pubkey_cache;

pub use aggregate::{
    aggregate_committees, verify_aggregates, verify_attestations, AggregationJob,
    CommitteeAggregate,
};
pub use batch::{verify_gossip, verify_sets, GossipReport, SignatureSet};
pub use blinding::Blinding;
pub use committees::EpochCommittees;
pub use pubkey_cache::PubkeyCache;

use crate::types::{BlsSignature, CommitteeIndex, ValidatorIndex};
use std::path::PathBuf;
use thiserror::Error;

/// electra § SingleAttestation, with its `data` interned: `message` indexes the caller's table of
/// the epoch's distinct `AttestationData` (and their signing roots), so a million attestations do
/// not carry a million copies of a handful of 128-byte containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SingleAttestation {
    pub committee_index: CommitteeIndex,
    pub attester_index: ValidatorIndex,
    pub message: u32,
    pub signature: BlsSignature,
}

/// Why signature work could not run (an invalid signature is a result, not an error).
#[derive(Debug, Error)]
pub enum SigsError {
    #[error("pubkey cache {path}: {problem}")]
    Cache { path: PathBuf, problem: String },
    #[error("pubkey cache {path}: {source}")]
    CacheIo {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::io::IoError),
    #[error("blinding entropy from the OS: {0}")]
    Entropy(String),
    #[error("message {0} is not in the message table")]
    Message(u32),
    #[error(transparent)]
    Transition(#[from] crate::error::Error),
}
