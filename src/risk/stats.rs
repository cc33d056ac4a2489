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

use crate::control::Control;
use crate::error::{try_vec, try_with_capacity, Error, Result};
use ndarray::{ArrayView1, ArrayView2, Axis, ShapeBuilder};
use rayon::prelude::*;

/// Values between two looks at the control: about a millisecond of the simplest pass.
const CHUNK: u32 = 1 << 18;

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

fn overflow(what: &str) -> Error {
    Error::InvalidInput(format!(
        "{what} overflows float64: the returns are too large (simple returns are fractions, e.g. 0.01 for 1%)"
    ))
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

/// numpy's linear (default) quantile of `sorted`-to-be values, selected in place: `v` is
/// reordered. `q` in [0, 1]; `v` not empty.
fn quantile_select(v: &mut [f64], q: f64) -> f64 {
    let n = v.len();
    let virtual_index = (n - 1) as f64 * q;
    let below = virtual_index.floor();
    let lo = (below as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let gamma = virtual_index - below;
    let (_, &mut a, rest) = v.select_nth_unstable_by(lo, f64::total_cmp);
    let b = if hi == lo { a } else { rest.iter().copied().fold(f64::INFINITY, f64::min) };
    lerp(a, b, gamma)
}

/// numpy's `_lerp`: `a + (b - a) t`, or `b - (b - a)(1 - t)` for t ≥ 0.5 (monotone and exact at
/// both ends).
pub(crate) fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// The present (non-NaN) values of a column, copied.
fn present(x: &[f64]) -> Result<Vec<f64>> {
    let mut v = try_with_capacity(x.len(), "a copy of a column of returns")?;
    v.extend(x.iter().copied().filter(|v| !v.is_nan()));
    Ok(v)
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
        Some(i) => {
            let at = if cols == 1 { format!("returns[{i}]") } else { format!("returns[{i},{j}]") };
            Err(crate::invalid!("returns must hold finite numbers or NaN (a missing value): {at} is {}", x[i]))
        }
    }
}

/// Columns per parallel task: a block is gathered into contiguous scratch when its columns are
/// strided (C-ordered input), so every pass over a column is a sequential read.
const BLOCK: usize = 8;

/// The columns `j0..j0 + nb` of `a`, column-major in `buf` (no copy when they are contiguous).
fn gather<'a: 'b, 'b>(a: ArrayView2<'a, f64>, buf: &'b mut Vec<f64>) -> Result<ArrayView2<'b, f64>> {
    let (rows, nb) = a.dim();
    if a.stride_of(Axis(0)) == 1 || rows <= 1 {
        return Ok(a.reborrow());
    }
    buf.clear();
    buf.try_reserve_exact(rows * nb)
        .map_err(|_| crate::error::too_big::<f64>((rows * nb) as u128, "a block of columns"))?;
    buf.resize(rows * nb, 0.0);
    for (i, row) in a.outer_iter().enumerate() {
        for (k, &v) in row.iter().enumerate() {
            buf[k * rows + i] = v;
        }
    }
    ArrayView2::from_shape((rows, nb).f(), &buf[..]).map_err(|e| Error::Internal(format!("a gathered block: {e}")))
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

/// `stat` of every column of `inputs.returns`, in parallel over blocks of columns.
pub fn per_column(inputs: &Inputs<'_>, stat: Stat, control: &Control) -> Result<Vec<f64>> {
    inputs.check()?;
    let cols = inputs.returns.ncols();
    let mut out = try_vec(cols, f64::NAN, "the results")?;
    out.par_chunks_mut(BLOCK).enumerate().try_for_each(|(b, slots)| {
        control.check()?;
        let (j0, nb) = (b * BLOCK, slots.len());
        let (mut xs, mut os, mut fs) = (Vec::new(), Vec::new(), Vec::new());
        let x = gather(inputs.returns.slice(ndarray::s![.., j0..j0 + nb]), &mut xs)?;
        let off = gather_offset(&inputs.offset, j0, nb, &mut os)?;
        let fac = gather_offset(&inputs.factor, j0, nb, &mut fs)?;
        let mut lanes: [&[f64]; BLOCK] = [&[]; BLOCK];
        for (k, lane) in lanes.iter_mut().enumerate() {
            // lanes past the block's columns repeat its first (their results are dropped)
            let k = if k < nb { k } else { 0 };
            *lane = x
                .index_axis(Axis(1), k)
                .to_slice()
                .ok_or_else(|| Error::Internal("a strided column after gathering".into()))?;
            column_inf(lane, j0 + k, cols)?;
        }
        // a block of few columns goes column by column: its padding lanes would be wasted work
        let fast =
            if nb * 2 > BLOCK { fast_block(stat, &lanes, &off, &fac, inputs.annualization, control) } else { Ok(None) };
        if let Some(values) = fast.map_err(|e| match e {
            Error::InvalidInput(m) if cols > 1 => Error::InvalidInput(format!("columns {j0} to {}: {m}", j0 + nb - 1)),
            e => e,
        })? {
            slots.copy_from_slice(&values[..nb]);
            return control.check();
        }
        for (k, slot) in slots.iter_mut().enumerate() {
            let j = j0 + k;
            let value = column(lanes[k], off.column(k)?, fac.column(k)?, inputs.annualization, stat, control);
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

/// The statistics that reduce to sums and products, computed for the [`BLOCK`] columns of a block
/// at once, row by row: the columns' accumulators are independent chains the processor runs side
/// by side, where one column at a time waits on each addition. Each column's arithmetic is still
/// empyrical's, in empyrical's order (a missing value adds 0 or multiplies by 1, which changes
/// nothing). `None` for the statistics (and per-cell offsets) that go column by column.
fn fast_block(
    stat: Stat,
    lanes: &[&[f64]; BLOCK],
    off: &Offset<'_>,
    fac: &Offset<'_>,
    ann: f64,
    control: &Control,
) -> Result<Option<[f64; BLOCK]>> {
    let rows = lanes[0].len();
    let (Some(o), Some(f)) = (shared(off), shared(fac)) else { return Ok(None) };
    match (stat, o, f) {
        (Stat::ExcessSharpe, _, Shared::Scalar(c)) => fast_stat(Stat::Sharpe, lanes, rows, |_| c, 1.0, control),
        (Stat::ExcessSharpe, _, Shared::Rows(f)) => fast_stat(Stat::Sharpe, lanes, rows, |i| f[i], 1.0, control),
        (Stat::Beta | Stat::Alpha | Stat::UpCapture | Stat::DownCapture, Shared::Scalar(c), Shared::Rows(f)) => {
            fast_factor(stat, lanes, f, |_| c, ann, control).map(Some)
        }
        (Stat::Beta | Stat::Alpha | Stat::UpCapture | Stat::DownCapture, Shared::Rows(o), Shared::Rows(f)) => {
            fast_factor(stat, lanes, f, |i| o[i], ann, control).map(Some)
        }
        (_, Shared::Scalar(c), _) => fast_stat(stat, lanes, rows, |_| c, ann, control),
        (_, Shared::Rows(o), _) => fast_stat(stat, lanes, rows, |i| o[i], ann, control),
    }
}

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
enum Shared<'a> {
    Scalar(f64),
    Rows(&'a [f64]),
}

/// beta, alpha and the capture ratios of a block against one benchmark column `f`.
fn fast_factor(
    stat: Stat,
    lanes: &[&[f64]; BLOCK],
    f: &[f64],
    off: impl Fn(usize) -> f64 + Copy,
    ann: f64,
    control: &Control,
) -> Result<[f64; BLOCK]> {
    let rows = lanes[0].len();
    let mut out = [f64::NAN; BLOCK];
    let each_row = |g: &mut dyn FnMut(usize)| -> Result<()> {
        for start in (0..rows).step_by(ROWS_PER_CHECK) {
            control.check()?;
            for i in start..(start + ROWS_PER_CHECK).min(rows) {
                g(i);
            }
        }
        Ok(())
    };
    if let Stat::UpCapture | Stat::DownCapture = stat {
        let up = stat == Stat::UpCapture;
        let (mut pr, mut pf, mut count) = ([1.0f64; BLOCK], [1.0f64; BLOCK], [0usize; BLOCK]);
        each_row(&mut |i| {
            let b = f[i];
            let side = if up { b > 0.0 } else { b < 0.0 };
            for k in 0..BLOCK {
                let r = lanes[k][i];
                let take = side && !r.is_nan();
                pr[k] *= if take { 1.0 + r } else { 1.0 };
                pf[k] *= if take { 1.0 + b } else { 1.0 };
                count[k] += usize::from(take);
            }
        })?;
        if pr.iter().chain(&pf).any(|v| !v.is_finite()) {
            return Err(overflow("the compounded return"));
        }
        for k in 0..BLOCK {
            if count[k] > 0 {
                let exponent = 1.0 / (count[k] as f64 / ann);
                out[k] = (pr[k].powf(exponent) - 1.0) / (pf[k].powf(exponent) - 1.0);
            }
        }
        return Ok(out);
    }
    if rows < 2 {
        return Ok(out);
    }
    // beta over the rows where both are present: mean of f, then cov(f, r) and var(f)
    let (mut sf, mut count) = ([0.0f64; BLOCK], [0usize; BLOCK]);
    each_row(&mut |i| {
        let b = f[i];
        for k in 0..BLOCK {
            let take = !lanes[k][i].is_nan() && !b.is_nan();
            sf[k] += if take { b } else { 0.0 };
            count[k] += usize::from(take);
        }
    })?;
    if sf.iter().any(|v| !v.is_finite()) {
        return Err(overflow("a sum of returns"));
    }
    let f_mean: [f64; BLOCK] = std::array::from_fn(|k| sf[k] / count[k] as f64);
    let (mut cov, mut var) = ([0.0f64; BLOCK], [0.0f64; BLOCK]);
    each_row(&mut |i| {
        let b = f[i];
        for k in 0..BLOCK {
            let r = lanes[k][i];
            let take = !r.is_nan() && !b.is_nan();
            let d = b - f_mean[k];
            cov[k] += if take { d * r } else { 0.0 };
            var[k] += if take { d * d } else { 0.0 };
        }
    })?;
    if cov.iter().chain(&var).any(|v| !v.is_finite()) {
        return Err(overflow("a sum of squared returns"));
    }
    let beta: [f64; BLOCK] = std::array::from_fn(|k| {
        let (c, v) = (cov[k] / count[k] as f64, var[k] / count[k] as f64);
        if v < 1.0e-30 || v.is_nan() {
            f64::NAN
        } else {
            c / v
        }
    });
    if stat == Stat::Beta {
        return Ok(beta);
    }
    // alpha: (1 + mean((r − rf) − β (f − rf)))^ann − 1 over the rows where the series is present
    let (mut sa, mut na) = ([0.0f64; BLOCK], [0usize; BLOCK]);
    each_row(&mut |i| {
        let o = off(i);
        let fb = f[i] - o;
        for k in 0..BLOCK {
            let v = (lanes[k][i] - o) - beta[k] * fb;
            let take = !v.is_nan();
            sa[k] += if take { v } else { 0.0 };
            na[k] += usize::from(take);
        }
    })?;
    if sa.iter().any(|v| !v.is_finite()) {
        return Err(overflow("a sum of returns"));
    }
    for k in 0..BLOCK {
        out[k] = (sa[k] / na[k] as f64 + 1.0).powf(ann) - 1.0;
    }
    Ok(out)
}

/// Rows between two looks at the control in [`fast_stat`].
const ROWS_PER_CHECK: usize = 1 << 15;

fn fast_stat(
    stat: Stat,
    lanes: &[&[f64]; BLOCK],
    rows: usize,
    off: impl Fn(usize) -> f64 + Copy,
    ann: f64,
    control: &Control,
) -> Result<Option<[f64; BLOCK]>> {
    let mut out = [f64::NAN; BLOCK];
    // runs `f(i)` for every row, looking at the control now and then
    let each_row = |f: &mut dyn FnMut(usize)| -> Result<()> {
        for start in (0..rows).step_by(ROWS_PER_CHECK) {
            control.check()?;
            for i in start..(start + ROWS_PER_CHECK).min(rows) {
                f(i);
            }
        }
        Ok(())
    };
    match stat {
        Stat::Sharpe | Stat::AnnualVolatility { .. } => {
            let adjust = matches!(stat, Stat::Sharpe);
            let value = |i: usize, k: usize| if adjust { lanes[k][i] - off(i) } else { lanes[k][i] };
            let (mut sum, mut count) = ([0.0f64; BLOCK], [0usize; BLOCK]);
            let (mut first, mut differs) = ([f64::NAN; BLOCK], [false; BLOCK]);
            each_row(&mut |i| {
                for k in 0..BLOCK {
                    let v = value(i, k);
                    let present = !v.is_nan();
                    if present && count[k] == 0 {
                        first[k] = v;
                    }
                    differs[k] |= present && v != first[k];
                    sum[k] += if present { v } else { 0.0 };
                    count[k] += usize::from(present);
                }
            })?;
            if sum.iter().any(|s| !s.is_finite()) {
                return Err(overflow("a sum of returns"));
            }
            let mean: [f64; BLOCK] = std::array::from_fn(|k| sum[k] / count[k] as f64);
            let mut ss = [0.0f64; BLOCK];
            each_row(&mut |i| {
                for k in 0..BLOCK {
                    let v = value(i, k);
                    let d = v - mean[k];
                    ss[k] += if v.is_nan() { 0.0 } else { d * d };
                }
            })?;
            if ss.iter().any(|s| !s.is_finite()) {
                return Err(overflow("a sum of squared returns"));
            }
            for k in 0..BLOCK {
                let std = if count[k] < 2 { f64::NAN } else { (ss[k] / (count[k] - 1) as f64).sqrt() };
                out[k] = match stat {
                    Stat::AnnualVolatility { alpha } => std * ann.powf(1.0 / alpha),
                    _ => {
                        let std = if count[k] >= 2 && !differs[k] { 0.0 } else { std };
                        mean[k] / std * ann.sqrt()
                    }
                };
                if rows < 2 {
                    out[k] = f64::NAN;
                }
            }
        }
        Stat::Sortino | Stat::DownsideRisk => {
            let (mut sum, mut sq, mut count) = ([0.0f64; BLOCK], [0.0f64; BLOCK], [0usize; BLOCK]);
            each_row(&mut |i| {
                for k in 0..BLOCK {
                    let v = lanes[k][i] - off(i);
                    let present = !v.is_nan();
                    let low = v.min(0.0);
                    sum[k] += if present { v } else { 0.0 };
                    sq[k] += if present { low * low } else { 0.0 };
                    count[k] += usize::from(present);
                }
            })?;
            if sum.iter().chain(&sq).any(|s| !s.is_finite()) {
                return Err(overflow("a sum of returns"));
            }
            for k in 0..BLOCK {
                let n = count[k] as f64;
                let downside = (sq[k] / n).sqrt() * ann.sqrt();
                out[k] = match stat {
                    Stat::DownsideRisk => downside,
                    _ if rows < 2 => f64::NAN,
                    _ => sum[k] / n * ann / downside,
                };
            }
        }
        Stat::AnnualReturn | Stat::CumReturnsFinal { .. } | Stat::MaxDrawdown | Stat::Calmar => {
            let drawdown = matches!(stat, Stat::MaxDrawdown | Stat::Calmar);
            let mut p = [1.0f64; BLOCK];
            let mut peak = [100.0f64; BLOCK];
            let mut low = [f64::NAN; BLOCK];
            each_row(&mut |i| {
                for k in 0..BLOCK {
                    let r = lanes[k][i];
                    let r = if r.is_nan() { 0.0 } else { r };
                    p[k] *= r + 1.0;
                    if drawdown {
                        let value = p[k] * 100.0;
                        peak[k] = peak[k].max(value);
                        low[k] = low[k].min((value - peak[k]) / peak[k]);
                    }
                }
            })?;
            if p.iter().any(|v| !v.is_finite()) {
                return Err(overflow("the compounded return"));
            }
            let years = rows as f64 / ann;
            for k in 0..BLOCK {
                let annual = p[k].powf(1.0 / years) - 1.0;
                out[k] = match stat {
                    Stat::AnnualReturn => annual,
                    Stat::CumReturnsFinal { start: 0.0 } => p[k] - 1.0,
                    Stat::CumReturnsFinal { start } => p[k] * start,
                    Stat::MaxDrawdown => low[k],
                    _ if low[k] < 0.0 => {
                        let ratio = annual / low[k].abs();
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
        Stat::Omega { threshold: Some(threshold) } => {
            let (mut gains, mut losses) = ([0.0f64; BLOCK], [0.0f64; BLOCK]);
            each_row(&mut |i| {
                for k in 0..BLOCK {
                    let d = lanes[k][i] - off(i) - threshold;
                    gains[k] += if d > 0.0 { d } else { 0.0 };
                    losses[k] += if d < 0.0 { d } else { 0.0 };
                }
            })?;
            if gains.iter().chain(&losses).any(|s| !s.is_finite()) {
                return Err(overflow("a sum of returns"));
            }
            for k in 0..BLOCK {
                let denominator = -losses[k];
                out[k] = if rows < 2 || denominator <= 0.0 { f64::NAN } else { gains[k] / denominator };
            }
        }
        _ => return Ok(None),
    }
    Ok(Some(out))
}

fn column<'a>(
    x: &'a [f64],
    off: ColumnOffset<'a>,
    fac: ColumnOffset<'a>,
    ann: f64,
    stat: Stat,
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
            let mut v = present(x)?;
            quantile_select(&mut v, (100.0 * cutoff) / 100.0)
        }
        Stat::ConditionalValueAtRisk { cutoff } => {
            let mut v = present(x)?;
            if v.is_empty() {
                return Ok(f64::NAN);
            }
            let k = ((v.len() - 1) as f64 * cutoff) as usize;
            let k = k.min(v.len() - 1);
            v.select_nth_unstable_by(k, f64::total_cmp);
            accurate_sum(v[..=k].iter().copied()) / (k + 1) as f64
        }
        Stat::TailRatio => {
            let mut v = present(x)?;
            if v.is_empty() {
                return Ok(f64::NAN);
            }
            let right = quantile_select(&mut v, 0.95);
            let left = quantile_select(&mut v, 0.05);
            right.abs() / left.abs()
        }
        Stat::Stability => stability(x, control)?,
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

fn stability(x: &[f64], control: &Control) -> Result<f64> {
    if x.len() < 2 {
        return Ok(f64::NAN);
    }
    let mut y = present(x)?;
    if y.len() < 2 {
        return Ok(f64::NAN);
    }
    let mut acc = 0.0f64;
    for v in y.iter_mut() {
        acc += v.ln_1p();
        *v = acc;
    }
    control.check()?;
    if !acc.is_finite() && !acc.is_nan() {
        return Err(crate::invalid!("the cumulative log return is infinite (a return of -100%)"));
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
    let r = if sxx == 0.0 || syy == 0.0 {
        if sxy == 0.0 {
            f64::NAN
        } else {
            0.0
        }
    } else {
        (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
    };
    Ok(r * r)
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

/// A path statistic: one value per observation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Path {
    /// Π(1 + r) − 1 so far (NaN as 0), or × `start` when `start` ≠ 0.
    CumReturns { start: f64 },
    /// The underwater curve: (value − running peak) / running peak.
    Drawdown,
}

/// `path` of every column, column-major (column `j` is `out[j*rows..(j+1)*rows]`).
pub fn paths(returns: ArrayView2<'_, f64>, path: Path, control: &Control) -> Result<Vec<f64>> {
    let (rows, cols) = returns.dim();
    crate::ensure!(rows > 0 && cols > 0, "returns must not be empty, got shape ({rows}, {cols})");
    let total = rows.checked_mul(cols).ok_or_else(|| crate::error::too_big::<f64>(u128::MAX, "the result"))?;
    let mut out = try_vec(total, f64::NAN, "the result")?;
    out.par_chunks_mut(rows * BLOCK).enumerate().try_for_each(|(b, block)| {
        let j0 = b * BLOCK;
        let nb = block.len() / rows;
        let mut xs = Vec::new();
        let xb = gather(returns.slice(ndarray::s![.., j0..j0 + nb]), &mut xs)?;
        block.chunks_mut(rows).enumerate().try_for_each(|(k, slot)| {
            let x = xb
                .index_axis(Axis(1), k)
                .to_slice()
                .ok_or_else(|| Error::Internal("a strided column after gathering".into()))?;
            path_column(x, j0 + k, cols, slot, path, control)
        })
    })?;
    Ok(out)
}

fn path_column(x: &[f64], j: usize, cols: usize, slot: &mut [f64], path: Path, control: &Control) -> Result<()> {
    control.check()?;
    column_inf(x, j, cols)?;
    let raw = watch(x.iter().copied(), control);
    match path {
        Path::CumReturns { start } => {
            let mut p = 1.0f64;
            for (s, r) in slot.iter_mut().zip(raw) {
                p *= if r.is_nan() { 1.0 } else { r + 1.0 };
                *s = if start == 0.0 { p - 1.0 } else { p * start };
            }
            if !p.is_finite() {
                return Err(overflow("the compounded return"));
            }
        }
        Path::Drawdown => {
            let mut k = 0;
            drawdowns(raw, |d| {
                slot[k] = d;
                k += 1;
            })?;
        }
    }
    control.check()
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
    fn quantile_matches_numpy_linear() {
        let mut v = vec![3.0, 1.0, 2.0, 4.0];
        // numpy: np.quantile([1,2,3,4], 0.25) = 1.75
        assert!((quantile_select(&mut v, 0.25) - 1.75).abs() < 1e-15);
        let mut w = vec![5.0];
        assert_eq!(quantile_select(&mut w, 0.05), 5.0);
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

    #[test]
    fn drawdown_path() {
        let x = array![[0.1], [-0.5], [0.2]];
        let d = paths(x.view(), Path::Drawdown, &Control::new()).unwrap();
        assert_eq!(d[0], 0.0);
        assert!((d[1] + 0.5).abs() < 1e-15);
        assert!((d[2] - (0.55 * 1.2 - 1.1) / 1.1).abs() < 1e-15);
    }
}
