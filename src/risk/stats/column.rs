//! The statistics one column at a time ([`column()`]), for those the row-wise kernels do not take,
//! and their helpers: bottleneck's nan-aware moments, numpy's compounding, drawdowns, stability,
//! beta, a compensated sum.

use super::kernels::{r_squared, NOT_FINITE_LOG};
use super::quantiles::{narrow, present, quantile_select};
use super::{overflow, ColumnOffset, Stat};
use crate::control::Control;
use crate::error::Result;
use crate::special::ln_1p;

/// Values between two looks at the control: about a millisecond of the simplest pass.
const CHUNK: u32 = 1 << 18;

/// `x - o` for every observation of a column (`o` from a [`ColumnOffset`]).
fn adjusted<'a>(x: &'a [f64], o: ColumnOffset<'a>) -> impl Iterator<Item = f64> + Clone + 'a {
    match o {
        ColumnOffset::Scalar(c) => Two::A(x.iter().map(move |&v| v - c)),
        ColumnOffset::Values(v) => Two::B(x.iter().zip(v).map(|(&a, &b)| a - b)),
    }
}

/// One of two iterators of the same items (the domain code builds without the `either` crate).
#[derive(Clone)]
enum Two<A, B> {
    A(A),
    B(B),
}

impl<A: Iterator<Item = f64>, B: Iterator<Item = f64>> Iterator for Two<A, B> {
    type Item = f64;

    #[inline]
    fn next(&mut self) -> Option<f64> {
        match self {
            Two::A(a) => a.next(),
            Two::B(b) => b.next(),
        }
    }
}

/// An iterator that ends early once the run is cancelled (the caller then checks the control).
#[derive(Clone)]
struct Watched<'c, I> {
    it: I,
    control: &'c Control,
    left: u32,
}

impl<I: Iterator<Item = f64>> Iterator for Watched<'_, I> {
    type Item = f64;

    #[inline]
    fn next(&mut self) -> Option<f64> {
        if self.left == 0 {
            if self.control.is_cancelled() {
                return None;
            }
            self.left = CHUNK;
        }
        self.left -= 1;
        self.it.next()
    }
}

fn watch<I: Iterator<Item = f64> + Clone>(it: I, control: &Control) -> Watched<'_, I> {
    Watched { it, control, left: CHUNK }
}

/// bottleneck's `nanmean`: a sequential sum of the non-NaN values over their count (NaN if none).
fn nan_mean(xs: impl Iterator<Item = f64>) -> Result<f64> {
    let (mut sum, mut count) = (0.0f64, 0usize);
    for x in xs {
        if !x.is_nan() {
            sum += x;
            count += 1;
        }
    }
    if !sum.is_finite() {
        return Err(overflow("a sum of returns"));
    }
    Ok(if count == 0 { f64::NAN } else { sum / count as f64 })
}

/// Σ (x − mean)² over the present values, in order (the second pass of a deviation).
fn squared_deviations(xs: impl Iterator<Item = f64>, mean: f64) -> Result<f64> {
    let mut ss = 0.0f64;
    for x in xs {
        if !x.is_nan() {
            let d = x - mean;
            ss += d * d;
        }
    }
    if !ss.is_finite() {
        return Err(overflow("a sum of squared returns"));
    }
    Ok(ss)
}

/// bottleneck's `nanstd` (two passes): NaN unless more than `ddof` values are present.
fn nan_std(xs: impl Iterator<Item = f64> + Clone, ddof: usize) -> Result<f64> {
    let (mut sum, mut count) = (0.0f64, 0usize);
    for x in xs.clone() {
        if !x.is_nan() {
            sum += x;
            count += 1;
        }
    }
    if count <= ddof {
        return Ok(f64::NAN);
    }
    let mean = sum / count as f64;
    let ss = squared_deviations(xs, mean)?;
    Ok((ss / (count - ddof) as f64).sqrt())
}

/// bottleneck's `nanmean` and `nanstd` (ddof 1) in two passes, the deviation set to 0 where all
/// present values are equal (empyrical's `_zero_dispersion_std`).
fn mean_and_std(xs: impl Iterator<Item = f64> + Clone) -> Result<(f64, f64)> {
    let (mut sum, mut count) = (0.0f64, 0usize);
    let (mut first, mut differs) = (f64::NAN, false);
    for x in xs.clone() {
        if !x.is_nan() {
            if count == 0 {
                first = x;
            }
            differs |= x != first;
            sum += x;
            count += 1;
        }
    }
    if !sum.is_finite() {
        return Err(overflow("a sum of returns"));
    }
    if count == 0 {
        return Ok((f64::NAN, f64::NAN));
    }
    let mean = sum / count as f64;
    if count < 2 {
        return Ok((mean, f64::NAN));
    }
    if !differs {
        return Ok((mean, 0.0));
    }
    let ss = squared_deviations(xs, mean)?;
    Ok((mean, (ss / (count - 1) as f64).sqrt()))
}

/// numpy's `nanprod(1 + r)`: NaN returns count as 0 (sequential product).
fn growth(xs: impl Iterator<Item = f64>) -> Result<f64> {
    let mut p = 1.0f64;
    for x in xs {
        if !x.is_nan() {
            p *= x + 1.0;
        }
    }
    if !p.is_finite() {
        return Err(overflow("the compounded return"));
    }
    Ok(p)
}

/// Neumaier's compensated sum.
pub(crate) fn accurate_sum(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for x in xs {
        let t = s + x;
        if s.abs() >= x.abs() {
            c += (s - t) + x;
        } else {
            c += (x - t) + s;
        }
        s = t;
    }
    s + c
}

/// `stat` of one column `x`; `work` is scratch reused across the columns of a task.
pub(super) fn column<'a>(
    x: &'a [f64],
    off: ColumnOffset<'a>,
    fac: ColumnOffset<'a>,
    ann: f64,
    stat: Stat,
    work: &mut Vec<f64>,
    control: &Control,
) -> Result<f64> {
    let rows = x.len();
    let adj = || watch(adjusted(x, off), control);
    let raw = || watch(x.iter().copied(), control);
    Ok(match stat {
        Stat::Sharpe => {
            if rows < 2 {
                return Ok(f64::NAN);
            }
            let (mean, std) = mean_and_std(adj())?;
            mean / std * ann.sqrt()
        }
        Stat::Sortino => {
            if rows < 2 {
                return Ok(f64::NAN);
            }
            let average_annual = nan_mean(adj())? * ann;
            average_annual / downside(adj(), ann)?
        }
        Stat::DownsideRisk => downside(adj(), ann)?,
        Stat::AnnualVolatility { alpha } => {
            if rows < 2 {
                return Ok(f64::NAN);
            }
            nan_std(raw(), 1)? * ann.powf(1.0 / alpha)
        }
        Stat::AnnualReturn => annual_return(raw(), rows, ann)?,
        Stat::CumReturnsFinal { start } => {
            let g = growth(raw())?;
            if start == 0.0 {
                g - 1.0
            } else {
                g * start
            }
        }
        Stat::MaxDrawdown => max_drawdown(raw())?,
        Stat::Calmar => {
            let mdd = max_drawdown(raw())?;
            if mdd < 0.0 {
                let ratio = annual_return(raw(), rows, ann)? / mdd.abs();
                if ratio.is_infinite() {
                    f64::NAN
                } else {
                    ratio
                }
            } else {
                f64::NAN
            }
        }
        Stat::Omega { threshold } => {
            let Some(threshold) = threshold else { return Ok(f64::NAN) };
            if rows < 2 {
                return Ok(f64::NAN);
            }
            let (mut gains, mut losses) = (0.0f64, 0.0f64);
            for d in adj().map(|v| v - threshold) {
                if d > 0.0 {
                    gains += d;
                } else if d < 0.0 {
                    losses += d;
                }
            }
            if !(gains.is_finite() && losses.is_finite()) {
                return Err(overflow("a sum of returns"));
            }
            let denominator = -losses;
            if denominator > 0.0 {
                gains / denominator
            } else {
                f64::NAN
            }
        }
        Stat::ValueAtRisk { cutoff } => {
            if x.iter().any(|v| v.is_nan()) {
                return Ok(f64::NAN);
            }
            quantile_select(present(x, work)?, (100.0 * cutoff) / 100.0)
        }
        Stat::ConditionalValueAtRisk { cutoff } => {
            let v = present(x, work)?;
            if v.is_empty() {
                return Ok(f64::NAN);
            }
            let k = ((v.len() - 1) as f64 * cutoff) as usize;
            let k = k.min(v.len() - 1);
            let (_, part) = narrow(v, 0, k);
            part.select_nth_unstable_by(k, f64::total_cmp);
            accurate_sum(part[..=k].iter().copied()) / (k + 1) as f64
        }
        Stat::TailRatio => {
            let v = present(x, work)?;
            if v.is_empty() {
                return Ok(f64::NAN);
            }
            let right = quantile_select(v, 0.95);
            let left = quantile_select(v, 0.05);
            right.abs() / left.abs()
        }
        Stat::Stability => stability(x, work, control)?,
        Stat::ExcessSharpe => {
            if rows < 2 {
                return Ok(f64::NAN);
            }
            let f = fac;
            let active = || watch(adjusted(x, f), control);
            let (mean, std) = mean_and_std(active())?;
            mean / std
        }
        Stat::Beta => beta(x, fac, control)?,
        Stat::Alpha => {
            if rows < 2 {
                return Ok(f64::NAN);
            }
            let b = beta(x, fac, control)?;
            let f = factor_values(fac, rows);
            let f_off = factor_values(off, rows);
            let series = adj().zip(f.zip(f_off)).map(|(r, (f, o))| r - b * (f - o));
            (nan_mean(series)? + 1.0).powf(ann) - 1.0
        }
        Stat::UpCapture | Stat::DownCapture => {
            let up = stat == Stat::UpCapture;
            let f = factor_values(fac, rows);
            let (mut pr, mut pf, mut count) = (1.0f64, 1.0f64, 0usize);
            for (r, b) in raw().zip(f) {
                if r.is_nan() || b.is_nan() || !(if up { b > 0.0 } else { b < 0.0 }) {
                    continue;
                }
                pr *= 1.0 + r;
                pf *= 1.0 + b;
                count += 1;
            }
            if !(pr.is_finite() && pf.is_finite()) {
                return Err(overflow("the compounded return"));
            }
            if count == 0 {
                return Ok(f64::NAN);
            }
            let exponent = 1.0 / (count as f64 / ann);
            (pr.powf(exponent) - 1.0) / (pf.powf(exponent) - 1.0)
        }
    })
}

/// The factor's values for a column (a scalar factor repeated `rows` times).
fn factor_values(f: ColumnOffset<'_>, rows: usize) -> impl Iterator<Item = f64> + Clone + '_ {
    match f {
        ColumnOffset::Scalar(c) => Two::A(std::iter::repeat_n(c, rows)),
        ColumnOffset::Values(v) => Two::B(v.iter().copied()),
    }
}

fn downside(adj: impl Iterator<Item = f64>, ann: f64) -> Result<f64> {
    let squares = adj.map(|d| {
        let c = if d.is_nan() { d } else { d.min(0.0) };
        c * c
    });
    Ok(nan_mean(squares)?.sqrt() * ann.sqrt())
}

fn annual_return(raw: impl Iterator<Item = f64>, rows: usize, ann: f64) -> Result<f64> {
    if rows < 1 {
        return Ok(f64::NAN);
    }
    let years = rows as f64 / ann;
    Ok(growth(raw)?.powf(1.0 / years) - 1.0)
}

/// empyrical's drawdown path: value 100 · Π(1 + r) (NaN as 0), peak including the start at 100,
/// drawdown (value − peak) / peak. `each` sees every drawdown in order.
fn drawdowns(raw: impl Iterator<Item = f64>, mut each: impl FnMut(f64)) -> Result<()> {
    let mut p = 1.0f64;
    let mut peak = 100.0f64;
    for r in raw {
        let r = if r.is_nan() { 0.0 } else { r };
        p *= r + 1.0;
        let value = p * 100.0;
        if !value.is_finite() {
            return Err(overflow("the compounded return"));
        }
        peak = peak.max(value);
        each((value - peak) / peak);
    }
    Ok(())
}

fn max_drawdown(raw: impl Iterator<Item = f64>) -> Result<f64> {
    let mut low = f64::NAN;
    drawdowns(raw, |d| low = low.min(d))?;
    Ok(low)
}

/// `v ← ln(1 + v)` for every value, with AVX2 and FMA where the CPU has them (the same bits).
fn ln_1p_all(v: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if crate::backend::cpu_features::has_avx2_fma() {
        // SAFETY: AVX2 and FMA support were just checked at run time.
        return unsafe { ln_1p_all_avx2(v) };
    }
    v.iter_mut().for_each(|v| *v = ln_1p(*v));
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn ln_1p_all_avx2(v: &mut [f64]) {
    v.iter_mut().for_each(|v| *v = ln_1p(*v));
}

fn stability(x: &[f64], work: &mut Vec<f64>, control: &Control) -> Result<f64> {
    if x.len() < 2 {
        return Ok(f64::NAN);
    }
    let y = present(x, work)?;
    if y.len() < 2 {
        return Ok(f64::NAN);
    }
    ln_1p_all(y);
    let mut acc = 0.0f64;
    for v in y.iter_mut() {
        acc += *v;
        *v = acc;
    }
    control.check()?;
    if !acc.is_finite() {
        return Err(crate::invalid!("{NOT_FINITE_LOG}"));
    }
    let n = y.len() as f64;
    let x_mean = (n - 1.0) / 2.0;
    let y_mean = accurate_sum(y.iter().copied()) / n;
    let (mut sxx, mut sxy, mut syy) = (0.0f64, 0.0f64, 0.0f64);
    for (i, &v) in y.iter().enumerate() {
        let dx = i as f64 - x_mean;
        let dy = v - y_mean;
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    if !(sxy.is_finite() && syy.is_finite()) {
        return Err(overflow("a sum of cumulative log returns"));
    }
    Ok(r_squared(sxx, sxy, syy))
}

/// empyrical's `beta_aligned`: over the rows where both the return and the factor are present,
/// cov(f, r) / var(f), with var(f) < 1e-30 → NaN.
fn beta(x: &[f64], f: ColumnOffset<'_>, control: &Control) -> Result<f64> {
    let rows = x.len();
    let fv = factor_values(f, rows);
    if rows < 2 {
        return Ok(f64::NAN);
    }
    let pairs = || {
        watch(x.iter().copied(), control).zip(fv.clone()).map(|(r, f)| if r.is_nan() { (r, f64::NAN) } else { (r, f) })
    };
    let f_mean = nan_mean(pairs().map(|(_, f)| f))?;
    let cov = nan_mean(pairs().map(|(r, f)| (f - f_mean) * r))?;
    let var = nan_mean(pairs().map(|(_, f)| {
        let d = f - f_mean;
        d * d
    }))?;
    Ok(if var < 1.0e-30 || var.is_nan() { f64::NAN } else { cov / var })
}
