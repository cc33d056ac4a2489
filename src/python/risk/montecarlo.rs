//! Bindings: Monte Carlo VaR and CVaR (`risk::montecarlo`). The Python functions users call, and
//! the result class, are in `python/quantumpanarchy/_risk/montecarlo.py`.

use crate::backend::Choice;
use crate::error::Error;
use crate::python::args::{self, PyInt};
use crate::python::run::{detach, run_long};
use crate::risk::montecarlo::{self, Distribution, Model};
use crate::rng::resolve_seed;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Adds this part's functions to the `risk` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mc_var, m)?)?;
    m.add_function(wrap_pyfunction!(mc_simulate_returns, m)?)?;
    m.add_function(wrap_pyfunction!(mc_gpu_roofline, m)?)?;
    Ok(())
}

/// The validated model and the seed it was drawn with.
#[allow(clippy::too_many_arguments)]
fn model(
    py: Python<'_>,
    mean: &Bound<'_, PyAny>,
    cov: &Bound<'_, PyAny>,
    horizon: f64,
    distribution: &str,
    dof: Option<f64>,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<(Model, u64)> {
    let mean = args::real_1d(mean, "mean")?;
    let cov = args::real_2d(cov, "cov")?;
    let n = mean.len();
    let shape = cov.shape();
    if shape != [n, n] {
        return Err(Error::InvalidInput(format!(
            "cov must have shape ({n}, {n}) to match mean's {n} assets, got {}",
            args::shape_text(shape)
        ))
        .into());
    }
    let dist = Distribution::parse(distribution, dof)?;
    let seed = resolve_seed(args::seed(seed)?);
    let (mean, cov) = (mean.to_vec()?, cov.to_vec()?);
    let m = detach(py, || Model::new(&mean, &cov, horizon, dist, seed))?;
    Ok((m, seed))
}

fn backend(name: &str) -> PyResult<Choice> {
    Ok(Choice::parse(name)?)
}

fn scenarios_count(num_scenarios: PyInt, min: PyInt) -> PyResult<usize> {
    args::count(num_scenarios, "num_scenarios", min)
}

/// `{var, cvar, var_stderr, cvar_stderr, num_scenarios, tail_count, density, seed, backend,
/// scenarios}` (scenarios: an array of num_scenarios × assets, or None).
#[pyfunction]
#[pyo3(signature = (
    mean, cov, weights, alpha, num_scenarios, horizon, distribution, dof, seed, backend, progress, return_scenarios
))]
#[allow(clippy::too_many_arguments)]
pub fn mc_var<'py>(
    py: Python<'py>,
    mean: &Bound<'py, PyAny>,
    cov: &Bound<'py, PyAny>,
    weights: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] alpha: f64,
    #[pyo3(from_py_with = args::int)] num_scenarios: PyInt,
    #[pyo3(from_py_with = args::real)] horizon: f64,
    #[pyo3(from_py_with = args::text)] distribution: &str,
    #[pyo3(from_py_with = args::opt_real)] dof: Option<f64>,
    seed: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = args::text)] backend: &str,
    progress: Option<&Bound<'py, PyAny>>,
    return_scenarios: bool,
) -> PyResult<Bound<'py, PyDict>> {
    crate::risk::montecarlo::tail::check_alpha(alpha)?;
    let n = scenarios_count(num_scenarios, 2)?;
    let choice = self::backend(backend)?;
    let (model, seed) = self::model(py, mean, cov, horizon, distribution, dof, seed)?;
    let w = args::real_1d(weights, "weights")?;
    if w.len() != model.num_assets {
        return Err(Error::InvalidInput(format!(
            "weights must have one value per asset ({}), got shape {}",
            model.num_assets,
            args::shape_text(w.shape())
        ))
        .into());
    }
    let w = w.to_vec()?;
    let cb = args::progress(py, progress, "Monte Carlo VaR", "scenario")?;
    let out =
        run_long(py, cb.as_ref(), |c| montecarlo::monte_carlo_var(&model, &w, alpha, n, choice, return_scenarios, c));
    args::close_progress(cb)?;
    let r = out?;
    let d = PyDict::new(py);
    d.set_item("var", r.tail.var)?;
    d.set_item("cvar", r.tail.cvar)?;
    d.set_item("var_stderr", r.tail.var_stderr)?;
    d.set_item("cvar_stderr", r.tail.cvar_stderr)?;
    d.set_item("num_scenarios", r.num_scenarios)?;
    d.set_item("tail_count", r.tail.tail_count)?;
    d.set_item("density", r.tail.density)?;
    d.set_item("seed", seed)?;
    d.set_item("backend", r.backend.name())?;
    match r.scenarios {
        Some(x) => d.set_item("scenarios", PyArray1::from_vec(py, x).reshape([n, model.num_assets])?)?,
        None => d.set_item("scenarios", py.None())?,
    }
    Ok(d)
}

/// The scenario matrix (num_scenarios × assets) and the seed it was drawn with.
#[pyfunction]
#[pyo3(signature = (mean, cov, num_scenarios, horizon, distribution, dof, seed, backend, progress))]
#[allow(clippy::too_many_arguments)]
pub fn mc_simulate_returns<'py>(
    py: Python<'py>,
    mean: &Bound<'py, PyAny>,
    cov: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] num_scenarios: PyInt,
    #[pyo3(from_py_with = args::real)] horizon: f64,
    #[pyo3(from_py_with = args::text)] distribution: &str,
    #[pyo3(from_py_with = args::opt_real)] dof: Option<f64>,
    seed: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = args::text)] backend: &str,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<(Bound<'py, PyAny>, u64)> {
    let n = scenarios_count(num_scenarios, 1)?;
    let choice = self::backend(backend)?;
    let (model, seed) = self::model(py, mean, cov, horizon, distribution, dof, seed)?;
    let cb = args::progress(py, progress, "scenarios", "scenario")?;
    let out = run_long(py, cb.as_ref(), |c| montecarlo::simulate_returns(&model, n, choice, c));
    args::close_progress(cb)?;
    let x = out?;
    Ok((PyArray1::from_vec(py, x).reshape([n, model.num_assets])?.into_any(), seed))
}

/// For the benchmark: (seconds of the RNG-only kernel, seconds of the scenario kernel) for
/// `num_scenarios` scenarios on the GPU. `BackendUnavailableError` without one.
#[pyfunction]
pub fn mc_gpu_roofline<'py>(
    py: Python<'py>,
    mean: &Bound<'py, PyAny>,
    cov: &Bound<'py, PyAny>,
    weights: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::int)] num_scenarios: PyInt,
    #[pyo3(from_py_with = args::text)] distribution: &str,
    #[pyo3(from_py_with = args::opt_real)] dof: Option<f64>,
) -> PyResult<(f64, f64)> {
    let n = scenarios_count(num_scenarios, 1)?;
    let (model, _) = self::model(py, mean, cov, 1.0, distribution, dof, None)?;
    let w = args::real_1d(weights, "weights")?.to_vec()?;
    let position = montecarlo::Linear::new(&w, model.num_assets)?;
    montecarlo::choose_backend(Choice::Cuda, &model, n)?;
    #[cfg(feature = "cuda")]
    {
        detach(py, || montecarlo::cuda::time_rng_and_scenarios(&model, &position, n))
    }
    #[cfg(not(feature = "cuda"))]
    {
        let _ = position;
        Err(Error::BackendUnavailable("this build has no CUDA backend".into()).into())
    }
}
