//! Renderers of a finished shipgate report.
//!
//! The evaluator produces one [`Report`]; this crate writes it as text for the people and tools
//! that read it:
//!
//! - [`Format::Human`]: a terminal table, blocking checks first, with what each check measured,
//!   its threshold and what would make it pass ([`render_human`]);
//! - [`Format::Json`]: the report's own serialisation, the release's audit record
//!   (`schema_version` 1, [`render_json`]);
//! - [`Format::Markdown`]: a GitHub PR comment, GitHub step summary or GitLab MR note
//!   ([`render_markdown`]);
//! - [`Format::Junit`]: one JUnit testcase per check, so that any CI's test view shows the gate
//!   ([`render_junit`]).
//!
//! It also renders the evidence `shipgate inspect tests` prints ([`render_test_inspection_json`],
//! [`render_test_inspection_human`]) and, with `--history`, the earlier runs and the flaky tests
//! they reveal ([`render_history_human`], [`history_json`]); the defects `shipgate inspect
//! defects` prints ([`render_defect_inspection_human`]) and the `shipgate leakage` report
//! ([`render_leakage_human`], [`render_leakage_markdown`], [`render_leakage_json`]); and what
//! `shipgate inspect perf` prints ([`render_perf_inspection_json`],
//! [`render_perf_inspection_human`]; for a baseline of several runs
//! [`render_baseline_inspection_json`], [`render_baseline_inspection_human`]); and `shipgate risk` with its plan ([`render_risk_human`],
//! [`render_risk_markdown`] with the risk matrix as a Mermaid chart, [`render_risk_json`],
//! [`render_plan_text`], [`render_plan_json`]).
//!
//! The gate's renderers live in `gate/`, those of `inspect` and `leakage` in `inspect/`; what
//! both use (escaping, colour, numbers and units) is at the top.
//!
//! A renderer only writes what the report says. It must not evaluate anything (the decision, the
//! statuses and `blocking` are taken as given), read files, the clock or the environment, or decide
//! by itself whether to colour: the caller says so in [`RenderOptions`]. Text that came from
//! evidence (test names, failure messages) is treated as hostile: terminal escape sequences and
//! control characters are removed, and Markdown and XML are escaped so that no input can break the
//! document around it. [`neutralise_workflow_commands`] breaks up the GitHub Actions workflow
//! commands in a text, in its own syntax; the binary applies it to all it prints in a job.
//!
//! `details` of a check are free-form per check; they are shown by shape, keys as written in the
//! JSON: scalars as `key: value`, lists as their first items with "… and N more" (a check that cut
//! a list short says how long it was in a sibling number `<list>_total`), and objects holding lists
//! (one per critical path) as nested groups. List items that look like tests (`classname`, `name`,
//! `outcome`, `message`) read `classname.name (outcome): message`.
//!
//! # Example
//!
//! ```
//! use serde_json::json;
//! use shipgate_model::report::{PolicyInfo, ReleaseInfo};
//! use shipgate_model::verdict::Stats;
//! use shipgate_model::{CheckResult, CheckStatus, Decision, Level, Report, Verdict};
//! use shipgate_report::{Format, RenderOptions, render};
//!
//! // A failing error-level check, with a failure message that tries to colour the terminal.
//! let check = CheckResult {
//!     id: "regression".to_owned(),
//!     status: CheckStatus::Fail,
//!     level: Level::Error,
//!     blocking: true,
//!     observed: json!(0.95),
//!     threshold: json!(0.98),
//!     unit: None,
//!     message: "pass rate 95% is below 98% (\u{1b}[32mall green\u{1b}[0m)".to_owned(),
//!     remedy: Some("fix or quarantine the failing tests".to_owned()),
//!     details: Default::default(),
//!     waiver: None,
//! };
//! let verdict = Verdict::new(vec![check], Stats::default(), vec![]);
//! assert_eq!(verdict.decision, Decision::Blocked);
//! let policy = PolicyInfo { path: "shipgate.yaml".to_owned(), sha256: "0".repeat(64) };
//! let now = "2026-11-24T10:00:00Z".parse().expect("an instant");
//! let report = Report::new("0.1.0", ReleaseInfo::default(), policy, vec![], verdict, now);
//!
//! let text = render(&report, Format::Human, &RenderOptions { color: false })?;
//! assert!(text.contains("BLOCKED") && text.contains("fix or quarantine"), "{text}");
//! assert!(!text.contains('\u{1b}'), "evidence text cannot reach the terminal raw: {text}");
//! let json = render(&report, Format::Json, &RenderOptions::default())?;
//! assert!(json.contains(r#""decision": "blocked""#), "{json}");
//! # Ok::<(), shipgate_report::ReportError>(())
//! ```

mod ansi;
mod gate;
mod inspect;
mod measure;
mod pictures;
mod risk;
mod text;

#[cfg(test)]
mod fixtures;

use shipgate_model::Report;
use std::fmt;
use std::str::FromStr;

pub use gate::{
    ANNOTATIONS_PER_TYPE, LogSyntax, STEP_SUMMARY_LIMIT, github_command,
    neutralise_workflow_commands, render_github_annotations, render_github_outputs,
    render_github_step_outputs, render_github_step_summary, render_human, render_json,
    render_junit, render_markdown,
};
pub use inspect::{
    BaselineInspection, BaselineRunInspection, PerfInspection, history_json,
    render_baseline_inspection_human, render_baseline_inspection_json,
    render_defect_inspection_human, render_history_human, render_leakage_human,
    render_leakage_json, render_leakage_markdown, render_perf_inspection_human,
    render_perf_inspection_json, render_test_inspection_human, render_test_inspection_json,
    render_test_inspection_json_with_history, render_uat_inspection_human,
    render_uat_inspection_json,
};
pub use pictures::{
    render_backtest_html, render_backtest_human, render_backtest_json, render_backtest_markdown,
    render_html, render_leakage_html, render_leakage_markdown_with_chart,
    render_markdown_with_charts, render_records_human, render_records_json,
};
pub use risk::{
    PlanIds, pytest_node_id, render_plan_json, render_plan_text, render_risk_human,
    render_risk_json, render_risk_markdown, surefire_selector,
};

/// Everything that can stop a report from being rendered.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// `--format` named no known format.
    #[error("failed to read report format `{given}`: expected one of human, json, markdown, junit")]
    UnknownFormat {
        /// The name as given.
        given: String,
    },
    /// The report or the test evidence could not be written as JSON.
    #[error("failed to write the {what} as JSON")]
    Json {
        /// What was being written (`report`, `test inspection`).
        what: &'static str,
        /// The serialiser's error.
        #[source]
        source: serde_json::Error,
    },
    /// The JUnit XML could not be written.
    #[error("failed to write the JUnit report")]
    Xml {
        /// The writer's error.
        #[source]
        source: std::io::Error,
    },
}

/// An output format of `shipgate check --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// A table for a terminal or a CI log.
    Human,
    /// The JSON report (`report.json`).
    Json,
    /// Markdown for a PR comment, MR note or step summary (`summary.md`).
    Markdown,
    /// JUnit XML with one testcase per check (`gate-junit.xml`).
    Junit,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 4] = [Format::Human, Format::Json, Format::Markdown, Format::Junit];

    /// The name used on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Json => "json",
            Format::Markdown => "markdown",
            Format::Junit => "junit",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = ReportError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| ReportError::UnknownFormat {
                given: s.to_owned(),
            })
    }
}

/// How to render, as decided by the caller.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderOptions {
    /// Whether to use ANSI colours (human formats only). The caller decides: on a terminal and
    /// without `NO_COLOR`. With `false` the output holds no escape byte at all.
    pub color: bool,
}

/// Renders a report in the given format. Every format ends with a newline.
pub fn render(
    report: &Report,
    format: Format,
    options: &RenderOptions,
) -> Result<String, ReportError> {
    match format {
        Format::Human => Ok(render_human(report, options)),
        Format::Json => render_json(report),
        Format::Markdown => Ok(render_markdown_with_charts(report)),
        Format::Junit => render_junit(report),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.to_string().parse::<Format>().unwrap(), format);
        }
        let err = "xml".parse::<Format>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to read report format `xml`: expected one of human, json, markdown, junit"
        );
    }

    #[test]
    fn render_dispatches_to_each_format() {
        let report = fixtures::blocked();
        let options = RenderOptions::default();
        assert_eq!(
            render(&report, Format::Human, &options).unwrap(),
            render_human(&report, &options)
        );
        assert_eq!(
            render(&report, Format::Json, &options).unwrap(),
            render_json(&report).unwrap()
        );
        assert_eq!(
            render(&report, Format::Markdown, &options).unwrap(),
            render_markdown_with_charts(&report)
        );
        assert_eq!(
            render(&report, Format::Junit, &options).unwrap(),
            render_junit(&report).unwrap()
        );
    }
}
