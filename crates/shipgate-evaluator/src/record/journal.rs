//! What the resolver remembers of one evaluation: each glob expansion, where each input's bytes
//! were, why a file could not be read, and what fetched sources fetched. A release record is
//! written from it, and a replay's resolver starts from what the record stored of it.

use super::manifest::GlobEntry;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// What one source fetched, for the record.
#[derive(Debug)]
pub(crate) struct Fetched {
    /// The source (`defects`).
    pub source: String,
    /// Where it was fetched from.
    pub origin: String,
    /// The file name to store it under (`defects.json`).
    pub file_name: String,
    /// Its bytes.
    pub content: FetchedContent,
}

/// Where a fetched copy's bytes are.
#[derive(Debug)]
pub(crate) enum FetchedContent {
    /// Fetched by this run.
    Bytes(Vec<u8>),
    /// Stored in the release record being replayed, with the hash and size its manifest gives.
    Stored {
        /// The stored copy.
        path: PathBuf,
        /// Hex SHA-256.
        sha256: String,
        /// Size in bytes.
        bytes: u64,
    },
}

/// Why a located file has no bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    /// It did not exist.
    NotFound,
    /// It could not be read; the error as shown.
    Unreadable(String),
}

/// What the resolver answered during one evaluation.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    /// Each glob expansion, in the order asked.
    pub globs: Vec<GlobEntry>,
    /// (source, shown) → where the bytes were.
    pub located: BTreeMap<(String, String), PathBuf>,
    /// (source, shown) → why a located file could not be read, as its reader said.
    pub failures: BTreeMap<(String, String), Failure>,
    /// What fetched sources fetched (at replay: what the record stored of it, carried over so
    /// that a replay recorded again stores it as fetched again).
    pub fetched: Vec<Fetched>,
}
