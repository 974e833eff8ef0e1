//! `evaluate(&Policy, &EvidenceSet, now) -> Verdict`: pure, deterministic, no IO.
//!
//! Each configured check becomes one [`CheckResult`]; waivers are applied last, and
//! `waivers.valid` reports on the waivers themselves.

mod critical_paths;
mod flaky;
mod quarantine;
mod regression;
mod result;
mod waivers;

use crate::policy::{CheckSettings, Policy};
use jiff::Timestamp;
use shipgate_model::verdict::{Stats, TestStats};
use shipgate_model::{CheckResult, EvidenceSet, Verdict};

/// Evaluates a policy against the evidence at the instant `now`.
pub fn evaluate(policy: &Policy, evidence: &EvidenceSet, now: Timestamp) -> Verdict {
    let mut checks: Vec<CheckResult> = Vec::new();
    let quarantine = quarantine::QuarantineView::new(
        &evidence.quarantine,
        &evidence.tests,
        &policy.risk.critical_paths,
        now,
    );
    if let Some(r) = &policy.checks.regression {
        let settings = CheckSettings::new(r.level, r.on_missing);
        if let Some(min) = r.min_pass_rate {
            checks.push(regression::pass_rate(
                min,
                settings,
                &evidence.tests,
                &quarantine,
            ));
        }
        if let Some(min) = r.min_tests {
            checks.push(regression::min_tests(min, settings, &evidence.tests));
        }
    }
    if !policy.risk.critical_paths.is_empty() {
        let options = policy.checks.critical_paths.clone().unwrap_or_default();
        checks.push(critical_paths::passed(
            &policy.risk.critical_paths,
            &options,
            &evidence.tests,
            &quarantine,
        ));
    }
    if let Some(f) = &policy.checks.flaky
        && let Some(max) = f.max_rate
    {
        let settings = CheckSettings::new(f.level, f.on_missing);
        checks.push(flaky::rate(
            max,
            settings,
            &evidence.tests,
            &evidence.history,
            policy.min_flips(),
            &quarantine,
        ));
    }
    let waivers = waivers::apply(&policy.waivers, &mut checks, now);
    let stats = Stats {
        tests: evidence
            .tests
            .loaded()
            .map(|t| TestStats::new(&t.totals, t.suite_errors.len() as u64, t.files.len() as u64)),
    };
    Verdict::new(checks, stats, waivers)
}

#[cfg(test)]
mod tests;
