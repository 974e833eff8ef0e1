//! k6: four ways of writing the same run (see `../fixtures/README.md`), which must agree.

use super::*;
use serde_json::Value;
use shipgate_model::{Direction, PerfUnit, RequestBasis, Requests, RunThresholds};

fn handle_summary() -> PerfEvidence {
    read("k6-handle-summary.json").evidence
}

#[test]
fn handle_summary_data() {
    let e = handle_summary();
    assert_eq!(e.provenance.tool, "k6");
    assert_eq!(e.provenance.format, "k6 handleSummary() data JSON");
    let file: Value =
        shipgate_json::parse_value(&std::fs::read(fixture("k6-handle-summary.json")).unwrap())
            .unwrap();
    // The latency of the successful requests: k6's `{expected_response:true}` submetric.
    let p95 = file["metrics"]["http_req_duration{expected_response:true}"]["values"]["p(95)"]
        .as_f64()
        .unwrap();
    close(value(&e, "http_req_duration.p95"), p95, "p95");
    let m = &e.metrics["http_req_duration.p95"];
    assert_eq!(
        m.requests,
        Some(Requests {
            total: 200,
            failed: 3,
            basis: RequestBasis::Successful
        })
    );
    // A timing without the submetric counts every request, and says so.
    assert_eq!(
        e.metrics["http_req_waiting.p95"].requests.map(|r| r.basis),
        Some(RequestBasis::All)
    );
    assert_eq!(
        e.metrics["http_reqs.rate"].requests.map(|r| r.basis),
        Some(RequestBasis::All)
    );
    assert_eq!(e.metrics["iteration_duration.p95"].requests, None);
    assert_eq!(
        (m.unit.clone(), m.direction),
        (PerfUnit::Milliseconds, Some(Direction::Lower))
    );
    assert!(m.samples.is_none(), "a summary has no raw samples");
    assert_eq!(e.metrics["http_req_failed.rate"].unit, PerfUnit::Ratio);
    close(
        value(&e, "http_req_failed.rate"),
        3.0 / 200.0,
        "failed rate",
    );
    assert_eq!(
        e.metrics["http_req_failed.rate"].direction,
        Some(Direction::Lower)
    );
    assert_eq!(e.metrics["checks.rate"].direction, Some(Direction::Higher));
    assert_eq!(e.metrics["http_reqs.rate"].unit, PerfUnit::PerSecond);
    assert_eq!(e.metrics["http_reqs.count"].unit, PerfUnit::Count);
    assert_eq!(e.metrics["data_received.count"].unit, PerfUnit::Bytes);
    assert_eq!(
        e.metrics["data_received.rate"].unit,
        PerfUnit::BytesPerSecond
    );
    assert!(
        e.metrics
            .contains_key("http_req_duration{expected_response:true}.p95")
    );
    assert_eq!(
        e.thresholds,
        RunThresholds::Recorded {
            passed: vec![
                "http_req_duration: p(95)<500".to_owned(),
                "http_req_failed: rate<0.05".to_owned()
            ],
            failed: vec![],
            unverifiable: vec![],
        }
    );
}

#[test]
fn summary_export_says_the_same_in_its_own_dialect() {
    let export = read("k6-summary-export.json").evidence;
    assert_eq!(export.provenance.format, "k6 --summary-export JSON");
    let summary = handle_summary();
    // Every metric of the handleSummary data is there, with the same value and unit: the
    // export's `value` of a rate metric is its rate, and its units come from k6's names.
    for (name, m) in &summary.metrics {
        let e = export
            .metrics
            .get(name)
            .unwrap_or_else(|| panic!("{name} missing"));
        close(e.value, m.value, name);
        assert_eq!(e.unit, m.unit, "{name}");
        assert_eq!(e.direction, m.direction, "{name}");
    }
    assert_eq!(export.metrics.len(), summary.metrics.len());
    // `false` in the export means the threshold did NOT fail.
    assert_eq!(export.thresholds.failed(), &[] as &[String]);
    assert_eq!(export.thresholds, summary.thresholds);
}

#[test]
fn a_true_threshold_in_the_export_is_a_failed_threshold() {
    let e = read("k6-summary-export-failed-threshold.json").evidence;
    assert_eq!(
        e.thresholds.failed(),
        &["http_req_duration: p(99)<40".to_owned()]
    );
}

#[test]
fn machine_readable_summary() {
    let e = read("k6-machine-readable-summary.json").evidence;
    assert_eq!(e.provenance.format, "k6 machine-readable summary JSON");
    assert_eq!(e.provenance.tool_version.as_deref(), Some("1.5.0"));
    assert_eq!(
        e.provenance.run_at.map(|t| t.to_string()).as_deref(),
        Some("2026-11-20T10:00:20.0125Z")
    );
    assert_eq!(
        e.thresholds,
        RunThresholds::NotRecorded,
        "schema 1.0.0 has no threshold outcome"
    );
    let summary = handle_summary();
    for metric in [
        "http_req_duration.p95",
        "http_req_duration.avg",
        "http_req_failed.rate",
        "http_reqs.count",
        "vus.max",
    ] {
        close(value(&e, metric), value(&summary, metric), metric);
        assert_eq!(
            e.metrics[metric].unit, summary.metrics[metric].unit,
            "{metric}"
        );
    }
    assert_eq!(value(&e, "http_req_failed.matches"), 3.0);
    assert_eq!(value(&e, "http_req_failed.total"), 200.0);
    assert_eq!(value(&e, "checks_succeeded.rate"), 197.0 / 200.0);
}

#[test]
fn ndjson_points_give_the_summary_s_numbers_and_keep_the_samples() {
    let e = read("k6-out.ndjson").evidence;
    assert_eq!(e.provenance.format, "k6 --out json (NDJSON)");
    let summary = handle_summary();
    // k6 computes the summary from the same points, percentiles by linear interpolation.
    for metric in [
        "http_req_duration.p95",
        "http_req_duration.p90",
        "http_req_duration.med",
        "http_req_duration.avg",
        "http_req_duration.min",
        "http_req_duration.max",
        "http_req_duration{expected_response:true}.p95",
        "iteration_duration.p95",
        "http_req_failed.rate",
        "checks.rate",
        "http_reqs.count",
        "data_received.count",
        "vus.value",
    ] {
        close(value(&e, metric), value(&summary, metric), metric);
        assert_eq!(
            e.metrics[metric].unit, summary.metrics[metric].unit,
            "{metric}"
        );
        assert_eq!(
            e.metrics[metric].direction, summary.metrics[metric].direction,
            "{metric}"
        );
    }
    let p95 = &e.metrics["http_req_duration.p95"];
    assert_eq!(
        e.samples_of(p95).unwrap().len(),
        197,
        "the latency is of the successful requests"
    );
    assert_eq!(p95.requests.map(|r| (r.total, r.failed)), Some((200, 3)));
    // The points tell the successful requests apart for every HTTP timing, where the summary
    // has the submetric of `http_req_duration` only.
    let waiting = &e.metrics["http_req_waiting.avg"];
    assert_eq!(
        waiting.requests.map(|r| r.basis),
        Some(RequestBasis::Successful)
    );
    assert_eq!(e.samples_of(waiting).unwrap().len(), 197);
    assert_eq!(
        summary.metrics["http_req_waiting.avg"]
            .requests
            .map(|r| r.basis),
        Some(RequestBasis::All)
    );
    let sub = &e.metrics["http_req_duration{expected_response:true}.p95"];
    assert_eq!(
        e.samples_of(sub).unwrap().len(),
        197,
        "only the points tagged expected_response=true"
    );
    let failed = &e.metrics["http_req_failed.rate"];
    assert_eq!(e.samples_of(failed).unwrap().iter().sum::<f64>(), 3.0);
    // The counter's rate is over the points' time span (19.9 s), not k6's run time.
    close(value(&e, "http_reqs.rate"), 200.0 / 19.9, "rate");
    // Thresholds evaluated by shipgate on the points; the submetric k6 declares may carry a
    // threshold the file does not write.
    match (&e.thresholds, &summary.thresholds) {
        (
            RunThresholds::Recorded {
                passed,
                failed,
                unverifiable,
            },
            RunThresholds::Recorded {
                passed: summary_passed,
                failed: summary_failed,
                ..
            },
        ) => {
            assert_eq!((passed, failed), (summary_passed, summary_failed));
            assert_eq!(unverifiable.len(), 1, "{unverifiable:?}");
            assert!(unverifiable[0].starts_with("http_req_duration{expected_response:true}: "));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        e.provenance.run_at.map(|t| t.to_string()).as_deref(),
        Some("2026-11-20T10:00:00Z")
    );
}

#[test]
fn ndjson_thresholds_are_evaluated_and_unknown_ones_fail() {
    let lines = [
        r#"{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<10","avg<1000","stddev<3"],"submetrics":null},"metric":"http_req_duration"}"#,
        r#"{"type":"Point","data":{"time":"2026-11-20T10:00:00Z","value":12.5,"tags":null},"metric":"http_req_duration"}"#,
        r#"{"type":"Point","data":{"time":"2026-11-20T10:00:01Z","value":20,"tags":null},"metric":"http_req_duration"}"#,
    ];
    let e = bytes(&lines.join("\n")).unwrap().evidence;
    match &e.thresholds {
        RunThresholds::Recorded { passed, failed, .. } => {
            assert_eq!(passed, &["http_req_duration: avg<1000".to_owned()]);
            assert_eq!(failed.len(), 2, "{failed:?}");
            assert!(failed[1].contains("could not evaluate"), "{failed:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn broken_ndjson_names_the_line() {
    let before = r#"{"type":"Point","data":{"time":"2026-11-20T10:00:00Z","value":1,"tags":null},"metric":"http_reqs"}"#;
    let e = bytes(before).unwrap_err();
    assert!(
        e.to_string().contains("line 1") && e.to_string().contains("before its `Metric` line"),
        "{e}"
    );
    let garbage = format!(
        "{}\n{{not json\n",
        r#"{"type":"Metric","data":{"name":"x","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"x"}"#
    );
    let e = bytes(&garbage).unwrap_err();
    assert!(e.to_string().contains("line 2"), "{e}");
    let only_metrics = r#"{"type":"Metric","data":{"name":"x","type":"counter","contains":"default","thresholds":[],"submetrics":null},"metric":"x"}"#;
    assert!(bytes(only_metrics).unwrap_err().is_empty_run());
}

/// k6 writes a threshold with `abortOnFail` as an object (`metrics/thresholds.go`,
/// `thresholdConfig.MarshalJSON`): it must be evaluated like a plain one, never dropped.
#[test]
fn ndjson_thresholds_written_as_objects_are_evaluated() {
    let run = read("k6-out-abort-on-fail.ndjson");
    assert_eq!(value(&run.evidence, "http_req_failed.rate"), 1.0);
    assert_eq!(
        run.evidence.thresholds,
        RunThresholds::Recorded {
            passed: vec!["http_req_duration: p(95)<500".to_owned()],
            failed: vec!["http_req_failed: rate<0.01".to_owned()],
            unverifiable: vec![],
        }
    );
    let dir = tempfile::tempdir().unwrap();
    let refusal = super::snapshot::promote_into(
        dir.path(),
        "k6-out-abort-on-fail.ndjson",
        &super::snapshot::options(),
    )
    .unwrap_err();
    assert!(
        matches!(&refusal, shipgate_perf::PromoteRefusal::FailedThresholds(f) if f == &["http_req_failed: rate<0.01".to_owned()]),
        "{refusal:?}"
    );
}

#[test]
fn ndjson_thresholds_of_another_shape_are_refused() {
    for thresholds in [
        r#"[42]"#,
        r#"[{"abortOnFail":true}]"#,
        r#"[{"threshold":7}]"#,
        r#""rate<0.01""#,
    ] {
        let lines = [
            format!(
                r#"{{"type":"Metric","data":{{"name":"http_req_failed","type":"rate","contains":"default","thresholds":{thresholds},"submetrics":null}},"metric":"http_req_failed"}}"#
            ),
            r#"{"type":"Point","data":{"time":"2026-11-20T10:00:00Z","value":1,"tags":null},"metric":"http_req_failed"}"#.to_owned(),
        ];
        let e = bytes(&lines.join("\n")).unwrap_err().to_string();
        assert!(
            e.contains("line 1") && e.contains("http_req_failed") && e.contains("threshold"),
            "{thresholds}: {e}"
        );
    }
}

#[test]
fn a_repeated_ndjson_metric_line_keeps_the_thresholds_of_the_first() {
    let lines = [
        r#"{"type":"Metric","data":{"name":"http_req_failed","type":"rate","contains":"default","thresholds":["rate<0.01"],"submetrics":null},"metric":"http_req_failed"}"#,
        r#"{"type":"Point","data":{"time":"2026-11-20T10:00:00Z","value":1,"tags":null},"metric":"http_req_failed"}"#,
        r#"{"type":"Metric","data":{"name":"http_req_failed","type":"rate","contains":"default","thresholds":[],"submetrics":null},"metric":"http_req_failed"}"#,
    ];
    let e = bytes(&lines.join("\n")).unwrap().evidence;
    assert_eq!(
        e.thresholds.failed(),
        &["http_req_failed: rate<0.01".to_owned()]
    );
    let retyped = lines[2].replace(r#""type":"rate""#, r#""type":"trend""#);
    let e = bytes(&[lines[0], lines[1], &retyped].join("\n"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3") && e.contains("another type"), "{e}");
}

#[test]
fn summary_thresholds_of_another_shape_are_refused() {
    let text = std::fs::read_to_string(fixture("k6-summary-export-failed-threshold.json")).unwrap();
    let mut doc: Value = shipgate_json::parse_value(text.as_bytes()).unwrap();
    doc["metrics"]["http_req_duration"]["thresholds"] = serde_json::json!(["p(99)<40"]);
    let e = bytes(&doc.to_string()).unwrap_err().to_string();
    assert!(
        e.contains("http_req_duration") && e.contains("thresholds"),
        "{e}"
    );
}

fn promote_options(force: bool) -> shipgate_perf::PromoteOptions {
    shipgate_perf::PromoteOptions {
        now: Some("2026-11-24T10:00:00Z".parse().unwrap()),
        force,
        ..Default::default()
    }
}

/// Promotes `run` (a file) into `baseline.json` beside it.
pub(super) fn promote_file(
    run: &std::path::Path,
    force: bool,
) -> Result<shipgate_perf::Promotion, shipgate_perf::PromoteRefusal> {
    let out = run.with_file_name("baseline.json");
    shipgate_perf::promote(
        run,
        "perf/run.json",
        shipgate_perf::PerfFormat::Auto,
        &out,
        "perf/baseline.json",
        "0.1.0",
        &promote_options(force),
    )
}

/// READY-risk: a threshold set on a submetric (`http_req_duration{scenario:checkout}: p(95)<50`)
/// failed, and k6 `--out json` does not write it: only the submetric's declaration shows. The
/// run passes every threshold the file lists, yet promote must not call it clean.
#[test]
fn a_submetric_threshold_the_file_does_not_write_is_not_verifiable() {
    let lines = [
        r#"{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":["p(95)<500"],"submetrics":[{"name":"http_req_duration{scenario:checkout}","suffix":"scenario:checkout","tags":{"scenario":"checkout"}}]},"metric":"http_req_duration"}"#,
        r#"{"type":"Point","data":{"time":"2026-11-20T10:00:00Z","value":120,"tags":{"scenario":"checkout","expected_response":"true"}},"metric":"http_req_duration"}"#,
        r#"{"type":"Point","data":{"time":"2026-11-20T10:00:01Z","value":130,"tags":{"scenario":"checkout","expected_response":"true"}},"metric":"http_req_duration"}"#,
    ];
    let text = lines.join("\n");
    let run = bytes(&text).unwrap();
    let unverifiable = run.evidence.thresholds.unverifiable().to_vec();
    assert_eq!(unverifiable.len(), 1, "{unverifiable:?}");
    assert!(unverifiable[0].starts_with("http_req_duration{scenario:checkout}: "));
    assert!(run.evidence.thresholds.failed().is_empty());

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("run.json");
    std::fs::write(&file, &text).unwrap();
    let refusal = promote_file(&file, false).unwrap_err();
    assert!(
        matches!(&refusal, shipgate_perf::PromoteRefusal::UnverifiableThresholds(u) if *u == unverifiable),
        "{refusal:?}"
    );
    assert!(
        refusal.message().contains("--summary-export"),
        "{}",
        refusal.message()
    );
    assert!(
        refusal.message().contains("--force"),
        "{}",
        refusal.message()
    );
    assert!(!dir.path().join("baseline.json").exists());
    // Forced, the baseline says so, and its run, read again from the kept file, still says what
    // could not be verified.
    let forced = promote_file(&file, true).unwrap();
    assert!(forced.run.provenance.forced);
    let baseline = dir.path().join("baseline.json");
    let back = shipgate_perf::read_baseline(
        &baseline,
        "perf/baseline.json",
        shipgate_perf::PerfFormat::Auto,
    )
    .unwrap();
    assert_eq!(back.baseline.runs[0].thresholds, forced.run.thresholds);
    assert!(back.baseline.runs[0].provenance.forced);
    // The mark is checked on reading: removing it is an edit the gate sees.
    let manifest = std::fs::read_to_string(&baseline).unwrap();
    let edited = manifest.replace("\"forced\": true", "\"forced\": false");
    assert_ne!(edited, manifest);
    std::fs::write(&baseline, edited).unwrap();
    let e = shipgate_perf::read_baseline(
        &baseline,
        "perf/baseline.json",
        shipgate_perf::PerfFormat::Auto,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("cannot be verified"), "{e}");
}

/// k6 declares `http_req_duration{expected_response:true}` in every HTTP run (by default, and for
/// any threshold set on it): promoting a `--out json` run needs `--force` or the summary.
#[test]
fn promoting_k6_out_json_needs_the_summary_or_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("k6-out.ndjson");
    std::fs::copy(fixture("k6-out.ndjson"), &out).unwrap();
    assert!(matches!(
        promote_file(&out, false),
        Err(shipgate_perf::PromoteRefusal::UnverifiableThresholds(_))
    ));
    // The summary of the same run records every threshold, and promotes.
    let summary = dir.path().join("k6-summary-export.json");
    std::fs::copy(fixture("k6-summary-export.json"), &summary).unwrap();
    assert!(promote_file(&summary, false).is_ok());
}

/// The fixture's `--out json` with the first successful request's points rewritten as a failed
/// one's: `http_req_failed` 1 and `expected_response` false.
fn k6_out_with_one_more_failure() -> String {
    let text = std::fs::read_to_string(fixture("k6-out.ndjson")).unwrap();
    let time = text
        .lines()
        .find(|l| l.contains("\"metric\":\"http_req_failed\"") && l.contains("\"value\":0,"))
        .and_then(|l| l.split("\"time\":\"").nth(1))
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_owned();
    text.lines()
        .map(|l| {
            if !l.contains(&format!("\"time\":\"{time}\"")) || !l.contains("\"type\":\"Point\"") {
                return l.to_owned();
            }
            let l = l.replace(
                "\"expected_response\":\"true\"",
                "\"expected_response\":\"false\"",
            );
            if l.contains("\"metric\":\"http_req_failed\"") {
                l.replace("\"value\":0,", "\"value\":1,")
            } else {
                l
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ndjson_every_point_line_is_read_a_failed_request_among_millions_is_counted() {
    // No line is skipped as one the gate would not use: one more failed request moves the
    // failed share and leaves the successful requests' latency without it.
    let before = read("k6-out.ndjson").evidence;
    let after = bytes(&k6_out_with_one_more_failure()).unwrap().evidence;
    let failed = |e: &PerfEvidence| {
        e.samples_of(&e.metrics["http_req_failed.rate"])
            .unwrap()
            .iter()
            .sum::<f64>()
    };
    assert_eq!(failed(&before), 3.0);
    assert_eq!(failed(&after), 4.0);
    let ok = |e: &PerfEvidence| {
        e.samples_of(&e.metrics["http_req_duration{expected_response:true}.p95"])
            .unwrap()
            .len()
    };
    assert_eq!(ok(&after), ok(&before) - 1);
    assert_eq!(
        after.metrics["http_req_duration.p95"]
            .requests
            .map(|r| r.failed),
        Some(4)
    );
}

#[test]
fn ndjson_a_point_whose_value_is_not_a_finite_number_is_refused() {
    let text = std::fs::read_to_string(fixture("k6-out.ndjson")).unwrap();
    let changed = text.replacen("\"value\":39.532662", "\"value\":1e999", 1);
    assert_ne!(changed, text);
    let e = bytes(&changed).expect_err("an infinite value must be refused");
    assert!(e.to_string().contains("line 4"), "{e}");
}

/// A `Metric` line declaring `http_req_duration` with `submetric` as its one submetric, and a
/// point of it (`tags` as written).
fn declaring(submetric: &str, tags: &str) -> String {
    [
        format!(
            r#"{{"type":"Metric","data":{{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":[{submetric}]}},"metric":"http_req_duration"}}"#
        ),
        format!(
            r#"{{"type":"Point","data":{{"time":"2026-11-20T10:00:00Z","value":120,"tags":{tags}}},"metric":"http_req_duration"}}"#
        ),
    ]
    .join("\n")
}

fn refused_on_line(text: &str, line: usize, words: &str) {
    match bytes(text) {
        Err(PerfError::Invalid { at, message, .. }) => {
            assert_eq!(at, format!("line {line}"), "{message}");
            assert!(message.contains(words), "{message}");
        }
        other => panic!("not refused as invalid: {other:?}"),
    }
}

/// READY-risk: a submetric k6 declares (one a threshold was set on) without a name was skipped,
/// so it was not listed as unverifiable and promote called the run clean. Refused, naming the
/// line.
#[test]
fn k6_ndjson_submetric_declared_without_a_name_is_refused() {
    let good = declaring(
        r#"{"name":"http_req_duration{scenario:checkout}","suffix":"scenario:checkout","tags":{"scenario":"checkout"}}"#,
        r#"{"scenario":"checkout","expected_response":"true"}"#,
    );
    assert_eq!(
        bytes(&good)
            .unwrap()
            .evidence
            .thresholds
            .unverifiable()
            .len(),
        1,
        "the declared submetric"
    );
    for sub in [
        r#"{"suffix":"scenario:checkout","tags":{"scenario":"checkout"}}"#,
        r#"{"name":null,"suffix":"scenario:checkout","tags":{"scenario":"checkout"}}"#,
        r#"{"name":7,"tags":{"scenario":"checkout"}}"#,
        r#""http_req_duration{scenario:checkout}""#,
    ] {
        refused_on_line(
            &declaring(sub, r#"{"scenario":"checkout"}"#),
            1,
            "has no name",
        );
    }
    let not_a_list = good
        .replacen(r#""submetrics":["#, r#""submetrics":{"a":["#, 1)
        .replacen(r#"}}]},"metric""#, r#"}}]}},"metric""#, 1);
    refused_on_line(&not_a_list, 1, "not a list");
}

/// READY-risk: a submetric's tag that is not text (`"expected_response": true`) was read as "",
/// so the submetric matched other points than k6's (or none). Refused, naming the line; so is a
/// submetric without tags, which would match every point of its metric.
#[test]
fn k6_ndjson_submetric_tag_that_is_not_text_is_refused() {
    for (sub, words) in [
        (
            r#"{"name":"http_req_duration{expected_response:true}","suffix":"expected_response:true","tags":{"expected_response":true}}"#,
            "not text",
        ),
        (
            r#"{"name":"http_req_duration{status:200}","tags":{"status":200}}"#,
            "not text",
        ),
        (
            r#"{"name":"http_req_duration{status:200}","tags":{"status":null}}"#,
            "not text",
        ),
        (
            r#"{"name":"http_req_duration{status:200}","suffix":"status:200"}"#,
            "no `tags` object",
        ),
        (
            r#"{"name":"http_req_duration{status:200}","tags":["status","200"]}"#,
            "no `tags` object",
        ),
    ] {
        refused_on_line(&declaring(sub, r#"{"expected_response":"true"}"#), 1, words);
    }
}

/// READY-risk: a point whose tag is not text, read the general way, was taken as a point
/// without that tag: `"expected_response": false` written as a boolean dropped a failed
/// request's timing from nowhere and its absence from the successful ones went unseen.
/// Refused, naming the line.
#[test]
fn k6_ndjson_point_tag_that_is_not_text_is_refused_on_the_general_path() {
    for tags in [
        r#"{"expected_response":false}"#,
        r#"{"expected_response":"true","status":200}"#,
        r#"{"expected_response":"true","group":{"name":"a"}}"#,
        r#"["expected_response","true"]"#,
    ] {
        refused_on_line(&declaring("", tags), 2, "");
    }
    // No tags, or null tags, are a point without tags, as before.
    let no_tags = declaring("", "null");
    assert!(bytes(&no_tags).is_ok());
}

/// k6 `--out json` has no end marker (k6 stops writing lines; `json.go` writes no trailer). What
/// can be checked is: a file cut inside a line is refused (the line is not JSON), wherever it is
/// cut. A file cut between two lines cannot be told from a shorter run and reads as one
/// (documented beside Gatling's log).
#[test]
fn k6_ndjson_cut_inside_a_line_is_refused_wherever_it_is_cut() {
    // The fixture's first 12 lines (`Metric` lines and the first requests' points), cut at
    // every byte.
    let all = std::fs::read(fixture("k6-out.ndjson")).unwrap();
    let end = all
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(11)
        .map(|(i, _)| i + 1)
        .unwrap();
    let bytes = &all[..end];
    let full = 12;
    let (mut refused, mut read_shorter) = (0, 0);
    for cut in 1..bytes.len() {
        let part = &bytes[..cut];
        // A whole line: cut after its line break, or just before it.
        let whole_lines = part.ends_with(b"\n") || bytes[cut] == b'\n';
        match shipgate_perf::read_bytes(part, "cut.json", PerfFormat::Auto) {
            Ok(r) => {
                assert!(whole_lines, "cut at {cut} inside a line was read");
                assert!(part.iter().filter(|b| **b == b'\n').count() <= full);
                assert!(!r.evidence.metrics.is_empty());
                read_shorter += 1;
            }
            Err(e) => {
                assert!(
                    whole_lines || !e.is_empty_run() || cut < 80,
                    "cut at {cut}: {e}"
                );
                refused += 1;
            }
        }
    }
    assert!(refused > read_shorter, "{refused} {read_shorter}");
}
