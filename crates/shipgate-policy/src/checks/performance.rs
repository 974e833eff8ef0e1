//! `performance.<metric>`: one check per item of `checks.performance`.

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::performance;
use crate::performance::{DEFAULT_ALPHA, DEFAULT_MAX_FAILED_SHARE, PerfLimit};
use crate::raw::{CheckSettings, RawPolicy};
use crate::validator::Validator;
use crate::values::{DurationSpec, Percent};
use shipgate_model::CheckResult;
use std::sync::Arc;

pub(crate) static METRIC: CheckKind = CheckKind {
    info: CheckInfo {
        id: "performance.<metric>",
        title: "Performance against limits and the baseline",
        measures: "one metric of the load-test results (`sources.performance.current`), addressed as `name.stat` (`http_req_duration.p95`, `checkout.error_rate`), against absolute limits and, with `max_regression`, against the same metric of the baseline (`sources.performance.baseline`): the last good runs, kept by `shipgate perf baseline promote` (each run's file beside the baseline, checked against its SHA-256 on every use). A latency or throughput is judged on the successful requests where the file tells them apart, with the failed share beside it. The comparison is direction-aware (slower latency and lower throughput are both worse), from the mean of the baseline's runs, with a noise floor (`min_change`). With two runs or more, a worsening beyond `max_regression` counts unless it is within the way the runs differ: a one-sided t-test over the baseline's runs of \"worse than their mean by more than the allowance\", at `alpha`, used only when it would catch twice the allowance 19 times in 20 (decision 0024). A baseline of one run, runs that all agree, and an error rate or other ratio count as they are.",
        blocks_when: "the metric is above `max` or below `min`; or a latency or throughput has no successful request behind it, or more failed requests than `max_failed_share` (1%); or it worsened against the baseline by more than `max_regression` and by more than `min_change`, and the worsening is beyond the way the baseline's runs differ (or cannot be tested: one run, runs too noisy, a ratio); or the baseline was measured by another tool than the results (unless `sources.performance.compare_across_tools: true`), or its newest run is older than `sources.performance.baseline.max_age`; or, with the default `on_missing: fail`, the results, the baseline or the metric are missing, or the two runs report it in different units. A baseline run that no longer matches the hash recorded when it was promoted stops the gate (exit 4). A baseline of 0 has no relative change: any worsening (beyond `min_change`) counts.",
        configure: "sources.performance.{current,baseline}.{path,format}, sources.performance.current.runs (several runs of the release, judged together: the median, every run against the limits and max_failed_share, a ratio's worst run), sources.performance.baseline.max_age, sources.performance.compare_across_tools; checks.performance: [{metric, max, min, max_regression, min_change, alpha (0.05), max_failed_share (1%), direction, level, on_missing}]. Limits carry units: `300ms` for a duration, `1%` for a rate, a plain number for throughput or counts.",
        fix: "Find what made the metric worse between the baseline and this release (the details give the current value, each baseline run, the change and the test) and fix it. If the new level is intended, start a new baseline from runs of this release in review (`shipgate perf baseline promote RUN --out BASELINE --fresh`, then promote more runs). `shipgate inspect perf FILE` lists the metrics a file holds.",
        why: "Performance regressions reach production when nobody compares with the last good release; a gate that flaps on CI noise gets ignored, so a regression blocks only when it is beyond the limits and real.",
    },
    section: "checks.performance",
    keys: &["max", "min", "max_regression"],
    configure,
};

/// One configured `performance.<metric>` check. Each limit is optional on its own, but one is
/// always there: the check is not built without `max`, `min` or `max_regression`.
#[derive(Clone, Debug)]
pub(crate) struct PerfCheck {
    /// `name.stat`.
    pub metric: String,
    /// The largest acceptable value.
    pub max: Option<PerfLimit>,
    /// The smallest acceptable value.
    pub min: Option<PerfLimit>,
    /// The largest acceptable worsening against the baseline.
    pub max_regression: Option<Percent>,
    /// The largest failed share of the requests behind a figure of requests, 0 to 1.
    pub max_failed_share: f64,
    /// The noise floor of `max_regression`.
    pub min_change: Option<PerfLimit>,
    /// The significance level of the test over the baseline's runs.
    pub alpha: f64,
    /// Baseline runs older than this are left out (`sources.performance.baseline.max_age`).
    pub max_age: Option<std::time::Duration>,
    /// Whether a baseline measured by another tool may be compared with
    /// (`sources.performance.compare_across_tools`).
    pub across_tools: bool,
    /// Which way is better, for a metric whose file does not say.
    pub direction: Option<shipgate_model::Direction>,
    /// Level and missing-evidence rule.
    pub settings: CheckSettings,
}

impl PerfCheck {
    /// The check id: `performance.<metric>`.
    pub fn id(&self) -> String {
        format!("performance.{}", self.metric)
    }
}

fn configure(raw: &RawPolicy, _: &mut Validator<'_>) -> Vec<Arc<dyn Check>> {
    // The rules of each item (a metric named once, units that fit, a limit set) are checked
    // with the sources in `crate::performance`; an item that breaks one is not built.
    let sources = raw.sources.performance.as_ref();
    let max_age = sources
        .and_then(|s| s.baseline.as_ref())
        .and_then(|b| b.max_age)
        .map(DurationSpec::get);
    let across_tools = sources.and_then(|s| s.compare_across_tools) == Some(true);
    raw.checks
        .performance
        .iter()
        .filter(|c| {
            !c.metric.trim().is_empty()
                && (c.max.is_some() || c.min.is_some() || c.max_regression.is_some())
        })
        .map(|c| {
            Arc::new(PerfCheck {
                metric: c.metric.trim().to_owned(),
                max: c.max.clone(),
                min: c.min.clone(),
                max_regression: c.max_regression,
                max_failed_share: c
                    .max_failed_share
                    .map_or(DEFAULT_MAX_FAILED_SHARE, Percent::as_f64),
                min_change: c.min_change.clone(),
                alpha: c.alpha.map_or(DEFAULT_ALPHA, |a| a.0),
                max_age,
                across_tools,
                direction: c.direction,
                settings: CheckSettings::new(c.level, c.on_missing),
            }) as Arc<dyn Check>
        })
        .collect()
}

impl Check for PerfCheck {
    fn kind(&self) -> &'static CheckKind {
        &METRIC
    }
    fn id(&self) -> String {
        PerfCheck::id(self)
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        Needs {
            performance: true,
            ..Needs::NOTHING
        }
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        performance::check(self, &e.evidence.performance, e.now)
    }
}
