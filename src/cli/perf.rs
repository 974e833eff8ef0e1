//! `shipgate perf baseline promote` and `shipgate inspect perf`: load-test results as the gate
//! reads them, and the baseline a later release is compared with.

use super::Global;
use super::error::RunError;
use super::output::{print_stdout, stdout_color};
use clap::{Args, Subcommand, ValueEnum};
use jiff::Timestamp;
use shipgate_evaluator::TOOL_VERSION;
use shipgate_evaluator::shipgate_perf::{
    self, PerfFormat, PerfRead, PromoteOptions, promote, render_snapshot,
};
use shipgate_model::ExitCode;
use shipgate_report::{LogSyntax, PerfInspection, RenderOptions};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub(crate) enum PerfCommand {
    /// The performance baseline that `max_regression` compares with.
    #[command(subcommand)]
    Baseline(BaselineCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum BaselineCommand {
    /// Write a normalised baseline snapshot of a good run, with its provenance. Refuses a run
    /// that failed its own thresholds unless `--force`.
    Promote(PromoteArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PromoteArgs {
    /// The run to promote: k6, JMeter, Locust, Gatling or generic results.
    #[arg(value_name = "CURRENT")]
    pub current: PathBuf,

    /// Where to write the baseline snapshot (point `sources.performance.baseline.path` at it).
    #[arg(long, value_name = "BASELINE")]
    pub out: PathBuf,

    /// The run's format.
    #[arg(long, visible_alias = "input-format", value_name = "FORMAT", default_value = "auto", value_parser = formats())]
    pub format: PerfFormat,

    /// The release the run measured [default: $RELEASE_VERSION when set].
    #[arg(long, value_name = "VERSION")]
    pub release_version: Option<String>,

    /// The commit the run measured [default: $GITHUB_SHA, else $CI_COMMIT_SHA, when set].
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,

    /// Promote even though the run failed its own thresholds; the snapshot records it.
    #[arg(long)]
    pub force: bool,

    /// Record this instant as the promotion time instead of now. It needs its zone
    /// (`2026-11-24T10:00:00Z`, `+01:00`, `[Europe/Berlin]`).
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<shipgate_model::Instant>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectPerfArgs {
    /// A load-test results file or a baseline snapshot.
    #[arg(value_name = "FILE")]
    pub path: PathBuf,

    /// The file's format.
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = formats())]
    pub input_format: PerfFormat,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PerfOutput::Human)]
    pub format: PerfOutput,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PerfOutput {
    /// Where the file comes from, and a table of its metrics.
    Human,
    /// A JSON object: `provenance`, `thresholds` and a `metrics` list.
    Json,
}

/// The formats of the shared vocabulary, listed in `--help` as they are named in a policy.
fn formats() -> impl clap::builder::TypedValueParser<Value = PerfFormat> {
    super::words::one_of(&PerfFormat::ALL, PerfFormat::as_str, PerfFormat::describe)
}

pub(crate) fn run(cmd: &PerfCommand) -> Result<ExitCode, RunError> {
    match cmd {
        PerfCommand::Baseline(BaselineCommand::Promote(args)) => promote_run(args),
    }
}

/// Reads a file, or says why not: nothing to read (no file, or a run that measured nothing) is
/// missing evidence, anything else unreadable.
fn read(path: &Path, format: PerfFormat) -> Result<PerfRead, RunError> {
    let display = path.display().to_string();
    Ok(shipgate_perf::read_file(path, &display, format)?)
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn promote_run(args: &PromoteArgs) -> Result<ExitCode, RunError> {
    if args.format == PerfFormat::Baseline {
        return Err(RunError::Usage(
            "`--format baseline` names a snapshot; promote the run it came from instead".to_owned(),
        ));
    }
    let run = read(&args.current, args.format)?;
    let options = PromoteOptions {
        now: Some(
            args.now
                .map_or_else(Timestamp::now, shipgate_model::Instant::timestamp),
        ),
        release_version: args
            .release_version
            .clone()
            .or_else(|| env("RELEASE_VERSION")),
        commit: args
            .commit
            .clone()
            .or_else(|| env("GITHUB_SHA"))
            .or_else(|| env("CI_COMMIT_SHA")),
        force: args.force,
    };
    let format = run.evidence.provenance.format.clone();
    let baseline = promote(run, &options).map_err(|refusal| {
        RunError::Refused(format!(
            "refusing to promote `{}`: {}",
            args.current.display(),
            refusal.message()
        ))
    })?;
    let text = render_snapshot(&baseline, TOOL_VERSION)
        .map_err(|e| RunError::Internal(format!("failed to write the baseline as JSON: {e}")))?;
    write_atomically(&args.out, &text).map_err(RunError::Internal)?;
    let sampled = baseline
        .metrics
        .values()
        .filter(|m| baseline.samples_of(m).is_some())
        .count();
    let p = &baseline.provenance;
    let mut summary = format!(
        "wrote the baseline `{}`: {} metrics ({} with raw samples) from `{}` ({format}, sha256 {})",
        args.out.display(),
        baseline.metrics.len(),
        sampled,
        args.current.display(),
        &p.source_sha256[..p.source_sha256.len().min(12)],
    );
    if let Some(r) = &p.release_version {
        summary.push_str(&format!(", release {r}"));
    }
    if let Some(c) = &p.commit {
        summary.push_str(&format!(", commit {c}"));
    }
    if p.forced {
        summary.push_str("; FORCED past the run's failed thresholds");
    }
    print_stdout(&format!("{summary}\n"), LogSyntax::Text)?;
    Ok(ExitCode::Ready)
}

/// Writes to a temporary name and renames, so the gate never reads half a baseline.
fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|e| format!("failed to create the folder `{}`: {e}", dir.display()))?;
    let name = path.file_name().map_or_else(
        || "baseline.json".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| format!("failed to write `{}`: {e}", path.display()))
}

pub(crate) fn inspect(args: &InspectPerfArgs, global: &Global) -> Result<ExitCode, RunError> {
    let read = read(&args.path, args.input_format)?;
    let display = args.path.display().to_string();
    let inspection = PerfInspection {
        path: &display,
        sha256: &read.sha256,
        bytes: read.bytes,
        evidence: &read.evidence,
    };
    let text = match args.format {
        PerfOutput::Json => shipgate_report::render_perf_inspection_json(&inspection)
            .map_err(|e| RunError::Internal(format!("failed to render: {e}")))?,
        PerfOutput::Human => shipgate_report::render_perf_inspection_human(
            &inspection,
            &RenderOptions {
                color: stdout_color(global.color),
            },
        ),
    };
    let syntax = match args.format {
        PerfOutput::Json => LogSyntax::Json,
        PerfOutput::Human => LogSyntax::Text,
    };
    print_stdout(&text, syntax)?;
    Ok(ExitCode::Ready)
}
