//! End-to-end tests of the performance gate: `check` on load-test results and a baseline,
//! `inspect perf`, `perf baseline promote` and `explain performance.<metric>`.

// Helpers outside #[test] functions are test code too.
#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use assert_cmd::Command;
use common::{NOW, Project, check_example, shipgate};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/shipgate-perf/tests/fixtures")
        .join(name)
}

fn example() -> Command {
    let mut cmd = check_example("examples/performance/shipgate.yaml");
    cmd.env_remove("CI_COMMIT_SHA");
    cmd
}

/// A project with `policy` and the example's two runs under `perf/`.
fn with_example_runs(policy: &str) -> Project {
    Project::new(policy)
        .copy(
            "perf/current.jtl",
            Path::new("examples/performance/perf/current.jtl"),
        )
        .copy(
            "perf/baseline.json",
            Path::new("examples/performance/perf/baseline.json"),
        )
}

/// `perf baseline promote RUN --out OUT`, with no commit from the pipeline.
fn promote(run: &Path, out: &Path) -> Command {
    let mut cmd = shipgate();
    cmd.env_remove("CI_COMMIT_SHA")
        .args(["perf", "baseline", "promote"])
        .arg(run)
        .arg("--out")
        .arg(out);
    cmd
}

const POLICY: &str = "\
version: 1
release: {name: shop-api, version: '2.4.0'}
sources:
  performance:
    current:  {format: jmeter, path: perf/current.jtl}
    baseline: {path: perf/baseline.json}
checks:
  performance:
    - {metric: checkout.p95, max: 200ms, max_regression: 10%, min_change: 2ms}
";

// ---- the example --------------------------------------------------------------------------

#[test]
fn the_performance_example_blocks_on_checkout_and_explains_why() {
    let out = example().output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let text = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("performance_example_human", text);
}

#[test]
fn the_performance_example_as_json() {
    let out = example().args(["--format", "json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{id}"))
            .clone()
    };
    let checkout = status("performance.checkout.p95");
    assert_eq!(checkout["status"], "fail");
    assert_eq!(checkout["unit"], "seconds");
    assert_eq!(
        checkout["details"]["significance"]["verdict"],
        "significant"
    );
    assert_eq!(
        checkout["details"]["baseline"]["promoted_from"],
        "perf/baseline-run.jtl"
    );
    assert_eq!(checkout["details"]["baseline"]["commit"], "9c1e2f4");
    let noise = status("performance.search.p99");
    assert_eq!(noise["status"], "pass");
    assert_eq!(
        noise["details"]["significance"]["verdict"],
        "not significant: noise"
    );
    assert_eq!(status("performance.search.p95")["status"], "pass");
    assert_eq!(status("performance.Total.error_rate")["status"], "pass");
    let inputs: Vec<(&str, &str)> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["source"].as_str().unwrap(), i["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        inputs,
        vec![
            ("performance", "perf/current.jtl"),
            ("performance-baseline", "perf/baseline.json")
        ]
    );
}

#[test]
fn a_waiver_accepts_the_regression_and_the_gate_says_ready() {
    let policy = std::fs::read_to_string("examples/performance/shipgate.yaml").unwrap()
        + "\nwaivers:\n  - check: performance.checkout.p95\n    reason: SHOP-77 the new fraud check is worth 15ms; a cache lands in 2.4.1\n    approved_by: cto@shop.example\n    expires: 2026-12-31\n";
    with_example_runs(&policy)
        .check()
        .assert()
        .code(0)
        .stdout(predicate::str::contains("WAIVED"));
}

// ---- missing and unreadable evidence ------------------------------------------------------

#[test]
fn missing_results_block_with_exit_1_and_name_the_file() {
    let p = Project::new(POLICY).copy(
        "perf/baseline.json",
        Path::new("examples/performance/perf/baseline.json"),
    );
    p.check().assert().code(1).stdout(predicate::str::contains(
        "the load-test results `perf/current.jtl` do not exist",
    ));
}

#[test]
fn an_unreadable_baseline_is_exit_4() {
    let p = Project::new(POLICY)
        .copy(
            "perf/current.jtl",
            Path::new("examples/performance/perf/current.jtl"),
        )
        .file(
            "perf/baseline.json",
            b"{\"shipgate_perf_baseline\": 1, \"metrics\": ",
        );
    p.check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains("perf/baseline.json"));
}

#[test]
fn a_metric_the_baseline_lacks_blocks_and_names_the_baseline() {
    with_example_runs(&POLICY.replace("checkout.p95", "checkout.p97"))
        .check()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("has no metric `checkout.p97`"));
}

#[test]
fn a_limit_in_the_wrong_unit_is_a_policy_error_with_its_line() {
    let p = Project::new(&POLICY.replace("max: 200ms", "max: 2%"));
    shipgate()
        .args(["validate", "--policy"])
        .arg(p.policy())
        .assert()
        .code(3)
        .stderr(predicate::str::contains(":9:"))
        .stderr(predicate::str::contains(
            "`2%` is a percentage, but the metric is a duration",
        ));
}

// ---- explain ------------------------------------------------------------------------------

#[test]
fn explain_knows_every_performance_id() {
    shipgate()
        .args(["explain", "performance.http_req_duration.p95"])
        .assert()
        .code(0)
        .stdout(predicate::str::starts_with(
            "performance.http_req_duration.p95 (performance.<metric>) — ",
        ))
        .stdout(predicate::str::contains("Mann–Whitney U"));
    shipgate()
        .args(["explain"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("performance.<metric>"));
}

// ---- inspect perf -------------------------------------------------------------------------

#[test]
fn inspect_perf_lists_the_metrics() {
    shipgate()
        .args(["inspect", "perf"])
        .arg(fixture("k6-summary-export.json"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("k6 --summary-export JSON"))
        .stdout(predicate::str::contains("http_req_duration.p95"))
        .stdout(predicate::str::contains("2 passed, 0 failed"));
    let out = shipgate()
        .args(["inspect", "perf", "--format", "json"])
        .arg(fixture("jmeter-2.13-default.jtl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["provenance"]["tool"], "Apache JMeter");
    assert!(
        v["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "Total.p95"
                && m["requests"]["total"] == 360
                && m["requests"]["basis"] == "successful"
                && m["samples"] == 360 - m["requests"]["failed"].as_u64().unwrap())
    );
}

/// A run whose every request failed (connection refused in a millisecond) must not pass a
/// latency limit it is far within: real Locust 2.47 output.
#[test]
fn a_run_whose_every_request_failed_blocks_a_latency_check() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("locust-2.47-refused_stats.csv"),
        dir.path().join("stats.csv"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("shipgate.yaml"),
        "version: 1\nrelease: {name: shop}\nsources:\n  performance:\n    current: {path: stats.csv}\nchecks:\n  performance:\n    - {metric: Aggregated.p95, max: 300ms}\n",
    )
    .unwrap();
    let out = shipgate()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--now", "2026-11-24T10:00:00Z"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = &v["checks"][0];
    assert_eq!(c["status"], "fail");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("of requests that all failed (3,508 of 3,508)"),
        "{c}"
    );
}

/// A gate on one file, with one performance check; the run's exit code and JSON report.
fn gate_on(file: &str, as_name: &str, check: &str) -> (Option<i32>, Value) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture(file), dir.path().join(as_name)).unwrap();
    std::fs::write(
        dir.path().join("shipgate.yaml"),
        format!("version: 1\nrelease: {{name: shop}}\nsources:\n  performance:\n    current: {{path: {as_name}}}\nchecks:\n  performance:\n    - {check}\n"),
    )
    .unwrap();
    let out = shipgate()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--now", "2026-11-24T10:00:00Z"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), v)
}

/// A current Gatling's only output, the binary simulation.log, gates end to end: its
/// successful requests are within the limit (1 of 105 failed).
#[test]
fn a_gatling_binary_log_gates_end_to_end() {
    let (code, v) = gate_on(
        "gatling-3.12.1-simulation.log",
        "simulation.log",
        "{metric: All Requests.p95, max: 400ms, max_failed_share: 1%}",
    );
    assert_eq!(code, Some(0), "{v}");
    let (code, v) = gate_on(
        "gatling-3.12.1-simulation.log",
        "simulation.log",
        "{metric: All Requests.p95, max: 300ms, max_failed_share: 1%}",
    );
    assert_eq!(code, Some(1), "{v}");
    shipgate()
        .args(["inspect", "perf"])
        .arg(fixture("gatling-3.12.1-simulation.log"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Gatling simulation.log (binary)"))
        .stdout(predicate::str::contains("All Requests.p95"));
}

/// READY-risk: a Locust `--json` run whose every request was refused (real Locust 2.47
/// output) is far within the latency limit; it must block.
#[test]
fn a_locust_json_run_whose_every_request_failed_blocks() {
    let (code, v) = gate_on(
        "locust-2.47-refused.json",
        "locust.json",
        "{metric: Aggregated.p95, max: 300ms}",
    );
    assert_eq!(code, Some(1), "{v}");
    assert_eq!(v["checks"][0]["status"], "fail", "{v}");
    let (code, v) = gate_on(
        "locust-2.47-run.json",
        "locust.json",
        "{metric: Aggregated.p95, max: 300ms, max_failed_share: 5%}",
    );
    assert_eq!(code, Some(0), "{v}");
}

/// k6 `--out json` does not write a submetric's thresholds: inspect says which cannot be
/// verified, and promote refuses the run unless forced.
#[test]
fn k6_out_json_submetric_thresholds_are_not_verifiable() {
    shipgate()
        .args(["inspect", "perf"])
        .arg(fixture("k6-out.ndjson"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 not verifiable from this file"))
        .stdout(predicate::str::contains(
            "not verifiable: http_req_duration{expected_response:true}",
        ));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.json");
    promote(&fixture("k6-out.ndjson"), &out)
        .args(["--now", NOW])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot be verified"))
        .stderr(predicate::str::contains("--force"));
    assert!(!out.exists(), "nothing written");
    promote(&fixture("k6-out.ndjson"), &out)
        .args(["--now", NOW, "--force"])
        .assert()
        .code(0);
    let snapshot: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(snapshot["provenance"]["forced"], true);
}

#[test]
fn inspect_perf_exit_codes() {
    shipgate()
        .args(["inspect", "perf", "no/such/file.json"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no/such/file.json"));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"metrics\": [1]}").unwrap();
    shipgate()
        .args(["inspect", "perf"])
        .arg(&bad)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("to fix:"));
    shipgate()
        .args(["inspect", "perf", "--input-format", "locust"])
        .arg(fixture("k6-out.ndjson"))
        .assert()
        .code(4)
        .stderr(predicate::str::contains(
            "it looks like k6 `--out json` output",
        ));
    shipgate()
        .args(["inspect", "perf", "--input-format", "jtl"])
        .arg(fixture("k6-out.ndjson"))
        .assert()
        .code(2);
}

// ---- perf baseline promote ----------------------------------------------------------------

#[test]
fn promote_writes_a_snapshot_the_gate_reads_as_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("perf/baseline.json");
    promote(&fixture("jmeter-2.13-header.jtl"), &out)
        .args([
            "--release-version",
            "2.3.0",
            "--commit",
            "9c1e2f4",
            "--now",
            NOW,
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("44 metrics (32 with raw samples)"))
        .stdout(predicate::str::contains("release 2.3.0, commit 9c1e2f4"));
    let first = std::fs::read(&out).unwrap();
    let snapshot: Value = serde_json::from_slice(&first).unwrap();
    assert_eq!(snapshot["shipgate_perf_baseline"], 1);
    assert_eq!(snapshot["provenance"]["promoted_at"], NOW);
    assert_eq!(snapshot["provenance"]["commit"], "9c1e2f4");
    assert_eq!(snapshot["provenance"]["forced"], false);
    // Promoting the same run the same way writes the same bytes.
    promote(&fixture("jmeter-2.13-header.jtl"), &out)
        .args([
            "--release-version",
            "2.3.0",
            "--commit",
            "9c1e2f4",
            "--now",
            NOW,
        ])
        .assert()
        .code(0);
    assert_eq!(std::fs::read(&out).unwrap(), first);
    shipgate()
        .args(["inspect", "perf"])
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "baseline promoted 2026-11-24T10:00:00Z",
        ));
}

#[test]
fn promote_takes_the_commit_and_release_from_the_pipeline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.json");
    promote(&fixture("k6-handle-summary.json"), &out)
        .env("GITHUB_SHA", "abc1234")
        .env("RELEASE_VERSION", "2.5.0")
        .args(["--now", NOW])
        .assert()
        .code(0);
    let snapshot: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(snapshot["provenance"]["commit"], "abc1234");
    assert_eq!(snapshot["provenance"]["release_version"], "2.5.0");
}

#[test]
fn promote_refuses_a_run_that_failed_its_own_thresholds_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.json");
    promote(&fixture("k6-summary-export-failed-threshold.json"), &out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("http_req_duration: p(99)<40"))
        .stderr(predicate::str::contains("--force"));
    assert!(!out.exists(), "nothing written");
    promote(&fixture("k6-summary-export-failed-threshold.json"), &out)
        .arg("--force")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("FORCED"));
    let snapshot: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(snapshot["provenance"]["forced"], true);
}

#[test]
fn promote_refuses_what_is_not_a_good_run() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.json");
    promote(Path::new("missing.jtl"), &out).assert().code(1);
    let empty = dir.path().join("empty.jtl");
    std::fs::write(&empty, "timeStamp,elapsed,label,success\n").unwrap();
    promote(&empty, &out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("holds no samples"));
    promote(Path::new("examples/performance/perf/baseline.json"), &out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already a baseline snapshot"));
    assert!(!out.exists());
}
