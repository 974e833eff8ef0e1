//! `flaky.rate`: tests that failed and then passed on a rerun, within this run.

use super::result::{Check, insert_tests, ratio, thousands};
use crate::policy::CheckSettings;
use crate::values::{Percent, format_percent};
use serde_json::{Map, Value, json};
use shipgate_model::{CheckResult, SourceState, TestEvidence, TestOutcome};

pub(crate) fn rate(
    max: Percent,
    settings: CheckSettings,
    tests: &SourceState<TestEvidence>,
) -> CheckResult {
    let check = Check::new("flaky.rate", settings);
    let threshold = json!(max.as_f64());
    let evidence = match check.source(tests, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let c = &evidence.totals;
    let executed = c.executed();
    let mut details = Map::new();
    details.insert("flaky".into(), json!(c.flaky));
    details.insert("executed".into(), json!(executed));
    insert_tests(
        &mut details,
        "flaky_tests",
        evidence,
        evidence
            .tests
            .iter()
            .filter(|t| t.outcome == TestOutcome::Flaky),
    );
    if executed == 0 {
        return check.measured(
            false,
            Value::Null,
            threshold,
            "ratio",
            "no test was executed, so the flaky rate cannot be measured".to_owned(),
            Some("make sure the test job ran and wrote its JUnit reports where `sources.tests.junit` looks".to_owned()),
            details,
        );
    }
    let passed = max.not_exceeded_by(c.flaky, executed);
    let message = format!(
        "{} of {} executed tests were flaky ({}); the maximum is {max}",
        thousands(c.flaky),
        thousands(executed),
        format_percent(c.flaky as f64 / executed as f64),
    );
    let remedy = (!passed).then(|| {
        let allowed = max.max_part_of(executed);
        format!(
            "{} fewer flaky tests are needed to get within {max}: fix the ones listed in the details; each one trains people to re-run red builds until they are green",
            thousands(c.flaky.saturating_sub(allowed))
        )
    });
    check.measured(
        passed,
        ratio(c.flaky, executed),
        threshold,
        "ratio",
        message,
        remedy,
        details,
    )
}
