//! `QAR` bindings: stateless native functions behind the Python class
//! `quantumpanarchy.decision.QAR` (in `python/quantumpanarchy/_decision/qar.py`), which holds
//! the parameters as numpy arrays, so it pickles and clones like any scikit-learn estimator.

use crate::control::Control;
use crate::decision::qar::fit::{fit, FitOptions};
use crate::decision::qar::{self, Params, Settings};
use crate::error::Error;
use crate::rng::resolve_seed;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::python::args::{self, PyInt};
use crate::python::run::run_long;

/// A 2-D real array as row-major float64 values and its shape.
fn rows<'py>(obj: &Bound<'py, PyAny>, name: &str) -> PyResult<(Vec<f64>, usize, usize)> {
    let a = args::real_2d(obj, name)?;
    let (m, n) = (a.shape()[0], a.shape()[1]);
    Ok((a.to_vec()?, m, n))
}

/// The machine's parameters from the arrays the Python class keeps.
fn params(
    gains: &Bound<'_, PyAny>,
    biases: &Bound<'_, PyAny>,
    weights: &Bound<'_, PyAny>,
    couplings: &Bound<'_, PyAny>,
    decision_bias: f64,
) -> PyResult<Params> {
    let (j, r, c) = rows(couplings, "couplings")?;
    if r != c {
        return Err(Error::InvalidInput(format!("couplings must be square, got shape ({r}, {c})")).into());
    }
    let p = Params {
        gains: args::real_1d(gains, "gains")?.to_vec()?,
        biases: args::real_1d(biases, "biases")?.to_vec()?,
        weights: args::real_1d(weights, "weights")?.to_vec()?,
        couplings: j,
        decision_bias,
    };
    p.validate()?;
    Ok(p)
}

fn settings(
    n: usize,
    beta: f64,
    threshold: f64,
    num_samples: PyInt,
    burn_in: PyInt,
    exact: Option<bool>,
) -> PyResult<Settings> {
    let s = Settings {
        beta,
        threshold,
        num_samples: args::count(num_samples, "num_samples", 1)?,
        burn_in: args::count(burn_in, "burn_in", 0)?,
        exact: qar::use_exact(n, exact),
    };
    s.validate(n)?;
    Ok(s)
}

/// `f` off the GIL with Ctrl-C checks, reporting to the caller's `progress` (see `run_long`).
fn with_progress<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    (desc, unit): (&str, &str),
    f: impl FnOnce(&Control) -> crate::Result<T> + Send,
) -> PyResult<T> {
    let cb = args::progress(py, progress, desc, unit)?;
    let out = run_long(py, cb.as_ref(), f);
    args::close_progress(cb)?;
    out
}

/// A row-major buffer as an `m × n` array.
fn matrix(py: Python<'_>, v: Vec<f64>, m: usize, n: usize) -> PyResult<Bound<'_, PyAny>> {
    Ok(PyArray1::from_vec(py, v).reshape([m, n])?.into_any())
}

fn check_columns(cols: usize, n: usize, name: &str) -> PyResult<()> {
    if cols != n {
        return Err(Error::InvalidInput(format!("{name} must have {n} columns (one per factor), got {cols}")).into());
    }
    Ok(())
}

/// The default machine of `n` factors: `{gains, biases, weights, couplings, decision_bias}`.
#[pyfunction]
pub fn qar_prior(py: Python<'_>, num_pbits: PyInt) -> PyResult<Bound<'_, PyDict>> {
    let n = args::count(num_pbits, "num_pbits", 1)?;
    qar::check_num_factors(n)?;
    params_dict(py, &Params::prior(n)?)
}

fn params_dict<'py>(py: Python<'py>, p: &Params) -> PyResult<Bound<'py, PyDict>> {
    let n = p.n();
    let d = PyDict::new(py);
    d.set_item("gains", PyArray1::from_slice(py, &p.gains))?;
    d.set_item("biases", PyArray1::from_slice(py, &p.biases))?;
    d.set_item("weights", PyArray1::from_slice(py, &p.weights))?;
    d.set_item("couplings", matrix(py, p.couplings.clone(), n, n)?)?;
    d.set_item("decision_bias", p.decision_bias)?;
    Ok(d)
}

/// Decisions for the rows of `factors`: `{log_odds, p_buy, energy, evidence, signal, exact}`.
#[pyfunction]
#[pyo3(signature = (
    gains, biases, weights, couplings, decision_bias, factors, beta, threshold, num_samples, burn_in, exact, seed,
    progress = None
))]
#[allow(clippy::too_many_arguments)]
pub fn qar_decide<'py>(
    py: Python<'py>,
    gains: &Bound<'py, PyAny>,
    biases: &Bound<'py, PyAny>,
    weights: &Bound<'py, PyAny>,
    couplings: &Bound<'py, PyAny>,
    decision_bias: f64,
    factors: &Bound<'py, PyAny>,
    beta: f64,
    threshold: f64,
    num_samples: PyInt,
    burn_in: PyInt,
    exact: Option<bool>,
    seed: Option<&Bound<'py, PyAny>>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let p = params(gains, biases, weights, couplings, decision_bias)?;
    let n = p.n();
    let s = settings(n, beta, threshold, num_samples, burn_in, exact)?;
    let (f, m, cols) = rows(factors, "factors")?;
    check_columns(cols, n, "factors")?;
    let seed = resolve_seed(args::seed(seed)?);
    let out = with_progress(py, progress, ("decide", "row"), |control| qar::decide(&p, &s, &f, seed, control))?;
    let d = PyDict::new(py);
    d.set_item("log_odds", PyArray1::from_iter(py, out.iter().map(|e| e.log_odds)))?;
    d.set_item("p_buy", PyArray1::from_iter(py, out.iter().map(|e| e.p_buy)))?;
    d.set_item("energy", PyArray1::from_iter(py, out.iter().map(|e| e.energy)))?;
    d.set_item("evidence", matrix(py, out.iter().flat_map(|e| e.evidence.iter().copied()).collect(), m, n)?)?;
    d.set_item("signal", PyArray1::from_iter(py, out.iter().map(|e| e.action.signal())))?;
    d.set_item("exact", s.exact)?;
    Ok(d)
}

/// Fits the machine to `history` and `targets` (P(buy) wanted: 1, ½ or 0 per row): the fitted
/// parameters plus `{n_iter, converged, loss_curve, prior_log_likelihood, log_likelihood, exact}`.
#[pyfunction]
#[pyo3(signature = (
    history, targets, beta, threshold, num_samples, burn_in, exact, max_iter, alpha, tol, seed, progress = None
))]
#[allow(clippy::too_many_arguments)]
pub fn qar_fit<'py>(
    py: Python<'py>,
    history: &Bound<'py, PyAny>,
    targets: &Bound<'py, PyAny>,
    beta: f64,
    threshold: f64,
    num_samples: PyInt,
    burn_in: PyInt,
    exact: Option<bool>,
    max_iter: PyInt,
    alpha: f64,
    tol: f64,
    seed: Option<&Bound<'py, PyAny>>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let (f, _, n) = rows(history, "history")?;
    qar::check_num_factors(n)?;
    let t = args::real_1d(targets, "outcomes")?.to_vec()?;
    let s = settings(n, beta, threshold, num_samples, burn_in, exact)?;
    let opts = FitOptions {
        max_iter: args::count(max_iter, "max_iter", 1)?,
        alpha,
        tol,
        seed: resolve_seed(args::seed(seed)?),
    };
    let r = with_progress(py, progress, ("fit", "iteration"), |control| fit(n, &f, &t, &s, &opts, control))?;
    let d = params_dict(py, &r.params)?;
    d.set_item("n_iter", r.n_iter)?;
    d.set_item("converged", r.converged)?;
    d.set_item("loss_curve", PyArray1::from_vec(py, r.loss_curve))?;
    d.set_item("prior_log_likelihood", r.prior_log_likelihood)?;
    d.set_item("log_likelihood", r.log_likelihood)?;
    d.set_item("exact", s.exact)?;
    Ok(d)
}

/// Limits the Python class reports: `(MAX_FACTORS, MAX_EXACT_FACTORS, AUTO_EXACT_FACTORS)`.
#[pyfunction]
pub fn qar_limits() -> (usize, usize, usize) {
    (qar::MAX_FACTORS, qar::MAX_EXACT_FACTORS, qar::AUTO_EXACT_FACTORS)
}
