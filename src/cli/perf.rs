//! `shipgate perf baseline promote` and `shipgate inspect perf`: load-test results as the gate
//! reads them, and the baseline a later release is compared with.

use super::Global;
use super::error::RunError;
use super::output::{print_stdout, stdout_color};
use clap::{Args, Subcommand, ValueEnum};
use jiff::Timestamp;
use shipgate_evaluator::TOOL_VERSION;
use shipgate_evaluator::shipgate_perf::{
    self, PerfError, PerfFormat, PromoteOptions, PromoteRefusal, promote,
};
use shipgate_model::ExitCode;
use shipgate_report::{
    BaselineInspection, BaselineRunInspection, LogSyntax, PerfInspection, RenderOptions,
};
use std::path::{Path, PathBuf};

#[derive(Debug, Subcommand)]
pub(crate) enum PerfCommand {
    /// The performance baseline that `max_regression` compares with.
    #[command(subcommand)]
    Baseline(BaselineCommand),
}

#[derive(Debug, Subcommand)]
pub(crate) enum BaselineCommand {
    /// Add good runs to the baseline (keeping the last N runs, each file beside the baseline
    /// with its hash), in the order given. Refuses a run that failed its own thresholds unless
    /// `--force`; of several runs, adds none unless every one can be added.
    Promote(PromoteArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PromoteArgs {
    /// The runs to promote, in order (several runs of the same release): k6, JMeter, Locust,
    /// Gatling or generic results.
    #[arg(value_name = "CURRENT", required = true, num_args = 1..)]
    pub current: Vec<PathBuf>,

    /// The baseline to add the run to, or to create (point `sources.performance.baseline.path`
    /// at it); the runs' files are kept in `<name>.runs/` beside it.
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

    /// Promote even though the run failed its own thresholds; the baseline records it.
    #[arg(long)]
    pub force: bool,

    /// How many runs the baseline keeps, the newest [default: the baseline's, else 5].
    #[arg(long, value_name = "N")]
    pub keep: Option<u32>,

    /// Start a new baseline with these runs alone, dropping the runs kept so far (after an
    /// intended change of performance, or of load-test tool).
    #[arg(long)]
    pub fresh: bool,

    /// Record this instant as the promotion time instead of now. It needs its zone
    /// (`2026-11-24T10:00:00Z`, `+01:00`, `[Europe/Berlin]`).
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<shipgate_model::Instant>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectPerfArgs {
    /// Load-test results files or baselines (several: the runs of a release, each listed;
    /// as JSON, a list of them).
    #[arg(value_name = "FILE", required = true, num_args = 1..)]
    pub path: Vec<PathBuf>,

    /// The file's format.
    #[arg(long, value_name = "FORMAT", default_value = "auto", value_parser = formats())]
    pub input_format: PerfFormat,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = PerfOutput::Human)]
    pub format: PerfOutput,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PerfOutput {
    /// Where the file comes from, and a table of its metrics (for a baseline of several runs,
    /// each run and its figures side by side).
    Human,
    /// A JSON object: `provenance`, `thresholds` and a `metrics` list (for a baseline of several
    /// runs, a `runs` list of those).
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

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn promote_run(args: &PromoteArgs) -> Result<ExitCode, RunError> {
    let mut options = PromoteOptions {
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
        keep: args.keep,
        fresh: args.fresh,
    };
    if args.current.len() > 1 {
        rehearse(args, &options)?;
    }
    let fresh = options.fresh;
    for (i, current) in args.current.iter().enumerate() {
        // `--fresh` starts the baseline with the first run; the others join it.
        options.fresh = fresh && i == 0;
        promote_one(current, args, &options)?;
    }
    Ok(ExitCode::Ready)
}

/// Several runs are promoted into a copy of the baseline first, so that a run refused halfway
/// leaves the baseline as it was rather than holding some of the release's runs.
fn rehearse(args: &PromoteArgs, options: &PromoteOptions) -> Result<(), RunError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let scratch =
        std::env::temp_dir().join(format!("shipgate-promote-{}-{nanos}", std::process::id()));
    let result = rehearse_in(&scratch, args, options);
    // A scratch copy that cannot be removed is litter in the temporary folder, not a failure.
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

fn rehearse_in(
    scratch: &Path,
    args: &PromoteArgs,
    options: &PromoteOptions,
) -> Result<(), RunError> {
    let copy_failed = |what: &Path, e: std::io::Error| {
        RunError::Internal(format!(
            "failed to copy `{}` to try the promotion first: {e}",
            what.display()
        ))
    };
    std::fs::create_dir_all(scratch).map_err(|e| copy_failed(scratch, e))?;
    let name = args
        .out
        .file_name()
        .map_or_else(|| "baseline".into(), |n| n.to_string_lossy().into_owned());
    let stem = name.strip_suffix(".json").unwrap_or(&name).to_owned();
    let out = scratch.join(&name);
    if args.out.exists() {
        std::fs::copy(&args.out, &out).map_err(|e| copy_failed(&args.out, e))?;
        let dir = match args.out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let runs = dir.join(format!("{stem}.runs"));
        if runs.is_dir() {
            let into = scratch.join(format!("{stem}.runs"));
            std::fs::create_dir_all(&into).map_err(|e| copy_failed(&runs, e))?;
            for entry in std::fs::read_dir(&runs).map_err(|e| copy_failed(&runs, e))? {
                let entry = entry.map_err(|e| copy_failed(&runs, e))?;
                if entry.path().is_file() {
                    std::fs::copy(entry.path(), into.join(entry.file_name()))
                        .map_err(|e| copy_failed(&entry.path(), e))?;
                }
            }
        }
    }
    let mut options = options.clone();
    let fresh = options.fresh;
    for (i, current) in args.current.iter().enumerate() {
        options.fresh = fresh && i == 0;
        let (run, shown) = (
            current.display().to_string(),
            args.out.display().to_string(),
        );
        promote(
            current,
            &run,
            args.format,
            &out,
            &shown,
            TOOL_VERSION,
            &options,
        )
        .map_err(|refusal| refused(&run, &refusal, args.current.len()))?;
    }
    Ok(())
}

/// The error of a refused promotion: a "no" (exit 1) for a run that is not a good one or not
/// there, unusable (exit 4) for a file that cannot be read as what it must be.
fn refused(run: &str, refusal: &PromoteRefusal, of: usize) -> RunError {
    let nothing = if of > 1 {
        format!(" (none of the {of} runs was added)")
    } else {
        String::new()
    };
    let message = format!(
        "refusing to promote `{run}`: {}{nothing}",
        refusal.message()
    );
    match refusal {
        // No run to promote, or a run that is not a good one: a "no", like a blocked gate.
        PromoteRefusal::Read(PerfError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound =>
        {
            RunError::Refused(message)
        }
        PromoteRefusal::Read(e) if e.is_empty_run() => RunError::Refused(message),
        r if r.is_write() => RunError::Internal(message),
        r if r.is_about_the_run() => RunError::Refused(message),
        // A run or a baseline that cannot be read as what it must be.
        _ => RunError::Unusable(message),
    }
}

fn promote_one(
    current: &Path,
    args: &PromoteArgs,
    options: &PromoteOptions,
) -> Result<(), RunError> {
    let (run, out) = (
        current.display().to_string(),
        args.out.display().to_string(),
    );
    let done = promote(
        current,
        &run,
        args.format,
        &args.out,
        &out,
        TOOL_VERSION,
        options,
    )
    .map_err(|refusal| refused(&run, &refusal, 1))?;
    let p = &done.run.provenance;
    let mut summary = format!(
        "added `{run}` ({}, sha256 {}) to the baseline `{out}`: {} of at most {} runs; kept as `{}`",
        p.format,
        &p.source_sha256[..p.source_sha256.len().min(12)],
        done.runs,
        done.keep,
        done.kept_as,
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
    for gone in &done.dropped {
        summary.push_str(&format!("\ndropped the oldest run `{gone}`"));
    }
    if done.runs == 1 && args.current.len() == 1 {
        summary.push_str("\na baseline of one run cannot tell noise from a regression: promote more runs of this release (the gate judges a worsening beyond `max_regression` as it is until then)");
    }
    print_stdout(&format!("{summary}\n"), LogSyntax::Text)?;
    Ok(())
}

pub(crate) fn inspect(args: &InspectPerfArgs, global: &Global) -> Result<ExitCode, RunError> {
    let mut texts = Vec::with_capacity(args.path.len());
    for path in &args.path {
        texts.push(inspect_one(args, global, path)?);
    }
    // One file as before; several as a JSON list, or one after the other.
    let text = match (args.format, texts.len()) {
        (_, 1) => texts.concat(),
        (PerfOutput::Json, _) => format!(
            "[\n{}\n]\n",
            texts
                .iter()
                .map(|t| t.trim_end())
                .collect::<Vec<_>>()
                .join(",\n")
        ),
        (PerfOutput::Human, _) => texts.join("\n"),
    };
    let syntax = match args.format {
        PerfOutput::Json => LogSyntax::Json,
        PerfOutput::Human => LogSyntax::Text,
    };
    print_stdout(&text, syntax)?;
    Ok(ExitCode::Ready)
}

/// What `inspect perf` shows of one file, in the output format asked for.
fn inspect_one(args: &InspectPerfArgs, global: &Global, path: &Path) -> Result<String, RunError> {
    let display = path.display().to_string();
    // Read as the gate reads a baseline: a tool's own file is one run; a manifest's runs are each
    // read from their kept files and checked against it.
    let read = shipgate_perf::read_baseline(path, &display, args.input_format)?;
    if read.baseline.runs.len() > 1 {
        return inspect_baseline(args, global, &display, &read);
    }
    let (Some(file), Some(evidence)) = (read.files.first(), read.baseline.runs.first()) else {
        return Err(RunError::Internal(format!(
            "`{display}` was read, but no run came of it"
        )));
    };
    // A manifest of one run is shown as that run, under the manifest's name and hash.
    let evidence = shipgate_model::PerfEvidence {
        path: display.clone(),
        ..evidence.clone()
    };
    let inspection = PerfInspection {
        path: &display,
        sha256: &file.sha256,
        bytes: file.bytes,
        evidence: &evidence,
    };
    Ok(match args.format {
        PerfOutput::Json => shipgate_report::render_perf_inspection_json(&inspection)
            .map_err(|e| RunError::Internal(format!("failed to render: {e}")))?,
        PerfOutput::Human => shipgate_report::render_perf_inspection_human(
            &inspection,
            &RenderOptions {
                color: stdout_color(global.color),
            },
        ),
    })
}

/// `inspect perf` on a baseline of several runs: each run with its file, release, times and
/// figures, side by side.
fn inspect_baseline(
    args: &InspectPerfArgs,
    global: &Global,
    display: &str,
    read: &shipgate_perf::BaselineRead,
) -> Result<String, RunError> {
    let Some(manifest) = read.files.first() else {
        return Err(RunError::Internal(format!(
            "`{display}` was read, but not its manifest"
        )));
    };
    let inspection = BaselineInspection {
        path: display,
        sha256: &manifest.sha256,
        bytes: manifest.bytes,
        // The files after the manifest are the runs', in the same order.
        runs: read
            .files
            .iter()
            .skip(1)
            .zip(&read.baseline.runs)
            .map(|(file, evidence)| BaselineRunInspection {
                file: &file.path,
                sha256: &file.sha256,
                bytes: file.bytes,
                evidence,
            })
            .collect(),
    };
    Ok(match args.format {
        PerfOutput::Json => shipgate_report::render_baseline_inspection_json(&inspection)
            .map_err(|e| RunError::Internal(format!("failed to render: {e}")))?,
        PerfOutput::Human => shipgate_report::render_baseline_inspection_human(
            &inspection,
            &RenderOptions {
                color: stdout_color(global.color),
            },
        ),
    })
}
