//! The release record: `--report-dir DIR` stores, beside the reports, `DIR/evidence/` with a copy
//! of the policy and of every input the decision was made on, what each source's globs matched,
//! what fetched sources fetched, and a manifest of it all (path, SHA-256, size, source). A
//! [`Snapshot`] opens such a record, refuses it when any stored byte differs from the manifest,
//! and lets the [`Resolver`](crate::Resolver) answer a replay from it, offline.

use crate::error::EvaluatorError;
use crate::resolver::{Failure, Fetched, FetchedContent, Journal, Resolver};
use crate::{LoadedPolicy, StreamError, TOOL_VERSION, sha256_hex};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use shipgate_model::Report;
use shipgate_model::report::Tool;
use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Component, Path, PathBuf};

/// The record's folder inside a report folder.
pub const EVIDENCE_DIR: &str = "evidence";
/// The manifest, relative to the report folder.
pub const MANIFEST_FILE: &str = "evidence/manifest.json";
/// The JSON report, relative to the report folder.
pub const REPORT_FILE: &str = "report.json";
/// The reports `check --report-dir` writes beside the record. Like the record, they are never
/// read as evidence by a glob (see `record_guard`).
pub const REPORT_FILES: [&str; 4] = [REPORT_FILE, "summary.md", "gate-junit.xml", "gate.env"];
/// The version of the manifest's shape. Bumped only on a breaking change. Version 2 added
/// `absent`: without it, an input that could not be read replayed as one that did not exist.
pub const MANIFEST_VERSION: u32 = 2;

/// The manifest of a release record (`evidence/manifest.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// Always [`MANIFEST_VERSION`].
    pub manifest_version: u32,
    /// The tool that wrote the record.
    pub tool: Tool,
    /// The evaluation time of the recorded decision; a replay evaluates at it by default. Read
    /// back only as an instant (`Z`, an offset or a zone), never as a zoneless time.
    #[serde(with = "shipgate_model::instant::strict")]
    pub evaluated_at: Timestamp,
    /// The JSON report written beside the record, when there is one.
    pub report: Option<StoredFile>,
    /// The policy, as read.
    pub policy: PolicyEntry,
    /// What each source's globs matched.
    pub globs: Vec<GlobEntry>,
    /// Every local input, stored.
    pub files: Vec<FileEntry>,
    /// Every input the run looked for but has no copy of: not found, or found and unreadable.
    pub absent: Vec<AbsentEntry>,
    /// What each fetched source fetched, stored.
    pub fetched: Vec<FetchedEntry>,
}

/// A file of the record that is not an input (the JSON report).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredFile {
    /// Relative to the report folder.
    pub stored: String,
    /// Hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// The policy in the record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyEntry {
    /// The path as the user gave it.
    pub path: String,
    /// The folder its relative paths were resolved against.
    pub base_dir: String,
    /// The copy, relative to the report folder.
    pub stored: String,
    /// Hex SHA-256 (the report's `policy.sha256`).
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
    /// Every `${VAR}` the policy referenced, with the value it had (`null`: unset), so that a
    /// replay expands the policy exactly as the recorded run did.
    pub env: BTreeMap<String, Option<String>>,
}

/// What one source's list of globs matched.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GlobEntry {
    /// The source (`tests`).
    pub source: String,
    /// The patterns, as written in the policy.
    pub patterns: Vec<String>,
    /// The files they matched, by the name inputs are recorded under.
    pub matched: Vec<String>,
    /// The patterns that matched nothing.
    pub unmatched: Vec<String>,
    /// Why the globs could not be expanded, when they could not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// One stored input.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The source it belongs to.
    pub source: String,
    /// The input's path in the report.
    pub path: String,
    /// The copy, relative to the report folder.
    pub stored: String,
    /// Hex SHA-256 (the report's input hash).
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// An input the recorded run looked for and could not read: a replay reads it the same way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsentEntry {
    /// The source it belongs to.
    pub source: String,
    /// The input's path, as the report names it.
    pub path: String,
    /// What happened.
    pub state: AbsentState,
    /// The error, when it was unreadable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Why a record holds no copy of an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AbsentState {
    /// There was no such file: a replay reads it as not found.
    NotFound,
    /// It was there and could not be read (a folder, no permission, too large): a replay reads
    /// it as an I/O error with the recorded message, never as absent.
    Unreadable,
}

/// What one fetched source fetched, stored as its `kind: file` reader reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchedEntry {
    /// The source (`defects`).
    pub source: String,
    /// Where it was fetched from.
    pub origin: String,
    /// The copy, relative to the report folder.
    pub stored: String,
    /// Hex SHA-256.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

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
    let refuse_secret = |path: &str, found: Option<&str>| match found {
        Some(env) => Err(EvaluatorError::SecretInRecord {
            path: path.to_owned(),
            env: env.to_owned(),
        }),
        None => Ok(()),
    };
    refuse_secret(
        &loaded.path.display().to_string(),
        secrets.find(&loaded.bytes),
    )?;
    refuse_secret(REPORT_FILE, secrets.find(report_json))?;
    let mut names = StoredNames::default();
    let policy_name = loaded.path.file_name().map_or_else(
        || "shipgate.yaml".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let policy_stored = names.claim(&format!("{EVIDENCE_DIR}/policy/{}", sanitize(&policy_name)));
    write_new(tmp, &policy_stored, &loaded.bytes)?;

    let fetched_sources: BTreeSet<&str> =
        journal.fetched.iter().map(|f| f.source.as_str()).collect();
    let mut files = Vec::new();
    let mut seen = BTreeSet::new();
    for input in &report.inputs {
        if !seen.insert((input.source.clone(), input.path.clone())) {
            continue;
        }
        let key = (input.source.clone(), input.path.clone());
        let Some(from) = journal.located.get(&key) else {
            if fetched_sources.contains(input.source.as_str()) {
                continue;
            }
            return Err(EvaluatorError::InputNotRecordable {
                source_name: input.source.clone(),
                path: input.path.clone(),
            });
        };
        let stored = names.claim(&stored_path("files", &input.source, &input.path));
        let (sha256, bytes) = copy_hashing(from, &tmp.join(within(&stored)))?;
        if sha256 != input.sha256 || bytes != input.bytes {
            return Err(EvaluatorError::InputChanged {
                path: input.path.clone(),
            });
        }
        refuse_secret(
            &input.path,
            scan(secrets, &tmp.join(within(&stored)))?.as_deref(),
        )?;
        files.push(FileEntry {
            source: input.source.clone(),
            path: input.path.clone(),
            stored,
            sha256,
            bytes,
        });
    }
    // Everything else the run looked for: why there is no copy of it, as the run saw it (or,
    // for a reader outside the resolver, as it is now), so that a replay reads it the same way.
    let mut absent = Vec::new();
    for ((source, path), from) in &journal.located {
        if seen.contains(&(source.clone(), path.clone())) {
            continue;
        }
        let key = (source.clone(), path.clone());
        let failure = journal.failures.get(&key).cloned().or_else(|| probe(from));
        match failure {
            Some(Failure::NotFound) => absent.push(AbsentEntry {
                source: source.clone(),
                path: path.clone(),
                state: AbsentState::NotFound,
                error: None,
            }),
            Some(Failure::Unreadable(error)) => absent.push(AbsentEntry {
                source: source.clone(),
                path: path.clone(),
                state: AbsentState::Unreadable,
                error: Some(error),
            }),
            // Read, and refused without being listed as an input (a file a loader rejected):
            // the record keeps it, so a replay rejects it again.
            None => {
                let stored = names.claim(&stored_path("files", source, path));
                let (sha256, bytes) = copy_hashing(from, &tmp.join(within(&stored)))?;
                refuse_secret(path, scan(secrets, &tmp.join(within(&stored)))?.as_deref())?;
                files.push(FileEntry {
                    source: source.clone(),
                    path: path.clone(),
                    stored,
                    sha256,
                    bytes,
                });
            }
        }
    }
    let mut fetched = Vec::new();
    for copy in &journal.fetched {
        let stored = names.claim(&stored_path("fetched", &copy.source, &copy.file_name));
        let (sha256, bytes) = match &copy.content {
            FetchedContent::Bytes(b) => {
                refuse_secret(&copy.origin, secrets.find(b))?;
                write_new(tmp, &stored, b)?;
                (sha256_hex(b), b.len() as u64)
            }
            // From the record being replayed: copied, and refused if it changed since it was
            // checked when the record was opened.
            FetchedContent::Stored {
                path,
                sha256,
                bytes,
            } => {
                let copied = copy_hashing(path, &tmp.join(within(&stored)))?;
                if copied.0 != *sha256 || copied.1 != *bytes {
                    return Err(EvaluatorError::InputChanged {
                        path: path.display().to_string(),
                    });
                }
                refuse_secret(
                    &copy.origin,
                    scan(secrets, &tmp.join(within(&stored)))?.as_deref(),
                )?;
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
    let mut text =
        serde_json::to_string_pretty(&manifest).map_err(|e| EvaluatorError::RecordWrite {
            path: tmp.join("manifest.json"),
            source: io::Error::other(e),
        })?;
    text.push('\n');
    refuse_secret(MANIFEST_FILE, secrets.find(text.as_bytes()))?;
    write_new(tmp, MANIFEST_FILE, text.as_bytes())?;
    Ok(WrittenRecord {
        manifest,
        manifest_sha256: sha256_hex(text.as_bytes()),
    })
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
    crate::sha256_stream(&mut input, Some(&mut output)).map_err(|e| match e {
        StreamError::Read(e) => read_err(e),
        StreamError::Write(e) => write_err(e),
    })
}

/// The suffix of a stored copy whose name ends in `.xml`.
///
/// CI test-result collectors take every `*.xml` under the folder they are pointed at (CircleCI's
/// `store_test_results: path: shipgate-report`, a Jenkins `junit '**/*.xml'`): without it, the
/// record's copies of the evaluated JUnit files were imported as the gate job's own results. The
/// manifest names each copy, so a replay finds it whatever it is called; the readers of a
/// renamed copy (JUnit, JMeter's XML) recognise it by its content, never by its name.
pub const XML_COPY_SUFFIX: &str = ".recorded";

/// `files/tests/reports/a.xml.recorded` under the record, from the input's shown path: `..`
/// becomes `_up`, an absolute path starts at `_root`, characters some file systems refuse become
/// `_`, and a name ending in `.xml` gets [`XML_COPY_SUFFIX`], so that every input gets a readable
/// place inside the record that no test-result collector mistakes for the gate's results.
pub(crate) fn stored_path(kind: &str, source: &str, shown: &str) -> String {
    let mut parts = vec![EVIDENCE_DIR.to_owned(), kind.to_owned(), sanitize(source)];
    let absolute = shown.starts_with(['/', '\\'])
        || shown.as_bytes().get(1) == Some(&b':')
            && shown
                .as_bytes()
                .first()
                .is_some_and(u8::is_ascii_alphabetic);
    if absolute {
        parts.push("_root".to_owned());
    }
    for component in shown.split(['/', '\\']) {
        match component {
            "" | "." => {}
            ".." => parts.push("_up".to_owned()),
            c => parts.push(sanitize(c)),
        }
    }
    let mut stored = parts.join("/");
    let name = stored.rsplit('/').next().unwrap_or_default();
    let name = name.as_bytes();
    if name.len() >= 4 && name[name.len() - 4..].eq_ignore_ascii_case(b".xml") {
        stored.push_str(XML_COPY_SUFFIX);
    }
    stored
}

pub(crate) fn sanitize(component: &str) -> String {
    let s: String = component
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|' | '/' | '\\') {
                '_'
            } else {
                c
            }
        })
        .collect();
    if s.is_empty() || s == "." || s == ".." {
        "_".to_owned()
    } else {
        s
    }
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
            match crate::sha256_file(&self.dir.join(stored)) {
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

/// Reads the record's policy copy and validates it with the variables the recorded run saw.
pub fn load_snapshot_policy(snapshot: &Snapshot) -> Result<LoadedPolicy, EvaluatorError> {
    let entry = &snapshot.manifest.policy;
    let stored = snapshot.dir.join(&entry.stored);
    let bytes = std::fs::read(&stored).map_err(|source| EvaluatorError::PolicyUnreadable {
        path: stored.clone(),
        source,
    })?;
    let env = entry.env.clone();
    let lookup = move |name: &str| env.get(name).cloned().flatten();
    let mut loaded = crate::load_policy_bytes(Path::new(&entry.path), bytes, &lookup)?;
    loaded.base_dir = PathBuf::from(&entry.base_dir);
    Ok(loaded)
}

/// Where a replayed report differs from the recorded one, ignoring what a replay is expected to
/// change (the tool version and `dry_run`); one line per difference, empty when they agree.
pub fn compare_reports(recorded: &Report, replayed: &Report) -> Vec<String> {
    let normal = |r: &Report| {
        let mut r = r.clone();
        r.dry_run = false;
        r.generated_at = None;
        r.tool.version.clear();
        serde_json::to_value(r).unwrap_or(serde_json::Value::Null)
    };
    let (a, b) = (normal(recorded), normal(replayed));
    let mut out = Vec::new();
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return out;
    };
    for (key, old) in a {
        let new = b.get(key).unwrap_or(&serde_json::Value::Null);
        if old == new {
            continue;
        }
        match key.as_str() {
            "checks" => {
                let ids = |v: &serde_json::Value| -> BTreeMap<String, serde_json::Value> {
                    v.as_array()
                        .into_iter()
                        .flatten()
                        .map(|c| (c["id"].as_str().unwrap_or_default().to_owned(), c.clone()))
                        .collect()
                };
                let (old, new) = (ids(old), ids(new));
                for id in old.keys().chain(new.keys()).collect::<BTreeSet<_>>() {
                    match (old.get(id), new.get(id)) {
                        (Some(o), Some(n)) if o != n => out.push(format!(
                            "check `{id}`: {} → {}",
                            o["status"].as_str().unwrap_or("?"),
                            n["status"].as_str().unwrap_or("?")
                        )),
                        (Some(_), None) => out.push(format!("check `{id}`: not run on replay")),
                        (None, Some(_)) => out.push(format!("check `{id}`: only run on replay")),
                        _ => {}
                    }
                }
            }
            "decision" | "exit_code" | "evaluated_at" => {
                out.push(format!("{key}: {old} → {new}"));
            }
            other => out.push(format!("`{other}` differs")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use crate::resolver::FetchedCopy;
    use crate::{GatherOptions, load_policy, run_with};
    use shipgate_model::InputRecord;
    use std::fs;

    const POLICY: &str = "version: 1\nrelease: {name: pay, version: '${V:-1.0}'}\nsources:\n  tests: {junit: [\"r/*.xml\", \"../shared/*.xml\"]}\n  uat: {signoff: uat.yaml}\nchecks:\n  regression: {min_pass_rate: 50%}\n  uat: {required_roles: [po]}\n";
    const JUNIT: &str = r#"<testsuite name="s" timestamp="2026-11-24T08:00:00"><testcase classname="a.B" name="t1"/><testcase classname="a.B" name="t2"><failure/></testcase></testsuite>"#;
    const RECORD: &str = "release: pay\nversion: '2.0'\ndecision: approved\nsignoffs:\n  - {name: Dana, role: po, at: '2026-11-20T10:00:00Z', meaning: approval}\n";

    fn now() -> Timestamp {
        "2026-11-24T10:00:00Z".parse().unwrap()
    }

    /// A project under `root/project` (with one input outside it, in `root/shared`), and a
    /// report folder `root/out` recorded from a live run with `V=2.0`.
    fn recorded() -> (tempfile::TempDir, Report) {
        let root = tempfile::tempdir().unwrap();
        let project = root.path().join("project");
        fs::create_dir_all(project.join("r")).unwrap();
        fs::create_dir_all(root.path().join("shared")).unwrap();
        fs::write(project.join("shipgate.yaml"), POLICY).unwrap();
        fs::write(project.join("r/a.xml"), JUNIT).unwrap();
        fs::write(root.path().join("shared/b.xml"), JUNIT).unwrap();
        fs::write(project.join("uat.yaml"), RECORD).unwrap();
        let env = |name: &str| (name == "V").then(|| "2.0".to_owned());
        let loaded = load_policy(&project.join("shipgate.yaml"), &env).unwrap();
        let resolver = Resolver::live(&loaded.base_dir, true);
        let report = run_with(&loaded, &resolver, now(), &GatherOptions::default());
        let json = serde_json::to_vec_pretty(&report).unwrap();
        let out = root.path().join("out");
        fs::create_dir_all(&out).unwrap();
        let written = write_record(&out, &loaded, &resolver, &report, &json).unwrap();
        // The hash handed back is the hash of the manifest as written.
        assert_eq!(
            written.manifest_sha256,
            sha256_hex(&fs::read(out.join(MANIFEST_FILE)).unwrap())
        );
        fs::write(out.join(REPORT_FILE), &json).unwrap();
        (root, report)
    }

    fn replay(out: &Path) -> Report {
        let snapshot = Snapshot::open(out).unwrap();
        let loaded = load_snapshot_policy(&snapshot).unwrap();
        let at = snapshot.manifest().evaluated_at;
        run_with(
            &loaded,
            &Resolver::replay(snapshot),
            at,
            &GatherOptions::default(),
        )
    }

    #[test]
    fn a_replay_of_the_record_gives_the_same_report() {
        let (root, report) = recorded();
        assert_eq!(report.release.version.as_deref(), Some("2.0"));
        assert_eq!(report.inputs.len(), 3, "{:#?}", report.inputs);
        // Offline: the live files are gone.
        fs::remove_dir_all(root.path().join("project")).unwrap();
        fs::remove_dir_all(root.path().join("shared")).unwrap();
        let out = root.path().join("out");
        let replayed = replay(&out);
        assert_eq!(
            serde_json::to_string_pretty(&replayed).unwrap(),
            serde_json::to_string_pretty(&report).unwrap()
        );
        let snapshot = Snapshot::open(&out).unwrap();
        let recorded = snapshot.recorded_report().unwrap().unwrap();
        assert!(compare_reports(&recorded, &replayed).is_empty());
        let m = snapshot.manifest();
        assert_eq!(m.policy.env.get("V"), Some(&Some("2.0".to_owned())));
        let stored: Vec<&str> = m.files.iter().map(|f| f.stored.as_str()).collect();
        assert_eq!(
            stored,
            [
                "evidence/files/tests/_up/shared/b.xml.recorded",
                "evidence/files/tests/r/a.xml.recorded",
                "evidence/files/uat/uat.yaml"
            ]
        );
    }

    #[test]
    fn what_was_missing_stays_missing_at_replay() {
        let (root, report) = recorded();
        let uat = report
            .checks
            .iter()
            .find(|c| c.id == "uat.signoff")
            .unwrap();
        assert_eq!(uat.details["signature"]["status"], "unsigned");
        let replayed = replay(&root.path().join("out"));
        let uat = replayed
            .checks
            .iter()
            .find(|c| c.id == "uat.signoff")
            .unwrap();
        assert_eq!(uat.details["signature"]["status"], "unsigned");
    }

    #[test]
    fn a_changed_stored_file_is_refused() {
        let (root, _) = recorded();
        let out = root.path().join("out");
        fs::write(
            out.join("evidence/files/tests/r/a.xml.recorded"),
            JUNIT.replace("<failure/>", ""),
        )
        .unwrap();
        match Snapshot::open(&out).unwrap_err() {
            EvaluatorError::SnapshotTampered { problems, .. } => {
                assert_eq!(problems.len(), 1, "{problems:#?}");
                assert!(
                    problems[0].starts_with(
                        "`evidence/files/tests/r/a.xml.recorded` (the tests input `r/a.xml`) has SHA-256"
                    ),
                    "{}",
                    problems[0]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_changed_report_policy_missing_or_extra_file_is_refused() {
        let (root, _) = recorded();
        let out = root.path().join("out");
        fs::write(out.join(REPORT_FILE), "{}").unwrap();
        fs::remove_file(out.join("evidence/policy/shipgate.yaml")).unwrap();
        fs::write(out.join("evidence/files/tests/r/c.xml"), JUNIT).unwrap();
        match Snapshot::open(&out).unwrap_err() {
            EvaluatorError::SnapshotTampered { problems, .. } => {
                let text = problems.join("\n");
                assert!(
                    text.contains("`evidence/policy/shipgate.yaml` (the policy"),
                    "{text}"
                );
                assert!(
                    text.contains("`report.json` (the JSON report) has SHA-256"),
                    "{text}"
                );
                assert!(
                    text.contains(
                        "`evidence/files/tests/r/c.xml` is in the record but not in its manifest"
                    ),
                    "{text}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_manifest_cannot_point_outside_the_record() {
        let (root, _) = recorded();
        let out = root.path().join("out");
        let path = out.join(MANIFEST_FILE);
        let text = fs::read_to_string(&path)
            .unwrap()
            .replace("evidence/files/uat/uat.yaml", "../project/uat.yaml");
        fs::write(&path, text).unwrap();
        match Snapshot::open(&out).unwrap_err() {
            EvaluatorError::SnapshotTampered { problems, .. } => {
                assert!(
                    problems[0].contains("outside the record's `evidence/` folder"),
                    "{problems:#?}"
                );
                assert!(problems[1].contains("not in its manifest"), "{problems:#?}");
            }
            other => panic!("{other:?}"),
        }
    }

    /// A replay evaluates at the recorded time: one edited to drop its zone would move every
    /// waiver's and evidence's age by the reader's guess, so it is refused, naming the field.
    #[test]
    fn a_recorded_time_without_a_zone_is_refused() {
        let (root, _) = recorded();
        let out = root.path().join("out");
        let manifest = fs::read_to_string(out.join(MANIFEST_FILE)).unwrap();
        let recorded_at = "\"evaluated_at\": \"2026-11-24T10:00:00Z\"";
        assert!(manifest.contains(recorded_at), "{manifest}");
        for edited in [
            "2026-11-24T10:00:00",
            "2026-11-24",
            "2026-11-24T10:00:00+01:00[UTC]",
        ] {
            fs::write(
                out.join(MANIFEST_FILE),
                manifest.replace(recorded_at, &format!("\"evaluated_at\": \"{edited}\"")),
            )
            .unwrap();
            let err = Snapshot::open(&out).unwrap_err().to_string();
            assert!(err.contains("is not a release manifest"), "{edited}: {err}");
            assert!(err.contains(&format!("`{edited}`")), "{edited}: {err}");
        }
    }

    #[test]
    fn a_folder_without_a_record_or_with_a_newer_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = Snapshot::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("holds no release record"), "{err}");
        fs::create_dir_all(dir.path().join(EVIDENCE_DIR)).unwrap();
        fs::write(dir.path().join(MANIFEST_FILE), r#"{"manifest_version": 3}"#).unwrap();
        let err = Snapshot::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("written by a newer shipgate"), "{err}");
        fs::write(dir.path().join(MANIFEST_FILE), r#"{"manifest_version": 1}"#).unwrap();
        let err = Snapshot::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("written by an earlier shipgate"), "{err}");
        fs::write(dir.path().join(MANIFEST_FILE), "[]").unwrap();
        let err = Snapshot::open(dir.path()).unwrap_err().to_string();
        assert!(err.contains("is not a release manifest"), "{err}");
    }

    #[test]
    fn a_manifest_with_a_key_twice_or_an_unknown_key_is_refused() {
        let (root, _) = recorded();
        let out = root.path().join("out");
        let manifest = out.join(MANIFEST_FILE);
        let text = fs::read_to_string(&manifest).unwrap();
        assert!(Snapshot::open(&out).is_ok());
        let twice = text.replacen(
            "\"evaluated_at\":",
            "\"evaluated_at\": \"2020-01-01T00:00:00Z\",\n  \"evaluated_at\":",
            1,
        );
        fs::write(&manifest, &twice).unwrap();
        let err = Snapshot::open(&out).unwrap_err().to_string();
        assert!(
            err.contains("`evidence/manifest.json` is not a release manifest: the key `evaluated_at` appears twice (line"),
            "{err}"
        );
        let typo = text.replacen("\"evaluated_at\":", "\"evaluatd_at\":", 1);
        fs::write(&manifest, &typo).unwrap();
        let err = Snapshot::open(&out).unwrap_err().to_string();
        assert!(
            err.contains("unknown key `evaluatd_at` (line")
                && err.contains("did you mean `evaluated_at`?"),
            "{err}"
        );
    }

    /// A fetched source keeps what it fetched; the record stores it, and at replay the source
    /// finds it through `Resolver::fetched` instead of the network.
    #[test]
    fn fetched_data_is_stored_and_found_again_at_replay() {
        let (root, report) = recorded();
        let project = root.path().join("project");
        let env = |name: &str| (name == "V").then(|| "2.0".to_owned());
        let loaded = load_policy(&project.join("shipgate.yaml"), &env).unwrap();
        let resolver = Resolver::live(&loaded.base_dir, true);
        let mut report2 = run_with(&loaded, &resolver, now(), &GatherOptions::default());
        let fetched = br#"[{"key": "PAY-1"}]"#.to_vec();
        resolver.keep_fetched(FetchedCopy {
            source: "defects".into(),
            origin: "https://acme.atlassian.net/rest/api/3/search/jql".into(),
            file_name: "defects.json".into(),
            bytes: fetched.clone(),
        });
        report2.inputs.push(InputRecord {
            source: "defects".into(),
            path: "https://acme.atlassian.net/rest/api/3/search/jql".into(),
            sha256: sha256_hex(&fetched),
            bytes: fetched.len() as u64,
        });
        let out = root.path().join("out2");
        fs::create_dir_all(&out).unwrap();
        let m = write_record(&out, &loaded, &resolver, &report2, b"{}")
            .unwrap()
            .manifest;
        assert_eq!(m.fetched[0].stored, "evidence/fetched/defects/defects.json");
        assert_eq!(m.files.len(), report.inputs.len());
        fs::write(out.join(REPORT_FILE), b"{}").unwrap();
        let replay = Resolver::replay(Snapshot::open(&out).unwrap());
        let found = replay.fetched("defects").unwrap();
        assert_eq!(fs::read(&found.full).unwrap(), fetched);
        assert_eq!(
            found.shown,
            "https://acme.atlassian.net/rest/api/3/search/jql"
        );
        assert!(replay.fetched("tests").is_none());
    }

    /// A JUnit input whose test printed the tracker's token: the copy would keep it byte for
    /// byte, so no record is written, and nothing is left behind.
    #[test]
    fn a_record_that_would_keep_a_secret_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let project = root.path().join("project");
        fs::create_dir_all(project.join("r")).unwrap();
        fs::write(project.join("shipgate.yaml"), TRACKER_POLICY).unwrap();
        let token = "tok-4c1d-recorded-never";
        let junit = JUNIT.replace(
            "</testsuite>",
            &format!("<system-out>env: TRACKER_TOKEN={token}</system-out></testsuite>"),
        );
        assert!(junit.contains(token));
        fs::write(project.join("r/a.xml"), &junit).unwrap();
        let env = |name: &str| match name {
            "TRACKER_USER" => Some("qa@acme.example".to_owned()),
            "TRACKER_TOKEN" => Some(token.to_owned()),
            _ => None,
        };
        let loaded = load_policy(&project.join("shipgate.yaml"), &env).unwrap();
        let resolver = Resolver::live(&loaded.base_dir, true);
        let options = GatherOptions {
            offline: true,
            ..GatherOptions::default()
        };
        let report = run_with(&loaded, &resolver, now(), &options);
        let out = root.path().join("out");
        fs::create_dir_all(&out).unwrap();
        match write_record(&out, &loaded, &resolver, &report, b"{}").unwrap_err() {
            EvaluatorError::SecretInRecord { path, env } => {
                assert_eq!((path.as_str(), env.as_str()), ("r/a.xml", "TRACKER_TOKEN"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(fs::read_dir(&out).unwrap().count(), 0, "no partial record");
        // The same run without the token in its environment has nothing to hide.
        let loaded = load_policy(&project.join("shipgate.yaml"), &|_| None).unwrap();
        let resolver = Resolver::live(&loaded.base_dir, true);
        let report = run_with(&loaded, &resolver, now(), &options);
        write_record(&out, &loaded, &resolver, &report, b"{}").unwrap();
        // A report that still holds it is refused as well.
        let loaded = load_policy(&project.join("shipgate.yaml"), &env).unwrap();
        fs::write(project.join("r/a.xml"), JUNIT).unwrap();
        let resolver = Resolver::live(&loaded.base_dir, true);
        let report = run_with(&loaded, &resolver, now(), &options);
        let json = format!("{{\"message\": \"{token}\"}}");
        assert!(matches!(
            write_record(&out, &loaded, &resolver, &report, json.as_bytes()),
            Err(EvaluatorError::SecretInRecord { .. })
        ));
    }

    const TRACKER_POLICY: &str = "version: 1\nrelease: {name: pay, version: '1.0'}\nsources:\n  tests: {junit: [\"r/*.xml\"]}\n  defects:\n    kind: jira\n    url: https://acme.atlassian.net\n    user_env: TRACKER_USER\n    token_env: TRACKER_TOKEN\n    query: project = PAY\n    origin: {field: Defect origin, production: [Production], pre_production: [QA]}\nchecks:\n  regression: {min_pass_rate: 50%}\n  defects: {max_open: {critical: 9}}\n";

    /// A record of a gate that read a tracker: the live run is offline, and what the tracker
    /// "answered" (the example's export, in the defect JSON form) is kept as fetched.
    fn tracker_record(root: &Path) -> (LoadedPolicy, PathBuf) {
        let project = root.join("project");
        fs::create_dir_all(project.join("r")).unwrap();
        fs::write(project.join("shipgate.yaml"), TRACKER_POLICY).unwrap();
        fs::write(project.join("r/a.xml"), JUNIT).unwrap();
        let loaded = load_policy(&project.join("shipgate.yaml"), &|_| None).unwrap();
        let example = load_policy(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/defects/shipgate.yaml"),
            &|_| None,
        )
        .unwrap();
        let (state, _) = crate::load_defects(
            example.policy.sources.defects.as_ref().unwrap(),
            &example.base_dir,
            &GatherOptions::default(),
        );
        let answer = crate::write_defects_json(&state.loaded().unwrap().evidence).into_bytes();
        let location = crate::defect_config(
            loaded.policy.sources.defects.as_ref().unwrap(),
            &loaded.base_dir,
        )
        .location();
        let resolver = Resolver::live(&loaded.base_dir, true);
        let options = GatherOptions {
            offline: true,
            ..GatherOptions::default()
        };
        let mut report = run_with(&loaded, &resolver, now(), &options);
        resolver.keep_fetched(FetchedCopy {
            source: "defects".into(),
            origin: location.clone(),
            file_name: "defects.json".into(),
            bytes: answer.clone(),
        });
        report.inputs.push(InputRecord {
            source: "defects".into(),
            path: location,
            sha256: sha256_hex(&answer),
            bytes: answer.len() as u64,
        });
        let out = root.join("first");
        fs::create_dir_all(&out).unwrap();
        write_record(&out, &loaded, &resolver, &report, b"{}").unwrap();
        fs::write(out.join(REPORT_FILE), b"{}").unwrap();
        (loaded, out)
    }

    fn record_replay(from: &Path, to: &Path) -> (Report, Manifest) {
        let snapshot = Snapshot::open(from).unwrap();
        let loaded = load_snapshot_policy(&snapshot).unwrap();
        let at = snapshot.manifest().evaluated_at;
        let resolver = Resolver::replay(snapshot);
        let report = run_with(&loaded, &resolver, at, &GatherOptions::default());
        let json = serde_json::to_vec_pretty(&report).unwrap();
        fs::create_dir_all(to).unwrap();
        let written = write_record(to, &loaded, &resolver, &report, &json).unwrap();
        fs::write(to.join(REPORT_FILE), &json).unwrap();
        (report, written.manifest)
    }

    /// A replay recorded again stores what the first run fetched as fetched again (not as a
    /// local file), so that the second record replays the same.
    #[test]
    fn a_recorded_replay_keeps_what_was_fetched_as_fetched() {
        let root = tempfile::tempdir().unwrap();
        let (_, first) = tracker_record(root.path());
        let second = root.path().join("second");
        let (report, manifest) = record_replay(&first, &second);
        let defects = report
            .checks
            .iter()
            .find(|c| c.id == "defects.open")
            .unwrap();
        assert_eq!(
            defects.status,
            shipgate_model::CheckStatus::Pass,
            "{defects:#?}"
        );
        assert_eq!(manifest.fetched.len(), 1, "{:#?}", manifest.fetched);
        assert_eq!(
            manifest.fetched[0].stored,
            "evidence/fetched/defects/defects.json"
        );
        assert!(manifest.files.iter().all(|f| f.source != "defects"));
        let third = root.path().join("third");
        let (again, _) = record_replay(&second, &third);
        assert_eq!(
            serde_json::to_string(&again).unwrap(),
            serde_json::to_string(&report).unwrap()
        );
    }

    /// At replay the stored tracker answer must be of the tracker the policy names.
    #[test]
    fn stored_defects_of_another_tracker_are_refused() {
        let root = tempfile::tempdir().unwrap();
        let (_, first) = tracker_record(root.path());
        let path = first.join(MANIFEST_FILE);
        let text = fs::read_to_string(&path).unwrap().replace(
            "\"origin\": \"https://acme.atlassian.net",
            "\"origin\": \"https://evil.example",
        );
        fs::write(&path, text).unwrap();
        let report = replay(&first);
        let c = report
            .checks
            .iter()
            .find(|c| c.id == "defects.open")
            .unwrap();
        assert_eq!(c.status, shipgate_model::CheckStatus::Error, "{c:#?}");
        assert!(
            c.message.contains("fetched from `https://evil.example"),
            "{}",
            c.message
        );
    }

    #[test]
    fn an_input_not_read_through_the_resolver_or_changed_since_cannot_be_recorded() {
        let (root, mut report) = recorded();
        let project = root.path().join("project");
        let loaded = load_policy(&project.join("shipgate.yaml"), &|_| None).unwrap();
        let resolver = Resolver::live(&loaded.base_dir, true);
        let _ = run_with(&loaded, &resolver, now(), &GatherOptions::default());
        report.inputs.push(InputRecord {
            source: "perf".into(),
            path: "perf/k6.json".into(),
            sha256: "0".repeat(64),
            bytes: 0,
        });
        let out = root.path().join("out3");
        let err = write_record(&out, &loaded, &resolver, &report, b"{}").unwrap_err();
        assert!(
            matches!(err, EvaluatorError::InputNotRecordable { .. }),
            "{err:?}"
        );
        assert!(
            !out.join(EVIDENCE_DIR).exists(),
            "nothing half-written is left"
        );

        let resolver = Resolver::live(&loaded.base_dir, true);
        let report = run_with(&loaded, &resolver, now(), &GatherOptions::default());
        fs::write(project.join("r/a.xml"), JUNIT.replace("<failure/>", "")).unwrap();
        let err = write_record(&out, &loaded, &resolver, &report, b"{}").unwrap_err();
        assert!(
            err.to_string()
                .contains("`r/a.xml`: it changed while the gate ran"),
            "{err}"
        );
    }

    #[test]
    fn stored_names_stay_inside_the_record() {
        assert_eq!(
            stored_path("files", "tests", "r/a.xml"),
            "evidence/files/tests/r/a.xml.recorded"
        );
        assert_eq!(
            stored_path("files", "tests", "/abs/a.xml"),
            "evidence/files/tests/_root/abs/a.xml.recorded"
        );
        assert_eq!(
            stored_path("files", "tests", "../../x/./a.xml"),
            "evidence/files/tests/_up/_up/x/a.xml.recorded"
        );
        assert_eq!(
            stored_path("files", "tests", "C:\\r\\a?.xml"),
            "evidence/files/tests/_root/C_/r/a_.xml.recorded"
        );
        // Only XML gets the suffix (in any case); other readers need their extension.
        assert_eq!(
            stored_path("files", "tests", "r/TEST-A.XML"),
            "evidence/files/tests/r/TEST-A.XML.recorded"
        );
        assert_eq!(
            stored_path("files", "defects", "defects.csv"),
            "evidence/files/defects/defects.csv"
        );
        assert_eq!(
            stored_path("files", "tests", "r/.xml"),
            "evidence/files/tests/r/.xml.recorded"
        );
        assert_eq!(
            stored_path("files", "tests", "r/résumé.xml"),
            "evidence/files/tests/r/résumé.xml.recorded"
        );
        let mut names = StoredNames::default();
        assert_eq!(names.claim("evidence/x"), "evidence/x");
        assert_eq!(names.claim("evidence/x"), "evidence/x~2");
        assert!(is_plain_relative("evidence/files/a"));
        assert!(!is_plain_relative("evidence/../a"));
        assert!(!is_plain_relative("/etc/passwd"));
    }
}
