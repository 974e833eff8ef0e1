//! `evidence.provenance`: each source's evidence is no older than its `max_age` (and not dated
//! in the future), and names the release's commit where it names one (or everywhere, with
//! `commit: require`).
//!
//! Evidence of a source asked for an age that carries no time fails: an age that cannot be
//! shown is not within the limit. The same goes for a missing commit under `commit: require`,
//! and for a configured source that is missing or unreadable.

use super::findings::{self, Finding, age, describe, in_future, older_than};
use super::result::{CheckRun, LIST_LIMIT, plural};
use crate::checks::ProvenanceRules;
use crate::policy::Policy;
use crate::provenance::{CommitRule, PROVENANCE_SOURCES};
use jiff::Timestamp;
use serde_json::{Map, Value, json};
use shipgate_model::CheckUnit;
use shipgate_model::SourceId;
use shipgate_model::{
    CheckResult, EvidenceProblem, EvidenceSet, Provenance, ProvenanceItem, SourceState,
    commits_match,
};
use std::time::Duration;

/// What provenance can see of one source.
enum View {
    NotConfigured,
    /// Missing or unreadable: the state to report, as the source's own checks do.
    Absent(SourceState<()>),
    Items(Vec<ProvenanceItem>),
}

fn view<T: Provenance>(state: &SourceState<T>) -> View {
    match state {
        SourceState::NotConfigured => View::NotConfigured,
        SourceState::Missing(p) => View::Absent(SourceState::Missing(p.clone())),
        SourceState::Unreadable(p) => View::Absent(SourceState::Unreadable(p.clone())),
        SourceState::Loaded(e) => View::Items(e.provenance()),
    }
}

/// Every source that can take part, in report order. A new source adds its line here.
fn sources(evidence: &EvidenceSet) -> Vec<(SourceId, View)> {
    vec![
        (SourceId::Tests, view(&evidence.tests)),
        (SourceId::Performance, view(&evidence.performance.current)),
        (
            SourceId::Uat,
            merged(view(&evidence.uat), view(&evidence.uat_approvals)),
        ),
    ]
}

/// One source read from two places (the UAT record and the GitHub deployment approvals): the
/// items of both; absent when either configured part is absent.
fn merged(a: View, b: View) -> View {
    match (a, b) {
        (View::Absent(s), _) | (_, View::Absent(s)) => View::Absent(s),
        (View::NotConfigured, other) | (other, View::NotConfigured) => other,
        (View::Items(mut a), View::Items(b)) => {
            a.extend(b);
            View::Items(a)
        }
    }
}

pub(crate) fn provenance(
    policy: &Policy,
    options: &ProvenanceRules,
    evidence: &EvidenceSet,
    now: Timestamp,
) -> CheckResult {
    let check = CheckRun::new("evidence.provenance", options.settings).with_unit(CheckUnit::Count);
    let rule = options.commit;
    let release_commit = policy
        .release
        .commit
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());

    let m = Measure::of(options, evidence, release_commit, now);
    let details = provenance_details(options, release_commit, &m);
    if m.found.is_empty() {
        // Nothing measured failed; what could not be measured decides.
        if let Some(state) = unverifiable(&m.absent, options, release_commit)
            && let Err(mut r) = check.source(&state, json!(0))
        {
            for (k, v) in details {
                r.details.entry(k).or_insert(v);
            }
            return *r;
        }
    }
    let passed = m.found.is_empty();
    let message = if passed {
        pass_message(options, release_commit, rule, &m.checked)
    } else {
        format!(
            "{} in the evidence's provenance: {}",
            plural(m.found.len() as u64, "problem", "problems"),
            findings::summary(&m.found)
        )
    };
    check.measured(
        passed,
        json!(m.found.len()),
        json!(0),
        CheckUnit::Count,
        message,
        findings::remedy(&m.found),
        details,
    )
}

/// What `evidence.provenance` measures over every source that can take part.
struct Measure {
    /// Items too old, undated, dated in the future or from another commit: each one fails.
    found: Vec<Finding>,
    /// Configured sources that are missing or unreadable, in report order.
    absent: Vec<SourceState<()>>,
    /// The first `LIST_LIMIT` items with their time, commit and age.
    items_json: Vec<Value>,
    /// Every item looked at.
    items_total: usize,
    /// Each source looked at with its number of items, for the message.
    checked: Vec<String>,
}

impl Measure {
    fn of(
        options: &ProvenanceRules,
        evidence: &EvidenceSet,
        release_commit: Option<&str>,
        now: Timestamp,
    ) -> Self {
        let mut m = Self {
            found: Vec::new(),
            absent: Vec::new(),
            items_json: Vec::new(),
            items_total: 0,
            checked: Vec::new(),
        };
        for (source, seen) in sources(evidence) {
            let name = source.as_str();
            let max_age = options.max_age_of(source);
            let items = match seen {
                View::NotConfigured => continue,
                // Evidence that is not there cannot show when or from which commit it was made.
                View::Absent(state) => {
                    m.absent.push(state);
                    continue;
                }
                View::Items(items) => items,
            };
            m.checked.push(format!(
                "{name} ({})",
                plural(items.len() as u64, "item", "items")
            ));
            for item in items {
                let mut entry = Map::new();
                entry.insert("source".into(), json!(name));
                entry.insert("location".into(), json!(item.location));
                entry.insert(
                    "produced_at".into(),
                    json!(item.produced_at.map(|t| t.to_string())),
                );
                entry.insert("commit".into(), json!(item.commit));
                if let Some(max) = max_age {
                    m.found.extend(age_finding(
                        &item,
                        name,
                        max,
                        now,
                        options.clock_skew,
                        &mut entry,
                    ));
                }
                m.found
                    .extend(commit_finding(&item, release_commit, options.commit));
                m.items_total += 1;
                if m.items_json.len() < LIST_LIMIT {
                    m.items_json.push(Value::Object(entry));
                }
            }
        }
        m
    }
}

/// The item's age against `max_age.<source>`: a finding when it carries no time, is dated in
/// the future or is too old; otherwise its age goes into its entry.
fn age_finding(
    item: &ProvenanceItem,
    name: &str,
    max: Duration,
    now: Timestamp,
    skew: Duration,
    entry: &mut Map<String, Value>,
) -> Option<Finding> {
    match item.produced_at {
        None => Some(Finding::new(
            &item.location,
            format!(
                "`{}` carries no time ({}), so its age cannot be checked against `max_age.{name}` {}",
                item.location,
                item.time_field,
                findings::limit(max)
            ),
            format!(
                "{}, or remove `checks.provenance.max_age.{name}`",
                item.time_hint
            ),
        )),
        Some(t) if in_future(now, t, skew) => Some(Finding::new(
            &item.location,
            format!(
                "`{}` is dated {t} ({}), {} after the evaluation time {now}",
                item.location,
                item.time_field,
                age(t, now)
            ),
            format!(
                "check the clock of the machine that produced `{}` (and, for JUnit written in local time, that `sources.tests.timezone` names that machine's zone), or raise `checks.provenance.clock_skew` (now {})",
                item.location,
                describe(skew)
            ),
        )),
        Some(t) if older_than(now, t, max) => Some(Finding::new(
            &item.location,
            format!(
                "`{}` is {} old ({t}), older than `max_age.{name}` {}",
                item.location,
                age(now, t),
                findings::limit(max)
            ),
            item.renew_hint.clone(),
        )),
        Some(t) => {
            entry.insert("age".into(), json!(age(now, t)));
            None
        }
    }
}

/// The item's commit against the release's: a finding when it names another commit, or names
/// none under `commit: require`.
fn commit_finding(
    item: &ProvenanceItem,
    release_commit: Option<&str>,
    rule: CommitRule,
) -> Option<Finding> {
    match (release_commit, &item.commit) {
        (Some(release), Some(c)) if !commits_match(c, release) => Some(Finding::new(
            &item.location,
            format!(
                "`{}` was produced from commit `{c}`, not `{release}`, the commit being released",
                item.location
            ),
            format!("{} (commit `{release}`)", item.renew_hint),
        )),
        (Some(release), None) if rule == CommitRule::Require => Some(Finding::new(
            &item.location,
            format!(
                "`{}` names no commit, and `commit: require` asks every item to name `{release}`",
                item.location
            ),
            item.commit_hint.clone(),
        )),
        _ => None,
    }
}

/// The rules applied, the items looked at and the findings.
fn provenance_details(
    options: &ProvenanceRules,
    release_commit: Option<&str>,
    m: &Measure,
) -> Map<String, Value> {
    let mut details = Map::new();
    details.insert("release_commit".into(), json!(release_commit));
    details.insert("commit".into(), json!(options.commit.as_str()));
    if !options.max_age.is_empty() {
        let limits: Map<String, Value> = options
            .max_age
            .iter()
            .map(|(s, a)| (s.as_str().to_owned(), json!(findings::limit(*a))))
            .collect();
        details.insert("max_age".into(), Value::Object(limits));
    }
    details.insert(
        "clock_skew".into(),
        json!(findings::limit(options.clock_skew)),
    );
    details.insert("items".into(), Value::Array(m.items_json.clone()));
    details.insert("items_total".into(), json!(m.items_total));
    findings::insert(&mut details, &m.found);
    details
}

/// When nothing measured failed, what could not be measured: an unreadable source first, then
/// a missing one, then a commit rule with no release commit to compare.
fn unverifiable(
    absent: &[SourceState<()>],
    options: &ProvenanceRules,
    release_commit: Option<&str>,
) -> Option<SourceState<()>> {
    let rule = options.commit;
    absent
        .iter()
        .find(|s| matches!(s, SourceState::Unreadable(_)))
        .or_else(|| absent.first())
        .cloned()
        .or_else(|| {
            // Without a release commit, `match` compares nothing; with no age to check
            // either, the check would have verified nothing at all.
            let nothing_checked = rule == CommitRule::Match
                && PROVENANCE_SOURCES
                    .iter()
                    .all(|s| options.max_age_of(*s).is_none());
            (release_commit.is_none() && (rule == CommitRule::Require || nothing_checked)).then(|| {
                SourceState::Missing(EvidenceProblem {
                    source: "release".to_owned(),
                    location: None,
                    message: format!(
                        "`commit: {}` compares each item with the release's commit, but `release.commit` is empty{}",
                        rule.as_str(),
                        if rule == CommitRule::Match { ", and no `max_age` is set: nothing could be verified" } else { "" }
                    ),
                    remedy: "set `release.commit` in the policy (e.g. `${GITHUB_SHA}` or `${CI_COMMIT_SHA}`); add a `max_age`; or, to run without a commit, set `on_missing: warn` on the check".to_owned(),
                })
            })
        })
}

/// The sources looked at and what was verified of them.
fn pass_message(
    options: &ProvenanceRules,
    release_commit: Option<&str>,
    rule: CommitRule,
    checked: &[String],
) -> String {
    let mut parts = Vec::new();
    let ages: Vec<String> = PROVENANCE_SOURCES
        .into_iter()
        .filter_map(|s| {
            options
                .max_age_of(s)
                .map(|a| format!("{} within {}", s.as_str(), findings::limit(a)))
        })
        .collect();
    if !ages.is_empty() {
        parts.push(format!("dated {}", ages.join(", ")));
    }
    match (release_commit, rule) {
        (Some(c), CommitRule::Require) => parts.push(format!("every item names commit `{c}`")),
        (Some(c), CommitRule::Match) => {
            parts.push(format!("no item names a commit other than `{c}`"))
        }
        (None, _) => parts.push("commits not compared: `release.commit` is empty".to_owned()),
    }
    let sources = if checked.is_empty() {
        "no evidence".to_owned()
    } else {
        checked.join(", ")
    };
    format!("{}: {}", sources, parts.join("; "))
}

#[cfg(test)]
mod tests {
    use crate::Policy;
    use crate::evaluate::evaluate;
    use shipgate_model::{
        CheckResult, CheckStatus, EvidenceProblem, EvidenceSet, ExitCode, SignatureMeaning,
        Signoff, SourceState, TestCounts, TestEvidence, TestFile, UatDecision, UatEvidence,
        UatSignature,
    };
    use shipgate_test_support::{now, parsed};

    fn policy(commit: Option<&str>, provenance: &str) -> Policy {
        let commit = commit.map(|c| format!(", commit: {c}")).unwrap_or_default();
        let text = format!(
            "version: 1\nrelease: {{name: api, version: '1.0'{commit}}}\nsources:\n  tests: {{junit: [r/*.xml]}}\n  uat: {{signoff: uat.yaml}}\nchecks:\n  regression: {{min_tests: 1}}\n  provenance:\n{provenance}"
        );
        parsed(&text, Policy::parse(&text, &|_| None))
    }

    fn file(path: &str, timestamp: Option<&str>, commit: Option<&str>) -> TestFile {
        let mut counts = TestCounts::default();
        counts.record(shipgate_model::TestOutcome::Passed);
        TestFile {
            path: path.into(),
            counts,
            suites: 1,
            suite_errors: 0,
            duplicate_names: 0,
            timestamp: timestamp.map(|t| t.parse().unwrap()),
            local_timestamp: None,
            commit: commit.map(str::to_owned),
        }
    }

    fn tests(files: Vec<TestFile>) -> SourceState<TestEvidence> {
        let mut totals = TestCounts::default();
        for f in &files {
            totals.add(&f.counts);
        }
        SourceState::Loaded(TestEvidence {
            files,
            totals,
            ..TestEvidence::default()
        })
    }

    fn uat(at: &str, commit: Option<&str>) -> SourceState<UatEvidence> {
        SourceState::Loaded(UatEvidence {
            path: "uat.yaml".into(),
            release: "api".into(),
            version: "1.0".into(),
            commit: commit.map(str::to_owned),
            decision: UatDecision::Approved,
            scope: None,
            conditions: vec![],
            signoffs: vec![Signoff {
                name: "Dana".into(),
                role: "po".into(),
                at: at.parse().unwrap(),
                meaning: SignatureMeaning::Approval,
                note: None,
            }],
            signature: UatSignature::Unsigned {
                expected: "uat.yaml.sig".into(),
            },
        })
    }

    fn run(
        policy: &Policy,
        tests: SourceState<TestEvidence>,
        uat: SourceState<UatEvidence>,
    ) -> (CheckResult, ExitCode) {
        let evidence = EvidenceSet {
            tests,
            uat,
            ..EvidenceSet::default()
        };
        let v = evaluate(policy, &evidence, now());
        let c = v
            .checks
            .iter()
            .find(|c| c.id == "evidence.provenance")
            .unwrap()
            .clone();
        (c, v.exit_code())
    }

    fn messages(c: &CheckResult) -> Vec<String> {
        c.details["problems"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["message"].as_str().unwrap().to_owned())
            .collect()
    }

    const AGES: &str = "    max_age: {tests: 1d, uat: 14d}\n";
    const RECENT: Option<&str> = Some("2026-11-24T08:00:00Z");

    #[test]
    fn recent_evidence_from_the_release_commit_passes() {
        let (c, code) = run(
            &policy(Some("3f2a9c1d0e4b"), AGES),
            tests(vec![file("r/a.xml", RECENT, Some("3f2a9c1"))]),
            uat("2026-11-20T10:00:00Z", Some("3f2a9c1d0e4b")),
        );
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
        assert_eq!(code, ExitCode::Ready);
        assert_eq!(
            c.message,
            "tests (1 item), uat (1 item): dated tests within 1d, uat within 14d; no item names a commit other than `3f2a9c1d0e4b`"
        );
        assert_eq!(c.details["items"][0]["age"], "2 hours");
        assert_eq!(c.details["items_total"], 2);
    }

    #[test]
    fn old_undated_and_future_evidence_fails_and_names_the_file() {
        let (c, code) = run(
            &policy(None, AGES),
            tests(vec![
                file("r/old.xml", Some("2026-11-23T09:59:59Z"), None),
                file("r/undated.xml", None, None),
                file("r/future.xml", Some("2026-11-24T10:05:01Z"), None),
                file("r/skewed.xml", Some("2026-11-24T10:05:00Z"), None),
            ]),
            uat("2026-11-09T10:00:00Z", None),
        );
        assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
        assert_eq!(code, ExitCode::Blocked);
        assert_eq!(c.observed, serde_json::json!(4));
        let m = messages(&c);
        assert!(m[0].starts_with("`r/old.xml` is 24 hours old"), "{m:#?}");
        assert!(
            m[1].starts_with("`r/undated.xml` carries no time"),
            "{m:#?}"
        );
        assert!(
            m[2].starts_with("`r/future.xml` is dated 2026-11-24T10:05:01Z"),
            "{m:#?}"
        );
        assert!(m[3].starts_with("`uat.yaml` is 15 days old"), "{m:#?}");
        assert!(
            c.message
                .starts_with("4 problems in the evidence's provenance")
        );
        assert!(
            c.remedy
                .as_deref()
                .unwrap()
                .contains("`timestamp` attribute"),
            "{:?}",
            c.remedy
        );
    }

    #[test]
    fn a_commit_other_than_the_release_s_fails_wherever_it_is_named() {
        let (c, _) = run(
            &policy(Some("3f2a9c1"), "    commit: match\n"),
            tests(vec![
                file("r/a.xml", None, Some("9e8d7c6")),
                file("r/b.xml", None, None),
            ]),
            uat("2026-11-20T10:00:00Z", None),
        );
        assert_eq!(c.status, CheckStatus::Fail);
        let m = messages(&c);
        assert_eq!(
            m.len(),
            1,
            "items without a commit pass under `match`: {m:#?}"
        );
        assert!(m[0].contains("from commit `9e8d7c6`, not `3f2a9c1`"));
    }

    /// The age and the commit are both checked on every item: an item within its age is still
    /// held to the release's commit, and one too old from another commit is two problems.
    #[test]
    fn an_item_within_its_age_is_still_held_to_the_release_commit() {
        let (c, code) = run(
            &policy(Some("3f2a9c1"), AGES),
            tests(vec![
                file("r/recent.xml", RECENT, Some("9e8d7c6")),
                file("r/old.xml", Some("2026-11-23T09:59:59Z"), Some("9e8d7c6")),
            ]),
            uat("2026-11-20T10:00:00Z", Some("3f2a9c1")),
        );
        assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
        assert_eq!(code, ExitCode::Blocked);
        assert_eq!(c.observed, serde_json::json!(3));
        let m = messages(&c);
        assert!(
            m[0].starts_with("`r/recent.xml` was produced from commit `9e8d7c6`"),
            "{m:#?}"
        );
        assert!(m[1].starts_with("`r/old.xml` is 24 hours old"), "{m:#?}");
        assert!(
            m[2].starts_with("`r/old.xml` was produced from commit `9e8d7c6`"),
            "{m:#?}"
        );
        assert_eq!(c.details["items"][0]["age"], "2 hours");
    }

    #[test]
    fn commit_require_needs_every_item_to_name_the_commit() {
        let (c, _) = run(
            &policy(Some("3f2a9c1"), "    commit: require\n"),
            tests(vec![
                file("r/a.xml", None, Some("3f2a9c1")),
                file("r/b.xml", None, None),
            ]),
            uat("2026-11-20T10:00:00Z", None),
        );
        let m = messages(&c);
        assert_eq!(m.len(), 2, "{m:#?}");
        assert!(m[0].starts_with("`r/b.xml` names no commit"));
        assert!(m[1].starts_with("`uat.yaml` names no commit"));
        assert!(c.remedy.as_deref().unwrap().contains("git.commit"));
    }

    #[test]
    fn commit_require_without_a_release_commit_is_missing_evidence() {
        let (c, code) = run(
            &policy(None, "    commit: require\n"),
            tests(vec![file("r/a.xml", None, Some("3f2a9c1"))]),
            uat("2026-11-20T10:00:00Z", Some("3f2a9c1")),
        );
        assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
        assert!(
            c.message.contains("`release.commit` is empty"),
            "{}",
            c.message
        );
        assert_eq!(code, ExitCode::Blocked);
        let (c, _) = run(
            &policy(None, "    commit: require\n    on_missing: warn\n"),
            tests(vec![file("r/a.xml", None, Some("3f2a9c1"))]),
            uat("2026-11-20T10:00:00Z", Some("3f2a9c1")),
        );
        assert!(!c.blocking);
    }

    #[test]
    fn evidence_that_cannot_be_read_cannot_show_its_provenance() {
        let problem = EvidenceProblem {
            source: "tests".into(),
            location: None,
            message: "failed to parse `r/a.xml`".into(),
            remedy: "fix it".into(),
        };
        let (c, code) = run(
            &policy(None, AGES),
            SourceState::Unreadable(vec![problem.clone()]),
            uat("2026-11-20T10:00:00Z", None),
        );
        assert_eq!((c.status, c.blocking), (CheckStatus::Error, true));
        assert_eq!(code, ExitCode::EvidenceError);
        let (c, _) = run(
            &policy(None, AGES),
            SourceState::Missing(problem),
            uat("2026-11-20T10:00:00Z", None),
        );
        assert_eq!(c.status, CheckStatus::Missing);
    }

    #[test]
    fn a_measured_problem_wins_over_a_missing_source() {
        let (c, _) = run(
            &policy(None, AGES),
            SourceState::Missing(EvidenceProblem {
                source: "tests".into(),
                location: None,
                message: "no JUnit report".into(),
                remedy: "run them".into(),
            }),
            uat("2026-11-01T10:00:00Z", None),
        );
        assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
    }

    #[test]
    fn a_configured_source_that_is_missing_cannot_show_its_commit() {
        let (c, code) = run(
            &policy(Some("3f2a9c1"), "    commit: match\n"),
            SourceState::Missing(EvidenceProblem {
                source: "tests".into(),
                location: None,
                message: "no JUnit report".into(),
                remedy: "run them".into(),
            }),
            uat("2026-11-20T10:00:00Z", Some("3f2a9c1")),
        );
        assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
        assert_eq!(code, ExitCode::Blocked);
    }

    #[test]
    fn without_a_release_commit_commits_are_not_compared() {
        let (c, _) = run(
            &policy(None, "    commit: match\n    max_age: {uat: 14d}\n"),
            tests(vec![file("r/a.xml", None, Some("9e8d7c6"))]),
            uat("2026-11-20T10:00:00Z", None),
        );
        assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
        assert!(
            c.message
                .ends_with("commits not compared: `release.commit` is empty"),
            "{}",
            c.message
        );
    }

    /// `commit: match` with no release commit and no `max_age` verifies nothing: it must not
    /// pass (outside a pipeline, `${GITHUB_SHA:-}` is empty).
    #[test]
    fn match_without_a_release_commit_or_an_age_is_missing_evidence() {
        let (c, code) = run(
            &policy(None, "    commit: match\n"),
            tests(vec![file("r/a.xml", None, Some("9e8d7c6"))]),
            uat("2026-11-20T10:00:00Z", None),
        );
        assert_eq!(
            (c.status, c.blocking),
            (CheckStatus::Missing, true),
            "{c:#?}"
        );
        assert!(
            c.message.contains("nothing could be verified"),
            "{}",
            c.message
        );
        assert_eq!(code, ExitCode::Blocked);
    }
}
