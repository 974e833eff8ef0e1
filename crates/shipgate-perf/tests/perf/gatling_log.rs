//! Gatling's binary `simulation.log`: a real file written by Gatling 3.12.1 (Gatling's own test
//! resource `known_stats/simulation.log`, see `../fixtures/README.md`), and logs built here byte
//! by byte as `LogFileDataWriter.scala` writes them, to show that a damaged log is refused.

use super::*;
use shipgate_model::RequestBasis;

const KNOWN: &str = "gatling-3.12.1-simulation.log";

/// Gatling's `LogFileReaderSpec` asserts, for this file over every request: min 87, max 368,
/// p70 113, 104 requests OK and 1 KO (`koCount`). The KO request (`Post Redirect 1`, 108 ms)
/// is neither the fastest nor the slowest, so min and max hold for the successful requests
/// alone; the percentiles of the 104 successful ones by linear interpolation were computed by
/// an independent reader (Python, `struct.unpack`).
#[test]
fn gatling_binary_log_as_gatling_reads_it() {
    let r = read(KNOWN);
    let e = &r.evidence;
    assert_eq!(e.provenance.tool, "Gatling");
    assert_eq!(e.provenance.tool_version.as_deref(), Some("3.12.1"));
    assert_eq!(e.provenance.format, "Gatling simulation.log (binary)");
    assert_eq!(
        e.provenance.run_at.map(|t| t.as_millisecond()),
        Some(1_730_757_531_501)
    );
    let all = "All Requests";
    close(value(e, &format!("{all}.count")), 105.0, "count");
    close(value(e, &format!("{all}.errors")), 1.0, "errors");
    close(
        value(e, &format!("{all}.error_rate")),
        1.0 / 105.0,
        "error rate",
    );
    close(value(e, &format!("{all}.min")), 87.0, "min");
    close(value(e, &format!("{all}.max")), 368.0, "max");
    close(value(e, &format!("{all}.med")), 106.0, "median");
    close(value(e, &format!("{all}.p90")), 281.2, "p90");
    close(value(e, &format!("{all}.p95")), 302.55, "p95");
    close(value(e, &format!("{all}.p99")), 366.68, "p99");
    close(value(e, &format!("{all}.avg")), 13384.0 / 104.0, "mean");
    assert_eq!(e.series[all].len(), 104, "the successful requests' times");
    let p95 = e.metrics[&format!("{all}.p95")].requests.unwrap();
    assert_eq!((p95.total, p95.failed), (105, 1));
    assert_eq!(p95.basis, RequestBasis::Successful);
    // The KO request is counted where it belongs, and nowhere as a latency.
    close(value(e, "Post Redirect 1.count"), 3.0, "count");
    close(value(e, "Post Redirect 1.errors"), 1.0, "errors");
    assert_eq!(e.series["Post Redirect 1"].len(), 2);
    close(value(e, "Home.count"), 12.0, "count");
    close(value(e, "Home.error_rate"), 0.0, "error rate");
    assert!(value(e, &format!("{all}.throughput")) > 0.0);
}

#[test]
fn gatling_binary_log_is_recognised_and_belongs_to_gatling() {
    assert!(read_as(KNOWN, PerfFormat::Gatling).is_ok());
    let err = read_as(KNOWN, PerfFormat::K6).unwrap_err();
    assert!(matches!(err, PerfError::FormatMismatch { .. }), "{err}");
}

/// A log cut anywhere inside a record is refused with the byte where the record starts; one
/// cut between two records cannot be told from a shorter run (the format has no trailer), and
/// reads as one. 126 cuts fall between records after the first request (counted by the
/// independent reader); every other cut must be refused.
#[test]
fn a_truncated_gatling_log_is_refused_with_the_offset() {
    let bytes = std::fs::read(fixture(KNOWN)).unwrap();
    let mut read_ok = 0;
    for cut in 1..bytes.len() {
        match shipgate_perf::read_bytes(&bytes[..cut], "cut.log", PerfFormat::Gatling) {
            Ok(r) => {
                read_ok += 1;
                assert!(value(&r.evidence, "All Requests.count") <= 105.0);
            }
            Err(PerfError::Invalid { at, message, .. }) => {
                assert!(at.starts_with("byte "), "{at}");
                assert!(message.contains("ends inside this record"), "{message}");
            }
            Err(e) => assert!(
                matches!(e, PerfError::NoMeasurements { .. })
                    || matches!(e, PerfError::NotRecognised { .. }),
                "cut at {cut}: {e}"
            ),
        }
    }
    assert_eq!(read_ok, 126);
}

/// Builds logs as `LogFileDataWriter.scala` (Gatling commit 8bb193b) writes them.
#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn int(&mut self, v: i32) -> &mut Self {
        self.0.extend_from_slice(&v.to_be_bytes());
        self
    }
    fn byte(&mut self, b: u8) -> &mut Self {
        self.0.push(b);
        self
    }
    fn string(&mut self, s: &str) -> &mut Self {
        self.int(i32::try_from(s.len()).unwrap());
        if !s.is_empty() {
            self.0.extend_from_slice(s.as_bytes());
            self.byte(0);
        }
        self
    }
    fn run(scenarios: &[&str]) -> Self {
        Self::run_asserting(scenarios, &[])
    }
    /// A run record declaring `assertions`, each written as Gatling writes a pickled one
    /// (`writeByteBuffer`: its length, then its bytes).
    fn run_asserting(scenarios: &[&str], assertions: &[&[u8]]) -> Self {
        let mut w = Writer::default();
        w.byte(0).string("3.13.5").string("demo.Simulation");
        w.0.extend_from_slice(&1_765_000_000_000i64.to_be_bytes());
        w.string("").int(i32::try_from(scenarios.len()).unwrap());
        for s in scenarios {
            w.string(s);
        }
        w.int(i32::try_from(assertions.len()).unwrap());
        for a in assertions {
            w.int(i32::try_from(a.len()).unwrap());
            w.0.extend_from_slice(a);
        }
        w
    }
    /// A request record; `name` is a new cached string with id `id`, or a reference when `id`
    /// is negative.
    fn request(&mut self, id: i32, name: &str, start: i32, end: i32, ok: bool) -> &mut Self {
        self.byte(1).int(0).int(id);
        if id >= 0 {
            self.string(name);
        }
        self.int(start).int(end).byte(u8::from(ok));
        // The empty message, cached as id 2 by the first request.
        self.int(-2)
    }
    fn read(&self) -> Result<PerfRead, PerfError> {
        shipgate_perf::read_bytes(&self.0, "built.log", PerfFormat::Auto)
    }
}

/// A log with one successful request: its name cached as id 1 (Gatling's first id), its
/// empty message as id 2.
fn one_ok() -> Writer {
    let mut w = Writer::run(&["Users"]);
    w.byte(2).int(0).byte(1).int(0);
    w.byte(1).int(0).int(1).string("home");
    w.int(10).int(25).byte(1).int(2).string("");
    w
}

#[test]
fn a_built_log_reads_as_written() {
    let mut w = one_ok();
    w.request(-1, "", 30, 70, true);
    let e = w.read().unwrap().evidence;
    close(value(&e, "home.count"), 2.0, "count");
    close(value(&e, "home.max"), 40.0, "max");
    assert_eq!(e.provenance.tool_version.as_deref(), Some("3.13.5"));
}

#[test]
fn an_unknown_record_type_is_refused_with_its_offset() {
    let mut w = one_ok();
    let at = w.0.len();
    w.byte(9);
    let err = w.read().unwrap_err().to_string();
    assert!(err.contains(&format!("byte {at}")), "{err}");
    assert!(err.contains("record type 9"), "{err}");
}

#[test]
fn a_string_id_never_defined_is_refused() {
    let mut w = one_ok();
    w.request(-7, "", 30, 70, true);
    let err = w.read().unwrap_err().to_string();
    assert!(err.contains("string id 7"), "{err}");
}

#[test]
fn a_status_byte_gatling_never_writes_is_refused() {
    let mut w = one_ok();
    w.byte(1).int(0).int(-1).int(1).int(2).byte(7).int(-2);
    let err = w.read().unwrap_err().to_string();
    assert!(err.contains("request status"), "{err}");
}

#[test]
fn a_user_of_an_undeclared_scenario_is_refused() {
    let mut w = one_ok();
    w.byte(2).int(3).byte(1).int(5);
    let err = w.read().unwrap_err().to_string();
    assert!(err.contains("scenario 3"), "{err}");
}

#[test]
fn two_runs_in_one_file_are_refused() {
    let mut w = one_ok();
    let second = Writer::run(&["Users"]);
    w.0.extend_from_slice(&second.0);
    let err = w.read().unwrap_err().to_string();
    assert!(err.contains("second run record"), "{err}");
}

/// READY-risk: every request failed (KO). The figures are the failed requests' times, marked
/// as such, and every request is counted as failed, so the latency check cannot pass them.
#[test]
fn a_log_whose_every_request_failed_says_so() {
    let mut w = Writer::run(&["Users"]);
    w.byte(1).int(0).int(1).string("pay");
    w.int(0).int(2).byte(0).int(2).string("");
    w.request(-1, "", 3, 4, false);
    let e = w.read().unwrap().evidence;
    close(value(&e, "pay.error_rate"), 1.0, "error rate");
    let req = e.metrics["pay.p95"].requests.unwrap();
    assert_eq!(
        (req.total, req.failed, req.basis),
        (2, 2, RequestBasis::All)
    );
}

/// READY-risk: a request Gatling could not build or send leaves an error record and no
/// response; it is a failed request of the run, not nothing.
#[test]
fn an_error_record_counts_as_a_failed_request_of_the_run() {
    let mut w = one_ok();
    w.byte(4)
        .int(3)
        .string("home: Failed to build request")
        .int(40);
    let e = w.read().unwrap().evidence;
    close(value(&e, "All Requests.count"), 2.0, "count");
    close(value(&e, "All Requests.error_rate"), 0.5, "error rate");
    close(value(&e, "home.error_rate"), 0.0, "error rate");
    let req = e.metrics["All Requests.p95"].requests.unwrap();
    assert_eq!((req.total, req.failed), (2, 1));
}

#[test]
fn a_log_with_users_but_no_request_measured_nothing() {
    let mut w = Writer::run(&["Users"]);
    w.byte(2).int(0).byte(1).int(0);
    let err = w.read().unwrap_err();
    assert!(err.is_empty_run(), "{err}");
}

#[test]
fn a_utf16_name_is_read() {
    let mut w = Writer::run(&["Users"]);
    let name: Vec<u8> = "café→".encode_utf16().flat_map(u16::to_le_bytes).collect();
    w.byte(1)
        .int(0)
        .int(1)
        .int(i32::try_from(name.len()).unwrap());
    w.0.extend_from_slice(&name);
    w.byte(1).int(0).int(5).byte(1).int(2).string("");
    let e = w.read().unwrap().evidence;
    close(value(&e, "café→.max"), 5.0, "max");
}

/// A file that starts with a zero byte but not with a Gatling version is not taken for a log.
#[test]
fn a_wrong_header_is_not_read_as_a_gatling_log() {
    let mut bytes = std::fs::read(fixture(KNOWN)).unwrap();
    bytes[5] = b'x';
    let err = shipgate_perf::read_bytes(&bytes, "x.log", PerfFormat::Gatling).unwrap_err();
    assert!(matches!(err, PerfError::NotRecognised { .. }), "{err}");
    bytes[5] = b'3';
    bytes[0] = 2;
    assert!(shipgate_perf::read_bytes(&bytes, "x.log", PerfFormat::Auto).is_err());
}

/// READY-risk: a simulation that failed its assertions (`global.responseTime.percentile(95).lt(50)`)
/// reads as a run with no criteria, and `promote` calls it clean. Gatling's binary log keeps
/// only the assertions' definitions (boopickle, `RunMessageSerializer`), never whether they
/// held: each is listed as not verifiable, and promote needs `--force`, which the baseline
/// records and checks again on reading.
#[test]
fn gatling_assertions_the_log_declares_are_not_verifiable() {
    // Two assertions, as opaque pickled bytes: shipgate does not decode them.
    let mut w = Writer::run_asserting(&["Users"], &[b"\x01\x02pickled", b"\x03"]);
    w.byte(2).int(0).byte(1).int(0);
    w.byte(1).int(0).int(1).string("home");
    w.int(10).int(25).byte(1).int(2).string("");
    let run = w.read().unwrap();
    let unverifiable = run.evidence.thresholds.unverifiable().to_vec();
    assert_eq!(unverifiable.len(), 2, "{unverifiable:?}");
    assert!(
        unverifiable[0].starts_with("Gatling assertion 1 of 2: "),
        "{unverifiable:?}"
    );
    assert!(run.evidence.thresholds.failed().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("simulation.log");
    std::fs::write(&file, &w.0).unwrap();
    let refusal = super::k6::promote_file(&file, false).unwrap_err();
    assert!(
        matches!(&refusal, shipgate_perf::PromoteRefusal::UnverifiableThresholds(u) if *u == unverifiable),
        "{refusal:?}"
    );
    assert!(
        refusal.message().contains("Gatling"),
        "{}",
        refusal.message()
    );
    assert!(!dir.path().join("baseline.json").exists());
    let forced = super::k6::promote_file(&file, true).unwrap();
    assert!(forced.run.provenance.forced);
    let baseline = dir.path().join("baseline.json");
    let manifest = std::fs::read_to_string(&baseline).unwrap();
    let edited = manifest.replace("\"forced\": true", "\"forced\": false");
    assert_ne!(edited, manifest);
    std::fs::write(&baseline, edited).unwrap();
    let e = shipgate_perf::read_baseline(&baseline, "perf/baseline.json", PerfFormat::Auto)
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot be verified"), "{e}");
}

/// Gatling's own log of a simulation without assertions: nothing to verify, and promote takes
/// it as it is.
#[test]
fn a_gatling_log_without_assertions_has_nothing_unverifiable() {
    let r = read(KNOWN);
    assert!(r.evidence.thresholds.unverifiable().is_empty());
    assert!(r.evidence.thresholds.failed().is_empty());
}
