//! LAPACK and BLAS come from OpenBLAS as the `scipy-openblas32` wheel ships it (`build.rs` finds
//! it; the released wheel carries a copy). That build suits a manylinux wheel (glibc 2.27,
//! gfortran linked in, kernels for every x86-64 chosen at run time), but it prefixes its symbols
//! with `scipy_` so that it never clashes with another BLAS in the process. ndarray-linalg
//! (through lapack-sys) and ndarray (through cblas-sys) call the standard names, so this module
//! defines each routine the crate uses under its standard name and forwards it.
//!
//! A new ndarray-linalg call that needs another routine shows up as an undefined reference when
//! the test binaries link (`undefined reference to 'dgesvd_'`): add one line below.
//!
//! Threads: OpenBLAS runs single-threaded, decided here once for the crate. Rayon owns the
//! parallelism: LAPACK calls happen inside rayon workers (one ridge fit per fold, one surrogate
//! per restart) and the products are small, where OpenBLAS's own threads only oversubscribe the
//! cores and spin (seen with NQO's surrogate products). One thread also keeps every summation
//! order fixed, so results do not depend on the machine's core count.

use std::ffi::{c_char, c_double, c_int};
use std::sync::Once;

extern "C" {
    fn scipy_openblas_set_num_threads(num_threads: c_int);
}

/// Sets OpenBLAS to one thread before its first use (every forwarder calls this; after the first
/// call it is one atomic load).
fn single_threaded() {
    static ONCE: Once = Once::new();
    // SAFETY: plain setter of the library's global thread count, called before any other call.
    ONCE.call_once(|| unsafe { scipy_openblas_set_num_threads(1) });
}

/// `forward! { name => target(arg: type, ...) -> ret; ... }` declares `target` from OpenBLAS and
/// defines `name` with the same signature, calling it.
macro_rules! forward {
    ($($name:ident => $target:ident($($arg:ident: $ty:ty),* $(,)?) $(-> $ret:ty)?;)*) => {
        extern "C" {
            $(fn $target($($arg: $ty),*) $(-> $ret)?;)*
        }
        $(
            /// Forwards to OpenBLAS's prefixed symbol of the same routine.
            ///
            /// # Safety
            /// The caller keeps the routine's contract (valid pointers and leading dimensions).
            #[no_mangle]
            pub unsafe extern "C" fn $name($($arg: $ty),*) $(-> $ret)? {
                single_threaded();
                // SAFETY: same signature and contract as the routine forwarded to.
                unsafe { $target($($arg),*) }
            }
        )*
    };
}

// Fortran LAPACK, as lapack-sys 0.15 declares them (no hidden string-length arguments: every
// character argument is one byte).
forward! {
    dgeev_ => scipy_dgeev_(jobvl: *const c_char, jobvr: *const c_char, n: *const c_int, a: *mut f64,
        lda: *const c_int, wr: *mut f64, wi: *mut f64, vl: *mut f64, ldvl: *const c_int, vr: *mut f64,
        ldvr: *const c_int, work: *mut f64, lwork: *const c_int, info: *mut c_int);
    dpotrf_ => scipy_dpotrf_(uplo: *const c_char, n: *const c_int, a: *mut f64, lda: *const c_int,
        info: *mut c_int);
    dpotrs_ => scipy_dpotrs_(uplo: *const c_char, n: *const c_int, nrhs: *const c_int, a: *const f64,
        lda: *const c_int, b: *mut f64, ldb: *const c_int, info: *mut c_int);
    dsyev_ => scipy_dsyev_(jobz: *const c_char, uplo: *const c_char, n: *const c_int, a: *mut f64,
        lda: *const c_int, w: *mut f64, work: *mut f64, lwork: *const c_int, info: *mut c_int);
    dsytrf_ => scipy_dsytrf_(uplo: *const c_char, n: *const c_int, a: *mut f64, lda: *const c_int,
        ipiv: *mut c_int, work: *mut f64, lwork: *const c_int, info: *mut c_int);
    dsytrs_ => scipy_dsytrs_(uplo: *const c_char, n: *const c_int, nrhs: *const c_int, a: *const f64,
        lda: *const c_int, ipiv: *const c_int, b: *mut f64, ldb: *const c_int, info: *mut c_int);
    dtrtrs_ => scipy_dtrtrs_(uplo: *const c_char, trans: *const c_char, diag: *const c_char,
        n: *const c_int, nrhs: *const c_int, a: *const f64, lda: *const c_int, b: *mut f64,
        ldb: *const c_int, info: *mut c_int);
}

// CBLAS, as cblas-sys 0.1 declares them (its layout and transpose enums are `repr(C)`: C ints).
forward! {
    cblas_ddot => scipy_cblas_ddot(n: c_int, x: *const c_double, incx: c_int, y: *const c_double,
        incy: c_int) -> c_double;
    cblas_dgemv => scipy_cblas_dgemv(layout: c_int, trans: c_int, m: c_int, n: c_int, alpha: c_double,
        a: *const c_double, lda: c_int, x: *const c_double, incx: c_int, beta: c_double,
        y: *mut c_double, incy: c_int);
    cblas_dgemm => scipy_cblas_dgemm(layout: c_int, transa: c_int, transb: c_int, m: c_int, n: c_int,
        k: c_int, alpha: c_double, a: *const c_double, lda: c_int, b: *const c_double, ldb: c_int,
        beta: c_double, c: *mut c_double, ldc: c_int);
    // tract (ONNX inference) multiplies f32 ndarrays in a few of its operators.
    cblas_sgemm => scipy_cblas_sgemm(layout: c_int, transa: c_int, transb: c_int, m: c_int, n: c_int,
        k: c_int, alpha: f32, a: *const f32, lda: c_int, b: *const f32, ldb: c_int,
        beta: f32, c: *mut f32, ldc: c_int);
    cblas_dsyrk => scipy_cblas_dsyrk(layout: c_int, uplo: c_int, trans: c_int, n: c_int, k: c_int,
        alpha: c_double, a: *const c_double, lda: c_int, beta: c_double, c: *mut c_double, ldc: c_int);
    cblas_dtrsm => scipy_cblas_dtrsm(layout: c_int, side: c_int, uplo: c_int, transa: c_int, diag: c_int,
        m: c_int, n: c_int, alpha: c_double, a: *const c_double, lda: c_int, b: *mut c_double, ldb: c_int);
}

/// CBLAS enum values (cblas.h), for the crate's own calls of the forwarders above.
pub mod cblas {
    use std::ffi::c_int;
    pub const COL_MAJOR: c_int = 102;
    pub const NO_TRANS: c_int = 111;
    pub const TRANS: c_int = 112;
    pub const LOWER: c_int = 122;
    pub const NON_UNIT: c_int = 131;
    pub const LEFT: c_int = 141;
    pub const RIGHT: c_int = 142;
}

#[cfg(test)]
mod tests {
    use ndarray::{array, Array1, Array2};
    use ndarray_linalg::{Eigh, FactorizeC, SolveC, SolveH, UPLO};

    extern "C" {
        fn scipy_openblas_get_num_threads() -> std::ffi::c_int;
    }

    /// Every forwarder reaches OpenBLAS with its arguments intact: known answers through
    /// ndarray-linalg (Cholesky, symmetric-indefinite solve, symmetric eigenvalues) and ndarray's
    /// BLAS products, after which OpenBLAS runs on one thread.
    #[test]
    fn forwarded_routines_give_known_answers() {
        let a = array![[4.0, 2.0, 0.6], [2.0, 5.0, 1.0], [0.6, 1.0, 3.0]];
        let x = array![1.0, -2.0, 0.5];
        let b = a.dot(&x); // cblas_dgemv
        let close = |y: Array1<f64>| (y - &x).iter().all(|e: &f64| e.abs() < 1e-12);
        assert!(close(a.factorizec(UPLO::Lower).unwrap().solvec(&b).unwrap()));
        assert!(close(a.solveh(&b).unwrap()));
        let (w, _): (Array1<f64>, _) = array![[2.0, 1.0], [1.0, 2.0]].eigh(UPLO::Upper).unwrap();
        assert!((w[0] - 1.0).abs() < 1e-12 && (w[1] - 3.0).abs() < 1e-12);
        let big = Array2::from_shape_fn((64, 64), |(i, j)| ((i * 7 + j) % 5) as f64);
        let product = big.dot(&big); // cblas_dgemm
        let expected: f64 = (0..64).map(|k| big[[3, k]] * big[[k, 9]]).sum();
        assert_eq!(product[[3, 9]], expected);
        assert_eq!(x.dot(&x), 5.25); // cblas_ddot
                                     // SAFETY: a plain getter.
        assert_eq!(unsafe { scipy_openblas_get_num_threads() }, 1);
    }
}
