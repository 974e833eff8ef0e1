//! The Mann–Whitney U test (Wilcoxon rank-sum), one-sided.

use crate::normal::normal_sf;

/// Which way the test looks: whether `x` (the current run) tends to be greater or smaller than
/// `y` (the baseline).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alternative {
    /// H1: a value from `x` tends to exceed one from `y` (latency got worse).
    Greater,
    /// H1: a value from `x` tends to be below one from `y` (throughput got worse).
    Less,
}

/// How the p-value was computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The exact distribution of U: no ties and at most `EXACT_MAX_TOTAL` values in all.
    Exact,
    /// The normal approximation with the tie correction of the variance and a continuity
    /// correction of 0.5.
    Normal,
}

impl Method {
    /// `exact` or `normal approximation`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Normal => "normal approximation",
        }
    }
}

/// Up to this many values in both samples together (and no ties), the p-value is exact.
pub const EXACT_MAX_TOTAL: usize = 100;

/// The outcome of a Mann–Whitney U test.
#[derive(Clone, Debug, PartialEq)]
pub struct MannWhitney {
    /// U of `x`: the number of pairs `(xi, yj)` with `xi > yj`, ties counting one half.
    pub u: f64,
    /// Values in `x`.
    pub n_x: usize,
    /// Values in `y`.
    pub n_y: usize,
    /// The one-sided p-value for the alternative asked.
    pub p_value: f64,
    /// How the p-value was computed.
    pub method: Method,
    /// The standardised statistic (normal approximation only).
    pub z: Option<f64>,
    /// Whether any value occurs more than once across both samples.
    pub ties: bool,
    /// `U / (n_x · n_y)`: the probability that a value drawn from `x` exceeds one drawn from
    /// `y` (ties counting one half), the common-language effect size. 0.5 means no tendency.
    pub prob_x_greater: f64,
}

/// Tests whether `x` tends to be greater (or less) than `y`. `None` when either sample is empty
/// or holds a value that is not finite.
pub fn mann_whitney(x: &[f64], y: &[f64], alternative: Alternative) -> Option<MannWhitney> {
    if x.is_empty() || y.is_empty() || x.iter().chain(y).any(|v| !v.is_finite()) {
        return None;
    }
    let (n_x, n_y) = (x.len(), y.len());
    let n = n_x + n_y;
    let mut all: Vec<(f64, bool)> = x
        .iter()
        .map(|&v| (v, true))
        .chain(y.iter().map(|&v| (v, false)))
        .collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Average ranks for runs of equal values, and Σ(t³ − t) over those runs.
    let mut rank_sum_x = 0.0f64;
    let mut tie_term = 0.0f64;
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && all[j].0 == all[i].0 {
            j += 1;
        }
        let t = (j - i) as f64;
        // Ranks i+1 ..= j, averaged.
        let rank = (i + 1 + j) as f64 / 2.0;
        rank_sum_x += rank * all[i..j].iter().filter(|(_, in_x)| *in_x).count() as f64;
        tie_term += t * t * t - t;
        i = j;
    }
    let ties = tie_term > 0.0;
    let nx = n_x as f64;
    let u = rank_sum_x - nx * (nx + 1.0) / 2.0;
    let pairs = nx * n_y as f64;

    let (p_value, method, z) = if !ties && n <= EXACT_MAX_TOTAL {
        (exact_p(n_x, n_y, u, alternative)?, Method::Exact, None)
    } else {
        let (p, z) = normal_p(u, n_x, n_y, tie_term, alternative);
        (p, Method::Normal, z)
    };
    Some(MannWhitney {
        u,
        n_x,
        n_y,
        p_value,
        method,
        z,
        ties,
        prob_x_greater: u / pairs,
    })
}

/// The one-sided p-value from the normal approximation: U has mean `n_x·n_y/2` and variance
/// `n_x·n_y/12 · ((n + 1) − Σ(t³ − t)/(n(n − 1)))` (the tie correction), and 0.5 moves U towards
/// the mean (the continuity correction). Returns 1 when every value is the same.
fn normal_p(
    u: f64,
    n_x: usize,
    n_y: usize,
    tie_term: f64,
    alternative: Alternative,
) -> (f64, Option<f64>) {
    let pairs = n_x as f64 * n_y as f64;
    let n = (n_x + n_y) as f64;
    let variance = pairs / 12.0 * ((n + 1.0) - tie_term / (n * (n - 1.0)));
    if variance <= 0.0 || !variance.is_finite() {
        return (1.0, None);
    }
    let sd = variance.sqrt();
    let mean = pairs / 2.0;
    let (z, p) = match alternative {
        Alternative::Greater => {
            let z = (u - mean - 0.5) / sd;
            (z, normal_sf(z))
        }
        Alternative::Less => {
            let z = (u - mean + 0.5) / sd;
            (z, normal_sf(-z))
        }
    };
    (p.clamp(0.0, 1.0), Some(z))
}

/// The exact one-sided p-value without ties: the number of arrangements of the two samples
/// with U at least (at most) the one observed, over all `C(n_x + n_y, n_x)` arrangements.
///
/// The counts are the coefficients of the Gaussian binomial `[n_x + n_y choose n_x]_q`, built
/// as `∏_{i=1..n_x} (1 − q^{n_y+i}) / (1 − q^i)`. Every intermediate polynomial is itself a
/// Gaussian binomial (times at most one factor `1 − q^k`), so with at most 100 values its
/// coefficients stay below `2·C(100, 50) ≈ 2·10²⁹` and `i128` holds them exactly.
fn exact_p(n_x: usize, n_y: usize, u: f64, alternative: Alternative) -> Option<f64> {
    let max_u = n_x * n_y;
    let mut coeffs = vec![0i128; max_u + 1];
    coeffs[0] = 1;
    for i in 1..=n_x {
        // Multiply by (1 − q^(n_y + i)), highest degree first so each term is used once.
        let k = n_y + i;
        for d in (k..=max_u).rev() {
            coeffs[d] -= coeffs[d - k];
        }
        // Divide by (1 − q^i): c[d] += c[d − i], lowest degree first (exact: it divides).
        for d in i..=max_u {
            coeffs[d] += coeffs[d - i];
        }
    }
    let total: i128 = coeffs.iter().sum();
    if total <= 0 {
        return None;
    }
    // Without ties, U is a whole number.
    let observed = u.round();
    if !(0.0..=max_u as f64).contains(&observed) {
        return None;
    }
    // `observed` is a whole number in [0, max_u], so the cast is exact.
    let observed = observed as usize;
    let tail: i128 = match alternative {
        Alternative::Greater => coeffs[observed..].iter().sum(),
        Alternative::Less => coeffs[..=observed].iter().sum(),
    };
    Some(tail as f64 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: f64, want: f64, tol: f64) {
        assert!((got - want).abs() <= tol, "{got} != {want} (±{tol})");
    }

    #[test]
    fn hollander_and_wolfe_permeability_example() {
        // Hollander & Wolfe (1973), p. 69, the example of R's `wilcox.test`: permeability
        // constants of the human chorioamnion at term (x) and at 12-26 weeks (y).
        // R: wilcox.test(x, y, alternative = "greater") gives W = 35, p-value = 0.1272
        // (scipy.stats.mannwhitneyu(..., method="exact"): 0.12720612720612720).
        let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
        let y = [1.15, 0.88, 0.90, 0.74, 1.21];
        let r = mann_whitney(&x, &y, Alternative::Greater).unwrap();
        assert_eq!(r.u, 35.0);
        assert_eq!(r.method, Method::Exact);
        assert!(!r.ties);
        close(r.p_value, 0.127_206_127_206_127_2, 1e-12);
        close(r.prob_x_greater, 0.7, 1e-12);
        // The other way round, the p-value is the complementary tail (U = 35 included).
        let r = mann_whitney(&x, &y, Alternative::Less).unwrap();
        assert!(r.p_value > 0.85, "{}", r.p_value);
    }

    #[test]
    fn critical_value_table_n10_n10() {
        // Tables of the Mann–Whitney U critical values: for n1 = n2 = 10, one-tailed
        // α = 0.05, the critical U is 27 (reject when U ≤ 27). So P(U ≤ 27) ≤ 0.05 < P(U ≤ 28);
        // scipy's exact distribution gives 0.044604776 and 0.052561216.
        close(
            exact_p(10, 10, 27.0, Alternative::Less).unwrap(),
            0.044_604_776_028_924_64,
            1e-12,
        );
        close(
            exact_p(10, 10, 28.0, Alternative::Less).unwrap(),
            0.052_561_215_873_909_38,
            1e-12,
        );
        // Symmetry: P(U ≥ 72) = P(U ≤ 28).
        close(
            exact_p(10, 10, 72.0, Alternative::Greater).unwrap(),
            0.052_561_215_873_909_38,
            1e-12,
        );
    }

    #[test]
    fn normal_approximation_with_ties_matches_scipy() {
        // scipy.stats.mannwhitneyu(a, b, alternative=..., method="asymptotic",
        // use_continuity=True): U = 223, greater 0.3718140715498609, less 0.638037023849259.
        let a = [
            1., 2., 2., 3., 3., 3., 4., 5., 5., 6., 7., 8., 8., 9., 10., 10., 11., 12., 12., 13.,
        ];
        let b = [
            1., 1., 2., 2., 3., 4., 4., 4., 5., 6., 6., 7., 7., 8., 9., 9., 10., 10., 11., 11., 12.,
        ];
        let g = mann_whitney(&a, &b, Alternative::Greater).unwrap();
        assert_eq!(g.u, 223.0);
        assert!(g.ties);
        assert_eq!(g.method, Method::Normal);
        close(g.p_value, 0.371_814_071_549_860_9, 1e-12);
        let l = mann_whitney(&a, &b, Alternative::Less).unwrap();
        close(l.p_value, 0.638_037_023_849_259, 1e-12);
        // The textbook example through the approximation: scipy's method="asymptotic" gives
        // 0.12231180256349167 for U = 35, n = 10 + 5, no ties.
        let (p, z) = normal_p(35.0, 10, 5, 0.0, Alternative::Greater);
        close(p, 0.122_311_802_563_491_67, 1e-12);
        assert!(z.is_some());
    }

    #[test]
    fn failure_flags_as_zero_one_samples() {
        // 10 failures in 100 requests against 3 in 100; scipy (asymptotic, continuity):
        // U = 5350, p = 0.022754796973855844.
        let mut c = vec![0.0; 90];
        c.extend(vec![1.0; 10]);
        let mut d = vec![0.0; 97];
        d.extend(vec![1.0; 3]);
        let r = mann_whitney(&c, &d, Alternative::Greater).unwrap();
        assert_eq!(r.u, 5350.0);
        close(r.p_value, 0.022_754_796_973_855_844, 1e-12);
    }

    #[test]
    fn degenerate_inputs() {
        assert!(mann_whitney(&[], &[1.0], Alternative::Greater).is_none());
        assert!(mann_whitney(&[f64::NAN], &[1.0], Alternative::Greater).is_none());
        let same = mann_whitney(&[2.0; 60], &[2.0; 60], Alternative::Greater).unwrap();
        assert_eq!(same.p_value, 1.0);
        assert_eq!(same.prob_x_greater, 0.5);
    }

    #[test]
    fn exact_distribution_sums_to_one_at_the_largest_size() {
        // 50 + 50 values: the largest exact case; both tails at the median overlap by one term.
        let lo = exact_p(50, 50, 1250.0, Alternative::Less).unwrap();
        let hi = exact_p(50, 50, 1250.0, Alternative::Greater).unwrap();
        assert!(
            lo > 0.5 && hi > 0.5 && lo + hi > 1.0 && lo + hi < 1.1,
            "{lo} {hi}"
        );
        close(lo, hi, 1e-12);
    }
}
