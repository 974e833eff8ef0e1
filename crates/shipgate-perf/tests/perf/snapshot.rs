//! Baselines: promote runs into a baseline of several, read it back, and refuse one that no
//! longer matches what was promoted.

use super::*;
use jiff::Timestamp;
use shipgate_perf::{PromoteOptions, PromoteRefusal, Promotion, promote, read_baseline};
use std::path::Path;

pub(crate) fn options() -> PromoteOptions {
    PromoteOptions {
        now: Some("2026-11-24T10:00:00Z".parse::<Timestamp>().unwrap()),
        release_version: Some("2.4.0".into()),
        commit: Some("3f2a9c1".into()),
        ..PromoteOptions::default()
    }
}

/// Promotes the fixture `name` into the baseline `baseline.json` in `dir`.
pub(crate) fn promote_into(
    dir: &Path,
    name: &str,
    options: &PromoteOptions,
) -> Result<Promotion, PromoteRefusal> {
    promote(
        &fixture(name),
        name,
        PerfFormat::Auto,
        &dir.join("baseline.json"),
        "perf/baseline.json",
        "0.1.0",
        options,
    )
}

fn read_back(dir: &Path) -> Result<shipgate_perf::BaselineRead, PerfError> {
    read_baseline(
        &dir.join("baseline.json"),
        "perf/baseline.json",
        PerfFormat::Auto,
    )
}

fn manifest(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("baseline.json")).unwrap()
}

#[test]
fn promoted_runs_read_back_as_the_runs_themselves_with_what_promote_added() {
    let dir = tempfile::tempdir().unwrap();
    let first = promote_into(dir.path(), "jmeter-2.13-default.jtl", &options()).unwrap();
    assert_eq!((first.runs, first.keep), (1, 5));
    let second = promote_into(dir.path(), "jmeter-2.13-header.jtl", &options()).unwrap();
    assert_eq!(second.runs, 2);
    assert!(
        second.kept_as.starts_with("perf/baseline.runs/"),
        "{}",
        second.kept_as
    );
    let back = read_back(dir.path()).unwrap();
    let b = &back.baseline;
    assert!(b.promoted);
    assert_eq!(b.runs.len(), 2);
    // Each run is its file read again: the same numbers and samples as the tool's own file.
    for (run, name) in b
        .runs
        .iter()
        .zip(["jmeter-2.13-default.jtl", "jmeter-2.13-header.jtl"])
    {
        let direct = read(name);
        assert_eq!(run.metrics, direct.evidence.metrics);
        assert_eq!(run.series, direct.evidence.series);
        let p = &run.provenance;
        assert_eq!(p.source_sha256, direct.sha256);
        assert_eq!(
            p.promoted_at.map(|t| t.to_string()).as_deref(),
            Some("2026-11-24T10:00:00Z")
        );
        assert_eq!(p.release_version.as_deref(), Some("2.4.0"));
        assert_eq!(p.commit.as_deref(), Some("3f2a9c1"));
        assert!(!p.forced);
    }
    // The manifest and each run's file are in the audit record, each with its hash.
    assert_eq!(back.files.len(), 3);
    assert_eq!(back.files[0].path, "perf/baseline.json");
    assert!(
        back.files[1..]
            .iter()
            .all(|f| f.path.starts_with("perf/baseline.runs/"))
    );
    // The manifest holds no number a hand could change: only names, hashes and dates.
    let text = manifest(dir.path());
    assert!(!text.contains("\"value\""), "{text}");
    assert!(
        text.starts_with("{\n  \"shipgate_perf_baseline\": 2,"),
        "{text}"
    );
}

#[test]
fn a_baseline_keeps_the_last_n_runs_and_drops_the_oldest_files() {
    let dir = tempfile::tempdir().unwrap();
    let keep2 = PromoteOptions {
        keep: Some(2),
        ..options()
    };
    let a = promote_into(dir.path(), "jmeter-2.13-default.jtl", &keep2).unwrap();
    promote_into(dir.path(), "jmeter-2.13-header.jtl", &keep2).unwrap();
    // A third JMeter run: the same samples as the first under another name would be the same
    // run twice, so write a genuinely different one.
    let third = dir.path().join("third.jtl");
    let text = std::fs::read_to_string(fixture("jmeter-2.13-header.jtl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.pop();
    std::fs::write(&third, format!("{}\n", lines.join("\n"))).unwrap();
    // The kept count is the baseline's from now on, unless told otherwise.
    let done = promote(
        &third,
        "third.jtl",
        PerfFormat::Auto,
        &dir.path().join("baseline.json"),
        "perf/baseline.json",
        "0.1.0",
        &options(),
    )
    .unwrap();
    assert_eq!((done.runs, done.keep), (2, 2));
    assert_eq!(done.dropped, vec![a.kept_as.clone()]);
    let gone = dir.path().join(a.kept_as.strip_prefix("perf/").unwrap());
    assert!(!gone.exists(), "the dropped run's copy is removed");
    assert_eq!(read_back(dir.path()).unwrap().baseline.runs.len(), 2);
    // `--fresh` starts again with one run.
    let fresh = promote_into(
        dir.path(),
        "jmeter-2.13-default.jtl",
        &PromoteOptions {
            fresh: true,
            ..options()
        },
    )
    .unwrap();
    assert_eq!(fresh.runs, 1);
    assert_eq!(
        promote_into(
            dir.path(),
            "jmeter-2.13-header.jtl",
            &PromoteOptions {
                keep: Some(0),
                ..options()
            }
        )
        .unwrap_err()
        .message(),
        "`--keep` must be at least 1"
    );
}

#[test]
fn the_same_run_twice_and_a_run_of_another_tool_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    promote_into(dir.path(), "jmeter-2.13-header.jtl", &options()).unwrap();
    let twice = promote_into(dir.path(), "jmeter-2.13-header.jtl", &options()).unwrap_err();
    assert!(matches!(twice, PromoteRefusal::AlreadyKept(_)), "{twice:?}");
    assert!(
        twice.message().contains("counted twice"),
        "{}",
        twice.message()
    );
    let other = promote_into(dir.path(), "locust-2.47-stats.csv", &options()).unwrap_err();
    assert!(
        matches!(&other, PromoteRefusal::OtherTool { kept, run } if kept == "Apache JMeter" && run == "Locust"),
        "{other:?}"
    );
    assert!(other.message().contains("--fresh"), "{}", other.message());
    // Nothing of a refused run is left behind.
    assert_eq!(read_back(dir.path()).unwrap().baseline.runs.len(), 1);
    let kept: Vec<_> = std::fs::read_dir(dir.path().join("baseline.runs"))
        .unwrap()
        .collect();
    assert_eq!(kept.len(), 1);
}

#[test]
fn a_run_that_failed_its_own_thresholds_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let refusal = promote_into(
        dir.path(),
        "k6-summary-export-failed-threshold.json",
        &options(),
    )
    .unwrap_err();
    assert!(
        matches!(&refusal, PromoteRefusal::FailedThresholds(f) if f == &["http_req_duration: p(99)<40".to_owned()]),
        "{refusal:?}"
    );
    assert!(refusal.message().contains("--force"));
    let forced = promote_into(
        dir.path(),
        "k6-summary-export-failed-threshold.json",
        &PromoteOptions {
            force: true,
            ..options()
        },
    )
    .unwrap();
    assert!(
        forced.run.provenance.forced,
        "the baseline says it was forced"
    );
    let back = read_back(dir.path()).unwrap();
    assert!(back.baseline.runs[0].provenance.forced);
    // The mark is checked on reading: removing it is an edit the gate sees.
    let text = manifest(dir.path()).replace("\"forced\": true", "\"forced\": false");
    std::fs::write(dir.path().join("baseline.json"), text).unwrap();
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(e.contains("does not record that it was forced"), "{e}");
}

#[test]
fn a_run_in_which_no_request_succeeded_is_no_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let e = promote_into(dir.path(), "locust-2.47-refused_stats.csv", &options()).unwrap_err();
    assert!(
        matches!(e, PromoteRefusal::NothingSucceeded(_)),
        "{e:?}: {}",
        e.message()
    );
    assert!(!dir.path().join("baseline.json").exists());
}

#[test]
fn a_baseline_is_not_promoted_into_another() {
    let dir = tempfile::tempdir().unwrap();
    promote_into(dir.path(), "k6-handle-summary.json", &options()).unwrap();
    let again = promote(
        &dir.path().join("baseline.json"),
        "perf/baseline.json",
        PerfFormat::Auto,
        &dir.path().join("other.json"),
        "perf/other.json",
        "0.1.0",
        &options(),
    )
    .unwrap_err();
    assert!(
        matches!(again, PromoteRefusal::AlreadyBaseline),
        "{again:?}"
    );
    let no_time = promote_into(
        dir.path(),
        "k6-summary-export.json",
        &PromoteOptions {
            now: None,
            ..options()
        },
    )
    .unwrap_err();
    assert!(matches!(no_time, PromoteRefusal::NoTime), "{no_time:?}");
    // A file that is not a baseline is not overwritten.
    std::fs::write(dir.path().join("notes.json"), "{\"mine\": 1}\n").unwrap();
    let e = promote(
        &fixture("k6-summary-export.json"),
        "k6-summary-export.json",
        PerfFormat::Auto,
        &dir.path().join("notes.json"),
        "notes.json",
        "0.1.0",
        &options(),
    )
    .unwrap_err();
    assert!(matches!(e, PromoteRefusal::NotABaseline(_)), "{e:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes.json")).unwrap(),
        "{\"mine\": 1}\n"
    );
}

/// The attack of issue 12: every value and sample of a kept run scaled by the same factor, so
/// that the run still agrees with itself. The file no longer matches the hash promote
/// recorded, and the baseline is refused, naming the file and what to do.
#[test]
fn a_run_edited_consistently_after_promotion_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let done = promote_into(dir.path(), "jmeter-2.13-header.jtl", &options()).unwrap();
    let kept = dir.path().join(done.kept_as.strip_prefix("perf/").unwrap());
    let text = std::fs::read_to_string(&kept).unwrap();
    // JMeter CSV: timeStamp,elapsed,... — scale every `elapsed` by 1.5.
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if i == 0 {
            out.push(line.to_owned());
            continue;
        }
        let mut fields: Vec<String> = line.split(',').map(str::to_owned).collect();
        let elapsed: f64 = fields[1].parse().unwrap();
        fields[1] = format!("{}", (elapsed * 1.5).round());
        out.push(fields.join(","));
    }
    std::fs::write(&kept, format!("{}\n", out.join("\n"))).unwrap();
    let e = read_back(dir.path()).unwrap_err();
    assert!(!e.is_empty_run(), "unreadable, not missing: {e}");
    let e = e.to_string();
    assert!(e.contains("perf/baseline.json"), "{e}");
    assert!(e.contains(&done.kept_as), "{e}");
    assert!(e.contains("is not the one that was promoted"), "{e}");
    assert!(e.contains("promote the run again"), "{e}");
    // The manifest cannot be made to name another tool or time without notice either.
    std::fs::write(&kept, text).unwrap();
    read_back(dir.path()).unwrap();
    let edited = manifest(dir.path()).replace("\"Apache JMeter\"", "\"Locust\"");
    std::fs::write(dir.path().join("baseline.json"), edited).unwrap();
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(e.contains("measured by Locust"), "{e}");
}

#[test]
fn a_baseline_without_its_runs_files_is_refused_with_what_to_keep() {
    let dir = tempfile::tempdir().unwrap();
    promote_into(dir.path(), "jmeter-2.13-header.jtl", &options()).unwrap();
    std::fs::remove_dir_all(dir.path().join("baseline.runs")).unwrap();
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(e.contains("is not there"), "{e}");
    assert!(e.contains("keep (commit) the `.runs` folder"), "{e}");
}

#[test]
fn a_manifest_that_points_outside_its_folder_or_is_damaged_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    promote_into(dir.path(), "jmeter-2.13-header.jtl", &options()).unwrap();
    let text = manifest(dir.path());
    let write = |t: &str| std::fs::write(dir.path().join("baseline.json"), t).unwrap();
    let file_at = text.find("\"file\": \"").unwrap() + "\"file\": \"".len();
    let escape = format!(
        "{}../../etc/passwd{}",
        &text[..file_at],
        &text[file_at + 15..]
    );
    write(&escape);
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(e.contains("not a file inside the baseline's folder"), "{e}");
    write(&text.replace("\"written_by\"", "\"writen_by\""));
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(e.contains("writen_by") && e.contains("written_by"), "{e}");
    write(&text.replacen("\"keep\": 5,", "\"keep\": 5, \"keep\": 9,", 1));
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(e.contains("keep"), "{e}");
    write(
        &text
            .replace("\"runs\": [", "\"runs\": [\n    ")
            .replace("\"sha256\": \"", "\"sha256\": \"0"),
    );
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(e.contains("64 lower-case hex digits"), "{e}");
}

/// A run listed twice would count twice and make the runs look more alike than they are, so
/// that noise would excuse more: a manifest that lists one run twice is refused.
#[test]
fn a_manifest_that_lists_a_run_twice_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    promote_into(dir.path(), "jmeter-2.13-header.jtl", &options()).unwrap();
    let text = manifest(dir.path());
    let start = text.find("    {\n").unwrap();
    let end = text.find("    }\n").unwrap() + "    }".len();
    let run = &text[start..end];
    let twice = text.replacen(run, &format!("{run},\n{run}"), 1);
    assert_ne!(twice, text);
    std::fs::write(dir.path().join("baseline.json"), twice).unwrap();
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(e.contains("the same run is in the baseline twice"), "{e}");
}

/// A manifest whose run is a manifest (here itself) is refused, never read round and round.
#[test]
fn a_manifest_whose_run_is_a_baseline_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let done = promote_into(dir.path(), "jmeter-2.13-header.jtl", &options()).unwrap();
    let kept = done.kept_as.strip_prefix("perf/").unwrap().to_owned();
    let text = manifest(dir.path()).replace(&kept, "baseline.json");
    std::fs::write(dir.path().join("baseline.json"), text).unwrap();
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("is a shipgate baseline, not a load test's results"),
        "{e}"
    );
}

/// Version 1 baselines held the numbers themselves (and raw samples), which a consistent edit
/// could change without a trace: they are refused, saying how to promote again, never read.
#[test]
fn a_version_1_snapshot_is_refused_with_how_to_promote_again() {
    let dir = tempfile::tempdir().unwrap();
    let old = r#"{
  "shipgate_perf_baseline": 1,
  "written_by": "shipgate 0.1.0",
  "provenance": {"tool": "Apache JMeter", "tool_version": null, "format": "JMeter JTL (CSV)", "source_path": "perf/run.jtl", "source_sha256": "0000000000000000000000000000000000000000000000000000000000000000", "source_bytes": 1, "run_at": null, "commit": null, "release_version": null, "promoted_at": "2026-11-24T10:00:00Z", "forced": false},
  "thresholds": {"state": "not_recorded"},
  "metrics": {"checkout.p95": {"unit": "ms", "direction": "lower", "value": 45.0}},
  "series": {}
}
"#;
    std::fs::write(dir.path().join("baseline.json"), old).unwrap();
    for format in [PerfFormat::Auto, PerfFormat::Baseline] {
        let e = read_baseline(
            &dir.path().join("baseline.json"),
            "perf/baseline.json",
            format,
        )
        .unwrap_err();
        assert!(!e.is_empty_run());
        let e = e.to_string();
        assert!(e.contains("perf/baseline.json"), "{e}");
        assert!(e.contains("version 1 baselines kept their numbers"), "{e}");
        assert!(
            e.contains("shipgate perf baseline promote RUN --out BASELINE"),
            "{e}"
        );
    }
    // Not read as a run either.
    let e = shipgate_perf::read_file(
        &dir.path().join("baseline.json"),
        "perf/baseline.json",
        PerfFormat::Auto,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("version 1"), "{e}");
    // Promoting onto it is refused the same way, not silently overwritten.
    let e = promote_into(dir.path(), "jmeter-2.13-header.jtl", &options()).unwrap_err();
    assert!(e.message().contains("version 1"), "{}", e.message());
}

#[test]
fn a_tool_s_own_file_as_a_baseline_is_one_run() {
    let back = read_baseline(
        &fixture("jmeter-2.13-header.jtl"),
        "perf/last.jtl",
        PerfFormat::Auto,
    )
    .unwrap();
    assert!(!back.baseline.promoted);
    assert_eq!(back.baseline.runs.len(), 1);
    assert_eq!(back.files.len(), 1);
}

/// READY-risk: the manifest gives a time the run's file does not. A k6 `--summary-export` says
/// nothing of when the run happened; promote writes `"run_at": null`, and the gate took a
/// `run_at` added by hand as the run's, so a stale baseline passed `max_age`. Promote records
/// only a time the file gives: a manifest that claims one the file does not is refused, and the
/// run's age is never the manifest's.
#[test]
fn a_run_at_only_the_manifest_gives_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    promote_into(dir.path(), "k6-summary-export.json", &options()).unwrap();
    let back = read_back(dir.path()).unwrap();
    assert_eq!(back.baseline.runs[0].provenance.run_at, None);
    assert!(back.baseline.runs[0].provenance.promoted_at.is_some());
    let text = manifest(dir.path());
    let edited = text.replace(r#""run_at": null"#, r#""run_at": "2026-11-24T09:00:00Z""#);
    assert_ne!(edited, text);
    std::fs::write(dir.path().join("baseline.json"), edited).unwrap();
    let e = read_back(dir.path()).unwrap_err().to_string();
    assert!(e.contains("does not say when it ran"), "{e}");
    assert!(e.contains("runs[0]"), "{e}");
}

/// Replaces the file at `path` by a named pipe that gives its bytes once: a second opening would
/// wait for a writer that is gone.
#[cfg(unix)]
fn once_only(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    std::fs::remove_file(path).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap();
    assert!(made.success());
    let path = path.to_owned();
    std::thread::spawn(move || {
        use std::io::Write;
        if let Ok(mut pipe) = std::fs::OpenOptions::new().write(true).open(&path) {
            // The reader may stop early (a look at the head): the rest is then refused.
            let _ = pipe.write_all(&bytes);
        }
    });
}

/// The manifest and each run's file are opened and read once: the bytes looked at to tell a
/// manifest from a tool's file, parsed, and hashed are one reading of the file, so the hash is
/// of the bytes parsed and nothing can change between a look and the read. (Each was opened
/// two or three times: a look at its head, then the read.) A named pipe gives its bytes once.
#[cfg(unix)]
#[test]
fn a_baseline_s_manifest_and_runs_are_each_read_in_one_opening() {
    let dir = tempfile::tempdir().unwrap();
    promote_into(dir.path(), "jmeter-2.13-default.jtl", &options()).unwrap();
    let expected = read_back(dir.path()).unwrap().files;
    let kept = dir
        .path()
        .join(expected[1].path.strip_prefix("perf/").unwrap());
    once_only(&dir.path().join("baseline.json"));
    once_only(&kept);
    let (tx, rx) = std::sync::mpsc::channel();
    let at = dir.path().to_owned();
    std::thread::spawn(move || {
        let _ = tx.send(read_back(&at).map(|r| r.files));
    });
    let files = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("a file was opened a second time, waiting for bytes already given")
        .unwrap();
    assert_eq!(files, expected);

    // A tool's own file, through `read_file`, the same.
    let run = dir.path().join("run.jtl");
    std::fs::copy(fixture("jmeter-2.13-default.jtl"), &run).unwrap();
    let sha = shipgate_perf::read_file(&run, "run.jtl", PerfFormat::Auto)
        .unwrap()
        .sha256;
    once_only(&run);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ =
            tx.send(shipgate_perf::read_file(&run, "run.jtl", PerfFormat::Auto).map(|r| r.sha256));
    });
    let read = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .expect("the file was opened a second time")
        .unwrap();
    assert_eq!(read, sha);
}
