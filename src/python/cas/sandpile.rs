//! Bindings: the BTW sandpile behind `quantumpanarchy.cas.Sandpile` (typed class in
//! `python/quantumpanarchy/_cas/sandpile.py`).

use crate::cas::sandpile::Sandpile;
use crate::error::Error;
use crate::python::args::{self, PyInt};
use crate::python::run::run_sized;
use crate::rng::resolve_seed;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use std::sync::{Mutex, MutexGuard};

fn lock(m: &Mutex<Sandpile>) -> Result<MutexGuard<'_, Sandpile>, Error> {
    m.lock().map_err(|_| Error::Internal("the sandpile lock was poisoned".into()))
}

#[pyclass(module = "quantumpanarchy._native.cas", name = "SandpileCore", frozen)]
pub struct PySandpile {
    inner: Mutex<Sandpile>,
}

type Drive<'py> = (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<i64>>);

#[pymethods]
impl PySandpile {
    #[new]
    #[pyo3(signature = (side, seed=None))]
    fn new(#[pyo3(from_py_with = args::int)] side: PyInt, seed: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let side = args::count(side, "L", 1)?;
        let seed = resolve_seed(args::seed(seed)?);
        Ok(Self { inner: Mutex::new(Sandpile::new(side, seed)?) })
    }

    /// A pile from `state()`'s tuple.
    #[staticmethod]
    fn from_state(side: usize, grid: Vec<u8>, rng: [u64; 4], grains: u64) -> PyResult<Self> {
        Ok(Self { inner: Mutex::new(Sandpile::from_state(side, Some(grid), rng, grains)?) })
    }

    /// (L, heights as bytes, generator state, grains added).
    fn state(&self) -> PyResult<(usize, Vec<u8>, [u64; 4], u64)> {
        let p = lock(&self.inner)?;
        Ok((p.side(), p.grid().to_vec(), p.rng_state(), p.grains()))
    }

    fn grid<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let p = lock(&self.inner)?;
        Ok(p.grid().iter().map(|&h| h as i64).collect::<Vec<_>>().into_pyarray(py))
    }

    #[getter]
    fn side(&self) -> PyResult<usize> {
        Ok(lock(&self.inner)?.side())
    }

    #[getter]
    fn grains(&self) -> PyResult<u64> {
        Ok(lock(&self.inner)?.grains())
    }

    /// (sizes, areas, durations), one entry per grain.
    fn drive<'py>(&self, py: Python<'py>, #[pyo3(from_py_with = args::int)] num_grains: PyInt) -> PyResult<Drive<'py>> {
        let num = args::count(num_grains, "num_grains", 0)?;
        let side = lock(&self.inner)?.side() as u64;
        // An avalanche costs up to about L² topplings at stationarity.
        let units = (num as u64).saturating_mul(side.saturating_mul(side) / 4 + 8);
        let out = run_sized(py, units, |control| {
            let mut p = lock(&self.inner)?;
            // Ctrl-C leaves the pile as it was before the call.
            let saved = (p.grid().to_vec(), p.rng_state(), p.grains());
            p.drive(num, control).inspect_err(|_| p.restore(saved.0, saved.1, saved.2))
        })?;
        Ok((out.sizes.into_pyarray(py), out.areas.into_pyarray(py), out.durations.into_pyarray(py)))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySandpile>()?;
    Ok(())
}
