//! The `file` source on a Jira Cloud "CSV (all fields)" export and on the defect JSON form.

use shipgate_defects::{
    DefectsError, LoadOptions, OriginMap, SourceConfig, TrackerKind, load, read_json, write_json,
};
use shipgate_model::{DefectStatus, Origin, Severity};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn no_env(_: &str) -> Option<String> {
    None
}

fn options() -> LoadOptions<'static> {
    LoadOptions {
        offline: true,
        env: &no_env,
        fetched_at: None,
    }
}

fn csv_config(path: PathBuf) -> SourceConfig {
    let mut c = SourceConfig::of_kind(TrackerKind::File);
    c.path = Some(path);
    c.path_display = Some("defects.csv".into());
    c.settings.origin = Some(OriginMap {
        field: "Defect origin".into(),
        production: vec!["Production".into()],
        pre_production: vec!["QA".into(), "Staging".into()],
    });
    c.settings.introduced_in = Some("Sprint".into());
    // The fixtures were exported by a user whose Jira profile is on UTC.
    c.settings.timezone = Some(shipgate_model::Zone::utc());
    c
}

#[test]
fn a_jira_cloud_csv_export_is_normalised() {
    let loaded = load(
        &csv_config(fixture("jira-cloud-export-all-fields.csv")),
        &options(),
    )
    .unwrap();
    let d = &loaded.evidence.defects;
    let keys: Vec<&str> = d.iter().map(|x| x.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "PAY-142", "PAY-151", "PAY-160", "PAY-161", "PAY-170", "PAY-171"
        ]
    );
    let pay142 = &d[0];
    assert_eq!(pay142.title, "Refund posted twice when the PSP times out");
    assert_eq!(pay142.severity, Severity::Critical, "Highest");
    assert_eq!(pay142.origin, Origin::Production);
    assert_eq!(pay142.status, DefectStatus::Closed);
    assert_eq!(pay142.created.to_string(), "2024-03-12T09:41:00Z");
    assert_eq!(pay142.resolved.unwrap().to_string(), "2024-03-14T16:02:00Z");
    assert_eq!(
        pay142.components,
        ["Payments", "Ledger"],
        "repeated Component/s columns"
    );
    assert_eq!(
        pay142.labels,
        ["production-incident", "refunds"],
        "repeated Labels columns"
    );
    assert_eq!(pay142.introduced_in, ["PAY Sprint 14", "PAY Sprint 15"]);
    assert_eq!(pay142.links[0].key, "PAY-150");
    assert_eq!(pay142.links[0].relation, "Tests (inward)");
    let pay151 = &d[1];
    assert_eq!(
        (pay151.severity, pay151.origin),
        (Severity::High, Origin::PreProduction)
    );
    assert_eq!(
        pay151.status,
        DefectStatus::Open,
        "Status Category In Progress"
    );
    let pay160 = &d[2];
    assert_eq!(
        pay160.created.to_string(),
        "2024-04-05T23:59:00Z",
        "11:59 PM"
    );
    assert_eq!(pay160.severity, Severity::Critical, "Blocker");
    assert_eq!(d[3].labels, ["ui", "cosmetic", "receipt"]);
    assert_eq!(d[3].status, DefectStatus::Closed, "Won't Do is done");
    // No origin at all, and an origin and a priority the maps do not know: unknown, and the
    // values are kept so a report can name them.
    assert_eq!(d[4].origin, Origin::Unknown);
    assert!(d[4].origin_raw.is_empty());
    assert_eq!(
        (d[5].severity, d[5].origin),
        (Severity::Unknown, Origin::Unknown)
    );
    assert_eq!(d[5].severity_raw, ["P5 - Someday"]);
    assert_eq!(d[5].origin_raw, ["Customer"]);
    // Provenance hashes the file as read.
    assert_eq!(
        loaded.bytes,
        std::fs::read(fixture("jira-cloud-export-all-fields.csv")).unwrap()
    );
}

/// Jira's export writes local times and never says in which zone: without
/// `sources.defects.timezone` the first such date is refused at its line (Jira writes CRLF,
/// and the line is still the record's own), never read as UTC.
#[test]
fn a_jira_export_without_a_stated_time_zone_is_refused_at_its_line() {
    let mut c = csv_config(fixture("jira-cloud-export-all-fields.csv"));
    c.settings.timezone = None;
    let e = load(&c, &options()).unwrap_err();
    let DefectsError::FileFormat { line, reason, .. } = &e else {
        panic!("{e:?}");
    };
    assert_eq!(*line, Some(2), "{e}");
    assert!(
        reason.contains("`12/Mar/24 9:41 AM` carries no time zone"),
        "{reason}"
    );
    assert!(reason.contains("`Created` of PAY-142"), "{reason}");
    assert!(
        e.remedy().contains("sources.defects.timezone"),
        "{}",
        e.remedy()
    );
    // Later rows keep their own lines in a CRLF file with quoted line breaks.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("crlf.csv");
    std::fs::write(
        &p,
        "Summary,Issue key,Created,Priority,Sprint,Custom field (Defect origin)\r\n\
         \"two\r\nlines\",PAY-1,2024-03-12T09:41:00Z,High,S1,Production\r\n\
         x,PAY-2,12/Mar/24 9:41 AM,High,S1,Production\r\n",
    )
    .unwrap();
    let mut c = csv_config(p);
    c.settings.timezone = None;
    let e = load(&c, &options()).unwrap_err();
    assert!(
        matches!(&e, DefectsError::FileFormat { line: Some(4), reason, .. } if reason.contains("PAY-2")),
        "{e:?}"
    );
}

#[test]
fn the_exporting_users_time_zone_is_applied() {
    let mut c = csv_config(fixture("jira-cloud-export-all-fields.csv"));
    c.settings.timezone = Some(shipgate_model::Zone::named("America/New_York").unwrap());
    let loaded = load(&c, &options()).unwrap();
    // 12 March 2024 is after the US switch to daylight time (10 March): UTC-4.
    assert_eq!(
        loaded.evidence.defects[0].created.to_string(),
        "2024-03-12T13:41:00Z"
    );
}

#[test]
fn a_field_the_export_does_not_have_is_named_with_similar_columns() {
    let mut c = csv_config(fixture("jira-cloud-export-all-fields.csv"));
    c.settings.origin.as_mut().unwrap().field = "Origin".into();
    let e = load(&c, &options()).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("failed to find the field `Origin` named in `sources.defects.origin.field`"),
        "{text}"
    );
    assert!(text.contains("Custom field (Defect origin)"), "{text}");
}

#[test]
fn broken_exports_are_errors_with_a_line_never_zero_defects() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let e = load(&csv_config(write("a.csv", "Summary,Issue key,Created,Priority,Sprint,Custom field (Defect origin)\nx,PAY-1,yesterday,High,S1,Production\n")), &options()).unwrap_err();
    assert!(
        e.to_string().contains("at line 2") && e.to_string().contains("`yesterday`"),
        "{e}"
    );
    let e = load(&csv_config(write("b.csv", "Summary,Issue key,Created,Priority,Sprint,Custom field (Defect origin)\nx,PAY-1,12/Mar/24 9:41 AM,High\n")), &options()).unwrap_err();
    assert!(matches!(e, DefectsError::FileFormat { .. }), "{e}");
    let e = load(&csv_config(write("c.csv", "Name,Count\na,1\n")), &options()).unwrap_err();
    assert!(e.to_string().contains("not a Jira CSV export"), "{e}");
    let e = load(
        &csv_config(write(
            "d.csv",
            "Summary,Issue key,Created,Priority,Sprint,Custom field (Defect origin)\n",
        )),
        &options(),
    )
    .unwrap_err();
    assert!(
        matches!(e, DefectsError::Empty { .. }) && e.is_missing(),
        "{e}"
    );
    let e = load(&csv_config(dir.path().join("none.csv")), &options()).unwrap_err();
    assert!(
        matches!(e, DefectsError::FileMissing { .. }) && e.is_missing(),
        "{e}"
    );
    let e = load(&csv_config(write("e.txt", "")), &options()).unwrap_err();
    assert!(
        e.to_string().contains("neither in `.csv` nor in `.json`"),
        "{e}"
    );
}

#[test]
fn a_csv_export_written_as_the_json_form_reads_back_exactly() {
    let loaded = load(
        &csv_config(fixture("jira-cloud-export-all-fields.csv")),
        &options(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("defects.json");
    std::fs::write(&path, write_json(&loaded.evidence)).unwrap();
    let mut c = SourceConfig::of_kind(TrackerKind::File);
    c.path = Some(path.clone());
    let again = load(&c, &options()).unwrap();
    assert_eq!(again.evidence, loaded.evidence);
    assert_eq!(again.bytes, std::fs::read(&path).unwrap());
    assert_eq!(
        read_json(&again.bytes, "defects.json").unwrap(),
        loaded.evidence
    );
}

/// The JSON form is read back at replay: a `created` edited to drop its zone (or given a zone
/// that contradicts its offset) is refused, never read as UTC.
#[test]
fn the_json_form_refuses_a_date_without_its_zone() {
    let loaded = load(
        &csv_config(fixture("jira-cloud-export-all-fields.csv")),
        &options(),
    )
    .unwrap();
    let json = write_json(&loaded.evidence);
    let created = format!("\"created\": \"{}\"", loaded.evidence.defects[0].created);
    assert!(json.contains(&created), "{json}");
    for edited in [
        "2024-03-12T09:41:00",
        "2024-03-12",
        "2024-03-12T09:41:00+01:00[UTC]",
    ] {
        let text = json.replacen(&created, &format!("\"created\": \"{edited}\""), 1);
        let e = read_json(text.as_bytes(), "defects.json").unwrap_err();
        assert!(
            matches!(&e, DefectsError::FileFormat { reason, .. } if reason.contains(&format!("`{edited}`"))),
            "{edited}: {e:?}"
        );
    }
}

#[test]
fn a_tracker_is_missing_evidence_offline() {
    let c = SourceConfig::of_kind(TrackerKind::Jira);
    let e = load(&c, &options()).unwrap_err();
    assert!(e.is_missing());
    assert!(e.to_string().contains("`--offline`"), "{e}");
    assert!(e.remedy().contains("kind: file"));
}
