//! The release history and the backtest report: which recorded releases a policy would have
//! stopped, joined with the production defects each release later leaked.
//!
//! Pure data, as `shipgate backtest --format json` writes it. The field names are a public
//! contract (`schema_version` [`BACKTEST_SCHEMA_VERSION`]); `shipgate-history` fills it in and
//! `shipgate-report` renders it.

use crate::report::{PolicyInfo, Tool};
use crate::verdict::{CheckStatus, Decision};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The version of the backtest report's shape. Bumped only on a breaking change.
pub const BACKTEST_SCHEMA_VERSION: u32 = 1;

/// One release record of the history, as `shipgate history` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecordEntry {
    /// The report folder holding the record (`evidence/manifest.json` inside it), as found.
    pub record: String,
    /// The release version the record names; `None` when it names none (then it is unusable).
    pub version: Option<String>,
    /// The release commit, when the record names one.
    pub commit: Option<String>,
    /// The product (`release.name`), when the record could be read.
    pub product: Option<String>,
    /// When the recorded decision was made.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::instant::strict::option"
    )]
    pub recorded_at: Option<Timestamp>,
    /// The decision the record holds, when it could be read.
    pub recorded_decision: Option<Decision>,
    /// Whether the record verified: every stored byte matches its manifest, and a replay under
    /// its own policy reproduces its decision.
    pub verified: bool,
    /// Why it cannot be used, when it cannot (empty when it verified).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<String>,
}

/// What the backtest says of one release under the new policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BacktestDecision {
    /// Every check of the new policy passed (or was waived) on the recorded evidence.
    Ready,
    /// The new policy blocks on the recorded evidence.
    Blocked,
    /// Evidence the new policy needs is not in the record, and nothing the record holds blocks:
    /// the backtest cannot tell. Never counted as ready.
    Missing,
    /// The record could not be used (failed verification, another product, no version, a
    /// version recorded twice). Never counted as ready.
    Unusable,
}

impl BacktestDecision {
    /// The lowercase word used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            BacktestDecision::Ready => "ready",
            BacktestDecision::Blocked => "blocked",
            BacktestDecision::Missing => "missing",
            BacktestDecision::Unusable => "unusable",
        }
    }
}

/// A check whose result differs between the recorded decision and the new policy's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangedCheck {
    /// The check id.
    pub id: String,
    /// Its status in the record; `None` when the recorded policy did not run it.
    pub recorded: Option<CheckStatus>,
    /// Its status under the new policy; `None` when the new policy does not run it.
    pub now: Option<CheckStatus>,
    /// Whether it blocks under the new policy.
    pub blocking: bool,
    /// What the new policy's check found (or, for a check it no longer runs, the record's).
    pub message: String,
}

/// One production defect a release leaked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeakedDefect {
    /// The defect's key (`PAY-123`).
    pub key: String,
    /// Its title.
    pub title: String,
    /// Its normalised severity (`critical`, ...).
    pub severity: String,
}

/// One release of the backtest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestRelease {
    /// The report folder holding the record.
    pub record: String,
    /// The release version the record names.
    pub version: Option<String>,
    /// The release commit, when the record names one.
    pub commit: Option<String>,
    /// When the recorded decision was made.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::instant::strict::option"
    )]
    pub recorded_at: Option<Timestamp>,
    /// The decision the record holds; `None` when the record could not be read.
    pub recorded_decision: Option<Decision>,
    /// The decision under the new policy.
    pub decision: BacktestDecision,
    /// The ids of the checks whose result changed (see `checks`).
    pub changed_checks: Vec<String>,
    /// The checks whose result changed, with what the new policy found.
    pub checks: Vec<ChangedCheck>,
    /// The ids of the checks that block under the new policy.
    pub blocking_checks: Vec<String>,
    /// Evidence the new policy needs that the record does not hold, one sentence each.
    pub missing: Vec<String>,
    /// Why the record is unusable, when it is.
    pub problems: Vec<String>,
    /// The keys of the production defects that name this release as the one they were
    /// introduced in.
    pub production_defects_introduced: Vec<String>,
    /// Those defects, with title and severity.
    pub defects: Vec<LeakedDefect>,
}

impl BacktestRelease {
    /// Whether a production defect names this release.
    pub fn leaked(&self) -> bool {
        !self.production_defects_introduced.is_empty()
    }
}

/// A production defect that names a release the history has no usable record of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UnmatchedDefect {
    /// The defect's key.
    pub key: String,
    /// The releases it names (`introduced_in`).
    pub introduced_in: Vec<String>,
    /// Why it could not be joined.
    pub reason: String,
}

/// The four buckets of the backtest, and what falls in none of them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BacktestSummary {
    /// Releases that leaked and the new policy would have blocked (caught).
    pub blocked_and_leaked: u64,
    /// Releases that leaked and the new policy would still have let through (misses).
    pub ready_and_leaked: u64,
    /// Releases the new policy would have blocked though they leaked nothing (false alarms).
    pub blocked_and_clean: u64,
    /// Releases the new policy lets through that leaked nothing.
    pub ready_and_clean: u64,
    /// Releases whose record lacks evidence the new policy needs: in no bucket above.
    pub missing: u64,
    /// Records that could not be used: in no bucket above.
    pub unusable: u64,
    /// Production defects that name a release the history has no usable record of.
    pub defects_without_record: u64,
    /// Production defects that name no release at all (no `introduced_in`): they cannot be
    /// joined, so a release may look cleaner than it was.
    pub defects_naming_no_release: u64,
}

/// The backtest of a policy over a history of release records.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    /// Always [`BACKTEST_SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The tool that ran the backtest.
    pub tool: Tool,
    /// The policy the releases were replayed under.
    pub policy: PolicyInfo,
    /// The product the policy gates (`release.name`).
    pub product: String,
    /// Where the production defects came from (a tracker's URL or a file).
    pub defects_source: String,
    /// Every record, oldest first (by the recorded time, then version).
    pub releases: Vec<BacktestRelease>,
    /// Production defects that could not be joined with a usable record.
    pub unmatched_defects: Vec<UnmatchedDefect>,
    /// The counts.
    pub summary: BacktestSummary,
}

impl BacktestReport {
    /// Whether every record was usable and every defect that names a release was joined: the
    /// answer covers the whole history.
    pub fn is_complete(&self) -> bool {
        self.summary.unusable == 0 && self.summary.defects_without_record == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisions_serialise_as_lowercase_words() {
        for d in [
            BacktestDecision::Ready,
            BacktestDecision::Blocked,
            BacktestDecision::Missing,
            BacktestDecision::Unusable,
        ] {
            assert_eq!(
                serde_json::to_string(&d).unwrap(),
                format!("\"{}\"", d.as_str())
            );
        }
    }
}
