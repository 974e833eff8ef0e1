//! `flaky.rate`: flaky tests ÷ executed tests. Without history, a flaky test is one that failed
//! and then passed on a rerun in this run. With `sources.tests.history`, it is one that passed
//! and failed on the same commit, or flipped between pass and fail at least `min_flips` times
//! across the latest runs (this one included), ranked by flip rate. The quarantine is checked
//! here too: an expired entry, or one that matches a critical-path test, fails this check.

use super::quarantine::{Assessment, EntryState, QuarantineView, describe_entry};
use super::result::{CheckRun, LIST_LIMIT, insert_tests, plural, ratio, thousands};
use crate::raw::CheckSettings;
use crate::values::{Percent, format_percent};
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::{
    CheckResult, FlakyReason, FlakyTest, RunHistory, SourceState, TestEvidence, TestOutcome,
    TestRecord,
};
use std::collections::HashSet;

pub(crate) fn rate(
    max: Percent,
    settings: CheckSettings,
    tests: &SourceState<TestEvidence>,
    history: &SourceState<RunHistory>,
    min_flips: u32,
    quarantine: &QuarantineView<'_>,
) -> CheckResult {
    let check = CheckRun::new("flaky.rate", settings).with_unit(CheckUnit::Ratio);
    let threshold = json!(max.as_f64());
    let evidence = match check.source(tests, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let history_note = CheckRun::unused_note(history, "the history of earlier runs")
        .map(|n| format!("{n}, so only this run was judged"));
    let history = match check.refinement(history, threshold.clone()) {
        Ok(h) => h,
        Err(r) => return *r,
    };
    let assessment = match quarantine.require(&check, threshold.clone()) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let m = FlakyMeasure::of(evidence, history, min_flips, assessment);
    let details = flaky_details(evidence, history, min_flips, assessment, &m);
    if m.executed == 0 {
        return check.measured(
            false,
            Value::Null,
            threshold,
            CheckUnit::Ratio,
            "no test was executed, so the flaky rate cannot be measured".to_owned(),
            Some("make sure the test job ran and wrote its JUnit reports where `sources.tests.junit` looks".to_owned()),
            details,
        );
    }

    let rate_ok = max.not_exceeded_by(m.flaky, m.executed);
    let (sentences, fixes) = assessment.map_or_else(Default::default, quarantine_problems);
    let quarantine_ok = sentences.is_empty();
    let notes = [history_note, quarantine.unused_note()];
    let message = flaky_message(&m, max, history, &sentences, notes);
    let passed = rate_ok && quarantine_ok;
    let remedy = (!passed).then(|| flaky_remedy(&m, max, rate_ok, fixes));
    check.measured(
        passed,
        ratio(m.flaky, m.executed),
        threshold,
        CheckUnit::Ratio,
        message,
        remedy,
        details,
    )
}

/// The flaky tests `flaky.rate` found: ranked by the history, or this run's reruns.
enum Found<'e> {
    Ranked(&'e RunHistory, Vec<FlakyTest<'e>>),
    InRun(Vec<&'e TestRecord>),
}

/// What `flaky.rate` measures.
struct FlakyMeasure<'e> {
    /// Tests executed in this run.
    executed: u64,
    /// Tests that passed only on a rerun in this run.
    flaky_in_this_run: u64,
    /// Quarantined tests that failed, in evidence order.
    quarantined: Vec<&'e TestRecord>,
    found: Found<'e>,
    /// Earlier runs in the history, when there is one.
    earlier_runs: Option<u64>,
    /// Quarantined failures that are not among the flaky tests found.
    extra_quarantined: u64,
    /// The flaky tests found plus `extra_quarantined`: the numerator of the rate.
    flaky: u64,
}

impl<'e> FlakyMeasure<'e> {
    fn of(
        evidence: &'e TestEvidence,
        history: Option<&'e RunHistory>,
        min_flips: u32,
        assessment: Option<&Assessment<'_>>,
    ) -> Self {
        let c = &evidence.totals;
        // A quarantined test that failed is a known-flaky test: its failure leaves the pass rate
        // and counts here instead, so a quarantine cannot make failures disappear.
        let quarantined: Vec<&TestRecord> = assessment.map_or_else(Vec::new, |a| {
            let mut indices: Vec<usize> = a.quarantined.keys().copied().collect();
            indices.sort_unstable();
            indices
                .into_iter()
                .filter_map(|i| evidence.tests.get(i))
                .collect()
        });
        let (found, detected_count, detected) = match history {
            Some(h) => {
                let ranked = in_this_run(h, h.flaky(min_flips));
                let names: HashSet<(&str, &str, &str)> = ranked
                    .iter()
                    .map(|f| {
                        (
                            f.test.suite.as_str(),
                            f.test.classname.as_str(),
                            f.test.name.as_str(),
                        )
                    })
                    .collect();
                (Found::Ranked(h, ranked), names.len() as u64, names)
            }
            None => {
                let in_run: Vec<&TestRecord> = evidence
                    .tests
                    .iter()
                    .filter(|t| t.outcome == TestOutcome::Flaky)
                    .collect();
                // Every flaky testcase counts (two rows of one name are two tests here); a
                // quarantined failure is never one of them.
                let names = in_run
                    .iter()
                    .map(|t| (t.suite.as_str(), t.classname.as_str(), t.name.as_str()))
                    .collect();
                (Found::InRun(in_run), c.flaky, names)
            }
        };
        let extra_quarantined = quarantined
            .iter()
            .filter(|t| {
                !detected.contains(&(t.suite.as_str(), t.classname.as_str(), t.name.as_str()))
            })
            .count() as u64;
        Self {
            executed: c.executed(),
            flaky_in_this_run: c.flaky,
            quarantined,
            found,
            earlier_runs: history.map(|h| h.runs.iter().filter(|r| !r.current).count() as u64),
            extra_quarantined,
            flaky: detected_count + extra_quarantined,
        }
    }
}

/// The counts first, then the flaky tests found, the history read and the quarantine.
fn flaky_details(
    evidence: &TestEvidence,
    history: Option<&RunHistory>,
    min_flips: u32,
    assessment: Option<&Assessment<'_>>,
    m: &FlakyMeasure<'_>,
) -> Map<String, Value> {
    // `flaky` first, as before history and quarantine existed.
    let mut details = Map::new();
    details.insert("flaky".into(), json!(m.flaky));
    details.insert("executed".into(), json!(m.executed));
    if history.is_some() {
        details.insert("flaky_in_this_run".into(), json!(m.flaky_in_this_run));
    }
    if assessment.is_some() {
        details.insert("quarantined_failures".into(), json!(m.quarantined.len()));
    }
    match &m.found {
        Found::Ranked(h, ranked) => {
            insert_ranked(&mut details, h, ranked, assessment);
            details.insert("history".into(), history_details(h, min_flips));
        }
        Found::InRun(in_run) => {
            insert_tests(
                &mut details,
                "flaky_tests",
                evidence,
                in_run.iter().copied(),
            );
        }
    }
    if let Some(a) = assessment {
        details.insert("quarantine".into(), a.details());
    }
    details
}

/// The rate against the maximum, then the quarantine's problems and the notes.
fn flaky_message(
    m: &FlakyMeasure<'_>,
    max: Percent,
    history: Option<&RunHistory>,
    quarantine_sentences: &[String],
    notes: [Option<String>; 2],
) -> String {
    let across = m.earlier_runs.map_or_else(String::new, |earlier| {
        format!(
            " across this run and {}",
            plural(earlier, "earlier run", "earlier runs")
        )
    });
    let counting = if m.extra_quarantined > 0 {
        format!(
            ", counting {} of quarantined tests",
            plural(m.extra_quarantined, "failure", "failures")
        )
    } else {
        String::new()
    };
    let mut message = format!(
        "{} of {} executed tests {} flaky ({}){across}{counting}; the maximum is {max}",
        thousands(m.flaky),
        thousands(m.executed),
        match (history.is_some(), m.flaky == 1) {
            (false, _) => "were",
            (true, true) => "is",
            (true, false) => "are",
        },
        format_percent(m.flaky as f64 / m.executed as f64),
    );
    for s in quarantine_sentences {
        message.push_str("; ");
        message.push_str(s);
    }
    if let Some(h) = history
        && let Some((before, after)) = h.out_of_order().first()
    {
        message.push_str(&format!(
            "; note: run `{}` is named after run `{}` but ran before it, so the run folders may not be named in run order and flips may be miscounted",
            after.name, before.name
        ));
    }
    for note in notes.into_iter().flatten() {
        message.push_str("; ");
        message.push_str(&note);
    }
    message
}

/// How many flaky tests must go when the rate is over, then the quarantine's fixes.
fn flaky_remedy(m: &FlakyMeasure<'_>, max: Percent, rate_ok: bool, fixes: Vec<String>) -> String {
    let mut remedies = Vec::new();
    if !rate_ok {
        let allowed = max.max_part_of(m.executed);
        remedies.push(format!(
            "{} fewer flaky tests are needed to get within {max}: fix the ones listed in the details, highest flip rate first; each one trains people to re-run red builds until they are green",
            thousands(m.flaky.saturating_sub(allowed))
        ));
    }
    remedies.extend(fixes);
    remedies.join("; ")
}

/// The flaky tests that are part of this run (all of them when the history has no current run).
fn in_this_run<'a>(h: &RunHistory, flaky: Vec<FlakyTest<'a>>) -> Vec<FlakyTest<'a>> {
    if h.current_run().is_none() {
        return flaky;
    }
    flaky.into_iter().filter(|f| f.in_current_run).collect()
}

/// The flaky tests, ranked by flip rate, with their last failure and any quarantine entry.
fn insert_ranked(
    details: &mut Map<String, Value>,
    h: &RunHistory,
    ranked: &[FlakyTest<'_>],
    assessment: Option<&Assessment<'_>>,
) {
    let list = ranked
        .iter()
        .take(LIST_LIMIT)
        .map(|f| {
            let summary = f.summary(h);
            // One readable line for renderers that show a test as `name: message`.
            let mut line = format!(
                "flip rate {}: {} in {} ({})",
                format_percent(summary.flip_rate),
                plural(u64::from(f.flips), "flip", "flips"),
                plural(u64::from(f.runs), "run", "runs"),
                f.reasons
                    .iter()
                    .map(|r| reason_text(*r))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if let Some(last) = &summary.last_failure {
                line.push_str(&format!("; last failed in run {}", last.run));
                if let Some(m) = &last.message {
                    line.push_str(&format!(": {m}"));
                }
            }
            let quarantined = assessment.and_then(|a| a.active_entry_for(&f.test.qualified_name()));
            let mut v = serde_json::to_value(summary).unwrap_or(Value::Null);
            if let Value::Object(m) = &mut v {
                if let Some(entry) = quarantined {
                    m.insert("quarantined".into(), json!(entry.pattern.as_str()));
                }
                m.insert("message".into(), json!(line));
            }
            v
        })
        .collect();
    details.insert("flaky_tests".into(), Value::Array(list));
    details.insert("flaky_tests_total".into(), json!(ranked.len()));
}

fn reason_text(r: FlakyReason) -> &'static str {
    match r {
        FlakyReason::RerunPassed => "passed on a rerun",
        FlakyReason::SameCommit => "passed and failed on one commit",
        FlakyReason::Flips => "flips",
    }
}

fn history_details(h: &RunHistory, min_flips: u32) -> Value {
    let earlier: Vec<&str> = h
        .runs
        .iter()
        .filter(|r| !r.current)
        .map(|r| r.name.as_str())
        .collect();
    let mut m = Map::new();
    m.insert("runs_read".into(), json!(earlier.len()));
    m.insert("runs_available".into(), json!(h.runs_available));
    if let (Some(first), Some(last)) = (earlier.first(), earlier.last()) {
        m.insert("oldest_run".into(), json!(first));
        m.insert("latest_run".into(), json!(last));
    }
    m.insert("tests_seen".into(), json!(h.tests));
    m.insert("tests_that_failed".into(), json!(h.failed_tests.len()));
    m.insert("min_flips".into(), json!(min_flips));
    m.insert(
        "runs_with_commit".into(),
        json!(h.runs.iter().filter(|r| r.commit.is_some()).count()),
    );
    // Each run's counts, oldest first, this run last: the pass and flaky rates across the runs
    // that the report's charts draw (at most `history_runs` + 1 entries).
    m.insert(
        "runs".into(),
        Value::Array(
            h.runs
                .iter()
                .map(|r| {
                    json!({
                        "name": r.name,
                        "commit": r.commit,
                        "current": r.current,
                        "executed": r.counts.executed(),
                        "passed": r.counts.passed,
                        "flaky": r.counts.flaky,
                        "failed": r.counts.failed,
                        "errored": r.counts.errored,
                        "skipped": r.counts.skipped,
                    })
                })
                .collect(),
        ),
    );
    Value::Object(m)
}

/// Sentences for the message and remedies for expired and refused entries.
fn quarantine_problems(a: &Assessment<'_>) -> (Vec<String>, Vec<String>) {
    let mut sentences = Vec::new();
    let mut fixes = Vec::new();
    let expired: Vec<String> = a
        .in_state(EntryState::Expired)
        .map(|e| {
            format!(
                "{} expired {}",
                describe_entry(a.path, e.entry),
                e.entry.expires
            )
        })
        .collect();
    if !expired.is_empty() {
        sentences.push(format!(
            "{} expired and {} nothing: {}",
            plural(
                expired.len() as u64,
                "quarantine entry",
                "quarantine entries"
            ),
            if expired.len() == 1 {
                "quarantines"
            } else {
                "quarantine"
            },
            expired.join(", ")
        ));
        fixes.push("fix the tests of an expired quarantine entry and remove it, or renew it with a new date in review".to_owned());
    }
    let refused: Vec<String> = a
        .in_state(EntryState::Refused)
        .map(|e| {
            let tests: Vec<String> = e
                .critical
                .iter()
                .take(3)
                .map(|(path, t)| format!("`{}` ({path})", t.qualified_name()))
                .collect();
            format!(
                "{} matches {}: {}{}",
                describe_entry(a.path, e.entry),
                plural(
                    e.critical_total as u64,
                    "critical-path test",
                    "critical-path tests"
                ),
                tests.join(", "),
                if e.critical_total > tests.len() {
                    ", ..."
                } else {
                    ""
                }
            )
        })
        .collect();
    if !refused.is_empty() {
        sentences.push(format!(
            "{} refused because critical paths are never quarantined: {}",
            plural(
                refused.len() as u64,
                "quarantine entry is",
                "quarantine entries are"
            ),
            refused.join("; ")
        ));
        fixes.push("narrow the refused quarantine entry so that it matches no critical-path test, and fix the critical test instead".to_owned());
    }
    (sentences, fixes)
}
