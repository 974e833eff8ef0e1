//! Values as XML reads them: attribute values, entity and character references, line ends, and
//! the messages the gate keeps from failure text.

use quick_xml::escape::resolve_xml_entity;
use quick_xml::events::BytesRef;
use std::borrow::Cow;

/// Messages are cut to this many characters: enough for an assertion and the top of a stack
/// trace, small enough that a million failures would not fill memory.
pub(crate) const MESSAGE_CHARS: usize = 1_000;

/// Raw text collected for one message before it is trimmed and cut.
pub(crate) const COLLECT_BYTES: usize = 4 * MESSAGE_CHARS + 64;

/// Whether an attribute value reads as it is written: no reference, no `<`, no white space
/// that XML turns into a space. Branch-free so that it vectorises; control characters take the
/// slow path too, which is harmless.
pub(crate) fn is_plain(value: &str) -> bool {
    !value.bytes().fold(false, |special, b| {
        special | (b == b'&') | (b == b'<') | (b < 0x0E)
    })
}

/// The first reason the references in `value` are not XML, if any.
pub(crate) fn bad_reference(value: &str) -> Option<String> {
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        let after = &rest[at + 1..];
        let Some(end) = after.find(';') else {
            return Some(
                "`&` does not start an entity reference (a literal ampersand must be written `&amp;`)"
                    .to_owned(),
            );
        };
        if let Err(reason) = resolve_reference(&BytesRef::new(&after[..end])) {
            return Some(reason);
        }
        rest = &after[end + 1..];
    }
    None
}

pub(crate) enum Resolved {
    Char(char),
    Str(&'static str),
}

/// Resolves `&name;` or `&#n;`. Only the five XML entities exist: DOCTYPEs are refused, so no
/// other entity can be defined, and none is ever expanded. A character reference must name a
/// character XML allows (plus the leniency of `wellformed::Chars::Lenient`).
pub(crate) fn resolve_reference(reference: &BytesRef<'_>) -> Result<Resolved, String> {
    let name: &str = reference;
    if name.starts_with('#') {
        return crate::wellformed::char_reference(name).map(Resolved::Char);
    }
    resolve_xml_entity(name)
        .map(Resolved::Str)
        .ok_or_else(|| {
            format!(
                "undefined entity `&{name};` (without a DOCTYPE only `&lt;` `&gt;` `&amp;` `&apos;` `&quot;` and character references exist)"
            )
        })
}

/// XML white space, plus the form feed and vertical tab that the corpus's `empty` rule (Python
/// `bytes.strip`) also treats as blank.
pub(crate) fn is_blank(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

/// XML end-of-line handling: `\r\n` and a lone `\r` read as `\n`.
pub(crate) fn normalize_eols(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Appends text to a message being collected: leading white space dropped, at most
/// [`COLLECT_BYTES`] kept (on a character boundary).
pub(crate) fn push_capped(buf: &mut String, piece: &str) {
    let piece = if buf.is_empty() {
        piece.trim_start()
    } else {
        piece
    };
    let room = COLLECT_BYTES.saturating_sub(buf.len());
    let mut take = piece.len().min(room);
    while !piece.is_char_boundary(take) {
        take -= 1;
    }
    buf.push_str(&piece[..take]);
}

/// A message as kept: trimmed, cut to [`MESSAGE_CHARS`] characters.
pub(crate) fn cut_message(raw: &str) -> &str {
    let trimmed = raw.trim();
    let end = trimmed
        .char_indices()
        .nth(MESSAGE_CHARS)
        .map_or(trimmed.len(), |(i, _)| i);
    trimmed[..end].trim_end()
}

/// quick-xml's messages start with a capital now and then; ours are lowercase fragments.
pub(crate) fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_trimmed_and_cut_on_a_character_boundary() {
        assert_eq!(cut_message("  a b \n"), "a b");
        let long = "\u{e9}".repeat(MESSAGE_CHARS + 5);
        assert_eq!(cut_message(&long).chars().count(), MESSAGE_CHARS);
        let mut buf = String::new();
        push_capped(&mut buf, "  \n  ");
        assert!(buf.is_empty());
        push_capped(&mut buf, " x");
        push_capped(&mut buf, &"\u{1F600}".repeat(COLLECT_BYTES));
        assert!(buf.len() <= COLLECT_BYTES);
        assert!(buf.starts_with("x\u{1F600}"));
    }

    #[test]
    fn eols_are_normalised() {
        assert_eq!(normalize_eols("a\r\nb\rc\n"), "a\nb\nc\n");
        assert!(matches!(normalize_eols("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn attribute_values_are_checked() {
        assert!(is_plain("com.acme.Payment Test [1] (€)"));
        for special in ["a&amp;b", "a<b", "a\tb", "a\nb", "a\rb", "\u{1}"] {
            assert!(!is_plain(special), "{special:?}");
        }
        assert_eq!(bad_reference("a &amp; b &#10; &#x1F600;"), None);
        assert!(bad_reference("a & b").is_some());
        assert!(
            bad_reference("&nbsp;")
                .unwrap()
                .contains("undefined entity")
        );
        assert!(
            bad_reference("&#0;")
                .unwrap()
                .contains("invalid character reference")
        );
    }
}
