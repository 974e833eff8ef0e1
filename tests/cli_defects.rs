//! `shipgate check` and `shipgate inspect defects` against every HTTP defect source, served by a
//! local server (wiremock) that answers in the shapes of the real APIs: Jira Cloud's
//! `/rest/api/3/search/jql` (token paging), Jira Data Center's `/rest/api/2/search` (`startAt`
//! paging, capped `maxResults`), GitHub Issues (`Link` paging, pull requests in the list),
//! GitLab Issues (`x-next-page` without `x-total-pages`, as past 10,000 issues), and Redmine's
//! `/issues.json` (`offset`/`limit` paging, closed statuses from `/issue_statuses.json`).
//!
//! Each source is run through the same scenarios: paging to the end, 429 then success, 5xx then
//! success, 5xx until the retry bound, a timeout, a 401, malformed JSON, and a token that appears
//! nowhere in stdout, stderr or the report files with tracing at trace level.

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

use common::mock::{Run, Server, files_under, run};
use common::{NOW, Project, shipgate};
use serde_json::{Value, json};
use std::time::Duration;
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, MockBuilder, ResponseTemplate};

const TOKEN: &str = "tok-5e1f0c9d-3b7a-never-printed";

/// One HTTP defect source: its policy lines, the request that lists issues, its happy answers.
struct Tracker {
    /// `sources.defects` lines (indented four spaces), for a server at `uri`.
    source: fn(uri: &str) -> String,
    /// The list request, where failures are injected.
    list: fn() -> MockBuilder,
    /// Mounts the answers of a query that returns three defects over several pages.
    mount: fn(&Server),
    /// The keys of the three defects, the production one first.
    keys: [&'static str; 3],
}

/// One defect as every tracker serves it: (title, severity, origin, open, created, resolved).
type Served = (
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static str,
    Option<&'static str>,
);

/// The three defects every tracker serves.
const DEFECTS: [Served; 3] = [
    (
        "Refund posted twice",
        "critical",
        "production",
        false,
        "2026-10-01T09:41:00Z",
        Some("2026-10-03T17:00:00Z"),
    ),
    (
        "Rounding off by a cent",
        "high",
        "qa",
        true,
        "2026-10-15T10:00:00Z",
        None,
    ),
    (
        "Typo in the receipt",
        "low",
        "qa",
        false,
        "2026-11-02T08:00:00Z",
        Some("2026-11-03T08:00:00Z"),
    ),
];

// ---- Jira Cloud ---------------------------------------------------------------------------

fn jira_fields() -> Value {
    json!([
        {"id": "summary", "key": "summary", "name": "Summary", "custom": false, "orderable": true,
         "navigable": true, "searchable": true, "clauseNames": ["summary"], "schema": {"type": "string", "system": "summary"}},
        {"id": "priority", "key": "priority", "name": "Priority", "custom": false, "orderable": true,
         "navigable": true, "searchable": true, "clauseNames": ["priority"], "schema": {"type": "priority", "system": "priority"}},
        {"id": "customfield_10042", "key": "customfield_10042", "name": "Defect origin", "untranslatedName": "Defect origin",
         "custom": true, "orderable": true, "navigable": true, "searchable": true,
         "clauseNames": ["cf[10042]", "Defect origin"],
         "schema": {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": 10042}}
    ])
}

fn jira_issue(base: &str, i: usize) -> Value {
    let (title, severity, origin, open, created, resolved) = DEFECTS[i];
    let id = 10_001 + i;
    let key = format!("PAY-{}", i + 1);
    let priority = match severity {
        "critical" => "Highest",
        "high" => "High",
        _ => "Low",
    };
    let origin = if origin == "production" {
        "Production"
    } else {
        "QA"
    };
    let (status, category) = if open {
        (
            "In Progress",
            json!({"self": format!("{base}/rest/api/3/statuscategory/4"), "id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"}),
        )
    } else {
        (
            "Done",
            json!({"self": format!("{base}/rest/api/3/statuscategory/3"), "id": 3, "key": "done", "colorName": "green", "name": "Done"}),
        )
    };
    let jira_date = |t: &str| t.replace(":00Z", ":00.000+0000");
    json!({
        "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
        "id": id.to_string(),
        "self": format!("{base}/rest/api/3/issue/{id}"),
        "key": key,
        "fields": {
            "summary": title,
            "status": {"self": format!("{base}/rest/api/3/status/10001"), "description": "", "iconUrl": format!("{base}/"),
                       "name": status, "id": "10001", "statusCategory": category},
            "created": jira_date(created),
            "resolutiondate": resolved.map(jira_date),
            "components": [{"self": format!("{base}/rest/api/3/component/10000"), "id": "10000", "name": "Payments"}],
            "labels": ["regression"],
            "issuelinks": [{"id": "10100", "self": format!("{base}/rest/api/3/issueLink/10100"),
                            "type": {"id": "10003", "name": "Test", "inward": "is tested by", "outward": "tests", "self": format!("{base}/rest/api/3/issueLinkType/10003")},
                            "inwardIssue": {"id": "10200", "key": "PAY-200", "self": format!("{base}/rest/api/3/issue/10200")}}],
            "priority": {"self": format!("{base}/rest/api/3/priority/1"), "iconUrl": format!("{base}/images/icons/priorities/highest.svg"), "name": priority, "id": "1"},
            "customfield_10042": {"self": format!("{base}/rest/api/3/customFieldOption/10050"), "value": origin, "id": "10050"}
        }
    })
}

fn jira_source(uri: &str) -> String {
    format!(
        "    kind: jira\n    url: {uri}\n    user_env: TRACKER_USER\n    token_env: TRACKER_TOKEN\n    query: project = PAY AND issuetype = Bug\n    origin: {{field: Defect origin, production: [Production], pre_production: [QA]}}\n"
    )
}

fn jira_list() -> MockBuilder {
    Mock::given(method("POST")).and(path("/rest/api/3/search/jql"))
}

fn jira_mount(s: &Server) {
    let base = s.uri();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/rest/api/3/field"))
            .respond_with(ResponseTemplate::new(200).set_body_json(jira_fields())),
    );
    // Without a token: the first page. With one: the page it names. The last page carries
    // `isLast` and no `nextPageToken` key at all (JRACLOUD-92184).
    s.mount(jira_list().respond_with(ResponseTemplate::new(200).set_body_json(
        json!({"issues": [jira_issue(&base, 0)], "nextPageToken": "CAEaAggD", "isLast": false}),
    )).with_priority(5));
    s.mount(jira_list().and(body_partial_json(json!({"nextPageToken": "CAEaAggD"}))).respond_with(ResponseTemplate::new(200).set_body_json(
        json!({"issues": [jira_issue(&base, 1)], "nextPageToken": "CAEaAggG", "isLast": false}),
    )).with_priority(3));
    s.mount(
        jira_list()
            .and(body_partial_json(json!({"nextPageToken": "CAEaAggG"})))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"issues": [jira_issue(&base, 2)], "isLast": true})),
            )
            .with_priority(3),
    );
}

const JIRA: Tracker = Tracker {
    source: jira_source,
    list: jira_list,
    mount: jira_mount,
    keys: ["PAY-1", "PAY-2", "PAY-3"],
};

// ---- Jira Data Center ---------------------------------------------------------------------

fn jira_dc_source(uri: &str) -> String {
    format!(
        "    kind: jira-dc\n    url: {uri}\n    token_env: TRACKER_TOKEN\n    query: project = PAY AND issuetype = Bug\n    origin: {{field: customfield_10042, production: [Production], pre_production: [QA]}}\n"
    )
}

fn jira_dc_list() -> MockBuilder {
    Mock::given(method("GET")).and(path("/rest/api/2/search"))
}

fn jira_dc_mount(s: &Server) {
    let base = s.uri();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/rest/api/2/field"))
            .respond_with(ResponseTemplate::new(200).set_body_json(jira_fields())),
    );
    // The server caps maxResults at 1 (`jira.search.views.default.max`), whatever was asked.
    for i in 0..3 {
        s.mount(
            jira_dc_list()
                .and(query_param("startAt", i.to_string()))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "expand": "schema,names", "startAt": i, "maxResults": 1, "total": 3,
                    "issues": [jira_issue(&base, i)]
                }))),
        );
    }
}

const JIRA_DC: Tracker = Tracker {
    source: jira_dc_source,
    list: jira_dc_list,
    mount: jira_dc_mount,
    keys: ["PAY-1", "PAY-2", "PAY-3"],
};

// ---- GitHub -------------------------------------------------------------------------------

fn github_issue(base: &str, i: usize) -> Value {
    let (title, severity, origin, open, created, resolved) = DEFECTS[i];
    let n = i + 1;
    let label = |name: String| json!({"id": 208_045_946 + n, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=", "url": format!("{base}/repos/acme/payments/labels/{name}"), "name": name, "description": "", "color": "f29513", "default": false});
    json!({
        "url": format!("{base}/repos/acme/payments/issues/{n}"),
        "repository_url": format!("{base}/repos/acme/payments"),
        "html_url": format!("https://github.com/acme/payments/issues/{n}"),
        "id": 1_000_000 + n, "node_id": "MDU6SXNzdWUx", "number": n, "title": title,
        "user": {"login": "octocat", "id": 1, "type": "User"},
        "labels": [label("bug".into()), label(format!("severity:{severity}")), label(format!("origin:{origin}"))],
        "state": if open { "open" } else { "closed" },
        "state_reason": if open { Value::Null } else { json!("completed") },
        "locked": false, "assignee": null, "assignees": [], "milestone": {"title": "2.4.0", "number": 3},
        "comments": 0, "created_at": created, "updated_at": created, "closed_at": resolved,
        "author_association": "MEMBER", "active_lock_reason": null, "body": "..."
    })
}

fn github_source(uri: &str) -> String {
    format!(
        "    kind: github\n    url: {uri}\n    repository: acme/payments\n    token_env: TRACKER_TOKEN\n    query: labels=bug\n    severity: {{field: 'severity:', map: {{critical: [critical], high: [high], low: [low]}}}}\n    origin: {{field: 'origin:', production: [production], pre_production: [qa]}}\n"
    )
}

fn github_list() -> MockBuilder {
    Mock::given(method("GET")).and(path("/repos/acme/payments/issues"))
}

fn github_mount(s: &Server) {
    let base = s.uri();
    let mut pull = github_issue(&base, 0);
    pull["number"] = json!(99);
    pull["title"] = json!("Fix the refund rounding");
    pull["pull_request"] =
        json!({"url": format!("{base}/repos/acme/payments/pulls/99"), "merged_at": null});
    let next = |page: u32| {
        format!(
            "<{base}/repositories/42/issues?state=all&per_page=100&labels=bug&page={page}>; rel=\"next\", <{base}/repositories/42/issues?state=all&per_page=100&labels=bug&page=2>; rel=\"last\""
        )
    };
    s.mount(
        github_list().respond_with(
            ResponseTemplate::new(200)
                .insert_header("link", next(2).as_str())
                .set_body_json(json!([github_issue(&base, 0), pull])),
        ),
    );
    s.mount(Mock::given(method("GET")).and(path("/repositories/42/issues")).and(query_param("page", "2")).respond_with(
        ResponseTemplate::new(200)
            .insert_header("link", format!("<{base}/repositories/42/issues?page=1>; rel=\"prev\", <{base}/repositories/42/issues?page=1>; rel=\"first\"").as_str())
            .set_body_json(json!([github_issue(&base, 1), github_issue(&base, 2)])),
    ));
}

const GITHUB: Tracker = Tracker {
    source: github_source,
    list: github_list,
    mount: github_mount,
    keys: ["#1", "#2", "#3"],
};

// ---- GitLab -------------------------------------------------------------------------------

fn gitlab_issue(i: usize) -> Value {
    let (title, severity, origin, open, created, resolved) = DEFECTS[i];
    let iid = i + 1;
    json!({
        "id": 84_000 + iid, "iid": iid, "project_id": 278_964, "title": title, "description": "...",
        "state": if open { "opened" } else { "closed" },
        "created_at": created.replace("Z", ".000Z"), "updated_at": created, "closed_at": resolved,
        "closed_by": null, "labels": ["bug", format!("severity::{severity}"), format!("origin::{origin}")],
        "milestone": {"id": 1, "iid": 3, "title": "2.4.0"}, "assignees": [], "author": {"id": 1, "username": "dana"},
        "type": "ISSUE", "user_notes_count": 0, "upvotes": 0, "downvotes": 0, "confidential": false,
        "web_url": format!("https://gitlab.example/acme/payments/-/issues/{iid}"),
        "severity": "UNKNOWN", "issue_type": "issue"
    })
}

fn gitlab_source(uri: &str) -> String {
    format!(
        "    kind: gitlab\n    url: {uri}\n    project: acme/payments\n    token_env: TRACKER_TOKEN\n    severity: {{field: 'severity::', map: {{critical: [critical], high: [high], low: [low]}}}}\n    origin: {{field: 'origin::', production: [production], pre_production: [qa]}}\n"
    )
}

fn gitlab_list() -> MockBuilder {
    Mock::given(method("GET")).and(path("/api/v4/projects/acme%2Fpayments/issues"))
}

fn gitlab_mount(s: &Server) {
    // Past 10,000 issues GitLab leaves out x-total and x-total-pages: only x-next-page says
    // whether there is more, and it is empty on the last page.
    for (page, next, items) in [("1", "2", vec![0, 1]), ("2", "", vec![2])] {
        s.mount(
            gitlab_list().and(query_param("page", page)).respond_with(
                ResponseTemplate::new(200)
                    .insert_header("x-page", page)
                    .insert_header("x-per-page", "100")
                    .insert_header("x-next-page", next)
                    .insert_header("x-prev-page", if page == "1" { "" } else { "1" })
                    .set_body_json(Value::Array(items.into_iter().map(gitlab_issue).collect())),
            ),
        );
    }
}

const GITLAB: Tracker = Tracker {
    source: gitlab_source,
    list: gitlab_list,
    mount: gitlab_mount,
    keys: ["#1", "#2", "#3"],
};

// ---- Redmine ------------------------------------------------------------------------------

fn redmine_issue(i: usize) -> Value {
    let (title, severity, origin, open, created, resolved) = DEFECTS[i];
    let priority = match severity {
        "critical" => json!({"id": 7, "name": "Immediate"}),
        "high" => json!({"id": 4, "name": "High"}),
        _ => json!({"id": 1, "name": "Low"}),
    };
    let origin = if origin == "production" {
        "Production"
    } else {
        "Pre-production"
    };
    json!({
        "id": i + 1, "project": {"id": 1, "name": "IT test"}, "tracker": {"id": 1, "name": "Bug"},
        "status": if open { json!({"id": 2, "name": "In Progress"}) } else { json!({"id": 5, "name": "Closed"}) },
        "priority": priority, "author": {"id": 1, "name": "Redmine Admin"}, "category": {"id": 1, "name": "Payments"},
        "subject": title, "description": "", "start_date": &created[..10], "due_date": null, "done_ratio": 0,
        "is_private": false, "estimated_hours": null, "total_estimated_hours": null,
        "custom_fields": [{"id": 1, "name": "Defect origin", "value": origin}],
        "created_on": created, "updated_on": created, "closed_on": resolved
    })
}

fn redmine_source(uri: &str) -> String {
    format!(
        "    kind: redmine\n    url: {uri}\n    project: ittest\n    token_env: TRACKER_TOKEN\n    query: tracker_id=1\n    origin: {{field: Defect origin, production: [Production], pre_production: [Pre-production]}}\n"
    )
}

fn redmine_list() -> MockBuilder {
    Mock::given(method("GET")).and(path("/issues.json"))
}

fn redmine_mount(s: &Server) {
    s.mount(Mock::given(method("GET")).and(path("/issue_statuses.json")).respond_with(ResponseTemplate::new(200).set_body_json(json!({
        "issue_statuses": [
            {"id": 1, "name": "New", "is_closed": false}, {"id": 2, "name": "In Progress", "is_closed": false},
            {"id": 3, "name": "Resolved", "is_closed": false}, {"id": 5, "name": "Closed", "is_closed": true},
            {"id": 6, "name": "Rejected", "is_closed": true}
        ]
    }))));
    // The server's `limit` is 1 here, whatever was asked: three pages by offset.
    for i in 0..3 {
        s.mount(
            redmine_list()
                .and(query_param("offset", i.to_string()))
                .and(query_param("status_id", "*"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "issues": [redmine_issue(i)], "total_count": 3, "offset": i, "limit": 1
                }))),
        );
    }
}

const REDMINE: Tracker = Tracker {
    source: redmine_source,
    list: redmine_list,
    mount: redmine_mount,
    keys: ["#1", "#2", "#3"],
};

// ---- the scenarios ------------------------------------------------------------------------

/// A project whose policy reads the tracker at `uri`, with a JUnit report whose one test names
/// the production defect.
fn project(t: &Tracker, uri: &str, tuning: &str) -> Project {
    let policy = format!(
        "version: 1\nrelease: {{name: demo, version: '1.0'}}\nsources:\n  tests: {{junit: [reports/*.xml]}}\n  defects:\n{}{tuning}checks:\n  defects: {{max_open: {{critical: 0, high: 1}}}}\n  leakage: {{max_rate: 50%}}\n  traceability: {{production_defects_need_test: true}}\n",
        (t.source)(uri)
    );
    let junit = format!(
        r#"<testsuite name="regressions"><testcase classname="RegressionTest" name="guards_the_refund"><properties><property name="defect" value="{}"/></properties></testcase></testsuite>"#,
        t.keys[0]
    );
    Project::new(&policy).file("reports/junit.xml", junit.as_bytes())
}

const TUNING: &str = "    timeout: 5s\n    retries: 2\n";

/// The command with credentials, and without any proxy of the machine it runs on (the mock
/// server is on loopback).
fn with_token(mut cmd: assert_cmd::Command) -> assert_cmd::Command {
    cmd.env("TRACKER_USER", "qa@acme.example")
        .env("TRACKER_TOKEN", TOKEN);
    for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] {
        cmd.env_remove(var).env_remove(var.to_ascii_lowercase());
    }
    cmd
}

fn check_json(p: &Project) -> (Run, Value) {
    let mut cmd = p.check();
    cmd.args(["--format", "json"]);
    let r = run(with_token(cmd));
    let report: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", r.stdout, r.stderr));
    (r, report)
}

fn defect_check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {report:#}"))
}

fn pages_to_the_end(t: &Tracker) {
    let s = Server::start();
    (t.mount)(&s);
    let p = project(t, &s.uri(), TUNING);
    let mut inspect = shipgate();
    inspect
        .args([
            "inspect", "defects", "--format", "json", "--now", NOW, "--policy",
        ])
        .arg(p.policy());
    let r = run(with_token(inspect));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let set: Value = serde_json::from_str(&r.stdout).unwrap();
    let keys: Vec<&str> = set["defects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys, t.keys,
        "every page read, pull requests left out: {set:#}"
    );
    let d = &set["defects"];
    assert_eq!(d[0]["severity"], "critical");
    assert_eq!(d[0]["origin"], "production");
    assert_eq!(d[0]["status"], "closed");
    assert_eq!(d[0]["created"], "2026-10-01T09:41:00Z");
    assert_eq!(d[0]["resolved"], "2026-10-03T17:00:00Z");
    assert_eq!(
        (
            d[1]["severity"].as_str(),
            d[1]["origin"].as_str(),
            d[1]["status"].as_str()
        ),
        (Some("high"), Some("pre-production"), Some("open"))
    );
    assert_eq!(d[2]["severity"], "low");
    assert_eq!(set["fetched_at"], NOW);

    let (r, report) = check_json(&p);
    assert_eq!(r.code, 0, "{report:#}\n{}", r.stderr);
    assert_eq!(report["decision"], "ready");
    assert_eq!(report["stats"]["defects"]["total"], 3);
    assert_eq!(
        defect_check(&report, "leakage.rate")["observed"],
        json!(0.333333)
    );
    let input = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == "defects")
        .unwrap();
    assert!(
        input["path"].as_str().unwrap().starts_with(&s.uri()),
        "{input}"
    );
}

/// A failure answered `times` times on the list request before the normal answers.
fn fails_then_succeeds(t: &Tracker, failure: ResponseTemplate, times: u64) {
    let s = Server::start();
    (t.mount)(&s);
    s.mount(
        (t.list)()
            .respond_with(failure)
            .up_to_n_times(times)
            .with_priority(1),
    );
    let (r, report) = check_json(&project(t, &s.uri(), TUNING));
    assert_eq!(r.code, 0, "{report:#}\n{}", r.stderr);
    assert!(
        r.stderr.contains("retrying"),
        "a retry is said on stderr: {}",
        r.stderr
    );
}

/// The list request always answers `failure`: the gate cannot decide, exit 4, never ready.
fn cannot_fetch(t: &Tracker, failure: ResponseTemplate, tuning: &str, expect: &str) {
    let s = Server::start();
    (t.mount)(&s);
    s.mount((t.list)().respond_with(failure).with_priority(1));
    let (r, report) = check_json(&project(t, &s.uri(), tuning));
    assert_eq!(r.code, 4, "{report:#}");
    assert_eq!(report["decision"], "blocked");
    for id in [
        "defects.open",
        "defects.classified",
        "leakage.rate",
        "traceability.production-defects",
    ] {
        let c = defect_check(&report, id);
        assert_eq!(
            (c["status"].as_str(), c["blocking"].as_bool()),
            (Some("error"), Some(true)),
            "{id}: {c:#}"
        );
        assert!(
            c["message"].as_str().unwrap().contains(expect),
            "{id}: {c:#}"
        );
    }
    assert!(!r.stdout.contains(TOKEN) && !r.stderr.contains(TOKEN));
}

/// With tracing at trace level and the report files written, the token appears nowhere: not on
/// a good run, and not when the server refuses it.
fn token_never_shown(t: &Tracker) {
    for refuse in [false, true] {
        let s = Server::start();
        (t.mount)(&s);
        if refuse {
            s.mount(
                (t.list)()
                    .respond_with(
                        ResponseTemplate::new(401)
                            .set_body_string(format!("bad credentials {TOKEN}")),
                    )
                    .with_priority(1),
            );
        }
        let p = project(t, &s.uri(), TUNING);
        let reports = p.dir.path().join("out");
        let mut cmd = p.check();
        cmd.arg("-vv").arg("--report-dir").arg(&reports);
        let r = run(with_token(cmd));
        assert_eq!(
            r.code,
            if refuse { 4 } else { 0 },
            "{}\n{}",
            r.stdout,
            r.stderr
        );
        assert!(
            r.stderr.contains("TRACE") || r.stderr.contains("DEBUG"),
            "tracing is on: {}",
            r.stderr
        );
        let mut seen = vec![
            ("stdout".to_owned(), r.stdout),
            ("stderr".to_owned(), r.stderr),
        ];
        // Every file of the report folder, the release record under `evidence/` included.
        seen.extend(files_under(&reports));
        assert!(seen.len() >= 6, "the reports and the record were written");
        for (what, text) in &seen {
            assert!(!text.contains(TOKEN), "the token is in {what}");
            assert!(
                !text.contains("dG9rLTVlMWYwYzlk"),
                "the token's base64 is in {what}"
            );
        }
        if refuse {
            // The human report wraps lines: compare with the white space collapsed.
            let stdout = seen[0].1.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                stdout.contains("the token in `TRACKER_TOKEN` was rejected"),
                "{stdout}"
            );
        }
    }
}

macro_rules! tracker_tests {
    ($name:ident, $tracker:expr) => {
        mod $name {
            use super::*;

            #[test]
            fn pages_to_the_end_and_is_ready() {
                pages_to_the_end(&$tracker);
            }

            #[test]
            fn waits_out_429_then_succeeds() {
                fails_then_succeeds(
                    &$tracker,
                    ResponseTemplate::new(429).insert_header("Retry-After", "1"),
                    1,
                );
            }

            #[test]
            fn retries_5xx_then_succeeds() {
                fails_then_succeeds(&$tracker, ResponseTemplate::new(502), 2);
            }

            #[test]
            fn gives_up_on_5xx_at_the_retry_bound_with_exit_4() {
                cannot_fetch(
                    &$tracker,
                    ResponseTemplate::new(503),
                    TUNING,
                    "after 3 attempts: HTTP 503",
                );
            }

            #[test]
            fn times_out_with_exit_4() {
                cannot_fetch(
                    &$tracker,
                    ResponseTemplate::new(200).set_delay(Duration::from_secs(3)),
                    "    timeout: 300ms\n    retries: 1\n",
                    "timed out after 0.3 s",
                );
            }

            #[test]
            fn a_rejected_token_names_its_variable_with_exit_4() {
                cannot_fetch(
                    &$tracker,
                    ResponseTemplate::new(401),
                    TUNING,
                    "the token in `TRACKER_TOKEN` was rejected",
                );
            }

            #[test]
            fn malformed_json_is_an_evidence_error() {
                cannot_fetch(
                    &$tracker,
                    ResponseTemplate::new(200)
                        .set_body_raw("{\"issues\": [{\"key\": ", "application/json"),
                    TUNING,
                    "as JSON",
                );
            }

            #[test]
            fn a_key_given_twice_in_the_answer_is_an_evidence_error() {
                cannot_fetch(
                    &$tracker,
                    ResponseTemplate::new(200).set_body_raw(
                        "{\"issues\": [{\"key\": \"PAY-1\", \"status\": \"open\", \"status\": \"closed\"}]}",
                        "application/json",
                    ),
                    TUNING,
                    "the key `status` appears twice in `issues[0]`",
                );
            }

            #[test]
            fn the_token_never_appears_in_any_output() {
                token_never_shown(&$tracker);
            }
        }
    };
}

tracker_tests!(jira, JIRA);
tracker_tests!(jira_dc, JIRA_DC);
tracker_tests!(github, GITHUB);
tracker_tests!(gitlab, GITLAB);
tracker_tests!(redmine, REDMINE);

// ---- offline and missing credentials -------------------------------------------------------

#[test]
fn offline_a_tracker_is_missing_evidence_that_says_why() {
    let p = project(&JIRA, "https://acme.atlassian.net", TUNING);
    let mut cmd = p.check();
    cmd.arg("--offline");
    let r = run(with_token(cmd));
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(
        r.stdout.contains("is not read with `--offline`"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("kind: file"),
        "the remedy points at an export: {}",
        r.stdout
    );
}

#[test]
fn an_unset_token_variable_is_named() {
    let p = project(&GITHUB, "https://api.github.com", TUNING);
    let r = run(p.check());
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(
        r.stdout
            .contains("the environment variable `TRACKER_TOKEN` is not set"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_query_that_returns_nothing_blocks() {
    let s = Server::start();
    redmine_mount(&s);
    s.mount(
        redmine_list()
            .respond_with(
                ResponseTemplate::new(200).set_body_json(
                    json!({"issues": [], "total_count": 0, "offset": 0, "limit": 100}),
                ),
            )
            .with_priority(1),
    );
    let (r, report) = check_json(&project(&REDMINE, &s.uri(), TUNING));
    assert_eq!(r.code, 1, "{report:#}");
    let c = defect_check(&report, "leakage.rate");
    assert_eq!(c["status"], "missing");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("returned no defect"),
        "{c:#}"
    );
}

#[test]
fn the_proxy_from_the_environment_is_used_and_no_proxy_is_honoured() {
    // The tracker's host does not resolve; only a proxy can reach it. The mock server plays
    // the proxy: a proxied request arrives with the tracker's URL, and is answered.
    let s = Server::start();
    redmine_mount(&s);
    let p = project(&REDMINE, "http://redmine.tracker.invalid", TUNING);
    let mut cmd = with_token(p.check());
    cmd.env("HTTP_PROXY", s.uri()).env("http_proxy", s.uri());
    let r = run(cmd);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    let mut cmd = with_token(p.check());
    cmd.env("HTTP_PROXY", s.uri())
        .env("http_proxy", s.uri())
        .env("NO_PROXY", "tracker.invalid")
        .env("no_proxy", "tracker.invalid");
    let r = run(cmd);
    assert_eq!(
        r.code, 4,
        "NO_PROXY sends it direct, where the host does not resolve: {}",
        r.stdout
    );
}

#[test]
fn a_jira_page_that_is_not_the_last_but_has_no_token_is_an_error() {
    let s = Server::start();
    jira_mount(&s);
    s.mount(
        jira_list()
            .and(body_partial_json(json!({"nextPageToken": "CAEaAggD"})))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"issues": [jira_issue(&s.uri(), 1)], "isLast": false})),
            )
            .with_priority(1),
    );
    let (r, report) = check_json(&project(&JIRA, &s.uri(), TUNING));
    assert_eq!(r.code, 4, "{report:#}");
    let c = defect_check(&report, "leakage.rate");
    assert!(
        c["message"]
            .as_str()
            .unwrap()
            .contains("no `nextPageToken`"),
        "{c:#}"
    );
}

/// A release record keeps what the tracker answered, and a replay reads it back offline: the
/// same report, with the tracker gone and no token in the environment.
fn recorded_and_replayed_without_the_tracker(t: &Tracker) {
    let s = Server::start();
    (t.mount)(&s);
    let p = project(t, &s.uri(), TUNING);
    let out = p.dir.path().join("record");
    let mut cmd = p.check();
    cmd.args(["--format", "json", "--report-dir"]).arg(&out);
    let live = run(with_token(cmd));
    assert_eq!(live.code, 0, "{}\n{}", live.stdout, live.stderr);
    let stored = out.join("evidence/fetched/defects/defects.json");
    let stored =
        std::fs::read_to_string(&stored).unwrap_or_else(|e| panic!("{e}: {}", stored.display()));
    assert!(stored.contains(t.keys[0]), "{stored}");
    assert!(!stored.contains(TOKEN));
    drop(s);

    let mut cmd = shipgate();
    cmd.args(["check", "--format", "json", "--from-snapshot"])
        .arg(&out)
        .env_remove("TRACKER_TOKEN");
    let replay = run(cmd);
    assert_eq!(replay.code, 0, "{}\n{}", replay.stdout, replay.stderr);
    assert!(
        replay
            .stderr
            .contains("the replay gives the same report as the recorded report.json"),
        "{}",
        replay.stderr
    );
    assert_eq!(
        replay.stdout,
        std::fs::read_to_string(out.join("report.json")).unwrap()
    );
}

#[test]
fn a_jira_answer_is_recorded_and_replayed_offline() {
    recorded_and_replayed_without_the_tracker(&JIRA);
}

#[test]
fn a_github_answer_is_recorded_and_replayed_offline() {
    recorded_and_replayed_without_the_tracker(&GITHUB);
}
