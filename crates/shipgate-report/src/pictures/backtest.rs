//! `shipgate backtest` and `shipgate history` as text: a terminal table, JSON, and Markdown with
//! the summary chart.

use crate::ReportError;
use crate::gate::markdown_inline as inline;
use crate::text::{one_line, pad};
use shipgate_model::Decision;
use shipgate_model::backtest::{BacktestDecision, BacktestRelease, BacktestReport, RecordEntry};

fn recorded(d: Option<Decision>) -> &'static str {
    match d {
        Some(Decision::Ready) => "ready",
        Some(Decision::Blocked) => "blocked",
        None => "?",
    }
}

/// Why a release came out as it did, in one sentence: the checks that block, the evidence that
/// is missing, or why the record is unusable.
pub(crate) fn why(r: &BacktestRelease) -> String {
    let mut parts = Vec::new();
    match r.decision {
        BacktestDecision::Unusable => parts.push(format!("unusable: {}", r.problems.join("; "))),
        BacktestDecision::Blocked => {
            parts.push(format!("blocked by {}", r.blocking_checks.join(", ")))
        }
        BacktestDecision::Missing => {}
        BacktestDecision::Ready => parts.push("every check passes".to_owned()),
    }
    if !r.missing.is_empty() {
        parts.push(format!("evidence missing: {}", r.missing.join("; ")));
    }
    let changed: Vec<String> = r
        .checks
        .iter()
        .map(|c| {
            format!(
                "{} {} → {}",
                c.id,
                c.recorded.map_or("not run", |s| s.as_str()),
                c.now.map_or("not run", |s| s.as_str())
            )
        })
        .collect();
    if !changed.is_empty() {
        parts.push(format!("changed: {}", changed.join(", ")));
    }
    parts.join("; ")
}

fn summary_lines(r: &BacktestReport) -> Vec<String> {
    let s = &r.summary;
    let mut lines = vec![
        format!("caught (blocked, leaked):       {}", s.blocked_and_leaked),
        format!("missed (ready, leaked):         {}", s.ready_and_leaked),
        format!("false alarms (blocked, clean):  {}", s.blocked_and_clean),
        format!("ready and clean:                {}", s.ready_and_clean),
    ];
    if s.missing > 0 {
        lines.push(format!(
            "evidence missing:               {} (in no bucket: the record lacks what the policy needs)",
            s.missing
        ));
    }
    if s.unusable > 0 {
        lines.push(format!(
            "records unusable:               {} (in no bucket)",
            s.unusable
        ));
    }
    if s.defects_without_record > 0 {
        lines.push(format!(
            "defects naming no usable record: {}",
            s.defects_without_record
        ));
    }
    if s.defects_naming_no_release > 0 {
        lines.push(format!(
            "production defects naming no release: {} (not joined: set the tracker's introduced-in field)",
            s.defects_naming_no_release
        ));
    }
    lines
}

/// `shipgate backtest` for a terminal.
pub fn render_backtest_human(r: &BacktestReport) -> String {
    let mut out = format!(
        "Backtest of `{}` on {} recorded release{} of {} (production defects from {})\n\n",
        one_line(&r.policy.path),
        r.releases.len(),
        if r.releases.len() == 1 { "" } else { "s" },
        one_line(&r.product),
        one_line(&r.defects_source)
    );
    let width = r
        .releases
        .iter()
        .map(|x| x.version.as_deref().unwrap_or("(none)").chars().count())
        .max()
        .unwrap_or(7)
        .max(7);
    out.push_str(&format!(
        "{}  {:<8}  {:<8}  leaked\n",
        pad("version", width),
        "recorded",
        "now"
    ));
    for x in &r.releases {
        let leaked = if x.leaked() {
            x.production_defects_introduced.join(", ")
        } else {
            "-".to_owned()
        };
        out.push_str(&format!(
            "{}  {:<8}  {:<8}  {}\n",
            pad(&one_line(x.version.as_deref().unwrap_or("(none)")), width),
            recorded(x.recorded_decision),
            x.decision.as_str(),
            one_line(&leaked)
        ));
        let why = why(x);
        if !why.is_empty() {
            out.push_str(&format!("{}    {}\n", pad("", width), one_line(&why)));
        }
    }
    out.push('\n');
    for line in summary_lines(r) {
        out.push_str(&line);
        out.push('\n');
    }
    for d in &r.unmatched_defects {
        out.push_str(&format!(
            "not joined: {} ({})\n",
            one_line(&d.key),
            one_line(&d.reason)
        ));
    }
    out
}

/// `shipgate backtest --format json`.
pub fn render_backtest_json(r: &BacktestReport) -> Result<String, ReportError> {
    let mut text = serde_json::to_string_pretty(r).map_err(|source| ReportError::Json {
        what: "backtest",
        source,
    })?;
    text.push('\n');
    Ok(text)
}

/// `shipgate backtest --format markdown`: the summary chart (Mermaid) and a table of releases.
pub fn render_backtest_markdown(r: &BacktestReport) -> String {
    let s = &r.summary;
    let mut out = format!(
        "### Backtest of `{}` on {} recorded releases of {}\n\n| | leaked | clean |\n|---|---:|---:|\n| **blocked** | {} (caught) | {} (false alarm) |\n| **ready** | {} (missed) | {} |\n\n",
        inline(&r.policy.path).replace('`', "'"),
        r.releases.len(),
        inline(&r.product),
        s.blocked_and_leaked,
        s.blocked_and_clean,
        s.ready_and_leaked,
        s.ready_and_clean
    );
    if s.missing + s.unusable > 0 {
        out.push_str(&format!(
            "In no bucket: {} with evidence missing, {} unusable.\n\n",
            s.missing, s.unusable
        ));
    }
    out.push_str(&super::data::backtest(r).mermaid());
    out.push_str("\n| version | commit | recorded | under this policy | leaked | why |\n|---|---|---|---|---|---|\n");
    for x in &r.releases {
        out.push_str(&format!(
            "| {} | {} | {} | **{}** | {} | {} |\n",
            inline(x.version.as_deref().unwrap_or("(none)")),
            inline(x.commit.as_deref().unwrap_or("")),
            recorded(x.recorded_decision),
            x.decision.as_str(),
            inline(&x.production_defects_introduced.join(", ")),
            inline(&why(x))
        ));
    }
    if !r.unmatched_defects.is_empty() {
        out.push_str("\nProduction defects not joined with a usable record:\n\n");
        for d in &r.unmatched_defects {
            out.push_str(&format!("- {}: {}\n", inline(&d.key), inline(&d.reason)));
        }
    }
    out
}

/// `shipgate history` for a terminal: each record with its version, commit, date, recorded
/// decision, and whether it verified.
pub fn render_records_human(records: &[RecordEntry]) -> String {
    let mut out = String::from("version      commit    recorded at            decision  record\n");
    for r in records {
        out.push_str(&format!(
            "{}  {}  {}  {:<8}  {}\n",
            pad(&one_line(r.version.as_deref().unwrap_or("(none)")), 11),
            pad(
                &one_line(
                    &r.commit
                        .as_deref()
                        .unwrap_or("-")
                        .chars()
                        .take(8)
                        .collect::<String>()
                ),
                8
            ),
            pad(
                &r.recorded_at
                    .map_or_else(|| "?".to_owned(), |t| t.to_string()),
                21
            ),
            recorded(r.recorded_decision),
            one_line(&r.record)
        ));
        for p in &r.problems {
            out.push_str(&format!("  unusable: {}\n", one_line(p)));
        }
    }
    let bad = records.iter().filter(|r| !r.verified).count();
    out.push_str(&format!(
        "\n{} record{}, {} verified{}\n",
        records.len(),
        if records.len() == 1 { "" } else { "s" },
        records.len() - bad,
        if bad > 0 {
            format!(", {bad} unusable")
        } else {
            String::new()
        }
    ));
    out
}

/// `shipgate history --format json`.
pub fn render_records_json(records: &[RecordEntry]) -> Result<String, ReportError> {
    let value = serde_json::json!({
        "schema_version": shipgate_model::backtest::BACKTEST_SCHEMA_VERSION,
        "records": records,
    });
    let mut text = serde_json::to_string_pretty(&value).map_err(|source| ReportError::Json {
        what: "release history",
        source,
    })?;
    text.push('\n');
    Ok(text)
}
