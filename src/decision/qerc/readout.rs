//! The linear readout: ridge regression with an unpenalised intercept, and the temperature that
//! turns classification scores into probabilities.
//!
//! With features F (m×p) and targets Y (m×q), both centred on their column means μ_F and μ_Y,
//!
//!   W_out = (F_cᵀF_c + α·I)⁻¹ F_cᵀY_c,   intercept = μ_Y − μ_Fᵀ W_out,
//!
//! which is reservoirpy's `Ridge(ridge=α)` (fit_bias=True) and scikit-learn's `Ridge(alpha=α)`.
//! The Gram matrix F_cᵀF_c comes from blocked BLAS products; the system is solved by a blocked
//! Cholesky factorisation ([`super::cholesky`]), which checks for Ctrl-C between its BLAS calls.
//! When the Cholesky factorisation fails or its diagonal shows a condition number above
//! [`MAX_CONDITION`] (α ≈ 0 with collinear features, or with fewer rows than features), the
//! solution comes from the symmetric eigendecomposition instead: W_out = V·diag(1/(λ_i + α))·
//! VᵀF_cᵀY_c with the directions where λ_i + α is below rounding level dropped, the minimum-norm
//! solution. That fallback is one LAPACK call (`dsyev`), which cannot be interrupted; it runs only
//! on that rare path, never with the default ridge on independent features.
//!
//! Classification probabilities are softmax(β·scores). β is fitted by maximum likelihood on the
//! leave-one-out scores of the training rows, which ridge regression gives in closed form:
//! s_(−i) = (s_i − h_i·y_i) / (1 − h_i) with the leverage h_i = 1/m + f_c,iᵀ(F_cᵀF_c + α·I)⁻¹f_c,i.
//! Scores of the rows the readout was fitted on would be over-confident (a readout with as many
//! features as rows separates them perfectly, and β would run to its bound).

use super::cholesky::{self, CALL_WORK};
use crate::control::Control;
use crate::error::{check_alloc, try_with_capacity, Error, Result};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis, ShapeBuilder};
use ndarray_linalg::{Eigh, UPLO};

/// Above this (estimated) condition number the Cholesky solution is replaced by the
/// eigendecomposition one.
pub const MAX_CONDITION: f64 = 1e12;
/// Probability temperatures are searched in β ∈ [BETA_MIN, BETA_MAX] (see [`fit_temperature`]).
pub const BETA_MIN: f64 = 1e-3;
pub const BETA_MAX: f64 = 100.0;
/// Rows per block when computing leverages (bounds the temporary to p×LEVERAGE_BLOCK).
const LEVERAGE_BLOCK: usize = 4096;

/// y = W_outᵀ·f + intercept for each feature row f.
#[derive(Debug, Clone, PartialEq)]
pub struct Readout {
    /// p×q.
    pub w_out: Array2<f64>,
    /// q.
    pub intercept: Array1<f64>,
}

impl Readout {
    pub fn from_parts(w_out: Array2<f64>, intercept: Array1<f64>) -> Result<Self> {
        crate::ensure!(
            w_out.ncols() == intercept.len(),
            "Wout has {} columns but intercept has {} entries",
            w_out.ncols(),
            intercept.len()
        );
        crate::ensure!(
            w_out.iter().chain(intercept.iter()).all(|v| v.is_finite()),
            "Wout and intercept must be finite"
        );
        Ok(Self { w_out, intercept })
    }

    pub fn n_features(&self) -> usize {
        self.w_out.nrows()
    }

    pub fn n_outputs(&self) -> usize {
        self.w_out.ncols()
    }

    /// `out` = W_outᵀ·[x; u] + intercept, where `u` is empty unless the readout reads the
    /// input too.
    pub fn apply(&self, x: &[f64], u: &[f64], out: &mut [f64]) {
        out.iter_mut().zip(&self.intercept).for_each(|(o, b)| *o = *b);
        for (f, row) in x.iter().chain(u).zip(self.w_out.rows()) {
            for (o, w) in out.iter_mut().zip(row) {
                *o += f * w;
            }
        }
    }
}

/// How (F_cᵀF_c + α·I)⁻¹ was applied: its Cholesky factor L (column-major), or its eigenvectors
/// with the inverted (and truncated) eigenvalues.
#[derive(Debug, Clone, PartialEq)]
pub enum Factor {
    Cholesky(Array2<f64>),
    Eigen { vectors: Array2<f64>, inverse: Array1<f64> },
}

impl Factor {
    /// The leverages h_i = 1/m + f_iᵀ(F_cᵀF_c + α·I)⁻¹f_i of the m rows of the centred `fc`.
    pub fn leverages(&self, fc: ArrayView2<'_, f64>, control: &Control) -> Result<Vec<f64>> {
        let (m, p) = fc.dim();
        let mut h = try_with_capacity(m, "the leverages")?;
        match self {
            Factor::Cholesky(l) => {
                check_alloc::<f64>(p as u128 * m.min(LEVERAGE_BLOCK) as u128, "the leverages")?;
                for block in fc.axis_chunks_iter(Axis(0), LEVERAGE_BLOCK) {
                    // ‖L⁻¹f_i‖² for each column f_i of the block's transpose
                    let mut z = Array2::zeros(block.t().raw_dim().f());
                    z.assign(&block.t());
                    cholesky::solve(l, &mut z, false, control)?;
                    h.extend(z.columns().into_iter().map(|c| c.dot(&c)));
                }
            }
            Factor::Eigen { vectors, inverse } => {
                let rows = (CALL_WORK / (p * vectors.ncols()).max(1)).max(1);
                for block in fc.axis_chunks_iter(Axis(0), rows) {
                    control.check()?;
                    let proj = block.dot(vectors);
                    h.extend(
                        proj.rows().into_iter().map(|r| r.iter().zip(inverse).map(|(p, w)| p * p * w).sum::<f64>()),
                    );
                }
            }
        }
        h.iter_mut().for_each(|v| *v += 1.0 / m as f64);
        Ok(h)
    }
}

/// Leave-one-out scores s_(−i) = (s_i − h_i·y_i) / (1 − h_i) (1 − h_i floored at 1e-8).
pub fn leave_one_out(scores: &Array2<f64>, targets: ArrayView2<'_, f64>, leverages: &[f64]) -> Array2<f64> {
    let mut out = scores.clone();
    for ((mut row, y), &h) in out.rows_mut().into_iter().zip(targets.rows()).zip(leverages) {
        let denom = (1.0 - h).max(1e-8);
        row.iter_mut().zip(y).for_each(|(s, y)| *s = (*s - h * y) / denom);
    }
    out
}

/// F_cᵀF_c and F_cᵀY_c summed over blocks of rows, checking `control` between blocks (one BLAS
/// product of a long F_c takes seconds).
fn normal_equations(
    fc: ArrayView2<'_, f64>,
    yc: ArrayView2<'_, f64>,
    control: &Control,
) -> Result<(Array2<f64>, Array2<f64>)> {
    let (p, q) = (fc.ncols(), yc.ncols());
    let rows = (CALL_WORK / (p * (p + q)).max(1)).max(1);
    let mut gram = Array2::<f64>::zeros((p, p));
    let mut rhs = Array2::<f64>::zeros((p, q));
    for (block, y) in fc.axis_chunks_iter(Axis(0), rows).zip(yc.axis_chunks_iter(Axis(0), rows)) {
        control.check()?;
        ndarray::linalg::general_mat_mul(1.0, &block.t(), &block, 1.0, &mut gram);
        ndarray::linalg::general_mat_mul(1.0, &block.t(), &y, 1.0, &mut rhs);
    }
    Ok((gram, rhs))
}

/// Fits the ridge readout; `features` are centred in place (and so come back as F_c).
pub fn fit_ridge(
    features: &mut Array2<f64>,
    targets: ArrayView2<'_, f64>,
    alpha: f64,
    control: &Control,
) -> Result<(Readout, Factor)> {
    let (m, p) = features.dim();
    // the Gram matrix, its factor and LAPACK's copies: a few p×p matrices
    check_alloc::<f64>(4 * p as u128 * p as u128, &format!("the ridge readout over {p} features"))?;
    crate::ensure!(m >= 1, "no training rows are left after the washout");
    crate::ensure!(targets.nrows() == m, "internal: {m} feature rows but {} target rows", targets.nrows());
    crate::ensure!(alpha.is_finite() && alpha >= 0.0, "ridge must be a non-negative finite number, got {alpha}");
    let mu_f = features.mean_axis(Axis(0)).ok_or_else(|| Error::Internal("empty features".into()))?;
    let mu_y = targets.mean_axis(Axis(0)).ok_or_else(|| Error::Internal("empty targets".into()))?;
    *features -= &mu_f;
    let yc = &targets - &mu_y;
    let (mut gram, rhs) = normal_equations(features.view(), yc.view(), control)?;
    for i in 0..p {
        gram[[i, i]] += alpha;
    }
    let (w_out, factor) = match cholesky_solve(&gram, &rhs, control)? {
        Some(solved) => solved,
        None => {
            control.check()?;
            for i in 0..p {
                gram[[i, i]] -= alpha;
            }
            eigh_solve(&gram, &rhs, alpha)?
        }
    };
    let intercept = &mu_y - &mu_f.dot(&w_out);
    Ok((Readout::from_parts(w_out, intercept)?, factor))
}

/// The Cholesky solution of A·W = B, or `None` when A is not numerically positive definite or
/// its Cholesky diagonal shows cond(A) ≥ (max L_ii / min L_ii)² above [`MAX_CONDITION`].
fn cholesky_solve(a: &Array2<f64>, b: &Array2<f64>, control: &Control) -> Result<Option<(Array2<f64>, Factor)>> {
    // column-major copies, as BLAS reads them (`a` is kept for the eigendecomposition fallback);
    // A is symmetric, so its row-major buffer is also its column-major one (a plain copy)
    let mut l = match a.as_slice() {
        Some(data) => {
            Array2::from_shape_vec(a.raw_dim().f(), data.to_vec()).map_err(|e| Error::Internal(e.to_string()))?
        }
        None => {
            let mut l = Array2::zeros(a.raw_dim().f());
            l.assign(a);
            l
        }
    };
    if !cholesky::factorize(&mut l, control)? {
        return Ok(None);
    }
    let diag = l.diag();
    let (lo, hi) = diag.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &d| (lo.min(d.abs()), hi.max(d.abs())));
    if !(lo > 0.0 && (hi / lo).powi(2) <= MAX_CONDITION) {
        return Ok(None);
    }
    let mut w = Array2::zeros(b.raw_dim().f());
    w.assign(b);
    cholesky::solve(&l, &mut w, false, control)?;
    cholesky::solve(&l, &mut w, true, control)?;
    Ok(Some((w.as_standard_layout().into_owned(), Factor::Cholesky(l))))
}

/// Minimum-norm ridge solution from the eigendecomposition G = V·diag(λ)·Vᵀ of the Gram matrix.
fn eigh_solve(gram: &Array2<f64>, rhs: &Array2<f64>, alpha: f64) -> Result<(Array2<f64>, Factor)> {
    let (lambda, v) = gram.eigh(UPLO::Lower).map_err(|e| Error::Internal(format!("eigendecomposition: {e}")))?;
    let top = lambda.iter().fold(0.0f64, |a, l| a.max(l.abs())) + alpha;
    let cutoff = top * f64::EPSILON * lambda.len() as f64;
    let inverse: Array1<f64> = lambda.mapv(|l| if l + alpha > cutoff { 1.0 / (l + alpha) } else { 0.0 });
    let mut proj = v.t().dot(rhs);
    for (mut row, &inv) in proj.rows_mut().into_iter().zip(&inverse) {
        row.iter_mut().for_each(|x| *x *= inv);
    }
    Ok((v.dot(&proj), Factor::Eigen { vectors: v, inverse }))
}

/// The inverse temperature β of `softmax(β·scores)` that maximises the likelihood of `labels`
/// (temperature scaling of Guo et al., 2017), searched in [BETA_MIN, BETA_MAX].
///
/// The negative log-likelihood L(β) = Σ_i [logsumexp(β·s_i) − β·s_i,y_i] is convex, with
/// L'(β) = Σ_i (E_p[s_i] − s_i,y_i); its root is found by bisection safeguarded Newton steps.
/// A positive lower bound keeps `argmax(probabilities) == argmax(scores)`; the upper bound stops
/// perfectly separated training scores from giving probabilities of exactly 0 and 1.
pub fn fit_temperature(scores: ArrayView2<'_, f64>, labels: &[usize]) -> Result<f64> {
    crate::ensure!(
        scores.nrows() == labels.len(),
        "internal: {} score rows for {} labels",
        scores.nrows(),
        labels.len()
    );
    crate::ensure!(labels.iter().all(|&l| l < scores.ncols()), "internal: a label is out of range");
    // (L'(β), L''(β))
    let derivatives = |beta: f64| -> (f64, f64) {
        let (mut d1, mut d2) = (0.0, 0.0);
        for (row, &y) in scores.rows().into_iter().zip(labels) {
            let (mean, var) = softmax_moments(row, beta);
            d1 += mean - row[y];
            d2 += var;
        }
        (d1, d2)
    };
    let (g_lo, _) = derivatives(BETA_MIN);
    if g_lo >= 0.0 {
        return Ok(BETA_MIN);
    }
    let (g_hi, _) = derivatives(BETA_MAX);
    if g_hi <= 0.0 {
        return Ok(BETA_MAX);
    }
    let (mut lo, mut hi) = (BETA_MIN, BETA_MAX);
    let mut beta = 1.0;
    for _ in 0..200 {
        let (g, h) = derivatives(beta);
        if g < 0.0 {
            lo = beta;
        } else {
            hi = beta;
        }
        if hi - lo <= 1e-10 * hi {
            break;
        }
        let newton = beta - g / h;
        beta = if h > 0.0 && newton > lo && newton < hi { newton } else { 0.5 * (lo + hi) };
    }
    Ok(beta)
}

/// Mean and variance of the scores `s` under softmax(β·s).
fn softmax_moments(s: ArrayView1<'_, f64>, beta: f64) -> (f64, f64) {
    let top = s.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
    let (mut z, mut m1, mut m2) = (0.0, 0.0, 0.0);
    for &v in s {
        let w = (beta * (v - top)).exp();
        z += w;
        m1 += w * v;
        m2 += w * v * v;
    }
    let mean = m1 / z;
    (mean, (m2 / z - mean * mean).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;
    use ndarray::array;

    fn random(m: usize, p: usize, seed: u64) -> Array2<f64> {
        let mut s = Stream::new(seed, 0);
        Array2::from_shape_fn((m, p), |_| s.next_f64() - 0.5)
    }

    #[test]
    fn ridge_matches_the_normal_equations() {
        let f = random(50, 4, 1);
        let true_w = array![[1.0, -2.0], [0.5, 0.0], [0.0, 3.0], [-1.0, 1.0]];
        let y = f.dot(&true_w) + 7.0;
        // α = 0: exact recovery with the intercept
        let (r, _) = fit_ridge(&mut f.clone(), y.view(), 0.0, &Control::new()).unwrap();
        assert!((&r.w_out - &true_w).iter().all(|d| d.abs() < 1e-10));
        assert!(r.intercept.iter().all(|b| (b - 7.0).abs() < 1e-10));
        // α > 0: the centred normal equations (FcᵀFc + αI) W = FcᵀYc hold
        let alpha = 0.7;
        let (r, _) = fit_ridge(&mut f.clone(), y.view(), alpha, &Control::new()).unwrap();
        let fc = &f - &f.mean_axis(Axis(0)).unwrap();
        let yc = &y - &y.mean_axis(Axis(0)).unwrap();
        let lhs = fc.t().dot(&fc).dot(&r.w_out) + alpha * &r.w_out;
        assert!((lhs - fc.t().dot(&yc)).iter().all(|d| d.abs() < 1e-10));
        let mut out = [0.0; 2];
        r.apply(&f.row(3).to_vec(), &[], &mut out);
        let direct = f.row(3).dot(&r.w_out) + &r.intercept;
        assert!(out.iter().zip(&direct).all(|(a, b)| (a - b).abs() < 1e-12));
    }

    #[test]
    fn collinear_features_take_the_minimum_norm_solution() {
        // column 2 duplicates column 0: singular Gram with α = 0
        let mut f = random(40, 3, 2);
        let c0 = f.column(0).to_owned();
        f.column_mut(2).assign(&c0);
        let y = f.column(0).to_owned().insert_axis(Axis(1)) * 2.0;
        let (r, factor) = fit_ridge(&mut f.clone(), y.view(), 0.0, &Control::new()).unwrap();
        assert!(matches!(factor, Factor::Eigen { .. }));
        // the weight 2 is split equally between the two copies
        assert!((r.w_out[[0, 0]] - 1.0).abs() < 1e-8 && (r.w_out[[2, 0]] - 1.0).abs() < 1e-8, "{}", r.w_out);
        assert!(r.w_out[[1, 0]].abs() < 1e-8);
        // a single row: nothing to learn beyond the mean
        let (r, _) = fit_ridge(&mut random(1, 3, 3), array![[5.0]].view(), 0.0, &Control::new()).unwrap();
        assert!(r.w_out.iter().all(|w| *w == 0.0) && r.intercept[0] == 5.0);
        assert!(fit_ridge(&mut random(3, 2, 4), array![[1.0], [2.0], [3.0]].view(), -1.0, &Control::new()).is_err());
    }

    #[test]
    fn leave_one_out_scores_match_refitting_without_the_row() {
        let f = random(30, 5, 5);
        let mut s = Stream::new(6, 0);
        let y = Array2::from_shape_fn((30, 2), |_| s.next_f64());
        for alpha in [0.0, 0.3] {
            let mut fc = f.clone();
            let (r, factor) = fit_ridge(&mut fc, y.view(), alpha, &Control::new()).unwrap();
            let h = factor.leverages(fc.view(), &Control::new()).unwrap();
            let scores = f.dot(&r.w_out) + &r.intercept;
            let loo = leave_one_out(&scores, y.view(), &h);
            for i in [0, 7, 29] {
                let keep: Vec<usize> = (0..30).filter(|&k| k != i).collect();
                let (ri, _) =
                    fit_ridge(&mut f.select(Axis(0), &keep), y.select(Axis(0), &keep).view(), alpha, &Control::new())
                        .unwrap();
                let direct = f.row(i).dot(&ri.w_out) + &ri.intercept;
                assert!((&direct - &loo.row(i)).iter().all(|d| d.abs() < 1e-9), "α={alpha} row {i}");
            }
            // the eigendecomposition route gives the same leverages
            let mut gram = fc.t().dot(&fc);
            gram.diag_mut().iter_mut().for_each(|g| *g += alpha);
            let (_, eig) = eigh_solve(&(gram - alpha * Array2::eye(5)), &Array2::zeros((5, 1)), alpha).unwrap();
            let h2 = eig.leverages(fc.view(), &Control::new()).unwrap();
            assert!(h.iter().zip(&h2).all(|(a, b)| (a - b).abs() < 1e-10));
        }
    }

    #[test]
    fn temperature_maximises_the_likelihood() {
        // noisy scores: the optimum is interior, where L'(β) = 0
        let mut s = Stream::new(9, 0);
        let labels: Vec<usize> = (0..300).map(|i| i % 3).collect();
        let scores = Array2::from_shape_fn((300, 3), |(i, k)| {
            let hit = if labels[i] == k { 0.6 } else { 0.2 };
            hit + 0.5 * (s.next_f64() - 0.5)
        });
        let beta = fit_temperature(scores.view(), &labels).unwrap();
        let nll = |b: f64| -> f64 {
            scores
                .rows()
                .into_iter()
                .zip(&labels)
                .map(|(r, &y)| {
                    let top = r.iter().fold(f64::NEG_INFINITY, |a, &v| a.max(v));
                    top * b + r.iter().map(|v| (b * (v - top)).exp()).sum::<f64>().ln() - b * r[y]
                })
                .sum()
        };
        assert!(beta > BETA_MIN && beta < BETA_MAX, "{beta}");
        assert!(nll(beta) <= nll(beta * 1.01) && nll(beta) <= nll(beta * 0.99));
        // perfectly separated scores hit the cap; useless scores the floor
        let sep = array![[1.0, 0.0], [0.0, 1.0]];
        assert_eq!(fit_temperature(sep.view(), &[0, 1]).unwrap(), BETA_MAX);
        assert_eq!(fit_temperature(sep.view(), &[1, 0]).unwrap(), BETA_MIN);
    }
}
