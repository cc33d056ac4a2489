//! The generalized extreme value distribution of block maxima, fitted by maximum likelihood:
//!
//! `G(x) = exp(−(1 + ξ (x − μ)/σ)^(−1/ξ))` (ξ ≠ 0), `exp(−exp(−(x − μ)/σ))` (ξ = 0, Gumbel).
//!
//! Start from Hosking's probability-weighted moments (the Gumbel moments where those fail), then
//! Nelder–Mead in (μ, ln σ, ξ), restarted once, then Newton polishing. Every term is evaluated in a
//! form continuous through ξ = 0 (`log1p(t)/t`), so the Gumbel limit needs no special case. As for
//! the GPD, the likelihood is unbounded for ξ < −1: the fit is constrained to ξ > −1.

use super::check_sample;
use super::math::{chunked_sum, expm1_ratio, log1p_ratio};
use crate::control::Control;
use crate::error::{try_collect, Result};
use crate::optim::{covariance, fd_derivatives, nelder_mead, newton_polish};
use crate::rng::Stream;
use crate::special::ln_gamma;

/// A fitted GEV.
#[derive(Debug, Clone, PartialEq)]
pub struct GevFit {
    pub mu: f64,
    pub sigma: f64,
    pub xi: f64,
    pub loglik: f64,
    /// Covariance of (μ, σ, ξ), row-major, from the inverse observed information; `None` when it
    /// does not exist (ξ ≤ −0.5, or an information matrix that is not positive definite).
    pub cov: Option<[f64; 9]>,
}

/// The GEV log-likelihood of `x` at (μ, σ, ξ); −inf outside the support or for ξ ≤ −1.
pub fn loglik(x: &[f64], mu: f64, sigma: f64, xi: f64) -> f64 {
    if !(sigma > 0.0 && sigma.is_finite() && xi > -1.0 && xi.is_finite() && mu.is_finite()) {
        return f64::NEG_INFINITY;
    }
    let ln_sigma = sigma.ln();
    let [s] = chunked_sum(x, |c| {
        let mut s = 0.0;
        for &v in c {
            let z = (v - mu) / sigma;
            let t = xi * z;
            if t <= -1.0 {
                return [f64::NEG_INFINITY];
            }
            let lz = z * log1p_ratio(t);
            s -= ln_sigma + t.ln_1p() + lz + (-lz).exp();
        }
        [s]
    });
    if s.is_nan() {
        f64::NEG_INFINITY
    } else {
        s
    }
}

/// Starting values (μ, σ, ξ) from Hosking, Wallis & Wood's (1985) probability-weighted moments.
fn pwm_start(x: &[f64]) -> Result<(f64, f64, f64)> {
    let mut s = try_collect(x.iter().copied(), "a copy of the block maxima")?;
    s.sort_by(f64::total_cmp);
    let n = s.len() as f64;
    let (mut b0, mut b1, mut b2) = (0.0, 0.0, 0.0);
    for (i, &v) in s.iter().enumerate() {
        let i = i as f64;
        b0 += v;
        b1 += v * i / (n - 1.0);
        b2 += v * i * (i - 1.0) / ((n - 1.0) * (n - 2.0));
    }
    (b0, b1, b2) = (b0 / n, b1 / n, b2 / n);
    let c = (2.0 * b1 - b0) / (3.0 * b2 - b0) - 2f64.ln() / 3f64.ln();
    let k = 7.8590 * c + 2.9554 * c * c;
    let l2 = 2.0 * b1 - b0;
    if k.is_finite() && k.abs() > 1e-6 && k < 0.9 && k > -1.5 {
        let g = ln_gamma(1.0 + k).exp();
        let sigma = l2 * k / (g * (1.0 - 2f64.powf(-k)));
        let mu = b0 + sigma * (g - 1.0) / k;
        if sigma > 0.0 && sigma.is_finite() && mu.is_finite() {
            return Ok((mu, sigma, -k));
        }
    }
    let sigma = (l2 / 2f64.ln()).max(f64::MIN_POSITIVE);
    Ok((b0 - 0.577_215_664_901_532_9 * sigma, sigma, 0.0))
}

/// Fits the GEV to block maxima `x` by maximum likelihood.
pub fn fit(x: &[f64], control: &Control) -> Result<GevFit> {
    check_sample(x, "block maxima", "")?;
    let (mut mu0, mut s0, mut xi0) = pwm_start(x)?;
    if !loglik(x, mu0, s0, xi0).is_finite() {
        let n = x.len() as f64;
        let m = x.iter().sum::<f64>() / n;
        let sd = (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (n - 1.0)).sqrt();
        (s0, xi0) = (sd * 6f64.sqrt() / std::f64::consts::PI, 0.0);
        mu0 = m - 0.577_215_664_901_532_9 * s0;
    }
    let neg = |p: &[f64]| -loglik(x, p[0], p[1].exp(), p[2]);
    let scale = s0;
    let mut p = vec![mu0, s0.ln(), xi0];
    let mut best = f64::INFINITY;
    for round in 0..2 {
        let step = if round == 0 { [0.3 * scale, 0.3, 0.2] } else { [0.02 * scale, 0.02, 0.02] };
        let (q, v) = nelder_mead(&neg, &p, &step, 1e-9 * best.abs().clamp(1.0, 1e300), 1e-6, 3000, control)?;
        if v <= best {
            (p, best) = (q, v);
        }
    }
    let ll = |q: &[f64]| loglik(x, q[0], q[1].exp(), q[2]);
    newton_polish(&ll, &mut p, &|_: &[f64]| vec![1e-4 * scale, 1e-4, 1e-4], 10);
    let (mu, sigma, xi) = (p[0], p[1].exp(), p[2]);
    let loglik_max = loglik(x, mu, sigma, xi);
    if !(loglik_max.is_finite() && sigma.is_finite()) {
        return Err(crate::invalid!("the GEV fit did not converge (mu = {mu}, sigma = {sigma}, xi = {xi})"));
    }
    let cov = if xi <= -0.5 {
        None
    } else {
        let f = |q: &[f64]| loglik(x, q[0], q[1], q[2]);
        let (_, hess) = fd_derivatives(&f, &[mu, sigma, xi], &[1e-4 * sigma, 1e-4 * sigma, 1e-4]);
        covariance(&hess, 3).map(|v| {
            let mut a = [0.0; 9];
            a.copy_from_slice(&v);
            a
        })
    };
    Ok(GevFit { mu, sigma, xi, loglik: loglik_max, cov })
}

/// One GEV variate by inversion.
#[inline]
pub fn draw(stream: &mut Stream, mu: f64, sigma: f64, xi: f64) -> f64 {
    let e = -(1.0 - stream.next_f64()).ln();
    let l = -e.ln();
    mu + sigma * l * expm1_ratio(xi * l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_recover_parameters() {
        for &xi in &[-0.3, 0.0, 0.2, 0.5] {
            let mut s = Stream::new(5, 1);
            let x: Vec<f64> = (0..3000).map(|_| draw(&mut s, 10.0, 2.0, xi)).collect();
            let f = fit(&x, &Control::new()).unwrap();
            assert!((f.xi - xi).abs() < 0.06, "{xi}: {f:?}");
            assert!((f.mu - 10.0).abs() < 0.2 && (f.sigma - 2.0).abs() < 0.15, "{f:?}");
            let ll = |q: &[f64]| loglik(&x, q[0], q[1], q[2]);
            let (g, _) = fd_derivatives(&ll, &[f.mu, f.sigma, f.xi], &[1e-6, 1e-6, 1e-6]);
            assert!(g.iter().all(|v| v.abs() < 1e-3), "gradient {g:?}");
            assert!(f.cov.is_some());
        }
    }
}
