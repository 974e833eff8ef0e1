//! Integration tests of shipgate-junit, in one binary: the conformance corpus, fixtures for what
//! the corpus lacks, hostile input, and reading files and globs.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

mod corpus;
mod files;
mod fixtures;
mod history;
mod hostile;
mod repeats;
mod retries;
mod wellformed;

use std::path::{Path, PathBuf};

/// `tests/fixtures/`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The bytes of a fixture.
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(fixtures_dir().join(name)).unwrap()
}
