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
        measures: "for each path in `risk.critical_paths` that names tests, the tests whose `classname.name` matches one of its patterns: how many ran, and whether any failed, errored, was skipped or disabled. A suite that failed to set up and whose name matches a path's pattern fails that path. Runs when a path names tests; paths that name only their `defects` (for `leakage.rate`) are listed under `paths_without_tests`.",
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
        id: "defects.open",
        title: "Open defects per severity",
        measures: "the defects of `sources.defects` that are open (not resolved, done or closed), counted per severity after the policy's `severity` map. Each blocking defect is listed with its key, title and age. An open issue counts even when the tracker marks it as not a defect (only closed ones are left out); such issues are listed under `open_marked_not_defects`.",
        blocks_when: "a severity has more open defects than its `max_open` limit. A severity not named is not limited, except `unknown`, whose limit defaults to 0: an open defect whose severity the gate cannot tell may be critical.",
        configure: "checks.defects.max_open (e.g. `{critical: 0, high: 3}`); sources.defects (kind, query, severity map); level; on_missing.",
        fix: "Fix and close the listed defects, or lower their severity in the tracker where it was overstated. A release that must ship with a known defect needs an approved, time-boxed waiver naming it.",
        why: "Shipping with known critical defects is leakage by decision; the gate makes that decision visible and signed.",
    },
    CheckInfo {
        id: "defects.classified",
        title: "Defects are classified",
        measures: "the defects created in the window (`checks.defects.window`, else `checks.leakage.window`, else 90 days) whose severity or origin the policy's maps do not recognise (missing, or a value not in the map). Issues closed as not defects are in no rate, so they are left out, and listed.",
        blocks_when: "more such defects than `max_unclassified` (default 0).",
        configure: "checks.defects (runs whenever the section is present); checks.defects.max_unclassified; checks.defects.window; sources.defects.severity and origin; level; on_missing.",
        fix: "Set the severity and origin of the listed defects in the tracker, or add the values the details show to `sources.defects.severity.map` or `sources.defects.origin`.",
        why: "A defect with no origin is left out of the leakage rate; a few of them quietly make leakage look better than it is.",
    },
    CheckInfo {
        id: "leakage.rate",
        title: "Defect leakage",
        measures: "production ÷ (production + pre-production) defects created in `window` (default 90 days), by the origin map; with `max_rate_critical_paths`, the same over the defects tied to a critical path by the components and labels under `risk.critical_paths.<name>.defects` (which needs no test results). Defects of unknown origin are counted beside the rate, not in it; so are issues the tracker closed as not defects (`sources.defects.not_defects`: duplicates, not a bug), with why. An open issue always counts. The details give numerator, denominator and the production defects.",
        blocks_when: "the rate is above `max_rate`, or the critical-path rate above `max_rate_critical_paths`, or defects were created in the window but none has a known origin. No defect in the window at all passes (there was nothing to leak).",
        configure: "checks.leakage.window; checks.leakage.max_rate (e.g. `5%`); checks.leakage.max_rate_critical_paths (e.g. `2%`); risk.critical_paths.<name>.defects.{components,labels}; level; on_missing.",
        fix: "Leakage moves over months, not in one release: add a regression test for every production defect (traceability), test the paths they came from before release, and watch the trend with `shipgate leakage --by month`. Ship an urgent release past it only with an approved, time-boxed waiver.",
        why: "Defect leakage is the measure this gate exists to cut: mature teams stay at or below 5%, and below 2% on critical paths in fintech and healthtech.",
    },
    CheckInfo {
        id: "traceability.production-defects",
        title: "Production defects have regression tests",
        measures: "for each production defect created in the window, whether a test in this run references it and passed (or passed on a rerun): its key in the test's `classname.name` (ignoring case, `-` and `_` alike, not part of a longer key) or in a `defect`, `issue`, `jira` or `bug` JUnit property of the testcase or its suite. A production issue closed as not a defect (a duplicate) needs no test of its own, and is listed.",
        blocks_when: "a production defect in the window has no such test; defects referenced only by failing or skipped tests are listed with those tests.",
        configure: "checks.traceability.production_defects_need_test: true; checks.traceability.window (default the leakage window, else 90 days); sources.tests and sources.defects; level; on_missing.",
        fix: "Write a regression test that would have caught each listed defect and name the defect in it (`test_pay_123_refund_twice`, or `<property name=\"defect\" value=\"PAY-123\"/>`), then make sure it runs in this pipeline.",
        why: "A production defect without a regression test can come back unnoticed; mapping every escape to the test that should have caught it is how leakage goes down.",
    },
    CheckInfo {
        id: "performance.<metric>",
        title: "Performance against limits and the baseline",
        measures: "one metric of the load-test results (`sources.performance.current`), addressed as `name.stat` (`http_req_duration.p95`, `checkout.error_rate`), against absolute limits and, with `max_regression`, against the same metric of the baseline (`sources.performance.baseline`). The comparison is direction-aware (slower latency and lower throughput are both worse) and has a noise floor (`min_change`). Where both runs have raw samples (JMeter JTL, k6 `--out json`, generic JSON with samples, and baselines promoted from them), a worsening beyond the limits counts only if it is statistically significant: a one-sided Mann–Whitney U test and a seeded bootstrap bound of the statistic's change, both at `alpha`; the report shows the test, the p-value and the effect.",
        blocks_when: "the metric is above `max` or below `min`; or it worsened against the baseline by more than `max_regression` and by more than `min_change`, and the worsening is significant (or could not be tested: no raw samples, or fewer than `min_samples`); or, with the default `on_missing: fail`, the results, the baseline or the metric are missing, or the two runs report it in different units. A baseline of 0 has no relative change: any worsening (beyond `min_change`) counts.",
        configure: "sources.performance.{current,baseline}.{path,format}; checks.performance: [{metric, max, min, max_regression, min_change, alpha (0.05), min_samples (20), direction, level, on_missing}]. Limits carry units: `300ms` for a duration, `1%` for a rate, a plain number for throughput or counts.",
        fix: "Find what made the metric worse between the baseline and this release (the details give both values, the change, the p-value and the bootstrap bound) and fix it. If the new level is intended, promote this run as the new baseline (`shipgate perf baseline promote`) in review. `shipgate inspect perf FILE` lists the metrics a file holds.",
        why: "Performance regressions reach production when nobody compares with the last good release; a gate that flaps on CI noise gets ignored, so a regression blocks only when it is beyond the limits and real.",
    },
    CheckInfo {
        id: "uat.signoff",
        title: "UAT sign-off",
        measures: "the UAT sign-off record of `sources.uat.signoff`: its decision, the release, version and commit it names, who signed in which role with which meaning and when, and its SSH signature (`FILE.sig`, verified against `sources.uat.allowed_signers`); and/or the GitHub deployment approvals of the workflow run (`sources.uat.github_approvals`): who approved or rejected the deployment to the policy's environment, mapped to roles by user and team. A required role is approved by either source.",
        blocks_when: "the decision is not `approved` (`conditional` passes only with `allow_conditional: true`); a role of `required_roles` has no signature with `meaning: approval`; the record names another release or version than the policy's `release`, or (when the release has a commit) names no commit or another one; a signature is older than `max_age` or dated after the evaluation; the record's signature does not verify; or `require_signature` is set and the record is unsigned. With GitHub approvals: a required role has neither a signature nor an approval of the deployment to `environment` by a user or active team member `roles` maps to it; anyone rejected that deployment; the run is not the policy's run, built another commit than `release.commit`, or (GitHub giving no time per review) was created longer ago than `max_age`. A missing or unreadable source blocks (exit 4 when unreadable or GitHub cannot be reached).",
        configure: "sources.uat.signoff, allowed_signers, require_signature, github_approvals (repository, run_id, environment, token_env, roles); checks.uat.required_roles, max_age, allow_conditional; level; on_missing.",
        fix: "Record the sign-off for the version (and commit) being released, with an approval from each required role, and sign it with `ssh-keygen -Y sign -n shipgate-uat -f KEY FILE` when the policy requires a signature; or have a user or team mapped to the role approve the deployment in the workflow run (Review deployments). Each problem in the details names the role or field and what to do.",
        why: "Automated tests check that the code does what it was written to do; UAT checks that what it does is right for the business. Skipping it lets business-logic defects through, and an auditor asks who approved which version, when.",
    },
    CheckInfo {
        id: "evidence.provenance",
        title: "Evidence provenance",
        measures: "for each source in `max_age` (JUnit files by their latest `<testsuite timestamp>`, the UAT sign-off by its oldest signature, GitHub deployment approvals by their run's creation), the evidence's age at evaluation time; and for every item that names a commit (a JUnit `git.commit`/`commit` property, the sign-off's `commit`), whether it is the release's commit.",
        blocks_when: "evidence is older than its source's `max_age`, dated more than `clock_skew` (default 5m) in the future, or carries no time when an age is asked; an item names another commit than `release.commit`; with `commit: require`, an item names no commit or the release has none.",
        configure: "checks.provenance.max_age.{tests,uat}; commit (`match`, default, or `require`); clock_skew; level; on_missing.",
        fix: "Produce the evidence again for this build (re-run the tests, renew the sign-off) from the commit being released, and make it say when and from which commit it was produced: the details list each file with its time and commit.",
        why: "A green report from last month's build, or from another branch, proves nothing about this release.",
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

/// The catalogue entry for an id. A family entry (`performance.<metric>`) answers for every id
/// of the family (`performance.http_req_duration.p95`).
pub fn explain(id: &str) -> Option<&'static CheckInfo> {
    CATALOG.iter().find(|c| c.id == id).or_else(|| {
        CATALOG.iter().find(|c| {
            c.id.strip_suffix("<metric>")
                .is_some_and(|family| id.len() > family.len() && id.starts_with(family))
        })
    })
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
            if c.id.contains('<') {
                assert!(
                    c.id.ends_with(".<metric>"),
                    "a family id ends with .<metric>: {}",
                    c.id
                );
            }
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

    #[test]
    fn a_family_explains_each_of_its_ids() {
        let info = explain("performance.http_req_duration.p95").map(|c| c.id);
        assert_eq!(info, Some("performance.<metric>"));
        assert_eq!(
            explain("performance.<metric>").map(|c| c.id),
            Some("performance.<metric>")
        );
        assert_eq!(explain("performance."), None);
        assert_eq!(
            explain("regression.pass-rate").map(|c| c.id),
            Some("regression.pass-rate")
        );
        assert_eq!(explain("regression.nope"), None);
    }
}
