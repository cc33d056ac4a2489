//! `Temperature`: annealing schedules.

use crate::core::schedule::Schedule;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::python::args::{self, PyInt};

/// An annealing schedule: one temperature (and β = 1/T) per step.
#[pyclass(module = "quantumpanarchy.core", name = "Temperature", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub struct PyTemperature {
    pub schedule: Schedule,
}

impl From<Schedule> for PyTemperature {
    fn from(schedule: Schedule) -> Self {
        Self { schedule }
    }
}

#[pymethods]
impl PyTemperature {
    /// T falls linearly from `t_start` to `t_end` over `steps` steps.
    #[staticmethod]
    fn linear(
        #[pyo3(from_py_with = args::real)] t_start: f64,
        #[pyo3(from_py_with = args::real)] t_end: f64,
        #[pyo3(from_py_with = args::int)] steps: PyInt,
    ) -> PyResult<Self> {
        Ok(Schedule::linear(t_start, t_end, args::count(steps, "steps", 1)?)?.into())
    }

    /// T falls geometrically (constant ratio per step) from `t_start` to `t_end`.
    #[staticmethod]
    fn geometric(
        #[pyo3(from_py_with = args::real)] t_start: f64,
        #[pyo3(from_py_with = args::real)] t_end: f64,
        #[pyo3(from_py_with = args::int)] steps: PyInt,
    ) -> PyResult<Self> {
        Ok(Schedule::geometric(t_start, t_end, args::count(steps, "steps", 1)?)?.into())
    }

    /// T decays exponentially towards `t_end`; a larger `rate` cools faster early on.
    #[staticmethod]
    #[pyo3(signature = (t_start, t_end, steps, rate = 5.0))]
    fn exponential(
        #[pyo3(from_py_with = args::real)] t_start: f64,
        #[pyo3(from_py_with = args::real)] t_end: f64,
        #[pyo3(from_py_with = args::int)] steps: PyInt,
        #[pyo3(from_py_with = args::real)] rate: f64,
    ) -> PyResult<Self> {
        Ok(Schedule::exponential(t_start, t_end, args::count(steps, "steps", 1)?, rate)?.into())
    }

    /// Constant temperature `t` for `steps` steps (sampling at fixed β with `anneal`).
    #[staticmethod]
    fn constant(
        #[pyo3(from_py_with = args::real)] t: f64,
        #[pyo3(from_py_with = args::int)] steps: PyInt,
    ) -> PyResult<Self> {
        Ok(Schedule::constant(t, args::count(steps, "steps", 1)?)?.into())
    }

    /// Inverse temperatures used as given, one per step.
    #[staticmethod]
    fn from_betas(betas: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(Schedule::from_betas(args::real_1d(betas, "betas")?.to_vec()?)?.into())
    }

    /// dwave-samplers' schedules: `steps` βs from `beta_min` to `beta_max`, geometric or linear in β.
    #[staticmethod]
    #[pyo3(signature = (beta_min, beta_max, steps, schedule_type = "geometric"))]
    fn from_beta_range(
        #[pyo3(from_py_with = args::real)] beta_min: f64,
        #[pyo3(from_py_with = args::real)] beta_max: f64,
        #[pyo3(from_py_with = args::int)] steps: PyInt,
        #[pyo3(from_py_with = args::text)] schedule_type: &str,
    ) -> PyResult<Self> {
        Ok(Schedule::from_beta_range(beta_min, beta_max, args::count(steps, "steps", 1)?, schedule_type)?.into())
    }

    /// Temperatures T = 1/β, one per step.
    fn temperatures<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_iter(py, self.schedule.betas().iter().map(|b| 1.0 / b))
    }

    /// Inverse temperatures, one per step.
    fn betas<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.schedule.betas())
    }

    fn __len__(&self) -> usize {
        self.schedule.len()
    }

    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.temperatures(py).call_method0("tolist")?.try_iter().map(Bound::into_any)
    }

    fn __repr__(&self) -> String {
        let b = self.schedule.betas();
        format!("Temperature(steps={}, t_start={}, t_end={})", b.len(), 1.0 / b[0], 1.0 / b[b.len() - 1])
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let ctor = py.get_type::<Self>().getattr("from_betas")?;
        let betas = slf.get().betas(py).readonly().as_array().to_owned();
        Ok((ctor, PyTuple::new(py, [PyArray1::from_owned_array(py, betas)])?))
    }
}
