//! A policy value that is null, empty, or expanded from an empty variable never switches a check
//! off and never reads as "ready": it is a policy error (exit 3) at its line. A gate that measured
//! nothing never says ready.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]

use crate::common;

use common::{Project, shipgate};
use predicates::prelude::*;

/// Two of three tests pass: 67%, far below any sensible pass rate.
const TWO_OF_THREE: &str = r#"<testsuite name="s" tests="3" failures="1">
  <testcase classname="a.B" name="one"/>
  <testcase classname="a.B" name="two"/>
  <testcase classname="a.B" name="three"><failure message="boom"/></testcase>
</testsuite>
"#;

fn project(checks: &str) -> Project {
    Project::new(&format!(
        "version: 1\nrelease: {{name: api, version: '1.0'}}\nsources:\n  tests: {{junit: [r/*.xml]}}\nchecks:\n{checks}"
    ))
    .file("r/a.xml", TWO_OF_THREE.as_bytes())
}

#[test]
fn a_null_or_empty_threshold_is_a_policy_error_at_its_line_never_a_check_switched_off() {
    for value in ["null", "~", "", "''", "\"\"", "${RATE:-}"] {
        let p = project(&format!(
            "  regression:\n    min_pass_rate: {value}\n    min_tests: 2\n"
        ));
        let out = p.check().output().unwrap();
        assert_eq!(out.status.code(), Some(3), "min_pass_rate: {value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("shipgate.yaml:7:") && stderr.contains("min_pass_rate"),
            "{value}: {stderr}"
        );
        if value.contains("RATE") {
            assert!(
                stderr.contains("`${RATE:-}` expanded to nothing"),
                "{stderr}"
            );
        }
    }
}

#[test]
fn a_null_limit_inside_a_map_is_never_unlimited() {
    let p = Project::new(
        "version: 1\nrelease: {name: api}\nsources:\n  defects: {kind: file, path: d.json}\nchecks:\n  defects:\n    max_open: {critical: ~, high: 3}\n",
    );
    p.check()
        .assert()
        .code(3)
        .stderr(predicate::str::contains("shipgate.yaml:7:"))
        .stderr(predicate::str::contains("checks.defects.max_open.critical"));
}

#[test]
fn an_empty_variable_is_no_value() {
    let p = Project::new(
        "version: 1\nrelease: {name: api, version: '${RELEASE_VERSION}'}\nsources:\n  tests: {junit: [r/*.xml]}\nchecks:\n  regression: {min_tests: 1}\n",
    )
    .file("r/a.xml", TWO_OF_THREE.as_bytes());
    p.check()
        .env("RELEASE_VERSION", "")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "`RELEASE_VERSION` is set but empty",
        ));
}

#[test]
fn an_empty_variable_never_makes_a_glob_from_the_root() {
    for glob in ["${REPORT_DIR}/*.xml", "${REPORT_DIR:-}/*.xml"] {
        let p = Project::new(&format!(
            "version: 1\nrelease: {{name: api}}\nsources:\n  tests: {{junit: ['{glob}']}}\nchecks:\n  regression: {{min_tests: 1}}\n"
        ));
        let out = p.check().env("REPORT_DIR", "").output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{glob}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("REPORT_DIR") || stderr.contains("root of the file system"),
            "{glob}: {stderr}"
        );
    }
}

#[test]
fn a_percentage_below_one_percent_is_refused_as_a_pass_rate() {
    let p = project("  regression: {min_pass_rate: 0.98%}\n");
    p.check()
        .assert()
        .code(3)
        .stderr(predicate::str::contains("write `98%` or `0.98`"));
}

#[test]
fn critical_paths_that_name_no_path_are_refused() {
    let p = Project::new(
        "version: 1\nrelease: {name: api}\nsources:\n  tests: {junit: [r/*.xml]}\nrisk:\n  critical_paths: {}\nchecks:\n  regression: {min_tests: 1}\n",
    )
    .file("r/a.xml", TWO_OF_THREE.as_bytes());
    p.check().assert().code(3).stderr(predicate::str::contains(
        "`risk.critical_paths` names no path",
    ));
}

#[test]
fn a_gate_that_measured_nothing_blocks_whatever_on_missing_says() {
    let p = Project::new(
        "version: 1\nrelease: {name: api}\nsources:\n  tests: {junit: [r/*.xml]}\nchecks:\n  regression: {min_pass_rate: 98%, min_tests: 3, on_missing: warn}\n",
    );
    p.check()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("a gate that measured nothing"));
}

#[test]
fn skipped_tests_have_a_limit() {
    let skipped = r#"<testsuite name="s" tests="4" skipped="2">
  <testcase classname="a.B" name="one"/>
  <testcase classname="a.B" name="two"/>
  <testcase classname="a.B" name="three"><skipped/></testcase>
  <testcase classname="a.B" name="four"><skipped/></testcase>
</testsuite>
"#;
    let p = Project::new(
        "version: 1\nrelease: {name: api}\nsources:\n  tests: {junit: [r/*.xml]}\nchecks:\n  regression: {min_pass_rate: 100%, min_tests: 2, max_skipped_rate: 25%}\n",
    )
    .file("r/a.xml", skipped.as_bytes());
    p.check()
        .args(["--format", "json"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"id\": \"regression.skipped\""))
        .stdout(predicate::str::contains("2 of 4 tests (50%) skipped"));
    let at_limit = Project::new(
        "version: 1\nrelease: {name: api}\nsources:\n  tests: {junit: [r/*.xml]}\nchecks:\n  regression: {min_pass_rate: 100%, min_tests: 2, max_skipped_rate: 50%, max_skipped: 2}\n",
    )
    .file("r/a.xml", skipped.as_bytes());
    at_limit.check().assert().code(0);
}

#[test]
fn validate_and_schema_agree_that_null_is_not_a_value() {
    let p = project("  regression:\n    min_pass_rate: ~\n");
    shipgate()
        .args(["validate", "--policy"])
        .arg(p.policy())
        .assert()
        .code(3);
    let out = shipgate().arg("schema").output().unwrap();
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let section = &schema["$defs"]["RegressionSection"]["properties"]["min_pass_rate"];
    assert!(!section.to_string().contains("null"), "{section}");
}

/// `shipgate check --policy shipgate.yaml` from the policy's own folder (the most common way to
/// run the gate) reads the reports its `**` glob names.
#[test]
fn a_policy_in_the_working_folder_finds_its_reports() {
    let p = Project::new(
        "version: 1\nrelease: {name: api}\nsources:\n  tests: {junit: ['reports/**/*.xml']}\nchecks:\n  regression: {min_tests: 2}\n",
    )
    .file("reports/deep/a.xml", TWO_OF_THREE.as_bytes());
    let out = shipgate()
        .current_dir(p.dir.path())
        .args([
            "check",
            "--now",
            common::NOW,
            "--policy",
            "shipgate.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["stats"]["tests"]["total"], 3, "{report:#}");
    assert_eq!(out.status.code(), Some(0), "{report:#}");
}
