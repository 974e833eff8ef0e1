//! The policy document, version 1, as written: the types a `shipgate.yaml` deserializes into.
//!
//! Every struct refuses unknown keys, so a typo can never silently switch a check off, and a key
//! written with no value is refused by the reader (shipgate-yaml), so `min_pass_rate: ~` can
//! never read as "not set". These types are what the text says, not what the gate runs: optional
//! fields here are only ever "absent". [`crate::Policy`] is built from a [`RawPolicy`] by
//! validation, and there every configured threshold is a value. The doc comments here become the
//! descriptions of the JSON Schema (`shipgate schema`).

use crate::defects::{
    CriticalPathDefects, DefectSources, DefectsSection, LeakageSection, TraceabilitySection,
};
use crate::performance::{PerformanceSection, PerformanceSources};
use crate::provenance::ProvenanceSection;
use crate::uat::{UatSection, UatSources};
use crate::values::{DurationSpec, Expiry, OptionalText, Pattern, Percent, TimeZoneName};
use schemars::JsonSchema;
use serde::Deserialize;
use shipgate_model::{Level, OnMissing, RetryMode};
use shipgate_risk::{Factor, RiskLevel};
use std::collections::BTreeMap;

/// A release readiness policy, as written.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "shipgate policy, version 1")]
pub struct RawPolicy {
    /// The policy format version. Always `1`.
    pub version: u32,
    /// The release being gated.
    pub release: RawRelease,
    /// Where the evidence comes from.
    #[serde(default)]
    pub sources: Sources,
    /// The risk model: critical paths that are never skipped, never quarantined, 100% pass, and
    /// risk areas scored by revenue impact, defects, failures, complexity and churn.
    #[serde(default)]
    pub risk: Risk,
    /// The checks and their thresholds.
    #[serde(default)]
    pub checks: RawChecks,
    /// Accepted risks: a valid waiver turns a failing check into `waived`.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
}

impl RawPolicy {
    /// The leakage window: `checks.leakage.window`, else 90 days. The other defect checks and
    /// the risk factors take it when they name no window of their own. Here, beside the
    /// document, so that the risk model and the checks read it without reaching into each
    /// other.
    pub(crate) fn leakage_window(&self) -> std::time::Duration {
        self.checks
            .leakage
            .as_ref()
            .and_then(|l| l.window)
            .map_or(crate::defects::DEFAULT_WINDOW, |w| w.get())
    }
}

/// The release being gated, as written.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawRelease {
    /// The product or service (`payments-api`).
    pub name: String,
    /// The version being released, usually from the pipeline: `${RELEASE_VERSION}`. When the
    /// key is written it needs a value: a variable that is empty is an error, never "no
    /// version".
    pub version: Option<String>,
    /// The commit being released (`${GITHUB_SHA:-}`); evidence that names another commit is
    /// suspect. It may be written empty (`${GITHUB_SHA:-}` outside a pipeline): no commit.
    #[serde(default)]
    pub commit: OptionalText,
}

/// Where the evidence comes from. Relative paths are relative to the policy file's folder.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sources {
    /// JUnit XML test results.
    pub tests: Option<TestSources>,
    /// The defect tracker, or an export of it.
    pub defects: Option<DefectSources>,
    /// The UAT sign-off record.
    pub uat: Option<UatSources>,
    /// Load-test results and the baseline they are compared with.
    pub performance: Option<PerformanceSources>,
    /// Code complexity reports (lizard, radon), for the risk areas' `complexity` factor.
    pub complexity: Option<Vec<ComplexitySource>>,
    /// The repository's history, for the risk areas' `churn` factor.
    pub churn: Option<ChurnSource>,
}

/// JUnit XML test results.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TestSources {
    /// Globs of JUnit XML files (`reports/**/*.xml`); every match is read and merged.
    pub junit: Vec<String>,
    /// How retries are written. `per-testcase` (default): every `<testcase>` is one test, and
    /// Surefire/nextest/Playwright `flakyFailure` marks a flaky pass. `repeated-testcases`:
    /// runners that write each attempt as its own `<testcase>` (gotestsum `--rerun-fails`,
    /// Gradle without `mergeReruns`, pytest-rerunfailures); cases with the same suite,
    /// classname and name in one file are one test, and the last attempt decides (flaky if it
    /// passed after earlier attempts). See docs/retries.md.
    pub retries: Option<RetryMode>,
    /// Globs of earlier runs' JUnit files, one folder per run (`history/*/**/*.xml`), for
    /// `flaky.rate`: a test that passed and failed on one commit, or flipped between pass and
    /// fail across the latest runs, is flaky. Folders are ordered by name (numbers compared as
    /// numbers); a folder named `<run>@<commit>` gives the run's commit.
    pub history: Option<Vec<String>>,
    /// A YAML list of known-flaky tests (`quarantine.yaml`): `pattern`, `owner`, `ticket`,
    /// `expires`. A quarantined test's failure does not count against the pass rate and counts
    /// as flaky in `flaky.rate` instead; an expired entry, or one that matches a critical-path
    /// test, quarantines nothing and fails `flaky.rate`. Needs `checks.flaky`.
    pub quarantine: Option<String>,
    /// The IANA time zone (`Europe/Berlin`, `UTC`) of the machines that ran the tests, for
    /// `<testsuite timestamp>` attributes written without a zone (Surefire, Gradle and most
    /// runners write local time). Without it such a timestamp is no instant, and a file with
    /// only those carries no time for `evidence.provenance`.
    pub timezone: Option<TimeZoneName>,
    /// What a test that occurs in more than one file means. `refuse` (default): an earlier run
    /// left beside this one (its tests would be counted again, and hide a shrinking suite), so
    /// the test evidence is refused, naming the files, and every check that reads it blocks.
    /// `allow`: this build runs a suite several times on purpose (a matrix of interpreter or
    /// browser versions); every run is counted, and the report says how many tests repeated.
    /// A test is its suite, classname and name; repeats within one file (parameterised tests,
    /// retries) never count, and shards of one run do not repeat tests.
    pub repeated_runs: Option<RepeatedRuns>,
}

/// What a test identity that occurs in more than one JUnit file means.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RepeatedRuns {
    /// A leftover earlier run: refuse the test evidence.
    #[default]
    Refuse,
    /// The suite runs several times on purpose: count every run, and say so in the report.
    Allow,
}

/// The risk model.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Risk {
    /// Named critical paths (payment, authentication, data integrity): every test matching one
    /// of a path's patterns must run and pass, and each path needs at least
    /// `checks.critical_paths.min_tests_per_path` tests.
    #[serde(default)]
    pub critical_paths: BTreeMap<String, CriticalPath>,
    /// Risk areas (`shipgate risk`, `risk.coverage`): what a failure costs, the source files and
    /// tests of each part of the product, and its defects. See docs/risk.md.
    #[serde(default)]
    pub areas: BTreeMap<String, RiskArea>,
    /// How much each factor weighs in an area's score (defaults: revenue_impact 3,
    /// defect_frequency 2, failure_history 1, complexity 1, churn 1).
    pub weights: Option<FactorNumbers>,
    /// The raw value at which a factor scores 0.5 (defaults: defect_frequency 3,
    /// failure_history 3, complexity 100, churn 10; revenue impact has a fixed scale).
    pub half_at: Option<FactorNumbers>,
    /// How far back defects are counted for `defect_frequency` (default: the leakage window,
    /// else `90d`).
    pub window: Option<DurationSpec>,
}

/// One critical path.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriticalPath {
    /// Patterns over `classname.name`; `*` matches any run of characters, dots included. A path
    /// that names only `defects` (for `max_rate_critical_paths`) may leave them out:
    /// `critical-paths.passed` then does not check it, and needs no test results for it.
    #[serde(default)]
    pub tests: Vec<Pattern>,
    /// Whether `tests` and `exclude` match without regard to case (default `false`): `*login*`
    /// then finds `LoginDigestTest` too.
    pub ignore_case: Option<bool>,
    /// Tests the patterns match that are not on this path, each with why: a test that runs
    /// only on some platforms and is covered by another job. An excluded test is listed in the
    /// check's details with its reason, never silently dropped.
    #[serde(default)]
    pub exclude: Vec<ExcludedTests>,
    /// The defects on this path (by component or label), for `leakage.rate`'s
    /// `max_rate_critical_paths`.
    pub defects: Option<CriticalPathDefects>,
}

/// Tests a critical path's patterns match that are left out of it.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExcludedTests {
    /// Which tests, as in `tests`.
    pub pattern: Pattern,
    /// Why they are not on the path (`runs only on Windows agents: the windows-e2e job covers
    /// it`).
    pub reason: String,
}

impl CriticalPath {
    /// Whether the test named `qualified` (`classname.name`) is on this path: a pattern of
    /// `tests` matches it and no `exclude` does.
    pub fn covers(&self, qualified: &str) -> bool {
        self.tests.iter().any(|p| p.0.matches(qualified)) && self.excluded_by(qualified).is_none()
    }

    /// The exclusion that leaves the test named `qualified` out of this path, if any.
    pub fn excluded_by(&self, qualified: &str) -> Option<&ExcludedTests> {
        self.exclude.iter().find(|e| e.pattern.0.matches(qualified))
    }

    /// The path with its patterns made to ignore case when `ignore_case` says so.
    pub(crate) fn resolved(&self) -> CriticalPath {
        let mut path = self.clone();
        if path.ignore_case == Some(true) {
            for p in &mut path.tests {
                p.0 = p.0.ignoring_case();
            }
            for e in &mut path.exclude {
                e.pattern.0 = e.pattern.0.ignoring_case();
            }
        }
        path
    }
}

/// The checks and their thresholds, as written. A check runs when its section is present; which
/// checks a section configures is said by the check registry (`crate::checks::CHECKS`).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RawChecks {
    /// `regression.pass-rate` and `regression.min-tests`.
    pub regression: Option<RegressionSection>,
    /// Options of `critical-paths.passed`, which runs whenever a path in `risk.critical_paths`
    /// names tests.
    pub critical_paths: Option<CriticalPathsSection>,
    /// `flaky.rate`.
    pub flaky: Option<FlakySection>,
    /// `defects.open` and `defects.classified`.
    pub defects: Option<DefectsSection>,
    /// `leakage.rate`.
    pub leakage: Option<LeakageSection>,
    /// `traceability.production-defects`.
    pub traceability: Option<TraceabilitySection>,
    /// `uat.signoff`.
    pub uat: Option<UatSection>,
    /// `evidence.provenance`.
    pub provenance: Option<ProvenanceSection>,
    /// `performance.<metric>`: one check per metric, against absolute limits and the baseline.
    #[serde(default)]
    pub performance: Vec<PerformanceSection>,
    /// `risk.coverage`: the riskiest areas ran enough tests, none skipped, every production
    /// defect traced.
    pub risk: Option<RiskCoverageSection>,
}

/// `regression.pass-rate`, `regression.min-tests` and `regression.skipped`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegressionSection {
    /// Minimum (passed + flaky) ÷ executed. Skipped tests never count as passes.
    pub min_pass_rate: Option<Percent>,
    /// Minimum number of executed tests, so the suite cannot silently shrink.
    pub min_tests: Option<u64>,
    /// `regression.skipped`: the most tests that may be skipped or disabled, so that skipping
    /// cannot absorb regressions.
    pub max_skipped: Option<u64>,
    /// `regression.skipped`: the largest share of all tests (executed + skipped) that may be
    /// skipped or disabled (`5%`).
    pub max_skipped_rate: Option<Percent>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when the test results are missing or unreadable.
    pub on_missing: Option<OnMissing>,
}

/// Options of `critical-paths.passed`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriticalPathsSection {
    /// Each path needs at least this many matching tests (default 1, at least 1).
    pub min_tests_per_path: Option<u64>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when the test results are missing or unreadable.
    pub on_missing: Option<OnMissing>,
}

/// `flaky.rate`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlakySection {
    /// Maximum flaky tests ÷ executed tests.
    pub max_rate: Option<Percent>,
    /// How many of the latest earlier runs of `sources.tests.history` to read (default 20, at
    /// most 63).
    pub history_runs: Option<u32>,
    /// A test that flips between pass and fail at least this often across the runs is flaky
    /// (default 2: one flip is a regression or a fix, not flakiness).
    pub min_flips: Option<u32>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when the test results are missing or unreadable.
    pub on_missing: Option<OnMissing>,
}

/// An accepted risk for one check. All of `reason`, `approved_by` and `expires` are needed;
/// an incomplete or expired waiver waives nothing and fails `waivers.valid`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// The check id it waives (`defects.open`, `performance.http_req_duration.p95`).
    pub check: String,
    /// Why the risk is accepted.
    pub reason: Option<String>,
    /// Who accepted it (a name or address).
    pub approved_by: Option<String>,
    /// The last day it holds (`2026-12-31`, through the end of that day UTC) or an instant.
    pub expires: Option<Expiry>,
}

/// The level and missing-evidence rule of one configured check.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CheckSettings {
    /// Whether a failure blocks.
    pub level: Level,
    /// Whether absent evidence blocks.
    pub on_missing: OnMissing,
}

impl CheckSettings {
    pub(crate) fn new(level: Option<Level>, on_missing: Option<OnMissing>) -> Self {
        Self {
            level: level.unwrap_or_default(),
            on_missing: on_missing.unwrap_or_default(),
        }
    }
}

// Risk areas and the sources of their factors (`risk.areas`, `sources.complexity`,
// `sources.churn`, `checks.risk`), as written; `risk.rs` builds the validated model from them.

/// One risk area: a part of the product, what a failure in it costs, its code and its tests.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskArea {
    /// What a failure here costs: `none`, `low`, `medium`, `high` or `critical` (see
    /// docs/risk.md for the scale). Not written: the factor is shown as missing and scored at
    /// its worst.
    pub revenue_impact: Option<RevenueImpact>,
    /// Globs of the area's source files, relative to the policy file's folder (`src/payments/**`,
    /// `../app/payments/*.py`): `*` within a folder, `**` across folders. Complexity and churn
    /// are counted over them.
    #[serde(default)]
    pub files: Vec<String>,
    /// The area's tests: patterns over `classname.name`, as `risk.critical_paths` takes them.
    #[serde(default)]
    pub tests: Vec<Pattern>,
    /// Whether `tests` and `exclude` match without regard to case (default `false`).
    pub ignore_case: Option<bool>,
    /// Tests the patterns match that are not in this area, each with why.
    #[serde(default)]
    pub exclude: Vec<ExcludedTests>,
    /// The area's defects in the tracker, by component or label.
    pub defects: Option<CriticalPathDefects>,
    /// A critical area's tests are never skipped and never quarantined: it is also a critical
    /// path, checked by `critical-paths.passed` (default `false`).
    pub critical: Option<bool>,
    /// Where the area's tests live (`tests/test_payment.py`, `src/test/java/com/acme/pay/`):
    /// the coverage-gap map says a missing regression test belongs there. Default: the first
    /// test pattern.
    pub test_location: Option<String>,
}

/// What a failure in an area costs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RevenueImpact {
    /// No revenue depends on it (internal tooling).
    None,
    /// Cosmetic or internal: an annoyance, no lost sale.
    Low,
    /// Indirect: customers notice and some leave (notifications, reports, search).
    Medium,
    /// Direct: some customers cannot pay or are charged wrongly (refunds, a payment method).
    High,
    /// Revenue stops, or money or data is lost or exposed (checkout, login, the ledger).
    Critical,
}

impl RevenueImpact {
    /// The level on the scale: `none` 0 … `critical` 4.
    pub fn level(self) -> u8 {
        match self {
            RevenueImpact::None => 0,
            RevenueImpact::Low => 1,
            RevenueImpact::Medium => 2,
            RevenueImpact::High => 3,
            RevenueImpact::Critical => 4,
        }
    }

    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            RevenueImpact::None => "none",
            RevenueImpact::Low => "low",
            RevenueImpact::Medium => "medium",
            RevenueImpact::High => "high",
            RevenueImpact::Critical => "critical",
        }
    }
}

/// A number per factor (`risk.weights`, `risk.half_at`).
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactorNumbers {
    /// Revenue impact.
    pub revenue_impact: Option<f64>,
    /// Defect frequency (the tracker).
    pub defect_frequency: Option<f64>,
    /// Failure history (earlier test runs).
    pub failure_history: Option<f64>,
    /// Code complexity.
    pub complexity: Option<f64>,
    /// Churn.
    pub churn: Option<f64>,
}

impl FactorNumbers {
    pub(crate) fn entries(&self) -> [(Factor, Option<f64>); 5] {
        [
            (Factor::RevenueImpact, self.revenue_impact),
            (Factor::DefectFrequency, self.defect_frequency),
            (Factor::FailureHistory, self.failure_history),
            (Factor::Complexity, self.complexity),
            (Factor::Churn, self.churn),
        ]
    }
}

/// A complexity report (`sources.complexity[]`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComplexitySource {
    /// `lizard` (`lizard --csv`, any of its languages) or `radon` (`radon cc --json`, Python).
    pub format: ComplexityFormat,
    /// The report, relative to the policy file's folder.
    pub path: String,
    /// The folder the tool ran in, relative to the policy file's folder (default: the policy's
    /// folder): the report's file paths are read from there.
    pub root: Option<String>,
}

/// The complexity report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ComplexityFormat {
    /// `lizard --csv` (with or without `-V`).
    Lizard,
    /// `radon cc --json`.
    Radon,
}

impl ComplexityFormat {
    /// The name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            ComplexityFormat::Lizard => "lizard",
            ComplexityFormat::Radon => "radon",
        }
    }
}

/// Where churn comes from (`sources.churn`).
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChurnSource {
    /// `git`: the history of the repository the policy file is in, read with the git command
    /// line.
    pub from: ChurnFrom,
    /// How far back commits are counted (default: `risk.window`, else the leakage window, else
    /// `90d`).
    pub window: Option<DurationSpec>,
}

/// Where churn is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChurnFrom {
    /// The git command line.
    Git,
}

/// `risk.coverage`, configured under `checks.risk`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskCoverageSection {
    /// Areas whose risk level is at or above this (`low`, `medium`, `high`, `critical`) are
    /// checked; critical areas always are.
    pub min_level: Option<RiskLevelSetting>,
    /// The fewest executed tests each checked area needs (default 1, at least 1).
    pub min_tests: Option<u64>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when the tests, the defects or a configured complexity or
    /// churn source is missing or unreadable.
    pub on_missing: Option<OnMissing>,
}

/// A risk level, as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevelSetting {
    /// Score 0 or more: every area.
    Low,
    /// Score 25 or more.
    Medium,
    /// Score 50 or more.
    High,
    /// Score 75 or more.
    Critical,
}

impl From<RiskLevelSetting> for RiskLevel {
    fn from(value: RiskLevelSetting) -> Self {
        match value {
            RiskLevelSetting::Low => RiskLevel::Low,
            RiskLevelSetting::Medium => RiskLevel::Medium,
            RiskLevelSetting::High => RiskLevel::High,
            RiskLevelSetting::Critical => RiskLevel::Critical,
        }
    }
}
