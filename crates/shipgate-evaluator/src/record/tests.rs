//! The release record end to end: written from a live run, opened, verified and replayed.

use super::compare::{check_reproduced, compare_reports};
use super::layout::{EVIDENCE_DIR, MANIFEST_FILE, REPORT_FILE};
use super::manifest::Manifest;
use super::snapshot::{Snapshot, load_snapshot_policy};
use super::writer::write_record;
use crate::digest::sha256_hex;
use crate::error::EvaluatorError;
use crate::loaded_policy::LoadedPolicy;
use crate::resolver::{FetchedCopy, Resolver};
use crate::{GatherOptions, load_policy, run_with};
use jiff::Timestamp;
use shipgate_model::InputRecord;
use shipgate_model::Report;
use std::fs;
use std::path::{Path, PathBuf};

const POLICY: &str = "version: 1\nrelease: {name: pay, version: '${V:-1.0}'}\nsources:\n  tests: {junit: [\"r/*.xml\", \"../shared/*.xml\"]}\n  uat: {signoff: uat.yaml}\nchecks:\n  regression: {min_pass_rate: 50%}\n  uat: {required_roles: [po]}\n";
const JUNIT: &str = r#"<testsuite name="s" timestamp="2026-11-24T08:00:00"><testcase classname="a.B" name="t1"/><testcase classname="a.B" name="t2"><failure/></testcase></testsuite>"#;
const RECORD: &str = "release: pay\nversion: '2.0'\ndecision: approved\nsignoffs:\n  - {name: Dana, role: po, at: '2026-11-20T10:00:00Z', meaning: approval}\n";

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

/// A project under `root/project` (with one input outside it, in `root/shared`), and a
/// report folder `root/out` recorded from a live run with `V=2.0`.
fn recorded() -> (tempfile::TempDir, Report) {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("project");
    fs::create_dir_all(project.join("r")).unwrap();
    fs::create_dir_all(root.path().join("shared")).unwrap();
    fs::write(project.join("shipgate.yaml"), POLICY).unwrap();
    fs::write(project.join("r/a.xml"), JUNIT).unwrap();
    fs::write(root.path().join("shared/b.xml"), JUNIT).unwrap();
    fs::write(project.join("uat.yaml"), RECORD).unwrap();
    let env = |name: &str| (name == "V").then(|| "2.0".to_owned());
    let loaded = load_policy(&project.join("shipgate.yaml"), &env).unwrap();
    let resolver = Resolver::live(&loaded.base_dir, true);
    let report = run_with(&loaded, &resolver, now(), &GatherOptions::default());
    let json = serde_json::to_vec_pretty(&report).unwrap();
    let out = root.path().join("out");
    fs::create_dir_all(&out).unwrap();
    let written = write_record(&out, &loaded, &resolver, &report, &json).unwrap();
    // The hash handed back is the hash of the manifest as written.
    assert_eq!(
        written.manifest_sha256,
        sha256_hex(&fs::read(out.join(MANIFEST_FILE)).unwrap())
    );
    fs::write(out.join(REPORT_FILE), &json).unwrap();
    (root, report)
}

fn replay(out: &Path) -> Report {
    let snapshot = Snapshot::open(out).unwrap();
    let loaded = load_snapshot_policy(&snapshot).unwrap();
    let at = snapshot.manifest().evaluated_at;
    run_with(
        &loaded,
        &Resolver::replay(snapshot),
        at,
        &GatherOptions::default(),
    )
}

#[test]
fn a_replay_of_the_record_gives_the_same_report() {
    let (root, report) = recorded();
    assert_eq!(report.release.version.as_deref(), Some("2.0"));
    assert_eq!(report.inputs.len(), 3, "{:#?}", report.inputs);
    // Offline: the live files are gone.
    fs::remove_dir_all(root.path().join("project")).unwrap();
    fs::remove_dir_all(root.path().join("shared")).unwrap();
    let out = root.path().join("out");
    let replayed = replay(&out);
    assert_eq!(
        serde_json::to_string_pretty(&replayed).unwrap(),
        serde_json::to_string_pretty(&report).unwrap()
    );
    let snapshot = Snapshot::open(&out).unwrap();
    let recorded = snapshot.recorded_report().unwrap().unwrap();
    assert!(compare_reports(&recorded, &replayed).is_empty());
    let m = snapshot.manifest();
    assert_eq!(m.policy.env.get("V"), Some(&Some("2.0".to_owned())));
    let stored: Vec<&str> = m.files.iter().map(|f| f.stored.as_str()).collect();
    assert_eq!(
        stored,
        [
            "evidence/files/tests/_up/shared/b.xml.recorded",
            "evidence/files/tests/r/a.xml.recorded",
            "evidence/files/uat/uat.yaml"
        ]
    );
}

#[test]
fn what_was_missing_stays_missing_at_replay() {
    let (root, report) = recorded();
    let uat = report
        .checks
        .iter()
        .find(|c| c.id == "uat.signoff")
        .unwrap();
    assert_eq!(uat.details["signature"]["status"], "unsigned");
    let replayed = replay(&root.path().join("out"));
    let uat = replayed
        .checks
        .iter()
        .find(|c| c.id == "uat.signoff")
        .unwrap();
    assert_eq!(uat.details["signature"]["status"], "unsigned");
}

#[test]
fn a_changed_stored_file_is_refused() {
    let (root, _) = recorded();
    let out = root.path().join("out");
    fs::write(
        out.join("evidence/files/tests/r/a.xml.recorded"),
        JUNIT.replace("<failure/>", ""),
    )
    .unwrap();
    match Snapshot::open(&out).unwrap_err() {
        EvaluatorError::SnapshotTampered { problems, .. } => {
            assert_eq!(problems.len(), 1, "{problems:#?}");
            assert!(
                problems[0].starts_with(
                    "`evidence/files/tests/r/a.xml.recorded` (the tests input `r/a.xml`) has SHA-256"
                ),
                "{}",
                problems[0]
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_changed_report_policy_missing_or_extra_file_is_refused() {
    let (root, _) = recorded();
    let out = root.path().join("out");
    fs::write(out.join(REPORT_FILE), "{}").unwrap();
    fs::remove_file(out.join("evidence/policy/shipgate.yaml")).unwrap();
    fs::write(out.join("evidence/files/tests/r/c.xml"), JUNIT).unwrap();
    match Snapshot::open(&out).unwrap_err() {
        EvaluatorError::SnapshotTampered { problems, .. } => {
            let text = problems.join("\n");
            assert!(
                text.contains("`evidence/policy/shipgate.yaml` (the policy"),
                "{text}"
            );
            assert!(
                text.contains("`report.json` (the JSON report) has SHA-256"),
                "{text}"
            );
            assert!(
                text.contains(
                    "`evidence/files/tests/r/c.xml` is in the record but not in its manifest"
                ),
                "{text}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_manifest_cannot_point_outside_the_record() {
    let (root, _) = recorded();
    let out = root.path().join("out");
    let path = out.join(MANIFEST_FILE);
    let text = fs::read_to_string(&path)
        .unwrap()
        .replace("evidence/files/uat/uat.yaml", "../project/uat.yaml");
    fs::write(&path, text).unwrap();
    match Snapshot::open(&out).unwrap_err() {
        EvaluatorError::SnapshotTampered { problems, .. } => {
            assert!(
                problems[0].contains("outside the record's `evidence/` folder"),
                "{problems:#?}"
            );
            assert!(problems[1].contains("not in its manifest"), "{problems:#?}");
        }
        other => panic!("{other:?}"),
    }
}

/// A replay evaluates at the recorded time: one edited to drop its zone would move every
/// waiver's and evidence's age by the reader's guess, so it is refused, naming the field.
#[test]
fn a_recorded_time_without_a_zone_is_refused() {
    let (root, _) = recorded();
    let out = root.path().join("out");
    let manifest = fs::read_to_string(out.join(MANIFEST_FILE)).unwrap();
    let recorded_at = "\"evaluated_at\": \"2026-11-24T10:00:00Z\"";
    assert!(manifest.contains(recorded_at), "{manifest}");
    for edited in [
        "2026-11-24T10:00:00",
        "2026-11-24",
        "2026-11-24T10:00:00+01:00[UTC]",
    ] {
        fs::write(
            out.join(MANIFEST_FILE),
            manifest.replace(recorded_at, &format!("\"evaluated_at\": \"{edited}\"")),
        )
        .unwrap();
        let err = Snapshot::open(&out).unwrap_err().to_string();
        assert!(err.contains("is not a release manifest"), "{edited}: {err}");
        assert!(err.contains(&format!("`{edited}`")), "{edited}: {err}");
    }
}

#[test]
fn a_folder_without_a_record_or_with_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let err = Snapshot::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("holds no release record"), "{err}");
    fs::create_dir_all(dir.path().join(EVIDENCE_DIR)).unwrap();
    fs::write(dir.path().join(MANIFEST_FILE), r#"{"manifest_version": 3}"#).unwrap();
    let err = Snapshot::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("written by a newer shipgate"), "{err}");
    fs::write(dir.path().join(MANIFEST_FILE), r#"{"manifest_version": 1}"#).unwrap();
    let err = Snapshot::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("written by an earlier shipgate"), "{err}");
    fs::write(dir.path().join(MANIFEST_FILE), "[]").unwrap();
    let err = Snapshot::open(dir.path()).unwrap_err().to_string();
    assert!(err.contains("is not a release manifest"), "{err}");
}

#[test]
fn a_manifest_with_a_key_twice_or_an_unknown_key_is_refused() {
    let (root, _) = recorded();
    let out = root.path().join("out");
    let manifest = out.join(MANIFEST_FILE);
    let text = fs::read_to_string(&manifest).unwrap();
    assert!(Snapshot::open(&out).is_ok());
    let twice = text.replacen(
        "\"evaluated_at\":",
        "\"evaluated_at\": \"2020-01-01T00:00:00Z\",\n  \"evaluated_at\":",
        1,
    );
    fs::write(&manifest, &twice).unwrap();
    let err = Snapshot::open(&out).unwrap_err().to_string();
    assert!(
        err.contains("`evidence/manifest.json` is not a release manifest: the key `evaluated_at` appears twice (line"),
        "{err}"
    );
    let typo = text.replacen("\"evaluated_at\":", "\"evaluatd_at\":", 1);
    fs::write(&manifest, &typo).unwrap();
    let err = Snapshot::open(&out).unwrap_err().to_string();
    assert!(
        err.contains("unknown key `evaluatd_at` (line")
            && err.contains("did you mean `evaluated_at`?"),
        "{err}"
    );
}

/// A fetched source keeps what it fetched; the record stores it, and at replay the source
/// finds it through `Resolver::fetched` instead of the network.
#[test]
fn fetched_data_is_stored_and_found_again_at_replay() {
    let (root, report) = recorded();
    let project = root.path().join("project");
    let env = |name: &str| (name == "V").then(|| "2.0".to_owned());
    let loaded = load_policy(&project.join("shipgate.yaml"), &env).unwrap();
    let resolver = Resolver::live(&loaded.base_dir, true);
    let mut report2 = run_with(&loaded, &resolver, now(), &GatherOptions::default());
    let fetched = br#"[{"key": "PAY-1"}]"#.to_vec();
    resolver.keep_fetched(FetchedCopy {
        source: "defects".into(),
        origin: "https://acme.atlassian.net/rest/api/3/search/jql".into(),
        file_name: "defects.json".into(),
        bytes: fetched.clone(),
    });
    report2.inputs.push(InputRecord {
        source: "defects".into(),
        path: "https://acme.atlassian.net/rest/api/3/search/jql".into(),
        sha256: sha256_hex(&fetched),
        bytes: fetched.len() as u64,
    });
    let out = root.path().join("out2");
    fs::create_dir_all(&out).unwrap();
    let m = write_record(&out, &loaded, &resolver, &report2, b"{}")
        .unwrap()
        .manifest;
    assert_eq!(m.fetched[0].stored, "evidence/fetched/defects/defects.json");
    assert_eq!(m.files.len(), report.inputs.len());
    fs::write(out.join(REPORT_FILE), b"{}").unwrap();
    let replay = Resolver::replay(Snapshot::open(&out).unwrap());
    let found = replay.fetched("defects").unwrap();
    assert_eq!(fs::read(&found.full).unwrap(), fetched);
    assert_eq!(
        found.shown,
        "https://acme.atlassian.net/rest/api/3/search/jql"
    );
    assert!(replay.fetched("tests").is_none());
}

/// A JUnit input whose test printed the tracker's token: the copy would keep it byte for
/// byte, so no record is written, and nothing is left behind.
#[test]
fn a_record_that_would_keep_a_secret_is_refused() {
    let root = tempfile::tempdir().unwrap();
    let project = root.path().join("project");
    fs::create_dir_all(project.join("r")).unwrap();
    fs::write(project.join("shipgate.yaml"), TRACKER_POLICY).unwrap();
    let token = "tok-4c1d-recorded-never";
    let junit = JUNIT.replace(
        "</testsuite>",
        &format!("<system-out>env: TRACKER_TOKEN={token}</system-out></testsuite>"),
    );
    assert!(junit.contains(token));
    fs::write(project.join("r/a.xml"), &junit).unwrap();
    let env = |name: &str| match name {
        "TRACKER_USER" => Some("qa@acme.example".to_owned()),
        "TRACKER_TOKEN" => Some(token.to_owned()),
        _ => None,
    };
    let loaded = load_policy(&project.join("shipgate.yaml"), &env).unwrap();
    let resolver = Resolver::live(&loaded.base_dir, true);
    let options = GatherOptions {
        offline: true,
        ..GatherOptions::default()
    };
    let report = run_with(&loaded, &resolver, now(), &options);
    let out = root.path().join("out");
    fs::create_dir_all(&out).unwrap();
    match write_record(&out, &loaded, &resolver, &report, b"{}").unwrap_err() {
        EvaluatorError::SecretInRecord { path, env } => {
            assert_eq!((path.as_str(), env.as_str()), ("r/a.xml", "TRACKER_TOKEN"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fs::read_dir(&out).unwrap().count(), 0, "no partial record");
    // The same run without the token in its environment has nothing to hide.
    let loaded = load_policy(&project.join("shipgate.yaml"), &|_| None).unwrap();
    let resolver = Resolver::live(&loaded.base_dir, true);
    let report = run_with(&loaded, &resolver, now(), &options);
    write_record(&out, &loaded, &resolver, &report, b"{}").unwrap();
    // A report that still holds it is refused as well.
    let loaded = load_policy(&project.join("shipgate.yaml"), &env).unwrap();
    fs::write(project.join("r/a.xml"), JUNIT).unwrap();
    let resolver = Resolver::live(&loaded.base_dir, true);
    let report = run_with(&loaded, &resolver, now(), &options);
    let json = format!("{{\"message\": \"{token}\"}}");
    assert!(matches!(
        write_record(&out, &loaded, &resolver, &report, json.as_bytes()),
        Err(EvaluatorError::SecretInRecord { .. })
    ));
}

const TRACKER_POLICY: &str = "version: 1\nrelease: {name: pay, version: '1.0'}\nsources:\n  tests: {junit: [\"r/*.xml\"]}\n  defects:\n    kind: jira\n    url: https://acme.atlassian.net\n    user_env: TRACKER_USER\n    token_env: TRACKER_TOKEN\n    query: project = PAY\n    origin: {field: Defect origin, production: [Production], pre_production: [QA]}\nchecks:\n  regression: {min_pass_rate: 50%}\n  defects: {max_open: {critical: 9}}\n";

/// A record of a gate that read a tracker: the live run is offline, and what the tracker
/// "answered" (the example's export, in the defect JSON form) is kept as fetched.
fn tracker_record(root: &Path) -> (LoadedPolicy, PathBuf) {
    let project = root.join("project");
    fs::create_dir_all(project.join("r")).unwrap();
    fs::write(project.join("shipgate.yaml"), TRACKER_POLICY).unwrap();
    fs::write(project.join("r/a.xml"), JUNIT).unwrap();
    let loaded = load_policy(&project.join("shipgate.yaml"), &|_| None).unwrap();
    let example = load_policy(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/defects/shipgate.yaml"),
        &|_| None,
    )
    .unwrap();
    let (state, _) = crate::load_defects(
        example.policy.sources.defects.as_ref().unwrap(),
        &example.base_dir,
        &GatherOptions::default(),
    );
    let answer = crate::write_defects_json(&state.loaded().unwrap().evidence).into_bytes();
    let location = crate::defect_config(
        loaded.policy.sources.defects.as_ref().unwrap(),
        &loaded.base_dir,
    )
    .location();
    let resolver = Resolver::live(&loaded.base_dir, true);
    let options = GatherOptions {
        offline: true,
        ..GatherOptions::default()
    };
    let mut report = run_with(&loaded, &resolver, now(), &options);
    resolver.keep_fetched(FetchedCopy {
        source: "defects".into(),
        origin: location.clone(),
        file_name: "defects.json".into(),
        bytes: answer.clone(),
    });
    report.inputs.push(InputRecord {
        source: "defects".into(),
        path: location,
        sha256: sha256_hex(&answer),
        bytes: answer.len() as u64,
    });
    let out = root.join("first");
    fs::create_dir_all(&out).unwrap();
    write_record(&out, &loaded, &resolver, &report, b"{}").unwrap();
    fs::write(out.join(REPORT_FILE), b"{}").unwrap();
    (loaded, out)
}

fn record_replay(from: &Path, to: &Path) -> (Report, Manifest) {
    let snapshot = Snapshot::open(from).unwrap();
    let loaded = load_snapshot_policy(&snapshot).unwrap();
    let at = snapshot.manifest().evaluated_at;
    let resolver = Resolver::replay(snapshot);
    let report = run_with(&loaded, &resolver, at, &GatherOptions::default());
    let json = serde_json::to_vec_pretty(&report).unwrap();
    fs::create_dir_all(to).unwrap();
    let written = write_record(to, &loaded, &resolver, &report, &json).unwrap();
    fs::write(to.join(REPORT_FILE), &json).unwrap();
    (report, written.manifest)
}

/// A replay recorded again stores what the first run fetched as fetched again (not as a
/// local file), so that the second record replays the same.
#[test]
fn a_recorded_replay_keeps_what_was_fetched_as_fetched() {
    let root = tempfile::tempdir().unwrap();
    let (_, first) = tracker_record(root.path());
    let second = root.path().join("second");
    let (report, manifest) = record_replay(&first, &second);
    let defects = report
        .checks
        .iter()
        .find(|c| c.id == "defects.open")
        .unwrap();
    assert_eq!(
        defects.status,
        shipgate_model::CheckStatus::Pass,
        "{defects:#?}"
    );
    assert_eq!(manifest.fetched.len(), 1, "{:#?}", manifest.fetched);
    assert_eq!(
        manifest.fetched[0].stored,
        "evidence/fetched/defects/defects.json"
    );
    assert!(manifest.files.iter().all(|f| f.source != "defects"));
    let third = root.path().join("third");
    let (again, _) = record_replay(&second, &third);
    assert_eq!(
        serde_json::to_string(&again).unwrap(),
        serde_json::to_string(&report).unwrap()
    );
}

/// At replay the stored tracker answer must be of the tracker the policy names.
#[test]
fn stored_defects_of_another_tracker_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let (_, first) = tracker_record(root.path());
    let path = first.join(MANIFEST_FILE);
    let text = fs::read_to_string(&path).unwrap().replace(
        "\"origin\": \"https://acme.atlassian.net",
        "\"origin\": \"https://evil.example",
    );
    fs::write(&path, text).unwrap();
    let report = replay(&first);
    let c = report
        .checks
        .iter()
        .find(|c| c.id == "defects.open")
        .unwrap();
    assert_eq!(c.status, shipgate_model::CheckStatus::Error, "{c:#?}");
    assert!(
        c.message.contains("fetched from `https://evil.example"),
        "{}",
        c.message
    );
}

#[test]
fn an_input_not_read_through_the_resolver_or_changed_since_cannot_be_recorded() {
    let (root, mut report) = recorded();
    let project = root.path().join("project");
    let loaded = load_policy(&project.join("shipgate.yaml"), &|_| None).unwrap();
    let resolver = Resolver::live(&loaded.base_dir, true);
    let _ = run_with(&loaded, &resolver, now(), &GatherOptions::default());
    report.inputs.push(InputRecord {
        source: "perf".into(),
        path: "perf/k6.json".into(),
        sha256: "0".repeat(64),
        bytes: 0,
    });
    let out = root.path().join("out3");
    let err = write_record(&out, &loaded, &resolver, &report, b"{}").unwrap_err();
    assert!(
        matches!(err, EvaluatorError::InputNotRecordable { .. }),
        "{err:?}"
    );
    assert!(
        !out.join(EVIDENCE_DIR).exists(),
        "nothing half-written is left"
    );

    let resolver = Resolver::live(&loaded.base_dir, true);
    let report = run_with(&loaded, &resolver, now(), &GatherOptions::default());
    fs::write(project.join("r/a.xml"), JUNIT.replace("<failure/>", "")).unwrap();
    let err = write_record(&out, &loaded, &resolver, &report, b"{}").unwrap_err();
    assert!(
        err.to_string()
            .contains("`r/a.xml`: it changed while the gate ran"),
        "{err}"
    );
}

/// A replay at the recorded time that decides otherwise, or exits otherwise, is refused: the
/// record cannot be trusted, whichever way the decision moved.
#[test]
fn a_replay_must_reproduce_the_recorded_decision_and_exit_code() {
    use shipgate_model::Decision;
    let (_root, report) = recorded();
    assert!(check_reproduced(&report, &report.clone()).is_ok());
    let mut flipped = report.clone();
    flipped.decision = match report.decision {
        Decision::Ready => Decision::Blocked,
        Decision::Blocked => Decision::Ready,
    };
    let err = check_reproduced(&report, &flipped).unwrap_err();
    assert!(
        matches!(err, EvaluatorError::ReplayNotReproduced { .. }),
        "{err:?}"
    );
    assert!(
        err.to_string()
            .contains("the record does not reproduce its own decision"),
        "{err}"
    );
    let mut other_code = report.clone();
    other_code.exit_code = if report.exit_code == 4 { 1 } else { 4 };
    assert!(check_reproduced(&report, &other_code).is_err());
}
