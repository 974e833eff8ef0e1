//! Why the gate could not start.

use shipgate_policy::Problem;
use std::path::PathBuf;

/// The gate could not start: there is no readable, valid policy.
#[derive(Debug, thiserror::Error)]
pub enum EvaluatorError {
    /// The policy file could not be read.
    #[error("failed to read the policy `{}`", path.display())]
    PolicyUnreadable {
        /// The path given.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The policy file is not UTF-8 text.
    #[error("failed to read the policy `{}`: it is not UTF-8 text (invalid byte at offset {offset})", path.display())]
    PolicyNotUtf8 {
        /// The path given.
        path: PathBuf,
        /// The offset of the first invalid byte.
        offset: usize,
    },
    /// The policy has problems; each is listed with its line.
    #[error("the policy `{}` is invalid ({} problem{})", path.display(), problems.len(), if problems.len() == 1 { "" } else { "s" })]
    PolicyInvalid {
        /// The path given.
        path: PathBuf,
        /// Every problem, in line order.
        problems: Vec<Problem>,
    },
}
