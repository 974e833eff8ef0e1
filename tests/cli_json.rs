//! JSON evidence that gives one key two values, run through `shipgate check` end to end: the gate
//! exits 4 (evidence error) and names the file or URL, the key and where it is; it never exits 0.
//! Each case first runs the same evidence with the key once, to show what the repeat would have
//! been read as: the last value, which would have made the release ready.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::mock::{Server, run};
use common::{Project, corpus};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

const DEFECTS_POLICY: &str = "\
version: 1
release: {name: payments-api, version: '2.4.0'}
sources:
  defects: {kind: file, path: defects.json}
checks:
  defects: {max_open: {critical: 0}}
";

/// The defect JSON form with one critical defect whose `status` is written as `status`.
fn defect_file(status: &str) -> String {
    format!(
        r#"{{
  "format": "shipgate-defects",
  "version": 1,
  "source": "file",
  "location": "defects.json",
  "defects": [
    {{
      "key": "PAY-812",
      "title": "Refund posted twice",
      "severity": "critical",
      "origin": "production",
      {status},
      "created": "2026-11-01T09:41:00Z"
    }}
  ]
}}
"#
    )
}

fn defects_project(file: &str) -> Project {
    Project::new(DEFECTS_POLICY).file("defects.json", file.as_bytes())
}

#[test]
fn a_defect_file_with_status_open_then_closed_exits_4_never_0() {
    // With the key once: closed is ready, open is blocked.
    let closed = run(defects_project(&defect_file(r#""status": "closed""#)).check());
    assert_eq!(closed.code, 0, "{}", closed.stdout);
    let open = run(defects_project(&defect_file(r#""status": "open""#)).check());
    assert_eq!(open.code, 1, "{}", open.stdout);
    // Given twice, the last value (closed) would make it ready.
    let twice =
        run(defects_project(&defect_file(r#""status": "open", "status": "closed""#)).check());
    assert_eq!(twice.code, 4, "{}\n{}", twice.stdout, twice.stderr);
    let text = twice
        .stdout
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        text.contains(
            "failed to read the defect file `defects.json`: the key `status` appears twice in `defects[0]` (line 12, column"
        ),
        "{text}"
    );
    assert!(text.contains("give each key once"), "{text}");
}

#[test]
fn a_defect_file_whose_defects_list_is_given_again_empty_exits_4() {
    let file = defect_file(r#""status": "open""#).replacen(
        "\"defects\": [",
        "\"defects\": [],\n  \"defects\": [",
        1,
    );
    let r = run(defects_project(&file).check());
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(
        r.stdout.contains("the key `defects` appears twice"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_defect_file_with_a_misspelt_key_exits_4_with_the_nearest_key() {
    let r = run(defects_project(&defect_file(r#""stauts": "open""#)).check());
    assert_eq!(r.code, 4, "{}", r.stdout);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("unknown key `stauts` in `defects[0]` (line 12, column")
            && text.contains("did you mean `status`?"),
        "{text}"
    );
}

#[test]
fn inspect_defects_refuses_the_same_file_with_exit_4() {
    let p = defects_project(&defect_file(r#""status": "open", "status": "closed""#));
    let mut cmd = common::shipgate();
    cmd.args(["inspect", "defects", "--policy"]).arg(p.policy());
    let r = run(cmd);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("the key `status` appears twice"),
        "{}",
        r.stderr
    );
}

// ---- a tracker ----------------------------------------------------------------------------

const TOKEN: &str = "tok-json-never-printed";

fn jira_policy(uri: &str) -> String {
    format!(
        "version: 1\nrelease: {{name: payments-api, version: '2.4.0'}}\nsources:\n  defects:\n    kind: jira\n    url: {uri}\n    user_env: TRACKER_USER\n    token_env: TRACKER_TOKEN\n    query: project = PAY\n    retries: 0\n    origin: {{field: Defect origin, production: [Production], pre_production: [QA]}}\nchecks:\n  defects: {{max_open: {{critical: 0}}}}\n"
    )
}

/// Jira Cloud answering a search with one critical issue whose `status` is `statuses`.
fn jira(statuses: &str) -> Server {
    let s = Server::start();
    s.mount(
        Mock::given(method("GET"))
            .and(path("/rest/api/3/field"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!([
                {"id": "summary", "key": "summary", "name": "Summary", "custom": false},
                {"id": "priority", "key": "priority", "name": "Priority", "custom": false},
                {"id": "customfield_10042", "key": "customfield_10042", "name": "Defect origin", "custom": true}
            ]))),
    );
    let page = format!(
        r#"{{"issues": [{{"id": "10001", "key": "PAY-812", "fields": {{"summary": "Refund posted twice", "created": "2026-11-01T09:41:00.000+0000", "priority": {{"name": "Highest"}}, "customfield_10042": {{"value": "Production"}}, {statuses}}}}}], "isLast": true}}"#
    );
    s.mount(
        Mock::given(method("POST"))
            .and(path("/rest/api/3/search/jql"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(page, "application/json")),
    );
    s
}

fn jira_check(s: &Server) -> common::mock::Run {
    let p = Project::new(&jira_policy(&s.uri()));
    let mut cmd = p.check();
    cmd.env("TRACKER_USER", "qa@acme.example")
        .env("TRACKER_TOKEN", TOKEN)
        .env_remove("HTTPS_PROXY")
        .env_remove("HTTP_PROXY")
        .env_remove("https_proxy")
        .env_remove("http_proxy");
    run(cmd)
}

const OPEN: &str =
    r#""status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}"#;
const DONE: &str = r#""status": {"name": "Done", "statusCategory": {"key": "done"}}"#;

#[test]
fn a_tracker_answer_with_status_open_then_done_exits_4_never_0() {
    assert_eq!(jira_check(&jira(DONE)).code, 0, "done alone is ready");
    assert_eq!(jira_check(&jira(OPEN)).code, 1, "open alone blocks");
    let s = jira(&format!("{OPEN}, {DONE}"));
    let r = jira_check(&s);
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(&format!(
            "failed to read the answer of `{}/rest/api/3/search/jql`: the key `status` appears twice in `issues[0].fields` (line 1, column",
            s.uri()
        )),
        "{text}"
    );
    assert!(!text.contains(TOKEN) && !r.stderr.contains(TOKEN));
}

// ---- performance --------------------------------------------------------------------------

/// The fixtures' runs have 3 failed requests of 200: allowed here (`max_failed_share`), so that
/// each is ready as written and only the key given twice can block it.
const PERF_POLICY: &str = "\
version: 1
release: {name: payments-api, version: '2.4.0'}
sources:
  performance:
    current: {path: perf/summary.json}
checks:
  performance:
    - {metric: http_req_duration.p95, max: 200ms, max_failed_share: 2%}
";

fn k6_summary() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("crates/shipgate-perf/tests/fixtures/k6-summary-export.json"),
    )
    .unwrap()
}

#[test]
fn a_k6_summary_with_a_p95_given_twice_exits_4_never_0() {
    let summary = k6_summary();
    let ready = run(Project::new(PERF_POLICY)
        .file("perf/summary.json", summary.as_bytes())
        .check());
    assert_eq!(ready.code, 0, "{}", ready.stdout);
    // A p95 of 9 s, then the fixture's 59 ms: read last-wins, ready.
    assert!(summary.contains("\"p(95)\":"));
    let twice = summary.replacen("\"p(95)\":", "\"p(95)\": 9000, \"p(95)\":", 1);
    let r = run(Project::new(PERF_POLICY)
        .file("perf/summary.json", twice.as_bytes())
        .check());
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("perf/summary.json")
            && text.contains("the key `p(95)` appears twice in `metrics.http_req_duration`"),
        "{text}"
    );
}

/// A k6 `--out json` run whose failed request's point says `expected_response` twice, `false`
/// then `true`: read last-wins, the failure would count among the successful requests the
/// latency is judged on. The reader's fast path refuses it as the general one does.
#[test]
fn a_k6_out_json_point_with_expected_response_given_twice_exits_4_never_0() {
    let policy = PERF_POLICY.replace("perf/summary.json", "perf/run.ndjson");
    let run_file = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("crates/shipgate-perf/tests/fixtures/k6-out.ndjson"),
    )
    .unwrap();
    let ready = run(Project::new(&policy)
        .file("perf/run.ndjson", run_file.as_bytes())
        .check());
    assert_eq!(ready.code, 0, "{}", ready.stdout);
    let failed = "\"expected_response\":\"false\"";
    assert!(run_file.contains(failed));
    let twice = run_file.replacen(
        failed,
        &format!("{failed},\"expected_response\":\"true\""),
        1,
    );
    let r = run(Project::new(&policy)
        .file("perf/run.ndjson", twice.as_bytes())
        .check());
    assert_eq!(r.code, 4, "{}\n{}", r.stdout, r.stderr);
    let text = r.stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("perf/run.ndjson")
            && text.contains("the key `expected_response` appears twice in `data.tags`"),
        "{text}"
    );
}

// ---- shipgate's own output ----------------------------------------------------------------

/// The JSON report pipelines read is itself strict JSON, and reads back as the report's form
/// (what a replay does with the copy in a release record).
#[test]
fn the_json_report_gives_each_key_once_and_reads_back_as_its_form() {
    let p = Project::new(
        "version: 1\nrelease: {name: demo, version: '1.0'}\nsources:\n  tests: {junit: [reports/*.xml]}\nchecks:\n  regression: {min_pass_rate: 90%}\n",
    )
    .copy("reports/junit.xml", &corpus("surefire--failures-and-errors.xml"));
    let out = p.check().args(["--format", "json"]).output().unwrap();
    assert!(out.status.code().is_some());
    shipgate_json::parse_value(&out.stdout).unwrap();
    let report: shipgate_model::Report = shipgate_json::parse_form(&out.stdout).unwrap();
    assert!(!report.checks.is_empty());
}
