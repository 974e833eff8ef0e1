//! `shipgate backtest` and `shipgate history`: a policy replayed on recorded releases, joined
//! with the production defects each release leaked; and the list of recorded releases.

use super::PolicyArg;
use super::error::RunError;
use super::output::{env_lookup, print_stdout};
use clap::{Args, ValueEnum};
use jiff::Timestamp;
use shipgate_history::{NewPolicy, ProductionDefects};
use shipgate_model::ExitCode;
use shipgate_report::LogSyntax;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct BacktestArgs {
    #[command(flatten)]
    pub policy: PolicyArg,

    /// The release records to replay: report folders written by `shipgate check --report-dir`,
    /// folders of them (searched three levels down), or globs (`history/*`).
    #[arg(long, value_name = "DIR_OR_GLOB", num_args = 1.., required = true)]
    pub records: Vec<String>,

    /// The production defects to join, as a defect file (`shipgate inspect defects --format
    /// json` writes one; a Jira CSV export is read with the policy's defect settings) instead of
    /// the policy's `sources.defects`. A defect names the release it was introduced in with
    /// `introduced_in`.
    #[arg(long, value_name = "FILE")]
    pub defects: Option<PathBuf>,

    /// No network: the policy's tracker cannot be read (give `--defects FILE`).
    #[arg(long)]
    pub offline: bool,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = BacktestFormat::Human)]
    pub format: BacktestFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum BacktestFormat {
    /// A table.
    Human,
    /// The backtest as JSON (`schema_version` 1).
    Json,
    /// A Markdown table with the summary as a Mermaid chart.
    Markdown,
    /// A self-contained HTML page with the summary chart.
    Html,
}

#[derive(Debug, Args)]
pub(crate) struct HistoryArgs {
    /// The release records to list: report folders, folders of them, or globs.
    #[arg(long, value_name = "DIR_OR_GLOB", num_args = 1.., required = true)]
    pub records: Vec<String>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = HistoryFormat::Human)]
    pub format: HistoryFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum HistoryFormat {
    /// A table.
    Human,
    /// JSON.
    Json,
}

/// `shipgate history`: exit 0 when every record verified, 4 when one did not.
pub(crate) fn run_history(args: &HistoryArgs) -> Result<ExitCode, RunError> {
    let dirs = shipgate_history::find_records(&args.records).map_err(RunError::History)?;
    let entries: Vec<_> = shipgate_history::open_all(&dirs)
        .into_iter()
        .map(|r| r.entry)
        .collect();
    let text = match args.format {
        HistoryFormat::Human => shipgate_report::render_records_human(&entries),
        HistoryFormat::Json => shipgate_report::render_records_json(&entries)
            .map_err(|e| RunError::Internal(e.to_string()))?,
    };
    let syntax = match args.format {
        HistoryFormat::Human => LogSyntax::Text,
        HistoryFormat::Json => LogSyntax::Json,
    };
    print_stdout(&text, syntax)?;
    // The answer itself: the listing says which record did not verify.
    if entries.iter().all(|e| e.verified) {
        Ok(ExitCode::Ready)
    } else {
        Ok(ExitCode::EvidenceError)
    }
}

/// `shipgate backtest`: exit 0 when every record was replayed and every production defect that
/// names a release was joined with one; 4 when the answer is incomplete (a record unusable, a
/// defect naming a release no usable record holds).
pub(crate) fn run(args: &BacktestArgs) -> Result<ExitCode, RunError> {
    let loaded = super::validate::load(&args.policy)?;
    let dirs = shipgate_history::find_records(&args.records).map_err(RunError::History)?;
    let defects = shipgate_history::load_production_defects(
        &loaded,
        args.defects.as_deref(),
        args.offline,
        &env_lookup,
        Timestamp::now(),
    )
    .map_err(RunError::History)?;
    let records = shipgate_history::open_all(&dirs);
    let report = shipgate_history::backtest(
        &NewPolicy {
            path: &args.policy.policy,
            loaded: &loaded,
            env: &env_lookup,
        },
        records,
        &ProductionDefects {
            location: defects.location.clone(),
            defects: &defects.defects,
        },
    );
    let text = match args.format {
        BacktestFormat::Human => shipgate_report::render_backtest_human(&report),
        BacktestFormat::Markdown => shipgate_report::render_backtest_markdown(&report),
        BacktestFormat::Html => shipgate_report::render_backtest_html(&report),
        BacktestFormat::Json => shipgate_report::render_backtest_json(&report)
            .map_err(|e| RunError::Internal(e.to_string()))?,
    };
    let syntax = match args.format {
        BacktestFormat::Human | BacktestFormat::Markdown => LogSyntax::Text,
        BacktestFormat::Html => LogSyntax::Xml,
        BacktestFormat::Json => LogSyntax::Json,
    };
    print_stdout(&text, syntax)?;
    if report.is_complete() {
        return Ok(ExitCode::Ready);
    }
    Err(RunError::Unusable(format!(
        "the backtest is incomplete: {} record{} unusable, {} production defect{} naming a release no usable record holds; they are in no bucket",
        report.summary.unusable,
        if report.summary.unusable == 1 {
            ""
        } else {
            "s"
        },
        report.summary.defects_without_record,
        if report.summary.defects_without_record == 1 {
            ""
        } else {
            "s"
        },
    )))
}
