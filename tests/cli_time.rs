//! End-to-end tests of how the gate reads time: an instant without a zone never lasts all day.
//!
//! Each test pairs the refused or blocking case with a control that reads READY, so that a
//! test cannot pass because its setup blocks for some other reason.

use crate::common;

use common::{Project, shipgate};
use predicates::prelude::*;

/// Ten tests, one failing: 90%, below the policy's 100%.
fn junit(timestamp: &str) -> String {
    let mut s = format!(r#"<testsuite name="pay" tests="10" timestamp="{timestamp}">"#);
    for i in 1..10 {
        s.push_str(&format!(
            r#"<testcase classname="pay.Refunds" name="t{i}"/>"#
        ));
    }
    s.push_str(r#"<testcase classname="pay.Refunds" name="t10"><failure message="rounding"/></testcase></testsuite>"#);
    s
}

/// A policy whose only failure (the pass rate) is waived until `expires`. `NOW` is
/// `2026-11-24T10:00:00Z`.
fn waived(expires: &str) -> Project {
    Project::new(&format!(
        "version: 1
release: {{name: pay, version: '1.0'}}
sources:
  tests:
    junit: [\"reports/*.xml\"]
checks:
  regression: {{min_pass_rate: 100%}}
waivers:
  - check: regression.pass-rate
    reason: PAY-9 ships in the hotfix
    approved_by: cto@acme.example
    expires: {expires}
"
    ))
    .file("reports/pay.xml", junit("2026-11-24T09:00:00Z").as_bytes())
}

/// The issue's case: a waiver that expired at 09:59:59 (an hour's worth of minutes before
/// `--now`) was read as the date alone and waived the failure until midnight UTC: exit 0.
#[test]
fn an_expired_by_hours_waiver_with_a_zoneless_time_never_reads_ready() {
    for expires in [
        "2026-11-24T09:59:59",
        "\"2026-11-24 09:59:59\"",
        "2026-11-24 09:59:59",
        "2026-11-24t09:59:59",
    ] {
        waived(expires)
            .check()
            .assert()
            .code(3)
            .stdout(predicate::str::contains("READY").not())
            .stderr(predicate::str::contains(
                "shipgate.yaml:12:14: `waivers[0].expires`",
            ))
            .stderr(predicate::str::contains("no time zone"));
    }
    // With its zone the same waiver is honoured, and has expired: blocked.
    for expires in [
        "2026-11-24T09:59:59Z",
        "2026-11-24T04:59:59-05:00",
        "2026-11-24T04:00:00[America/New_York]",
        "2026-11-24T10:59:59+01:00[Europe/Berlin]",
    ] {
        waived(expires)
            .check()
            .assert()
            .code(1)
            .stdout(predicate::str::contains("BLOCKED"))
            .stdout(predicate::str::contains("expired"));
    }
    // Control: a waiver that is still valid makes this setup READY, so the cases above block
    // because of their expiry and nothing else.
    waived("2026-11-24T10:00:01Z")
        .check()
        .assert()
        .code(0)
        .stdout(predicate::str::contains("READY"));
    waived("2026-11-24").check().assert().code(0);
}

/// An offset that disagrees with its zone is one of them wrong: the gate cannot pick, and
/// must not pick the later one.
#[test]
fn a_waiver_whose_offset_disagrees_with_its_zone_is_a_policy_error() {
    waived("2026-11-24T12:00:00+03:00[America/New_York]")
        .check()
        .assert()
        .code(3)
        .stderr(predicate::str::contains("correct the offset or the zone"));
}

#[test]
fn now_without_a_zone_is_a_usage_error() {
    let p = waived("2026-11-24");
    for now in [
        "2026-11-24T10:00:00",
        "2026-11-24 10:00:00",
        "2026-11-24",
        "2026-11-24T10:00:00+03:00[Europe/Berlin]",
    ] {
        shipgate()
            .args(["check", "--now", now, "--policy"])
            .arg(p.policy())
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--now"))
            .stderr(predicate::str::contains(format!("`{now}`")));
    }
    // Every command that takes `--now` reads it the same way.
    shipgate()
        .args(["leakage", "--now", "2026-11-24T10:00:00"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no time zone"));
    shipgate()
        .args(["inspect", "defects", "--now", "2026-11-24T10:00:00"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no time zone"));
    shipgate()
        .args([
            "perf",
            "baseline",
            "promote",
            "--now",
            "2026-11-24T10:00:00",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no time zone"));
    // A bracketed zone is honoured: 05:00 in New York is 10:00 UTC, the waiver's day.
    shipgate()
        .args([
            "check",
            "--now",
            "2026-11-24T05:00:00[America/New_York]",
            "--policy",
        ])
        .arg(p.policy())
        .assert()
        .code(0);
}

const QUARANTINED: &str = "version: 1
release: {name: pay, version: '1.0'}
sources:
  tests:
    junit: [\"reports/*.xml\"]
    quarantine: quarantine.yaml
checks:
  regression: {min_pass_rate: 100%}
  flaky: {max_rate: 20%}
";

fn quarantined(expires: &str) -> Project {
    Project::new(QUARANTINED)
        .file("reports/pay.xml", junit("2026-11-24T09:00:00Z").as_bytes())
        .file(
            "quarantine.yaml",
            format!(
                "- pattern: \"pay.Refunds.t10\"\n  owner: pay-team@acme.example\n  ticket: PAY-10\n  expires: {expires}\n"
            )
            .as_bytes(),
        )
}

/// A quarantine entry that ended at 09:59:59 must not hide the failure until midnight.
#[test]
fn a_quarantine_entry_with_a_zoneless_expiry_never_reads_ready() {
    quarantined("2026-11-24T09:59:59")
        .check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains("READY").not())
        .stdout(predicate::str::contains(
            "quarantine.yaml:4:12: `[0].expires`: `2026-11-24T09:59:59` has a time but no time zone",
        ));
    // Control: a valid entry quarantines the failure and the gate reads READY.
    quarantined("2026-11-24T10:00:01Z").check().assert().code(0);
    quarantined("2026-11-24T04:59:59[America/New_York]")
        .check()
        .assert()
        .code(1);
}

const SIGNED: &str = "version: 1
release: {name: pay, version: '1.0'}
sources:
  tests:
    junit: [\"reports/*.xml\"]
  uat:
    signoff: uat.yaml
checks:
  regression: {min_pass_rate: 90%}
  uat:
    required_roles: [product-owner]
    max_age: 1h
";

fn signed(at: &str) -> Project {
    Project::new(SIGNED)
        .file("reports/pay.xml", junit("2026-11-24T09:00:00Z").as_bytes())
        .file(
            "uat.yaml",
            format!(
                "release: pay\nversion: '1.0'\ndecision: approved\nsignoffs:\n  - name: Dana Reyes\n    role: product-owner\n    at: {at}\n    meaning: approval\n"
            )
            .as_bytes(),
        )
}

/// A sign-off at 09:30 local time in Tokyo was 00:30 UTC, 9.5 hours before `--now`: read as
/// UTC it would be 30 minutes old and within `max_age: 1h`.
#[test]
fn a_signoff_time_without_a_zone_never_reads_ready() {
    signed("2026-11-24T09:30:00")
        .check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains("READY").not())
        .stdout(predicate::str::contains("line 7"))
        .stdout(predicate::str::contains("no time zone"));
    signed("2026-11-24T09:30:00[Asia/Tokyo]")
        .check()
        .assert()
        .code(1);
    // Control.
    signed("2026-11-24T09:30:00Z").check().assert().code(0);
}

const PROVENANCE: &str = "version: 1
release: {name: pay, version: '1.0'}
sources:
  tests:
    junit: [\"reports/*.xml\"]
TIMEZONE
checks:
  regression: {min_pass_rate: 90%}
  provenance:
    max_age: {tests: 1h}
";

fn tested_at(timezone: Option<&str>, timestamp: &str) -> Project {
    let zone = timezone.map_or(String::new(), |z| format!("    timezone: {z}"));
    Project::new(&PROVENANCE.replace("TIMEZONE", &zone))
        .file("reports/pay.xml", junit(timestamp).as_bytes())
}

/// Surefire, Gradle and most runners write local time without a zone. Tests run at 09:30 in
/// Tokyo ran at 00:30 UTC, 9.5 hours before `--now`: read as UTC they would look 30 minutes
/// old. Without a stated zone their age cannot be shown, so the check fails and says how to
/// state it; with the right zone they are too old.
#[test]
fn a_zoneless_junit_timestamp_proves_no_age() {
    tested_at(None, "2026-11-24T09:30:00")
        .check()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("carries no time"))
        .stdout(predicate::str::contains("sources.tests.timezone"));
    tested_at(Some("Asia/Tokyo"), "2026-11-24T09:30:00")
        .check()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("older than `max_age.tests`"));
    // Control: the same file read in the zone it was really written in passes.
    tested_at(Some("UTC"), "2026-11-24T09:30:00")
        .check()
        .assert()
        .code(0);
    tested_at(None, "2026-11-24T09:30:00Z")
        .check()
        .assert()
        .code(0);
    // An unknown zone is a policy error at its line.
    tested_at(Some("Asia/Tokio"), "2026-11-24T09:30:00")
        .check()
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "shipgate.yaml:6:15: `sources.tests.timezone`: `Asia/Tokio` is not a time zone",
        ));
}

const CSV_POLICY: &str = "version: 1
release: {name: pay, version: '1.0'}
sources:
  defects:
    kind: file
    path: defects.csv
TIMEZONE
    origin: {field: Defect origin, production: [Production], pre_production: [QA]}
checks:
  leakage: {window: 90d, max_rate: 40%}
";

/// Two defects: one found in QA, one in production on 26 August at 08:00, the exporting
/// user's local time. The 90-day window before `--now` starts on 26 August at 10:00 UTC.
const CSV: &str = "Summary,Issue key,Created,Priority,Status Category,Custom field (Defect origin)\r\nRefund twice,PAY-1,12/Sep/26 9:41 AM,High,Done,QA\r\nLedger drift,PAY-2,26/Aug/26 8:00 AM,High,Done,Production\r\n";

fn exported(timezone: Option<&str>) -> Project {
    let zone = timezone.map_or(String::new(), |z| format!("    timezone: {z}"));
    Project::new(&CSV_POLICY.replace("TIMEZONE", &zone)).file("defects.csv", CSV.as_bytes())
}

/// Exported in Los Angeles, PAY-2 was created at 15:00 UTC, inside the window: leakage 50%,
/// blocked. Read as UTC it would be 08:00 UTC, outside: leakage 0%, READY. Jira's export
/// does not say its zone, so without `sources.defects.timezone` it is refused at the first
/// date's line.
#[test]
fn a_jira_export_without_a_stated_zone_never_reads_ready() {
    exported(None)
        .check()
        .assert()
        .code(4)
        .stdout(predicate::str::contains("READY").not())
        .stdout(predicate::str::contains("line 2"))
        .stdout(predicate::str::contains("sources.defects.timezone"));
    exported(Some("America/Los_Angeles"))
        .check()
        .assert()
        .code(1)
        .stdout(predicate::str::contains("leakage.rate"));
    // Control: exported by a user on UTC, PAY-2 falls outside the window.
    exported(Some("UTC")).check().assert().code(0);
}
