//! `shipgate inspect`: the evidence as the gate sees it.

use super::Global;
use super::error::{Absence, RunError};
use super::output::{print_stdout, stdout_color};
use clap::{Args, Subcommand, ValueEnum};
use shipgate_evaluator::{inspect_tests, inspect_tests_with_history, inspect_uat};
use shipgate_model::{EvidenceProblem, ExitCode, RetryMode, TestRetention};
use shipgate_report::{LogSyntax, RenderOptions};

#[derive(Debug, Subcommand)]
pub(crate) enum InspectCommand {
    /// Read JUnit XML files and show the counts per file and in total.
    Tests(InspectTestsArgs),
    /// Read a UAT sign-off record and show who signed what, and whether its signature verifies.
    Uat(InspectUatArgs),
    /// Load the policy's defect source and show the normalised defects (`--format json`
    /// writes the defect JSON form, which `kind: file` reads back).
    Defects(InspectDefectsArgs),
    /// Read a load-test results file (or a baseline snapshot) and show every metric.
    Perf(super::perf::InspectPerfArgs),
}

#[derive(Debug, Args)]
pub(crate) struct InspectUatArgs {
    /// The sign-off record (YAML or JSON), relative to the current folder. Its signature is
    /// looked for at the same path with `.sig` appended.
    #[arg(value_name = "SIGNOFF")]
    pub signoff: String,

    /// Verify the signature against this allowed-signers file (`ssh-keygen -Y verify -f`).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<String>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = InspectFormat::Human)]
    pub format: InspectFormat,
}

#[derive(Debug, Args)]
pub(crate) struct InspectDefectsArgs {
    #[command(flatten)]
    pub policy: super::PolicyArg,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = InspectFormat::Human)]
    pub format: InspectFormat,

    /// No network: only a `kind: file` defect source can be read.
    #[arg(long)]
    pub offline: bool,

    /// Record this instant as when the defects were fetched, instead of now. It needs its zone
    /// (`2026-11-24T10:00:00Z`, `+01:00`, `[Europe/Berlin]`).
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<shipgate_model::Instant>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectTestsArgs {
    /// JUnit XML files or globs (`reports/**/*.xml`), relative to the current folder.
    #[arg(required = true, value_name = "PATH_OR_GLOB")]
    pub paths: Vec<String>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = InspectFormat::Human)]
    pub format: InspectFormat,

    /// Merge retries written as repeated testcases (same suite, classname and name in one file).
    #[arg(long, default_value = "per-testcase", value_parser = retry_modes())]
    pub retries: RetryMode,

    /// Earlier runs' JUnit files, one folder per run (`history/*/**/*.xml`): also show each run
    /// and the flaky tests across them and this run, ranked by flip rate.
    #[arg(long, value_name = "GLOB")]
    pub history: Vec<String>,

    /// How many of the latest earlier runs to read (folders ordered by name, numbers compared
    /// as numbers).
    #[arg(long, value_name = "N", default_value_t = shipgate_policy::DEFAULT_HISTORY_RUNS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(shipgate_policy::MAX_HISTORY_RUNS)),
          requires = "history")]
    pub history_runs: u32,

    /// A test that flips between pass and fail at least this often is flaky.
    #[arg(long, value_name = "N", default_value_t = shipgate_policy::DEFAULT_MIN_FLIPS,
          value_parser = clap::value_parser!(u32).range(1..), requires = "history")]
    pub min_flips: u32,

    /// The commit this run tested, when its files do not say (e.g. `$GITHUB_SHA`).
    #[arg(long, value_name = "SHA", requires = "history")]
    pub commit: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum InspectFormat {
    /// A table (tests: per file and the totals; defects: one row per defect; uat: the record).
    Human,
    /// JSON (tests: totals and a `files` list; defects: the defect JSON form; uat: the record).
    Json,
}

impl InspectFormat {
    /// How the output is written in a GitHub Actions job.
    pub(crate) fn syntax(self) -> LogSyntax {
        match self {
            InspectFormat::Human => LogSyntax::Text,
            InspectFormat::Json => LogSyntax::Json,
        }
    }
}

/// The retry modes of the shared vocabulary, as a policy names them.
fn retry_modes() -> impl clap::builder::TypedValueParser<Value = RetryMode> {
    super::words::one_of(&RetryMode::ALL, RetryMode::as_str, RetryMode::describe)
}

pub(crate) fn run(cmd: &InspectCommand, global: &Global) -> Result<ExitCode, RunError> {
    match cmd {
        InspectCommand::Tests(args) => tests(args, global),
        InspectCommand::Uat(args) => uat(args, global),
        InspectCommand::Defects(args) => defects(args, global),
        InspectCommand::Perf(args) => super::perf::inspect(args, global),
    }
}

fn uat(args: &InspectUatArgs, global: &Global) -> Result<ExitCode, RunError> {
    let (state, _) = inspect_uat(
        std::path::Path::new("."),
        &args.signoff,
        args.allowed_signers.as_deref(),
    );
    let evidence = RunError::evidence(state, "uat", None)?;
    let syntax = args.format.syntax();
    let text = match args.format {
        InspectFormat::Json => shipgate_report::render_uat_inspection_json(&evidence)
            .map_err(|e| RunError::Internal(format!("failed to render: {e}")))?,
        InspectFormat::Human => shipgate_report::render_uat_inspection_human(
            &evidence,
            &RenderOptions {
                color: stdout_color(global.color),
            },
        ),
    };
    print_stdout(&text, syntax)?;
    Ok(ExitCode::Ready)
}

fn tests(args: &InspectTestsArgs, global: &Global) -> Result<ExitCode, RunError> {
    let retries = args.retries;
    let base = std::path::Path::new(".");
    let (inspection, history) = if args.history.is_empty() {
        let tests = inspect_tests(base, &args.paths, TestRetention::default(), retries);
        (tests, None)
    } else {
        let both = inspect_tests_with_history(
            base,
            &args.paths,
            retries,
            &args.history,
            args.history_runs,
            args.commit.as_deref(),
        );
        (both.tests, Some(both.history))
    };
    if let Some(message) = &inspection.bad_glob {
        // As the gate reads a glob it cannot expand: unreadable evidence.
        return Err(RunError::Evidence(vec![(
            Absence::Unreadable,
            problem(message.clone(), "correct the glob, or the file or folder the message names (a broken link, a folder that cannot be listed)".to_owned()),
        )]));
    }
    let evidence = &inspection.read.evidence;
    let loaded_history = history.as_ref().and_then(|h| h.loaded());
    let text = match args.format {
        InspectFormat::Json => {
            let rendered = match loaded_history {
                Some(h) => shipgate_report::render_test_inspection_json_with_history(
                    evidence,
                    shipgate_report::history_json(h, args.min_flips),
                ),
                None => shipgate_report::render_test_inspection_json(evidence),
            };
            rendered.map_err(|e| RunError::Internal(format!("failed to render: {e}")))?
        }
        InspectFormat::Human => {
            let options = RenderOptions {
                color: stdout_color(global.color),
            };
            let mut text = shipgate_report::render_test_inspection_human(evidence, &options);
            if let Some(h) = loaded_history {
                text.push('\n');
                text.push_str(&shipgate_report::render_history_human(
                    h,
                    args.min_flips,
                    &options,
                ));
            }
            text
        }
    };
    print_stdout(&text, args.format.syntax())?;
    // What was shown, then what is wrong with it: the code is that of the worst problem.
    let mut problems: Vec<(Absence, EvidenceProblem)> = inspection
        .read
        .errors
        .iter()
        .map(|e| (Absence::Unreadable, problem(e.to_string(), e.remedy())))
        .collect();
    problems.extend(inspection.unmatched.iter().map(|glob| {
        (
            Absence::Missing,
            problem(
                format!("no file matched `{glob}`"),
                "run the tests first, or correct the path or glob (relative to the current folder)"
                    .to_owned(),
            ),
        )
    }));
    if let Some(history) = history
        && let Err(RunError::Evidence(more)) = RunError::evidence(history, "history", None)
    {
        problems.extend(more);
    }
    if problems.is_empty() {
        Ok(ExitCode::Ready)
    } else {
        Err(RunError::Evidence(problems))
    }
}

/// A problem with the JUnit files named on the command line.
fn problem(message: String, remedy: String) -> EvidenceProblem {
    EvidenceProblem {
        source: "tests".to_owned(),
        location: None,
        message,
        remedy,
    }
}

fn defects(args: &InspectDefectsArgs, global: &Global) -> Result<ExitCode, RunError> {
    let loaded = super::validate::load(&args.policy)?;
    let now = args
        .now
        .map_or_else(jiff::Timestamp::now, shipgate_model::Instant::timestamp);
    let defects = super::leakage::load_defects(&loaded, args.offline, now)?;
    let text = match args.format {
        InspectFormat::Json => shipgate_evaluator::write_defects_json(&defects.evidence),
        InspectFormat::Human => shipgate_report::render_defect_inspection_human(
            &defects.evidence,
            &RenderOptions {
                color: stdout_color(global.color),
            },
        ),
    };
    print_stdout(&text, args.format.syntax())?;
    Ok(ExitCode::Ready)
}
