//! Locust's `--json` stats, written by real Locust runs (2.47.0 with `--json-file`, 2.24.1 with
//! `--json` on standard output), against figures computed by Locust's own code from the same
//! files (`../fixtures/generate/locust_expected.py`).

use super::*;
use serde_json::Value;
use shipgate_model::RequestBasis;

fn expected(name: &str) -> serde_json::Map<String, Value> {
    let text = std::fs::read(fixture(name)).unwrap();
    let doc: Value = shipgate_json::parse_value(&text).unwrap();
    doc.as_object().unwrap().clone()
}

/// Every figure Locust reports, for every entry and for the whole run, as Locust computes it.
fn as_locust_computes(json: &str, expected_file: &str) -> PerfEvidence {
    let e = read(json).evidence;
    assert_eq!(e.provenance.tool, "Locust");
    assert_eq!(e.provenance.format, "Locust --json");
    assert!(e.series.is_empty(), "a histogram is not raw samples");
    let want = expected(expected_file);
    assert!(want.contains_key("Aggregated"));
    for (name, figures) in &want {
        for (stat, v) in figures.as_object().unwrap() {
            close(
                value(&e, &format!("{name}.{stat}")),
                v.as_f64().unwrap(),
                &format!("{name}.{stat}"),
            );
        }
        let errors = figures["errors"].as_f64().unwrap();
        let count = figures["count"].as_f64().unwrap();
        close(
            value(&e, &format!("{name}.error_rate")),
            errors / count,
            "error rate",
        );
        let req = e.metrics[&format!("{name}.p95")].requests.unwrap();
        assert_eq!(req.basis, RequestBasis::All, "Locust times every request");
    }
    e
}

#[test]
fn locust_2_47_json_file_as_locust_computes_it() {
    let e = as_locust_computes("locust-2.47-run.json", "locust-2.47-run.expected.json");
    assert!(
        value(&e, "/pay.errors") > 0.0,
        "server.py fails some payments"
    );
    // The `_stats.csv` of the same run, written periodically, missed the last requests.
    let csv = read("locust-2.47-run_stats.csv").evidence;
    assert!(value(&csv, "Aggregated.count") < value(&e, "Aggregated.count"));
}

#[test]
fn locust_2_24_json_on_stdout_as_locust_computes_it() {
    // Locust 2.24 writes a bucket of a float time as `"110.0"`.
    as_locust_computes("locust-2.24-run.json", "locust-2.24-run.expected.json");
}

/// READY-risk: a Locust run whose every request failed (connection refused, 0.4-77 ms). Its
/// latency is of failed requests only, and says so.
#[test]
fn a_locust_json_whose_every_request_failed_says_so() {
    let e = as_locust_computes(
        "locust-2.47-refused.json",
        "locust-2.47-refused.expected.json",
    );
    close(value(&e, "Aggregated.error_rate"), 1.0, "error rate");
    let req = e.metrics["Aggregated.p95"].requests.unwrap();
    assert_eq!(req.failed, req.total);
    assert_eq!(req.successful(), 0);
}

fn edited(find: &str, replace: &str) -> Result<PerfRead, PerfError> {
    let text = std::fs::read_to_string(fixture("locust-2.47-run.json")).unwrap();
    assert!(text.contains(find), "{find}");
    shipgate_perf::read_bytes(
        text.replacen(find, replace, 1).as_bytes(),
        "edited.json",
        PerfFormat::Auto,
    )
}

/// READY-risk: failures taken out of the count but left in the histogram (or the other way
/// round): the histogram must count the requests.
#[test]
fn a_histogram_that_does_not_count_the_requests_is_refused() {
    let err = edited("\"num_requests\": 343", "\"num_requests\": 340").unwrap_err();
    assert!(
        err.to_string().contains("counts 343 response times"),
        "{err}"
    );
}

#[test]
fn more_failures_than_requests_are_refused() {
    let err = edited("\"num_failures\": 25", "\"num_failures\": 250").unwrap_err();
    assert!(err.to_string().contains("250 failures"), "{err}");
}

#[test]
fn a_locust_json_with_no_request_measured_nothing() {
    let text = "[{\"name\": \"/a\", \"method\": \"GET\", \"last_request_timestamp\": null, \"start_time\": 1.0, \"num_requests\": 0, \"num_none_requests\": 0, \"num_failures\": 0, \"total_response_time\": 0, \"max_response_time\": 0, \"min_response_time\": null, \"total_content_length\": 0, \"response_times\": {}, \"num_reqs_per_sec\": {}, \"num_fail_per_sec\": {}}]";
    let err = bytes(text).unwrap_err();
    assert!(err.is_empty_run(), "{err}");
}

#[test]
fn a_locust_json_is_locust_and_not_k6() {
    assert!(read_as("locust-2.47-run.json", PerfFormat::Locust).is_ok());
    let err = read_as("locust-2.47-run.json", PerfFormat::K6).unwrap_err();
    assert!(matches!(err, PerfError::FormatMismatch { .. }), "{err}");
}

/// The history's last rows are the run's totals as of Locust's last periodic write: the same
/// figures as the `_stats.csv` written at the same moment.
#[test]
fn locust_stats_history_last_rows_are_the_totals() {
    let e = read("locust-2.47-run_stats_history.csv").evidence;
    assert_eq!(e.provenance.format, "Locust --csv stats history");
    let stats = read("locust-2.47-run_stats.csv").evidence;
    for name in ["Aggregated", "/checkout", "/search", "/pay"] {
        for stat in ["count", "errors", "error_rate", "med", "avg", "min", "max"] {
            let key = format!("{name}.{stat}");
            close(value(&e, &key), value(&stats, &key), &key);
        }
    }
    let req = e.metrics["Aggregated.avg"].requests.unwrap();
    assert_eq!(req.basis, RequestBasis::All);
    assert!(req.failed > 0);
}

/// Locust 2.24 without `--csv-full-history`, stopped before its next periodic write: a history
/// of one row at 0 requests measured nothing.
#[test]
fn a_history_of_no_request_measured_nothing() {
    let err = read_as("locust-2.24-run_stats_history.csv", PerfFormat::Auto).unwrap_err();
    assert!(err.is_empty_run(), "{err}");
}

/// READY-risk: every request refused; the history says so.
#[test]
fn a_history_whose_every_request_failed_says_so() {
    let e = read("locust-2.47-refused_stats_history.csv").evidence;
    close(value(&e, "Aggregated.error_rate"), 1.0, "error rate");
    close(value(&e, "Aggregated.count"), 1951.0, "count");
}

/// READY-risk: two runs' histories appended into one file; the later, smaller run would be
/// read as the whole.
#[test]
fn a_history_of_two_runs_is_refused() {
    let text = std::fs::read_to_string(fixture("locust-2.47-refused_stats_history.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let twice = format!("{header}\n{}\n{}\n", rows.join("\n"), rows[1..].join("\n"));
    let err = bytes(&twice).unwrap_err();
    assert!(err.to_string().contains("more than one run"), "{err}");
}

/// READY-risk: bucket counts that overflow 64 bits must not wrap around to the request count
/// (a wrapped sum made an edited histogram of one-millisecond requests add up).
#[test]
fn histogram_counts_that_overflow_are_refused_not_wrapped() {
    let text = "[{\"name\": \"/a\", \"method\": \"GET\", \"last_request_timestamp\": 2.0, \"start_time\": 1.0, \"num_requests\": 1, \"num_none_requests\": 0, \"num_failures\": 0, \"total_response_time\": 9000, \"max_response_time\": 9000, \"min_response_time\": 1, \"total_content_length\": 0, \"response_times\": {\"1\": 18446744073709551615, \"9000\": 2}, \"num_reqs_per_sec\": {}, \"num_fail_per_sec\": {}}]";
    let err = bytes(text).unwrap_err();
    assert!(err.to_string().contains("response times"), "{err}");
}

/// READY-risk: a history whose last failure count is empty is cut or edited, not "no failures".
#[test]
fn a_history_with_an_empty_count_is_refused() {
    let text = std::fs::read_to_string(fixture("locust-2.47-refused_stats_history.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "Total Failure Count")
        .unwrap();
    let last = lines.len() - 1;
    let mut cells: Vec<String> = lines[last].split(',').map(str::to_owned).collect();
    cells[col].clear();
    lines[last] = cells.join(",");
    let err = bytes(&(lines.join("\n") + "\n")).unwrap_err();
    assert!(
        err.to_string().contains("`Total Failure Count` is empty"),
        "{err}"
    );
}

/// READY-risk: a history cut between two rows of one write (the run killed, the file copied
/// while Locust wrote it) read as a run whose names had their newest totals and whose
/// `Aggregated` row an older one's. Locust ends every write with the `Aggregated` row
/// (`_stats_history_data_rows`: the requests' rows, then `stats.total`'s): a file ending with
/// another row is refused, naming it. Cut just after an `Aggregated` row, the file cannot be
/// told from a run that ended there, and reads as it (documented).
#[test]
fn a_history_cut_inside_a_write_is_refused() {
    let text = std::fs::read_to_string(fixture("locust-2.47-run_stats_history.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (mut refused, mut read_as_shorter) = (0, 0);
    for keep in 2..lines.len() {
        let cut = format!("{}\n", lines[..keep].join("\n"));
        let ends_a_write = lines[keep - 1].contains(",,Aggregated,");
        match bytes(&cut) {
            Ok(r) => {
                assert!(ends_a_write, "cut after line {keep} was read");
                assert!(value(&r.evidence, "Aggregated.count") <= 902.0);
                read_as_shorter += 1;
            }
            Err(e) if ends_a_write => assert!(e.is_empty_run(), "cut after line {keep}: {e}"),
            Err(e) => {
                let text = e.to_string();
                assert!(
                    text.contains(&format!("line {keep}"))
                        && text.contains("not with an `Aggregated` row"),
                    "cut after line {keep}: {text}"
                );
                refused += 1;
            }
        }
    }
    assert!(
        refused >= 10 && read_as_shorter >= 3,
        "{refused} {read_as_shorter}"
    );
}

/// READY-risk: a Locust CSV cut inside its last row's last value. `_stats.csv` ends with the
/// `Aggregated` row, whose last column is its `100%`: cut inside it, `Aggregated.p100` read as
/// another number (`340` as `34`). Locust ends every row with a line break: a file that does not
/// end with one is refused, naming its last row.
#[test]
fn a_locust_csv_cut_inside_its_last_value_is_refused() {
    for name in [
        "locust-2.47-run_stats.csv",
        "locust-2.47-run_stats_history.csv",
    ] {
        let bytes = std::fs::read(fixture(name)).unwrap();
        assert!(bytes.ends_with(b"\r\n"), "{name}");
        let whole = shipgate_perf::read_bytes(&bytes, name, PerfFormat::Auto).unwrap();
        let lines = bytes.iter().filter(|b| **b == b'\n').count();
        for drop in [1, 2, 3] {
            let cut = &bytes[..bytes.len() - drop];
            match shipgate_perf::read_bytes(cut, name, PerfFormat::Auto) {
                Err(PerfError::Invalid { at, message, .. }) => {
                    assert_eq!(at, format!("line {lines}"), "{name} cut by {drop}");
                    assert!(
                        message.contains("does not end with a line break"),
                        "{message}"
                    );
                }
                other => panic!(
                    "{name} cut by {drop} byte(s) was not refused: {:?}",
                    other.map(|r| r.evidence.metrics == whole.evidence.metrics)
                ),
            }
        }
    }
}

/// A history says when its run happened: its first row's `Timestamp` (the run's start, as for
/// the other formats), the second of the `--json` `start_time` of the same run.
#[test]
fn a_history_says_when_its_run_started() {
    let e = read("locust-2.47-run_stats_history.csv").evidence;
    assert_eq!(
        e.provenance.run_at.map(|t| t.as_second()),
        Some(1_796_675_512)
    );
    let json = read("locust-2.47-run.json").evidence;
    assert_eq!(
        json.provenance.run_at.map(|t| t.as_second()),
        e.provenance.run_at.map(|t| t.as_second())
    );
    let refused = read("locust-2.47-refused_stats_history.csv").evidence;
    assert!(refused.provenance.run_at.is_some());
}

/// The 2.47 history with the `Timestamp` of its data line `line` (2 is the first) set to
/// `value`.
fn with_timestamp(line: usize, value: &str) -> String {
    let text = std::fs::read_to_string(fixture("locust-2.47-run_stats_history.csv")).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let rest = lines[line - 1].split_once(',').unwrap().1.to_owned();
    lines[line - 1] = format!("{value},{rest}");
    lines.join("\n") + "\n"
}

/// READY-risk: a `Timestamp` that cannot be read as whole seconds, left out, would be a run
/// that does not say when it happened; read otherwise (milliseconds as seconds: a run in the
/// year 58,900), a run that looks fresh to `max_age` forever. Each is refused, naming the line
/// and the column, on the first row (the run's time) and on a later one.
#[test]
fn a_history_timestamp_that_is_not_whole_seconds_is_refused_with_its_line() {
    for line in [2, 5] {
        for (value, why) in [
            ("", "is empty"),
            ("N/A", "not whole seconds"),
            ("1796675512.5", "not whole seconds"),
            ("-1796675512", "not whole seconds"),
            ("2026-12-07T20:31:52Z", "not whole seconds"),
            ("1796675512000", "milliseconds"),
            ("99999999999999999999999", "milliseconds"),
            ("0", "not a time"),
        ] {
            let err = bytes(&with_timestamp(line, value)).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(&format!("line {line}")) && text.contains("`Timestamp`"),
                "{value:?} on line {line}: {text}"
            );
            assert!(text.contains(why), "{value:?} on line {line}: {text}");
            assert!(!err.is_empty_run(), "{text}");
        }
    }
}

/// READY-risk: a history whose rows go back in time (edited, or two runs merged) read with the
/// first row's time: a later run's history with an earlier row put first would look fresher or
/// older than it is. Refused, naming both lines.
#[test]
fn a_history_whose_rows_go_back_in_time_is_refused() {
    let err = bytes(&with_timestamp(5, "1796675511")).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("line 5") && text.contains("earlier than line 4"),
        "{text}"
    );
}

/// A `Timestamp` quoted or padded as a CSV writer may write it reads as the same time; the
/// largest whole seconds accepted is read as given.
#[test]
fn a_history_timestamp_at_the_edges_of_what_is_read() {
    let quoted = bytes(&with_timestamp(2, "\" 1796675500\"")).unwrap();
    assert_eq!(
        quoted.evidence.provenance.run_at.map(|t| t.as_second()),
        Some(1_796_675_500)
    );
    // The first row may be as far as 2286 only if every later row is later still.
    let err = bytes(&with_timestamp(2, "9999999999")).unwrap_err();
    assert!(err.to_string().contains("earlier than line 2"), "{err}");
    let err = bytes(&with_timestamp(2, "10000000000")).unwrap_err();
    assert!(err.to_string().contains("milliseconds"), "{err}");
}
