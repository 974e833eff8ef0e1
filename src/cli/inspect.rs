//! `shipgate inspect`: the evidence as the gate sees it.

use super::Global;
use super::output::{eprint, print_stdout, stdout_color};
use clap::{Args, Subcommand, ValueEnum};
use shipgate_evaluator::{inspect_tests, inspect_tests_with_history, inspect_uat};
use shipgate_model::{ExitCode, RetryMode, SourceState, TestRetention};
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

pub(crate) fn run(cmd: &InspectCommand, global: &Global) -> ExitCode {
    match cmd {
        InspectCommand::Tests(args) => tests(args, global),
        InspectCommand::Uat(args) => uat(args, global),
        InspectCommand::Defects(args) => defects(args, global),
        InspectCommand::Perf(args) => super::perf::inspect(args, global),
    }
}

fn uat(args: &InspectUatArgs, global: &Global) -> ExitCode {
    let (state, _) = inspect_uat(
        std::path::Path::new("."),
        &args.signoff,
        args.allowed_signers.as_deref(),
    );
    let evidence = match state {
        SourceState::Loaded(e) => e,
        SourceState::Missing(p) => {
            eprint(&format!(
                "shipgate: {}\n  to fix: {}",
                p.describe(),
                p.remedy
            ));
            return ExitCode::Blocked;
        }
        SourceState::Unreadable(problems) => {
            for p in problems {
                eprint(&format!(
                    "shipgate: {}\n  to fix: {}",
                    p.describe(),
                    p.remedy
                ));
            }
            return ExitCode::EvidenceError;
        }
        SourceState::NotConfigured => return ExitCode::Internal,
    };
    let syntax = args.format.syntax();
    let text = match args.format {
        InspectFormat::Json => match shipgate_report::render_uat_inspection_json(&evidence) {
            Ok(t) => t,
            Err(e) => {
                eprint(&format!("shipgate: failed to render: {e}"));
                return ExitCode::Internal;
            }
        },
        InspectFormat::Human => shipgate_report::render_uat_inspection_human(
            &evidence,
            &RenderOptions {
                color: stdout_color(global.color),
            },
        ),
    };
    print_stdout(&text, syntax)
}

fn tests(args: &InspectTestsArgs, global: &Global) -> ExitCode {
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
        eprint(&format!("shipgate: {message}"));
        return ExitCode::Usage;
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
            match rendered {
                Ok(t) => t,
                Err(e) => {
                    eprint(&format!("shipgate: failed to render: {e}"));
                    return ExitCode::Internal;
                }
            }
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
    if print_stdout(&text, args.format.syntax()) == ExitCode::Internal {
        return ExitCode::Internal;
    }
    for e in &inspection.read.errors {
        eprint(&format!("shipgate: {e}\n  to fix: {}", e.remedy()));
    }
    for glob in &inspection.unmatched {
        eprint(&format!("shipgate: no file matched `{glob}`"));
    }
    let history_code = match &history {
        Some(SourceState::Missing(p)) => {
            eprint(&format!(
                "shipgate: {}\n  to fix: {}",
                p.describe(),
                p.remedy
            ));
            ExitCode::Blocked
        }
        Some(SourceState::Unreadable(problems)) => {
            for p in problems {
                eprint(&format!(
                    "shipgate: {}\n  to fix: {}",
                    p.describe(),
                    p.remedy
                ));
            }
            ExitCode::EvidenceError
        }
        _ => ExitCode::Ready,
    };
    if !inspection.read.errors.is_empty() || history_code == ExitCode::EvidenceError {
        ExitCode::EvidenceError
    } else if !inspection.unmatched.is_empty() || history_code == ExitCode::Blocked {
        ExitCode::Blocked
    } else {
        ExitCode::Ready
    }
}

fn defects(args: &InspectDefectsArgs, global: &Global) -> ExitCode {
    let loaded = match super::validate::load(&args.policy) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let now = args
        .now
        .map_or_else(jiff::Timestamp::now, shipgate_model::Instant::timestamp);
    let defects = match super::leakage::load_defects(&loaded, args.offline, now) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let text = match args.format {
        InspectFormat::Json => shipgate_evaluator::write_defects_json(&defects.evidence),
        InspectFormat::Human => shipgate_report::render_defect_inspection_human(
            &defects.evidence,
            &RenderOptions {
                color: stdout_color(global.color),
            },
        ),
    };
    print_stdout(&text, args.format.syntax())
}
