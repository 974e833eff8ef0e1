//! Values that cannot be what their unit says (a negative duration, an error rate above 100%)
//! are refused in every format, with the file and the metric named.

use super::*;

fn refused(text: &str, wants: &[&str]) {
    let e = bytes(text).unwrap_err();
    assert!(!e.is_empty_run(), "unreadable, not missing: {e}");
    let e = e.to_string();
    for want in wants {
        assert!(e.contains(want), "`{want}` not in: {e}");
    }
}

#[test]
fn negative_generic_values_are_refused() {
    refused(
        r#"{"metrics": [{"name": "checkout.p95", "unit": "ms", "value": -250}]}"#,
        &["`inline`", "checkout.p95", "-250", "negative"],
    );
    refused(
        r#"{"metrics": [{"name": "checkout.p95", "unit": "s", "value": 0.2}, {"name": "checkout.count", "unit": "count", "value": -3}]}"#,
        &["checkout.count", "negative"],
    );
    refused(
        r#"{"metrics": [{"name": "api.throughput", "unit": "req/s", "value": -1}]}"#,
        &["api.throughput", "negative"],
    );
    refused(
        r#"{"metrics": [{"name": "page.size", "unit": "bytes", "value": -1}]}"#,
        &["page.size", "negative"],
    );
    // The samples too.
    refused(
        r#"{"metrics": [{"name": "checkout.p50", "unit": "ms", "value": 10, "samples": [-5, 10, 25]}]}"#,
        &["checkout.p50", "-5", "negative"],
    );
    // A plain number or a unit shipgate does not know can be anything.
    let e = bytes(
        r#"{"metrics": [{"name": "drift.avg", "value": -3}, {"name": "temp.max", "unit": "C", "value": -40}]}"#,
    )
    .unwrap()
    .evidence;
    assert_eq!(value(&e, "drift.avg"), -3.0);
}

#[test]
fn a_fraction_above_one_is_refused() {
    refused(
        r#"{"metrics": [{"name": "checkout.error_rate", "unit": "%", "value": 150}]}"#,
        &["checkout.error_rate", "above 1"],
    );
    refused(
        r#"{"metrics": [{"name": "checkout.error_rate", "unit": "ratio", "value": -0.5}]}"#,
        &["checkout.error_rate", "negative"],
    );
}

#[test]
fn a_negative_k6_rate_is_refused() {
    let text = std::fs::read_to_string(fixture("k6-handle-summary.json")).unwrap();
    let mut doc: serde_json::Value = shipgate_json::parse_value(text.as_bytes()).unwrap();
    doc["metrics"]["http_req_failed"]["values"]["rate"] = serde_json::json!(-0.5);
    refused(
        &doc.to_string(),
        &["http_req_failed.rate", "-0.5", "negative"],
    );
    let mut doc: serde_json::Value = shipgate_json::parse_value(text.as_bytes()).unwrap();
    doc["metrics"]["http_req_duration"]["values"]["p(95)"] = serde_json::json!(-1);
    refused(&doc.to_string(), &["http_req_duration.p95", "negative"]);
}

#[test]
fn negative_bencher_and_jmeter_statistics_values_are_refused() {
    refused(
        r#"{"bench": {"latency": {"value": -88.0}}}"#,
        &["bench.latency", "negative"],
    );
    let text = std::fs::read_to_string(fixture("jmeter-dashboard-statistics.json")).unwrap();
    let mut doc: serde_json::Value = shipgate_json::parse_value(text.as_bytes()).unwrap();
    doc["Total"]["errorPct"] = serde_json::json!(-10.0);
    refused(&doc.to_string(), &["Total.error_rate", "negative"]);
}

#[test]
fn an_unreadable_gatling_ko_is_refused() {
    let text = std::fs::read_to_string(fixture("gatling-3.13-global_stats.json")).unwrap();
    for ko in [r#""six""#, "true", r#""-""#, "null"] {
        let mut doc: serde_json::Value = shipgate_json::parse_value(text.as_bytes()).unwrap();
        doc["numberOfRequests"]["ko"] = shipgate_json::parse_value(ko.as_bytes()).unwrap();
        refused(&doc.to_string(), &["numberOfRequests.ko"]);
    }
    let mut doc: serde_json::Value = shipgate_json::parse_value(text.as_bytes()).unwrap();
    doc["numberOfRequests"]["ko"] = serde_json::json!(-6);
    refused(&doc.to_string(), &["All Requests.errors", "negative"]);
}

/// A metric's value and its own samples must say the same: the limits are checked on the value
/// and the significance test on the samples.
#[test]
fn a_value_its_own_samples_contradict_is_refused() {
    refused(
        r#"{"metrics": [{"name": "checkout.avg", "unit": "ms", "value": 100, "samples": [900, 950, 1000, 1200]}]}"#,
        &["checkout.avg", "100", "1012.5"],
    );
    refused(
        r#"{"metrics": [{"name": "checkout.min", "unit": "ms", "value": 800, "samples": [900, 950, 1000, 1200]}]}"#,
        &["checkout.min", "800", "900"],
    );
    refused(
        r#"{"metrics": [{"name": "checkout.max", "unit": "s", "value": 1, "samples": [0.9, 0.95, 1.0, 1.2]}]}"#,
        &["checkout.max", "1000", "1200"],
    );
    refused(
        r#"{"metrics": [{"name": "checkout.med", "unit": "ms", "value": 900, "samples": [900, 950, 1000, 1200]}]}"#,
        &["checkout.med", "900", "975"],
    );
    refused(
        r#"{"metrics": [{"name": "checkout.p95", "unit": "ms", "value": 1000, "samples": [900, 950, 1000, 1200]}]}"#,
        &["checkout.p95", "1000", "1170"],
    );
    // An error rate of 0 whose flags say every request failed.
    refused(
        r#"{"metrics": [{"name": "checkout.error_rate", "unit": "ratio", "value": 0, "samples": [1, 1, 1, 1]}]}"#,
        &["checkout.error_rate", "0", "1"],
    );
}

#[test]
fn a_value_that_agrees_with_its_samples_is_read() {
    let samples = "[0.180, 0.195, 0.201, 0.207, 0.211, 0.214, 0.219, 0.222, 0.230, 0.241]";
    // numpy's p95 (0.23605), rounded to three digits, and the nearest-rank p95.
    for p95 in ["0.23605", "0.236", "0.241"] {
        let text = format!(
            r#"{{"metrics": [{{"name": "checkout.p95", "unit": "s", "value": {p95}, "samples": {samples}}}]}}"#
        );
        let e = bytes(&text)
            .unwrap_or_else(|e| panic!("{p95}: {e}"))
            .evidence;
        close(
            value(&e, "checkout.p95"),
            p95.parse::<f64>().unwrap() * 1000.0,
            p95,
        );
    }
    let e = bytes(
        r#"{"metrics": [{"name": "checkout.avg", "unit": "ms", "value": 1012.6, "samples": [900, 950, 1000, 1200]},
                        {"name": "drift.mean", "value": 1e-17, "samples": [-1, 1]},
                        {"name": "checkout.error_rate", "unit": "%", "value": 25, "samples": [0, 0, 0, 100]},
                        {"name": "checkout.p100", "unit": "ms", "value": 1200, "samples": [900, 950, 1000, 1200]}]}"#,
    )
    .unwrap()
    .evidence;
    assert_eq!(value(&e, "checkout.error_rate"), 0.25);
}
