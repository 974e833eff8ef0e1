//! `shipgate leakage`: the defect leakage baseline and trend, and the defect loading it shares
//! with `shipgate inspect defects`.

use super::error::RunError;
use super::output::{env_lookup, print_stdout, stdout_color};
use super::{Global, PolicyArg};
use clap::{Args, ValueEnum};
use jiff::Timestamp;
use shipgate_evaluator::{GatherOptions, LoadedDefects, LoadedPolicy};
use shipgate_model::ExitCode;
use shipgate_policy::{DurationSpec, LeakageGrouping};
use shipgate_report::{LogSyntax, RenderOptions};

#[derive(Debug, Args)]
pub(crate) struct LeakageArgs {
    #[command(flatten)]
    pub policy: PolicyArg,

    /// How far back defects are counted, by creation date (default: `checks.leakage.window`,
    /// else 90d).
    #[arg(long, value_name = "DURATION", value_parser = parse_window)]
    pub window: Option<DurationSpec>,

    /// How the rows are grouped.
    #[arg(long, default_value = "month", value_parser = super::words::one_of(&LeakageGrouping::ALL, LeakageGrouping::as_str, LeakageGrouping::describe))]
    pub by: LeakageGrouping,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = LeakageFormat::Human)]
    pub format: LeakageFormat,

    /// Count as of this instant instead of now. It needs its zone (`2026-11-24T10:00:00Z`,
    /// `+01:00`, `[Europe/Berlin]`).
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<shipgate_model::Instant>,

    /// No network: only a `kind: file` defect source can be read.
    #[arg(long)]
    pub offline: bool,
}

fn parse_window(s: &str) -> Result<DurationSpec, String> {
    let d = DurationSpec::parse(s)?;
    if d.get().as_secs() < 86_400 {
        return Err("a leakage window is at least a day (e.g. `90d`)".to_owned());
    }
    Ok(d)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum LeakageFormat {
    /// A table.
    Human,
    /// The report as JSON.
    Json,
    /// A Markdown table for a wiki page, with the leakage chart (Mermaid) against 5% and 2%.
    Markdown,
    /// A self-contained HTML page with the leakage chart (SVG) and the table.
    Html,
}

pub(crate) fn run(args: &LeakageArgs, global: &Global) -> Result<ExitCode, RunError> {
    let loaded = super::validate::load(&args.policy)?;
    let now = args
        .now
        .map_or_else(Timestamp::now, shipgate_model::Instant::timestamp);
    let defects = load_defects(&loaded, args.offline, now)?;
    let window = args
        .window
        .map_or_else(|| loaded.policy.leakage_window(), DurationSpec::get);
    let by = args.by;
    if by == LeakageGrouping::IntroducedIn
        && loaded
            .policy
            .sources
            .defects
            .as_ref()
            .is_some_and(|s| s.introduced_in.is_none())
        && defects
            .evidence
            .defects
            .iter()
            .all(|d| d.introduced_in.is_empty())
    {
        return Err(RunError::Usage(
            "`--by introduced-in` needs `sources.defects.introduced_in` in the policy: the field (a Jira `Sprint` or `Affects Version/s`, a Redmine `fixed_version`, a GitHub/GitLab `milestone`) that says where a defect was introduced".to_owned(),
        ));
    }
    let report = shipgate_policy::leakage_report(&defects.evidence, window, by, now);
    let text = match args.format {
        LeakageFormat::Human => shipgate_report::render_leakage_human(
            &report,
            &RenderOptions {
                color: stdout_color(global.color),
            },
        ),
        LeakageFormat::Markdown => shipgate_report::render_leakage_markdown_with_chart(&report),
        LeakageFormat::Html => shipgate_report::render_leakage_html(&report),
        LeakageFormat::Json => shipgate_report::render_leakage_json(&report)
            .map_err(|e| RunError::Internal(e.to_string()))?,
    };
    let syntax = match args.format {
        LeakageFormat::Human | LeakageFormat::Markdown => LogSyntax::Text,
        LeakageFormat::Json => LogSyntax::Json,
        LeakageFormat::Html => LogSyntax::Xml,
    };
    print_stdout(&text, syntax)?;
    Ok(ExitCode::Ready)
}

/// Loads the policy's defects, or says why not: the policy names no defect source (2), the
/// defects are missing (1) or unreadable (4).
pub(crate) fn load_defects(
    loaded: &LoadedPolicy,
    offline: bool,
    now: Timestamp,
) -> Result<LoadedDefects, RunError> {
    let Some(sources) = &loaded.policy.sources.defects else {
        return Err(RunError::NotConfigured(format!(
            "the policy `{}` has no `sources.defects`; add the tracker (or `kind: file` with an export) first",
            loaded.path.display()
        )));
    };
    let options = GatherOptions {
        offline,
        env: &env_lookup,
        now: Some(now),
    };
    let (state, _) = shipgate_evaluator::load_defects(sources, &loaded.base_dir, &options);
    RunError::evidence(state, "defects", Some(loaded))
}
