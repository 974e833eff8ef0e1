//! The `tests` source: JUnit globs → test evidence, with every file's hash.

use shipgate_junit::{ReadOptions, RetryMode};
use shipgate_model::{EvidenceProblem, InputRecord, SourceState, TestEvidence, TestRetention};
use shipgate_policy::Policy;
use std::path::Path;

const SOURCE: &str = "tests";

/// Loads the test results named by `sources.tests`.
pub(crate) fn load(
    policy: &Policy,
    base_dir: &Path,
) -> (SourceState<TestEvidence>, Vec<InputRecord>) {
    let Some(sources) = &policy.sources.tests else {
        return (SourceState::NotConfigured, Vec::new());
    };
    let inspection = inspect_tests(
        base_dir,
        &sources.junit,
        policy.test_retention(),
        policy.retry_mode(),
    );
    let inputs = inspection.inputs();
    (inspection.into_state(base_dir), inputs)
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
    retries: shipgate_policy::RetryMode,
) -> TestInspection {
    let retries = match retries {
        shipgate_policy::RetryMode::PerTestcase => RetryMode::PerTestcase,
        shipgate_policy::RetryMode::RepeatedTestcases => RetryMode::RepeatedTestcases,
    };
    let options = ReadOptions {
        retention,
        retries,
        outcomes: false,
    };
    match shipgate_junit::expand_globs(base_dir, patterns) {
        Ok(matches) => TestInspection {
            unmatched: matches.unmatched.clone(),
            bad_glob: None,
            read: shipgate_junit::read_files(base_dir, &matches.paths, &options),
        },
        Err(e) => TestInspection {
            unmatched: Vec::new(),
            bad_glob: Some(e.to_string()),
            read: shipgate_junit::read_files(base_dir, &[], &options),
        },
    }
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
    /// that matches nothing usually means a test job that did not run.
    pub fn into_state(self, base_dir: &Path) -> SourceState<TestEvidence> {
        if let Some(message) = self.bad_glob {
            return SourceState::Unreadable(vec![EvidenceProblem {
                source: SOURCE.to_owned(),
                location: None,
                message,
                remedy: "correct the glob in `sources.tests.junit`".to_owned(),
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
        SourceState::Loaded(self.read.evidence)
    }
}
