//! End-to-end tests of the release record: `check --report-dir DIR` stores the evidence, and
//! `check --from-snapshot DIR` replays the decision offline, refusing an altered record.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::{NOW, Project, corpus, shipgate};
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Runs `check` on `policy` writing the record to `out`; returns the exit code.
fn record(policy: &Path, out: &Path, now: &str) -> i32 {
    shipgate()
        .args(["check", "--now", now, "--policy"])
        .arg(policy)
        .arg("--report-dir")
        .arg(out)
        .assert()
        .get_output()
        .status
        .code()
        .unwrap()
}

fn replay(out: &Path) -> assert_cmd::Command {
    let mut cmd = shipgate();
    cmd.args(["check", "--format", "json", "--from-snapshot"])
        .arg(out);
    cmd
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// A copy of the signed-release example in a temporary project folder.
fn signed_release() -> Project {
    let mut p = Project::new(
        &std::fs::read_to_string(repo("examples/signed-release/shipgate.yaml")).unwrap(),
    );
    for rel in [
        "reports/pytest.xml",
        "release/uat-signoff.yaml",
        "release/uat-signoff.yaml.sig",
        "release/allowed_signers",
    ] {
        p = p.copy(rel, &repo(&format!("examples/signed-release/{rel}")));
    }
    p
}

#[test]
fn a_replay_gives_the_same_json_report_offline() {
    let p = signed_release();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(record(&p.policy(), out.path(), "2026-11-24T12:00:00Z"), 0);
    let recorded = std::fs::read(out.path().join("report.json")).unwrap();
    // Offline and elsewhere: the project is gone, and the replay runs from another folder.
    drop(p);
    let replayed = replay(out.path())
        .current_dir(std::env::temp_dir())
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "the replay gives the same report as the recorded report.json",
        ))
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8(replayed).unwrap(),
        String::from_utf8(recorded).unwrap(),
        "byte for byte, evaluated_at included"
    );
}

#[test]
fn the_record_holds_every_input_with_its_hash() {
    let p = signed_release();
    let out = tempfile::tempdir().unwrap();
    record(&p.policy(), out.path(), "2026-11-24T12:00:00Z");
    let manifest = read_json(&out.path().join("evidence/manifest.json"));
    let report = read_json(&out.path().join("report.json"));
    assert_eq!(manifest["manifest_version"], 2);
    assert_eq!(manifest["evaluated_at"], "2026-11-24T12:00:00Z");
    assert_eq!(manifest["policy"]["sha256"], report["policy"]["sha256"]);
    let files = manifest["files"].as_array().unwrap();
    assert_eq!(files.len(), report["inputs"].as_array().unwrap().len());
    for (file, input) in files.iter().zip(report["inputs"].as_array().unwrap()) {
        assert_eq!(file["path"], input["path"]);
        assert_eq!(file["sha256"], input["sha256"]);
        let stored = out.path().join(file["stored"].as_str().unwrap());
        assert_eq!(
            std::fs::read(stored).unwrap().len() as u64,
            input["bytes"].as_u64().unwrap()
        );
    }
    assert!(
        out.path()
            .join("evidence/files/uat/release/uat-signoff.yaml.sig")
            .is_file()
    );
}

#[test]
fn a_blocked_decision_replays_as_blocked_and_a_missing_input_stays_missing() {
    let p = Project::new(
        "version: 1\nrelease: {name: demo, version: '1.0'}\nsources:\n  tests: {junit: [\"reports/*.xml\", \"e2e/*.xml\"]}\nchecks:\n  regression: {min_pass_rate: 90%}\n",
    )
    .copy("reports/a.xml", &corpus("surefire--failures-and-errors.xml"));
    let out = tempfile::tempdir().unwrap();
    assert_eq!(record(&p.policy(), out.path(), NOW), 1);
    std::fs::create_dir_all(p.dir.path().join("e2e")).unwrap();
    std::fs::copy(
        corpus("nextest--basic.xml"),
        p.dir.path().join("e2e/late.xml"),
    )
    .unwrap();
    let out_json = replay(out.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out_json).unwrap();
    assert_eq!(
        r["checks"][0]["status"], "missing",
        "a file added later is not in the record"
    );
    assert!(
        r["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no JUnit report matched `e2e/*.xml`")
    );
}

#[test]
fn an_unreadable_input_is_recorded_and_replays_as_exit_4() {
    let p = Project::new(
        "version: 1\nrelease: {name: demo, version: '1.0'}\nsources:\n  tests: {junit: [\"reports/*.xml\"]}\nchecks:\n  regression: {min_pass_rate: 90%}\n",
    )
    .copy("reports/bad.xml", &corpus("corrupt--truncated-pytest.xml"));
    let out = tempfile::tempdir().unwrap();
    assert_eq!(record(&p.policy(), out.path(), NOW), 4);
    replay(out.path()).assert().code(4);
}

#[test]
fn a_changed_file_in_the_record_is_refused_with_exit_4() {
    let p = signed_release();
    let out = tempfile::tempdir().unwrap();
    record(&p.policy(), out.path(), "2026-11-24T12:00:00Z");
    let stored = out
        .path()
        .join("evidence/files/tests/reports/pytest.xml.recorded");
    let text = std::fs::read_to_string(&stored)
        .unwrap()
        .replace("skipped=\"1\"", "skipped=\"0\"");
    std::fs::write(&stored, text).unwrap();
    replay(out.path())
        .assert()
        .code(4)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("has been altered"))
        .stderr(predicate::str::contains(
            "`evidence/files/tests/reports/pytest.xml.recorded` (the tests input `reports/pytest.xml`) has SHA-256",
        ));
}

#[test]
fn a_changed_report_json_is_refused_too() {
    let p = signed_release();
    let out = tempfile::tempdir().unwrap();
    record(&p.policy(), out.path(), "2026-11-24T12:00:00Z");
    let path = out.path().join("report.json");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("\"decision\": \"ready\"", "\"decision\": \"blocked\"");
    std::fs::write(&path, text).unwrap();
    replay(out.path())
        .assert()
        .code(4)
        .stderr(predicate::str::contains("`report.json` (the JSON report)"));
}

#[test]
fn now_overrides_the_recorded_time_and_the_difference_is_said() {
    let p = signed_release();
    let out = tempfile::tempdir().unwrap();
    record(&p.policy(), out.path(), "2026-11-24T12:00:00Z");
    replay(out.path())
        .args(["--now", "2026-12-24T12:00:00Z"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the replay differs from the recorded report.json",
        ))
        .stderr(predicate::str::contains("check `uat.signoff`: pass → fail"));
}

#[test]
fn the_policy_s_variables_are_replayed_as_recorded() {
    let p = Project::new(
        "version: 1\nrelease: {name: demo, version: '${RELEASE_VERSION}'}\nsources:\n  tests: {junit: [\"reports/*.xml\"]}\nchecks:\n  regression: {min_pass_rate: 10%}\n",
    )
    .copy("reports/a.xml", &corpus("nextest--basic.xml"));
    let out = tempfile::tempdir().unwrap();
    shipgate()
        .env("RELEASE_VERSION", "7.1.0")
        .args(["check", "--now", NOW, "--policy"])
        .arg(p.policy())
        .arg("--report-dir")
        .arg(out.path())
        .assert()
        .code(0);
    let out_json = replay(out.path())
        .env("SHIPGATE_POLICY", "somewhere/else.yaml")
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "`somewhere/else.yaml` (from --policy or SHIPGATE_POLICY) is not read",
        ))
        .get_output()
        .stdout
        .clone();
    let r: Value = serde_json::from_slice(&out_json).unwrap();
    assert_eq!(r["release"]["version"], "7.1.0");
}

#[test]
fn a_folder_without_a_record_is_exit_4_and_replaying_into_itself_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    replay(empty.path())
        .assert()
        .code(4)
        .stderr(predicate::str::contains("holds no release record"));
    let p = signed_release();
    let out = tempfile::tempdir().unwrap();
    record(&p.policy(), out.path(), "2026-11-24T12:00:00Z");
    replay(out.path())
        .arg("--report-dir")
        .arg(out.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is the record being replayed"));
}

#[test]
fn a_replay_can_be_recorded_again_and_replays_the_same() {
    let p = signed_release();
    let first = tempfile::tempdir().unwrap();
    let second = tempfile::tempdir().unwrap();
    record(&p.policy(), first.path(), "2026-11-24T12:00:00Z");
    replay(first.path())
        .arg("--report-dir")
        .arg(second.path())
        .assert()
        .code(0);
    let a = read_json(&first.path().join("evidence/manifest.json"));
    let b = read_json(&second.path().join("evidence/manifest.json"));
    assert_eq!(a["files"], b["files"]);
    assert_eq!(a["policy"], b["policy"]);
    assert_eq!(
        std::fs::read(first.path().join("report.json")).unwrap(),
        std::fs::read(second.path().join("report.json")).unwrap()
    );
}

/// Load-test statistics (p-values, bootstrap bounds) are floats: a replay must read them back
/// bit for bit, or the comparison with the recorded report would flag a difference that is not
/// there.
#[test]
fn a_performance_decision_replays_identically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("record");
    assert_eq!(
        record(&repo("examples/performance/shipgate.yaml"), &out, NOW),
        1
    );
    assert!(
        out.join("evidence/files/performance/perf/current.jtl")
            .exists()
    );
    assert!(
        out.join("evidence/files/performance-baseline/perf/baseline.json")
            .exists()
    );
    let output = replay(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        output.stdout,
        std::fs::read(out.join("report.json")).unwrap()
    );
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("the replay gives the same report as the recorded report.json"),
        "{stderr}"
    );
}

/// `evidence.provenance` covers the current load-test run: when it ran and which commit it
/// measured, when its file records them.
#[test]
fn provenance_covers_the_current_load_test_run() {
    let policy = "\
version: 1
release: {name: api, version: '1.0', commit: 3f2a9c1d}
sources:
  performance:
    current: {path: perf/current.json}
checks:
  performance:
    - {metric: checkout.p95, max: 500ms}
  provenance:
    max_age: {performance: 7d}
";
    let run = |run_at: &str, commit: &str| {
        format!(
            r#"{{"tool": {{"name": "wrk2"}}, "run_at": "{run_at}", "commit": "{commit}",
               "metrics": [{{"name": "checkout.p95", "unit": "ms", "value": 231.5}}]}}"#
        )
    };
    let verdict = |json: String| -> (i32, Value) {
        let p = Project::new(policy).file("perf/current.json", json.as_bytes());
        let out = p.check().args(["--format", "json"]).output().unwrap();
        let report: Value = serde_json::from_slice(&out.stdout).unwrap();
        let check = report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "evidence.provenance")
            .unwrap()
            .clone();
        (out.status.code().unwrap(), check)
    };
    let (code, c) = verdict(run("2026-11-23T10:00:00Z", "3f2a9c1d"));
    assert_eq!((code, c["status"].as_str()), (0, Some("pass")), "{c:#}");
    let (code, c) = verdict(run("2026-11-23T10:00:00Z", "0000000aa"));
    assert_eq!(code, 1, "{c:#}");
    assert!(
        c["message"].as_str().unwrap().contains("perf/current.json"),
        "{c:#}"
    );
    let (code, c) = verdict(run("2026-11-01T10:00:00Z", "3f2a9c1d"));
    assert_eq!(code, 1, "a run older than 7 days blocks: {c:#}");
}

/// The history of earlier runs is kept as the gate computed it (not the runs' files, which can
/// be gigabytes), the quarantine as a file, and both replay to the same report.
#[test]
fn flaky_history_and_quarantine_replay_identically() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("record");
    assert_eq!(record(&repo("examples/flaky/shipgate.yaml"), &out, NOW), 1);
    assert!(out.join("evidence/fetched/history/history.json").exists());
    assert!(
        out.join("evidence/files/quarantine/quarantine.yaml")
            .exists()
    );
    let recorded = read_json(&out.join("report.json"));
    let history_inputs = recorded["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["source"] == "history")
        .count();
    assert!(
        history_inputs >= 5,
        "every earlier run's file is in the report's inputs"
    );
    let output = replay(&out).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        output.stdout,
        std::fs::read(out.join("report.json")).unwrap()
    );
    // The kept history is part of the record: changing it is refused.
    let kept = out.join("evidence/fetched/history/history.json");
    let text = std::fs::read_to_string(&kept)
        .unwrap()
        .replacen("\"loaded\"", "\"missing\"", 1);
    std::fs::write(&kept, text).unwrap();
    replay(&out).assert().code(4);
}

/// The manifest's SHA-256 printed when the record is written is the hash of the file on disk:
/// the value to keep where the record cannot be edited.
#[test]
fn the_printed_manifest_hash_is_the_manifest_s() {
    let p = signed_release();
    let out = tempfile::tempdir().unwrap();
    let stderr = shipgate()
        .args(["check", "--now", "2026-11-24T12:00:00Z", "--policy"])
        .arg(p.policy())
        .arg("--report-dir")
        .arg(out.path())
        .assert()
        .code(0)
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8(stderr).unwrap();
    let printed = stderr
        .split("manifest SHA-256 ")
        .nth(1)
        .and_then(|rest| rest.get(..64))
        .unwrap_or_else(|| panic!("{stderr}"));
    let bytes = std::fs::read(out.path().join("evidence/manifest.json")).unwrap();
    assert_eq!(printed, shipgate_evaluator::sha256_hex(&bytes));
}

/// Ten tests of one suite, `failing` of them failed.
fn suite(failing: usize) -> String {
    let mut xml = String::from("<testsuite name=\"s\">");
    for i in 0..10 {
        if i < failing {
            xml.push_str(&format!(
                "<testcase classname=\"app.T\" name=\"t{i}\"><failure message=\"boom\"/></testcase>"
            ));
        } else {
            xml.push_str(&format!("<testcase classname=\"app.T\" name=\"t{i}\"/>"));
        }
    }
    xml.push_str("</testsuite>");
    xml
}

const GLOB_POLICY: &str = "version: 1\nrelease: {name: demo, version: '1.0'}\nsources:\n  tests: {junit: [\"reports/**/*.xml\"]}\nchecks:\n  regression: {min_pass_rate: 95%}\n";

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// A release record that lands inside a JUnit glob (an earlier run's `--report-dir`, an
/// artifact unpacked into the workspace) is never read as evidence: its copy of the old,
/// passing reports and its own `gate-junit.xml` would outvote this run's failure.
#[test]
fn a_release_record_inside_a_junit_glob_is_never_read_as_evidence() {
    let p = Project::new(GLOB_POLICY).file("reports/a.xml", suite(0).as_bytes());
    let elsewhere = tempfile::tempdir().unwrap();
    assert_eq!(record(&p.policy(), elsewhere.path(), NOW), 0);
    copy_tree(elsewhere.path(), &p.dir.path().join("reports/gate"));
    assert!(
        p.dir
            .path()
            .join("reports/gate/evidence/files/tests/reports/a.xml.recorded")
            .is_file()
    );
    std::fs::write(p.dir.path().join("reports/a.xml"), suite(1)).unwrap();
    let out = p.check().args(["--format", "json"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let inputs: Vec<&str> = r["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["reports/a.xml"]);
    assert!(stderr.contains("release record"), "{stderr}");
    assert!(stderr.contains("reports/gate"), "{stderr}");
}

/// `--report-dir` where the policy's own globs would read the record next time is refused
/// before anything is written; a folder the globs do not reach is fine.
#[test]
fn a_report_dir_the_globs_would_read_is_refused() {
    let p = Project::new(GLOB_POLICY).file("reports/a.xml", suite(0).as_bytes());
    p.check()
        .arg("--report-dir")
        .arg(p.dir.path().join("reports/gate"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("reports/**/*.xml"))
        .stderr(predicate::str::contains("gate-junit.xml"));
    assert!(!p.dir.path().join("reports/gate/evidence").exists());
    // One level only: `reports/*.xml` never reaches `reports/gate/...`.
    let shallow = Project::new(&GLOB_POLICY.replace("reports/**/*.xml", "reports/*.xml"))
        .file("reports/a.xml", suite(0).as_bytes());
    shallow
        .check()
        .arg("--report-dir")
        .arg(shallow.dir.path().join("reports/gate"))
        .assert()
        .code(0);
}

const UAT_POLICY: &str = "version: 1\nrelease: {name: pay, version: '2.0'}\nsources:\n  uat: {signoff: uat.yaml}\nchecks:\n  uat: {required_roles: [po]}\n";
const UAT_RECORD: &str = "release: pay\nversion: '2.0'\ndecision: approved\nsignoffs:\n  - {name: Dana, role: po, at: '2026-11-20T10:00:00Z', meaning: approval}\n";

/// An input that was found but could not be read (here the sign-off's signature is a folder)
/// is recorded as such, and a replay reads it as unreadable again: not as absent, which would
/// make the sign-off "unsigned" and the replay READY where the live run said exit 4.
#[test]
fn an_input_that_could_not_be_read_replays_as_unreadable() {
    let p = Project::new(UAT_POLICY).file("uat.yaml", UAT_RECORD.as_bytes());
    std::fs::create_dir_all(p.dir.path().join("uat.yaml.sig")).unwrap();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(record(&p.policy(), out.path(), NOW), 4);
    let manifest = read_json(&out.path().join("evidence/manifest.json"));
    assert_eq!(manifest["manifest_version"], 2);
    let absent = manifest["absent"].as_array().unwrap();
    assert_eq!(absent.len(), 1, "{absent:#?}");
    assert_eq!(absent[0]["source"], "uat");
    assert_eq!(absent[0]["path"], "uat.yaml.sig");
    assert_eq!(absent[0]["state"], "unreadable");
    assert_eq!(absent[0]["error"], "it is a folder, not a file");
    drop(p);
    let output = replay(out.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(
        output.stdout,
        std::fs::read(out.path().join("report.json")).unwrap(),
        "the same report, message included"
    );
}

/// A file that was not found is recorded as not found, and stays not found at replay.
#[test]
fn an_input_that_was_not_found_is_recorded_as_not_found() {
    let p = Project::new(UAT_POLICY).file("uat.yaml", UAT_RECORD.as_bytes());
    let out = tempfile::tempdir().unwrap();
    assert_eq!(record(&p.policy(), out.path(), NOW), 0);
    let manifest = read_json(&out.path().join("evidence/manifest.json"));
    let absent = manifest["absent"].as_array().unwrap();
    assert_eq!(absent.len(), 1, "{absent:#?}");
    assert_eq!(absent[0]["path"], "uat.yaml.sig");
    assert_eq!(absent[0]["state"], "not-found");
    // Created after the record was made: the replay still finds no signature.
    std::fs::write(p.dir.path().join("uat.yaml.sig"), "not a signature").unwrap();
    replay(out.path()).assert().code(0);
}

/// The quarantine file is read whole by shipgate; one that cannot be read (a folder) blocks
/// with exit 4 live and at replay.
#[test]
fn an_unreadable_quarantine_replays_as_unreadable() {
    let p = Project::new(
        "version: 1\nrelease: {name: demo, version: '1.0'}\nsources:\n  tests:\n    junit: [\"reports/*.xml\"]\n    history: [\"history/*/*.xml\"]\n    quarantine: quarantine.yaml\nchecks:\n  regression: {min_pass_rate: 10%}\n  flaky: {max_rate: 50%}\n",
    )
    .copy("reports/a.xml", &corpus("nextest--basic.xml"))
    .copy("history/1/a.xml", &corpus("nextest--basic.xml"));
    std::fs::create_dir_all(p.dir.path().join("quarantine.yaml")).unwrap();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(record(&p.policy(), out.path(), NOW), 4);
    drop(p);
    replay(out.path()).assert().code(4);
}

/// The readers outside the resolver (load-test results, a defect export) replay a file they
/// could not read with the error the recorded run got, not as a missing file.
#[test]
fn unreadable_performance_and_defect_files_replay_with_their_error() {
    let p = Project::new(
        "version: 1\nrelease: {name: demo, version: '1.0'}\nsources:\n  performance:\n    current: {path: perf/current.json}\n  defects: {kind: file, path: defects.json}\nchecks:\n  performance:\n    - {metric: checkout.p95, max: 500ms}\n  defects:\n    max_open: {critical: 0}\n",
    );
    std::fs::create_dir_all(p.dir.path().join("perf/current.json")).unwrap();
    std::fs::create_dir_all(p.dir.path().join("defects.json")).unwrap();
    let out = tempfile::tempdir().unwrap();
    assert_eq!(record(&p.policy(), out.path(), NOW), 4);
    let manifest = read_json(&out.path().join("evidence/manifest.json"));
    let states: Vec<(String, String)> = manifest["absent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["path"].as_str().unwrap().to_owned(),
                a["state"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        states,
        [
            ("defects.json".to_owned(), "unreadable".to_owned()),
            ("perf/current.json".to_owned(), "unreadable".to_owned())
        ]
    );
    drop(p);
    let output = replay(out.path()).output().unwrap();
    assert_eq!(output.status.code(), Some(4));
    assert_eq!(
        output.stdout,
        std::fs::read(out.path().join("report.json")).unwrap()
    );
}

/// Rewrites the manifest of the record in `out` with `edit`.
fn edit_manifest(out: &Path, edit: impl FnOnce(&mut Value)) {
    let path = out.join("evidence/manifest.json");
    let mut manifest = read_json(&path);
    edit(&mut manifest);
    std::fs::write(&path, serde_json::to_vec_pretty(&manifest).unwrap()).unwrap();
}

/// A record, in a fresh folder, of a decision made with `RELEASE_VERSION=version` on this run's
/// reports `a.xml` (passing) and, with `failing`, `b.xml` (one failure), and a sign-off of 2.0
/// signed at `signed_at`.
fn record_of(version: &str, failing: bool, signed_at: &str) -> (Project, tempfile::TempDir, i32) {
    let mut p = Project::new(
        "version: 1\nrelease: {name: pay, version: '${RELEASE_VERSION}'}\nsources:\n  tests: {junit: [\"reports/*.xml\"]}\n  uat: {signoff: uat.yaml}\nchecks:\n  regression: {min_pass_rate: 100%}\n  uat: {required_roles: [po], max_age: 7d}\n",
    )
    .file("reports/a.xml", suite(0).as_bytes())
    .file(
        "uat.yaml",
        UAT_RECORD.replace("2026-11-20T10:00:00Z", signed_at).as_bytes(),
    );
    if failing {
        // Another suite: the same tests in two files would be a repeated run (exit 4).
        let other = suite(1).replacen("name=\"s\"", "name=\"s2\"", 1);
        p = p.file("reports/b.xml", other.as_bytes());
    }
    let out = tempfile::tempdir().unwrap();
    let code = shipgate()
        .env("RELEASE_VERSION", version)
        .args(["check", "--now", NOW, "--policy"])
        .arg(p.policy())
        .arg("--report-dir")
        .arg(out.path())
        .output()
        .unwrap()
        .status
        .code()
        .unwrap();
    (p, out, code)
}

/// A record of a blocked decision: a failing report, and the wrong version.
fn blocked_record() -> (Project, tempfile::TempDir) {
    let (p, out, code) = record_of("1.9", true, "2026-11-20T10:00:00Z");
    assert_eq!(code, 1);
    (p, out)
}

/// Editing only the manifest (not one hashed file) must not steer a replay to READY: a replay
/// at the recorded time that does not reach the recorded decision is refused.
#[test]
fn a_replay_that_does_not_reproduce_the_recorded_decision_is_refused() {
    type Edit = fn(&mut Value);
    let cases: [(&str, bool, &str, Edit); 3] = [
        // A `${VAR}` value: the release becomes the version the sign-off approves.
        ("1.9", false, "2026-11-20T10:00:00Z", |m| {
            m["policy"]["env"]["RELEASE_VERSION"] = "2.0".into();
        }),
        // What the glob matched: the failing report is dropped.
        ("2.0", true, "2026-11-20T10:00:00Z", |m| {
            m["globs"][0]["matched"] = serde_json::json!(["reports/a.xml"]);
        }),
        // When: the sign-off, too old at the recorded time, was recent then.
        ("2.0", false, "2026-11-10T10:00:00Z", |m| {
            m["evaluated_at"] = "2026-11-12T10:00:00Z".into();
        }),
    ];
    for (version, failing, signed_at, edit) in cases {
        let (_p, out, code) = record_of(version, failing, signed_at);
        assert_eq!(code, 1);
        edit_manifest(out.path(), edit);
        // Without the check, the edited manifest replays as READY.
        replay(out.path())
            .assert()
            .code(4)
            .stdout(predicate::str::is_empty())
            .stderr(predicate::str::contains(
                "the record does not reproduce its own decision",
            ))
            .stderr(predicate::str::contains(
                "decision: \"blocked\" → \"ready\"",
            ));
    }
}

/// A manifest that names no JSON report, or another file as it, is refused: shipgate always
/// records the report, and it is what a replay is checked against.
#[test]
fn a_manifest_without_its_report_is_refused() {
    let (_p, out) = blocked_record();
    edit_manifest(out.path(), |m| m["report"] = Value::Null);
    replay(out.path())
        .assert()
        .code(4)
        .stderr(predicate::str::contains("names no JSON report"));
    std::fs::remove_file(out.path().join("report.json")).unwrap();
    replay(out.path())
        .assert()
        .code(4)
        .stderr(predicate::str::contains("names no JSON report"));

    let (_p, out) = blocked_record();
    edit_manifest(out.path(), |m| {
        let policy = m["policy"].clone();
        m["report"]["stored"] = policy["stored"].clone();
        m["report"]["sha256"] = policy["sha256"].clone();
        m["report"]["bytes"] = policy["bytes"].clone();
    });
    replay(out.path())
        .assert()
        .code(4)
        .stderr(predicate::str::contains("not `report.json`"));
}

/// The manifest's SHA-256, printed when the record is written and kept where it cannot be
/// edited, is the trust anchor: `--expect-manifest` refuses any other manifest, even one that
/// was rewritten consistently.
#[test]
fn expect_manifest_refuses_any_other_manifest() {
    let (_p, out) = blocked_record();
    let bytes = std::fs::read(out.path().join("evidence/manifest.json")).unwrap();
    let sha = shipgate_evaluator::sha256_hex(&bytes);
    replay(out.path())
        .args(["--expect-manifest", &sha.to_uppercase()])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!("manifest SHA-256 {sha}")));
    // Rewritten, and replayed at another time (where a differing decision is expected).
    edit_manifest(out.path(), |m| {
        m["policy"]["env"]["RELEASE_VERSION"] = "2.0".into();
        m["globs"][0]["matched"] = serde_json::json!(["reports/a.xml"]);
    });
    replay(out.path()).args(["--now", NOW]).assert().code(0);
    replay(out.path())
        .args(["--now", NOW, "--expect-manifest", &sha])
        .assert()
        .code(4)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("not the expected"));
    shipgate()
        .args(["check", "--expect-manifest", "abc"])
        .arg("--from-snapshot")
        .arg(out.path())
        .assert()
        .code(2);
}

/// A replay of a record whose gate used the history of earlier runs can be recorded again, and
/// that record replays the same: the history is stored as it was fetched, not as a missing file.
#[test]
fn a_replay_with_history_can_be_recorded_again() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    assert_eq!(
        record(&repo("examples/flaky/shipgate.yaml"), &first, NOW),
        1
    );
    let output = replay(&first)
        .arg("--report-dir")
        .arg(&second)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        second
            .join("evidence/fetched/history/history.json")
            .is_file()
    );
    let a = read_json(&first.join("evidence/manifest.json"));
    let b = read_json(&second.join("evidence/manifest.json"));
    assert_eq!(a["fetched"], b["fetched"]);
    assert_eq!(a["files"], b["files"]);
    let output = replay(&second).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        output.stdout,
        std::fs::read(first.join("report.json")).unwrap()
    );
}

/// A CI that collects every `*.xml` under the report folder (CircleCI's `store_test_results:
/// path: shipgate-report`) must find the gate's own results and nothing else: the record's
/// copies of the evaluated JUnit files (passing tests of a blocked release) once came along as
/// the gate job's results.
#[test]
fn the_only_xml_file_in_a_report_folder_is_the_gate_s_own_junit() {
    let p = signed_release();
    let out = tempfile::tempdir().unwrap();
    record(&p.policy(), out.path(), "2026-11-24T12:00:00Z");
    fn walk(dir: &std::path::Path, found: &mut Vec<String>, root: &std::path::Path) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found, root);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xml"))
            {
                found.push(
                    path.strip_prefix(root)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut xml = Vec::new();
    walk(out.path(), &mut xml, out.path());
    assert_eq!(xml, ["gate-junit.xml"]);
    assert!(
        out.path()
            .join("evidence/files/tests/reports/pytest.xml.recorded")
            .is_file()
    );
    // The copy is still what the replay reads.
    replay(out.path()).assert().code(0);
}
