//! `performance.<metric>`: one check per item of `checks.performance`.

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::performance;
use crate::performance::{DEFAULT_ALPHA, DEFAULT_MAX_FAILED_SHARE, DEFAULT_MIN_SAMPLES, PerfLimit};
use crate::raw::{CheckSettings, RawPolicy};
use crate::validator::Validator;
use crate::values::Percent;
use shipgate_model::CheckResult;
use std::sync::Arc;

pub(crate) static METRIC: CheckKind = CheckKind {
    info: CheckInfo {
        id: "performance.<metric>",
        title: "Performance against limits and the baseline",
        measures: "one metric of the load-test results (`sources.performance.current`), addressed as `name.stat` (`http_req_duration.p95`, `checkout.error_rate`), against absolute limits and, with `max_regression`, against the same metric of the baseline (`sources.performance.baseline`). The comparison is direction-aware (slower latency and lower throughput are both worse) and has a noise floor (`min_change`). Where both runs have raw samples (JMeter JTL, k6 `--out json`, generic JSON with samples, and baselines promoted from them), a worsening beyond the limits counts only if it is statistically significant: a one-sided Mann–Whitney U test and a seeded bootstrap bound of the statistic's change, both at `alpha`; the report shows the test, the p-value and the effect.",
        blocks_when: "the metric is above `max` or below `min`; or it worsened against the baseline by more than `max_regression` and by more than `min_change`, and the worsening is significant (or could not be tested: no raw samples, or fewer than `min_samples`); or, with the default `on_missing: fail`, the results, the baseline or the metric are missing, or the two runs report it in different units. A baseline of 0 has no relative change: any worsening (beyond `min_change`) counts.",
        configure: "sources.performance.{current,baseline}.{path,format}; checks.performance: [{metric, max, min, max_regression, min_change, alpha (0.05), min_samples (20), direction, level, on_missing}]. Limits carry units: `300ms` for a duration, `1%` for a rate, a plain number for throughput or counts.",
        fix: "Find what made the metric worse between the baseline and this release (the details give both values, the change, the p-value and the bootstrap bound) and fix it. If the new level is intended, promote this run as the new baseline (`shipgate perf baseline promote`) in review. `shipgate inspect perf FILE` lists the metrics a file holds.",
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
    /// The significance level.
    pub alpha: f64,
    /// The fewest samples per side for a significance test.
    pub min_samples: u64,
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
                min_samples: c.min_samples.unwrap_or(DEFAULT_MIN_SAMPLES),
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
        performance::check(self, &e.evidence.performance)
    }
}
