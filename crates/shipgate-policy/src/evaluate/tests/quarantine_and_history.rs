//! The quarantine and run history: what each check makes of them, and that neither can let a
//! failure through where it must not.

use super::{check, evidence, now};
use crate::evaluate::evaluate;
use crate::policy::Policy;
use serde_json::json;
use shipgate_model::{
    CheckStatus, CommitSource, Decision, EvidenceProblem, EvidenceSet, ExitCode, HistoryRun,
    HistoryTest, Quarantine, QuarantineEntry, RunHistory, SourceState, TestCounts, TestOutcome,
    TestPattern,
};

const SOURCES: &str = "sources:\n  tests:\n    junit: [r/*.xml]\n    quarantine: quarantine.yaml\n    history: [\"history/*/*.xml\"]\n";
const CRITICAL: &str = "risk:\n  critical_paths:\n    payment: { tests: [\"*Payment*\"] }\n";

fn policy_with(rest: &str) -> Policy {
    let text =
        format!("version: 1\nrelease: {{name: api, version: '1.0'}}\n{SOURCES}{CRITICAL}{rest}");
    Policy::parse(&text, &|_| None).unwrap_or_else(|e| panic!("{:#?}\n{text}", e.problems()))
}

fn entry(pattern: &str, expires: &str, line: usize) -> QuarantineEntry {
    QuarantineEntry {
        pattern: TestPattern::new(pattern).unwrap(),
        owner: "search-team@acme.example".into(),
        ticket: "SEARCH-231".into(),
        expires: expires.into(),
        expires_at: crate::values::Expiry::parse(expires).unwrap().ends_at(),
        reason: None,
        line,
    }
}

fn quarantine(entries: Vec<QuarantineEntry>) -> SourceState<Quarantine> {
    SourceState::Loaded(Quarantine {
        path: "quarantine.yaml".into(),
        entries,
    })
}

/// 96 passing tests, a critical payment test, and three failing search tests.
fn run(payment: TestOutcome) -> EvidenceSet {
    evidence(
        96,
        &[
            ("com.acme.PaymentTest.refunds", payment),
            ("com.acme.search.SearchIT.finds", TestOutcome::Failed),
            ("com.acme.search.SearchIT.ranks", TestOutcome::Errored),
            ("com.acme.ledger.LedgerTest.balances", TestOutcome::Failed),
        ],
    )
}

const PASS_RATE_AND_FLAKY: &str =
    "checks:\n  regression: {min_pass_rate: 98%}\n  flaky: {max_rate: 5%}\n";

#[test]
fn a_quarantined_failure_is_not_counted_but_is_reported() {
    let mut e = run(TestOutcome::Passed);
    e.quarantine = quarantine(vec![entry("com.acme.search.*", "2026-12-31", 2)]);
    e.history = SourceState::Loaded(RunHistory::default());
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());
    let c = check(&v, "regression.pass-rate");
    // Raw: 97 of 100 = 97%; the two quarantined search failures are left out: 97 of 98.
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert_eq!(c.details["raw_pass_rate"], json!(0.97));
    assert_eq!(c.details["adjusted_pass_rate"], json!(0.989796));
    assert_eq!(c.observed, json!(0.989796));
    assert_eq!(c.details["quarantined_failures"], 2);
    assert_eq!(c.details["failing_total"], 1);
    assert_eq!(c.details["failing"][0]["name"], "balances");
    assert_eq!(c.details["quarantined_total"], 2);
    assert_eq!(c.details["quarantined"][0]["ticket"], "SEARCH-231");
    assert!(
        c.message.contains("98.98% of 98 executed tests passed")
            && c.message.contains("1 failed")
            && c.message.contains(
                "2 failures of quarantined tests not counted (raw pass rate 97% of 100 executed)"
            ),
        "{}",
        c.message
    );
    let f = check(&v, "flaky.rate");
    assert_eq!(f.status, CheckStatus::Pass, "{f:#?}");
    assert_eq!(f.details["quarantine"][0]["state"], "active");
    assert_eq!(f.details["quarantine"][0]["failing_tests"], 2);
}

#[test]
fn an_expired_entry_quarantines_nothing_and_fails_flaky_rate() {
    let mut e = run(TestOutcome::Passed);
    e.quarantine = quarantine(vec![entry("com.acme.search.*", "2026-11-23", 7)]);
    e.history = SourceState::Loaded(RunHistory::default());
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());
    let c = check(&v, "regression.pass-rate");
    assert_eq!(c.status, CheckStatus::Fail);
    assert_eq!(c.details["quarantined_failures"], 0);
    assert_eq!(c.details["raw_pass_rate"], c.details["adjusted_pass_rate"]);
    let f = check(&v, "flaky.rate");
    assert_eq!((f.status, f.blocking), (CheckStatus::Fail, true));
    assert!(
        f.message.contains("1 quarantine entry expired and quarantines nothing: `com.acme.search.*` (SEARCH-231, search-team@acme.example, quarantine.yaml:7) expired 2026-11-23"),
        "{}",
        f.message
    );
    assert!(f.remedy.as_deref().unwrap().contains("renew it"));
    assert_eq!(f.details["quarantine"][0]["state"], "expired");
    assert_eq!(v.decision, Decision::Blocked);
}

#[test]
fn an_entry_that_matches_a_critical_test_is_refused_and_the_failure_still_blocks() {
    let mut e = run(TestOutcome::Failed);
    // Tries to quarantine the failing payment test along with the search tests.
    e.quarantine = quarantine(vec![entry("*Test*", "2026-12-31", 3)]);
    e.history = SourceState::Loaded(RunHistory::default());
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());

    let critical = check(&v, "critical-paths.passed");
    assert_eq!(
        (critical.status, critical.blocking),
        (CheckStatus::Fail, true)
    );
    assert!(
        critical
            .message
            .starts_with("`com.acme.PaymentTest.refunds` failed on critical path `payment`"),
        "{}",
        critical.message
    );
    assert!(
        critical.message.contains("quarantine `*Test*` refused"),
        "{}",
        critical.message
    );
    assert_eq!(
        critical.details["paths"]["payment"]["refused_quarantine"],
        json!(["*Test*"])
    );

    // A refused entry quarantines nothing: every failure counts.
    let c = check(&v, "regression.pass-rate");
    assert_eq!(c.details["quarantined_failures"], 0);
    assert_eq!(c.details["failing_total"], 4);

    let f = check(&v, "flaky.rate");
    assert_eq!(f.status, CheckStatus::Fail);
    assert!(
        f.message.contains("1 quarantine entry is refused because critical paths are never quarantined: `*Test*` (SEARCH-231, search-team@acme.example, quarantine.yaml:3) matches 1 critical-path test: `com.acme.PaymentTest.refunds` (payment)"),
        "{}",
        f.message
    );
    assert_eq!(f.details["quarantine"][0]["state"], "refused");
    assert_eq!(f.details["quarantine"][0]["critical_tests_total"], 1);
    assert_eq!(v.decision, Decision::Blocked);
}

#[test]
fn a_refused_entry_matching_a_passing_critical_test_still_fails_flaky_rate() {
    let mut e = run(TestOutcome::Passed);
    e.quarantine = quarantine(vec![entry("com.acme.*", "2026-12-31", 3)]);
    e.history = SourceState::Loaded(RunHistory::default());
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());
    assert_eq!(check(&v, "critical-paths.passed").status, CheckStatus::Pass);
    assert_eq!(check(&v, "flaky.rate").status, CheckStatus::Fail);
    assert_eq!(
        check(&v, "regression.pass-rate").details["quarantined_failures"],
        0
    );
}

#[test]
fn a_quarantine_that_cannot_be_read_stops_the_checks_that_read_it() {
    let mut e = run(TestOutcome::Passed);
    e.history = SourceState::Loaded(RunHistory::default());
    e.quarantine = SourceState::Unreadable(vec![EvidenceProblem {
        source: "quarantine".into(),
        location: Some("quarantine.yaml:4:3".into()),
        message: "failed to read the quarantine `quarantine.yaml`: line 4: `owner` is empty".into(),
        remedy: "correct the quarantine file".into(),
    }]);
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());
    for id in ["regression.pass-rate", "flaky.rate"] {
        let c = check(&v, id);
        assert_eq!((c.status, c.blocking), (CheckStatus::Error, true), "{id}");
        assert!(c.message.contains("quarantine.yaml"), "{}", c.message);
    }
    assert_eq!(check(&v, "critical-paths.passed").status, CheckStatus::Pass);
    assert_eq!(v.exit_code(), ExitCode::EvidenceError);

    e.quarantine = SourceState::Missing(EvidenceProblem {
        source: "quarantine".into(),
        location: Some("quarantine.yaml".into()),
        message: "the quarantine file `quarantine.yaml` does not exist".into(),
        remedy: "create it".into(),
    });
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());
    assert_eq!(
        check(&v, "regression.pass-rate").status,
        CheckStatus::Missing
    );
    assert_eq!(v.exit_code(), ExitCode::Blocked);
}

#[test]
fn when_every_executed_test_is_a_quarantined_failure_nothing_is_left_to_measure() {
    let mut e = evidence(
        0,
        &[("com.acme.search.SearchIT.finds", TestOutcome::Failed)],
    );
    e.quarantine = quarantine(vec![entry("com.acme.search.*", "2026-12-31", 2)]);
    e.history = SourceState::Loaded(RunHistory::default());
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());
    let c = check(&v, "regression.pass-rate");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(
        c.message
            .starts_with("every executed test (1) failed and is quarantined"),
        "{}",
        c.message
    );
}

fn history_run(name: &str, current: bool) -> HistoryRun {
    HistoryRun {
        name: name.into(),
        commit: None,
        commit_from: None::<CommitSource>,
        time: None,
        files: 1,
        counts: TestCounts::default(),
        current,
    }
}

fn history_test(classname: &str, name: &str, outcomes: &str) -> HistoryTest {
    let (mut passed, mut failed) = (0u64, 0u64);
    for (i, o) in outcomes.chars().enumerate() {
        match o {
            'p' => passed |= 1 << i,
            'f' => failed |= 1 << i,
            _ => {}
        }
    }
    HistoryTest {
        suite: "suite".into(),
        classname: classname.into(),
        name: name.into(),
        passed,
        failed,
        last_failure: outcomes.rfind('f'),
        last_message: Some("timeout".into()),
    }
}

/// Four earlier runs and the current one.
fn history(tests: Vec<HistoryTest>) -> SourceState<RunHistory> {
    let mut runs: Vec<HistoryRun> = ["7", "8", "9", "10"]
        .iter()
        .map(|n| history_run(n, false))
        .collect();
    runs.push(history_run("current", true));
    SourceState::Loaded(RunHistory {
        runs,
        runs_available: 6,
        tests: 101,
        failed_tests: tests,
    })
}

#[test]
fn history_finds_flaky_tests_this_run_cannot_see_and_ranks_them_by_flip_rate() {
    let mut e = run(TestOutcome::Passed);
    e.quarantine = quarantine(vec![entry("com.acme.search.*", "2026-12-31", 2)]);
    e.history = history(vec![
        history_test("com.acme.search.SearchIT", "finds", "pfpff"),
        history_test("com.acme.search.SearchIT", "ranks", "pfpfp"),
        history_test("com.acme.ledger.LedgerTest", "balances", "ppppf"),
        // Flaky, but no longer in the suite: not counted.
        history_test("com.acme.old.OldTest", "gone", "pfpf-"),
    ]);
    let v = evaluate(
        &policy_with("checks:\n  flaky: {max_rate: 1%, min_flips: 2}\n"),
        &e,
        now(),
    );
    let f = check(&v, "flaky.rate");
    assert_eq!(f.status, CheckStatus::Fail, "{f:#?}");
    assert!(
        f.message.starts_with("2 of 100 executed tests are flaky (2%) across this run and 4 earlier runs; the maximum is 1%"),
        "{}",
        f.message
    );
    let ranked: Vec<(&str, f64, u64)> = f.details["flaky_tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["flip_rate"].as_f64().unwrap(),
                t["flips"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(ranked, [("ranks", 1.0, 4), ("finds", 0.75, 3)]);
    let top = &f.details["flaky_tests"][0];
    assert_eq!(top["reasons"], json!(["flips"]));
    assert_eq!(top["last_failure"]["run"], "10");
    assert_eq!(top["last_failure"]["message"], "timeout");
    assert_eq!(top["quarantined"], "com.acme.search.*");
    assert_eq!(f.details["history"]["runs_read"], 4);
    assert_eq!(f.details["history"]["oldest_run"], "7");
    assert_eq!(f.details["flaky_in_this_run"], 0);
}

#[test]
fn history_that_is_missing_or_unreadable_blocks_flaky_rate() {
    let mut e = run(TestOutcome::Passed);
    e.quarantine = quarantine(vec![]);
    e.history = SourceState::Missing(EvidenceProblem {
        source: "history".into(),
        location: Some("history/*/*.xml".into()),
        message: "no earlier run matched `history/*/*.xml`".into(),
        remedy: "download earlier runs' reports".into(),
    });
    let p = policy_with(PASS_RATE_AND_FLAKY);
    let v = evaluate(&p, &e, now());
    let f = check(&v, "flaky.rate");
    assert_eq!((f.status, f.blocking), (CheckStatus::Missing, true));
    // The pass rate does not read the history.
    assert_eq!(check(&v, "regression.pass-rate").status, CheckStatus::Fail);
    e.history = SourceState::Unreadable(vec![EvidenceProblem {
        source: "history".into(),
        location: None,
        message: "failed to parse JUnit report `history/7/a.xml` at line 2: truncated".into(),
        remedy: "re-download it".into(),
    }]);
    let v = evaluate(&p, &e, now());
    assert_eq!(check(&v, "flaky.rate").status, CheckStatus::Error);
    assert_eq!(v.exit_code(), ExitCode::EvidenceError);
}

#[test]
fn runs_named_out_of_order_are_pointed_out() {
    let mut e = run(TestOutcome::Passed);
    e.quarantine = quarantine(vec![]);
    let mut h = match history(vec![]) {
        SourceState::Loaded(h) => h,
        _ => unreachable!(),
    };
    h.runs[0].time = Some("2026-11-20T10:00:00Z".parse().unwrap());
    h.runs[1].time = Some("2026-11-19T10:00:00Z".parse().unwrap());
    e.history = SourceState::Loaded(h);
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());
    let f = check(&v, "flaky.rate");
    assert!(
        f.message
            .contains("run `8` is named after run `7` but ran before it"),
        "{}",
        f.message
    );
}

fn problems(text: &str) -> Vec<String> {
    let full = format!("version: 1\nrelease: {{name: api}}\n{text}");
    match Policy::parse(&full, &|_| None) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .problems()
            .iter()
            .map(|p| format!("{}: {}", p.mark.line, p.message))
            .collect(),
    }
}

#[test]
fn history_and_quarantine_settings_are_validated() {
    let p = problems(
        "sources:\n  tests:\n    junit: [a.xml]\n    history: []\nchecks:\n  flaky: {max_rate: 2%}\n",
    );
    assert!(
        p[0].contains("list at least one glob of earlier runs"),
        "{p:#?}"
    );
    let p = problems(
        "sources:\n  tests:\n    junit: [a.xml]\n    history: [h/*/*.xml]\nchecks:\n  regression: {min_tests: 1}\n",
    );
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].starts_with("6: `sources.tests.history` is read only by `flaky.rate`"),
        "{p:#?}"
    );
    let p = problems(
        "sources:\n  tests:\n    junit: [a.xml]\n    quarantine: q.yaml\nchecks:\n  regression: {min_pass_rate: 98%}\n",
    );
    assert!(
        p[0].contains("`sources.tests.quarantine` needs `checks.flaky`"),
        "{p:#?}"
    );
    let p = problems(
        "sources:\n  tests:\n    junit: [a.xml]\nchecks:\n  flaky: {max_rate: 2%, min_flips: 3}\n",
    );
    assert!(
        p[0].contains("`checks.flaky.min_flips` applies to earlier runs"),
        "{p:#?}"
    );
    let p = problems(
        "sources:\n  tests:\n    junit: [a.xml]\n    history: [h/*/*.xml]\nchecks:\n  flaky: {max_rate: 2%, history_runs: 64, min_flips: 0}\n",
    );
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(p[0].contains("must be between 1 and 63"), "{p:#?}");
    assert!(p[1].contains("must be at least 1"), "{p:#?}");
    assert!(problems("sources:\n  tests:\n    junit: [a.xml]\n    history: [h/*/*.xml]\n    quarantine: q.yaml\nchecks:\n  flaky: {max_rate: 2%, history_runs: 30}\n").is_empty());
}

#[test]
fn defaults_of_the_history_settings() {
    let p = policy_with("checks:\n  flaky: {max_rate: 2%}\n");
    assert_eq!((p.history_runs(), p.min_flips()), (20, 2));
    assert_eq!(p.history_globs(), Some(&["history/*/*.xml".to_owned()][..]));
    assert_eq!(p.quarantine_file(), Some("quarantine.yaml"));
}

#[test]
fn quarantining_everything_moves_every_failure_into_the_flaky_rate() {
    let failing: Vec<(String, TestOutcome)> = (0..10)
        .map(|i| {
            (
                format!("com.acme.search.SearchIT.t{i}"),
                TestOutcome::Failed,
            )
        })
        .collect();
    let listed: Vec<(&str, TestOutcome)> = failing.iter().map(|(n, o)| (n.as_str(), *o)).collect();
    let mut e = evidence(90, &listed);
    e.quarantine = quarantine(vec![entry("*", "2026-12-31", 2)]);
    e.history = SourceState::Loaded(RunHistory::default());
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());
    assert_eq!(check(&v, "regression.pass-rate").status, CheckStatus::Pass);
    let f = check(&v, "flaky.rate");
    assert_eq!((f.status, f.blocking), (CheckStatus::Fail, true));
    assert!(
        f.message.starts_with("10 of 100 executed tests are flaky (10%) across this run and 0 earlier runs, counting 10 failures of quarantined tests; the maximum is 5%"),
        "{}",
        f.message
    );
    assert_eq!(f.details["quarantined_failures"], 10);
    assert_eq!(v.decision, Decision::Blocked);
}

/// Without a history, the quarantined failures still move into the flaky rate: counted beside
/// this run's reruns, never dropped because no history ranked them.
#[test]
fn without_history_quarantined_failures_still_count_as_flaky() {
    let mut e = evidence(
        94,
        &[
            ("com.acme.search.SearchIT.finds", TestOutcome::Failed),
            ("com.acme.search.SearchIT.ranks", TestOutcome::Errored),
            ("com.acme.search.SearchIT.pages", TestOutcome::Failed),
            ("com.acme.search.SearchIT.sorts", TestOutcome::Failed),
            ("com.acme.search.SearchIT.filters", TestOutcome::Failed),
            ("com.acme.ledger.LedgerTest.balances", TestOutcome::Flaky),
        ],
    );
    e.quarantine = quarantine(vec![entry("com.acme.search.*", "2026-12-31", 2)]);
    let v = evaluate(&policy_with(PASS_RATE_AND_FLAKY), &e, now());
    let f = check(&v, "flaky.rate");
    assert_eq!((f.status, f.blocking), (CheckStatus::Fail, true), "{f:#?}");
    assert_eq!(f.observed, json!(0.06));
    assert_eq!(
        f.message,
        "6 of 100 executed tests were flaky (6%), counting 5 failures of quarantined tests; the maximum is 5%"
    );
    assert_eq!(f.details["flaky"], 6);
    assert_eq!(f.details["quarantined_failures"], 5);
    assert_eq!(f.details["flaky_tests_total"], 1);
}
