//! Bindings: Kelly sizing (`risk::kelly`). The Python functions and the result class are in
//! `python/quantumpanarchy/_risk/kelly.py`.

use crate::error::Error;
use crate::python::args;
use crate::python::run::detach;
use crate::risk::kelly;
use numpy::PyArray1;
use pyo3::prelude::*;

/// Adds this part's functions to the `risk` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(kelly_fraction, m)?)?;
    m.add_function(wrap_pyfunction!(kelly_continuous, m)?)?;
    m.add_function(wrap_pyfunction!(kelly_portfolio_weights, m)?)?;
    Ok(())
}

/// f* = p − (1 − p)/b.
#[pyfunction]
pub fn kelly_fraction(
    #[pyo3(from_py_with = args::real)] p: f64,
    #[pyo3(from_py_with = args::real)] b: f64,
) -> PyResult<f64> {
    Ok(kelly::kelly_fraction(p, b)?)
}

/// f* = (μ − r)/σ².
#[pyfunction]
pub fn kelly_continuous(
    #[pyo3(from_py_with = args::real)] mu: f64,
    #[pyo3(from_py_with = args::real)] sigma: f64,
    #[pyo3(from_py_with = args::real)] r: f64,
) -> PyResult<f64> {
    Ok(kelly::kelly_continuous(mu, sigma, r)?)
}

/// (weights, growth_rate, leverage) of the (fractional) Kelly portfolio.
#[pyfunction]
pub fn kelly_portfolio_weights<'py>(
    py: Python<'py>,
    mean: &Bound<'py, PyAny>,
    cov: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] r: f64,
    #[pyo3(from_py_with = args::real)] fraction: f64,
) -> PyResult<(Bound<'py, PyArray1<f64>>, f64, f64)> {
    let mean = args::real_1d(mean, "mean")?;
    let cov = args::real_2d(cov, "cov")?;
    let n = mean.len();
    if cov.shape() != [n, n] {
        return Err(Error::InvalidInput(format!(
            "cov must have shape ({n}, {n}) to match mean's {n} assets, got {}",
            args::shape_text(cov.shape())
        ))
        .into());
    }
    let (mean, cov) = (mean.to_vec()?, cov.to_vec()?);
    let k = detach(py, || kelly::kelly_portfolio(&mean, &cov, r, fraction))?;
    Ok((PyArray1::from_vec(py, k.weights), k.growth_rate, k.leverage))
}
