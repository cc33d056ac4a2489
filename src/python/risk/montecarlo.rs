//! Bindings: Monte Carlo VaR and CVaR (`risk::montecarlo`). The Python functions users call, and
//! the result class, are in `python/quantumpanarchy/_risk/montecarlo.py`.

use crate::backend::Choice;
use crate::error::Error;
use crate::python::args::{self, PyInt};
use crate::python::run::{detach, run_long};
use crate::risk::montecarlo::{self, tail, Distribution, Model, TailPart};
use crate::rng::resolve_seed;
use numpy::{PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Adds this part's functions to the `risk` module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(mc_var, m)?)?;
    m.add_function(wrap_pyfunction!(mc_simulate_returns, m)?)?;
    m.add_function(wrap_pyfunction!(mc_gpu_roofline, m)?)?;
    m.add_function(wrap_pyfunction!(mc_var_part, m)?)?;
    m.add_function(wrap_pyfunction!(mc_var_merge, m)?)?;
    m.add("MC_SUM_CHUNK", tail::SUM_CHUNK)?;
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

/// The weights, one per asset of `model`.
fn weights(weights: &Bound<'_, PyAny>, model: &Model) -> PyResult<Vec<f64>> {
    let w = args::real_1d(weights, "weights")?;
    if w.len() != model.num_assets {
        return Err(Error::InvalidInput(format!(
            "weights must have one value per asset ({}), got shape {}",
            model.num_assets,
            args::shape_text(w.shape())
        ))
        .into());
    }
    Ok(w.to_vec()?)
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
    let w = self::weights(weights, &model)?;
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

/// A [`TailPart`] as it travels through Python (pickled to and from Dask workers):
/// `(first, count, below, max_below, kept, per_block)`.
type PartTuple<'py> = (usize, usize, usize, f64, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<u64>>);
/// A [`PartTuple`] as it comes back from Python.
type PartIn<'py> = (usize, usize, usize, f64, PyReadonlyArray1<'py, f64>, PyReadonlyArray1<'py, u64>);

/// The tail part of scenarios `first..first + count` of a Monte Carlo VaR run of `num_scenarios`
/// (CPU), for [`mc_var_merge`]; `count = 0` checks the arguments only.
#[pyfunction]
#[pyo3(signature = (
    mean, cov, weights, alpha, first, count, num_scenarios, horizon, distribution, dof, seed, keep_all
))]
#[allow(clippy::too_many_arguments)]
pub fn mc_var_part<'py>(
    py: Python<'py>,
    mean: &Bound<'py, PyAny>,
    cov: &Bound<'py, PyAny>,
    weights: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] alpha: f64,
    #[pyo3(from_py_with = args::int)] first: PyInt,
    #[pyo3(from_py_with = args::int)] count: PyInt,
    #[pyo3(from_py_with = args::int)] num_scenarios: PyInt,
    #[pyo3(from_py_with = args::real)] horizon: f64,
    #[pyo3(from_py_with = args::text)] distribution: &str,
    #[pyo3(from_py_with = args::opt_real)] dof: Option<f64>,
    seed: &Bound<'py, PyAny>,
    keep_all: bool,
) -> PyResult<PartTuple<'py>> {
    tail::check_alpha(alpha)?;
    let total = scenarios_count(num_scenarios, 2)?;
    let first = args::count(first, "first", 0)?;
    let count = args::count(count, "count", 0)?;
    let (model, _) = self::model(py, mean, cov, horizon, distribution, dof, Some(seed))?;
    let w = self::weights(weights, &model)?;
    let p =
        run_long(py, None, |c| montecarlo::monte_carlo_var_part(&model, &w, alpha, first, count, total, keep_all, c))?;
    let per_block: Vec<u64> = p.per_block.iter().map(|&k| k as u64).collect();
    Ok((p.first, p.count, p.below, p.max_below, PyArray1::from_vec(py, p.kept), PyArray1::from_vec(py, per_block)))
}

/// `{var, cvar, var_stderr, cvar_stderr, tail_count, density}` of the run whose consecutive
/// ranges are `parts` (from [`mc_var_part`]), or None when a part must be made again with
/// `keep_all`.
#[pyfunction]
pub fn mc_var_merge<'py>(
    py: Python<'py>,
    parts: Vec<PartIn<'py>>,
    #[pyo3(from_py_with = args::real)] alpha: f64,
) -> PyResult<Option<Bound<'py, PyDict>>> {
    let parts = parts
        .into_iter()
        .map(|(first, count, below, max_below, kept, per_block)| {
            Ok(TailPart {
                first,
                count,
                below,
                max_below,
                kept: kept.to_vec()?,
                per_block: per_block.as_slice()?.iter().map(|&k| k as usize).collect(),
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let Some(t) = detach(py, || tail::merge(&parts, alpha))? else { return Ok(None) };
    let d = PyDict::new(py);
    d.set_item("var", t.var)?;
    d.set_item("cvar", t.cvar)?;
    d.set_item("var_stderr", t.var_stderr)?;
    d.set_item("cvar_stderr", t.cvar_stderr)?;
    d.set_item("tail_count", t.tail_count)?;
    d.set_item("density", t.density)?;
    Ok(Some(d))
}
