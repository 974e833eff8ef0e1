//! `shipgate html`: the self-contained HTML report of a JSON report (`report.json`).

use super::error::RunError;
use super::output::print_stdout;
use clap::Args;
use shipgate_model::{ExitCode, Report};
use shipgate_report::LogSyntax;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub(crate) struct HtmlArgs {
    /// A JSON report (`report.json`, or `--format json` output), or a report folder holding one.
    #[arg(value_name = "REPORT")]
    pub report: PathBuf,

    /// Write the page here instead of to stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The largest JSON report read: far more than any real report.
const MAX_REPORT_BYTES: u64 = 256 * 1024 * 1024;

pub(crate) fn run(args: &HtmlArgs) -> Result<ExitCode, RunError> {
    let path = if args.report.is_dir() {
        args.report.join("report.json")
    } else {
        args.report.clone()
    };
    let bytes = std::fs::metadata(&path)
        .and_then(|m| {
            if m.len() > MAX_REPORT_BYTES {
                Err(std::io::Error::other(format!(
                    "it is {} bytes, more than a report can be",
                    m.len()
                )))
            } else {
                std::fs::read(&path)
            }
        })
        .map_err(|e| {
            RunError::Unusable(format!(
                "failed to read the JSON report `{}`: {e}",
                path.display()
            ))
        })?;
    let report: Report = shipgate_json::parse_form(&bytes).map_err(|e| {
        RunError::Unusable(format!(
            "failed to read the JSON report `{}`: {e}; give the `report.json` that `shipgate check --report-dir` writes",
            path.display()
        ))
    })?;
    let html = shipgate_report::render_html(&report);
    match &args.output {
        None => print_stdout(&html, LogSyntax::Xml)?,
        Some(out) => {
            let html = super::output::redacted_file_text(html);
            let tmp = out.with_extension("html.tmp");
            std::fs::write(&tmp, html)
                .and_then(|()| std::fs::rename(&tmp, out))
                .map_err(|e| {
                    RunError::Internal(format!("failed to write `{}`: {e}", out.display()))
                })?;
        }
    }
    Ok(ExitCode::Ready)
}
