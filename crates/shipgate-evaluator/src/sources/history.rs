//! The `history` source: `sources.tests.history`, earlier runs' JUnit, one folder per run. The
//! latest `checks.flaky.history_runs` runs are read, then the run being gated is folded in last,
//! so that `flaky.rate` sees each test's outcome run by run.

use super::test_results::{TestInspection, inspect};
use super::{GatherOptions, Gathered, Loaded, Source};
use crate::resolver::{FetchedCopy, Resolver};
use serde::{Deserialize, Serialize};
use shipgate_junit::{HistoryBuilder, HistoryRead, KeyedOutcome, ReadOptions, RetryMode, RunInfo};
use shipgate_model::{
    CommitSource, EvidenceProblem, InputRecord, RunHistory, SourceState, TestEvidence,
    TestRetention,
};
use shipgate_policy::Policy;
use std::path::{Path, PathBuf};

const SOURCE: &str = "history";

/// `sources.tests.history`: earlier runs' results, with this run folded in last.
pub(crate) struct History;

/// The source in [`SOURCES`](super::SOURCES).
pub(crate) static HISTORY: History = History;

impl Source for History {
    fn name(&self) -> &'static str {
        SOURCE
    }

    fn wanted(&self, policy: &Policy) -> bool {
        policy.history_globs().is_some()
    }

    /// This run's tests are folded in last, and a history that holds this run's own reports is
    /// refused: both need what `tests` merged.
    fn after(&self) -> &'static [&'static str] {
        &["tests"]
    }

    fn load(&self, policy: &Policy, resolver: &Resolver, _: &GatherOptions<'_>) -> Box<dyn Loaded> {
        // The earlier runs are read beside this run's tests; only the folding waits for them.
        Box::new(LoadedHistory {
            read: read(
                policy.history_globs(),
                resolver,
                policy.history_runs(),
                policy.retry_mode(),
            ),
            commit: policy.release.commit.clone(),
        })
    }

    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
        into.evidence.history = SourceState::Unreadable(vec![problem]);
    }
}

/// The earlier runs as read, and the commit the policy gives this run.
struct LoadedHistory {
    read: Read,
    commit: Option<String>,
}

impl Loaded for LoadedHistory {
    fn merge(self: Box<Self>, into: &mut Gathered, resolver: &Resolver) {
        let evidence = &mut into.evidence;
        evidence.history = match self.read {
            Read::Recorded(history, inputs) => {
                evidence.inputs.extend(inputs);
                history
            }
            Read::Live(earlier, inputs) => {
                let earlier = not_this_run(earlier, &inputs, &evidence.inputs);
                let history = finish(
                    earlier,
                    evidence.tests.loaded(),
                    std::mem::take(&mut into.this_run),
                    self.commit.as_deref(),
                );
                keep(resolver, &history, &inputs);
                evidence.inputs.extend(inputs);
                history
            }
        };
    }
}
/// Where a release record keeps the history.
const RECORDED_FILE: &str = "history.json";
/// The origin the record names for it.
const ORIGIN: &str = "sources.tests.history";

/// What a release record keeps of the history: not the earlier runs' files (twenty runs of a
/// monorepo are gigabytes), but what the gate computed from them, with the hash of every file
/// it read. A replay reads this back instead of the files, as it reads a tracker's stored answer.
#[derive(Debug, Deserialize)]
struct HistorySnapshot {
    /// Always `shipgate-history`.
    format: String,
    /// Always 1.
    version: u32,
    /// `loaded`, `missing` or `unreadable`.
    state: String,
    /// The runs, when loaded.
    history: Option<RunHistory>,
    /// Why not, otherwise.
    problems: Vec<EvidenceProblem>,
    /// Every earlier run's file that was read.
    inputs: Vec<InputRecord>,
}

/// The history of a live run (earlier runs read, this run still to be folded in), or of a
/// replay (as the recorded run computed it).
enum Read {
    /// Read from the earlier runs' files.
    Live(EarlierRuns, Vec<InputRecord>),
    /// Read back from a release record.
    Recorded(SourceState<RunHistory>, Vec<InputRecord>),
}

/// Keeps the history of a recorded live run for the release record (`--report-dir`), whatever
/// its state, so that a replay gives the same report. A run that writes no record keeps nothing:
/// the history of a monorepo is large, and copying it would be work for nothing.
fn keep(resolver: &Resolver, history: &SourceState<RunHistory>, inputs: &[InputRecord]) {
    if !resolver.keeps_fetched() {
        return;
    }
    let (state, loaded, problems) = match history {
        SourceState::NotConfigured => return,
        SourceState::Loaded(h) => ("loaded", Some(h), &[][..]),
        SourceState::Missing(p) => ("missing", None, std::slice::from_ref(p)),
        SourceState::Unreadable(p) => ("unreadable", None, p.as_slice()),
    };
    // Written from borrowed parts: the history is serialised once, never cloned.
    let snapshot = HistorySnapshotRef {
        format: "shipgate-history",
        version: 1,
        state,
        history: loaded,
        problems,
        inputs,
    };
    if let Ok(bytes) = serde_json::to_vec_pretty(&snapshot) {
        resolver.keep_fetched(FetchedCopy {
            source: SOURCE.to_owned(),
            origin: ORIGIN.to_owned(),
            file_name: RECORDED_FILE.to_owned(),
            bytes,
        });
    }
}

/// [`HistorySnapshot`] as written: the same fields, borrowed.
#[derive(Serialize)]
struct HistorySnapshotRef<'a> {
    format: &'a str,
    version: u32,
    state: &'a str,
    history: Option<&'a RunHistory>,
    problems: &'a [EvidenceProblem],
    inputs: &'a [InputRecord],
}

/// At replay: the history the record holds.
fn recorded(resolver: &Resolver) -> Read {
    let problem = |message: String| {
        EvidenceProblem {
        source: SOURCE.to_owned(),
        location: Some(ORIGIN.to_owned()),
        message,
        remedy: "a replay reads the history the release record kept; restore the record as it was written".to_owned(),
    }
    };
    let Some(stored) = resolver.fetched(SOURCE) else {
        return Read::Recorded(
            SourceState::Missing(problem(
                "the release record holds no history of earlier runs".to_owned(),
            )),
            Vec::new(),
        );
    };
    let snapshot: Result<HistorySnapshot, String> = std::fs::read(&stored.full)
        .map_err(|e| e.to_string())
        .and_then(|b| shipgate_json::parse_form(&b).map_err(|e| e.to_string()));
    match snapshot {
        Ok(s) if s.format == "shipgate-history" && s.version == 1 => {
            let state = match (s.state.as_str(), s.history, s.problems) {
                ("loaded", Some(h), _) => SourceState::Loaded(h),
                ("missing", _, mut p) if !p.is_empty() => SourceState::Missing(p.remove(0)),
                (_, _, p) if !p.is_empty() => SourceState::Unreadable(p),
                _ => SourceState::Unreadable(vec![problem(
                    "the recorded history is incomplete".to_owned(),
                )]),
            };
            Read::Recorded(state, s.inputs)
        }
        Ok(_) => Read::Recorded(
            SourceState::Unreadable(vec![problem(
                "the recorded history is not in a format this shipgate reads".to_owned(),
            )]),
            Vec::new(),
        ),
        Err(e) => Read::Recorded(
            SourceState::Unreadable(vec![problem(format!(
                "failed to read the recorded history: {e}"
            ))]),
            Vec::new(),
        ),
    }
}

/// Earlier runs read, or why they could not be.
enum EarlierRuns {
    /// No history is configured.
    NotConfigured,
    /// Missing or unreadable.
    Problem(SourceState<RunHistory>),
    /// Read; the current run is still to be added.
    Read(Box<HistoryBuilder>),
}

/// Finds and reads the latest earlier runs (at replay: what the record kept of them).
fn read(globs: Option<&[String]>, resolver: &Resolver, max_runs: u32, retries: RetryMode) -> Read {
    if globs.is_none() {
        return Read::Live(EarlierRuns::NotConfigured, Vec::new());
    }
    if resolver.is_replay() {
        return recorded(resolver);
    }
    let (earlier, inputs) = read_files(globs, resolver, max_runs, retries);
    Read::Live(earlier, inputs)
}

/// Finds and reads the latest earlier runs from the live files, never from inside a release
/// record (a record's copies are not an earlier run).
fn read_files(
    globs: Option<&[String]>,
    resolver: &Resolver,
    max_runs: u32,
    retries: RetryMode,
) -> (EarlierRuns, Vec<InputRecord>) {
    let Some(globs) = globs else {
        return (EarlierRuns::NotConfigured, Vec::new());
    };
    let base_dir = resolver.base_dir();
    let problem = |location: Option<String>, message: String, remedy: &str| EvidenceProblem {
        source: SOURCE.to_owned(),
        location,
        message,
        remedy: remedy.to_owned(),
    };
    let folders = match shipgate_junit::find_runs(base_dir, globs) {
        Ok(f) => without_records(f, resolver),
        Err(e) => {
            return (
                EarlierRuns::Problem(SourceState::Unreadable(vec![problem(
                    None,
                    e.to_string(),
                    &e.remedy(),
                )])),
                Vec::new(),
            );
        }
    };
    // Files that matched but lie outside any run folder are reported as such below.
    if (folders.runs.is_empty() && folders.outside.is_empty()) || !folders.unmatched.is_empty() {
        let glob = folders
            .unmatched
            .first()
            .or_else(|| globs.first())
            .cloned()
            .unwrap_or_default();
        return (
            EarlierRuns::Problem(SourceState::Missing(problem(
                Some(glob.clone()),
                format!(
                    "no earlier run matched `{glob}` in `{}`",
                    base_dir.display()
                ),
                "put earlier runs' JUnit reports where `sources.tests.history` looks, one folder per run (e.g. `history/<run number>/`); on a project's first runs there is no history yet: set `checks.flaky.on_missing: warn` until there is",
            ))),
            Vec::new(),
        );
    }
    let outside = folders.outside.clone();
    let HistoryRead {
        builder,
        digests,
        errors,
        ..
    } = shipgate_junit::read_history(base_dir, folders, max_runs as usize, retries);
    let inputs: Vec<InputRecord> = digests
        .into_iter()
        .map(|d| InputRecord {
            source: SOURCE.to_owned(),
            path: d.path,
            sha256: d.sha256,
            bytes: d.bytes,
        })
        .collect();
    let mut problems: Vec<EvidenceProblem> = outside
        .iter()
        .map(|path| {
            problem(
                Some(path.clone()),
                format!("`{path}` is not inside a run folder, so it belongs to no run"),
                "put each earlier run's reports in a folder of its own (e.g. `history/<run number>/`), named so that folders sort in run order",
            )
        })
        .collect();
    problems.extend(
        errors
            .iter()
            .map(|e| problem(None, e.to_string(), &e.remedy())),
    );
    if !problems.is_empty() {
        return (
            EarlierRuns::Problem(SourceState::Unreadable(problems)),
            inputs,
        );
    }
    (EarlierRuns::Read(Box::new(builder)), inputs)
}

/// The run folders without the files that lie inside a release record; a run left with no
/// file is no run.
fn without_records(
    mut folders: shipgate_junit::RunFolders,
    resolver: &Resolver,
) -> shipgate_junit::RunFolders {
    let mut skipped = std::collections::BTreeMap::new();
    for run in &mut folders.runs {
        run.paths = resolver.outside_records(std::mem::take(&mut run.paths), &mut skipped);
    }
    folders.runs.retain(|r| !r.paths.is_empty());
    let outside = std::mem::take(&mut folders.outside);
    folders.outside = resolver
        .outside_records(
            outside.into_iter().map(PathBuf::from).collect(),
            &mut skipped,
        )
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    resolver.warn_skipped(SOURCE, &skipped);
    folders
}

/// Refuses a history that holds this run's own reports (a history glob such as `**/*.xml` that
/// also matches `sources.tests.junit`): this run would count twice, once as an earlier run.
fn not_this_run(
    earlier: EarlierRuns,
    history_inputs: &[InputRecord],
    this_run: &[InputRecord],
) -> EarlierRuns {
    let ours: std::collections::HashSet<&str> = this_run.iter().map(|i| i.path.as_str()).collect();
    let shared: Vec<&str> = history_inputs
        .iter()
        .map(|i| i.path.as_str())
        .filter(|p| ours.contains(p))
        .collect();
    let Some(first) = shared.first() else {
        return earlier;
    };
    EarlierRuns::Problem(SourceState::Unreadable(vec![EvidenceProblem {
        source: SOURCE.to_owned(),
        location: Some((*first).to_owned()),
        message: format!(
            "`{first}` is one of this run's reports and also matched by `sources.tests.history`{}, so this run would count as an earlier run too",
            if shared.len() > 1 {
                format!(" ({} files in all)", shared.len())
            } else {
                String::new()
            }
        ),
        remedy: "make the history globs match only earlier runs' folders (e.g. `history/*/**/*.xml`), apart from `sources.tests.junit`".to_owned(),
    }]))
}

/// Folds the run being gated (its evidence and every test's outcome) into the earlier runs, with
/// `commit` as its commit when given (else the files' commit property). Without readable test
/// results, the history holds the earlier runs alone (the checks then stop on the test results).
fn finish(
    earlier: EarlierRuns,
    current: Option<&TestEvidence>,
    outcomes: Vec<KeyedOutcome>,
    commit: Option<&str>,
) -> SourceState<RunHistory> {
    let mut builder = match earlier {
        EarlierRuns::NotConfigured => return SourceState::NotConfigured,
        EarlierRuns::Problem(state) => return state,
        EarlierRuns::Read(builder) => builder,
    };
    if let Some(evidence) = current {
        let info = RunInfo {
            name: "current".to_owned(),
            commit: commit
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(|c| (c.to_owned(), CommitSource::Policy)),
            current: true,
        };
        if !builder.add_run(info, evidence, outcomes) {
            return SourceState::Unreadable(vec![EvidenceProblem {
                source: SOURCE.to_owned(),
                location: None,
                message: "the history holds too many runs to add this one".to_owned(),
                remedy: "lower `checks.flaky.history_runs`".to_owned(),
            }]);
        }
    }
    SourceState::Loaded(builder.finish())
}

/// `shipgate inspect tests --history`: this run, and the earlier runs it was folded into.
#[derive(Debug)]
pub struct HistoryInspection {
    /// This run, as [`inspect_tests`](super::inspect_tests) reads it.
    pub tests: TestInspection,
    /// The earlier runs with this run last, or why they could not be read.
    pub history: SourceState<shipgate_model::RunHistory>,
}

/// Reads this run's files and the latest `history_runs` earlier runs of `history_globs` (one
/// folder per run), and folds this run in last, with `commit` as its commit when given.
pub fn inspect_tests_with_history(
    base_dir: &Path,
    patterns: &[String],
    retries: RetryMode,
    history_globs: &[String],
    history_runs: u32,
    commit: Option<&str>,
) -> HistoryInspection {
    let mut tests = inspect(
        base_dir,
        patterns,
        ReadOptions {
            retention: TestRetention::default(),
            retries,
            outcomes: true,
        },
    );
    let (earlier, _) = read_files(
        Some(history_globs),
        &Resolver::live(base_dir, false),
        history_runs,
        retries,
    );
    let outcomes = std::mem::take(&mut tests.read.outcomes);
    let readable = tests.bad_glob.is_none() && tests.read.errors.is_empty();
    let history = finish(
        earlier,
        readable.then_some(&tests.read.evidence),
        outcomes,
        commit,
    );
    HistoryInspection { tests, history }
}
