//! The order of a test run that must fit a time budget.
//!
//! 1. Critical-path tests come first, in priority order, and are never dropped: if they alone
//!    take longer than the budget, the plan keeps them all and says by how much it is over.
//! 2. Every other test gets a priority: its area's risk score (0–100), raised by half
//!    ([`CHANGED_AREA_FACTOR`]) when the change touches the area's files, plus
//!    [`POINTS_PER_FAILURE`] for each failed run or flip in its own history (at most
//!    [`MAX_FAILURE_POINTS`]). A test in several areas takes its riskiest; a test in none has an
//!    area score of 0.
//! 3. In priority order (then shorter first, then by id), each test is planned if it still fits
//!    in what is left of the budget, else dropped; a shorter test further down may still fit.
//!
//! Durations are counted in whole milliseconds, so that "fits" is exact arithmetic. A test whose
//! duration no run recorded counts as long as the longest recorded one, never as free, and is
//! marked as estimated.

use crate::RiskError;
use serde::Serialize;
use std::cmp::Ordering;

/// How much an area's score is raised when the change touches its files.
pub const CHANGED_AREA_FACTOR: f64 = 1.5;
/// Priority points per failed run or flip in a test's own history.
pub const POINTS_PER_FAILURE: f64 = 5.0;
/// At most this many points from a test's own history.
pub const MAX_FAILURE_POINTS: f64 = 25.0;

/// A test that could be run.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Its id (`classname.name`).
    pub id: String,
    /// The riskiest area it is in, if any.
    pub area: Option<String>,
    /// That area's score (0 when in none).
    pub area_score: f64,
    /// Whether the change touches that area's files.
    pub area_changed: bool,
    /// Whether it is on a critical path (never dropped).
    pub critical: bool,
    /// Its recorded duration in seconds, if any run recorded one.
    pub duration: Option<f64>,
    /// Failed runs and flips in its history.
    pub failures: u32,
}

/// A test in the plan, or dropped from it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlannedTest {
    /// Its id.
    pub id: String,
    /// The riskiest area it is in.
    pub area: Option<String>,
    /// Whether it is on a critical path.
    pub critical: bool,
    /// The duration counted for it, in seconds (milliseconds precision).
    pub duration_seconds: f64,
    /// Whether no run recorded its duration, so the longest recorded one was counted.
    pub duration_estimated: bool,
    /// Its priority (critical tests come first whatever it is).
    pub priority: f64,
}

/// A test order that fits a budget.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Plan {
    /// The budget, in seconds.
    pub budget_seconds: f64,
    /// The planned tests' durations, added up.
    pub planned_seconds: f64,
    /// The critical-path tests' durations, added up.
    pub critical_seconds: f64,
    /// Whether the critical-path tests alone take longer than the budget (they are kept).
    pub over_budget: bool,
    /// The tests to run, in order.
    pub tests: Vec<PlannedTest>,
    /// The tests left out, in priority order.
    pub dropped: Vec<PlannedTest>,
}

/// Orders `candidates` and fits them to `budget_seconds`.
pub fn plan(candidates: Vec<Candidate>, budget_seconds: f64) -> Result<Plan, RiskError> {
    let millis = |s: f64| -> u64 {
        if s.is_finite() && s > 0.0 {
            // Rounded up: a test never counts as shorter than it ran.
            (s * 1000.0).ceil() as u64
        } else {
            0
        }
    };
    let longest = candidates
        .iter()
        .filter_map(|c| c.duration)
        .map(millis)
        .max();
    let longest = match longest {
        Some(ms) => ms,
        None if candidates.is_empty() => 0,
        None => {
            return Err(RiskError::NoDurations {
                tests: candidates.len(),
            });
        }
    };
    let budget = millis(budget_seconds);
    let mut entries: Vec<(u64, PlannedTest)> = candidates
        .into_iter()
        .map(|c| {
            let (ms, estimated) = c.duration.map_or((longest, true), |d| (millis(d), false));
            let area = if c.area_changed {
                c.area_score * CHANGED_AREA_FACTOR
            } else {
                c.area_score
            };
            let history = (f64::from(c.failures) * POINTS_PER_FAILURE).min(MAX_FAILURE_POINTS);
            (
                ms,
                PlannedTest {
                    id: c.id,
                    area: c.area,
                    critical: c.critical,
                    duration_seconds: ms as f64 / 1000.0,
                    duration_estimated: estimated,
                    priority: area + history,
                },
            )
        })
        .collect();
    entries.sort_by(|(ams, a), (bms, b)| {
        b.critical
            .cmp(&a.critical)
            .then_with(|| b.priority.total_cmp(&a.priority))
            .then_with(|| ams.cmp(bms))
            .then_with(|| a.id.cmp(&b.id))
            .then(Ordering::Equal)
    });
    let mut used = 0u64;
    let mut critical_ms = 0u64;
    let mut tests = Vec::new();
    let mut dropped = Vec::new();
    for (ms, t) in entries {
        if t.critical {
            critical_ms += ms;
            used += ms;
            tests.push(t);
        } else if used.saturating_add(ms) <= budget {
            used += ms;
            tests.push(t);
        } else {
            dropped.push(t);
        }
    }
    Ok(Plan {
        budget_seconds: budget as f64 / 1000.0,
        planned_seconds: used as f64 / 1000.0,
        critical_seconds: critical_ms as f64 / 1000.0,
        over_budget: critical_ms > budget,
        tests,
        dropped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn c(id: &str, score: f64, critical: bool, duration: Option<f64>) -> Candidate {
        Candidate {
            id: id.to_owned(),
            area: Some("a".to_owned()),
            area_score: score,
            area_changed: false,
            critical,
            duration,
            failures: 0,
        }
    }

    fn ids(tests: &[PlannedTest]) -> Vec<&str> {
        tests.iter().map(|t| t.id.as_str()).collect()
    }

    /// Hand-computed: budget 10 s. The critical `pay` (4 s) comes first. `auth` (score 60, 5 s)
    /// and `report` (50 + 2 failures × 5 = 60, 3 s) tie on priority; the shorter `report` goes
    /// first and fits (7 s); `auth` would make 12 s and is dropped; `misc` (10, 1 s) still fits
    /// (8 s).
    #[test]
    fn a_hand_computed_plan() {
        let mut report = c("report", 50.0, false, Some(3.0));
        report.failures = 2;
        let p = plan(
            vec![
                c("misc", 10.0, false, Some(1.0)),
                c("auth", 60.0, false, Some(5.0)),
                report,
                c("pay", 20.0, true, Some(4.0)),
            ],
            10.0,
        )
        .unwrap();
        assert_eq!(ids(&p.tests), ["pay", "report", "misc"]);
        assert_eq!(ids(&p.dropped), ["auth"]);
        assert_eq!(p.planned_seconds, 8.0);
        assert_eq!(p.critical_seconds, 4.0);
        assert!(!p.over_budget);
        assert_eq!(p.tests[1].priority, 60.0);
    }

    #[test]
    fn a_changed_area_is_raised_by_half() {
        let mut changed = c("changed", 40.0, false, Some(1.0));
        changed.area_changed = true;
        let p = plan(vec![c("steady", 59.0, false, Some(1.0)), changed], 1.0).unwrap();
        assert_eq!(ids(&p.tests), ["changed"], "40 × 1.5 = 60 > 59");
    }

    #[test]
    fn critical_tests_over_the_budget_are_kept_and_said() {
        let p = plan(
            vec![
                c("crit1", 0.0, true, Some(6.0)),
                c("crit2", 0.0, true, Some(6.0)),
                c("other", 100.0, false, Some(0.5)),
            ],
            10.0,
        )
        .unwrap();
        assert_eq!(ids(&p.tests), ["crit1", "crit2"]);
        assert_eq!(ids(&p.dropped), ["other"]);
        assert!(p.over_budget);
        assert_eq!(p.planned_seconds, 12.0);
    }

    #[test]
    fn an_unknown_duration_counts_as_the_longest_known() {
        let p = plan(
            vec![
                c("known", 10.0, false, Some(2.5)),
                c("unknown", 90.0, false, None),
            ],
            4.0,
        )
        .unwrap();
        assert_eq!(ids(&p.tests), ["unknown"]);
        assert!(p.tests[0].duration_estimated);
        assert_eq!(p.tests[0].duration_seconds, 2.5);
        let e = plan(vec![c("x", 1.0, false, None)], 4.0).unwrap_err();
        assert!(
            e.to_string()
                .contains("none of the 1 tests has a recorded duration")
        );
        assert!(plan(Vec::new(), 1.0).unwrap().tests.is_empty());
    }

    fn candidates() -> impl Strategy<Value = Vec<Candidate>> {
        proptest::collection::vec(
            (
                0u32..100,
                any::<bool>(),
                prop::option::weighted(0.9, 0u32..5000),
                0u32..4,
                any::<bool>(),
            ),
            1..30,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (score, critical, ms, failures, changed))| Candidate {
                    id: format!("t{i}"),
                    area: None,
                    area_score: f64::from(score),
                    area_changed: changed,
                    critical: critical && i % 3 == 0,
                    duration: ms.map(|m| f64::from(m) / 1000.0),
                    failures,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn critical_tests_are_never_dropped_and_only_they_exceed_the_budget(
            cands in candidates(),
            budget in 0u32..20_000,
        ) {
            prop_assume!(cands.iter().any(|c| c.duration.is_some()));
            let budget = f64::from(budget) / 1000.0;
            let n = cands.len();
            let critical = cands.iter().filter(|c| c.critical).count();
            let p = plan(cands, budget).unwrap();
            prop_assert_eq!(p.tests.len() + p.dropped.len(), n);
            prop_assert!(p.dropped.iter().all(|t| !t.critical));
            prop_assert_eq!(p.tests.iter().filter(|t| t.critical).count(), critical);
            // Critical tests come first.
            let first_other = p.tests.iter().position(|t| !t.critical).unwrap_or(p.tests.len());
            prop_assert!(p.tests[first_other..].iter().all(|t| !t.critical));
            let sum: f64 = p.tests.iter().map(|t| t.duration_seconds).sum();
            prop_assert!((sum - p.planned_seconds).abs() < 1e-6);
            if p.over_budget {
                prop_assert!(p.critical_seconds > p.budget_seconds);
                prop_assert!(p.tests.iter().all(|t| t.critical));
            } else {
                prop_assert!(p.planned_seconds <= p.budget_seconds + 1e-9);
            }
        }
    }
}
