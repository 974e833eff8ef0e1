//! `flaky.rate`, configured from `checks.flaky` (and read with `sources.tests.history` and
//! `sources.tests.quarantine`, whose rules are in `crate::flaky_sources`).

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::flaky;
use crate::raw::CheckSettings;
use crate::values::Percent;
use shipgate_model::CheckResult;
use std::sync::Arc;

pub(crate) static RATE: CheckKind = CheckKind {
    info: CheckInfo {
        id: "flaky.rate",
        title: "Flaky test rate",
        measures: "flaky tests ÷ executed tests. Without history, a flaky test failed and then passed on a rerun in this run (Surefire/nextest/Playwright `flakyFailure`/`flakyError`, or retries merged under `sources.tests.retries: repeated-testcases`). With `sources.tests.history`, a test of this run is flaky when it passed and failed on the same commit (in one run or two), or flipped between pass and fail at least `min_flips` times across the latest runs; the details rank them by flip rate with their last failure. A quarantined test that failed counts as flaky here (its failure left the pass rate), so a quarantine cannot make failures disappear. It also checks the quarantine entries.",
        blocks_when: "the rate is above `max_rate`; a quarantine entry has expired; a quarantine entry matches a critical-path test (it is refused); the history or quarantine configured is missing or unreadable.",
        configure: "checks.flaky.max_rate (e.g. `2%`), history_runs (default 20), min_flips (default 2); sources.tests.history; sources.tests.quarantine; level; on_missing.",
        fix: "Fix the flaky tests listed in the details, highest flip rate first. Renew or remove expired quarantine entries; narrow entries that match critical-path tests. Flaky tests train people to ignore red builds, which is how real regressions get through.",
        why: "A suite full of flaky tests teaches a team to re-run until green; real failures then hide among the noise.",
    },
    section: "checks.flaky",
    keys: &["max_rate"],
    configure: |raw, _| {
        let Some(f) = &raw.checks.flaky else {
            return Vec::new();
        };
        let Some(max) = f.max_rate else {
            return Vec::new();
        };
        vec![Arc::new(Rate {
            max,
            settings: CheckSettings::new(f.level, f.on_missing),
        })]
    },
};

#[derive(Debug)]
struct Rate {
    max: Percent,
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
        Needs::TESTS
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        flaky::rate(
            self.max,
            self.settings,
            &e.evidence.tests,
            &e.evidence.history,
            e.policy.min_flips(),
            &e.quarantine,
        )
    }
}
