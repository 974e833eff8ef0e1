//! Fixtures for what the corpus lacks: encodings, properties, retention, retries written as
//! repeated testcases, .NET result formats, entity declarations. Each fixture is described in
//! `tests/fixtures/README.md`.

use crate::fixture;
use shipgate_junit::{ReadOptions, RetryMode, read_bytes};
use shipgate_model::{TestEvidence, TestOutcome, TestPattern, TestRecord, TestRetention};

fn keep_all() -> ReadOptions {
    ReadOptions {
        retention: TestRetention {
            patterns: Vec::new(),
            all: true,
            ..TestRetention::default()
        },
        retries: RetryMode::PerTestcase,
        ..Default::default()
    }
}

fn read_with(name: &str, options: &ReadOptions) -> TestEvidence {
    match read_bytes(name, &fixture(name), options) {
        Ok((evidence, _)) => evidence,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn record<'a>(evidence: &'a TestEvidence, name: &str) -> &'a TestRecord {
    evidence
        .tests
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no test {name:?} in {:#?}", evidence.tests))
}

#[test]
fn iso_8859_1_declared_in_the_prolog_is_transcoded() {
    let evidence = read_with("surefire-iso-8859-1.xml", &keep_all());
    let counts = evidence.totals;
    assert_eq!((counts.tests, counts.passed, counts.failed), (3, 2, 1));
    let names: Vec<&str> = evidence.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["validaNúmero", "rechazaCaducada", "aceptaDébito"]);
    assert_eq!(
        record(&evidence, "rechazaCaducada").message.as_deref(),
        Some("esperado <señal> pero fue «vacío» © 2024")
    );
}

#[test]
fn utf16_with_a_bom_is_read_in_either_byte_order() {
    for name in ["powershell-utf16le-bom.xml", "powershell-utf16be-bom.xml"] {
        let evidence = read_with(name, &keep_all());
        let counts = evidence.totals;
        assert_eq!(
            (counts.tests, counts.passed, counts.failed, counts.skipped),
            (3, 1, 1, 1),
            "{name}"
        );
        assert_eq!(evidence.tests[0].name, "Módulo.Get-Saldo devuelve € y 😀");
        assert_eq!(evidence.tests[0].suite, "Módulo.Tests.ps1");
        assert_eq!(
            record(&evidence, "Módulo.Set-Saldo falla")
                .message
                .as_deref(),
            Some("Expected 'über', but got 'uber'.")
        );
        // Pester writes local time without a zone: a local time, not an instant.
        assert_eq!(evidence.files[0].timestamp, None, "{name}");
        assert_eq!(
            evidence.files[0]
                .local_timestamp
                .map(|t| t.to_string())
                .as_deref(),
            Some("2024-03-05T09:30:00")
        );
    }
}

#[test]
fn invalid_utf8_in_a_utf8_file_is_replaced_not_rejected() {
    let evidence = read_with("pytest-invalid-utf8.xml", &keep_all());
    assert_eq!((evidence.totals.tests, evidence.totals.failed), (2, 1));
    assert_eq!(evidence.tests[0].name, "test_decode[\u{FFFD}\u{FFFD}\u{1}]");
    assert_eq!(evidence.tests[1].name, "test_decode[\u{FFFD}]");
    assert_eq!(
        evidence.tests[1].message.as_deref(),
        Some("bad byte \u{FFFD} here")
    );
}

#[test]
fn pytest_record_property_gives_defects_and_commit() {
    let evidence = read_with("pytest-record-property.xml", &keep_all());
    let file = &evidence.files[0];
    assert_eq!(file.commit.as_deref(), Some("3f2a9c1d0e"));
    assert_eq!(
        file.timestamp.map(|t| t.to_string()).as_deref(),
        Some("2026-11-24T01:01:56.870942Z")
    );
    let rounds = record(&evidence, "test_refund_rounds_half_even");
    assert_eq!(rounds.outcome, TestOutcome::Passed);
    // The testcase's own keys first, then its suite's.
    assert_eq!(rounds.defect_refs, ["PAY-123", "PAY-124", "PAY-900"]);
    let currency = record(&evidence, "test_refund_currency");
    assert_eq!(currency.outcome, TestOutcome::Failed);
    assert_eq!(currency.defect_refs, ["PAY-200", "PAY-900"]);
    assert_eq!(
        currency.message.as_deref(),
        Some(
            "AssertionError: currency 'EUR' & 'USD' differ <sic>\nassert 'EUR' == 'USD'\n  \n  - USD\n  + EUR"
        )
    );
    assert_eq!(currency.classname, "test_payments");
    assert_eq!(currency.time, Some(0.001));
    let skipped = record(&evidence, "test_gateway_timeout");
    assert_eq!(skipped.outcome, TestOutcome::Skipped);
    assert_eq!(skipped.message.as_deref(), Some("gateway sandbox down"));
    assert_eq!(record(&evidence, "test_plain").defect_refs, ["PAY-900"]);
}

#[test]
fn default_retention_keeps_only_tests_that_did_not_pass() {
    let evidence = read_with("pytest-record-property.xml", &ReadOptions::default());
    assert_eq!(evidence.totals.tests, 4);
    let kept: Vec<&str> = evidence.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(kept, ["test_refund_currency", "test_gateway_timeout"]);
}

#[test]
fn retention_patterns_keep_matching_passing_tests() {
    let options = ReadOptions {
        retention: TestRetention {
            patterns: vec![TestPattern::new("*refund*").unwrap()],
            all: false,
            ..TestRetention::default()
        },
        retries: RetryMode::PerTestcase,
        ..Default::default()
    };
    let evidence = read_with("pytest-record-property.xml", &options);
    let kept: Vec<&str> = evidence.tests.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        kept,
        [
            "test_refund_rounds_half_even",
            "test_refund_currency",
            "test_gateway_timeout"
        ]
    );
}

#[test]
fn defect_properties_on_root_suite_and_case_in_any_order() {
    let doc = r#"<testsuites>
  <properties><property name="BUG" value="OPS-1"/></properties>
  <testsuite name="outer">
    <testsuite name="inner">
      <testcase classname="c" name="first"/>
      <testcase classname="c" name="second">
        <properties><property name="Defect">PAY-9,
          PAY-10</property><property name="owner" value="PAY-0"/></properties>
      </testcase>
    </testsuite>
    <testcase classname="c" name="third"><skipped/></testcase>
    <properties><property name="issue" value="PAY-7 PAY-8"/></properties>
  </testsuite>
  <testsuite name="other"><testcase classname="c" name="fourth"/></testsuite>
</testsuites>"#;
    let (evidence, _) = read_bytes("props.xml", doc.as_bytes(), &keep_all()).unwrap();
    let refs = |name: &str| record(&evidence, name).defect_refs.clone();
    assert_eq!(refs("first"), ["PAY-7", "PAY-8", "OPS-1"]);
    assert_eq!(
        refs("second"),
        ["PAY-9", "PAY-10", "PAY-7", "PAY-8", "OPS-1"]
    );
    assert_eq!(refs("third"), ["PAY-7", "PAY-8", "OPS-1"]);
    assert_eq!(refs("fourth"), ["OPS-1"]);
    assert_eq!(record(&evidence, "first").suite, "inner");
    assert_eq!(record(&evidence, "third").suite, "outer");
    assert_eq!(evidence.files[0].suites, 3);
}

#[test]
fn commit_comes_from_the_first_commit_property_of_a_suite_or_the_root() {
    let doc = r#"<testsuites>
  <properties><property name="GIT_COMMIT" value=" 9e8d7c6 "/></properties>
  <testsuite name="s">
    <properties><property name="vcs.revision" value="1111111"/></properties>
    <testcase name="t"><properties><property name="commit" value="2222222"/></properties></testcase>
  </testsuite>
</testsuites>"#;
    let (evidence, _) = read_bytes("commit.xml", doc.as_bytes(), &keep_all()).unwrap();
    assert_eq!(evidence.files[0].commit.as_deref(), Some("9e8d7c6"));

    let case_only = r#"<testsuite name="s"><testcase name="t"><properties>
        <property name="git.commit" value="2222222"/></properties></testcase></testsuite>"#;
    let (evidence, _) = read_bytes("case.xml", case_only.as_bytes(), &keep_all()).unwrap();
    assert_eq!(
        evidence.files[0].commit, None,
        "a testcase property is not the run's commit"
    );

    for name in ["git.commit", "git_commit", "commit", "vcs.revision"] {
        let doc = format!(
            r#"<testsuite name="s"><properties><property name="{name}" value="abc"/></properties></testsuite>"#
        );
        let (evidence, _) = read_bytes("c.xml", doc.as_bytes(), &keep_all()).unwrap();
        assert_eq!(evidence.files[0].commit.as_deref(), Some("abc"), "{name}");
    }
}

fn merged() -> ReadOptions {
    ReadOptions {
        retention: TestRetention::default(),
        retries: RetryMode::RepeatedTestcases,
        ..Default::default()
    }
}

#[test]
fn gotestsum_reruns_count_per_testcase_by_default() {
    let evidence = read_with("gotestsum-rerun-fails.xml", &ReadOptions::default());
    let c = evidence.totals;
    assert_eq!((c.tests, c.passed, c.failed, c.flaky), (7, 4, 3, 0));
    assert_eq!(evidence.files[0].duplicate_names, 2);
    assert!(evidence.tests.iter().all(|t| t.attempts == 1));
}

#[test]
fn gotestsum_reruns_merge_into_flaky_and_failed() {
    let evidence = read_with("gotestsum-rerun-fails.xml", &merged());
    let c = evidence.totals;
    assert_eq!((c.tests, c.passed, c.failed, c.flaky), (5, 3, 1, 1));
    // Default retention: the two merged tests that did not pass, in order of first appearance.
    let kept: Vec<(&str, TestOutcome, u32)> = evidence
        .tests
        .iter()
        .map(|t| (t.name.as_str(), t.outcome, t.attempts))
        .collect();
    assert_eq!(
        kept,
        [
            ("TestRefund", TestOutcome::Flaky, 2),
            ("TestCapture", TestOutcome::Failed, 2),
        ]
    );
    let refund = &evidence.tests[0];
    assert_eq!(refund.message.as_deref(), Some("Failed"));
    assert_eq!(refund.suite, "example.com/shop/payment");
    let total_time = refund.time.unwrap();
    assert!((total_time - 0.021).abs() < 1e-9, "{total_time}");
}

#[test]
fn merging_pass_fail_and_error_attempts_takes_the_last_attempt() {
    // A passing attempt ends a runner's retries, so attempts written after it are not its
    // retries: the last attempt (an error) is the result, never "flaky because one passed".
    let name = "corpus/generic--retries-as-duplicate-testcases.xml";
    let evidence = read_with(name, &merged());
    let c = evidence.totals;
    assert_eq!((c.tests, c.flaky, c.errored), (1, 0, 1));
    assert_eq!(evidence.tests[0].attempts, 3);
    assert_eq!(evidence.tests[0].outcome, TestOutcome::Errored);
    assert_eq!(evidence.tests[0].message.as_deref(), Some("later error"));
}

#[test]
fn parameterised_duplicates_in_different_suites_are_not_merged() {
    let name = "corpus/nextest--stress-duplicate-names.xml";
    let evidence = read_with(
        name,
        &ReadOptions {
            retention: TestRetention {
                patterns: Vec::new(),
                all: true,
                ..TestRetention::default()
            },
            retries: RetryMode::RepeatedTestcases,
            ..Default::default()
        },
    );
    assert_eq!(evidence.totals.tests, 4);
    assert_eq!(evidence.files[0].duplicate_names, 2);
    assert!(evidence.tests.iter().all(|t| t.attempts == 1));
}

#[test]
fn merging_within_one_suite_fail_fail_is_failed_and_pass_pass_is_flaky() {
    // An attempt before the last was retried, so it failed whatever it looks like (that is how
    // pytest-rerunfailures writes failed attempts); a skipped attempt is not a retry.
    let doc = r#"<testsuite name="s">
  <testcase classname="c" name="a"><failure message="one"/></testcase>
  <testcase classname="c" name="a"><failure message="two"/></testcase>
  <testcase classname="c" name="b"/>
  <testcase classname="c" name="b"/>
  <testcase classname="c" name="d"><skipped/></testcase>
  <testcase classname="c" name="d"/>
</testsuite>"#;
    let (evidence, _) = read_bytes("m.xml", doc.as_bytes(), &merged()).unwrap();
    let c = evidence.totals;
    assert_eq!((c.tests, c.failed, c.flaky, c.passed), (3, 1, 1, 1));
    let kept: Vec<(&str, TestOutcome, u32)> = evidence
        .tests
        .iter()
        .map(|t| (t.name.as_str(), t.outcome, t.attempts))
        .collect();
    assert_eq!(
        kept,
        [("a", TestOutcome::Failed, 2), ("b", TestOutcome::Flaky, 2)]
    );
    assert_eq!(evidence.tests[0].message.as_deref(), Some("one"));
}

#[test]
fn dotnet_result_files_are_named_in_the_error() {
    let cases = [
        ("xunit-net-v2.xml", "xunit-net", "this is xUnit.net XML"),
        ("trx-vstest.xml", "trx", "this is a Visual Studio TRX file"),
    ];
    for (name, kind, says) in cases {
        let e = read_bytes(name, &fixture(name), &ReadOptions::default()).unwrap_err();
        assert_eq!(e.kind(), kind, "{e}");
        assert!(e.to_string().contains(says), "{e}");
        assert!(
            e.to_string().contains(&format!("`{name}` at line 2")),
            "{e}"
        );
        assert!(
            e.remedy().contains("dotnet test --logger junit"),
            "{}",
            e.remedy()
        );
    }
}

#[test]
fn an_entity_bomb_is_refused_before_anything_is_expanded() {
    let name = "xxe-billion-laughs.xml";
    let e = read_bytes(name, &fixture(name), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "xxe-dtd");
    assert_eq!(e.line(), Some(2));
    // The same reference without the declarations is simply undefined.
    let doc = r#"<testsuite name="laughs"><testcase classname="bomb" name="&lol9;"/></testsuite>"#;
    let e = read_bytes("ref.xml", doc.as_bytes(), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.kind(), "not-xml");
    assert!(e.to_string().contains("undefined entity `&lol9;`"), "{e}");
}
