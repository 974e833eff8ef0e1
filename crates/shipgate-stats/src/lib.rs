//! The statistics behind shipgate's performance checks.
//!
//! A load test on a shared CI runner never measures the same twice, so a naive "p95 is 10%
//! slower" gate flaps. When both the current run and the baseline carry raw samples, the policy
//! engine asks two questions of them before it lets a regression block:
//!
//! - [`mann_whitney`]: does the current run tend to be worse than the baseline at all? The
//!   Mann–Whitney U test (rank-sum), one-sided, exact for small samples without ties, else the
//!   normal approximation with tie and continuity corrections;
//! - [`bootstrap_difference`]: how far could the statistic being gated (a p95, a mean) have
//!   moved by chance? A percentile bootstrap of the difference with a fixed seed, so the same
//!   inputs always give the same report; for a quantile each resample is drawn from its order
//!   statistics in constant time, so a million samples cost what a hundred do.
//!
//! [`percentile`] is the estimator shipgate uses everywhere a percentile is computed from raw
//! samples: linear interpolation between closest ranks (Hyndman & Fan type 7), the default of
//! numpy and R and the one k6 uses.
//!
//! This crate is plain arithmetic on `f64` slices. It must not know about shipgate's evidence,
//! policy or report types, do any IO, read the clock, or draw randomness from anywhere but the
//! seed it is given.
//!
//! # Example
//!
//! ```
//! use shipgate_stats::{Alternative, mann_whitney, percentile};
//!
//! // The p95 of 1..=100 ms as numpy and k6 compute it: 95 + 0.05 × (96 − 95).
//! let samples: Vec<f64> = (1..=100).map(f64::from).collect();
//! let p95 = percentile(&samples, 0.95).expect("a sample and p in [0, 1]");
//! assert!((p95 - 95.05).abs() < 1e-9);
//!
//! // Every current latency above every baseline one: with 5 and 5 values the exact one-sided
//! // p-value is 1 / C(10, 5) = 1/252.
//! let baseline = [10.0, 11.0, 12.0, 13.0, 14.0];
//! let current = [20.0, 21.0, 22.0, 23.0, 24.0];
//! let slower = mann_whitney(&current, &baseline, Alternative::Greater).expect("finite samples");
//! assert!((slower.p_value - 1.0 / 252.0).abs() < 1e-12);
//! // The same run against itself is no evidence of a regression.
//! let same = mann_whitney(&baseline, &baseline, Alternative::Greater).expect("finite samples");
//! assert!(same.p_value > 0.4);
//! ```

mod bootstrap;
mod mann_whitney;
mod median;
mod normal;
mod quantile;
mod rng;
mod student_t;

pub use bootstrap::{Bootstrap, BootstrapOptions, Statistic, bootstrap_difference};
pub use mann_whitney::{Alternative, MannWhitney, Method, mann_whitney};
pub use median::{median, median_variance};
pub use normal::normal_sf;
pub use quantile::{mean, percentile, percentile_unsorted};
pub use rng::SplitMix64;
pub use student_t::{sample_sd, student_t_quantile, student_t_sf};
