//! gzip-compressed results (k6 `--out json=results.json.gz`), decompressed as they stream.

use super::*;
use std::io::Write;

fn gzipped(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

/// The compressed file reads as the plain one, and is hashed as the file it is.
#[test]
fn a_gzip_compressed_k6_ndjson_reads_as_the_plain_one() {
    let plain = read("k6-out.ndjson");
    let zipped = read("k6-out.ndjson.gz");
    assert_eq!(plain.evidence.metrics, zipped.evidence.metrics);
    assert_eq!(plain.evidence.series, zipped.evidence.series);
    assert_eq!(plain.evidence.thresholds, zipped.evidence.thresholds);
    assert_eq!(
        zipped.evidence.provenance.format,
        "k6 --out json (NDJSON), gzip-compressed"
    );
    let bytes = std::fs::read(fixture("k6-out.ndjson.gz")).unwrap();
    assert_eq!(zipped.bytes, bytes.len() as u64);
    assert_eq!(zipped.evidence.provenance.source_sha256, zipped.sha256);
    assert_ne!(zipped.sha256, plain.sha256);
    assert!(read_as("k6-out.ndjson.gz", PerfFormat::K6).is_ok());
    assert!(matches!(
        read_as("k6-out.ndjson.gz", PerfFormat::Jmeter).unwrap_err(),
        PerfError::FormatMismatch { .. }
    ));
}

/// READY-risk: a gzip stream cut short (a copy interrupted, a run killed mid-write) must not
/// read as the shorter run it decompresses to. Cut anywhere, it is refused.
#[test]
fn a_gzip_stream_cut_short_is_refused_wherever_it_is_cut() {
    let bytes = std::fs::read(fixture("k6-out.ndjson.gz")).unwrap();
    let step = (bytes.len() / 97).max(1);
    for cut in (2..bytes.len()).step_by(step).chain([bytes.len() - 1]) {
        let err = shipgate_perf::read_bytes(&bytes[..cut], "cut.json.gz", PerfFormat::Auto)
            .map(|r| r.evidence.metrics.len())
            .unwrap_err();
        assert!(!err.is_empty_run(), "cut at {cut}: {err}");
        let text = err.to_string();
        assert!(
            text.contains("cut short or damaged") || text.contains("not valid"),
            "cut at {cut}: {text}"
        );
    }
}

/// A flipped byte fails the checksum, even where the text still parses.
#[test]
fn a_damaged_gzip_stream_is_refused() {
    let mut bytes = std::fs::read(fixture("k6-out.ndjson.gz")).unwrap();
    let n = bytes.len();
    bytes[n - 6] ^= 0xff; // inside the CRC-32 of the trailer
    let err = shipgate_perf::read_bytes(&bytes, "bad.json.gz", PerfFormat::Auto).unwrap_err();
    assert!(err.to_string().contains("cut short or damaged"), "{err}");
}

#[test]
fn compressed_twice_and_compressed_nothing_are_refused() {
    let plain = std::fs::read(fixture("k6-out.ndjson")).unwrap();
    let twice = gzipped(&gzipped(&plain));
    let err = shipgate_perf::read_bytes(&twice, "x.gz", PerfFormat::Auto).unwrap_err();
    assert!(err.to_string().contains("compressed twice"), "{err}");
    let empty = gzipped(b"");
    let err = shipgate_perf::read_bytes(&empty, "x.gz", PerfFormat::Auto).unwrap_err();
    assert!(err.is_empty_run(), "{err}");
}

/// Two gzip members one after the other (`cat a.gz b.gz`) decompress to both.
#[test]
fn a_multi_member_gzip_is_read_whole() {
    let plain = std::fs::read_to_string(fixture("k6-out.ndjson")).unwrap();
    let mid = plain[..plain.len() / 2].rfind('\n').unwrap() + 1;
    let mut two = gzipped(&plain.as_bytes()[..mid]);
    two.extend(gzipped(&plain.as_bytes()[mid..]));
    let whole = shipgate_perf::read_bytes(&two, "two.gz", PerfFormat::Auto).unwrap();
    assert_eq!(
        whole.evidence.metrics,
        read("k6-out.ndjson").evidence.metrics
    );
}

/// What can be checked of a cut gzip stream is: its trailer (CRC-32 and size, RFC 1952) ends
/// every member, so a file missing any byte of it is refused, not read as the whole run it
/// decompresses to.
#[test]
fn a_gzip_stream_missing_any_byte_of_its_trailer_is_refused() {
    let bytes = std::fs::read(fixture("k6-out.ndjson.gz")).unwrap();
    for cut in bytes.len() - 8..bytes.len() {
        let err = shipgate_perf::read_bytes(&bytes[..cut], "cut.json.gz", PerfFormat::Auto)
            .map(|r| r.evidence.metrics.len())
            .unwrap_err();
        assert!(
            err.to_string().contains("cut short or damaged"),
            "cut at {cut}: {err}"
        );
    }
}
