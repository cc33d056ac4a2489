//! Least squares: ordinary (scikit-learn's `LinearRegression`, the minimum-norm solution when
//! the features are collinear) and ridge (`Ridge`, ‖y − Xw − b‖² + α‖w‖², the intercept not
//! penalised), both on centred data so that the intercept is ȳ − x̄·w.

use super::data::{centred, check_x, check_xy};
use crate::error::{Error, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use ndarray_linalg::{Eigh, FactorizeC, SolveC, UPLO};

/// A fitted linear predictor ŷ = X·coef + intercept.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearModel {
    pub coef: Vec<f64>,
    pub intercept: f64,
}

impl LinearModel {
    /// ŷ for every row of `x`.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        check_x(x, self.coef.len())?;
        let w = ArrayView1::from(&self.coef[..]);
        Ok(x.dot(&w).iter().map(|v| v + self.intercept).collect())
    }
}

fn lapack(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("LAPACK failed on a symmetric positive semi-definite system: {e}"))
}

/// Centred data: (x̄, ȳ, XcᵀXc, Xcᵀyc), or without the means when there is no intercept.
fn normal_equations(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    fit_intercept: bool,
) -> (Array1<f64>, f64, ndarray::Array2<f64>, Array1<f64>) {
    let d = x.ncols();
    if fit_intercept {
        let (xm, xc) = centred(x);
        let ym = y.mean().expect("at least one sample");
        let yc = &y - ym;
        (xm, ym, xc.t().dot(&xc), xc.t().dot(&yc))
    } else {
        (Array1::zeros(d), 0.0, x.t().dot(&x), x.t().dot(&y))
    }
}

/// Ordinary least squares: the minimum-norm minimiser of ‖y − Xw − b‖², from the eigenvectors of
/// XᵀX (directions whose eigenvalue is below 1e-12 of the largest are left out, as collinear).
pub fn fit_ols(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>, fit_intercept: bool) -> Result<LinearModel> {
    check_xy(x, y)?;
    let (xm, ym, gram, xty) = normal_equations(x, y, fit_intercept);
    let (vals, vecs) = gram.eigh(UPLO::Lower).map_err(lapack)?;
    let top = vals.iter().fold(0.0f64, |m, v| m.max(*v));
    let mut w = Array1::<f64>::zeros(x.ncols());
    for (k, &lam) in vals.iter().enumerate() {
        if lam > 1e-12 * top && lam > 0.0 {
            let v = vecs.column(k);
            w.scaled_add(v.dot(&xty) / lam, &v);
        }
    }
    Ok(LinearModel { intercept: ym - xm.dot(&w), coef: w.to_vec() })
}

/// Ridge regression with penalty `alpha` ≥ 0 (0 is least squares, solved as [`fit_ols`] does).
pub fn fit_ridge(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    alpha: f64,
    fit_intercept: bool,
) -> Result<LinearModel> {
    crate::ensure!(alpha.is_finite() && alpha >= 0.0, "alpha must be a finite number >= 0, got {alpha}");
    if alpha == 0.0 {
        return fit_ols(x, y, fit_intercept);
    }
    check_xy(x, y)?;
    let (xm, ym, mut gram, xty) = normal_equations(x, y, fit_intercept);
    gram.diag_mut().iter_mut().for_each(|v| *v += alpha);
    let w = gram.factorizec(UPLO::Lower).map_err(lapack)?.solvec(&xty).map_err(lapack)?;
    Ok(LinearModel { intercept: ym - xm.dot(&w), coef: w.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    #[test]
    fn exact_fits_and_collinear_columns() {
        let x = array![[1.0, 2.0], [2.0, 0.5], [3.0, -1.0], [4.0, 3.0], [5.0, 1.0]];
        let y: Array1<f64> = x.rows().into_iter().map(|r| 2.0 * r[0] - 3.0 * r[1] + 0.5).collect();
        let m = fit_ols(x.view(), y.view(), true).unwrap();
        assert!(
            (m.coef[0] - 2.0).abs() < 1e-10 && (m.coef[1] + 3.0).abs() < 1e-10 && (m.intercept - 0.5).abs() < 1e-10
        );
        // a duplicated column: the minimum-norm solution splits the weight evenly
        let dup = Array2::from_shape_fn((5, 2), |(i, _)| x[[i, 0]]);
        let yd: Array1<f64> = dup.column(0).mapv(|v| 4.0 * v + 1.0);
        let m = fit_ols(dup.view(), yd.view(), true).unwrap();
        assert!((m.coef[0] - 2.0).abs() < 1e-8 && (m.coef[1] - 2.0).abs() < 1e-8, "{m:?}");
        assert!((m.predict(dup.view()).unwrap()[2] - yd[2]).abs() < 1e-8);
        // ridge shrinks: the closed form for one centred feature is Σxy / (Σx² + α)
        let r = fit_ridge(x.view(), y.view(), 10.0, true).unwrap();
        let n = fit_ridge(x.view(), y.view(), 0.0, true).unwrap();
        assert!(r.coef.iter().map(|c| c * c).sum::<f64>() < n.coef.iter().map(|c| c * c).sum::<f64>());
        let x1 = array![[1.0], [2.0], [3.0]];
        let y1 = array![1.0, 3.0, 2.0];
        let r1 = fit_ridge(x1.view(), y1.view(), 1.0, true).unwrap();
        assert!((r1.coef[0] - 1.0 / 3.0).abs() < 1e-12 && (r1.intercept - (2.0 - 2.0 / 3.0)).abs() < 1e-12);
        assert!(fit_ridge(x.view(), y.view(), -1.0, true).is_err());
        assert!(fit_ols(x.view(), array![1.0, 2.0].view(), true).is_err());
        assert!(m.predict(x1.view()).is_err());
    }
}
