//! The human format: what a release manager reads in a terminal or a CI log.
//!
//! A header with the decision, a table of the checks (blocking first) with what each measured
//! against its threshold and why, and under every check that did not pass what would make it
//! pass; then the totals, the waivers, the evidence and the exit code.

use super::details::{self, Body, Detail};
use super::summary::{self, Group, Tally};
use crate::RenderOptions;
use crate::ansi::{Paint, Tone};
use crate::measure;
use crate::text::{self, WIDTH, one_line, pad, printable, wrap};
use shipgate_model::{CheckResult, CheckStatus, Decision, Report};

/// Where a check's explanation starts: under the check id.
const INDENT: usize = 11;
/// The widest a check-id cell gets before the table stops aligning on it.
const MAX_ID: usize = 40;
/// The widest an observed or threshold cell gets; longer values are written under the check.
const MAX_VALUE: usize = 22;
/// Lists and groups of details shown per check (and per group); the JSON report has them all.
const MAX_BLOCKS: usize = 4;
/// List items shown per detail entry.
const MAX_ITEMS: usize = 5;
/// Inputs listed in the footer.
const MAX_INPUTS: usize = 5;
/// Width of the footer's labels.
const LABEL: usize = 10;

/// Renders the report for a terminal or a CI log. With `options.color` off the text holds no
/// escape byte, whatever the report contains.
pub fn render_human(report: &Report, options: &RenderOptions) -> String {
    let paint = Paint {
        enabled: options.color,
    };
    let mut out = Vec::new();
    header(report, paint, &mut out);
    out.push(String::new());
    checks(report, paint, &mut out);
    out.push(String::new());
    footer(report, paint, &mut out);
    let mut s = out.join("\n");
    s.push('\n');
    s
}

fn header(report: &Report, paint: Paint, out: &mut Vec<String>) {
    let (word, tone) = match report.decision {
        Decision::Ready => ("READY", Tone::Good),
        Decision::Blocked => ("BLOCKED", Tone::Bad),
    };
    let release = one_line(&summary::release_label(&report.release));
    let dry_run = if report.dry_run { "  (dry run)" } else { "" };
    out.push(format!(
        "{}  {}{dry_run}",
        paint.paint(tone, word),
        paint.paint(Tone::Strong, &release)
    ));
    out.extend(wrap(&Tally::of(report).sentence(), WIDTH));
}

struct Columns {
    id: usize,
    observed: usize,
}

/// The cells of one row, already printable.
struct Row<'a> {
    check: &'a CheckResult,
    id: String,
    observed: String,
    threshold: String,
}

fn checks(report: &Report, paint: Paint, out: &mut Vec<String>) {
    let rows: Vec<Row<'_>> = summary::ordered(report)
        .into_iter()
        .map(|check| {
            let (observed, threshold) = measure::observed_and_threshold(check);
            Row {
                check,
                id: one_line(&check.id),
                observed: one_line(&observed),
                threshold: one_line(&threshold),
            }
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    let fit = |w: usize| if w > MAX_VALUE { "see below".len() } else { w };
    let columns = Columns {
        id: rows
            .iter()
            .map(|r| text::width(&r.id))
            .max()
            .unwrap_or(0)
            .clamp(5, MAX_ID),
        observed: rows
            .iter()
            .map(|r| fit(text::width(&r.observed)))
            .max()
            .unwrap_or(0)
            .max("OBSERVED".len()),
    };
    out.push(
        paint.paint(
            Tone::Faint,
            format!(
                "  {}  {}  {}  {}",
                pad("STATUS", 7),
                pad("CHECK", columns.id),
                pad("OBSERVED", columns.observed),
                "THRESHOLD"
            )
            .trim_end(),
        ),
    );

    let explanations: Vec<Vec<String>> = rows.iter().map(|r| explanation(r, paint)).collect();
    let mut current: Option<Group> = None;
    for (i, row) in rows.iter().enumerate() {
        let group = Group::of(row.check);
        if current != Some(group) {
            let count = rows.iter().filter(|r| Group::of(r.check) == group).count();
            out.push(paint.paint(Tone::Strong, &format!("{} ({count})", group.title())));
            current = Some(group);
        }
        check_row(row, &columns, paint, out);
        // Checks side by side that did not pass for the same reason (every check of a source
        // that is missing) share one explanation, under the last of them: four copies of "no
        // JUnit report matched" buried the one thing to fix.
        let shared_with_next = group != Group::Passed
            && rows
                .get(i + 1)
                .is_some_and(|next| Group::of(next.check) == group)
            && explanations.get(i + 1) == explanations.get(i);
        if shared_with_next {
            continue;
        }
        out.extend(
            explanations[i]
                .iter()
                .map(|l| format!("{}{l}", " ".repeat(INDENT))),
        );
        // Problems carry several lines each; a blank line keeps them apart. Passes stay compact.
        if group != Group::Passed {
            out.push(String::new());
        }
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
}

fn status_tone(check: &CheckResult) -> Tone {
    match Group::of(check) {
        Group::Blocking => Tone::Bad,
        Group::Attention => Tone::Caution,
        Group::Waived => Tone::Waived,
        Group::Passed => Tone::Good,
    }
}

fn check_row(row: &Row<'_>, columns: &Columns, paint: Paint, out: &mut Vec<String>) {
    let status = row.check.status.as_str().to_uppercase();
    // Padded outside the colour so the escape codes wrap the word only.
    let status_cell = format!(
        "{}{}",
        paint.paint(status_tone(row.check), &status),
        " ".repeat(7usize.saturating_sub(status.len()))
    );
    let line = format!(
        "  {status_cell}  {}  {}  {}",
        pad(&row.id, columns.id),
        pad(cell(&row.observed), columns.observed),
        cell(&row.threshold),
    );
    out.push(line.trim_end().to_owned());
}

/// A value cell, or a pointer to the line under the check where a long value is written.
fn cell(value: &str) -> &str {
    if text::width(value) > MAX_VALUE {
        "see below"
    } else {
        value
    }
}

/// The lines under a check: message, values too wide for the table, remedy, waiver, details.
fn explanation(row: &Row<'_>, paint: Paint) -> Vec<String> {
    let check = row.check;
    let width = WIDTH - INDENT;
    let mut lines = wrap(&printable(&check.message), width);
    for (label, value) in [("observed", &row.observed), ("threshold", &row.threshold)] {
        if text::width(value) > MAX_VALUE {
            lines.extend(labelled(paint, label, value, width));
        }
    }
    if check.status == CheckStatus::Pass {
        return lines;
    }
    if let Some(remedy) = check.remedy.as_deref().filter(|r| !r.trim().is_empty()) {
        lines.extend(labelled(paint, "to pass", &printable(remedy), width));
    }
    if let Some(w) = &check.waiver {
        let text = format!(
            "{} ({})",
            printable(summary::waiver_reason(&w.reason)),
            one_line(&summary::waiver_terms(&w.approved_by, &w.expires))
        );
        lines.extend(labelled(paint, "waived", &text, width));
    }
    lines.extend(detail_lines(check, paint, width));
    lines
}

/// `label: text`, wrapped with the continuation lines under the text.
fn labelled(paint: Paint, label: &str, text: &str, width: usize) -> Vec<String> {
    let lead = label.len() + 2;
    let mut lines = wrap(text, width.saturating_sub(lead)).into_iter();
    let first = lines.next().unwrap_or_default();
    let mut out = vec![format!(
        "{} {first}",
        paint.paint(Tone::Strong, &format!("{label}:"))
    )];
    out.extend(lines.map(|l| format!("{}{l}", " ".repeat(lead))));
    out
}

fn detail_lines(check: &CheckResult, paint: Paint, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    entry_lines(&details::describe(&check.details), paint, width, &mut lines);
    lines
}

/// Scalars first, sharing lines; then lists and groups (the failing tests, one group per
/// critical path), a few of each. Empty lists are left out: the counts already say so.
fn entry_lines(entries: &[Detail], paint: Paint, width: usize, out: &mut Vec<String>) {
    let scalars: Vec<String> = entries
        .iter()
        .filter_map(|e| match &e.body {
            Body::Text(v) if !e.body.is_empty_list() => {
                Some(format!("{}: {}", one_line(&e.label), one_line(v)))
            }
            _ => None,
        })
        .collect();
    if !scalars.is_empty() {
        out.extend(wrap(&scalars.join(" · "), width));
    }
    let blocks: Vec<&Detail> = entries
        .iter()
        .filter(|e| !matches!(e.body, Body::Text(_)))
        .collect();
    for entry in blocks.iter().take(MAX_BLOCKS) {
        match &entry.body {
            Body::List { items, total } => {
                let head = format!("{} ({}):", one_line(&entry.label), count(*total));
                out.push(paint.paint(Tone::Strong, &head));
                for item in items.iter().take(MAX_ITEMS) {
                    let mut wrapped = wrap(&one_line(item), width.saturating_sub(4)).into_iter();
                    out.push(format!("  - {}", wrapped.next().unwrap_or_default()));
                    out.extend(wrapped.map(|l| format!("    {l}")));
                }
                let more = entry.body.more(MAX_ITEMS);
                if more > 0 {
                    out.push(format!("  … and {} more", count(more)));
                }
            }
            Body::Group(children) => {
                out.push(paint.paint(Tone::Strong, &format!("{}:", one_line(&entry.label))));
                let mut inner = Vec::new();
                entry_lines(children, paint, width.saturating_sub(2), &mut inner);
                out.extend(inner.into_iter().map(|l| format!("  {l}")));
            }
            Body::Text(_) => {}
        }
    }
    if blocks.len() > MAX_BLOCKS {
        out.push(paint.paint(
            Tone::Faint,
            &format!(
                "… and {} in the JSON report",
                summary::plural(
                    (blocks.len() - MAX_BLOCKS) as u64,
                    "more list",
                    "more lists"
                )
            ),
        ));
    }
}

fn count(n: u64) -> String {
    measure::grouped(n)
}

fn footer(report: &Report, paint: Paint, out: &mut Vec<String>) {
    let mut field = |label: &str, lines: Vec<String>| {
        for (i, line) in lines.into_iter().enumerate() {
            let lead = if i == 0 {
                paint.paint(Tone::Strong, &pad(label, LABEL))
            } else {
                " ".repeat(LABEL)
            };
            out.push(format!("{lead}{line}").trim_end().to_owned());
        }
    };
    if let Some(tests) = &report.stats.tests {
        field("Tests", wrap(&summary::test_totals(tests), WIDTH - LABEL));
    }
    if let Some(defects) = &report.stats.defects {
        field(
            "Defects",
            wrap(&summary::defect_totals(defects), WIDTH - LABEL),
        );
    }
    if !report.waivers.is_empty() {
        let mut lines = Vec::new();
        for w in &report.waivers {
            let text = format!(
                "{} — {}: {} ({})",
                one_line(&w.check),
                summary::waiver_state(w.state),
                one_line(summary::waiver_reason(&w.reason)),
                one_line(&summary::waiver_terms(&w.approved_by, &w.expires)),
            );
            let mut wrapped = wrap(&text, WIDTH - LABEL - 2).into_iter();
            lines.push(wrapped.next().unwrap_or_default());
            lines.extend(wrapped.map(|l| format!("  {l}")));
        }
        field("Waivers", lines);
    }
    if !report.inputs.is_empty() {
        let mut lines = vec![format!(
            "{} read:",
            summary::plural(report.inputs.len() as u64, "input", "inputs")
        )];
        for input in report.inputs.iter().take(MAX_INPUTS) {
            lines.push(format!(
                "  {} {} ({}, sha256 {})",
                one_line(&input.source),
                one_line(&input.path),
                summary::plural(input.bytes, "byte", "bytes"),
                one_line(summary::short_sha(&input.sha256)),
            ));
        }
        if report.inputs.len() > MAX_INPUTS {
            lines.push(format!("  … and {} more", report.inputs.len() - MAX_INPUTS));
        }
        field("Evidence", lines);
    }
    field(
        "Policy",
        wrap(
            &format!(
                "{} (sha256 {}), evaluated {} by {} {}",
                one_line(&report.policy.path),
                one_line(summary::short_sha(&report.policy.sha256)),
                summary::evaluated_at(report),
                one_line(&report.tool.name),
                one_line(&report.tool.version),
            ),
            WIDTH - LABEL,
        ),
    );
    let tone = if report.exit_code == 0 {
        Tone::Good
    } else {
        Tone::Bad
    };
    let mut exit = wrap(&summary::exit_sentence(report), WIDTH - LABEL);
    if let Some(first) = exit.first_mut()
        && let Some((code, rest)) = first.split_once(' ')
    {
        *first = format!("{} {rest}", paint.paint(tone, code));
    }
    field("Exit", exit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::{self, CheckBuilder};

    fn plain(report: &Report) -> String {
        render_human(report, &RenderOptions { color: false })
    }

    /// Checks that are missing for one reason share one explanation, and every one of them is
    /// still listed as blocking; a different reason keeps its own.
    #[test]
    fn checks_missing_for_one_reason_share_one_explanation() {
        let why = "no JUnit report matched `reports/**/*.xml` in `.`";
        let missing = |id: &str| {
            CheckBuilder::missing(id)
                .message(why)
                .remedy("run the tests first")
                .detail("source", serde_json::json!("tests"))
                .build()
        };
        let other = CheckBuilder::missing("uat.signoff")
            .message("no UAT sign-off at `release/uat.yaml`")
            .build();
        let report = fixtures::report(
            vec![
                missing("regression.pass-rate"),
                missing("regression.min-tests"),
                missing("flaky.rate"),
                other,
            ],
            vec![],
        );
        let text = plain(&report);
        assert_eq!(text.matches(why).count(), 1, "{text}");
        assert_eq!(text.matches("run the tests first").count(), 1, "{text}");
        for id in ["regression.pass-rate", "regression.min-tests", "flaky.rate"] {
            let row = text
                .lines()
                .find(|l| l.contains(id))
                .unwrap_or_else(|| panic!("{id} is listed: {text}"));
            assert!(row.trim_start().starts_with("MISSING"), "{row}");
        }
        assert!(text.contains("Blocking (4)"), "{text}");
        assert_eq!(text.matches("no UAT sign-off").count(), 1, "{text}");
    }

    #[test]
    fn blocked_report() {
        insta::assert_snapshot!(plain(&fixtures::blocked()));
    }

    #[test]
    fn ready_report() {
        insta::assert_snapshot!(plain(&fixtures::ready()));
    }

    /// The colour codes, made visible (`␛`) so the snapshot can be read.
    #[test]
    fn blocked_report_in_colour() {
        let coloured = render_human(&fixtures::blocked(), &RenderOptions { color: true });
        assert!(coloured.contains("\u{1b}[1;31mBLOCKED\u{1b}[0m"));
        assert!(coloured.contains("\u{1b}[1;33mWARN\u{1b}[0m"));
        assert!(coloured.contains("\u{1b}[1;32mPASS\u{1b}[0m"));
        // Colour adds codes and nothing else.
        assert_eq!(
            crate::text::printable(&coloured),
            plain(&fixtures::blocked())
        );
        insta::assert_snapshot!(coloured.replace('\u{1b}', "␛"));
    }

    #[test]
    fn blocking_checks_are_listed_first() {
        let mut report = fixtures::ready();
        report.checks = vec![
            CheckBuilder::pass("check.passed").build(),
            CheckBuilder::waived("check.waived").build(),
            CheckBuilder::warn("check.warned").build(),
            CheckBuilder::fail("check.failed").build(),
            CheckBuilder::missing("check.missing")
                .blocking(false)
                .build(),
            CheckBuilder::error("check.unreadable").build(),
        ];
        let out = plain(&report);
        let position = |id: &str| out.find(&format!("  {id}  ")).unwrap();
        let order = [
            "check.failed",
            "check.unreadable",
            "check.warned",
            "check.missing",
            "check.waived",
            "check.passed",
        ];
        for pair in order.windows(2) {
            assert!(position(pair[0]) < position(pair[1]), "{pair:?} in\n{out}");
        }
        assert!(out.find("Blocking (2)").unwrap() < out.find("Not blocking (2)").unwrap());
    }

    #[test]
    fn no_escape_byte_without_colour_whatever_the_input() {
        let out = plain(&fixtures::hostile());
        assert!(!out.contains('\u{1b}'), "{out}");
        assert!(!out.contains('\u{9b}'));
        assert!(
            out.chars().all(|c| c == '\n' || !c.is_control()),
            "a control character reached the terminal"
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn lines_fit_the_width() {
        for line in plain(&fixtures::blocked()).lines() {
            assert!(text::width(line) <= WIDTH, "too wide: {line}");
        }
    }

    #[test]
    fn waived_checks_show_the_waiver() {
        let out = plain(&fixtures::blocked());
        assert!(out.contains(
            "waived: PAY-812 ships in the 2.4.1 hotfix; risk accepted (approved by cto@acme.example,"
        ));
    }

    #[test]
    fn dry_run_says_what_the_process_exits_with() {
        let mut report = fixtures::blocked();
        report.dry_run = true;
        let out = plain(&report);
        assert!(out.starts_with("BLOCKED  payments-api 2.4.0 (commit 3f2a9c1)  (dry run)\n"));
        assert!(out.contains("Exit      0 (dry run; the evaluation's exit code is 1, blocked:"));
    }
}
