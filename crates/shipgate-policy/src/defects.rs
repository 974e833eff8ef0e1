//! The policy's defect sections: `sources.defects` (which tracker, how its values map to
//! severity and origin) and `checks.defects`, `checks.leakage`, `checks.traceability`.

use crate::values::{DurationSpec, Percent, TextOrEmpty, TimeZoneName};
use schemars::JsonSchema;
use serde::Deserialize;
use shipgate_model::trackers::{
    DefectSourceSettings, NotDefectRule, OriginMap, SeverityMap, TrackerKind,
};
use shipgate_model::{Level, OnMissing, Severity};
use std::time::Duration;

/// The window a defect check looks at when the policy names none: 90 days.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(90 * 86_400);

/// Where defects come from: one tracker, or a file exported from one.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefectSources {
    /// `jira` (Cloud), `jira-dc` (Data Center/Server), `github`, `gitlab`, `redmine` or `file`.
    pub kind: TrackerKind,
    /// The tracker's base URL: `https://acme.atlassian.net`, `https://redmine.acme.example`;
    /// GitHub Enterprise `https://HOST/api/v3` (default `https://api.github.com`); self-managed
    /// GitLab `https://gitlab.acme.example` (default `https://gitlab.com`).
    pub url: Option<String>,
    /// For `kind: file`: a Jira CSV export (`*.csv`) or a file in the defect JSON form
    /// (`*.json`), relative to the policy file's folder.
    pub path: Option<String>,
    /// GitHub: `owner/name`.
    pub repository: Option<String>,
    /// GitLab: the project's id or path (`acme/payments`). Redmine: the project's id or
    /// identifier (optional).
    pub project: Option<String>,
    /// Jira: the JQL that selects the defects (`project = PAY AND issuetype = Bug`). GitHub,
    /// GitLab, Redmine: extra query parameters of the issue list, unencoded (`labels=bug`,
    /// `tracker_id=1`).
    pub query: Option<String>,
    /// The environment variable holding the user (Jira Cloud: the email the API token belongs
    /// to; Jira Data Center: optional, for basic auth instead of a personal access token).
    pub user_env: Option<String>,
    /// The environment variable holding the API token. Secrets only ever come from environment
    /// variables.
    pub token_env: Option<String>,
    /// How the tracker's values map to severity. Default for Jira and CSV exports: `priority`
    /// (Highest/Blocker/Critical → critical, High/Major → high, Medium → medium,
    /// Low/Lowest/Minor/Trivial → low); for Redmine `priority` (Immediate/Urgent → critical,
    /// High, Normal → medium, Low). Required for GitHub and GitLab.
    pub severity: Option<SeverityMapping>,
    /// Where a defect was found: the production / pre-production split defect leakage is
    /// measured on.
    pub origin: Option<OriginMapping>,
    /// Which closed issues the tracker says are not defects (duplicates, not a bug): they are
    /// left out of every count and listed beside it. Given, it replaces the kind's default
    /// (Jira and CSV exports: the resolutions Duplicate, Not a Bug, Works as Designed, Working as
    /// Intended, Invalid, Rejected; GitHub: `state_reason: duplicate` and the labels `duplicate`
    /// and `invalid`; GitLab: closed as a duplicate; Redmine: the status Rejected). An open issue
    /// always counts, whatever it is marked.
    pub not_defects: Option<NotDefectsMapping>,
    /// The field naming the sprint or release a defect was introduced in (`Sprint`,
    /// `Affects Version/s`, `fixed_version`); for GitHub and GitLab `milestone` or a label
    /// prefix. Used by `shipgate leakage --by introduced-in`.
    pub introduced_in: Option<String>,
    /// GitHub, GitLab, Redmine: the prefix put before an issue number to make its key, which
    /// tests name for traceability (default `#`: `#123`; `GH-` makes `GH-123`).
    pub key_prefix: Option<String>,
    /// For a Jira CSV export: the IANA time zone its dates were written in (the exporting
    /// user's, from their Jira profile). Required when the export's dates carry no zone, as
    /// Jira's do: without it a date could be any of 26 hours.
    pub timezone: Option<TimeZoneName>,
    /// The longest one request may take (default `30s`).
    pub timeout: Option<DurationSpec>,
    /// How many times a request is repeated after a 5xx, a 429, a timeout or a broken
    /// connection (default 4, at most 10).
    pub retries: Option<u32>,
    /// A PEM file of extra CA certificates to trust (a company's own CA), relative to the
    /// policy file's folder.
    pub ca_bundle: Option<String>,
}

impl DefectSources {
    /// The settings the defect adapter reads, as written here: the one configuration handed on.
    pub fn settings(&self) -> DefectSourceSettings {
        DefectSourceSettings {
            kind: self.kind,
            url: self.url.clone(),
            path: self.path.clone(),
            repository: self.repository.clone(),
            project: self.project.clone(),
            query: self.query.clone(),
            user_env: self.user_env.clone(),
            token_env: self.token_env.clone(),
            severity: self.severity.as_ref().map(|s| SeverityMap {
                // Not named: the kind's default field (a kind without one is refused).
                field: s
                    .field
                    .clone()
                    .map(|f| f.0)
                    .or_else(|| self.kind.spec().severity.map(|d| d.field.to_owned()))
                    .unwrap_or_default(),
                map: vec![
                    (Severity::Critical, s.map.critical.clone()),
                    (Severity::High, s.map.high.clone()),
                    (Severity::Medium, s.map.medium.clone()),
                    (Severity::Low, s.map.low.clone()),
                ],
            }),
            origin: self.origin.as_ref().map(|o| OriginMap {
                field: o.field.0.clone(),
                production: o.production.clone(),
                pre_production: o.pre_production.clone(),
            }),
            introduced_in: self.introduced_in.clone(),
            // Given, the policy's rule is the whole rule: a list it leaves out names nothing.
            not_defects: self.not_defects.as_ref().map(|n| NotDefectRule {
                resolutions: n.resolutions.clone().unwrap_or_default(),
                labels: n.labels.clone().unwrap_or_default(),
            }),
            key_prefix: self.key_prefix.clone(),
            timezone: self.timezone.as_ref().map(|z| z.zone().clone()),
            timeout: self.timeout.map(|t| t.get()),
            retries: self.retries,
            ca_bundle: self.ca_bundle.clone(),
        }
    }
}

/// Tracker values → severity.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeverityMapping {
    /// Jira, Redmine, CSV: the field, by name or id (`priority`, `Severity`,
    /// `customfield_10041`). GitHub, GitLab: the label prefix (`severity:`, `severity::`); an
    /// empty prefix (`""`) compares whole labels. Default `priority` where the kind has one.
    pub field: Option<TextOrEmpty>,
    /// The tracker values of each severity, compared ignoring case. A defect with values of
    /// several severities takes the worst.
    pub map: SeverityValues,
}

/// The tracker values of each severity.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SeverityValues {
    /// Values meaning critical (`[Highest, Blocker]`).
    #[serde(default)]
    pub critical: Vec<String>,
    /// Values meaning high.
    #[serde(default)]
    pub high: Vec<String>,
    /// Values meaning medium.
    #[serde(default)]
    pub medium: Vec<String>,
    /// Values meaning low.
    #[serde(default)]
    pub low: Vec<String>,
}

/// Tracker values → origin.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OriginMapping {
    /// The field by name or id (Jira, Redmine custom field, CSV column), or the label prefix
    /// (GitHub, GitLab: `origin:`, `origin::`; an empty prefix, `""`, compares whole labels).
    pub field: TextOrEmpty,
    /// Values meaning "found in production" (compared ignoring case).
    #[serde(default)]
    pub production: Vec<String>,
    /// Values meaning "found before production": QA, staging, review, ...
    #[serde(default)]
    pub pre_production: Vec<String>,
}

/// Which closed issues are not defects.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotDefectsMapping {
    /// Resolutions meaning "not a defect", compared ignoring case: Jira resolutions
    /// (`Duplicate`, `Cannot Reproduce`), GitHub `state_reason` values (`duplicate`,
    /// `not_planned`), GitLab `duplicate` (closed with `/duplicate`) and `moved`, Redmine closed
    /// statuses (`Rejected`). Not given: none.
    pub resolutions: Option<Vec<String>>,
    /// Labels meaning "not a defect", compared ignoring case (`invalid`). Not given: none. Not
    /// for Redmine, which has no labels.
    pub labels: Option<Vec<String>>,
}

/// `defects.open` and `defects.classified`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DefectsSection {
    /// The most open defects allowed per severity (`{critical: 0, high: 3}`). A severity not
    /// named is not limited, except `unknown`, which defaults to 0: an open defect whose
    /// severity the gate cannot tell may be critical.
    pub max_open: Option<MaxOpen>,
    /// The most defects created in the window without a mapped severity or origin (default 0:
    /// they would skew leakage).
    pub max_unclassified: Option<u64>,
    /// The window of `defects.classified` (default: `checks.leakage.window`, else `90d`).
    pub window: Option<DurationSpec>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when the defects are missing or unreadable.
    pub on_missing: Option<OnMissing>,
}

/// The most open defects per severity.
#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MaxOpen {
    /// Open critical defects allowed.
    pub critical: Option<u64>,
    /// Open high defects allowed.
    pub high: Option<u64>,
    /// Open medium defects allowed.
    pub medium: Option<u64>,
    /// Open low defects allowed.
    pub low: Option<u64>,
    /// Open defects of unknown severity allowed (default 0).
    pub unknown: Option<u64>,
}

/// `leakage.rate`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LeakageSection {
    /// How far back defects are counted, by creation date (default `90d`).
    pub window: Option<DurationSpec>,
    /// The highest production ÷ (production + pre-production) allowed (`5%`).
    pub max_rate: Option<Percent>,
    /// The same for defects on a critical path (by the components and labels listed under
    /// `risk.critical_paths.<name>.defects`), e.g. `2%`.
    pub max_rate_critical_paths: Option<Percent>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when the defects are missing or unreadable.
    pub on_missing: Option<OnMissing>,
}

/// `traceability.production-defects`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TraceabilitySection {
    /// Every production defect created in the window needs a test that references it and ran
    /// and passed in this run. Must be `true` for the check to run.
    pub production_defects_need_test: Option<bool>,
    /// The window (default: `checks.leakage.window`, else `90d`).
    pub window: Option<DurationSpec>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when the defects or the test results are missing or
    /// unreadable.
    pub on_missing: Option<OnMissing>,
}

/// The defects of a critical path, for `leakage.rate`'s `max_rate_critical_paths`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriticalPathDefects {
    /// A defect in one of these components is on the path (compared ignoring case).
    #[serde(default)]
    pub components: Vec<String>,
    /// A defect with one of these labels is on the path (compared ignoring case).
    #[serde(default)]
    pub labels: Vec<String>,
}
