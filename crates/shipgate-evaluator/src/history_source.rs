//! The `history` source: `sources.tests.history`, earlier runs' JUnit, one folder per run. The
//! latest `checks.flaky.history_runs` runs are read, then the run being gated is folded in last,
//! so that `flaky.rate` sees each test's outcome run by run.

use shipgate_junit::{HistoryBuilder, HistoryRead, KeyedOutcome, RetryMode, RunInfo};
use shipgate_model::{
    CommitSource, EvidenceProblem, InputRecord, RunHistory, SourceState, TestEvidence,
};
use std::path::Path;

const SOURCE: &str = "history";

/// Earlier runs read, or why they could not be.
pub(crate) enum EarlierRuns {
    /// No history is configured.
    NotConfigured,
    /// Missing or unreadable.
    Problem(SourceState<RunHistory>),
    /// Read; the current run is still to be added.
    Read(Box<HistoryBuilder>),
}

/// Finds and reads the latest earlier runs.
pub(crate) fn read(
    globs: Option<&[String]>,
    base_dir: &Path,
    max_runs: u32,
    retries: RetryMode,
) -> (EarlierRuns, Vec<InputRecord>) {
    let Some(globs) = globs else {
        return (EarlierRuns::NotConfigured, Vec::new());
    };
    let problem = |location: Option<String>, message: String, remedy: &str| EvidenceProblem {
        source: SOURCE.to_owned(),
        location,
        message,
        remedy: remedy.to_owned(),
    };
    let folders = match shipgate_junit::find_runs(base_dir, globs) {
        Ok(f) => f,
        Err(e) => {
            return (
                EarlierRuns::Problem(SourceState::Unreadable(vec![problem(
                    None,
                    e.to_string(),
                    "correct the glob in `sources.tests.history`",
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

/// Refuses a history that holds this run's own reports (a history glob such as `**/*.xml` that
/// also matches `sources.tests.junit`): this run would count twice, once as an earlier run.
pub(crate) fn not_this_run(
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
pub(crate) fn finish(
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
