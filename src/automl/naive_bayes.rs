//! Gaussian naive Bayes as scikit-learn's `GaussianNB` fits it: per class the features' means
//! and variances (plus `var_smoothing` times the largest feature variance, for stability), and the
//! classes' frequencies as priors unless given.

use super::data::{check_x, check_xy, classes};
use crate::error::Result;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// A fitted model: per class (rows) the means and variances of the features.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianNb {
    pub theta: Array2<f64>,
    pub var: Array2<f64>,
    pub log_prior: Vec<f64>,
    pub epsilon: f64,
}

pub fn fit(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    k: usize,
    priors: Option<&[f64]>,
    var_smoothing: f64,
) -> Result<GaussianNb> {
    check_xy(x, y)?;
    crate::ensure!(k >= 1, "a classifier needs at least one class");
    crate::ensure!(
        var_smoothing.is_finite() && var_smoothing >= 0.0,
        "var_smoothing must be a finite number >= 0, got {var_smoothing}"
    );
    let labels = classes(y, k)?;
    let (n, d) = x.dim();
    let mut counts = vec![0usize; k];
    let mut theta = Array2::<f64>::zeros((k, d));
    for (row, &c) in x.rows().into_iter().zip(&labels) {
        counts[c] += 1;
        theta.row_mut(c).scaled_add(1.0, &row);
    }
    crate::ensure!(counts.iter().all(|&c| c > 0), "every class index in 0..{k} must have samples");
    for (mut t, &c) in theta.rows_mut().into_iter().zip(&counts) {
        t.mapv_inplace(|v| v / c as f64);
    }
    // two passes (deviations from the class mean): no cancellation for features far from zero
    let mut var = Array2::<f64>::zeros((k, d));
    for (row, &c) in x.rows().into_iter().zip(&labels) {
        let mut v = var.row_mut(c);
        for ((vj, xj), tj) in v.iter_mut().zip(row).zip(theta.row(c)) {
            *vj += (xj - tj) * (xj - tj);
        }
    }
    for (mut v, &c) in var.rows_mut().into_iter().zip(&counts) {
        v.mapv_inplace(|s| s / c as f64);
    }
    let mean = x.mean_axis(ndarray::Axis(0)).expect("samples");
    let max_var = x.rows().into_iter().fold(Array1::<f64>::zeros(d), |acc, r| acc + (&r - &mean).mapv(|v| v * v));
    let epsilon = var_smoothing * max_var.iter().fold(0.0f64, |m, v| m.max(v / n as f64));
    var.mapv_inplace(|v| v + epsilon);
    let log_prior = match priors {
        Some(p) => {
            crate::ensure!(p.len() == k, "priors must hold one probability per class ({k}), got {}", p.len());
            crate::ensure!(p.iter().all(|v| v.is_finite() && *v >= 0.0), "priors must be non-negative");
            let sum: f64 = p.iter().sum();
            crate::ensure!((sum - 1.0).abs() <= 1e-8, "the priors must sum to 1, got {sum}");
            p.iter().map(|v| v.ln()).collect()
        }
        None => counts.iter().map(|&c| (c as f64 / n as f64).ln()).collect(),
    };
    crate::ensure!(var.iter().all(|v| *v > 0.0), "a class has a feature of zero variance and var_smoothing is 0");
    Ok(GaussianNb { theta, var, log_prior, epsilon })
}

impl GaussianNb {
    /// log P(class | x) of every row (rows × classes), normalised by log-sum-exp.
    pub fn predict_log_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_x(x, self.theta.ncols())?;
        let k = self.theta.nrows();
        let norm: Vec<f64> = (0..k)
            .map(|c| {
                self.log_prior[c]
                    - 0.5 * self.var.row(c).iter().map(|v| (2.0 * std::f64::consts::PI * v).ln()).sum::<f64>()
            })
            .collect();
        let mut out = Array2::<f64>::zeros((x.nrows(), k));
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            for c in 0..k {
                let q: f64 = row
                    .iter()
                    .zip(self.theta.row(c))
                    .zip(self.var.row(c))
                    .map(|((xj, t), v)| (xj - t) * (xj - t) / v)
                    .sum();
                o[c] = norm[c] - 0.5 * q;
            }
            let top = o.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v));
            let lse = top + o.iter().map(|v| (v - top).exp()).sum::<f64>().ln();
            o.mapv_inplace(|v| v - lse);
        }
        Ok(out)
    }
}
