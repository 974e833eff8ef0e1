//! The reader registry: every kind of load-test file the adapter reads, and the one trait each
//! reader implements.
//!
//! [`READERS`] is the only list of readers, in the order files are recognised; the trait and what
//! it recognises and reads are in `crate::reader`. A file is recognised in two steps
//! (`crate::input`): first from its first bytes ([`Sample::Head`]), which
//! is where the streaming readers (CSV, NDJSON) and the snapshot recognise theirs, so that a file
//! of gigabytes is never held whole; a file that starts as JSON and that no reader took from its
//! head is then parsed once and recognised from its keys ([`Sample::Json`]). A reader's
//! [`Reader::format`] is the family the policy and the command line name
//! ([`shipgate_model::PerfFormat`]): a file declared as another family is refused before it is
//! read.
//!
//! Adding a format is its `PerfFormat` variant (with its naming conventions) in `shipgate-model`,
//! one module in this crate implementing [`Reader`], and one line in [`READERS`]
//! (docs/architecture.md). Nothing else lists formats.

use crate::reader::{Reader, Sample};
use crate::{
    gatling, gatling_log, generic, jmeter, jmeter_xml, k6_ndjson, k6_summary, locust,
    locust_history, locust_json, snapshot,
};

/// Every reader, in the order files are recognised.
pub(crate) static READERS: &[&dyn Reader] = &[
    &snapshot::SNAPSHOT,
    &k6_ndjson::K6_NDJSON,
    &gatling_log::GATLING_LOG,
    &locust::LOCUST_STATS,
    &locust_json::LOCUST_JSON,
    &locust_history::LOCUST_HISTORY,
    &jmeter::JMETER_JTL,
    &jmeter_xml::JMETER_XML,
    &k6_summary::K6_MACHINE_READABLE,
    &k6_summary::K6_SUMMARY,
    &generic::GENERIC,
    &gatling::GATLING_STATS,
    &jmeter::JMETER_STATISTICS,
    &generic::BENCHER,
];

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
    use serde_json::Value;
    use shipgate_model::PerfFormat;

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
