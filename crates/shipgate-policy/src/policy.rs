//! The validated policy: what the gate runs.
//!
//! A [`Policy`] only comes out of [`Policy::parse`], which reads the document ([`RawPolicy`]),
//! validates it, and asks each kind of check in the registry ([`crate::checks::CHECKS`]) to build
//! the checks it configures. Which checks run, which evidence must be loaded and whether the
//! policy can block are answered from those built checks, never from the settings again.

use crate::catalog::CheckInfo;
use crate::evaluate::quarantine::QuarantineView;
use crate::raw::{CheckSettings, RawPolicy, RepeatedRuns, Risk, Sources, Waiver};
use crate::validator::Validator;
use jiff::Timestamp;
use shipgate_model::verdict::WaiverRecord;
use shipgate_model::{CheckResult, EvidenceSet, Level, RetryMode, TestRetention};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A validated release readiness policy.
#[derive(Clone)]
pub struct Policy {
    /// The release being gated.
    pub release: Release,
    /// Where the evidence comes from.
    pub sources: Sources,
    /// The risk model: critical paths.
    pub risk: Risk,
    /// Accepted risks.
    pub waivers: Vec<Waiver>,
    /// The configured checks, in registry order.
    pub(crate) checks: Vec<Arc<dyn Check>>,
    /// How far back defect checks look when they name no window of their own.
    pub(crate) leakage_window: Duration,
    /// How many of the latest earlier runs `flaky.rate` reads.
    pub(crate) history_runs: u32,
    /// How many flips across the runs make a test flaky.
    pub(crate) min_flips: u32,
    /// Every risk area (critical paths included), scored by `shipgate risk` and `risk.coverage`.
    pub(crate) risk_model: crate::risk::RiskModel,
}

impl fmt::Debug for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("release", &self.release)
            .field("checks", &self.check_ids())
            .finish_non_exhaustive()
    }
}

/// The release being gated, validated: an empty value is never a version or a commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// The product or service (`payments-api`).
    pub name: String,
    /// The version being released, when the policy names one.
    pub version: Option<String>,
    /// The commit being released, when known (`${GITHUB_SHA:-}` is empty outside a pipeline).
    pub commit: Option<String>,
}

impl Policy {
    /// The ids of the checks this policy runs, in report order.
    pub fn check_ids(&self) -> Vec<String> {
        self.checks.iter().map(|c| c.id()).collect()
    }

    /// Whether at least one configured check about the release is at `level: error`, so that
    /// the gate can block. (`waivers.valid` always can, but a policy whose only blocking check
    /// is about its own waivers gates nothing about the release.)
    pub fn can_block(&self) -> bool {
        self.checks.iter().any(|c| c.gates_release())
    }

    /// What the configured checks read, together.
    fn needs(&self) -> Needs {
        self.checks
            .iter()
            .fold(Needs::NOTHING, |all, c| all.union(c.needs()))
    }

    /// Whether any check reads test results.
    pub fn needs_tests(&self) -> bool {
        self.needs().tests
    }

    /// Whether any check reads defects.
    pub fn needs_defects(&self) -> bool {
        self.needs().defects
    }

    /// Whether any check reads load-test results.
    pub fn needs_performance(&self) -> bool {
        self.needs().performance
    }

    /// Whether the UAT sign-off (or the approvals) must be read: a check reads it, or the
    /// source is configured (its provenance is recorded).
    pub fn needs_uat(&self) -> bool {
        self.needs().uat || self.sources.uat.is_some()
    }

    /// Whether a check reads the risk factors' own evidence (complexity, churn).
    pub fn needs_risk_evidence(&self) -> bool {
        self.needs().risk
    }

    /// Whether `traceability.production-defects` runs.
    pub fn runs_traceability(&self) -> bool {
        self.needs().defect_references
    }

    /// The leakage window: `checks.leakage.window`, else 90 days.
    pub fn leakage_window(&self) -> Duration {
        self.leakage_window
    }

    /// Which tests the JUnit reader must keep one by one: beyond the tests that did not pass
    /// (always kept), those on a critical path or in a risk area, and, when a check traces
    /// defects to tests or the policy names risk areas (the coverage-gap map), those that may
    /// name a defect.
    pub fn test_retention(&self) -> TestRetention {
        let mut patterns: Vec<shipgate_model::TestPattern> = Vec::new();
        // A critical path is also an area: each pattern once.
        for p in self
            .risk
            .critical_paths
            .values()
            .chain(self.risk_model.areas.iter().map(|a| &a.path))
            .flat_map(|p| p.tests.iter().map(|t| &t.0))
        {
            if !patterns.contains(p) {
                patterns.push(p.clone());
            }
        }
        TestRetention {
            patterns,
            all: false,
            defect_references: self.runs_traceability() || !self.risk.areas.is_empty(),
        }
    }

    /// The risk areas (critical paths included), how they are scored, and the window.
    pub fn risk_model(&self) -> &crate::risk::RiskModel {
        &self.risk_model
    }

    /// The churn window, when `sources.churn` is configured.
    pub fn churn_window(&self) -> Option<Duration> {
        self.sources
            .churn
            .as_ref()
            .map(|c| crate::risk::churn_window(c, &self.risk_model))
    }

    /// What a test that occurs in more than one JUnit file means (`sources.tests.repeated_runs`).
    pub fn repeated_runs(&self) -> RepeatedRuns {
        self.sources
            .tests
            .as_ref()
            .and_then(|t| t.repeated_runs)
            .unwrap_or_default()
    }

    /// How retries are written in the test reports.
    pub fn retry_mode(&self) -> RetryMode {
        self.sources
            .tests
            .as_ref()
            .and_then(|t| t.retries)
            .unwrap_or_default()
    }

    /// The globs of earlier runs' JUnit, when configured.
    pub fn history_globs(&self) -> Option<&[String]> {
        self.sources
            .tests
            .as_ref()
            .and_then(|t| t.history.as_deref())
    }

    /// How many of the latest earlier runs to read.
    pub fn history_runs(&self) -> u32 {
        self.history_runs
    }

    /// How many flips across the runs make a test flaky.
    pub fn min_flips(&self) -> u32 {
        self.min_flips
    }

    /// The quarantine file, when configured (relative to the policy's folder).
    pub fn quarantine_file(&self) -> Option<&str> {
        self.sources
            .tests
            .as_ref()
            .and_then(|t| t.quarantine.as_deref())
    }
}

// The interface of the checks a policy holds. The registry of their kinds (`CHECKS`) and each
// kind's module are in checks/; the types are here, beside the policy they evaluate against, so
// that the two files do not import each other.

/// One kind of check: its catalogue entry, where it is configured, and how.
pub struct CheckKind {
    /// The catalogue entry: id, what it measures, when it blocks, how to fix it.
    pub info: CheckInfo,
    /// The policy section that configures it (`checks.regression`).
    pub section: &'static str,
    /// The keys of `section` that switch it on (`min_pass_rate`); empty when the section's
    /// presence alone does (`checks.defects` runs `defects.classified`).
    pub keys: &'static [&'static str],
    /// Builds the configured checks of this kind from the policy as written, reporting every
    /// problem of its settings; none when the policy does not configure it.
    pub(crate) configure: fn(&RawPolicy, &mut Validator<'_>) -> Vec<Arc<dyn Check>>,
}

impl fmt::Debug for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CheckKind")
            .field("id", &self.info.id)
            .field("section", &self.section)
            .finish_non_exhaustive()
    }
}

/// The evidence a configured check reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// JUnit test results (`sources.tests`).
    pub tests: bool,
    /// Test results kept with their defect references (traceability).
    pub defect_references: bool,
    /// Defects (`sources.defects`).
    pub defects: bool,
    /// Load-test results (`sources.performance`).
    pub performance: bool,
    /// The UAT sign-off or approvals (`sources.uat`).
    pub uat: bool,
    /// The risk factors' own evidence: complexity reports and churn (`sources.complexity`,
    /// `sources.churn`), when configured.
    pub risk: bool,
}

impl Needs {
    pub(crate) const NOTHING: Needs = Needs {
        tests: false,
        defect_references: false,
        defects: false,
        performance: false,
        uat: false,
        risk: false,
    };
    pub(crate) const TESTS: Needs = Needs {
        tests: true,
        ..Needs::NOTHING
    };
    pub(crate) const DEFECTS: Needs = Needs {
        defects: true,
        ..Needs::NOTHING
    };

    /// What either needs.
    pub(crate) fn union(self, other: Needs) -> Needs {
        Needs {
            tests: self.tests || other.tests,
            defect_references: self.defect_references || other.defect_references,
            defects: self.defects || other.defects,
            performance: self.performance || other.performance,
            uat: self.uat || other.uat,
            risk: self.risk || other.risk,
        }
    }
}

/// When a check is evaluated: evidence checks first, then the checks that review their results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    /// Measures evidence.
    Evidence,
    /// Reviews the results of the evidence checks (`waivers.valid` applies the waivers).
    Review,
}

/// Everything a check's evaluation may look at.
pub(crate) struct Evaluation<'a> {
    pub policy: &'a Policy,
    pub evidence: &'a EvidenceSet,
    pub now: Timestamp,
    pub quarantine: QuarantineView<'a>,
    /// The results of the evidence checks; review checks may change them.
    pub results: Vec<CheckResult>,
    /// What became of each waiver (filled by `waivers.valid`).
    pub waivers: Vec<WaiverRecord>,
}

/// One configured check, ready to evaluate: every threshold it compares with is a value.
pub(crate) trait Check: fmt::Debug + Send + Sync {
    /// Its kind in the registry.
    fn kind(&self) -> &'static CheckKind;

    /// Its id in reports and waivers: the kind's, except for a family (`performance.<metric>`).
    fn id(&self) -> String {
        self.kind().info.id.to_owned()
    }

    /// Where it is configured (for problems about it).
    fn section(&self) -> String {
        self.kind().section.to_owned()
    }

    /// Its level and missing-evidence rule.
    fn settings(&self) -> CheckSettings;

    /// The evidence it reads.
    fn needs(&self) -> Needs;

    /// Whether a failure of it blocks the release. `waivers.valid` can block, but it is about
    /// the policy's own waivers, so it does not make a policy one that gates the release.
    fn gates_release(&self) -> bool {
        self.settings().level == Level::Error
    }

    /// When it is evaluated.
    fn stage(&self) -> Stage {
        Stage::Evidence
    }

    /// Measures the evidence and says what it found.
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult;
}
