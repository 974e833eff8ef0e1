//! shipgate's performance adapter: load-test results into one normalised form.
//!
//! Each tool's own files are read as the tool writes them, and become a
//! [`PerfEvidence`](shipgate_model::PerfEvidence): metrics addressed as `name.stat`, each with a
//! unit (durations in milliseconds, rates as fractions), a direction (lower or higher is better)
//! where it is known, and, where the file has them, the raw samples behind the metric.
//!
//! | format | files | raw samples |
//! |---|---|---|
//! | [`Format::K6`] | `handleSummary()` data JSON, `--summary-export` JSON, the machine-readable summary (schema 1.0.0), `--out json` NDJSON | NDJSON |
//! | [`Format::Jmeter`] | JTL (CSV, with or without a header row), the HTML dashboard's `statistics.json` | JTL |
//! | [`Format::Locust`] | `--csv` `_stats.csv` | no |
//! | [`Format::Gatling`] | `js/stats.json`, `js/global_stats.json` (Gatling ≤ 3.13.4) | no |
//! | [`Format::Generic`] | shipgate's generic metrics JSON, the Bencher Metric Format | generic JSON |
//! | [`Format::Baseline`] | a baseline snapshot written by [`promote`] | when the promoted run had them |
//!
//! [`Format::Auto`] recognises the format from the file itself. Every byte read is hashed, so the
//! report can prove which file the decision was made on.
//!
//! This crate reads files and builds evidence. It must not judge the evidence (that is the
//! policy engine's job), read the clock or the environment (the promotion time and release are
//! passed in), or print.

mod collect;
mod error;
mod gatling;
mod generic;
mod input;
mod jmeter;
mod k6_ndjson;
mod k6_summary;
mod k6_thresholds;
mod locust;
mod snapshot;

pub use error::PerfError;
pub use input::PerfRead;
pub use snapshot::{PromoteOptions, PromoteRefusal, SNAPSHOT_VERSION, promote, render_snapshot};

use shipgate_model::{PerfProvenance, PerfTool};
use std::fmt;
use std::path::Path;
use std::str::FromStr;

/// Which format a file is in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Format {
    /// Recognise it from the content.
    #[default]
    Auto,
    /// Grafana k6.
    K6,
    /// Apache JMeter.
    Jmeter,
    /// Locust.
    Locust,
    /// Gatling.
    Gatling,
    /// shipgate's generic metrics JSON, or the Bencher Metric Format.
    Generic,
    /// A baseline snapshot written by `shipgate perf baseline promote`.
    Baseline,
}

impl Format {
    /// Every format, as named on the command line and in the policy.
    pub const ALL: [Format; 7] = [
        Format::Auto,
        Format::K6,
        Format::Jmeter,
        Format::Locust,
        Format::Gatling,
        Format::Generic,
        Format::Baseline,
    ];

    /// The name in the policy and on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Format::Auto => "auto",
            Format::K6 => "k6",
            Format::Jmeter => "jmeter",
            Format::Locust => "locust",
            Format::Gatling => "gatling",
            Format::Generic => "generic",
            Format::Baseline => "baseline",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Format::Auto => "any format",
            Format::K6 => "k6 results",
            Format::Jmeter => "JMeter results",
            Format::Locust => "Locust results",
            Format::Gatling => "Gatling results",
            Format::Generic => "generic metrics",
            Format::Baseline => "a shipgate baseline snapshot",
        }
    }

    /// The naming conventions of the format's tool, when it has one.
    pub fn tool(self) -> Option<PerfTool> {
        match self {
            Format::K6 => Some(PerfTool::K6),
            Format::Jmeter => Some(PerfTool::Jmeter),
            Format::Locust => Some(PerfTool::Locust),
            Format::Gatling => Some(PerfTool::Gatling),
            Format::Generic => Some(PerfTool::Generic),
            Format::Auto | Format::Baseline => None,
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "`{s}` is not a performance format; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Reads the file at `path`; `display` names it in messages and in the evidence's provenance
/// (a path relative to the policy's folder, say).
pub fn read_file(path: &Path, display: &str, format: Format) -> Result<PerfRead, PerfError> {
    let file = std::fs::File::open(path).map_err(|source| PerfError::Io {
        path: display.to_owned(),
        source,
    })?;
    input::read_from(file, display, format)
}

/// Reads a file's bytes.
pub fn read_bytes(bytes: &[u8], display: &str, format: Format) -> Result<PerfRead, PerfError> {
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
