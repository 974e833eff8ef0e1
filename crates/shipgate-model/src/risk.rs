//! The evidence of the risk factors that come from outside the tracker and the test results:
//! code complexity, as the tools teams already run report it (lizard, radon), and change
//! frequency (churn), as the repository's git history gives it.
//!
//! Paths here are always relative to the policy file's folder, with `/` separators and no `.`
//! or `..` left that could be resolved (`../app/payments/auth.py` from `examples/risk/`), the
//! same base every other path of a policy has, so that a risk area's `files` globs are matched
//! against one kind of path whatever tool wrote it. Reading and normalising them is the
//! business of `shipgate-risk`; this module is only the data.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The tool that measured a function's complexity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ComplexityTool {
    /// lizard (`lizard --csv`): cyclomatic complexity of functions in some 25 languages.
    Lizard,
    /// radon (`radon cc --json`): cyclomatic complexity of Python functions and methods.
    Radon,
}

impl ComplexityTool {
    /// The name as written in a policy (`format: lizard`).
    pub fn as_str(self) -> &'static str {
        match self {
            ComplexityTool::Lizard => "lizard",
            ComplexityTool::Radon => "radon",
        }
    }
}

/// One function (method, closure) and its cyclomatic complexity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionComplexity {
    /// The source file, relative to the policy's folder.
    pub file: String,
    /// The function's name as the tool writes it (`Ledger.post`, `outer.inner`).
    pub function: String,
    /// The line it starts on, when the tool says.
    pub line: Option<u64>,
    /// Its cyclomatic complexity (McCabe): 1 for straight-line code, one more per decision.
    pub ccn: u32,
    /// The tool that measured it.
    pub tool: ComplexityTool,
}

/// Every function the configured complexity reports measured.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplexityEvidence {
    /// The functions, in report then file order.
    pub functions: Vec<FunctionComplexity>,
}

/// One file a commit changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileChange {
    /// The file, relative to the policy's folder.
    pub path: String,
    /// Lines added; `None` for a binary file.
    pub added: Option<u64>,
    /// Lines deleted; `None` for a binary file.
    pub deleted: Option<u64>,
}

/// One commit in the churn window and the files it changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChurnCommit {
    /// The commit id.
    pub id: String,
    /// When it was committed (the committer's date).
    #[serde(with = "crate::instant::strict")]
    pub time: Timestamp,
    /// The files it changed (a merge commit lists none: its changes are its parents').
    pub files: Vec<FileChange>,
}

/// The repository's history over the churn window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChurnEvidence {
    /// The first instant of the window.
    #[serde(with = "crate::instant::strict")]
    pub since: Timestamp,
    /// The last instant of the window (the evaluation time).
    #[serde(with = "crate::instant::strict")]
    pub until: Timestamp,
    /// The commit the history was read at (`HEAD`).
    pub head: String,
    /// Every commit in the window, newest first.
    pub commits: Vec<ChurnCommit>,
    /// Every file the repository tracks at `head`, relative to the policy's folder: a risk
    /// area whose globs match none of them names files that do not exist, which is not "no
    /// churn".
    pub tracked: Vec<String>,
}
