//! The performance part of the policy: `sources.performance`, `checks.performance` and the
//! limits they take, and the rules a policy must follow before any file is read.
//!
//! ```yaml
//! sources:
//!   performance:
//!     current:  { format: k6, path: perf/summary.json }   # or runs: [a.json, b.json, c.json]
//!     baseline: { format: baseline, path: perf/baseline.json }
//! checks:
//!   performance:
//!     - metric: http_req_duration.p95
//!       max: 300ms
//!       max_regression: 10%
//!       min_change: 20ms
//!     - metric: http_req_failed.rate
//!       max: 1%
//! ```

use crate::values::{DurationSpec, Percent, TextOrNumber};
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde::de::{self, Deserializer};
use shipgate_model::{Direction, PerfFormat, PerfUnit};
use shipgate_model::{Level, OnMissing};
use std::borrow::Cow;
use std::fmt;

/// Load-test results: the run being released, and the baseline it is compared with.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerformanceSources {
    /// The results of this release's load test: one run (`path`) or several runs of the same
    /// release (`runs`), judged together.
    pub current: CurrentResults,
    /// The last good runs: a baseline written by `shipgate perf baseline promote` (several runs,
    /// each checked against its own file), or any file the `current` run could be (one run).
    /// Needed by `max_regression`.
    pub baseline: Option<PerfFile>,
    /// Whether a baseline measured by another tool than the results may be compared with them
    /// (default: refused, since tools time requests differently).
    pub compare_across_tools: Option<bool>,
}

/// One results file.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerfFile {
    /// `auto` (default: recognised from the content), `k6`, `jmeter`, `locust`, `gatling`,
    /// `generic` (also the Bencher Metric Format) or `baseline` (written by `shipgate perf
    /// baseline promote`).
    pub format: Option<PerfFormat>,
    /// The file, relative to the policy file's folder.
    pub path: String,
    /// The baseline only: runs older than this (`90d`) are left out of the comparison, and a
    /// baseline with no run left blocks as missing. A run's age is from when it ran, else from
    /// when it was promoted.
    pub max_age: Option<DurationSpec>,
}

/// The results of this release's load test, validated: one file or several, never none.
///
/// Written as `{format, path}` (one run) or `{format, runs: [a.csv, b.csv, c.csv]}` (several
/// runs of the same release, at least two, each once, each relative to the policy's folder).
#[derive(Clone, Debug)]
pub struct CurrentResults {
    /// The format of every run: `auto` (default), `k6`, `jmeter`, `locust`, `gatling`,
    /// `generic` or `baseline`.
    pub format: Option<PerfFormat>,
    /// The run's file, or the runs' files in the order written.
    pub files: RunFiles,
    /// Not for the results (refused by the validator with where the age of results is set); kept
    /// so that the refusal can say so rather than call it an unknown key.
    pub max_age: Option<DurationSpec>,
}

/// One file (`path`) or several (`runs`): at least one by construction, and `runs` at least
/// two, distinct and none empty.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunFiles {
    first: String,
    more: Vec<String>,
    /// Written as `runs` (several runs), rather than `path`.
    listed: bool,
}

impl RunFiles {
    /// One file, as `path` names it.
    pub fn one(path: impl Into<String>) -> Self {
        Self {
            first: path.into(),
            more: Vec::new(),
            listed: false,
        }
    }

    /// Every file, in the order written.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.first.as_str()).chain(self.more.iter().map(String::as_str))
    }

    /// The first (for `path`, the only) file.
    pub fn first(&self) -> &str {
        &self.first
    }

    /// How many files: 1 for `path`, at least 2 for `runs`.
    pub fn len(&self) -> usize {
        1 + self.more.len()
    }

    /// Never: a [`RunFiles`] holds at least one file. (For clippy's `len_without_is_empty`.)
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The policy key the files were written under: `path` or `runs`.
    pub fn key(&self) -> &'static str {
        if self.listed { "runs" } else { "path" }
    }
}

/// `sources.performance.current` as written.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RawCurrent {
    /// `auto` (default: recognised from the content), `k6`, `jmeter`, `locust`, `gatling`,
    /// `generic` (also the Bencher Metric Format) or `baseline`; the same for every run.
    format: Option<PerfFormat>,
    /// The results file of one run, relative to the policy file's folder.
    path: Option<String>,
    /// Instead of `path`: the files of several runs of the same release (at least two, each
    /// once), relative to the policy file's folder, judged together: a duration or throughput
    /// by the median of the runs, absolute limits and ratios on every run (decision 0028).
    #[serde(default, deserialize_with = "written")]
    #[schemars(with = "Option<Vec<String>>")]
    runs: Option<Option<Vec<Option<String>>>>,
    /// Refused: `max_age` is the baseline's.
    max_age: Option<DurationSpec>,
}

/// A key that is written, null or not: `runs: ~` is `Some(None)`, never taken for no key.
fn written<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl TryFrom<RawCurrent> for CurrentResults {
    type Error = String;

    fn try_from(raw: RawCurrent) -> Result<Self, String> {
        const HOW: &str = "write `path: perf/run.csv` for one run, or `runs: [perf/run-1.csv, perf/run-2.csv, perf/run-3.csv]` for several runs of the release";
        let files = match (raw.path, raw.runs) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "`sources.performance.current` has both `path` and `runs`: {HOW}, not both"
                ));
            }
            (None, None) => {
                return Err(format!(
                    "`sources.performance.current` names no results: {HOW}"
                ));
            }
            (Some(path), None) => RunFiles::one(path),
            (None, Some(None)) => {
                return Err(format!(
                    "`sources.performance.current.runs` is null: list the files of at least two runs, or {HOW}"
                ));
            }
            (None, Some(Some(runs))) => several(runs)?,
        };
        Ok(Self {
            format: raw.format,
            files,
            max_age: raw.max_age,
        })
    }
}

/// The files of `runs`: at least two, none empty, none twice (a run listed twice would count
/// twice and outvote another).
fn several(runs: Vec<Option<String>>) -> Result<RunFiles, String> {
    if runs.len() < 2 {
        return Err(format!(
            "`sources.performance.current.runs` lists {} file{}: several runs need at least two (three or more let the median pass over one disturbed run); for one run write `path: FILE`",
            runs.len(),
            if runs.len() == 1 { "" } else { "s" }
        ));
    }
    let mut files: Vec<String> = Vec::with_capacity(runs.len());
    for (i, run) in runs.into_iter().enumerate() {
        let Some(file) = run.filter(|f| !f.trim().is_empty()) else {
            return Err(format!(
                "`sources.performance.current.runs[{i}]` is empty: name the results file of a run, e.g. `perf/run-{}.csv`",
                i + 1
            ));
        };
        let key = normalised(&file);
        if let Some(j) = files.iter().position(|f| normalised(f) == key) {
            return Err(format!(
                "`sources.performance.current.runs[{i}]` (`{file}`) is `runs[{j}]` again: each run counts once, so list each file once"
            ));
        }
        files.push(file);
    }
    let mut files = files.into_iter();
    let Some(first) = files.next() else {
        return Err("`sources.performance.current.runs` lists no file".to_owned());
    };
    Ok(RunFiles {
        first,
        more: files.collect(),
        listed: true,
    })
}

/// A file name compared for repetition: `./a.csv` and `a.csv`, `perf//a.csv`, `x/../perf/a.csv`
/// and `perf/a.csv` are one file. (Lexical only; the evidence loader refuses the same bytes
/// twice, however named.)
fn normalised(file: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in file.trim().split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

impl<'de> Deserialize<'de> for CurrentResults {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawCurrent::deserialize(d)?;
        // Neither key: reported as the missing `path`, which the policy reader leaves out when
        // `path` was written and refused already (an empty value), instead of saying it twice.
        if raw.path.is_none() && raw.runs.is_none() {
            return Err(de::Error::missing_field("path"));
        }
        CurrentResults::try_from(raw).map_err(de::Error::custom)
    }
}

impl JsonSchema for CurrentResults {
    fn schema_name() -> Cow<'static, str> {
        "PerfCurrent".into()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        RawCurrent::json_schema(generator)
    }
}

/// One `performance.<metric>` check.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerformanceSection {
    /// The metric, as `name.stat`: `http_req_duration.p95` (k6), `checkout.p99` (a JMeter
    /// label), `Aggregated.error_rate` (Locust). `shipgate inspect perf FILE` lists them.
    pub metric: String,
    /// The largest acceptable value: `300ms` for a duration, `1%` for a rate, a plain number
    /// for anything else (throughput per second, counts).
    pub max: Option<PerfLimit>,
    /// The smallest acceptable value (for throughput, check pass rates).
    pub min: Option<PerfLimit>,
    /// The largest acceptable worsening against the baseline, relative to it (`10%`):
    /// direction-aware, and, where both runs have raw samples, only when statistically
    /// significant.
    pub max_regression: Option<Percent>,
    /// The largest share of failed requests a figure of requests (a latency, a throughput) is
    /// judged with (default 1%): above it, or with no successful request at all, the check
    /// fails whatever the figure, since failed requests (a refused connection, a timeout) move
    /// it. `100%` judges the figure whatever failed, but never one with no successful request.
    pub max_failed_share: Option<Percent>,
    /// The noise floor of `max_regression`: a change smaller than this (`20ms`, `0.5%` for a
    /// rate, a number) never counts as a regression, whatever its percentage.
    pub min_change: Option<PerfLimit>,
    /// The significance level of the test over the baseline's runs (default 0.05): a
    /// worsening beyond `max_regression` is treated as noise only when it is not beyond it by
    /// more than runs differ, at this level.
    pub alpha: Option<Alpha>,
    /// No longer read: the comparison is over the baseline's runs, not over raw samples
    /// (decision 0024). Refused with that explanation rather than as an unknown key.
    #[schemars(skip)]
    pub min_samples: Option<u64>,
    /// `lower` or `higher` is better, for a metric whose file does not say (a custom metric).
    pub direction: Option<Direction>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when the results, the baseline or the metric are missing or
    /// unreadable, or the two runs cannot be compared.
    pub on_missing: Option<OnMissing>,
}

/// The default significance level.
pub const DEFAULT_ALPHA: f64 = 0.05;
/// The default largest failed share of the requests behind a figure of requests: 1%, k6's own
/// example threshold (`http_req_failed: ['rate<0.01']`).
pub const DEFAULT_MAX_FAILED_SHARE: f64 = 0.01;

/// What kind of quantity a limit is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitKind {
    /// `300ms`, `1.5s`.
    Duration,
    /// `1%`, `0.5%`.
    Percent,
    /// `250`, `0.01`.
    Number,
}

/// A limit on a metric, with its unit as written: a duration (`300ms`), a percentage (`1%`) or a
/// plain number (`250`). Whether it fits the metric is checked against the metric's unit.
#[derive(Clone, Debug, PartialEq)]
pub struct PerfLimit {
    text: String,
    kind: LimitKind,
    /// Milliseconds for a duration, a fraction for a percentage, the number otherwise.
    pub(crate) value: f64,
}

impl PerfLimit {
    /// Parses `300ms`, `1.5s`, `1%`, `250` or `0.01`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let hint = "write a duration (`300ms`, `1.5s`), a percentage (`1%`) or a plain number in the metric's own unit (`250`)";
        if let Some(number) = t.strip_suffix('%') {
            let v: f64 = number
                .trim()
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| format!("`{t}` is not a percentage; {hint}"))?;
            if !(0.0..=100.0).contains(&v) {
                return Err(format!("`{t}` is not between 0% and 100%"));
            }
            return Ok(Self {
                text: t.to_owned(),
                kind: LimitKind::Percent,
                value: v / 100.0,
            });
        }
        if let Ok(v) = t.parse::<f64>() {
            if !v.is_finite() {
                return Err(format!("`{t}` is not a finite number"));
            }
            return Ok(Self {
                text: t.to_owned(),
                kind: LimitKind::Number,
                value: v,
            });
        }
        match DurationSpec::parse(t) {
            Ok(d) => Ok(Self {
                text: t.to_owned(),
                kind: LimitKind::Duration,
                value: d.get().as_secs_f64() * 1000.0,
            }),
            Err(_) => Err(format!("`{t}` is not a limit shipgate reads; {hint}")),
        }
    }

    /// As written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What kind of quantity it is.
    pub fn kind(&self) -> LimitKind {
        self.kind
    }

    /// The limit in the unit of a metric, or why it does not fit: a duration fits only
    /// durations, a percentage only ratios, and a plain number anything but a duration (a
    /// bare `300` could be milliseconds or seconds) and, for a ratio, only from 0 to 1.
    pub fn in_unit(&self, unit: &PerfUnit) -> Result<f64, String> {
        let t = &self.text;
        match (unit, self.kind) {
            (PerfUnit::Milliseconds, LimitKind::Duration) => Ok(self.value),
            (PerfUnit::Milliseconds, LimitKind::Percent) => Err(format!(
                "`{t}` is a percentage, but the metric is a duration: write a duration such as `300ms`"
            )),
            (PerfUnit::Milliseconds, LimitKind::Number) => Err(format!(
                "`{t}` has no unit, but the metric is a duration: write it with its unit, such as `{t}ms` or `{t}s`"
            )),
            (PerfUnit::Ratio, LimitKind::Percent) => Ok(self.value),
            (PerfUnit::Ratio, LimitKind::Number) if (0.0..=1.0).contains(&self.value) => {
                Ok(self.value)
            }
            (PerfUnit::Ratio, LimitKind::Number) => Err(format!(
                "`{t}` is more than 1, but the metric is a ratio: write a percentage such as `{t}%` or a fraction such as `0.01`"
            )),
            (PerfUnit::Ratio, LimitKind::Duration) => Err(format!(
                "`{t}` is a duration, but the metric is a ratio: write a percentage such as `1%`"
            )),
            (_, LimitKind::Number) => Ok(self.value),
            (other, kind) => Err(format!(
                "`{t}` is a {}, but the metric is {}: write a plain number in its unit (`{}`)",
                if kind == LimitKind::Duration {
                    "duration"
                } else {
                    "percentage"
                },
                other.describe(),
                other.as_str()
            )),
        }
    }
}

impl fmt::Display for PerfLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for PerfLimit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = d.deserialize_str(TextOrNumber("a limit such as `300ms`, `1%` or `250`"))?;
        PerfLimit::parse(&text).map_err(de::Error::custom)
    }
}

impl JsonSchema for PerfLimit {
    fn schema_name() -> Cow<'static, str> {
        "PerfLimit".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A limit in the metric's unit: a duration (`300ms`, `1.5s`) for a duration, a percentage (`1%`) or a fraction (`0.01`) for a ratio, a plain number for anything else.",
            "oneOf": [
                { "type": "string", "pattern": "^\\s*-?[0-9]+(\\.[0-9]+)?\\s*(%|ns|us|µs|ms|s|m|min|h)?\\s*$" },
                { "type": "number" }
            ]
        })
    }
}

/// A significance level between 0 and 0.5, both exclusive (`0.05`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Alpha(pub f64);

impl<'de> Deserialize<'de> for Alpha {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = d.deserialize_str(TextOrNumber("a significance level such as `0.05`"))?;
        let t = text.trim();
        match t.parse::<f64>() {
            // The test over the runs is one-sided: at a level of 0.5 or more its critical t is 0
            // or below, so a worsening no more likely beyond the allowance than within it would
            // count as a regression: that is no significance level.
            Ok(v) if v > 0.0 && v < 0.5 => Ok(Alpha(v)),
            Ok(_) => Err(de::Error::custom(format!(
                "`{t}` is not a significance level between 0 and 0.5 (both exclusive); the usual one is `0.05`"
            ))),
            Err(_) => Err(de::Error::custom(format!(
                "`{t}` is not a number; write a significance level such as `0.05`"
            ))),
        }
    }
}

impl JsonSchema for Alpha {
    fn schema_name() -> Cow<'static, str> {
        "Alpha".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A significance level, greater than 0 and less than 0.5 (default 0.05).",
            "type": "number",
            "exclusiveMinimum": 0,
            "exclusiveMaximum": 0.5
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_read_with_their_unit() {
        let l = PerfLimit::parse("300ms").unwrap();
        assert_eq!((l.kind(), l.value), (LimitKind::Duration, 300.0));
        assert_eq!(PerfLimit::parse("1.5s").unwrap().value, 1500.0);
        let p = PerfLimit::parse("1%").unwrap();
        assert_eq!((p.kind(), p.value), (LimitKind::Percent, 0.01));
        let n = PerfLimit::parse("250").unwrap();
        assert_eq!((n.kind(), n.value), (LimitKind::Number, 250.0));
        assert_eq!(PerfLimit::parse("-3.5").unwrap().value, -3.5);
        assert!(
            PerfLimit::parse("150%")
                .unwrap_err()
                .contains("between 0% and 100%")
        );
        assert!(
            PerfLimit::parse("5MB")
                .unwrap_err()
                .contains("not a limit shipgate reads")
        );
        assert!(PerfLimit::parse("fast").is_err());
    }

    #[test]
    fn a_limit_fits_only_a_metric_of_its_kind() {
        let ms = PerfUnit::Milliseconds;
        assert_eq!(PerfLimit::parse("300ms").unwrap().in_unit(&ms), Ok(300.0));
        assert!(
            PerfLimit::parse("1%")
                .unwrap()
                .in_unit(&ms)
                .unwrap_err()
                .contains("is a percentage")
        );
        assert!(
            PerfLimit::parse("300")
                .unwrap()
                .in_unit(&ms)
                .unwrap_err()
                .contains("`300ms`")
        );
        let ratio = PerfUnit::Ratio;
        assert_eq!(PerfLimit::parse("1%").unwrap().in_unit(&ratio), Ok(0.01));
        assert_eq!(PerfLimit::parse("0.01").unwrap().in_unit(&ratio), Ok(0.01));
        assert!(
            PerfLimit::parse("5")
                .unwrap()
                .in_unit(&ratio)
                .unwrap_err()
                .contains("`5%`")
        );
        assert!(PerfLimit::parse("2s").unwrap().in_unit(&ratio).is_err());
        let rps = PerfUnit::PerSecond;
        assert_eq!(PerfLimit::parse("250").unwrap().in_unit(&rps), Ok(250.0));
        let e = PerfLimit::parse("250ms")
            .unwrap()
            .in_unit(&rps)
            .unwrap_err();
        assert!(e.contains("a rate per second") && e.contains("`/s`"), "{e}");
        assert!(
            PerfLimit::parse("5%")
                .unwrap()
                .in_unit(&PerfUnit::Count)
                .is_err()
        );
    }
}
