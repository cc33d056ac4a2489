//! The visible layer's input: features standardised to zero mean and unit variance, then (by
//! default) ZCA-whitened so that their covariance is the identity.
//!
//! Why whiten: a Gaussian visible unit of fixed variance σ² contributes σ² to the model's
//! covariance in every direction, and the hidden units can only add to it. Standardised features
//! that are strongly correlated (most real data sets) have directions of variance far below σ²,
//! which such a model cannot fit: it ignores them, and an anomaly that moves along them is not
//! seen. After whitening every direction has variance 1, the free energy of the untrained model
//! is the squared Mahalanobis distance, and the hidden p-bits learn what departs from a Gaussian.
//! ZCA (Σ^{-1/2}, not the PCA rotation) keeps each column tied to its input feature, and it is
//! unique where PCA depends on the signs LAPACK picks for eigenvectors.

use crate::control::Control;
use crate::error::{check_alloc, check_finite_matrix, element, not_finite, try_vec, Result};
use crate::{ensure, invalid};
use ndarray::{Array2, ArrayView2};
use ndarray_linalg::{Eigh, UPLO};
use rayon::prelude::*;

/// Eigenvalues of the correlation matrix are floored at this fraction of the largest before
/// inversion, so directions with (numerically) no variance are not blown up into noise.
pub const EIGEN_FLOOR: f64 = 1e-3;
/// Rows per parallel work unit when transforming (each row is independent, so any split gives
/// the same numbers).
const ROWS: usize = 256;
/// Values read between two looks for Ctrl-C in the sequential passes (a few milliseconds).
const CHECK_VALUES: usize = 1 << 22;

/// `Err` naming the first non-finite value of `x` (in row-major order), looking at `control`
/// every [`CHECK_VALUES`] values.
fn check_rows_finite(x: ArrayView2<'_, f64>, control: &Control) -> Result<()> {
    let (n, d) = x.dim();
    let rows_per_check = (CHECK_VALUES / d.max(1)).max(1);
    for (i, row) in x.rows().into_iter().enumerate() {
        if i % rows_per_check == 0 {
            control.check()?;
        }
        if let Some((j, &v)) = row.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(not_finite("X", &element("X", &[n, d], i * d + j), v));
        }
    }
    Ok(())
}

/// A fitted standardisation (and optional whitening).
#[derive(Debug, Clone, PartialEq)]
pub struct Preprocessor {
    pub mean: Vec<f64>,
    /// Standard deviations, with 1 where a feature was constant.
    pub scale: Vec<f64>,
    /// Row-major d×d ZCA matrix applied after standardisation, when whitening.
    pub whitening: Option<Vec<f64>>,
    /// diag(1/scale)·whitening, the one matrix applied to centred rows.
    combined: Option<Vec<f64>>,
}

impl Preprocessor {
    /// Learns the transform from the rows of `x` (n ≥ 1, finite); `Err(Interrupted)` soon after
    /// `control` is cancelled (the passes over a large `x` take seconds).
    pub fn fit(x: ArrayView2<'_, f64>, whiten: bool, control: &Control) -> Result<Self> {
        let (n, d) = x.dim();
        ensure!(n >= 1 && d >= 1, "X must not be empty, got shape ({n}, {d})");
        check_rows_finite(x, control)?;
        let rows_per_check = (CHECK_VALUES / d).max(1);
        let mut mean = vec![0.0; d];
        for (i, row) in x.rows().into_iter().enumerate() {
            if i % rows_per_check == 0 {
                control.check()?;
            }
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut var = vec![0.0; d];
        for (i, row) in x.rows().into_iter().enumerate() {
            if i % rows_per_check == 0 {
                control.check()?;
            }
            var.iter_mut().zip(row).zip(&mean).for_each(|((s, v), m)| *s += (v - m) * (v - m));
        }
        // a feature is constant when its spread is rounding noise next to its mean
        let scale: Vec<f64> = var
            .iter()
            .zip(&mean)
            .map(|(s, m)| ((s / n as f64).sqrt(), m))
            .map(|(s, m)| if s > 1e-12 * (1.0 + m.abs()) && s.is_finite() { s } else { 1.0 })
            .collect();
        let mut p = Self { mean, scale, whitening: None, combined: None };
        if whiten {
            let z = p.standardise(x)?;
            p.set_whitening(Some(zca(&z)?))?;
        }
        Ok(p)
    }

    /// A transform from its parts (unpickling); checks shapes and values.
    pub fn from_parts(mean: Vec<f64>, scale: Vec<f64>, whitening: Option<Vec<f64>>) -> Result<Self> {
        let d = mean.len();
        ensure!(d >= 1 && scale.len() == d, "mean_ and scale_ must have the same non-zero length");
        crate::error::check_finite(&mean, "mean_")?;
        ensure!(scale.iter().all(|s| s.is_finite() && *s > 0.0), "scale_ must be positive and finite");
        let mut p = Self { mean, scale, whitening: None, combined: None };
        p.set_whitening(whitening)?;
        Ok(p)
    }

    fn set_whitening(&mut self, whitening: Option<Vec<f64>>) -> Result<()> {
        let d = self.n_features();
        if let Some(w) = &whitening {
            ensure!(w.len() == d * d, "the whitening matrix must be {d}×{d}, got {} values", w.len());
            check_finite_matrix(w, d, "whitening_")?;
            let mut c = w.clone();
            for (row, s) in c.chunks_exact_mut(d).zip(&self.scale) {
                row.iter_mut().for_each(|v| *v /= s);
            }
            self.combined = Some(c);
        }
        self.whitening = whitening;
        Ok(())
    }

    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    /// Rows of `x` standardised (not whitened), as an n×d array.
    fn standardise(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let (n, d) = x.dim();
        check_alloc::<f64>(n as u128 * d as u128, &format!("standardising {n}×{d} values"))?;
        let mut out = Array2::zeros((n, d));
        for (mut o, row) in out.rows_mut().into_iter().zip(x.rows()) {
            for (((o, v), m), s) in o.iter_mut().zip(row).zip(&self.mean).zip(&self.scale) {
                *o = (v - m) / s;
            }
        }
        Ok(out)
    }

    /// The visible-layer input for the rows of `x`: a row-major n×d buffer. `x` must have the
    /// fitted number of columns and finite values (both are checked).
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        self.transform_until(x, &Control::new())
    }

    /// [`Preprocessor::transform`], checking `control` between blocks of rows.
    pub fn transform_until(&self, x: ArrayView2<'_, f64>, control: &Control) -> Result<Vec<f64>> {
        let (n, d) = x.dim();
        ensure!(
            d == self.n_features(),
            "X has {d} features, but the model was fitted with {} features",
            self.n_features()
        );
        ensure!(n >= 1, "X must not be empty, got shape ({n}, {d})");
        check_rows_finite(x, control)?;
        let mut out = try_vec(n.saturating_mul(d), 0.0, &format!("transforming {n}×{d} values"))?;
        out.par_chunks_mut(ROWS * d).enumerate().try_for_each(|(k, block)| {
            control.check()?;
            let mut centred = vec![0.0; d];
            for (r, o) in block.chunks_exact_mut(d).enumerate() {
                let row = x.row(k * ROWS + r);
                for ((c, v), m) in centred.iter_mut().zip(row).zip(&self.mean) {
                    *c = v - m;
                }
                match &self.combined {
                    Some(m) => {
                        o.fill(0.0);
                        for (c, mrow) in centred.iter().zip(m.chunks_exact(d)) {
                            o.iter_mut().zip(mrow).for_each(|(o, w)| *o += c * w);
                        }
                    }
                    None => o.iter_mut().zip(&centred).zip(&self.scale).for_each(|((o, c), s)| *o = c / s),
                }
            }
            Ok(())
        })?;
        Ok(out)
    }
}

/// Σ^{-1/2} of the rows of the standardised `z` (the correlation matrix), eigenvalues floored.
fn zca(z: &Array2<f64>) -> Result<Vec<f64>> {
    let (n, d) = z.dim();
    // the covariance, its eigenvectors and LAPACK's workspace: about 4 d×d matrices
    check_alloc::<f64>(4 * d as u128 * d as u128, &format!("whitening {d} features"))?;
    let cov = covariance(z);
    let (eigenvalues, vectors) = Array2::from_shape_vec((d, d), cov)
        .map_err(|e| crate::Error::Internal(format!("covariance shape: {e}")))?
        .eigh(UPLO::Lower)
        .map_err(|e| invalid!("cannot whiten X ({n} samples): the eigen-decomposition failed: {e}"))?;
    let largest = eigenvalues.iter().fold(0.0f64, |a, &v| a.max(v));
    if largest <= 0.0 || !largest.is_finite() {
        // every feature is constant: nothing to whiten
        let mut eye = vec![0.0; d * d];
        (0..d).for_each(|i| eye[i * d + i] = 1.0);
        return Ok(eye);
    }
    let floor = EIGEN_FLOOR * largest;
    let inv_sqrt: Vec<f64> = eigenvalues.iter().map(|&l| 1.0 / l.max(floor).sqrt()).collect();
    // W = U diag(λ^{-1/2}) Uᵀ
    let u = vectors;
    let mut w = vec![0.0; d * d];
    w.par_chunks_mut(d).enumerate().for_each(|(i, row)| {
        for (k, s) in inv_sqrt.iter().enumerate() {
            let a = u[[i, k]] * s;
            for (j, o) in row.iter_mut().enumerate() {
                *o += a * u[[j, k]];
            }
        }
    });
    Ok(w)
}

/// The d×d matrix zᵀz / n (row-major), each entry summed over the samples in order.
fn covariance(z: &Array2<f64>) -> Vec<f64> {
    let (n, d) = z.dim();
    let mut cov = vec![0.0; d * d];
    // Rows of the result per work unit: each unit reads all of z once, so few large units; every
    // entry is summed over the samples in their order whatever the split, so the split (even one
    // that depends on the thread count) does not change the result.
    let block = (d / (4 * rayon::current_num_threads())).clamp(4, 64);
    cov.par_chunks_mut(block * d).enumerate().for_each(|(b, out_rows)| {
        let i0 = b * block;
        for row in z.rows() {
            let row = row.as_slice().expect("standardised rows are contiguous");
            for (k, out) in out_rows.chunks_exact_mut(d).enumerate() {
                let a = row[i0 + k];
                out.iter_mut().zip(row).for_each(|(o, v)| *o += a * v);
            }
        }
    });
    cov.iter_mut().for_each(|c| *c /= n as f64);
    cov
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;

    fn correlated(n: usize, seed: u64) -> Array2<f64> {
        let mut s = Stream::new(seed, 0);
        Array2::from_shape_fn((n, 3), |_| s.next_f64()).mapv(|v| v * 2.0 - 1.0).dot(&ndarray::array![
            [3.0, 1.0, 0.5],
            [0.0, 2.0, -1.0],
            [0.0, 0.0, 0.1]
        ]) + 5.0
    }

    #[test]
    fn whitened_rows_have_identity_covariance() {
        let x = correlated(500, 1);
        let p = Preprocessor::fit(x.view(), true, &Control::new()).unwrap();
        let v = Array2::from_shape_vec((500, 3), p.transform(x.view()).unwrap()).unwrap();
        let mean = v.mean_axis(ndarray::Axis(0)).unwrap();
        assert!(mean.iter().all(|m| m.abs() < 1e-10), "{mean}");
        let cov = v.t().dot(&v) / 500.0;
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 1.0 } else { 0.0 };
                assert!((cov[[i, j]] - want).abs() < 1e-8, "{cov}");
            }
        }
        // ZCA is symmetric
        let w = p.whitening.as_ref().unwrap();
        assert!((w[1] - w[3]).abs() < 1e-12 && (w[2] - w[6]).abs() < 1e-12);
    }

    #[test]
    fn standardisation_only_and_constant_features() {
        let mut x = correlated(200, 2);
        x.column_mut(1).fill(7.0);
        let p = Preprocessor::fit(x.view(), false, &Control::new()).unwrap();
        assert_eq!(p.scale[1], 1.0);
        let v = p.transform(x.view()).unwrap();
        assert!(v.chunks_exact(3).all(|r| r[1] == 0.0));
        let sd0 = (v.chunks_exact(3).map(|r| r[0] * r[0]).sum::<f64>() / 200.0).sqrt();
        assert!((sd0 - 1.0).abs() < 1e-12);
        // whitening with a constant feature stays finite
        let q = Preprocessor::fit(x.view(), true, &Control::new()).unwrap();
        assert!(q.transform(x.view()).unwrap().iter().all(|v| v.is_finite()));
        let all_constant = Array2::from_elem((4, 2), 1.5);
        let c = Preprocessor::fit(all_constant.view(), true, &Control::new()).unwrap();
        assert_eq!(c.transform(all_constant.view()).unwrap(), vec![0.0; 8]);
    }

    #[test]
    fn bad_input_is_reported() {
        let x = correlated(20, 3);
        let p = Preprocessor::fit(x.view(), true, &Control::new()).unwrap();
        let wide = Array2::<f64>::zeros((2, 4));
        assert!(p.transform(wide.view()).unwrap_err().to_string().contains("4 features"));
        let mut nan = x.clone();
        nan[[3, 1]] = f64::NAN;
        let msg = Preprocessor::fit(nan.view(), true, &Control::new()).unwrap_err().to_string();
        assert!(msg.contains("X[3,1] is NaN"), "{msg}");
        assert!(Preprocessor::from_parts(vec![0.0], vec![0.0], None).is_err());
        assert!(Preprocessor::from_parts(vec![0.0, 1.0], vec![1.0, 1.0], Some(vec![1.0])).is_err());
    }
}
