//! The alternative distributions of `powerlaw` (exponential, stretched exponential, truncated
//! power law, lognormal) fitted to the same tail by maximum likelihood, and the log-likelihood
//! ratio test (Vuong's normalised test, or the chi-square test for nested pairs).

use super::fit::PowerLaw;
use super::optimize::nelder_mead;
use crate::ensure;
use crate::error::Result;
use crate::special::{chi2_sf, ln_gamma};
use std::f64::consts::PI;

/// A distribution `distribution_compare` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alternative {
    PowerLaw,
    Exponential,
    StretchedExponential,
    TruncatedPowerLaw,
    Lognormal,
}

impl Alternative {
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "power_law" => Self::PowerLaw,
            "exponential" => Self::Exponential,
            "stretched_exponential" => Self::StretchedExponential,
            "truncated_power_law" => Self::TruncatedPowerLaw,
            "lognormal" => Self::Lognormal,
            other => {
                return Err(crate::invalid!(
                    "unknown distribution {other:?}: expected 'power_law', 'exponential', \
                     'stretched_exponential', 'truncated_power_law' or 'lognormal'"
                ))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::PowerLaw => "power_law",
            Self::Exponential => "exponential",
            Self::StretchedExponential => "stretched_exponential",
            Self::TruncatedPowerLaw => "truncated_power_law",
            Self::Lognormal => "lognormal",
        }
    }

    /// powerlaw's parameter names, in its order.
    pub fn parameter_names(self) -> &'static [&'static str] {
        match self {
            Self::PowerLaw => &["alpha"],
            Self::Exponential => &["Lambda"],
            Self::StretchedExponential => &["Lambda", "beta"],
            Self::TruncatedPowerLaw => &["alpha", "Lambda"],
            Self::Lognormal => &["mu", "sigma"],
        }
    }
}

/// ln erfc(t), accurate in the far upper tail where erfc underflows.
fn ln_erfc(t: f64) -> f64 {
    if t < 26.0 {
        libm::erfc(t).ln()
    } else {
        let u = 1.0 / (2.0 * t * t);
        let series = 1.0 - u + 3.0 * u * u - 15.0 * u * u * u + 105.0 * u * u * u * u;
        -t * t - t.ln() - 0.5 * PI.ln() + series.ln()
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
        // Continued fraction (modified Lentz), valid for every real a.
        const TINY: f64 = 1e-300;
        let mut b = z + 1.0 - a;
        let mut c = 1.0 / TINY;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..100_000 {
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
        -z + a * z.ln() + h.ln()
    } else {
        a * z.ln() + scaled_upper_gamma_small(a, z).ln()
    }
}

/// The log-likelihood of each tail value under `dist` with parameters `p` (continuous forms).
fn loglik_continuous(dist: Alternative, p: &[f64], xmin: f64, x: &[f64], ln_x: &[f64], out: &mut Vec<f64>) {
    out.clear();
    match dist {
        Alternative::PowerLaw => {
            let a = p[0];
            let c = (a - 1.0).ln() + (a - 1.0) * xmin.ln();
            out.extend(ln_x.iter().map(|l| c - a * l));
        }
        Alternative::Exponential => {
            let l = p[0];
            out.extend(x.iter().map(|v| l.ln() + l * (xmin - v)));
        }
        Alternative::StretchedExponential => {
            let (l, b) = (p[0], p[1]);
            let c = b.ln() + l.ln() + (l * xmin).powf(b);
            out.extend(x.iter().zip(ln_x).map(|(v, lv)| c + (b - 1.0) * (l.ln() + lv) - (l * v).powf(b)));
        }
        Alternative::TruncatedPowerLaw => {
            let (a, l) = (p[0], p[1]);
            let c = (1.0 - a) * l.ln() - ln_upper_gamma(1.0 - a, l * xmin);
            out.extend(x.iter().zip(ln_x).map(|(v, lv)| c - a * lv - l * v));
        }
        Alternative::Lognormal => {
            let (mu, s) = (p[0], p[1]);
            let c = -s.ln() - 0.5 * (PI / 2.0).ln() - ln_erfc((xmin.ln() - mu) / (s * std::f64::consts::SQRT_2));
            out.extend(ln_x.iter().map(|lv| c - lv - (lv - mu) * (lv - mu) / (2.0 * s * s)));
        }
    }
}

/// A fitted alternative: its parameters (powerlaw's names and order) and log-likelihoods.
#[derive(Debug, Clone)]
pub struct Fitted {
    pub dist: Alternative,
    pub parameters: Vec<f64>,
    pub loglikelihoods: Vec<f64>,
}

fn logistic(u: f64) -> f64 {
    1.0 / (1.0 + (-u).exp())
}

/// Fit `dist` to the power-law fit's tail by maximum likelihood (powerlaw's starting values and
/// parameter ranges, a tighter optimiser: the same optimum or a higher likelihood).
pub fn fit_alternative(fit: &PowerLaw, dist: Alternative) -> Result<Fitted> {
    ensure!(
        !fit.options.discrete || dist == Alternative::PowerLaw,
        "distribution_compare against {} is implemented for continuous fits only",
        dist.name()
    );
    ensure!(
        fit.options.xmax.is_none() || dist == Alternative::PowerLaw,
        "distribution_compare against {} is not implemented with xmax",
        dist.name()
    );
    if dist == Alternative::PowerLaw {
        return Ok(Fitted { dist, parameters: vec![fit.alpha], loglikelihoods: fit.loglikelihoods() });
    }
    let x = fit.tail();
    let ln_x = &fit.sample.ln_x[fit.tail_start..];
    let xmin = fit.xmin;
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let mut buf = Vec::with_capacity(x.len());
    let parameters = match dist {
        Alternative::PowerLaw => vec![fit.alpha],
        Alternative::Exponential => vec![1.0 / (mean - xmin)],
        Alternative::StretchedExponential => {
            let cost = |u: &[f64]| {
                let mut b = Vec::with_capacity(x.len());
                loglik_continuous(dist, &[u[0].exp(), u[1].exp()], xmin, x, ln_x, &mut b);
                -b.iter().sum::<f64>()
            };
            let (u, _) = nelder_mead(cost, &[(1.0 / mean).ln(), 0.0], 0.1);
            vec![u[0].exp(), u[1].exp()]
        }
        Alternative::TruncatedPowerLaw => {
            let a0 = (1.0 + n / ln_x.iter().map(|l| l - xmin.ln()).sum::<f64>()).clamp(0.01, 2.99);
            let cost = |u: &[f64]| {
                let mut b = Vec::with_capacity(x.len());
                loglik_continuous(dist, &[3.0 * logistic(u[0]), u[1].exp()], xmin, x, ln_x, &mut b);
                -b.iter().sum::<f64>()
            };
            let u0 = [(a0 / (3.0 - a0)).ln(), (1.0 / mean).ln()];
            let (u, _) = nelder_mead(cost, &u0, 0.1);
            vec![3.0 * logistic(u[0]), u[1].exp()]
        }
        Alternative::Lognormal => {
            let mu0 = ln_x.iter().sum::<f64>() / n;
            let sd0 = (ln_x.iter().map(|l| (l - mu0) * (l - mu0)).sum::<f64>() / n).sqrt().max(1e-3);
            let cost = |u: &[f64]| {
                let mut b = Vec::with_capacity(x.len());
                loglik_continuous(dist, &[u[0], u[1].exp()], xmin, x, ln_x, &mut b);
                -b.iter().sum::<f64>()
            };
            let (u, _) = nelder_mead(cost, &[mu0, sd0.ln()], 0.1);
            vec![u[0], u[1].exp()]
        }
    };
    loglik_continuous(dist, &parameters, xmin, x, ln_x, &mut buf);
    Ok(Fitted { dist, parameters, loglikelihoods: buf })
}

/// The outcome of `distribution_compare`.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub r: f64,
    pub p: f64,
    pub first: Fitted,
    pub second: Fitted,
}

/// powerlaw's `loglikelihood_ratio`: R = Σ (ℓ1 − ℓ2); p from the chi-square(1) law of 2|R| for
/// nested pairs, else erfc(|R| / √(2 n var)); R / √(n var) when `normalized_ratio`.
pub fn compare(
    fit: &PowerLaw,
    a: Alternative,
    b: Alternative,
    nested: Option<bool>,
    normalized_ratio: bool,
) -> Result<Comparison> {
    let first = fit_alternative(fit, a)?;
    let second = fit_alternative(fit, b)?;
    let nested = nested.unwrap_or_else(|| a.name().contains(b.name()) || b.name().contains(a.name()));
    let l1 = &first.loglikelihoods;
    let l2 = &second.loglikelihoods;
    let n = l1.len() as f64;
    let floor = (10f64).powi(f64::MIN_10_EXP).ln();
    let clean = |v: f64| if v == f64::NEG_INFINITY { floor } else { v };
    let diffs: Vec<f64> = l1.iter().zip(l2).map(|(x, y)| clean(*x) - clean(*y)).collect();
    let r: f64 = diffs.iter().sum();
    let mean_diff = l1.iter().map(|v| clean(*v)).sum::<f64>() / n - l2.iter().map(|v| clean(*v)).sum::<f64>() / n;
    let variance = diffs.iter().map(|d| (d - mean_diff) * (d - mean_diff)).sum::<f64>() / n;
    let p = if nested { chi2_sf((2.0 * r).abs(), 1.0) } else { libm::erfc(r.abs() / (2.0 * n * variance).sqrt()) };
    let r = if normalized_ratio { r / (n * variance).sqrt() } else { r };
    Ok(Comparison { r, p, first, second })
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
}
