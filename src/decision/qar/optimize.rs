//! Gradient minimisers for fitting the machine: L-BFGS with a backtracking Armijo line search
//! for exact (smooth, deterministic) objectives, and Adam for sampled (noisy) gradients.
//!
//! Objectives return `Result<(value, gradient)>` so that errors and cancellation stop the search.

use crate::control::Control;
use crate::error::Result;
use std::collections::VecDeque;

/// Correction pairs kept by L-BFGS.
const MEMORY: usize = 10;
/// Armijo sufficient-decrease constant.
const ARMIJO: f64 = 1e-4;
/// Step halvings before the line search gives up.
const MAX_HALVINGS: usize = 40;
/// Relative decrease below which L-BFGS has stalled (scipy's L-BFGS-B `ftol`, about 1e4 ε).
const FTOL: f64 = 2.2e-9;

/// Where a minimiser stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct Minimum {
    pub x: Vec<f64>,
    /// The objective at `x` (for Adam: the last noisy estimate).
    pub f: f64,
    pub n_iter: usize,
    /// `Some(true)` when a stopping rule was met before `max_iter`; `None` for Adam, which has
    /// no convergence test on noisy gradients.
    pub converged: Option<bool>,
    /// The objective after each iteration.
    pub history: Vec<f64>,
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Minimises `fg` from `x0`: stops when max |∇f| ≤ `gtol` or an iteration lowers f by less than
/// `FTOL` relative (both count as converged), when the line search fails, or after `max_iter`
/// iterations.
pub fn lbfgs<F>(mut fg: F, x0: Vec<f64>, max_iter: usize, gtol: f64, control: &Control) -> Result<Minimum>
where
    F: FnMut(&[f64]) -> Result<(f64, Vec<f64>)>,
{
    let mut x = x0;
    let (mut f, mut g) = fg(&x)?;
    let mut pairs: VecDeque<(Vec<f64>, Vec<f64>, f64)> = VecDeque::with_capacity(MEMORY);
    let mut history = Vec::new();
    let mut converged = false;
    let mut n_iter = 0;
    while n_iter < max_iter {
        control.check()?;
        if max_abs(&g) <= gtol {
            converged = true;
            break;
        }
        let mut d = two_loop(&g, &pairs);
        let mut slope = dot(&g, &d);
        if slope.is_nan() || slope >= 0.0 {
            pairs.clear();
            d = two_loop(&g, &pairs);
            slope = dot(&g, &d);
        }
        let mut step = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_HALVINGS {
            let trial: Vec<f64> = x.iter().zip(&d).map(|(a, b)| a + step * b).collect();
            let (ft, gt) = fg(&trial)?;
            if ft.is_finite() && ft <= f + ARMIJO * step * slope {
                accepted = Some((trial, ft, gt));
                break;
            }
            step *= 0.5;
        }
        n_iter += 1;
        control.advance(1);
        let Some((x_new, f_new, g_new)) = accepted else {
            // No decrease along a descent direction: f is flat to rounding here; this counts
            // as converged only if the gradient test passes (below).
            history.push(f);
            break;
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&y, &y).max(f64::MIN_POSITIVE) {
            if pairs.len() == MEMORY {
                pairs.pop_front();
            }
            pairs.push_back((s, y, 1.0 / sy));
        }
        let decrease = f - f_new;
        (x, f, g) = (x_new, f_new, g_new);
        history.push(f);
        if decrease <= FTOL * f.abs().max(1.0) {
            converged = true;
            break;
        }
    }
    converged = converged || max_abs(&g) <= gtol;
    Ok(Minimum { x, f, n_iter, converged: Some(converged), history })
}

/// −H·g by the two-loop recursion; with no pairs, a steepest-descent step of length at most 1.
fn two_loop(g: &[f64], pairs: &VecDeque<(Vec<f64>, Vec<f64>, f64)>) -> Vec<f64> {
    let mut q = g.to_vec();
    let mut alphas = Vec::with_capacity(pairs.len());
    for (s, y, rho) in pairs.iter().rev() {
        let a = rho * dot(s, &q);
        q.iter_mut().zip(y).for_each(|(qi, yi)| *qi -= a * yi);
        alphas.push(a);
    }
    let gamma = match pairs.back() {
        Some((s, y, _)) => dot(s, y) / dot(y, y),
        None => 1.0 / dot(g, g).sqrt().max(1.0),
    };
    q.iter_mut().for_each(|v| *v *= gamma);
    for ((s, y, rho), a) in pairs.iter().zip(alphas.iter().rev()) {
        let b = rho * dot(y, &q);
        q.iter_mut().zip(s).for_each(|(qi, si)| *qi += (a - b) * si);
    }
    q.iter_mut().for_each(|v| *v = -*v);
    q
}

/// Adam (Kingma & Ba 2015) for `iters` steps on noisy gradients `grad(x, iteration)`, with the
/// step size falling linearly from `lr` to `lr / 10` over the run to damp the final noise.
pub fn adam<F>(mut grad: F, x0: Vec<f64>, iters: usize, lr: f64, control: &Control) -> Result<Minimum>
where
    F: FnMut(&[f64], usize) -> Result<(f64, Vec<f64>)>,
{
    const B1: f64 = 0.9;
    const B2: f64 = 0.999;
    const EPS: f64 = 1e-8;
    let mut x = x0;
    let mut m = vec![0.0; x.len()];
    let mut v = vec![0.0; x.len()];
    let mut history = Vec::with_capacity(iters);
    let mut f = f64::NAN;
    for t in 0..iters {
        control.check()?;
        let (ft, g) = grad(&x, t)?;
        f = ft;
        let rate = lr * (1.0 - 0.9 * t as f64 / iters.max(1) as f64);
        let (c1, c2) = (1.0 - B1.powi(t as i32 + 1), 1.0 - B2.powi(t as i32 + 1));
        for k in 0..x.len() {
            m[k] = B1 * m[k] + (1.0 - B1) * g[k];
            v[k] = B2 * v[k] + (1.0 - B2) * g[k] * g[k];
            x[k] -= rate * (m[k] / c1) / ((v[k] / c2).sqrt() + EPS);
        }
        history.push(f);
        control.advance(1);
    }
    Ok(Minimum { x, f, n_iter: iters, converged: None, history })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The Rosenbrock function and its gradient.
    fn rosenbrock(x: &[f64]) -> Result<(f64, Vec<f64>)> {
        let (a, b) = (x[0], x[1]);
        let f = (1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2);
        Ok((f, vec![-2.0 * (1.0 - a) - 400.0 * a * (b - a * a), 200.0 * (b - a * a)]))
    }

    #[test]
    fn lbfgs_finds_the_rosenbrock_minimum() {
        let m = lbfgs(rosenbrock, vec![-1.2, 1.0], 500, 1e-8, &Control::new()).unwrap();
        assert_eq!(m.converged, Some(true));
        assert!((m.x[0] - 1.0).abs() < 1e-5 && (m.x[1] - 1.0).abs() < 1e-5, "{:?}", m.x);
        assert!(m.history.windows(2).all(|w| w[1] <= w[0]));
    }

    #[test]
    fn lbfgs_stops_at_max_iter_and_on_cancel() {
        let m = lbfgs(rosenbrock, vec![-1.2, 1.0], 3, 1e-12, &Control::new()).unwrap();
        assert_eq!((m.n_iter, m.converged), (3, Some(false)));
        let c = Control::new();
        c.cancel();
        assert!(lbfgs(rosenbrock, vec![0.0, 0.0], 10, 0.0, &c).is_err());
    }

    #[test]
    fn adam_minimises_a_noisy_quadratic() {
        let mut s = crate::rng::Stream::new(1, 0);
        let noisy = |x: &[f64], _t: usize| -> Result<(f64, Vec<f64>)> {
            let g = x.iter().enumerate().map(|(k, v)| 2.0 * (v - k as f64) + 0.1 * (s.next_f64() - 0.5)).collect();
            Ok((x.iter().enumerate().map(|(k, v)| (v - k as f64).powi(2)).sum(), g))
        };
        let m = adam(noisy, vec![3.0; 3], 2000, 0.05, &Control::new()).unwrap();
        for (k, v) in m.x.iter().enumerate() {
            assert!((v - k as f64).abs() < 0.02, "{:?}", m.x);
        }
    }
}
