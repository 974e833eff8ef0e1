//! `performance.<metric>`: one metric of the current load test against absolute limits and
//! against the baseline, where a worsening counts only if it is beyond the limits and real.
//!
//! The rules, in order:
//!
//! 1. The current results must be there and hold the metric; otherwise `on_missing` decides.
//! 2. `max` / `min`: the current value against them, nothing else.
//! 3. A figure of requests (a latency, a throughput) with no successful request behind it, or
//!    with more failed requests than `max_failed_share`, fails whatever its value.
//! 4. `max_regression`: the baseline must be there, with a run within `max_age` and measured by
//!    the same tool unless `compare_across_tools` (else the check fails, whatever `on_missing`
//!    says: such a baseline is there, not missing), hold the metric in the same
//!    unit and of the same requests, and the metric's direction must be known (from the file or
//!    `direction:`); otherwise `on_missing` decides (an unknown direction is a policy problem and
//!    fails). The worsening is measured from the mean of the baseline's runs (current − mean for
//!    lower-is-better, mean − current for higher-is-better) and must exceed both
//!    `max_regression × |mean|` and `min_change`. A baseline of 0 has no relative change: then
//!    any worsening beyond `min_change` (or at all, without one) counts.
//! 5. A worsening beyond the limits counts unless it is within the way runs differ: a one-sided
//!    t-test over the baseline's runs of "worse than their mean by more than the allowance"
//!    (decision 0024), at `alpha`. The test excuses a worsening only when it would catch one of
//!    twice the allowance 19 times in 20; a ratio (failures are events, not timings), a
//!    baseline of one run, runs that all gave the same value and runs that differ too much for
//!    that count as they are: a gate must not pass what it cannot tell from noise.

use super::findings::{in_future, older_than};
use super::result::CheckRun;
use crate::checks::PerfCheck;
use crate::performance::PerfLimit;
use crate::provenance::DEFAULT_CLOCK_SKEW;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::perf::split_metric;
use shipgate_model::{
    CheckResult, CheckStatus, Direction, EvidenceProblem, PerfBaseline, PerfEvidence, PerfMetric,
    PerfRuns, PerfUnit, RequestBasis, SourceState,
};
use shipgate_model::{CheckUnit, SourceId};

/// Why a ratio (an error rate, a check pass rate) is never excused as noise.
const EVENTS: &str = "a ratio counts events (failed requests, failed checks), not timings a busy machine stretches, so a worsening is never excused as noise; `min_change` (`0.5%`) allows a few";

/// The limits of a check in the metric's unit.
struct Limits {
    max: Option<f64>,
    min: Option<f64>,
    min_change: Option<f64>,
}

/// Evaluates one `performance.<metric>` check.
pub(crate) fn check(cfg: &PerfCheck, runs: &PerfRuns, now: Timestamp) -> CheckResult {
    let check = CheckRun::new(cfg.id(), cfg.settings);
    let current = match check.source(&runs.current, Value::Null) {
        Ok(e) => e,
        Err(r) => return *r,
    };
    if current.len() > 1 {
        return several::check(cfg, &check, runs, current, now);
    }
    let current = current.first();
    let Some(metric) = current.metrics.get(&cfg.metric) else {
        return missing(&check, lacks(current, "the results", &cfg.metric));
    };
    let limits = match limits(cfg, &metric.unit) {
        Ok(l) => l,
        Err((key, why)) => {
            let (unit_name, scale) = CheckUnit::of_metric(&metric.unit);
            return check.measured(
                false,
                json!(metric.value * scale),
                Value::Null,
                unit_name,
                format!("`{key}` of `{}` does not fit the metric: {why}", cfg.metric),
                Some(format!(
                    "correct `{key}` in the policy; `{}` is {} in `{}`",
                    cfg.metric,
                    metric.unit.describe(),
                    current.path
                )),
                Map::new(),
            );
        }
    };
    if let Some(result) = untrustworthy(cfg, &check, current, metric) {
        return result;
    }
    let value = metric.value;
    let over_max = limits.max.is_some_and(|m| value > m);
    let under_min = limits.min.is_some_and(|m| value < m);
    let absolute_failed = over_max || under_min;

    let mut details = Map::new();
    details.insert("metric".into(), json!(cfg.metric));
    details.insert("unit".into(), json!(metric.unit.as_str()));
    details.insert("current".into(), side(current, metric));
    details.insert("limits".into(), written_limits(cfg));

    let comparison = match cfg.max_regression {
        None => None,
        Some(max_regression) => match compare(
            cfg,
            &check,
            runs,
            &Current::one(current, metric),
            &limits,
            max_regression.as_f64(),
            now,
        ) {
            Ok(c) => Some(c),
            Err(result) => {
                // An unreadable baseline is never hidden behind a failure that could be waived:
                // the gate itself needs attention (exit 4).
                if !absolute_failed || result.status == CheckStatus::Error {
                    let mut r = *result;
                    if absolute_failed {
                        r.message.push_str(&format!(
                            "; besides, `{}` is {}, outside its absolute limits",
                            cfg.metric,
                            show(metric.value, &metric.unit)
                        ));
                    }
                    return r;
                }
                // The absolute limit failed anyway; say so, and why the baseline could not help.
                details.insert("baseline_problem".into(), json!(result.message));
                None
            }
        },
    };
    let regressed = comparison.as_ref().is_some_and(Comparison::regressed);
    let passed = !absolute_failed && !regressed;

    let unit = &metric.unit;
    let mut parts = vec![format!(
        "`{}` is {}{}",
        cfg.metric,
        show(value, unit),
        requests_note(metric)
    )];
    if let Some(m) = limits.max {
        parts.push(if over_max {
            format!("above the maximum of {}", show(m, unit))
        } else {
            format!("within the maximum of {}", show(m, unit))
        });
    }
    if let Some(m) = limits.min {
        parts.push(if under_min {
            format!("below the minimum of {}", show(m, unit))
        } else {
            format!("above the minimum of {}", show(m, unit))
        });
    }
    if let Some(c) = &comparison {
        explain_comparison(cfg, c, unit, &mut parts, &mut details);
    }
    let message = parts.join("; ");
    let remedy = (!passed).then(|| {
        if regressed {
            format!(
                "find what made `{}` worse since the baseline and fix it; if the new level is intended, start a new baseline from this run in review (`shipgate perf baseline promote RUN --out BASELINE --fresh`, then promote more runs of it)",
                cfg.metric
            )
        } else if over_max {
            format!("bring `{}` down to {} or below", cfg.metric, limits.max.map_or_else(String::new, |m| show(m, unit)))
        } else {
            format!("bring `{}` up to {} or above", cfg.metric, limits.min.map_or_else(String::new, |m| show(m, unit)))
        }
    });
    let (unit_name, scale) = CheckUnit::of_metric(unit);
    check.measured(
        passed,
        json!(value * scale),
        threshold(&limits, comparison.as_ref(), scale),
        unit_name,
        message,
        remedy,
        details,
    )
}

/// Beside a figure of requests: which requests it is of and how many failed, ` (of 1,197
/// successful requests; 3 of 1,200 failed: 0.25%)`. A latency whose file does not say how many
/// requests failed says so.
fn requests_note(metric: &PerfMetric) -> String {
    match metric.requests {
        Some(r) => {
            let share = r
                .failed_share()
                .map_or_else(String::new, |s| format!(": {}", show(s, &PerfUnit::Ratio)));
            let of = match r.basis {
                RequestBasis::Successful => format!(
                    "of {} successful requests",
                    show(r.successful() as f64, &PerfUnit::Count)
                ),
                RequestBasis::All => format!(
                    "of all {} requests, failed ones included",
                    show(r.total as f64, &PerfUnit::Count)
                ),
            };
            format!(
                " ({of}; {} of {} failed{share})",
                show(r.failed as f64, &PerfUnit::Count),
                show(r.total as f64, &PerfUnit::Count)
            )
        }
        None if metric.unit == PerfUnit::Milliseconds => {
            " (the file does not say how many requests failed)".to_owned()
        }
        None => String::new(),
    }
}

/// A figure of requests that must not be judged: no successful request behind it, or more
/// failed than `max_failed_share`. The check fails whatever the figure (a refused connection
/// answers in a millisecond and a timeout in seconds, so the failures move it), and says what to
/// do instead.
fn untrustworthy(
    cfg: &PerfCheck,
    check: &CheckRun,
    current: &PerfEvidence,
    metric: &PerfMetric,
) -> Option<CheckResult> {
    let r = metric.requests?;
    let share = r.failed_share().unwrap_or(1.0);
    let no_success = r.successful() == 0;
    if !no_success && share <= cfg.max_failed_share {
        return None;
    }
    let (unit_name, scale) = CheckUnit::of_metric(&metric.unit);
    let name = split_metric(&cfg.metric).map_or(cfg.metric.as_str(), |(n, _)| n);
    let message = if no_success {
        format!(
            "`{}` is {} of requests that all failed ({} of {}): with no successful request there is nothing to judge it on",
            cfg.metric,
            show(metric.value, &metric.unit),
            show(r.failed as f64, &PerfUnit::Count),
            show(r.total as f64, &PerfUnit::Count),
        )
    } else {
        format!(
            "`{}` is {}{}, but {} of its requests failed, more than the {} a figure of requests is judged with (`max_failed_share`): the failures move it",
            cfg.metric,
            show(metric.value, &metric.unit),
            requests_note(metric),
            show(share, &PerfUnit::Ratio),
            show(cfg.max_failed_share, &PerfUnit::Ratio),
        )
    };
    let remedy = format!(
        "find why the requests of `{name}` in `{}` failed (the load test's error messages; the error rate is `{name}.error_rate` or k6's `http_req_failed.rate`), fix it, and run the load test again; a latency is judged once the requests succeed",
        current.path
    );
    let mut details = Map::new();
    details.insert("metric".into(), json!(cfg.metric));
    details.insert("unit".into(), json!(metric.unit.as_str()));
    details.insert("current".into(), side(current, metric));
    details.insert("max_failed_share".into(), json!(cfg.max_failed_share));
    Some(check.measured(
        false,
        json!(metric.value * scale),
        Value::Null,
        unit_name,
        message,
        Some(remedy),
        details,
    ))
}

/// The results' side of a comparison: one run, or several runs of the release judged together.
struct Current<'a> {
    /// The first run and its metric: their tool, unit, request basis and direction stand for
    /// every run (several runs are checked alike before they are compared).
    run: &'a PerfEvidence,
    metric: &'a PerfMetric,
    /// Each run's value, in the order the policy lists the runs.
    values: Vec<f64>,
    /// The results in messages: the run's file, or the runs' files.
    label: String,
}

impl<'a> Current<'a> {
    fn one(run: &'a PerfEvidence, metric: &'a PerfMetric) -> Self {
        Self {
            run,
            metric,
            values: vec![metric.value],
            label: run.path.clone(),
        }
    }

    /// How many runs.
    fn n(&self) -> usize {
        self.values.len()
    }

    /// The value shown before the direction is known: the run's, or the runs' median.
    fn shown(&self) -> f64 {
        if self.n() == 1 {
            self.metric.value
        } else {
            shipgate_stats::median(&self.values).unwrap_or(f64::NAN)
        }
    }

    /// The value compared with the baseline: the run's; of several runs, the worst for a ratio
    /// (failures are events, never outvoted) and the median otherwise (one disturbed run
    /// among three does not move it).
    fn compared(&self, direction: Direction) -> f64 {
        if self.n() == 1 {
            return self.metric.value;
        }
        if self.metric.unit == PerfUnit::Ratio {
            let worst = match direction {
                Direction::Lower => self
                    .values
                    .iter()
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max),
                Direction::Higher => self.values.iter().copied().fold(f64::INFINITY, f64::min),
            };
            return worst;
        }
        self.shown()
    }
}

/// One run of the baseline that holds the metric.
struct BaseRun<'a> {
    run: &'a PerfEvidence,
    metric: &'a PerfMetric,
}

/// How the comparison with the baseline came out.
struct Comparison<'a> {
    baseline: &'a PerfBaseline,
    /// The runs compared with, oldest first.
    runs: Vec<BaseRun<'a>>,
    /// The runs left out as older than `max_age`.
    stale: usize,
    /// The mean of the runs' values: what the current value is compared with.
    center: f64,
    /// The runs' sample standard deviation (2 runs or more): how much runs differ.
    spread: Option<f64>,
    /// The current value: the run's, or of several runs the median (the worst for a ratio).
    metric_value: f64,
    /// How many current runs it is of.
    current_runs: usize,
    direction: Direction,
    /// How much worse the current value is than `center` (negative: better).
    worsening: f64,
    /// `worsening / |center|`; `None` for a baseline of 0.
    relative: Option<f64>,
    /// The largest acceptable worsening: `max(max_regression × |center|, min_change)`.
    allowed: f64,
    /// Beyond `max_regression` and `min_change`.
    beyond: bool,
    judgement: Judgement,
}

impl Comparison<'_> {
    /// Whether the metric regressed: beyond the limits, and not within the runs' noise.
    fn regressed(&self) -> bool {
        match &self.judgement {
            Judgement::NotNeeded => false,
            Judgement::AsIs(_) => self.beyond,
            Judgement::Tested(t) => self.beyond && t.significant,
        }
    }
}

/// What decided whether a worsening beyond the limits counts.
enum Judgement {
    /// Not beyond the limits: nothing to decide.
    NotNeeded,
    /// Counted as it is, without a test; why.
    AsIs(AsIs),
    /// Tested against the runs' noise.
    Tested(Box<Tested>),
}

/// Why a worsening beyond the limits counts as it is.
enum AsIs {
    /// A ratio counts events.
    Events,
    /// A baseline of one run says nothing of how runs differ.
    OneRun,
    /// The baseline's runs all gave the same value.
    NoSpread,
    /// The runs differ too much for the test to catch twice the allowance 19 times in 20.
    TooNoisy(Box<Tested>),
    /// The standard error of the median of the current runs cannot be computed (more runs
    /// than [`shipgate_stats::median_variance`] integrates).
    Untestable,
}

/// The one-sided test of "worse than the baseline by more than the allowance", over the runs.
struct Tested {
    /// The standard error of the worsening: the runs' spread × √(1 + 1/k), or of the median of
    /// `n` current runs, × √(1/k + f(n)).
    se: f64,
    /// Degrees of freedom: k − 1.
    df: f64,
    /// `(worsening − allowed) / se`.
    t: f64,
    /// P(T > t) under "the worsening is exactly the allowance".
    p_value: f64,
    /// The t beyond which it is significant at `alpha`.
    critical: f64,
    /// The worsening the test catches 19 times in 20: `allowed + (t₁₋α + t₀.₉₅) × se`.
    detectable: f64,
    /// `p_value < alpha`.
    significant: bool,
}

/// Compares with the baseline, or the result that says why it cannot be done.
fn compare<'a>(
    cfg: &PerfCheck,
    check: &CheckRun,
    runs: &'a PerfRuns,
    cur: &Current<'a>,
    limits: &Limits,
    max_regression: f64,
    now: Timestamp,
) -> Result<Comparison<'a>, Box<CheckResult>> {
    let (current, metric) = (cur.run, cur.metric);
    let baseline = check.source(&runs.baseline, Value::Null)?;
    let (fresh, stale) = recent_runs(cfg, baseline, now);
    if fresh.is_empty() {
        // A stale baseline is there, not missing: `on_missing` must not wave it through.
        let problem = too_old(cfg, baseline, now);
        let (unit_name, scale) = CheckUnit::of_metric(&metric.unit);
        return Err(Box::new(check.measured(
            false,
            json!(cur.shown() * scale),
            Value::Null,
            unit_name,
            problem.message,
            Some(problem.remedy),
            Map::new(),
        )));
    }
    if !cfg.across_tools
        && let Some(other) = fresh
            .iter()
            .find(|r| r.provenance.tool != current.provenance.tool)
    {
        return Err(Box::new(other_tool(cfg, check, cur, other, baseline)));
    }
    let base_runs: Vec<BaseRun<'a>> = fresh
        .iter()
        .filter_map(|run| {
            run.metrics
                .get(&cfg.metric)
                .map(|metric| BaseRun { run, metric })
        })
        .collect();
    // Every run the comparison stands on must measure the metric: a mean over the runs that
    // happen to have it would be a smaller, older baseline than the report says.
    if !base_runs.is_empty() && base_runs.len() != fresh.len() {
        let lacking: Vec<String> = fresh
            .iter()
            .filter(|r| !r.metrics.contains_key(&cfg.metric))
            .map(|r| format!("`{}`", r.path))
            .collect();
        return Err(unfit_baseline(
            check,
            cur,
            format!(
                "`{}` is in {} of the baseline's {} runs; {} lack{} it, so the runs do not measure the same thing",
                cfg.metric,
                base_runs.len(),
                fresh.len(),
                lacking.join(", "),
                if lacking.len() == 1 { "s" } else { "" }
            ),
            "promote runs that measure it (`shipgate perf baseline promote RUN --out BASELINE --fresh`, then more runs)",
        ));
    }
    let Some(newest) = base_runs.last() else {
        let newest = fresh.last().copied().unwrap_or(&baseline.runs[0]);
        return Err(Box::new(missing(
            check,
            lacks(newest, "the baseline", &cfg.metric),
        )));
    };
    for b in &base_runs {
        if b.metric.unit != metric.unit {
            return Err(incomparable(
                check,
                baseline,
                format!(
                    "`{}` is in `{}` in the results `{}` but in `{}` in the baseline's run `{}`, so the two cannot be compared",
                    cfg.metric, metric.unit, cur.label, b.metric.unit, b.run.path
                ),
                "compare runs of the same tool and format, or promote a new baseline from a run like this one",
            ));
        }
        if let Some(r) = b.metric.requests
            && r.successful() == 0
        {
            return Err(incomparable(
                check,
                baseline,
                format!(
                    "every request behind `{}` failed in the baseline's run `{}` ({} of {}), so it is no baseline for it",
                    cfg.metric, b.run.path, r.failed, r.total
                ),
                "promote a good run (`shipgate perf baseline promote RUN --out BASELINE --fresh`)",
            ));
        }
        // A baseline held to less than the release: a run whose failures move its figure (40%
        // timeouts make a slow p95, so a slow release compares well) is no baseline either.
        if let Some(r) = b.metric.requests
            && r.failed_share().unwrap_or(1.0) > cfg.max_failed_share
        {
            return Err(unfit_baseline(
                check,
                cur,
                format!(
                    "{} of {} requests behind `{}` failed in the baseline's run `{}`, more than the {} the check allows (`max_failed_share`), so its figure is no baseline for it",
                    r.failed,
                    r.total,
                    cfg.metric,
                    b.run.path,
                    show(cfg.max_failed_share, &PerfUnit::Ratio)
                ),
                "promote a good run (`shipgate perf baseline promote RUN --out BASELINE --fresh`)",
            ));
        }
        let bases = (
            metric.requests.map(|r| r.basis),
            b.metric.requests.map(|r| r.basis),
        );
        if let (Some(a), Some(c)) = bases
            && a != c
        {
            return Err(incomparable(
                check,
                baseline,
                format!(
                    "`{}` is of {} requests in the results `{}` but of {} requests in the baseline's run `{}`, so the two cannot be compared",
                    cfg.metric,
                    a.as_str(),
                    cur.label,
                    c.as_str(),
                    b.run.path
                ),
                "compare files that tell failed requests apart alike (the same tool and format), or promote a new baseline from a run like this one",
            ));
        }
    }
    let direction = match (
        cfg.direction,
        metric.direction,
        base_runs.iter().find_map(|b| b.metric.direction),
    ) {
        (Some(d), _, _) => d,
        (None, Some(a), Some(b)) if a == b => a,
        (None, Some(a), Some(b)) => {
            return Err(incomparable(
                check,
                baseline,
                format!(
                    "the results say {} is better for `{}`, the baseline says {}",
                    a.as_str(),
                    cfg.metric,
                    b.as_str()
                ),
                "set `direction: lower` or `direction: higher` on the check",
            ));
        }
        (None, Some(d), _) | (None, None, Some(d)) => d,
        (None, None, None) => {
            let (unit_name, scale) = CheckUnit::of_metric(&metric.unit);
            return Err(Box::new(check.measured(
                false,
                json!(cur.shown() * scale),
                Value::Null,
                unit_name,
                format!(
                    "neither the results nor the baseline say whether lower or higher is better for `{}`, so a regression cannot be told from an improvement",
                    cfg.metric
                ),
                Some("set `direction: lower` (latency, errors) or `direction: higher` (throughput) on the check".to_owned()),
                Map::new(),
            )));
        }
    };
    let values: Vec<f64> = base_runs.iter().map(|b| b.metric.value).collect();
    // `values` holds a value of each of `base_runs`, which are not empty (above). Should the mean
    // still not come out, nothing is compared, rather than the newest run standing in for all.
    let Some(center) = shipgate_stats::mean(&values) else {
        return Err(Box::new(missing(
            check,
            lacks(newest.run, "the baseline", &cfg.metric),
        )));
    };
    let spread = shipgate_stats::sample_sd(&values);
    let value = cur.compared(direction);
    let worsening = match direction {
        Direction::Lower => value - center,
        Direction::Higher => center - value,
    };
    let relative = (center != 0.0).then(|| worsening / center.abs());
    let floor = limits.min_change.unwrap_or(0.0);
    let allowed = (max_regression * center.abs()).max(floor);
    let beyond = match relative {
        Some(r) => r > max_regression && worsening > floor,
        None => worsening > floor,
    };
    let judgement = if !beyond {
        Judgement::NotNeeded
    } else if metric.unit == PerfUnit::Ratio {
        Judgement::AsIs(AsIs::Events)
    } else {
        judge(cfg.alpha, worsening, allowed, values.len(), cur.n(), spread)
    };
    Ok(Comparison {
        baseline,
        runs: base_runs,
        stale,
        center,
        spread,
        metric_value: value,
        current_runs: cur.n(),
        direction,
        worsening,
        relative,
        allowed,
        beyond,
        judgement,
    })
}

/// Decides whether a worsening beyond the allowance is beyond the way runs differ: a one-sided
/// t-test over the baseline's `k` runs of "the current run is worse than the runs' mean by more
/// than `allowed`". One new run differs from the mean of `k` by the runs' own spread times
/// √(1 + 1/k) (the prediction error of one more run), and the spread is estimated from the
/// `k` runs, hence Student's t with `k − 1` degrees of freedom. The test excuses a worsening only
/// when it is powerful enough to catch one of twice the allowance 19 times in 20; otherwise, and
/// with a single run (which says nothing of how runs differ), the worsening counts as it is.
///
/// Of `n` current runs the median is compared: it differs from the runs' mean by the spread
/// times `√(1/k + f(n))`, where `f(n)` is the variance of the median of `n` standard normal
/// draws (`f(1) = 1`, `f(2) = 1/2`, `f(3) ≈ 0.449`; decision 0028).
fn judge(
    alpha: f64,
    worsening: f64,
    allowed: f64,
    k: usize,
    n: usize,
    spread: Option<f64>,
) -> Judgement {
    let Some(spread) = spread.filter(|_| k >= 2) else {
        return Judgement::AsIs(AsIs::OneRun);
    };
    if spread == 0.0 {
        return Judgement::AsIs(AsIs::NoSpread);
    }
    let df = (k - 1) as f64;
    let se = if n == 1 {
        spread * (1.0 + 1.0 / k as f64).sqrt()
    } else {
        match shipgate_stats::median_variance(n) {
            Some(f) => spread * (1.0 / k as f64 + f).sqrt(),
            // No standard error, no test: the worsening counts as it is.
            None => return Judgement::AsIs(AsIs::Untestable),
        }
    };
    let (Some(critical), Some(power)) = (
        shipgate_stats::student_t_quantile(1.0 - alpha, df),
        shipgate_stats::student_t_quantile(POWER, df),
    ) else {
        return Judgement::AsIs(AsIs::OneRun);
    };
    let t = (worsening - allowed) / se;
    // A p-value that cannot be computed never excuses a worsening.
    let p_value = shipgate_stats::student_t_sf(t, df).unwrap_or(0.0);
    let detectable = allowed + (critical + power) * se;
    let tested = Box::new(Tested {
        se,
        df,
        t,
        p_value,
        critical,
        detectable,
        significant: p_value < alpha,
    });
    // A power that cannot be computed (NaN) is "too noisy": the worsening counts as it is.
    if detectable.is_nan() || detectable > 2.0 * allowed {
        Judgement::AsIs(AsIs::TooNoisy(tested))
    } else {
        Judgement::Tested(tested)
    }
}

/// How often the test must catch a worsening of twice the allowance: 19 times in 20.
const POWER: f64 = 0.95;

/// The baseline's runs within `max_age` of `now` (all of them without one), and how many were
/// left out. A run's age is from when its own file says it ran; a run whose file does not say is
/// too old for any `max_age` (the manifest's `promoted_at` is covered by no hash).
fn recent_runs<'a>(
    cfg: &PerfCheck,
    baseline: &'a PerfBaseline,
    now: Timestamp,
) -> (Vec<&'a PerfEvidence>, usize) {
    let Some(max_age) = cfg.max_age else {
        return (baseline.runs.iter().collect(), 0);
    };
    // A run dated in the future (beyond the clock skew `evidence.provenance` allows by default)
    // is no recent run: a wrong clock or an edited file would otherwise stay "fresh" for ever.
    let fresh: Vec<&PerfEvidence> = baseline
        .runs
        .iter()
        .filter(|r| {
            run_time(r).is_some_and(|t| {
                !in_future(now, t, DEFAULT_CLOCK_SKEW) && !older_than(now, t, max_age)
            })
        })
        .collect();
    let stale = baseline.runs.len() - fresh.len();
    (fresh, stale)
}

/// When a run happened, as its file says: the hash covers it. Not when it was promoted, which
/// only the manifest says: an edit could make a stale run look fresh.
fn run_time(run: &PerfEvidence) -> Option<Timestamp> {
    run.provenance.run_at
}

/// The problem of a baseline whose every run is older than `max_age`.
fn too_old(cfg: &PerfCheck, baseline: &PerfBaseline, now: Timestamp) -> EvidenceProblem {
    let max_age = cfg
        .max_age
        .map_or_else(String::new, crate::values::format_duration);
    let newest = baseline.runs.iter().filter_map(run_time).max();
    let message = match newest {
        Some(t) if in_future(now, t, DEFAULT_CLOCK_SKEW) => format!(
            "the baseline `{}` has no run within `max_age` ({max_age}): its newest run is dated {t}, in the future (more than {} after the evaluation), so its age cannot be trusted; check the clock of the machine that ran it",
            baseline.path,
            crate::values::format_duration(DEFAULT_CLOCK_SKEW)
        ),
        Some(t) => format!(
            "the baseline `{}` is too old: its newest run is from {t}, {} before the evaluation, more than `max_age` ({max_age})",
            baseline.path,
            crate::values::format_duration(std::time::Duration::from_secs(
                u64::try_from(now.duration_since(t).as_secs()).unwrap_or(0)
            ))
        ),
        None => format!(
            "the files of the baseline `{}` do not say when its runs happened, so `max_age` ({max_age}) cannot be checked (when a run was promoted is the manifest's word, which no hash covers)",
            baseline.path
        ),
    };
    EvidenceProblem {
        source: SourceId::Performance.as_str().to_owned(),
        location: Some(baseline.path.clone()),
        message,
        remedy: "run the load test on the last good release again and promote it (`shipgate perf baseline promote RUN --out BASELINE`) from a file that says when it ran (k6 `--out json`, a JTL, Locust `--json` or `_stats_history.csv`, Gatling's `simulation.log`, a generic file with `run_at`)".to_owned(),
    }
}

/// The result for a baseline measured by another tool: refused, whatever `on_missing` says,
/// unless the policy says the comparison is intended (`compare_across_tools: true`).
fn other_tool(
    cfg: &PerfCheck,
    check: &CheckRun,
    cur: &Current<'_>,
    other: &PerfEvidence,
    baseline: &PerfBaseline,
) -> CheckResult {
    let current = cur.run;
    let (unit_name, scale) = CheckUnit::of_metric(&cur.metric.unit);
    check.measured(
        false,
        json!(cur.shown() * scale),
        Value::Null,
        unit_name,
        format!(
            "the results `{}` were measured by {}, the baseline `{}` by {} (`{}`): tools time requests differently (where the clock starts and stops, which failures count), so `{}` of one is not comparable with the other's",
            cur.label,
            current.provenance.tool,
            baseline.path,
            other.provenance.tool,
            other.path,
            cfg.metric
        ),
        Some(format!(
            "promote a baseline measured by {} (`shipgate perf baseline promote RUN --out BASELINE --fresh`), or, if comparing across tools is intended, set `sources.performance.compare_across_tools: true`",
            current.provenance.tool
        )),
        Map::new(),
    )
}

/// A baseline that is there but cannot stand for a good run (its failures move its figure, or
/// some of its runs do not measure the metric): a failure whatever `on_missing` says, since the
/// evidence is not missing but unfit.
fn unfit_baseline(
    check: &CheckRun,
    cur: &Current<'_>,
    message: String,
    remedy: &str,
) -> Box<CheckResult> {
    let (unit_name, scale) = CheckUnit::of_metric(&cur.metric.unit);
    Box::new(check.measured(
        false,
        json!(cur.shown() * scale),
        Value::Null,
        unit_name,
        message,
        Some(remedy.to_owned()),
        Map::new(),
    ))
}

/// What a comparison with the baseline adds to a check's message and details: the sentence, the
/// baseline's side, the direction, the change and, where a test was used, its judgement.
fn explain_comparison(
    cfg: &PerfCheck,
    c: &Comparison<'_>,
    unit: &PerfUnit,
    parts: &mut Vec<String>,
    details: &mut Map<String, Value>,
) {
    parts.push(describe_comparison(cfg, c, unit));
    details.insert("baseline".into(), baseline_side(c));
    details.insert("direction".into(), json!(c.direction.as_str()));
    details.insert("change".into(), change_details(c));
    if let Some(j) = judgement_details(cfg, c) {
        details.insert("judgement".into(), j);
    }
}

fn describe_comparison(cfg: &PerfCheck, c: &Comparison<'_>, unit: &PerfUnit) -> String {
    let allowed = cfg
        .max_regression
        .map_or_else(String::new, |r| r.to_string());
    let change = c.metric_value - c.center;
    let moved = match c.relative {
        Some(_) => format!(
            "{} ({})",
            signed_percent(change / c.center.abs()),
            signed(change, unit)
        ),
        None => signed(change, unit),
    };
    let k = c.runs.len();
    let which = if k == 1 {
        "its one run".to_owned()
    } else {
        let lo = c
            .runs
            .iter()
            .map(|b| b.metric.value)
            .fold(f64::INFINITY, f64::min);
        let hi = c
            .runs
            .iter()
            .map(|b| b.metric.value)
            .fold(f64::NEG_INFINITY, f64::max);
        format!(
            "the mean of {k} runs, {} to {}",
            show(lo, unit),
            show(hi, unit)
        )
    };
    let stale = if c.stale > 0 {
        format!(
            "; {} older than `max_age` left out",
            plural(c.stale, "run", "runs")
        )
    } else {
        String::new()
    };
    let against = match c.relative {
        Some(_) => format!(
            "against the baseline's {} ({which}{stale}) it changed by {moved}",
            show(c.center, unit)
        ),
        None => format!("against a baseline of 0 ({which}{stale}) it changed by {moved}"),
    };
    if c.worsening <= 0.0 {
        return format!("{against}: no worse");
    }
    if !c.beyond {
        // Not beyond: either the relative worsening is within `max_regression`, or it is
        // beyond it but smaller than the `min_change` noise floor.
        let relative_beyond = c
            .relative
            .is_none_or(|r| r > cfg.max_regression.map_or(0.0, |m| m.as_f64()));
        return match &cfg.min_change {
            Some(f) if relative_beyond => {
                format!("{against}: worse, but within the `min_change` noise floor of {f}")
            }
            _ => format!("{against}: within the allowed {allowed} worsening"),
        };
    }
    let beyond = format!("{against}: worse by more than the allowed {allowed}");
    let percent = |v: f64| match c.relative {
        Some(_) => signed_percent(v / c.center.abs()),
        None => signed(v, unit),
    };
    match &c.judgement {
        Judgement::NotNeeded => beyond,
        Judgement::AsIs(why) => {
            let why = match why {
                AsIs::Events => EVENTS.to_owned(),
                AsIs::Untestable => format!("the standard error of the median of {} runs cannot be computed, so the change is judged as it is", c.current_runs),
                AsIs::OneRun => "a baseline of one run says nothing of how much runs differ, so the change is judged as it is; promote more runs of the last good release (`shipgate perf baseline promote` keeps the last ones) to let the gate tell noise from a regression".to_owned(),
                AsIs::NoSpread => format!("the baseline's {k} runs all gave {}, so no difference between runs can excuse it", show(c.center, unit)),
                AsIs::TooNoisy(t) => format!(
                    "the baseline's {k} runs differ too much (spread ±{}) for a test over them to catch a worsening of twice the allowance 19 times in 20 (it would take {}), so the change is judged as it is; add runs to the baseline or make them steadier (longer)",
                    show(c.spread.unwrap_or(0.0), unit),
                    percent(t.detectable)
                ),
            };
            format!("{beyond}, and it counts as a regression: {why}")
        }
        Judgement::Tested(t) => {
            let evidence = format!(
                "t = {:.2} with {} degrees of freedom over the baseline's {k} runs (spread ±{}), one-sided {} {} α {}",
                t.t,
                t.df,
                show(c.spread.unwrap_or(0.0), unit),
                p_value(t.p_value),
                if t.significant { "below" } else { "not below" },
                cfg.alpha
            );
            if t.significant {
                format!(
                    "{beyond}, and beyond it by more than runs differ ({evidence}): a real regression"
                )
            } else {
                format!(
                    "{beyond}, but not by more than runs differ ({evidence}), so it is treated as noise; a worsening of {} or more would be caught 19 times in 20",
                    percent(t.detectable)
                )
            }
        }
    }
}

/// `1 run`, `3 runs`.
fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn change_details(c: &Comparison<'_>) -> Value {
    json!({
        "worsening": c.worsening,
        "relative": c.relative,
        "allowed_worsening": c.allowed,
        "beyond_limits": c.beyond,
        "value_change": c.metric_value - c.center,
    })
}

fn judgement_details(cfg: &PerfCheck, c: &Comparison<'_>) -> Option<Value> {
    let tested = |t: &Tested| {
        let mut v = json!({
            "test": "one-sided t-test over the baseline's runs: worse than their mean by more than the allowed worsening",
            "runs": c.runs.len(),
            "spread": c.spread,
            "standard_error": t.se,
            "degrees_of_freedom": t.df,
            "t": t.t,
            "p_value": t.p_value,
            "alpha": cfg.alpha,
            "critical_t": t.critical,
            "detectable_worsening": t.detectable,
        });
        // Only with several current runs, so that a report of one run stays as it was.
        if c.current_runs > 1
            && let Some(m) = v.as_object_mut()
        {
            m.insert("current_runs".into(), json!(c.current_runs));
            m.insert(
                "median_variance".into(),
                json!(shipgate_stats::median_variance(c.current_runs)),
            );
            m.insert(
                "standard_error_of".into(),
                json!("the median of the current runs against the mean of the baseline's: spread × √(1/k + f(n))"),
            );
        }
        v
    };
    match &c.judgement {
        Judgement::NotNeeded => None,
        Judgement::AsIs(why) => {
            let (reason, test) = match why {
                AsIs::Events => ("a ratio counts events", None),
                AsIs::OneRun => ("a baseline of one run", None),
                AsIs::Untestable => ("the median's standard error cannot be computed", None),
                AsIs::NoSpread => ("the baseline's runs all gave the same value", None),
                AsIs::TooNoisy(t) => (
                    "the runs differ too much for the test to catch twice the allowance 19 times in 20",
                    Some(tested(t)),
                ),
            };
            let mut m = Map::new();
            m.insert("verdict".into(), json!("counted as it is: a regression"));
            m.insert("reason".into(), json!(reason));
            if let Some(t) = test {
                m.insert("test".into(), t);
            }
            Some(Value::Object(m))
        }
        Judgement::Tested(t) => {
            let mut m = Map::new();
            m.insert(
                "verdict".into(),
                json!(if t.significant {
                    "significant: a regression"
                } else {
                    "not significant: noise"
                }),
            );
            m.insert("test".into(), tested(t));
            Some(Value::Object(m))
        }
    }
}

/// The limits of the check in the metric's unit, or which key does not fit and why.
fn limits(cfg: &PerfCheck, unit: &PerfUnit) -> Result<Limits, (&'static str, String)> {
    let fit = |key: &'static str, l: &Option<PerfLimit>| {
        l.as_ref()
            .map(|l| l.in_unit(unit).map_err(|why| (key, why)))
            .transpose()
    };
    Ok(Limits {
        max: fit("max", &cfg.max)?,
        min: fit("min", &cfg.min)?,
        min_change: fit("min_change", &cfg.min_change)?,
    })
}

/// The limits as written in the policy.
fn written_limits(cfg: &PerfCheck) -> Value {
    let mut m = Map::new();
    if let Some(l) = &cfg.max {
        m.insert("max".into(), json!(l.as_str()));
    }
    if let Some(l) = &cfg.min {
        m.insert("min".into(), json!(l.as_str()));
    }
    if let Some(r) = cfg.max_regression {
        m.insert("max_regression".into(), json!(r.to_string()));
        if let Some(l) = &cfg.min_change {
            m.insert("min_change".into(), json!(l.as_str()));
        }
        m.insert("alpha".into(), json!(cfg.alpha));
    }
    Value::Object(m)
}

/// The baseline's side of the comparison, for the details: the file, the value compared with
/// (the runs' mean), their spread, and each run.
fn baseline_side(c: &Comparison<'_>) -> Value {
    json!({
        "file": c.baseline.path,
        "promoted": c.baseline.promoted,
        "value": c.center,
        "spread": c.spread,
        "left_out_as_too_old": c.stale,
        "runs": c.runs.iter().map(|b| side(b.run, b.metric)).collect::<Vec<_>>(),
    })
}

/// One side of the comparison, for the details.
fn side(e: &PerfEvidence, m: &PerfMetric) -> Value {
    let p = &e.provenance;
    let mut v = Map::new();
    v.insert("file".into(), json!(e.path));
    v.insert("format".into(), json!(p.format));
    if p.promoted_at.is_some() {
        v.insert("promoted_from".into(), json!(p.source_path));
    }
    v.insert("value".into(), json!(m.value));
    if let Some(r) = m.requests {
        v.insert(
            "requests".into(),
            json!({
                "total": r.total,
                "failed": r.failed,
                "failed_share": r.failed_share(),
                "basis": r.basis.as_str(),
            }),
        );
    }
    v.insert("samples".into(), json!(e.sample_count(m)));
    if let Some(t) = p.promoted_at {
        v.insert("promoted_at".into(), json!(t.to_string()));
    }
    if let Some(r) = &p.release_version {
        v.insert("release_version".into(), json!(r));
    }
    if let Some(c) = &p.commit {
        v.insert("commit".into(), json!(c));
    }
    Value::Object(v)
}

/// The threshold for the report: the tightest bound on each side that applies, in the report's
/// unit. A regression bound holds only when the worsening is also significant; the message
/// says when it was not.
fn threshold(limits: &Limits, c: Option<&Comparison<'_>>, scale: f64) -> Value {
    let mut upper = limits.max;
    let mut lower = limits.min;
    if let Some(c) = c {
        match c.direction {
            Direction::Lower => {
                let bound = c.center + c.allowed;
                upper = Some(upper.map_or(bound, |u| u.min(bound)));
            }
            Direction::Higher => {
                let bound = c.center - c.allowed;
                lower = Some(lower.map_or(bound, |l| l.max(bound)));
            }
        }
    }
    match (lower, upper) {
        (None, None) => Value::Null,
        (None, Some(u)) => json!(u * scale),
        (Some(l), None) => json!({ "min": l * scale }),
        (Some(l), Some(u)) => json!({ "min": l * scale, "max": u * scale }),
    }
}

/// The result for a baseline that cannot be compared with the results: missing evidence.
fn incomparable(
    check: &CheckRun,
    baseline: &PerfBaseline,
    message: String,
    remedy: &str,
) -> Box<CheckResult> {
    Box::new(missing(
        check,
        EvidenceProblem {
            source: SourceId::Performance.as_str().to_owned(),
            location: Some(baseline.path.clone()),
            message,
            remedy: remedy.to_owned(),
        },
    ))
}

/// A missing-evidence result, with `on_missing` deciding whether it blocks.
fn missing(check: &CheckRun, problem: EvidenceProblem) -> CheckResult {
    match check.source::<()>(&SourceState::Missing(problem), Value::Null) {
        Ok(()) => unreachable_result(check),
        Err(r) => *r,
    }
}

/// `CheckRun::source` never returns `Ok` for a missing source; should it ever, fail closed.
fn unreachable_result(check: &CheckRun) -> CheckResult {
    check.measured(
        false,
        Value::Null,
        Value::Null,
        CheckUnit::Plain,
        "the performance evidence could not be evaluated".to_owned(),
        Some("this is a bug in shipgate; please report it".to_owned()),
        Map::new(),
    )
}

/// The problem of a file that lacks a metric, naming the closest ones it has.
fn lacks(e: &PerfEvidence, what: &str, metric: &str) -> EvidenceProblem {
    let file = &e.path;
    let mut names: Vec<(&String, f64)> = e
        .metrics
        .keys()
        .map(|k| (k, strsim::jaro_winkler(metric, k)))
        .collect();
    names.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    let close: Vec<String> = names
        .iter()
        .take(5)
        .map(|(k, _)| format!("`{k}`"))
        .collect();
    EvidenceProblem {
        source: SourceId::Performance.as_str().to_owned(),
        location: Some(file.clone()),
        message: format!(
            "{what} `{file}` ({}) has no metric `{metric}`; the closest it has: {}",
            e.provenance.format,
            close.join(", ")
        ),
        remedy: format!(
            "check the name against `shipgate inspect perf {file}`, or make the load test record `{metric}`{}",
            if what == "the baseline" {
                " and promote a new baseline from it"
            } else {
                ""
            }
        ),
    }
}

/// A value with its unit, for messages: `231.4ms`, `1.25s`, `0.8%`, `812.5/s`, `1,204`.
pub(crate) fn show(v: f64, unit: &PerfUnit) -> String {
    match unit {
        PerfUnit::Milliseconds if v.abs() >= 1000.0 => format!("{}s", trim(v / 1000.0, 3)),
        PerfUnit::Milliseconds => format!("{}ms", trim(v, 2)),
        PerfUnit::Ratio => format!("{}%", trim(v * 100.0, 3)),
        PerfUnit::PerSecond => format!("{}/s", trim(v, 2)),
        PerfUnit::BytesPerSecond => format!("{} bytes/s", trim(v, 0)),
        PerfUnit::Bytes => format!("{} bytes", trim(v, 0)),
        PerfUnit::Count | PerfUnit::Number => trim(v, 2),
        PerfUnit::Other(u) => format!("{} {u}", trim(v, 3)),
    }
}

/// `+1.5ms`, `-20ms`.
fn signed(v: f64, unit: &PerfUnit) -> String {
    let sign = if v >= 0.0 { "+" } else { "-" };
    // A ratio's change is in percentage points.
    let text = match unit {
        PerfUnit::Ratio => format!("{} points", trim(v.abs() * 100.0, 3)),
        _ => show(v.abs(), unit),
    };
    format!("{sign}{text}")
}

/// `+13.4%`, `-2.0%`.
fn signed_percent(r: f64) -> String {
    let digits = if r.abs() < 0.01 { 2 } else { 1 };
    format!("{:+.digits$}%", r * 100.0)
}

/// A p-value: `p = 0.4123`, `p = 3.1e-4`, `p < 1e-12`.
fn p_value(p: f64) -> String {
    if p < 1e-12 {
        "p < 1e-12".to_owned()
    } else if p < 0.001 {
        format!("p = {p:.1e}")
    } else {
        format!("p = {}", trim(p, 4))
    }
}

/// At most `decimals` decimals, trailing zeros dropped, thousands separated.
fn trim(v: f64, decimals: usize) -> String {
    let s = format!("{:.decimals$}", v.abs());
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    };
    let (int, frac) = s
        .split_once('.')
        .map_or((s.as_str(), None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    let sign = if v < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_naturally() {
        assert_eq!(show(231.456, &PerfUnit::Milliseconds), "231.46ms");
        assert_eq!(show(1250.0, &PerfUnit::Milliseconds), "1.25s");
        assert_eq!(show(0.008, &PerfUnit::Ratio), "0.8%");
        assert_eq!(show(812.5, &PerfUnit::PerSecond), "812.5/s");
        assert_eq!(show(1204.0, &PerfUnit::Count), "1,204");
        assert_eq!(show(-3.5, &PerfUnit::Number), "-3.5");
        assert_eq!(signed(-20.0, &PerfUnit::Milliseconds), "-20ms");
        assert_eq!(signed(0.005, &PerfUnit::Ratio), "+0.5 points");
        assert_eq!(signed_percent(0.1344), "+13.4%");
        assert_eq!(signed_percent(-0.004), "-0.40%");
        assert_eq!(p_value(0.00031), "p = 3.1e-4");
        assert_eq!(p_value(0.41234), "p = 0.4123");
        assert_eq!(p_value(1e-20), "p < 1e-12");
    }
}

#[path = "performance_runs.rs"]
mod several;

#[cfg(test)]
#[path = "performance_tests.rs"]
mod scenarios;
