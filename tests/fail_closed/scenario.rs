//! A scenario: a project folder (a policy and the evidence it reads), the command line and
//! environment of one `shipgate check`, and the answers of the HTTP services it asks (served
//! by wiremock). Scenarios are data, read from `tests/fail_closed/scenarios/*.yaml`; a mutation
//! is a function from one scenario to changed copies of it.
//!
//! This module reads scenarios, writes them into a temporary folder, runs the binary on them
//! (several at once, each with a time limit) and judges what it printed and how it ended. It
//! knows nothing about any particular mutation.

use crate::common::workflow;
use serde_json::Value;
use shipgate_yaml::{Node, NodeValue};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// How long one run may take before it counts as a hang.
const TIME_LIMIT: Duration = Duration::from_secs(60);

/// The repository's root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// What a file is to the gate. Mutations pick the files they apply to by role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A JUnit report of this run (`sources.tests.junit`).
    Junit,
    /// A JUnit report of an earlier run (`sources.tests.history`).
    History,
    /// The quarantine file (YAML).
    Quarantine,
    /// Defects in shipgate's defect JSON form.
    DefectsJson,
    /// A Jira CSV export.
    DefectsCsv,
    /// A load-test result or baseline written as JSON.
    PerfJson,
    /// A load-test result written as text (JTL, CSV).
    PerfText,
    /// A load-test result written as XML (a JMeter JTL in XML): a cut one is refused.
    PerfXml,
    /// A load-test result in a binary format (Gatling's `simulation.log`): a record cut short is
    /// refused.
    PerfBinary,
    /// A UAT sign-off record without a signature.
    Signoff,
    /// A UAT sign-off record with a detached signature beside it.
    SignedSignoff,
    /// The detached signature of a sign-off.
    Signature,
    /// An allowed-signers file.
    AllowedSigners,
    /// The body of an HTTP answer (JSON), served by a route.
    Answer,
}

impl Role {
    fn parse(text: &str) -> Role {
        match text {
            "junit" => Role::Junit,
            "history" => Role::History,
            "quarantine" => Role::Quarantine,
            "defects-json" => Role::DefectsJson,
            "defects-csv" => Role::DefectsCsv,
            "perf-json" => Role::PerfJson,
            "perf-text" => Role::PerfText,
            "perf-xml" => Role::PerfXml,
            "perf-binary" => Role::PerfBinary,
            "signoff" => Role::Signoff,
            "signed-signoff" => Role::SignedSignoff,
            "signature" => Role::Signature,
            "allowed-signers" => Role::AllowedSigners,
            "answer" => Role::Answer,
            other => panic!("unknown evidence role `{other}`"),
        }
    }

    /// JUnit XML.
    pub fn is_xml(self) -> bool {
        matches!(self, Role::Junit | Role::History)
    }

    /// JSON.
    pub fn is_json(self) -> bool {
        matches!(self, Role::DefectsJson | Role::PerfJson | Role::Answer)
    }
}

/// What a file holds.
#[derive(Clone, Debug)]
pub enum Content {
    /// Bytes.
    Bytes(Vec<u8>),
    /// A symbolic link to this target.
    Symlink(String),
}

/// One file of a project.
#[derive(Clone, Debug)]
pub struct File {
    /// Relative to the project folder (where the policy is).
    pub rel: String,
    /// What it holds.
    pub content: Content,
    /// What it is to the gate; `None` for the policy and files the gate does not read.
    pub role: Option<Role>,
}

impl File {
    /// The bytes, or nothing for a link.
    pub fn bytes(&self) -> &[u8] {
        match &self.content {
            Content::Bytes(b) => b,
            Content::Symlink(_) => &[],
        }
    }

    /// The text, for files that are text.
    pub fn text(&self) -> String {
        String::from_utf8(self.bytes().to_vec())
            .unwrap_or_else(|_| panic!("`{}` is not UTF-8 text", self.rel))
    }
}

/// An HTTP answer the local server gives.
#[derive(Clone, Debug)]
pub struct Route {
    /// A name for messages (`search page 2`).
    pub name: String,
    /// `GET`, `POST`.
    pub method: String,
    /// The request path.
    pub path: String,
    /// Answers only a request whose JSON body contains this (wiremock's partial match).
    pub body_matches: Option<Value>,
    /// Wiremock's priority (1 wins); 5 by default.
    pub priority: u8,
    /// The HTTP status.
    pub status: u16,
    /// The file of the project whose bytes are the answer, or none for an empty body.
    pub body: Option<String>,
    /// A page after the first of a paged answer.
    pub later_page: bool,
}

/// A change a scenario declares for itself: what it means depends on the format of one of its
/// files, so it is written as data beside the scenario (the defect that is really a defect, the
/// same person for two roles, a token echoed in an answer).
#[derive(Clone, Debug)]
pub struct Edit {
    /// The mutation's name.
    pub name: String,
    /// The class of the issue it belongs to (see `Class::parse`).
    pub class: String,
    /// What the gate must do.
    pub expect: Expect,
    /// Why it must not read ready.
    pub about: String,
    /// The file it changes; `None`: every text file and every route's path.
    pub file: Option<String>,
    /// (text, replacement) pairs, each of which must occur. `__SECRET__` in a replacement is the
    /// value of the variable named by `secret`.
    pub replace: Vec<(String, String)>,
    /// The environment variable whose value must then appear in no output.
    pub secret: Option<String>,
    /// The checks that must block: the reason the gate must give, not just any reason.
    pub blocks: Vec<String>,
    /// Words the report must hold (the problem named as this change is about).
    pub says: Option<String>,
}

/// What a scenario is before any mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Baseline {
    /// It must read ready; it is mutated.
    Ready,
    /// An example that shows a blocked release; checked, not mutated.
    Blocked,
}

/// One `shipgate check` on one project.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The scenario file's name.
    pub name: String,
    /// What it shows.
    pub about: String,
    /// What it reads before any mutation.
    pub baseline: Baseline,
    /// Every file of the project; the policy is `shipgate.yaml`.
    pub files: Vec<File>,
    /// Arguments after `check --policy shipgate.yaml --format FORMAT`.
    pub args: Vec<String>,
    /// The whole environment (the run's own is cleared). `__DIR__` in a value is a folder of
    /// the run outside the project.
    pub env: BTreeMap<String, String>,
    /// Variables that hold secrets.
    pub secrets: Vec<String>,
    /// The report format.
    pub format: String,
    /// The answers of the local HTTP server; none: no server.
    pub http: Vec<Route>,
    /// The scenario's own format-aware mutations.
    pub edits: Vec<Edit>,
}

/// The policy's file name in every project.
pub const POLICY: &str = "shipgate.yaml";

/// In policy and answer texts, the local server's base URL.
pub const SERVER: &str = "__SERVER__";

impl Scenario {
    /// Reads `tests/fail_closed/scenarios/NAME.yaml`.
    pub fn load(path: &Path) -> Scenario {
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let doc = shipgate_yaml::parse(&text)
            .unwrap_or_else(|p| panic!("{}: not YAML: {p:?}", path.display()));
        let s = |key: &str| doc.get(key).and_then(Node::as_str).map(str::to_owned);
        let dir = repo().join(s("dir").unwrap_or_else(|| panic!("{name}: no `dir`")));
        let mut roles: BTreeMap<String, Role> = BTreeMap::new();
        for (k, v) in map_entries(doc.get("evidence")) {
            roles.insert(k, Role::parse(&v));
        }
        let mut files = Vec::new();
        for rel in files_under(&dir) {
            let bytes = std::fs::read(dir.join(&rel)).unwrap();
            files.push(File {
                role: roles.get(&rel).copied(),
                rel,
                content: Content::Bytes(bytes),
            });
        }
        for (rel, from) in map_entries(doc.get("copy")) {
            let bytes = std::fs::read(repo().join(&from))
                .unwrap_or_else(|e| panic!("{name}: cannot copy `{from}`: {e}"));
            files.push(File {
                role: roles.get(&rel).copied(),
                rel,
                content: Content::Bytes(bytes),
            });
        }
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        for pair in files.windows(2) {
            assert_ne!(
                pair[0].rel, pair[1].rel,
                "{name}: `{}` is both in the project and copied into it",
                pair[0].rel
            );
        }
        for rel in roles.keys() {
            assert!(
                files.iter().any(|f| &f.rel == rel),
                "{name}: the evidence `{rel}` is not in the project"
            );
        }
        assert!(files.iter().any(|f| f.rel == POLICY), "{name}: no {POLICY}");
        let http = seq_items(doc.get("http"))
            .into_iter()
            .map(|r| {
                let t = |key: &str| r.get(key).and_then(Node::as_str).map(str::to_owned);
                Route {
                    name: t("name").unwrap_or_default(),
                    method: t("method").unwrap_or_else(|| "GET".to_owned()),
                    path: t("path").unwrap_or_else(|| panic!("{name}: a route without a path")),
                    body_matches: r.get("body_matches").map(to_json),
                    priority: t("priority").map_or(5, |p| p.parse().unwrap()),
                    status: t("status").map_or(200, |p| p.parse().unwrap()),
                    body: t("body"),
                    later_page: t("later_page").as_deref() == Some("true"),
                }
            })
            .collect();
        let edits = seq_items(doc.get("edits"))
            .into_iter()
            .map(|e| {
                let t = |key: &str| e.get(key).and_then(Node::as_str).map(str::to_owned);
                let replace = seq_items(e.get("replace"))
                    .into_iter()
                    .map(|pair| {
                        let items = seq_items(Some(pair));
                        let text = |n: &Node| match &n.value {
                            NodeValue::Null => String::new(),
                            _ => n.as_str().unwrap_or_default().to_owned(),
                        };
                        (text(items[0]), text(items[1]))
                    })
                    .collect();
                Edit {
                    name: t("name").unwrap(),
                    class: t("class").unwrap(),
                    expect: Expect::parse(&t("expect").unwrap()),
                    about: t("about").unwrap_or_default(),
                    file: t("file"),
                    replace,
                    secret: t("secret"),
                    says: t("says"),
                    blocks: seq_items(e.get("blocks"))
                        .into_iter()
                        .filter_map(|n| n.as_str().map(str::to_owned))
                        .collect(),
                }
            })
            .collect();
        Scenario {
            about: s("about").unwrap_or_default(),
            baseline: match s("baseline").as_deref() {
                Some("blocked") => Baseline::Blocked,
                _ => Baseline::Ready,
            },
            files,
            args: seq_items(doc.get("args"))
                .into_iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect(),
            env: map_entries(doc.get("env")).into_iter().collect(),
            secrets: seq_items(doc.get("secrets"))
                .into_iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect(),
            format: "json".to_owned(),
            http,
            edits,
            name,
        }
    }

    /// The policy's text.
    pub fn policy(&self) -> String {
        self.file(POLICY).text()
    }

    /// The file at `rel`.
    pub fn file(&self, rel: &str) -> &File {
        self.files
            .iter()
            .find(|f| f.rel == rel)
            .unwrap_or_else(|| panic!("{}: no file `{rel}`", self.name))
    }

    /// Replaces the bytes of the file at `rel`.
    pub fn set(&mut self, rel: &str, bytes: Vec<u8>) {
        let f = self
            .files
            .iter_mut()
            .find(|f| f.rel == rel)
            .unwrap_or_else(|| panic!("no file `{rel}`"));
        f.content = Content::Bytes(bytes);
    }

    /// Adds a file (or replaces the one at its path).
    pub fn add(&mut self, file: File) {
        self.files.retain(|f| f.rel != file.rel);
        self.files.push(file);
    }

    /// Removes the file at `rel`.
    pub fn remove(&mut self, rel: &str) {
        self.files.retain(|f| f.rel != rel);
    }

    /// The files the gate reads (those with a role), with their roles.
    pub fn evidence(&self) -> Vec<(&File, Role)> {
        self.files
            .iter()
            .filter_map(|f| f.role.map(|r| (f, r)))
            .collect()
    }
}

fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(dir.join(&rel))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.join(&rel).display()))
            .map(|e| e.unwrap())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = rel.join(e.file_name());
            if e.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                out.push(path.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    out.sort();
    out
}

fn map_entries(node: Option<&Node>) -> Vec<(String, String)> {
    match node.map(|n| &n.value) {
        Some(NodeValue::Map(entries)) => entries
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().unwrap_or_default().to_owned(),
                    v.as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn seq_items(node: Option<&Node>) -> Vec<&Node> {
    match node.map(|n| &n.value) {
        Some(NodeValue::Seq(items)) => items.iter().collect(),
        _ => Vec::new(),
    }
}

fn to_json(node: &Node) -> Value {
    match &node.value {
        NodeValue::Null => Value::Null,
        NodeValue::Scalar(s, _) => Value::String(s.clone()),
        NodeValue::Seq(items) => Value::Array(items.iter().map(to_json).collect()),
        NodeValue::Map(entries) => Value::Object(
            entries
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), to_json(v)))
                .collect(),
        ),
    }
}

/// What the gate must do with a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Exit 0, decision `ready`: baselines and the controls of the mutation tools.
    Ready,
    /// Exit 3: the policy is invalid.
    Policy,
    /// Exit 1 or 4: the evidence blocks or cannot be read.
    Evidence,
    /// Exit 2: the command line is refused.
    Usage,
    /// Any of 1 to 4.
    Blocked,
    /// Any end within the time limit; exit 0 only with the tests counted as without the change.
    SameTestsIfReady,
}

impl Expect {
    fn parse(text: &str) -> Expect {
        match text {
            "policy" => Expect::Policy,
            "evidence" => Expect::Evidence,
            "usage" => Expect::Usage,
            "blocked" => Expect::Blocked,
            other => panic!("unknown expectation `{other}`"),
        }
    }

    /// The exit codes that satisfy it.
    pub fn codes(self) -> &'static [i32] {
        match self {
            Expect::Ready => &[0],
            Expect::Policy => &[3],
            Expect::Evidence => &[1, 4],
            Expect::Usage => &[2],
            Expect::Blocked => &[1, 2, 3, 4],
            Expect::SameTestsIfReady => &[0, 1, 2, 3, 4],
        }
    }
}

/// A check beside the exit code.
#[derive(Clone, Debug)]
pub enum Extra {
    /// This secret is in no output: stdout, stderr, the report folder, GitHub's files.
    NoSecret(String),
    /// Run as a GitHub Actions step: the step output `decision` the runner takes is `blocked`,
    /// and stdout and stderr hold no workflow command but shipgate's own annotations.
    Runner,
    /// These checks of the JSON report block.
    Blocks(Vec<String>),
    /// The report on stdout holds these words.
    Says(String),
}

/// One changed scenario and what the gate must do with it.
#[derive(Clone, Debug)]
pub struct Variant {
    /// The mutation's name.
    pub mutation: String,
    /// The class of the issue.
    pub class: &'static str,
    /// What exactly was changed (`reports/a.xml at 50%`).
    pub detail: String,
    /// The changed scenario.
    pub scenario: Scenario,
    /// What the gate must do.
    pub expect: Expect,
    /// Further checks.
    pub extras: Vec<Extra>,
}

/// How one run ended.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The exit code; `None` when killed (by a signal, or at the time limit).
    pub code: Option<i32>,
    /// Whether it ran past the time limit.
    pub timed_out: bool,
    /// stdout.
    pub stdout: String,
    /// stderr.
    pub stderr: String,
    /// Every file the run wrote outside the project (report folder, GitHub's files): (path,
    /// text).
    pub written: Vec<(String, String)>,
    /// How long it took.
    pub took: Duration,
}

impl Outcome {
    /// The JSON report on stdout, when there is one.
    pub fn report(&self) -> Option<Value> {
        shipgate_json::parse_value(self.stdout.as_bytes()).ok()
    }

    /// The number of tests the report counted.
    pub fn tests_total(&self) -> Option<u64> {
        self.report()?.pointer("/stats/tests/total")?.as_u64()
    }
}

/// The runtime of the local HTTP servers, shared by every run.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

/// Writes the scenario into a temporary folder, starts its server, runs `shipgate check` and
/// waits for it (killing it at the time limit).
pub fn run(scenario: &Scenario, extras: &[Extra]) -> Outcome {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("project");
    let out = tmp.path().join("run");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(&out).unwrap();

    let server =
        (!scenario.http.is_empty()).then(|| runtime().block_on(wiremock::MockServer::start()));
    let base = server.as_ref().map(|s| s.uri()).unwrap_or_default();
    let placed = |bytes: &[u8]| -> Vec<u8> {
        match std::str::from_utf8(bytes) {
            Ok(t) if t.contains(SERVER) => t.replace(SERVER, &base).into_bytes(),
            _ => bytes.to_vec(),
        }
    };
    for f in &scenario.files {
        let path = project.join(&f.rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        match &f.content {
            Content::Bytes(b) => std::fs::write(&path, placed(b)).unwrap(),
            Content::Symlink(target) => symlink(target, &path),
        }
    }
    if let Some(server) = &server {
        for r in &scenario.http {
            use wiremock::matchers::{body_partial_json, method, path};
            let body = r
                .body
                .as_ref()
                .and_then(|rel| scenario.files.iter().find(|f| &f.rel == rel))
                .map(|f| placed(f.bytes()))
                .unwrap_or_default();
            let mut mock =
                wiremock::Mock::given(method(r.method.as_str())).and(path(r.path.as_str()));
            if let Some(m) = &r.body_matches {
                mock = mock.and(body_partial_json(m.clone()));
            }
            let answer =
                wiremock::ResponseTemplate::new(r.status).set_body_raw(body, "application/json");
            runtime().block_on(
                mock.respond_with(answer)
                    .with_priority(r.priority)
                    .mount(server),
            );
        }
    }

    let mut cmd = Command::new(env!("CARGO_BIN_EXE_shipgate"));
    cmd.current_dir(&project)
        .args(["check", "--policy", POLICY, "--format", &scenario.format])
        .args(&scenario.args)
        .env_clear()
        .env("NO_COLOR", "1");
    let dir = out.display().to_string();
    for (k, v) in &scenario.env {
        cmd.env(k, v.replace("__DIR__", &dir));
    }
    if extras.iter().any(|e| matches!(e, Extra::NoSecret(_))) {
        cmd.arg("--report-dir").arg(out.join("report"));
    }
    let stdout_path = tmp.path().join("stdout");
    let stderr_path = tmp.path().join("stderr");
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > TIME_LIMIT {
            timed_out = true;
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(3));
    };
    let took = started.elapsed();
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    let written = crate::common::mock::files_under(&out);
    drop(server);
    Outcome {
        code: if timed_out { None } else { status.code() },
        timed_out,
        stdout: read(&stdout_path),
        stderr: read(&stderr_path),
        written,
        took,
    }
}

#[cfg(unix)]
fn symlink(target: &str, path: &Path) {
    std::os::unix::fs::symlink(target, path).unwrap();
}

#[cfg(not(unix))]
fn symlink(target: &str, path: &Path) {
    // Windows needs a privilege for links; a copy of nothing keeps the scenario runnable there.
    let _ = (target, path);
}

/// Whether the outcome is what the variant must do; `Err` says what went wrong.
pub fn judge(v: &Variant, o: &Outcome, baseline_tests: Option<u64>) -> Result<(), String> {
    if o.timed_out {
        return Err(format!(
            "still running after {} s: killed",
            TIME_LIMIT.as_secs()
        ));
    }
    let Some(code) = o.code else {
        return Err("ended by a signal".to_owned());
    };
    if code == 70 || code == 101 {
        return Err(format!("exit {code}: an internal error (a panic or a bug)"));
    }
    if !v.expect.codes().contains(&code) {
        return Err(format!(
            "exit {code}, expected {} ({:?})",
            v.expect
                .codes()
                .iter()
                .map(i32::to_string)
                .collect::<Vec<_>>()
                .join(" or "),
            v.expect
        ));
    }
    let decision = o
        .report()
        .and_then(|r| r.get("decision").and_then(Value::as_str).map(str::to_owned));
    match v.expect {
        Expect::Ready => {
            if v.scenario.format == "json" && decision.as_deref() != Some("ready") {
                return Err(format!("exit 0 but the report's decision is {decision:?}"));
            }
        }
        Expect::SameTestsIfReady => {
            if code == 0 && o.tests_total() != baseline_tests {
                return Err(format!(
                    "ready with {:?} tests counted, not the {baseline_tests:?} of the scenario",
                    o.tests_total()
                ));
            }
        }
        _ => {
            if decision.as_deref() == Some("ready") {
                return Err(format!("exit {code} but the report's decision is `ready`"));
            }
        }
    }
    for extra in &v.extras {
        match extra {
            Extra::NoSecret(secret) => {
                let mut seen = vec![
                    ("stdout".to_owned(), o.stdout.clone()),
                    ("stderr".to_owned(), o.stderr.clone()),
                ];
                seen.extend(o.written.iter().cloned());
                for (what, text) in &seen {
                    if text.contains(secret.as_str()) {
                        return Err(format!("the secret is printed in {what}"));
                    }
                }
            }
            Extra::Runner => runner_says_blocked(o)?,
            Extra::Says(words) => {
                if !o.stdout.contains(words.as_str()) {
                    return Err(format!("the report does not say `{words}`"));
                }
            }
            Extra::Blocks(ids) => {
                let report = o.report().ok_or("no JSON report on stdout")?;
                for id in ids {
                    let check = report["checks"]
                        .as_array()
                        .and_then(|c| c.iter().find(|c| c["id"] == id.as_str()))
                        .ok_or_else(|| format!("the report has no check `{id}`"))?;
                    if check["blocking"] != true {
                        return Err(format!(
                            "`{id}` does not block ({}): the gate blocks for another reason than the one this change is about",
                            check["status"]
                        ));
                    }
                }
            }
        }
    }
    Ok(())
}

/// What a GitHub runner would take from the step: its `GITHUB_OUTPUT` file and any workflow
/// command on stdout or stderr (the fake runner of `tests/common/workflow.rs`).
fn runner_says_blocked(o: &Outcome) -> Result<(), String> {
    for (what, text) in [("stdout", &o.stdout), ("stderr", &o.stderr)] {
        let forged = workflow::foreign(text);
        if !forged.is_empty() {
            return Err(format!("the runner would act on {what}: {forged:?}"));
        }
    }
    let output = o
        .written
        .iter()
        .find(|(p, _)| p.ends_with("github_output"))
        .map(|(_, t)| t.clone())
        .ok_or("no GITHUB_OUTPUT file was written")?;
    let mut decision = None;
    let mut lines = output.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            if name == "decision" {
                decision = Some(value.join("\n"));
            }
        } else if let Some(("decision", v)) = line.split_once('=') {
            decision = Some(v.to_owned());
        }
    }
    match decision.as_deref() {
        Some("blocked") => Ok(()),
        other => Err(format!(
            "the runner reads the step output `decision` as {other:?}"
        )),
    }
}

/// Runs every variant, `workers` at a time, and judges each: (variant, outcome, verdict).
pub fn run_all(
    variants: Vec<Variant>,
    baseline_tests: &BTreeMap<String, u64>,
    workers: usize,
) -> Vec<(Variant, Outcome, Result<(), String>)> {
    let next = AtomicUsize::new(0);
    let results = Mutex::new(Vec::with_capacity(variants.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(v) = variants.get(i) else { break };
                    let o = run(&v.scenario, &v.extras);
                    let verdict = judge(v, &o, baseline_tests.get(&v.scenario.name).copied());
                    results.lock().unwrap().push((i, o, verdict));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by_key(|(i, ..)| *i);
    results
        .into_iter()
        .map(|(i, o, verdict)| (variants[i].clone(), o, verdict))
        .collect()
}

/// How many runs at once: the machine's cores, at least 2 (a run mostly waits on the disk).
pub fn workers() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(2, 8)
        * 2
}
