//! The risk report (`shipgate risk --format json`): a public contract for dashboards, with a
//! `schema_version` bumped only on a breaking change. Renderers (human, Markdown) read the same
//! structure, so every form shows the same numbers.

use crate::score::{Factor, FactorScore, RiskLevel, Scales, ScoredArea};
use serde::Serialize;
use std::collections::BTreeMap;

/// The version of the risk report's JSON form.
pub const SCHEMA_VERSION: u32 = 1;

/// The formula, as the report states it, so that a reader can recompute every score.
pub const SCORE_FORMULA: &str =
    "score = 100 × Σ(weight × normalised) ÷ Σ weight; a missing factor counts as normalised 1";
/// How raw values are normalised.
pub const NORMALISED_FORMULA: &str = "revenue_impact: level ÷ 4 (none 0, low 1, medium 2, high 3, critical 4); every other factor: raw ÷ (raw + half_at)";

/// Rounds for the report (four decimals): the ranking was made on the exact values.
pub fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// The whole report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RiskReport {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The release the policy gates.
    pub release: String,
    /// When it was computed (defect and churn windows end here).
    pub evaluated_at: String,
    /// How far back defects and commits are counted (`90d`).
    pub window: String,
    /// How the scores are computed.
    pub formula: Formula,
    /// Each source of evidence the factors read, and whether it was there.
    pub evidence: Vec<EvidenceNote>,
    /// The areas, riskiest first (`rank` 1).
    pub areas: Vec<AreaReport>,
    /// Production defects with no passing test that names them: the coverage-gap map.
    pub coverage_gaps: Vec<CoverageGap>,
    /// Areas with complexity or churn (or neither measured) but no test at all.
    pub untested_areas: Vec<UntestedArea>,
}

/// The formula and its parameters.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Formula {
    /// [`SCORE_FORMULA`].
    pub score: &'static str,
    /// [`NORMALISED_FORMULA`].
    pub normalised: &'static str,
    /// Each factor's weight.
    pub weights: BTreeMap<&'static str, f64>,
    /// The raw value at which each factor scores 0.5.
    pub half_at: BTreeMap<&'static str, f64>,
    /// The lowest score of each level.
    pub levels: BTreeMap<&'static str, f64>,
    /// How defects are weighed in `defect_frequency`.
    pub defect_weights: BTreeMap<&'static str, f64>,
}

impl Formula {
    /// The formula with `scales`' parameters.
    pub fn of(scales: &Scales, defect_weights: BTreeMap<&'static str, f64>) -> Formula {
        Formula {
            score: SCORE_FORMULA,
            normalised: NORMALISED_FORMULA,
            weights: Factor::ALL
                .iter()
                .map(|f| (f.as_str(), scales.weight(*f)))
                .collect(),
            half_at: Factor::ALL
                .iter()
                .filter_map(|f| scales.half_at(*f).map(|h| (f.as_str(), h)))
                .collect(),
            levels: RiskLevel::ALL
                .iter()
                .map(|l| (l.as_str(), l.floor()))
                .collect(),
            defect_weights,
        }
    }
}

/// A source of evidence and its state.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EvidenceNote {
    /// `tests`, `history`, `defects`, `complexity`, `churn`.
    pub source: String,
    /// `loaded`, `not-configured`, `missing` or `unreadable`.
    pub state: String,
    /// What was read, or why not.
    pub message: String,
}

/// One factor in the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FactorReport {
    /// The raw value.
    pub raw: f64,
    /// Its normalised value (0–1).
    pub normalised: f64,
    /// Its weight.
    pub weight: f64,
    /// What the raw value counts.
    pub detail: String,
}

/// The tests of an area in this run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TestTally {
    /// Ran: passed, flaky, failed or errored.
    pub executed: u64,
    /// Passed on the first attempt.
    pub passed: u64,
    /// Failed or errored.
    pub failed: u64,
    /// Skipped or disabled.
    pub skipped: u64,
    /// Passed on a rerun.
    pub flaky: u64,
}

/// One area in the report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AreaReport {
    /// Its name.
    pub name: String,
    /// 1 = riskiest.
    pub rank: usize,
    /// 0–100, four decimals.
    pub score: f64,
    /// `low`, `medium`, `high` or `critical`.
    pub level: RiskLevel,
    /// Whether its tests are never skipped (a critical path).
    pub critical: bool,
    /// The risk matrix's impact axis (0–1).
    pub impact: f64,
    /// The risk matrix's likelihood axis (0–1).
    pub likelihood: f64,
    /// Every factor by name; `null` when its evidence is missing (scored as 1).
    pub factors: BTreeMap<&'static str, Option<FactorReport>>,
    /// Why each missing factor is missing.
    pub missing: BTreeMap<&'static str, String>,
    /// Its tests in this run; `null` when there are no test results.
    pub tests: Option<TestTally>,
    /// Its test patterns, as the policy writes them.
    pub test_patterns: Vec<String>,
    /// Its file globs, as the policy writes them.
    pub files: Vec<String>,
    /// The production defects on it created in the window.
    pub production_defects: Vec<String>,
    /// Those of them with no passing test that names them.
    pub untested_production_defects: Vec<String>,
    /// Whether the change being planned touches its files (`risk plan --base`); absent
    /// otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub changed: Option<bool>,
}

impl AreaReport {
    /// The report of a scored area; the rest is filled in by the caller.
    pub fn from_scored(area: &ScoredArea) -> AreaReport {
        let mut factors = BTreeMap::new();
        let mut missing = BTreeMap::new();
        for f in &area.factors {
            let FactorScore {
                factor,
                raw,
                normalised,
                weight,
                detail,
            } = f;
            match (raw, normalised) {
                (Some(raw), Some(n)) => {
                    factors.insert(
                        factor.as_str(),
                        Some(FactorReport {
                            raw: round4(*raw),
                            normalised: round4(*n),
                            weight: *weight,
                            detail: detail.clone(),
                        }),
                    );
                }
                _ => {
                    factors.insert(factor.as_str(), None);
                    missing.insert(factor.as_str(), detail.clone());
                }
            }
        }
        AreaReport {
            name: area.name.clone(),
            rank: area.rank,
            score: round4(area.score),
            level: area.level,
            critical: area.critical,
            impact: round4(area.impact),
            likelihood: round4(area.likelihood),
            factors,
            missing,
            tests: None,
            test_patterns: Vec::new(),
            files: Vec::new(),
            production_defects: Vec::new(),
            untested_production_defects: Vec::new(),
            changed: None,
        }
    }
}

/// A production defect no passing test names: where the test suite has a gap.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CoverageGap {
    /// The defect's key.
    pub key: String,
    /// Its title.
    pub title: String,
    /// Its severity.
    pub severity: String,
    /// `open` or `closed`.
    pub status: String,
    /// When it was reported.
    pub created: String,
    /// Its page in the tracker, when the tracker gives one.
    pub url: Option<String>,
    /// The areas it is on (by component or label); empty when on none, itself a gap in the map.
    pub areas: Vec<String>,
    /// Where the test it calls for belongs: the area's `test_location`, else its first test
    /// pattern.
    pub test_location: Option<String>,
    /// A test name that would trace the defect (`test_pay_231_second_partial_refund`).
    pub suggested_test: String,
    /// Tests that name it but did not pass in this run.
    pub tests_not_passing: Vec<String>,
}

/// An area with no test at all.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UntestedArea {
    /// Its name.
    pub name: String,
    /// Its summed complexity, when measured.
    pub complexity: Option<f64>,
    /// Its commits in the window, when measured.
    pub churn: Option<f64>,
    /// Why it is listed.
    pub reason: String,
}
