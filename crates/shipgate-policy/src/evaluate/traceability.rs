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
    // A production issue closed as a duplicate or as not a bug needs no regression test of its
    // own (the defect it duplicates does); an open one always does.
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
    let mut details = Map::new();
    details.insert("window".into(), json!(window_text));
    details.insert("production_defects".into(), json!(production.len()));
    details.insert("traced".into(), Value::Object(traced));
    let left_out = insert_not_defects(&mut details, &excluded, now);
    insert_defects(
        &mut details,
        "untraced_defects",
        untraced.iter().map(|(d, _)| *d),
        now,
        |d, now| {
            let mut e = defect_entry(d, now);
            if let (Value::Object(m), Some((_, refs))) =
                (&mut e, untraced.iter().find(|(u, _)| u.key == d.key))
                && !refs.is_empty()
            {
                // Referenced, but no referencing test ran green: say which ones did not.
                m.insert(
                    "tests_not_passing".into(),
                    Value::Array(refs.iter().take(5).map(|t| test_entry(tests, t)).collect()),
                );
            }
            e
        },
    );
    let n = untraced.len() as u64;
    let passed = n == 0;
    let message = if production.is_empty() {
        format!("no production defect was created in the last {window_text}")
    } else if passed {
        format!(
            "every one of the {} created in the last {window_text} has a passing test that references it",
            plural(
                production.len() as u64,
                "production defect",
                "production defects"
            ),
        )
    } else {
        format!(
            "{} of {} created in the last {window_text} {} no test that references {} and passed in this run",
            thousands(n),
            plural(
                production.len() as u64,
                "production defect",
                "production defects"
            ),
            if n == 1 { "has" } else { "have" },
            if n == 1 { "it" } else { "them" },
        )
    };
    let message = match left_out {
        Some(clause) => format!("{message} ({clause})"),
        None => message,
    };
    let remedy = (!passed).then(|| {
        let first = untraced
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
            format!("{property} (or set `sources.defects.key_prefix`, e.g. `GH-`, so that test names can carry the key)")
        };
        format!(
            "write a regression test for each defect listed in the details that would have caught it, and name the defect in it: {how}; then make sure it runs and passes in this pipeline"
        )
    });
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
