//! Argument conversion shared by the bindings. numpy arrays of float16, float32 or float64 (and
//! int32/int64 indices), of any layout, are read where they lie: float16 and float32 are widened
//! to float64 (exactly) as the native code reads them, never copied to float64 in Python first.
//! Anything else (lists, other dtypes, pandas, other byte orders) goes through
//! `quantumpanarchy._validation`, which converts it or raises `InvalidInputError` naming the
//! argument.

use either::Either;
use half::f16;
use numpy::ndarray::{CowArray, Dimension, Ix1, Ix2};
use numpy::{
    Element, PyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray, PyReadonlyArray1, PyUntypedArrayMethods,
};
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyString};

use crate::error::{try_collect, Error};

fn validation(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    py.import("quantumpanarchy._validation")
}

/// A real array as the caller's numpy memory: float16, float32 or float64, any strides.
pub enum Reals<'py, D: Dimension> {
    F16(PyReadonlyArray<'py, f16, D>),
    F32(PyReadonlyArray<'py, f32, D>),
    F64(PyReadonlyArray<'py, f64, D>),
}

/// Runs `$body` with `$a` bound to the array of whichever dtype `$reals` holds.
macro_rules! each_dtype {
    ($reals:expr, $a:ident => $body:expr) => {
        match $reals {
            Reals::F16($a) => $body,
            Reals::F32($a) => $body,
            Reals::F64($a) => $body,
        }
    };
}

impl<'py, D: Dimension> Reals<'py, D> {
    pub fn shape(&self) -> &[usize] {
        each_dtype!(self, a => a.shape())
    }

    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// The values as float64 in logical (row-major) order, whatever the strides: one pass, into
    /// memory allocated fallibly (a broadcast view may stand for far more values than fit).
    pub fn to_vec(&self) -> Result<Vec<f64>, Error> {
        let what = format!("a copy of an array of shape {}", shape_text(self.shape()));
        each_dtype!(self, a => try_collect(a.as_array().iter().map(|&x| widen(x)), &what))
    }

    /// A float64 view: the caller's memory for float64, a widened copy for float16/float32.
    pub fn view(&self) -> Result<CowArray<'_, f64, D>, Error> {
        let widened = |values: Vec<f64>| {
            let shape = self.shape().to_vec();
            numpy::ndarray::Array::from_shape_vec(numpy::ndarray::IxDyn(&shape), values)
                .and_then(|a| a.into_dimensionality::<D>())
                .map_err(|e| Error::Internal(format!("widening an array: {e}")))
        };
        match self {
            Reals::F64(a) => Ok(CowArray::from(a.as_array())),
            Reals::F32(_) | Reals::F16(_) => Ok(CowArray::from(widened(self.to_vec()?)?)),
        }
    }
}

impl<'py> Reals<'py, Ix1> {
    /// The values as float64, read in order (cloneable, so a native pass may walk them twice).
    pub fn iter(&self) -> impl Iterator<Item = f64> + Clone + '_ {
        match self {
            Reals::F16(a) => Either::Left(a.as_array().into_iter().map(|&x| widen(x))),
            Reals::F32(a) => Either::Right(Either::Left(a.as_array().into_iter().map(|&x| widen(x)))),
            Reals::F64(a) => Either::Right(Either::Right(a.as_array().into_iter().copied())),
        }
    }
}

/// A float16/float32/float64 value as float64 (exact).
fn widen<T: Into<f64>>(x: T) -> f64 {
    x.into()
}

/// `obj` read in place when it is a numpy array of `T` with `D`'s dimensions (1-D or 2-D for
/// `IxDyn`), non-empty unless `allow_empty`; `None` sends it to the Python conversion.
fn in_place<'py, T: Element, D: Dimension>(
    obj: &Bound<'py, PyAny>,
    allow_empty: bool,
) -> Option<PyReadonlyArray<'py, T, D>> {
    let a = obj.cast::<PyArray<T, D>>().ok()?;
    let fits = matches!(a.ndim(), 1 | 2) && (allow_empty || !a.is_empty());
    fits.then(|| a.readonly())
}

/// A real array-like of `D` dimensions (`Ix1`, `Ix2`, or `IxDyn` for 1-D or 2-D).
pub fn reals<'py, D: Dimension>(obj: &Bound<'py, PyAny>, name: &str, allow_empty: bool) -> PyResult<Reals<'py, D>> {
    if let Some(a) = in_place::<f64, D>(obj, allow_empty) {
        return Ok(Reals::F64(a));
    }
    if let Some(a) = in_place::<f32, D>(obj, allow_empty) {
        return Ok(Reals::F32(a));
    }
    if let Some(a) = in_place::<f16, D>(obj, allow_empty) {
        return Ok(Reals::F16(a));
    }
    let ndim = D::NDIM.map_or(-1, |d| d as i32);
    let arr = validation(obj.py())?.call_method1("as_float_array", (obj, name, ndim, allow_empty))?;
    Ok(Reals::F64(arr.cast_into::<PyArray<f64, D>>()?.readonly()))
}

/// A non-empty 1-D real array.
pub fn real_1d<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Reals<'py, Ix1>> {
    reals(obj, name, false)
}

/// A 1-D real array, possibly empty.
pub fn real_1d_or_empty<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Reals<'py, Ix1>> {
    reals(obj, name, true)
}

/// A non-empty 2-D real array.
pub fn real_2d<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Reals<'py, Ix2>> {
    reals(obj, name, false)
}

/// 1-D integer indices read in place (int32 or int64 numpy arrays) or converted by
/// `_validation.as_index_array` (floats must be whole numbers).
pub enum Indices<'py> {
    I32(PyReadonlyArray1<'py, i32>),
    I64(PyReadonlyArray1<'py, i64>),
}

impl<'py> Indices<'py> {
    pub fn len(&self) -> usize {
        match self {
            Self::I32(a) => a.len(),
            Self::I64(a) => a.len(),
        }
    }

    /// The indices as int64, read in order (cloneable, as [`Reals::iter`]).
    pub fn iter(&self) -> impl Iterator<Item = i64> + Clone + '_ {
        match self {
            Self::I32(a) => Either::Left(a.as_array().into_iter().map(|&x| i64::from(x))),
            Self::I64(a) => Either::Right(a.as_array().into_iter().copied()),
        }
    }
}

/// Integer indices (see [`Indices`]).
pub fn indices<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<Indices<'py>> {
    if let Ok(a) = obj.cast::<PyArray1<i64>>() {
        return Ok(Indices::I64(a.readonly()));
    }
    if let Ok(a) = obj.cast::<PyArray1<i32>>() {
        return Ok(Indices::I32(a.readonly()));
    }
    let arr = validation(obj.py())?.call_method1("as_index_array", (obj, name))?;
    Ok(Indices::I64(arr.cast_into::<PyArray1<i64>>()?.readonly()))
}

/// Integer indices as an owned vector.
pub fn index_1d(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<i64>> {
    Ok(indices(obj, name)?.iter().collect())
}

/// The side of a square matrix argument.
pub fn square(shape: &[usize], name: &str) -> PyResult<usize> {
    match shape {
        &[r, c] if r == c => Ok(r),
        _ => Err(Error::InvalidInput(format!("{name} must be square, got shape {}", shape_text(shape))).into()),
    }
}

/// A shape as Python writes it: `(3,)`, `(2, 3)`.
pub fn shape_text(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!("({})", shape.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")),
    }
}

/// The shape of a numpy array, `None` for anything else.
pub fn array_shape(obj: &Bound<'_, PyAny>) -> Option<Vec<usize>> {
    obj.cast::<numpy::PyUntypedArray>().ok().map(|a| a.shape().to_vec())
}

/// One state (1-D) or a batch (2-D) of spins in {-1, +1} (also {0, 1} when `binary`), as a
/// flat row-major vector and the number of rows (`None` for a single state).
pub fn spins(obj: &Bound<'_, PyAny>, name: &str, binary: bool) -> PyResult<(Vec<i8>, Option<usize>)> {
    let arr = validation(obj.py())?.call_method1("as_spin_array", (obj, name, binary))?;
    if let Ok(a) = arr.cast::<PyArray1<i8>>() {
        return Ok((copy_spins(a.py(), a.readonly().as_array().view().into_dyn(), name)?, None));
    }
    let a = arr.cast_into::<PyArray2<i8>>()?;
    let rows = a.readonly().as_array().nrows();
    Ok((copy_spins(a.py(), a.readonly().as_array().view().into_dyn(), name)?, Some(rows)))
}

/// A fallible copy (its size is the caller's) in blocks of 16 MiB with a check for Ctrl-C
/// between them: a fresh gigabyte of pages can take seconds to fault in on a slow machine.
fn copy_spins(py: Python<'_>, a: ndarray::ArrayViewD<'_, i8>, name: &str) -> PyResult<Vec<i8>> {
    let what = format!("a copy of {name}");
    let Some(src) = a.as_slice() else { return Ok(try_collect(a.iter().copied(), &what)?) };
    let mut v = crate::error::try_with_capacity(src.len(), &what)?;
    for block in src.chunks(1 << 24) {
        py.check_signals()?;
        v.extend_from_slice(block);
    }
    Ok(v)
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
/// `InvalidInputError`) instead of failing extraction with a bare `OverflowError`. Parameters
/// read with [`int`] (`#[pyo3(from_py_with = args::int)]`) also take ints beyond i128.
pub type PyInt = i128;

/// A Python int for a [`PyInt`] parameter: an int beyond i128 saturates (and so fails every
/// range check, reported as such, never as `OverflowError`), and a bool is refused: `True` is
/// not a count.
pub fn int(obj: &Bound<'_, PyAny>) -> PyResult<PyInt> {
    if obj.is_instance_of::<PyBool>() {
        return Err(Error::InvalidInput(format!("expected an int, got the bool {obj}")).into());
    }
    match obj.extract::<i128>() {
        Ok(v) => Ok(v),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => {
            Ok(if obj.lt(0i32)? { PyInt::MIN } else { PyInt::MAX })
        }
        Err(e) => Err(e),
    }
}

/// [`int`] for an optional parameter (`None` stays `None`).
pub fn opt_int(obj: &Bound<'_, PyAny>) -> PyResult<Option<PyInt>> {
    if obj.is_none() {
        return Ok(None);
    }
    int(obj).map(Some)
}

/// An int as messages write it ([`int`] saturates beyond i128).
fn int_text(v: PyInt) -> String {
    match v {
        PyInt::MAX => "an int of 2**127 or more".into(),
        PyInt::MIN => "an int of -2**127 or less".into(),
        v => v.to_string(),
    }
}

/// A Python real number as f64 (a float, or an int within float range), for
/// `#[pyo3(from_py_with = args::real)]`: an int beyond float range (10**400) is
/// `InvalidInputError` instead of f64 extraction's bare `OverflowError`.
pub fn real(obj: &Bound<'_, PyAny>) -> PyResult<f64> {
    match obj.extract::<f64>() {
        Ok(v) => Ok(v),
        Err(e) if e.is_instance_of::<PyOverflowError>(obj.py()) => Err(Error::InvalidInput(format!(
            "expected a real number within float range (|x| < 1.8e308), got {}",
            short_repr(obj)
        ))
        .into()),
        Err(e) => Err(e),
    }
}

/// [`real`] for an optional parameter (`None` stays `None`).
pub fn opt_real(obj: &Bound<'_, PyAny>) -> PyResult<Option<f64>> {
    if obj.is_none() {
        return Ok(None);
    }
    real(obj).map(Some)
}

/// An option string (`method`, schedule types, ...), for `#[pyo3(from_py_with = args::text)]`.
/// A string that is not valid text (a lone surrogate such as '\udc80') reads as "\u{fffd}", which
/// no option is, so it fails in the option's parser with the list of valid choices instead of
/// raising a bare `UnicodeEncodeError`.
pub fn text<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<&'a str> {
    let s = obj.cast::<PyString>()?;
    Ok(s.to_str().unwrap_or("\u{fffd}"))
}

/// [`text`] for an optional parameter (`None` stays `None`).
pub fn opt_text<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Option<&'a str>> {
    if obj.is_none() {
        return Ok(None);
    }
    text(obj).map(Some)
}

/// `repr(obj)`, cut to 40 characters (an int of thousands of digits has no printable repr).
fn short_repr(obj: &Bound<'_, PyAny>) -> String {
    let text = obj.repr().map_or_else(|_| format!("a huge {}", type_name(obj)), |r| r.to_string());
    match text.char_indices().nth(40) {
        Some((k, _)) => format!("{}...", &text[..k]),
        None => text,
    }
}

/// A count that must be at least `min`.
pub fn count(value: PyInt, name: &str, min: PyInt) -> PyResult<usize> {
    if value < min {
        return Err(Error::InvalidInput(format!("{name} must be at least {min}, got {}", int_text(value))).into());
    }
    usize::try_from(value).map_err(|_| Error::InvalidInput(format!("{name} is too large: {}", int_text(value))).into())
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
    i64::try_from(value)
        .map_err(|_| Error::InvalidInput(format!("p-bit index {} out of range", int_text(value))).into())
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
