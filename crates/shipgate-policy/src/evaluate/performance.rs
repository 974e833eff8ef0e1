//! `performance.<metric>`: one metric of the current load test against absolute limits and
//! against the baseline, where a worsening counts only if it is beyond the limits and real.
//!
//! The rules, in order:
//!
//! 1. The current results must be there and hold the metric; otherwise `on_missing` decides.
//! 2. `max` / `min`: the current value against them, nothing else.
//! 3. `max_regression`: the baseline must be there, hold the metric in the same unit, and the
//!    metric's direction must be known (from the file or `direction:`); otherwise `on_missing`
//!    decides (an unknown direction is a policy problem and fails). The worsening (current −
//!    baseline for lower-is-better, baseline − current for higher-is-better) must exceed both
//!    `max_regression × |baseline|` and `min_change`. A baseline of 0 has no relative change:
//!    then any worsening beyond `min_change` (or at all, without one) counts.
//! 4. A worsening beyond the limits counts when it is statistically significant: the one-sided
//!    Mann–Whitney U p-value is below `alpha`, or the seeded bootstrap's one-sided `1 − alpha`
//!    bound of the statistic's worsening is above 0. It counts as noise only when both say it
//!    could be chance. Without raw samples on both sides, or with fewer than `min_samples` on
//!    either, it cannot be tested and counts as is: a gate must not pass what it cannot check.

use super::result::CheckRun;
use crate::checks::PerfCheck;
use crate::performance::PerfLimit;
use crate::values::format_percent;
use serde_json::{Map, Value, json};
use shipgate_model::perf::split_metric;
use shipgate_model::{
    CheckResult, CheckStatus, Direction, EvidenceProblem, PerfEvidence, PerfMetric, PerfRuns,
    PerfUnit, RequestBasis, SampleStat, SourceState,
};
use shipgate_model::{CheckUnit, SourceId};
use shipgate_stats::{
    Alternative, BootstrapOptions, Statistic, bootstrap_difference, mann_whitney,
};

/// The bootstrap's seed ("SHIPGATE" in ASCII): fixed, so the same inputs give the same report.
pub(crate) const BOOTSTRAP_SEED: u64 = 0x5348_4950_4741_5445;

/// Resamples: 2000. A quantile's resample costs the same whatever the sample size; a mean's is
/// drawn value by value, so for very large samples it gets fewer (at least 200) to keep the gate
/// fast.
fn resamples(stat: Statistic, total: usize) -> usize {
    match stat {
        Statistic::Quantile(_) => 2000,
        Statistic::Mean => (4_000_000 / total.max(1)).clamp(200, 2000),
    }
}

/// Why a ratio (an error rate, a check pass rate) is never excused as noise.
const EVENTS: &str = "a ratio counts events (failed requests, failed checks), not timings a busy machine stretches, so a worsening is never excused as noise; `min_change` (`0.5%`) allows a few";

/// The limits of a check in the metric's unit.
struct Limits {
    max: Option<f64>,
    min: Option<f64>,
    min_change: Option<f64>,
}

/// How the comparison with the baseline came out.
struct Comparison<'a> {
    baseline: &'a PerfEvidence,
    base: &'a PerfMetric,
    /// The current value.
    metric_value: f64,
    direction: Direction,
    /// How much worse the current value is (negative: better).
    worsening: f64,
    /// `worsening / |baseline|`; `None` for a baseline of 0.
    relative: Option<f64>,
    /// The largest acceptable worsening: `max(max_regression × |baseline|, min_change)`.
    allowed: f64,
    /// Beyond `max_regression` and `min_change`.
    beyond: bool,
    significance: Significance,
}

enum Significance {
    /// Not beyond the limits: nothing to test.
    NotNeeded,
    /// Could not be tested; the reason.
    Untested(String),
    Tested(Box<Tested>),
}

struct Tested {
    mwu: shipgate_stats::MannWhitney,
    bootstrap: Option<Bootstrapped>,
    stat: SampleStat,
    significant: bool,
}

struct Bootstrapped {
    resamples: usize,
    /// Bounds of the worsening of the statistic, one-sided `1 − alpha` each.
    worsening: (f64, f64),
    /// The same relative to the baseline's statistic.
    relative: Option<(f64, f64)>,
}

/// Evaluates one `performance.<metric>` check.
pub(crate) fn check(cfg: &PerfCheck, runs: &PerfRuns) -> CheckResult {
    let check = CheckRun::new(cfg.id(), cfg.settings);
    let current = match check.source(&runs.current, Value::Null) {
        Ok(e) => e,
        Err(r) => return *r,
    };
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
            current,
            metric,
            &limits,
            max_regression.as_f64(),
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
    let regressed = comparison.as_ref().is_some_and(|c| {
        c.beyond && !matches!(&c.significance, Significance::Tested(t) if !t.significant)
    });
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
        parts.push(describe_comparison(cfg, c, unit));
        details.insert("baseline".into(), side(c.baseline, c.base));
        details.insert("direction".into(), json!(c.direction.as_str()));
        details.insert("change".into(), change_details(c));
        if let Some(sig) = significance_details(cfg, c) {
            details.insert("significance".into(), sig);
        }
    }
    let message = parts.join("; ");
    let remedy = (!passed).then(|| {
        if regressed {
            format!(
                "find what made `{}` worse since the baseline and fix it; if the new level is intended, promote this run as the new baseline (`shipgate perf baseline promote`) in review",
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

/// Compares with the baseline, or the result that says why it cannot be done.
fn compare<'a>(
    cfg: &PerfCheck,
    check: &CheckRun,
    runs: &'a PerfRuns,
    current: &'a PerfEvidence,
    metric: &'a PerfMetric,
    limits: &Limits,
    max_regression: f64,
) -> Result<Comparison<'a>, Box<CheckResult>> {
    let baseline = check.source(&runs.baseline, Value::Null)?;
    let Some(base) = baseline.metrics.get(&cfg.metric) else {
        return Err(Box::new(missing(
            check,
            lacks(baseline, "the baseline", &cfg.metric),
        )));
    };
    if base.unit != metric.unit {
        return Err(incomparable(
            check,
            baseline,
            format!(
                "`{}` is in `{}` in the results `{}` but in `{}` in the baseline `{}`, so the two cannot be compared",
                cfg.metric, metric.unit, current.path, base.unit, baseline.path
            ),
            "promote a new baseline from a run of the same tool and format (`shipgate perf baseline promote`)",
        ));
    }
    let direction = match (cfg.direction, metric.direction, base.direction) {
        (Some(d), _, _) => d,
        (None, Some(a), Some(b)) if a != b => {
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
                json!(metric.value * scale),
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
    let worsening = match direction {
        Direction::Lower => metric.value - base.value,
        Direction::Higher => base.value - metric.value,
    };
    let relative = (base.value != 0.0).then(|| worsening / base.value.abs());
    let floor = limits.min_change.unwrap_or(0.0);
    let allowed = (max_regression * base.value.abs()).max(floor);
    let beyond = match relative {
        Some(r) => r > max_regression && worsening > floor,
        None => worsening > floor,
    };
    let significance = if beyond && metric.unit == PerfUnit::Ratio {
        Significance::Untested(EVENTS.to_owned())
    } else if beyond {
        test_significance(cfg, current, metric, baseline, base, direction)
    } else {
        Significance::NotNeeded
    };
    Ok(Comparison {
        baseline,
        base,
        metric_value: metric.value,
        direction,
        worsening,
        relative,
        allowed,
        beyond,
        significance,
    })
}

fn test_significance(
    cfg: &PerfCheck,
    current: &PerfEvidence,
    metric: &PerfMetric,
    baseline: &PerfEvidence,
    base: &PerfMetric,
    direction: Direction,
) -> Significance {
    let (Some(cur), Some(old)) = (current.samples_of(metric), baseline.samples_of(base)) else {
        let which = match (current.samples_of(metric), baseline.samples_of(base)) {
            (None, None) => format!(
                "neither `{}` nor `{}` has raw samples of it",
                current.path, baseline.path
            ),
            (None, _) => format!(
                "`{}` ({}) has no raw samples of it",
                current.path, current.provenance.format
            ),
            _ => format!(
                "`{}` ({}) has no raw samples of it",
                baseline.path, baseline.provenance.format
            ),
        };
        return Significance::Untested(which);
    };
    let min = usize::try_from(cfg.min_samples).unwrap_or(usize::MAX);
    if cur.len() < min || old.len() < min {
        return Significance::Untested(format!(
            "{} samples in the results and {} in the baseline, fewer than `min_samples` ({min})",
            cur.len(),
            old.len()
        ));
    }
    let stat = match (&metric.samples, &base.samples) {
        (Some(a), Some(b)) if a.stat == b.stat => a.stat,
        _ => {
            return Significance::Untested(
                "the results and the baseline took different statistics of their samples"
                    .to_owned(),
            );
        }
    };
    let alternative = match direction {
        Direction::Lower => Alternative::Greater,
        Direction::Higher => Alternative::Less,
    };
    let Some(mwu) = mann_whitney(cur, old, alternative) else {
        return Significance::Untested(
            "the samples hold a value that is not a finite number".to_owned(),
        );
    };
    let alpha = cfg.alpha;
    let statistic = match stat {
        SampleStat::Mean => Statistic::Mean,
        SampleStat::Percentile(p) => Statistic::Quantile(p / 100.0),
        SampleStat::Min => Statistic::Quantile(0.0),
        SampleStat::Max => Statistic::Quantile(1.0),
    };
    let options = BootstrapOptions {
        resamples: resamples(statistic, cur.len() + old.len()),
        seed: BOOTSTRAP_SEED,
        alpha,
    };
    let bootstrap = bootstrap_difference(cur, old, statistic, options).map(|b| {
        // `b` bounds stat(current) − stat(baseline); turn it into bounds of the worsening.
        let flip = |(lo, hi): (f64, f64)| match direction {
            Direction::Lower => (lo, hi),
            Direction::Higher => (-hi, -lo),
        };
        Bootstrapped {
            resamples: b.resamples,
            worsening: flip((b.lower, b.upper)),
            relative: b.relative.map(flip),
        }
    });
    let significant =
        mwu.p_value < alpha || bootstrap.as_ref().is_some_and(|b| b.worsening.0 > 0.0);
    Significance::Tested(Box::new(Tested {
        mwu,
        bootstrap,
        stat,
        significant,
    }))
}

fn describe_comparison(cfg: &PerfCheck, c: &Comparison<'_>, unit: &PerfUnit) -> String {
    let allowed = cfg
        .max_regression
        .map_or_else(String::new, |r| r.to_string());
    let change = c.metric_value - c.base.value;
    let moved = match c.relative {
        Some(_) => format!(
            "{} ({})",
            signed_percent(change / c.base.value.abs()),
            signed(change, unit)
        ),
        None => signed(change, unit),
    };
    let against = match c.relative {
        Some(_) => format!(
            "against the baseline's {} it changed by {moved}",
            show(c.base.value, unit)
        ),
        None => format!("against a baseline of 0 it changed by {moved}"),
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
    match &c.significance {
        Significance::NotNeeded => beyond,
        Significance::Untested(why) => format!(
            "{beyond}, and it counts as a regression because it could not be tested for significance: {why}"
        ),
        Significance::Tested(t) => {
            let alpha = cfg.alpha;
            let p = format!(
                "Mann–Whitney U one-sided {} ({} α {alpha})",
                p_value(t.mwu.p_value),
                if t.mwu.p_value < alpha {
                    "below"
                } else {
                    "not below"
                },
            );
            let confidence = format_percent(1.0 - alpha);
            let boot = t.bootstrap.as_ref().map(|b| {
                let bound = match b.relative {
                    Some((lo, _)) => signed_percent(lo),
                    None => signed(b.worsening.0, unit),
                };
                if b.worsening.0 > 0.0 {
                    format!(
                        "the bootstrap puts the {} at least {bound} worse with {confidence} confidence",
                        t.stat
                    )
                } else {
                    format!(
                        "the bootstrap cannot rule out that the {} did not worsen ({confidence} lower bound {bound})",
                        t.stat
                    )
                }
            });
            let evidence = match boot {
                Some(b) => format!("{p}; {b}"),
                None => p,
            };
            if t.significant {
                format!("{beyond}, and significant ({evidence}): a real regression")
            } else {
                format!("{beyond}, but not significant ({evidence}), so it is treated as noise")
            }
        }
    }
}

fn change_details(c: &Comparison<'_>) -> Value {
    json!({
        "worsening": c.worsening,
        "relative": c.relative,
        "allowed_worsening": c.allowed,
        "beyond_limits": c.beyond,
        "value_change": c.metric_value - c.base.value,
    })
}

fn significance_details(cfg: &PerfCheck, c: &Comparison<'_>) -> Option<Value> {
    match &c.significance {
        Significance::NotNeeded => None,
        Significance::Untested(why) => Some(json!({
            "verdict": "not tested: counts as a regression",
            "reason": why,
        })),
        Significance::Tested(t) => {
            let mut m = Map::new();
            m.insert(
                "verdict".into(),
                json!(if t.significant {
                    "significant"
                } else {
                    "not significant: noise"
                }),
            );
            m.insert("test".into(), json!("Mann–Whitney U, one-sided"));
            m.insert("method".into(), json!(t.mwu.method.as_str()));
            m.insert("u".into(), json!(t.mwu.u));
            if let Some(z) = t.mwu.z {
                m.insert("z".into(), json!(z));
            }
            m.insert("p_value".into(), json!(t.mwu.p_value));
            m.insert("alpha".into(), json!(cfg.alpha));
            m.insert("n_current".into(), json!(t.mwu.n_x));
            m.insert("n_baseline".into(), json!(t.mwu.n_y));
            // The common-language effect size, as the probability that a current sample is
            // worse than a baseline sample (0.5: no tendency).
            let worse = match c.direction {
                Direction::Lower => t.mwu.prob_x_greater,
                Direction::Higher => 1.0 - t.mwu.prob_x_greater,
            };
            m.insert("prob_current_worse".into(), json!(worse));
            if let Some(b) = &t.bootstrap {
                m.insert(
                    "bootstrap".into(),
                    json!({
                        "statistic": t.stat.to_string(),
                        "resamples": b.resamples,
                        "seed": format!("{BOOTSTRAP_SEED:#018x}"),
                        "confidence": 1.0 - cfg.alpha,
                        "worsening_at_least": b.worsening.0,
                        "worsening_at_most": b.worsening.1,
                        "relative_at_least": b.relative.map(|r| r.0),
                        "relative_at_most": b.relative.map(|r| r.1),
                    }),
                );
            }
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
        m.insert("min_samples".into(), json!(cfg.min_samples));
    }
    Value::Object(m)
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
    v.insert(
        "samples".into(),
        json!(e.samples_of(m).map_or(0, <[f64]>::len)),
    );
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
                let bound = c.base.value + c.allowed;
                upper = Some(upper.map_or(bound, |u| u.min(bound)));
            }
            Direction::Higher => {
                let bound = c.base.value - c.allowed;
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
    baseline: &PerfEvidence,
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

    #[test]
    fn resamples_shrink_only_for_large_means() {
        assert_eq!(resamples(Statistic::Mean, 400), 2000);
        assert_eq!(resamples(Statistic::Mean, 10_000), 400);
        assert_eq!(resamples(Statistic::Mean, 10_000_000), 200);
        assert_eq!(resamples(Statistic::Quantile(0.95), 10_000_000), 2000);
    }
}

#[cfg(test)]
#[path = "performance_tests.rs"]
mod scenarios;
