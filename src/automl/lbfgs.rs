//! Limited-memory BFGS for the smooth, unconstrained fits of the models (logistic regression,
//! the MLP): the two-loop recursion over the last `memory` steps, and a line search that meets
//! the strong Wolfe conditions (Nocedal & Wright, "Numerical Optimization", 2nd ed., algorithms
//! 3.5 and 3.6, with safeguarded cubic interpolation in the zoom). Stops as scipy's L-BFGS-B does
//! for scikit-learn: the largest gradient component at most `gtol`, or a relative decrease of the
//! objective of at most `ftol`.

use crate::control::Control;
use crate::error::Result;

/// The objective at `x`, its gradient written to the second argument.
pub type Objective<'a> = dyn FnMut(&[f64], &mut [f64]) -> Result<f64> + 'a;

/// Settings of a run.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub memory: usize,
    pub max_iter: usize,
    /// Evaluations of the objective after which the run stops unconverged (scipy's `maxfun`).
    pub max_fun: usize,
    pub gtol: f64,
    pub ftol: f64,
}

impl Default for Options {
    fn default() -> Self {
        // scikit-learn's LogisticRegression passes gtol = tol (1e-4) and ftol = 64 eps
        Self { memory: 10, max_iter: 100, max_fun: usize::MAX, gtol: 1e-4, ftol: 64.0 * f64::EPSILON }
    }
}

/// Where a run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub x: Vec<f64>,
    pub f: f64,
    pub iterations: usize,
    /// Whether a stopping test held (false: `max_iter` ran out, or no step decreased `f`).
    pub converged: bool,
}

/// Minimises `f`, which returns the objective at `x` and writes its gradient to `g`.
pub fn minimize(f: &mut Objective<'_>, x0: Vec<f64>, opts: Options, control: &Control) -> Result<Outcome> {
    let m = x0.len();
    let evals = std::cell::Cell::new(0usize);
    let mut counted = |x: &[f64], g: &mut [f64]| -> Result<f64> {
        evals.set(evals.get() + 1);
        f(x, g)
    };
    let f: &mut Objective<'_> = &mut counted;
    let mut x = x0;
    let mut g = vec![0.0; m];
    let mut fx = f(&x, &mut g)?;
    let (mut s_hist, mut y_hist, mut rho): (Vec<Vec<f64>>, Vec<Vec<f64>>, Vec<f64>) = (vec![], vec![], vec![]);
    let mut dir = vec![0.0; m];
    let mut alpha = vec![0.0; opts.memory.max(1)];
    for it in 0..opts.max_iter {
        control.check()?;
        if max_abs(&g) <= opts.gtol {
            return Ok(Outcome { x, f: fx, iterations: it, converged: true });
        }
        if evals.get() >= opts.max_fun {
            return Ok(Outcome { x, f: fx, iterations: it, converged: false });
        }
        // two-loop recursion: dir = −H g
        dir.iter_mut().zip(&g).for_each(|(d, gi)| *d = -gi);
        let k = s_hist.len();
        for i in (0..k).rev() {
            alpha[i] = rho[i] * dot(&s_hist[i], &dir);
            axpy(-alpha[i], &y_hist[i], &mut dir);
        }
        let gamma = match k {
            0 => 1.0 / max_abs(&g).max(1.0),
            _ => dot(&s_hist[k - 1], &y_hist[k - 1]) / dot(&y_hist[k - 1], &y_hist[k - 1]),
        };
        dir.iter_mut().for_each(|d| *d *= gamma);
        for i in 0..k {
            let beta = rho[i] * dot(&y_hist[i], &dir);
            axpy(alpha[i] - beta, &s_hist[i], &mut dir);
        }
        let mut slope = dot(&g, &dir);
        if slope.is_nan() || slope >= 0.0 {
            // not a descent direction (curvature pairs gone stale): steepest descent
            s_hist.clear();
            y_hist.clear();
            rho.clear();
            dir.iter_mut().zip(&g).for_each(|(d, gi)| *d = -gi / max_abs(&g).max(1.0));
            slope = dot(&g, &dir);
        }
        let Some((_, f_new, x_new, g_new)) = wolfe(f, &x, fx, &dir, slope)? else {
            return Ok(Outcome { x, f: fx, iterations: it, converged: false });
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        let decrease = fx - f_new;
        x = x_new;
        g = g_new;
        let f_old = fx;
        fx = f_new;
        if decrease <= opts.ftol * f_old.abs().max(fx.abs()).max(1.0) {
            return Ok(Outcome { x, f: fx, iterations: it + 1, converged: true });
        }
        if sy > f64::EPSILON * dot(&y, &y) {
            if s_hist.len() == opts.memory.max(1) {
                s_hist.remove(0);
                y_hist.remove(0);
                rho.remove(0);
            }
            s_hist.push(s);
            y_hist.push(y);
            rho.push(1.0 / sy);
        }
    }
    let converged = max_abs(&g) <= opts.gtol;
    Ok(Outcome { x, f: fx, iterations: opts.max_iter, converged })
}

type Point = (f64, f64, Vec<f64>, Vec<f64>);

/// A step along `dir` meeting the strong Wolfe conditions (c1 = 1e-4, c2 = 0.9): `(step, f, x,
/// g)` there; without one after 50 evaluations, the lowest point found below `fx`, if any.
fn wolfe(f: &mut Objective<'_>, x: &[f64], fx: f64, dir: &[f64], slope: f64) -> Result<Option<Point>> {
    const C1: f64 = 1e-4;
    const C2: f64 = 0.9;
    const EVALS: usize = 50;
    let mut best: Option<Point> = None;
    let mut evals = 0;
    let mut eval = |t: f64, best: &mut Option<Point>| -> Result<(f64, f64, Option<Point>)> {
        let xt: Vec<f64> = x.iter().zip(dir).map(|(a, d)| a + t * d).collect();
        let mut gt = vec![0.0; x.len()];
        let ft = f(&xt, &mut gt)?;
        let dt = dot(&gt, dir);
        let (ft, dt) = if ft.is_finite() && dt.is_finite() { (ft, dt) } else { (f64::INFINITY, f64::INFINITY) };
        let p = (t, ft, xt, gt);
        if ft < best.as_ref().map_or(fx, |b| b.1) {
            *best = Some(p.clone());
        }
        let wolfe = ft <= fx + C1 * t * slope && dt.abs() <= -C2 * slope;
        Ok((ft, dt, wolfe.then_some(p)))
    };
    // bracketing (algorithm 3.5): lo is the best step meeting the decrease condition so far
    let (mut lo, mut f_lo, mut d_lo) = (0.0, fx, slope);
    let mut t = 1.0;
    let mut hi: f64;
    loop {
        evals += 1;
        let (ft, dt, done) = eval(t, &mut best)?;
        if done.is_some() {
            return Ok(done);
        }
        if ft > fx + C1 * t * slope || ft >= f_lo {
            hi = t;
            break;
        }
        if dt >= 0.0 {
            hi = lo;
            (lo, f_lo, d_lo) = (t, ft, dt);
            break;
        }
        (lo, f_lo, d_lo) = (t, ft, dt);
        t *= 2.0;
        if evals >= EVALS {
            return Ok(best);
        }
    }
    // zoom (algorithm 3.6) between lo and hi
    let (mut f_hi, mut d_hi) = (f64::INFINITY, f64::NAN);
    while evals < EVALS && (hi - lo).abs() > 1e-16 * lo.abs().max(hi.abs()).max(1e-300) {
        let t = interpolate(lo, f_lo, d_lo, hi, f_hi, d_hi);
        evals += 1;
        let (ft, dt, done) = eval(t, &mut best)?;
        if done.is_some() {
            return Ok(done);
        }
        if ft > fx + C1 * t * slope || ft >= f_lo {
            (hi, f_hi, d_hi) = (t, ft, dt);
        } else {
            if dt * (hi - lo) >= 0.0 {
                (hi, f_hi, d_hi) = (lo, f_lo, d_lo);
            }
            (lo, f_lo, d_lo) = (t, ft, dt);
        }
    }
    Ok(best)
}

/// The minimiser of the cubic through two points with their slopes, kept inside the middle 80%
/// of the bracket (bisection when the cubic has none there).
fn interpolate(a: f64, fa: f64, da: f64, b: f64, fb: f64, db: f64) -> f64 {
    let (lo, hi) = (a.min(b), a.max(b));
    let d1 = da + db - 3.0 * (fa - fb) / (a - b);
    let disc = d1 * d1 - da * db;
    let t = if disc >= 0.0 && fa.is_finite() && fb.is_finite() && db.is_finite() {
        let d2 = (b - a).signum() * disc.sqrt();
        b - (b - a) * (db + d2 - d1) / (db - da + 2.0 * d2)
    } else {
        f64::NAN
    };
    let margin = 0.1 * (hi - lo);
    if t.is_finite() && t >= lo + margin && t <= hi - margin {
        t
    } else {
        0.5 * (lo + hi)
    }
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn axpy(a: f64, x: &[f64], y: &mut [f64]) {
    y.iter_mut().zip(x).for_each(|(yi, xi)| *yi += a * xi);
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0f64, |m, x| m.max(x.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rosenbrock_and_a_quadratic_reach_their_minima() {
        let mut rosen = |x: &[f64], g: &mut [f64]| -> Result<f64> {
            let (a, b) = (x[0], x[1]);
            g[0] = -2.0 * (1.0 - a) - 400.0 * a * (b - a * a);
            g[1] = 200.0 * (b - a * a);
            Ok((1.0 - a).powi(2) + 100.0 * (b - a * a).powi(2))
        };
        let opts = Options { max_iter: 500, gtol: 1e-8, ftol: 0.0, ..Options::default() };
        let out = minimize(&mut rosen, vec![-1.2, 1.0], opts, &Control::new()).unwrap();
        assert!(out.converged && (out.x[0] - 1.0).abs() < 1e-6 && (out.x[1] - 1.0).abs() < 1e-6, "{out:?}");
        // an ill-conditioned quadratic in 50 dimensions
        let scales: Vec<f64> = (0..50).map(|i| 10f64.powf(i as f64 / 16.0)).collect();
        let mut quad = |x: &[f64], g: &mut [f64]| -> Result<f64> {
            let mut f = 0.0;
            for i in 0..x.len() {
                g[i] = scales[i] * (x[i] - 1.0);
                f += 0.5 * scales[i] * (x[i] - 1.0).powi(2);
            }
            Ok(f)
        };
        let opts = Options { max_iter: 2000, gtol: 1e-9, ..opts };
        let out = minimize(&mut quad, vec![0.0; 50], opts, &Control::new()).unwrap();
        assert!(out.converged && out.x.iter().all(|v| (v - 1.0).abs() < 1e-6), "{out:?}");
    }

    #[test]
    fn a_cancelled_run_stops() {
        let c = Control::new();
        c.cancel();
        let mut f = |x: &[f64], g: &mut [f64]| -> Result<f64> {
            g[0] = 2.0 * x[0];
            Ok(x[0] * x[0])
        };
        assert!(minimize(&mut f, vec![3.0], Options::default(), &c).is_err());
    }
}
