//! Local refinement around the incumbent: a bounded quasi-Newton method with finite-difference
//! gradients (the default), or Nelder–Mead (the crate's, from the QAOA optimiser).
//!
//! Both work on the continuous variables in unit coordinates, inside the box [0, 1]^n; integer
//! variables stay where the incumbent has them.
//!
//! The quasi-Newton method is projected BFGS: variables at a bound whose gradient points outwards
//! are held (the active set), the BFGS inverse-Hessian direction is taken over the free ones, and
//! a backtracking (Armijo) line search runs along the projected path. Gradients are forward
//! differences evaluated as one batch of n points. It stops on a small projected gradient, on a
//! relative decrease below `ftol` (scipy's L-BFGS-B test), when the line search fails, or when
//! the evaluation budget runs out.

use crate::decision::qaoa::optimize::{self, Options};
use crate::error::Result;

/// Evaluates a batch of points (row-major m × n, inside [0, 1]^n) and returns their values:
/// fewer than m values when the evaluation budget ran out.
pub trait Batch: FnMut(&[f64], usize) -> Result<Vec<f64>> {}
impl<F: FnMut(&[f64], usize) -> Result<Vec<f64>>> Batch for F {}

#[derive(Debug, Clone, PartialEq)]
pub struct LocalResult {
    pub z: Vec<f64>,
    pub f: f64,
    pub iterations: usize,
    /// The method's own stopping test held (not the budget).
    pub converged: bool,
    /// BFGS: the final inverse-Hessian approximation (row-major n × n), to warm-start the next
    /// refinement of the same function.
    pub inverse_hessian: Option<Vec<f64>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BfgsOptions {
    pub max_iter: usize,
    /// Stop when the largest projected gradient component (per unit of the box) is below this.
    pub gtol: f64,
    /// Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ ftol.
    pub ftol: f64,
}

impl Default for BfgsOptions {
    fn default() -> Self {
        Self { max_iter: 1000, gtol: 1e-10, ftol: 1e-12 }
    }
}

/// Forward-difference gradient at `z` (value `f`) with steps `h` (stepping backwards where a
/// forward step would leave the box). `None` when the budget ran out.
fn gradient<F: Batch>(eval: &mut F, z: &[f64], f: f64, h: &[f64]) -> Result<Option<Vec<f64>>> {
    let n = z.len();
    let mut pts = Vec::with_capacity(n * n);
    let mut steps = Vec::with_capacity(n);
    for i in 0..n {
        let step = if z[i] + h[i] <= 1.0 { h[i] } else { -h[i] };
        let mut p = z.to_vec();
        p[i] = z[i] + step;
        steps.push(p[i] - z[i]);
        pts.extend_from_slice(&p);
    }
    let values = eval(&pts, n)?;
    if values.len() < n {
        return Ok(None);
    }
    Ok(Some(values.iter().zip(&steps).map(|(v, s)| (v - f) / s).collect()))
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Projected BFGS from `z0` (value `f0`) inside [0, 1]^n with difference steps `h`, starting
/// from the inverse-Hessian approximation `warm` (row-major n × n) when given.
pub fn bfgs<F: Batch>(
    mut eval: F,
    z0: &[f64],
    f0: f64,
    h: &[f64],
    warm: Option<&[f64]>,
    opts: &BfgsOptions,
) -> Result<LocalResult> {
    let n = z0.len();
    let (mut z, mut f) = (z0.to_vec(), f0);
    // inverse Hessian approximation, row-major; identity until the first curvature pair
    let identity = |n: usize| -> Vec<f64> { (0..n * n).map(|k| if k % (n + 1) == 0 { 1.0 } else { 0.0 }).collect() };
    let warm = warm.filter(|w| w.len() == n * n && w.iter().all(|v| v.is_finite()));
    let mut hinv = warm.map_or_else(|| identity(n), <[f64]>::to_vec);
    let mut fresh = warm.is_none();
    // the approximation before a reset to the identity, returned if the reset does not help
    let mut kept: Option<Vec<f64>> = None;
    let done = |z: Vec<f64>, f: f64, iterations: usize, converged: bool, hinv: Vec<f64>| {
        Ok(LocalResult { z, f, iterations, converged, inverse_hessian: Some(hinv) })
    };
    let Some(mut g) = gradient(&mut eval, &z, f, h)? else { return done(z, f, 0, false, hinv) };
    let mut small_steps = 0;
    for it in 0..opts.max_iter {
        if !f.is_finite() || g.iter().any(|v| !v.is_finite()) {
            return done(z, f, it, false, hinv);
        }
        let free: Vec<bool> = (0..n).map(|i| !((z[i] <= 0.0 && g[i] > 0.0) || (z[i] >= 1.0 && g[i] < 0.0))).collect();
        let pg = (0..n).filter(|&i| free[i]).map(|i| g[i].abs()).fold(0.0, f64::max);
        if pg <= opts.gtol * (1.0 + f.abs()) {
            return done(z, f, it, true, hinv);
        }
        let direction = |hinv: &[f64]| -> Vec<f64> {
            (0..n)
                .map(|i| {
                    if !free[i] {
                        return 0.0;
                    }
                    -(0..n).filter(|&j| free[j]).map(|j| hinv[i * n + j] * g[j]).sum::<f64>()
                })
                .collect()
        };
        let mut p = direction(&hinv);
        if dot(&p, &g) >= 0.0 {
            kept = Some(std::mem::replace(&mut hinv, identity(n)));
            fresh = true;
            p = direction(&hinv);
        }
        // no step longer than half the box in any coordinate
        let longest = p.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let mut alpha = if longest > 0.5 { 0.5 / longest } else { 1.0 };
        if fresh && it == 0 {
            // first step along the gradient: a move of 1% of the box
            alpha = alpha.min(0.01 / longest.max(1e-300));
        }
        let mut accepted: Option<(Vec<f64>, f64)> = None;
        let at = |alpha: f64| -> Vec<f64> { z.iter().zip(&p).map(|(a, b)| (a + alpha * b).clamp(0.0, 1.0)).collect() };
        for backtrack in 0..30 {
            let zn = at(alpha);
            // a step below the difference steps cannot be trusted to descend
            if zn.iter().zip(&z).zip(h).all(|((a, b), h)| (a - b).abs() <= 0.1 * h) {
                break;
            }
            let values = eval(&zn, 1)?;
            let Some(&fn_) = values.first() else { return done(z, f, it, false, hinv) };
            let step: Vec<f64> = zn.iter().zip(&z).map(|(a, b)| a - b).collect();
            let slope = dot(&g, &step);
            if fn_ <= f + 1e-4 * slope {
                accepted = Some((zn, fn_));
                // the full step was still in the nearly linear regime: the model undershoots
                // (Armijo alone never lengthens a step), so try longer steps while f falls
                if backtrack == 0 && fn_ - f <= 0.5 * slope {
                    for _ in 0..10 {
                        alpha *= 2.0;
                        let zx = at(alpha);
                        if accepted.as_ref().is_some_and(|(za, _)| *za == zx) {
                            break;
                        }
                        let values = eval(&zx, 1)?;
                        let Some(&fx) = values.first() else { break };
                        if fx < accepted.as_ref().map_or(f64::INFINITY, |a| a.1) {
                            accepted = Some((zx, fx));
                        } else {
                            break;
                        }
                    }
                }
                break;
            }
            // quadratic interpolation of the decrease, kept within [0.1, 0.5] of the step
            let denom = 2.0 * (fn_ - f - slope);
            let t = if denom > 0.0 && fn_.is_finite() { (-slope / denom).clamp(0.1, 0.5) } else { 0.1 };
            alpha *= t;
        }
        let Some((zn, fn_)) = accepted else {
            if !fresh {
                // the quasi-Newton model misled the search: retry along the gradient
                kept = Some(std::mem::replace(&mut hinv, identity(n)));
                fresh = true;
                continue;
            }
            return done(z, f, it + 1, true, kept.unwrap_or(hinv));
        };
        kept = None;
        let Some(gn) = gradient(&mut eval, &zn, fn_, h)? else { return done(zn, fn_, it + 1, false, hinv) };
        let s: Vec<f64> = zn.iter().zip(&z).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = gn.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 * dot(&s, &s).sqrt() * dot(&y, &y).sqrt() {
            if fresh {
                // Shanno–Phua scaling of the first approximation
                let scale = sy / dot(&y, &y);
                hinv.iter_mut().for_each(|v| *v *= scale);
                fresh = false;
            }
            let hy: Vec<f64> = (0..n).map(|i| (0..n).map(|j| hinv[i * n + j] * y[j]).sum()).collect();
            let yhy = dot(&y, &hy);
            let rho = 1.0 / sy;
            for i in 0..n {
                for j in 0..n {
                    hinv[i * n + j] += rho * ((1.0 + rho * yhy) * s[i] * s[j] - hy[i] * s[j] - s[i] * hy[j]);
                }
            }
        }
        let decrease = (f - fn_) / f.abs().max(fn_.abs()).max(1.0);
        (z, f, g) = (zn, fn_, gn);
        if decrease <= opts.ftol {
            small_steps += 1;
            if small_steps >= 2 {
                return done(z, f, it + 1, true, hinv);
            }
        } else {
            small_steps = 0;
        }
    }
    done(z, f, opts.max_iter, false, hinv)
}

/// Nelder–Mead (adaptive coefficients, from `decision::qaoa::optimize`) on f clipped to the box,
/// starting with a simplex of edge `step`, for at most `maxfev` evaluations.
pub fn nelder_mead<F: Batch>(mut eval: F, z0: &[f64], step: f64, maxfev: usize) -> Result<LocalResult> {
    let opts = Options {
        maxiter: usize::MAX,
        maxfev: maxfev.max(1),
        xatol: 1e-9,
        fatol: 1e-12,
        initial_step: step,
        rhoend: 0.0,
    };
    let r = optimize::minimize(
        optimize::Method::NelderMead,
        |z: &[f64]| {
            let clipped: Vec<f64> = z.iter().map(|v| v.clamp(0.0, 1.0)).collect();
            // past the budget every point is "infinitely bad", and costs nothing
            Ok(eval(&clipped, 1)?.first().copied().unwrap_or(f64::INFINITY))
        },
        z0,
        &opts,
    )?;
    let z = r.x.iter().map(|v| v.clamp(0.0, 1.0)).collect();
    Ok(LocalResult { z, f: r.fun, iterations: r.nit, converged: r.converged, inverse_hessian: None })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A counting batch evaluator of `f` with a budget.
    fn counted(
        f: impl Fn(&[f64]) -> f64,
        n: usize,
        budget: usize,
    ) -> (impl Batch, std::rc::Rc<std::cell::Cell<usize>>) {
        let used = std::rc::Rc::new(std::cell::Cell::new(0));
        let u2 = used.clone();
        let eval = move |pts: &[f64], m: usize| -> Result<Vec<f64>> {
            let take = m.min(budget - u2.get());
            u2.set(u2.get() + take);
            Ok(pts.chunks(n).take(take).map(&f).collect())
        };
        (eval, used)
    }

    fn rosenbrock(z: &[f64]) -> f64 {
        // optimum at 0.6 in every coordinate after x = 5z − 2
        let x: Vec<f64> = z.iter().map(|v| 5.0 * v - 2.0).collect();
        x.windows(2).map(|w| 100.0 * (w[1] - w[0] * w[0]).powi(2) + (1.0 - w[0]).powi(2)).sum()
    }

    #[test]
    fn bfgs_solves_rosenbrock_and_respects_the_budget() {
        for n in [2, 5] {
            let (eval, used) = counted(rosenbrock, n, 5000);
            let z0 = vec![0.1; n];
            let r = bfgs(eval, &z0, rosenbrock(&z0), &vec![1e-8; n], None, &BfgsOptions::default()).unwrap();
            assert!(r.f < 1e-7, "n={n}: {r:?} after {} evaluations", used.get());
            assert!(r.z.iter().all(|v| (v - 0.6).abs() < 1e-3), "{r:?}");
            assert!(used.get() < 2000, "{}", used.get());
        }
        let (eval, used) = counted(rosenbrock, 3, 40);
        let r = bfgs(eval, &[0.1; 3], rosenbrock(&[0.1; 3]), &[1e-8; 3], None, &BfgsOptions::default()).unwrap();
        assert_eq!(used.get(), 40);
        assert!(!r.converged && r.f < rosenbrock(&[0.1; 3]));
    }

    #[test]
    fn bfgs_stops_at_an_active_bound() {
        // minimum of (z0 + 1)² + (z1 − 0.3)² over the box is at (0, 0.3)
        let f = |z: &[f64]| (z[0] + 1.0).powi(2) + (z[1] - 0.3).powi(2);
        let (eval, _) = counted(f, 2, 1000);
        let r = bfgs(eval, &[0.7, 0.9], f(&[0.7, 0.9]), &[1e-8; 2], None, &BfgsOptions::default()).unwrap();
        assert!(r.converged && r.z[0] == 0.0 && (r.z[1] - 0.3).abs() < 1e-6, "{r:?}");
    }

    #[test]
    fn nelder_mead_stays_in_the_box_within_budget() {
        let f = |z: &[f64]| (z[0] - 1.4).powi(2) + (z[1] - 0.25).powi(2);
        let (eval, used) = counted(f, 2, 300);
        let r = nelder_mead(eval, &[0.5, 0.5], 0.1, 300).unwrap();
        assert!(used.get() <= 300);
        assert!((r.z[0] - 1.0).abs() < 1e-3 && (r.z[1] - 0.25).abs() < 1e-3, "{r:?}");
    }
}
