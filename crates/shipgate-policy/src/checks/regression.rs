//! `regression.pass-rate`, `regression.min-tests` and `regression.skipped`, configured from
//! `checks.regression`.

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::regression::{self, SkipLimit};
use crate::raw::{CheckSettings, RawPolicy, RegressionSection};
use crate::validator::Validator;
use crate::values::Percent;
use shipgate_model::CheckResult;
use std::sync::Arc;

pub(crate) static PASS_RATE: CheckKind = CheckKind {
    info: CheckInfo {
        id: "regression.pass-rate",
        title: "Regression pass rate",
        measures: "(passed + flaky) ÷ executed over every JUnit testcase, where executed = passed + flaky + failed + errored, and each suite that failed to set up counts as one errored test. Skipped and disabled tests are reported, never counted as passes. With a quarantine (`sources.tests.quarantine`), the failures of quarantined tests are left out and listed, and the raw and the adjusted rate are reported side by side.",
        blocks_when: "the (adjusted) rate is below `min_pass_rate`, no test was executed at all, or the quarantine file is missing or unreadable.",
        configure: "checks.regression.min_pass_rate (e.g. `98%` or `0.98`); sources.tests.quarantine; level; on_missing.",
        fix: "Fix the failing and erroring tests listed in the report's details (or re-run the job if the failure is an infrastructure fault). A known flaky test belongs in quarantine, not in a lowered threshold.",
        why: "Regression tests on the paths where defects cluster are the first barrier against leakage; a falling pass rate is a release shipping known breakage.",
    },
    section: "checks.regression",
    keys: &["min_pass_rate"],
    configure: |raw, v| {
        configure(raw, v, |r, settings, v| {
            let min = r.min_pass_rate?;
            // `0.98%` is almost surely `98%` or `0.98`: a minimum that one passing test in a
            // hundred meets is not what anyone writes on purpose.
            if min.is_above_zero_below_one_percent() {
                v.problem(
                "checks.regression.min_pass_rate",
                format!("`{min}` is less than one percent, which almost every run passes; write `98%` or `0.98` for ninety-eight percent"),
            );
                return None;
            }
            Some(Arc::new(PassRate { min, settings }) as Arc<dyn Check>)
        })
    },
};

pub(crate) static MIN_TESTS: CheckKind = CheckKind {
    info: CheckInfo {
        id: "regression.min-tests",
        title: "Regression suite size",
        measures: "the number of executed tests (passed + flaky + failed + errored) across every JUnit file.",
        blocks_when: "fewer tests were executed than `min_tests`, or there are no test results at all.",
        configure: "checks.regression.min_tests (a whole number); level; on_missing.",
        fix: "Make sure every test job ran and wrote its reports where `sources.tests.junit` looks, and that no module was dropped or mass-skipped. Raise or lower `min_tests` deliberately, in review, when the suite really changes.",
        why: "A suite that silently shrinks (a module not run, a glob that stopped matching) passes at 100% while testing nothing.",
    },
    section: "checks.regression",
    keys: &["min_tests"],
    configure: |raw, v| {
        configure(raw, v, |r, settings, v| {
            let min = r.min_tests?;
            if min == 0 {
                v.problem(
                    "checks.regression.min_tests",
                    "must be at least 1: a suite of zero tests proves nothing",
                );
                return None;
            }
            Some(Arc::new(MinTests { min, settings }) as Arc<dyn Check>)
        })
    },
};

pub(crate) static SKIPPED: CheckKind = CheckKind {
    info: CheckInfo {
        id: "regression.skipped",
        title: "Skipped tests",
        measures: "the skipped and disabled tests of every JUnit file (`<skipped>`, `status=\"disabled\"`, `notrun`), as a count and as a share of all tests (executed + skipped). The details list them.",
        blocks_when: "more tests were skipped than `max_skipped`, or their share of all tests is above `max_skipped_rate`, or there are no test results at all.",
        configure: "checks.regression.max_skipped (a whole number); checks.regression.max_skipped_rate (e.g. `5%`); level; on_missing.",
        fix: "Un-skip the tests listed in the details, or delete those that no longer test anything. A test skipped because its platform is absent belongs in a job that runs on that platform. Raise a limit only deliberately, in review.",
        why: "Skipping is the quiet way a failing test leaves the suite: the pass rate stays green and the suite keeps its size while a regression goes unchecked.",
    },
    section: "checks.regression",
    keys: &["max_skipped", "max_skipped_rate"],
    configure: |raw, v| {
        configure(raw, v, |r, settings, _| {
            let limit = match (r.max_skipped, r.max_skipped_rate) {
                (Some(n), Some(p)) => SkipLimit::Both(n, p),
                (Some(n), None) => SkipLimit::Count(n),
                (None, Some(p)) => SkipLimit::Share(p),
                (None, None) => return None,
            };
            Some(Arc::new(Skipped { limit, settings }) as Arc<dyn Check>)
        })
    },
};

/// Builds one check from `checks.regression` when the section is there.
fn configure(
    raw: &RawPolicy,
    v: &mut Validator<'_>,
    build: fn(&RegressionSection, CheckSettings, &mut Validator<'_>) -> Option<Arc<dyn Check>>,
) -> Vec<Arc<dyn Check>> {
    let Some(r) = &raw.checks.regression else {
        return Vec::new();
    };
    build(r, CheckSettings::new(r.level, r.on_missing), v)
        .into_iter()
        .collect()
}

#[derive(Debug)]
struct PassRate {
    min: Percent,
    settings: CheckSettings,
}

impl Check for PassRate {
    fn kind(&self) -> &'static CheckKind {
        &PASS_RATE
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs::TESTS
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        regression::pass_rate(self.min, self.settings, &e.evidence.tests, &e.quarantine)
    }
}

#[derive(Debug)]
struct MinTests {
    min: u64,
    settings: CheckSettings,
}

impl Check for MinTests {
    fn kind(&self) -> &'static CheckKind {
        &MIN_TESTS
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs::TESTS
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        regression::min_tests(self.min, self.settings, &e.evidence.tests)
    }
}

#[derive(Debug)]
struct Skipped {
    limit: SkipLimit,
    settings: CheckSettings,
}

impl Check for Skipped {
    fn kind(&self) -> &'static CheckKind {
        &SKIPPED
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs::TESTS
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        regression::skipped(self.limit, self.settings, &e.evidence.tests)
    }
}
