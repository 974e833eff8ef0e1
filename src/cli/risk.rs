//! `shipgate risk`: the policy's risk areas ranked, each factor with its raw and normalised value
//! and weight, and the coverage-gap map; `shipgate risk plan --budget`: the test order for a run
//! that must fit a time budget.
//!
//! Neither is a gate: both exit 0 with their report, 2 on a usage error (no area, an unknown
//! `--base`), 3 on an invalid policy and 4 when evidence they read cannot be read (the report is
//! still printed for `risk`, with the factors it feeds shown as missing).

use super::error::{Absence, RunError};
use super::output::{env_lookup, eprint, print_stdout, stdout_color};
use super::{Global, PolicyArg};
use clap::{Args, Subcommand, ValueEnum};
use jiff::Timestamp;
use shipgate_evaluator::{GatherOptions, LoadedPolicy, Resolver};
use shipgate_model::{EvidenceProblem, EvidenceSet, ExitCode, SourceState};
use shipgate_policy::DurationSpec;
use shipgate_report::{LogSyntax, PlanIds, RenderOptions};
use shipgate_risk::Candidate;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct RiskArgs {
    #[command(subcommand)]
    pub command: Option<RiskCommand>,

    #[command(flatten)]
    pub report: ReportArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub policy: PolicyArg,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = RiskFormat::Human)]
    pub format: RiskFormat,

    #[command(flatten)]
    pub when: WhenArgs,
}

/// Options both forms share.
#[derive(Debug, Args)]
pub(crate) struct WhenArgs {
    /// Count defects and commits back from this instant instead of now. It needs its zone
    /// (`2026-11-24T10:00:00Z`, `+01:00`, `[Europe/Berlin]`).
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<shipgate_model::Instant>,

    /// No network: only a `kind: file` defect source can be read.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Subcommand)]
pub(crate) enum RiskCommand {
    /// The test order for a run that must fit a time budget: critical-path tests first and
    /// never dropped, then by their area's risk (raised where the change touches its files) and
    /// their own failure history.
    Plan(PlanArgs),
}

#[derive(Debug, Args)]
pub(crate) struct PlanArgs {
    #[command(flatten)]
    pub policy: PolicyArg,

    /// The time the run may take (`10m`, `90s`, `1h`).
    #[arg(long, value_name = "DURATION", value_parser = parse_budget)]
    pub budget: DurationSpec,

    /// Raise the areas whose files changed since this git ref (the merge base of it and HEAD,
    /// to the working tree): `origin/main`.
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,

    /// Output format: `text` is one test a line, for a test runner (see docs/risk.md).
    #[arg(long, short = 'f', value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// How `text` writes each test: as JUnit names it (`classname.name`), as a pytest node id,
    /// or as a Maven Surefire `Class#method`.
    #[arg(long, value_enum, default_value_t = IdsArg::Junit)]
    pub ids: IdsArg,

    #[command(flatten)]
    pub when: WhenArgs,
}

fn parse_budget(s: &str) -> Result<DurationSpec, String> {
    let d = DurationSpec::parse(s)?;
    if d.get().is_zero() {
        return Err("a budget of nothing fits no test; give the time the run may take".to_owned());
    }
    Ok(d)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum RiskFormat {
    /// A table.
    Human,
    /// The report as JSON (`schema_version` 1).
    Json,
    /// Markdown for a wiki page or a PR comment, with the risk matrix as a Mermaid chart.
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum PlanFormat {
    /// One test a line, in order.
    Text,
    /// The plan as JSON.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum IdsArg {
    /// `classname.name`.
    Junit,
    /// `tests/test_auth.py::TestLogin::test_login`.
    Pytest,
    /// `com.acme.PayTest#charges`.
    Surefire,
}

pub(crate) fn run(args: &RiskArgs, global: &Global) -> Result<ExitCode, RunError> {
    match &args.command {
        Some(RiskCommand::Plan(plan)) => run_plan(plan),
        None => run_report(&args.report, global),
    }
}

/// The policy, refusing one that names no area.
fn load(policy: &PolicyArg) -> Result<LoadedPolicy, RunError> {
    let loaded = super::validate::load(policy)?;
    if loaded.policy.risk_model().is_empty() {
        return Err(RunError::NotConfigured(format!(
            "the policy `{}` names no risk area; add `risk.areas` (each with `revenue_impact`, `files`, `tests` and `defects`) or `risk.critical_paths` (see docs/risk.md)",
            loaded.path.display()
        )));
    }
    Ok(loaded)
}

/// Gathers the evidence the report reads, with every problem of what could not be read.
fn gather(
    loaded: &LoadedPolicy,
    when: &WhenArgs,
    now: Timestamp,
) -> (EvidenceSet, Vec<EvidenceProblem>) {
    let options = GatherOptions {
        offline: when.offline,
        env: &env_lookup,
        now: Some(now),
    };
    let evidence =
        shipgate_evaluator::gather_with(loaded, &Resolver::live(&loaded.base_dir, false), &options);
    let mut unreadable = Vec::new();
    macro_rules! check {
        ($state:expr) => {
            if let SourceState::Unreadable(p) = $state {
                unreadable.extend(p.iter().cloned());
            }
        };
    }
    check!(&evidence.tests);
    check!(&evidence.history);
    check!(&evidence.defects);
    check!(&evidence.complexity);
    check!(&evidence.churn);
    (evidence, unreadable)
}

/// Says on stderr what could not be read, each problem under its source's name.
fn say_unreadable(problems: &[EvidenceProblem]) {
    for p in problems {
        eprint(&format!(
            "shipgate: {}: {}\n  to fix: {}",
            p.source,
            p.describe(),
            p.remedy
        ));
    }
}

fn now_of(when: &WhenArgs) -> Timestamp {
    when.now
        .map_or_else(Timestamp::now, shipgate_model::Instant::timestamp)
}

fn run_report(args: &ReportArgs, global: &Global) -> Result<ExitCode, RunError> {
    let loaded = load(&args.policy)?;
    let now = now_of(&args.when);
    let (evidence, unreadable) = gather(&loaded, &args.when, now);
    say_unreadable(&unreadable);
    let report = shipgate_policy::risk_report(&loaded.policy, &evidence, now, None);
    let (text, syntax) = match args.format {
        RiskFormat::Human => (
            shipgate_report::render_risk_human(
                &report,
                &RenderOptions {
                    color: stdout_color(global.color),
                },
            ),
            LogSyntax::Text,
        ),
        RiskFormat::Markdown => (
            shipgate_report::render_risk_markdown(&report),
            LogSyntax::Text,
        ),
        RiskFormat::Json => (
            shipgate_report::render_risk_json(&report)
                .map_err(|e| RunError::Internal(e.to_string()))?,
            LogSyntax::Json,
        ),
    };
    print_stdout(&text, syntax)?;
    // The answer itself, like a gate's verdict: the report shows the areas without what could
    // not be read, and the code says it is incomplete.
    if unreadable.is_empty() {
        Ok(ExitCode::Ready)
    } else {
        Ok(ExitCode::EvidenceError)
    }
}

fn run_plan(args: &PlanArgs) -> Result<ExitCode, RunError> {
    let loaded = load(&args.policy)?;
    let now = now_of(&args.when);
    let changed = match &args.base {
        None => None,
        Some(reference) => match shipgate_evaluator::changed_files(&loaded.base_dir, reference) {
            Ok(files) => Some(files),
            Err(why) => {
                return Err(RunError::Usage(format!(
                    "failed to find the files changed since `{reference}`: {why}\n  to fix: give a ref git knows in this checkout (fetch it first: `git fetch origin main`), and fetch the whole history (`fetch-depth: 0`)"
                )));
            }
        },
    };
    let (evidence, unreadable) = gather(&loaded, &args.when, now);
    if !unreadable.is_empty() {
        // A plan made without evidence it was told to read could drop the wrong tests.
        return Err(RunError::Evidence(
            unreadable
                .into_iter()
                .map(|p| (Absence::Unreadable, p))
                .collect(),
        ));
    }
    let report = shipgate_policy::risk_report(&loaded.policy, &evidence, now, changed.as_deref());
    let inventory = shipgate_evaluator::test_inventory(&loaded).map_err(|problems| {
        RunError::Evidence(
            problems
                .into_iter()
                .map(|p| (Absence::Unreadable, p))
                .collect(),
        )
    })?;
    if inventory.tests.is_empty() {
        return Err(RunError::Unusable(
            "no test to plan: neither `sources.tests.junit` nor `sources.tests.history` holds a JUnit report of a run\n  to fix: point them at the reports of the last full run (durations are read from their `time` attributes)".to_owned(),
        ));
    }
    let model = loaded.policy.risk_model();
    let history = evidence.history.loaded();
    let candidates: Vec<Candidate> = inventory
        .tests
        .iter()
        .map(|(id, duration)| {
            // The riskiest area the test is in: the report lists areas riskiest first.
            let area = report.areas.iter().find(|a| {
                model
                    .areas
                    .iter()
                    .any(|m| m.name == a.name && m.path.covers(id))
            });
            let critical = loaded
                .policy
                .risk
                .critical_paths
                .values()
                .any(|p| p.covers(id));
            let failures = history.map_or(0, |h| {
                let runs = h.runs.len();
                h.failed_tests
                    .iter()
                    .filter(|t| t.qualified_name() == *id)
                    .map(|t| {
                        let mask = if runs >= 64 {
                            u64::MAX
                        } else {
                            (1u64 << runs) - 1
                        };
                        (t.failed & mask).count_ones() + t.flips(runs).0
                    })
                    .sum()
            });
            Candidate {
                id: id.clone(),
                area: area.map(|a| a.name.clone()),
                area_score: area.map_or(0.0, |a| a.score),
                area_changed: area.and_then(|a| a.changed).unwrap_or(false),
                critical,
                duration: *duration,
                failures,
            }
        })
        .collect();
    let plan = shipgate_risk::plan(candidates, args.budget.get().as_secs_f64())
        .map_err(|e| RunError::Unusable(format!("{e}\n  to fix: {}", e.remedy())))?;
    if plan.over_budget {
        eprint(&format!(
            "shipgate: the critical-path tests alone take {:.1} s, more than the budget of {:.1} s: they are all kept (critical paths are never skipped), and every other test is dropped",
            plan.critical_seconds, plan.budget_seconds
        ));
    }
    let estimated = plan.tests.iter().filter(|t| t.duration_estimated).count();
    if estimated > 0 {
        eprint(&format!(
            "shipgate: {estimated} planned test(s) have no recorded duration and count as the longest recorded one"
        ));
    }
    match args.format {
        PlanFormat::Json => {
            let text = shipgate_report::render_plan_json(&plan)
                .map_err(|e| RunError::Internal(e.to_string()))?;
            print_stdout(&text, LogSyntax::Json)?;
        }
        PlanFormat::Text => {
            let ids = match args.ids {
                IdsArg::Junit => PlanIds::Qualified,
                IdsArg::Pytest => PlanIds::Pytest,
                IdsArg::Surefire => PlanIds::Surefire,
            };
            let (text, unconverted) = shipgate_report::render_plan_text(&plan, ids);
            if let Some(first) = unconverted.first() {
                eprint(&format!(
                    "shipgate: {} test id(s) could not be written as `--ids {}` asks and are written as JUnit names them, e.g. `{first}`",
                    unconverted.len(),
                    match args.ids {
                        IdsArg::Junit => "junit",
                        IdsArg::Pytest => "pytest",
                        IdsArg::Surefire => "surefire",
                    }
                ));
            }
            print_stdout(&text, LogSyntax::Text)?;
        }
    }
    Ok(ExitCode::Ready)
}
