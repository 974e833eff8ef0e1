//! Everything else: shipgate's generic metrics JSON, and the Bencher Metric Format as is.
//!
//! The generic format (documented in `docs/performance-evidence.md`):
//!
//! ```json
//! {
//!   "tool": {"name": "wrk2", "version": "4.0.0"},
//!   "run_at": "2026-11-20T10:00:00Z",
//!   "commit": "3f2a9c1",
//!   "release_version": "2.4.0",
//!   "thresholds": [{"name": "p95 under 300ms", "ok": true}],
//!   "metrics": [
//!     {"name": "checkout.p95", "unit": "ms", "direction": "lower", "value": 231.5,
//!      "samples": [210.1, 250.3]}
//!   ]
//! }
//! ```
//!
//! Only `metrics` with `name` and `value` are required. A value given with `samples` must be its
//! stat of them (within [`crate::collect::SAMPLES_TOLERANCE`]). The Bencher Metric Format
//! (`{"bench": {"latency": {"value": 88.0, "lower_value": ..., "upper_value": ...}}}`) becomes
//! `bench.latency` and so on, in Bencher's units: latency in nanoseconds, throughput in operations
//! per second, file-size in bytes, build-time in seconds.

use crate::collect::{Collector, Shape, contradicts_samples};
use crate::error::PerfError;
use crate::provenance;
use crate::reader::{Input, Reader, Sample};
use serde_json::Value;
use shipgate_json::check_keys;
use shipgate_model::perf::split_metric;
use shipgate_model::{
    Direction, PerfEvidence, PerfFormat, PerfUnit, RunThresholds, SampleRef, SampleStat,
};

const TOP_KEYS: &[&str] = &[
    "tool",
    "run_at",
    "commit",
    "release_version",
    "thresholds",
    "metrics",
];
const METRIC_KEYS: &[&str] = &["name", "unit", "direction", "value", "samples"];
const TOOL_KEYS: &[&str] = &["name", "version"];
const THRESHOLD_KEYS: &[&str] = &["name", "ok"];

/// A unit as written in a generic file: the normalised unit and the factor into it.
pub(crate) fn parse_unit(text: &str) -> (PerfUnit, f64) {
    match text.trim() {
        "ns" => (PerfUnit::Milliseconds, 1e-6),
        "us" | "µs" => (PerfUnit::Milliseconds, 1e-3),
        "ms" => (PerfUnit::Milliseconds, 1.0),
        "s" => (PerfUnit::Milliseconds, 1000.0),
        "ratio" => (PerfUnit::Ratio, 1.0),
        "%" | "percent" => (PerfUnit::Ratio, 0.01),
        "count" => (PerfUnit::Count, 1.0),
        "/s" | "1/s" | "per_second" | "rps" | "req/s" | "ops/s" => (PerfUnit::PerSecond, 1.0),
        "bytes" | "B" => (PerfUnit::Bytes, 1.0),
        "bytes/s" | "B/s" => (PerfUnit::BytesPerSecond, 1.0),
        "" | "number" => (PerfUnit::Number, 1.0),
        other => (PerfUnit::Other(other.to_owned()), 1.0),
    }
}

/// shipgate's generic metrics JSON: a `metrics` list.
pub(crate) static GENERIC: Generic = Generic;

/// The reader of the generic metrics JSON.
pub(crate) struct Generic;

impl Reader for Generic {
    fn format(&self) -> PerfFormat {
        PerfFormat::Generic
    }

    fn describe(&self) -> &'static str {
        "a generic metrics JSON"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        matches!(sample, Sample::Json(obj) if obj.get("metrics").is_some_and(Value::is_array))
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read_generic(&input.document(path)?, path)
    }
}

/// The Bencher Metric Format: benchmarks, each an object of measures with a numeric `value`.
pub(crate) static BENCHER: Bencher = Bencher;

/// The reader of the Bencher Metric Format.
pub(crate) struct Bencher;

impl Reader for Bencher {
    fn format(&self) -> PerfFormat {
        PerfFormat::Generic
    }

    fn describe(&self) -> &'static str {
        "a Bencher Metric Format file"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Json(obj) = sample else {
            return false;
        };
        !obj.is_empty()
            && obj.values().all(|bench| {
                bench.as_object().is_some_and(|measures| {
                    !measures.is_empty()
                        && measures
                            .values()
                            .all(|m| m.get("value").is_some_and(Value::is_number))
                })
            })
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read_bencher(&input.document(path)?, path)
    }
}

/// Reads shipgate's generic metrics JSON.
pub(crate) fn read_generic(doc: &Value, path: &str) -> Result<PerfEvidence, PerfError> {
    let format = "generic metrics JSON";
    let mut c = Collector::new(PerfFormat::Generic, path, format);
    let Some(top) = doc.as_object() else {
        return Err(c.invalid("the top level", "expected an object"));
    };
    check_keys(top, TOP_KEYS, "").map_err(|e| c.json(e))?;
    let text = |key: &str| -> Result<Option<String>, PerfError> {
        match top.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(c.invalid(key, format!("expected text, found `{other}`"))),
        }
    };
    let mut p = provenance("generic", format);
    p.commit = text("commit")?;
    p.release_version = text("release_version")?;
    if let Some(t) = text("run_at")? {
        p.run_at = Some(
            shipgate_model::Instant::parse(&t)
                .map_err(|e| c.invalid("run_at", e.to_string()))?
                .timestamp(),
        );
    }
    if let Some(tool) = top.get("tool") {
        if let Some(keys) = tool.as_object() {
            check_keys(keys, TOOL_KEYS, "tool").map_err(|e| c.json(e))?;
        }
        p.tool = tool
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| c.invalid("tool.name", "expected the tool's name"))?
            .to_owned();
        p.tool_version = tool
            .get("version")
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    let thresholds = match top.get("thresholds") {
        None | Some(Value::Null) => RunThresholds::NotRecorded,
        Some(Value::Array(items)) => {
            let mut passed = Vec::new();
            let mut failed = Vec::new();
            for (i, t) in items.iter().enumerate() {
                let at = format!("thresholds[{i}]");
                if let Some(keys) = t.as_object() {
                    check_keys(keys, THRESHOLD_KEYS, &at).map_err(|e| c.json(e))?;
                }
                let name = t
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| c.invalid(&at, "has no `name`"))?;
                match t.get("ok").and_then(Value::as_bool) {
                    Some(true) => passed.push(name.to_owned()),
                    Some(false) => failed.push(name.to_owned()),
                    None => return Err(c.invalid(&at, "has no boolean `ok`")),
                }
            }
            RunThresholds::Recorded {
                passed,
                failed,
                unverifiable: Vec::new(),
            }
        }
        Some(_) => return Err(c.invalid("thresholds", "expected a list of {name, ok}")),
    };
    let Some(metrics) = top.get("metrics").and_then(Value::as_array) else {
        return Err(c.invalid("metrics", "expected a list of metrics"));
    };
    for (i, m) in metrics.iter().enumerate() {
        let at = format!("metrics[{i}]");
        let Some(obj) = m.as_object() else {
            return Err(c.invalid(&at, "expected an object"));
        };
        check_keys(obj, METRIC_KEYS, &at).map_err(|e| c.json(e))?;
        let full = obj
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| c.invalid(&at, "has no `name`"))?;
        let Some((name, stat)) = split_metric(full) else {
            return Err(c.invalid(
                format!("{at}.name"),
                format!("`{full}` is not `name.stat` (e.g. `checkout.p95`)"),
            ));
        };
        let (unit, scale) = parse_unit(obj.get("unit").and_then(Value::as_str).unwrap_or(""));
        let direction = match obj.get("direction").and_then(Value::as_str) {
            None => None,
            Some("lower") => Some(Direction::Lower),
            Some("higher") => Some(Direction::Higher),
            Some(other) => {
                return Err(c.invalid(
                    format!("{at}.direction"),
                    format!("`{other}` is not `lower` or `higher`"),
                ));
            }
        };
        let value = obj
            .get("value")
            .and_then(Value::as_f64)
            .ok_or_else(|| c.invalid(format!("{at}.value"), "expected a number"))?;
        let samples = match obj.get("samples") {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => {
                let stat_kind = SampleStat::from_stat_name(stat).ok_or_else(|| {
                    c.invalid(
                        format!("{at}.samples"),
                        format!("samples are given, but `{stat}` is not a statistic of samples (avg, med, min, max, pNN, rate)"),
                    )
                })?;
                let mut values = Vec::with_capacity(items.len());
                for (j, v) in items.iter().enumerate() {
                    let v = v.as_f64().filter(|v| v.is_finite()).ok_or_else(|| {
                        c.invalid(format!("{at}.samples[{j}]"), "expected a finite number")
                    })?;
                    values.push(v * scale);
                }
                if values.is_empty() {
                    return Err(c.invalid(format!("{at}.samples"), "an empty list of samples"));
                }
                c.check_samples(full, &values, &unit, &format!("{at}.samples"))?;
                let mut sorted = values.clone();
                sorted.sort_unstable_by(f64::total_cmp);
                if let Some(given) = contradicts_samples(value * scale, stat_kind, &sorted) {
                    return Err(c.invalid(
                        format!("{at}.value"),
                        format!(
                            "`{full}` is {} {unit}, but its {} samples give {given}; the value and the samples must describe the same run (within 0.1%)",
                            value * scale,
                            sorted.len()
                        ),
                    ));
                }
                Some((stat_kind, values))
            }
            Some(_) => return Err(c.invalid(format!("{at}.samples"), "expected a list of numbers")),
        };
        let sample_ref = samples.as_ref().map(|(stat_kind, _)| SampleRef {
            series: full.to_owned(),
            stat: *stat_kind,
        });
        c.metric(
            name,
            stat,
            Shape::new(unit, direction),
            value * scale,
            sample_ref,
            &at,
        )?;
        if let Some((_, values)) = samples {
            c.series(full, values);
        }
    }
    c.finish(p, thresholds)
}

/// Reads a Bencher Metric Format file.
pub(crate) fn read_bencher(doc: &Value, path: &str) -> Result<PerfEvidence, PerfError> {
    let format = "Bencher Metric Format JSON";
    let mut c = Collector::new(PerfFormat::Generic, path, format);
    let Some(benchmarks) = doc.as_object() else {
        return Err(c.invalid("the top level", "expected an object of benchmarks"));
    };
    for (bench, measures) in benchmarks {
        let Some(measures) = measures.as_object() else {
            return Err(c.invalid(bench.as_str(), "expected an object of measures"));
        };
        for (measure, m) in measures {
            let at = format!("{bench}.{measure}");
            let value = m
                .get("value")
                .and_then(Value::as_f64)
                .ok_or_else(|| c.invalid(format!("{at}.value"), "expected a number"))?;
            // Bencher's built-in measures and their units.
            let (unit, scale, direction) = match measure.as_str() {
                "latency" => (PerfUnit::Milliseconds, 1e-6, Some(Direction::Lower)),
                "throughput" => (PerfUnit::PerSecond, 1.0, Some(Direction::Higher)),
                "file-size" => (PerfUnit::Bytes, 1.0, Some(Direction::Lower)),
                "build-time" => (PerfUnit::Milliseconds, 1000.0, Some(Direction::Lower)),
                _ => (PerfUnit::Number, 1.0, None),
            };
            c.metric(
                bench,
                measure,
                Shape::new(unit, direction),
                value * scale,
                None,
                &at,
            )?;
        }
    }
    c.finish(
        provenance("generic (Bencher Metric Format)", format),
        RunThresholds::NotRecorded,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_normalised() {
        assert_eq!(parse_unit("s"), (PerfUnit::Milliseconds, 1000.0));
        assert_eq!(parse_unit("%"), (PerfUnit::Ratio, 0.01));
        assert_eq!(parse_unit("rps"), (PerfUnit::PerSecond, 1.0));
        assert_eq!(parse_unit("MB"), (PerfUnit::Other("MB".into()), 1.0));
        assert_eq!(parse_unit(""), (PerfUnit::Number, 1.0));
    }
}
