//! The row-wise kernels' machinery: panels of columns in groups of [`BLOCK`] lanes, read in place
//! from C-ordered returns or gathered into contiguous columns, row by row with looks at the
//! control; the running inf test and the kernels' failures.

use super::inf_error;
use crate::control::Control;
use crate::error::{Error, Result};
use ndarray::{ArrayView2, Axis, ShapeBuilder};

/// Lanes of the row-wise kernels: a group of columns whose values of one row are computed side
/// by side (independent chains, vectorised across the lanes).
pub(super) const BLOCK: usize = 8;

/// Groups per parallel task of the row-wise kernels. A C-ordered panel's row is PANEL contiguous
/// values read in place in one stream, as `np.sum(x, axis=0)` reads; one group alone would jump
/// a whole row of the input at every read of 8 values.
pub(super) const GROUPS: usize = 8;

/// Columns per parallel task.
pub(super) const PANEL: usize = GROUPS * BLOCK;

/// One value per lane of a group.
pub(super) type Lanes = [f64; BLOCK];

/// One [`Lanes`] per group of a panel.
pub(super) type Grouped = [Lanes; GROUPS];

/// Rows between two looks at the control in the row-wise kernels (about 2^18 values).
const ROWS_PER_CHECK: usize = 1 << 12;

/// The columns `j0..j0 + nb` of `a`, column-major in `buf` (no copy when they are contiguous).
pub(super) fn gather<'a: 'b, 'b>(a: ArrayView2<'a, f64>, buf: &'b mut Vec<f64>) -> Result<ArrayView2<'b, f64>> {
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
pub(super) fn groups_of<'b>(x: ArrayView2<'b, f64>) -> Result<[[&'b [f64]; BLOCK]; GROUPS]> {
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
pub(super) enum Panel<'a> {
    /// Row `i` of group `g` is `data[i * stride + j0 + BLOCK * g..][..BLOCK]`.
    Rows { data: &'a [f64], stride: usize, j0: usize, groups: usize, rows: usize },
    /// One group of contiguous column slices per entry.
    Cols { lanes: &'a [[&'a [f64]; BLOCK]], rows: usize },
}

impl Panel<'_> {
    /// Runs `f(g, i, row i of group g)` for every row and group, in the memory's order, looking
    /// at the control every [`ROWS_PER_CHECK`] rows.
    #[inline(always)]
    pub(super) fn pass(&self, control: &Control, mut f: impl FnMut(usize, usize, Lanes)) -> Result<()> {
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

    pub(super) fn groups(&self) -> usize {
        match *self {
            Panel::Rows { groups, .. } => groups,
            Panel::Cols { lanes, .. } => lanes.len(),
        }
    }

    pub(super) fn rows(&self) -> usize {
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
pub(super) fn each_row(rows: usize, control: &Control, mut f: impl FnMut(usize)) -> Result<()> {
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
pub(super) fn note_abs(m: &mut Lanes, x: &Lanes) {
    for k in 0..BLOCK {
        let a = x[k].abs();
        m[k] = if a > m[k] { a } else { m[k] };
    }
}

/// The first refused inf among the columns of `x` (column `j0` first), as [`column_inf`] reports it.
///
/// [`column_inf`]: super::column_inf
pub(super) fn block_inf(x: ArrayView2<'_, f64>, j0: usize, cols: usize) -> Result<()> {
    for (k, c) in x.axis_iter(Axis(1)).enumerate() {
        if let Some((i, &v)) = c.iter().enumerate().find(|(_, v)| v.is_infinite()) {
            return Err(inf_error(i, j0 + k, cols, v));
        }
    }
    Ok(())
}

/// How a row-wise kernel fails: a sum or product of group `g` overflowed, or another error.
pub(super) enum Fail {
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
pub(super) fn finite(groups: usize, accs: &[&Grouped], what: &'static str) -> std::result::Result<(), Fail> {
    match (0..groups).find(|&g| accs.iter().any(|a| a[g].iter().any(|v| !v.is_finite()))) {
        Some(g) => Err(Fail::Overflow(g, what)),
        None => Ok(()),
    }
}
