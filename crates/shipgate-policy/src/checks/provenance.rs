//! `evidence.provenance`, configured from `checks.provenance` (its rules are in
//! `crate::provenance`).

use super::{Check, CheckKind, Evaluation, Needs};
use crate::catalog::CheckInfo;
use crate::evaluate::provenance;
use crate::provenance::{CommitRule, DEFAULT_CLOCK_SKEW, PROVENANCE_SOURCES};
use crate::raw::{CheckSettings, RawPolicy};
use crate::validator::Validator;
use shipgate_model::CheckResult;
use shipgate_model::SourceId;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

pub(crate) static PROVENANCE: CheckKind = CheckKind {
    info: CheckInfo {
        id: "evidence.provenance",
        title: "Evidence provenance",
        measures: "for each source in `max_age` (JUnit files by their latest `<testsuite timestamp>`, the UAT sign-off by its oldest signature, GitHub deployment approvals by their run's creation), the evidence's age at evaluation time; and for every item that names a commit (a JUnit `git.commit`/`commit` property, the sign-off's `commit`), whether it is the release's commit.",
        blocks_when: "evidence is older than its source's `max_age`, dated more than `clock_skew` (default 5m) in the future, or carries no time when an age is asked; an item names another commit than `release.commit`; with `commit: require`, an item names no commit or the release has none.",
        configure: "checks.provenance.max_age.{tests,uat}; commit (`match`, default, or `require`); clock_skew; level; on_missing.",
        fix: "Produce the evidence again for this build (re-run the tests, renew the sign-off) from the commit being released, and make it say when and from which commit it was produced: the details list each file with its time and commit.",
        why: "A green report from last month's build, or from another branch, proves nothing about this release.",
    },
    section: "checks.provenance",
    keys: &["max_age", "commit"],
    configure,
};

/// The configured `evidence.provenance`: at least one age, or a commit rule written.
#[derive(Clone, Debug)]
pub(crate) struct ProvenanceRules {
    /// The oldest evidence accepted, per source that has a limit.
    pub max_age: BTreeMap<SourceId, Duration>,
    /// How evidence must relate to `release.commit`.
    pub commit: CommitRule,
    /// How far in the future evidence may be dated.
    pub clock_skew: Duration,
    /// Level and missing-evidence rule.
    pub settings: CheckSettings,
}

impl ProvenanceRules {
    /// The maximum age of a source's evidence, when set.
    pub fn max_age_of(&self, source: SourceId) -> Option<Duration> {
        self.max_age.get(&source).copied()
    }
}

fn configure(raw: &RawPolicy, _: &mut Validator<'_>) -> Vec<Arc<dyn Check>> {
    // The rules of each age (a configured source, longer than zero) are checked in
    // `crate::provenance`.
    let Some(p) = &raw.checks.provenance else {
        return Vec::new();
    };
    let max_age: BTreeMap<SourceId, Duration> = PROVENANCE_SOURCES
        .into_iter()
        .filter_map(|s| {
            p.max_age
                .as_ref()
                .and_then(|a| a.get(s))
                .map(|a| (s, a.get()))
        })
        .collect();
    if max_age.is_empty() && p.commit.is_none() {
        return Vec::new();
    }
    vec![Arc::new(ProvenanceRules {
        max_age,
        commit: p.commit.unwrap_or_default(),
        clock_skew: p.clock_skew.map_or(DEFAULT_CLOCK_SKEW, |s| s.get()),
        settings: CheckSettings::new(p.level, p.on_missing),
    })]
}

impl Check for ProvenanceRules {
    fn kind(&self) -> &'static CheckKind {
        &PROVENANCE
    }
    fn settings(&self) -> CheckSettings {
        self.settings
    }
    fn needs(&self) -> Needs {
        // It judges whichever configured sources it finds; it needs none of its own.
        Needs::NOTHING
    }
    fn evaluate(&self, e: &mut Evaluation<'_>) -> CheckResult {
        provenance::provenance(e.policy, self, e.evidence, e.now)
    }
}
