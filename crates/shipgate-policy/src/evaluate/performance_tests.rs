#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::evaluate;
use crate::policy::Policy;
use jiff::Timestamp;
use shipgate_model::{
    CheckResult, CheckStatus, Direction, EvidenceProblem, EvidenceSet, ExitCode, PerfEvidence,
    PerfMetric, PerfProvenance, PerfRuns, PerfUnit, RequestBasis, Requests, RunThresholds,
    SampleRef, SampleStat, SourceState,
};
use shipgate_stats::SplitMix64;
use std::collections::BTreeMap;

fn now() -> Timestamp {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

const SOURCES: &str = "sources:\n  performance:\n    current: {format: jmeter, path: perf/current.jtl}\n    baseline: {format: baseline, path: perf/baseline.json}\n";

fn policy(checks: &str) -> Policy {
    let text =
        format!("version: 1\nrelease: {{name: api}}\n{SOURCES}checks:\n  performance:\n{checks}");
    Policy::parse(&text, &|_| None).unwrap_or_else(|e| panic!("{:#?}\n{text}", e.problems()))
}

fn problems(text: &str) -> Vec<String> {
    match Policy::parse(text, &|_| None) {
        Ok(_) => panic!("expected problems in:\n{text}"),
        Err(e) => e
            .problems()
            .iter()
            .map(|p| format!("{}: {}", p.path, p.message))
            .collect(),
    }
}

fn provenance(path: &str) -> PerfProvenance {
    PerfProvenance {
        tool: "Apache JMeter".into(),
        tool_version: None,
        format: "JMeter JTL (CSV)".into(),
        source_path: path.into(),
        source_sha256: "0".repeat(64),
        source_bytes: 1,
        run_at: None,
        commit: None,
        release_version: None,
        promoted_at: None,
        forced: false,
    }
}

/// A run with summary values only.
fn values(path: &str, metrics: &[(&str, PerfUnit, Option<Direction>, f64)]) -> PerfEvidence {
    PerfEvidence {
        path: path.into(),
        provenance: provenance(path),
        metrics: metrics
            .iter()
            .map(|(name, unit, direction, value)| {
                (
                    (*name).to_owned(),
                    PerfMetric {
                        unit: unit.clone(),
                        direction: *direction,
                        value: *value,
                        samples: None,
                        requests: None,
                    },
                )
            })
            .collect(),
        series: BTreeMap::new(),
        thresholds: RunThresholds::NotRecorded,
    }
}

/// A run whose `checkout.p95` is computed from raw samples.
fn sampled(path: &str, samples: Vec<f64>) -> PerfEvidence {
    let mut sorted = samples.clone();
    sorted.sort_by(f64::total_cmp);
    let p95 = shipgate_stats::percentile(&sorted, 0.95).unwrap();
    let mut e = values(
        path,
        &[(
            "checkout.p95",
            PerfUnit::Milliseconds,
            Some(Direction::Lower),
            p95,
        )],
    );
    e.metrics.get_mut("checkout.p95").unwrap().samples = Some(SampleRef {
        series: "checkout".into(),
        stat: SampleStat::Percentile(95.0),
    });
    e.series.insert("checkout".into(), samples);
    e
}

/// Log-normal latencies around `median` ms, from a seeded generator.
fn latencies(n: usize, median: f64, seed: u64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    let mut uniform = || ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    (0..n)
        .map(|_| {
            let z = (-2.0 * uniform().ln()).sqrt() * (2.0 * std::f64::consts::PI * uniform()).cos();
            median * (0.35 * z).exp()
        })
        .collect()
}

fn evidence(current: PerfEvidence, baseline: PerfEvidence) -> EvidenceSet {
    EvidenceSet {
        performance: PerfRuns {
            current: SourceState::Loaded(current),
            baseline: SourceState::Loaded(baseline),
        },
        ..Default::default()
    }
}

fn only(policy: &Policy, e: &EvidenceSet) -> CheckResult {
    let v = evaluate(policy, e, now());
    assert_eq!(v.checks.len(), 1, "{:#?}", v.checks);
    v.checks.into_iter().next().unwrap()
}

fn latency(value: f64) -> (&'static str, PerfUnit, Option<Direction>, f64) {
    (
        "checkout.p95",
        PerfUnit::Milliseconds,
        Some(Direction::Lower),
        value,
    )
}

// ---- the policy ---------------------------------------------------------------------------

#[test]
fn ids_and_waivers() {
    let p = policy(
        "    - {metric: checkout.p95, max: 300ms}\n    - {metric: checkout.error_rate, max: 1%}\n",
    );
    assert_eq!(
        p.check_ids(),
        vec![
            "performance.checkout.p95",
            "performance.checkout.error_rate"
        ]
    );
    let with_waiver = format!(
        "version: 1\nrelease: {{name: api}}\n{SOURCES}checks:\n  performance:\n    - {{metric: checkout.p95, max: 300ms}}\nwaivers:\n  - {{check: performance.checkout.p95, reason: r, approved_by: a, expires: 2027-01-01}}\n"
    );
    let p = Policy::parse(&with_waiver, &|_| None).unwrap();
    assert_eq!(
        p.check_ids(),
        vec!["performance.checkout.p95", "waivers.valid"]
    );
    let typo = with_waiver.replace(
        "check: performance.checkout.p95",
        "check: performance.checkout.p59",
    );
    let e = problems(&typo);
    assert!(
        e[0].contains("did you mean `performance.checkout.p95`"),
        "{e:?}"
    );
}

#[test]
fn limits_that_cannot_fit_the_metric_are_policy_errors() {
    let k6 = "sources:\n  performance:\n    current: {format: k6, path: s.json}\n";
    let text = |checks: &str| {
        format!("version: 1\nrelease: {{name: api}}\n{k6}checks:\n  performance:\n{checks}")
    };
    let e = problems(&text("    - {metric: http_req_duration.p95, max: 1%}\n"));
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(
        e[0].starts_with(
            "checks.performance[0].max: `1%` is a percentage, but the metric is a duration"
        ),
        "{e:?}"
    );
    let e = problems(&text("    - {metric: http_req_duration.p95, max: 300}\n"));
    assert!(e[0].contains("`300ms`"), "{e:?}");
    let e = problems(&text("    - {metric: http_req_failed.rate, max: 5}\n"));
    assert!(e[0].contains("`5%`"), "{e:?}");
    let e = problems(&text("    - {metric: http_reqs.rate, min: 2s}\n"));
    assert!(e[0].contains("a rate per second"), "{e:?}");
    // Right units pass; a custom metric's unit is only known from the file.
    Policy::parse(&text("    - {metric: http_req_duration.p95, max: 300ms}\n    - {metric: http_req_failed.rate, max: 1%}\n    - {metric: http_reqs.rate, min: 50}\n    - {metric: my_trend.p95, max: 1%}\n"), &|_| None).unwrap();
    // JMeter, Locust and Gatling percentiles are response times.
    let e = problems(&format!(
        "version: 1\nrelease: {{name: api}}\n{SOURCES}checks:\n  performance:\n    - {{metric: checkout.p99, max: 5%}}\n"
    ));
    assert!(e[0].contains("is a percentage"), "{e:?}");
}

#[test]
fn the_rules_of_a_performance_check() {
    let base = format!("version: 1\nrelease: {{name: api}}\n{SOURCES}checks:\n  performance:\n");
    let e = problems(&format!("{base}    - {{metric: checkout, max: 3ms}}\n"));
    assert!(e[0].contains("not `name.stat`"), "{e:?}");
    let e = problems(&format!(
        "{base}    - {{metric: a.p95, max: 3ms}}\n    - {{metric: a.p95, max: 4ms}}\n"
    ));
    assert!(e.iter().any(|m| m.contains("checked twice")), "{e:?}");
    let e = problems(&format!("{base}    - {{metric: a.p95, level: warn}}\n"));
    assert!(e[0].contains("would check nothing"), "{e:?}");
    let e = problems(&format!(
        "{base}    - {{metric: a.p95, max: 3ms, min_change: 1ms, alpha: 0.01}}\n"
    ));
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e.iter().all(|m| m.contains("set `max_regression` too")),
        "{e:?}"
    );
    let e = problems(&format!(
        "{base}    - {{metric: a.p95, max_regression: 10%, alpha: 0.9}}\n"
    ));
    assert!(e[0].contains("between 0 and 0.5"), "{e:?}");
    let e = problems(&format!(
        "{base}    - {{metric: a.p95, max_regression: 10%, min_samples: 1}}\n"
    ));
    assert!(e[0].contains("at least 2"), "{e:?}");
    let e = problems(&format!(
        "{base}    - {{metric: a.p95, min: 5ms, max: 3ms}}\n"
    ));
    assert!(e[0].contains("no value could pass"), "{e:?}");
    let e = problems(&format!(
        "{base}    - {{metric: a.p95, max: 3ms, maximum: 4ms}}\n"
    ));
    assert!(e[0].contains("unknown key `maximum`"), "{e:?}");
    // Sources.
    let e = problems(
        "version: 1\nrelease: {name: api}\nchecks:\n  performance:\n    - {metric: a.p95, max: 3ms}\n",
    );
    assert!(e[0].contains("needs load-test results"), "{e:?}");
    let no_baseline = "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {path: r.jtl}\nchecks:\n  performance:\n    - {metric: a.p95, max_regression: 10%}\n";
    let e = problems(no_baseline);
    assert!(e[0].contains("add `sources.performance.baseline`"), "{e:?}");
    let e = problems(
        "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {path: ''}\nchecks:\n  performance:\n    - {metric: a.p95, max: 1ms}\n",
    );
    assert!(e[0].contains("the value is empty"), "{e:?}");
    let e = problems(
        "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {format: jtl, path: r.jtl}\nchecks:\n  performance:\n    - {metric: a.p95, max: 1ms}\n",
    );
    assert!(
        e[0].contains("did you mean `jmeter`") || e[0].contains("jmeter"),
        "{e:?}"
    );
}

// ---- absolute limits ----------------------------------------------------------------------

/// The bootstrap bound needs `alpha < 0.5` (its interval is `[alpha, 1 − alpha]`); a policy
/// that allowed 0.5 would silently leave only Mann–Whitney to decide.
#[test]
fn alpha_is_refused_outside_0_to_0_5_exclusive_with_its_line() {
    let base = format!("version: 1\nrelease: {{name: api}}\n{SOURCES}checks:\n  performance:\n");
    let line = base.lines().count() + 1;
    for alpha in ["0.5", "0", "-0.1", "0.9", "1"] {
        let text = format!("{base}    - {{metric: a.p95, max_regression: 10%, alpha: {alpha}}}\n");
        let e = Policy::parse(&text, &|_| None).unwrap_err();
        let p = &e.problems()[0];
        assert!(
            p.message.contains("between 0 and 0.5") && p.message.contains("exclusive"),
            "{alpha}: {}",
            p.message
        );
        assert_eq!(p.mark.line, line, "{alpha}: {p:?}");
    }
    let p = policy("    - {metric: a.p95, max_regression: 10%, alpha: 0.49}\n");
    assert!(
        format!("{:?}", p.checks).contains("alpha: 0.49"),
        "{:?}",
        p.checks
    );
}

#[test]
fn absolute_limits() {
    let p = policy("    - {metric: checkout.p95, max: 300ms}\n");
    let e = evidence(
        values("perf/current.jtl", &[latency(299.0)]),
        values("b", &[]),
    );
    let c = only(&p, &e);
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert_eq!(c.unit, Some(shipgate_model::CheckUnit::Seconds));
    assert_eq!(c.observed, serde_json::json!(0.299));
    assert_eq!(c.threshold, serde_json::json!(0.3));
    assert_eq!(
        c.message,
        "`checkout.p95` is 299ms (the file does not say how many requests failed); within the maximum of 300ms"
    );
    let e = evidence(
        values("perf/current.jtl", &[latency(312.5)]),
        values("b", &[]),
    );
    let c = only(&p, &e);
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
    assert!(
        c.message.contains("above the maximum of 300ms"),
        "{}",
        c.message
    );
    assert_eq!(
        c.remedy.as_deref(),
        Some("bring `checkout.p95` down to 300ms or below")
    );
    // A rate's limit as a percentage; throughput as a minimum.
    let p = policy(
        "    - {metric: pay.error_rate, max: 1%}\n    - {metric: Total.throughput, min: 50}\n",
    );
    let run = values(
        "perf/current.jtl",
        &[
            (
                "pay.error_rate",
                PerfUnit::Ratio,
                Some(Direction::Lower),
                0.0125,
            ),
            (
                "Total.throughput",
                PerfUnit::PerSecond,
                Some(Direction::Higher),
                49.0,
            ),
        ],
    );
    let v = evaluate(&p, &evidence(run, values("b", &[])), now());
    assert_eq!(v.checks[0].status, CheckStatus::Fail);
    assert!(
        v.checks[0].message.contains("1.25%"),
        "{}",
        v.checks[0].message
    );
    assert_eq!(v.checks[1].status, CheckStatus::Fail);
    assert!(
        v.checks[1].message.contains("below the minimum of 50/s"),
        "{}",
        v.checks[1].message
    );
}

#[test]
fn a_limit_that_does_not_fit_the_file_s_metric_fails_at_evaluation() {
    // `format: auto`: the unit is only known from the file.
    let text = "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {path: m.json}\nchecks:\n  performance:\n    - {metric: queue.depth, max: 300ms}\n";
    let p = Policy::parse(text, &|_| None).unwrap();
    let run = values("m.json", &[("queue.depth", PerfUnit::Number, None, 12.0)]);
    let e = EvidenceSet {
        performance: PerfRuns {
            current: SourceState::Loaded(run),
            baseline: SourceState::NotConfigured,
        },
        ..Default::default()
    };
    let c = only(&p, &e);
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
    assert!(
        c.message
            .starts_with("`max` of `queue.depth` does not fit the metric: `300ms` is a duration"),
        "{}",
        c.message
    );
}

#[test]
fn a_result_that_cannot_judge_still_reports_the_value_in_the_report_s_unit() {
    let text = "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {path: m.json}\nchecks:\n  performance:\n    - {metric: latency.p95, max: 1%}\n";
    let p = Policy::parse(text, &|_| None).unwrap();
    let run = values(
        "m.json",
        &[("latency.p95", PerfUnit::Milliseconds, None, 250.0)],
    );
    let e = EvidenceSet {
        performance: PerfRuns {
            current: SourceState::Loaded(run),
            baseline: SourceState::NotConfigured,
        },
        ..Default::default()
    };
    let c = only(&p, &e);
    assert_eq!(
        (c.status, c.unit),
        (CheckStatus::Fail, Some(shipgate_model::CheckUnit::Seconds))
    );
    assert_eq!(c.observed, serde_json::json!(0.25), "250ms as seconds");
}

// ---- missing evidence ---------------------------------------------------------------------

#[test]
fn missing_results_metrics_and_baselines_block_and_name_the_file() {
    let p = policy("    - {metric: checkout.p95, max: 300ms, max_regression: 10%}\n");
    // No results at all.
    let e = EvidenceSet {
        performance: PerfRuns {
            current: SourceState::Missing(EvidenceProblem {
                source: "performance".into(),
                location: Some("perf/current.jtl".into()),
                message: "`perf/current.jtl` does not exist".into(),
                remedy: "run the load test".into(),
            }),
            baseline: SourceState::Loaded(values("perf/baseline.json", &[latency(100.0)])),
        },
        ..Default::default()
    };
    let c = only(&p, &e);
    assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
    // The metric is not in the results.
    let e = evidence(
        values(
            "perf/current.jtl",
            &[
                ("checkout.p90", PerfUnit::Milliseconds, None, 1.0),
                ("search.p95", PerfUnit::Milliseconds, None, 1.0),
            ],
        ),
        values("perf/baseline.json", &[latency(100.0)]),
    );
    let c = only(&p, &e);
    assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
    assert!(
        c.message.starts_with("the results `perf/current.jtl` (JMeter JTL (CSV)) has no metric `checkout.p95`; the closest it has: `checkout.p90`"),
        "{}",
        c.message
    );
    assert!(
        c.remedy
            .as_deref()
            .unwrap()
            .contains("shipgate inspect perf perf/current.jtl")
    );
    // The metric is not in the baseline.
    let e = evidence(
        values("perf/current.jtl", &[latency(100.0)]),
        values(
            "perf/baseline.json",
            &[("search.p95", PerfUnit::Milliseconds, None, 1.0)],
        ),
    );
    let c = only(&p, &e);
    assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
    assert!(
        c.message.starts_with("the baseline `perf/baseline.json`"),
        "{}",
        c.message
    );
    // Different units.
    let e = evidence(
        values("perf/current.jtl", &[latency(100.0)]),
        values(
            "perf/baseline.json",
            &[(
                "checkout.p95",
                PerfUnit::Number,
                Some(Direction::Lower),
                0.1,
            )],
        ),
    );
    let c = only(&p, &e);
    assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
    assert!(
        c.message.contains("in `ms` in the results")
            && c.message.contains("in `number` in the baseline"),
        "{}",
        c.message
    );
    // Unreadable baseline: exit 4.
    let e = EvidenceSet {
        performance: PerfRuns {
            current: SourceState::Loaded(values("perf/current.jtl", &[latency(100.0)])),
            baseline: SourceState::Unreadable(vec![EvidenceProblem {
                source: "performance-baseline".into(),
                location: Some("perf/baseline.json".into()),
                message: "failed to read `perf/baseline.json`: not valid JSON".into(),
                remedy: "promote it again".into(),
            }]),
        },
        ..Default::default()
    };
    let v = evaluate(&p, &e, now());
    assert_eq!(v.checks[0].status, CheckStatus::Error);
    assert_eq!(v.exit_code(), ExitCode::EvidenceError);
    // An unreadable baseline stays an error even when the absolute limit fails too: a waiver of
    // the failure must not hide it.
    let mut e = e;
    e.performance.current = SourceState::Loaded(values("perf/current.jtl", &[latency(400.0)]));
    let c = only(&p, &e);
    assert_eq!((c.status, c.blocking), (CheckStatus::Error, true));
    assert!(
        c.message
            .ends_with("besides, `checkout.p95` is 400ms, outside its absolute limits"),
        "{}",
        c.message
    );
    // A missing baseline: the absolute limit still fails, with the baseline's problem beside it.
    e.performance.baseline = SourceState::Missing(EvidenceProblem {
        source: "performance-baseline".into(),
        location: Some("perf/baseline.json".into()),
        message: "the baseline `perf/baseline.json` does not exist".into(),
        remedy: "promote one".into(),
    });
    let c = only(&p, &e);
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
    assert!(
        c.details["baseline_problem"]
            .as_str()
            .unwrap()
            .contains("does not exist")
    );
}

#[test]
fn on_missing_warn_reports_without_blocking() {
    let p = policy(
        "    - {metric: checkout.p95, max: 300ms, on_missing: warn}\n    - {metric: search.p95, max: 300ms}\n",
    );
    let e = evidence(
        values(
            "perf/current.jtl",
            &[("search.p95", PerfUnit::Milliseconds, None, 1.0)],
        ),
        values("b", &[]),
    );
    let v = evaluate(&p, &e, now());
    let c = &v.checks[0];
    assert_eq!(c.id, "performance.checkout.p95");
    assert_eq!((c.status, c.blocking), (CheckStatus::Missing, false));
    assert!(
        c.message
            .ends_with("(on_missing: warn, so this does not block)"),
        "{}",
        c.message
    );
    assert_eq!(v.checks[1].status, CheckStatus::Pass);
}

// ---- against the baseline, without samples -----------------------------------------------

#[test]
fn relative_limits_without_samples_count_as_is() {
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let check = |cur: f64, base: f64| {
        only(
            &p,
            &evidence(
                values("perf/current.jtl", &[latency(cur)]),
                values("perf/baseline.json", &[latency(base)]),
            ),
        )
    };
    let c = check(224.0, 200.0);
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true), "{c:#?}");
    assert_eq!(
        c.message,
        "`checkout.p95` is 224ms (the file does not say how many requests failed); against the baseline's 200ms it changed by +12.0% (+24ms): worse by more than the allowed 10%, and it counts as a regression because it could not be tested for significance: neither `perf/current.jtl` nor `perf/baseline.json` has raw samples of it"
    );
    assert_eq!(
        c.details["significance"]["verdict"],
        "not tested: counts as a regression"
    );
    assert_eq!(c.threshold, serde_json::json!(0.22), "200ms + 10%");
    assert_eq!(
        check(220.0, 200.0).status,
        CheckStatus::Pass,
        "exactly +10% is allowed"
    );
    let better = check(150.0, 200.0);
    assert_eq!(better.status, CheckStatus::Pass);
    assert!(
        better
            .message
            .ends_with("it changed by -25.0% (-50ms): no worse"),
        "{}",
        better.message
    );
}

#[test]
fn the_noise_floor_and_a_zero_baseline() {
    let p = policy("    - {metric: checkout.p95, max_regression: 10%, min_change: 20ms}\n");
    let check = |p: &Policy, cur: f64, base: f64| {
        only(
            p,
            &evidence(
                values("perf/current.jtl", &[latency(cur)]),
                values("perf/baseline.json", &[latency(base)]),
            ),
        )
    };
    // 2ms → 3ms is +50% but 1ms: under the floor.
    let c = check(&p, 3.0, 2.0);
    assert_eq!(c.status, CheckStatus::Pass);
    assert!(
        c.message.ends_with(
            "changed by +50.0% (+1ms): worse, but within the `min_change` noise floor of 20ms"
        ),
        "{}",
        c.message
    );
    assert_eq!(
        c.threshold,
        serde_json::json!(0.022),
        "the allowed worsening is the floor"
    );
    assert_eq!(
        check(&p, 225.0, 200.0).status,
        CheckStatus::Fail,
        "+25ms and +12.5%"
    );
    // A zero baseline: any worsening beyond the floor counts.
    let rate = policy(
        "    - {metric: pay.error_rate, max_regression: 10%}\n    - {metric: search.error_rate, max_regression: 10%, min_change: 0.5%}\n",
    );
    let run = |v: f64| {
        values(
            "perf/current.jtl",
            &[
                ("pay.error_rate", PerfUnit::Ratio, Some(Direction::Lower), v),
                (
                    "search.error_rate",
                    PerfUnit::Ratio,
                    Some(Direction::Lower),
                    v,
                ),
            ],
        )
    };
    let v = evaluate(&rate, &evidence(run(0.004), run(0.0)), now());
    assert_eq!(v.checks[0].status, CheckStatus::Fail);
    assert!(
        v.checks[0]
            .message
            .contains("against a baseline of 0 it changed by +0.4 points: worse by more than"),
        "{}",
        v.checks[0].message
    );
    assert_eq!(
        v.checks[1].status,
        CheckStatus::Pass,
        "0.4 points is under the 0.5-point floor"
    );
    let v = evaluate(&rate, &evidence(run(0.0), run(0.0)), now());
    assert!(v.checks.iter().all(|c| c.status == CheckStatus::Pass));
}

#[test]
fn higher_is_better_and_unknown_directions() {
    let p = policy("    - {metric: Total.throughput, max_regression: 10%}\n");
    let tput = |v: f64, d: Option<Direction>| {
        values("x", &[("Total.throughput", PerfUnit::PerSecond, d, v)])
    };
    let c = only(
        &p,
        &evidence(
            tput(85.0, Some(Direction::Higher)),
            tput(100.0, Some(Direction::Higher)),
        ),
    );
    assert_eq!(c.status, CheckStatus::Fail, "a 15% drop in throughput");
    assert_eq!(c.threshold, serde_json::json!({"min": 90.0}));
    let c = only(
        &p,
        &evidence(
            tput(120.0, Some(Direction::Higher)),
            tput(100.0, Some(Direction::Higher)),
        ),
    );
    assert_eq!(c.status, CheckStatus::Pass, "more throughput is better");
    // Nobody says which way is better: the gate cannot tell a regression from an improvement.
    let c = only(&p, &evidence(tput(120.0, None), tput(100.0, None)));
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true));
    assert!(
        c.remedy
            .as_deref()
            .unwrap()
            .contains("set `direction: lower`"),
        "{c:#?}"
    );
    let set = policy("    - {metric: Total.throughput, max_regression: 10%, direction: higher}\n");
    assert_eq!(
        only(&set, &evidence(tput(120.0, None), tput(100.0, None))).status,
        CheckStatus::Pass
    );
    // The two runs disagree.
    let c = only(
        &p,
        &evidence(
            tput(120.0, Some(Direction::Higher)),
            tput(100.0, Some(Direction::Lower)),
        ),
    );
    assert_eq!((c.status, c.blocking), (CheckStatus::Missing, true));
}

// ---- against the baseline, with samples: noise or not -------------------------------------

#[test]
fn a_12_percent_slower_p95_from_noise_does_not_block_and_says_why() {
    // Same distribution, different seeds: pick the first pair whose p95s differ by more than
    // 10% by chance (the search is deterministic, so this is always the same pair).
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let base = sampled("perf/baseline.json", latencies(120, 40.0, 1));
    let (seed, current) = (100..)
        .map(|s| (s, sampled("perf/current.jtl", latencies(120, 40.0, s))))
        .find(|(_, c)| c.metrics["checkout.p95"].value > 1.10 * base.metrics["checkout.p95"].value)
        .unwrap();
    let c = only(&p, &evidence(current, base));
    assert_eq!(c.status, CheckStatus::Pass, "seed {seed}: {}", c.message);
    assert!(
        c.message
            .contains("but not significant (Mann–Whitney U one-sided p = "),
        "{}",
        c.message
    );
    assert!(
        c.message.contains("so it is treated as noise"),
        "{}",
        c.message
    );
    let sig = &c.details["significance"];
    assert_eq!(sig["verdict"], "not significant: noise");
    assert!(sig["p_value"].as_f64().unwrap() >= 0.05);
    assert!(sig["bootstrap"]["worsening_at_least"].as_f64().unwrap() <= 0.0);
    assert_eq!(sig["bootstrap"]["statistic"], "p95");
    assert_eq!(sig["n_current"], 120);
}

#[test]
fn a_real_shift_blocks_and_shows_the_test() {
    let p = policy("    - {metric: checkout.p95, max_regression: 10%, min_change: 2ms}\n");
    let base = sampled("perf/baseline.json", latencies(200, 40.0, 1));
    let current = sampled("perf/current.jtl", latencies(200, 52.0, 2));
    let c = only(&p, &evidence(current, base));
    assert_eq!(
        (c.status, c.blocking),
        (CheckStatus::Fail, true),
        "{}",
        c.message
    );
    assert!(
        c.message
            .contains("and significant (Mann–Whitney U one-sided p = "),
        "{}",
        c.message
    );
    assert!(
        c.message.contains("the bootstrap puts the p95 at least +"),
        "{}",
        c.message
    );
    assert!(c.message.ends_with("a real regression"), "{}", c.message);
    let sig = &c.details["significance"];
    assert_eq!(sig["verdict"], "significant");
    assert!(sig["p_value"].as_f64().unwrap() < 1e-6);
    // Medians 40 and 52ms with the same spread: a current sample is worse about 70% of the time.
    assert!(sig["prob_current_worse"].as_f64().unwrap() > 0.6);
    assert_eq!(sig["method"], "normal approximation");
}

#[test]
fn noise_rarely_blocks_and_a_real_shift_nearly_always_does() {
    // 60 pairs of runs from one distribution, 60 pairs where the second is 25% slower; the
    // limit alone (+10% on the p95) would block many of the first kind.
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let mut noise_beyond = 0;
    let mut noise_blocked = 0;
    let mut shift_blocked = 0;
    for i in 0..60u64 {
        let base = || sampled("perf/baseline.json", latencies(100, 40.0, 1000 + i));
        let same = sampled("perf/current.jtl", latencies(100, 40.0, 5000 + i));
        if same.metrics["checkout.p95"].value > 1.1 * base().metrics["checkout.p95"].value {
            noise_beyond += 1;
        }
        if only(&p, &evidence(same, base())).blocking {
            noise_blocked += 1;
        }
        let slower = sampled("perf/current.jtl", latencies(100, 50.0, 9000 + i));
        if only(&p, &evidence(slower, base())).blocking {
            shift_blocked += 1;
        }
    }
    assert!(
        noise_beyond >= 5,
        "the naive limit would have flapped {noise_beyond} times"
    );
    assert!(
        noise_blocked <= 6,
        "{noise_blocked} of 60 same-distribution pairs blocked"
    );
    assert!(
        shift_blocked >= 50,
        "only {shift_blocked} of 60 real shifts blocked"
    );
}

#[test]
fn too_few_samples_cannot_excuse_a_regression() {
    let p = policy("    - {metric: checkout.p95, max_regression: 10%, min_samples: 30}\n");
    let base = sampled("perf/baseline.json", latencies(20, 40.0, 1));
    let current = sampled("perf/current.jtl", latencies(20, 90.0, 2));
    let c = only(&p, &evidence(current, base));
    assert_eq!(c.status, CheckStatus::Fail, "{}", c.message);
    assert!(
        c.message.contains(
            "20 samples in the results and 20 in the baseline, fewer than `min_samples` (30)"
        ),
        "{}",
        c.message
    );
}

#[test]
fn the_same_inputs_give_the_same_report() {
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let e = evidence(
        sampled("perf/current.jtl", latencies(300, 45.0, 7)),
        sampled("perf/baseline.json", latencies(300, 40.0, 8)),
    );
    let a = serde_json::to_string(&evaluate(&p, &e, now())).unwrap();
    let b = serde_json::to_string(&evaluate(&p, &e, now())).unwrap();
    assert_eq!(a, b);
}

#[test]
fn a_warn_level_regression_reports_without_blocking_and_can_be_waived() {
    // A policy must be able to block: a passing error-level check beside the warn one.
    let text = format!(
        "version: 1\nrelease: {{name: api}}\n{SOURCES}checks:\n  performance:\n    - {{metric: checkout.p95, max: 100ms, level: warn}}\n    - {{metric: checkout.p99, max: 10s}}\n"
    );
    let p = Policy::parse(&text, &|_| None).unwrap();
    let v = evaluate(
        &p,
        &evidence(
            values(
                "perf/current.jtl",
                &[
                    latency(150.0),
                    (
                        "checkout.p99",
                        PerfUnit::Milliseconds,
                        Some(Direction::Lower),
                        200.0,
                    ),
                ],
            ),
            values("b", &[]),
        ),
        now(),
    );
    let c = &v.checks[0];
    assert_eq!(c.id, "performance.checkout.p95");
    assert_eq!((c.status, c.blocking), (CheckStatus::Warn, false));
    assert_eq!(v.exit_code(), ExitCode::Ready, "{:#?}", v.checks);
    let text = format!(
        "version: 1\nrelease: {{name: api}}\n{SOURCES}checks:\n  performance:\n    - {{metric: checkout.p95, max: 100ms}}\nwaivers:\n  - {{check: performance.checkout.p95, reason: PAY-1 ships a cache in 2.4.1, approved_by: cto@acme.example, expires: 2027-01-01}}\n"
    );
    let p = Policy::parse(&text, &|_| None).unwrap();
    let v = evaluate(
        &p,
        &evidence(
            values("perf/current.jtl", &[latency(150.0)]),
            values("b", &[]),
        ),
        now(),
    );
    assert_eq!(v.checks[0].status, CheckStatus::Waived);
    assert_eq!(v.exit_code(), ExitCode::Ready);
}

// ---- failed requests ----------------------------------------------------------------------

/// A latency with the requests behind it.
fn latency_of(value: f64, total: u64, failed: u64, basis: RequestBasis) -> PerfEvidence {
    let mut e = values("perf/current.jtl", &[latency(value)]);
    e.metrics.get_mut("checkout.p95").unwrap().requests = Some(Requests {
        total,
        failed,
        basis,
    });
    e
}

#[test]
fn a_latency_of_requests_that_all_failed_never_passes() {
    // 600 refused connections answer in 1-3 ms: far within any latency limit.
    let p = policy("    - {metric: checkout.p95, max: 300ms}\n");
    let run = latency_of(3.0, 600, 600, RequestBasis::All);
    let c = only(&p, &evidence(run.clone(), values("b", &[])));
    assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
    assert!(
        c.message
            .contains("of requests that all failed (600 of 600): with no successful request there is nothing to judge it on"),
        "{}",
        c.message
    );
    assert!(
        c.remedy.as_deref().unwrap().contains("checkout.error_rate"),
        "{:?}",
        c.remedy
    );
    // Not even with every failure allowed, nor as missing evidence a warning could wave through.
    let lax = policy(
        "    - {metric: checkout.p95, max: 300ms, max_failed_share: 100%, on_missing: warn}\n",
    );
    let c = only(&lax, &evidence(run.clone(), values("b", &[])));
    assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
    assert!(c.blocking);
    // Against a baseline too: the comparison is never reached.
    let reg = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let c = only(
        &reg,
        &evidence(run, values("perf/baseline.json", &[latency(3.0)])),
    );
    assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
}

#[test]
fn a_failed_share_above_the_limit_fails_a_latency_and_is_shown_beside_it() {
    let p = policy("    - {metric: checkout.p95, max: 300ms}\n");
    // 0.25% failed: within the default 1%, and shown beside the figure.
    let c = only(
        &p,
        &evidence(
            latency_of(45.0, 1200, 3, RequestBasis::Successful),
            values("b", &[]),
        ),
    );
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert_eq!(
        c.message,
        "`checkout.p95` is 45ms (of 1,197 successful requests; 3 of 1,200 failed: 0.25%); within the maximum of 300ms"
    );
    assert_eq!(
        c.details["current"]["requests"],
        serde_json::json!({"total": 1200, "failed": 3, "failed_share": 0.0025, "basis": "successful"})
    );
    // 2% failed: above the default 1%, whatever the latency.
    let c = only(
        &p,
        &evidence(
            latency_of(45.0, 1000, 20, RequestBasis::Successful),
            values("b", &[]),
        ),
    );
    assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
    assert!(
        c.message.contains("but 2% of its requests failed, more than the 1% a figure of requests is judged with (`max_failed_share`)"),
        "{}",
        c.message
    );
    // A figure that counts the failed requests too says so.
    let c = only(
        &p,
        &evidence(
            latency_of(45.0, 1000, 5, RequestBasis::All),
            values("b", &[]),
        ),
    );
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert!(
        c.message
            .contains("(of all 1,000 requests, failed ones included; 5 of 1,000 failed: 0.5%)"),
        "{}",
        c.message
    );
    // The limit is the policy's.
    let lax = policy("    - {metric: checkout.p95, max: 300ms, max_failed_share: 5%}\n");
    let c = only(
        &lax,
        &evidence(
            latency_of(45.0, 1000, 20, RequestBasis::Successful),
            values("b", &[]),
        ),
    );
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
}

#[test]
fn an_error_rate_rising_from_zero_is_never_noise() {
    // 1 failed request of 400 against a baseline of none: Mann–Whitney cannot tell 0/1 flags
    // apart, but a failure is an event, not a timing.
    let p = policy("    - {metric: checkout.error_rate, max_regression: 10%}\n");
    let flags = |failed: usize| {
        let mut e = values(
            "perf/current.jtl",
            &[(
                "checkout.error_rate",
                PerfUnit::Ratio,
                Some(Direction::Lower),
                failed as f64 / 400.0,
            )],
        );
        e.metrics.get_mut("checkout.error_rate").unwrap().samples = Some(SampleRef {
            series: "checkout#failed".into(),
            stat: SampleStat::Mean,
        });
        let mut series = vec![0.0; 400];
        for v in series.iter_mut().take(failed) {
            *v = 1.0;
        }
        e.series.insert("checkout#failed".into(), series);
        e
    };
    let c = only(&p, &evidence(flags(1), flags(0)));
    assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
    assert!(
        c.message.contains("never excused as noise"),
        "{}",
        c.message
    );
    // `min_change` allows a few.
    let p = policy("    - {metric: checkout.error_rate, max_regression: 10%, min_change: 0.5%}\n");
    assert_eq!(
        only(&p, &evidence(flags(1), flags(0))).status,
        CheckStatus::Pass
    );
    assert_eq!(
        only(&p, &evidence(flags(3), flags(0))).status,
        CheckStatus::Fail
    );
}
