//! A position in a document: what a node and a problem point at. Its own file because both the
//! tree (`node`) and the problems (`error`) name it, and neither may depend on the other's
//! insides.

use std::fmt;

/// A position in the text, 1-based.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mark {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub col: usize,
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}
