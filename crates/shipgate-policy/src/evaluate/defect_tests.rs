use super::evaluate;
use super::leakage::{LeakageGrouping, leakage_report};
use crate::policy::Policy;
use shipgate_model::{
    CheckResult, CheckStatus, Decision, Defect, DefectEvidence, DefectStatus, EvidenceProblem,
    EvidenceSet, ExitCode, NotADefect, NotADefectBy, Origin, Severity, SourceState, TestCounts,
    TestEvidence, TestOutcome, TestRecord, Verdict,
};
use shipgate_test_support::{days_before, now, parsed};

const SOURCES: &str = "\
version: 1
release: {name: api, version: '1.0'}
sources:
  tests: {junit: [r/*.xml]}
  defects:
    kind: file
    path: defects.csv
    origin: {field: Defect origin, production: [Production], pre_production: [QA, Staging]}
risk:
  critical_paths:
    payment:
      tests: ['*Payment*']
      defects: {components: [Payments], labels: [checkout]}
";

fn policy(checks: &str) -> Policy {
    let text = format!("{SOURCES}{checks}");
    parsed(&text, Policy::parse(&text, &|_| None))
}

/// `key`, severity, origin, open?, days before `now` it was created, components.
type Row<'a> = (&'a str, Severity, Origin, bool, i64, &'a [&'a str]);

fn defects(rows: &[Row<'_>]) -> DefectEvidence {
    let list = rows
        .iter()
        .map(|(key, severity, origin, open, age, components)| Defect {
            key: (*key).into(),
            title: format!("title of {key}"),
            severity: *severity,
            severity_raw: vec![],
            origin: *origin,
            origin_raw: vec![],
            status: if *open {
                DefectStatus::Open
            } else {
                DefectStatus::Closed
            },
            created: days_before(*age),
            resolved: None,
            resolution: None,
            not_a_defect: None,
            components: components.iter().map(|c| (*c).to_owned()).collect(),
            labels: vec![],
            links: vec![],
            introduced_in: vec![format!("Sprint {}", age / 30)],
            url: None,
        })
        .collect();
    DefectEvidence::new("file", "defects.csv", None, list)
}

/// Marks the defect `key` as not a defect, by its resolution or a label.
fn mark(evidence: &mut DefectEvidence, key: &str, by: NotADefectBy, value: &str) {
    let d = evidence
        .defects
        .iter_mut()
        .find(|d| d.key == key)
        .unwrap_or_else(|| panic!("no {key}"));
    d.not_a_defect = Some(NotADefect {
        by,
        value: value.to_owned(),
    });
}

fn tests(listed: &[(&str, TestOutcome, &[&str])]) -> TestEvidence {
    let mut totals = TestCounts::default();
    let tests = listed
        .iter()
        .map(|(qualified, outcome, refs)| {
            totals.record(*outcome);
            let (classname, name) = qualified.rsplit_once('.').unwrap_or(("", qualified));
            TestRecord {
                file: 0,
                suite: "s".into(),
                classname: classname.into(),
                name: name.into(),
                outcome: *outcome,
                time: None,
                message: None,
                defect_refs: refs.iter().map(|r| (*r).to_owned()).collect(),
                attempts: 1,
            }
        })
        .collect();
    TestEvidence {
        totals,
        tests,
        ..TestEvidence::default()
    }
}

fn set(d: DefectEvidence, t: TestEvidence) -> EvidenceSet {
    EvidenceSet {
        tests: SourceState::Loaded(t),
        defects: SourceState::Loaded(d),
        ..EvidenceSet::default()
    }
}

fn check<'a>(v: &'a Verdict, id: &str) -> &'a CheckResult {
    v.checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no {id} in {:#?}", v.checks))
}

use Origin::{PreProduction as Pre, Production as Prod, Unknown as NoOrigin};
use Severity::{Critical, High, Low, Medium};

/// The dataset of the hand-computed leakage test.
fn leakage_dataset() -> DefectEvidence {
    defects(&[
        ("PAY-1", Critical, Prod, false, 10, &["Payments"]),
        ("PAY-2", High, Prod, true, 40, &["Reports"]),
        ("PAY-3", Medium, Pre, false, 5, &["Payments"]),
        ("PAY-4", Low, Pre, false, 20, &["Reports"]),
        ("PAY-5", High, Pre, false, 60, &["Payments"]),
        ("PAY-6", Medium, Pre, false, 80, &[]),
        ("PAY-7", Low, Pre, false, 89, &["Reports"]),
        ("PAY-8", Medium, Pre, false, 30, &["Payments"]),
        ("PAY-9", Critical, NoOrigin, true, 15, &["Payments"]),
        ("PAY-10", Critical, Prod, false, 91, &["Payments"]),
        ("PAY-11", High, Pre, false, 200, &["Payments"]),
    ])
}

#[test]
fn leakage_arithmetic_computed_by_hand() {
    // Window 90 days back from 2026-11-24T10:00Z: created at or after 2026-08-26T10:00Z.
    // PAY-10 (91 days) and PAY-11 (200 days) fall outside; PAY-9 has no origin and is left
    // out of the rate. Inside and classified:
    //   production:      PAY-1, PAY-2                              = 2
    //   pre-production:  PAY-3, PAY-4, PAY-5, PAY-6, PAY-7, PAY-8  = 6
    //   rate = 2 / (2 + 6) = 0.25 → above 5%, blocks.
    // Critical path `payment` = component Payments: PAY-1 (prod), PAY-3, PAY-5, PAY-8 (pre);
    //   PAY-9 is Payments but unclassified. Rate = 1 / 4 = 0.25 → above 2%.
    let p =
        policy("checks:\n  leakage: {window: 90d, max_rate: 5%, max_rate_critical_paths: 2%}\n");
    let v = evaluate(&p, &set(leakage_dataset(), tests(&[])), now());
    let c = check(&v, "leakage.rate");
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
    assert_eq!(c.observed, serde_json::json!(0.25));
    assert_eq!(c.threshold, serde_json::json!(0.05));
    assert_eq!(c.details["production"], 2);
    assert_eq!(c.details["pre_production"], 6);
    assert_eq!(c.details["unclassified"], 1);
    assert_eq!(c.details["critical_paths"]["production"], 1);
    assert_eq!(c.details["critical_paths"]["pre_production"], 3);
    assert_eq!(c.details["critical_paths"]["rate"], 0.25);
    assert_eq!(
        c.details["critical_paths"]["paths"]["payment"]["unclassified"],
        1
    );
    assert!(
        c.message.starts_with("defect leakage over the last 90d: 2 of 8 classified defects were found in production (25%); the maximum is 5%"),
        "{}",
        c.message
    );
    assert!(
        c.message.contains("1 defects of unknown origin") || c.message.contains("(1 defect"),
        "{}",
        c.message
    );

    // 25% exactly at a 25% limit passes (exact arithmetic), on both rates.
    let p = policy("checks:\n  leakage: {max_rate: 25%, max_rate_critical_paths: 25%}\n");
    let v = evaluate(&p, &set(leakage_dataset(), tests(&[])), now());
    assert_eq!(check(&v, "leakage.rate").status, CheckStatus::Pass);
}

/// The hand-computed dataset with issues the tracker closed as not defects, and one it marked
/// as a duplicate while it is still open.
fn dataset_with_not_defects() -> DefectEvidence {
    let mut d = leakage_dataset();
    d.defects
        .extend(defects(&[("PAY-12", High, Prod, false, 12, &["Payments"])]).defects);
    d.sort();
    mark(&mut d, "PAY-1", NotADefectBy::Resolution, "Duplicate");
    mark(&mut d, "PAY-12", NotADefectBy::Resolution, "Not a Bug");
    mark(&mut d, "PAY-4", NotADefectBy::Label, "invalid");
    // Open: the mark must not take it out of any count.
    mark(&mut d, "PAY-2", NotADefectBy::Resolution, "Duplicate");
    d
}

#[test]
fn leakage_arithmetic_with_defects_closed_as_not_defects_computed_by_hand() {
    // The dataset above plus PAY-12 (production, 12 days, Payments). Closed as not defects:
    // PAY-1 (production, Payments, Duplicate), PAY-12 (production, Payments, Not a Bug) and PAY-4
    // (pre-production, label invalid). PAY-2 is marked Duplicate but open: it counts.
    //   production:     PAY-2                               = 1
    //   pre-production: PAY-3, PAY-5, PAY-6, PAY-7, PAY-8   = 5
    //   rate = 1 / 6 = 0.166667 → above 5%, blocks.
    // Counted, the three would give (2 + 1) / (3 + 6) = 1/3; PAY-2 left out would give 0 / 5.
    // Critical path `payment`: PAY-3, PAY-5, PAY-8 (pre-production) = 0 / 3 = 0 → within 2%;
    //   PAY-1 and PAY-12 are beside it as not defects, PAY-9 as unclassified.
    let p = policy(
        "checks:
  leakage: {window: 90d, max_rate: 5%, max_rate_critical_paths: 2%}
",
    );
    let v = evaluate(&p, &set(dataset_with_not_defects(), tests(&[])), now());
    let c = check(&v, "leakage.rate");
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
    assert_eq!(c.observed, serde_json::json!(0.166667));
    assert_eq!(
        (
            &c.details["production"],
            &c.details["pre_production"],
            &c.details["unclassified"]
        ),
        (
            &serde_json::json!(1),
            &serde_json::json!(5),
            &serde_json::json!(1)
        )
    );
    let production: Vec<&str> = c.details["production_defects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        production,
        ["PAY-2"],
        "the open one marked Duplicate counts"
    );
    assert_eq!(c.details["not_defects_total"], 3);
    let left_out: Vec<(&str, &str)> = c.details["not_defects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["key"].as_str().unwrap(), d["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        left_out,
        [
            ("PAY-1", "resolution: Duplicate"),
            ("PAY-4", "label: invalid"),
            ("PAY-12", "resolution: Not a Bug"),
        ]
    );
    assert_eq!(
        c.details["not_defects_by_reason"],
        serde_json::json!({"label: invalid": 1, "resolution: Duplicate": 1, "resolution: Not a Bug": 1})
    );
    let cp = &c.details["critical_paths"];
    assert_eq!(
        (
            &cp["production"],
            &cp["pre_production"],
            &cp["not_defects"],
            &cp["rate"]
        ),
        (
            &serde_json::json!(0),
            &serde_json::json!(3),
            &serde_json::json!(2),
            &serde_json::json!(0.0)
        )
    );
    assert_eq!(cp["paths"]["payment"]["not_defects"], 2);
    assert_eq!(
        c.message,
        "defect leakage over the last 90d: 1 of 6 classified defects were found in production (16.67%); the maximum is 5%; on critical paths: 0 of 3 classified defects were found in production (0%); the maximum is 2% (1 defect of unknown origin is not counted; 3 closed as not defects are not counted (label: invalid 1, resolution: Duplicate 1, resolution: Not a Bug 1))"
    );
}

#[test]
fn a_mark_on_an_open_defect_changes_no_check() {
    let p = policy(
        "checks:
  defects: {max_open: {critical: 0, high: 0}}
  leakage: {max_rate: 5%}
  traceability: {production_defects_need_test: true}
",
    );
    let plain = defects(&[
        ("PAY-1", Critical, Prod, true, 3, &[]),
        ("PAY-2", High, Pre, true, 4, &[]),
        ("PAY-3", Low, Pre, false, 4, &[]),
    ]);
    let mut marked = plain.clone();
    mark(&mut marked, "PAY-1", NotADefectBy::Resolution, "Duplicate");
    mark(&mut marked, "PAY-2", NotADefectBy::Label, "invalid");
    let before = evaluate(&p, &set(plain, tests(&[])), now());
    let after = evaluate(&p, &set(marked, tests(&[])), now());
    for (b, a) in before.checks.iter().zip(&after.checks) {
        assert_eq!(
            (&b.id, b.status, &b.observed),
            (&a.id, a.status, &a.observed),
            "{:#?}",
            a
        );
    }
    let open = check(&after, "defects.open");
    assert_eq!(open.status, CheckStatus::Fail);
    assert_eq!(open.details["open_marked_not_defects_total"], 2);
    assert_eq!(
        open.details["open_marked_not_defects"][0]["reason"],
        "resolution: Duplicate"
    );
    assert_eq!(
        check(&after, "traceability.production-defects").details["untraced_defects"][0]["key"],
        "PAY-1"
    );
}

#[test]
fn a_production_defect_closed_as_not_a_defect_needs_no_test() {
    let mut d = defects(&[
        ("PAY-1", High, Prod, false, 10, &[]),
        ("PAY-2", High, Prod, false, 10, &[]),
    ]);
    mark(&mut d, "PAY-2", NotADefectBy::Resolution, "Duplicate");
    let t = tests(&[("RefundTest.pay_1_refund", TestOutcome::Passed, &[])]);
    let v = evaluate(&policy(TRACE), &set(d, t), now());
    let c = check(&v, "traceability.production-defects");
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert_eq!(c.details["production_defects"], 1);
    assert_eq!(c.details["not_defects"][0]["key"], "PAY-2");
    assert_eq!(
        c.message,
        "every one of the 1 production defect created in the last 90d has a passing test that references it (1 closed as not a defect is not counted (resolution: Duplicate 1))"
    );
}

#[test]
fn defects_closed_as_not_defects_need_no_classification() {
    let mut d = defects(&[
        ("PAY-1", Severity::Unknown, NoOrigin, false, 3, &[]),
        ("PAY-2", High, Prod, false, 4, &[]),
        ("PAY-3", High, NoOrigin, true, 4, &[]),
    ]);
    mark(&mut d, "PAY-1", NotADefectBy::Label, "invalid");
    mark(&mut d, "PAY-3", NotADefectBy::Label, "invalid");
    let v = evaluate(
        &policy(
            "checks:
  defects: {}
",
        ),
        &set(d, tests(&[])),
        now(),
    );
    let c = check(&v, "defects.classified");
    assert_eq!(c.observed, 1, "the open PAY-3 still needs its origin");
    assert_eq!(c.details["unclassified_defects"][0]["key"], "PAY-3");
    assert_eq!(c.details["in_window"], 2);
    assert_eq!(
        c.message,
        "1 of 2 defects created in the last 90d has no severity or origin the policy maps (at most 0 allowed); 1 closed as not a defect is not counted (label: invalid 1)"
    );
}

#[test]
fn the_leakage_report_counts_not_defects_beside_the_rate() {
    let window = std::time::Duration::from_secs(90 * 86_400);
    let r = leakage_report(
        &dataset_with_not_defects(),
        window,
        LeakageGrouping::Component,
        now(),
    );
    assert_eq!(
        (
            r.total.production,
            r.total.pre_production,
            r.total.unclassified,
            r.total.not_defects
        ),
        (1, 5, 1, 3)
    );
    assert_eq!(r.total.rate, Some(1.0 / 6.0));
    let payments = r.rows.iter().find(|x| x.group == "Payments").unwrap();
    assert_eq!(
        (
            payments.production,
            payments.pre_production,
            payments.not_defects
        ),
        (0, 3, 2)
    );
    assert_eq!(r.not_defects_by_reason["resolution: Duplicate"], 1);
    assert_eq!(r.not_defects_by_reason.len(), 3);
}

#[test]
fn critical_path_leakage_runs_on_defects_alone_and_critical_paths_passed_skips_such_paths() {
    let text = "version: 1\nrelease: {name: api}\nsources:\n  defects: {kind: file, path: d.json}\nrisk:\n  critical_paths:\n    payment: {defects: {components: [Payments]}}\nchecks:\n  leakage: {max_rate_critical_paths: 30%}\n";
    let p = Policy::parse(text, &|_| None).unwrap_or_else(|e| panic!("{:#?}", e.problems()));
    let e = EvidenceSet {
        defects: SourceState::Loaded(leakage_dataset()),
        ..EvidenceSet::default()
    };
    let v = evaluate(&p, &e, now());
    let ids: Vec<&str> = v.checks.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["defects.classified", "leakage.rate"]);
    let c = check(&v, "leakage.rate");
    // As in the hand-computed test: 1 of 4 on `payment`.
    assert_eq!(
        (c.status, &c.observed),
        (CheckStatus::Pass, &serde_json::json!(0.25))
    );

    // Beside a path with tests, `critical-paths.passed` checks that one and names the other.
    let p = policy("checks:\n  leakage: {max_rate_critical_paths: 30%}\n");
    let mut p2 = p.clone();
    p2.risk.critical_paths.insert(
        "reporting".into(),
        crate::raw::CriticalPath {
            tests: vec![],
            ignore_case: None,
            exclude: vec![],
            defects: Some(crate::defects::CriticalPathDefects {
                components: vec!["Reports".into()],
                labels: vec![],
            }),
        },
    );
    let t = tests(&[("PaymentTest.charges", TestOutcome::Passed, &[])]);
    let v = evaluate(&p2, &set(leakage_dataset(), t), now());
    let c = check(&v, "critical-paths.passed");
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert!(c.details["paths"].get("reporting").is_none());
    assert_eq!(
        c.details["paths_without_tests"],
        serde_json::json!(["reporting"])
    );
    let leak = check(&v, "leakage.rate");
    assert_eq!(
        leak.details["critical_paths"]["paths"]["reporting"]["production"],
        1
    );
}

#[test]
fn leakage_over_nothing_passes_but_over_only_unclassified_defects_fails() {
    let p = policy("checks:\n  leakage: {max_rate: 5%}\n");
    let old = defects(&[("PAY-1", High, Prod, false, 400, &[])]);
    let v = evaluate(&p, &set(old, tests(&[])), now());
    let c = check(&v, "leakage.rate");
    assert_eq!(c.status, CheckStatus::Pass, "{}", c.message);
    assert!(c.message.contains("no defect was created in the window"));
    let unknown = defects(&[("PAY-1", High, NoOrigin, false, 4, &[])]);
    let v = evaluate(&p, &set(unknown, tests(&[])), now());
    let c = check(&v, "leakage.rate");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.message.contains("cannot be measured"), "{}", c.message);
}

#[test]
fn open_defects_over_their_limit_are_listed_oldest_first_with_their_age() {
    let p = policy("checks:\n  defects: {max_open: {critical: 0, high: 1}}\n");
    let d = defects(&[
        ("PAY-1", Critical, Prod, true, 3, &[]),
        ("PAY-2", Critical, Pre, true, 12, &[]),
        ("PAY-3", Critical, Pre, false, 1, &[]),
        ("PAY-4", High, Pre, true, 2, &[]),
        ("PAY-5", Low, Pre, true, 2, &[]),
    ]);
    let v = evaluate(&p, &set(d, tests(&[])), now());
    let c = check(&v, "defects.open");
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
    assert_eq!(c.observed["critical"], 2);
    assert_eq!(c.observed["high"], 1);
    assert_eq!(
        c.threshold["unknown"], 0,
        "unknown severity is limited to 0 by default"
    );
    assert_eq!(c.message, "2 open critical defects (at most 0 allowed)");
    let listed = c.details["blocking_defects"].as_array().unwrap();
    assert_eq!(listed[0]["key"], "PAY-2");
    assert_eq!(listed[0]["age_days"], 12);
    assert_eq!(listed[1]["key"], "PAY-1");
    assert_eq!(listed.len(), 2);
    assert!(c.remedy.as_deref().unwrap().contains("PAY-2, PAY-1"));
    assert_eq!(v.exit_code(), ExitCode::Blocked);
}

#[test]
fn an_open_defect_of_unknown_severity_blocks_unless_allowed() {
    let d = defects(&[("PAY-1", Severity::Unknown, Prod, true, 3, &[])]);
    let p = policy("checks:\n  defects: {max_open: {critical: 0}, max_unclassified: 5}\n");
    let v = evaluate(&p, &set(d.clone(), tests(&[])), now());
    let c = check(&v, "defects.open");
    assert_eq!(c.status, CheckStatus::Fail);
    assert!(c.remedy.as_deref().unwrap().contains("unknown severity"));
    let p =
        policy("checks:\n  defects: {max_open: {critical: 0, unknown: 1}, max_unclassified: 5}\n");
    let t = tests(&[("PaymentTest.charges", TestOutcome::Passed, &[])]);
    let v = evaluate(&p, &set(d, t), now());
    assert_eq!(v.decision, Decision::Ready, "{:#?}", v.checks);
}

#[test]
fn unclassified_defects_in_the_window_are_listed_with_their_values() {
    let mut d = defects(&[
        ("PAY-1", Severity::Unknown, Prod, false, 3, &[]),
        ("PAY-2", High, NoOrigin, false, 4, &[]),
        ("PAY-3", Severity::Unknown, NoOrigin, false, 300, &[]),
        ("PAY-4", High, Prod, false, 5, &[]),
    ]);
    d.defects[0].severity_raw = vec!["P5".into()];
    d.defects[1].origin_raw = vec!["Customer".into()];
    let p = policy("checks:\n  defects: {}\n");
    let v = evaluate(&p, &set(d, tests(&[])), now());
    assert!(!v.checks.iter().any(|c| c.id == "defects.open"));
    let c = check(&v, "defects.classified");
    assert_eq!(c.status, CheckStatus::Fail);
    assert_eq!(c.observed, 2);
    assert_eq!(
        c.message,
        "2 of 3 defects created in the last 90d have no severity or origin the policy maps (at most 0 allowed)"
    );
    let listed = c.details["unclassified_defects"].as_array().unwrap();
    assert_eq!(listed[0]["missing"], serde_json::json!(["severity"]));
    assert_eq!(listed[1]["origin_values"], serde_json::json!(["Customer"]));
    let remedy = c.remedy.as_deref().unwrap();
    assert!(
        remedy.contains("`Customer`") && remedy.contains("`P5`"),
        "{remedy}"
    );
}

const TRACE: &str = "checks:\n  traceability: {production_defects_need_test: true}\n";

#[test]
fn a_production_defect_is_traced_by_name_or_property_of_a_green_test() {
    let d = defects(&[
        ("PAY-101", High, Prod, false, 10, &[]),
        ("PAY-102", High, Prod, false, 10, &[]),
        ("PAY-103", High, Prod, true, 10, &[]),
        ("PAY-104", High, Prod, false, 10, &[]),
        ("PAY-105", High, Pre, false, 10, &[]),
        ("PAY-106", High, Prod, false, 200, &[]),
    ]);
    let t = tests(&[
        (
            "tests.test_refund.test_pay_101_refund_twice",
            TestOutcome::Passed,
            &[],
        ),
        (
            "com.acme.LedgerTest.balances",
            TestOutcome::Flaky,
            &["pay-102"],
        ),
        (
            "com.acme.CardTest.PAY_103_declines",
            TestOutcome::Failed,
            &[],
        ),
        ("com.acme.CardTest.PAY_1040_other", TestOutcome::Passed, &[]),
    ]);
    let v = evaluate(&policy(TRACE), &set(d, t), now());
    let c = check(&v, "traceability.production-defects");
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
    assert_eq!(c.observed, 2, "{:#?}", c.details);
    assert_eq!(
        c.message,
        "2 of 4 production defects created in the last 90d have no test that references them and passed in this run"
    );
    let untraced = c.details["untraced_defects"].as_array().unwrap();
    assert_eq!(untraced[0]["key"], "PAY-103");
    assert_eq!(untraced[0]["tests_not_passing"][0]["outcome"], "failed");
    assert_eq!(untraced[1]["key"], "PAY-104", "PAY-1040 is another key");
    assert_eq!(
        c.details["traced"]["PAY-101"],
        "tests.test_refund.test_pay_101_refund_twice"
    );
    assert!(c.remedy.as_deref().unwrap().contains("test_pay_103_"));
}

#[test]
fn traceability_needs_both_sources_and_fails_closed_without_them() {
    let d = defects(&[("PAY-1", High, Prod, false, 10, &[])]);
    let mut e = set(d, tests(&[]));
    e.tests = SourceState::Missing(EvidenceProblem {
        source: "tests".into(),
        location: Some("r/*.xml".into()),
        message: "no JUnit report matched `r/*.xml`".into(),
        remedy: "run the tests".into(),
    });
    let v = evaluate(&policy(TRACE), &e, now());
    let c = check(&v, "traceability.production-defects");
    assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
    assert_eq!(v.decision, Decision::Blocked);
}

#[test]
fn unreadable_defects_block_every_defect_check_with_exit_4() {
    let p = policy(
        "checks:\n  defects: {max_open: {critical: 0}}\n  leakage: {max_rate: 5%}\n  traceability: {production_defects_need_test: true}\n",
    );
    let e = EvidenceSet {
        tests: SourceState::Loaded(tests(&[])),
        defects: SourceState::Unreadable(vec![EvidenceProblem {
            source: "defects".into(),
            location: Some("https://acme.atlassian.net".into()),
            message: "failed to read `https://acme.atlassian.net/rest/api/3/search/jql` after 5 attempts: HTTP 503".into(),
            remedy: "re-run later".into(),
        }]),
        ..EvidenceSet::default()
    };
    let v = evaluate(&p, &e, now());
    for id in [
        "defects.open",
        "defects.classified",
        "leakage.rate",
        "traceability.production-defects",
    ] {
        let c = check(&v, id);
        assert_eq!((c.status, c.blocking), (CheckStatus::Error, true), "{id}");
    }
    assert_eq!(v.exit_code(), ExitCode::EvidenceError);
    assert!(v.stats.defects.is_none());
}

#[test]
fn a_clean_tracker_is_ready_and_counted_in_the_stats() {
    let p = policy(
        "checks:\n  defects: {max_open: {critical: 0, high: 3}}\n  leakage: {max_rate: 50%}\n  traceability: {production_defects_need_test: true}\n",
    );
    let d = defects(&[
        ("PAY-1", High, Prod, false, 10, &[]),
        ("PAY-2", Low, Pre, true, 10, &[]),
        ("PAY-3", Low, Pre, false, 10, &[]),
    ]);
    let t = tests(&[("PaymentTest.pay_1_regression", TestOutcome::Passed, &[])]);
    let v = evaluate(&p, &set(d, t), now());
    assert_eq!(v.decision, Decision::Ready, "{:#?}", v.checks);
    let s = v.stats.defects.unwrap();
    assert_eq!(
        (s.total, s.open, s.production, s.pre_production),
        (3, 1, 1, 2)
    );
}

#[test]
fn the_leakage_report_groups_by_month_severity_component_and_release() {
    let d = leakage_dataset();
    let window = std::time::Duration::from_secs(90 * 86_400);
    let by_month = leakage_report(&d, window, LeakageGrouping::Month, now());
    let months: Vec<&str> = by_month.rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(months, ["2026-08", "2026-09", "2026-10", "2026-11"]);
    assert_eq!(by_month.total.production, 2);
    assert_eq!(by_month.total.pre_production, 6);
    assert_eq!(by_month.total.rate, Some(0.25));
    // PAY-2 (40 days back: 2026-10-15) is October's production defect and PAY-8 (30 days:
    // 2026-10-25) its pre-production one; PAY-4 (20 days: 2026-11-04) is November's.
    let oct = &by_month.rows[2];
    assert_eq!((oct.production, oct.pre_production), (1, 1));
    let nov = &by_month.rows[3];
    assert_eq!(
        (nov.production, nov.pre_production, nov.unclassified),
        (1, 2, 1)
    );
    let by_sev = leakage_report(&d, window, LeakageGrouping::Severity, now());
    assert_eq!(by_sev.rows[0].group, "critical");
    assert_eq!(
        (by_sev.rows[0].production, by_sev.rows[0].unclassified),
        (1, 1)
    );
    let by_comp = leakage_report(&d, window, LeakageGrouping::Component, now());
    let groups: Vec<&str> = by_comp.rows.iter().map(|r| r.group.as_str()).collect();
    assert_eq!(groups, ["Payments", "Reports", "(none)"]);
    let by_release = leakage_report(&d, window, LeakageGrouping::IntroducedIn, now());
    assert_eq!(by_release.by, "introduced-in");
    assert_eq!(by_release.rows[0].production, 1);
}

#[test]
fn a_numbered_key_is_traced_by_property_and_the_remedy_says_how() {
    let d = defects(&[
        ("#42", High, Prod, false, 10, &[]),
        ("#43", High, Prod, false, 10, &[]),
    ]);
    let t = tests(&[
        ("RefundTest.refunds_once", TestOutcome::Passed, &["#42"]),
        ("RefundTest.test_43_is_not_a_key", TestOutcome::Passed, &[]),
    ]);
    let v = evaluate(&policy(TRACE), &set(d, t), now());
    let c = check(&v, "traceability.production-defects");
    assert_eq!(c.observed, 1);
    assert_eq!(c.details["untraced_defects"][0]["key"], "#43");
    let remedy = c.remedy.as_deref().unwrap();
    assert!(
        remedy.contains("value=\"#43\"") && remedy.contains("key_prefix"),
        "{remedy}"
    );
}

proptest::proptest! {
    /// One more production defect never turns a blocked leakage into a ready one, and one more
    /// open critical defect never makes `defects.open` pass.
    #[test]
    fn more_escapes_never_unblock(prod in 0usize..30, pre in 0usize..30, open in 0usize..3) {
        let p = policy("checks:\n  defects: {max_open: {critical: 1}, max_unclassified: 100}\n  leakage: {max_rate: 10%}\n");
        let build = |prod: usize, open: usize| {
            let mut rows: Vec<Row<'_>> = Vec::new();
            rows.extend((0..prod).map(|_| ("P", High, Prod, false, 5, &[][..])));
            rows.extend((0..pre).map(|_| ("Q", Low, Pre, false, 5, &[][..])));
            rows.extend((0..open).map(|_| ("C", Critical, Pre, true, 5, &[][..])));
            set(defects(&rows), tests(&[("PaymentTest.ok", TestOutcome::Passed, &[])]))
        };
        let blocked = |v: &Verdict, id: &str| check(v, id).blocking;
        let before = evaluate(&p, &build(prod, open), now());
        let more_escapes = evaluate(&p, &build(prod + 1, open), now());
        // Blocked before implies blocked after.
        proptest::prop_assert!(!blocked(&before, "leakage.rate") || blocked(&more_escapes, "leakage.rate"));
        let more_open = evaluate(&p, &build(prod, open + 1), now());
        proptest::prop_assert!(!blocked(&before, "defects.open") || blocked(&more_open, "defects.open"));
    }

    /// Marking open defects as not defects never changes a verdict: only closed ones are left
    /// out.
    #[test]
    fn marks_on_open_defects_change_nothing(prod in 0usize..10, pre in 0usize..10, open in 0usize..4) {
        let p = policy("checks:
  defects: {max_open: {critical: 1, high: 2}}
  leakage: {max_rate: 10%}
  traceability: {production_defects_need_test: true}
");
        let mut rows: Vec<Row<'_>> = Vec::new();
        rows.extend((0..prod).map(|_| ("P", High, Prod, true, 5, &[][..])));
        rows.extend((0..pre).map(|_| ("Q", Low, Pre, false, 5, &[][..])));
        rows.extend((0..open).map(|_| ("C", Critical, Pre, true, 5, &[][..])));
        let plain = defects(&rows);
        let mut marked = plain.clone();
        for d in marked.defects.iter_mut().filter(|d| d.status == DefectStatus::Open) {
            d.not_a_defect = Some(NotADefect { by: NotADefectBy::Resolution, value: "Duplicate".into() });
        }
        let t = || tests(&[("PaymentTest.ok", TestOutcome::Passed, &[])]);
        let a = evaluate(&p, &set(plain, t()), now());
        let b = evaluate(&p, &set(marked, t()), now());
        proptest::prop_assert_eq!(a.decision, b.decision);
        for (x, y) in a.checks.iter().zip(&b.checks) {
            proptest::prop_assert_eq!((&x.id, x.status, &x.observed), (&y.id, y.status, &y.observed));
        }
    }
}

/// Green is passed or flaky, nothing else: a referencing test that was skipped traces nothing
/// (it is not a failure, and a split that tests "not failed" would let it through).
#[test]
fn a_skipped_referencing_test_traces_nothing() {
    let d = defects(&[("PAY-201", High, Prod, false, 10, &[])]);
    let t = tests(&[(
        "com.acme.RefundTest.pay_201_refund_twice",
        TestOutcome::Skipped,
        &["PAY-201"],
    )]);
    let v = evaluate(&policy(TRACE), &set(d, t), now());
    let c = check(&v, "traceability.production-defects");
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true), "{c:#?}");
    assert_eq!(c.observed, 1);
    assert_eq!(c.details["untraced_defects"][0]["key"], "PAY-201");
    assert_eq!(
        c.details["untraced_defects"][0]["tests_not_passing"][0]["outcome"],
        "skipped"
    );
    assert_eq!(c.details["traced"], serde_json::json!({}));
}

/// Both limits are verdicts of their own: the overall rate within its maximum does not let a
/// critical-path rate over its own through (the observed value stays the overall rate).
#[test]
fn leakage_within_the_overall_limit_still_blocks_on_critical_paths() {
    let p =
        policy("checks:\n  leakage: {window: 90d, max_rate: 30%, max_rate_critical_paths: 2%}\n");
    let v = evaluate(&p, &set(leakage_dataset(), tests(&[])), now());
    let c = check(&v, "leakage.rate");
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true), "{c:#?}");
    assert_eq!(c.observed, serde_json::json!(0.25));
    assert_eq!(c.details["critical_paths"]["rate"], 0.25);
    assert_eq!(c.details["critical_paths"]["max_rate"], 0.02);
    assert!(c.message.contains("; on critical paths"), "{}", c.message);
    // Within both, it passes.
    let p =
        policy("checks:\n  leakage: {window: 90d, max_rate: 30%, max_rate_critical_paths: 30%}\n");
    let v = evaluate(&p, &set(leakage_dataset(), tests(&[])), now());
    assert_eq!(check(&v, "leakage.rate").status, CheckStatus::Pass);
}
