//! Pictures: the charts of the reports, and the reports that carry them.
//!
//! Charts are renderers of data the reports already hold (the leakage rows, the history runs
//! `flaky.rate` read, each performance metric's baseline and current value, the backtest's
//! buckets): they measure nothing. Each chart is drawn as SVG by `plotters` for the
//! self-contained HTML report, and as Mermaid `xychart-beta` text for Markdown, which GitHub and
//! GitLab render inline (docs/decisions/0022). No SVG is assembled by hand here.

mod backtest;
mod chart;
mod data;
mod html;

pub use backtest::{
    render_backtest_human, render_backtest_json, render_backtest_markdown, render_records_human,
    render_records_json,
};
pub use html::{render_backtest_html, render_html, render_leakage_html};

use shipgate_model::{LeakageReport, Report};

/// The gate report as Markdown, followed by its charts as Mermaid (`check --format markdown`,
/// `summary.md`, the GitHub step summary).
pub fn render_markdown_with_charts(report: &Report) -> String {
    let mut out = crate::gate::render_markdown(report);
    let charts = data::of_report(report);
    if !charts.is_empty() {
        out.push_str("\n#### Charts\n\n");
        for chart in charts {
            out.push_str(&chart.mermaid());
            out.push('\n');
        }
    }
    out
}

/// `shipgate leakage --format markdown`: the table, then the leakage chart against the 5% and 2%
/// lines.
pub fn render_leakage_markdown_with_chart(report: &LeakageReport) -> String {
    let mut out = crate::render_leakage_markdown(report);
    let chart = data::leakage(report);
    if !chart.is_empty() {
        out.push('\n');
        out.push_str(&chart.mermaid());
    }
    out
}
