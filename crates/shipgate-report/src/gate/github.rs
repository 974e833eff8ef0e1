//! GitHub Actions: workflow-command annotations, the step summary and the step outputs.
//!
//! Everything here is text for the runner to read, and much of it comes from evidence (test
//! names, failure messages). The runner parses workflow commands on stdout and stderr, so every
//! annotation's data and properties are escaped as GitHub's toolkit does (`%`, CR, LF; and `:`
//! and `,` in properties): no test name can end an annotation early or start a command of its
//! own. GitHub shows at most 10 annotations of each type per step, so the 10th of a type
//! summarises the rest.
//!
//! Everything else shipgate prints in a job goes through [`neutralise_workflow_commands`]: the
//! runner takes a line whose start (after white space) is `::` as a command, and `##[` anywhere
//! in a line as one in its legacy syntax, so each such marker in the text is broken up in the
//! way its syntax allows without changing what a reader gets back: a look-alike character in
//! text for people, a `\u` escape in JSON, a character reference in XML.

use super::markdown;
use super::summary::{self, Group};
use crate::text::printable;
use shipgate_model::{CheckResult, Report};
use std::borrow::Cow;

/// GitHub refuses a step summary over 1 MiB.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;
/// GitHub shows at most this many annotations of one type per step.
pub const ANNOTATIONS_PER_TYPE: usize = 10;

/// The annotation commands for the report: an `error` for each blocking check, a `warning` for
/// each non-blocking problem, a `notice` for each waived check.
pub fn render_github_annotations(report: &Report) -> String {
    let mut out = String::new();
    for (kind, group) in [
        ("error", Group::Blocking),
        ("warning", Group::Attention),
        ("notice", Group::Waived),
    ] {
        let checks: Vec<&CheckResult> = summary::ordered(report)
            .into_iter()
            .filter(|c| Group::of(c) == group)
            .collect();
        let shown = if checks.len() > ANNOTATIONS_PER_TYPE {
            ANNOTATIONS_PER_TYPE - 1
        } else {
            checks.len()
        };
        for check in &checks[..shown] {
            let title = format!("shipgate: {} {}", check.id, check.status.as_str());
            let mut message = check.message.clone();
            if let Some(remedy) = check.remedy.as_deref().filter(|r| !r.trim().is_empty()) {
                message.push_str("\nTo pass: ");
                message.push_str(remedy);
            }
            out.push_str(&command(kind, &[("title", &title)], &message));
        }
        let rest = &checks[shown..];
        if !rest.is_empty() {
            let ids: Vec<&str> = rest.iter().map(|c| c.id.as_str()).collect();
            let message = format!(
                "{} more: {}. GitHub shows {ANNOTATIONS_PER_TYPE} annotations of a kind per step; the step summary and the report list them all.",
                rest.len(),
                ids.join(", ")
            );
            let title = format!("shipgate: {} more {kind}s", rest.len());
            out.push_str(&command(kind, &[("title", &title)], &message));
        }
    }
    out
}

/// One workflow command, escaped. `properties` are `key=value` pairs such as a title or a file.
pub fn command(kind: &str, properties: &[(&str, &str)], message: &str) -> String {
    let props: Vec<String> = properties
        .iter()
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    let props = if props.is_empty() {
        String::new()
    } else {
        format!(" {}", props.join(","))
    };
    format!("::{kind}{props}::{}\n", escape_data(message))
}

/// A step summary that fits in `max_bytes`: the full Markdown report when it fits; else the
/// checks table without the details; else as many table rows as fit, with a note saying where
/// the rest is.
pub fn render_step_summary(report: &Report, max_bytes: usize) -> String {
    let full = crate::render_markdown_with_charts(report);
    if full.len() <= max_bytes {
        return full;
    }
    let note = "\n> The full report did not fit in GitHub's step summary limit; every check and its details are in `report.json` (write it with `--report-dir`).\n";
    let compact = markdown::render_markdown_compact(report, usize::MAX);
    if compact.len() + note.len() <= max_bytes {
        return compact + note;
    }
    let budget = max_bytes.saturating_sub(note.len());
    let mut cut = markdown::render_markdown_compact(report, budget);
    if cut.len() > budget {
        // Even the heading does not fit: keep what does, on a character boundary.
        let mut end = budget;
        while end > 0 && !cut.is_char_boundary(end) {
            end -= 1;
        }
        cut.truncate(end);
    }
    cut + note
}

/// The step outputs (`decision`, `exit-code`, `blocking`, `report`) in `$GITHUB_OUTPUT`'s
/// multi-line-safe form.
pub fn render_step_outputs(report: &Report, report_path: Option<&str>) -> String {
    let blocking = report.blocking().count().to_string();
    let exit_code = report.exit_code.to_string();
    let decision = match report.decision {
        shipgate_model::Decision::Ready => "ready",
        shipgate_model::Decision::Blocked => "blocked",
    };
    render_outputs(&[
        ("decision", decision),
        ("exit-code", &exit_code),
        ("blocking", &blocking),
        ("report", report_path.unwrap_or("")),
    ])
}

/// `name<<DELIMITER` / value / `DELIMITER` for each output, with a delimiter that occurs in no
/// value.
pub fn render_outputs(outputs: &[(&str, &str)]) -> String {
    let mut delimiter = String::from("SHIPGATE_EOF");
    while outputs.iter().any(|(_, v)| v.contains(&delimiter)) {
        delimiter.push('_');
    }
    let mut out = String::new();
    for (name, value) in outputs {
        let value = printable(value).replace('\n', " ");
        out.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    out
}

/// Data of a workflow command: `%`, CR and LF escaped, unprintable characters removed.
fn escape_data(text: &str) -> String {
    printable(text)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value: as data, plus `:` and `,`, which would end the property.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The syntax of a text printed in a GitHub Actions job, which decides how a workflow-command
/// marker in it is broken up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogSyntax {
    /// Text for people (the human and Markdown reports, messages on stderr): the first `:` of a
    /// line-leading `::` becomes `∶` (U+2236 RATIO) and the first `#` of `##[` becomes `♯`
    /// (U+266F MUSIC SHARP SIGN), which read the same.
    Text,
    /// JSON: `\u003a` and `\u0023`, which a JSON reader turns back into `:` and `#`. A marker
    /// can only be inside a string there (JSON has no other place for `#`, and no line of it
    /// starts with `:`), where an escape is allowed.
    Json,
    /// XML: `&#58;` and `&#35;`, which an XML reader turns back into `:` and `#`. A marker can
    /// only be in text or an attribute value there, where a reference is allowed.
    Xml,
}

impl LogSyntax {
    fn escape(self, c: char) -> &'static str {
        match (self, c) {
            (LogSyntax::Text, ':') => "\u{2236}",
            (LogSyntax::Text, _) => "\u{266F}",
            (LogSyntax::Json, ':') => "\\u003a",
            (LogSyntax::Json, _) => "\\u0023",
            (LogSyntax::Xml, ':') => "&#58;",
            (LogSyntax::Xml, _) => "&#35;",
        }
    }
}

/// The text with no line the runner would read as a workflow command: a `::` at a line's start
/// (after white space) and a `##[` anywhere have their first character escaped for `syntax`.
/// Lines end where the runner ends them (`\n`, `\r`) and, to be safe, at Unicode line
/// separators too; characters that some comparisons skip (zero-width and format characters)
/// are skipped here as well, so `:\u{200B}:` counts as a marker. Text without a marker is
/// returned as it is.
pub fn neutralise_workflow_commands(text: &str, syntax: LogSyntax) -> Cow<'_, str> {
    let mut marks: Vec<usize> = Vec::new();
    let mut line_start = true;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if is_line_break(c) {
            line_start = true;
            i += 1;
            continue;
        }
        if line_start {
            if c.is_whitespace() || is_invisible(c) {
                i += 1;
                continue;
            }
            line_start = false;
            if c == ':' && next_visible(&chars, i + 1).is_some_and(|(_, n)| n == ':') {
                marks.push(at);
                i += 1;
                continue;
            }
        }
        if c == '#'
            && let Some((j, '#')) = next_visible(&chars, i + 1)
            && let Some((_, '[')) = next_visible(&chars, j + 1)
        {
            marks.push(at);
        }
        i += 1;
    }
    if marks.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + marks.len() * 8);
    let mut copied = 0;
    for at in marks {
        out.push_str(&text[copied..at]);
        let c = text[at..].chars().next().unwrap_or('#');
        out.push_str(syntax.escape(c));
        copied = at + c.len_utf8();
    }
    out.push_str(&text[copied..]);
    Cow::Owned(out)
}

/// The next character from index `from` on that is not skipped as invisible, with its index.
fn next_visible(chars: &[(usize, char)], from: usize) -> Option<(usize, char)> {
    (from..chars.len())
        .map(|j| (j, chars[j].1))
        .find(|(_, c)| is_line_break(*c) || !is_invisible(*c))
        .filter(|(_, c)| !is_line_break(*c))
}

fn is_line_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Characters a reader does not see and a culture-aware comparison may skip: controls, and
/// Unicode's default-ignorable code points.
fn is_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}'
            | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
            | '\u{FFA0}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn a_hostile_test_name_cannot_forge_a_command() {
        let mut report = fixtures::blocked();
        report.checks[0].message =
            "test `a%0A::error::pwned` failed\n::warning::also pwned\r\n##[error]legacy".to_owned();
        let text = render_github_annotations(&report);
        let expected = report
            .checks
            .iter()
            .filter(|c| Group::of(c) != Group::Passed)
            .count();
        assert_eq!(
            text.lines().count(),
            expected,
            "one line per annotation:\n{text}"
        );
        for line in text.lines() {
            let kind = ["::error ", "::warning ", "::notice "];
            assert!(kind.iter().any(|k| line.starts_with(k)), "{line}");
            // The properties end at the first `::`; the hostile text is all in the data.
            let (_, data) = line[2..].split_once("::").unwrap();
            assert!(!data.contains('\n') && !data.contains('\r'));
        }
        let first = text.lines().next().unwrap();
        assert!(first.contains("a%250A::error::pwned"), "{first}");
        assert!(first.contains("%0A::warning::also pwned"), "{first}");
        assert!(!text.contains('\r'));
    }

    /// What the runner acts on: a line whose start after white space is `::`, or that holds
    /// `##[`, as `ActionCommand.TryParseV2` and `TryParse` read them (ordinal comparison, lines
    /// split at `\n` and `\r`).
    fn runner_would_run(text: &str) -> Vec<String> {
        text.split(['\n', '\r'])
            .filter(|l| l.trim_start().starts_with("::") || l.contains("##["))
            .map(str::to_owned)
            .collect()
    }

    const HOSTILE: &str = "::set-output name=decision::ready\n  \t::stop-commands::x\nok ##[set-output name=decision;]ready\r::error::cr\n#\u{200B}#[x]\n:\u{200B}:warning::zw\n###[a] ##[b]\nplain: a::b #[c] ## [d]";

    #[test]
    fn text_markers_become_look_alikes() {
        let out = neutralise_workflow_commands(HOSTILE, LogSyntax::Text);
        assert!(runner_would_run(&out).is_empty(), "{out}");
        assert!(
            out.starts_with("\u{2236}:set-output name=decision::ready\n"),
            "{out}"
        );
        assert!(out.contains("  \t\u{2236}:stop-commands::x"), "{out}");
        assert!(out.contains("ok \u{266F}#[set-output"), "{out}");
        assert!(out.contains("\r\u{2236}:error::cr"), "{out}");
        assert!(
            out.contains("\u{2236}\u{200B}:warning"),
            "a skipped character does not hide a marker"
        );
        assert!(out.contains("#\u{266F}#[a] \u{266F}#[b]"), "{out}");
        // Only markers change; everything else is as it was.
        assert!(out.ends_with("\nplain: a::b #[c] ## [d]"), "{out}");
        assert!(matches!(
            neutralise_workflow_commands("a::b #[c]\n x ::y ## [d]", LogSyntax::Text),
            Cow::Borrowed(_)
        ));
        // Indentation does not hide a marker from the runner, so not from this either.
        assert_eq!(
            neutralise_workflow_commands("a\n \u{A0}\u{3000}::x", LogSyntax::Text),
            "a\n \u{A0}\u{3000}\u{2236}:x"
        );
    }

    #[test]
    fn json_reads_back_the_same_text() {
        let value = serde_json::json!({
            "name": HOSTILE,
            "##[key]": ["::a", "x##[y]", "\u{2028}::set-output name=a::b"],
        });
        for text in [
            serde_json::to_string(&value).unwrap(),
            serde_json::to_string_pretty(&value).unwrap(),
        ] {
            let out = neutralise_workflow_commands(&text, LogSyntax::Json);
            assert!(runner_would_run(&out).is_empty(), "{out}");
            assert!(out.contains("\\u0023#[set-output"), "{out}");
            let back: serde_json::Value = shipgate_json::parse_value(out.as_bytes()).unwrap();
            assert_eq!(back, value);
        }
    }

    #[test]
    fn xml_reads_back_the_same_text() {
        let text = format!(
            "<testcase name=\"{}\">\n::error::in text ##[x]\n</testcase>",
            "a\n::set-output name=x::y ##[z]"
        );
        let out = neutralise_workflow_commands(&text, LogSyntax::Xml);
        assert!(runner_would_run(&out).is_empty(), "{out}");
        let read = |xml: &str| {
            let mut reader = quick_xml::Reader::from_str(xml);
            let mut seen = String::new();
            loop {
                match reader.read_event().unwrap() {
                    quick_xml::events::Event::Start(e) => {
                        let a = e.try_get_attribute("name").unwrap().unwrap();
                        seen.push_str(
                            &a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .unwrap(),
                        );
                    }
                    quick_xml::events::Event::Text(t) => seen.push_str(&t.xml10_content()),
                    quick_xml::events::Event::GeneralRef(r) => {
                        seen.push(r.resolve_char_ref().unwrap().unwrap());
                    }
                    quick_xml::events::Event::Eof => break,
                    _ => {}
                }
            }
            seen
        };
        assert_eq!(read(&out), read(&text));
        assert!(read(&out).contains("\n::error::in text ##[x]"));
    }

    #[test]
    fn properties_escape_colons_and_commas() {
        let line = command("error", &[("title", "a:b,c%")], "x");
        assert_eq!(line, "::error title=a%3Ab%2Cc%25::x\n");
    }

    #[test]
    fn at_most_ten_annotations_of_a_kind_and_the_tenth_summarises() {
        let mut report = fixtures::blocked();
        let template = report.checks.iter().find(|c| c.blocking).unwrap().clone();
        report.checks.retain(|c| !c.blocking);
        for i in 0..25 {
            let mut c = template.clone();
            c.id = format!("performance.metric{i}.p95");
            report.checks.push(c);
        }
        let text = render_github_annotations(&report);
        let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("::error")).collect();
        assert_eq!(errors.len(), ANNOTATIONS_PER_TYPE);
        assert!(errors[9].contains("16 more"), "{}", errors[9]);
        assert!(errors[9].contains("performance.metric24.p95"));
    }

    #[test]
    fn the_step_summary_stays_under_the_limit_on_a_huge_report() {
        let mut report = fixtures::blocked();
        let template = report.checks[0].clone();
        for i in 0..20_000 {
            let mut c = template.clone();
            c.id = format!("performance.metric{i}.p95");
            c.message = "x".repeat(200);
            report.checks.push(c);
        }
        let full = markdown::render_markdown(&report);
        assert!(full.len() > STEP_SUMMARY_LIMIT);
        let summary = render_step_summary(&report, STEP_SUMMARY_LIMIT);
        assert!(summary.len() <= STEP_SUMMARY_LIMIT, "{}", summary.len());
        assert!(summary.contains("did not fit"));
        assert!(summary.starts_with("## ⛔ Blocked"));
        // A tiny budget still gives a bounded, valid-UTF-8 summary.
        let tiny = render_step_summary(&report, 300);
        assert!(tiny.len() <= 300 + 200);
    }

    #[test]
    fn a_small_report_gets_the_full_summary() {
        let report = fixtures::blocked();
        assert_eq!(
            render_step_summary(&report, STEP_SUMMARY_LIMIT),
            markdown::render_markdown(&report)
        );
    }

    #[test]
    fn outputs_use_a_delimiter_no_value_contains() {
        let text = render_outputs(&[("report", "a\nSHIPGATE_EOF\nb"), ("decision", "ready")]);
        assert!(text.starts_with("report<<SHIPGATE_EOF_\n"), "{text}");
        assert_eq!(text.lines().count(), 6);
        let report = fixtures::blocked();
        let outputs = render_step_outputs(&report, Some("out/report.json"));
        assert!(outputs.contains("decision<<SHIPGATE_EOF\nblocked\n"));
        assert!(outputs.contains("exit-code<<SHIPGATE_EOF\n1\n"));
        assert!(outputs.contains("report<<SHIPGATE_EOF\nout/report.json\n"));
    }
}
