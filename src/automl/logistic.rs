//! Logistic regression as scikit-learn's `LogisticRegression(solver="lbfgs")` fits it: minimise
//! (1/n)·Σᵢ ℓ(yᵢ, zᵢ) + ‖W‖²/(2Cn) over the weights W and the unpenalised intercepts, with ℓ the
//! binary log loss on one score z = x·w + b for two classes, the multinomial (softmax) log loss on
//! one score per class otherwise. L-BFGS ([`super::lbfgs`]) from zero. Loss and gradient are
//! summed over fixed blocks of rows on the rayon pool and added in block order, so a seed-free fit
//! gives the same bits on any number of threads.

use super::data::{check_x, check_xy, classes};
use super::lbfgs::{self, Options};
use crate::control::Control;
use crate::error::Result;
use crate::special::{expit as sigmoid, softplus};
use ndarray::{s, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// A fitted model: `coef` is (scores × features), one score for two classes, one per class
/// otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Logistic {
    pub coef: Array2<f64>,
    pub intercept: Vec<f64>,
    pub classes: usize,
    pub n_iter: usize,
    pub converged: bool,
}

/// Settings of a fit.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub c: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
}

/// Rows per block of the loss and gradient sums.
const BLOCK: usize = 2048;

/// The scores of `x`'s rows (rows × scores).
fn scores(x: ArrayView2<'_, f64>, coef: ArrayView2<'_, f64>, intercept: &[f64]) -> Array2<f64> {
    let mut z = x.dot(&coef.t());
    for mut row in z.rows_mut() {
        row.iter_mut().zip(intercept).for_each(|(v, b)| *v += b);
    }
    z
}

/// In place: each row of scores becomes the probabilities minus the one-hot target (the loss's
/// gradient in the scores); returns the block's loss.
fn residuals(z: &mut Array2<f64>, y: &[usize]) -> f64 {
    let mut loss = 0.0;
    if z.ncols() == 1 {
        for (v, &t) in z.column_mut(0).iter_mut().zip(y) {
            loss += softplus(*v) - if t == 1 { *v } else { 0.0 };
            *v = sigmoid(*v) - t as f64;
        }
        return loss;
    }
    for (mut row, &t) in z.rows_mut().into_iter().zip(y) {
        let top = row.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v));
        let sum: f64 = row.iter().map(|v| (v - top).exp()).sum();
        loss += top + sum.ln() - row[t];
        row.iter_mut().for_each(|v| *v = (*v - top).exp() / sum);
        row[t] -= 1.0;
    }
    loss
}

pub fn fit(
    x: ArrayView2<'_, f64>,
    y: ArrayView1<'_, f64>,
    k: usize,
    s: Settings,
    control: &Control,
) -> Result<Logistic> {
    check_xy(x, y)?;
    crate::ensure!(k >= 2, "a classifier needs at least 2 classes, got {k}");
    crate::ensure!(s.c.is_finite() && s.c > 0.0, "C must be a finite number > 0, got {}", s.c);
    crate::ensure!(s.tol.is_finite() && s.tol >= 0.0, "tol must be a finite number >= 0, got {}", s.tol);
    crate::ensure!(s.max_iter >= 1, "max_iter must be at least 1, got {}", s.max_iter);
    let labels = classes(y, k)?;
    let (n, d) = x.dim();
    let m = if k == 2 { 1 } else { k };
    let lam = 1.0 / (s.c * n as f64);
    let blocks: Vec<usize> = (0..n).step_by(BLOCK).collect();
    let mut objective = |theta: &[f64], grad: &mut [f64]| -> Result<f64> {
        let coef = ArrayView2::from_shape((m, d), &theta[..m * d]).expect("m x d weights");
        let intercept = if s.fit_intercept { &theta[m * d..] } else { &[0.0; 0][..] };
        let zero = vec![0.0; m];
        let b = if s.fit_intercept { intercept } else { &zero[..] };
        let parts: Vec<(f64, Array2<f64>, Vec<f64>)> = crate::parallel::install(|| {
            blocks
                .par_iter()
                .map(|&a| {
                    let end = (a + BLOCK).min(n);
                    let xb = x.slice(s![a..end, ..]);
                    let mut z = scores(xb, coef, b);
                    let loss = residuals(&mut z, &labels[a..end]);
                    (loss, z.t().dot(&xb), z.sum_axis(Axis(0)).to_vec())
                })
                .collect()
        })?;
        let (mut loss, mut gw, mut gb) = (0.0, Array2::<f64>::zeros((m, d)), vec![0.0; m]);
        for (l, g, gbb) in parts {
            loss += l;
            gw += &g;
            gb.iter_mut().zip(gbb).for_each(|(a, v)| *a += v);
        }
        let nf = n as f64;
        let w2: f64 = coef.iter().map(|v| v * v).sum();
        for (gi, (g, w)) in grad[..m * d].iter_mut().zip(gw.iter().zip(coef.iter())) {
            *gi = g / nf + lam * w;
        }
        if s.fit_intercept {
            grad[m * d..].iter_mut().zip(&gb).for_each(|(gi, g)| *gi = g / nf);
        }
        Ok(loss / nf + 0.5 * lam * w2)
    };
    let size = m * d + if s.fit_intercept { m } else { 0 };
    let opts = Options { max_iter: s.max_iter, gtol: s.tol, ..Options::default() };
    let out = lbfgs::minimize(&mut objective, vec![0.0; size], opts, control)?;
    let coef = Array2::from_shape_vec((m, d), out.x[..m * d].to_vec()).expect("m x d weights");
    let intercept = if s.fit_intercept { out.x[m * d..].to_vec() } else { vec![0.0; m] };
    Ok(Logistic { coef, intercept, classes: k, n_iter: out.iterations, converged: out.converged })
}

impl Logistic {
    /// The decision scores (rows × scores).
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        check_x(x, self.coef.ncols())?;
        Ok(scores(x, self.coef.view(), &self.intercept))
    }

    /// Class probabilities (rows × classes).
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let z = self.decision_function(x)?;
        if self.classes == 2 {
            let p1 = z.column(0).mapv(sigmoid);
            let mut out = Array2::zeros((z.nrows(), 2));
            out.column_mut(1).assign(&p1);
            out.column_mut(0).assign(&p1.mapv(|p| 1.0 - p));
            return Ok(out);
        }
        let mut p = z;
        for mut row in p.rows_mut() {
            let top = row.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v));
            row.iter_mut().for_each(|v| *v = (*v - top).exp());
            let sum = row.sum();
            row.iter_mut().for_each(|v| *v /= sum);
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;

    fn blobs() -> (Array2<f64>, Array1<f64>) {
        // three overlapping classes on a deterministic grid
        let mut rows = vec![];
        let mut y = vec![];
        for i in 0..300 {
            let t = i as f64 * 0.61803;
            let class = i % 3;
            let (cx, cy) = [(0.0, 0.0), (2.0, 0.5), (0.5, 2.0)][class];
            rows.push([cx + (t * 7.1).sin() * 1.2, cy + (t * 3.3).cos() * 1.2]);
            y.push(class as f64);
        }
        (Array2::from(rows), Array1::from(y))
    }

    #[test]
    fn the_gradient_vanishes_at_the_fit_and_probabilities_sum_to_one() {
        let (x, y) = blobs();
        let c = Control::new();
        let s = Settings { c: 1.0, fit_intercept: true, max_iter: 1000, tol: 1e-10 };
        let fit3 = fit(x.view(), y.view(), 3, s, &c).unwrap();
        assert!(fit3.converged, "{fit3:?}");
        let p = fit3.predict_proba(x.view()).unwrap();
        assert!(p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-12));
        // multinomial stationarity: Σᵢ (pᵢ − onehotᵢ) = 0 for the intercepts
        let mut g = vec![0.0; 3];
        for (r, &t) in p.rows().into_iter().zip(y.iter()) {
            for k in 0..3 {
                g[k] += r[k] - if t as usize == k { 1.0 } else { 0.0 };
            }
        }
        assert!(g.iter().all(|v| v.abs() / 300.0 < 1e-7), "{g:?}");
        // two classes: one score
        let y2 = y.mapv(|v| if v == 1.0 { 1.0 } else { 0.0 });
        let fit2 = fit(x.view(), y2.view(), 2, s, &c).unwrap();
        assert_eq!(fit2.coef.nrows(), 1);
        let acc = fit2
            .predict_proba(x.view())
            .unwrap()
            .rows()
            .into_iter()
            .zip(y2.iter())
            .filter(|(r, &t)| (r[1] > 0.5) == (t == 1.0))
            .count();
        assert!(acc > 200, "{acc}");
        // the same bits on 1 and 2 threads
        let one = crate::parallel::with_threads(Some(1), || fit(x.view(), y.view(), 3, s, &c).unwrap()).unwrap();
        let two = crate::parallel::with_threads(Some(2), || fit(x.view(), y.view(), 3, s, &c).unwrap()).unwrap();
        assert_eq!(one, two);
        assert!(fit(x.view(), y.view(), 2, s, &c).is_err(), "class 2 is out of range for k = 2");
        assert!(fit(x.view(), y.view(), 3, Settings { c: 0.0, ..s }, &c).is_err());
    }
}
