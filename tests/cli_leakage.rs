//! `shipgate leakage`, `shipgate inspect defects` and the offline defects example, run the way a
//! QA lead runs them.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]

use crate::common;

use common::{NOW, Project, shipgate};
use serde_json::Value;

const EXAMPLE: &str = "examples/defects/shipgate.yaml";

fn leakage(args: &[&str]) -> assert_cmd::Command {
    let mut cmd = shipgate();
    cmd.args(["leakage", "--now", NOW, "--policy", EXAMPLE])
        .args(args);
    cmd
}

#[test]
fn the_defects_example_blocks_on_open_criticals_leakage_and_an_untraced_defect() {
    let out = shipgate()
        .args([
            "check", "--now", NOW, "--format", "json", "--policy", EXAMPLE,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let status = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .map(|c| (c["status"].as_str().unwrap().to_owned(), c.clone()))
            .unwrap()
    };
    let (s, open) = status("defects.open");
    assert_eq!(s, "fail");
    assert_eq!(open["observed"]["critical"], 2);
    let (s, leak) = status("leakage.rate");
    assert_eq!(s, "fail");
    // 3 production of 17 classified defects in the 90 days before 2026-11-24.
    assert_eq!(leak["observed"], serde_json::json!(0.176471));
    assert_eq!(leak["details"]["critical_paths"]["production"], 2);
    // PAY-232, a production issue closed as a duplicate of PAY-231, is in no count.
    assert_eq!(leak["details"]["not_defects"][0]["key"], "PAY-232");
    assert_eq!(leak["details"]["critical_paths"]["not_defects"], 1);
    let (s, trace) = status("traceability.production-defects");
    assert_eq!(s, "fail");
    assert_eq!(trace["details"]["untraced_defects"][0]["key"], "PAY-260");
    assert_eq!(status("defects.classified").0, "pass");
    assert_eq!(status("regression.pass-rate").0, "pass");
    let inputs: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["path"].as_str().unwrap())
        .collect();
    assert_eq!(inputs, ["reports/pytest.xml", "defects.csv"]);
}

#[test]
fn leakage_by_month_shows_the_trend_in_every_format() {
    let out = leakage(&["--window", "365d", "--by", "month"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<String> = text
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(
        rows[0],
        "Defect leakage over 365 days (2025-11-24 to 2026-11-24), by month"
    );
    assert!(rows.contains(&"2026-03 2 0 0 0 100%".to_owned()), "{text}");
    assert!(
        rows.contains(&"2026-01 0 0 0 0 –".to_owned()),
        "an empty month has no rate: {text}"
    );
    // PAY-232 (September) was closed as a duplicate of PAY-231: beside the rate, not in it.
    assert!(rows.contains(&"2026-09 1 5 0 1 16.7%".to_owned()), "{text}");
    assert!(rows.contains(&"total 7 20 0 1 25.9%".to_owned()), "{text}");
    assert!(
        text.contains("closed as not defects: resolution: Duplicate (1)"),
        "{text}"
    );

    let out = leakage(&["--format", "json", "--by", "severity"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["window_days"], 90);
    assert_eq!(json["total"]["production"], 3);
    assert_eq!(json["total"]["pre_production"], 14);
    assert_eq!(json["total"]["not_defects"], 1);
    assert_eq!(
        json["not_defects_by_reason"],
        serde_json::json!({"resolution: Duplicate": 1})
    );
    assert_eq!(json["rows"][0]["group"], "critical");

    let out = leakage(&["--format", "markdown", "--by", "introduced-in"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.contains(
            "| introduced-in | production | pre-production | unclassified | not defects | leakage |"
        ),
        "{md}"
    );
    assert!(md.contains("| 2.3.0 | 2 | 6 | 0 | 0 | 25% |"), "{md}");
    assert!(md.contains("| 2.2.0 | 1 | 0 | 0 | 1 | 100% |"), "{md}");
}

#[test]
fn leakage_needs_a_defect_source_and_sensible_arguments() {
    let p = Project::new(
        "version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nchecks: {regression: {min_tests: 1}}\n",
    );
    shipgate()
        .args(["leakage", "--policy"])
        .arg(p.policy())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("has no `sources.defects`"));
    leakage(&["--window", "2h"]).assert().code(2);
    leakage(&["--by", "team"]).assert().code(2);
    let p = Project::new(&std::fs::read_to_string(EXAMPLE).unwrap().replace(
        "    introduced_in: Affects Version/s  # for `shipgate leakage --by introduced-in`\n",
        "",
    ))
    .copy(
        "defects.csv",
        std::path::Path::new("examples/defects/defects.csv"),
    )
    .copy(
        "reports/pytest.xml",
        std::path::Path::new("examples/defects/reports/pytest.xml"),
    );
    shipgate()
        .args(["leakage", "--by", "introduced-in", "--now", NOW, "--policy"])
        .arg(p.policy())
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "needs `sources.defects.introduced_in`",
        ));
}

#[test]
fn inspect_defects_writes_the_json_form_that_a_file_source_reads_back_exactly() {
    let out = shipgate()
        .args([
            "inspect", "defects", "--format", "json", "--now", NOW, "--policy", EXAMPLE,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let snapshot = out.stdout;
    let p = Project::new(
        "version: 1\nrelease: {name: payments-api, version: '2.4.0'}\nsources:\n  defects: {kind: file, path: snapshot.json}\nchecks:\n  defects: {max_open: {critical: 0, high: 3}}\n  leakage: {max_rate: 5%}\n",
    )
    .file("snapshot.json", &snapshot);
    let mut again = shipgate();
    again
        .args(["inspect", "defects", "--format", "json", "--policy"])
        .arg(p.policy());
    let out = again.output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, snapshot, "byte for byte");
    // The gate decides the same on the snapshot as on the export.
    let out = p.check().args(["--format", "json"]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let leak = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "leakage.rate")
        .unwrap();
    assert_eq!(leak["observed"], serde_json::json!(0.176471));
    assert_eq!(report["inputs"][0]["bytes"], snapshot.len());
}

#[test]
fn inspect_defects_lists_the_defects_and_missing_files_exit_1() {
    shipgate()
        .args(["inspect", "defects", "--offline", "--policy", EXAMPLE])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "28 defects from file `defects.csv`",
        ))
        .stdout(predicates::str::contains(
            "PAY-260  critical  production      open          2026-11-18  Chargeback posted",
        ))
        .stdout(predicates::str::contains(
            "PAY-232  critical  production      not a defect  2026-09-04  Second partial refund",
        ))
        .stdout(predicates::str::contains(
            "closed as not defects, left out of every count: resolution: Duplicate (1)",
        ));
    let p = Project::new(
        "version: 1\nrelease: {name: x}\nsources:\n  defects: {kind: file, path: gone.json}\nchecks:\n  defects: {}\n",
    );
    shipgate()
        .args(["inspect", "defects", "--policy"])
        .arg(p.policy())
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "the defect file `gone.json` does not exist",
        ));
    let p = p.file(
        "gone.json",
        b"{\"format\": \"shipgate-defects\", \"version\": 1, \"defects\": ",
    );
    shipgate()
        .args(["inspect", "defects", "--policy"])
        .arg(p.policy())
        .assert()
        .code(4)
        .stderr(predicates::str::contains("not valid JSON"));
}

/// Defects of unknown origin are left out of the leakage rate; with only `checks.leakage` in the
/// policy, `defects.classified` still runs and blocks on them, so they cannot skew it unseen.
#[test]
fn unknown_origins_block_even_without_checks_defects() {
    let defect = |key: &str, origin: &str| {
        format!(
            r#"{{"key": "{key}", "title": "t", "severity": "high", "origin": "{origin}", "status": "closed", "created": "2026-11-01T00:00:00Z"}}"#
        )
    };
    let mut defects = vec![defect("PAY-1", "production")];
    defects.extend((2..21).map(|i| defect(&format!("PAY-{i}"), "pre-production")));
    defects.extend((21..71).map(|i| defect(&format!("PAY-{i}"), "unknown")));
    let json = format!(
        r#"{{"format": "shipgate-defects", "version": 1, "source": "file", "location": "d.json", "defects": [{}]}}"#,
        defects.join(",")
    );
    let p = common::Project::new(
        "version: 1\nrelease: {name: x}\nsources:\n  defects: {kind: file, path: d.json}\nchecks:\n  leakage: {max_rate: 5%}\n",
    )
    .file("d.json", json.as_bytes());
    let out = p.check().args(["--format", "json"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["defects.classified", "leakage.rate"]);
    assert_eq!(report["checks"][0]["status"], "fail");
    assert_eq!(report["checks"][0]["observed"], 50);
    assert_eq!(
        report["checks"][1]["status"], "pass",
        "1 of 20 classified: 5%"
    );
}
