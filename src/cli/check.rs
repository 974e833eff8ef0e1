//! `shipgate check`: evaluate, print the report, write the report files, exit.

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

    /// Also write `report.json`, `summary.md` and `gate-junit.xml` into this folder.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,

    /// Evaluate everything and print the verdict, but exit 0 unless the policy is invalid.
    #[arg(long)]
    pub dry_run: bool,

    /// No network: a defect tracker is then missing evidence (the gate blocks and says why);
    /// a `kind: file` export is read as usual, for a dry run on a laptop.
    #[arg(long)]
    pub offline: bool,

    /// Evaluate as of this instant (RFC 3339, e.g. `2026-11-24T10:00:00Z`) instead of now:
    /// for replaying a past decision, since waivers and evidence ages depend on the time.
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<Timestamp>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|e| e.to_string())
}

pub(crate) fn run(args: &CheckArgs, global: &Global) -> ExitCode {
    let loaded = match super::validate::load(&args.policy) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let now = args.now.unwrap_or_else(Timestamp::now);
    tracing::debug!(policy = %loaded.path.display(), checks = ?loaded.policy.check_ids(), "evaluating");
    let options = shipgate_evaluator::GatherOptions {
        offline: args.offline,
        env: &super::output::env_lookup,
        now: Some(now),
    };
    let mut report = shipgate_evaluator::run_with(&loaded, now, &options);
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
    if print_stdout(&text) == ExitCode::Internal {
        return ExitCode::Internal;
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

/// Writes the three report files. They are written to temporary names first and then renamed,
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
