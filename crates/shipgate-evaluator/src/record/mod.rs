//! The release record: `--report-dir DIR` stores, beside the reports, `DIR/evidence/` with a copy
//! of the policy and of every input the decision was made on, what each source's globs matched,
//! what fetched sources fetched, and a manifest of it all (path, SHA-256, size, source). A
//! [`Snapshot`] opens such a record, refuses it when any stored byte differs from the manifest,
//! and lets the [`Resolver`](crate::Resolver) answer a replay from it, offline.
//!
//! - `layout`: where each file of a record lives, and the name an input's copy is stored under;
//! - `manifest`: the manifest's types;
//! - `journal`: what the resolver remembered of a run, which the record is written from;
//! - `writer`: [`write_record`];
//! - `snapshot`: [`Snapshot`], a record opened and verified for replay;
//! - `compare`: how a replayed report compares with the recorded one, and the rule that a
//!   replay must reproduce the recorded decision;
//! - `finder` and `report_dir`: a record is never read as evidence, and a report folder the
//!   policy's globs would read is refused.
//!
//! Nothing here evaluates or reads evidence: the sources do, through the resolver.

mod compare;
mod finder;
mod journal;
mod layout;
mod manifest;
mod report_dir;
mod snapshot;
mod writer;

#[cfg(test)]
mod tests;

pub use compare::{check_reproduced, compare_reports};
pub use layout::{EVIDENCE_DIR, MANIFEST_FILE, REPORT_FILE, REPORT_FILES};
pub use manifest::{MANIFEST_VERSION, Manifest};
pub use report_dir::record_read_by_globs;
pub use snapshot::{Snapshot, load_snapshot_policy};
pub use writer::{WrittenRecord, write_record};

pub(crate) use finder::RecordFinder;
pub(crate) use journal::{Failure, Fetched, FetchedContent, Journal};
pub(crate) use layout::stored_path;
pub(crate) use manifest::GlobEntry;
pub(crate) use snapshot::Lookup;
