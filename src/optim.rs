//! Small-dimensional optimisation shared by the maximum-likelihood fits (`blackswan`'s GPD and
//! GEV and their profile likelihoods, `cas`'s power law and its alternatives): Nelder–Mead, Newton
//! polishing with finite-difference derivatives, Brent's root finder and minimiser, and a
//! Gauss–Jordan inverse for 2×2 and 3×3 matrices.

use crate::control::Control;
use crate::error::Result;

/// Minimises `f` from `x0` with initial steps `step` by Nelder–Mead; stops when the simplex's
/// values agree to `ftol` (absolute) and its vertices to `xtol` (relative), or after `max_eval` evaluations. Non-finite values count as
/// +inf (an infeasible point).
pub fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    x0: &[f64],
    step: &[f64],
    ftol: f64,
    xtol: f64,
    max_eval: usize,
    control: &Control,
) -> Result<(Vec<f64>, f64)> {
    let d = x0.len();
    let eval = |x: &[f64]| {
        let v = f(x);
        if v.is_nan() {
            f64::INFINITY
        } else {
            v
        }
    };
    let mut pts: Vec<Vec<f64>> = Vec::with_capacity(d + 1);
    pts.push(x0.to_vec());
    for i in 0..d {
        let mut p = x0.to_vec();
        p[i] += step[i];
        pts.push(p);
    }
    let mut vals: Vec<f64> = pts.iter().map(|p| eval(p)).collect();
    let mut evals = d + 1;
    while evals < max_eval {
        control.check()?;
        let mut order: Vec<usize> = (0..=d).collect();
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        pts = order.iter().map(|&i| pts[i].clone()).collect();
        vals = order.iter().map(|&i| vals[i]).collect();
        let spread = (vals[d] - vals[0]).abs();
        let size = (1..=d)
            .flat_map(|i| (0..d).map(move |j| (i, j)))
            .map(|(i, j)| (pts[i][j] - pts[0][j]).abs() / (1.0 + pts[0][j].abs()))
            .fold(0.0, f64::max);
        if vals[0].is_finite() && spread <= ftol && size < xtol {
            break;
        }
        let centroid: Vec<f64> = (0..d).map(|j| pts[..d].iter().map(|p| p[j]).sum::<f64>() / d as f64).collect();
        let towards = |t: f64| -> Vec<f64> { (0..d).map(|j| centroid[j] + t * (pts[d][j] - centroid[j])).collect() };
        let xr = towards(-1.0);
        let fr = eval(&xr);
        evals += 1;
        if fr < vals[0] {
            let xe = towards(-2.0);
            let fe = eval(&xe);
            evals += 1;
            if fe < fr {
                pts[d] = xe;
                vals[d] = fe;
            } else {
                pts[d] = xr;
                vals[d] = fr;
            }
        } else if fr < vals[d - 1] {
            pts[d] = xr;
            vals[d] = fr;
        } else {
            let (xc, fc) = if fr < vals[d] {
                let x = towards(-0.5);
                let v = eval(&x);
                (x, v)
            } else {
                let x = towards(0.5);
                let v = eval(&x);
                (x, v)
            };
            evals += 1;
            if fc < vals[d].min(fr) {
                pts[d] = xc;
                vals[d] = fc;
            } else {
                let (best, rest) = pts.split_at_mut(1);
                for (p, v) in rest.iter_mut().zip(vals.iter_mut().skip(1)) {
                    for (x, b) in p.iter_mut().zip(&best[0]) {
                        *x = b + 0.5 * (*x - b);
                    }
                    *v = eval(p);
                }
                evals += d;
            }
        }
    }
    let best = (0..=d).min_by(|&a, &b| vals[a].total_cmp(&vals[b])).unwrap_or(0);
    Ok((pts[best].clone(), vals[best]))
}

/// The central finite-difference gradient and Hessian of `f` at `x` with steps `h`.
pub fn fd_derivatives(f: &dyn Fn(&[f64]) -> f64, x: &[f64], h: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let d = x.len();
    let f0 = f(x);
    let at = |moves: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(i, s) in moves {
            y[i] += s * h[i];
        }
        f(&y)
    };
    let mut g = vec![0.0; d];
    let mut hess = vec![0.0; d * d];
    for i in 0..d {
        let (fp, fm) = (at(&[(i, 1.0)]), at(&[(i, -1.0)]));
        g[i] = (fp - fm) / (2.0 * h[i]);
        hess[i * d + i] = (fp - 2.0 * f0 + fm) / (h[i] * h[i]);
        for j in 0..i {
            let v = (at(&[(i, 1.0), (j, 1.0)]) - at(&[(i, 1.0), (j, -1.0)]) - at(&[(i, -1.0), (j, 1.0)])
                + at(&[(i, -1.0), (j, -1.0)]))
                / (4.0 * h[i] * h[j]);
            hess[i * d + j] = v;
            hess[j * d + i] = v;
        }
    }
    (g, hess)
}

/// The inverse of the `d`×`d` row-major matrix `a` by Gauss–Jordan with partial pivoting, `None`
/// when it is singular (or not finite).
pub fn inverse(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut inv = vec![0.0; d * d];
    for i in 0..d {
        inv[i * d + i] = 1.0;
    }
    let scale = a.iter().fold(0.0f64, |s, v| s.max(v.abs()));
    if !(scale.is_finite() && scale > 0.0) {
        return None;
    }
    for c in 0..d {
        let p = (c..d).max_by(|&r, &s| m[r * d + c].abs().total_cmp(&m[s * d + c].abs()))?;
        if m[p * d + c].abs() <= 1e-14 * scale {
            return None;
        }
        for k in 0..d {
            m.swap(c * d + k, p * d + k);
            inv.swap(c * d + k, p * d + k);
        }
        let piv = m[c * d + c];
        for k in 0..d {
            m[c * d + k] /= piv;
            inv[c * d + k] /= piv;
        }
        for r in 0..d {
            if r != c {
                let factor = m[r * d + c];
                for k in 0..d {
                    m[r * d + k] -= factor * m[c * d + k];
                    inv[r * d + k] -= factor * inv[c * d + k];
                }
            }
        }
    }
    inv.iter().all(|v| v.is_finite()).then_some(inv)
}

/// The covariance `(−H)⁻¹` from the Hessian `hess` of a log-likelihood at its maximum, `None`
/// unless the observed information `−H` is positive definite.
pub fn covariance(hess: &[f64], d: usize) -> Option<Vec<f64>> {
    let info: Vec<f64> = hess.iter().map(|v| -v).collect();
    let cov = inverse(&info, d)?;
    // positive definite: every leading minor positive, checked on the inverse's diagonal and 2×2
    let pd = (0..d).all(|i| cov[i * d + i] > 0.0)
        && (0..d).all(|i| (0..i).all(|j| cov[i * d + j].powi(2) < cov[i * d + i] * cov[j * d + j]));
    pd.then_some(cov)
}

/// Newton steps on a smooth function to maximise (`f` is the log-likelihood), with
/// finite-difference derivatives of steps `h(x)` and backtracking; keeps `x` if no step gains.
pub fn newton_polish(f: &dyn Fn(&[f64]) -> f64, x: &mut Vec<f64>, h: &dyn Fn(&[f64]) -> Vec<f64>, iters: usize) {
    let d = x.len();
    let mut fx = f(x);
    for _ in 0..iters {
        let (g, hess) = fd_derivatives(f, x, &h(x));
        let Some(cov) = covariance(&hess, d) else { return };
        let step: Vec<f64> = (0..d).map(|i| (0..d).map(|j| cov[i * d + j] * g[j]).sum()).collect();
        let mut t = 1.0;
        let mut improved = false;
        for _ in 0..20 {
            let y: Vec<f64> = (0..d).map(|i| x[i] + t * step[i]).collect();
            let fy = f(&y);
            if fy.is_finite() && fy >= fx {
                let gain = fy - fx;
                *x = y;
                fx = fy;
                improved = gain > 1e-13 * fx.abs().max(1.0);
                break;
            }
            t *= 0.5;
        }
        if !improved {
            return;
        }
    }
}

/// A root of `f` in `[a, b]` where `f(a)` and `f(b)` differ in sign (Brent's method), to an
/// interval of `tol`.
pub fn brent_root(
    f: &mut dyn FnMut(f64) -> Result<f64>,
    mut a: f64,
    mut b: f64,
    mut fa: f64,
    mut fb: f64,
    tol: f64,
) -> Result<f64> {
    if fa == 0.0 {
        return Ok(a);
    }
    if fb == 0.0 {
        return Ok(b);
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..200 {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let xm = 0.5 * (c - b);
        if xm.abs() <= tol1 || fb == 0.0 {
            return Ok(b);
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * xm * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * xm * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            }
            p = p.abs();
            if 2.0 * p < (3.0 * xm * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = xm;
                e = d;
            }
        } else {
            d = xm;
            e = d;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(xm) };
        fb = f(b)?;
    }
    Ok(b)
}

/// The minimiser of `f` on `[a, b]` (Brent's golden-section and parabolic search) to `tol`, and
/// its value.
pub fn brent_min(f: &mut dyn FnMut(f64) -> Result<f64>, mut a: f64, mut b: f64, tol: f64) -> Result<(f64, f64)> {
    const GOLD: f64 = 0.381_966_011_250_105_1;
    let mut x = a + GOLD * (b - a);
    let (mut w, mut v) = (x, x);
    let mut fx = f(x)?;
    let (mut fw, mut fv) = (fx, fx);
    let (mut d, mut e) = (0.0f64, 0.0f64);
    for _ in 0..200 {
        let m = 0.5 * (a + b);
        let tol1 = tol * x.abs() + 1e-12;
        let tol2 = 2.0 * tol1;
        if (x - m).abs() <= tol2 - 0.5 * (b - a) {
            break;
        }
        let mut golden = true;
        if e.abs() > tol1 {
            let r = (x - w) * (fx - fv);
            let mut q = (x - v) * (fx - fw);
            let mut p = (x - v) * q - (x - w) * r;
            q = 2.0 * (q - r);
            if q > 0.0 {
                p = -p;
            }
            q = q.abs();
            let etemp = e;
            e = d;
            if !(p.abs() >= (0.5 * q * etemp).abs() || p <= q * (a - x) || p >= q * (b - x)) {
                d = p / q;
                let u = x + d;
                if u - a < tol2 || b - u < tol2 {
                    d = tol1.copysign(m - x);
                }
                golden = false;
            }
        }
        if golden {
            e = if x >= m { a - x } else { b - x };
            d = GOLD * e;
        }
        let u = if d.abs() >= tol1 { x + d } else { x + tol1.copysign(d) };
        let fu = f(u)?;
        if fu <= fx {
            if u >= x {
                a = x;
            } else {
                b = x;
            }
            (v, fv, w, fw, x, fx) = (w, fw, x, fx, u, fu);
        } else {
            if u < x {
                a = u;
            } else {
                b = u;
            }
            if fu <= fw || w == x {
                (v, fv, w, fw) = (w, fw, u, fu);
            } else if fu <= fv || v == x || v == w {
                (v, fv) = (u, fu);
            }
        }
    }
    Ok((x, fx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optimisers_find_known_optima() {
        let c = Control::new();
        let rosen = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let (x, _) = nelder_mead(&rosen, &[-1.2, 1.0], &[0.5, 0.5], 1e-14, 1e-9, 5000, &c).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-4 && (x[1] - 1.0).abs() < 1e-4, "{x:?}");
        let mut g = |x: f64| Ok(x * x - 2.0);
        let r = brent_root(&mut g, 0.0, 2.0, -2.0, 2.0, 1e-14).unwrap();
        assert!((r - 2f64.sqrt()).abs() < 1e-13);
        let mut h = |x: f64| Ok((x - 0.3).powi(2) + 1.0);
        let (m, v) = brent_min(&mut h, -1.0, 2.0, 1e-10).unwrap();
        assert!((m - 0.3).abs() < 1e-7 && (v - 1.0).abs() < 1e-12);
        let inv = inverse(&[4.0, 1.0, 1.0, 3.0], 2).unwrap();
        assert!((inv[0] - 3.0 / 11.0).abs() < 1e-15 && (inv[1] + 1.0 / 11.0).abs() < 1e-15);
        assert!(inverse(&[1.0, 2.0, 2.0, 4.0], 2).is_none());
        let q = |x: &[f64]| -(x[0] - 1.0).powi(2) - 2.0 * (x[1] + 0.5).powi(2) - 0.5 * x[0] * x[1];
        let mut x = vec![0.0, 0.0];
        newton_polish(&q, &mut x, &|_| vec![1e-4, 1e-4], 10);
        let (g, _) = fd_derivatives(&q, &x, &[1e-5, 1e-5]);
        assert!(g.iter().all(|v| v.abs() < 1e-8), "{g:?}");
    }
}
