use crate::evaluate;
use crate::policy::Policy;
use jiff::Timestamp;
use shipgate_model::{
    CheckResult, CheckStatus, Direction, EvidenceProblem, EvidenceSet, ExitCode, PerfBaseline,
    PerfCurrent, PerfEvidence, PerfMetric, PerfProvenance, PerfRuns, PerfUnit, RequestBasis,
    Requests, RunThresholds, SampleRef, SampleStat, SourceState,
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
        sample_counts: BTreeMap::new(),
        thresholds: RunThresholds::NotRecorded,
    }
}

/// The results against a baseline of one run (a tool's own file).
fn evidence(current: PerfEvidence, baseline: PerfEvidence) -> EvidenceSet {
    let path = baseline.path.clone();
    runs_evidence(
        current,
        PerfBaseline {
            path,
            promoted: false,
            runs: vec![baseline],
        },
    )
}

/// The results against a baseline of several runs (written by `promote`).
fn runs_evidence(current: PerfEvidence, baseline: PerfBaseline) -> EvidenceSet {
    EvidenceSet {
        performance: PerfRuns {
            current: SourceState::Loaded(PerfCurrent::one(current)),
            baseline: SourceState::Loaded(baseline),
        },
        ..Default::default()
    }
}

/// A promoted baseline of runs with these `checkout.p95` values, each run an hour apart and
/// the newest an hour before `now()`.
fn baseline_of(p95s: &[f64]) -> PerfBaseline {
    let n = p95s.len() as i64;
    PerfBaseline {
        path: "perf/baseline.json".into(),
        promoted: true,
        runs: p95s
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut run = values(&format!("perf/baseline.runs/{i}.jtl"), &[latency(*v)]);
                run.provenance.run_at =
                    Some(now() - jiff::SignedDuration::from_hours(n - i as i64));
                run.provenance.promoted_at = run.provenance.run_at;
                run
            })
            .collect(),
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
    // `min_samples` belonged to the test within one run; it is refused with why, not ignored.
    let e = problems(&format!(
        "{base}    - {{metric: a.p95, max_regression: 10%, min_samples: 30}}\n"
    ));
    assert!(e[0].contains("is no longer read"), "{e:?}");
    assert!(e[0].contains("promote several runs"), "{e:?}");
    let e = problems(
        "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {path: r.jtl, max_age: 7d}\n    baseline: {path: b.json}\nchecks:\n  performance:\n    - {metric: a.p95, max_regression: 10%}\n",
    );
    assert!(
        e[0].contains("`max_age` limits the age of the baseline"),
        "{e:?}"
    );
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

/// The one-sided test over the runs needs `alpha < 0.5`: at 0.5 or more its critical t is 0 or
/// below, and a worsening no more likely beyond the allowance than within it would count.
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
            current: SourceState::Loaded(PerfCurrent::one(run)),
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
            current: SourceState::Loaded(PerfCurrent::one(run)),
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
            baseline: SourceState::Loaded(baseline_of(&[100.0])),
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
            current: SourceState::Loaded(PerfCurrent::one(values(
                "perf/current.jtl",
                &[latency(100.0)],
            ))),
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
    e.performance.current = SourceState::Loaded(PerfCurrent::one(values(
        "perf/current.jtl",
        &[latency(400.0)],
    )));
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
fn a_one_run_baseline_counts_a_worsening_as_it_is_and_says_so() {
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
        "`checkout.p95` is 224ms (the file does not say how many requests failed); against the baseline's 200ms (its one run) it changed by +12.0% (+24ms): worse by more than the allowed 10%, and it counts as a regression: a baseline of one run says nothing of how much runs differ, so the change is judged as it is; promote more runs of the last good release (`shipgate perf baseline promote` keeps the last ones) to let the gate tell noise from a regression"
    );
    assert_eq!(c.details["judgement"]["reason"], "a baseline of one run");
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
        v.checks[0].message.contains(
            "against a baseline of 0 (its one run) it changed by +0.4 points: worse by more than"
        ),
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

// ---- against a baseline of several runs: noise or not ------------------------------------

#[test]
fn a_worsening_within_the_way_runs_differ_is_noise_and_says_why() {
    // Five runs within ±1% of each other; the current run is 11% slower than their mean, 1%
    // beyond the allowance: well within how much one run differs from the next.
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let base = baseline_of(&[100.0, 101.0, 99.0, 100.5, 99.5]);
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(111.0)]), base),
    );
    assert_eq!(c.status, CheckStatus::Pass, "{}", c.message);
    assert!(
        c.message.contains(
            "against the baseline's 100ms (the mean of 5 runs, 99ms to 101ms) it changed by +11.0% (+11ms): worse by more than the allowed 10%, but not by more than runs differ (t = "
        ),
        "{}",
        c.message
    );
    assert!(
        c.message
            .contains("so it is treated as noise; a worsening of +"),
        "{}",
        c.message
    );
    let j = &c.details["judgement"];
    assert_eq!(j["verdict"], "not significant: noise");
    assert_eq!(j["test"]["runs"], 5);
    assert_eq!(j["test"]["degrees_of_freedom"], 4.0);
    assert!(j["test"]["p_value"].as_f64().unwrap() >= 0.05);
    assert!(j["test"]["detectable_worsening"].as_f64().unwrap() <= 20.0);
    assert_eq!(c.details["baseline"]["runs"].as_array().unwrap().len(), 5);
}

#[test]
fn a_worsening_beyond_the_way_runs_differ_blocks_and_shows_the_test() {
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let base = baseline_of(&[100.0, 101.0, 99.0, 100.5, 99.5]);
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(125.0)]), base),
    );
    assert_eq!(
        (c.status, c.blocking),
        (CheckStatus::Fail, true),
        "{}",
        c.message
    );
    assert!(c.message.ends_with("a real regression"), "{}", c.message);
    assert_eq!(
        c.details["judgement"]["verdict"],
        "significant: a regression"
    );
    assert!(c.details["judgement"]["test"]["p_value"].as_f64().unwrap() < 0.05);
}

#[test]
fn runs_that_differ_too_much_cannot_excuse_a_worsening() {
    // Runs from 80 to 120ms: a test over them could not catch even +20% reliably, so a
    // worsening beyond the allowance counts as it is rather than hiding in the noise.
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let base = baseline_of(&[80.0, 120.0, 95.0, 110.0, 95.0]);
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(112.0)]), base),
    );
    assert_eq!(
        (c.status, c.blocking),
        (CheckStatus::Fail, true),
        "{}",
        c.message
    );
    assert!(c.message.contains("runs differ too much"), "{}", c.message);
    assert_eq!(
        c.details["judgement"]["reason"],
        "the runs differ too much for the test to catch twice the allowance 19 times in 20"
    );
    // Runs that all gave the same value cannot excuse anything either.
    let c = only(
        &p,
        &runs_evidence(
            values("perf/current.jtl", &[latency(111.0)]),
            baseline_of(&[100.0, 100.0, 100.0]),
        ),
    );
    assert_eq!(c.status, CheckStatus::Fail, "{}", c.message);
    assert!(c.message.contains("all gave 100ms"), "{}", c.message);
}

/// A normal variate from the generator (Box–Muller).
fn normal(rng: &mut SplitMix64) -> f64 {
    let mut uniform = || ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    (-2.0 * uniform().ln()).sqrt() * (2.0 * std::f64::consts::PI * uniform()).cos()
}

#[test]
fn noise_rarely_blocks_and_twice_the_allowance_nearly_always_does() {
    // Runs whose p95 differs by 3% from one run to the next (the runs of a steady machine),
    // five in the baseline. 400 pairs with no change and 400 at +20% (twice `max_regression`);
    // the naive rule (the current p95 within 10% of the last run's) beside them.
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let mut rng = SplitMix64::new(12);
    let (mut noise_blocked, mut naive_blocked, mut shift_blocked) = (0, 0, 0);
    let trials = 400;
    for _ in 0..trials {
        let runs: Vec<f64> = (0..5)
            .map(|_| 100.0 * (1.0 + 0.03 * normal(&mut rng)))
            .collect();
        let same = 100.0 * (1.0 + 0.03 * normal(&mut rng));
        let slower = 120.0 * (1.0 + 0.03 * normal(&mut rng));
        if same > 1.1 * runs[4] {
            naive_blocked += 1;
        }
        let judge = |v: f64| {
            only(
                &p,
                &runs_evidence(
                    values("perf/current.jtl", &[latency(v)]),
                    baseline_of(&runs),
                ),
            )
            .blocking
        };
        noise_blocked += usize::from(judge(same));
        shift_blocked += usize::from(judge(slower));
    }
    assert!(
        naive_blocked >= trials / 100,
        "the naive rule blocked only {naive_blocked} of {trials}: the noise is too small to test anything"
    );
    assert!(
        noise_blocked * 20 <= trials,
        "{noise_blocked} of {trials} pairs with no change blocked"
    );
    assert!(
        shift_blocked * 20 >= trials * 19,
        "only {shift_blocked} of {trials} pairs at twice the allowance blocked"
    );
}

#[test]
fn a_baseline_older_than_max_age_blocks_whatever_on_missing_says() {
    let text = "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {format: jmeter, path: perf/current.jtl}\n    baseline: {format: baseline, path: perf/baseline.json, max_age: 7d}\nchecks:\n  performance:\n    - {metric: checkout.p95, max_regression: 10%, on_missing: warn}\n".to_owned();
    let p = Policy::parse(&text, &|_| None).unwrap();
    let mut base = baseline_of(&[100.0, 101.0, 99.0]);
    for run in &mut base.runs {
        run.provenance.run_at = Some(now() - jiff::SignedDuration::from_hours(24 * 30));
    }
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(100.0)]), base.clone()),
    );
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true), "{c:#?}");
    assert!(c.message.contains("is too old"), "{}", c.message);
    assert!(c.message.contains("`max_age` (1w)"), "{}", c.message);
    // One recent run: the old ones are left out, and the message says so.
    base.runs[2].provenance.run_at = Some(now() - jiff::SignedDuration::from_hours(2));
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(100.0)]), base.clone()),
    );
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    assert!(
        c.message
            .contains("(its one run; 2 runs older than `max_age` left out)"),
        "{}",
        c.message
    );
    // A run that says neither when it ran nor when it was promoted cannot be shown recent.
    let mut undated = baseline_of(&[100.0]);
    undated.runs[0].provenance.run_at = None;
    undated.runs[0].provenance.promoted_at = None;
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(100.0)]), undated),
    );
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true), "{c:#?}");
    assert!(c.message.contains("do not say when"), "{}", c.message);
}

/// READY-risk: a baseline run dated in the future (a wrong clock, a timestamp in another unit, an
/// edited file) had a negative age, always within `max_age`: it stayed "fresh" for ever. It is
/// left out like a stale run, and the message says why.
#[test]
fn a_baseline_run_dated_in_the_future_is_not_recent() {
    let text = "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {format: jmeter, path: perf/current.jtl}\n    baseline: {format: baseline, path: perf/baseline.json, max_age: 7d}\nchecks:\n  performance:\n    - {metric: checkout.p95, max_regression: 10%, on_missing: warn}\n".to_owned();
    let p = Policy::parse(&text, &|_| None).unwrap();
    let mut base = baseline_of(&[100.0, 101.0, 99.0]);
    for run in &mut base.runs {
        run.provenance.run_at = Some(now() + jiff::SignedDuration::from_hours(24 * 365 * 70));
    }
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(100.0)]), base.clone()),
    );
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true), "{c:#?}");
    assert!(c.message.contains("in the future"), "{}", c.message);
    // Within the clock skew a run is still recent; beyond it, it is not.
    for run in &mut base.runs {
        run.provenance.run_at = Some(now() + jiff::SignedDuration::from_mins(4));
    }
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(100.0)]), base.clone()),
    );
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
    for run in &mut base.runs {
        run.provenance.run_at = Some(now() + jiff::SignedDuration::from_mins(6));
    }
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(100.0)]), base),
    );
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true), "{c:#?}");
}

/// READY-risk: a stale baseline made usable by editing the manifest. When a run's file does not
/// say when it ran, its age came from the manifest's `promoted_at`, which no hash covers: an
/// edit to "an hour ago" passed `max_age`. Only the file's own time counts.
#[test]
fn a_promoted_at_made_fresh_does_not_make_a_stale_baseline_usable() {
    let text = "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {format: jmeter, path: perf/current.jtl}\n    baseline: {format: baseline, path: perf/baseline.json, max_age: 7d}\nchecks:\n  performance:\n    - {metric: checkout.p95, max_regression: 10%, on_missing: warn}\n".to_owned();
    let p = Policy::parse(&text, &|_| None).unwrap();
    let mut base = baseline_of(&[100.0, 101.0, 99.0]);
    for run in &mut base.runs {
        run.provenance.run_at = None;
        run.provenance.promoted_at = Some(now() - jiff::SignedDuration::from_hours(1));
    }
    let c = only(
        &p,
        &runs_evidence(values("perf/current.jtl", &[latency(100.0)]), base),
    );
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true), "{c:#?}");
    assert!(c.message.contains("no hash covers"), "{}", c.message);
}

#[test]
fn a_baseline_measured_by_another_tool_is_refused_unless_intended() {
    let p = policy("    - {metric: checkout.p95, max_regression: 10%, on_missing: warn}\n");
    let mut base = baseline_of(&[100.0, 101.0, 99.0]);
    for run in &mut base.runs {
        run.provenance.tool = "Locust".into();
    }
    let current = || values("perf/current.jtl", &[latency(100.0)]);
    let c = only(&p, &runs_evidence(current(), base.clone()));
    assert_eq!((c.status, c.blocking), (CheckStatus::Fail, true), "{c:#?}");
    assert!(
        c.message
            .contains("measured by Apache JMeter, the baseline `perf/baseline.json` by Locust"),
        "{}",
        c.message
    );
    assert!(
        c.remedy
            .as_deref()
            .unwrap()
            .contains("compare_across_tools: true"),
        "{:?}",
        c.remedy
    );
    let text = "version: 1\nrelease: {name: api}\nsources:\n  performance:\n    current: {format: jmeter, path: perf/current.jtl}\n    baseline: {format: baseline, path: perf/baseline.json}\n    compare_across_tools: true\nchecks:\n  performance:\n    - {metric: checkout.p95, max_regression: 10%}\n".to_owned();
    let intended = Policy::parse(&text, &|_| None).unwrap();
    assert_eq!(
        only(&intended, &runs_evidence(current(), base)).status,
        CheckStatus::Pass
    );
    // A misspelt key is refused with the right one, never ignored.
    let e = problems(&text.replace("compare_across_tools", "compare_across_tool"));
    assert!(e[0].contains("compare_across_tools"), "{e:?}");
}

#[test]
fn the_same_inputs_give_the_same_report() {
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let e = runs_evidence(
        values("perf/current.jtl", &[latency(112.0)]),
        baseline_of(&[100.0, 101.0, 99.0, 100.5, 99.5]),
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
    // 1 failed request of 400 against a baseline of none: a failure is an event, not a timing,
    // and is never excused as noise.
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

#[test]
fn a_baseline_run_with_more_failed_requests_than_allowed_is_no_baseline() {
    // 40% of the baseline's requests timed out, making its p95 30 s: a release at 20 s with
    // 0.5% failed would compare as much better.
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let current = latency_of(20_000.0, 1000, 5, RequestBasis::All);
    let mut base = latency_of(30_000.0, 1000, 400, RequestBasis::All);
    base.path = "perf/baseline.json".into();
    let c = only(&p, &evidence(current.clone(), base.clone()));
    assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
    assert!(c.blocking);
    assert!(
        c.message
            .contains("400 of 1000 requests behind `checkout.p95` failed in the baseline's run"),
        "{}",
        c.message
    );
    // Within the limit the comparison is made as before.
    let lax = policy("    - {metric: checkout.p95, max_regression: 10%, max_failed_share: 50%}\n");
    let c = only(&lax, &evidence(current, base));
    assert_eq!(c.status, CheckStatus::Pass, "{c:#?}");
}

#[test]
fn baseline_runs_that_lack_the_metric_are_not_left_out_silently() {
    let p = policy("    - {metric: checkout.p95, max_regression: 10%}\n");
    let mut baseline = baseline_of(&[40.0, 41.0, 40.5]);
    // The newest run does not measure `checkout.p95` at all.
    let other = baseline.runs[1].metrics["checkout.p95"].clone();
    baseline.runs[2].metrics.clear();
    baseline.runs[2].metrics.insert("search.p95".into(), other);
    let current = values("perf/current.jtl", &[latency(40.0)]);
    let c = only(&p, &runs_evidence(current, baseline));
    assert_eq!(c.status, CheckStatus::Fail, "{c:#?}");
    assert!(c.blocking);
    assert!(
        c.message
            .contains("is in 2 of the baseline's 3 runs; `perf/baseline.runs/2.jtl` lacks it"),
        "{}",
        c.message
    );
}
