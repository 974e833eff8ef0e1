//! The policy-level property: for a random valid policy that reads ready on a fixed set of
//! evidence (two JUnit shards, the defect JSON form and its test run), writing any one of its
//! values with no value (`~`, `null`, nothing, `''`, `${UNSET:-}`) never reads ready: either the
//! policy is refused (exit 3) or the gate blocks.
//!
//! It runs in process (the evaluator's library, as `shipgate check` calls it), so that
//! hundreds of random policies take seconds.

use crate::scenario::repo;
use crate::yaml_tree;
use proptest::prelude::*;
use shipgate_model::Decision;
use shipgate_yaml::{NodeValue, ScalarStyle};
use std::fmt::Write as _;
use std::path::Path;

const NOW: &str = "2026-11-24T10:00:00Z";
const COMMIT: &str = "5d41402abc4b2a76b9719d911017c592ae5e9f7b";

/// The evidence every random policy is evaluated on: 18 executed tests (16 passed or flaky, 1
/// flaky), 2 skipped; 4 defects (1 production, 2 pre-production, 1 production duplicate), 1
/// open high; the production defect traced by a passing test.
fn evidence_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "reports/unit/posting.xml",
            "tests/fail_closed/projects/junit-shards/reports/unit/TEST-com.acme.ledger.PostingTest.xml",
        ),
        (
            "reports/web/junit.xml",
            "tests/fail_closed/projects/junit-shards/reports/web/junit.xml",
        ),
        (
            "reports/payments/pytest.xml",
            "tests/fail_closed/projects/defects-json/reports/pytest.xml",
        ),
        (
            "defects.json",
            "tests/fail_closed/projects/defects-json/defects.json",
        ),
    ];
    for (to, from) in files {
        let path = dir.path().join(to);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::copy(repo().join(from), path).unwrap();
    }
    dir
}

/// Whether the policy text reads ready on the evidence in `dir`: `Err` is the policy error.
fn reads_ready(dir: &Path, policy: &str) -> Result<bool, String> {
    let path = dir.join("shipgate.yaml");
    std::fs::write(&path, policy).unwrap();
    let env = |name: &str| match name {
        "RELEASE_VERSION" => Some("3.1.0".to_owned()),
        "GITHUB_SHA" => Some(COMMIT.to_owned()),
        _ => None,
    };
    let loaded = shipgate_evaluator::load_policy(&path, &env).map_err(|e| format!("{e}"))?;
    let report = shipgate_evaluator::run(&loaded, NOW.parse().unwrap());
    Ok(report.decision == Decision::Ready)
}

/// Which sections a policy has, and their thresholds (each satisfied by the evidence).
#[derive(Clone, Debug)]
struct Shape {
    pass_rate: Option<u32>,
    min_tests: Option<u32>,
    max_skipped: Option<u32>,
    max_skipped_rate: Option<u32>,
    flaky: Option<u32>,
    paths: u8,
    min_per_path: Option<u32>,
    max_open: Option<(u32, u32, u32)>,
    leakage: Option<(u32, Option<u32>, u32)>,
    traceability: bool,
    provenance: Option<u32>,
    waiver: bool,
}

fn shape() -> impl Strategy<Value = Shape> {
    (
        (
            prop::option::of(1u32..=88),
            prop::option::of(1u32..=18),
            prop::option::of(2u32..=10),
            prop::option::of(10u32..=60),
            prop::option::of(6u32..=50),
            0u8..8,
        ),
        (
            prop::option::of(1u32..=3),
            prop::option::of((0u32..=2, 1u32..=4, 0u32..=2)),
            prop::option::of((34u32..=100, prop::option::of(50u32..=100), 60u32..=180)),
            any::<bool>(),
            prop::option::of(2u32..=30),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (pass_rate, min_tests, max_skipped, max_skipped_rate, flaky, paths),
                (min_per_path, max_open, leakage, traceability, provenance, waiver),
            )| Shape {
                pass_rate,
                min_tests,
                max_skipped,
                max_skipped_rate,
                flaky,
                paths,
                min_per_path,
                max_open,
                leakage,
                traceability,
                provenance,
                waiver,
            },
        )
}

/// The policy a shape describes, or `None` when it would check nothing.
fn policy(s: &Shape) -> Option<String> {
    let paths: Vec<(&str, &str)> = [
        ("posting", "[\"com.acme.ledger.Posting*\"]"),
        ("login", "[\"*Login*\"]"),
        ("payment", "[\"tests.test_payment.*\"]"),
    ]
    .into_iter()
    .enumerate()
    .filter(|(i, _)| s.paths & (1 << i) != 0)
    .map(|(_, p)| p)
    .collect();
    let defects = s.max_open.is_some() || s.leakage.is_some() || s.traceability;
    let mut checks = String::new();
    let regression: Vec<String> = [
        s.pass_rate.map(|v| format!("min_pass_rate: {v}%")),
        s.min_tests.map(|v| format!("min_tests: {v}")),
        s.max_skipped.map(|v| format!("max_skipped: {v}")),
        s.max_skipped_rate
            .map(|v| format!("max_skipped_rate: {v}%")),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !regression.is_empty() {
        let _ = writeln!(checks, "  regression:");
        for r in &regression {
            let _ = writeln!(checks, "    {r}");
        }
    }
    if let (Some(n), false) = (s.min_per_path, paths.is_empty()) {
        let _ = writeln!(checks, "  critical_paths:\n    min_tests_per_path: {n}");
    }
    if let Some(v) = s.flaky {
        let _ = writeln!(checks, "  flaky:\n    max_rate: {v}%");
    }
    if let Some((critical, high, unknown)) = s.max_open {
        let _ = writeln!(
            checks,
            "  defects:\n    max_open: {{critical: {critical}, high: {high}, unknown: {unknown}}}"
        );
    } else if defects {
        let _ = writeln!(checks, "  defects:\n    max_unclassified: 0");
    }
    if let Some((rate, critical_rate, days)) = s.leakage {
        let _ = writeln!(
            checks,
            "  leakage:\n    window: {days}d\n    max_rate: {rate}%"
        );
        if let (Some(r), true) = (critical_rate, paths.iter().any(|(n, _)| *n == "payment")) {
            let _ = writeln!(checks, "    max_rate_critical_paths: {r}%");
        }
    }
    if s.traceability {
        let _ = writeln!(
            checks,
            "  traceability:\n    production_defects_need_test: true"
        );
    }
    if let Some(days) = s.provenance {
        let _ = writeln!(
            checks,
            "  provenance:\n    max_age: {{tests: {days}d}}\n    commit: match"
        );
    }
    if checks.is_empty() && paths.is_empty() {
        return None;
    }
    let mut text = String::from(
        "version: 1\nrelease:\n  name: ledger-service\n  version: ${RELEASE_VERSION}\n  commit: ${GITHUB_SHA}\nsources:\n  tests:\n    junit: [\"reports/**/*.xml\"]\n",
    );
    if defects {
        text.push_str("  defects:\n    kind: file\n    path: defects.json\n");
    }
    if !paths.is_empty() {
        text.push_str("risk:\n  critical_paths:\n");
        for (name, tests) in &paths {
            let _ = write!(text, "    {name}:\n      tests: {tests}\n");
            if *name == "payment" {
                text.push_str("      defects: {components: [Payments]}\n");
            }
        }
    }
    if !checks.is_empty() {
        let _ = write!(text, "checks:\n{checks}");
    }
    // An unused waiver (its check passes) is reported and never blocks.
    let waived = match (s.pass_rate, paths.is_empty()) {
        (Some(_), _) => Some("regression.pass-rate"),
        (None, false) => Some("critical-paths.passed"),
        (None, true) => None,
    };
    if let (true, Some(check)) = (s.waiver, waived) {
        let _ = write!(
            text,
            "waivers:\n  - check: {check}\n    reason: PAY-901 accepted for this release\n    approved_by: qa-lead@acme.example\n    expires: 2026-12-31T17:00:00-05:00\n"
        );
    }
    Some(text)
}

/// `text` with the `index`-th value (scalar or section, wrapping around) written as `form`.
fn emptied(text: &str, index: usize, form: usize) -> (String, String) {
    let tree = yaml_tree::parse(text);
    let targets: Vec<(usize, String)> = yaml_tree::leaves(&tree, true)
        .into_iter()
        // `release.commit` may be empty: it means "no commit" (docs/policy.md).
        .filter(|(_, path)| path != "release.commit")
        .collect();
    let (id, path) = &targets[index % targets.len()];
    let forms = [
        ("~", NodeValue::Scalar("~".to_owned(), ScalarStyle::Plain)),
        (
            "null",
            NodeValue::Scalar("null".to_owned(), ScalarStyle::Plain),
        ),
        ("nothing", NodeValue::Null),
        ("''", NodeValue::Scalar(String::new(), ScalarStyle::Quoted)),
        (
            "${SHIPGATE_FAIL_CLOSED_UNSET:-}",
            NodeValue::Scalar(
                "${SHIPGATE_FAIL_CLOSED_UNSET:-}".to_owned(),
                ScalarStyle::Plain,
            ),
        ),
    ];
    let (name, value) = forms[form % forms.len()].clone();
    let mut tree = tree;
    yaml_tree::find_mut(&mut tree, *id).unwrap().value = value;
    (yaml_tree::emit(&tree), format!("{path}: {name}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 160, ..ProptestConfig::default() })]

    /// A random valid policy that reads ready never reads ready once any one of its values is
    /// written with no value.
    #[test]
    fn a_ready_policy_with_any_value_emptied_never_reads_ready(
        s in shape(),
        index in 0usize..1000,
        form in 0usize..5,
    ) {
        let Some(text) = policy(&s) else {
            return Ok(());
        };
        let dir = evidence_folder();
        prop_assert_eq!(
            reads_ready(dir.path(), &text),
            Ok(true),
            "the generated policy must read ready (the property would prove nothing):\n{}",
            text
        );
        let (changed, what) = emptied(&text, index, form);
        let ready = reads_ready(dir.path(), &changed);
        prop_assert!(
            !matches!(ready, Ok(true)),
            "{} reads ready:\n{}",
            what,
            changed
        );
    }
}
