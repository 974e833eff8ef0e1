//! Test outcomes across runs (`sources.tests.history`), for telling a flaky test from a real
//! failure.
//!
//! A run is one pipeline run's JUnit reports, one folder per run; the run being gated is the last
//! one. History over many runs of a monorepo must stay small, so a test is kept by name only if it
//! failed in at least one run (only those can be flaky), and then as two bit masks over the runs
//! (`passed`, `failed`) plus its last failure. Everything else is a count.
//!
//! A test is flaky when it passed and failed on the same commit (within one run, as a rerun that
//! passed, or in two runs of one commit), or when its outcome flipped between pass and fail at
//! least `min_flips` times across the runs, in run order. The policy decides `min_flips`;
//! [`RunHistory::flaky`] applies it.

use crate::test_evidence::TestCounts;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// At most this many runs (the earlier ones and the current one): one bit per run in a `u64`.
pub const MAX_RUNS: usize = 64;

/// Where a run's commit was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommitSource {
    /// The run folder's name, written `<run>@<commit>`.
    FolderName,
    /// A `git.commit`/`commit`/... property in the run's JUnit files (all that have one agree).
    JunitProperty,
    /// The policy's `release.commit` (the run being gated).
    Policy,
}

/// One run, as read from its folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryRun {
    /// The run folder's name without any `@<commit>` (`1234`), or `current` for the run being
    /// gated.
    pub name: String,
    /// The commit the run tested, when known.
    pub commit: Option<String>,
    /// Where the commit was read from.
    pub commit_from: Option<CommitSource>,
    /// The latest suite `timestamp` in the run's files (the runner's clock), when any has one.
    #[serde(default, with = "crate::instant::strict::option")]
    pub time: Option<Timestamp>,
    /// JUnit files read.
    pub files: u64,
    /// Outcome counts over the run's tests.
    pub counts: TestCounts,
    /// Whether this is the run being gated.
    pub current: bool,
}

/// A test that failed in at least one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryTest {
    /// The enclosing `<testsuite>`'s name.
    pub suite: String,
    /// The `classname` attribute.
    pub classname: String,
    /// The `name` attribute.
    pub name: String,
    /// Bit `i`: the test passed in run `i` (first time, or on a rerun).
    pub passed: u64,
    /// Bit `i`: the test failed or errored in run `i` (including an attempt a rerun fixed).
    pub failed: u64,
    /// The last run it failed in (an index into [`RunHistory::runs`]).
    pub last_failure: Option<usize>,
    /// The failure message of that run, cut short.
    pub last_message: Option<String>,
}

/// Earlier runs and the current one, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunHistory {
    /// The runs considered, oldest first; the run being gated, when included, is last.
    pub runs: Vec<HistoryRun>,
    /// Earlier runs found, before only the latest were kept.
    pub runs_available: u64,
    /// Distinct tests seen across the runs.
    pub tests: u64,
    /// Every test that failed in at least one run, sorted by suite, classname and name.
    pub failed_tests: Vec<HistoryTest>,
}

/// Why a test is flaky.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlakyReason {
    /// It failed and then passed on a rerun within one run.
    RerunPassed,
    /// It passed in one run and failed in another run of the same commit.
    SameCommit,
    /// It flipped between pass and fail at least `min_flips` times across the runs.
    Flips,
}

/// A flaky test and the evidence for it.
#[derive(Clone, Debug, PartialEq)]
pub struct FlakyTest<'a> {
    /// The test.
    pub test: &'a HistoryTest,
    /// Changes between pass and fail, in run order (a rerun that passed is a fail then a pass).
    pub flips: u32,
    /// `flips` ÷ the number of changes there could have been.
    pub flip_rate: f64,
    /// Runs the test ran in (passed or failed).
    pub runs: u32,
    /// Runs it failed in (including those a rerun fixed).
    pub failures: u32,
    /// Why it is flaky (at least one reason).
    pub reasons: Vec<FlakyReason>,
    /// Whether it ran in the run being gated.
    pub in_current_run: bool,
}

/// When and how a flaky test last failed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LastFailure {
    /// The run's name.
    pub run: String,
    /// The run's commit, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The run's time, when known.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::instant::strict::option"
    )]
    pub time: Option<Timestamp>,
    /// The failure message, cut short.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A flaky test as reports list it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlakySummary {
    /// The enclosing `<testsuite>`'s name.
    pub suite: String,
    /// The `classname` attribute.
    pub classname: String,
    /// The `name` attribute.
    pub name: String,
    /// Flips ÷ possible flips, rounded to four decimals.
    pub flip_rate: f64,
    /// Changes between pass and fail, in run order.
    pub flips: u32,
    /// Runs the test ran in.
    pub runs: u32,
    /// Runs it failed in.
    pub failed_runs: u32,
    /// Why it is flaky.
    pub reasons: Vec<FlakyReason>,
    /// Whether it ran in the run being gated.
    pub in_current_run: bool,
    /// Its last failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_failure: Option<LastFailure>,
}

impl FlakyTest<'_> {
    /// The test as reports list it; `history` is the history it came from.
    pub fn summary(&self, history: &RunHistory) -> FlakySummary {
        let t = self.test;
        FlakySummary {
            suite: t.suite.clone(),
            classname: t.classname.clone(),
            name: t.name.clone(),
            flip_rate: (self.flip_rate * 1e4).round() / 1e4,
            flips: self.flips,
            runs: self.runs,
            failed_runs: self.failures,
            reasons: self.reasons.clone(),
            in_current_run: self.in_current_run,
            last_failure: t
                .last_failure
                .and_then(|i| history.runs.get(i))
                .map(|run| LastFailure {
                    run: run.name.clone(),
                    commit: run.commit.clone(),
                    time: run.time,
                    message: t.last_message.clone(),
                }),
        }
    }
}

impl HistoryTest {
    /// `classname.name`, the string quarantine and critical-path patterns are matched against.
    pub fn qualified_name(&self) -> String {
        crate::pattern::qualified_name(&self.classname, &self.name)
    }

    /// Bit `i`: the test ran in run `i`.
    pub fn ran(&self) -> u64 {
        self.passed | self.failed
    }

    /// The outcomes in run order over the first `runs` runs, a run that failed and then passed
    /// on a rerun giving a fail then a pass: `true` is a pass.
    fn sequence(&self, runs: usize) -> impl Iterator<Item = bool> + '_ {
        (0..runs.min(MAX_RUNS)).flat_map(move |i| {
            let bit = 1u64 << i;
            let failed = self.failed & bit != 0;
            let passed = self.passed & bit != 0;
            [failed.then_some(false), passed.then_some(true)]
                .into_iter()
                .flatten()
        })
    }

    /// (flips, possible flips) over the first `runs` runs.
    pub fn flips(&self, runs: usize) -> (u32, u32) {
        let mut flips = 0;
        let mut steps = 0;
        let mut previous = None;
        for pass in self.sequence(runs) {
            if let Some(p) = previous {
                steps += 1;
                if p != pass {
                    flips += 1;
                }
            }
            previous = Some(pass);
        }
        (flips, steps)
    }
}

impl RunHistory {
    /// The flaky tests, ranked by flip rate (then flips, failures and name).
    pub fn flaky(&self, min_flips: u32) -> Vec<FlakyTest<'_>> {
        let runs = self.runs.len().min(MAX_RUNS);
        // Runs grouped by known commit: a test green in one and red in another is flaky.
        let mut by_commit: BTreeMap<&str, u64> = BTreeMap::new();
        for (i, run) in self.runs.iter().enumerate().take(runs) {
            if let Some(commit) = run.commit.as_deref() {
                *by_commit.entry(commit).or_default() |= 1u64 << i;
            }
        }
        let current = self.runs.iter().take(runs).position(|r| r.current);
        let mut flaky: Vec<FlakyTest<'_>> = self
            .failed_tests
            .iter()
            .filter_map(|test| {
                let mut reasons = Vec::new();
                if test.passed & test.failed != 0 {
                    reasons.push(FlakyReason::RerunPassed);
                }
                if by_commit
                    .values()
                    .any(|m| m.count_ones() > 1 && test.passed & m != 0 && test.failed & m != 0)
                {
                    reasons.push(FlakyReason::SameCommit);
                }
                let (flips, steps) = test.flips(runs);
                if flips >= min_flips.max(1) {
                    reasons.push(FlakyReason::Flips);
                }
                if reasons.is_empty() {
                    return None;
                }
                Some(FlakyTest {
                    test,
                    flips,
                    flip_rate: if steps == 0 {
                        0.0
                    } else {
                        f64::from(flips) / f64::from(steps)
                    },
                    runs: test.ran().count_ones(),
                    failures: test.failed.count_ones(),
                    reasons,
                    in_current_run: current.is_some_and(|i| test.ran() & (1u64 << i) != 0),
                })
            })
            .collect();
        flaky.sort_by(|a, b| {
            b.flip_rate
                .partial_cmp(&a.flip_rate)
                .unwrap_or(Ordering::Equal)
                .then(b.flips.cmp(&a.flips))
                .then(b.failures.cmp(&a.failures))
                .then_with(|| {
                    (&a.test.suite, &a.test.classname, &a.test.name).cmp(&(
                        &b.test.suite,
                        &b.test.classname,
                        &b.test.name,
                    ))
                })
        });
        flaky
    }

    /// The run being gated, when it is part of the history.
    pub fn current_run(&self) -> Option<&HistoryRun> {
        self.runs.iter().find(|r| r.current)
    }

    /// Consecutive runs whose timestamps go backwards in run order (folder-name order): a sign
    /// that the folders are not named in run order, which would make flips meaningless.
    pub fn out_of_order(&self) -> Vec<(&HistoryRun, &HistoryRun)> {
        let timed: Vec<&HistoryRun> = self.runs.iter().filter(|r| r.time.is_some()).collect();
        timed
            .windows(2)
            .filter(|w| w[0].time > w[1].time)
            .map(|w| (w[0], w[1]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(name: &str, commit: Option<&str>, current: bool) -> HistoryRun {
        HistoryRun {
            name: name.into(),
            commit: commit.map(str::to_owned),
            commit_from: commit.map(|_| CommitSource::FolderName),
            time: None,
            files: 1,
            counts: TestCounts::default(),
            current,
        }
    }

    /// A test from a string of per-run outcomes: `p` passed, `f` failed, `r` failed then passed
    /// on a rerun, `-` did not run.
    fn test(name: &str, outcomes: &str) -> HistoryTest {
        let mut t = HistoryTest {
            suite: "s".into(),
            classname: "c".into(),
            name: name.into(),
            passed: 0,
            failed: 0,
            last_failure: None,
            last_message: None,
        };
        for (i, o) in outcomes.chars().enumerate() {
            let bit = 1u64 << i;
            match o {
                'p' => t.passed |= bit,
                'f' => t.failed |= bit,
                'r' => {
                    t.passed |= bit;
                    t.failed |= bit;
                }
                _ => {}
            }
        }
        t
    }

    fn history(commits: &[Option<&str>], tests: Vec<HistoryTest>) -> RunHistory {
        let n = commits.len();
        RunHistory {
            runs: commits
                .iter()
                .enumerate()
                .map(|(i, c)| run(&i.to_string(), *c, i + 1 == n))
                .collect(),
            runs_available: n as u64 - 1,
            tests: tests.len() as u64,
            failed_tests: tests,
        }
    }

    fn flaky_names(h: &RunHistory, min_flips: u32) -> Vec<(&str, Vec<FlakyReason>)> {
        h.flaky(min_flips)
            .into_iter()
            .map(|f| (f.test.name.as_str(), f.reasons))
            .collect()
    }

    #[test]
    fn flips_count_changes_in_run_order_skipping_runs_it_did_not_run() {
        assert_eq!(test("t", "ppfpp").flips(5), (2, 4));
        assert_eq!(test("t", "pp-pp").flips(5), (0, 3));
        assert_eq!(test("t", "pfpfp").flips(5), (4, 4));
        // A rerun that passed is a fail then a pass within the run.
        assert_eq!(test("t", "prp").flips(3), (2, 3));
        assert_eq!(test("t", "").flips(3), (0, 0));
    }

    #[test]
    fn a_regression_or_a_fix_is_one_flip_and_not_flaky() {
        let h = history(
            &[None, None, None, None],
            vec![
                test("broke_now", "pppf"),
                test("fixed", "ffpp"),
                test("flaky", "pfpf"),
            ],
        );
        assert_eq!(
            flaky_names(&h, 2),
            vec![("flaky", vec![FlakyReason::Flips])]
        );
        // With a threshold of one flip, every change counts.
        assert_eq!(h.flaky(1).len(), 3);
    }

    #[test]
    fn pass_and_fail_on_one_commit_is_flaky_however_few_the_flips() {
        let h = history(
            &[Some("abc"), Some("abc"), Some("def")],
            vec![test("same_commit", "pff"), test("changed_commit", "ppf")],
        );
        assert_eq!(
            flaky_names(&h, 2),
            vec![("same_commit", vec![FlakyReason::SameCommit])]
        );
    }

    #[test]
    fn a_rerun_that_passed_is_flaky() {
        let h = history(&[None, None], vec![test("rerun", "pr")]);
        let flaky = h.flaky(5);
        assert_eq!(flaky.len(), 1);
        assert_eq!(flaky[0].reasons, vec![FlakyReason::RerunPassed]);
        assert!(flaky[0].in_current_run);
    }

    #[test]
    fn ranked_by_flip_rate_then_flips() {
        let h = history(
            &[None; 6],
            vec![
                test("sometimes", "ppfppf"),
                test("always", "pfpfpf"),
                test("gone", "pfpf--"),
            ],
        );
        let ranked: Vec<(&str, u32, bool)> = h
            .flaky(2)
            .iter()
            .map(|f| (f.test.name.as_str(), f.flips, f.in_current_run))
            .collect();
        assert_eq!(
            ranked,
            vec![
                ("always", 5, true),
                ("gone", 3, false),
                ("sometimes", 3, true)
            ]
        );
        let top = &h.flaky(2)[0];
        assert_eq!((top.runs, top.failures), (6, 3));
        assert!((top.flip_rate - 1.0).abs() < 1e-12);
    }

    #[test]
    fn runs_out_of_time_order_are_found() {
        let mut h = history(&[None, None, None], vec![]);
        h.runs[0].time = Some("2026-11-20T10:00:00Z".parse().unwrap());
        h.runs[1].time = Some("2026-11-19T10:00:00Z".parse().unwrap());
        h.runs[2].time = Some("2026-11-21T10:00:00Z".parse().unwrap());
        let bad = h.out_of_order();
        assert_eq!(bad.len(), 1);
        assert_eq!((bad[0].0.name.as_str(), bad[0].1.name.as_str()), ("0", "1"));
    }
}
