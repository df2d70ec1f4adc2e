//! Block operations (electra § Block processing § Operations) and execution-layer requests.
