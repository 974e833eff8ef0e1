//! The backtest: every verified record replayed under a new policy, offline, from the record's
//! own evidence, and joined with the production defects that name the release as the one they
//! were introduced in.
//!
//! What the record holds is evaluated with the new policy's checks, thresholds, critical paths
//! and waivers, at the recorded time, for the recorded release (version and commit). What the
//! record does not hold is never guessed: a source the new policy reads that the record's policy
//! did not read, or read differently, is left out of the replay and reported as `missing`, and a
//! release with missing evidence is never `ready` (docs/decisions/0021).

use crate::records::{OpenedRecord, Verified};
use shipgate_evaluator::{GatherOptions, LoadedPolicy, Resolver, TOOL_VERSION};
use shipgate_model::backtest::{
    BACKTEST_SCHEMA_VERSION, BacktestDecision, BacktestRelease, BacktestReport, BacktestSummary,
    ChangedCheck, LeakedDefect, UnmatchedDefect,
};
use shipgate_model::report::{PolicyInfo, Tool};
use shipgate_model::{CheckStatus, Decision, Defect, Origin, Report};
use shipgate_policy::{EnvLookup, Policy};
use std::collections::BTreeMap;
use std::path::Path;

/// The policy to backtest.
pub struct NewPolicy<'a> {
    /// Its file: it is read again for each record, with the variables that record saw.
    pub path: &'a Path,
    /// As loaded with the live environment (its name, hash and product).
    pub loaded: &'a LoadedPolicy,
    /// The live environment, for variables a record did not record.
    pub env: EnvLookup<'a>,
}

/// The production defects to join, and where they came from.
pub struct ProductionDefects<'a> {
    /// Where (a tracker's URL or a file).
    pub location: String,
    /// Every defect the source returned; only production defects are joined.
    pub defects: &'a [Defect],
}

/// Replays every record under `policy` and joins the defects.
pub fn backtest(
    policy: &NewPolicy<'_>,
    records: Vec<OpenedRecord>,
    defects: &ProductionDefects<'_>,
) -> BacktestReport {
    let records = refuse_duplicate_versions(records);
    let mut releases: Vec<BacktestRelease> = records
        .iter()
        .map(|record| release_of(policy, record))
        .collect();
    let unmatched = join_defects(&mut releases, defects.defects);
    let mut summary = BacktestSummary::default();
    for r in &releases {
        let bucket = match (r.decision, r.leaked()) {
            (BacktestDecision::Blocked, true) => &mut summary.blocked_and_leaked,
            (BacktestDecision::Ready, true) => &mut summary.ready_and_leaked,
            (BacktestDecision::Blocked, false) => &mut summary.blocked_and_clean,
            (BacktestDecision::Ready, false) => &mut summary.ready_and_clean,
            (BacktestDecision::Missing, _) => &mut summary.missing,
            (BacktestDecision::Unusable, _) => &mut summary.unusable,
        };
        *bucket += 1;
    }
    summary.defects_without_record = unmatched.len() as u64;
    summary.defects_naming_no_release = production(defects.defects)
        .filter(|d| names_no_release(d))
        .count() as u64;
    BacktestReport {
        schema_version: BACKTEST_SCHEMA_VERSION,
        tool: Tool {
            name: "shipgate".to_owned(),
            version: TOOL_VERSION.to_owned(),
        },
        policy: PolicyInfo {
            path: policy.loaded.path.display().to_string(),
            sha256: policy.loaded.sha256.clone(),
        },
        product: policy.loaded.policy.release.name.clone(),
        defects_source: defects.location.clone(),
        releases,
        unmatched_defects: unmatched,
        summary,
    }
}

/// Two verified records of one version: which of them shipped cannot be told, so neither is
/// used (a blocked first run and a ready re-run would otherwise count as two releases, or the
/// wrong one would be kept).
fn refuse_duplicate_versions(mut records: Vec<OpenedRecord>) -> Vec<OpenedRecord> {
    let mut by_version: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in records.iter().filter(|r| r.verified.is_some()) {
        if let Some(v) = &r.entry.version {
            by_version
                .entry(v.clone())
                .or_default()
                .push(r.entry.record.clone());
        }
    }
    for r in &mut records {
        let Some(version) = r.entry.version.clone() else {
            continue;
        };
        let Some(folders) = by_version.get(&version) else {
            continue;
        };
        if r.verified.is_some() && folders.len() > 1 {
            r.verified = None;
            r.entry.verified = false;
            r.entry.problems.push(format!(
                "version {version} is recorded {} times ({}): which of them shipped cannot be told; keep one record per release, the one of the build that shipped",
                folders.len(),
                folders
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    records
}

fn unusable(record: &OpenedRecord, problems: Vec<String>) -> BacktestRelease {
    BacktestRelease {
        record: record.entry.record.clone(),
        version: record.entry.version.clone(),
        commit: record.entry.commit.clone(),
        recorded_at: record.entry.recorded_at,
        recorded_decision: record.entry.recorded_decision,
        decision: BacktestDecision::Unusable,
        changed_checks: Vec::new(),
        checks: Vec::new(),
        blocking_checks: Vec::new(),
        missing: Vec::new(),
        problems,
        production_defects_introduced: Vec::new(),
        defects: Vec::new(),
    }
}

fn release_of(policy: &NewPolicy<'_>, record: &OpenedRecord) -> BacktestRelease {
    let Some(verified) = &record.verified else {
        return unusable(record, record.entry.problems.clone());
    };
    let (report, mut missing) = match replay_under(policy, verified) {
        Ok(r) => r,
        Err(problem) => return unusable(record, vec![problem]),
    };
    // Evidence a check found missing or unreadable where the recorded run found it otherwise
    // (or did not run the check): the record did not keep what this check reads (a quarantine or
    // history its policy never read), so the replay cannot say what the check would have found.
    // Evidence the recorded run itself found missing is the release's real state, and counts.
    let recorded: BTreeMap<&str, CheckStatus> = verified
        .report
        .checks
        .iter()
        .map(|c| (c.id.as_str(), c.status))
        .collect();
    for c in &report.checks {
        let absent = matches!(c.status, CheckStatus::Missing | CheckStatus::Error);
        if absent && recorded.get(c.id.as_str()) != Some(&c.status) {
            missing.push(format!(
                "`{}`: {} (the record holds no answer for it)",
                c.id, c.message
            ));
        }
    }
    // A check that fails on evidence the record holds blocks whatever the missing evidence
    // would have said: more evidence never unblocks a failed check.
    let blocked_by_evidence = report
        .checks
        .iter()
        .any(|c| c.blocking && c.status == CheckStatus::Fail);
    let decision = if blocked_by_evidence {
        BacktestDecision::Blocked
    } else if !missing.is_empty() {
        BacktestDecision::Missing
    } else {
        match report.decision {
            Decision::Ready => BacktestDecision::Ready,
            Decision::Blocked => BacktestDecision::Blocked,
        }
    };
    let checks = changed_checks(&verified.report, &report);
    BacktestRelease {
        record: record.entry.record.clone(),
        version: record.entry.version.clone(),
        commit: record.entry.commit.clone(),
        recorded_at: record.entry.recorded_at,
        recorded_decision: Some(verified.report.decision),
        decision,
        changed_checks: checks.iter().map(|c| c.id.clone()).collect(),
        checks,
        blocking_checks: report
            .checks
            .iter()
            .filter(|c| c.blocking)
            .map(|c| c.id.clone())
            .collect(),
        missing,
        problems: Vec::new(),
        production_defects_introduced: Vec::new(),
        defects: Vec::new(),
    }
}

/// The new policy's report on the record's evidence, and the evidence it lacks.
fn replay_under(
    policy: &NewPolicy<'_>,
    verified: &Verified,
) -> Result<(Report, Vec<String>), String> {
    let recorded_env = &verified.snapshot.manifest().policy.env;
    let live = policy.env;
    // The record's variables as they were; the live environment only for names it never saw.
    let lookup = |name: &str| match recorded_env.get(name) {
        Some(value) => value.clone(),
        None => live(name),
    };
    let mut new = shipgate_evaluator::load_policy(policy.path, &lookup).map_err(|e| {
        format!(
            "the policy cannot be read with the variables this record holds: {}",
            crate::describe_evaluator_error(&e)
        )
    })?;
    if new.sha256 != policy.loaded.sha256 {
        return Err(format!(
            "the policy file `{}` changed while the backtest ran; run it again",
            policy.path.display()
        ));
    }
    let recorded = &verified.policy.policy;
    if new.policy.release.name != recorded.release.name {
        return Err(format!(
            "it is a record of `{}`, not of `{}`, the product the policy gates",
            recorded.release.name, new.policy.release.name
        ));
    }
    // The release under test is the recorded one: its sign-off and evidence name that version
    // and commit, not whatever the environment says today.
    new.policy.release = recorded.release.clone();
    let missing = align_sources(&mut new.policy, recorded);
    let at = verified.snapshot.manifest().evaluated_at;
    let report = shipgate_evaluator::run_with(
        &new,
        &Resolver::replay(verified.snapshot.clone()),
        at,
        &GatherOptions {
            offline: true,
            ..GatherOptions::default()
        },
    );
    Ok((report, missing))
}

/// Leaves out of `new` each source the record cannot answer for, and says why: a source the
/// record's policy did not read, or read differently (other globs, another tracker query, other
/// severity or origin maps), or earlier runs beyond those the record kept. The checks that read
/// it then report their evidence as missing.
fn align_sources(new: &mut Policy, recorded: &Policy) -> Vec<String> {
    let mut missing = Vec::new();
    let mut compare = |key: &str, what: &str, new_section: Option<String>, old: Option<String>| {
        match (new_section, old) {
            (None, _) => false,
            (Some(_), None) => {
                missing.push(format!(
                    "`sources.{key}`: the record's policy read no {what}, so the record holds none"
                ));
                true
            }
            (Some(a), Some(b)) if a != b => {
                missing.push(format!(
                    "`sources.{key}`: the policy reads {what} differently from the record's policy, and the record holds them only as its own policy read them"
                ));
                true
            }
            _ => false,
        }
    };
    let debug = |v: Option<&dyn std::fmt::Debug>| v.map(|v| format!("{v:?}"));
    if compare(
        "tests",
        "test results",
        debug(new.sources.tests.as_ref().map(|s| s as _)),
        debug(recorded.sources.tests.as_ref().map(|s| s as _)),
    ) {
        new.sources.tests = None;
    }
    if compare(
        "defects",
        "defects",
        debug(new.sources.defects.as_ref().map(|s| s as _)),
        debug(recorded.sources.defects.as_ref().map(|s| s as _)),
    ) {
        new.sources.defects = None;
    }
    if compare(
        "uat",
        "UAT sign-off",
        debug(new.sources.uat.as_ref().map(|s| s as _)),
        debug(recorded.sources.uat.as_ref().map(|s| s as _)),
    ) {
        new.sources.uat = None;
    }
    if compare(
        "performance",
        "load-test results",
        debug(new.sources.performance.as_ref().map(|s| s as _)),
        debug(recorded.sources.performance.as_ref().map(|s| s as _)),
    ) {
        new.sources.performance = None;
    }
    // The record keeps the earlier runs its policy read, not their files: a policy that reads
    // more of them would see flips the record cannot show.
    if new.history_globs().is_some() && new.history_runs() > recorded.history_runs() {
        missing.push(format!(
            "`checks.flaky.history_runs`: the record kept the latest {} earlier runs, the policy reads {}",
            recorded.history_runs(),
            new.history_runs()
        ));
        if let Some(tests) = &mut new.sources.tests {
            tests.history = None;
        }
    }
    missing
}

/// The checks whose status differs between the record and the new policy's replay.
fn changed_checks(recorded: &Report, now: &Report) -> Vec<ChangedCheck> {
    let old: BTreeMap<&str, &shipgate_model::CheckResult> =
        recorded.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let new: BTreeMap<&str, &shipgate_model::CheckResult> =
        now.checks.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut ids: Vec<&str> = now.checks.iter().map(|c| c.id.as_str()).collect();
    ids.extend(
        recorded
            .checks
            .iter()
            .map(|c| c.id.as_str())
            .filter(|id| !new.contains_key(id)),
    );
    ids.into_iter()
        .filter_map(|id| {
            let (o, n) = (old.get(id), new.get(id));
            if o.map(|c| c.status) == n.map(|c| c.status) {
                return None;
            }
            Some(ChangedCheck {
                id: id.to_owned(),
                recorded: o.map(|c| c.status),
                now: n.map(|c| c.status),
                blocking: n.is_some_and(|c| c.blocking),
                message: n.or(o).map(|c| c.message.clone()).unwrap_or_default(),
            })
        })
        .collect()
}

fn production(defects: &[Defect]) -> impl Iterator<Item = &Defect> {
    defects
        .iter()
        .filter(|d| d.origin == Origin::Production && d.closed_as_not_a_defect().is_none())
}

fn names_no_release(d: &Defect) -> bool {
    d.introduced_in.iter().all(|v| v.trim().is_empty())
}

/// Attaches each production defect to every release it names (versions compared exactly), and
/// returns those naming a release with no usable record.
fn join_defects(releases: &mut [BacktestRelease], defects: &[Defect]) -> Vec<UnmatchedDefect> {
    let known: Vec<String> = releases.iter().filter_map(|r| r.version.clone()).collect();
    let mut unmatched = Vec::new();
    for defect in production(defects) {
        let mut reasons = Vec::new();
        for name in defect.introduced_in.iter().map(|v| v.trim()) {
            if name.is_empty() {
                continue;
            }
            let mut usable = false;
            let mut any = false;
            for release in releases
                .iter_mut()
                .filter(|r| r.version.as_deref() == Some(name))
            {
                any = true;
                usable |= release.decision != BacktestDecision::Unusable;
                if !release.production_defects_introduced.contains(&defect.key) {
                    release
                        .production_defects_introduced
                        .push(defect.key.clone());
                    release.defects.push(LeakedDefect {
                        key: defect.key.clone(),
                        title: defect.title.clone(),
                        severity: defect.severity.as_str().to_owned(),
                    });
                }
            }
            if !any {
                reasons.push(format!(
                    "it names `{name}`, which matches no record (versions are compared exactly; the records name {})",
                    if known.is_empty() {
                        "none".to_owned()
                    } else {
                        known
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                ));
            } else if !usable {
                reasons.push(format!("it names `{name}`, whose record cannot be used"));
            }
        }
        if !reasons.is_empty() {
            unmatched.push(UnmatchedDefect {
                key: defect.key.clone(),
                introduced_in: defect.introduced_in.clone(),
                reason: reasons.join("; "),
            });
        }
    }
    unmatched
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Policy {
        shipgate_test_support::parsed(text, Policy::parse(text, &|_| None))
    }

    const BASE: &str = "version: 1\nrelease: {name: pay, version: '1'}\nsources:\n  tests: {junit: [\"r/*.xml\"], history: [\"h/*/*.xml\"]}\n  defects: {kind: file, path: d.json}\nchecks:\n  regression: {min_pass_rate: 90%}\n  flaky: {max_rate: 5%, history_runs: 10}\n  defects: {max_open: {critical: 0}}\n";

    #[test]
    fn the_same_sources_are_used_as_they_are() {
        let mut new = policy(&BASE.replace("90%", "99%"));
        assert!(align_sources(&mut new, &policy(BASE)).is_empty());
        assert!(new.sources.tests.is_some() && new.sources.defects.is_some());
    }

    #[test]
    fn a_source_read_differently_is_left_out_and_named() {
        let mut new = policy(&BASE.replace("path: d.json", "path: other.json"));
        let missing = align_sources(&mut new, &policy(BASE));
        assert_eq!(missing.len(), 1, "{missing:?}");
        assert!(missing[0].starts_with("`sources.defects`"), "{missing:?}");
        assert!(new.sources.defects.is_none());
        assert!(new.sources.tests.is_some());
    }

    #[test]
    fn more_earlier_runs_than_the_record_kept_are_missing() {
        let mut new = policy(&BASE.replace("history_runs: 10", "history_runs: 20"));
        let missing = align_sources(&mut new, &policy(BASE));
        assert!(
            missing
                .iter()
                .any(|m| m.contains("kept the latest 10 earlier runs, the policy reads 20")),
            "{missing:?}"
        );
        assert!(new.sources.tests.as_ref().unwrap().history.is_none());
        // Fewer is fine: the record's runs include them.
        let mut fewer = policy(&BASE.replace("history_runs: 10", "history_runs: 5"));
        assert!(align_sources(&mut fewer, &policy(BASE)).is_empty());
    }
}
