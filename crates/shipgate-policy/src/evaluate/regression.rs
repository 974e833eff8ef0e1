//! `regression.pass-rate` and `regression.min-tests`.

use super::quarantine::{Assessment, QuarantineView};
use super::result::{CheckRun, LIST_LIMIT, insert_tests, plural, ratio, test_entry, thousands};
use crate::raw::CheckSettings;
use crate::values::{Percent, format_percent};
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::{CheckResult, SourceState, TestEvidence, TestOutcome};

/// (passed + flaky) ÷ executed, with each suite that failed to set up counted as an errored test,
/// and the failures of quarantined tests left out (and reported) when a quarantine is configured.
pub(crate) fn pass_rate(
    min: Percent,
    settings: CheckSettings,
    tests: &SourceState<TestEvidence>,
    quarantine: &QuarantineView<'_>,
) -> CheckResult {
    let check = CheckRun::new("regression.pass-rate", settings).with_unit(CheckUnit::Ratio);
    let threshold = json!(min.as_f64());
    let evidence = match check.source(tests, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let assessment = match quarantine.require(&check, threshold.clone()) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let m = PassRate::of(evidence, assessment);
    let details = pass_rate_details(evidence, assessment, &m);
    if m.executed == 0 {
        let c = &evidence.totals;
        let message = if m.raw_executed > 0 {
            format!(
                "every executed test ({}) failed and is quarantined, so nothing is left to measure",
                thousands(m.raw_executed)
            )
        } else {
            format!(
                "no test was executed: {} in {} ({} skipped)",
                plural(c.tests, "test", "tests"),
                plural(evidence.files.len() as u64, "file", "files"),
                thousands(c.skipped)
            )
        };
        return check.measured(
            false,
            Value::Null,
            threshold,
            CheckUnit::Ratio,
            message,
            Some("make sure the test job ran and wrote its JUnit reports where `sources.tests.junit` looks, and that the tests are not all skipped or quarantined".to_owned()),
            details,
        );
    }
    let passed = min.reached_by(m.green, m.executed);
    let message = pass_rate_message(evidence, assessment, &m, min, quarantine.unused_note());
    let remedy = (!passed).then(|| pass_rate_remedy(&m, min));
    check.measured(
        passed,
        ratio(m.green, m.executed),
        threshold,
        CheckUnit::Ratio,
        message,
        remedy,
        details,
    )
}

/// What `regression.pass-rate` measures.
struct PassRate {
    /// Tests executed, each suite that failed to set up counted as one.
    raw_executed: u64,
    /// Failures of quarantined tests, left out of both sides of the rate.
    quarantined: u64,
    /// Executed and counted: `raw_executed` without the quarantined failures.
    executed: u64,
    /// Passed, first time or after a rerun.
    green: u64,
    /// Failed, errored or failed to set up, and counted.
    not_green: u64,
    /// Suites that failed to set up.
    suite_errors: u64,
}

impl PassRate {
    fn of(evidence: &TestEvidence, assessment: Option<&Assessment<'_>>) -> Self {
        let c = &evidence.totals;
        let suite_errors = evidence.suite_errors.len() as u64;
        let raw_executed = c.executed() + suite_errors;
        let quarantined = assessment.map_or(0, |a| a.quarantined.len() as u64);
        // Only failures are ever quarantined, so both sides of the rate lose the same tests.
        Self {
            raw_executed,
            quarantined,
            executed: raw_executed.saturating_sub(quarantined),
            green: c.green(),
            not_green: (c.failed + c.errored + suite_errors).saturating_sub(quarantined),
            suite_errors,
        }
    }
}

/// The counts, the failing tests that count, the quarantined ones and the suites that failed
/// to set up.
fn pass_rate_details(
    evidence: &TestEvidence,
    assessment: Option<&Assessment<'_>>,
    m: &PassRate,
) -> Map<String, Value> {
    let c = &evidence.totals;
    let mut details = Map::new();
    details.insert("executed".into(), json!(m.raw_executed));
    details.insert("passed".into(), json!(c.passed));
    details.insert("flaky".into(), json!(c.flaky));
    details.insert("failed".into(), json!(c.failed));
    details.insert("errored".into(), json!(c.errored));
    details.insert("suite_errors".into(), json!(m.suite_errors));
    details.insert("skipped".into(), json!(c.skipped));
    if let Some(a) = assessment {
        details.insert("quarantined_failures".into(), json!(m.quarantined));
        details.insert("raw_pass_rate".into(), ratio(m.green, m.raw_executed));
        details.insert("adjusted_pass_rate".into(), ratio(m.green, m.executed));
        insert_quarantined(&mut details, evidence, a);
    }
    insert_tests(
        &mut details,
        "failing",
        evidence,
        evidence.tests.iter().enumerate().filter_map(|(i, t)| {
            let counted = !assessment.is_some_and(|a| a.quarantined.contains_key(&i));
            (t.outcome.is_failure() && counted).then_some(t)
        }),
    );
    if m.suite_errors > 0 {
        details.insert(
            "suites_failed_to_run".into(),
            Value::Array(
                evidence
                    .suite_errors
                    .iter()
                    .take(super::result::LIST_LIMIT)
                    .map(|e| {
                        json!({"file": evidence.file_path(e.file), "suite": e.suite, "kind": e.kind, "message": e.message})
                    })
                    .collect(),
            ),
        );
    }
    details
}

/// The rate, what did not pass, what was not counted, and the quarantine's unused entries.
fn pass_rate_message(
    evidence: &TestEvidence,
    assessment: Option<&Assessment<'_>>,
    m: &PassRate,
    min: Percent,
    unused_note: Option<String>,
) -> String {
    let c = &evidence.totals;
    let rate = m.green as f64 / m.executed as f64;
    let mut message = format!(
        "{} of {} executed tests passed ({} first time, {} after a rerun); the minimum is {min}",
        format_percent(rate),
        thousands(m.executed),
        thousands(c.passed),
        thousands(c.flaky),
    );
    if m.not_green > 0 {
        let mut parts = Vec::new();
        let quarantined_as = |outcome: TestOutcome| {
            assessment.map_or(0, |a| {
                a.quarantined
                    .keys()
                    .filter(|i| {
                        evidence
                            .tests
                            .get(**i)
                            .is_some_and(|t| t.outcome == outcome)
                    })
                    .count() as u64
            })
        };
        let failed = c.failed.saturating_sub(quarantined_as(TestOutcome::Failed));
        let errored = c
            .errored
            .saturating_sub(quarantined_as(TestOutcome::Errored));
        if failed > 0 {
            parts.push(format!("{} failed", thousands(failed)));
        }
        if errored > 0 {
            parts.push(format!("{} errored", thousands(errored)));
        }
        if m.suite_errors > 0 {
            parts.push(format!(
                "{} failed to set up",
                plural(m.suite_errors, "suite", "suites")
            ));
        }
        message.push_str(&format!("; {}", parts.join(", ")));
    }
    if c.skipped > 0 {
        message.push_str(&format!("; {} skipped (not counted)", thousands(c.skipped)));
    }
    if m.quarantined > 0 {
        message.push_str(&format!(
            "; {} of quarantined tests not counted (raw pass rate {} of {} executed)",
            plural(m.quarantined, "failure", "failures"),
            format_percent(m.green as f64 / m.raw_executed as f64),
            thousands(m.raw_executed)
        ));
    }
    if let Some(note) = unused_note {
        message.push_str("; ");
        message.push_str(&note);
    }
    message
}

/// How many of the failing tests must pass to reach the minimum.
fn pass_rate_remedy(m: &PassRate, min: Percent) -> String {
    let needed = min.min_part_of(m.executed).saturating_sub(m.green);
    let which = if m.not_green == 1 {
        "the failing test".to_owned()
    } else if needed >= m.not_green {
        format!("all {} failing tests", thousands(m.not_green))
    } else {
        format!(
            "{} of the {} failing tests",
            thousands(needed),
            thousands(m.not_green)
        )
    };
    let (them, they) = if m.not_green == 1 {
        ("it", "it")
    } else {
        ("them", "they")
    };
    format!(
        "{which} must pass to reach {min}: fix {them} (listed in the details) or, if {they} failed for an infrastructure reason, re-run the job"
    )
}

/// The failing tests an active quarantine entry took out of the rate, with the entry.
fn insert_quarantined(
    details: &mut Map<String, Value>,
    evidence: &TestEvidence,
    a: &Assessment<'_>,
) {
    let mut listed: Vec<(usize, usize)> = a.quarantined.iter().map(|(t, e)| (*t, *e)).collect();
    listed.sort_unstable();
    details.insert(
        "quarantined".into(),
        Value::Array(
            listed
                .iter()
                .take(LIST_LIMIT)
                .filter_map(|(t, e)| {
                    let (test, entry) = (evidence.tests.get(*t)?, a.entries.get(*e)?.entry);
                    let mut v = test_entry(evidence, test);
                    if let Value::Object(m) = &mut v {
                        m.insert("quarantine".into(), json!(entry.pattern.as_str()));
                        m.insert("ticket".into(), json!(entry.ticket));
                        m.insert("owner".into(), json!(entry.owner));
                        m.insert("expires".into(), json!(entry.expires));
                    }
                    Some(v)
                })
                .collect(),
        ),
    );
    details.insert("quarantined_total".into(), json!(listed.len()));
}

/// Executed tests against `min_tests`.
pub(crate) fn min_tests(
    min: u64,
    settings: CheckSettings,
    tests: &SourceState<TestEvidence>,
) -> CheckResult {
    let check = CheckRun::new("regression.min-tests", settings).with_unit(CheckUnit::Count);
    let threshold = json!(min);
    let evidence = match check.source(tests, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let c = &evidence.totals;
    let executed = c.executed();
    let passed = executed >= min && executed > 0;
    let message = format!(
        "{} executed ({} in {}, {} skipped); the minimum is {}",
        plural(executed, "test", "tests"),
        thousands(c.tests),
        plural(evidence.files.len() as u64, "file", "files"),
        thousands(c.skipped),
        thousands(min)
    );
    let short = min.saturating_sub(executed).max(1);
    let remedy = (!passed).then(|| {
        format!(
            "{} more {} must run: check that every test job ran and wrote its reports where `sources.tests.junit` looks, and that no module was dropped or skipped; change `min_tests` only deliberately, in review",
            thousands(short),
            if short == 1 { "test" } else { "tests" }
        )
    });
    let mut details = Map::new();
    details.insert("executed".into(), json!(executed));
    details.insert("total".into(), json!(c.tests));
    details.insert("skipped".into(), json!(c.skipped));
    details.insert("files".into(), json!(evidence.files.len()));
    check.measured(
        passed,
        json!(executed),
        threshold,
        CheckUnit::Count,
        message,
        remedy,
        details,
    )
}

/// The limits of `regression.skipped`: a count, a share of all tests, or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SkipLimit {
    /// At most this many skipped tests.
    Count(u64),
    /// At most this share of all tests (executed + skipped).
    Share(Percent),
    /// Both.
    Both(u64, Percent),
}

impl SkipLimit {
    fn count(self) -> Option<u64> {
        match self {
            SkipLimit::Count(n) | SkipLimit::Both(n, _) => Some(n),
            SkipLimit::Share(_) => None,
        }
    }

    fn share(self) -> Option<Percent> {
        match self {
            SkipLimit::Share(p) | SkipLimit::Both(_, p) => Some(p),
            SkipLimit::Count(_) => None,
        }
    }
}

/// Skipped and disabled tests against `max_skipped` and `max_skipped_rate`.
pub(crate) fn skipped(
    limit: SkipLimit,
    settings: CheckSettings,
    tests: &SourceState<TestEvidence>,
) -> CheckResult {
    let check = CheckRun::new("regression.skipped", settings).with_unit(CheckUnit::Count);
    let mut threshold = Map::new();
    if let Some(n) = limit.count() {
        threshold.insert("max_skipped".into(), json!(n));
    }
    if let Some(p) = limit.share() {
        threshold.insert("max_skipped_rate".into(), json!(p.as_f64()));
    }
    let threshold = Value::Object(threshold);
    let evidence = match check.source(tests, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let c = &evidence.totals;
    let skipped = c.skipped;
    // Every test the reports list: executed ones and skipped ones.
    let all = c.executed() + skipped;
    let over_count = limit.count().is_some_and(|max| skipped > max);
    let over_share = limit
        .share()
        .is_some_and(|max| all > 0 && !max.not_exceeded_by(skipped, all));
    let passed = all > 0 && !over_count && !over_share;
    let mut limits = Vec::new();
    if let Some(n) = limit.count() {
        limits.push(format!("at most {}", thousands(n)));
    }
    if let Some(p) = limit.share() {
        limits.push(format!("at most {p} of all tests"));
    }
    let message = if all == 0 {
        "no test at all in the reports, so nothing shows how many were skipped".to_owned()
    } else {
        format!(
            "{} of {} ({}) skipped or disabled; the limit is {}",
            thousands(skipped),
            plural(all, "test", "tests"),
            format_percent(skipped as f64 / all as f64),
            limits.join(" and ")
        )
    };
    let remedy = (!passed).then(|| {
        if all == 0 {
            "make sure the test job ran and wrote its JUnit reports where `sources.tests.junit` looks".to_owned()
        } else {
            let mut allowed = limit.count().unwrap_or(u64::MAX);
            if let Some(p) = limit.share() {
                allowed = allowed.min(p.max_part_of(all));
            }
            let too_many = skipped.saturating_sub(allowed);
            format!(
                "un-skip {} of the skipped tests listed in the details (or delete those that no longer test anything); a test skipped for a missing platform belongs in a job on that platform; raise the limit only deliberately, in review",
                thousands(too_many.max(1))
            )
        }
    });
    let mut details = Map::new();
    details.insert("skipped".into(), json!(skipped));
    details.insert("executed".into(), json!(c.executed()));
    details.insert("total".into(), json!(all));
    details.insert("skipped_rate".into(), ratio(skipped, all));
    insert_tests(
        &mut details,
        "skipped_tests",
        evidence,
        evidence
            .tests
            .iter()
            .filter(|t| t.outcome == TestOutcome::Skipped),
    );
    check.measured(
        passed,
        json!(skipped),
        threshold,
        CheckUnit::Count,
        message,
        remedy,
        details,
    )
}
