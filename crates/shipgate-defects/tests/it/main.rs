//! Integration tests of shipgate-defects, in one binary (one link instead of four): the trackers
//! served by a local server (wiremock) in their APIs' shapes, the `file` source, and what each
//! tracker's answers must be refused or marked as.

mod common;
mod duplicate_keys;
mod file_sources;
mod not_defects;
mod paging;
