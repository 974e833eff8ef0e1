//! Why a complexity report, the repository's history or a plan could not be read or made.

/// Why a risk input could not be read or a plan made.
#[derive(Debug, thiserror::Error)]
pub enum RiskError {
    /// A lizard CSV report that is not what `lizard --csv` writes.
    #[error("failed to read the lizard report `{path}` at line {line}: {reason}")]
    Lizard {
        /// The report, as the policy names it.
        path: String,
        /// The 1-based line.
        line: u64,
        /// What is wrong there.
        reason: String,
    },
    /// A radon JSON report that is not what `radon cc --json` writes.
    #[error("failed to read the radon report `{path}`: {reason}")]
    Radon {
        /// The report, as the policy names it.
        path: String,
        /// What is wrong, with the file or position it concerns.
        reason: String,
    },
    /// A complexity report that names no function at all: the tool ran on the wrong folder,
    /// or on nothing.
    #[error("failed to read the {tool} report `{path}`: it measures no function at all")]
    EmptyReport {
        /// The tool.
        tool: &'static str,
        /// The report.
        path: String,
    },
    /// `git log` output that is not in the form asked for.
    #[error("failed to read the git history: {reason}")]
    GitLog {
        /// What is wrong.
        reason: String,
    },
    /// A file glob of a risk area that cannot be compiled.
    #[error("`{glob}` is not a usable file glob: {reason}")]
    Glob {
        /// The glob as written.
        glob: String,
        /// Why.
        reason: String,
    },
    /// A plan was asked for tests none of which has a known duration.
    #[error(
        "failed to plan: none of the {tests} tests has a recorded duration, so no budget can be fitted"
    )]
    NoDurations {
        /// How many tests there were.
        tests: usize,
    },
}

impl RiskError {
    /// What the user can do about it.
    pub fn remedy(&self) -> String {
        match self {
            RiskError::Lizard { .. } => "write the report with `lizard --csv PATHS > FILE` (lizard 1.17 or later; `-V` adds the header line, which is read too) and do not edit it".to_owned(),
            RiskError::Radon { .. } => "write the report with `radon cc --json PATHS > FILE`; a file radon could not parse is reported as an error in it: fix the file or leave it out with `radon cc -e`".to_owned(),
            RiskError::EmptyReport { .. } => "run the tool on the source folders the risk areas' `files` name, from the folder the complexity source's `root` says".to_owned(),
            RiskError::GitLog { .. } => "run shipgate inside a git checkout with git on PATH; this is a bug in shipgate if git itself works there".to_owned(),
            RiskError::Glob { .. } => "write the glob with `*` (within a folder), `**` (any folders) and `?`; it is matched against paths relative to the policy file's folder".to_owned(),
            RiskError::NoDurations { .. } => "point `sources.tests.junit` (or `sources.tests.history`) at a run whose JUnit files carry each test's `time`".to_owned(),
        }
    }
}
