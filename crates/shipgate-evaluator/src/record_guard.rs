//! Keeps shipgate's own release records out of the evidence.
//!
//! A `--report-dir` inside the folders a JUnit glob covers (`reports/**/*.xml` with
//! `--report-dir reports/gate`), or an earlier run's record unpacked into the workspace, holds a
//! copy of the old reports (`evidence/files/tests/...`) and the gate's own `gate-junit.xml`. Read
//! as evidence, the old passing copies would outvote this run's failures. So a live glob never
//! matches a file inside a release record ([`RecordFinder`]), and `check` refuses a report folder
//! the policy's globs would read on the next run ([`record_read_by_globs`]).

use crate::LoadedPolicy;
use crate::record::{EVIDENCE_DIR, MANIFEST_FILE, REPORT_FILES};
use crate::resolver::Resolver;
use shipgate_model::Report;
use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Mutex, PoisonError};

/// What a folder says about the files directly in it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum DirAnswer {
    /// No release record holds them.
    Clean,
    /// Every file in it belongs to the release record in this folder.
    Inside(PathBuf),
    /// The folder is a record's report folder that also holds the policy (or lies above it):
    /// only its report files (`report.json`, `gate-junit.xml`, ...) belong to the record.
    ReportFilesOf(PathBuf),
}

/// Finds the release record a file belongs to: any folder between the file and the policy's
/// folder (or, for a file outside it, the filesystem root) that holds a shipgate
/// `evidence/manifest.json`. The policy's folder and the folders above it are never a record as
/// a whole (the policy's evidence lives there): of such a folder, only its `evidence/` and its
/// report files are. The answer is cached per folder: the JUnit globs of a monorepo match
/// thousands of files in a few hundred folders.
pub(crate) struct RecordFinder {
    /// The policy's folder, canonical when it can be.
    base: PathBuf,
    /// Per folder as the glob gave it.
    dirs: Mutex<HashMap<PathBuf, DirAnswer>>,
    /// Per canonical folder: whether it holds a shipgate manifest.
    manifests: Mutex<HashMap<PathBuf, bool>>,
}

impl RecordFinder {
    pub(crate) fn new(base_dir: &Path) -> Self {
        Self {
            base: canonical(base_dir),
            dirs: Mutex::default(),
            manifests: Mutex::default(),
        }
    }

    /// The folder of the release record `file` belongs to, if it belongs to one.
    pub(crate) fn record_of(&self, file: &Path) -> Option<PathBuf> {
        let parent = file.parent()?;
        let cached = self
            .dirs
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(parent)
            .cloned();
        let answer = match cached {
            Some(a) => a,
            None => {
                let a = self.answer(parent);
                self.dirs
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(parent.to_path_buf(), a.clone());
                a
            }
        };
        match answer {
            DirAnswer::Clean => None,
            DirAnswer::Inside(record) => Some(record),
            DirAnswer::ReportFilesOf(record) => {
                let name = file.file_name()?.to_string_lossy();
                is_report_file(&name).then_some(record)
            }
        }
    }

    fn answer(&self, dir: &Path) -> DirAnswer {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        let canon = canonical(dir);
        let mut report_files_of = None;
        let mut child: Option<&std::ffi::OsStr> = None;
        for (depth, folder) in canon.ancestors().enumerate() {
            if folder.as_os_str().is_empty() {
                break;
            }
            // A record being written (or replaced) by a run right now.
            if let Some(name) = folder.file_name().and_then(|n| n.to_str())
                && (name.starts_with(&format!(".{EVIDENCE_DIR}.tmp-"))
                    || name.starts_with(&format!(".{EVIDENCE_DIR}.old-")))
                && let Some(record) = folder.parent()
            {
                return DirAnswer::Inside(record.to_path_buf());
            }
            if self.holds_manifest(folder) {
                // The policy's folder, or one above it: only the record's own files.
                let in_line = self.base.starts_with(folder);
                if !in_line || child.is_some_and(|c| c == EVIDENCE_DIR) {
                    return DirAnswer::Inside(folder.to_path_buf());
                }
                if depth == 0 {
                    report_files_of = Some(folder.to_path_buf());
                }
            }
            child = folder.file_name();
        }
        report_files_of.map_or(DirAnswer::Clean, DirAnswer::ReportFilesOf)
    }

    /// Whether `folder/evidence/manifest.json` is a shipgate manifest (another tool's
    /// `evidence/manifest.json` does not make a folder a record: skipping its files could hide
    /// a failing report).
    fn holds_manifest(&self, folder: &Path) -> bool {
        if let Some(known) = self
            .manifests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(folder)
        {
            return *known;
        }
        let holds = is_shipgate_manifest(&folder.join(MANIFEST_FILE));
        self.manifests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(folder.to_path_buf(), holds);
        holds
    }
}

/// A manifest as shipgate writes it starts with its version and the tool's name.
fn is_shipgate_manifest(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else {
        return false;
    };
    let mut head = Vec::with_capacity(512);
    if file.take(512).read_to_end(&mut head).is_err() {
        return false;
    }
    let head = String::from_utf8_lossy(&head);
    head.trim_start().starts_with('{')
        && head.contains("\"manifest_version\"")
        && head.contains("\"shipgate\"")
}

/// `report.json`, `gate-junit.xml`, ..., or the temporary name one is written under.
fn is_report_file(name: &str) -> bool {
    let name = name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(".tmp"))
        .unwrap_or(name);
    REPORT_FILES.contains(&name)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

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
    files.push(format!(
        "{EVIDENCE_DIR}/policy/{}",
        crate::record::sanitize(&policy_name)
    ));
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
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use std::fs;

    const MANIFEST: &str = "{\n  \"manifest_version\": 2,\n  \"tool\": {\n    \"name\": \"shipgate\",\n    \"version\": \"0.1.0\"\n  }\n}\n";

    fn touch(root: &Path, rel: &str, text: &str) -> PathBuf {
        let p = root.join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn files_inside_a_record_are_found_and_others_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "reports/gate/evidence/manifest.json", MANIFEST);
        let copy = touch(root, "reports/gate/evidence/files/tests/reports/a.xml", "");
        let gate = touch(root, "reports/gate/gate-junit.xml", "");
        let other = touch(root, "reports/gate/other/x.xml", "");
        let real = touch(root, "reports/a.xml", "");
        // Another tool's manifest does not make a record.
        touch(
            root,
            "reports/tool/evidence/manifest.json",
            "{\"files\": []}",
        );
        let theirs = touch(root, "reports/tool/b.xml", "");
        let finder = RecordFinder::new(root);
        let record = canonical(&root.join("reports/gate"));
        assert_eq!(finder.record_of(&copy), Some(record.clone()));
        assert_eq!(finder.record_of(&gate), Some(record.clone()));
        assert_eq!(finder.record_of(&other), Some(record));
        assert_eq!(finder.record_of(&real), None);
        assert_eq!(finder.record_of(&theirs), None);
    }

    /// `--report-dir .`: the policy's folder is a record's folder too. Only the record's own
    /// files are skipped, never the evidence beside them.
    #[test]
    fn a_record_in_the_policy_s_folder_hides_only_its_own_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        touch(root, "evidence/manifest.json", MANIFEST);
        let copy = touch(root, "evidence/files/tests/reports/a.xml", "");
        let gate = touch(root, "gate-junit.xml", "");
        let tmp = touch(root, ".gate-junit.xml.tmp", "");
        let top = touch(root, "a.xml", "");
        let real = touch(root, "reports/a.xml", "");
        let finder = RecordFinder::new(root);
        let record = canonical(root);
        assert_eq!(finder.record_of(&copy), Some(record.clone()));
        assert_eq!(finder.record_of(&gate), Some(record.clone()));
        assert_eq!(finder.record_of(&tmp), Some(record));
        assert_eq!(finder.record_of(&top), None);
        assert_eq!(finder.record_of(&real), None);
        // Paths spelled another way, as globs give them, are answered the same.
        let finder = RecordFinder::new(&root.join("."));
        assert_eq!(finder.record_of(&root.join("./reports/a.xml")), None);
        assert!(finder.record_of(&root.join("./gate-junit.xml")).is_some());
    }

    #[test]
    fn a_record_being_written_is_inside_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let f = touch(dir.path(), "out/.evidence.tmp-42/files/tests/a.xml", "");
        let finder = RecordFinder::new(dir.path());
        assert_eq!(
            finder.record_of(&f),
            Some(canonical(&dir.path().join("out")))
        );
    }

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
