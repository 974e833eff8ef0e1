//! The median of a few runs, and how precisely it measures: the variance of the median of `n`
//! independent standard normal draws, for the standard error of a median of runs.
//!
//! For one draw the variance is 1, for two (their mean) 1/2; for three and more it lies between
//! `1/n` (the mean's) and `π/(2n)` (the median's large-`n` limit), and is computed here from
//! the density of the middle order statistics by numerical integration, since no closed form
//! exists for most `n`.

/// The variance of the median of `n` independent standard normal draws (for an even `n`, the
/// mean of the two middle ones): `1` for `n = 1`, `0.5` for 2, about 0.4487 for 3, 0.2982 for 4,
/// 0.2868 for 5. `None` for `n = 0` and for `n > 1000`, where the integration's factorials
/// would overflow (and no load test is run a thousand times per release).
///
/// For an odd `n = 2m + 1` the median is the `(m + 1)`-th order statistic, of density
/// `n! / (m!)² · φ(x) Φ(x)^m (1 − Φ(x))^m`; for an even `n = 2m` it is the mean of the `m`-th
/// and `(m + 1)`-th, of joint density `n! / ((m − 1)!)² · Φ(x)^(m−1) φ(x) φ(y) (1 − Φ(y))^(m−1)`
/// for `x < y`. Both have mean 0 (symmetry), so the variance is the integral of the square,
/// taken by the trapezoidal rule over `[−9, 9]` in steps of 0.005 (the density beyond is below
/// 1e-17); the inner integral of the even case is accumulated on the same grid, so its error
/// stays of second order in the step.
pub fn median_variance(n: usize) -> Option<f64> {
    if n == 0 || n > 1000 {
        return None;
    }
    if n == 1 {
        return Some(1.0);
    }
    let grid = Grid::new();
    let m = n / 2;
    if n % 2 == 1 {
        let ln_c = ln_factorial(n) - 2.0 * ln_factorial(m);
        let mf = m as f64;
        let sum = grid.trapezoid(|x, i| {
            x * x * (ln_c + grid.ln_pdf[i] + mf * (grid.ln_cdf[i] + grid.ln_sf[i])).exp()
        });
        return Some(sum);
    }
    // Even: E[((X + Y) / 2)²] over x < y, with the inner integral over x accumulated.
    let half_c = 0.5 * (ln_factorial(n) - 2.0 * ln_factorial(m - 1));
    let k = (m - 1) as f64;
    let a = |i: usize| (half_c + grid.ln_pdf[i] + k * grid.ln_cdf[i]).exp();
    let b = |i: usize| (half_c + grid.ln_pdf[i] + k * grid.ln_sf[i]).exp();
    let (mut i0, mut i1, mut i2) = (0.0, 0.0, 0.0);
    let mut outer = 0.0;
    let mut previous: Option<f64> = None;
    for j in 0..grid.x.len() {
        let y = grid.x[j];
        if j > 0 {
            // The trapezoid of the inner integrals from the previous grid point to this one.
            let (xp, ap) = (grid.x[j - 1], a(j - 1));
            let ay = a(j);
            i0 += 0.5 * STEP * (ap + ay);
            i1 += 0.5 * STEP * (xp * ap + y * ay);
            i2 += 0.5 * STEP * (xp * xp * ap + y * y * ay);
        }
        let value = b(j) * (i2 + 2.0 * y * i1 + y * y * i0);
        if let Some(before) = previous {
            outer += 0.5 * STEP * (before + value);
        }
        previous = Some(value);
    }
    Some(outer / 4.0)
}

/// The integration grid's half-width and step.
const EDGE: f64 = 9.0;
const STEP: f64 = 0.005;

/// The grid, with the logarithms of the normal density, cdf and upper tail at each point.
struct Grid {
    x: Vec<f64>,
    ln_pdf: Vec<f64>,
    ln_cdf: Vec<f64>,
    ln_sf: Vec<f64>,
}

impl Grid {
    fn new() -> Self {
        let points = (2.0 * EDGE / STEP).round() as usize + 1;
        let x: Vec<f64> = (0..points).map(|i| -EDGE + i as f64 * STEP).collect();
        let ln_root_two_pi = 0.5 * std::f64::consts::TAU.ln();
        Self {
            ln_pdf: x.iter().map(|v| -0.5 * v * v - ln_root_two_pi).collect(),
            // Φ(x) = P(Z > −x), accurate in the lower tail where `1 − P(Z > x)` would cancel.
            ln_cdf: x.iter().map(|v| crate::normal_sf(-v).ln()).collect(),
            ln_sf: x.iter().map(|v| crate::normal_sf(*v).ln()).collect(),
            x,
        }
    }

    /// The trapezoidal rule of `f(x, index)` over the grid.
    fn trapezoid(&self, f: impl Fn(f64, usize) -> f64) -> f64 {
        let last = self.x.len() - 1;
        let inner: f64 = (1..last).map(|i| f(self.x[i], i)).sum();
        STEP * (inner + 0.5 * (f(self.x[0], 0) + f(self.x[last], last)))
    }
}

/// `ln(n!)`, summed (exact enough for `n ≤ 1000`).
fn ln_factorial(n: usize) -> f64 {
    (2..=n).map(|i| (i as f64).ln()).sum()
}

/// The median of `values` (for an even count, the mean of the two middle ones); `None` for no
/// value or one that is not a number.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    Some(if n % 2 == 1 {
        sorted[n / 2]
    } else {
        0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SplitMix64;

    #[test]
    fn known_values() {
        assert_eq!(median_variance(0), None);
        assert_eq!(median_variance(1001), None);
        assert_eq!(median_variance(1), Some(1.0));
        let two = median_variance(2).unwrap();
        assert!((two - 0.5).abs() < 1e-6, "{two}");
        // n = 3: 1 − √3/π (David & Nagaraja, Order Statistics, the variance of the middle of
        // three standard normals), 0.448671...
        let three = median_variance(3).unwrap();
        let exact = 1.0 - 3f64.sqrt() / std::f64::consts::PI;
        assert!((three - exact).abs() < 1e-6, "{three} vs {exact}");
        // Between the mean's 1/n and the large-n limit π/(2n), and falling with n.
        let mut before = 1.0;
        for n in 3..=60 {
            let v = median_variance(n).unwrap();
            let nf = n as f64;
            assert!(
                v > 1.0 / nf && v < std::f64::consts::FRAC_PI_2 / nf,
                "n={n}: {v}"
            );
            assert!(v < before, "n={n}");
            before = v;
        }
        // Large n approaches π/(2n).
        let v = median_variance(999).unwrap();
        assert!(
            (v * 999.0 / std::f64::consts::FRAC_PI_2 - 1.0).abs() < 0.01,
            "{v}"
        );
    }

    /// A standard normal, by Box–Muller, from the seeded generator.
    fn normal(rng: &mut SplitMix64) -> f64 {
        let u = |rng: &mut SplitMix64| ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
        let r = (-2.0 * u(rng).ln()).sqrt();
        r * (std::f64::consts::TAU * u(rng)).cos()
    }

    /// The integration agrees with a seeded simulation of medians of normal draws.
    #[test]
    fn agrees_with_a_seeded_simulation() {
        let mut rng = SplitMix64::new(20_261_207);
        let draws = 200_000;
        for n in 2..=9 {
            let mut sum_sq = 0.0;
            for _ in 0..draws {
                let values: Vec<f64> = (0..n).map(|_| normal(&mut rng)).collect();
                let m = median(&values).unwrap();
                sum_sq += m * m;
            }
            let simulated = sum_sq / draws as f64;
            let computed = median_variance(n).unwrap();
            // The simulated variance has a relative standard error of about √(2 / draws),
            // 0.3%: 1.5% is five of them.
            assert!(
                (simulated / computed - 1.0).abs() < 0.015,
                "n={n}: simulated {simulated}, computed {computed}"
            );
        }
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN]), None);
        assert_eq!(median(&[3.0]), Some(3.0));
        assert_eq!(median(&[3.0, 1.0]), Some(2.0));
        assert_eq!(median(&[130.0, 78.0, 80.0]), Some(80.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
    }
}
