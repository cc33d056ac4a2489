//! Performance statistics with empyrical's definitions (empyrical-reloaded 0.7.1), computed one
//! column at a time, in parallel over columns, on the caller's memory (any strides).
//!
//! Every statistic follows empyrical's arithmetic in empyrical's order where that order decides the
//! last bits (bottleneck's sequential `nanmean`/`nanstd`, numpy's sequential `cumprod`, the
//! builtin `sum` of `omega_ratio`), so results agree with empyrical to about 1e-15 relative.
//!
//! NaN marks a missing observation and follows empyrical's rules (nan-aware means and deviations,
//! NaN returns count as 0 in compounded paths, `value_at_risk` is NaN for a column that holds a
//! NaN as `np.percentile` is); ±inf in the input is refused, and a sum or product that overflows
//! float64 is an error rather than an inf passed off as a statistic.
//!
//! The parts: `column.rs` computes a statistic one column at a time, `kernels.rs` the columns of a
//! panel at once row by row (over the machinery of `panel.rs`), `quantiles.rs` selects order
//! statistics, `paths.rs` gives the path statistics (one value per observation).

mod column;
mod kernels;
mod panel;
mod paths;
mod quantiles;

pub(crate) use column::accurate_sum;
pub use paths::{paths, Path};
pub(crate) use quantiles::{lerp, quantile_index};

use crate::control::Control;
use crate::error::{try_vec, Error, Result};
use column::column;
use kernels::fast_kernel;
use ndarray::{ArrayView1, ArrayView2, Axis};
use panel::{block_inf, gather, groups_of, Fail, Panel, BLOCK, PANEL};
use rayon::prelude::*;

/// A per-observation adjustment: a risk-free rate, a required return or a benchmark, as one
/// scalar, one value per row (applied to every column), or one value per cell.
#[derive(Clone, Copy, Debug)]
pub enum Offset<'a> {
    Scalar(f64),
    Rows(ArrayView1<'a, f64>),
    Cells(ArrayView2<'a, f64>),
}

/// [`Offset`] restricted to one column.
#[derive(Clone, Copy, Debug)]
pub enum ColumnOffset<'a> {
    Scalar(f64),
    Values(&'a [f64]),
}

impl<'a> Offset<'a> {
    /// `Err(InvalidInput)` unless the offset fits returns of `rows` × `cols` (`name` in messages).
    pub fn check(&self, rows: usize, cols: usize, name: &str) -> Result<()> {
        match self {
            Offset::Scalar(v) => {
                crate::ensure!(v.is_finite(), "{name} must be a finite number, got {v}");
            }
            Offset::Rows(a) => {
                crate::ensure!(
                    a.len() == rows,
                    "{name} must be a scalar, or have one value per observation ({rows}), got {} values",
                    a.len()
                );
                check_no_inf(a.iter().copied(), name)?;
            }
            Offset::Cells(a) => {
                crate::ensure!(
                    a.dim() == (rows, cols),
                    "{name} must be a scalar, 1-D with one value per observation ({rows}), or of the returns' \
                     shape ({rows}, {cols}), got shape ({}, {})",
                    a.nrows(),
                    a.ncols()
                );
                check_no_inf(a.iter().copied(), name)?;
            }
        }
        Ok(())
    }

    /// Column `j` of an offset whose values are contiguous (see [`gather_offset`]).
    fn column(&self, j: usize) -> Result<ColumnOffset<'a>> {
        let contiguous = |a: ArrayView1<'a, f64>| {
            a.to_slice().map(ColumnOffset::Values).ok_or_else(|| Error::Internal("a strided offset column".into()))
        };
        match *self {
            Offset::Scalar(v) => Ok(ColumnOffset::Scalar(v)),
            Offset::Rows(a) => contiguous(a),
            Offset::Cells(a) => contiguous(a.index_axis_move(Axis(1), j)),
        }
    }
}

fn check_no_inf(values: impl Iterator<Item = f64>, name: &str) -> Result<()> {
    match values.enumerate().find(|(_, v)| v.is_infinite()) {
        Some((k, v)) => {
            Err(crate::invalid!("{name} must hold finite numbers or NaN (a missing value), found {v} at position {k}"))
        }
        None => Ok(()),
    }
}

fn overflow(what: &str) -> Error {
    Error::InvalidInput(overflow_message(what))
}

fn overflow_message(what: &str) -> String {
    format!("{what} overflows float64: the returns are too large (simple returns are fractions, e.g. 0.01 for 1%)")
}

/// A statistic that gives one value per column.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Stat {
    /// mean / std (ddof 1) of `returns − offset`, × √annualization.
    Sharpe,
    /// mean of `returns − offset` × annualization / [`Stat::DownsideRisk`].
    Sortino,
    /// √(mean of min(returns − offset, 0)²) × √annualization.
    DownsideRisk,
    /// std (ddof 1) × annualization^(1/alpha).
    AnnualVolatility { alpha: f64 },
    /// (Π(1 + r))^(annualization / rows) − 1.
    AnnualReturn,
    /// Π(1 + r) − 1, or × `start` when `start` ≠ 0.
    CumReturnsFinal { start: f64 },
    /// The lowest point of the underwater curve (≤ 0).
    MaxDrawdown,
    /// annual return / |max drawdown| (NaN without a drawdown).
    Calmar,
    /// Σ gains over `threshold` / Σ losses under it, of `returns − offset − threshold`;
    /// `threshold` None: NaN (a required return of −100% or less).
    Omega { threshold: Option<f64> },
    /// The `cutoff` quantile of the returns (NaN when one is NaN).
    ValueAtRisk { cutoff: f64 },
    /// The mean of the ⌊(n−1)·cutoff⌋+1 lowest present returns.
    ConditionalValueAtRisk { cutoff: f64 },
    /// |95th percentile| / |5th percentile| of the present returns.
    TailRatio,
    /// R² of a line fitted to the cumulative log returns.
    Stability,
    /// mean / std (ddof 1) of `returns − factor`.
    ExcessSharpe,
    /// (1 + mean of (r − rf) − β (f − rf))^annualization − 1.
    Alpha,
    /// cov(f, r) / var(f) over the observations where both are present.
    Beta,
    /// annual return of the strategy / of the benchmark, over the benchmark's up periods.
    UpCapture,
    /// The same over the benchmark's down periods.
    DownCapture,
}

/// The arguments every [`Stat`] draws from.
#[derive(Clone, Copy, Debug)]
pub struct Inputs<'a> {
    /// observations × assets
    pub returns: ArrayView2<'a, f64>,
    /// periods per year
    pub annualization: f64,
    /// risk-free rate or required return
    pub offset: Offset<'a>,
    /// benchmark (factor) returns
    pub factor: Offset<'a>,
}

impl Inputs<'_> {
    /// Checks shapes and values (no inf in the returns, offsets of a fitting shape).
    pub fn check(&self) -> Result<()> {
        let (rows, cols) = self.returns.dim();
        crate::ensure!(rows > 0 && cols > 0, "returns must not be empty, got shape ({rows}, {cols})");
        crate::ensure!(
            self.annualization.is_finite() && self.annualization > 0.0,
            "annualization must be a positive number of periods per year, got {}",
            self.annualization
        );
        self.offset.check(rows, cols, "the risk-free rate / required return")?;
        self.factor.check(rows, cols, "factor_returns")?;
        Ok(())
    }
}

/// A refused inf in column `j`: where it is.
fn column_inf(x: &[f64], j: usize, cols: usize) -> Result<()> {
    // a branch-free scan first (it vectorises); the position only when there is an inf
    if !x.chunks(256).any(|c| c.iter().fold(false, |a, v| a | v.is_infinite())) {
        return Ok(());
    }
    match x.iter().position(|v| v.is_infinite()) {
        None => Ok(()),
        Some(i) => Err(inf_error(i, j, cols, x[i])),
    }
}

/// The error for the refused value `v` at `returns[i, j]`.
fn inf_error(i: usize, j: usize, cols: usize, v: f64) -> Error {
    let at = if cols == 1 { format!("returns[{i}]") } else { format!("returns[{i},{j}]") };
    crate::invalid!("returns must hold finite numbers or NaN (a missing value): {at} is {v}")
}

/// `stat` of every column of `inputs.returns`, in parallel over panels of columns.
pub fn per_column(inputs: &Inputs<'_>, stat: Stat, control: &Control) -> Result<Vec<f64>> {
    inputs.check()?;
    let (rows, cols) = inputs.returns.dim();
    // C-ordered returns are read in place
    let row_major = inputs.returns.as_slice();
    let mut out = try_vec(cols, f64::NAN, "the results")?;
    let scratch = || (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    out.par_chunks_mut(PANEL).enumerate().try_for_each_init(scratch, |(xs, os, fs, work), (b, slots)| {
        control.check()?;
        let (j0, nb) = (b * PANEL, slots.len());
        let xv = inputs.returns.slice(ndarray::s![.., j0..j0 + nb]);
        let off = gather_offset(&inputs.offset, j0, nb, os)?;
        let fac = gather_offset(&inputs.factor, j0, nb, fs)?;
        // the row-wise kernel takes the panel but a last group of few columns, whose padding
        // lanes would be wasted work: those go column by column
        let kernel = fast_kernel(stat, &off, &fac);
        let done = match kernel {
            Some(_) if (nb % BLOCK) * 2 > BLOCK => nb,
            Some(_) => nb - nb % BLOCK,
            None => 0,
        };
        // the full groups of C-ordered returns are read in place, the other columns gathered
        let full = if row_major.is_some() { done / BLOCK } else { 0 };
        let rest = gather(xv.slice_move(ndarray::s![.., full * BLOCK..]), xs)?;
        if let Some(kernel) = kernel {
            let lanes = groups_of(rest.slice(ndarray::s![.., ..done - full * BLOCK]))?;
            let tail = Panel::Cols { lanes: &lanes[..(done - full * BLOCK).div_ceil(BLOCK)], rows };
            let panels = match row_major {
                Some(data) if full > 0 => {
                    [Some(Panel::Rows { data, stride: cols, j0, groups: full, rows }), Some(tail)]
                }
                _ => [Some(tail), None],
            };
            let mut c0 = 0;
            for panel in panels.iter().flatten() {
                let mut seen = [0.0; BLOCK];
                let values = kernel.run(panel, inputs.annualization, &mut seen, control);
                if seen.contains(&f64::INFINITY) {
                    block_inf(xv, j0, cols)?;
                }
                let values = values.map_err(|e| {
                    let (g, m) = match e {
                        Fail::Overflow(g, what) => (g, overflow_message(what)),
                        Fail::Invalid(g, m) => (g, m.to_string()),
                        Fail::Other(e) => return e,
                    };
                    let first = j0 + c0 + g * BLOCK;
                    let last = (first + BLOCK).min(j0 + done) - 1;
                    Error::InvalidInput(if cols > 1 { format!("columns {first} to {last}: {m}") } else { m })
                })?;
                let n = (panel.groups() * BLOCK).min(done - c0);
                for (k, slot) in slots[c0..c0 + n].iter_mut().enumerate() {
                    *slot = values[k / BLOCK][k % BLOCK];
                }
                c0 += n;
            }
        }
        control.check()?;
        let x = rest.slice_move(ndarray::s![.., done - full * BLOCK..]);
        for (k, slot) in slots.iter_mut().enumerate().skip(done) {
            let j = j0 + k;
            let lane = x
                .index_axis(Axis(1), k - done)
                .to_slice()
                .ok_or_else(|| Error::Internal("a strided column after gathering".into()))?;
            column_inf(lane, j, cols)?;
            let value = column(lane, off.column(k)?, fac.column(k)?, inputs.annualization, stat, work, control);
            *slot = value.map_err(|e| match e {
                Error::InvalidInput(m) if cols > 1 => Error::InvalidInput(format!("column {j}: {m}")),
                e => e,
            })?;
            control.check()?;
        }
        Ok(())
    })?;
    Ok(out)
}

/// An offset restricted to a block of columns, gathered like the returns.
fn gather_offset<'a: 'b, 'b>(o: &Offset<'a>, j0: usize, nb: usize, buf: &'b mut Vec<f64>) -> Result<Offset<'b>> {
    Ok(match *o {
        Offset::Cells(a) => Offset::Cells(gather(a.slice_move(ndarray::s![.., j0..j0 + nb]), buf)?),
        Offset::Rows(a) if a.as_slice().is_some() => Offset::Rows(a.reborrow()),
        Offset::Rows(a) => {
            buf.clear();
            buf.try_reserve_exact(a.len()).map_err(|_| crate::error::too_big::<f64>(a.len() as u128, "an offset"))?;
            buf.extend(a.iter().copied());
            Offset::Rows(ArrayView1::from(&buf[..]))
        }
        Offset::Scalar(v) => Offset::Scalar(v),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array2};

    fn run<'a>(x: &'a Array2<f64>, stat: Stat, offset: Offset<'a>, factor: Offset<'a>) -> Vec<f64> {
        let inputs = Inputs { returns: x.view(), annualization: 252.0, offset, factor };
        per_column(&inputs, stat, &Control::new()).unwrap()
    }

    #[test]
    fn sharpe_by_hand() {
        let x = array![[0.01], [0.02], [-0.01], [0.03]];
        let mean = 0.05 / 4.0;
        let ss: f64 = [0.01, 0.02, -0.01, 0.03].iter().map(|v: &f64| (v - mean).powi(2)).sum();
        let want = mean / (ss / 3.0).sqrt() * 252f64.sqrt();
        let got = run(&x, Stat::Sharpe, Offset::Scalar(0.0), Offset::Scalar(0.0))[0];
        assert!((got - want).abs() < 1e-12 * want.abs());
        // constant returns: zero dispersion gives inf, as empyrical's
        let c = array![[0.01], [0.01], [0.01]];
        assert_eq!(run(&c, Stat::Sharpe, Offset::Scalar(0.0), Offset::Scalar(0.0))[0], f64::INFINITY);
    }

    #[test]
    fn nan_rules() {
        let x = array![[f64::NAN, 0.1], [f64::NAN, -0.2], [f64::NAN, 0.05]];
        let z = Offset::Scalar(0.0);
        let s = run(&x, Stat::Sharpe, z, z);
        assert!(s[0].is_nan() && s[1].is_finite());
        assert_eq!(run(&x, Stat::MaxDrawdown, z, z)[0], 0.0);
        assert_eq!(run(&x, Stat::CumReturnsFinal { start: 0.0 }, z, z)[0], 0.0);
        assert!(run(&x, Stat::ValueAtRisk { cutoff: 0.05 }, z, z)[0].is_nan());
        let mdd = run(&x, Stat::MaxDrawdown, z, z)[1];
        assert!((mdd - (1.1 * 0.8 - 1.1) / 1.1).abs() < 1e-15);
    }

    #[test]
    fn inf_and_overflow_are_errors() {
        let z = Offset::Scalar(0.0);
        let x = array![[0.1], [f64::INFINITY]];
        let inputs = Inputs { returns: x.view(), annualization: 252.0, offset: z, factor: z };
        assert!(matches!(per_column(&inputs, Stat::Sharpe, &Control::new()), Err(Error::InvalidInput(_))));
        let big = array![[1e308], [1e308], [1e308]];
        let inputs = Inputs { returns: big.view(), annualization: 252.0, offset: z, factor: z };
        assert!(matches!(per_column(&inputs, Stat::AnnualReturn, &Control::new()), Err(Error::InvalidInput(_))));
    }
}
