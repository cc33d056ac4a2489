//! The alternative distributions of `powerlaw` (exponential, stretched exponential, truncated
//! power law, lognormal), continuous or discrete, fitted to the same tail [x_min, x_max] by
//! maximum likelihood, and the log-likelihood ratio test (Vuong's normalised test, or the
//! chi-square test for nested pairs).

use super::density::{Model, Support};
use super::fit::PowerLaw;
use super::optimize::minimise;
use crate::control::Control;
use crate::ensure;
use crate::error::{try_with_capacity, Result};
use crate::special::chi2_sf;

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

/// The distinct tail values with their logarithms and multiplicities: the likelihood's sum runs
/// over them (discrete tails repeat values many times).
struct Distinct {
    x: Vec<f64>,
    ln_x: Vec<f64>,
    count: Vec<f64>,
}

impl Distinct {
    fn of_tail(fit: &PowerLaw) -> Result<Self> {
        let s = &fit.sample;
        let firsts = &s.uniq[s.uniq_from(fit.tail_start)..];
        let mut d = Self {
            x: try_with_capacity(firsts.len(), "the distinct tail values")?,
            ln_x: try_with_capacity(firsts.len(), "the distinct tail values")?,
            count: try_with_capacity(firsts.len(), "the distinct tail values")?,
        };
        for (j, &i) in firsts.iter().enumerate() {
            let next = firsts.get(j + 1).copied().unwrap_or(s.len());
            d.x.push(s.x[i]);
            d.ln_x.push(s.ln_x[i]);
            d.count.push((next - i) as f64);
        }
        Ok(d)
    }

    /// Σ count · f(x, ln x).
    fn total(&self, f: impl Fn(f64, f64) -> f64) -> f64 {
        self.x.iter().zip(&self.ln_x).zip(&self.count).map(|((x, l), c)| c * f(*x, *l)).sum()
    }
}

/// Fit `dist` to the power-law fit's tail [x_min, x_max] by maximum likelihood (powerlaw's
/// starting values and parameter ranges, a tighter optimiser: the same optimum or a higher
/// likelihood), in its continuous or discrete form as the fit is (see `density`).
pub fn fit_alternative(fit: &PowerLaw, dist: Alternative, control: &Control) -> Result<Fitted> {
    if dist == Alternative::PowerLaw {
        return Ok(Fitted { dist, parameters: vec![fit.alpha], loglikelihoods: fit.loglikelihoods() });
    }
    let support = Support { xmin: fit.xmin, xmax: fit.options.xmax, discrete: fit.options.discrete };
    let pts = Distinct::of_tail(fit)?;
    ensure!(
        pts.x.len() >= 2,
        "every tail value equals xmin = {}: the {} fit has no maximum-likelihood parameters",
        fit.xmin,
        dist.name()
    );
    let model = Model::new(dist, support)?;
    let n = fit.n() as f64;
    let xmin = fit.xmin;
    let mean = pts.total(|x, _| x) / n;
    let mean_ln = pts.total(|_, l| l) / n;
    // The maximum-likelihood parameters `from(u)` over unconstrained u, from the best of `starts`.
    let minimise_over = |from: &dyn Fn(&[f64]) -> Vec<f64>, starts: &[&[f64]]| -> Result<Vec<f64>> {
        let cost = |u: &[f64]| -pts.total(model.log_density(&from(u)));
        let mut best: Option<(Vec<f64>, f64)> = None;
        for u0 in starts {
            let (u, v) = minimise(cost, u0, 0.1, control)?;
            if best.as_ref().is_none_or(|b| v < b.1) {
                best = Some((u, v));
            }
        }
        Ok(best.map_or_else(Vec::new, |(u, _)| from(&u)))
    };
    let parameters = match dist {
        Alternative::PowerLaw => vec![fit.alpha],
        Alternative::Exponential => {
            // The closed form without x_max (continuous: 1 / (mean − x_min); discrete, the
            // geometric law: ln(1 + 1 / (mean − x_min))); with x_max, the optimum from there.
            let lambda = if support.discrete { (1.0 / (mean - xmin)).ln_1p() } else { 1.0 / (mean - xmin) };
            match support.xmax {
                None => vec![lambda],
                Some(_) => minimise_over(&|u| vec![u[0].exp()], &[&[lambda.ln()]])?,
            }
        }
        Alternative::StretchedExponential => {
            minimise_over(&|u| vec![u[0].exp(), u[1].exp()], &[&[(1.0 / mean).ln(), 0.0]])?
        }
        Alternative::TruncatedPowerLaw => {
            // powerlaw's start, and next to the fitted power law (which this law contains: a
            // negligible cut-off): a simplex from the first alone can run into the flat corner
            // alpha → 3, lambda → 0 and stop there (seen on a discrete tail with x_max).
            let logit = |a: f64| (a / (3.0 - a)).ln();
            let a0 = (1.0 + 1.0 / (mean_ln - xmin.ln())).clamp(0.01, 2.99);
            let a1 = fit.alpha.clamp(0.01, 2.99);
            let from = |u: &[f64]| vec![3.0 * logistic(u[0]), u[1].exp()];
            minimise_over(&from, &[&[logit(a0), (1.0 / mean).ln()], &[logit(a1), (1e-3 / mean).ln()]])?
        }
        Alternative::Lognormal => {
            let sd0 = (pts.total(|_, l| (l - mean_ln) * (l - mean_ln)) / n).sqrt().max(1e-3);
            minimise_over(&|u| vec![u[0], u[1].exp()], &[&[mean_ln, sd0.ln()]])?
        }
    };
    let f = model.log_density(&parameters);
    let ln_x = &fit.sample.ln_x[fit.tail_start..];
    let mut loglikelihoods = try_with_capacity(ln_x.len(), "the log-likelihoods")?;
    loglikelihoods.extend(fit.tail().iter().zip(ln_x).map(|(x, l)| f(*x, *l)));
    ensure!(
        parameters.iter().all(|v| v.is_finite()) && loglikelihoods.iter().all(|v| v.is_finite()),
        "the {} fit to this tail did not converge to finite parameters and likelihoods",
        dist.name()
    );
    Ok(Fitted { dist, parameters, loglikelihoods })
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
    control: &Control,
) -> Result<Comparison> {
    let first = fit_alternative(fit, a, control)?;
    let second = fit_alternative(fit, b, control)?;
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
    let p = if nested {
        chi2_sf((2.0 * r).abs(), 1.0)
    } else if r == 0.0 {
        // erfc(0), also where the variance is 0 too (a distribution against itself: 0 / 0).
        1.0
    } else {
        libm::erfc(r.abs() / (2.0 * n * variance).sqrt())
    };
    // R = 0 normalises to 0, also where the variance is 0.
    let r = if normalized_ratio && r != 0.0 { r / (n * variance).sqrt() } else { r };
    Ok(Comparison { r, p, first, second })
}
