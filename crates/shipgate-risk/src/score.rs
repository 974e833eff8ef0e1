//! The risk score of an area, from its factors, and the ranking of areas by it.
//!
//! Each factor's raw value is turned into a normalised value between 0 and 1 on an absolute
//! scale, so that an area's score never depends on which other areas the policy names:
//!
//! - `revenue_impact`: the policy's level (`none` 0 … `critical` 4) ÷ 4;
//! - every other factor: `raw ÷ (raw + half_at)`, where `half_at` is the raw value that scores
//!   0.5 (policy `risk.half_at`; defaults in [`Factor::default_half_at`]). It rises with every
//!   defect, failure, decision point or commit, and never reaches 1.
//!
//! A factor whose evidence is missing scores **1**, the worst value, never 0: a gap in the
//! evidence can only raise an area, never hide it (fail closed). The score is
//! `100 × Σ weight × normalised ÷ Σ weight`.
//!
//! Areas are ranked by score; equal scores are ordered by the factors' raw values in
//! [`Factor::ALL`] order (a missing value above any present one), then critical areas first,
//! then by name. So an area at least as risky as another on every factor, and riskier on one,
//! always ranks above it, whatever the weights (a weight of 0 included), and an area with a
//! factor missing never ranks below where it would with that factor present.

use serde::Serialize;
use std::cmp::Ordering;

/// The factors of an area's risk, in the order reports list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    /// What a failure in the area costs: the policy's level.
    RevenueImpact,
    /// Defects in the area in the window, from the tracker: production ones weigh 3, others 1.
    DefectFrequency,
    /// Failed runs and pass/fail flips of the area's tests across the earlier runs.
    FailureHistory,
    /// The cyclomatic complexity of the area's functions, summed.
    Complexity,
    /// Commits that changed the area's files in the window.
    Churn,
}

impl Factor {
    /// Every factor, in report order.
    pub const ALL: [Factor; 5] = [
        Factor::RevenueImpact,
        Factor::DefectFrequency,
        Factor::FailureHistory,
        Factor::Complexity,
        Factor::Churn,
    ];

    /// The name in policies and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Factor::RevenueImpact => "revenue_impact",
            Factor::DefectFrequency => "defect_frequency",
            Factor::FailureHistory => "failure_history",
            Factor::Complexity => "complexity",
            Factor::Churn => "churn",
        }
    }

    /// The factor named so.
    pub fn parse(name: &str) -> Option<Factor> {
        Factor::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// Whether it says how likely a defect is (all but `revenue_impact`, which says what it
    /// costs): the two axes of the risk matrix.
    pub fn is_likelihood(self) -> bool {
        self != Factor::RevenueImpact
    }

    /// Its weight when the policy names none: revenue impact counts three times, the tracker's
    /// defects twice, the rest once.
    pub fn default_weight(self) -> f64 {
        match self {
            Factor::RevenueImpact => 3.0,
            Factor::DefectFrequency => 2.0,
            Factor::FailureHistory | Factor::Complexity | Factor::Churn => 1.0,
        }
    }

    /// The raw value that scores 0.5 when the policy names none; `None` for revenue impact,
    /// which has a fixed scale.
    pub fn default_half_at(self) -> Option<f64> {
        match self {
            Factor::RevenueImpact => None,
            // One production defect, or three found before production.
            Factor::DefectFrequency => Some(3.0),
            // Three failed runs or flips.
            Factor::FailureHistory => Some(3.0),
            // A hundred decision points: a few dozen functions of moderate complexity.
            Factor::Complexity => Some(100.0),
            // Ten commits in the window.
            Factor::Churn => Some(10.0),
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// The highest revenue-impact level (`critical`).
pub const REVENUE_IMPACT_MAX: f64 = 4.0;

/// How the factors are combined: a weight for each, and the raw value at which each scores 0.5.
#[derive(Clone, Debug, PartialEq)]
pub struct Scales {
    weights: [f64; 5],
    half_at: [f64; 5],
}

impl Default for Scales {
    fn default() -> Self {
        Self {
            weights: Factor::ALL.map(Factor::default_weight),
            half_at: Factor::ALL.map(|f| f.default_half_at().unwrap_or(1.0)),
        }
    }
}

impl Scales {
    /// The weight of `factor`.
    pub fn weight(&self, factor: Factor) -> f64 {
        self.weights[factor.index()]
    }

    /// The raw value at which `factor` scores 0.5 (revenue impact: `None`, a fixed scale).
    pub fn half_at(&self, factor: Factor) -> Option<f64> {
        (factor != Factor::RevenueImpact).then_some(self.half_at[factor.index()])
    }

    /// Sets a weight; it must be finite and not negative.
    pub fn with_weight(mut self, factor: Factor, weight: f64) -> Result<Self, String> {
        if !weight.is_finite() || weight < 0.0 {
            return Err(format!("a weight is a number of 0 or more, not {weight}"));
        }
        self.weights[factor.index()] = weight;
        Ok(self)
    }

    /// Sets the raw value at which a factor scores 0.5; it must be finite and above 0.
    pub fn with_half_at(mut self, factor: Factor, half_at: f64) -> Result<Self, String> {
        if factor == Factor::RevenueImpact {
            return Err("revenue impact has a fixed scale (none 0 … critical 4)".to_owned());
        }
        if !half_at.is_finite() || half_at <= 0.0 {
            return Err(format!("`half_at` is a number above 0, not {half_at}"));
        }
        self.half_at[factor.index()] = half_at;
        Ok(self)
    }

    /// Whether the weights add up to more than 0, so that a score means something.
    pub fn weighs_anything(&self) -> bool {
        self.weights.iter().sum::<f64>() > 0.0
    }

    /// The normalised value of a present raw value.
    pub fn normalise(&self, factor: Factor, raw: f64) -> f64 {
        let raw = if raw.is_nan() { 0.0 } else { raw.max(0.0) };
        match self.half_at(factor) {
            None => (raw / REVENUE_IMPACT_MAX).min(1.0),
            Some(_) if raw.is_infinite() => 1.0,
            Some(half) => raw / (raw + half),
        }
    }
}

/// One factor of one area, as measured.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// The evidence is there: the raw value, and a sentence on what it counts.
    Present {
        /// The raw value (a level, a count).
        raw: f64,
        /// What it counts (`1 production and 2 pre-production defects in 90 days`).
        detail: String,
    },
    /// The evidence is not there, and why; the factor scores its worst.
    Missing(String),
}

/// An area's factors, before scoring.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaFactors {
    /// The area's name.
    pub name: String,
    /// Whether its tests are never skipped (a critical path).
    pub critical: bool,
    /// One measure per factor, in [`Factor::ALL`] order.
    pub measures: [Measure; 5],
}

/// One factor of a scored area.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FactorScore {
    /// Which factor.
    pub factor: Factor,
    /// The raw value; `None` when missing.
    pub raw: Option<f64>,
    /// The normalised value; `None` when missing (it is then scored as 1).
    pub normalised: Option<f64>,
    /// The weight.
    pub weight: f64,
    /// What the raw value counts, or why it is missing.
    pub detail: String,
}

impl FactorScore {
    /// The value the score used: the normalised value, or 1 when missing.
    pub fn scored(&self) -> f64 {
        self.normalised.unwrap_or(1.0)
    }

    /// Whether the evidence was missing.
    pub fn is_missing(&self) -> bool {
        self.raw.is_none()
    }
}

/// A risk level, from the score: the bands of the risk matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RiskLevel {
    /// Score below 25.
    Low,
    /// 25 to below 50.
    Medium,
    /// 50 to below 75.
    High,
    /// 75 or more.
    Critical,
}

impl RiskLevel {
    /// Every level, lowest first.
    pub const ALL: [RiskLevel; 4] = [
        RiskLevel::Low,
        RiskLevel::Medium,
        RiskLevel::High,
        RiskLevel::Critical,
    ];

    /// The level of a score (0–100).
    pub fn of(score: f64) -> RiskLevel {
        if score >= 75.0 {
            RiskLevel::Critical
        } else if score >= 50.0 {
            RiskLevel::High
        } else if score >= 25.0 {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }

    /// The lowest score of the level.
    pub fn floor(self) -> f64 {
        match self {
            RiskLevel::Low => 0.0,
            RiskLevel::Medium => 25.0,
            RiskLevel::High => 50.0,
            RiskLevel::Critical => 75.0,
        }
    }

    /// The name in policies and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskLevel::Low => "low",
            RiskLevel::Medium => "medium",
            RiskLevel::High => "high",
            RiskLevel::Critical => "critical",
        }
    }
}

/// An area scored and ranked.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScoredArea {
    /// The area's name.
    pub name: String,
    /// 1 for the riskiest.
    pub rank: usize,
    /// 0–100.
    pub score: f64,
    /// The band the score falls in.
    pub level: RiskLevel,
    /// Whether its tests are never skipped.
    pub critical: bool,
    /// The impact axis of the risk matrix: revenue impact, normalised (0–1).
    pub impact: f64,
    /// The likelihood axis: the weighted mean of the other factors' normalised values (0–1).
    pub likelihood: f64,
    /// Every factor, in [`Factor::ALL`] order.
    pub factors: Vec<FactorScore>,
}

impl ScoredArea {
    /// The score of `factor`.
    pub fn factor(&self, factor: Factor) -> Option<&FactorScore> {
        self.factors.iter().find(|f| f.factor == factor)
    }
}

/// Scores every area and ranks them, riskiest first.
pub fn rank(areas: Vec<AreaFactors>, scales: &Scales) -> Vec<ScoredArea> {
    let mut scored: Vec<ScoredArea> = areas.into_iter().map(|a| score(a, scales)).collect();
    scored.sort_by(compare);
    for (i, a) in scored.iter_mut().enumerate() {
        a.rank = i + 1;
    }
    scored
}

fn score(area: AreaFactors, scales: &Scales) -> ScoredArea {
    let factors: Vec<FactorScore> = Factor::ALL
        .iter()
        .zip(area.measures)
        .map(|(&factor, m)| {
            let weight = scales.weight(factor);
            match m {
                Measure::Present { raw, detail } => FactorScore {
                    factor,
                    raw: Some(raw),
                    normalised: Some(scales.normalise(factor, raw)),
                    weight,
                    detail,
                },
                Measure::Missing(why) => FactorScore {
                    factor,
                    raw: None,
                    normalised: None,
                    weight,
                    detail: why,
                },
            }
        })
        .collect();
    let weighted = |keep: &dyn Fn(Factor) -> bool| -> f64 {
        let (sum, weights) = factors
            .iter()
            .filter(|f| keep(f.factor))
            .fold((0.0, 0.0), |(s, w), f| {
                (s + f.weight * f.scored(), w + f.weight)
            });
        if weights > 0.0 {
            sum / weights
        } else {
            // No weight on these factors: their plain mean, so the matrix still places the area.
            let n = factors.iter().filter(|f| keep(f.factor)).count();
            factors
                .iter()
                .filter(|f| keep(f.factor))
                .map(FactorScore::scored)
                .sum::<f64>()
                / n.max(1) as f64
        }
    };
    let score = if scales.weighs_anything() {
        100.0 * weighted(&|_| true)
    } else {
        0.0
    };
    let impact = factors
        .iter()
        .find(|f| f.factor == Factor::RevenueImpact)
        .map_or(1.0, FactorScore::scored);
    ScoredArea {
        name: area.name,
        rank: 0,
        score,
        level: RiskLevel::of(score),
        critical: area.critical,
        impact,
        likelihood: weighted(&Factor::is_likelihood),
        factors,
    }
}

/// Riskiest first: by score, then by the raw values in factor order (missing above any value),
/// then critical areas first, then by name.
fn compare(a: &ScoredArea, b: &ScoredArea) -> Ordering {
    let raw = |f: &FactorScore| f.raw.unwrap_or(f64::INFINITY);
    b.score
        .total_cmp(&a.score)
        .then_with(|| {
            b.factors
                .iter()
                .map(raw)
                .zip(a.factors.iter().map(raw))
                .map(|(x, y)| x.total_cmp(&y))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        })
        .then_with(|| b.critical.cmp(&a.critical))
        .then_with(|| a.name.cmp(&b.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn present(raw: f64) -> Measure {
        Measure::Present {
            raw,
            detail: String::new(),
        }
    }

    fn area(name: &str, values: [Option<f64>; 5]) -> AreaFactors {
        AreaFactors {
            name: name.to_owned(),
            critical: false,
            measures: values.map(|v| v.map_or_else(|| Measure::Missing("none".into()), present)),
        }
    }

    /// The worked example of docs/risk.md, computed by hand there.
    #[test]
    fn the_documented_example_scores_as_computed_by_hand() {
        let scales = Scales::default();
        let ranked = rank(
            vec![
                // high impact (3), 1 production + 1 pre-production defect (4), 2 failures,
                // complexity 25, 5 commits.
                area(
                    "payments",
                    [Some(3.0), Some(4.0), Some(2.0), Some(25.0), Some(5.0)],
                ),
                // low impact, no defects, no failures, complexity missing, 10 commits.
                area(
                    "reports",
                    [Some(1.0), Some(0.0), Some(0.0), None, Some(10.0)],
                ),
            ],
            &scales,
        );
        let p = &ranked[0];
        assert_eq!(p.name, "payments");
        // (3×0.75 + 2×4/7 + 1×2/5 + 1×25/125 + 1×5/15) ÷ 8 × 100
        let expected = (3.0 * 0.75 + 2.0 * (4.0 / 7.0) + 0.4 + 0.2 + 5.0 / 15.0) / 8.0 * 100.0;
        assert!((p.score - expected).abs() < 1e-9, "{}", p.score);
        assert!((p.score - 54.077_380_952).abs() < 1e-6, "{}", p.score);
        assert_eq!(p.level, RiskLevel::High);
        let r = &ranked[1];
        // (3×0.25 + 0 + 0 + 1×1 (missing) + 1×0.5) ÷ 8 × 100
        assert!((r.score - 28.125).abs() < 1e-9, "{}", r.score);
        assert_eq!(r.level, RiskLevel::Medium);
        assert_eq!(r.factor(Factor::Complexity).unwrap().normalised, None);
        assert_eq!(r.factor(Factor::Complexity).unwrap().scored(), 1.0);
        assert!((p.impact - 0.75).abs() < 1e-12);
        assert!((r.likelihood - (1.0 + 0.5) / 5.0).abs() < 1e-12);
    }

    #[test]
    fn a_missing_factor_scores_its_worst_never_zero() {
        let scales = Scales::default();
        let ranked = rank(
            vec![
                area(
                    "measured",
                    [Some(4.0), Some(1000.0), Some(1000.0), Some(1e6), Some(1e4)],
                ),
                area("unknown", [None, None, None, None, None]),
            ],
            &scales,
        );
        assert_eq!(ranked[0].name, "unknown");
        assert_eq!(ranked[0].score, 100.0);
        assert_eq!(ranked[0].level, RiskLevel::Critical);
    }

    #[test]
    fn ties_go_to_the_riskier_factor_then_critical_then_name() {
        let scales = Scales::default().with_weight(Factor::Churn, 0.0).unwrap();
        let mut b = area("b", [Some(1.0), Some(0.0), Some(0.0), Some(0.0), Some(9.0)]);
        let a = area("a", [Some(1.0), Some(0.0), Some(0.0), Some(0.0), Some(3.0)]);
        let ranked = rank(vec![a.clone(), b.clone()], &scales);
        assert_eq!(ranked[0].score, ranked[1].score);
        assert_eq!(ranked[0].name, "b", "more churn, though it weighs nothing");
        b.measures[4] = present(3.0);
        b.critical = true;
        let ranked = rank(vec![a, b], &scales);
        assert_eq!(ranked[0].name, "b", "critical first on a full tie");
    }

    #[test]
    fn scales_refuse_what_would_not_be_a_score() {
        let s = Scales::default();
        assert!(s.clone().with_weight(Factor::Churn, -1.0).is_err());
        assert!(s.clone().with_weight(Factor::Churn, f64::NAN).is_err());
        assert!(s.clone().with_half_at(Factor::Churn, 0.0).is_err());
        assert!(s.clone().with_half_at(Factor::RevenueImpact, 2.0).is_err());
        assert_eq!(s.normalise(Factor::RevenueImpact, 4.0), 1.0);
        assert_eq!(s.normalise(Factor::Churn, 10.0), 0.5);
        assert_eq!(RiskLevel::of(74.999), RiskLevel::High);
        assert_eq!(RiskLevel::of(75.0), RiskLevel::Critical);
        assert_eq!(RiskLevel::of(25.0), RiskLevel::Medium);
        assert_eq!(RiskLevel::of(24.9), RiskLevel::Low);
    }

    /// A raw value, or missing (`None`).
    fn value() -> impl Strategy<Value = Option<f64>> {
        prop_oneof![
            1 => Just(None),
            6 => (0u32..40).prop_map(|v| Some(f64::from(v))),
        ]
    }

    fn values() -> impl Strategy<Value = [Option<f64>; 5]> {
        [value(), value(), value(), value(), value()].prop_map(|mut v| {
            if let Some(r) = v[0] {
                v[0] = Some(r % 5.0);
            }
            v
        })
    }

    fn scales() -> impl Strategy<Value = Scales> {
        (
            proptest::array::uniform5(0u32..5),
            proptest::array::uniform4(1u32..50),
        )
            .prop_map(|(w, h)| {
                let mut s = Scales::default();
                for (f, w) in Factor::ALL.iter().zip(w) {
                    s = s.with_weight(*f, f64::from(w)).unwrap();
                }
                for (f, h) in Factor::ALL[1..].iter().zip(h) {
                    s = s.with_half_at(*f, f64::from(h)).unwrap();
                }
                s
            })
    }

    /// `a` is at least as risky as `b` on every factor (missing is the worst).
    fn at_least(a: &[Option<f64>; 5], b: &[Option<f64>; 5]) -> bool {
        a.iter().zip(b).all(|(x, y)| match (x, y) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(x), Some(y)) => x >= y,
        })
    }

    fn position(ranked: &[ScoredArea], name: &str) -> usize {
        ranked.iter().position(|a| a.name == name).unwrap()
    }

    proptest! {
        #[test]
        fn an_area_at_least_as_risky_on_every_factor_never_ranks_below(
            b in values(),
            raise in proptest::array::uniform5(0u32..4),
            others in proptest::collection::vec(values(), 0..4),
            scales in scales(),
            a_critical in any::<bool>(),
            b_critical in any::<bool>(),
        ) {
            // `a` is `b` raised on some factors: by a step, or to missing (the worst).
            let mut a = b;
            for (i, r) in raise.iter().enumerate() {
                a[i] = match (b[i], *r) {
                    (v, 0) => v,
                    (_, 1) | (None, _) => None,
                    (Some(v), step) if i == 0 => Some((v + f64::from(step)).min(4.0)),
                    (Some(v), step) => Some(v + f64::from(step)),
                };
            }
            prop_assume!(at_least(&a, &b) && a != b);
            let mut areas = vec![
                AreaFactors { critical: a_critical, ..area("zz-a", a) },
                AreaFactors { critical: b_critical, ..area("aa-b", b) },
            ];
            areas.extend(others.iter().enumerate().map(|(i, v)| area(&format!("o{i}"), *v)));
            let ranked = rank(areas, &scales);
            prop_assert!(position(&ranked, "zz-a") < position(&ranked, "aa-b"), "{ranked:#?}");
        }

        #[test]
        fn a_missing_factor_never_ranks_an_area_below_the_same_factor_present(
            a in values(),
            factor in 0usize..5,
            present_value in 0u32..1000,
            others in proptest::collection::vec(values(), 1..5),
            scales in scales(),
        ) {
            let mut missing = a;
            missing[factor] = None;
            let mut measured = a;
            measured[factor] = Some(if factor == 0 { f64::from(present_value % 5) } else { f64::from(present_value) });
            let with = |v: [Option<f64>; 5]| {
                let mut areas = vec![area("subject", v)];
                areas.extend(others.iter().enumerate().map(|(i, v)| area(&format!("o{i}"), *v)));
                position(&rank(areas, &scales), "subject")
            };
            prop_assert!(with(missing) <= with(measured));
        }

        #[test]
        fn scores_stay_between_0_and_100(v in values(), scales in scales()) {
            let s = rank(vec![area("x", v)], &scales).remove(0);
            prop_assert!((0.0..=100.0).contains(&s.score));
            prop_assert!((0.0..=1.0).contains(&s.impact));
            prop_assert!((0.0..=1.0).contains(&s.likelihood));
        }
    }
}
