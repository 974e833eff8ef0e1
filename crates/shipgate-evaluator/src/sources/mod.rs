//! The sources of evidence: one [`Source`] per kind, listed once in [`SOURCES`].
//!
//! Each source says when the policy asks for it, loads its evidence through the
//! [`Resolver`] (the live files, or a release record's copies at replay), and puts what it loaded
//! into the evidence set: its state (loaded, missing, unreadable), the provenance of every input
//! it read, and what it fetched for the release record. [`gather_with`] runs every source the
//! policy asks for on a thread of its own and merges their results in the order of [`SOURCES`],
//! which is the order of the report's inputs.
//!
//! A source that needs another's results says so ([`Source::after`]): its loading still runs
//! beside the others, and its merge, which sees what the sources before it merged, comes after
//! theirs (the history folds this run's tests in last).
//!
//! Adding a source is a module here with its `impl Source` and one line in [`SOURCES`]; the
//! loop does not change. A source must not touch the file system except through the resolver,
//! or its inputs cannot be recorded and replayed, and it must never fail: what cannot be loaded
//! is evidence that is missing or unreadable, which the checks that need it report.

mod defects;
mod history;
mod performance;
mod quarantine;
mod risk;
mod test_results;
mod uat_approvals;
mod uat_signoff;

pub use defects::{defect_config, load_defects};
pub use history::{HistoryInspection, inspect_tests_with_history};
pub use performance::{BASELINE as PERF_BASELINE_SOURCE, CURRENT as PERF_SOURCE};
pub use risk::{TestInventory, changed_files, test_inventory};
pub use test_results::{TestInspection, inspect_tests};
pub use uat_approvals::approvals_config;
pub use uat_signoff::inspect_uat;

use crate::loaded_policy::LoadedPolicy;
use crate::resolver::Resolver;
use jiff::Timestamp;
use shipgate_junit::KeyedOutcome;
use shipgate_model::{EvidenceProblem, EvidenceSet, InputRecord, SourceState};
use shipgate_policy::Policy;

/// Every source, in the order their inputs are listed in the report.
pub(crate) static SOURCES: &[&dyn Source] = &[
    &test_results::TESTS,
    &history::HISTORY,
    &quarantine::QUARANTINE,
    &uat_signoff::UAT_SIGNOFF,
    &defects::DEFECTS,
    &performance::PERFORMANCE,
    &uat_approvals::UAT_APPROVALS,
    &risk::COMPLEXITY,
    &risk::CHURN,
];

/// One source of evidence.
pub(crate) trait Source: Sync {
    /// Its name: the `source` of its inputs and problems in the report and the release record.
    fn name(&self) -> &'static str;

    /// Whether the policy asks for it. A source it does not ask for is not loaded, and the
    /// evidence set holds it as not configured.
    fn wanted(&self, policy: &Policy) -> bool;

    /// The sources whose merged results its merge reads; they come before it in [`SOURCES`].
    fn after(&self) -> &'static [&'static str] {
        &[]
    }

    /// Loads its evidence through `resolver`, on a thread of its own. Never fails: what cannot
    /// be read is evidence that is missing or unreadable.
    fn load(
        &self,
        policy: &Policy,
        resolver: &Resolver,
        options: &GatherOptions<'_>,
    ) -> Box<dyn Loaded>;

    /// Records that its reader stopped unexpectedly (a panic, a bug): its evidence is
    /// unreadable, so that every check that needs it blocks.
    fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered);
}

/// What a source loaded, before it takes its place in the evidence set.
pub(crate) trait Loaded: Send {
    /// Puts the evidence and the provenance of its inputs into `into`, after the sources before
    /// it in [`SOURCES`].
    fn merge(self: Box<Self>, into: &mut Gathered, resolver: &Resolver);
}

/// The evidence gathered so far, as each source merges what it loaded.
#[derive(Default)]
pub(crate) struct Gathered {
    /// The evidence set handed to the policy engine.
    pub evidence: EvidenceSet,
    /// Every test's identity and outcome in this run, when `tests` read them (for `history`).
    pub this_run: Vec<KeyedOutcome>,
}

/// The common result of a source: one state, its inputs, and its field of the evidence set.
pub(crate) struct StateAndInputs<T> {
    pub state: SourceState<T>,
    pub inputs: Vec<InputRecord>,
    pub field: fn(&mut EvidenceSet) -> &mut SourceState<T>,
}

impl<T: Send> Loaded for StateAndInputs<T> {
    fn merge(self: Box<Self>, into: &mut Gathered, _: &Resolver) {
        *(self.field)(&mut into.evidence) = self.state;
        into.evidence.inputs.extend(self.inputs);
    }
}

/// How evidence is gathered beyond what the policy says.
pub struct GatherOptions<'a> {
    /// No network: a tracker source is then missing evidence, with a message that says why.
    /// A replay is always offline.
    pub offline: bool,
    /// Resolves the environment variables that hold credentials (`token_env`, `user_env`).
    pub env: &'a (dyn Fn(&str) -> Option<String> + Sync),
    /// The evaluation time, recorded as when tracker evidence was fetched.
    pub now: Option<Timestamp>,
}

fn no_env(_: &str) -> Option<String> {
    None
}

impl Default for GatherOptions<'_> {
    /// Online, no environment (a tracker that needs a token then reports it missing), no time.
    fn default() -> Self {
        Self {
            offline: false,
            env: &no_env,
            now: None,
        }
    }
}

/// Loads every source of evidence the policy needs, from the live files. Never fails: what
/// could not be loaded is recorded as missing or unreadable, and the checks that need it say so.
pub fn gather(loaded: &LoadedPolicy) -> EvidenceSet {
    gather_with(
        loaded,
        &Resolver::live(&loaded.base_dir, false),
        &GatherOptions::default(),
    )
}

/// Loads every source of evidence the policy needs, each source on its own thread, finding its
/// inputs through `resolver` (live files, or a release record's copies at replay), and merges
/// them in the order of the sources list (`SOURCES`, which is the order of the report's inputs).
pub fn gather_with(
    loaded: &LoadedPolicy,
    resolver: &Resolver,
    options: &GatherOptions<'_>,
) -> EvidenceSet {
    gather_from(SOURCES, loaded, resolver, options)
}

/// [`gather_with`] over the sources given.
fn gather_from(
    sources: &[&dyn Source],
    loaded: &LoadedPolicy,
    resolver: &Resolver,
    options: &GatherOptions<'_>,
) -> EvidenceSet {
    let policy = &loaded.policy;
    let mut gathered = Gathered::default();
    std::thread::scope(|scope| {
        let running: Vec<_> = sources
            .iter()
            .filter(|source| source.wanted(policy))
            .map(|source| {
                let loading = scope.spawn(move || source.load(policy, resolver, options));
                (source, loading)
            })
            .collect();
        // In list order; a source whose `after` sources are still to be merged waits for them.
        // SOURCES lists every source after what it reads (a test holds it), so nothing waits
        // unless the list is wrong, and a wrong list can only reorder the inputs, never let a
        // source merge before what it reads (unless two sources wait for each other).
        let mut waiting: std::collections::VecDeque<_> = running.into();
        let mut passed_over = 0;
        while let Some((source, loading)) = waiting.pop_front() {
            let blocked = source
                .after()
                .iter()
                .any(|name| waiting.iter().any(|(other, _)| other.name() == *name));
            if blocked && passed_over <= waiting.len() {
                waiting.push_back((source, loading));
                passed_over += 1;
                continue;
            }
            passed_over = 0;
            match loading.join() {
                Ok(loaded) => loaded.merge(&mut gathered, resolver),
                Err(_) => source.stopped(stopped_problem(source.name()), &mut gathered),
            }
        }
    });
    gathered.evidence
}

/// What a reader that stopped unexpectedly leaves: unreadable evidence that names the bug.
fn stopped_problem(source: &str) -> EvidenceProblem {
    EvidenceProblem {
        source: source.to_owned(),
        location: None,
        message: format!("the `{source}` reader stopped unexpectedly"),
        remedy: "this is a bug in shipgate; please report it with the inputs that caused it"
            .to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loaded_policy::load_policy;

    const EVERY_SOURCE: &str = "version: 1\nrelease: {name: pay, version: '1.0'}\nsources:\n  tests:\n    junit: [\"r/*.xml\"]\n    history: [\"history/*/*.xml\"]\n    quarantine: quarantine.yaml\n  defects: {kind: file, path: defects.json}\n  performance:\n    current: {format: k6, path: k6.json}\n    baseline: {path: baseline.json}\n  uat:\n    signoff: uat.yaml\n    github_approvals:\n      repository: acme/pay\n      run_id: '42'\n      environment: production\n      token_env: GH_TOKEN\n      roles:\n        po: {users: [sam]}\n  complexity:\n    - {format: lizard, path: lizard.csv}\n  churn: {from: git, window: 90d}\nchecks:\n  regression: {min_pass_rate: 90%}\n  flaky: {max_rate: 5%}\n  defects: {max_open: {critical: 0}}\n  performance:\n    - {metric: http_req_duration.p95, max: 1s, max_regression: 10%}\n  uat: {required_roles: [po]}\nrisk:\n  areas:\n    checkout: {revenue_impact: high, files: [\"src/pay/*.py\"], tests: [\"a.*\"]}\n";

    fn policy(text: &str) -> (tempfile::TempDir, LoadedPolicy) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shipgate.yaml"), text).unwrap();
        let loaded = load_policy(&dir.path().join("shipgate.yaml"), &|_| None)
            .unwrap_or_else(|e| panic!("{e:?}"));
        (dir, loaded)
    }

    fn offline() -> GatherOptions<'static> {
        GatherOptions {
            offline: true,
            ..GatherOptions::default()
        }
    }

    /// Every source a policy configures is loaded: none of it may be left as "not configured",
    /// which a check reads as evidence the policy never asked for.
    #[test]
    fn every_source_the_policy_configures_is_loaded() {
        let (_dir, loaded) = policy(EVERY_SOURCE);
        let resolver = Resolver::live(&loaded.base_dir, false);
        let e = gather_with(&loaded, &resolver, &offline());
        let shown = format!("{e:?}");
        assert!(!shown.contains("NotConfigured"), "{shown}");
        for source in SOURCES {
            assert!(source.wanted(&loaded.policy), "`{}`", source.name());
        }
    }

    /// A source that panics.
    struct Panics;

    impl Source for Panics {
        fn name(&self) -> &'static str {
            "tests"
        }
        fn wanted(&self, _: &Policy) -> bool {
            true
        }
        fn load(&self, _: &Policy, _: &Resolver, _: &GatherOptions<'_>) -> Box<dyn Loaded> {
            panic!("a reader with a bug")
        }
        fn stopped(&self, problem: EvidenceProblem, into: &mut Gathered) {
            into.evidence.tests = SourceState::Unreadable(vec![problem]);
        }
    }

    /// A reader that panics on its thread stops nothing else, and its evidence is unreadable,
    /// never "loaded" or left as not configured.
    #[test]
    fn a_reader_that_panics_leaves_its_evidence_unreadable_and_the_others_loaded() {
        let (dir, loaded) = policy(EVERY_SOURCE);
        std::fs::write(dir.path().join("quarantine.yaml"), "[]\n").unwrap();
        let resolver = Resolver::live(&loaded.base_dir, false);
        let sources: [&dyn Source; 2] = [&Panics, &quarantine::QUARANTINE];
        let e = gather_from(&sources, &loaded, &resolver, &offline());
        match &e.tests {
            SourceState::Unreadable(p) => {
                assert!(p[0].message.contains("stopped unexpectedly"), "{p:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(e.quarantine, SourceState::Loaded(_)), "{e:?}");
    }

    /// The history folds this run's tests in: listed before them by mistake, it still merges
    /// after them, so that this run is never missing from the history.
    #[test]
    fn a_source_merges_after_what_it_reads_even_when_listed_before_it() {
        let (dir, loaded) = policy(EVERY_SOURCE);
        let junit = r#"<testsuite name="s"><testcase classname="a.B" name="t"/></testsuite>"#;
        for rel in ["r/a.xml", "history/1/a.xml"] {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, junit).unwrap();
        }
        let resolver = Resolver::live(&loaded.base_dir, false);
        let wrong_order: [&dyn Source; 2] = [&history::HISTORY, &test_results::TESTS];
        let e = gather_from(&wrong_order, &loaded, &resolver, &offline());
        let history = e
            .history
            .loaded()
            .unwrap_or_else(|| panic!("{:?}", e.history));
        assert_eq!(
            history.runs.len(),
            2,
            "the earlier run and this one: {history:?}"
        );
        assert!(
            history.runs.last().is_some_and(|r| r.current),
            "{history:?}"
        );
    }

    #[test]
    fn every_source_has_its_own_name_and_comes_after_what_it_reads() {
        let mut seen: Vec<&str> = Vec::new();
        for source in SOURCES {
            assert!(
                !seen.contains(&source.name()),
                "`{}` is listed twice",
                source.name()
            );
            for earlier in source.after() {
                assert!(
                    seen.contains(earlier),
                    "`{}` reads what `{earlier}` merged, so `{earlier}` must come before it in SOURCES",
                    source.name()
                );
            }
            seen.push(source.name());
        }
    }

    /// A reader that panics leaves its own evidence unreadable, never missing or loaded: every
    /// check that needs it blocks with exit 4. Each source stops a part of the evidence set of
    /// its own.
    #[test]
    fn a_stopped_reader_leaves_its_own_evidence_unreadable() {
        let mut seen: Vec<String> = Vec::new();
        for source in SOURCES {
            let mut gathered = Gathered::default();
            source.stopped(stopped_problem(source.name()), &mut gathered);
            let shown = format!("{:?}", gathered.evidence);
            assert!(
                shown.contains("Unreadable(") && shown.contains("stopped unexpectedly"),
                "`{}`: {shown}",
                source.name()
            );
            assert!(
                !shown.contains("Loaded(") && !shown.contains("Missing("),
                "`{}`: {shown}",
                source.name()
            );
            assert!(
                !seen.contains(&shown),
                "`{}` stops the same evidence as another source",
                source.name()
            );
            seen.push(shown);
        }
    }
}
