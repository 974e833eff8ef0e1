//! `shipgate check`: evaluate, print the report, write the report files, exit.

use super::github::Github;
use super::output::{eprint, print_stdout, stdout_color};
use super::{Global, PolicyArg};
use clap::Args;
use jiff::Timestamp;
use shipgate_model::{ExitCode, Report};
use shipgate_report::{Format, RenderOptions};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub policy: PolicyArg,

    /// The report on stdout.
    #[arg(long, short = 'f', default_value = "human", value_parser = parse_format)]
    pub format: Format,

    /// Also write `report.json`, `summary.md`, `gate-junit.xml` and `gate.env` into this folder.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,

    /// Evaluate everything and print the verdict, but exit 0 unless the policy is invalid.
    #[arg(long)]
    pub dry_run: bool,

    /// Evaluate as of this instant (RFC 3339, e.g. `2026-11-24T10:00:00Z`) instead of now:
    /// for replaying a past decision, since waivers and evidence ages depend on the time.
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<Timestamp>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|e| e.to_string())
}

pub(crate) fn run(args: &CheckArgs, global: &Global) -> ExitCode {
    let github = Github::detect();
    let loaded = match super::validate::load_or_report(&args.policy) {
        Ok(l) => l,
        Err(e) => {
            if let Some(gh) = &github
                && let Err(message) = gh.policy_failed(&e)
            {
                eprint(&format!("shipgate: {message}"));
            }
            return ExitCode::InvalidPolicy;
        }
    };
    let now = args.now.unwrap_or_else(Timestamp::now);
    tracing::debug!(policy = %loaded.path.display(), checks = ?loaded.policy.check_ids(), "evaluating");
    let mut report = shipgate_evaluator::run(&loaded, now);
    report.dry_run = args.dry_run;
    let decided = ExitCode::ALL
        .into_iter()
        .find(|c| c.code() == report.exit_code)
        .unwrap_or(ExitCode::Internal);

    if let Some(dir) = &args.report_dir
        && let Err(message) = write_report_dir(&report, dir)
    {
        eprint(&format!("shipgate: {message}"));
        return ExitCode::Internal;
    }
    let options = RenderOptions {
        color: args.format == Format::Human && stdout_color(global.color),
    };
    let text = match shipgate_report::render(&report, args.format, &options) {
        Ok(t) => t,
        Err(e) => {
            eprint(&format!("shipgate: failed to render the report: {e}"));
            return ExitCode::Internal;
        }
    };
    let text = match &github {
        Some(gh) => {
            let annotations = shipgate_report::render_github_annotations(&report);
            gh.annotations_to_stderr(&annotations);
            gh.stdout_text(&text, &annotations)
        }
        None => text,
    };
    if print_stdout(&text) == ExitCode::Internal {
        return ExitCode::Internal;
    }
    if let Some(gh) = &github {
        let report_json = args.report_dir.as_ref().map(|d| d.join("report.json"));
        if let Err(message) = gh.publish(&report, report_json.as_deref()) {
            eprint(&format!("shipgate: GitHub Actions: {message}"));
        }
    }
    if args.dry_run {
        if decided != ExitCode::Ready {
            eprint(&format!(
                "shipgate: dry run: the gate would have exited {} ({}); exiting 0",
                decided.code(),
                decided.meaning()
            ));
        }
        return ExitCode::Ready;
    }
    decided
}

/// Writes the report files: `report.json`, `summary.md`, `gate-junit.xml`, and `gate.env`
/// (the decision as `KEY=value` lines, for GitLab's `artifacts:reports:dotenv` and any CI that
/// reads dotenv files). They are written to temporary names first and then renamed,
/// so that a pipeline never picks up half a report.
fn write_report_dir(report: &Report, dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| {
        format!(
            "failed to create the report folder `{}`: {e}",
            dir.display()
        )
    })?;
    let render_err = |e: shipgate_report::ReportError| format!("failed to render the report: {e}");
    let files = [
        (
            "report.json",
            shipgate_report::render_json(report).map_err(render_err)?,
        ),
        ("summary.md", shipgate_report::render_markdown(report)),
        (
            "gate-junit.xml",
            shipgate_report::render_junit(report).map_err(render_err)?,
        ),
        ("gate.env", dotenv(report)),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| format!("failed to write `{}`: {e}", path.display()))?;
    }
    Ok(())
}

/// The decision in dotenv form. Values are plain words and numbers, never evidence text.
fn dotenv(report: &Report) -> String {
    let decision = match report.decision {
        shipgate_model::Decision::Ready => "ready",
        shipgate_model::Decision::Blocked => "blocked",
    };
    format!(
        "SHIPGATE_DECISION={decision}\nSHIPGATE_EXIT_CODE={}\nSHIPGATE_BLOCKING={}\n",
        report.exit_code,
        report.blocking().count()
    )
}
