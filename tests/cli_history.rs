//! `shipgate backtest`, `shipgate history`, `shipgate html` and the charts, end to end, on the
//! recorded releases of `examples/history/`.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::shipgate;
use serde_json::Value;
use std::path::Path;

const POLICY: &str = "examples/history/stricter.yaml";
const RECORDS: &str = "examples/history/records";
const DEFECTS: &str = "examples/history/defects.json";

/// version, recorded decision, decision, changed checks, leaked defects.
type Row = (String, String, String, Vec<String>, Vec<String>);

fn backtest_json(records: &str) -> (Value, i32) {
    let out = shipgate()
        .args([
            "backtest",
            "--policy",
            POLICY,
            "--records",
            records,
            "--defects",
            DEFECTS,
        ])
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (json, out.status.code().unwrap())
}

/// The README's example, checked by hand against examples/history/regenerate.sh and
/// defects.json: 1.1.0 (one test failed: 95.7% < 98%) leaked PAY-301 and 1.2.0 (a payment test
/// failed, a login test skipped) leaked PAY-305 and PAY-306 — both caught; 1.3.0 passed
/// everything and leaked PAY-312 — missed; 1.4.0 failed the pass rate and leaked nothing — a
/// false alarm; 1.0.0 and 1.5.0 pass and leaked nothing.
#[test]
fn the_example_backtest_gives_the_answer_worked_out_by_hand() {
    let (json, code) = backtest_json(RECORDS);
    assert_eq!(code, 0, "{json:#}");
    assert_eq!(json["schema_version"], 1);
    let rows: Vec<Row> = json["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let strings = |v: &Value| -> Vec<String> {
                v.as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap().to_owned())
                    .collect()
            };
            (
                r["version"].as_str().unwrap().to_owned(),
                r["recorded_decision"].as_str().unwrap().to_owned(),
                r["decision"].as_str().unwrap().to_owned(),
                strings(&r["changed_checks"]),
                strings(&r["production_defects_introduced"]),
            )
        })
        .collect();
    let row = |v: &str, d: &str, changed: &[&str], leaked: &[&str]| {
        (
            v.to_owned(),
            "ready".to_owned(),
            d.to_owned(),
            changed.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
            leaked.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        )
    };
    let cp = "critical-paths.passed";
    let pr = "regression.pass-rate";
    assert_eq!(
        rows,
        [
            row("1.0.0", "ready", &[cp], &[]),
            row("1.1.0", "blocked", &[pr, cp], &["PAY-301"]),
            row("1.2.0", "blocked", &[pr, cp], &["PAY-305", "PAY-306"]),
            row("1.3.0", "ready", &[cp], &["PAY-312"]),
            row("1.4.0", "blocked", &[pr, cp], &[]),
            row("1.5.0", "ready", &[cp], &[]),
        ]
    );
    let s = &json["summary"];
    assert_eq!(
        [
            &s["blocked_and_leaked"],
            &s["ready_and_leaked"],
            &s["blocked_and_clean"],
            &s["ready_and_clean"]
        ],
        [2, 1, 1, 2]
    );
    // 1.2.0 is blocked by the critical path too: the refund test failed, the login test skipped.
    let r120 = &json["releases"][2];
    assert_eq!(r120["blocking_checks"], serde_json::json!([pr, cp]));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// 1.1.0's recorded JUnit edited so that its failure is gone: the record no longer matches its
/// manifest, it is unusable, its leaked defect is joined with nothing, and the backtest exits 4.
#[test]
fn a_tampered_record_makes_the_backtest_incomplete_and_exit_4() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(Path::new(RECORDS), dir.path());
    let stored = dir
        .path()
        .join("1.1.0/evidence/files/tests/reports/pytest.xml.recorded");
    let text = std::fs::read_to_string(&stored).unwrap();
    let start = text.find("<failure").unwrap();
    let end = text[start..].find("</failure>").unwrap() + start + "</failure>".len();
    std::fs::write(&stored, format!("{}{}", &text[..start], &text[end..])).unwrap();
    let (json, code) = backtest_json(&dir.path().display().to_string());
    assert_eq!(code, 4);
    assert_eq!(json["releases"][1]["version"], "1.1.0");
    assert_eq!(json["releases"][1]["decision"], "unusable");
    assert_eq!(json["summary"]["unusable"], 1);
    assert_eq!(json["summary"]["blocked_and_leaked"], 1);
    assert_eq!(json["unmatched_defects"][0]["key"], "PAY-301");

    let out = shipgate()
        .args(["history", "--records", &dir.path().display().to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("6 records, 5 verified, 1 unusable"), "{text}");
    assert!(text.contains("changed after it was written"), "{text}");
}

#[test]
fn history_lists_the_records() {
    let out = shipgate()
        .args(["history", "--records", RECORDS])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("1.2.0        7f4e0c3b  2026-08-26T10:00:00Z   ready"),
        "{text}"
    );
    assert!(text.contains("6 records, 6 verified"), "{text}");
    let out = shipgate()
        .args([
            "history",
            "--records",
            "examples/history/records/1.*",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["records"].as_array().unwrap().len(), 6);
    assert_eq!(json["records"][0]["version"], "1.0.0");
    assert_eq!(json["records"][0]["verified"], true);
}

#[test]
fn a_backtest_needs_records_and_defects() {
    let dir = tempfile::tempdir().unwrap();
    let out = shipgate()
        .args([
            "backtest",
            "--policy",
            POLICY,
            "--defects",
            DEFECTS,
            "--records",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("failed to find a release record"));
    // The policy has no defect source and no file is given: nothing could be joined.
    let out = shipgate()
        .args(["backtest", "--policy", POLICY, "--records", RECORDS])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no `--defects FILE` was given"));
}

#[test]
fn backtest_markdown_and_html_carry_the_summary_chart() {
    let run = |format: &str| {
        let out = shipgate()
            .args([
                "backtest",
                "--policy",
                POLICY,
                "--records",
                RECORDS,
                "--defects",
                DEFECTS,
            ])
            .args(["--format", format])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let md = run("markdown");
    assert!(md.contains("```mermaid\nxychart-beta\n"), "{md}");
    assert!(md.contains("bar [2, 1, 1, 2, 0, 0]"), "{md}");
    assert!(md.contains("| 1.3.0 |"), "{md}");
    let html = run("html");
    assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
    assert!(html.contains("data-chart=\"backtest\""));
    assert!(html.contains("<svg"));
    assert!(!html.contains("<script"));
}

/// `check --report-dir` writes report.html: the decision, every check, and the history chart;
/// `shipgate html` writes the same page from report.json.
#[test]
fn check_writes_a_self_contained_html_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = shipgate()
        .args([
            "check",
            "--policy",
            "examples/flaky/shipgate.yaml",
            "--report-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(
        html.contains("id=\"decision\" class=\"decision blocked\">BLOCKED<"),
        "{html}"
    );
    assert!(html.contains("data-check=\"flaky.rate\""));
    assert!(html.contains("data-chart=\"history\""));
    assert!(html.contains("Pass rate and flaky rate across the runs"));
    assert!(!html.contains("<script"));
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("xychart-beta"), "{md}");

    let page = dir.path().join("again.html");
    let out = shipgate()
        .arg("html")
        .arg(dir.path())
        .arg("-o")
        .arg(&page)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&page).unwrap(), html);
}

#[test]
fn html_refuses_what_is_not_a_report() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("report.json"), "{\"decision\": \"ready\"}").unwrap();
    let out = shipgate().arg("html").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(out.stdout.is_empty());
}

#[test]
fn performance_metrics_are_charted_against_their_baseline() {
    let out = shipgate()
        .args([
            "check",
            "--policy",
            "examples/performance/shipgate.yaml",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains("title \"checkout.p95: baseline and this run\""),
        "{md}"
    );
    assert!(
        md.contains("x-axis [\"baseline 2.3.0\", \"this run (fail)\"]"),
        "{md}"
    );
}

#[test]
fn leakage_markdown_draws_the_trend_against_5_and_2_percent() {
    let out = shipgate()
        .args([
            "leakage",
            "--policy",
            "examples/defects/shipgate.yaml",
            "--now",
            "2026-11-24T10:00:00Z",
        ])
        .args(["--window", "365d", "--by", "month", "--format", "markdown"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("xychart-beta"), "{md}");
    assert!(md.contains("line [5, 5"), "{md}");
    assert!(md.contains("line [2, 2"), "{md}");
    assert!(md.contains("level line: 5% (mature teams)"), "{md}");
}

#[test]
fn leakage_html_is_one_page_with_the_chart() {
    let out = shipgate()
        .args([
            "leakage",
            "--policy",
            "examples/defects/shipgate.yaml",
            "--now",
            "2026-11-24T10:00:00Z",
        ])
        .args([
            "--window",
            "365d",
            "--by",
            "introduced-in",
            "--format",
            "html",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let html = String::from_utf8(out.stdout).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("data-chart=\"leakage\""));
    assert!(html.contains("Defect leakage by release introduced in"));
    assert!(!html.contains("<script"));
}
