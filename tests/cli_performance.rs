//! End-to-end tests of the performance gate: `check` on load-test results and a baseline,
//! `inspect perf`, `perf baseline promote` and `explain performance.<metric>`.

// Helpers outside #[test] functions are test code too.
#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

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

/// The example baseline's one kept run, as named beside its manifest.
const EXAMPLE_RUN: &str = "perf/baseline.runs/60576b4901a38be8-baseline-run.jtl";

/// A project with `policy`, the example's current run and its baseline (the manifest and the
/// run kept beside it) under `perf/`.
fn with_example_runs(policy: &str) -> Project {
    with_example_baseline(Project::new(policy)).copy(
        "perf/current.jtl",
        Path::new("examples/performance/perf/current.jtl"),
    )
}

fn with_example_baseline(p: Project) -> Project {
    p.copy(
        "perf/baseline.json",
        Path::new("examples/performance/perf/baseline.json"),
    )
    .copy(
        EXAMPLE_RUN,
        &Path::new("examples/performance").join(EXAMPLE_RUN),
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
        checkout["details"]["judgement"]["reason"],
        "a baseline of one run"
    );
    let run = &checkout["details"]["baseline"]["runs"][0];
    assert_eq!(run["file"], EXAMPLE_RUN);
    assert_eq!(run["promoted_from"], "perf/baseline-run.jtl");
    assert_eq!(run["commit"], "9c1e2f4");
    assert_eq!(status("performance.search.p99")["status"], "pass");
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
            ("performance-baseline", "perf/baseline.json"),
            ("performance-baseline", EXAMPLE_RUN),
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
    let p = with_example_baseline(Project::new(POLICY));
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
            b"{\"shipgate_perf_baseline\": 2, \"runs\": ",
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
        .stdout(predicate::str::contains("t-test over the baseline's runs"));
    shipgate()
        .args(["explain"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("performance.<metric>"));
}

// ---- inspect perf -------------------------------------------------------------------------

/// `inspect perf` on a baseline of several runs listed each run (it refused the manifest: "a
/// baseline of 2 runs, not the results of one run"): each with its kept file, release and
/// times, the figures side by side with their mean; a run that no longer matches its hash is
/// still refused.
#[test]
fn inspect_perf_lists_the_runs_of_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("baseline.json");
    promote(&fixture("jmeter-2.13-default.jtl"), &out)
        .args([
            "--now",
            "2026-11-24T10:00:00Z",
            "--release-version",
            "2.3.0",
        ])
        .assert()
        .code(0);
    promote(&fixture("jmeter-2.13-header.jtl"), &out)
        .args([
            "--now",
            "2026-11-25T10:00:00Z",
            "--release-version",
            "2.3.1",
        ])
        .assert()
        .code(0);
    shipgate()
        .args(["inspect", "perf"])
        .arg(&out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("shipgate baseline of 2 runs"))
        .stdout(predicate::str::contains("-jmeter-2.13-default.jtl`"))
        .stdout(predicate::str::contains("-jmeter-2.13-header.jtl`"))
        .stdout(predicate::str::contains("release 2.3.0"))
        .stdout(predicate::str::contains("release 2.3.1"))
        .stdout(predicate::str::contains("promoted 2026-11-25T10:00:00Z"))
        .stdout(predicate::str::contains("ran 2026-11-24T01:31:53.084Z"))
        .stdout(predicate::str::is_match(r"checkout\.p95 +43\.2ms +47\.1ms +45\.1ms").unwrap());
    let json = shipgate()
        .args(["inspect", "perf", "--format", "json"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&json.stdout).unwrap();
    let runs = v["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["provenance"]["release_version"], "2.3.1");
    assert!(runs[0]["file"].as_str().unwrap().contains(".runs/"));
    assert!(
        runs[0]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "checkout.p95")
    );
    // The runs are checked as the gate checks them.
    let kept = std::fs::read_dir(dir.path().join("baseline.runs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("default.jtl"))
        .unwrap();
    let mut bytes = std::fs::read(&kept).unwrap();
    bytes.push(b'\n');
    std::fs::write(&kept, bytes).unwrap();
    shipgate()
        .args(["inspect", "perf"])
        .arg(&out)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("is not the one that was promoted"));
}

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

/// A k6 `--out json` file whose submetric is declared without a name is unreadable (exit 4),
/// with the line, for `inspect perf`, `promote` and the gate alike: skipped, the submetric would
/// not be listed as unverifiable and promote would call the run clean.
#[test]
fn k6_out_json_with_a_nameless_submetric_is_unreadable_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run.json");
    std::fs::write(
        &run,
        concat!(
            r#"{"type":"Metric","data":{"name":"http_req_duration","type":"trend","contains":"time","thresholds":[],"submetrics":[{"suffix":"scenario:checkout","tags":{"scenario":"checkout"}}]},"metric":"http_req_duration"}"#,
            "\n",
            r#"{"type":"Point","data":{"time":"2026-11-20T10:00:00Z","value":120,"tags":{"scenario":"checkout","expected_response":"true"}},"metric":"http_req_duration"}"#,
            "\n"
        ),
    )
    .unwrap();
    shipgate()
        .args(["inspect", "perf"])
        .arg(&run)
        .assert()
        .code(4)
        .stderr(predicate::str::contains("line 1"))
        .stderr(predicate::str::contains("has no name"));
    promote(&run, &dir.path().join("baseline.json"))
        .args(["--now", "2026-11-24T10:00:00Z", "--force"])
        .assert()
        .code(4)
        .stderr(predicate::str::contains("has no name"));
    assert!(!dir.path().join("baseline.json").exists());
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
    let manifest: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(manifest["runs"][0]["forced"], true, "{manifest}");
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
fn promote_adds_runs_to_a_baseline_the_gate_reads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("perf/baseline.json");
    let args = [
        "--release-version",
        "2.3.0",
        "--commit",
        "9c1e2f4",
        "--now",
        NOW,
    ];
    promote(&fixture("jmeter-2.13-header.jtl"), &out)
        .args(args)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("1 of at most 5 runs"))
        .stdout(predicate::str::contains("release 2.3.0, commit 9c1e2f4"))
        .stdout(predicate::str::contains(
            "a baseline of one run cannot tell noise from a regression",
        ));
    let manifest: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(manifest["shipgate_perf_baseline"], 2);
    assert_eq!(manifest["runs"][0]["promoted_at"], NOW);
    assert_eq!(manifest["runs"][0]["commit"], "9c1e2f4");
    assert_eq!(manifest["runs"][0]["forced"], false);
    // The same run again would count twice.
    promote(&fixture("jmeter-2.13-header.jtl"), &out)
        .args(args)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already in the baseline"));
    promote(&fixture("jmeter-2.13-default.jtl"), &out)
        .args(["--keep", "3", "--now", NOW])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("2 of at most 3 runs"));
    let manifest: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(manifest["keep"], 3);
    assert_eq!(manifest["runs"].as_array().unwrap().len(), 2);
    // A baseline of one run reads as that run.
    let single = dir.path().join("single/baseline.json");
    promote(&fixture("jmeter-2.13-header.jtl"), &single)
        .args(args)
        .assert()
        .code(0);
    shipgate()
        .args(["inspect", "perf"])
        .arg(&single)
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
    let manifest: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(manifest["runs"][0]["commit"], "abc1234");
    assert_eq!(manifest["runs"][0]["release_version"], "2.5.0");
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
    let manifest: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(manifest["runs"][0]["forced"], true);
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
        .stderr(predicate::str::contains("already a baseline"));
    promote(&fixture("locust-2.47-refused_stats.csv"), &out)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("succeeded"));
    assert!(!out.exists());
}

// ---- tamper-evident baselines -------------------------------------------------------------

/// Every `elapsed` of a JMeter CSV scaled by `factor`: the run stays consistent with itself.
fn scaled_jtl(text: &str, factor: f64) -> String {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push(line.to_owned());
            continue;
        }
        let mut fields: Vec<String> = line.split(',').map(str::to_owned).collect();
        let elapsed: f64 = fields[1].parse().unwrap();
        fields[1] = format!("{}", (elapsed * factor).round());
        out.push(fields.join(","));
    }
    format!("{}\n", out.join("\n"))
}

/// The attack of issue 12: the baseline's run made 50% slower, values and samples together, so
/// that a 50% slower release would pass. The run no longer matches the hash promote recorded:
/// exit 4, the file named, and how to recover.
#[test]
fn a_baseline_edited_consistently_after_promotion_is_exit_4() {
    let text =
        std::fs::read_to_string(Path::new("examples/performance").join(EXAMPLE_RUN)).unwrap();
    let p = with_example_runs(POLICY).file(EXAMPLE_RUN, scaled_jtl(&text, 1.5).as_bytes());
    p.check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains(EXAMPLE_RUN))
        .stdout(predicate::str::contains("is not the one that was promoted"))
        .stdout(predicate::str::contains("promote the run again"));
}

#[test]
fn a_version_1_baseline_is_refused_with_how_to_promote_again() {
    let v1 = br#"{"shipgate_perf_baseline": 1, "written_by": "shipgate 0.1.0", "provenance": {}, "thresholds": {"state": "not_recorded"}, "metrics": {"checkout.p95": {"unit": "ms", "direction": "lower", "value": 90.0}}, "series": {}}"#;
    let p = Project::new(POLICY)
        .copy(
            "perf/current.jtl",
            Path::new("examples/performance/perf/current.jtl"),
        )
        .file("perf/baseline.json", v1);
    p.check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains("perf/baseline.json"))
        .stdout(predicate::str::contains("version 1 baselines"))
        .stdout(predicate::str::contains("shipgate perf baseline promote"));
}

#[test]
fn a_baseline_older_than_max_age_blocks() {
    let policy = POLICY.replace(
        "baseline: {path: perf/baseline.json}",
        "baseline: {path: perf/baseline.json, max_age: 1h}",
    );
    // The example's run is from 2026-11-24T01:32Z, evaluated at 10:00Z: too old for an hour.
    with_example_runs(&policy)
        .check()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("is too old"))
        .stdout(predicate::str::contains("more than `max_age` (1h)"));
    with_example_runs(&policy.replace("max_age: 1h", "max_age: 1d"))
        .check()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("is too old").not());
}

#[test]
fn a_baseline_measured_by_another_tool_blocks_unless_the_policy_says_it_is_intended() {
    let dir = tempfile::tempdir().unwrap();
    let policy = "version: 1\nrelease: {name: shop}\nsources:\n  performance:\n    current: {path: current.jtl}\n    baseline: {path: baseline.json}\nchecks:\n  performance:\n    - {metric: checkout.error_rate, max_regression: 10%, min_change: 50%}\n";
    std::fs::write(dir.path().join("shipgate.yaml"), policy).unwrap();
    std::fs::copy(
        "examples/performance/perf/current.jtl",
        dir.path().join("current.jtl"),
    )
    .unwrap();
    // A Locust run as the baseline, its request named as JMeter's label (Locust names it by
    // its path): the same metric name, measured by another tool.
    let locust = std::fs::read_to_string(fixture("locust-2.47-stats.csv"))
        .unwrap()
        .replace(",/checkout,", ",checkout,");
    std::fs::write(dir.path().join("locust_stats.csv"), locust).unwrap();
    promote(
        &dir.path().join("locust_stats.csv"),
        &dir.path().join("baseline.json"),
    )
    .args(["--now", NOW])
    .assert()
    .code(0);
    let check = || {
        let mut c = shipgate();
        c.current_dir(dir.path())
            .args(["check", "--now", NOW, "--format", "json"]);
        c
    };
    let out = check().output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let msg = v["checks"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("measured by Apache JMeter, the baseline `baseline.json` by Locust"),
        "{msg}"
    );
    std::fs::write(
        dir.path().join("shipgate.yaml"),
        policy.replace(
            "    baseline: {path: baseline.json}\n",
            "    baseline: {path: baseline.json}\n    compare_across_tools: true\n",
        ),
    )
    .unwrap();
    let out = check().output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !v["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("measured by"),
        "{v}"
    );
    assert_eq!(out.status.code(), Some(0), "{v}");
}

/// READY-risk (and its converse): a baseline promoted from Locust's `_stats_history.csv` is
/// held to `max_age` by the time its own file gives (its first row, 2026-12-07T20:31:52Z):
/// within a day it is used, three days on it is too old and the check blocks.
#[test]
fn a_baseline_of_locust_history_runs_is_held_to_max_age() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("locust-2.47-run_stats_history.csv"),
        dir.path().join("run_stats_history.csv"),
    )
    .unwrap();
    promote(
        &dir.path().join("run_stats_history.csv"),
        &dir.path().join("baseline.json"),
    )
    .args(["--now", "2026-12-07T21:00:00Z"])
    .assert()
    .code(0);
    std::fs::write(
        dir.path().join("shipgate.yaml"),
        "version: 1\nrelease: {name: shop}\nsources:\n  performance:\n    current: {path: run_stats_history.csv}\n    baseline: {path: baseline.json, max_age: 1d}\nchecks:\n  performance:\n    - {metric: Aggregated.avg, max_regression: 10%, max_failed_share: 5%}\n",
    )
    .unwrap();
    let check = |now: &str| {
        let out = shipgate()
            .current_dir(dir.path())
            .args(["check", "--now", now, "--format", "json"])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        (out.status.code(), v)
    };
    let (code, v) = check("2026-12-07T22:00:00Z");
    let msg = v["checks"][0]["message"].as_str().unwrap().to_owned();
    assert!(
        !msg.contains("too old") && !msg.contains("do not say when"),
        "{v}"
    );
    assert_eq!(v["checks"][0]["status"], "pass", "{v}");
    assert_eq!(code, Some(0), "{v}");
    let (code, v) = check("2026-12-10T22:00:00Z");
    assert_eq!(code, Some(1), "{v}");
    let msg = v["checks"][0]["message"].as_str().unwrap();
    assert!(msg.contains("is too old"), "{msg}");
    assert!(msg.contains("2026-12-07T20:31:52Z"), "{msg}");
}
