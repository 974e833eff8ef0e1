//! The Markdown format: a GitHub PR comment, a GitHub step summary (`$GITHUB_STEP_SUMMARY`) or a
//! GitLab MR note.
//!
//! Only the GitHub-flavoured subset GitLab also renders is used: headings, pipe tables,
//! `<details>`/`<summary>`, `<br>`, `<code>`. Every text from the report goes through
//! [`inline`] (or [`html`] inside raw HTML), so no test name or message can end a table row, open
//! an HTML tag, start a list or a heading, or render as a link, emphasis or maths.

use super::details::{self, Body, Detail};
use super::summary::{self, Group, Tally};
use crate::measure;
use crate::text::{one_line, printable};
use shipgate_model::{CheckResult, CheckStatus, Decision, Report};
use std::fmt::Write;

/// List items shown per detail entry; the JSON report has them all.
const MAX_ITEMS: usize = 20;
/// Inputs listed; a monorepo can have thousands.
const MAX_INPUTS: usize = 50;

/// Renders the report as Markdown. The output is valid Markdown whatever text the report holds.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    heading(report, &mut out);
    checks_table(report, &mut out);
    problems(report, &mut out);
    tests(report, &mut out);
    waivers(report, &mut out);
    evidence(report, &mut out);
    footer(report, &mut out);
    out
}

/// The heading, the checks table and the exit line, without details: for a step summary that
/// must stay under a size limit. Rows that would take it over `max_bytes` are left out and
/// counted in a last line.
pub(crate) fn render_markdown_compact(report: &Report, max_bytes: usize) -> String {
    let mut out = String::new();
    heading(report, &mut out);
    let mut footer_text = String::new();
    footer(report, &mut footer_text);
    let checks = summary::ordered(report);
    if !checks.is_empty() {
        out.push_str("| Status | Check | Observed | Threshold | Result |\n");
        out.push_str("| --- | --- | --- | --- | --- |\n");
        // Room for the footer and a "… and N more" line.
        let reserve = footer_text.len() + 120;
        let mut shown = 0;
        for check in &checks {
            let row = table_row(check);
            if out.len() + row.len() + reserve > max_bytes {
                break;
            }
            out.push_str(&row);
            shown += 1;
        }
        if shown < checks.len() {
            let _ = writeln!(
                out,
                "| … | {} more checks | | | see `report.json` |",
                checks.len() - shown
            );
        }
        out.push('\n');
    }
    out.push_str(&footer_text);
    out
}

fn heading(report: &Report, out: &mut String) {
    let decision = match report.decision {
        Decision::Ready => "✅ Ready",
        Decision::Blocked => "⛔ Blocked",
    };
    let dry_run = if report.dry_run { " (dry run)" } else { "" };
    let _ = writeln!(
        out,
        "## {decision}: {}{dry_run}\n",
        inline(&summary::release_label(&report.release))
    );
    let _ = writeln!(out, "{}\n", inline(&Tally::of(report).sentence()));
}

fn mark(check: &CheckResult) -> &'static str {
    match Group::of(check) {
        Group::Blocking => "⛔",
        Group::Attention => "⚠️",
        Group::Waived => "☑️",
        Group::Passed => "✅",
    }
}

fn status_cell(check: &CheckResult) -> String {
    format!("{} {}", mark(check), check.status.as_str())
}

fn checks_table(report: &Report, out: &mut String) {
    let checks = summary::ordered(report);
    if checks.is_empty() {
        return;
    }
    out.push_str("| Status | Check | Observed | Threshold | Result |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for check in checks {
        out.push_str(&table_row(check));
    }
    out.push('\n');
}

fn table_row(check: &CheckResult) -> String {
    let (observed, threshold) = measure::observed_and_threshold(check);
    format!(
        "| {} | {} | {} | {} | {} |\n",
        status_cell(check),
        code(&check.id),
        inline(&observed),
        inline(&threshold),
        inline(&check.message),
    )
}

/// A `<details>` block for every check that did not pass; blocking ones open.
fn problems(report: &Report, out: &mut String) {
    let problems: Vec<&CheckResult> = summary::ordered(report)
        .into_iter()
        .filter(|c| c.status != CheckStatus::Pass || c.blocking)
        .collect();
    if problems.is_empty() {
        return;
    }
    out.push_str("### Details\n\n");
    for check in problems {
        let open = if check.blocking { " open" } else { "" };
        let mark = mark(check);
        let effect = match Group::of(check) {
            Group::Blocking => "blocks the release",
            Group::Attention => "does not block",
            Group::Waived => "risk accepted by a waiver",
            Group::Passed => "passes",
        };
        let _ = writeln!(
            out,
            "<details{open}><summary>{mark} <code>{}</code>: {}, {effect}</summary>\n",
            html(&check.id),
            check.status.as_str(),
        );
        let _ = writeln!(out, "{}\n", paragraph(&check.message));
        let (observed, threshold) = measure::observed_and_threshold(check);
        if observed != measure::NONE || threshold != measure::NONE {
            let _ = writeln!(
                out,
                "**Observed:** {} · **threshold:** {}\n",
                inline(&observed),
                inline(&threshold)
            );
        }
        if let Some(remedy) = check.remedy.as_deref().filter(|r| !r.trim().is_empty()) {
            let _ = writeln!(out, "**To pass:** {}\n", inline(remedy));
        }
        if let Some(w) = &check.waiver {
            let _ = writeln!(
                out,
                "**Waived:** {} ({})\n",
                inline(summary::waiver_reason(&w.reason)),
                inline(&summary::waiver_terms(&w.approved_by, &w.expires)),
            );
        }
        detail_list(check, out);
        out.push_str("</details>\n\n");
    }
}

fn detail_list(check: &CheckResult, out: &mut String) {
    let entries = details::describe(&check.details);
    if entries.is_empty() {
        return;
    }
    entry_list(&entries, 0, out);
    out.push('\n');
}

/// The scalars on one bullet, then one bullet per list or group, with their items nested.
fn entry_list(entries: &[Detail], depth: usize, out: &mut String) {
    let indent = "  ".repeat(depth);
    let scalars: Vec<String> = entries
        .iter()
        .filter_map(|e| match &e.body {
            Body::Text(value) => Some(format!("**{}:** {}", inline(&e.label), inline(value))),
            _ => None,
        })
        .collect();
    if !scalars.is_empty() {
        let _ = writeln!(out, "{indent}- {}", scalars.join(" · "));
    }
    for entry in entries {
        match &entry.body {
            Body::Text(_) => {}
            Body::List { items, total } => {
                let _ = writeln!(
                    out,
                    "{indent}- **{}** ({}):",
                    inline(&entry.label),
                    count(*total)
                );
                for item in items.iter().take(MAX_ITEMS) {
                    let _ = writeln!(out, "{indent}  - {}", inline(item));
                }
                let more = entry.body.more(MAX_ITEMS);
                if more > 0 {
                    let _ = writeln!(out, "{indent}  - … and {} more", count(more));
                }
            }
            Body::Group(children) => {
                let _ = writeln!(out, "{indent}- **{}:**", inline(&entry.label));
                entry_list(children, depth + 1, out);
            }
        }
    }
}

fn count(n: u64) -> String {
    measure::grouped(n)
}

fn tests(report: &Report, out: &mut String) {
    let Some(tests) = &report.stats.tests else {
        return;
    };
    let _ = writeln!(out, "**Tests:** {}\n", inline(&summary::test_totals(tests)));
}

fn waivers(report: &Report, out: &mut String) {
    if report.waivers.is_empty() {
        return;
    }
    out.push_str("### Waivers\n\n");
    out.push_str("| Check | State | Reason | Approved by | Expires |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for w in &report.waivers {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            code(&w.check),
            summary::waiver_state(w.state),
            inline(summary::waiver_reason(&w.reason)),
            inline(&w.approved_by),
            inline(&w.expires),
        );
    }
    out.push('\n');
}

fn evidence(report: &Report, out: &mut String) {
    let _ = writeln!(
        out,
        "<details><summary>Evidence: {}</summary>\n",
        summary::plural(report.inputs.len() as u64, "input", "inputs")
    );
    let _ = writeln!(
        out,
        "Policy {} (sha256 {}), evaluated {} by {} {}.\n",
        code(&report.policy.path),
        code(summary::short_sha(&report.policy.sha256)),
        summary::evaluated_at(report),
        inline(&report.tool.name),
        inline(&report.tool.version),
    );
    if !report.inputs.is_empty() {
        out.push_str("| Source | Path | SHA-256 | Bytes |\n");
        out.push_str("| --- | --- | --- | ---: |\n");
        for input in report.inputs.iter().take(MAX_INPUTS) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                inline(&input.source),
                code(&input.path),
                code(summary::short_sha(&input.sha256)),
                measure::grouped(input.bytes),
            );
        }
        if report.inputs.len() > MAX_INPUTS {
            let _ = writeln!(
                out,
                "\n… and {} more; the JSON report lists every input with its full hash.",
                report.inputs.len() - MAX_INPUTS
            );
        }
        out.push('\n');
    }
    out.push_str("</details>\n\n");
}

fn footer(report: &Report, out: &mut String) {
    let _ = writeln!(
        out,
        "**Exit code {}**",
        inline(&summary::exit_sentence(report))
    );
}

/// Text made safe inside a paragraph, a list item or a table cell: control characters and escape
/// sequences removed, Markdown punctuation backslash-escaped, `<`, `>` and `&` as entities, and
/// line breaks as `<br>` so that a multi-line message stays in its cell or item.
///
/// Messages quote file names and commands in backticks; a balanced pair becomes `<code>`, whose
/// content is escaped like the rest (a Markdown code span could not be: it shows entities and
/// backslashes literally, and a `|` inside one still ends a table cell).
pub(crate) fn inline(text: &str) -> String {
    let text = printable(text);
    let text = text.trim();
    let spans: Vec<&str> = text.split('`').collect();
    let balanced = spans.len() > 1 && spans.len() % 2 == 1;
    let mut out = String::with_capacity(text.len() + 8);
    for (i, span) in spans.iter().enumerate() {
        let is_code = balanced && i % 2 == 1;
        if is_code && span.is_empty() {
            out.push_str("\\`\\`");
        } else if is_code {
            out.push_str("<code>");
            escape_into(span, &mut out);
            out.push_str("</code>");
        } else {
            if !balanced && i > 0 {
                out.push_str("\\`");
            }
            escape_into(span, &mut out);
        }
    }
    out
}

fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\n' => out.push_str("<br>"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // `@name` in a PR comment notifies that person or team: evidence text must not.
            '@' => out.push_str("&#64;"),
            // Emphasis, code, links, strike-through, GitHub maths, table cells, escapes.
            '\\' | '`' | '*' | '_' | '[' | ']' | '~' | '$' | '|' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// [`inline`] text that starts a paragraph: also escapes what would turn the line into a heading,
/// a list, a block quote or a thematic break.
fn paragraph(text: &str) -> String {
    let escaped = inline(text);
    let first = escaped.chars().next();
    match first {
        Some('#' | '-' | '+' | '=') => format!("\\{escaped}"),
        Some(c) if c.is_ascii_digit() => {
            // `1.` or `1)` opens an ordered list.
            let digits = escaped.chars().take_while(char::is_ascii_digit).count();
            let mut after = escaped[digits..].chars();
            let marker = after.next();
            let then = after.next();
            match marker {
                Some(marker @ ('.' | ')')) if then.is_none_or(char::is_whitespace) => {
                    format!("{}\\{marker}{}", &escaped[..digits], &escaped[digits + 1..])
                }
                _ => escaped,
            }
        }
        _ => escaped,
    }
}

/// Text inside raw HTML (`<summary>`): entities only, on one line.
fn html(text: &str) -> String {
    let mut out = String::new();
    for c in one_line(text).chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An identifier as a code span when it can be one safely (no backtick, pipe, `<`/`>`/`&` or line
/// break), otherwise as escaped text.
fn code(text: &str) -> String {
    let line = one_line(text);
    let safe = !line.is_empty() && line == text && !line.contains(['`', '|', '\\', '<', '>', '&']);
    if safe {
        format!("`{line}`")
    } else {
        inline(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures;

    #[test]
    fn blocked_report() {
        insta::assert_snapshot!(render_markdown(&fixtures::blocked()));
    }

    #[test]
    fn ready_report() {
        insta::assert_snapshot!(render_markdown(&fixtures::ready()));
    }

    #[test]
    fn inline_text_cannot_break_out() {
        assert_eq!(inline("a|b"), "a\\|b");
        assert_eq!(inline("one\ntwo\r\nthree"), "one<br>two<br>three");
        assert_eq!(
            inline("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            inline("*a* _b_ [d](e) ~f~ $g$ \\"),
            "\\*a\\* \\_b\\_ \\[d\\](e) \\~f\\~ \\$g\\$ \\\\"
        );
        assert_eq!(inline("&amp;"), "&amp;amp;");
        assert_eq!(inline("\u{1b}[31mred\u{1b}[0m"), "red");
    }

    #[test]
    fn backtick_pairs_become_code_and_stray_ones_are_escaped() {
        assert_eq!(
            inline("see `a|b <c>` and `d_e`"),
            "see <code>a\\|b &lt;c&gt;</code> and <code>d\\_e</code>"
        );
        assert_eq!(inline("one ` stray"), "one \\` stray");
        assert_eq!(inline("a `b` c ` d"), "a \\`b\\` c \\` d");
        assert_eq!(inline("empty `` pair"), "empty \\`\\` pair");
    }

    #[test]
    fn paragraphs_do_not_turn_into_blocks() {
        assert_eq!(paragraph("# not a heading"), "\\# not a heading");
        assert_eq!(paragraph("- not a list"), "\\- not a list");
        assert_eq!(paragraph("12. not a list"), "12\\. not a list");
        assert_eq!(paragraph("12 tests"), "12 tests");
        assert_eq!(paragraph("95.65% passed"), "95.65% passed");
        assert_eq!(paragraph("3) not a list"), "3\\) not a list");
        assert_eq!(paragraph("    not code"), "not code");
    }

    #[test]
    fn code_spans_only_when_safe() {
        assert_eq!(code("regression.pass-rate"), "`regression.pass-rate`");
        assert_eq!(code("a`b"), "a\\`b");
        assert_eq!(code("a|b"), "a\\|b");
        assert_eq!(
            html("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
    }

    /// Every row of every table has as many unescaped pipes as the header, and no raw `<` from
    /// the input survives anywhere.
    #[test]
    fn hostile_text_keeps_the_document_valid() {
        let md = render_markdown(&fixtures::hostile());
        assert!(!md.contains("<script>"), "{md}");
        assert!(!md.contains('\u{1b}'));
        assert!(!md.contains('\u{0}'));
        let mut in_table = None;
        for line in md.lines() {
            if line.starts_with('|') {
                let cells = unescaped_pipes(line);
                let expected = *in_table.get_or_insert(cells);
                assert_eq!(cells, expected, "row breaks its table: {line}");
            } else {
                in_table = None;
            }
        }
        // Every `<details>` is closed, and each summary is on one line.
        assert_eq!(
            md.matches("<details").count(),
            md.matches("</details>").count()
        );
        for line in md.lines().filter(|l| l.starts_with("<details")) {
            assert!(line.ends_with("</summary>"), "{line}");
        }
        insta::assert_snapshot!(md);
    }

    fn unescaped_pipes(line: &str) -> usize {
        let mut count = 0;
        let mut escaped = false;
        for c in line.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => count += 1,
                _ => escaped = false,
            }
        }
        count
    }
}
