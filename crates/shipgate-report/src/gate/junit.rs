//! The JUnit format: the gate as one test suite, so that any CI's test view (GitLab's test
//! report, Jenkins, Azure DevOps, the GitHub test-reporter actions) shows it next to the tests.
//!
//! ```xml
//! <testsuites name="shipgate" ...>
//!   <testsuite name="shipgate" ...>
//!     <properties>release, decision, exit code, policy</properties>
//!     <testcase classname="shipgate" name="CHECK-ID"/>
//!   </testsuite>
//! </testsuites>
//! ```
//!
//! - A check that blocks (`fail`, and `missing`/`error` at error level) is a `<failure>`: its
//!   message attribute is the check's message, its text the measure, the remedy and the details.
//! - A problem that does not block (`warn`, `missing`/`error` under `on_missing: warn`) and a
//!   `waived` check are `<skipped>`, whose text is the same explanation (GitLab shows a skipped
//!   case's text as its output). Skipped is the one outcome every JUnit consumer shows apart from
//!   passes without failing the pipeline's test stage: a passing case with output would be folded
//!   away among the passes, and a failure would turn the CI red for something the policy says
//!   must not block.
//! - A pass is an empty testcase.
//!
//! The file is valid against the schemas strict consumers check it with: the Jenkins xUnit
//! plugin's `junit-10.xsd` (no `skipped` attribute on `<testsuites>`) and the Ant JUnit schema
//! (no attribute on `<testsuites>`; `hostname`, `id` and `package` on the suite; `<system-out>`
//! and `<system-err>` after the cases; no per-case `<system-out>`; no `skipped` attribute). The one thing the Ant schema (2011)
//! cannot express is the `<skipped>` element, which Ant's own JUnit task writes since 1.9; a gate
//! with nothing to skip is valid against it as it is. `.ci/run` validates the examples' files
//! with xmllint against both (tests/schemas/).
//!
//! All text is escaped by quick-xml; characters XML 1.0 forbids (most C0 controls, U+FFFE,
//! U+FFFF) and terminal escape sequences are removed first, since a single one makes the whole
//! file unreadable for a strict parser.

use super::details::{self, Body, Detail};
use super::summary::{self, Group};
use crate::text::{one_line, printable};
use crate::{ReportError, measure};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use shipgate_model::{CheckResult, Report};
use std::io;

/// List items written per detail entry; the JSON report has them all.
const MAX_ITEMS: usize = 50;

/// Renders the report as JUnit XML, one testcase per check, in report order (blocking first).
pub fn render_junit(report: &Report) -> Result<String, ReportError> {
    write(report).map_err(|source| ReportError::Xml { source })
}

fn write(report: &Report) -> io::Result<String> {
    let checks = summary::ordered(report);
    let failures = checks
        .iter()
        .filter(|c| Group::of(c) == Group::Blocking)
        .count();
    let tests = checks.len().to_string();
    let failures = failures.to_string();
    let timestamp = timestamp(report);

    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    // No `skipped` total: junit-10.xsd refuses it on `<testsuites>` and the Ant schema on
    // `<testsuite>`; consumers count the `<skipped>` elements themselves.
    let totals = [
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", "0"),
        ("time", "0"),
    ];
    // A bare `<testsuites>`: the Ant schema allows it no attribute, and every consumer reads the
    // totals of the suite inside.
    w.write_event(Event::Start(BytesStart::new("testsuites")))?;
    w.write_event(Event::Start(
        BytesStart::new("testsuite")
            .with_attributes([("name", "shipgate")])
            .with_attributes(totals)
            .with_attributes([
                ("timestamp", timestamp.as_str()),
                // Required by the Ant schema. The gate records no host (its reports must not
                // depend on the machine); `localhost` is what Ant writes when it has none.
                ("hostname", "localhost"),
                ("id", "0"),
                ("package", "shipgate"),
            ]),
    ))?;
    properties(report, &mut w)?;
    for check in checks {
        testcase(check, &mut w)?;
    }
    // The Ant schema requires both, after the cases; the explanations are in the cases.
    w.write_event(Event::Empty(BytesStart::new("system-out")))?;
    w.write_event(Event::Empty(BytesStart::new("system-err")))?;
    w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// The JUnit timestamp: ISO 8601 without a zone (the Ant schema's pattern), in UTC.
fn timestamp(report: &Report) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if write!(out, "{}", report.evaluated_at.strftime("%Y-%m-%dT%H:%M:%S")).is_err() {
        out = report.evaluated_at.to_string();
    }
    out
}

fn properties(report: &Report, w: &mut Writer<Vec<u8>>) -> io::Result<()> {
    let decision = match report.decision {
        shipgate_model::Decision::Ready => "ready",
        shipgate_model::Decision::Blocked => "blocked",
    };
    let mut props: Vec<(&str, String)> = vec![
        ("release", report.release.name.clone()),
        ("decision", decision.to_owned()),
        ("exit_code", report.exit_code.to_string()),
        ("dry_run", report.dry_run.to_string()),
        ("policy", report.policy.path.clone()),
        ("policy_sha256", report.policy.sha256.clone()),
        (
            "tool",
            format!("{} {}", report.tool.name, report.tool.version),
        ),
    ];
    if let Some(v) = &report.release.version {
        props.insert(1, ("version", v.clone()));
    }
    if let Some(c) = &report.release.commit {
        props.insert(2.min(props.len()), ("commit", c.clone()));
    }
    w.write_event(Event::Start(BytesStart::new("properties")))?;
    for (name, value) in props {
        let value = attribute(&value);
        w.write_event(Event::Empty(
            BytesStart::new("property")
                .with_attributes([("name", name), ("value", value.as_str())]),
        ))?;
    }
    w.write_event(Event::End(BytesEnd::new("properties")))
}

fn testcase(check: &CheckResult, w: &mut Writer<Vec<u8>>) -> io::Result<()> {
    let name = attribute(&check.id);
    let case = BytesStart::new("testcase").with_attributes([
        ("classname", "shipgate"),
        ("name", name.as_str()),
        ("time", "0"),
    ]);
    let group = Group::of(check);
    if group == Group::Passed {
        return w.write_event(Event::Empty(case));
    }
    w.write_event(Event::Start(case))?;
    let message = attribute(&format!("{}: {}", check.status.as_str(), check.message));
    let body = text(&body(check));
    if group == Group::Blocking {
        w.write_event(Event::Start(BytesStart::new("failure").with_attributes([
            ("message", message.as_str()),
            ("type", check.status.as_str()),
        ])))?;
        w.write_event(Event::Text(BytesText::new(&body)))?;
        w.write_event(Event::End(BytesEnd::new("failure")))?;
    } else {
        w.write_event(Event::Start(
            BytesStart::new("skipped").with_attributes([("message", message.as_str())]),
        ))?;
        w.write_event(Event::Text(BytesText::new(&body)))?;
        w.write_event(Event::End(BytesEnd::new("skipped")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testcase")))
}

/// The plain-text explanation of a check that did not pass.
fn body(check: &CheckResult) -> String {
    let (observed, threshold) = measure::observed_and_threshold(check);
    let blocks = if check.blocking {
        "blocks the release"
    } else {
        "does not block"
    };
    let level = match check.level {
        shipgate_model::Level::Error => "error",
        shipgate_model::Level::Warn => "warn",
    };
    let mut lines = vec![format!(
        "{}: {} (level {level}, {blocks})",
        check.id,
        check.status.as_str()
    )];
    if observed != measure::NONE || threshold != measure::NONE {
        lines.push(format!("observed: {observed}"));
        lines.push(format!("threshold: {threshold}"));
    }
    lines.push(check.message.trim().to_owned());
    if let Some(remedy) = check.remedy.as_deref().filter(|r| !r.trim().is_empty()) {
        lines.push(format!("to pass: {}", remedy.trim()));
    }
    if let Some(w) = &check.waiver {
        lines.push(format!(
            "waived: {} ({})",
            summary::waiver_reason(&w.reason),
            summary::waiver_terms(&w.approved_by, &w.expires)
        ));
    }
    entry_lines(&details::describe(&check.details), "", &mut lines);
    lines.join("\n")
}

/// Every detail, lists and groups indented under their label.
fn entry_lines(entries: &[Detail], indent: &str, lines: &mut Vec<String>) {
    for entry in entries {
        match &entry.body {
            Body::Text(value) => lines.push(format!("{indent}{}: {value}", entry.label)),
            Body::List { items, total } => {
                lines.push(format!("{indent}{} ({total}):", entry.label));
                lines.extend(
                    items
                        .iter()
                        .take(MAX_ITEMS)
                        .map(|i| format!("{indent}  - {i}")),
                );
                let more = entry.body.more(MAX_ITEMS);
                if more > 0 {
                    lines.push(format!("{indent}  … and {more} more"));
                }
            }
            Body::Group(children) => {
                lines.push(format!("{indent}{}:", entry.label));
                entry_lines(children, &format!("{indent}  "), lines);
            }
        }
    }
}

/// Text content: printable, lines kept.
fn text(s: &str) -> String {
    printable(s)
}

/// An attribute value: printable and on one line (XML would fold line breaks into spaces anyway).
fn attribute(s: &str) -> String {
    one_line(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;
    use quick_xml::events::Event;
    use quick_xml::{Reader, XmlVersion};

    #[derive(Debug, Default, PartialEq)]
    struct Parsed {
        suites: usize,
        cases: Vec<(String, String)>,
        failures: usize,
        skipped: usize,
        texts: Vec<String>,
        attributes: Vec<String>,
    }

    /// Reads the output back with a strict parser: every attribute and text must decode.
    fn parse(xml: &str) -> Parsed {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_end_names = true;
        let mut parsed = Parsed::default();
        let mut text = String::new();
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) => {
                    text.clear();
                    let name = e.name().as_ref().to_owned();
                    let attrs: Vec<(String, String)> = e
                        .attributes()
                        .map(|a| {
                            let a = a.unwrap();
                            (
                                a.key.as_ref().to_owned(),
                                a.normalized_value(XmlVersion::Explicit1_0)
                                    .unwrap()
                                    .into_owned(),
                            )
                        })
                        .collect();
                    parsed
                        .attributes
                        .extend(attrs.iter().map(|(_, v)| v.clone()));
                    let get = |k: &str| {
                        attrs
                            .iter()
                            .find(|(key, _)| key == k)
                            .map(|(_, v)| v.clone())
                            .unwrap_or_default()
                    };
                    match name.as_str() {
                        "testsuite" => parsed.suites += 1,
                        "testcase" => parsed.cases.push((get("classname"), get("name"))),
                        "failure" => parsed.failures += 1,
                        "skipped" => parsed.skipped += 1,
                        _ => {}
                    }
                }
                Event::Text(t) => text.push_str(&t.xml10_content()),
                Event::GeneralRef(r) => text.push_str(match r.as_ref() {
                    "lt" => "<",
                    "gt" => ">",
                    "amp" => "&",
                    "quot" => "\"",
                    "apos" => "'",
                    other => panic!("unexpected entity {other}"),
                }),
                Event::End(_) => {
                    if !text.trim().is_empty() {
                        parsed.texts.push(std::mem::take(&mut text));
                    }
                    text.clear();
                }
                Event::Eof => break,
                _ => {}
            }
        }
        parsed
    }

    #[test]
    fn blocked_report() {
        insta::assert_snapshot!(render_junit(&fixtures::blocked()).unwrap());
    }

    #[test]
    fn ready_report() {
        insta::assert_snapshot!(render_junit(&fixtures::ready()).unwrap());
    }

    #[test]
    fn counts_read_back() {
        let report = fixtures::blocked();
        let xml = render_junit(&report).unwrap();
        let parsed = parse(&xml);
        assert_eq!(parsed.suites, 1);
        assert_eq!(parsed.cases.len(), report.checks.len());
        assert!(
            parsed
                .cases
                .iter()
                .all(|(classname, _)| classname == "shipgate")
        );
        // fail ×2 + missing: blocking; warn, error at `on_missing: warn` and waived: skipped.
        assert_eq!(parsed.failures, 3);
        assert_eq!(parsed.skipped, 3);
        assert!(xml.contains("<testsuites>\n"));
        assert!(
            xml.contains(
                r#"<testsuite name="shipgate" tests="8" failures="3" errors="0" time="0""#
            )
        );
        let names: Vec<&str> = parsed.cases.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(
            names[..3],
            [
                "regression.pass-rate",
                "critical-paths.passed",
                "uat.signoff"
            ]
        );
    }

    /// A CI that reads only the JUnit file must never see a blocked gate as green: every check
    /// that blocks, whatever its status, is a `<failure>`, and the suite's `failures` says how
    /// many (no `skipped` total is written that a consumer could subtract).
    #[test]
    fn every_blocking_check_is_a_failure_whatever_its_status() {
        use crate::fixtures::CheckBuilder;
        let checks = vec![
            CheckBuilder::fail("a.fail").build(),
            CheckBuilder::missing("b.missing").build(),
            CheckBuilder::error("c.error").build(),
            CheckBuilder::warn("d.warn").blocking(true).build(),
            CheckBuilder::waived("e.waived").blocking(true).build(),
            CheckBuilder::pass("f.pass").build(),
            CheckBuilder::warn("g.warn").build(),
        ];
        let report = fixtures::report(checks, vec![]);
        assert_eq!(report.decision, shipgate_model::Decision::Blocked);
        let xml = render_junit(&report).unwrap();
        let parsed = parse(&xml);
        assert_eq!(parsed.failures, 5, "{xml}");
        assert_eq!(parsed.skipped, 1, "{xml}");
        assert!(
            xml.contains(r#"tests="7" failures="5" errors="0" time="0""#),
            "{xml}"
        );
        assert!(!xml.contains("skipped=\""), "{xml}");
    }

    #[test]
    fn hostile_text_is_escaped_and_stays_well_formed() {
        let xml = render_junit(&fixtures::hostile()).unwrap();
        // Control characters illegal in XML 1.0 and terminal escapes never reach the file.
        for c in xml.chars() {
            assert!(
                matches!(c, '\t' | '\n' | '\r') || !c.is_control(),
                "illegal character {c:?} in the output"
            );
        }
        assert!(!xml.contains("]]>"), "`]]>` must be escaped in text");
        assert!(!xml.contains("<script>"));
        let parsed = parse(&xml);
        assert_eq!(parsed.cases.len(), 4);
        assert_eq!(parsed.failures, 1);
        assert_eq!(parsed.skipped, 2);
        // The text survives the round trip: quotes, ampersands and `]]>` decode back.
        let nasty_id = parsed.cases[0].1.clone();
        assert!(nasty_id.contains("\"q\" 'a' &"), "{nasty_id}");
        assert!(nasty_id.contains("]]>"), "{nasty_id}");
        assert!(nasty_id.contains("<script>alert(1)</script>"), "{nasty_id}");
        assert!(
            parsed
                .attributes
                .iter()
                .any(|a| a.starts_with("fail: a|b c <script>"))
        );
        let failure = &parsed.texts[0];
        assert!(
            failure.contains(
                "a|b\nc <script>alert(1)</script> ]]> \"q\" 'a' & red \u{FFFD}\u{FFFD}\u{FFFD} *x*"
            ),
            "{failure}"
        );
        insta::assert_snapshot!(xml);
    }
}
