//! `results.csv`: one row per scenario x metric (scenario, metric, unit, median, min, max,
//! samples), for a spreadsheet. Samples are `;`-separated in the order taken; steps are
//! `step.NAME` (`reference_step.NAME`), work counts `work.NAME`, instruction counts
//! `instructions.NAME`; counts and sizes have one sample.

use crate::results::{Metric, Results};

const HEAD: &str = "scenario,metric,unit,median,min,max,samples\n";

/// A field, quoted when it holds a comma, quote or newline.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn metric_row(scenario: &str, name: &str, m: &Metric) -> String {
    let samples: Vec<String> = m.samples.iter().map(|x| x.to_string()).collect();
    format!(
        "{},{},{},{},{},{},{}\n",
        field(scenario),
        field(name),
        field(&m.unit),
        m.median,
        m.min,
        m.max,
        samples.join(";")
    )
}

fn value_row(scenario: &str, name: &str, unit: &str, v: u64) -> String {
    format!(
        "{},{},{unit},{v},{v},{v},{v}\n",
        field(scenario),
        field(name)
    )
}

pub fn render(r: &Results) -> String {
    let mut s = String::from(HEAD);
    for sc in &r.scenarios {
        let n = sc.name.as_str();
        s.push_str(&value_row(n, "validators", "count", sc.validators));
        s.push_str(&value_row(
            n,
            "active_validators",
            "count",
            sc.active_validators,
        ));
        s.push_str(&value_row(n, "ssz_bytes", "bytes", sc.ssz_bytes));
        s.push_str(&value_row(n, "memory_bytes", "bytes", sc.memory_bytes));
        for (k, m) in &sc.metrics {
            s.push_str(&metric_row(n, k, m));
        }
        for (k, m) in &sc.steps {
            s.push_str(&metric_row(n, &format!("step.{k}"), m));
        }
        for (k, m) in &sc.reference_steps {
            s.push_str(&metric_row(n, &format!("reference_step.{k}"), m));
        }
        for (k, v) in &sc.work {
            s.push_str(&value_row(n, &format!("work.{k}"), "count", *v));
        }
        for (k, v) in &sc.instructions {
            s.push_str(&value_row(
                n,
                &format!("instructions.{k}"),
                "instructions",
                *v,
            ));
        }
    }
    s
}
