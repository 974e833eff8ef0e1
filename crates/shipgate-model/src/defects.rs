//! Defect evidence, as read from a tracker or an export by `shipgate-defects`.
//!
//! Every tracker is mapped to one normalised record per defect (brief §5): key, title, severity,
//! origin, status, dates, components, labels, links and the release or sprint it was introduced
//! in. The tracker's own values for severity and origin are kept beside the normalised ones, so
//! that a report can say which value was not mapped.
//!
//! The serde form of [`DefectEvidence`] is the documented JSON form of a defect set
//! (`docs/policy.md`, "The defect JSON form"): the `file` source reads it back, and a fetched set
//! written in it can be replayed offline.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How severe a defect is, after the policy's `severity.map`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The worst: blocks a release at `max_open.critical: 0`.
    Critical,
    /// High.
    High,
    /// Medium.
    Medium,
    /// Low.
    Low,
    /// The tracker's value is missing or not in the map.
    Unknown,
}

impl Severity {
    /// Every severity, worst first, `Unknown` last.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Unknown,
    ];

    /// The lowercase name used in policies and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Unknown => "unknown",
        }
    }
}

/// Where a defect was found: the split defect leakage is measured on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// Found in production: it escaped.
    Production,
    /// Found before production (QA, staging, review, ...): it was caught.
    PreProduction,
    /// The tracker's value is missing or not in the map.
    Unknown,
}

impl Origin {
    /// The name used in policies and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Production => "production",
            Origin::PreProduction => "pre-production",
            Origin::Unknown => "unknown",
        }
    }
}

/// Whether a defect is still open.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DefectStatus {
    /// Not resolved.
    Open,
    /// Resolved, done or closed.
    Closed,
}

impl DefectStatus {
    /// The lowercase name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            DefectStatus::Open => "open",
            DefectStatus::Closed => "closed",
        }
    }
}

/// What in the tracker says that an issue is not a defect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotADefectBy {
    /// Its resolution: Jira's resolution, GitHub's `state_reason`, a GitLab close as a
    /// duplicate, Redmine's closed status.
    Resolution,
    /// One of its labels.
    Label,
}

impl NotADefectBy {
    /// The name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            NotADefectBy::Resolution => "resolution",
            NotADefectBy::Label => "label",
        }
    }
}

/// The tracker says this issue is not a defect: a resolution or label that the policy's
/// `sources.defects.not_defects` (or the tracker's default) names, such as Jira's `Duplicate`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotADefect {
    /// What says so.
    pub by: NotADefectBy,
    /// The tracker's value, as written there (`Duplicate`, `duplicate`, `invalid`, `Rejected`).
    pub value: String,
}

impl NotADefect {
    /// `resolution: Duplicate`, `label: invalid`: how reports name the reason.
    pub fn reason(&self) -> String {
        format!("{}: {}", self.by.as_str(), self.value)
    }
}

/// A link from a defect to another issue (`is tested by PAY-200`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DefectLink {
    /// The link as the tracker words it from this defect's side (`is tested by`, `relates to`).
    pub relation: String,
    /// The key of the other issue.
    pub key: String,
}

/// One defect, normalised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Defect {
    /// The tracker's key: `PAY-123` (Jira), `#123` (GitHub, GitLab, Redmine; the prefix is
    /// configurable).
    pub key: String,
    /// The summary or subject.
    pub title: String,
    /// The normalised severity.
    pub severity: Severity,
    /// The tracker's severity value(s) the severity was read from, as written there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity_raw: Vec<String>,
    /// The normalised origin.
    pub origin: Origin,
    /// The tracker's origin value(s) the origin was read from, as written there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub origin_raw: Vec<String>,
    /// Open or closed.
    pub status: DefectStatus,
    /// When the defect was reported.
    #[serde(with = "crate::instant::strict")]
    pub created: Timestamp,
    /// When it was resolved or closed, when it is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::instant::strict::option"
    )]
    pub resolved: Option<Timestamp>,
    /// How the tracker resolved it, as written there: Jira's resolution (`Fixed`, `Duplicate`),
    /// GitHub's `state_reason` (`completed`, `not_planned`, `duplicate`), GitLab's `duplicate` or
    /// `moved`, Redmine's closed status (`Closed`, `Rejected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    /// Set when the tracker marks the issue as not a defect. Only a closed issue is then left
    /// out of the counts ([`Defect::closed_as_not_a_defect`]): an open one still counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_a_defect: Option<NotADefect>,
    /// Components (Jira components, Redmine categories).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<String>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    /// Links to other issues.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<DefectLink>,
    /// The value(s) of the policy's `introduced_in` field: the sprint or release the defect was
    /// introduced in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub introduced_in: Vec<String>,
    /// A link to the defect in the tracker's web interface.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

impl Defect {
    /// Why the defect is left out of every count: it is closed, and the tracker marks it as not
    /// a defect. `None` for an open issue whatever it is marked, so that a mark can never hide a
    /// defect that is still open.
    pub fn closed_as_not_a_defect(&self) -> Option<&NotADefect> {
        match self.status {
            DefectStatus::Closed => self.not_a_defect.as_ref(),
            DefectStatus::Open => None,
        }
    }

    /// Whether the defect was created in `[from, to]`.
    pub fn created_between(&self, from: Timestamp, to: Timestamp) -> bool {
        self.created >= from && self.created <= to
    }
}

/// The version of the defect JSON form. Bumped only on a breaking change.
pub const DEFECTS_FORMAT_VERSION: u32 = 1;

/// The name in the `format` field of the defect JSON form.
pub const DEFECTS_FORMAT: &str = "shipgate-defects";

/// Every defect a tracker query or export returned, normalised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DefectEvidence {
    /// Always [`DEFECTS_FORMAT`].
    pub format: String,
    /// Always [`DEFECTS_FORMAT_VERSION`].
    pub version: u32,
    /// The source kind the defects came from (`jira`, `jira-dc`, `github`, `gitlab`, `redmine`,
    /// `file`).
    pub source: String,
    /// Where: the tracker's URL (never with credentials) or the file's path.
    pub location: String,
    /// The query that selected the defects, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// When the defects were fetched or the export was read, when known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::instant::strict::option"
    )]
    pub fetched_at: Option<Timestamp>,
    /// The defects, sorted by key (numerically within a prefix: `PAY-9` before `PAY-10`).
    pub defects: Vec<Defect>,
}

impl DefectEvidence {
    /// An evidence set in the current format, with the defects sorted by key.
    pub fn new(source: &str, location: &str, query: Option<String>, defects: Vec<Defect>) -> Self {
        let mut e = Self {
            format: DEFECTS_FORMAT.to_owned(),
            version: DEFECTS_FORMAT_VERSION,
            source: source.to_owned(),
            location: location.to_owned(),
            query,
            fetched_at: None,
            defects,
        };
        e.sort();
        e
    }

    /// Sorts the defects by key, numbers compared as numbers, so that every fetch of the same
    /// defects gives the same order (and the same bytes when written).
    pub fn sort(&mut self) {
        self.defects
            .sort_by(|a, b| key_order(&a.key).cmp(&key_order(&b.key)));
    }
}

/// `PAY-10` → (`PAY-`, 10, `PAY-10`): the prefix, the trailing number and the key itself.
fn key_order(key: &str) -> (&str, u64, &str) {
    let digits = key.len() - key.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (prefix, number) = key.split_at(key.len() - digits);
    (prefix, number.parse().unwrap_or(u64::MAX), key)
}

/// A name or key folded for matching: ASCII lowercase, `_` read as `-`.
pub fn fold_for_matching(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '_' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Whether the defect `key` is named in a test's qualified name (`classname.name`).
///
/// The match ignores ASCII case and treats `-` and `_` as the same character (`PAY-123` is named
/// by `test_pay_123_refund`), and it must stand on its own: not preceded by a letter or digit, and
/// not followed by a digit (`PAY-12` is not named by `PAY-123`, nor by `XPAY-12`). Keys that hold
/// no digit are never matched by name: too many words would match them by accident.
pub fn name_references_key(qualified: &str, key: &str) -> bool {
    folded_name_references_key(
        &fold_for_matching(qualified),
        &fold_for_matching(key.trim()),
    )
}

/// [`name_references_key`] on a name and a key already passed through [`fold_for_matching`], for
/// matching many keys against many names.
pub fn folded_name_references_key(name: &str, key: &str) -> bool {
    let (hay, needle) = (name.as_bytes(), key.as_bytes());
    let (Some(&first), Some(&last)) = (needle.first(), needle.last()) else {
        return false;
    };
    if !needle.iter().any(u8::is_ascii_digit) {
        return false;
    }
    let mut from = 0;
    while let Some(at) = name.get(from..).and_then(|rest| rest.find(key)) {
        let start = from + at;
        let end = start + needle.len();
        let before_ok =
            start == 0 || !hay[start - 1].is_ascii_alphanumeric() || !first.is_ascii_alphanumeric();
        let after_ok = end == hay.len() || !hay[end].is_ascii_digit() || !last.is_ascii_digit();
        if before_ok && after_ok {
            return true;
        }
        // Move past the first character of this occurrence (it may be multi-byte).
        from = start + name[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// Whether a defect reference written in a JUnit property (`defect`, `issue`, `jira`, `bug`)
/// names `key`: the same key, ignoring ASCII case, `-`/`_` folded.
pub fn property_references_key(value: &str, key: &str) -> bool {
    let (value, key) = (value.trim(), key.trim());
    !key.is_empty() && fold_for_matching(value) == fold_for_matching(key)
}

/// Defect leakage over a window, overall and per group: what `shipgate leakage` shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LeakageReport {
    /// Where the defects came from (`jira`, `file`, ...).
    pub source: String,
    /// The tracker or file.
    pub location: String,
    /// The window's length in days.
    pub window_days: u64,
    /// Defects created at or after this instant are counted.
    #[serde(with = "crate::instant::strict")]
    pub from: Timestamp,
    /// ... and at or before this one (the evaluation time).
    #[serde(with = "crate::instant::strict")]
    pub to: Timestamp,
    /// What the rows are grouped by: `month`, `severity`, `component` or `introduced-in`.
    pub by: String,
    /// Every defect created in the window.
    pub total: LeakageRow,
    /// Of the window's defects closed as not defects, how many for each reason
    /// (`resolution: Duplicate`).
    #[serde(default)]
    pub not_defects_by_reason: BTreeMap<String, u64>,
    /// One row per group, in the group's natural order (months oldest first; severities worst
    /// first; components and releases by production defects, most first).
    pub rows: Vec<LeakageRow>,
}

/// Counts of one group of defects and its leakage rate.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LeakageRow {
    /// The group (`2026-09`, `critical`, `Payments`, `Sprint 14`); `total` for the total.
    pub group: String,
    /// Found in production.
    pub production: u64,
    /// Found before production.
    pub pre_production: u64,
    /// Origin unknown: not in the rate.
    pub unclassified: u64,
    /// Closed as not being defects (duplicates, not a bug, ...): in no count, not in the rate.
    #[serde(default)]
    pub not_defects: u64,
    /// production ÷ (production + pre-production); `None` when both are 0.
    pub rate: Option<f64>,
}

impl LeakageRow {
    /// Counts one defect: beside the rate when it was closed as not a defect, else by origin.
    pub fn count_defect(&mut self, defect: &Defect) {
        if defect.closed_as_not_a_defect().is_some() {
            self.not_defects += 1;
        } else {
            self.count(defect.origin);
        }
    }

    /// Counts one defect of this origin.
    pub fn count(&mut self, origin: Origin) {
        match origin {
            Origin::Production => self.production += 1,
            Origin::PreProduction => self.pre_production += 1,
            Origin::Unknown => self.unclassified += 1,
        }
    }

    /// Sets `rate` from the counts.
    pub fn finish(&mut self) {
        let classified = self.production + self.pre_production;
        self.rate = (classified > 0).then(|| self.production as f64 / classified as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_numerically_within_a_prefix() {
        let mut keys = ["PAY-10", "OPS-2", "PAY-9", "#12", "#3", "PAY-100"];
        keys.sort_by(|a, b| key_order(a).cmp(&key_order(b)));
        assert_eq!(keys, ["#3", "#12", "OPS-2", "PAY-9", "PAY-10", "PAY-100"]);
    }

    #[test]
    fn a_name_references_a_key_standing_on_its_own() {
        let yes = [
            ("com.acme.RefundTest.PAY_123_refund_twice", "PAY-123"),
            ("tests/test_refund.py::test_pay_123_refund", "PAY-123"),
            ("RefundTest.regression[PAY-123]", "PAY-123"),
            ("PAY-123", "PAY-123"),
            ("test_issue_42", "issue-42"),
            ("test_regression_#42", "#42"),
        ];
        for (name, key) in yes {
            assert!(name_references_key(name, key), "{name} should name {key}");
        }
        let no = [
            ("test_pay_1234", "PAY-123"),
            ("test_xpay_123", "PAY-123"),
            ("test_pay123", "PAY-123"),
            ("test_#421", "#42"),
            ("anything", "LOGIN-BUG"),
            ("", "PAY-1"),
            ("PAY-1", ""),
        ];
        for (name, key) in no {
            assert!(
                !name_references_key(name, key),
                "{name} must not name {key}"
            );
        }
    }

    #[test]
    fn a_property_names_the_same_key_in_any_case() {
        assert!(property_references_key(" pay_123 ", "PAY-123"));
        assert!(!property_references_key("PAY-1234", "PAY-123"));
        assert!(!property_references_key("", ""));
    }

    #[test]
    fn origins_and_severities_have_their_policy_names() {
        assert_eq!(
            serde_json::to_string(&Origin::PreProduction).unwrap(),
            "\"pre-production\""
        );
        assert_eq!(Origin::PreProduction.as_str(), "pre-production");
        assert_eq!(
            serde_json::to_string(&Severity::Critical).unwrap(),
            "\"critical\""
        );
        assert!(Severity::Critical < Severity::Unknown);
    }
}
