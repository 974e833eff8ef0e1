//! How each tracker says an issue was closed, read in its API's shape from a local server
//! (wiremock): Jira's `resolution`, GitHub's `state_reason`, GitLab's close as a duplicate or a
//! move, Redmine's closed status, the Jira CSV export's `Resolution` column. Issues closed as not
//! being defects are marked by the tracker's default rule or the policy's; an open issue is
//! marked but never left out. And a Jira field name that two fields share is an error that lists
//! both ids, never the first one Jira happens to list.

use crate::common::{Server, config, fetch_defects};
use serde_json::{Value, json};
use shipgate_defects::{DefectsError, LoadOptions, NotDefectRule, OriginMap, TrackerKind, load};
use shipgate_model::{Defect, Origin};
use wiremock::matchers::{body_partial_json, method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn origin(field: &str, production: &str, pre: &str) -> OriginMap {
    OriginMap {
        field: field.to_owned(),
        production: vec![production.to_owned()],
        pre_production: vec![pre.to_owned()],
    }
}

/// `key → (closed as not a defect?, the reason, the resolution as read)`.
fn marks(defects: &[Defect]) -> Vec<(String, Option<String>, Option<String>)> {
    defects
        .iter()
        .map(|d| {
            (
                d.key.clone(),
                d.closed_as_not_a_defect().map(|n| n.reason()),
                d.resolution.clone(),
            )
        })
        .collect()
}

fn row(
    key: &str,
    excluded: Option<&str>,
    resolution: Option<&str>,
) -> (String, Option<String>, Option<String>) {
    (
        key.to_owned(),
        excluded.map(str::to_owned),
        resolution.map(str::to_owned),
    )
}

// ---- Jira ---------------------------------------------------------------------------------

/// `/rest/api/3/field` as Jira Cloud answers it on a site with two fields named `Defect origin`:
/// the company-managed one and one a team-managed project made for itself.
fn jira_fields() -> Value {
    json!([
        {"id": "summary", "key": "summary", "name": "Summary", "custom": false, "orderable": true,
         "navigable": true, "searchable": true, "clauseNames": ["summary"],
         "schema": {"type": "string", "system": "summary"}},
        {"id": "resolution", "key": "resolution", "name": "Resolution", "custom": false,
         "orderable": true, "navigable": true, "searchable": true, "clauseNames": ["resolution"],
         "schema": {"type": "resolution", "system": "resolution"}},
        {"id": "priority", "key": "priority", "name": "Priority", "custom": false, "orderable": true,
         "navigable": true, "searchable": true, "clauseNames": ["priority"],
         "schema": {"type": "priority", "system": "priority"}},
        {"id": "customfield_10107", "key": "customfield_10107", "name": "Defect origin",
         "untranslatedName": "Defect origin", "custom": true, "orderable": true, "navigable": true,
         "searchable": true, "clauseNames": ["cf[10107]", "Defect origin[Dropdown]"],
         "schema": {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": 10107},
         "scope": {"type": "PROJECT", "project": {"id": "10001"}}},
        {"id": "customfield_10042", "key": "customfield_10042", "name": "Defect origin",
         "untranslatedName": "Defect origin", "custom": true, "orderable": true, "navigable": true,
         "searchable": true, "clauseNames": ["cf[10042]", "Defect origin[Dropdown]"],
         "schema": {"type": "option", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:select", "customId": 10042}}
    ])
}

/// A Jira issue as search answers it: `category` is the status category key (`done`,
/// `indeterminate`), `resolution` the resolution's name or none; the stale field
/// `customfield_10107` says QA, the field the team fills in says Production.
fn jira_issue(
    base: &str,
    n: u64,
    category: &str,
    resolution: Option<&str>,
    labels: &[&str],
) -> Value {
    let resolution = resolution.map(|name| {
        json!({"self": format!("{base}/rest/api/3/resolution/1000{n}"), "id": format!("1000{n}"),
               "description": "", "name": name})
    });
    json!({
        "expand": "operations,versionedRepresentations,editmeta,changelog,renderedFields",
        "id": (10_000 + n).to_string(), "self": format!("{base}/rest/api/3/issue/{}", 10_000 + n),
        "key": format!("PAY-{n}"),
        "fields": {
            "summary": format!("defect {n}"),
            "status": {"name": if category == "done" { "Done" } else { "In Progress" }, "id": "10001",
                       "statusCategory": {"id": 3, "key": category, "colorName": "green", "name": "Done"}},
            "created": "2026-10-01T09:41:00.000+0000",
            "resolution": resolution,
            "resolutiondate": if category == "done" { json!("2026-10-03T17:00:00.000+0000") } else { Value::Null },
            "components": [], "labels": labels, "issuelinks": [],
            "priority": {"name": "High", "id": "2"},
            "customfield_10042": {"self": format!("{base}/rest/api/3/customFieldOption/10050"), "value": "Production", "id": "10050"},
            "customfield_10107": {"self": format!("{base}/rest/api/3/customFieldOption/10160"), "value": "QA", "id": "10160"}
        }
    })
}

fn jira_cloud() -> Server {
    let s = Server::start();
    let base = s.uri();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/rest/api/3/field"))
            .respond_with(ResponseTemplate::new(200).set_body_json(jira_fields())),
    );
    let list = || Mock::given(method("POST")).and(path("/rest/api/3/search/jql"));
    s.mount(
        list()
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issues": [
                    jira_issue(&base, 1, "done", Some("Done"), &[]),
                    jira_issue(&base, 2, "done", Some("Duplicate"), &[]),
                    jira_issue(&base, 3, "done", Some("Won't Fix"), &[]),
                ],
                "nextPageToken": "CAEaAggD", "isLast": false
            })))
            .with_priority(5),
    );
    s.mount(
        list()
            .and(body_partial_json(json!({"nextPageToken": "CAEaAggD"})))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "issues": [
                    // A workflow that sets a resolution without moving to a done status.
                    jira_issue(&base, 4, "indeterminate", Some("Duplicate"), &[]),
                    jira_issue(&base, 5, "done", Some("Cannot Reproduce"), &["not-a-bug"]),
                    jira_issue(&base, 6, "done", Some("Not a Bug"), &[]),
                ],
                "isLast": true
            })))
            .with_priority(3),
    );
    s
}

fn jira_config(uri: &str, origin_field: &str) -> shipgate_defects::SourceConfig {
    let mut c = config(TrackerKind::Jira, uri);
    c.settings.user_env = Some("TRACKER_USER".to_owned());
    c.settings.query = Some("project = PAY AND issuetype = Bug".to_owned());
    c.settings.origin = Some(origin(origin_field, "Production", "QA"));
    c
}

#[test]
fn jira_a_field_name_two_fields_share_is_an_error_listing_both_ids() {
    let s = jira_cloud();
    let e = fetch_defects(&jira_config(&s.uri(), "Defect origin")).unwrap_err();
    assert!(matches!(e, DefectsError::AmbiguousField { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.contains("failed to tell which field `Defect origin` named in `sources.defects.origin.field` means"),
        "{text}"
    );
    assert!(
        text.contains("2 fields have that name: `customfield_10042 (select)`, `customfield_10107 (select, team-managed project 10001)`"),
        "{text}"
    );
    assert!(
        e.remedy().contains("name the field by its id"),
        "{}",
        e.remedy()
    );
    assert!(!e.is_missing(), "the gate cannot decide: an evidence error");
    // Case does not make two names different.
    let e = fetch_defects(&jira_config(&s.uri(), "defect ORIGIN")).unwrap_err();
    assert!(matches!(e, DefectsError::AmbiguousField { .. }), "{e:?}");
    assert!(
        s.requests_to("/rest/api/3/search/jql").is_empty(),
        "nothing is searched with a field the gate cannot tell"
    );
}

#[test]
fn jira_the_field_named_by_its_id_is_the_one_read() {
    let s = jira_cloud();
    let d = fetch_defects(&jira_config(&s.uri(), "customfield_10042")).unwrap();
    assert!(d.iter().all(|d| d.origin == Origin::Production), "{d:#?}");
    let d = fetch_defects(&jira_config(&s.uri(), "customfield_10107")).unwrap();
    assert!(
        d.iter().all(|d| d.origin == Origin::PreProduction),
        "{d:#?}"
    );
}

#[test]
fn jira_resolutions_are_requested_and_duplicates_are_not_defects() {
    let s = jira_cloud();
    let d = fetch_defects(&jira_config(&s.uri(), "customfield_10042")).unwrap();
    assert_eq!(
        marks(&d),
        [
            row("PAY-1", None, Some("Done")),
            row("PAY-2", Some("resolution: Duplicate"), Some("Duplicate")),
            row("PAY-3", None, Some("Won't Fix")),
            // Open: marked, and still counted.
            row("PAY-4", None, Some("Duplicate")),
            row("PAY-5", None, Some("Cannot Reproduce")),
            row("PAY-6", Some("resolution: Not a Bug"), Some("Not a Bug")),
        ]
    );
    assert!(d[3].not_a_defect.is_some(), "the open issue keeps its mark");
    // Both pages asked for the resolution.
    let searches = s.requests_to("/rest/api/3/search/jql");
    assert_eq!(searches.len(), 2);
    for (body, _) in searches {
        let fields = body.unwrap()["fields"].clone();
        assert!(
            fields.as_array().unwrap().contains(&json!("resolution")),
            "{fields}"
        );
    }
}

#[test]
fn jira_the_policy_rule_replaces_the_default() {
    let s = jira_cloud();
    let mut c = jira_config(&s.uri(), "customfield_10042");
    c.settings.not_defects = Some(NotDefectRule {
        resolutions: vec!["cannot reproduce".to_owned()],
        labels: vec!["NOT-A-BUG".to_owned()],
    });
    let d = fetch_defects(&c).unwrap();
    let excluded: Vec<(String, Option<String>)> = marks(&d)
        .into_iter()
        .filter(|(_, e, _)| e.is_some())
        .map(|(k, e, _)| (k, e))
        .collect();
    assert_eq!(
        excluded,
        [(
            "PAY-5".to_owned(),
            Some("resolution: Cannot Reproduce".to_owned())
        )],
        "Duplicate and Not a Bug count again; the resolution is named before the label"
    );
    // An empty rule leaves nothing out.
    c.settings.not_defects = Some(NotDefectRule::default());
    let d = fetch_defects(&c).unwrap();
    assert!(d.iter().all(|d| d.closed_as_not_a_defect().is_none()));
}

#[test]
fn jira_data_center_asks_for_the_resolution_on_every_page() {
    let s = Server::start();
    let base = s.uri();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/rest/api/2/field"))
            .respond_with(ResponseTemplate::new(200).set_body_json(jira_fields())),
    );
    let issues = [
        jira_issue(&base, 1, "done", Some("Fixed"), &[]),
        jira_issue(&base, 2, "done", Some("Duplicate"), &[]),
    ];
    for (start, issue) in issues.iter().enumerate() {
        s.mount(
            Mock::given(method("GET"))
                .and(path("/rest/api/2/search"))
                .and(query_param("startAt", start.to_string()))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "expand": "schema,names", "startAt": start, "maxResults": 1, "total": 2,
                    "issues": [issue]
                }))),
        );
    }
    let mut c = config(TrackerKind::JiraDc, &s.uri());
    c.settings.query = Some("project = PAY".to_owned());
    c.settings.origin = Some(origin("customfield_10042", "Production", "QA"));
    let d = fetch_defects(&c).unwrap();
    assert_eq!(
        marks(&d),
        [
            row("PAY-1", None, Some("Fixed")),
            row("PAY-2", Some("resolution: Duplicate"), Some("Duplicate")),
        ]
    );
    let pages = s.requests_to("/rest/api/2/search");
    assert_eq!(pages.len(), 2);
    for (_, query) in pages {
        assert!(
            query.contains("resolution%2Cresolutiondate")
                || query.contains("resolution,resolutiondate"),
            "{query}"
        );
    }
    // The same field name is ambiguous on Data Center too.
    c.settings.origin = Some(origin("Defect origin", "Production", "QA"));
    let e = fetch_defects(&c).unwrap_err();
    assert!(e.to_string().contains("customfield_10107"), "{e}");
}

// ---- GitHub -------------------------------------------------------------------------------

fn github_issue(base: &str, n: u64, state: &str, reason: Option<&str>, labels: &[&str]) -> Value {
    let labels: Vec<Value> = labels
        .iter()
        .map(|name| json!({"id": 208_045_946, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=", "url": format!("{base}/repos/acme/payments/labels/{name}"), "name": name, "color": "e4e669", "default": true, "description": ""}))
        .collect();
    json!({
        "url": format!("{base}/repos/acme/payments/issues/{n}"),
        "html_url": format!("https://github.com/acme/payments/issues/{n}"),
        "id": 1_000_000 + n, "node_id": "I_kwDOA", "number": n, "title": format!("defect {n}"),
        "user": {"login": "octocat", "id": 1}, "labels": labels, "state": state,
        "state_reason": reason, "locked": false, "assignee": null, "assignees": [], "milestone": null,
        "comments": 0, "created_at": "2026-10-01T09:41:00Z", "updated_at": "2026-10-02T09:41:00Z",
        "closed_at": if state == "closed" { json!("2026-10-02T09:41:00Z") } else { Value::Null },
        "author_association": "MEMBER", "active_lock_reason": null, "body": "..."
    })
}

fn github() -> Server {
    let s = Server::start();
    let base = s.uri();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/repos/acme/payments/issues"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header(
                        "link",
                        format!("<{base}/repositories/42/issues?state=all&per_page=100&page=2>; rel=\"next\", <{base}/repositories/42/issues?state=all&per_page=100&page=2>; rel=\"last\"").as_str(),
                    )
                    .set_body_json(json!([
                        github_issue(&base, 1, "closed", Some("completed"), &["bug"]),
                        github_issue(&base, 2, "closed", Some("duplicate"), &["bug"]),
                        github_issue(&base, 3, "closed", Some("not_planned"), &["bug"]),
                    ])),
            ),
    );
    s.mount(
        Mock::given(method("GET"))
            .and(path("/repositories/42/issues"))
            .and(query_param("page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                // Closed with GitHub's default button (`completed`) and labelled invalid.
                github_issue(&base, 4, "closed", Some("completed"), &["bug", "invalid"]),
                // Open and labelled invalid: still a defect until it is closed.
                github_issue(&base, 5, "open", None, &["bug", "invalid"]),
                // Reopened after a close as a duplicate.
                github_issue(&base, 6, "open", Some("reopened"), &["bug"]),
                // Closed before GitHub had reasons.
                github_issue(&base, 7, "closed", None, &["bug", "wontfix"]),
            ]))),
    );
    s
}

fn github_config(uri: &str) -> shipgate_defects::SourceConfig {
    let mut c = config(TrackerKind::Github, uri);
    c.settings.repository = Some("acme/payments".to_owned());
    c
}

#[test]
fn github_state_reasons_and_labels_mark_what_is_not_a_defect() {
    let s = github();
    let d = fetch_defects(&github_config(&s.uri())).unwrap();
    assert_eq!(
        marks(&d),
        [
            row("#1", None, Some("completed")),
            row("#2", Some("resolution: duplicate"), Some("duplicate")),
            // Won't fix, can't reproduce or stale: GitHub does not say which, so it counts.
            row("#3", None, Some("not_planned")),
            row("#4", Some("label: invalid"), Some("completed")),
            row("#5", None, None),
            row("#6", None, Some("reopened")),
            row("#7", None, None),
        ]
    );
    assert_eq!(
        d[4].not_a_defect.as_ref().unwrap().reason(),
        "label: invalid"
    );

    let mut c = github_config(&s.uri());
    c.settings.not_defects = Some(NotDefectRule {
        resolutions: vec!["duplicate".to_owned(), "not_planned".to_owned()],
        labels: vec![],
    });
    let d = fetch_defects(&c).unwrap();
    let excluded: Vec<&str> = d
        .iter()
        .filter(|d| d.closed_as_not_a_defect().is_some())
        .map(|d| d.key.as_str())
        .collect();
    assert_eq!(
        excluded,
        ["#2", "#3"],
        "the policy's rule, labels included, replaces the default"
    );
}

// ---- GitLab -------------------------------------------------------------------------------

fn gitlab_issue(
    base: &str,
    iid: u64,
    state: &str,
    duplicate_of: Option<u64>,
    moved_to: Option<u64>,
) -> Value {
    json!({
        "id": 84_000 + iid, "iid": iid, "project_id": 278_964, "title": format!("defect {iid}"),
        "description": "...", "state": state, "created_at": "2026-10-01T09:41:00.000Z",
        "updated_at": "2026-10-02T09:41:00.000Z",
        "closed_at": if state == "closed" { json!("2026-10-02T09:41:00.000Z") } else { Value::Null },
        "closed_by": null, "labels": ["bug"], "milestone": null, "assignees": [],
        "author": {"id": 1, "username": "dana"}, "type": "ISSUE", "user_notes_count": 0,
        "upvotes": 0, "downvotes": 0, "confidential": false, "discussion_locked": null,
        "moved_to_id": moved_to, "service_desk_reply_to": null, "issue_type": "issue",
        "severity": "UNKNOWN",
        "web_url": format!("https://gitlab.example/acme/payments/-/issues/{iid}"),
        "_links": {
            "self": format!("{base}/api/v4/projects/278964/issues/{iid}"),
            "notes": format!("{base}/api/v4/projects/278964/issues/{iid}/notes"),
            "award_emoji": format!("{base}/api/v4/projects/278964/issues/{iid}/award_emoji"),
            "project": format!("{base}/api/v4/projects/278964"),
            "closed_as_duplicate_of": duplicate_of.map(|d| format!("{base}/api/v4/projects/278964/issues/{d}"))
        }
    })
}

#[test]
fn gitlab_an_issue_closed_as_a_duplicate_is_not_a_defect_and_a_moved_one_counts() {
    let s = Server::start();
    let base = s.uri();
    let pages = [
        vec![
            gitlab_issue(&base, 1, "closed", None, None),
            gitlab_issue(&base, 2, "closed", Some(1), None),
        ],
        vec![
            gitlab_issue(&base, 3, "closed", None, Some(91_234)),
            // Reopened after `/duplicate`: GitLab keeps the link; it is open, so it counts.
            gitlab_issue(&base, 4, "opened", Some(1), None),
        ],
    ];
    for (i, items) in pages.iter().enumerate() {
        s.mount(
            Mock::given(method("GET"))
                .and(path("/api/v4/projects/acme%2Fpayments/issues"))
                .and(query_param("page", (i + 1).to_string()))
                .respond_with(
                    ResponseTemplate::new(200)
                        .insert_header("x-total", "4")
                        .insert_header("x-total-pages", "2")
                        .set_body_json(Value::Array(items.clone())),
                ),
        );
    }
    let mut c = config(TrackerKind::Gitlab, &s.uri());
    c.settings.project = Some("acme/payments".to_owned());
    let d = fetch_defects(&c).unwrap();
    assert_eq!(
        marks(&d),
        [
            row("#1", None, None),
            row("#2", Some("resolution: duplicate"), Some("duplicate")),
            row("#3", None, Some("moved")),
            row("#4", None, Some("duplicate")),
        ]
    );
    c.settings.not_defects = Some(NotDefectRule {
        resolutions: vec!["duplicate".to_owned(), "moved".to_owned()],
        labels: vec![],
    });
    let d = fetch_defects(&c).unwrap();
    assert_eq!(
        d[2].closed_as_not_a_defect().unwrap().reason(),
        "resolution: moved"
    );
}

// ---- Redmine ------------------------------------------------------------------------------

#[test]
fn redmine_a_rejected_issue_is_not_a_defect_unless_its_status_is_open() {
    let s = Server::start();
    // An administrator made `Won't fix` a closed status, and `Rejected` an open one.
    s.mount(Mock::given(method("GET")).and(path("/issue_statuses.json")).respond_with(ResponseTemplate::new(200).set_body_json(json!({
        "issue_statuses": [
            {"id": 1, "name": "New", "is_closed": false}, {"id": 5, "name": "Closed", "is_closed": true},
            {"id": 6, "name": "Rejected", "is_closed": true}, {"id": 7, "name": "Won't fix", "is_closed": true},
            {"id": 8, "name": "Rejected (pending)", "is_closed": false}
        ]
    }))));
    let issue = |id: u64, status: (u64, &str)| {
        json!({
            "id": id, "project": {"id": 1, "name": "IT test"}, "tracker": {"id": 1, "name": "Bug"},
            "status": {"id": status.0, "name": status.1}, "priority": {"id": 4, "name": "High"},
            "author": {"id": 1, "name": "Redmine Admin"}, "subject": format!("defect {id}"),
            "description": "", "start_date": "2026-10-01", "due_date": null, "done_ratio": 0,
            "is_private": false, "estimated_hours": null,
            "custom_fields": [{"id": 1, "name": "Defect origin", "value": "Production"}],
            "created_on": "2026-10-01T09:41:00Z", "updated_on": "2026-10-02T09:41:00Z",
            "closed_on": "2026-10-02T09:41:00Z"
        })
    };
    let pages = [
        vec![issue(1, (5, "Closed")), issue(2, (6, "Rejected"))],
        vec![
            issue(3, (7, "Won't fix")),
            issue(4, (8, "Rejected (pending)")),
        ],
    ];
    for (i, items) in pages.iter().enumerate() {
        s.mount(
            Mock::given(method("GET"))
                .and(path("/issues.json"))
                .and(query_param("offset", (i * 2).to_string()))
                .and(query_param("status_id", "*"))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "issues": items, "total_count": 4, "offset": i * 2, "limit": 2
                }))),
        );
    }
    let mut c = config(TrackerKind::Redmine, &s.uri());
    c.settings.origin = Some(origin("Defect origin", "Production", "QA"));
    let d = fetch_defects(&c).unwrap();
    assert_eq!(
        marks(&d),
        [
            row("#1", None, Some("Closed")),
            row("#2", Some("resolution: Rejected"), Some("Rejected")),
            row("#3", None, Some("Won't fix")),
            row("#4", None, None),
        ]
    );
}

// ---- the Jira CSV export ------------------------------------------------------------------

#[test]
fn a_csv_exports_resolution_column_is_read_under_jiras_rule() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("defects.csv");
    std::fs::write(
        &path,
        "\u{feff}Summary,Issue key,Issue id,Issue Type,Status,Priority,Resolution,Created,Resolved,Labels,Labels,Custom field (Defect origin),Status Category\n\
         Refund twice,PAY-1,10001,Bug,Done,High,Duplicate,3/Sep/26 8:12 AM,5/Sep/26 5:40 PM,,,Production,Done\n\
         Rounding,PAY-2,10002,Bug,Done,High,Won't Fix,3/Sep/26 8:12 AM,5/Sep/26 5:40 PM,,,Production,Done\n\
         Typo,PAY-3,10003,Bug,In Progress,Low,Unresolved,3/Sep/26 8:12 AM,,invalid,,QA,In Progress\n\
         Banner,PAY-4,10004,Bug,Done,Low,Done,3/Sep/26 8:12 AM,5/Sep/26 5:40 PM,ui,invalid,QA,Done\n",
    )
    .unwrap();
    let mut c = shipgate_defects::SourceConfig::of_kind(TrackerKind::File);
    c.path = Some(path);
    c.settings.timezone = Some(shipgate_model::Zone::utc());
    c.settings.origin = Some(origin("Defect origin", "Production", "QA"));
    let options = LoadOptions {
        offline: true,
        env: &|_| None,
        fetched_at: None,
    };
    let d = load(&c, &options).unwrap().evidence.defects;
    assert_eq!(
        marks(&d),
        [
            row("PAY-1", Some("resolution: Duplicate"), Some("Duplicate")),
            row("PAY-2", None, Some("Won't Fix")),
            row("PAY-3", None, None),
            row("PAY-4", None, Some("Done")),
        ]
    );
    c.settings.not_defects = Some(NotDefectRule {
        resolutions: vec![],
        labels: vec!["invalid".to_owned()],
    });
    let d = load(&c, &options).unwrap().evidence.defects;
    assert_eq!(
        marks(&d),
        [
            row("PAY-1", None, Some("Duplicate")),
            row("PAY-2", None, Some("Won't Fix")),
            row("PAY-3", None, None),
            row("PAY-4", Some("label: invalid"), Some("Done")),
        ],
        "the open PAY-3 is labelled invalid and still counts"
    );
}
