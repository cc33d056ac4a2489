//! The generalized Pareto distribution of exceedances `y > 0` over a threshold, fitted by maximum
//! likelihood:
//!
//! `F(y) = 1 − (1 + ξ y/σ)^(−1/ξ)` (ξ ≠ 0), `1 − exp(−y/σ)` (ξ = 0), with `1 + ξy/σ > 0`.
//!
//! The fit reduces the two-parameter problem to one dimension (Grimshaw 1993): for θ = ξ/σ the
//! likelihood is maximised over ξ by `ξ(θ) = mean(log1p(θ y))`, leaving the profile
//! `h(θ) = ln(ξ(θ)/θ) + 1 + ξ(θ)` (= −ℓ/n) to minimise. A grid locates its minimum, on a strided
//! subsample for large samples, and Brent's method solves `h'(θ) = 0` on the whole sample. Every
//! sum runs over fixed chunks in parallel and adds them in order, so fits do not depend on the
//! thread count. The ξ → 0 limit is continuous: each term is evaluated in a form that is stable
//! there (`log1p(t)/t`, series of `t/(1+t) − log1p(t)`).
//!
//! The likelihood is unbounded for ξ < −1 (σ → ξ·max(y)): the fit is constrained to ξ ≥ −1, and
//! returns the boundary point ξ = −1, σ = max(y) when it beats every interior maximum.

use super::math::{chunked_sum, expm1_ratio, log1p_ratio, phi, phi_prime};
use super::optim::{brent_root, covariance};
use super::{check_sample, MIN_POINTS};
use crate::error::{Error, Result};
use crate::rng::Stream;

/// A fitted GPD (of the exceedances, location 0).
#[derive(Debug, Clone, PartialEq)]
pub struct GpdFit {
    pub xi: f64,
    pub sigma: f64,
    pub loglik: f64,
    /// Covariance of (ξ, σ), row-major, from the inverse observed information; `None` when it
    /// does not exist (ξ ≤ −0.5, or an information matrix that is not positive definite).
    pub cov: Option<[f64; 4]>,
    /// The fit lies on the boundary ξ = −1 of the constrained likelihood.
    pub boundary: bool,
}

/// The GPD log-likelihood of `y` at (ξ, σ); −inf outside the support.
pub fn loglik(y: &[f64], xi: f64, sigma: f64) -> f64 {
    if !(sigma > 0.0 && sigma.is_finite() && xi.is_finite()) {
        return f64::NEG_INFINITY;
    }
    let ln_sigma = sigma.ln();
    let [s] = chunked_sum(y, |c| {
        let mut s = 0.0;
        for &v in c {
            let q = v / sigma;
            let t = xi * q;
            if t <= -1.0 {
                return [f64::NEG_INFINITY];
            }
            s -= ln_sigma + t.ln_1p() + q * log1p_ratio(t);
        }
        [s]
    });
    if s.is_nan() {
        f64::NEG_INFINITY
    } else {
        s
    }
}

/// Means of `[ξ(θ), σ(θ), B, E]` over `y` at θ: `ξ(θ) = mean(log1p(θy))`, `σ(θ) = ξ(θ)/θ`
/// (`mean(y)` at θ = 0), `B = mean(y/(1+θy))` = ξ'(θ), `E = mean(y²φ(θy))` = σ'(θ).
fn profile_terms(y: &[f64], theta: f64) -> [f64; 4] {
    let sums = chunked_sum(y, |c| {
        let (mut a, mut g, mut b, mut e) = (0.0, 0.0, 0.0, 0.0);
        for &v in c {
            let t = theta * v;
            let l = t.ln_1p();
            let r = 1.0 / (1.0 + t);
            a += l;
            b += v * r;
            if t.abs() < 0.05 {
                g += v * log1p_ratio(t);
                e += v * v * phi(t);
            } else {
                g += l / theta;
                e += (t * r - l) / (theta * theta);
            }
        }
        [a, g, b, e]
    });
    let n = y.len() as f64;
    sums.map(|s| s / n)
}

/// `h(θ) = −ℓ*(θ)/n` from [`profile_terms`]; +inf where ξ(θ) ≤ −1 or off the support.
fn h_of(terms: &[f64; 4]) -> f64 {
    let [a, g, _, _] = *terms;
    if !(a > -1.0 && g > 0.0 && a.is_finite()) {
        return f64::INFINITY;
    }
    g.ln() + 1.0 + a
}

/// `h'(θ) = σ'/σ + ξ'`.
fn h_prime(terms: &[f64; 4]) -> f64 {
    let [_, g, b, e] = *terms;
    e / g + b
}

/// Samples above this size locate the optimum on a strided subsample first.
const SUBSAMPLE: usize = 4096;

/// The θ grid: towards the support's edge −1/max(y), through 0, and out to 10⁴/mean(y).
fn grid(ymax: f64, ymean: f64) -> Vec<f64> {
    let tmin = -1.0 / ymax;
    let mut g = Vec::with_capacity(80);
    for j in 1..=40 {
        g.push(tmin * (1.0 - 0.5f64.powf(j as f64 * 0.75)));
    }
    for j in 2..=12 {
        g.push(tmin * 0.5f64.powi(j));
    }
    g.push(0.0);
    for k in -20..=16 {
        g.push(10f64.powf(k as f64 / 4.0) / ymean);
    }
    g.sort_by(f64::total_cmp);
    g.dedup();
    g
}

/// Fits the GPD to exceedances `y` (all > 0) by maximum likelihood.
pub fn fit(y: &[f64]) -> Result<GpdFit> {
    check_sample(y, "exceedances", "")?;
    if let Some(v) = y.iter().find(|&&v| !(v > 0.0 && v.is_finite())) {
        return Err(crate::invalid!("exceedances must be positive and finite, got {v}"));
    }
    let n = y.len();
    let ymax = y.iter().copied().fold(0.0, f64::max);
    let ymean = y.iter().sum::<f64>() / n as f64;
    let thetas = grid(ymax, ymean);
    let stride = n.div_ceil(SUBSAMPLE);
    let sub: Vec<f64>;
    let coarse: &[f64] = if stride > 1 {
        sub = y.iter().step_by(stride).copied().collect();
        &sub
    } else {
        y
    };
    let hs: Vec<f64> = thetas.iter().map(|&t| h_of(&profile_terms(coarse, t))).collect();
    let best = (0..thetas.len()).min_by(|&a, &b| hs[a].total_cmp(&hs[b])).unwrap_or(0);
    let boundary_ll = -(n as f64) * ymax.ln();
    let mut interior: Option<(f64, f64, f64)> = None;
    if hs[best].is_finite() {
        // bracket h' = 0 on the full sample around the coarse minimum, widening if needed
        let (mut lo, mut hi) = (best.saturating_sub(1), (best + 1).min(thetas.len() - 1));
        let mut tl = profile_terms(y, thetas[lo]);
        let mut th = profile_terms(y, thetas[hi]);
        for _ in 0..thetas.len() {
            let left_ok = h_of(&tl).is_finite() && h_prime(&tl) < 0.0;
            let right_ok = h_of(&th).is_finite() && h_prime(&th) > 0.0;
            if left_ok && right_ok {
                break;
            }
            if !left_ok && lo > 0 && h_of(&tl).is_finite() {
                lo -= 1;
                tl = profile_terms(y, thetas[lo]);
            } else if !right_ok && hi + 1 < thetas.len() {
                hi += 1;
                th = profile_terms(y, thetas[hi]);
            } else {
                break;
            }
        }
        if h_of(&tl).is_finite() && h_of(&th).is_finite() && h_prime(&tl) < 0.0 && h_prime(&th) > 0.0 {
            let mut f = |t: f64| Ok(h_prime(&profile_terms(y, t)));
            let tol = 1e-14 * thetas[lo].abs().max(thetas[hi].abs());
            let theta = brent_root(&mut f, thetas[lo], thetas[hi], h_prime(&tl), h_prime(&th), tol)?;
            let terms = profile_terms(y, theta);
            if h_of(&terms).is_finite() {
                interior = Some((terms[0], terms[1], -(n as f64) * h_of(&terms)));
            }
        }
    }
    let (xi, sigma, ll, boundary) = match interior {
        Some((xi, sigma, ll)) if ll >= boundary_ll => (xi, sigma, ll, false),
        _ if hs[best].is_finite() || hs.iter().all(|h| !h.is_finite()) => (-1.0, ymax, boundary_ll, true),
        _ => return Err(Error::Internal("GPD fit: no optimum was bracketed".into())),
    };
    ensure_finite(xi, sigma, ll)?;
    let cov = if boundary || xi <= -0.5 { None } else { covariance(&hessian(y, xi, sigma), 2).map(to4) };
    Ok(GpdFit { xi, sigma, loglik: ll, cov, boundary })
}

fn to4(v: Vec<f64>) -> [f64; 4] {
    [v[0], v[1], v[2], v[3]]
}

fn ensure_finite(xi: f64, sigma: f64, ll: f64) -> Result<()> {
    if xi.is_finite() && sigma.is_finite() && sigma > 0.0 && ll.is_finite() {
        Ok(())
    } else {
        Err(crate::invalid!(
            "the GPD fit did not converge (xi = {xi}, sigma = {sigma}): the exceedances may be too few or too \
             heavy-tailed; try a lower threshold"
        ))
    }
}

/// The Hessian of the log-likelihood in (ξ, σ), row-major, computed analytically.
pub fn hessian(y: &[f64], xi: f64, sigma: f64) -> Vec<f64> {
    let [xx, xs, ss] = chunked_sum(y, |c| {
        let (mut xx, mut xs, mut ss) = (0.0, 0.0, 0.0);
        for &v in c {
            let q = v / sigma;
            let t = xi * q;
            let w = 1.0 + t;
            let w2 = w * w;
            xx += -q * q * q * phi_prime(t) + q * q / w2;
            xs += q * (1.0 - q) / (sigma * w2);
            ss += 1.0 / (sigma * sigma) + (xi + 1.0) * (q / (sigma * sigma)) * (-2.0 / w + t / w2);
        }
        [xx, xs, ss]
    });
    vec![xx, xs, xs, ss]
}

/// One GPD variate by inversion: `σ E expm1(ξE)/(ξE)` with `E` standard exponential.
#[inline]
pub fn draw(stream: &mut Stream, xi: f64, sigma: f64) -> f64 {
    let e = -(1.0 - stream.next_f64()).ln();
    sigma * e * expm1_ratio(xi * e)
}

/// The hint added to "too few exceedances" errors.
pub fn too_few_hint(threshold: f64) -> String {
    format!(" above the threshold {threshold}; lower the threshold (at least {MIN_POINTS} values must exceed it)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(xi: f64, sigma: f64, n: usize, seed: u64) -> Vec<f64> {
        let mut s = Stream::new(seed, 0);
        (0..n).map(|_| draw(&mut s, xi, sigma)).collect()
    }

    #[test]
    fn fits_recover_parameters_and_are_stationary() {
        for &(xi, n) in &[(-0.3, 5000), (0.0, 5000), (0.2, 50_000), (0.5, 3000), (-0.8, 2000)] {
            let y = sample(xi, 2.0, n, 11);
            let f = fit(&y).unwrap();
            assert!((f.xi - xi).abs() < 0.08, "xi {xi}: {f:?}");
            assert!((f.sigma / 2.0 - 1.0).abs() < 0.1, "sigma {xi}: {f:?}");
            // a maximum: the log-likelihood drops in every direction
            for (dx, ds) in [(1e-4, 0.0), (-1e-4, 0.0), (0.0, 1e-4), (0.0, -1e-4)] {
                assert!(loglik(&y, f.xi + dx, f.sigma * (1.0 + ds)) <= f.loglik + 1e-9 * f.loglik.abs());
            }
            assert!((loglik(&y, f.xi, f.sigma) - f.loglik).abs() < 1e-8 * f.loglik.abs());
        }
    }

    #[test]
    fn hessian_matches_finite_differences() {
        for &(xi, s) in &[(0.2, 1.5), (1e-9, 1.4), (-0.2, 1.6)] {
            let y = sample(xi, s, 400, 3);
            let h = hessian(&y, xi, s);
            let f = |x: &[f64]| loglik(&y, x[0], x[1]);
            let (_, fd) = super::super::optim::fd_derivatives(&f, &[xi, s], &[1e-4, 1e-4]);
            for k in 0..4 {
                assert!((h[k] - fd[k]).abs() < 1e-4 * fd[k].abs().max(1.0), "{k}: {} vs {}", h[k], fd[k]);
            }
        }
    }

    #[test]
    fn thread_count_does_not_change_the_fit() {
        let y = sample(0.2, 1.0, 100_000, 7);
        let one = crate::parallel::with_threads(Some(1), || fit(&y)).unwrap().unwrap();
        let two = crate::parallel::with_threads(Some(2), || fit(&y)).unwrap().unwrap();
        assert_eq!(one, two);
    }

    #[test]
    fn uniform_data_reach_the_boundary_or_near_it() {
        let y: Vec<f64> = (1..=200).map(|i| i as f64 / 200.0).collect();
        let f = fit(&y).unwrap();
        assert!(f.xi <= -0.9, "{f:?}");
        assert!(f.cov.is_none());
    }
}
