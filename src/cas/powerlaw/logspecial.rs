//! Logarithms of the special functions the alternatives' normalisations need, accurate where the
//! functions themselves underflow or cancel: ln erfc, ln (erfc(a) − erfc(a + d)), ln Γ(a, z) and
//! ln (1 − e^(−d)).

use crate::special::ln_gamma;
use std::f64::consts::PI;

/// ln (1 − e^(−d)) for d ≥ 0 (−inf at 0), without cancellation at either end.
pub fn ln_one_minus_exp(d: f64) -> f64 {
    if d < std::f64::consts::LN_2 {
        (-(-d).exp_m1()).ln()
    } else {
        (-(-d).exp()).ln_1p()
    }
}

/// ln erfc(t), accurate in the far upper tail where erfc underflows.
pub fn ln_erfc(t: f64) -> f64 {
    if t < 26.0 {
        libm::erfc(t).ln()
    } else {
        let u = 1.0 / (2.0 * t * t);
        let series = 1.0 - u + 3.0 * u * u - 15.0 * u * u * u + 105.0 * u * u * u * u;
        -t * t - t.ln() - 0.5 * PI.ln() + series.ln()
    }
}

/// Gauss–Legendre nodes and weights on [−1, 1] (8 points, the positive half).
const GL_NODES: [f64; 4] =
    [0.183_434_642_495_649_8, 0.525_532_409_916_329, 0.796_666_477_413_626_7, 0.960_289_856_497_536_3];
const GL_WEIGHTS: [f64; 4] =
    [0.362_683_783_378_362, 0.313_706_645_877_887_3, 0.222_381_034_453_374_5, 0.101_228_536_290_376_3];

/// ln (erfc(a) − erfc(a + d)) for d > 0, the (doubled) normal mass between two points given by
/// their left end and width (so that a narrow interval far out keeps its digits).
pub fn ln_erfc_diff(a: f64, d: f64) -> f64 {
    let b = a + d;
    if d <= 0.5 && d * a.abs().max(b.abs()) <= 0.5 {
        // (2/√π) ∫_a^b e^(−t²) dt by 8-point Gauss–Legendre: e^(−t²) varies by at most e over the
        // interval, so the rule is exact to rounding; the sum is taken relative to its largest term.
        let (mid, half) = (a + 0.5 * d, 0.5 * d);
        let mut terms = [(0.0, 0.0); 8];
        for (i, (&x, &w)) in GL_NODES.iter().zip(&GL_WEIGHTS).enumerate() {
            let (lo, hi) = (mid - half * x, mid + half * x);
            terms[2 * i] = (w, -lo * lo);
            terms[2 * i + 1] = (w, -hi * hi);
        }
        let top = terms.iter().map(|t| t.1).fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = terms.iter().map(|(w, e)| w * (e - top).exp()).sum();
        (2.0 / PI.sqrt()).ln() + half.ln() + top + sum.ln()
    } else if a >= 0.0 {
        let la = ln_erfc(a);
        la + ln_one_minus_exp(la - ln_erfc(b))
    } else if b <= 0.0 {
        // erfc(a) − erfc(b) = erfc(−b) − erfc(−a).
        let lb = ln_erfc(-b);
        lb + ln_one_minus_exp(lb - ln_erfc(-a))
    } else {
        (libm::erf(b) + libm::erf(-a)).ln()
    }
}

/// E1(z) = Γ(0, z) for 0 < z ≤ 1 (series).
fn e1_small(z: f64) -> f64 {
    const EULER: f64 = 0.577_215_664_901_532_9;
    let (mut sum, mut term) = (0.0, 1.0);
    for k in 1..200 {
        term *= -z / k as f64;
        let t = term / k as f64;
        sum += t;
        if t.abs() < 1e-17 * sum.abs() {
            break;
        }
    }
    -EULER - z.ln() - sum
}

/// z^(−a) Γ(a, z) for 0 < z ≤ 1 and −3 < a < 1 (upward recurrence to a ∈ [0, 1)).
fn scaled_upper_gamma_small(a: f64, z: f64) -> f64 {
    if a.abs() < 1e-9 {
        return e1_small(z);
    }
    if a > 0.0 {
        // Γ(a, z) = Γ(a) Q(a, z).
        return (ln_gamma(a) - a * z.ln()).exp() * crate::special::gamma_q(a, z);
    }
    // Γ(a, z) = (Γ(a+1, z) − z^a e^(−z)) / a  ⇒  S(a) = (z S(a+1) − e^(−z)) / a.
    (z * scaled_upper_gamma_small(a + 1.0, z) - (-z).exp()) / a
}

/// ln Γ(a, z), the upper incomplete gamma function, for real a and z > 0 (a > −3 when z ≤ 1).
pub fn ln_upper_gamma(a: f64, z: f64) -> f64 {
    if z > 1.0 {
        // Continued fraction, valid for every real a.
        let h = crate::special::gamma_cf(a, z, 100_000);
        -z + a * z.ln() + h.ln()
    } else {
        a * z.ln() + scaled_upper_gamma_small(a, z).ln()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_gamma_against_known_values() {
        // Γ(1, z) = e^(−z); Γ(0.5, z) = √π erfc(√z); Γ(0, 1) = E1(1) = 0.21938393439552026.
        for &z in &[0.01, 0.5, 1.0, 3.0, 20.0] {
            assert!((ln_upper_gamma(1.0, z) + z).abs() < 1e-13, "{z}");
            let want = (PI.sqrt() * libm::erfc(z.sqrt())).ln();
            assert!((ln_upper_gamma(0.5, z) - want).abs() < 1e-12, "{z}");
            // Recurrence Γ(a+1, z) = a Γ(a, z) + z^a e^(−z) at a = −0.5.
            let a = -0.5;
            let lhs = ln_upper_gamma(a + 1.0, z).exp();
            let rhs = a * ln_upper_gamma(a, z).exp() + z.powf(a) * (-z).exp();
            assert!((lhs / rhs - 1.0).abs() < 1e-12, "{z}");
        }
        assert!((ln_upper_gamma(0.0, 1.0).exp() - 0.219_383_934_395_520_26).abs() < 1e-15);
    }

    #[test]
    fn erfc_difference_on_every_branch() {
        // Wide intervals against the plain difference (no cancellation there).
        for &(a, d) in &[(-3.0, 1.0), (-0.4, 0.9), (0.2, 2.0), (-2.0, 4.0), (1.0, 0.3), (-1.2, 0.3), (-0.1, 0.2)] {
            let want = (libm::erfc(a) - libm::erfc(a + d)).ln();
            assert!((ln_erfc_diff(a, d) - want).abs() < 1e-13, "{a} {d}");
        }
        // Narrow intervals: the mass is (2/√π) e^(−m²) d to second order (m the midpoint).
        for &(a, d) in &[(0.3, 1e-7), (-5.0, 1e-8), (30.0, 1e-9), (-0.5, 1e-6)] {
            let m: f64 = a + 0.5 * d;
            let want = (2.0 / PI.sqrt()).ln() - m * m + d.ln();
            assert!((ln_erfc_diff(a, d) - want).abs() < 1e-11, "{a} {d}");
        }
        // Far in the upper tail, where erfc underflows: against the asymptotic ln erfc difference.
        let (a, d) = (40.0, 2.0);
        let want = ln_erfc(a) + ln_one_minus_exp(ln_erfc(a) - ln_erfc(a + d));
        assert!(ln_erfc_diff(a, d).is_finite() && (ln_erfc_diff(a, d) - want).abs() < 1e-12);
        assert!((ln_one_minus_exp(1e-20) - (1e-20f64).ln()).abs() < 1e-12);
        assert!((ln_one_minus_exp(50.0) + (-50.0f64).exp()).abs() < 1e-30);
    }
}
