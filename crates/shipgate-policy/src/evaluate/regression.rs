//! `regression.pass-rate` and `regression.min-tests`.

use super::result::{Check, insert_tests, plural, ratio, thousands};
use crate::policy::CheckSettings;
use crate::values::{Percent, format_percent};
use serde_json::{Map, Value, json};
use shipgate_model::{CheckResult, SourceState, TestEvidence};

/// (passed + flaky) ÷ executed, with each suite that failed to set up counted as an errored test.
pub(crate) fn pass_rate(
    min: Percent,
    settings: CheckSettings,
    tests: &SourceState<TestEvidence>,
) -> CheckResult {
    let check = Check::new("regression.pass-rate", settings);
    let threshold = json!(min.as_f64());
    let evidence = match check.source(tests, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let c = &evidence.totals;
    let suite_errors = evidence.suite_errors.len() as u64;
    let executed = c.executed() + suite_errors;
    let green = c.green();
    let not_green = c.failed + c.errored + suite_errors;

    let mut details = Map::new();
    details.insert("executed".into(), json!(executed));
    details.insert("passed".into(), json!(c.passed));
    details.insert("flaky".into(), json!(c.flaky));
    details.insert("failed".into(), json!(c.failed));
    details.insert("errored".into(), json!(c.errored));
    details.insert("suite_errors".into(), json!(suite_errors));
    details.insert("skipped".into(), json!(c.skipped));
    insert_tests(
        &mut details,
        "failing",
        evidence,
        evidence.tests.iter().filter(|t| t.outcome.is_failure()),
    );
    if suite_errors > 0 {
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

    if executed == 0 {
        let message = format!(
            "no test was executed: {} in {} ({} skipped)",
            plural(c.tests, "test", "tests"),
            plural(evidence.files.len() as u64, "file", "files"),
            thousands(c.skipped)
        );
        return check.measured(
            false,
            Value::Null,
            threshold,
            "ratio",
            message,
            Some("make sure the test job ran and wrote its JUnit reports where `sources.tests.junit` looks, and that the tests are not all skipped".to_owned()),
            details,
        );
    }

    let passed = min.reached_by(green, executed);
    let rate = green as f64 / executed as f64;
    let mut message = format!(
        "{} of {} executed tests passed ({} first time, {} after a rerun); the minimum is {min}",
        format_percent(rate),
        thousands(executed),
        thousands(c.passed),
        thousands(c.flaky),
    );
    if not_green > 0 {
        let mut parts = Vec::new();
        if c.failed > 0 {
            parts.push(format!("{} failed", thousands(c.failed)));
        }
        if c.errored > 0 {
            parts.push(format!("{} errored", thousands(c.errored)));
        }
        if suite_errors > 0 {
            parts.push(format!(
                "{} failed to set up",
                plural(suite_errors, "suite", "suites")
            ));
        }
        message.push_str(&format!("; {}", parts.join(", ")));
    }
    if c.skipped > 0 {
        message.push_str(&format!("; {} skipped (not counted)", thousands(c.skipped)));
    }
    let remedy = (!passed).then(|| {
        let needed = min.min_part_of(executed).saturating_sub(green);
        let which = if not_green == 1 {
            "the failing test".to_owned()
        } else if needed >= not_green {
            format!("all {} failing tests", thousands(not_green))
        } else {
            format!("{} of the {} failing tests", thousands(needed), thousands(not_green))
        };
        let (them, they) = if not_green == 1 { ("it", "it") } else { ("them", "they") };
        format!(
            "{which} must pass to reach {min}: fix {them} (listed in the details) or, if {they} failed for an infrastructure reason, re-run the job"
        )
    });
    check.measured(
        passed,
        ratio(green, executed),
        threshold,
        "ratio",
        message,
        remedy,
        details,
    )
}

/// Executed tests against `min_tests`.
pub(crate) fn min_tests(
    min: u64,
    settings: CheckSettings,
    tests: &SourceState<TestEvidence>,
) -> CheckResult {
    let check = Check::new("regression.min-tests", settings);
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
        "count",
        message,
        remedy,
        details,
    )
}
