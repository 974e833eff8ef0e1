//! Which charts a report, a leakage report and a backtest get, from the data they already hold.
//! Nothing here measures: every value is read from what the evaluator put in the report.

use super::chart::{Chart, Mark, Series};
use serde_json::Value;
use shipgate_model::backtest::BacktestReport;
use shipgate_model::{LeakageReport, Report};

/// The leakage a mature team stays at or below, and the line for critical paths in fintech and
/// healthtech: the reference lines of every leakage chart.
pub(crate) const LEAKAGE_LINE: f64 = 0.05;
/// See [`LEAKAGE_LINE`].
pub(crate) const CRITICAL_LEAKAGE_LINE: f64 = 0.02;

fn percent(v: f64) -> f64 {
    v * 100.0
}

fn limit(name: &str, value: f64) -> Series {
    Series {
        name: name.to_owned(),
        mark: Mark::Level,
        values: vec![Some(value)],
    }
}

/// Leakage per row of `shipgate leakage` (by month, or by the release defects were introduced
/// in), against the 5% and 2% lines.
pub(crate) fn leakage(r: &LeakageReport) -> Chart {
    let by = match r.by.as_str() {
        "introduced-in" => "release introduced in",
        other => other,
    };
    Chart {
        id: "leakage".to_owned(),
        title: format!("Defect leakage by {by} ({} days)", r.window_days),
        y_label: "leakage (%)".to_owned(),
        categories: r.rows.iter().map(|row| row.group.clone()).collect(),
        series: vec![
            Series {
                name: "leakage: production ÷ all classified defects".to_owned(),
                mark: Mark::Bar,
                values: r.rows.iter().map(|row| row.rate.map(percent)).collect(),
            },
            limit("5% (mature teams)", percent(LEAKAGE_LINE)),
            limit("2% (critical paths)", percent(CRITICAL_LEAKAGE_LINE)),
        ],
    }
}

/// The backtest's four buckets, and the releases in none of them.
pub(crate) fn backtest(r: &BacktestReport) -> Chart {
    let s = &r.summary;
    let buckets = [
        ("caught", s.blocked_and_leaked),
        ("missed", s.ready_and_leaked),
        ("false alarm", s.blocked_and_clean),
        ("ready, clean", s.ready_and_clean),
        ("missing evidence", s.missing),
        ("unusable", s.unusable),
    ];
    Chart {
        id: "backtest".to_owned(),
        title: format!("Backtest of {} releases under the policy", r.releases.len()),
        y_label: "releases".to_owned(),
        categories: buckets.iter().map(|(b, _)| (*b).to_owned()).collect(),
        series: vec![Series {
            name: "releases; caught = blocked and leaked, missed = ready and leaked, false alarm = blocked and clean".to_owned(),
            mark: Mark::Bar,
            values: buckets.iter().map(|(_, n)| Some(*n as f64)).collect(),
        }],
    }
}

/// The pass rate and the flaky rate of each run of the history `flaky.rate` read, this run
/// last, against the policy's minimum pass rate and maximum flaky rate.
pub(crate) fn history(report: &Report) -> Option<Chart> {
    let flaky = report.checks.iter().find(|c| c.id == "flaky.rate")?;
    let runs = flaky.details.get("history")?.get("runs")?.as_array()?;
    if runs.is_empty() {
        return None;
    }
    let count = |run: &Value, key: &str| run.get(key).and_then(Value::as_u64).unwrap_or(0);
    let rate = |run: &Value, key: &str| {
        let executed = count(run, "executed");
        (executed > 0).then(|| percent(count(run, key) as f64 / executed as f64))
    };
    let categories = runs
        .iter()
        .map(|run| {
            let name = run.get("name").and_then(Value::as_str).unwrap_or("?");
            match run.get("commit").and_then(Value::as_str) {
                Some(c) => format!("{name}@{}", c.chars().take(7).collect::<String>()),
                None => name.to_owned(),
            }
        })
        .collect();
    let pass_rate = runs
        .iter()
        .map(|run| {
            let executed = count(run, "executed");
            (executed > 0).then(|| {
                percent((count(run, "passed") + count(run, "flaky")) as f64 / executed as f64)
            })
        })
        .collect();
    let mut series = vec![
        Series {
            name: "pass rate: (passed + flaky) ÷ executed".to_owned(),
            mark: Mark::Line,
            values: pass_rate,
        },
        Series {
            name: "passed only on a rerun ÷ executed, per run".to_owned(),
            mark: Mark::Line,
            values: runs.iter().map(|run| rate(run, "flaky")).collect(),
        },
    ];
    // Flips across runs make a test flaky too, which no single run shows: the rate `flaky.rate`
    // measured over all of these runs is drawn across them.
    if let Some(observed) = flaky.observed.as_f64() {
        series.push(Series {
            name: "flaky rate across these runs (flaky.rate)".to_owned(),
            mark: Mark::Level,
            values: vec![Some(percent(observed))],
        });
    }
    if let Some(min) = threshold(report, "regression.pass-rate") {
        series.push(limit("minimum pass rate", percent(min)));
    }
    if let Some(max) = flaky.threshold.as_f64() {
        series.push(limit("maximum flaky rate", percent(max)));
    }
    Some(Chart {
        id: "history".to_owned(),
        title: "Pass rate and flaky rate across the runs".to_owned(),
        y_label: "% of executed tests".to_owned(),
        categories,
        series,
    })
}

fn threshold(report: &Report, id: &str) -> Option<f64> {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .and_then(|c| c.threshold.as_f64())
}

/// Each performance metric: its value in the baseline and in this run.
pub(crate) fn performance(report: &Report) -> Vec<Chart> {
    report
        .checks
        .iter()
        .filter(|c| c.id.starts_with("performance."))
        .filter_map(|c| {
            let metric = c.details.get("metric").and_then(Value::as_str)?;
            let unit = c.details.get("unit").and_then(Value::as_str).unwrap_or("");
            let value = |key: &str| {
                c.details
                    .get(key)
                    .and_then(|v| v.get("value"))
                    .and_then(Value::as_f64)
            };
            let current = value("current")?;
            let mut categories = Vec::new();
            let mut values = Vec::new();
            if let Some(baseline) = value("baseline") {
                categories.push(baseline_label(c.details.get("baseline")));
                values.push(Some(baseline));
            }
            categories.push(current_label(c.details.get("current"), c.status.as_str()));
            values.push(Some(current));
            Some(Chart {
                id: format!("performance-{metric}"),
                title: format!("{metric}: baseline and this run"),
                y_label: if unit.is_empty() {
                    metric.to_owned()
                } else {
                    format!("{metric} ({unit})")
                },
                categories,
                series: vec![Series {
                    name: metric.to_owned(),
                    mark: Mark::Bar,
                    values,
                }],
            })
        })
        .collect()
}

/// The current bar: "this run (fail)", or of several runs of the release judged together
/// (`sources.performance.current.runs`) "this release, 3 runs (pass)".
fn current_label(current: Option<&Value>, status: &str) -> String {
    let runs = current
        .and_then(|v| v.get("runs"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if runs > 1 {
        format!("this release, {runs} runs ({status})")
    } else {
        format!("this run ({status})")
    }
}

/// The baseline's bar: "baseline 2.3.0" when its runs are of one release, "baseline (5 runs)"
/// when they are of several or do not say, "baseline" otherwise. Reports written before
/// baselines held several runs name the release on the baseline itself.
fn baseline_label(baseline: Option<&Value>) -> String {
    let Some(baseline) = baseline else {
        return "baseline".to_owned();
    };
    if let Some(v) = baseline.get("release_version").and_then(Value::as_str) {
        return format!("baseline {v}");
    }
    let runs = baseline
        .get("runs")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let versions: Vec<Option<&str>> = runs
        .iter()
        .map(|r| r.get("release_version").and_then(Value::as_str))
        .collect();
    match versions.first() {
        Some(Some(first)) if versions.iter().all(|v| *v == Some(*first)) => {
            format!("baseline {first}")
        }
        _ if runs.len() > 1 => format!("baseline ({} runs)", runs.len()),
        _ => "baseline".to_owned(),
    }
}

/// Every chart of a gate report, in the order the reports show them.
pub(crate) fn of_report(report: &Report) -> Vec<Chart> {
    let mut charts: Vec<Chart> = history(report).into_iter().collect();
    charts.extend(performance(report));
    charts.retain(|c| !c.is_empty());
    charts
}

#[cfg(test)]
mod tests {
    use super::{baseline_label, current_label};
    use serde_json::json;

    #[test]
    fn the_current_bar_says_how_many_runs_it_stands_for() {
        assert_eq!(current_label(None, "fail"), "this run (fail)");
        assert_eq!(
            current_label(Some(&json!({"file": "a.jtl", "value": 1.0})), "pass"),
            "this run (pass)"
        );
        let three = json!({"value": 1.0, "runs": [{}, {}, {}]});
        assert_eq!(
            current_label(Some(&three), "pass"),
            "this release, 3 runs (pass)"
        );
    }

    #[test]
    fn the_baseline_bar_names_its_release_or_its_runs() {
        assert_eq!(baseline_label(None), "baseline");
        // A report from before baselines held several runs.
        let old = json!({"release_version": "2.2.0"});
        assert_eq!(baseline_label(Some(&old)), "baseline 2.2.0");
        let one = json!({"runs": [{"release_version": "2.3.0"}]});
        assert_eq!(baseline_label(Some(&one)), "baseline 2.3.0");
        let same = json!({"runs": [{"release_version": "2.3.0"}, {"release_version": "2.3.0"}]});
        assert_eq!(baseline_label(Some(&same)), "baseline 2.3.0");
        let mixed = json!({"runs": [{"release_version": "2.2.0"}, {"release_version": "2.3.0"}]});
        assert_eq!(baseline_label(Some(&mixed)), "baseline (2 runs)");
        let unnamed = json!({"runs": [{}, {}, {}]});
        assert_eq!(baseline_label(Some(&unnamed)), "baseline (3 runs)");
        assert_eq!(baseline_label(Some(&json!({"runs": [{}]}))), "baseline");
    }
}
