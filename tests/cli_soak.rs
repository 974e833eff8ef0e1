//! End to end, a load-test file whose samples do not fit in the memory shipgate holds them in
//! (`SHIPGATE_SAMPLES_IN_MEMORY`, decision 0029): the gate says what it says of the file held in
//! memory, and a temporary file it cannot write is unreadable evidence (exit 4), never a pass.

// Helpers outside #[test] functions are test code too.
#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common::shipgate;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/shipgate-perf/tests/fixtures")
        .join(name)
}

/// A gate on one k6 `--out json` file with `checks`, holding at most `held` samples in memory
/// (none: the default); its exit code, JSON report and standard error.
fn gate(held: Option<&str>, tmpdir: Option<&Path>, checks: &str) -> (Option<i32>, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("k6-out.ndjson"), dir.path().join("run.ndjson")).unwrap();
    std::fs::write(
        dir.path().join("shipgate.yaml"),
        format!("version: 1\nrelease: {{name: shop}}\nsources:\n  performance:\n    current: {{path: run.ndjson}}\nchecks:\n  performance:\n{checks}"),
    )
    .unwrap();
    let mut cmd = shipgate();
    cmd.current_dir(dir.path())
        .env_remove("SHIPGATE_SAMPLES_IN_MEMORY")
        .args(["check", "--format", "json", "--now", "2026-11-24T10:00:00Z"]);
    if let Some(held) = held {
        cmd.env("SHIPGATE_SAMPLES_IN_MEMORY", held);
    }
    if let Some(tmp) = tmpdir {
        cmd.env("TMPDIR", tmp);
    }
    let out = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The checks of a report, without what names the moment or the run.
fn checks(v: &Value) -> Value {
    v["checks"].clone()
}

const CHECKS: &str = "    - {metric: http_req_duration.p95, max: 1ms}\n    - {metric: http_req_duration.avg, max: 10s}\n    - {metric: http_req_failed.rate, max: 50%}\n";

/// READY-risk: a latency figure computed otherwise once the samples no longer fit in memory
/// (from the part held, a series cut short) could pass a check the file fails. With no sample
/// held, the report is the same, check for check: the p95 over its limit blocks.
#[test]
fn a_file_whose_samples_are_spilled_gates_as_when_they_are_held() {
    let (held_code, held, _) = gate(None, None, CHECKS);
    let (spilled_code, spilled, err) = gate(Some("0"), None, CHECKS);
    assert_eq!(held_code, Some(1), "{held}");
    assert_eq!(spilled_code, held_code, "{err}");
    assert_eq!(checks(&spilled), checks(&held));
    assert_eq!(held["checks"][0]["status"], "fail", "{held}");
}

/// READY-risk: a temporary file that cannot be created or written, swallowed, would leave the
/// statistics of a shorter series. It is unreadable evidence (exit 4) naming the file read and
/// the temporary folder.
#[test]
fn samples_that_cannot_be_spilled_are_exit_4_naming_the_file() {
    let missing = tempfile::tempdir().unwrap().path().join("gone");
    let (code, report, err) = gate(Some("0"), Some(&missing), CHECKS);
    assert_eq!(code, Some(4), "{err}");
    let check = &report["checks"][0];
    assert_eq!(check["status"], "error", "{report}");
    let message = check["message"].as_str().unwrap();
    assert!(message.contains("failed to read `run.ndjson`"), "{message}");
    assert!(message.contains("temporary file"), "{message}");
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
}

/// `inspect perf` counts the samples of a spilled series as those of a held one.
#[test]
fn inspect_perf_counts_the_samples_of_a_spilled_series() {
    let inspect = |held: Option<&str>| {
        let mut cmd = shipgate();
        cmd.env_remove("SHIPGATE_SAMPLES_IN_MEMORY")
            .args(["inspect", "perf", "--format", "json"])
            .arg(fixture("k6-out.ndjson"));
        if let Some(held) = held {
            cmd.env("SHIPGATE_SAMPLES_IN_MEMORY", held);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let (held, spilled) = (inspect(None), inspect(Some("0")));
    assert_eq!(held["metrics"], spilled["metrics"]);
    let p95 = held["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "http_req_duration.p95")
        .unwrap();
    assert!(p95["samples"].as_u64().unwrap() > 0, "{p95}");
}

/// A gate on Gatling's binary `simulation.log` (the 3.12.1 fixture) with `checks`, holding at
/// most `held` samples in memory: its exit code, JSON report and standard error.
fn gate_gatling(held: Option<&str>, tmpdir: Option<&Path>) -> (Option<i32>, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("gatling-3.12.1-simulation.log"),
        dir.path().join("simulation.log"),
    )
    .unwrap();
    // The fixture's p95 is 302.55 ms: a 300 ms limit fails, by a little.
    std::fs::write(
        dir.path().join("shipgate.yaml"),
        "version: 1\nrelease: {name: shop}\nsources:\n  performance:\n    current: {format: gatling, path: simulation.log}\nchecks:\n  performance:\n    - {metric: All Requests.p95, max: 300ms}\n    - {metric: All Requests.error_rate, max: 2%}\n",
    )
    .unwrap();
    let mut cmd = shipgate();
    cmd.current_dir(dir.path())
        .env_remove("SHIPGATE_SAMPLES_IN_MEMORY")
        .args(["check", "--format", "json", "--now", "2026-11-24T10:00:00Z"]);
    if let Some(held) = held {
        cmd.env("SHIPGATE_SAMPLES_IN_MEMORY", held);
    }
    if let Some(tmp) = tmpdir {
        cmd.env("TMPDIR", tmp);
    }
    let out = cmd.output().unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code(),
        v,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// READY-risk: a Gatling log whose samples are spilled giving a lower p95 (of the part held)
/// would pass a limit the run fails by 2.55 ms. Spilled, the report is the same, check for
/// check, and the p95 blocks.
#[test]
fn a_gatling_log_whose_samples_are_spilled_gates_as_when_they_are_held() {
    let (held_code, held, _) = gate_gatling(None, None);
    let (spilled_code, spilled, err) = gate_gatling(Some("0"), None);
    assert_eq!(held_code, Some(1), "{held}");
    assert_eq!(spilled_code, held_code, "{err}");
    assert_eq!(checks(&spilled), checks(&held));
    assert_eq!(held["checks"][0]["status"], "fail", "{held}");
}

/// READY-risk: a Gatling log's samples that cannot be spilled, swallowed, would leave the
/// statistics of a shorter series: unreadable evidence (exit 4) naming the file and the
/// temporary folder.
#[test]
fn gatling_samples_that_cannot_be_spilled_are_exit_4_naming_the_file() {
    let missing = tempfile::tempdir().unwrap().path().join("gone");
    let (code, report, err) = gate_gatling(Some("0"), Some(&missing));
    assert_eq!(code, Some(4), "{err}");
    let check = &report["checks"][0];
    assert_eq!(check["status"], "error", "{report}");
    let message = check["message"].as_str().unwrap();
    assert!(
        message.contains("failed to read `simulation.log`"),
        "{message}"
    );
    assert!(message.contains("temporary file"), "{message}");
    assert!(
        message.contains(&missing.display().to_string()),
        "{message}"
    );
}
