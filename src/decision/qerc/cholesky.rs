//! Blocked Cholesky factorisation and triangular solves for the ridge readout, interruptible.
//!
//! One LAPACK `dpotrf` of a p×p matrix is ~p³/3 multiply-adds in a single call: seconds from
//! p ≈ 3000 readout features, during which Ctrl-C cannot be seen. Here the same factorisation
//! (right-looking, by diagonal blocks of [`NB`]) runs as BLAS/LAPACK calls of at most
//! [`CALL_WORK`] multiply-adds each (tens of milliseconds on one core), with `control.check()`
//! between them. The trailing update's column blocks run in parallel; each block is always
//! computed by the same calls, so the result does not depend on the thread count.
//!
//! Matrices are column-major (ndarray's Fortran layout), as BLAS reads them; only the lower
//! triangle is used.

use crate::control::Control;
use crate::error::{Error, Result};
use crate::lapack::cblas::{COL_MAJOR, LEFT, LOWER, NON_UNIT, NO_TRANS, RIGHT, TRANS};
use crate::lapack::{cblas_dgemm, cblas_dsyrk, cblas_dtrsm, dpotrf_};
use ndarray::Array2;
use rayon::prelude::*;
use std::ffi::{c_char, c_int};

/// Order of the diagonal blocks.
const NB: usize = 256;
/// Multiply-adds of one BLAS call at most (about 5–30 ms on one core).
pub const CALL_WORK: usize = 1 << 26;

/// Rows per call when each row costs `row_work` multiply-adds.
fn rows_per_call(row_work: usize) -> usize {
    (CALL_WORK / row_work.max(1)).max(1)
}

/// The order n of a square column-major matrix, as BLAS's 32-bit integer.
fn order(a: &Array2<f64>) -> Result<c_int> {
    let n = a.nrows();
    if a.ncols() != n || !(n <= 1 || a.t().is_standard_layout()) {
        return Err(Error::Internal(format!("Cholesky of a {:?} matrix that is not square column-major", a.dim())));
    }
    c_int::try_from(n).map_err(|_| crate::invalid!("a ridge readout of {n} features is too large for LAPACK"))
}

/// The buffer of the matrix being factorised, shared by the tasks of one trailing update: they
/// write disjoint column blocks and read only the panel, which none of them writes.
#[derive(Clone, Copy)]
struct Shared(*mut f64);
// SAFETY: see above; the buffer outlives the parallel loop that uses it.
unsafe impl Send for Shared {}
// SAFETY: as for Send.
unsafe impl Sync for Shared {}

impl Shared {
    /// Entry (i, j) of the column-major matrix with leading dimension `ld`.
    fn at(self, i: usize, j: usize, ld: usize) -> *mut f64 {
        self.0.wrapping_add(i + j * ld)
    }
}

/// Overwrites the symmetric positive definite column-major `a` with its Cholesky factor L
/// (A = L·Lᵀ, the strict upper triangle zeroed); `Ok(false)` when A is not numerically positive
/// definite (then `a` holds a partial factorisation).
pub fn factorize(a: &mut Array2<f64>, control: &Control) -> Result<bool> {
    let ld = order(a)?;
    let n = a.nrows();
    let m = Shared(a.as_mut_ptr());
    for k in (0..n).step_by(NB) {
        control.check()?;
        let kb = NB.min(n - k);
        let mut info: c_int = 0;
        // SAFETY: the kb×kb diagonal block at (k, k) lies inside `a`, leading dimension n.
        unsafe { dpotrf_(&(b'L' as c_char), &(kb as c_int), m.at(k, k, n), &ld, &mut info) };
        if info > 0 {
            return Ok(false);
        }
        if info < 0 {
            return Err(Error::Internal(format!("dpotrf: argument {} was invalid", -info)));
        }
        let below = k + kb;
        // the panel under the block: A21 ← A21·L11⁻ᵀ
        let step = rows_per_call(kb * kb);
        for r in (below..n).step_by(step) {
            control.check()?;
            let rows = step.min(n - r);
            // SAFETY: rows×kb at (r, k) and kb×kb at (k, k), inside `a`.
            unsafe {
                cblas_dtrsm(
                    COL_MAJOR,
                    RIGHT,
                    LOWER,
                    TRANS,
                    NON_UNIT,
                    rows as c_int,
                    kb as c_int,
                    1.0,
                    m.at(k, k, n),
                    ld,
                    m.at(r, k, n),
                    ld,
                )
            };
        }
        // the trailing matrix: A22 ← A22 − A21·A21ᵀ, by column blocks
        let blocks: Vec<usize> = (below..n).step_by(NB).collect();
        crate::parallel::install(|| blocks.par_iter().try_for_each(|&c| update_columns(m, n, k, kb, c, control)))??;
    }
    for j in 1..n {
        a.column_mut(j).iter_mut().take(j).for_each(|v| *v = 0.0);
    }
    Ok(true)
}

/// Columns c..c+NB of the trailing update after the panel of columns k..k+kb:
/// A[c.., c..c+NB] −= A[c.., k..k+kb]·A[c..c+NB, k..k+kb]ᵀ (lower triangle only).
fn update_columns(m: Shared, n: usize, k: usize, kb: usize, c: usize, control: &Control) -> Result<()> {
    control.check()?;
    let (cb, ld) = (NB.min(n - c), n as c_int);
    // SAFETY: every block named lies inside the n×n matrix; this task alone writes columns
    // c..c+cb, and columns k..k+kb are only read.
    unsafe {
        cblas_dsyrk(
            COL_MAJOR,
            LOWER,
            NO_TRANS,
            cb as c_int,
            kb as c_int,
            -1.0,
            m.at(c, k, n),
            ld,
            1.0,
            m.at(c, c, n),
            ld,
        )
    };
    let step = rows_per_call(cb * kb);
    for r in (c + cb..n).step_by(step) {
        control.check()?;
        let rows = step.min(n - r);
        // SAFETY: as for the dsyrk above.
        unsafe {
            cblas_dgemm(
                COL_MAJOR,
                NO_TRANS,
                TRANS,
                rows as c_int,
                cb as c_int,
                kb as c_int,
                -1.0,
                m.at(r, k, n),
                ld,
                m.at(c, k, n),
                ld,
                1.0,
                m.at(r, c, n),
                ld,
            )
        };
    }
    Ok(())
}

/// Solves L·X = B, or Lᵀ·X = B when `transposed`, in place of the column-major n×r `b`, for the
/// lower factor `l` of [`factorize`]; columns are solved in parallel groups.
pub fn solve(l: &Array2<f64>, b: &mut Array2<f64>, transposed: bool, control: &Control) -> Result<()> {
    order(l)?;
    let n = l.nrows();
    if b.nrows() != n || !(b.ncols() <= 1 || b.t().is_standard_layout()) {
        return Err(Error::Internal(format!("triangular solve of a {:?} right-hand side for order {n}", b.dim())));
    }
    if n == 0 {
        return Ok(());
    }
    let width = rows_per_call(n * NB); // columns per group
    let data = b.as_slice_memory_order_mut().ok_or_else(|| Error::Internal("right-hand side not contiguous".into()))?;
    crate::parallel::install(|| {
        data.par_chunks_mut(n * width).try_for_each(|cols| solve_columns(l, cols, transposed, control))
    })?
}

/// [`solve`] for the contiguous columns `cols` (n rows each), by diagonal blocks.
fn solve_columns(l: &Array2<f64>, cols: &mut [f64], transposed: bool, control: &Control) -> Result<()> {
    let n = l.nrows();
    let (r, ld) = ((cols.len() / n) as c_int, n as c_int);
    let (lp, bp) = (l.as_ptr(), cols.as_mut_ptr());
    let at = |i: usize, j: usize| lp.wrapping_add(i + j * n);
    let starts: Vec<usize> = (0..n).step_by(NB).collect();
    // forward substitution from the first block, back substitution from the last
    let blocks: Box<dyn Iterator<Item = &usize>> =
        if transposed { Box::new(starts.iter().rev()) } else { Box::new(starts.iter()) };
    for &k in blocks {
        control.check()?;
        let kb = NB.min(n - k);
        let (trans, xk) = (if transposed { TRANS } else { NO_TRANS }, bp.wrapping_add(k));
        // SAFETY: blocks of `l` (n×n) and of `cols` (n×r), both leading dimension n (so for the
        // calls below).
        unsafe { cblas_dtrsm(COL_MAJOR, LEFT, LOWER, trans, NON_UNIT, kb as c_int, r, 1.0, at(k, k), ld, xk, ld) };
        if !transposed && k + kb < n {
            // B[k+kb..] −= L[k+kb.., k..k+kb]·X[k..k+kb]
            let rest = (n - k - kb) as c_int;
            // SAFETY: as above.
            unsafe {
                cblas_dgemm(
                    COL_MAJOR,
                    NO_TRANS,
                    NO_TRANS,
                    rest,
                    r,
                    kb as c_int,
                    -1.0,
                    at(k + kb, k),
                    ld,
                    xk,
                    ld,
                    1.0,
                    bp.wrapping_add(k + kb),
                    ld,
                )
            };
        } else if transposed && k > 0 {
            // B[..k] −= L[k..k+kb, ..k]ᵀ·X[k..k+kb]
            // SAFETY: as above.
            unsafe {
                cblas_dgemm(
                    COL_MAJOR,
                    TRANS,
                    NO_TRANS,
                    k as c_int,
                    r,
                    kb as c_int,
                    -1.0,
                    at(k, 0),
                    ld,
                    xk,
                    ld,
                    1.0,
                    bp,
                    ld,
                )
            };
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Stream;
    use ndarray::ShapeBuilder;
    use ndarray_linalg::{FactorizeC, UPLO};

    /// A random symmetric positive definite n×n matrix, column-major.
    fn spd(n: usize, seed: u64) -> Array2<f64> {
        let mut s = Stream::new(seed, 0);
        let g = Array2::from_shape_fn((n, n + 3), |_| s.next_f64() - 0.5);
        let mut a = Array2::zeros((n, n).f());
        a.assign(&(g.dot(&g.t()) + 0.1 * Array2::<f64>::eye(n)));
        a
    }

    #[test]
    fn blocked_cholesky_matches_lapack() {
        for (n, seed) in [(1, 1), (5, 2), (255, 3), (256, 4), (300, 5), (600, 6)] {
            let a = spd(n, seed);
            let lapack = a.factorizec(UPLO::Lower).unwrap().factor;
            let mut l = a.clone();
            assert!(factorize(&mut l, &Control::new()).unwrap());
            let scale = lapack.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let diff = (&l - &lapack).iter().fold(0.0f64, |m, v| m.max(v.abs()));
            assert!(diff <= 1e-12 * scale, "n={n}: {diff}");
            assert!((0..n).all(|j| (0..j).all(|i| l[[i, j]] == 0.0)));
            // L·Lᵀ·X = B solved by the two triangular solves
            let mut s = Stream::new(seed, 1);
            let x = Array2::from_shape_fn((n, 3), |_| s.next_f64());
            let mut b = Array2::zeros((n, 3).f());
            b.assign(&a.dot(&x));
            solve(&l, &mut b, false, &Control::new()).unwrap();
            solve(&l, &mut b, true, &Control::new()).unwrap();
            assert!((&b - &x).iter().all(|d| d.abs() < 1e-8), "n={n}");
        }
    }

    #[test]
    fn indefinite_matrices_and_cancellation_are_reported() {
        let mut a = spd(400, 7);
        a[[350, 350]] = -1.0; // fails in the second diagonal block
        assert!(!factorize(&mut a, &Control::new()).unwrap());
        let control = Control::new();
        control.cancel();
        assert!(matches!(factorize(&mut spd(300, 8), &control), Err(Error::Interrupted)));
        let mut b = Array2::zeros((300, 1).f());
        assert!(matches!(solve(&spd(300, 9), &mut b, false, &control), Err(Error::Interrupted)));
    }
}
