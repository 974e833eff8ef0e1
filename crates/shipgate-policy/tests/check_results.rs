//! Every check of the registry ([`CHECKS`]), evaluated on one fixed evidence set in two variants,
//! with its result (status, what it measured, the threshold, the message and the remedy) kept as
//! an insta snapshot: a check's explanation cannot change without a reviewed snapshot change,
//! and a check added to the registry without a configuration here and its two snapshots fails.
//!
//! The evidence is in `tests/check_results/`: `shipgate.yaml` configures every check once,
//! `ready.json` is evidence on which each of them passes, and `blocked.json` the same evidence
//! changed so that each of them fails (`diff ready.json blocked.json` shows what changed; the
//! folder's README says why each change fails which check). The evaluation time is the tests'
//! [`now`]. Snapshots: `tests/snapshots/check_results__<check id>__<variant>.snap`.

#![expect(
    clippy::panic,
    reason = "a test fails by panicking, naming the fixture"
)]

use insta::assert_json_snapshot;
use serde_json::{Value, json};
use shipgate_model::{
    CheckResult, CheckStatus, DefectEvidence, EvidenceSet, PerfBaseline, PerfCurrent, PerfEvidence,
    PerfRuns, SourceState, TestEvidence, UatEvidence, Verdict,
};
use shipgate_policy::{CHECKS, Policy, evaluate};
use shipgate_test_support::{now, parsed};
use std::path::Path;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/check_results")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A live waiver (ready) or an expired one (blocked): waivers are in the policy, not the evidence.
fn policy(variant: &str) -> Policy {
    let expires = match variant {
        "ready" => "2026-12-31T17:00:00Z",
        _ => "2026-11-01T17:00:00Z",
    };
    let text = format!(
        "{}waivers:\n  - check: regression.min-tests\n    reason: PAY-901 the statement tests are being rewritten\n    approved_by: qa-lead@acme.example\n    expires: {expires}\n",
        fixture("shipgate.yaml")
    );
    parsed(&text, Policy::parse(&text, &|_| None))
}

/// One part of the fixture, read as strictly as shipgate reads its own forms (an unknown or
/// repeated key is an error, so a typo in the fixture cannot go unnoticed).
fn part<T: serde::de::DeserializeOwned>(doc: &Value, pointer: &str, variant: &str) -> T {
    let value = doc
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{variant}.json has no {pointer}"))
        .clone();
    shipgate_json::form_from_value(value)
        .unwrap_or_else(|e| panic!("{variant}.json {pointer}: {e}"))
}

fn evidence(variant: &str) -> EvidenceSet {
    let text = fixture(&format!("{variant}.json"));
    let doc = parsed(&text, shipgate_json::parse_value(text.as_bytes()));
    EvidenceSet {
        tests: SourceState::Loaded(part::<TestEvidence>(&doc, "/tests", variant)),
        defects: SourceState::Loaded(part::<DefectEvidence>(&doc, "/defects", variant)),
        performance: PerfRuns {
            current: SourceState::Loaded(PerfCurrent::one(part::<PerfEvidence>(
                &doc,
                "/performance/current",
                variant,
            ))),
            // One run, written by the tool itself (not a promoted manifest): the evidence set
            // keeps one baseline run in the shape a tool writes.
            baseline: SourceState::Loaded(PerfBaseline {
                path: "perf/baseline.json".to_owned(),
                promoted: false,
                runs: vec![part::<PerfEvidence>(&doc, "/performance/baseline", variant)],
            }),
        },
        uat: SourceState::Loaded(part::<UatEvidence>(&doc, "/uat", variant)),
        ..EvidenceSet::default()
    }
}

fn verdict(variant: &str) -> Verdict {
    evaluate(&policy(variant), &evidence(variant), now())
}

/// The results of the registry entry `id`: one, or every metric of a family
/// (`performance.<metric>`).
fn results_of<'a>(verdict: &'a Verdict, id: &str) -> Vec<&'a CheckResult> {
    let family = id.strip_suffix("<metric>");
    verdict
        .checks
        .iter()
        .filter(|c| match family {
            Some(prefix) => c.id.starts_with(prefix),
            None => c.id == id,
        })
        .collect()
}

/// What a person reads of a result.
fn explanation(c: &CheckResult) -> Value {
    json!({
        "id": c.id,
        "status": c.status,
        "blocking": c.blocking,
        "measured": c.observed,
        "threshold": c.threshold,
        "unit": c.unit,
        "message": c.message,
        "remedy": c.remedy,
    })
}

#[test]
fn every_check_of_the_registry_runs_on_both_variants() {
    for variant in ["ready", "blocked"] {
        let v = verdict(variant);
        for kind in CHECKS {
            assert!(
                !results_of(&v, kind.info.id).is_empty(),
                "`{}` has no result on {variant}.json: configure it in tests/check_results/shipgate.yaml ({}) and give it evidence",
                kind.info.id,
                kind.section
            );
        }
    }
}

/// Every check passes; the one warning is `waivers.valid` saying the live waiver went unused
/// (its check passed), which is what a waiver does on good evidence.
#[test]
fn the_ready_variant_passes_every_check() {
    let v = verdict("ready");
    let problems: Vec<_> = v
        .checks
        .iter()
        .filter(|c| c.status != CheckStatus::Pass)
        .filter(|c| !(c.id == "waivers.valid" && c.status == CheckStatus::Warn))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(v.decision, shipgate_model::Decision::Ready);
}

#[test]
fn the_blocked_variant_fails_every_check() {
    let v = verdict("blocked");
    for kind in CHECKS {
        for c in results_of(&v, kind.info.id) {
            assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
            assert!(c.blocking, "a failed error-level check must block: {c:#?}");
        }
    }
    assert_eq!(v.decision, shipgate_model::Decision::Blocked);
}

#[test]
fn each_checks_result_is_as_reviewed() {
    for variant in ["ready", "blocked"] {
        let v = verdict(variant);
        for kind in CHECKS {
            for c in results_of(&v, kind.info.id) {
                assert_json_snapshot!(format!("{}__{variant}", c.id), explanation(c));
            }
        }
    }
}
