//! Retries written as repeated testcases (gotestsum `--rerun-fails`, Gradle without
//! `mergeReruns`, Playwright and jest retries), merged only when the policy asks for it
//! (`sources.tests.retries: repeated-testcases`). Most repeated names in real reports are
//! parameterised tests or `describe` blocks, so merging is never the default.
//!
//! Attempts are grouped by suite, classname and name within one file. A group is flaky when an
//! attempt passed and another failed, failed (or errored) when none passed.

use shipgate_model::{TestCounts, TestOutcome, TestRecord};
use std::collections::HashMap;

/// Attempts seen so far in one file, in order of first appearance.
#[derive(Default)]
pub(crate) struct Merger {
    index: HashMap<u64, usize>,
    entries: Vec<Entry>,
}

struct Entry {
    /// Bit `1 << outcome as u8` for every outcome seen.
    outcomes: u8,
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
                outcomes: 0,
                attempts: 0,
                time: None,
                records: Vec::new(),
            });
        }
        let entry = &mut self.entries[at];
        entry.outcomes |= bit(outcome);
        entry.attempts = entry.attempts.saturating_add(1);
        if let Some(t) = time {
            entry.time = Some(entry.time.unwrap_or(0.0) + t);
        }
        entry.records.extend(record);
    }

    /// Turns the attempts into one record per test: counts every merged test, and keeps the
    /// records `keep` asks for.
    pub fn finish(
        &mut self,
        attempts: Vec<TestRecord>,
        counts: &mut TestCounts,
        mut keep: impl FnMut(TestOutcome, &str, &str, bool) -> bool,
    ) -> Vec<TestRecord> {
        let mut attempts: Vec<Option<TestRecord>> = attempts.into_iter().map(Some).collect();
        let mut merged = Vec::new();
        for entry in &self.entries {
            let outcome = merged_outcome(entry.outcomes);
            counts.record(outcome);
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

/// The outcome of a group of attempts.
pub(crate) fn merged_outcome(outcomes: u8) -> TestOutcome {
    let has = |o: TestOutcome| outcomes & bit(o) != 0;
    let green = has(TestOutcome::Passed) || has(TestOutcome::Flaky);
    let red = has(TestOutcome::Failed) || has(TestOutcome::Errored);
    if green && red || has(TestOutcome::Flaky) {
        TestOutcome::Flaky
    } else if has(TestOutcome::Failed) {
        TestOutcome::Failed
    } else if has(TestOutcome::Errored) {
        TestOutcome::Errored
    } else if has(TestOutcome::Passed) {
        TestOutcome::Passed
    } else {
        TestOutcome::Skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TestOutcome::*;

    fn merged(outcomes: &[TestOutcome]) -> TestOutcome {
        merged_outcome(outcomes.iter().fold(0, |m, o| m | bit(*o)))
    }

    #[test]
    fn pass_and_fail_is_flaky_in_either_order() {
        assert_eq!(merged(&[Passed, Failed]), Flaky);
        assert_eq!(merged(&[Failed, Passed]), Flaky);
        assert_eq!(merged(&[Errored, Passed]), Flaky);
        assert_eq!(merged(&[Failed, Flaky]), Flaky);
    }

    #[test]
    fn none_passed_is_the_worst_failure() {
        assert_eq!(merged(&[Failed, Failed]), Failed);
        assert_eq!(merged(&[Errored, Failed]), Failed);
        assert_eq!(merged(&[Errored, Errored]), Errored);
        assert_eq!(merged(&[Skipped, Failed]), Failed);
    }

    #[test]
    fn passes_and_skips() {
        assert_eq!(merged(&[Passed, Passed]), Passed);
        assert_eq!(merged(&[Skipped, Passed]), Passed);
        assert_eq!(merged(&[Skipped, Skipped]), Skipped);
        assert_eq!(merged(&[Passed]), Passed);
    }
}
