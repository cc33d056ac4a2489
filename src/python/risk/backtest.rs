//! Bindings: VaR backtests (Kupiec, Christoffersen, Basel traffic light). The typed public
//! functions and result classes are in `python/quantumpanarchy/_risk/backtest.py`.

use crate::error::Error;
use crate::python::args::{self, PyInt};
use crate::python::run::run_sized;
use crate::risk::backtest::{self, Counts};
use numpy::{PyArray1, PyArrayMethods, PyUntypedArrayMethods};
use pyo3::prelude::*;

/// The counts of a hit sequence: a numpy bool array read in place, else real values that must
/// all be 0 or 1.
fn counts(py: Python<'_>, hits: &Bound<'_, PyAny>) -> PyResult<Counts> {
    if let Ok(a) = hits.cast::<PyArray1<bool>>() {
        let a = a.readonly();
        if a.is_empty() {
            return Err(Error::InvalidInput("hits must not be empty".into()).into());
        }
        let view = a.as_array();
        let n = view.len() as u64;
        return run_sized(py, n, |control| backtest::count(view.iter().copied(), control));
    }
    let r = args::real_1d(hits, "hits")?;
    let view = r.view()?;
    if let Some((k, v)) = view.iter().enumerate().find(|(_, v)| !(**v == 0.0 || **v == 1.0)) {
        return Err(Error::InvalidInput(format!("hits must hold 0/1 or booleans: hits[{k}] is {v}")).into());
    }
    let n = view.len() as u64;
    run_sized(py, n, |control| backtest::count(view.iter().map(|&v| v == 1.0), control))
}

fn counts_tuple(c: &Counts) -> (u64, u64, u64, u64, u64, u64) {
    (c.n, c.x, c.n00, c.n01, c.n10, c.n11)
}

/// Kupiec's POF test: `(statistic, pvalue, num_observations, num_exceptions)`.
#[pyfunction]
pub fn kupiec(
    py: Python<'_>,
    hits: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = args::real)] alpha: f64,
) -> PyResult<(f64, f64, u64, u64)> {
    let c = counts(py, hits)?;
    let (s, p) = backtest::kupiec(&c, alpha)?;
    Ok((s, p, c.n, c.x))
}

/// Christoffersen's tests: `([cc, cc_p, ind, ind_p, pof, pof_p], (n, x, n00, n01, n10, n11))`.
#[pyfunction]
#[allow(clippy::type_complexity)]
pub fn christoffersen(
    py: Python<'_>,
    hits: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = args::real)] alpha: f64,
) -> PyResult<([f64; 6], (u64, u64, u64, u64, u64, u64))> {
    let c = counts(py, hits)?;
    Ok((backtest::christoffersen(&c, alpha)?, counts_tuple(&c)))
}

/// The Basel zone and the cumulative binomial probability.
#[pyfunction]
pub fn traffic_light(
    #[pyo3(from_py_with = args::int)] num_exceptions: PyInt,
    #[pyo3(from_py_with = args::int)] num_observations: PyInt,
    #[pyo3(from_py_with = args::real)] alpha: f64,
) -> PyResult<(&'static str, f64)> {
    let k = args::count(num_exceptions, "num_exceptions", 0)? as u64;
    let n = args::count(num_observations, "num_observations", 1)? as u64;
    Ok(backtest::traffic_light(k, n, alpha)?)
}

/// Adds this part's functions to the `risk` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(kupiec, m)?)?;
    m.add_function(wrap_pyfunction!(christoffersen, m)?)?;
    m.add_function(wrap_pyfunction!(traffic_light, m)?)?;
    Ok(())
}
