//! k6 `--out json=FILE`: one JSON object per line, a `Metric` line declaring each metric
//! (`type`, `contains`, `thresholds`, `submetrics`) before its first `Point` (`time`, `value`,
//! `tags`). See k6 `internal/output/json/wrapper.go`.
//!
//! The raw points are the samples: trends (`http_req_duration`) and rates (`http_req_failed`,
//! 1 for true, 0 for false) keep them for the significance test, and every stat is computed here
//! (percentiles as k6 computes them, by linear interpolation). A counter's `rate` is its sum over
//! the time from the first to the last point of the file (k6 divides by the test's run time,
//! which the file does not record, so the two can differ slightly). Submetrics that a `Metric`
//! line declares (`http_req_duration{expected_response:true}`) are computed from the points whose
//! tags match. The file lists thresholds but not their outcome, so shipgate evaluates each
//! against the values it computed; one it cannot evaluate counts as failed. A threshold is its
//! text, or an object with a `threshold` text when it has `abortOnFail`; one in another shape
//! makes the file unreadable.

use crate::collect::{Collector, Samples, Shape, stat_of_sorted};
use crate::error::PerfError;
use crate::k6_summary::{
    MetricType, SUCCESSFUL, direction_of, is_http_timing, judge_successful_requests, unit_of,
};
use crate::k6_thresholds::Threshold;
use crate::provenance;
use crate::reader::{Input, Reader, Sample};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::Value;
use shipgate_model::{PerfEvidence, PerfFormat, PerfUnit, RunThresholds, SampleStat};
use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

const FORMAT: &str = "k6 --out json (NDJSON)";
/// The trend stats k6 summarises by default (`avg, min, med, max, p(90), p(95)`), and p99.
const TREND_STATS: &[&str] = &["avg", "min", "med", "max", "p90", "p95", "p99"];

struct Definition {
    kind: MetricType,
    contains: Option<String>,
    thresholds: Vec<String>,
    /// Submetrics: their full name and the tags a point must carry.
    submetrics: Vec<(String, Vec<(String, String)>)>,
}

/// A metric's points as they are read: the raw samples of a trend or a rate, the running
/// figures of a counter or a gauge.
#[derive(Default)]
struct Accumulator {
    values: Vec<f64>,
    sum: f64,
    last: Option<(Timestamp, f64)>,
    min: Option<f64>,
    max: Option<f64>,
}

impl Accumulator {
    fn add(&mut self, kind: MetricType, time: Timestamp, value: f64) {
        match kind {
            MetricType::Trend => self.values.push(value),
            MetricType::Rate => self.values.push(if value != 0.0 { 1.0 } else { 0.0 }),
            MetricType::Counter => self.sum += value,
            MetricType::Gauge => {
                if self.last.is_none_or(|(t, _)| time >= t) {
                    self.last = Some((time, value));
                }
                self.min = Some(self.min.map_or(value, |m| m.min(value)));
                self.max = Some(self.max.map_or(value, |m| m.max(value)));
            }
        }
    }

    /// The points, read: the samples sorted once for the thresholds and the metrics both.
    fn finish(self) -> Points {
        Points {
            samples: Samples::new(self.values),
            sum: self.sum,
            last: self.last.map(|(_, v)| v),
            min: self.min,
            max: self.max,
        }
    }
}

/// Adds one point to its metric and to each submetric whose tags it carries.
fn add_point<'t>(
    accumulators: &mut BTreeMap<String, Accumulator>,
    name: &str,
    definition: &Definition,
    time: Timestamp,
    value: f64,
    tag: impl Fn(&str) -> Option<&'t str>,
) {
    let mut add = |name: &str| match accumulators.get_mut(name) {
        Some(acc) => acc.add(definition.kind, time, value),
        None => accumulators
            .entry(name.to_owned())
            .or_default()
            .add(definition.kind, time, value),
    };
    add(name);
    for (sub, wanted) in &definition.submetrics {
        if wanted.iter().all(|(k, v)| tag(k) == Some(v.as_str())) {
            add(sub);
        }
    }
}

/// A `Point` line as k6 writes it (`wrapper.go`, `sampleEnvelope`): only what shipgate reads.
#[derive(Deserialize)]
struct PointLine<'a> {
    #[serde(rename = "type", borrow)]
    kind: Cow<'a, str>,
    #[serde(borrow)]
    metric: Cow<'a, str>,
    #[serde(borrow)]
    data: PointData<'a>,
}

#[derive(Deserialize)]
struct PointData<'a> {
    #[serde(borrow)]
    time: Cow<'a, str>,
    value: f64,
    #[serde(default, borrow)]
    tags: Option<Tags<'a>>,
}

impl PointData<'_> {
    fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .as_ref()?
            .0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }
}

/// A point's tags, in the order written (a repeated one is refused by the strict reading).
struct Tags<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'de: 'a, 'a> Deserialize<'de> for Tags<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Tags<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of text tags")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<Tags<'a>, M::Error> {
                let mut tags = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some((k, v)) = map.next_entry::<Borrowed<'a>, Borrowed<'a>>()? {
                    tags.push((k.0, v.0));
                }
                Ok(Tags(tags))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// A string, borrowed from the line where it has no escape.
struct Borrowed<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Borrowed<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Borrowed<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("text")
            }
            fn visit_borrowed_str<E: serde::de::Error>(
                self,
                v: &'de str,
            ) -> Result<Borrowed<'a>, E> {
                Ok(Borrowed(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Borrowed<'a>, E> {
                Ok(Borrowed(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Borrowed<'a>, E> {
                Ok(Borrowed(Cow::Owned(v)))
            }
        }
        d.deserialize_str(Visit(std::marker::PhantomData))
    }
}

/// A metric's points once read.
struct Points {
    /// A trend's or a rate's samples (empty for a counter or a gauge).
    samples: Samples,
    sum: f64,
    last: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
}

impl Points {
    /// The value of a k6 aggregation (`avg`, `p95`, `count`, `rate`, `value`, ...).
    fn stat(&self, kind: MetricType, stat: &str, seconds: Option<f64>) -> Option<f64> {
        let sorted = self.samples.sorted();
        match (kind, stat) {
            (MetricType::Counter, "count") => Some(self.sum),
            (MetricType::Counter, "rate") => seconds.filter(|s| *s > 0.0).map(|s| self.sum / s),
            (MetricType::Gauge, "value") => self.last,
            (MetricType::Gauge, "min") => self.min,
            (MetricType::Gauge, "max") => self.max,
            (MetricType::Rate, "passes") => Some(sorted.iter().sum()),
            (MetricType::Rate, "fails") => Some(sorted.len() as f64 - sorted.iter().sum::<f64>()),
            (MetricType::Trend, "count") => Some(sorted.len() as f64),
            (MetricType::Rate, "rate") | (MetricType::Trend, _) => {
                let stat = if stat == "rate" { "avg" } else { stat };
                stat_of_sorted(sorted, SampleStat::from_stat_name(stat)?)
            }
            _ => None,
        }
    }
}

/// k6 `--out json`: one small object per line, each with a `type` (`Metric` or `Point`),
/// recognised by its first line and read as it streams.
pub(crate) static K6_NDJSON: K6Ndjson = K6Ndjson;

/// The reader of k6 `--out json` output.
pub(crate) struct K6Ndjson;

impl Reader for K6Ndjson {
    fn format(&self) -> PerfFormat {
        PerfFormat::K6
    }

    fn describe(&self) -> &'static str {
        "k6 `--out json` output"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Head(head) = sample else {
            return false;
        };
        head.is_json_object()
            && matches!(
                shipgate_json::parse_value(head.first_line),
                Ok(Value::Object(obj)) if matches!(
                    obj.get("type").and_then(Value::as_str),
                    Some("Metric" | "Point")
                )
            )
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read(input.stream(path)?, path)
    }
}

/// Reads the NDJSON stream line by line.
pub(crate) fn read<R: BufRead + ?Sized>(
    reader: &mut R,
    path: &str,
) -> Result<PerfEvidence, PerfError> {
    let mut c = Collector::new(PerfFormat::K6, path, FORMAT);
    let mut definitions: BTreeMap<String, Definition> = BTreeMap::new();
    let mut accumulators: BTreeMap<String, Accumulator> = BTreeMap::new();
    let mut first: Option<Timestamp> = None;
    let mut last: Option<Timestamp> = None;
    let mut points = 0u64;
    // The submetrics the file declares: k6 writes no threshold of theirs (below).
    let mut declared: BTreeSet<String> = BTreeSet::new();
    // k6 writes the points of one request with one time: parsed once for them all.
    let mut last_time: Option<(String, Timestamp)> = None;
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        let n = reader
            .read_until(b'\n', &mut line)
            .map_err(|source| PerfError::Io {
                path: path.to_owned(),
                source,
            })?;
        if n == 0 {
            break;
        }
        number += 1;
        let text = crate::reader::strip_bom(&line);
        // The fast path: a `Point` line as k6 writes it, read straight into its fields (still
        // refusing a repeated key). Anything it does not take goes the general way below, which
        // reads it the same or says what is wrong with it.
        if text.starts_with(br#"{"type":"Point""#)
            && let Ok(point) = shipgate_json::parse_document::<PointLine<'_>>(text)
            && point.kind == "Point"
            && let Some(definition) = definitions.get(point.metric.as_ref())
            && let Some(time) = match &last_time {
                Some((text, time)) if *text == point.data.time => Some(*time),
                _ => shipgate_model::Instant::parse(&point.data.time)
                    .ok()
                    .map(|t| t.timestamp()),
            }
        {
            if last_time
                .as_ref()
                .is_none_or(|(text, _)| *text != point.data.time)
            {
                last_time = Some((point.data.time.clone().into_owned(), time));
            }
            first = Some(first.map_or(time, |f| f.min(time)));
            last = Some(last.map_or(time, |l| l.max(time)));
            points += 1;
            add_point(
                &mut accumulators,
                &point.metric,
                definition,
                time,
                point.data.value,
                |k| point.data.tag(k),
            );
            continue;
        }
        let at = format!("line {number}");
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let obj = shipgate_json::parse_value(text).map_err(|e| c.json(e.on_line(number)))?;
        let data = obj.get("data");
        match obj.get("type").and_then(Value::as_str) {
            Some("Metric") => {
                let name = data
                    .and_then(|d| d.get("name"))
                    .or_else(|| obj.get("metric"))
                    .and_then(Value::as_str)
                    .ok_or_else(|| c.invalid(&at, "a `Metric` line without a name"))?
                    .to_owned();
                let kind = data
                    .and_then(|d| d.get("type"))
                    .and_then(Value::as_str)
                    .and_then(MetricType::parse)
                    .ok_or_else(|| {
                        c.invalid(&at, format!("metric `{name}` has no known `type`"))
                    })?;
                let contains = data
                    .and_then(|d| d.get("contains"))
                    .and_then(Value::as_str)
                    .map(str::to_owned);
                let thresholds =
                    thresholds(&c, data.and_then(|d| d.get("thresholds")), &name, &at)?;
                let mut submetrics = Vec::new();
                if let Some(list) = data
                    .and_then(|d| d.get("submetrics"))
                    .and_then(Value::as_array)
                {
                    for sub in list {
                        let Some(sub_name) = sub.get("name").and_then(Value::as_str) else {
                            continue;
                        };
                        let tags = sub
                            .get("tags")
                            .and_then(Value::as_object)
                            .map(|t| {
                                t.iter()
                                    .map(|(k, v)| {
                                        (k.clone(), v.as_str().unwrap_or_default().to_owned())
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        declared.insert(sub_name.to_owned());
                        submetrics.push((sub_name.to_owned(), tags));
                    }
                }
                // The successful requests' timings, which the latency is judged on: k6 tags
                // every HTTP point with `expected_response`.
                if is_http_timing(&name) {
                    let sub = (
                        format!("{name}{SUCCESSFUL}"),
                        vec![("expected_response".to_owned(), "true".to_owned())],
                    );
                    if !submetrics.contains(&sub) {
                        submetrics.push(sub);
                    }
                }
                // k6 writes one `Metric` line per metric; should one repeat, its thresholds are
                // added to the first's, never put in their place.
                match definitions.entry(name) {
                    Entry::Vacant(slot) => {
                        slot.insert(Definition {
                            kind,
                            contains,
                            thresholds,
                            submetrics,
                        });
                    }
                    Entry::Occupied(mut slot) => {
                        let def = slot.get_mut();
                        if def.kind != kind {
                            return Err(c.invalid(
                                &at,
                                format!(
                                    "metric `{}` is declared again with another type",
                                    slot.key()
                                ),
                            ));
                        }
                        for source in thresholds {
                            if !def.thresholds.contains(&source) {
                                def.thresholds.push(source);
                            }
                        }
                        for sub in submetrics {
                            if !def.submetrics.contains(&sub) {
                                def.submetrics.push(sub);
                            }
                        }
                    }
                }
            }
            Some("Point") => {
                let name = obj
                    .get("metric")
                    .and_then(Value::as_str)
                    .ok_or_else(|| c.invalid(&at, "a `Point` line without a metric"))?;
                let definition = definitions.get(name).ok_or_else(|| {
                    c.invalid(&at, format!("a point of `{name}` before its `Metric` line"))
                })?;
                let value = data
                    .and_then(|d| d.get("value"))
                    .and_then(Value::as_f64)
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| c.invalid(&at, "a `Point` without a numeric `value`"))?;
                let time: Timestamp = data
                    .and_then(|d| d.get("time"))
                    .and_then(Value::as_str)
                    .and_then(|t| shipgate_model::Instant::parse(t).ok())
                    .map(shipgate_model::Instant::timestamp)
                    .ok_or_else(|| c.invalid(&at, "a `Point` without a valid `time`"))?;
                first = Some(first.map_or(time, |f| f.min(time)));
                last = Some(last.map_or(time, |l| l.max(time)));
                points += 1;
                let tags = data.and_then(|d| d.get("tags"));
                add_point(&mut accumulators, name, definition, time, value, |k| {
                    tags.and_then(|t| t.get(k)).and_then(Value::as_str)
                });
            }
            other => {
                return Err(c.invalid(
                    &at,
                    format!("a line of type {other:?}; k6 writes `Metric` and `Point` lines"),
                ));
            }
        }
    }
    if points == 0 {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: FORMAT.to_owned(),
            what: "points".to_owned(),
        });
    }
    let seconds = match (first, last) {
        (Some(f), Some(l)) => Some(l.duration_since(f).as_secs_f64()),
        _ => None,
    };
    // Submetrics share their parent's type; a submetric with a `Metric` line of its own (k6
    // writes one when a threshold names it) brings its thresholds.
    let mut metrics: BTreeMap<String, (&Definition, &[String])> = BTreeMap::new();
    for def in definitions.values() {
        for (sub, _) in &def.submetrics {
            metrics.entry(sub.clone()).or_insert((def, &[]));
        }
    }
    for (name, def) in &definitions {
        metrics.insert(name.clone(), (def, &def.thresholds));
    }
    let mut passed = Vec::new();
    let mut failed = Vec::new();
    for (name, (def, thresholds)) in metrics {
        let Some(acc) = accumulators.remove(&name) else {
            for source in thresholds {
                failed.push(format!("{name}: {source} (no points to evaluate it on)"));
            }
            continue;
        };
        let points = acc.finish();
        for source in thresholds {
            let label = format!("{name}: {source}");
            let held = Threshold::parse(source)
                .and_then(|t| points.stat(def.kind, &t.stat, seconds).map(|v| t.holds(v)));
            match held {
                Some(true) => passed.push(label),
                Some(false) => failed.push(label),
                None => failed.push(format!("{label} (shipgate could not evaluate it)")),
            }
        }
        add_metric(&mut c, &name, def, points, seconds)?;
    }
    judge_successful_requests(&mut c);
    // k6 `--out json` writes a `Metric` line for a metric, with the thresholds set on it, and
    // lists its submetrics without theirs (k6 `internal/output/json/json.go`, `handleMetric`).
    // k6 creates a submetric for a threshold set on it, and `http_req_duration{expected_response:true}`
    // by default: whether a threshold was set on one, and held, the file cannot show.
    let unverifiable = declared
        .into_iter()
        .filter(|sub| !definitions.contains_key(sub))
        .map(|sub| format!("{sub}: any threshold set on this submetric (k6 `--out json` writes none of a submetric's thresholds)"))
        .collect();
    let mut p = provenance("k6", FORMAT);
    p.run_at = first;
    c.finish(
        p,
        RunThresholds::Recorded {
            passed,
            failed,
            unverifiable,
        },
    )
}

fn add_metric(
    c: &mut Collector,
    name: &str,
    def: &Definition,
    points: Points,
    seconds: Option<f64>,
) -> Result<(), PerfError> {
    let at = format!("metric `{name}`");
    let contains = def.contains.as_deref();
    match def.kind {
        MetricType::Trend => {
            let unit = unit_of(c, name, "avg", Some(def.kind), contains);
            let direction = direction_of(name, "avg", Some(def.kind), contains);
            let shape = Shape::new(unit, direction);
            c.sampled(name, name, points.samples, shape, TREND_STATS, &at)?;
        }
        MetricType::Rate => {
            let direction = direction_of(name, "rate", Some(def.kind), contains);
            let shape = Shape::new(PerfUnit::Ratio, direction);
            for stat in ["passes", "fails"] {
                if let Some(v) = points.stat(def.kind, stat, seconds) {
                    c.value(name, stat, PerfUnit::Count, v, &at)?;
                }
            }
            c.sampled(name, name, points.samples, shape, &["rate"], &at)?;
        }
        MetricType::Counter | MetricType::Gauge => {
            let stats: &[&str] = if def.kind == MetricType::Counter {
                &["count", "rate"]
            } else {
                &["value", "min", "max"]
            };
            for stat in stats {
                if let Some(v) = points.stat(def.kind, stat, seconds) {
                    let unit = unit_of(c, name, stat, Some(def.kind), contains);
                    let direction = direction_of(name, stat, Some(def.kind), contains);
                    c.metric(name, stat, Shape::new(unit, direction), v, None, &at)?;
                }
            }
        }
    }
    Ok(())
}

/// A `Metric` line's thresholds. k6 writes each as its source text (`"rate<0.01"`), or, when
/// it has `abortOnFail`, as `{"threshold": "rate<0.01", "abortOnFail": true, "delayAbortEval":
/// ...}` (`metrics/thresholds.go`, `thresholdConfig.MarshalJSON`). Anything else is refused:
/// a threshold shipgate skipped would let a failed run pass for a good one.
fn thresholds(
    c: &Collector,
    list: Option<&Value>,
    metric: &str,
    at: &str,
) -> Result<Vec<String>, PerfError> {
    let items = match list {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => {
            return Err(c.invalid(
                at,
                format!("the thresholds of `{metric}` are `{other}`, not a list"),
            ));
        }
    };
    items
        .iter()
        .map(|item| {
            let source = match item {
                Value::String(source) => Some(source),
                Value::Object(obj) => match obj.get("threshold") {
                    Some(Value::String(source)) => Some(source),
                    _ => None,
                },
                _ => None,
            };
            source.cloned().ok_or_else(|| {
                c.invalid(
                    at,
                    format!(
                        "a threshold of `{metric}` is `{item}`; k6 writes a threshold as its text or as an object with a `threshold` text"
                    ),
                )
            })
        })
        .collect()
}
