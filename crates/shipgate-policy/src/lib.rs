//! The shipgate policy engine.
//!
//! A `shipgate.yaml` goes in as text ([`Policy::parse`]): it is parsed with line numbers,
//! `${VAR}` references are expanded from the environment the caller passes, unknown keys are
//! refused with a did-you-mean, and every problem is reported at once with its line. A valid
//! [`Policy`] then says which evidence it needs ([`Policy::test_retention`], ...) and is
//! evaluated with [`evaluate`]`(&Policy, &EvidenceSet, now) -> Verdict`.
//!
//! This crate never touches the file system, the network, the process environment or the clock:
//! the policy text, the environment lookup, the evidence and the evaluation time are all passed
//! in, so that a decision can be replayed exactly.

mod catalog;
mod defects;
mod env;
mod evaluate;
mod flaky_sources;
mod load;
mod performance;
mod policy;
mod provenance;
mod quarantine;
mod starter;
mod uat;
mod values;

pub use catalog::{CATALOG, CheckInfo, explain};
pub use defects::{
    CriticalPathDefects, DEFAULT_WINDOW, DefectKind, DefectSources, DefectsCheck, LeakageCheck,
    MaxOpen, OriginMapping, SeverityMapping, SeverityValues, TraceabilityCheck,
};
pub use env::EnvLookup;
pub use evaluate::evaluate;
pub use evaluate::leakage::{LeakageGrouping, leakage_report};
pub use flaky_sources::{DEFAULT_HISTORY_RUNS, DEFAULT_MIN_FLIPS, MAX_HISTORY_RUNS};
pub use load::PolicyError;
pub use performance::{
    Alpha, DEFAULT_ALPHA, DEFAULT_MIN_SAMPLES, DirectionSetting, LimitKind, PerfFile, PerfFormat,
    PerfLimit, PerformanceCheck, PerformanceSources,
};
pub use policy::{
    CheckSettings, Checks, CriticalPath, CriticalPathsCheck, FlakyCheck, LevelSetting, OnMissing,
    Policy, RegressionCheck, Release, RepeatedRuns, RetryMode, Risk, Sources, TestSources, Waiver,
};
pub use provenance::{CommitRule, ProvenanceAges, ProvenanceCheck, ProvenanceSource};
pub use quarantine::parse_quarantine;
pub use shipgate_yaml::Problem;
pub use starter::{Profile, starter_policy};
pub use uat::{GITHUB_API_URL, GithubApprovals, RoleApprovers, UatCheck, UatSources};
pub use values::{DurationSpec, Expiry, Pattern, Percent, format_duration, format_percent};

use shipgate_model::TestRetention;

impl Policy {
    /// The ids of the checks this policy runs, in report order.
    pub fn check_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = Vec::new();
        if let Some(r) = &self.checks.regression {
            if r.min_pass_rate.is_some() {
                ids.push("regression.pass-rate".to_owned());
            }
            if r.min_tests.is_some() {
                ids.push("regression.min-tests".to_owned());
            }
        }
        if !self.risk.critical_paths.is_empty() {
            ids.push("critical-paths.passed".to_owned());
        }
        if self
            .checks
            .flaky
            .as_ref()
            .is_some_and(|f| f.max_rate.is_some())
        {
            ids.push("flaky.rate".to_owned());
        }
        if let Some(d) = &self.checks.defects {
            if d.max_open.is_some() {
                ids.push("defects.open".to_owned());
            }
            ids.push("defects.classified".to_owned());
        } else if evaluate::classified_for_leakage(self).is_some() {
            ids.push("defects.classified".to_owned());
        }
        if self.checks.leakage.is_some() {
            ids.push("leakage.rate".to_owned());
        }
        if self.runs_traceability() {
            ids.push("traceability.production-defects".to_owned());
        }
        // `performance.<metric>`: one per configured metric.
        ids.extend(self.checks.performance.iter().map(PerformanceCheck::id));
        if self.checks.uat.is_some() {
            ids.push("uat.signoff".to_owned());
        }
        if self.checks.provenance.is_some() {
            ids.push("evidence.provenance".to_owned());
        }
        if !self.waivers.is_empty() {
            ids.push("waivers.valid".to_owned());
        }
        ids
    }

    /// Whether at least one configured check is at `level: error`, so that the gate can block.
    /// (`waivers.valid` always can, but a policy whose only blocking check is about its own
    /// waivers gates nothing about the release.)
    pub fn can_block(&self) -> bool {
        let c = &self.checks;
        let errs = |level: Option<LevelSetting>| level.unwrap_or_default() == LevelSetting::Error;
        c.regression.as_ref().is_some_and(|r| errs(r.level))
            || (!self.risk.critical_paths.is_empty()
                && errs(c.critical_paths.as_ref().and_then(|p| p.level)))
            || c.flaky.as_ref().is_some_and(|f| errs(f.level))
            || c.defects.as_ref().is_some_and(|d| errs(d.level))
            || c.leakage.as_ref().is_some_and(|l| errs(l.level))
            || (self.runs_traceability() && errs(c.traceability.as_ref().and_then(|t| t.level)))
            || c.performance.iter().any(|p| errs(p.level))
            || c.uat.as_ref().is_some_and(|u| errs(u.level))
            || c.provenance.as_ref().is_some_and(|p| errs(p.level))
    }

    /// Whether any check reads test results.
    pub fn needs_tests(&self) -> bool {
        self.checks.regression.is_some()
            || self.checks.flaky.is_some()
            || !self.risk.critical_paths.is_empty()
            || self.runs_traceability()
    }

    /// Whether any check reads defects.
    pub fn needs_defects(&self) -> bool {
        self.checks.defects.is_some()
            || self.checks.leakage.is_some()
            || self.checks.traceability.is_some()
    }

    /// Whether `traceability.production-defects` runs.
    pub fn runs_traceability(&self) -> bool {
        self.checks
            .traceability
            .as_ref()
            .is_some_and(|t| t.production_defects_need_test == Some(true))
    }

    /// The leakage window: `checks.leakage.window`, else 90 days.
    pub fn leakage_window(&self) -> std::time::Duration {
        self.checks
            .leakage
            .as_ref()
            .and_then(|l| l.window)
            .map_or(DEFAULT_WINDOW, DurationSpec::get)
    }

    /// Whether any check reads load-test results.
    pub fn needs_performance(&self) -> bool {
        !self.checks.performance.is_empty()
    }

    /// Which tests the JUnit reader must keep one by one: beyond the tests that did not pass
    /// (always kept), those on a critical path.
    pub fn test_retention(&self) -> TestRetention {
        TestRetention {
            patterns: self
                .risk
                .critical_paths
                .values()
                .flat_map(|p| p.tests.iter().map(|t| t.0.clone()))
                .collect(),
            all: false,
            defect_references: self.runs_traceability(),
        }
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
}

/// The JSON Schema of the policy format, for editors (`yaml-language-server`) and CI linters.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Policy);
    serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
}
