//! Reports and test evidence built by hand for the renderers' tests.

use serde_json::{Map, Value, json};
use shipgate_model::report::{PolicyInfo, ReleaseInfo};
use shipgate_model::verdict::{AppliedWaiver, Stats, TestStats, WaiverRecord, WaiverState};
use shipgate_model::{
    CheckResult, CheckStatus, InputRecord, Level, Report, SuiteError, SuiteErrorKind, TestCounts,
    TestEvidence, TestFile, TestOutcome, TestRecord, Verdict,
};

/// Builds one [`CheckResult`]; each constructor sets the `blocking` and `level` that status
/// normally comes with.
pub(crate) struct CheckBuilder(CheckResult);

impl CheckBuilder {
    fn new(id: &str, status: CheckStatus, level: Level, blocking: bool) -> Self {
        CheckBuilder(CheckResult {
            id: id.to_owned(),
            status,
            level,
            blocking,
            observed: Value::Null,
            threshold: Value::Null,
            unit: None,
            message: format!("{id} came out {}.", status.as_str()),
            remedy: None,
            details: Map::new(),
            waiver: None,
        })
    }

    pub(crate) fn pass(id: &str) -> Self {
        Self::new(id, CheckStatus::Pass, Level::Error, false)
    }
    pub(crate) fn fail(id: &str) -> Self {
        Self::new(id, CheckStatus::Fail, Level::Error, true)
    }
    pub(crate) fn warn(id: &str) -> Self {
        Self::new(id, CheckStatus::Warn, Level::Warn, false)
    }
    pub(crate) fn waived(id: &str) -> Self {
        Self::new(id, CheckStatus::Waived, Level::Error, false)
    }
    pub(crate) fn missing(id: &str) -> Self {
        Self::new(id, CheckStatus::Missing, Level::Error, true)
    }
    pub(crate) fn error(id: &str) -> Self {
        Self::new(id, CheckStatus::Error, Level::Error, true)
    }

    pub(crate) fn blocking(mut self, blocking: bool) -> Self {
        self.0.blocking = blocking;
        self
    }
    pub(crate) fn measured(mut self, unit: &str, observed: Value, threshold: Value) -> Self {
        self.0.unit = Some(shipgate_model::CheckUnit::from_report(unit));
        self.0.observed = observed;
        self.0.threshold = threshold;
        self
    }
    pub(crate) fn message(mut self, message: &str) -> Self {
        self.0.message = message.to_owned();
        self
    }
    pub(crate) fn remedy(mut self, remedy: &str) -> Self {
        self.0.remedy = Some(remedy.to_owned());
        self
    }
    pub(crate) fn detail(mut self, key: &str, value: Value) -> Self {
        self.0.details.insert(key.to_owned(), value);
        self
    }
    pub(crate) fn waiver(mut self, reason: &str, approved_by: &str, expires: &str) -> Self {
        self.0.waiver = Some(AppliedWaiver {
            reason: reason.to_owned(),
            approved_by: approved_by.to_owned(),
            expires: expires.to_owned(),
        });
        self
    }
    pub(crate) fn build(self) -> CheckResult {
        self.0
    }
}

/// A report over `checks`, with the decision and exit code the model derives from them.
pub(crate) fn report(checks: Vec<CheckResult>, waivers: Vec<WaiverRecord>) -> Report {
    let stats = Stats {
        tests: Some(TestStats {
            total: 1012,
            passed: 950,
            failed: 20,
            errored: 7,
            skipped: 4,
            flaky: 31,
            suite_errors: 1,
            files: 2,
            ..TestStats::default()
        }),
        ..Stats::default()
    };
    Report::new(
        "0.1.0",
        ReleaseInfo {
            name: "payments-api".into(),
            version: Some("2.4.0".into()),
            commit: Some("3f2a9c1".into()),
        },
        PolicyInfo {
            path: "shipgate.yaml".into(),
            sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        },
        vec![
            InputRecord {
                source: "tests".into(),
                path: "reports/integration.xml".into(),
                sha256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae".into(),
                bytes: 48_213,
            },
            InputRecord {
                source: "tests".into(),
                path: "reports/unit.xml".into(),
                sha256: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9".into(),
                bytes: 1_204_877,
            },
        ],
        Verdict::new(checks, stats, waivers),
        "2026-11-24T10:00:00Z".parse().unwrap(),
    )
}

fn failing_tests() -> Value {
    json!([
        {"file": "reports/integration.xml", "classname": "com.acme.payment.RefundTest",
         "name": "refund_twice_is_rejected", "outcome": "failed",
         "message": "expected status 409 but was 200\n\tat com.acme.payment.RefundTest.refund_twice_is_rejected(RefundTest.java:88)"},
        {"file": "reports/integration.xml", "classname": "com.acme.ledger.MigrationTest",
         "name": "v42_backfills_currency", "outcome": "errored",
         "message": "\u{1b}[31mConnectionRefused\u{1b}[0m: postgres://ledger-db:5432"},
        {"file": "reports/unit.xml", "classname": "com.acme.fx.RateCacheTest",
         "name": "expires_after_ttl", "outcome": "failed", "message": "timed out after 30s"},
        {"file": "reports/unit.xml", "classname": "com.acme.fx.RateCacheTest",
         "name": "refreshes_in_background", "outcome": "failed"},
        {"file": "reports/unit.xml", "classname": "com.acme.api.CheckoutControllerTest",
         "name": "rejects_negative_amounts", "outcome": "failed",
         "message": "assertion failed: response.status == 422"},
        {"file": "reports/unit.xml", "classname": "com.acme.api.CheckoutControllerTest",
         "name": "accepts_amounts_with_three_decimals_for_currencies_like_the_bahraini_dinar",
         "outcome": "failed", "message": "expected 1.235 BHD, got 1.24 BHD"},
    ])
}

/// A blocked release with one check of every kind: fail, missing (blocking), warn, error at
/// `on_missing: warn`, waived, pass.
pub(crate) fn blocked() -> Report {
    let checks = vec![
        CheckBuilder::fail("regression.pass-rate")
            .measured("ratio", json!(0.9732), json!(0.98))
            .message("981 of 1,008 executed tests passed (97.3%), first time or on a rerun; the policy requires at least 98%. 4 skipped tests are not counted.")
            .remedy("make at least 8 of the 27 failing or erroring tests pass, then run the gate again.")
            .detail("executed", json!(1008))
            .detail("passed", json!(950))
            .detail("flaky", json!(31))
            .detail("failed", json!(20))
            .detail("errored", json!(7))
            .detail("suite_errors", json!(1))
            .detail("skipped", json!(4))
            .detail("failing", failing_tests())
            .detail("failing_total", json!(27))
            .detail("suites_failed_to_run", json!([
                {"file": "reports/integration.xml", "suite": "com.acme.ledger.MigrationIT",
                 "kind": "error", "message": "@BeforeAll failed: could not start postgres container"}
            ]))
            .build(),
        CheckBuilder::pass("regression.min-tests")
            .measured("count", json!(1012), json!(500))
            .message("1,012 tests in 2 files; the policy requires at least 500.")
            .build(),
        CheckBuilder::fail("critical-paths.passed")
            .measured("count", json!(2), json!(0))
            .message("2 critical-path tests did not pass: 1 in `payment` failed and 1 in `data-integrity` errored. A critical path must pass in full.")
            .remedy("make every test of the `payment` and `data-integrity` paths pass; critical-path tests can be neither skipped nor quarantined nor waived away silently.")
            .detail("paths", json!({
                "authentication": {
                    "patterns": ["*auth*", "*login*"],
                    "counts": {"tests": 12, "passed": 12, "failed": 0, "errored": 0, "skipped": 0, "flaky": 0},
                    "min_tests": 1,
                    "not_passed": [],
                    "not_passed_total": 0,
                },
                "data-integrity": {
                    "patterns": ["*ledger*", "*migration*"],
                    "counts": {"tests": 9, "passed": 8, "failed": 0, "errored": 1, "skipped": 0, "flaky": 0},
                    "min_tests": 1,
                    "not_passed": [
                        {"file": "reports/integration.xml", "suite": "MigrationTest",
                         "classname": "com.acme.ledger.MigrationTest", "name": "v42_backfills_currency",
                         "outcome": "errored", "message": "ConnectionRefused: postgres://ledger-db:5432"},
                    ],
                    "not_passed_total": 1,
                },
                "payment": {
                    "patterns": ["com.acme.payment.*", "*Payment*"],
                    "counts": {"tests": 41, "passed": 40, "failed": 1, "errored": 0, "skipped": 0, "flaky": 0},
                    "min_tests": 1,
                    "not_passed": [
                        {"file": "reports/integration.xml", "suite": "RefundTest",
                         "classname": "com.acme.payment.RefundTest", "name": "refund_twice_is_rejected",
                         "outcome": "failed", "message": "expected status 409 but was 200"},
                    ],
                    "not_passed_total": 1,
                },
            }))
            .build(),
        CheckBuilder::warn("flaky.rate")
            .measured("ratio", json!(0.0306), json!(0.02))
            .message("31 of 1,012 tests (3.1%) passed only on a rerun; the policy allows at most 2%.")
            .remedy("fix or quarantine (with an owner, a ticket and an expiry) at least 11 of the flaky tests.")
            .detail("flaky", json!(31))
            .detail("executed", json!(1008))
            .detail("flaky_tests", json!([
                {"classname": "com.acme.fx.RateFeedTest", "name": "reconnects", "outcome": "flaky"},
                {"classname": "com.acme.api.WebhookTest", "name": "retries_on_503", "outcome": "flaky"},
            ]))
            .detail("flaky_tests_total", json!(31))
            .build(),
        CheckBuilder::waived("defects.open")
            .measured("count", json!({"critical": 1, "high": 2}), json!({"critical": 0, "high": 3}))
            .message("1 open critical defect (PAY-812); the policy allows 0.")
            .remedy("close or downgrade PAY-812.")
            .detail("blocking", json!([{"key": "PAY-812", "severity": "critical", "title": "Refund webhook retried without idempotency key"}]))
            .waiver("PAY-812 ships in the 2.4.1 hotfix; risk accepted", "cto@acme.example", "2026-12-31")
            .build(),
        CheckBuilder::missing("uat.signoff")
            .message("No UAT sign-off was found at `release/uat-signoff.yaml`.")
            .remedy("record the approval of product-owner and qa-lead for payments-api 2.4.0 in `release/uat-signoff.yaml`.")
            .detail("required_roles", json!(["product-owner", "qa-lead"]))
            .build(),
        CheckBuilder::error("performance.http_req_duration.p95")
            .blocking(false)
            .message("`perf/summary.json` could not be read: expected value at line 1 column 1.")
            .remedy("write the k6 summary with `k6 run --summary-export perf/summary.json`; this check only warns while its evidence is unreadable (`on_missing: warn`).")
            .detail("problems", json!([
                {"location": "perf/summary.json", "message": "expected value at line 1 column 1", "remedy": "write the k6 summary with `k6 run --summary-export`"}
            ]))
            .detail("problems_total", json!(1))
            .build(),
        CheckBuilder::pass("waivers.valid")
            .measured("count", json!(0), json!(0))
            .message("2 waivers are complete and unexpired; 1 was applied, 1 waived nothing.")
            .build(),
    ];
    let waivers = vec![
        WaiverRecord {
            check: "defects.open".into(),
            reason: "PAY-812 ships in the 2.4.1 hotfix; risk accepted".into(),
            approved_by: "cto@acme.example".into(),
            expires: "2026-12-31".into(),
            state: WaiverState::Applied,
        },
        WaiverRecord {
            check: "flaky.rate".into(),
            reason: "known infra flakiness, INFRA-77".into(),
            approved_by: "qa-lead@acme.example".into(),
            expires: "2027-01-15".into(),
            state: WaiverState::Unused,
        },
    ];
    report(checks, waivers)
}

/// A ready release: every error-level check passes, one warning.
pub(crate) fn ready() -> Report {
    let checks = vec![
        CheckBuilder::pass("regression.pass-rate")
            .measured("ratio", json!(0.9991), json!(0.98))
            .message("1,007 of 1,008 executed tests passed (99.9%); the policy requires at least 98%.")
            .build(),
        CheckBuilder::pass("regression.min-tests")
            .measured("count", json!(1012), json!(500))
            .message("1,012 tests in 2 files; the policy requires at least 500.")
            .build(),
        CheckBuilder::pass("critical-paths.passed")
            .measured("count", json!(0), json!(0))
            .message("All 62 tests of 3 critical paths passed.")
            .build(),
        CheckBuilder::warn("flaky.rate")
            .measured("ratio", json!(0.0306), json!(0.02))
            .message("31 of 1,012 tests (3.1%) passed only on a rerun; the policy allows at most 2%.")
            .remedy("fix or quarantine at least 11 of the flaky tests.")
            .build(),
        CheckBuilder::pass("performance.http_req_duration.p95")
            .measured("seconds", json!(0.2874), json!(0.3))
            .message("p95 of http_req_duration is 287.4ms; the limit is 300ms and the baseline 281ms (+2.3%, allowed +10%).")
            .build(),
    ];
    report(checks, vec![])
}

/// Checks whose text is hostile to every output format.
pub(crate) fn hostile() -> Report {
    let nasty = "a|b\nc <script>alert(1)</script> ]]> \"q\" 'a' & \u{1b}[31mred\u{1b}[0m \u{0}\u{7}\u{1f} *x* _y_ `z` [l](http://e) $m$ \\";
    let checks = vec![
        CheckBuilder::fail(&format!("performance.{nasty}"))
            .measured("ms", json!(nasty), json!(1))
            .message(nasty)
            .remedy(nasty)
            .detail(
                nasty,
                json!([{"classname": nasty, "name": nasty, "outcome": "failed", "message": nasty}]),
            )
            .build(),
        CheckBuilder::warn("flaky.rate").message(nasty).build(),
        CheckBuilder::waived("defects.open")
            .message(nasty)
            .waiver(nasty, nasty, nasty)
            .build(),
        CheckBuilder::pass("regression.min-tests")
            .message(nasty)
            .build(),
    ];
    let mut report = report(
        checks,
        vec![WaiverRecord {
            check: nasty.into(),
            reason: nasty.into(),
            approved_by: nasty.into(),
            expires: nasty.into(),
            state: WaiverState::Applied,
        }],
    );
    report.release.name = nasty.into();
    report.policy.path = nasty.into();
    report.inputs[0].path = nasty.into();
    report
}

fn file(path: &str, counts: TestCounts, suites: u64, suite_errors: u64, dups: u64) -> TestFile {
    TestFile {
        path: path.into(),
        counts,
        suites,
        suite_errors,
        duplicate_names: dups,
        timestamp: None,
        local_timestamp: None,
        commit: None,
    }
}

fn test(
    file: usize,
    classname: &str,
    name: &str,
    outcome: TestOutcome,
    message: Option<&str>,
) -> TestRecord {
    TestRecord {
        file,
        suite: classname.rsplit('.').next().unwrap_or("").into(),
        classname: classname.into(),
        name: name.into(),
        outcome,
        time: Some(0.25),
        message: message.map(str::to_owned),
        defect_refs: vec![],
        attempts: 1,
    }
}

/// What `shipgate inspect tests` sees in two files, one with a suite that failed to set up.
pub(crate) fn evidence() -> TestEvidence {
    let integration = TestCounts {
        tests: 312,
        passed: 301,
        failed: 3,
        errored: 1,
        skipped: 2,
        flaky: 5,
    };
    let unit = TestCounts {
        tests: 1700,
        passed: 1690,
        failed: 2,
        errored: 0,
        skipped: 8,
        flaky: 0,
    };
    let mut totals = TestCounts::default();
    totals.add(&integration);
    totals.add(&unit);
    TestEvidence {
        files: vec![
            file("reports/integration.xml", integration, 14, 1, 0),
            file("reports/unit.xml", unit, 230, 0, 3),
        ],
        totals,
        suite_errors: vec![SuiteError {
            file: 0,
            suite: "com.acme.ledger.MigrationIT".into(),
            kind: SuiteErrorKind::Error,
            message: Some("@BeforeAll failed: could not start postgres container".into()),
        }],
        tests: vec![
            test(
                0,
                "com.acme.payment.RefundTest",
                "refund_twice_is_rejected",
                TestOutcome::Failed,
                Some("expected status 409 but was 200"),
            ),
            test(
                0,
                "com.acme.ledger.MigrationTest",
                "v42_backfills_currency",
                TestOutcome::Errored,
                Some("ConnectionRefused"),
            ),
            test(
                0,
                "com.acme.fx.RateFeedTest",
                "reconnects",
                TestOutcome::Flaky,
                None,
            ),
            test(
                1,
                "com.acme.fx.RateCacheTest",
                "expires_after_ttl",
                TestOutcome::Failed,
                Some("timed out after 30s"),
            ),
            test(
                1,
                "com.acme.api.LegacyTest",
                "old_endpoint",
                TestOutcome::Skipped,
                Some("disabled"),
            ),
            test(
                1,
                "com.acme.api.HealthTest",
                "ok",
                TestOutcome::Passed,
                None,
            ),
        ],
        ..TestEvidence::default()
    }
}
