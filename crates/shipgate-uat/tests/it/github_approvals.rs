//! `fetch_approvals` against a local server (wiremock) answering as GitHub Enterprise Server
//! does under `/api/v3`: the requests it sends (bearer token, paths), team memberships looked
//! up only for approvers of the environment, and the answers that must be errors.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use serde_json::{Value, json};
use shipgate_model::{MembershipState, ReviewState};
use shipgate_uat::{ApprovalsConfig, ApprovalsOptions, ClientOptions, UatError, fetch_approvals};
use std::time::Duration;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "ghs_adapter-test-token";
const RUN: &str = "/api/v3/repos/acme/pay/actions/runs/42";

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
    fn requested(&self) -> Vec<String> {
        self.rt
            .block_on(self.server.received_requests())
            .unwrap()
            .iter()
            .map(|r| r.url.path().to_owned())
            .collect()
    }
}

fn review(state: &str, env: &str, login: &str) -> Value {
    json!({"state": state, "comment": "", "environments": [{"id": 1, "name": env}],
           "user": {"login": login, "id": 7, "type": "User", "site_admin": false}})
}

fn server(reviews: Value) -> Server {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .and(path(RUN))
            .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "id": 42, "name": "release", "head_sha": "3f2a9c1d", "run_attempt": 2,
                "created_at": "2026-11-24T08:00:00Z", "html_url": "https://ghe.acme.example/acme/pay/actions/runs/42"
            }))),
    );
    s.mount(
        Mock::given(method("GET"))
            .and(path(format!("{RUN}/approvals")))
            .respond_with(ResponseTemplate::new(200).set_body_json(reviews)),
    );
    s
}

fn config(s: &Server, teams: &[&str]) -> ApprovalsConfig {
    ApprovalsConfig {
        url: format!("{}/api/v3/", s.server.uri()),
        repository: "acme/pay".into(),
        run_id: "42".into(),
        environments: vec!["production".into()],
        teams: teams.iter().map(|t| (*t).to_owned()).collect(),
        token_env: "GHE_TOKEN".into(),
        http: ClientOptions {
            timeout: Duration::from_secs(5),
            retries: 0,
            ..ClientOptions::default()
        },
    }
}

fn fetch(config: &ApprovalsConfig) -> Result<shipgate_model::DeploymentApprovals, UatError> {
    let env = |name: &str| (name == "GHE_TOKEN").then(|| TOKEN.to_owned());
    fetch_approvals(
        config,
        &ApprovalsOptions {
            offline: false,
            env: &env,
            fetched_at: Some("2026-11-24T10:00:00Z".parse().unwrap()),
        },
    )
}

#[test]
fn the_run_reviews_and_approvers_memberships_are_read() {
    let s = server(json!([
        review("approved", "production", "sam"),
        review("approved", "staging", "lee"),
        review("rejected", "production", "kim"),
    ]));
    s.mount(
        Mock::given(method("GET"))
            .and(path("/api/v3/orgs/acme/teams/qa/memberships/sam"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"url": "x", "role": "maintainer", "state": "active"})),
            ),
    );
    let a = fetch(&config(&s, &["acme/qa", "acme/po"])).unwrap();
    assert_eq!(
        a.location,
        format!(
            "{}/api/v3/repos/acme/pay/actions/runs/42/approvals",
            s.server.uri()
        )
    );
    assert_eq!(a.run.id, 42);
    assert_eq!(a.run.run_attempt, Some(2));
    assert_eq!(a.run.head_sha.as_deref(), Some("3f2a9c1d"));
    assert_eq!(a.reviews.len(), 3);
    assert_eq!(a.reviews[2].state, ReviewState::Rejected);
    assert_eq!(
        a.membership("acme/qa", "sam"),
        Some(MembershipState::Active)
    );
    assert_eq!(
        a.membership("acme/po", "sam"),
        Some(MembershipState::NotMember),
        "GitHub's 404 is not a member"
    );
    assert_eq!(
        a.membership("acme/qa", "lee"),
        None,
        "an approver of staging is not looked up"
    );
    assert_eq!(
        a.membership("acme/qa", "kim"),
        None,
        "a rejecter is not looked up"
    );
    assert_eq!(a.fetched_at, Some("2026-11-24T10:00:00Z".parse().unwrap()));
    assert_eq!(
        s.requested(),
        [
            RUN.to_owned(),
            format!("{RUN}/approvals"),
            "/api/v3/orgs/acme/teams/qa/memberships/sam".to_owned(),
            "/api/v3/orgs/acme/teams/po/memberships/sam".to_owned(),
        ]
    );
}

#[test]
fn a_team_the_token_may_not_read_is_an_error_that_says_which_permission() {
    let s = server(json!([review("approved", "production", "sam")]));
    s.mount(
        Mock::given(method("GET"))
            .and(path("/api/v3/orgs/acme/teams/qa/memberships/sam"))
            .respond_with(ResponseTemplate::new(403).set_body_json(
                json!({"message": "Resource not accessible by integration", "status": "403"}),
            )),
    );
    let err = fetch(&config(&s, &["acme/qa"])).unwrap_err();
    assert!(!err.is_missing());
    assert!(err.to_string().contains("HTTP 403"), "{err}");
    assert!(err.to_string().contains("`GHE_TOKEN`"), "{err}");
    assert!(err.remedy().contains("Members: read"), "{}", err.remedy());
}

#[test]
fn a_run_that_is_not_there_names_the_settings_to_check() {
    let s = Server::start();
    let err = fetch(&config(&s, &[])).unwrap_err();
    assert!(err.to_string().contains("not found (HTTP 404)"), "{err}");
    assert!(
        err.remedy()
            .contains("check `repository`, `run_id` and `url`"),
        "{}",
        err.remedy()
    );
}

/// `checks.uat.max_age` is measured from the run's `created_at`: one without a zone could make
/// the run look hours younger, so it is refused, naming the field.
#[test]
fn a_run_created_at_without_a_zone_is_refused() {
    for created in [
        "2026-11-24T08:00:00",
        "2026-11-24",
        "2026-11-24T08:00:00+03:00[UTC]",
    ] {
        let s = Server::start();
        s.mount(
            Mock::given(method("GET")).and(path(RUN)).respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"id": 42, "name": "release", "created_at": created})),
            ),
        );
        let err = fetch(&config(&s, &[])).unwrap_err().to_string();
        assert!(err.contains("`created_at`"), "{created}: {err}");
        assert!(err.contains(&format!("`{created}`")), "{created}: {err}");
    }
}

/// A rejection given again as an approval: read with serde_json alone, the last would win and
/// the release would count as approved.
#[test]
fn a_review_state_given_twice_is_refused() {
    let reviews = serde_json::to_string(&json!([review("rejected", "production", "kim")]))
        .unwrap()
        .replacen(
            "\"state\":\"rejected\"",
            "\"state\":\"rejected\",\"state\":\"approved\"",
            1,
        );
    let s = Server::start();
    s.mount(Mock::given(method("GET")).and(path(RUN)).respond_with(
        ResponseTemplate::new(200).set_body_json(json!({
            "id": 42, "name": "release", "head_sha": "3f2a9c1d", "run_attempt": 2,
            "created_at": "2026-11-24T08:00:00Z"
        })),
    ));
    s.mount(
        Mock::given(method("GET"))
            .and(path(format!("{RUN}/approvals")))
            .respond_with(ResponseTemplate::new(200).set_body_raw(reviews, "application/json")),
    );
    let err = fetch(&config(&s, &[])).unwrap_err();
    let text = format!("{err} {}", err.remedy());
    assert!(
        text.contains("the key `state` appears twice in `[0]` (line 1, column"),
        "{text}"
    );
    assert!(text.contains("/approvals"), "{text}");
    assert!(text.contains("key given twice"), "{text}");
}

#[test]
fn answers_of_another_shape_are_errors() {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .and(path(RUN))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": 42}))),
    );
    let err = fetch(&config(&s, &[])).unwrap_err();
    assert!(err.to_string().contains("has no `created_at`"), "{err}");

    let s = server(json!({"total_count": 1, "reviews": []}));
    let err = fetch(&config(&s, &[])).unwrap_err();
    assert!(err.to_string().contains("not a list of reviews"), "{err}");

    let s = server(json!([review("approved", "production", "sam"), {"state": "approved"}]));
    let err = fetch(&config(&s, &[])).unwrap_err();
    assert!(
        err.to_string()
            .contains("review 2 of the answer: it has no `user.login`"),
        "{err}"
    );

    let s = server(json!([review("approved", "production", "sam")]));
    s.mount(
        Mock::given(method("GET"))
            .and(path("/api/v3/orgs/acme/teams/qa/memberships/sam"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"role": "member"}))),
    );
    let err = fetch(&config(&s, &["acme/qa"])).unwrap_err();
    assert!(
        err.to_string()
            .contains("the membership's `state` is missing"),
        "{err}"
    );
}
