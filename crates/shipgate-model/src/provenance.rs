//! Provenance of evidence: when each item was produced and from which commit, for the check
//! `evidence.provenance`.
//!
//! A source of evidence takes part in that check by implementing [`Provenance`]: it lists its
//! items (one per JUnit file, one per sign-off record, ...) with the time and commit each one
//! carries, and says where a user would add a time or a commit that is missing. Adding a source
//! is that one impl, plus its line in the policy engine's list of sources.

use crate::approvals::DeploymentApprovals;
use crate::perf::{PerfCurrent, PerfEvidence};
use crate::test_evidence::TestEvidence;
use crate::uat::UatEvidence;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One item of evidence as `evidence.provenance` sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvenanceItem {
    /// The file or URL.
    pub location: String,
    /// When the evidence was produced, when it says so.
    #[serde(default, with = "crate::instant::strict::option")]
    pub produced_at: Option<Timestamp>,
    /// Which time that is, for messages (`the latest <testsuite timestamp>`).
    pub time_field: String,
    /// How a user makes the evidence carry a time, when it has none.
    pub time_hint: String,
    /// How a user produces the evidence again, when it is too old or from another commit.
    pub renew_hint: String,
    /// The commit the evidence was produced from, when it says so.
    pub commit: Option<String>,
    /// How a user makes the evidence carry a commit, when it has none.
    pub commit_hint: String,
}

/// A source of evidence that can say when and from which commit each of its items was produced.
pub trait Provenance {
    /// Every item, in the source's stable order.
    fn provenance(&self) -> Vec<ProvenanceItem>;
}

impl Provenance for TestEvidence {
    fn provenance(&self) -> Vec<ProvenanceItem> {
        self.files
            .iter()
            .map(|f| ProvenanceItem {
                location: f.path.clone(),
                produced_at: f.timestamp,
                time_field: "the latest `<testsuite timestamp>`".to_owned(),
                time_hint: match f.local_timestamp {
                    Some(local) => format!("its latest `<testsuite timestamp>`, `{local}`, carries no time zone (the runner wrote its local time): set `sources.tests.timezone` to the zone of the machines that ran the tests (e.g. `UTC`), or make the runner write an offset"),
                    None => "make the test runner write the `timestamp` attribute on `<testsuite>` (most runners do by default)".to_owned(),
                },
                renew_hint: "run the tests again on the build being released".to_owned(),
                commit: f.commit.clone(),
                commit_hint: "record the commit as a suite property, e.g. `<property name=\"git.commit\" value=\"...\"/>` (pytest: `record_testsuite_property`; Maven: `-Dgit.commit=...` with Surefire's system properties)".to_owned(),
            })
            .collect()
    }
}

impl Provenance for UatEvidence {
    fn provenance(&self) -> Vec<ProvenanceItem> {
        vec![ProvenanceItem {
            location: self.path.clone(),
            produced_at: self.oldest_signoff(),
            time_field: "the oldest `signoffs[].at`".to_owned(),
            time_hint: "record when each person signed in `signoffs[].at`".to_owned(),
            renew_hint: "run UAT on the build being released and record a new sign-off".to_owned(),
            commit: self.commit.clone(),
            commit_hint: "add `commit:` with the commit UAT tested to the sign-off record"
                .to_owned(),
        }]
    }
}

/// The current load-test run. Its baseline is another release's run, so it takes no part: its
/// commit and age are shown in the `performance.<metric>` checks instead.
impl Provenance for PerfCurrent {
    /// Each run's, in the order the policy lists them: every run must be fresh and of the commit.
    fn provenance(&self) -> Vec<ProvenanceItem> {
        self.runs().flat_map(Provenance::provenance).collect()
    }
}

impl Provenance for PerfEvidence {
    fn provenance(&self) -> Vec<ProvenanceItem> {
        vec![ProvenanceItem {
            location: self.path.clone(),
            produced_at: self.provenance.run_at,
            time_field: "the run's start (its first sample, or the time the file records)".to_owned(),
            time_hint: "use a format that records when the run happened (a JMeter JTL, k6 `--out json`, or `run_at` in the generic metrics JSON)".to_owned(),
            renew_hint: "run the load test again on the build being released".to_owned(),
            commit: self.provenance.commit.clone(),
            commit_hint: "load-test tools do not record a commit: write `commit` in the generic metrics JSON, or snapshot the run with `shipgate perf baseline promote RUN --out current.json --commit <sha>` and read that".to_owned(),
        }]
    }
}

impl Provenance for DeploymentApprovals {
    fn provenance(&self) -> Vec<ProvenanceItem> {
        vec![ProvenanceItem {
            location: self.location.clone(),
            // GitHub does not say when each review was given; no review of the run is older
            // than the run.
            produced_at: Some(self.run.created_at),
            time_field:
                "the workflow run's `created_at` (GitHub does not say when each review was given)"
                    .to_owned(),
            time_hint: "GitHub gives every workflow run a creation time; this should not happen"
                .to_owned(),
            renew_hint: "start a new workflow run for the release and approve its deployment"
                .to_owned(),
            commit: self.run.head_sha.clone(),
            commit_hint: "GitHub gives every workflow run its `head_sha`; this should not happen"
                .to_owned(),
        }]
    }
}

/// Whether two commit ids name the same commit: equal ignoring case, or, when both are
/// hexadecimal, one is a prefix of the other and the shorter has at least 7 digits (a short
/// SHA such as `3f2a9c1` against the full 40-digit one).
pub fn commits_match(a: &str, b: &str) -> bool {
    let a = a.trim().to_ascii_lowercase();
    let b = b.trim().to_ascii_lowercase();
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b {
        return true;
    }
    let hex = |s: &str| s.bytes().all(|c| c.is_ascii_hexdigit());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    hex(short) && hex(long) && short.len() >= 7 && long.starts_with(short.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_full_shas_match_and_others_do_not() {
        let full = "3f2a9c1d0e4b5a6978877665544332211aabbccd";
        assert!(commits_match("3f2a9c1", full));
        assert!(commits_match(full, "3F2A9C1"));
        assert!(commits_match(" 3f2a9c1 ", "3f2a9c1"));
        assert!(
            !commits_match("3f2a9c", full),
            "6 digits is too short to be sure"
        );
        assert!(!commits_match("3f2a9c2", full));
        assert!(!commits_match("", ""));
        assert!(commits_match("release-2.4", "release-2.4"));
        assert!(!commits_match("release-2.4", "release-2.4.1"));
    }
}
