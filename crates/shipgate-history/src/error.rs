//! Why the history could not be read or the backtest could not start.

use std::path::PathBuf;

/// The history could not be read, or the defects to join could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// A `--records` glob is not a glob.
    #[error("failed to read the records glob `{pattern}`: {message}")]
    BadGlob {
        /// The pattern as given.
        pattern: String,
        /// Why.
        message: String,
    },
    /// A `--records` path is not a folder.
    #[error("failed to find release records in `{}`: it is not a folder (give a report folder written by `shipgate check --report-dir`, a folder of them, or a glob)", path.display())]
    NotAFolder {
        /// The path as given.
        path: PathBuf,
    },
    /// A `--records` argument names no record.
    #[error(
        "failed to find a release record in `{arg}`: no folder there holds `evidence/manifest.json` or `report.json` (records are written by `shipgate check --report-dir DIR`)"
    )]
    NoRecords {
        /// The argument as given.
        arg: String,
    },
    /// The policy names no defect source and no defect file was given.
    #[error("failed to find the production defects: the policy `{}` has no `sources.defects`, and no `--defects FILE` was given", policy.display())]
    NoDefectSource {
        /// The policy.
        policy: PathBuf,
    },
    /// The defects could not be loaded.
    #[error("failed to load the production defects from `{location}`: {message}")]
    Defects {
        /// The tracker or file.
        location: String,
        /// Why.
        message: String,
        /// What to do.
        remedy: String,
        /// Whether they are absent (offline, not found) rather than unreadable.
        missing: bool,
    },
}
