//! The shipgate gate evaluator: from a policy file to a finished [`Report`].
//!
//! It reads the policy, works out which evidence the policy needs, asks each adapter for exactly
//! that (concurrently, one thread per source: JUnit tests, defects, load-test results, the UAT
//! sign-off), records the provenance of every input (path,
//! SHA-256, size), and calls the policy engine. A check that fails is data in the report; an
//! `Err` from this crate means the gate could not even start (no readable, valid policy, or a
//! release record that cannot be trusted).
//!
//! Every source finds its inputs through a [`Resolver`]: live files beside the policy, or the
//! copies in a release record. [`write_record`] stores the inputs of a decision (`--report-dir`)
//! and [`Snapshot`] opens such a record, checked byte for byte, so that [`run_with`] can replay
//! the decision offline.
//!
//! It must not render anything, print, exit the process or read the clock: the caller passes
//! the evaluation time, so the same inputs always give the same decision. Source loaders must
//! not touch the file system except through the resolver, or their inputs cannot be recorded.
//!
//! # Example
//!
//! ```
//! use shipgate_model::Decision;
//! use std::path::Path;
//!
//! let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
//! let now = "2026-11-24T12:00:00Z".parse().expect("an instant");
//!
//! // The README's quick start: its tests pass, so the release is ready.
//! let quickstart = shipgate_evaluator::load_policy(&examples.join("quickstart/shipgate.yaml"), &|_| None)?;
//! assert_eq!(shipgate_evaluator::run(&quickstart, now).decision, Decision::Ready);
//!
//! // The blocked example's evidence fails its policy.
//! let blocked = shipgate_evaluator::load_policy(&examples.join("blocked/shipgate.yaml"), &|_| None)?;
//! let report = shipgate_evaluator::run(&blocked, now);
//! assert_eq!(report.decision, Decision::Blocked);
//! assert!(report.blocking().next().is_some());
//!
//! // No policy, no gate: an error, never a report.
//! assert!(shipgate_evaluator::load_policy(&examples.join("no-such/shipgate.yaml"), &|_| None).is_err());
//! # Ok::<(), shipgate_evaluator::EvaluatorError>(())
//! ```

mod approvals_source;
mod defects_source;
mod error;
mod history_source;
mod perf_source;
mod quarantine_source;
mod record;
mod record_guard;
mod resolver;
mod risk_source;
mod secrets;
mod tests_source;
mod uat_source;

pub use approvals_source::approvals_config;
pub use defects_source::{defect_config, load_defects};
pub use error::EvaluatorError;
pub use perf_source::{BASELINE as PERF_BASELINE_SOURCE, CURRENT as PERF_SOURCE};
pub use record::{
    EVIDENCE_DIR, MANIFEST_FILE, MANIFEST_VERSION, Manifest, REPORT_FILE, REPORT_FILES, Snapshot,
    WrittenRecord, compare_reports, load_snapshot_policy, write_record,
};
pub use record_guard::record_read_by_globs;
pub use resolver::{Expanded, FetchedCopy, Located, Resolver};
pub use risk_source::{TestInventory, changed_files, test_inventory};
pub use secrets::of_policy as secrets_of_policy;
pub use shipgate_defects::{Loaded as LoadedDefects, write_json as write_defects_json};
pub use shipgate_http::Redactor;
/// The performance adapter, for `shipgate inspect perf` and `shipgate perf baseline promote`.
pub use shipgate_perf;
pub use tests_source::{
    HistoryInspection, TestInspection, inspect_tests, inspect_tests_with_history,
};
pub use uat_source::inspect_uat;

use jiff::Timestamp;
use sha2::{Digest, Sha256};
use shipgate_model::report::{PolicyInfo, ReleaseInfo};
use shipgate_model::{EvidenceSet, PerfRuns, Report, SourceState};
use shipgate_policy::{EnvLookup, Policy};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The version written into every report.
pub const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// A policy read from disk and validated, with what the report needs to name it.
#[derive(Clone, Debug)]
pub struct LoadedPolicy {
    /// The validated policy.
    pub policy: Policy,
    /// The path as the user gave it.
    pub path: PathBuf,
    /// Hex SHA-256 of the policy file's bytes.
    pub sha256: String,
    /// The folder relative paths in the policy are resolved against: the policy file's folder.
    pub base_dir: PathBuf,
    /// The policy file's bytes, as read (the release record stores them).
    pub bytes: Vec<u8>,
    /// Every `${VAR}` the policy referenced, with the value it had (`None`: unset), so that a
    /// replay of the release record expands the policy exactly as this run did.
    pub env: BTreeMap<String, Option<String>>,
    /// Every credential the policy names, as resolved when it was loaded: what must be removed
    /// from all text the gate writes, and what the release record must never hold.
    pub secrets: Redactor,
}

/// Reads and validates the policy at `path`, expanding `${VAR}` with `env`.
pub fn load_policy(path: &Path, env: EnvLookup<'_>) -> Result<LoadedPolicy, EvaluatorError> {
    let bytes = std::fs::read(path).map_err(|source| EvaluatorError::PolicyUnreadable {
        path: path.to_path_buf(),
        source,
    })?;
    load_policy_bytes(path, bytes, env)
}

/// Validates policy bytes read from `path` (or from a release record's copy of it).
pub(crate) fn load_policy_bytes(
    path: &Path,
    bytes: Vec<u8>,
    env: EnvLookup<'_>,
) -> Result<LoadedPolicy, EvaluatorError> {
    let text = std::str::from_utf8(&bytes).map_err(|e| EvaluatorError::PolicyNotUtf8 {
        path: path.to_path_buf(),
        offset: e.valid_up_to(),
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let seen = RefCell::new(BTreeMap::new());
    let recording = |name: &str| {
        let value = env(name);
        seen.borrow_mut().insert(name.to_owned(), value.clone());
        value
    };
    let policy = Policy::parse(text, &recording).map_err(|e| {
        // A problem can quote the value a `${VAR}` filled in: never a token's.
        let secrets = secrets::named_in_text(text, env);
        EvaluatorError::PolicyInvalid {
            path: path.to_path_buf(),
            problems: e
                .problems()
                .iter()
                .cloned()
                .map(|mut p| {
                    p.message = secrets.redact(&p.message).into_owned();
                    p
                })
                .collect(),
        }
    })?;
    let base_dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // Credentials are resolved with `env` itself, not through `recording`: the record keeps
    // the value of every `${VAR}`, and a token must not be among them.
    let secrets = secrets::of_policy(&policy, env);
    let env = seen.into_inner();
    let problems = secrets::copied_into_policy(text, &env, &secrets);
    if !problems.is_empty() {
        return Err(EvaluatorError::PolicyInvalid {
            path: path.to_path_buf(),
            problems,
        });
    }
    Ok(LoadedPolicy {
        policy,
        path: path.to_path_buf(),
        sha256: sha256_hex(&bytes),
        base_dir,
        env,
        secrets,
        bytes,
    })
}

/// How evidence is gathered beyond what the policy says.
pub struct GatherOptions<'a> {
    /// No network: a tracker source is then missing evidence, with a message that says why.
    /// A replay is always offline.
    pub offline: bool,
    /// Resolves the environment variables that hold credentials (`token_env`, `user_env`).
    pub env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// The evaluation time, recorded as when tracker evidence was fetched.
    pub now: Option<Timestamp>,
}

fn no_env(_: &str) -> Option<String> {
    None
}

impl Default for GatherOptions<'_> {
    /// Online, no environment (a tracker that needs a token then reports it missing), no time.
    fn default() -> Self {
        Self {
            offline: false,
            env: &no_env,
            now: None,
        }
    }
}

/// Loads every source of evidence the policy needs, from the live files. Never fails: what
/// could not be loaded is recorded as missing or unreadable, and the checks that need it say so.
pub fn gather(loaded: &LoadedPolicy) -> EvidenceSet {
    gather_with(
        loaded,
        &Resolver::live(&loaded.base_dir, false),
        &GatherOptions::default(),
    )
}

/// Loads every source of evidence the policy needs, each source on its own thread, finding its
/// inputs through `resolver` (live files, or a release record's copies at replay).
pub fn gather_with(
    loaded: &LoadedPolicy,
    resolver: &Resolver,
    options: &GatherOptions<'_>,
) -> EvidenceSet {
    let policy = &loaded.policy;
    let history_globs = policy.history_globs();
    let mut evidence = EvidenceSet::default();
    std::thread::scope(|scope| {
        let tests = scope.spawn(|| {
            if policy.needs_tests() || policy.sources.tests.is_some() {
                tests_source::load(policy, resolver, history_globs.is_some())
            } else {
                tests_source::LoadedTests {
                    state: SourceState::NotConfigured,
                    inputs: Vec::new(),
                    outcomes: Vec::new(),
                }
            }
        });
        let history = scope.spawn(|| {
            history_source::read(
                history_globs,
                resolver,
                policy.history_runs(),
                policy.retry_mode(),
            )
        });
        let quarantine = scope.spawn(|| quarantine_source::load(policy, resolver));
        let uat = scope.spawn(|| {
            if policy.needs_uat() {
                uat_source::load(policy, resolver)
            } else {
                (SourceState::NotConfigured, Vec::new())
            }
        });
        let defects = scope.spawn(|| defects_source::load(policy, resolver, options));
        let performance = scope.spawn(|| {
            if policy.needs_performance() || policy.sources.performance.is_some() {
                perf_source::load(policy, resolver)
            } else {
                (PerfRuns::default(), Vec::new())
            }
        });
        let approvals = scope.spawn(|| approvals_source::load(policy, resolver, options));
        let risk = scope.spawn(|| risk_source::load(policy, resolver, options));

        let outcomes = match tests.join() {
            Ok(loaded) => {
                evidence.tests = loaded.state;
                evidence.inputs.extend(loaded.inputs);
                loaded.outcomes
            }
            Err(_) => {
                evidence.tests = SourceState::Unreadable(vec![internal_problem("tests")]);
                Vec::new()
            }
        };
        evidence.history = match history.join() {
            Ok(history_source::Read::Recorded(history, inputs)) => {
                evidence.inputs.extend(inputs);
                history
            }
            Ok(history_source::Read::Live(earlier, inputs)) => {
                let earlier = history_source::not_this_run(earlier, &inputs, &evidence.inputs);
                let history = history_source::finish(
                    earlier,
                    evidence.tests.loaded(),
                    outcomes,
                    policy.release.commit.as_deref(),
                );
                history_source::keep(resolver, &history, &inputs);
                evidence.inputs.extend(inputs);
                history
            }
            Err(_) => SourceState::Unreadable(vec![internal_problem("history")]),
        };
        evidence.quarantine = match quarantine.join() {
            Ok((state, inputs)) => {
                evidence.inputs.extend(inputs);
                state
            }
            Err(_) => SourceState::Unreadable(vec![internal_problem("quarantine")]),
        };
        match uat.join() {
            Ok((state, inputs)) => {
                evidence.uat = state;
                evidence.inputs.extend(inputs);
            }
            Err(_) => {
                evidence.uat = SourceState::Unreadable(vec![internal_problem("uat")]);
            }
        }
        match defects.join() {
            Ok((state, inputs)) => {
                evidence.defects = state;
                evidence.inputs.extend(inputs);
            }
            Err(_) => {
                evidence.defects = SourceState::Unreadable(vec![internal_problem("defects")]);
            }
        }
        match performance.join() {
            Ok((runs, inputs)) => {
                evidence.performance = runs;
                evidence.inputs.extend(inputs);
            }
            Err(_) => {
                evidence.performance = PerfRuns {
                    current: SourceState::Unreadable(vec![internal_problem("performance")]),
                    baseline: SourceState::Unreadable(vec![internal_problem("performance")]),
                };
            }
        }
        match approvals.join() {
            Ok((state, inputs)) => {
                evidence.uat_approvals = state;
                evidence.inputs.extend(inputs);
            }
            Err(_) => {
                evidence.uat_approvals =
                    SourceState::Unreadable(vec![internal_problem("uat-approvals")]);
            }
        }
        match risk.join() {
            Ok(r) => {
                evidence.complexity = r.complexity;
                evidence.churn = r.churn;
                evidence.inputs.extend(r.inputs);
            }
            Err(_) => {
                evidence.complexity = SourceState::Unreadable(vec![internal_problem("complexity")]);
                evidence.churn = SourceState::Unreadable(vec![internal_problem("churn")]);
            }
        }
    });
    evidence
}

/// Loads the evidence from the live files and evaluates the policy at `now`.
pub fn run(loaded: &LoadedPolicy, now: Timestamp) -> Report {
    run_with(
        loaded,
        &Resolver::live(&loaded.base_dir, false),
        now,
        &GatherOptions::default(),
    )
}

/// Loads the evidence through `resolver` and evaluates the policy at `now`, with gathering
/// options (`--offline`, the environment for credentials).
pub fn run_with(
    loaded: &LoadedPolicy,
    resolver: &Resolver,
    now: Timestamp,
    options: &GatherOptions<'_>,
) -> Report {
    let options = GatherOptions {
        now: options.now.or(Some(now)),
        offline: options.offline || resolver.is_replay(),
        ..*options
    };
    let evidence = gather_with(loaded, resolver, &options);
    report(loaded, evidence, now)
}

/// Evaluates already gathered evidence.
pub fn report(loaded: &LoadedPolicy, evidence: EvidenceSet, now: Timestamp) -> Report {
    let verdict = shipgate_policy::evaluate(&loaded.policy, &evidence, now);
    let release = &loaded.policy.release;
    Report::new(
        TOOL_VERSION,
        ReleaseInfo {
            name: release.name.clone(),
            version: release.version.clone(),
            commit: release.commit.clone(),
        },
        PolicyInfo {
            path: loaded.path.display().to_string(),
            sha256: loaded.sha256.clone(),
        },
        evidence.inputs,
        verdict,
        now,
    )
}

fn internal_problem(source: &str) -> shipgate_model::EvidenceProblem {
    shipgate_model::EvidenceProblem {
        source: source.to_owned(),
        location: None,
        message: format!("the `{source}` reader stopped unexpectedly"),
        remedy: "this is a bug in shipgate; please report it with the inputs that caused it"
            .to_owned(),
    }
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(digest.len() * 2);
    for b in digest {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Why a streamed hash stopped: reading its input, or writing the copy.
#[derive(Debug)]
pub(crate) enum StreamError {
    /// The input could not be read.
    Read(std::io::Error),
    /// The copy could not be written.
    Write(std::io::Error),
}

/// The SHA-256 (lowercase hex) and size of what `reader` yields, read in fixed chunks so that an
/// input of any size is never held in memory whole; each chunk is also written to `copy` when
/// given. The one streaming hash of the crate: the record's copies and checks, unreadable
/// load-test files.
pub(crate) fn sha256_stream(
    reader: &mut dyn std::io::Read,
    mut copy: Option<&mut dyn std::io::Write>,
) -> Result<(String, u64), StreamError> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = match reader.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(StreamError::Read(e)),
        };
        let chunk = buffer.get(..n).unwrap_or_default();
        hasher.update(chunk);
        if let Some(out) = copy.as_mut() {
            out.write_all(chunk).map_err(StreamError::Write)?;
        }
        total += n as u64;
    }
    if let Some(out) = copy.as_mut() {
        out.flush().map_err(StreamError::Write)?;
    }
    Ok((hex(&hasher.finalize()), total))
}

/// The SHA-256 (lowercase hex) and size of a file, streamed.
pub(crate) fn sha256_file(path: &Path) -> std::io::Result<(String, u64)> {
    let mut file = std::fs::File::open(path)?;
    sha256_stream(&mut file, None).map_err(|e| match e {
        StreamError::Read(e) | StreamError::Write(e) => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shipgate_model::{CheckStatus, Decision};
    use std::fs;

    const POLICY: &str = "version: 1\nrelease: {name: demo, version: '${V:-1.0}'}\nsources:\n  tests:\n    junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]\nchecks:\n  regression: {min_pass_rate: 90%}\n";
    const GOOD: &str = r#"<testsuite name="s"><testcase classname="a.B" name="t1"/><testcase classname="a.B" name="t2"/></testsuite>"#;
    /// Other tests than [`GOOD`]'s: the same tests in two files would be a repeated run.
    const GOOD_E2E: &str = r#"<testsuite name="e2e"><testcase classname="a.B" name="t1"/><testcase classname="a.B" name="t2"/></testsuite>"#;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("shipgate.yaml"), POLICY).unwrap();
        for (rel, text) in files {
            let p = dir.path().join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        dir
    }

    fn now() -> Timestamp {
        "2026-11-24T10:00:00Z".parse().unwrap()
    }

    fn load(dir: &tempfile::TempDir) -> LoadedPolicy {
        load_policy(&dir.path().join("shipgate.yaml"), &|_| None).unwrap()
    }

    #[test]
    fn paths_are_relative_to_the_policy_and_every_input_is_hashed() {
        let dir = project(&[("unit/a.xml", GOOD), ("e2e/x/b.xml", GOOD_E2E)]);
        let report = run(&load(&dir), now());
        assert_eq!(report.decision, Decision::Ready);
        let paths: Vec<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, vec!["e2e/x/b.xml", "unit/a.xml"]);
        assert_eq!(report.inputs[0].sha256, sha256_hex(GOOD_E2E.as_bytes()));
        assert_eq!(report.inputs[0].bytes, GOOD_E2E.len() as u64);
        assert_eq!(report.policy.sha256, sha256_hex(POLICY.as_bytes()));
        assert_eq!(report.release.version.as_deref(), Some("1.0"));
    }

    #[test]
    fn a_glob_that_matches_nothing_is_missing_evidence_even_when_another_matched() {
        let dir = project(&[("unit/a.xml", GOOD)]);
        let report = run(&load(&dir), now());
        let c = &report.checks[0];
        assert_eq!(c.status, CheckStatus::Missing);
        assert!(
            c.message.contains("no JUnit report matched `e2e/**/*.xml`"),
            "{}",
            c.message
        );
        assert_eq!(report.decision, Decision::Blocked);
        assert_eq!(report.exit_code, 1);
    }

    #[test]
    fn one_bad_file_makes_the_tests_unreadable_and_names_it() {
        let dir = project(&[
            ("unit/a.xml", GOOD),
            ("e2e/b.xml", "<testsuite><testcase name="),
        ]);
        let report = run(&load(&dir), now());
        let c = &report.checks[0];
        assert_eq!(c.status, CheckStatus::Error);
        assert!(c.message.contains("e2e/b.xml"), "{}", c.message);
        assert_eq!(report.exit_code, 4);
        // Provenance still lists what was read.
        assert!(report.inputs.iter().any(|i| i.path == "unit/a.xml"));
    }

    #[test]
    fn policy_errors_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let missing = load_policy(&dir.path().join("nope.yaml"), &|_| None).unwrap_err();
        assert!(matches!(missing, EvaluatorError::PolicyUnreadable { .. }));
        fs::write(
            dir.path().join("bad.yaml"),
            b"version: 1\nrelease: {name: \xff}\n",
        )
        .unwrap();
        let bad = load_policy(&dir.path().join("bad.yaml"), &|_| None).unwrap_err();
        assert!(
            matches!(bad, EvaluatorError::PolicyNotUtf8 { offset: 27, .. }),
            "{bad:?}"
        );
        fs::write(dir.path().join("typo.yaml"), "version: 1\nrelese: {}\n").unwrap();
        let typo = load_policy(&dir.path().join("typo.yaml"), &|_| None).unwrap_err();
        match typo {
            EvaluatorError::PolicyInvalid { problems, .. } => {
                assert!(
                    problems
                        .iter()
                        .any(|p| p.message.contains("did you mean `release`"))
                )
            }
            other => panic!("{other:?}"),
        }
    }

    /// The history of earlier runs is copied for the record only when a record is written: a
    /// run without `--report-dir` does not serialise it.
    #[test]
    fn the_history_is_kept_for_the_record_only_when_recording() {
        let dir = project(&[
            ("unit/a.xml", GOOD),
            ("e2e/b.xml", GOOD_E2E),
            ("history/1/a.xml", GOOD),
        ]);
        fs::write(
            dir.path().join("shipgate.yaml"),
            POLICY
                .replace(
                    "junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]",
                    "junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]\n    history: [\"history/*/*.xml\"]",
                )
                .replace(
                    "min_pass_rate: 90%}",
                    "min_pass_rate: 90%}\n  flaky: {max_rate: 50%}",
                ),
        )
        .unwrap();
        let loaded = load(&dir);
        assert!(loaded.policy.history_globs().is_some());
        for recording in [false, true] {
            let resolver = Resolver::live(&loaded.base_dir, recording);
            let report = run_with(&loaded, &resolver, now(), &GatherOptions::default());
            assert_eq!(report.decision, Decision::Ready);
            let kept = resolver.take_journal().fetched;
            assert_eq!(kept.len(), usize::from(recording), "recording: {recording}");
        }
    }

    /// A release record among the history's run folders is no earlier run.
    #[test]
    fn a_release_record_is_not_an_earlier_run() {
        let manifest = "{\n  \"manifest_version\": 2,\n  \"tool\": {\"name\": \"shipgate\"}\n}\n";
        let dir = project(&[
            ("unit/a.xml", GOOD),
            ("e2e/b.xml", GOOD_E2E),
            ("history/1/a.xml", GOOD),
            ("history/gate/gate-junit.xml", GOOD),
            ("history/gate/evidence/manifest.json", manifest),
        ]);
        fs::write(
            dir.path().join("shipgate.yaml"),
            POLICY
                .replace(
                    "junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]",
                    "junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]\n    history: [\"history/*/*.xml\"]",
                )
                .replace(
                    "min_pass_rate: 90%}",
                    "min_pass_rate: 90%}\n  flaky: {max_rate: 50%}",
                ),
        )
        .unwrap();
        let report = run(&load(&dir), now());
        let history: Vec<&str> = report
            .inputs
            .iter()
            .filter(|i| i.source == "history")
            .map(|i| i.path.as_str())
            .collect();
        assert_eq!(history, ["history/1/a.xml"]);
    }

    #[test]
    fn streamed_hashes_and_copies_match_the_bytes() {
        let data: Vec<u8> = (0..600_000u32).map(|i| (i % 251) as u8).collect();
        let mut copy = Vec::new();
        let (sha, n) = sha256_stream(&mut data.as_slice(), Some(&mut copy)).unwrap();
        assert_eq!((sha.as_str(), n), (sha256_hex(&data).as_str(), 600_000));
        assert_eq!(copy, data);
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), &data).unwrap();
        assert_eq!(sha256_file(&dir.path().join("f")).unwrap(), (sha, n));
    }

    /// The issue's case: an old full run (40 tests) left beside this run's 5 would read as 45
    /// tests and pass `min_tests: 40`. Refused by default, naming both files; every check that
    /// reads the tests blocks.
    #[test]
    fn an_old_run_left_beside_this_run_blocks_naming_both_files() {
        let cases = |n: usize| -> String {
            (0..n)
                .map(|i| format!("<testcase classname=\"a.B\" name=\"t{i}\"/>"))
                .collect()
        };
        let old = format!("<testsuite name=\"s\">{}</testsuite>", cases(40));
        let new = format!("<testsuite name=\"s\">{}</testsuite>", cases(5));
        let dir = project(&[("unit/a.xml", &new), ("e2e/old/a.xml", &old)]);
        let policy = POLICY.replace(
            "{min_pass_rate: 90%}",
            "{min_pass_rate: 90%, min_tests: 40}",
        );
        fs::write(dir.path().join("shipgate.yaml"), &policy).unwrap();
        let report = run(&load(&dir), now());
        assert_eq!(report.decision, Decision::Blocked);
        let regression: Vec<&shipgate_model::CheckResult> = report
            .checks
            .iter()
            .filter(|c| c.id.starts_with("regression."))
            .collect();
        assert!(!regression.is_empty());
        for check in regression {
            assert_ne!(check.status, CheckStatus::Pass, "{check:?}");
            let text = format!("{check:?}");
            assert!(
                text.contains("5 tests ran in more than one file")
                    && text.contains("`e2e/old/a.xml` and `unit/a.xml`")
                    && text.contains("e.g. `a.B.t"),
                "{text}"
            );
        }

        // A matrix build says so, and every run counts.
        let allowed = policy.replace("junit: [", "repeated_runs: allow\n    junit: [");
        fs::write(dir.path().join("shipgate.yaml"), allowed).unwrap();
        let report = run(&load(&dir), now());
        assert_eq!(report.decision, Decision::Ready);
        let stats = report.stats.tests.unwrap();
        assert_eq!(
            (stats.total, stats.repeated_tests, stats.repeated_runs),
            (45, 5, 5)
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_policy_is_accepted() {
        let dir = project(&[("unit/a.xml", GOOD), ("e2e/b.xml", GOOD_E2E)]);
        let mut bytes = vec![0xef, 0xbb, 0xbf];
        bytes.extend_from_slice(POLICY.as_bytes());
        fs::write(dir.path().join("shipgate.yaml"), bytes).unwrap();
        assert_eq!(run(&load(&dir), now()).decision, Decision::Ready);
    }
}
