//! Writes a release record (`--report-dir`): a copy of the policy and of every input the decision
//! was made on, what fetched sources fetched, and the manifest, from what the resolver
//! remembered. It refuses to write a record that would not hold the bytes the decision was made
//! on, or that would keep a secret.

use super::journal::{Failure, FetchedContent, Journal};
use super::layout::{EVIDENCE_DIR, MANIFEST_FILE, REPORT_FILE, sanitize, stored_path};
use super::manifest::{
    AbsentEntry, AbsentState, FetchedEntry, FileEntry, MANIFEST_VERSION, Manifest, PolicyEntry,
    StoredFile,
};
use crate::TOOL_VERSION;
use crate::digest::{StreamError, sha256_hex, sha256_stream};
use crate::error::EvaluatorError;
use crate::loaded_policy::LoadedPolicy;
use crate::resolver::Resolver;
use shipgate_model::Report;
use shipgate_model::report::Tool;
use std::collections::BTreeSet;
use std::io;
use std::path::Path;

/// A release record as written by [`write_record`].
#[derive(Clone, Debug)]
pub struct WrittenRecord {
    /// Its manifest.
    pub manifest: Manifest,
    /// The SHA-256 of `evidence/manifest.json` as written: the value to keep where the record
    /// cannot be edited, and to give `check --from-snapshot --expect-manifest` later.
    pub manifest_sha256: String,
}

/// Writes `dir/evidence/`: the policy, every input of `report` (from where the resolver found
/// it), what the resolver's fetched sources fetched, and the manifest. `report_json` is the
/// JSON report the caller writes beside it as `report.json`.
///
/// An input whose bytes changed between the evaluation and the copy is an error: the record
/// must hold the bytes the decision was made on. So is any file of the record (the policy, an
/// input, what was fetched, `report_json`, the manifest) that holds a secret of the run
/// (`loaded.secrets`) in any form: the copies are byte for byte, so a secret cannot be cut out
/// of them, and a record is kept far longer than a token is valid. So is an input the resolver never located (a
/// loader that read a file behind its back cannot be replayed), and so is a resolver made with
/// `Resolver::live(.., false)`, which remembered nothing.
pub fn write_record(
    dir: &Path,
    loaded: &LoadedPolicy,
    resolver: &Resolver,
    report: &Report,
    report_json: &[u8],
) -> Result<WrittenRecord, EvaluatorError> {
    if !resolver.is_recording() {
        return Err(EvaluatorError::RecordWrite {
            path: dir.to_path_buf(),
            source: io::Error::other(
                "the evaluation was not recorded (the resolver was made with `recording: false`)",
            ),
        });
    }
    let journal = resolver.take_journal();
    let tmp = dir.join(format!(".{EVIDENCE_DIR}.tmp-{}", std::process::id()));
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source: io::Error| EvaluatorError::RecordWrite { path, source }
    };
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(io_err(&tmp))?;
    }
    std::fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
    let result = fill(&tmp, loaded, &journal, report, report_json);
    let written = match result {
        Ok(w) => w,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let target = dir.join(EVIDENCE_DIR);
    let old = dir.join(format!(".{EVIDENCE_DIR}.old-{}", std::process::id()));
    if target.exists() {
        std::fs::rename(&target, &old).map_err(io_err(&target))?;
    }
    std::fs::rename(&tmp, &target).map_err(io_err(&target))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(io_err(&old))?;
    }
    Ok(written)
}

fn fill(
    tmp: &Path,
    loaded: &LoadedPolicy,
    journal: &Journal,
    report: &Report,
    report_json: &[u8],
) -> Result<WrittenRecord, EvaluatorError> {
    let secrets = &loaded.secrets;
    refuse_secret(
        &loaded.path.display().to_string(),
        secrets.find(&loaded.bytes),
    )?;
    refuse_secret(REPORT_FILE, secrets.find(report_json))?;
    let mut store = Store {
        tmp,
        secrets,
        names: StoredNames::default(),
    };
    let policy_name = loaded.path.file_name().map_or_else(
        || "shipgate.yaml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let policy_stored = store
        .names
        .claim(&format!("{EVIDENCE_DIR}/policy/{}", sanitize(&policy_name)));
    write_new(tmp, &policy_stored, &loaded.bytes)?;
    let (mut files, recorded) = store.inputs(report, journal)?;
    let absent = store.the_rest(journal, &recorded, &mut files)?;
    let fetched = store.fetched(journal)?;
    let manifest = Manifest {
        manifest_version: MANIFEST_VERSION,
        tool: Tool {
            name: "shipgate".to_owned(),
            version: TOOL_VERSION.to_owned(),
        },
        evaluated_at: report.evaluated_at,
        report: Some(StoredFile {
            stored: REPORT_FILE.to_owned(),
            sha256: sha256_hex(report_json),
            bytes: report_json.len() as u64,
        }),
        policy: PolicyEntry {
            path: loaded.path.display().to_string(),
            base_dir: loaded.base_dir.display().to_string(),
            stored: policy_stored,
            sha256: loaded.sha256.clone(),
            bytes: loaded.bytes.len() as u64,
            env: loaded.env.clone(),
        },
        globs: journal.globs.clone(),
        files,
        absent,
        fetched,
    };
    let text = store.manifest(&manifest)?;
    Ok(WrittenRecord {
        manifest,
        manifest_sha256: sha256_hex(text.as_bytes()),
    })
}

/// A file of the record would hold a secret of the run.
fn refuse_secret(path: &str, found: Option<&str>) -> Result<(), EvaluatorError> {
    match found {
        Some(env) => Err(EvaluatorError::SecretInRecord {
            path: path.to_owned(),
            env: env.to_owned(),
        }),
        None => Ok(()),
    }
}

/// The record being filled in its temporary folder: the names taken, and the secrets no copy
/// may hold.
struct Store<'a> {
    tmp: &'a Path,
    secrets: &'a shipgate_http::Redactor,
    names: StoredNames,
}

/// The inputs recorded so far, by (source, path).
type Recorded = BTreeSet<(String, String)>;

impl Store<'_> {
    /// Copies a located file under a name of its own, hashing it, and refuses a copy that holds
    /// a secret: (stored name, SHA-256, size).
    fn copy(
        &mut self,
        kind: &str,
        source: &str,
        path: &str,
        from: &Path,
    ) -> Result<(String, String, u64), EvaluatorError> {
        let stored = self.names.claim(&stored_path(kind, source, path));
        let to = self.tmp.join(within(&stored));
        let (sha256, bytes) = copy_hashing(from, &to)?;
        refuse_secret(path, scan(self.secrets, &to)?.as_deref())?;
        Ok((stored, sha256, bytes))
    }

    /// Every input of the report, copied from where the resolver found it; each must still hold
    /// the bytes the decision was made on. What a fetching source fetched is stored as fetched.
    fn inputs(
        &mut self,
        report: &Report,
        journal: &Journal,
    ) -> Result<(Vec<FileEntry>, Recorded), EvaluatorError> {
        let fetched_sources: BTreeSet<&str> =
            journal.fetched.iter().map(|f| f.source.as_str()).collect();
        let mut files = Vec::new();
        let mut recorded = Recorded::new();
        for input in &report.inputs {
            let key = (input.source.clone(), input.path.clone());
            if !recorded.insert(key.clone()) {
                continue;
            }
            let Some(from) = journal.located.get(&key) else {
                if fetched_sources.contains(input.source.as_str()) {
                    continue;
                }
                return Err(EvaluatorError::InputNotRecordable {
                    source_name: input.source.clone(),
                    path: input.path.clone(),
                });
            };
            let (stored, sha256, bytes) = self.copy("files", &input.source, &input.path, from)?;
            if sha256 != input.sha256 || bytes != input.bytes {
                return Err(EvaluatorError::InputChanged {
                    path: input.path.clone(),
                });
            }
            files.push(FileEntry {
                source: input.source.clone(),
                path: input.path.clone(),
                stored,
                sha256,
                bytes,
            });
        }
        Ok((files, recorded))
    }

    /// Everything else the run looked for: why there is no copy of it, as the run saw it (or,
    /// for a reader outside the resolver, as it is now), so that a replay reads it the same way.
    /// A file that was read and refused without being an input (a loader rejected it) is kept,
    /// so that a replay rejects it again.
    fn the_rest(
        &mut self,
        journal: &Journal,
        recorded: &Recorded,
        files: &mut Vec<FileEntry>,
    ) -> Result<Vec<AbsentEntry>, EvaluatorError> {
        let mut absent = Vec::new();
        for ((source, path), from) in &journal.located {
            let key = (source.clone(), path.clone());
            if recorded.contains(&key) {
                continue;
            }
            let failure = journal.failures.get(&key).cloned().or_else(|| probe(from));
            let (state, error) = match failure {
                Some(Failure::NotFound) => (AbsentState::NotFound, None),
                Some(Failure::Unreadable(error)) => (AbsentState::Unreadable, Some(error)),
                None => {
                    let (stored, sha256, bytes) = self.copy("files", source, path, from)?;
                    files.push(FileEntry {
                        source: source.clone(),
                        path: path.clone(),
                        stored,
                        sha256,
                        bytes,
                    });
                    continue;
                }
            };
            absent.push(AbsentEntry {
                source: source.clone(),
                path: path.clone(),
                state,
                error,
            });
        }
        Ok(absent)
    }

    /// What fetching sources fetched: this run's bytes, or, for a replay recorded again, the
    /// copy in the record being replayed (refused if it changed since it was checked).
    fn fetched(&mut self, journal: &Journal) -> Result<Vec<FetchedEntry>, EvaluatorError> {
        let mut fetched = Vec::new();
        for copy in &journal.fetched {
            let (stored, sha256, bytes) = match &copy.content {
                FetchedContent::Bytes(b) => {
                    refuse_secret(&copy.origin, self.secrets.find(b))?;
                    let stored =
                        self.names
                            .claim(&stored_path("fetched", &copy.source, &copy.file_name));
                    write_new(self.tmp, &stored, b)?;
                    (stored, sha256_hex(b), b.len() as u64)
                }
                FetchedContent::Stored {
                    path,
                    sha256,
                    bytes,
                } => {
                    let copied = self.copy("fetched", &copy.source, &copy.file_name, path);
                    let copied = match copied {
                        Err(EvaluatorError::SecretInRecord { env, .. }) => {
                            return Err(EvaluatorError::SecretInRecord {
                                path: copy.origin.clone(),
                                env,
                            });
                        }
                        other => other?,
                    };
                    if copied.1 != *sha256 || copied.2 != *bytes {
                        return Err(EvaluatorError::InputChanged {
                            path: path.display().to_string(),
                        });
                    }
                    copied
                }
            };
            fetched.push(FetchedEntry {
                source: copy.source.clone(),
                origin: copy.origin.clone(),
                stored,
                sha256,
                bytes,
            });
        }
        Ok(fetched)
    }

    /// Writes the manifest, refusing one that would hold a secret; its text as written.
    fn manifest(&self, manifest: &Manifest) -> Result<String, EvaluatorError> {
        let mut text =
            serde_json::to_string_pretty(manifest).map_err(|e| EvaluatorError::RecordWrite {
                path: self.tmp.join("manifest.json"),
                source: io::Error::other(e),
            })?;
        text.push('\n');
        refuse_secret(MANIFEST_FILE, self.secrets.find(text.as_bytes()))?;
        write_new(self.tmp, MANIFEST_FILE, text.as_bytes())?;
        Ok(text)
    }
}

/// The secret a stored copy holds, if any.
fn scan(secrets: &shipgate_http::Redactor, path: &Path) -> Result<Option<String>, EvaluatorError> {
    if secrets.is_empty() {
        return Ok(None);
    }
    std::fs::File::open(path)
        .and_then(|f| secrets.find_in(f))
        .map_err(|source| EvaluatorError::RecordWrite {
            path: path.to_path_buf(),
            source,
        })
}

/// How a located file reads now, for a reader outside the resolver that did not say why it has
/// no input: `None` when it reads.
fn probe(path: &Path) -> Option<Failure> {
    use std::io::Read as _;
    let failed = |e: io::Error| {
        Some(if e.kind() == io::ErrorKind::NotFound {
            Failure::NotFound
        } else {
            Failure::Unreadable(e.to_string())
        })
    };
    match std::fs::metadata(path) {
        Err(e) => return failed(e),
        Ok(m) if m.is_dir() => {
            return Some(Failure::Unreadable(crate::resolver::FOLDER.to_owned()));
        }
        Ok(_) => {}
    }
    match std::fs::File::open(path).and_then(|mut f| f.read(&mut [0u8; 1])) {
        Err(e) => failed(e),
        Ok(_) => None,
    }
}

/// `evidence/x/y` → `x/y`: the part under the record's folder.
fn within(stored: &str) -> &str {
    stored
        .strip_prefix(EVIDENCE_DIR)
        .map_or(stored, |s| s.trim_start_matches('/'))
}

fn write_new(tmp: &Path, stored: &str, bytes: &[u8]) -> Result<(), EvaluatorError> {
    let path = tmp.join(within(stored));
    let parent = path.parent().unwrap_or(tmp);
    std::fs::create_dir_all(parent)
        .and_then(|()| std::fs::write(&path, bytes))
        .map_err(|source| EvaluatorError::RecordWrite { path, source })
}

/// Copies a file, hashing what it copies (inputs may be large: never held in memory whole).
fn copy_hashing(from: &Path, to: &Path) -> Result<(String, u64), EvaluatorError> {
    let read_err = |source| EvaluatorError::RecordWrite {
        path: from.to_path_buf(),
        source,
    };
    let write_err = |source| EvaluatorError::RecordWrite {
        path: to.to_path_buf(),
        source,
    };
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).map_err(write_err)?;
    }
    let mut input = std::fs::File::open(from).map_err(read_err)?;
    let mut output = std::fs::File::create(to).map_err(write_err)?;
    sha256_stream(&mut input, Some(&mut output)).map_err(|e| match e {
        StreamError::Read(e) => read_err(e),
        StreamError::Write(e) => write_err(e),
    })
}

/// Stored names already taken; a second input that sanitises to the same name gets `~2`, ...
#[derive(Default)]
struct StoredNames(BTreeSet<String>);

impl StoredNames {
    fn claim(&mut self, wanted: &str) -> String {
        let mut candidate = wanted.to_owned();
        let mut n = 2;
        while !self.0.insert(candidate.clone()) {
            candidate = format!("{wanted}~{n}");
            n += 1;
        }
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_taken_twice_gets_a_number() {
        let mut names = StoredNames::default();
        assert_eq!(names.claim("evidence/x"), "evidence/x");
        assert_eq!(names.claim("evidence/x"), "evidence/x~2");
    }
}
