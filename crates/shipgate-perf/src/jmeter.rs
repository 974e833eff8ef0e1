//! Apache JMeter: JTL result files (CSV) and the HTML dashboard's `statistics.json`.
//!
//! A JTL holds one row per sample, so every response-time stat is computed here from the raw
//! `elapsed` values (percentiles by linear interpolation, see `shipgate_stats::percentile`) and
//! the samples are kept for the significance test. Metrics are named after the sampler's
//! `label` (`checkout.p95`), and `Total` covers every sample, as in JMeter's dashboard.

use crate::collect::{Collector, TimedRequests, requests_of};
use crate::error::PerfError;
use crate::provenance;
use crate::reader::{Input, Reader, Sample};
use crate::store::{SeriesId, Store};
use jiff::Timestamp;
use serde_json::Value;
use shipgate_model::{PerfEvidence, PerfFormat, PerfUnit, RequestBasis, RunThresholds};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::BufRead;

pub(crate) const TOOL: &str = "Apache JMeter";
/// The name of the aggregate over every label, as in JMeter's dashboard.
pub(crate) const TOTAL: &str = "Total";

/// Where the needed fields are in a row.
struct Columns {
    time_stamp: Option<usize>,
    elapsed: usize,
    label: usize,
    success: usize,
}

/// JMeter 2.x writes no header row by default, in this order: timeStamp, elapsed, label,
/// responseCode, responseMessage, threadName, dataType, success, bytes, grpThreads, allThreads,
/// Latency (`jmeter.properties`, `jmeter.save.saveservice.*`).
const HEADERLESS: Columns = Columns {
    time_stamp: Some(0),
    elapsed: 1,
    label: 2,
    success: 7,
};

/// One label's samples as they are read, in the order read, in the file's [`Store`]: the
/// successful samples' times and the failed ones' apart, so that the latency series is there
/// without a copy, and the failure flags (1 failed, 0 passed) the error rate refers to.
pub(crate) struct Label {
    /// The elapsed times of the successful samples.
    ok: SeriesId,
    /// The elapsed times of the failed samples: the latency series when no sample succeeded.
    failed_elapsed: SeriesId,
    /// Bit `i` is set when sample `i` failed: the 0/1 series the error rate refers to, written
    /// out at the end. Let go (the failures then known by their count) once there are more
    /// samples than the store holds, so that memory stays bounded.
    flags: Option<Vec<u64>>,
    count: u64,
    failed: u64,
    first_start: Option<i64>,
    last_end: Option<i64>,
}

impl Label {
    pub(crate) fn new(store: &mut Store) -> Self {
        Self {
            ok: store.add_series(),
            failed_elapsed: store.add_series(),
            flags: Some(Vec::new()),
            count: 0,
            failed: 0,
            first_start: None,
            last_end: None,
        }
    }

    pub(crate) fn add(
        &mut self,
        store: &mut Store,
        elapsed: f64,
        failed: bool,
        start: Option<i64>,
    ) -> Result<(), PerfError> {
        if failed {
            store.push(self.failed_elapsed, elapsed)?;
            self.failed += 1;
        } else {
            store.push(self.ok, elapsed)?;
        }
        if let Some(bits) = &mut self.flags {
            let (word, bit) = (self.count / 64, self.count % 64);
            if self.count >= store.budget() as u64 {
                self.flags = None;
            } else {
                if bit == 0 {
                    bits.push(0);
                }
                if failed && let Some(w) = usize::try_from(word).ok().and_then(|w| bits.get_mut(w))
                {
                    *w |= 1 << bit;
                }
            }
        }
        self.count += 1;
        if let Some(start) = start {
            // JMeter's throughput: samples over (last sample's end − first sample's start).
            #[allow(clippy::cast_possible_truncation)]
            let end = start.saturating_add(elapsed as i64);
            self.first_start = Some(self.first_start.map_or(start, |s| s.min(start)));
            self.last_end = Some(self.last_end.map_or(end, |e| e.max(end)));
        }
        Ok(())
    }
}

/// A JMeter JTL in CSV, with or without its header row, read as it streams.
pub(crate) static JMETER_JTL: JmeterJtl = JmeterJtl;

/// The reader of JMeter JTL files.
pub(crate) struct JmeterJtl;

impl Reader for JmeterJtl {
    fn format(&self) -> PerfFormat {
        PerfFormat::Jmeter
    }

    fn describe(&self) -> &'static str {
        "a JMeter JTL"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Head(head) = sample else {
            return false;
        };
        if head.is_json_object() {
            return false;
        }
        let line = head.first_line_text();
        if line.contains("timeStamp") && line.contains("elapsed") {
            return true;
        }
        // JMeter before 3.0 writes no header row by default: a row starts with the epoch
        // milliseconds of the sample.
        let first_field = line.split([',', '\t']).next().unwrap_or("");
        first_field.len() >= 12 && first_field.bytes().all(|b| b.is_ascii_digit())
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read_jtl(input.stream(path)?, path)
    }
}

/// The HTML dashboard's `statistics.json`: an object of transactions, each with its
/// `sampleCount`.
pub(crate) static JMETER_STATISTICS: JmeterStatistics = JmeterStatistics;

/// The reader of JMeter dashboard statistics.
pub(crate) struct JmeterStatistics;

impl Reader for JmeterStatistics {
    fn format(&self) -> PerfFormat {
        PerfFormat::Jmeter
    }

    fn describe(&self) -> &'static str {
        "a JMeter dashboard statistics.json"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Json(obj) = sample else {
            return false;
        };
        !obj.is_empty()
            && obj
                .values()
                .all(|v| v.get("sampleCount").is_some() && v.get("transaction").is_some())
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read_statistics(&input.document(path)?, path)
    }
}

/// Reads a JTL in CSV, with a header row or in JMeter 2.x's default headerless layout.
pub(crate) fn read_jtl<R: BufRead + ?Sized>(
    reader: &mut R,
    path: &str,
) -> Result<PerfEvidence, PerfError> {
    let head = reader.fill_buf().map_err(|source| PerfError::Io {
        path: path.to_owned(),
        source,
    })?;
    let first_line = head.split(|&b| b == b'\n').next().unwrap_or(&[]);
    // `jmeter.save.saveservice.default_delimiter` may be a tab.
    let delimiter = if first_line.contains(&b'\t') && !first_line.contains(&b',') {
        b'\t'
    } else {
        b','
    };
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(reader);
    let mut record = csv::ByteRecord::new();
    let mut store = Store::new(path);
    let mut jtl = Jtl {
        c: Collector::new(PerfFormat::Jmeter, path, "JMeter JTL (CSV)"),
        columns: HEADERLESS,
        headerless: true,
        labels: Vec::new(),
        names: BTreeMap::new(),
        recent: Vec::new(),
        total: Label::new(&mut store),
        store,
        run_start: None,
    };
    if !jtl.next(&mut csv, &mut record)? {
        return Err(PerfError::EmptyFile {
            path: path.to_owned(),
        });
    }
    if field(&record, 0).is_some_and(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit())) {
        jtl.c = Collector::new(PerfFormat::Jmeter, path, HEADERLESS_FORMAT);
        jtl.add(&record)?;
    } else {
        jtl.columns = jtl.header(&record)?;
        jtl.headerless = false;
    }
    while jtl.next(&mut csv, &mut record)? {
        jtl.add(&record)?;
    }
    let format = if jtl.headerless {
        HEADERLESS_FORMAT
    } else {
        "JMeter JTL (CSV)"
    };
    if jtl.total.count == 0 {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: format.to_owned(),
            what: "samples".to_owned(),
        });
    }
    let Jtl {
        mut c,
        labels,
        names,
        total,
        mut store,
        run_start,
        ..
    } = jtl;
    let mut labels: Vec<Option<Label>> = labels.into_iter().map(Some).collect();
    let by_name: Vec<(String, Label)> = names
        .into_iter()
        .filter_map(|(name, i)| Some((name, labels.get_mut(i)?.take()?)))
        .collect();
    for (name, acc) in by_name
        .into_iter()
        .chain(std::iter::once((TOTAL.to_owned(), total)))
    {
        add_label(&mut c, &mut store, &name, acc)?;
    }
    let mut p = provenance(TOOL, format);
    p.run_at = run_start.and_then(|ms| Timestamp::from_millisecond(ms).ok());
    c.finish(p, RunThresholds::NotRecorded)
}

const HEADERLESS_FORMAT: &str = "JMeter JTL (CSV, no header row: the JMeter 2.x default columns)";

/// A field of a row as text (JTL labels from Windows may not be UTF-8: replaced, not refused).
fn field(record: &csv::ByteRecord, i: usize) -> Option<String> {
    record.get(i).map(|b| {
        String::from_utf8_lossy(b)
            .trim()
            .trim_start_matches('\u{feff}')
            .to_owned()
    })
}

/// A field of a row as [`field`] reads it, borrowed from the row where it can be.
fn text(record: &csv::ByteRecord, i: usize) -> Option<Cow<'_, str>> {
    record.get(i).map(|b| {
        // The usual field (millions of rows): text with nothing to trim at either end (an ASCII
        // byte that is not a space cannot begin a byte order mark or Unicode white space, nor
        // end one), checked once as UTF-8.
        if let (Some(first), Some(last)) = (b.first(), b.last())
            && first.is_ascii()
            && last.is_ascii()
            && !char::from(*first).is_whitespace()
            && !char::from(*last).is_whitespace()
            && let Ok(s) = std::str::from_utf8(b)
        {
            return Cow::Borrowed(s);
        }
        trimmed(b)
    })
}

/// A field as text, its ends trimmed of white space and a byte order mark, bytes that are not
/// UTF-8 replaced.
fn trimmed(b: &[u8]) -> Cow<'_, str> {
    match String::from_utf8_lossy(b) {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim().trim_start_matches('\u{feff}')),
        Cow::Owned(s) => Cow::Owned(s.trim().trim_start_matches('\u{feff}').to_owned()),
    }
}

/// A JTL being read.
struct Jtl {
    c: Collector,
    columns: Columns,
    headerless: bool,
    /// The labels in the order first seen, found by their text in `names` and by their bytes
    /// as written in `recent`.
    labels: Vec<Label>,
    names: BTreeMap<String, usize>,
    recent: Vec<(Vec<u8>, usize)>,
    total: Label,
    store: Store,
    run_start: Option<i64>,
}

impl Jtl {
    fn next<R: std::io::Read>(
        &self,
        csv: &mut csv::Reader<R>,
        record: &mut csv::ByteRecord,
    ) -> Result<bool, PerfError> {
        csv.read_byte_record(record).map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            self.c
                .invalid(format!("line {line}"), format!("not valid CSV: {e}"))
        })
    }

    fn header(&self, record: &csv::ByteRecord) -> Result<Columns, PerfError> {
        let names: Vec<String> = (0..record.len()).filter_map(|i| field(record, i)).collect();
        // A column named twice is ambiguous (which `success` is the sample's?): refused.
        for name in ["timeStamp", "elapsed", "label", "success"] {
            if names.iter().filter(|n| *n == name).count() > 1 {
                return Err(self.c.invalid(
                    "line 1",
                    format!("the header row names the `{name}` column twice; shipgate cannot tell which one JMeter wrote the sample's value in"),
                ));
            }
        }
        let find = |name: &str| names.iter().position(|n| n == name);
        let need = |name: &str, property: &str| {
            find(name).ok_or_else(|| {
                self.c.invalid(
                    "line 1",
                    format!("the header row has no `{name}` column; JMeter writes it unless `jmeter.save.saveservice.{property}=false`"),
                )
            })
        };
        Ok(Columns {
            time_stamp: find("timeStamp"),
            elapsed: need("elapsed", "time")?,
            label: need("label", "label")?,
            success: need("success", "successful")?,
        })
    }

    fn add(&mut self, record: &csv::ByteRecord) -> Result<(), PerfError> {
        // Where and what to say, only when something is wrong: this runs once a row, on files
        // of millions of rows.
        let at = || format!("line {}", record.position().map_or(0, |p| p.line()));
        let hint = if self.headerless {
            "; this JTL has no header row, so shipgate expects JMeter 2.x's default columns (timeStamp, elapsed, label, responseCode, responseMessage, threadName, dataType, success, ...): write a header row with `jmeter.save.saveservice.print_field_names=true`"
        } else {
            ""
        };
        let cols = &self.columns;
        // The label's bytes as written: a label seen before is found by them, with no text
        // made of them (the same bytes always make the same text).
        let Some(label_bytes) = record.get(cols.label) else {
            return Err(self
                .c
                .invalid(at(), format!("the row has no label column{hint}")));
        };
        let known = self
            .recent
            .iter()
            .find(|(bytes, _)| bytes.as_slice() == label_bytes)
            .map(|(_, i)| *i);
        // The usual elapsed time, whole milliseconds, read from its digits: the number that
        // parsing its text gives (below 10^15, every whole number is exact).
        let elapsed = match digits(record, cols.elapsed) {
            Some(n) => n as f64,
            None => {
                let elapsed_text = text(record, cols.elapsed).unwrap_or_default();
                elapsed_text
                    .parse()
                    .ok()
                    .filter(|v: &f64| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| {
                        self.c.invalid(
                            at(),
                            format!(
                                "`{elapsed_text}` is not an elapsed time in milliseconds{hint}"
                            ),
                        )
                    })?
            }
        };
        let failed = match record.get(cols.success) {
            Some(b) if b.eq_ignore_ascii_case(b"true") => false,
            Some(b) if b.eq_ignore_ascii_case(b"false") => true,
            _ => {
                let success_text = text(record, cols.success).unwrap_or_default();
                if success_text.eq_ignore_ascii_case("true") {
                    false
                } else if success_text.eq_ignore_ascii_case("false") {
                    true
                } else {
                    return Err(self.c.invalid(
                        at(),
                        format!(
                            "`{success_text}` in the success column is neither `true` nor `false`{hint}"
                        ),
                    ));
                }
            }
        };
        let index = match known {
            Some(i) => i,
            None => {
                let label = text(record, cols.label).unwrap_or_default();
                if label == TOTAL {
                    return Err(self.c.invalid(
                        at(),
                        "a sampler is labelled `Total`, the name shipgate gives the aggregate of all samples; rename the sampler",
                    ));
                }
                let i = match self.names.get(label.as_ref()) {
                    Some(i) => *i,
                    None => {
                        self.labels.push(Label::new(&mut self.store));
                        let i = self.labels.len() - 1;
                        self.names.insert(label.into_owned(), i);
                        i
                    }
                };
                if self.recent.len() < RECENT_LABELS {
                    self.recent.push((label_bytes.to_vec(), i));
                }
                i
            }
        };
        // Epoch milliseconds (JMeter's default); a formatted time stamp leaves throughput unknown.
        let start = cols.time_stamp.and_then(|i| match digits(record, i) {
            Some(n) => i64::try_from(n).ok(),
            None => text(record, i).and_then(|t| t.parse::<i64>().ok()),
        });
        if let Some(s) = start {
            self.run_start = Some(self.run_start.map_or(s, |r| r.min(s)));
        }
        let store = &mut self.store;
        if let Some(acc) = self.labels.get_mut(index) {
            acc.add(store, elapsed, failed, start)?;
        }
        self.total.add(store, elapsed, failed, start)
    }
}

/// How many labels are found by their bytes as written (a JTL has a few samplers; a label
/// beyond these is found by its text).
const RECENT_LABELS: usize = 32;

/// A field that is nothing but ASCII digits, 1 to 15 of them, as a number: exact as an `f64`
/// and an `i64`, and what parsing its text gives.
#[inline]
fn digits(record: &csv::ByteRecord, i: usize) -> Option<u64> {
    let b = record.get(i)?;
    if b.is_empty() || b.len() > 15 {
        return None;
    }
    let mut n = 0u64;
    for d in b {
        let digit = d.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n = n * 10 + u64::from(digit);
    }
    Some(n)
}

pub(crate) fn add_label(
    c: &mut Collector,
    store: &mut Store,
    name: &str,
    acc: Label,
) -> Result<(), PerfError> {
    let at = format!("label `{name}`");
    let count = acc.count as f64;
    if let (Some(start), Some(end)) = (acc.first_start, acc.last_end)
        && end > start
    {
        let seconds = (end - start) as f64 / 1000.0;
        c.value(
            name,
            "throughput",
            PerfUnit::PerSecond,
            count / seconds,
            &at,
        )?;
    }
    c.timed_requests(
        store,
        name,
        &at,
        TimedRequests {
            flags: acc.flags,
            total: acc.count,
            failed: acc.failed,
            ok: acc.ok,
            failed_times: acc.failed_elapsed,
        },
    )
}

/// The fields of a `statistics.json` entry and the stat each becomes. `errorPct` is 0-100 and
/// `pct1/2/3ResTime` are the 90th, 95th and 99th percentiles unless
/// `aggregate_rpt_pct1/2/3` were changed.
const STATISTICS_FIELDS: &[(&str, &str, PerfUnit, f64)] = &[
    ("sampleCount", "count", PerfUnit::Count, 1.0),
    ("errorCount", "errors", PerfUnit::Count, 1.0),
    ("errorPct", "error_rate", PerfUnit::Ratio, 0.01),
    ("meanResTime", "avg", PerfUnit::Milliseconds, 1.0),
    ("medianResTime", "med", PerfUnit::Milliseconds, 1.0),
    ("minResTime", "min", PerfUnit::Milliseconds, 1.0),
    ("maxResTime", "max", PerfUnit::Milliseconds, 1.0),
    ("pct1ResTime", "p90", PerfUnit::Milliseconds, 1.0),
    ("pct2ResTime", "p95", PerfUnit::Milliseconds, 1.0),
    ("pct3ResTime", "p99", PerfUnit::Milliseconds, 1.0),
    ("throughput", "throughput", PerfUnit::PerSecond, 1.0),
];

/// Reads the dashboard's `statistics.json` (`jmeter -g results.jtl -o report/`).
pub(crate) fn read_statistics(doc: &Value, path: &str) -> Result<PerfEvidence, PerfError> {
    let format = "JMeter dashboard statistics.json";
    let mut c = Collector::new(PerfFormat::Jmeter, path, format);
    let Some(entries) = doc.as_object() else {
        return Err(c.invalid("the top level", "expected an object of transactions"));
    };
    let mut samples = 0.0;
    for (label, entry) in entries {
        let at = format!("`{label}`");
        let Some(fields) = entry.as_object() else {
            return Err(c.invalid(&at, "expected an object of statistics"));
        };
        for (field, stat, unit, scale) in STATISTICS_FIELDS {
            let Some(v) = fields.get(*field) else {
                if *field == "sampleCount" {
                    return Err(c.invalid(&at, "has no `sampleCount`"));
                }
                continue;
            };
            let value = v.as_f64().ok_or_else(|| {
                c.invalid(format!("{at}.{field}"), format!("`{v}` is not a number"))
            })?;
            if *field == "sampleCount" && label == TOTAL {
                samples = value;
            }
            c.value(
                label,
                stat,
                unit.clone(),
                value * scale,
                &format!("{at}.{field}"),
            )?;
        }
    }
    // The dashboard computes its times over every sample, the failed ones too.
    for label in entries.keys() {
        let count = c.get(&format!("{label}.count")).map(|m| m.value);
        let errors = c.get(&format!("{label}.errors")).map(|m| m.value);
        if let (Some(total), Some(failed)) = (count, errors) {
            c.requests(label, requests_of(total, failed, RequestBasis::All));
        }
    }
    if c.is_empty() || (entries.contains_key(TOTAL) && samples == 0.0) {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: format.to_owned(),
            what: "samples".to_owned(),
        });
    }
    c.finish(provenance(TOOL, format), RunThresholds::NotRecorded)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// READY-risk: a JTL whose samples no longer fit in memory read into other figures (a
    /// failure count or a percentile of the part held).
    #[test]
    fn a_jtl_read_with_every_series_spilled_gives_the_same_evidence() {
        for name in ["jmeter-2.13-header.jtl", "jmeter-2.13-default.jtl"] {
            let bytes = fixture(name);
            let held = read_jtl(&mut &bytes[..], "run.jtl").unwrap();
            for chunk in [1, 5, 1_000] {
                let spilled = crate::store::tests::with_limits(0, chunk, || {
                    read_jtl(&mut &bytes[..], "run.jtl")
                })
                .unwrap();
                crate::store::tests::assert_same_evidence(&held, &spilled);
            }
        }
        let bytes = fixture("jmeter-2.13-xml.jtl");
        let held = crate::jmeter_xml::read(&mut &bytes[..], "run.jtl").unwrap();
        let spilled = crate::store::tests::with_limits(0, 2, || {
            crate::jmeter_xml::read(&mut &bytes[..], "run.jtl")
        })
        .unwrap();
        crate::store::tests::assert_same_evidence(&held, &spilled);
    }

    /// READY-risk: a field read from its bytes (a label seen before, whole milliseconds, a
    /// `success`, a time stamp) read otherwise than its text would be: a `FALSE` counted as a
    /// pass, a label split in two. The same JTL written plainly and with padded, cased and
    /// zero-led fields gives the same figures.
    #[test]
    fn fields_read_from_their_bytes_give_what_their_text_gives() {
        let plain = "timeStamp,elapsed,label,success\n\
            1795483761000,7,checkout,true\n\
            1795483761001,12,checkout,false\n\
            1795483761002,9.5,pay,true\n\
            1795483761003,30,pay,false\n\
            1795483761004,8,checkout,true\n";
        let written = "timeStamp,elapsed,label,success\n\
            1795483761000,007,checkout,TRUE\n\
            \" 1795483761001\",\" 12\",\"checkout \",FaLsE\n\
            +1795483761002,9.50,pay,True\n\
            1795483761003,30.0,\" pay\",\" false\"\n\
            01795483761004,8,checkout,true\n";
        let a = read_jtl(&mut plain.as_bytes(), "run.jtl").unwrap();
        let b = read_jtl(&mut written.as_bytes(), "run.jtl").unwrap();
        assert_eq!(a.metrics, b.metrics);
        assert_eq!(a.series, b.series);
        assert_eq!(a.provenance.run_at, b.provenance.run_at);
        assert_eq!(a.metrics["checkout.errors"].value, 1.0);
        assert_eq!(a.metrics["pay.errors"].value, 1.0);
        assert_eq!(a.metrics["Total.count"].value, 5.0);
    }

    /// A JTL of many rows, some failed and some times not whole, read with a budget that
    /// spills some series and holds others: the same figures.
    #[test]
    fn a_generated_jtl_read_partly_spilled_gives_the_same_figures() {
        let mut text = String::from("timeStamp,elapsed,label,success\n");
        let mut state = 0x0bad_cafe_dead_beefu64;
        for i in 0..5_000u64 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let label = ["checkout", "search", "pay"][(state % 3) as usize];
            let elapsed = if i % 9 == 0 {
                format!("{}.5", state % 300)
            } else {
                (state % 200_000).to_string()
            };
            let ok = !state.is_multiple_of(17);
            text.push_str(&format!(
                "{},{elapsed},{label},{ok}\n",
                1_795_483_761_000 + i
            ));
        }
        let held = read_jtl(&mut text.as_bytes(), "run.jtl").unwrap();
        let partly = crate::store::tests::with_limits(4_000, 50, || {
            read_jtl(&mut text.as_bytes(), "run.jtl")
        })
        .unwrap();
        assert!(!partly.series.is_empty() && !partly.sample_counts.is_empty());
        for (name, m) in &held.metrics {
            let p = &partly.metrics[name];
            assert_eq!(m.value.to_bits(), p.value.to_bits(), "{name}");
            assert_eq!(held.sample_count(m), partly.sample_count(p), "{name}");
        }
        for (k, v) in &partly.series {
            assert_eq!(
                v, &held.series[k],
                "a series held is the one read, in order"
            );
        }
    }
}
