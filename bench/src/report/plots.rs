//! The report's SVG plots, drawn with plotters' SVG backend. Text goes out as SVG `<text>`
//! (plotters sizes it with its built-in estimate, no font files), so the plots need no font
//! system and look the same inline in the HTML and opened alone.

// Pixel sizes and bar slots: small counts bounded by the number of scenarios and series.
#![allow(clippy::arithmetic_side_effects)]

use super::table::{self, Figure};
use crate::results::{metric_names as mn, Results, ScenarioResult};
use anyhow::{anyhow, Result};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

pub struct Plot {
    pub file: &'static str,
    pub title: String,
    pub svg: String,
}

const WIDTH: u32 = 1000;
const FONT: &str = "sans-serif";

/// Colour-blind-friendly (Okabe-Ito, then Tableau) colours, one per series.
const COLOURS: &[RGBColor] = &[
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(100, 100, 100),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 0),
    RGBColor(128, 0, 0),
    RGBColor(0, 0, 128),
];

fn colour(i: usize) -> RGBColor {
    COLOURS
        .get(i % COLOURS.len())
        .copied()
        .unwrap_or(RGBColor(0, 0, 0))
}

fn pe<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing a plot: {e}")
}

fn seg(i: usize) -> i32 {
    i32::try_from(i).unwrap_or(i32::MAX)
}

/// Every plot the data allows (a plot with nothing to show is left out).
pub fn all(r: &Results, base: &str) -> Result<Vec<Plot>> {
    let mut out = Vec::new();
    let names: Vec<String> = r.scenarios.iter().map(|s| s.name.clone()).collect();

    // 1. Time per epoch step, stacked.
    let steps = table::step_names(r, false);
    if !steps.is_empty() {
        let series: Vec<(String, Vec<Option<f64>>)> = steps
            .iter()
            .map(|st| {
                let v = r
                    .scenarios
                    .iter()
                    .map(|s| s.steps.get(st).map(|m| m.median))
                    .collect();
                (st.clone(), v)
            })
            .collect();
        let title = "process_epoch per step (fast engine, median ms)".to_string();
        out.push(Plot {
            file: "steps.svg",
            svg: hbars(&Bars {
                title: &title,
                x_desc: "ms per epoch (median of each step, stacked)",
                groups: &names,
                series: &series,
                stacked: true,
                reference: None,
                unit: "ms",
                whiskers: None,
            })?,
            title,
        });
    }

    // 2. Epoch time against active validators.
    if r.scenarios
        .iter()
        .any(|s| s.metrics.contains_key(mn::EPOCH_FAST_MS))
    {
        let title = "process_epoch against active validators".to_string();
        out.push(Plot {
            file: "epoch_vs_active.svg",
            svg: scatter(r, &title)?,
            title,
        });
    }

    // 3. Savings per consolidation level: ratios to the base, work counts (exact) and times
    //    (with their 95% intervals as whiskers).
    {
        // The boundary scenarios have their own table: their epoch runs an extra step.
        let others: Vec<&ScenarioResult> = r
            .scenarios
            .iter()
            .filter(|s| s.name != base && table::boundary_sibling(&s.name).is_none())
            .collect();
        let wanted = [
            ("validators visited (work)", "validators_visited"),
            ("warm-root node hashes (work)", "node_hashes"),
            ("pairings (work)", "pairings"),
            ("epoch time", mn::EPOCH_FAST_MS),
            ("warm root time", mn::ROOT_WARM_MS),
            ("32 slots time", mn::SLOTS_32_MS),
        ];
        let mut series = Vec::new();
        let mut whiskers = Vec::new();
        for (label, metric) in wanted {
            let found: Vec<Option<&crate::results::Saving>> = others
                .iter()
                .map(|s| super::savings::find(r, &s.name, metric))
                .collect();
            if found.iter().all(Option::is_none) {
                continue;
            }
            series.push((
                label.to_string(),
                found.iter().map(|v| v.map(|v| v.ratio)).collect(),
            ));
            whiskers.push(
                found
                    .iter()
                    .map(|v| v.and_then(|v| Some((v.low?, v.high?))))
                    .collect(),
            );
        }
        if !others.is_empty() && !series.is_empty() {
            let groups: Vec<String> = others.iter().map(|s| s.name.clone()).collect();
            let title =
                format!("savings: each scenario / {base} (1 = no change; whiskers: 95% interval)");
            out.push(Plot {
                file: "savings.svg",
                svg: hbars(&Bars {
                    title: &title,
                    x_desc: &format!("ratio to {base} (lower is a saving)"),
                    groups: &groups,
                    series: &series,
                    stacked: false,
                    reference: Some(1.0),
                    unit: "x",
                    whiskers: Some(&whiskers),
                })?,
                title,
            });
        }
    }

    // 4. Signature cost per epoch.
    let gossip = Figure::Metric(mn::SIGS_GOSSIP_CPU_S);
    if r.scenarios.iter().any(|s| gossip.of(s).is_some()) {
        let series = vec![(
            "gossip verification".to_string(),
            r.scenarios.iter().map(|s| gossip.of(s)).collect(),
        )];
        let title = "signature cost per epoch (gossip verification, CPU-seconds)".to_string();
        out.push(Plot {
            file: "sigs.svg",
            svg: hbars(&Bars {
                title: &title,
                x_desc: "CPU-seconds per epoch (all threads)",
                groups: &names,
                series: &series,
                stacked: false,
                reference: None,
                unit: "s",
                whiskers: None,
            })?,
            title,
        });
    }

    // 5. Memory.
    let mb = |x: Option<f64>| x.map(|b| b / 1e6);
    let series = vec![
        (
            "SSZ size".to_string(),
            r.scenarios.iter().map(|s| mb(Figure::Ssz.of(s))).collect(),
        ),
        (
            "in memory (state + fast caches)".to_string(),
            r.scenarios
                .iter()
                .map(|s| mb(Figure::Memory.of(s)))
                .collect(),
        ),
        (
            "heap peak (state, engine, one working copy)".to_string(),
            r.scenarios
                .iter()
                .map(|s| mb(Figure::Metric(mn::HEAP_PEAK_BYTES).of(s)))
                .collect(),
        ),
    ];
    let title = "memory (MB)".to_string();
    out.push(Plot {
        file: "memory.svg",
        svg: hbars(&Bars {
            title: &title,
            x_desc: "MB (10^6 bytes)",
            groups: &names,
            series: &series,
            stacked: false,
            reference: None,
            unit: "MB",
            whiskers: None,
        })?,
        title,
    });
    Ok(out)
}

/// One series' intervals, per group (`None`: no whisker).
type Whiskers = Vec<Option<(f64, f64)>>;

struct Bars<'a> {
    title: &'a str,
    x_desc: &'a str,
    /// One bar (stacked) or one group of bars per entry, top to bottom.
    groups: &'a [String],
    /// (label, value per group).
    series: &'a [(String, Vec<Option<f64>>)],
    stacked: bool,
    /// A vertical line at this x (1.0 for ratios).
    reference: Option<f64>,
    /// Unit for the value printed at each bar's end.
    unit: &'a str,
    /// Per series, per group: an interval drawn as a whisker across the bar.
    whiskers: Option<&'a [Whiskers]>,
}

fn value_label(v: f64, unit: &str) -> String {
    match unit {
        "x" => table::ratio_text(v),
        "ms" => format!("{} ms", crate::stats::fmt_ms(v)),
        "s" => format!("{v:.3} s"),
        _ => format!("{v:.1} {unit}"),
    }
}

/// Horizontal bars: stacked (one bar per group) or grouped (one bar per series per group, a
/// gap between groups). Horizontal so long scenario names read on the left.
fn hbars(b: &Bars) -> Result<String> {
    let n = b.groups.len();
    let k = b.series.len();
    let per = if b.stacked { 1 } else { k + 1 };
    // Grouped: a gap above each group and one below the last.
    let pad = usize::from(!b.stacked);
    let total = n * per + pad;
    let value = |j: usize, g: usize| -> Option<f64> {
        b.series
            .get(j)
            .and_then(|s| s.1.get(g).copied().flatten())
            .filter(|v| v.is_finite() && *v >= 0.0)
    };
    let mut xmax: f64 = 0.0;
    for g in 0..n {
        if b.stacked {
            xmax = xmax.max((0..k).filter_map(|j| value(j, g)).sum::<f64>());
        } else {
            for j in 0..k {
                xmax = xmax.max(value(j, g).unwrap_or(0.0));
            }
        }
    }
    if let Some(r) = b.reference {
        xmax = xmax.max(r);
    }
    // Room on the right for the value labels and the legend: the axis fits the bars (a
    // whisker past it is cut at the edge).
    let xmax = if xmax > 0.0 { xmax * 1.9 } else { 1.0 };
    let bar_px: usize = if b.stacked { 34 } else { 15 };
    // Tall enough for the bars and for the legend (one 17 px line per series) beside them.
    let height = u32::try_from((110 + total * bar_px).max(150 + 17 * k).max(280)).unwrap_or(2000);
    let longest = b.groups.iter().map(|g| g.len()).max().unwrap_or(4);
    let label_w = u32::try_from((longest * 7 + 16).clamp(80, 330)).unwrap_or(330);

    // Group g's label segment, and series j's bar segment (group 0 and series 0 on top).
    let group_base = |g: usize| pad + (n - 1 - g) * per;
    let bar_seg = |g: usize, j: usize| group_base(g) + (k - 1 - j) * pad;
    let label_seg = |g: usize| group_base(g) + (k / 2) * pad;
    let label_of = |s: i32| -> String {
        (0..n)
            .find(|g| seg(label_seg(*g)) == s)
            .and_then(|g| b.groups.get(g))
            // Two no-break spaces between name and axis (SVG collapses plain ones).
            .map(|name| format!("{name}\u{a0}\u{a0}"))
            .unwrap_or_default()
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(b.title, (FONT, 18))
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(label_w)
            .build_cartesian_2d(
                0f64..xmax,
                // `a..b` holds b - a + 1 segments: one per bar slot.
                (0..seg(total.saturating_sub(1))).into_segmented(),
            )
            .map_err(pe)?;
        let ylab = |v: &SegmentValue<i32>| match v {
            SegmentValue::CenterOf(s) => label_of(*s),
            _ => String::new(),
        };
        let unit = b.unit;
        let xlab = move |x: &f64| match unit {
            "x" => format!("{x:.1}"),
            // Rounded: float ticks print as 0.6000000000000001 otherwise.
            _ => format!("{}", (x * 1000.0).round() / 1000.0),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .set_tick_mark_size(LabelAreaPosition::Left, 0)
            .y_labels(total.max(1))
            .y_label_formatter(&ylab)
            .x_label_formatter(&xlab)
            .x_desc(b.x_desc)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(pe)?;

        let text_style =
            TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
        let mut offsets = vec![0f64; n];
        for (j, (label, _)) in b.series.iter().enumerate() {
            let c = colour(j);
            let mut rects = Vec::new();
            for (g, off) in offsets.iter_mut().enumerate() {
                let Some(v) = value(j, g) else { continue };
                let s = seg(bar_seg(g, j));
                let x0 = if b.stacked { *off } else { 0.0 };
                let mut rect = Rectangle::new(
                    [
                        (x0, SegmentValue::Exact(s)),
                        (x0 + v, SegmentValue::Exact(s + 1)),
                    ],
                    c.filled(),
                );
                rect.set_margin(
                    if b.stacked { 5 } else { 1 },
                    if b.stacked { 5 } else { 1 },
                    0,
                    0,
                );
                rects.push(rect);
                if b.stacked {
                    *off += v;
                }
            }
            let c2 = c;
            chart
                .draw_series(rects)
                .map_err(pe)?
                .label(label.clone())
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 12, y + 5)], c2.filled()));
        }
        // Value labels at each bar's end (the total for a stacked bar).
        let mut labels = Vec::new();
        for g in 0..n {
            if b.stacked {
                if offsets.get(g).copied().unwrap_or(0.0) > 0.0 {
                    let t = offsets.get(g).copied().unwrap_or(0.0);
                    labels.push(Text::new(
                        value_label(t, b.unit),
                        (t + xmax * 0.005, SegmentValue::CenterOf(seg(bar_seg(g, 0)))),
                        text_style.clone(),
                    ));
                }
            } else {
                for j in 0..k {
                    if let Some(v) = value(j, g) {
                        // Past the whisker's end, so the two do not print over each other.
                        let end = b
                            .whiskers
                            .and_then(|w| w.get(j)?.get(g).copied().flatten())
                            .map_or(v, |(_, hi)| hi.clamp(v, xmax));
                        labels.push(Text::new(
                            value_label(v, b.unit),
                            (
                                end + xmax * 0.005,
                                SegmentValue::CenterOf(seg(bar_seg(g, j))),
                            ),
                            text_style.clone(),
                        ));
                    }
                }
            }
        }
        chart.draw_series(labels).map_err(pe)?;
        if let Some(w) = b.whiskers {
            let mut lines = Vec::new();
            for (j, per_group) in w.iter().enumerate() {
                for (g, iv) in per_group.iter().enumerate() {
                    let Some((lo, hi)) = iv.filter(|(l, h)| l.is_finite() && h.is_finite()) else {
                        continue;
                    };
                    let (lo, hi) = (lo.clamp(0.0, xmax), hi.clamp(0.0, xmax));
                    let s = seg(bar_seg(g, j));
                    lines.push(PathElement::new(
                        vec![
                            (lo, SegmentValue::CenterOf(s)),
                            (hi, SegmentValue::CenterOf(s)),
                        ],
                        BLACK.stroke_width(2),
                    ));
                }
            }
            chart.draw_series(lines).map_err(pe)?;
        }
        if let Some(x) = b.reference {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![
                        (x, SegmentValue::Exact(0)),
                        (x, SegmentValue::Exact(seg(total))),
                    ],
                    BLACK.stroke_width(1),
                )))
                .map_err(pe)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.92))
            .border_style(RGBColor(180, 180, 180))
            .label_font((FONT, 13))
            .draw()
            .map_err(pe)?;
        root.present().map_err(pe)?;
    }
    Ok(svg)
}

/// What kind of state a scenario is, for the scatter's series.
fn family(name: &str) -> usize {
    if name.ends_with("-sync-boundary") {
        2
    } else if name.ends_with("-fresh") {
        1
    } else {
        0
    }
}

const FAMILIES: [&str; 3] = [
    "full registry",
    "withdrawn indices dropped (-fresh)",
    "sync-committee boundary",
];

/// `process_epoch` median (bars: min-max) against active validators, one series per kind.
fn scatter(r: &Results, title: &str) -> Result<String> {
    let pts: Vec<(usize, f64, f64, f64, f64, &str)> = r
        .scenarios
        .iter()
        .filter_map(|s| {
            let m = s.metrics.get(mn::EPOCH_FAST_MS)?;
            Some((
                family(&s.name),
                s.active_validators as f64,
                m.median,
                m.low.unwrap_or(m.min),
                m.high.unwrap_or(m.max),
                s.name.as_str(),
            ))
        })
        .collect();
    let xmax = pts.iter().map(|p| p.1).fold(0.0, f64::max).max(1.0) * 1.4;
    // The axis fits the medians; an interval past it is cut at the edge.
    let ymax = pts.iter().map(|p| p.2).fold(0.0, f64::max).max(0.001) * 1.5;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 18))
            .margin(14)
            .x_label_area_size(46)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..xmax, 0f64..ymax)
            .map_err(pe)?;
        let xlab = |x: &f64| {
            if xmax >= 10_000.0 {
                format!("{:.0}k", x / 1e3)
            } else {
                format!("{x:.0}")
            }
        };
        let ylab = |y: &f64| {
            if ymax >= 10.0 {
                format!("{y:.0}")
            } else {
                format!("{y:.1}")
            }
        };
        chart
            .configure_mesh()
            .x_desc("active validators")
            .y_desc("process_epoch, ms (median; bar: its 95% interval)")
            .x_label_formatter(&xlab)
            .y_label_formatter(&ylab)
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 14))
            .light_line_style(RGBColor(240, 240, 240))
            .draw()
            .map_err(pe)?;
        for (f, name) in FAMILIES.iter().enumerate() {
            let mine: Vec<_> = pts.iter().filter(|p| p.0 == f).collect();
            if mine.is_empty() {
                continue;
            }
            let c = colour(f);
            chart
                .draw_series(mine.iter().map(|p| {
                    PathElement::new(
                        vec![(p.1, p.3.min(ymax)), (p.1, p.4.min(ymax))],
                        c.stroke_width(2),
                    )
                }))
                .map_err(pe)?;
            match f {
                1 => {
                    chart
                        .draw_series(
                            mine.iter()
                                .map(|p| TriangleMarker::new((p.1, p.2), 7, c.filled())),
                        )
                        .map_err(pe)?
                        .label(*name)
                        .legend(move |(x, y)| TriangleMarker::new((x + 6, y), 7, c.filled()));
                }
                2 => {
                    chart
                        .draw_series(
                            mine.iter()
                                .map(|p| Cross::new((p.1, p.2), 6, c.stroke_width(3))),
                        )
                        .map_err(pe)?
                        .label(*name)
                        .legend(move |(x, y)| Cross::new((x + 6, y), 6, c.stroke_width(3)));
                }
                _ => {
                    chart
                        .draw_series(mine.iter().map(|p| Circle::new((p.1, p.2), 5, c.filled())))
                        .map_err(pe)?
                        .label(*name)
                        .legend(move |(x, y)| Circle::new((x + 6, y), 5, c.filled()));
                }
            }
            // Every point named: full-registry names above right, the others below right, so
            // points that share an active count do not print over each other.
            // Alternating above and below too, so neighbours on the x axis do not collide.
            chart
                .draw_series(mine.iter().enumerate().map(|(i, p)| {
                    let above = (f == 0) == (i % 2 == 0);
                    let v = if above { VPos::Bottom } else { VPos::Top };
                    let style =
                        TextStyle::from((FONT, 12).into_font()).pos(Pos::new(HPos::Left, v));
                    Text::new(
                        format!("{} ({} ms)", p.5, crate::stats::fmt_ms(p.2)),
                        (p.1 + xmax * 0.01, p.2),
                        style,
                    )
                }))
                .map_err(pe)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.92))
            .border_style(RGBColor(180, 180, 180))
            .label_font((FONT, 13))
            .draw()
            .map_err(pe)?;
        root.present().map_err(pe)?;
    }
    Ok(svg)
}
