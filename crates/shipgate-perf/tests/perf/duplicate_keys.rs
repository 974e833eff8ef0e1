//! Every JSON format, with a key that decides the outcome given twice: the file is refused,
//! naming the key, where it is and its line, never read as the last (or the first) value. The
//! forms shipgate defines (the generic metrics JSON, baseline snapshots) also refuse a key they do
//! not have, naming the nearest one they have. Each case starts from a real fixture.

use super::*;
use shipgate_json::JsonErrorKind;

/// `text` with `"key": value, ` written just before the first `"key"` that is a key: the object
/// then holds the key twice, `value` first and the fixture's own value last.
fn repeated(text: &str, key: &str, value: &str) -> String {
    let quoted = format!("\"{key}\"");
    let at = text
        .match_indices(&quoted)
        .map(|(i, _)| i)
        .find(|&i| text[i + quoted.len()..].trim_start().starts_with(':'))
        .unwrap_or_else(|| panic!("no key {quoted}"));
    format!("{}{quoted}: {value}, {}", &text[..at], &text[at..])
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap()
}

/// The error of a file refused for a repeated `key`: (its message, the object's path, its line).
fn refused_for_repeat(result: Result<PerfRead, PerfError>, key: &str) -> (String, String, usize) {
    let e = result.expect_err("a repeated key must be refused");
    let message = e.to_string();
    let remedy = e.remedy();
    match &e {
        PerfError::Json { source, .. } => {
            let JsonErrorKind::DuplicateKey {
                key: found,
                path,
                position,
            } = source.kind()
            else {
                panic!("expected a repeated `{key}`, got {message}");
            };
            assert_eq!(found, key, "{message}");
            assert!(
                message.contains(&format!("`{key}` appears twice")),
                "{message}"
            );
            assert!(remedy.contains("each key once"), "{remedy}");
            (
                message.clone(),
                path.clone(),
                position.expect("a position").line,
            )
        }
        other => panic!("expected a repeated `{key}`, got {other}"),
    }
}

#[test]
fn k6_summary_with_a_threshold_s_ok_given_twice_is_refused() {
    let text = fixture_text("k6-handle-summary.json");
    let (message, path, _) = refused_for_repeat(bytes(&repeated(&text, "ok", "false")), "ok");
    assert!(path.starts_with("metrics."), "{path}");
    assert!(
        message.starts_with("failed to read `inline` (JSON)"),
        "{message}"
    );
    let (_, path, _) = refused_for_repeat(bytes(&repeated(&text, "p(95)", "1.0")), "p(95)");
    assert_eq!(path, "metrics.http_req_duration.values");
}

#[test]
fn k6_summary_export_and_machine_readable_summary_with_a_value_given_twice_are_refused() {
    let text = fixture_text("k6-summary-export.json");
    refused_for_repeat(bytes(&repeated(&text, "p(95)", "1.0")), "p(95)");
    let text = fixture_text("k6-machine-readable-summary.json");
    let (_, path, _) = refused_for_repeat(bytes(&repeated(&text, "count", "0")), "count");
    assert!(path.starts_with("results."), "{path}");
}

#[test]
fn k6_ndjson_point_with_its_value_given_twice_is_refused_naming_the_file_line() {
    let text = fixture_text("k6-out.ndjson");
    let lines: Vec<&str> = text.lines().collect();
    let n = lines
        .iter()
        .position(|l| l.contains("\"type\":\"Point\"") && l.contains("http_req_duration"))
        .unwrap();
    let mut changed: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    changed[n] = repeated(lines[n], "value", "1");
    let (message, path, line) = refused_for_repeat(bytes(&changed.join("\n")), "value");
    assert_eq!((path.as_str(), line), ("data", n + 1), "{message}");
    assert!(message.contains("k6 --out json"), "{message}");
    // On the first line, before the format is known, too.
    let mut first: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    first[0] = repeated(lines[0], "type", "\"Point\"");
    refused_for_repeat(bytes(&first.join("\n")), "type");
}

/// The k6 fixture with the line of the first point of `metric` changed by `change`; the changed
/// line's number (1-based).
fn k6_point_changed(metric: &str, change: impl Fn(&str) -> String) -> (String, usize) {
    let text = fixture_text("k6-out.ndjson");
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let needle = format!("\"metric\":\"{metric}\"");
    let n = lines
        .iter()
        .position(|l| l.contains("\"type\":\"Point\"") && l.contains(&needle))
        .unwrap();
    lines[n] = change(&lines[n]);
    (lines.join("\n"), n + 1)
}

// The fast path of the k6 reader (a `Point` line read by a type that checks its own keys) must
// refuse every repeat the general path refuses, with the same error: each key a verdict can
// depend on, given twice, the decisive value first.

#[test]
fn k6_ndjson_point_with_its_expected_response_tag_given_twice_is_refused() {
    // `"expected_response":"false"` first: read as the last one, a failed request would count
    // among the successful ones that latency is judged on.
    let (text, n) = k6_point_changed("http_req_duration", |l| {
        repeated(l, "expected_response", "\"false\"")
    });
    let (message, path, line) = refused_for_repeat(bytes(&text), "expected_response");
    assert_eq!((path.as_str(), line), ("data.tags", n), "{message}");
}

#[test]
fn k6_ndjson_point_with_its_metric_given_twice_is_refused() {
    // A latency point that would count as another metric's.
    let (text, n) = k6_point_changed("http_req_duration", |l| {
        l.replacen("{\"type\"", "{\"metric\":\"http_req_blocked\",\"type\"", 1)
    });
    let (message, _, line) = refused_for_repeat(bytes(&text), "metric");
    assert_eq!(line, n, "{message}");
}

#[test]
fn k6_ndjson_point_with_its_time_tags_or_data_given_twice_is_refused() {
    let (text, _) = k6_point_changed("http_req_failed", |l| {
        repeated(l, "time", "\"2026-11-20T09:00:00Z\"")
    });
    refused_for_repeat(bytes(&text), "time");
    let (text, _) = k6_point_changed("http_req_failed", |l| {
        repeated(l, "tags", "{\"expected_response\":\"true\"}")
    });
    refused_for_repeat(bytes(&text), "tags");
    let (text, _) = k6_point_changed("http_req_failed", |l| {
        repeated(l, "data", "{\"time\":\"2026-11-20T10:00:00Z\",\"value\":0}")
    });
    refused_for_repeat(bytes(&text), "data");
}

#[test]
fn k6_ndjson_point_with_a_tag_repeated_under_an_escaped_spelling_is_refused() {
    // `expected_respons\u0065` is `expected_response`: compared as read, not as written.
    let (text, _) = k6_point_changed("http_req_duration", |l| {
        l.replacen(
            "\"tags\":{",
            "\"tags\":{\"expected_respons\\u0065\":\"false\",",
            1,
        )
    });
    refused_for_repeat(bytes(&text), "expected_response");
}

#[test]
fn k6_ndjson_point_with_a_repeat_hidden_in_a_key_the_reader_does_not_use_is_refused() {
    // k6 writes `metadata` beside `tags`; the fast path does not know it and leaves the line to
    // the general path, which checks every object, this one too.
    let (text, _) = k6_point_changed("http_req_duration", |l| {
        l.replacen(
            "\"tags\":{",
            "\"metadata\":{\"vu\":\"1\",\"vu\":\"2\"},\"tags\":{",
            1,
        )
    });
    let (_, path, _) = refused_for_repeat(bytes(&text), "vu");
    assert_eq!(path, "data.metadata");
}

#[test]
fn k6_ndjson_points_read_the_fast_way_and_the_general_way_give_the_same_evidence() {
    // A tag with a character outside ASCII sends every line the general way (see
    // `k6_ndjson.rs`): both ways must read the same numbers, and the same failed requests.
    let text = fixture_text("k6-out.ndjson");
    let general: Vec<String> = text
        .lines()
        .map(|l| {
            if l.contains("\"type\":\"Point\"") {
                l.replacen("\"tags\":{", "\"tags\":{\"note\":\"café\",", 1)
            } else {
                l.to_owned()
            }
        })
        .collect();
    let fast = bytes(&text).unwrap().evidence;
    let slow = bytes(&general.join("\n")).unwrap().evidence;
    assert!(!fast.metrics.is_empty());
    let differ: Vec<_> = fast
        .metrics
        .iter()
        .filter(|(k, m)| slow.metrics.get(*k) != Some(*m))
        .map(|(k, m)| format!("{k}: {m:?} / {:?}", slow.metrics.get(k)))
        .collect();
    assert!(differ.is_empty(), "{differ:#?}");
    assert_eq!(fast.metrics.len(), slow.metrics.len());
    assert!(fast.series == slow.series, "the series differ");
    assert_eq!(fast.thresholds, slow.thresholds);
    assert!(
        fast.metrics
            .contains_key("http_req_duration{expected_response:true}.p95"),
        "{:?}",
        fast.metrics.keys().collect::<Vec<_>>()
    );
}

#[test]
fn jmeter_statistics_with_an_error_count_given_twice_is_refused() {
    let text = fixture_text("jmeter-dashboard-statistics.json");
    let (_, path, line) =
        refused_for_repeat(bytes(&repeated(&text, "errorCount", "999")), "errorCount");
    assert_eq!((path.as_str(), line), ("checkout", 5));
}

#[test]
fn gatling_stats_with_a_failure_count_given_twice_is_refused() {
    let text = fixture_text("gatling-3.13-stats.json");
    let (_, path, _) = refused_for_repeat(bytes(&repeated(&text, "ko", "0")), "ko");
    assert_eq!(path, "stats.numberOfRequests");
    let text = fixture_text("gatling-3.13-global_stats.json");
    refused_for_repeat(bytes(&repeated(&text, "ko", "0")), "ko");
}

#[test]
fn bencher_with_a_value_given_twice_is_refused() {
    let text = fixture_text("bencher-metric-format.json");
    let (_, path, _) = refused_for_repeat(bytes(&repeated(&text, "value", "1.0")), "value");
    assert_eq!(path, "benchmark_name.latency");
}

#[test]
fn generic_metrics_with_a_value_given_twice_is_refused() {
    let text = fixture_text("generic-metrics.json");
    let (_, path, _) = refused_for_repeat(bytes(&repeated(&text, "value", "1.0")), "value");
    assert_eq!(path, "metrics[0]");
    let (_, path, _) = refused_for_repeat(bytes(&repeated(&text, "ok", "true")), "ok");
    assert_eq!(path, "thresholds[0]");
}

fn unknown_key(result: Result<PerfRead, PerfError>) -> (String, Option<String>, String) {
    let e = result.expect_err("an unknown key must be refused");
    let message = e.to_string();
    match &e {
        PerfError::Json { source, .. } => {
            let JsonErrorKind::UnknownKey { key, nearest, .. } = source.kind() else {
                panic!("expected an unknown key, got {message}");
            };
            assert!(e.remedy().contains("nearest known one"), "{}", e.remedy());
            (key.clone(), nearest.clone(), message)
        }
        other => panic!("expected an unknown key, got {other}"),
    }
}

#[test]
fn generic_metrics_refuse_unknown_keys_at_every_level_with_the_nearest_known_one() {
    let text = fixture_text("generic-metrics.json");
    for (from, to, nearest) in [
        (
            "\"release_version\"",
            "\"release_verison\"",
            "release_version",
        ),
        ("\"direction\"", "\"directon\"", "direction"),
        ("\"version\"", "\"verison\"", "version"),
        ("\"ok\"", "\"okay\"", "ok"),
    ] {
        assert!(text.contains(from), "{from}");
        let (key, found, message) = unknown_key(bytes(&text.replacen(from, to, 1)));
        assert_eq!(key, to.trim_matches('"'));
        assert_eq!(found.as_deref(), Some(nearest), "{message}");
        assert!(
            message.contains(&format!("did you mean `{nearest}`?")),
            "{message}"
        );
    }
}

/// A baseline manifest: what `promote` writes, in a folder of its own.
fn manifest_text(dir: &std::path::Path) -> String {
    super::snapshot::promote_into(dir, "jmeter-2.13-header.jtl", &super::snapshot::options())
        .unwrap();
    std::fs::read_to_string(dir.join("baseline.json")).unwrap()
}

fn read_manifest(dir: &std::path::Path, text: &str) -> Result<PerfRead, PerfError> {
    std::fs::write(dir.join("baseline.json"), text).unwrap();
    shipgate_perf::read_file(&dir.join("baseline.json"), "inline", PerfFormat::Auto)
}

#[test]
fn a_baseline_manifest_with_a_value_given_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = manifest_text(dir.path());
    let (_, path, _) = refused_for_repeat(
        read_manifest(dir.path(), &repeated(&text, "sha256", "\"00\"")),
        "sha256",
    );
    assert!(path.starts_with("runs"), "{path}");
}

#[test]
fn a_baseline_manifest_refuses_unknown_keys_with_the_nearest_known_one() {
    let dir = tempfile::tempdir().unwrap();
    let text = manifest_text(dir.path());
    for (from, to, nearest) in [
        ("\"written_by\"", "\"writen_by\"", "written_by"),
        ("\"promoted_at\"", "\"promoted\"", "promoted_at"),
    ] {
        assert!(text.contains(from), "{from}");
        let (key, found, message) =
            unknown_key(read_manifest(dir.path(), &text.replacen(from, to, 1)));
        assert_eq!(key, to.trim_matches('"'));
        assert_eq!(found.as_deref(), Some(nearest), "{message}");
    }
}
