//! The cost of reading load-test results at the size of a soak test: k6 `--out json` (NDJSON)
//! and a JMeter JTL in CSV, the two formats that run to gigabytes, each measured side by side in
//! one run against the floor, a bare single-thread parse of just the fields a gate needs.
//! Run it with one command:
//!
//! ```text
//! cargo bench -p shipgate-perf --bench soak
//! ```
//!
//! On first run it generates, deterministically, into `SHIPGATE_BENCH_DIR` (default
//! `target/bench-data/`):
//! - `k6-out-<POINTS>-v2.ndjson`: a run of three requests in turn, each writing the points k6
//!   writes for an HTTP request (`http_reqs`, `http_req_duration`, `http_req_failed`, ...), every
//!   line with k6's tags, about 330 bytes a line. `SHIPGATE_BENCH_POINTS` sets the number of
//!   points (default 600,000, about 200 MB; 6,000,000 is about 2 GB);
//! - `jtl-<ROWS>-v2.jtl`: a JTL in CSV with a header row, three labels, 1% failed samples, about
//!   90 bytes a row. `SHIPGATE_BENCH_JTL_ROWS` sets the rows (default 1,000,000).
//!
//! Then, on a warm page cache, each measurement in turn, `SHIPGATE_BENCH_ROUNDS` times (default
//! 3) so that the machine's load falls on all alike, and it prints the least CPU time the reading
//! thread used (CPU time is steadier than wall time on a shared machine):
//! - the whole reader, `shipgate_perf::read_file` (hashing, parsing, statistics, thresholds);
//! - the floor: `serde_json` alone, each line into a borrowed struct of just `metric`, `type` and
//!   `data.value` (k6); the `csv` crate alone, each record's `elapsed` parsed, `label` and
//!   `success` looked at (JTL);
//! - for k6, the floor's struct read through `shipgate_json::parse_document`, which refuses a
//!   repeated key in every object of the line (tags included) for any type: the generic strict
//!   reading, which the reader's own fast path (a type that refuses its repeats itself,
//!   `shipgate_json::parse_self_checked`) is measured against too.
//!
//! and the ratio of the reader to the floor. Peak memory is the `VmHWM` of a child process that
//! does nothing but `read_file` on the same file. Nothing here is a timed assertion.
//!
//! Memory is bounded whatever the file's size: the readers hold at most
//! `SHIPGATE_SAMPLES_IN_MEMORY` samples (1 Mi by default) and spill the rest to a temporary file.
//! To show it, `SHIPGATE_BENCH_RSS_POINTS` and `SHIPGATE_BENCH_RSS_ROWS` (comma-separated sizes)
//! generate files of those sizes too and print the peak memory of reading each, side by side
//! (no timing). `SHIPGATE_BENCH_ONLY=k6` or `=jtl` measures one format.

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)]

use shipgate_perf::{PerfFormat, read_file};
use std::fs;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Bump when the generated data changes, so stale data is regenerated.
const DATA_VERSION: &str = "v2";

fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SHIPGATE_BENCH_DIR") {
        return PathBuf::from(dir);
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    target.join("bench-data")
}

/// A small deterministic generator (xorshift64*), so the data is the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The `Metric` lines k6 writes before a metric's first point.
const METRICS: &[(&str, &str, &str, &str)] = &[
    ("http_reqs", "counter", "default", "[]"),
    ("http_req_duration", "trend", "time", "[\"p(95)<500\"]"),
    ("http_req_blocked", "trend", "time", "[]"),
    ("http_req_waiting", "trend", "time", "[]"),
    ("http_req_failed", "rate", "default", "[\"rate<0.01\"]"),
];

fn generate(path: &Path, points: usize) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let tmp = path.with_extension("tmp");
    let mut out = BufWriter::new(fs::File::create(&tmp).unwrap());
    for (name, kind, contains, thresholds) in METRICS {
        writeln!(
            out,
            "{{\"type\":\"Metric\",\"data\":{{\"name\":\"{name}\",\"type\":\"{kind}\",\"contains\":\"{contains}\",\"thresholds\":{thresholds},\"submetrics\":null}},\"metric\":\"{name}\"}}"
        )
        .unwrap();
    }
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let start = 1_795_483_761u64;
    for i in 0..points {
        let (name, _, _, _) = METRICS[i % METRICS.len()];
        let request = (i / METRICS.len()) % 3;
        let url = ["checkout", "search", "pay"][request];
        let failed = rng.unit() < 0.01;
        let value = match name {
            "http_reqs" => 1.0,
            "http_req_failed" => f64::from(u8::from(failed)),
            _ => ([40.0, 8.0, 12.0][request]) * (0.5 + rng.unit()),
        };
        // k6 writes the points of one request with the request's time.
        let request_number = i / METRICS.len();
        let seconds = start + (request_number / 10) as u64;
        let (h, m, s) = ((seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
        writeln!(
            out,
            "{{\"type\":\"Point\",\"data\":{{\"time\":\"2026-11-20T{h:02}:{m:02}:{s:02}.{:06}Z\",\"value\":{value},\"tags\":{{\"expected_response\":\"{}\",\"group\":\"\",\"method\":\"GET\",\"name\":\"http://localhost:8089/{url}\",\"proto\":\"HTTP/1.1\",\"scenario\":\"default\",\"status\":\"{}\",\"url\":\"http://localhost:8089/{url}\"}}}},\"metric\":\"{name}\"}}",
            request_number % 1_000_000,
            !failed,
            if failed { 500 } else { 200 },
        )
        .unwrap();
    }
    out.flush().unwrap();
    drop(out);
    fs::rename(&tmp, path).unwrap();
}

/// Each line parsed by `parse`, nothing else done: the parsing cost alone.
fn parse_lines(path: &Path, parse: &dyn Fn(&[u8]) -> bool) -> usize {
    let mut reader = BufReader::with_capacity(64 * 1024, fs::File::open(path).unwrap());
    let mut line = Vec::new();
    let mut objects = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).unwrap() == 0 {
            return objects;
        }
        objects += usize::from(parse(&line));
    }
}

/// Just what a gate needs of a k6 line: the floor of the parsing cost.
#[derive(serde::Deserialize)]
struct Bare<'a> {
    #[serde(borrow)]
    metric: Option<&'a str>,
    #[serde(rename = "type", borrow)]
    kind: &'a str,
    data: Option<BareData>,
}

#[derive(serde::Deserialize)]
struct BareData {
    value: Option<f64>,
}

fn bare_k6(path: &Path) -> (usize, f64) {
    let sum = std::cell::Cell::new(0.0);
    #[expect(
        clippy::disallowed_methods,
        reason = "the bare parse is the floor the reader is measured against"
    )]
    let n = parse_lines(path, &|line| {
        let b = serde_json::from_slice::<Bare<'_>>(line).unwrap();
        if b.kind == "Point" && b.metric.is_some() {
            sum.set(sum.get() + b.data.and_then(|d| d.value).unwrap_or(0.0));
        }
        true
    });
    (n, sum.get())
}

/// The `csv` crate alone over a JTL: each record's `elapsed` parsed, its `label` and `success`
/// looked at.
fn bare_jtl(path: &Path) -> (usize, f64) {
    let mut csv =
        csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(BufReader::with_capacity(
                64 * 1024,
                fs::File::open(path).unwrap(),
            ));
    let mut record = csv::ByteRecord::new();
    let (mut rows, mut sum) = (0usize, 0.0f64);
    while csv.read_byte_record(&mut record).unwrap() {
        let elapsed: f64 = std::str::from_utf8(&record[1]).unwrap().parse().unwrap();
        let ok = &record[7] == b"true";
        let label = record[2].len();
        sum += elapsed + f64::from(u8::from(ok)) + label as f64;
        rows += 1;
    }
    (rows, sum)
}

fn generate_jtl(path: &Path, rows: usize) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let tmp = path.with_extension("tmp");
    let mut out = BufWriter::new(fs::File::create(&tmp).unwrap());
    writeln!(out, "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,bytes,grpThreads,allThreads,Latency").unwrap();
    let mut rng = Rng(0x5eed_1234_abcd_0002);
    let mut ts = 1_795_483_761_000u64;
    for i in 0..rows {
        let label = ["checkout", "search", "pay"][i % 3];
        let median = [40.0, 8.0, 12.0][i % 3];
        let elapsed = (median * (0.5 + rng.unit())) as u64;
        let ok = rng.unit() > 0.01;
        let (code, message) = if ok {
            (200, "OK")
        } else {
            (500, "Internal Server Error")
        };
        ts += 1 + rng.next() % 3;
        writeln!(
            out,
            "{ts},{elapsed},{label},{code},{message},Shoppers 1-{},text,{ok},156,8,8,{elapsed}",
            i % 8 + 1
        )
        .unwrap();
    }
    out.flush().unwrap();
    drop(out);
    fs::rename(&tmp, path).unwrap();
}

/// Peak resident memory (`VmHWM`, kB) of a child process that only reads `path`.
fn peak_rss_kb(path: &Path) -> Option<u64> {
    let out = std::process::Command::new(std::env::current_exe().ok()?)
        .env("SHIPGATE_BENCH_CHILD", path)
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

/// In the child: read the file once and print this process's peak resident memory.
fn child(path: &Path) {
    let read = read_file(path, "child", PerfFormat::Auto).unwrap();
    assert!(!read.evidence.metrics.is_empty());
    let status = fs::read_to_string("/proc/self/status").unwrap();
    let hwm = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .unwrap()
        .trim()
        .trim_end_matches(" kB")
        .trim();
    println!("{hwm}");
}

/// The CPU time this thread has used (`/proc/thread-self/schedstat`, in nanoseconds): steadier
/// than the wall time on a machine shared with other work. `None` off Linux.
fn cpu_time() -> Option<Duration> {
    let text = fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Runs `f`, returning its result and the time it took: CPU time where the system tells it,
/// else wall time.
fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let (wall, cpu) = (Instant::now(), cpu_time());
    let out = f();
    let took = match (cpu, cpu_time()) {
        (Some(before), Some(after)) => after - before,
        _ => wall.elapsed(),
    };
    (out, took)
}

/// The least of the rounds: the round least disturbed by other work on the machine.
fn least(times: &[Duration]) -> Duration {
    times.iter().copied().min().unwrap_or_default()
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(default)
}

/// A further measurement beside the floor: its name, and what it runs.
type Extra<'a> = (&'a str, &'a dyn Fn(&Path) -> usize);

/// One format: the reader and the floor, in turn, `rounds` times; the table rows.
fn measure(
    what: &str,
    path: &Path,
    rounds: usize,
    floor_name: &str,
    floor: &dyn Fn(&Path) -> (usize, f64),
    extra: Option<Extra<'_>>,
) {
    let size = fs::metadata(path).unwrap().len();
    // Warm the page cache.
    floor(path);
    let (mut reader_times, mut floor_times, mut extra_times) = (Vec::new(), Vec::new(), Vec::new());
    let mut walls = Vec::new();
    for _ in 0..rounds {
        let wall = Instant::now();
        let (read, took) = timed(|| read_file(path, "bench", PerfFormat::Auto).unwrap());
        walls.push(wall.elapsed());
        reader_times.push(took);
        assert!(!read.evidence.metrics.is_empty());
        drop(read);
        let (_, took) = timed(|| floor(path));
        floor_times.push(took);
        if let Some((_, f)) = extra {
            let (_, took) = timed(|| f(path));
            extra_times.push(took);
        }
    }
    let rss = peak_rss_kb(path);
    let mb = size as f64 / 1e6;
    println!(
        "\n{what}, {mb:.0} MB, least of {rounds} rounds (CPU time of the reading thread, warm cache)\n"
    );
    println!("| what | time | throughput | peak RSS |\n|---|---|---|---|");
    let row = |name: &str, d: Duration, rss: &str| {
        println!(
            "| {name} | {:.2} s | {:.0} MB/s | {rss} |",
            d.as_secs_f64(),
            mb / d.as_secs_f64()
        );
    };
    let (reader, floor_t) = (least(&reader_times), least(&floor_times));
    row(
        "`shipgate_perf::read_file` (the whole reader)",
        reader,
        &rss.map_or("not measured".to_owned(), |kb| format!("{} MB", kb / 1024)),
    );
    row(floor_name, floor_t, "");
    if let Some((name, _)) = extra {
        row(name, least(&extra_times), "");
    }
    println!(
        "\nreader ÷ floor: {:.2} (wall time of the reader: least {:.2} s)",
        reader.as_secs_f64() / floor_t.as_secs_f64(),
        least(&walls).as_secs_f64()
    );
    if let Some((name, _)) = extra {
        println!(
            "reader ÷ {}: {:.2}",
            name.split(" (").next().unwrap_or(name),
            reader.as_secs_f64() / least(&extra_times).as_secs_f64()
        );
    }
}

/// The sizes in a comma-separated variable.
fn env_sizes(name: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.trim().replace('_', "").parse().ok())
        .collect()
}

/// Peak memory of reading files of each size, generated as needed, side by side.
fn memory(what: &str, unit: &str, sizes: &[usize], file: &dyn Fn(usize) -> PathBuf) {
    if sizes.is_empty() {
        return;
    }
    let budget = std::env::var("SHIPGATE_SAMPLES_IN_MEMORY")
        .unwrap_or_else(|_| "1048576 (the default)".to_owned());
    println!("\n{what}: peak RSS by size (samples held in memory at most: {budget})\n");
    println!("| {unit} | file | peak RSS |\n|---|---|---|");
    for &n in sizes {
        let path = file(n);
        let mb = fs::metadata(&path).unwrap().len() as f64 / 1e6;
        let rss =
            peak_rss_kb(&path).map_or("not measured".to_owned(), |kb| format!("{} MB", kb / 1024));
        println!("| {n} | {mb:.0} MB | {rss} |");
    }
}

fn main() {
    if let Some(path) = std::env::var_os("SHIPGATE_BENCH_CHILD") {
        child(Path::new(&path));
        return;
    }
    let only = std::env::var("SHIPGATE_BENCH_ONLY").unwrap_or_default();
    let k6_file = |points: usize| {
        let k6 = data_dir().join(format!("k6-out-{points}-{DATA_VERSION}.ndjson"));
        if !k6.exists() {
            eprintln!("generating {} ...", k6.display());
            generate(&k6, points);
        }
        k6
    };
    let jtl_file = |rows: usize| {
        let jtl = data_dir().join(format!("jtl-{rows}-{DATA_VERSION}.jtl"));
        if !jtl.exists() {
            eprintln!("generating {} ...", jtl.display());
            generate_jtl(&jtl, rows);
        }
        jtl
    };
    let points = env_usize("SHIPGATE_BENCH_POINTS", 600_000);
    let rows = env_usize("SHIPGATE_BENCH_JTL_ROWS", 1_000_000);
    let rounds = env_usize("SHIPGATE_BENCH_ROUNDS", 3);
    let strict = |path: &Path| {
        parse_lines(path, &|line| {
            let bare = shipgate_json::parse_document::<Bare<'_>>(line).unwrap();
            !bare.kind.is_empty()
        })
    };
    if only != "jtl" {
        let k6 = k6_file(points);
        measure(
            &format!("k6 `--out json`, {points} points"),
            &k6,
            rounds,
            "floor: `serde_json` alone, each line into a borrowed struct of `metric`, `type`, `data.value`",
            &bare_k6,
            Some((
                "the same struct through `shipgate_json::parse_document` (every key of every object checked for repeats, for any type)",
                &strict,
            )),
        );
        memory(
            "k6 `--out json`",
            "points",
            &env_sizes("SHIPGATE_BENCH_RSS_POINTS"),
            &k6_file,
        );
    }
    if only != "k6" {
        let jtl = jtl_file(rows);
        measure(
            &format!("JMeter JTL (CSV), {rows} rows"),
            &jtl,
            rounds,
            "floor: the `csv` crate alone, `elapsed` parsed, `label` and `success` looked at",
            &bare_jtl,
            None,
        );
        memory(
            "JMeter JTL (CSV)",
            "rows",
            &env_sizes("SHIPGATE_BENCH_RSS_ROWS"),
            &jtl_file,
        );
    }
}
