//! The manifest of a release record (`evidence/manifest.json`): what the record holds, with the
//! hash and size of every stored file. Types only: writing is `writer`'s job, reading and
//! verifying `snapshot`'s.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use shipgate_model::report::Tool;
use std::collections::BTreeMap;

/// The version of the manifest's shape. Bumped only on a breaking change. Version 2 added
/// `absent`: without it, an input that could not be read replayed as one that did not exist.
pub const MANIFEST_VERSION: u32 = 2;

/// The manifest of a release record (`evidence/manifest.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// The tool that wrote the record.
    pub tool: Tool,
    /// The evaluation time of the recorded decision; a replay evaluates at it by default. Read
    /// back only as an instant (`Z`, an offset or a zone), never as a zoneless time.
    #[serde(with = "shipgate_model::instant::strict")]
    pub evaluated_at: Timestamp,
    /// The JSON report written beside the record, when there is one.
    pub report: Option<StoredFile>,
    /// The policy, as read.
    pub policy: PolicyEntry,
    /// What each source's globs matched.
    pub globs: Vec<GlobEntry>,
    /// Every local input, stored.
    pub files: Vec<FileEntry>,
    /// Every input the run looked for but has no copy of: not found, or found and unreadable.
    pub absent: Vec<AbsentEntry>,
    /// What each fetched source fetched, stored.
    pub fetched: Vec<FetchedEntry>,
}

/// A file of the record that is not an input (the JSON report).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// Relative to the report folder.
    pub stored: String,
    /// Hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// The policy in the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEntry {
    /// The path as the user gave it.
    pub path: String,
    /// The folder its relative paths were resolved against.
    pub base_dir: String,
    /// The copy, relative to the report folder.
    pub stored: String,
    /// Hex SHA-256 (the report's `policy.sha256`).
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Every `${VAR}` the policy referenced, with the value it had (`null`: unset), so that a
    /// replay expands the policy exactly as the recorded run did.
    pub env: BTreeMap<String, Option<String>>,
}

/// What one source's list of globs matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobEntry {
    /// The source (`tests`).
    pub source: String,
    /// The patterns, as written in the policy.
    pub patterns: Vec<String>,
    /// The files they matched, by the name inputs are recorded under.
    pub matched: Vec<String>,
    /// The patterns that matched nothing.
    pub unmatched: Vec<String>,
    /// Why the globs could not be expanded, when they could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One stored input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The source it belongs to.
    pub source: String,
    /// The input's path in the report.
    pub path: String,
    /// The copy, relative to the report folder.
    pub stored: String,
    /// Hex SHA-256 (the report's input hash).
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// An input the recorded run looked for and could not read: a replay reads it the same way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsentEntry {
    /// The source it belongs to.
    pub source: String,
    /// The input's path, as the report names it.
    pub path: String,
    /// What happened.
    pub state: AbsentState,
    /// The error, when it was unreadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Why a record holds no copy of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AbsentState {
    /// There was no such file: a replay reads it as not found.
    NotFound,
    /// It was there and could not be read (a folder, no permission, too large): a replay reads
    /// it as an I/O error with the recorded message, never as absent.
    Unreadable,
}

/// What one fetched source fetched, stored as its `kind: file` reader reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedEntry {
    /// The source (`defects`).
    pub source: String,
    /// Where it was fetched from.
    pub origin: String,
    /// The copy, relative to the report folder.
    pub stored: String,
    /// Hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}
