//! `critical-paths.passed`, which runs whenever a path of `risk.critical_paths` names tests; its
//! options are under `checks.critical_paths`.

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::critical_paths;
use crate::raw::{CheckSettings, RawPolicy};
use crate::validator::Validator;
use shipgate_model::CheckResult;
use std::sync::Arc;

pub(crate) static PASSED: CheckKind = CheckKind {
    info: CheckInfo {
        id: "critical-paths.passed",
        title: "Critical paths passed",
        measures: "for each path in `risk.critical_paths` that names tests, the tests whose `classname.name` matches one of its patterns: how many ran, and whether any failed, errored, was skipped or disabled. A suite that failed to set up and whose name matches a path's pattern fails that path. Runs when a path names tests; paths that name only their `defects` (for `leakage.rate`) are listed under `paths_without_tests`.",
        blocks_when: "any critical-path test failed, errored, was skipped or disabled, or a path has fewer matching tests than `min_tests_per_path` (default 1: a critical path with no test fails).",
        configure: "risk.critical_paths.<name>.tests (patterns; `*` matches anything, dots included); checks.critical_paths.min_tests_per_path; level; on_missing.",
        fix: "Fix or un-skip the critical tests listed in the details; if a path matches no test, correct its patterns or write the tests. Critical paths cannot be quarantined: a quarantine entry that matches a critical test is refused (and reported here and in `flaky.rate`), and the test's failure still blocks.",
        why: "Payment, authentication and data-integrity defects are the costly ones; those paths must never ship untested or skipped.",
    },
    section: "risk.critical_paths",
    keys: &[],
    configure,
};

fn configure(raw: &RawPolicy, v: &mut Validator<'_>) -> Vec<Arc<dyn Check>> {
    let options = raw.checks.critical_paths.clone().unwrap_or_default();
    if raw.risk.critical_paths.is_empty() && v.has("risk.critical_paths") {
        v.problem(
            "risk.critical_paths",
            "`risk.critical_paths` names no path; name the paths that must never ship untested (payment, authentication, data integrity) with their test patterns, or remove the key",
        );
    }
    if options.min_tests_per_path == Some(0) {
        v.problem(
            "checks.critical_paths.min_tests_per_path",
            "must be at least 1: a critical path with no test proves nothing",
        );
    }
    // Paths that name only the defects on them serve `leakage.rate`, and need no test results.
    let tested = raw
        .risk
        .all_critical_paths()
        .values()
        .any(|p| !p.tests.is_empty());
    if !tested {
        if raw.checks.critical_paths.is_some() {
            v.problem(
                "checks.critical_paths",
                "`checks.critical_paths` is set but no path in `risk.critical_paths` names tests; add the paths (payment, authentication, ...) with their test patterns",
            );
        }
        return Vec::new();
    }
    let min_per_path = match options.min_tests_per_path {
        Some(0) => return Vec::new(),
        Some(n) => n,
        None => 1,
    };
    vec![Arc::new(Passed {
        min_per_path,
        settings: CheckSettings::new(options.level, options.on_missing),
    })]
}

#[derive(Debug)]
struct Passed {
    min_per_path: u64,
    settings: CheckSettings,
}

impl Check for Passed {
    fn kind(&self) -> &'static CheckKind {
        &PASSED
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs::TESTS
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        critical_paths::passed(
            &e.policy.risk.critical_paths,
            self.min_per_path,
            self.settings,
            &e.evidence.tests,
            &e.quarantine,
        )
    }
}
