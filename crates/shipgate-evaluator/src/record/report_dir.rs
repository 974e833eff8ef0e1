//! Refuses a `--report-dir` that the policy's own globs would read as evidence on the next run
//! (the record is skipped when read, see `finder`, but such a folder is still a mistake).

use super::layout::{EVIDENCE_DIR, MANIFEST_FILE, REPORT_FILES, sanitize};
use crate::loaded_policy::LoadedPolicy;
use crate::resolver::Resolver;
use shipgate_model::Report;
use std::path::{Component, Path, PathBuf};

/// `dir` made absolute and canonical as far as it exists (the rest appended as written); `None`
/// when the part that does not exist yet climbs with `..`.
fn canonical_target(dir: &Path) -> Option<PathBuf> {
    let absolute = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(dir)
    };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = std::fs::canonicalize(existing) {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        let name = existing.file_name()?;
        rest.push(name.to_owned());
        existing = existing.parent()?;
        if matches!(
            Path::new(name).components().next(),
            Some(Component::ParentDir | Component::CurDir)
        ) {
            return None;
        }
    }
}

/// The first file a release record written to `dir` would hold that one of the policy's
/// globs (`sources.tests.junit`, `sources.tests.history`) matches: `(glob, file)`. `check`
/// refuses such a `--report-dir`: the next run would find the record where it looks for
/// evidence (it skips it, see `RecordFinder`, but the folder is still a mistake).
///
/// Exact, never a guess: the record's files are named as [`write_record`](crate::write_record)
/// names them, and each glob is matched as the glob expansion matches it. A glob this cannot
/// match exactly (a `[...]` class, `..`, an absolute path), and a report folder outside the
/// policy's folder, are not refused; the skip still protects them.
pub fn record_read_by_globs(
    dir: &Path,
    loaded: &LoadedPolicy,
    resolver: &Resolver,
    report: &Report,
) -> Option<(String, String)> {
    let policy = &loaded.policy;
    let mut patterns: Vec<&String> = Vec::new();
    if let Some(tests) = &policy.sources.tests {
        patterns.extend(tests.junit.iter());
    }
    if let Some(history) = policy.history_globs() {
        patterns.extend(history.iter());
    }
    if patterns.is_empty() {
        return None;
    }
    let base = std::fs::canonicalize(&loaded.base_dir).ok()?;
    let target = canonical_target(dir)?;
    let relative = target.strip_prefix(&base).ok()?;
    let mut prefix = Vec::new();
    for part in relative.components() {
        match part {
            Component::Normal(p) => prefix.push(p.to_str()?.to_owned()),
            _ => return None,
        }
    }
    let policy_name = loaded.path.file_name().map_or_else(
        || "shipgate.yaml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let mut files: Vec<String> = REPORT_FILES.iter().map(|f| (*f).to_owned()).collect();
    files.push(MANIFEST_FILE.to_owned());
    files.push(format!("{EVIDENCE_DIR}/policy/{}", sanitize(&policy_name)));
    files.extend(resolver.planned_copies(report));
    for pattern in patterns {
        let Some(glob) = exact_components(pattern) else {
            continue;
        };
        let glob: Vec<&str> = glob.iter().map(String::as_str).collect();
        for file in &files {
            let path: Vec<&str> = prefix
                .iter()
                .map(String::as_str)
                .chain(file.split('/'))
                .collect();
            if matches_components(&glob, &path) {
                let shown = Path::new(dir).join(file).display().to_string();
                return Some((pattern.clone(), shown));
            }
        }
    }
    None
}

/// A relative glob as components, when it can be matched exactly here: only `*`, `?` and whole
/// `**` components, no `..`, not absolute, not ending in `**` (which matches folders only).
fn exact_components(pattern: &str) -> Option<Vec<String>> {
    if pattern.contains(['[', '\\']) || Path::new(pattern).is_absolute() {
        return None;
    }
    let parts: Vec<String> = pattern
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .map(str::to_owned)
        .collect();
    if parts.is_empty()
        || parts.last().is_some_and(|p| p == "**")
        || parts
            .iter()
            .any(|p| p == ".." || (p.contains("**") && p != "**"))
    {
        return None;
    }
    Some(parts)
}

/// Whether the path's components match the glob's: `**` any number of folders, and within a
/// component `*` any run of characters and `?` one.
fn matches_components(glob: &[&str], path: &[&str]) -> bool {
    match glob.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| {
            path.get(skip..)
                .is_some_and(|tail| matches_components(rest, tail))
        }),
        Some((first, rest)) => match path.split_first() {
            Some((name, tail)) => matches_name(first, name) && matches_components(rest, tail),
            None => false,
        },
    }
}

fn matches_name(glob: &str, name: &str) -> bool {
    let g: Vec<char> = glob.chars().collect();
    let n: Vec<char> = name.chars().collect();
    // Classic wildcard matching, with backtracking to the last `*`.
    let (mut gi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        match g.get(gi) {
            Some('*') => {
                star = Some((gi, ni));
                gi += 1;
            }
            Some('?') => {
                gi += 1;
                ni += 1;
            }
            Some(c) if Some(c) == n.get(ni) => {
                gi += 1;
                ni += 1;
            }
            _ => match star {
                Some((sg, sn)) => {
                    gi = sg + 1;
                    ni = sn + 1;
                    star = Some((sg, sn + 1));
                }
                None => return false,
            },
        }
    }
    g.get(gi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_are_matched_as_the_expansion_matches_them() {
        let m = |g: &str, p: &str| {
            let g = exact_components(g).unwrap();
            let g: Vec<&str> = g.iter().map(String::as_str).collect();
            let p: Vec<&str> = p.split('/').collect();
            matches_components(&g, &p)
        };
        assert!(m("reports/**/*.xml", "reports/gate/gate-junit.xml"));
        assert!(m("reports/**/*.xml", "reports/a.xml"));
        assert!(m(
            "./reports/**/TEST-*.xml",
            "reports/g/evidence/files/tests/r/TEST-a.xml"
        ));
        assert!(!m("reports/*.xml", "reports/gate/gate-junit.xml"));
        assert!(!m("reports/**/TEST-*.xml", "reports/gate/gate-junit.xml"));
        assert!(m("r/?ate/*", "r/gate/report.json"));
        assert!(!m("r/?ate/*", "r/ggate/report.json"));
        assert!(m("**/*", "a/b/c"));
        assert!(m("a*b*c", "abc") && m("a*b*c", "axxbyyc") && !m("a*b*c", "axxbyy"));
        assert!(exact_components("r/[ab]/*.xml").is_none());
        assert!(exact_components("../r/*.xml").is_none());
        assert!(exact_components("/abs/*.xml").is_none());
        assert!(exact_components("r/**").is_none());
        assert!(exact_components("r/a**/x").is_none());
    }
}
