//! The risk report and `risk.coverage` on evidence built by hand, with every number computed
//! here from the formula of docs/risk.md.

use super::risk_report;
use crate::evaluate::evaluate;
use crate::policy::Policy;
use shipgate_model::{
    CheckResult, CheckStatus, ChurnCommit, ChurnEvidence, ComplexityEvidence, ComplexityTool,
    Decision, Defect, DefectEvidence, DefectStatus, EvidenceProblem, EvidenceSet, FileChange,
    FunctionComplexity, NotADefect, NotADefectBy, Origin, Severity, SourceState, TestCounts,
    TestEvidence, TestFile, TestOutcome, TestRecord,
};
use shipgate_test_support::{at, now, parsed};

const AREAS: &str = "\
risk:
  areas:
    payments:
      revenue_impact: critical
      files: ['src/pay/**']
      tests: ['tests.test_payment.*']
      defects: {components: [Payments]}
      test_location: tests/test_payment.py
    reports:
      revenue_impact: low
      files: ['src/reports/**']
      tests: ['tests.test_reports.*']
      defects: {components: [Reports]}
";

fn policy(extra: &str) -> Policy {
    let text = format!(
        "version: 1\nrelease: {{name: api}}\nsources:\n  tests: {{junit: [r/*.xml]}}\n  defects: {{kind: file, path: d.json}}\n  complexity: [{{format: lizard, path: l.csv}}]\n  churn: {{from: git}}\n{extra}"
    );
    parsed(&text, Policy::parse(&text, &|_| None))
}

/// A policy for the report alone (a policy must check something).
fn report_policy(areas: &str) -> Policy {
    policy(&format!("{areas}checks:\n  regression: {{min_tests: 1}}\n"))
}

fn test(qualified: &str, outcome: TestOutcome) -> TestRecord {
    let (classname, name) = qualified.rsplit_once('.').unwrap();
    TestRecord {
        file: 0,
        suite: "s".into(),
        classname: classname.into(),
        name: name.into(),
        outcome,
        time: Some(0.5),
        message: None,
        defect_refs: vec![],
        attempts: 1,
    }
}

fn tests(list: Vec<TestRecord>) -> SourceState<TestEvidence> {
    let mut counts = TestCounts::default();
    for t in &list {
        counts.record(t.outcome);
    }
    SourceState::Loaded(TestEvidence {
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
        tests: list,
        ..TestEvidence::default()
    })
}

fn defect(key: &str, origin: Origin, component: &str, created: &str) -> Defect {
    Defect {
        key: key.into(),
        title: "Second partial refund can exceed the captured amount".into(),
        severity: Severity::High,
        severity_raw: vec![],
        origin,
        origin_raw: vec![],
        status: DefectStatus::Closed,
        created: at(created),
        resolved: None,
        resolution: None,
        not_a_defect: None,
        components: vec![component.into()],
        labels: vec![],
        links: vec![],
        introduced_in: vec![],
        url: Some(format!("https://acme.atlassian.net/browse/{key}")),
    }
}

fn function(file: &str, ccn: u32) -> FunctionComplexity {
    FunctionComplexity {
        file: file.into(),
        function: format!("f{ccn}"),
        line: Some(1),
        ccn,
        tool: ComplexityTool::Lizard,
    }
}

fn commit(id: &str, files: &[&str]) -> ChurnCommit {
    ChurnCommit {
        id: id.into(),
        time: at("2026-11-01T00:00:00Z"),
        files: files
            .iter()
            .map(|f| FileChange {
                path: (*f).into(),
                added: Some(10),
                deleted: Some(2),
            })
            .collect(),
    }
}

/// Payments: critical impact (4), 1 production + 1 pre-production defect in the window (3 + 1
/// = 4; one more production defect is older than 90 days, one is a closed duplicate), complexity
/// 12 + 8 = 20, 2 commits. Reports: low (1), 1 production defect (3), complexity 3, 0 commits. No history
/// configured: failure history is missing for both (scored 1).
fn evidence() -> EvidenceSet {
    let mut duplicate = defect(
        "PAY-9",
        Origin::Production,
        "Payments",
        "2026-11-10T00:00:00Z",
    );
    duplicate.not_a_defect = Some(NotADefect {
        by: NotADefectBy::Resolution,
        value: "Duplicate".into(),
    });
    EvidenceSet {
        tests: tests(vec![
            test(
                "tests.test_payment.TestRefund.test_full_refund",
                TestOutcome::Passed,
            ),
            test(
                "tests.test_payment.TestRefund.test_pay_7_refund_twice",
                TestOutcome::Passed,
            ),
            test(
                "tests.test_payment.TestCheckout.test_euro",
                TestOutcome::Flaky,
            ),
            test(
                "tests.test_reports.TestVat.test_pay_8_vat",
                TestOutcome::Failed,
            ),
        ]),
        defects: SourceState::Loaded(DefectEvidence::new(
            "file",
            "d.json",
            None,
            vec![
                defect(
                    "PAY-7",
                    Origin::Production,
                    "Payments",
                    "2026-11-01T00:00:00Z",
                ),
                defect(
                    "PAY-8",
                    Origin::Production,
                    "Reports",
                    "2026-11-02T00:00:00Z",
                ),
                defect(
                    "PAY-3",
                    Origin::PreProduction,
                    "Payments",
                    "2026-10-01T00:00:00Z",
                ),
                defect(
                    "PAY-1",
                    Origin::Production,
                    "Payments",
                    "2026-01-01T00:00:00Z",
                ),
                duplicate,
                defect(
                    "PAY-11",
                    Origin::Production,
                    "Search",
                    "2026-11-20T00:00:00Z",
                ),
            ],
        )),
        complexity: SourceState::Loaded(ComplexityEvidence {
            functions: vec![
                function("src/pay/a.rs", 12),
                function("src/pay/sub/b.rs", 8),
                function("src/reports/r.rs", 3),
                function("src/other.rs", 50),
            ],
        }),
        churn: SourceState::Loaded(ChurnEvidence {
            since: at("2026-08-26T10:00:00Z"),
            until: now(),
            head: "abcdef0".into(),
            commits: vec![
                commit("c1", &["src/pay/a.rs", "README.md"]),
                commit("c2", &["src/pay/sub/b.rs"]),
                commit("c3", &["docs/x.md"]),
            ],
            tracked: vec![
                "src/pay/a.rs".into(),
                "src/pay/sub/b.rs".into(),
                "src/reports/r.rs".into(),
            ],
        }),
        ..EvidenceSet::default()
    }
}

#[test]
fn every_factor_is_measured_from_its_evidence_and_scored_as_documented() {
    let report = risk_report(&report_policy(AREAS), &evidence(), now(), None);
    let names: Vec<&str> = report.areas.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["payments", "reports"]);
    let p = &report.areas[0];
    let raw = |a: &shipgate_risk::report::AreaReport, f: &str| a.factors[f].as_ref().map(|f| f.raw);
    assert_eq!(raw(p, "revenue_impact"), Some(4.0));
    assert_eq!(raw(p, "defect_frequency"), Some(4.0));
    assert_eq!(raw(p, "complexity"), Some(20.0));
    assert_eq!(raw(p, "churn"), Some(2.0));
    assert_eq!(p.factors["failure_history"], None);
    assert!(
        p.missing["failure_history"].contains("`sources.tests.history` is not configured"),
        "{:?}",
        p.missing
    );
    // (3×1 + 2×4/7 + 1×1 (missing) + 1×20/120 + 1×2/12) ÷ 8 × 100
    let expected = (3.0 + 2.0 * 4.0 / 7.0 + 1.0 + 20.0 / 120.0 + 2.0 / 12.0) / 8.0 * 100.0;
    assert!(
        (p.score - expected).abs() < 1e-4,
        "{} vs {expected}",
        p.score
    );
    let r = &report.areas[1];
    assert_eq!(raw(r, "defect_frequency"), Some(3.0), "PAY-8, production");
    assert_eq!(raw(r, "churn"), Some(0.0));
    assert_eq!(raw(r, "complexity"), Some(3.0));
    let expected = (3.0 * 0.25 + 2.0 * 0.5 + 1.0 + 3.0 / 103.0 + 0.0) / 8.0 * 100.0;
    assert!(
        (r.score - expected).abs() < 1e-4,
        "{} vs {expected}",
        r.score
    );

    let tally = p.tests.unwrap();
    assert_eq!(
        (
            tally.executed,
            tally.passed,
            tally.failed,
            tally.skipped,
            tally.flaky
        ),
        (3, 2, 0, 0, 1)
    );
    assert_eq!(p.production_defects, ["PAY-7"]);
    assert!(
        p.untested_production_defects.is_empty(),
        "test_pay_7 passed"
    );
    assert_eq!(r.production_defects, ["PAY-8"]);
    assert_eq!(r.untested_production_defects, ["PAY-8"], "its test failed");

    // The map: PAY-8 (its test failed) and PAY-11 (on no area).
    let gaps: Vec<(&str, Vec<String>)> = report
        .coverage_gaps
        .iter()
        .map(|g| (g.key.as_str(), g.areas.clone()))
        .collect();
    assert_eq!(
        gaps,
        [("PAY-8", vec!["reports".to_owned()]), ("PAY-11", vec![])]
    );
    let g = &report.coverage_gaps[0];
    assert_eq!(g.test_location.as_deref(), Some("tests.test_reports.*"));
    assert_eq!(
        g.suggested_test,
        "test_pay_8_second_partial_refund_can_exceed_the"
    );
    assert_eq!(
        g.tests_not_passing,
        ["tests.test_reports.TestVat.test_pay_8_vat (failed)"]
    );
    assert_eq!(
        g.url.as_deref(),
        Some("https://acme.atlassian.net/browse/PAY-8")
    );
    assert!(report.untested_areas.is_empty());
}

#[test]
fn evidence_that_is_not_there_is_missing_never_zero() {
    let mut e = evidence();
    e.defects = SourceState::Unreadable(vec![EvidenceProblem {
        source: "defects".into(),
        location: None,
        message: "the tracker answered 500".into(),
        remedy: String::new(),
    }]);
    e.complexity = SourceState::NotConfigured;
    e.churn = SourceState::Loaded(ChurnEvidence {
        tracked: vec!["elsewhere.rs".into()],
        ..match evidence().churn {
            SourceState::Loaded(c) => c,
            _ => unreachable!(),
        }
    });
    let report = risk_report(&report_policy(AREAS), &e, now(), None);
    let p = &report.areas.iter().find(|a| a.name == "payments").unwrap();
    for f in ["defect_frequency", "complexity", "churn", "failure_history"] {
        assert_eq!(p.factors[f], None, "{f}");
    }
    assert!(p.missing["defect_frequency"].contains("the tracker answered 500"));
    assert!(p.missing["complexity"].contains("`sources.complexity` is not configured"));
    assert!(p.missing["churn"].contains("match no file git tracks"));
    // Every missing factor scored 1: (3×1 + 2 + 1 + 1 + 1) ÷ 8.
    assert_eq!(p.score, 100.0);
    assert!(
        report
            .evidence
            .iter()
            .any(|n| n.source == "defects" && n.state == "unreadable")
    );
}

#[test]
fn areas_with_code_but_no_tests_are_listed() {
    let text = format!(
        "{AREAS}    search:\n      revenue_impact: medium\n      files: ['src/pay/sub/**']\n      tests: ['tests.test_search.*']\n"
    );
    let report = risk_report(&report_policy(&text), &evidence(), now(), None);
    let u: Vec<(&str, Option<f64>, Option<f64>)> = report
        .untested_areas
        .iter()
        .map(|u| (u.name.as_str(), u.complexity, u.churn))
        .collect();
    assert_eq!(u, [("search", Some(8.0), Some(1.0))]);
    assert!(
        report.untested_areas[0]
            .reason
            .contains("no test matched its patterns")
    );
}

#[test]
fn a_change_marks_the_areas_whose_files_it_touches() {
    let changed = vec!["src/reports/r.rs".to_owned()];
    let report = risk_report(&report_policy(AREAS), &evidence(), now(), Some(&changed));
    let c: Vec<(&str, Option<bool>)> = report
        .areas
        .iter()
        .map(|a| (a.name.as_str(), a.changed))
        .collect();
    assert_eq!(c, [("payments", Some(false)), ("reports", Some(true))]);
}

/// Only revenue impact weighs: the score is level ÷ 4 × 100 exactly, so `medium` is 50, the
/// floor of `high`.
const BY_IMPACT: &str = "\
risk:
  weights: {defect_frequency: 0, failure_history: 0, complexity: 0, churn: 0}
  areas:
    checkout:
      revenue_impact: medium
      files: ['src/pay/**']
      tests: ['tests.test_payment.*']
      defects: {components: [Payments]}
    reports:
      revenue_impact: low
      files: ['src/reports/**']
      tests: ['tests.test_reports.*']
      defects: {components: [Reports]}
";

fn coverage(min_level: &str, min_tests: u64, areas: &str, e: &EvidenceSet) -> CheckResult {
    let p = policy(&format!(
        "{areas}checks:\n  risk: {{min_level: {min_level}, min_tests: {min_tests}}}\n"
    ));
    let v = evaluate(&p, e, now());
    v.checks
        .into_iter()
        .find(|c| c.id == "risk.coverage")
        .unwrap()
}

fn area_in_details<'a>(c: &'a CheckResult, name: &str) -> Option<&'a serde_json::Value> {
    c.details["areas"].get(name)
}

#[test]
fn an_area_exactly_at_the_level_is_checked_and_one_below_is_not() {
    let c = coverage("high", 3, BY_IMPACT, &evidence());
    assert!(
        area_in_details(&c, "checkout").is_some(),
        "score 50 is high"
    );
    assert!(
        area_in_details(&c, "reports").is_none(),
        "score 25 is medium"
    );
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    let c = coverage("critical", 3, BY_IMPACT, &evidence());
    assert!(area_in_details(&c, "checkout").is_none());
    assert_eq!(c.status, CheckStatus::Pass);
    assert!(
        c.message.contains("no area is at or above `critical` risk"),
        "{}",
        c.message
    );
}

#[test]
fn min_tests_is_met_at_exactly_that_many_executed_tests() {
    // checkout ran 3 (2 passed, 1 flaky).
    assert_eq!(
        coverage("high", 3, BY_IMPACT, &evidence()).status,
        CheckStatus::Pass
    );
    let c = coverage("high", 4, BY_IMPACT, &evidence());
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(
        c.message.contains("ran 3 tests (needs at least 4)"),
        "{}",
        c.message
    );
    assert!(c.blocking);
}

#[test]
fn one_skipped_test_in_a_checked_area_blocks() {
    let mut e = evidence();
    if let SourceState::Loaded(t) = &mut e.tests {
        t.tests.push(test(
            "tests.test_payment.TestRefund.test_later",
            TestOutcome::Skipped,
        ));
    }
    let c = coverage("high", 1, BY_IMPACT, &e);
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.message.contains("skipped 1 test"), "{}", c.message);
}

#[test]
fn an_untraced_production_defect_in_a_checked_area_blocks() {
    // reports is in scope at `low`; its PAY-8 is named only by a failing test.
    let c = coverage("low", 1, BY_IMPACT, &evidence());
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(
        c.message
            .contains("1 production defect no passing test names: `PAY-8`"),
        "{}",
        c.message
    );
    // Once that test passes, the area is traced.
    let mut e = evidence();
    if let SourceState::Loaded(t) = &mut e.tests {
        t.tests[3].outcome = TestOutcome::Passed;
    }
    assert_eq!(coverage("low", 1, BY_IMPACT, &e).status, CheckStatus::Pass);
}

#[test]
fn a_critical_area_is_checked_whatever_its_score() {
    let text = BY_IMPACT.replace(
        "      revenue_impact: low\n",
        "      revenue_impact: low\n      critical: true\n",
    );
    let c = coverage("critical", 1, &text, &evidence());
    assert!(area_in_details(&c, "reports").is_some());
    assert_eq!(
        c.status,
        CheckStatus::Fail,
        "PAY-8 untraced in a critical area"
    );
}

#[test]
fn missing_tests_or_defects_block_and_configured_factor_sources_too() {
    let mut e = evidence();
    e.tests = SourceState::Missing(EvidenceProblem {
        source: "tests".into(),
        location: None,
        message: "no JUnit report matched".into(),
        remedy: String::new(),
    });
    let c = coverage("low", 1, BY_IMPACT, &e);
    assert_eq!(c.status, CheckStatus::Missing);
    assert!(c.blocking);

    let mut e = evidence();
    e.complexity = SourceState::Unreadable(vec![EvidenceProblem {
        source: "complexity".into(),
        location: Some("l.csv".into()),
        message: "failed to read the lizard report `l.csv` at line 3".into(),
        remedy: String::new(),
    }]);
    let c = coverage("critical", 1, BY_IMPACT, &e);
    assert_eq!(c.status, CheckStatus::Error, "{c:#?}");
    assert!(c.blocking);
    let p = policy(&format!(
        "{BY_IMPACT}checks:\n  risk: {{min_level: critical, on_missing: warn}}\n  regression: {{min_tests: 1}}\n"
    ));
    let v = evaluate(&p, &e, now());
    let c = v.checks.iter().find(|c| c.id == "risk.coverage").unwrap();
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert!(
        c.message.contains("the complexity report was not used"),
        "{}",
        c.message
    );
    assert_eq!(v.decision, Decision::Ready);
}

#[test]
fn the_check_needs_a_level_tests_above_zero_and_areas() {
    let problems = |text: &str| match Policy::parse(text, &|_| None) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(|p| p.message.clone()).collect(),
    };
    let base = "version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}, defects: {kind: file, path: d.json}}\n";
    let p = problems(&format!("{base}checks: {{risk: {{min_tests: 2}}}}\n"));
    assert!(p.iter().any(|m| m.contains("needs `min_level`")), "{p:#?}");
    let p = problems(&format!(
        "{base}risk: {{areas: {{a: {{tests: ['*A*']}}}}}}\nchecks: {{risk: {{min_level: high, min_tests: 0}}}}\n"
    ));
    assert!(p.iter().any(|m| m.contains("must be at least 1")), "{p:#?}");
    let p = problems(&format!("{base}checks: {{risk: {{min_level: high}}}}\n"));
    assert!(p.iter().any(|m| m.contains("needs risk areas")), "{p:#?}");
    let p = problems(
        "version: 1\nrelease: {name: x}\nsources: {tests: {junit: [a.xml]}}\nrisk: {areas: {a: {tests: ['*A*']}}}\nchecks: {risk: {min_level: high}}\n",
    );
    assert!(p.iter().any(|m| m.contains("needs defects")), "{p:#?}");
}

#[test]
fn a_defect_of_unknown_origin_weighs_as_a_production_one() {
    let mut e = evidence();
    if let SourceState::Loaded(d) = &mut e.defects {
        d.defects.push(defect(
            "SRCH-9",
            Origin::Unknown,
            "Reports",
            "2026-11-15T00:00:00Z",
        ));
    }
    let report = risk_report(&report_policy(AREAS), &e, now(), None);
    let r = report.areas.iter().find(|a| a.name == "reports").unwrap();
    // PAY-8 (production, 3) + SRCH-9 (unknown, 3).
    assert_eq!(r.factors["defect_frequency"].as_ref().unwrap().raw, 6.0);
    assert!(
        r.factors["defect_frequency"]
            .as_ref()
            .unwrap()
            .detail
            .contains("1 of unknown origin × 3")
    );
}
