//! `performance.<metric>` over several runs of the release (`sources.performance.current.runs`),
//! judged together (decision 0028).
//!
//! - Every run is held to what one run is held to: it must measure the metric, have a
//!   successful request behind it and no more failed requests than `max_failed_share`. A run
//!   that does not fails the check, named; no run is ever left out.
//! - `max` / `min`: every run must meet them; the report names the worst run.
//! - A ratio (an error rate) is compared with the baseline on the worst run: failures are
//!   events, never outvoted by the other runs.
//! - Any other figure is compared by the runs' median (for two runs, their mean), with the
//!   standard error of a median in the test over the baseline's runs.
//!
//! It must not judge fewer runs than the policy lists, nor let two runs count as one or one
//! as two: the evidence loader has already refused runs of different tools and the same file
//! twice, and the policy a run listed twice.

use super::{
    Comparison, Current, compare, explain_comparison, lacks, limits, missing, show, side,
    threshold, untrustworthy, written_limits,
};
use crate::checks::PerfCheck;
use crate::evaluate::result::CheckRun;
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::{
    CheckResult, CheckStatus, CheckUnit, PerfCurrent, PerfEvidence, PerfMetric, PerfRuns, PerfUnit,
};

/// Evaluates one `performance.<metric>` check over several current runs.
pub(super) fn check(
    cfg: &PerfCheck,
    check: &CheckRun,
    runs: &PerfRuns,
    current: &PerfCurrent,
    now: Timestamp,
) -> CheckResult {
    let all: Vec<&PerfEvidence> = current.runs().collect();
    let n = all.len();
    let with: Vec<(&PerfEvidence, &PerfMetric)> = all
        .iter()
        .filter_map(|r| r.metrics.get(&cfg.metric).map(|m| (*r, m)))
        .collect();
    let Some(&(first, metric)) = with.first() else {
        let mut problem = lacks(current.first(), "the results", &cfg.metric);
        problem.message = format!(
            "none of the {n} runs has `{}`: {}",
            cfg.metric, problem.message
        );
        return missing(check, problem);
    };
    if with.len() < n {
        let lacking: Vec<String> = all
            .iter()
            .filter(|r| !r.metrics.contains_key(&cfg.metric))
            .map(|r| format!("`{}`", r.path))
            .collect();
        return unfit(
            check,
            metric,
            format!(
                "`{}` is in {} of the {n} runs of the results; {} lack{} it, so the runs do not measure the same thing and cannot be judged together",
                cfg.metric,
                with.len(),
                lacking.join(", "),
                if lacking.len() == 1 { "s" } else { "" }
            ),
            "run the same load test for every run of the release, so that each records the metric (`shipgate inspect perf FILE` lists what a file holds)".to_owned(),
        );
    }
    if let Some(result) = unlike(cfg, check, &with) {
        return result;
    }
    let limits = match limits(cfg, &metric.unit) {
        Ok(l) => l,
        Err((key, why)) => {
            return unfit(
                check,
                metric,
                format!("`{key}` of `{}` does not fit the metric: {why}", cfg.metric),
                format!(
                    "correct `{key}` in the policy; `{}` is {} in `{}`",
                    cfg.metric,
                    metric.unit.describe(),
                    first.path
                ),
            );
        }
    };
    // Each run on its own first: a run with failures is never outvoted by the others.
    for (i, (run, m)) in with.iter().enumerate() {
        if let Some(mut result) = untrustworthy(cfg, check, run, m) {
            result.message = format!(
                "in run {} of {n} of the results, `{}`: {}",
                i + 1,
                run.path,
                result.message
            );
            return result;
        }
    }
    let values: Vec<f64> = with.iter().map(|(_, m)| m.value).collect();
    let highest = worst(&with, true);
    let lowest = worst(&with, false);
    let over_max = limits.max.is_some_and(|m| highest.1.value > m);
    let under_min = limits.min.is_some_and(|m| lowest.1.value < m);
    let absolute_failed = over_max || under_min;

    let label = with
        .iter()
        .map(|(r, _)| r.path.as_str())
        .collect::<Vec<_>>()
        .join("`, `");
    let cur = Current {
        run: first,
        metric,
        values: values.clone(),
        label,
    };
    let mut details = Map::new();
    details.insert("metric".into(), json!(cfg.metric));
    details.insert("unit".into(), json!(metric.unit.as_str()));
    details.insert("limits".into(), written_limits(cfg));

    let comparison = match cfg.max_regression {
        None => None,
        Some(max_regression) => match compare(
            cfg,
            check,
            runs,
            &cur,
            &limits,
            max_regression.as_f64(),
            now,
        ) {
            Ok(c) => Some(c),
            Err(result) => {
                let unit = &metric.unit;
                if !absolute_failed || result.status == CheckStatus::Error {
                    let mut r = *result;
                    if absolute_failed {
                        let (file, v) = if over_max {
                            (highest.0.path.as_str(), highest.1.value)
                        } else {
                            (lowest.0.path.as_str(), lowest.1.value)
                        };
                        r.message.push_str(&format!(
                            "; besides, `{}` is {} in the run `{file}`, outside its absolute limits",
                            cfg.metric,
                            show(v, unit)
                        ));
                    }
                    return r;
                }
                details.insert("baseline_problem".into(), json!(result.message));
                None
            }
        },
    };
    let regressed = comparison.as_ref().is_some_and(Comparison::regressed);
    let passed = !absolute_failed && !regressed;
    let unit = &metric.unit;

    // The figure the check reports: the worst run where a limit failed (or where only limits
    // are checked), else the figure compared with the baseline.
    let (value, what) = if over_max || (comparison.is_none() && limits.max.is_some()) {
        (highest.1.value, format!("the highest of {n} runs"))
    } else if under_min || comparison.is_none() {
        (lowest.1.value, format!("the lowest of {n} runs"))
    } else if let Some(c) = comparison.as_ref().filter(|_| *unit == PerfUnit::Ratio) {
        (c.metric_value, format!("the worst of {n} runs"))
    } else if n == 2 {
        (cur.shown(), "the median of 2 runs (their mean)".to_owned())
    } else {
        (cur.shown(), format!("the median of {n} runs"))
    };
    let list: Vec<String> = with
        .iter()
        .map(|(r, m)| format!("`{}` {}", r.path, show(m.value, unit)))
        .collect();
    let failed = with
        .iter()
        .filter_map(|(_, m)| m.requests.and_then(|r| r.failed_share()))
        .fold(None, |acc: Option<f64>, s| {
            Some(acc.map_or(s, |a| a.max(s)))
        });
    let failed_note = match failed {
        None => String::new(),
        Some(0.0) => "; no request failed in any run".to_owned(),
        Some(s) => format!(
            "; at most {} of a run's requests failed",
            show(s, &PerfUnit::Ratio)
        ),
    };
    let mut parts = vec![format!(
        "`{}` is {}, {what} ({}){failed_note}",
        cfg.metric,
        show(value, unit),
        list.join(", ")
    )];
    if let Some(m) = limits.max {
        parts.push(if over_max {
            format!(
                "the run `{}` ({}) is above the maximum of {}",
                highest.0.path,
                show(highest.1.value, unit),
                show(m, unit)
            )
        } else {
            format!("every run within the maximum of {}", show(m, unit))
        });
    }
    if let Some(m) = limits.min {
        parts.push(if under_min {
            format!(
                "the run `{}` ({}) is below the minimum of {}",
                lowest.0.path,
                show(lowest.1.value, unit),
                show(m, unit)
            )
        } else {
            format!("every run above the minimum of {}", show(m, unit))
        });
    }
    let mut side_of_runs = Map::new();
    side_of_runs.insert("value".into(), json!(value));
    side_of_runs.insert("judged_on".into(), json!(what));
    side_of_runs.insert(
        "median".into(),
        json!(shipgate_stats::median(&values).unwrap_or(f64::NAN)),
    );
    if limits.max.is_some() {
        side_of_runs.insert(
            "highest_run".into(),
            json!({"file": highest.0.path, "value": highest.1.value}),
        );
    }
    if limits.min.is_some() {
        side_of_runs.insert(
            "lowest_run".into(),
            json!({"file": lowest.0.path, "value": lowest.1.value}),
        );
    }
    side_of_runs.insert(
        "runs".into(),
        Value::Array(with.iter().map(|(r, m)| side(r, m)).collect()),
    );
    details.insert("current".into(), Value::Object(side_of_runs));
    if let Some(c) = &comparison {
        explain_comparison(cfg, c, unit, &mut parts, &mut details);
    }
    let message = parts.join("; ");
    let remedy = (!passed).then(|| {
        if regressed {
            format!(
                "find what made `{}` worse since the baseline and fix it; if the new level is intended, start a new baseline from these runs in review (`shipgate perf baseline promote RUN... --out BASELINE --fresh`)",
                cfg.metric
            )
        } else if over_max {
            format!(
                "bring `{}` down to {} or below in every run (`{}` is {})",
                cfg.metric,
                limits.max.map_or_else(String::new, |m| show(m, unit)),
                highest.0.path,
                show(highest.1.value, unit)
            )
        } else {
            format!(
                "bring `{}` up to {} or above in every run (`{}` is {})",
                cfg.metric,
                limits.min.map_or_else(String::new, |m| show(m, unit)),
                lowest.0.path,
                show(lowest.1.value, unit)
            )
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

/// The run with the highest (or lowest) value.
fn worst<'a>(
    with: &[(&'a PerfEvidence, &'a PerfMetric)],
    highest: bool,
) -> (&'a PerfEvidence, &'a PerfMetric) {
    let mut pick = with[0];
    for &(r, m) in &with[1..] {
        let better = if highest {
            m.value > pick.1.value
        } else {
            m.value < pick.1.value
        };
        if better {
            pick = (r, m);
        }
    }
    pick
}

/// Runs that do not measure the metric alike (another unit, failed requests counted or not,
/// another direction) cannot be judged together: the check fails, naming both.
fn unlike(
    cfg: &PerfCheck,
    check: &CheckRun,
    with: &[(&PerfEvidence, &PerfMetric)],
) -> Option<CheckResult> {
    let (first, metric) = with[0];
    for (run, m) in &with[1..] {
        let differs = if m.unit != metric.unit {
            Some(format!(
                "in `{}` in `{}` but in `{}` in `{}`",
                metric.unit, first.path, m.unit, run.path
            ))
        } else if let (Some(a), Some(b)) = (metric.requests, m.requests)
            && a.basis != b.basis
        {
            Some(format!(
                "of {} requests in `{}` but of {} requests in `{}`",
                a.basis.as_str(),
                first.path,
                b.basis.as_str(),
                run.path
            ))
        } else if let (Some(a), Some(b)) = (metric.direction, m.direction)
            && a != b
        {
            Some(format!(
                "{} is better in `{}` but {} in `{}`",
                a.as_str(),
                first.path,
                b.as_str(),
                run.path
            ))
        } else {
            None
        };
        if let Some(why) = differs {
            return Some(unfit(
                check,
                metric,
                format!(
                    "`{}` is {why}: the runs of the results do not measure it alike and cannot be judged together",
                    cfg.metric
                ),
                "list only runs of the same load test, read in the same format".to_owned(),
            ));
        }
    }
    None
}

/// A failure, whatever `on_missing` says: the runs are there but cannot be judged together.
fn unfit(check: &CheckRun, metric: &PerfMetric, message: String, remedy: String) -> CheckResult {
    let (unit_name, scale) = CheckUnit::of_metric(&metric.unit);
    check.measured(
        false,
        json!(metric.value * scale),
        Value::Null,
        unit_name,
        message,
        Some(remedy),
        Map::new(),
    )
}

#[cfg(test)]
#[path = "performance_runs_tests.rs"]
mod tests;
