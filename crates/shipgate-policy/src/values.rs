//! Leaf values of the policy: percentages, durations, expiry dates and test patterns.
//!
//! Each accepts the spellings the brief documents, refuses anything else with a message that
//! shows an accepted spelling, and describes itself in the JSON Schema.

use jiff::Timestamp;
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use shipgate_model::{TestPattern, Zone};
use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

/// A fraction between 0 and 1, written `98%`, `97.5%` or `0.98`.
///
/// Kept as an exact decimal fraction (`num / den`) so that comparisons at the threshold are
/// exact: 49 of 50 tests is exactly 98%, never 97.99999%.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Percent {
    num: u64,
    den: u64,
}

impl Percent {
    /// Parses `98%`, `97.25%` or `0.98`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let hint = "write a percentage such as `98%` or a fraction such as `0.98`";
        let (digits, scale) = match t.strip_suffix('%') {
            Some(p) => (p.trim(), 100u64),
            None => (t, 1u64),
        };
        let (num, den) =
            parse_decimal(digits).ok_or_else(|| format!("`{t}` is not a number; {hint}"))?;
        let den = den
            .checked_mul(scale)
            .ok_or_else(|| format!("`{t}` has too many decimal places"))?;
        if num > den {
            return Err(if scale == 1 {
                format!("`{t}` is more than 1; {hint} (did you mean `{t}%`?)")
            } else {
                format!("`{t}` is more than 100%")
            });
        }
        Ok(Self { num, den })
    }

    /// Whether it is more than 0 and less than 1% (`0.98%`, `0.005`).
    pub fn is_above_zero_below_one_percent(self) -> bool {
        self.num > 0 && u128::from(self.num) * 100 < u128::from(self.den)
    }

    /// The fraction as a float, for display and JSON.
    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// Whether `part / whole` is at least this fraction (exact). `whole` must be > 0.
    pub fn reached_by(self, part: u64, whole: u64) -> bool {
        u128::from(part) * u128::from(self.den) >= u128::from(self.num) * u128::from(whole)
    }

    /// Whether `part / whole` is at most this fraction (exact). `whole` must be > 0.
    pub fn not_exceeded_by(self, part: u64, whole: u64) -> bool {
        u128::from(part) * u128::from(self.den) <= u128::from(self.num) * u128::from(whole)
    }

    /// The smallest `part` with `part / whole` at least this fraction.
    pub fn min_part_of(self, whole: u64) -> u64 {
        let need = u128::from(self.num) * u128::from(whole);
        let den = u128::from(self.den);
        u64::try_from(need.div_ceil(den)).unwrap_or(u64::MAX)
    }

    /// The largest `part` with `part / whole` at most this fraction.
    pub fn max_part_of(self, whole: u64) -> u64 {
        let allowed = u128::from(self.num) * u128::from(whole) / u128::from(self.den);
        u64::try_from(allowed).unwrap_or(u64::MAX)
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_percent(self.as_f64()))
    }
}

/// `0.975` → `97.5%`; at most two decimals, trailing zeros dropped.
pub fn format_percent(fraction: f64) -> String {
    let pct = fraction * 100.0;
    let s = format!("{pct:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// Parses a non-negative decimal (`97.25`) into an exact fraction.
fn parse_decimal(text: &str) -> Option<(u64, u64)> {
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    if (int.is_empty() && frac.is_empty())
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 12
    {
        return None;
    }
    let den = 10u64.checked_pow(u32::try_from(frac.len()).ok()?)?;
    let int_part: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac_part: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let num = int_part.checked_mul(den)?.checked_add(frac_part)?;
    Some((num, den))
}

pub(crate) struct TextOrNumber(pub(crate) &'static str);

impl Visitor<'_> for TextOrNumber {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_owned())
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
        // The shortest text that reads back as the same float: 0.98 stays "0.98".
        Ok(v.to_string())
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = d.deserialize_str(TextOrNumber("a percentage such as `98%` or `0.98`"))?;
        Percent::parse(&text).map_err(de::Error::custom)
    }
}

impl Serialize for Percent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.as_f64())
    }
}

impl JsonSchema for Percent {
    fn schema_name() -> Cow<'static, str> {
        "Percent".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A percentage (`98%`, `97.5%`) or a fraction between 0 and 1 (`0.98`).",
            "oneOf": [
                { "type": "string", "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*%\\s*$" },
                { "type": "number", "minimum": 0, "maximum": 1 }
            ]
        })
    }
}

/// A length of time, written `300ms`, `2s`, `5m`, `1h`, `90d` or `2w` (decimals allowed: `1.5s`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DurationSpec(pub Duration);

impl DurationSpec {
    /// Parses a duration with its unit.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let hint = "write a number and a unit: `300ms`, `2s`, `5m`, `1h`, `90d` or `2w`";
        let split = t
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(|| format!("`{t}` has no unit; {hint}"))?;
        let (number, unit) = t.split_at(split);
        let nanos_per_unit: u128 = match unit.trim() {
            "ns" => 1,
            "us" | "µs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" | "min" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "d" => 86_400_000_000_000,
            "w" => 604_800_000_000_000,
            other => return Err(format!("`{other}` is not a unit of time; {hint}")),
        };
        let (num, den) =
            parse_decimal(number).ok_or_else(|| format!("`{t}` is not a duration; {hint}"))?;
        let nanos = u128::from(num) * nanos_per_unit / u128::from(den);
        let nanos = u64::try_from(nanos).map_err(|_| format!("`{t}` is too long"))?;
        Ok(Self(Duration::from_nanos(nanos)))
    }

    /// The duration.
    pub fn get(self) -> Duration {
        self.0
    }
}

impl fmt::Display for DurationSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_duration(self.0))
    }
}

/// A readable duration: `90d`, `1.5s`, `300ms`.
pub fn format_duration(d: Duration) -> String {
    let nanos = d.as_nanos();
    let units: [(u128, &str); 6] = [
        (604_800_000_000_000, "w"),
        (86_400_000_000_000, "d"),
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
    ];
    for (size, name) in units {
        if nanos >= size && nanos.is_multiple_of(size) {
            return format!("{}{name}", nanos / size);
        }
    }
    if nanos >= 1_000_000_000 {
        return format!("{}s", trim_float(d.as_secs_f64()));
    }
    format!("{}ms", trim_float(d.as_secs_f64() * 1000.0))
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = d.deserialize_str(TextOrNumber("a duration such as `300ms`, `2s` or `90d`"))?;
        DurationSpec::parse(&text).map_err(de::Error::custom)
    }
}

impl Serialize for DurationSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl JsonSchema for DurationSpec {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A duration: a number and a unit (`ms`, `s`, `m`, `h`, `d`, `w`), e.g. `300ms`, `2s`, `90d`.",
            "type": "string",
            "pattern": "^\\s*[0-9]+(\\.[0-9]+)?\\s*(ns|us|µs|ms|s|m|min|h|d|w)\\s*$"
        })
    }
}

/// When a waiver (or quarantine entry) stops holding: a date, valid through the end of that
/// day in UTC, or an instant with `Z`, an offset or a bracketed zone. Read by
/// [`shipgate_model::Expiry`], the one reader of expiries; a date-time without a zone is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expiry(shipgate_model::Expiry);

impl Expiry {
    /// Parses `2026-12-31`, `2026-12-31T18:00:00Z`, `2026-12-31T19:00:00+01:00` or
    /// `2026-12-31T13:00:00[America/New_York]`.
    pub fn parse(text: &str) -> Result<Self, String> {
        shipgate_model::Expiry::parse(text)
            .map(Expiry)
            .map_err(|e| e.to_string())
    }

    /// Whether it has passed at `now`.
    pub fn has_passed(&self, now: Timestamp) -> bool {
        self.0.has_passed(now)
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The first instant at which it no longer holds.
    pub fn ends_at(&self) -> Timestamp {
        self.0.ends_at()
    }
}

impl<'de> Deserialize<'de> for Expiry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = d.deserialize_str(TextOrNumber(
            "a date such as `2026-12-31` or an instant such as `2026-12-31T18:00:00Z`",
        ))?;
        Expiry::parse(&text).map_err(de::Error::custom)
    }
}

impl JsonSchema for Expiry {
    fn schema_name() -> Cow<'static, str> {
        "Expiry".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A date (`2026-12-31`, valid through the end of that day, UTC) or an instant with `Z`, an offset or a bracketed zone (`2026-12-31T18:00:00Z`, `2026-12-31T19:00:00+01:00`, `2026-12-31T13:00:00[America/New_York]`). A date-time without a zone is refused.",
            "type": "string"
        })
    }
}

/// A text value that may be written empty, meaning "none": only the keys whose documentation
/// says so (`release.commit: ${GITHUB_SHA:-}` outside a pipeline). Everywhere else an empty or
/// null value is refused by the reader, so that it can never switch a setting off.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionalText(Option<String>);

impl OptionalText {
    /// The text, trimmed; `None` when empty or not written.
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref().map(str::trim).filter(|t| !t.is_empty())
    }

    /// The text as an owned value; `None` when empty or not written.
    pub fn to_option(&self) -> Option<String> {
        self.get().map(str::to_owned)
    }
}

impl<'de> Deserialize<'de> for OptionalText {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl Visitor<'_> for Visit {
            type Value = OptionalText;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a single value, or nothing")
            }
            fn visit_unit<E: de::Error>(self) -> Result<OptionalText, E> {
                Ok(OptionalText(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<OptionalText, E> {
                Ok(OptionalText(None))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<OptionalText, E> {
                Ok(OptionalText(Some(v.to_owned())))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<OptionalText, E> {
                Ok(OptionalText(Some(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<OptionalText, E> {
                Ok(OptionalText(Some(v.to_string())))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<OptionalText, E> {
                Ok(OptionalText(Some(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<OptionalText, E> {
                Ok(OptionalText(Some(v.to_string())))
            }
        }
        d.deserialize_any(Visit)
    }
}

impl JsonSchema for OptionalText {
    fn schema_name() -> Cow<'static, str> {
        "OptionalText".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A value that may be empty (`${GITHUB_SHA:-}` outside a pipeline), meaning none.",
            "anyOf": [{ "type": "string" }, { "type": "number" }, { "const": null }]
        })
    }
}

/// An IANA time zone a policy states (`timezone: Europe/Berlin`), for evidence whose dates carry
/// none. Checked when the policy is read, against the database shipgate carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeZoneName(pub Zone);

impl TimeZoneName {
    /// The zone.
    pub fn zone(&self) -> &Zone {
        &self.0
    }
}

impl<'de> Deserialize<'de> for TimeZoneName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = d.deserialize_str(TextOrNumber(
            "an IANA time zone such as `Europe/Berlin` or `UTC`",
        ))?;
        Zone::named(&text)
            .map(TimeZoneName)
            .map_err(de::Error::custom)
    }
}

impl JsonSchema for TimeZoneName {
    fn schema_name() -> Cow<'static, str> {
        "TimeZone".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "An IANA time zone name (`Europe/Berlin`, `America/New_York`, `UTC`) or a fixed offset (`+01:00`).",
            "type": "string",
            "minLength": 1
        })
    }
}

/// A text value for which empty is a meaning of its own, not "none": a label prefix, where `""`
/// compares whole labels. A null (`~`, or nothing written) is still refused.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextOrEmpty(pub String);

impl<'de> Deserialize<'de> for TextOrEmpty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl Visitor<'_> for Visit {
            type Value = TextOrEmpty;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a text value (`\"\"` for an empty one)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TextOrEmpty, E> {
                Ok(TextOrEmpty(v.to_owned()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TextOrEmpty, E> {
                Ok(TextOrEmpty(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TextOrEmpty, E> {
                Ok(TextOrEmpty(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TextOrEmpty, E> {
                Ok(TextOrEmpty(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<TextOrEmpty, E> {
                Ok(TextOrEmpty(v.to_string()))
            }
        }
        d.deserialize_any(Visit)
    }
}

impl JsonSchema for TextOrEmpty {
    fn schema_name() -> Cow<'static, str> {
        "TextOrEmpty".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "string" })
    }
}

/// A test-name pattern (`com.acme.payment.*`, `*Payment*`); see [`TestPattern`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern(pub TestPattern);

impl<'de> Deserialize<'de> for Pattern {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = d.deserialize_str(TextOrNumber("a test-name pattern such as `*Payment*`"))?;
        TestPattern::new(&text)
            .map(Pattern)
            .map_err(de::Error::custom)
    }
}

impl JsonSchema for Pattern {
    fn schema_name() -> Cow<'static, str> {
        "TestPattern".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A pattern over `classname.name`: `*` matches any run of characters (dots included); everything else is literal and case-sensitive.",
            "type": "string",
            "minLength": 1
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_spellings() {
        assert_eq!(
            Percent::parse("98%").unwrap(),
            Percent::parse("0.98").unwrap()
        );
        assert!((Percent::parse("97.25%").unwrap().as_f64() - 0.9725).abs() < 1e-12);
        assert_eq!(Percent::parse("100%").unwrap().as_f64(), 1.0);
        assert_eq!(Percent::parse("0").unwrap().as_f64(), 0.0);
        assert!(
            Percent::parse("98")
                .unwrap_err()
                .contains("did you mean `98%`")
        );
        assert!(Percent::parse("101%").is_err());
        assert!(Percent::parse("-1%").is_err());
        assert!(Percent::parse("ninety").is_err());
        assert!(Percent::parse("").is_err());
    }

    #[test]
    fn percent_comparisons_are_exact_at_the_threshold() {
        let p = Percent::parse("98%").unwrap();
        assert!(p.reached_by(49, 50));
        assert!(!p.reached_by(48, 50));
        assert!(p.reached_by(980, 1000));
        assert!(!p.reached_by(979, 1000));
        let third = Percent::parse("0.3333").unwrap();
        assert!(third.reached_by(3333, 10000));
        assert!(!third.reached_by(3332, 10000));
        let max = Percent::parse("2%").unwrap();
        assert!(max.not_exceeded_by(2, 100));
        assert!(!max.not_exceeded_by(3, 100));
        assert_eq!(p.min_part_of(1204), 1180); // 1179.92 rounds up
        assert_eq!(max.max_part_of(149), 2); // 2.98 rounds down
    }

    #[test]
    fn percent_display() {
        assert_eq!(Percent::parse("0.98").unwrap().to_string(), "98%");
        assert_eq!(Percent::parse("97.25%").unwrap().to_string(), "97.25%");
        assert_eq!(format_percent(0.973), "97.3%");
    }

    #[test]
    fn duration_spellings() {
        assert_eq!(
            DurationSpec::parse("300ms").unwrap().get(),
            Duration::from_millis(300)
        );
        assert_eq!(
            DurationSpec::parse("2s").unwrap().get(),
            Duration::from_secs(2)
        );
        assert_eq!(
            DurationSpec::parse("1.5s").unwrap().get(),
            Duration::from_millis(1500)
        );
        assert_eq!(
            DurationSpec::parse("90d").unwrap().get(),
            Duration::from_secs(90 * 86_400)
        );
        assert_eq!(
            DurationSpec::parse("2w").unwrap().get(),
            Duration::from_secs(14 * 86_400)
        );
        assert!(DurationSpec::parse("300").unwrap_err().contains("no unit"));
        assert!(DurationSpec::parse("3 fortnights").is_err());
        assert_eq!(DurationSpec::parse("90d").unwrap().to_string(), "90d");
        assert_eq!(DurationSpec::parse("1.5s").unwrap().to_string(), "1500ms");
    }

    #[test]
    fn expiry_is_inclusive_of_its_day() {
        let e = Expiry::parse("2026-12-31").unwrap();
        assert!(!e.has_passed("2026-12-31T23:59:59Z".parse().unwrap()));
        assert!(e.has_passed("2027-01-01T00:00:00Z".parse().unwrap()));
        let exact = Expiry::parse("2026-12-31T18:00:00Z").unwrap();
        assert!(exact.has_passed("2026-12-31T18:00:00Z".parse().unwrap()));
        assert!(Expiry::parse("31/12/2026").is_err());
        assert!(Expiry::parse("2026-02-30").is_err());
    }

    /// A date-time without a zone used to be read as its date and held until midnight UTC.
    #[test]
    fn an_expiry_without_a_zone_is_refused() {
        let e = Expiry::parse("2026-11-24T09:59:59").unwrap_err();
        assert!(e.contains("no time zone"), "{e}");
        assert!(Expiry::parse("2026-11-24 09:59:59").is_err());
    }

    const WAIVED: &str = "\
version: 1
release: {name: pay, version: '1.0'}
sources:
  tests:
    junit: [\"reports/*.xml\"]
checks:
  regression: {min_pass_rate: 98%}
waivers:
  - check: regression.pass-rate
    reason: PAY-9 ships in the hotfix
    approved_by: cto@acme.example
    expires: EXPIRES
";

    fn waiver_problems(expires: &str) -> Vec<shipgate_yaml::Problem> {
        match crate::Policy::parse(&WAIVED.replace("EXPIRES", expires), &|_| None) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().to_vec(),
        }
    }

    /// The bug: `expires: 2026-11-24T09:59:59` was read as the date alone and held until
    /// midnight UTC. Every spelling of a zoneless date-time is refused at its line; YAML does
    /// not turn any of them into a date first.
    #[test]
    fn a_waiver_expiring_at_a_zoneless_time_is_refused_at_its_line() {
        for expires in [
            "2026-11-24T09:59:59",
            "2026-11-24 09:59:59",
            "\"2026-11-24 09:59:59\"",
            "'2026-11-24T09:59:59'",
            "2026-11-24t09:59:59",
            "2026-11-24T09:59:59.5",
        ] {
            let p = waiver_problems(expires);
            assert_eq!(p.len(), 1, "{expires}: {p:#?}");
            assert_eq!(
                (p[0].mark.line, p[0].path.as_str()),
                (12, "waivers[0].expires")
            );
            assert!(
                p[0].message.contains("no time zone"),
                "{expires}: {}",
                p[0].message
            );
        }
        for (expires, word) in [
            (
                "2026-11-24T04:00:00+03:00[America/New_York]",
                "correct the offset or the zone",
            ),
            ("2026-11-24T04:00:00[America/Nowhere]", "not a time zone"),
            ("2026-11-24T24:00:00Z", "`24:00`"),
            ("2026-12-31T23:59:60Z", "leap second"),
            ("2026-11-24Z", "no time"),
        ] {
            let p = waiver_problems(expires);
            assert_eq!(p.len(), 1, "{expires}: {p:#?}");
            assert_eq!(p[0].mark.line, 12);
            assert!(p[0].message.contains(word), "{expires}: {}", p[0].message);
        }
        for expires in [
            "2026-11-24",
            "2026-11-24T09:59:59Z",
            "2026-11-24T09:59:59z",
            "2026-11-24 10:59:59+01:00",
            "2026-11-24T04:00:00[America/New_York]",
            "\"2026-11-24T04:00:00-05:00[America/New_York]\"",
        ] {
            assert!(waiver_problems(expires).is_empty(), "{expires}");
        }
    }

    #[test]
    fn a_stated_time_zone_is_checked_at_its_line() {
        let text = WAIVED.replace("EXPIRES", "2026-11-24").replace(
            "    junit: [\"reports/*.xml\"]\n",
            "    junit: [\"reports/*.xml\"]\n    timezone: Europe/Berln\n",
        );
        let p = crate::Policy::parse(&text, &|_| None)
            .unwrap_err()
            .problems()
            .to_vec();
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(
            (p[0].mark.line, p[0].path.as_str()),
            (6, "sources.tests.timezone")
        );
        assert!(
            p[0].message.contains("`Europe/Berln` is not a time zone"),
            "{}",
            p[0].message
        );
        let ok = text.replace("Europe/Berln", "Europe/Berlin");
        let policy = crate::Policy::parse(&ok, &|_| None).unwrap();
        let zone = policy
            .sources
            .tests
            .as_ref()
            .and_then(|t| t.timezone.as_ref());
        assert_eq!(zone.map(|z| z.zone().name()), Some("Europe/Berlin"));
    }

    #[test]
    fn time_zone_names_are_checked() {
        let z: TimeZoneName = serde_json::from_value(serde_json::json!("Europe/Berlin")).unwrap();
        assert_eq!(z.zone().name(), "Europe/Berlin");
        let e = serde_json::from_value::<TimeZoneName>(serde_json::json!("Europe/Berln"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a time zone"), "{e}");
    }
}
