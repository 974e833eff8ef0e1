//! The validated policy: what the gate runs.
//!
//! A [`Policy`] only comes out of [`Policy::parse`], which reads the document ([`RawPolicy`]),
//! validates it, and asks each kind of check in the registry ([`crate::checks::CHECKS`]) to build
//! the checks it configures. Which checks run, which evidence must be loaded and whether the
//! policy can block are answered from those built checks, never from the settings again.

use crate::checks::{Check, Needs};
use crate::raw::{RepeatedRuns, Risk, Sources, Waiver};
use shipgate_model::RetryMode;
use shipgate_model::TestRetention;
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
