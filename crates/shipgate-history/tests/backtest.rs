//! The backtest on records made by the evaluator itself, and every way it could call a release
//! "ready" that it could not replay.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use jiff::Timestamp;
use shipgate_evaluator::{GatherOptions, Resolver, load_policy, run_with, write_record};
use shipgate_history::{NewPolicy, ProductionDefects, backtest, find_records, open_all};
use shipgate_model::backtest::{BacktestDecision, BacktestReport};
use std::fs;
use std::path::{Path, PathBuf};

const RECORDED: &str = "version: 1\nrelease: {name: pay, version: '${V}'}\nsources:\n  tests: {junit: [\"reports/*.xml\"]}\nchecks:\n  regression: {min_pass_rate: 50%}\n";
const STRICT: &str = "version: 1\nrelease: {name: pay, version: '${V:-next}'}\nsources:\n  tests: {junit: [\"reports/*.xml\"]}\nchecks:\n  regression: {min_pass_rate: 100%}\n";

fn junit(failures: usize) -> String {
    let mut cases = String::new();
    for i in 0..4 {
        if i < failures {
            cases.push_str(&format!(
                "<testcase classname=\"a.B\" name=\"t{i}\"><failure message=\"boom\"/></testcase>"
            ));
        } else {
            cases.push_str(&format!("<testcase classname=\"a.B\" name=\"t{i}\"/>"));
        }
    }
    format!("<testsuite name=\"s\">{cases}</testsuite>")
}

/// Gates one release of a project under `root` with `policy` and writes its record to
/// `root/records/<folder>`, as `check --report-dir` does.
fn record(
    root: &Path,
    folder: &str,
    policy: &str,
    version: Option<&str>,
    failures: usize,
    at: &str,
) -> PathBuf {
    let project = root.join(format!("work-{folder}"));
    fs::create_dir_all(project.join("reports")).unwrap();
    fs::write(project.join("shipgate.yaml"), policy).unwrap();
    fs::write(project.join("reports/a.xml"), junit(failures)).unwrap();
    let version = version.map(str::to_owned);
    let env = move |name: &str| (name == "V").then(|| version.clone()).flatten();
    let loaded = load_policy(&project.join("shipgate.yaml"), &env).unwrap();
    let resolver = Resolver::live(&loaded.base_dir, true);
    let now: Timestamp = at.parse().unwrap();
    let report = run_with(&loaded, &resolver, now, &GatherOptions::default());
    let json = serde_json::to_vec_pretty(&report).unwrap();
    let out = root.join("records").join(folder);
    fs::create_dir_all(&out).unwrap();
    write_record(&out, &loaded, &resolver, &report, &json).unwrap();
    fs::write(out.join("report.json"), json).unwrap();
    fs::remove_dir_all(&project).unwrap();
    out
}

fn defect(key: &str, origin: &str, introduced_in: &[&str]) -> String {
    format!(
        "{{\"key\": \"{key}\", \"title\": \"t\", \"severity\": \"high\", \"origin\": \"{origin}\", \"status\": \"closed\", \"created\": \"2026-10-01T00:00:00Z\", \"resolved\": \"2026-10-02T00:00:00Z\", \"introduced_in\": {introduced_in:?}}}"
    )
}

fn defects_file(root: &Path, defects: &[String]) -> PathBuf {
    let path = root.join("defects.json");
    fs::write(
        &path,
        format!(
            "{{\"format\": \"shipgate-defects\", \"version\": 1, \"source\": \"file\", \"location\": \"defects.json\", \"defects\": [{}]}}",
            defects.join(", ")
        ),
    )
    .unwrap();
    path
}

/// Backtests `policy` (written to `root/new.yaml`) on every record under `root/records`.
fn run(root: &Path, policy: &str, defects: &[String]) -> BacktestReport {
    let path = root.join("new.yaml");
    fs::write(&path, policy).unwrap();
    let env = |_: &str| None;
    let loaded = load_policy(&path, &env).unwrap();
    // A defect file with no defect is refused (a tracker that showed nothing proves nothing):
    // every history here has at least one defect found before production.
    let mut defects = defects.to_vec();
    defects.push(defect("PAY-100", "pre-production", &["0.9"]));
    let file = defects_file(root, &defects);
    let evidence = shipgate_history::load_production_defects(
        &loaded,
        Some(&file),
        true,
        &env,
        "2026-11-24T00:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let dirs = find_records(&[root.join("records").display().to_string()]).unwrap();
    backtest(
        &NewPolicy {
            path: &path,
            loaded: &loaded,
            env: &env,
        },
        open_all(&dirs),
        &ProductionDefects {
            location: "defects.json".into(),
            defects: &evidence.defects,
        },
    )
}

fn release<'a>(
    r: &'a BacktestReport,
    version: &str,
) -> &'a shipgate_model::backtest::BacktestRelease {
    r.releases
        .iter()
        .find(|x| x.version.as_deref() == Some(version))
        .unwrap_or_else(|| panic!("no release {version}: {r:#?}"))
}

/// Three releases, each bucket checked by hand: 1.0 clean and all passing (ready, clean); 1.1
/// one failure and leaked PAY-1 (caught); 1.2 passing and leaked PAY-2 (missed).
#[test]
fn each_release_lands_in_its_bucket() {
    let root = tempfile::tempdir().unwrap();
    record(
        root.path(),
        "1.0",
        RECORDED,
        Some("1.0"),
        0,
        "2026-09-01T00:00:00Z",
    );
    record(
        root.path(),
        "1.1",
        RECORDED,
        Some("1.1"),
        1,
        "2026-09-08T00:00:00Z",
    );
    record(
        root.path(),
        "1.2",
        RECORDED,
        Some("1.2"),
        0,
        "2026-09-15T00:00:00Z",
    );
    let r = run(
        root.path(),
        STRICT,
        &[
            defect("PAY-1", "production", &["1.1"]),
            defect("PAY-2", "production", &["1.2"]),
            defect("PAY-3", "pre-production", &["1.0"]),
        ],
    );
    let versions: Vec<&str> = r
        .releases
        .iter()
        .filter_map(|x| x.version.as_deref())
        .collect();
    assert_eq!(versions, ["1.0", "1.1", "1.2"]);
    assert_eq!(release(&r, "1.0").decision, BacktestDecision::Ready);
    assert!(release(&r, "1.0").production_defects_introduced.is_empty());
    let caught = release(&r, "1.1");
    assert_eq!(caught.decision, BacktestDecision::Blocked);
    assert_eq!(caught.changed_checks, ["regression.pass-rate"]);
    assert_eq!(caught.production_defects_introduced, ["PAY-1"]);
    assert_eq!(release(&r, "1.2").decision, BacktestDecision::Ready);
    let s = &r.summary;
    assert_eq!(
        (
            s.blocked_and_leaked,
            s.ready_and_leaked,
            s.blocked_and_clean,
            s.ready_and_clean
        ),
        (1, 1, 0, 1)
    );
    assert!(r.is_complete());
}

/// A record whose stored evidence was edited after it was written is unusable, never ready.
#[test]
fn a_tampered_record_is_unusable() {
    let root = tempfile::tempdir().unwrap();
    let out = record(
        root.path(),
        "1.0",
        RECORDED,
        Some("1.0"),
        1,
        "2026-09-01T00:00:00Z",
    );
    // The failure removed from the stored copy: it would now read as all passing.
    let stored = out.join("evidence/files/tests/reports/a.xml.recorded");
    fs::write(&stored, junit(0)).unwrap();
    let r = run(
        root.path(),
        STRICT,
        &[defect("PAY-1", "production", &["1.0"])],
    );
    let x = release(&r, "1.0");
    assert_eq!(x.decision, BacktestDecision::Unusable, "{x:#?}");
    assert!(
        x.problems
            .iter()
            .any(|p| p.contains("changed after it was written")),
        "{x:#?}"
    );
    assert_eq!(r.summary.unusable, 1);
    assert_eq!(r.summary.ready_and_clean + r.summary.ready_and_leaked, 0);
    assert!(!r.is_complete());
    // Its defect is named, not counted as caught or missed.
    assert_eq!(r.unmatched_defects.len(), 1);
}

/// A record of another product replays that product's evidence: never a release of this one.
#[test]
fn a_record_of_another_product_is_unusable() {
    let root = tempfile::tempdir().unwrap();
    record(
        root.path(),
        "other",
        &RECORDED.replace("name: pay", "name: ledger"),
        Some("1.0"),
        0,
        "2026-09-01T00:00:00Z",
    );
    let r = run(root.path(), STRICT, &[]);
    let x = release(&r, "1.0");
    assert_eq!(x.decision, BacktestDecision::Unusable);
    assert!(
        x.problems[0].contains("a record of `ledger`, not of `pay`"),
        "{x:#?}"
    );
    assert_eq!(r.summary.ready_and_clean, 0);
}

/// A production defect that names a version no record has: reported, joined with nothing, and
/// the backtest is incomplete (a release recorded as `v1.0` does not match `1.0`).
#[test]
fn a_defect_naming_no_recorded_version_is_reported_and_the_answer_incomplete() {
    let root = tempfile::tempdir().unwrap();
    record(
        root.path(),
        "1.0",
        RECORDED,
        Some("v1.0"),
        0,
        "2026-09-01T00:00:00Z",
    );
    let r = run(
        root.path(),
        STRICT,
        &[defect("PAY-9", "production", &["1.0"])],
    );
    let x = release(&r, "v1.0");
    assert_eq!(x.decision, BacktestDecision::Ready);
    assert!(x.production_defects_introduced.is_empty());
    assert_eq!(r.unmatched_defects.len(), 1);
    assert!(
        r.unmatched_defects[0]
            .reason
            .contains("`1.0`, which matches no record"),
        "{r:#?}"
    );
    assert!(r.unmatched_defects[0].reason.contains("`v1.0`"));
    assert_eq!(r.summary.defects_without_record, 1);
    assert!(!r.is_complete());
}

/// Two records of one version (a blocked run and a ready re-run): which shipped cannot be told,
/// so neither counts.
#[test]
fn duplicate_records_of_one_version_are_both_unusable() {
    let root = tempfile::tempdir().unwrap();
    record(
        root.path(),
        "1.0-a",
        RECORDED,
        Some("1.0"),
        4,
        "2026-09-01T00:00:00Z",
    );
    record(
        root.path(),
        "1.0-b",
        RECORDED,
        Some("1.0"),
        0,
        "2026-09-02T00:00:00Z",
    );
    let r = run(
        root.path(),
        STRICT,
        &[defect("PAY-1", "production", &["1.0"])],
    );
    assert_eq!(r.releases.len(), 2);
    for x in &r.releases {
        assert_eq!(x.decision, BacktestDecision::Unusable, "{x:#?}");
        assert!(x.problems[0].contains("recorded 2 times"), "{x:#?}");
    }
    assert_eq!(r.summary.unusable, 2);
    assert_eq!(r.summary.ready_and_leaked + r.summary.ready_and_clean, 0);
    assert!(r.unmatched_defects[0].reason.contains("cannot be used"));
}

/// A record written without a release version cannot be named by any defect.
#[test]
fn a_record_without_a_version_is_unusable() {
    let root = tempfile::tempdir().unwrap();
    record(
        root.path(),
        "none",
        &RECORDED.replace(", version: '${V}'", ""),
        None,
        0,
        "2026-09-01T00:00:00Z",
    );
    let r = run(root.path(), STRICT, &[]);
    assert_eq!(r.releases.len(), 1);
    assert_eq!(r.releases[0].decision, BacktestDecision::Unusable);
    assert!(
        r.releases[0].problems[0].contains("names no release version"),
        "{r:#?}"
    );
}

/// The new policy needs a UAT sign-off the record never read: missing, never ready, even when
/// the new policy lets missing evidence warn.
#[test]
fn evidence_the_record_lacks_is_missing_never_ready() {
    let root = tempfile::tempdir().unwrap();
    record(
        root.path(),
        "1.0",
        RECORDED,
        Some("1.0"),
        0,
        "2026-09-01T00:00:00Z",
    );
    let with_uat = STRICT.replace("sources:\n", "sources:\n  uat: {signoff: uat.yaml}\n")
        + "  uat: {required_roles: [qa-lead], on_missing: warn}\n";
    let r = run(root.path(), &with_uat, &[]);
    let x = release(&r, "1.0");
    assert_eq!(x.decision, BacktestDecision::Missing, "{x:#?}");
    assert!(
        x.missing[0].contains("`sources.uat`: the record's policy read no UAT sign-off"),
        "{x:#?}"
    );
    assert_eq!(r.summary.missing, 1);
    assert_eq!(r.summary.ready_and_clean, 0);
}

/// A new policy whose globs differ from the recorded ones would read other files: the record
/// cannot stand in for them.
#[test]
fn sources_read_differently_are_missing() {
    let root = tempfile::tempdir().unwrap();
    record(
        root.path(),
        "1.0",
        RECORDED,
        Some("1.0"),
        0,
        "2026-09-01T00:00:00Z",
    );
    let other = STRICT.replace("reports/*.xml", "reports/**/*.xml");
    let r = run(root.path(), &other, &[]);
    let x = release(&r, "1.0");
    assert_eq!(x.decision, BacktestDecision::Missing, "{x:#?}");
    assert!(
        x.missing[0].contains("reads test results differently"),
        "{x:#?}"
    );
}

/// A failure on evidence the record holds blocks, whatever the missing evidence would say.
#[test]
fn a_failure_on_held_evidence_blocks_even_with_other_evidence_missing() {
    let root = tempfile::tempdir().unwrap();
    record(
        root.path(),
        "1.0",
        RECORDED,
        Some("1.0"),
        1,
        "2026-09-01T00:00:00Z",
    );
    let with_uat = STRICT.replace("sources:\n", "sources:\n  uat: {signoff: uat.yaml}\n")
        + "  uat: {required_roles: [qa-lead]}\n";
    let r = run(
        root.path(),
        &with_uat,
        &[defect("PAY-1", "production", &["1.0"])],
    );
    let x = release(&r, "1.0");
    assert_eq!(x.decision, BacktestDecision::Blocked);
    assert!(!x.missing.is_empty());
    assert_eq!(r.summary.blocked_and_leaked, 1);
}

/// The manifest's recorded variables edited to another version: the replay names another
/// release than the recorded report, and the record is refused.
#[test]
fn a_record_whose_variables_were_edited_is_unusable() {
    let root = tempfile::tempdir().unwrap();
    let out = record(
        root.path(),
        "1.0",
        RECORDED,
        Some("1.0"),
        0,
        "2026-09-01T00:00:00Z",
    );
    let manifest = out.join("evidence/manifest.json");
    let text = fs::read_to_string(&manifest).unwrap();
    fs::write(&manifest, text.replace("\"V\": \"1.0\"", "\"V\": \"1.3\"")).unwrap();
    let r = run(
        root.path(),
        STRICT,
        &[defect("PAY-1", "production", &["1.3"])],
    );
    let x = &r.releases[0];
    assert_eq!(x.decision, BacktestDecision::Unusable, "{x:#?}");
    assert!(
        x.problems
            .iter()
            .any(|p| p.contains("variables were changed")),
        "{x:#?}"
    );
}

/// A folder with no record is an error, not an empty history where nothing leaked.
#[test]
fn a_folder_without_records_is_an_error() {
    let root = tempfile::tempdir().unwrap();
    fs::create_dir_all(root.path().join("empty/sub")).unwrap();
    let err = find_records(&[root.path().join("empty").display().to_string()]).unwrap_err();
    assert!(
        err.to_string().contains("failed to find a release record"),
        "{err}"
    );
    let err = find_records(&[root.path().join("nothing-*").display().to_string()]).unwrap_err();
    assert!(
        err.to_string().contains("failed to find a release record"),
        "{err}"
    );
}

/// A report folder with a report but no record (`evidence/` deleted) is listed as unusable.
#[test]
fn a_report_folder_without_its_record_is_unusable() {
    let root = tempfile::tempdir().unwrap();
    let out = record(
        root.path(),
        "1.0",
        RECORDED,
        Some("1.0"),
        0,
        "2026-09-01T00:00:00Z",
    );
    fs::remove_dir_all(out.join("evidence")).unwrap();
    let r = run(root.path(), STRICT, &[]);
    assert_eq!(r.releases[0].decision, BacktestDecision::Unusable);
    assert!(
        r.releases[0].problems[0].contains("holds no release record"),
        "{r:#?}"
    );
}

/// The recorded policy named a sign-off but ran no UAT check, so the run never read it and the
/// record holds nothing of it; a new policy that adds `uat.signoff` finds it unreadable: the
/// release is `missing`, neither blocked nor ready.
#[test]
fn a_check_whose_evidence_the_record_never_kept_is_missing() {
    let root = tempfile::tempdir().unwrap();
    let with_uat = RECORDED.replace("sources:\n", "sources:\n  uat: {signoff: uat.yaml}\n");
    record(
        root.path(),
        "1.0",
        &with_uat,
        Some("1.0"),
        0,
        "2026-09-01T00:00:00Z",
    );
    let new = STRICT.replace("sources:\n", "sources:\n  uat: {signoff: uat.yaml}\n")
        + "  uat: {required_roles: [qa-lead]}\n";
    let r = run(root.path(), &new, &[]);
    let x = release(&r, "1.0");
    assert_eq!(x.decision, BacktestDecision::Missing, "{x:#?}");
    assert!(
        x.missing.iter().any(|m| m.starts_with("`uat.signoff`")),
        "{x:#?}"
    );
    assert_eq!(r.summary.blocked_and_clean + r.summary.ready_and_clean, 0);
}
