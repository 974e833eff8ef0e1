//! `evaluate(&Policy, &EvidenceSet, now) -> Verdict`: pure, deterministic, no IO.
//!
//! Each configured check becomes one [`CheckResult`]; waivers are applied last, and
//! `waivers.valid` reports on the waivers themselves.

pub(crate) mod critical_paths;
pub(crate) mod defects;
mod findings;
pub(crate) mod flaky;
pub(crate) mod leakage;
pub(crate) mod performance;
pub(crate) mod provenance;
pub(crate) mod quarantine;
pub(crate) mod regression;
mod result;
pub(crate) mod risk;
pub(crate) mod traceability;
pub(crate) mod uat;
mod uat_approvals;
pub(crate) mod waivers;

use crate::checks::{Evaluation, Stage};
use crate::policy::Policy;
use jiff::Timestamp;
use shipgate_model::verdict::{DefectStats, Stats, TestStats};
use shipgate_model::{CheckResult, CheckStatus, EvidenceSet, Verdict};

/// Evaluates a policy against the evidence at the instant `now`: each configured check, in
/// registry order, then the checks that review them (`waivers.valid`).
pub fn evaluate(policy: &Policy, evidence: &EvidenceSet, now: Timestamp) -> Verdict {
    let mut e = Evaluation {
        policy,
        evidence,
        now,
        quarantine: quarantine::QuarantineView::new(
            &evidence.quarantine,
            &evidence.tests,
            &policy.risk.critical_paths,
            now,
        ),
        results: Vec::new(),
        waivers: Vec::new(),
    };
    for stage in [Stage::Evidence, Stage::Review] {
        for check in policy.checks.iter().filter(|c| c.stage() == stage) {
            let result = check.evaluate(&mut e);
            e.results.push(result);
        }
        if stage == Stage::Evidence {
            block_when_nothing_was_measured(&mut e.results);
        }
    }
    let stats = Stats {
        tests: evidence.tests.loaded().map(TestStats::of),
        defects: evidence.defects.loaded().map(defect_stats),
    };
    Verdict::new(e.results, stats, e.waivers)
}

/// A gate that measured nothing must not say ready: when the evidence of every check is
/// missing, `on_missing: warn` does not keep them from blocking.
fn block_when_nothing_was_measured(results: &mut [CheckResult]) {
    let nothing = !results.is_empty()
        && results
            .iter()
            .all(|r| matches!(r.status, CheckStatus::Missing | CheckStatus::Error));
    if !nothing {
        return;
    }
    for r in results.iter_mut().filter(|r| !r.blocking) {
        r.blocking = true;
        r.message.push_str(
            "; but the evidence of every check is missing, and a gate that measured nothing never says ready, so this blocks whatever `on_missing` or `level` says",
        );
        let remedy = "make at least one source of evidence available to the gate";
        r.remedy = Some(match r.remedy.take() {
            Some(first) => format!("{first}; {remedy}"),
            None => remedy.to_owned(),
        });
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
