//! `shipgate check`: evaluate, print the report, write the report files, exit.

use super::error::RunError;
use super::github::Github;
use super::output::{eprint, print_stdout, redacted_file_text, stdout_color};
use super::{Global, PolicyArg};
use clap::Args;
use jiff::Timestamp;
use shipgate_evaluator::{LoadedPolicy, Resolver};
use shipgate_model::Instant;
use shipgate_model::{ExitCode, Report};
use shipgate_report::{Format, LogSyntax, RenderOptions};
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    #[command(flatten)]
    pub policy: PolicyArg,

    /// The report on stdout.
    #[arg(long, short = 'f', default_value = "human", value_parser = parse_format)]
    pub format: Format,

    /// Also write `report.json`, `summary.md`, `report.html`, `gate-junit.xml` and `gate.env` into this folder,
    /// and the release record `evidence/` (a copy of the policy and of every input, with a
    /// manifest of their hashes) that `--from-snapshot` replays.
    #[arg(long, value_name = "DIR")]
    pub report_dir: Option<PathBuf>,

    /// Replay the release record in DIR (the `--report-dir` of an earlier run) offline: the
    /// recorded policy and inputs, at the recorded time unless `--now` is given. A record whose
    /// files differ from its manifest is refused (exit 4), and so is, without `--now`, a replay
    /// that does not reproduce the recorded decision and exit code. The policy is the record's
    /// copy; `--policy` is ignored.
    #[arg(long, value_name = "DIR")]
    pub from_snapshot: Option<PathBuf>,

    /// With `--from-snapshot`: the SHA-256 of the record's `evidence/manifest.json`, as printed
    /// when the record was written and kept where it cannot be edited. Any other manifest is
    /// refused (exit 4): whoever can write the record can rewrite its manifest consistently.
    #[arg(long, value_name = "SHA256", requires = "from_snapshot", value_parser = parse_sha256)]
    pub expect_manifest: Option<String>,

    /// Evaluate everything and print the verdict, but exit 0 whatever it is. The gate still
    /// exits non-zero when it cannot do its job: an invalid policy (3); a release record that
    /// cannot be trusted or does not reproduce its decision, or an input that changed while
    /// `--report-dir` recorded it (4); a `--report-dir` the policy's globs would read (2); a
    /// report folder that cannot be written (70).
    #[arg(long)]
    pub dry_run: bool,

    /// No network: a defect tracker is then missing evidence (the gate blocks and says why);
    /// a `kind: file` export is read as usual, for a dry run on a laptop. A replay
    /// (`--from-snapshot`) is always offline.
    #[arg(long)]
    pub offline: bool,

    /// Evaluate as of this instant instead of now (or, with `--from-snapshot`, instead of the
    /// recorded time): waivers and evidence ages depend on the time. It needs its zone:
    /// `2026-11-24T10:00:00Z`, `2026-11-24T11:00:00+01:00` or
    /// `2026-11-24T05:00:00[America/New_York]`; a time without one is a usage error.
    #[arg(long, value_name = "INSTANT")]
    pub now: Option<Instant>,
}

fn parse_sha256(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(s.to_ascii_lowercase())
    } else {
        Err("a SHA-256 is 64 hexadecimal digits".to_owned())
    }
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse::<Format>().map_err(|e| e.to_string())
}

/// What a check evaluates: the policy, where its inputs are, and when.
struct Plan {
    loaded: LoadedPolicy,
    resolver: Resolver,
    now: Timestamp,
    /// The recorded report to compare with, on a replay.
    recorded: Option<Report>,
}

pub(crate) fn run(args: &CheckArgs, global: &Global) -> Result<ExitCode, RunError> {
    let github = Github::detect();
    let plan = plan(args, github.as_ref())?;
    let report = evaluate(args, &plan)?;
    if let Some(dir) = &args.report_dir {
        if plan.recorded.is_none()
            && let Some((glob, file)) =
                shipgate_evaluator::record_read_by_globs(dir, &plan.loaded, &plan.resolver, &report)
        {
            // The next run would find this record where it looks for evidence. It would skip
            // it, but a report folder inside the evidence is a mistake worth stopping at.
            return Err(RunError::Usage(format!(
                "`--report-dir {}` lies where the policy's glob `{glob}` looks for evidence: the next run would match this run's record (`{file}`); write the reports to a folder the globs do not cover",
                dir.display()
            )));
        }
        write_report_dir(&report, dir, &plan.loaded, &plan.resolver)?;
    }
    if let Some(recorded) = &plan.recorded {
        compare_with_record(recorded, &report);
    }
    print_report(args, global, github.as_ref(), &report)?;
    let decided = ExitCode::ALL
        .into_iter()
        .find(|c| c.code() == report.exit_code)
        .unwrap_or(ExitCode::Internal);
    if args.dry_run {
        if decided != ExitCode::Ready {
            eprint(&format!(
                "shipgate: dry run: the gate would have exited {} ({}); exiting 0",
                decided.code(),
                decided.meaning()
            ));
        }
        return Ok(ExitCode::Ready);
    }
    Ok(decided)
}

/// The policy, the resolver and the time: the live files now (or `--now`), or a release
/// record's copies at its recorded time. A policy that cannot be used is also annotated in a
/// GitHub Actions job.
fn plan(args: &CheckArgs, github: Option<&Github>) -> Result<Plan, RunError> {
    if let Some(dir) = &args.from_snapshot {
        return replay_plan(args, dir);
    }
    let loaded = super::validate::load(&args.policy).inspect_err(|e| {
        if let (Some(gh), RunError::Policy(e)) = (github, e)
            && let Err(message) = gh.policy_failed(e)
        {
            eprint(&format!("shipgate: {message}"));
        }
    })?;
    Ok(Plan {
        // Only a run that writes a record keeps copies of what it read.
        resolver: Resolver::live(&loaded.base_dir, args.report_dir.is_some()),
        loaded,
        now: args.now.map_or_else(Timestamp::now, Instant::timestamp),
        recorded: None,
    })
}

/// Evaluates the plan. A replay at the recorded time must reproduce the recorded decision.
fn evaluate(args: &CheckArgs, plan: &Plan) -> Result<Report, RunError> {
    let Plan {
        loaded,
        resolver,
        now,
        recorded,
    } = plan;
    let now = *now;
    tracing::debug!(policy = %loaded.path.display(), checks = ?loaded.policy.check_ids(), "evaluating");
    let options = shipgate_evaluator::GatherOptions {
        offline: args.offline,
        env: &super::output::env_lookup,
        now: Some(now),
    };
    let mut report = shipgate_evaluator::run_with(loaded, resolver, now, &options);
    report.dry_run = args.dry_run;
    match recorded {
        None if args.now.is_some() => {
            // Evaluating "as of" another instant changes what waivers and evidence ages allow:
            // say so, and keep the real time in the report.
            let wall = Timestamp::now();
            eprint(&format!(
                "shipgate: evaluating as of {now} (--now), not the current time {wall}; the report records both"
            ));
            report.generated_at = Some(wall);
        }
        Some(recorded) if args.now.is_none() => {
            // A replay reproduces the recorded report, including when it was produced, and the
            // recorded decision: at the recorded time, from the recorded inputs.
            report.generated_at = recorded.generated_at;
            shipgate_evaluator::check_reproduced(recorded, &report)?;
        }
        _ => {}
    }
    Ok(report)
}

/// Prints the report in the chosen format, and in a GitHub Actions job its annotations, step
/// outputs and summary.
fn print_report(
    args: &CheckArgs,
    global: &Global,
    github: Option<&Github>,
    report: &Report,
) -> Result<(), RunError> {
    let options = RenderOptions {
        color: args.format == Format::Human && stdout_color(global.color),
    };
    let text = shipgate_report::render(report, args.format, &options)
        .map_err(|e| RunError::Internal(format!("failed to render the report: {e}")))?;
    let syntax = match args.format {
        Format::Human | Format::Markdown => LogSyntax::Text,
        Format::Json => LogSyntax::Json,
        Format::Junit => LogSyntax::Xml,
    };
    print_stdout(&text, syntax)?;
    if let Some(gh) = github {
        let annotations = shipgate_report::render_github_annotations(report);
        gh.print_annotations(&annotations, args.format)?;
        let report_json = args.report_dir.as_ref().map(|d| d.join("report.json"));
        if let Err(message) = gh.publish(report, report_json.as_deref()) {
            eprint(&format!("shipgate: GitHub Actions: {message}"));
        }
    }
    Ok(())
}

/// Opens the release record in `dir` for an offline replay.
fn replay_plan(args: &CheckArgs, dir: &Path) -> Result<Plan, RunError> {
    if let Some(out) = &args.report_dir
        && same_folder(out, dir)
    {
        return Err(RunError::Usage(format!(
            "`--report-dir` is the record being replayed (`{}`); write the replay's reports to another folder",
            dir.display()
        )));
    }
    if args.policy.policy != Path::new(super::DEFAULT_POLICY) {
        eprint(&format!(
            "shipgate: a replay evaluates the policy stored in the record; `{}` (from --policy or SHIPGATE_POLICY) is not read",
            args.policy.policy.display()
        ));
    }
    let snapshot = shipgate_evaluator::Snapshot::open(dir)?;
    let loaded = shipgate_evaluator::load_snapshot_policy(&snapshot)?;
    // A replay fetches nothing, but what it prints is still held to the credentials its
    // policy names, as this environment resolves them.
    super::output::guard_secrets(&loaded.secrets);
    super::output::guard_secrets(&shipgate_evaluator::secrets_of_policy(
        &loaded.policy,
        &super::output::env_lookup,
    ));
    let manifest = snapshot.manifest();
    let manifest_sha = snapshot.manifest_sha256();
    if let Some(expected) = &args.expect_manifest
        && expected != manifest_sha
    {
        return Err(RunError::UntrustedRecord(format!(
            "the manifest of the release record in `{}` has SHA-256 {manifest_sha}, not the expected {expected}: it is not the record that was written; restore it from where it was archived",
            dir.display()
        )));
    }
    let recorded_with = &manifest.tool.version;
    let mut note = format!(
        "shipgate: replaying the release record in `{}` offline (recorded at {} by shipgate {recorded_with}; manifest SHA-256 {manifest_sha}{})",
        dir.display(),
        manifest.evaluated_at,
        if args.expect_manifest.is_some() {
            ", as expected"
        } else {
            ", compare it with the one printed when the record was written, or pass it as --expect-manifest"
        }
    );
    if recorded_with != shipgate_evaluator::TOOL_VERSION {
        note.push_str(&format!(
            "; this is shipgate {}, whose checks may differ",
            shipgate_evaluator::TOOL_VERSION
        ));
    }
    eprint(&note);
    // The recorded report is what the replay must reproduce: without it, there is nothing to
    // hold the replay to.
    let recorded = match snapshot.recorded_report() {
        Some(Ok(r)) => r,
        Some(Err(e)) => {
            return Err(RunError::UntrustedRecord(format!(
                "the release record's report.json cannot be read ({e}); a replay is checked against it, so the record cannot be trusted"
            )));
        }
        None => {
            return Err(RunError::UntrustedRecord(
                "the release record holds no report.json to check the replay against".to_owned(),
            ));
        }
    };
    Ok(Plan {
        now: args.now.map_or(manifest.evaluated_at, Instant::timestamp),
        resolver: Resolver::replay(snapshot),
        loaded,
        recorded: Some(recorded),
    })
}

fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn compare_with_record(recorded: &Report, replayed: &Report) {
    let differences = shipgate_evaluator::compare_reports(recorded, replayed);
    if differences.is_empty() {
        eprint("shipgate: the replay gives the same report as the recorded report.json");
    } else {
        eprint(&format!(
            "shipgate: the replay differs from the recorded report.json:\n  {}",
            differences.join("\n  ")
        ));
    }
}

/// Writes the release record and the report files: `report.json`, `summary.md`,
/// `gate-junit.xml`, and `gate.env` (the decision as `KEY=value` lines, for GitLab's
/// `artifacts:reports:dotenv` and any CI that reads dotenv files). They are written to temporary
/// names first and then renamed, so that a pipeline never picks up half a report.
fn write_report_dir(
    report: &Report,
    dir: &Path,
    loaded: &LoadedPolicy,
    resolver: &Resolver,
) -> Result<(), RunError> {
    let internal = RunError::Internal;
    std::fs::create_dir_all(dir).map_err(|e| {
        internal(format!(
            "failed to create the report folder `{}`: {e}",
            dir.display()
        ))
    })?;
    let render_err =
        |e: shipgate_report::ReportError| internal(format!("failed to render the report: {e}"));
    // Every file is written without the run's secrets; report.json before the record hashes it.
    let json = redacted_file_text(shipgate_report::render_json(report).map_err(render_err)?);
    let written = shipgate_evaluator::write_record(dir, loaded, resolver, report, json.as_bytes())?;
    let files = [
        ("report.json", json),
        (
            "summary.md",
            redacted_file_text(shipgate_report::render_markdown_with_charts(report)),
        ),
        (
            "report.html",
            redacted_file_text(shipgate_report::render_html(report)),
        ),
        (
            "gate-junit.xml",
            redacted_file_text(shipgate_report::render_junit(report).map_err(render_err)?),
        ),
        ("gate.env", dotenv(report)),
    ];
    for (name, text) in files {
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp"));
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| internal(format!("failed to write `{}`: {e}", path.display())))?;
    }
    let manifest = &written.manifest;
    let manifest_sha = &written.manifest_sha256;
    eprint(&format!(
        "shipgate: release record written to `{}` ({} input{}, manifest SHA-256 {manifest_sha}); replay it with `shipgate check --from-snapshot {}`",
        dir.display(),
        manifest.files.len() + manifest.fetched.len(),
        if manifest.files.len() + manifest.fetched.len() == 1 {
            ""
        } else {
            "s"
        },
        dir.display()
    ));
    Ok(())
}

fn decision_word(report: &Report) -> &'static str {
    match report.decision {
        shipgate_model::Decision::Ready => "ready",
        shipgate_model::Decision::Blocked => "blocked",
    }
}

/// The decision in dotenv form. Values are plain words and numbers, never evidence text.
fn dotenv(report: &Report) -> String {
    let decision = decision_word(report);
    format!(
        "SHIPGATE_DECISION={decision}\nSHIPGATE_EXIT_CODE={}\nSHIPGATE_BLOCKING={}\n",
        report.exit_code,
        report.blocking().count()
    )
}
