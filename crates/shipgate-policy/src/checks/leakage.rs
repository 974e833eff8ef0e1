//! `leakage.rate`, configured from `checks.leakage`.

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::leakage::{self, LeakageLimits};
use crate::raw::{CheckSettings, RawPolicy};
use crate::validator::Validator;
use shipgate_model::CheckResult;
use std::sync::Arc;
use std::time::Duration;

pub(crate) static RATE: CheckKind = CheckKind {
    info: CheckInfo {
        id: "leakage.rate",
        title: "Defect leakage",
        measures: "production ÷ (production + pre-production) defects created in `window` (default 90 days), by the origin map; with `max_rate_critical_paths`, the same over the defects tied to a critical path by the components and labels under `risk.critical_paths.<name>.defects` (which needs no test results). Defects of unknown origin are counted beside the rate, not in it; so are issues the tracker closed as not defects (`sources.defects.not_defects`: duplicates, not a bug), with why. An open issue always counts. The details give numerator, denominator and the production defects.",
        blocks_when: "the rate is above `max_rate`, or the critical-path rate above `max_rate_critical_paths`, or defects were created in the window but none has a known origin. No defect in the window at all passes (there was nothing to leak).",
        configure: "checks.leakage.window; checks.leakage.max_rate (e.g. `5%`); checks.leakage.max_rate_critical_paths (e.g. `2%`); risk.critical_paths.<name>.defects.{components,labels}; level; on_missing.",
        fix: "Leakage moves over months, not in one release: add a regression test for every production defect (traceability), test the paths they came from before release, and watch the trend with `shipgate leakage --by month`. Ship an urgent release past it only with an approved, time-boxed waiver.",
        why: "Defect leakage is the measure this gate exists to cut: mature teams stay at or below 5%, and below 2% on critical paths in fintech and healthtech.",
    },
    section: "checks.leakage",
    keys: &["max_rate", "max_rate_critical_paths"],
    configure,
};

fn configure(raw: &RawPolicy, v: &mut Validator<'_>) -> Vec<Arc<dyn Check>> {
    let Some(l) = &raw.checks.leakage else {
        return Vec::new();
    };
    let Some(limits) = LeakageLimits::new(l.max_rate, l.max_rate_critical_paths) else {
        return Vec::new();
    };
    if l.max_rate_critical_paths.is_some() {
        let mapped = raw.risk.all_critical_paths().values().any(|p| {
            p.defects
                .as_ref()
                .is_some_and(|d| !d.components.is_empty() || !d.labels.is_empty())
        });
        if !mapped {
            v.cross_problem(
                "checks.leakage.max_rate_critical_paths",
                "no critical path says which defects are on it: add `defects: {components: [...], labels: [...]}` under a path in `risk.critical_paths`",
            );
            return Vec::new();
        }
    }
    vec![Arc::new(Rate {
        limits,
        window: raw.leakage_window(),
        settings: CheckSettings::new(l.level, l.on_missing),
    })]
}

#[derive(Debug)]
struct Rate {
    limits: LeakageLimits,
    window: Duration,
    settings: CheckSettings,
}

impl Check for Rate {
    fn kind(&self) -> &'static CheckKind {
        &RATE
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs::DEFECTS
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        leakage::rate(
            &self.limits,
            self.window,
            &e.policy.risk.critical_paths,
            self.settings,
            &e.evidence.defects,
            e.now,
        )
    }
}
