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

use super::math::{chunked_sum, expm1_ratio, log1p_ratio, phi_prime};
use super::{check_sample, MIN_POINTS};
use crate::control::Control;
use crate::error::Result;
use crate::optim::{brent_root, covariance};
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

/// `f(t) = t/(1+t) − log1p(t)` given `l = log1p(t)` and `r = 1/(1+t)`; a series near 0, where the
/// direct form cancels.
#[inline]
fn f_of(t: f64, l: f64, r: f64) -> f64 {
    if t.abs() < 1e-3 {
        // -t^2/2 + 2t^3/3 - 3t^4/4 + 4t^5/5 - 5t^6/6 + 6t^7/7
        let t2 = t * t;
        t2 * (-0.5 + t * (2.0 / 3.0 + t * (-0.75 + t * (0.8 + t * (-5.0 / 6.0 + t * (6.0 / 7.0))))))
    } else {
        t * r - l
    }
}

/// Means of `[ξ(θ), σ(θ), B, E]` over `y` at θ: `ξ(θ) = mean(log1p(θy))`, `σ(θ) = ξ(θ)/θ`
/// (`mean(y)` at θ = 0), `B = mean(y/(1+θy))` = ξ'(θ), `E = mean(f(θy))/θ²` = σ'(θ)
/// (`−mean(y²)/2` at θ = 0).
fn profile_terms(y: &[f64], theta: f64, control: &Control) -> [f64; 4] {
    let t = profile_terms_c(y, theta, control);
    [t[0], t[1], t[2], t[3]]
}

/// [`profile_terms`] and, for Newton steps and the Hessian, `C = mean(y²/(1+θy)²)` (= −B'),
/// `K = mean(y³ φ'(θy))` and `D = mean(y/(1+θy)²)`.
fn profile_terms_c(y: &[f64], theta: f64, control: &Control) -> [f64; 7] {
    let n = y.len() as f64;
    if theta == 0.0 {
        let [s1, s2] = chunked_sum(y, |c| [c.iter().sum(), c.iter().map(|v| v * v).sum()]);
        return [0.0, s1 / n, s1 / n, -0.5 * s2 / n, s2 / n, f64::NAN, f64::NAN];
    }
    let [a, b, f, c2, k, d] = chunked_sum(y, |c| {
        if control.is_cancelled() {
            return [f64::NAN; 6]; // the caller checks the control after the pass
        }
        let (mut a, mut b, mut f, mut c2, mut k, mut d) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for &v in c {
            let t = theta * v;
            let l = t.ln_1p();
            let r = 1.0 / (1.0 + t);
            let fi = f_of(t, l, r);
            let vr = v * r;
            a += l;
            b += vr;
            c2 += vr * vr;
            d += vr * r;
            f += fi;
            // t³ φ'(t) = −(r²t² + 2f(t)); a series near 0, where that cancels
            k += if t.abs() < 1e-3 {
                t * t * t * (2.0 / 3.0 + t * (-1.5 + t * (2.4 + t * (-10.0 / 3.0 + t * (30.0 / 7.0)))))
            } else {
                -((r * t) * (r * t) + 2.0 * fi)
            };
        }
        [a, b, f, c2, k, d]
    });
    let a = a / n;
    [a, a / theta, b / n, f / n / (theta * theta), c2 / n, k / n / (theta * theta * theta), d / n]
}

/// The observed-information Hessian (in (ξ, σ)) of `n` exceedances from the means of
/// [`profile_terms_c`] at θ = ξ/σ.
fn hessian_from_terms(terms: &[f64; 7], n: f64) -> Vec<f64> {
    let [xi, sigma, b, _, c, k, d] = *terms;
    let theta = xi / sigma;
    let s2 = sigma * sigma;
    let s3 = s2 * sigma;
    let xx = -k / s3 + c / s2;
    let xs = d / s2 - c / s3;
    let ss = 1.0 / s2 + (xi + 1.0) / s3 * (-2.0 * b + theta * c);
    vec![n * xx, n * xs, n * xs, n * ss]
}

/// The solution of Newton's method: θ, ξ, σ, the log-likelihood and the Hessian.
struct Solved {
    xi: f64,
    sigma: f64,
    loglik: f64,
    hessian: Vec<f64>,
}

/// Newton's method on `h'(θ) = 0` from a nearby `theta0`, with `h'' = E'/σ − E²/σ² − C` and
/// `E' = −(C + 2E)/θ`. Once a step is below 1e-6 relative (the next would be below about
/// 1e-12), it is taken to first order in ξ and σ and second order in the log-likelihood
/// without another pass, and the Hessian comes from the same pass. `None` when a step
/// misbehaves (the caller then brackets).
fn newton(y: &[f64], theta0: f64, tmin: f64, scale: f64, control: &Control) -> Option<Solved> {
    let n = y.len() as f64;
    let mut theta = theta0;
    for _ in 0..12 {
        if theta.abs() * scale < 1e-6 {
            return None; // E' cancels near θ = 0
        }
        let terms = profile_terms_c(y, theta, control);
        let [a, g, b, e, c, _, _] = terms;
        let h = h_of(&[a, g, b, e]);
        if !h.is_finite() {
            return None;
        }
        let d1 = e / g + b;
        let d2 = -(c + 2.0 * e) / theta / g - e * e / (g * g) - c;
        if !(d2 > 0.0 && d1.is_finite()) {
            return None;
        }
        let step = -d1 / d2;
        if step.abs() > 0.5 * theta.abs().max(1.0 / scale) || theta + step <= tmin {
            return None;
        }
        if step.abs() <= 1e-6 * theta.abs() {
            return Some(Solved {
                xi: a + b * step,
                sigma: g + e * step,
                loglik: -n * (h + d1 * step + 0.5 * d2 * step * step),
                hessian: hessian_from_terms(&terms, n),
            });
        }
        theta += step;
    }
    None
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

/// Samples above twice this size locate the optimum on a strided subsample first.
const SUBSAMPLE: usize = 2048;

/// The θ grid: towards the support's edge −1/max(y), through 0, and out to 10⁴/mean(y).
fn grid(ymax: f64, ymean: f64) -> Vec<f64> {
    let tmin = -1.0 / ymax;
    let mut g = Vec::with_capacity(64);
    for j in 1..=14 {
        g.push(tmin * (1.0 - 0.5f64.powf(j as f64 * 2.0)));
    }
    for j in 2..=8 {
        g.push(tmin * 0.5f64.powi(j));
    }
    g.push(0.0);
    for k in -6..=6 {
        g.push(10f64.powf(k as f64 / 1.5) / ymean);
    }
    g.sort_by(f64::total_cmp);
    g.dedup();
    g
}

/// The interior minimiser of `h` on `y` located on the grid `thetas` and solved by Brent's
/// method (`None` when `h` has no interior minimum with ξ > −1).
fn locate(y: &[f64], thetas: &[f64], rtol: f64, control: &Control) -> Result<Option<f64>> {
    let hs: Vec<f64> = thetas.iter().map(|&t| h_of(&profile_terms(y, t, control))).collect();
    control.check()?;
    let best = (0..thetas.len()).min_by(|&a, &b| hs[a].total_cmp(&hs[b])).unwrap_or(0);
    if !hs[best].is_finite() {
        return Ok(None);
    }
    let (mut lo, mut hi) = (best.saturating_sub(1), (best + 1).min(thetas.len() - 1));
    let mut tl = profile_terms(y, thetas[lo], control);
    let mut th = profile_terms(y, thetas[hi], control);
    for _ in 0..thetas.len() {
        let left_ok = h_of(&tl).is_finite() && h_prime(&tl) < 0.0;
        let right_ok = h_of(&th).is_finite() && h_prime(&th) > 0.0;
        if left_ok && right_ok {
            let mut f = |t: f64| {
                control.check()?;
                Ok(h_prime(&profile_terms(y, t, control)))
            };
            let tol = rtol * thetas[lo].abs().max(thetas[hi].abs());
            return brent_root(&mut f, thetas[lo], thetas[hi], h_prime(&tl), h_prime(&th), tol).map(Some);
        }
        if !left_ok && lo > 0 && h_of(&tl).is_finite() {
            lo -= 1;
            tl = profile_terms(y, thetas[lo], control);
        } else if !right_ok && hi + 1 < thetas.len() {
            hi += 1;
            th = profile_terms(y, thetas[hi], control);
        } else {
            break;
        }
    }
    Ok(None)
}

/// Solves `h'(θ) = 0` on `y` from a nearby `theta0` (a subsample's solution): steps out from it to
/// bracket the root, then Brent. `None` if no bracket is found within the support.
fn refine(y: &[f64], theta0: f64, tmin: f64, scale: f64, control: &Control) -> Result<Option<f64>> {
    let t0 = profile_terms(y, theta0, control);
    let g0 = h_prime(&t0);
    if !h_of(&t0).is_finite() {
        return Ok(None);
    }
    if g0 == 0.0 {
        return Ok(Some(theta0));
    }
    let dir = if g0 < 0.0 { 1.0 } else { -1.0 };
    let mut step = 0.02 * theta0.abs().max(scale);
    let (mut a, mut ga) = (theta0, g0);
    for _ in 0..40 {
        let mut b = a + dir * step;
        if b <= tmin {
            b = 0.5 * (a + tmin);
        }
        let tb = profile_terms(y, b, control);
        if !h_of(&tb).is_finite() {
            return Ok(None);
        }
        let gb = h_prime(&tb);
        if (gb > 0.0) != (ga > 0.0) || gb == 0.0 {
            let tol = 1e-14 * a.abs().max(b.abs());
            let (lo, hi, glo, ghi) = if a < b { (a, b, ga, gb) } else { (b, a, gb, ga) };
            let mut f = |t: f64| {
                control.check()?;
                Ok(h_prime(&profile_terms(y, t, control)))
            };
            return brent_root(&mut f, lo, hi, glo, ghi, tol).map(Some);
        }
        (a, ga) = (b, gb);
        step *= 2.0;
    }
    Ok(None)
}

/// Fits the GPD to exceedances `y` (all > 0) by maximum likelihood.
pub fn fit(y: &[f64], control: &Control) -> Result<GpdFit> {
    check_sample(y, "exceedances", "")?;
    if let Some(v) = y.iter().find(|&&v| !(v > 0.0 && v.is_finite())) {
        return Err(crate::invalid!("exceedances must be positive and finite, got {v}"));
    }
    let n = y.len();
    let ymax = y.iter().copied().fold(0.0, f64::max);
    let ymean = y.iter().sum::<f64>() / n as f64;
    let thetas = grid(ymax, ymean);
    let tmin = -1.0 / ymax;
    let finish = |t: f64| -> Solved {
        let terms = profile_terms(y, t, control);
        let ll = -(n as f64) * h_of(&terms);
        Solved { xi: terms[0], sigma: terms[1], loglik: ll, hessian: vec![] }
    };
    let mut found: Option<Solved> = None;
    if n > 2 * SUBSAMPLE {
        let stride = n.div_ceil(SUBSAMPLE);
        let sub: Vec<f64> = y.iter().step_by(stride).copied().collect();
        if let Some(t) = locate(&sub, &thetas, 1e-8, control)? {
            found = newton(y, t, tmin, ymean, control);
            control.check()?;
            if found.is_none() {
                found = refine(y, t, tmin, 1.0 / ymean, control)?.map(finish);
            }
        }
    }
    control.check()?;
    if found.is_none() {
        found = locate(y, &thetas, 1e-14, control)?.map(finish);
    }
    control.check()?;
    let interior = found.filter(|s| s.loglik.is_finite());
    let boundary_ll = -(n as f64) * ymax.ln();
    let (xi, sigma, ll, boundary, hess) = match interior {
        Some(s) if s.loglik >= boundary_ll => (s.xi, s.sigma, s.loglik, false, s.hessian),
        _ => (-1.0, ymax, boundary_ll, true, vec![]),
    };
    ensure_finite(xi, sigma, ll)?;
    let cov = if boundary || xi <= -0.5 {
        None
    } else if hess.len() == 4 {
        covariance(&hess, 2).map(to4)
    } else {
        covariance(&hessian(y, xi, sigma), 2).map(to4)
    };
    control.check()?;
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
            let f = fit(&y, &Control::new()).unwrap();
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
            let (_, fd) = crate::optim::fd_derivatives(&f, &[xi, s], &[1e-4, 1e-4]);
            for k in 0..4 {
                assert!((h[k] - fd[k]).abs() < 1e-4 * fd[k].abs().max(1.0), "{k}: {} vs {}", h[k], fd[k]);
            }
        }
    }

    #[test]
    fn newton_path_hessian_and_loglik_match_direct_ones() {
        for &xi in &[-0.3, 0.2, 0.6] {
            let y = sample(xi, 1.0, 30_000, 8);
            let f = fit(&y, &Control::new()).unwrap();
            let direct = covariance(&hessian(&y, f.xi, f.sigma), 2).unwrap();
            let c = f.cov.unwrap();
            for k in 0..4 {
                assert!((c[k] / direct[k] - 1.0).abs() < 1e-5, "{xi} {k}: {c:?} vs {direct:?}");
            }
            assert!((loglik(&y, f.xi, f.sigma) - f.loglik).abs() < 1e-10 * f.loglik.abs(), "{xi}");
        }
    }

    #[test]
    fn thread_count_does_not_change_the_fit() {
        let y = sample(0.2, 1.0, 100_000, 7);
        let one = crate::parallel::with_threads(Some(1), || fit(&y, &Control::new())).unwrap().unwrap();
        let two = crate::parallel::with_threads(Some(2), || fit(&y, &Control::new())).unwrap().unwrap();
        assert_eq!(one, two);
    }

    #[test]
    fn uniform_data_reach_the_boundary_or_near_it() {
        let y: Vec<f64> = (1..=200).map(|i| i as f64 / 200.0).collect();
        let f = fit(&y, &Control::new()).unwrap();
        assert!(f.xi <= -0.9, "{f:?}");
        assert!(f.cov.is_none());
    }
}
