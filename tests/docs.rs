//! The documentation is part of the feature: these tests keep it true to the code. Every check
//! id has its section in docs/checks.md and its entry in `shipgate explain`; the README's
//! exit-code table is the one the code returns; every policy shown in the docs validates.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use crate::common;

use common::shipgate;
use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

/// The YAML code blocks of a Markdown file that look like a whole policy.
fn policies(markdown: &str) -> Vec<String> {
    markdown
        .split("```yaml\n")
        .skip(1)
        .filter_map(|block| block.split("\n```").next())
        .filter(|b| b.starts_with("version: 1") || b.contains("\nversion: 1\n"))
        .map(str::to_owned)
        .collect()
}

fn validates(policy: &str, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shipgate.yaml");
    std::fs::write(&path, policy).unwrap();
    let out = shipgate()
        .arg("validate")
        .arg("--policy")
        .arg(&path)
        .env("RELEASE_VERSION", "2.4.0")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what} does not validate:\n{}\n{policy}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_check_id_is_documented_and_explained() {
    let checks = read("docs/checks.md");
    let out = shipgate().arg("explain").output().unwrap();
    let listed = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = listed
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(ids.len() >= 12, "{listed}");
    for id in &ids {
        assert!(
            checks.contains(&format!("## `{id}`")),
            "docs/checks.md has no section for `{id}`"
        );
        let explained = shipgate().args(["explain", id]).output().unwrap();
        assert_eq!(explained.status.code(), Some(0), "explain {id}");
    }
    // The docs list exactly the registry's checks, in report order: the summary table and the
    // sections both.
    let table: Vec<&str> = checks
        .lines()
        .filter_map(|l| l.strip_prefix("| [`"))
        .filter_map(|l| l.split('`').next())
        .collect();
    assert_eq!(table, ids, "the table at the top of docs/checks.md");
    let sections: Vec<&str> = checks
        .lines()
        .filter_map(|l| l.strip_prefix("## `"))
        .filter_map(|l| l.strip_suffix('`'))
        .collect();
    assert_eq!(sections, ids, "the `## `id`` sections of docs/checks.md");
}

#[test]
fn the_readme_exit_code_table_is_the_code_s() {
    let readme = read("README.md");
    for (code, meaning) in [
        (0, "ready"),
        (1, "blocked"),
        (2, "usage error"),
        (3, "the policy file is invalid"),
        (4, "evidence could not be read or fetched"),
        (70, "internal error"),
    ] {
        assert!(
            readme.contains(&format!("| {code} | {meaning}")),
            "README's exit-code table lacks `| {code} | {meaning}`"
        );
    }
}

#[test]
fn every_policy_in_the_docs_validates() {
    let mut seen = 0;
    for doc in ["docs/policy.md", "README.md", "docs/risk.md"] {
        for (i, policy) in policies(&read(doc)).into_iter().enumerate() {
            validates(&policy, &format!("{doc}, policy #{}", i + 1));
            seen += 1;
        }
    }
    assert!(
        seen >= 2,
        "the docs show at least the README's and the complete example"
    );
}

#[test]
fn the_starter_policies_validate_and_name_their_reference() {
    for profile in ["basic", "fintech"] {
        let out = shipgate()
            .args(["init", "--profile", profile, "--output", "-"])
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("docs/policy.md"), "{profile}");
        validates(&text, &format!("shipgate init --profile {profile}"));
    }
}

/// The README's test command is the one `.ci/run` runs, word for word, and it covers every crate
/// of the workspace (a plain `cargo test` in the root once ran only the binary's 187 of 742
/// tests while the README called it "every test").
#[test]
fn the_readme_test_command_is_what_ci_runs_and_covers_the_workspace() {
    let readme = read("README.md");
    let commands: Vec<&str> = readme
        .lines()
        .filter(|l| l.starts_with("cargo test"))
        .map(|l| l.split('#').next().unwrap_or_default().trim())
        .collect();
    assert!(!commands.is_empty(), "the README documents a test command");
    let ci = read(".ci/run");
    for command in commands {
        assert_eq!(command, "cargo test --workspace", "README: `{command}`");
        assert!(
            ci.lines().any(|l| l.trim() == command),
            ".ci/run does not run the README's `{command}`"
        );
    }
    let manifest = read("Cargo.toml");
    assert!(
        manifest.contains(r#"default-members = [".", "crates/*"]"#),
        "a plain `cargo test` runs every crate too"
    );
}
