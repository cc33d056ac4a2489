//! `BoltzmannSampler`: Markov-chain sampling at fixed β, observables, exact enumeration.

use crate::core::kernel::Method;
use crate::core::observables::{self, Observables};
use crate::core::sampler::{run_chains, ChainParams, ChainRun};
use crate::core::{exact, stats};
use crate::error::{check_finite_shaped, Error};
use numpy::ndarray::IxDyn;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use super::network::PyPBitNetwork;
use super::results;
use crate::python::args::{self, PyInt};
use crate::python::run::{detach, run_long};

/// Markov-chain sampling of p(s) ∝ exp(−β E(s)) with many chains in parallel.
#[pyclass(module = "quantumpanarchy.core", name = "BoltzmannSampler", frozen)]
pub struct PyBoltzmannSampler {
    network: Py<PyPBitNetwork>,
    beta: f64,
    method: Method,
    seed: Option<u64>,
}

struct RunArgs<'a, 'py> {
    num_samples: PyInt,
    burn_in: PyInt,
    thin: PyInt,
    num_chains: PyInt,
    seed: Option<&'a Bound<'py, PyAny>>,
    initial_states: Option<&'a Bound<'py, PyAny>>,
    progress: Option<&'a Bound<'py, PyAny>>,
    record_states: bool,
}

impl PyBoltzmannSampler {
    fn run(&self, py: Python<'_>, a: RunArgs<'_, '_>) -> PyResult<ChainRun> {
        let net = self.network.get();
        let snap = net.snapshot(py)?;
        let num_chains = args::count(a.num_chains, "num_chains", 1)?;
        let initial_states = net.initial_states_arg(a.initial_states, num_chains, "num_chains")?;
        let mut params = ChainParams {
            beta: self.beta,
            method: self.method,
            num_chains,
            num_samples: args::count(a.num_samples, "num_samples", 1)?,
            burn_in: args::count(a.burn_in, "burn_in", 0)?,
            thin: args::count(a.thin, "thin", 1)?,
            seed: 0,
            record_states: a.record_states,
            initial_states,
        };
        // Validate before drawing from the network's stream: a failed call must not shift it.
        params.validate(&snap.model)?;
        params.seed = match args::seed(a.seed)? {
            Some(s) => s,
            None => self.seed.unwrap_or_else(|| net.next_seed(py)),
        };
        let cb = args::progress(py, a.progress, "sample", "sweep")?;
        let out = run_long(py, cb.as_ref(), |control| run_chains(&snap.model, &snap.engine, &params, control));
        args::close_progress(cb)?;
        out
    }
}

#[pymethods]
impl PyBoltzmannSampler {
    #[new]
    #[pyo3(signature = (network, beta, method = "gibbs", seed = None))]
    fn new(
        network: Py<PyPBitNetwork>,
        #[pyo3(from_py_with = args::real)] beta: f64,
        #[pyo3(from_py_with = args::text)] method: &str,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        if !(beta.is_finite() && beta >= 0.0) {
            return Err(Error::InvalidInput(format!("beta must be finite and non-negative, got {beta}")).into());
        }
        Ok(Self { network, beta, method: Method::parse(method)?, seed: args::seed(seed)? })
    }

    /// The network sampled (shared, not copied: later edits to it are seen).
    #[getter]
    fn network(&self, py: Python<'_>) -> Py<PyPBitNetwork> {
        self.network.clone_ref(py)
    }

    /// The inverse temperature sampled at.
    #[getter]
    fn beta(&self) -> f64 {
        self.beta
    }

    /// The update rule: "gibbs" (heat bath, the p-bit rule) or "metropolis".
    #[getter]
    fn method(&self) -> &'static str {
        self.method.name()
    }

    /// `num_chains × num_samples` states (rows chain-major), in the network's variables.
    #[pyo3(signature = (num_samples, burn_in = 100, thin = 1, num_chains = 1, seed = None, *, initial_states = None, progress = None))]
    #[allow(clippy::too_many_arguments)]
    fn sample<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = args::int)] num_samples: PyInt,
        #[pyo3(from_py_with = args::int)] burn_in: PyInt,
        #[pyo3(from_py_with = args::int)] thin: PyInt,
        #[pyo3(from_py_with = args::int)] num_chains: PyInt,
        seed: Option<&Bound<'py, PyAny>>,
        initial_states: Option<&Bound<'py, PyAny>>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a = RunArgs { num_samples, burn_in, thin, num_chains, seed, initial_states, progress, record_states: true };
        let run = self.run(py, a)?;
        let mut states = run.states;
        self.network.get().read(py).vartype.present(&mut states);
        let rows = run.num_chains * run.num_samples;
        Ok(results::matrix(py, states, rows, run.n)?.into_any())
    }

    /// Per-spin observables with jackknife error bars and autocorrelation times.
    #[pyo3(signature = (
        num_samples = 10000, burn_in = 1000, thin = 1, num_chains = 4, seed = None, *, initial_states = None,
        progress = None
    ))]
    #[allow(clippy::too_many_arguments)]
    fn observables<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = args::int)] num_samples: PyInt,
        #[pyo3(from_py_with = args::int)] burn_in: PyInt,
        #[pyo3(from_py_with = args::int)] thin: PyInt,
        #[pyo3(from_py_with = args::int)] num_chains: PyInt,
        seed: Option<&Bound<'py, PyAny>>,
        initial_states: Option<&Bound<'py, PyAny>>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let a =
            RunArgs { num_samples, burn_in, thin, num_chains, seed, initial_states, progress, record_states: false };
        let run = self.run(py, a)?;
        let obs: Observables = detach(py, || observables::from_chains(&run, self.beta))?;
        results::observables(py, &obs)
    }

    /// Boltzmann probabilities of all 2^N states (bit i of the index set ⇔ p-bit i is up).
    fn exact_distribution<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let model = self.network.get().read(py).model.clone();
        let p = run_long(py, None, |control| exact::distribution(&model, self.beta, control))?;
        Ok(PyArray1::from_vec(py, p))
    }

    /// Exact observables by enumeration (errors are zero).
    fn exact_observables<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let model = self.network.get().read(py).model.clone();
        let obs = run_long(py, None, |control| observables::exact(&model, self.beta, control))?;
        results::observables(py, &obs)
    }

    /// Integrated autocorrelation time of a series (1-D) or of chains (2-D, one per row).
    #[staticmethod]
    fn autocorrelation_time(series: &Bound<'_, PyAny>) -> PyResult<f64> {
        integrated_autocorrelation_time(series)
    }

    /// `sample(...)` off the event loop: returns a coroutine (asyncio.to_thread).
    #[pyo3(signature = (*args, **kwargs),
        text_signature = "(self, /, num_samples, burn_in=100, thin=1, num_chains=1, seed=None)")]
    fn sample_async<'py>(
        slf: &Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        results::to_thread(slf.getattr("sample")?, args, kwargs)
    }

    /// `observables(...)` off the event loop: returns a coroutine (asyncio.to_thread).
    #[pyo3(signature = (*args, **kwargs),
        text_signature = "(self, /, num_samples=10000, burn_in=1000, thin=1, num_chains=4, seed=None)")]
    fn observables_async<'py>(
        slf: &Bound<'py, Self>,
        args: &Bound<'py, PyTuple>,
        kwargs: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        results::to_thread(slf.getattr("observables")?, args, kwargs)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "BoltzmannSampler({}, beta={:?}, method={:?})",
            self.network.bind(py).repr()?,
            self.beta,
            self.method.name()
        ))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let s = slf.get();
        let args = (s.network.clone_ref(py), s.beta, s.method.name(), s.seed).into_pyobject(py)?;
        Ok((py.get_type::<Self>().into_any(), args))
    }
}

/// Integrated autocorrelation time of a 1-D series or of the rows of a 2-D array of chains.
#[pyfunction]
pub fn integrated_autocorrelation_time(series: &Bound<'_, PyAny>) -> PyResult<f64> {
    let py = series.py();
    let arr = args::reals::<IxDyn>(series, "series", false)?;
    let flat = arr.to_vec()?;
    let len = *arr.shape().last().unwrap_or(&0);
    check_finite_shaped(&flat, arr.shape(), "series")?;
    detach(py, || Ok(stats::integrated_autocorr_time(&flat.chunks(len.max(1)).collect::<Vec<_>>())))
}
