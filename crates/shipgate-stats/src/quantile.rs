//! Percentiles and means of raw samples.

/// The `p`-quantile (`0 ≤ p ≤ 1`) of `sorted` (ascending), interpolating linearly between the
/// closest ranks: with `h = (n − 1)·p`, the value is `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])`.
/// This is type 7 of Hyndman & Fan (1996), the default of numpy (`method="linear"`) and R, and
/// what k6 computes for its own `p(N)`. `None` for an empty slice or a `p` outside `[0, 1]`.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let (lo, frac) = position(sorted.len(), p)?;
    let low = *sorted.get(lo)?;
    if frac == 0.0 {
        return Some(low);
    }
    let high = *sorted.get(lo + 1)?;
    Some(low + frac * (high - low))
}

/// [`percentile`] of unsorted values, in linear time; `values` is reordered.
pub fn percentile_unsorted(values: &mut [f64], p: f64) -> Option<f64> {
    let (lo, frac) = position(values.len(), p)?;
    let (_, low, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    let low = *low;
    if frac == 0.0 {
        return Some(low);
    }
    let high = above.iter().copied().min_by(f64::total_cmp)?;
    Some(low + frac * (high - low))
}

/// The index below the quantile and the fraction of the way to the next one.
fn position(n: usize, p: f64) -> Option<(usize, f64)> {
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (n - 1) as f64 * p;
    let floor = h.floor();
    // `h` lies in [0, n − 1], so the cast is exact.
    let lo = floor as usize;
    Some((lo, h - floor))
}

/// The arithmetic mean; `None` for no values.
pub fn mean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    // Kahan summation: a million latencies must not drift in the last digits.
    let mut sum = 0.0f64;
    let mut carry = 0.0f64;
    for &v in values {
        let y = v - carry;
        let t = sum + y;
        carry = (t - sum) - y;
        sum = t;
    }
    Some(sum / values.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_7_as_numpy_computes_it() {
        // numpy.percentile([15, 20, 35, 40, 50], q) for q = 0, 5, 30, 40, 50, 95, 100:
        // 15.0, 16.0, 23.0, 29.0, 35.0, 48.0, 50.0
        let x = [15.0, 20.0, 35.0, 40.0, 50.0];
        let expect = [
            (0.0, 15.0),
            (0.05, 16.0),
            (0.30, 23.0),
            (0.40, 29.0),
            (0.50, 35.0),
            (0.95, 48.0),
            (1.0, 50.0),
        ];
        for (p, want) in expect {
            let got = percentile(&x, p).unwrap_or(f64::NAN);
            assert!((got - want).abs() < 1e-12, "p{p}: {got} != {want}");
            let mut shuffled = [40.0, 15.0, 50.0, 35.0, 20.0];
            let got = percentile_unsorted(&mut shuffled, p).unwrap_or(f64::NAN);
            assert!((got - want).abs() < 1e-12, "unsorted p{p}: {got} != {want}");
        }
    }

    #[test]
    fn edge_cases() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[3.0], 0.99), Some(3.0));
        assert_eq!(percentile(&[1.0, 2.0], 1.5), None);
        assert_eq!(percentile(&[1.0, 2.0], -0.1), None);
        assert_eq!(mean(&[]), None);
        assert_eq!(mean(&[1.0, 2.0, 6.0]), Some(3.0));
    }

    #[test]
    fn the_mean_does_not_drift() {
        let values = vec![0.1; 1_000_000];
        let m = mean(&values).unwrap_or(f64::NAN);
        assert!((m - 0.1).abs() < 1e-15, "{m}");
    }
}
