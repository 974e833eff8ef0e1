//! Baseline snapshots: promote, write, read back.

use super::*;
use jiff::Timestamp;
use shipgate_perf::{PromoteOptions, PromoteRefusal, promote, render_snapshot};

fn options() -> PromoteOptions {
    PromoteOptions {
        now: Some("2026-11-24T10:00:00Z".parse::<Timestamp>().unwrap()),
        release_version: Some("2.4.0".into()),
        commit: Some("3f2a9c1".into()),
        force: false,
    }
}

#[test]
fn a_promoted_run_reads_back_as_the_same_metrics_and_samples() {
    let run = read("jmeter-2.13-header.jtl");
    let sha = run.sha256.clone();
    let baseline = promote(run.clone(), &options()).unwrap();
    let text = render_snapshot(&baseline, "0.1.0").unwrap();
    assert_eq!(
        text,
        render_snapshot(&baseline, "0.1.0").unwrap(),
        "deterministic"
    );
    let back =
        shipgate_perf::read_bytes(text.as_bytes(), "perf/baseline.json", PerfFormat::Auto).unwrap();
    let e = back.evidence;
    assert_eq!(e.metrics, run.evidence.metrics);
    assert_eq!(e.series, run.evidence.series);
    let p = &e.provenance;
    assert_eq!(
        p.source_path, "jmeter-2.13-header.jtl",
        "the tool's file, not the snapshot"
    );
    assert_eq!(p.source_sha256, sha);
    assert_eq!(
        p.promoted_at.map(|t| t.to_string()).as_deref(),
        Some("2026-11-24T10:00:00Z")
    );
    assert_eq!(p.release_version.as_deref(), Some("2.4.0"));
    assert_eq!(p.commit.as_deref(), Some("3f2a9c1"));
    assert!(!p.forced);
    assert_eq!(p.tool, "Apache JMeter");
    // The snapshot's own bytes are hashed separately.
    assert_ne!(back.sha256, sha);
    // Declared as a baseline, it reads the same.
    let declared =
        shipgate_perf::read_bytes(text.as_bytes(), "b.json", PerfFormat::Baseline).unwrap();
    assert_eq!(declared.evidence.metrics, e.metrics);
}

#[test]
fn a_run_that_failed_its_own_thresholds_is_refused_unless_forced() {
    let run = read("k6-summary-export-failed-threshold.json");
    let refusal = promote(run.clone(), &options()).unwrap_err();
    assert_eq!(
        refusal,
        PromoteRefusal::FailedThresholds(vec!["http_req_duration: p(99)<40".to_owned()])
    );
    assert!(refusal.message().contains("--force"));
    let forced = promote(
        run,
        &PromoteOptions {
            force: true,
            ..options()
        },
    )
    .unwrap();
    assert!(forced.provenance.forced, "the snapshot says it was forced");
    // Forcing a good run records nothing special.
    let good = promote(
        read("k6-summary-export.json"),
        &PromoteOptions {
            force: true,
            ..options()
        },
    )
    .unwrap();
    assert!(!good.provenance.forced);
}

#[test]
fn a_snapshot_is_not_promoted_twice() {
    let baseline = promote(read("k6-handle-summary.json"), &options()).unwrap();
    let text = render_snapshot(&baseline, "0.1.0").unwrap();
    let again = shipgate_perf::read_bytes(text.as_bytes(), "b.json", PerfFormat::Auto).unwrap();
    assert_eq!(
        promote(again, &options()).unwrap_err(),
        PromoteRefusal::AlreadyBaseline
    );
    assert_eq!(
        promote(
            read("k6-handle-summary.json"),
            &PromoteOptions {
                now: None,
                ..options()
            }
        )
        .unwrap_err(),
        PromoteRefusal::NoTime
    );
}

#[test]
fn damaged_snapshots_are_refused() {
    let baseline = promote(read("jmeter-2.13-header.jtl"), &options()).unwrap();
    let text = render_snapshot(&baseline, "0.1.0").unwrap();
    let future = text.replace(
        "\"shipgate_perf_baseline\": 1",
        "\"shipgate_perf_baseline\": 2",
    );
    let e = bytes(&future).unwrap_err().to_string();
    assert!(
        e.contains("version 2 is not one this shipgate reads"),
        "{e}"
    );
    let dangling = text.replace("\"series\": \"checkout\"", "\"series\": \"checkout-old\"");
    let e = bytes(&dangling).unwrap_err().to_string();
    assert!(e.contains("checkout-old"), "{e}");
    let sha = baseline.provenance.source_sha256.clone();
    let forged = text.replace(&sha, "not-a-hash");
    assert!(
        bytes(&forged)
            .unwrap_err()
            .to_string()
            .contains("64 hex digits")
    );
    let typo = text.replace("\"written_by\"", "\"writen_by\"");
    assert!(bytes(&typo).unwrap_err().to_string().contains("writen_by"));
}

#[test]
fn a_snapshot_whose_keys_were_reordered_still_reads() {
    let baseline = promote(read("jmeter-2.13-header.jtl"), &options()).unwrap();
    let text = render_snapshot(&baseline, "0.1.0").unwrap();
    assert!(text.lines().count() < 600, "each series on one line");
    let moved = text.replacen("\"shipgate_perf_baseline\": 1,", "", 1);
    let moved = format!(
        "{},\n  \"shipgate_perf_baseline\": 1\n}}\n",
        moved.trim_end().trim_end_matches('}').trim_end()
    );
    let e = bytes(&moved).unwrap().evidence;
    assert_eq!(e.metrics, baseline.metrics);
    assert_eq!(e.series, baseline.series);
}

#[test]
fn a_snapshot_of_another_version_is_refused_as_such() {
    let baseline = promote(read("jmeter-2.13-header.jtl"), &options()).unwrap();
    let text = render_snapshot(&baseline, "0.1.0").unwrap();
    // Another version in the same shape, and another version in a shape this one cannot read:
    // both are refused for their version, not for their content.
    let same_shape = text.replace(
        "\"shipgate_perf_baseline\": 1",
        "\"shipgate_perf_baseline\": 2",
    );
    let other_shape = same_shape.replace("\"written_by\"", "\"writer\"");
    for future in [same_shape, other_shape] {
        let e = bytes(&future).unwrap_err().to_string();
        assert!(
            e.contains("version 2 is not one this shipgate reads"),
            "{e}"
        );
    }
    // A damaged current snapshot still names where.
    let broken = text.replace("\"written_by\"", "\"written_by\" 7,");
    let e = bytes(&broken).unwrap_err().to_string();
    assert!(e.contains("line 3"), "{e}");
}
