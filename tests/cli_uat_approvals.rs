//! `shipgate check` with GitHub deployment approvals as UAT evidence
//! (`sources.uat.github_approvals`), against a local server (wiremock) that answers in the
//! shapes of GitHub's REST API: "Get a workflow run", "Get the review history for a workflow
//! run" (`/actions/runs/{run_id}/approvals`) and "Get team membership for a user", with the
//! field sets of GitHub's published examples.
//!
//! Scenarios: approvals mapped to roles by user and by team (ready); a role nobody mapped
//! approved (blocked, naming the role and who could approve); a rejection; an approval of
//! another environment; a team invitation not yet accepted; paging; a stale run; another
//! commit; 401 naming the token variable; 5xx until the retry bound (exit 4); the token in no
//! output at `-vv`; `--offline`; no run outside a pipeline; both UAT sources together; and a
//! release record replayed with the server gone.

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
use common::{Project, shipgate};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockBuilder, ResponseTemplate};

const TOKEN: &str = "ghs_7Qx2-approvals-token-never-printed";
const RUN: u64 = 30_433_642;
const SHA: &str = "acb5820ced9479c074f688cc328bf03f341a511d";
/// Two hours before [`NOW`].
const RUN_CREATED: &str = "2026-11-24T08:00:00Z";

/// A user as GitHub's `simple-user` shows one.
fn user(base: &str, login: &str, id: u64) -> Value {
    json!({
        "login": login, "id": id, "node_id": format!("MDQ6VXNlcj{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"), "gravatar_id": "",
        "url": format!("{base}/users/{login}"), "html_url": format!("https://github.com/{login}"),
        "followers_url": format!("{base}/users/{login}/followers"),
        "following_url": format!("{base}/users/{login}/following{{/other_user}}"),
        "gists_url": format!("{base}/users/{login}/gists{{/gist_id}}"),
        "starred_url": format!("{base}/users/{login}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{base}/users/{login}/subscriptions"),
        "organizations_url": format!("{base}/users/{login}/orgs"),
        "repos_url": format!("{base}/users/{login}/repos"),
        "events_url": format!("{base}/users/{login}/events{{/privacy}}"),
        "received_events_url": format!("{base}/users/{login}/received_events"),
        "type": "User", "site_admin": false
    })
}

/// An environment as the review history lists it.
fn environment(base: &str, name: &str, id: u64) -> Value {
    json!({
        "id": id, "node_id": format!("MDExOkVudmlyb25tZW50{id}"), "name": name,
        "url": format!("{base}/repos/acme/payments/environments/{name}"),
        "html_url": format!("https://github.com/acme/payments/deployments/activity_log?environments_filter={name}"),
        "created_at": "2025-03-02T10:00:40Z", "updated_at": "2026-06-11T08:12:03Z"
    })
}

/// One entry of the review history.
fn review(base: &str, state: &str, env: &str, login: &str, comment: &str) -> Value {
    let id = 9_000 + login.len() as u64;
    let env_id = if env == "production" {
        161_088_068
    } else {
        161_088_069
    };
    json!({
        "state": state,
        "comment": comment,
        "environments": [environment(base, env, env_id)],
        "user": user(base, login, id)
    })
}

/// The workflow run, as "Get a workflow run" answers (the fields of GitHub's example).
fn run_json(base: &str, created_at: &str, sha: &str) -> Value {
    json!({
        "id": RUN, "name": "release", "node_id": "MDEyOldvcmtmbG93IFJ1bjI2OTI4OQ==",
        "check_suite_id": 42, "check_suite_node_id": "MDEwOkNoZWNrU3VpdGU0Mg==",
        "head_branch": "main", "head_sha": sha, "path": ".github/workflows/release.yml@main",
        "run_number": 562, "event": "push", "display_title": "Release 2.4.0",
        "status": "waiting", "conclusion": null, "workflow_id": 159038,
        "url": format!("{base}/repos/acme/payments/actions/runs/{RUN}"),
        "html_url": format!("https://github.com/acme/payments/actions/runs/{RUN}"),
        "pull_requests": [], "created_at": created_at, "updated_at": created_at,
        "actor": user(base, "release-bot", 77),
        "run_attempt": 1, "referenced_workflows": [], "run_started_at": created_at,
        "triggering_actor": user(base, "release-bot", 77),
        "jobs_url": format!("{base}/repos/acme/payments/actions/runs/{RUN}/jobs"),
        "logs_url": format!("{base}/repos/acme/payments/actions/runs/{RUN}/logs"),
        "check_suite_url": format!("{base}/repos/acme/payments/check-suites/414944374"),
        "artifacts_url": format!("{base}/repos/acme/payments/actions/runs/{RUN}/artifacts"),
        "cancel_url": format!("{base}/repos/acme/payments/actions/runs/{RUN}/cancel"),
        "rerun_url": format!("{base}/repos/acme/payments/actions/runs/{RUN}/rerun"),
        "previous_attempt_url": null,
        "workflow_url": format!("{base}/repos/acme/payments/actions/workflows/159038"),
        "head_commit": {"id": sha, "tree_id": "d23f6eedb1e1b9610bbc754ddb5197bfe7271223",
                        "message": "Release 2.4.0", "timestamp": "2026-11-24T07:58:05Z",
                        "author": {"name": "Dana Reyes", "email": "dana@acme.example"},
                        "committer": {"name": "GitHub", "email": "noreply@github.com"}},
        "repository": {"id": 1296269, "name": "payments", "full_name": "acme/payments", "private": true},
        "head_repository": {"id": 1296269, "name": "payments", "full_name": "acme/payments", "private": true}
    })
}

fn approvals_path() -> String {
    format!("/repos/acme/payments/actions/runs/{RUN}/approvals")
}

fn approvals_request() -> MockBuilder {
    Mock::given(method("GET")).and(path(approvals_path()))
}

fn mount_run(s: &Server, created_at: &str, sha: &str) {
    s.mount(
        Mock::given(method("GET"))
            .and(path(format!("/repos/acme/payments/actions/runs/{RUN}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(run_json(
                &s.uri(),
                created_at,
                sha,
            ))),
    );
}

fn mount_reviews(s: &Server, reviews: Value) {
    s.mount(approvals_request().respond_with(ResponseTemplate::new(200).set_body_json(reviews)));
}

/// `login` is a member of `acme/{team}` in `state` (active or pending). Any other lookup gets
/// the server's 404, as GitHub answers for a user who is not a member.
fn mount_member(s: &Server, team: &str, login: &str, state: &str) {
    let base = s.uri();
    s.mount(
        Mock::given(method("GET"))
            .and(path(format!("/orgs/acme/teams/{team}/memberships/{login}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "url": format!("{base}/organizations/1/team/2/memberships/{login}"),
                "role": "member",
                "state": state
            }))),
    );
}

/// One review: (state, environment, login, comment).
type Review<'a> = (&'a str, &'a str, &'a str, &'a str);

/// A server with the run (created at `created_at`), its review history, and the members of the
/// QA leads team: (login, state).
fn github(created_at: &str, reviews: &[Review<'_>], qa_leads: &[(&str, &str)]) -> Server {
    let s = Server::start();
    let base = s.uri();
    mount_run(&s, created_at, SHA);
    mount_reviews(
        &s,
        Value::Array(
            reviews
                .iter()
                .map(|(state, env, login, comment)| review(&base, state, env, login, comment))
                .collect(),
        ),
    );
    for (login, state) in qa_leads {
        mount_member(&s, "qa-leads", login, state);
    }
    s
}

/// The happy server: Dana (listed as product owner) and Sam (an active member of the QA leads
/// team) approve the deployment to production.
fn github_ready() -> Server {
    github(
        RUN_CREATED,
        &[
            (
                "approved",
                "production",
                "dana-reyes",
                "Refund flows accepted",
            ),
            (
                "approved",
                "production",
                "sam-ortiz",
                "Regression pack 14 green",
            ),
        ],
        &[("sam-ortiz", "active")],
    )
}

/// `sources.uat.github_approvals` for a server at `uri`, plus `extra` lines (4 spaces).
fn approvals_source(uri: &str, extra: &str) -> String {
    format!(
        "    github_approvals:\n      url: {uri}\n      repository: ${{GITHUB_REPOSITORY}}\n      run_id: ${{GITHUB_RUN_ID}}\n      environment: production\n      token_env: GH_APPROVALS_TOKEN\n      timeout: 5s\n      retries: 2\n      roles:\n        product-owner: {{users: [dana-reyes]}}\n        qa-lead: {{teams: [acme/qa-leads]}}\n{extra}"
    )
}

fn policy_text(uri: &str, uat_extra: &str, check_extra: &str) -> String {
    format!(
        "version: 1\nrelease: {{name: payments-api, version: '2.4.0', commit: '${{GITHUB_SHA:-}}'}}\nsources:\n  uat:\n{}checks:\n  uat:\n    required_roles: [product-owner, qa-lead]\n    max_age: 14d\n{check_extra}",
        approvals_source(uri, uat_extra)
    )
}

fn project(uri: &str) -> Project {
    Project::new(&policy_text(uri, "", ""))
}

/// The command inside a simulated workflow run: the run's variables, the token, and no proxy
/// of the machine it runs on (the mock server is on loopback).
fn in_run(mut cmd: assert_cmd::Command) -> assert_cmd::Command {
    cmd.env("GITHUB_REPOSITORY", "acme/payments")
        .env("GITHUB_RUN_ID", RUN.to_string())
        .env("GITHUB_SHA", SHA)
        .env("GH_APPROVALS_TOKEN", TOKEN);
    for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] {
        cmd.env_remove(var).env_remove(var.to_ascii_lowercase());
    }
    cmd
}

fn check_json(
    p: &Project,
    cmd: impl FnOnce(assert_cmd::Command) -> assert_cmd::Command,
) -> (Run, Value) {
    let mut c = p.check();
    c.args(["--format", "json"]);
    let r = run(cmd(c));
    let report: Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", r.stdout, r.stderr));
    (r, report)
}

fn uat_check(report: &Value) -> &Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "uat.signoff")
        .unwrap_or_else(|| panic!("no uat.signoff in {report:#}"))
}

fn message(c: &Value) -> &str {
    c["message"].as_str().unwrap()
}

fn problems(c: &Value) -> Vec<(String, String, String)> {
    c["details"]["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["about"].as_str().unwrap().to_owned(),
                p["message"].as_str().unwrap().to_owned(),
                p["remedy"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// What the review by `user` did, as the details say.
fn effect<'a>(c: &'a Value, user: &str) -> &'a str {
    c["details"]["github_approvals"]["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["user"] == user)
        .unwrap_or_else(|| panic!("no review by {user} in {c:#}"))["effect"]
        .as_str()
        .unwrap()
}

#[test]
fn approvals_mapped_to_roles_by_user_and_team_are_ready() {
    let s = github_ready();
    let p = project(&s.uri());
    let (r, report) = check_json(&p, in_run);
    assert_eq!(r.code, 0, "{report:#}\n{}", r.stderr);
    let c = uat_check(&report);
    assert_eq!(c["status"], "pass", "{c:#}");
    assert_eq!(c["observed"], json!(["product-owner", "qa-lead"]));
    assert_eq!(
        message(c),
        "approved for payments-api 2.4.0 by product-owner (dana-reyes in GitHub, listed user), qa-lead (sam-ortiz in GitHub, member of acme/qa-leads) (the deployment to `production` in workflow run 30433642, created 2 hours ago)"
    );
    assert_eq!(
        effect(c, "sam-ortiz"),
        "counts for qa-lead (member of acme/qa-leads)"
    );
    let gh = &c["details"]["github_approvals"];
    assert_eq!(gh["run"]["head_sha"], SHA);
    assert_eq!(gh["run"]["created_at"], RUN_CREATED);
    assert_eq!(
        gh["memberships"],
        json!([{"team": "acme/qa-leads", "user": "dana-reyes", "state": "not-member"},
               {"team": "acme/qa-leads", "user": "sam-ortiz", "state": "active"}])
    );
    let input = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["source"] == "uat-approvals")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(
        input["path"],
        format!(
            "{}/repos/acme/payments/actions/runs/{RUN}/approvals",
            s.uri()
        )
    );
}

#[test]
fn a_role_nobody_mapped_approved_blocks_and_names_who_could() {
    let s = github(
        RUN_CREATED,
        &[
            ("approved", "production", "dana-reyes", ""),
            // Approves, but is in no role's list and no mapped team (the server answers 404).
            ("approved", "production", "octocat", "LGTM"),
        ],
        &[],
    );
    let p = project(&s.uri());
    let (r, report) = check_json(&p, in_run);
    assert_eq!(r.code, 1, "{report:#}");
    let c = uat_check(&report);
    assert_eq!(
        (c["status"].as_str(), c["blocking"].as_bool()),
        (Some("fail"), Some(true))
    );
    assert_eq!(c["observed"], json!(["product-owner"]));
    let p = problems(c);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].0, "role qa-lead");
    assert_eq!(
        p[0].1,
        "the role `qa-lead` has no approval of the deployment to `production` in workflow run 30433642 by an active member of `acme/qa-leads` (approved by dana-reyes, octocat, who do not approve as `qa-lead`)"
    );
    assert_eq!(
        p[0].2,
        format!(
            "an active member of `acme/qa-leads` approves the deployment to `production` (Review deployments on https://github.com/acme/payments/actions/runs/{RUN})"
        )
    );
    assert_eq!(effect(c, "octocat"), "not counted: approves as no role");
    assert!(
        message(c).starts_with("the GitHub deployment approvals of workflow run 30433642 do not approve this release: the role `qa-lead`"),
        "{}",
        message(c)
    );
}

#[test]
fn a_rejection_blocks_even_beside_approvals() {
    let s = github_ready();
    let base = s.uri();
    s.mount(
        approvals_request()
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                review(&base, "approved", "production", "dana-reyes", ""),
                review(&base, "approved", "production", "sam-ortiz", ""),
                review(
                    &base,
                    "rejected",
                    "production",
                    "lee-chen",
                    "Refunds double-post on retry"
                ),
            ])))
            .with_priority(1),
    );
    let (r, report) = check_json(&project(&base), in_run);
    assert_eq!(r.code, 1, "{report:#}");
    let c = uat_check(&report);
    assert_eq!(
        c["observed"],
        json!(["product-owner", "qa-lead"]),
        "both roles approved"
    );
    let p = problems(c);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].0, "github review by lee-chen");
    assert_eq!(
        p[0].1,
        "lee-chen rejected the deployment to `production` in workflow run 30433642 (\"Refunds double-post on retry\")"
    );
    assert_eq!(effect(c, "lee-chen"), "blocks: a rejection");
}

#[test]
fn an_approval_of_another_environment_does_not_count() {
    let s = github(
        RUN_CREATED,
        &[
            ("approved", "production", "dana-reyes", ""),
            ("approved", "staging", "sam-ortiz", ""),
            // A rejection of another environment does not block this one.
            ("rejected", "staging", "lee-chen", ""),
            ("pending", "production", "sam-ortiz", "looking at it"),
        ],
        &[("sam-ortiz", "active")],
    );
    let (r, report) = check_json(&project(&s.uri()), in_run);
    assert_eq!(r.code, 1, "{report:#}");
    let c = uat_check(&report);
    let p = problems(c);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(p[0].0, "role qa-lead");
    let reviews = c["details"]["github_approvals"]["reviews"]
        .as_array()
        .unwrap();
    let counts: Vec<&str> = reviews
        .iter()
        .map(|r| r["effect"].as_str().unwrap())
        .collect();
    assert_eq!(
        counts,
        [
            "counts for product-owner (listed user)",
            "not counted: not for `production`",
            "not counted: not for `production`",
            "not counted: a comment, not an approval",
        ]
    );
}

#[test]
fn a_team_invitation_not_yet_accepted_does_not_count() {
    let s = github(
        RUN_CREATED,
        &[
            ("approved", "production", "dana-reyes", ""),
            ("approved", "production", "sam-ortiz", ""),
        ],
        &[("sam-ortiz", "pending")],
    );
    let (r, report) = check_json(&project(&s.uri()), in_run);
    assert_eq!(r.code, 1, "{report:#}");
    let c = uat_check(&report);
    assert_eq!(problems(c)[0].0, "role qa-lead");
    assert_eq!(effect(c, "sam-ortiz"), "not counted: approves as no role");
}

#[test]
fn a_paged_review_history_is_read_to_the_end() {
    // The two pages answer before the server's own (empty) history.
    let s = github(RUN_CREATED, &[], &[("sam-ortiz", "active")]);
    let base = s.uri();
    let next = format!("{base}{}?page=2", approvals_path());
    s.mount(
        approvals_request()
            .and(query_param("page", "2"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([review(
                &base,
                "approved",
                "production",
                "sam-ortiz",
                ""
            )])))
            .with_priority(1),
    );
    s.mount(
        approvals_request()
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header(
                        "link",
                        format!("<{next}>; rel=\"next\", <{next}>; rel=\"last\"").as_str(),
                    )
                    .set_body_json(json!([review(
                        &base,
                        "approved",
                        "production",
                        "dana-reyes",
                        ""
                    )])),
            )
            .with_priority(2),
    );
    let (r, report) = check_json(&project(&base), in_run);
    assert_eq!(r.code, 0, "{report:#}\n{}", r.stderr);
    assert_eq!(
        uat_check(&report)["observed"],
        json!(["product-owner", "qa-lead"])
    );
}

#[test]
fn a_run_older_than_max_age_blocks_because_reviews_carry_no_time() {
    let s = github(
        "2026-11-04T10:00:00Z",
        &[
            ("approved", "production", "dana-reyes", ""),
            ("approved", "production", "sam-ortiz", ""),
        ],
        &[("sam-ortiz", "active")],
    );
    let (r, report) = check_json(&project(&s.uri()), in_run);
    assert_eq!(r.code, 1, "{report:#}");
    let c = uat_check(&report);
    assert_eq!(
        c["observed"],
        json!([]),
        "no approval of a stale run counts"
    );
    let p = problems(c);
    assert_eq!(p[0].0, "github time", "{p:#?}");
    assert!(
        p[0].1.contains("cannot be shown to be younger than `max_age` 14d: GitHub does not say when a review was given, and the run was created 20 days ago"),
        "{}",
        p[0].1
    );
    assert!(p[0].2.contains("start a new workflow run"), "{}", p[0].2);
}

#[test]
fn a_run_of_another_commit_blocks() {
    let s = github_ready();
    let (r, report) = check_json(&project(&s.uri()), |cmd| {
        let mut cmd = in_run(cmd);
        cmd.env("GITHUB_SHA", "9e8d7c6b5a4f");
        cmd
    });
    assert_eq!(r.code, 1, "{report:#}");
    let c = uat_check(&report);
    let p = problems(c);
    assert_eq!(p[0].0, "github commit", "{p:#?}");
    assert!(
        p[0].1
            .contains(&format!("built commit `{SHA}`, not `9e8d7c6b5a4f`")),
        "{}",
        p[0].1
    );
}

#[test]
fn a_rejected_token_names_its_variable_with_exit_4() {
    let s = github_ready();
    s.mount(
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(401).set_body_json(json!({
                "message": "Bad credentials",
                "documentation_url": "https://docs.github.com/rest",
                "status": "401"
            })))
            .with_priority(1),
    );
    let (r, report) = check_json(&project(&s.uri()), in_run);
    assert_eq!(r.code, 4, "{report:#}");
    let c = uat_check(&report);
    assert_eq!(
        (c["status"].as_str(), c["blocking"].as_bool()),
        (Some("error"), Some(true))
    );
    assert!(
        message(c).contains("the token in `GH_APPROVALS_TOKEN` was rejected (HTTP 401)"),
        "{}",
        message(c)
    );
    assert!(
        c["remedy"].as_str().unwrap().contains("GH_APPROVALS_TOKEN"),
        "{c:#}"
    );
}

#[test]
fn server_errors_until_the_retry_bound_are_exit_4() {
    let s = github_ready();
    s.mount(
        approvals_request()
            .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad gateway</html>"))
            .with_priority(1),
    );
    let (r, report) = check_json(&project(&s.uri()), in_run);
    assert_eq!(r.code, 4, "{report:#}");
    assert_eq!(report["decision"], "blocked");
    let c = uat_check(&report);
    assert_eq!(c["status"], "error");
    assert!(
        message(c).contains("after 3 attempts: HTTP 502"),
        "{}",
        message(c)
    );
    assert!(
        c["remedy"]
            .as_str()
            .unwrap()
            .contains("raise `retries`/`timeout` in `sources.uat.github_approvals`"),
        "{c:#}"
    );
    assert!(
        r.stderr.contains("retrying"),
        "a retry is said on stderr: {}",
        r.stderr
    );
}

/// Every file under `dir`, with its text.

#[test]
fn the_token_never_appears_in_any_output() {
    for refuse in [false, true] {
        let s = github_ready();
        if refuse {
            s.mount(
                approvals_request()
                    .respond_with(
                        ResponseTemplate::new(401)
                            .set_body_string(format!("Bad credentials {TOKEN}")),
                    )
                    .with_priority(1),
            );
        }
        let p = project(&s.uri());
        let reports = p.dir.path().join("out");
        let mut cmd = p.check();
        cmd.arg("-vv").arg("--report-dir").arg(&reports);
        let r = run(in_run(cmd));
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
        seen.extend(files_under(&reports));
        assert!(
            seen.iter()
                .any(|(f, _)| f.ends_with("github-approvals.json"))
                || refuse,
            "the fetched approvals are in the record: {:?}",
            seen.iter().map(|(f, _)| f).collect::<Vec<_>>()
        );
        assert!(seen.len() >= 6, "the reports and the record were written");
        for (what, text) in &seen {
            assert!(!text.contains(TOKEN), "the token is in {what}");
            assert!(
                !text.contains("7Qx2-approvals"),
                "part of the token is in {what}"
            );
        }
    }
}

#[test]
fn offline_the_approvals_are_missing_evidence_that_says_why() {
    let (r, report) = check_json(&project("https://api.github.com"), |cmd| {
        let mut cmd = in_run(cmd);
        cmd.arg("--offline");
        cmd
    });
    assert_eq!(r.code, 1, "{report:#}");
    let c = uat_check(&report);
    assert_eq!(c["status"], "missing");
    assert!(
        message(c).contains("are not read with `--offline`: they need the network"),
        "{}",
        message(c)
    );
}

#[test]
fn outside_a_workflow_run_the_approvals_are_missing() {
    let text = policy_text("https://api.github.com", "", "")
        .replace("${GITHUB_RUN_ID}", "${GITHUB_RUN_ID:-}");
    let p = Project::new(&text);
    let (r, report) = check_json(&p, |mut cmd| {
        cmd.env("GITHUB_REPOSITORY", "acme/payments")
            .env_remove("GITHUB_RUN_ID");
        cmd
    });
    assert_eq!(r.code, 1, "{report:#}");
    let c = uat_check(&report);
    assert_eq!(c["status"], "missing");
    assert!(
        message(c).contains("`run_id` in `sources.uat.github_approvals` is empty"),
        "{}",
        message(c)
    );
}

#[test]
fn an_unset_token_variable_is_named() {
    let s = github_ready();
    let (r, report) = check_json(&project(&s.uri()), |cmd| {
        let mut cmd = in_run(cmd);
        cmd.env_remove("GH_APPROVALS_TOKEN");
        cmd
    });
    assert_eq!(r.code, 4, "{report:#}");
    assert!(
        message(uat_check(&report))
            .contains("the environment variable `GH_APPROVALS_TOKEN` is not set"),
        "{report:#}"
    );
}

#[test]
fn the_sign_off_record_and_the_approvals_complement_each_other() {
    // Product sign-off in the record; QA approves the deployment in GitHub.
    let s = github_ready();
    let base = s.uri();
    s.mount(
        approvals_request()
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([review(
                &base,
                "approved",
                "production",
                "sam-ortiz",
                ""
            )])))
            .with_priority(1),
    );
    let text = policy_text(&base, "", "").replace(
        "  uat:\n    github_approvals:",
        "  uat:\n    signoff: release/uat-signoff.yaml\n    github_approvals:",
    );
    let record = format!(
        "release: payments-api\nversion: 2.4.0\ncommit: {}\ndecision: approved\nsignoffs:\n  - name: Dana Reyes\n    role: product-owner\n    at: 2026-11-23T15:04:00Z\n    meaning: approval\n",
        &SHA[..7]
    );
    let p = Project::new(&text).file("release/uat-signoff.yaml", record.as_bytes());
    let (r, report) = check_json(&p, in_run);
    assert_eq!(r.code, 0, "{report:#}\n{}", r.stderr);
    let c = uat_check(&report);
    assert!(
        message(c).starts_with("approved for payments-api 2.4.0 by product-owner (Dana Reyes), qa-lead (sam-ortiz in GitHub, member of acme/qa-leads); the oldest approval is 18 hours old; not signed; GitHub: the deployment to `production` in workflow run 30433642"),
        "{}",
        message(c)
    );
    let sources: Vec<&str> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["uat", "uat-approvals"]);

    // Neither approves the QA lead: the finding names both places.
    let blocked = github(RUN_CREATED, &[], &[]);
    let p = Project::new(&text.replace(&base, &blocked.uri()))
        .file("release/uat-signoff.yaml", record.as_bytes());
    let (r, report) = check_json(&p, in_run);
    assert_eq!(r.code, 1, "{report:#}");
    let c = uat_check(&report);
    let p = problems(c);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert_eq!(
        p[0].1,
        "the role `qa-lead` has not signed `release/uat-signoff.yaml`, and has no approval of the deployment to `production` in workflow run 30433642 by an active member of `acme/qa-leads`"
    );
    assert!(
        p[0].2
            .contains("; or an active member of `acme/qa-leads` approves"),
        "{}",
        p[0].2
    );
}

#[test]
fn the_record_replays_the_approvals_with_github_gone() {
    let s = github_ready();
    let p = project(&s.uri());
    let out = p.dir.path().join("record");
    let mut cmd = p.check();
    cmd.args(["--format", "json", "--report-dir"]).arg(&out);
    let live = run(in_run(cmd));
    assert_eq!(live.code, 0, "{}\n{}", live.stdout, live.stderr);
    let stored = out.join("evidence/fetched/uat-approvals/github-approvals.json");
    let stored =
        std::fs::read_to_string(&stored).unwrap_or_else(|e| panic!("{e}: {}", stored.display()));
    assert!(
        stored.contains("\"format\": \"shipgate-github-approvals\""),
        "{stored}"
    );
    assert!(
        stored.contains("sam-ortiz") && !stored.contains(TOKEN),
        "{stored}"
    );
    drop(s);

    // No server, no token, no run variables: the record holds all of it.
    let mut cmd = shipgate();
    cmd.args(["check", "--format", "json", "--from-snapshot"])
        .arg(&out)
        .env_remove("GH_APPROVALS_TOKEN")
        .env_remove("GITHUB_RUN_ID")
        .env_remove("GITHUB_REPOSITORY");
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
fn an_invalid_approvals_section_is_exit_3_with_every_problem() {
    let text = "version: 1\nrelease: {name: pay}\nsources:\n  uat:\n    github_approvals:\n      repository: acme\n      run_id: latest\n      environment: ''\n      token_env: ghp_abc123\n      roles:\n        qa-lead: {users: ['@sam']}\n        po: {}\nchecks:\n  uat: {required_roles: [qa-lead, product-owner]}\n";
    let p = Project::new(text);
    let out = shipgate()
        .args(["validate", "--policy"])
        .arg(p.policy())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    for says in [
        "`acme` is not `owner/name`",
        "`latest` is not a workflow run id",
        "`sources.uat.github_approvals.environment`: the value is empty",
        "never the token itself",
        "write the login without `@`",
        "no one approves as `po`",
    ] {
        assert!(stderr.contains(says), "{says}: {stderr}");
    }
    assert!(!stderr.contains("ghp_abc123"), "{stderr}");
    // Rules across sections are given once the values they look at could be read.
    let fixed = text.replace("environment: ''", "environment: production");
    let p = Project::new(&fixed);
    let out = shipgate()
        .args(["validate", "--policy"])
        .arg(p.policy())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no one can approve as `product-owner`"),
        "{stderr}"
    );
}

#[test]
fn a_run_id_that_is_not_the_run_gated_is_never_counted() {
    // A server that answers another run for the run asked about (a proxy's cache, a wrong
    // base URL): the gate cannot tie the approvals to this run.
    let s = github_ready();
    let mut other = run_json(&s.uri(), RUN_CREATED, SHA);
    other["id"] = json!(RUN + 1);
    s.mount(
        Mock::given(method("GET"))
            .and(path(format!("/repos/acme/payments/actions/runs/{RUN}")))
            .respond_with(ResponseTemplate::new(200).set_body_json(other))
            .with_priority(1),
    );
    let (r, report) = check_json(&project(&s.uri()), in_run);
    assert_eq!(r.code, 4, "{report:#}");
    assert!(
        message(uat_check(&report))
            .contains(&format!("the answer is run {}, not run {RUN}", RUN + 1)),
        "{report:#}"
    );
}

#[test]
fn explain_describes_the_github_source() {
    let out = shipgate()
        .args(["explain", "uat.signoff"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("github_approvals"), "{text}");
}
