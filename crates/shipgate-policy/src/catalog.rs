//! The check catalogue: every check id, what it measures, when it blocks and how to fix it.
//!
//! Ids are a public contract (reports, waivers and pipelines refer to them). `shipgate explain`
//! prints these entries and `docs/checks.md` documents the same ids.

/// What one check is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CheckInfo {
    /// The stable id. `performance.<metric>` is a family: one check per configured metric.
    pub id: &'static str,
    /// A short title.
    pub title: &'static str,
    /// What is measured.
    pub measures: &'static str,
    /// When it blocks.
    pub blocks_when: &'static str,
    /// The policy keys that configure it.
    pub configure: &'static str,
    /// How to make it pass.
    pub fix: &'static str,
    /// Why it matters for defect leakage.
    pub why: &'static str,
}

/// Every check, in report order.
pub const CATALOG: &[CheckInfo] = &[
    CheckInfo {
        id: "regression.pass-rate",
        title: "Regression pass rate",
        measures: "(passed + flaky) ÷ executed over every JUnit testcase, where executed = passed + flaky + failed + errored, and each suite that failed to set up counts as one errored test. Skipped and disabled tests are reported, never counted as passes. With a quarantine (`sources.tests.quarantine`), the failures of quarantined tests are left out and listed, and the raw and the adjusted rate are reported side by side.",
        blocks_when: "the (adjusted) rate is below `min_pass_rate`, no test was executed at all, or the quarantine file is missing or unreadable.",
        configure: "checks.regression.min_pass_rate (e.g. `98%` or `0.98`); sources.tests.quarantine; level; on_missing.",
        fix: "Fix the failing and erroring tests listed in the report's details (or re-run the job if the failure is an infrastructure fault). A known flaky test belongs in quarantine, not in a lowered threshold.",
        why: "Regression tests on the paths where defects cluster are the first barrier against leakage; a falling pass rate is a release shipping known breakage.",
    },
    CheckInfo {
        id: "regression.min-tests",
        title: "Regression suite size",
        measures: "the number of executed tests (passed + flaky + failed + errored) across every JUnit file.",
        blocks_when: "fewer tests were executed than `min_tests`, or there are no test results at all.",
        configure: "checks.regression.min_tests (a whole number); level; on_missing.",
        fix: "Make sure every test job ran and wrote its reports where `sources.tests.junit` looks, and that no module was dropped or mass-skipped. Raise or lower `min_tests` deliberately, in review, when the suite really changes.",
        why: "A suite that silently shrinks (a module not run, a glob that stopped matching) passes at 100% while testing nothing.",
    },
    CheckInfo {
        id: "critical-paths.passed",
        title: "Critical paths passed",
        measures: "for each path in `risk.critical_paths`, the tests whose `classname.name` matches one of its patterns: how many ran, and whether any failed, errored, was skipped or disabled. A suite that failed to set up and whose name matches a path's pattern fails that path.",
        blocks_when: "any critical-path test failed, errored, was skipped or disabled, or a path has fewer matching tests than `min_tests_per_path` (default 1: a critical path with no test fails).",
        configure: "risk.critical_paths.<name>.tests (patterns; `*` matches anything, dots included); checks.critical_paths.min_tests_per_path; level; on_missing.",
        fix: "Fix or un-skip the critical tests listed in the details; if a path matches no test, correct its patterns or write the tests. Critical paths cannot be quarantined: a quarantine entry that matches a critical test is refused (and reported here and in `flaky.rate`), and the test's failure still blocks.",
        why: "Payment, authentication and data-integrity defects are the costly ones; those paths must never ship untested or skipped.",
    },
    CheckInfo {
        id: "flaky.rate",
        title: "Flaky test rate",
        measures: "flaky tests ÷ executed tests. Without history, a flaky test failed and then passed on a rerun in this run (Surefire/nextest/Playwright `flakyFailure`/`flakyError`, or retries merged under `sources.tests.retries: repeated-testcases`). With `sources.tests.history`, a test of this run is flaky when it passed and failed on the same commit (in one run or two), or flipped between pass and fail at least `min_flips` times across the latest runs; the details rank them by flip rate with their last failure. A quarantined test that failed counts as flaky here (its failure left the pass rate), so a quarantine cannot make failures disappear. It also checks the quarantine entries.",
        blocks_when: "the rate is above `max_rate`; a quarantine entry has expired; a quarantine entry matches a critical-path test (it is refused); the history or quarantine configured is missing or unreadable.",
        configure: "checks.flaky.max_rate (e.g. `2%`), history_runs (default 20), min_flips (default 2); sources.tests.history; sources.tests.quarantine; level; on_missing.",
        fix: "Fix the flaky tests listed in the details, highest flip rate first. Renew or remove expired quarantine entries; narrow entries that match critical-path tests. Flaky tests train people to ignore red builds, which is how real regressions get through.",
        why: "A suite full of flaky tests teaches a team to re-run until green; real failures then hide among the noise.",
    },
    CheckInfo {
        id: "waivers.valid",
        title: "Waivers are valid",
        measures: "every waiver in the policy: complete (reason, approved_by, expires) and not expired.",
        blocks_when: "a waiver is expired or incomplete (it then waives nothing). An unused waiver (its check passed) is reported as a warning. A waiver naming a check this policy does not run is a policy error (exit 3).",
        configure: "waivers: [{check, reason, approved_by, expires}].",
        fix: "Renew an expired waiver with a new approval and date, complete an incomplete one, or remove it and fix the check it covered.",
        why: "A waiver is a documented, approved, time-boxed risk; an open-ended or anonymous one is an unreviewed exception.",
    },
];

/// The catalogue entry for an id.
pub fn explain(id: &str) -> Option<&'static CheckInfo> {
    CATALOG.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for c in CATALOG {
            assert!(seen.insert(c.id), "duplicate id {}", c.id);
            assert!(c.id.contains('.'), "{}", c.id);
            assert!(
                c.id.chars().all(|ch| ch.is_ascii_lowercase()
                    || ch == '.'
                    || ch == '-'
                    || ch == '<'
                    || ch == '>'),
                "{}",
                c.id
            );
            for text in [
                c.title,
                c.measures,
                c.blocks_when,
                c.configure,
                c.fix,
                c.why,
            ] {
                assert!(!text.trim().is_empty());
            }
        }
    }
}
