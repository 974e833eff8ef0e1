//! Findings: one [`CheckResult`] per check and the [`Verdict`] over all of them.
//!
//! A failing check is data, never an error: `Err` elsewhere means the gate could not decide.

use crate::exit::ExitCode;
use crate::perf::PerfUnit;
use crate::test_evidence::TestCounts;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The gate's answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// Every error-level check passed or was waived.
    Ready,
    /// At least one check blocks.
    Blocked,
}

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    /// Measured and within the threshold.
    Pass,
    /// Measured and outside the threshold, at level `error`.
    Fail,
    /// Measured and outside the threshold, at level `warn`: reported, never blocks.
    Warn,
    /// Outside the threshold, but a valid waiver accepts the risk.
    Waived,
    /// The evidence it needs is absent.
    Missing,
    /// The evidence it needs could not be read or fetched.
    Error,
}

impl CheckStatus {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "fail",
            CheckStatus::Warn => "warn",
            CheckStatus::Waived => "waived",
            CheckStatus::Missing => "missing",
            CheckStatus::Error => "error",
        }
    }
}

/// Whether a failing check blocks or only reports: the policy's `level` and the report's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// A failure blocks the release (default).
    #[default]
    Error,
    /// A failure is reported and does not block.
    Warn,
}

/// What to do when a check's evidence is absent or unreadable: the policy's `on_missing`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnMissing {
    /// Block (default): evidence that is not there proves nothing.
    #[default]
    Fail,
    /// Report and do not block.
    Warn,
}

/// How to read a check's `observed` and `threshold`: the report's `unit`. A public contract of the
/// JSON report, written as `ratio`, `count`, `seconds`, `roles`, `` (a plain number) or a metric's
/// own unit (`/s`, `bytes`, ...).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CheckUnit {
    /// A fraction between 0 and 1, shown as a percentage (`ratio`).
    Ratio,
    /// A number of things, shown with thousands separators (`count`).
    Count,
    /// A duration in seconds, shown as one (`seconds`).
    Seconds,
    /// A number of sign-off roles (`roles`).
    Roles,
    /// A plain number (written empty: a metric whose tool gave no unit).
    Plain,
    /// A metric's own unit that none of the above is (`/s`, `bytes`, `bytes/s`, `MB`).
    Metric(PerfUnit),
}

impl CheckUnit {
    /// The unit a performance check reports a metric in, and the factor its values are scaled
    /// by: milliseconds are reported as seconds, a unitless number as a plain one.
    pub fn of_metric(unit: &PerfUnit) -> (CheckUnit, f64) {
        match unit {
            PerfUnit::Milliseconds => (CheckUnit::Seconds, 0.001),
            PerfUnit::Number => (CheckUnit::Plain, 1.0),
            PerfUnit::Ratio => (CheckUnit::Ratio, 1.0),
            PerfUnit::Count => (CheckUnit::Count, 1.0),
            other => (CheckUnit::Metric(other.clone()), 1.0),
        }
    }

    /// The spelling in the report.
    pub fn as_str(&self) -> &str {
        match self {
            CheckUnit::Ratio => "ratio",
            CheckUnit::Count => "count",
            CheckUnit::Seconds => "seconds",
            CheckUnit::Roles => "roles",
            CheckUnit::Plain => "",
            CheckUnit::Metric(unit) => unit.as_str(),
        }
    }

    /// Reads a spelling back (a report read again, a release record replayed).
    pub fn from_report(s: &str) -> Self {
        match s.trim() {
            "ratio" => CheckUnit::Ratio,
            "count" => CheckUnit::Count,
            "seconds" => CheckUnit::Seconds,
            "roles" => CheckUnit::Roles,
            "" => CheckUnit::Plain,
            other => CheckUnit::Metric(PerfUnit::from_canonical(other)),
        }
    }
}

impl Serialize for CheckUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CheckUnit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(CheckUnit::from_report(&s))
    }
}

/// The waiver that turned a failing check into `waived`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppliedWaiver {
    /// Why the risk is accepted.
    pub reason: String,
    /// Who accepted it.
    pub approved_by: String,
    /// The last day the waiver holds (`YYYY-MM-DD`) or the instant it ends.
    pub expires: String,
}

/// The result of one check: what it measured, against what, and what to do about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable check id (`regression.pass-rate`, `performance.http_req_duration.p95`, ...).
    pub id: String,
    /// How it came out.
    pub status: CheckStatus,
    /// The configured level.
    pub level: Level,
    /// Whether this result blocks the release. True exactly when the status is `fail`, or is
    /// `missing`/`error` on an error-level check whose `on_missing` is `fail`.
    pub blocking: bool,
    /// What was measured (a number, or an object for per-key measures); `null` when nothing could
    /// be measured.
    pub observed: Value,
    /// The limit it was compared with; `null` when the check has no numeric limit.
    pub threshold: Value,
    /// How to read `observed` and `threshold`: `ratio` (0-1, shown as a percentage), `count`,
    /// `seconds`, or a metric's own unit.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub unit: Option<CheckUnit>,
    /// One or two sentences that say what was found.
    pub message: String,
    /// What would make the check pass; absent when it passes.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub remedy: Option<String>,
    /// Check-specific detail: the failing tests, the blocking defects, ...
    pub details: Map<String, Value>,
    /// The waiver applied, when the status is `waived`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub waiver: Option<AppliedWaiver>,
}

impl CheckResult {
    /// Whether the result reports a problem, blocking or not.
    pub fn is_problem(&self) -> bool {
        self.status != CheckStatus::Pass
    }
}

/// Totals of the test evidence, for the report's `stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestStats {
    /// Every testcase.
    pub total: u64,
    /// Passed on the first attempt.
    pub passed: u64,
    /// Failed.
    pub failed: u64,
    /// Errored.
    pub errored: u64,
    /// Skipped, disabled or not run.
    pub skipped: u64,
    /// Passed on a rerun.
    pub flaky: u64,
    /// Suites that failed to set up or tear down.
    pub suite_errors: u64,
    /// JUnit files read.
    pub files: u64,
    /// Tests that ran in more than one file and were all counted (`repeated_runs: allow`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repeated_tests: u64,
    /// The repeated runs of those tests counted in `total` (for each, its files less one).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub repeated_runs: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl TestStats {
    /// Stats of test evidence: its totals, suite errors, files, and the repeated runs counted.
    pub fn of(evidence: &crate::TestEvidence) -> Self {
        Self {
            repeated_tests: evidence.repeated.identities,
            repeated_runs: evidence.repeated.repeats,
            ..Self::new(
                &evidence.totals,
                evidence.suite_errors.len() as u64,
                evidence.files.len() as u64,
            )
        }
    }

    /// Stats from counts plus the suite errors and file count.
    pub fn new(counts: &TestCounts, suite_errors: u64, files: u64) -> Self {
        Self {
            total: counts.tests,
            passed: counts.passed,
            failed: counts.failed,
            errored: counts.errored,
            skipped: counts.skipped,
            flaky: counts.flaky,
            suite_errors,
            files,
            repeated_tests: 0,
            repeated_runs: 0,
        }
    }
}

/// Totals of the defect evidence, for the report's `stats`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefectStats {
    /// Every defect the source returned.
    pub total: u64,
    /// Defects still open.
    pub open: u64,
    /// Defects found in production.
    pub production: u64,
    /// Defects found before production.
    pub pre_production: u64,
    /// Defects whose origin is unknown.
    pub unknown_origin: u64,
}

/// Totals of the evidence that was read.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Stats {
    /// Test totals, when test results were read.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub tests: Option<TestStats>,
    /// Defect totals, when defects were read.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub defects: Option<DefectStats>,
}

/// What became of one waiver in this evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaiverState {
    /// It turned a failing check into `waived`.
    Applied,
    /// Valid, but its check did not fail: it waived nothing.
    Unused,
    /// Past its expiry date: it waives nothing.
    Expired,
    /// Lacks a reason, an approver or an expiry: it waives nothing.
    Incomplete,
}

/// One waiver of the policy, as evaluated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaiverRecord {
    /// The check id it names.
    pub check: String,
    /// Why the risk is accepted (empty when missing).
    pub reason: String,
    /// Who accepted it (empty when missing).
    pub approved_by: String,
    /// As written (empty when missing).
    pub expires: String,
    /// What became of it.
    pub state: WaiverState,
}

/// The outcome of evaluating a policy against an evidence set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// Ready or blocked.
    pub decision: Decision,
    /// Every check, in the stable order of the check catalogue.
    pub checks: Vec<CheckResult>,
    /// Totals of the evidence.
    pub stats: Stats,
    /// Every waiver of the policy and what became of it.
    pub waivers: Vec<WaiverRecord>,
}

impl Verdict {
    /// Builds a verdict; the decision follows from the checks.
    pub fn new(checks: Vec<CheckResult>, stats: Stats, waivers: Vec<WaiverRecord>) -> Self {
        let decision = if checks.iter().any(|c| c.blocking) {
            Decision::Blocked
        } else {
            Decision::Ready
        };
        Self {
            decision,
            checks,
            stats,
            waivers,
        }
    }

    /// The exit code this verdict calls for: 0 ready; 4 when a blocking check could not read its
    /// evidence (the gate itself needs attention); 1 otherwise.
    pub fn exit_code(&self) -> ExitCode {
        match self.decision {
            Decision::Ready => ExitCode::Ready,
            Decision::Blocked => {
                if self
                    .checks
                    .iter()
                    .any(|c| c.blocking && c.status == CheckStatus::Error)
                {
                    ExitCode::EvidenceError
                } else {
                    ExitCode::Blocked
                }
            }
        }
    }

    /// The checks that block, in order.
    pub fn blocking(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.blocking)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(status: CheckStatus, blocking: bool) -> CheckResult {
        CheckResult {
            id: "x".into(),
            status,
            level: Level::Error,
            blocking,
            observed: Value::Null,
            threshold: Value::Null,
            unit: None,
            message: String::new(),
            remedy: None,
            details: Map::new(),
            waiver: None,
        }
    }

    #[test]
    fn any_blocking_check_blocks() {
        let v = Verdict::new(
            vec![
                check(CheckStatus::Pass, false),
                check(CheckStatus::Fail, true),
            ],
            Stats::default(),
            vec![],
        );
        assert_eq!(v.decision, Decision::Blocked);
        assert_eq!(v.exit_code(), ExitCode::Blocked);
    }

    #[test]
    fn unreadable_evidence_is_exit_4() {
        let v = Verdict::new(
            vec![
                check(CheckStatus::Fail, true),
                check(CheckStatus::Error, true),
            ],
            Stats::default(),
            vec![],
        );
        assert_eq!(v.exit_code(), ExitCode::EvidenceError);
    }

    #[test]
    fn warnings_and_waivers_do_not_block() {
        let v = Verdict::new(
            vec![
                check(CheckStatus::Warn, false),
                check(CheckStatus::Waived, false),
                check(CheckStatus::Missing, false),
            ],
            Stats::default(),
            vec![],
        );
        assert_eq!(v.decision, Decision::Ready);
        assert_eq!(v.exit_code(), ExitCode::Ready);
    }
}
