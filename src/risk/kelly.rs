//! Kelly sizing: the fraction of capital that maximises the expected logarithm of wealth.
//!
//! - A single bet won with probability p that pays b per unit staked and loses the stake
//!   otherwise: f* = p − (1 − p)/b. A negative f* means the bet has a negative edge: do not bet
//!   (or take the other side, where that is possible).
//! - A continuous-time asset with drift μ and volatility σ against a risk-free rate r:
//!   f* = (μ − r)/σ².
//! - A portfolio with mean excess returns μ − r and covariance Σ (continuous-time growth
//!   g(w) = r + wᵀ(μ − r) − wᵀΣw/2): w* = Σ⁻¹(μ − r), scaled by `fraction` (fractional Kelly,
//!   e.g. ½ for half Kelly), solved by a Cholesky factorisation (LAPACK through ndarray-linalg).

use crate::error::{check_finite, check_finite_matrix, check_symmetric, Result};
use ndarray::{Array1, Array2};
use ndarray_linalg::{FactorizeC, SolveC, UPLO};

/// f* = p − (1 − p)/b for a bet won with probability `p` in [0, 1] that pays `b` > 0 per unit.
pub fn kelly_fraction(p: f64, b: f64) -> Result<f64> {
    crate::ensure!((0.0..=1.0).contains(&p), "p must be a probability in [0, 1], got {p}");
    crate::ensure!(
        b.is_finite() && b > 0.0,
        "b (the net odds: the win per unit staked) must be finite and > 0, got {b}"
    );
    let f = p - (1.0 - p) / b;
    crate::ensure!(f.is_finite(), "the Kelly fraction p - (1 - p)/b overflows: b = {b:e} is too small");
    Ok(f)
}

/// f* = (μ − r)/σ² for drift `mu`, volatility `sigma` > 0 and risk-free rate `r`.
pub fn kelly_continuous(mu: f64, sigma: f64, r: f64) -> Result<f64> {
    crate::ensure!(mu.is_finite(), "mu must be finite, got {mu}");
    crate::ensure!(r.is_finite(), "r must be finite, got {r}");
    crate::ensure!(sigma.is_finite() && sigma > 0.0, "sigma must be finite and > 0, got {sigma}");
    let f = (mu - r) / (sigma * sigma);
    crate::ensure!(f.is_finite(), "the Kelly fraction (mu - r)/sigma^2 overflows: sigma = {sigma} is too small");
    Ok(f)
}

/// The Kelly portfolio and its expected continuous-time log growth.
#[derive(Debug, Clone, PartialEq)]
pub struct KellyPortfolio {
    /// `fraction · Σ⁻¹(μ − r)`, as fractions of capital (they need not sum to one).
    pub weights: Vec<f64>,
    /// r + wᵀ(μ − r) − wᵀΣw/2 at these weights.
    pub growth_rate: f64,
    /// Σ|wᵢ|, the gross exposure per unit of capital.
    pub leverage: f64,
}

/// Condition-number bound beyond which Σ is refused as singular.
const MAX_CONDITION: f64 = 1e14;

/// `fraction · Σ⁻¹(μ − r)` for `mean` (n) and row-major `cov` (n × n, symmetric positive definite).
pub fn kelly_portfolio(mean: &[f64], cov: &[f64], r: f64, fraction: f64) -> Result<KellyPortfolio> {
    let n = mean.len();
    crate::ensure!(n > 0, "mean must have at least one asset");
    crate::ensure!(cov.len() == n * n, "cov must be {n} x {n} to match mean, got {} values", cov.len());
    check_finite(mean, "mean")?;
    check_finite_matrix(cov, n, "cov")?;
    crate::ensure!(r.is_finite(), "r must be finite, got {r}");
    crate::ensure!(
        fraction.is_finite() && fraction > 0.0,
        "fraction must be finite and > 0 (1 = full Kelly), got {fraction}"
    );
    check_symmetric(cov, n, 1e-9, "cov")?;
    crate::error::check_alloc::<f64>(2 * (n as u128) * (n as u128), "the covariance factor")?;
    let sigma = Array2::from_shape_vec((n, n), cov.to_vec()).map_err(|e| crate::Error::Internal(e.to_string()))?;
    let singular = || {
        crate::invalid!(
            "cov is singular or not positive definite (an asset is a combination of others, or has zero variance): \
             the Kelly weights Σ⁻¹(μ − r) do not exist; drop the redundant assets"
        )
    };
    let chol = sigma.factorizec(UPLO::Lower).map_err(|_| singular())?;
    // cond(Σ) ≥ (max Lᵢᵢ / min Lᵢᵢ)²
    let diag: Vec<f64> = (0..n).map(|i| chol.factor[(i, i)].abs()).collect();
    let (lo, hi) = diag.iter().fold((f64::INFINITY, 0.0f64), |(a, b), &v| (a.min(v), b.max(v)));
    if lo <= 0.0 || (hi / lo).powi(2) > MAX_CONDITION {
        return Err(singular());
    }
    let excess: Array1<f64> = mean.iter().map(|m| m - r).collect();
    let raw = chol.solvec(&excess).map_err(|_| singular())?;
    let weights: Vec<f64> = raw.iter().map(|v| v * fraction).collect();
    crate::ensure!(weights.iter().all(|v| v.is_finite()), "the Kelly weights overflow; rescale mean and cov");
    let w = Array1::from(weights.clone());
    let quad = w.dot(&sigma.dot(&w));
    let growth_rate = r + w.dot(&excess) - 0.5 * quad;
    let leverage = weights.iter().map(|v| v.abs()).sum();
    crate::ensure!(growth_rate.is_finite(), "the growth rate overflows; rescale mean and cov");
    Ok(KellyPortfolio { weights, growth_rate, leverage })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_forms() {
        assert_eq!(kelly_fraction(0.6, 1.0).unwrap(), 0.6 - 0.4);
        assert!(kelly_fraction(0.4, 1.0).unwrap() < 0.0);
        assert!(kelly_fraction(1.1, 1.0).is_err() && kelly_fraction(0.5, 0.0).is_err());
        assert_eq!(kelly_continuous(0.1, 0.2, 0.02).unwrap(), (0.1 - 0.02) / (0.2 * 0.2));
        assert!(kelly_continuous(0.1, 0.0, 0.0).is_err());
        let k = kelly_portfolio(&[0.1, 0.05], &[0.04, 0.0, 0.0, 0.01], 0.0, 1.0).unwrap();
        assert!((k.weights[0] - 2.5).abs() < 1e-12 && (k.weights[1] - 5.0).abs() < 1e-12);
        // g = w·μ − wᵀΣw/2 = (0.25 + 0.25) − (0.25 + 0.25)/2
        assert!((k.growth_rate - 0.25).abs() < 1e-12);
        assert!((k.leverage - 7.5).abs() < 1e-12);
        let half = kelly_portfolio(&[0.1, 0.05], &[0.04, 0.0, 0.0, 0.01], 0.0, 0.5).unwrap();
        assert!((half.weights[0] - 1.25).abs() < 1e-12);
        assert!((half.growth_rate - 0.1875).abs() < 1e-12);
    }

    #[test]
    fn singular_covariances_are_refused() {
        let e = kelly_portfolio(&[0.1, 0.1], &[1.0, 1.0, 1.0, 1.0], 0.0, 1.0).unwrap_err().to_string();
        assert!(e.contains("singular"), "{e}");
        assert!(kelly_portfolio(&[0.1, 0.1], &[1.0, 2.0, 2.0, 1.0], 0.0, 1.0).is_err());
        assert!(kelly_portfolio(&[0.1], &[0.0], 0.0, 1.0).is_err());
        assert!(kelly_portfolio(&[0.1, 0.1], &[1.0, 0.0, 0.0, 1.0], 0.0, 0.0).is_err());
    }
}
