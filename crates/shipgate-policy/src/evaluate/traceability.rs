//! `traceability.production-defects`: every production defect created in the window has a test
//! that references it and ran green in this run.
//!
//! A test references a defect when the key is in its `classname.name` (ignoring case, `-`/`_`
//! folded, standing on its own) or in a `defect`/`issue`/`jira`/`bug` property of the testcase or
//! its suite. Green is passed or flaky (passed on a rerun), as in `regression.pass-rate`.
//! Production issues the tracker closed as not being defects need no test, and are listed.

use super::defects::{
    defect_entry, in_window, insert_defects, insert_not_defects, split_not_defects,
};
use super::result::{CheckRun, plural, test_entry, thousands};
use crate::raw::CheckSettings;
use crate::values::format_duration;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::defects::{
    fold_for_matching, folded_name_references_key, property_references_key,
};
use shipgate_model::{
    CheckResult, Defect, DefectEvidence, Origin, SourceState, TestEvidence, TestOutcome, TestRecord,
};
use std::time::Duration;

pub(crate) fn production_defects(
    window: Duration,
    settings: CheckSettings,
    defects: &SourceState<DefectEvidence>,
    tests: &SourceState<TestEvidence>,
    now: Timestamp,
) -> CheckResult {
    let check =
        CheckRun::new("traceability.production-defects", settings).with_unit(CheckUnit::Count);
    let threshold = json!(0);
    let defects = match check.source(defects, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let tests = match check.source(tests, threshold.clone()) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    let window_text = format_duration(window);
    let m = Traced::of(defects, tests, now, window);
    let mut details = Map::new();
    details.insert("window".into(), json!(window_text));
    let left_out = insert_traced(&mut details, tests, &m, now);
    let n = m.untraced.len() as u64;
    let passed = n == 0;
    let message = traced_message(&m, &window_text, left_out);
    let remedy = (!passed).then(|| traced_remedy(&m));
    check.measured(
        passed,
        json!(n),
        threshold,
        CheckUnit::Count,
        message,
        remedy,
        details,
    )
}

/// What `traceability.production-defects` measures over the window's production defects.
struct Traced<'e> {
    /// Production defects created in the window that need a test (not closed as not defects).
    production: Vec<&'e Defect>,
    /// Production defects closed as duplicates or not bugs: listed, need no test.
    excluded: Vec<&'e Defect>,
    /// `key → test`: the first green test that references each traced defect.
    traced: Map<String, Value>,
    /// Defects with no green referencing test, each with the referencing tests that did not
    /// pass: each one fails.
    untraced: Vec<(&'e Defect, Vec<&'e TestRecord>)>,
}

impl<'e> Traced<'e> {
    fn of(
        defects: &'e DefectEvidence,
        tests: &'e TestEvidence,
        now: Timestamp,
        window: Duration,
    ) -> Self {
        // A production issue closed as a duplicate or as not a bug needs no regression test of
        // its own (the defect it duplicates does); an open one always does.
        let (production, excluded) = split_not_defects(
            in_window(defects, now, window).filter(|d| d.origin == Origin::Production),
        );
        let names: Vec<String> = tests
            .tests
            .iter()
            .map(|t| fold_for_matching(&t.qualified_name()))
            .collect();
        let referencing = |d: &Defect| -> Vec<&TestRecord> {
            let key = fold_for_matching(d.key.trim());
            tests
                .tests
                .iter()
                .zip(&names)
                .filter(|(t, name)| {
                    folded_name_references_key(name, &key)
                        || t.defect_refs
                            .iter()
                            .any(|r| property_references_key(r, &d.key))
                })
                .map(|(t, _)| t)
                .collect()
        };
        let green = |t: &&TestRecord| matches!(t.outcome, TestOutcome::Passed | TestOutcome::Flaky);
        let mut untraced: Vec<(&Defect, Vec<&TestRecord>)> = Vec::new();
        let mut traced = Map::new();
        for d in &production {
            let refs = referencing(d);
            match refs.iter().find(|t| green(t)) {
                Some(t) => {
                    traced.insert(d.key.clone(), json!(t.qualified_name()));
                }
                None => untraced.push((d, refs)),
            }
        }
        Self {
            production,
            excluded,
            traced,
            untraced,
        }
    }
}

/// The count, the traced defects, the ones left out and the untraced ones with the tests that
/// referenced them but did not pass; returns the clause that names the ones left out.
fn insert_traced(
    details: &mut Map<String, Value>,
    tests: &TestEvidence,
    m: &Traced<'_>,
    now: Timestamp,
) -> Option<String> {
    details.insert("production_defects".into(), json!(m.production.len()));
    details.insert("traced".into(), Value::Object(m.traced.clone()));
    let left_out = insert_not_defects(details, &m.excluded, now);
    insert_defects(
        details,
        "untraced_defects",
        m.untraced.iter().map(|(d, _)| *d),
        now,
        |d, now| {
            let mut e = defect_entry(d, now);
            if let (Value::Object(entry), Some((_, refs))) =
                (&mut e, m.untraced.iter().find(|(u, _)| u.key == d.key))
                && !refs.is_empty()
            {
                // Referenced, but no referencing test ran green: say which ones did not.
                entry.insert(
                    "tests_not_passing".into(),
                    Value::Array(refs.iter().take(5).map(|t| test_entry(tests, t)).collect()),
                );
            }
            e
        },
    );
    left_out
}

/// How many of the window's production defects have no green test, and which were left out.
fn traced_message(m: &Traced<'_>, window_text: &str, left_out: Option<String>) -> String {
    let n = m.untraced.len() as u64;
    let message = if m.production.is_empty() {
        format!("no production defect was created in the last {window_text}")
    } else if n == 0 {
        format!(
            "every one of the {} created in the last {window_text} has a passing test that references it",
            plural(
                m.production.len() as u64,
                "production defect",
                "production defects"
            ),
        )
    } else {
        format!(
            "{} of {} created in the last {window_text} {} no test that references {} and passed in this run",
            thousands(n),
            plural(
                m.production.len() as u64,
                "production defect",
                "production defects"
            ),
            if n == 1 { "has" } else { "have" },
            if n == 1 { "it" } else { "them" },
        )
    };
    match left_out {
        Some(clause) => format!("{message} ({clause})"),
        None => message,
    }
}

/// How to name the first untraced defect in a test: in its name, or in a JUnit property.
fn traced_remedy(m: &Traced<'_>) -> String {
    let first = m
        .untraced
        .first()
        .map(|(d, _)| d.key.as_str())
        .unwrap_or("PAY-123");
    let property = format!("a JUnit property `<property name=\"defect\" value=\"{first}\"/>`");
    // A key such as `#42` cannot be written in most test names: suggest the property only.
    let how = if first.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        format!(
            "its key in the test's name (`test_{}_...`) or {property}",
            fold_for_matching(first).replace('-', "_")
        )
    } else {
        format!(
            "{property} (or set `sources.defects.key_prefix`, e.g. `GH-`, so that test names can carry the key)"
        )
    };
    format!(
        "write a regression test for each defect listed in the details that would have caught it, and name the defect in it: {how}; then make sure it runs and passes in this pipeline"
    )
}
