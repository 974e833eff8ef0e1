//! End-to-end tests of the UAT sign-off (`uat.signoff`) and evidence provenance
//! (`evidence.provenance`), run the way a pipeline runs them, on the signed-release example and
//! on copies of it with one thing wrong.

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

use common::{Project, shipgate};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The release day of the signed-release example: the sign-off and test run are dated.
const RELEASE_DAY: &str = "2026-11-24T12:00:00Z";

fn example(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/signed-release")
        .join(rel)
}

fn example_text(rel: &str) -> String {
    std::fs::read_to_string(example(rel)).unwrap()
}

/// A copy of the signed-release example, with `edit` applied to its policy.
fn signed_release(edit: impl Fn(String) -> String) -> Project {
    Project::new(&edit(example_text("shipgate.yaml")))
        .copy("reports/pytest.xml", &example("reports/pytest.xml"))
        .copy(
            "release/uat-signoff.yaml",
            &example("release/uat-signoff.yaml"),
        )
        .copy(
            "release/uat-signoff.yaml.sig",
            &example("release/uat-signoff.yaml.sig"),
        )
        .copy(
            "release/allowed_signers",
            &example("release/allowed_signers"),
        )
}

fn check_at(p: &Project, now: &str) -> assert_cmd::Command {
    let mut cmd = shipgate();
    cmd.args(["check", "--now", now, "--format", "json", "--policy"])
        .arg(p.policy());
    cmd
}

fn json(cmd: &mut assert_cmd::Command, code: i32) -> Value {
    let out = cmd.assert().code(code).get_output().clone();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

#[test]
fn the_signed_release_example_is_ready_on_its_release_day() {
    shipgate()
        .args(["check", "--now", RELEASE_DAY, "--policy"])
        .arg(example("shipgate.yaml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("READY"))
        .stdout(predicate::str::contains(
            "signature verified (qa-lead@acme.example",
        ));
}

#[test]
fn the_report_records_who_signed_what_and_the_signature() {
    let p = signed_release(|p| p);
    let r = json(&mut check_at(&p, RELEASE_DAY), 0);
    let uat = check(&r, "uat.signoff");
    assert_eq!(uat["status"], "pass");
    assert_eq!(
        uat["observed"],
        serde_json::json!(["product-owner", "qa-lead"])
    );
    assert_eq!(uat["details"]["version"], "2.4.0");
    assert_eq!(uat["details"]["signoffs"][0]["name"], "Dana Reyes");
    assert_eq!(uat["details"]["signoffs"][0]["meaning"], "approval");
    assert_eq!(uat["details"]["signature"]["status"], "verified");
    assert_eq!(
        uat["details"]["signature"]["fingerprint"],
        "SHA256:2esl963ZfU6GvUEKqnJiUbhBkXtBRFEqcRYD2oeKFGE"
    );
    let sources: Vec<&str> = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "reports/pytest.xml",
            "release/uat-signoff.yaml",
            "release/uat-signoff.yaml.sig",
            "release/allowed_signers"
        ]
    );
    assert_eq!(check(&r, "evidence.provenance")["status"], "pass");
}

#[test]
fn a_sign_off_changed_after_signing_blocks() {
    let p = signed_release(|p| p);
    let path = p.dir.path().join("release/uat-signoff.yaml");
    let edited = std::fs::read_to_string(&path)
        .unwrap()
        .replace("decision: approved", "decision: approved ");
    std::fs::write(&path, edited).unwrap();
    let r = json(&mut check_at(&p, RELEASE_DAY), 1);
    let uat = check(&r, "uat.signoff");
    assert_eq!(uat["status"], "fail");
    assert!(
        uat["message"]
            .as_str()
            .unwrap()
            .contains("changed after it was signed"),
        "{uat:#}"
    );
}

#[test]
fn an_unsigned_sign_off_blocks_when_the_policy_requires_a_signature() {
    let p = signed_release(|p| p);
    std::fs::remove_file(p.dir.path().join("release/uat-signoff.yaml.sig")).unwrap();
    let r = json(&mut check_at(&p, RELEASE_DAY), 1);
    let uat = check(&r, "uat.signoff");
    assert!(
        uat["message"]
            .as_str()
            .unwrap()
            .contains("requires a signed sign-off, but there is no `release/uat-signoff.yaml.sig`"),
        "{uat:#}"
    );
    assert!(
        uat["remedy"]
            .as_str()
            .unwrap()
            .contains("ssh-keygen -Y sign -n shipgate-uat")
    );
}

#[test]
fn a_signature_by_a_key_that_is_not_allowed_blocks() {
    let other_keys = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/shipgate-uat/tests/fixtures/ssh-keygen-allowed_signers");
    let p = signed_release(|p| p).copy("release/allowed_signers", &other_keys);
    let r = json(&mut check_at(&p, RELEASE_DAY), 1);
    assert!(
        check(&r, "uat.signoff")["message"]
            .as_str()
            .unwrap()
            .contains("which `release/allowed_signers` does not list"),
    );
}

#[test]
fn a_sign_off_of_another_version_or_a_missing_role_is_named() {
    let p = signed_release(|p| {
        p.replace("version: 2.4.0 ", "version: 2.4.1 ").replace(
            "[product-owner, qa-lead]",
            "[product-owner, qa-lead, security]",
        )
    });
    let r = json(&mut check_at(&p, RELEASE_DAY), 1);
    let problems: Vec<&str> = check(&r, "uat.signoff")["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["about"].as_str().unwrap())
        .collect();
    assert_eq!(problems, ["version", "role security"]);
}

#[test]
fn a_stale_sign_off_and_test_run_block() {
    let p = signed_release(|p| p);
    let r = json(&mut check_at(&p, "2026-12-24T12:00:00Z"), 1);
    assert_eq!(check(&r, "uat.signoff")["status"], "fail");
    let provenance = check(&r, "evidence.provenance");
    assert_eq!(provenance["observed"], 2);
    assert!(
        provenance["message"]
            .as_str()
            .unwrap()
            .contains("`reports/pytest.xml` is 30 days old"),
        "{provenance:#}"
    );
}

#[test]
fn evidence_from_another_commit_blocks() {
    let p = signed_release(|p| {
        p.replace(
            "3f2a9c1d8e7b6a5f4e3d2c1b0a9f8e7d6c5b4a39",
            "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807",
        )
    });
    let r = json(&mut check_at(&p, RELEASE_DAY), 1);
    let problems = check(&r, "evidence.provenance")["details"]["problems"].clone();
    assert_eq!(problems.as_array().unwrap().len(), 2, "{problems:#}");
    assert_eq!(
        check(&r, "uat.signoff")["details"]["problems"][0]["about"],
        "commit"
    );
}

#[test]
fn a_missing_sign_off_blocks_and_an_unreadable_one_is_exit_4() {
    let p = signed_release(|p| p);
    std::fs::remove_file(p.dir.path().join("release/uat-signoff.yaml")).unwrap();
    let r = json(&mut check_at(&p, RELEASE_DAY), 1);
    assert_eq!(check(&r, "uat.signoff")["status"], "missing");
    assert!(
        check(&r, "uat.signoff")["message"]
            .as_str()
            .unwrap()
            .contains("there is no UAT sign-off at `release/uat-signoff.yaml`")
    );
    let p = signed_release(|p| p).file(
        "release/uat-signoff.yaml",
        b"release: payments-api\nversion: 2.4.0\ndecision: approve\nsignoffs: []\n",
    );
    let r = json(&mut check_at(&p, RELEASE_DAY), 4);
    let message = check(&r, "uat.signoff")["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("line 3, column 11: `decision`")
            && message.contains("did you mean `approved`"),
        "{message}"
    );
}

#[test]
fn a_uat_check_without_its_source_is_an_invalid_policy() {
    let p = Project::new(
        "version: 1\nrelease: {name: x, version: '1'}\nchecks:\n  uat:\n    required_roles: [qa-lead]\n    max_age: 14\n",
    );
    let out = p.check().assert().code(3).get_output().clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("`14` has no unit"), "{stderr}");
}

#[test]
fn explain_describes_both_checks() {
    for id in ["uat.signoff", "evidence.provenance"] {
        shipgate()
            .args(["explain", id])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(id));
    }
}

#[test]
fn inspect_uat_shows_the_record_and_its_signature() {
    let out = shipgate()
        .args(["inspect", "uat", "--format", "json", "--allowed-signers"])
        .arg(example("release/allowed_signers"))
        .arg(example("release/uat-signoff.yaml"))
        .assert()
        .code(0)
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["version"], "2.4.0");
    assert_eq!(v["signature"]["status"], "verified");
    assert_eq!(v["signoffs"][1]["role"], "qa-lead");
    shipgate()
        .args(["inspect", "uat"])
        .arg(example("release/uat-signoff.yaml"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Dana Reyes"))
        .stdout(predicate::str::contains("signed, not verified"));
    shipgate()
        .args(["inspect", "uat", "no/such/signoff.yaml"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("there is no UAT sign-off"));
}
