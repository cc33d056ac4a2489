//! Value at risk and expected shortfall (CVaR) of returns, as positive losses: historical
//! (numpy's linear quantile), Gaussian, Student t (fitted by maximum likelihood) and
//! Cornish–Fisher (with Boudt, Peterson & Croux's modified expected shortfall); per column, for a
//! weighted portfolio, and over rolling windows.
//!
//! NaN marks a missing return: it is dropped (a window's measure is over its present values).

use crate::control::Control;
use crate::error::{try_vec, try_with_capacity, Error, Result};
use crate::risk::stats::{accurate_sum, lerp};
use crate::special::{ln_gamma, norm_cdf, norm_pdf, norm_ppf, t_pdf, t_ppf};
use ndarray::{ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// How the return distribution is modelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The empirical distribution (numpy's linear quantile).
    Historical,
    /// A normal distribution with the sample mean and standard deviation (ddof 1).
    Gaussian,
    /// A location-scale Student t fitted by maximum likelihood (dof, loc, scale).
    StudentT,
    /// The Cornish–Fisher expansion with the sample skewness and excess kurtosis.
    CornishFisher,
}

impl Method {
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "historical" => Method::Historical,
            "gaussian" => Method::Gaussian,
            "student_t" => Method::StudentT,
            "cornish_fisher" => Method::CornishFisher,
            other => {
                let shown: String = other.chars().take(40).collect();
                return Err(crate::invalid!(
                    "method must be 'historical', 'gaussian', 'student_t' or 'cornish_fisher', got {shown:?}"
                ));
            }
        })
    }

    /// The fewest present returns the method needs; fewer give NaN.
    pub fn min_count(self) -> usize {
        match self {
            Method::Historical => 1,
            Method::Gaussian | Method::CornishFisher => 2,
            Method::StudentT => 3,
        }
    }
}

/// Value at risk or expected shortfall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    Var,
    Cvar,
}

/// `Err(InvalidInput)` unless 0 < alpha < 1.
pub fn check_alpha(alpha: f64) -> Result<()> {
    crate::ensure!(alpha > 0.0 && alpha < 1.0, "alpha must be in (0, 1), got {alpha}");
    Ok(())
}

/// A location-scale Student t fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TFit {
    pub dof: f64,
    pub loc: f64,
    pub scale: f64,
    pub loglik: f64,
}

const DOF_MIN: f64 = 0.2;
const DOF_MAX: f64 = 1.0e4;

/// The log-likelihood of `x` under t(dof, loc, scale).
pub fn t_loglik(x: &[f64], dof: f64, loc: f64, scale: f64) -> f64 {
    let n = x.len() as f64;
    let c = ln_gamma(0.5 * (dof + 1.0)) - ln_gamma(0.5 * dof) - 0.5 * (dof * std::f64::consts::PI).ln() - scale.ln();
    let s: f64 = x
        .iter()
        .map(|&v| {
            let z = (v - loc) / scale;
            (z * z / dof).ln_1p()
        })
        .sum();
    n * c - 0.5 * (dof + 1.0) * s
}

/// The maximum-likelihood (loc, scale) for a fixed `dof`, by the EM (iteratively reweighted)
/// iteration, which increases the likelihood at every step, started from `start`.
fn t_loc_scale(x: &[f64], dof: f64, start: (f64, f64)) -> (f64, f64) {
    let (mut loc, mut scale) = start;
    let n = x.len() as f64;
    for _ in 0..2000 {
        let (mut sw, mut swx) = (0.0, 0.0);
        let inv = 1.0 / (scale * scale);
        for &v in x {
            let d = v - loc;
            let w = (dof + 1.0) / (dof + d * d * inv);
            sw += w;
            swx += w * v;
        }
        let new_loc = swx / sw;
        let mut ss = 0.0;
        for &v in x {
            let d = v - new_loc;
            let w = (dof + 1.0) / (dof + (v - loc) * (v - loc) * inv);
            ss += w * d * d;
        }
        let new_scale = (ss / n).sqrt();
        let done = (new_loc - loc).abs() <= 1e-13 * scale && (new_scale - scale).abs() <= 1e-13 * scale;
        loc = new_loc;
        scale = new_scale;
        if done || scale.is_nan() || scale <= 0.0 {
            break;
        }
    }
    (loc, scale)
}

/// Fits a location-scale Student t to `x` by maximum likelihood: the profile likelihood of the
/// degrees of freedom (each point maximised over loc and scale by EM) is scanned on a grid of
/// log(dof) in [0.2, 10⁴] and refined by golden-section search. `None` for fewer than 3 values
/// or zero spread.
pub fn fit_t(x: &[f64], control: &Control) -> Result<Option<TFit>> {
    if x.len() < 3 {
        return Ok(None);
    }
    let n = x.len() as f64;
    let mean = accurate_sum(x.iter().copied()) / n;
    let var = accurate_sum(x.iter().map(|v| (v - mean) * (v - mean))) / n;
    if var.is_nan() || var <= 0.0 || !var.is_finite() {
        return Ok(None);
    }
    let mut start = (mean, var.sqrt());
    let profile = |log_dof: f64, start: &mut (f64, f64)| -> f64 {
        let dof = log_dof.exp();
        let (loc, scale) = t_loc_scale(x, dof, *start);
        if scale > 0.0 && scale.is_finite() {
            *start = (loc, scale);
            t_loglik(x, dof, loc, scale)
        } else {
            f64::NEG_INFINITY
        }
    };
    let (lo, hi) = (DOF_MIN.ln(), DOF_MAX.ln());
    const GRID: usize = 24;
    let mut best = (f64::NEG_INFINITY, lo);
    // from heavy tails to light: each fit starts from the previous one's loc and scale
    for k in (0..=GRID).rev() {
        control.check()?;
        let t = lo + (hi - lo) * k as f64 / GRID as f64;
        let l = profile(t, &mut start);
        if l > best.0 {
            best = (l, t);
        }
    }
    let step = (hi - lo) / GRID as f64;
    let (mut a, mut b) = ((best.1 - step).max(lo), (best.1 + step).min(hi));
    let g = 0.5 * (5f64.sqrt() - 1.0);
    let mut c = b - g * (b - a);
    let mut d = a + g * (b - a);
    let mut fc = profile(c, &mut start);
    let mut fd = profile(d, &mut start);
    while b - a > 1e-9 {
        control.check()?;
        if fc > fd {
            b = d;
            d = c;
            fd = fc;
            c = b - g * (b - a);
            fc = profile(c, &mut start);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + g * (b - a);
            fd = profile(d, &mut start);
        }
    }
    let t = if fc > fd { c } else { d };
    let t = if best.0 > fc.max(fd) { best.1 } else { t };
    let dof = t.exp();
    let (loc, scale) = t_loc_scale(x, dof, start);
    Ok(Some(TFit { dof, loc, scale, loglik: t_loglik(x, dof, loc, scale) }))
}

/// Sample moments: mean, standard deviation (ddof 1), skewness m3/m2^1.5 and excess kurtosis
/// m4/m2² − 3 (the moment estimators, as scipy.stats.skew / kurtosis with their defaults).
pub fn moments(x: &[f64]) -> (f64, f64, f64, f64) {
    let n = x.len() as f64;
    let mean = accurate_sum(x.iter().copied()) / n;
    let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
    for &v in x {
        let d = v - mean;
        let d2 = d * d;
        m2 += d2;
        m3 += d2 * d;
        m4 += d2 * d2;
    }
    let std = (m2 / (n - 1.0)).sqrt();
    let (m2, m3, m4) = (m2 / n, m3 / n, m4 / n);
    if m2 > 0.0 {
        (mean, std, m3 / m2.powf(1.5), m4 / (m2 * m2) - 3.0)
    } else {
        (mean, std, 0.0, 0.0)
    }
}

/// The Cornish–Fisher quantile of a standardised variable: z + (z²−1)S/6 + (z³−3z)K/24 −
/// (2z³−5z)S²/36.
pub fn cornish_fisher_z(z: f64, skew: f64, kurt: f64) -> f64 {
    z + (z * z - 1.0) * skew / 6.0 + (z * z * z - 3.0 * z) * kurt / 24.0
        - (2.0 * z * z * z - 5.0 * z) * skew * skew / 36.0
}

/// E_G = (1/α) ∫_{−∞}^{g} x f(x) dx with f the Edgeworth density
/// φ(x)[1 + S/6 He₃(x) + K/24 He₄(x) + S²/72 He₆(x)] and g the Cornish–Fisher quantile: the
/// tail expectation of Boudt, Peterson & Croux (2008).
pub fn cornish_fisher_tail_mean(alpha: f64, skew: f64, kurt: f64) -> f64 {
    let g = cornish_fisher_z(norm_ppf(alpha), skew, kurt);
    // I_q = ∫_{−∞}^{g} x^q φ(x) dx: I_0 = Φ(g), I_1 = −φ(g), I_q = −g^{q−1} φ(g) + (q−1) I_{q−2}
    let phi = norm_pdf(g);
    let mut i = [0.0f64; 8];
    i[0] = norm_cdf(g);
    i[1] = -phi;
    for q in 2..8 {
        i[q] = -g.powi(q as i32 - 1) * phi + (q as f64 - 1.0) * i[q - 2];
    }
    let e = i[1]
        + skew / 6.0 * (i[4] - 3.0 * i[2])
        + kurt / 24.0 * (i[5] - 6.0 * i[3] + 3.0 * i[1])
        + skew * skew / 72.0 * (i[7] - 15.0 * i[5] + 45.0 * i[3] - 15.0 * i[1]);
    e / alpha
}

/// The historical VaR (−q) or CVaR (−mean of the returns ≤ q) of `v`, q numpy's linear
/// `alpha` quantile; `v` is reordered.
fn historical(v: &mut [f64], alpha: f64, measure: Measure) -> f64 {
    let n = v.len();
    let virtual_index = (n - 1) as f64 * alpha;
    let below = virtual_index.floor();
    let lo = (below as usize).min(n - 1);
    let gamma = virtual_index - below;
    let (head, &mut a, rest) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let b = if lo + 1 < n { rest.iter().copied().fold(f64::INFINITY, f64::min) } else { a };
    let q = lerp(a, b, gamma);
    match measure {
        Measure::Var => -q,
        Measure::Cvar => {
            let ties = rest.iter().filter(|&&x| x <= q).count();
            let count = head.len() + 1 + ties;
            let tail = head.iter().copied().chain(std::iter::once(a)).chain(rest.iter().copied().filter(|&x| x <= q));
            let sum = accurate_sum(tail);
            -(sum / count as f64)
        }
    }
}

/// The measure of present returns `v` (no NaN; reordered by the historical method).
pub fn measure_of(v: &mut [f64], alpha: f64, method: Method, measure: Measure, control: &Control) -> Result<f64> {
    if v.len() < method.min_count() {
        return Ok(f64::NAN);
    }
    Ok(match method {
        Method::Historical => historical(v, alpha, measure),
        Method::Gaussian => {
            let (mean, std, _, _) = moments(v);
            let z = norm_ppf(alpha);
            match measure {
                Measure::Var => -(mean + std * z),
                Measure::Cvar => -mean + std * norm_pdf(z) / alpha,
            }
        }
        Method::CornishFisher => {
            let (mean, std, skew, kurt) = moments(v);
            match measure {
                Measure::Var => -(mean + std * cornish_fisher_z(norm_ppf(alpha), skew, kurt)),
                Measure::Cvar => {
                    let es = -(mean + std * cornish_fisher_tail_mean(alpha, skew, kurt));
                    let var = -(mean + std * cornish_fisher_z(norm_ppf(alpha), skew, kurt));
                    if es < var {
                        return Err(crate::invalid!(
                            "the Cornish-Fisher expansion does not hold for this skewness ({skew:.3}) and excess \
                             kurtosis ({kurt:.3}) at alpha={alpha}: its modified expected shortfall ({es:.6}) would be \
                             below its VaR ({var:.6}); use method='historical' or 'student_t'"
                        ));
                    }
                    es
                }
            }
        }
        Method::StudentT => {
            let Some(fit) = fit_t(v, control)? else { return Ok(f64::NAN) };
            let t = t_ppf(alpha, fit.dof);
            match measure {
                Measure::Var => -(fit.loc + fit.scale * t),
                Measure::Cvar => {
                    if fit.dof <= 1.0 {
                        return Err(crate::invalid!(
                            "the fitted Student t has {:.3} degrees of freedom: its expected shortfall is infinite \
                             (it needs more than 1); use method='historical' or 'cornish_fisher'",
                            fit.dof
                        ));
                    }
                    -fit.loc + fit.scale * (fit.dof + t * t) / (fit.dof - 1.0) * t_pdf(t, fit.dof) / alpha
                }
            }
        }
    })
}

/// A refused ±inf in the returns (NaN is a missing value).
fn check_column(x: ArrayView1<'_, f64>, j: usize, cols: usize) -> Result<()> {
    match x.iter().position(|v| v.is_infinite()) {
        None => Ok(()),
        Some(i) => {
            let at = if cols == 1 { format!("returns[{i}]") } else { format!("returns[{i},{j}]") };
            Err(crate::invalid!("returns must hold finite numbers or NaN (a missing value): {at} is {}", x[i]))
        }
    }
}

fn overflow_check(v: f64, method: Method) -> Result<f64> {
    if v.is_infinite() || (v.is_nan() && method != Method::StudentT) {
        return Err(crate::invalid!(
            "the risk measure overflows float64: the returns are too large (simple returns are fractions)"
        ));
    }
    Ok(v)
}

/// The measure of each column of `x` (observations × assets), in parallel over columns.
pub fn per_column(
    x: ArrayView2<'_, f64>,
    alpha: f64,
    method: Method,
    measure: Measure,
    control: &Control,
) -> Result<Vec<f64>> {
    check_alpha(alpha)?;
    let (rows, cols) = x.dim();
    crate::ensure!(rows > 0 && cols > 0, "returns must not be empty, got shape ({rows}, {cols})");
    let mut out = try_vec(cols, f64::NAN, "the results")?;
    out.par_iter_mut().enumerate().try_for_each(|(j, slot)| {
        control.check()?;
        let col = x.index_axis(Axis(1), j);
        check_column(col, j, cols)?;
        let mut v = try_with_capacity(rows, "a copy of a column of returns")?;
        v.extend(col.iter().copied().filter(|v| !v.is_nan()));
        let m = measure_of(&mut v, alpha, method, measure, control).map_err(|e| match e {
            Error::InvalidInput(m) if cols > 1 => Error::InvalidInput(format!("column {j}: {m}")),
            e => e,
        })?;
        *slot = if v.len() < method.min_count() { m } else { overflow_check(m, method)? };
        control.check()
    })?;
    Ok(out)
}

/// The portfolio returns `x @ weights` (NaN where a return of the row is NaN).
pub fn portfolio_returns(x: ArrayView2<'_, f64>, weights: &[f64], control: &Control) -> Result<Vec<f64>> {
    let (rows, cols) = x.dim();
    crate::ensure!(rows > 0 && cols > 0, "returns must not be empty, got shape ({rows}, {cols})");
    crate::ensure!(
        weights.len() == cols,
        "weights must have one value per column of returns ({cols}), got {}",
        weights.len()
    );
    if let Some((k, w)) = weights.iter().enumerate().find(|(_, w)| !w.is_finite()) {
        return Err(crate::error::not_finite("weights", &format!("weights[{k}]"), *w));
    }
    for j in 0..cols {
        check_column(x.index_axis(Axis(1), j), j, cols)?;
    }
    let mut out = try_vec(rows, 0.0f64, "the portfolio returns")?;
    out.par_chunks_mut(4096).enumerate().try_for_each(|(c, chunk)| {
        control.check()?;
        for (k, slot) in chunk.iter_mut().enumerate() {
            let row = x.index_axis(Axis(0), c * 4096 + k);
            *slot = row.iter().zip(weights).map(|(r, w)| r * w).sum();
        }
        Ok::<(), Error>(())
    })?;
    Ok(out)
}

/// A window of present values kept sorted: insertion and removal by binary search.
struct SortedWindow {
    v: Vec<f64>,
}

impl SortedWindow {
    fn insert(&mut self, x: f64) {
        let k = self.v.partition_point(|&y| y.total_cmp(&x).is_lt());
        self.v.insert(k, x);
    }

    fn remove(&mut self, x: f64) {
        let k = self.v.partition_point(|&y| y.total_cmp(&x).is_lt());
        if k < self.v.len() && self.v[k].total_cmp(&x).is_eq() {
            self.v.remove(k);
        }
    }

    /// The historical measure of the sorted window (numpy's linear quantile).
    fn measure(&self, alpha: f64, measure: Measure) -> f64 {
        let v = &self.v;
        let n = v.len();
        let virtual_index = (n - 1) as f64 * alpha;
        let below = virtual_index.floor();
        let lo = (below as usize).min(n - 1);
        let hi = (lo + 1).min(n - 1);
        let q = lerp(v[lo], v[hi], virtual_index - below);
        match measure {
            Measure::Var => -q,
            Measure::Cvar => {
                let count = v.partition_point(|&y| y <= q);
                -(accurate_sum(v[..count].iter().copied()) / count as f64)
            }
        }
    }
}

/// The measure over rolling windows of `window` observations, aligned with `x`: column-major,
/// the first `window − 1` values of each column NaN (as pandas' rolling).
pub fn rolling(
    x: ArrayView2<'_, f64>,
    window: usize,
    alpha: f64,
    method: Method,
    measure: Measure,
    control: &Control,
) -> Result<Vec<f64>> {
    check_alpha(alpha)?;
    let (rows, cols) = x.dim();
    crate::ensure!(rows > 0 && cols > 0, "returns must not be empty, got shape ({rows}, {cols})");
    crate::ensure!(window >= 2, "window must be at least 2, got {window}");
    crate::ensure!(window <= rows, "window must be at most the number of observations ({rows}), got {window}");
    let total = rows.checked_mul(cols).ok_or_else(|| crate::error::too_big::<f64>(u128::MAX, "the result"))?;
    let mut out = try_vec(total, f64::NAN, "the result")?;
    for j in 0..cols {
        check_column(x.index_axis(Axis(1), j), j, cols)?;
    }
    let check = |m: f64, count: usize| -> Result<f64> {
        if count < method.min_count() {
            Ok(f64::NAN)
        } else {
            overflow_check(m, method)
        }
    };
    if method == Method::Historical {
        out.par_chunks_mut(rows).enumerate().try_for_each(|(j, slot)| {
            let col = x.index_axis(Axis(1), j);
            let mut w = SortedWindow { v: try_with_capacity(window, "a rolling window")? };
            for i in 0..rows {
                if i % 1024 == 0 {
                    control.check()?;
                }
                let incoming = col[i];
                if !incoming.is_nan() {
                    w.insert(incoming);
                }
                if i >= window {
                    let outgoing = col[i - window];
                    if !outgoing.is_nan() {
                        w.remove(outgoing);
                    }
                }
                if i + 1 >= window && !w.v.is_empty() {
                    slot[i] = check(w.measure(alpha, measure), w.v.len())?;
                }
            }
            Ok::<(), Error>(())
        })?;
    } else {
        const BLOCK: usize = 64;
        out.par_chunks_mut(rows).enumerate().try_for_each(|(j, column_out)| {
            let col = x.index_axis(Axis(1), j);
            column_out.par_chunks_mut(BLOCK).enumerate().try_for_each(|(b, slot)| {
                control.check()?;
                let mut v = try_with_capacity(window, "a rolling window")?;
                for (k, s) in slot.iter_mut().enumerate() {
                    let i = b * BLOCK + k;
                    if i + 1 < window {
                        continue;
                    }
                    v.clear();
                    v.extend(col.slice(ndarray::s![i + 1 - window..=i]).iter().copied().filter(|v| !v.is_nan()));
                    *s = check(measure_of(&mut v, alpha, method, measure, control)?, v.len())?;
                }
                Ok::<(), Error>(())
            })
        })?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn historical_matches_numpy() {
        // np.quantile([1..10], 0.05) = 1.45
        let mut v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        let var = historical(&mut v, 0.05, Measure::Var);
        assert!((var + 1.45).abs() < 1e-14);
        let cvar = historical(&mut v, 0.05, Measure::Cvar);
        assert_eq!(cvar, -1.0);
        let mut w: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(historical(&mut w, 0.5, Measure::Cvar), -3.0);
    }

    #[test]
    fn gaussian_closed_form() {
        let v = [0.01, -0.02, 0.03, 0.0, -0.01];
        let (mean, std, _, _) = moments(&v);
        let z = norm_ppf(0.05);
        let c = Control::new();
        let var = measure_of(&mut v.clone(), 0.05, Method::Gaussian, Measure::Var, &c).unwrap();
        assert!((var - (-(mean + std * z))).abs() < 1e-15);
        let cvar = measure_of(&mut v.clone(), 0.05, Method::Gaussian, Measure::Cvar, &c).unwrap();
        assert!(cvar > var);
    }

    #[test]
    fn cornish_fisher_reduces_to_normal() {
        let z = norm_ppf(0.01);
        assert_eq!(cornish_fisher_z(z, 0.0, 0.0), z);
        // without skew or kurtosis the tail mean is the normal one, −φ(z)/α
        let e = cornish_fisher_tail_mean(0.01, 0.0, 0.0);
        assert!((e + norm_pdf(z) / 0.01).abs() < 1e-12);
    }

    #[test]
    fn t_fit_recovers_parameters() {
        // a deterministic t-like sample: quantiles of t(4) at evenly spaced probabilities
        let n = 2000;
        let x: Vec<f64> = (0..n).map(|i| 0.01 + 0.02 * t_ppf((i as f64 + 0.5) / n as f64, 4.0)).collect();
        let fit = fit_t(&x, &Control::new()).unwrap().unwrap();
        assert!((fit.dof - 4.0).abs() < 0.5, "{fit:?}");
        assert!((fit.loc - 0.01).abs() < 1e-3 && (fit.scale - 0.02).abs() < 2e-3, "{fit:?}");
    }

    #[test]
    fn rolling_agrees_with_fresh_windows() {
        let x: Vec<f64> = (0..300).map(|i| ((i * 7919) % 101) as f64 / 1000.0 - 0.05).collect();
        let a = ndarray::Array2::from_shape_vec((300, 1), x.clone()).unwrap();
        let c = Control::new();
        for method in [Method::Historical, Method::Gaussian, Method::CornishFisher] {
            for measure in [Measure::Var, Measure::Cvar] {
                let r = rolling(a.view(), 50, 0.05, method, measure, &c).unwrap();
                assert!(r[48].is_nan());
                for i in [49, 120, 299] {
                    let mut w = x[i - 49..=i].to_vec();
                    let want = measure_of(&mut w, 0.05, method, measure, &c).unwrap();
                    assert!((r[i] - want).abs() <= 1e-12 * want.abs(), "{method:?} {measure:?} {i}");
                }
            }
        }
    }
}
