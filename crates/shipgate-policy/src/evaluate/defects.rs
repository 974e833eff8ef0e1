//! `defects.open` (open defects per severity) and `defects.classified` (defects in the window
//! without a mapped severity or origin).

use super::result::{CheckRun, LIST_LIMIT, plural, thousands};
use crate::raw::CheckSettings;
use crate::values::format_duration;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::{
    CheckResult, Defect, DefectEvidence, DefectStatus, Origin, Severity, SourceState,
};
use std::collections::BTreeMap;
use std::time::Duration;

/// The first instant of a window ending at `now`.
pub(crate) fn window_start(now: Timestamp, window: Duration) -> Timestamp {
    SignedDuration::try_from(window)
        .ok()
        .and_then(|w| now.checked_sub(w).ok())
        .unwrap_or(Timestamp::MIN)
}

/// The defects created in `[now - window, now]`.
pub(crate) fn in_window(
    evidence: &DefectEvidence,
    now: Timestamp,
    window: Duration,
) -> impl Iterator<Item = &Defect> {
    let from = window_start(now, window);
    evidence
        .defects
        .iter()
        .filter(move |d| d.created_between(from, now))
}

/// Splits defects into those counted and those left out because the tracker closed them as not
/// defects ([`Defect::closed_as_not_a_defect`]: never an open one).
pub(crate) fn split_not_defects<'a>(
    defects: impl Iterator<Item = &'a Defect>,
) -> (Vec<&'a Defect>, Vec<&'a Defect>) {
    defects.partition(|d| d.closed_as_not_a_defect().is_none())
}

/// `reason → count` of defects marked as not defects, in a stable order.
fn by_reason<'a>(defects: impl Iterator<Item = &'a Defect>) -> BTreeMap<String, u64> {
    let mut reasons = BTreeMap::new();
    for d in defects {
        if let Some(n) = &d.not_a_defect {
            *reasons.entry(n.reason()).or_insert(0) += 1;
        }
    }
    reasons
}

/// `resolution: Duplicate 2, label: invalid 1`.
fn reasons_text(reasons: &BTreeMap<String, u64>) -> String {
    reasons
        .iter()
        .map(|(r, n)| format!("{r} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One defect as listed in details, with why it is marked as not a defect.
fn marked_entry(d: &Defect, now: Timestamp) -> Value {
    let mut e = defect_entry(d, now);
    if let (Value::Object(m), Some(n)) = (&mut e, &d.not_a_defect) {
        m.insert("reason".into(), json!(n.reason()));
    }
    e
}

/// Lists the defects left out as not defects in `details` (`not_defects` with each one's
/// `reason`, `not_defects_total`, `not_defects_by_reason`), and returns the clause a message
/// adds, when there are any: `2 closed as not defects are not counted (resolution: Duplicate 2)`.
pub(crate) fn insert_not_defects(
    details: &mut Map<String, Value>,
    excluded: &[&Defect],
    now: Timestamp,
) -> Option<String> {
    let reasons = by_reason(excluded.iter().copied());
    insert_defects(
        details,
        "not_defects",
        excluded.iter().copied(),
        now,
        marked_entry,
    );
    details.insert("not_defects_by_reason".into(), json!(reasons));
    (!excluded.is_empty()).then(|| {
        format!(
            "{} closed as not {} not counted ({})",
            thousands(excluded.len() as u64),
            if excluded.len() == 1 {
                "a defect is"
            } else {
                "defects are"
            },
            reasons_text(&reasons)
        )
    })
}

/// Whole days from `from` to `now` (0 for a defect created today or in the future).
pub(crate) fn age_days(from: Timestamp, now: Timestamp) -> i64 {
    now.duration_since(from).as_secs().max(0) / 86_400
}

/// One defect as listed in details.
pub(crate) fn defect_entry(d: &Defect, now: Timestamp) -> Value {
    let mut m = Map::new();
    m.insert("key".into(), json!(d.key));
    m.insert("title".into(), json!(d.title));
    m.insert("severity".into(), json!(d.severity.as_str()));
    m.insert("origin".into(), json!(d.origin.as_str()));
    m.insert("status".into(), json!(d.status.as_str()));
    m.insert("created".into(), json!(d.created.to_string()));
    m.insert("age_days".into(), json!(age_days(d.created, now)));
    if let Some(url) = &d.url {
        m.insert("url".into(), json!(url));
    }
    Value::Object(m)
}

/// A capped list of defects plus its total, under `key` and `key_total`.
pub(crate) fn insert_defects<'a>(
    details: &mut Map<String, Value>,
    key: &str,
    defects: impl Iterator<Item = &'a Defect>,
    now: Timestamp,
    entry: impl Fn(&Defect, Timestamp) -> Value,
) -> usize {
    let mut list = Vec::new();
    let mut total = 0;
    for d in defects {
        total += 1;
        if list.len() < LIST_LIMIT {
            list.push(entry(d, now));
        }
    }
    details.insert(key.into(), Value::Array(list));
    details.insert(format!("{key}_total"), json!(total));
    total
}

/// Open defects per severity against `limits` (`unknown` is always among them).
pub(crate) fn open(
    limits: &[(Severity, u64)],
    settings: CheckSettings,
    defects: &SourceState<DefectEvidence>,
    now: Timestamp,
) -> CheckResult {
    let check = CheckRun::new("defects.open", settings).with_unit(CheckUnit::Count);
    let threshold = Value::Object(
        limits
            .iter()
            .map(|(s, m)| (s.as_str().to_owned(), json!(m)))
            .collect(),
    );
    let evidence = match check.source(defects, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let m = OpenDefects::of(limits, evidence);
    let details = open_details(evidence, &m.blocking, now);
    let passed = m.over.is_empty();
    let message = open_message(&m);
    let remedy = (!passed).then(|| open_remedy(&m));
    check.measured(
        passed,
        Value::Object(m.observed),
        threshold,
        CheckUnit::Count,
        message,
        remedy,
        details,
    )
}

/// What `defects.open` measures: the open defects of each limited severity.
struct OpenDefects<'e> {
    /// `severity → open count`, in the order of the limits.
    observed: Map<String, Value>,
    /// Severities over their limit, with the count and the limit: each one fails.
    over: Vec<(Severity, usize, u64)>,
    /// `severity count/limit` of those within their limit.
    within: Vec<String>,
    /// The open defects of the severities over their limit, oldest first.
    blocking: Vec<&'e Defect>,
}

impl<'e> OpenDefects<'e> {
    fn of(limits: &[(Severity, u64)], evidence: &'e DefectEvidence) -> Self {
        let open_of = |s: Severity| {
            evidence
                .defects
                .iter()
                .filter(move |d| d.status == DefectStatus::Open && d.severity == s)
        };
        let mut observed = Map::new();
        let mut over: Vec<(Severity, usize, u64)> = Vec::new();
        let mut within: Vec<String> = Vec::new();
        for (s, limit) in limits {
            let n = open_of(*s).count();
            observed.insert(s.as_str().to_owned(), json!(n));
            if n as u64 > *limit {
                over.push((*s, n, *limit));
            } else {
                within.push(format!("{} {n}/{limit}", s.as_str()));
            }
        }
        let mut blocking: Vec<&Defect> = over.iter().flat_map(|(s, _, _)| open_of(*s)).collect();
        // Oldest first: the longest-known risks lead.
        blocking.sort_by_key(|d| d.created);
        Self {
            observed,
            over,
            within,
            blocking,
        }
    }
}

/// The open count, the open defects marked as not defects, and the blocking defects.
fn open_details(
    evidence: &DefectEvidence,
    blocking: &[&Defect],
    now: Timestamp,
) -> Map<String, Value> {
    let mut details = Map::new();
    let open_total = evidence
        .defects
        .iter()
        .filter(|d| d.status == DefectStatus::Open)
        .count();
    details.insert("open".into(), json!(open_total));
    // Marked as not defects but still open: they count until they are closed, and the report
    // says so rather than leave the reader guessing why a duplicate blocks.
    insert_defects(
        &mut details,
        "open_marked_not_defects",
        evidence
            .defects
            .iter()
            .filter(|d| d.status == DefectStatus::Open && d.not_a_defect.is_some()),
        now,
        marked_entry,
    );
    insert_defects(
        &mut details,
        "blocking_defects",
        blocking.iter().copied(),
        now,
        defect_entry,
    );
    details
}

/// Each severity within its limit, or each one over it with its limit.
fn open_message(m: &OpenDefects<'_>) -> String {
    if m.over.is_empty() {
        format!(
            "open defects are within their limits: {}",
            m.within.join(", ")
        )
    } else {
        let parts: Vec<String> = m
            .over
            .iter()
            .map(|(s, n, limit)| {
                format!(
                    "{} (at most {limit} allowed)",
                    plural(
                        *n as u64,
                        &format!("open {} defect", s.as_str()),
                        &format!("open {} defects", s.as_str())
                    )
                )
            })
            .collect();
        parts.join(" and ")
    }
}

/// The first blocking defects to fix and close, and what a defect of unknown severity needs.
fn open_remedy(m: &OpenDefects<'_>) -> String {
    let keys: Vec<&str> = m.blocking.iter().take(5).map(|d| d.key.as_str()).collect();
    let more = m.blocking.len().saturating_sub(keys.len());
    let unknown = m.over.iter().any(|(s, _, _)| *s == Severity::Unknown);
    format!(
        "fix and close {}{} (listed in the details), or record an approved, time-boxed waiver for `defects.open`{}",
        keys.join(", "),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        },
        if unknown {
            "; a defect of unknown severity needs its severity set in the tracker (or its value added to `sources.defects.severity.map`)"
        } else {
            ""
        }
    )
}

pub(crate) fn classified(
    max: u64,
    window: Duration,
    settings: CheckSettings,
    defects: &SourceState<DefectEvidence>,
    now: Timestamp,
) -> CheckResult {
    let check = CheckRun::new("defects.classified", settings).with_unit(CheckUnit::Count);
    let threshold = json!(max);
    let evidence = match check.source(defects, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let window_text = format_duration(window);
    // A defect closed as not a defect is in no rate, so it needs no severity or origin.
    let (considered, excluded) = split_not_defects(in_window(evidence, now, window));
    let unclassified: Vec<&Defect> = considered
        .iter()
        .copied()
        .filter(|d| d.severity == Severity::Unknown || d.origin == Origin::Unknown)
        .collect();
    let mut details = Map::new();
    details.insert("window".into(), json!(window_text));
    details.insert("from".into(), json!(window_start(now, window).to_string()));
    details.insert("in_window".into(), json!(considered.len()));
    let left_out = insert_not_defects(&mut details, &excluded, now);
    insert_defects(
        &mut details,
        "unclassified_defects",
        unclassified.iter().copied(),
        now,
        |d, now| {
            let mut e = defect_entry(d, now);
            if let Value::Object(m) = &mut e {
                let mut missing = Vec::new();
                if d.severity == Severity::Unknown {
                    missing.push("severity");
                    m.insert("severity_values".into(), json!(d.severity_raw));
                }
                if d.origin == Origin::Unknown {
                    missing.push("origin");
                    m.insert("origin_values".into(), json!(d.origin_raw));
                }
                m.insert("missing".into(), json!(missing));
            }
            e
        },
    );
    let n = unclassified.len() as u64;
    let passed = n <= max;
    let mut message = format!(
        "{} of {} created in the last {window_text} {} no severity or origin the policy maps (at most {max} allowed)",
        thousands(n),
        plural(considered.len() as u64, "defect", "defects"),
        if n == 1 { "has" } else { "have" }
    );
    if let Some(clause) = left_out {
        message.push_str(&format!("; {clause}"));
    }
    let remedy = (!passed).then(|| {
        let mut values: Vec<&str> = unclassified
            .iter()
            .flat_map(|d| {
                let sev = (d.severity == Severity::Unknown).then_some(d.severity_raw.iter());
                let ori = (d.origin == Origin::Unknown).then_some(d.origin_raw.iter());
                sev.into_iter().flatten().chain(ori.into_iter().flatten())
            })
            .map(String::as_str)
            .collect();
        values.sort_unstable();
        values.dedup();
        let named = if values.is_empty() {
            String::new()
        } else {
            format!(
                ", or add the unmapped values ({}) to `sources.defects.severity.map` / `sources.defects.origin`",
                values
                    .iter()
                    .take(5)
                    .map(|v| format!("`{v}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        format!(
            "set the severity and origin of the defects listed in the details in the tracker{named}; unclassified defects would skew the leakage rate"
        )
    });
    check.measured(
        passed,
        json!(n),
        threshold,
        CheckUnit::Count,
        message,
        remedy,
        details,
    )
}
