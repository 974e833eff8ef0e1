//! `defects.open` (open defects per severity) and `defects.classified` (defects in the window
//! without a mapped severity or origin).

use super::result::{Check, LIST_LIMIT, plural, thousands};
use crate::defects::{DefectsCheck, MaxOpen};
use crate::policy::CheckSettings;
use crate::values::format_duration;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};
use shipgate_model::{
    CheckResult, Defect, DefectEvidence, DefectStatus, Origin, Severity, SourceState,
};
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

/// `[(severity, limit)]` for the severities `max_open` limits; `unknown` defaults to 0.
fn limits(max: &MaxOpen) -> Vec<(Severity, u64)> {
    [
        (Severity::Critical, max.critical),
        (Severity::High, max.high),
        (Severity::Medium, max.medium),
        (Severity::Low, max.low),
        (Severity::Unknown, Some(max.unknown.unwrap_or(0))),
    ]
    .into_iter()
    .filter_map(|(s, m)| m.map(|m| (s, m)))
    .collect()
}

pub(crate) fn open(
    max: &MaxOpen,
    settings: CheckSettings,
    defects: &SourceState<DefectEvidence>,
    now: Timestamp,
) -> CheckResult {
    let check = Check::new("defects.open", settings).with_unit("count");
    let limits = limits(max);
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
    let open_of = |s: Severity| {
        evidence
            .defects
            .iter()
            .filter(move |d| d.status == DefectStatus::Open && d.severity == s)
    };
    let mut observed = Map::new();
    let mut over: Vec<(Severity, usize, u64)> = Vec::new();
    let mut within: Vec<String> = Vec::new();
    for (s, limit) in &limits {
        let n = open_of(*s).count();
        observed.insert(s.as_str().to_owned(), json!(n));
        if n as u64 > *limit {
            over.push((*s, n, *limit));
        } else {
            within.push(format!("{} {n}/{limit}", s.as_str()));
        }
    }
    let mut details = Map::new();
    let open_total = evidence
        .defects
        .iter()
        .filter(|d| d.status == DefectStatus::Open)
        .count();
    details.insert("open".into(), json!(open_total));
    let mut blocking: Vec<&Defect> = over.iter().flat_map(|(s, _, _)| open_of(*s)).collect();
    // Oldest first: the longest-known risks lead.
    blocking.sort_by_key(|d| d.created);
    insert_defects(
        &mut details,
        "blocking_defects",
        blocking.iter().copied(),
        now,
        defect_entry,
    );
    let passed = over.is_empty();
    let message = if passed {
        format!(
            "open defects are within their limits: {}",
            within.join(", ")
        )
    } else {
        let parts: Vec<String> = over
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
    };
    let remedy = (!passed).then(|| {
        let keys: Vec<&str> = blocking.iter().take(5).map(|d| d.key.as_str()).collect();
        let more = blocking.len().saturating_sub(keys.len());
        let unknown = over.iter().any(|(s, _, _)| *s == Severity::Unknown);
        format!(
            "fix and close {}{} (listed in the details), or record an approved, time-boxed waiver for `defects.open`{}",
            keys.join(", "),
            if more > 0 { format!(" and {more} more") } else { String::new() },
            if unknown {
                "; a defect of unknown severity needs its severity set in the tracker (or its value added to `sources.defects.severity.map`)"
            } else {
                ""
            }
        )
    });
    check.measured(
        passed,
        Value::Object(observed),
        threshold,
        "count",
        message,
        remedy,
        details,
    )
}

pub(crate) fn classified(
    options: &DefectsCheck,
    window: Duration,
    settings: CheckSettings,
    defects: &SourceState<DefectEvidence>,
    now: Timestamp,
) -> CheckResult {
    let check = Check::new("defects.classified", settings).with_unit("count");
    let max = options.max_unclassified.unwrap_or(0);
    let threshold = json!(max);
    let evidence = match check.source(defects, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let window_text = format_duration(window);
    let considered: Vec<&Defect> = in_window(evidence, now, window).collect();
    let unclassified: Vec<&Defect> = considered
        .iter()
        .copied()
        .filter(|d| d.severity == Severity::Unknown || d.origin == Origin::Unknown)
        .collect();
    let mut details = Map::new();
    details.insert("window".into(), json!(window_text));
    details.insert("from".into(), json!(window_start(now, window).to_string()));
    details.insert("in_window".into(), json!(considered.len()));
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
    let message = format!(
        "{} of {} created in the last {window_text} {} no severity or origin the policy maps (at most {max} allowed)",
        thousands(n),
        plural(considered.len() as u64, "defect", "defects"),
        if n == 1 { "has" } else { "have" }
    );
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
        "count",
        message,
        remedy,
        details,
    )
}
