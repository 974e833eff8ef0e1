//! The date spellings of the trackers and of Jira's CSV export, read through the one
//! date-time reader, [`shipgate_model::Written`].
//!
//! A tracker's API writes instants (`Z` or an offset). Jira's CSV export writes the exporting
//! user's local time and does not say which zone that is: such a date becomes an instant only
//! in the zone the policy states (`sources.defects.timezone`), and without one it is refused.
//! It is never read as UTC: an hour's error moves a defect across a leakage window's edge.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use serde_json::Value;
use shipgate_model::{Instant, Written, Zone};

/// A date of a tracker's answer (`created`, `resolutiondate`, `closed_at`, `closed_on`):
/// RFC 3339 (`2026-01-15T09:00:00Z`, GitHub, GitLab, Redmine) or Jira's
/// `2024-03-12T09:41:23.456+0000` (an offset without a colon). Absent or `null` is no date.
/// Anything else must be an instant: a date-time without a zone, or a value that is no date, is
/// refused (`Err` says why), never read as "no date".
pub(crate) fn api_date(item: &Value, name: &str) -> Result<Option<Timestamp>, String> {
    match item.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Instant::parse(text)
            .map(|i| Some(i.timestamp()))
            .map_err(|e| format!("`{name}` `{text}` is not an instant: {e}")),
        Some(other) => Err(format!("`{name}` is `{other}`, not a date")),
    }
}

/// Why a date of the export could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExportDateError {
    /// Not a date Jira writes.
    Unreadable(String),
    /// A local time and no zone to read it in.
    NoZone(String),
    /// A local time the stated zone cannot turn into one instant (or an instant whose zone
    /// annotation is wrong).
    Zone(String),
}

/// A date as Jira's CSV export writes it, in the exporting user's time zone: `12/Mar/24 9:41 AM`
/// (the default), `12/Mar/2024 09:41`, or ISO `2024-03-12 09:41`; a date alone is midnight. A
/// date with a zone or an offset is read as the instant it names, whatever `tz` says.
pub(crate) fn export_date(text: &str, tz: Option<&Zone>) -> Result<Timestamp, ExportDateError> {
    let t = text.trim();
    let local = match Written::parse(t) {
        Ok(Written::Instant(i)) => return Ok(i.timestamp()),
        Ok(Written::Local(dt)) => dt,
        Ok(Written::Date(d)) => d.to_datetime(Time::midnight()),
        Err(e) if t.starts_with(|c: char| c.is_ascii_digit()) && t.get(4..5) == Some("-") => {
            // ISO-shaped but refused (a wrong zone, `24:00`, a leap second): say why.
            return Err(ExportDateError::Zone(e.to_string()));
        }
        Err(_) => jira_local(t).ok_or_else(|| {
            ExportDateError::Unreadable(format!(
                "`{t}` is not a date Jira writes (e.g. `12/Mar/24 9:41 AM`)"
            ))
        })?,
    };
    let Some(zone) = tz else {
        return Err(ExportDateError::NoZone(format!(
            "`{t}` carries no time zone (Jira writes the exporting user's local time without saying which zone), so it could be any of 26 hours"
        )));
    };
    zone.resolve(local, t)
        .map_err(|e| ExportDateError::Zone(e.to_string()))
}

/// Jira's own spellings, as a civil time.
fn jira_local(t: &str) -> Option<DateTime> {
    const FORMATS: [&str; 6] = [
        "%d/%b/%y %I:%M %p",
        "%d/%b/%Y %I:%M %p",
        "%d/%b/%y %H:%M",
        "%d/%b/%Y %H:%M",
        "%d/%b/%y %I:%M:%S %p",
        "%d/%b/%Y %H:%M:%S",
    ];
    for f in FORMATS {
        if let Ok(dt) = DateTime::strptime(f, t) {
            return Some(dt);
        }
    }
    for f in ["%d/%b/%y", "%d/%b/%Y"] {
        if let Ok(d) = Date::strptime(f, t) {
            return Some(d.to_datetime(Time::midnight()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn date(text: &str) -> Result<Option<Timestamp>, String> {
        api_date(&serde_json::json!({ "d": text }), "d")
    }

    #[test]
    fn api_spellings() {
        assert_eq!(
            date("2026-01-15T09:00:00Z"),
            Ok(Some(ts("2026-01-15T09:00:00Z")))
        );
        assert_eq!(
            date("2024-03-12T09:41:23.456+0000"),
            Ok(Some(ts("2024-03-12T09:41:23.456Z")))
        );
        assert_eq!(
            date("2024-03-12T11:41:23.000+0200"),
            Ok(Some(ts("2024-03-12T09:41:23Z")))
        );
        assert_eq!(api_date(&serde_json::json!({}), "d"), Ok(None));
        assert_eq!(api_date(&serde_json::json!({ "d": null }), "d"), Ok(None));
    }

    /// Found by the fail-closed mutation suite (`strip-zone`): a Jira `resolutiondate` without
    /// its zone was read as "not resolved" and the answer accepted; every tracker date that is
    /// written must be an instant.
    #[test]
    fn a_tracker_date_without_its_zone_is_refused_not_read_as_no_date() {
        for text in ["2024-03-12T09:41:23.456", "2024-03-12", "yesterday", ""] {
            let e = date(text).unwrap_err();
            assert!(
                e.starts_with(&format!("`d` `{text}` is not an instant")),
                "{e}"
            );
        }
        let e = api_date(&serde_json::json!({ "d": 1_710_236_483 }), "d").unwrap_err();
        assert_eq!(e, "`d` is `1710236483`, not a date");
    }

    fn at(text: &str, tz: &Zone) -> Option<Timestamp> {
        export_date(text, Some(tz)).ok()
    }

    #[test]
    fn jira_export_spellings_in_a_time_zone() {
        let utc = Zone::utc();
        assert_eq!(
            at("12/Mar/24 9:41 AM", &utc),
            Some(ts("2024-03-12T09:41:00Z"))
        );
        assert_eq!(
            at("01/Apr/24 12:05 PM", &utc),
            Some(ts("2024-04-01T12:05:00Z"))
        );
        assert_eq!(
            at("01/Apr/24 12:05 AM", &utc),
            Some(ts("2024-04-01T00:05:00Z"))
        );
        assert_eq!(
            at("12/Mar/2024 21:41", &utc),
            Some(ts("2024-03-12T21:41:00Z"))
        );
        assert_eq!(
            at("2024-03-12 09:41", &utc),
            Some(ts("2024-03-12T09:41:00Z"))
        );
        assert_eq!(
            at("2024-03-12 09:41:07", &utc),
            Some(ts("2024-03-12T09:41:07Z"))
        );
        assert_eq!(at("12/Mar/24", &utc), Some(ts("2024-03-12T00:00:00Z")));
        let berlin = Zone::named("Europe/Berlin").unwrap();
        assert_eq!(
            at("12/Mar/24 9:41 AM", &berlin),
            Some(ts("2024-03-12T08:41:00Z"))
        );
        // A date that names its instant keeps it, whatever the stated zone.
        assert_eq!(
            at("2024-03-12T09:41:00Z", &berlin),
            Some(ts("2024-03-12T09:41:00Z"))
        );
        assert_eq!(at("", &utc), None);
        assert_eq!(at("32/Mar/24 9:41 AM", &utc), None);
    }

    /// The fail-open this guards: read as UTC, a Berlin export's dates move by an hour or
    /// two, and a defect crosses the leakage window's edge.
    #[test]
    fn a_local_date_without_a_stated_zone_is_refused() {
        for text in ["12/Mar/24 9:41 AM", "2024-03-12 09:41", "12/Mar/24"] {
            let e = export_date(text, None).unwrap_err();
            assert!(
                matches!(&e, ExportDateError::NoZone(m) if m.contains("no time zone")),
                "{text}: {e:?}"
            );
        }
        assert_eq!(
            export_date("2024-03-12T09:41:23.456+0000", None),
            Ok(ts("2024-03-12T09:41:23.456Z"))
        );
    }

    #[test]
    fn a_local_time_the_zone_makes_ambiguous_is_refused() {
        let berlin = Zone::named("Europe/Berlin").unwrap();
        // The clocks go back from 03:00 to 02:00 on 27 October 2024.
        let e = export_date("27/Oct/24 2:30 AM", Some(&berlin)).unwrap_err();
        assert!(
            matches!(&e, ExportDateError::Zone(m) if m.contains("happens twice")),
            "{e:?}"
        );
        let e = export_date("2024-03-12T09:41:00+03:00[Europe/Berlin]", Some(&berlin)).unwrap_err();
        assert!(matches!(e, ExportDateError::Zone(_)), "{e:?}");
    }
}
