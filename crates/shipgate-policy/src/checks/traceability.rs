//! `traceability.production-defects`, configured from `checks.traceability`.

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::traceability;
use crate::raw::{CheckSettings, RawPolicy};
use crate::validator::Validator;
use shipgate_model::CheckResult;
use std::sync::Arc;
use std::time::Duration;

pub(crate) static PRODUCTION_DEFECTS: CheckKind = CheckKind {
    info: CheckInfo {
        id: "traceability.production-defects",
        title: "Production defects have regression tests",
        measures: "for each production defect created in the window, whether a test in this run references it and passed (or passed on a rerun): its key in the test's `classname.name` (ignoring case, `-` and `_` alike, not part of a longer key) or in a `defect`, `issue`, `jira` or `bug` JUnit property of the testcase or its suite. A production issue closed as not a defect (a duplicate) needs no test of its own, and is listed.",
        blocks_when: "a production defect in the window has no such test; defects referenced only by failing or skipped tests are listed with those tests.",
        configure: "checks.traceability.production_defects_need_test: true; checks.traceability.window (default the leakage window, else 90 days); sources.tests and sources.defects; level; on_missing.",
        fix: "Write a regression test that would have caught each listed defect and name the defect in it (`test_pay_123_refund_twice`, or `<property name=\"defect\" value=\"PAY-123\"/>`), then make sure it runs in this pipeline.",
        why: "A production defect without a regression test can come back unnoticed; mapping every escape to the test that should have caught it is how leakage goes down.",
    },
    section: "checks.traceability",
    keys: &["production_defects_need_test"],
    configure,
};

fn configure(raw: &RawPolicy, v: &mut Validator<'_>) -> Vec<Arc<dyn Check>> {
    let Some(t) = &raw.checks.traceability else {
        return Vec::new();
    };
    if t.production_defects_need_test != Some(true) {
        v.problem(
            "checks.traceability",
            "`checks.traceability` runs only with `production_defects_need_test: true`; set it or remove the section",
        );
        return Vec::new();
    }
    vec![Arc::new(ProductionDefects {
        window: t.window.map_or_else(|| raw.leakage_window(), |w| w.get()),
        settings: CheckSettings::new(t.level, t.on_missing),
    })]
}

#[derive(Debug)]
struct ProductionDefects {
    window: Duration,
    settings: CheckSettings,
}

impl Check for ProductionDefects {
    fn kind(&self) -> &'static CheckKind {
        &PRODUCTION_DEFECTS
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs {
            tests: true,
            defect_references: true,
            defects: true,
            ..Needs::NOTHING
        }
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        traceability::production_defects(
            self.window,
            self.settings,
            &e.evidence.defects,
            &e.evidence.tests,
            e.now,
        )
    }
}
