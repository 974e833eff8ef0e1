//! Where the source loaders find their inputs: the live files beside the policy, or the copies
//! a release record stored (`shipgate check --from-snapshot DIR`).
//!
//! Every loader asks the [`Resolver`] for its files (`expand_globs`, `file`) instead of touching
//! the file system itself, and a source that fetches over the network hands what it fetched to
//! [`Resolver::keep_fetched`] (live) or reads it back from [`Resolver::fetched`] (replay). The
//! resolver remembers what it answered, so that `--report-dir` can store exactly the inputs the
//! decision was made on, and a replay can answer the same questions from the record.

use crate::record::{
    Failure, Fetched, FetchedContent, GlobEntry, Journal, Lookup, RecordFinder, Snapshot,
    stored_path,
};
use shipgate_model::Report;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// What a reader says of a folder it was asked to read as a file.
pub(crate) const FOLDER: &str = "it is a folder, not a file";

/// A file as a loader reads it: where its bytes are, and the name the report gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located {
    /// The source it was located for (`uat`).
    pub source: String,
    /// Where to read the bytes (the live file, or its copy in a release record).
    pub full: PathBuf,
    /// The path as the user would write it: relative to the policy's folder where possible.
    /// Inputs are recorded, and looked up again at replay, under this name.
    pub shown: String,
}

/// What a source's globs matched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expanded {
    /// Every matching file, sorted by name.
    pub files: Vec<Located>,
    /// The patterns that matched nothing, as written.
    pub unmatched: Vec<String>,
}

/// Data a source fetched over the network, in the form its `kind: file` reader reads back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchedCopy {
    /// The source (`defects`).
    pub source: String,
    /// Where it was fetched from (a URL, never with credentials).
    pub origin: String,
    /// The file name to store it under (`defects.json`).
    pub file_name: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

enum Mode {
    /// Live files; `recording` when a release record will be written of this run.
    Live {
        recording: bool,
    },
    Replay(Box<Snapshot>),
}

/// Answers the loaders' questions about files, live or from a release record.
pub struct Resolver {
    base_dir: PathBuf,
    mode: Mode,
    journal: Mutex<Journal>,
    /// Keeps release records out of live glob matches.
    records: RecordFinder,
}

impl Resolver {
    /// Reads live files; relative paths are relative to `base_dir`, the policy's folder. With
    /// `recording`, the resolver remembers what it answered and keeps what sources fetched, for
    /// [`write_record`](crate::write_record) (`--report-dir`); without, it keeps nothing (a run
    /// that writes no record does not pay for copies of its evidence).
    pub fn live(base_dir: &Path, recording: bool) -> Self {
        Self {
            base_dir: base_dir.to_path_buf(),
            mode: Mode::Live { recording },
            journal: Mutex::default(),
            records: RecordFinder::new(base_dir),
        }
    }

    /// Reads the copies stored in a release record, under the names they were recorded as.
    pub fn replay(snapshot: Snapshot) -> Self {
        let base_dir = PathBuf::from(&snapshot.manifest().policy.base_dir);
        // What the recorded run fetched stays fetched: a replay recorded again stores it so.
        let journal = Journal {
            fetched: snapshot.fetched_copies(),
            ..Journal::default()
        };
        Self {
            records: RecordFinder::new(&base_dir),
            base_dir,
            mode: Mode::Replay(Box::new(snapshot)),
            journal: Mutex::new(journal),
        }
    }

    /// The policy's folder as the user knows it (for messages; at replay, the recorded one).
    pub fn base_dir(&self) -> &Path {
        &self.base_dir
    }

    /// Whether inputs come from a release record.
    pub fn is_replay(&self) -> bool {
        matches!(self.mode, Mode::Replay(_))
    }

    /// Whether what this run reads can be written as a release record: a live run made with
    /// `recording`, or a replay (whose record can be recorded again).
    pub fn is_recording(&self) -> bool {
        match self.mode {
            Mode::Live { recording } => recording,
            Mode::Replay(_) => true,
        }
    }

    /// Whether a fetching source should hand what it fetched to [`Resolver::keep_fetched`]: on a
    /// live run that is recorded. Sources ask first, so that an unrecorded run never builds the
    /// copy.
    pub fn keeps_fetched(&self) -> bool {
        matches!(self.mode, Mode::Live { recording: true })
    }

    fn journal(&self) -> MutexGuard<'_, Journal> {
        // A loader that panicked holding the lock left a journal that is still consistent:
        // every entry is pushed whole.
        self.journal.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn take_journal(&self) -> Journal {
        std::mem::take(&mut *self.journal())
    }

    /// Expands the globs of `source` (`sources.tests.junit`). `Err` is a pattern that is not a
    /// glob, or a folder that could not be listed.
    pub fn expand_globs(&self, source: &str, patterns: &[String]) -> Result<Expanded, String> {
        let entry = match &self.mode {
            Mode::Live { .. } => self.expand_live(source, patterns),
            Mode::Replay(snapshot) => match snapshot.glob(source, patterns) {
                Some(entry) => entry.clone(),
                None => GlobEntry {
                    source: source.to_owned(),
                    patterns: patterns.to_vec(),
                    matched: Vec::new(),
                    unmatched: Vec::new(),
                    error: Some(format!(
                        "the release record holds no expansion of the `{source}` globs {patterns:?}; it was made by another policy"
                    )),
                },
            },
        };
        let result = match &entry.error {
            Some(e) => Err(e.clone()),
            None => Ok(Expanded {
                files: entry
                    .matched
                    .iter()
                    .map(|shown| self.locate(source, shown))
                    .collect(),
                unmatched: entry.unmatched.clone(),
            }),
        };
        if self.is_recording() {
            self.journal().globs.push(entry);
        }
        result
    }

    /// Expands the live globs one pattern at a time, so that a pattern whose every match lay
    /// inside a release record is reported as matching nothing.
    fn expand_live(&self, source: &str, patterns: &[String]) -> GlobEntry {
        let mut found = BTreeSet::new();
        let mut unmatched = Vec::new();
        let mut skipped = BTreeMap::new();
        for pattern in patterns {
            let matches =
                match shipgate_junit::expand_globs(&self.base_dir, std::slice::from_ref(pattern)) {
                    Ok(m) => m,
                    Err(e) => {
                        return GlobEntry {
                            source: source.to_owned(),
                            patterns: patterns.to_vec(),
                            matched: Vec::new(),
                            unmatched: Vec::new(),
                            error: Some(e.to_string()),
                        };
                    }
                };
            let kept = self.outside_records(matches.paths, &mut skipped);
            if kept.is_empty() {
                unmatched.push(pattern.clone());
            }
            found.extend(kept);
        }
        self.warn_skipped(source, &skipped);
        GlobEntry {
            source: source.to_owned(),
            patterns: patterns.to_vec(),
            matched: found
                .iter()
                .map(|p| shipgate_junit::shown_path(&self.base_dir, p))
                .collect(),
            unmatched,
            error: None,
        }
    }

    /// The paths (relative to the policy's folder, or absolute) that lie inside no release
    /// record; the others are added to `skipped`, by record.
    pub(crate) fn outside_records(
        &self,
        paths: Vec<PathBuf>,
        skipped: &mut BTreeMap<PathBuf, Vec<String>>,
    ) -> Vec<PathBuf> {
        paths
            .into_iter()
            .filter(|p| match self.records.record_of(&self.base_dir.join(p)) {
                Some(record) => {
                    skipped
                        .entry(record)
                        .or_default()
                        .push(shipgate_junit::shown_path(&self.base_dir, p));
                    false
                }
                None => true,
            })
            .collect()
    }

    /// Says on the log which files a source's globs matched inside a release record, one line
    /// per record.
    pub(crate) fn warn_skipped(&self, source: &str, skipped: &BTreeMap<PathBuf, Vec<String>>) {
        let base = std::fs::canonicalize(&self.base_dir).ok();
        for (record, files) in skipped {
            let shown = base
                .as_deref()
                .and_then(|b| record.strip_prefix(b).ok())
                .map_or_else(|| record.display().to_string(), |r| r.display().to_string());
            let shown = if shown.is_empty() {
                ".".to_owned()
            } else {
                shown
            };
            let mut examples: Vec<&str> = files.iter().take(3).map(String::as_str).collect();
            if files.len() > examples.len() {
                examples.push("...");
            }
            tracing::warn!(
                "skipped {} file{} the `{source}` globs matched inside the shipgate release record `{shown}` ({}): a release record's copies and reports are never read as evidence",
                files.len(),
                if files.len() == 1 { "" } else { "s" },
                examples.join(", ")
            );
        }
    }

    /// The names (under the report folder) of the inputs and fetched copies a release record of
    /// this run would store, from what the resolver remembered: for `record_read_by_globs`.
    pub(crate) fn planned_copies(&self, report: &Report) -> Vec<String> {
        let journal = self.journal();
        let mut names: Vec<String> = report
            .inputs
            .iter()
            .filter(|i| {
                journal
                    .located
                    .contains_key(&(i.source.clone(), i.path.clone()))
            })
            .map(|i| stored_path("files", &i.source, &i.path))
            .collect();
        names.extend(
            journal
                .fetched
                .iter()
                .map(|f| stored_path("fetched", &f.source, &f.file_name)),
        );
        names
    }

    /// One file named in the policy (`sources.uat.signoff`), as written there. Whether it exists
    /// is up to the reader: a missing file reads as `NotFound`, live or at replay.
    pub fn file(&self, source: &str, path: &str) -> Located {
        self.locate(source, path)
    }

    fn locate(&self, source: &str, shown: &str) -> Located {
        let key = || (source.to_owned(), shown.to_owned());
        let full = match &self.mode {
            Mode::Live { .. } => self.base_dir.join(shown),
            Mode::Replay(snapshot) => match snapshot.lookup(source, shown) {
                Lookup::Stored(path) | Lookup::NotFound(path) => path,
                Lookup::Unreadable(error) => {
                    self.journal()
                        .failures
                        .insert(key(), Failure::Unreadable(error));
                    snapshot.unreadable_path()
                }
                // Every input a run looks for is in its record, copied or accounted for: one
                // that is not can only come from another policy or an edited manifest. It
                // reads as unreadable, never as absent.
                Lookup::Unknown => {
                    self.journal().failures.insert(
                        key(),
                        Failure::Unreadable(
                            "the release record holds neither a copy of it nor why there is none"
                                .to_owned(),
                        ),
                    );
                    snapshot.unreadable_path()
                }
            },
        };
        if self.is_recording() {
            self.journal().located.insert(key(), full.clone());
        }
        Located {
            source: source.to_owned(),
            full,
            shown: shown.to_owned(),
        }
    }

    /// At replay, the error the recorded run got reading `located`, when it could not read it:
    /// a reader outside the resolver returns it instead of reading, so that the replay says
    /// exactly what the recorded run said. `None` on a live run.
    pub fn recorded_failure(&self, located: &Located) -> Option<io::Error> {
        if !self.is_replay() {
            return None;
        }
        match self
            .journal()
            .failures
            .get(&(located.source.clone(), located.shown.clone()))
        {
            Some(Failure::Unreadable(error)) => Some(io::Error::other(error.clone())),
            Some(Failure::NotFound) | None => None,
        }
    }

    /// Tells a recorded run why a located file could not be read, so that its record says so
    /// (`absent`) and a replay fails the same way. Called by readers outside the resolver.
    pub fn note_failure(&self, source: &str, shown: &str, error: &io::Error) {
        if !matches!(self.mode, Mode::Live { recording: true }) {
            return;
        }
        let failure = if error.kind() == io::ErrorKind::NotFound {
            Failure::NotFound
        } else {
            Failure::Unreadable(error.to_string())
        };
        self.journal()
            .failures
            .insert((source.to_owned(), shown.to_owned()), failure);
    }

    /// Reads a whole file found with [`Resolver::file`], refusing one larger than `limit` bytes
    /// (hand-written evidence is small; a huge file is a mistake, not a sign-off).
    ///
    /// A recorded run remembers why a read failed; at replay, a file the recorded run could not
    /// read fails again with the recorded error.
    pub fn read_small(&self, located: &Located, limit: u64) -> io::Result<Vec<u8>> {
        if let Some(e) = self.recorded_failure(located) {
            return Err(e);
        }
        let read = Self::read_limited(&located.full, limit);
        if let Err(e) = &read {
            self.note_failure(&located.source, &located.shown, e);
        }
        read
    }

    fn read_limited(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
        let meta = std::fs::metadata(path)?;
        if meta.is_dir() {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, FOLDER));
        }
        if meta.len() > limit {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "it is {} bytes, more than the {limit} a file of this kind may have",
                    meta.len()
                ),
            ));
        }
        std::fs::read(path)
    }

    /// Keeps what a source fetched so that `--report-dir` stores it in the release record.
    /// Called by a fetching source on a recorded live run (see [`Resolver::keeps_fetched`]);
    /// ignored otherwise.
    pub fn keep_fetched(&self, copy: FetchedCopy) {
        if self.keeps_fetched() {
            self.journal().fetched.push(Fetched {
                source: copy.source,
                origin: copy.origin,
                file_name: copy.file_name,
                content: FetchedContent::Bytes(copy.bytes),
            });
        }
    }

    /// At replay, the stored copy of what `source` fetched when the record was made: the source
    /// reads it as its `kind: file` reader would, instead of the network. `None` on a live run,
    /// or when the record holds nothing fetched for `source`.
    pub fn fetched(&self, source: &str) -> Option<Located> {
        let Mode::Replay(snapshot) = &self.mode else {
            return None;
        };
        // Not a located input: a replay recorded again stores it as fetched (carried over at
        // `Resolver::replay`), not as a file.
        let (origin, full) = snapshot.fetched(source)?;
        Some(Located {
            source: source.to_owned(),
            full,
            shown: origin,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_files_are_found_beside_the_policy_and_remembered() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("r/x")).unwrap();
        std::fs::write(dir.path().join("r/x/a.xml"), "<testsuite/>").unwrap();
        let r = Resolver::live(dir.path(), true);
        let e = r
            .expand_globs("tests", &["r/**/*.xml".into(), "none/*.xml".into()])
            .unwrap();
        assert_eq!(e.files.len(), 1);
        assert_eq!(e.files[0].shown, "r/x/a.xml");
        assert_eq!(e.files[0].full, dir.path().join("r/x/a.xml"));
        assert_eq!(e.unmatched, vec!["none/*.xml".to_owned()]);
        let f = r.file("uat", "uat.yaml");
        assert_eq!(f.full, dir.path().join("uat.yaml"));
        assert!(r.read_small(&f, 10).is_err());
        assert!(r.fetched("defects").is_none());
        r.keep_fetched(FetchedCopy {
            source: "defects".into(),
            origin: "https://tracker.example/search".into(),
            file_name: "defects.json".into(),
            bytes: b"[]".to_vec(),
        });
        let j = r.take_journal();
        assert_eq!(j.globs.len(), 1);
        assert_eq!(j.located.len(), 2);
        assert_eq!(j.fetched.len(), 1);
    }

    /// A run that writes no record keeps nothing: no journal, no fetched copies.
    #[test]
    fn an_unrecorded_live_run_keeps_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.xml"), "<testsuite/>").unwrap();
        let r = Resolver::live(dir.path(), false);
        assert!(!r.is_recording() && !r.keeps_fetched());
        r.expand_globs("tests", &["*.xml".into()]).unwrap();
        r.file("uat", "uat.yaml");
        r.keep_fetched(FetchedCopy {
            source: "defects".into(),
            origin: "https://tracker.example/search".into(),
            file_name: "defects.json".into(),
            bytes: b"[]".to_vec(),
        });
        let j = r.take_journal();
        assert!(j.globs.is_empty() && j.located.is_empty() && j.fetched.is_empty());
    }

    #[test]
    fn a_bad_glob_is_an_error_and_is_remembered_as_one() {
        let dir = tempfile::tempdir().unwrap();
        let r = Resolver::live(dir.path(), true);
        let err = r.expand_globs("tests", &["r/[.xml".into()]).unwrap_err();
        assert!(err.contains("r/[.xml"), "{err}");
        assert_eq!(
            r.take_journal().globs[0].error.as_deref(),
            Some(err.as_str())
        );
    }

    #[test]
    fn small_files_are_read_and_large_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a"), "12345").unwrap();
        let r = Resolver::live(dir.path(), true);
        let f = r.file("uat", "a");
        assert_eq!(r.read_small(&f, 5).unwrap(), b"12345");
        let e = r.read_small(&f, 4).unwrap_err();
        assert!(e.to_string().contains("more than the 4"), "{e}");
        let e = r.read_small(&r.file("uat", "."), 4).unwrap_err();
        assert!(e.to_string().contains("folder"), "{e}");
    }
}
