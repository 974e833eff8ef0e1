//! A tracker answer or a defect file that gives a key twice — an open defect's status given as
//! open and then as closed — is refused, naming the URL (or the file), the key and where it is.
//! Read with serde_json alone, the last value would win and the open defect would not count.
//! Each tracker is served by a local server (wiremock) in its API's shape; each case also reads
//! the same answer with the key once, so the refusal is the repeat's and nothing else's.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use serde_json::{Value, json};
use shipgate_defects::{
    ClientOptions, DefectsError, LoadOptions, SourceConfig, TrackerKind, load, read_json,
    write_json,
};
use shipgate_http::HttpError;
use shipgate_json::JsonErrorKind;
use shipgate_model::{DefectEvidence, DefectStatus};
use std::time::Duration;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockBuilder, MockServer, ResponseTemplate};

/// A mock server on its own runtime, so that the blocking client can run on the test thread.
struct Server {
    rt: tokio::runtime::Runtime,
    server: MockServer,
}

impl Server {
    fn start() -> Self {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let server = rt.block_on(MockServer::start());
        Self { rt, server }
    }
    fn mount(&self, mock: Mock) {
        self.rt.block_on(mock.mount(&self.server));
    }
    fn uri(&self) -> String {
        self.server.uri()
    }
}

fn env(name: &str) -> Option<String> {
    match name {
        "TRACKER_TOKEN" => Some("tok".to_owned()),
        "TRACKER_USER" => Some("qa@acme.example".to_owned()),
        _ => None,
    }
}

fn fetch(config: &SourceConfig) -> Result<DefectEvidence, DefectsError> {
    let options = LoadOptions {
        offline: false,
        env: &env,
        fetched_at: None,
    };
    load(config, &options).map(|l| l.evidence)
}

fn config(kind: TrackerKind, uri: &str) -> SourceConfig {
    let mut c = SourceConfig::of_kind(kind);
    c.settings.url = Some(uri.to_owned());
    c.settings.token_env = Some("TRACKER_TOKEN".to_owned());
    c.http = ClientOptions {
        timeout: Duration::from_secs(5),
        retries: 2,
        backoff: Duration::from_millis(10),
        ..ClientOptions::default()
    };
    c
}

/// `value` as compact JSON text, with its key `"twice"` renamed to `key`: the object that held
/// both then gives `key` twice, the value of `"twice"` last.
fn with_key_twice(value: &Value, key: &str) -> String {
    let text = serde_json::to_string(value).unwrap();
    assert!(text.contains("\"twice\":"), "{text}");
    text.replacen("\"twice\":", &format!("\"{key}\":"), 1)
}

/// `value` with its key `"twice"` left out: what the tracker would have said with the key once.
fn without_twice(value: &Value) -> String {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.shift_remove("twice");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = value.clone();
    strip(&mut v);
    serde_json::to_string(&v).unwrap()
}

fn answer(text: String) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(text, "application/json")
}

/// The error of a refused answer: it names the URL, the key and where it is.
fn refused(result: Result<DefectEvidence, DefectsError>, uri: &str, key: &str, at: &str) {
    let e = result.expect_err("an answer with a key given twice must be refused");
    let message = e.to_string();
    let remedy = e.remedy();
    let DefectsError::Http {
        source: HttpError::DuplicateKey { url, source },
    } = e
    else {
        panic!("expected a repeated key, got {message}");
    };
    assert!(url.starts_with(uri), "{url}");
    let JsonErrorKind::DuplicateKey {
        key: k,
        path,
        position,
    } = source.kind()
    else {
        panic!("{message}");
    };
    assert_eq!((k.as_str(), path.as_str()), (key, at), "{message}");
    assert!(position.is_some(), "{message}");
    assert!(
        message.contains(&format!("the key `{key}` appears twice")),
        "{message}"
    );
    assert!(remedy.contains("key given twice"), "{remedy}");
}

fn open_status_of_only_defect(evidence: DefectEvidence) -> DefectStatus {
    assert_eq!(evidence.defects.len(), 1);
    evidence.defects[0].status
}

// ---- Jira Cloud and Data Center -----------------------------------------------------------

/// One open critical Jira issue whose status category is given again, as done, last.
fn jira_issue() -> Value {
    json!({
        "id": "10001", "key": "PAY-1",
        "fields": {
            "summary": "Refund posted twice", "created": "2026-10-01T09:41:00.000+0000",
            "priority": {"name": "Highest"},
            "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
            "twice": {"name": "Done", "statusCategory": {"key": "done"}}
        }
    })
}

/// The fields a Jira search's issues are read with.
fn jira_fields(s: &Server, api: &str) {
    s.mount(
        Mock::given(method("GET"))
            .and(path(format!("/rest/api/{api}/field")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"id": "summary", "key": "summary", "name": "Summary", "custom": false},
                {"id": "priority", "key": "priority", "name": "Priority", "custom": false}
            ]))),
    );
}

fn jira_cloud(body: String) -> Server {
    let s = Server::start();
    jira_fields(&s, "3");
    s.mount(
        Mock::given(method("POST"))
            .and(path("/rest/api/3/search/jql"))
            .respond_with(answer(body)),
    );
    s
}

#[test]
fn jira_cloud_an_issue_status_given_twice_is_refused() {
    let page = json!({"issues": [jira_issue()], "isLast": true});
    let c = |uri: &str| {
        let mut c = config(TrackerKind::Jira, uri);
        c.settings.user_env = Some("TRACKER_USER".to_owned());
        c.settings.query = Some("project = PAY".to_owned());
        c
    };
    let s = jira_cloud(without_twice(&page));
    assert_eq!(
        open_status_of_only_defect(fetch(&c(&s.uri())).unwrap()),
        DefectStatus::Open
    );
    let s = jira_cloud(with_key_twice(&page, "status"));
    refused(fetch(&c(&s.uri())), &s.uri(), "status", "issues[0].fields");
}

fn jira_dc(body: String) -> Server {
    let s = Server::start();
    jira_fields(&s, "2");
    s.mount(
        Mock::given(method("GET"))
            .and(path("/rest/api/2/search"))
            .and(query_param("startAt", "0"))
            .respond_with(answer(body)),
    );
    s
}

#[test]
fn jira_data_center_an_issue_status_given_twice_is_refused() {
    let page = json!({"startAt": 0, "maxResults": 50, "total": 1, "issues": [jira_issue()]});
    let c = |uri: &str| {
        let mut c = config(TrackerKind::JiraDc, uri);
        c.settings.query = Some("project = PAY".to_owned());
        c
    };
    let s = jira_dc(without_twice(&page));
    assert_eq!(
        open_status_of_only_defect(fetch(&c(&s.uri())).unwrap()),
        DefectStatus::Open
    );
    let s = jira_dc(with_key_twice(&page, "status"));
    refused(fetch(&c(&s.uri())), &s.uri(), "status", "issues[0].fields");
    // A page's total given twice, the last saying there is nothing to read.
    let page =
        json!({"startAt": 0, "maxResults": 50, "total": 1, "twice": 0, "issues": [jira_issue()]});
    let s = jira_dc(with_key_twice(&page, "total"));
    refused(fetch(&c(&s.uri())), &s.uri(), "total", "");
}

// ---- GitHub -------------------------------------------------------------------------------

fn github(body: String) -> Server {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/repos/acme/payments/issues"))
            .respond_with(answer(body)),
    );
    s
}

#[test]
fn github_an_issue_state_given_twice_is_refused() {
    let list = json!([{
        "number": 1, "title": "Refund posted twice", "state": "open", "twice": "closed",
        "labels": [{"name": "bug"}], "created_at": "2026-10-01T09:41:00Z", "closed_at": null,
        "html_url": "https://github.com/acme/payments/issues/1"
    }]);
    let c = |uri: &str| {
        let mut c = config(TrackerKind::Github, uri);
        c.settings.repository = Some("acme/payments".to_owned());
        c
    };
    let s = github(without_twice(&list));
    assert_eq!(
        open_status_of_only_defect(fetch(&c(&s.uri())).unwrap()),
        DefectStatus::Open
    );
    let s = github(with_key_twice(&list, "state"));
    refused(fetch(&c(&s.uri())), &s.uri(), "state", "[0]");
}

// ---- GitLab -------------------------------------------------------------------------------

fn gitlab(body: String) -> Server {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/api/v4/projects/acme%2Fpayments/issues"))
            .respond_with(
                answer(body)
                    .insert_header("x-page", "1")
                    .insert_header("x-per-page", "100")
                    .insert_header("x-next-page", ""),
            ),
    );
    s
}

#[test]
fn gitlab_an_issue_state_given_twice_is_refused() {
    let list = json!([{
        "id": 84_001, "iid": 1, "title": "Refund posted twice", "state": "opened", "twice": "closed",
        "created_at": "2026-10-01T09:41:00.000Z", "closed_at": null, "labels": ["bug"],
        "web_url": "https://gitlab.example/acme/payments/-/issues/1"
    }]);
    let c = |uri: &str| {
        let mut c = config(TrackerKind::Gitlab, uri);
        c.settings.project = Some("acme/payments".to_owned());
        c
    };
    let s = gitlab(without_twice(&list));
    assert_eq!(
        open_status_of_only_defect(fetch(&c(&s.uri())).unwrap()),
        DefectStatus::Open
    );
    let s = gitlab(with_key_twice(&list, "state"));
    refused(fetch(&c(&s.uri())), &s.uri(), "state", "[0]");
}

// ---- Redmine ------------------------------------------------------------------------------

fn redmine(statuses: String, issues: String) -> Server {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/issue_statuses.json"))
            .respond_with(answer(statuses)),
    );
    s.mount(redmine_list().respond_with(answer(issues)));
    s
}

fn redmine_list() -> MockBuilder {
    Mock::given(method("GET"))
        .and(path("/issues.json"))
        .and(query_param("offset", "0"))
}

#[test]
fn redmine_an_issue_status_or_a_status_s_is_closed_given_twice_is_refused() {
    let statuses = json!({"issue_statuses": [
        {"id": 2, "name": "In Progress", "is_closed": false},
        {"id": 5, "name": "Closed", "is_closed": true}
    ]});
    let issues = json!({"issues": [{
        "id": 1, "subject": "Refund posted twice", "priority": {"id": 7, "name": "Immediate"},
        "status": {"id": 2, "name": "In Progress"}, "twice": {"id": 5, "name": "Closed"},
        "created_on": "2026-10-01T09:41:00Z", "closed_on": null
    }], "total_count": 1, "offset": 0, "limit": 25});
    let c = |uri: &str| {
        let mut c = config(TrackerKind::Redmine, uri);
        c.settings.project = Some("ittest".to_owned());
        c
    };
    let s = redmine(statuses.to_string(), without_twice(&issues));
    assert_eq!(
        open_status_of_only_defect(fetch(&c(&s.uri())).unwrap()),
        DefectStatus::Open
    );
    let s = redmine(statuses.to_string(), with_key_twice(&issues, "status"));
    refused(fetch(&c(&s.uri())), &s.uri(), "status", "issues[0]");
    // The status list saying of `In Progress` that it is closed, last.
    let twice = json!({"issue_statuses": [
        {"id": 2, "name": "In Progress", "is_closed": false, "twice": true},
        {"id": 5, "name": "Closed", "is_closed": true}
    ]});
    let s = redmine(with_key_twice(&twice, "is_closed"), without_twice(&issues));
    refused(
        fetch(&c(&s.uri())),
        &s.uri(),
        "is_closed",
        "issue_statuses[0]",
    );
}

// ---- the defect JSON form -----------------------------------------------------------------

fn one_open_critical() -> String {
    let evidence: DefectEvidence = serde_json::from_value(json!({
        "format": "shipgate-defects", "version": 1, "source": "file", "location": "defects.json",
        "defects": [{
            "key": "PAY-1", "title": "Refund posted twice", "severity": "critical",
            "origin": "production", "status": "open", "created": "2026-10-01T09:41:00Z"
        }]
    }))
    .unwrap();
    write_json(&evidence)
}

fn form_error(text: &str) -> (String, String) {
    match read_json(text.as_bytes(), "defects.json").unwrap_err() {
        e @ DefectsError::FileFormat { .. } => {
            let remedy = e.remedy();
            (e.to_string(), remedy)
        }
        other => panic!("{other}"),
    }
}

#[test]
fn defect_form_status_given_twice_is_refused_with_the_line() {
    let text = one_open_critical();
    assert_eq!(
        read_json(text.as_bytes(), "d.json").unwrap().defects[0].status,
        DefectStatus::Open
    );
    let twice = text.replacen(
        "\"status\": \"open\"",
        "\"status\": \"open\", \"status\": \"closed\"",
        1,
    );
    assert_ne!(twice, text);
    let line = twice
        .lines()
        .position(|l| l.contains("\"closed\""))
        .unwrap()
        + 1;
    let (message, remedy) = form_error(&twice);
    assert!(
        message.starts_with("failed to read the defect file `defects.json`: the key `status` appears twice in `defects[0]`"),
        "{message}"
    );
    assert!(
        message.contains(&format!("(line {line}, column")),
        "{message}"
    );
    assert!(remedy.contains("give each key once"), "{remedy}");
}

#[test]
fn defect_form_defects_list_given_twice_is_refused() {
    // The last `defects` list empty: read with serde_json alone, nothing would be open.
    let text = one_open_critical().replacen("\"defects\": [", "\"defects\": [], \"defects\": [", 1);
    let (message, _) = form_error(&text);
    assert!(
        message.contains("the key `defects` appears twice"),
        "{message}"
    );
}

#[test]
fn defect_form_unknown_keys_are_refused_with_the_nearest_known_one() {
    let text = one_open_critical();
    for (from, to, nearest, at) in [
        ("\"status\"", "\"stauts\"", "status", "defects[0]"),
        ("\"location\"", "\"locaton\"", "location", ""),
    ] {
        let (message, remedy) = form_error(&text.replacen(from, to, 1));
        let place = if at.is_empty() {
            String::new()
        } else {
            format!(" in `{at}`")
        };
        assert!(
            message.contains(&format!("unknown key `{}`{place}", to.trim_matches('"')))
                && message.contains(&format!("did you mean `{nearest}`?")),
            "{message}"
        );
        assert!(remedy.contains("nearest known one"), "{remedy}");
    }
}

#[test]
fn defect_form_of_another_format_or_version_is_still_refused_as_such() {
    let text = one_open_critical();
    let (message, _) =
        form_error(&text.replace("\"version\": 1", "\"version\": 2,\n  \"new_key\": 0"));
    assert!(message.contains("reads version 1"), "{message}");
}

/// The file source reads the form through the same reader.
#[test]
fn defect_file_source_with_a_status_given_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("defects.json");
    let twice = one_open_critical().replacen(
        "\"status\": \"open\"",
        "\"status\": \"open\", \"status\": \"closed\"",
        1,
    );
    std::fs::write(&file, twice).unwrap();
    let mut c = SourceConfig::of_kind(TrackerKind::File);
    c.path = Some(file);
    c.path_display = Some("defects.json".to_owned());
    let e = fetch(&c).unwrap_err();
    assert!(matches!(e, DefectsError::FileFormat { .. }), "{e}");
    assert!(e.to_string().contains("`status` appears twice"), "{e}");
}
