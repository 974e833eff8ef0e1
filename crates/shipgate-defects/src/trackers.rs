//! The tracker registry: every tracker the adapter fetches from, and the one trait each
//! implements.
//!
//! [`TRACKERS`] is the only list of trackers; the trait is in `crate::tracker`. What a kind needs and accepts in the policy, and
//! the defaults it brings (severity map, issues that are not defects, key prefix), are data in
//! its [`TrackerSpec`](shipgate_model::TrackerSpec) in `shipgate-model`, where the policy engine
//! validates against them too. A kind whose spec says it `fetches` has exactly one tracker here;
//! `file` has none (it is read, never fetched, so that no fetch can answer "nothing" for it).
//!
//! Adding a tracker is its [`TrackerKind`] variant and spec in `shipgate-model`, one module in
//! this crate implementing [`Tracker`], and one line in [`TRACKERS`] (docs/architecture.md).

use crate::tracker::Tracker;
use crate::{github, gitlab, jira, redmine};
use shipgate_model::TrackerKind;

/// Every tracker the adapter fetches from.
pub(crate) static TRACKERS: &[&dyn Tracker] = &[
    &jira::JIRA_CLOUD,
    &jira::JIRA_DATA_CENTER,
    &github::GITHUB,
    &gitlab::GITLAB,
    &redmine::REDMINE,
];

/// The tracker that fetches a kind of source; `None` for a kind that is read from a file.
pub(crate) fn tracker(kind: TrackerKind) -> Option<&'static dyn Tracker> {
    TRACKERS.iter().copied().find(|t| t.kind() == kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DefectsError, SourceConfig};

    /// A kind that fetches without a tracker here could never be fetched; one that is read from
    /// a file must not have one. Every kind of the vocabulary is looked up.
    #[test]
    fn every_kind_that_fetches_has_exactly_one_tracker_and_no_other_has_one() {
        for kind in TrackerKind::ALL {
            let n = TRACKERS.iter().filter(|t| t.kind() == kind).count();
            let want = usize::from(kind.spec().fetches);
            assert_eq!(n, want, "`{}` has {n} trackers in TRACKERS", kind.as_str());
        }
        assert!(TRACKERS.len() >= 5);
    }

    /// Offline, a tracker is missing evidence (which blocks unless the policy says otherwise),
    /// never an empty defect set that passes `max_open`: for every kind that fetches, even with
    /// every setting it needs.
    #[test]
    fn offline_every_tracker_is_missing_evidence() {
        let env = |_: &str| Some("secret".to_owned());
        let options = crate::LoadOptions {
            offline: true,
            env: &env,
            fetched_at: None,
        };
        for kind in TrackerKind::ALL.into_iter().filter(|k| k.spec().fetches) {
            let mut c = SourceConfig::of_kind(kind);
            c.settings.url = Some("http://127.0.0.1:9".to_owned());
            c.settings.repository = Some("a/b".to_owned());
            c.settings.project = Some("p".to_owned());
            c.settings.query = Some("q".to_owned());
            c.settings.token_env = Some("T".to_owned());
            let e = crate::load(&c, &options).err();
            assert!(
                matches!(e, Some(DefectsError::Offline { .. })),
                "{}: {e:?}",
                kind.as_str()
            );
            assert!(e.is_some_and(|e| e.is_missing()));
        }
    }
}
