//! BLS signatures (phase0 § BLS signatures, altair § BLS extensions), on blst (min_pk).
//! To be filled: Verify, Aggregate, FastAggregateVerify, AggregateVerify, eth_aggregate_pubkeys,
//! eth_fast_aggregate_verify.
