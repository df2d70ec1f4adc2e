//! electra § Epoch processing: one file per `process_epoch` step, in spec order.
