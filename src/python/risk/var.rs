//! Bindings: VaR and CVaR (historical, Gaussian, Student t, Cornish–Fisher), per column, for a
//! weighted portfolio and over rolling windows. The typed public functions are in
//! `python/quantumpanarchy/_risk/var.py`.

use crate::python::args::{self, PyInt};
use crate::python::risk::stats::{aligned, as_2d, Returns};
use crate::python::run::run_sized;
use crate::risk::var::{self, Measure, Method};
use numpy::ndarray::ArrayView2;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyFloat;

fn measure_of(cvar: bool) -> Measure {
    if cvar {
        Measure::Cvar
    } else {
        Measure::Var
    }
}

/// Work units of a measure over `values` present returns (a Student t fit costs thousands of passes).
fn units(values: u64, method: Method) -> u64 {
    match method {
        Method::StudentT => values.saturating_mul(20_000),
        _ => values.saturating_mul(4),
    }
}

/// The portfolio returns `x @ weights`.
fn portfolio(py: Python<'_>, x: ArrayView2<'_, f64>, weights: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    let w = args::real_1d(weights, "weights")?.to_vec()?;
    let (rows, cols) = x.dim();
    let work = (rows as u64).saturating_mul(cols as u64);
    run_sized(py, work, |control| crate::parallel::install(|| var::portfolio_returns(x, &w, control))?)
}

/// VaR (`cvar` false) or CVaR of each column of `returns` (a float for 1-D returns), or of the
/// portfolio `returns @ weights` (a float).
#[pyfunction]
#[pyo3(signature = (returns, alpha, method, cvar, weights = None))]
pub fn var_columns<'py>(
    py: Python<'py>,
    returns: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] alpha: f64,
    #[pyo3(from_py_with = args::text)] method: &str,
    cvar: bool,
    weights: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let method = Method::parse(method)?;
    var::check_alpha(alpha)?;
    let measure = measure_of(cvar);
    let r = Returns::new(returns, "returns")?;
    let (rows, cols) = r.shape();
    let view = r.view()?;
    let x = as_2d(&view)?;
    if let Some(w) = weights.filter(|w| !w.is_none()) {
        let p = portfolio(py, x, w)?;
        let px = numpy::ndarray::ArrayView2::from_shape((p.len(), 1), &p)
            .map_err(|e| crate::error::Error::Internal(format!("a portfolio view: {e}")))?;
        let out = run_sized(py, units(rows as u64, method), |control| {
            crate::parallel::install(|| var::per_column(px, alpha, method, measure, control))?
        })?;
        return Ok(PyFloat::new(py, out[0]).into_any());
    }
    let work = units((rows as u64).saturating_mul(cols as u64), method);
    let out = run_sized(py, work, |control| {
        crate::parallel::install(|| var::per_column(x, alpha, method, measure, control))?
    })?;
    if r.is_1d() {
        Ok(PyFloat::new(py, out[0]).into_any())
    } else {
        Ok(PyArray1::from_vec(py, out).into_any())
    }
}

/// Rolling VaR or CVaR, aligned with `returns` (or with its rows, for a portfolio).
#[pyfunction]
#[pyo3(signature = (returns, window, alpha, method, cvar, weights = None))]
pub fn rolling_var_columns<'py>(
    py: Python<'py>,
    returns: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] window: PyInt,
    #[pyo3(from_py_with = args::real)] alpha: f64,
    #[pyo3(from_py_with = args::text)] method: &str,
    cvar: bool,
    weights: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let method = Method::parse(method)?;
    var::check_alpha(alpha)?;
    let window = args::count(window, "window", 2)?;
    let measure = measure_of(cvar);
    let r = Returns::new(returns, "returns")?;
    let (rows, cols) = r.shape();
    if window > rows {
        return Err(crate::error::Error::InvalidInput(format!(
            "window must be at most the number of observations ({rows}), got {window}"
        ))
        .into());
    }
    let view = r.view()?;
    let x = as_2d(&view)?;
    let per_step = match method {
        Method::Historical => (window as u64 / 16).max(1) + 16,
        _ => window as u64,
    };
    if let Some(w) = weights.filter(|w| !w.is_none()) {
        let p = portfolio(py, x, w)?;
        let px = numpy::ndarray::ArrayView2::from_shape((p.len(), 1), &p)
            .map_err(|e| crate::error::Error::Internal(format!("a portfolio view: {e}")))?;
        let work = units((rows as u64).saturating_mul(per_step), method);
        let out = run_sized(py, work, |control| {
            crate::parallel::install(|| var::rolling(px, window, alpha, method, measure, control))?
        })?;
        return aligned(py, out, rows, 1, true, false);
    }
    let work = units((rows as u64).saturating_mul(cols as u64).saturating_mul(per_step), method);
    let out = run_sized(py, work, |control| {
        crate::parallel::install(|| var::rolling(x, window, alpha, method, measure, control))?
    })?;
    aligned(py, out, rows, cols, r.is_1d(), false)
}

/// The maximum-likelihood Student t fit of the present values of 1-D `returns`:
/// `(dof, loc, scale, loglik)`, or None (fewer than 3 values, or no spread).
#[pyfunction]
pub fn fit_student_t(py: Python<'_>, returns: &Bound<'_, PyAny>) -> PyResult<Option<(f64, f64, f64, f64)>> {
    let mut v = args::real_1d(returns, "returns")?.to_vec()?;
    v.retain(|x| !x.is_nan());
    if let Some(k) = v.iter().position(|x| x.is_infinite()) {
        return Err(
            crate::error::Error::InvalidInput(format!("returns must be finite or NaN: value {k} is {}", v[k])).into()
        );
    }
    let fit = run_sized(py, units(v.len() as u64, Method::StudentT), |control| var::fit_t(&v, control))?;
    Ok(fit.map(|f| (f.dof, f.loc, f.scale, f.loglik)))
}

/// Adds this part's functions to the `risk` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(var_columns, m)?)?;
    m.add_function(wrap_pyfunction!(rolling_var_columns, m)?)?;
    m.add_function(wrap_pyfunction!(fit_student_t, m)?)?;
    Ok(())
}
