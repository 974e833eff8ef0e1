//! Keeps shipgate's own release records out of the evidence.
//!
//! A `--report-dir` inside the folders a JUnit glob covers (`reports/**/*.xml` with
//! `--report-dir reports/gate`), or an earlier run's record unpacked into the workspace, holds a
//! copy of the old reports (`evidence/files/tests/...`) and the gate's own `gate-junit.xml`. Read
//! as evidence, the old passing copies would outvote this run's failures. So a live glob never
//! matches a file inside a release record ([`RecordFinder`]); `report_dir` also refuses a report
//! folder the policy's globs would read on the next run.

use super::layout::{EVIDENCE_DIR, MANIFEST_FILE, REPORT_FILES};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
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

#[cfg(test)]
mod tests {
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
}
