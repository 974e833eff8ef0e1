//! Paging that a tracker changes under the reader: an issue that moves from one page to the next
//! while the pages are read is seen twice, and another is then never seen. A count that merely
//! adds up the pages reads that as complete; the keys must be de-duplicated before the count is
//! compared with the tracker's total. Served by a local server (wiremock) in the APIs' shapes.

#![expect(
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common::{Server, config, fetch};
use serde_json::{Value, json};
use shipgate_defects::{DefectsError, SourceConfig, TrackerKind};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, ResponseTemplate};

fn shape_error(result: Result<Vec<String>, DefectsError>, expect: &str) {
    match result {
        Err(e @ DefectsError::Shape { .. }) => {
            assert!(e.to_string().contains(expect), "{e}");
        }
        other => panic!("expected an error saying {expect:?}, got {other:?}"),
    }
}

// ---- Jira Data Center ---------------------------------------------------------------------

fn jira_issue(n: u64) -> Value {
    json!({
        "id": (10_000 + n).to_string(), "key": format!("PAY-{n}"),
        "fields": {"summary": format!("defect {n}"), "created": "2026-10-01T09:41:00.000+0000",
                   "priority": {"name": "High"}, "status": {"statusCategory": {"key": "new"}}}
    })
}

/// A Data Center search that holds three issues, served one a page, where the pages read
/// `pages[startAt]`, and the JQL sent must be `jql`.
fn jira_dc(jql: &str, pages: [u64; 3]) -> Server {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/rest/api/2/field"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!([{"id": "priority", "name": "Priority"}])),
            ),
    );
    for (start, n) in pages.into_iter().enumerate() {
        s.mount(
            Mock::given(method("GET"))
                .and(path("/rest/api/2/search"))
                .and(query_param("jql", jql))
                .and(query_param("startAt", start.to_string()))
                .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                    "startAt": start, "maxResults": 1, "total": 3, "issues": [jira_issue(n)]
                }))),
        );
    }
    s
}

#[test]
fn jira_dc_pages_are_ordered_by_key_so_they_stay_put() {
    let s = jira_dc("project = PAY ORDER BY key", [1, 2, 3]);
    let mut c = config(TrackerKind::JiraDc, &s.uri());
    c.settings.query = Some("project = PAY".to_owned());
    assert_eq!(fetch(&c).unwrap(), ["PAY-1", "PAY-2", "PAY-3"]);

    // A query that orders its results itself is sent as written.
    let s = jira_dc("project = PAY order  by created DESC", [3, 2, 1]);
    let mut c = config(TrackerKind::JiraDc, &s.uri());
    c.settings.query = Some("project = PAY order  by created DESC".to_owned());
    assert_eq!(
        fetch(&c).unwrap(),
        ["PAY-1", "PAY-2", "PAY-3"],
        "sorted by the evidence"
    );
}

#[test]
fn jira_dc_an_issue_seen_on_two_pages_is_not_counted_twice() {
    // PAY-1 moved from page 1 to page 2 while paging, so PAY-2 was never seen: three issues
    // were returned, as many as the total, but only two distinct ones.
    let s = jira_dc("project = PAY ORDER BY key", [1, 1, 3]);
    let mut c = config(TrackerKind::JiraDc, &s.uri());
    c.settings.query = Some("project = PAY ORDER BY key".to_owned());
    shape_error(
        fetch(&c),
        "the search reported 3 issues but 2 were returned",
    );
}

// ---- GitLab -------------------------------------------------------------------------------

fn gitlab_issue(iid: u64) -> Value {
    json!({
        "id": 84_000 + iid, "iid": iid, "title": format!("defect {iid}"), "state": "opened",
        "created_at": "2026-10-01T09:41:00.000Z", "closed_at": null, "labels": ["bug"],
        "web_url": format!("https://gitlab.example/acme/payments/-/issues/{iid}")
    })
}

fn gitlab_list() -> wiremock::MockBuilder {
    Mock::given(method("GET")).and(path("/api/v4/projects/acme%2Fpayments/issues"))
}

/// Response headers: (name, value).
type Headers = [(&'static str, String)];

/// GitLab pages of issues: (page, its iids, the headers it carries).
fn gitlab(pages: &[(u64, &[u64], &Headers)]) -> Server {
    let s = Server::start();
    for (page, iids, headers) in pages {
        let mut answer = ResponseTemplate::new(200).set_body_json(Value::Array(
            iids.iter().map(|i| gitlab_issue(*i)).collect(),
        ));
        for (name, value) in *headers {
            answer = answer.insert_header(*name, value.as_str());
        }
        s.mount(
            gitlab_list()
                .and(query_param("page", page.to_string()))
                .respond_with(answer),
        );
    }
    s
}

fn gitlab_config(uri: &str) -> SourceConfig {
    let mut c = config(TrackerKind::Gitlab, uri);
    c.settings.project = Some("acme/payments".to_owned());
    c
}

fn totals(total: u64, pages: u64) -> Vec<(&'static str, String)> {
    vec![
        ("x-total", total.to_string()),
        ("x-total-pages", pages.to_string()),
    ]
}

#[test]
fn gitlab_an_issue_seen_on_two_pages_is_not_counted_twice() {
    let t = totals(3, 3);
    let s = gitlab(&[(1, &[1], &t), (2, &[1], &t), (3, &[3], &t)]);
    shape_error(
        fetch(&gitlab_config(&s.uri())),
        "GitLab reported 3 issues but 2 were returned",
    );
    // Without the shift, the same paging reads every issue.
    let s = gitlab(&[(1, &[1], &t), (2, &[2], &t), (3, &[3], &t)]);
    assert_eq!(fetch(&gitlab_config(&s.uri())).unwrap(), ["#1", "#2", "#3"]);
}

#[test]
fn gitlab_more_pages_than_the_cap_are_refused_not_cut_short() {
    let t = totals(1_000_100, 10_001);
    let s = gitlab(&[(1, &[1], &t)]);
    // Every other page answers too, so that a reader that truncates quietly would succeed.
    s.mount(
        gitlab_list()
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([gitlab_issue(2)])))
            .with_priority(10),
    );
    shape_error(
        fetch(&gitlab_config(&s.uri())),
        "10001 pages, more than the 10000 read",
    );
}

#[test]
fn gitlab_an_empty_page_before_the_last_is_refused() {
    // With x-total-pages, read concurrently.
    let t = totals(2, 3);
    let s = gitlab(&[(1, &[1], &t), (2, &[], &t), (3, &[3], &t)]);
    shape_error(
        fetch(&gitlab_config(&s.uri())),
        "page 2 of the issue list is empty",
    );

    // Followed through x-next-page (past 10,000 issues GitLab sends no totals).
    let next = |n: &str| vec![("x-next-page", n.to_owned())];
    let (first, middle, last) = (next("2"), next("3"), next(""));
    let s = gitlab(&[(1, &[1, 2], &first), (2, &[], &middle), (3, &[3], &last)]);
    shape_error(
        fetch(&gitlab_config(&s.uri())),
        "page 2 of the issue list is empty",
    );
}
