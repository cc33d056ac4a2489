//! Bindings: market regimes: a Gaussian hidden Markov model. Stateless functions behind the
//! Python class `quantumpanarchy.risk.RegimeModel` (python/quantumpanarchy/_risk/regime.py), which
//! keeps the parameters as numpy arrays, so it pickles like any scikit-learn estimator.

use crate::error::{try_collect, Error};
use crate::risk::regime::{self, Covariance, FitOptions, Hmm, InitMethod, Observations, Priors};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::python::args::{self, PyInt};
use crate::python::run::run_sized;

/// A 2-D real array as row-major float64 values and its shape.
fn rows(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<(Vec<f64>, usize, usize)> {
    let a = args::real_2d(obj, name)?;
    let (m, n) = (a.shape()[0], a.shape()[1]);
    Ok((a.to_vec()?, m, n))
}

/// `lengths` (None: one sequence of `t` rows) as sequence lengths.
fn lengths(obj: Option<&Bound<'_, PyAny>>, t: usize) -> PyResult<Vec<usize>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(vec![t]) };
    let idx = args::indices(obj, "lengths")?;
    if idx.len() == 0 || idx.len() > t {
        let n = idx.len();
        return Err(Error::InvalidInput(format!(
            "lengths must hold 1 to {t} sequence lengths (one per sequence), got {n}"
        ))
        .into());
    }
    if idx.iter().any(|v| v < 1) {
        return Err(Error::InvalidInput("lengths must hold positive integers".into()).into());
    }
    let mut out = crate::error::try_with_capacity(idx.len(), "the sequence lengths")?;
    out.extend(idx.iter().map(|v| v as usize));
    Ok(out)
}

/// A model from the arrays the Python class keeps (covariances flattened per state).
fn model(
    startprob: &Bound<'_, PyAny>,
    transmat: &Bound<'_, PyAny>,
    means: &Bound<'_, PyAny>,
    covars: &Bound<'_, PyAny>,
    covariance_type: &str,
) -> PyResult<Hmm> {
    let cov = Covariance::parse(covariance_type)?;
    let (means, k, d) = rows(means, "means_")?;
    let (transmat, _, _) = rows(transmat, "transmat_")?;
    let (covars, _, _) = rows(covars, "covars_")?;
    let m = Hmm { k, d, cov, startprob: args::real_1d(startprob, "startprob_")?.to_vec()?, transmat, means, covars };
    m.validate()?;
    Ok(m)
}

/// Work units (simple operations) of one pass over `t` rows.
fn pass_units(m: &Hmm, t: usize) -> u64 {
    (t as u64).saturating_mul((m.k * m.k + m.k * m.cov.per_state(m.d) + 1) as u64)
}

fn matrix(py: Python<'_>, v: Vec<f64>, m: usize, n: usize) -> PyResult<Bound<'_, PyAny>> {
    Ok(PyArray1::from_vec(py, v).reshape([m, n])?.into_any())
}

/// The observations `X` (2-D) with its sequence lengths; `d` columns expected when given.
fn data(
    x: &Bound<'_, PyAny>,
    lens: Option<&Bound<'_, PyAny>>,
    d: Option<usize>,
) -> PyResult<(Vec<f64>, usize, Vec<usize>)> {
    // shapes first: a wrong-shaped view of 10**9 values is refused before it is copied
    let a = args::real_2d(x, "X")?;
    let (t, cols) = (a.shape()[0], a.shape()[1]);
    if cols > regime::MAX_FEATURES {
        let max = regime::MAX_FEATURES;
        return Err(Error::InvalidInput(format!("X may have at most {max} features (columns), got {cols}")).into());
    }
    if let Some(d) = d {
        if cols != d {
            return Err(
                Error::InvalidInput(format!("X must have {d} features (columns) as the model, got {cols}")).into()
            );
        }
    }
    let l = lengths(lens, t)?;
    let x = a.to_vec()?;
    Observations::new(&x, cols, &l)?;
    Ok((x, cols, l))
}

/// `obj` unless it is None.
fn some<'a, 'py>(obj: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    obj.filter(|o| !o.is_none())
}

/// Fits a Gaussian HMM: `{startprob, transmat, means, covars, history, n_iter, converged}`, the
/// states ordered by volatility; `covars` flattened per state.
#[pyfunction]
#[pyo3(signature = (
    x, lengths, num_regimes, covariance_type, n_iter, tol, init, seed, startprob_prior, transmat_prior, means_prior,
    means_weight, covars_prior, covars_weight, min_covar, startprob_init = None, transmat_init = None,
    means_init = None, covars_init = None
))]
#[allow(clippy::too_many_arguments)]
pub fn regime_fit<'py>(
    py: Python<'py>,
    x: &Bound<'py, PyAny>,
    lengths: Option<&Bound<'py, PyAny>>,
    num_regimes: PyInt,
    #[pyo3(from_py_with = args::text)] covariance_type: &str,
    n_iter: PyInt,
    #[pyo3(from_py_with = args::real)] tol: f64,
    #[pyo3(from_py_with = args::text)] init: &str,
    seed: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = args::real)] startprob_prior: f64,
    #[pyo3(from_py_with = args::real)] transmat_prior: f64,
    #[pyo3(from_py_with = args::real)] means_prior: f64,
    #[pyo3(from_py_with = args::real)] means_weight: f64,
    #[pyo3(from_py_with = args::opt_real)] covars_prior: Option<f64>,
    #[pyo3(from_py_with = args::real)] covars_weight: f64,
    #[pyo3(from_py_with = args::opt_real)] min_covar: Option<f64>,
    startprob_init: Option<&Bound<'py, PyAny>>,
    transmat_init: Option<&Bound<'py, PyAny>>,
    means_init: Option<&Bound<'py, PyAny>>,
    covars_init: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let k = args::count(num_regimes, "num_regimes", 1)?;
    let cov = Covariance::parse(covariance_type)?;
    let n_iter = args::count(n_iter, "n_iter", 0)?;
    let init = InitMethod::parse(init)?;
    let seed = crate::rng::resolve_seed(args::seed(seed)?);
    let (xv, d, l) = data(x, lengths, None)?;
    let opts = FitOptions {
        k,
        cov,
        n_iter,
        tol,
        init,
        seed,
        priors: Priors {
            startprob: startprob_prior,
            transmat: transmat_prior,
            means_prior,
            means_weight,
            covars_prior,
            covars_weight,
            min_covar,
        },
        startprob: some(startprob_init)
            .map(|o| Ok::<_, PyErr>(args::real_1d(o, "startprob_init")?.to_vec()?))
            .transpose()?,
        transmat: some(transmat_init).map(|o| Ok::<_, PyErr>(rows(o, "transmat_init")?.0)).transpose()?,
        means: some(means_init).map(|o| Ok::<_, PyErr>(rows(o, "means_init")?.0)).transpose()?,
        covars: some(covars_init).map(|o| Ok::<_, PyErr>(rows(o, "covars_init")?.0)).transpose()?,
    };
    let t = xv.len() / d;
    let per_pass = (t as u64).saturating_mul((k * k + k * cov.per_state(d) + 1) as u64);
    let units = per_pass.saturating_mul(n_iter.max(1) as u64).saturating_mul(4);
    let r = run_sized(py, units, |control| {
        let obs = Observations::new(&xv, d, &l)?;
        regime::fit(&obs, &opts, control)
    })?;
    let m = r.model;
    let out = PyDict::new(py);
    out.set_item("startprob", PyArray1::from_vec(py, m.startprob))?;
    out.set_item("transmat", matrix(py, m.transmat, k, k)?)?;
    out.set_item("means", matrix(py, m.means, k, d)?)?;
    out.set_item("covars", matrix(py, m.covars, k, cov.per_state(d))?)?;
    out.set_item("history", PyArray1::from_vec(py, r.history))?;
    out.set_item("n_iter", r.n_iter)?;
    out.set_item("converged", r.converged)?;
    Ok(out)
}

/// `ln p(X)` summed over the sequences.
#[pyfunction]
#[pyo3(signature = (startprob, transmat, means, covars, covariance_type, x, lengths = None))]
#[allow(clippy::too_many_arguments)]
pub fn regime_score<'py>(
    py: Python<'py>,
    startprob: &Bound<'py, PyAny>,
    transmat: &Bound<'py, PyAny>,
    means: &Bound<'py, PyAny>,
    covars: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::text)] covariance_type: &str,
    x: &Bound<'py, PyAny>,
    lengths: Option<&Bound<'py, PyAny>>,
) -> PyResult<f64> {
    let m = model(startprob, transmat, means, covars, covariance_type)?;
    let (xv, d, l) = data(x, lengths, Some(m.d))?;
    let units = pass_units(&m, xv.len() / d);
    run_sized(py, units, |control| regime::score(&m, &Observations::new(&xv, d, &l)?, control))
}

/// `(ln p(X), posteriors)`: the smoothed state probabilities, `T × k`.
#[pyfunction]
#[pyo3(signature = (startprob, transmat, means, covars, covariance_type, x, lengths = None))]
#[allow(clippy::too_many_arguments)]
pub fn regime_posteriors<'py>(
    py: Python<'py>,
    startprob: &Bound<'py, PyAny>,
    transmat: &Bound<'py, PyAny>,
    means: &Bound<'py, PyAny>,
    covars: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::text)] covariance_type: &str,
    x: &Bound<'py, PyAny>,
    lengths: Option<&Bound<'py, PyAny>>,
) -> PyResult<(f64, Bound<'py, PyAny>)> {
    let m = model(startprob, transmat, means, covars, covariance_type)?;
    let (xv, d, l) = data(x, lengths, Some(m.d))?;
    let t = xv.len() / d;
    let units = pass_units(&m, t).saturating_mul(2);
    let (ll, g) = run_sized(py, units, |control| regime::posteriors(&m, &Observations::new(&xv, d, &l)?, control))?;
    Ok((ll, matrix(py, g, t, m.k)?))
}

/// `(log-probability of the Viterbi path, its states)`.
#[pyfunction]
#[pyo3(signature = (startprob, transmat, means, covars, covariance_type, x, lengths = None))]
#[allow(clippy::too_many_arguments)]
pub fn regime_viterbi<'py>(
    py: Python<'py>,
    startprob: &Bound<'py, PyAny>,
    transmat: &Bound<'py, PyAny>,
    means: &Bound<'py, PyAny>,
    covars: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::text)] covariance_type: &str,
    x: &Bound<'py, PyAny>,
    lengths: Option<&Bound<'py, PyAny>>,
) -> PyResult<(f64, Bound<'py, PyArray1<i64>>)> {
    let m = model(startprob, transmat, means, covars, covariance_type)?;
    let (xv, d, l) = data(x, lengths, Some(m.d))?;
    let units = pass_units(&m, xv.len() / d);
    let (lp, s) = run_sized(py, units, |control| regime::viterbi(&m, &Observations::new(&xv, d, &l)?, control))?;
    Ok((lp, states_array(py, s)?))
}

/// `(X, states)`: `n` observations simulated from the model.
#[pyfunction]
#[pyo3(signature = (startprob, transmat, means, covars, covariance_type, n, seed = None))]
#[allow(clippy::too_many_arguments)]
pub fn regime_sample<'py>(
    py: Python<'py>,
    startprob: &Bound<'py, PyAny>,
    transmat: &Bound<'py, PyAny>,
    means: &Bound<'py, PyAny>,
    covars: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::text)] covariance_type: &str,
    n: PyInt,
    seed: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyArray1<i64>>)> {
    let m = model(startprob, transmat, means, covars, covariance_type)?;
    let n = args::count(n, "n_samples", 1)?;
    let seed = crate::rng::resolve_seed(args::seed(seed)?);
    let units = (n as u64).saturating_mul((m.k + m.d * m.d + 1) as u64);
    let (x, s) = run_sized(py, units, |control| regime::sample(&m, n, seed, control))?;
    Ok((matrix(py, x, n, m.d)?, states_array(py, s)?))
}

/// States as an int64 numpy array (the copy is fallible; numpy then takes the buffer as it is).
fn states_array(py: Python<'_>, s: Vec<usize>) -> PyResult<Bound<'_, PyArray1<i64>>> {
    let s = try_collect(s.iter().map(|&v| v as i64), "the states")?;
    Ok(PyArray1::from_vec(py, s))
}

/// `(MAX_STATES, MAX_FEATURES)`.
#[pyfunction]
pub fn regime_limits() -> (usize, usize) {
    (regime::MAX_STATES, regime::MAX_FEATURES)
}

/// Adds this part's functions and classes to the `risk` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(regime_fit, m)?)?;
    m.add_function(wrap_pyfunction!(regime_score, m)?)?;
    m.add_function(wrap_pyfunction!(regime_posteriors, m)?)?;
    m.add_function(wrap_pyfunction!(regime_viterbi, m)?)?;
    m.add_function(wrap_pyfunction!(regime_sample, m)?)?;
    m.add_function(wrap_pyfunction!(regime_limits, m)?)?;
    Ok(())
}
