//! The quarantine, applied to this run: which entries hold, which expired, which are refused
//! because they match a critical-path test, and which failing tests they take out of the pass
//! rate. `regression.pass-rate` and `flaky.rate` read the same assessment; `critical-paths.passed`
//! never consults the quarantine at all, and only reports the refused entries.

use super::result::CheckRun;
use crate::raw::CriticalPath;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::{
    CheckResult, Quarantine, QuarantineEntry, SourceState, TestEvidence, TestRecord,
};
use std::collections::{BTreeMap, HashMap};

/// At most this many critical tests are named per refused entry.
const CRITICAL_LISTED: usize = 10;

/// Whether an entry quarantines anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EntryState {
    /// Unexpired and clear of critical paths: its failing tests are not counted.
    Active,
    /// Past its expiry: quarantines nothing.
    Expired,
    /// Matches a critical-path test: quarantines nothing (critical paths are never quarantined).
    Refused,
}

impl EntryState {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryState::Active => "active",
            EntryState::Expired => "expired",
            EntryState::Refused => "refused",
        }
    }
}

/// One entry, applied.
pub(crate) struct EntryAssessment<'a> {
    pub entry: &'a QuarantineEntry,
    pub state: EntryState,
    pub expired: bool,
    /// The critical-path tests it matches: (path, test).
    pub critical: Vec<(&'a str, &'a TestRecord)>,
    pub critical_total: usize,
    /// Failing tests of this run it matches, whatever its state.
    pub matching_failures: usize,
}

/// The quarantine applied to this run's tests.
pub(crate) struct Assessment<'a> {
    pub path: &'a str,
    pub entries: Vec<EntryAssessment<'a>>,
    /// Index into `TestEvidence::tests` of each failing test an active entry takes out of the
    /// pass rate, with the index of that entry.
    pub quarantined: HashMap<usize, usize>,
}

/// The quarantine as the checks see it: not configured, not loaded, or applied.
pub(crate) struct QuarantineView<'a> {
    state: &'a SourceState<Quarantine>,
    assessment: Option<Assessment<'a>>,
}

impl<'a> QuarantineView<'a> {
    pub fn new(
        state: &'a SourceState<Quarantine>,
        tests: &'a SourceState<TestEvidence>,
        paths: &'a BTreeMap<String, CriticalPath>,
        now: Timestamp,
    ) -> Self {
        let assessment = match (state, tests) {
            (SourceState::Loaded(q), SourceState::Loaded(t)) => Some(assess(q, t, paths, now)),
            _ => None,
        };
        Self { state, assessment }
    }

    /// `Ok(None)` when no quarantine is configured, the assessment when it was read, and the
    /// result that says why not when it is missing or unreadable: a check that reads the
    /// quarantine cannot decide without it.
    pub fn require(
        &self,
        check: &CheckRun,
        threshold: Value,
    ) -> Result<Option<&Assessment<'a>>, Box<CheckResult>> {
        match check.refinement(self.state, threshold)? {
            Some(_) => Ok(self.assessment.as_ref()),
            None => Ok(None),
        }
    }

    /// When the quarantine is configured but was not used (absent under `on_missing: warn`).
    pub fn unused_note(&self) -> Option<String> {
        CheckRun::unused_note(self.state, "the quarantine")
            .map(|n| format!("{n}, so no failure was left out"))
    }

    /// The assessment, when the quarantine and the tests were both read.
    pub fn assessment(&self) -> Option<&Assessment<'a>> {
        self.assessment.as_ref()
    }
}

fn assess<'a>(
    quarantine: &'a Quarantine,
    evidence: &'a TestEvidence,
    paths: &'a BTreeMap<String, CriticalPath>,
    now: Timestamp,
) -> Assessment<'a> {
    let names: Vec<String> = evidence.tests.iter().map(|t| t.qualified_name()).collect();
    // The first critical path each kept test is on (every critical test is kept).
    let on_path: Vec<Option<&str>> = names
        .iter()
        .map(|q| {
            paths
                .iter()
                .find(|(_, p)| p.covers(q))
                .map(|(name, _)| name.as_str())
        })
        .collect();
    let entries: Vec<EntryAssessment<'a>> = quarantine
        .entries
        .iter()
        .map(|entry| {
            let mut critical = Vec::new();
            let mut critical_total = 0;
            let mut matching_failures = 0;
            for (i, test) in evidence.tests.iter().enumerate() {
                if !entry.pattern.matches(&names[i]) {
                    continue;
                }
                if test.outcome.is_failure() {
                    matching_failures += 1;
                }
                if let Some(path) = on_path[i] {
                    critical_total += 1;
                    if critical.len() < CRITICAL_LISTED {
                        critical.push((path, test));
                    }
                }
            }
            let expired = entry.has_expired(now);
            let state = if critical_total > 0 {
                EntryState::Refused
            } else if expired {
                EntryState::Expired
            } else {
                EntryState::Active
            };
            EntryAssessment {
                entry,
                state,
                expired,
                critical,
                critical_total,
                matching_failures,
            }
        })
        .collect();
    let mut quarantined = HashMap::new();
    for (i, test) in evidence.tests.iter().enumerate() {
        if !test.outcome.is_failure() {
            continue;
        }
        if let Some(e) = entries
            .iter()
            .position(|e| e.state == EntryState::Active && e.entry.pattern.matches(&names[i]))
        {
            quarantined.insert(i, e);
        }
    }
    Assessment {
        path: &quarantine.path,
        entries,
        quarantined,
    }
}

impl Assessment<'_> {
    /// The entries in a given state.
    pub fn in_state(&self, state: EntryState) -> impl Iterator<Item = &EntryAssessment<'_>> {
        self.entries.iter().filter(move |e| e.state == state)
    }

    /// The first active entry that matches a qualified test name.
    pub fn active_entry_for(&self, qualified: &str) -> Option<&QuarantineEntry> {
        self.entries
            .iter()
            .find(|e| e.state == EntryState::Active && e.entry.pattern.matches(qualified))
            .map(|e| e.entry)
    }

    /// Every entry, for a check's details.
    pub fn details(&self) -> Value {
        Value::Array(
            self.entries
                .iter()
                .map(|e| {
                    let mut m = Map::new();
                    m.insert("pattern".into(), json!(e.entry.pattern.as_str()));
                    m.insert("owner".into(), json!(e.entry.owner));
                    m.insert("ticket".into(), json!(e.entry.ticket));
                    m.insert("expires".into(), json!(e.entry.expires));
                    m.insert("line".into(), json!(e.entry.line));
                    m.insert("state".into(), json!(e.state.as_str()));
                    m.insert("expired".into(), json!(e.expired));
                    m.insert("failing_tests".into(), json!(e.matching_failures));
                    if e.critical_total > 0 {
                        m.insert(
                            "critical_tests".into(),
                            Value::Array(
                                e.critical
                                    .iter()
                                    .map(|(path, t)| {
                                        json!(format!("{} ({path})", t.qualified_name()))
                                    })
                                    .collect(),
                            ),
                        );
                        m.insert("critical_tests_total".into(), json!(e.critical_total));
                    }
                    Value::Object(m)
                })
                .collect(),
        )
    }
}

/// `owner`, `ticket` and where the entry is, for a sentence: "`*Search*` (SEARCH-231,
/// search-team@acme.example, line 4)".
pub(crate) fn describe_entry(path: &str, e: &QuarantineEntry) -> String {
    format!(
        "`{}` ({}, {}, {path}:{})",
        e.pattern, e.ticket, e.owner, e.line
    )
}
