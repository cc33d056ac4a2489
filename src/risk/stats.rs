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
use crate::special::ln_1p;
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

/// numpy's linear quantile `q` of `n` values: the ranks (from 0) of the two it interpolates
/// between, and the weight of the second.
fn quantile_index(n: usize, q: f64) -> (usize, usize, f64) {
    let virtual_index = (n - 1) as f64 * q;
    let below = virtual_index.floor();
    let lo = (below as usize).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    (lo, hi, virtual_index - below)
}

/// numpy's linear (default) quantile `q` in [0, 1] of the values `v` (not empty), selected in
/// place: `v` is reordered.
fn quantile_select(v: &mut [f64], q: f64) -> f64 {
    let (lo, hi, gamma) = quantile_index(v.len(), q);
    let (start, part) = narrow(v, lo, hi);
    let (_, &mut a, rest) = part.select_nth_unstable_by(lo - start, f64::total_cmp);
    let b = if hi == lo { a } else { rest.iter().copied().fold(f64::INFINITY, f64::min) };
    lerp(a, b, gamma)
}

/// Values sampled by [`narrow`].
const SAMPLE: usize = 64;

/// The values of ranks `lo..=hi` of `v` (total order) brought together in a short part of it:
/// `(start, part)`, `part` being `v[..m]` reordered to hold exactly the ranks `start..start + m`.
/// The ranks of a tail quantile are near an end of `v`: one branch-free pass keeps the values on
/// that side of a pivot sampled from `v`, so that the selection sorts out a few hundred values
/// rather than all. The whole of `v` when the ranks are not near an end, or the sample misled.
fn narrow(v: &mut [f64], lo: usize, hi: usize) -> (usize, &mut [f64]) {
    let n = v.len();
    if n < 8 * SAMPLE {
        return (0, v);
    }
    let mut sample: [f64; SAMPLE] = std::array::from_fn(|t| v[t * n / SAMPLE]);
    sample.sort_unstable_by(f64::total_cmp);
    // the sample's ranks that bracket the wanted ones, with a margin of 4
    let above = (hi + 1) * SAMPLE / n + 4;
    let below = (lo * SAMPLE / n).checked_sub(4);
    if above < SAMPLE / 4 {
        let pivot = sample[above];
        let m = partition(v, |x| x <= pivot);
        if m > hi {
            return (0, &mut v[..m]);
        }
    } else if let Some(r) = below.filter(|&r| r > SAMPLE * 3 / 4) {
        let pivot = sample[r];
        let m = partition(v, |x| x >= pivot);
        if n - m <= lo {
            return (n - m, &mut v[..m]);
        }
    }
    (0, v)
}

/// Moves the values that `keep` to the front of `v` (Lomuto's partition without a branch on the
/// data); their count. With no NaN, the values kept by `x <= p` are the smallest of `v` in the
/// total order too, and those kept by `x >= p` the largest.
fn partition(v: &mut [f64], keep: impl Fn(f64) -> bool) -> usize {
    let mut m = 0;
    for i in 0..v.len() {
        v.swap(i, m);
        m += usize::from(keep(v[m]));
    }
    m
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

/// The present (non-NaN) values of a column, copied into `work`.
fn present<'w>(x: &[f64], work: &'w mut Vec<f64>) -> Result<&'w mut [f64]> {
    work.clear();
    work.try_reserve_exact(x.len())
        .map_err(|_| crate::error::too_big::<f64>(x.len() as u128, "a copy of a column of returns"))?;
    work.extend(x.iter().copied().filter(|v| !v.is_nan()));
    Ok(work)
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
        Some(i) => Err(inf_error(i, j, cols, x[i])),
    }
}

/// The error for the refused value `v` at `returns[i, j]`.
fn inf_error(i: usize, j: usize, cols: usize, v: f64) -> Error {
    let at = if cols == 1 { format!("returns[{i}]") } else { format!("returns[{i},{j}]") };
    crate::invalid!("returns must hold finite numbers or NaN (a missing value): {at} is {v}")
}

/// Lanes of the row-wise kernels: a group of columns whose values of one row are computed side
/// by side (independent chains, vectorised across the lanes).
const BLOCK: usize = 8;

/// Groups per parallel task of the row-wise kernels. A C-ordered panel's row is PANEL contiguous
/// values read in place in one stream, as `np.sum(x, axis=0)` reads; one group alone would jump
/// a whole row of the input at every read of 8 values.
const GROUPS: usize = 8;

/// Columns per parallel task.
const PANEL: usize = GROUPS * BLOCK;

/// One value per lane of a group.
type Lanes = [f64; BLOCK];

/// One [`Lanes`] per group of a panel.
type Grouped = [Lanes; GROUPS];

/// Rows between two looks at the control in the row-wise kernels (about 2^18 values).
const ROWS_PER_CHECK: usize = 1 << 12;

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
    // BLOCK columns at a time: a short run of each row read, BLOCK columns written in streams
    for (c, dst) in buf.chunks_mut(rows * BLOCK).enumerate() {
        let mut lanes = dst.chunks_mut(rows);
        let mut dst: [&mut [f64]; BLOCK] = std::array::from_fn(|_| lanes.next().unwrap_or_default());
        let k0 = c * BLOCK;
        let src = a.slice(ndarray::s![.., k0..(k0 + BLOCK).min(nb)]);
        for (i, row) in src.outer_iter().enumerate() {
            for (d, &v) in dst.iter_mut().zip(row.iter()) {
                d[i] = v;
            }
        }
    }
    ArrayView2::from_shape((rows, nb).f(), &buf[..]).map_err(|e| Error::Internal(format!("a gathered block: {e}")))
}

/// The contiguous columns of `x` as groups of [`BLOCK`] lanes; a short last group's lanes past
/// its columns repeat its first (their results are dropped).
fn groups_of<'b>(x: ArrayView2<'b, f64>) -> Result<[[&'b [f64]; BLOCK]; GROUPS]> {
    let mut lanes: [[&[f64]; BLOCK]; GROUPS] = [[&[]; BLOCK]; GROUPS];
    for (g, group) in lanes.iter_mut().enumerate().take(x.ncols().div_ceil(BLOCK)) {
        for (k, lane) in group.iter_mut().enumerate() {
            let j = if g * BLOCK + k < x.ncols() { g * BLOCK + k } else { g * BLOCK };
            *lane = x
                .index_axis_move(Axis(1), j)
                .to_slice()
                .ok_or_else(|| Error::Internal("a strided column after gathering".into()))?;
        }
    }
    Ok(lanes)
}

/// Where a panel's values are: read in place from C-ordered returns, or from contiguous columns.
#[derive(Clone, Copy)]
enum Panel<'a> {
    /// Row `i` of group `g` is `data[i * stride + j0 + BLOCK * g..][..BLOCK]`.
    Rows { data: &'a [f64], stride: usize, j0: usize, groups: usize, rows: usize },
    /// One group of contiguous column slices per entry.
    Cols { lanes: &'a [[&'a [f64]; BLOCK]], rows: usize },
}

impl Panel<'_> {
    /// Runs `f(g, i, row i of group g)` for every row and group, in the memory's order, looking
    /// at the control every [`ROWS_PER_CHECK`] rows.
    #[inline(always)]
    fn pass(&self, control: &Control, mut f: impl FnMut(usize, usize, Lanes)) -> Result<()> {
        match *self {
            Panel::Rows { data, stride, j0, groups, rows } => each_row(
                rows,
                control,
                #[inline(always)]
                |i| {
                    let at = i * stride + j0;
                    prefetch(data, at + PREFETCH_ROWS * stride, groups);
                    for g in 0..groups {
                        let mut x = [0.0; BLOCK];
                        x.copy_from_slice(&data[at + g * BLOCK..at + (g + 1) * BLOCK]);
                        f(g, i, x);
                    }
                },
            ),
            Panel::Cols { lanes, rows } => {
                for (g, l) in lanes.iter().enumerate() {
                    each_row(
                        rows,
                        control,
                        #[inline(always)]
                        |i| f(g, i, std::array::from_fn(|k| l[k][i])),
                    )?;
                }
                Ok(())
            }
        }
    }

    fn groups(&self) -> usize {
        match *self {
            Panel::Rows { groups, .. } => groups,
            Panel::Cols { lanes, .. } => lanes.len(),
        }
    }

    fn rows(&self) -> usize {
        match *self {
            Panel::Rows { rows, .. } | Panel::Cols { rows, .. } => rows,
        }
    }
}

/// Rows ahead of the reads of a C-ordered panel that [`prefetch`] asks for: a panel's row is a
/// short run of the input's row, which the hardware prefetchers do not follow from row to row.
const PREFETCH_ROWS: usize = 8;

/// Asks the cache for the `groups` × [`BLOCK`] values from `data[at..]` (nothing past the end).
#[inline(always)]
fn prefetch(data: &[f64], at: usize, groups: usize) {
    #[cfg(target_arch = "x86_64")]
    if at + groups * BLOCK <= data.len() {
        for g in 0..groups {
            let p = data[at + g * BLOCK..].as_ptr().cast::<i8>();
            // SAFETY: SSE is part of x86_64; a prefetch reads nothing (and `p` is in `data`).
            unsafe { std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (data, at, groups);
}

/// Runs `f(i)` for every row `i < rows`, looking at the control every [`ROWS_PER_CHECK`] rows.
#[inline(always)]
fn each_row(rows: usize, control: &Control, mut f: impl FnMut(usize)) -> Result<()> {
    let mut start = 0;
    while start < rows {
        control.check()?;
        let end = rows.min(start + ROWS_PER_CHECK);
        for i in start..end {
            f(i);
        }
        start = end;
    }
    Ok(())
}

/// `m` raised to `|x|` lane by lane (NaN leaves `m`): a cheap running inf test, folded into a
/// pass a kernel makes anyway (`m` is inf iff an inf went by).
#[inline(always)]
fn note_abs(m: &mut Lanes, x: &Lanes) {
    for k in 0..BLOCK {
        let a = x[k].abs();
        m[k] = if a > m[k] { a } else { m[k] };
    }
}

/// The first refused inf among the columns of `x` (column `j0` first), as [`column_inf`] reports it.
fn block_inf(x: ArrayView2<'_, f64>, j0: usize, cols: usize) -> Result<()> {
    for (k, c) in x.axis_iter(Axis(1)).enumerate() {
        if let Some((i, &v)) = c.iter().enumerate().find(|(_, v)| v.is_infinite()) {
            return Err(inf_error(i, j0 + k, cols, v));
        }
    }
    Ok(())
}

/// How a row-wise kernel fails: a sum or product of group `g` overflowed, or another error.
enum Fail {
    Overflow(usize, &'static str),
    /// Group `g` cannot have the statistic, for the reason given.
    Invalid(usize, &'static str),
    Other(Error),
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        Fail::Other(e)
    }
}

/// `Err(Overflow)` naming the first group of `accs` with a non-finite lane.
fn finite(groups: usize, accs: &[&Grouped], what: &'static str) -> std::result::Result<(), Fail> {
    match (0..groups).find(|&g| accs.iter().any(|a| a[g].iter().any(|v| !v.is_finite()))) {
        Some(g) => Err(Fail::Overflow(g, what)),
        None => Ok(()),
    }
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
                        Fail::Overflow(g, what) => match overflow(what) {
                            Error::InvalidInput(m) => (g, m),
                            e => return e,
                        },
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
enum Kernel<'a> {
    Moments { stat: Stat, o: Shared<'a> },
    Factor { stat: Stat, o: Shared<'a>, f: &'a [f64] },
    Stability,
}

/// The row-wise kernel of `stat`, or `None` for the statistics (and per-cell offsets) that go
/// column by column.
fn fast_kernel<'a>(stat: Stat, off: &Offset<'a>, fac: &Offset<'a>) -> Option<Kernel<'a>> {
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

type Outcome = std::result::Result<Grouped, Fail>;

impl Kernel<'_> {
    /// The statistic of every column of `panel`, with AVX2 (and FMA, for [`ln_1p`]) where the CPU
    /// has them: the same bits either way. `seen` is raised to the |value|s of the first pass, so
    /// an inf in the panel leaves an inf there.
    fn run(self, panel: &Panel<'_>, ann: f64, seen: &mut Lanes, control: &Control) -> Outcome {
        #[cfg(target_arch = "x86_64")]
        if vector_units() {
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

/// `stat` of one column `x`; `work` is scratch reused across the columns of a task.
fn column<'a>(
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
    if vector_units() {
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

/// Whether the AVX2 (+FMA) variants can run: FMA for [`ln_1p`]'s explicit fused multiply-adds,
/// which are library calls without it; the kernels fuse nothing else.
fn vector_units() -> bool {
    use crate::backend::cpu_features::{has_avx2, has_fma};
    has_avx2() && has_fma()
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

/// Why a stability cannot be taken: a return of −100% (or less) makes the log path non-finite.
const NOT_FINITE_LOG: &str = "the cumulative log return is not finite (a return of -100% or less)";

/// scipy's `linregress` r², from the co-moments of the line fit.
fn r_squared(sxx: f64, sxy: f64, syy: f64) -> f64 {
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

/// `path` of every column, in the returns' memory order: `(values, c_order)`, the values
/// row-major (`c_order`, for C-ordered returns) or column-major (any other layout).
///
/// Each parallel task computes a panel of columns row by row, as [`per_column`] does, and
/// writes every value of the result once (no fill beforehand).
pub fn paths(returns: ArrayView2<'_, f64>, path: Path, control: &Control) -> Result<(Vec<f64>, bool)> {
    let (rows, cols) = returns.dim();
    crate::ensure!(rows > 0 && cols > 0, "returns must not be empty, got shape ({rows}, {cols})");
    let total = rows.checked_mul(cols).ok_or_else(|| crate::error::too_big::<f64>(u128::MAX, "the result"))?;
    let row_major = returns.as_slice();
    let c_order = row_major.is_some() && cols > 1;
    let mut out: Vec<f64> = try_with_capacity(total, "the result")?;
    let cells = Cells(out.spare_capacity_mut()[..total].as_mut_ptr().cast::<f64>());
    (0..cols.div_ceil(PANEL)).into_par_iter().try_for_each_init(Vec::new, |xs, b| {
        control.check()?;
        let (j0, nb) = (b * PANEL, PANEL.min(cols - b * PANEL));
        let xv = returns.slice(ndarray::s![.., j0..j0 + nb]);
        // the full groups of C-ordered returns are read in place, the other columns gathered
        let full = if row_major.is_some() { nb / BLOCK } else { 0 };
        let lanes = groups_of(gather(xv.slice_move(ndarray::s![.., full * BLOCK..]), xs)?)?;
        let tail = Panel::Cols { lanes: &lanes[..(nb - full * BLOCK).div_ceil(BLOCK)], rows };
        let panels = match row_major {
            Some(data) if full > 0 => {
                [Some((0, Panel::Rows { data, stride: cols, j0, groups: full, rows })), Some((full, tail))]
            }
            _ => [Some((0, tail)), None],
        };
        for &(g0, panel) in panels.iter().flatten() {
            let inf = path_panel(
                &panel,
                path,
                #[inline(always)]
                |g: usize, i: usize, v: Lanes| {
                    let j = j0 + (g0 + g) * BLOCK;
                    for (k, v) in v.into_iter().enumerate().take(j0 + nb - j) {
                        let at = if c_order { i * cols + j + k } else { (j + k) * rows + i };
                        // SAFETY: `at` < rows × cols = `total`, within the capacity `cells` points
                        // to; the panels' columns are disjoint, so no other task writes this cell.
                        unsafe { cells.get().add(at).write(v) };
                    }
                },
                control,
            )?;
            if inf {
                block_inf(xv, j0, cols)?;
            }
        }
        control.check()
    })?;
    // SAFETY: the tasks returned without an error, so each panel wrote every cell of its columns'
    // rows: all `total` cells of the capacity are initialised.
    unsafe { out.set_len(total) };
    Ok((out, c_order))
}

/// The result's memory, written by the tasks of [`paths`] through a raw pointer: each task
/// writes the cells of its own columns only.
#[derive(Clone, Copy)]
struct Cells(*mut f64);

// SAFETY: the tasks that share `Cells` write disjoint cells, and none reads them.
unsafe impl Send for Cells {}
// SAFETY: as for Send.
unsafe impl Sync for Cells {}

impl Cells {
    /// The pointer (a method, so that a closure captures the whole `Cells`, which is Sync).
    fn get(self) -> *mut f64 {
        self.0
    }
}

/// `path` of `panel`, handing row `i` of group `g` of the result to `write(g, i, values)`;
/// `Ok(true)` when an inf went by (the caller finds it).
fn path_panel(
    panel: &Panel<'_>,
    path: Path,
    mut write: impl FnMut(usize, usize, Lanes),
    control: &Control,
) -> Result<bool> {
    let mut seen = [0.0; BLOCK];
    let mut p = [[1.0f64; BLOCK]; GROUPS];
    match path {
        Path::CumReturns { start } => panel.pass(
            control,
            #[inline(always)]
            |g, i, x| {
                note_abs(&mut seen, &x);
                let p = &mut p[g];
                for k in 0..BLOCK {
                    p[k] *= if x[k].is_nan() { 1.0 } else { x[k] + 1.0 };
                }
                write(g, i, p.map(|p| if start == 0.0 { p - 1.0 } else { p * start }));
            },
        )?,
        Path::Drawdown => {
            // empyrical's path: value 100 · Π(1 + r) (NaN as 0), peak including the start at
            // 100, drawdown (value − peak) / peak; `top` the largest |value|, for the overflow test
            let (mut peak, mut top) = ([[100.0f64; BLOCK]; GROUPS], [[0.0; BLOCK]; GROUPS]);
            panel.pass(
                control,
                #[inline(always)]
                |g, i, x| {
                    note_abs(&mut seen, &x);
                    let (p, peak) = (&mut p[g], &mut peak[g]);
                    let mut value = [0.0; BLOCK];
                    let mut d = [0.0; BLOCK];
                    for k in 0..BLOCK {
                        let r = if x[k].is_nan() { 0.0 } else { x[k] };
                        p[k] *= r + 1.0;
                        value[k] = p[k] * 100.0;
                        peak[k] = if value[k] > peak[k] { value[k] } else { peak[k] };
                        d[k] = (value[k] - peak[k]) / peak[k];
                    }
                    note_abs(&mut top[g], &value);
                    write(g, i, d);
                },
            )?;
            p = top;
        }
    }
    if seen.contains(&f64::INFINITY) {
        return Ok(true);
    }
    if p[..panel.groups()].iter().flatten().any(|v| !v.is_finite()) {
        return Err(overflow("the compounded return"));
    }
    Ok(false)
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
    fn narrowed_quantiles_are_the_sorted_ones() {
        let mut state = 7u64;
        for n in [511, 512, 2500, 10_000] {
            let v: Vec<f64> = (0..n)
                .map(|i| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    // ties and signed zeros among noise; sorted and reversed runs
                    match i % 5 {
                        0 => ((state >> 40) % 7) as f64 - 3.0,
                        1 => {
                            if i % 2 == 0 {
                                0.0
                            } else {
                                -0.0
                            }
                        }
                        2 => i as f64,
                        3 => -(i as f64),
                        _ => (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5,
                    }
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            for q in [0.0, 0.01, 0.05, 0.1, 0.3, 0.5, 0.9, 0.95, 0.99, 1.0] {
                let (lo, hi, gamma) = quantile_index(n, q);
                let want = lerp(sorted[lo], sorted[hi], gamma);
                assert_eq!(quantile_select(&mut v.clone(), q).to_bits(), want.to_bits(), "n {n} q {q}");
                let mut w = v.clone();
                let (start, part) = narrow(&mut w, lo, hi);
                let mut got = part.to_vec();
                got.sort_unstable_by(f64::total_cmp);
                assert_eq!(got[..], sorted[start..start + got.len()], "n {n} q {q}");
            }
        }
    }

    #[test]
    fn drawdown_path() {
        let x = array![[0.1], [-0.5], [0.2]];
        let (d, _) = paths(x.view(), Path::Drawdown, &Control::new()).unwrap();
        assert_eq!(d[0], 0.0);
        assert!((d[1] + 0.5).abs() < 1e-15);
        assert!((d[2] - (0.55 * 1.2 - 1.1) / 1.1).abs() < 1e-15);
    }
}
