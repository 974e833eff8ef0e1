//! Retries written as repeated testcases (gotestsum `--rerun-fails`, Gradle without
//! `mergeReruns`, Playwright and jest retries), merged only when the policy asks for it
//! (`sources.tests.retries: repeated-testcases`). Most repeated names in real reports are
//! parameterised tests or `describe` blocks, so merging is never the default.
//!
//! Attempts are grouped by suite, classname and name within one file, in document order. A runner
//! retries a test only because the attempt before failed, so every attempt but the last is a
//! failed one, whatever it looks like, and the last one is the result: a group whose last attempt
//! passed after earlier ones is flaky; one whose last attempt failed or errored is failed or
//! errored. A last attempt that was skipped does not hide an earlier failure. This is stricter
//! than "flaky if any attempt passed": pytest-rerunfailures writes its failed attempts as empty
//! `<testcase>` elements that look passed, so that rule would read a test that failed every
//! attempt as flaky (see `docs/decisions/0008-flaky-history-and-quarantine.md`).

use crate::KeyedOutcome;
use shipgate_model::{TestCounts, TestOutcome, TestRecord};
use std::collections::HashMap;

/// Attempts seen so far in one file, in order of first appearance.
#[derive(Default)]
pub(crate) struct Merger {
    index: HashMap<u64, usize>,
    entries: Vec<Entry>,
}

struct Entry {
    /// The test's identity (suite, classname, name).
    key: u64,
    /// Bit `1 << outcome as u8` for the outcome of every attempt before the last.
    before: u8,
    /// The outcome of the last attempt seen so far.
    last: TestOutcome,
    attempts: u32,
    time: Option<f64>,
    /// Indices of the attempts that were kept as records (every non-passing attempt is).
    records: Vec<usize>,
}

fn bit(outcome: TestOutcome) -> u8 {
    1 << (outcome as u8)
}

impl Merger {
    pub fn clear(&mut self) {
        self.index.clear();
        self.entries.clear();
    }

    /// Whether an attempt of this test was seen already.
    pub fn seen(&self, key: u64) -> bool {
        self.index.contains_key(&key)
    }

    /// Notes one attempt. `record` is the index of its record, when it was kept.
    pub fn attempt(
        &mut self,
        key: u64,
        outcome: TestOutcome,
        time: Option<f64>,
        record: Option<usize>,
    ) {
        let next = self.entries.len();
        let at = *self.index.entry(key).or_insert(next);
        if at == next {
            self.entries.push(Entry {
                key,
                before: 0,
                last: outcome,
                attempts: 0,
                time: None,
                records: Vec::new(),
            });
        }
        let entry = &mut self.entries[at];
        if entry.attempts > 0 {
            entry.before |= bit(entry.last);
        }
        entry.last = outcome;
        entry.attempts = entry.attempts.saturating_add(1);
        if let Some(t) = time {
            entry.time = Some(entry.time.unwrap_or(0.0) + t);
        }
        entry.records.extend(record);
    }

    /// Turns the attempts into one record per test: counts every merged test, notes its outcome
    /// in `outcomes` when asked, and keeps the records `keep` asks for.
    pub fn finish(
        &mut self,
        attempts: Vec<TestRecord>,
        counts: &mut TestCounts,
        mut outcomes: Option<&mut Vec<KeyedOutcome>>,
        mut keep: impl FnMut(TestOutcome, &str, &str, bool) -> bool,
    ) -> Vec<TestRecord> {
        let mut attempts: Vec<Option<TestRecord>> = attempts.into_iter().map(Some).collect();
        let mut merged = Vec::new();
        for entry in &self.entries {
            let outcome = merged_outcome(entry.before, entry.last);
            counts.record(outcome);
            if let Some(outcomes) = outcomes.as_deref_mut() {
                outcomes.push(KeyedOutcome::new(entry.key, outcome));
            }
            let deciding = |r: &TestRecord| match outcome {
                TestOutcome::Flaky => r.outcome.is_failure() || r.outcome == TestOutcome::Flaky,
                _ => r.outcome == outcome,
            };
            let base = entry
                .records
                .iter()
                .copied()
                .find(|i| attempts[*i].as_ref().is_some_and(deciding))
                .or_else(|| entry.records.first().copied());
            let Some(mut record) = base.and_then(|i| attempts[i].take()) else {
                continue;
            };
            for i in &entry.records {
                if let Some(other) = &attempts[*i] {
                    for key in &other.defect_refs {
                        if !record.defect_refs.contains(key) {
                            record.defect_refs.push(key.clone());
                        }
                    }
                }
            }
            record.outcome = outcome;
            record.time = entry.time;
            record.attempts = entry.attempts;
            if keep(
                outcome,
                &record.classname,
                &record.name,
                !record.defect_refs.is_empty(),
            ) {
                merged.push(record);
            }
        }
        merged
    }
}

/// The outcome of a group of attempts: `before` has a bit for the outcome of every attempt
/// before the last, `last` is the last attempt's.
pub(crate) fn merged_outcome(before: u8, last: TestOutcome) -> TestOutcome {
    let had = |o: TestOutcome| before & bit(o) != 0;
    match last {
        // An attempt that ran before the last was retried, so it failed, whatever it looks
        // like: a pass at the end is flaky. Skipped attempts are not retries.
        TestOutcome::Passed if before & !bit(TestOutcome::Skipped) == 0 => TestOutcome::Passed,
        TestOutcome::Passed | TestOutcome::Flaky => TestOutcome::Flaky,
        TestOutcome::Failed | TestOutcome::Errored => last,
        // Skipped at the end (an assumption that stopped holding on the rerun) never hides an
        // earlier failure: skipped tests are not counted as executed.
        TestOutcome::Skipped if had(TestOutcome::Failed) => TestOutcome::Failed,
        TestOutcome::Skipped if had(TestOutcome::Errored) => TestOutcome::Errored,
        TestOutcome::Skipped => TestOutcome::Skipped,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TestOutcome::*;

    fn merged(outcomes: &[TestOutcome]) -> TestOutcome {
        let (last, before) = outcomes.split_last().unwrap();
        merged_outcome(before.iter().fold(0, |m, o| m | bit(*o)), *last)
    }

    #[test]
    fn a_pass_after_failed_attempts_is_flaky() {
        assert_eq!(merged(&[Failed, Passed]), Flaky);
        assert_eq!(merged(&[Errored, Passed]), Flaky);
        assert_eq!(merged(&[Failed, Errored, Passed]), Flaky);
        assert_eq!(merged(&[Failed, Flaky]), Flaky);
        assert_eq!(merged(&[Flaky]), Flaky);
    }

    #[test]
    fn the_last_attempt_decides_a_failure() {
        assert_eq!(merged(&[Failed, Failed]), Failed);
        assert_eq!(merged(&[Errored, Failed]), Failed);
        assert_eq!(merged(&[Failed, Errored]), Errored);
        assert_eq!(merged(&[Errored, Errored]), Errored);
        // A passing attempt ends a runner's retries, so a later failure is the result.
        assert_eq!(merged(&[Passed, Failed]), Failed);
        assert_eq!(merged(&[Passed, Failed, Errored]), Errored);
    }

    #[test]
    fn pytest_rerunfailures_attempts_that_look_passed_do_not_hide_the_failure() {
        // pytest-rerunfailures writes each failed attempt as an empty `<testcase>`.
        assert_eq!(merged(&[Passed, Passed, Failed]), Failed);
        assert_eq!(merged(&[Passed, Passed]), Flaky);
    }

    #[test]
    fn a_skip_at_the_end_does_not_hide_an_earlier_failure() {
        assert_eq!(merged(&[Failed, Skipped]), Failed);
        assert_eq!(merged(&[Errored, Skipped]), Errored);
        assert_eq!(merged(&[Passed, Skipped]), Skipped);
        assert_eq!(merged(&[Skipped, Skipped]), Skipped);
        // A skipped attempt is not a retry.
        assert_eq!(merged(&[Skipped, Passed]), Passed);
    }

    #[test]
    fn one_attempt_is_itself() {
        for o in [Passed, Flaky, Skipped, Errored, Failed] {
            assert_eq!(merged(&[o]), o);
        }
    }
}
