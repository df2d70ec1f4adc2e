//! Helpers shared by the examples (not an example itself: cargo only builds `examples/*.rs`
//! and `examples/*/main.rs`).

/// Median and min-max of `xs` (ms), as "median (min-max)".
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]
pub fn med(mut xs: Vec<f64>) -> String {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap());
    format!(
        "{:.2} ({:.2}-{:.2})",
        xs[xs.len() / 2],
        xs[0],
        xs[xs.len() - 1]
    )
}
