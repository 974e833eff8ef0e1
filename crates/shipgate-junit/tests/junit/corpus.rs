//! Conformance with the JUnit corpus (`tests/fixtures/corpus/`, a byte-for-byte copy of
//! `shared/corpus/junit/`): every file gives exactly the facts in `expected.json`, or is
//! rejected for the reason given there with a message naming the file and line.

use serde_json::Value;
use shipgate_junit::{ReadOptions, expand_globs, read_bytes, read_files};
use shipgate_model::{TestEvidence, TestOutcome};
use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    crate::fixtures_dir().join("corpus")
}

#[expect(
    clippy::disallowed_methods,
    reason = "the corpus's expected facts, a file of this repository, not evidence"
)]
fn expected() -> serde_json::Map<String, Value> {
    let text = fs::read_to_string(corpus_dir().join("expected.json")).unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Object(map) => map,
        other => panic!("expected.json is not an object: {other}"),
    }
}

fn xml_files() -> BTreeSet<String> {
    fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".xml"))
        .collect()
}

fn count(v: &Value, key: &str) -> u64 {
    v.get(key)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("no {key} in {v}"))
}

/// The corpus samples a message as the `message` attribute (whole) or the element's text cut to
/// 80 characters; a record keeps up to 1,000 characters of either. They agree when they are
/// equal, or when the sample is an 80-character cut of the kept message.
fn same_message(kept: &str, sampled: &str) -> bool {
    kept == sampled || (sampled.chars().count() == 80 && kept.chars().take(80).eq(sampled.chars()))
}

fn check_facts(name: &str, evidence: &TestEvidence, want: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let file = &evidence.files[0];
    let counts = &want["counts"];
    let got = [
        ("tests", file.counts.tests),
        ("passed", file.counts.passed),
        ("failed", file.counts.failed),
        ("errored", file.counts.errored),
        ("skipped", file.counts.skipped),
        ("flaky", file.counts.flaky),
        ("suites", file.suites),
    ];
    for (key, value) in got {
        if value != count(counts, key) {
            problems.push(format!("{name}: {key} = {value}, expected {}", counts[key]));
        }
    }
    if file.duplicate_names != count(want, "duplicate_names") {
        problems.push(format!(
            "{name}: duplicate_names = {}, expected {}",
            file.duplicate_names, want["duplicate_names"]
        ));
    }
    let suite_errors = count(want, "suite_errors");
    if file.suite_errors != suite_errors || evidence.suite_errors.len() as u64 != suite_errors {
        problems.push(format!(
            "{name}: suite_errors = {} ({} listed), expected {suite_errors}",
            file.suite_errors,
            evidence.suite_errors.len()
        ));
    }
    if evidence.totals != file.counts {
        problems.push(format!("{name}: totals differ from the file's counts"));
    }
    let samples: Vec<&str> = want["failure_messages_sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let kept: Vec<&str> = evidence
        .tests
        .iter()
        .filter(|t| t.outcome.is_failure())
        .take(2)
        .map(|t| t.message.as_deref().unwrap_or(""))
        .collect();
    if kept.len() != samples.len() || kept.iter().zip(&samples).any(|(k, s)| !same_message(k, s)) {
        problems.push(format!(
            "{name}: failure messages {kept:?}, expected {samples:?}"
        ));
    }
    // Default retention keeps exactly the tests that did not pass.
    let not_passed = file.counts.tests - file.counts.passed;
    if evidence.tests.len() as u64 != not_passed
        || evidence
            .tests
            .iter()
            .any(|t| t.outcome == TestOutcome::Passed)
    {
        problems.push(format!(
            "{name}: kept {} tests, expected the {not_passed} that did not pass",
            evidence.tests.len()
        ));
    }
    problems
}

#[test]
fn every_corpus_file_gives_the_expected_facts_or_the_expected_error() {
    let expected = expected();
    let mut problems = Vec::new();
    for name in xml_files() {
        let want = &expected[&name];
        let bytes = fs::read(corpus_dir().join(&name)).unwrap();
        let result = read_bytes(&name, &bytes, &ReadOptions::default());
        match (want.get("error").and_then(Value::as_str), result) {
            (Some(reason), Err(e)) => {
                let message = e.to_string();
                if e.kind() != reason {
                    problems.push(format!(
                        "{name}: rejected as {}, expected {reason}: {message}",
                        e.kind()
                    ));
                }
                if !message.contains(&format!("`{name}`")) {
                    problems.push(format!(
                        "{name}: the message does not name the file: {message}"
                    ));
                }
                match e.line() {
                    Some(line) if !message.contains(&format!("line {line},")) => {
                        problems.push(format!(
                            "{name}: the message does not give the line: {message}"
                        ));
                    }
                    None if reason != "empty" => {
                        problems.push(format!("{name}: no line for a {reason} error: {message}"));
                    }
                    _ => {}
                }
                if e.remedy().is_empty() {
                    problems.push(format!("{name}: no remedy"));
                }
            }
            (Some(reason), Ok((evidence, _))) => problems.push(format!(
                "{name}: read as {} tests, expected the error {reason}",
                evidence.totals.tests
            )),
            (None, Err(e)) => problems.push(format!("{name}: unexpected error: {e}")),
            (None, Ok((evidence, digest))) => {
                problems.extend(check_facts(&name, &evidence, want));
                if digest.bytes != bytes.len() as u64 || digest.sha256.len() != 64 {
                    problems.push(format!("{name}: bad digest {digest:?}"));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn no_corpus_file_slips_in_unchecked() {
    let files = xml_files();
    let expected: BTreeSet<String> = expected().keys().cloned().collect();
    assert_eq!(files, expected, "files/ and expected.json disagree");
    let manifest = fs::read_to_string(corpus_dir().join("MANIFEST.tsv")).unwrap();
    let listed: BTreeSet<String> = manifest
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect();
    assert_eq!(files, listed, "files/ and MANIFEST.tsv disagree");
    assert_eq!(files.len(), 62, "the corpus README promises 62 reports");
    // Nothing but the reports and the three documents that describe them.
    let others: BTreeSet<String> = fs::read_dir(corpus_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with(".xml"))
        .collect();
    let documents: BTreeSet<String> = ["README.md", "MANIFEST.tsv", "expected.json"]
        .map(String::from)
        .into();
    assert_eq!(others, documents);
}

#[test]
fn reading_the_whole_corpus_at_once_agrees_with_one_file_at_a_time() {
    let expected = expected();
    let base = corpus_dir();
    let matches =
        expand_globs(&base, &["*.xml".to_owned(), "nothing/**/*.xml".to_owned()]).unwrap();
    assert_eq!(matches.paths.len(), 62);
    assert_eq!(matches.unmatched, ["nothing/**/*.xml"]);
    let read = read_files(&base, &matches.paths, &ReadOptions::default());

    let errors: BTreeSet<(String, String)> = expected
        .iter()
        .filter_map(|(name, v)| Some((name.clone(), v.get("error")?.as_str()?.to_owned())))
        .collect();
    let got_errors: BTreeSet<(String, String)> = read
        .errors
        .iter()
        .map(|e| (e.path().to_owned(), e.kind().to_owned()))
        .collect();
    assert_eq!(got_errors, errors);
    assert_eq!(read.evidence.files.len() + read.errors.len(), 62);
    // Every file was readable, so every file has a digest, in path order.
    assert_eq!(read.digests.len(), 62);
    assert!(read.digests.windows(2).all(|w| w[0].path < w[1].path));

    let mut problems = Vec::new();
    let mut total = 0;
    for (index, file) in read.evidence.files.iter().enumerate() {
        let bytes = fs::read(base.join(&file.path)).unwrap();
        let (alone, _) = read_bytes(&file.path, &bytes, &ReadOptions::default()).unwrap();
        if alone.files[0] != *file {
            problems.push(format!("{}: differs when read with the others", file.path));
        }
        let tests: Vec<_> = read
            .evidence
            .tests
            .iter()
            .filter(|t| t.file == index)
            .collect();
        if tests.len() != alone.tests.len()
            || tests
                .iter()
                .zip(&alone.tests)
                .any(|(a, b)| (a.outcome, &a.name, &a.message) != (b.outcome, &b.name, &b.message))
        {
            problems.push(format!("{}: kept tests differ", file.path));
        }
        problems.extend(check_facts(&file.path, &alone, &expected[&file.path]));
        total += file.counts.tests;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(read.evidence.totals.tests, total);
}

/// Read together, the corpus's 62 reports from many projects share tests in one place only:
/// two pytest reports of the Horovod project (publish-unit-test-result-action's fixtures
/// `junit.gloo.standalone.xml` and `junit.fail.xml`), two runs of the same Spark tests. That is
/// exactly what `repeated_runs` is for; no report shares a test with itself.
#[test]
fn the_corpus_read_together_repeats_only_two_runs_of_one_project() {
    let base = corpus_dir();
    let matches = expand_globs(&base, &["*.xml".to_owned()]).unwrap();
    let read = read_files(&base, &matches.paths, &ReadOptions::default());
    let repeated = &read.evidence.repeated;
    assert_eq!((repeated.identities, repeated.repeats), (5, 5));
    assert_eq!(repeated.groups.len(), 1);
    let group = &repeated.groups[0];
    let files: Vec<&str> = group
        .files
        .iter()
        .map(|i| read.evidence.file_path(*i))
        .collect();
    assert_eq!(
        files,
        [
            "pytest--gloo-97-cases-skips.xml",
            "pytest--xunit1-fail-traceback.xml"
        ]
    );
    assert_eq!(
        group.example,
        Some([
            "pytest".to_owned(),
            "test.test_spark.SparkTests".to_owned(),
            "test_check_shape_compatibility".to_owned()
        ])
    );
}
