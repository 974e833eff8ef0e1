//! Risk-based test prioritisation: which areas of a product to test first, and which tests to
//! run when time is short.
//!
//! An area's risk is scored from five factors ([`Factor`]): revenue impact (the policy's level),
//! defect frequency (the tracker), failure history (earlier test runs), code complexity (what
//! lizard or radon measured: [`read_lizard_csv`], [`read_radon_json`]) and churn (commits in the
//! git history: [`churn`]). [`rank`] normalises, weighs and ranks them, a missing factor at its
//! worst; [`plan()`] orders tests for a time budget, critical-path tests first and never dropped.
//! [`report`] is the JSON contract of `shipgate risk`. The formula is documented in
//! `docs/risk.md`, with a worked example that the tests here compute.
//!
//! What it must not do: depend on the policy crate (the policy engine maps its areas onto these
//! types; adapters never depend on the policy), touch files, run git or any other program, use
//! the network, or read the clock or the environment. Callers pass bytes, times and paths, so
//! that the same inputs always give the same ranking and the same plan.
//!
//! # Example
//!
//! ```
//! use shipgate_risk::{Candidate, plan};
//!
//! let test = |id: &str, critical: bool, seconds: f64, area_score: f64| Candidate {
//!     id: id.to_owned(),
//!     area: Some(id.split('.').next().unwrap_or(id).to_owned()),
//!     area_score,
//!     area_changed: false,
//!     critical,
//!     duration: Some(seconds),
//!     failures: 0,
//! };
//! let tests = vec![
//!     test("reports.export", false, 30.0, 10.0),
//!     test("payments.refund", true, 50.0, 90.0),
//!     test("payments.split", false, 5.0, 90.0),
//! ];
//! // One minute: the critical-path test first, then by priority while time is left.
//! let minute = plan(tests, 60.0)?;
//! let order: Vec<&str> = minute.tests.iter().map(|t| t.id.as_str()).collect();
//! assert_eq!(order, ["payments.refund", "payments.split"]);
//! assert_eq!(minute.dropped[0].id, "reports.export");
//!
//! // A critical-path test is never dropped, even when it alone is over the budget.
//! let tight = plan(vec![test("payments.refund", true, 50.0, 90.0)], 10.0)?;
//! assert!(tight.over_budget);
//! assert_eq!(tight.tests.len(), 1);
//! # Ok::<(), shipgate_risk::RiskError>(())
//! ```

pub mod churn;
mod error;
mod lizard;
pub mod paths;
pub mod plan;
mod radon;
pub mod report;
pub mod score;

pub use error::RiskError;
pub use lizard::read_lizard_csv;
pub use paths::FileGlob;
pub use plan::{Candidate, Plan, PlannedTest, plan};
pub use radon::read_radon_json;
pub use report::RiskReport;
pub use score::{AreaFactors, Factor, FactorScore, Measure, RiskLevel, Scales, ScoredArea, rank};
