//! Earlier runs' JUnit (`sources.tests.history`), folded into a compact [`RunHistory`].
//!
//! Each run is a folder: the first folder under the literal start of a glob
//! (`history/*/**/*.xml` → `history/1234/`). Runs are ordered by folder name, digit runs compared
//! as numbers (`run-9` before `run-10`), so folders are named by CI run number or date; only the
//! latest are read. A folder named `<run>@<commit>` gives the run's commit; otherwise the JUnit
//! files' `git.commit`/`commit`/... property does, when they all agree. A run's time is its
//! files' latest suite `timestamp`; file modification times are not used (downloading an artifact
//! resets them).
//!
//! Memory stays bounded over many runs of a monorepo: while a run is read, 8 bytes per test
//! ([`KeyedOutcome`]); across runs, 24 bytes per distinct test (a hash of its suite, classname
//! and name, and one bit per run for "passed" and one for "failed"), plus names and the last
//! failure message only for tests that failed at least once.

use crate::{JunitError, KeyedOutcome, ReadOptions, RetryMode, expand_globs, read_files};
use shipgate_model::history::MAX_RUNS;
use shipgate_model::{
    CommitSource, HistoryRun, HistoryTest, RunHistory, TestEvidence, TestOutcome,
};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};

/// A history failure message is cut to this many characters (a current run's to 1,000): one is
/// kept per test that ever failed, over many runs.
const HISTORY_MESSAGE: usize = 300;

/// One run's folder and the files the globs found in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFolder {
    /// The folder's name without any `@<commit>`.
    pub name: String,
    /// The commit from a folder named `<run>@<commit>`.
    pub commit: Option<String>,
    /// The files, relative to the base folder when under it, sorted.
    pub paths: Vec<PathBuf>,
}

/// What the history globs found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunFolders {
    /// Every run folder, in run order (oldest first).
    pub runs: Vec<RunFolder>,
    /// The globs that matched no file.
    pub unmatched: Vec<String>,
    /// Files that are not inside a run folder (directly where the glob's literal part ends).
    pub outside: Vec<String>,
}

/// Finds the run folders the globs match. Folders of the same name found by different globs are
/// one run (one pipeline run's artifacts, split by job).
pub fn find_runs(base_dir: &Path, patterns: &[String]) -> Result<RunFolders, JunitError> {
    let mut by_folder: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut found = RunFolders::default();
    for pattern in patterns {
        let matches = expand_globs(base_dir, std::slice::from_ref(pattern))?;
        found.unmatched.extend(matches.unmatched);
        let prefix = literal_prefix(pattern);
        for path in matches.paths {
            let folder = path
                .strip_prefix(&prefix)
                .ok()
                .and_then(|rest| {
                    let mut parts = rest.components();
                    let first = parts.next()?;
                    parts.next()?;
                    Some(first.as_os_str().to_string_lossy().into_owned())
                })
                .filter(|f| f != "." && f != "..");
            match folder {
                Some(folder) => by_folder.entry(folder).or_default().push(path),
                None => found.outside.push(path.to_string_lossy().into_owned()),
            }
        }
    }
    found.runs = by_folder
        .into_iter()
        .map(|(folder, mut paths)| {
            paths.sort();
            paths.dedup();
            let (name, commit) = match folder.rsplit_once('@') {
                Some((name, commit)) if !name.is_empty() && !commit.trim().is_empty() => {
                    (name.to_owned(), Some(commit.trim().to_owned()))
                }
                _ => (folder, None),
            };
            RunFolder {
                name,
                commit,
                paths,
            }
        })
        .collect();
    found
        .runs
        .sort_by(|a, b| natural_cmp(&a.name, &b.name).then_with(|| a.commit.cmp(&b.commit)));
    found.outside.sort();
    found.outside.dedup();
    Ok(found)
}

/// The leading components of a glob that hold no glob syntax.
fn literal_prefix(pattern: &str) -> PathBuf {
    let mut prefix = PathBuf::new();
    for part in Path::new(pattern).components() {
        let text = part.as_os_str().to_string_lossy();
        if text.contains(['*', '?', '[']) {
            break;
        }
        if part != Component::CurDir {
            prefix.push(part);
        }
    }
    prefix
}

/// Orders names as people number runs: digit runs compare as numbers.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        match (a.first(), b.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) if x.is_ascii_digit() && y.is_ascii_digit() => {
                let da = a.iter().take_while(|c| c.is_ascii_digit()).count();
                let db = b.iter().take_while(|c| c.is_ascii_digit()).count();
                let (na, nb) = (trim_zeros(&a[..da]), trim_zeros(&b[..db]));
                let order = na.len().cmp(&nb.len()).then(na.cmp(nb));
                if order != Ordering::Equal {
                    return order;
                }
                a = &a[da..];
                b = &b[db..];
            }
            (Some(x), Some(y)) => {
                if x != y {
                    return x.cmp(y);
                }
                a = &a[1..];
                b = &b[1..];
            }
        }
    }
}

fn trim_zeros(digits: &[u8]) -> &[u8] {
    let zeros = digits.iter().take_while(|d| **d == b'0').count();
    &digits[zeros..]
}

/// One run's identity, as the caller knows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunInfo {
    /// The folder name, or `current`.
    pub name: String,
    /// The commit, when known from outside the files (folder name, policy).
    pub commit: Option<(String, CommitSource)>,
    /// Whether this is the run being gated.
    pub current: bool,
}

/// Per distinct test across runs: 24 bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    key: u64,
    passed: u64,
    failed: u64,
}

/// Folds runs, oldest first, into a [`RunHistory`].
#[derive(Debug, Default)]
pub struct HistoryBuilder {
    runs: Vec<HistoryRun>,
    runs_available: u64,
    /// Sorted by key.
    entries: Vec<Entry>,
    /// Tests that failed at least once, by key.
    failed: HashMap<u64, HistoryTest>,
}

impl HistoryBuilder {
    /// A builder for a history in which `runs_available` earlier runs were found.
    pub fn new(runs_available: u64) -> Self {
        Self {
            runs_available,
            ..Self::default()
        }
    }

    /// Adds the next run: its evidence and its tests' outcomes (read with
    /// [`ReadOptions::outcomes`] on). A run beyond [`MAX_RUNS`] is refused (`false`); callers
    /// keep at most `MAX_RUNS - 1` earlier runs.
    pub fn add_run(
        &mut self,
        info: RunInfo,
        evidence: &TestEvidence,
        mut outcomes: Vec<KeyedOutcome>,
    ) -> bool {
        let index = self.runs.len();
        if index >= MAX_RUNS {
            return false;
        }
        let bit = 1u64 << index;
        let (commit, commit_from) = match info.commit {
            Some((commit, from)) => (Some(commit), Some(from)),
            None => match files_commit(evidence.files.iter().map(|f| f.commit.as_deref())) {
                Some(commit) => (Some(commit), Some(CommitSource::JunitProperty)),
                None => (None, None),
            },
        };
        self.runs.push(HistoryRun {
            name: info.name,
            commit,
            commit_from,
            time: evidence.files.iter().filter_map(|f| f.timestamp).max(),
            files: evidence.files.len() as u64,
            counts: evidence.totals,
            current: info.current,
        });

        outcomes.sort_unstable();
        let mut fresh = Vec::new();
        let mut at = 0;
        for group in outcomes.chunk_by(|a, b| a.key() == b.key()) {
            let (passed, failed) = bits(group, bit);
            let key = group[0].key();
            while at < self.entries.len() && self.entries[at].key < key {
                at += 1;
            }
            match self.entries.get_mut(at) {
                Some(e) if e.key == key => {
                    e.passed |= passed;
                    e.failed |= failed;
                }
                _ => fresh.push(Entry {
                    key,
                    passed,
                    failed,
                }),
            }
        }
        drop(outcomes);
        merge_sorted(&mut self.entries, fresh);

        for record in &evidence.tests {
            if !(record.outcome.is_failure() || record.outcome == TestOutcome::Flaky) {
                continue;
            }
            let key = KeyedOutcome::key_for(&record.suite, &record.classname, &record.name);
            let test = self.failed.entry(key).or_insert_with(|| HistoryTest {
                suite: record.suite.clone(),
                classname: record.classname.clone(),
                name: record.name.clone(),
                passed: 0,
                failed: 0,
                last_failure: None,
                last_message: None,
            });
            test.last_failure = Some(index);
            test.last_message = record
                .message
                .as_deref()
                .map(|m| cut(m, HISTORY_MESSAGE).to_owned());
        }
        true
    }

    /// The history: every test that failed at least once, with its outcome in every run.
    pub fn finish(self) -> RunHistory {
        let entries = self.entries;
        let mut failed_tests: Vec<HistoryTest> = self
            .failed
            .into_iter()
            .map(|(key, mut test)| {
                if let Ok(i) = entries.binary_search_by_key(&key, |e| e.key) {
                    test.passed = entries[i].passed;
                    test.failed = entries[i].failed;
                }
                test
            })
            .collect();
        failed_tests.sort_by(|a, b| {
            (&a.suite, &a.classname, &a.name).cmp(&(&b.suite, &b.classname, &b.name))
        });
        RunHistory {
            runs: self.runs,
            runs_available: self.runs_available,
            tests: entries.len() as u64,
            failed_tests,
        }
    }
}

/// The commit every file that names one agrees on.
fn files_commit<'a>(commits: impl Iterator<Item = Option<&'a str>>) -> Option<String> {
    let mut found: Option<&str> = None;
    for commit in commits.flatten() {
        match found {
            Some(f) if f != commit => return None,
            _ => found = Some(commit),
        }
    }
    found.map(str::to_owned)
}

/// The run's bits for one test. Several testcases of one identity in a run (parameterised rows
/// that share a name) passed only if none of them failed: a failing row is a failure, not a
/// rerun that passed.
fn bits(group: &[KeyedOutcome], bit: u64) -> (u64, u64) {
    let has = |wanted: &[TestOutcome]| group.iter().any(|o| wanted.contains(&o.outcome()));
    let hard_failure = has(&[TestOutcome::Failed, TestOutcome::Errored]);
    let green = has(&[TestOutcome::Passed, TestOutcome::Flaky]);
    let failed = hard_failure || has(&[TestOutcome::Flaky]);
    let passed = green && !hard_failure;
    (if passed { bit } else { 0 }, if failed { bit } else { 0 })
}

/// Merges sorted `fresh` into sorted `entries` in place (from the back), without a second copy
/// of `entries`.
fn merge_sorted(entries: &mut Vec<Entry>, fresh: Vec<Entry>) {
    if fresh.is_empty() {
        return;
    }
    if entries.is_empty() {
        *entries = fresh;
        return;
    }
    let old = entries.len();
    // Exactly the room needed: the vector holds one entry per distinct test of every run.
    entries.reserve_exact(fresh.len());
    entries.extend_from_slice(&fresh);
    let (mut i, mut j, mut k) = (old, fresh.len(), entries.len());
    while j > 0 {
        k -= 1;
        if i > 0 && entries[i - 1].key > fresh[j - 1].key {
            entries[k] = entries[i - 1];
            i -= 1;
        } else {
            entries[k] = fresh[j - 1];
            j -= 1;
        }
    }
}

fn cut(text: &str, max_chars: usize) -> &str {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

/// Earlier runs, read.
#[derive(Debug, Default)]
pub struct HistoryRead {
    /// The runs read so far; add the current run, then [`HistoryBuilder::finish`].
    pub builder: HistoryBuilder,
    /// What the globs found.
    pub folders: RunFolders,
    /// A digest of every file read, run after run.
    pub digests: Vec<crate::FileDigest>,
    /// Every file that could not be read as JUnit.
    pub errors: Vec<JunitError>,
}

/// Reads the latest `max_runs` (at most [`MAX_RUNS`]` - 1`, leaving room for the current run)
/// of the runs in `folders`, one run after another (each run's files in parallel).
pub fn read_history(
    base_dir: &Path,
    folders: RunFolders,
    max_runs: usize,
    retries: RetryMode,
) -> HistoryRead {
    let keep = max_runs.min(MAX_RUNS - 1);
    let skip = folders.runs.len().saturating_sub(keep);
    let mut read = HistoryRead {
        builder: HistoryBuilder::new(folders.runs.len() as u64),
        ..HistoryRead::default()
    };
    let options = ReadOptions {
        retries,
        outcomes: true,
        ..ReadOptions::default()
    };
    // Each run is folded (one thread) while the next one is read (the others), so the fold
    // costs no wall time; at most two runs' outcome lists are held at once.
    let mut pending: Option<(RunInfo, crate::JunitRead)> = None;
    let builder = &mut read.builder;
    for run in folders.runs.iter().skip(skip) {
        let previous = pending.take();
        let ((), mut files) = rayon::join(
            || {
                if let Some((info, mut files)) = previous {
                    let outcomes = std::mem::take(&mut files.outcomes);
                    builder.add_run(info, &files.evidence, outcomes);
                }
            },
            || read_files(base_dir, &run.paths, &options),
        );
        read.digests.append(&mut files.digests);
        read.errors.append(&mut files.errors);
        let info = RunInfo {
            name: run.name.clone(),
            commit: run.commit.clone().map(|c| (c, CommitSource::FolderName)),
            current: false,
        };
        pending = Some((info, files));
    }
    if let Some((info, mut files)) = pending {
        let outcomes = std::mem::take(&mut files.outcomes);
        builder.add_run(info, &files.evidence, outcomes);
    }
    read.folders = folders;
    read
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_compares_digit_runs_as_numbers() {
        let mut names = vec![
            "run-10",
            "run-9",
            "run-100",
            "run-09a",
            "2026-11-20",
            "2026-11-3",
        ];
        names.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            names,
            [
                "2026-11-3",
                "2026-11-20",
                "run-9",
                "run-09a",
                "run-10",
                "run-100"
            ]
        );
        assert_eq!(natural_cmp("7", "007"), Ordering::Equal);
        assert_eq!(natural_cmp("a", "b"), Ordering::Less);
    }

    #[test]
    fn the_literal_prefix_stops_at_the_first_wildcard() {
        assert_eq!(literal_prefix("history/*/**/*.xml"), Path::new("history"));
        assert_eq!(
            literal_prefix("./ci/history/run-*/a.xml"),
            Path::new("ci/history")
        );
        assert_eq!(literal_prefix("*/a.xml"), Path::new(""));
        assert_eq!(literal_prefix("/abs/h/*/a.xml"), Path::new("/abs/h"));
    }

    #[test]
    fn merging_keeps_entries_sorted() {
        let e = |key| Entry {
            key,
            passed: 1,
            failed: 0,
        };
        let mut entries = vec![e(2), e(5), e(9)];
        merge_sorted(&mut entries, vec![e(1), e(6), e(10)]);
        let keys: Vec<u64> = entries.iter().map(|e| e.key).collect();
        assert_eq!(keys, [1, 2, 5, 6, 9, 10]);
        merge_sorted(&mut entries, Vec::new());
        assert_eq!(entries.len(), 6);
        let mut empty = Vec::new();
        merge_sorted(&mut empty, vec![e(3)]);
        assert_eq!(empty, [e(3)]);
    }

    #[test]
    fn a_commit_is_taken_only_when_the_files_agree() {
        assert_eq!(
            files_commit([Some("a"), None, Some("a")].into_iter()),
            Some("a".to_owned())
        );
        assert_eq!(files_commit([Some("a"), Some("b")].into_iter()), None);
        assert_eq!(files_commit([None, None].into_iter()), None);
    }

    #[test]
    fn several_testcases_of_one_test_in_a_run_combine() {
        let o = |outcome| KeyedOutcome::new(8, outcome);
        assert_eq!(bits(&[o(TestOutcome::Passed)], 4), (4, 0));
        assert_eq!(
            bits(&[o(TestOutcome::Passed), o(TestOutcome::Failed)], 4),
            (0, 4)
        );
        assert_eq!(
            bits(&[o(TestOutcome::Passed), o(TestOutcome::Flaky)], 4),
            (4, 4)
        );
        assert_eq!(bits(&[o(TestOutcome::Flaky)], 4), (4, 4));
        assert_eq!(bits(&[o(TestOutcome::Skipped)], 4), (0, 0));
        assert_eq!(bits(&[o(TestOutcome::Errored)], 4), (0, 4));
    }
}
