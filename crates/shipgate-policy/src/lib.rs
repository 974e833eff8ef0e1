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
mod starter;
mod uat;
mod validator;
mod values;

pub use catalog::CheckInfo;
pub use checks::{CHECKS, CheckKind, Needs, catalog, explain};
pub use defects::{
    CriticalPathDefects, DEFAULT_WINDOW, DefectSources, DefectsSection, LeakageSection, MaxOpen,
    OriginMapping, SeverityMapping, SeverityValues, TraceabilitySection,
};
pub use env::EnvLookup;
pub use evaluate::evaluate;
pub use evaluate::leakage::{LeakageGrouping, leakage_report};
pub use flaky_sources::{DEFAULT_HISTORY_RUNS, DEFAULT_MIN_FLIPS, MAX_HISTORY_RUNS};
pub use load::PolicyError;
pub use performance::{
    Alpha, DEFAULT_ALPHA, DEFAULT_MAX_FAILED_SHARE, LimitKind, PerfFile, PerfLimit,
    PerformanceSection, PerformanceSources,
};
pub use policy::{Policy, Release};
pub use provenance::{CommitRule, PROVENANCE_SOURCES, ProvenanceAges, ProvenanceSection};
pub use quarantine::parse_quarantine;
pub use raw::{
    CheckSettings, CriticalPath, CriticalPathsSection, ExcludedTests, FlakySection, RawChecks,
    RawPolicy, RawRelease, RegressionSection, RepeatedRuns, Risk, Sources, TestSources, Waiver,
};
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
