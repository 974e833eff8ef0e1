//! Several current runs judged together: the median and its standard error, the worst run for
//! limits and ratios, and no run left out.

use crate::evaluate;
use crate::policy::Policy;
use jiff::Timestamp;
use shipgate_model::{
    CheckResult, CheckStatus, Direction, EvidenceSet, PerfBaseline, PerfCurrent, PerfEvidence,
    PerfMetric, PerfProvenance, PerfRuns, PerfUnit, RequestBasis, Requests, RunThresholds,
    SourceState,
};
use std::collections::BTreeMap;

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

fn policy(check: &str) -> Policy {
    let text = format!(
        "version: 1\nrelease: {{name: api}}\nsources:\n  performance:\n    current: {{format: jmeter, runs: [a.jtl, b.jtl, c.jtl]}}\n    baseline: {{format: baseline, path: perf/baseline.json}}\nchecks:\n  performance:\n    - {check}\n"
    );
    Policy::parse(&text, &|_| None).unwrap_or_else(|e| panic!("{:#?}", e.problems()))
}

/// A run whose `checkout.p95` is `p95` and whose `checkout.error_rate` is `errors`, of 1,000
/// requests with `failed` failed.
fn run(path: &str, p95: f64, errors: f64, failed: u64) -> PerfEvidence {
    let requests = Some(Requests {
        total: 1000,
        failed,
        basis: RequestBasis::Successful,
    });
    let metric = |unit: PerfUnit, value: f64, requests: Option<Requests>| PerfMetric {
        unit,
        direction: Some(Direction::Lower),
        value,
        samples: None,
        requests,
    };
    PerfEvidence {
        path: path.into(),
        provenance: PerfProvenance {
            tool: "Apache JMeter".into(),
            tool_version: None,
            format: "JMeter JTL (CSV)".into(),
            source_path: path.into(),
            source_sha256: format!("{:0>64}", path.len()),
            source_bytes: 1,
            run_at: None,
            commit: None,
            release_version: None,
            promoted_at: None,
            forced: false,
        },
        metrics: BTreeMap::from([
            (
                "checkout.p95".to_owned(),
                metric(PerfUnit::Milliseconds, p95, requests),
            ),
            (
                "checkout.error_rate".to_owned(),
                metric(PerfUnit::Ratio, errors, None),
            ),
        ]),
        series: BTreeMap::new(),
        sample_counts: BTreeMap::new(),
        thresholds: RunThresholds::NotRecorded,
    }
}

/// Three current runs against a promoted baseline of five runs.
fn evidence(current: [PerfEvidence; 3], baseline: &[f64]) -> EvidenceSet {
    let [a, b, c] = current;
    EvidenceSet {
        performance: PerfRuns {
            current: SourceState::Loaded(PerfCurrent::several(a, vec![b, c])),
            baseline: SourceState::Loaded(PerfBaseline {
                path: "perf/baseline.json".into(),
                promoted: true,
                runs: baseline
                    .iter()
                    .enumerate()
                    .map(|(i, v)| run(&format!("perf/baseline.runs/{i}.jtl"), *v, 0.0, 0))
                    .collect(),
            }),
        },
        ..Default::default()
    }
}

fn only(policy: &Policy, e: &EvidenceSet) -> CheckResult {
    let v = evaluate(policy, e, now());
    assert_eq!(v.checks.len(), 1, "{:#?}", v.checks);
    v.checks.into_iter().next().unwrap()
}

const BASE: [f64; 5] = [98.0, 100.0, 102.0, 99.0, 101.0];

#[test]
fn the_median_is_compared_with_the_standard_error_of_a_median() {
    let p = policy("{metric: checkout.p95, max_regression: 10%}");
    // A worsening beyond the allowance (median 117 against a mean of 100), tested.
    let e = evidence(
        [
            run("a.jtl", 116.0, 0.0, 0),
            run("b.jtl", 117.0, 0.0, 0),
            run("c.jtl", 150.0, 0.0, 0),
        ],
        &BASE,
    );
    let r = only(&p, &e);
    assert_eq!(r.details["current"]["value"], 117.0);
    assert_eq!(r.details["current"]["median"], 117.0);
    let test = &r.details["judgement"]["test"];
    let s = shipgate_stats::sample_sd(&BASE).unwrap();
    let f3 = 1.0 - 3f64.sqrt() / std::f64::consts::PI;
    let se = test["standard_error"].as_f64().unwrap();
    assert!((se - s * (1.0 / 5.0 + f3).sqrt()).abs() < 1e-6, "{se}");
    assert!(
        se < s * (1.0 + 1.0 / 5.0f64).sqrt(),
        "a median of three is more precise than one run"
    );
    assert_eq!(test["current_runs"], 3);
    assert!(r.message.contains("the median of 3 runs"), "{}", r.message);
    assert_eq!(r.status, CheckStatus::Fail, "{}", r.message);
}

#[test]
fn one_disturbed_run_does_not_move_the_median() {
    let p = policy("{metric: checkout.p95, max_regression: 10%}");
    let e = evidence(
        [
            run("a.jtl", 101.0, 0.0, 0),
            run("b.jtl", 138.0, 0.0, 0),
            run("c.jtl", 99.0, 0.0, 0),
        ],
        &BASE,
    );
    let r = only(&p, &e);
    assert_eq!(r.status, CheckStatus::Pass, "{}", r.message);
    assert_eq!(r.details["current"]["value"], 101.0);
    assert_eq!(r.details["current"]["runs"].as_array().unwrap().len(), 3);
}

#[test]
fn of_two_runs_the_mean_is_compared() {
    let text = "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {runs: [a.jtl, b.jtl]}\n    baseline: {path: perf/baseline.json}\nchecks:\n  performance:\n    - {metric: checkout.p95, max_regression: 10%}\n";
    let p = Policy::parse(text, &|_| None).unwrap();
    let mut e = evidence(
        [
            run("a.jtl", 100.0, 0.0, 0),
            run("b.jtl", 130.0, 0.0, 0),
            run("c.jtl", 0.0, 0.0, 0),
        ],
        &BASE,
    );
    e.performance.current = SourceState::Loaded(PerfCurrent::several(
        run("a.jtl", 100.0, 0.0, 0),
        vec![run("b.jtl", 130.0, 0.0, 0)],
    ));
    let r = only(&p, &e);
    assert_eq!(r.details["current"]["value"], 115.0);
    assert!(
        r.message.contains("the median of 2 runs (their mean)"),
        "{}",
        r.message
    );
    let se = r.details["judgement"]["test"]["standard_error"]
        .as_f64()
        .unwrap();
    let s = shipgate_stats::sample_sd(&BASE).unwrap();
    assert!((se - s * (1.0 / 5.0 + 0.5f64).sqrt()).abs() < 1e-6, "{se}");
    assert_eq!(r.status, CheckStatus::Fail, "{}", r.message);
}

#[test]
fn failures_in_one_run_are_never_outvoted() {
    let p = policy("{metric: checkout.p95, max_regression: 10%}");
    let e = evidence(
        [
            run("a.jtl", 100.0, 0.0, 0),
            run("b.jtl", 100.0, 0.0, 0),
            run("c.jtl", 100.0, 0.2, 200),
        ],
        &BASE,
    );
    let r = only(&p, &e);
    assert_eq!(r.status, CheckStatus::Fail);
    assert!(
        r.message
            .starts_with("in run 3 of 3 of the results, `c.jtl`"),
        "{}",
        r.message
    );
    // A run with no successful request at all.
    let e = evidence(
        [
            run("a.jtl", 100.0, 0.0, 0),
            run("b.jtl", 2.0, 1.0, 1000),
            run("c.jtl", 100.0, 0.0, 0),
        ],
        &BASE,
    );
    let r = only(&p, &e);
    assert_eq!(r.status, CheckStatus::Fail);
    assert!(
        r.message.contains("`b.jtl`") && r.message.contains("all failed"),
        "{}",
        r.message
    );
}

#[test]
fn a_ratio_is_judged_on_the_worst_run_and_limits_on_every_run() {
    let p = policy("{metric: checkout.error_rate, max_regression: 10%, min_change: 0.5%}");
    let e = evidence(
        [
            run("a.jtl", 100.0, 0.0, 0),
            run("b.jtl", 100.0, 0.03, 0),
            run("c.jtl", 100.0, 0.0, 0),
        ],
        &BASE,
    );
    let r = only(&p, &e);
    assert_eq!(r.status, CheckStatus::Fail, "{}", r.message);
    assert_eq!(r.details["current"]["value"], 0.03);
    let p = policy("{metric: checkout.p95, max: 120ms}");
    let e = evidence(
        [
            run("a.jtl", 100.0, 0.0, 0),
            run("b.jtl", 121.0, 0.0, 0),
            run("c.jtl", 100.0, 0.0, 0),
        ],
        &BASE,
    );
    let r = only(&p, &e);
    assert_eq!(r.status, CheckStatus::Fail);
    assert!(
        r.message
            .contains("the run `b.jtl` (121ms) is above the maximum of 120ms"),
        "{}",
        r.message
    );
    let p = policy("{metric: checkout.p95, min: 99ms}");
    let r = only(&p, &e);
    assert_eq!(r.status, CheckStatus::Pass, "{}", r.message);
    assert!(
        r.message.contains("every run above the minimum"),
        "{}",
        r.message
    );
}

#[test]
fn a_run_without_the_metric_fails_even_with_on_missing_warn() {
    let p = policy("{metric: checkout.p95, max_regression: 10%, on_missing: warn}");
    let mut lacking = run("b.jtl", 100.0, 0.0, 0);
    lacking.metrics.remove("checkout.p95");
    let e = evidence(
        [
            run("a.jtl", 100.0, 0.0, 0),
            lacking,
            run("c.jtl", 100.0, 0.0, 0),
        ],
        &BASE,
    );
    let r = only(&p, &e);
    assert_eq!(r.status, CheckStatus::Fail, "{}", r.message);
    assert!(r.message.contains("`b.jtl` lacks it"), "{}", r.message);
}

#[test]
fn runs_that_measure_differently_are_not_judged_together() {
    let p = policy("{metric: checkout.p95, max_regression: 10%}");
    let mut other = run("b.jtl", 100.0, 0.0, 0);
    if let Some(m) = other.metrics.get_mut("checkout.p95") {
        m.requests = Some(Requests {
            total: 1000,
            failed: 0,
            basis: RequestBasis::All,
        });
    }
    let e = evidence(
        [
            run("a.jtl", 100.0, 0.0, 0),
            other,
            run("c.jtl", 100.0, 0.0, 0),
        ],
        &BASE,
    );
    let r = only(&p, &e);
    assert_eq!(r.status, CheckStatus::Fail, "{}", r.message);
    assert!(
        r.message.contains("do not measure it alike"),
        "{}",
        r.message
    );
}

#[test]
fn the_policy_refuses_runs_that_are_not_several_runs() {
    let parse = |current: &str| {
        let text = format!(
            "version: 1\nrelease: {{name: api}}\nsources:\n  performance:\n    current: {current}\nchecks:\n  performance:\n    - {{metric: a.p95, max: 1s}}\n"
        );
        Policy::parse(&text, &|_| None).err().map(|e| {
            e.problems()
                .iter()
                .map(|p| p.message.clone())
                .collect::<Vec<_>>()
                .join("\n")
        })
    };
    assert_eq!(parse("{runs: [a.csv, b.csv]}"), None);
    assert_eq!(parse("{path: a.csv}"), None);
    for (current, says) in [
        ("{runs: []}", "lists 0 files"),
        ("{runs: [a.csv]}", "lists 1 file"),
        (
            "{runs: [a.csv, perf/../a.csv, a.csv]}",
            "runs[1]` (`perf/../a.csv`) is `runs[0]` again",
        ),
        ("{runs: [perf/a.csv, ./perf//a.csv]}", "is `runs[0]` again"),
        ("{runs: [a.csv, '  ']}", "empty"),
        (
            "{path: a.csv, runs: [a.csv, b.csv]}",
            "both `path` and `runs`",
        ),
        ("{format: jmeter}", "missing required key `path`"),
        (
            "{runs: [a.csv, b.csv], max_age: 1d}",
            "limits the age of the baseline's runs",
        ),
    ] {
        let got = parse(current).unwrap_or_else(|| panic!("{current} was accepted"));
        assert!(got.contains(says), "{current}: {got}");
    }
}
