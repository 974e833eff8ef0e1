//! Plain-text hygiene shared by every renderer: removing what must never reach a terminal or a
//! document (escape sequences, control characters), cutting and wrapping.
//!
//! Test names and failure messages come from test runners and are often full of ANSI colour
//! codes; a report must neither replay them on the reader's terminal nor carry bytes that are
//! illegal in XML 1.0.

/// The width long text is wrapped to in terminal output.
pub(crate) const WIDTH: usize = 100;

/// The character put where an unprintable one was.
const REPLACEMENT: char = '\u{FFFD}';

/// Removes ANSI escape sequences and replaces every other control character (C0, DEL, C1, and
/// the non-characters U+FFFE/U+FFFF that XML forbids) with U+FFFD. Newlines and tabs are kept;
/// `\r\n` and lone `\r` become `\n`.
pub(crate) fn printable(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\t' => out.push(c),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push('\n');
                }
            }
            '\u{1b}' => skip_escape_sequence(&mut chars),
            c if is_unprintable(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// [`printable`] on one line: newlines and tabs become single spaces, runs of white space are
/// collapsed and the ends trimmed.
pub(crate) fn one_line(input: &str) -> String {
    printable(input)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_unprintable(c: char) -> bool {
    c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// Consumes the rest of an escape sequence whose ESC was just read: CSI (`ESC [ ... final`),
/// OSC (`ESC ] ... BEL` or `ESC ] ... ESC \`), or a two-character `ESC X`.
fn skip_escape_sequence(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            // Parameter and intermediate bytes, then one final byte in `@`..=`~`.
            for c in chars.by_ref() {
                if ('@'..='~').contains(&c) {
                    break;
                }
                if !(' '..='?').contains(&c) {
                    break;
                }
            }
        }
        Some(']') => {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '\u{7}' {
                    break;
                }
                if c == '\u{1b}' {
                    if chars.peek() == Some(&'\\') {
                        chars.next();
                    }
                    break;
                }
            }
        }
        Some(c) if ('@'..='_').contains(c) => {
            chars.next();
        }
        _ => {}
    }
}

/// The first line of a text, cut to `max` characters.
pub(crate) fn first_line(input: &str, max: usize) -> String {
    let line = input.lines().map(str::trim).find(|l| !l.is_empty());
    let line = line.unwrap_or("");
    let cut = truncate(line, max);
    let more_lines = input.trim().lines().count() > 1;
    if more_lines && !cut.ends_with('…') {
        format!("{cut} …")
    } else {
        cut
    }
}

/// Cuts `input` to at most `max` characters, ending in `…` when it was cut.
pub(crate) fn truncate(input: &str, max: usize) -> String {
    if input.chars().count() <= max {
        return input.to_owned();
    }
    let mut out: String = input.chars().take(max.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// Display width of a string, counted in characters. Good enough for the Latin text of reports;
/// wide characters only cost alignment, never content.
pub(crate) fn width(s: &str) -> usize {
    s.chars().count()
}

/// Pads `s` with spaces to `w` characters.
pub(crate) fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_owned();
    out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(s))));
    out
}

/// Right-aligns `s` in `w` characters.
pub(crate) fn pad_left(s: &str, w: usize) -> String {
    let mut out: String = std::iter::repeat_n(' ', w.saturating_sub(width(s))).collect();
    out.push_str(s);
    out
}

/// Greedy word wrap to `max` characters per line. Explicit newlines start a new line; a word
/// longer than a line (a long test name, a URL) is kept whole on its own line rather than broken,
/// so it can still be searched for and copied.
pub(crate) fn wrap(input: &str, max: usize) -> Vec<String> {
    let max = max.max(20);
    let mut lines = Vec::new();
    for paragraph in input.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if line.is_empty() {
                line.push_str(word);
            } else if width(&line) + 1 + width(word) <= max {
                line.push(' ');
                line.push_str(word);
            } else {
                lines.push(std::mem::take(&mut line));
                line.push_str(word);
            }
        }
        lines.push(line);
    }
    // Blank lines from leading, trailing or repeated newlines carry nothing in a report.
    lines.retain(|l| !l.is_empty());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_sequences_are_removed_and_controls_replaced() {
        let s = "\u{1b}[31mred\u{1b}[0m \u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{1b}\\ a\u{0}b\u{7f}c\u{9b}d";
        assert_eq!(printable(s), "red link a\u{FFFD}b\u{FFFD}c\u{FFFD}d");
        assert_eq!(printable("a\r\nb\rc\td"), "a\nb\nc\td");
        assert_eq!(printable("x\u{FFFE}y"), "x\u{FFFD}y");
    }

    #[test]
    fn a_lone_escape_at_the_end_is_dropped() {
        assert_eq!(printable("abc\u{1b}"), "abc");
        assert_eq!(printable("abc\u{1b}["), "abc");
    }

    #[test]
    fn one_line_collapses_white_space() {
        assert_eq!(one_line("  a\n\n b\tc  "), "a b c");
    }

    #[test]
    fn truncate_marks_the_cut() {
        assert_eq!(truncate("abcdef", 6), "abcdef");
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("ab  cdef", 4), "ab…");
    }

    #[test]
    fn first_line_says_there_was_more() {
        assert_eq!(first_line("\n  boom  \n at x.y\n", 80), "boom …");
        assert_eq!(first_line("boom", 80), "boom");
    }

    #[test]
    fn wrap_keeps_words_whole() {
        let lines = wrap("the quick brown fox jumps over the lazy dog", 20);
        assert_eq!(
            lines,
            vec!["the quick brown fox", "jumps over the lazy", "dog"]
        );
        let long = "x".repeat(30);
        assert_eq!(
            wrap(&format!("a {long} b"), 20),
            vec!["a", long.as_str(), "b"]
        );
        assert_eq!(wrap("one\n\ntwo", 20), vec!["one", "two"]);
        assert!(lines.iter().all(|l| width(l) <= 20));
    }

    #[test]
    fn padding_counts_characters() {
        assert_eq!(pad("é", 3), "é  ");
        assert_eq!(pad_left("7", 3), "  7");
        assert_eq!(pad("long", 2), "long");
    }
}
