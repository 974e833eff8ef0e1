//! The `redmine` defect source against a real Redmine (5.0.4 from Debian's packages, started by
//! `.ci/redmine-setup.sh`), end to end through `shipgate check`.
//!
//! The test makes its own project and issues through Redmine's REST API, so it does not depend
//! on the seeded data or on earlier runs. It needs `SHIPGATE_IT_REDMINE_URL` and
//! `SHIPGATE_IT_REDMINE_API_KEY` (an administrator's key); without them it is skipped with a
//! message, unless `SHIPGATE_IT_REDMINE_REQUIRED=1` (as `.ci/run` sets it), which makes a missing
//! server a failure, so that CI can never skip it silently.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::{Project, shipgate};
use serde_json::{Value, json};
use std::io::Write;
use std::process::Command;

struct Redmine {
    url: String,
    key: String,
}

impl Redmine {
    /// The server from the environment, or `None` (skip) when it is not configured and not
    /// required.
    fn from_env() -> Option<Self> {
        let url = std::env::var("SHIPGATE_IT_REDMINE_URL")
            .ok()
            .filter(|v| !v.is_empty());
        let key = std::env::var("SHIPGATE_IT_REDMINE_API_KEY")
            .ok()
            .filter(|v| !v.is_empty());
        let required = std::env::var("SHIPGATE_IT_REDMINE_REQUIRED").is_ok_and(|v| v == "1");
        match (url, key) {
            (Some(url), Some(key)) => Some(Self { url, key }),
            _ if required => panic!(
                "SHIPGATE_IT_REDMINE_REQUIRED=1 but SHIPGATE_IT_REDMINE_URL or SHIPGATE_IT_REDMINE_API_KEY is not set: start Redmine with .ci/redmine-setup.sh"
            ),
            _ => {
                // Written to the stderr handle, not with `eprintln!`: the test harness captures
                // the print macros of a passing test, so a plain `cargo test` never showed this.
                let mut err = std::io::stderr().lock();
                let _ = writeln!(
                    err,
                    "\nskipped: no real Redmine (set SHIPGATE_IT_REDMINE_URL and SHIPGATE_IT_REDMINE_API_KEY from .ci/redmine-setup.sh's output to run this test)"
                );
                None
            }
        }
    }

    /// One REST call through curl (the test's own client, independent of shipgate's).
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let mut cmd = Command::new("curl");
        cmd.args(["-sS", "--fail-with-body", "-X", method])
            .arg("-H")
            .arg(format!("X-Redmine-API-Key: {}", self.key))
            .args(["-H", "Content-Type: application/json"])
            .arg(format!("{}{path}", self.url));
        if let Some(b) = body {
            cmd.arg("--data").arg(b.to_string());
        }
        let out = cmd.output().expect("curl runs");
        assert!(
            out.status.success(),
            "{method} {path}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if out.stdout.iter().all(u8::is_ascii_whitespace) {
            Value::Null
        } else {
            serde_json::from_slice(&out.stdout).unwrap()
        }
    }

    fn id_by_name(&self, path: &str, list: &str, name: &str) -> u64 {
        self.call("GET", path, None)[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {path}"))["id"]
            .as_u64()
            .unwrap()
    }
}

#[test]
fn the_gate_reads_a_real_redmine() {
    let Some(rm) = Redmine::from_env() else {
        return;
    };
    let bug = rm.id_by_name("/trackers.json", "trackers", "Bug");
    let origin = rm.id_by_name("/custom_fields.json", "custom_fields", "Defect origin");
    let statuses = rm.call("GET", "/issue_statuses.json", None)["issue_statuses"].clone();
    let status = |name: &str| {
        statuses
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no status {name}: {statuses}"))
            .clone()
    };
    let closed = status("Closed")["id"].as_u64().unwrap();
    // Redmine's default status for an issue that was not accepted: closed, and not a defect.
    let rejected = status("Rejected");
    assert_eq!(rejected["is_closed"], true, "{rejected}");
    let rejected = rejected["id"].as_u64().unwrap();
    let priority = |name: &str| {
        rm.id_by_name(
            "/enumerations/issue_priorities.json",
            "issue_priorities",
            name,
        )
    };

    // A project of its own, so that earlier runs and the seeded issues do not count.
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let ident = format!("sg-{}-{}", std::process::id(), stamp % 1_000_000_000);
    let project = rm.call(
        "POST",
        "/projects.json",
        Some(
            json!({"project": {"name": ident, "identifier": ident, "is_public": false,
                                "tracker_ids": [bug], "enabled_module_names": ["issue_tracking"]}}),
        ),
    )["project"]["id"]
        .as_u64()
        .unwrap();
    let issue = |subject: &str, prio: &str, origin_value: &str| -> u64 {
        rm.call(
            "POST",
            "/issues.json",
            Some(
                json!({"issue": {"project_id": project, "tracker_id": bug, "subject": subject,
                                  "priority_id": priority(prio),
                                  "custom_fields": [{"id": origin, "value": origin_value}]}}),
            ),
        )["issue"]["id"]
            .as_u64()
            .unwrap()
    };
    let escaped = issue(
        "Checkout crashes on a retried capture",
        "Immediate",
        "Production",
    );
    rm.call(
        "PUT",
        &format!("/issues/{escaped}.json"),
        Some(json!({"issue": {"status_id": closed}})),
    );
    issue("Rounding off by a cent", "High", "Pre-production");
    issue("Typo in the receipt footer", "Low", "Pre-production");
    // Reported from production, and rejected: it works as specified. It is neither an escape
    // nor in need of a regression test.
    let not_a_bug = issue("Receipt shows the net amount", "High", "Production");
    rm.call(
        "PUT",
        &format!("/issues/{not_a_bug}.json"),
        Some(json!({"issue": {"status_id": rejected}})),
    );

    let policy = format!(
        "version: 1\nrelease: {{name: demo, version: '1.0'}}\nsources:\n  tests: {{junit: [reports/*.xml]}}\n  defects:\n    kind: redmine\n    url: {}\n    project: {ident}\n    token_env: REDMINE_TOKEN\n    key_prefix: RM-\n    origin: {{field: Defect origin, production: [Production], pre_production: [Pre-production]}}\nchecks:\n  defects: {{max_open: {{critical: 0, high: 1}}}}\n  leakage: {{max_rate: 50%}}\n  traceability: {{production_defects_need_test: true}}\n",
        rm.url
    );
    let junit = format!(
        r#"<testsuite name="regressions"><testcase classname="tests.test_checkout" name="test_rm_{escaped}_retried_capture_is_idempotent"/></testsuite>"#
    );
    let p = Project::new(&policy).file("reports/junit.xml", junit.as_bytes());
    let run = |p: &Project, key: &str| {
        let mut cmd = shipgate();
        // Issues were created just now: evaluate now, not at the tests' fixed instant.
        cmd.args(["check", "--format", "json", "-vv", "--policy"])
            .arg(p.policy())
            .env("REDMINE_TOKEN", key);
        cmd.output().unwrap()
    };

    let out = run(&p, &rm.key);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !stdout.contains(&rm.key) && !stderr.contains(&rm.key),
        "the API key is never shown"
    );
    let report: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}"));
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["stats"]["defects"]["total"], 4);
    assert_eq!(report["stats"]["defects"]["open"], 2);
    let check = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()
            .clone()
    };
    // 1 of 3: the rejected issue is in neither part of the rate (counted, it would be 2 of 4).
    let leakage = check("leakage.rate");
    assert_eq!(leakage["observed"], json!(0.333333), "{leakage:#}");
    assert_eq!(
        leakage["details"]["not_defects"][0]["key"],
        format!("RM-{not_a_bug}")
    );
    assert_eq!(
        leakage["details"]["not_defects"][0]["reason"],
        "resolution: Rejected"
    );
    assert_eq!(
        check("traceability.production-defects")["details"]["production_defects"],
        1,
        "the rejected issue needs no regression test"
    );
    assert_eq!(
        check("traceability.production-defects")["details"]["traced"][format!("RM-{escaped}")],
        format!("tests.test_checkout.test_rm_{escaped}_retried_capture_is_idempotent")
    );

    // An open critical defect blocks, named by its key.
    let open = issue("Refunds fail for JPY", "Urgent", "Pre-production");
    let out = run(&p, &rm.key);
    assert_eq!(out.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let c = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "defects.open")
        .unwrap();
    assert_eq!(
        c["details"]["blocking_defects"][0]["key"],
        format!("RM-{open}")
    );

    // A wrong key: Redmine (login required) answers 401; the gate cannot decide.
    let out = run(&p, "0000000000000000000000000000000000000000");
    assert_eq!(out.status.code(), Some(4));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("the token in `REDMINE_TOKEN` was rejected"),
        "{stdout}"
    );

    rm.call("DELETE", &format!("/projects/{project}.json"), None);
}
