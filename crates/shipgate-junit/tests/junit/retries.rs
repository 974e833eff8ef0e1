//! Retries as each runner really writes them (`tests/fixtures/retries/`, see its README), read
//! under the `retries` setting `docs/retries.md` recommends for the runner, and under the other
//! one to show what goes wrong there.

use crate::fixture;
use shipgate_junit::{ReadOptions, RetryMode, read_bytes};
use shipgate_model::{TestEvidence, TestOutcome};

fn read(name: &str, retries: RetryMode) -> TestEvidence {
    let path = format!("retries/{name}");
    let options = ReadOptions {
        retries,
        ..Default::default()
    };
    match read_bytes(&path, &fixture(&path), &options) {
        Ok((evidence, _)) => evidence,
        Err(e) => panic!("{path}: {e}"),
    }
}

/// (tests, passed, flaky, failed, errored, skipped)
fn counts(e: &TestEvidence) -> (u64, u64, u64, u64, u64, u64) {
    let c = e.totals;
    (c.tests, c.passed, c.flaky, c.failed, c.errored, c.skipped)
}

/// The kept tests that did not pass, as (name, outcome, attempts).
fn not_passed(e: &TestEvidence) -> Vec<(&str, TestOutcome, u32)> {
    e.tests
        .iter()
        .filter(|t| t.outcome != TestOutcome::Passed)
        .map(|t| (t.name.as_str(), t.outcome, t.attempts))
        .collect()
}

use RetryMode::{PerTestcase, RepeatedTestcases};
use TestOutcome::{Failed, Flaky};

/// Runners that write one `<testcase>` per test, with Surefire's `flakyFailure`/`rerunFailure`
/// for retries: the default `per-testcase` reads them, each with one flaky and one failed test.
#[test]
fn surefire_style_retries_are_read_per_testcase() {
    for (file, flaky, failed) in [
        (
            "surefire-2.22.3-rerun-failing-tests.xml",
            "appliesTheVoucher",
            "roundsTheRefund",
        ),
        (
            "nextest-0.9.143-retries.xml",
            "tests::applies_the_voucher",
            "tests::rounds_the_refund",
        ),
        (
            "playwright-1.65-junit-include-retries.xml",
            "checkout › applies the voucher (flaky: fails on the first attempt)",
            "checkout › rounds the refund (always fails)",
        ),
        (
            "gradle-merge-reruns.xml",
            "appliesTheVoucher()",
            "roundsTheRefund()",
        ),
    ] {
        let e = read(file, PerTestcase);
        assert_eq!(counts(&e), (3, 1, 1, 1, 0, 0), "{file}");
        assert_eq!(
            not_passed(&e),
            [(flaky, Flaky, 1), (failed, Failed, 1)],
            "{file}"
        );
        // Merging changes nothing: no name repeats.
        assert_eq!(counts(&read(file, RepeatedTestcases)), counts(&e), "{file}");
    }
}

/// gotestsum writes every attempt as its own `<testcase>`, failures first and passes last.
#[test]
fn gotestsum_rerun_fails_needs_repeated_testcases() {
    let file = "gotestsum-1.8.2-rerun-fails.xml";
    let e = read(file, RepeatedTestcases);
    assert_eq!(counts(&e), (6, 2, 3, 1, 0, 0));
    assert_eq!(
        not_passed(&e),
        [
            ("TestAppliesTheVoucher", Flaky, 2),
            ("TestRoundsTheRefund", Failed, 3),
            ("TestCurrencies/USD", Flaky, 2),
            ("TestCurrencies", Flaky, 2),
        ]
    );
    // Per testcase, every failed attempt is a failed test: 6 failures out of 11.
    assert_eq!(counts(&read(file, PerTestcase)), (11, 5, 0, 6, 0, 0));
}

/// Gradle without `mergeReruns` (the default) writes each execution as its own `<testcase>`, in
/// execution order; with it, Surefire's shape (above).
#[test]
fn gradle_without_merge_reruns_needs_repeated_testcases() {
    let file = "gradle-discrete-reruns.xml";
    let e = read(file, RepeatedTestcases);
    assert_eq!(counts(&e), (3, 1, 1, 1, 0, 0));
    assert_eq!(
        not_passed(&e),
        [
            ("appliesTheVoucher()", Flaky, 2),
            ("roundsTheRefund()", Failed, 3)
        ]
    );
    assert_eq!(counts(&read(file, PerTestcase)), (6, 2, 0, 4, 0, 0));
}

/// pytest-rerunfailures writes each failed attempt as an empty `<testcase>` that looks passed.
/// Per testcase those read as passes, inflating the pass rate; merged, the last attempt decides,
/// so a test that failed every attempt stays failed.
#[test]
fn pytest_rerunfailures_needs_repeated_testcases() {
    let file = "pytest-9.2-rerunfailures-16.7.xml";
    let e = read(file, RepeatedTestcases);
    assert_eq!(counts(&e), (3, 1, 1, 1, 0, 0));
    assert_eq!(
        not_passed(&e),
        [
            ("test_applies_the_voucher", Flaky, 2),
            ("test_rounds_the_refund", Failed, 3)
        ]
    );
    assert_eq!(counts(&read(file, PerTestcase)), (6, 5, 0, 1, 0, 0));
}

/// Jest (jest-circus `retryTimes`) with jest-junit and Playwright's JUnit reporter without
/// `includeRetries` write only the final attempt: a test that passed on a retry reads as passed,
/// and nothing marks it flaky. Read them per testcase: repeated names there are `test.each` rows
/// or projects, not retries.
#[test]
fn jest_and_playwright_write_only_the_final_attempt() {
    let e = read("jest-30.5-junit-17.0-retry-times.xml", PerTestcase);
    assert_eq!(counts(&e), (5, 4, 0, 1, 0, 0));
    assert_eq!(
        not_passed(&e),
        [("checkout rounds the refund (always fails)", Failed, 1)]
    );
    // Merging would take the two `test.each` rows of the same name for retries, and call them
    // flaky.
    let merged = read("jest-30.5-junit-17.0-retry-times.xml", RepeatedTestcases);
    assert_eq!(counts(&merged), (4, 2, 1, 1, 0, 0));

    let e = read("playwright-1.65-junit-retries.xml", PerTestcase);
    assert_eq!(counts(&e), (3, 2, 0, 1, 0, 0));
    assert_eq!(
        not_passed(&e),
        [("checkout › rounds the refund (always fails)", Failed, 1)]
    );
}
