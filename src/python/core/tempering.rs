//! `ParallelTempering`: replica exchange over a β ladder.

use crate::core::kernel::Method;
use crate::core::observables;
use crate::core::sampler::ChainRun;
use crate::core::tempering::{run, TemperingParams};
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use super::network::PyPBitNetwork;
use super::results;
use crate::python::args::{self, PyInt};
use crate::python::run::run_long;

/// Replica-exchange Monte Carlo over a ladder of inverse temperatures.
#[pyclass(module = "quantumpanarchy.core", name = "ParallelTempering", frozen)]
pub struct PyParallelTempering {
    network: Py<PyPBitNetwork>,
    betas: Vec<f64>,
    method: Method,
    seed: Option<u64>,
}

#[pymethods]
impl PyParallelTempering {
    #[new]
    #[pyo3(signature = (network, betas, method = "metropolis", seed = None))]
    fn new(
        network: Py<PyPBitNetwork>,
        betas: &Bound<'_, PyAny>,
        #[pyo3(from_py_with = args::text)] method: &str,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let betas = args::real_1d(betas, "betas")?.to_vec()?;
        let p = TemperingParams {
            betas: betas.clone(),
            method: Method::Gibbs,
            num_samples: 1,
            burn_in: 0,
            swap_interval: 1,
            seed: 0,
        };
        p.validate()?;
        Ok(Self { network, betas, method: Method::parse(method)?, seed: args::seed(seed)? })
    }

    /// The β ladder, one replica per value.
    #[getter]
    fn betas<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, &self.betas)
    }

    /// Run `burn_in + num_samples` rounds (each: `swap_interval` sweeps, then one swap pass).
    #[pyo3(signature = (num_samples, burn_in = 100, swap_interval = 1, seed = None, *, progress = None))]
    fn run<'py>(
        &self,
        py: Python<'py>,
        #[pyo3(from_py_with = args::int)] num_samples: PyInt,
        #[pyo3(from_py_with = args::int)] burn_in: PyInt,
        #[pyo3(from_py_with = args::int)] swap_interval: PyInt,
        seed: Option<&Bound<'py, PyAny>>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let net = self.network.get();
        let snap = net.snapshot(py)?;
        let params = TemperingParams {
            betas: self.betas.clone(),
            method: self.method,
            num_samples: args::count(num_samples, "num_samples", 1)?,
            burn_in: args::count(burn_in, "burn_in", 0)?,
            swap_interval: args::count(swap_interval, "swap_interval", 1)?,
            seed: match args::seed(seed)? {
                Some(s) => s,
                None => self.seed.unwrap_or_else(|| net.next_seed(py)),
            },
        };
        let cb = args::progress(py, progress, "tempering", "sweep")?;
        let out = run_long(py, cb.as_ref(), |control| run(&snap.model, &snap.engine, &params, control));
        args::close_progress(cb)?;
        let out = out?;
        let (r, t, n) = (self.betas.len(), params.num_samples, snap.model.n());
        let obs = PyList::empty(py);
        for k in 0..r {
            let one = ChainRun {
                n,
                num_chains: 1,
                num_samples: t,
                states: Vec::new(),
                energies: out.energies[k * t..(k + 1) * t].to_vec(),
                magnetizations: out.magnetizations[k * t..(k + 1) * t].to_vec(),
                final_states: Vec::new(),
            };
            obs.append(results::observables(py, &observables::from_chains(&one, self.betas[k])?)?)?;
        }
        let mut best = out.best_state;
        let mut finals = out.final_states;
        snap.vartype.present(&mut best);
        snap.vartype.present(&mut finals);
        let kw = PyDict::new(py);
        kw.set_item("betas", self.betas(py))?;
        kw.set_item("energies", results::matrix(py, out.energies, r, t)?)?;
        kw.set_item("magnetizations", results::matrix(py, out.magnetizations, r, t)?)?;
        kw.set_item("swap_acceptance", PyArray1::from_vec(py, out.swap_acceptance))?;
        kw.set_item("best_state", PyArray1::from_vec(py, best))?;
        kw.set_item("best_energy", out.best_energy)?;
        kw.set_item("final_states", results::matrix(py, finals, r, n)?)?;
        kw.set_item("observables", obs)?;
        results::make(py, "TemperingResult", &kw)
    }

    fn __repr__(&self) -> String {
        format!("ParallelTempering(num_betas={}, method={:?})", self.betas.len(), self.method.name())
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let s = slf.get();
        let betas = PyArray1::from_slice(py, &s.betas).readonly().as_array().to_owned();
        let args = (s.network.clone_ref(py), PyArray1::from_owned_array(py, betas), s.method.name(), s.seed)
            .into_pyobject(py)?;
        Ok((py.get_type::<Self>().into_any(), args))
    }
}
