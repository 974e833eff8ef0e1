//! Locust's `--json` (printed to standard output) and `--json-file PREFIX` (`PREFIX.json`): the
//! complete run, one entry per request (`name`, `method`) with its response-time histogram.
//!
//! The layout is Locust's `StatsEntry.serialize` (`locust/stats.py`, `StatsEntryDict`), written
//! by `print_stats_json` and `save_stats_json`: `num_requests`, `num_none_requests`,
//! `num_failures`, `total_response_time`, `min_response_time`, `max_response_time`,
//! `start_time`, `last_request_timestamp` and `response_times`, Locust's histogram of response
//! times rounded to its buckets (to the millisecond below 100 ms, then two significant digits).
//! The file is written once, when the run has ended, so it holds every request; the `--csv`
//! stats, written periodically, can miss the last ones (seen with Locust 2.24 and 2.47: 902
//! requests in `_stats.csv`, 1042 in the JSON of the same run).
//!
//! Every figure is computed as Locust computes it (`calculate_response_time_percentile`,
//! `median_response_time`, `avg_response_time`, `total_rps`), and the whole run as Locust's
//! `stats.total` (every entry `extend`ed into one) under the name `Aggregated`, so that they are
//! the figures Locust itself reports. Locust records a failed request's response time like a
//! successful one's and does not tell them apart in the histogram: the response times count
//! every request (the failed share is shown beside them). The histogram is the percentiles'
//! source, not raw samples, so the significance test does not run on this file.
//!
//! This module must not judge the run.

use crate::collect::{Collector, requests_of};
use crate::error::PerfError;
use crate::provenance;
use crate::reader::{Input, Reader, Sample};
use serde_json::{Map, Value};
use shipgate_model::{PerfEvidence, PerfFormat, PerfUnit, RequestBasis, RunThresholds};
use std::collections::BTreeMap;

const TOOL: &str = "Locust";
const FORMAT: &str = "Locust --json";
/// The whole run, as Locust's stats name it.
const AGGREGATED: &str = "Aggregated";
/// The percentiles Locust reports (`PERCENTILES_TO_REPORT`), and the stat each becomes.
const PERCENTILES: &[(f64, &str)] = &[
    (0.50, "p50"),
    (0.66, "p66"),
    (0.75, "p75"),
    (0.80, "p80"),
    (0.90, "p90"),
    (0.95, "p95"),
    (0.98, "p98"),
    (0.99, "p99"),
    (0.999, "p99.9"),
    (0.9999, "p99.99"),
    (1.0, "p100"),
];

/// Locust's `--json` / `--json-file` output.
pub(crate) static LOCUST_JSON: LocustJson = LocustJson;

/// The reader of Locust's JSON stats.
pub(crate) struct LocustJson;

impl Reader for LocustJson {
    fn format(&self) -> PerfFormat {
        PerfFormat::Locust
    }

    fn describe(&self) -> &'static str {
        "a Locust `--json` stats file"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Head(head) = sample else {
            return false;
        };
        let has = |key: &[u8]| head.text.windows(key.len()).any(|w| w == key);
        head.text.first() == Some(&b'[')
            && has(b"\"num_none_requests\"")
            && has(b"\"response_times\"")
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        let mut bytes = Vec::new();
        input
            .stream(path)?
            .read_to_end(&mut bytes)
            .map_err(|source| PerfError::Io {
                path: path.to_owned(),
                source,
            })?;
        read(&bytes, path)
    }
}

/// One entry as Locust serialises it, or the total over several.
#[derive(Clone, Debug, Default)]
struct Entry {
    requests: u64,
    none: u64,
    failures: u64,
    total_time: f64,
    min: Option<f64>,
    max: f64,
    start: Option<f64>,
    last: Option<f64>,
    /// The histogram: bucket (milliseconds) and how many response times fell in it.
    histogram: BTreeMap<u64, (f64, u64)>,
}

impl Entry {
    /// Locust's `StatsEntry.extend`.
    fn extend(&mut self, other: &Entry) {
        self.requests = self.requests.saturating_add(other.requests);
        self.none = self.none.saturating_add(other.none);
        self.failures = self.failures.saturating_add(other.failures);
        self.total_time += other.total_time;
        self.max = self.max.max(other.max);
        self.min = match (self.min, other.min) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.start = match (self.start, other.start) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        for (key, (bucket, n)) in &other.histogram {
            let slot = &mut self.histogram.entry(*key).or_insert((*bucket, 0)).1;
            *slot = slot.saturating_add(*n);
        }
    }

    /// Locust's `calculate_response_time_percentile` over the timed requests: the largest
    /// bucket, walking down, at which no more than `(n · percent)` requests remain below.
    fn percentile(&self, percent: f64) -> f64 {
        let n = self.requests.saturating_sub(self.none);
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            clippy::cast_precision_loss,
            reason = "Python's int(num_requests * percent) of a non-negative count"
        )]
        let wanted = (n as f64 * percent).floor() as u64;
        let mut processed = 0u64;
        for (bucket, count) in self.histogram.values().rev() {
            processed = processed.saturating_add(*count);
            if n.saturating_sub(processed) <= wanted {
                return *bucket;
            }
        }
        0.0
    }
}

/// Reads the JSON list of entries.
pub(crate) fn read(bytes: &[u8], path: &str) -> Result<PerfEvidence, PerfError> {
    let mut c = Collector::new(PerfFormat::Locust, path, FORMAT);
    let doc = shipgate_json::parse_value(bytes).map_err(|e| c.json(e))?;
    let Some(list) = doc.as_array() else {
        return Err(c.invalid(
            "the top level",
            "expected the list of entries Locust writes",
        ));
    };
    let mut entries: Vec<(String, String, Entry)> = Vec::new();
    for (i, item) in list.iter().enumerate() {
        let at = format!("entry {i}");
        let Some(obj) = item.as_object() else {
            return Err(c.invalid(&at, "expected an object"));
        };
        let name = text(&c, obj, "name", &at)?;
        let method = match obj.get("method") {
            None | Some(Value::Null) => String::new(),
            Some(_) => text(&c, obj, "method", &at)?,
        };
        let at = format!("entry {i} (`{name}`)");
        if entries.iter().any(|(n, m, _)| *n == name && *m == method) {
            return Err(c.invalid(
                &at,
                format!("`{method} {name}` is listed twice; Locust lists each request once"),
            ));
        }
        entries.push((name, method, entry(&c, obj, &at)?));
    }
    let mut total = Entry::default();
    for (_, _, e) in &entries {
        total.extend(e);
    }
    if total.requests == 0 {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: FORMAT.to_owned(),
            what: "requests".to_owned(),
        });
    }
    // Locust's requests per second divide by the run's span: from its first entry's start to
    // its last request.
    let seconds = match (total.start, total.last) {
        (Some(a), Some(b)) if b > a => Some(b - a),
        _ => None,
    };
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, _, _) in &entries {
        *uses.entry(name.as_str()).or_default() += 1;
    }
    for (name, method, e) in &entries {
        let shown = if uses.get(name.as_str()).copied().unwrap_or(0) > 1 && !method.is_empty() {
            format!("{method} {name}")
        } else {
            name.clone()
        };
        if shown == AGGREGATED {
            return Err(c.invalid(
                format!("`{shown}`"),
                "a request is named `Aggregated`, the name of the whole run; rename the request",
            ));
        }
        add(&mut c, &shown, e, seconds)?;
    }
    add(&mut c, AGGREGATED, &total, seconds)?;
    let mut p = provenance(TOOL, FORMAT);
    #[expect(
        clippy::cast_possible_truncation,
        reason = "epoch microseconds of a finite, non-negative time stamp fit an i64; a larger one is refused by jiff"
    )]
    let start = total.start.map(|s| (s * 1e6).round() as i64);
    p.run_at = start.and_then(|us| jiff::Timestamp::from_microsecond(us).ok());
    c.finish(p, RunThresholds::NotRecorded)
}

/// Adds one entry's figures, as Locust reports them.
fn add(c: &mut Collector, name: &str, e: &Entry, seconds: Option<f64>) -> Result<(), PerfError> {
    let at = format!("`{name}`");
    #[expect(
        clippy::cast_precision_loss,
        reason = "request counts are far below 2^53"
    )]
    let (requests, failures, timed) = (
        e.requests as f64,
        e.failures as f64,
        e.requests.saturating_sub(e.none) as f64,
    );
    c.value(name, "count", PerfUnit::Count, requests, &at)?;
    c.value(name, "errors", PerfUnit::Count, failures, &at)?;
    if e.requests > 0 {
        c.value(
            name,
            "error_rate",
            PerfUnit::Ratio,
            failures / requests,
            &at,
        )?;
    }
    if let Some(seconds) = seconds {
        c.value(
            name,
            "throughput",
            PerfUnit::PerSecond,
            requests / seconds,
            &at,
        )?;
    }
    if let Some(min) = e.min
        && timed > 0.0
    {
        c.value(
            name,
            "avg",
            PerfUnit::Milliseconds,
            e.total_time / timed,
            &at,
        )?;
        c.value(name, "min", PerfUnit::Milliseconds, min, &at)?;
        c.value(name, "max", PerfUnit::Milliseconds, e.max, &at)?;
        // Locust holds the median between the exact min and max, its buckets being rounded.
        let med = e.percentile(0.5).min(e.max).max(min);
        c.value(name, "med", PerfUnit::Milliseconds, med, &at)?;
        for (percent, stat) in PERCENTILES {
            c.value(
                name,
                stat,
                PerfUnit::Milliseconds,
                e.percentile(*percent),
                &at,
            )?;
        }
    }
    c.requests(name, requests_of(requests, failures, RequestBasis::All));
    Ok(())
}

fn text(c: &Collector, obj: &Map<String, Value>, key: &str, at: &str) -> Result<String, PerfError> {
    obj.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| c.invalid(at, format!("`{key}` is missing or not text")))
}

/// A count: a whole number, never negative.
fn count(c: &Collector, obj: &Map<String, Value>, key: &str, at: &str) -> Result<u64, PerfError> {
    obj.get(key)
        .and_then(Value::as_u64)
        .ok_or_else(|| c.invalid(at, format!("`{key}` is missing or not a whole number")))
}

/// A number that may be `null` (Locust writes `null` before the first request).
fn number(
    c: &Collector,
    obj: &Map<String, Value>,
    key: &str,
    at: &str,
) -> Result<Option<f64>, PerfError> {
    match obj.get(key) {
        None => Err(c.invalid(at, format!("`{key}` is missing"))),
        Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(Some)
            .ok_or_else(|| c.invalid(at, format!("`{key}` is {v}, not a number of 0 or more"))),
    }
}

fn entry(c: &Collector, obj: &Map<String, Value>, at: &str) -> Result<Entry, PerfError> {
    let requests = count(c, obj, "num_requests", at)?;
    let none = count(c, obj, "num_none_requests", at)?;
    let failures = count(c, obj, "num_failures", at)?;
    if failures > requests || none > requests {
        return Err(c.invalid(
            at,
            format!(
                "{failures} failures and {none} requests without a time among {requests} requests: Locust counts every request, failed or not, in `num_requests`"
            ),
        ));
    }
    let Some(raw) = obj.get("response_times").and_then(Value::as_object) else {
        return Err(c.invalid(at, "`response_times` is missing or not an object"));
    };
    let mut histogram = BTreeMap::new();
    let mut timed = 0u64;
    for (key, n) in raw {
        // Locust 2.24 writes the bucket of a float time as a float (`"110.0"`).
        let bucket = key
            .parse::<f64>()
            .ok()
            .filter(|b| b.is_finite() && *b >= 0.0 && b.fract() == 0.0)
            .ok_or_else(|| {
                c.invalid(
                    at,
                    format!("`response_times` has the bucket `{key}`, not a whole number of milliseconds"),
                )
            })?;
        let n = n.as_u64().ok_or_else(|| {
            c.invalid(
                at,
                format!("`response_times.{key}` is {n}, not a number of requests"),
            )
        })?;
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "a whole, non-negative number of milliseconds"
        )]
        let slot = bucket as u64;
        if histogram.insert(slot, (bucket, n)).is_some() {
            return Err(c.invalid(
                at,
                format!("`response_times` gives the bucket {bucket} twice"),
            ));
        }
        // Saturating: counts that overflow can never add up to the requests (a wrapped sum
        // could, and would pass an edited histogram).
        timed = timed.saturating_add(n);
    }
    if Some(timed) != requests.checked_sub(none) {
        return Err(c.invalid(
            at,
            format!(
                "`response_times` counts {timed} response times, but the entry has {} requests with a time ({requests} − {none}); the file was edited or cut",
                requests.saturating_sub(none)
            ),
        ));
    }
    Ok(Entry {
        requests,
        none,
        failures,
        total_time: number(c, obj, "total_response_time", at)?.unwrap_or(0.0),
        min: number(c, obj, "min_response_time", at)?,
        max: number(c, obj, "max_response_time", at)?.unwrap_or(0.0),
        start: number(c, obj, "start_time", at)?,
        last: number(c, obj, "last_request_timestamp", at)?,
        histogram,
    })
}
