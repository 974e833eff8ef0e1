//! k6 end-of-test summaries: the `handleSummary(data)` object saved as JSON, the
//! `--summary-export` JSON, and the machine-readable summary (schema 1.0.0,
//! `--new-machine-readable-summary`).
//!
//! The first two share the legacy shape (`metrics` keyed by name) but differ in detail
//! (k6 `internal/js/summary-wrapper.js`, `oldJSONSummary`): `--summary-export` flattens
//! `values` into the metric, drops `type` and `contains`, writes a rate metric's rate as `value`,
//! and writes each threshold as a boolean that is `true` when the threshold FAILED (the inverse
//! of `handleSummary`'s `{"ok": ...}`). The machine-readable summary lists `results.metrics` as
//! an array of `{name, type, contains, values}`, carries the k6 version, and records no
//! threshold outcome.
//!
//! Metrics keep k6's names (`http_req_duration.p95`, `http_req_failed.rate`, and submetrics as
//! `http_req_duration{expected_response:true}.p95`); `p(99.9)` becomes `p99.9`. Summaries have
//! no raw samples.

use crate::collect::{Collector, Shape, is_time_stat, requests_of};
use crate::error::PerfError;
use crate::provenance;
use crate::reader::{Input, Reader, Sample};
use serde_json::{Map, Value};
use shipgate_model::perf::{K6_TIME_TRENDS, expected_direction, split_metric};
use shipgate_model::{Direction, PerfEvidence, PerfFormat, PerfUnit, RequestBasis, RunThresholds};

const TOOL: &str = "k6";

/// k6's four metric types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MetricType {
    Trend,
    Counter,
    Rate,
    Gauge,
}

impl MetricType {
    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "trend" => Some(MetricType::Trend),
            "counter" => Some(MetricType::Counter),
            "rate" => Some(MetricType::Rate),
            "gauge" => Some(MetricType::Gauge),
            _ => None,
        }
    }

    /// `--summary-export` drops the type; the stats a metric has tell it.
    fn infer(values: &Map<String, Value>) -> Option<Self> {
        let has = |k: &str| values.contains_key(k);
        if has("avg") || has("med") || values.keys().any(|k| k.starts_with("p(")) {
            Some(MetricType::Trend)
        } else if has("passes") && has("fails") {
            Some(MetricType::Rate)
        } else if has("count") && has("rate") {
            Some(MetricType::Counter)
        } else if has("value") && has("min") && has("max") {
            Some(MetricType::Gauge)
        } else {
            None
        }
    }
}

/// `p(95)` → `p95`, `p(99.9)` → `p99.9`; other stat names as they are.
pub(crate) fn stat_name(key: &str) -> String {
    match key.strip_prefix("p(").and_then(|k| k.strip_suffix(')')) {
        Some(p) => format!("p{p}"),
        None => key.to_owned(),
    }
}

/// The unit of one stat of a k6 metric, from its type and what it `contains` (`time`, `data`,
/// `default`); k6's well-known metrics are fixed by the naming conventions first.
pub(crate) fn unit_of(
    c: &Collector,
    name: &str,
    stat: &str,
    kind: Option<MetricType>,
    contains: Option<&str>,
) -> PerfUnit {
    let by_contents = match contains {
        Some("time") => PerfUnit::Milliseconds,
        Some("data") => PerfUnit::Bytes,
        _ => PerfUnit::Number,
    };
    let fallback = match (kind, stat) {
        (Some(MetricType::Trend), "count") => PerfUnit::Count,
        (Some(MetricType::Trend | MetricType::Gauge), _) => by_contents,
        (Some(MetricType::Counter), "count") if contains == Some("data") => PerfUnit::Bytes,
        (Some(MetricType::Counter), "count") => PerfUnit::Count,
        (Some(MetricType::Counter), "rate") if contains == Some("data") => PerfUnit::BytesPerSecond,
        (Some(MetricType::Counter), "rate") => PerfUnit::PerSecond,
        (Some(MetricType::Rate), "rate") => PerfUnit::Ratio,
        (Some(MetricType::Rate), _) => PerfUnit::Count,
        _ => PerfUnit::Number,
    };
    c.unit_for(&format!("{name}.{stat}"), fallback)
}

/// Lower is better for anything that `contains` time (a custom `Trend(name, true)` too).
pub(crate) fn direction_of(
    name: &str,
    stat: &str,
    kind: Option<MetricType>,
    contains: Option<&str>,
) -> Option<Direction> {
    let full = format!("{name}.{stat}");
    expected_direction(PerfFormat::K6, &full).or_else(|| {
        let base = name.split('{').next().unwrap_or(name);
        let timed = contains == Some("time") || K6_TIME_TRENDS.contains(&base);
        (kind == Some(MetricType::Trend) && timed && stat != "count").then_some(Direction::Lower)
    })
}

/// The submetric k6 keeps of an HTTP timing's successful requests (those its response callback
/// expects).
pub(crate) const SUCCESSFUL: &str = "{expected_response:true}";

/// Whether a k6 metric is an HTTP timing (`http_req_duration`, `http_req_waiting`, ...).
pub(crate) fn is_http_timing(name: &str) -> bool {
    name.starts_with("http_req_") && K6_TIME_TRENDS.contains(&name)
}

/// Judges k6's HTTP timings on the successful requests, where the file tells them apart: each
/// stat of `http_req_duration` (and the other `http_req_*` timings) becomes that of its
/// `{expected_response:true}` submetric when the file has it and a request succeeded, and every
/// figure of requests records how many requests there were and how many failed, from
/// `http_req_failed` (1 for a failed request: its `passes` are the failures). Without
/// `http_req_failed` the failed share is unknown and nothing is recorded.
pub(crate) fn judge_successful_requests(c: &mut Collector) {
    let value = |c: &Collector, key: &str| c.get(key).map(|m| m.value);
    let failed = value(c, "http_req_failed.passes").or_else(|| value(c, "http_req_failed.matches"));
    let total = match (
        value(c, "http_req_failed.fails"),
        value(c, "http_req_failed.total"),
    ) {
        (Some(fails), _) => failed.map(|f| f + fails),
        (None, total) => total,
    };
    let (Some(failed), Some(total)) = (failed, total) else {
        return;
    };
    let all = requests_of(total, failed, RequestBasis::All);
    let successful = requests_of(total, failed, RequestBasis::Successful);
    for key in c.keys() {
        let Some((name, stat)) = split_metric(&key) else {
            continue;
        };
        if name == "http_reqs" && matches!(stat, "count" | "rate") {
            if let Some(m) = c.get_mut(&key) {
                m.requests = Some(all);
            }
            continue;
        }
        if !is_time_stat(stat) {
            continue;
        }
        if is_http_timing(name) {
            let sub = c.get(&format!("{name}{SUCCESSFUL}.{stat}")).cloned();
            let Some(m) = c.get_mut(&key) else { continue };
            match sub {
                Some(sub) if successful.successful() > 0 => {
                    m.value = sub.value;
                    m.samples = sub.samples;
                    m.requests = Some(successful);
                }
                _ => m.requests = Some(all),
            }
        } else if let Some(base) = name.strip_suffix(SUCCESSFUL)
            && is_http_timing(base)
            && let Some(m) = c.get_mut(&key)
        {
            m.requests = Some(if successful.successful() > 0 {
                successful
            } else {
                all
            });
        }
    }
}

/// The end-of-test summary: `handleSummary()` data or `--summary-export`, with a `metrics`
/// object.
pub(crate) static K6_SUMMARY: K6Summary = K6Summary;

/// The reader of k6 summaries.
pub(crate) struct K6Summary;

impl Reader for K6Summary {
    fn format(&self) -> PerfFormat {
        PerfFormat::K6
    }

    fn describe(&self) -> &'static str {
        "a k6 summary (handleSummary data or --summary-export)"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        matches!(sample, Sample::Json(obj) if obj.get("metrics").is_some_and(Value::is_object))
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read_summary(&input.document(path)?, path)
    }
}

/// The machine-readable summary (schema 1.0.0): a `version` and a `results.metrics` list.
pub(crate) static K6_MACHINE_READABLE: K6MachineReadable = K6MachineReadable;

/// The reader of k6 machine-readable summaries.
pub(crate) struct K6MachineReadable;

impl Reader for K6MachineReadable {
    fn format(&self) -> PerfFormat {
        PerfFormat::K6
    }

    fn describe(&self) -> &'static str {
        "a k6 machine-readable summary"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Json(obj) = sample else {
            return false;
        };
        obj.contains_key("version")
            && obj
                .get("results")
                .and_then(|r| r.get("metrics"))
                .is_some_and(Value::is_array)
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read_machine_readable(&input.document(path)?, path)
    }
}

/// Reads `handleSummary` data or a `--summary-export` file.
pub(crate) fn read_summary(doc: &Value, path: &str) -> Result<PerfEvidence, PerfError> {
    let metrics = doc.get("metrics").and_then(Value::as_object);
    // handleSummary data keeps each metric's `type`, `contains` and `values`.
    let handle_summary = metrics.is_some_and(|m| {
        m.values()
            .any(|v| v.get("values").is_some_and(Value::is_object) && v.get("type").is_some())
    });
    let format = if handle_summary {
        "k6 handleSummary() data JSON"
    } else {
        "k6 --summary-export JSON"
    };
    let mut c = Collector::new(PerfFormat::K6, path, format);
    let Some(metrics) = metrics else {
        return Err(c.invalid("metrics", "expected an object of metrics"));
    };
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for (name, metric) in metrics {
        let at = format!("metrics.{name}");
        let Some(obj) = metric.as_object() else {
            return Err(c.invalid(&at, "expected an object"));
        };
        let (kind, contains, values) = if handle_summary {
            let values = obj
                .get("values")
                .and_then(Value::as_object)
                .ok_or_else(|| c.invalid(&at, "has no `values` object"))?;
            let kind = obj
                .get("type")
                .and_then(Value::as_str)
                .and_then(MetricType::parse);
            let contains = obj.get("contains").and_then(Value::as_str);
            (kind, contains, values.clone())
        } else {
            let mut values = obj.clone();
            values.remove("thresholds");
            (MetricType::infer(&values), None, values)
        };
        for (key, v) in &values {
            let mut stat = stat_name(key);
            // `--summary-export` writes a rate metric's rate as `value` ("sigh...", says k6).
            if !handle_summary && kind == Some(MetricType::Rate) && stat == "value" {
                stat = "rate".to_owned();
            }
            let value = v.as_f64().ok_or_else(|| {
                c.invalid(format!("{at}.{key}"), format!("`{v}` is not a number"))
            })?;
            let unit = unit_of(&c, name, &stat, kind, contains);
            let direction = direction_of(name, &stat, kind, contains);
            let at = format!("{at}.{key}");
            c.metric(name, &stat, Shape::new(unit, direction), value, None, &at)?;
        }
        let thresholds = match obj.get("thresholds") {
            None | Some(Value::Null) => None,
            Some(Value::Object(thresholds)) => Some(thresholds),
            // Skipped, a failed threshold would let a failed run pass for a good one.
            Some(other) => {
                return Err(c.invalid(
                    format!("{at}.thresholds"),
                    format!("`{other}` is not an object of thresholds and their outcomes"),
                ));
            }
        };
        if let Some(thresholds) = thresholds {
            for (source, outcome) in thresholds {
                let label = format!("{name}: {source}");
                let ok = if handle_summary {
                    outcome.get("ok").and_then(Value::as_bool)
                } else {
                    // `true` means the threshold was crossed: it FAILED.
                    outcome.as_bool().map(|crossed| !crossed)
                };
                match ok {
                    Some(true) => passed.push(label),
                    Some(false) => failed.push(label),
                    None => {
                        return Err(c.invalid(
                            format!("{at}.thresholds"),
                            format!(
                                "the outcome of `{source}` is `{outcome}`, not a pass or a fail"
                            ),
                        ));
                    }
                }
            }
        }
    }
    judge_successful_requests(&mut c);
    c.finish(
        provenance(TOOL, format),
        RunThresholds::Recorded {
            passed,
            failed,
            unverifiable: Vec::new(),
        },
    )
}

/// Reads a machine-readable summary (schema 1.0.0).
pub(crate) fn read_machine_readable(doc: &Value, path: &str) -> Result<PerfEvidence, PerfError> {
    let format = "k6 machine-readable summary JSON";
    let mut c = Collector::new(PerfFormat::K6, path, format);
    let version = doc.get("version").and_then(Value::as_str).unwrap_or("");
    if version.split('.').next() != Some("1") {
        return Err(c.invalid(
            "version",
            format!("schema version `{version}` is not one shipgate reads (1.x)"),
        ));
    }
    let results = doc.get("results");
    let lists = [
        ("results.metrics", results.and_then(|r| r.get("metrics"))),
        (
            "results.checks.metrics",
            results
                .and_then(|r| r.get("checks"))
                .and_then(|ch| ch.get("metrics")),
        ),
    ];
    for (at, list) in lists {
        let Some(list) = list else { continue };
        let Some(items) = list.as_array() else {
            return Err(c.invalid(at, "expected a list of metrics"));
        };
        for (i, metric) in items.iter().enumerate() {
            let at = format!("{at}[{i}]");
            let name = metric
                .get("name")
                .and_then(Value::as_str)
                .ok_or_else(|| c.invalid(&at, "has no `name`"))?;
            let kind = metric
                .get("type")
                .and_then(Value::as_str)
                .and_then(MetricType::parse);
            let contains = metric.get("contains").and_then(Value::as_str);
            let values = metric
                .get("values")
                .and_then(Value::as_object)
                .ok_or_else(|| c.invalid(&at, "has no `values` object"))?;
            for (key, v) in values {
                let stat = stat_name(key);
                let value = v.as_f64().ok_or_else(|| {
                    c.invalid(
                        format!("{at}.values.{key}"),
                        format!("`{v}` is not a number"),
                    )
                })?;
                let unit = unit_of(&c, name, &stat, kind, contains);
                let direction = direction_of(name, &stat, kind, contains);
                let at = format!("{at}.values.{key}");
                c.metric(name, &stat, Shape::new(unit, direction), value, None, &at)?;
            }
        }
    }
    let mut p = provenance(TOOL, format);
    let metadata = doc.get("metadata");
    p.tool_version = metadata
        .and_then(|m| m.get("k6Version"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    // A time that is written but cannot be read (no zone, not a time) makes the file
    // unreadable: dropped, it would read as a run that does not say when it happened.
    p.run_at = match metadata.and_then(|m| m.get("generatedAt")) {
        None => None,
        Some(v) => Some(
            v.as_str()
                .and_then(|t| shipgate_model::Instant::parse(t).ok())
                .map(shipgate_model::Instant::timestamp)
                .ok_or_else(|| {
                    c.invalid(
                        "metadata.generatedAt",
                        "is not an instant with its zone (k6 writes UTC, `2026-11-20T10:00:20Z`)",
                    )
                })?,
        ),
    };
    judge_successful_requests(&mut c);
    c.finish(p, RunThresholds::NotRecorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_names() {
        assert_eq!(stat_name("p(95)"), "p95");
        assert_eq!(stat_name("p(99.9)"), "p99.9");
        assert_eq!(stat_name("avg"), "avg");
    }

    /// Found by the fail-closed suite (strip-zone × perf-k6-runs): a `generatedAt` without its
    /// zone was dropped, and the run read as one that does not say when it happened.
    #[test]
    fn a_generated_at_that_cannot_be_read_makes_the_file_unreadable() {
        let fixture = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/k6-machine-readable-summary.json"
        );
        let text = std::fs::read_to_string(fixture).unwrap();
        let doc = shipgate_json::parse_value(text.as_bytes()).unwrap();
        let read = read_machine_readable(&doc, "summary.json").unwrap();
        assert!(read.provenance.run_at.is_some());
        for written in ["2026-11-20T10:00:20.0125", "yesterday"] {
            let edited = text.replace("2026-11-20T10:00:20.0125Z", written);
            let doc = shipgate_json::parse_value(edited.as_bytes()).unwrap();
            let e = read_machine_readable(&doc, "summary.json").unwrap_err();
            assert!(e.to_string().contains("generatedAt"), "{e}");
        }
    }
}
