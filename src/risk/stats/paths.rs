//! The path statistics (cumulative returns, drawdowns): one value per observation, written once
//! in the returns' memory order, panel by panel.

use super::overflow;
use super::panel::{block_inf, gather, groups_of, note_abs, Lanes, Panel, BLOCK, GROUPS, PANEL};
use crate::control::Control;
use crate::error::{try_with_capacity, Result};
use ndarray::ArrayView2;
use rayon::prelude::*;

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
///
/// [`per_column`]: super::per_column
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
    use ndarray::array;

    #[test]
    fn drawdown_path() {
        let x = array![[0.1], [-0.5], [0.2]];
        let (d, _) = paths(x.view(), Path::Drawdown, &Control::new()).unwrap();
        assert_eq!(d[0], 0.0);
        assert!((d[1] + 0.5).abs() < 1e-15);
        assert!((d[2] - (0.55 * 1.2 - 1.1) / 1.1).abs() < 1e-15);
    }
}
