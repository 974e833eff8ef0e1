//! What every format says the same way about a report: the order checks are shown in, how they
//! are grouped and counted, how the release is named and what the exit code means.

use shipgate_model::report::ReleaseInfo;
use shipgate_model::verdict::{TestStats, WaiverState};
use shipgate_model::{CheckResult, CheckStatus, ExitCode, Report};

/// Where a check is listed. The order of the variants is the order of the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Group {
    /// Blocks the release.
    Blocking,
    /// A problem that does not block: a warning, or missing/unreadable evidence at warn level.
    Attention,
    /// Failed, but a valid waiver accepts the risk.
    Waived,
    /// Passed.
    Passed,
}

impl Group {
    /// The group of a check. `blocking` is taken from the check as the policy engine set it.
    pub(crate) fn of(check: &CheckResult) -> Self {
        if check.blocking {
            Group::Blocking
        } else {
            match check.status {
                CheckStatus::Pass => Group::Passed,
                CheckStatus::Waived => Group::Waived,
                CheckStatus::Fail
                | CheckStatus::Warn
                | CheckStatus::Missing
                | CheckStatus::Error => Group::Attention,
            }
        }
    }

    pub(crate) fn title(self) -> &'static str {
        match self {
            Group::Blocking => "Blocking",
            Group::Attention => "Not blocking",
            Group::Waived => "Waived",
            Group::Passed => "Passed",
        }
    }
}

/// The checks in report order: blocking first, then the other problems, then waived, then
/// passed; within a group, in the order of the check catalogue.
pub(crate) fn ordered(report: &Report) -> Vec<&CheckResult> {
    let mut checks: Vec<&CheckResult> = report.checks.iter().collect();
    checks.sort_by_key(|c| Group::of(c));
    checks
}

/// How many checks fall in each group.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub blocking: usize,
    pub attention: usize,
    pub waived: usize,
    pub passed: usize,
}

impl Tally {
    pub(crate) fn of(report: &Report) -> Self {
        let mut t = Tally::default();
        for check in &report.checks {
            match Group::of(check) {
                Group::Blocking => t.blocking += 1,
                Group::Attention => t.attention += 1,
                Group::Waived => t.waived += 1,
                Group::Passed => t.passed += 1,
            }
        }
        t
    }

    pub(crate) fn total(self) -> usize {
        self.blocking + self.attention + self.waived + self.passed
    }

    /// One sentence: "2 of 8 checks block this release; 1 needs attention, 1 is waived, 4 passed."
    pub(crate) fn sentence(self) -> String {
        let total = self.total();
        if total == 0 {
            return "No checks were evaluated.".to_owned();
        }
        if self.passed == total {
            return if total == 1 {
                "The only check passed.".to_owned()
            } else {
                format!("All {} passed.", plural(total as u64, "check", "checks"))
            };
        }
        let head = if self.blocking == 0 {
            "No check blocks this release".to_owned()
        } else {
            format!(
                "{} of {} this release",
                self.blocking,
                plural(
                    total as u64,
                    "check blocks",
                    if self.blocking == 1 {
                        "checks blocks"
                    } else {
                        "checks block"
                    }
                )
            )
        };
        let mut rest = Vec::new();
        if self.attention > 0 {
            let verb = if self.attention == 1 { "needs" } else { "need" };
            rest.push(format!("{} {verb} attention", self.attention));
        }
        if self.waived > 0 {
            let verb = if self.waived == 1 { "is" } else { "are" };
            rest.push(format!("{} {verb} waived", self.waived));
        }
        if self.passed > 0 {
            rest.push(format!("{} passed", self.passed));
        }
        if rest.is_empty() {
            format!("{head}.")
        } else {
            format!("{head}; {}.", rest.join(", "))
        }
    }
}

/// `n thing` or `n things`, with thousands separators.
pub(crate) fn plural(n: u64, one: &str, many: &str) -> String {
    let n_text = crate::measure::grouped(n);
    format!("{n_text} {}", if n == 1 { one } else { many })
}

/// `payments-api 2.4.0 (commit 3f2a9c1)`.
pub(crate) fn release_label(release: &ReleaseInfo) -> String {
    let mut out = if release.name.is_empty() {
        "(unnamed release)".to_owned()
    } else {
        release.name.clone()
    };
    if let Some(v) = release.version.as_deref().filter(|v| !v.is_empty()) {
        out.push(' ');
        out.push_str(v);
    }
    if let Some(c) = release.commit.as_deref().filter(|c| !c.is_empty()) {
        out.push_str(&format!(" (commit {c})"));
    }
    out
}

/// The first 12 hex digits of a SHA-256: enough to tell inputs apart at a glance; the JSON report
/// keeps the full hash.
pub(crate) fn short_sha(sha: &str) -> &str {
    sha.get(..12).unwrap_or(sha)
}

/// `1 — blocked: the policy was evaluated and ...`: what the exit code tells a pipeline.
pub(crate) fn exit_meaning(code: u8) -> String {
    ExitCode::ALL
        .into_iter()
        .find(|c| c.code() == code)
        .map_or_else(
            || "not a shipgate exit code".to_owned(),
            |c| c.meaning().to_owned(),
        )
}

/// The exit line: the code and its meaning, and what a dry run does to it.
pub(crate) fn exit_sentence(report: &Report) -> String {
    let meaning = exit_meaning(report.exit_code);
    if report.dry_run && report.exit_code != 0 {
        format!(
            "0 (dry run; the evaluation's exit code is {}, {meaning})",
            report.exit_code
        )
    } else {
        format!("{} ({meaning})", report.exit_code)
    }
}

/// `1,012 tests in 2 files: 950 passed, 20 failed, 7 errored, 4 skipped, 31 flaky; 1 suite error`.
/// `27 defects: 3 open; 7 production, 20 pre-production, 0 of unknown origin`.
pub(crate) fn defect_totals(d: &shipgate_model::verdict::DefectStats) -> String {
    let n = |v: u64| crate::measure::grouped(v);
    format!(
        "{}: {} open; {} production, {} pre-production, {} of unknown origin",
        plural(d.total, "defect", "defects"),
        n(d.open),
        n(d.production),
        n(d.pre_production),
        n(d.unknown_origin),
    )
}

pub(crate) fn test_totals(tests: &TestStats) -> String {
    let n = |v: u64| crate::measure::grouped(v);
    let mut s = format!(
        "{} in {}: {} passed, {} failed, {} errored, {} skipped, {} flaky",
        plural(tests.total, "test", "tests"),
        plural(tests.files, "file", "files"),
        n(tests.passed),
        n(tests.failed),
        n(tests.errored),
        n(tests.skipped),
        n(tests.flaky),
    );
    if tests.suite_errors > 0 {
        s.push_str(&format!(
            "; {} (a suite that failed to set up or tear down)",
            plural(tests.suite_errors, "suite error", "suite errors")
        ));
    }
    if tests.repeated_tests > 0 {
        s.push_str(&format!(
            "; {} ran in more than one file, {} counted (`repeated_runs: allow`)",
            plural(tests.repeated_tests, "test", "tests"),
            plural(tests.repeated_runs, "repeated run", "repeated runs")
        ));
    }
    s
}

/// What became of a waiver, in words.
pub(crate) fn waiver_state(state: WaiverState) -> &'static str {
    match state {
        WaiverState::Applied => "applied",
        WaiverState::Unused => "unused (its check did not fail)",
        WaiverState::Expired => "expired (waives nothing)",
        WaiverState::Incomplete => "incomplete (waives nothing)",
    }
}

/// `approved by X, expires Y`, saying so when either is missing. Raw text: the caller escapes it.
pub(crate) fn waiver_terms(approved_by: &str, expires: &str) -> String {
    let approved_by = approved_by.trim();
    let expires = expires.trim();
    let who = if approved_by.is_empty() {
        "no approver".to_owned()
    } else {
        format!("approved by {approved_by}")
    };
    let until = if expires.is_empty() {
        "no expiry".to_owned()
    } else {
        format!("expires {expires}")
    };
    format!("{who}, {until}")
}

/// `reason`, or a note that there is none. Raw text: the caller escapes it.
pub(crate) fn waiver_reason(reason: &str) -> &str {
    if reason.trim().is_empty() {
        "no reason given"
    } else {
        reason.trim()
    }
}

/// The evaluation time, UTC, to the second.
pub(crate) fn evaluated_at(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if write!(
        out,
        "{}",
        report.evaluated_at.strftime("%Y-%m-%d %H:%M:%S UTC")
    )
    .is_err()
    {
        out = report.evaluated_at.to_string();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, CheckBuilder};

    /// Under `repeated_runs: allow` the totals say how many tests ran more than once.
    #[test]
    fn test_totals_note_repeated_runs() {
        let mut tests = TestStats {
            total: 45,
            passed: 45,
            files: 2,
            ..TestStats::default()
        };
        assert!(!test_totals(&tests).contains("more than one file"));
        tests.repeated_tests = 5;
        tests.repeated_runs = 5;
        assert_eq!(
            test_totals(&tests),
            "45 tests in 2 files: 45 passed, 0 failed, 0 errored, 0 skipped, 0 flaky; 5 tests ran in more than one file, 5 repeated runs counted (`repeated_runs: allow`)"
        );
    }

    #[test]
    fn blocking_checks_come_first_then_problems_then_waived_then_passes() {
        let mut report = fixtures::ready();
        report.checks = vec![
            CheckBuilder::pass("a").build(),
            CheckBuilder::waived("b").build(),
            CheckBuilder::warn("c").build(),
            CheckBuilder::fail("d").build(),
            CheckBuilder::pass("e").build(),
            CheckBuilder::missing("f").blocking(false).build(),
            CheckBuilder::missing("g").build(),
        ];
        let ids: Vec<&str> = ordered(&report).iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["d", "g", "c", "f", "b", "a", "e"]);
        assert_eq!(
            Tally::of(&report),
            Tally {
                blocking: 2,
                attention: 2,
                waived: 1,
                passed: 2
            }
        );
    }

    #[test]
    fn the_tally_reads_as_a_sentence() {
        let t = |blocking, attention, waived, passed| Tally {
            blocking,
            attention,
            waived,
            passed,
        };
        assert_eq!(
            t(2, 1, 1, 4).sentence(),
            "2 of 8 checks block this release; 1 needs attention, 1 is waived, 4 passed."
        );
        assert_eq!(
            t(1, 0, 0, 3).sentence(),
            "1 of 4 checks blocks this release; 3 passed."
        );
        assert_eq!(
            t(1, 0, 0, 0).sentence(),
            "1 of 1 check blocks this release."
        );
        assert_eq!(t(0, 0, 0, 5).sentence(), "All 5 checks passed.");
        assert_eq!(t(0, 0, 0, 1).sentence(), "The only check passed.");
        assert_eq!(
            t(0, 2, 2, 0).sentence(),
            "No check blocks this release; 2 need attention, 2 are waived."
        );
        assert_eq!(t(0, 0, 0, 0).sentence(), "No checks were evaluated.");
    }

    #[test]
    fn exit_codes_are_explained() {
        assert!(exit_meaning(1).starts_with("blocked"));
        assert_eq!(exit_meaning(9), "not a shipgate exit code");
        let mut report = fixtures::blocked();
        report.dry_run = true;
        assert!(
            exit_sentence(&report)
                .starts_with("0 (dry run; the evaluation's exit code is 1, blocked")
        );
    }

    #[test]
    fn release_labels() {
        let r = ReleaseInfo {
            name: "api".into(),
            version: Some("1.0".into()),
            commit: None,
        };
        assert_eq!(release_label(&r), "api 1.0");
        assert_eq!(short_sha("abc"), "abc");
        assert_eq!(short_sha("0123456789abcdef"), "0123456789ab");
    }
}
