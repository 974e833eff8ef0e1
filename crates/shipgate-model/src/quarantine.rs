//! Known-flaky tests (`sources.tests.quarantine`): a list kept in the repository, each entry with
//! an owner, a ticket and an expiry.
//!
//! A quarantined test's failure does not count against `regression.pass-rate`, but it is
//! reported. An expired entry quarantines nothing. An entry that matches a critical-path test is
//! refused: critical paths are never quarantined. Those rules are the policy engine's; this is
//! the list as read.

use crate::pattern::TestPattern;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One entry of the quarantine file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineEntry {
    /// Which tests: a pattern over `classname.name`, as in critical paths.
    pub pattern: TestPattern,
    /// Who is fixing it (a team or an address).
    pub owner: String,
    /// The ticket that tracks the fix.
    pub ticket: String,
    /// The expiry as written (`2026-12-31`, through the end of that day UTC, or an instant).
    pub expires: String,
    /// The first instant at which the entry no longer holds.
    #[serde(with = "crate::instant::strict")]
    pub expires_at: Timestamp,
    /// Why the test is quarantined, when given.
    pub reason: Option<String>,
    /// The entry's line in the file.
    pub line: usize,
}

impl QuarantineEntry {
    /// Whether the entry has expired at `now`.
    pub fn has_expired(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }
}

/// The quarantine file, as read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantine {
    /// The file's path as the user wrote it (relative to the policy's folder).
    pub path: String,
    /// The entries, in file order.
    pub entries: Vec<QuarantineEntry>,
}
