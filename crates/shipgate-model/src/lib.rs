//! Pure data shared by every shipgate crate.
//!
//! This crate holds the vocabulary of the gate: the evidence adapters produce ([`test_evidence`],
//! [`defects`], [`perf`], [`history`], [`quarantine`], [`uat`], [`approvals`], [`evidence`]),
//! the findings the policy engine produces ([`verdict`]), the JSON report that is the release's
//! audit record ([`report`]), the test-name patterns of critical paths ([`pattern`]), the complexity and churn evidence
//! of risk areas ([`risk`]), the one
//! reader of dates and times every other crate uses ([`instant`]), the one SHA-256 of every
//! input's provenance ([`digest`]), the public exit-code table
//! ([`exit`]) and why a value was refused ([`error`]).
//!
//! It is also the one home of the words the crates share, each defined once with its serde name
//! (and JSON Schema, for the policy's schema): the kinds of defect tracker and what each needs
//! ([`TrackerKind`], [`trackers`]), the load-test formats ([`PerfFormat`]), retry modes
//! ([`RetryMode`]), check levels ([`Level`]) and what missing evidence does ([`OnMissing`]),
//! metric directions ([`Direction`]) and units ([`PerfUnit`], and [`CheckUnit`] for a check's
//! numbers), and the evidence sources
//! ([`SourceId`]). No other crate keeps a copy of these to map by hand.
//!
//! It must not do any IO, read the clock or the environment, or know how any evidence format is
//! parsed. Everything here is plain data with serde derives and small pure helpers, so that every
//! other crate can depend on it without pulling anything else in.
//!
//! # Example
//!
//! ```
//! use shipgate_model::{ExitCode, Instant};
//!
//! // An instant says which instant it is: `Z`, an offset or a zone.
//! let cutoff = Instant::parse("2026-11-24T10:00:00Z")?;
//! assert_eq!(Instant::parse("2026-11-24T11:00:00+01:00")?, cutoff);
//! // Without one it would be a different instant on every runner's clock: refused.
//! assert!(Instant::parse("2026-11-24T10:00:00").is_err());
//! assert!(Instant::parse("2026-11-24").is_err());
//!
//! // The exit codes are a public contract.
//! assert_eq!((ExitCode::Ready.code(), ExitCode::Blocked.code()), (0, 1));
//! # Ok::<(), shipgate_model::ModelError>(())
//! ```

pub mod approvals;
pub mod backtest;
pub mod defects;
pub mod digest;
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
pub mod risk;
pub mod test_evidence;
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
pub use digest::{HashingReader, sha256_hex};
pub use error::ModelError;
pub use evidence::{EvidenceProblem, EvidenceSet, InputRecord, PerfRuns, SourceId, SourceState};
pub use exit::ExitCode;
pub use history::{
    CommitSource, FlakyReason, FlakySummary, FlakyTest, HistoryRun, HistoryTest, LastFailure,
    RunHistory,
};
pub use instant::{Expiry, Instant, Written, Zone};
pub use pattern::{TestPattern, qualified_name};
pub use perf::{
    Direction, NamingConventions, PerfBaseline, PerfCurrent, PerfEvidence, PerfFormat, PerfMetric,
    PerfProvenance, PerfUnit, RequestBasis, Requests, RunThresholds, SampleRef, SampleStat,
};
pub use provenance::{Provenance, ProvenanceItem, commits_match};
pub use quarantine::{Quarantine, QuarantineEntry};
pub use report::Report;
pub use risk::{
    ChurnCommit, ChurnEvidence, ComplexityEvidence, ComplexityTool, FileChange, FunctionComplexity,
};
pub use test_evidence::{
    RepeatedGroup, RepeatedTests, RetryMode, SuiteError, SuiteErrorKind, TestCounts, TestEvidence,
    TestFile, TestOutcome, TestRecord, TestRetention,
};
pub use trackers::{
    DefectSourceSettings, NotDefectRule, OriginMap, SeverityMap, TrackerKind, TrackerSpec,
};
pub use uat::{SignatureMeaning, Signoff, UatDecision, UatEvidence, UatSignature};
pub use verdict::{CheckResult, CheckStatus, CheckUnit, Decision, Level, OnMissing, Verdict};

#[cfg(test)]
mod vocabulary_tests {
    //! The shared words are public contracts: their names in a policy and in the JSON report, and
    //! the defaults that make a check block. A changed default (`level: warn`, `on_missing: warn`)
    //! would let every check that names none stop blocking.

    use super::*;
    use serde::Serialize;
    use serde::de::DeserializeOwned;

    fn name<T: Serialize>(value: T) -> String {
        serde_json::to_value(value)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    fn read<T: DeserializeOwned>(name: &str) -> Option<T> {
        shipgate_json::parse_form(format!("\"{name}\"").as_bytes()).ok()
    }

    #[test]
    fn defaults_block() {
        assert_eq!(Level::default(), Level::Error);
        assert_eq!(OnMissing::default(), OnMissing::Fail);
        assert_eq!(RetryMode::default(), RetryMode::PerTestcase);
        assert_eq!(PerfFormat::default(), PerfFormat::Auto);
    }

    #[test]
    fn names_are_the_policy_and_report_spelling_and_nothing_else_reads() {
        for (level, n) in [(Level::Error, "error"), (Level::Warn, "warn")] {
            assert_eq!(name(level), n);
            assert_eq!(read::<Level>(n), Some(level));
        }
        for (on_missing, n) in [(OnMissing::Fail, "fail"), (OnMissing::Warn, "warn")] {
            assert_eq!(name(on_missing), n);
            assert_eq!(read::<OnMissing>(n), Some(on_missing));
        }
        for mode in RetryMode::ALL {
            assert_eq!(name(mode), mode.as_str());
            assert_eq!(read::<RetryMode>(mode.as_str()), Some(mode));
        }
        for format in PerfFormat::ALL {
            assert_eq!(name(format), format.as_str());
            assert_eq!(read::<PerfFormat>(format.as_str()), Some(format));
            assert_eq!(format.as_str().parse::<PerfFormat>(), Ok(format));
        }
        for kind in TrackerKind::ALL {
            assert_eq!(read::<TrackerKind>(kind.as_str()), Some(kind));
        }
        for source in SourceId::ALL {
            assert_eq!(name(source), source.as_str());
        }
        assert_eq!(
            SourceId::ALL.map(SourceId::as_str),
            [
                "tests",
                "history",
                "quarantine",
                "defects",
                "performance",
                "performance-baseline",
                "uat",
                "uat-approvals"
            ]
        );
        for (unit, n) in [
            (CheckUnit::Ratio, "ratio"),
            (CheckUnit::Count, "count"),
            (CheckUnit::Seconds, "seconds"),
            (CheckUnit::Roles, "roles"),
            (CheckUnit::Plain, ""),
            (CheckUnit::Metric(PerfUnit::PerSecond), "/s"),
            (CheckUnit::Metric(PerfUnit::Other("MB".into())), "MB"),
        ] {
            assert_eq!(name(unit.clone()), n);
            assert_eq!(read::<CheckUnit>(n), Some(unit));
        }
        // A latency is reported in seconds, never as milliseconds read as seconds.
        assert_eq!(
            CheckUnit::of_metric(&PerfUnit::Milliseconds),
            (CheckUnit::Seconds, 0.001)
        );
        assert_eq!(
            CheckUnit::of_metric(&PerfUnit::Number),
            (CheckUnit::Plain, 1.0)
        );
        // Near misses are refused, never read as the nearest word.
        assert_eq!(read::<Level>("Warn"), None);
        assert_eq!(read::<Level>("warning"), None);
        assert_eq!(read::<OnMissing>("skip"), None);
        assert_eq!(read::<RetryMode>("repeated"), None);
        assert_eq!(read::<TrackerKind>("jira_dc"), None);
        assert_eq!(read::<PerfFormat>("K6"), None);
        assert_eq!(read::<Direction>("lower-is-better"), None);
        assert!("jtl".parse::<PerfFormat>().is_err());
    }
}
