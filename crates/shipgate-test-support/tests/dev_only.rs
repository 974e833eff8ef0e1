//! shipgate-test-support is only ever a dev-dependency: its helpers panic, which the gate itself
//! must never do, and it is not published, so a crate that depended on it normally could not be
//! published either. Every manifest of the workspace may name it under `[dev-dependencies]`
//! (and the root's `[workspace.dependencies]`, which only declares it), nowhere else.

#![expect(
    clippy::panic,
    reason = "a test fails by panicking, naming the manifest"
)]

use std::path::{Path, PathBuf};

fn manifests() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut found = vec![root.join("Cargo.toml")];
    let crates = std::fs::read_dir(root.join("crates")).unwrap_or_else(|e| panic!("crates/: {e}"));
    for entry in crates.flatten() {
        let manifest = entry.path().join("Cargo.toml");
        if manifest.is_file() {
            found.push(manifest);
        }
    }
    found
}

/// The TOML section each line of `text` naming the crate is in.
fn sections_naming_it(text: &str) -> Vec<String> {
    let mut section = String::new();
    let mut found = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line.to_owned();
        } else if !line.starts_with('#') && line.contains("shipgate-test-support") {
            found.push(section.clone());
        }
    }
    found
}

#[test]
fn it_is_a_dev_dependency_wherever_it_is_named() {
    let mut users = 0;
    for manifest in manifests() {
        let text = std::fs::read_to_string(&manifest)
            .unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
        for section in sections_naming_it(&text) {
            match section.as_str() {
                "[dev-dependencies]" => users += 1,
                "[workspace.dependencies]" | "[package]" => {}
                other => panic!(
                    "{} names shipgate-test-support under {other}: it may only be a [dev-dependencies] entry",
                    manifest.display()
                ),
            }
        }
    }
    assert!(users >= 2, "no crate's tests use it any more ({users})");
}

#[test]
fn a_normal_dependency_is_caught() {
    let text = "[dependencies]\nshipgate-test-support.workspace = true\n\n[dev-dependencies]\n";
    assert_eq!(sections_naming_it(text), ["[dependencies]"]);
    let target = "[target.'cfg(unix)'.dependencies]\nshipgate-test-support = { path = \"x\" }\n";
    assert_eq!(
        sections_naming_it(target),
        ["[target.'cfg(unix)'.dependencies]"]
    );
}
