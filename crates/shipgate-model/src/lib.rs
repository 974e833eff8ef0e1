//! Pure data shared by every shipgate crate.
//!
//! This crate holds the vocabulary of the gate: the evidence adapters produce ([`tests`],
//! [`defects`], [`perf`], [`history`], [`quarantine`], [`uat`], [`approvals`], [`evidence`]),
//! the findings the policy engine produces ([`verdict`]), the JSON report that is the release's
//! audit record ([`report`]), the test-name patterns of critical paths ([`pattern`]), the one
//! reader of dates and times every other crate uses ([`instant`]), the public exit-code table
//! ([`exit`]) and why a value was refused ([`error`]).
//!
//! It must not do any IO, read the clock or the environment, or know how any evidence format is
//! parsed. Everything here is plain data with serde derives and small pure helpers, so that every
//! other crate can depend on it without pulling anything else in.

pub mod approvals;
pub mod backtest;
pub mod defects;
pub mod error;
pub mod evidence;
pub mod exit;
pub mod history;
pub mod instant;
pub mod pattern;
pub mod perf;
pub mod provenance;
pub mod quarantine;
pub mod report;
pub mod tests;
pub mod uat;
pub mod verdict;

pub use approvals::{
    DeploymentApprovals, DeploymentReview, MembershipState, ReviewState, TeamMembership,
    WorkflowRun,
};
pub use defects::{
    Defect, DefectEvidence, DefectLink, DefectStatus, LeakageReport, LeakageRow, NotADefect,
    NotADefectBy, Origin, Severity,
};
pub use error::ModelError;
pub use evidence::{EvidenceProblem, EvidenceSet, InputRecord, SourceState};
pub use exit::ExitCode;
pub use history::{
    CommitSource, FlakyReason, FlakySummary, FlakyTest, HistoryRun, HistoryTest, LastFailure,
    RunHistory,
};
pub use instant::{Expiry, Instant, Written, Zone};
pub use pattern::{TestPattern, qualified_name};
pub use perf::{
    Direction, PerfEvidence, PerfMetric, PerfProvenance, PerfRuns, PerfTool, PerfUnit,
    RunThresholds, SampleRef, SampleStat,
};
pub use provenance::{Provenance, ProvenanceItem, commits_match};
pub use quarantine::{Quarantine, QuarantineEntry};
pub use report::Report;
pub use tests::{
    RepeatedGroup, RepeatedTests, SuiteError, SuiteErrorKind, TestCounts, TestEvidence, TestFile,
    TestOutcome, TestRecord, TestRetention,
};
pub use uat::{SignatureMeaning, Signoff, UatDecision, UatEvidence, UatSignature};
pub use verdict::{CheckResult, CheckStatus, Decision, Level, Verdict};
