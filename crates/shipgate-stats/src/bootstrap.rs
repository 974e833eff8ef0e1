//! A percentile bootstrap of the difference of a statistic between two samples.

use crate::quantile::percentile;
use crate::rng::SplitMix64;

/// How to bootstrap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BootstrapOptions {
    /// How many times both samples are resampled.
    pub resamples: usize,
    /// The generator's seed: the same seed and inputs give the same bounds, always.
    pub seed: u64,
    /// The one-sided error rate of each bound: the interval is `[α, 1 − α]` of the resampled
    /// differences, so `lower` is a one-sided `1 − α` lower bound.
    pub alpha: f64,
}

/// The bootstrap distribution of `stat(x) − stat(y)`, summarised.
#[derive(Clone, Debug, PartialEq)]
pub struct Bootstrap {
    /// Resamples drawn.
    pub resamples: usize,
    /// The seed used.
    pub seed: u64,
    /// The α-quantile of the resampled differences.
    pub lower: f64,
    /// The (1 − α)-quantile of the resampled differences.
    pub upper: f64,
    /// The same bounds for the difference relative to the resampled `stat(y)`; `None` when
    /// `stat(y)` came out 0 in some resample.
    pub relative: Option<(f64, f64)>,
}

/// Resamples `x` and `y` (with replacement, each to its own size) `options.resamples` times
/// and bounds `stat(x*) − stat(y*)`. `stat` may reorder the slice it is given. `None` when a
/// sample is empty, `stat` has no value for a resample, or the options make no sense.
pub fn bootstrap_difference<F>(
    x: &[f64],
    y: &[f64],
    stat: F,
    options: BootstrapOptions,
) -> Option<Bootstrap>
where
    F: Fn(&mut [f64]) -> Option<f64>,
{
    if x.is_empty()
        || y.is_empty()
        || options.resamples == 0
        || !(options.alpha > 0.0 && options.alpha < 0.5)
    {
        return None;
    }
    let mut rng = SplitMix64::new(options.seed);
    let mut buf_x = vec![0.0; x.len()];
    let mut buf_y = vec![0.0; y.len()];
    let mut diffs = Vec::with_capacity(options.resamples);
    let mut relative = Vec::with_capacity(options.resamples);
    let mut relative_defined = true;
    for _ in 0..options.resamples {
        for slot in buf_x.iter_mut() {
            *slot = x[rng.below(x.len())];
        }
        for slot in buf_y.iter_mut() {
            *slot = y[rng.below(y.len())];
        }
        let sx = stat(&mut buf_x)?;
        let sy = stat(&mut buf_y)?;
        let diff = sx - sy;
        diffs.push(diff);
        if sy == 0.0 {
            relative_defined = false;
        } else {
            relative.push(diff / sy.abs());
        }
    }
    diffs.sort_by(f64::total_cmp);
    relative.sort_by(f64::total_cmp);
    let bounds = |sorted: &[f64]| {
        Some((
            percentile(sorted, options.alpha)?,
            percentile(sorted, 1.0 - options.alpha)?,
        ))
    };
    let (lower, upper) = bounds(&diffs)?;
    Some(Bootstrap {
        resamples: options.resamples,
        seed: options.seed,
        lower,
        upper,
        relative: if relative_defined {
            bounds(&relative)
        } else {
            None
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantile::{mean, percentile_unsorted};

    fn options() -> BootstrapOptions {
        BootstrapOptions {
            resamples: 2000,
            seed: 42,
            alpha: 0.05,
        }
    }

    /// Values spread like latencies: a deterministic log-normal-ish sequence.
    fn latencies(n: usize, scale: f64, seed: u64) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| {
                // Sum of uniforms ≈ normal; exp of it ≈ log-normal.
                let s: f64 = (0..6)
                    .map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64)
                    .sum();
                scale * ((s - 3.0) * 0.3).exp()
            })
            .collect()
    }

    #[test]
    fn same_inputs_same_bounds() {
        let x = latencies(300, 100.0, 1);
        let y = latencies(300, 100.0, 2);
        let p95 = |v: &mut [f64]| percentile_unsorted(v, 0.95);
        let a = bootstrap_difference(&x, &y, p95, options()).unwrap();
        let b = bootstrap_difference(&x, &y, p95, options()).unwrap();
        assert_eq!(a, b);
        let c = bootstrap_difference(
            &x,
            &y,
            p95,
            BootstrapOptions {
                seed: 43,
                ..options()
            },
        )
        .unwrap();
        assert_ne!(a, c, "another seed draws other resamples");
    }

    #[test]
    fn no_shift_includes_zero_and_a_real_shift_excludes_it() {
        let base = latencies(400, 100.0, 3);
        let same = latencies(400, 100.0, 4);
        let slower = latencies(400, 130.0, 5);
        let p95 = |v: &mut [f64]| percentile_unsorted(v, 0.95);
        let noise = bootstrap_difference(&same, &base, p95, options()).unwrap();
        assert!(noise.lower < 0.0 && noise.upper > 0.0, "{noise:?}");
        let real = bootstrap_difference(&slower, &base, p95, options()).unwrap();
        assert!(real.lower > 0.0, "{real:?}");
        let (rel_lo, rel_hi) = real.relative.unwrap();
        assert!(rel_lo > 0.0 && rel_hi < 0.6, "{rel_lo} {rel_hi}");
        let m = |v: &mut [f64]| mean(v);
        assert!(
            bootstrap_difference(&slower, &base, m, options())
                .unwrap()
                .lower
                > 0.0
        );
    }

    #[test]
    fn refuses_nonsense() {
        let p50 = |v: &mut [f64]| percentile_unsorted(v, 0.5);
        assert!(bootstrap_difference(&[], &[1.0], p50, options()).is_none());
        assert!(
            bootstrap_difference(
                &[1.0],
                &[1.0],
                p50,
                BootstrapOptions {
                    alpha: 0.5,
                    ..options()
                }
            )
            .is_none()
        );
        let zero = bootstrap_difference(&[1.0, 2.0], &[0.0, 0.0], p50, options()).unwrap();
        assert_eq!(zero.relative, None);
    }
}
