//! `report.html`: one self-contained page (inline CSS, the plots as inline SVG; no scripts, no
//! network), the same content as `report.md`.

use super::markdown::{header, HOW_TO_READ};
use super::plots::Plot;
use super::table::{self, esc};
use crate::results::Results;

const CSS: &str = "body{font-family:sans-serif;margin:24px;color:#222;max-width:1400px}\
h1{font-size:24px}h2{font-size:19px;margin-top:28px;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;font-size:13px;margin:8px 0}\
th,td{border:1px solid #ccc;padding:3px 7px;text-align:right;white-space:nowrap}\
th{white-space:normal;vertical-align:bottom;max-width:11em}\
th{background:#f2f2f2}td:first-child,th:first-child{text-align:left}\
tbody tr:nth-child(even){background:#fafafa}\
dl{display:grid;grid-template-columns:max-content auto;gap:2px 14px;font-size:13px}\
dt{font-weight:bold}dd{margin:0;font-family:monospace}\
.scroll{overflow-x:auto}figure{margin:16px 0}figcaption{font-size:13px;color:#555}\
p,li{font-size:14px;line-height:1.45;max-width:1000px}\
.flag{color:#a03000}";

pub fn render(r: &Results, base: &str, notes: &[String], plots: &[Plot]) -> String {
    let mut s = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    s.push_str("<title>maxeb consolidation-savings report</title>\n");
    s.push_str(&format!("<style>{CSS}</style></head><body>\n"));
    s.push_str("<h1>maxeb consolidation-savings report</h1>\n<dl>\n");
    for (k, v) in header(r) {
        s.push_str(&format!("<dt>{}</dt><dd>{}</dd>\n", esc(k), esc(&v)));
    }
    s.push_str("</dl>\n");
    let section = |s: &mut String, title: &str, t: Option<table::Table>| {
        if let Some(t) = t {
            s.push_str(&format!("<h2>{}</h2>\n<div class=\"scroll\">", esc(title)));
            s.push_str(&t.html());
            s.push_str("</div>\n");
        }
    };
    section(
        &mut s,
        &format!("Savings against {base}: work (exact)"),
        Some(table::savings(r, base, false)),
    );
    section(
        &mut s,
        &format!("Savings against {base}: time (95% interval)"),
        Some(table::savings(r, base, true)),
    );
    s.push_str("<ul>\n");
    for f in table::findings(r, base) {
        s.push_str(&format!("<li>{}</li>\n", esc(&f).replace('`', "")));
    }
    for n in notes {
        s.push_str(&format!("<li>Note: {}</li>\n", esc(n)));
    }
    s.push_str("</ul>\n");
    let flags = table::flags(r);
    if !flags.is_empty() {
        s.push_str("<p class=\"flag\"><b>Flagged</b> (interval wider than +-10%, or none):</p><ul class=\"flag\">\n");
        for f in flags {
            s.push_str(&format!("<li>{}</li>\n", esc(&f)));
        }
        s.push_str("</ul>\n");
    }
    s.push_str(&format!(
        "<h2>How to read this</h2>\n<p>{}</p>\n",
        esc(HOW_TO_READ).replace('`', "")
    ));
    for p in plots {
        s.push_str(&format!(
            "<figure>{}<figcaption>{} (plots/{})</figcaption></figure>\n",
            inline_svg(&p.svg),
            esc(&p.title),
            p.file
        ));
    }
    section(&mut s, "Scenarios", Some(table::shape(r)));
    section(&mut s, "Work counts (deterministic)", table::work(r));
    section(
        &mut s,
        "Instruction counts (callgrind, one thread)",
        table::instructions(r),
    );
    section(
        &mut s,
        "Timings (ms, median +-95% interval; ! wider than +-10%)",
        Some(table::timings(r)),
    );
    section(
        &mut s,
        "Against the floor on this machine",
        table::floors(r),
    );
    section(&mut s, "Sync-committee boundary", table::boundary(r));
    section(
        &mut s,
        "process_epoch per step, fast engine (median ms)",
        table::steps(r, false),
    );
    section(
        &mut s,
        "process_epoch per step, reference path (median ms)",
        table::steps(r, true),
    );
    section(&mut s, "Signature workload per epoch", table::sigs(r));
    s.push_str(
        "<p>Every sample is in results.json (schema in the README) and results.csv, beside \
         this file.</p>\n</body></html>\n",
    );
    s
}

/// The SVG without its XML declaration, so it can sit inside HTML.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => svg.get(i..).unwrap_or(svg),
        None => svg,
    }
}
