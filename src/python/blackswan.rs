//! `quantumpanarchy.blackswan` bindings: stateless native functions behind the typed Python
//! functions and classes in `python/quantumpanarchy/_blackswan/` (which validate the scalar
//! arguments, hold the fitted parameters and build the results).

use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::blackswan::return_level::{return_levels, Ci, Levels, Model};
use crate::blackswan::{check_data, check_sample, diagnostics, exceedances, gev, gpd, quantile};
use crate::control::Control;
use crate::error::{try_collect, Error};
use crate::parallel::install;
use crate::python::args::{self, PyInt};
use crate::python::run::{detach, run_long, run_sized};
use crate::rng::resolve_seed;

/// `(level, lower, upper)` arrays.
type LevelArrays<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>);

/// The default threshold: the 95% quantile of the data (numpy's linear interpolation).
pub const DEFAULT_QUANTILE: f64 = 0.95;

fn data_vec(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Vec<f64>> {
    let v = args::real_1d(obj, name)?.to_vec()?;
    check_data(&v, name)?;
    Ok(v)
}

fn arr<'py>(py: Python<'py>, v: Vec<f64>) -> Bound<'py, PyArray1<f64>> {
    PyArray1::from_vec(py, v)
}

/// Fits the GPD to the exceedances of `data` over `threshold` (default: the 95% quantile):
/// `{xi, sigma, threshold, num_exceedances, num_observations, loglik, cov, boundary, exceedances}`.
#[pyfunction]
#[pyo3(signature = (data, threshold = None))]
pub fn gpd_fit<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::opt_real)] threshold: Option<f64>,
) -> PyResult<Bound<'py, PyDict>> {
    let x = data_vec(data, "data")?;
    let n = x.len();
    let (u, y, fit) = run_sized(py, (n as u64).saturating_mul(200), |control| {
        let u = match threshold {
            Some(u) => {
                if !u.is_finite() {
                    return Err(crate::invalid!("threshold must be finite, got {u}"));
                }
                u
            }
            None => quantile(&x, DEFAULT_QUANTILE)?,
        };
        let y = exceedances(&x, u)?;
        check_sample(&y, "exceedances", &gpd::too_few_hint(u))?;
        let fit = install(|| gpd::fit(&y, control))??;
        Ok((u, y, fit))
    })?;
    let d = PyDict::new(py);
    d.set_item("xi", fit.xi)?;
    d.set_item("sigma", fit.sigma)?;
    d.set_item("threshold", u)?;
    d.set_item("num_exceedances", y.len())?;
    d.set_item("num_observations", n)?;
    d.set_item("loglik", fit.loglik)?;
    d.set_item("cov", fit.cov.map(|c| c.to_vec()))?;
    d.set_item("boundary", fit.boundary)?;
    d.set_item("exceedances", arr(py, y))?;
    Ok(d)
}

/// Fits the GEV to block maxima: `{mu, sigma, xi, loglik, cov}`.
#[pyfunction]
pub fn gev_fit<'py>(py: Python<'py>, maxima: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyDict>> {
    let x = data_vec(maxima, "block_maxima")?;
    let fit = run_long(py, None, |control| install(|| gev::fit(&x, control))?)?;
    let d = PyDict::new(py);
    d.set_item("mu", fit.mu)?;
    d.set_item("sigma", fit.sigma)?;
    d.set_item("xi", fit.xi)?;
    d.set_item("loglik", fit.loglik)?;
    d.set_item("cov", fit.cov.map(|c| c.to_vec()))?;
    Ok(d)
}

fn parse_ci(ci: &str, num_bootstrap: PyInt, seed: Option<&Bound<'_, PyAny>>, bootstrap: &str) -> PyResult<Ci> {
    Ok(match ci {
        "none" => Ci::None,
        "delta" => Ci::Delta,
        "profile" => Ci::Profile,
        "bootstrap" => {
            let parametric = match bootstrap {
                "parametric" => true,
                "nonparametric" => false,
                other => {
                    return Err(Error::InvalidInput(format!(
                        "bootstrap must be 'parametric' or 'nonparametric', got {other:?}"
                    ))
                    .into())
                }
            };
            Ci::Bootstrap {
                num: args::count(num_bootstrap, "num_bootstrap", 10)?,
                seed: resolve_seed(args::seed(seed)?),
                parametric,
            }
        }
        other => {
            return Err(Error::InvalidInput(format!(
                "ci must be None, 'delta', 'profile' or 'bootstrap', got {other:?}"
            ))
            .into())
        }
    })
}

fn cov_array<const K: usize>(cov: Option<Vec<f64>>) -> PyResult<Option<[f64; K]>> {
    match cov {
        None => Ok(None),
        Some(v) if v.len() == K && v.iter().all(|x| x.is_finite()) => {
            let mut a = [0.0; K];
            a.copy_from_slice(&v);
            Ok(Some(a))
        }
        Some(_) => Err(Error::InvalidInput(format!("cov must hold {K} finite values")).into()),
    }
}

fn run_levels<'py>(
    py: Python<'py>,
    model: &Model<'_>,
    periods: &Bound<'py, PyAny>,
    ci: Ci,
    alpha: f64,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<LevelArrays<'py>> {
    let p = args::real_1d(periods, "period")?.to_vec()?;
    let work = |control: &Control| install(|| return_levels(model, &p, ci, alpha, control))?;
    let Levels { level, lower, upper } = match ci {
        Ci::None | Ci::Delta => detach(py, || work(&Control::new()))?,
        _ => {
            let cb = args::progress(py, progress, "return level", "replicate")?;
            let out = run_long(py, cb.as_ref(), work);
            args::close_progress(cb)?;
            out?
        }
    };
    Ok((arr(py, level), arr(py, lower), arr(py, upper)))
}

/// Return levels of a POT fit: `(level, lower, upper)` arrays (the bounds empty for `ci="none"`).
#[pyfunction]
#[pyo3(signature = (
    exceedances, num_observations, threshold, xi, sigma, loglik, cov, period, ci, alpha, num_bootstrap, seed, bootstrap,
    progress = None
))]
#[allow(clippy::too_many_arguments)]
pub fn gpd_return_levels<'py>(
    py: Python<'py>,
    exceedances: &Bound<'py, PyAny>,
    num_observations: PyInt,
    #[pyo3(from_py_with = args::real)] threshold: f64,
    #[pyo3(from_py_with = args::real)] xi: f64,
    #[pyo3(from_py_with = args::real)] sigma: f64,
    #[pyo3(from_py_with = args::real)] loglik: f64,
    cov: Option<Vec<f64>>,
    period: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::text)] ci: &str,
    #[pyo3(from_py_with = args::real)] alpha: f64,
    num_bootstrap: PyInt,
    seed: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = args::text)] bootstrap: &str,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<LevelArrays<'py>> {
    let y = data_vec(exceedances, "exceedances")?;
    let n = args::count(num_observations, "num_observations", 1)?;
    if n < y.len() {
        return Err(Error::InvalidInput(format!(
            "num_observations ({n}) must be at least the number of exceedances ({})",
            y.len()
        ))
        .into());
    }
    for (name, v) in [("threshold", threshold), ("xi", xi), ("sigma", sigma), ("loglik", loglik)] {
        if !v.is_finite() {
            return Err(Error::InvalidInput(format!("{name} must be finite, got {v}")).into());
        }
    }
    if sigma <= 0.0 {
        return Err(Error::InvalidInput(format!("sigma must be positive, got {sigma}")).into());
    }
    let fit = gpd::GpdFit { xi, sigma, loglik, cov: cov_array::<4>(cov)?, boundary: false };
    let ci = parse_ci(ci, num_bootstrap, seed, bootstrap)?;
    let model = Model::Pot { y: &y, num_obs: n, threshold, fit };
    run_levels(py, &model, period, ci, alpha, progress)
}

/// Return levels of a GEV fit (period in blocks): `(level, lower, upper)` arrays.
#[pyfunction]
#[pyo3(signature = (maxima, mu, sigma, xi, loglik, cov, period, ci, alpha, num_bootstrap, seed, bootstrap, progress = None))]
#[allow(clippy::too_many_arguments)]
pub fn gev_return_levels<'py>(
    py: Python<'py>,
    maxima: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] mu: f64,
    #[pyo3(from_py_with = args::real)] sigma: f64,
    #[pyo3(from_py_with = args::real)] xi: f64,
    #[pyo3(from_py_with = args::real)] loglik: f64,
    cov: Option<Vec<f64>>,
    period: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::text)] ci: &str,
    #[pyo3(from_py_with = args::real)] alpha: f64,
    num_bootstrap: PyInt,
    seed: Option<&Bound<'py, PyAny>>,
    #[pyo3(from_py_with = args::text)] bootstrap: &str,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<LevelArrays<'py>> {
    let x = data_vec(maxima, "block_maxima")?;
    for (name, v) in [("mu", mu), ("xi", xi), ("sigma", sigma), ("loglik", loglik)] {
        if !v.is_finite() {
            return Err(Error::InvalidInput(format!("{name} must be finite, got {v}")).into());
        }
    }
    if sigma <= 0.0 {
        return Err(Error::InvalidInput(format!("sigma must be positive, got {sigma}")).into());
    }
    let fit = gev::GevFit { mu, sigma, xi, loglik, cov: cov_array::<9>(cov)? };
    let ci = parse_ci(ci, num_bootstrap, seed, bootstrap)?;
    let model = Model::Bm { x: &x, fit };
    run_levels(py, &model, period, ci, alpha, progress)
}

/// Hill's estimates of ξ for each `k` of `ks`.
#[pyfunction]
pub fn hill_curve<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    ks: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let x = data_vec(data, "data")?;
    let ks = args::index_1d(ks, "k")?;
    let ks: Vec<usize> = try_collect(ks.iter().map(|&k| usize::try_from(k).unwrap_or(0)), "k")?;
    let n = x.len() as u64;
    let out = run_sized(py, n.saturating_mul(40), |_| install(|| diagnostics::hill_curve(&x, &ks))?)?;
    Ok(arr(py, out))
}

/// The mean residual life: `(mean_excess, lower, upper, num_exceedances)` per threshold.
#[pyfunction]
pub fn mean_residual_life<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    thresholds: &Bound<'py, PyAny>,
    #[pyo3(from_py_with = args::real)] alpha: f64,
) -> PyResult<[Bound<'py, PyArray1<f64>>; 4]> {
    let x = data_vec(data, "data")?;
    let u = args::real_1d(thresholds, "thresholds")?.to_vec()?;
    let work = (x.len() as u64).saturating_mul(u.len() as u64 + 40);
    let out = run_sized(py, work, |control| install(|| diagnostics::mean_residual_life(&x, &u, alpha, control))?)?;
    Ok(out.map(|v| arr(py, v)))
}

/// GPD fits over each threshold: `(xi, xi_stderr, sigma, sigma_star, sigma_star_stderr, count)`.
#[pyfunction]
#[pyo3(signature = (data, thresholds, progress = None))]
pub fn parameter_stability<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    thresholds: &Bound<'py, PyAny>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<[Bound<'py, PyArray1<f64>>; 6]> {
    let x = data_vec(data, "data")?;
    let u = args::real_1d(thresholds, "thresholds")?.to_vec()?;
    let cb = args::progress(py, progress, "parameter stability", "threshold")?;
    let out = run_long(py, cb.as_ref(), |control| install(|| diagnostics::parameter_stability(&x, &u, control))?);
    args::close_progress(cb)?;
    Ok(out?.map(|v| arr(py, v)))
}

/// The default threshold quantile.
#[pyfunction]
pub fn default_quantile() -> f64 {
    DEFAULT_QUANTILE
}

#[pymodule(gil_used = false, submodule)]
pub mod blackswan {
    use pyo3::prelude::*;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        use super::*;
        m.add_function(wrap_pyfunction!(gpd_fit, m)?)?;
        m.add_function(wrap_pyfunction!(gev_fit, m)?)?;
        m.add_function(wrap_pyfunction!(gpd_return_levels, m)?)?;
        m.add_function(wrap_pyfunction!(gev_return_levels, m)?)?;
        m.add_function(wrap_pyfunction!(hill_curve, m)?)?;
        m.add_function(wrap_pyfunction!(mean_residual_life, m)?)?;
        m.add_function(wrap_pyfunction!(parameter_stability, m)?)?;
        m.add_function(wrap_pyfunction!(default_quantile, m)?)?;
        Ok(())
    }
}
