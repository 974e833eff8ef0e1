//! Checks that collect several independent problems (`uat.signoff`, `evidence.provenance`):
//! each problem names what it is about, what is wrong and what to do, and the check's message
//! and remedy are built from all of them.

use super::result::{LIST_LIMIT, plural};
use crate::values::format_duration;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use std::time::Duration;

/// One problem found by a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Finding {
    /// What it is about: a role, a field, a file.
    pub about: String,
    /// What is wrong, as a sentence fragment that names the role, field or file.
    pub message: String,
    /// What would fix it.
    pub remedy: String,
}

impl Finding {
    pub fn new(
        about: impl Into<String>,
        message: impl Into<String>,
        remedy: impl Into<String>,
    ) -> Self {
        Self {
            about: about.into(),
            message: message.into(),
            remedy: remedy.into(),
        }
    }
}

/// `first problem (and N more)`.
pub(crate) fn summary(findings: &[Finding]) -> String {
    match findings {
        [] => String::new(),
        [one] => one.message.clone(),
        [first, rest @ ..] => format!(
            "{} (and {} more problem{}: see the details)",
            first.message,
            rest.len(),
            if rest.len() == 1 { "" } else { "s" }
        ),
    }
}

/// Every distinct remedy, in order, joined.
pub(crate) fn remedy(findings: &[Finding]) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for f in findings {
        if !seen.contains(&f.remedy.as_str()) {
            seen.push(&f.remedy);
        }
    }
    (!seen.is_empty()).then(|| seen.join("; "))
}

/// `problems` (capped) and `problems_total` in the details.
pub(crate) fn insert(details: &mut Map<String, Value>, findings: &[Finding]) {
    details.insert(
        "problems".into(),
        Value::Array(
            findings
                .iter()
                .take(LIST_LIMIT)
                .map(|f| json!({"about": f.about, "message": f.message, "remedy": f.remedy}))
                .collect(),
        ),
    );
    details.insert("problems_total".into(), json!(findings.len()));
}

/// How long ago `then` was, for people: `40 minutes`, `5 hours`, `3 days`. Rounded down, so an
/// age never reads as younger than the limit it broke.
pub(crate) fn age(now: Timestamp, then: Timestamp) -> String {
    let secs = now.as_second().saturating_sub(then.as_second()).max(0);
    let secs = u64::try_from(secs).unwrap_or(0);
    describe(Duration::from_secs(secs))
}

/// A duration for people, rounded down to its largest unit.
pub(crate) fn describe(d: Duration) -> String {
    let secs = d.as_secs();
    let (n, one, many) = match secs {
        s if s >= 2 * 86_400 => (s / 86_400, "day", "days"),
        s if s >= 2 * 3_600 => (s / 3_600, "hour", "hours"),
        s if s >= 120 => (s / 60, "minute", "minutes"),
        s => (s, "second", "seconds"),
    };
    plural(n, one, many)
}

/// A limit as people write it in a policy: `14d` stays `14d` (never `2w`), `36h`, `90m`; other
/// lengths as [`format_duration`] writes them.
pub(crate) fn limit(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_nanos() == 0 && secs > 0 {
        for (size, unit) in [(86_400, "d"), (3_600, "h"), (60, "m")] {
            if secs.is_multiple_of(size) {
                return format!("{}{unit}", secs / size);
            }
        }
    }
    format_duration(d)
}

/// `then` is after `now + skew`.
pub(crate) fn in_future(now: Timestamp, then: Timestamp, skew: Duration) -> bool {
    let skew = i64::try_from(skew.as_secs()).unwrap_or(i64::MAX);
    then.as_second() > now.as_second().saturating_add(skew)
}

/// `then` is more than `max` before `now`.
pub(crate) fn older_than(now: Timestamp, then: Timestamp, max: Duration) -> bool {
    let max = i64::try_from(max.as_secs()).unwrap_or(i64::MAX);
    now.as_second().saturating_sub(then.as_second()) > max
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn ages_read_in_their_largest_unit_rounded_down() {
        let now = ts("2026-11-24T10:00:00Z");
        assert_eq!(age(now, ts("2026-11-20T15:04:00Z")), "3 days");
        assert_eq!(age(now, ts("2026-11-23T10:00:00Z")), "24 hours");
        assert_eq!(age(now, ts("2026-11-24T09:20:00Z")), "40 minutes");
        assert_eq!(age(now, ts("2026-11-24T09:59:59Z")), "1 second");
        assert_eq!(age(now, ts("2026-11-25T00:00:00Z")), "0 seconds");
    }

    #[test]
    fn limits_are_exclusive_of_the_boundary() {
        let now = ts("2026-11-24T10:00:00Z");
        let day = Duration::from_secs(86_400);
        assert!(!older_than(now, ts("2026-11-23T10:00:00Z"), day));
        assert!(older_than(now, ts("2026-11-23T09:59:59Z"), day));
        let skew = Duration::from_secs(300);
        assert!(!in_future(now, ts("2026-11-24T10:05:00Z"), skew));
        assert!(in_future(now, ts("2026-11-24T10:05:01Z"), skew));
        assert!(in_future(now, ts("2026-11-24T10:00:01Z"), Duration::ZERO));
    }

    #[test]
    fn limits_read_as_written() {
        assert_eq!(limit(Duration::from_secs(14 * 86_400)), "14d");
        assert_eq!(limit(Duration::from_secs(36 * 3_600)), "36h");
        assert_eq!(limit(Duration::from_secs(300)), "5m");
        assert_eq!(limit(Duration::from_millis(1_500)), "1500ms");
    }

    #[test]
    fn remedies_are_listed_once() {
        let f = [
            Finding::new("a", "m1", "do x"),
            Finding::new("b", "m2", "do x"),
            Finding::new("c", "m3", "do y"),
        ];
        assert_eq!(remedy(&f).unwrap(), "do x; do y");
        assert_eq!(summary(&f), "m1 (and 2 more problems: see the details)");
        assert_eq!(remedy(&[]), None);
    }
}
