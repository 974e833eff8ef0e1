//! The leakage number, end to end through `shipgate check`, `inspect defects` and `leakage`,
//! against a local server (wiremock) in the trackers' shapes: a Jira field name that two fields
//! share blocks with both ids instead of reading the first; issues the tracker closed as not
//! defects are left out and named, open ones never; the release record keeps what the tracker
//! said, so that a replay agrees; and critical-path leakage runs without any JUnit source.

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

use common::mock::{Run, Server, run};
use common::{NOW, Project, shipgate};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

/// The command with a token, and without the machine's proxies (the server is on loopback).
fn with_token(mut cmd: assert_cmd::Command) -> assert_cmd::Command {
    cmd.env("TRACKER_USER", "qa@acme.example")
        .env("TRACKER_TOKEN", "tok-not-shown");
    for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] {
        cmd.env_remove(var).env_remove(var.to_ascii_lowercase());
    }
    cmd
}

fn check_json(p: &Project) -> (Run, Value) {
    let mut cmd = p.check();
    cmd.args(["--format", "json"]);
    let r = run(with_token(cmd));
    let report = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", r.stdout, r.stderr));
    (r, report)
}

fn check_of<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

// ---- Jira: two fields named `Defect origin` -------------------------------------------------

/// A Jira Cloud site where a team-managed project made its own `Defect origin`, listed first by
/// `/field` and left at QA on every issue; the field the team fills in says production for 3 of
/// the 11 defects: 27%.
fn jira_with_two_origin_fields() -> Server {
    let s = Server::start();
    let base = s.uri();
    let field = |id: &str, scope: Option<&str>| {
        let mut f = json!({
            "id": id, "key": id, "name": "Defect origin", "untranslatedName": "Defect origin",
            "custom": true, "orderable": true, "navigable": true, "searchable": true,
            "clauseNames": [format!("cf[{}]", &id[12..]), "Defect origin[Dropdown]"],
            "schema": {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": id[12..].parse::<u64>().unwrap()}
        });
        if let Some(project) = scope {
            f["scope"] = json!({"type": "PROJECT", "project": {"id": project}});
        }
        f
    };
    s.mount(
        Mock::given(method("GET"))
            .and(path("/rest/api/3/field"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"id": "summary", "key": "summary", "name": "Summary", "custom": false, "schema": {"type": "string", "system": "summary"}},
                {"id": "priority", "key": "priority", "name": "Priority", "custom": false, "schema": {"type": "priority", "system": "priority"}},
                field("customfield_10107", Some("10001")),
                field("customfield_10042", None),
            ]))),
    );
    let issues: Vec<Value> = (1..=11)
        .map(|n| {
            let origin = if n <= 3 { "Production" } else { "QA" };
            json!({
                "id": (10_000 + n).to_string(), "self": format!("{base}/rest/api/3/issue/{}", 10_000 + n),
                "key": format!("PAY-{n}"),
                "fields": {
                    "summary": format!("defect {n}"),
                    "status": {"name": "Done", "id": "10001", "statusCategory": {"id": 3, "key": "done", "name": "Done"}},
                    "created": "2026-11-01T09:41:00.000+0000",
                    "resolution": {"id": "10000", "name": "Done"},
                    "resolutiondate": "2026-11-02T09:41:00.000+0000",
                    "components": [], "labels": [], "issuelinks": [],
                    "priority": {"name": "Medium", "id": "3"},
                    "customfield_10042": {"value": origin, "id": "10050"},
                    "customfield_10107": {"value": "QA", "id": "10160"}
                }
            })
        })
        .collect();
    s.mount(
        Mock::given(method("POST"))
            .and(path("/rest/api/3/search/jql"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(json!({"issues": issues, "isLast": true})),
            ),
    );
    s
}

fn jira_project(uri: &str, origin_field: &str) -> Project {
    Project::new(&format!(
        "version: 1\nrelease: {{name: demo, version: '1.0'}}\nsources:\n  defects:\n    kind: jira\n    url: {uri}\n    user_env: TRACKER_USER\n    token_env: TRACKER_TOKEN\n    query: project = PAY AND issuetype = Bug\n    origin: {{field: {origin_field}, production: [Production], pre_production: [QA]}}\nchecks:\n  leakage: {{max_rate: 5%}}\n"
    ))
}

#[test]
fn jira_a_field_name_two_fields_share_blocks_with_both_ids_never_reads_the_first() {
    let s = jira_with_two_origin_fields();
    let (r, report) = check_json(&jira_project(&s.uri(), "Defect origin"));
    // Taking the first field listed read 0 of 11 production: ready at 0%.
    assert_eq!(r.code, 4, "the gate cannot decide: {report:#}");
    assert_eq!(report["decision"], "blocked");
    let c = check_of(&report, "leakage.rate");
    assert_eq!(
        (c["status"].as_str(), c["blocking"].as_bool()),
        (Some("error"), Some(true))
    );
    let message = c["message"].as_str().unwrap();
    assert!(
        message.contains("`customfield_10042 (select)`")
            && message.contains("`customfield_10107 (select, team-managed project 10001)`"),
        "{message}"
    );
    assert!(
        c["remedy"]
            .as_str()
            .unwrap()
            .contains("name the field by its id in `sources.defects.origin.field`"),
        "{c:#}"
    );

    // Named by its id, the field the team fills in gives the true rate: 3 of 11.
    let (r, report) = check_json(&jira_project(&s.uri(), "customfield_10042"));
    assert_eq!(r.code, 1, "{report:#}");
    let c = check_of(&report, "leakage.rate");
    assert_eq!(c["observed"], json!(0.272727));
    assert_eq!(c["status"], "fail");
}

// ---- GitHub: duplicates, labels, open issues ------------------------------------------------

/// One GitHub issue: (number, state, state_reason, labels beyond `bug`).
fn github_issue(base: &str, n: u64, state: &str, reason: Option<&str>, labels: &[&str]) -> Value {
    let mut names = vec!["bug"];
    names.extend_from_slice(labels);
    let labels: Vec<Value> = names
        .iter()
        .map(|name| json!({"id": 208_045_946, "url": format!("{base}/repos/acme/payments/labels/{name}"), "name": name, "color": "d73a4a", "default": true}))
        .collect();
    json!({
        "url": format!("{base}/repos/acme/payments/issues/{n}"),
        "html_url": format!("https://github.com/acme/payments/issues/{n}"),
        "id": 1_000_000 + n, "number": n, "title": format!("defect {n}"),
        "user": {"login": "octocat", "id": 1}, "labels": labels, "state": state,
        "state_reason": reason, "locked": false, "assignees": [], "milestone": null, "comments": 0,
        "created_at": "2026-11-01T09:41:00Z", "updated_at": "2026-11-02T09:41:00Z",
        "closed_at": if state == "closed" { json!("2026-11-02T09:41:00Z") } else { Value::Null },
        "author_association": "MEMBER", "body": "..."
    })
}

/// Production: #1 (closed, completed), #2 (closed as a duplicate), #5 (open, labelled
/// invalid). Pre-production: #3 (open), #4 (closed, completed).
fn github() -> Server {
    let s = Server::start();
    let base = s.uri();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/repos/acme/payments/issues"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                github_issue(
                    &base,
                    1,
                    "closed",
                    Some("completed"),
                    &["severity:high", "origin:production"]
                ),
                github_issue(
                    &base,
                    2,
                    "closed",
                    Some("duplicate"),
                    &["severity:high", "origin:production"]
                ),
                github_issue(&base, 3, "open", None, &["severity:low", "origin:qa"]),
                github_issue(
                    &base,
                    4,
                    "closed",
                    Some("completed"),
                    &["severity:low", "origin:qa"]
                ),
                github_issue(
                    &base,
                    5,
                    "open",
                    None,
                    &["severity:low", "origin:production", "invalid"]
                ),
            ]))),
    );
    s
}

fn github_project(uri: &str, max_rate: &str, extra: &str) -> Project {
    Project::new(&format!(
        "version: 1\nrelease: {{name: demo, version: '1.0'}}\nsources:\n  defects:\n    kind: github\n    url: {uri}\n    repository: acme/payments\n    token_env: TRACKER_TOKEN\n    severity: {{field: 'severity:', map: {{high: [high], low: [low]}}}}\n    origin: {{field: 'origin:', production: [production], pre_production: [qa]}}\n{extra}checks:\n  leakage: {{max_rate: {max_rate}}}\n"
    ))
}

#[test]
fn github_a_duplicate_is_left_out_and_an_open_issue_marked_invalid_still_counts() {
    let s = github();
    // Counted: production #1 and #5, pre-production #3 and #4: 2 of 4 = 50%. Were the duplicate
    // counted, 3 of 5 = 60%; were the open #5 left out, 1 of 3 = 33%.
    let (r, report) = check_json(&github_project(&s.uri(), "55%", ""));
    assert_eq!(r.code, 0, "{report:#}");
    let c = check_of(&report, "leakage.rate");
    assert_eq!(c["observed"], json!(0.5));
    assert_eq!(c["details"]["not_defects"][0]["key"], "#2");
    assert_eq!(
        c["details"]["not_defects"][0]["reason"],
        "resolution: duplicate"
    );
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("1 closed as not a defect is not counted (resolution: duplicate 1)"),
        "{c:#}"
    );
    let (r, report) = check_json(&github_project(&s.uri(), "40%", ""));
    assert_eq!(
        r.code, 1,
        "the open issue labelled invalid still counts: {report:#}"
    );
    // A policy rule that names nothing counts every closed issue again.
    let (r, report) = check_json(&github_project(
        &s.uri(),
        "55%",
        "    not_defects: {resolutions: [], labels: []}\n",
    ));
    assert_eq!(r.code, 1, "{report:#}");
    assert_eq!(check_of(&report, "leakage.rate")["observed"], json!(0.6));

    // `inspect defects` and `leakage` say the same.
    let p = github_project(&s.uri(), "55%", "");
    let mut cmd = shipgate();
    cmd.args(["inspect", "defects", "--now", NOW, "--policy"])
        .arg(p.policy());
    let r = run(with_token(cmd));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout
            .contains("#2   high      production      not a defect"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("marked as not defects but open, so still counted: #5 (label: invalid)"),
        "{}",
        r.stdout
    );
    let mut cmd = shipgate();
    cmd.args(["leakage", "--format", "json", "--now", NOW, "--policy"])
        .arg(p.policy());
    let r = run(with_token(cmd));
    let leakage: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (
            &leakage["total"]["production"],
            &leakage["total"]["pre_production"],
            &leakage["total"]["not_defects"]
        ),
        (&json!(2), &json!(2), &json!(1))
    );
}

#[test]
fn the_record_keeps_what_the_tracker_said_and_the_replay_agrees() {
    let s = github();
    let p = github_project(&s.uri(), "55%", "");
    let out = p.dir.path().join("record");
    let mut cmd = p.check();
    cmd.args(["--format", "json", "--report-dir"]).arg(&out);
    let live = run(with_token(cmd));
    assert_eq!(live.code, 0, "{}\n{}", live.stdout, live.stderr);
    let stored: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("evidence/fetched/defects/defects.json")).unwrap(),
    )
    .unwrap();
    let two = stored["defects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["key"] == "#2")
        .unwrap();
    assert_eq!(two["resolution"], "duplicate");
    assert_eq!(
        two["not_a_defect"],
        json!({"by": "resolution", "value": "duplicate"})
    );
    drop(s);

    let mut cmd = shipgate();
    cmd.args(["check", "--format", "json", "--from-snapshot"])
        .arg(&out)
        .env_remove("TRACKER_TOKEN");
    let replay = run(cmd);
    assert_eq!(replay.code, 0, "{}\n{}", replay.stdout, replay.stderr);
    assert_eq!(
        replay.stdout,
        std::fs::read_to_string(out.join("report.json")).unwrap()
    );
}

// ---- critical-path leakage without JUnit ----------------------------------------------------

#[test]
fn critical_path_leakage_needs_no_junit_source() {
    let defect = |key: &str, origin: &str, component: &str| {
        format!(
            r#"{{"key": "{key}", "title": "t", "severity": "high", "origin": "{origin}", "status": "closed", "created": "2026-11-01T00:00:00Z", "components": ["{component}"]}}"#
        )
    };
    let mut list = vec![defect("PAY-1", "production", "Reports")];
    list.extend((2..=51).map(|i| defect(&format!("PAY-{i}"), "pre-production", "Payments")));
    let json = format!(
        r#"{{"format": "shipgate-defects", "version": 1, "source": "file", "location": "d.json", "defects": [{}]}}"#,
        list.join(",")
    );
    let policy = "version: 1\nrelease: {name: x}\nsources:\n  defects: {kind: file, path: d.json}\nrisk:\n  critical_paths:\n    payment: {defects: {components: [Payments]}}\nchecks:\n  leakage: {max_rate_critical_paths: 2%}\n";
    let p = Project::new(policy).file("d.json", json.as_bytes());
    shipgate()
        .args(["validate", "--policy"])
        .arg(p.policy())
        .assert()
        .code(0);
    let (r, report) = check_json(&p);
    assert_eq!(r.code, 0, "{report:#}");
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["defects.classified", "leakage.rate"]);
    assert_eq!(check_of(&report, "leakage.rate")["observed"], json!(0.0));
    assert!(report["stats"]["tests"].is_null(), "{report:#}");

    // A path that names tests still needs them: then the policy must say where they are.
    let p = Project::new(&policy.replace(
        "payment: {defects: {components: [Payments]}}",
        "payment: {tests: ['*Payment*'], defects: {components: [Payments]}}",
    ));
    let r = run(p.check());
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("`risk.critical_paths` needs test results"),
        "{}",
        r.stderr
    );
}
