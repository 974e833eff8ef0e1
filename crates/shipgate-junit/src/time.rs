//! Durations (`time="..."`) and suite timestamps (`timestamp="..."`) as real runners write
//! them. Neither ever makes a file unreadable: a value that cannot be read is `None` (and a
//! file with no readable time cannot prove its age to `evidence.provenance`).

use jiff::Timestamp;
use jiff::civil::{DateTime, Time};
use jiff::fmt::rfc2822::DateTimeParser;
use shipgate_model::Written;
use std::borrow::Cow;

/// Reads a `time` attribute in seconds.
///
/// Accepts what runners write in the wild: `0.012`, `1,234.5` (thousands separators, Jenkins
/// fixture `junit-report-testsuite-time-attrs.xml`), `4.5e-05` (Perl TAP::Formatter::JUnit),
/// `1967986371` (nanoseconds from container-structure-test: read as the number it is),
/// negative values (kept: a negative duration is the runner's bug, not a reason to fail the
/// file) and a decimal comma (`1,5`) when the commas cannot be thousands separators.
pub(crate) fn parse_time(raw: &str) -> Option<f64> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let text: Cow<'_, str> = if s.contains(',') {
        Cow::Owned(without_commas(s)?)
    } else {
        Cow::Borrowed(s)
    };
    let value: f64 = text.parse().ok()?;
    value.is_finite().then_some(value)
}

/// `1,234,567.5` → `1234567.5`; `1,5` → `1.5`; anything else with commas is unreadable.
fn without_commas(s: &str) -> Option<String> {
    let (mantissa, rest) = match s.find(['.', 'e', 'E']) {
        Some(at) => s.split_at(at),
        None => (s, ""),
    };
    let mut groups = mantissa.split(',');
    let first = groups.next()?;
    let later: Vec<&str> = groups.collect();
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let lead = first.trim_start_matches(['-', '+']);
    if digits(lead) && lead.len() <= 3 && later.iter().all(|g| g.len() == 3 && digits(g)) {
        return Some(format!("{}{rest}", mantissa.replace(',', "")));
    }
    if rest.is_empty() && later.len() == 1 && digits(lead) && digits(later[0]) {
        return Some(format!("{first}.{}", later[0]));
    }
    None
}

/// A suite `timestamp` as read: an instant, or the runner's local time with no zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SuiteTime {
    /// The attribute carried `Z`, an offset or a zone (or was RFC 2822, which always does).
    Instant(Timestamp),
    /// The attribute carried no zone: the runner's local time, an instant only in the zone the
    /// policy states (`sources.tests.timezone`). A date alone is its midnight, the earliest
    /// reading, so evidence never looks younger than it is.
    Local(DateTime),
}

/// Reads a suite `timestamp` attribute through the one date-time reader,
/// [`shipgate_model::Written`].
///
/// Spellings seen in real reports (Jenkins fixture `junit-report-testsuite-various-timestamps.xml`
/// and the mocha xunit reporter): RFC 3339 with `Z` or an offset, with `T` or a space between
/// date and time, `T ` with a stray space, fractional seconds, no offset at all (Surefire,
/// Gradle and most others write the runner's local time), a date alone, and RFC 2822
/// (`Sat, 03 Dec 2022 23:10:07 GMT`). A timestamp without a zone is never read as UTC: the
/// gate has no time zone of its own.
pub(crate) fn parse_timestamp(raw: &str) -> Option<SuiteTime> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    let compact: Cow<'_, str> = match s.find("T ") {
        Some(at) => Cow::Owned(format!("{}T{}", &s[..at], s[at + 2..].trim_start())),
        None => Cow::Borrowed(s),
    };
    match Written::parse(&compact) {
        Ok(Written::Instant(i)) => Some(SuiteTime::Instant(i.timestamp())),
        Ok(Written::Local(dt)) => Some(SuiteTime::Local(dt)),
        Ok(Written::Date(date)) => Some(SuiteTime::Local(date.to_datetime(Time::midnight()))),
        Err(_) => {
            static RFC2822: DateTimeParser = DateTimeParser::new();
            RFC2822.parse_timestamp(s).ok().map(SuiteTime::Instant)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_times() {
        assert_eq!(parse_time("0.012"), Some(0.012));
        assert_eq!(parse_time(" 11 "), Some(11.0));
        assert_eq!(parse_time("0"), Some(0.0));
    }

    #[test]
    fn thousands_separators_are_read() {
        assert_eq!(parse_time("2,503.1"), Some(2503.1));
        assert_eq!(parse_time("1,234,567.25"), Some(1_234_567.25));
        assert_eq!(parse_time("1,234"), Some(1234.0));
        assert_eq!(parse_time("-1,234.5"), Some(-1234.5));
    }

    #[test]
    fn a_decimal_comma_is_read() {
        assert_eq!(parse_time("1,5"), Some(1.5));
        assert_eq!(parse_time("0,25"), Some(0.25));
    }

    #[test]
    fn exponents_and_negatives_are_kept() {
        assert_eq!(
            parse_time("4.50611114501953e-05"),
            Some(4.506_111_145_019_53e-5)
        );
        assert_eq!(parse_time("1.2E-3"), Some(0.0012));
        assert_eq!(parse_time("-345345"), Some(-345_345.0));
        assert_eq!(parse_time("1967986371"), Some(1_967_986_371.0));
    }

    #[test]
    fn unreadable_times_are_none() {
        for bad in [
            "",
            "  ",
            "abc",
            "1.2.3",
            "NaN",
            "inf",
            "-infinity",
            "1,2,3",
            "12,34.5",
            "1s",
        ] {
            assert_eq!(parse_time(bad), None, "{bad:?}");
        }
    }

    fn ts(s: &str) -> String {
        match parse_timestamp(s).unwrap() {
            SuiteTime::Instant(t) => t.to_string(),
            SuiteTime::Local(dt) => format!("local {dt}"),
        }
    }

    #[test]
    fn the_jenkins_timestamp_spellings() {
        assert_eq!(ts("2024-01-03T11:23:00.00"), "local 2024-01-03T11:23:00");
        assert_eq!(ts("2024-01-03T12:27:11"), "local 2024-01-03T12:27:11");
        assert_eq!(ts("2024-01-03T 12:40:13"), "local 2024-01-03T12:40:13");
        assert_eq!(ts("2024-01-03T12:27:44Z"), "2024-01-03T12:27:44Z");
        assert_eq!(ts("2024-01-03 12:27:54Z"), "2024-01-03T12:27:54Z");
        assert_eq!(ts("2024-01-03"), "local 2024-01-03T00:00:00");
        assert_eq!(
            ts("2024-01-03T12:27:11.21-01:00"),
            "2024-01-03T13:27:11.21Z"
        );
        assert_eq!(ts("2024-01-03T12:27:15+01:00"), "2024-01-03T11:27:15Z");
        assert_eq!(
            ts("2020-09-04T16:18:04.966371"),
            "local 2020-09-04T16:18:04.966371"
        );
    }

    /// The fail-open this guards: a zoneless local time read as UTC makes evidence from a
    /// runner east of Greenwich look up to 14 hours younger than it is.
    #[test]
    fn a_zoneless_timestamp_is_never_an_instant() {
        for s in ["2026-11-24T09:00:00", "2026-11-24 09:00:00", "2026-11-24"] {
            assert!(
                matches!(parse_timestamp(s), Some(SuiteTime::Local(_))),
                "{s}"
            );
        }
    }

    #[test]
    fn rfc2822_zones_and_extremes() {
        assert_eq!(ts("Sat, 03 Dec 2022 23:10:07 GMT"), "2022-12-03T23:10:07Z");
        assert_eq!(ts("0001-01-01T00:00:00Z"), "0001-01-01T00:00:00Z");
        assert_eq!(
            ts("2026-11-24T04:00:00[America/New_York]"),
            "2026-11-24T09:00:00Z"
        );
    }

    #[test]
    fn unreadable_timestamps_are_none() {
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "12:00:00",
            "2024-01-03T25:00:00",
            "01/03/2024 12:00:00",
            // An offset that disagrees with its zone: one of them is wrong.
            "2026-11-24T04:00:00+03:00[America/New_York]",
        ] {
            assert!(parse_timestamp(bad).is_none(), "{bad:?}");
        }
    }
}
