//! Pure data shared by every shipgate crate.
//!
//! This crate holds the vocabulary of the gate: the evidence adapters produce ([`tests`],
//! [`defects`], [`perf`], [`history`], [`quarantine`], [`uat`], [`approvals`], [`evidence`]),
//! the findings the policy engine produces ([`verdict`]), the JSON report that is the release's
//! audit record ([`report`]), the test-name patterns of critical paths ([`pattern`]), the one
//! reader of dates and times every other crate uses ([`instant`]), the public exit-code table
//! ([`exit`]) and why a value was refused ([`error`]).
//!
//! It is also the one home of the words the crates share, each defined once with its serde name
//! (and JSON Schema, for the policy's schema): the kinds of defect tracker and what each needs
//! ([`TrackerKind`], [`trackers`]), the load-test formats ([`PerfFormat`]), retry modes
//! ([`RetryMode`]), check levels ([`Level`]) and what missing evidence does ([`OnMissing`]),
//! metric directions ([`Direction`]) and units ([`PerfUnit`]), and the evidence sources
//! ([`SourceId`]). No other crate keeps a copy of these to map by hand.
//!
//! It must not do any IO, read the clock or the environment, or know how any evidence format is
//! parsed. Everything here is plain data with serde derives and small pure helpers, so that every
//! other crate can depend on it without pulling anything else in.

pub mod approvals;
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
pub mod trackers;
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
pub use evidence::{EvidenceProblem, EvidenceSet, InputRecord, SourceId, SourceState};
pub use exit::ExitCode;
pub use history::{
    CommitSource, FlakyReason, FlakySummary, FlakyTest, HistoryRun, HistoryTest, LastFailure,
    RunHistory,
};
pub use instant::{Expiry, Instant, Written, Zone};
pub use pattern::TestPattern;
pub use perf::{
    Direction, NamingConventions, PerfEvidence, PerfFormat, PerfMetric, PerfProvenance, PerfRuns,
    PerfUnit, RunThresholds, SampleRef, SampleStat,
};
pub use provenance::{Provenance, ProvenanceItem, commits_match};
pub use quarantine::{Quarantine, QuarantineEntry};
pub use report::Report;
pub use tests::{
    RetryMode, SuiteError, SuiteErrorKind, TestCounts, TestEvidence, TestFile, TestOutcome,
    TestRecord, TestRetention,
};
pub use trackers::{
    DefectSourceSettings, NotDefectRule, OriginMap, SeverityMap, TrackerKind, TrackerSpec,
};
pub use uat::{SignatureMeaning, Signoff, UatDecision, UatEvidence, UatSignature};
pub use verdict::{CheckResult, CheckStatus, Decision, Level, OnMissing, Verdict};
