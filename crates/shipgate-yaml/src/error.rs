//! Problems found in a YAML document, each pointing at its line.

use crate::mark::Mark;
// The one did-you-mean for unknown keys, shared with the JSON forms.
use shipgate_json::did_you_mean;
use std::fmt;

/// One problem in a document: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where the problem is (1-based line and column).
    pub mark: Mark,
    /// The dotted path of the node (`checks.regression.min_pass_rate`, `waivers[0].expires`);
    /// empty for the document itself.
    pub path: String,
    /// What is wrong, as a sentence fragment.
    pub message: String,
}

impl Problem {
    /// A problem at a node.
    pub fn new(mark: Mark, path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            mark,
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}: ", self.mark.line, self.mark.col)?;
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "`{}`: {}", self.path, self.message)
        }
    }
}

/// What went wrong while deserializing, before it is tied to a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum DeErrorKind {
    /// A key the target type does not have.
    UnknownField {
        field: String,
        expected: &'static [&'static str],
    },
    /// A value that is not one of the allowed words.
    UnknownVariant {
        variant: String,
        expected: &'static [&'static str],
    },
    /// A required key that is absent.
    MissingField(&'static str),
    /// Anything else.
    Message(String),
}

/// The serde error type of this crate's deserializer. Outside this crate it only shows up
/// through [`Problem`]s.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeError {
    pub(crate) kind: DeErrorKind,
    /// The node the error belongs to: its id, mark and path.
    pub(crate) at: Option<(usize, Mark, String)>,
}

impl DeError {
    pub(crate) fn message(text: impl Into<String>) -> Self {
        Self {
            kind: DeErrorKind::Message(text.into()),
            at: None,
        }
    }

    /// Ties the error to a node unless an inner node already claimed it.
    pub(crate) fn locate(mut self, id: usize, mark: Mark, path: &str) -> Self {
        if self.at.is_none() {
            self.at = Some((id, mark, path.to_owned()));
        }
        self
    }

    pub(crate) fn describe(&self) -> String {
        match &self.kind {
            DeErrorKind::UnknownField { field, expected } => {
                let mut s = format!("unknown key `{field}`");
                match did_you_mean(field, expected) {
                    Some(best) => s.push_str(&format!("; did you mean `{best}`?")),
                    None => s.push_str(&format!("; expected one of {}", list(expected))),
                }
                s
            }
            DeErrorKind::UnknownVariant { variant, expected } => {
                let mut s = format!(
                    "`{variant}` is not allowed here; expected {}",
                    list(expected)
                );
                if let Some(best) = did_you_mean(variant, expected) {
                    s.push_str(&format!(" (did you mean `{best}`?)"));
                }
                s
            }
            DeErrorKind::MissingField(field) => format!("missing required key `{field}`"),
            DeErrorKind::Message(m) => m.clone(),
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.at {
            Some((_, mark, path)) if !path.is_empty() => write!(
                f,
                "line {}, column {}: `{path}`: {}",
                mark.line,
                mark.col,
                self.describe()
            ),
            Some((_, mark, _)) => write!(
                f,
                "line {}, column {}: {}",
                mark.line,
                mark.col,
                self.describe()
            ),
            None => f.write_str(&self.describe()),
        }
    }
}

impl std::error::Error for DeError {}

impl serde::de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError::message(msg.to_string())
    }

    fn invalid_type(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        DeError::message(format!("expected {exp}, found {}", unexpected(&unexp)))
    }

    fn invalid_value(unexp: serde::de::Unexpected<'_>, exp: &dyn serde::de::Expected) -> Self {
        DeError::message(format!("expected {exp}, found {}", unexpected(&unexp)))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> Self {
        Self {
            kind: DeErrorKind::UnknownField {
                field: field.to_owned(),
                expected,
            },
            at: None,
        }
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        Self {
            kind: DeErrorKind::UnknownVariant {
                variant: variant.to_owned(),
                expected,
            },
            at: None,
        }
    }

    fn missing_field(field: &'static str) -> Self {
        Self {
            kind: DeErrorKind::MissingField(field),
            at: None,
        }
    }
}

fn unexpected(u: &serde::de::Unexpected<'_>) -> String {
    use serde::de::Unexpected as U;
    match u {
        U::Str(s) => format!("`{s}`"),
        U::Unit => "nothing".to_owned(),
        U::Map => "a mapping".to_owned(),
        U::Seq => "a list".to_owned(),
        U::Bool(b) => format!("`{b}`"),
        U::Unsigned(n) => format!("`{n}`"),
        U::Signed(n) => format!("`{n}`"),
        U::Float(n) => format!("`{n}`"),
        other => other.to_string(),
    }
}

fn list(expected: &[&str]) -> String {
    match expected {
        [] => "nothing here".to_owned(),
        [one] => format!("`{one}`"),
        _ => expected
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", "),
    }
}
