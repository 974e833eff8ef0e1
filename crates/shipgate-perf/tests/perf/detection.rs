//! Recognising formats, refusing the wrong one, and hashing every byte.

use super::*;
use sha2::{Digest, Sha256};

const ALL: &[(&str, PerfFormat)] = &[
    ("jmeter-2.13-default.jtl", PerfFormat::Jmeter),
    ("jmeter-2.13-header.jtl", PerfFormat::Jmeter),
    ("jmeter-dashboard-statistics.json", PerfFormat::Jmeter),
    ("k6-handle-summary.json", PerfFormat::K6),
    ("k6-summary-export.json", PerfFormat::K6),
    ("k6-machine-readable-summary.json", PerfFormat::K6),
    ("k6-out.ndjson", PerfFormat::K6),
    ("locust-2.47-stats.csv", PerfFormat::Locust),
    ("gatling-3.13-stats.json", PerfFormat::Gatling),
    ("gatling-3.13-global_stats.json", PerfFormat::Gatling),
    ("generic-metrics.json", PerfFormat::Generic),
    ("bencher-metric-format.json", PerfFormat::Generic),
];

#[test]
fn every_fixture_reads_as_its_own_format_and_as_auto() {
    for (name, format) in ALL {
        let declared = read_as(name, *format).unwrap_or_else(|e| panic!("{name}: {e}"));
        let auto = read(name);
        assert_eq!(declared, auto, "{name}");
        assert!(!auto.evidence.metrics.is_empty(), "{name}");
    }
}

#[test]
fn a_declared_format_that_does_not_fit_is_refused() {
    for (name, format) in ALL {
        // Every format of the vocabulary but `auto`, so that a new one is refused here too.
        for other in PerfFormat::ALL {
            if other == *format || other == PerfFormat::Auto {
                continue;
            }
            let e = read_as(name, other).unwrap_err();
            assert!(
                matches!(e, PerfError::FormatMismatch { .. }),
                "{name} as {other}: {e}"
            );
            assert!(e.to_string().contains(name), "{e}");
        }
    }
}

/// A format with no file a real tool wrote could be named in a policy with no reader proven to
/// read it; `baseline` is covered by the snapshot tests, `auto` names no family.
#[test]
fn every_format_has_a_fixture_that_reads_as_it() {
    for format in PerfFormat::ALL {
        if matches!(format, PerfFormat::Auto | PerfFormat::Baseline) {
            continue;
        }
        assert!(
            ALL.iter().any(|(_, f)| *f == format),
            "no fixture of `{format}` in ALL"
        );
    }
}

#[test]
fn the_hash_and_size_are_of_the_bytes_on_disk() {
    for (name, _) in ALL {
        let bytes = std::fs::read(fixture(name)).unwrap();
        let r = read(name);
        let digest = Sha256::digest(&bytes);
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(r.sha256, hex, "{name}");
        assert_eq!(r.bytes, bytes.len() as u64, "{name}");
        assert_eq!(r.evidence.provenance.source_sha256, hex, "{name}");
        assert_eq!(r.evidence.provenance.source_path, *name);
    }
}

#[test]
fn what_is_not_a_result_says_so() {
    let empty = bytes("").unwrap_err();
    assert!(matches!(empty, PerfError::EmptyFile { .. }) && empty.is_empty_run());
    assert!(bytes("  \n\t").unwrap_err().is_empty_run());
    let gz = shipgate_perf::read_bytes(&[0x1f, 0x8b, 8, 0, 0], "run.json.gz", PerfFormat::Auto)
        .unwrap_err();
    // A gzip header cut short: refused as a damaged stream, not read as an empty run.
    assert!(gz.to_string().contains("cut short or damaged"), "{gz}");
    assert!(!gz.is_empty_run());
    assert!(
        bytes("[1, 2]")
            .unwrap_err()
            .to_string()
            .contains("JSON list")
    );
    assert!(
        bytes(r#"{"hello": "world"}"#)
            .unwrap_err()
            .to_string()
            .contains("it is JSON, but not")
    );
    assert!(
        bytes("{\"metrics\": ")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON")
    );
    assert!(
        bytes("<html></html>")
            .unwrap_err()
            .to_string()
            .contains("XML or HTML")
    );
    assert!(
        bytes("name,value\nx,1\n")
            .unwrap_err()
            .to_string()
            .contains("neither JSON nor")
    );
    let missing =
        shipgate_perf::read_file(&fixture("nope.json"), "perf/nope.json", PerfFormat::Auto)
            .unwrap_err();
    assert!(matches!(missing, PerfError::Io { .. }));
    assert!(missing.to_string().contains("perf/nope.json"));
    for e in [missing, empty] {
        assert!(!e.remedy().is_empty());
    }
}

#[test]
fn format_names_round_trip() {
    for f in PerfFormat::ALL {
        assert_eq!(f.as_str().parse::<PerfFormat>().unwrap(), f);
    }
    assert!(
        "jtl"
            .parse::<PerfFormat>()
            .unwrap_err()
            .contains("expected one of")
    );
}
