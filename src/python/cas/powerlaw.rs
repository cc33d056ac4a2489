//! Bindings: the power-law fit behind `quantumpanarchy.cas.PowerLawFit` (the typed class is in
//! `python/quantumpanarchy/_cas/powerlaw.py`).

use crate::cas::powerlaw::{self, Alternative, Options, PowerLaw};
use crate::python::args::{self, PyInt};
use crate::python::run::{run_long, run_sized};
use crate::rng::resolve_seed;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

/// A fitted power law (immutable; shared between threads).
#[pyclass(module = "quantumpanarchy._native.cas", name = "PowerLawCore", frozen)]
pub struct PyPowerLaw {
    inner: PowerLaw,
}

#[pymethods]
impl PyPowerLaw {
    #[new]
    #[pyo3(signature = (data, discrete, xmin=None, xmax=None))]
    fn new(
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        discrete: bool,
        #[pyo3(from_py_with = args::opt_real)] xmin: Option<f64>,
        #[pyo3(from_py_with = args::opt_real)] xmax: Option<f64>,
    ) -> PyResult<Self> {
        let values = args::real_1d(data, "data")?.to_vec()?;
        let opts = Options { discrete, xmin, xmax };
        // The scan's work grows from n log n (pruned) up to n² (every candidate in full).
        let units = (values.len() as u64).saturating_mul(256);
        let inner =
            run_sized(py, units, |control| crate::parallel::install(|| powerlaw::fit(&values, opts, control))?)?;
        Ok(Self { inner })
    }

    #[getter]
    fn alpha(&self) -> f64 {
        self.inner.alpha
    }

    #[getter]
    fn xmin(&self) -> f64 {
        self.inner.xmin
    }

    #[getter]
    fn sigma(&self) -> f64 {
        self.inner.sigma
    }

    #[getter(D)]
    fn d(&self) -> f64 {
        self.inner.d
    }

    #[getter]
    fn n(&self) -> usize {
        self.inner.n()
    }

    #[getter]
    fn n_above_max(&self) -> usize {
        self.inner.n_above_max
    }

    #[getter]
    fn noise_flag(&self) -> bool {
        self.inner.noise_flag
    }

    /// The tail values (x_min ≤ x ≤ x_max), sorted.
    fn tail<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.tail().to_vec().into_pyarray(py)
    }

    /// Every value kept (after the x_max cut), sorted.
    fn values<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.inner.sample.x.clone().into_pyarray(py)
    }

    /// (R, p, parameters of the first, parameters of the second).
    #[pyo3(signature = (dist1, dist2, nested=None, normalized_ratio=false))]
    #[allow(clippy::type_complexity)]
    fn compare(
        &self,
        py: Python<'_>,
        dist1: &str,
        dist2: &str,
        nested: Option<bool>,
        normalized_ratio: bool,
    ) -> PyResult<(f64, f64, Vec<f64>, Vec<f64>)> {
        let a = Alternative::parse(dist1)?;
        let b = Alternative::parse(dist2)?;
        let units = (self.inner.n() as u64).saturating_mul(20_000);
        let c = run_sized(py, units, |control| {
            control.check()?;
            powerlaw::compare(&self.inner, a, b, nested, normalized_ratio, control)
        })?;
        Ok((c.r, c.p, c.first.parameters, c.second.parameters))
    }

    /// (p, synthetic KS distances).
    #[pyo3(signature = (num_sims, seed=None, progress=None))]
    fn goodness_of_fit<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = args::int)] num_sims: PyInt,
        seed: Option<&Bound<'py, PyAny>>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<(f64, Bound<'py, PyArray1<f64>>)> {
        let num_sims = args::count(num_sims, "num_sims", 1)?;
        let seed = resolve_seed(args::seed(seed)?);
        let (p, ds) = run_long(py, progress, |control| {
            crate::parallel::install(|| powerlaw::goodness_of_fit(&self.inner, num_sims, seed, control))?
        })?;
        Ok((p, ds.into_pyarray(py)))
    }
}

/// ζ(s, q), the Hurwitz zeta function (NaN unless s > 1 and q > 0).
#[pyfunction]
fn hurwitz_zeta(s: f64, q: f64) -> f64 {
    powerlaw::zeta::hurwitz_zeta(s, q)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyPowerLaw>()?;
    m.add_function(wrap_pyfunction!(hurwitz_zeta, m)?)?;
    Ok(())
}
