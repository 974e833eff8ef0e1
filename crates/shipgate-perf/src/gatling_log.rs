//! Gatling's binary `simulation.log` (written since Gatling 3.12; the only result file Gatling
//! 3.13.5 and later write), read as it streams.
//!
//! The layout follows Gatling's own writer and reader, gatling-core
//! `io/gatling/core/stats/writer/LogFileDataWriter.scala` and gatling-charts
//! `io/gatling/charts/stats/LogFileReader.scala` at commit 8bb193b (July 2026): big-endian
//! numbers, records that each start with one header byte (`RecordHeader.scala`: 0 run, 1
//! request, 2 user, 3 group, 4 error). The run record comes first (Gatling version, simulation
//! class, start in epoch milliseconds, description, scenario names, assertions); every later
//! time is in milliseconds since that start. A string is its length (an `int`), then, when not
//! empty, its bytes and Java's coder byte (0 Latin-1, 1 UTF-16 in the JVM's byte order, little
//! endian on the x86-64 and AArch64 machines Gatling runs on). A cached string is an `int` id: a
//! positive one is followed by the string it names from then on, a negative one refers back to
//! it.
//!
//! Gatling's own reader reports partial results for a file that stops inside a record; this
//! reader refuses it, and every other surprise (a record type Gatling does not write, a string
//! id never defined, a scenario never declared), with the byte offset of the record. Response
//! times are `end − start` of each request record; the successful (`OK`) ones are the latency,
//! the failed (`KO`) ones count in the error rate; each name's samples are kept in the file's
//! sample store (`store.rs`), exactly and in bounded memory. An error record (a request Gatling could not
//! even build or send, logged as a crash with no response) counts as a failed request of the
//! whole run. Requests are named by their path (`Checkout / pay` inside a group), as in the
//! report's `stats.json`; groups by theirs, with their cumulated response time; the whole run is
//! `All Requests`. The run record declares the simulation's assertions, each in Gatling's own
//! serialisation (boopickle), and nothing records whether they held: Gatling decides that when
//! it builds its report. Each declared assertion is therefore listed as a criterion the file
//! cannot verify (as k6 `--out json` lists a submetric's thresholds), so that `promote` does not
//! call a run clean that may have failed its assertions.
//!
//! This module must not judge the run; it reads the file and nothing else.

use crate::collect::{Collector, TimedRequests};
use crate::error::PerfError;
use crate::provenance;
use crate::reader::{Head, Input, Reader, Sample};
use crate::store::{SeriesId, Store};
use jiff::Timestamp;
use shipgate_model::{PerfEvidence, PerfFormat, PerfUnit, RunThresholds};
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::io::BufRead;

const TOOL: &str = "Gatling";
const FORMAT: &str = "Gatling simulation.log (binary)";
/// The whole run, as Gatling's report names it.
const ALL: &str = "All Requests";

/// The record headers (`RecordHeader.scala`).
const RUN: u8 = 0;
const REQUEST: u8 = 1;
const USER: u8 = 2;
const GROUP: u8 = 3;
const ERROR: u8 = 4;

/// Bounds that no file Gatling writes comes near, so that a corrupt length is refused rather
/// than allocated: a string (a request name, an error message) of 16 MiB, an assertion of
/// 16 MiB, 100 000 scenarios or assertions, groups nested 1 000 deep.
const MAX_STRING: usize = 16 << 20;
const MAX_LIST: usize = 100_000;
const MAX_DEPTH: usize = 1_000;

/// Gatling's binary `simulation.log`.
pub(crate) static GATLING_LOG: GatlingLog = GatlingLog;

/// The reader of Gatling's binary `simulation.log`.
pub(crate) struct GatlingLog;

impl Reader for GatlingLog {
    fn format(&self) -> PerfFormat {
        PerfFormat::Gatling
    }

    fn describe(&self) -> &'static str {
        "a Gatling binary simulation.log"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        let Sample::Head(head) = sample else {
            return false;
        };
        looks_like_log(head)
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        read(input.stream(path)?, path)
    }
}

/// A run record's start: the header byte 0, then the Gatling version as a string (`3.13.5`):
/// a short length, digits and dots and the like, and the coder byte 0.
fn looks_like_log(head: &Head<'_>) -> bool {
    let bytes = head.text;
    let Some((&RUN, rest)) = bytes.split_first() else {
        return false;
    };
    let Some(len) = rest.get(..4) else {
        return false;
    };
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
    if !(1..=64).contains(&len) {
        return false;
    }
    rest.get(4..4 + len).is_some_and(|v| {
        v.first().is_some_and(u8::is_ascii_digit)
            && v.iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'+' | b'_'))
    })
}

/// One request name's (or group's, or the whole run's) figures as they are read, their samples
/// in the file's [`Store`] (bounded memory, decision 0029): the successful requests' times and
/// the failed ones' apart, and the failure flags (1 failed, 0 passed) the error rate refers to.
struct Name {
    /// Response times of the successful requests, in milliseconds.
    ok: SeriesId,
    /// Response times of the failed requests.
    ko: SeriesId,
    /// Bit `i` is set when request `i` failed, in the order read. Let go (the failures then
    /// known by their count) once there are more than the store holds, so that memory stays
    /// bounded.
    flags: Option<Vec<u64>>,
    /// Requests with a response time, successful and failed.
    ok_count: u64,
    ko_count: u64,
    /// Every request, and those that failed (with a response time or without: a crash).
    count: u64,
    failed: u64,
}

impl Name {
    fn new(store: &mut Store) -> Self {
        Self {
            ok: store.add_series(),
            ko: store.add_series(),
            flags: Some(Vec::new()),
            ok_count: 0,
            ko_count: 0,
            count: 0,
            failed: 0,
        }
    }

    fn add(&mut self, store: &mut Store, elapsed: f64, ok: bool) -> Result<(), PerfError> {
        if ok {
            store.push(self.ok, elapsed)?;
            self.ok_count += 1;
        } else {
            store.push(self.ko, elapsed)?;
            self.ko_count += 1;
        }
        self.flag(store, !ok);
        Ok(())
    }

    /// One more request, failed when `failed`.
    fn flag(&mut self, store: &Store, failed: bool) {
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
        if failed {
            self.failed += 1;
        }
    }
}

/// The file being read: where in it, and what the records defined so far.
struct Log<'r, R: BufRead + ?Sized> {
    reader: &'r mut R,
    path: String,
    /// Bytes consumed so far.
    offset: u64,
    /// Where the record being read starts, and its kind, for messages.
    record_start: u64,
    record_kind: &'static str,
    strings: HashMap<i32, String>,
}

impl<R: BufRead + ?Sized> Log<'_, R> {
    fn invalid(&self, message: impl Into<String>) -> PerfError {
        PerfError::Invalid {
            path: self.path.clone(),
            format: FORMAT.to_owned(),
            at: format!("byte {} ({} record)", self.record_start, self.record_kind),
            message: message.into(),
        }
    }

    fn io(&self, source: std::io::Error) -> PerfError {
        PerfError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// The next record's header byte, or `None` at the end of the file (between records).
    fn header(&mut self) -> Result<Option<u8>, PerfError> {
        let buf = loop {
            match self.reader.fill_buf() {
                Ok(buf) => break buf,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.io(e)),
            }
        };
        let Some(&b) = buf.first() else {
            return Ok(None);
        };
        self.reader.consume(1);
        self.record_start = self.offset;
        self.offset += 1;
        Ok(Some(b))
    }

    fn exact(&mut self, buf: &mut [u8]) -> Result<(), PerfError> {
        match self.reader.read_exact(buf) {
            Ok(()) => {
                self.offset += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => Err(self.invalid(
                "the file ends inside this record: the run was cut short or the file was truncated (Gatling's own report would show partial results; shipgate reads only a complete log). Run the simulation to its end, or copy the whole file",
            )),
            Err(e) => Err(self.io(e)),
        }
    }

    fn byte(&mut self) -> Result<u8, PerfError> {
        let mut b = [0u8; 1];
        self.exact(&mut b)?;
        Ok(b[0])
    }

    fn boolean(&mut self, what: &str) -> Result<bool, PerfError> {
        match self.byte()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(self.invalid(format!(
                "the {what} is the byte {other}, where Gatling writes 0 or 1"
            ))),
        }
    }

    fn int(&mut self) -> Result<i32, PerfError> {
        let mut b = [0u8; 4];
        self.exact(&mut b)?;
        Ok(i32::from_be_bytes(b))
    }

    fn long(&mut self) -> Result<i64, PerfError> {
        let mut b = [0u8; 8];
        self.exact(&mut b)?;
        Ok(i64::from_be_bytes(b))
    }

    /// A length or a count: never negative, at most `max`.
    fn count(&mut self, what: &str, max: usize) -> Result<usize, PerfError> {
        let n = self.int()?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n <= max)
            .ok_or_else(|| self.invalid(format!("the {what} is {n}, which no Gatling log holds")))
    }

    /// A string as `BufferedFileChannelWriter.writeString` writes it, with Gatling's reader's
    /// sanitising (line breaks and tabs become spaces).
    fn string(&mut self, what: &str) -> Result<String, PerfError> {
        let len = self.count(&format!("length of the {what}"), MAX_STRING)?;
        if len == 0 {
            return Ok(String::new());
        }
        let mut bytes = vec![0u8; len];
        self.exact(&mut bytes)?;
        let text = match self.byte()? {
            // Latin-1: each byte is the code point.
            0 => bytes.iter().map(|&b| char::from(b)).collect::<String>(),
            1 => {
                if len % 2 != 0 {
                    return Err(self.invalid(format!(
                        "the {what} is UTF-16 of an odd number of bytes ({len})"
                    )));
                }
                let units = bytes
                    .chunks_exact(2)
                    .map(|u| u16::from_le_bytes([u[0], u[1]]));
                char::decode_utf16(units)
                    .collect::<Result<String, _>>()
                    .map_err(|_| self.invalid(format!("the {what} is not valid UTF-16")))?
            }
            coder => {
                return Err(self.invalid(format!(
                    "the {what} has the string coder {coder}, where Java writes 0 (Latin-1) or 1 (UTF-16)"
                )));
            }
        };
        Ok(text.replace(['\n', '\r', '\t'], " "))
    }

    /// A cached string: a new id and its string, or a reference back to one.
    fn cached(&mut self, what: &str) -> Result<String, PerfError> {
        let id = self.int()?;
        if id >= 0 {
            let s = self.string(what)?;
            if self.strings.insert(id, s.clone()).is_some() {
                return Err(self.invalid(format!(
                    "the {what} defines the string id {id} a second time; Gatling numbers its strings once each"
                )));
            }
            Ok(s)
        } else {
            let back = id.checked_neg().unwrap_or(i32::MIN);
            self.strings.get(&back).cloned().ok_or_else(|| {
                self.invalid(format!(
                    "the {what} refers to the string id {back}, which no earlier record defines"
                ))
            })
        }
    }

    /// A group hierarchy: its depth and each group's name.
    fn groups(&mut self) -> Result<Vec<String>, PerfError> {
        let n = self.count("depth of the group hierarchy", MAX_DEPTH)?;
        (0..n).map(|_| self.cached("group name")).collect()
    }
}

/// The run record, as `RunMessageSerializer` writes it.
struct Run {
    version: String,
    start: i64,
    scenarios: usize,
    /// How many assertions the simulation declares (their definitions only).
    assertions: usize,
}

/// Reads the whole log.
pub(crate) fn read<R: BufRead + ?Sized>(
    reader: &mut R,
    path: &str,
) -> Result<PerfEvidence, PerfError> {
    let mut log = Log {
        reader,
        path: path.to_owned(),
        offset: 0,
        record_start: 0,
        record_kind: "run",
        strings: HashMap::new(),
    };
    let run = run_record(&mut log)?;
    let mut store = Store::new(path);
    let mut requests: BTreeMap<String, Name> = BTreeMap::new();
    let mut groups: BTreeMap<String, Name> = BTreeMap::new();
    let mut all = Name::new(&mut store);
    // The run's span, as Gatling's first pass computes it: from the first user start or
    // request start to the last event.
    let mut span: Option<(i64, i64)> = None;
    let mut widen = |from: i64, to: i64| {
        span = Some(span.map_or((from, to), |(a, b)| (a.min(from), b.max(to))));
    };
    while let Some(header) = log.header()? {
        match header {
            REQUEST => {
                log.record_kind = "request";
                let mut path_parts = log.groups()?;
                let name = log.cached("request name")?;
                let start = log.int()?;
                let end = log.int()?;
                let ok = log.boolean("request status")?;
                let _message = log.cached("error message")?;
                let elapsed = i64::from(end) - i64::from(start);
                if elapsed < 0 {
                    return Err(log.invalid(format!(
                        "request `{name}` ends ({end} ms) before it starts ({start} ms)"
                    )));
                }
                widen(i64::from(start), i64::from(end));
                path_parts.push(name);
                let key = path_parts.join(" / ");
                #[expect(
                    clippy::cast_precision_loss,
                    reason = "a response time fits an f64 exactly (at most 2^32 ms)"
                )]
                let elapsed = elapsed as f64;
                requests
                    .entry(key)
                    .or_insert_with(|| Name::new(&mut store))
                    .add(&mut store, elapsed, ok)?;
                all.add(&mut store, elapsed, ok)?;
            }
            USER => {
                log.record_kind = "user";
                let scenario = log.int()?;
                if usize::try_from(scenario).is_ok_and(|s| s < run.scenarios) {
                    let _start = log.boolean("user event (start or end)")?;
                    let at = i64::from(log.int()?);
                    widen(at, at);
                } else {
                    return Err(log.invalid(format!(
                        "the user record names scenario {scenario}, but the run record declares {} scenario(s)",
                        run.scenarios
                    )));
                }
            }
            GROUP => {
                log.record_kind = "group";
                let hierarchy = log.groups()?;
                if hierarchy.is_empty() {
                    return Err(log.invalid("a group record without a group"));
                }
                let start = log.int()?;
                let end = log.int()?;
                let cumulated = log.int()?;
                let ok = log.boolean("group status")?;
                if cumulated < 0 || end < start {
                    return Err(log.invalid(format!(
                        "group `{}` has a negative duration or cumulated response time",
                        hierarchy.join(" / ")
                    )));
                }
                widen(i64::from(start), i64::from(end));
                groups
                    .entry(hierarchy.join(" / "))
                    .or_insert_with(|| Name::new(&mut store))
                    .add(&mut store, f64::from(cumulated), ok)?;
            }
            ERROR => {
                log.record_kind = "error";
                let _message = log.cached("error message")?;
                let at = i64::from(log.int()?);
                widen(at, at);
                // A failed request of the whole run, with no response time.
                all.flag(&store, true);
            }
            RUN => {
                log.record_kind = "run";
                return Err(log.invalid(
                    "a second run record: the file holds two runs (two logs concatenated?); give shipgate one run's simulation.log",
                ));
            }
            other => {
                log.record_kind = "unknown";
                return Err(log.invalid(format!(
                    "the record type {other} is not one Gatling writes (0 run, 1 request, 2 user, 3 group, 4 error): the file is damaged, or was written by a Gatling whose format shipgate does not know yet (this file says Gatling {})",
                    run.version
                )));
            }
        }
    }
    if all.ok_count == 0 && all.ko_count == 0 {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: FORMAT.to_owned(),
            what: "requests".to_owned(),
        });
    }
    let mut c = Collector::new(PerfFormat::Gatling, path, FORMAT);
    let seconds = span
        .map(|(a, b)| (b - a) as f64 / 1000.0)
        .filter(|s| *s > 0.0);
    for name in requests.keys() {
        if groups.contains_key(name) {
            return Err(c.invalid(
                format!("request `{name}`"),
                "a request and a group have the same name; shipgate cannot tell which one a metric is",
            ));
        }
        if name == ALL {
            return Err(c.invalid(
                format!("request `{name}`"),
                "a request is named `All Requests`, the name shipgate gives the whole run; rename the request",
            ));
        }
    }
    for (name, figures) in requests.into_iter().chain(groups) {
        add(&mut c, &mut store, &name, figures, seconds)?;
    }
    add(&mut c, &mut store, ALL, all, seconds)?;
    let mut p = provenance(TOOL, FORMAT);
    p.tool_version = Some(run.version);
    p.run_at = Timestamp::from_millisecond(run.start).ok();
    // The log records which assertions the simulation set, never their outcome.
    let unverifiable = (1..=run.assertions)
        .map(|i| {
            format!(
                "Gatling assertion {i} of {}: `simulation.log` keeps its definition in Gatling's own serialisation, not whether it held (Gatling decides that when it builds its report)",
                run.assertions
            )
        })
        .collect();
    c.finish(
        p,
        RunThresholds::Recorded {
            passed: Vec::new(),
            failed: Vec::new(),
            unverifiable,
        },
    )
}

/// Reads the run record, which every log starts with.
fn run_record<R: BufRead + ?Sized>(log: &mut Log<'_, R>) -> Result<Run, PerfError> {
    match log.header()? {
        Some(RUN) => {}
        Some(other) => {
            return Err(log.invalid(format!(
                "the file starts with the byte {other}, not with Gatling's run record (0): it is not a Gatling simulation.log"
            )));
        }
        None => {
            return Err(PerfError::EmptyFile {
                path: log.path.clone(),
            });
        }
    }
    let version = log.string("Gatling version")?;
    let _class = log.string("simulation class")?;
    let start = log.long()?;
    let _description = log.string("run description")?;
    let scenarios = log.count("number of scenarios", MAX_LIST)?;
    for _ in 0..scenarios {
        log.string("scenario name")?;
    }
    let assertions = log.count("number of assertions", MAX_LIST)?;
    for _ in 0..assertions {
        let len = log.count("length of an assertion", MAX_STRING)?;
        let mut skip = vec![0u8; len];
        log.exact(&mut skip)?;
    }
    Ok(Run {
        version,
        start,
        scenarios,
        assertions,
    })
}

/// Adds one name's metrics: counts, error rate and throughput over every request, response
/// times over the successful ones (over the failed ones, marked as such, when none succeeded).
/// A crash (an error record) is a failed request without a response time, among the flags only.
fn add(
    c: &mut Collector,
    store: &mut Store,
    name: &str,
    figures: Name,
    seconds: Option<f64>,
) -> Result<(), PerfError> {
    let at = format!("`{name}`");
    let (total, failed) = (figures.count, figures.failed);
    if let Some(seconds) = seconds {
        c.value(
            name,
            "throughput",
            PerfUnit::PerSecond,
            total as f64 / seconds,
            &at,
        )?;
    }
    c.timed_requests(
        store,
        name,
        &at,
        TimedRequests {
            flags: figures.flags,
            total,
            failed,
            ok: figures.ok,
            failed_times: figures.ko,
        },
    )
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

    fn int(w: &mut Vec<u8>, v: i32) {
        w.extend_from_slice(&v.to_be_bytes());
    }

    fn string(w: &mut Vec<u8>, s: &str) {
        int(w, i32::try_from(s.len()).unwrap());
        if !s.is_empty() {
            w.extend_from_slice(s.as_bytes());
            w.push(0);
        }
    }

    /// A log as `LogFileDataWriter.scala` writes it: one scenario, `n` requests over three
    /// names and a group, some failed, some crashes, response times from 0 ms to past the
    /// 131,072 ms a spilled series counts by value (so that some go to the temporary file).
    fn generated(n: i32) -> Vec<u8> {
        let mut w = vec![RUN];
        string(&mut w, "3.13.5");
        string(&mut w, "demo.Simulation");
        w.extend_from_slice(&1_765_000_000_000i64.to_be_bytes());
        string(&mut w, "");
        int(&mut w, 1);
        string(&mut w, "Users");
        int(&mut w, 0);
        w.extend_from_slice(&[USER, 0, 0, 0, 0, 1]);
        int(&mut w, 0);
        let mut state = 0x0bad_cafe_dead_beefu64;
        let mut defined = [false; 5];
        let mut message = false;
        for i in 0..n {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let which = (state % 3) as usize;
            let start = i * 3;
            let elapsed = i32::try_from(state % 400_000).unwrap();
            let ok = !state.is_multiple_of(7);
            if state.is_multiple_of(29) {
                w.push(ERROR);
                if defined[4] {
                    int(&mut w, -4);
                } else {
                    int(&mut w, 4);
                    string(&mut w, "crashed");
                    defined[4] = true;
                }
                int(&mut w, start);
                continue;
            }
            if state.is_multiple_of(11) {
                w.push(GROUP);
                int(&mut w, 1);
                if defined[3] {
                    int(&mut w, -3);
                } else {
                    int(&mut w, 3);
                    string(&mut w, "Checkout");
                    defined[3] = true;
                }
                int(&mut w, start);
                int(&mut w, start + elapsed);
                int(&mut w, elapsed);
                w.push(u8::from(ok));
                continue;
            }
            w.push(REQUEST);
            int(&mut w, 0);
            let id = i32::try_from(which).unwrap() + 10;
            if defined[which] {
                int(&mut w, -id);
            } else {
                int(&mut w, id);
                string(&mut w, ["home", "search", "pay"][which]);
                defined[which] = true;
            }
            int(&mut w, start);
            int(&mut w, start + elapsed);
            w.push(u8::from(ok));
            // The empty message: defined (id 20) by the first request, referred back to after.
            if message {
                int(&mut w, -20);
            } else {
                int(&mut w, 20);
                string(&mut w, "");
                message = true;
            }
        }
        w
    }

    /// READY-risk: a Gatling log whose samples no longer fit in memory read into other
    /// figures (a p95 of the part held, a failure count of the flags kept). Read with every
    /// series spilled, the fixture gives the same evidence, bit for bit.
    #[test]
    fn a_log_read_with_every_series_spilled_gives_the_same_evidence() {
        let bytes = fixture("gatling-3.12.1-simulation.log");
        let held = read(&mut &bytes[..], "simulation.log").unwrap();
        for chunk in [1, 5, 1_000] {
            let spilled = crate::store::tests::with_limits(0, chunk, || {
                read(&mut &bytes[..], "simulation.log")
            })
            .unwrap();
            crate::store::tests::assert_same_evidence(&held, &spilled);
        }
    }

    /// READY-risk: a long run (response times past what a spilled series counts by value,
    /// written to the temporary file; crashes among the flags) read with some series spilled
    /// and others held, or all spilled: the same figures, and the held series in order.
    #[test]
    fn a_generated_log_read_spilled_gives_the_same_figures() {
        let bytes = generated(6_000);
        let held = read(&mut &bytes[..], "simulation.log").unwrap();
        assert!(held.metrics["All Requests.errors"].value > 0.0);
        assert!(held.metrics["Checkout.count"].value > 0.0);
        assert!(held.metrics["All Requests.max"].value > 131_072.0);
        let spilled =
            crate::store::tests::with_limits(0, 7, || read(&mut &bytes[..], "simulation.log"))
                .unwrap();
        crate::store::tests::assert_same_evidence(&held, &spilled);
        let partly =
            crate::store::tests::with_limits(3_000, 50, || read(&mut &bytes[..], "simulation.log"))
                .unwrap();
        assert!(!partly.series.is_empty() && !partly.sample_counts.is_empty());
        for (name, m) in &held.metrics {
            let p = &partly.metrics[name];
            assert_eq!(m.value.to_bits(), p.value.to_bits(), "{name}");
            assert_eq!(m.requests, p.requests, "{name}");
            assert_eq!(held.sample_count(m), partly.sample_count(p), "{name}");
        }
        for (k, v) in &partly.series {
            assert_eq!(
                v, &held.series[k],
                "a series held is the one read, in order"
            );
        }
    }

    /// READY-risk: a crash (an error record: no response time) lost once the flags are
    /// counted rather than held would lower the error rate. Spilled or held, the run's
    /// failures are its KO requests and its crashes.
    #[test]
    fn crashes_count_as_failures_when_the_flags_are_spilled() {
        let bytes = generated(2_000);
        let held = read(&mut &bytes[..], "simulation.log").unwrap();
        let spilled =
            crate::store::tests::with_limits(0, 3, || read(&mut &bytes[..], "simulation.log"))
                .unwrap();
        let all = |e: &PerfEvidence, m: &str| e.metrics[&format!("All Requests.{m}")].value;
        let timed = held.series["All Requests"].len() as f64;
        let requests = all(&held, "count");
        assert!(requests > timed, "the generated log has crashes and KOs");
        for e in [&held, &spilled] {
            assert_eq!(all(e, "count"), requests);
            assert_eq!(all(e, "errors"), all(&held, "errors"));
            assert_eq!(
                all(e, "error_rate").to_bits(),
                all(&held, "error_rate").to_bits()
            );
        }
        let p95 = spilled.metrics["All Requests.p95"].requests.unwrap();
        assert_eq!(p95.total as f64, requests);
        assert_eq!(
            spilled.sample_counts["All Requests#failed"] as f64,
            requests
        );
    }
}
