//! The shipgate policy engine.
//!
//! A `shipgate.yaml` goes in as text ([`Policy::parse`]): it is parsed with line numbers,
//! `${VAR}` references are expanded from the environment the caller passes, unknown keys are
//! refused with a did-you-mean, a key written with no value is refused (it never means "off"),
//! and every problem is reported at once with its line. The document as written
//! ([`RawPolicy`]) is then validated into a [`Policy`], whose checks are built by the check
//! registry ([`CHECKS`]) with every threshold a value. A valid [`Policy`] says which evidence it
//! needs ([`Policy::test_retention`], ...) and is evaluated with
//! [`evaluate`]`(&Policy, &EvidenceSet, now) -> Verdict`.
//!
//! This crate never touches the file system, the network, the process environment or the clock:
//! the policy text, the environment lookup, the evidence and the evaluation time are all passed
//! in, so that a decision can be replayed exactly.
//!
//! # Example
//!
//! ```
//! use shipgate_model::{Decision, EvidenceSet, SourceState, TestCounts, TestEvidence, TestOutcome};
//! use shipgate_policy::{Policy, evaluate};
//!
//! let text = "version: 1\nrelease: {name: api}\nsources:\n  tests: {junit: [reports/*.xml]}\nchecks:\n  regression: {min_pass_rate: 100%}\n";
//! let policy = Policy::parse(text, &|_| None)?;
//! let now = "2026-11-24T10:00:00Z".parse().expect("an instant");
//!
//! // Test evidence that was never read blocks the release: it is never taken as "no failures".
//! let verdict = evaluate(&policy, &EvidenceSet::default(), now);
//! assert_eq!(verdict.decision, Decision::Blocked);
//!
//! // 100 tests, all passed: ready.
//! let mut totals = TestCounts::default();
//! (0..100).for_each(|_| totals.record(TestOutcome::Passed));
//! let evidence = |totals| EvidenceSet {
//!     tests: SourceState::Loaded(TestEvidence { totals, ..TestEvidence::default() }),
//!     ..EvidenceSet::default()
//! };
//! assert_eq!(evaluate(&policy, &evidence(totals), now).decision, Decision::Ready);
//! // One failure among them: blocked.
//! totals.record(TestOutcome::Failed);
//! assert_eq!(evaluate(&policy, &evidence(totals), now).decision, Decision::Blocked);
//!
//! // A threshold written with no value is refused, with its line; it never means "off".
//! let unset = text.replace("{min_pass_rate: 100%}", "\n    min_pass_rate:");
//! let refused = Policy::parse(&unset, &|_| None).expect_err("a key without a value");
//! assert_eq!(refused.problems()[0].mark.line, 7);
//! # Ok::<(), shipgate_policy::PolicyError>(())
//! ```

mod catalog;
mod checks;
mod defects;
mod env;
mod evaluate;
mod flaky_sources;
mod load;
mod performance;
mod policy;
mod provenance;
mod quarantine;
mod raw;
mod risk;
mod starter;
mod uat;
mod validator;
mod values;

pub use catalog::CheckInfo;
pub use checks::{CHECKS, CheckKind, Needs, catalog, explain, nearest_id};
pub use defects::{
    CriticalPathDefects, DEFAULT_WINDOW, DefectSources, DefectsSection, LeakageSection, MaxOpen,
    OriginMapping, SeverityMapping, SeverityValues, TraceabilitySection,
};
pub use env::EnvLookup;
pub use evaluate::evaluate;
pub use evaluate::leakage::{LeakageGrouping, leakage_report};
pub use evaluate::risk::risk_report;
pub use flaky_sources::{DEFAULT_HISTORY_RUNS, DEFAULT_MIN_FLIPS, MAX_HISTORY_RUNS};
pub use load::PolicyError;
pub use performance::{
    Alpha, CurrentResults, DEFAULT_ALPHA, DEFAULT_MAX_FAILED_SHARE, LimitKind, PerfFile, PerfLimit,
    PerformanceSection, PerformanceSources, RunFiles,
};
pub use policy::{Policy, Release};
pub use provenance::{CommitRule, PROVENANCE_SOURCES, ProvenanceAges, ProvenanceSection};
pub use quarantine::parse_quarantine;
pub use raw::{
    CheckSettings, CriticalPath, CriticalPathsSection, ExcludedTests, FlakySection, RawChecks,
    RawPolicy, RawRelease, RegressionSection, RepeatedRuns, Risk, Sources, TestSources, Waiver,
};
pub use raw::{
    ChurnFrom, ChurnSource, ComplexityFormat, ComplexitySource, FactorNumbers, RevenueImpact,
    RiskArea, RiskCoverageSection, RiskLevelSetting,
};
pub use risk::{Area, RiskModel};
pub use shipgate_yaml::Problem;
pub use starter::{Profile, starter_policy};
pub use uat::{GITHUB_API_URL, GithubApprovals, RoleApprovers, UatSection, UatSources};
pub use values::{
    DurationSpec, Expiry, OptionalText, Pattern, Percent, TextOrEmpty, TimeZoneName,
    format_duration, format_percent,
};

/// The JSON Schema of the policy format, for editors (`yaml-language-server`) and CI linters.
///
/// An optional key is one that may be left out, never one that may be written `null`: the
/// reader refuses a key written with no value, so the schema does not offer `null` either
/// (except where a key gives an empty value a meaning, such as `release.commit`).
pub fn json_schema() -> serde_json::Value {
    let generator = schemars::generate::SchemaSettings::draft2020_12()
        .with_transform(schemars::transform::RecursiveTransform(no_null))
        .into_generator();
    let schema = generator.into_root_schema_for::<RawPolicy>();
    serde_json::to_value(schema).unwrap_or(serde_json::Value::Null)
}

/// Takes `null` out of what an optional key accepts (`anyOf: [.., {type: null}]`,
/// `type: [integer, null]`). A key that means something when empty says so with `const: null`.
fn no_null(schema: &mut schemars::Schema) {
    use serde_json::Value;
    let Some(obj) = schema.as_object_mut() else {
        return;
    };
    let null = serde_json::json!({"type": "null"});
    if let Some(Value::Array(any)) = obj.get_mut("anyOf") {
        any.retain(|s| *s != null);
        if any.len() == 1 {
            let only = any.remove(0);
            obj.remove("anyOf");
            if let Value::Object(inner) = only {
                for (k, v) in inner {
                    obj.entry(k).or_insert(v);
                }
            }
        }
    }
    if let Some(Value::Array(types)) = obj.get_mut("type") {
        types.retain(|t| t != "null");
        if let [one] = types.as_slice() {
            let one = one.clone();
            obj.insert("type".to_owned(), one);
        }
    }
}
