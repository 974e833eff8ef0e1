//! `shipgate inspect`: the evidence as the gate sees it.

use super::Global;
use super::output::{eprint, print_stdout, stdout_color};
use clap::{Args, Subcommand, ValueEnum};
use shipgate_evaluator::inspect_tests;
use shipgate_model::{ExitCode, TestRetention};
use shipgate_report::RenderOptions;

#[derive(Debug, Subcommand)]
pub(crate) enum InspectCommand {
    /// Read JUnit XML files and show the counts per file and in total.
    Tests(InspectTestsArgs),
    /// Read a load-test results file (or a baseline snapshot) and show every metric.
    Perf(super::perf::InspectPerfArgs),
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
    #[arg(long, value_enum, default_value_t = RetriesArg::PerTestcase)]
    pub retries: RetriesArg,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum InspectFormat {
    /// A table per file and the totals.
    Human,
    /// A JSON object: totals and a `files` list.
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub(crate) enum RetriesArg {
    /// Every `<testcase>` is one test.
    PerTestcase,
    /// Repeated testcases in one file are attempts of one test.
    RepeatedTestcases,
}

pub(crate) fn run(cmd: &InspectCommand, global: &Global) -> ExitCode {
    match cmd {
        InspectCommand::Tests(args) => tests(args, global),
        InspectCommand::Perf(args) => super::perf::inspect(args, global),
    }
}

fn tests(args: &InspectTestsArgs, global: &Global) -> ExitCode {
    let retries = match args.retries {
        RetriesArg::PerTestcase => shipgate_policy::RetryMode::PerTestcase,
        RetriesArg::RepeatedTestcases => shipgate_policy::RetryMode::RepeatedTestcases,
    };
    let inspection = inspect_tests(
        std::path::Path::new("."),
        &args.paths,
        TestRetention::default(),
        retries,
    );
    if let Some(message) = &inspection.bad_glob {
        eprint(&format!("shipgate: {message}"));
        return ExitCode::Usage;
    }
    let evidence = &inspection.read.evidence;
    let text = match args.format {
        InspectFormat::Json => match shipgate_report::render_test_inspection_json(evidence) {
            Ok(t) => t,
            Err(e) => {
                eprint(&format!("shipgate: failed to render: {e}"));
                return ExitCode::Internal;
            }
        },
        InspectFormat::Human => shipgate_report::render_test_inspection_human(
            evidence,
            &RenderOptions {
                color: stdout_color(global.color),
            },
        ),
    };
    if print_stdout(&text) == ExitCode::Internal {
        return ExitCode::Internal;
    }
    for e in &inspection.read.errors {
        eprint(&format!("shipgate: {e}\n  to fix: {}", e.remedy()));
    }
    for glob in &inspection.unmatched {
        eprint(&format!("shipgate: no file matched `{glob}`"));
    }
    if !inspection.read.errors.is_empty() {
        ExitCode::EvidenceError
    } else if !inspection.unmatched.is_empty() {
        ExitCode::Blocked
    } else {
        ExitCode::Ready
    }
}
