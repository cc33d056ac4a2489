//! The row-wise kernels: a statistic of the columns of a panel at once, lane by lane in
//! empyrical's order, as branch-free arithmetic that vectorises (AVX2 where the CPU has it).

use super::panel::{each_row, finite, note_abs, Fail, Grouped, Lanes, Panel, BLOCK, GROUPS};
use super::{Offset, Stat};
use crate::control::Control;
use crate::error::{try_vec, Error};
use crate::special::ln_1p;

/// An offset that is the same for every column of a block (`None` for per-cell offsets).
fn shared<'a>(o: &Offset<'a>) -> Option<Shared<'a>> {
    match *o {
        Offset::Scalar(c) => Some(Shared::Scalar(c)),
        Offset::Rows(a) => a.to_slice().map(Shared::Rows),
        Offset::Cells(_) => None,
    }
}

/// An offset or benchmark shared by the columns of a block.
#[derive(Clone, Copy)]
pub(super) enum Shared<'a> {
    Scalar(f64),
    Rows(&'a [f64]),
}

impl Shared<'_> {
    #[inline(always)]
    fn at(self, i: usize) -> f64 {
        match self {
            Shared::Scalar(c) => c,
            Shared::Rows(v) => v[i],
        }
    }
}

/// A statistic computed for the columns of a panel at once, row by row (see [`Kernel::run`]);
/// `o` the offset, `f` the benchmark.
#[derive(Clone, Copy)]
pub(super) enum Kernel<'a> {
    Moments { stat: Stat, o: Shared<'a> },
    Factor { stat: Stat, o: Shared<'a>, f: &'a [f64] },
    Stability,
}

/// The row-wise kernel of `stat`, or `None` for the statistics (and per-cell offsets) that go
/// column by column.
pub(super) fn fast_kernel<'a>(stat: Stat, off: &Offset<'a>, fac: &Offset<'a>) -> Option<Kernel<'a>> {
    if stat == Stat::Stability {
        return Some(Kernel::Stability);
    }
    let (o, f) = (shared(off)?, shared(fac)?);
    match (stat, f) {
        (Stat::ExcessSharpe, _) => Some(Kernel::Moments { stat, o: f }),
        (Stat::Beta | Stat::Alpha | Stat::UpCapture | Stat::DownCapture, Shared::Rows(f)) => {
            Some(Kernel::Factor { stat, o, f })
        }
        (
            Stat::Sharpe
            | Stat::AnnualVolatility { .. }
            | Stat::Sortino
            | Stat::DownsideRisk
            | Stat::AnnualReturn
            | Stat::CumReturnsFinal { .. }
            | Stat::MaxDrawdown
            | Stat::Calmar
            | Stat::Omega { threshold: Some(_) },
            _,
        ) => Some(Kernel::Moments { stat, o }),
        _ => None,
    }
}

pub(super) type Outcome = std::result::Result<Grouped, Fail>;

impl Kernel<'_> {
    /// The statistic of every column of `panel`, with AVX2 (and FMA, for [`ln_1p`]) where the CPU
    /// has them: the same bits either way. `seen` is raised to the |value|s of the first pass, so
    /// an inf in the panel leaves an inf there.
    pub(super) fn run(self, panel: &Panel<'_>, ann: f64, seen: &mut Lanes, control: &Control) -> Outcome {
        #[cfg(target_arch = "x86_64")]
        if crate::backend::cpu_features::has_avx2_fma() {
            // SAFETY: AVX2 and FMA support were just checked at run time.
            return unsafe { self.run_avx2(panel, ann, seen, control) };
        }
        self.run_generic(panel, ann, seen, control)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn run_avx2(self, panel: &Panel<'_>, ann: f64, seen: &mut Lanes, control: &Control) -> Outcome {
        self.run_generic(panel, ann, seen, control)
    }

    /// Each lane's arithmetic is empyrical's, in empyrical's order (a missing value adds 0 or
    /// multiplies by 1, which changes nothing), written as branch-free array arithmetic (selects,
    /// counts as f64) so that it vectorises across the lanes.
    #[inline(always)]
    fn run_generic(self, panel: &Panel<'_>, ann: f64, seen: &mut Lanes, control: &Control) -> Outcome {
        match self {
            Kernel::Moments { stat, o: Shared::Scalar(c) } => moments(stat, panel, |_| c, ann, seen, control),
            Kernel::Moments { stat, o: Shared::Rows(v) } => moments(stat, panel, |i| v[i], ann, seen, control),
            Kernel::Factor { stat, o, f } => factor(stat, panel, f, move |i| o.at(i), ann, seen, control),
            Kernel::Stability => stability_panel(panel, seen, control),
        }
    }
}

/// beta, alpha and the capture ratios of a panel against one benchmark column `f`.
#[inline(always)]
fn factor(
    stat: Stat,
    panel: &Panel<'_>,
    f: &[f64],
    off: impl Fn(usize) -> f64 + Copy,
    ann: f64,
    seen: &mut Lanes,
    control: &Control,
) -> Outcome {
    let groups = panel.groups();
    let zeros = [[0.0f64; BLOCK]; GROUPS];
    let mut out = [[f64::NAN; BLOCK]; GROUPS];
    if let Stat::UpCapture | Stat::DownCapture = stat {
        let up = stat == Stat::UpCapture;
        let (mut pr, mut pf, mut count) = ([[1.0f64; BLOCK]; GROUPS], [[1.0f64; BLOCK]; GROUPS], zeros);
        panel.pass(
            control,
            #[inline(always)]
            |g, i, x| {
                let b = f[i];
                note_abs(seen, &x);
                let side = if up { b > 0.0 } else { b < 0.0 };
                let (pr, pf, count) = (&mut pr[g], &mut pf[g], &mut count[g]);
                for k in 0..BLOCK {
                    let r = x[k];
                    let take = side && !r.is_nan();
                    pr[k] *= if take { 1.0 + r } else { 1.0 };
                    pf[k] *= if take { 1.0 + b } else { 1.0 };
                    count[k] += if take { 1.0 } else { 0.0 };
                }
            },
        )?;
        finite(groups, &[&pr, &pf], "the compounded return")?;
        for g in 0..groups {
            for k in 0..BLOCK {
                if count[g][k] > 0.0 {
                    let exponent = 1.0 / (count[g][k] / ann);
                    out[g][k] = (pr[g][k].powf(exponent) - 1.0) / (pf[g][k].powf(exponent) - 1.0);
                }
            }
        }
        return Ok(out);
    }
    // beta over the rows where both are present: mean of f, then cov(f, r) and var(f)
    let (mut sf, mut count) = (zeros, zeros);
    panel.pass(
        control,
        #[inline(always)]
        |g, i, x| {
            let b = f[i];
            note_abs(seen, &x);
            let (sf, count) = (&mut sf[g], &mut count[g]);
            for k in 0..BLOCK {
                let take = !x[k].is_nan() && !b.is_nan();
                sf[k] += if take { b } else { 0.0 };
                count[k] += if take { 1.0 } else { 0.0 };
            }
        },
    )?;
    if f.len() < 2 {
        return Ok(out);
    }
    finite(groups, &[&sf], "a sum of returns")?;
    let f_mean: Grouped = std::array::from_fn(|g| std::array::from_fn(|k| sf[g][k] / count[g][k]));
    let (mut cov, mut var) = (zeros, zeros);
    panel.pass(
        control,
        #[inline(always)]
        |g, i, x| {
            let b = f[i];
            let (cov, var, f_mean) = (&mut cov[g], &mut var[g], &f_mean[g]);
            for k in 0..BLOCK {
                let take = !x[k].is_nan() && !b.is_nan();
                // a skipped row adds 0 · 0 (selects on the factors vectorise)
                let (d, r) = if take { (b - f_mean[k], x[k]) } else { (0.0, 0.0) };
                cov[k] += d * r;
                var[k] += d * d;
            }
        },
    )?;
    finite(groups, &[&cov, &var], "a sum of squared returns")?;
    let beta: Grouped = std::array::from_fn(|g| {
        std::array::from_fn(|k| {
            let (c, v) = (cov[g][k] / count[g][k], var[g][k] / count[g][k]);
            if v < 1.0e-30 || v.is_nan() {
                f64::NAN
            } else {
                c / v
            }
        })
    });
    if stat == Stat::Beta {
        return Ok(beta);
    }
    // alpha: (1 + mean((r − rf) − β (f − rf)))^ann − 1 over the rows where the series is present
    let (mut sa, mut na) = (zeros, zeros);
    panel.pass(
        control,
        #[inline(always)]
        |g, i, x| {
            let o = off(i);
            let fb = f[i] - o;
            let (sa, na, beta) = (&mut sa[g], &mut na[g], &beta[g]);
            for k in 0..BLOCK {
                let v = (x[k] - o) - beta[k] * fb;
                let take = !v.is_nan();
                sa[k] += if take { v } else { 0.0 };
                na[k] += if take { 1.0 } else { 0.0 };
            }
        },
    )?;
    finite(groups, &[&sa], "a sum of returns")?;
    for g in 0..groups {
        for k in 0..BLOCK {
            out[g][k] = (sa[g][k] / na[g][k] + 1.0).powf(ann) - 1.0;
        }
    }
    Ok(out)
}

/// The statistics of one series per column (returns less an offset `off`): moments, compounded
/// growth and drawdowns, omega.
#[inline(always)]
fn moments(
    stat: Stat,
    panel: &Panel<'_>,
    off: impl Fn(usize) -> f64 + Copy,
    ann: f64,
    seen: &mut Lanes,
    control: &Control,
) -> Outcome {
    let groups = panel.groups();
    let rows = match *panel {
        Panel::Rows { rows, .. } | Panel::Cols { rows, .. } => rows,
    };
    let zeros = [[0.0f64; BLOCK]; GROUPS];
    let mut out = [[f64::NAN; BLOCK]; GROUPS];
    match stat {
        Stat::Sharpe | Stat::ExcessSharpe | Stat::AnnualVolatility { .. } => {
            let adjust = !matches!(stat, Stat::AnnualVolatility { .. });
            let value = |i: usize, x: Lanes| -> Lanes {
                if adjust {
                    let o = off(i);
                    x.map(|v| v - o)
                } else {
                    x
                }
            };
            // all present values are equal (zero dispersion) iff their max is their min
            let (mut sum, mut count) = (zeros, zeros);
            let (mut hi, mut lo) = ([[f64::NEG_INFINITY; BLOCK]; GROUPS], [[f64::INFINITY; BLOCK]; GROUPS]);
            panel.pass(
                control,
                #[inline(always)]
                |g, i, x| {
                    note_abs(seen, &x);
                    let v = value(i, x);
                    let (sum, count, hi, lo) = (&mut sum[g], &mut count[g], &mut hi[g], &mut lo[g]);
                    for k in 0..BLOCK {
                        let present = !v[k].is_nan();
                        sum[k] += if present { v[k] } else { 0.0 };
                        count[k] += if present { 1.0 } else { 0.0 };
                        hi[k] = if v[k] > hi[k] { v[k] } else { hi[k] };
                        lo[k] = if v[k] < lo[k] { v[k] } else { lo[k] };
                    }
                },
            )?;
            finite(groups, &[&sum], "a sum of returns")?;
            let mean: Grouped = std::array::from_fn(|g| std::array::from_fn(|k| sum[g][k] / count[g][k]));
            let mut ss = zeros;
            panel.pass(
                control,
                #[inline(always)]
                |g, i, x| {
                    let v = value(i, x);
                    let (ss, mean) = (&mut ss[g], &mean[g]);
                    for k in 0..BLOCK {
                        // a missing value's deviation is 0 (a select on d, not on d², vectorises)
                        let d = if v[k].is_nan() { 0.0 } else { v[k] - mean[k] };
                        ss[k] += d * d;
                    }
                },
            )?;
            finite(groups, &[&ss], "a sum of squared returns")?;
            for g in 0..groups {
                for k in 0..BLOCK {
                    let n = count[g][k];
                    let std = if n < 2.0 { f64::NAN } else { (ss[g][k] / (n - 1.0)).sqrt() };
                    out[g][k] = match stat {
                        _ if rows < 2 => f64::NAN,
                        Stat::AnnualVolatility { alpha } => std * ann.powf(1.0 / alpha),
                        _ => {
                            let std = if n >= 2.0 && hi[g][k] == lo[g][k] { 0.0 } else { std };
                            let scale = if stat == Stat::Sharpe { ann.sqrt() } else { 1.0 };
                            mean[g][k] / std * scale
                        }
                    };
                }
            }
        }
        Stat::Sortino | Stat::DownsideRisk => {
            let (mut sum, mut sq, mut count) = (zeros, zeros, zeros);
            panel.pass(
                control,
                #[inline(always)]
                |g, i, x| {
                    let o = off(i);
                    note_abs(seen, &x);
                    let (sum, sq, count) = (&mut sum[g], &mut sq[g], &mut count[g]);
                    for k in 0..BLOCK {
                        let v = x[k] - o;
                        let present = !v.is_nan();
                        let low = if v < 0.0 { v } else { 0.0 }; // 0 for a missing value
                        sum[k] += if present { v } else { 0.0 };
                        sq[k] += low * low;
                        count[k] += if present { 1.0 } else { 0.0 };
                    }
                },
            )?;
            finite(groups, &[&sum, &sq], "a sum of returns")?;
            for g in 0..groups {
                for k in 0..BLOCK {
                    let n = count[g][k];
                    let downside = (sq[g][k] / n).sqrt() * ann.sqrt();
                    out[g][k] = match stat {
                        Stat::DownsideRisk => downside,
                        _ if rows < 2 => f64::NAN,
                        _ => sum[g][k] / n * ann / downside,
                    };
                }
            }
        }
        Stat::AnnualReturn | Stat::CumReturnsFinal { .. } | Stat::MaxDrawdown | Stat::Calmar => {
            let drawdown = matches!(stat, Stat::MaxDrawdown | Stat::Calmar);
            let mut p = [[1.0f64; BLOCK]; GROUPS];
            let mut peak = [[100.0f64; BLOCK]; GROUPS];
            // the drawdowns are finite while p is (the peak is at least 100)
            let mut low = [[f64::INFINITY; BLOCK]; GROUPS];
            panel.pass(
                control,
                #[inline(always)]
                |g, _, x| {
                    note_abs(seen, &x);
                    let p = &mut p[g];
                    for k in 0..BLOCK {
                        let r = if x[k].is_nan() { 0.0 } else { x[k] };
                        p[k] *= r + 1.0;
                    }
                    if drawdown {
                        let (peak, low) = (&mut peak[g], &mut low[g]);
                        for k in 0..BLOCK {
                            let value = p[k] * 100.0;
                            peak[k] = if value > peak[k] { value } else { peak[k] };
                            let d = (value - peak[k]) / peak[k];
                            low[k] = if d < low[k] { d } else { low[k] };
                        }
                    }
                },
            )?;
            finite(groups, &[&p], "the compounded return")?;
            let years = rows as f64 / ann;
            for g in 0..groups {
                for k in 0..BLOCK {
                    let (p, low) = (p[g][k], low[g][k]);
                    let annual = p.powf(1.0 / years) - 1.0;
                    out[g][k] = match stat {
                        Stat::AnnualReturn => annual,
                        Stat::CumReturnsFinal { start: 0.0 } => p - 1.0,
                        Stat::CumReturnsFinal { start } => p * start,
                        Stat::MaxDrawdown => low,
                        _ if low < 0.0 => {
                            let ratio = annual / low.abs();
                            if ratio.is_infinite() {
                                f64::NAN
                            } else {
                                ratio
                            }
                        }
                        _ => f64::NAN,
                    };
                }
            }
        }
        Stat::Omega { threshold: Some(threshold) } => {
            let (mut gains, mut losses) = (zeros, zeros);
            panel.pass(
                control,
                #[inline(always)]
                |g, i, x| {
                    let o = off(i);
                    note_abs(seen, &x);
                    let (gains, losses) = (&mut gains[g], &mut losses[g]);
                    for k in 0..BLOCK {
                        let d = x[k] - o - threshold;
                        gains[k] += if d > 0.0 { d } else { 0.0 };
                        losses[k] += if d < 0.0 { d } else { 0.0 };
                    }
                },
            )?;
            finite(groups, &[&gains, &losses], "a sum of returns")?;
            for g in 0..groups {
                for k in 0..BLOCK {
                    let denominator = -losses[g][k];
                    out[g][k] = if rows < 2 || denominator <= 0.0 { f64::NAN } else { gains[g][k] / denominator };
                }
            }
        }
        _ => return Err(Fail::Other(Error::Internal(format!("{stat:?} has no row-wise kernel")))),
    }
    Ok(out)
}

/// Why a stability cannot be taken: a return of −100% (or less) makes the log path non-finite.
pub(super) const NOT_FINITE_LOG: &str = "the cumulative log return is not finite (a return of -100% or less)";

/// scipy's `linregress` r², from the co-moments of the line fit.
pub(super) fn r_squared(sxx: f64, sxy: f64, syy: f64) -> f64 {
    let r = if sxx == 0.0 || syy == 0.0 {
        if sxy == 0.0 {
            f64::NAN
        } else {
            0.0
        }
    } else {
        (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
    };
    r * r
}

/// stability_of_timeseries of every column of a panel, as [`stability`] computes it lane by lane
/// in its order: pass 1 turns each lane's present returns into the cumulative log return y (kept
/// in `ys`, NaN where missing) and sums y (Neumaier); pass 2 takes the line's co-moments about
/// the means from `ys`.
///
/// [`stability`]: mod@super::column
#[inline(always)]
fn stability_panel(panel: &Panel<'_>, seen: &mut Lanes, control: &Control) -> Outcome {
    let (groups, rows) = (panel.groups(), panel.rows());
    let zeros = [[0.0f64; BLOCK]; GROUPS];
    let mut ys = try_vec(rows * groups * BLOCK, 0.0, "the cumulative log returns of a panel")?;
    let (mut y, mut n, mut sum, mut comp) = (zeros, zeros, zeros, zeros);
    panel.pass(
        control,
        #[inline(always)]
        |g, i, x| {
            note_abs(seen, &x);
            // the lanes' state in locals and ln_1p in a loop of its own: both vectorise so
            let mut l = [0.0; BLOCK];
            for k in 0..BLOCK {
                l[k] = ln_1p(x[k]);
            }
            let (mut yg, mut ng, mut sg, mut cg, mut out) = (y[g], n[g], sum[g], comp[g], [0.0; BLOCK]);
            for k in 0..BLOCK {
                let present = !x[k].is_nan();
                yg[k] += if present { l[k] } else { 0.0 };
                ng[k] += if present { 1.0 } else { 0.0 };
                let (s, v) = (sg[k], yg[k]);
                let t = s + v;
                let c = if s.abs() >= v.abs() { (s - t) + v } else { (v - t) + s };
                sg[k] = if present { t } else { s };
                cg[k] += if present { c } else { 0.0 };
                out[k] = if present { v } else { f64::NAN };
            }
            (y[g], n[g], sum[g], comp[g]) = (yg, ng, sg, cg);
            let at = (i * groups + g) * BLOCK;
            ys[at..at + BLOCK].copy_from_slice(&out);
        },
    )?;
    if let Some(g) = (0..groups).find(|&g| (0..BLOCK).any(|k| n[g][k] >= 2.0 && !y[g][k].is_finite())) {
        return Err(Fail::Invalid(g, NOT_FINITE_LOG));
    }
    let mean: Grouped = std::array::from_fn(|g| std::array::from_fn(|k| (sum[g][k] + comp[g][k]) / n[g][k]));
    let centre: Grouped = std::array::from_fn(|g| std::array::from_fn(|k| (n[g][k] - 1.0) / 2.0));
    let (mut at_x, mut sxx, mut sxy, mut syy) = (zeros, zeros, zeros, zeros);
    each_row(rows, control, |i| {
        for g in 0..groups {
            let at = (i * groups + g) * BLOCK;
            let v: &[f64; BLOCK] = ys[at..at + BLOCK].try_into().expect("a row of a group");
            let (mut ax, mut xx, mut xy, mut yy) = (at_x[g], sxx[g], sxy[g], syy[g]);
            for k in 0..BLOCK {
                let present = !v[k].is_nan();
                let dx = if present { ax[k] - centre[g][k] } else { 0.0 };
                let dy = if present { v[k] - mean[g][k] } else { 0.0 };
                ax[k] += if present { 1.0 } else { 0.0 };
                xx[k] += dx * dx;
                xy[k] += dx * dy;
                yy[k] += dy * dy;
            }
            (at_x[g], sxx[g], sxy[g], syy[g]) = (ax, xx, xy, yy);
        }
    })?;
    let mut out = [[f64::NAN; BLOCK]; GROUPS];
    for g in 0..groups {
        for k in 0..BLOCK {
            if n[g][k] < 2.0 {
                continue;
            }
            if !(sxy[g][k].is_finite() && syy[g][k].is_finite()) {
                return Err(Fail::Overflow(g, "a sum of cumulative log returns"));
            }
            out[g][k] = r_squared(sxx[g][k], sxy[g][k], syy[g][k]);
        }
    }
    Ok(out)
}
