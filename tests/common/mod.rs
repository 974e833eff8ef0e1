//! Helpers shared by the CLI test files: the binary with a clean environment, a temporary
//! project (a policy and the files it reads), and the JUnit corpus.

#![allow(
    dead_code,
    reason = "each test binary uses some of these helpers; `expect` would be unfulfilled in one that uses them all"
)]
#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

pub mod mock;
pub mod workflow;

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub const NOW: &str = "2026-11-24T10:00:00Z";

pub fn shipgate() -> Command {
    let mut cmd = Command::cargo_bin("shipgate").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("SHIPGATE_POLICY")
        .env_remove("RELEASE_VERSION")
        .env_remove("GITHUB_SHA")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1");
    cmd
}

pub fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("crates/shipgate-junit/tests/fixtures/corpus")
        .join(name)
}

/// A temporary project: a policy and the files it reads.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(policy: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shipgate.yaml"), policy).unwrap();
        Self { dir }
    }

    pub fn file(self, rel: &str, contents: &[u8]) -> Self {
        let path = self.dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
        self
    }

    pub fn copy(self, rel: &str, from: &Path) -> Self {
        let bytes = std::fs::read(from).unwrap();
        self.file(rel, &bytes)
    }

    pub fn policy(&self) -> PathBuf {
        self.dir.path().join("shipgate.yaml")
    }

    pub fn check(&self) -> Command {
        let mut cmd = shipgate();
        cmd.args(["check", "--now", NOW, "--policy"])
            .arg(self.policy());
        cmd
    }
}

/// `shipgate check --now NOW --policy PATH` for a policy of the repository (an example).
pub fn check_example(policy: &str) -> Command {
    let mut cmd = shipgate();
    cmd.args(["check", "--now", NOW, "--policy", policy]);
    cmd
}
