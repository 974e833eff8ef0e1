//! The shared words of a policy (`level`, `on_missing`, `retries`, `kind`, `format`,
//! `direction`) through `shipgate check` end to end: each policy is first shown READY with the
//! word spelled right, then every near miss of the word must make the policy invalid (exit 3),
//! never READY. A word read as the nearest one, or dropped, could switch a check to `warn` or
//! read evidence the wrong way.

use crate::common;

use common::mock::run;
use common::{Project, shipgate};
use std::path::Path;

const PASSING_JUNIT: &str = r#"<testsuite name="s" tests="2"><testcase classname="a" name="one"/><testcase classname="a" name="two"/></testsuite>"#;

const TESTS_POLICY: &str = "\
version: 1
release: {name: demo, version: '1.0'}
sources:
  tests: {junit: [r.xml], retries: per-testcase}
checks:
  regression: {min_pass_rate: 90%, level: error, on_missing: fail}
";

const DEFECTS_FILE: &str = r#"{
  "format": "shipgate-defects",
  "version": 1,
  "source": "file",
  "location": "defects.json",
  "defects": [
    {
      "key": "PAY-1",
      "title": "Refund posted twice",
      "severity": "critical",
      "origin": "production",
      "status": "closed",
      "created": "2026-11-01T09:41:00Z"
    }
  ]
}
"#;

const DEFECTS_POLICY: &str = "\
version: 1
release: {name: demo, version: '1.0'}
sources:
  defects: {kind: file, path: defects.json}
checks:
  defects: {max_open: {critical: 0}}
";

const PERF_POLICY: &str = "\
version: 1
release: {name: demo, version: '1.0'}
sources:
  performance:
    current: {format: jmeter, path: run.jtl}
checks:
  performance:
    - {metric: checkout.p95, max: 60s, direction: lower}
";

fn project(policy: &str) -> Project {
    let jtl = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/performance/perf/current.jtl");
    Project::new(policy)
        .file("r.xml", PASSING_JUNIT.as_bytes())
        .file("defects.json", DEFECTS_FILE.as_bytes())
        .copy("run.jtl", &jtl)
}

/// `policy` is READY as written; with `right` replaced by each of `wrong` it is invalid.
fn near_misses_are_refused(policy: &str, right: &str, wrong: &[&str]) {
    assert!(policy.contains(right), "{right}");
    let ready = run(project(policy).check());
    assert_eq!(
        ready.code, 0,
        "{policy}\n{}\n{}",
        ready.stdout, ready.stderr
    );
    for w in wrong {
        let mutated = policy.replacen(right, w, 1);
        let out = run(project(&mutated).check());
        assert_eq!(
            out.code, 3,
            "`{w}` instead of `{right}` exited {}:\n{}\n{}",
            out.code, out.stdout, out.stderr
        );
    }
}

#[test]
fn a_level_that_is_not_error_or_warn_is_refused_never_read_as_warn() {
    near_misses_are_refused(
        TESTS_POLICY,
        "level: error",
        &[
            "level: Error",
            "level: warning",
            "level: block",
            "level: ''",
        ],
    );
}

#[test]
fn an_on_missing_that_is_not_fail_or_warn_is_refused() {
    near_misses_are_refused(
        TESTS_POLICY,
        "on_missing: fail",
        &["on_missing: skip", "on_missing: Fail", "on_missing: ignore"],
    );
}

#[test]
fn a_retry_mode_that_is_not_one_is_refused() {
    near_misses_are_refused(
        TESTS_POLICY,
        "retries: per-testcase",
        &[
            "retries: repeated",
            "retries: per_testcase",
            "retries: repeated_testcases",
        ],
    );
}

#[test]
fn a_tracker_kind_that_is_not_one_is_refused() {
    near_misses_are_refused(
        DEFECTS_POLICY,
        "kind: file",
        &["kind: File", "kind: csv", "kind: jira_dc", "kind: json"],
    );
}

#[test]
fn a_format_or_direction_that_is_not_one_is_refused() {
    near_misses_are_refused(
        PERF_POLICY,
        "format: jmeter",
        &["format: JMeter", "format: jtl", "format: k6-summary"],
    );
    near_misses_are_refused(
        PERF_POLICY,
        "direction: lower",
        &[
            "direction: down",
            "direction: Lower",
            "direction: lower-is-better",
        ],
    );
}

/// The command line reads the same words: a mode or format it does not know is a usage error.
#[test]
fn the_command_line_refuses_words_it_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let xml = dir.path().join("r.xml");
    std::fs::write(&xml, PASSING_JUNIT).unwrap();
    let out = shipgate()
        .args(["inspect", "tests", "--retries", "repeated"])
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = shipgate()
        .args(["inspect", "tests", "--retries", "repeated-testcases"])
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    for args in [
        &["leakage", "--by", "weeks"][..],
        &["init", "--profile", "bank", "-o", "-"][..],
        &["inspect", "perf", "--input-format", "jtl", "x.jtl"][..],
    ] {
        let out = shipgate().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = shipgate()
        .args(["init", "--profile", "fintech", "-o", "-"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}
