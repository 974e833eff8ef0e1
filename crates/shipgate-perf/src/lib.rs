//! shipgate's performance adapter: load-test results into one normalised form.
//!
//! Each tool's own files are read as the tool writes them, and become a
//! [`PerfEvidence`]: metrics addressed as `name.stat`, each with a
//! unit (durations in milliseconds, rates as fractions), a direction (lower or higher is better)
//! where it is known, and, where the file has them, the raw samples behind the metric.
//!
//! | format ([`PerfFormat`]) | files | raw samples |
//! |---|---|---|
//! | `k6` | `handleSummary()` data JSON, `--summary-export` JSON, the machine-readable summary (schema 1.0.0), `--out json` NDJSON (plain or gzip-compressed) | NDJSON |
//! | `jmeter` | JTL (CSV, with or without a header row, or XML), the HTML dashboard's `statistics.json` | JTL |
//! | `locust` | `--json` / `--json-file` (with its histogram), `--csv` `_stats.csv` and `_stats_history.csv` | no |
//! | `gatling` | the binary `simulation.log` (Gatling ≥ 3.12, the only file 3.13.5 and later write); `js/stats.json`, `js/global_stats.json` (Gatling ≤ 3.13.4) | `simulation.log` |
//! | `generic` | shipgate's generic metrics JSON, the Bencher Metric Format | generic JSON |
//! | `baseline` | a baseline snapshot written by [`promote`] | when the promoted run had them |
//!
//! `auto` recognises the format from the file itself: each kind of file has one reader in the
//! registry (`readers.rs`, `READERS`), which recognises its files from their first bytes or their
//! JSON keys. Every byte read is hashed, so the
//! report can prove which file the decision was made on.
//!
//! This crate reads files and builds evidence, and `promote` writes a baseline's files. It must
//! not judge the evidence (that is the policy engine's job), read the clock or the environment
//! (the promotion time and release are passed in), or print.
//!
//! # Example
//!
//! ```
//! use shipgate_perf::{PerfFormat, read_bytes};
//!
//! // shipgate's generic metrics JSON, recognised by `auto`.
//! let file = br#"{
//!   "tool": { "name": "wrk2", "version": "4.0.0" },
//!   "metrics": [
//!     { "name": "checkout.p95", "unit": "s", "direction": "lower", "value": 0.236 }
//!   ]
//! }"#;
//! let read = read_bytes(file, "wrk2.json", PerfFormat::Auto)?;
//! let p95 = &read.evidence.metrics["checkout.p95"];
//! assert!((p95.value - 236.0).abs() < 1e-9, "durations are in milliseconds");
//!
//! // A file no reader recognises is an error, never a run with no metrics.
//! assert!(read_bytes(b"hello", "notes.txt", PerfFormat::Auto).is_err());
//! # Ok::<(), shipgate_perf::PerfError>(())
//! ```

mod collect;
mod error;
mod gatling;
mod gatling_log;
mod generic;
mod input;
mod jmeter;
mod jmeter_xml;
mod k6_ndjson;
mod k6_summary;
mod k6_thresholds;
mod locust;
mod locust_history;
mod locust_json;
mod reader;
mod readers;
mod snapshot;
mod store;

pub use error::PerfError;
pub use snapshot::{
    BaselineRead, DEFAULT_KEEP, FileRead, PromoteOptions, PromoteRefusal, Promotion,
    SNAPSHOT_VERSION, promote, read_baseline, read_baseline_with,
};

pub use shipgate_model::PerfFormat;
use shipgate_model::{PerfEvidence, PerfProvenance};
use std::path::Path;

/// What was read: the evidence and the provenance of the bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct PerfRead {
    /// The evidence.
    pub evidence: PerfEvidence,
    /// Hex SHA-256 of the file's bytes.
    pub sha256: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// The format family the file was recognised as.
    pub family: PerfFormat,
}

/// Reads the file at `path`; `display` names it in messages and in the evidence's provenance
/// (a path relative to the policy's folder, say). A baseline written by `promote` is read with
/// its run when it holds exactly one (a run snapshotted to record its commit); a baseline of
/// several runs is no one run's results.
pub fn read_file(path: &Path, display: &str, format: PerfFormat) -> Result<PerfRead, PerfError> {
    let io = |source| PerfError::Io {
        path: display.to_owned(),
        source,
    };
    // Opened once: what the head shows and what is read and hashed are the same bytes.
    let opened = snapshot::Opened::open(path).map_err(io)?;
    if format == PerfFormat::Baseline || opened.is_manifest() {
        let read = snapshot::baseline_from(
            opened,
            display,
            PerfFormat::Baseline,
            &snapshot::beside(path, display),
        )?;
        let manifest = read.files.first().cloned();
        let mut runs = read.baseline.runs;
        return match (runs.pop(), runs.is_empty(), manifest) {
            (Some(evidence), true, Some(file)) => Ok(PerfRead {
                evidence: PerfEvidence {
                    path: display.to_owned(),
                    ..evidence
                },
                sha256: file.sha256,
                bytes: file.bytes,
                family: PerfFormat::Baseline,
            }),
            _ => Err(PerfError::NotRecognised {
                path: display.to_owned(),
                what: format!(
                    "it is a baseline of {} runs, not the results of one run",
                    runs.len() + 1
                ),
            }),
        };
    }
    input::read_from(opened, display, format)
}

/// Reads a file from a stream of its bytes, from its first byte (the baselines' files, each
/// opened once by `snapshot`).
pub(crate) fn read_stream<R: std::io::Read>(
    inner: R,
    display: &str,
    format: PerfFormat,
) -> Result<PerfRead, PerfError> {
    input::read_from(inner, display, format)
}

/// Reads a file's bytes.
pub fn read_bytes(bytes: &[u8], display: &str, format: PerfFormat) -> Result<PerfRead, PerfError> {
    input::read_from(bytes, display, format)
}

/// Provenance with the tool and format filled in; the source fields are set once the whole file
/// has been read and hashed.
pub(crate) fn provenance(tool: &str, format: &str) -> PerfProvenance {
    PerfProvenance {
        tool: tool.to_owned(),
        tool_version: None,
        format: format.to_owned(),
        source_path: String::new(),
        source_sha256: String::new(),
        source_bytes: 0,
        run_at: None,
        commit: None,
        release_version: None,
        promoted_at: None,
        forced: false,
    }
}
