//! End-to-end tests of the `shipgate` binary: one per exit code and per output format, run the
//! way a pipeline runs it.

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
use common::{NOW, Project, check_example, corpus, shipgate};
use predicates::prelude::*;
use serde_json::Value;

const SIMPLE_POLICY: &str = "\
version: 1
release: {name: demo, version: '1.0'}
sources:
  tests:
    junit: [\"reports/**/*.xml\"]
checks:
  regression:
    min_pass_rate: 90%
";

fn quickstart() -> Command {
    check_example("examples/quickstart/shipgate.yaml")
}

fn blocked() -> Command {
    check_example("examples/blocked/shipgate.yaml")
}

// ---- exit codes -------------------------------------------------------------------------

#[test]
fn exit_0_when_ready() {
    quickstart()
        .assert()
        .code(0)
        .stdout(predicate::str::contains("READY"));
}

#[test]
fn exit_1_when_a_check_fails_and_the_report_says_why() {
    blocked()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("BLOCKED"))
        .stdout(predicate::str::contains(
            "test_partial_refund_rounds_half_even",
        ))
        .stdout(predicate::str::contains("test_login_via_sso"));
}

#[test]
fn exit_1_when_required_evidence_is_missing() {
    let p = Project::new(SIMPLE_POLICY);
    p.check().assert().code(1).stdout(predicate::str::contains(
        "no JUnit report matched `reports/**/*.xml`",
    ));
}

/// `shipgate $CMD` with an empty variable in CI must not pass: no subcommand is a usage error,
/// even though clap prints the help. Only an explicit `--help` or `--version` exits 0.
#[test]
fn exit_2_without_a_subcommand_and_0_only_for_help_and_version() {
    shipgate()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("Usage"));
    shipgate().arg("inspect").assert().code(2);
    shipgate().args(["perf", "baseline"]).assert().code(2);
    shipgate().arg("--help").assert().code(0);
    shipgate().arg("--version").assert().code(0);
    shipgate().args(["check", "--help"]).assert().code(0);
}

/// `--dry-run` exits 0 whatever the verdict, but not when the gate could not do its job, and
/// its help says so: an unwritable report folder is 70, not 0.
#[test]
fn a_dry_run_still_fails_when_the_gate_cannot_do_its_job() {
    shipgate()
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("exit 0 whatever it is"))
        .stdout(predicate::str::contains("cannot be written (70)"))
        .stdout(predicate::str::contains("does not reproduce its decision"));
    let dir = tempfile::tempdir().unwrap();
    let not_a_folder = dir.path().join("file");
    std::fs::write(&not_a_folder, "").unwrap();
    quickstart()
        .arg("--dry-run")
        .arg("--report-dir")
        .arg(&not_a_folder)
        .assert()
        .code(70);
}

#[test]
fn exit_2_on_bad_flags() {
    shipgate().args(["check", "--frobnicate"]).assert().code(2);
    shipgate()
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("yaml"));
    shipgate()
        .args(["explain", "regresion.pass-rate"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `regression.pass-rate`?",
        ));
}

#[test]
fn exit_3_on_an_invalid_policy_with_every_problem_and_its_line() {
    let p = Project::new(
        "version: 1\nrelease: {name: demo}\nsources:\n  tests: {junit: [r.xml]}\nchecks:\n  regression:\n    min_pass_rat: 98%\n  flaky:\n    max_rate: 2\n",
    );
    let out = p.check().assert().code(3).get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let policy = p.policy().display().to_string();
    assert!(
        stderr.contains(&format!("{policy}:7:5: `checks.regression.min_pass_rat`: unknown key `min_pass_rat`; did you mean `min_pass_rate`?")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{policy}:9:15: `checks.flaky.max_rate`")),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no report for an invalid policy");
}

#[test]
fn exit_3_when_the_policy_does_not_exist() {
    shipgate()
        .args(["check", "--policy", "no/such/shipgate.yaml"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("shipgate init"));
}

#[test]
fn exit_3_when_an_environment_variable_is_unset() {
    let p = Project::new(&SIMPLE_POLICY.replace("'1.0'", "'${CI_RELEASE_TAG}'"));
    p.check()
        .assert()
        .code(3)
        .stderr(predicate::str::contains("`CI_RELEASE_TAG` is not set"));
}

#[test]
fn exit_4_when_evidence_cannot_be_read() {
    let p = Project::new(SIMPLE_POLICY)
        .copy(
            "reports/good.xml",
            &corpus("surefire--failures-and-errors.xml"),
        )
        .copy("reports/bad.xml", &corpus("corrupt--truncated-pytest.xml"));
    p.check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains("reports/bad.xml"));
}

#[test]
fn exit_70_when_the_report_cannot_be_written() {
    let p = Project::new(SIMPLE_POLICY).copy("reports/a.xml", &corpus("nextest--basic.xml"));
    let not_a_dir = p.dir.path().join("shipgate.yaml");
    p.check()
        .arg("--report-dir")
        .arg(not_a_dir)
        .assert()
        .code(70);
}

#[test]
fn dry_run_exits_0_but_says_what_it_would_have_done() {
    blocked()
        .arg("--dry-run")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("BLOCKED"))
        .stderr(predicate::str::contains("would have exited 1"));
}

#[test]
fn dry_run_still_refuses_an_invalid_policy() {
    let p = Project::new("version: 1\n");
    p.check().arg("--dry-run").assert().code(3);
}

// ---- formats ----------------------------------------------------------------------------

fn json_report(cmd: &mut Command) -> Value {
    let out = cmd.args(["--format", "json"]).output().unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn json_report_has_the_documented_shape() {
    let r = json_report(&mut blocked());
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["tool"]["name"], "shipgate");
    assert_eq!(r["release"]["name"], "payments-api");
    assert_eq!(r["release"]["version"], "2.4.0");
    assert_eq!(r["decision"], "blocked");
    assert_eq!(r["exit_code"], 1);
    assert_eq!(r["evaluated_at"], NOW);
    assert_eq!(r["policy"]["path"], "examples/blocked/shipgate.yaml");
    assert_eq!(r["policy"]["sha256"].as_str().unwrap().len(), 64);
    let input = &r["inputs"][0];
    assert_eq!(input["source"], "tests");
    assert_eq!(input["path"], "reports/pytest.xml");
    assert_eq!(input["sha256"].as_str().unwrap().len(), 64);
    assert!(input["bytes"].as_u64().unwrap() > 1000);
    let ids: Vec<&str> = r["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            "regression.pass-rate",
            "regression.min-tests",
            "critical-paths.passed",
            "flaky.rate",
            "waivers.valid"
        ]
    );
    let rate = &r["checks"][0];
    assert_eq!(rate["status"], "fail");
    assert_eq!(rate["level"], "error");
    assert_eq!(rate["observed"], 0.95);
    assert_eq!(rate["threshold"], 0.98);
    assert!(
        rate["message"]
            .as_str()
            .unwrap()
            .contains("95% of 20 executed tests passed")
    );
    assert!(rate["details"].is_object());
    let stats = &r["stats"]["tests"];
    assert_eq!(
        (
            stats["total"].as_u64(),
            stats["passed"].as_u64(),
            stats["failed"].as_u64(),
            stats["skipped"].as_u64()
        ),
        (Some(22), Some(19), Some(1), Some(2))
    );
}

#[test]
fn markdown_report_is_a_summary_table() {
    blocked()
        .args(["--format", "markdown"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("| "))
        .stdout(predicate::str::contains("regression.pass-rate"));
}

#[test]
fn junit_report_has_one_testcase_per_check() {
    let out = blocked().args(["--format", "junit"]).output().unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 5, "{xml}");
    assert_eq!(xml.matches("<failure").count(), 3, "{xml}");
    assert!(xml.contains("name=\"critical-paths.passed\""));
}

#[test]
fn human_output_has_no_colour_unless_asked() {
    let plain = blocked().output().unwrap();
    assert!(!plain.stdout.contains(&0x1b));
    let coloured = blocked().args(["--color", "always"]).output().unwrap();
    assert!(coloured.stdout.contains(&0x1b));
}

#[test]
fn report_dir_holds_the_three_reports() {
    let dir = tempfile::tempdir().unwrap();
    blocked()
        .arg("--report-dir")
        .arg(dir.path())
        .assert()
        .code(1);
    let json: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    assert_eq!(json["decision"], "blocked");
    let md = std::fs::read_to_string(dir.path().join("summary.md")).unwrap();
    assert!(md.contains("regression.pass-rate"));
    let xml = std::fs::read_to_string(dir.path().join("gate-junit.xml")).unwrap();
    assert!(xml.contains("<testsuite"));
}

#[test]
fn the_blocked_example_explains_itself() {
    let out = blocked().output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let text = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("blocked_human", text);
}

#[test]
fn the_quickstart_explains_itself() {
    let out = quickstart().output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let text = text.replace(env!("CARGO_PKG_VERSION"), "[version]");
    insta::assert_snapshot!("quickstart_human", text);
}

// ---- other commands ---------------------------------------------------------------------

#[test]
fn validate_lists_the_checks_or_the_problems() {
    shipgate()
        .args(["validate", "--policy", "examples/quickstart/shipgate.yaml"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("critical-paths.passed"));
    let p = Project::new("version: 1\nrelease: {name: demo}\n");
    shipgate()
        .arg("validate")
        .arg("--policy")
        .arg(p.policy())
        .assert()
        .code(3)
        .stderr(predicate::str::contains("the policy checks nothing"));
}

#[test]
fn policy_path_comes_from_the_environment_too() {
    shipgate()
        .arg("validate")
        .env("SHIPGATE_POLICY", "examples/quickstart/shipgate.yaml")
        .assert()
        .code(0);
}

#[test]
fn explain_describes_a_check() {
    shipgate()
        .args(["explain", "critical-paths.passed"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Blocks when:"));
    shipgate()
        .arg("explain")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("flaky.rate"));
}

#[test]
fn init_writes_a_policy_that_validates_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    for profile in ["basic", "fintech"] {
        let path = dir.path().join(format!("{profile}.yaml"));
        shipgate()
            .args(["init", "--profile", profile, "--output"])
            .arg(&path)
            .assert()
            .code(0);
        shipgate()
            .arg("validate")
            .arg("--policy")
            .arg(&path)
            .assert()
            .code(0);
        shipgate()
            .args(["init", "--profile", profile, "--output"])
            .arg(&path)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("already exists"));
    }
}

#[test]
fn schema_is_json_with_the_policy_keys() {
    let out = shipgate().arg("schema").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let schema: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(schema["properties"]["checks"].is_object());
}

#[test]
fn inspect_tests_prints_the_counts_as_json() {
    let out = shipgate()
        .args(["inspect", "tests", "--format", "json"])
        .arg(corpus("surefire--xsd3-flaky-and-rerun-all-kinds.xml"))
        .arg(corpus("jenkins--nested-suite-level-error.xml"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tests"], 6);
    assert_eq!(v["flaky"], 2);
    assert_eq!(v["errored"], 1);
    assert_eq!(v["failed"], 1);
    assert_eq!(v["passed"], 2);
    assert_eq!(v["suite_errors"], 1);
    assert_eq!(v["files"].as_array().unwrap().len(), 2);
}

#[test]
fn inspect_tests_exit_4_on_a_bad_file_and_1_on_no_match() {
    shipgate()
        .args(["inspect", "tests"])
        .arg(corpus("nunit--nunit3-test-run.xml"))
        .assert()
        .code(4)
        .stderr(predicate::str::contains("NUnit"));
    shipgate()
        .args(["inspect", "tests", "no-such-dir/**/*.xml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no file matched"));
}

#[test]
fn evaluating_as_of_another_instant_is_recorded_with_the_real_time() {
    let out = blocked().args(["--format", "json"]).output().unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["evaluated_at"], NOW);
    let generated: jiff::Timestamp = r["generated_at"].as_str().unwrap().parse().unwrap();
    assert_ne!(generated, NOW.parse::<jiff::Timestamp>().unwrap());
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("evaluating as of 2026-11-24T10:00:00Z (--now)")
    );
    // Without --now there is nothing to record twice.
    let mut live = shipgate();
    live.args([
        "check",
        "--format",
        "json",
        "--policy",
        "examples/quickstart/shipgate.yaml",
    ]);
    let r: Value = serde_json::from_slice(&live.output().unwrap().stdout).unwrap();
    assert!(r.get("generated_at").is_none());
}
