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
mod env;
mod evaluate;
mod flaky_sources;
mod load;
mod policy;
mod quarantine;
mod starter;
mod values;

pub use catalog::{CATALOG, CheckInfo, explain};
pub use env::EnvLookup;
pub use evaluate::evaluate;
pub use flaky_sources::{DEFAULT_HISTORY_RUNS, DEFAULT_MIN_FLIPS, MAX_HISTORY_RUNS};
pub use load::PolicyError;
pub use policy::{
    CheckSettings, Checks, CriticalPath, CriticalPathsCheck, FlakyCheck, LevelSetting, OnMissing,
    Policy, RegressionCheck, Release, RetryMode, Risk, Sources, TestSources, Waiver,
};
pub use quarantine::parse_quarantine;
pub use shipgate_yaml::Problem;
pub use starter::{Profile, starter_policy};
pub use values::{DurationSpec, Expiry, Pattern, Percent, format_duration, format_percent};

use shipgate_model::TestRetention;

impl Policy {
    /// The ids of the checks this policy runs, in report order.
    pub fn check_ids(&self) -> Vec<String> {
        let mut ids: Vec<&str> = Vec::new();
        if let Some(r) = &self.checks.regression {
            if r.min_pass_rate.is_some() {
                ids.push("regression.pass-rate");
            }
            if r.min_tests.is_some() {
                ids.push("regression.min-tests");
            }
        }
        if !self.risk.critical_paths.is_empty() {
            ids.push("critical-paths.passed");
        }
        if self
            .checks
            .flaky
            .as_ref()
            .is_some_and(|f| f.max_rate.is_some())
        {
            ids.push("flaky.rate");
        }
        if !self.waivers.is_empty() {
            ids.push("waivers.valid");
        }
        ids.into_iter().map(str::to_owned).collect()
    }

    /// Whether any check reads test results.
    pub fn needs_tests(&self) -> bool {
        self.checks.regression.is_some()
            || self.checks.flaky.is_some()
            || !self.risk.critical_paths.is_empty()
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
        }
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
