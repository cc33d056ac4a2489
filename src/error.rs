//! The crate's one error type, and (with the `python` feature) its one mapping to the Python
//! exception hierarchy defined in `python/quantumpanarchy/exceptions.py`.

/// Every failure the domain code reports. Expected failures are values of this type; a panic is a
/// bug and is reported to Python as `InternalError`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Bad arguments: NaN/inf, wrong shape, out-of-range values, asymmetric couplings, ...
    #[error("{0}")]
    InvalidInput(String),
    /// An argument of a type that cannot be used (a value that must be callable, ...).
    #[error("{0}")]
    InvalidType(String),
    /// A backend was asked for that this build or this machine cannot provide.
    #[error("{0}")]
    BackendUnavailable(String),
    /// The problem would not fit in memory (or exceeds a documented size limit).
    #[error("{0}")]
    ResourceLimit(String),
    /// The caller cancelled the run (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
    /// A circuit breaker refused a call (open, or half-open with its trial call running), or
    /// opened on the call's failure.
    #[error("{0}")]
    CircuitOpen(String),
    /// A broken invariant inside the library: always a bug.
    #[error("internal error (a bug in quantumpanarchy, please report it): {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `invalid!("x must be > 0, got {x}")` builds an [`Error::InvalidInput`].
#[macro_export]
macro_rules! invalid {
    ($($arg:tt)*) => { $crate::error::Error::InvalidInput(format!($($arg)*)) };
}

/// Returns `Err(InvalidInput)` with the message unless `cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($arg:tt)*) => {
        match $cond {
            true => {}
            false => return Err($crate::invalid!($($arg)*)),
        }
    };
}

/// `name[i,j]`: the element at row-major position `flat` of an array of `shape`, indexed as numpy
/// indexes it (so messages point at what the caller wrote, never at a flat offset).
pub fn element(name: &str, shape: &[usize], flat: usize) -> String {
    let mut index = vec![0usize; shape.len().max(1)];
    let mut rest = flat;
    for (slot, &len) in index.iter_mut().zip(shape).rev() {
        *slot = rest % len.max(1);
        rest /= len.max(1);
    }
    let index: Vec<String> = index.iter().map(usize::to_string).collect();
    format!("{name}[{}]", index.join(","))
}

/// The error for a non-finite value `v` at `element` (from [`element`]): `J must be finite: J[3,7] is
/// nan`, written as scikit-learn's messages write it (`NaN`, `inf`, `-inf`), which its checks look for.
pub fn not_finite(name: &str, element: &str, v: f64) -> Error {
    let v = if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "inf"
    } else {
        "-inf"
    };
    Error::InvalidInput(format!("{name} must be finite: {element} is {v}"))
}

/// `Err(InvalidInput)` naming the first non-finite value of the row-major array `values` of `shape`
/// by its index (`name[i,j] is NaN`).
pub fn check_finite_shaped<'a>(values: impl IntoIterator<Item = &'a f64>, shape: &[usize], name: &str) -> Result<()> {
    match values.into_iter().enumerate().find(|(_, v)| !v.is_finite()) {
        Some((k, &v)) => Err(not_finite(name, &element(name, shape, k), v)),
        None => Ok(()),
    }
}

/// [`check_finite_shaped`] for a 1-D array (`h[2] is inf`).
pub fn check_finite(values: &[f64], name: &str) -> Result<()> {
    check_finite_shaped(values, &[values.len()], name)
}

/// [`check_finite_shaped`] for a row-major matrix of `cols` columns (`J[3,7] is NaN`).
pub fn check_finite_matrix(values: &[f64], cols: usize, name: &str) -> Result<()> {
    check_finite_shaped(values, &[values.len() / cols.max(1), cols], name)
}

/// `Err(InvalidInput)` unless the row-major n×n `m` is symmetric within `rtol` of its largest
/// entry.
pub fn check_symmetric(m: &[f64], n: usize, rtol: f64, what: &str) -> Result<()> {
    let scale = m.iter().fold(0.0f64, |a, v| a.max(v.abs()));
    for i in 0..n {
        for j in 0..i {
            let (a, b) = (m[i * n + j], m[j * n + i]);
            if (a - b).abs() > rtol * scale {
                return Err(Error::InvalidInput(format!(
                    "{what} must be symmetric: [{i},{j}] = {a} but [{j},{i}] = {b}"
                )));
            }
        }
    }
    Ok(())
}

/// `Err(ResourceLimit)` unless `count` values of `T` can be allocated. Called before allocating
/// any size a caller chose, so an impossible request raises instead of aborting the process.
/// Prefer [`try_vec`] / [`try_with_capacity`], which allocate and so cannot race; this probe is
/// for buffers a library (ndarray, LAPACK workspaces) allocates for us.
pub fn check_alloc<T>(count: u128, what: &str) -> Result<()> {
    let fits =
        usize::try_from(count).ok().filter(|_| count.saturating_mul(size_of::<T>() as u128) <= isize::MAX as u128);
    match fits.map(|c| Vec::<T>::new().try_reserve_exact(c)) {
        Some(Ok(())) => Ok(()),
        _ => Err(too_big::<T>(count, what)),
    }
}

/// The `ResourceLimit` error for `count` values of `T` that could not be allocated.
pub fn too_big<T>(count: u128, what: &str) -> Error {
    let bytes = count.saturating_mul(size_of::<T>() as u128);
    Error::ResourceLimit(format!(
        "{what} needs {:.1} GiB of memory, more than can be allocated here",
        bytes as f64 / (1u64 << 30) as f64
    ))
}

/// An empty vector with room for `len` values, or `Err(ResourceLimit)` naming `what`: the
/// fallible `Vec::with_capacity` every caller-sized buffer is made with (Rust's infallible
/// allocation aborts the interpreter when memory runs out).
pub fn try_with_capacity<T>(len: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| too_big::<T>(len as u128, what))?;
    Ok(v)
}

/// `vec![value; len]`, or `Err(ResourceLimit)` naming `what` (see [`try_with_capacity`]).
pub fn try_vec<T: Clone>(len: usize, value: T, what: &str) -> Result<Vec<T>> {
    let mut v = try_with_capacity(len, what)?;
    v.resize(len, value);
    Ok(v)
}

/// Numbers whose all-zero bit pattern is the value zero.
pub trait Zeroed: Copy {}
impl Zeroed for f64 {}
impl Zeroed for f32 {}
impl Zeroed for i32 {}
impl Zeroed for i64 {}
impl Zeroed for u8 {}

/// `vec![0; len]` from zeroed memory (`calloc`): a large one comes as fresh pages the system
/// zeroes on first touch, so an output that is then written in full is not written twice. Or
/// `Err(ResourceLimit)` naming `what`.
pub fn try_zeroed<T: Zeroed>(len: usize, what: &str) -> Result<Vec<T>> {
    let layout = std::alloc::Layout::array::<T>(len).map_err(|_| too_big::<T>(len as u128, what))?;
    if layout.size() == 0 {
        return Ok(Vec::new());
    }
    // SAFETY: the layout has a non-zero size.
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<T>();
    if ptr.is_null() {
        return Err(too_big::<T>(len as u128, what));
    }
    #[cfg(target_os = "linux")]
    advise_huge_pages(ptr.cast(), layout.size());
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `len` values of `T`
    // (what a `Vec<T>` of capacity `len` holds), and all-zero bits are a valid `T` (`Zeroed`).
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

/// [`advise_huge_pages`] for memory that `malloc` gave (uninitialised, as numpy's allocator
/// does): only where it is so large that glibc mapped fresh pages for it (past its largest
/// mmap threshold, 32 MiB). Smaller blocks come from the heap, already mapped, where the advice
/// would only split the heap's mapping.
pub fn advise_fresh<T>(values: &mut [T]) {
    const FRESH: usize = 32 << 20;
    #[cfg(target_os = "linux")]
    if size_of_val(values) >= FRESH {
        advise_huge_pages(values.as_mut_ptr().cast(), size_of_val(values));
    }
}

/// Asks Linux to back the 2 MiB-aligned part of `len` bytes at `ptr` (fresh, untouched) with
/// huge pages: a large output is then faulted in 2 MiB at a time rather than 4 KiB (for the
/// candlestick table of a million bars, page faults were a third of its time). Only advice: the
/// contents do not change, and a refusal changes nothing.
#[cfg(target_os = "linux")]
fn advise_huge_pages(ptr: *mut u8, len: usize) {
    use std::ffi::{c_int, c_void};
    extern "C" {
        fn madvise(addr: *mut c_void, len: usize, advice: c_int) -> c_int;
    }
    const MADV_HUGEPAGE: c_int = 14;
    const HUGE: usize = 2 << 20;
    let start = (ptr as usize).next_multiple_of(HUGE);
    let end = (ptr as usize + len) / HUGE * HUGE;
    if end > start {
        // SAFETY: `start..end` lies inside the caller's allocation and is page-aligned;
        // MADV_HUGEPAGE changes how the kernel backs those pages, never what they hold.
        unsafe { madvise(start as *mut c_void, end - start, MADV_HUGEPAGE) };
    }
}

/// `iter` collected into a vector of its exact length, allocated fallibly (see [`try_with_capacity`]).
pub fn try_collect<T>(iter: impl ExactSizeIterator<Item = T>, what: &str) -> Result<Vec<T>> {
    let mut v = try_with_capacity(iter.len(), what)?;
    v.extend(iter);
    Ok(v)
}

#[cfg(feature = "python")]
mod python_mapping {
    use super::Error;
    use pyo3::exceptions::PyKeyboardInterrupt;
    use pyo3::PyErr;

    pyo3::import_exception!(quantumpanarchy.exceptions, InvalidInputError);
    pyo3::import_exception!(quantumpanarchy.exceptions, InvalidTypeError);
    pyo3::import_exception!(quantumpanarchy.exceptions, CircuitOpenError);
    pyo3::import_exception!(quantumpanarchy.exceptions, BackendUnavailableError);
    pyo3::import_exception!(quantumpanarchy.exceptions, ResourceLimitError);
    pyo3::import_exception!(quantumpanarchy.exceptions, InternalError);

    impl From<Error> for PyErr {
        fn from(err: Error) -> PyErr {
            let msg = err.to_string();
            match err {
                Error::InvalidInput(_) => InvalidInputError::new_err(msg),
                Error::InvalidType(_) => InvalidTypeError::new_err(msg),
                Error::BackendUnavailable(_) => BackendUnavailableError::new_err(msg),
                Error::ResourceLimit(_) => ResourceLimitError::new_err(msg),
                Error::Interrupted => PyKeyboardInterrupt::new_err(msg),
                Error::CircuitOpen(_) => CircuitOpenError::new_err(msg),
                Error::Internal(_) => InternalError::new_err(msg),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_values_are_named_by_their_index() {
        let m = [0.0, 1.0, 2.0, 3.0, f64::NAN, 5.0];
        assert_eq!(check_finite_matrix(&m, 3, "J").unwrap_err().to_string(), "J must be finite: J[1,1] is NaN");
        let v = [0.0, 1.0, f64::INFINITY];
        assert_eq!(check_finite(&v, "h").unwrap_err().to_string(), "h must be finite: h[2] is inf");
        let t = [0.0, 0.0, 0.0, f64::NEG_INFINITY];
        let e = check_finite_shaped(&t, &[2, 1, 2], "X").unwrap_err().to_string();
        assert_eq!(e, "X must be finite: X[1,0,1] is -inf");
        assert!(check_finite_matrix(&[1.0, 2.0], 2, "Q").is_ok());
        assert_eq!(element("x", &[], 0), "x[0]");
    }

    #[test]
    fn impossible_allocations_are_errors() {
        let huge = usize::MAX / 2;
        assert!(matches!(try_vec(huge, 0.0f64, "x"), Err(Error::ResourceLimit(m)) if m.starts_with("x needs")));
        assert!(matches!(try_with_capacity::<u8>(isize::MAX as usize, "y"), Err(Error::ResourceLimit(_))));
        assert!(matches!(check_alloc::<f64>(u128::MAX, "z"), Err(Error::ResourceLimit(_))));
        assert_eq!(try_vec(3, 7u8, "x"), Ok(vec![7, 7, 7]));
        assert_eq!(try_collect([1, 2].into_iter(), "x"), Ok(vec![1, 2]));
    }
}
