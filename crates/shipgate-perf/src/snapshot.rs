//! Baselines: `shipgate perf baseline promote` keeps a good run of the load test, and the gate
//! compares the next release with the last runs kept.
//!
//! A baseline is a manifest (documented in `docs/performance-evidence.md`) of up to `keep` runs,
//! oldest first. Each run's own file is copied beside the manifest, into `<name>.runs/`, and the
//! manifest records its hash, its size, its format and what the promotion added (when, the
//! release, the commit, whether it was forced past failed thresholds):
//!
//! ```json
//! {
//!   "shipgate_perf_baseline": 2,
//!   "written_by": "shipgate 0.1.0",
//!   "keep": 5,
//!   "runs": [
//!     { "file": "baseline.runs/60576b4901a38be8-run.jtl", "sha256": "60576b49…",
//!       "bytes": 92204, "format": "jmeter", "tool": "Apache JMeter",
//!       "promoted_from": "perf/run.jtl", "run_at": "2026-11-24T01:32:08.22Z",
//!       "promoted_at": "2026-11-24T01:33:00Z", "release_version": "2.3.0",
//!       "commit": "9c1e2f4", "forced": false }
//!   ]
//! }
//! ```
//!
//! The manifest holds no number: on every use each run is read again from its own file, and
//! refused unless the file's hash and size are the recorded ones and what it says (the tool, the
//! time of the run, its thresholds) agrees with the manifest. An edit of the numbers shows as a
//! file that no longer matches its hash; the hash can only be changed along with the file, which
//! is a promotion of another run, visible as such in review. (Version 1 snapshots kept the
//! numbers themselves, which an edit could scale consistently without a trace; they are refused.)

use crate::error::PerfError;
use crate::reader::{Input, Reader, Sample};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shipgate_model::{PerfBaseline, PerfEvidence, PerfFormat};
use std::path::{Component, Path, PathBuf};

/// The version of the baseline format this shipgate writes and reads.
pub const SNAPSHOT_VERSION: u32 = 2;

/// How many runs a baseline keeps unless told otherwise.
pub const DEFAULT_KEEP: u32 = 5;

const FORMAT: &str = "shipgate baseline";

/// The key a baseline is recognised by.
const KEY: &str = "shipgate_perf_baseline";

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    shipgate_perf_baseline: u32,
    written_by: String,
    keep: u32,
    runs: Vec<RunEntry>,
}

/// One run of a baseline, as the manifest records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RunEntry {
    /// The kept copy of the run's file, relative to the manifest's folder, `/`-separated.
    file: String,
    /// Hex SHA-256 of that file.
    sha256: String,
    /// Its size in bytes.
    bytes: u64,
    /// The format family it is read as.
    format: PerfFormat,
    /// The tool that measured.
    tool: String,
    /// The file as it was named when it was promoted.
    promoted_from: String,
    /// When the run happened, when its file says.
    #[serde(default, with = "shipgate_model::instant::strict::option")]
    run_at: Option<Timestamp>,
    /// When it was promoted.
    #[serde(with = "shipgate_model::instant::strict")]
    promoted_at: Timestamp,
    /// The release it measured.
    release_version: Option<String>,
    /// The commit it measured.
    commit: Option<String>,
    /// Whether it was promoted past its own failed thresholds.
    forced: bool,
}

/// A baseline manifest: recognised by its first key (which promote writes first), or by that key
/// anywhere in a JSON document. Its runs are in other files, so it is read through its path
/// ([`read_baseline`]); handed as bytes alone it is refused.
pub(crate) static SNAPSHOT: Snapshot = Snapshot;

/// The reader of baseline manifests.
pub(crate) struct Snapshot;

impl Reader for Snapshot {
    fn format(&self) -> PerfFormat {
        PerfFormat::Baseline
    }

    fn describe(&self) -> &'static str {
        "a shipgate baseline"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        match sample {
            Sample::Head(head) => starts_as_manifest(head.text),
            Sample::Json(obj) => obj.contains_key(KEY),
        }
    }

    fn read(&self, _input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        // A manifest read through its path never gets here (`read_baseline`); one handed as
        // bytes, or rewritten so that its version key is no longer first, does.
        Err(PerfError::NotRecognised {
            path: path.to_owned(),
            what: format!(
                "it is a shipgate baseline, but not as `promote` writes one (its first key `{KEY}`, its runs in the files beside it); promote the baseline again"
            ),
        })
    }
}

/// Whether the text (past a byte order mark and white space) starts as a manifest does.
fn starts_as_manifest(text: &[u8]) -> bool {
    let Some(inner) = text.strip_prefix(b"{") else {
        return false;
    };
    let key_at = inner
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    inner[key_at..].starts_with(format!("\"{KEY}\"").as_bytes())
}

/// A file read on the way to a baseline: where, and its hash, for the audit record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRead {
    /// The file, as named in messages.
    pub path: String,
    /// Hex SHA-256 of its bytes.
    pub sha256: String,
    /// Its size.
    pub bytes: u64,
}

/// A baseline as read: the runs, and every file read for them (the manifest first).
#[derive(Clone, Debug, PartialEq)]
pub struct BaselineRead {
    /// The baseline.
    pub baseline: PerfBaseline,
    /// Every file read, with its hash.
    pub files: Vec<FileRead>,
}

/// Reads the baseline at `path`: a manifest written by `promote` (each run read again from its
/// kept file and checked against the manifest), or a tool's own file (one run).
pub fn read_baseline(
    path: &Path,
    display: &str,
    format: PerfFormat,
) -> Result<BaselineRead, PerfError> {
    read_baseline_with(path, display, format, &beside(path, display))
}

/// Finds a run's file beside the manifest at `path`, from its name in messages.
pub(crate) fn beside(path: &Path, display: &str) -> impl Fn(&str) -> PathBuf + use<> {
    let dir = path.parent().unwrap_or_else(|| Path::new("")).to_path_buf();
    let display_dir = parent_of(display);
    move |shown: &str| dir.join(shown.strip_prefix(&display_dir).unwrap_or(shown))
}

/// [`read_baseline`], finding each run's file through `locate`, which is given the file as
/// named in messages (the manifest's folder joined with the run's `file`): the gate reads the
/// live files, or their copies in a release record.
pub fn read_baseline_with(
    path: &Path,
    display: &str,
    format: PerfFormat,
    locate: &dyn Fn(&str) -> PathBuf,
) -> Result<BaselineRead, PerfError> {
    let opened = Opened::open(path).map_err(|source| PerfError::Io {
        path: display.to_owned(),
        source,
    })?;
    baseline_from(opened, display, format, locate)
}

/// [`read_baseline_with`] on a file already opened: a tool's own file is read from the same
/// handle, a manifest is read whole from it.
pub(crate) fn baseline_from(
    opened: Opened,
    display: &str,
    format: PerfFormat,
    locate: &dyn Fn(&str) -> PathBuf,
) -> Result<BaselineRead, PerfError> {
    let io = |source| PerfError::Io {
        path: display.to_owned(),
        source,
    };
    if format != PerfFormat::Baseline && !opened.is_manifest() {
        let read = crate::read_stream(opened, display, format)?;
        return Ok(BaselineRead {
            files: vec![FileRead {
                path: display.to_owned(),
                sha256: read.sha256,
                bytes: read.bytes,
            }],
            baseline: PerfBaseline {
                path: display.to_owned(),
                promoted: false,
                runs: vec![read.evidence],
            },
        });
    }
    // A manifest is small: it names its runs and holds no number.
    let bytes = opened.read_all().map_err(io)?;
    let text = crate::reader::strip_bom(&bytes).trim_ascii_start();
    if !starts_as_manifest(text) {
        // Declared a baseline but something else: say what it looks like, as for any format.
        return Err(match crate::read_bytes(&bytes, display, PerfFormat::Auto) {
            Ok(other) => PerfError::FormatMismatch {
                path: display.to_owned(),
                declared: FORMAT.to_owned(),
                found: other.evidence.provenance.format,
            },
            Err(_) => PerfError::NotRecognised {
                path: display.to_owned(),
                what: format!(
                    "it is not a shipgate baseline (written by `shipgate perf baseline promote`, it starts with `{{\"{KEY}\"`)"
                ),
            },
        });
    }
    let manifest = parse_manifest(text, display)?;
    runs_of(&manifest, &bytes, display, locate)
}

/// Reads every run of a parsed manifest (`bytes` are the manifest's, as parsed), each checked
/// against what the manifest recorded.
fn runs_of(
    manifest: &Manifest,
    bytes: &[u8],
    display: &str,
    locate: &dyn Fn(&str) -> PathBuf,
) -> Result<BaselineRead, PerfError> {
    let mut files = vec![FileRead {
        path: display.to_owned(),
        sha256: sha256_hex(bytes),
        bytes: bytes.len() as u64,
    }];
    let display_dir = parent_of(display);
    let mut runs = Vec::with_capacity(manifest.runs.len());
    for (i, entry) in manifest.runs.iter().enumerate() {
        let (evidence, file) = read_run(entry, i, locate, &display_dir, display)?;
        runs.push(evidence);
        files.push(file);
    }
    Ok(BaselineRead {
        baseline: PerfBaseline {
            path: display.to_owned(),
            promoted: true,
            runs,
        },
        files,
    })
}

/// How much of a file is looked at to tell a manifest from a tool's file.
const HEAD: u64 = 256;

/// A file opened once: its first bytes, read to tell a manifest from a tool's file, then the
/// rest from the same handle. Every byte a reader parses is read here once, so the hash is of
/// the bytes parsed, and the file cannot change between the look at its head and the reading.
pub(crate) struct Opened {
    head: Vec<u8>,
    /// How much of `head` was handed on.
    pos: usize,
    file: std::fs::File,
}

impl Opened {
    /// Opens `path` and reads its first bytes.
    pub(crate) fn open(path: &Path) -> std::io::Result<Self> {
        use std::io::Read;
        let mut file = std::fs::File::open(path)?;
        let mut head = Vec::with_capacity(HEAD as usize);
        (&mut file).take(HEAD).read_to_end(&mut head)?;
        Ok(Self { head, pos: 0, file })
    }

    /// Whether the file starts as a baseline manifest does.
    pub(crate) fn is_manifest(&self) -> bool {
        starts_as_manifest(crate::reader::strip_bom(&self.head).trim_ascii_start())
    }

    /// The whole file, from its first byte.
    pub(crate) fn read_all(mut self) -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        self.read_to_end(&mut bytes)?;
        Ok(bytes)
    }
}

impl std::io::Read for Opened {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = self.head.get(self.pos..).unwrap_or(&[]);
        if rest.is_empty() {
            return self.file.read(buf);
        }
        let n = rest.len().min(buf.len());
        if let (Some(to), Some(from)) = (buf.get_mut(..n), rest.get(..n)) {
            to.copy_from_slice(from);
        }
        self.pos += n;
        // The same read goes on into the file: a reader's first read sees as many bytes as the
        // file would have given it (the readers recognise a file from that first read). An
        // error here comes back on the next read.
        let more = match buf.get_mut(n..) {
            Some(room) if !room.is_empty() => self.file.read(room).unwrap_or(0),
            _ => 0,
        };
        Ok(n + more)
    }
}

/// Whether the file at `path` starts as a baseline manifest does.
pub(crate) fn is_manifest_file(path: &Path) -> std::io::Result<bool> {
    Opened::open(path).map(|o| o.is_manifest())
}

/// The folder part of a display path (`perf/baseline.json` → `perf/`), `/`-separated.
fn parent_of(display: &str) -> String {
    match display.rfind(['/', '\\']) {
        Some(i) => display[..=i].to_owned(),
        None => String::new(),
    }
}

/// Reads one run of a manifest from its kept file, and holds it to what the manifest recorded.
fn read_run(
    entry: &RunEntry,
    i: usize,
    locate: &dyn Fn(&str) -> PathBuf,
    display_dir: &str,
    manifest: &str,
) -> Result<(PerfEvidence, FileRead), PerfError> {
    let at = format!("runs[{i}]");
    let bad = |message: String| invalid(manifest, &at, message);
    let display = format!("{display_dir}{}", entry.file);
    let file = locate(&display);
    // Opened once: the head looked at and the bytes read and hashed are the same file's.
    let opened = match Opened::open(&file) {
        Ok(o) => o,
        Err(source) if source.kind() == std::io::ErrorKind::NotFound => {
            return Err(bad(format!(
                "the run's file `{display}` is not there; a baseline is its manifest and the files of its runs: keep (commit) the `.runs` folder beside the manifest, or promote a new baseline"
            )));
        }
        Err(source) => {
            return Err(PerfError::Io {
                path: display,
                source,
            });
        }
    };
    // A run is a load test's own file. A manifest in its place would be read as a baseline
    // again, and one that names itself would never end.
    if opened.is_manifest() {
        return Err(bad(format!(
            "the run's file `{display}` is a shipgate baseline, not a load test's results; promote the load test's own files"
        )));
    }
    let read = crate::read_stream(opened, &display, entry.format)?;
    if read.sha256 != entry.sha256 || read.bytes != entry.bytes {
        return Err(bad(format!(
            "the run's file `{display}` is not the one that was promoted: its SHA-256 is {} ({} bytes), the baseline recorded {} ({} bytes). It was changed after it was promoted; promote the run again from the load test's own file",
            read.sha256, read.bytes, entry.sha256, entry.bytes
        )));
    }
    let mut evidence = read.evidence;
    if evidence.provenance.tool != entry.tool {
        return Err(bad(format!(
            "the baseline says the run was measured by {}, but `{display}` is {}'s",
            entry.tool, evidence.provenance.tool
        )));
    }
    // A run's time is its file's, which the hash covers: promote records only that one, so a
    // manifest that says another, or one where the file says none, was edited. (A time only
    // the manifest gave would let an edit make a stale run look fresh to `max_age`.)
    match (entry.run_at, evidence.provenance.run_at) {
        (Some(recorded), Some(read_at)) if recorded != read_at => {
            return Err(bad(format!(
                "the baseline says the run happened at {recorded}, but `{display}` says {read_at}"
            )));
        }
        (Some(recorded), None) => {
            return Err(bad(format!(
                "the baseline says the run happened at {recorded}, but `{display}` does not say when it ran, and promote records only the time a run's file gives: the manifest was edited; promote the run again"
            )));
        }
        _ => {}
    }
    let failed = evidence.thresholds.failed();
    if !failed.is_empty() && !entry.forced {
        return Err(bad(format!(
            "the run failed {} of its own thresholds ({}), but the baseline does not record that it was forced past them",
            failed.len(),
            failed.join("; ")
        )));
    }
    // A run whose thresholds its file cannot show was promoted only with --force: a kept run of
    // that kind without the mark had the mark removed (or was never promoted).
    let unverifiable = evidence.thresholds.unverifiable();
    if !unverifiable.is_empty() && !entry.forced {
        return Err(bad(format!(
            "whether the run met its own thresholds cannot be verified from `{display}` ({}), but the baseline does not record that it was forced past that",
            unverifiable.join("; ")
        )));
    }
    let p = &mut evidence.provenance;
    // `run_at` stays the file's. `promoted_at` is the manifest's word alone (no hash covers it):
    // it is reported, and never taken for the run's age.
    p.promoted_at = Some(entry.promoted_at);
    // The kept copy has the same bytes (checked above); the report names where it came from.
    p.source_path.clone_from(&entry.promoted_from);
    p.release_version.clone_from(&entry.release_version);
    p.commit.clone_from(&entry.commit);
    p.forced = entry.forced;
    let file = FileRead {
        path: display,
        sha256: read.sha256,
        bytes: read.bytes,
    };
    Ok((evidence, file))
}

fn invalid(path: &str, at: &str, message: String) -> PerfError {
    PerfError::Invalid {
        path: path.to_owned(),
        format: FORMAT.to_owned(),
        at: at.to_owned(),
        message,
    }
}

/// Parses a manifest and holds it to its rules: this version, a key once, no unknown key, at
/// least one run and no more than it keeps, each run's file inside the manifest's folder, a
/// SHA-256 for each, no run twice.
fn parse_manifest(bytes: &[u8], path: &str) -> Result<Manifest, PerfError> {
    let json_error = |source| PerfError::Json {
        path: path.to_owned(),
        format: FORMAT.to_owned(),
        source,
    };
    let doc = shipgate_json::parse_value(bytes).map_err(json_error)?;
    check_version(doc.get(KEY).unwrap_or(&Value::Null), path)?;
    let manifest: Manifest = shipgate_json::form_from_value(doc).map_err(json_error)?;
    if manifest.keep == 0 {
        return Err(invalid(
            path,
            "keep",
            "a baseline keeps at least one run".to_owned(),
        ));
    }
    if manifest.runs.is_empty() {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: FORMAT.to_owned(),
            what: "runs".to_owned(),
        });
    }
    if manifest.runs.len() > manifest.keep as usize {
        return Err(invalid(
            path,
            "runs",
            format!(
                "{} runs, more than the {} the baseline keeps; promote writes no more than it keeps",
                manifest.runs.len(),
                manifest.keep
            ),
        ));
    }
    for (i, run) in manifest.runs.iter().enumerate() {
        let at = format!("runs[{i}]");
        if !is_sha256(&run.sha256) {
            return Err(invalid(
                path,
                &format!("{at}.sha256"),
                "expected the 64 lower-case hex digits of the run's file's SHA-256".to_owned(),
            ));
        }
        if !is_inside(&run.file) {
            return Err(invalid(
                path,
                &format!("{at}.file"),
                format!(
                    "`{}` is not a file inside the baseline's folder (a relative path without `..`)",
                    run.file
                ),
            ));
        }
        if matches!(run.format, PerfFormat::Auto | PerfFormat::Baseline) {
            return Err(invalid(
                path,
                &format!("{at}.format"),
                format!(
                    "`{}` is not the format of a load-test tool's file",
                    run.format
                ),
            ));
        }
        if manifest.runs[..i].iter().any(|r| r.sha256 == run.sha256) {
            return Err(invalid(
                path,
                &at,
                "the same run is in the baseline twice; it would count as two".to_owned(),
            ));
        }
    }
    Ok(manifest)
}

/// Lower-case hex of the SHA-256 of `bytes` (a manifest is read whole: it is small).
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Whether a `/`-separated relative path stays inside its folder.
fn is_inside(file: &str) -> bool {
    let p = Path::new(file);
    !file.is_empty()
        && !file.contains('\\')
        && p.components().all(|c| matches!(c, Component::Normal(_)))
}

fn check_version(version: &Value, path: &str) -> Result<(), PerfError> {
    if version.as_u64() == Some(u64::from(SNAPSHOT_VERSION)) {
        return Ok(());
    }
    let why = if version.as_u64() == Some(1) {
        "version 1 baselines kept their numbers in the file, where an edit could change them without a trace, and this shipgate reads only baselines it can check against the runs' own files (version 2)".to_owned()
    } else {
        format!("version {version} is not one this shipgate reads ({SNAPSHOT_VERSION})")
    };
    Err(invalid(
        path,
        KEY,
        format!(
            "{why}; promote the baseline again from the load test's own files (`shipgate perf baseline promote RUN --out BASELINE`)"
        ),
    ))
}

/// What a promotion records besides the run itself. The caller reads the clock and the
/// environment; this crate does not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromoteOptions {
    /// When the promotion happens.
    pub now: Option<Timestamp>,
    /// The release the run measured (`--release-version`).
    pub release_version: Option<String>,
    /// The commit the run measured (`--commit`).
    pub commit: Option<String>,
    /// Promote even though the run failed its own thresholds.
    pub force: bool,
    /// How many runs the baseline keeps (`--keep`); the existing baseline's, else
    /// [`DEFAULT_KEEP`].
    pub keep: Option<u32>,
    /// Start a new baseline with this run alone (`--fresh`), dropping the runs kept so far.
    pub fresh: bool,
}

/// Why a run cannot become part of a baseline.
#[derive(Debug)]
pub enum PromoteRefusal {
    /// The run failed its own pass/fail criteria; a baseline must be a good run.
    FailedThresholds(Vec<String>),
    /// A figure of requests with no successful request behind it.
    NothingSucceeded(Vec<String>),
    /// Criteria the run may have had cannot be verified from the file (k6 `--out json` does not
    /// write a submetric's thresholds; Gatling's `simulation.log` does not record whether its
    /// assertions held): the run is not known to be good.
    UnverifiableThresholds(Vec<String>),
    /// The file already is a baseline.
    AlreadyBaseline,
    /// No promotion time was given.
    NoTime,
    /// The run is already in the baseline.
    AlreadyKept(String),
    /// The baseline holds runs of another tool.
    OtherTool {
        /// The tool of the runs kept.
        kept: String,
        /// The tool of this run.
        run: String,
    },
    /// `keep` is 0.
    KeepNothing,
    /// The run or the existing baseline could not be read.
    Read(PerfError),
    /// The output is a file that is not a baseline.
    NotABaseline(String),
    /// A file could not be written.
    Write(String),
}

impl PromoteRefusal {
    /// What is wrong and what to do, in a sentence or two.
    pub fn message(&self) -> String {
        match self {
            PromoteRefusal::FailedThresholds(failed) => format!(
                "the run failed {} of its own thresholds ({}), so it is not a good baseline; fix the run, or pass `--force` to promote it anyway (the baseline records that it was forced)",
                failed.len(),
                failed.join("; ")
            ),
            PromoteRefusal::NothingSucceeded(names) => format!(
                "no request of {} succeeded, so the run is no baseline for them; fix the failures and run the load test again",
                names.join(", ")
            ),
            PromoteRefusal::UnverifiableThresholds(unknown) => format!(
                "whether the run met its own thresholds cannot be verified from this file ({}), so it is not known to be a good baseline; promote from the tool's summary, which records every threshold's outcome (k6: `--summary-export` or `handleSummary`), or, having checked the tool's own verdict (Gatling: the assertions in its report, or its exit status), pass `--force` to promote it anyway (the baseline records that it was forced)",
                unknown.join("; ")
            ),
            PromoteRefusal::AlreadyBaseline => {
                "the file is already a baseline; promote the load test's own files into it instead"
                    .to_owned()
            }
            PromoteRefusal::NoTime => "a promotion needs the time it happens".to_owned(),
            PromoteRefusal::AlreadyKept(file) => format!(
                "the run is already in the baseline (as `{file}`); a run counted twice would make the runs look more alike than they are"
            ),
            PromoteRefusal::OtherTool { kept, run } => format!(
                "the baseline holds runs measured by {kept}, and this run was measured by {run}; tools time requests differently, so their runs are not one baseline: pass `--fresh` to start a new baseline with this run"
            ),
            PromoteRefusal::KeepNothing => "`--keep` must be at least 1".to_owned(),
            PromoteRefusal::Read(e) => format!("{e} (to fix: {})", e.remedy()),
            PromoteRefusal::NotABaseline(path) => format!(
                "`{path}` exists and is not a shipgate baseline; choose another `--out`, or remove the file"
            ),
            PromoteRefusal::Write(message) => message.clone(),
        }
    }

    /// Whether the refusal is about the run or the baseline (exit 1) rather than a file that
    /// could not be read (exit 4) or written (exit 5).
    pub fn is_about_the_run(&self) -> bool {
        !matches!(self, PromoteRefusal::Read(_) | PromoteRefusal::Write(_))
    }

    /// Whether writing failed.
    pub fn is_write(&self) -> bool {
        matches!(self, PromoteRefusal::Write(_))
    }
}

/// What a promotion did.
#[derive(Clone, Debug, PartialEq)]
pub struct Promotion {
    /// The run promoted, as the baseline records it.
    pub run: PerfEvidence,
    /// Where its file was kept, as named in messages.
    pub kept_as: String,
    /// How many runs the baseline holds now.
    pub runs: usize,
    /// How many it keeps.
    pub keep: u32,
    /// The files of the runs dropped because the baseline keeps no more.
    pub dropped: Vec<String>,
}

/// Promotes the run at `run_path` into the baseline at `out`: refuses a run that failed its own
/// thresholds (unless forced) or in which no request of a name succeeded, reads the existing
/// baseline (checking every run), copies the run's file into `<out>.runs/`, adds it as the
/// newest run, drops the oldest beyond `keep`, and writes the manifest. Each file is written to
/// a temporary name and renamed, the copy before the manifest, so the gate never reads half a
/// baseline.
pub fn promote(
    run_path: &Path,
    run_display: &str,
    format: PerfFormat,
    out: &Path,
    out_display: &str,
    shipgate_version: &str,
    options: &PromoteOptions,
) -> Result<Promotion, PromoteRefusal> {
    if format == PerfFormat::Baseline {
        return Err(PromoteRefusal::AlreadyBaseline);
    }
    let now = options.now.ok_or(PromoteRefusal::NoTime)?;
    let is_manifest = is_manifest_file(run_path).map_err(|source| {
        PromoteRefusal::Read(PerfError::Io {
            path: run_display.to_owned(),
            source,
        })
    })?;
    if is_manifest {
        return Err(PromoteRefusal::AlreadyBaseline);
    }
    let existing = if options.fresh || !out.exists() {
        None
    } else {
        Some(existing_manifest(out, out_display)?)
    };
    let keep = options
        .keep
        .or_else(|| existing.as_ref().map(|m| m.keep))
        .unwrap_or(DEFAULT_KEEP);
    if keep == 0 {
        return Err(PromoteRefusal::KeepNothing);
    }
    let name = out
        .file_name()
        .map_or_else(|| "baseline".into(), |n| n.to_string_lossy().into_owned());
    let stem = name.strip_suffix(".json").unwrap_or(&name).to_owned();
    let runs_dir = format!("{stem}.runs");
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    // The run is copied first and the copy is what is read: the bytes judged are the bytes
    // kept, whatever happens to the original meanwhile.
    std::fs::create_dir_all(dir.join(&runs_dir)).map_err(|e| {
        PromoteRefusal::Write(format!(
            "failed to create the folder `{}`: {e}",
            dir.join(&runs_dir).display()
        ))
    })?;
    let incoming = dir.join(&runs_dir).join(".incoming.tmp");
    std::fs::copy(run_path, &incoming).map_err(|e| {
        PromoteRefusal::Write(format!(
            "failed to copy `{run_display}` into `{}`: {e}",
            dir.join(&runs_dir).display()
        ))
    })?;
    // The copy, opened once: a manifest copied in place of a run is refused here too.
    let checked = Opened::open(&incoming)
        .map_err(|source| {
            PromoteRefusal::Read(PerfError::Io {
                path: run_display.to_owned(),
                source,
            })
        })
        .and_then(|opened| {
            if opened.is_manifest() {
                return Err(PromoteRefusal::AlreadyBaseline);
            }
            crate::read_stream(opened, run_display, format).map_err(PromoteRefusal::Read)
        })
        .and_then(|read| Ok((check_run(read.evidence.clone(), options)?, read)));
    let (run, read) = match checked {
        Ok(r) => r,
        Err(e) => {
            // Nothing of a refused run stays behind.
            let _ = std::fs::remove_file(&incoming);
            return Err(e);
        }
    };
    let mut runs = existing.map(|m| m.runs).unwrap_or_default();
    let refusal = if let Some(kept) = runs.iter().find(|r| r.sha256 == read.sha256) {
        Some(PromoteRefusal::AlreadyKept(kept.file.clone()))
    } else {
        runs.last()
            .filter(|kept| kept.tool != run.provenance.tool)
            .map(|kept| PromoteRefusal::OtherTool {
                kept: kept.tool.clone(),
                run: run.provenance.tool.clone(),
            })
    };
    if let Some(refusal) = refusal {
        let _ = std::fs::remove_file(&incoming);
        return Err(refusal);
    }
    let base = run_path
        .file_name()
        .map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned());
    let file = format!("{runs_dir}/{}-{}", &read.sha256[..16], sanitise(&base));
    runs.push(RunEntry {
        file: file.clone(),
        sha256: read.sha256.clone(),
        bytes: read.bytes,
        format: read.family,
        tool: run.provenance.tool.clone(),
        promoted_from: run_display.to_owned(),
        run_at: run.provenance.run_at,
        promoted_at: now,
        release_version: run.provenance.release_version.clone(),
        commit: run.provenance.commit.clone(),
        forced: run.provenance.forced,
    });
    let dropped: Vec<RunEntry> = if runs.len() > keep as usize {
        runs.drain(..runs.len() - keep as usize).collect()
    } else {
        Vec::new()
    };
    let manifest = Manifest {
        shipgate_perf_baseline: SNAPSHOT_VERSION,
        written_by: format!("shipgate {shipgate_version}"),
        keep,
        runs,
    };
    let text = serde_json::to_string_pretty(&manifest)
        .map_err(|e| PromoteRefusal::Write(format!("failed to write the baseline as JSON: {e}")))?;
    std::fs::rename(&incoming, dir.join(&file)).map_err(|e| {
        PromoteRefusal::Write(format!(
            "failed to keep the run as `{}`: {e}",
            dir.join(&file).display()
        ))
    })?;
    write_atomically(out, format!("{text}\n").as_bytes())?;
    let display_dir = parent_of(out_display);
    let mut removed = Vec::new();
    for gone in dropped {
        // Only the copies promote made, inside the runs folder, and no longer named.
        if gone.file.starts_with(&format!("{runs_dir}/"))
            && is_inside(&gone.file)
            && !manifest.runs.iter().any(|r| r.file == gone.file)
        {
            // A copy that cannot be removed is only disk space; the manifest no longer names it.
            let _ = std::fs::remove_file(dir.join(&gone.file));
        }
        removed.push(format!("{display_dir}{}", gone.file));
    }
    let mut run = run;
    run.provenance.promoted_at = Some(now);
    Ok(Promotion {
        run,
        kept_as: format!("{display_dir}{file}"),
        runs: manifest.runs.len(),
        keep,
        dropped: removed,
    })
}

/// Holds a run to what a baseline needs, and records what the promotion adds.
fn check_run(
    mut evidence: PerfEvidence,
    options: &PromoteOptions,
) -> Result<PerfEvidence, PromoteRefusal> {
    let failed = evidence.thresholds.failed().to_vec();
    if !failed.is_empty() && !options.force {
        return Err(PromoteRefusal::FailedThresholds(failed));
    }
    let mut nothing: Vec<String> = evidence
        .metrics
        .iter()
        .filter(|(_, m)| m.requests.is_some_and(|r| r.successful() == 0))
        .filter_map(|(k, _)| shipgate_model::perf::split_metric(k).map(|(n, _)| format!("`{n}`")))
        .collect();
    nothing.dedup();
    if !nothing.is_empty() {
        return Err(PromoteRefusal::NothingSucceeded(nothing));
    }
    let unverifiable = evidence.thresholds.unverifiable();
    if !unverifiable.is_empty() && !options.force {
        return Err(PromoteRefusal::UnverifiableThresholds(
            unverifiable.to_vec(),
        ));
    }
    let p = &mut evidence.provenance;
    if options.release_version.is_some() {
        p.release_version.clone_from(&options.release_version);
    }
    if options.commit.is_some() {
        p.commit.clone_from(&options.commit);
    }
    p.forced = !failed.is_empty() || !evidence.thresholds.unverifiable().is_empty();
    Ok(evidence)
}

/// The existing baseline at `out`, every run checked; a file there that is not a baseline is
/// refused rather than overwritten.
fn existing_manifest(out: &Path, display: &str) -> Result<Manifest, PromoteRefusal> {
    let bytes = std::fs::read(out).map_err(|source| {
        PromoteRefusal::Read(PerfError::Io {
            path: display.to_owned(),
            source,
        })
    })?;
    let text = crate::reader::strip_bom(&bytes).trim_ascii_start();
    if !starts_as_manifest(text) {
        return Err(PromoteRefusal::NotABaseline(display.to_owned()));
    }
    let manifest = parse_manifest(text, display).map_err(PromoteRefusal::Read)?;
    // Every run kept is read again, from the manifest just parsed: a baseline is never extended
    // past a run that no longer matches its hash.
    runs_of(&manifest, &bytes, display, &beside(out, display)).map_err(PromoteRefusal::Read)?;
    Ok(manifest)
}

/// A file name as a kept copy's: letters, digits, `.`, `-` and `_`; anything else `_`.
fn sanitise(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Writes to a temporary name beside the file and renames it.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), PromoteRefusal> {
    let name = path
        .file_name()
        .map_or_else(|| "baseline".into(), |n| n.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| PromoteRefusal::Write(format!("failed to write `{}`: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_files_stay_inside_the_baseline_s_folder() {
        assert!(is_inside("baseline.runs/0123-run.jtl"));
        assert!(!is_inside("../run.jtl"));
        assert!(!is_inside("/etc/passwd"));
        assert!(!is_inside("a/../../b"));
        assert!(!is_inside("a\\b"));
        assert!(!is_inside(""));
    }

    #[test]
    fn kept_names_are_plain() {
        assert_eq!(sanitise("run 1 (ok).jtl"), "run_1__ok_.jtl");
        assert_eq!(parent_of("perf/baseline.json"), "perf/");
        assert_eq!(parent_of("baseline.json"), "");
    }
}
