//! The run's secrets appear nowhere the gate writes: not on stdout or stderr (with tracing at
//! trace level), not in the report files, the release record or GitHub's step outputs and
//! summary, in any form: raw, the base64 of `user:token` that basic auth sends, or
//! percent-encoded. A local server (wiremock) plays a tracker that echoes the credentials in
//! its error pages, across the 200-character cut of the message, and in a successful answer.

#![expect(
    clippy::disallowed_methods,
    reason = "the tests read shipgate's own output (reports, records), not evidence"
)]
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::Project;
use common::mock::{Run, Server, files_under, run};
use std::path::{Path, PathBuf};
use wiremock::matchers::any;
use wiremock::{Mock, ResponseTemplate};

const TOKEN: &str = "ATATT3xFfGF0-s3cr3t/t0ken+never=printed";
const USER: &str = "qa@acme.example";

/// The forms of the secret that must never be written, and recognisable parts of each (a form
/// cut short would still leak its start or end).
fn forbidden(basic: &str) -> Vec<String> {
    let encoded: String = TOKEN.bytes().map(|b| format!("%{b:02X}")).collect();
    let unpadded = basic.trim_end_matches('=');
    vec![
        TOKEN.to_owned(),
        TOKEN[..12].to_owned(),
        TOKEN[TOKEN.len() - 12..].to_owned(),
        unpadded[..16].to_owned(),
        unpadded[unpadded.len() - 16..].to_owned(),
        unpadded.replace('+', "-").replace('/', "_")[8..24].to_owned(),
        encoded[..24].to_owned(),
    ]
}

fn policy(uri: &str, extra: &str) -> String {
    format!(
        "version: 1\nrelease: {{name: demo, version: '1.0'{extra}}}\nsources:\n  tests: {{junit: [reports/*.xml]}}\n  defects:\n    kind: jira\n    url: {uri}\n    user_env: TRACKER_USER\n    token_env: TRACKER_TOKEN\n    query: project = PAY\n    retries: 0\n    origin: {{field: Defect origin, production: [Production], pre_production: [QA]}}\nchecks:\n  regression: {{min_pass_rate: 50%}}\n  defects: {{max_open: {{critical: 0}}}}\n"
    )
}

const JUNIT: &str = r#"<testsuite name="s"><testcase classname="a" name="t"/></testsuite>"#;

/// A GitHub Actions job's files, so that the step outputs and summary are written too.
struct Job {
    dir: tempfile::TempDir,
}

impl Job {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn files(&self) -> (PathBuf, PathBuf) {
        (
            self.dir.path().join("summary.md"),
            self.dir.path().join("output.txt"),
        )
    }
}

/// `check` at trace level with every report file, the record and GitHub's files written.
fn check(p: &Project, job: &Job, format: &str) -> Run {
    check_with(p, job, format, true)
}

fn check_with(p: &Project, job: &Job, format: &str, report_dir: bool) -> Run {
    let (summary, output) = job.files();
    let mut cmd = p.check();
    cmd.args(["-vv", "--format", format]);
    if report_dir {
        cmd.arg("--report-dir").arg(p.dir.path().join("out"));
    }
    cmd.env("TRACKER_USER", USER)
        .env("TRACKER_TOKEN", TOKEN)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_OUTPUT", &output);
    for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] {
        cmd.env_remove(var).env_remove(var.to_ascii_lowercase());
    }
    run(cmd)
}

/// Asserts that no form of the secret is in the run's output or in any file it wrote.
fn assert_nowhere(r: &Run, dirs: &[&Path], basic: &str) {
    let mut seen = vec![
        ("stdout".to_owned(), r.stdout.clone()),
        ("stderr".to_owned(), r.stderr.clone()),
    ];
    for dir in dirs {
        if dir.exists() {
            seen.extend(files_under(dir));
        }
    }
    for (what, text) in &seen {
        for part in forbidden(basic) {
            assert!(
                !text.contains(&part),
                "`{part}` (a form of the secret) is in {what}:\n{text}"
            );
        }
    }
}

/// The basic-auth value reqwest sent, as the server received it.
fn sent_basic(s: &Server) -> String {
    let requests = s.requests();
    let header = requests
        .iter()
        .find_map(|r| r.headers.get("authorization"))
        .expect("a request with credentials");
    header
        .to_str()
        .unwrap()
        .strip_prefix("Basic ")
        .unwrap()
        .to_owned()
}

/// What the Basic value is, from a first request to a server that refuses it.
fn basic_value() -> String {
    let s = Server::start();
    s.mount(Mock::given(any()).respond_with(ResponseTemplate::new(401)));
    let p = Project::new(&policy(&s.uri(), "")).file("reports/a.xml", JUNIT.as_bytes());
    let job = Job::new();
    check(&p, &job, "json");
    sent_basic(&s)
}

#[test]
fn error_pages_that_echo_the_secret_in_any_form_show_none_of_it() {
    let basic = basic_value();
    let unpadded = basic.trim_end_matches('=').to_owned();
    let encoded: String = TOKEN.bytes().map(|b| format!("%{b:02x}")).collect();
    let echoes = [
        // Across the 200-character cut of the message.
        TOKEN.to_owned(),
        format!("Authorization: Basic {basic}"),
        unpadded.replace('+', "-").replace('/', "_"),
        encoded,
        format!("{{\"token\": \"{}\"}}", TOKEN.replace('/', "\\/")),
        format!(
            "https://x/?u={USER}&t={}",
            TOKEN
                .replace('+', "%2B")
                .replace('/', "%2F")
                .replace('=', "%3D")
        ),
    ];
    for (i, echo) in echoes.iter().enumerate() {
        for status in [400, 403, 418] {
            let s = Server::start();
            let page = format!(
                "{}{echo} -- and the rest of the error page",
                "e".repeat(185)
            );
            s.mount(
                Mock::given(any())
                    .respond_with(ResponseTemplate::new(status).set_body_string(page)),
            );
            let p = Project::new(&policy(&s.uri(), "")).file("reports/a.xml", JUNIT.as_bytes());
            let job = Job::new();
            for format in ["human", "json"] {
                let r = check(&p, &job, format);
                assert_eq!(
                    r.code, 4,
                    "echo {i}, HTTP {status}: {}\n{}",
                    r.stdout, r.stderr
                );
                assert!(
                    r.stdout.contains(&format!("HTTP {status}")),
                    "the server's answer is still reported: {}",
                    r.stdout
                );
                assert_nowhere(&r, &[&p.dir.path().join("out"), job.dir.path()], &basic);
            }
        }
    }
}

#[test]
fn a_successful_answer_that_echoes_the_secret_blocks_and_is_not_kept() {
    let basic = basic_value();
    let s = Server::start();
    s.mount(
        Mock::given(any()).respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({
                "issues": [{"key": "PAY-1", "fields": {"summary": format!("paste: {TOKEN}")}}],
                "isLast": true
            }),
        )),
    );
    let p = Project::new(&policy(&s.uri(), "")).file("reports/a.xml", JUNIT.as_bytes());
    let job = Job::new();
    let r = check(&p, &job, "json");
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["decision"], "blocked");
    assert!(
        r.stdout.contains("holds the token in `TRACKER_TOKEN`"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("revoke it"), "{}", r.stdout);
    assert_nowhere(&r, &[&p.dir.path().join("out"), job.dir.path()], &basic);
}

#[test]
fn a_policy_that_copies_the_secret_with_a_variable_is_refused() {
    let basic = basic_value();
    let p = Project::new(&policy(
        "https://acme.atlassian.net",
        ", commit: '${TRACKER_TOKEN}'",
    ))
    .file("reports/a.xml", JUNIT.as_bytes());
    let job = Job::new();
    let r = check(&p, &job, "human");
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("`${TRACKER_TOKEN}` copies the secret of `TRACKER_TOKEN`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("shipgate.yaml:2:"),
        "on its line: {}",
        r.stderr
    );
    assert_nowhere(&r, &[&p.dir.path().join("out"), job.dir.path()], &basic);
}

/// A policy that does not parse can quote what a `${VAR}` filled in: never a token.
#[test]
fn a_policy_problem_never_quotes_a_token() {
    let basic = basic_value();
    let text = policy("https://acme.atlassian.net", "")
        .replace("min_pass_rate: 50%", "min_pass_rate: '${TRACKER_TOKEN}'");
    let p = Project::new(&text).file("reports/a.xml", JUNIT.as_bytes());
    let job = Job::new();
    let r = check(&p, &job, "human");
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("`***` is not a number"), "{}", r.stderr);
    assert_nowhere(&r, &[&p.dir.path().join("out"), job.dir.path()], &basic);
}

/// A test that printed its environment: the reports show `***` in its place, and the record,
/// whose copies are byte for byte, is not written (exit 4).
#[test]
fn evidence_that_holds_the_secret_is_redacted_and_never_recorded() {
    let basic = basic_value();
    let s = Server::start();
    s.mount(Mock::given(any()).respond_with(ResponseTemplate::new(503)));
    let junit = format!(
        r#"<testsuite name="s"><testcase classname="a" name="t"><failure message="env: TRACKER_TOKEN={TOKEN} AUTH=Basic {basic}">dump</failure></testcase></testsuite>"#
    );
    let p = Project::new(&policy(&s.uri(), "")).file("reports/a.xml", junit.as_bytes());
    let job = Job::new();
    for format in ["human", "markdown", "json", "junit"] {
        let printed = check_with(&p, &job, format, false);
        assert_eq!(printed.code, 4, "{format}: {}", printed.stderr);
        // Markdown writes the variable's `_` as `\_`; the secret is `***` in every format.
        let collapsed = printed
            .stdout
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            collapsed.contains("TOKEN=*** AUTH=Basic ***"),
            "{format}: {}",
            printed.stdout
        );
        assert_nowhere(&printed, &[job.dir.path()], &basic);
        let r = check(&p, &job, format);
        assert_eq!(r.code, 4, "{format}: {}\n{}", r.stdout, r.stderr);
        assert!(
            r.stderr.contains(
                "failed to record `reports/a.xml`: it holds the secret of `TRACKER_TOKEN`"
            ),
            "{format}: {}",
            r.stderr
        );
        assert!(!p.dir.path().join("out/evidence").exists(), "no record");
        assert_nowhere(&r, &[&p.dir.path().join("out"), job.dir.path()], &basic);
    }
}

/// The GitHub approvals token, echoed by a 403 page, is removed like a tracker's.
#[test]
fn the_approvals_token_is_never_shown() {
    let s = Server::start();
    let token = "ghs_0123456789abcdefghijKLMNOPQRSTUVWXYZ";
    let page = format!(
        "{}{{\"message\": \"token {token} lacks actions:read\"}}",
        "x".repeat(190)
    );
    s.mount(Mock::given(any()).respond_with(ResponseTemplate::new(403).set_body_string(page)));
    let policy = format!(
        "version: 1\nrelease: {{name: demo, version: '1.0'}}\nsources:\n  uat:\n    github_approvals:\n      url: {}\n      repository: acme/pay\n      run_id: '42'\n      environment: production\n      token_env: GH_APPROVALS_TOKEN\n      retries: 0\n      roles:\n        qa-lead: {{users: [sam]}}\nchecks:\n  uat: {{required_roles: [qa-lead]}}\n",
        s.uri()
    );
    let p = Project::new(&policy);
    let mut cmd = p.check();
    cmd.args(["-vv", "--format", "json"])
        .env("GH_APPROVALS_TOKEN", token);
    for var in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"] {
        cmd.env_remove(var).env_remove(var.to_ascii_lowercase());
    }
    let r = run(cmd);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("HTTP 403"), "{}", r.stdout);
    for part in [token, &token[..12], &token[token.len() - 12..]] {
        assert!(
            !r.stdout.contains(part) && !r.stderr.contains(part),
            "{part}"
        );
    }
}
