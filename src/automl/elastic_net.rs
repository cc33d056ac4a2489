//! Elastic net by cyclic coordinate descent, with scikit-learn's objective and stopping rule:
//! minimise (1/2n)‖y − Xw − b‖² + α·ρ‖w‖₁ + (α(1 − ρ)/2)‖w‖² (ρ = `l1_ratio`; ρ = 1 is the
//! lasso). On centred data, scaled by n: ½‖r‖² + l1‖w‖₁ + ½·l2‖w‖² with l1 = nαρ, l2 = nα(1 − ρ).
//! A sweep updates every coordinate by soft thresholding; when the largest change of a sweep is
//! below `tol` times the largest weight, the duality gap is computed and the fit stops once it is
//! below `tol`·‖y‖².

use super::data::{centred, check_xy};
use super::linear::LinearModel;
use crate::control::Control;
use crate::error::Result;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// Settings of a fit.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub alpha: f64,
    pub l1_ratio: f64,
    pub fit_intercept: bool,
    pub max_iter: usize,
    pub tol: f64,
}

/// The fitted model, the sweeps it took and whether the gap fell below the tolerance.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub model: LinearModel,
    pub n_iter: usize,
    pub converged: bool,
    pub dual_gap: f64,
}

fn soft(v: f64, t: f64) -> f64 {
    v.signum() * (v.abs() - t).max(0.0)
}

/// What the duality gap reads: Xᵀr, ‖r‖² and r·y for the residual r = y − Xw.
struct Residual<'a> {
    xtr: &'a [f64],
    r2: f64,
    ry: f64,
}

/// The duality gap at `w`. Without an l1 term the elastic net's dual is degenerate: ridge uses the
/// gap of its own dual, least squares the squared gradient ‖Xᵀr‖².
fn duality_gap(w: &[f64], res: &Residual<'_>, l1: f64, l2: f64) -> f64 {
    let w2: f64 = w.iter().map(|v| v * v).sum();
    if l1 == 0.0 {
        let xtr2: f64 = res.xtr.iter().map(|v| v * v).sum();
        if l2 == 0.0 {
            return xtr2;
        }
        return res.r2 + 0.5 * l2 * w2 - res.ry + xtr2 / (2.0 * l2);
    }
    let dual_norm = res.xtr.iter().zip(w).fold(0.0f64, |m, (g, wj)| m.max((g - l2 * wj).abs()));
    let (scale, mut gap) = if dual_norm > l1 {
        let c = l1 / dual_norm;
        (c, 0.5 * (res.r2 + res.r2 * c * c))
    } else {
        (1.0, res.r2)
    };
    let l1_norm: f64 = w.iter().map(|v| v.abs()).sum();
    gap += l1 * l1_norm - scale * res.ry + 0.5 * l2 * (1.0 + scale * scale) * w2;
    gap
}

/// The state coordinate descent keeps between steps: the residual itself (O(n) a step), or, with
/// many more samples than features, the Gram matrix and q = Xᵀr (O(d) a step). Both run the same
/// sweeps; they differ only in rounding.
enum State {
    /// One row per feature (contiguous columns of the centred X), and r.
    Residual { cols: Array2<f64>, y: Array1<f64>, r: Array1<f64> },
    /// XᵀX, Xᵀy, yᵀy and q = Xᵀr.
    Gram { gram: Array2<f64>, xty: Array1<f64>, yy: f64, q: Array1<f64> },
}

impl State {
    fn new(xc: Array2<f64>, yc: Array1<f64>) -> Self {
        let (n, d) = xc.dim();
        let cols = xc.t().as_standard_layout().into_owned();
        if n >= 2 * d && d <= 2048 {
            let gram = cols.dot(&cols.t());
            let xty = cols.dot(&yc);
            return State::Gram { yy: yc.dot(&yc), q: xty.clone(), gram, xty };
        }
        State::Residual { cols, r: yc.clone(), y: yc }
    }

    fn norm2(&self, j: usize) -> f64 {
        match self {
            State::Residual { cols, .. } => cols.row(j).dot(&cols.row(j)),
            State::Gram { gram, .. } => gram[[j, j]],
        }
    }

    /// x_j·r.
    fn xtr(&self, j: usize) -> f64 {
        match self {
            State::Residual { cols, r, .. } => cols.row(j).dot(r),
            State::Gram { q, .. } => q[j],
        }
    }

    /// w_j += delta.
    fn step(&mut self, j: usize, delta: f64) {
        match self {
            State::Residual { cols, r, .. } => r.scaled_add(-delta, &cols.row(j)),
            State::Gram { gram, q, .. } => q.scaled_add(-delta, &gram.column(j)),
        }
    }

    fn gap(&self, w: &[f64], l1: f64, l2: f64) -> f64 {
        match self {
            State::Residual { cols, y, r } => {
                let xtr: Vec<f64> = cols.rows().into_iter().map(|c| c.dot(r)).collect();
                duality_gap(w, &Residual { xtr: &xtr, r2: r.dot(r), ry: r.dot(y) }, l1, l2)
            }
            State::Gram { xty, yy, q, .. } => {
                // ‖r‖² = yᵀy − 2wᵀXᵀy + wᵀXᵀXw, with XᵀXw = Xᵀy − q
                let wv = ArrayView1::from(w);
                let (wxy, wq) = (wv.dot(xty), wv.dot(q));
                duality_gap(
                    w,
                    &Residual { xtr: q.as_slice().expect("contiguous"), r2: yy - wxy - wq, ry: yy - wxy },
                    l1,
                    l2,
                )
            }
        }
    }
}

pub fn fit(x: ArrayView2<'_, f64>, y: ArrayView1<'_, f64>, s: Settings, control: &Control) -> Result<Fit> {
    check_xy(x, y)?;
    crate::ensure!(s.alpha.is_finite() && s.alpha >= 0.0, "alpha must be a finite number >= 0, got {}", s.alpha);
    crate::ensure!((0.0..=1.0).contains(&s.l1_ratio), "l1_ratio must be in [0, 1], got {}", s.l1_ratio);
    crate::ensure!(s.tol.is_finite() && s.tol >= 0.0, "tol must be a finite number >= 0, got {}", s.tol);
    crate::ensure!(s.max_iter >= 1, "max_iter must be at least 1, got {}", s.max_iter);
    let (n, d) = x.dim();
    let (xm, ym, xc, yc) = if s.fit_intercept {
        let (xm, xc) = centred(x);
        let ym = y.mean().expect("at least one sample");
        (xm, ym, xc, &y - ym)
    } else {
        (Array1::zeros(d), 0.0, x.to_owned(), y.to_owned())
    };
    let (l1, l2) = (s.alpha * s.l1_ratio * n as f64, s.alpha * (1.0 - s.l1_ratio) * n as f64);
    let tol = s.tol * yc.dot(&yc);
    let mut state = State::new(xc, yc);
    let norms: Vec<f64> = (0..d).map(|j| state.norm2(j)).collect();
    let mut w = vec![0.0; d];
    let (mut gap, mut converged, mut sweeps) = (tol + 1.0, false, 0);
    for it in 0..s.max_iter {
        control.check()?;
        sweeps = it + 1;
        let (mut w_max, mut d_w_max) = (0.0f64, 0.0f64);
        for j in 0..d {
            if norms[j] == 0.0 {
                continue;
            }
            let old = w[j];
            let new = soft(state.xtr(j) + old * norms[j], l1) / (norms[j] + l2);
            if new != old {
                state.step(j, new - old);
                w[j] = new;
            }
            d_w_max = d_w_max.max((new - old).abs());
            w_max = w_max.max(new.abs());
        }
        if w_max == 0.0 || d_w_max / w_max <= s.tol || it + 1 == s.max_iter {
            gap = state.gap(&w, l1, l2);
            if gap <= tol {
                converged = true;
                break;
            }
        }
    }
    let wv = ArrayView1::from(&w[..]);
    let intercept = ym - xm.dot(&wv);
    // scikit-learn reports the gap of the objective divided by n
    Ok(Fit { model: LinearModel { coef: w, intercept }, n_iter: sweeps, converged, dual_gap: gap / n as f64 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn lasso_zeroes_small_weights_and_no_penalty_is_least_squares() {
        let x = array![
            [1.0, 0.1, 3.0],
            [2.0, -0.3, 1.0],
            [3.0, 0.2, 0.0],
            [4.0, 0.0, 2.0],
            [5.0, 0.1, -1.0],
            [6.0, -0.2, 0.5]
        ];
        let y: Array1<f64> = x.rows().into_iter().map(|r| 1.5 * r[0] + 0.01 * r[1] - 2.0 * r[2] + 3.0).collect();
        let c = Control::new();
        let base = Settings { alpha: 0.0, l1_ratio: 1.0, fit_intercept: true, max_iter: 10_000, tol: 1e-12 };
        let ls = fit(x.view(), y.view(), base, &c).unwrap();
        let ols = super::super::linear::fit_ols(x.view(), y.view(), true).unwrap();
        for (a, b) in ls.model.coef.iter().zip(&ols.coef) {
            assert!((a - b).abs() < 1e-6, "{ls:?} vs {ols:?}");
        }
        let lasso = fit(x.view(), y.view(), Settings { alpha: 0.05, tol: 1e-8, ..base }, &c).unwrap();
        assert!(lasso.converged && lasso.model.coef[1] == 0.0 && lasso.model.coef[0] > 1.0, "{lasso:?}");
        // at the optimum each active weight satisfies its stationarity condition
        let r: Array1<f64> = y.clone() - x.dot(&ArrayView1::from(&lasso.model.coef[..])) - lasso.model.intercept;
        let n = x.nrows() as f64;
        for j in [0, 2] {
            let g = x.column(j).dot(&r) / n;
            assert!((g - 0.05 * lasso.model.coef[j].signum()).abs() < 1e-5, "feature {j}: {g}");
        }
        assert!(fit(x.view(), y.view(), Settings { l1_ratio: 1.5, ..base }, &c).is_err());
        // more features than half the samples: the residual state; the same weights to rounding
        let wide = ndarray::concatenate![ndarray::Axis(1), x, x.mapv(|v| (v * 1.7).sin())];
        let narrow = fit(wide.view(), y.view(), Settings { alpha: 0.05, tol: 1e-10, ..base }, &c).unwrap();
        let st = State::new(super::super::data::centred(wide.view()).1, y.clone() - y.mean().unwrap());
        assert!(matches!(st, State::Residual { .. }));
        let tall = ndarray::concatenate![ndarray::Axis(0), wide, wide];
        let yy = ndarray::concatenate![ndarray::Axis(0), y, y];
        let gram = fit(tall.view(), yy.view(), Settings { alpha: 0.05, tol: 1e-10, ..base }, &c).unwrap();
        for (a, b) in narrow.model.coef.iter().zip(&gram.model.coef) {
            assert!((a - b).abs() < 1e-7, "{narrow:?} vs {gram:?}");
        }
    }
}
