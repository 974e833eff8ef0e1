//! Baseline snapshots: `shipgate perf baseline promote` turns a run into a normalised file with
//! its provenance, and the gate reads it back as the baseline.
//!
//! The file (documented in `docs/performance-evidence.md`) is JSON:
//!
//! ```json
//! {
//!   "shipgate_perf_baseline": 1,
//!   "written_by": "shipgate 0.1.0",
//!   "provenance": { "tool": "Apache JMeter", "tool_version": null, "format": "JMeter JTL (CSV)",
//!                   "source_path": "perf/run.jtl", "source_sha256": "…", "source_bytes": 1234,
//!                   "run_at": "…", "commit": "3f2a9c1", "release_version": "2.4.0",
//!                   "promoted_at": "…", "forced": false },
//!   "thresholds": { "state": "not_recorded" },
//!   "metrics": { "checkout.p95": { "unit": "ms", "direction": "lower", "value": 45.0,
//!                                  "samples": { "series": "checkout", "stat": "p95" } } },
//!   "series": { "checkout": [31.0, 29.0] }
//! }
//! ```
//!
//! Raw samples are kept, so a later run can be tested for significance against the baseline.
//! Keys are sorted and numbers written in their shortest exact form, so promoting the same file
//! with the same options twice gives the same bytes.

use crate::PerfRead;
use crate::collect::{contradicts_samples, out_of_range};
use crate::error::PerfError;
use crate::reader::{Input, Reader, Sample};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shipgate_model::{
    PerfEvidence, PerfFormat, PerfMetric, PerfProvenance, RunThresholds, SampleStat,
};
use std::collections::BTreeMap;

/// The version of the snapshot format this shipgate writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

const FORMAT: &str = "shipgate baseline snapshot";

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotFile {
    shipgate_perf_baseline: u32,
    written_by: String,
    provenance: PerfProvenance,
    thresholds: RunThresholds,
    metrics: BTreeMap<String, PerfMetric>,
    series: BTreeMap<String, Vec<f64>>,
}

/// A baseline snapshot written by `shipgate perf baseline promote`: recognised by its first key
/// (which promote writes first) and read straight into its type, or by that key anywhere in a
/// JSON document.
pub(crate) static SNAPSHOT: Snapshot = Snapshot;

/// The reader of baseline snapshots.
pub(crate) struct Snapshot;

/// The key a snapshot is recognised by.
const KEY: &str = "shipgate_perf_baseline";

impl Reader for Snapshot {
    fn format(&self) -> PerfFormat {
        PerfFormat::Baseline
    }

    fn describe(&self) -> &'static str {
        "a shipgate baseline snapshot"
    }

    fn recognise(&self, sample: &Sample<'_>) -> bool {
        match sample {
            Sample::Head(head) => {
                let Some(inner) = head.text.strip_prefix(b"{") else {
                    return false;
                };
                let key_at = inner
                    .iter()
                    .position(|b| !b.is_ascii_whitespace())
                    .unwrap_or(0);
                inner[key_at..].starts_with(format!("\"{KEY}\"").as_bytes())
            }
            Sample::Json(obj) => obj.contains_key(KEY),
        }
    }

    fn read(&self, input: Input<'_>, path: &str) -> Result<PerfEvidence, PerfError> {
        match input {
            // Snapshots can be large (every raw sample): read them straight into their type.
            Input::Stream(stream) => {
                let mut bytes = Vec::new();
                stream
                    .read_to_end(&mut bytes)
                    .map_err(|source| PerfError::Io {
                        path: path.to_owned(),
                        source,
                    })?;
                read_bytes(crate::reader::strip_bom(&bytes), path)
            }
            Input::Json(doc) => read(doc, path),
        }
    }
}

/// Reads a snapshot from its bytes, straight into its type, in one pass. Only when that fails
/// are the bytes looked at again, for the version: a snapshot of another version is refused as
/// such rather than for the first key it does not know.
pub(crate) fn read_bytes(bytes: &[u8], path: &str) -> Result<PerfEvidence, PerfError> {
    match shipgate_json::parse_form::<SnapshotFile>(bytes) {
        Ok(file) => {
            check_version(&Value::from(file.shipgate_perf_baseline), path)?;
            validate(file, path)
        }
        Err(e) => {
            // Only a document that is JSON with each key once has a version to speak of.
            if let Ok(doc) = shipgate_json::parse_value(bytes) {
                check_version(
                    doc.get("shipgate_perf_baseline").unwrap_or(&Value::Null),
                    path,
                )?;
            }
            Err(json_error(e, path))
        }
    }
}

/// Reads a snapshot that was parsed as JSON (its version key was not first).
pub(crate) fn read(doc: Value, path: &str) -> Result<PerfEvidence, PerfError> {
    check_version(
        doc.get("shipgate_perf_baseline").unwrap_or(&Value::Null),
        path,
    )?;
    let file: SnapshotFile =
        shipgate_json::form_from_value(doc).map_err(|e| json_error(e, path))?;
    validate(file, path)
}

fn json_error(source: shipgate_json::JsonError, path: &str) -> PerfError {
    PerfError::Json {
        path: path.to_owned(),
        format: FORMAT.to_owned(),
        source,
    }
}

fn invalid(path: &str, at: &str, message: String) -> PerfError {
    PerfError::Invalid {
        path: path.to_owned(),
        format: FORMAT.to_owned(),
        at: at.to_owned(),
        message,
    }
}

fn check_version(version: &Value, path: &str) -> Result<(), PerfError> {
    if version.as_u64() == Some(u64::from(SNAPSHOT_VERSION)) {
        return Ok(());
    }
    Err(invalid(
        path,
        "shipgate_perf_baseline",
        format!(
            "version {version} is not one this shipgate reads ({SNAPSHOT_VERSION}); promote the baseline again with this shipgate"
        ),
    ))
}

fn validate(file: SnapshotFile, path: &str) -> Result<PerfEvidence, PerfError> {
    let sha = &file.provenance.source_sha256;
    if sha.len() != 64
        || !sha
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(invalid(
            path,
            "provenance.source_sha256",
            "expected the 64 hex digits of the promoted file's SHA-256".to_owned(),
        ));
    }
    if file.provenance.promoted_at.is_none() {
        return Err(invalid(
            path,
            "provenance.promoted_at",
            "missing: a snapshot records when it was promoted".to_owned(),
        ));
    }
    for (name, series) in &file.series {
        if series.is_empty() || series.iter().any(|v| !v.is_finite()) {
            return Err(invalid(
                path,
                &format!("series.{name}"),
                "expected a non-empty list of finite numbers".to_owned(),
            ));
        }
    }
    // The metrics that refer to each series.
    let mut users: BTreeMap<&str, Vec<(&str, &PerfMetric, SampleStat)>> = BTreeMap::new();
    for (name, metric) in &file.metrics {
        if !metric.value.is_finite() {
            return Err(invalid(
                path,
                &format!("metrics.{name}.value"),
                "not a finite number".to_owned(),
            ));
        }
        let unit = &metric.unit;
        if let Some(why) = out_of_range(unit, metric.value) {
            return Err(invalid(
                path,
                &format!("metrics.{name}.value"),
                format!("`{name}` is {} {unit}: {why}", metric.value),
            ));
        }
        let Some(r) = &metric.samples else {
            continue;
        };
        let Some(key) = file.series.get_key_value(&r.series).map(|(k, _)| k) else {
            return Err(invalid(
                path,
                &format!("metrics.{name}.samples"),
                format!(
                    "refers to the series `{}`, which the file does not hold",
                    r.series
                ),
            ));
        };
        users
            .entry(key.as_str())
            .or_default()
            .push((name.as_str(), metric, r.stat));
    }
    // Each series, sorted once (and one at a time, so a large snapshot holds one sorted copy):
    // its ends are held to the unit of each metric that refers to it, and each metric's value
    // to the statistic the samples give.
    for (series, users) in users {
        let mut samples = file.series.get(series).cloned().unwrap_or_default();
        samples.sort_unstable_by(f64::total_cmp);
        for (name, metric, stat) in users {
            let unit = &metric.unit;
            let ends = [samples.first(), samples.last()];
            for v in ends.into_iter().flatten() {
                if let Some(why) = out_of_range(unit, *v) {
                    return Err(invalid(
                        path,
                        &format!("series.{series}"),
                        format!("a sample of `{name}` is {v} {unit}: {why}"),
                    ));
                }
            }
            if let Some(given) = contradicts_samples(metric.value, stat, &samples) {
                return Err(invalid(
                    path,
                    &format!("metrics.{name}.value"),
                    format!(
                        "`{name}` is {} {unit}, but its {} samples (series `{series}`) give {given}; the value and the samples must describe the same run (within 0.1%)",
                        metric.value,
                        samples.len(),
                    ),
                ));
            }
        }
    }
    if file.metrics.is_empty() {
        return Err(PerfError::NoMeasurements {
            path: path.to_owned(),
            format: FORMAT.to_owned(),
            what: "metrics".to_owned(),
        });
    }
    Ok(PerfEvidence {
        path: path.to_owned(),
        provenance: file.provenance,
        metrics: file.metrics,
        series: file.series,
        thresholds: file.thresholds,
    })
}

/// What a promotion records besides the run itself. The caller reads the clock and the
/// environment; this crate does not.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PromoteOptions {
    /// When the promotion happens.
    pub now: Option<Timestamp>,
    /// The release the run measured (`--release-version`).
    pub release_version: Option<String>,
    /// The commit the run measured (`--commit`).
    pub commit: Option<String>,
    /// Promote even though the run failed its own thresholds.
    pub force: bool,
}

/// Why a run cannot become a baseline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromoteRefusal {
    /// The run failed its own pass/fail criteria; a baseline must be a good run.
    FailedThresholds(Vec<String>),
    /// Criteria the run may have had cannot be verified from the file (k6 `--out json` does not
    /// write a submetric's thresholds): the run is not known to be good.
    UnverifiableThresholds(Vec<String>),
    /// The file already is a baseline snapshot.
    AlreadyBaseline,
    /// No promotion time was given.
    NoTime,
}

impl PromoteRefusal {
    /// What is wrong and what to do, in a sentence or two.
    pub fn message(&self) -> String {
        match self {
            PromoteRefusal::FailedThresholds(failed) => format!(
                "the run failed {} of its own thresholds ({}), so it is not a good baseline; fix the run, or pass `--force` to promote it anyway (the snapshot records that it was forced)",
                failed.len(),
                failed.join("; ")
            ),
            PromoteRefusal::UnverifiableThresholds(unknown) => format!(
                "whether the run met its own thresholds cannot be verified from this file ({}), so it is not known to be a good baseline; promote from the tool's summary, which records every threshold's outcome (k6: `--summary-export` or `handleSummary`), or pass `--force` to promote it anyway (the snapshot records that it was forced)",
                unknown.join("; ")
            ),
            PromoteRefusal::AlreadyBaseline => {
                "the file is already a baseline snapshot; copy it instead of promoting it again"
                    .to_owned()
            }
            PromoteRefusal::NoTime => "a promotion needs the time it happens".to_owned(),
        }
    }
}

/// Turns a run into a baseline: records when, for which release and commit, and whether its own
/// failed thresholds were overridden. Refuses a run that failed its thresholds unless forced.
pub fn promote(read: PerfRead, options: &PromoteOptions) -> Result<PerfEvidence, PromoteRefusal> {
    let mut evidence = read.evidence;
    if evidence.provenance.promoted_at.is_some() {
        return Err(PromoteRefusal::AlreadyBaseline);
    }
    let failed = evidence.thresholds.failed().to_vec();
    if !failed.is_empty() && !options.force {
        return Err(PromoteRefusal::FailedThresholds(failed));
    }
    let unverifiable = evidence.thresholds.unverifiable();
    if !unverifiable.is_empty() && !options.force {
        return Err(PromoteRefusal::UnverifiableThresholds(
            unverifiable.to_vec(),
        ));
    }
    let p = &mut evidence.provenance;
    p.promoted_at = Some(options.now.ok_or(PromoteRefusal::NoTime)?);
    if options.release_version.is_some() {
        p.release_version.clone_from(&options.release_version);
    }
    if options.commit.is_some() {
        p.commit.clone_from(&options.commit);
    }
    p.forced = !failed.is_empty() || !evidence.thresholds.unverifiable().is_empty();
    Ok(evidence)
}

/// The snapshot file's text: pretty JSON ending with a newline, each series of raw samples on
/// one line (a million samples would otherwise take two million lines).
pub fn render_snapshot(
    evidence: &PerfEvidence,
    shipgate_version: &str,
) -> Result<String, serde_json::Error> {
    let file = SnapshotFile {
        shipgate_perf_baseline: SNAPSHOT_VERSION,
        written_by: format!("shipgate {shipgate_version}"),
        provenance: evidence.provenance.clone(),
        thresholds: evidence.thresholds.clone(),
        metrics: evidence.metrics.clone(),
        series: BTreeMap::new(),
    };
    let head = serde_json::to_string_pretty(&file)?;
    // `series` is the last field: replace its empty object with one line per series.
    let Some(at) = head.rfind("\"series\": {}") else {
        return Ok(format!("{head}\n"));
    };
    let mut series = String::from("\"series\": {");
    for (i, (name, values)) in evidence.series.iter().enumerate() {
        series.push_str(if i == 0 { "\n" } else { ",\n" });
        series.push_str(&format!(
            "    {}: {}",
            serde_json::to_string(name)?,
            serde_json::to_string(values)?
        ));
    }
    series.push_str(if evidence.series.is_empty() {
        "}"
    } else {
        "\n  }"
    });
    let tail = &head[at + "\"series\": {}".len()..];
    Ok(format!("{}{series}{tail}\n", &head[..at]))
}
