//! Output arrays that numpy allocates and native code fills, as `np.empty` and a C library
//! filling it would: a large output is not written twice (zeros first, then the values), which
//! for a short indicator costs as much as computing it.

use crate::error::too_big;
use numpy::ndarray::{Dimension, IntoDimension};
use numpy::npyffi::{self, npy_intp, PY_ARRAY_API};
use numpy::{Element, PyArray, PyArrayDescrMethods, PyArrayMethods};
use pyo3::exceptions::{PyMemoryError, PyValueError};
use pyo3::prelude::*;
use std::ffi::c_int;
use std::ptr::null_mut;

/// A new numpy array of `dims` (column-major if `fortran`) whose elements `fill` writes: it gets
/// them as one slice in the array's memory order and must write every one before reading any
/// (each native filler's tests run it over a sentinel-filled buffer and look for the sentinel).
/// Numpy's allocator gives the memory uninitialised, as for `np.empty`. A size numpy cannot
/// allocate is a `ResourceLimitError` naming `what`. A very large array gets huge pages
/// ([`crate::error::advise_fresh`]).
pub fn filled<'py, T: Element, D: Dimension>(
    py: Python<'py>,
    dims: impl IntoDimension<Dim = D>,
    fortran: bool,
    what: &str,
    fill: impl FnOnce(&mut [T]) -> PyResult<()>,
) -> PyResult<Bound<'py, PyArray<T, D>>> {
    let array = unfilled(py, dims, fortran, what)?;
    // SAFETY: the array is contiguous and new, so nothing else can see or alias its memory
    // while `fill` writes it; `fill` writes every element before reading it (see above).
    let values = unsafe { array.as_slice_mut() }.map_err(|e| crate::error::Error::Internal(e.to_string()))?;
    crate::error::advise_fresh(values);
    fill(values)?;
    Ok(array)
}

/// `count` new 1-D numpy arrays of `len` values each, which `fill` writes as [`filled`]'s does:
/// separate arrays, as TA-Lib gives its outputs. One block for all would stay whole while any
/// output is kept, and glibc maps a large block afresh more often: numpy alone took 0.37 ms a
/// call to allocate and write MACD's million-bar outputs as one block of 24 MB, 0.22 ms as
/// three (measured), against 1.9 ms for MACD itself.
pub fn filled_rows<'py>(
    py: Python<'py>,
    count: usize,
    len: usize,
    what: &str,
    fill: impl FnOnce(&mut [&mut [f64]]) -> PyResult<()>,
) -> PyResult<Vec<Bound<'py, PyArray<f64, numpy::Ix1>>>> {
    let arrays = (0..count).map(|_| unfilled(py, len, false, what)).collect::<PyResult<Vec<_>>>()?;
    // SAFETY: as in `filled`, for each of the new arrays (distinct allocations).
    let mut rows = arrays
        .iter()
        .map(|a| unsafe { a.as_slice_mut() }.map_err(|e| crate::error::Error::Internal(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    for row in rows.iter_mut() {
        crate::error::advise_fresh(row);
    }
    fill(&mut rows)?;
    Ok(arrays)
}

/// A new numpy array of `dims`, its memory uninitialised: to be filled before Python sees it.
fn unfilled<'py, T: Element, D: Dimension>(
    py: Python<'py>,
    dims: impl IntoDimension<Dim = D>,
    fortran: bool,
    what: &str,
) -> PyResult<Bound<'py, PyArray<T, D>>> {
    let dims = dims.into_dimension();
    let count = dims.slice().iter().fold(1u128, |n, &d| n.saturating_mul(d as u128));
    let mut shape = dims.slice().iter().map(|&d| npy_intp::try_from(d)).collect::<Result<Vec<_>, _>>();
    let Ok(shape) = shape.as_mut() else {
        return Err(too_big::<T>(count, what).into());
    };
    // SAFETY: the arguments are those `np.empty` passes: numpy's own array type, a new reference
    // to the element's dtype (stolen by the call), `shape.len()` dimensions, no strides or data
    // (numpy allocates C- or Fortran-contiguous memory), no base object.
    let ptr = unsafe {
        PY_ARRAY_API.PyArray_NewFromDescr(
            py,
            npyffi::get_type_object(py, npyffi::NpyTypes::PyArray_Type),
            T::get_dtype(py).into_dtype_ptr(),
            shape.len() as c_int,
            shape.as_mut_ptr(),
            null_mut(),
            null_mut(),
            c_int::from(fortran),
            null_mut(),
        )
    };
    // SAFETY: a non-null result is a new reference to an array.
    let array = match unsafe { Bound::from_owned_ptr_or_err(py, ptr) } {
        Ok(a) => a,
        // Out of memory, or more bytes than an array may hold.
        Err(e) if e.is_instance_of::<PyMemoryError>(py) || e.is_instance_of::<PyValueError>(py) => {
            return Err(too_big::<T>(count, what).into())
        }
        Err(e) => return Err(e),
    };
    // SAFETY: numpy made an array of element type `T` and `D::NDIM` (or `shape.len()`) dimensions.
    Ok(unsafe { array.cast_into_unchecked::<PyArray<T, D>>() })
}
