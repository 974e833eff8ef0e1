//! Hostile and broken input: deep nesting, huge values, every way of not being well-formed, and
//! random bytes. The rule: a correct result or a clear error, never a panic or a stack overflow.

use proptest::prelude::*;
use shipgate_junit::{ReadOptions, RetryMode, read_bytes};
use shipgate_model::TestRetention;

fn read(doc: &[u8]) -> Result<shipgate_model::TestEvidence, shipgate_junit::JunitError> {
    read_bytes("hostile.xml", doc, &ReadOptions::default()).map(|(e, _)| e)
}

fn nested_suites(depth: usize) -> String {
    let mut doc = String::from("<testsuites>");
    for i in 0..depth {
        doc.push_str(&format!("<testsuite name=\"s{i}\">"));
    }
    doc.push_str(
        "<testcase classname=\"deep\" name=\"bottom\"><failure message=\"down here\"/></testcase>",
    );
    for _ in 0..depth {
        doc.push_str("</testsuite>");
    }
    doc.push_str("</testsuites>");
    doc
}

#[test]
fn twenty_thousand_nested_suites_on_a_small_stack() {
    // junit-parser overflows the stack at about 4,000 levels; an explicit stack must not care,
    // even on a thread with a quarter of the default stack.
    let doc = nested_suites(20_000);
    let evidence = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || read(doc.as_bytes()))
        .unwrap()
        .join()
        .unwrap()
        .unwrap();
    assert_eq!(evidence.totals.tests, 1);
    assert_eq!(evidence.totals.failed, 1);
    assert_eq!(evidence.files[0].suites, 1);
    assert_eq!(evidence.tests[0].suite, "s19999");
    assert_eq!(evidence.tests[0].message.as_deref(), Some("down here"));
}

#[test]
fn nesting_beyond_the_limit_is_a_clear_error() {
    let depth = 150_000;
    let mut doc = String::from("<testsuite name=\"s\">\n");
    doc.push_str(&"<a>".repeat(depth));
    doc.push_str(&"</a>".repeat(depth));
    doc.push_str("</testsuite>");
    let e = read(doc.as_bytes()).unwrap_err();
    assert_eq!(e.kind(), "too-deep");
    assert_eq!(e.line(), Some(2));
    assert!(
        e.to_string().contains("nested more than 100000 levels"),
        "{e}"
    );
}

#[test]
fn huge_attributes_and_text_are_fine() {
    let name = "n".repeat(4 * 1024 * 1024);
    let out = "o".repeat(8 * 1024 * 1024);
    let doc = format!(
        "<testsuite><testcase classname=\"c\" name=\"{name}\"><failure>{out}</failure><system-out>{out}</system-out></testcase></testsuite>"
    );
    let evidence = read(doc.as_bytes()).unwrap();
    assert_eq!(evidence.tests[0].name.len(), name.len());
    // The message is capped, not the whole text.
    assert_eq!(
        evidence.tests[0].message.as_ref().unwrap().chars().count(),
        1_000
    );
}

#[test]
fn every_way_of_not_being_well_formed_is_named() {
    let cases: &[(&str, &str, &str)] = &[
        ("", "empty", "the file is empty"),
        ("  \n\t\r\n", "empty", "the file is empty"),
        ("\u{FEFF}", "empty", "the file is empty"),
        (
            "<!-- only a comment -->",
            "truncated",
            "before the root element",
        ),
        (
            "<?xml version=\"1.0\"?>",
            "truncated",
            "before the root element",
        ),
        (
            "<testsuite><testcase name=\"x\">",
            "truncated",
            "inside `<testcase>`",
        ),
        ("<testsuite><testcase name=\"x", "truncated", "inside a tag"),
        (
            "<testsuite><![CDATA[abc",
            "truncated",
            "inside a CDATA section",
        ),
        ("<testsuite><!-- abc", "truncated", "inside a comment"),
        ("<testsuite>&am", "truncated", "inside an entity reference"),
        ("hello <testsuite/>", "not-xml", "does not start with `<`"),
        ("<testsuite></testcase>", "not-xml", "mismatched tag"),
        (
            "<testsuite/><testsuite/>",
            "not-xml",
            "a second root element",
        ),
        (
            "<testsuite/> trailing",
            "not-xml",
            "text after the end of the root element",
        ),
        (
            "<testsuite>&nbsp;</testsuite>",
            "not-xml",
            "undefined entity `&nbsp;`",
        ),
        (
            "<testsuite>a & b</testsuite>",
            "not-xml",
            "`&` does not start an entity reference",
        ),
        (
            "<testsuite name=\"a<b\"/>",
            "not-xml",
            "`<` inside the value of attribute `name`",
        ),
        (
            "<testsuite name=\"a\" name=\"b\"/>",
            "not-xml",
            "malformed attribute",
        ),
        ("<testsuite name=a/>", "not-xml", "malformed attribute"),
        (
            "<testsuite name=\"&#0;\"/>",
            "not-xml",
            "invalid character reference",
        ),
        (
            " <?xml version=\"1.0\"?><testsuite/>",
            "not-xml",
            "only at the very start",
        ),
        ("<testsuite><!-- a -- b --></testsuite>", "not-xml", "--"),
        (
            "<testsuite/><![CDATA[x]]>",
            "not-xml",
            "CDATA section outside",
        ),
        (
            "<!-- c --><!DOCTYPE testsuite><testsuite/>",
            "xxe-dtd",
            "DOCTYPE",
        ),
        ("<!ENTITY x \"y\">", "xxe-dtd", "DOCTYPE or entities"),
        (
            "<testsuite><!DOCTYPE x></testsuite>",
            "not-xml",
            "DOCTYPE after the root",
        ),
        ("<test-run/>", "nunit", "NUnit 3"),
        ("<test-results/>", "nunit", "NUnit 2"),
        (
            "<test-run><test-suite>",
            "truncated",
            "inside `<test-suite>`",
        ),
        ("<assemblies/>", "xunit-net", "xUnit.net"),
        (
            "<TestRun xmlns=\"http://microsoft.com/schemas/VisualStudio/TeamTest/2010\"/>",
            "trx",
            "TRX",
        ),
        (
            "<ns:testsuite xmlns:ns=\"urn:x\"><ns:testcase/></ns:testsuite>",
            "",
            "",
        ),
        (
            "<html><body/></html>",
            "not-junit",
            "the root element is `<html>`",
        ),
        (
            "<?xml version=\"1.0\" encoding=\"klingon\"?><testsuite/>",
            "encoding",
            "`klingon`",
        ),
    ];
    let mut problems = Vec::new();
    for (doc, kind, says) in cases {
        match (read(doc.as_bytes()), *kind) {
            (Ok(_), "") => {}
            (Ok(e), _) => problems.push(format!(
                "{doc:?}: read {} tests, expected {kind}",
                e.totals.tests
            )),
            (Err(e), _) if e.kind() != *kind || !e.to_string().contains(says) => {
                problems.push(format!(
                    "{doc:?}: [{}] {e}, expected [{kind}] …{says}…",
                    e.kind()
                ));
            }
            (Err(e), _) if e.kind() != "empty" && e.kind() != "encoding" && e.line().is_none() => {
                problems.push(format!("{doc:?}: no line in {e}"));
            }
            (Err(_), _) => {}
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_prefixed_junit_root_counts_like_an_unprefixed_one() {
    let doc = r#"<j:testsuite xmlns:j="urn:junit" name="s"><j:testcase name="a"><j:failure message="m"/></j:testcase></j:testsuite>"#;
    let evidence = read(doc.as_bytes()).unwrap();
    assert_eq!((evidence.totals.tests, evidence.totals.failed), (1, 1));
    assert_eq!(evidence.files[0].suites, 1);
}

#[test]
fn errors_point_at_the_line_and_column() {
    let doc = "<testsuite>\n  <testcase name=\"a\"/>\n  <testcase name=\"b\">&bogus;</testcase>\n</testsuite>";
    let e = read(doc.as_bytes()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "failed to parse JUnit report `hostile.xml` at line 3, column 22: undefined entity `&bogus;` (without a DOCTYPE only `&lt;` `&gt;` `&amp;` `&apos;` `&quot;` and character references exist)"
    );
}

fn corpus_files() -> Vec<Vec<u8>> {
    let dir = crate::fixtures_dir().join("corpus");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| std::fs::read(p).unwrap())
        .filter(|b| b.len() < 64 * 1024)
        .collect()
}

/// Whatever the bytes, the reader returns; when it reads something, the counts add up.
fn check_invariants(bytes: &[u8]) {
    for retries in [RetryMode::PerTestcase, RetryMode::RepeatedTestcases] {
        let options = ReadOptions {
            retention: TestRetention::default(),
            retries,
            ..Default::default()
        };
        if let Ok((evidence, digest)) = read_bytes("fuzz.xml", bytes, &options) {
            let c = evidence.totals;
            assert_eq!(
                c.tests,
                c.passed + c.failed + c.errored + c.skipped + c.flaky
            );
            assert_eq!(evidence.tests.len() as u64, c.tests - c.passed);
            assert_eq!(digest.bytes, bytes.len() as u64);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        check_invariants(&bytes);
    }

    #[test]
    fn random_xml_ish_text_never_panics(
        pieces in proptest::collection::vec(
            prop_oneof![
                Just("<testsuite>"), Just("</testsuite>"), Just("<testcase name=\"a\">"),
                Just("</testcase>"), Just("<testcase/>"), Just("<failure message=\"m\">"),
                Just("</failure>"), Just("<skipped/>"), Just("<flakyError/>"), Just("&amp;"),
                Just("&#10;"), Just("<![CDATA[x]]>"), Just("<!-- c -->"), Just("<properties>"),
                Just("<property name=\"jira\" value=\"A-1\"/>"), Just("</properties>"),
                Just("<testsuites>"), Just("</testsuites>"), Just("text"), Just("<"), Just("&"),
                Just("\u{FEFF}"), Just("<?xml version=\"1.0\"?>"), Just("<!DOCTYPE x>"),
            ],
            0..40,
        )
    ) {
        check_invariants(pieces.concat().as_bytes());
    }

    #[test]
    fn mutated_corpus_files_never_panic(
        which in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8),
    ) {
        let files = corpus_files();
        let mut bytes = which.get(&files).clone();
        for (at, byte, op) in edits {
            if bytes.is_empty() {
                bytes.push(byte);
                continue;
            }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                2 => { bytes.remove(i); }
                _ => bytes.truncate(i),
            }
        }
        check_invariants(&bytes);
    }
}

/// A report with invalid UTF-8 is read again with the bad bytes replaced, but only text and
/// attribute values may hold a replacement: a mangled element name would turn a failing
/// `<testcase>` into an unknown element, and the failure would disappear.
#[test]
fn invalid_utf8_in_an_element_or_attribute_name_is_refused() {
    let element = b"<testsuite name=\"s\"><testcase name=\"ok\"/><testc\xe9ase name=\"boom\"><failure/></testc\xe9ase></testsuite>";
    let e = read(element).unwrap_err();
    assert_eq!(e.kind(), "not-xml", "{e}");
    assert_eq!(
        e.to_string(),
        "failed to parse JUnit report `hostile.xml` at line 1, column 42: invalid UTF-8 in the element name `testc\u{FFFD}ase`"
    );

    let attribute =
        b"<testsuite name=\"s\"><testcase name=\"t\" st\xffatus=\"disabled\"/></testsuite>";
    let e = read(attribute).unwrap_err();
    assert_eq!(e.kind(), "not-xml", "{e}");
    assert_eq!(
        e.to_string(),
        "failed to parse JUnit report `hostile.xml` at line 1, column 21: invalid UTF-8 in the attribute name `st\u{FFFD}atus` of `<testcase>`"
    );

    // In text and attribute values a replacement is still accepted.
    let value = b"<testsuite name=\"s\xff\"><testcase name=\"b\xe9\"><failure>x\xff</failure></testcase></testsuite>";
    let evidence = read(value).unwrap();
    assert_eq!((evidence.totals.tests, evidence.totals.failed), (1, 1));
    assert_eq!(evidence.tests[0].name, "b\u{FFFD}");
}

/// An `<error>` or `<failure>` directly under the root `<testsuites>` is a run that failed
/// outside any suite: never dropped, so that the file can never read as green.
#[test]
fn an_error_or_failure_directly_under_testsuites_is_a_suite_error() {
    use shipgate_model::SuiteErrorKind;
    let doc = br#"<testsuites name="all">
  <testsuite name="s"><testcase name="ok"/></testsuite>
  <error message="global setup failed"/>
  <failure>teardown
  broke</failure>
</testsuites>"#;
    let evidence = read(doc).unwrap();
    assert_eq!((evidence.totals.tests, evidence.totals.passed), (1, 1));
    assert_eq!(evidence.files[0].suite_errors, 2);
    let errors: Vec<(&str, SuiteErrorKind, Option<&str>)> = evidence
        .suite_errors
        .iter()
        .map(|e| (e.suite.as_str(), e.kind, e.message.as_deref()))
        .collect();
    assert_eq!(
        errors,
        [
            ("all", SuiteErrorKind::Error, Some("global setup failed")),
            ("all", SuiteErrorKind::Failure, Some("teardown\n  broke")),
        ]
    );
}
