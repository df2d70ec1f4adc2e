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

/// Bootstrap resamples behind a ratio's interval.
const RESAMPLES: usize = 2000;

/// `median(cur) / median(base)` with its 95% interval: a percentile bootstrap over paired
/// rounds (sample i of each was taken in the same round, so a round's noise moves both; the
/// resampling keeps the pairs). The generator is seeded with a constant: the same samples give
/// the same interval. `None` for unpaired or empty input, or a zero median.
pub fn ratio_interval(base: &[f64], cur: &[f64]) -> Option<(f64, f64, f64)> {
    let n = base.len();
    if n == 0 || cur.len() != n {
        return None;
    }
    let ratio = |b: &mut Vec<f64>, c: &mut Vec<f64>| -> Option<f64> {
        let mb = median(b)?;
        (mb > 0.0).then_some(median(c)? / mb)
    };
    let point = ratio(&mut base.to_vec(), &mut cur.to_vec())?;
    let mut rng = SplitMix(0x6d61_7865_625f_6273);
    let mut ratios = Vec::with_capacity(RESAMPLES);
    let (mut b, mut c) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..RESAMPLES {
        b.clear();
        c.clear();
        for _ in 0..n {
            let i = rng.below(n);
            b.push(*base.get(i)?);
            c.push(*cur.get(i)?);
        }
        if let Some(r) = ratio(&mut b, &mut c) {
            ratios.push(r);
        }
    }
    ratios.sort_by(f64::total_cmp);
    let at = |q: f64| {
        let k = ((ratios.len() as f64 - 1.0) * q).round() as usize;
        ratios.get(k).copied()
    };
    Some((point, at(0.025)?, at(0.975)?))
}

/// splitmix64: a small, seedable generator (the bootstrap's only randomness).
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; the modulo bias is below 2^-40 for any n here).
    fn below(&mut self, n: usize) -> usize {
        self.next().checked_rem(n.max(1) as u64).unwrap_or(0) as usize
    }
}

/// A fraction written as `5%` or `0.05`, above 0 and below `max` (a CLI argument).
pub fn parse_fraction(s: &str, max: f64) -> Result<f64, String> {
    let (num, scale) = match s.strip_suffix('%') {
        Some(n) => (n, 100.0),
        None => (s, 1.0),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("`{s}`: expected e.g. 5% or 0.05"))?;
    let v = v / scale;
    if v.is_finite() && v > 0.0 && v < max {
        Ok(v)
    } else {
        Err(format!("`{s}`: must be above 0 and below {}%", max * 100.0))
    }
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
#[allow(clippy::indexing_slicing)]
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
    fn ratio_interval_is_paired_and_repeatable() {
        // Round noise moves both series alike: the paired ratio stays at 0.5 exactly.
        let base: Vec<f64> = (0..20)
            .map(|i| 10.0 * (1.0 + f64::from(i % 7) * 0.1))
            .collect();
        let cur: Vec<f64> = base.iter().map(|x| x * 0.5).collect();
        let (r, lo, hi) = ratio_interval(&base, &cur).unwrap_or_else(|| unreachable!());
        assert!((r - 0.5).abs() < 1e-12 && (lo - 0.5).abs() < 1e-12 && (hi - 0.5).abs() < 1e-12);
        // Independent noise: the interval holds the point and has width; same input, same answer.
        let cur: Vec<f64> = (0..20)
            .map(|i| 5.0 * (1.0 + f64::from(i * 3 % 11) * 0.05))
            .collect();
        let a = ratio_interval(&base, &cur).unwrap_or_else(|| unreachable!());
        assert!(a.1 < a.0 && a.0 < a.2, "{a:?}");
        assert_eq!(Some(a), ratio_interval(&base, &cur));
        assert_eq!(ratio_interval(&base, &cur[..3]), None);
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
