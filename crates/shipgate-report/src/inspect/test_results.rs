//! `shipgate inspect tests`: the test evidence as the gate sees it, before any policy applies.
//!
//! The JSON shape mirrors the counts of the JUnit conformance corpus (`tests`, `passed`, `failed`,
//! `errored`, `skipped`, `flaky`, `suite_errors`, and per file also `suites` and
//! `duplicate_names`), so a user can compare what shipgate read with what their runner wrote.

use crate::ansi::{Paint, Tone};
use crate::gate::plural;
use crate::measure::grouped;
use crate::text::{WIDTH, one_line, pad_left, wrap};
use crate::{RenderOptions, ReportError};
use serde::Serialize;
use shipgate_model::{SuiteErrorKind, TestCounts, TestEvidence, TestOutcome};

/// Tests listed under "Did not pass first time" in the human output; the JSON lists them all.
const MAX_LISTED: usize = 20;
/// Width of the outcome column of that list (`errored` and a space).
const OUTCOME: usize = 8;

/// The JSON document of `shipgate inspect tests --format json`.
#[derive(Serialize)]
struct Inspection<'a> {
    tests: u64,
    passed: u64,
    failed: u64,
    errored: u64,
    skipped: u64,
    flaky: u64,
    suite_errors: u64,
    files: Vec<FileEntry<'a>>,
    suite_error_details: Vec<SuiteErrorEntry<'a>>,
    /// Every retained test that did not pass: failed, errored, skipped or flaky.
    failing: Vec<FailingEntry<'a>>,
    /// Tests that occur in more than one file (`sources.tests.repeated_runs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    repeated: Option<RepeatedEntry<'a>>,
    /// Earlier runs and the flaky tests they reveal (`--history`).
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<serde_json::Value>,
}

#[derive(Serialize)]
struct RepeatedEntry<'a> {
    tests: u64,
    repeated_runs: u64,
    groups: Vec<RepeatedGroupEntry<'a>>,
}

#[derive(Serialize)]
struct RepeatedGroupEntry<'a> {
    files: Vec<&'a str>,
    tests: u64,
    example: Option<&'a [String; 3]>,
}

fn repeated(evidence: &TestEvidence) -> Option<RepeatedEntry<'_>> {
    let r = &evidence.repeated;
    (!r.is_empty()).then(|| RepeatedEntry {
        tests: r.identities,
        repeated_runs: r.repeats,
        groups: r
            .groups
            .iter()
            .map(|g| RepeatedGroupEntry {
                files: g.files.iter().map(|i| evidence.file_path(*i)).collect(),
                tests: g.identities,
                example: g.example.as_ref(),
            })
            .collect(),
    })
}

#[derive(Serialize)]
struct FileEntry<'a> {
    path: &'a str,
    tests: u64,
    passed: u64,
    failed: u64,
    errored: u64,
    skipped: u64,
    flaky: u64,
    suites: u64,
    suite_errors: u64,
    duplicate_names: u64,
}

#[derive(Serialize)]
struct SuiteErrorEntry<'a> {
    file: &'a str,
    suite: &'a str,
    kind: SuiteErrorKind,
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct FailingEntry<'a> {
    file: &'a str,
    suite: &'a str,
    classname: &'a str,
    name: &'a str,
    outcome: TestOutcome,
    message: Option<&'a str>,
}

fn inspection(evidence: &TestEvidence) -> Inspection<'_> {
    let t = evidence.totals;
    Inspection {
        tests: t.tests,
        passed: t.passed,
        failed: t.failed,
        errored: t.errored,
        skipped: t.skipped,
        flaky: t.flaky,
        suite_errors: suite_error_total(evidence),
        files: evidence
            .files
            .iter()
            .map(|f| FileEntry {
                path: &f.path,
                tests: f.counts.tests,
                passed: f.counts.passed,
                failed: f.counts.failed,
                errored: f.counts.errored,
                skipped: f.counts.skipped,
                flaky: f.counts.flaky,
                suites: f.suites,
                suite_errors: f.suite_errors,
                duplicate_names: f.duplicate_names,
            })
            .collect(),
        suite_error_details: evidence
            .suite_errors
            .iter()
            .map(|e| SuiteErrorEntry {
                file: evidence.file_path(e.file),
                suite: &e.suite,
                kind: e.kind,
                message: e.message.as_deref(),
            })
            .collect(),
        failing: evidence
            .tests
            .iter()
            .filter(|t| t.outcome != TestOutcome::Passed)
            .map(|t| FailingEntry {
                file: evidence.file_path(t.file),
                suite: &t.suite,
                classname: &t.classname,
                name: &t.name,
                outcome: t.outcome,
                message: t.message.as_deref(),
            })
            .collect(),
        repeated: repeated(evidence),
        history: None,
    }
}

/// The suite errors of every file; the per-file counts are the ones the corpus defines.
fn suite_error_total(evidence: &TestEvidence) -> u64 {
    evidence.files.iter().map(|f| f.suite_errors).sum()
}

/// Renders what the gate read from JUnit files as pretty JSON with a trailing newline.
pub fn render_test_inspection_json(evidence: &TestEvidence) -> Result<String, ReportError> {
    to_json(&inspection(evidence))
}

/// The same, with a `history` key holding [`crate::history_json`] of earlier runs.
pub fn render_test_inspection_json_with_history(
    evidence: &TestEvidence,
    history: serde_json::Value,
) -> Result<String, ReportError> {
    let mut i = inspection(evidence);
    i.history = Some(history);
    to_json(&i)
}

fn to_json(inspection: &Inspection<'_>) -> Result<String, ReportError> {
    let mut json =
        serde_json::to_string_pretty(inspection).map_err(|source| ReportError::Json {
            what: "test inspection",
            source,
        })?;
    json.push('\n');
    Ok(json)
}

/// Renders what the gate read from JUnit files as a table per file, the totals, the suite
/// errors and the first tests that did not pass.
pub fn render_test_inspection_human(evidence: &TestEvidence, options: &RenderOptions) -> String {
    let paint = Paint {
        enabled: options.color,
    };
    let mut out = Vec::new();
    let totals = evidence.totals;
    let suite_errors = suite_error_total(evidence);
    out.push(format!(
        "{} in {}",
        paint.paint(Tone::Strong, &count_of(totals.tests, "test", "tests")),
        count_of(evidence.files.len() as u64, "file", "files"),
    ));
    out.push(String::new());

    const HEADERS: [&str; 9] = [
        "TESTS",
        "PASSED",
        "FAILED",
        "ERRORED",
        "SKIPPED",
        "FLAKY",
        "SUITES",
        "SUITE ERRORS",
        "DUPLICATES",
    ];
    let rows: Vec<([u64; 9], String)> = evidence
        .files
        .iter()
        .map(|f| {
            (
                numbers(&f.counts, f.suites, f.suite_errors, f.duplicate_names),
                one_line(&f.path),
            )
        })
        .collect();
    let total_row = numbers(
        &totals,
        evidence.files.iter().map(|f| f.suites).sum(),
        suite_errors,
        evidence.duplicate_names(),
    );
    // Each column as wide as its header or its widest number; the path goes last, so a long path
    // never pushes the numbers out of line.
    let widths: Vec<usize> = HEADERS
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|(n, _)| n[i])
                .chain([total_row[i]])
                .map(|n| grouped(n).len())
                .max()
                .unwrap_or(0)
                .max(h.len())
        })
        .collect();
    let header: Vec<String> = HEADERS
        .iter()
        .zip(&widths)
        .map(|(h, w)| pad_left(h, *w))
        .collect();
    out.push(paint.paint(Tone::Faint, &format!("  {}  FILE", header.join("  "))));
    for (n, path) in &rows {
        out.push(format!("  {}  {path}", number_cells(n, &widths, paint)));
    }
    out.push(format!(
        "  {}  {}",
        number_cells(&total_row, &widths, paint),
        paint.paint(Tone::Strong, "total")
    ));

    if !evidence.suite_errors.is_empty() {
        out.push(String::new());
        out.push(paint.paint(
            Tone::Bad,
            &format!(
                "Suite errors ({}): a suite that failed to set up or tear down is never green.",
                evidence.suite_errors.len()
            ),
        ));
        for e in &evidence.suite_errors {
            let kind = match e.kind {
                SuiteErrorKind::Failure => "failure",
                SuiteErrorKind::Error => "error",
            };
            let suite = if e.suite.is_empty() {
                "(unnamed suite)".to_owned()
            } else {
                one_line(&e.suite)
            };
            let message = e.message.as_deref().map(one_line).unwrap_or_default();
            let line = format!(
                "{}: {suite}: {kind}{}{message}",
                one_line(evidence.file_path(e.file)),
                if message.is_empty() { "" } else { ": " }
            );
            indented(&mut out, &line);
        }
    }

    if let Some(r) = repeated(evidence) {
        out.push(String::new());
        out.push(paint.paint(
            Tone::Bad,
            &format!(
                "Tests in more than one file ({}, {} counted): an earlier run left beside this one, or a suite run several times (`sources.tests.repeated_runs`).",
                count_of(r.tests, "test", "tests"),
                count_of(r.repeated_runs, "repeated run", "repeated runs"),
            ),
        ));
        for g in &r.groups {
            let example = g.example.map_or_else(String::new, |[_, classname, name]| {
                format!(
                    ", e.g. {}",
                    one_line(&shipgate_model::qualified_name(classname, name))
                )
            });
            let files: Vec<String> = g.files.iter().map(|f| one_line(f)).collect();
            indented(
                &mut out,
                &format!(
                    "{}: {}{example}",
                    files.join(", "),
                    count_of(g.tests, "test", "tests")
                ),
            );
        }
    }

    let not_passing = totals.tests.saturating_sub(totals.passed);
    let listed: Vec<_> = evidence
        .tests
        .iter()
        .filter(|t| t.outcome != TestOutcome::Passed)
        .collect();
    if not_passing > 0 || !listed.is_empty() {
        let count = not_passing.max(listed.len() as u64);
        out.push(String::new());
        let kinds: Vec<String> = [
            (totals.failed, "failed"),
            (totals.errored, "errored"),
            (totals.skipped, "skipped"),
            (totals.flaky, "flaky"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{} {what}", grouped(n)))
        .collect();
        let heading = if kinds.is_empty() {
            format!("Did not pass first time ({}):", grouped(count))
        } else {
            format!(
                "Did not pass first time ({}: {}):",
                grouped(count),
                kinds.join(", ")
            )
        };
        out.push(paint.paint(Tone::Strong, &heading));
        for t in listed.iter().take(MAX_LISTED) {
            let message = t
                .message
                .as_deref()
                .map(|m| crate::text::first_line(m, 120));
            let tone = match t.outcome {
                TestOutcome::Failed | TestOutcome::Errored => Tone::Bad,
                TestOutcome::Skipped | TestOutcome::Flaky => Tone::Caution,
                TestOutcome::Passed => Tone::Good,
            };
            let word = t.outcome.as_str();
            let line = format!(
                "{}{}{} ({})",
                one_line(&t.qualified_name()),
                if message.is_some() { ": " } else { "" },
                one_line(message.as_deref().unwrap_or("")),
                one_line(evidence.file_path(t.file)),
            );
            // The outcome is padded outside its colour, and wrapped lines align under the name.
            let mut lines = wrap(&line, WIDTH - OUTCOME - 2).into_iter();
            let first = lines.next().unwrap_or_default();
            out.push(format!(
                "  {}{}{first}",
                paint.paint(tone, word),
                " ".repeat(OUTCOME - word.len())
            ));
            out.extend(lines.map(|l| format!("  {}{l}", " ".repeat(OUTCOME))));
        }
        let more = count.saturating_sub(listed.len().min(MAX_LISTED) as u64);
        if more > 0 {
            out.push(format!("  … and {} more", grouped(more)));
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

fn count_of(n: u64, one: &str, many: &str) -> String {
    plural(n, one, many)
}

fn numbers(c: &TestCounts, suites: u64, suite_errors: u64, duplicates: u64) -> [u64; 9] {
    [
        c.tests,
        c.passed,
        c.failed,
        c.errored,
        c.skipped,
        c.flaky,
        suites,
        suite_errors,
        duplicates,
    ]
}

/// The number cells of a row; a non-zero failure, error or suite-error count is marked.
fn number_cells(n: &[u64; 9], widths: &[usize], paint: Paint) -> String {
    n.iter()
        .zip(widths)
        .enumerate()
        .map(|(i, (v, w))| {
            let cell = pad_left(&grouped(*v), *w);
            let tone = match i {
                2 | 3 | 7 if *v > 0 => Some(Tone::Bad),
                4 | 5 if *v > 0 => Some(Tone::Caution),
                _ => None,
            };
            tone.map_or(cell.clone(), |t| paint.paint(t, &cell))
        })
        .collect::<Vec<_>>()
        .join("  ")
}

fn indented(out: &mut Vec<String>, line: &str) {
    let mut lines = wrap(line, WIDTH - 4).into_iter();
    if let Some(first) = lines.next() {
        out.push(format!("  {first}"));
    }
    out.extend(lines.map(|l| format!("    {l}")));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use serde_json::Value;

    #[test]
    fn json_has_the_corpus_counts() {
        let json = render_test_inspection_json(&fixtures::evidence()).unwrap();
        let v: Value = shipgate_json::parse_value(json.as_bytes()).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "tests",
                "passed",
                "failed",
                "errored",
                "skipped",
                "flaky",
                "suite_errors",
                "files",
                "suite_error_details",
                "failing"
            ]
        );
        let file_keys: Vec<&str> = v["files"][0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            file_keys,
            [
                "path",
                "tests",
                "passed",
                "failed",
                "errored",
                "skipped",
                "flaky",
                "suites",
                "suite_errors",
                "duplicate_names"
            ]
        );
        assert_eq!(v["tests"], 2012);
        assert_eq!(v["suite_errors"], 1);
        assert_eq!(v["files"][1]["duplicate_names"], 3);
        assert_eq!(
            v["suite_error_details"][0]["file"],
            "reports/integration.xml"
        );
        assert_eq!(v["suite_error_details"][0]["kind"], "error");
        // The passing test kept for a critical path is not listed.
        assert_eq!(v["failing"].as_array().unwrap().len(), 5);
        assert_eq!(v["failing"][4]["outcome"], "skipped");
        assert!(json.ends_with("}\n"));
        insta::assert_snapshot!(json);
    }

    /// Tests in more than one file are listed with their files, in both formats.
    #[test]
    fn repeated_runs_are_listed() {
        let mut evidence = fixtures::evidence();
        evidence.repeated = shipgate_model::RepeatedTests {
            identities: 3,
            repeats: 3,
            groups: vec![shipgate_model::RepeatedGroup {
                files: vec![0, 1],
                identities: 3,
                example: Some(["s".into(), "com.acme.PayTest".into(), "charges".into()]),
            }],
        };
        let plain = render_test_inspection_human(&evidence, &RenderOptions { color: false });
        assert!(
            plain.contains("Tests in more than one file (3 tests, 3 repeated runs counted)")
                && plain.contains(
                    "reports/integration.xml, reports/unit.xml: 3 tests, e.g. com.acme.PayTest.charges"
                ),
            "{plain}"
        );
        let v: Value =
            shipgate_json::parse_value(render_test_inspection_json(&evidence).unwrap().as_bytes())
                .unwrap();
        assert_eq!(v["repeated"]["tests"], 3);
        assert_eq!(v["repeated"]["groups"][0]["files"][1], "reports/unit.xml");
        let none: Value = shipgate_json::parse_value(
            render_test_inspection_json(&fixtures::evidence())
                .unwrap()
                .as_bytes(),
        )
        .unwrap();
        assert!(none.get("repeated").is_none());
    }

    #[test]
    fn human_table() {
        let evidence = fixtures::evidence();
        let plain = render_test_inspection_human(&evidence, &RenderOptions { color: false });
        assert!(!plain.contains('\u{1b}'));
        insta::assert_snapshot!(plain);
    }

    #[test]
    fn colour_marks_problems() {
        let evidence = fixtures::evidence();
        let coloured = render_test_inspection_human(&evidence, &RenderOptions { color: true });
        assert!(coloured.contains("\u{1b}[1;31m"));
        let stripped = crate::text::printable(&coloured);
        assert_eq!(
            stripped,
            render_test_inspection_human(&evidence, &RenderOptions { color: false })
        );
    }

    #[test]
    fn hostile_names_reach_neither_the_terminal_nor_break_the_json() {
        let mut evidence = fixtures::evidence();
        evidence.tests[0].name = "a\u{1b}[2Jb\u{0}\nc".into();
        evidence.files[0].path = "x\u{1b}]0;title\u{7}y".into();
        let plain = render_test_inspection_human(&evidence, &RenderOptions::default());
        assert!(
            plain.chars().all(|c| c == '\n' || !c.is_control()),
            "{plain}"
        );
        assert!(
            plain.contains("RefundTest.ab\u{FFFD} c: expected status 409"),
            "{plain}"
        );
        assert!(plain.contains("  xy\n"), "{plain}");
        // JSON keeps the text exactly; serde escapes it.
        let json = render_test_inspection_json(&evidence).unwrap();
        let v: Value = shipgate_json::parse_value(json.as_bytes()).unwrap();
        assert_eq!(v["failing"][0]["name"], "a\u{1b}[2Jb\u{0}\nc");
    }

    #[test]
    fn no_files() {
        let plain =
            render_test_inspection_human(&TestEvidence::default(), &RenderOptions::default());
        assert!(plain.starts_with("0 tests in 0 files\n"), "{plain}");
        let json = render_test_inspection_json(&TestEvidence::default()).unwrap();
        let v: Value = shipgate_json::parse_value(json.as_bytes()).unwrap();
        assert_eq!(v["files"], serde_json::json!([]));
    }
}
