//! Reading and writing SSZ files: `.ssz` (raw) and `.ssz_snappy` (snappy *block* format, as the
//! consensus-spec-tests use) and, on read, framed snappy too (what some tools write).
//!
//! Writes go to a temporary file in the same folder, then rename, so a failed or interrupted write
//! never leaves a half-written file at the destination.

use crate::preset::Preset;
use crate::types::BeaconState;
use ssz::{Decode, Encode};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

mod fields;
mod lean;
mod preset_of;

pub use fields::describe as describe_decode_error;
pub use preset_of::{min_state_len, prefix_len as preset_prefix_len, preset_of};

/// Largest decompressed size accepted (a 2M-validator mainnet state is ~300 MB).
pub const MAX_DECOMPRESSED_LEN: usize = 4 << 30;

/// An I/O or decoding error, naming the file.
#[derive(Debug, Error)]
pub enum IoError {
    #[error("{path}: cannot read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: cannot write: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: unknown extension (expected .ssz or .ssz_snappy)")]
    Extension { path: PathBuf },
    #[error("{path}: bad snappy data: {reason}")]
    Snappy { path: PathBuf, reason: String },
    #[error("{path}: not a valid {what} SSZ encoding: {reason}")]
    Ssz {
        path: PathBuf,
        what: String,
        reason: String,
    },
    /// Shorter than the fixed part of any state it could be (`what` names the preset if known).
    #[error("{path}: truncated or not a {what} ({len} bytes, the smallest is {min})")]
    Truncated {
        path: PathBuf,
        what: String,
        len: usize,
        min: usize,
    },
}

/// On-disk encodings of an SSZ value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Raw SSZ bytes.
    Ssz,
    /// Snappy-compressed SSZ: block format written; block or framed accepted on read.
    SszSnappy,
}

impl Format {
    /// The format named by a file's extension (`.ssz` / `.ssz_snappy`).
    pub fn from_path(path: &Path) -> Result<Self, IoError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("ssz") => Ok(Format::Ssz),
            Some("ssz_snappy") => Ok(Format::SszSnappy),
            _ => Err(IoError::Extension {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Decompress snappy data: block format first (the spec tests' format), then the framed stream
/// format (starts with the stream identifier chunk `ff 06 00 00 73 4e 61 50 70 59`).
pub fn snappy_decompress(path: &Path, data: &[u8]) -> Result<Vec<u8>, IoError> {
    const STREAM_ID: &[u8] = b"\xff\x06\x00\x00sNaPpY";
    let err = |reason: String| IoError::Snappy {
        path: path.to_path_buf(),
        reason,
    };
    if data.starts_with(STREAM_ID) {
        let mut out = Vec::new();
        snap::read::FrameDecoder::new(data)
            .read_to_end(&mut out)
            .map_err(|e| err(e.to_string()))?;
        return Ok(out);
    }
    let len = snap::raw::decompress_len(data).map_err(|e| err(e.to_string()))?;
    if len > MAX_DECOMPRESSED_LEN {
        return Err(err(format!(
            "declares {len} bytes, more than the {MAX_DECOMPRESSED_LEN} accepted"
        )));
    }
    snap::raw::Decoder::new()
        .decompress_vec(data)
        .map_err(|e| err(e.to_string()))
}

/// Compress in snappy block format.
pub fn snappy_compress(path: &Path, data: &[u8]) -> Result<Vec<u8>, IoError> {
    snap::raw::Encoder::new()
        .compress_vec(data)
        .map_err(|e| IoError::Snappy {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })
}

/// Read a file's SSZ bytes, decompressing by extension.
pub fn read_ssz_bytes(path: &Path) -> Result<Vec<u8>, IoError> {
    let format = Format::from_path(path)?;
    let raw = std::fs::read(path).map_err(|source| IoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    match format {
        Format::Ssz => Ok(raw),
        Format::SszSnappy => snappy_decompress(path, &raw),
    }
}

/// Decode an SSZ value from bytes, naming the file and type on failure.
pub fn decode_ssz<T: Decode>(path: &Path, what: &str, bytes: &[u8]) -> Result<T, IoError> {
    T::from_ssz_bytes(bytes).map_err(|e| IoError::Ssz {
        path: path.to_path_buf(),
        what: what.to_string(),
        reason: describe_decode_error(&e),
    })
}

/// What a state of preset `P` is called in messages.
fn state_what<P: Preset>() -> String {
    format!("Electra BeaconState ({} preset)", P::NAME)
}

/// `IoError::Truncated` for a state of preset `P` (its fixed part is the smallest encoding).
fn truncated<P: Preset>(path: &Path, len: usize, fixed_len: usize) -> IoError {
    IoError::Truncated {
        path: path.to_path_buf(),
        what: format!("{}-preset BeaconState", P::NAME),
        len,
        min: fixed_len,
    }
}

/// Decode an Electra `BeaconState` of preset `P`; a failure names the field and says why.
pub fn decode_state<P: Preset>(path: &Path, bytes: &[u8]) -> Result<BeaconState<P>, IoError> {
    let layout = fields::Layout::of::<P>();
    if bytes.len() < layout.fixed_len {
        return Err(truncated::<P>(path, bytes.len(), layout.fixed_len));
    }
    BeaconState::<P>::from_ssz_bytes(bytes).map_err(|e| IoError::Ssz {
        path: path.to_path_buf(),
        what: state_what::<P>(),
        reason: layout.explain(bytes, &e),
    })
}

/// Read and decode an SSZ value from a `.ssz` or `.ssz_snappy` file.
pub fn read_ssz<T: Decode>(path: &Path, what: &str) -> Result<T, IoError> {
    let bytes = read_ssz_bytes(path)?;
    decode_ssz(path, what, &bytes)
}

/// Read an Electra `BeaconState` of preset `P`. A raw `.ssz` file is decoded without holding the
/// whole file in memory beside the state (see `lean`); `.ssz_snappy` is decompressed first.
pub fn read_state<P: Preset>(path: &Path) -> Result<BeaconState<P>, IoError> {
    match Format::from_path(path)? {
        Format::Ssz => lean::read_state_ssz(path),
        Format::SszSnappy => decode_state(path, &read_ssz_bytes(path)?),
    }
}

/// The preset a state file is encoded for (`"mainnet"` / `"minimal"`), read from its layout;
/// `None` when the layout fits neither or both; `IoError::Truncated` when the file is shorter
/// than every preset's fixed part (no preset to ask for). A raw `.ssz` file is read only as far
/// as needed.
pub fn state_file_preset(path: &Path) -> Result<Option<&'static str>, IoError> {
    let rerr = |source| IoError::Read {
        path: path.to_path_buf(),
        source,
    };
    let bytes = match Format::from_path(path)? {
        Format::Ssz => {
            let mut prefix = Vec::new();
            std::fs::File::open(path)
                .map_err(rerr)?
                .take(preset_prefix_len() as u64)
                .read_to_end(&mut prefix)
                .map_err(rerr)?;
            prefix
        }
        Format::SszSnappy => read_ssz_bytes(path)?,
    };
    // A prefix shorter than the prefix asked for is the whole file.
    if bytes.len() < min_state_len() {
        return Err(IoError::Truncated {
            path: path.to_path_buf(),
            what: "BeaconState".into(),
            len: bytes.len(),
            min: min_state_len(),
        });
    }
    Ok(preset_of(&bytes))
}

/// Write `bytes` to `path` atomically: a temporary file beside it, fsync, then rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let werr = |source| IoError::Write {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Unique per process and per call: two threads writing the same path must not share a temp.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp.{}.{n}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(werr)
}

/// Encode and write an SSZ value, compressing by extension; atomic.
pub fn write_ssz<T: Encode>(path: &Path, value: &T) -> Result<(), IoError> {
    let format = Format::from_path(path)?;
    let bytes = value.as_ssz_bytes();
    match format {
        Format::Ssz => write_atomic(path, &bytes),
        Format::SszSnappy => write_atomic(path, &snappy_compress(path, &bytes)?),
    }
}
