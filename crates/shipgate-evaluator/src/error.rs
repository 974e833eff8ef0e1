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
    /// A file of the release record could not be written (or an input could not be copied).
    #[error("failed to write the release record at `{}`", path.display())]
    RecordWrite {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// An input's bytes changed between the evaluation and its copy into the record.
    #[error(
        "failed to record `{path}`: it changed while the gate ran, so the record would not hold the bytes the decision was made on; run the gate again once nothing writes to it"
    )]
    InputChanged {
        /// The input's path in the report.
        path: String,
    },
    /// A file of the release record would hold a secret of the run.
    #[error(
        "failed to record `{path}`: it holds the secret of `{env}`, and a release record never keeps a secret; remove it from there (a test that prints its environment, a token pasted into a file) and treat it as leaked: revoke it and put a new one in `{env}`"
    )]
    SecretInRecord {
        /// The input's path in the report, or the record's own file.
        path: String,
        /// The environment variable that held the secret.
        env: String,
    },
    /// A loader reported an input it did not read through the resolver: a bug in shipgate.
    #[error(
        "failed to record the {source_name} input `{path}`: it was not read through the evidence resolver, so it could not be replayed (this is a bug in shipgate)"
    )]
    InputNotRecordable {
        /// The source.
        source_name: String,
        /// The input's path in the report.
        path: String,
    },
    /// The folder holds no release record that can be read.
    #[error("failed to read the release record in `{}`: {reason}", dir.display())]
    SnapshotUnreadable {
        /// The report folder.
        dir: PathBuf,
        /// Why.
        reason: String,
    },
    /// Stored files differ from the record's manifest.
    #[error("the release record in `{}` has been altered ({} problem{} against its manifest)", dir.display(), problems.len(), if problems.len() == 1 { "" } else { "s" })]
    SnapshotTampered {
        /// The report folder.
        dir: PathBuf,
        /// Each file that differs, is missing or is unlisted.
        problems: Vec<String>,
    },
    /// A replay at the recorded time decided otherwise than the record says it did.
    #[error(
        "the record does not reproduce its own decision: it recorded {recorded_decision} (exit {recorded_exit}), the replay decides {replayed_decision} (exit {replayed_exit}):\n  {}\n  the release record cannot be trusted; restore it from where it was archived{}",
        differences.join("\n  "),
        other_version.as_ref().map_or_else(String::new, |v| format!(", or replay it with shipgate {v}, which recorded it"))
    )]
    ReplayNotReproduced {
        /// `ready` or `blocked`, as recorded.
        recorded_decision: &'static str,
        /// The recorded exit code.
        recorded_exit: u8,
        /// `ready` or `blocked`, as replayed.
        replayed_decision: &'static str,
        /// The replay's exit code.
        replayed_exit: u8,
        /// Where the reports differ, one line each.
        differences: Vec<String>,
        /// The version of shipgate that recorded it, when it is not this one.
        other_version: Option<String>,
    },
}
