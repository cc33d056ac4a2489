//! `PBit`: one probabilistic bit.

use crate::core::pbit::PBit;
use crate::rng::resolve_seed;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use std::sync::Mutex;

use crate::python::args::{self, PyInt};
use crate::python::run::run_sized;

/// One probabilistic bit: P(s = +1) = (1 + tanh(β·(input + bias))) / 2.
#[pyclass(module = "quantumpanarchy.core", name = "PBit", frozen)]
pub struct PyPBit {
    inner: Mutex<PBit>,
}

impl PyPBit {
    fn lock(&self) -> std::sync::MutexGuard<'_, PBit> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[pymethods]
impl PyPBit {
    #[new]
    #[pyo3(signature = (bias = 0.0, beta = 1.0, seed = None))]
    fn new(
        #[pyo3(from_py_with = args::real)] bias: f64,
        #[pyo3(from_py_with = args::real)] beta: f64,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let seed = resolve_seed(args::seed(seed)?);
        Ok(Self { inner: Mutex::new(PBit::new(bias, beta, seed)?) })
    }

    /// The bias added to every input.
    #[getter]
    fn bias(&self) -> f64 {
        self.lock().bias
    }

    /// The inverse temperature β (steepness of the tanh).
    #[getter]
    fn beta(&self) -> f64 {
        self.lock().beta
    }

    /// P(s = +1 | input) = (1 + tanh(β·(input + bias))) / 2.
    #[pyo3(signature = (input = 0.0))]
    fn probability_up(&self, #[pyo3(from_py_with = args::real)] input: f64) -> PyResult<f64> {
        Ok(self.lock().probability_up(input)?)
    }

    /// One draw: +1 or -1, s = sgn(tanh(β·(input + bias)) − r), r ~ U(−1, 1).
    #[pyo3(signature = (input = 0.0))]
    fn sample(&self, #[pyo3(from_py_with = args::real)] input: f64) -> PyResult<i8> {
        Ok(self.lock().sample(input)?)
    }

    /// `n` independent draws as an int8 array of ±1 (Ctrl-C stops a long run).
    #[pyo3(signature = (n, input = 0.0))]
    fn sample_many<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = args::int)] n: PyInt,
        #[pyo3(from_py_with = args::real)] input: f64,
    ) -> PyResult<Bound<'py, PyArray1<i8>>> {
        let n = args::count(n, "n", 0)?;
        let v = run_sized(py, n as u64 * 16, |control| self.lock().sample_many(n, input, control))?;
        Ok(PyArray1::from_vec(py, v))
    }

    fn __repr__(&self) -> String {
        let p = self.lock();
        format!("PBit(bias={:?}, beta={:?})", p.bias, p.beta)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>, [u64; 4])> {
        let py = slf.py();
        let p = slf.get().lock().clone();
        Ok((py.get_type::<Self>().into_any(), PyTuple::new(py, [p.bias, p.beta])?, p.rng_state()))
    }

    fn __setstate__(&self, state: [u64; 4]) -> PyResult<()> {
        let mut p = self.lock();
        *p = PBit::with_state(p.bias, p.beta, state)?;
        Ok(())
    }
}
