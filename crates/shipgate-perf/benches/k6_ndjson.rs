//! The cost of reading k6 `--out json` (NDJSON), the one load-test format that runs to gigabytes.
//! Run it with one command:
//!
//! ```text
//! cargo bench -p shipgate-perf --bench k6_ndjson
//! ```
//!
//! On first run it generates, deterministically, `target/bench-data/k6-out-<POINTS>.ndjson`: a
//! run of three requests in turn, each writing the points k6 writes for an HTTP request
//! (`http_reqs`, `http_req_duration`, `http_req_failed`, ...), every line with k6's tags, about
//! 330 bytes a line. `SHIPGATE_BENCH_POINTS` sets the number of points (default 600,000, about
//! 200 MB).
//!
//! Then it measures, on a warm page cache, each three times in turn so that the machine's load
//! falls on all alike, and prints the least CPU time the reading thread used in a round (CPU
//! time is steadier than wall time on a shared machine, and the least round the one other work
//! disturbed least):
//! - the whole reader, `shipgate_perf::read_file` (hashing, parsing, statistics, thresholds);
//! - each line parsed into a `serde_json::Value` by `serde_json` alone, without the duplicate-key
//!   check: the floor of the parsing cost;
//! - each line parsed by `shipgate_json::parse_value`, which refuses duplicate keys: what the
//!   reader does.
//!
//! The last two give the overhead of the strict reading as a ratio measured in one process.
//! Nothing here is a timed assertion.

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
const DATA_VERSION: &str = "v1";
const ROUNDS: usize = 7;

fn data_dir() -> PathBuf {
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
        let seconds = start + (i / 50) as u64;
        let (h, m, s) = ((seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60);
        writeln!(
            out,
            "{{\"type\":\"Point\",\"data\":{{\"time\":\"2026-11-20T{h:02}:{m:02}:{s:02}.{:06}Z\",\"value\":{value},\"tags\":{{\"expected_response\":\"{}\",\"group\":\"\",\"method\":\"GET\",\"name\":\"http://localhost:8089/{url}\",\"proto\":\"HTTP/1.1\",\"scenario\":\"default\",\"status\":\"{}\",\"url\":\"http://localhost:8089/{url}\"}}}},\"metric\":\"{name}\"}}",
            i % 1_000_000,
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

fn main() {
    let points: usize = std::env::var("SHIPGATE_BENCH_POINTS")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(600_000);
    let path = data_dir().join(format!("k6-out-{points}-{DATA_VERSION}.ndjson"));
    if !path.exists() {
        eprintln!("generating {} ...", path.display());
        generate(&path, points);
    }
    let size = fs::metadata(&path).unwrap().len();
    // Warm the page cache.
    parse_lines(&path, &|_| true);

    let mut reader_times = Vec::new();
    let mut plain_times = Vec::new();
    let mut strict_times = Vec::new();
    for _ in 0..ROUNDS {
        let (read, took) = timed(|| read_file(&path, "k6-out.ndjson", PerfFormat::K6).unwrap());
        reader_times.push(took);
        assert!(read.evidence.metrics.contains_key("http_req_duration.p95"));

        #[expect(
            clippy::disallowed_methods,
            reason = "the plain parse is the floor the strict one is measured against"
        )]
        let (plain, took) = timed(|| {
            parse_lines(&path, &|line| {
                serde_json::from_slice::<serde_json::Value>(line).is_ok_and(|v| v.is_object())
            })
        });
        plain_times.push(took);

        let (strict, took) = timed(|| {
            parse_lines(&path, &|line| {
                shipgate_json::parse_value(line).is_ok_and(|v| v.is_object())
            })
        });
        strict_times.push(took);
        assert_eq!(plain, strict);
        assert_eq!(plain, points + METRICS.len());
    }
    let mb = size as f64 / 1e6;
    let row = |what: &str, d: Duration| {
        println!(
            "| {what} | {:.2} s | {:.0} MB/s |",
            d.as_secs_f64(),
            mb / d.as_secs_f64()
        );
    };
    println!(
        "k6 NDJSON, {points} points, {mb:.0} MB, least of {ROUNDS} rounds (CPU time of the reading thread, warm cache)\n"
    );
    println!("| what | time | throughput |\n|---|---|---|");
    let (reader, plain, strict) = (
        least(&reader_times),
        least(&plain_times),
        least(&strict_times),
    );
    row("`shipgate_perf::read_file` (the whole reader)", reader);
    row("each line into a `Value`, `serde_json` alone", plain);
    row(
        "each line into a `Value`, `shipgate_json::parse_value`",
        strict,
    );
    println!(
        "\nstrict ÷ plain parsing: {:.3}",
        strict.as_secs_f64() / plain.as_secs_f64()
    );
}
