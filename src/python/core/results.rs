//! Result objects handed to Python: instances of the Python classes of `quantumpanarchy.core`
//! (`SampleSet`, `Observables`, `TemperingResult`), built from domain results.

use crate::core::observables::Observables;
use numpy::ndarray::Array2;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::network::Vartype;
use crate::error::Error;
use crate::python::args;

const MODULE: &str = "quantumpanarchy.core";

/// A flat row-major buffer as a 2-D array of `n` columns, or 1-D when `rows` is `None`.
pub fn rows_or_vector<'py, T: numpy::Element>(
    py: Python<'py>,
    data: Vec<T>,
    rows: Option<usize>,
    n: usize,
) -> PyResult<Bound<'py, PyAny>> {
    Ok(match rows {
        None => PyArray1::from_vec(py, data).into_any(),
        Some(r) => matrix(py, data, r, n)?.into_any(),
    })
}

pub fn matrix<'py, T: numpy::Element>(
    py: Python<'py>,
    data: Vec<T>,
    rows: usize,
    cols: usize,
) -> PyResult<Bound<'py, numpy::PyArray2<T>>> {
    Ok(Array2::from_shape_vec((rows, cols), data).map_err(|e| Error::Internal(e.to_string()))?.into_pyarray(py))
}

pub fn sample_set<'py>(
    py: Python<'py>,
    mut states: Vec<i8>,
    energies: Vec<f64>,
    n: usize,
    vartype: Vartype,
    variables: &Bound<'py, PyAny>,
    info: Bound<'py, PyDict>,
) -> PyResult<Bound<'py, PyAny>> {
    vartype.present(&mut states);
    let rows = energies.len();
    let kw = PyDict::new(py);
    kw.set_item("samples", matrix(py, states, rows, n)?)?;
    kw.set_item("energies", PyArray1::from_vec(py, energies))?;
    kw.set_item("vartype", vartype.name())?;
    kw.set_item("variables", variables)?;
    kw.set_item("info", info)?;
    args::make(py, MODULE, "SampleSet", &kw)
}

pub fn observables<'py>(py: Python<'py>, o: &Observables) -> PyResult<Bound<'py, PyAny>> {
    let kw = PyDict::new(py);
    kw.set_item("beta", o.beta)?;
    kw.set_item("num_spins", o.num_spins)?;
    kw.set_item("num_samples", o.num_samples)?;
    for (name, e) in [
        ("energy", o.energy),
        ("magnetization", o.magnetization),
        ("abs_magnetization", o.abs_magnetization),
        ("specific_heat", o.specific_heat),
        ("susceptibility", o.susceptibility),
    ] {
        kw.set_item(name, e.value)?;
        kw.set_item(format!("{name}_error"), e.error)?;
    }
    kw.set_item("tau_energy", o.tau_energy)?;
    kw.set_item("tau_abs_magnetization", o.tau_abs_magnetization)?;
    args::make(py, MODULE, "Observables", &kw)
}

pub fn make<'py>(py: Python<'py>, class: &str, kw: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
    args::make(py, MODULE, class, kw)
}

/// `asyncio.to_thread(f, *args, **kwargs)`: a coroutine running `f` off the event loop (the
/// native work inside releases the GIL, so the loop keeps running), whose native work stops
/// once the awaiting task is cancelled (`quantumpanarchy._async.to_thread`).
pub fn to_thread<'py>(
    f: Bound<'py, PyAny>,
    args: &Bound<'py, PyTuple>,
    kwargs: Option<&Bound<'py, PyDict>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = f.py();
    let mut all = vec![f];
    all.extend(args.iter());
    py.import("quantumpanarchy._async")?.getattr("to_thread")?.call(PyTuple::new(py, all)?, kwargs)
}
