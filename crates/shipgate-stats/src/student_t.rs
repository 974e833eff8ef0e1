//! Student's t distribution: its upper tail and its quantiles, for a test over a handful of
//! runs, where the spread is estimated from the runs themselves.

/// P(T > t) for Student's t with `df` degrees of freedom, through the regularized incomplete
/// beta function: for `t ≥ 0`, `P(T > t) = I_x(df/2, 1/2) / 2` with `x = df / (df + t²)`.
/// `None` for `df ≤ 0` or a `t` that is not a number.
pub fn student_t_sf(t: f64, df: f64) -> Option<f64> {
    if df.is_nan() || df <= 0.0 || t.is_nan() {
        return None;
    }
    if t.is_infinite() {
        return Some(if t > 0.0 { 0.0 } else { 1.0 });
    }
    let x = df / (df + t * t);
    let tail = 0.5 * incomplete_beta(x, df / 2.0, 0.5)?;
    Some(if t >= 0.0 { tail } else { 1.0 - tail })
}

/// The `p`-quantile of Student's t with `df` degrees of freedom (the `t` with `P(T ≤ t) = p`),
/// for `0 < p < 1`: found by bisection on [`student_t_sf`] to within 1e-12 relative.
pub fn student_t_quantile(p: f64, df: f64) -> Option<f64> {
    if p.is_nan() || p <= 0.0 || p >= 1.0 {
        return None;
    }
    if p < 0.5 {
        return student_t_quantile(1.0 - p, df).map(|t| -t);
    }
    let target = 1.0 - p;
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while student_t_sf(hi, df)? > target {
        lo = hi;
        hi *= 2.0;
        if hi > 1e12 {
            return None;
        }
    }
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if student_t_sf(mid, df)? > target {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-12 * hi.max(1.0) {
            break;
        }
    }
    Some(0.5 * (lo + hi))
}

/// The regularized incomplete beta function `I_x(a, b)`, by its continued fraction (Lentz's
/// method), using the symmetry `I_x(a, b) = 1 − I_{1−x}(b, a)` where the fraction converges
/// slowly.
fn incomplete_beta(x: f64, a: f64, b: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&x) || a <= 0.0 || b <= 0.0 {
        return None;
    }
    if x == 0.0 || x == 1.0 {
        return Some(x);
    }
    let ln_front =
        libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        Some(front * continued_fraction(x, a, b)? / a)
    } else {
        Some(1.0 - front * continued_fraction(1.0 - x, b, a)? / b)
    }
}

/// The continued fraction of the incomplete beta function (Numerical Recipes' `betacf`).
fn continued_fraction(x: f64, a: f64, b: f64) -> Option<f64> {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=300 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-15 {
            return Some(h);
        }
    }
    None
}

/// The sample standard deviation (`n − 1` in the denominator); `None` for fewer than 2 values.
pub fn sample_sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = crate::mean(values)?;
    let ss: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    Some((ss / (values.len() - 1) as f64).sqrt())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn close(got: f64, want: f64, what: &str) {
        assert!(
            (got - want).abs() <= 1e-9 * want.abs().max(1.0),
            "{what}: {got} != {want}"
        );
    }

    /// Critical values of the t table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2; R's `qt`).
    #[test]
    fn quantiles_match_the_t_table() {
        for (p, df, t) in [
            (0.95, 1.0, 6.313_751_514_675_043),
            (0.95, 2.0, 2.919_985_580_355_516),
            (0.95, 4.0, 2.131_846_786_326_649),
            (0.95, 9.0, 1.833_112_932_656_237),
            (0.95, 30.0, 1.697_260_886_571_244),
            (0.975, 2.0, 4.302_652_729_749_464),
            (0.99, 5.0, 3.364_929_998_907_218),
        ] {
            close(
                student_t_quantile(p, df).unwrap(),
                t,
                &format!("qt({p}, {df})"),
            );
            close(
                student_t_sf(t, df).unwrap(),
                1.0 - p,
                &format!("pt({t}, {df})"),
            );
        }
        close(
            student_t_quantile(0.05, 4.0).unwrap(),
            -2.131_846_786_326_649,
            "lower tail",
        );
        // R: pt(2, 10, lower.tail = FALSE) = 0.03669402; the Cauchy (df 1): P(T > 1) = 1/4.
        close(
            student_t_sf(2.0, 10.0).unwrap(),
            0.036_694_017_385_370_16,
            "pt(2, 10)",
        );
        close(student_t_sf(1.0, 1.0).unwrap(), 0.25, "Cauchy");
        close(student_t_sf(0.0, 3.0).unwrap(), 0.5, "the middle");
        close(student_t_sf(-1.0, 1.0).unwrap(), 0.75, "below the middle");
        assert_eq!(student_t_sf(f64::INFINITY, 3.0), Some(0.0));
        assert_eq!(student_t_sf(1.0, 0.0), None);
        assert_eq!(student_t_quantile(1.0, 3.0), None);
    }

    #[test]
    fn sample_standard_deviation() {
        // R: sd(c(2, 4, 4, 4, 5, 5, 7, 9)) = 2.13809
        close(
            sample_sd(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]).unwrap(),
            2.138_089_935_299_395,
            "sd",
        );
        assert_eq!(sample_sd(&[1.0]), None);
        assert_eq!(sample_sd(&[3.0, 3.0]), Some(0.0));
    }
}
