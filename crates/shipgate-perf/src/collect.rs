//! Building the normalised evidence: metrics by `name.stat`, raw series, and the rules every
//! reader shares (finite values, directions from the naming conventions, stats of raw samples).

use crate::error::PerfError;
use shipgate_model::perf::{expected_direction, expected_unit, parse_percentile, split_metric};
use shipgate_model::{
    Direction, PerfEvidence, PerfFormat, PerfMetric, PerfProvenance, PerfUnit, RequestBasis,
    Requests, RunThresholds, SampleRef, SampleStat,
};
use std::collections::BTreeMap;

pub(crate) use crate::store::Samples;

/// The stats computed from raw response times, in the order they are listed.
pub(crate) const TIME_STATS: &[&str] = &["avg", "min", "med", "max", "p90", "p95", "p99"];

/// A metric's unit and, when known, whether lower or higher is better.
pub(crate) struct Shape {
    pub unit: PerfUnit,
    pub direction: Option<Direction>,
}

impl Shape {
    pub(crate) fn new(unit: PerfUnit, direction: Option<Direction>) -> Self {
        Self { unit, direction }
    }
}

/// Metrics and series of one file, being read.
pub(crate) struct Collector {
    tool: PerfFormat,
    path: String,
    format: String,
    metrics: BTreeMap<String, PerfMetric>,
    series: BTreeMap<String, Vec<f64>>,
    /// The counts of the series too large to hold (`PerfEvidence::sample_counts`).
    sample_counts: BTreeMap<String, u64>,
}

impl Collector {
    pub(crate) fn new(tool: PerfFormat, path: &str, format: &str) -> Self {
        Self {
            tool,
            path: path.to_owned(),
            format: format.to_owned(),
            metrics: BTreeMap::new(),
            series: BTreeMap::new(),
            sample_counts: BTreeMap::new(),
        }
    }

    /// An error at `at` in this file.
    pub(crate) fn invalid(&self, at: impl Into<String>, message: impl Into<String>) -> PerfError {
        PerfError::Invalid {
            path: self.path.clone(),
            format: self.format.clone(),
            at: at.into(),
            message: message.into(),
        }
    }

    /// The error of JSON in the file that could not be read.
    pub(crate) fn json(&self, source: shipgate_json::JsonError) -> PerfError {
        PerfError::Json {
            path: self.path.clone(),
            format: self.format.clone(),
            source,
        }
    }

    /// The unit a metric has by the tool's naming conventions, else `fallback`.
    pub(crate) fn unit_for(&self, metric: &str, fallback: PerfUnit) -> PerfUnit {
        expected_unit(self.tool, metric).unwrap_or(fallback)
    }

    /// Adds `name.stat`, its direction taken from the naming conventions unless given.
    pub(crate) fn metric(
        &mut self,
        name: &str,
        stat: &str,
        shape: Shape,
        value: f64,
        samples: Option<SampleRef>,
        at: &str,
    ) -> Result<(), PerfError> {
        let Shape { unit, direction } = shape;
        if !value.is_finite() {
            return Err(self.invalid(at, format!("the value of `{stat}` is not a finite number")));
        }
        let key = format!("{name}.{stat}");
        if let Some(why) = out_of_range(&unit, value) {
            return Err(self.invalid(at, format!("`{key}` is {value} {unit}: {why}")));
        }
        let direction = direction.or_else(|| expected_direction(self.tool, &key));
        if self.metrics.contains_key(&key) {
            return Err(self.invalid(
                at,
                format!(
                    "the metric `{key}` appears twice; shipgate cannot tell which one to gate on"
                ),
            ));
        }
        self.metrics.insert(
            key,
            PerfMetric {
                unit,
                direction,
                value,
                samples,
                requests: None,
            },
        );
        Ok(())
    }

    /// Records the requests behind `name`'s figures of requests: `requests` on its
    /// response-time stats, and every request (failed ones too) on its throughput, which the
    /// tools count over every request.
    pub(crate) fn requests(&mut self, name: &str, requests: Requests) {
        for (key, metric) in &mut self.metrics {
            let Some((n, stat)) = split_metric(key) else {
                continue;
            };
            if n != name {
                continue;
            }
            if is_time_stat(stat) && metric.unit == PerfUnit::Milliseconds {
                metric.requests = Some(requests);
            } else if stat == "throughput" {
                metric.requests = Some(Requests {
                    basis: RequestBasis::All,
                    ..requests
                });
            }
        }
    }

    /// The metric `key`, when it was added.
    pub(crate) fn get(&self, key: &str) -> Option<&PerfMetric> {
        self.metrics.get(key)
    }

    /// The metric `key` to change, when it was added.
    pub(crate) fn get_mut(&mut self, key: &str) -> Option<&mut PerfMetric> {
        self.metrics.get_mut(key)
    }

    /// The names of the metrics added so far.
    pub(crate) fn keys(&self) -> Vec<String> {
        self.metrics.keys().cloned().collect()
    }

    /// Adds a value with no raw samples, in the unit the naming conventions give (else
    /// `fallback`).
    pub(crate) fn value(
        &mut self,
        name: &str,
        stat: &str,
        fallback: PerfUnit,
        value: f64,
        at: &str,
    ) -> Result<(), PerfError> {
        let unit = self.unit_for(&format!("{name}.{stat}"), fallback);
        self.metric(name, stat, Shape::new(unit, None), value, None, at)
    }

    /// Registers a series of raw samples and the metrics computed from it: each of `stats`
    /// (`avg`, `min`, `med`, `max`, `pNN`), every one referring back to the samples. Nothing is
    /// added for an empty series.
    pub(crate) fn sampled(
        &mut self,
        name: &str,
        series: &str,
        samples: Samples,
        shape: Shape,
        stats: &[&str],
        at: &str,
    ) -> Result<(), PerfError> {
        let Some((first, last)) = samples.ends()? else {
            return Ok(());
        };
        // In `total_cmp` order, a value that is not finite is at one end or the other.
        if let Some(bad) = [first, last].into_iter().find(|v| !v.is_finite()) {
            return Err(self.invalid(
                at,
                format!("a sample of `{name}` is not a finite number ({bad})"),
            ));
        }
        // Every unit's range is an interval: the ends are enough (the lowest first, as the
        // ascending samples were checked before).
        self.check_samples(name, &[first, last], &shape.unit, at)?;
        for &stat in stats {
            let Some(sample_stat) = SampleStat::from_stat_name(stat) else {
                continue;
            };
            let Some(value) = samples.stat(sample_stat)? else {
                continue;
            };
            let samples = SampleRef {
                series: series.to_owned(),
                stat: sample_stat,
            };
            let shape = Shape::new(shape.unit.clone(), shape.direction);
            self.metric(name, stat, shape, value, Some(samples), at)?;
        }
        self.keep(series, samples);
        Ok(())
    }

    /// Hands a series on in the evidence: its values when held, else its count.
    fn keep(&mut self, series: &str, samples: Samples) {
        let count = samples.len();
        match samples.into_raw() {
            Some(raw) => {
                self.series.insert(series.to_owned(), raw);
            }
            None => {
                self.sample_counts.insert(series.to_owned(), count);
            }
        }
    }

    /// Registers failure flags (1 failed, 0 passed) as `name.error_rate` with its samples, and
    /// `name.count` and `name.errors`.
    pub(crate) fn failures(
        &mut self,
        name: &str,
        flags: Samples,
        at: &str,
    ) -> Result<(), PerfError> {
        if flags.is_empty() {
            return Ok(());
        }
        // Flags are 0 and 1: their sum is exact in any order.
        let errors: f64 = match flags.raw() {
            Some(raw) => raw.iter().sum(),
            None => flags.sum()?,
        };
        let count = flags.len() as f64;
        self.value(name, "count", PerfUnit::Count, count, at)?;
        self.value(name, "errors", PerfUnit::Count, errors, at)?;
        let series = format!("{name}#failed");
        let samples = SampleRef {
            series: series.clone(),
            stat: SampleStat::Mean,
        };
        let shape = Shape::new(PerfUnit::Ratio, Some(Direction::Lower));
        self.metric(name, "error_rate", shape, errors / count, Some(samples), at)?;
        self.keep(&series, flags);
        Ok(())
    }

    /// Refuses samples of `name` that its unit does not allow (a negative duration).
    pub(crate) fn check_samples(
        &self,
        name: &str,
        values: &[f64],
        unit: &PerfUnit,
        at: &str,
    ) -> Result<(), PerfError> {
        match values
            .iter()
            .find_map(|v| out_of_range(unit, *v).map(|why| (v, why)))
        {
            Some((v, why)) => {
                Err(self.invalid(at, format!("a sample of `{name}` is {v} {unit}: {why}")))
            }
            None => Ok(()),
        }
    }

    /// Keeps raw samples under `key` (metrics refer to them through a `SampleRef`).
    pub(crate) fn series(&mut self, key: &str, values: Vec<f64>) {
        self.series.insert(key.to_owned(), values);
    }

    /// Whether no metric was added yet.
    pub(crate) fn is_empty(&self) -> bool {
        self.metrics.is_empty()
    }

    /// The finished evidence. A file that yielded no metric is not evidence.
    pub(crate) fn finish(
        self,
        provenance: PerfProvenance,
        thresholds: RunThresholds,
    ) -> Result<PerfEvidence, PerfError> {
        if self.metrics.is_empty() {
            return Err(PerfError::NoMeasurements {
                path: self.path,
                format: self.format,
                what: "metrics".to_owned(),
            });
        }
        Ok(PerfEvidence {
            path: self.path,
            provenance,
            metrics: self.metrics,
            series: self.series,
            sample_counts: self.sample_counts,
            thresholds,
        })
    }
}

/// Whether a stat is one of a response time's: `avg`, `min`, `med`, `max`, `stddev`, `pNN`.
pub(crate) fn is_time_stat(stat: &str) -> bool {
    matches!(
        stat,
        "avg" | "mean" | "min" | "med" | "median" | "max" | "stddev"
    ) || parse_percentile(stat).is_some()
}

/// Why `value` cannot be a value in `unit`: durations, counts, fractions, rates per second and
/// sizes are never negative, and a fraction is at most 1. A plain number, or a unit shipgate does
/// not know, can be anything. `None` when the value fits.
pub(crate) fn out_of_range(unit: &PerfUnit, value: f64) -> Option<&'static str> {
    if *unit == PerfUnit::Ratio && value > 1.0 {
        return Some(
            "a fraction cannot be above 1 (100%); give a quantity that can exceed 100% the unit `number`",
        );
    }
    if value.is_nan() || value >= 0.0 {
        return None;
    }
    match unit {
        PerfUnit::Number | PerfUnit::Other(_) => None,
        PerfUnit::Milliseconds => Some("a duration cannot be negative"),
        PerfUnit::Ratio => Some("a fraction cannot be negative"),
        PerfUnit::Count => Some("a count cannot be negative"),
        PerfUnit::PerSecond => Some("a rate per second cannot be negative"),
        PerfUnit::Bytes => Some("a size in bytes cannot be negative"),
        PerfUnit::BytesPerSecond => Some("a rate in bytes per second cannot be negative"),
    }
}

/// How far a metric's value may be from what its own raw samples give, relative to that: 0.1%,
/// room for a value rounded to three or four digits and no more. The limits are checked on the
/// value and the significance test runs on the samples, so the two must describe the same run.
pub(crate) const SAMPLES_TOLERANCE: f64 = 1e-3;

/// When `value` is not the `stat` of the ascending samples `sorted`: what the samples give, for
/// the message. The mean, minimum and maximum are exact. A percentile may be anything between
/// what the usual definitions give: nearest rank, and linear interpolation as numpy, R, Excel and
/// k6 compute it (Hyndman & Fan's types 1, 2 and 4 to 9) all lie between the samples at 0-based
/// positions `n·p − 1` and `n·p`, interpolated. Either way within [`SAMPLES_TOLERANCE`] of it,
/// and of a billionth of the samples' magnitude for floating-point noise around 0.
pub(crate) fn contradicts_samples(value: f64, stat: SampleStat, sorted: &[f64]) -> Option<String> {
    let (first, last) = (*sorted.first()?, *sorted.last()?);
    let (computed, lo, hi) = match stat {
        SampleStat::Percentile(p) => {
            let q = p / 100.0;
            let nq = sorted.len() as f64 * q;
            (
                shipgate_stats::percentile(sorted, q)?,
                at_position(sorted, nq - 1.0)?,
                at_position(sorted, nq)?,
            )
        }
        _ => {
            let v = stat_of_sorted(sorted, stat)?;
            (v, v, v)
        }
    };
    let tolerance = SAMPLES_TOLERANCE * lo.abs().max(hi.abs()) + 1e-9 * first.abs().max(last.abs());
    if value >= lo - tolerance && value <= hi + tolerance {
        return None;
    }
    Some(if lo == hi {
        format!("{computed}")
    } else {
        format!("{computed} (from {lo} to {hi} by the usual percentile definitions)")
    })
}

/// The ascending samples interpolated at 0-based position `h`, held to the first and last.
fn at_position(sorted: &[f64], h: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let h = h.clamp(0.0, last as f64);
    let floor = h.floor();
    // `h` lies in [0, n − 1], so the cast is exact.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let lo = floor as usize;
    let low = *sorted.get(lo)?;
    let frac = h - floor;
    if frac == 0.0 {
        return Some(low);
    }
    let high = *sorted.get(lo + 1)?;
    Some(low + frac * (high - low))
}

/// A sample statistic of ascending values.
pub(crate) fn stat_of_sorted(sorted: &[f64], stat: SampleStat) -> Option<f64> {
    match stat {
        SampleStat::Mean => shipgate_stats::mean(sorted),
        SampleStat::Percentile(p) => shipgate_stats::percentile(sorted, p / 100.0),
        SampleStat::Min => sorted.first().copied(),
        SampleStat::Max => sorted.last().copied(),
    }
}

/// The requests behind a figure, from a count and a number of failures as a file writes them
/// (whole numbers; a count below its failures is held to them).
pub(crate) fn requests_of(total: f64, failed: f64, basis: RequestBasis) -> Requests {
    // Counts are whole and never negative (checked as the metrics were added).
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "counts read from a file are whole, non-negative numbers"
    )]
    let (total, failed) = (total.round() as u64, failed.round() as u64);
    Requests {
        total: total.max(failed),
        failed,
        basis,
    }
}

/// One name's requests, timed one by one as a JTL or Gatling's log records them: the failure
/// flags (a bit a request, `None` once the store let them go), the counts, and the two series of
/// response times (successful and failed) in the store.
pub(crate) struct TimedRequests {
    pub(crate) flags: Option<Vec<u64>>,
    pub(crate) total: u64,
    pub(crate) failed: u64,
    pub(crate) ok: crate::store::SeriesId,
    pub(crate) failed_times: crate::store::SeriesId,
}

impl Collector {
    /// Adds a name's error rate, response times and request counts. Response times are of the
    /// successful requests only: a refused connection answers in a millisecond and a timeout in
    /// seconds, and either would move the latency. With no successful request, the times of the
    /// failed ones, marked as such (a latency check never passes them).
    pub(crate) fn timed_requests(
        &mut self,
        store: &mut crate::store::Store,
        name: &str,
        at: &str,
        r: TimedRequests,
    ) -> Result<(), PerfError> {
        let (times, unused, basis) = if r.failed == r.total {
            (r.failed_times, r.ok, RequestBasis::All)
        } else {
            (r.ok, r.failed_times, RequestBasis::Successful)
        };
        drop(store.finish(unused)?);
        // The flags written out as 0/1 when the store has room for them in the evidence, else by
        // their counts: the same figures either way.
        let flags = match r.flags {
            Some(bits) if usize::try_from(r.total).is_ok_and(|n| store.hold(n)) => Samples::new(
                (0..r.total)
                    .map(|i| {
                        let set = usize::try_from(i / 64)
                            .ok()
                            .and_then(|w| bits.get(w))
                            .is_some_and(|w| w >> (i % 64) & 1 == 1);
                        if set { 1.0 } else { 0.0 }
                    })
                    .collect(),
            ),
            _ => Samples::flags(r.failed, r.total, &self.path),
        };
        self.failures(name, flags, at)?;
        self.sampled(
            name,
            name,
            store.finish(times)?,
            Shape::new(PerfUnit::Milliseconds, Some(Direction::Lower)),
            TIME_STATS,
            at,
        )?;
        self.requests(
            name,
            Requests {
                total: r.total,
                failed: r.failed,
                basis,
            },
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn samples_sort_as_total_cmp_does_every_kind_of_float() {
        let mut raw = vec![
            3.5,
            -0.0,
            0.0,
            -1.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::MIN_POSITIVE / 4.0,
            -f64::MIN_POSITIVE / 4.0,
            f64::MAX,
            f64::MIN,
            1e-300,
            42.0,
            42.0,
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..5000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            raw.push(f64::from_bits(state));
            raw.push((state % 1000) as f64 / 7.0);
        }
        let mut expected = raw.clone();
        expected.sort_by(f64::total_cmp);
        let mut keys: Vec<u64> = raw
            .iter()
            .map(|v| crate::store::total_order_key(*v))
            .collect();
        crate::store::sort_keys(&mut keys);
        let sorted: Vec<f64> = keys
            .into_iter()
            .map(crate::store::from_total_order_key)
            .collect();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&sorted), bits(&expected));
    }
}
