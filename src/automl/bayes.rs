//! Bayesian linear regression for the AutoML search's surrogate: a Gaussian prior on the
//! coefficients (one precision per feature), Gaussian noise whose variance is re-estimated from
//! the residuals of the posterior mean, and a draw from the posterior (Thompson sampling). Small
//! systems (hundreds of features) solved by Cholesky on one thread: numpy's threaded BLAS stalls
//! on matrices this small when the cores are busy.

use super::data::check_xy;
use crate::error::{Error, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use ndarray_linalg::{Cholesky, Diag, SolveTriangular, UPLO};

/// Noise variance of the standardised target never goes below this (the surrogate is an
/// approximation; a perfect fit of a few trials would otherwise collapse the posterior).
const NOISE_FLOOR: f64 = 0.01;

fn lapack(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("LAPACK failed on the surrogate's positive definite system: {e}"))
}

/// The posterior mean of the coefficients of `phi` for the target `y` standardised, and, given
/// standard normal `z`, a draw from the posterior (mean + L⁻ᵀz with LLᵀ the precision).
pub fn posterior(
    phi: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    prior: ArrayView1<'_, f64>,
    z: Option<ArrayView1<'_, f64>>,
) -> Result<(Array1<f64>, Option<Array1<f64>>)> {
    check_xy(phi, y)?;
    let p = phi.ncols();
    crate::ensure!(prior.len() == p, "prior has {} precisions for {p} features", prior.len());
    crate::ensure!(prior.iter().all(|v| v.is_finite() && *v > 0.0), "prior precisions must be finite and > 0");
    if let Some(z) = z {
        crate::ensure!(z.len() == p, "z has {} values for {p} features", z.len());
    }
    let n = y.len() as f64;
    let mean_y = y.sum() / n;
    let sd = (y.iter().map(|v| (v - mean_y).powi(2)).sum::<f64>() / n).sqrt().max(1e-12);
    let ys: Array1<f64> = y.mapv(|v| (v - mean_y) / sd);
    let gram = phi.t().dot(&phi);
    let pty = phi.t().dot(&ys);
    let mut noise = 0.1;
    let (mut mean, mut chol) = (Array1::zeros(p), gram.clone());
    for _ in 0..2 {
        let mut precision = &gram / noise;
        precision.diag_mut().iter_mut().zip(prior).for_each(|(d, a)| *d += a);
        chol = precision.cholesky(UPLO::Lower).map_err(lapack)?;
        let half = chol.solve_triangular(UPLO::Lower, Diag::NonUnit, &(&pty / noise)).map_err(lapack)?;
        mean = chol.t().to_owned().solve_triangular(UPLO::Upper, Diag::NonUnit, &half).map_err(lapack)?;
        let resid = &ys - &phi.dot(&mean);
        noise = (resid.dot(&resid) / n).max(NOISE_FLOOR);
    }
    let draw = match z {
        Some(z) => {
            let spread =
                chol.t().to_owned().solve_triangular(UPLO::Upper, Diag::NonUnit, &z.to_owned()).map_err(lapack)?;
            Some(&mean + &spread)
        }
        None => None,
    };
    Ok((mean, draw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn recovers_a_linear_target_and_draws_near_it() {
        let phi = Array2::from_shape_fn((40, 3), |(i, j)| ((i * (j + 3)) % 7) as f64 - 3.0);
        let truth = array![0.5, -1.0, 0.25];
        let y = phi.dot(&truth);
        let prior = Array1::from_elem(3, 1e-6);
        let (mean, draw) = posterior(phi.view(), y.view(), prior.view(), Some(Array1::zeros(3).view())).unwrap();
        // the coefficients of the standardised target: proportional to the truth
        let ratio = mean[0] / truth[0];
        for k in 0..3 {
            assert!((mean[k] - ratio * truth[k]).abs() < 1e-3, "{mean} vs {truth}");
        }
        assert_eq!(draw.unwrap(), mean);
    }

    #[test]
    fn refuses_mismatched_shapes() {
        let phi = Array2::<f64>::zeros((4, 2));
        let y = Array1::<f64>::zeros(4);
        assert!(posterior(phi.view(), y.view(), Array1::ones(3).view(), None).is_err());
        assert!(posterior(phi.view(), y.view(), Array1::from_elem(2, -1.0).view(), None).is_err());
    }
}
