//! A percentile bootstrap of the difference of a statistic between two samples.
//!
//! A resample draws `n` values with replacement from a sample of `n`. For a quantile (and the
//! minimum and maximum, its ends) shipgate does not draw the `n` values one by one: the sorted
//! resample is `F⁻¹(U₍₁₎) ≤ … ≤ F⁻¹(U₍ₙ₎)` for the order statistics `U₍ₖ₎` of `n` uniforms, where
//! `F⁻¹` is the sample's empirical quantile function, and `U₍ₖ₎ ~ Beta(k, n − k + 1)`; given it,
//! `U₍ₖ₊₁₎ = U₍ₖ₎ + (1 − U₍ₖ₎)·V` with `V ~ Beta(1, n − k)`. Drawing those two order statistics
//! gives the resample's quantile (interpolated as [`crate::percentile`] does) from exactly the
//! bootstrap distribution, in constant time: a million samples cost what a hundred do. A mean is
//! resampled value by value.

use crate::quantile::{mean, percentile};
use crate::rng::SplitMix64;

/// The statistic whose change is bootstrapped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Statistic {
    /// The arithmetic mean (also the rate of 0/1 flags).
    Mean,
    /// The quantile `p` (0 to 1) as [`crate::percentile`] computes it; 0 is the minimum and 1 the
    /// maximum.
    Quantile(f64),
}

/// How to bootstrap.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BootstrapOptions {
    /// How many times both samples are resampled.
    pub resamples: usize,
    /// The generator's seed: the same seed and inputs give the same bounds, always.
    pub seed: u64,
    /// The one-sided error rate of each bound: the interval is `[α, 1 − α]` of the resampled
    /// differences, so `lower` is a one-sided `1 − α` lower bound. Between 0 and 0.5, both
    /// exclusive (the interval collapses at 0.5); any other gives no bootstrap. shipgate's
    /// policy refuses an `alpha` outside that range, so the bound is never silently skipped.
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
/// and bounds `stat(x*) − stat(y*)`. `None` when a sample is empty or holds a value that is not
/// finite, or the options make no sense.
pub fn bootstrap_difference(
    x: &[f64],
    y: &[f64],
    stat: Statistic,
    options: BootstrapOptions,
) -> Option<Bootstrap> {
    let sane_stat = match stat {
        Statistic::Mean => true,
        Statistic::Quantile(p) => (0.0..=1.0).contains(&p),
    };
    if x.is_empty()
        || y.is_empty()
        || x.iter().chain(y).any(|v| !v.is_finite())
        || options.resamples == 0
        || !(options.alpha > 0.0 && options.alpha < 0.5)
        || !sane_stat
    {
        return None;
    }
    let mut rng = SplitMix64::new(options.seed);
    let mut sampler = Sampler::new(x, y, stat);
    let mut diffs = Vec::with_capacity(options.resamples);
    let mut relative = Vec::with_capacity(options.resamples);
    let mut relative_defined = true;
    for _ in 0..options.resamples {
        let (sx, sy) = sampler.draw(&mut rng);
        if !sx.is_finite() || !sy.is_finite() {
            return None;
        }
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

/// Draws the statistic of one resample of each sample.
enum Sampler<'a> {
    Quantile {
        p: f64,
        x: Vec<f64>,
        y: Vec<f64>,
    },
    Mean {
        x: &'a [f64],
        y: &'a [f64],
        buf_x: Vec<f64>,
        buf_y: Vec<f64>,
    },
}

impl<'a> Sampler<'a> {
    fn new(x: &'a [f64], y: &'a [f64], stat: Statistic) -> Self {
        match stat {
            Statistic::Quantile(p) => {
                let mut x = x.to_vec();
                x.sort_by(f64::total_cmp);
                let mut y = y.to_vec();
                y.sort_by(f64::total_cmp);
                Sampler::Quantile { p, x, y }
            }
            Statistic::Mean => Sampler::Mean {
                x,
                y,
                buf_x: vec![0.0; x.len()],
                buf_y: vec![0.0; y.len()],
            },
        }
    }

    fn draw(&mut self, rng: &mut SplitMix64) -> (f64, f64) {
        match self {
            Sampler::Quantile { p, x, y } => {
                let a = resampled_quantile(x, *p, rng);
                let b = resampled_quantile(y, *p, rng);
                (a, b)
            }
            Sampler::Mean { x, y, buf_x, buf_y } => {
                for slot in buf_x.iter_mut() {
                    *slot = x[rng.below(x.len())];
                }
                for slot in buf_y.iter_mut() {
                    *slot = y[rng.below(y.len())];
                }
                (
                    mean(buf_x).unwrap_or(f64::NAN),
                    mean(buf_y).unwrap_or(f64::NAN),
                )
            }
        }
    }
}

/// The quantile `p` of one bootstrap resample of `sorted`, from the resample's two order
/// statistics around it (see the module's documentation).
fn resampled_quantile(sorted: &[f64], p: f64, rng: &mut SplitMix64) -> f64 {
    let n = sorted.len();
    let h = (n - 1) as f64 * p;
    let floor = h.floor();
    let frac = h - floor;
    // `h` lies in [0, n − 1], so the cast is exact; k is 1-based.
    let k = floor as usize + 1;
    let u = beta(k as f64, (n - k + 1) as f64, rng);
    let low = empirical_quantile(sorted, u);
    if frac == 0.0 || k >= n {
        return low;
    }
    // The next order statistic: the smallest of the other n − k uniforms, all above u.
    let v = 1.0 - uniform(rng).powf(1.0 / (n - k) as f64);
    let high = empirical_quantile(sorted, u + (1.0 - u) * v);
    low + frac * (high - low)
}

/// `F⁻¹(u)` of the sample: the value a uniform `u` in (0, 1] maps to when drawing from it.
fn empirical_quantile(sorted: &[f64], u: f64) -> f64 {
    let n = sorted.len();
    // `n·u` lies in (0, n]; the index is clamped into the slice whatever rounding does.
    let rank = (n as f64 * u).ceil() as usize;
    sorted[rank.clamp(1, n) - 1]
}

/// A uniform in (0, 1), never 0 or 1.
fn uniform(rng: &mut SplitMix64) -> f64 {
    ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
}

/// A standard normal, by Box–Muller.
fn normal(rng: &mut SplitMix64) -> f64 {
    let r = (-2.0 * uniform(rng).ln()).sqrt();
    r * (std::f64::consts::TAU * uniform(rng)).cos()
}

/// Gamma(shape, 1) for `shape ≥ 1`, by Marsaglia & Tsang (2000).
fn gamma(shape: f64, rng: &mut SplitMix64) -> f64 {
    let d = shape - 1.0 / 3.0;
    let c = 1.0 / (9.0 * d).sqrt();
    loop {
        let x = normal(rng);
        let v = 1.0 + c * x;
        if v <= 0.0 {
            continue;
        }
        let v = v * v * v;
        let u = uniform(rng);
        if u < 1.0 - 0.0331 * x * x * x * x || u.ln() < 0.5 * x * x + d * (1.0 - v + v.ln()) {
            return d * v;
        }
    }
}

/// Beta(a, b) for `a, b ≥ 1`, as the ratio of two gammas.
fn beta(a: f64, b: f64, rng: &mut SplitMix64) -> f64 {
    let ga = gamma(a, rng);
    let gb = gamma(b, rng);
    ga / (ga + gb)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quantile::percentile_unsorted;

    fn options() -> BootstrapOptions {
        BootstrapOptions {
            resamples: 2000,
            seed: 42,
            alpha: 0.05,
        }
    }

    /// Values spread like latencies: a deterministic log-normal sequence.
    fn latencies(n: usize, scale: f64, seed: u64) -> Vec<f64> {
        let mut rng = SplitMix64::new(seed);
        (0..n)
            .map(|_| scale * (0.3 * normal(&mut rng)).exp())
            .collect()
    }

    /// The textbook bootstrap, one value at a time: what the order-statistic draw must match.
    fn brute_force(x: &[f64], y: &[f64], p: f64, resamples: usize) -> (f64, f64) {
        let mut rng = SplitMix64::new(7);
        let mut diffs: Vec<f64> = (0..resamples)
            .map(|_| {
                let mut rx: Vec<f64> = (0..x.len()).map(|_| x[rng.below(x.len())]).collect();
                let mut ry: Vec<f64> = (0..y.len()).map(|_| y[rng.below(y.len())]).collect();
                percentile_unsorted(&mut rx, p).unwrap_or(f64::NAN)
                    - percentile_unsorted(&mut ry, p).unwrap_or(f64::NAN)
            })
            .collect();
        diffs.sort_by(f64::total_cmp);
        (
            percentile(&diffs, 0.05).unwrap_or(f64::NAN),
            percentile(&diffs, 0.95).unwrap_or(f64::NAN),
        )
    }

    #[test]
    fn order_statistics_give_the_bootstrap_distribution() {
        // The two ways of drawing a resample's quantile agree up to Monte Carlo error.
        let x = latencies(300, 120.0, 1);
        let y = latencies(300, 100.0, 2);
        for p in [0.5, 0.95, 0.99, 0.0, 1.0] {
            let fast = bootstrap_difference(&x, &y, Statistic::Quantile(p), options()).unwrap();
            let (lo, hi) = brute_force(&x, &y, p, 4000);
            let width = hi - lo;
            assert!(
                (fast.lower - lo).abs() < 0.12 * width + 1e-9,
                "p{p}: lower {} vs {lo}",
                fast.lower
            );
            assert!(
                (fast.upper - hi).abs() < 0.12 * width + 1e-9,
                "p{p}: upper {} vs {hi}",
                fast.upper
            );
        }
    }

    #[test]
    fn the_beta_draws_have_the_right_mean() {
        let mut rng = SplitMix64::new(3);
        for (a, b) in [(1.0, 1.0), (3.0, 7.0), (950.0, 51.0), (9.5e5, 5.0e4)] {
            let m: f64 = (0..20_000).map(|_| beta(a, b, &mut rng)).sum::<f64>() / 20_000.0;
            let want = a / (a + b);
            let sd = (a * b / ((a + b) * (a + b) * (a + b + 1.0))).sqrt();
            assert!(
                (m - want).abs() < 5.0 * sd / (20_000f64).sqrt() + 1e-12,
                "Beta({a},{b}): {m} vs {want}"
            );
        }
    }

    #[test]
    fn same_inputs_same_bounds() {
        let x = latencies(300, 100.0, 1);
        let y = latencies(300, 100.0, 2);
        for stat in [Statistic::Quantile(0.95), Statistic::Mean] {
            let a = bootstrap_difference(&x, &y, stat, options()).unwrap();
            let b = bootstrap_difference(&x, &y, stat, options()).unwrap();
            assert_eq!(a, b);
            let c = bootstrap_difference(
                &x,
                &y,
                stat,
                BootstrapOptions {
                    seed: 43,
                    ..options()
                },
            )
            .unwrap();
            assert_ne!(a, c, "another seed draws other resamples");
        }
    }

    #[test]
    fn no_shift_includes_zero_and_a_real_shift_excludes_it() {
        let base = latencies(400, 100.0, 3);
        let same = latencies(400, 100.0, 4);
        let slower = latencies(400, 130.0, 5);
        let p95 = Statistic::Quantile(0.95);
        let noise = bootstrap_difference(&same, &base, p95, options()).unwrap();
        assert!(noise.lower < 0.0 && noise.upper > 0.0, "{noise:?}");
        let real = bootstrap_difference(&slower, &base, p95, options()).unwrap();
        assert!(real.lower > 0.0, "{real:?}");
        let (rel_lo, rel_hi) = real.relative.unwrap();
        assert!(rel_lo > 0.0 && rel_hi < 0.6, "{rel_lo} {rel_hi}");
        let mean_shift = bootstrap_difference(&slower, &base, Statistic::Mean, options()).unwrap();
        assert!(mean_shift.lower > 0.0, "{mean_shift:?}");
        let mean_noise = bootstrap_difference(&same, &base, Statistic::Mean, options()).unwrap();
        assert!(
            mean_noise.lower < 0.0 && mean_noise.upper > 0.0,
            "{mean_noise:?}"
        );
    }

    #[test]
    fn a_million_samples_cost_what_a_hundred_do_for_a_quantile() {
        let x = latencies(1_000_000, 100.0, 8);
        let y = latencies(1_000_000, 100.0, 9);
        let b = bootstrap_difference(&x, &y, Statistic::Quantile(0.99), options()).unwrap();
        assert!(
            b.lower < 0.0 && b.upper > 0.0 && b.upper - b.lower < 2.0,
            "{b:?}"
        );
    }

    #[test]
    fn refuses_nonsense() {
        let p50 = Statistic::Quantile(0.5);
        assert!(bootstrap_difference(&[], &[1.0], p50, options()).is_none());
        assert!(bootstrap_difference(&[f64::NAN], &[1.0], p50, options()).is_none());
        assert!(
            bootstrap_difference(&[1.0], &[1.0], Statistic::Quantile(1.5), options()).is_none()
        );
        let wide = BootstrapOptions {
            alpha: 0.5,
            ..options()
        };
        assert!(bootstrap_difference(&[1.0], &[1.0], p50, wide).is_none());
        let zero = bootstrap_difference(&[1.0, 2.0], &[0.0, 0.0], p50, options()).unwrap();
        assert_eq!(zero.relative, None);
        // One value per side: every resample is that value.
        let one = bootstrap_difference(&[3.0], &[1.0], p50, options()).unwrap();
        assert_eq!((one.lower, one.upper), (2.0, 2.0));
    }
}
