//! Monorepo-scale JUnit benchmark (issue 3). Run it with one command:
//!
//! ```text
//! cargo bench -p shipgate-junit --bench junit_scale
//! ```
//!
//! On first run it generates, deterministically, into `target/bench-data/`:
//! - `surefire-2000/`: 2,000 Surefire-style files in 40 module folders, 1,000,000 testcases,
//!   about 143 MB (2% failures with escaped text and stack traces, system-out, 1% skipped,
//!   0.5% flaky with `<flakyFailure>`);
//! - `single-300mb.xml`: one file of about 300 MB in the same style;
//! - `history-20-v3/`: 20 earlier runs of the same monorepo, one folder per run
//!   (`run-NN@<commit>/`, two runs per commit), whose files are hard links to the corpus's except
//!   those of one module (50 files, 25,000 tests), rewritten in each run with some tests failed at
//!   random.
//!
//! Then it measures, on a warm page cache: `expand_globs` + `read_files` on 2 threads (the
//! default options the CLI uses), the same on 1 thread, a bare quick-xml event scan that builds
//! nothing (1 thread), junit-parser 1.7 alone (1 thread), the single 300 MB file (median of
//! 3 child runs), and the history: 20 earlier runs plus this one folded into flaky-test history
//! (median of 3 child runs). Peak RSS is `VmHWM` of a child process that does only the measured
//! read, so nothing else inflates it. Last, it builds the `shipgate` binary in release mode and
//! times `shipgate inspect tests` end to end on the corpus, with and without the history, with
//! peak RSS from `/usr/bin/time` (Debian's `time` package) when it is installed.
//! It prints a table; nothing here is a timed assertion.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a benchmark: it prints its table, and a failed unwrap is a failed run"
)]

use quick_xml::Reader;
use quick_xml::events::Event;
use shipgate_junit::{
    ReadOptions, RetryMode, RunInfo, expand_globs, find_runs, read_files, read_history,
};
use std::fmt::Write as _;
use std::fs;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const FILES: usize = 2_000;
const CASES_PER_FILE: usize = 500;
const MODULES: usize = 40;
const RUNS: usize = 5;
/// Bump when the generated data changes, so stale data is regenerated.
const DATA_VERSION: &str = "v3";
const CHILD_ENV: &str = "SHIPGATE_BENCH_CHILD";
/// Set to time only the library reads (no single file, history or CLI): a minute, not ten.
const QUICK_ENV: &str = "SHIPGATE_BENCH_QUICK";
/// Earlier runs in the history (the policy's default `history_runs`).
const HISTORY_RUNS: usize = 20;
const HISTORY_VERSION: &str = "v3";

fn data_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    target.join("bench-data")
}

fn corpus_dir() -> PathBuf {
    data_dir().join(format!("surefire-{FILES}-{DATA_VERSION}"))
}

fn single_file() -> PathBuf {
    data_dir().join(format!("single-300mb-{DATA_VERSION}.xml"))
}

fn history_dir() -> PathBuf {
    data_dir().join(format!("history-{HISTORY_RUNS}-{HISTORY_VERSION}"))
}

fn history_glob() -> String {
    "*/**/*.xml".to_owned()
}

fn corpus_glob() -> String {
    "**/*.xml".to_owned()
}

/// SplitMix64: small, fast and the same everywhere, so the data is identical on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const VERBS: [&str; 8] = [
    "should", "must", "can", "rejects", "accepts", "handles", "returns", "keeps",
];
const NOUNS: [&str; 8] = [
    "Refund", "Payment", "Ledger", "Invoice", "Account", "Transfer", "Currency", "Session",
];

/// Writes one testcase in Surefire 3's shape. `kind`: 0 pass, 1 failure, 2 skipped, 3 flaky.
fn write_case(out: &mut String, rng: &mut Rng, classname: &str, n: usize, kind: u8) {
    let verb = VERBS[rng.below(8) as usize];
    let noun = NOUNS[rng.below(8) as usize];
    let time = rng.below(2_000);
    let _ = write!(
        out,
        "  <testcase name=\"{verb}{noun}Case{n:04}\" classname=\"{classname}\" time=\"{}.{:03}\"",
        time / 1000,
        time % 1000
    );
    let with_output = rng.below(100) < 2;
    if kind == 0 && !with_output {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    match kind {
        1 => {
            let _ = writeln!(
                out,
                "    <failure message=\"expected: &lt;{n}&gt; but was: &lt;{}&gt; for &quot;{noun}&quot; &amp; &apos;{verb}&apos;&#10;see log\" type=\"org.opentest4j.AssertionFailedError\">org.opentest4j.AssertionFailedError: expected: &lt;{n}&gt; but was: &lt;{}&gt; for &quot;{noun}&quot;",
                n + 1,
                n + 1
            );
            for frame in 0..3 {
                let _ = writeln!(
                    out,
                    "\tat {classname}.{verb}{noun}Case{n:04}({noun}Test.java:{})\n\tat org.junit.platform.commons.util.ReflectionUtils.invokeMethod(ReflectionUtils.java:{})",
                    40 + frame,
                    700 + frame
                );
            }
            out.push_str("</failure>\n");
        }
        2 => out.push_str("    <skipped message=\"@Disabled: flaky upstream sandbox\"/>\n"),
        3 => {
            let _ = write!(
                out,
                "    <flakyFailure message=\"timeout after 5000 ms waiting for &lt;{noun}&gt;\" type=\"java.util.concurrent.TimeoutException\">\n      <stackTrace>java.util.concurrent.TimeoutException: timeout after 5000 ms\n\tat {classname}.{verb}{noun}Case{n:04}({noun}Test.java:88)\n</stackTrace>\n      <system-out><![CDATA[attempt 1 of 2: connecting to sandbox\n]]></system-out>\n    </flakyFailure>\n"
            );
        }
        _ => {}
    }
    if with_output || kind == 1 {
        out.push_str("    <system-out><![CDATA[");
        for line in 0..3 {
            let _ = writeln!(
                out,
                "10:00:0{line}.{:03} [main] INFO  {classname} - {noun} step {line} <ok> & done",
                rng.below(1000)
            );
        }
        out.push_str("]]></system-out>\n");
    }
    out.push_str("  </testcase>\n");
}

/// 2% failed, 1% skipped, 0.5% flaky, the rest passing.
fn kind_of(rng: &mut Rng) -> u8 {
    match rng.below(1000) {
        0..20 => 1,
        20..30 => 2,
        30..35 => 3,
        _ => 0,
    }
}

fn write_properties(out: &mut String) {
    out.push_str("  <properties>\n");
    for (name, value) in [
        ("java.version", "21.0.2"),
        ("java.vendor", "Eclipse Adoptium"),
        ("os.name", "Linux"),
        ("os.arch", "amd64"),
        ("user.timezone", "UTC"),
        ("file.encoding", "UTF-8"),
        ("maven.version", "3.9.6"),
        ("surefire.version", "3.2.5"),
        ("git.commit", "3f2a9c1d0e5b7a8c9d0e1f2a3b4c5d6e7f8a9b0c"),
        (
            "java.class.path",
            "/builds/acme/target/test-classes:/builds/acme/target/classes:/root/.m2/repository/org/junit/jupiter/junit-jupiter-api/5.10.2/junit-jupiter-api-5.10.2.jar:/root/.m2/repository/org/opentest4j/opentest4j/1.3.0/opentest4j-1.3.0.jar",
        ),
    ] {
        let _ = writeln!(out, "    <property name=\"{name}\" value=\"{value}\"/>");
    }
    out.push_str("  </properties>\n");
}

fn corpus_classname(file: usize) -> String {
    format!(
        "com.acme.payments.module{:02}.Service{file:04}Test",
        file % MODULES
    )
}

/// Where corpus file `file` lives, relative to the corpus folder.
fn corpus_path(file: usize) -> PathBuf {
    PathBuf::from(format!(
        "module-{:02}/target/surefire-reports",
        file % MODULES
    ))
    .join(format!("TEST-{}.xml", corpus_classname(file)))
}

/// Writes corpus file `file` into `out`; `rng` decides its names and outcomes.
fn write_corpus_file(out: &mut String, rng: &mut Rng, file: usize) {
    let classname = corpus_classname(file);
    out.clear();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuite xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"https://maven.apache.org/surefire/maven-surefire-plugin/xsd/surefire-test-report-3.0.xsd\" version=\"3.0\" name=\"{classname}\" time=\"12.5\" tests=\"{CASES_PER_FILE}\" errors=\"0\" skipped=\"0\" failures=\"0\" timestamp=\"2024-11-20T10:{:02}:00\">",
        file % 60
    );
    write_properties(out);
    for n in 0..CASES_PER_FILE {
        let kind = kind_of(rng);
        write_case(out, rng, &classname, n, kind);
    }
    out.push_str("</testsuite>\n");
}

fn generate_corpus(dir: &Path) -> u64 {
    let tmp = dir.with_extension("partial");
    let _ = fs::remove_dir_all(&tmp);
    let mut rng = Rng(0x5EED_0000_0000_0003);
    let mut total = 0u64;
    let mut out = String::with_capacity(256 * 1024);
    for file in 0..FILES {
        write_corpus_file(&mut out, &mut rng, file);
        let path = tmp.join(corpus_path(file));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, out.as_bytes()).unwrap();
        total += out.len() as u64;
    }
    fs::rename(&tmp, dir).unwrap();
    total
}

/// Earlier runs: every file is a hard link to the corpus's, except those of one module (50 files, 25,000
/// tests), which each run rewrites with 1 in 250 of its passing tests failed at random, the way
/// flaky tests fail; names stay the same. Two runs share each commit, so "passed and failed on
/// one commit" happens too.
fn generate_history(dir: &Path, corpus: &Path) {
    let tmp = dir.with_extension("partial");
    let _ = fs::remove_dir_all(&tmp);
    let mut out = String::with_capacity(256 * 1024);
    for run in 0..HISTORY_RUNS {
        let folder = tmp.join(format!("run-{run:02}@{:07x}", 0xC0FFEE + run / 2));
        let mut rng = Rng(0x5EED_0000_0001_0000 + run as u64);
        for file in 0..FILES {
            let original = corpus.join(corpus_path(file));
            let path = folder.join(corpus_path(file));
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            if file % MODULES != 0 {
                link(&original, &path);
                continue;
            }
            out.clear();
            for line in fs::read_to_string(&original).unwrap().lines() {
                match line.strip_suffix("/>") {
                    Some(open) if line.starts_with("  <testcase ") && rng.below(250) == 0 => {
                        let _ = writeln!(
                            out,
                            "{open}>\n    <failure message=\"timeout after 5000 ms (run {run})\" type=\"java.util.concurrent.TimeoutException\"/>\n  </testcase>"
                        );
                    }
                    _ => {
                        out.push_str(line);
                        out.push('\n');
                    }
                }
            }
            fs::write(&path, out.as_bytes()).unwrap();
        }
    }
    fs::rename(&tmp, dir).unwrap();
}

/// A hard link (the same inode, so the page cache is shared and no symlink has to be resolved on
/// every open), or a copy where the file system has none.
fn link(original: &Path, link: &Path) {
    if fs::hard_link(original, link).is_err() {
        fs::copy(original, link).unwrap();
    }
}

fn generate_single(path: &Path) -> u64 {
    let tmp = path.with_extension("partial");
    let mut writer = BufWriter::with_capacity(1 << 20, fs::File::create(&tmp).unwrap());
    let mut rng = Rng(0x5EED_0000_0000_0300);
    let mut total = 0u64;
    let mut out = String::with_capacity(256 * 1024);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"monorepo\">\n");
    let mut suite = 0;
    while total < 300 * 1000 * 1000 {
        let classname = format!(
            "com.acme.monorepo.part{:03}.Service{suite:05}Test",
            suite % 500
        );
        let _ = writeln!(
            out,
            "<testsuite name=\"{classname}\" tests=\"{CASES_PER_FILE}\">"
        );
        for n in 0..CASES_PER_FILE {
            let kind = kind_of(&mut rng);
            write_case(&mut out, &mut rng, &classname, n, kind);
        }
        out.push_str("</testsuite>\n");
        writer.write_all(out.as_bytes()).unwrap();
        total += out.len() as u64;
        out.clear();
        suite += 1;
    }
    out.push_str("</testsuites>\n");
    writer.write_all(out.as_bytes()).unwrap();
    total += out.len() as u64;
    writer.flush().unwrap();
    drop(writer);
    fs::rename(&tmp, path).unwrap();
    total
}

fn ensure_data() {
    fs::create_dir_all(data_dir()).unwrap();
    let corpus = corpus_dir();
    if !corpus.exists() {
        eprintln!("generating {} ...", corpus.display());
        let bytes = generate_corpus(&corpus);
        eprintln!("  {FILES} files, {:.1} MB", bytes as f64 / 1e6);
    }
    let single = single_file();
    if !single.exists() {
        eprintln!("generating {} ...", single.display());
        let bytes = generate_single(&single);
        eprintln!("  {:.1} MB", bytes as f64 / 1e6);
    }
    let history = history_dir();
    if !history.exists() {
        eprintln!("generating {} ...", history.display());
        generate_history(&history, &corpus);
    }
}

fn corpus_paths() -> Vec<PathBuf> {
    expand_globs(&corpus_dir(), &[corpus_glob()]).unwrap().paths
}

fn peak_rss_kib() -> u64 {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// CPU seconds (user + system) this process has used, from `/proc/self/stat` (clock ticks of
/// 1/100 s, as on every Linux this runs on): a figure that other work on the machine inflates
/// far less than wall time.
fn cpu_seconds() -> f64 {
    let stat = fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

/// What the CLI does with default options: expand the glob, read every file.
fn read_corpus(threads: usize) -> shipgate_junit::JunitRead {
    pool(threads).install(|| {
        let base = corpus_dir();
        let paths = expand_globs(&base, &[corpus_glob()]).unwrap().paths;
        read_files(&base, &paths, &ReadOptions::default())
    })
}

fn read_single() -> shipgate_junit::JunitRead {
    pool(2).install(|| {
        let path = single_file();
        read_files(
            path.parent().unwrap(),
            std::slice::from_ref(&path),
            &ReadOptions::default(),
        )
    })
}

/// What the gate does for `flaky.rate` with history: the latest 20 earlier runs, then this run
/// read with every test's outcome and folded in last. Returns (tests seen, tests that failed at
/// least once, flaky tests).
fn read_with_history() -> (u64, u64, u64) {
    pool(2).install(|| {
        let base = history_dir();
        let folders = find_runs(&base, &[history_glob()]).unwrap();
        assert_eq!(folders.runs.len(), HISTORY_RUNS);
        let mut history = read_history(&base, folders, HISTORY_RUNS, RetryMode::PerTestcase);
        assert!(history.errors.is_empty(), "{:?}", history.errors);
        let corpus = corpus_dir();
        let paths = expand_globs(&corpus, &[corpus_glob()]).unwrap().paths;
        let options = ReadOptions {
            outcomes: true,
            ..ReadOptions::default()
        };
        let mut now = read_files(&corpus, &paths, &options);
        let outcomes = std::mem::take(&mut now.outcomes);
        let info = RunInfo {
            name: "current".into(),
            commit: None,
            current: true,
        };
        assert!(history.builder.add_run(info, &now.evidence, outcomes));
        drop(now);
        let h = history.builder.finish();
        let flaky = h.flaky(2).len() as u64;
        (h.tests, h.failed_tests.len() as u64, flaky)
    })
}

/// Runs in a child process: one read, then prints `seconds peak_kib tests`.
fn child(what: &str) {
    let start = Instant::now();
    if what == "history" {
        let (seen, failed, flaky) = read_with_history();
        let elapsed = start.elapsed().as_secs_f64();
        println!(
            "{elapsed} {} {seen} {failed} {flaky} {}",
            peak_rss_kib(),
            cpu_seconds()
        );
        return;
    }
    let read = match what {
        "read-files" => read_corpus(2),
        "single" => read_single(),
        other => panic!("unknown child job {other}"),
    };
    let elapsed = start.elapsed().as_secs_f64();
    assert!(read.errors.is_empty(), "{:?}", read.errors);
    println!(
        "{elapsed} {} {}",
        peak_rss_kib(),
        read.evidence.totals.tests
    );
}

/// Runs `what` in a child process and returns the numbers it printed.
fn child_numbers(what: &str) -> Vec<f64> {
    let output = Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, what)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect()
}

fn in_child(what: &str) -> (f64, u64, u64) {
    let n = child_numbers(what);
    (n[0], n[1] as u64, n[2] as u64)
}

/// The `shipgate` binary, built in release mode (the CLI figure is the whole program).
fn release_binary() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    eprintln!("building the shipgate binary (cargo build --release --bin shipgate) ...");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "shipgate"])
        .current_dir(&root)
        .status()
        .ok()?;
    if !status.success() {
        eprintln!("warning: could not build the shipgate binary; no CLI figures");
        return None;
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    Some(target.join("release/shipgate"))
}

/// Times `shipgate inspect tests ARGS --format json > /dev/null` in `data_dir()`: median and
/// minimum wall time of `runs` runs after one warm-up, and the largest peak RSS (KiB) that
/// `/usr/bin/time` saw, when it is installed.
fn time_cli(binary: &Path, args: &[String], runs: usize) -> (f64, f64, Option<u64>) {
    let gnu_time = Path::new("/usr/bin/time");
    let mut walls = Vec::new();
    let mut peak = None;
    for i in 0..=runs {
        let mut cmd = if gnu_time.exists() {
            let mut c = Command::new(gnu_time);
            c.args(["-f", "%M"]).arg(binary);
            c
        } else {
            Command::new(binary)
        };
        cmd.current_dir(data_dir())
            .args(["inspect", "tests"])
            .args(args)
            .args(["--format", "json"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        let start = Instant::now();
        let output = cmd.output().unwrap();
        let wall = start.elapsed().as_secs_f64();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        if i == 0 {
            continue;
        }
        walls.push(wall);
        if let Some(kib) = String::from_utf8_lossy(&output.stderr)
            .lines()
            .last()
            .and_then(|l| l.trim().parse::<u64>().ok())
        {
            peak = Some(peak.map_or(kib, |p: u64| p.max(kib)));
        }
    }
    walls.sort_by(f64::total_cmp);
    (walls[walls.len() / 2], walls[0], peak)
}

/// Median and minimum of `RUNS` timed runs after one warm-up run.
fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration, T) {
    let mut last = f();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        last = f();
        times.push(start.elapsed());
    }
    times.sort();
    (times[RUNS / 2], times[0], last)
}

/// A quick-xml 0.42 event scan that builds nothing: the practical floor for any reader.
fn bare_scan(paths: &[PathBuf]) -> u64 {
    let base = corpus_dir();
    let mut testcases = 0;
    for path in paths {
        let bytes = fs::read(base.join(path)).unwrap();
        let mut reader = Reader::from_reader(&bytes[..]);
        loop {
            match reader.read_event().unwrap() {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "testcase" => {
                    testcases += 1;
                }
                Event::Eof => break,
                _ => {}
            }
        }
    }
    testcases
}

fn junit_parser(paths: &[PathBuf]) -> u64 {
    fn count(suite: &junit_parser::TestSuite) -> u64 {
        suite.cases.len() as u64 + suite.suites.iter().map(count).sum::<u64>()
    }
    let base = corpus_dir();
    let mut testcases = 0;
    for path in paths {
        let file = BufReader::new(fs::File::open(base.join(path)).unwrap());
        let suites = junit_parser::from_reader(file).unwrap();
        testcases += suites.suites.iter().map(count).sum::<u64>();
    }
    testcases
}

fn secs(d: Duration) -> String {
    format!("{:.3} s", d.as_secs_f64())
}

fn main() {
    if let Ok(what) = std::env::var(CHILD_ENV) {
        child(&what);
        return;
    }
    ensure_data();
    // Other work on the machine skews a 2-core benchmark; say so rather than hide it.
    let load = fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load1: f64 = load
        .split_whitespace()
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0.0);
    if load1 > 0.5 {
        eprintln!("warning: 1-minute load average is {load1:.2}; figures may be inflated");
    }
    let paths = corpus_paths();
    let corpus_bytes: u64 = paths
        .iter()
        .map(|p| fs::metadata(corpus_dir().join(p)).unwrap().len())
        .sum();
    let single_bytes = fs::metadata(single_file()).unwrap().len();

    let (two_median, two_min, read) = time(|| read_corpus(2));
    let t = read.evidence.totals;
    let (one_median, one_min, _) = time(|| read_corpus(1));
    let (bare_median, bare_min, bare_count) = time(|| bare_scan(&paths));
    let (jp_median, jp_min, jp_count) = time(|| junit_parser(&paths));
    let (_, rss_kib, rss_tests) = in_child("read-files");
    if std::env::var_os(QUICK_ENV).is_some() {
        // The library rows only: what a change to the reader moves, in a minute.
        assert_eq!((bare_count, rss_tests), (t.tests, t.tests));
        println!(
            "\nquick: {} files, {} testcases; load average before: {}",
            read.evidence.files.len(),
            t.tests,
            load.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        );
        println!("| reader | threads | median | min | peak RSS |");
        println!("|---|---|---|---|---|");
        println!(
            "| shipgate-junit `expand_globs` + `read_files` | 2 | {} | {} | {:.0} MB |",
            secs(two_median),
            secs(two_min),
            rss_kib as f64 / 1024.0
        );
        println!(
            "| shipgate-junit `expand_globs` + `read_files` | 1 | {} | {} | |",
            secs(one_median),
            secs(one_min)
        );
        println!(
            "| bare quick-xml 0.42 event scan, builds nothing | 1 | {} | {} | |",
            secs(bare_median),
            secs(bare_min)
        );
        println!(
            "| junit-parser 1.7 `from_reader` | 1 | {} | {} | |",
            secs(jp_median),
            secs(jp_min)
        );
        println!(
            "ratio to the floor (bare scan, 1 thread): 2 threads {:.2}x (min {:.2}x), 1 thread {:.2}x (min {:.2}x)",
            two_median.as_secs_f64() / bare_median.as_secs_f64(),
            two_min.as_secs_f64() / bare_min.as_secs_f64(),
            one_median.as_secs_f64() / bare_median.as_secs_f64(),
            one_min.as_secs_f64() / bare_min.as_secs_f64(),
        );
        return;
    }
    let mut singles: Vec<(f64, u64, u64)> = (0..3).map(|_| in_child("single")).collect();
    singles.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (single_secs, _, single_tests) = singles[1];
    let single_kib = singles.iter().map(|s| s.1).max().unwrap_or(0);
    let mut histories: Vec<Vec<f64>> = (0..3).map(|_| child_numbers("history")).collect();
    histories.sort_by(|a, b| a[0].total_cmp(&b[0]));
    let history = &histories[1];
    let history_kib = histories.iter().map(|h| h[1] as u64).max().unwrap_or(0);
    let cli = release_binary().map(|binary| {
        let corpus = format!("surefire-{FILES}-{DATA_VERSION}/**/*.xml");
        let plain = time_cli(&binary, std::slice::from_ref(&corpus), RUNS);
        let history_glob = format!(
            "history-{HISTORY_RUNS}-{HISTORY_VERSION}/{}",
            history_glob()
        );
        let with_history = time_cli(&binary, &[corpus, "--history".to_owned(), history_glob], 3);
        (plain, with_history)
    });

    assert_eq!(t.tests, (FILES * CASES_PER_FILE) as u64);
    assert_eq!(
        (bare_count, jp_count, rss_tests),
        (t.tests, t.tests, t.tests)
    );

    println!();
    println!(
        "corpus: {} files, {} testcases, {:.1} MB (failed {}, skipped {}, flaky {}, kept records {})",
        read.evidence.files.len(),
        t.tests,
        corpus_bytes as f64 / 1e6,
        t.failed,
        t.skipped,
        t.flaky,
        read.evidence.tests.len()
    );
    println!(
        "single file: {:.1} MB, {single_tests} testcases",
        single_bytes as f64 / 1e6
    );
    println!(
        "warm cache; median and minimum of {RUNS} runs after one warm-up; load average before: {}\n",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!("| reader | threads | median | min | peak RSS |");
    println!("|---|---|---|---|---|");
    println!(
        "| shipgate-junit `expand_globs` + `read_files` | 2 | {} | {} | {:.0} MB |",
        secs(two_median),
        secs(two_min),
        rss_kib as f64 / 1024.0
    );
    println!(
        "| shipgate-junit `expand_globs` + `read_files` | 1 | {} | {} | |",
        secs(one_median),
        secs(one_min)
    );
    println!(
        "| bare quick-xml 0.42 event scan, builds nothing | 1 | {} | {} | |",
        secs(bare_median),
        secs(bare_min)
    );
    println!(
        "| junit-parser 1.7 `from_reader` | 1 | {} | {} | |",
        secs(jp_median),
        secs(jp_min)
    );
    println!(
        "| shipgate-junit, one {:.0} MB file (streamed) | 2 | {single_secs:.3} s (median of 3) | {:.3} s | {:.0} MB |",
        single_bytes as f64 / 1e6,
        singles[0].0,
        single_kib as f64 / 1024.0
    );
    println!(
        "| shipgate-junit history: {HISTORY_RUNS} earlier runs + this one ({} tests each), folded | 2 | {:.3} s (median of 3; {:.1} CPU s) | {:.3} s | {:.0} MB |",
        t.tests,
        history[0],
        history[5],
        histories[0][0],
        history_kib as f64 / 1024.0
    );
    let mb = |kib: Option<u64>| {
        kib.map_or_else(
            || "(install `time`)".to_owned(),
            |k| format!("{:.0} MB", k as f64 / 1024.0),
        )
    };
    match cli {
        Some(((median, min, kib), (h_median, h_min, h_kib))) => {
            println!(
                "| `shipgate inspect tests '<corpus>/**/*.xml' --format json` (CLI, release, end to end) | 2 | {median:.3} s | {min:.3} s | {} |",
                mb(kib)
            );
            println!(
                "| the same with `--history '<history>/*/**/*.xml'` ({HISTORY_RUNS} earlier runs) | 2 | {h_median:.3} s (median of 3) | {h_min:.3} s | {} |",
                mb(h_kib)
            );
        }
        None => println!("| CLI | | not built | | |"),
    }
    println!();
    println!(
        "history: {} tests seen, {} failed at least once, {} flaky (min_flips 2)",
        history[2] as u64, history[3] as u64, history[4] as u64
    );
}
