//! The collector of a policy's problems: each found at the line of the key it is about, and
//! marked as looking at one place or across the whole policy. Every rule of validation (the
//! sections' in `crate::load`, the checks' in `crate::checks`) reports through it.
//!
//! It knows no rule and no check, so that both can depend on it.

use shipgate_yaml::{Mark, Node, Problem};

/// Whether a rule looks at one place, or across the whole policy.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// About one key.
    Local,
    /// About which sections or sources exist together.
    WholePolicy,
}

/// The problems found so far, against the document's tree.
pub(crate) struct Validator<'a> {
    /// The document as parsed, with its marks.
    pub(crate) tree: &'a Node,
    /// The problems found so far.
    pub(crate) problems: Vec<(Problem, Scope)>,
}

impl<'a> Validator<'a> {
    /// A collector of the problems of `tree`.
    pub(crate) fn new(tree: &'a Node) -> Self {
        Self {
            tree,
            problems: Vec::new(),
        }
    }

    /// Every problem found, with its scope.
    pub(crate) fn into_problems(self) -> Vec<(Problem, Scope)> {
        self.problems
    }

    /// The mark of the node at `path`, or of its closest ancestor that exists.
    fn mark(&self, path: &str) -> Mark {
        let mut p = path;
        loop {
            if let Some(n) = self.tree.find_path(p) {
                return n.mark;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => return self.tree.mark,
            }
        }
    }

    /// Whether the policy writes the key at `path` (even with an empty value).
    pub(crate) fn has(&self, path: &str) -> bool {
        self.tree.find_path(path).is_some()
    }

    pub(crate) fn problem(&mut self, path: &str, message: impl Into<String>) {
        let mark = self.mark(path);
        self.problems
            .push((Problem::new(mark, path, message), Scope::Local));
    }

    pub(crate) fn cross_problem(&mut self, path: &str, message: impl Into<String>) {
        let mark = self.mark(path);
        self.problems
            .push((Problem::new(mark, path, message), Scope::WholePolicy));
    }
}
