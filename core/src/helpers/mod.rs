//! Helper functions of the spec (phase0..electra § Helper functions): math, predicates, misc,
//! beacon-state accessors and mutators.

pub mod accessors;
pub mod math;
pub mod misc;
pub mod mutators;
pub mod predicates;
