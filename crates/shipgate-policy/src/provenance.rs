//! `checks.provenance` → `evidence.provenance`: how old each source's evidence may be, and
//! whether it must name the release's commit.
//!
//! A source takes part by implementing `shipgate_model::Provenance` for its evidence, being in
//! [`PROVENANCE_SOURCES`] (its `shipgate_model::SourceId`) and in `is_configured` in
//! `load/provenance.rs`, having a field in [`ProvenanceAges`], and one line in
//! `evaluate::provenance::sources`.

use crate::values::DurationSpec;
use schemars::JsonSchema;
use serde::Deserialize;
use shipgate_model::{Level, OnMissing, SourceId};
use std::time::Duration;

/// The sources whose provenance can be checked, in report order: JUnit files (the latest
/// `<testsuite timestamp>` of each, and its `git.commit`/`commit` property); the current load-test
/// run (when it ran, and its `commit` when the file records one; the baseline is another release's
/// run and takes no part); the UAT sign-off (its oldest signature time, and its `commit`) with the
/// GitHub deployment approvals (their run's creation time, and the commit it built).
pub const PROVENANCE_SOURCES: [SourceId; 3] =
    [SourceId::Tests, SourceId::Performance, SourceId::Uat];

/// How old each source's evidence may be at evaluation time.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceAges {
    /// JUnit files (`1d`): a test report older than the build is suspect.
    pub tests: Option<DurationSpec>,
    /// The current load-test run (`7d`), by when it ran.
    pub performance: Option<DurationSpec>,
    /// The UAT sign-off (`14d`), by its oldest signature.
    pub uat: Option<DurationSpec>,
}

impl ProvenanceAges {
    /// The maximum age set for a source.
    pub fn get(&self, source: SourceId) -> Option<DurationSpec> {
        match source {
            SourceId::Tests => self.tests,
            SourceId::Performance => self.performance,
            SourceId::Uat => self.uat,
            _ => None,
        }
    }
}

/// How evidence must relate to `release.commit`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum CommitRule {
    /// Evidence that names a commit must name the release's commit (default).
    #[default]
    Match,
    /// Every item of every configured source must name the release's commit.
    Require,
}

impl CommitRule {
    /// `match` or `require`.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitRule::Match => "match",
            CommitRule::Require => "require",
        }
    }
}

/// `checks.provenance` → `evidence.provenance`.
#[derive(Clone, Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenanceSection {
    /// Per source, the oldest evidence accepted (`{tests: 1d, uat: 14d}`). Evidence of such a
    /// source that carries no time fails: its age cannot be shown.
    pub max_age: Option<ProvenanceAges>,
    /// `match` (default): evidence that names a commit must name `release.commit`.
    /// `require`: every item must name it; evidence without a commit fails, and so does a
    /// release without a commit.
    pub commit: Option<CommitRule>,
    /// How far in the future evidence may be dated before it is suspect (default `5m`): a
    /// runner's clock may be a little ahead of the gate's.
    pub clock_skew: Option<DurationSpec>,
    /// `error` (default) or `warn`.
    pub level: Option<Level>,
    /// `fail` (default) or `warn` when evidence it must check is missing or unreadable, or
    /// `commit: require` and the release has no commit.
    pub on_missing: Option<OnMissing>,
}

/// The default of `clock_skew`.
pub(crate) const DEFAULT_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Policy, Problem};

    const BASE: &str =
        "version: 1\nrelease: {name: api, version: '1.0'}\nsources:\n  tests: {junit: [r/*.xml]}\n";

    fn problems(text: &str) -> Vec<Problem> {
        match Policy::parse(text, &|_| None) {
            Ok(_) => panic!("expected problems in:\n{text}"),
            Err(e) => e.problems().to_vec(),
        }
    }

    #[test]
    fn a_provenance_policy_loads_with_its_defaults() {
        let p = Policy::parse(
            &format!("{BASE}checks:\n  provenance:\n    max_age: {{tests: 1d}}\n"),
            &|_| None,
        )
        .unwrap();
        let c = format!("{:?}", p.checks);
        assert!(
            c.contains(&format!(
                "max_age: {{Tests: {:?}}}, commit: Match, clock_skew: {:?}",
                Duration::from_secs(86_400),
                Duration::from_secs(300)
            )),
            "{c}"
        );
        assert!(p.check_ids().contains(&"evidence.provenance".to_owned()));
    }

    #[test]
    fn a_check_that_would_check_nothing_is_refused() {
        let p = problems(&format!("{BASE}checks:\n  provenance: {{level: warn}}\n"));
        assert!(
            p[0].message.contains("neither `max_age` nor `commit`"),
            "{p:#?}"
        );
    }

    #[test]
    fn an_age_for_an_unconfigured_source_is_refused() {
        let p = problems(&format!(
            "{BASE}checks:\n  provenance:\n    max_age: {{tests: 1d, uat: 14d}}\n"
        ));
        assert_eq!(p.len(), 1, "{p:#?}");
        assert_eq!(p[0].path, "checks.provenance.max_age.uat");
        assert!(p[0].message.contains("no `sources.uat`"));
    }

    #[test]
    fn unknown_sources_and_rules_get_a_suggestion() {
        let p = problems(&format!(
            "{BASE}checks:\n  provenance:\n    max_age: {{test: 1d}}\n    commit: requires\n"
        ));
        let messages: Vec<&str> = p.iter().map(|p| p.message.as_str()).collect();
        assert!(
            messages.iter().any(|m| m.contains("did you mean `tests`?")),
            "{messages:?}"
        );
        assert!(
            messages
                .iter()
                .any(|m| m.contains("did you mean `require`")),
            "{messages:?}"
        );
    }
}
