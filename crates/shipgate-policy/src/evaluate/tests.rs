mod quarantine_and_history;

use super::evaluate;
use crate::policy::Policy;
use proptest::prelude::*;
use shipgate_model::test_evidence::SuiteErrorKind;
use shipgate_model::{
    CheckResult, CheckStatus, Decision, EvidenceProblem, EvidenceSet, ExitCode, SourceState,
    SuiteError, TestCounts, TestEvidence, TestFile, TestOutcome, TestRecord,
};
use shipgate_test_support::{now, parsed};

fn policy(checks: &str) -> Policy {
    let text = format!(
        "version: 1\nrelease: {{name: api, version: '1.0'}}\nsources:\n  tests: {{junit: [r/*.xml]}}\n{checks}"
    );
    parsed(&text, Policy::parse(&text, &|_| None))
}

/// Evidence with `passed` plain passing tests (not retained, as the reader would do) plus the
/// given individually listed tests.
fn evidence(passed: u64, listed: &[(&str, TestOutcome)]) -> EvidenceSet {
    let mut counts = TestCounts::default();
    for _ in 0..passed {
        counts.record(TestOutcome::Passed);
    }
    let mut tests = Vec::new();
    for (qualified, outcome) in listed {
        counts.record(*outcome);
        let (classname, name) = qualified.rsplit_once('.').unwrap_or(("", qualified));
        tests.push(TestRecord {
            file: 0,
            suite: "suite".into(),
            classname: classname.into(),
            name: name.into(),
            outcome: *outcome,
            time: Some(0.1),
            message: (*outcome != TestOutcome::Passed).then(|| "boom".to_owned()),
            defect_refs: vec![],
            attempts: 1,
        });
    }
    EvidenceSet {
        tests: SourceState::Loaded(TestEvidence {
            files: vec![TestFile {
                path: "r/a.xml".into(),
                counts,
                suites: 1,
                suite_errors: 0,
                duplicate_names: 0,
                timestamp: None,
                local_timestamp: None,
                commit: None,
            }],
            totals: counts,
            tests,
            ..TestEvidence::default()
        }),
        inputs: vec![],
        ..EvidenceSet::default()
    }
}

fn check<'a>(v: &'a shipgate_model::Verdict, id: &str) -> &'a CheckResult {
    v.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:#?}", v.checks))
}

const PASS_RATE: &str = "checks:\n  regression: {min_pass_rate: 98%}\n";

#[test]
fn pass_rate_exactly_at_the_threshold_passes() {
    // 49 of 50 = 98% exactly.
    let v = evaluate(
        &policy(PASS_RATE),
        &evidence(49, &[("a.B.t", TestOutcome::Failed)]),
        now(),
    );
    let c = check(&v, "regression.pass-rate");
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert_eq!(c.observed, serde_json::json!(0.98));
    assert_eq!(v.decision, Decision::Ready);
    assert_eq!(c.remedy, None);
}

#[test]
fn pass_rate_just_under_the_threshold_fails_and_says_what_would_pass() {
    // 48 of 50 = 96%; 49 needed.
    let v = evaluate(
        &policy(PASS_RATE),
        &evidence(
            48,
            &[
                ("a.B.t1", TestOutcome::Failed),
                ("a.B.t2", TestOutcome::Errored),
            ],
        ),
        now(),
    );
    let c = check(&v, "regression.pass-rate");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.blocking);
    assert!(
        c.message.starts_with("96% of 50 executed tests passed"),
        "{}",
        c.message
    );
    assert!(
        c.remedy
            .as_deref()
            .unwrap()
            .starts_with("1 of the 2 failing tests must pass"),
        "{:?}",
        c.remedy
    );
    assert_eq!(c.details["failing_total"], 2);
    assert_eq!(v.exit_code(), ExitCode::Blocked);
}

#[test]
fn skipped_tests_never_count_as_passes_and_flaky_ones_do() {
    // 97 passed + 1 flaky of 100 executed = 98%; 10 skipped are not counted either way.
    let mut listed = vec![
        ("a.B.flaky", TestOutcome::Flaky),
        ("a.B.f1", TestOutcome::Failed),
        ("a.B.f2", TestOutcome::Failed),
    ];
    let skips: Vec<String> = (0..10).map(|i| format!("a.B.skip{i}")).collect();
    for s in &skips {
        listed.push((s.as_str(), TestOutcome::Skipped));
    }
    let v = evaluate(&policy(PASS_RATE), &evidence(97, &listed), now());
    let c = check(&v, "regression.pass-rate");
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert_eq!(c.details["executed"], 100);
    assert!(c.message.contains("10 skipped (not counted)"));
}

#[test]
fn a_suite_that_failed_to_set_up_counts_as_an_errored_test() {
    let mut e = evidence(49, &[]);
    if let SourceState::Loaded(t) = &mut e.tests {
        t.suite_errors.push(SuiteError {
            file: 0,
            suite: "com.acme.payment.CardTest".into(),
            kind: SuiteErrorKind::Error,
            message: Some("beforeAll failed".into()),
        });
    }
    let v = evaluate(
        &policy("checks:\n  regression: {min_pass_rate: 100%}\n"),
        &e,
        now(),
    );
    let c = check(&v, "regression.pass-rate");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(
        c.message.contains("1 suite failed to set up"),
        "{}",
        c.message
    );
}

#[test]
fn no_executed_test_never_passes() {
    let v = evaluate(
        &policy(
            "checks:\n  regression: {min_pass_rate: 0%, min_tests: 1}\n  flaky: {max_rate: 100%}\n",
        ),
        &evidence(0, &[("a.B.s", TestOutcome::Skipped)]),
        now(),
    );
    for id in ["regression.pass-rate", "regression.min-tests", "flaky.rate"] {
        assert_eq!(check(&v, id).status, CheckStatus::Fail, "{id}");
    }
    assert!(
        check(&v, "regression.pass-rate")
            .message
            .starts_with("no test was executed")
    );
}

#[test]
fn min_tests_boundaries_count_executed_tests_only() {
    let p = policy("checks:\n  regression: {min_tests: 10}\n");
    let at = evaluate(&p, &evidence(10, &[("a.B.s", TestOutcome::Skipped)]), now());
    assert_eq!(check(&at, "regression.min-tests").status, CheckStatus::Pass);
    let under = evaluate(&p, &evidence(9, &[("a.B.s", TestOutcome::Skipped)]), now());
    let c = check(&under, "regression.min-tests");
    assert_eq!(c.status, CheckStatus::Fail);
    assert_eq!(c.observed, serde_json::json!(9));
    assert!(
        c.remedy
            .as_deref()
            .unwrap()
            .starts_with("1 more test must run"),
        "{:?}",
        c.remedy
    );
}

const CRITICAL: &str = "risk:\n  critical_paths:\n    payment: {tests: ['com.acme.payment.*', '*Payment*']}\n    auth: {tests: ['*login*']}\n";

#[test]
fn critical_paths_pass_when_every_path_has_passing_tests() {
    let v = evaluate(
        &policy(CRITICAL),
        &evidence(
            5,
            &[
                ("com.acme.payment.CardTest.charges", TestOutcome::Passed),
                ("web.LoginTest.login_ok", TestOutcome::Passed),
            ],
        ),
        now(),
    );
    let c = check(&v, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert!(
        c.message.contains("payment: 1 test, all passed"),
        "{}",
        c.message
    );
}

#[test]
fn a_critical_path_with_no_matching_test_fails() {
    let v = evaluate(
        &policy(CRITICAL),
        &evidence(
            5,
            &[("com.acme.payment.CardTest.charges", TestOutcome::Passed)],
        ),
        now(),
    );
    let c = check(&v, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(
        c.message
            .starts_with("critical path `auth` has 0 tests matching"),
        "{}",
        c.message
    );
}

#[test]
fn skipped_or_flaky_critical_tests_are_told_apart() {
    let listed = [
        ("com.acme.payment.CardTest.charges", TestOutcome::Skipped),
        ("web.LoginTest.login_ok", TestOutcome::Flaky),
    ];
    let v = evaluate(&policy(CRITICAL), &evidence(5, &listed), now());
    let c = check(&v, "critical-paths.passed");
    assert_eq!(
        c.status,
        CheckStatus::Fail,
        "a skipped critical test blocks"
    );
    assert!(
        c.message
            .starts_with("`com.acme.payment.CardTest.charges` skipped on critical path `payment`"),
        "{}",
        c.message
    );
    assert!(
        c.message.contains("auth: 1 test (1 flaky)"),
        "a flaky critical test is reported: {}",
        c.message
    );
    assert_eq!(c.details["paths"]["auth"]["not_passed_total"], 0);
}

#[test]
fn min_tests_per_path_is_a_boundary() {
    let p = policy(&format!(
        "{CRITICAL}checks:\n  critical_paths: {{min_tests_per_path: 2}}\n"
    ));
    let two = [
        ("com.acme.payment.A.t", TestOutcome::Passed),
        ("x.PaymentTest.t", TestOutcome::Passed),
        ("web.LoginTest.login_a", TestOutcome::Passed),
        ("web.LoginTest.login_b", TestOutcome::Passed),
    ];
    assert_eq!(
        check(
            &evaluate(&p, &evidence(0, &two), now()),
            "critical-paths.passed"
        )
        .status,
        CheckStatus::Pass
    );
    let c = evaluate(&p, &evidence(0, &two[..3]), now());
    let c = check(&c, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(
        c.message.contains("auth: 1 test (needs at least 2)"),
        "{}",
        c.message
    );
}

#[test]
fn a_failed_suite_on_a_critical_path_fails_it() {
    let mut e = evidence(
        2,
        &[
            ("com.acme.payment.A.t", TestOutcome::Passed),
            ("web.LoginTest.login_a", TestOutcome::Passed),
        ],
    );
    if let SourceState::Loaded(t) = &mut e.tests {
        t.suite_errors.push(SuiteError {
            file: 0,
            suite: "com.acme.payment.RefundTest".into(),
            kind: SuiteErrorKind::Failure,
            message: None,
        });
    }
    let v = evaluate(&policy(CRITICAL), &e, now());
    let c = check(&v, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(
        c.message
            .starts_with("suite `com.acme.payment.RefundTest` failed to set up"),
        "{}",
        c.message
    );
}

#[test]
fn flaky_rate_boundaries() {
    let p = policy("checks:\n  flaky: {max_rate: 2%}\n");
    let at = evaluate(
        &p,
        &evidence(
            98,
            &[("a.F.1", TestOutcome::Flaky), ("a.F.2", TestOutcome::Flaky)],
        ),
        now(),
    );
    assert_eq!(check(&at, "flaky.rate").status, CheckStatus::Pass);
    let over = evaluate(
        &p,
        &evidence(
            97,
            &[
                ("a.F.1", TestOutcome::Flaky),
                ("a.F.2", TestOutcome::Flaky),
                ("a.F.3", TestOutcome::Flaky),
            ],
        ),
        now(),
    );
    let c = check(&over, "flaky.rate");
    assert_eq!(c.status, CheckStatus::Fail);
    assert_eq!(c.details["flaky_tests_total"], 3);
    assert!(
        c.remedy
            .as_deref()
            .unwrap()
            .starts_with("1 fewer flaky tests"),
        "{:?}",
        c.remedy
    );
}

#[test]
fn warn_level_reports_without_blocking() {
    let p = policy(
        // A policy must be able to block: a passing error-level check beside the warn one.
        "checks:\n  regression: {min_pass_rate: 100%, level: warn}\n  flaky: {max_rate: 100%}\n",
    );
    let v = evaluate(&p, &evidence(9, &[("a.B.t", TestOutcome::Failed)]), now());
    let c = check(&v, "regression.pass-rate");
    assert_eq!(c.status, CheckStatus::Warn);
    assert!(!c.blocking);
    assert_eq!(v.decision, Decision::Ready);
}

fn missing() -> EvidenceSet {
    EvidenceSet {
        tests: SourceState::Missing(EvidenceProblem {
            source: "tests".into(),
            location: Some("r/*.xml".into()),
            message: "no file matched `r/*.xml`".into(),
            remedy: "run the tests first".into(),
        }),
        inputs: vec![],
        ..EvidenceSet::default()
    }
}

#[test]
fn missing_evidence_blocks_by_default_and_warns_when_asked() {
    let v = evaluate(&policy(PASS_RATE), &missing(), now());
    let c = check(&v, "regression.pass-rate");
    assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
    assert_eq!(c.remedy.as_deref(), Some("run the tests first"));
    assert_eq!(v.exit_code(), ExitCode::Blocked);

    // `on_missing: warn` lets a check without evidence report and not block, as long as the
    // gate measured something else.
    let text = "version: 1\nrelease: {name: api, version: '1.0'}\nsources:\n  tests: {junit: [r/*.xml]}\n  uat: {signoff: uat.yaml}\nchecks:\n  regression: {min_tests: 1}\n  uat: {required_roles: [qa-lead], on_missing: warn}\n";
    let lenient = Policy::parse(text, &|_| None).unwrap();
    let mut e = evidence(3, &[]);
    e.uat = SourceState::Missing(EvidenceProblem {
        source: "uat".into(),
        location: Some("uat.yaml".into()),
        message: "`uat.yaml` does not exist".into(),
        remedy: "record the sign-off".into(),
    });
    let v = evaluate(&lenient, &e, now());
    let c = check(&v, "uat.signoff");
    assert_eq!((c.status, c.blocking), (CheckStatus::Missing, false));
    assert!(
        c.message
            .ends_with("(on_missing: warn, so this does not block)")
    );
    assert_eq!(v.decision, Decision::Ready);
}

/// A limit reads the same whether or not its evidence was there: a missing-evidence result
/// carries the unit of the measured one (the report once showed `0.98` for missing tests and
/// `98%` once they were evaluated).
#[test]
fn missing_evidence_keeps_the_unit_of_the_threshold() {
    let p = policy(
        "checks:\n  regression: {min_pass_rate: 98%, min_tests: 5}\n  flaky: {max_rate: 2%}\n",
    );
    let measured = evaluate(&p, &evidence(9, &[]), now());
    let absent = evaluate(&p, &missing(), now());
    for id in ["regression.pass-rate", "regression.min-tests", "flaky.rate"] {
        let (m, a) = (check(&measured, id), check(&absent, id));
        assert_eq!(a.status, CheckStatus::Missing, "{id}");
        assert!(
            a.unit.is_some(),
            "{id} has no unit when its evidence is missing"
        );
        assert_eq!(a.unit, m.unit, "{id}");
        assert_eq!(a.threshold, m.threshold, "{id}");
    }
}

#[test]
fn a_gate_that_measured_nothing_never_says_ready() {
    let lenient =
        policy("checks:\n  regression: {min_pass_rate: 98%, min_tests: 5, on_missing: warn}\n");
    let v = evaluate(&lenient, &missing(), now());
    for id in ["regression.pass-rate", "regression.min-tests"] {
        let c = check(&v, id);
        assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true), "{id}");
        assert!(
            c.message.contains("a gate that measured nothing"),
            "{}",
            c.message
        );
    }
    assert_eq!(v.decision, Decision::Blocked);
}

#[test]
fn unreadable_evidence_is_exit_4() {
    let e = EvidenceSet {
        tests: SourceState::Unreadable(vec![EvidenceProblem {
            source: "tests".into(),
            location: Some("r/a.xml".into()),
            message: "failed to parse JUnit report `r/a.xml` at line 3: truncated".into(),
            remedy: "re-run".into(),
        }]),
        inputs: vec![],
        ..EvidenceSet::default()
    };
    let v = evaluate(&policy(PASS_RATE), &e, now());
    assert_eq!(check(&v, "regression.pass-rate").status, CheckStatus::Error);
    assert_eq!(v.exit_code(), ExitCode::EvidenceError);
}

const WAIVED: &str = "checks:\n  regression: {min_pass_rate: 100%}\nwaivers:\n  - check: regression.pass-rate\n    reason: PAY-812 fixed in 2.4.1\n    approved_by: cto@acme.example\n    expires: ";

#[test]
fn a_valid_waiver_turns_a_failure_into_waived() {
    let v = evaluate(
        &policy(&format!("{WAIVED}2026-11-24\n")),
        &evidence(9, &[("a.B.t", TestOutcome::Failed)]),
        now(),
    );
    let c = check(&v, "regression.pass-rate");
    assert_eq!(c.status, CheckStatus::Waived);
    assert!(!c.blocking);
    assert_eq!(c.waiver.as_ref().unwrap().approved_by, "cto@acme.example");
    assert_eq!(check(&v, "waivers.valid").status, CheckStatus::Pass);
    assert_eq!(v.decision, Decision::Ready);
}

#[test]
fn an_expired_waiver_waives_nothing_and_fails_waivers_valid() {
    let v = evaluate(
        &policy(&format!("{WAIVED}2026-11-23\n")),
        &evidence(9, &[("a.B.t", TestOutcome::Failed)]),
        now(),
    );
    assert_eq!(check(&v, "regression.pass-rate").status, CheckStatus::Fail);
    let w = check(&v, "waivers.valid");
    assert_eq!(w.status, CheckStatus::Fail);
    assert!(w.message.contains("1 expired"), "{}", w.message);
    assert_eq!(v.decision, Decision::Blocked);
}

#[test]
fn an_incomplete_waiver_waives_nothing() {
    let text = "checks:\n  regression: {min_pass_rate: 100%}\nwaivers:\n  - check: regression.pass-rate\n    approved_by: qa@acme.example\n    expires: 2030-01-01\n";
    let v = evaluate(
        &policy(text),
        &evidence(9, &[("a.B.t", TestOutcome::Failed)]),
        now(),
    );
    assert_eq!(check(&v, "regression.pass-rate").status, CheckStatus::Fail);
    let w = check(&v, "waivers.valid");
    assert_eq!(w.status, CheckStatus::Fail);
    assert!(w.message.contains("incomplete"), "{}", w.message);
}

#[test]
fn an_unused_waiver_warns() {
    let v = evaluate(
        &policy(&format!("{WAIVED}2030-01-01\n")),
        &evidence(10, &[]),
        now(),
    );
    let w = check(&v, "waivers.valid");
    assert_eq!((w.status, w.blocking), (CheckStatus::Warn, false));
    assert_eq!(v.decision, Decision::Ready);
    assert_eq!(
        v.waivers[0].state,
        shipgate_model::verdict::WaiverState::Unused
    );
}

#[test]
fn unreadable_evidence_cannot_be_waived() {
    let e = EvidenceSet {
        tests: SourceState::Unreadable(vec![EvidenceProblem {
            source: "tests".into(),
            location: None,
            message: "bad".into(),
            remedy: "fix".into(),
        }]),
        inputs: vec![],
        ..EvidenceSet::default()
    };
    let v = evaluate(&policy(&format!("{WAIVED}2030-01-01\n")), &e, now());
    assert_eq!(check(&v, "regression.pass-rate").status, CheckStatus::Error);
    let w = check(&v, "waivers.valid");
    assert!(w.message.contains("cannot be waived"), "{}", w.message);
    assert!(!w.message.contains("did not fail"), "{}", w.message);
    assert_eq!(v.exit_code(), ExitCode::EvidenceError);
}

#[test]
fn stats_and_order_follow_the_catalogue() {
    let p = policy(&format!(
        "{CRITICAL}checks:\n  flaky: {{max_rate: 5%}}\n  regression: {{min_tests: 1, min_pass_rate: 50%}}\n"
    ));
    let v = evaluate(
        &p,
        &evidence(
            3,
            &[
                ("com.acme.payment.A.t", TestOutcome::Passed),
                ("w.login.t", TestOutcome::Passed),
            ],
        ),
        now(),
    );
    let ids: Vec<&str> = v.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "regression.pass-rate",
            "regression.min-tests",
            "critical-paths.passed",
            "flaky.rate"
        ]
    );
    assert_eq!(v.stats.tests.as_ref().unwrap().total, 5);
}

fn outcome_strategy() -> impl Strategy<Value = TestOutcome> {
    prop_oneof![
        Just(TestOutcome::Passed),
        Just(TestOutcome::Flaky),
        Just(TestOutcome::Skipped),
        Just(TestOutcome::Errored),
        Just(TestOutcome::Failed),
    ]
}

proptest! {
    /// Adding a failing or skipped critical test never turns `blocked` into `ready`.
    #[test]
    fn a_bad_critical_test_never_unblocks(
        passed in 0u64..60,
        listed in proptest::collection::vec((0usize..4, outcome_strategy()), 0..12),
        added in prop_oneof![Just(TestOutcome::Failed), Just(TestOutcome::Errored), Just(TestOutcome::Skipped)],
        added_name in 0usize..4,
        min_rate in 0u32..=100,
    ) {
        let names = ["com.acme.payment.A.t", "web.LoginTest.login", "x.Other.t", "y.Misc.t"];
        let p = policy(&format!(
            "{CRITICAL}checks:\n  regression: {{min_pass_rate: {min_rate}%, min_tests: 3}}\n  flaky: {{max_rate: 10%}}\n"
        ));
        let before: Vec<(&str, TestOutcome)> = listed.iter().map(|(i, o)| (names[*i], *o)).collect();
        let mut after = before.clone();
        after.push((names[added_name % 2], added)); // always on a critical path
        let v_before = evaluate(&p, &evidence(passed, &before), now());
        let v_after = evaluate(&p, &evidence(passed, &after), now());
        prop_assert_eq!(v_after.decision, Decision::Blocked);
        if v_before.decision == Decision::Blocked {
            prop_assert_eq!(v_after.decision, Decision::Blocked);
        }
    }

    /// Adding a failing test anywhere never turns `blocked` into `ready`.
    ///
    /// At least `min_tests` pass before it is added: a failing test still executed, so below
    /// `min_tests` it rightly counts toward it (2 passed + 1 failed at `min_pass_rate: 0%` is
    /// ready by that policy's own terms), and the property is about failures, not the count.
    #[test]
    fn a_failing_test_never_unblocks(
        passed in 3u64..60,
        listed in proptest::collection::vec((0usize..4, outcome_strategy()), 0..12),
        min_rate in 0u32..=100,
    ) {
        let names = ["com.acme.payment.A.t", "web.LoginTest.login", "x.Other.t", "y.Misc.t"];
        let p = policy(&format!(
            "{CRITICAL}checks:\n  regression: {{min_pass_rate: {min_rate}%, min_tests: 3}}\n"
        ));
        let before: Vec<(&str, TestOutcome)> = listed.iter().map(|(i, o)| (names[*i], *o)).collect();
        let mut after = before.clone();
        after.push(("x.Other.new", TestOutcome::Failed));
        let v_before = evaluate(&p, &evidence(passed, &before), now());
        let v_after = evaluate(&p, &evidence(passed, &after), now());
        if v_before.decision == Decision::Blocked {
            prop_assert_eq!(v_after.decision, Decision::Blocked);
        }
    }
}

/// A suite that failed to set up blocks a critical path when its name matches a pattern written
/// over `classname.name`, or when it is in a file that holds one of the path's tests (pytest
/// names every suite `pytest`).
#[test]
fn a_failed_critical_suite_is_found_by_class_pattern_or_by_its_file() {
    let with_suite_error = |suite: &str, file: usize| {
        let mut e = evidence(
            0,
            &[
                ("com.acme.payment.ChargeTest.charges", TestOutcome::Passed),
                ("web.LoginTest.login_ok", TestOutcome::Passed),
            ],
        );
        if let SourceState::Loaded(t) = &mut e.tests {
            t.files.push(t.files[0].clone());
            t.suite_errors.push(SuiteError {
                file,
                suite: suite.into(),
                kind: SuiteErrorKind::Error,
                message: Some("setup failed".into()),
            });
        }
        e
    };
    let by_class = policy(
        "risk:\n  critical_paths:\n    payment: {tests: ['com.acme.payment.*', '*Refund*.*']}\n    auth: {tests: ['*login*']}\n",
    );
    // `RefundTest` matches `*Refund*.*` as `RefundTest.`; it sits in another file.
    let v = evaluate(&by_class, &with_suite_error("RefundTest", 1), now());
    assert_eq!(check(&v, "critical-paths.passed").status, CheckStatus::Fail);
    // A suite named `pytest` matches no pattern, but it is in the file of a payment test.
    let v = evaluate(&by_class, &with_suite_error("pytest", 0), now());
    let c = check(&v, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
    // In a file of no critical test, a suite named after nothing critical does not touch the paths.
    let v = evaluate(&by_class, &with_suite_error("misc", 1), now());
    assert_eq!(check(&v, "critical-paths.passed").status, CheckStatus::Pass);
}

/// Every configured check is evaluated, in the order of the policy's ids (both come from the
/// one list of configured checks the registry built).
#[test]
fn every_configured_check_is_evaluated() {
    for checks in [
        PASS_RATE,
        CRITICAL,
        "checks:\n  regression: {min_tests: 1, min_pass_rate: 1%}\n  flaky: {max_rate: 5%}\n",
    ] {
        let p = policy(checks);
        let v = evaluate(&p, &evidence(3, &[]), now());
        let ids: Vec<String> = v.checks.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids, p.check_ids(), "{checks}");
        assert!(
            v.checks
                .iter()
                .all(|c| !c.message.contains("not evaluated"))
        );
    }
}

#[test]
fn a_critical_path_can_ignore_case_and_then_finds_every_spelling() {
    let sensitive = "risk:\n  critical_paths:\n    auth: {tests: ['*login*']}\n";
    let e = evidence(
        5,
        &[
            ("com.acme.LoginDigestTest.expires", TestOutcome::Failed),
            ("com.acme.login.FormTest.ok", TestOutcome::Passed),
        ],
    );
    // Case-sensitive (the default), `*login*` misses `LoginDigestTest`, so its failure does not
    // count on the path: the reason to offer `ignore_case`.
    let v = evaluate(&policy(sensitive), &e, now());
    assert_eq!(check(&v, "critical-paths.passed").status, CheckStatus::Pass);
    let folded = "risk:\n  critical_paths:\n    auth: {tests: ['*login*'], ignore_case: true}\n";
    let v = evaluate(&policy(folded), &e, now());
    let c = check(&v, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Fail, "{}", c.message);
    assert!(c.message.contains("LoginDigestTest"), "{}", c.message);
    assert_eq!(c.details["paths"]["auth"]["ignore_case"], true);
    // The retention patterns ignore case too, so the reader keeps a passing `LoginX` test.
    let p = policy(folded);
    let retained = p.test_retention();
    assert!(retained.patterns[0].matches("a.LoginX.t"));
}

#[test]
fn an_excluded_test_is_listed_with_its_reason_and_never_counted() {
    let text = "risk:\n  critical_paths:\n    auth:\n      tests: ['*login*']\n      exclude:\n        - {pattern: '*login_windows*', reason: runs only on Windows agents; the windows-e2e job covers it}\n";
    let e = evidence(
        5,
        &[
            ("a.B.test_login_windows_sso", TestOutcome::Skipped),
            ("a.B.test_login", TestOutcome::Passed),
        ],
    );
    let v = evaluate(&policy(text), &e, now());
    let c = check(&v, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Pass, "{}", c.message);
    assert!(c.message.contains("1 excluded"), "{}", c.message);
    let auth = &c.details["paths"]["auth"];
    assert_eq!(auth["counts"]["tests"], 1);
    assert_eq!(auth["excluded_total"], 1);
    assert_eq!(auth["excluded"][0]["name"], "test_login_windows_sso");
    assert!(
        auth["excluded"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("windows-e2e")
    );
    // Excluding every test of a path leaves it with none: it fails, it is not skipped.
    let all = text.replace("'*login_windows*'", "'*login*'");
    let v = evaluate(&policy(&all), &e, now());
    assert_eq!(check(&v, "critical-paths.passed").status, CheckStatus::Fail);
    // An exclusion needs its reason.
    let no_reason = text.replace(
        ", reason: runs only on Windows agents; the windows-e2e job covers it",
        "",
    );
    let text = format!(
        "version: 1\nrelease: {{name: api}}\nsources:\n  tests: {{junit: [r/*.xml]}}\n{no_reason}"
    );
    assert!(Policy::parse(&text, &|_| None).is_err());
}

/// Each path's problems are counted, not only the first path's: `auth` (first by name) passes
/// and a failure on `payment` (the last) still blocks.
#[test]
fn a_failure_on_the_last_critical_path_blocks_when_the_first_passes() {
    let listed = [
        ("web.LoginTest.login_ok", TestOutcome::Passed),
        ("com.acme.payment.CardTest.charges", TestOutcome::Passed),
        ("com.acme.payment.CardTest.refunds", TestOutcome::Failed),
    ];
    let v = evaluate(&policy(CRITICAL), &evidence(5, &listed), now());
    let c = check(&v, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Fail, "{}", c.message);
    assert_eq!(c.observed, serde_json::json!(1));
    assert!(
        c.message
            .starts_with("`com.acme.payment.CardTest.refunds` failed on critical path `payment`"),
        "{}",
        c.message
    );
    assert_eq!(c.details["paths"]["auth"]["not_passed_total"], 0);
    assert_eq!(c.details["paths"]["payment"]["not_passed_total"], 1);
}

/// An excluded test is passed over, and only it: a failing test of the same path listed after
/// it still counts and blocks.
#[test]
fn an_exclusion_never_hides_the_failing_tests_after_it() {
    let text = "risk:\n  critical_paths:\n    auth:\n      tests: ['*login*']\n      exclude:\n        - {pattern: '*login_windows*', reason: runs only on Windows agents}\n";
    let e = evidence(
        5,
        &[
            ("a.B.test_login_windows_sso", TestOutcome::Skipped),
            ("a.B.test_login_ok", TestOutcome::Passed),
            ("a.B.test_login_expired", TestOutcome::Errored),
        ],
    );
    let v = evaluate(&policy(text), &e, now());
    let c = check(&v, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Fail, "{}", c.message);
    let auth = &c.details["paths"]["auth"];
    assert_eq!(auth["counts"]["tests"], 2);
    assert_eq!(auth["not_passed_total"], 1);
    assert_eq!(auth["excluded_total"], 1);
}
