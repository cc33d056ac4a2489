//! Argument conversion shared by the bindings. Array-likes of any real dtype, layout or
//! container (lists, pandas) go through `quantumpanarchy._validation`, which raises
//! `InvalidInputError` with the argument's name; float64 numpy arrays take a zero-copy path.

use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::Error;

fn validation(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("quantumpanarchy._validation")
}

/// A real array of `ndim` dimensions as float64 (copying only when the input is not already).
/// `ndim` is 1 or 2, or -1 for either.
pub fn float_array<'py>(
    obj: &Bound<'py, PyAny>,
    name: &str,
    ndim: i32,
    allow_empty: bool,
) -> PyResult<Bound<'py, PyAny>> {
    validation(obj.py())?.call_method1("as_float_array", (obj, name, ndim, allow_empty))
}

pub fn f64_1d<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<PyReadonlyArray1<'py, f64>> {
    if let Ok(a) = obj.cast::<PyArray1<f64>>() {
        if a.len()? > 0 {
            return Ok(a.readonly());
        }
    }
    Ok(float_array(obj, name, 1, false)?.cast_into::<PyArray1<f64>>()?.readonly())
}

pub fn f64_1d_or_empty<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<PyReadonlyArray1<'py, f64>> {
    Ok(float_array(obj, name, 1, true)?.cast_into::<PyArray1<f64>>()?.readonly())
}

pub fn f64_2d<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<PyReadonlyArray2<'py, f64>> {
    if let Ok(a) = obj.cast::<PyArray2<f64>>() {
        if a.len()? > 0 {
            return Ok(a.readonly());
        }
    }
    Ok(float_array(obj, name, 2, false)?.cast_into::<PyArray2<f64>>()?.readonly())
}

/// Integer indices as i64 (floats must be integral).
pub fn index_1d(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<i64>> {
    let arr = validation(obj.py())?.call_method1("as_index_array", (obj, name))?;
    Ok(arr.cast_into::<PyArray1<i64>>()?.readonly().as_array().to_vec())
}

/// One state (1-D) or a batch (2-D) of spins in {-1, +1} (also {0, 1} when `binary`), as a
/// flat row-major vector and the number of rows (`None` for a single state).
pub fn spins(obj: &Bound<'_, PyAny>, name: &str, binary: bool) -> PyResult<(Vec<i8>, Option<usize>)> {
    let arr = validation(obj.py())?.call_method1("as_spin_array", (obj, name, binary))?;
    if let Ok(a) = arr.cast::<PyArray1<i8>>() {
        return Ok((a.readonly().as_array().to_vec(), None));
    }
    let a = arr.cast_into::<PyArray2<i8>>()?;
    let rows = a.readonly().as_array().nrows();
    Ok((a.readonly().as_array().iter().copied().collect(), Some(rows)))
}

/// `None` or a non-negative integer below 2**64.
pub fn seed(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<u64>> {
    match obj {
        None => Ok(None),
        Some(o) if o.is_none() => Ok(None),
        Some(o) => {
            let as_int = o
                .py()
                .import("operator")?
                .call_method1("index", (o,))
                .map_err(|_| Error::InvalidInput(format!("seed must be an int or None, got {}", type_name(o))))?;
            as_int.extract::<u64>().map(Some).map_err(|_| {
                Error::InvalidInput(format!("seed must be a non-negative integer below 2**64, got {as_int}")).into()
            })
        }
    }
}

pub fn type_name(o: &Bound<'_, PyAny>) -> String {
    o.get_type().name().map_or_else(|_| "?".into(), |n| n.to_string())
}

/// Python ints arrive as i128, so values beyond int64 reach our range checks (and raise
/// `InvalidInputError`) instead of failing extraction with a bare `OverflowError`.
pub type PyInt = i128;

/// A count that must be at least `min`.
pub fn count(value: PyInt, name: &str, min: PyInt) -> PyResult<usize> {
    if value < min {
        return Err(Error::InvalidInput(format!("{name} must be at least {min}, got {value}")).into());
    }
    usize::try_from(value).map_err(|_| Error::InvalidInput(format!("{name} is too large: {value}")).into())
}

/// The deadline for a `time_limit` in seconds (positive and finite), counted from now.
pub fn deadline(time_limit: Option<f64>) -> PyResult<Option<std::time::Instant>> {
    let Some(t) = time_limit else { return Ok(None) };
    if !(t.is_finite() && t > 0.0) {
        return Err(Error::InvalidInput(format!("time_limit must be a positive number of seconds, got {t}")).into());
    }
    let limit = std::time::Duration::try_from_secs_f64(t)
        .map_err(|_| Error::InvalidInput(format!("time_limit is too large: {t}")))?;
    Ok(std::time::Instant::now().checked_add(limit))
}

/// A p-bit index; the model checks it against the network size.
pub fn index(value: PyInt) -> PyResult<i64> {
    i64::try_from(value).map_err(|_| Error::InvalidInput(format!("p-bit index {value} out of range")).into())
}

/// A Python progress callback `(done, total) -> None`, or `None` when `progress` is None or false.
pub fn progress<'py>(
    py: Python<'py>,
    progress: Option<&Bound<'py, PyAny>>,
    desc: &str,
    unit: &str,
) -> PyResult<Option<Bound<'py, PyAny>>> {
    let cb = py.import("quantumpanarchy._progress")?.call_method1("make", (progress, desc, unit))?;
    Ok(if cb.is_none() { None } else { Some(cb) })
}

/// Close a progress callback made by [`progress`] (a no-op for user callables).
pub fn close_progress(cb: Option<Bound<'_, PyAny>>) -> PyResult<()> {
    if let Some(cb) = cb {
        if cb.hasattr("close")? {
            cb.call_method0("close")?;
        }
    }
    Ok(())
}

/// Build an instance of a Python class of a public module, from keyword arguments.
pub fn make<'py>(
    py: Python<'py>,
    module: &str,
    class: &str,
    kwargs: &Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    py.import(module)?.getattr(class)?.call((), Some(kwargs))
}
