//! Rules of the performance sections: `sources.performance` and `checks.performance`, checked
//! before any file is read (a limit in a unit the metric cannot have, a metric named twice).

use crate::raw::RawPolicy;
use crate::validator::Validator;
use shipgate_model::PerfFormat;
use shipgate_model::perf::{expected_unit, split_metric};
use std::collections::BTreeSet;

impl Validator<'_> {
    /// The rules of `sources.performance` and `checks.performance`.
    pub(crate) fn validate_performance(&mut self, policy: &RawPolicy) {
        let sources = policy.sources.performance.as_ref();
        if let Some(s) = sources
            && s.current.files.len() == 1
            && s.current.files.first().trim().is_empty()
        {
            self.problem(
                "sources.performance.current.path",
                "name the results file, e.g. `perf/summary.json`",
            );
        }
        if let Some(b) = sources.and_then(|s| s.baseline.as_ref())
            && b.path.trim().is_empty()
        {
            self.problem(
                "sources.performance.baseline.path",
                "name the results file, e.g. `perf/summary.json`",
            );
        }
        if let Some(s) = sources
            && s.current.max_age.is_some()
        {
            self.problem(
                "sources.performance.current.max_age",
                "`max_age` limits the age of the baseline's runs; the age of the results is `evidence.provenance`'s (`max_age` there)",
            );
        }
        let checks = &policy.checks.performance;
        let format = sources
            .and_then(|s| s.current.format)
            .unwrap_or(PerfFormat::Auto);
        let mut seen = BTreeSet::new();
        for (i, c) in checks.iter().enumerate() {
            let path = format!("checks.performance[{i}]");
            let metric = c.metric.trim();
            if metric.is_empty() {
                self.problem(
                    &format!("{path}.metric"),
                    "name the metric, e.g. `http_req_duration.p95`",
                );
                continue;
            }
            if split_metric(metric).is_none() {
                self.problem(
                    &format!("{path}.metric"),
                    format!("`{metric}` is not `name.stat`: name a metric and its statistic, e.g. `http_req_duration.p95` or `checkout.error_rate`"),
                );
            }
            if !seen.insert(metric.to_owned()) {
                self.problem(
                    &format!("{path}.metric"),
                    format!("`{metric}` is checked twice; one check per metric (its id is `performance.{metric}`)"),
                );
            }
            if c.max.is_none() && c.min.is_none() && c.max_regression.is_none() {
                self.problem(
                    &path,
                    format!("the check of `{metric}` sets neither `max`, `min` nor `max_regression`, so it would check nothing"),
                );
            }
            if c.min_samples.is_some() {
                self.problem(
                    &format!("{path}.min_samples"),
                    "`min_samples` is no longer read: a regression is now judged over the baseline's runs, not the raw samples of one (docs/decisions/0024-performance-judgement-over-runs.md); remove it, and promote several runs into the baseline",
                );
            }
            if c.max_regression.is_none() {
                for (key, set) in [
                    ("min_change", c.min_change.is_some()),
                    ("alpha", c.alpha.is_some()),
                ] {
                    if set {
                        self.problem(
                            &format!("{path}.{key}"),
                            format!("`{key}` only applies to a comparison with the baseline; set `max_regression` too, or remove it"),
                        );
                    }
                }
            } else if sources.is_some_and(|s| s.baseline.is_none()) {
                self.cross_problem(
                    &format!("{path}.max_regression"),
                    "`max_regression` compares with a baseline: add `sources.performance.baseline` (write one with `shipgate perf baseline promote`)",
                );
            }
            // Units that cannot fit, when the tool's naming conventions tell the metric's unit.
            if let Some(unit) = expected_unit(format, metric) {
                for (key, limit) in [
                    ("max", &c.max),
                    ("min", &c.min),
                    ("min_change", &c.min_change),
                ] {
                    if let Some(limit) = limit
                        && let Err(why) = limit.in_unit(&unit)
                    {
                        self.problem(
                            &format!("{path}.{key}"),
                            format!("{why} (`{metric}` is {})", unit.describe()),
                        );
                    }
                }
            }
            if let (Some(min), Some(max)) = (&c.min, &c.max)
                && min.kind() == max.kind()
                && min.value > max.value
            {
                self.problem(
                    &format!("{path}.min"),
                    format!("`min: {min}` is above `max: {max}`: no value could pass"),
                );
            }
        }
    }
}
