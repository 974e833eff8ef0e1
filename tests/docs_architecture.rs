//! The recipes of docs/architecture.md name the files a tracker or a load-test format touches;
//! this keeps those names true: every file they name exists, and holds what the recipe says it
//! holds.

#![expect(
    clippy::panic,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use std::path::Path;

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The repository paths written in backticks (`crates/...`, `docs/...`), without placeholders.
fn named_paths(markdown: &str) -> Vec<String> {
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("crates/") || s.starts_with("docs/"))
        .filter(|s| !s.contains('<'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_file_the_recipes_name_exists() {
    let doc = read("docs/architecture.md");
    let paths = named_paths(&doc);
    assert!(paths.len() >= 10, "{paths:?}");
    for p in &paths {
        assert!(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(p).exists(),
            "docs/architecture.md names `{p}`, which does not exist"
        );
    }
}

#[test]
fn the_registries_and_vocabulary_are_where_the_recipes_say() {
    for (file, holds) in [
        ("crates/shipgate-defects/src/trackers.rs", "static TRACKERS"),
        ("crates/shipgate-defects/src/tracker.rs", "trait Tracker"),
        ("crates/shipgate-perf/src/readers.rs", "static READERS"),
        ("crates/shipgate-perf/src/reader.rs", "trait Reader"),
        (
            "crates/shipgate-model/src/trackers.rs",
            "pub enum TrackerKind",
        ),
        ("crates/shipgate-model/src/trackers.rs", "pub const fn spec"),
        ("crates/shipgate-model/src/perf.rs", "pub enum PerfFormat"),
        (
            "crates/shipgate-model/src/perf.rs",
            "pub const fn conventions",
        ),
    ] {
        assert!(read(file).contains(holds), "{file} has no `{holds}`");
    }
    let doc = read("docs/architecture.md");
    for heading in [
        "## Recipe: add a tracker",
        "## Recipe: add a load-test format",
    ] {
        assert!(doc.contains(heading), "{heading}");
    }
}
