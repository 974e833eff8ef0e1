//! `risk.coverage`, configured from `checks.risk`: the riskiest areas (and every critical one)
//! ran enough tests, skipped none, and have a passing regression test for each production
//! defect. How areas are scored is in `crate::risk` and `shipgate-risk`.

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::risk;
use crate::raw::{CheckSettings, RawPolicy};
use crate::validator::Validator;
use shipgate_model::CheckResult;
use shipgate_risk::RiskLevel;
use std::sync::Arc;

pub(crate) static COVERAGE: CheckKind = CheckKind {
    info: CheckInfo {
        id: "risk.coverage",
        title: "The riskiest areas are tested",
        measures: "each risk area's score (0–100) from revenue impact, defect frequency (production defects ×3, others ×1, in the window), failure history (failed runs and flips of its tests), complexity (lizard or radon) and churn (git commits), a missing factor counted at its worst (see docs/risk.md); then, for every area at or above `min_level` and every critical area: how many of its tests ran, how many were skipped, and which of its production defects in the window no passing test names.",
        blocks_when: "an area in scope ran fewer than `min_tests` tests, skipped any, or has a production defect with no passing test that names it (its key in the test's name, or a `defect` JUnit property). Missing or unreadable test results or defects block; so does a configured complexity, churn or history source that is missing or unreadable (as `on_missing` says).",
        configure: "checks.risk.min_level (`low`, `medium`, `high`, `critical`); checks.risk.min_tests (default 1); risk.areas (revenue_impact, files, tests, defects, critical, test_location); risk.weights; risk.half_at; risk.window; sources.complexity; sources.churn; level; on_missing.",
        fix: "Run and un-skip the tests of the areas listed in the details; write a regression test for each listed production defect and name the defect in it. `shipgate risk` shows each area's factors, and the coverage-gap map with the test each defect calls for.",
        why: "When time is short the critical paths must get more testing, not less: the areas where a failure costs most and defects are likeliest are the ones that must never ship untested, and a production defect with no regression test can escape again.",
    },
    section: "checks.risk",
    keys: &["min_level"],
    configure,
};

fn configure(raw: &RawPolicy, v: &mut Validator<'_>) -> Vec<Arc<dyn Check>> {
    let Some(section) = &raw.checks.risk else {
        return Vec::new();
    };
    // Without `min_level` the section configures nothing; the registry's rule says so.
    let Some(min_level) = section.min_level else {
        return Vec::new();
    };
    if section.min_tests == Some(0) {
        v.problem(
            "checks.risk.min_tests",
            "must be at least 1: an area that ran no test proves nothing",
        );
        return Vec::new();
    }
    if raw.risk.areas.is_empty() && raw.risk.critical_paths.is_empty() {
        v.cross_problem(
            "checks.risk",
            "`checks.risk` needs risk areas: add `risk.areas` with each area's `revenue_impact`, `files`, `tests` and `defects`",
        );
        return Vec::new();
    }
    vec![Arc::new(Coverage {
        min_level: min_level.into(),
        min_tests: section.min_tests.unwrap_or(1),
        settings: CheckSettings::new(section.level, section.on_missing),
    })]
}

#[derive(Debug)]
struct Coverage {
    min_level: RiskLevel,
    min_tests: u64,
    settings: CheckSettings,
}

impl Check for Coverage {
    fn kind(&self) -> &'static CheckKind {
        &COVERAGE
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs {
            tests: true,
            defect_references: true,
            defects: true,
            risk: true,
            ..Needs::NOTHING
        }
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        risk::coverage(
            e.policy,
            e.evidence,
            e.now,
            self.min_level,
            self.min_tests,
            self.settings,
        )
    }
}
