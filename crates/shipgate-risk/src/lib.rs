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
