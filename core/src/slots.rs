//! phase0 § process_slots / process_slot.
