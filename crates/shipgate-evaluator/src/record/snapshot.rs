//! A release record opened for replay (`check --from-snapshot`): the manifest read strictly,
//! every stored byte checked against it, and the answers the resolver needs at replay (a copy of
//! an input, why there is none, what a source fetched).

use super::journal::{Fetched, FetchedContent};
use super::layout::{EVIDENCE_DIR, MANIFEST_FILE, REPORT_FILE, stored_path};
use super::manifest::{AbsentState, GlobEntry, MANIFEST_VERSION, Manifest};
use crate::digest::{sha256_file, sha256_hex};
use crate::error::EvaluatorError;
use crate::loaded_policy::{LoadedPolicy, load_policy_bytes};
use shipgate_model::Report;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Component, Path, PathBuf};

/// A release record opened for replay, every stored byte checked against its manifest.
#[derive(Clone, Debug)]
pub struct Snapshot {
    dir: PathBuf,
    manifest: Manifest,
    /// The SHA-256 of the manifest's bytes, as read and parsed.
    manifest_sha256: String,
    /// (source, path) → where the manifest speaks of it.
    index: BTreeMap<(String, String), Indexed>,
}

#[derive(Clone, Copy, Debug)]
enum Indexed {
    File(usize),
    Absent(usize),
}

/// What a record holds of one input.
pub(crate) enum Lookup {
    /// A copy, here.
    Stored(PathBuf),
    /// It was not found; the path does not exist either.
    NotFound(PathBuf),
    /// It could not be read, with this error.
    Unreadable(String),
    /// The record does not speak of it: made by another policy, or its manifest was edited.
    Unknown,
}

impl Snapshot {
    /// Opens the record in the report folder `dir`. Refuses a folder with no record, a manifest
    /// it cannot read, and a record where any stored file is missing, differs from the
    /// manifest's hash or size, or is not in the manifest.
    pub fn open(dir: &Path) -> Result<Snapshot, EvaluatorError> {
        let manifest_path = dir.join(MANIFEST_FILE);
        let unreadable = |reason: String| EvaluatorError::SnapshotUnreadable {
            dir: dir.to_path_buf(),
            reason,
        };
        let text = match std::fs::read(&manifest_path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(unreadable(format!(
                    "it holds no release record (no `{MANIFEST_FILE}`); records are written by `shipgate check --report-dir DIR`"
                )));
            }
            Err(e) => return Err(unreadable(format!("`{MANIFEST_FILE}`: {e}"))),
        };
        // Strict, as every JSON shipgate reads: a manifest that gives a key twice (two
        // `files` lists, two hashes of one file) is refused, and so is a key it does not have.
        let document = shipgate_json::parse_value(&text)
            .map_err(|e| unreadable(format!("`{MANIFEST_FILE}` is not a release manifest: {e}")))?;
        let version = document
            .get("manifest_version")
            .and_then(serde_json::Value::as_u64);
        if let Some(v) = version
            && v > u64::from(MANIFEST_VERSION)
        {
            return Err(unreadable(format!(
                "`{MANIFEST_FILE}` is version {v}, written by a newer shipgate; this one reads version {MANIFEST_VERSION}"
            )));
        }
        if let Some(v) = version
            && v < u64::from(MANIFEST_VERSION)
        {
            return Err(unreadable(format!(
                "`{MANIFEST_FILE}` is version {v}, written by an earlier shipgate that did not record the inputs it could not read (a replay could not tell them from missing ones); this one reads version {MANIFEST_VERSION}: replay it with the shipgate that wrote it, or record the release again"
            )));
        }
        let manifest: Manifest = shipgate_json::parse_form(&text)
            .map_err(|e| unreadable(format!("`{MANIFEST_FILE}` is not a release manifest: {e}")))?;
        let mut index = BTreeMap::new();
        for (i, a) in manifest.absent.iter().enumerate() {
            index.insert((a.source.clone(), a.path.clone()), Indexed::Absent(i));
        }
        for (i, f) in manifest.files.iter().enumerate() {
            index.insert((f.source.clone(), f.path.clone()), Indexed::File(i));
        }
        let snapshot = Snapshot {
            dir: dir.to_path_buf(),
            manifest,
            manifest_sha256: sha256_hex(&text),
            index,
        };
        let problems = snapshot.verify();
        if !problems.is_empty() {
            return Err(EvaluatorError::SnapshotTampered {
                dir: dir.to_path_buf(),
                problems,
            });
        }
        Ok(snapshot)
    }

    /// The manifest.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The SHA-256 of `evidence/manifest.json`, as read: what `--expect-manifest` compares with
    /// the value printed when the record was written.
    pub fn manifest_sha256(&self) -> &str {
        &self.manifest_sha256
    }

    /// The report folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Every stored file, with what the manifest says of it: (stored, sha256, bytes, what).
    fn entries(&self) -> Vec<(&str, &str, u64, String)> {
        let m = &self.manifest;
        let mut all = vec![(
            m.policy.stored.as_str(),
            m.policy.sha256.as_str(),
            m.policy.bytes,
            format!("the policy `{}`", m.policy.path),
        )];
        all.extend(m.files.iter().map(|f| {
            (
                f.stored.as_str(),
                f.sha256.as_str(),
                f.bytes,
                format!("the {} input `{}`", f.source, f.path),
            )
        }));
        all.extend(m.fetched.iter().map(|f| {
            (
                f.stored.as_str(),
                f.sha256.as_str(),
                f.bytes,
                format!("what {} fetched from {}", f.source, f.origin),
            )
        }));
        if let Some(r) = &m.report {
            all.push((
                r.stored.as_str(),
                r.sha256.as_str(),
                r.bytes,
                "the JSON report".to_owned(),
            ));
        }
        all
    }

    fn verify(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let mut listed = BTreeSet::new();
        // The recorded report is what a replay is checked against: shipgate always records it,
        // as `report.json`. A manifest without it could be steered anywhere.
        match &self.manifest.report {
            None => problems.push(format!(
                "the manifest names no JSON report (`report: null`){}; shipgate always records `{REPORT_FILE}`, which a replay must reproduce",
                if self.dir.join(REPORT_FILE).exists() {
                    format!(", yet `{REPORT_FILE}` is there")
                } else {
                    String::new()
                }
            )),
            Some(r) if r.stored != REPORT_FILE => problems.push(format!(
                "the manifest names `{}` as the JSON report, not `{REPORT_FILE}`",
                r.stored
            )),
            Some(_) => {}
        }
        for (stored, sha256, bytes, what) in self.entries() {
            let inside_record = stored == REPORT_FILE
                || (stored.starts_with(&format!("{EVIDENCE_DIR}/")) && stored != MANIFEST_FILE);
            if !inside_record || !is_plain_relative(stored) {
                problems.push(format!(
                    "the manifest stores {what} at `{stored}`, outside the record's `{EVIDENCE_DIR}/` folder"
                ));
                continue;
            }
            listed.insert(PathBuf::from(stored));
            // Streamed: a record of a monorepo holds large JUnit files.
            match sha256_file(&self.dir.join(stored)) {
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    problems.push(format!("`{stored}` ({what}) is missing"));
                }
                Err(e) => problems.push(format!("`{stored}` ({what}) cannot be read: {e}")),
                Ok((actual, size)) => {
                    if actual != sha256 || size != bytes {
                        problems.push(format!(
                            "`{stored}` ({what}) has SHA-256 {actual} ({size} bytes), but the record says {sha256} ({bytes} bytes)"
                        ));
                    }
                }
            }
        }
        let mut extra = Vec::new();
        walk(
            &self.dir.join(EVIDENCE_DIR),
            Path::new(EVIDENCE_DIR),
            &mut extra,
        );
        for path in extra {
            if path != Path::new(MANIFEST_FILE) && !listed.contains(&path) {
                problems.push(format!(
                    "`{}` is in the record but not in its manifest",
                    path.display()
                ));
            }
        }
        problems
    }

    /// What the recorded run's globs of `source` matched, when it expanded these patterns.
    pub(crate) fn glob(&self, source: &str, patterns: &[String]) -> Option<&GlobEntry> {
        self.manifest
            .globs
            .iter()
            .find(|g| g.source == source && g.patterns == patterns)
    }

    /// What the record holds of `source`'s input `shown`.
    pub(crate) fn lookup(&self, source: &str, shown: &str) -> Lookup {
        let key = (source.to_owned(), shown.to_owned());
        match self.index.get(&key) {
            Some(Indexed::File(i)) => self.manifest.files.get(*i).map_or(Lookup::Unknown, |f| {
                Lookup::Stored(self.dir.join(&f.stored))
            }),
            Some(Indexed::Absent(i)) => match self.manifest.absent.get(*i) {
                Some(a) if a.state == AbsentState::NotFound => {
                    Lookup::NotFound(self.dir.join(stored_path(".absent", source, shown)))
                }
                Some(a) => Lookup::Unreadable(a.error.clone().unwrap_or_default()),
                None => Lookup::Unknown,
            },
            None => Lookup::Unknown,
        }
    }

    /// A folder that surely exists: where an unreadable input "is" at replay, so that a reader
    /// that opens it gets an I/O error (never "not found"). Readers that go through the resolver
    /// get the recorded error itself.
    pub(crate) fn unreadable_path(&self) -> PathBuf {
        self.dir.join(EVIDENCE_DIR)
    }

    /// What `source` fetched when the record was made: its origin and stored copy.
    pub(crate) fn fetched(&self, source: &str) -> Option<(String, PathBuf)> {
        self.manifest
            .fetched
            .iter()
            .find(|f| f.source == source)
            .map(|f| (f.origin.clone(), self.dir.join(&f.stored)))
    }

    /// What the recorded run fetched, as the journal of a replay carries it.
    pub(crate) fn fetched_copies(&self) -> Vec<Fetched> {
        self.manifest
            .fetched
            .iter()
            .map(|f| Fetched {
                source: f.source.clone(),
                origin: f.origin.clone(),
                file_name: Path::new(&f.stored).file_name().map_or_else(
                    || "fetched".to_owned(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                content: FetchedContent::Stored {
                    path: self.dir.join(&f.stored),
                    sha256: f.sha256.clone(),
                    bytes: f.bytes,
                },
            })
            .collect()
    }

    /// The recorded JSON report, when the record has one (its hash was checked at open).
    pub fn recorded_report(&self) -> Option<Result<Report, String>> {
        let stored = &self.manifest.report.as_ref()?.stored;
        Some(
            std::fs::read(self.dir.join(stored))
                .map_err(|e| e.to_string())
                .and_then(|b| shipgate_json::parse_form(&b).map_err(|e| e.to_string())),
        )
    }
}

fn is_plain_relative(path: &str) -> bool {
    let p = Path::new(path);
    p.components().next().is_some() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

/// Every file under `dir`, as paths starting with `shown`. Unreadable folders are skipped: the
/// files the manifest names are each checked anyway.
fn walk(dir: &Path, shown: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = shown.join(entry.file_name());
        match entry.file_type() {
            Ok(t) if t.is_dir() => walk(&path, &name, out),
            Ok(_) => out.push(name),
            Err(_) => {}
        }
    }
}

/// Reads the record's policy copy and validates it with the variables the recorded run saw. A
/// copy that cannot be read is a record that cannot be read (it was checked when the record was
/// opened); a copy that is not a valid policy for this shipgate is an invalid policy.
pub fn load_snapshot_policy(snapshot: &Snapshot) -> Result<LoadedPolicy, EvaluatorError> {
    let entry = &snapshot.manifest.policy;
    let stored = snapshot.dir.join(&entry.stored);
    let bytes = std::fs::read(&stored).map_err(|e| EvaluatorError::SnapshotUnreadable {
        dir: snapshot.dir.clone(),
        reason: format!("the policy copy `{}`: {e}", entry.stored),
    })?;
    let env = entry.env.clone();
    let lookup = move |name: &str| env.get(name).cloned().flatten();
    let mut loaded = load_policy_bytes(Path::new(&entry.path), bytes, &lookup)?;
    loaded.base_dir = PathBuf::from(&entry.base_dir);
    Ok(loaded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_path_must_be_plain_and_relative() {
        assert!(is_plain_relative("evidence/files/a"));
        assert!(!is_plain_relative("evidence/../a"));
        assert!(!is_plain_relative("/etc/passwd"));
    }
}
