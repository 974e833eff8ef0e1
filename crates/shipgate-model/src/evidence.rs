//! The evidence set handed to the policy engine, and the provenance of every input.

use crate::approvals::DeploymentApprovals;
use crate::defects::DefectEvidence;
use crate::history::RunHistory;
use crate::perf::{PerfBaseline, PerfCurrent};
use crate::quarantine::Quarantine;
use crate::risk::{ChurnEvidence, ComplexityEvidence};
use crate::test_evidence::TestEvidence;
use crate::uat::UatEvidence;
use serde::{Deserialize, Serialize};

/// The sources of evidence, by the name the report's `inputs[].source` and evidence problems
/// give them. Names are a public contract of the JSON report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceId {
    /// JUnit test results (`sources.tests.junit`).
    Tests,
    /// Earlier runs' test results (`sources.tests.history`).
    History,
    /// Known-flaky tests (`sources.tests.quarantine`).
    Quarantine,
    /// The defect tracker or its export (`sources.defects`).
    Defects,
    /// The current load-test run (`sources.performance.current`).
    Performance,
    /// The baseline it is compared with (`sources.performance.baseline`).
    PerformanceBaseline,
    /// The UAT sign-off (`sources.uat.signoff`).
    Uat,
    /// GitHub deployment approvals (`sources.uat.github_approvals`).
    UatApprovals,
}

impl SourceId {
    /// Every source, in the order the evaluator loads them.
    pub const ALL: [SourceId; 8] = [
        SourceId::Tests,
        SourceId::History,
        SourceId::Quarantine,
        SourceId::Defects,
        SourceId::Performance,
        SourceId::PerformanceBaseline,
        SourceId::Uat,
        SourceId::UatApprovals,
    ];

    /// The name in the report (`performance-baseline`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SourceId::Tests => "tests",
            SourceId::History => "history",
            SourceId::Quarantine => "quarantine",
            SourceId::Defects => "defects",
            SourceId::Performance => "performance",
            SourceId::PerformanceBaseline => "performance-baseline",
            SourceId::Uat => "uat",
            SourceId::UatApprovals => "uat-approvals",
        }
    }
}

impl std::fmt::Display for SourceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem with a source of evidence: what was wrong, where, and what to do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceProblem {
    /// The source (`tests`, `defects`, ...).
    pub source: String,
    /// The file, glob or URL concerned, when there is one.
    pub location: Option<String>,
    /// What went wrong, as a sentence fragment that names the file and position.
    pub message: String,
    /// What the user can do about it.
    pub remedy: String,
}

impl EvidenceProblem {
    /// `location: message` or just `message`.
    pub fn describe(&self) -> String {
        match &self.location {
            Some(loc) if !self.message.contains(loc.as_str()) => format!("{loc}: {}", self.message),
            _ => self.message.clone(),
        }
    }
}

/// The state of one source of evidence after the evaluator tried to load it.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum SourceState<T> {
    /// The policy configures no such source.
    #[default]
    NotConfigured,
    /// The source is configured but there is nothing there (a glob that matched no file, a file
    /// that does not exist).
    Missing(EvidenceProblem),
    /// The source exists but could not be read, parsed or fetched. Every problem found is listed.
    Unreadable(Vec<EvidenceProblem>),
    /// The evidence, read.
    Loaded(T),
}

impl<T> SourceState<T> {
    /// The evidence when loaded.
    pub fn loaded(&self) -> Option<&T> {
        match self {
            SourceState::Loaded(t) => Some(t),
            _ => None,
        }
    }
}

/// Provenance of one input: enough to prove later which exact bytes the decision was made on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputRecord {
    /// The source the input belongs to (`tests`, `defects`, ...).
    pub source: String,
    /// The path (relative to the policy's folder where possible) or URL.
    pub path: String,
    /// Hex SHA-256 of the bytes read.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// Everything the evaluator loaded for one evaluation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvidenceSet {
    /// JUnit test results of this run.
    pub tests: SourceState<TestEvidence>,
    /// The UAT sign-off record.
    pub uat: SourceState<UatEvidence>,
    /// The GitHub deployment approvals of the workflow run (the second UAT source).
    pub uat_approvals: SourceState<DeploymentApprovals>,
    /// Defects from the tracker or an export.
    pub defects: SourceState<DefectEvidence>,
    /// Load-test results of this run and the baseline they are compared with.
    pub performance: PerfRuns,
    /// Earlier runs' results, with this run's folded in last (`sources.tests.history`).
    pub history: SourceState<RunHistory>,
    /// Known-flaky tests (`sources.tests.quarantine`).
    pub quarantine: SourceState<Quarantine>,
    /// Code complexity reports (`sources.complexity`), for risk areas.
    pub complexity: SourceState<ComplexityEvidence>,
    /// The repository's change history over the churn window (`sources.churn`), for risk areas.
    pub churn: SourceState<ChurnEvidence>,
    /// Every input read, with its hash.
    pub inputs: Vec<InputRecord>,
}

/// The performance evidence of one evaluation: the current run and the baseline it is compared
/// with. Each is loaded (or found missing) on its own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PerfRuns {
    /// The run being released, or several runs of it (`sources.performance.current`).
    pub current: SourceState<PerfCurrent>,
    /// The last good runs (`sources.performance.baseline`).
    pub baseline: SourceState<PerfBaseline>,
}
