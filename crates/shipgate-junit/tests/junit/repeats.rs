//! Tests that occur in more than one file: an earlier run left beside this one must be found,
//! named with both files; shards of one run and repeats within one file must not.

use shipgate_junit::{ReadOptions, RetryMode, expand_globs, read_files};
use shipgate_model::TestEvidence;
use std::fs;
use std::path::Path;

fn suite(name: &str, cases: impl IntoIterator<Item = String>) -> String {
    let cases: String = cases.into_iter().collect();
    format!("<?xml version=\"1.0\"?>\n<testsuite name=\"{name}\">\n{cases}</testsuite>\n")
}

fn case(classname: &str, name: &str) -> String {
    format!("  <testcase classname=\"{classname}\" name=\"{name}\" time=\"0.01\"/>\n")
}

fn read_dir(dir: &Path, files: &[(&str, String)], options: &ReadOptions) -> TestEvidence {
    for (path, text) in files {
        let path = dir.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    let matches = expand_globs(dir, &["reports/**/*.xml".to_owned()]).unwrap();
    let read = read_files(dir, &matches.paths, options);
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    read.evidence
}

/// The case: an old full run of 40 tests left beside this run's 5 reads as 45 tests.
#[test]
fn an_old_run_left_beside_this_run_is_found_with_both_files() {
    let dir = tempfile::tempdir().unwrap();
    let old = suite(
        "com.acme.PayTest",
        (0..40).map(|i| case("com.acme.PayTest", &format!("test{i}"))),
    );
    let new = suite(
        "com.acme.PayTest",
        (0..5).map(|i| case("com.acme.PayTest", &format!("test{i}"))),
    );
    let evidence = read_dir(
        dir.path(),
        &[
            ("reports/TEST-com.acme.PayTest.xml", new),
            ("reports/old/TEST-com.acme.PayTest.xml", old),
        ],
        &ReadOptions::default(),
    );
    assert_eq!(evidence.totals.tests, 45);
    let repeated = &evidence.repeated;
    assert_eq!((repeated.identities, repeated.repeats), (5, 5));
    assert_eq!(repeated.groups.len(), 1);
    let group = &repeated.groups[0];
    let files: Vec<&str> = group.files.iter().map(|i| evidence.file_path(*i)).collect();
    assert_eq!(
        files,
        [
            "reports/TEST-com.acme.PayTest.xml",
            "reports/old/TEST-com.acme.PayTest.xml"
        ]
    );
    assert_eq!(group.identities, 5);
    let [suite, classname, name] = group.example.clone().unwrap();
    assert_eq!(suite, "com.acme.PayTest");
    assert_eq!(classname, "com.acme.PayTest");
    assert!(name.starts_with("test"), "{name}");
}

/// A matrix: the same suite in three files. One group, two repeats per test.
#[test]
fn a_suite_run_three_times_is_one_group_of_three_files() {
    let dir = tempfile::tempdir().unwrap();
    let run = suite("tests", (0..10).map(|i| case("t.Api", &format!("t{i}"))));
    let evidence = read_dir(
        dir.path(),
        &[
            ("reports/py310/junit.xml", run.clone()),
            ("reports/py311/junit.xml", run.clone()),
            ("reports/py312/junit.xml", run),
        ],
        &ReadOptions::default(),
    );
    let repeated = &evidence.repeated;
    assert_eq!((repeated.identities, repeated.repeats), (10, 20));
    assert_eq!(repeated.groups[0].files, [0, 1, 2]);
}

/// Shards of one run split the tests between files without repeating any; parameterised tests
/// and retries repeat names within one file. Neither is a repeated run, in either retry mode.
#[test]
fn shards_and_repeats_within_a_file_are_not_repeated_runs() {
    let dir = tempfile::tempdir().unwrap();
    let shard = |from: usize, to: usize| {
        suite(
            "tests",
            (from..to).flat_map(|i| {
                // Each test twice in its shard: a parameterised test, or a retry.
                [
                    case("t.Api", &format!("t{i}")),
                    case("t.Api", &format!("t{i}")),
                ]
            }),
        )
    };
    for retries in [RetryMode::PerTestcase, RetryMode::RepeatedTestcases] {
        let options = ReadOptions {
            retries,
            ..ReadOptions::default()
        };
        let evidence = read_dir(
            dir.path(),
            &[
                ("reports/shard-1/junit.xml", shard(0, 50)),
                ("reports/shard-2/junit.xml", shard(50, 100)),
            ],
            &options,
        );
        assert!(evidence.repeated.is_empty(), "{:?}", evidence.repeated);
    }
}

/// A test is its suite, classname and name: the same classname and name in two suites (a
/// nextest stress run, `describe` blocks of two files) are two tests.
#[test]
fn the_same_names_in_other_suites_are_other_tests() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = read_dir(
        dir.path(),
        &[
            ("reports/a.xml", suite("src/a.test.js", [case("", "works")])),
            ("reports/b.xml", suite("src/b.test.js", [case("", "works")])),
        ],
        &ReadOptions::default(),
    );
    assert!(evidence.repeated.is_empty());
}

/// Every corpus report copied beside itself is found, with every one of its distinct tests; read
/// alone, none is.
#[test]
fn every_corpus_report_copied_beside_itself_is_found() {
    let corpus = crate::fixtures_dir().join("corpus");
    let mut names: Vec<String> = fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    names.sort();
    let mut checked = 0;
    for name in names {
        let bytes = fs::read(corpus.join(&name)).unwrap();
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("reports/old")).unwrap();
        fs::write(dir.path().join("reports/a.xml"), &bytes).unwrap();
        let alone = read_files(
            dir.path(),
            &["reports/a.xml".into()],
            &ReadOptions::default(),
        );
        if !alone.errors.is_empty() {
            continue;
        }
        assert!(alone.evidence.repeated.is_empty(), "{name}");
        fs::write(dir.path().join("reports/old/a.xml"), &bytes).unwrap();
        let both = read_files(
            dir.path(),
            &["reports/a.xml".into(), "reports/old/a.xml".into()],
            &ReadOptions::default(),
        );
        let tests = alone.evidence.totals.tests;
        let repeated = &both.evidence.repeated;
        if tests == 0 {
            assert!(repeated.is_empty(), "{name}");
            continue;
        }
        // Distinct identities are at most the tests, and at least one.
        assert!(
            (1..=tests).contains(&repeated.identities),
            "{name}: {repeated:?}"
        );
        assert_eq!(repeated.groups.len(), 1, "{name}");
        assert_eq!(repeated.groups[0].files, [0, 1], "{name}");
        assert!(repeated.groups[0].example.is_some(), "{name}");
        checked += 1;
    }
    assert!(checked >= 40, "{checked}");
}
