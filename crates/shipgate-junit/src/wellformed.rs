//! The parts of XML 1.0 well-formedness, and of Namespaces in XML, that quick-xml leaves to its
//! caller: what a name may be, the syntax of attributes (a space between them, a name, `=`, a
//! quoted value), the XML declaration, processing-instruction targets, which characters may
//! appear, character references, and that every namespace prefix is declared.
//!
//! Without these a flipped byte could rename an element or an attribute and still be read:
//! `<fai,lure/>` would be an unknown element and its failing test a pass, `st,tus="disabled"`
//! an unknown attribute and the disabled test a pass. With them, such a file is `not-xml`.
//!
//! One leniency stays, because real runners need it (mocha-junit-reporter writes raw ANSI
//! escapes, Surefire writes `&#27;` for them): C0 control characters other than NUL, raw or as
//! character references, are accepted in character data and in attribute values
//! ([`Chars::Lenient`]). The reader decides no outcome from either (the one attribute value
//! that decides a count, a testcase's `status`, is checked strictly by the caller), so the
//! leniency cannot change a count; `tests/junit/wellformed.rs` proves it on the corpus.
//! Everywhere else (names, comments, processing instructions, the declaration) characters are
//! checked strictly ([`Chars::Strict`]).
//!
//! What it must not do: allocate, or look at a byte twice on the path every well-formed report
//! takes (names and values are ASCII and plain in nearly every report, and are checked with one
//! branch-free pass).

use std::ops::Range;

/// Which characters are allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Chars {
    /// XML 1.0's `Char`: tab, line feed, carriage return, and everything from U+0020 except
    /// the surrogates, U+FFFE and U+FFFF.
    Strict,
    /// `Chars::Strict`, plus the C0 control characters other than NUL.
    Lenient,
}

/// The first character of `text` that `rule` does not allow: its byte offset and itself.
pub(crate) fn first_bad_char(text: &str, rule: Chars) -> Option<(usize, char)> {
    let bytes = text.as_bytes();
    // Most text has none of the bytes that can start a bad character: check 64 bytes at a time
    // with a fold the compiler vectorises, and look closer only at a chunk that has one.
    let suspect = |b: u8| match rule {
        Chars::Strict => (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r') | (b == 0xEF),
        Chars::Lenient => (b == 0) | (b == 0xEF),
    };
    let mut at = 0;
    for chunk in bytes.chunks(64) {
        if chunk.iter().fold(false, |any, b| any | suspect(*b)) {
            for (i, b) in chunk.iter().enumerate() {
                if !suspect(*b) {
                    continue;
                }
                let offset = at + i;
                // 0xEF leads U+F000..U+FFFF; only U+FFFE and U+FFFF are not characters.
                if *b == 0xEF {
                    if let [0xBF, 0xBE | 0xBF, ..] = bytes[offset + 1..] {
                        return text[offset..].chars().next().map(|c| (offset, c));
                    }
                    continue;
                }
                return Some((offset, char::from(*b)));
            }
        }
        at += chunk.len();
    }
    None
}

/// Whether `c` is allowed by `rule`.
pub(crate) fn is_allowed(c: char, rule: Chars) -> bool {
    match c {
        '\t' | '\n' | '\r' => true,
        '\u{0}' => false,
        '\u{1}'..='\u{1F}' => rule == Chars::Lenient,
        '\u{FFFE}' | '\u{FFFF}' => false,
        // `char` holds no surrogates.
        _ => true,
    }
}

/// How a character is shown in a message: itself when printable, else its code point.
pub(crate) fn shown(c: char) -> String {
    if c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}') {
        format!("U+{:04X}", u32::from(c))
    } else {
        format!("`{c}`")
    }
}

/// XML white space (`S`): space, tab, carriage return, line feed. Nothing else separates.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Why `name` is not an XML `Name` that Namespaces in XML allows (at most one `:`, with
/// something on both sides), if it is not.
pub(crate) fn name_problem(name: &str) -> Option<String> {
    let bytes = name.as_bytes();
    let ascii_ok = |b: u8| b.is_ascii_alphanumeric() | (b == b'_') | (b == b'-') | (b == b'.');
    // Fast path: an ASCII name of letters, digits, `_`, `-`, `.`, starting with a letter or `_`.
    if let [first, rest @ ..] = bytes
        && (first.is_ascii_alphabetic() || *first == b'_')
        && rest.iter().fold(true, |ok, b| ok & ascii_ok(*b))
    {
        return None;
    }
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return Some("a name is empty".to_owned());
    };
    if !is_name_start(first) {
        return Some(format!("a name cannot start with {}", shown(first)));
    }
    if let Some(bad) = chars.find(|c| !is_name_char(*c)) {
        return Some(format!("{} cannot appear in a name", shown(bad)));
    }
    match name.split(':').count() {
        1 => None,
        2 if !name.starts_with(':') && !name.ends_with(':') => None,
        _ => Some("a name may hold one `:`, between a prefix and a local name".to_owned()),
    }
}

/// One attribute as written: its name, its raw value (between the quotes), and where each
/// starts in the tag's attribute text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RawAttribute<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub key_at: usize,
    pub value_at: usize,
}

/// A syntax error in a tag's attributes: what, and its byte offset in the attribute text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct AttributeError {
    pub at: usize,
    pub reason: String,
}

/// Splits the attribute text of a start tag (everything after the element name) into
/// attributes, XML's way: each preceded by white space, `name S? = S? "value"` or `'value'`,
/// no name twice, no `<` in a value, nothing else. `seen` is scratch space for the duplicate
/// check, reused from tag to tag.
pub(crate) fn each_raw_attribute<'a>(
    text: &'a str,
    seen: &mut Vec<Range<usize>>,
    mut f: impl FnMut(RawAttribute<'a>) -> Result<(), AttributeError>,
) -> Result<(), AttributeError> {
    let bytes = text.as_bytes();
    let error = |at: usize, reason: &str| AttributeError {
        at,
        reason: reason.to_owned(),
    };
    seen.clear();
    let mut pos = 0;
    loop {
        let spaces = bytes[pos..].iter().take_while(|b| is_space(**b)).count();
        pos += spaces;
        if pos == bytes.len() {
            return Ok(());
        }
        if spaces == 0 {
            return Err(error(
                pos,
                "an attribute must be separated from what comes before it by white space",
            ));
        }
        let key_at = pos;
        let key_len = bytes[pos..]
            .iter()
            .take_while(|b| !is_space(**b) && **b != b'=')
            .count();
        let key = &text[key_at..key_at + key_len];
        if let Some(problem) = name_problem(key) {
            return Err(AttributeError {
                at: key_at,
                reason: format!("the attribute name `{key}` is not a name: {problem}"),
            });
        }
        if seen.iter().any(|r| &text[r.clone()] == key) {
            return Err(AttributeError {
                at: key_at,
                reason: format!("the attribute `{key}` is given twice"),
            });
        }
        seen.push(key_at..key_at + key_len);
        pos += key_len;
        pos += bytes[pos..].iter().take_while(|b| is_space(**b)).count();
        if bytes.get(pos) != Some(&b'=') {
            return Err(AttributeError {
                at: pos,
                reason: format!("the attribute `{key}` has no `=` and value"),
            });
        }
        pos += 1;
        pos += bytes[pos..].iter().take_while(|b| is_space(**b)).count();
        let quote = match bytes.get(pos) {
            Some(q @ (b'"' | b'\'')) => *q,
            _ => {
                return Err(AttributeError {
                    at: pos,
                    reason: format!("the value of attribute `{key}` is not in quotes"),
                });
            }
        };
        let value_at = pos + 1;
        let Some(len) = memchr::memchr(quote, &bytes[value_at..]) else {
            return Err(AttributeError {
                at: pos,
                reason: format!("the value of attribute `{key}` has no closing quote"),
            });
        };
        let value = &text[value_at..value_at + len];
        if let Some(lt) = memchr::memchr(b'<', value.as_bytes()) {
            return Err(AttributeError {
                at: value_at + lt,
                reason: format!(
                    "`<` inside the value of attribute `{key}` (it must be written `&lt;`)"
                ),
            });
        }
        f(RawAttribute {
            key,
            value,
            key_at,
            value_at,
        })?;
        pos = value_at + len + 1;
    }
}

/// Checks an XML declaration: the text between `<?` and `?>`, which starts with `xml`.
/// `<?xml version="1.x" encoding="..." standalone="yes|no"?>`, in that order, `encoding` and
/// `standalone` optional.
pub(crate) fn declaration_problem(decl: &str) -> Option<String> {
    let rest = decl.strip_prefix("xml").unwrap_or(decl);
    let mut pseudo = Vec::with_capacity(3);
    let mut seen = Vec::new();
    let parsed = each_raw_attribute(rest, &mut seen, |a| {
        pseudo.push((a.key, a.value));
        Ok(())
    });
    if let Err(e) = parsed {
        return Some(format!("a malformed XML declaration: {}", e.reason));
    }
    let mut items = pseudo.into_iter().peekable();
    match items.next() {
        Some(("version", v))
            if v.strip_prefix("1.")
                .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit())) => {}
        Some(("version", v)) => {
            return Some(format!(
                "the XML declaration gives the version `{v}`, but XML 1.x is written `1.0`"
            ));
        }
        _ => {
            return Some("the XML declaration must start with `version=\"1.0\"`".to_owned());
        }
    }
    if let Some(("encoding", name)) = items.peek().copied() {
        let valid = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
        if !valid {
            return Some(format!(
                "the XML declaration names the encoding `{name}`, which is not an encoding name"
            ));
        }
        items.next();
    }
    if let Some(("standalone", value)) = items.peek().copied() {
        if value != "yes" && value != "no" {
            return Some(format!(
                "the XML declaration gives `standalone=\"{value}\"`; only `yes` and `no` exist"
            ));
        }
        items.next();
    }
    items.next().map(|(key, _)| {
        format!(
            "the XML declaration holds `{key}`; it may hold only `version`, `encoding` and `standalone`, in that order"
        )
    })
}

/// Checks a processing instruction: the text between `<?` and `?>`. Its target must be a name
/// other than `xml` in any case (that one is the declaration, allowed only at the very start).
pub(crate) fn pi_problem(pi: &str) -> Option<String> {
    let target_len = pi.bytes().take_while(|b| !is_space(*b)).count();
    let target = &pi[..target_len];
    if target.eq_ignore_ascii_case("xml") {
        return Some(
            "the XML declaration `<?xml ...?>` is allowed only at the very start of the file"
                .to_owned(),
        );
    }
    if let Some(problem) = name_problem(target) {
        return Some(format!(
            "the processing instruction `<?{target}` has no valid target: {problem}"
        ));
    }
    let (at, c) = first_bad_char(pi, Chars::Strict)?;
    let _ = at;
    Some(format!(
        "the character {} is not allowed in XML (in a processing instruction)",
        shown(c)
    ))
}

/// A character reference, `&#NN;` or `&#xHH;` without the `&` and `;`: the character, or
/// why it is not one. A reference must name a character that [`Chars::Lenient`] allows.
pub(crate) fn char_reference(reference: &str) -> Result<char, String> {
    let bad = || format!("invalid character reference `&{reference};`");
    let digits = reference.strip_prefix('#').ok_or_else(bad)?;
    let (digits, radix) = match digits.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (digits, 10),
    };
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let code = u32::from_str_radix(digits, radix).map_err(|_| bad())?;
    let c = char::from_u32(code).ok_or_else(bad)?;
    if !is_allowed(c, Chars::Lenient) {
        return Err(format!(
            "invalid character reference `&{reference};`: it names {}, which XML does not allow",
            shown(c)
        ));
    }
    Ok(c)
}

/// Namespace prefixes in scope, for the check that every prefix used is declared.
#[derive(Default)]
pub(crate) struct Namespaces {
    /// Declared prefixes with the depth of the element that declared them, innermost last.
    declared: Vec<(String, usize)>,
    /// Prefixed names of the tag being read (element and attributes), checked once all its
    /// declarations are known: byte ranges into the tag's text.
    pending: Vec<Range<usize>>,
}

impl Namespaces {
    pub fn clear(&mut self) {
        self.declared.clear();
        self.pending.clear();
    }

    /// Starts a tag: forgets the pending names of the last one.
    pub fn start_tag(&mut self) {
        self.pending.clear();
    }

    /// Notes one attribute of the tag at `depth`: a declaration (`xmlns:p="..."`) is checked and
    /// remembered, a prefixed name is left to [`Namespaces::end_tag`]. `range` is where the name
    /// is in the tag's text.
    pub fn attribute(
        &mut self,
        key: &str,
        value: &str,
        range: Range<usize>,
        depth: usize,
    ) -> Result<(), String> {
        const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
        const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";
        let Some((prefix, local)) = key.split_once(':') else {
            return Ok(());
        };
        if prefix != "xmlns" {
            self.pending.push(range);
            return Ok(());
        }
        let value = value.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'));
        if local == "xmlns" || (local == "xml") != (value == XML_NS) || value == XMLNS_NS {
            return Err(format!(
                "`{key}` binds a reserved namespace prefix or name (`xml`, `xmlns`)"
            ));
        }
        if value.is_empty() {
            return Err(format!(
                "`{key}=\"\"` un-declares a prefix, which XML 1.0 namespaces do not allow"
            ));
        }
        self.declared.push((local.to_owned(), depth));
        Ok(())
    }

    /// Ends a tag at `depth` whose text is `tag` and whose element name is `name`: every prefix
    /// the element and its attributes use must be declared here or by an ancestor.
    pub fn end_tag(&mut self, tag: &str, name: &str) -> Result<(), String> {
        let bound = |prefix: &str| {
            prefix == "xml" || self.declared.iter().any(|(p, _)| p.as_str() == prefix)
        };
        if let Some((prefix, _)) = name.split_once(':')
            && !bound(prefix)
        {
            return Err(format!(
                "the element `<{name}>` uses the namespace prefix `{prefix}`, which is not declared (`xmlns:{prefix}=\"...\"`)"
            ));
        }
        for range in &self.pending {
            let key = &tag[range.clone()];
            if let Some((prefix, _)) = key.split_once(':')
                && !bound(prefix)
            {
                return Err(format!(
                    "the attribute `{key}` uses the namespace prefix `{prefix}`, which is not declared (`xmlns:{prefix}=\"...\"`)"
                ));
            }
        }
        Ok(())
    }

    /// Closes the element at `depth`: its declarations go out of scope.
    pub fn close(&mut self, depth: usize) {
        while self.declared.last().is_some_and(|(_, d)| *d >= depth) {
            self.declared.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_characters_are_found_where_they_are() {
        assert_eq!(first_bad_char("plain\ttext\r\n", Chars::Strict), None);
        assert_eq!(
            first_bad_char("a\u{1B}[31mred", Chars::Strict),
            Some((1, '\u{1B}'))
        );
        assert_eq!(first_bad_char("a\u{1B}[31mred", Chars::Lenient), None);
        assert_eq!(
            first_bad_char("a\u{0}b", Chars::Lenient),
            Some((1, '\u{0}'))
        );
        let long = format!("{}\u{FFFF}", "x".repeat(200));
        assert_eq!(
            first_bad_char(&long, Chars::Lenient),
            Some((200, '\u{FFFF}'))
        );
        assert_eq!(
            first_bad_char("\u{FFFE}", Chars::Strict),
            Some((0, '\u{FFFE}'))
        );
        // Other characters led by 0xEF are fine.
        assert_eq!(
            first_bad_char("\u{FF21}\u{FFFD}\u{F900}", Chars::Strict),
            None
        );
        assert_eq!(first_bad_char("\u{FEFF}", Chars::Strict), None);
    }

    #[test]
    fn names_follow_xml_and_namespaces() {
        for good in [
            "failure",
            "flakyFailure",
            "system-out",
            "_x",
            "a.b",
            "j:testcase",
            "\u{e9}t\u{e9}",
            "x\u{B7}y",
        ] {
            assert_eq!(name_problem(good), None, "{good}");
        }
        for bad in [
            "fai,lure",
            "fa!lure",
            "1failure",
            "failure=",
            "",
            "-x",
            "a:b:c",
            ":a",
            "a:",
            "st,tus",
            "a\"b",
            "a/b",
            "\u{FFFE}x",
        ] {
            assert!(name_problem(bad).is_some(), "{bad}");
        }
    }

    fn attributes(text: &str) -> Result<Vec<(String, String)>, AttributeError> {
        let mut out = Vec::new();
        each_raw_attribute(text, &mut Vec::new(), |a| {
            out.push((a.key.to_owned(), a.value.to_owned()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn attributes_follow_xml_syntax() {
        assert_eq!(
            attributes(" a=\"1\"\n\tb = '2' ").unwrap(),
            [("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        assert_eq!(attributes("").unwrap(), []);
        for (bad, says) in [
            (" a=\"1\"b=\"2\"", "separated"),
            (" st,tus=\"disabled\"", "not a name"),
            (" a=\"1\" a=\"2\"", "twice"),
            (" a", "no `=`"),
            (" a=1", "not in quotes"),
            (" a=\"1", "no closing quote"),
            (" a=\"<\"", "`<` inside"),
            (" / ", "not a name"),
        ] {
            let e = attributes(bad).unwrap_err();
            assert!(e.reason.contains(says), "{bad:?}: {}", e.reason);
        }
    }

    #[test]
    fn declarations() {
        for good in [
            "xml version=\"1.0\"",
            "xml version='1.0' encoding='UTF-8'",
            "xml version=\"1.0\" encoding=\"ISO-8859-1\" standalone=\"yes\" ",
            "xml version=\"1.1\" standalone='no'",
        ] {
            assert_eq!(declaration_problem(good), None, "{good}");
        }
        for bad in [
            "xml",
            "xml encoding=\"UTF-8\"",
            "xml version=\"2.0\"",
            "xml version=\"1.0\"encoding=\"UTF-8\"",
            "xml version=\"1.0\" encoding=\"UTF 8\"",
            "xml version=\"1.0\" standalone=\"maybe\"",
            "xml version=\"1.0\" standalone=\"yes\" encoding=\"UTF-8\"",
            "xml version=\"1.0\" foo=\"bar\"",
            "xml version=\"1.0\" ?",
        ] {
            assert!(declaration_problem(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn processing_instructions() {
        assert_eq!(pi_problem("xml-stylesheet href=\"a.xsl\""), None);
        assert!(pi_problem("XML version=\"1.0\"").is_some());
        assert!(pi_problem("1x").is_some());
        assert!(pi_problem("x \u{1}").is_some());
    }

    #[test]
    fn character_references() {
        assert_eq!(char_reference("#10"), Ok('\n'));
        assert_eq!(char_reference("#x1F600"), Ok('\u{1F600}'));
        assert_eq!(char_reference("#27"), Ok('\u{1B}'));
        for bad in [
            "#0",
            "#x0",
            "#xFFFF",
            "#xFFFE",
            "#xD800",
            "#x110000",
            "#X41",
            "#",
            "#x",
            "#-1",
            "#1a",
            "#x 41",
            "#000000000065",
        ] {
            assert!(char_reference(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prefixes_must_be_declared() {
        let mut ns = Namespaces::default();
        ns.start_tag();
        assert!(ns.end_tag("ns:testsuite", "ns:testsuite").is_err());
        ns.start_tag();
        let tag = "j:testsuite xmlns:j=\"urn:x\" j:a=\"1\" xml:lang=\"en\"";
        ns.attribute("xmlns:j", "urn:x", 12..19, 1).unwrap();
        ns.attribute("j:a", "1", 28..31, 1).unwrap();
        ns.attribute("xml:lang", "en", 36..44, 1).unwrap();
        assert_eq!(ns.end_tag(tag, "j:testsuite"), Ok(()));
        ns.start_tag();
        assert_eq!(ns.end_tag("j:testcase", "j:testcase"), Ok(()));
        ns.close(1);
        ns.start_tag();
        assert!(ns.end_tag("j:testcase", "j:testcase").is_err());
        assert!(ns.attribute("xmlns:p", "", 0..7, 1).is_err());
        assert!(ns.attribute("xmlns:xmlns", "urn:y", 0..11, 1).is_err());
        assert!(ns.attribute("xmlns:xml", "urn:y", 0..9, 1).is_err());
    }
}
