//! The `tests` source: JUnit globs → test evidence, with every file's hash.

use super::{GatherOptions, Gathered, Loaded, Source};
use crate::resolver::Resolver;
use shipgate_junit::{JunitError, KeyedOutcome, ReadOptions, RetryMode};
use shipgate_model::{EvidenceProblem, InputRecord, SourceState, TestEvidence, TestRetention};
use shipgate_policy::{Policy, RepeatedRuns};
use std::path::Path;

const SOURCE: &str = "tests";

/// `sources.tests.junit`: this run's test results.
pub(crate) struct Tests;

/// The source in [`SOURCES`](super::SOURCES).
pub(crate) static TESTS: Tests = Tests;

impl Source for Tests {
    fn name(&self) -> &'static str {
        SOURCE
    }

    fn wanted(&self, policy: &Policy) -> bool {
        policy.sources.tests.is_some()
    }

    fn load(&self, policy: &Policy, resolver: &Resolver, _: &GatherOptions<'_>) -> Box<dyn Loaded> {
        // Every test's outcome is read only when a history will fold this run in.
        Box::new(load(policy, resolver, policy.history_globs().is_some()))
    }

    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
        into.evidence.tests = SourceState::Unreadable(vec![problem]);
    }
}

impl Loaded for LoadedTests {
    fn merge(self: Box<Self>, into: &mut Gathered, _: &Resolver) {
        into.evidence.tests = self.state;
        into.evidence.inputs.extend(self.inputs);
        into.this_run = self.outcomes;
    }
}

/// The test results of this run, as the gate needs them.
pub(crate) struct LoadedTests {
    pub state: SourceState<TestEvidence>,
    pub inputs: Vec<InputRecord>,
    /// Every test's identity and outcome, when the history needs them (empty otherwise).
    pub outcomes: Vec<KeyedOutcome>,
}

/// Loads the test results named by `sources.tests`, finding the files through `resolver`; with
/// `outcomes`, also every test's identity and outcome, for folding this run into the history.
pub(crate) fn load(policy: &Policy, resolver: &Resolver, outcomes: bool) -> LoadedTests {
    let Some(sources) = &policy.sources.tests else {
        return LoadedTests {
            state: SourceState::NotConfigured,
            inputs: Vec::new(),
            outcomes: Vec::new(),
        };
    };
    let options = ReadOptions {
        retention: policy.test_retention(),
        retries: policy.retry_mode(),
        outcomes,
    };
    let mut inspection = inspect_with(resolver, &sources.junit, &options);
    let inputs = inspection.inputs();
    let outcomes = std::mem::take(&mut inspection.read.outcomes);
    let mut state = inspection.into_state(resolver.base_dir(), policy.repeated_runs());
    // Zoneless suite timestamps become instants only in the zone the policy states.
    if let (SourceState::Loaded(evidence), Some(zone)) = (&mut state, &sources.timezone) {
        evidence.read_local_times_in(zone.zone());
    }
    LoadedTests {
        state,
        inputs,
        outcomes,
    }
}

/// Expands the globs through `resolver` and reads every match.
fn inspect_with(resolver: &Resolver, patterns: &[String], options: &ReadOptions) -> TestInspection {
    match resolver.expand_globs(SOURCE, patterns) {
        Ok(expanded) => {
            // At replay, a file the recorded run could not read fails again, as it did.
            let mut failed = Vec::new();
            let mut jobs = Vec::with_capacity(expanded.files.len());
            for f in expanded.files {
                match resolver.recorded_failure(&f) {
                    Some(source) => failed.push(JunitError::Io {
                        path: f.shown,
                        source,
                    }),
                    None => jobs.push((f.full, f.shown)),
                }
            }
            let mut read = shipgate_junit::read_named_files(jobs, options);
            for e in &read.errors {
                if let JunitError::Io { path, source } = e {
                    resolver.note_failure(SOURCE, path, source);
                }
            }
            if !failed.is_empty() {
                // In file order, as the reader reports them.
                read.errors.extend(failed);
                read.errors.sort_by(|a, b| a.path().cmp(b.path()));
            }
            TestInspection {
                unmatched: expanded.unmatched,
                bad_glob: None,
                read,
            }
        }
        Err(message) => TestInspection {
            unmatched: Vec::new(),
            bad_glob: Some(message),
            read: shipgate_junit::read_named_files(Vec::new(), options),
        },
    }
}

/// What the JUnit reader made of a set of globs: for `shipgate inspect tests` and the gate.
#[derive(Debug)]
pub struct TestInspection {
    /// The globs that matched no file.
    pub unmatched: Vec<String>,
    /// A glob that could not be used, with why.
    pub bad_glob: Option<String>,
    /// What was read.
    pub read: shipgate_junit::JunitRead,
}

/// Expands `patterns` against `base_dir` and reads every match.
pub fn inspect_tests(
    base_dir: &Path,
    patterns: &[String],
    retention: TestRetention,
    retries: RetryMode,
) -> TestInspection {
    inspect(
        base_dir,
        patterns,
        ReadOptions {
            retention,
            retries,
            outcomes: false,
        },
    )
}

/// Expands `patterns` against the live files under `base_dir` and reads every match.
pub(crate) fn inspect(
    base_dir: &Path,
    patterns: &[String],
    options: ReadOptions,
) -> TestInspection {
    inspect_with(&Resolver::live(base_dir, false), patterns, &options)
}

impl TestInspection {
    /// The provenance of every file read.
    pub fn inputs(&self) -> Vec<InputRecord> {
        self.read
            .digests
            .iter()
            .map(|d| InputRecord {
                source: SOURCE.to_owned(),
                path: d.path.clone(),
                sha256: d.sha256.clone(),
                bytes: d.bytes,
            })
            .collect()
    }

    /// The evidence, or why there is none. Every glob must match at least one file: a glob
    /// that matches nothing usually means a test job that did not run. Tests that occur in more
    /// than one file are refused under `repeated_runs: refuse` (the default), naming the files.
    pub fn into_state(
        self,
        base_dir: &Path,
        repeated_runs: RepeatedRuns,
    ) -> SourceState<TestEvidence> {
        if let Some(message) = self.bad_glob {
            return SourceState::Unreadable(vec![EvidenceProblem {
                source: SOURCE.to_owned(),
                location: None,
                message,
                remedy: "correct the glob in `sources.tests.junit`, or the file or folder the message names (a broken link, a folder that cannot be listed)".to_owned(),
            }]);
        }
        if !self.read.errors.is_empty() {
            return SourceState::Unreadable(
                self.read
                    .errors
                    .iter()
                    .map(|e| EvidenceProblem {
                        source: SOURCE.to_owned(),
                        location: None,
                        message: e.to_string(),
                        remedy: e.remedy(),
                    })
                    .collect(),
            );
        }
        if let Some(glob) = self.unmatched.first() {
            let others = self.unmatched.len() - 1;
            let also = if others > 0 {
                format!(
                    " (nor did {others} other glob{})",
                    if others == 1 { "" } else { "s" }
                )
            } else {
                String::new()
            };
            return SourceState::Missing(EvidenceProblem {
                source: SOURCE.to_owned(),
                location: Some(glob.clone()),
                message: format!(
                    "no JUnit report matched `{glob}` in `{}`{also}",
                    base_dir.display()
                ),
                remedy: "run the tests before the gate and make sure they write JUnit XML where `sources.tests.junit` looks (globs are relative to the policy file's folder)".to_owned(),
            });
        }
        let evidence = self.read.evidence;
        if repeated_runs == RepeatedRuns::Refuse && !evidence.repeated.is_empty() {
            return SourceState::Unreadable(repeated_problems(&evidence));
        }
        SourceState::Loaded(evidence)
    }
}

/// One problem per set of files that share tests (the most shared first), each naming the
/// files, how many tests they share and one of them.
fn repeated_problems(evidence: &TestEvidence) -> Vec<EvidenceProblem> {
    let repeated = &evidence.repeated;
    let listed: u64 = repeated.groups.iter().map(|g| g.identities).sum();
    let mut problems: Vec<EvidenceProblem> = repeated
        .groups
        .iter()
        .map(|group| {
            let files: Vec<String> = group
                .files
                .iter()
                .map(|i| format!("`{}`", evidence.file_path(*i)))
                .collect();
            let example = group.example.as_ref().map_or_else(String::new, |[suite, classname, name]| {
                let qualified = shipgate_model::qualified_name(classname, name);
                if suite.is_empty() {
                    format!(", e.g. `{qualified}`")
                } else {
                    format!(", e.g. `{qualified}` in suite `{suite}`")
                }
            });
            EvidenceProblem {
                source: SOURCE.to_owned(),
                location: group.files.first().map(|i| evidence.file_path(*i).to_owned()),
                message: format!(
                    "{} test{} ran in more than one file, so {} would be counted more than once: {}{example}",
                    group.identities,
                    if group.identities == 1 { "" } else { "s" },
                    if group.identities == 1 { "it" } else { "they" },
                    join_files(&files),
                ),
                remedy: REPEATED_REMEDY.to_owned(),
            }
        })
        .collect();
    if repeated.identities > listed {
        problems.push(EvidenceProblem {
            source: SOURCE.to_owned(),
            location: None,
            message: format!(
                "{} more test{} ran in more than one file, in other sets of files",
                repeated.identities - listed,
                if repeated.identities - listed == 1 {
                    ""
                } else {
                    "s"
                },
            ),
            remedy: REPEATED_REMEDY.to_owned(),
        });
    }
    problems
}

const REPEATED_REMEDY: &str = "An earlier run's reports left beside this run's are counted again and can hide a suite that shrank: clean the report folder before the tests run, or narrow `sources.tests.junit` to this run's reports. If the build runs the suite several times on purpose (a matrix of versions), set `sources.tests.repeated_runs: allow`.";

fn join_files(files: &[String]) -> String {
    match files {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
