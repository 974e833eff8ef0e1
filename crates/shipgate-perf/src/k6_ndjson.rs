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
//! makes the file unreadable; so do a submetric declared without a name or with tags that are
//! not texts, and a point whose tag is not text (the fast path leaves such a line to the general
//! way, which refuses it).

use crate::collect::{Collector, Samples, Shape};
use crate::error::PerfError;
use crate::k6_summary::{
    MetricType, SUCCESSFUL, direction_of, is_http_timing, judge_successful_requests, unit_of,
};
use crate::k6_thresholds::Threshold;
use crate::provenance;
use crate::reader::{Input, Reader, Sample};
use crate::store::{SeriesId, Store};
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

#[derive(Clone)]
struct Definition {
    kind: MetricType,
    contains: Option<String>,
    thresholds: Vec<String>,
    /// Submetrics: their full name and the tags a point must carry.
    submetrics: Vec<(String, Vec<(String, String)>)>,
    /// Where the metric's points go in [`Slots`], and each submetric's, in the same order.
    slot: usize,
    sub_slots: Vec<usize>,
}

/// Each metric's and submetric's accumulator: found by name once, when a `Metric` line is read,
/// then by its place for each of millions of points; and the store of their samples.
struct Slots {
    by_name: BTreeMap<String, usize>,
    accumulators: Vec<Accumulator>,
    store: Store,
}

impl Slots {
    fn new(path: &str) -> Self {
        Self {
            by_name: BTreeMap::new(),
            accumulators: Vec::new(),
            store: Store::new(path),
        }
    }

    fn slot(&mut self, name: &str) -> usize {
        if let Some(&slot) = self.by_name.get(name) {
            return slot;
        }
        let slot = self.accumulators.len();
        self.accumulators.push(Accumulator::default());
        self.by_name.insert(name.to_owned(), slot);
        slot
    }

    /// The accumulators that got a point, by name, and the store of their samples.
    fn into_map(self) -> (BTreeMap<String, Accumulator>, Store) {
        let mut accumulators: Vec<Option<Accumulator>> =
            self.accumulators.into_iter().map(Some).collect();
        let map = self
            .by_name
            .into_iter()
            .filter_map(|(name, slot)| {
                let acc = accumulators.get_mut(slot)?.take()?;
                acc.seen.then_some((name, acc))
            })
            .collect();
        (map, self.store)
    }
}

/// A metric's points as they are read: the raw samples of a trend or a rate, the running
/// figures of a counter or a gauge.
#[derive(Default)]
struct Accumulator {
    /// Whether a point was added.
    seen: bool,
    /// A trend's or a rate's samples, in the store.
    series: Option<SeriesId>,
    sum: f64,
    last: Option<(Timestamp, f64)>,
    min: Option<f64>,
    max: Option<f64>,
}

impl Accumulator {
    fn add(
        &mut self,
        store: &mut Store,
        kind: MetricType,
        time: Timestamp,
        value: f64,
    ) -> Result<(), PerfError> {
        self.seen = true;
        match kind {
            MetricType::Trend => {
                let id = *self.series.get_or_insert_with(|| store.add_series());
                store.push(id, value)?;
            }
            MetricType::Rate => {
                let id = *self.series.get_or_insert_with(|| store.add_series());
                store.push(id, if value != 0.0 { 1.0 } else { 0.0 })?;
            }
            MetricType::Counter => self.sum += value,
            MetricType::Gauge => {
                if self.last.is_none_or(|(t, _)| time >= t) {
                    self.last = Some((time, value));
                }
                self.min = Some(self.min.map_or(value, |m| m.min(value)));
                self.max = Some(self.max.map_or(value, |m| m.max(value)));
            }
        }
        Ok(())
    }

    /// The points, read: the samples, ordered once for the thresholds and the metrics both.
    fn finish(self, store: &mut Store) -> Result<Points, PerfError> {
        let samples = match self.series {
            Some(id) => store.finish(id)?,
            None => Samples::new(Vec::new()),
        };
        Ok(Points {
            samples,
            sum: self.sum,
            last: self.last.map(|(_, v)| v),
            min: self.min,
            max: self.max,
        })
    }
}

/// Adds one point to its metric and to each submetric whose tags it carries (a tag's value is
/// compared as the bytes written, escapes read).
fn add_point<'t>(
    slots: &mut Slots,
    definition: &Definition,
    time: Timestamp,
    value: f64,
    tag: impl Fn(&str) -> Option<&'t [u8]>,
) -> Result<(), PerfError> {
    let Slots {
        accumulators,
        store,
        ..
    } = slots;
    let mut add = |slot: usize| match accumulators.get_mut(slot) {
        Some(acc) => acc.add(store, definition.kind, time, value),
        None => Ok(()),
    };
    add(definition.slot)?;
    for ((_, wanted), slot) in definition.submetrics.iter().zip(&definition.sub_slots) {
        if wanted.iter().all(|(k, v)| tag(k) == Some(v.as_bytes())) {
            add(*slot)?;
        }
    }
    Ok(())
}

/// A `Point` line as k6 writes it (`wrapper.go`, `sampleEnvelope`), read on the fast path
/// (`shipgate_json::parse_self_checked`): it checks its own keys. A repeated field (`type`,
/// `metric`, `data`, `time`, `value`, `tags`) is refused ([`once`]), [`Tags`] refuses a repeated
/// tag, and a key it does not know (k6's `metadata`, a newer k6's field) is refused rather than
/// skipped, so that the line goes the general way, which checks every key of every object.
///
/// Only a line of printable ASCII is read this way: its texts are then read as bytes, which
/// spares a UTF-8 check per text (the line's one check is cheaper); any other line goes the
/// general way, which checks its UTF-8 and refuses a control byte inside a text.
struct PointLine<'a> {
    kind: Bytes<'a>,
    metric: Bytes<'a>,
    data: PointData<'a>,
}

struct PointData<'a> {
    time: Bytes<'a>,
    value: f64,
    tags: Option<Tags<'a>>,
}

/// Sets a field read once, refusing it the second time (serde's derive does the same, but reads
/// each key as checked UTF-8 text; on an all-ASCII line the key's bytes are enough).
fn once<T, E: serde::de::Error>(
    slot: &mut Option<T>,
    value: T,
    name: &'static str,
) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

/// A key no field of a `Point` line has: refused, so that the line goes the general way.
fn unknown<E: serde::de::Error>(key: &[u8]) -> E {
    E::custom(format!("unknown field `{}`", String::from_utf8_lossy(key)))
}

impl<'de: 'a, 'a> Deserialize<'de> for PointLine<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = PointLine<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a k6 `Point` line")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<PointLine<'a>, M::Error> {
                let (mut kind, mut metric, mut data) = (None, None, None);
                while let Some(key) = map.next_key::<Bytes<'a>>()? {
                    match key.0.as_ref() {
                        b"type" => once(&mut kind, map.next_value()?, "type")?,
                        b"metric" => once(&mut metric, map.next_value()?, "metric")?,
                        b"data" => once(&mut data, map.next_value()?, "data")?,
                        other => return Err(unknown(other)),
                    }
                }
                use serde::de::Error;
                Ok(PointLine {
                    kind: kind.ok_or_else(|| M::Error::missing_field("type"))?,
                    metric: metric.ok_or_else(|| M::Error::missing_field("metric"))?,
                    data: data.ok_or_else(|| M::Error::missing_field("data"))?,
                })
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for PointData<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = PointData<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the `data` of a k6 `Point` line")
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(
                self,
                mut map: M,
            ) -> Result<PointData<'a>, M::Error> {
                let (mut time, mut value, mut tags) = (None, None, None);
                while let Some(key) = map.next_key::<Bytes<'a>>()? {
                    match key.0.as_ref() {
                        b"time" => once(&mut time, map.next_value()?, "time")?,
                        b"value" => once(&mut value, map.next_value::<f64>()?, "value")?,
                        b"tags" => once(&mut tags, map.next_value::<Option<Tags<'a>>>()?, "tags")?,
                        other => return Err(unknown(other)),
                    }
                }
                use serde::de::Error;
                Ok(PointData {
                    time: time.ok_or_else(|| M::Error::missing_field("time"))?,
                    value: value.ok_or_else(|| M::Error::missing_field("value"))?,
                    tags: tags.flatten(),
                })
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

impl shipgate_json::RefusesRepeatedKeys for PointLine<'_> {}

impl PointData<'_> {
    fn tag(&self, key: &str) -> Option<&[u8]> {
        self.tags
            .as_ref()?
            .0
            .iter()
            .find(|(k, _)| k.0.as_ref() == key.as_bytes())
            .map(|(_, v)| v.0.as_ref())
    }
}

/// A point's tags, in the order written. A repeated tag (`"expected_response":"true"` then
/// `"false"`) is refused here, each key compared with those before it: k6 writes about ten, so
/// the comparisons cost less than a set. A line with more than [`MAX_FAST_TAGS`] goes the
/// general way, which uses a set.
struct Tags<'a>(Vec<(Bytes<'a>, Bytes<'a>)>);

/// The most tags a point read on the fast path may have (k6 writes about ten).
const MAX_FAST_TAGS: usize = 64;

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
                let mut tags: Vec<(Bytes<'a>, Bytes<'a>)> = Vec::with_capacity(16);
                while let Some(key) = map.next_key::<Bytes<'a>>()? {
                    // The key is compared as read (escapes read), so `"st\u0061tus"` repeats
                    // `"status"`.
                    if tags.iter().any(|(seen, _)| seen.0 == key.0) {
                        return Err(serde::de::Error::custom(format!(
                            "duplicate tag `{}`",
                            String::from_utf8_lossy(&key.0)
                        )));
                    }
                    if tags.len() == MAX_FAST_TAGS {
                        return Err(serde::de::Error::custom("too many tags for the fast path"));
                    }
                    let value = map.next_value::<Bytes<'a>>()?;
                    tags.push((key, value));
                }
                Ok(Tags(tags))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// Where a tag's key and value are in the line (start, end), and the key's [`fingerprint`].
struct TagAt {
    print: u64,
    key: (usize, usize),
    value: (usize, usize),
}

/// A key's length and its first bytes in one number: two keys with different fingerprints
/// differ; two with the same one are compared whole.
fn fingerprint(key: &[u8]) -> u64 {
    let mut first = [0u8; 8];
    for (to, from) in first.iter_mut().zip(key) {
        *to = *from;
    }
    u64::from_le_bytes(first) ^ (key.len() as u64).rotate_right(8)
}

/// The `tags` object of a `Point` line read by hand, for k6's own simple shape only:
/// `{"key":"value", ...}` with JSON whitespace around the tokens, every key and value a text
/// without a backslash or a control byte, no key repeated, at most [`MAX_FAST_TAGS`]. It
/// returns where the object is (its `{` and one past its `}`) and fills `at` with each tag in
/// the order written; anything else (`None`) is left to the serde fast path and the general way.
///
/// Only a line of printable ASCII without a backslash is taken (one pass over it, [`plain`]):
/// then every `"` is where a text starts or ends, no text holds a control byte or an escape,
/// and the first `"tags"` followed by `:` is a key. Which object it
/// belongs to this does not know: the caller has serde read the rest of the line with this
/// object put out of the way (`null` in its place), so that serde refuses the line unless it is
/// `data.tags`, the only key `tags` a `Point` line read fast may have.
fn scan_tags(
    text: &[u8],
    finder: &memchr::memmem::Finder<'_>,
    at: &mut Vec<TagAt>,
) -> Option<(usize, usize)> {
    at.clear();
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if !plain(body.strip_suffix(b"\r").unwrap_or(body)) {
        return None;
    }
    let skip = |mut i: usize| {
        while matches!(text.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            i += 1;
        }
        i
    };
    // A text starting at `i` (its `"`): where its content starts and ends (the line is plain:
    // the next `"` ends it).
    let string = |i: usize| -> Option<(usize, usize)> {
        if text.get(i) != Some(&b'"') {
            return None;
        }
        let len = memchr::memchr(b'"', text.get(i + 1..)?)?;
        Some((i + 1, i + 1 + len))
    };
    let mut from = 0;
    let key = loop {
        let found = from + finder.find(text.get(from..)?)?;
        let after = skip(found + b"\"tags\"".len());
        if text.get(after) == Some(&b':') {
            break after + 1;
        }
        from = found + 1;
    };
    let open = skip(key);
    if text.get(open) != Some(&b'{') {
        return None;
    }
    let mut i = skip(open + 1);
    if text.get(i) == Some(&b'}') {
        return Some((open, i + 1));
    }
    loop {
        let (ks, ke) = string(i)?;
        let colon = skip(ke + 1);
        if text.get(colon) != Some(&b':') {
            return None;
        }
        let (vs, ve) = string(skip(colon + 1))?;
        let k = text.get(ks..ke)?;
        // Compared by length and first bytes at once; the whole key only when those are alike.
        let print = fingerprint(k);
        if at.len() == MAX_FAST_TAGS
            || at
                .iter()
                .any(|t| t.print == print && text.get(t.key.0..t.key.1) == Some(k))
        {
            return None;
        }
        at.push(TagAt {
            print,
            key: (ks, ke),
            value: (vs, ve),
        });
        i = skip(ve + 1);
        match text.get(i) {
            Some(b',') => i = skip(i + 1),
            Some(b'}') => return Some((open, i + 1)),
            _ => return None,
        }
    }
}

/// Whether every byte is printable ASCII (0x20 to 0x7e) and none is a backslash: one pass,
/// without an early exit so that it is done many bytes at a time.
fn plain(bytes: &[u8]) -> bool {
    bytes
        .iter()
        // 0x20 to 0x7e: `b - 0x20` below 0x5f, without a branch.
        .fold(true, |ok, &b| {
            ok & (b.wrapping_sub(0x20) < 0x5f) & (b != b'\\')
        })
}

/// Whether every byte is printable ASCII (0x20 to 0x7f), in one pass as [`plain`].
fn printable(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(true, |ok, &b| ok & (b.wrapping_sub(0x20) < 0x60))
}

/// A `Point` line read on the fast path, and where its tags are.
struct FastPoint<'a> {
    line: PointLine<'a>,
    tags: FastTags<'a>,
}

enum FastTags<'a> {
    /// Read by [`scan_tags`]: the line, and where each tag is in it.
    Scanned(&'a [u8], &'a [TagAt]),
    /// Read by serde ([`Tags`]), in `line.data`.
    Parsed,
}

impl FastPoint<'_> {
    fn tag(&self, key: &str) -> Option<&[u8]> {
        match self.tags {
            FastTags::Scanned(text, at) => at
                .iter()
                .find(|t| text.get(t.key.0..t.key.1) == Some(key.as_bytes()))
                .and_then(|t| text.get(t.value.0..t.value.1)),
            FastTags::Parsed => self.line.data.tag(key),
        }
    }
}

/// Reads a `Point` line the fast way: its tags by hand ([`scan_tags`]) and the rest by serde
/// where the line is as simple as k6 writes it, all of it by serde otherwise; `None` for a line
/// neither takes (the general way reads it, or says what is wrong with it).
fn fast_point<'a>(
    text: &'a [u8],
    finder: &memchr::memmem::Finder<'_>,
    rest: &'a mut Vec<u8>,
    at: &'a mut Vec<TagAt>,
) -> Option<FastPoint<'a>> {
    if !text.starts_with(b"{") || tests::way() == Way::General {
        return None;
    }
    if tests::way() == Way::Any
        && let Some((open, close)) = scan_tags(text, finder, at)
    {
        rest.clear();
        rest.extend_from_slice(text.get(..open)?);
        rest.extend_from_slice(b"null");
        rest.extend_from_slice(text.get(close..)?);
        let rest: &'a [u8] = rest;
        let line = shipgate_json::parse_self_checked::<PointLine<'a>>(rest).ok()?;
        if line.data.tags.is_some() {
            return None;
        }
        let at: &'a [TagAt] = at;
        return Some(FastPoint {
            line,
            tags: FastTags::Scanned(text, at),
        });
    }
    // serde_json reads a text as bytes without two checks it makes of a text as `str`: a
    // control byte inside it, and a `\u` escape of half a surrogate pair. The general way
    // refuses both: a line that may hold either goes that way.
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if !printable(body.strip_suffix(b"\r").unwrap_or(body))
        || memchr::memchr_iter(b'\\', text)
            .any(|i| text.get(i + 1) == Some(&b'u') && matches!(text.get(i + 2), Some(b'd' | b'D')))
    {
        return None;
    }
    let line = shipgate_json::parse_self_checked::<PointLine<'a>>(text).ok()?;
    Some(FastPoint {
        line,
        tags: FastTags::Parsed,
    })
}

/// A JSON text as its bytes, escapes read, borrowed from the line where it has no escape. Only
/// a text is taken (serde_json would also give bytes for a list of numbers: refused here).
struct Bytes<'a>(Cow<'a, [u8]>);

impl<'de: 'a, 'a> Deserialize<'de> for Bytes<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> serde::de::Visitor<'de> for Visit<'a> {
            type Value = Bytes<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("text")
            }
            fn visit_borrowed_bytes<E: serde::de::Error>(
                self,
                v: &'de [u8],
            ) -> Result<Bytes<'a>, E> {
                Ok(Bytes(Cow::Borrowed(v)))
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Bytes<'a>, E> {
                Ok(Bytes(Cow::Owned(v.to_vec())))
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Bytes<'a>, E> {
                Ok(Bytes(Cow::Owned(v)))
            }
        }
        d.deserialize_bytes(Visit(std::marker::PhantomData))
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
    /// The value of a k6 aggregation (`avg`, `p95`, `count`, `rate`, `value`, ...); an error
    /// when the samples held on disk cannot be read back whole.
    fn stat(
        &self,
        kind: MetricType,
        stat: &str,
        seconds: Option<f64>,
    ) -> Result<Option<f64>, PerfError> {
        Ok(match (kind, stat) {
            (MetricType::Counter, "count") => Some(self.sum),
            (MetricType::Counter, "rate") => seconds.filter(|s| *s > 0.0).map(|s| self.sum / s),
            (MetricType::Gauge, "value") => self.last,
            (MetricType::Gauge, "min") => self.min,
            (MetricType::Gauge, "max") => self.max,
            (MetricType::Rate, "passes") => Some(self.samples.sum()?),
            (MetricType::Rate, "fails") => Some(self.samples.len() as f64 - self.samples.sum()?),
            (MetricType::Trend, "count") => Some(self.samples.len() as f64),
            (MetricType::Rate, "rate") | (MetricType::Trend, _) => {
                let stat = if stat == "rate" { "avg" } else { stat };
                match SampleStat::from_stat_name(stat) {
                    Some(stat) => self.samples.stat(stat)?,
                    None => None,
                }
            }
            _ => None,
        })
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

/// The definition of the metric named `metric` (as written), from the few read last, else from
/// the map (and kept): k6 writes the points of a request to a handful of metrics in turn, and
/// a name compared by its length first is found faster than through the map's comparisons.
fn recent_definition<'d>(
    recent: &'d mut Vec<(Box<[u8]>, Definition)>,
    definitions: &BTreeMap<String, Definition>,
    metric: &[u8],
) -> Option<&'d Definition> {
    let found = recent
        .iter()
        .position(|(name, _)| name.len() == metric.len() && **name == *metric);
    let at = match found {
        Some(at) => at,
        None => {
            let definition = definitions.get(std::str::from_utf8(metric).ok()?)?;
            if recent.len() == 32 {
                recent.clear();
            }
            recent.push((metric.into(), definition.clone()));
            recent.len() - 1
        }
    };
    recent.get(at).map(|(_, definition)| definition)
}

/// Which ways a `Point` line may be read: tests read the same file each way and compare.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Way {
    /// The tag scanner, else serde's fast path, else the general way (as shipped).
    Any,
    /// Serde's fast path, else the general way.
    #[cfg_attr(not(test), expect(dead_code, reason = "chosen by tests only"))]
    Serde,
    /// The general way only.
    General,
}

/// Reads the NDJSON stream line by line.
pub(crate) fn read<R: BufRead + ?Sized>(
    reader: &mut R,
    path: &str,
) -> Result<PerfEvidence, PerfError> {
    let mut c = Collector::new(PerfFormat::K6, path, FORMAT);
    let mut definitions: BTreeMap<String, Definition> = BTreeMap::new();
    let mut slots = Slots::new(path);
    let mut first: Option<Timestamp> = None;
    let mut last: Option<Timestamp> = None;
    let mut points = 0u64;
    // The submetrics the file declares: k6 writes no threshold of theirs (below).
    let mut declared: BTreeSet<String> = BTreeSet::new();
    // k6 writes the points of one request with one time: parsed once for them all.
    let mut last_time: Option<(Vec<u8>, Timestamp)> = None;
    let io = |source| PerfError::Io {
        path: path.to_owned(),
        source,
    };
    // A line whole in the reader's buffer is read where it is; only one cut by the buffer's end
    // is copied, into `line`. `used` is what the line before took of the buffer.
    let mut line = Vec::new();
    // The fast path's own buffers, kept from line to line: a `Point` line with its tags put
    // out of the way, and where each tag is.
    let finder = memchr::memmem::Finder::new(b"\"tags\"");
    let mut rest = Vec::new();
    let mut tag_at: Vec<TagAt> = Vec::with_capacity(16);
    // The definitions of the metrics points were last read for, found by the name's bytes
    // (its length first) rather than through the map; emptied by every `Metric` line.
    let mut recent: Vec<(Box<[u8]>, Definition)> = Vec::new();
    let mut used = 0usize;
    let mut number = 0usize;
    loop {
        reader.consume(std::mem::take(&mut used));
        let (available, end) = {
            let buf = reader.fill_buf().map_err(io)?;
            (buf.len(), memchr::memchr(b'\n', buf))
        };
        if available == 0 {
            break;
        }
        let whole: &[u8] = match end {
            Some(i) => {
                used = i + 1;
                &reader.fill_buf().map_err(io)?[..=i]
            }
            None => {
                line.clear();
                reader.read_until(b'\n', &mut line).map_err(io)?;
                &line
            }
        };
        number += 1;
        let text = crate::reader::strip_bom(whole);
        // The fast path: a `Point` line as k6 writes it, read straight into its fields by a
        // type that refuses a repeated or unknown key itself. Anything it does not take (a
        // `Metric` line, a repeat, a key it does not know, a value that is not a finite number)
        // goes the general way below, which reads it the same or says what is wrong with it.
        if let Some(fast) = fast_point(text, &finder, &mut rest, &mut tag_at)
            && let point = &fast.line
            && point.kind.0.as_ref() == b"Point"
            && point.data.value.is_finite()
            && let Some(definition) = recent_definition(&mut recent, &definitions, &point.metric.0)
            && let Some(time) = match &last_time {
                Some((text, time)) if *text == point.data.time.0.as_ref() => Some(*time),
                _ => std::str::from_utf8(&point.data.time.0)
                    .ok()
                    .and_then(|t| shipgate_model::Instant::parse(t).ok())
                    .map(|t| t.timestamp()),
            }
        {
            if last_time
                .as_ref()
                .is_none_or(|(text, _)| *text != point.data.time.0.as_ref())
            {
                last_time = Some((point.data.time.0.to_vec(), time));
            }
            first = Some(first.map_or(time, |f| f.min(time)));
            last = Some(last.map_or(time, |l| l.max(time)));
            points += 1;
            add_point(&mut slots, definition, time, point.data.value, |k| {
                fast.tag(k)
            })?;
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
                recent.clear();
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
                for (sub_name, tags) in submetric_declarations(&c, data, &name, &at)? {
                    declared.insert(sub_name.clone());
                    submetrics.push((sub_name, tags));
                }
                // The successful requests' timings, which the latency is judged on: k6 tags
                // every HTTP point with `expected_response`.
                if is_http_timing(&name) {
                    let sub = (
                        format!("{name}{SUCCESSFUL}"),
                        vec![("expected_response".to_owned(), "true".to_owned())],
                    );
                    // One accumulator a name: a submetric declared under this name already
                    // (with other tags) is not added twice, or its points would count twice.
                    if !submetrics.iter().any(|(n, _)| *n == sub.0) {
                        submetrics.push(sub);
                    }
                }
                // k6 writes one `Metric` line per metric; should one repeat, its thresholds are
                // added to the first's, never put in their place.
                match definitions.entry(name) {
                    Entry::Vacant(entry) => {
                        let slot = slots.slot(entry.key());
                        let sub_slots = submetrics.iter().map(|(n, _)| slots.slot(n)).collect();
                        entry.insert(Definition {
                            kind,
                            contains,
                            thresholds,
                            submetrics,
                            slot,
                            sub_slots,
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
                            if !def.submetrics.iter().any(|(n, _)| *n == sub.0) {
                                def.sub_slots.push(slots.slot(&sub.0));
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
                point_tags_are_text(&c, tags, name, &at)?;
                add_point(&mut slots, definition, time, value, |k| {
                    tags.and_then(|t| t.get(k))
                        .and_then(Value::as_str)
                        .map(str::as_bytes)
                })?;
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
    let (mut accumulators, mut store) = slots.into_map();
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
        let points = acc.finish(&mut store)?;
        for source in thresholds {
            let label = format!("{name}: {source}");
            let held = match Threshold::parse(source) {
                Some(t) => points.stat(def.kind, &t.stat, seconds)?.map(|v| t.holds(v)),
                None => None,
            };
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
                if let Some(v) = points.stat(def.kind, stat, seconds)? {
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
                if let Some(v) = points.stat(def.kind, stat, seconds)? {
                    let unit = unit_of(c, name, stat, Some(def.kind), contains);
                    let direction = direction_of(name, stat, Some(def.kind), contains);
                    c.metric(name, stat, Shape::new(unit, direction), v, None, &at)?;
                }
            }
        }
    }
    Ok(())
}

/// A submetric: its full name and the tags (key, value) a point must carry.
type Submetric = (String, Vec<(String, String)>);

/// A `Metric` line's submetrics, as k6 writes them (`metrics.Submetric`: a `name`, a `suffix`
/// and the `tags` a point must carry, each tag's value text). A declaration without a name, or
/// with tags that are not an object of texts, is refused: skipped, it would hide a submetric
/// whose thresholds the file cannot show; read as an empty tag, it would count other points.
fn submetric_declarations(
    c: &Collector,
    data: Option<&Value>,
    metric: &str,
    at: &str,
) -> Result<Vec<Submetric>, PerfError> {
    let list = match data.and_then(|d| d.get("submetrics")) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(other) => {
            return Err(c.invalid(
                at,
                format!("the submetrics of `{metric}` are `{other}`, not a list"),
            ));
        }
    };
    list.iter()
        .map(|sub| {
            let name = sub.get("name").and_then(Value::as_str).ok_or_else(|| {
                c.invalid(
                    at,
                    format!(
                        "a submetric of `{metric}` has no name (`{sub}`); k6 names each one it declares"
                    ),
                )
            })?;
            let tags = sub.get("tags").and_then(Value::as_object).ok_or_else(|| {
                c.invalid(
                    at,
                    format!("the submetric `{name}` has no `tags` object; k6 writes the tags a point must carry"),
                )
            })?;
            let tags = tags
                .iter()
                .map(|(k, v)| match v {
                    Value::String(v) => Ok((k.clone(), v.clone())),
                    other => Err(c.invalid(
                        at,
                        format!(
                            "the tag `{k}` of the submetric `{name}` is `{other}`, not text; k6 writes every tag as text"
                        ),
                    )),
                })
                .collect::<Result<_, _>>()?;
            Ok((name.to_owned(), tags))
        })
        .collect()
}

/// A point's tags, read the general way: none, or an object of texts. A tag that is not text
/// (`"expected_response": true`) would match no submetric, and the point would drop out of the
/// successful requests unseen: refused, as the fast path refuses it.
fn point_tags_are_text(
    c: &Collector,
    tags: Option<&Value>,
    metric: &str,
    at: &str,
) -> Result<(), PerfError> {
    let tags = match tags {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(tags)) => tags,
        Some(other) => {
            return Err(c.invalid(
                at,
                format!("a point of `{metric}` has the tags `{other}`, not an object"),
            ));
        }
    };
    match tags.iter().find(|(_, v)| !v.is_string()) {
        Some((k, v)) => Err(c.invalid(
            at,
            format!("the tag `{k}` of a point of `{metric}` is `{v}`, not text; k6 writes every tag as text"),
        )),
        None => Ok(()),
    }
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

/// Outside tests every way is open.
#[cfg(not(test))]
mod tests {
    pub(super) fn way() -> super::Way {
        super::Way::Any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        static WAY: Cell<Way> = const { Cell::new(Way::Any) };
    }

    pub(super) fn way() -> Way {
        WAY.get()
    }

    /// `bytes` read with only `way` open.
    fn read_way(bytes: &[u8], way: Way) -> Result<PerfEvidence, PerfError> {
        WAY.set(way);
        let read = read(&mut &bytes[..], "run.ndjson");
        WAY.set(Way::Any);
        read
    }

    const LINE: &[u8] = br#"{"type":"Point","data":{"time":"2026-11-20T10:00:00Z","value":39.5,"tags":{"expected_response":"true","status":"200"}},"metric":"http_req_duration"}"#;

    fn fast(line: &[u8]) -> Option<PointLine<'_>> {
        shipgate_json::parse_self_checked::<PointLine<'_>>(line).ok()
    }

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    fn read_both(bytes: &[u8], chunk: usize) -> (PerfEvidence, PerfEvidence) {
        let held = read(&mut &bytes[..], "run.ndjson").unwrap();
        let spilled =
            crate::store::tests::with_limits(0, chunk, || read(&mut &bytes[..], "run.ndjson"))
                .unwrap();
        (held, spilled)
    }

    /// READY-risk: a statistic or a threshold's outcome that changes once the samples no
    /// longer fit in memory (a quantile of the part held, a shorter series).
    #[test]
    fn a_file_read_with_every_series_spilled_gives_the_same_evidence() {
        for name in ["k6-out.ndjson", "k6-out-abort-on-fail.ndjson"] {
            let (held, spilled) = read_both(&fixture(name), 3);
            crate::store::tests::assert_same_evidence(&held, &spilled);
        }
    }

    /// The same on a file large enough to be read back in many ranges, with a threshold on a
    /// percentile the first pass does not work out.
    #[test]
    fn a_generated_file_read_spilled_gives_the_same_numbers_and_thresholds() {
        let mut text = String::from(concat!(
            r#"{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<30","p(99.9)<45","avg<25","med<20"],"submetrics":null},"metric":"http_req_duration"}"#,
            "\n",
            r#"{"type":"Metric","data":{"name":"http_req_failed","type":"rate","contains":"default","thresholds":["rate<0.05"],"submetrics":null},"metric":"http_req_failed"}"#,
            "\n"
        ));
        let mut state = 0x1234_5678_9abc_def1u64;
        for i in 0..6_000u32 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let ok = !state.is_multiple_of(23);
            let value = if i % 5 == 0 {
                f64::from(i % 40)
            } else {
                (state % 40_000) as f64 / 1000.0
            };
            let s = i / 10;
            text.push_str(&format!(
                r#"{{"type":"Point","data":{{"time":"2026-11-20T10:{:02}:{:02}Z","value":{value},"tags":{{"expected_response":"{ok}","status":"200"}}}},"metric":"http_req_duration"}}"#,
                s / 60 % 60,
                s % 60
            ));
            text.push('\n');
            text.push_str(&format!(
                r#"{{"type":"Point","data":{{"time":"2026-11-20T10:{:02}:{:02}Z","value":{},"tags":{{"expected_response":"{ok}"}}}},"metric":"http_req_failed"}}"#,
                s / 60 % 60,
                s % 60,
                u8::from(!ok)
            ));
            text.push('\n');
        }
        let (held, spilled) = read_both(text.as_bytes(), 97);
        crate::store::tests::assert_same_evidence(&held, &spilled);
        let RunThresholds::Recorded { passed, failed, .. } = &held.thresholds else {
            panic!("thresholds recorded");
        };
        assert_eq!(passed.len() + failed.len(), 5, "{passed:?} {failed:?}");
    }

    /// A small document: `http_req_duration` with submetrics on `status`, `name` and
    /// `expected_response` (true by k6's default, false declared), one ordinary point, and a point
    /// with `tags` as written.
    fn document_with_tags(tags: &str) -> String {
        let mut text = String::from(concat!(
            r#"{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<500"],"submetrics":[{"name":"http_req_duration{status:200}","suffix":"status:200","tags":{"status":"200"}},{"name":"http_req_duration{expected_response:false}","suffix":"expected_response:false","tags":{"expected_response":"false"}},{"name":"http_req_duration{name:a b}","suffix":"name:a b","tags":{"name":"a b"}}]},"metric":"http_req_duration"}"#,
            "\n",
            r#"{"type":"Point","data":{"time":"2026-11-20T10:00:00Z","value":12,"tags":{"expected_response":"true","status":"200"}},"metric":"http_req_duration"}"#,
            "\n",
        ));
        text.push_str(&format!(
            r#"{{"type":"Point","data":{{"time":"2026-11-20T10:00:01Z","value":700,"tags":{tags}}},"metric":"http_req_duration"}}"#
        ));
        text.push('\n');
        text
    }

    /// The document read the three ways: the same evidence, or the same refusal.
    fn assert_every_way_reads_the_same(text: &str) {
        let any = read_way(text.as_bytes(), Way::Any);
        for way in [Way::Serde, Way::General] {
            match (&any, read_way(text.as_bytes(), way)) {
                (Ok(a), Ok(b)) => assert!(*a == b, "{way:?} reads it otherwise\n{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!(
                    "{way:?} reads it otherwise: {:?} / {:?}\n{text}",
                    a.as_ref().err().map(ToString::to_string),
                    b.err().map(|e| e.to_string())
                ),
            }
        }
    }

    /// Whether the tag scanner takes the document's last line.
    fn scanned(text: &str) -> bool {
        let line = text.lines().last().unwrap_or_default();
        let finder = memchr::memmem::Finder::new(b"\"tags\"");
        scan_tags(line.as_bytes(), &finder, &mut Vec::new()).is_some()
    }

    /// The submetric a document's odd point was counted in (`count` of each), as read.
    fn counted(text: &str) -> Result<Vec<(String, f64)>, String> {
        let evidence = read_way(text.as_bytes(), Way::Any).map_err(|e| e.to_string())?;
        Ok(evidence
            .metrics
            .iter()
            .filter(|(k, _)| k.ends_with(".max"))
            .map(|(k, m)| (k.clone(), m.value))
            .collect())
    }

    /// The property: for many generated `tags` objects, keys and values with escapes (`\u0061`),
    /// whitespace, repeats, values that are not text, nesting, broken syntax, 0 to 65 tags, the
    /// scanner, serde's fast path and the general way give the same evidence or the same refusal.
    #[test]
    fn tags_read_by_the_scanner_serde_and_the_general_way_give_the_same_evidence_or_refusal() {
        const KEYS: &[&str] = &[
            r#""expected_response""#,
            r#""expected_respons\u0065""#,
            r#""status""#,
            r#""st\u0061tus""#,
            r#""name""#,
            r#""url""#,
            r#""""#,
            r#"" status""#,
            r#""status ""#,
            r#""a b""#,
            r#""caf\u00e9""#,
            r#""group""#,
            "\"st\tatus\"",
        ];
        const VALUES: &[&str] = &[
            r#""true""#,
            r#""false""#,
            "true",
            "false",
            r#""200""#,
            "200",
            "null",
            "{}",
            r#"{"status":"200"}"#,
            r#"["true"]"#,
            r#""tr\u0075e""#,
            r#""""#,
            r#""a b""#,
            r#""a\"b""#,
            "\"x\ty\"",
            r#""2\u00300""#,
            r#""café""#,
            r#""\ud800""#,
            r#""\uD83D\uDE00""#,
            "\"a\u{7f}b\"",
        ];
        const GAPS: &[&str] = &["", " ", "  ", "\t", "\r"];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let (mut taken, mut left) = (0, 0);
        for round in 0..3000 {
            let gap = |next: &mut dyn FnMut(usize) -> usize| GAPS[next(GAPS.len())].to_owned();
            let count = match round % 50 {
                0 => 63,
                1 => 64,
                2 => 65,
                _ => next(6),
            };
            let mut parts = Vec::new();
            for i in 0..count {
                let key = if count > 10 {
                    format!("\"k{i}\"")
                } else {
                    KEYS[next(KEYS.len())].to_owned()
                };
                let value = VALUES[next(VALUES.len())];
                let colon = match next(40) {
                    0 => String::new(),
                    1 => "=".to_owned(),
                    _ => format!("{}:{}", gap(&mut next), gap(&mut next)),
                };
                parts.push(format!(
                    "{}{key}{colon}{value}{}",
                    gap(&mut next),
                    gap(&mut next)
                ));
            }
            let mut tags = format!("{{{}}}", parts.join(","));
            match next(30) {
                0 => tags = tags.replacen('}', ",}", 1),
                1 => {
                    tags.pop();
                }
                2 => tags = "null".to_owned(),
                3 => tags = r#"["status","200"]"#.to_owned(),
                4 => tags = format!("{tags}{}", gap(&mut next)),
                _ => {}
            }
            let text = document_with_tags(&tags);
            if scanned(&text) {
                taken += 1;
            } else {
                left += 1;
            }
            assert_every_way_reads_the_same(&text);
        }
        // Both sides of the scanner are exercised, not only its refusals.
        assert!(taken > 200 && left > 200, "taken {taken}, left {left}");
    }

    /// READY-risk: a repeated `expected_response` slips past the scanner, the failed request
    /// (`"false"` after `"true"`) counting among the successful ones.
    #[test]
    fn a_repeated_expected_response_is_refused_as_the_general_way_refuses_it() {
        for tags in [
            r#"{"expected_response":"true","status":"500","expected_response":"false"}"#,
            r#"{"expected_response":"false", "expected_response":"true"}"#,
            r#"{"status":"200","status":"500"}"#,
        ] {
            let text = document_with_tags(tags);
            assert!(!scanned(&text), "{tags}");
            let e = read_way(text.as_bytes(), Way::Any).expect_err(tags);
            let general = read_way(text.as_bytes(), Way::General).expect_err(tags);
            assert_eq!(e.to_string(), general.to_string());
            assert!(e.to_string().contains("appears twice"), "{e}");
        }
    }

    /// READY-risk: an escaped key (`expected_respons\u0065`) read by its bytes as another key,
    /// so that its repeat of `expected_response` goes unseen, or the tag is missed.
    #[test]
    fn an_escaped_key_is_never_read_by_the_scanner_and_repeats_the_key_it_spells() {
        let repeat =
            document_with_tags(r#"{"expected_response":"true","expected_respons\u0065":"false"}"#);
        assert!(!scanned(&repeat));
        let e = read_way(repeat.as_bytes(), Way::Any).expect_err("a repeat");
        assert!(e.to_string().contains("expected_response"), "{e}");
        let alone = document_with_tags(r#"{"expected_respons\u0065":"false","st\u0061tus":"200"}"#);
        assert!(!scanned(&alone));
        let counted = counted(&alone).unwrap();
        assert!(
            counted.contains(&(
                "http_req_duration{expected_response:false}.max".to_owned(),
                700.0
            )),
            "{counted:?}"
        );
        assert!(
            counted.contains(&("http_req_duration{status:200}.max".to_owned(), 700.0)),
            "{counted:?}"
        );
    }

    /// READY-risk: a tag written `false` (not text) read as the text `"false"`, or the other
    /// way round: the first is refused as the general way refuses it, the second counted.
    #[test]
    fn a_tag_value_false_is_refused_and_the_text_false_is_counted() {
        let bare = document_with_tags(r#"{"expected_response":false,"status":"200"}"#);
        assert!(!scanned(&bare));
        let e = read_way(bare.as_bytes(), Way::Any).expect_err("not text");
        assert!(e.to_string().contains("not text"), "{e}");
        let text = document_with_tags(r#"{"expected_response":"false","status":"200"}"#);
        assert!(scanned(&text));
        let counted = counted(&text).unwrap();
        assert!(
            counted.contains(&(
                "http_req_duration{expected_response:false}.max".to_owned(),
                700.0
            )),
            "{counted:?}"
        );
        assert!(
            counted.contains(&(
                "http_req_duration{expected_response:true}.max".to_owned(),
                12.0
            )),
            "the failed request counts among the successful ones: {counted:?}"
        );
    }

    /// READY-risk: a truncated `tags` object (the file cut while k6 wrote it, or a brace
    /// missing) read as the tags it has so far.
    #[test]
    fn a_truncated_tags_object_is_refused() {
        let whole = document_with_tags(r#"{"expected_response":"false","status":"500"}"#);
        let start = whole.rfind(r#""tags":{"#).unwrap();
        let end = whole.rfind("}}").unwrap();
        let mut cuts = 0;
        for cut in start..end {
            let text = format!("{}\n", &whole[..cut]);
            let e = read_way(text.as_bytes(), Way::Any).expect_err(&text);
            let general = read_way(text.as_bytes(), Way::General).expect_err(&text);
            assert_eq!(e.to_string(), general.to_string());
            cuts += 1;
        }
        assert!(cuts > 40);
        for tags in [
            r#"{"expected_response":"false","status":"500""#,
            r#"{"expected_response":"false","status":"#,
            r#"{"expected_response":"false","#,
            r#"{"expected_response":"false",}"#,
            r#"{"expected_response" "false"}"#,
        ] {
            let text = document_with_tags(tags);
            let e = read_way(text.as_bytes(), Way::Any).expect_err(tags);
            let general = read_way(text.as_bytes(), Way::General).expect_err(tags);
            assert_eq!(e.to_string(), general.to_string());
        }
    }

    /// READY-risk: whitespace inside a key (`" status"`, `"status "`) trimmed by the scanner,
    /// so that a point of another tag counts in the `status:200` submetric; whitespace between
    /// the tokens, which JSON allows, read as k6's own shape.
    #[test]
    fn whitespace_inside_a_key_is_part_of_the_key_and_between_tokens_is_allowed() {
        for tags in [r#"{" status":"200"}"#, r#"{"status ":"200"}"#] {
            let text = document_with_tags(tags);
            assert!(scanned(&text), "{tags}");
            let counted = counted(&text).unwrap();
            assert!(
                counted.contains(&("http_req_duration{status:200}.max".to_owned(), 12.0)),
                "{tags}: {counted:?}"
            );
            assert_every_way_reads_the_same(&text);
        }
        let spaced = document_with_tags(r#"{ "status" : "200" , "name" :"a b" }"#);
        assert!(scanned(&spaced));
        let counted = counted(&spaced).unwrap();
        assert!(counted.contains(&("http_req_duration{status:200}.max".to_owned(), 700.0)));
        assert!(counted.contains(&("http_req_duration{name:a b}.max".to_owned(), 700.0)));
        assert_every_way_reads_the_same(&spaced);
    }

    /// READY-risk: a second `tags` object in the line read instead of `data.tags`: a repeat
    /// of `data.tags` is refused; one in the root object (which k6 does not write, and the
    /// general way leaves alone) is never read as the point's tags, before `data` or after it.
    #[test]
    fn a_second_tags_object_in_the_line_is_refused_or_never_read_as_the_points() {
        let text = document_with_tags(r#"{"expected_response":"true"}"#);
        for changed in [
            text.replacen(
                r#""value":700,"#,
                r#""value":700,"tags":{"expected_response":"false"},"#,
                1,
            ),
            text.replacen(
                r#""value":700,"#,
                r#""value":700,"tags" :{"expected_response":"false"},"#,
                1,
            ),
        ] {
            assert_ne!(changed, text);
            let any = read_way(changed.as_bytes(), Way::Any).expect_err(&changed);
            let general = read_way(changed.as_bytes(), Way::General).expect_err(&changed);
            assert_eq!(any.to_string(), general.to_string());
            assert!(any.to_string().contains("appears twice"), "{any}");
        }
        let end = text.rfind(r#","metric":"#).unwrap();
        for changed in [
            format!(
                r#"{},"tags":{{"expected_response":"false"}}{}"#,
                &text[..end],
                &text[end..]
            ),
            text.replacen(
                r#"{"type":"Point","data":{"time":"2026-11-20T10:00:01Z""#,
                r#"{"tags":{"expected_response":"false"},"type":"Point","data":{"time":"2026-11-20T10:00:01Z""#,
                1,
            ),
        ] {
            assert_ne!(changed, text);
            assert_every_way_reads_the_same(&changed);
            let counted = counted(&changed).unwrap();
            assert!(
                counted.contains(&("http_req_duration{expected_response:true}.max".to_owned(), 700.0)),
                "{counted:?}"
            );
            assert!(
                !counted.iter().any(|(k, _)| k.contains("expected_response:false")),
                "{counted:?}"
            );
        }
    }

    /// READY-risk: a control byte or half a surrogate pair inside a tag, which the general way
    /// refuses, read by the fast path (serde_json checks neither in a text read as bytes).
    #[test]
    fn a_control_byte_or_half_a_surrogate_pair_in_a_tag_is_refused_every_way() {
        for tags in [
            "{\"expected_response\":\"tr\tue\"}",
            "{\"expected_response\":\"true\",\"name\":\"a\u{1}b\"}",
            r#"{"expected_response":"true","name":"\ud800"}"#,
            r#"{"expected_response":"true","name":"\uDC00x"}"#,
        ] {
            let text = document_with_tags(tags);
            for way in [Way::Any, Way::Serde, Way::General] {
                read_way(text.as_bytes(), way).expect_err(tags);
            }
            assert_every_way_reads_the_same(&text);
        }
    }

    #[test]
    fn the_fast_path_reads_a_point_line_as_k6_writes_it() {
        let point = fast(LINE).expect("the fast path takes k6's own line");
        assert_eq!(point.kind.0.as_ref(), b"Point");
        assert_eq!(point.metric.0.as_ref(), b"http_req_duration");
        assert_eq!(point.data.value, 39.5);
        assert_eq!(point.data.tag("expected_response"), Some(&b"true"[..]));
        assert_eq!(point.data.tag("status"), Some(&b"200"[..]));
        assert_eq!(point.data.tag("url"), None);
    }

    #[test]
    fn the_fast_path_refuses_every_repeat_and_every_key_it_does_not_know() {
        let text = std::str::from_utf8(LINE).unwrap();
        for changed in [
            text.replacen(r#""value":39.5"#, r#""value":1,"value":39.5"#, 1),
            text.replacen(r#""type":"Point""#, r#""type":"Point","type":"Point""#, 1),
            text.replacen(r#""metric":"#, r#""metric":"http_reqs","metric":"#, 1),
            text.replacen(r#""time":"#, r#""time":"2026-11-20T09:00:00Z","time":"#, 1),
            text.replacen(r#""tags":{"#, r#""tags":{"expected_response":"false","#, 1),
            text.replacen(r#""tags":{"#, r#""tags":{"st\u0061tus":"500","#, 1),
            text.replacen(r#""tags":{"#, r#""metadata":{"a":"1","a":"2"},"tags":{"#, 1),
            text.replacen(r#"}}"#, r#"},"extra":1}"#, 1),
            text.replacen(r#""status":"200""#, r#""status":200"#, 1),
            text.replacen(r#""value":39.5,"#, "", 1),
            text.replacen(r#","metric":"http_req_duration""#, "", 1),
        ] {
            assert_ne!(changed, text);
            assert!(fast(changed.as_bytes()).is_none(), "taken: {changed}");
        }
    }
}
