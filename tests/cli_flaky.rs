//! End-to-end tests of flaky tests across runs (`sources.tests.history`) and the quarantine
//! (`sources.tests.quarantine`), on `examples/flaky/` (real pytest runs) and on projects built
//! here, including expired and critical-path quarantine entries.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::{NOW, Project, shipgate};
use predicates::prelude::*;
use serde_json::Value;
use std::path::Path;

const EXAMPLE: &str = "examples/flaky/shipgate.yaml";

fn example_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/flaky"))
}

/// A copy of `examples/flaky/` whose quarantine file is `quarantine` (`None`: no quarantine key).
fn example_copy(quarantine: Option<&str>) -> Project {
    let policy = std::fs::read_to_string(example_dir().join("shipgate.yaml")).unwrap();
    let policy = match quarantine {
        Some(_) => policy,
        None => policy.replace("    quarantine: quarantine.yaml\n", ""),
    };
    let mut p = Project::new(&policy).copy(
        "reports/pytest.xml",
        &example_dir().join("reports/pytest.xml"),
    );
    for entry in std::fs::read_dir(example_dir().join("history")).unwrap() {
        let run = entry.unwrap().file_name().into_string().unwrap();
        p = p.copy(
            &format!("history/{run}/pytest.xml"),
            &example_dir().join(format!("history/{run}/pytest.xml")),
        );
    }
    match quarantine {
        Some(q) => p.file("quarantine.yaml", q.as_bytes()),
        None => p,
    }
}

/// Text with every run of white space (line wraps and their indentation) made one space.
fn flat(text: &[u8]) -> String {
    String::from_utf8_lossy(text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn json(project_or_example: &mut assert_cmd::Command) -> (i32, Value) {
    let out = project_or_example
        .args(["--format", "json"])
        .output()
        .unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap(), report)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

const NOTIFICATIONS_ONLY: &str = "\
- pattern: \"flaky_tests.test_notifications.TestNotifications.test_statement_email_is_sent\"
  owner: notifications@acme.example
  ticket: NOTIF-77
  expires: 2026-12-31
";

#[test]
fn the_flaky_example_blocks_on_an_expired_and_a_critical_path_quarantine_entry() {
    let mut cmd = shipgate();
    cmd.args(["check", "--now", NOW, "--policy", EXAMPLE]);
    let (code, r) = json(&mut cmd);
    assert_eq!(code, 1);

    let pass_rate = check(&r, "regression.pass-rate");
    assert_eq!(pass_rate["status"], "pass");
    assert_eq!(pass_rate["details"]["raw_pass_rate"], 0.956522);
    assert_eq!(pass_rate["details"]["adjusted_pass_rate"], 1.0);
    assert_eq!(pass_rate["details"]["quarantined"][0]["ticket"], "NOTIF-77");

    let flaky = check(&r, "flaky.rate");
    assert_eq!(
        (flaky["status"].as_str(), flaky["blocking"].as_bool()),
        (Some("fail"), Some(true))
    );
    let message = flaky["message"].as_str().unwrap();
    assert!(message.contains("1 quarantine entry expired"), "{message}");
    assert!(
        message.contains("`*test_login_via_sso` (IAM-40"),
        "{message}"
    );
    let top = &flaky["details"]["flaky_tests"][0];
    assert_eq!(top["name"], "test_statement_email_is_sent");
    assert_eq!(top["reasons"], serde_json::json!(["same-commit", "flips"]));
    assert_eq!(top["flips"], 5);
    assert_eq!(top["last_failure"]["run"], "current");
    assert_eq!(
        top["quarantined"],
        "flaky_tests.test_notifications.TestNotifications.test_statement_email_is_sent"
    );
    let states: Vec<&str> = flaky["details"]["quarantine"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["active", "expired", "refused"]);

    let critical = check(&r, "critical-paths.passed");
    assert_eq!(critical["status"], "pass");
    assert_eq!(
        critical["details"]["paths"]["authentication"]["refused_quarantine"],
        serde_json::json!(["*test_login_via_sso"])
    );

    // Provenance: every history file and the quarantine file, hashed.
    let sources: Vec<&str> = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.iter().filter(|s| **s == "history").count(), 5);
    let q = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == "quarantine")
        .unwrap();
    assert_eq!(q["path"], "quarantine.yaml");
    assert_eq!(q["sha256"].as_str().unwrap().len(), 64);
}

#[test]
fn the_example_in_human_form_says_why() {
    let out = shipgate()
        .args(["check", "--now", NOW, "--policy", EXAMPLE])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = flat(&out.stdout);
    for said in [
        "1 failure of quarantined tests not counted (raw pass rate 95.65% of 23 executed)",
        "`*test_receipt_pdf_export` (REP-12, reports@acme.example, quarantine.yaml:12) expired 2026-10-31",
        "refused because critical paths are never quarantined",
        "flip rate 100%: 5 flips in 6 runs (passed and failed on one commit, flips)",
    ] {
        assert!(text.contains(said), "{said}\n{text}");
    }
}

#[test]
fn a_known_flaky_failure_in_quarantine_does_not_block_but_without_it_it_does() {
    let ready = example_copy(Some(NOTIFICATIONS_ONLY));
    let (code, r) = json(&mut ready.check());
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(
        check(&r, "regression.pass-rate")["details"]["quarantined_failures"],
        1
    );

    let no_quarantine = example_copy(None);
    let (code, r) = json(&mut no_quarantine.check());
    assert_eq!(code, 1);
    let pass_rate = check(&r, "regression.pass-rate");
    assert_eq!(pass_rate["status"], "fail");
    assert_eq!(pass_rate["observed"], 0.956522);
    assert!(pass_rate["details"].get("raw_pass_rate").is_none());
}

#[test]
fn a_critical_test_that_fails_cannot_be_quarantined_into_passing() {
    let policy = "\
version: 1
release: {name: demo}
sources:
  tests:
    junit: [\"reports/*.xml\"]
    quarantine: quarantine.yaml
risk:
  critical_paths:
    payment: { tests: [\"*Payment*\"] }
checks:
  regression: {min_pass_rate: 50%}
  flaky: {max_rate: 50%}
";
    let junit = r#"<testsuite name="s">
  <testcase classname="com.acme.PaymentTest" name="refunds"><failure message="off by a cent"/></testcase>
  <testcase classname="com.acme.PaymentTest" name="charges"/>
  <testcase classname="com.acme.Other" name="a"/>
</testsuite>"#;
    let quarantine = "- pattern: \"com.acme.PaymentTest.*\"\n  owner: pay@acme.example\n  ticket: PAY-1\n  expires: 2026-12-31\n";
    let p = Project::new(policy)
        .file("reports/r.xml", junit.as_bytes())
        .file("quarantine.yaml", quarantine.as_bytes());
    let (code, r) = json(&mut p.check());
    assert_eq!(code, 1);
    let critical = check(&r, "critical-paths.passed");
    assert_eq!(critical["status"], "fail");
    assert!(
        critical["message"]
            .as_str()
            .unwrap()
            .starts_with("`com.acme.PaymentTest.refunds` failed on critical path `payment`"),
        "{critical:#}"
    );
    // The refused entry quarantines nothing, not even the pass rate's share of it.
    assert_eq!(
        check(&r, "regression.pass-rate")["details"]["quarantined_failures"],
        0
    );
}

#[test]
fn a_broken_quarantine_file_is_exit_4_and_names_the_line() {
    let broken = "- pattern: \"*x*\"\n  owner: \"\"\n  ticket: T-1\n  expires: soon\n";
    let p = example_copy(Some(broken));
    p.check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains("quarantine.yaml:2:10"))
        .stdout(predicate::str::contains("`[0].owner`: the value is\n"));
}

#[test]
fn a_missing_quarantine_file_or_history_blocks() {
    let p = example_copy(Some(NOTIFICATIONS_ONLY));
    std::fs::remove_file(p.dir.path().join("quarantine.yaml")).unwrap();
    p.check().assert().code(1).stdout(predicate::str::contains(
        "the quarantine file `quarantine.yaml` does not exist",
    ));

    let p = example_copy(Some(NOTIFICATIONS_ONLY));
    std::fs::remove_dir_all(p.dir.path().join("history")).unwrap();
    p.check().assert().code(1).stdout(predicate::str::contains(
        "no earlier run matched `history/*/*.xml`",
    ));
}

#[test]
fn a_history_file_outside_a_run_folder_or_unreadable_is_exit_4() {
    let p = example_copy(Some(NOTIFICATIONS_ONLY)).file("history/stray.xml", b"<testsuite/>");
    let policy = std::fs::read_to_string(p.policy()).unwrap();
    std::fs::write(
        p.policy(),
        policy.replace("history/*/*.xml", "history/**/*.xml"),
    )
    .unwrap();
    p.check().assert().code(4).stdout(predicate::str::contains(
        "`history/stray.xml` is not inside a run folder",
    ));

    // Only loose files: they matched, so the history is not missing, it is misplaced.
    let p = example_copy(Some(NOTIFICATIONS_ONLY));
    std::fs::remove_dir_all(p.dir.path().join("history")).unwrap();
    let p = p.file("history/stray.xml", b"<testsuite/>");
    let policy = std::fs::read_to_string(p.policy()).unwrap();
    std::fs::write(
        p.policy(),
        policy.replace("history/*/*.xml", "history/*.xml"),
    )
    .unwrap();
    p.check().assert().code(4).stdout(predicate::str::contains(
        "`history/stray.xml` is not inside a run folder",
    ));

    let p = example_copy(Some(NOTIFICATIONS_ONLY))
        .file("history/1206/pytest.xml", b"<testsuite><testcase name=");
    p.check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains("history/1206/pytest.xml"));
}

/// `shipgate inspect tests` on the example's run and history, with `extra` arguments.
fn inspect_example(extra: &[&str]) -> assert_cmd::Command {
    let mut cmd = shipgate();
    cmd.args([
        "inspect",
        "tests",
        "examples/flaky/reports/*.xml",
        "--history",
        "examples/flaky/history/*/*.xml",
    ])
    .args(extra);
    cmd
}

#[test]
fn inspect_tests_with_history_shows_the_runs_and_ranks_the_flaky_tests() {
    let out = inspect_example(&[]).assert().code(0).get_output().clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("History: 5 of 5 earlier runs read, and this run"),
        "{text}"
    );
    assert!(
        text.contains("\n  1201            24        0      0  a1b2c3d\n"),
        "{text}"
    );
    assert!(
        text.contains("\n  current         24        1      0  —  (this run)\n"),
        "{text}"
    );
    assert!(
        flat(text.as_bytes()).contains("100% 5 flips in 6 runs (passed and failed on one commit, flips): flaky_tests.test_notifications.TestNotifications.test_statement_email_is_sent; last failed in run current: ConnectionResetError"),
        "{text}"
    );

    let out = inspect_example(&["--history-runs", "2", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tests"], 24);
    let h = &v["history"];
    assert_eq!(h["runs_available"], 5);
    let runs: Vec<&str> = h["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(runs, ["1204", "1205", "current"]);
    assert_eq!(h["flaky"][0]["flips"], 2);

    // A history glob that matches nothing is missing evidence: exit 1, and it says so.
    shipgate()
        .args([
            "inspect",
            "tests",
            "examples/flaky/reports/*.xml",
            "--history",
            "nowhere/*/*.xml",
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "no earlier run matched `nowhere/*/*.xml`",
        ));
}

#[test]
fn pytest_rerunfailures_is_read_by_its_retries_setting() {
    let file = "crates/shipgate-junit/tests/fixtures/retries/pytest-9.2-rerunfailures-16.7.xml";
    let out = shipgate()
        .args([
            "inspect",
            "tests",
            file,
            "--retries",
            "repeated-testcases",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["tests"].as_u64(),
            v["failed"].as_u64(),
            v["flaky"].as_u64()
        ),
        (Some(3), Some(1), Some(1))
    );
}

#[test]
fn a_history_glob_that_also_matches_this_run_is_refused() {
    let p = example_copy(Some(NOTIFICATIONS_ONLY));
    let policy = std::fs::read_to_string(p.policy()).unwrap();
    std::fs::write(
        p.policy(),
        policy.replace(
            "history: [\"history/*/*.xml\"]",
            "history: [\"*/**/*.xml\"]",
        ),
    )
    .unwrap();
    let out = p.check().assert().code(4).get_output().clone();
    assert!(
        flat(&out.stdout).contains(
            "`reports/pytest.xml` is one of this run's reports and also matched by `sources.tests.history`"
        ),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// 100 tests of which 20 fail, all in `app.Checkout`.
fn twenty_failures() -> String {
    let mut xml = String::from("<testsuite name=\"s\">");
    for i in 0..100 {
        if i < 20 {
            xml.push_str(&format!(
                "<testcase classname=\"app.Checkout\" name=\"t{i}\"><failure message=\"boom\"/></testcase>"
            ));
        } else {
            xml.push_str(&format!(
                "<testcase classname=\"app.Other\" name=\"t{i}\"/>"
            ));
        }
    }
    xml.push_str("</testsuite>");
    xml
}

/// A quarantine takes failures out of the pass rate only because they count in `flaky.rate`
/// instead; with `flaky.rate` at `level: warn` it would hide them, so the policy is refused.
#[test]
fn a_quarantine_needs_flaky_rate_to_block() {
    let p = Project::new(
        "version: 1\nrelease: {name: x}\nsources:\n  tests: {junit: [r.xml], quarantine: q.yaml}\nchecks:\n  regression: {min_pass_rate: 98%}\n  flaky: {max_rate: 2%, level: warn}\n",
    )
    .file("r.xml", twenty_failures().as_bytes())
    .file(
        "q.yaml",
        b"- {pattern: 'app.Checkout.*', owner: a@b.c, ticket: T-1, expires: 2027-01-01}\n",
    );
    p.check().assert().code(3).stderr(predicate::str::contains(
        "needs `flaky.rate` to be able to block",
    ));
}

/// A quarantine (or history) that is missing under `on_missing: warn` does not switch off a
/// check whose test results were read: the raw rate is judged, and it blocks.
#[test]
fn a_missing_quarantine_under_on_missing_warn_does_not_hide_failures() {
    let p = Project::new(
        "version: 1\nrelease: {name: x}\nsources:\n  tests: {junit: [r.xml], quarantine: nothere.yaml, history: ['h/*/*.xml']}\nchecks:\n  regression: {min_pass_rate: 98%, on_missing: warn}\n  flaky: {max_rate: 2%, on_missing: warn}\n",
    )
    .file("r.xml", twenty_failures().as_bytes());
    let (code, report) = json(&mut p.check());
    assert_eq!(code, 1, "{report:#}");
    let c = check(&report, "regression.pass-rate");
    assert_eq!(c["status"], "fail", "{c:#}");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("the quarantine was not used"),
        "{c:#}"
    );
    let f = check(&report, "flaky.rate");
    assert_eq!(f["status"], "pass", "this run has no flaky test: {f:#}");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("the history of earlier runs was not used"),
        "{f:#}"
    );
}
