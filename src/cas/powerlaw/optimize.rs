//! One-dimensional root finding (Brent) and a Nelder–Mead minimiser with restarts, for the
//! maximum-likelihood fits that have no closed form.

/// A root of `f` in [a, b] where f(a) and f(b) have opposite signs (Brent's method), to `xtol`.
pub fn brent_root(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64, xtol: f64) -> f64 {
    let (mut fa, mut fb) = (f(a), f(b));
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    let (mut c, mut fc) = (a, fa);
    let (mut d, mut e) = (b - a, b - a);
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
        let tol = 2.0 * f64::EPSILON * b.abs() + 0.5 * xtol;
        let m = 0.5 * (c - b);
        if m.abs() <= tol || fb == 0.0 {
            return b;
        }
        if e.abs() >= tol && fa.abs() > fb.abs() {
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qq = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qq * (qq - r) - (b - a) * (r - 1.0));
                q = (qq - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol { d } else { tol * m.signum() };
        fb = f(b);
    }
    b
}

/// Minimise `f` from `x0` by Nelder–Mead (adaptive parameters off, the classic 1, 2, ½, ½),
/// restarted from the best point until a restart no longer improves it by more than 1e-13
/// relative. Non-finite values count as +inf. Returns (argmin, min).
pub fn nelder_mead(f: impl Fn(&[f64]) -> f64, x0: &[f64], step: f64) -> (Vec<f64>, f64) {
    let eval = |x: &[f64]| {
        let v = f(x);
        if v.is_finite() {
            v
        } else {
            f64::INFINITY
        }
    };
    let dim = x0.len();
    let mut best = x0.to_vec();
    let mut best_f = eval(&best);
    for _restart in 0..8 {
        let mut simplex: Vec<Vec<f64>> = vec![best.clone()];
        for i in 0..dim {
            let mut p = best.clone();
            p[i] += if p[i].abs() > 1e-3 { step * p[i].abs() } else { step };
            simplex.push(p);
        }
        let mut values: Vec<f64> = simplex.iter().map(|p| eval(p)).collect();
        for _ in 0..4000 {
            let mut order: Vec<usize> = (0..=dim).collect();
            order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
            simplex = order.iter().map(|&i| simplex[i].clone()).collect();
            values = order.iter().map(|&i| values[i]).collect();
            let spread = (values[dim] - values[0]).abs();
            let size = (1..=dim)
                .flat_map(|i| (0..dim).map(move |j| (i, j)))
                .map(|(i, j)| (simplex[i][j] - simplex[0][j]).abs())
                .fold(0.0, f64::max);
            if spread <= 1e-15 * values[0].abs().max(1e-300) && size < 1e-12 {
                break;
            }
            if size < 1e-14 {
                break;
            }
            let centroid: Vec<f64> =
                (0..dim).map(|j| simplex[..dim].iter().map(|p| p[j]).sum::<f64>() / dim as f64).collect();
            let along =
                |t: f64| -> Vec<f64> { centroid.iter().zip(&simplex[dim]).map(|(c, w)| c + t * (w - c)).collect() };
            let xr = along(-1.0);
            let fr = eval(&xr);
            if fr < values[0] {
                let xe = along(-2.0);
                let fe = eval(&xe);
                if fe < fr {
                    simplex[dim] = xe;
                    values[dim] = fe;
                } else {
                    simplex[dim] = xr;
                    values[dim] = fr;
                }
            } else if fr < values[dim - 1] {
                simplex[dim] = xr;
                values[dim] = fr;
            } else {
                let (xc, fc) = if fr < values[dim] {
                    let xc = along(-0.5);
                    let fc = eval(&xc);
                    (xc, fc)
                } else {
                    let xc = along(0.5);
                    let fc = eval(&xc);
                    (xc, fc)
                };
                if fc < values[dim].min(fr) {
                    simplex[dim] = xc;
                    values[dim] = fc;
                } else {
                    for i in 1..=dim {
                        let p: Vec<f64> = simplex[0].iter().zip(&simplex[i]).map(|(a, b)| a + 0.5 * (b - a)).collect();
                        values[i] = eval(&p);
                        simplex[i] = p;
                    }
                }
            }
        }
        let i = (0..=dim).min_by(|&a, &b| values[a].total_cmp(&values[b])).unwrap_or(0);
        let improved = best_f - values[i] > 1e-13 * best_f.abs().max(1e-300);
        if values[i] < best_f {
            best = simplex[i].clone();
            best_f = values[i];
        }
        if !improved {
            break;
        }
    }
    (best, best_f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_and_minimum() {
        let r = brent_root(|x| x * x - 2.0, 0.0, 2.0, 1e-15);
        assert!((r - 2f64.sqrt()).abs() < 1e-14);
        let (x, v) = nelder_mead(|p| (p[0] - 1.0).powi(2) + 100.0 * (p[1] - p[0] * p[0]).powi(2), &[-1.2, 1.0], 0.1);
        assert!((x[0] - 1.0).abs() < 1e-6 && (x[1] - 1.0).abs() < 1e-6 && v < 1e-12, "{x:?} {v}");
    }
}
