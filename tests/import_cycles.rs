//! No file-level import cycles inside a crate: a file that names another (`crate::a::X`,
//! `use crate::{a, b}`, `super::a`) depends on it, and no file may depend on itself through
//! others. A cycle means neither file can be read, tested or moved without the other; the
//! registries keep their trait in a file that names no implementation (`tracker.rs`,
//! `reader.rs`) for that reason.
//!
//! None is left (the last, the validated policy and the check registry, was broken by keeping
//! the interface of a configured check beside the policy that holds the checks), and none may
//! come back. Test modules (after `#[cfg(test)]`) are not counted, and neither
//! is the module tree itself: the crate root and a folder's `mod.rs` naming their own `mod`
//! children by relative path (`regression::PASS_RATE`) is structure, not an import.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failed unwrap, expect or assertion is a failed test"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module path of a file under `src` (`checks::leakage`; the crate root is ``).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts.join("::")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The `a::b::c` path written right after position `at`.
fn path_at(text: &str, at: usize) -> Vec<String> {
    let rest = &text[at..];
    let mut segments = Vec::new();
    let mut s = rest;
    loop {
        let end = s.find(|c: char| !is_ident(c)).unwrap_or(s.len());
        if end == 0 {
            break;
        }
        segments.push(s[..end].to_owned());
        match s[end..].strip_prefix("::") {
            Some(next) => s = next,
            None => break,
        }
    }
    segments
}

/// The first segments of the paths in a `{a, b::c, d::{e}}` group starting at `at` (after `{`).
fn group_at(text: &str, at: usize) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = true;
    for (i, c) in text[at..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => start = true,
            c if start && is_ident(c) => {
                out.push(path_at(text, at + i));
                start = false;
            }
            _ => {}
        }
    }
    out
}

/// Which modules each module of the crate under `src` names.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .map(|f| (module_of(src, f), f.clone()))
        .collect();
    let mut graph = BTreeMap::new();
    for (module, file) in &modules {
        let text = std::fs::read_to_string(file).unwrap();
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        let text: String = text
            .lines()
            .map(|l| l.split("//").next().unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\n");
        let mut paths: Vec<Vec<String>> = Vec::new();
        for (at, _) in text.match_indices("crate::") {
            let after = at + "crate::".len();
            if text[after..].starts_with('{') {
                paths.extend(group_at(&text, after + 1));
            } else {
                paths.push(path_at(&text, after));
            }
        }
        let parts: Vec<String> = module
            .split("::")
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        for (at, _) in text.match_indices("super::") {
            if text[..at].ends_with("super::") {
                continue;
            }
            // `super::super::x`: one module up per `super`.
            let mut after = at;
            let mut ups = 0;
            while text[after..].starts_with("super::") {
                after += "super::".len();
                ups += 1;
            }
            let base = &parts[..parts.len().saturating_sub(ups)];
            let heads = if text[after..].starts_with('{') {
                group_at(&text, after + 1)
            } else {
                vec![path_at(&text, after)]
            };
            for head in heads {
                paths.push(base.iter().cloned().chain(head).collect());
            }
        }
        let mut named = BTreeSet::new();
        for path in paths {
            // The longest prefix that is a module of the crate, other than this one.
            for k in (1..=path.len()).rev() {
                let candidate = path[..k].join("::");
                if modules.contains_key(&candidate) {
                    if candidate != *module {
                        named.insert(candidate);
                    }
                    break;
                }
            }
        }
        graph.insert(module.clone(), named);
    }
    graph
}

fn reachable(graph: &BTreeMap<String, BTreeSet<String>>, from: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_owned()];
    while let Some(m) = todo.pop() {
        for next in graph.get(&m).into_iter().flatten() {
            if seen.insert(next.clone()) {
                todo.push(next.clone());
            }
        }
    }
    seen
}

/// The modules of each cycle (strongly connected, more than one module).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<BTreeSet<String>> {
    let reach: BTreeMap<&String, BTreeSet<String>> =
        graph.keys().map(|m| (m, reachable(graph, m))).collect();
    let mut found: Vec<BTreeSet<String>> = Vec::new();
    for m in graph.keys() {
        let component: BTreeSet<String> = reach[m]
            .iter()
            .filter(|other| *other != m && reach[*other].contains(m))
            .cloned()
            .chain(std::iter::once(m.clone()))
            .collect();
        if component.len() > 1 && !found.contains(&component) {
            found.push(component);
        }
    }
    found
}

#[test]
fn no_crate_has_a_file_level_import_cycle_beyond_the_known_ones() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut crates: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("src").is_dir())
        .collect();
    crates.push(root.to_path_buf());
    assert!(crates.len() >= 12, "{crates:?}");
    let mut new = Vec::new();
    for dir in crates {
        let name = dir
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for cycle in cycles(&graph(&dir.join("src"))) {
            new.push(format!("{name}: {cycle:?}"));
        }
    }
    assert!(new.is_empty(), "file-level import cycles: {new:#?}");
}

/// The detector itself finds a cycle through a `use crate::{..}` group and through `super::`.
#[test]
fn the_detector_sees_groups_and_super() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("reg")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod a;\nmod b;\nmod reg;\n").unwrap();
    std::fs::write(src.join("a.rs"), "use crate::{b::B, reg};\n").unwrap();
    std::fs::write(
        src.join("b.rs"),
        "pub struct B;\nfn f() { crate::a::g(); }\n",
    )
    .unwrap();
    std::fs::write(src.join("reg/mod.rs"), "mod one;\n").unwrap();
    std::fs::write(
        src.join("reg/one.rs"),
        "use super::super::a;\n// crate::b in a comment\n",
    )
    .unwrap();
    let g = graph(src);
    assert_eq!(g["a"], BTreeSet::from(["b".to_owned(), "reg".to_owned()]));
    assert_eq!(g["b"], BTreeSet::from(["a".to_owned()]));
    assert_eq!(g["reg::one"], BTreeSet::from(["a".to_owned()]));
    let found = cycles(&g);
    assert_eq!(
        found,
        [BTreeSet::from(["a".to_owned(), "b".to_owned()])],
        "{g:?}"
    );
}
