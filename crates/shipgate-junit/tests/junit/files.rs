//! Reading files: globs, paths as the user writes them, digests, bad files next to good ones,
//! and large files that are streamed instead of read into memory.

use crate::fixture;
use shipgate_junit::{ReadOptions, expand_globs, read_bytes, read_files};
use std::fs;
use std::path::{Path, PathBuf};

fn write(dir: &Path, relative: &str, bytes: &[u8]) {
    let path = dir.join(relative);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

const PASSING: &[u8] = b"<testsuite name=\"s\"><testcase classname=\"c\" name=\"t\"/></testsuite>";

#[test]
fn globs_recurse_keep_only_files_and_sort_across_patterns() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/b.xml", PASSING);
    write(dir.path(), "reports/a.xml", PASSING);
    write(dir.path(), "reports/shard-1/deep/c.xml", PASSING);
    write(dir.path(), "reports/notes.txt", b"x");
    fs::create_dir_all(dir.path().join("reports/folder.xml")).unwrap();

    let patterns = [
        "reports/**/*.xml".to_owned(),
        "reports/a.xml".to_owned(),
        "reports/*.xml".to_owned(),
        "missing/*.xml".to_owned(),
    ];
    let matches = expand_globs(dir.path(), &patterns).unwrap();
    let paths: Vec<PathBuf> = [
        "reports/a.xml",
        "reports/b.xml",
        "reports/shard-1/deep/c.xml",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    assert_eq!(matches.paths, paths);
    assert_eq!(matches.unmatched, ["missing/*.xml"]);

    let absolute = format!("{}/reports/*.xml", dir.path().display());
    let matches = expand_globs(Path::new("/nonexistent-base"), &[absolute]).unwrap();
    assert_eq!(matches.paths.len(), 2);
    assert!(matches.paths.iter().all(|p| p.is_absolute()));
}

#[test]
fn a_bad_glob_is_an_error_naming_it() {
    let e = expand_globs(Path::new("."), &["reports/[a.xml".to_owned()]).unwrap_err();
    assert_eq!(e.kind(), "glob");
    assert!(
        e.to_string()
            .starts_with("failed to expand the glob `reports/[a.xml`"),
        "{e}"
    );
}

#[test]
fn every_bad_file_is_reported_and_the_good_ones_are_still_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/ok.xml", PASSING);
    write(
        dir.path(),
        "reports/cut.xml",
        b"<testsuite><testcase name=\"x\">",
    );
    write(dir.path(), "reports/empty.xml", b"");
    let outside = tempfile::tempdir().unwrap();
    write(outside.path(), "elsewhere.xml", PASSING);
    let elsewhere = outside.path().join("elsewhere.xml");

    let paths = vec![
        PathBuf::from("reports/ok.xml"),
        PathBuf::from("reports/cut.xml"),
        PathBuf::from("reports/missing.xml"),
        PathBuf::from("reports/empty.xml"),
        dir.path().join("reports/ok.xml"),
        elsewhere.clone(),
    ];
    let read = read_files(dir.path(), &paths, &ReadOptions::default());

    let files: Vec<&str> = read
        .evidence
        .files
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    let elsewhere = elsewhere.to_string_lossy().into_owned();
    let mut want = vec![elsewhere.as_str(), "reports/ok.xml"];
    want.sort();
    assert_eq!(files, want, "the same file listed twice is read once");
    assert_eq!(read.evidence.totals.tests, 2);

    let errors: Vec<(&str, &str)> = read.errors.iter().map(|e| (e.path(), e.kind())).collect();
    assert_eq!(
        errors,
        [
            ("reports/cut.xml", "truncated"),
            ("reports/empty.xml", "empty"),
            ("reports/missing.xml", "io"),
        ]
    );
    // A digest for every file whose bytes were read, rejected ones included.
    let digested: Vec<&str> = read.digests.iter().map(|d| d.path.as_str()).collect();
    let mut want = vec![
        elsewhere.as_str(),
        "reports/cut.xml",
        "reports/empty.xml",
        "reports/ok.xml",
    ];
    want.sort();
    assert_eq!(digested, want);
    let ok = read
        .digests
        .iter()
        .find(|d| d.path == "reports/ok.xml")
        .unwrap();
    let (_, alone) = read_bytes("reports/ok.xml", PASSING, &ReadOptions::default()).unwrap();
    assert_eq!(ok, &alone);
    assert_eq!(ok.bytes, PASSING.len() as u64);
}

/// A report big enough to be streamed rather than read into memory.
fn big_report(cases: usize) -> String {
    let mut doc = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n");
    for suite in 0..cases / 500 {
        doc.push_str(&format!(
            "  <testsuite name=\"com.acme.Suite{suite}\" timestamp=\"2024-01-0{}T10:00:00\">\n",
            1 + suite % 9
        ));
        for case in 0..500 {
            let n = suite * 500 + case;
            match n % 50 {
                0 => doc.push_str(&format!(
                    "    <testcase classname=\"com.acme.Suite{suite}\" name=\"test{n}\" time=\"0.01\">\n      <failure message=\"expected &lt;{n}&gt; but was &apos;x&apos;\">trace&#10;line</failure>\n    </testcase>\n"
                )),
                1 => doc.push_str(&format!(
                    "    <testcase classname=\"com.acme.Suite{suite}\" name=\"test{n}\"><skipped/></testcase>\n"
                )),
                _ => doc.push_str(&format!(
                    "    <testcase classname=\"com.acme.Suite{suite}\" name=\"test{n}\" time=\"0.002\"><system-out><![CDATA[{}]]></system-out></testcase>\n",
                    "out ".repeat(20)
                )),
            }
        }
        doc.push_str("  </testsuite>\n");
    }
    doc.push_str("</testsuites>\n");
    doc
}

#[test]
fn a_large_file_is_streamed_with_the_same_result_and_digest() {
    let doc = big_report(60_000);
    assert!(
        doc.len() > 9 * 1024 * 1024,
        "{} bytes is not large",
        doc.len()
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "big.xml", doc.as_bytes());
    let streamed = read_files(
        dir.path(),
        &[PathBuf::from("big.xml")],
        &ReadOptions::default(),
    );
    assert!(streamed.errors.is_empty(), "{:?}", streamed.errors);
    let (in_memory, digest) =
        read_bytes("big.xml", doc.as_bytes(), &ReadOptions::default()).unwrap();
    assert_eq!(streamed.evidence, in_memory);
    assert_eq!(streamed.digests, [digest]);
    let c = in_memory.totals;
    assert_eq!((c.tests, c.failed, c.skipped), (60_000, 1_200, 1_200));
    assert_eq!(
        in_memory.tests[0].message.as_deref(),
        Some("expected <0> but was 'x'")
    );
    // The suites' timestamps carry no zone: the latest is kept as the local time it is.
    assert_eq!(in_memory.files[0].timestamp, None);
    assert_eq!(
        in_memory.files[0]
            .local_timestamp
            .map(|t| t.to_string())
            .as_deref(),
        Some("2024-01-09T10:00:00")
    );
}

#[test]
fn a_large_truncated_file_gives_the_same_error_streamed() {
    let mut doc = big_report(60_000).into_bytes();
    doc.truncate(doc.len() - 200);
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "cut.xml", &doc);
    let streamed = read_files(
        dir.path(),
        &[PathBuf::from("cut.xml")],
        &ReadOptions::default(),
    );
    let in_memory = read_bytes("cut.xml", &doc, &ReadOptions::default()).unwrap_err();
    assert_eq!(streamed.errors.len(), 1);
    assert_eq!(streamed.errors[0].kind(), "truncated");
    assert_eq!(streamed.errors[0].to_string(), in_memory.to_string());
    assert!(streamed.evidence.files.is_empty());
    assert_eq!(streamed.digests[0].bytes, doc.len() as u64);
}

#[test]
fn a_large_utf16_file_and_a_large_file_with_bad_utf8_are_streamed() {
    let text = big_report(60_000).replace("encoding=\"UTF-8\"", "encoding=\"UTF-16\"");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in text.encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let mut bad = big_report(60_000).into_bytes();
    let at = bad.len() - 100;
    bad.splice(at..at, b"<!-- \xFF\xFE -->".iter().copied());

    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "utf16.xml", &utf16);
    write(dir.path(), "bad.xml", &bad);
    let paths = [PathBuf::from("utf16.xml"), PathBuf::from("bad.xml")];
    let read = read_files(dir.path(), &paths, &ReadOptions::default());
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    assert_eq!(read.evidence.totals.tests, 120_000);
    for file in &read.evidence.files {
        let bytes = fs::read(dir.path().join(&file.path)).unwrap();
        let (alone, _) = read_bytes(&file.path, &bytes, &ReadOptions::default()).unwrap();
        assert_eq!(&alone.files[0], file);
    }
}

#[test]
fn a_corpus_report_reads_the_same_from_a_file_and_from_memory() {
    let name = "corpus/jenkins--huge-7580-cases.xml";
    let read = read_files(
        &crate::fixtures_dir(),
        &[PathBuf::from(name)],
        &ReadOptions::default(),
    );
    let (alone, digest) = read_bytes(name, &fixture(name), &ReadOptions::default()).unwrap();
    assert_eq!(read.evidence, alone);
    assert_eq!(read.digests, [digest]);
}

#[test]
fn a_large_file_with_invalid_utf8_in_an_element_name_is_refused_streamed_too() {
    let mut doc = big_report(60_000).into_bytes();
    let at = doc.len() - "</testsuites>\n".len();
    doc.splice(
        at..at,
        b"<testc\xe9ase name=\"boom\"><failure/></testc\xe9ase>\n"
            .iter()
            .copied(),
    );
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "big.xml", &doc);
    let streamed = read_files(
        dir.path(),
        &[PathBuf::from("big.xml")],
        &ReadOptions::default(),
    );
    let in_memory = read_bytes("big.xml", &doc, &ReadOptions::default()).unwrap_err();
    assert_eq!(in_memory.kind(), "not-xml", "{in_memory}");
    assert!(streamed.evidence.files.is_empty());
    assert_eq!(streamed.errors.len(), 1);
    assert_eq!(streamed.errors[0].to_string(), in_memory.to_string());
}

const FAILING: &[u8] =
    b"<testsuite name=\"s\"><testcase classname=\"c\" name=\"t\"><failure/></testcase></testsuite>";

#[test]
fn one_file_under_two_spellings_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "r/pass.xml", PASSING);
    write(dir.path(), "r/fail.xml", FAILING);
    let paths = [
        PathBuf::from("r/pass.xml"),
        PathBuf::from("r/../r/pass.xml"),
        PathBuf::from("r/fail.xml"),
    ];
    let read = read_files(dir.path(), &paths, &ReadOptions::default());
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    let files: Vec<&str> = read
        .evidence
        .files
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        files,
        ["r/fail.xml", "r/pass.xml"],
        "the first spelling given is kept"
    );
    assert_eq!(
        (read.evidence.totals.tests, read.evidence.totals.passed),
        (2, 1)
    );
    assert_eq!(read.digests.len(), 2);
}

#[cfg(unix)]
#[test]
fn a_symlinked_folder_does_not_count_its_reports_twice() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "r/pass.xml", PASSING);
    write(dir.path(), "r/fail.xml", FAILING);
    std::os::unix::fs::symlink(dir.path().join("r"), dir.path().join("link")).unwrap();
    // Also a hard link: the same bytes under another name are the same report.
    fs::hard_link(
        dir.path().join("r/pass.xml"),
        dir.path().join("r/pass-again.xml"),
    )
    .unwrap();

    let matches = expand_globs(dir.path(), &["**/*.xml".to_owned()]).unwrap();
    let shown: Vec<&str> = matches.paths.iter().map(|p| p.to_str().unwrap()).collect();
    assert_eq!(shown, ["link/fail.xml", "link/pass-again.xml"]);

    // Read directly (not through the globs), the first spelling given is kept.
    let paths = [
        PathBuf::from("r/pass.xml"),
        PathBuf::from("link/pass.xml"),
        PathBuf::from("r/fail.xml"),
        PathBuf::from("link/fail.xml"),
        PathBuf::from("r/pass-again.xml"),
    ];
    let read = read_files(dir.path(), &paths, &ReadOptions::default());
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    let files: Vec<&str> = read
        .evidence
        .files
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(files, ["r/fail.xml", "r/pass.xml"]);
    assert_eq!(
        (read.evidence.totals.tests, read.evidence.totals.passed),
        (2, 1)
    );
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_matched_by_a_glob_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "r/pass.xml", PASSING);
    fs::create_dir_all(dir.path().join("r/folder.xml")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("r/gone.xml"), dir.path().join("r/fail.xml"))
        .unwrap();
    let e = expand_globs(dir.path(), &["r/*.xml".to_owned()]).unwrap_err();
    assert_eq!(e.kind(), "io", "{e}");
    assert_eq!(e.path(), "r/fail.xml");
    assert!(
        e.to_string()
            .starts_with("failed to read JUnit report `r/fail.xml`: "),
        "{e}"
    );
    // A folder that matches is still skipped.
    fs::remove_file(dir.path().join("r/fail.xml")).unwrap();
    let matches = expand_globs(dir.path(), &["r/*.xml".to_owned()]).unwrap();
    assert_eq!(matches.paths, [PathBuf::from("r/pass.xml")]);
}

/// Runs `f` on another thread and fails if it takes more than a minute: a walk that loops
/// must fail the test, not hang it.
#[cfg(unix)]
fn within_a_minute<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(f()));
    receive
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("the glob walk did not finish within a minute")
}

/// The issue's hang: two links back to a parent under a `**` made the walk double at each
/// level. Now each loop is skipped, said so, and every report is found once.
#[cfg(unix)]
#[test]
fn two_symlink_loops_under_a_double_star_finish_and_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/a/TEST-a.xml", PASSING);
    write(dir.path(), "reports/b.xml", FAILING);
    std::os::unix::fs::symlink("..", dir.path().join("reports/a/up")).unwrap();
    std::os::unix::fs::symlink(".", dir.path().join("reports/a/here")).unwrap();
    let base = dir.path().to_path_buf();
    let matches =
        within_a_minute(move || expand_globs(&base, &["reports/**/*.xml".to_owned()]).unwrap());
    let shown: Vec<&str> = matches.paths.iter().map(|p| p.to_str().unwrap()).collect();
    assert_eq!(shown, ["reports/a/TEST-a.xml", "reports/b.xml"]);
    let loops: Vec<(&str, &str)> = matches
        .loops
        .iter()
        .map(|l| (l.link.to_str().unwrap(), l.target.to_str().unwrap()))
        .collect();
    assert_eq!(
        loops,
        [("reports/a/here", "reports/a"), ("reports/a/up", "reports")]
    );
}

/// With folders after the `**`, a path through the link could match where the target's own
/// path does not (`reports/a/unit/TEST-a.xml` through `unit -> .`): the loop is an error, not a
/// report silently lost.
#[cfg(unix)]
#[test]
fn a_loop_that_could_hide_a_report_is_an_error_naming_the_link() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/a/TEST-a.xml", FAILING);
    std::os::unix::fs::symlink(".", dir.path().join("reports/a/unit")).unwrap();
    let base = dir.path().to_path_buf();
    let e = within_a_minute(move || {
        expand_globs(&base, &["reports/**/unit/*.xml".to_owned()]).unwrap_err()
    });
    assert_eq!(e.kind(), "glob");
    assert!(
        e.to_string()
            .contains("the symlink `reports/a/unit` leads back to `reports/a`"),
        "{e}"
    );
    assert!(e.remedy().contains("symlink loop"), "{e}");
}

/// Folders linked to each other many times over (no loop, but a path count that doubles with
/// each level) are listed once each.
#[cfg(unix)]
#[test]
fn folders_reached_by_many_links_are_walked_once() {
    let dir = tempfile::tempdir().unwrap();
    let levels = 30;
    for level in 0..levels {
        write(
            dir.path(),
            &format!("reports/l{level}/TEST-{level}.xml"),
            PASSING,
        );
        if level + 1 < levels {
            for link in ["x", "y"] {
                std::os::unix::fs::symlink(
                    format!("../l{}", level + 1),
                    dir.path().join(format!("reports/l{level}/{link}")),
                )
                .unwrap();
            }
        }
    }
    let base = dir.path().to_path_buf();
    let matches =
        within_a_minute(move || expand_globs(&base, &["reports/**/*.xml".to_owned()]).unwrap());
    assert_eq!(matches.paths.len(), levels);
    assert!(matches.loops.is_empty());
}

/// The policy in the working folder has the base `.`: `**` globs under it must match (they
/// matched nothing once the walk built `reports/x.xml` and matched it against
/// `./reports/**/*.xml`). A `.` or an empty component anywhere in the base behaves the same.
#[test]
fn a_base_folder_spelled_with_dot_components_finds_the_same_files() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "reports/a.xml", PASSING);
    write(dir.path(), "reports/deep/b.xml", PASSING);
    for base in [
        dir.path().join("."),
        PathBuf::from(format!("{}/./", dir.path().display())),
        PathBuf::from(format!("{}//", dir.path().display())),
    ] {
        for pattern in [
            "reports/**/*.xml",
            "./reports/**/*.xml",
            "reports//**/*.xml",
        ] {
            let matches = expand_globs(&base, &[pattern.to_owned()]).unwrap();
            assert_eq!(
                matches.paths.len(),
                2,
                "{} with {pattern}: {:?}",
                base.display(),
                matches
            );
        }
    }
}
