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
}
