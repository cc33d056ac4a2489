//! Bindings: Fibonacci levels (`signal::fibonacci`). The typed `FibonacciAnalyzer` and
//! `FibonacciLevels` are in `python/quantumpanarchy/_signal/fibonacci.py`.

use crate::python::args::{self, PyInt};
use crate::python::run::run_sized;
use crate::signal::fibonacci;
use pyo3::prelude::*;

/// Adds this part's functions to the `signal` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(fibonacci_levels, m)?)?;
    Ok(())
}

type Levels = ((usize, f64), (usize, f64), bool, Vec<(f64, f64)>, Vec<(f64, f64)>);

/// ((high index, price), (low index, price), up, retracements, extensions) of the most recent
/// qualifying swing pair.
#[pyfunction]
pub fn fibonacci_levels(
    py: Python<'_>,
    prices: &Bound<'_, PyAny>,
    #[pyo3(from_py_with = args::int)] swing_window: PyInt,
    #[pyo3(from_py_with = args::real)] min_swing_size: f64,
) -> PyResult<Levels> {
    let window = args::count(swing_window, "swing_window", 1)?;
    let p = args::real_1d(prices, "prices")?.to_vec()?;
    let lv = run_sized(py, p.len() as u64 * 8, |control| fibonacci::analyze(&p, window, min_swing_size, control))?;
    Ok(((lv.high.index, lv.high.price), (lv.low.index, lv.low.price), lv.up, lv.retracements, lv.extensions))
}
