//! One evaluation: the evidence gathered through the resolver, the policy evaluated at the time
//! given, and the report that explains the verdict.

use crate::TOOL_VERSION;
use crate::loaded_policy::LoadedPolicy;
use crate::resolver::Resolver;
use crate::sources::{GatherOptions, gather_with};
use jiff::Timestamp;
use shipgate_model::report::{PolicyInfo, ReleaseInfo};
use shipgate_model::{EvidenceSet, Report};

/// Loads the evidence from the live files and evaluates the policy at `now`.
pub fn run(loaded: &LoadedPolicy, now: Timestamp) -> Report {
    run_with(
        loaded,
        &Resolver::live(&loaded.base_dir, false),
        now,
        &GatherOptions::default(),
    )
}

/// Loads the evidence through `resolver` and evaluates the policy at `now`, with gathering
/// options (`--offline`, the environment for credentials).
pub fn run_with(
    loaded: &LoadedPolicy,
    resolver: &Resolver,
    now: Timestamp,
    options: &GatherOptions<'_>,
) -> Report {
    let options = GatherOptions {
        now: options.now.or(Some(now)),
        offline: options.offline || resolver.is_replay(),
        ..*options
    };
    let evidence = gather_with(loaded, resolver, &options);
    report(loaded, evidence, now)
}

/// Evaluates already gathered evidence.
pub fn report(loaded: &LoadedPolicy, evidence: EvidenceSet, now: Timestamp) -> Report {
    let verdict = shipgate_policy::evaluate(&loaded.policy, &evidence, now);
    let release = &loaded.policy.release;
    Report::new(
        TOOL_VERSION,
        ReleaseInfo {
            name: release.name.clone(),
            version: release.version.clone(),
            commit: release.commit.clone(),
        },
        PolicyInfo {
            path: loaded.path.display().to_string(),
            sha256: loaded.sha256.clone(),
        },
        evidence.inputs,
        verdict,
        now,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::digest::sha256_hex;
    use crate::loaded_policy::load_policy;
    use crate::resolver::Resolver;
    use crate::sources::GatherOptions;
    use shipgate_model::{CheckStatus, Decision};
    use std::fs;

    const POLICY: &str = "version: 1\nrelease: {name: demo, version: '${V:-1.0}'}\nsources:\n  tests:\n    junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]\nchecks:\n  regression: {min_pass_rate: 90%}\n";
    const GOOD: &str = r#"<testsuite name="s"><testcase classname="a.B" name="t1"/><testcase classname="a.B" name="t2"/></testsuite>"#;
    /// Other tests than [`GOOD`]'s: the same tests in two files would be a repeated run.
    const GOOD_E2E: &str = r#"<testsuite name="e2e"><testcase classname="a.B" name="t1"/><testcase classname="a.B" name="t2"/></testsuite>"#;

    fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("shipgate.yaml"), POLICY).unwrap();
        for (rel, text) in files {
            let p = dir.path().join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
        dir
    }

    fn now() -> Timestamp {
        "2026-11-24T10:00:00Z".parse().unwrap()
    }

    fn load(dir: &tempfile::TempDir) -> LoadedPolicy {
        load_policy(&dir.path().join("shipgate.yaml"), &|_| None).unwrap()
    }

    #[test]
    fn paths_are_relative_to_the_policy_and_every_input_is_hashed() {
        let dir = project(&[("unit/a.xml", GOOD), ("e2e/x/b.xml", GOOD_E2E)]);
        let report = run(&load(&dir), now());
        assert_eq!(report.decision, Decision::Ready);
        let paths: Vec<&str> = report.inputs.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(paths, vec!["e2e/x/b.xml", "unit/a.xml"]);
        assert_eq!(report.inputs[0].sha256, sha256_hex(GOOD_E2E.as_bytes()));
        assert_eq!(report.inputs[0].bytes, GOOD_E2E.len() as u64);
        assert_eq!(report.policy.sha256, sha256_hex(POLICY.as_bytes()));
        assert_eq!(report.release.version.as_deref(), Some("1.0"));
    }

    #[test]
    fn a_glob_that_matches_nothing_is_missing_evidence_even_when_another_matched() {
        let dir = project(&[("unit/a.xml", GOOD)]);
        let report = run(&load(&dir), now());
        let c = &report.checks[0];
        assert_eq!(c.status, CheckStatus::Missing);
        assert!(
            c.message.contains("no JUnit report matched `e2e/**/*.xml`"),
            "{}",
            c.message
        );
        assert_eq!(report.decision, Decision::Blocked);
        assert_eq!(report.exit_code, 1);
    }

    #[test]
    fn one_bad_file_makes_the_tests_unreadable_and_names_it() {
        let dir = project(&[
            ("unit/a.xml", GOOD),
            ("e2e/b.xml", "<testsuite><testcase name="),
        ]);
        let report = run(&load(&dir), now());
        let c = &report.checks[0];
        assert_eq!(c.status, CheckStatus::Error);
        assert!(c.message.contains("e2e/b.xml"), "{}", c.message);
        assert_eq!(report.exit_code, 4);
        // Provenance still lists what was read.
        assert!(report.inputs.iter().any(|i| i.path == "unit/a.xml"));
    }

    /// The history of earlier runs is copied for the record only when a record is written: a
    /// run without `--report-dir` does not serialise it.
    #[test]
    fn the_history_is_kept_for_the_record_only_when_recording() {
        let dir = project(&[
            ("unit/a.xml", GOOD),
            ("e2e/b.xml", GOOD_E2E),
            ("history/1/a.xml", GOOD),
        ]);
        fs::write(
            dir.path().join("shipgate.yaml"),
            POLICY
                .replace(
                    "junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]",
                    "junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]\n    history: [\"history/*/*.xml\"]",
                )
                .replace(
                    "min_pass_rate: 90%}",
                    "min_pass_rate: 90%}\n  flaky: {max_rate: 50%}",
                ),
        )
        .unwrap();
        let loaded = load(&dir);
        assert!(loaded.policy.history_globs().is_some());
        for recording in [false, true] {
            let resolver = Resolver::live(&loaded.base_dir, recording);
            let report = run_with(&loaded, &resolver, now(), &GatherOptions::default());
            assert_eq!(report.decision, Decision::Ready);
            let kept = resolver.take_journal().fetched;
            assert_eq!(kept.len(), usize::from(recording), "recording: {recording}");
        }
    }

    /// A release record among the history's run folders is no earlier run.
    #[test]
    fn a_release_record_is_not_an_earlier_run() {
        let manifest = "{\n  \"manifest_version\": 2,\n  \"tool\": {\"name\": \"shipgate\"}\n}\n";
        let dir = project(&[
            ("unit/a.xml", GOOD),
            ("e2e/b.xml", GOOD_E2E),
            ("history/1/a.xml", GOOD),
            ("history/gate/gate-junit.xml", GOOD),
            ("history/gate/evidence/manifest.json", manifest),
        ]);
        fs::write(
            dir.path().join("shipgate.yaml"),
            POLICY
                .replace(
                    "junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]",
                    "junit: [\"unit/*.xml\", \"e2e/**/*.xml\"]\n    history: [\"history/*/*.xml\"]",
                )
                .replace(
                    "min_pass_rate: 90%}",
                    "min_pass_rate: 90%}\n  flaky: {max_rate: 50%}",
                ),
        )
        .unwrap();
        let report = run(&load(&dir), now());
        let history: Vec<&str> = report
            .inputs
            .iter()
            .filter(|i| i.source == "history")
            .map(|i| i.path.as_str())
            .collect();
        assert_eq!(history, ["history/1/a.xml"]);
    }

    /// The issue's case: an old full run (40 tests) left beside this run's 5 would read as 45
    /// tests and pass `min_tests: 40`. Refused by default, naming both files; every check that
    /// reads the tests blocks.
    #[test]
    fn an_old_run_left_beside_this_run_blocks_naming_both_files() {
        let cases = |n: usize| -> String {
            (0..n)
                .map(|i| format!("<testcase classname=\"a.B\" name=\"t{i}\"/>"))
                .collect()
        };
        let old = format!("<testsuite name=\"s\">{}</testsuite>", cases(40));
        let new = format!("<testsuite name=\"s\">{}</testsuite>", cases(5));
        let dir = project(&[("unit/a.xml", &new), ("e2e/old/a.xml", &old)]);
        let policy = POLICY.replace(
            "{min_pass_rate: 90%}",
            "{min_pass_rate: 90%, min_tests: 40}",
        );
        fs::write(dir.path().join("shipgate.yaml"), &policy).unwrap();
        let report = run(&load(&dir), now());
        assert_eq!(report.decision, Decision::Blocked);
        let regression: Vec<&shipgate_model::CheckResult> = report
            .checks
            .iter()
            .filter(|c| c.id.starts_with("regression."))
            .collect();
        assert!(!regression.is_empty());
        for check in regression {
            assert_ne!(check.status, CheckStatus::Pass, "{check:?}");
            let text = format!("{check:?}");
            assert!(
                text.contains("5 tests ran in more than one file")
                    && text.contains("`e2e/old/a.xml` and `unit/a.xml`")
                    && text.contains("e.g. `a.B.t"),
                "{text}"
            );
        }

        // A matrix build says so, and every run counts.
        let allowed = policy.replace("junit: [", "repeated_runs: allow\n    junit: [");
        fs::write(dir.path().join("shipgate.yaml"), allowed).unwrap();
        let report = run(&load(&dir), now());
        assert_eq!(report.decision, Decision::Ready);
        let stats = report.stats.tests.unwrap();
        assert_eq!(
            (stats.total, stats.repeated_tests, stats.repeated_runs),
            (45, 5, 5)
        );
    }

    #[test]
    fn a_byte_order_mark_before_the_policy_is_accepted() {
        let dir = project(&[("unit/a.xml", GOOD), ("e2e/b.xml", GOOD_E2E)]);
        let mut bytes = vec![0xef, 0xbb, 0xbf];
        bytes.extend_from_slice(POLICY.as_bytes());
        fs::write(dir.path().join("shipgate.yaml"), bytes).unwrap();
        assert_eq!(run(&load(&dir), now()).decision, Decision::Ready);
    }
}
