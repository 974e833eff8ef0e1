//! End-to-end tests of several current runs of a release judged together
//! (`sources.performance.current.runs`, decision 0028): the policy shape the decision-quality
//! benchmark writes, and the ways such a gate could say READY when it should not.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::{NOW, Project, shipgate};
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

/// A Locust `--csv` stats file of one run whose `/checkout` p95 is `p95` ms, with `failures`
/// of 1,000 requests failed. The other percentiles follow it, so the file is consistent.
fn locust(p95: u32, failures: u32) -> String {
    let at = |f: f64| (f64::from(p95) * f).round() as u32;
    let row = |kind: &str, name: &str| {
        format!(
            "{kind},{name},1000,{failures},{med},{avg},{min},{max},12.0,100.0,{fps},{med},{p66},{p75},{p80},{p90},{p95},{p98},{p99},{p999},{max},{max}\n",
            med = at(0.7),
            avg = f64::from(at(0.72)),
            min = f64::from(at(0.3)),
            max = at(1.5),
            fps = f64::from(failures) / 10.0,
            p66 = at(0.75),
            p75 = at(0.8),
            p80 = at(0.85),
            p90 = at(0.9),
            p98 = at(1.1),
            p99 = at(1.2),
            p999 = at(1.4),
        )
    };
    format!(
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n{}{}",
        row("GET", "/checkout"),
        row("", "Aggregated")
    )
}

/// The policy the decision-quality benchmark writes, with the runs' files and a check.
fn policy(runs: &str, check: &str) -> String {
    format!(
        "version: 1\nrelease: {{name: shop, version: '2.4.0'}}\nsources:\n  performance:\n    current: {{format: locust, runs: {runs}}}\n    baseline: {{path: baseline.json}}\nchecks:\n  performance:\n    - {check}\n"
    )
}

const THREE: &str = "[current-0_stats.csv, current-1_stats.csv, current-2_stats.csv]";
const REGRESSION: &str = "{metric: /checkout.p95, max_regression: 10%}";

/// A project with a baseline of five steady runs (p95 98 to 102 ms) promoted into
/// `baseline.json`, and the current runs of `p95s` (each with `failures` of 1,000).
fn project(policy: &str, current: &[(u32, u32)]) -> Project {
    let mut p = Project::new(policy);
    for (i, p95) in [98, 100, 102, 99, 101].into_iter().enumerate() {
        p = p.file(&format!("base-{i}_stats.csv"), locust(p95, 0).as_bytes());
    }
    let mut promote = shipgate();
    promote
        .current_dir(p.dir.path())
        .args(["perf", "baseline", "promote"])
        .args((0..5).map(|i| format!("base-{i}_stats.csv")))
        .args(["--out", "baseline.json", "--now", NOW, "--format", "locust"])
        .assert()
        .code(0);
    for (i, (p95, failures)) in current.iter().enumerate() {
        p = p.file(
            &format!("current-{i}_stats.csv"),
            locust(*p95, *failures).as_bytes(),
        );
    }
    p
}

fn json(p: &Project) -> (i32, Value) {
    let out = p.check().args(["--format", "json"]).output().unwrap();
    assert!(
        !out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    (out.status.code().unwrap(), report)
}

fn message(report: &Value) -> String {
    report["checks"][0]["message"].as_str().unwrap().to_owned()
}

#[test]
fn one_disturbed_run_of_three_does_not_block_what_one_run_would() {
    // The CPU hog's case: two runs like the baseline and one 38% slower.
    let p = project(&policy(THREE, REGRESSION), &[(100, 0), (101, 0), (138, 0)]);
    let (code, report) = json(&p);
    assert_eq!(code, 0, "{}", message(&report));
    let m = message(&report);
    assert!(m.contains("the median of 3 runs"), "{m}");
    assert!(m.contains("`current-2_stats.csv` 138ms"), "{m}");
    let current = &report["checks"][0]["details"]["current"];
    assert_eq!(current["value"], 101.0);
    assert_eq!(current["runs"].as_array().unwrap().len(), 3);
    assert_eq!(current["runs"][2]["file"], "current-2_stats.csv");
    assert!(current["runs"][2]["requests"]["failed_share"].is_number());
    // The same slow run on its own is a slower release.
    let one = Project::new(
        &policy(THREE, REGRESSION).replace(&format!("runs: {THREE}"), "path: current-2_stats.csv"),
    );
    let one = project_like(one, &p);
    assert_eq!(json(&one).0, 1);
    // Every run is an input with its hash.
    let inputs: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["source"] == "performance")
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        inputs,
        [
            "current-0_stats.csv",
            "current-1_stats.csv",
            "current-2_stats.csv"
        ]
    );
}

/// `fresh` with the files of `from` (the baseline and the runs).
fn project_like(fresh: Project, from: &Project) -> Project {
    let mut p = fresh;
    for entry in walk(from.dir.path()) {
        let rel = entry.strip_prefix(from.dir.path()).unwrap();
        if rel != Path::new("shipgate.yaml") {
            p = p.copy(rel.to_str().unwrap(), &entry);
        }
    }
    p
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

#[test]
fn a_release_slower_in_most_runs_blocks() {
    let p = project(&policy(THREE, REGRESSION), &[(121, 0), (138, 0), (120, 0)]);
    let (code, report) = json(&p);
    assert_eq!(code, 1, "{}", message(&report));
    let judgement = &report["checks"][0]["details"]["judgement"]["test"];
    assert_eq!(judgement["current_runs"], 3);
    assert!(
        (judgement["median_variance"].as_f64().unwrap() - 0.4487).abs() < 1e-3,
        "{judgement}"
    );
}

#[test]
fn a_run_with_failed_requests_blocks_whatever_the_other_runs_say() {
    let p = project(&policy(THREE, REGRESSION), &[(100, 0), (101, 50), (99, 0)]);
    let (code, report) = json(&p);
    assert_eq!(code, 1);
    let m = message(&report);
    assert!(
        m.contains("in run 2 of 3 of the results, `current-1_stats.csv`"),
        "{m}"
    );
    assert!(m.contains("max_failed_share"), "{m}");
}

#[test]
fn an_absolute_limit_holds_for_every_run_not_the_median() {
    let check = "{metric: /checkout.p95, max: 130ms, max_regression: 10%}";
    let p = project(&policy(THREE, check), &[(100, 0), (101, 0), (138, 0)]);
    let (code, report) = json(&p);
    assert_eq!(code, 1, "{}", message(&report));
    let m = message(&report);
    assert!(
        m.contains("the run `current-2_stats.csv` (138ms) is above the maximum of 130ms"),
        "{m}"
    );
    assert_eq!(report["checks"][0]["observed"], 0.138);
    assert_eq!(
        report["checks"][0]["details"]["current"]["highest_run"]["file"],
        "current-2_stats.csv"
    );
}

#[test]
fn an_error_rate_is_judged_on_the_worst_run() {
    let check = "{metric: /checkout.error_rate, max_regression: 10%, min_change: 0.5%}";
    let p = project(&policy(THREE, check), &[(100, 0), (101, 0), (102, 9)]);
    let (code, report) = json(&p);
    assert_eq!(code, 1, "{}", message(&report));
    assert!(message(&report).contains("the worst of 3 runs"));
}

#[test]
fn a_missing_run_is_missing_evidence_that_names_it() {
    let p = project(&policy(THREE, REGRESSION), &[(100, 0), (101, 0)]);
    let (code, report) = json(&p);
    assert_eq!(code, 1);
    let m = message(&report);
    assert!(m.contains("`current-2_stats.csv`"), "{m}");
    assert!(m.contains("1 of the 3 runs"), "{m}");
}

#[test]
fn an_empty_or_cut_run_is_not_left_out() {
    // Empty: a run that measured nothing is missing.
    let p = project(&policy(THREE, REGRESSION), &[(100, 0), (101, 0), (102, 0)])
        .file("current-2_stats.csv", b"");
    let (code, report) = json(&p);
    assert_ne!(code, 0, "{}", message(&report));
    assert!(message(&report).contains("current-2_stats.csv"));
    // Cut halfway through a row: unreadable.
    let text = locust(102, 0);
    let p = project(&policy(THREE, REGRESSION), &[(100, 0), (101, 0)])
        .file("current-2_stats.csv", &text.as_bytes()[..text.len() - 40]);
    let out = p.check().output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("current-2_stats.csv"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn runs_of_another_tool_or_the_same_bytes_twice_are_refused() {
    let jtl = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/shipgate-perf/tests/fixtures/jmeter-2.13-header.jtl");
    let auto = policy(THREE, REGRESSION).replace("format: locust, ", "");
    let p = project(&auto, &[(100, 0), (101, 0)]).copy("current-2_stats.csv", &jtl);
    let out = p.check().output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("different tools"), "{text}");
    assert!(text.contains("current-2_stats.csv"), "{text}");
    // A copy of a fast run under another name, to outvote a slow one.
    let p = project(&policy(THREE, REGRESSION), &[(100, 0), (138, 0), (100, 0)]);
    let first = std::fs::read(p.dir.path().join("current-0_stats.csv")).unwrap();
    let p = p.file("current-2_stats.csv", &first);
    let out = p.check().output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(String::from_utf8_lossy(&out.stdout).contains("are the same file"));
}

#[test]
fn a_run_lacking_the_metric_fails_the_check_and_is_named() {
    let p = project(&policy(THREE, REGRESSION), &[(100, 0), (101, 0), (102, 0)]).file(
        "current-1_stats.csv",
        locust(101, 0).replace("/checkout", "/pay").as_bytes(),
    );
    let (code, report) = json(&p);
    assert_eq!(code, 1);
    let m = message(&report);
    assert!(m.contains("`current-1_stats.csv` lacks it"), "{m}");
    // `on_missing: warn` does not wave it through: the runs are there, not missing.
    let warn = "{metric: /checkout.p95, max_regression: 10%, on_missing: warn}";
    let p = project_like(Project::new(&policy(THREE, warn)), &p);
    assert_eq!(json(&p).0, 1);
}

#[test]
fn runs_that_are_not_several_runs_are_a_policy_error() {
    for (runs, says) in [
        ("[]", "lists 0 files"),
        // The policy reader refuses a key with no value, whatever the key.
        (
            "~",
            "`sources.performance.current.runs`: no value is written here",
        ),
        ("['']", "empty"),
        ("[a_stats.csv]", "lists 1 file"),
        ("[a_stats.csv, a_stats.csv]", "is `runs[0]` again"),
        ("[a_stats.csv, ./a_stats.csv]", "is `runs[0]` again"),
        ("[a_stats.csv, ~]", "runs[1]"),
    ] {
        let p = Project::new(&policy(runs, REGRESSION));
        p.check()
            .assert()
            .code(3)
            .stderr(predicate::str::contains(says));
    }
    let both = policy(THREE, REGRESSION).replace("runs:", "path: a.csv, runs:");
    Project::new(&both)
        .check()
        .assert()
        .code(3)
        .stderr(predicate::str::contains("both `path` and `runs`"));
    let typo = policy(THREE, REGRESSION).replace("runs:", "rusn:");
    Project::new(&typo)
        .check()
        .assert()
        .code(3)
        .stderr(predicate::str::contains("did you mean `runs`"));
}

#[test]
fn the_record_keeps_every_run() {
    let p = project(&policy(THREE, REGRESSION), &[(100, 0), (101, 0), (102, 0)]);
    let out = tempfile::tempdir().unwrap();
    p.check()
        .arg("--report-dir")
        .arg(out.path())
        .assert()
        .code(0);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.path().join("evidence/manifest.json")).unwrap())
            .unwrap();
    let paths: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    for i in 0..3 {
        assert!(
            paths.contains(&format!("current-{i}_stats.csv").as_str()),
            "{paths:?}"
        );
    }
    // The replay reads the copies and decides the same.
    shipgate()
        .args(["check", "--from-snapshot"])
        .arg(out.path())
        .assert()
        .code(0);
}

#[test]
fn promote_takes_several_runs_and_adds_none_when_one_is_refused() {
    let p = project(&policy(THREE, REGRESSION), &[(100, 0), (101, 0), (102, 0)]);
    let manifest = |p: &Project| -> Value {
        serde_json::from_slice(&std::fs::read(p.dir.path().join("baseline.json")).unwrap()).unwrap()
    };
    assert_eq!(manifest(&p)["runs"].as_array().unwrap().len(), 5);
    // The third run is already in the baseline's folder as the first: refused, none added.
    let p = p.file("dup_stats.csv", locust(98, 0).as_bytes());
    shipgate()
        .current_dir(p.dir.path())
        .args(["perf", "baseline", "promote", "current-0_stats.csv"])
        .args([
            "current-1_stats.csv",
            "dup_stats.csv",
            "--out",
            "baseline.json",
        ])
        .args(["--now", NOW, "--keep", "10"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("none of the 3 runs was added"));
    assert_eq!(manifest(&p)["runs"].as_array().unwrap().len(), 5);
    assert_eq!(manifest(&p)["keep"], 5);
    shipgate()
        .current_dir(p.dir.path())
        .args(["perf", "baseline", "promote", "current-0_stats.csv"])
        .args(["current-1_stats.csv", "current-2_stats.csv"])
        .args(["--out", "baseline.json", "--now", NOW, "--fresh"])
        .assert()
        .code(0);
    let runs = manifest(&p)["runs"].as_array().unwrap().clone();
    assert_eq!(runs.len(), 3);
    assert_eq!(runs[0]["promoted_from"], "current-0_stats.csv");
    assert_eq!(runs[2]["promoted_from"], "current-2_stats.csv");
}

#[test]
fn inspect_perf_lists_each_run() {
    let fixtures =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/shipgate-perf/tests/fixtures");
    let out = shipgate()
        .args(["inspect", "perf", "--format", "json"])
        .arg(fixtures.join("locust-2.47-stats.csv"))
        .arg(fixtures.join("locust-2.47-run_stats.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    // One missing file stops it, named.
    shipgate()
        .args(["inspect", "perf"])
        .arg(fixtures.join("locust-2.47-stats.csv"))
        .arg("no-such_stats.csv")
        .assert()
        .failure()
        .stderr(predicate::str::contains("no-such_stats.csv"));
}
