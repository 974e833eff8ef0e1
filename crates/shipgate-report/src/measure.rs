//! How observed values and thresholds are written: `ratio` as a percentage (97.3%), `count` as an
//! integer with thousands separators (1,234), `seconds` as a duration (300ms, 1m 30s, 90d), any
//! other unit as `value unit`, and objects (per-key measures) as `key: value, key: value`.
//!
//! A report must never print a failing 97.95% next to a threshold of 98% as "98% / 98%", so the
//! precision of a check's numbers grows until different values read differently.

use serde_json::Value;
use shipgate_model::{CheckResult, CheckUnit};

/// What `null` (nothing measured, or no numeric limit) is shown as.
pub(crate) const NONE: &str = "—";

/// How to read a check's numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Unit<'a> {
    /// 0-1, shown as a percentage.
    Ratio,
    /// Whole things, with thousands separators.
    Count,
    /// A duration in seconds.
    Seconds,
    /// A metric's own unit, written after the value.
    Other(&'a str),
    /// No unit given: a plain number.
    Plain,
}

impl<'a> Unit<'a> {
    /// How a check's unit is shown.
    pub(crate) fn of(unit: Option<&'a CheckUnit>) -> Self {
        match unit {
            Some(CheckUnit::Ratio) => Unit::Ratio,
            Some(CheckUnit::Count) => Unit::Count,
            Some(CheckUnit::Seconds) => Unit::Seconds,
            Some(CheckUnit::Plain) | None => Unit::Plain,
            Some(other) if other.as_str().trim().is_empty() => Unit::Plain,
            Some(other) => Unit::Other(other.as_str()),
        }
    }
}

/// The observed value and the threshold of a check, as text, at a precision that keeps different
/// numbers apart.
pub(crate) fn observed_and_threshold(check: &CheckResult) -> (String, String) {
    let unit = Unit::of(check.unit.as_ref());
    let mut numbers = Vec::new();
    collect_numbers(&check.observed, &mut numbers);
    collect_numbers(&check.threshold, &mut numbers);
    let extra = precision_for(&numbers, unit);
    (
        value(&check.observed, unit, extra),
        value(&check.threshold, unit, extra),
    )
}

/// A JSON value in a unit, at `extra` digits beyond the default precision.
pub(crate) fn value(v: &Value, unit: Unit<'_>, extra: usize) -> String {
    match v {
        Value::Null => NONE.to_owned(),
        Value::Bool(true) => "yes".to_owned(),
        Value::Bool(false) => "no".to_owned(),
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), |f| number(f, unit, extra)),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            if items.is_empty() {
                return "none".to_owned();
            }
            items
                .iter()
                .map(|i| value(i, unit, extra))
                .collect::<Vec<_>>()
                .join(", ")
        }
        Value::Object(map) => {
            if map.is_empty() {
                return NONE.to_owned();
            }
            map.iter()
                .map(|(k, v)| format!("{k}: {}", value(v, unit, extra)))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

fn collect_numbers(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Number(n) => out.extend(n.as_f64()),
        Value::Array(items) => items.iter().for_each(|i| collect_numbers(i, out)),
        Value::Object(map) => map.values().for_each(|i| collect_numbers(i, out)),
        _ => {}
    }
}

/// The smallest extra precision (0-3) at which different numbers print differently and no ratio
/// that is not exactly 0 or 1 prints as 0% or 100%.
fn precision_for(numbers: &[f64], unit: Unit<'_>) -> usize {
    const MAX_EXTRA: usize = 3;
    (0..MAX_EXTRA)
        .find(|&extra| {
            let shown: Vec<String> = numbers.iter().map(|&n| number(n, unit, extra)).collect();
            let distinct = numbers.iter().enumerate().all(|(i, a)| {
                numbers
                    .iter()
                    .enumerate()
                    .all(|(j, b)| a == b || shown[i] != shown[j])
            });
            let honest_ends = unit != Unit::Ratio
                || numbers
                    .iter()
                    .zip(&shown)
                    .all(|(&n, s)| (n == 0.0 || s != "0%") && (n == 1.0 || s != "100%"));
            distinct && honest_ends
        })
        .unwrap_or(MAX_EXTRA)
}

/// One number in a unit.
pub(crate) fn number(v: f64, unit: Unit<'_>, extra: usize) -> String {
    match unit {
        Unit::Ratio => format!("{}%", decimal(v * 100.0, 1 + extra)),
        Unit::Count => count(v, extra),
        Unit::Seconds => duration(v, extra),
        Unit::Other(u) => format!("{} {u}", plain(v, extra)),
        Unit::Plain => plain(v, extra),
    }
}

/// An integer with thousands separators; a fraction keeps two decimals.
pub(crate) fn count(v: f64, extra: usize) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        // The guard above makes the cast exact.
        let whole = v as i64;
        thousands(whole)
    } else {
        let s = decimal(v, 2 + extra);
        match s.split_once('.') {
            Some((int, frac)) => {
                let int: i64 = int.parse().unwrap_or(0);
                let sign = if v < 0.0 && int == 0 { "-" } else { "" };
                format!("{sign}{}.{frac}", thousands(int))
            }
            None => s,
        }
    }
}

/// `1234567` → `1,234,567`.
pub(crate) fn thousands(n: i64) -> String {
    let sign = if n < 0 { "-" } else { "" };
    format!("{sign}{}", grouped(n.unsigned_abs()))
}

/// A count with thousands separators: `1204877` → `1,204,877`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A number with no unit: integers as they are, fractions with enough decimals to show three
/// significant digits (at least two decimals).
pub(crate) fn plain(v: f64, extra: usize) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return decimal(v, 0);
    }
    let magnitude = v.abs().log10().floor();
    // Three significant digits: 0.0123 needs 4 decimals, 250.37 needs none (but gets two).
    let significant = if magnitude.is_finite() && magnitude < 2.0 {
        (2.0 - magnitude) as usize
    } else {
        0
    };
    decimal(v, significant.clamp(2, 12) + extra)
}

/// `v` with at most `decimals` decimals, trailing zeros dropped.
fn decimal(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    if s == "-0" { "0".to_owned() } else { s }
}

/// A duration in seconds, in the one or two largest units that matter: 300ms, 2.5s, 1m 30s,
/// 2h 5m, 14d 2h.
pub(crate) fn duration(seconds: f64, extra: usize) -> String {
    if !seconds.is_finite() {
        return plain(seconds, extra);
    }
    if seconds < 0.0 {
        return format!("-{}", duration(-seconds, extra));
    }
    if seconds == 0.0 {
        return "0s".to_owned();
    }
    let ms = seconds * 1000.0;
    if decimal(ms, extra).parse::<f64>().unwrap_or(ms) < 1000.0 {
        let shown = if ms < 1.0 {
            plain(ms, extra)
        } else {
            decimal(ms, extra)
        };
        return format!("{shown}ms");
    }
    let rounded_s: f64 = decimal(seconds, 2 + extra).parse().unwrap_or(seconds);
    if rounded_s < 60.0 {
        return format!("{}s", decimal(seconds, 2 + extra));
    }
    let whole = seconds.round() as u64;
    if whole < 3600 {
        let factor = 10f64.powi(i32::try_from(extra).unwrap_or(0));
        let total = (seconds * factor).round() / factor;
        let minutes = (total / 60.0).floor();
        let rest = total - minutes * 60.0;
        return join_units(&[(minutes, "m")], rest, "s", extra);
    }
    if whole < 86_400 {
        let minutes = (seconds / 60.0).round();
        let hours = (minutes / 60.0).floor();
        return join_units(&[(hours, "h")], minutes - hours * 60.0, "m", 0);
    }
    let hours = (seconds / 3600.0).round();
    let days = (hours / 24.0).floor();
    join_units(&[(days, "d")], hours - days * 24.0, "h", 0)
}

fn join_units(large: &[(f64, &str)], rest: f64, rest_unit: &str, decimals: usize) -> String {
    let mut parts: Vec<String> = large
        .iter()
        .map(|(n, u)| format!("{}{u}", decimal(*n, 0)))
        .collect();
    let rest = decimal(rest, decimals);
    if rest != "0" {
        parts.push(format!("{rest}{rest_unit}"));
    }
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(unit: &str, observed: Value, threshold: Value) -> CheckResult {
        CheckResult {
            id: "x".into(),
            status: shipgate_model::CheckStatus::Pass,
            level: shipgate_model::Level::Error,
            blocking: false,
            observed,
            threshold,
            unit: Some(CheckUnit::from_report(unit)),
            message: String::new(),
            remedy: None,
            details: serde_json::Map::new(),
            waiver: None,
        }
    }

    #[test]
    fn ratios_are_percentages() {
        assert_eq!(number(0.973, Unit::Ratio, 0), "97.3%");
        assert_eq!(number(0.98, Unit::Ratio, 0), "98%");
        assert_eq!(number(0.02, Unit::Ratio, 0), "2%");
        assert_eq!(number(1.0, Unit::Ratio, 0), "100%");
        assert_eq!(number(0.0, Unit::Ratio, 0), "0%");
    }

    #[test]
    fn different_values_never_read_the_same() {
        let c = check("ratio", json!(0.9795), json!(0.98));
        assert_eq!(observed_and_threshold(&c), ("97.95%".into(), "98%".into()));
        let c = check("ratio", json!(0.99996), json!(1.0));
        assert_eq!(
            observed_and_threshold(&c),
            ("99.996%".into(), "100%".into())
        );
        let c = check("ratio", json!(0.0001), json!(0.0));
        assert_eq!(observed_and_threshold(&c), ("0.01%".into(), "0%".into()));
        let c = check("seconds", json!(0.3004), json!(0.3));
        assert_eq!(
            observed_and_threshold(&c),
            ("300.4ms".into(), "300ms".into())
        );
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(number(1_234_567.0, Unit::Count, 0), "1,234,567");
        assert_eq!(number(999.0, Unit::Count, 0), "999");
        assert_eq!(number(-1000.0, Unit::Count, 0), "-1,000");
        assert_eq!(number(1234.5, Unit::Count, 0), "1,234.5");
        assert_eq!(number(-0.5, Unit::Count, 0), "-0.5");
        assert_eq!(number(0.0, Unit::Count, 0), "0");
        assert_eq!(grouped(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(thousands(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn seconds_are_durations() {
        assert_eq!(number(0.3, Unit::Seconds, 0), "300ms");
        assert_eq!(number(0.0004, Unit::Seconds, 0), "0.4ms");
        assert_eq!(number(2.0, Unit::Seconds, 0), "2s");
        assert_eq!(number(2.5, Unit::Seconds, 0), "2.5s");
        assert_eq!(number(0.9999, Unit::Seconds, 0), "1s");
        assert_eq!(number(90.0, Unit::Seconds, 0), "1m 30s");
        assert_eq!(number(119.7, Unit::Seconds, 0), "2m");
        assert_eq!(number(300.0, Unit::Seconds, 0), "5m");
        assert_eq!(number(3900.0, Unit::Seconds, 0), "1h 5m");
        assert_eq!(number(1_209_600.0, Unit::Seconds, 0), "14d");
        assert_eq!(number(90.0 * 86_400.0 + 7200.0, Unit::Seconds, 0), "90d 2h");
        assert_eq!(number(0.0, Unit::Seconds, 0), "0s");
    }

    #[test]
    fn other_units_follow_the_value() {
        assert_eq!(number(250.37, Unit::Other("ms"), 0), "250.37 ms");
        assert_eq!(number(0.0123, Unit::Other("rps"), 0), "0.0123 rps");
        assert_eq!(number(3.0, Unit::Plain, 0), "3");
        assert_eq!(number(1.5e20, Unit::Plain, 0), "150000000000000000000");
    }

    #[test]
    fn objects_and_null_read_naturally() {
        let c = check("count", json!({"critical": 1, "high": 2}), Value::Null);
        assert_eq!(
            observed_and_threshold(&c),
            ("critical: 1, high: 2".into(), NONE.into())
        );
        assert_eq!(value(&json!(true), Unit::Plain, 0), "yes");
        assert_eq!(value(&json!([]), Unit::Plain, 0), "none");
    }
}
