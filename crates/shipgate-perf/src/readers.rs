//! The reader registry: every kind of load-test file the adapter reads, and the one trait each
//! reader implements.
//!
//! [`READERS`] is the only list of readers, in the order files are recognised. A file is
//! recognised in two steps (`crate::input`): first from its first bytes ([`Sample::Head`]), which
//! is where the streaming readers (CSV, NDJSON) and the snapshot recognise theirs, so that a file
//! of gigabytes is never held whole; a file that starts as JSON and that no reader took from its
//! head is then parsed once and recognised from its keys ([`Sample::Json`]). A reader's
//! [`Reader::format`] is the family the policy and the command line name
//! ([`PerfFormat`]): a file declared as another family is refused before it is read.
//!
//! Adding a format is its [`PerfFormat`] variant (with its naming conventions) in
//! `shipgate-model`, one module here implementing [`Reader`], and one line in [`READERS`]
//! (docs/architecture.md). Nothing else lists formats.

use crate::error::PerfError;
use crate::{gatling, generic, jmeter, k6_ndjson, k6_summary, locust, snapshot};
use serde_json::{Map, Value};
use shipgate_model::{PerfEvidence, PerfFormat};
use std::io::BufRead;

/// Every reader, in the order files are recognised.
pub(crate) static READERS: &[&dyn Reader] = &[
    &snapshot::SNAPSHOT,
    &k6_ndjson::K6_NDJSON,
    &locust::LOCUST_STATS,
    &jmeter::JMETER_JTL,
    &k6_summary::K6_MACHINE_READABLE,
    &k6_summary::K6_SUMMARY,
    &generic::GENERIC,
    &gatling::GATLING_STATS,
    &jmeter::JMETER_STATISTICS,
    &generic::BENCHER,
];

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

/// The reader a recognised file goes to: the first in [`READERS`] that recognises it.
pub(crate) fn recognise(sample: &Sample<'_>) -> Option<&'static dyn Reader> {
    READERS.iter().copied().find(|r| r.recognise(sample))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generic::{BENCHER, GENERIC};
    use crate::jmeter::JMETER_STATISTICS;
    use crate::k6_summary::{K6_MACHINE_READABLE, K6_SUMMARY};
    use crate::snapshot::SNAPSHOT;

    /// A format no reader belongs to could be named in a policy and never read; `auto` is the
    /// only format that names no family. Every format of the vocabulary is looked up.
    #[test]
    fn every_format_but_auto_has_a_reader_and_auto_has_none() {
        for format in PerfFormat::ALL {
            let readers = READERS.iter().filter(|r| r.format() == format).count();
            if format == PerfFormat::Auto {
                assert_eq!(readers, 0, "a reader claims `auto`");
            } else {
                assert!(readers > 0, "`{format}` has no reader in READERS");
            }
        }
    }

    /// The reader a JSON document goes to, by its description.
    fn reader_of(doc: Value) -> Option<&'static str> {
        let obj = doc.as_object()?;
        recognise(&Sample::Json(obj)).map(|r| r.describe())
    }

    #[test]
    fn json_documents_are_told_apart_by_their_keys() {
        use serde_json::json;
        assert_eq!(
            reader_of(json!({"metrics": {}})),
            Some(K6_SUMMARY.describe())
        );
        assert_eq!(reader_of(json!({"metrics": []})), Some(GENERIC.describe()));
        assert_eq!(
            reader_of(json!({"version": "1.0.0", "results": {"metrics": []}})),
            Some(K6_MACHINE_READABLE.describe())
        );
        // The machine-readable summary before the summary: both may carry `metrics`.
        assert_eq!(
            reader_of(json!({"version": "1.0.0", "results": {"metrics": []}, "metrics": {}})),
            Some(K6_MACHINE_READABLE.describe())
        );
        assert_eq!(
            reader_of(json!({"Total": {"transaction": "Total", "sampleCount": 1}})),
            Some(JMETER_STATISTICS.describe())
        );
        assert_eq!(
            reader_of(json!({"bench": {"latency": {"value": 1.0}}})),
            Some(BENCHER.describe())
        );
        assert_eq!(
            reader_of(json!({"shipgate_perf_baseline": 1, "metrics": {}})),
            Some(SNAPSHOT.describe())
        );
        assert_eq!(reader_of(json!({"bench": {"latency": {"v": 1.0}}})), None);
        assert_eq!(reader_of(json!({})), None);
    }

    #[test]
    fn every_reader_describes_its_files_differently() {
        let mut seen = std::collections::BTreeSet::new();
        for r in READERS {
            assert!(seen.insert(r.describe()), "{}", r.describe());
        }
    }
}
