//! Sample summaries for timings: median with min-max and the sample count. Medians, because a
//! shared machine's noise is one-sided (a run is slowed, never sped up).

use serde_json::{json, Value};
use std::time::Duration;

/// Median, min and max of a set of timings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub median_ms: f64,
    pub min_ms: f64,
    pub max_ms: f64,
    pub samples: usize,
}

impl Summary {
    /// `None` for no samples.
    pub fn of(samples: &[Duration]) -> Option<Self> {
        let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1e3).collect();
        let n = ms.len();
        let median = median(&mut ms)?;
        Some(Summary {
            median_ms: median,
            min_ms: *ms.first()?,
            max_ms: *ms.last()?,
            samples: n,
        })
    }

    /// `12.345 ms (11.9-13.0, n=5)`.
    pub fn text(&self) -> String {
        if self.samples == 1 {
            format!("{} ms (n=1)", fmt_ms(self.median_ms))
        } else {
            format!(
                "{} ms ({}-{}, n={})",
                fmt_ms(self.median_ms),
                fmt_ms(self.min_ms),
                fmt_ms(self.max_ms),
                self.samples
            )
        }
    }

    pub fn json(&self) -> Value {
        json!({"median_ms": self.median_ms, "min_ms": self.min_ms, "max_ms": self.max_ms, "samples": self.samples})
    }
}

/// The median of `v` (the mean of the middle two for an even count), sorting `v` in place;
/// `None` for no values. The one median of the bench crate: `Summary`, `results::Metric` and
/// the gate use it.
pub fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    let mid = v.len() / 2;
    if v.len() % 2 == 1 {
        v.get(mid).copied()
    } else {
        Some((v.get(mid.checked_sub(1)?)? + v.get(mid)?) / 2.0)
    }
}

/// The distribution-free 95% interval of the median of `sorted` (ascending): order statistics
/// `(x_j, x_k)` with `P(x_j <= median < x_k) >= 0.95` under Binomial(n, 1/2), the narrowest
/// symmetric pair. `None` below 6 samples, where even `(min, max)` covers less than 95%.
pub fn median_interval(sorted: &[f64]) -> Option<(f64, f64)> {
    let n = sorted.len();
    // (x_(j+1), x_(n-j)) (1-based) covers the median with P(j+1 <= B <= n-j-1), B ~ Bin(n, 1/2)
    // the count of samples below it; j grows while that stays >= 95%.
    let pmf = binomial_half_pmf(n);
    let cover = |j: usize| -> Option<f64> {
        Some(pmf.get(j.checked_add(1)?..n.checked_sub(j)?)?.iter().sum())
    };
    if cover(0)? < 0.95 {
        return None;
    }
    let mut j = 0usize;
    while let Some(c) = cover(j.saturating_add(1)) {
        if c < 0.95 || j.saturating_add(1).saturating_mul(2) >= n {
            break;
        }
        j = j.saturating_add(1);
    }
    Some((
        *sorted.get(j)?,
        *sorted.get(n.checked_sub(j)?.checked_sub(1)?)?,
    ))
}

/// P(B = i) for B ~ Binomial(n, 1/2), i = 0..=n (in log space: no overflow for large n).
fn binomial_half_pmf(n: usize) -> Vec<f64> {
    let ln2 = std::f64::consts::LN_2;
    let nf = n as f64;
    let mut ln_c = 0.0_f64; // ln C(n, 0)
    let mut out = Vec::with_capacity(n.saturating_add(1));
    for i in 0..=n {
        let fi = i as f64;
        out.push((ln_c - nf * ln2).exp());
        // C(n, i+1) = C(n, i) * (n - i) / (i + 1)
        ln_c += (nf - fi).ln() - (fi + 1.0).ln();
    }
    out
}

/// Milliseconds with precision that suits their size.
pub fn fmt_ms(ms: f64) -> String {
    if ms >= 100.0 {
        format!("{ms:.0}")
    } else if ms >= 1.0 {
        format!("{ms:.2}")
    } else {
        format!("{ms:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_min_max() {
        let d = |ms: u64| Duration::from_millis(ms);
        let s = Summary::of(&[d(5), d(1), d(3)]).unwrap_or_else(|| unreachable!());
        assert_eq!(
            (s.median_ms, s.min_ms, s.max_ms, s.samples),
            (3.0, 1.0, 5.0, 3)
        );
        let s = Summary::of(&[d(4), d(2)]).unwrap_or_else(|| unreachable!());
        assert_eq!(s.median_ms, 3.0);
        assert!(Summary::of(&[]).is_none());
    }

    #[test]
    fn median_interval_ranks() {
        let v: Vec<f64> = (1..=5).map(f64::from).collect();
        assert_eq!(
            median_interval(&v),
            None,
            "5 samples: (min, max) covers 93.75%"
        );
        let v: Vec<f64> = (1..=6).map(f64::from).collect();
        assert_eq!(median_interval(&v), Some((1.0, 6.0)), "6: 96.9%");
        let v: Vec<f64> = (1..=9).map(f64::from).collect();
        assert_eq!(
            median_interval(&v),
            Some((2.0, 8.0)),
            "9: ranks 2..8, 96.1%"
        );
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(
            median_interval(&v),
            Some((6.0, 15.0)),
            "20: ranks 6..15, 95.9%"
        );
    }
}
