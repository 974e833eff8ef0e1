//! Test-name patterns, as written in `risk.critical_paths` and quarantine files.
//!
//! A pattern is matched against a test's qualified name, `classname.name` (just `name` when the
//! classname is empty). `*` matches any run of characters, dots and slashes included; every other
//! character matches itself, case-sensitively unless the pattern was made to ignore case
//! ([`TestPattern::ignoring_case`], for `ignore_case: true` on a critical path, where
//! `*login*` must find `LoginDigestTest`). There is deliberately no `?`, `[...]` or `{a,b}`:
//! parameterised test names such as `test_refund[EUR-3]` are full of brackets, and a pattern must
//! mean what it looks like.

use crate::error::ModelError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A compiled `*`-glob over qualified test names.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TestPattern {
    text: String,
    /// The literal pieces between `*`s.
    pieces: Vec<String>,
    anchored_start: bool,
    anchored_end: bool,
    /// Whether it matches ignoring case: the pieces are kept lowercase, and a name is folded
    /// before it is matched.
    ignore_case: bool,
}

impl TestPattern {
    /// Compiles a pattern. Only an empty pattern is refused.
    pub fn new(text: &str) -> Result<Self, ModelError> {
        if text.trim().is_empty() {
            return Err(ModelError::EmptyPattern);
        }
        let pieces: Vec<String> = text
            .split('*')
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect();
        Ok(Self {
            text: text.to_owned(),
            pieces,
            anchored_start: !text.starts_with('*'),
            anchored_end: !text.ends_with('*'),
            ignore_case: false,
        })
    }

    /// The same pattern, matching without regard to case (Unicode lowercase folding).
    pub fn ignoring_case(&self) -> Self {
        Self {
            text: self.text.clone(),
            pieces: self.pieces.iter().map(|p| p.to_lowercase()).collect(),
            anchored_start: self.anchored_start,
            anchored_end: self.anchored_end,
            ignore_case: true,
        }
    }

    /// Whether it matches without regard to case.
    pub fn ignores_case(&self) -> bool {
        self.ignore_case
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether `qualified` (a `classname.name`) matches.
    pub fn matches(&self, qualified: &str) -> bool {
        if self.ignore_case {
            return self.matches_exactly(&qualified.to_lowercase());
        }
        self.matches_exactly(qualified)
    }

    fn matches_exactly(&self, qualified: &str) -> bool {
        let mut rest = qualified;
        let mut pieces = self.pieces.as_slice();
        if pieces.is_empty() {
            // Only stars: matches anything.
            return true;
        }
        if self.anchored_start {
            let first = &pieces[0];
            match rest.strip_prefix(first.as_str()) {
                Some(r) => rest = r,
                None => return false,
            }
            pieces = &pieces[1..];
            if pieces.is_empty() {
                return !self.anchored_end || rest.is_empty();
            }
        }
        let (middle, last) = if self.anchored_end {
            let (last, middle) = pieces
                .split_last()
                .map_or((None, pieces), |(l, m)| (Some(l), m));
            (middle, last)
        } else {
            (pieces, None)
        };
        for piece in middle {
            match rest.find(piece.as_str()) {
                Some(at) => rest = &rest[at + piece.len()..],
                None => return false,
            }
        }
        match last {
            Some(last) => rest.ends_with(last.as_str()),
            None => true,
        }
    }

    /// Whether the test `classname`/`name` matches; builds the qualified name once.
    pub fn matches_test(&self, classname: &str, name: &str) -> bool {
        self.matches(&qualified_name(classname, name))
    }
}

/// `classname.name`, or `name` alone when the classname is empty.
pub fn qualified_name(classname: &str, name: &str) -> String {
    if classname.is_empty() {
        name.to_owned()
    } else {
        let mut s = String::with_capacity(classname.len() + 1 + name.len());
        s.push_str(classname);
        s.push('.');
        s.push_str(name);
        s
    }
}

impl TryFrom<String> for TestPattern {
    type Error = ModelError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        TestPattern::new(&value)
    }
}

impl From<TestPattern> for String {
    fn from(value: TestPattern) -> Self {
        value.text
    }
}

impl fmt::Display for TestPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, s: &str) -> bool {
        TestPattern::new(p).unwrap().matches(s)
    }

    #[test]
    fn literal_patterns_match_exactly() {
        assert!(m("com.acme.PayTest.charges", "com.acme.PayTest.charges"));
        assert!(!m("com.acme.PayTest.charges", "com.acme.PayTest.charges2"));
        assert!(!m("com.acme.PayTest.charges", "xcom.acme.PayTest.charges"));
    }

    #[test]
    fn star_crosses_dots_and_is_case_sensitive() {
        assert!(m(
            "com.acme.payment.*",
            "com.acme.payment.CardTest.declines"
        ));
        assert!(m("*Payment*", "com.acme.PaymentServiceTest.refund"));
        assert!(!m("*Payment*", "com.acme.paymentservicetest.refund"));
        assert!(m("*auth*", "tests/test_auth.py::test_login"));
        assert!(m("*", "anything at all"));
        assert!(m("**", ""));
    }

    #[test]
    fn anchors_at_both_ends() {
        assert!(m("a*z", "az"));
        assert!(m("a*z", "abcz"));
        assert!(!m("a*z", "abcza"));
        assert!(m("a*b*c", "aXbYc"));
        assert!(!m("a*b*c", "aXcYb"));
        // The last piece must not reuse characters consumed by the first.
        assert!(!m("ab*ba", "aba"));
        assert!(m("ab*ba", "abba"));
    }

    #[test]
    fn brackets_are_literal() {
        assert!(m("*test_refund[EUR-3]", "pkg.test_refund[EUR-3]"));
        assert!(!m("*test_refund[EUR-3]", "pkg.test_refund[E]"));
    }

    #[test]
    fn qualified_name_omits_an_empty_classname() {
        assert_eq!(qualified_name("", "TestMain"), "TestMain");
        assert_eq!(qualified_name("pkg.C", "t"), "pkg.C.t");
    }

    #[test]
    fn a_pattern_can_ignore_case() {
        let p = TestPattern::new("*login*").unwrap().ignoring_case();
        assert!(p.matches("com.acme.LoginDigestTest.expires"));
        assert!(p.matches("tests/test_LOGIN.py::test_x"));
        assert!(!p.matches("com.acme.LogoutTest.x"));
        let anchored = TestPattern::new("com.acme.Pay*Test")
            .unwrap()
            .ignoring_case();
        assert!(anchored.matches("COM.ACME.payment.CardTEST"));
        assert_eq!(anchored.as_str(), "com.acme.Pay*Test");
        assert!(!TestPattern::new("*login*").unwrap().matches("LoginTest"));
    }

    #[test]
    fn empty_pattern_is_refused() {
        assert_eq!(TestPattern::new("  "), Err(ModelError::EmptyPattern));
    }
}
