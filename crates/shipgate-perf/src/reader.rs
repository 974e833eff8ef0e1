//! What a load-test reader is: the trait every reader of the registry (`crate::readers`)
//! implements, what it recognises a file from, and what it reads.
//!
//! This file must not name any reader: the readers' modules depend on it, and the registry on
//! them.

use crate::error::PerfError;
use serde_json::{Map, Value};
use shipgate_model::{PerfEvidence, PerfFormat};
use std::io::{BufRead, Read};

/// One kind of file: which format family it belongs to, how it is recognised, and how it is
/// read.
pub(crate) trait Reader: Sync {
    /// The format family the policy and the command line name it by.
    fn format(&self) -> PerfFormat;

    /// What the file is, for messages (`a JMeter JTL`).
    fn describe(&self) -> &'static str;

    /// Whether the file is one of this reader's. Each reader answers for the samples it can tell
    /// from (the head, or the parsed JSON object), and `false` for the other.
    fn recognise(&self, sample: &Sample<'_>) -> bool;

    /// Reads the file into evidence: from the stream when it was recognised from its head, from
    /// the document when it was recognised from its keys.
    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError>;
}

/// What a reader recognises a file from.
pub(crate) enum Sample<'a> {
    /// The first bytes of the file.
    Head(&'a Head<'a>),
    /// The whole file, parsed as one JSON object.
    Json(&'a Map<String, Value>),
}

/// The first bytes of a file: what the stream readers recognise their files by.
pub(crate) struct Head<'a> {
    /// From the first byte that is not a byte order mark or white space.
    pub text: &'a [u8],
    /// `text` up to its first line break.
    pub first_line: &'a [u8],
}

impl Head<'_> {
    /// Whether the file starts as a JSON object (`{`).
    pub(crate) fn is_json_object(&self) -> bool {
        self.text.first() == Some(&b'{')
    }

    /// The first line as text, without a trailing `\r`; for the CSV readers.
    pub(crate) fn first_line_text(&self) -> String {
        String::from_utf8_lossy(self.first_line)
            .trim_end_matches('\r')
            .to_owned()
    }
}

/// What a reader reads.
pub(crate) enum Input<'a> {
    /// The file, from its first byte, as it streams past (hashed as it goes).
    Stream(&'a mut dyn BufRead),
    /// The whole file, parsed as JSON (an object).
    Json(Value),
}

impl<'a> Input<'a> {
    /// The document, for a reader of JSON documents; a stream it was never handed.
    pub(crate) fn document(self, path: &str) -> Result<Value, PerfError> {
        match self {
            Input::Json(doc) => Ok(doc),
            Input::Stream(_) => Err(not_handed(path)),
        }
    }

    /// The stream, for a streaming reader; a document it was never handed.
    pub(crate) fn stream(self, path: &str) -> Result<&'a mut dyn BufRead, PerfError> {
        match self {
            Input::Stream(stream) => Ok(stream),
            Input::Json(_) => Err(not_handed(path)),
        }
    }
}

/// A reader handed what it does not recognise files from: a registry mistake, refused rather
/// than read as nothing.
fn not_handed(path: &str) -> PerfError {
    PerfError::NotRecognised {
        path: path.to_owned(),
        what: "the file's shape changed while it was read".to_owned(),
    }
}

/// A UTF-8 byte order mark, as Windows tools write one, taken off.
pub(crate) fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes)
}

/// A reader that remembers the last byte read through it. Locust ends every row of its CSV files
/// with a line break (Python's `csv` writer, `\r\n`): a file whose last byte is not one was cut
/// inside its last row, whose last value may then read as another number.
pub(crate) struct LastByte<R> {
    inner: R,
    last: Option<u8>,
    /// Line breaks read.
    breaks: u64,
}

impl<R: Read> LastByte<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            last: None,
            breaks: 0,
        }
    }

    /// The line the last byte read is on (1 for the first).
    pub(crate) fn line(&self) -> u64 {
        self.breaks + 1
    }

    /// Whether what was read ends with a line break (or nothing was read).
    pub(crate) fn ends_a_line(&self) -> bool {
        self.last.is_none_or(|b| b == b'\n')
    }
}

impl<R: Read> Read for LastByte<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let read = buf.get(..n).unwrap_or(&[]);
        if let Some(&b) = read.last() {
            self.last = Some(b);
        }
        self.breaks += memchr::memchr_iter(b'\n', read).count() as u64;
        Ok(n)
    }
}

/// Why a Locust CSV file cut inside its last row is refused.
pub(crate) const CUT_INSIDE_ITS_LAST_ROW: &str = "the file does not end with a line break: Locust ends every row with one, so the file was cut inside its last row (whose last value would read as another number); copy it again once the run has ended";
