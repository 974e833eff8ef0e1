//! Names and values one slip away from the JUnit words the reader counts by.
//!
//! A well-formed file can still hide a failing test if one byte renames what decides it:
//! `<failure/>` written `<Failure/>` or `<failur/>`, `status="disabled"` written
//! `Status="disabled"` or `status="disab1ed"`. Each would be an unknown element, attribute or
//! value, read as nothing, and the test as a pass. No runner writes these; a corrupted or
//! hand-edited file does. So a name or value that equals a JUnit word ignoring case, or is one
//! edit (a character changed, added, removed, or two neighbours swapped) away from one, and is
//! not the word itself, is refused, naming both.
//!
//! What it must not do: refuse a word the reader knows (`testsuite` and `testsuites` are one
//! edit apart, and both are JUnit), or look at names outside a JUnit document (an NUnit file is
//! refused as NUnit).

/// Elements whose name decides a count, an identity or a defect link.
const ELEMENTS: [&str; 10] = [
    "testsuites",
    "testsuite",
    "testcase",
    "failure",
    "error",
    "skipped",
    "flakyFailure",
    "flakyError",
    "properties",
    "property",
];

/// Attributes of a `<testcase>` that decide its outcome (`status`) or its identity.
const CASE_ATTRIBUTES: [&str; 3] = ["status", "classname", "name"];

/// Attributes of a `<testsuite>` that decide the identity of its tests.
const SUITE_ATTRIBUTES: [&str; 1] = ["name"];

/// `status` values that make a test skipped (see `outcome::is_skip_status`).
const SKIP_STATUSES: [&str; 3] = ["disabled", "notrun", "skipped"];

/// The JUnit element `local` looks like without being it, if any.
pub(crate) fn element(local: &str) -> Option<&'static str> {
    lookalike(&ELEMENTS, local)
}

/// The testcase attribute `key` looks like without being it, if any.
pub(crate) fn case_attribute(key: &str) -> Option<&'static str> {
    lookalike(&CASE_ATTRIBUTES, key)
}

/// The testsuite attribute `key` looks like without being it, if any.
pub(crate) fn suite_attribute(key: &str) -> Option<&'static str> {
    lookalike(&SUITE_ATTRIBUTES, key)
}

/// The skip status a `status` value looks like without being it (case and surrounding white
/// space aside, which the reader ignores), if any.
pub(crate) fn skip_status(value: &str) -> Option<&'static str> {
    let value = value.trim();
    if SKIP_STATUSES.iter().any(|s| value.eq_ignore_ascii_case(s)) {
        return None;
    }
    SKIP_STATUSES.iter().copied().find(|s| near(value, s))
}

/// [`one_edit_apart`] by characters: a byte changed to a non-ASCII one reads, once the invalid
/// UTF-8 is replaced, as one U+FFFD, and must still count as one edit.
fn near(text: &str, word: &str) -> bool {
    if text.is_ascii() {
        return one_edit_apart(text.as_bytes(), word.as_bytes());
    }
    let chars: Vec<char> = text.chars().collect();
    let word: Vec<char> = word.chars().collect();
    one_edit_apart(&chars, &word)
}

fn lookalike(words: &[&'static str], name: &str) -> Option<&'static str> {
    if words.contains(&name) {
        return None;
    }
    // Cheap reject first: every word here is ASCII and 4 to 12 characters long (a character
    // takes up to 4 bytes).
    if !(3..=13 * 4).contains(&name.len()) {
        return None;
    }
    words.iter().copied().find(|w| near(name, w))
}

/// Bytes or characters, compared ignoring ASCII case.
trait Letter: Copy {
    fn same(self, other: Self) -> bool;
}

impl Letter for u8 {
    fn same(self, other: Self) -> bool {
        self.eq_ignore_ascii_case(&other)
    }
}

impl Letter for char {
    fn same(self, other: Self) -> bool {
        self.eq_ignore_ascii_case(&other)
    }
}

/// Whether `a` and `b` are equal ignoring ASCII case, or one edit apart ignoring ASCII case: a
/// letter changed, added or removed, or two neighbouring letters swapped.
fn one_edit_apart<T: Letter>(a: &[T], b: &[T]) -> bool {
    let eq = |x: T, y: T| x.same(y);
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long)
        .take_while(|(x, y)| eq(**x, **y))
        .count();
    if prefix == short.len() {
        // Equal ignoring case, or one byte added at the end.
        return true;
    }
    let same = |x: &[T], y: &[T]| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| eq(*p, *q));
    if short.len() == long.len() {
        // One byte changed, or two neighbours swapped.
        same(&short[prefix + 1..], &long[prefix + 1..])
            || (prefix + 1 < short.len()
                && eq(short[prefix], long[prefix + 1])
                && eq(short[prefix + 1], long[prefix])
                && same(&short[prefix + 2..], &long[prefix + 2..]))
    } else {
        // One byte added or removed.
        same(&short[prefix..], &long[prefix + 1..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookalike_elements_are_named() {
        for (name, word) in [
            ("Failure", "failure"),
            ("FAILURE", "failure"),
            ("failur", "failure"),
            ("failures", "failure"),
            ("fai1ure", "failure"),
            ("fialure", "failure"),
            ("TestCase", "testcase"),
            ("testcasx", "testcase"),
            ("test-case", "testcase"),
            ("Skipped", "skipped"),
            ("skiped", "skipped"),
            ("errors", "error"),
            ("flakyfailure", "flakyFailure"),
            ("Property", "property"),
        ] {
            assert_eq!(element(name), Some(word), "{name}");
        }
        for name in [
            "failure",
            "testsuite",
            "testsuites",
            "testcase",
            "flakyError",
            "system-out",
            "system-err",
            "rerunFailure",
            "rerunError",
            "stackTrace",
            "skip",
            "properties",
            "x",
            "",
        ] {
            assert_eq!(element(name), None, "{name}");
        }
    }

    #[test]
    fn lookalike_attributes_and_statuses() {
        assert_eq!(case_attribute("Status"), Some("status"));
        assert_eq!(case_attribute("statu"), Some("status"));
        assert_eq!(case_attribute("className"), Some("classname"));
        assert_eq!(case_attribute("nme"), Some("name"));
        assert_eq!(case_attribute("status"), None);
        assert_eq!(case_attribute("time"), None);
        assert_eq!(case_attribute("file"), None);
        assert_eq!(case_attribute("line"), None);
        assert_eq!(case_attribute("result"), None);
        assert_eq!(case_attribute("state"), None);
        assert_eq!(suite_attribute("Name"), Some("name"));
        assert_eq!(suite_attribute("time"), None);

        assert_eq!(skip_status("disab1ed"), Some("disabled"));
        assert_eq!(skip_status(" isabled"), Some("disabled"));
        assert_eq!(skip_status("notrum"), Some("notrun"));
        assert_eq!(skip_status("skipped\u{1b}"), Some("skipped"));
        assert_eq!(skip_status("not\u{FFFD}un"), Some("notrun"));
        assert_eq!(element("fa\u{FFFD}lure"), Some("failure"));
        for fine in [
            "disabled", " NotRun ", "skipped", "run", "passed", "failed", "errored", "", "skip",
        ] {
            assert_eq!(skip_status(fine), None, "{fine}");
        }
    }

    #[test]
    fn one_edit() {
        assert!(one_edit_apart(b"abc", b"abc"));
        assert!(one_edit_apart(b"abc", b"ABC"));
        assert!(one_edit_apart(b"abc", b"abd"));
        assert!(one_edit_apart(b"abc", b"ab"));
        assert!(one_edit_apart(b"abc", b"xabc"));
        assert!(one_edit_apart(b"abc", b"bac"));
        assert!(!one_edit_apart(b"abc", b"bca"));
        assert!(!one_edit_apart(b"abc", b"a"));
        assert!(!one_edit_apart(b"abcd", b"abdc_"));
    }
}
