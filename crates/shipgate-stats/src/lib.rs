//! The statistics behind shipgate's performance checks.
//!
//! A load test on a shared CI runner never measures the same twice, so a naive "p95 is 10%
//! slower" gate flaps. The policy engine judges a worsening against the way a baseline's runs
//! differ from one another (decision 0024): the runs' [`mean`] and [`sample_sd`], and a
//! one-sided test of "worse than the allowance" with Student's t over the runs
//! ([`student_t_sf`], [`student_t_quantile`]). Several runs of the release are compared by their
//! [`median`], whose standard error comes from [`median_variance`] (decision 0028, computed with
//! the normal tail [`normal_sf`]).
//!
//! [`percentile`] is the estimator shipgate uses everywhere a percentile is computed from raw
//! samples: linear interpolation between closest ranks (Hyndman & Fan type 7), the default of
//! numpy and R and the one k6 uses. [`SplitMix64`] is a seeded generator for tests and
//! benchmarks that need the same data on every machine.
//!
//! (shipgate 0.1 tested within one pair of runs, with a Mann–Whitney U test and a percentile
//! bootstrap over the raw samples; issue 12 showed that this ignores run-to-run variance, and
//! both were removed once no check used them.)
//!
//! This crate is plain arithmetic on `f64` slices. It must not know about shipgate's evidence,
//! policy or report types, do any IO, read the clock, or draw randomness from anywhere but the
//! seed it is given.
//!
//! # Example
//!
//! ```
//! use shipgate_stats::{mean, percentile, sample_sd, student_t_quantile, student_t_sf};
//!
//! // The p95 of 1..=100 ms as numpy and k6 compute it: 95 + 0.05 × (96 − 95).
//! let samples: Vec<f64> = (1..=100).map(f64::from).collect();
//! let p95 = percentile(&samples, 0.95).expect("a sample and p in [0, 1]");
//! assert!((p95 - 95.05).abs() < 1e-9);
//!
//! // Five baseline runs' p95: their mean and spread.
//! let runs = [100.0, 102.0, 98.0, 101.0, 99.0];
//! assert_eq!(mean(&runs), Some(100.0));
//! let sd = sample_sd(&runs).expect("two runs or more");
//! assert!((sd - 2.5f64.sqrt()).abs() < 1e-12);
//!
//! // Student's t with 4 degrees of freedom: the one-sided 5% critical value of the t table.
//! let critical = student_t_quantile(0.95, 4.0).expect("0 < p < 1 and df > 0");
//! assert!((critical - 2.131_846_786).abs() < 1e-6);
//! assert!((student_t_sf(critical, 4.0).expect("df > 0") - 0.05).abs() < 1e-9);
//! ```

mod median;
mod normal;
mod quantile;
mod rng;
mod student_t;

pub use median::{median, median_variance};
pub use normal::normal_sf;
pub use quantile::{mean, percentile, percentile_unsorted};
pub use rng::SplitMix64;
pub use student_t::{sample_sd, student_t_quantile, student_t_sf};
