//! The fields of an Electra `BeaconState` in encoding order, each with its own decoder, so a
//! state that does not decode is explained by field (which offset is wrong, or which field's
//! bytes do not decode, and why, in words), and the layout every reader of the raw encoding
//! shares: the fixed part's length and where each variable-size field's offset sits in it.

use crate::preset::Preset;
use crate::types::*;
use ssz::{Decode, DecodeError, BYTES_PER_LENGTH_OFFSET};
use ssz_types::{BitVector, FixedVector, VariableList};

/// One field: its name, its bytes in the fixed part (the value, or an offset when `variable`),
/// and a decoder run only to explain a failure.
pub(super) struct Field {
    pub name: &'static str,
    pub variable: bool,
    pub fixed_len: usize,
    check: fn(&[u8]) -> Result<(), DecodeError>,
}

fn field<T: Decode>(name: &'static str) -> Field {
    Field {
        name,
        variable: !T::is_ssz_fixed_len(),
        fixed_len: T::ssz_fixed_len(),
        check: |bytes| T::from_ssz_bytes(bytes).map(drop),
    }
}

/// The state's layout for preset `P`.
pub(super) struct Layout {
    pub fields: Vec<Field>,
    /// (index into `fields`, byte position of its offset) for each variable-size field.
    pub offsets: Vec<(usize, usize)>,
    pub fixed_len: usize,
}

impl Layout {
    pub fn of<P: Preset>() -> Self {
        // Field order of electra § BeaconState (core/src/types/state.rs).
        let fields = vec![
            field::<u64>("genesis_time"),
            field::<Root>("genesis_validators_root"),
            field::<Slot>("slot"),
            field::<Fork>("fork"),
            field::<BeaconBlockHeader>("latest_block_header"),
            field::<FixedVector<Root, P::SlotsPerHistoricalRoot>>("block_roots"),
            field::<FixedVector<Root, P::SlotsPerHistoricalRoot>>("state_roots"),
            field::<VariableList<Root, P::HistoricalRootsLimit>>("historical_roots"),
            field::<Eth1Data>("eth1_data"),
            field::<VariableList<Eth1Data, P::SlotsPerEth1VotingPeriod>>("eth1_data_votes"),
            field::<u64>("eth1_deposit_index"),
            field::<VariableList<Validator, P::ValidatorRegistryLimit>>("validators"),
            field::<VariableList<Gwei, P::ValidatorRegistryLimit>>("balances"),
            field::<FixedVector<Bytes32, P::EpochsPerHistoricalVector>>("randao_mixes"),
            field::<FixedVector<Gwei, P::EpochsPerSlashingsVector>>("slashings"),
            field::<VariableList<ParticipationFlags, P::ValidatorRegistryLimit>>(
                "previous_epoch_participation",
            ),
            field::<VariableList<ParticipationFlags, P::ValidatorRegistryLimit>>(
                "current_epoch_participation",
            ),
            field::<BitVector<typenum::U4>>("justification_bits"),
            field::<Checkpoint>("previous_justified_checkpoint"),
            field::<Checkpoint>("current_justified_checkpoint"),
            field::<Checkpoint>("finalized_checkpoint"),
            field::<VariableList<u64, P::ValidatorRegistryLimit>>("inactivity_scores"),
            field::<SyncCommittee<P>>("current_sync_committee"),
            field::<SyncCommittee<P>>("next_sync_committee"),
            field::<ExecutionPayloadHeader<P>>("latest_execution_payload_header"),
            field::<WithdrawalIndex>("next_withdrawal_index"),
            field::<ValidatorIndex>("next_withdrawal_validator_index"),
            field::<VariableList<HistoricalSummary, P::HistoricalRootsLimit>>(
                "historical_summaries",
            ),
            field::<u64>("deposit_requests_start_index"),
            field::<Gwei>("deposit_balance_to_consume"),
            field::<Gwei>("exit_balance_to_consume"),
            field::<Epoch>("earliest_exit_epoch"),
            field::<Gwei>("consolidation_balance_to_consume"),
            field::<Epoch>("earliest_consolidation_epoch"),
            field::<QueueList<PendingDeposit, P::PendingDepositsLimit>>("pending_deposits"),
            field::<VariableList<PendingPartialWithdrawal, P::PendingPartialWithdrawalsLimit>>(
                "pending_partial_withdrawals",
            ),
            field::<VariableList<PendingConsolidation, P::PendingConsolidationsLimit>>(
                "pending_consolidations",
            ),
        ];
        let mut pos = 0usize;
        let mut offsets = Vec::new();
        for (i, f) in fields.iter().enumerate() {
            if f.variable {
                offsets.push((i, pos));
            }
            pos = pos.saturating_add(f.fixed_len);
        }
        Layout {
            fields,
            offsets,
            fixed_len: pos,
        }
    }

    fn name(&self, field: usize) -> &'static str {
        self.fields.get(field).map_or("?", |f| f.name)
    }

    /// The offsets' values, read from `fixed` (at least the fixed part) and checked against an
    /// encoding of `total` bytes: the first is the fixed part's end, none decreases, none points
    /// past the end. The error is a sentence naming the field.
    pub fn read_offsets(&self, fixed: &[u8], total: usize) -> Result<Vec<usize>, String> {
        let mut values: Vec<usize> = Vec::with_capacity(self.offsets.len());
        for &(field, pos) in &self.offsets {
            let name = self.name(field);
            let v = read_u32(fixed, pos).ok_or_else(|| format!("the {name} offset is cut off"))?;
            match values.last() {
                None if v != self.fixed_len => {
                    return Err(format!(
                        "the first offset ({name}) is {v}, not {}, the end of the fixed part \
                         (a state of another preset or fork, or not a BeaconState)",
                        self.fixed_len
                    ))
                }
                Some(&prev) if v < prev => {
                    return Err(format!(
                        "the {name} offset ({v}) points before the previous field's ({prev})"
                    ))
                }
                _ if v > total => {
                    return Err(format!(
                        "the {name} offset ({v}) points past the end of the data ({total} bytes)"
                    ))
                }
                _ => values.push(v),
            }
        }
        Ok(values)
    }

    /// Why `bytes` (a whole encoding) do not decode as the state, given the decoder's error: an
    /// offset problem or the first field whose own bytes do not decode, as a sentence.
    pub fn explain(&self, bytes: &[u8], err: &DecodeError) -> String {
        if bytes.len() < self.fixed_len {
            return format!(
                "{} bytes, shorter than the fixed part ({} bytes)",
                bytes.len(),
                self.fixed_len
            );
        }
        let values = match self.read_offsets(bytes, bytes.len()) {
            Ok(v) => v,
            Err(sentence) => return sentence,
        };
        let mut pos = 0usize;
        let mut k = 0usize;
        for f in &self.fields {
            let range = if f.variable {
                let start = values.get(k).copied().unwrap_or(bytes.len());
                k = k.saturating_add(1);
                start..values.get(k).copied().unwrap_or(bytes.len())
            } else {
                pos..pos.saturating_add(f.fixed_len)
            };
            pos = pos.saturating_add(f.fixed_len);
            if let Some(Err(e)) = bytes.get(range).map(f.check) {
                return format!("{}: {}", f.name, describe(&e));
            }
        }
        describe(err)
    }
}

/// The little-endian u32 at `at`, when the bytes are there.
pub(super) fn read_u32(buf: &[u8], at: usize) -> Option<usize> {
    let b: [u8; 4] = buf.get(at..at.checked_add(4)?)?.try_into().ok()?;
    usize::try_from(u32::from_le_bytes(b)).ok()
}

/// An SSZ decoding error as a sentence (the decoder's own text is its variant's Debug form).
/// Offsets and positions are relative to the value being decoded.
pub fn describe(e: &DecodeError) -> String {
    match e {
        DecodeError::InvalidByteLength { len, expected } => {
            format!("{len} bytes where {expected} were expected")
        }
        DecodeError::InvalidLengthPrefix { len, expected } => {
            format!("a length prefix of {len} bytes where {expected} were expected")
        }
        DecodeError::OutOfBoundsByte { i } => {
            format!("an offset points at byte {i}, outside the value's bytes")
        }
        DecodeError::OffsetIntoFixedPortion(o) => {
            format!("an offset ({o}) points into the fixed-size part")
        }
        DecodeError::OffsetSkipsVariableBytes(o) => {
            format!("the first offset ({o}) does not point at the end of the fixed-size part")
        }
        DecodeError::OffsetsAreDecreasing(o) => {
            format!("an offset ({o}) points before the one preceding it")
        }
        DecodeError::OffsetOutOfBounds(o) => {
            format!("an offset ({o}) points past the end of the value's bytes")
        }
        DecodeError::InvalidListFixedBytesLen(n) => format!(
            "a list's first offset ({n}) is not a multiple of {BYTES_PER_LENGTH_OFFSET} bytes"
        ),
        DecodeError::ZeroLengthItem => "an item type of zero length".to_string(),
        // ssz_types words these itself ("VariableList of 65 items exceeds maximum of 64").
        DecodeError::BytesInvalid(why) => format!("invalid bytes: {why}"),
        DecodeError::UnionSelectorInvalid(s) => format!("union selector {s} is not valid"),
        DecodeError::NoMatchingVariant => "the bytes match no variant of the type".to_string(),
    }
}
