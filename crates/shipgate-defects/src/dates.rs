//! The date spellings of the trackers and of Jira's CSV export.

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// An API timestamp: RFC 3339 (`2026-01-15T09:00:00Z`, GitHub, GitLab, Redmine) or Jira's
/// `2024-03-12T09:41:23.456+0000` (an offset without a colon).
pub(crate) fn api_timestamp(text: &str) -> Option<Timestamp> {
    let t = text.trim();
    if let Ok(ts) = t.parse::<Timestamp>() {
        return Some(ts);
    }
    // `+0000` → `+00:00`.
    let b = t.as_bytes();
    if b.len() > 5 {
        let (head, tail) = t.split_at(t.len() - 5);
        let tb = tail.as_bytes();
        if (tb[0] == b'+' || tb[0] == b'-') && tb[1..].iter().all(u8::is_ascii_digit) {
            let fixed = format!("{head}{}:{}", &tail[..3], &tail[3..]);
            return fixed.parse::<Timestamp>().ok();
        }
    }
    None
}

/// A date as Jira's CSV export writes it, in the exporting user's time zone: `12/Mar/24 9:41 AM`
/// (the default), `12/Mar/2024 09:41`, or ISO `2024-03-12 09:41`. A date alone is midnight.
pub(crate) fn export_date(text: &str, tz: &TimeZone) -> Option<Timestamp> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Some(ts) = api_timestamp(t) {
        return Some(ts);
    }
    const FORMATS: [&str; 8] = [
        "%d/%b/%y %I:%M %p",
        "%d/%b/%Y %I:%M %p",
        "%d/%b/%y %H:%M",
        "%d/%b/%Y %H:%M",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%d/%b/%y %I:%M:%S %p",
    ];
    for f in FORMATS {
        if let Ok(dt) = DateTime::strptime(f, t) {
            return tz.to_timestamp(dt).ok();
        }
    }
    for f in ["%d/%b/%y", "%d/%b/%Y", "%Y-%m-%d"] {
        if let Ok(d) = jiff::civil::Date::strptime(f, t) {
            return tz
                .to_timestamp(d.to_datetime(jiff::civil::Time::midnight()))
                .ok();
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

    #[test]
    fn api_spellings() {
        assert_eq!(
            api_timestamp("2026-01-15T09:00:00Z"),
            Some(ts("2026-01-15T09:00:00Z"))
        );
        assert_eq!(
            api_timestamp("2024-03-12T09:41:23.456+0000"),
            Some(ts("2024-03-12T09:41:23.456Z"))
        );
        assert_eq!(
            api_timestamp("2024-03-12T11:41:23.000+0200"),
            Some(ts("2024-03-12T09:41:23Z"))
        );
        assert_eq!(api_timestamp("yesterday"), None);
        assert_eq!(api_timestamp(""), None);
    }

    #[test]
    fn jira_export_spellings_in_a_time_zone() {
        let utc = TimeZone::UTC;
        assert_eq!(
            export_date("12/Mar/24 9:41 AM", &utc),
            Some(ts("2024-03-12T09:41:00Z"))
        );
        assert_eq!(
            export_date("01/Apr/24 12:05 PM", &utc),
            Some(ts("2024-04-01T12:05:00Z"))
        );
        assert_eq!(
            export_date("01/Apr/24 12:05 AM", &utc),
            Some(ts("2024-04-01T00:05:00Z"))
        );
        assert_eq!(
            export_date("12/Mar/2024 21:41", &utc),
            Some(ts("2024-03-12T21:41:00Z"))
        );
        assert_eq!(
            export_date("2024-03-12 09:41", &utc),
            Some(ts("2024-03-12T09:41:00Z"))
        );
        assert_eq!(
            export_date("12/Mar/24", &utc),
            Some(ts("2024-03-12T00:00:00Z"))
        );
        let berlin = TimeZone::get("Europe/Berlin").unwrap();
        assert_eq!(
            export_date("12/Mar/24 9:41 AM", &berlin),
            Some(ts("2024-03-12T08:41:00Z"))
        );
        assert_eq!(export_date("", &utc), None);
        assert_eq!(export_date("32/Mar/24 9:41 AM", &utc), None);
    }
}
