//! Numerically stable pieces shared by the GPD and GEV code, and the chunked sums that make
//! parallel log-likelihoods independent of the thread count.

use rayon::prelude::*;

/// Values per chunk of a parallel sum. The chunks are fixed by the data length alone and their
/// partial sums are added in chunk order, so a sum is bit-identical on any number of threads.
pub const CHUNK: usize = 8192;

/// `Σ f(chunk)` over the fixed chunks of `data`, in parallel, added in chunk order.
pub fn chunked_sum<const K: usize>(data: &[f64], f: impl Fn(&[f64]) -> [f64; K] + Sync + Send) -> [f64; K] {
    if data.len() <= CHUNK {
        return f(data);
    }
    let parts: Vec<[f64; K]> = data.par_chunks(CHUNK).map(&f).collect();
    let mut total = [0.0; K];
    for p in parts {
        for (t, v) in total.iter_mut().zip(p) {
            *t += v;
        }
    }
    total
}

/// `log1p(t) / t`, 1 at `t = 0`.
#[inline]
pub fn log1p_ratio(t: f64) -> f64 {
    if t == 0.0 {
        1.0
    } else {
        t.ln_1p() / t
    }
}

/// `expm1(a) / a`, 1 at `a = 0`.
#[inline]
pub fn expm1_ratio(a: f64) -> f64 {
    if a.abs() < 1e-10 {
        1.0 + a / 2.0
    } else {
        a.exp_m1() / a
    }
}

/// `(a e^a - expm1(a)) / a^2`, the ξ-derivative factor of a return level (1/2 at `a = 0`).
#[inline]
pub fn expm1_ratio_slope(a: f64) -> f64 {
    if a.abs() < 0.1 {
        // sum_k a^k (k+1)/(k+2)!
        let mut term = 0.5; // (k+1)/(k+2)! at k = 0
        let mut fact = 2.0;
        let mut sum = 0.0;
        let mut pow = 1.0;
        for k in 0..18 {
            let kf = k as f64;
            if k > 0 {
                fact *= kf + 2.0;
                term = (kf + 1.0) / fact;
            }
            sum += term * pow;
            pow *= a;
        }
        sum
    } else {
        (a * a.exp() - a.exp_m1()) / (a * a)
    }
}

/// `φ(t) = (t/(1+t) - log1p(t)) / t^2` (−1/2 at `t = 0`).
#[inline]
pub fn phi(t: f64) -> f64 {
    if t.abs() < 1e-3 {
        // sum_{k>=2} (-1)^(k+1) (k-1)/k t^(k-2)
        let mut sum = 0.0;
        let mut pow = 1.0;
        for k in 2..9 {
            let kf = k as f64;
            let sign = if k % 2 == 0 { -1.0 } else { 1.0 };
            sum += sign * (kf - 1.0) / kf * pow;
            pow *= t;
        }
        sum
    } else {
        (t / (1.0 + t) - t.ln_1p()) / (t * t)
    }
}

/// `φ'(t)` ([`phi`]'s derivative; 2/3 at `t = 0`).
#[inline]
pub fn phi_prime(t: f64) -> f64 {
    if t.abs() < 1e-3 {
        // sum_{k>=3} (-1)^(k+1) (k-1)(k-2)/k t^(k-3)
        let mut sum = 0.0;
        let mut pow = 1.0;
        for k in 3..10 {
            let kf = k as f64;
            let sign = if k % 2 == 0 { -1.0 } else { 1.0 };
            sum += sign * (kf - 1.0) * (kf - 2.0) / kf * pow;
            pow *= t;
        }
        sum
    } else {
        -1.0 / (t * (1.0 + t) * (1.0 + t)) - 2.0 * phi(t) / t
    }
}

/// The level `base + scale * l * expm1_ratio(xi * l)`: the GPD quantile `u + σ/ξ((mζ)^ξ − 1)`
/// with `l = ln(mζ)`, and the GEV quantile with `l = −ln(−ln p)`, both continuous through ξ = 0.
#[inline]
pub fn level(base: f64, scale: f64, xi: f64, l: f64) -> f64 {
    base + scale * l * expm1_ratio(xi * l)
}

/// Linear-interpolation quantile (numpy's default) of sorted values.
pub fn sorted_quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    if n == 1 {
        return sorted[0];
    }
    let h = (n - 1) as f64 * q;
    let lo = (h.floor() as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_match_direct_forms() {
        for &t in &[-0.3, -0.06, -0.04, -1e-3, 1e-3, 0.04, 0.06, 0.5] {
            let direct = (t / (1.0 + t) - f64::ln_1p(t)) / (t * t);
            assert!((phi(t) - direct).abs() < 1e-9 * direct.abs().max(1.0), "phi {t}");
            let h = 1e-6;
            let fd = (phi(t + h) - phi(t - h)) / (2.0 * h);
            assert!((phi_prime(t) - fd).abs() < 1e-6, "phi' {t}: {} vs {fd}", phi_prime(t));
        }
        assert_eq!(phi(0.0), -0.5);
        assert!((phi_prime(0.0) - 2.0 / 3.0).abs() < 1e-15);
        for &a in &[-0.5, -0.09, -1e-4, 0.0, 1e-4, 0.09, 0.2, 2.0] {
            let h = 1e-6;
            // d/dxi [l * expm1_ratio(xi l)] at l = 1 is expm1_ratio_slope
            let fd = (expm1_ratio(a + h) - expm1_ratio(a - h)) / (2.0 * h);
            assert!((expm1_ratio_slope(a) - fd).abs() < 1e-7, "slope {a}");
        }
        assert!((level(1.0, 2.0, 0.0, 3.0) - 7.0).abs() < 1e-15);
        assert!((level(1.0, 2.0, 0.5, 3.0) - (1.0 + 2.0 / 0.5 * ((1.5f64).exp() - 1.0))).abs() < 1e-12);
    }

    #[test]
    fn chunked_sums_do_not_depend_on_threads() {
        let data: Vec<f64> = (0..50_000).map(|i| (i as f64 * 0.37).sin()).collect();
        let f = |c: &[f64]| [c.iter().sum::<f64>()];
        let one = crate::parallel::with_threads(Some(1), || chunked_sum(&data, f)).unwrap();
        let two = crate::parallel::with_threads(Some(2), || chunked_sum(&data, f)).unwrap();
        assert_eq!(one[0].to_bits(), two[0].to_bits());
    }
}
