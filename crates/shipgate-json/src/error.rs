//! Why a JSON document could not be read, naming the key and where it is: the path in the
//! document (`defects[3]`) and, when the text was read, its line and column.

use std::fmt;

/// A place in the text, as `serde_json` counts it: line and column from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    /// The line.
    pub line: usize,
    /// The column (in bytes) on that line.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// Why a document could not be read: a [`JsonErrorKind`], boxed so that the errors of the
/// crates that hold one stay small. Its message is a fragment that reads after
/// "failed to read `FILE`: ", so the caller names the file or the (redacted) URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{kind}")]
pub struct JsonError {
    kind: Box<JsonErrorKind>,
}

impl From<JsonErrorKind> for JsonError {
    fn from(kind: JsonErrorKind) -> Self {
        Self {
            kind: Box::new(kind),
        }
    }
}

/// What is wrong with a document.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JsonErrorKind {
    /// The text is not one JSON document (cut short, a trailing comma, text after the end).
    #[error("not valid JSON: {message}{}", place("at", path, *position))]
    NotJson {
        /// `serde_json`'s message, without its position (that is in `position`).
        message: String,
        /// Where in the document the error arose; empty at the top level.
        path: String,
        /// Where in the text.
        position: Option<Position>,
    },
    /// Valid JSON, but not the shape the reader asked for (a missing key, a value of another
    /// type).
    #[error("{message}{}", place("at", path, *position))]
    Invalid {
        /// `serde_json`'s message, without its position (that is in `position`).
        message: String,
        /// Where in the document the error arose (`defects[0].created`); empty at the top level.
        path: String,
        /// Where in the text, when the text was read (not for a document read from a `Value`).
        position: Option<Position>,
    },
    /// A key appears twice in one object. A reader that kept either value would decide on half
    /// of what the document says, so the document is refused.
    #[error(
        "the key `{key}` appears twice{}: a document that gives one key two values cannot be read as either",
        place("in", path, *position)
    )]
    DuplicateKey {
        /// The repeated key.
        key: String,
        /// The object that holds it (`defects[0]`); empty for the top level.
        path: String,
        /// Where its second occurrence ends.
        position: Option<Position>,
    },
    /// A key the form does not have (only in the forms shipgate defines).
    #[error(
        "unknown key `{key}`{}{}",
        place("in", path, *position),
        hint(nearest.as_deref(), expected)
    )]
    UnknownKey {
        /// The key as written.
        key: String,
        /// The object that holds it; empty for the top level.
        path: String,
        /// Where the key ends, when the text was read.
        position: Option<Position>,
        /// The known key it most likely is a misspelling of.
        nearest: Option<String>,
        /// Every key the object may have.
        expected: Vec<String>,
    },
}

impl JsonError {
    /// What is wrong.
    pub fn kind(&self) -> &JsonErrorKind {
        &self.kind
    }

    /// Whether a key appears twice.
    pub fn is_duplicate_key(&self) -> bool {
        matches!(*self.kind, JsonErrorKind::DuplicateKey { .. })
    }

    /// Where in the text, when known.
    pub fn position(&self) -> Option<Position> {
        match &*self.kind {
            JsonErrorKind::NotJson { position, .. }
            | JsonErrorKind::Invalid { position, .. }
            | JsonErrorKind::DuplicateKey { position, .. }
            | JsonErrorKind::UnknownKey { position, .. } => *position,
        }
    }

    /// The error of a document that is line `line` of a file of one document a line (k6
    /// `--out json`): its position moved to that line.
    pub fn on_line(mut self, line: usize) -> Self {
        match &mut *self.kind {
            JsonErrorKind::NotJson { position, .. }
            | JsonErrorKind::Invalid { position, .. }
            | JsonErrorKind::DuplicateKey { position, .. }
            | JsonErrorKind::UnknownKey { position, .. } => {
                if let Some(p) = position {
                    p.line = line;
                }
            }
        }
        self
    }
}

fn place(word: &str, path: &str, position: Option<Position>) -> String {
    let mut s = String::new();
    if !path.is_empty() {
        s.push_str(&format!(" {word} `{path}`"));
    }
    if let Some(p) = position {
        s.push_str(&format!(" ({p})"));
    }
    s
}

fn hint(nearest: Option<&str>, expected: &[String]) -> String {
    match (nearest, expected) {
        (Some(n), _) => format!("; did you mean `{n}`?"),
        (None, []) => String::new(),
        (None, keys) => format!(
            "; the keys are {}",
            keys.iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_key_the_path_and_the_position() {
        let at = Some(Position {
            line: 4,
            column: 15,
        });
        let e = JsonError::from(JsonErrorKind::DuplicateKey {
            key: "status".into(),
            path: "defects[0]".into(),
            position: at,
        });
        assert!(
            e.to_string().starts_with(
                "the key `status` appears twice in `defects[0]` (line 4, column 15): "
            ),
            "{e}"
        );
        let e = JsonError::from(JsonErrorKind::UnknownKey {
            key: "stauts".into(),
            path: String::new(),
            position: None,
            nearest: Some("status".into()),
            expected: vec!["key".into(), "status".into()],
        });
        assert_eq!(
            e.to_string(),
            "unknown key `stauts`; did you mean `status`?"
        );
        let e = JsonError::from(JsonErrorKind::UnknownKey {
            key: "colour".into(),
            path: "tool".into(),
            position: at,
            nearest: None,
            expected: vec!["name".into(), "version".into()],
        });
        assert_eq!(
            e.to_string(),
            "unknown key `colour` in `tool` (line 4, column 15); the keys are `name`, `version`"
        );
        assert_eq!(e.position(), at);
        let moved = e.on_line(1234).position().unwrap();
        assert_eq!((moved.line, moved.column), (1234, 15));
    }
}
