//! Performance evidence: the metrics of one load-test run (or of a baseline), normalised.
//!
//! Every tool's output becomes the same shape: metrics addressed as `name.stat`
//! (`http_req_duration.p95`, `checkout.error_rate`), each with a [`PerfUnit`], a [`Direction`]
//! when it is known whether lower or higher is better, its value, and, where the tool wrote raw
//! samples (a JMeter JTL, k6 `--out json`), a reference to the sample series it summarises, so
//! that a regression can be tested for significance instead of tripping on noise.
//!
//! This module also holds the naming conventions the adapters and the policy share
//! ([`split_metric`], [`expected_unit`], [`expected_direction`]), so that a policy can refuse
//! `max: 1%` on a latency before any file is read.

use jiff::Timestamp;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// Whether a smaller or a larger value is better: a metric's, and the policy's `direction` for a
/// metric whose file does not say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Latency, error rate: an increase is a regression.
    Lower,
    /// Throughput, check pass rate: a decrease is a regression.
    Higher,
}

impl Direction {
    /// `lower` or `higher`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Lower => "lower",
            Direction::Higher => "higher",
        }
    }
}

/// The unit a metric's value is in. Durations are always normalised to milliseconds and rates
/// to a fraction between 0 and 1, whatever the tool wrote.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PerfUnit {
    /// A duration in milliseconds (`ms`).
    Milliseconds,
    /// A fraction between 0 and 1 (`ratio`): error rate, check pass rate.
    Ratio,
    /// A number of things (`count`): requests, errors.
    Count,
    /// Events per second (`/s`): throughput.
    PerSecond,
    /// Bytes (`bytes`).
    Bytes,
    /// Bytes per second (`bytes/s`).
    BytesPerSecond,
    /// A number with no unit the tool told us (`number`).
    Number,
    /// A unit written by the tool that shipgate does not convert (`MB`, `ops`), compared only
    /// with itself.
    Other(String),
}

impl PerfUnit {
    /// The canonical spelling (`ms`, `ratio`, `count`, `/s`, `bytes`, `bytes/s`, `number`, or
    /// the other unit as written).
    pub fn as_str(&self) -> &str {
        match self {
            PerfUnit::Milliseconds => "ms",
            PerfUnit::Ratio => "ratio",
            PerfUnit::Count => "count",
            PerfUnit::PerSecond => "/s",
            PerfUnit::Bytes => "bytes",
            PerfUnit::BytesPerSecond => "bytes/s",
            PerfUnit::Number => "number",
            PerfUnit::Other(s) => s,
        }
    }

    /// Reads a canonical spelling back; anything else is [`PerfUnit::Other`].
    pub fn from_canonical(s: &str) -> Self {
        match s {
            "ms" => PerfUnit::Milliseconds,
            "ratio" => PerfUnit::Ratio,
            "count" => PerfUnit::Count,
            "/s" => PerfUnit::PerSecond,
            "bytes" => PerfUnit::Bytes,
            "bytes/s" => PerfUnit::BytesPerSecond,
            "number" => PerfUnit::Number,
            other => PerfUnit::Other(other.to_owned()),
        }
    }

    /// What the unit measures, for messages: `a duration`, `a ratio`, `a count`, ...
    pub fn describe(&self) -> String {
        match self {
            PerfUnit::Milliseconds => "a duration".to_owned(),
            PerfUnit::Ratio => "a ratio (0-100%)".to_owned(),
            PerfUnit::Count => "a count".to_owned(),
            PerfUnit::PerSecond => "a rate per second".to_owned(),
            PerfUnit::Bytes => "a number of bytes".to_owned(),
            PerfUnit::BytesPerSecond => "bytes per second".to_owned(),
            PerfUnit::Number => "a plain number".to_owned(),
            PerfUnit::Other(u) => format!("a number in `{u}`"),
        }
    }
}

impl fmt::Display for PerfUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for PerfUnit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PerfUnit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(PerfUnit::from_canonical(&s))
    }
}

/// The statistic a metric takes of its raw samples, so it can be recomputed on resamples.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SampleStat {
    /// The arithmetic mean (also the rate of a series of 0/1 failure flags).
    Mean,
    /// A percentile, 0-100 (`p95`, `p99.9`; the median is `p50`).
    Percentile(f64),
    /// The smallest sample.
    Min,
    /// The largest sample.
    Max,
}

impl SampleStat {
    /// The stat a metric's stat name stands for: `avg`/`mean`, `med`/`median`, `pNN`, `min`,
    /// `max`, and `rate`/`error_rate` (the mean of 0/1 flags). `None` for stats that are not a
    /// function of the samples alone (`count`, `throughput`).
    pub fn from_stat_name(stat: &str) -> Option<Self> {
        match stat {
            "avg" | "mean" | "rate" | "error_rate" => Some(SampleStat::Mean),
            "med" | "median" => Some(SampleStat::Percentile(50.0)),
            "min" => Some(SampleStat::Min),
            "max" => Some(SampleStat::Max),
            _ => parse_percentile(stat).map(SampleStat::Percentile),
        }
    }

    fn text(self) -> String {
        match self {
            SampleStat::Mean => "mean".to_owned(),
            SampleStat::Percentile(p) => format!("p{p}"),
            SampleStat::Min => "min".to_owned(),
            SampleStat::Max => "max".to_owned(),
        }
    }
}

impl fmt::Display for SampleStat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text())
    }
}

impl Serialize for SampleStat {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

impl<'de> Deserialize<'de> for SampleStat {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SampleStat::from_stat_name(&s)
            .ok_or_else(|| serde::de::Error::custom(format!("`{s}` is not a sample statistic")))
    }
}

/// `p95` → 95, `p99.9` → 99.9; `None` unless it is `p` and a number from 0 to 100.
pub fn parse_percentile(stat: &str) -> Option<f64> {
    let digits = stat.strip_prefix('p')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let p: f64 = digits.parse().ok()?;
    (0.0..=100.0).contains(&p).then_some(p)
}

/// Where a metric's raw samples are: a series of the evidence and the statistic taken of it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SampleRef {
    /// The key of the series in [`PerfEvidence::series`].
    pub series: String,
    /// The statistic the metric's value is of those samples.
    pub stat: SampleStat,
}

/// Which requests a figure of requests (a latency, a throughput) was computed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestBasis {
    /// The successful requests only: the file tells the failed ones apart.
    Successful,
    /// Every request, the failed ones too: the file does not tell their times apart (Locust,
    /// JMeter's dashboard, a k6 summary without `{expected_response:true}`), or no request
    /// succeeded.
    All,
}

impl RequestBasis {
    /// `successful` or `all`.
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestBasis::Successful => "successful",
            RequestBasis::All => "all",
        }
    }
}

/// The requests behind a figure of requests: how many were sent, how many failed, and whether
/// the figure counts the failed ones. A latency of failed requests (a refused connection answers
/// in a millisecond, a timeout in thirty seconds) says nothing about the service, so the check
/// shows the failed share beside every such figure and never passes one with no successful
/// request behind it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requests {
    /// Every request of the name, successful and failed.
    pub total: u64,
    /// How many of them failed.
    pub failed: u64,
    /// Which of them the figure was computed on.
    pub basis: RequestBasis,
}

impl Requests {
    /// The requests that succeeded.
    pub fn successful(&self) -> u64 {
        self.total.saturating_sub(self.failed)
    }

    /// The failed share, 0 to 1; `None` without any request.
    pub fn failed_share(&self) -> Option<f64> {
        (self.total > 0).then(|| self.failed.min(self.total) as f64 / self.total as f64)
    }
}

/// One metric of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerfMetric {
    /// The unit of `value`.
    pub unit: PerfUnit,
    /// Whether lower or higher is better, when the tool or a well-known name says so.
    pub direction: Option<Direction>,
    /// The value, in `unit`.
    pub value: f64,
    /// The raw samples it summarises, when the format has them.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub samples: Option<SampleRef>,
    /// For a figure of requests (a latency, a throughput): the requests behind it, where the
    /// file says how many failed.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub requests: Option<Requests>,
}

/// The run's own pass/fail criteria (k6 thresholds), as the tool recorded them.
///
/// Read through `ThresholdsForm`, a plain struct: serde reads an internally tagged enum from a
/// buffered copy that the strict JSON reader (`shipgate-json`) cannot see into, and ignores every
/// other key beside a unit variant, so `"state": "not_recorded"` beside a `failed` list would
/// drop the list unseen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", try_from = "ThresholdsForm")]
pub enum RunThresholds {
    /// The format does not record whether the run met its own criteria.
    #[default]
    NotRecorded,
    /// The tool recorded each criterion and whether it held.
    Recorded {
        /// Criteria that held, as `metric: expression` (`http_req_duration: p(95)<500`).
        passed: Vec<String>,
        /// Criteria that failed.
        failed: Vec<String>,
        /// Criteria that may have been set but whose outcome the file cannot show: k6's
        /// `--out json` lists the thresholds of a metric, never those of a submetric
        /// (`http_req_duration{expected_response:true}`), so each submetric it declares is named
        /// here. Neither passed nor failed: unknown, so a promotion does not call the run clean.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        unverifiable: Vec<String>,
    },
}

/// [`RunThresholds`] as written: `state`, and the two lists when recorded.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThresholdsForm {
    state: ThresholdsState,
    passed: Option<Vec<String>>,
    failed: Option<Vec<String>>,
    unverifiable: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ThresholdsState {
    NotRecorded,
    Recorded,
}

impl TryFrom<ThresholdsForm> for RunThresholds {
    type Error = String;

    fn try_from(form: ThresholdsForm) -> Result<Self, String> {
        match (form.state, form.passed, form.failed) {
            (ThresholdsState::NotRecorded, None, None) if form.unverifiable.is_none() => {
                Ok(RunThresholds::NotRecorded)
            }
            (ThresholdsState::NotRecorded, _, _) => Err(
                "thresholds whose `state` is `not_recorded` have no `passed` or `failed` list (nor an `unverifiable` one)"
                    .to_owned(),
            ),
            (ThresholdsState::Recorded, Some(passed), Some(failed)) => {
                Ok(RunThresholds::Recorded {
                    passed,
                    failed,
                    unverifiable: form.unverifiable.unwrap_or_default(),
                })
            }
            (ThresholdsState::Recorded, passed, _) => Err(format!(
                "recorded thresholds have a `passed` and a `failed` list; `{}` is missing",
                if passed.is_none() { "passed" } else { "failed" }
            )),
        }
    }
}

impl RunThresholds {
    /// The criteria that failed (none when not recorded).
    pub fn failed(&self) -> &[String] {
        match self {
            RunThresholds::NotRecorded => &[],
            RunThresholds::Recorded { failed, .. } => failed,
        }
    }

    /// The criteria whose outcome the file cannot show (none when not recorded).
    pub fn unverifiable(&self) -> &[String] {
        match self {
            RunThresholds::NotRecorded => &[],
            RunThresholds::Recorded { unverifiable, .. } => unverifiable,
        }
    }
}

/// Where a run's numbers come from. For a baseline snapshot written by
/// `shipgate perf baseline promote`, `source_*` describe the tool's original file and the
/// promotion fields are set.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerfProvenance {
    /// The tool that measured (`k6`, `Apache JMeter`, `Locust`, `Gatling`, `generic`).
    pub tool: String,
    /// The tool's version, when the file says.
    pub tool_version: Option<String>,
    /// The file format read (`k6 --summary-export JSON`, `JMeter JTL (CSV)`, ...).
    pub format: String,
    /// The tool's file, as named when it was read.
    pub source_path: String,
    /// Hex SHA-256 of the tool's file.
    pub source_sha256: String,
    /// Size of the tool's file in bytes.
    pub source_bytes: u64,
    /// When the run happened, when the file says.
    #[serde(default, with = "crate::instant::strict::option")]
    pub run_at: Option<Timestamp>,
    /// The commit that was measured, when known.
    pub commit: Option<String>,
    /// The release version that was measured, when known.
    pub release_version: Option<String>,
    /// When the run was promoted to a baseline (baseline snapshots only).
    #[serde(default, with = "crate::instant::strict::option")]
    pub promoted_at: Option<Timestamp>,
    /// Whether the promotion overrode the run's own failed thresholds (`--force`).
    #[serde(default)]
    pub forced: bool,
}

/// The metrics of one run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerfEvidence {
    /// The file this evidence was read from, as named when it was read (for a baseline
    /// snapshot, the snapshot; `provenance.source_path` is then the run it was promoted from).
    pub path: String,
    /// Where the numbers come from.
    pub provenance: PerfProvenance,
    /// Every metric, by `name.stat`.
    pub metrics: BTreeMap<String, PerfMetric>,
    /// Raw samples by series, in the unit of the metrics that refer to them.
    pub series: BTreeMap<String, Vec<f64>>,
    /// The number of samples of each series too large to be held in memory (a soak test's):
    /// its statistics were computed exactly from every sample, which were not kept.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub sample_counts: BTreeMap<String, u64>,
    /// The run's own pass/fail criteria.
    pub thresholds: RunThresholds,
}

impl PerfEvidence {
    /// The raw samples behind a metric, when there are any.
    pub fn samples_of(&self, metric: &PerfMetric) -> Option<&[f64]> {
        let r = metric.samples.as_ref()?;
        self.series.get(&r.series).map(Vec::as_slice)
    }

    /// How many raw samples are behind a metric: those held, or the count of a series too large
    /// to hold; 0 for a metric with none.
    pub fn sample_count(&self, metric: &PerfMetric) -> u64 {
        let Some(r) = metric.samples.as_ref() else {
            return 0;
        };
        match self.series.get(&r.series) {
            Some(held) => held.len() as u64,
            None => self.sample_counts.get(&r.series).copied().unwrap_or(0),
        }
    }
}

/// The baseline a run is compared with: one or more earlier runs of the same load test, so that
/// the comparison can tell a regression from the way runs differ from one another.
///
/// A baseline written by `shipgate perf baseline promote` is a manifest of runs: each run's file
/// was kept beside it, and each was read again and checked against the hash the manifest
/// recorded before it became evidence. A baseline that is a tool's own file is that one run.
#[derive(Clone, Debug, PartialEq)]
pub struct PerfBaseline {
    /// The file named by `sources.performance.baseline`.
    pub path: String,
    /// Whether it is a manifest written by `promote` (its runs verified against their hashes),
    /// rather than a tool's own file.
    pub promoted: bool,
    /// The runs, oldest first; never empty.
    pub runs: Vec<PerfEvidence>,
}

/// The results of this release's load test (`sources.performance.current`): one run, or
/// several runs of the same release judged together. Never empty: the first run is not
/// optional, and the others can only be added to it.
#[derive(Clone, Debug, PartialEq)]
pub struct PerfCurrent {
    first: PerfEvidence,
    more: Vec<PerfEvidence>,
}

impl PerfCurrent {
    /// One run.
    pub fn one(run: PerfEvidence) -> Self {
        Self {
            first: run,
            more: Vec::new(),
        }
    }

    /// Several runs, in the order the policy lists them.
    pub fn several(first: PerfEvidence, more: Vec<PerfEvidence>) -> Self {
        Self { first, more }
    }

    /// The first run (for one run, the run).
    pub fn first(&self) -> &PerfEvidence {
        &self.first
    }

    /// Every run, in the order the policy lists them.
    pub fn runs(&self) -> impl Iterator<Item = &PerfEvidence> {
        std::iter::once(&self.first).chain(self.more.iter())
    }

    /// How many runs: at least 1.
    pub fn len(&self) -> usize {
        1 + self.more.len()
    }

    /// Never: there is always a first run. (For clippy's `len_without_is_empty`.)
    pub fn is_empty(&self) -> bool {
        false
    }
}

/// The format of a load-test results file: the policy's `sources.performance.*.format`, the
/// `--input-format` of the command line, and the key of the performance adapter's readers (each
/// format but `auto` has at least one reader in `shipgate-perf`'s `READERS`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PerfFormat {
    /// Recognised from the content.
    #[default]
    Auto,
    /// k6: handleSummary data, `--summary-export`, the machine-readable summary, `--out json`
    /// (plain or gzip-compressed).
    K6,
    /// Apache JMeter: JTL (CSV or XML) or the dashboard's `statistics.json`.
    Jmeter,
    /// Locust: `--json` / `--json-file`, `--csv` stats and stats history.
    Locust,
    /// Gatling: the binary `simulation.log`, `stats.json` or `global_stats.json`.
    Gatling,
    /// shipgate's generic metrics JSON, or the Bencher Metric Format.
    Generic,
    /// A snapshot written by `shipgate perf baseline promote`.
    Baseline,
}

/// Which naming conventions a format's metrics follow, for the units and directions a policy
/// can check before any file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NamingConventions {
    /// k6's built-in metric names (`http_req_duration`, `checks`, ...).
    K6,
    /// Requests named by the user with fixed stats (`checkout.p95`, `checkout.error_rate`).
    ResponseTimes,
    /// Names as written: only the file can tell.
    None,
}

impl PerfFormat {
    /// Every format, as named in the policy and on the command line.
    pub const ALL: [PerfFormat; 7] = [
        PerfFormat::Auto,
        PerfFormat::K6,
        PerfFormat::Jmeter,
        PerfFormat::Locust,
        PerfFormat::Gatling,
        PerfFormat::Generic,
        PerfFormat::Baseline,
    ];

    /// The name in the policy and on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            PerfFormat::Auto => "auto",
            PerfFormat::K6 => "k6",
            PerfFormat::Jmeter => "jmeter",
            PerfFormat::Locust => "locust",
            PerfFormat::Gatling => "gatling",
            PerfFormat::Generic => "generic",
            PerfFormat::Baseline => "baseline",
        }
    }

    /// What a file of the format holds, for messages (`k6 results`).
    pub const fn describe(self) -> &'static str {
        match self {
            PerfFormat::Auto => "recognised from the content",
            PerfFormat::K6 => "k6 results",
            PerfFormat::Jmeter => "JMeter results",
            PerfFormat::Locust => "Locust results",
            PerfFormat::Gatling => "Gatling results",
            PerfFormat::Generic => "generic metrics",
            PerfFormat::Baseline => "a shipgate baseline snapshot",
        }
    }

    /// The naming conventions of the format's metrics. `auto` and `baseline` say nothing about
    /// the tool that wrote the file.
    pub const fn conventions(self) -> NamingConventions {
        match self {
            PerfFormat::K6 => NamingConventions::K6,
            PerfFormat::Jmeter | PerfFormat::Locust | PerfFormat::Gatling => {
                NamingConventions::ResponseTimes
            }
            PerfFormat::Auto | PerfFormat::Generic | PerfFormat::Baseline => {
                NamingConventions::None
            }
        }
    }
}

impl fmt::Display for PerfFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for PerfFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PerfFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = PerfFormat::ALL.iter().map(|f| f.as_str()).collect();
                format!(
                    "`{s}` is not a performance format; expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// Splits `name.stat` at the stat: the last `.`-separated part, except that a percentile keeps
/// its decimals (`http_req_duration.p99.9` → `http_req_duration`, `p99.9`). `None` without a
/// `.` or with an empty part.
pub fn split_metric(metric: &str) -> Option<(&str, &str)> {
    // `name.p99.9`: the stat starts at the last `.p` followed by digits and dots only.
    if let Some(i) = metric.rfind(".p") {
        let stat = &metric[i + 1..];
        if parse_percentile(stat).is_some() && i > 0 {
            return Some((&metric[..i], stat));
        }
    }
    let (name, stat) = metric.rsplit_once('.')?;
    (!name.is_empty() && !stat.is_empty()).then_some((name, stat))
}

/// k6's built-in trends that hold durations.
pub const K6_TIME_TRENDS: &[&str] = &[
    "http_req_duration",
    "http_req_blocked",
    "http_req_connecting",
    "http_req_tls_handshaking",
    "http_req_sending",
    "http_req_waiting",
    "http_req_receiving",
    "iteration_duration",
    "group_duration",
    "ws_connecting",
    "ws_session_duration",
    "ws_ping",
    "grpc_req_duration",
    "browser_http_req_duration",
];

/// The stats a summary writes for a trend (`avg`, `med`, `pNN`, ...).
fn is_trend_stat(stat: &str) -> bool {
    matches!(stat, "avg" | "min" | "med" | "max" | "stddev") || parse_percentile(stat).is_some()
}

/// The unit a metric must have, when the format's naming conventions alone tell (before any file
/// is read). `None` when only the file can tell.
pub fn expected_unit(format: PerfFormat, metric: &str) -> Option<PerfUnit> {
    let (name, stat) = split_metric(metric)?;
    // k6 names its metrics; the response-time tools name requests and use fixed stats.
    let base = name.split('{').next().unwrap_or(name);
    match format.conventions() {
        NamingConventions::K6 => k6_unit(base, stat),
        NamingConventions::ResponseTimes => match stat {
            "count" | "errors" => Some(PerfUnit::Count),
            "error_rate" => Some(PerfUnit::Ratio),
            "throughput" => Some(PerfUnit::PerSecond),
            s if is_trend_stat(s) => Some(PerfUnit::Milliseconds),
            _ => None,
        },
        NamingConventions::None => None,
    }
}

fn k6_unit(base: &str, stat: &str) -> Option<PerfUnit> {
    if K6_TIME_TRENDS.contains(&base) && is_trend_stat(stat) {
        return Some(PerfUnit::Milliseconds);
    }
    match (base, stat) {
        ("http_req_failed" | "checks", "rate") => Some(PerfUnit::Ratio),
        ("http_req_failed" | "checks", "passes" | "fails" | "matches" | "total") => {
            Some(PerfUnit::Count)
        }
        ("http_reqs" | "iterations" | "dropped_iterations", "count") => Some(PerfUnit::Count),
        ("http_reqs" | "iterations" | "dropped_iterations", "rate") => Some(PerfUnit::PerSecond),
        ("data_received" | "data_sent", "count") => Some(PerfUnit::Bytes),
        ("data_received" | "data_sent", "rate") => Some(PerfUnit::BytesPerSecond),
        ("vus" | "vus_max", "value" | "min" | "max") => Some(PerfUnit::Count),
        _ => None,
    }
}

/// Whether lower or higher is better, when the format's naming conventions tell.
pub fn expected_direction(format: PerfFormat, metric: &str) -> Option<Direction> {
    let (name, stat) = split_metric(metric)?;
    let base = name.split('{').next().unwrap_or(name);
    match format.conventions() {
        NamingConventions::K6 => {
            if K6_TIME_TRENDS.contains(&base) && is_trend_stat(stat) {
                return Some(Direction::Lower);
            }
            match (base, stat) {
                ("http_req_failed", "rate" | "passes" | "matches") => Some(Direction::Lower),
                ("checks", "rate" | "passes" | "matches") => Some(Direction::Higher),
                ("checks", "fails") => Some(Direction::Lower),
                ("http_reqs" | "iterations", "count" | "rate") => Some(Direction::Higher),
                ("dropped_iterations", "count" | "rate") => Some(Direction::Lower),
                _ => None,
            }
        }
        NamingConventions::ResponseTimes => match stat {
            "errors" | "error_rate" => Some(Direction::Lower),
            "throughput" => Some(Direction::Higher),
            s if is_trend_stat(s) => Some(Direction::Lower),
            _ => None,
        },
        NamingConventions::None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_split_at_the_stat() {
        assert_eq!(
            split_metric("http_req_duration.p95"),
            Some(("http_req_duration", "p95"))
        );
        assert_eq!(
            split_metric("http_req_duration.p99.9"),
            Some(("http_req_duration", "p99.9"))
        );
        assert_eq!(
            split_metric("/api/v1.2/items.p99"),
            Some(("/api/v1.2/items", "p99"))
        );
        assert_eq!(
            split_metric("http_req_duration{expected_response:true}.avg"),
            Some(("http_req_duration{expected_response:true}", "avg"))
        );
        assert_eq!(
            split_metric("checkout.error_rate"),
            Some(("checkout", "error_rate"))
        );
        assert_eq!(split_metric("nodot"), None);
        assert_eq!(split_metric(".p95"), None);
        assert_eq!(split_metric("name."), None);
    }

    #[test]
    fn sample_stats_from_names() {
        assert_eq!(
            SampleStat::from_stat_name("p95"),
            Some(SampleStat::Percentile(95.0))
        );
        assert_eq!(
            SampleStat::from_stat_name("p99.9"),
            Some(SampleStat::Percentile(99.9))
        );
        assert_eq!(
            SampleStat::from_stat_name("med"),
            Some(SampleStat::Percentile(50.0))
        );
        assert_eq!(
            SampleStat::from_stat_name("error_rate"),
            Some(SampleStat::Mean)
        );
        assert_eq!(SampleStat::from_stat_name("count"), None);
        assert_eq!(SampleStat::from_stat_name("p101"), None);
        assert_eq!(SampleStat::Percentile(99.9).to_string(), "p99.9");
        assert_eq!(SampleStat::Percentile(95.0).to_string(), "p95");
    }

    #[test]
    fn well_known_units_and_directions() {
        let k6 = PerfFormat::K6;
        assert_eq!(
            expected_unit(k6, "http_req_duration.p95"),
            Some(PerfUnit::Milliseconds)
        );
        assert_eq!(
            expected_unit(k6, "http_req_failed.rate"),
            Some(PerfUnit::Ratio)
        );
        assert_eq!(
            expected_unit(k6, "http_reqs.rate"),
            Some(PerfUnit::PerSecond)
        );
        assert_eq!(expected_unit(k6, "my_trend.p95"), None);
        assert_eq!(
            expected_direction(k6, "checks.rate"),
            Some(Direction::Higher)
        );
        assert_eq!(
            expected_direction(k6, "http_req_failed.rate"),
            Some(Direction::Lower)
        );
        let jmeter = PerfFormat::Jmeter;
        assert_eq!(
            expected_unit(jmeter, "checkout.p99"),
            Some(PerfUnit::Milliseconds)
        );
        assert_eq!(
            expected_unit(jmeter, "checkout.error_rate"),
            Some(PerfUnit::Ratio)
        );
        assert_eq!(
            expected_direction(jmeter, "Total.throughput"),
            Some(Direction::Higher)
        );
        assert_eq!(expected_unit(PerfFormat::Auto, "checkout.p99"), None);
        assert_eq!(expected_unit(PerfFormat::Generic, "checkout.p99"), None);
    }

    #[test]
    fn units_round_trip_through_their_spelling() {
        for u in [
            PerfUnit::Milliseconds,
            PerfUnit::Ratio,
            PerfUnit::Count,
            PerfUnit::PerSecond,
            PerfUnit::Bytes,
            PerfUnit::BytesPerSecond,
            PerfUnit::Number,
            PerfUnit::Other("MB".into()),
        ] {
            assert_eq!(PerfUnit::from_canonical(u.as_str()), u);
        }
    }
}
