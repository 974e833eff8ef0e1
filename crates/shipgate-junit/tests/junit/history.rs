//! Earlier runs (`sources.tests.history`): run folders, their order and commits, and the compact
//! history the flaky-test rules read.

use shipgate_junit::{
    HistoryBuilder, KeyedOutcome, ReadOptions, RetryMode, RunInfo, find_runs, read_bytes,
    read_files, read_history, test_key,
};
use shipgate_model::{CommitSource, FlakyReason, TestOutcome};
use std::fs;
use std::path::Path;

fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A run's report: `outcomes` is (name, `p`assed / `f`ailed / `r`erun passed / `s`kipped).
fn report(commit: Option<&str>, timestamp: &str, outcomes: &[(&str, char)]) -> String {
    let mut s = format!(r#"<testsuite name="pay" timestamp="{timestamp}">"#);
    if let Some(c) = commit {
        s.push_str(&format!(
            r#"<properties><property name="git.commit" value="{c}"/></properties>"#
        ));
    }
    for (name, o) in outcomes {
        let body = match o {
            'f' => r#"<failure message="boom"/>"#,
            'r' => r#"<flakyFailure message="timeout"/>"#,
            's' => "<skipped/>",
            _ => "",
        };
        s.push_str(&format!(
            r#"<testcase classname="com.acme.Pay" name="{name}">{body}</testcase>"#
        ));
    }
    s.push_str("</testsuite>");
    s
}

#[test]
fn run_folders_are_ordered_by_name_with_numbers_compared_as_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let one = report(None, "2026-11-20T10:00:00Z", &[("t", 'p')]);
    write(dir.path(), "history/10/unit/a.xml", &one);
    write(dir.path(), "history/9@3f2a9c1/a.xml", &one);
    write(dir.path(), "history/9@3f2a9c1/b.xml", &one);
    write(dir.path(), "e2e-history/10/e2e.xml", &one);
    write(dir.path(), "history/loose.xml", &one);
    let globs = [
        "history/**/*.xml".to_owned(),
        "e2e-history/*/*.xml".to_owned(),
        "none/*/*.xml".to_owned(),
    ];
    let found = find_runs(dir.path(), &globs).unwrap();
    let runs: Vec<(&str, Option<&str>, usize)> = found
        .runs
        .iter()
        .map(|r| (r.name.as_str(), r.commit.as_deref(), r.paths.len()))
        .collect();
    // `10` from both globs is one run; `9@3f2a9c1` names its commit.
    assert_eq!(runs, [("9", Some("3f2a9c1"), 2), ("10", None, 2)]);
    assert_eq!(found.outside, ["history/loose.xml"]);
    assert_eq!(found.unmatched, ["none/*/*.xml"]);
}

#[test]
fn only_the_latest_runs_are_read_and_flaky_tests_are_found() {
    let dir = tempfile::tempdir().unwrap();
    let runs = [
        ("history/1", None, vec![("flips", 'f'), ("broken", 'p')]),
        (
            "history/2@abc",
            None,
            vec![("flips", 'p'), ("same_commit", 'f'), ("broken", 'p')],
        ),
        (
            "history/3",
            Some("abc"),
            vec![("flips", 'f'), ("same_commit", 'p'), ("broken", 'p')],
        ),
        (
            "history/4",
            None,
            vec![("flips", 'p'), ("broken", 'p'), ("skipped", 's')],
        ),
    ];
    for (i, (folder, commit, outcomes)) in runs.iter().enumerate() {
        let ts = format!("2026-11-2{i}T10:00:00Z");
        write(
            dir.path(),
            &format!("{folder}/r.xml"),
            &report(*commit, &ts, outcomes),
        );
    }
    let found = find_runs(dir.path(), &["history/*/*.xml".to_owned()]).unwrap();
    let mut read = read_history(dir.path(), found, 3, RetryMode::PerTestcase);
    assert!(read.errors.is_empty());
    assert_eq!(read.digests.len(), 3, "run 1 is older than the latest 3");

    // The current run: `broken` fails for the first time, `rerun` passes on a rerun.
    let current = report(
        None,
        "2026-11-24T10:00:00Z",
        &[("flips", 'f'), ("broken", 'f'), ("rerun", 'r')],
    );
    let options = ReadOptions {
        outcomes: true,
        ..ReadOptions::default()
    };
    let (evidence, _) = read_bytes("current.xml", current.as_bytes(), &options).unwrap();
    // `read_bytes` returns no outcomes; read the file the way the gate does.
    write(dir.path(), "reports/current.xml", &current);
    let mut now = read_files(dir.path(), &["reports/current.xml".into()], &options);
    assert_eq!(now.evidence.totals, evidence.totals);
    assert_eq!(now.outcomes.len(), 3);
    let outcomes = std::mem::take(&mut now.outcomes);
    read.builder.add_run(
        RunInfo {
            name: "current".into(),
            commit: Some(("fff".into(), CommitSource::Policy)),
            current: true,
        },
        &now.evidence,
        outcomes,
    );
    let history = read.builder.finish();

    assert_eq!(history.runs_available, 4);
    let runs: Vec<(&str, Option<&str>, Option<CommitSource>, bool)> = history
        .runs
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.commit.as_deref(),
                r.commit_from,
                r.current,
            )
        })
        .collect();
    assert_eq!(
        runs,
        [
            ("2", Some("abc"), Some(CommitSource::FolderName), false),
            ("3", Some("abc"), Some(CommitSource::JunitProperty), false),
            ("4", None, None, false),
            ("current", Some("fff"), Some(CommitSource::Policy), true),
        ]
    );
    assert_eq!(
        history.runs[1].time,
        Some("2026-11-22T10:00:00Z".parse().unwrap())
    );
    assert_eq!(history.tests, 5);
    let names: Vec<&str> = history
        .failed_tests
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(names, ["broken", "flips", "rerun", "same_commit"]);

    let flaky: Vec<(&str, Vec<FlakyReason>, u32)> = history
        .flaky(2)
        .iter()
        .map(|f| (f.test.name.as_str(), f.reasons.clone(), f.flips))
        .collect();
    assert_eq!(
        flaky,
        [
            // Runs 2 and 3 tested commit `abc`: it failed in one and passed in the other.
            (
                "flips",
                vec![FlakyReason::SameCommit, FlakyReason::Flips],
                3
            ),
            ("rerun", vec![FlakyReason::RerunPassed], 1),
            ("same_commit", vec![FlakyReason::SameCommit], 1),
        ]
    );
    let flips = &history.failed_tests[1];
    assert_eq!(flips.last_failure, Some(3));
    assert_eq!(flips.last_message.as_deref(), Some("boom"));
}

fn key(suite: &str, classname: &str, name: &str) -> u64 {
    KeyedOutcome::key_for(suite, classname, name)
}

#[test]
fn outcomes_pack_the_identity_and_every_outcome() {
    for outcome in [
        TestOutcome::Passed,
        TestOutcome::Flaky,
        TestOutcome::Skipped,
        TestOutcome::Errored,
        TestOutcome::Failed,
    ] {
        let packed = KeyedOutcome::new(test_key("s", "c", "a"), outcome);
        assert_eq!(packed.outcome(), outcome);
        assert_eq!(packed.key(), key("s", "c", "a"));
    }
    assert_ne!(key("s", "c", "a"), key("s", "c", "b"));
}

#[test]
fn outcomes_carry_the_test_key_in_both_retry_modes() {
    let doc = r#"<testsuite name="s">
  <testcase classname="c" name="a"><failure/></testcase>
  <testcase classname="c" name="a"/>
  <testcase classname="c" name="b"/>
</testsuite>"#;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "r.xml", doc);
    for (retries, expected) in [
        (
            RetryMode::PerTestcase,
            vec![
                (key("s", "c", "a"), TestOutcome::Failed),
                (key("s", "c", "a"), TestOutcome::Passed),
                (key("s", "c", "b"), TestOutcome::Passed),
            ],
        ),
        (
            RetryMode::RepeatedTestcases,
            vec![
                (key("s", "c", "a"), TestOutcome::Flaky),
                (key("s", "c", "b"), TestOutcome::Passed),
            ],
        ),
    ] {
        let options = ReadOptions {
            retries,
            outcomes: true,
            ..ReadOptions::default()
        };
        let read = read_files(dir.path(), &["r.xml".into()], &options);
        let got: Vec<(u64, TestOutcome)> = read
            .outcomes
            .iter()
            .map(|o| (o.key(), o.outcome()))
            .collect();
        assert_eq!(got, expected, "{retries:?}");
    }
    let plain = read_files(dir.path(), &["r.xml".into()], &ReadOptions::default());
    assert!(plain.outcomes.is_empty());
}

#[test]
fn a_history_of_no_runs_is_empty() {
    let history = HistoryBuilder::new(0).finish();
    assert!(history.runs.is_empty());
    assert!(history.flaky(2).is_empty());
}
