//! Argument types and subcommands.

mod backtest;
mod check;
pub(crate) mod error;
mod explain;
mod github;
mod html;
mod init;
mod inspect;
mod leakage;
pub(crate) mod logging;
pub(crate) mod output;
mod perf;
mod risk;
mod validate;
mod words;

use clap::{Args, Parser, Subcommand, ValueEnum};
use error::RunError;
use shipgate_model::ExitCode;
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0   ready: every error-level check passed or was waived
  1   blocked: a check failed, or required evidence is missing
  2   usage error (bad flags)
  3   the policy file is invalid
  4   evidence could not be read or fetched
  70  internal error";

/// shipgate: a release readiness gate.
///
/// Reads the evidence of a release (JUnit test results, the defect tracker, ...), evaluates it against the YAML
/// policy kept in your repository, explains what it found, and exits 0 (ready) or non-zero
/// (blocked).
#[derive(Debug, Parser)]
#[command(name = "shipgate", version, after_help = EXIT_CODES, max_term_width = 100)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to use colour in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    /// More log output on stderr (-v: debug, -vv: trace). `RUST_LOG` also works.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

impl Cli {
    pub fn global(&self) -> Global {
        Global { color: self.color }
    }
}

/// Options every subcommand sees.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Global {
    pub color: ColorChoice,
}

/// When to colour human output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Evaluate the policy against the evidence and exit 0 (ready) or non-zero (blocked).
    #[command(after_help = EXIT_CODES)]
    Check(check::CheckArgs),
    /// Check the policy file: exit 0, or 3 with every problem listed with its line.
    Validate(PolicyArg),
    /// Explain a check: what it measures, when it blocks, how to fix it.
    Explain(explain::ExplainArgs),
    /// Write a commented starter policy.
    Init(init::InitArgs),
    /// Print the JSON Schema of the policy (for editors: yaml-language-server).
    Schema,
    /// Show the evidence as the gate sees it.
    #[command(subcommand)]
    Inspect(inspect::InspectCommand),
    /// Show defect leakage (production ÷ all defects found) over a window: the baseline and
    /// the trend, by month, severity, component or the release a defect was introduced in.
    Leakage(leakage::LeakageArgs),
    /// Performance evidence: promote a run to the baseline later releases are compared with.
    #[command(subcommand)]
    Perf(perf::PerfCommand),
    /// Risk areas ranked by revenue impact, defects, failures, complexity and churn, and the
    /// production defects no test would catch; `risk plan` orders tests for a time budget.
    Risk(risk::RiskArgs),
    /// Replay recorded releases under a policy and join the production defects each leaked:
    /// which releases it would have stopped, and which it would have missed.
    Backtest(backtest::BacktestArgs),
    /// List the release records of a history: version, commit, date, recorded decision, and
    /// whether each verifies.
    History(backtest::HistoryArgs),
    /// Write the self-contained HTML report (decision, checks, charts) of a JSON report.
    Html(html::HtmlArgs),
}

impl Command {
    /// Runs the command: its answer's exit code, or why it could not give one (which knows its
    /// own exit code).
    pub fn run(&self, global: &Global) -> Result<ExitCode, RunError> {
        match self {
            Command::Check(args) => check::run(args, global),
            Command::Validate(args) => validate::run(args),
            Command::Explain(args) => explain::run(args),
            Command::Init(args) => init::run(args),
            Command::Schema => {
                let text = serde_json::to_string_pretty(&shipgate_policy::json_schema())
                    .map_err(|e| RunError::Internal(format!("failed to write the schema: {e}")))?;
                output::print_stdout(&format!("{text}\n"), shipgate_report::LogSyntax::Json)?;
                Ok(ExitCode::Ready)
            }
            Command::Inspect(cmd) => inspect::run(cmd, global),
            Command::Leakage(args) => leakage::run(args, global),
            Command::Perf(cmd) => perf::run(cmd),
            Command::Risk(args) => risk::run(args, global),
            Command::Backtest(args) => backtest::run(args),
            Command::History(args) => backtest::run_history(args),
            Command::Html(args) => html::run(args),
        }
    }
}

/// Where the policy is looked for when `--policy` and `SHIPGATE_POLICY` are not given.
pub(crate) const DEFAULT_POLICY: &str = "shipgate.yaml";

/// `--policy FILE`, shared by the commands that read a policy.
#[derive(Debug, Args)]
pub(crate) struct PolicyArg {
    /// The policy file.
    #[arg(
        long,
        short = 'p',
        env = "SHIPGATE_POLICY",
        default_value = DEFAULT_POLICY
    )]
    pub policy: PathBuf,
}
