//! The risk report (`shipgate risk`) and `risk.coverage`: each area's factors measured from the
//! evidence, scored and ranked by `shipgate-risk`, with its tests in this run, its production
//! defects, and the coverage-gap map (production defects no passing test names).
//!
//! Every factor's evidence is checked for presence here, and an absence is a
//! [`Measure::Missing`] with the reason, which `shipgate-risk` scores at the worst value: a
//! tracker that was not read, an area that names no files, a complexity report that measured
//! none of them. Nothing missing ever reads as zero risk.

use super::defects::{in_window, split_not_defects};
use super::leakage::on_path;
use super::result::{CheckRun, LIST_LIMIT, plural, thousands};
use crate::policy::Policy;
use crate::raw::CheckSettings;
use crate::risk::{Area, RiskModel};
use crate::values::format_duration;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::defects::{
    fold_for_matching, folded_name_references_key, property_references_key,
};
use shipgate_model::{
    CheckResult, ChurnEvidence, ComplexityEvidence, Defect, DefectEvidence, EvidenceSet, Origin,
    RunHistory, SourceState, TestEvidence, TestOutcome, TestRecord,
};
use shipgate_risk::report::{
    AreaReport, CoverageGap, EvidenceNote, Formula, RiskReport, SCHEMA_VERSION, TestTally,
    UntestedArea,
};
use shipgate_risk::{AreaFactors, Factor, Measure, RiskLevel};
use std::collections::BTreeMap;

/// How much a defect weighs in `defect_frequency`, by where it was found. A defect whose
/// origin the tracker does not say could have escaped: it weighs as a production one.
const PRODUCTION_WEIGHT: f64 = 3.0;
const PRE_PRODUCTION_WEIGHT: f64 = 1.0;
const UNKNOWN_ORIGIN_WEIGHT: f64 = 3.0;

/// The risk report of `policy` on `evidence` at `now`. `changed` lists the files a change
/// touches (relative to the policy's folder), for `shipgate risk plan --base`.
pub fn risk_report(
    policy: &Policy,
    evidence: &EvidenceSet,
    now: Timestamp,
    changed: Option<&[String]>,
) -> RiskReport {
    let model = policy.risk_model();
    let window = format_duration(model.window);
    let tests = evidence.tests.loaded();
    let defects = evidence.defects.loaded();
    let names: Vec<String> = tests
        .map(|t| {
            t.tests
                .iter()
                .map(|r| fold_for_matching(&r.qualified_name()))
                .collect()
        })
        .unwrap_or_default();
    let mut production: Vec<&Defect> = Vec::new();
    let mut counted: Vec<&Defect> = Vec::new();
    if let Some(d) = defects {
        let (kept, _) = split_not_defects(in_window(d, now, model.window));
        production = kept
            .iter()
            .copied()
            .filter(|d| d.origin == Origin::Production)
            .collect();
        counted = kept;
    }
    let measured: Vec<AreaFactors> = model
        .areas
        .iter()
        .map(|area| AreaFactors {
            name: area.name.clone(),
            critical: area.critical,
            measures: [
                revenue_impact(area),
                defect_frequency(area, &evidence.defects, &counted, &window),
                failure_history(area, &evidence.history),
                complexity(area, &evidence.complexity),
                churn(area, &evidence.churn),
            ],
        })
        .collect();
    let ranked = shipgate_risk::rank(measured, &model.scales);
    let by_name: BTreeMap<&str, &Area> = model.areas.iter().map(|a| (a.name.as_str(), a)).collect();
    let traced = |d: &Defect| -> (bool, Vec<&TestRecord>) {
        let Some(t) = tests else {
            return (false, Vec::new());
        };
        let refs = references(d, t, &names);
        let green = refs
            .iter()
            .any(|r| matches!(r.outcome, TestOutcome::Passed | TestOutcome::Flaky));
        (green, refs)
    };
    let mut areas = Vec::new();
    let mut untested_areas = Vec::new();
    for scored in &ranked {
        let Some(area) = by_name.get(scored.name.as_str()) else {
            continue;
        };
        let mut r = AreaReport::from_scored(scored);
        r.test_patterns = area
            .path
            .tests
            .iter()
            .map(|p| p.0.as_str().to_owned())
            .collect();
        r.files = area.files.iter().map(|g| g.as_str().to_owned()).collect();
        r.tests = tests.map(|t| tally(area, t));
        if let Some(mapping) = &area.path.defects {
            for d in production.iter().filter(|d| on_path(d, mapping)) {
                r.production_defects.push(d.key.clone());
                if !traced(d).0 {
                    r.untested_production_defects.push(d.key.clone());
                }
            }
        }
        r.changed = changed.map(|files| files.iter().any(|f| area.owns_file(f)));
        if let Some(u) = untested(scored, &r, tests.is_some()) {
            untested_areas.push(u);
        }
        areas.push(r);
    }
    let coverage_gaps = production
        .iter()
        .filter_map(|d| {
            let (green, refs) = traced(d);
            (!green).then(|| gap(d, &ranked_areas_of(d, model, &ranked), refs))
        })
        .collect();
    RiskReport {
        schema_version: SCHEMA_VERSION,
        release: policy.release.name.clone(),
        evaluated_at: now.to_string(),
        window: window.clone(),
        formula: Formula::of(
            &model.scales,
            BTreeMap::from([
                ("production", PRODUCTION_WEIGHT),
                ("pre_production", PRE_PRODUCTION_WEIGHT),
                ("unknown_origin", UNKNOWN_ORIGIN_WEIGHT),
            ]),
        ),
        evidence: vec![
            note("tests", &evidence.tests, |t| {
                format!(
                    "{} in {}",
                    plural(t.totals.tests, "test", "tests"),
                    plural(t.files.len() as u64, "file", "files")
                )
            }),
            note("history", &evidence.history, |h| {
                format!(
                    "{} ({} failed at least once)",
                    plural(h.runs.len() as u64, "run", "runs"),
                    plural(h.failed_tests.len() as u64, "test", "tests")
                )
            }),
            note("defects", &evidence.defects, |d| {
                format!(
                    "{} in the tracker, {} of them production defects created in the last {window}",
                    plural(d.defects.len() as u64, "defect", "defects"),
                    thousands(production.len() as u64)
                )
            }),
            note("complexity", &evidence.complexity, |c| {
                format!(
                    "{} measured",
                    plural(c.functions.len() as u64, "function", "functions")
                )
            }),
            note("churn", &evidence.churn, |c| {
                format!(
                    "{} from {} to {} (HEAD {})",
                    plural(c.commits.len() as u64, "commit", "commits"),
                    c.since,
                    c.until,
                    c.head.get(..12).unwrap_or(&c.head)
                )
            }),
        ],
        areas,
        coverage_gaps,
        untested_areas,
    }
}

/// The areas a defect is on, riskiest first.
fn ranked_areas_of<'a>(
    d: &Defect,
    model: &'a RiskModel,
    ranked: &[shipgate_risk::ScoredArea],
) -> Vec<&'a Area> {
    ranked
        .iter()
        .filter_map(|s| model.areas.iter().find(|a| a.name == s.name))
        .filter(|a| a.path.defects.as_ref().is_some_and(|m| on_path(d, m)))
        .collect()
}

fn note<T>(source: &str, state: &SourceState<T>, loaded: impl Fn(&T) -> String) -> EvidenceNote {
    let (state, message) = match state {
        SourceState::Loaded(t) => ("loaded", loaded(t)),
        SourceState::NotConfigured => ("not-configured", "not configured in `sources`".to_owned()),
        SourceState::Missing(p) => ("missing", p.describe()),
        SourceState::Unreadable(p) => (
            "unreadable",
            p.iter()
                .map(|p| p.describe())
                .collect::<Vec<_>>()
                .join("; "),
        ),
    };
    EvidenceNote {
        source: source.to_owned(),
        state: state.to_owned(),
        message,
    }
}

/// Why a factor's evidence is not there: the source's state, in words.
fn absent<T>(state: &SourceState<T>, what: &str, key: &str) -> Option<String> {
    match state {
        SourceState::Loaded(_) => None,
        SourceState::NotConfigured => Some(format!("no {what}: `{key}` is not configured")),
        SourceState::Missing(p) => Some(format!("no {what}: {}", p.describe())),
        SourceState::Unreadable(p) => Some(format!(
            "no {what}: {}",
            p.first().map(|p| p.describe()).unwrap_or_default()
        )),
    }
}

fn revenue_impact(area: &Area) -> Measure {
    match area.revenue_impact {
        Some(level) => Measure::Present {
            raw: f64::from(level.level()),
            detail: level.as_str().to_owned(),
        },
        None => Measure::Missing(if area.critical {
            "`revenue_impact` is not set (a critical path: move it to `risk.areas` with `critical: true` to state it)".to_owned()
        } else {
            "`revenue_impact` is not set".to_owned()
        }),
    }
}

fn defect_frequency(
    area: &Area,
    state: &SourceState<DefectEvidence>,
    counted: &[&Defect],
    window: &str,
) -> Measure {
    if let Some(why) = absent(state, "defects", "sources.defects") {
        return Measure::Missing(why);
    }
    let Some(mapping) = area
        .path
        .defects
        .as_ref()
        .filter(|m| !m.components.is_empty() || !m.labels.is_empty())
    else {
        return Measure::Missing(
            "the area names no `defects` (components or labels), so none can be counted".to_owned(),
        );
    };
    let (mut prod, mut pre, mut unknown) = (0u64, 0u64, 0u64);
    for d in counted.iter().filter(|d| on_path(d, mapping)) {
        match d.origin {
            Origin::Production => prod += 1,
            Origin::PreProduction => pre += 1,
            Origin::Unknown => unknown += 1,
        }
    }
    let raw = prod as f64 * PRODUCTION_WEIGHT
        + pre as f64 * PRE_PRODUCTION_WEIGHT
        + unknown as f64 * UNKNOWN_ORIGIN_WEIGHT;
    let mut detail = format!(
        "{} production × {PRODUCTION_WEIGHT} + {} pre-production × {PRE_PRODUCTION_WEIGHT}",
        thousands(prod),
        thousands(pre)
    );
    if unknown > 0 {
        detail.push_str(&format!(
            " + {} of unknown origin × {UNKNOWN_ORIGIN_WEIGHT}",
            thousands(unknown)
        ));
    }
    detail.push_str(&format!(" defects created in the last {window}"));
    Measure::Present { raw, detail }
}

fn failure_history(area: &Area, state: &SourceState<RunHistory>) -> Measure {
    if let Some(why) = absent(state, "history of earlier runs", "sources.tests.history") {
        return Measure::Missing(why);
    }
    let SourceState::Loaded(history) = state else {
        return Measure::Missing("no history of earlier runs".to_owned());
    };
    if area.path.tests.is_empty() {
        return Measure::Missing("the area names no tests, so it has no test history".to_owned());
    }
    let runs = history.runs.len().min(shipgate_model::history::MAX_RUNS);
    let mask = if runs >= 64 {
        u64::MAX
    } else {
        (1u64 << runs) - 1
    };
    let (mut failed, mut flips, mut tests) = (0u64, 0u64, 0u64);
    for t in &history.failed_tests {
        if !area.path.covers(&t.qualified_name()) {
            continue;
        }
        tests += 1;
        failed += u64::from((t.failed & mask).count_ones());
        flips += u64::from(t.flips(runs).0);
    }
    Measure::Present {
        raw: (failed + flips) as f64,
        detail: if tests == 0 {
            format!(
                "none of its tests failed across {}",
                plural(runs as u64, "run", "runs")
            )
        } else {
            format!(
                "{} and {} of {} across {}",
                plural(failed, "failed run", "failed runs"),
                plural(flips, "flip", "flips"),
                plural(tests, "test", "tests"),
                plural(runs as u64, "run", "runs")
            )
        },
    }
}

fn complexity(area: &Area, state: &SourceState<ComplexityEvidence>) -> Measure {
    if let Some(why) = absent(state, "complexity report", "sources.complexity") {
        return Measure::Missing(why);
    }
    let SourceState::Loaded(c) = state else {
        return Measure::Missing("no complexity report".to_owned());
    };
    if area.files.is_empty() {
        return Measure::Missing(
            "the area names no `files`, so its complexity cannot be counted".to_owned(),
        );
    }
    let functions: Vec<_> = c
        .functions
        .iter()
        .filter(|f| area.owns_file(&f.file))
        .collect();
    let Some(top) = functions.iter().max_by_key(|f| f.ccn) else {
        return Measure::Missing(format!(
            "the complexity reports measure none of the area's files ({}): run the tool on them",
            globs(area)
        ));
    };
    let sum: u64 = functions.iter().map(|f| u64::from(f.ccn)).sum();
    Measure::Present {
        raw: sum as f64,
        detail: format!(
            "{}, cyclomatic complexity {} in all, at most {} (`{}` in {}{})",
            plural(functions.len() as u64, "function", "functions"),
            thousands(sum),
            top.ccn,
            top.function,
            top.file,
            top.line.map(|l| format!(":{l}")).unwrap_or_default()
        ),
    }
}

fn churn(area: &Area, state: &SourceState<ChurnEvidence>) -> Measure {
    if let Some(why) = absent(state, "git history", "sources.churn") {
        return Measure::Missing(why);
    }
    let SourceState::Loaded(c) = state else {
        return Measure::Missing("no git history".to_owned());
    };
    if area.files.is_empty() {
        return Measure::Missing(
            "the area names no `files`, so its churn cannot be counted".to_owned(),
        );
    }
    let tracked = c.tracked.iter().filter(|f| area.owns_file(f)).count();
    if tracked == 0 {
        return Measure::Missing(format!(
            "the area's files ({}) match no file git tracks: correct the globs (they are relative to the policy file's folder)",
            globs(area)
        ));
    }
    let (mut commits, mut lines) = (0u64, 0u64);
    for commit in &c.commits {
        let mine: Vec<_> = commit
            .files
            .iter()
            .filter(|f| area.owns_file(&f.path))
            .collect();
        if !mine.is_empty() {
            commits += 1;
            lines += mine
                .iter()
                .map(|f| f.added.unwrap_or(0) + f.deleted.unwrap_or(0))
                .sum::<u64>();
        }
    }
    Measure::Present {
        raw: commits as f64,
        detail: format!(
            "{} changed its {} ({} lines added or deleted)",
            plural(commits, "commit", "commits"),
            plural(tracked as u64, "file", "files"),
            thousands(lines)
        ),
    }
}

fn globs(area: &Area) -> String {
    area.files
        .iter()
        .map(|g| format!("`{}`", g.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn tally(area: &Area, tests: &TestEvidence) -> TestTally {
    let mut t = TestTally::default();
    if area.path.tests.is_empty() {
        return t;
    }
    for r in tests
        .tests
        .iter()
        .filter(|r| area.path.covers(&r.qualified_name()))
    {
        match r.outcome {
            TestOutcome::Passed => t.passed += 1,
            TestOutcome::Flaky => t.flaky += 1,
            TestOutcome::Failed | TestOutcome::Errored => t.failed += 1,
            TestOutcome::Skipped => t.skipped += 1,
        }
    }
    t.executed = t.passed + t.flaky + t.failed;
    t
}

/// The tests of this run that reference `d` (its key in the name, or a defect property).
fn references<'a>(d: &Defect, tests: &'a TestEvidence, folded: &[String]) -> Vec<&'a TestRecord> {
    let key = fold_for_matching(d.key.trim());
    tests
        .tests
        .iter()
        .zip(folded)
        .filter(|(t, name)| {
            folded_name_references_key(name, &key)
                || t.defect_refs
                    .iter()
                    .any(|r| property_references_key(r, &d.key))
        })
        .map(|(t, _)| t)
        .collect()
}

/// `second_partial_refund_can_exceed`: the first words of a title, as a test name takes them.
fn slug(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("_")
}

fn gap(d: &Defect, areas: &[&Area], refs: Vec<&TestRecord>) -> CoverageGap {
    let first = areas.first();
    let test_location = first.and_then(|a| {
        a.test_location
            .clone()
            .or_else(|| a.path.tests.first().map(|p| p.0.as_str().to_owned()))
    });
    let words = slug(&d.title);
    let key = fold_for_matching(d.key.trim()).replace('-', "_");
    let suggested_test = if key.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        let key: String = key
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if words.is_empty() {
            format!("test_{key}")
        } else {
            format!("test_{key}_{words}")
        }
    } else {
        // `#42` cannot stand in a test name: the property carries it.
        format!(
            "test_{} with <property name=\"defect\" value=\"{}\"/>",
            if words.is_empty() {
                "regression"
            } else {
                &words
            },
            d.key
        )
    };
    CoverageGap {
        key: d.key.clone(),
        title: d.title.clone(),
        severity: d.severity.as_str().to_owned(),
        status: d.status.as_str().to_owned(),
        created: d.created.to_string(),
        url: d.url.clone(),
        areas: areas.iter().map(|a| a.name.clone()).collect(),
        test_location,
        suggested_test,
        tests_not_passing: refs
            .iter()
            .take(5)
            .map(|t| format!("{} ({})", t.qualified_name(), t.outcome.as_str()))
            .collect(),
    }
}

fn untested(
    scored: &shipgate_risk::ScoredArea,
    r: &AreaReport,
    have_tests: bool,
) -> Option<UntestedArea> {
    let raw = |f: Factor| scored.factor(f).and_then(|s| s.raw);
    let (complexity, churn) = (raw(Factor::Complexity), raw(Factor::Churn));
    let reason = match r.tests {
        None if have_tests => return None,
        None => "no test results were read, so no test of it is known to have run".to_owned(),
        Some(t) if t.executed > 0 => return None,
        Some(t) if t.skipped == 1 => "its one test was skipped".to_owned(),
        Some(t) if t.skipped > 0 => format!("its {} tests were all skipped", thousands(t.skipped)),
        Some(_) if r.test_patterns.is_empty() => "it names no tests".to_owned(),
        Some(_) => "no test matched its patterns in this run".to_owned(),
    };
    let measured = match (complexity, churn) {
        (Some(c), Some(n)) => format!("complexity {c} and {n} commits, but {reason}"),
        (Some(c), None) => format!("complexity {c} (churn not measured), but {reason}"),
        (None, Some(n)) => format!("{n} commits (complexity not measured), but {reason}"),
        (None, None) => format!("complexity and churn not measured, and {reason}"),
    };
    Some(UntestedArea {
        name: r.name.clone(),
        complexity,
        churn,
        reason: measured,
    })
}

/// `risk.coverage`: every area at or above `min_level`, and every critical area, executed at
/// least `min_tests` tests, skipped none, and has no production defect in the window that no
/// passing test names.
pub(crate) fn coverage(
    policy: &Policy,
    evidence: &EvidenceSet,
    now: Timestamp,
    min_level: RiskLevel,
    min_tests: u64,
    settings: CheckSettings,
) -> CheckResult {
    let check = CheckRun::new("risk.coverage", settings).with_unit(CheckUnit::Count);
    let threshold = json!(0);
    if let Err(r) = check.source(&evidence.tests, threshold.clone()) {
        return *r;
    }
    if let Err(r) = check.source(&evidence.defects, threshold.clone()) {
        return *r;
    }
    // The factors' own sources: configured but absent blocks (as `on_missing` says); not
    // configured, the factor is scored at its worst, which can only put more areas in scope.
    let mut unused = Vec::new();
    macro_rules! refine {
        ($state:expr, $what:expr) => {
            match check.refinement($state, threshold.clone()) {
                Err(r) => return *r,
                Ok(_) => {
                    if let Some(n) = CheckRun::unused_note($state, $what) {
                        unused.push(n);
                    }
                }
            }
        };
    }
    refine!(&evidence.history, "the history of earlier runs");
    refine!(&evidence.complexity, "the complexity report");
    refine!(&evidence.churn, "the git history");
    let report = risk_report(policy, evidence, now, None);
    let mut problems = 0u64;
    let mut first: Option<String> = None;
    let mut in_scope = Map::new();
    let mut out_of_scope = Vec::new();
    for a in &report.areas {
        if a.level < min_level && !a.critical {
            out_of_scope.push(json!({"name": a.name, "score": a.score, "level": a.level}));
            continue;
        }
        let found = area_problems(a, min_tests);
        problems += found.len() as u64;
        if first.is_none() && !found.is_empty() {
            first = Some(area_lead(a, &found));
        }
        in_scope.insert(a.name.clone(), area_details(a, found));
    }
    let checked = in_scope.len() as u64;
    let passed = problems == 0;
    let message = coverage_message(first.as_deref(), checked, min_level, min_tests, &unused);
    let remedy = (!passed).then(|| {
        "run (and un-skip) the tests of the areas listed in the details, and write a regression test for each listed production defect that names it (`test_pay_123_...` or a `defect` JUnit property); `shipgate risk` shows the coverage-gap map with the test each defect calls for".to_owned()
    });
    let mut details = Map::new();
    details.insert("min_level".into(), json!(min_level));
    details.insert("min_tests".into(), json!(min_tests));
    details.insert("window".into(), json!(report.window));
    details.insert("areas".into(), Value::Object(in_scope));
    if !out_of_scope.is_empty() {
        out_of_scope.truncate(LIST_LIMIT);
        details.insert("below_level".into(), Value::Array(out_of_scope));
    }
    check.measured(
        passed,
        json!(problems),
        threshold,
        CheckUnit::Count,
        message,
        remedy,
        details,
    )
}

/// What an area in scope lacks, one entry per problem: too few tests executed, tests skipped,
/// production defects that no passing test names.
fn area_problems(a: &AreaReport, min_tests: u64) -> Vec<String> {
    let t = a.tests.unwrap_or_default();
    let mut found = Vec::new();
    if t.executed < min_tests {
        found.push(format!(
            "ran {} (needs at least {min_tests})",
            plural(t.executed, "test", "tests")
        ));
    }
    if t.skipped > 0 {
        found.push(format!("skipped {}", plural(t.skipped, "test", "tests")));
    }
    if !a.untested_production_defects.is_empty() {
        found.push(format!(
            "{} no passing test names: {}",
            plural(
                a.untested_production_defects.len() as u64,
                "production defect",
                "production defects"
            ),
            a.untested_production_defects
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    found
}

/// The message's lead for the first area with a problem: the area, its risk and its problems.
fn area_lead(a: &AreaReport, found: &[String]) -> String {
    format!(
        "area `{}` ({} risk, score {:.1}{}) {}",
        a.name,
        a.level.as_str(),
        a.score,
        if a.critical { ", critical" } else { "" },
        found.join("; ")
    )
}

/// An area in scope in the details: its rank, score, level, tests, untested defects, missing
/// factors and problems.
fn area_details(a: &AreaReport, found: Vec<String>) -> Value {
    json!({
        "rank": a.rank,
        "score": a.score,
        "level": a.level,
        "critical": a.critical,
        "tests": a.tests.unwrap_or_default(),
        "untested_production_defects": a.untested_production_defects,
        "missing_factors": a.missing.keys().collect::<Vec<_>>(),
        "problems": found,
    })
}

/// The first problem (or what every area in scope did), then the factors scored at their worst.
fn coverage_message(
    first: Option<&str>,
    checked: u64,
    min_level: RiskLevel,
    min_tests: u64,
    unused: &[String],
) -> String {
    let scope = format!(
        "{} at or above `{}` risk or critical",
        plural(checked, "area", "areas"),
        min_level.as_str()
    );
    let mut message = match first {
        None if checked == 0 => format!(
            "no area is at or above `{}` risk, and none is critical",
            min_level.as_str()
        ),
        None => format!(
            "{scope}: each ran at least {min_tests} {}, skipped none, and every production defect on it has a passing test",
            if min_tests == 1 { "test" } else { "tests" }
        ),
        Some(f) => format!("{f} ({scope} checked)"),
    };
    if !unused.is_empty() {
        message.push_str(&format!(
            " ({}; those factors were scored at their worst)",
            unused.join("; ")
        ));
    }
    message
}

#[cfg(test)]
#[path = "risk_tests.rs"]
mod tests;
