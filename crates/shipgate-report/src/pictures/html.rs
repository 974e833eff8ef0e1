//! The self-contained HTML report: one file that opens anywhere without a network — the
//! decision, every check with what it found and what would make it pass, the inputs, and the
//! charts as inline SVG. No script, no style sheet or font from elsewhere: a Content Security
//! Policy in the page forbids loading anything, so that a report opened from a CI artifact never
//! calls out. Every string that came from evidence is escaped.

use super::chart::Chart;
use crate::gate::{exit_sentence, ordered, release_label};
use crate::measure::observed_and_threshold;
use shipgate_model::backtest::BacktestReport;
use shipgate_model::{CheckStatus, Decision, LeakageReport, Report};

/// The chart size in the HTML report, in pixels.
const CHART_SIZE: (u32, u32) = (760, 340);

/// `&`, `<`, `>`, `"` and `'` as entities: text safe in an element and in a quoted attribute.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters have no business in a report (terminal escapes, NUL).
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem;color:#1d1d1f;line-height:1.45}\
h1{font-size:1.6rem;margin:.2rem 0}.decision{display:inline-block;padding:.25rem .8rem;border-radius:.4rem;color:#fff;font-weight:700;letter-spacing:.05em}\
.ready{background:#1e7d34}.blocked{background:#b3261e}.meta{color:#555;font-size:.9rem}\
table{border-collapse:collapse;width:100%;margin:1rem 0;font-size:.92rem}th,td{border-bottom:1px solid #ddd;padding:.4rem .5rem;text-align:left;vertical-align:top}\
th{background:#f4f4f6}.status{font-weight:700;white-space:nowrap}.s-pass{color:#1e7d34}.s-fail,.s-error,.s-missing{color:#b3261e}.s-warn,.s-waived{color:#9a6700}\
.fix{color:#444;font-size:.88rem}figure{margin:1.2rem 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.85rem;color:#555}\
code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.88em}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}</body>\n</html>\n",
        escape(title)
    )
}

/// The charts as figures with inline SVG; a chart plotters cannot draw is named, not dropped.
fn figures(charts: &[Chart]) -> String {
    if charts.is_empty() {
        return String::new();
    }
    let mut out = String::from("<section id=\"charts\">\n<h2>Charts</h2>\n");
    for chart in charts {
        let id = escape(&chart.id);
        match chart.svg(CHART_SIZE.0, CHART_SIZE.1) {
            Ok(svg) => out.push_str(&format!(
                "<figure class=\"chart\" data-chart=\"{id}\">\n{svg}<figcaption>{}</figcaption>\n</figure>\n",
                escape(&chart.title)
            )),
            Err(e) => out.push_str(&format!(
                "<p class=\"chart-error\" data-chart=\"{id}\">The chart “{}” could not be drawn: {}</p>\n",
                escape(&chart.title),
                escape(&e)
            )),
        }
    }
    out.push_str("</section>\n");
    out
}

fn decision_badge(decision: Decision) -> (&'static str, &'static str) {
    match decision {
        Decision::Ready => ("ready", "READY"),
        Decision::Blocked => ("blocked", "BLOCKED"),
    }
}

/// The gate report as one HTML page.
pub fn render_html(report: &Report) -> String {
    let (class, word) = decision_badge(report.decision);
    let release = release_label(&report.release);
    let mut body = format!(
        "<header>\n<p class=\"meta\">shipgate {} · release readiness</p>\n<h1>{} <span id=\"decision\" class=\"decision {class}\">{word}</span></h1>\n<p>{}</p>\n<p class=\"meta\">Evaluated at {} against the policy <code>{}</code> (SHA-256 <code>{}</code>){}</p>\n</header>\n",
        escape(&report.tool.version),
        escape(&release),
        escape(&exit_sentence(report)),
        escape(&report.evaluated_at.to_string()),
        escape(&report.policy.path),
        escape(&report.policy.sha256),
        if report.dry_run { "; dry run" } else { "" }
    );
    body.push_str("<section id=\"checks\">\n<h2>Checks</h2>\n<table>\n<thead><tr><th>check</th><th>status</th><th>measured</th><th>limit</th><th>what it found, and what would make it pass</th></tr></thead>\n<tbody>\n");
    for check in ordered(report) {
        let (observed, threshold) = observed_and_threshold(check);
        let status = check.status.as_str();
        let blocks = if check.blocking { " (blocks)" } else { "" };
        let mut explanation = escape(&check.message);
        if let Some(remedy) = &check.remedy
            && check.status != CheckStatus::Pass
        {
            explanation.push_str(&format!(
                "<div class=\"fix\">To fix: {}</div>",
                escape(remedy)
            ));
        }
        if let Some(w) = &check.waiver {
            explanation.push_str(&format!(
                "<div class=\"fix\">Waived by {} until {}: {}</div>",
                escape(&w.approved_by),
                escape(&w.expires),
                escape(&w.reason)
            ));
        }
        body.push_str(&format!(
            "<tr data-check=\"{}\"><td><code>{}</code></td><td class=\"status s-{status}\">{status}{blocks}</td><td>{}</td><td>{}</td><td>{explanation}</td></tr>\n",
            escape(&check.id),
            escape(&check.id),
            escape(&observed),
            escape(&threshold),
        ));
    }
    body.push_str("</tbody>\n</table>\n</section>\n");
    body.push_str(&figures(&super::data::of_report(report)));
    if !report.inputs.is_empty() {
        body.push_str("<section id=\"inputs\">\n<h2>Inputs</h2>\n<table>\n<thead><tr><th>source</th><th>file</th><th>SHA-256</th><th>bytes</th></tr></thead>\n<tbody>\n");
        for input in &report.inputs {
            body.push_str(&format!(
                "<tr><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>\n",
                escape(&input.source),
                escape(&input.path),
                escape(&input.sha256),
                input.bytes
            ));
        }
        body.push_str("</tbody>\n</table>\n</section>\n");
    }
    page(&format!("shipgate: {release}: {word}"), &body)
}

/// The backtest as one HTML page: the summary chart and every release.
pub fn render_backtest_html(r: &BacktestReport) -> String {
    let mut body = format!(
        "<header>\n<p class=\"meta\">shipgate {} · backtest</p>\n<h1>Backtest of <code>{}</code> on {} recorded releases of {}</h1>\n<p class=\"meta\">Policy SHA-256 <code>{}</code>; production defects from <code>{}</code></p>\n</header>\n",
        escape(&r.tool.version),
        escape(&r.policy.path),
        r.releases.len(),
        escape(&r.product),
        escape(&r.policy.sha256),
        escape(&r.defects_source)
    );
    body.push_str(&figures(&[super::data::backtest(r)]));
    body.push_str("<section id=\"releases\">\n<h2>Releases</h2>\n<table>\n<thead><tr><th>version</th><th>recorded</th><th>under this policy</th><th>leaked</th><th>why</th></tr></thead>\n<tbody>\n");
    for release in &r.releases {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td class=\"status\">{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(release.version.as_deref().unwrap_or("(none)")),
            release
                .recorded_decision
                .map_or("?", |d| decision_badge(d).0),
            release.decision.as_str(),
            escape(&release.production_defects_introduced.join(", ")),
            escape(&super::backtest::why(release))
        ));
    }
    body.push_str("</tbody>\n</table>\n</section>\n");
    page(&format!("shipgate backtest of {}", r.policy.path), &body)
}

/// `shipgate leakage --format html`: the leakage chart against the 5% and 2% lines, and the table.
pub fn render_leakage_html(r: &LeakageReport) -> String {
    let percent =
        |rate: Option<f64>| rate.map_or_else(|| "–".to_owned(), |v| format!("{:.1}%", v * 100.0));
    let mut body = format!(
        "<header>\n<p class=\"meta\">shipgate · defect leakage</p>\n<h1>Defect leakage: {}</h1>\n<p class=\"meta\">{} days from {} to {}; defects from {} <code>{}</code></p>\n</header>\n",
        escape(&percent(r.total.rate)),
        r.window_days,
        escape(&r.from.to_string()),
        escape(&r.to.to_string()),
        escape(&r.source),
        escape(&r.location)
    );
    body.push_str(&figures(&[super::data::leakage(r)]));
    body.push_str(&format!(
        "<section id=\"rows\">\n<table>\n<thead><tr><th>{}</th><th>production</th><th>pre-production</th><th>unclassified</th><th>not defects</th><th>leakage</th></tr></thead>\n<tbody>\n",
        escape(&r.by)
    ));
    for row in r.rows.iter().chain(std::iter::once(&r.total)) {
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            escape(&row.group),
            row.production,
            row.pre_production,
            row.unclassified,
            row.not_defects,
            escape(&percent(row.rate))
        ));
    }
    body.push_str("</tbody>\n</table>\n<p class=\"meta\">Leakage = production ÷ (production + pre-production). Defects of unknown origin and issues closed as not defects are not in the rate.</p>\n</section>\n");
    page("shipgate: defect leakage", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_evidence_string_is_escaped() {
        let mut report = crate::fixtures::blocked();
        report.release.name = "<script>alert(1)</script>".into();
        report.checks[0].message = "a \"quoted\" <img src=x onerror=alert(1)> & more".into();
        report.checks[0].id = "id'<b>".into();
        let html = render_html(&report);
        assert!(!html.contains("<script>"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&quot;quoted&quot; &lt;img src=x onerror=alert(1)&gt; &amp; more"));
        assert!(html.contains("id=\"decision\" class=\"decision blocked\">BLOCKED<"));
    }

    #[test]
    fn the_page_loads_nothing_from_elsewhere() {
        let html = render_html(&crate::fixtures::blocked());
        assert!(html.contains("default-src 'none'"));
        for forbidden in [
            "<script",
            "<link",
            "src=\"http",
            "href=\"http",
            "@import",
            "url(",
        ] {
            assert!(!html.contains(forbidden), "{forbidden}");
        }
    }
}
