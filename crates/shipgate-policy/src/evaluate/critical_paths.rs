//! `critical-paths.passed`: every test on a critical path ran and passed, and each path has
//! enough tests.

use super::quarantine::{EntryState, QuarantineView};
use super::result::{CheckRun, LIST_LIMIT, count_details, plural, test_entry, thousands};
use crate::raw::{CheckSettings, CriticalPath};
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::{
    CheckResult, SourceState, SuiteError, TestCounts, TestEvidence, TestOutcome, TestRecord,
};
use std::collections::BTreeMap;

/// The quarantine is never consulted here, except to report entries that were refused because
/// they match a path's tests: a critical test's failure blocks whatever the quarantine says.
pub(crate) fn passed(
    paths: &BTreeMap<String, CriticalPath>,
    min_per_path: u64,
    settings: CheckSettings,
    tests: &SourceState<TestEvidence>,
    quarantine: &QuarantineView<'_>,
) -> CheckResult {
    let check = CheckRun::new("critical-paths.passed", settings).with_unit(CheckUnit::Count);
    let evidence = match check.source(tests, json!(0)) {
        Ok(e) => e,
        Err(r) => return *r,
    };

    let mut problems = 0u64;
    let mut summaries = Vec::new();
    let mut path_details = Map::new();
    let mut first_problem: Option<String> = None;
    // Paths that name only their defects (for `leakage.rate`) have no tests to check here.
    for (name, path) in paths.iter().filter(|(_, p)| !p.tests.is_empty()) {
        let m = PathMeasure::of(path, evidence, quarantine, min_per_path);
        let path_problems = m.problems();
        problems += path_problems;
        summaries.push(path_summary(name, &m, min_per_path));
        if first_problem.is_none() && path_problems > 0 {
            first_problem = Some(path_first_problem(name, path, &m));
        }
        path_details.insert(
            name.clone(),
            Value::Object(path_details_of(path, evidence, m, min_per_path)),
        );
    }

    let passed = problems == 0;
    let message = match &first_problem {
        None => format!(
            "every critical-path test ran and passed: {}",
            summaries.join("; ")
        ),
        Some(first) => format!("{first}; {}", summaries.join("; ")),
    };
    let remedy = (!passed).then(|| {
        "fix or un-skip the critical-path tests listed in the details (critical paths are never skipped and never quarantined); a path with too few tests needs its patterns corrected or tests written".to_owned()
    });
    let mut details = Map::new();
    details.insert("paths".into(), Value::Object(path_details));
    // Named, so that a path the check does not look at is never mistaken for one that passed.
    let defects_only: Vec<&String> = paths
        .iter()
        .filter(|(_, p)| p.tests.is_empty())
        .map(|(name, _)| name)
        .collect();
    if !defects_only.is_empty() {
        details.insert("paths_without_tests".into(), json!(defects_only));
    }
    check.measured(
        passed,
        json!(problems),
        json!(0),
        CheckUnit::Count,
        message,
        remedy,
        details,
    )
}

/// What `critical-paths.passed` measures on one critical path that names tests.
struct PathMeasure<'e> {
    /// Outcomes of the path's tests that `exclude` leaves in.
    counts: TestCounts,
    /// Tests that failed, errored or were skipped: each one is a problem.
    bad: Vec<&'e TestRecord>,
    /// Tests that passed only after a rerun: reported, not a problem.
    flaky: Vec<&'e TestRecord>,
    /// Patterns of refused quarantine entries that match a test of the path.
    refused: Vec<&'e str>,
    /// Tests the patterns match that `exclude` leaves out, with the reason: listed, not lost.
    excluded: Vec<Value>,
    /// Suites that failed to set up and may have been this path's: each one is a problem.
    suites_down: Vec<&'e SuiteError>,
    /// Fewer tests than the minimum per path: one problem.
    short: bool,
}

impl<'e> PathMeasure<'e> {
    fn of(
        path: &CriticalPath,
        evidence: &'e TestEvidence,
        quarantine: &'e QuarantineView<'_>,
        min_per_path: u64,
    ) -> Self {
        let mut counts = TestCounts::default();
        let mut bad = Vec::new();
        let mut flaky = Vec::new();
        let mut refused: Vec<&str> = Vec::new();
        let mut excluded: Vec<Value> = Vec::new();
        // Files that hold a test of this path: a suite that failed to set up in one of them may
        // have been this path's, whatever the suite is called.
        let mut files = std::collections::BTreeSet::new();
        for t in &evidence.tests {
            let qualified = t.qualified_name();
            if !path.tests.iter().any(|p| p.0.matches(&qualified)) {
                continue;
            }
            if let Some(e) = path.excluded_by(&qualified) {
                let mut entry = test_entry(evidence, t);
                if let Value::Object(m) = &mut entry {
                    m.insert("excluded_by".into(), json!(e.pattern.0.as_str()));
                    m.insert("reason".into(), json!(e.reason));
                }
                excluded.push(entry);
                continue;
            }
            if let Some(a) = quarantine.assessment() {
                for e in a.in_state(EntryState::Refused) {
                    let pattern = e.entry.pattern.as_str();
                    if e.entry.pattern.matches(&qualified) && !refused.contains(&pattern) {
                        refused.push(pattern);
                    }
                }
            }
            files.insert(t.file);
            counts.record(t.outcome);
            match t.outcome {
                TestOutcome::Failed | TestOutcome::Errored | TestOutcome::Skipped => bad.push(t),
                TestOutcome::Flaky => flaky.push(t),
                TestOutcome::Passed => {}
            }
        }
        let suites_down: Vec<_> = evidence
            .suite_errors
            .iter()
            .filter(|e| {
                // Patterns are over `classname.name`: a suite named like a classname matches as
                // `suite.` too (`*Refund*.*` for a suite `RefundTest`).
                let as_class = format!("{}.", e.suite);
                files.contains(&e.file)
                    || path
                        .tests
                        .iter()
                        .any(|p| p.0.matches(&e.suite) || p.0.matches(&as_class))
            })
            .collect();
        let short = counts.tests < min_per_path;
        Self {
            counts,
            bad,
            flaky,
            refused,
            excluded,
            suites_down,
            short,
        }
    }

    /// Tests not passed, suites not set up, and one more if the path is short of tests.
    fn problems(&self) -> u64 {
        self.bad.len() as u64 + self.suites_down.len() as u64 + u64::from(self.short)
    }
}

/// The path's line in the message: its test count and what went wrong or was left out.
fn path_summary(name: &str, m: &PathMeasure<'_>, min_per_path: u64) -> String {
    let counts = &m.counts;
    let mut summary = format!("{name}: {}", plural(counts.tests, "test", "tests"));
    let mut notes = Vec::new();
    for (n, what) in [
        (counts.failed, "failed"),
        (counts.errored, "errored"),
        (counts.skipped, "skipped"),
    ] {
        if n > 0 {
            notes.push(format!("{} {what}", thousands(n)));
        }
    }
    if !m.suites_down.is_empty() {
        notes.push(format!(
            "{} failed to set up",
            plural(m.suites_down.len() as u64, "suite", "suites")
        ));
    }
    if m.short {
        notes.push(format!("needs at least {min_per_path}"));
    }
    if counts.flaky > 0 {
        notes.push(format!("{} flaky", thousands(counts.flaky)));
    }
    if !m.excluded.is_empty() {
        notes.push(format!(
            "{} excluded (see the details)",
            thousands(m.excluded.len() as u64)
        ));
    }
    if !m.refused.is_empty() {
        notes.push(format!(
            "quarantine {} refused: critical paths are never quarantined",
            m.refused
                .iter()
                .map(|p| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if notes.is_empty() {
        summary.push_str(", all passed");
    } else {
        summary.push_str(&format!(" ({})", notes.join(", ")));
    }
    summary
}

/// The message's lead for a path with a problem: its first bad test, else its first suite
/// that failed to set up, else its shortage of tests.
fn path_first_problem(name: &str, path: &CriticalPath, m: &PathMeasure<'_>) -> String {
    if let Some(t) = m.bad.first() {
        format!(
            "`{}` {} on critical path `{name}`",
            t.qualified_name(),
            t.outcome.as_str()
        )
    } else if let Some(e) = m.suites_down.first() {
        format!(
            "suite `{}` failed to set up on critical path `{name}`",
            e.suite
        )
    } else {
        format!(
            "critical path `{name}` has {} matching its patterns ({})",
            plural(m.counts.tests, "test", "tests"),
            path.tests
                .iter()
                .map(|p| format!("`{}`", p.0))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The path's details: its patterns, counts, the tests not passed, flaky, excluded, the refused
/// quarantine entries and the suites that failed to set up.
fn path_details_of(
    path: &CriticalPath,
    evidence: &TestEvidence,
    m: PathMeasure<'_>,
    min_per_path: u64,
) -> Map<String, Value> {
    let PathMeasure {
        counts,
        bad,
        flaky,
        refused,
        mut excluded,
        suites_down,
        ..
    } = m;
    let mut d = Map::new();
    d.insert(
        "patterns".into(),
        json!(path.tests.iter().map(|p| p.0.as_str()).collect::<Vec<_>>()),
    );
    d.insert("counts".into(), count_details(&counts));
    d.insert("min_tests".into(), json!(min_per_path));
    d.insert(
        "not_passed".into(),
        Value::Array(
            bad.iter()
                .take(LIST_LIMIT)
                .map(|t| test_entry(evidence, t))
                .collect(),
        ),
    );
    d.insert("not_passed_total".into(), json!(bad.len()));
    if !flaky.is_empty() {
        d.insert(
            "flaky".into(),
            Value::Array(
                flaky
                    .iter()
                    .take(LIST_LIMIT)
                    .map(|t| test_entry(evidence, t))
                    .collect(),
            ),
        );
    }
    if !refused.is_empty() {
        d.insert("refused_quarantine".into(), json!(refused));
    }
    if path.ignore_case == Some(true) {
        d.insert("ignore_case".into(), json!(true));
    }
    if !excluded.is_empty() {
        d.insert("excluded_total".into(), json!(excluded.len()));
        excluded.truncate(LIST_LIMIT);
        d.insert("excluded".into(), Value::Array(excluded));
    }
    if !suites_down.is_empty() {
        d.insert(
            "suites_failed_to_run".into(),
            Value::Array(
                suites_down
                    .iter()
                    .map(|e| json!({"file": evidence.file_path(e.file), "suite": e.suite, "message": e.message}))
                    .collect(),
            ),
        );
    }
    d
}
