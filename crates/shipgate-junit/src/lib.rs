//! JUnit XML reports in, [`TestEvidence`] out.
//!
//! This crate is the gate's test-results adapter. It expands the globs of
//! `sources.tests.junit`, reads every matching report (in parallel, in bounded memory), counts
//! every `<testcase>` by the rules of the design brief (§5) and the conformance corpus, keeps
//! the individual tests a check needs (every test that did not pass, plus those
//! [`TestRetention`] asks for), and hashes every file it reads so the report can prove which
//! bytes a decision was made on. A file that is not a readable JUnit report (empty, truncated,
//! not XML, NUnit, ...) is a [`JunitError`] naming the file and position, never zero tests.
//!
//! It also reads earlier runs (`sources.tests.history`, one folder per run) into a compact
//! [`shipgate_model::RunHistory`]: [`find_runs`], [`read_history`] and [`HistoryBuilder`].
//!
//! The reader is a streaming quick-xml event loop with an explicit stack (see
//! `docs/decisions/0002-junit-streaming-reader.md` for why it is not junit-parser). It never
//! resolves or expands entities, refuses DOCTYPEs, bounds nesting depth, and does not panic on
//! any input.
//!
//! What it must not do: know anything about policies, thresholds or checks (it reports what the
//! files say, the policy engine decides what that means), touch the network, read the clock or
//! the environment, or print anything.
//!
//! # Example
//!
//! ```
//! use shipgate_junit::{ReadOptions, read_bytes};
//! use shipgate_model::TestOutcome;
//!
//! let xml = br#"<testsuite name="checkout">
//!   <testcase classname="cart" name="adds_item"/>
//!   <testcase classname="cart" name="pays"><failure message="timeout"/></testcase>
//! </testsuite>"#;
//! let (evidence, digest) = read_bytes("junit.xml", xml, &ReadOptions::default())?;
//! let totals = evidence.totals;
//! assert_eq!((totals.tests, totals.passed, totals.failed), (2, 1, 1));
//! // The test that did not pass is kept by name, for the report.
//! assert_eq!(evidence.tests[0].name, "pays");
//! assert_eq!(evidence.tests[0].outcome, TestOutcome::Failed);
//! assert_eq!(digest.sha256.len(), 64);
//!
//! // A file that is not a JUnit report is an error, never a run of zero tests.
//! assert!(read_bytes("empty.xml", b"", &ReadOptions::default()).is_err());
//! # Ok::<(), shipgate_junit::JunitError>(())
//! ```

mod document;
mod error;
mod globs;
mod history;
mod identity;
mod input;
mod lookalike;
mod outcome;
mod position;
mod properties;
mod repeats;
mod retries;
mod text;
mod time;
mod wellformed;

pub use document::test_key;
pub use error::JunitError;
pub use globs::{GlobMatches, MAX_FOLDERS, SkippedLoop, expand_globs};
pub use history::{
    HistoryBuilder, HistoryRead, RunFolder, RunFolders, RunInfo, find_runs, natural_cmp,
    read_history,
};

use document::{Failure, FailureKind, Parsed, Scanner, prolog_declaration};
use identity::DedupKey;
use input::{Charset, SliceSource, StreamSource, Utf8Stream, decode_all, sniff_charset};
use position::LineColumn;
use rayon::prelude::*;
use shipgate_model::{HashingReader, sha256_hex};
use shipgate_model::{TestEvidence, TestRetention};
use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Component, Path, PathBuf};

/// Files up to this size are read into memory and parsed from there (events borrow from the
/// buffer, nothing is copied); larger ones are streamed through a fixed-size buffer.
const IN_MEMORY_LIMIT: u64 = 8 * 1024 * 1024;

/// Size of the read buffer for streamed files.
const STREAM_BUFFER: usize = 256 * 1024;

/// How retries written as repeated testcases are read (`sources.tests.retries`): the shared
/// vocabulary's mode, read as the policy names it.
pub use shipgate_model::RetryMode;

/// What to keep while reading.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Which tests to keep individually (non-passing tests are always kept).
    pub retention: TestRetention,
    /// How retries written as repeated testcases are read.
    pub retries: RetryMode,
    /// Also return every test's identity and outcome ([`JunitRead::outcomes`]), 8 bytes per
    /// test, for flaky-test history across runs.
    pub outcomes: bool,
}

/// One test's identity and outcome in 8 bytes: [`test_key`] of its suite, classname and name,
/// with the lowest three bits holding the outcome instead. A run of a million tests then costs
/// 8 MB while it is folded into history; 61 bits still make a false match between two of a
/// million tests about a one-in-four-million chance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyedOutcome(u64);

impl KeyedOutcome {
    const OUTCOME_BITS: u64 = 0b111;

    /// Packs a [`test_key`] and an outcome.
    pub fn new(key: u64, outcome: shipgate_model::TestOutcome) -> Self {
        Self((key & !Self::OUTCOME_BITS) | outcome as u64)
    }

    /// The identity of the test named so, as [`KeyedOutcome::key`] gives it.
    pub fn key_for(suite: &str, classname: &str, name: &str) -> u64 {
        test_key(suite, classname, name) & !Self::OUTCOME_BITS
    }

    /// The test's identity (its [`test_key`] without the lowest three bits).
    pub fn key(self) -> u64 {
        self.0 & !Self::OUTCOME_BITS
    }

    /// What happened (after merging retries, under [`RetryMode::RepeatedTestcases`]).
    pub fn outcome(self) -> shipgate_model::TestOutcome {
        use shipgate_model::TestOutcome;
        match self.0 & Self::OUTCOME_BITS {
            0 => TestOutcome::Passed,
            1 => TestOutcome::Flaky,
            2 => TestOutcome::Skipped,
            3 => TestOutcome::Errored,
            _ => TestOutcome::Failed,
        }
    }
}

/// Provenance of one file read: enough to prove later which exact bytes were used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileDigest {
    /// The path as shown to the user (relative to the base folder when under it).
    pub path: String,
    /// SHA-256 of the file's bytes, lowercase hex.
    pub sha256: String,
    /// Size in bytes.
    pub bytes: u64,
}

/// Everything read from a set of files.
#[derive(Debug, Default)]
pub struct JunitRead {
    /// The files that were read as JUnit, sorted by path; rejected files are not in it.
    pub evidence: TestEvidence,
    /// A digest of every file whose bytes could be read, including rejected ones (so the audit
    /// record shows what was refused too), sorted by path.
    pub digests: Vec<FileDigest>,
    /// Every file that could not be read as JUnit, sorted by path.
    pub errors: Vec<JunitError>,
    /// Every test's identity and outcome, file after file, when [`ReadOptions::outcomes`] asks
    /// for them; empty otherwise.
    pub outcomes: Vec<KeyedOutcome>,
}

/// Reads every file (in parallel, on rayon's pool). Never stops at the first bad file: every
/// bad file is in [`JunitRead::errors`]. Paths are relative to `base_dir` (or absolute). A file
/// listed twice, under any spelling (`r/a.xml` and `r/../r/a.xml`, a symlinked folder, a hard
/// link), is read once, under the first spelling given: counting it twice would inflate the
/// counts and the pass rate.
pub fn read_files(base_dir: &Path, paths: &[PathBuf], options: &ReadOptions) -> JunitRead {
    let jobs: Vec<(PathBuf, String)> = paths
        .iter()
        .map(|p| {
            let full = base_dir.join(p);
            let shown = display_path(base_dir, p, &full);
            (full, shown)
        })
        .collect();
    read_named_files(jobs, options)
}

/// Like [`read_files`], for files whose name in the report is not their place on disk: each
/// `(full, shown)` pair is read from `full` and named `shown` in the evidence, digests and
/// errors (a release record replays the copies it stores under the names they were read as).
/// As there, one file given twice is read once, under the first name given.
pub fn read_named_files(jobs: Vec<(PathBuf, String)>, options: &ReadOptions) -> JunitRead {
    let keys: Vec<DedupKey> = jobs
        .par_iter()
        .map(|(full, _)| DedupKey::of(full))
        .collect();
    let mut seen = HashSet::with_capacity(keys.len());
    let mut jobs: Vec<(PathBuf, String)> = jobs
        .into_iter()
        .zip(keys)
        .filter_map(|(job, key)| seen.insert(key).then_some(job))
        .collect();
    jobs.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));

    // Only a read of several files can hold a test twice.
    let identities = jobs.len() > 1;
    let results: Vec<FileRead> = jobs
        .par_iter()
        .map_init(
            || Worker::collecting(identities),
            |worker, (full, shown)| worker.read_path(full, shown, options),
        )
        .collect();

    let mut read = JunitRead::default();
    // One allocation of the exact size: with history, 8 bytes per test of every file.
    read.outcomes.reserve_exact(
        results
            .iter()
            .filter_map(|r| r.parsed.as_ref().ok())
            .map(|p| p.outcomes.len())
            .sum(),
    );
    // The job behind each file of the evidence, and each file's distinct test identities.
    let mut read_jobs = Vec::with_capacity(results.len());
    let mut identities = Vec::with_capacity(results.len());
    for (job, result) in results.into_iter().enumerate() {
        read.digests.extend(result.digest);
        match result.parsed {
            Ok(mut parsed) => {
                read.outcomes.append(&mut parsed.outcomes);
                identities.push(std::mem::take(&mut parsed.identities));
                read_jobs.push(job);
                add_file(&mut read.evidence, parsed, result.path);
            }
            Err(error) => read.errors.push(error),
        }
    }
    let (mut repeated, examples) = repeats::find(&identities);
    drop(identities);
    name_examples(&mut repeated, &examples, &read_jobs, &jobs, options);
    read.evidence.repeated = repeated;
    tracing::debug!(
        files = read.evidence.files.len(),
        rejected = read.errors.len(),
        tests = read.evidence.totals.tests,
        "read JUnit reports"
    );
    read
}

/// Looks up the suite, classname and name of each group's example, reading its first file again
/// (only the few files named in the report; a file that changed since leaves its example
/// unnamed).
fn name_examples(
    repeated: &mut shipgate_model::RepeatedTests,
    examples: &[u64],
    read_jobs: &[usize],
    jobs: &[(PathBuf, String)],
    options: &ReadOptions,
) {
    let mut wanted_by_file: std::collections::BTreeMap<usize, Vec<u64>> = Default::default();
    for (group, key) in repeated.groups.iter().zip(examples) {
        if let Some(first) = group.files.first() {
            wanted_by_file.entry(*first).or_default().push(*key);
        }
    }
    for (file, mut wanted) in wanted_by_file {
        let Some((full, shown)) = read_jobs.get(file).and_then(|job| jobs.get(*job)) else {
            continue;
        };
        wanted.sort_unstable();
        let mut worker = Worker::collecting(false);
        worker.scanner.wanted = wanted;
        let Ok(parsed) = worker.read_path(full, shown, options).parsed else {
            continue;
        };
        for (group, key) in repeated.groups.iter_mut().zip(examples) {
            if group.files.first() == Some(&file)
                && let Some((_, names)) = parsed.named.iter().find(|(k, _)| k == key)
            {
                group.example = Some(names.clone());
            }
        }
    }
}

/// The name [`read_files`] gives a path: relative to `base_dir` (with `/`) when under it,
/// otherwise as given.
pub fn shown_path(base_dir: &Path, given: &Path) -> String {
    display_path(base_dir, given, &base_dir.join(given))
}

/// Reads one document from memory (tests, fuzzing, stdin). The evidence holds one file, named
/// `display_name`.
pub fn read_bytes(
    display_name: &str,
    bytes: &[u8],
    options: &ReadOptions,
) -> Result<(TestEvidence, FileDigest), JunitError> {
    let mut scanner = Scanner::default();
    let parsed = parse_in_memory(display_name, bytes, options, &mut scanner)?;
    let digest = FileDigest {
        path: display_name.to_owned(),
        sha256: sha256_hex(bytes),
        bytes: bytes.len() as u64,
    };
    let mut evidence = TestEvidence::default();
    add_file(&mut evidence, parsed, display_name.to_owned());
    Ok((evidence, digest))
}

fn add_file(evidence: &mut TestEvidence, parsed: Parsed, path: String) {
    let index = evidence.files.len();
    let Parsed {
        mut file,
        records,
        suite_errors,
        outcomes: _,
        identities: _,
        named: _,
    } = parsed;
    file.path = path;
    evidence.totals.add(&file.counts);
    evidence.files.push(file);
    evidence.tests.extend(
        records
            .into_iter()
            .map(|r| shipgate_model::TestRecord { file: index, ..r }),
    );
    evidence.suite_errors.extend(
        suite_errors
            .into_iter()
            .map(|e| shipgate_model::SuiteError { file: index, ..e }),
    );
}

/// The path as the user would write it: relative to `base_dir` (with `/`) when under it,
/// otherwise as given.
fn display_path(base_dir: &Path, given: &Path, full: &Path) -> String {
    match full.strip_prefix(base_dir) {
        Ok(relative)
            if relative.components().next().is_some()
                && relative
                    .components()
                    .all(|c| matches!(c, Component::Normal(_) | Component::ParentDir)) =>
        {
            relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        }
        _ => given.to_string_lossy().into_owned(),
    }
}

/// One file's result.
struct FileRead {
    path: String,
    digest: Option<FileDigest>,
    parsed: Result<Parsed, JunitError>,
}

/// A streamed parse: the facts, or the failure with the charset to locate it in.
type StreamParse = Result<Parsed, (Failure, Charset)>;

/// Per-thread state: the scanner's buffers and the read buffer, reused file after file.
#[derive(Default)]
struct Worker {
    scanner: Scanner,
    buffer: Vec<u8>,
}

impl Worker {
    /// A worker whose scanner collects every test's identity when `identities` is set.
    fn collecting(identities: bool) -> Self {
        let mut worker = Worker::default();
        worker.scanner.identities = identities;
        worker
    }

    fn read_path(&mut self, full: &Path, shown: &str, options: &ReadOptions) -> FileRead {
        let io_error = |source: io::Error| FileRead {
            path: shown.to_owned(),
            digest: None,
            parsed: Err(JunitError::Io {
                path: shown.to_owned(),
                source,
            }),
        };
        let file = match File::open(full) {
            Ok(file) => file,
            Err(e) => return io_error(e),
        };
        let size = match file.metadata() {
            Ok(meta) if meta.is_dir() => {
                return io_error(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "it is a folder, not a file",
                ));
            }
            Ok(meta) => meta.len(),
            Err(e) => return io_error(e),
        };
        if size > IN_MEMORY_LIMIT {
            return match self.read_streamed(full, shown, options) {
                Ok((parsed, digest)) => FileRead {
                    path: shown.to_owned(),
                    digest: Some(digest),
                    parsed,
                },
                Err(e) => io_error(e),
            };
        }
        self.buffer.clear();
        if let Err(e) = (&file).read_to_end(&mut self.buffer) {
            return io_error(e);
        }
        let digest = FileDigest {
            path: shown.to_owned(),
            sha256: sha256_hex(&self.buffer),
            bytes: self.buffer.len() as u64,
        };
        let parsed = parse_in_memory(shown, &self.buffer, options, &mut self.scanner);
        FileRead {
            path: shown.to_owned(),
            digest: Some(digest),
            parsed,
        }
    }

    /// Streams a large file: parsed and hashed in one pass through a fixed buffer. The outer
    /// `Err` is an I/O error; the inner result is the parse.
    fn read_streamed(
        &mut self,
        full: &Path,
        shown: &str,
        options: &ReadOptions,
    ) -> io::Result<(Result<Parsed, JunitError>, FileDigest)> {
        let (mut parsed, mut digest) = self.stream_once(full, shown, options, None)?;
        if let Err((failure, Charset::Utf8)) = &parsed
            && matches!(failure.kind, FailureKind::InvalidUtf8)
        {
            (parsed, digest) = self.stream_once(full, shown, options, Some(Charset::Utf8Lossy))?;
        }
        let parsed = parsed.map_err(|(failure, charset)| {
            to_error(shown, failure, |offset| {
                let buffered = BufReader::with_capacity(STREAM_BUFFER, File::open(full)?);
                position::in_stream(Utf8Stream::new(buffered, charset), offset)
            })
        });
        Ok((parsed, digest))
    }

    /// One pass over a streamed file, with the charset sniffed from its start unless `forced`.
    fn stream_once(
        &mut self,
        full: &Path,
        shown: &str,
        options: &ReadOptions,
        forced: Option<Charset>,
    ) -> io::Result<(StreamParse, FileDigest)> {
        let mut buffered =
            BufReader::with_capacity(STREAM_BUFFER, HashingReader::new(File::open(full)?));
        let sniffed = match forced {
            Some(charset) => Ok(charset),
            None => sniff_charset(buffered.fill_buf()?),
        };
        let (parsed, hashing) = match sniffed {
            Err(label) => {
                let failure = Failure {
                    kind: FailureKind::Encoding(label),
                    offset: 0,
                };
                (Err((failure, Charset::Utf8)), buffered.into_inner())
            }
            Ok(charset) => {
                let mut stream = Utf8Stream::new(buffered, charset);
                let parsed = match prolog_declaration(stream.fill_buf()?) {
                    Some(offset) => Err(Failure {
                        kind: FailureKind::Dtd,
                        offset,
                    }),
                    None => {
                        let mut source = StreamSource::new(stream);
                        let lossy = charset == Charset::Utf8Lossy;
                        let parsed = self.scanner.scan(&mut source, options, lossy);
                        stream = source.into_inner();
                        parsed
                    }
                };
                (
                    parsed.map_err(|f| (f, charset)),
                    stream.into_inner().into_inner(),
                )
            }
        };
        // Whatever the parser left unread is read now, so the digest covers the whole file.
        let (sha256, bytes) = hashing.finish_all()?;
        let digest = FileDigest {
            path: shown.to_owned(),
            sha256,
            bytes,
        };
        Ok((parsed, digest))
    }
}

/// Parses a document held in memory.
fn parse_in_memory(
    shown: &str,
    bytes: &[u8],
    options: &ReadOptions,
    scanner: &mut Scanner,
) -> Result<Parsed, JunitError> {
    let charset = sniff_charset(bytes).map_err(|label| JunitError::Encoding {
        path: shown.to_owned(),
        label,
    })?;
    let text = decode_all(bytes, charset);
    let (result, text) = match scan_text(&text, options, scanner, false) {
        Err(Failure {
            kind: FailureKind::InvalidUtf8,
            ..
        }) if charset == Charset::Utf8 => {
            let lossy = decode_all(bytes, Charset::Utf8Lossy);
            (scan_text(&lossy, options, scanner, true), lossy)
        }
        other => (other, text),
    };
    result.map_err(|failure| {
        to_error(shown, failure, |offset| {
            Ok(position::in_memory(&text, offset))
        })
    })
}

/// Parses a document held in memory as UTF-8; `lossy` when it is the document read again with
/// its invalid UTF-8 replaced.
fn scan_text(
    text: &[u8],
    options: &ReadOptions,
    scanner: &mut Scanner,
    lossy: bool,
) -> Result<Parsed, Failure> {
    if let Some(offset) = prolog_declaration(text) {
        return Err(Failure {
            kind: FailureKind::Dtd,
            offset,
        });
    }
    scanner.scan(&mut SliceSource::new(text), options, lossy)
}

/// Turns a failure into the error the user sees, with line and column where there is one.
/// `locate` maps the failure's byte offset to a position; if it cannot (the file could not be
/// read again), the error is that I/O error.
fn to_error(
    path: &str,
    failure: Failure,
    locate: impl FnOnce(u64) -> io::Result<LineColumn>,
) -> JunitError {
    type Positioned = Box<dyn FnOnce(String, u64, u64) -> JunitError>;
    let path = path.to_owned();
    let positioned: Positioned = match failure.kind {
        FailureKind::Empty => return JunitError::Empty { path },
        FailureKind::Io(source) => return JunitError::Io { path, source },
        FailureKind::Encoding(label) => return JunitError::Encoding { path, label },
        FailureKind::Dtd => Box::new(|path, line, column| JunitError::Dtd { path, line, column }),
        FailureKind::NotXml(reason) => Box::new(move |path, line, column| JunitError::NotXml {
            path,
            line,
            column,
            reason,
        }),
        FailureKind::InvalidUtf8 => Box::new(|path, line, column| JunitError::NotXml {
            path,
            line,
            column,
            reason: "invalid UTF-8".to_owned(),
        }),
        FailureKind::Truncated(inside) => {
            Box::new(move |path, line, column| JunitError::Truncated {
                path,
                line,
                column,
                inside,
            })
        }
        FailureKind::Nunit { version, root } => {
            Box::new(move |path, line, column| JunitError::Nunit {
                path,
                line,
                column,
                version,
                root,
            })
        }
        FailureKind::XunitNet(root) => Box::new(move |path, line, column| JunitError::XunitNet {
            path,
            line,
            column,
            root,
        }),
        FailureKind::Trx => Box::new(|path, line, column| JunitError::Trx { path, line, column }),
        FailureKind::NotJunit(root) => Box::new(move |path, line, column| JunitError::NotJunit {
            path,
            line,
            column,
            root,
        }),
        FailureKind::Invalid(reason) => Box::new(move |path, line, column| JunitError::Invalid {
            path,
            line,
            column,
            reason,
        }),
        FailureKind::TooDeep => Box::new(|path, line, column| JunitError::TooDeep {
            path,
            line,
            column,
            limit: document::MAX_DEPTH,
        }),
    };
    match locate(failure.offset) {
        Ok(LineColumn { line, column }) => positioned(path, line, column),
        Err(source) => JunitError::Io { path, source },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Streaming is used only for files over [`IN_MEMORY_LIMIT`]; run every corpus file through
    /// it as well, so both paths are held to the same answers and the same error positions.
    #[test]
    fn streaming_and_in_memory_agree_on_every_corpus_file() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        names.sort();
        assert_eq!(names.len(), 62);
        let options = ReadOptions::default();
        let mut worker = Worker::default();
        for path in names {
            let shown = path.file_name().unwrap().to_string_lossy().into_owned();
            let bytes = std::fs::read(&path).unwrap();
            let in_memory = parse_in_memory(&shown, &bytes, &options, &mut Scanner::default());
            let (streamed, digest) = worker.read_streamed(&path, &shown, &options).unwrap();
            assert_eq!(digest.sha256, sha256_hex(&bytes), "{shown}");
            assert_eq!(digest.bytes, bytes.len() as u64, "{shown}");
            match (in_memory, streamed) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a.file, b.file, "{shown}");
                    assert_eq!(a.records, b.records, "{shown}");
                    assert_eq!(a.suite_errors, b.suite_errors, "{shown}");
                }
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{shown}"),
                (a, b) => panic!("{shown}: in memory {a:?}, streamed {b:?}"),
            }
        }
    }

    #[test]
    fn display_paths_are_relative_to_the_base_when_under_it() {
        let base = Path::new("/repo");
        let shown = |p: &str| display_path(base, Path::new(p), &base.join(p));
        assert_eq!(shown("reports/a.xml"), "reports/a.xml");
        assert_eq!(shown("/repo/reports/a.xml"), "reports/a.xml");
        assert_eq!(shown("/elsewhere/a.xml"), "/elsewhere/a.xml");
        assert_eq!(shown("../up/a.xml"), "../up/a.xml");
        let here = Path::new(".");
        assert_eq!(
            display_path(here, Path::new("./r/a.xml"), &here.join("./r/a.xml")),
            "r/a.xml"
        );
    }
}
