//! Training data as the models take it: a dense row-major matrix of finite features and finite
//! targets (class indices for the classifiers), checked once at the boundary.

use crate::error::Result;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};

/// `X` (n × d) and `y` (n) checked: at least one sample and one feature, the same number of rows,
/// every value finite.
pub fn check_xy(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>) -> Result<()> {
    let (n, d) = x.dim();
    crate::ensure!(n >= 1 && d >= 1, "X must have at least one sample and one feature, got shape ({n}, {d})");
    crate::ensure!(y.len() == n, "X has {n} samples but y has {}: they must match", y.len());
    check_x(x, d)?;
    if let Some(i) = y.iter().position(|v| !v.is_finite()) {
        return Err(crate::invalid!("y must be finite, got {} at y[{i}]", y[i]));
    }
    Ok(())
}

/// `X` checked for prediction by a model fitted on `d` features.
pub fn check_x(x: ArrayView2<'_, f64>, d: usize) -> Result<()> {
    crate::ensure!(x.ncols() == d, "X has {} features, the model was fitted on {d}", x.ncols());
    if let Some(((i, j), v)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(crate::invalid!("X must be finite, got {v} at X[{i},{j}]"));
    }
    Ok(())
}

/// Class indices 0..k from `y` holding them as floats (the Python layer encodes the labels).
pub fn classes(y: ArrayView1<'_, f64>, k: usize) -> Result<Vec<usize>> {
    y.iter()
        .enumerate()
        .map(|(i, &v)| {
            crate::ensure!(v >= 0.0 && v < k as f64 && v.fract() == 0.0, "y[{i}] = {v} is not a class index in 0..{k}");
            Ok(v as usize)
        })
        .collect()
}

/// The column means of `x` and `x` minus them (the centred copy the linear fits solve on).
pub fn centred(x: ArrayView2<'_, f64>) -> (Array1<f64>, Array2<f64>) {
    let mean = x.mean_axis(Axis(0)).expect("at least one sample");
    let xc = &x - &mean;
    (mean, xc)
}
