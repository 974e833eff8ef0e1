//! Locust's stats CSV (written by a real Locust run) and Gatling's stats files.

use super::*;
use serde_json::Value;
use shipgate_model::{Direction, PerfUnit};

/// The CSV, read naively (no quoted fields in this file): an independent reading to compare
/// with shipgate's.
fn locust_rows() -> Vec<std::collections::BTreeMap<String, String>> {
    let text = std::fs::read_to_string(fixture("locust-2.47-stats.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|l| {
            header
                .iter()
                .zip(l.split(','))
                .map(|(h, v)| ((*h).to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

#[test]
fn locust_stats_as_written() {
    let e = read("locust-2.47-stats.csv").evidence;
    assert_eq!(e.provenance.tool, "Locust");
    assert!(e.series.is_empty());
    let rows = locust_rows();
    assert_eq!(rows.len(), 4, "three requests and the Aggregated row");
    for row in &rows {
        let name = &row["Name"];
        let num = |col: &str| row[col].parse::<f64>().unwrap();
        close(
            value(&e, &format!("{name}.count")),
            num("Request Count"),
            "count",
        );
        close(
            value(&e, &format!("{name}.errors")),
            num("Failure Count"),
            "errors",
        );
        close(
            value(&e, &format!("{name}.avg")),
            num("Average Response Time"),
            "avg",
        );
        close(
            value(&e, &format!("{name}.med")),
            num("Median Response Time"),
            "med",
        );
        close(value(&e, &format!("{name}.p95")), num("95%"), "p95");
        close(value(&e, &format!("{name}.p99.9")), num("99.9%"), "p99.9");
        close(
            value(&e, &format!("{name}.throughput")),
            num("Requests/s"),
            "throughput",
        );
        close(
            value(&e, &format!("{name}.error_rate")),
            num("Failure Count") / num("Request Count"),
            "error_rate",
        );
    }
    assert!(
        value(&e, "/pay.errors") > 0.0,
        "server.py fails some payments"
    );
    let p95 = &e.metrics["Aggregated.p95"];
    assert_eq!(
        (p95.unit.clone(), p95.direction),
        (PerfUnit::Milliseconds, Some(Direction::Lower))
    );
    assert_eq!(
        e.metrics["Aggregated.throughput"].direction,
        Some(Direction::Higher)
    );
}

#[test]
fn locust_names_used_with_two_methods_keep_the_method() {
    let csv = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,95%,100%\n\
GET,/cart,10,0,5,5.0,4.0,7.0,12.0,1.0,0.0,5,7,7\n\
POST,/cart,4,1,9,9.5,8.0,12.0,12.0,0.4,0.1,9,12,12\n\
GET,/idle,0,0,0,0.0,0,0,0,0.0,0.0,N/A,N/A,N/A\n\
,Aggregated,14,1,6,6.3,4.0,12.0,12.0,1.4,0.1,6,12,12\n";
    let e = bytes(csv).unwrap().evidence;
    assert_eq!(value(&e, "GET /cart.p95"), 7.0);
    assert_eq!(value(&e, "POST /cart.error_rate"), 0.25);
    assert_eq!(value(&e, "/idle.count"), 0.0);
    assert!(
        !e.metrics.contains_key("/idle.p95"),
        "a request that never ran has no times"
    );
    let none = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s\n,Aggregated,0,0,0,0,0,0,0,0,0\n";
    assert!(bytes(none).unwrap_err().is_empty_run());
}

#[test]
fn gatling_stats_tree() {
    let e = read("gatling-3.13-stats.json").evidence;
    assert_eq!(e.provenance.format, "Gatling stats.json");
    let file: Value =
        shipgate_json::parse_value(&std::fs::read(fixture("gatling-3.13-stats.json")).unwrap())
            .unwrap();
    let root = &file["stats"];
    // Response times of the successful requests (`ok`); counts of every request (`total`).
    let ok = |s: &Value, f: &str| s[f]["ok"].as_f64().unwrap();
    close(
        value(&e, "All Requests.p95"),
        ok(root, "percentiles3"),
        "p95",
    );
    close(
        value(&e, "All Requests.p50"),
        ok(root, "percentiles1"),
        "p50",
    );
    close(
        value(&e, "All Requests.p99"),
        ok(root, "percentiles4"),
        "p99",
    );
    assert_eq!(
        e.metrics["All Requests.p95"].requests,
        Some(shipgate_model::Requests {
            total: 900,
            failed: 6,
            basis: shipgate_model::RequestBasis::Successful
        })
    );
    close(value(&e, "All Requests.count"), 900.0, "count");
    close(value(&e, "All Requests.errors"), 6.0, "errors");
    close(
        value(&e, "All Requests.error_rate"),
        6.0 / 900.0,
        "error rate",
    );
    close(
        value(&e, "All Requests.throughput"),
        root["meanNumberOfRequestsPerSecond"]["total"]
            .as_f64()
            .unwrap(),
        "throughput",
    );
    // Requests inside a group are named by their path.
    let pay = &file["contents"]["group_payment-786681338"]["contents"]["req_payment---pay-1541457006"]
        ["stats"];
    close(
        value(&e, "Payment / pay.p95"),
        ok(pay, "percentiles3"),
        "pay p95",
    );
    assert!(
        e.metrics.contains_key("Payment.count"),
        "groups have their own figures"
    );
    assert!(e.metrics.contains_key("checkout.avg"));
    assert_eq!(e.metrics["checkout.avg"].unit, PerfUnit::Milliseconds);
}

#[test]
fn gatling_global_stats_agree_with_the_tree_s_root() {
    let global = read("gatling-3.13-global_stats.json").evidence;
    assert_eq!(global.provenance.format, "Gatling global_stats.json");
    let tree = read("gatling-3.13-stats.json").evidence;
    for (name, m) in &global.metrics {
        close(m.value, value(&tree, name), name);
    }
    assert!(global.metrics.len() >= 12, "{:?}", global.metrics.keys());
}

#[test]
fn gatling_strings_of_older_versions_are_read() {
    let old = r#"{"name":"Global Information","numberOfRequests":{"total":"   92,163","ok":"92,160","ko":"3"},"meanResponseTime":{"total":"12","ok":"12","ko":"-"},"percentiles3":{"total":"40","ok":"40","ko":"-"}}"#;
    let e = bytes(old).unwrap().evidence;
    assert_eq!(value(&e, "Global Information.count"), 92_163.0);
    assert_eq!(value(&e, "Global Information.p95"), 40.0);
    assert_eq!(value(&e, "Global Information.errors"), 3.0);
}

/// A real Locust 2.47 run against a port nothing listens on: every request refused in about a
/// millisecond. The times are there, and must be marked as those of failed requests.
#[test]
fn locust_run_whose_every_request_failed_is_marked_so() {
    let e = read("locust-2.47-refused_stats.csv").evidence;
    let p95 = &e.metrics["Aggregated.p95"];
    assert!(p95.value <= 5.0, "refused in milliseconds: {}", p95.value);
    let r = p95.requests.unwrap();
    assert_eq!((r.total, r.failed), (3508, 3508));
    assert_eq!(r.successful(), 0);
    assert_eq!(r.basis, shipgate_model::RequestBasis::All);
    assert_eq!(e.metrics["/checkout.avg"].requests.unwrap().failed, 1783);
    assert_eq!(
        e.metrics["Aggregated.throughput"]
            .requests
            .map(|r| r.failed),
        Some(3508)
    );
    assert_eq!(e.metrics["Aggregated.error_rate"].requests, None);
}
