//! NQO bindings: `nqo_minimize` runs the optimiser with the GIL released, taking it back only
//! to call the user's function (and callback / progress), and returns the outcome as a dict
//! that `quantumpanarchy.decision.NQO` turns into an `NQOResult`.

use crate::control::Control;
use crate::core::kernel::Method;
use crate::decision::nqo::{self, Config, LocalMethod, Objective, Space};
use crate::error::{Error, Result};
use crate::python::args::{self, PyInt};
use crate::python::run::detach;
use crate::rng::resolve_seed;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyTuple};
use std::time::{Duration, Instant};

/// How often a progress callback is called, at most.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The user's function as the optimiser sees it. A Python exception (from `fun`, the callback,
/// the progress callback, or Ctrl-C) is kept here and the run is stopped; the binding then
/// re-raises it unchanged.
struct PyObjective {
    fun: Py<PyAny>,
    args: Py<PyTuple>,
    vectorized: bool,
    callback: Option<Py<PyAny>>,
    progress: Option<Py<PyAny>>,
    total: usize,
    done: usize,
    reported: Option<Instant>,
    error: Option<PyErr>,
}

/// `fun`'s value as a float: Python and numpy real scalars and 0-d arrays; anything else
/// (arrays, complex numbers, None, ...) is an error naming what came back.
fn scalar(value: &Bound<'_, PyAny>) -> PyResult<f64> {
    if let Ok(f) = value.cast::<PyFloat>() {
        return Ok(f.value());
    }
    let ndim: Option<usize> = value.getattr("ndim").ok().and_then(|n| n.extract().ok());
    let shape = || value.getattr("shape").map_or_else(|_| String::new(), |s| format!(" of shape {s}"));
    if ndim.is_some_and(|n| n > 0) {
        return Err(Error::InvalidInput(format!("fun must return a scalar, got an array{}", shape())).into());
    }
    value.extract::<f64>().map_err(|_| {
        Error::InvalidInput(format!("fun must return a real number, got {}", args::type_name(value))).into()
    })
}

impl PyObjective {
    fn call<'py>(&self, py: Python<'py>, x: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let extra = self.args.bind(py);
        if extra.is_empty() {
            return self.fun.bind(py).call1((x,));
        }
        let all: Vec<Bound<'py, PyAny>> = std::iter::once(x).chain(extra.iter()).collect();
        self.fun.bind(py).call1(PyTuple::new(py, all)?)
    }

    fn evaluate_py(&mut self, py: Python<'_>, xs: &[f64], d: usize) -> PyResult<Vec<f64>> {
        py.check_signals()?;
        let m = xs.len() / d;
        let values = if self.vectorized {
            let batch = PyArray1::from_slice(py, xs).reshape([m, d])?;
            let out = self.call(py, batch.into_any())?;
            let v = args::real_1d(&out, "the values a vectorized fun returns")?.to_vec()?;
            if v.len() != m {
                return Err(Error::InvalidInput(format!(
                    "a vectorized fun must return one value per row of its (m, d) argument: {m} rows, {} values",
                    v.len()
                ))
                .into());
            }
            v
        } else {
            let mut v = Vec::with_capacity(m);
            for x in xs.chunks(d) {
                let out = self.call(py, PyArray1::from_slice(py, x).into_any())?;
                v.push(scalar(&out)?);
            }
            v
        };
        self.done += m;
        if let Some(cb) = &self.progress {
            let now = Instant::now();
            if self.reported.is_none_or(|t| now - t >= PROGRESS_EVERY) || self.done >= self.total {
                self.reported = Some(now);
                cb.call1(py, (self.done, self.total))?;
            }
        }
        Ok(values)
    }

    /// Keeps a Python error and stops the run.
    fn stash(&mut self, e: PyErr) -> Error {
        self.error = Some(e);
        Error::Interrupted
    }
}

impl Objective for PyObjective {
    fn evaluate(&mut self, xs: &[f64], d: usize) -> Result<Vec<f64>> {
        Python::attach(|py| self.evaluate_py(py, xs, d)).map_err(|e| self.stash(e))
    }

    fn improved(&mut self, x: &[f64], f: f64) -> Result<bool> {
        let Some(cb) = &self.callback else { return Ok(false) };
        Python::attach(|py| cb.call1(py, (PyArray1::from_slice(py, x), f))?.bind(py).is_truthy())
            .map_err(|e| self.stash(e))
    }
}

/// Minimises `fun` over the box `[lower, upper]`; see `quantumpanarchy.decision.NQO`.
#[pyfunction]
#[pyo3(signature = (
    fun, lower, upper, integrality, *, x0 = None, fun_args = None, maxfun, n_initial = None,
    seed = None, local_method = "bfgs", batch_size = None, bits = 8, num_chains = 4, num_sweeps = 10,
    method = "gibbs", vectorized = false, callback = None, progress = None, num_threads = None
))]
#[allow(clippy::too_many_arguments)]
pub fn nqo_minimize<'py>(
    py: Python<'py>,
    fun: Bound<'py, PyAny>,
    lower: &Bound<'py, PyAny>,
    upper: &Bound<'py, PyAny>,
    integrality: Vec<bool>,
    x0: Option<&Bound<'py, PyAny>>,
    fun_args: Option<Bound<'py, PyTuple>>,
    maxfun: PyInt,
    n_initial: Option<PyInt>,
    seed: Option<&Bound<'py, PyAny>>,
    local_method: &str,
    batch_size: Option<PyInt>,
    bits: PyInt,
    num_chains: PyInt,
    num_sweeps: PyInt,
    method: &str,
    vectorized: bool,
    callback: Option<Bound<'py, PyAny>>,
    progress: Option<&Bound<'py, PyAny>>,
    num_threads: Option<PyInt>,
) -> PyResult<Bound<'py, PyDict>> {
    if !fun.is_callable() {
        return Err(Error::InvalidInput(format!("fun must be callable, got {}", args::type_name(&fun))).into());
    }
    if let Some(cb) = callback.as_ref().filter(|c| !c.is_none() && !c.is_callable()) {
        return Err(Error::InvalidInput(format!("callback must be callable, got {}", args::type_name(cb))).into());
    }
    let lower = args::real_1d(lower, "bounds")?.to_vec()?;
    let upper = args::real_1d(upper, "bounds")?.to_vec()?;
    let space = Space::new(&lower, &upper, &integrality)?;
    let x0 =
        x0.filter(|x| !x.is_none()).map(|x| args::real_1d(x, "x0")).transpose()?.map(|a| a.to_vec()).transpose()?;
    let cfg = Config {
        maxfun: args::count(maxfun, "maxfun", 1)?,
        n_initial: n_initial.map(|n| args::count(n, "n_initial", 1)).transpose()?,
        seed: resolve_seed(args::seed(seed)?),
        local_method: LocalMethod::parse(local_method)?,
        batch_size: batch_size.map(|q| args::count(q, "batch_size", 1)).transpose()?,
        bits: u32::try_from(args::count(bits, "bits", 1)?).unwrap_or(u32::MAX),
        num_chains: args::count(num_chains, "num_chains", 1)?,
        num_sweeps: args::count(num_sweeps, "num_sweeps", 1)?,
        method: Method::parse(method)?,
        threads: num_threads.map(|t| args::count(t, "num_threads", 1)).transpose()?,
    };
    cfg.validate()?;
    let progress_cb = args::progress(py, progress, "NQO", "eval")?;
    let mut objective = PyObjective {
        fun: fun.unbind(),
        args: fun_args.unwrap_or_else(|| PyTuple::empty(py)).unbind(),
        vectorized,
        callback: callback.filter(|c| !c.is_none()).map(Bound::unbind),
        progress: progress_cb.as_ref().map(|p| p.clone().unbind()),
        total: cfg.maxfun,
        done: 0,
        reported: None,
        error: None,
    };
    let (outcome, raised) = detach(py, || {
        let outcome = nqo::minimize(&space, &cfg, x0.as_deref(), &mut objective, &Control::new());
        Ok((outcome, objective.error.take()))
    })?;
    args::close_progress(progress_cb)?;
    if let Some(e) = raised {
        return Err(e);
    }
    let out = outcome?;
    let dict = PyDict::new(py);
    dict.set_item("x", PyArray1::from_vec(py, out.x))?;
    dict.set_item("fun", out.fun)?;
    dict.set_item("nfev", out.nfev)?;
    dict.set_item("nit", out.nit)?;
    dict.set_item("success", out.success)?;
    dict.set_item("message", out.message)?;
    dict.set_item("history", PyArray1::from_vec(py, out.history))?;
    dict.set_item("nan_count", out.nan_count)?;
    dict.set_item("local_searches", out.local_searches)?;
    dict.set_item("restarts", out.restarts)?;
    dict.set_item("seed", cfg.seed)?;
    Ok(dict)
}
