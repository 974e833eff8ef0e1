//! GitHub Actions: workflow-command annotations, the step summary and the step outputs.
//!
//! Everything here is text for the runner to read, and much of it comes from evidence (test
//! names, failure messages). The runner parses workflow commands on stdout and stderr, so every
//! annotation's data and properties are escaped as GitHub's toolkit does (`%`, CR, LF; and `:`
//! and `,` in properties): no test name can end an annotation early or start a command of its
//! own. GitHub shows at most 10 annotations of each type per step, so the 10th of a type
//! summarises the rest.

use crate::markdown;
use crate::summary::{self, Group};
use crate::text::printable;
use shipgate_model::{CheckResult, Report};

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
    let full = markdown::render_markdown(report);
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
