//! Bindings: the linear models (`automl::linear`, `elastic_net`, `logistic`). Fits return the
//! fitted parameters as numpy arrays; the estimator classes hold them (and pickle them) in
//! `python/quantumpanarchy/_automl/linear.py`.

use crate::automl::linear::LinearModel;
use crate::automl::{elastic_net, linear, logistic};
use crate::python::args::{self, PyInt};
use crate::python::run::{run_long, run_sized};
use ndarray::Array2;
use numpy::{PyArray1, PyArray2, ToPyArray};
use pyo3::prelude::*;

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(least_squares_fit, m)?)?;
    m.add_function(wrap_pyfunction!(elastic_net_fit, m)?)?;
    m.add_function(wrap_pyfunction!(linear_predict, m)?)?;
    m.add_function(wrap_pyfunction!(logistic_fit, m)?)?;
    m.add_function(wrap_pyfunction!(logistic_scores, m)?)?;
    Ok(())
}

type Fitted<'py> = (Bound<'py, PyArray1<f64>>, f64);
/// An elastic net's `(coef, intercept, n_iter, dual_gap, converged)`.
type NetFit<'py> = (Bound<'py, PyArray1<f64>>, f64, usize, f64, bool);
/// A logistic fit's `(coef, intercept, n_iter, converged)`.
type LogisticFit<'py> = (Bound<'py, PyArray2<f64>>, Bound<'py, PyArray1<f64>>, usize, bool);

/// Least squares (`alpha = 0`) or ridge: `(coef, intercept)`.
#[pyfunction]
pub fn least_squares_fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] alpha: f64,
    fit_intercept: bool,
) -> PyResult<Fitted<'py>> {
    let (x, y) = (args::real_2d(x, "X")?, args::real_1d(y, "y")?);
    let (xv, yv) = (x.view()?, y.view()?);
    let units = (xv.len() * xv.ncols()) as u64;
    let m = run_sized(py, units, |_| linear::fit_ridge(xv.view(), yv.view(), alpha, fit_intercept))?;
    Ok((PyArray1::from_vec(py, m.coef), m.intercept))
}

/// The elastic net: `(coef, intercept, n_iter, dual_gap, converged)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn elastic_net_fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] alpha: f64,
    #[pyo3(from_py_with = args::real)] l1_ratio: f64,
    fit_intercept: bool,
    #[pyo3(from_py_with = args::int)] max_iter: PyInt,
    #[pyo3(from_py_with = args::real)] tol: f64,
) -> PyResult<NetFit<'py>> {
    let max_iter = args::count(max_iter, "max_iter", 1)?;
    let (x, y) = (args::real_2d(x, "X")?, args::real_1d(y, "y")?);
    let (xv, yv) = (x.view()?, y.view()?);
    let s = elastic_net::Settings { alpha, l1_ratio, fit_intercept, max_iter, tol };
    let f = run_long(py, None, |c| elastic_net::fit(xv.view(), yv.view(), s, c))?;
    Ok((PyArray1::from_vec(py, f.model.coef), f.model.intercept, f.n_iter, f.dual_gap, f.converged))
}

/// X·coef + intercept.
#[pyfunction]
pub fn linear_predict<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    coef: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] intercept: f64,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let x = args::real_2d(x, "X")?;
    let xv = x.view()?;
    let model = LinearModel { coef: args::real_1d(coef, "coef")?.to_vec()?, intercept };
    let units = xv.len() as u64;
    let out = run_sized(py, units, |_| model.predict(xv.view()))?;
    Ok(PyArray1::from_vec(py, out))
}

/// Logistic regression on class indices `y` in 0..classes: `(coef (scores × features),
/// intercept, n_iter, converged)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn logistic_fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    y: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] classes: PyInt,
    #[pyo3(from_py_with = args::real)] c: f64,
    fit_intercept: bool,
    #[pyo3(from_py_with = args::int)] max_iter: PyInt,
    #[pyo3(from_py_with = args::real)] tol: f64,
) -> PyResult<LogisticFit<'py>> {
    let k = args::count(classes, "classes", 2)?;
    let max_iter = args::count(max_iter, "max_iter", 1)?;
    let (x, y) = (args::real_2d(x, "X")?, args::real_1d(y, "y")?);
    let (xv, yv) = (x.view()?, y.view()?);
    let s = logistic::Settings { c, fit_intercept, max_iter, tol };
    let f = run_long(py, None, |ctl| logistic::fit(xv.view(), yv.view(), k, s, ctl))?;
    Ok((f.coef.to_pyarray(py), PyArray1::from_vec(py, f.intercept), f.n_iter, f.converged))
}

/// Decision scores (`proba = false`) or class probabilities of a fitted logistic model.
#[pyfunction]
pub fn logistic_scores<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    coef: &Bound<'py, PyAny>,
    intercept: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] classes: PyInt,
    proba: bool,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let k = args::count(classes, "classes", 2)?;
    let x = args::real_2d(x, "X")?;
    let xv = x.view()?;
    let coef = args::real_2d(coef, "coef")?.view()?.into_owned();
    let intercept = args::real_1d(intercept, "intercept")?.to_vec()?;
    let model = logistic::Logistic { coef, intercept, classes: k, n_iter: 0, converged: true };
    let units = (xv.len() * model.coef.nrows()) as u64;
    let out: Array2<f64> = run_sized(py, units, |_| match proba {
        true => model.predict_proba(xv.view()),
        false => model.decision_function(xv.view()),
    })?;
    Ok(out.to_pyarray(py))
}
