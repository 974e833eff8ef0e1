//! shipgate's generic metrics JSON and the Bencher Metric Format.

use super::*;
use shipgate_model::{Direction, PerfUnit, RunThresholds, SampleStat};

#[test]
fn generic_metrics_are_normalised_to_shipgate_units() {
    let e = read("generic-metrics.json").evidence;
    assert_eq!(e.provenance.tool, "wrk2");
    assert_eq!(e.provenance.tool_version.as_deref(), Some("4.0.0"));
    assert_eq!(e.provenance.commit.as_deref(), Some("3f2a9c1"));
    assert_eq!(e.provenance.release_version.as_deref(), Some("2.4.0"));
    // Seconds become milliseconds, samples too.
    let p95 = &e.metrics["checkout.p95"];
    assert_eq!(p95.unit, PerfUnit::Milliseconds);
    close(p95.value, 236.05, "p95");
    let samples = e.samples_of(p95).unwrap();
    close(samples[0], 180.0, "first sample in ms");
    assert_eq!(
        p95.samples.as_ref().unwrap().stat,
        SampleStat::Percentile(95.0)
    );
    // Percent becomes a fraction.
    assert_eq!(e.metrics["checkout.error_rate"].unit, PerfUnit::Ratio);
    close(value(&e, "checkout.error_rate"), 0.004, "error rate");
    assert_eq!(e.metrics["requests.throughput"].unit, PerfUnit::PerSecond);
    assert_eq!(
        e.metrics["requests.throughput"].direction,
        Some(Direction::Higher)
    );
    assert_eq!(
        e.metrics["queue.depth"].unit,
        PerfUnit::Other("messages".into())
    );
    assert_eq!(e.metrics["queue.depth"].direction, None);
    assert_eq!(
        e.thresholds,
        RunThresholds::Recorded {
            passed: vec!["p99 under 250ms".into()],
            failed: vec![],
            unverifiable: vec![],
        }
    );
}

#[test]
fn generic_typos_and_nonsense_are_refused() {
    let typo = r#"{"metrics": [{"name": "a.p95", "value": 1, "directon": "lower"}]}"#;
    let e = bytes(typo).unwrap_err().to_string();
    assert!(
        e.contains("unknown key `directon` in `metrics[0]`")
            && e.contains("did you mean `direction`?"),
        "{e}"
    );
    let bad = r#"{"metrics": [{"name": "a.p95", "value": 1, "direction": "down"}]}"#;
    assert!(
        bytes(bad)
            .unwrap_err()
            .to_string()
            .contains("not `lower` or `higher`")
    );
    let unsampled = r#"{"metrics": [{"name": "a.throughput", "value": 1, "samples": [1, 2]}]}"#;
    assert!(
        bytes(unsampled)
            .unwrap_err()
            .to_string()
            .contains("not a statistic of samples")
    );
    let no_stat = r#"{"metrics": [{"name": "latency", "value": 1}]}"#;
    assert!(
        bytes(no_stat)
            .unwrap_err()
            .to_string()
            .contains("not `name.stat`")
    );
    let dup = r#"{"metrics": [{"name": "a.p95", "value": 1}, {"name": "a.p95", "value": 2}]}"#;
    assert!(
        bytes(dup)
            .unwrap_err()
            .to_string()
            .contains("appears twice")
    );
    let empty = r#"{"metrics": []}"#;
    assert!(bytes(empty).unwrap_err().is_empty_run());
    // `run_at` is the run's age for `evidence.provenance`: without a zone it is no instant.
    let zoneless =
        r#"{"run_at": "2026-11-20T10:00:00", "metrics": [{"name": "a.p95", "value": 1}]}"#;
    let e = bytes(zoneless).unwrap_err().to_string();
    assert!(e.contains("run_at") && e.contains("no time zone"), "{e}");
}

#[test]
fn bencher_metric_format_as_is() {
    let e = read("bencher-metric-format.json").evidence;
    assert_eq!(e.provenance.format, "Bencher Metric Format JSON");
    // Latency is in nanoseconds in BMF.
    let latency = &e.metrics["benchmark_name.latency"];
    assert_eq!(
        (latency.unit.clone(), latency.direction),
        (PerfUnit::Milliseconds, Some(Direction::Lower))
    );
    close(latency.value, 88.0e-6, "ns to ms");
    assert_eq!(
        e.metrics["benchmark_name.throughput"].direction,
        Some(Direction::Higher)
    );
    close(
        value(&e, "/bin/sh -c ./my_build_script.sh.build-time"),
        87_000.0,
        "s to ms",
    );
    assert_eq!(e.metrics["my_binary.file-size"].unit, PerfUnit::Bytes);
}
