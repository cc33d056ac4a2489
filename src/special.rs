//! Special functions and distribution functions the domains share: the standard normal, Student's
//! t and chi-square distributions. Accurate to a few ulps in the body and to full relative
//! precision in the tails (the tails are where risk lives), built on musl's `erfc` and `lgamma`.

use std::f64::consts::{FRAC_1_SQRT_2, PI};

const SQRT_2PI: f64 = 2.506_628_274_631_000_7;

/// log Γ(x) for x > 0.
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// The logistic function 1 / (1 + e^−x), without overflow for any x (e^−x is taken only where
/// it is at most 1).
#[inline]
pub fn expit(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// log(1 + e^x), without overflow for any x.
#[inline]
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// The standard normal density.
pub fn norm_pdf(x: f64) -> f64 {
    (-0.5 * x * x).exp() / SQRT_2PI
}

/// P(Z ≤ x) for a standard normal Z, with full relative precision in the lower tail.
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x * FRAC_1_SQRT_2)
}

/// P(Z > x), with full relative precision in the upper tail.
pub fn norm_sf(x: f64) -> f64 {
    0.5 * libm::erfc(x * FRAC_1_SQRT_2)
}

/// The standard normal quantile: Acklam's rational approximation (relative error 1.2e-9) polished
/// by one Halley step on `erfc`, which brings it to a few ulps. `p` outside (0, 1) gives ∓inf at
/// the ends and NaN beyond them.
pub fn norm_ppf(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    const LOW: f64 = 0.02425;
    let tail = |q: f64| {
        let r = (-2.0 * q.ln()).sqrt();
        (((((C[0] * r + C[1]) * r + C[2]) * r + C[3]) * r + C[4]) * r + C[5])
            / ((((D[0] * r + D[1]) * r + D[2]) * r + D[3]) * r + 1.0)
    };
    let x = if p < LOW {
        tail(p)
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail(1.0 - p)
    };
    // Halley's step on F(x) - p, with the error taken in the tail that has the precision.
    let e = if x < 0.0 { norm_cdf(x) - p } else { (1.0 - p) - norm_sf(x) };
    let u = e * SQRT_2PI * (0.5 * x * x).exp();
    x - u / (1.0 + 0.5 * x * u)
}

/// The regularized incomplete beta function I_x(a, b), by the continued fraction (modified
/// Lentz), taken on the side where it converges fast.
pub fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(a, b, x) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(b, a, 1.0 - x) / b
    }
}

fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        for aa in [m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))] {
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
        }
        if (d * c - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// Student's t density with `nu` degrees of freedom.
pub fn t_pdf(x: f64, nu: f64) -> f64 {
    let ln_c = ln_gamma(0.5 * (nu + 1.0)) - ln_gamma(0.5 * nu) - 0.5 * (nu * PI).ln();
    (ln_c - 0.5 * (nu + 1.0) * (x * x / nu).ln_1p()).exp()
}

/// P(T ≤ x) for Student's t with `nu` > 0 degrees of freedom, precise in both tails.
pub fn t_cdf(x: f64, nu: f64) -> f64 {
    if x.is_infinite() {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    // the tail beyond |x|, from the form whose argument is not close to 1
    let x2 = x * x;
    let tail = if x2 < nu {
        0.5 * (1.0 - inc_beta(0.5, 0.5 * nu, x2 / (nu + x2)))
    } else {
        0.5 * inc_beta(0.5 * nu, 0.5, nu / (nu + x2))
    };
    if x > 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// Student's t quantile: Newton's method on [`t_cdf`] from the normal quantile, kept inside a
/// bracket that bisection shrinks whenever a step would leave it.
pub fn t_ppf(p: f64, nu: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) || nu.is_nan() || nu <= 0.0 {
        return f64::NAN;
    }
    if p == 0.0 || p == 1.0 {
        return if p == 0.0 { f64::NEG_INFINITY } else { f64::INFINITY };
    }
    if p > 0.5 {
        return -t_ppf(1.0 - p, nu);
    }
    if p == 0.5 {
        return 0.0;
    }
    // lower tail: the root lies in (lo, 0); expand lo until F(lo) < p
    let mut lo = norm_ppf(p).min(-1e-3) * 2.0;
    while t_cdf(lo, nu) > p && lo > -1e300 {
        lo *= 4.0;
    }
    let mut hi = 0.0;
    let mut x = norm_ppf(p).clamp(lo, hi);
    for _ in 0..200 {
        let f = t_cdf(x, nu) - p;
        if f > 0.0 {
            hi = x;
        } else {
            lo = x;
        }
        let step = f / t_pdf(x, nu);
        let next = x - step;
        let next = if next.is_finite() && next > lo && next < hi { next } else { 0.5 * (lo + hi) };
        if (next - x).abs() <= 4.0 * f64::EPSILON * x.abs() {
            return next;
        }
        x = next;
    }
    x
}

/// The continued fraction of the upper incomplete gamma function (modified Lentz, at most
/// `iters` terms): Γ(a, x) = e^(−x) x^a · gamma_cf(a, x), for x > 0 and every real a (it
/// converges fast for x > a + 1).
pub fn gamma_cf(a: f64, x: f64, iters: usize) -> f64 {
    const TINY: f64 = 1e-300;
    let mut b = x + 1.0 - a;
    let mut c = 1.0 / TINY;
    let mut d = 1.0 / b;
    let mut h = d;
    for i in 1..iters {
        let an = -(i as f64) * (i as f64 - a);
        b += 2.0;
        d = an * d + b;
        if d.abs() < TINY {
            d = TINY;
        }
        c = b + an / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// The regularized upper incomplete gamma function Q(a, x) (series below a + 1, else the continued
/// fraction).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let ln_front = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut sum, mut term, mut n) = (1.0 / a, 1.0 / a, a);
        for _ in 0..10_000 {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * 1e-17 {
                break;
            }
        }
        1.0 - sum * ln_front.exp()
    } else {
        let h = gamma_cf(a, x, 10_000);
        ln_front.exp() * h
    }
}

/// P(X > x) for a chi-square variable with `k` degrees of freedom (exact forms for k = 1, 2).
pub fn chi2_sf(x: f64, k: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    if k == 1.0 {
        return libm::erfc((0.5 * x).sqrt());
    }
    if k == 2.0 {
        return (-0.5 * x).exp();
    }
    gamma_q(0.5 * k, 0.5 * x)
}

/// The chi-square quantile with one degree of freedom: the square of a normal quantile.
pub fn chi2_1_ppf(p: f64) -> f64 {
    let z = norm_ppf(0.5 + 0.5 * p);
    z * z
}

/// ln(1 + x) within a few ulp, branch-free so that a loop of it vectorises (the library's
/// `ln_1p` is a call per value): u = 1 + x rounded, its rounding error c recovered exactly
/// (Fast2Sum, the larger magnitude first), ln u by [`crate::philox::ln`] plus the first-order
/// correction c / u. −inf at x = −1 and NaN below, as `f64::ln_1p`; NaN and ±inf arguments are
/// not handled (callers pass present, finite returns).
#[inline(always)]
pub fn ln_1p(x: f64) -> f64 {
    let u = 1.0 + x;
    let c = if x.abs() <= 1.0 { (1.0 - u) + x } else { (x - u) + 1.0 };
    let r = crate::philox::ln(u) + c / u;
    if u > 0.0 {
        r
    } else if u == 0.0 {
        f64::NEG_INFINITY
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ln_1p_within_a_few_ulp_of_the_library() {
        let mut worst = 0u64;
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for n in 0..400_000u64 {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let unit = (state >> 11) as f64 / (1u64 << 53) as f64;
            // returns near 0 (most), down to −1 and up to 1e6
            let x = match n % 4 {
                0 => (unit - 0.5) * 0.2,
                1 => unit * 2.0 - 1.0,
                2 => (unit * 14.0 - 7.0).exp() * if n % 8 == 2 { 1.0 } else { -1e-3 },
                _ => unit * 1e6,
            };
            let (a, b) = (ln_1p(x), x.ln_1p());
            if a != b && !(a.is_nan() && b.is_nan()) {
                worst = worst.max(a.to_bits().abs_diff(b.to_bits()));
            }
        }
        assert!(worst <= 2, "{worst} ulps");
        for x in [0.0, -0.0, 1e-300, -1e-300, 1e-17, 1.0, 3.0, 1e300, f64::MAX, -0.5, -1.0 + 1e-16] {
            let (a, b) = (ln_1p(x), x.ln_1p());
            assert!(a == b || a.to_bits().abs_diff(b.to_bits()) <= 2, "{x}: {a} vs {b}");
        }
        assert_eq!(ln_1p(-1.0), f64::NEG_INFINITY);
        assert!(ln_1p(-1.5).is_nan());
    }

    fn close(a: f64, b: f64, rel: f64) {
        assert!((a - b).abs() <= rel * b.abs().max(1e-300), "{a} vs {b}");
    }

    #[test]
    fn normal_matches_reference_values() {
        // scipy.stats.norm values
        close(norm_ppf(0.975), 1.959_963_984_540_054, 1e-15);
        close(norm_ppf(0.05), -1.644_853_626_951_472_2, 1e-15);
        close(norm_ppf(1e-10), -6.361_340_902_404_056, 1e-14);
        close(norm_ppf(1e-300), -37.047_096_299_361_2, 1e-13);
        close(norm_cdf(-10.0), 7.619_853_024_160_47e-24, 1e-13);
        close(norm_sf(3.0), 1.349_898_031_630_093_3e-3, 1e-14);
        for &p in &[1e-12, 1e-5, 0.01, 0.3, 0.5, 0.77, 0.999] {
            close(norm_cdf(norm_ppf(p)), p, 1e-14);
        }
        assert!(norm_ppf(1.5).is_nan() && norm_ppf(0.0) == f64::NEG_INFINITY);
    }

    #[test]
    fn student_t_matches_reference_values() {
        // scipy.stats.t.ppf / cdf
        close(t_ppf(0.05, 3.0), -2.353_363_434_801_824, 1e-13);
        close(t_ppf(0.01, 5.0), -3.364_929_998_907_218, 1e-13);
        close(t_ppf(0.975, 30.0), 2.042_272_456_301_237_8, 1e-13);
        close(t_ppf(1e-8, 2.5), -1_389.227_583_027_538, 1e-10);
        close(t_cdf(-2.0, 4.0), 0.058_058_261_758_407_78, 1e-13);
        close(t_cdf(-40.0, 3.0), 1.719_034_039_457_925_3e-5, 1e-12);
        close(t_ppf(0.2, 1e7), norm_ppf(0.2), 1e-6);
        for &(p, nu) in &[(0.001, 1.0), (0.3, 2.0), (0.9, 7.5), (0.5, 3.0)] {
            close(t_cdf(t_ppf(p, nu), nu), p, 1e-13);
        }
    }

    #[test]
    fn chi_square_tails() {
        // scipy.stats.chi2.sf
        close(chi2_sf(3.841_458_820_694_128_5, 1.0), 0.05, 1e-13);
        close(chi2_sf(5.991_464_547_107_983, 2.0), 0.05, 1e-13);
        close(chi2_sf(7.814_727_903_251_178, 3.0), 0.05, 1e-12);
        close(chi2_sf(40.0, 10.0), 1.694_474_393_006_737e-5, 1e-11);
        close(chi2_1_ppf(0.95), 3.841_458_820_694_128_5, 1e-14);
    }
}
