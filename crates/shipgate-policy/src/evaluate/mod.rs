//! `evaluate(&Policy, &EvidenceSet, now) -> Verdict`: pure, deterministic, no IO.
//!
//! Each configured check becomes one [`CheckResult`]; waivers are applied last, and
//! `waivers.valid` reports on the waivers themselves.

mod critical_paths;
mod defects;
mod findings;
mod flaky;
pub(crate) mod leakage;
mod performance;
mod provenance;
mod quarantine;
mod regression;
mod result;
mod traceability;
mod uat;
mod uat_approvals;
mod waivers;

use crate::policy::{CheckSettings, Policy};
use jiff::Timestamp;
use shipgate_model::verdict::{DefectStats, Stats, TestStats};
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
    push_defect_checks(policy, evidence, now, &mut checks);
    for c in &policy.checks.performance {
        checks.push(performance::check(c, &evidence.performance));
    }
    if let Some(u) = &policy.checks.uat {
        checks.push(uat::signoff(policy, u, evidence, now));
    }
    if let Some(p) = &policy.checks.provenance {
        checks.push(provenance::provenance(policy, p, evidence, now));
    }
    let waivers = waivers::apply(&policy.waivers, &mut checks, now);
    checks.extend(not_evaluated(policy, &checks));
    let stats = Stats {
        tests: evidence.tests.loaded().map(TestStats::of),
        defects: evidence.defects.loaded().map(defect_stats),
    };
    Verdict::new(checks, stats, waivers)
}

/// `defects.open`, `defects.classified`, `leakage.rate`, `traceability.production-defects`.
fn push_defect_checks(
    policy: &Policy,
    evidence: &EvidenceSet,
    now: Timestamp,
    checks: &mut Vec<CheckResult>,
) {
    let leakage_window = policy.leakage_window();
    if let Some(d) = &policy.checks.defects {
        let settings = CheckSettings::new(d.level, d.on_missing);
        if let Some(max) = &d.max_open {
            checks.push(defects::open(max, settings, &evidence.defects, now));
        }
        let window = d.window.map_or(leakage_window, |w| w.get());
        checks.push(defects::classified(
            d,
            window,
            settings,
            &evidence.defects,
            now,
        ));
    } else if let Some(settings) = classified_for_leakage(policy) {
        // Defects of unknown origin are left out of the leakage rate and need no regression
        // test: without this check they would skew both, unseen.
        checks.push(defects::classified(
            &crate::defects::DefectsCheck::default(),
            leakage_window,
            settings,
            &evidence.defects,
            now,
        ));
    }
    if let Some(l) = &policy.checks.leakage {
        let settings = CheckSettings::new(l.level, l.on_missing);
        checks.push(leakage::rate(
            l,
            leakage_window,
            &policy.risk.critical_paths,
            settings,
            &evidence.defects,
            now,
        ));
    }
    if let Some(t) = &policy.checks.traceability
        && policy.runs_traceability()
    {
        let settings = CheckSettings::new(t.level, t.on_missing);
        let window = t.window.map_or(leakage_window, |w| w.get());
        checks.push(traceability::production_defects(
            window,
            settings,
            &evidence.defects,
            &evidence.tests,
            now,
        ));
    }
}

fn defect_stats(e: &shipgate_model::DefectEvidence) -> DefectStats {
    use shipgate_model::{DefectStatus, Origin};
    let count = |f: &dyn Fn(&shipgate_model::Defect) -> bool| {
        e.defects.iter().filter(|d| f(d)).count() as u64
    };
    DefectStats {
        total: e.defects.len() as u64,
        open: count(&|d| d.status == DefectStatus::Open),
        production: count(&|d| d.origin == Origin::Production),
        pre_production: count(&|d| d.origin == Origin::PreProduction),
        unknown_origin: count(&|d| d.origin == Origin::Unknown),
    }
}

#[cfg(test)]
mod defect_tests;
#[cfg(test)]
mod tests;

/// The settings of `defects.classified` when the policy has no `checks.defects` but runs
/// `leakage.rate` or `traceability.production-defects`, which depend on classified defects: the
/// stricter of theirs (it blocks if either of them can block).
pub(crate) fn classified_for_leakage(policy: &Policy) -> Option<CheckSettings> {
    use crate::policy::{LevelSetting, OnMissing};
    let c = &policy.checks;
    let mut users: Vec<(Option<LevelSetting>, Option<OnMissing>)> = Vec::new();
    if let Some(l) = &c.leakage {
        users.push((l.level, l.on_missing));
    }
    if let Some(t) = c
        .traceability
        .as_ref()
        .filter(|_| policy.runs_traceability())
    {
        users.push((t.level, t.on_missing));
    }
    if c.defects.is_some() || users.is_empty() {
        return None;
    }
    let level = if users
        .iter()
        .any(|(l, _)| l.unwrap_or_default() == LevelSetting::Error)
    {
        LevelSetting::Error
    } else {
        LevelSetting::Warn
    };
    let on_missing = if users
        .iter()
        .any(|(_, m)| m.unwrap_or_default() == OnMissing::Fail)
    {
        OnMissing::Fail
    } else {
        OnMissing::Warn
    };
    Some(CheckSettings::new(Some(level), Some(on_missing)))
}

/// A blocking result for every check the policy configures (`Policy::check_ids`) that the
/// evaluation above did not produce. Which checks run is written down in more than one place;
/// should they ever disagree, a configured check must block, never silently not run.
fn not_evaluated(policy: &Policy, produced: &[CheckResult]) -> Vec<CheckResult> {
    policy
        .check_ids()
        .into_iter()
        .filter(|id| !produced.iter().any(|c| &c.id == id))
        .map(|id| {
            let mut r = result::Check::new(id, CheckSettings::default()).measured(
                false,
                serde_json::Value::Null,
                serde_json::Value::Null,
                "count",
                "this configured check was not evaluated: a bug in shipgate".to_owned(),
                Some("report this to the shipgate developers; the release is blocked until the check runs".to_owned()),
                serde_json::Map::new(),
            );
            r.status = shipgate_model::CheckStatus::Error;
            r.blocking = true;
            r
        })
        .collect()
}
