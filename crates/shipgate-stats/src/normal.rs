//! The standard normal distribution's tail.

/// P(Z > z) for a standard normal Z, through the complementary error function (accurate in the
/// far tail, where `1 − Φ(z)` would cancel to 0).
pub fn normal_sf(z: f64) -> f64 {
    0.5 * libm::erfc(z / std::f64::consts::SQRT_2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textbook_values() {
        // Standard normal table: P(Z > 0) = 0.5, P(Z > 1.644854) = 0.05, P(Z > 1.959964) = 0.025,
        // P(Z > -1.959964) = 0.975, P(Z > 6) = 9.8659e-10.
        for (z, p) in [
            (0.0, 0.5),
            (1.644_853_626_951_472, 0.05),
            (1.959_963_984_540_054, 0.025),
            (-1.959_963_984_540_054, 0.975),
            (6.0, 9.865_876_450_377e-10),
        ] {
            let got = normal_sf(z);
            assert!(
                (got - p).abs() <= 1e-12_f64.max(p * 1e-9),
                "z={z}: {got} != {p}"
            );
        }
    }
}
