//! NQO bindings: `nqo_minimize` runs the optimiser on a worker thread with the GIL released;
//! the calling thread watches for Ctrl-C and runs the user's function (and callback) whenever the
//! optimiser asks, so `fun` is called on the caller's thread as before. The outcome is returned
//! as a dict that `quantumpanarchy.decision.NQO` turns into an `NQOResult`.

use crate::core::kernel::Method;
use crate::decision::nqo::{self, Config, LocalMethod, Objective, Space};
use crate::error::{try_with_capacity, Error, Result};
use crate::python::args::{self, PyInt};
use crate::python::run::run_long_asking;
use crate::rng::resolve_seed;
use numpy::{PyArray1, PyArrayMethods};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat, PyTuple};
use std::sync::Mutex;

/// The user's function and callback, called on the calling thread (with the GIL).
struct PyObjective {
    fun: Py<PyAny>,
    args: Py<PyTuple>,
    vectorized: bool,
    callback: Option<Py<PyAny>>,
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

    fn evaluate(&self, py: Python<'_>, xs: &[f64], d: usize) -> PyResult<Vec<f64>> {
        let m = xs.len() / d;
        if self.vectorized {
            let batch = PyArray1::from_slice(py, xs).reshape([m, d])?;
            let out = self.call(py, batch.into_any())?;
            let v = args::real_1d(&out, "the values a vectorized fun returns")?;
            if v.len() != m {
                return Err(Error::InvalidInput(format!(
                    "a vectorized fun must return one value per row of its (m, d) argument: {m} rows, {} values",
                    v.len()
                ))
                .into());
            }
            return Ok(v.to_vec()?);
        }
        let mut v = try_with_capacity(m, "the values of a batch of points")?;
        for x in xs.chunks(d) {
            let out = self.call(py, PyArray1::from_slice(py, x).into_any())?;
            v.push(scalar(&out)?);
        }
        Ok(v)
    }

    fn improved(&self, py: Python<'_>, x: &[f64], f: f64) -> PyResult<bool> {
        let Some(cb) = &self.callback else { return Ok(false) };
        cb.call1(py, (PyArray1::from_slice(py, x), f))?.bind(py).is_truthy()
    }
}

/// What the optimiser asks of the calling thread.
enum Request {
    Evaluate(Vec<f64>, usize),
    Improved(Vec<f64>, f64),
}

/// The answer to a [`Request`].
enum Reply {
    Values(Vec<f64>),
    Stop(bool),
}

/// The request in flight and its reply.
#[derive(Default)]
struct Exchange {
    request: Option<Request>,
    reply: Option<Reply>,
}

impl Exchange {
    /// Runs the pending request on the calling thread. A Python error (from `fun`, the callback,
    /// or Ctrl-C inside them) goes back to `run_long_asking`, which cancels the run and raises it.
    fn answer(&mut self, py: Python<'_>, objective: &PyObjective) -> PyResult<()> {
        self.reply = match self.request.take() {
            Some(Request::Evaluate(xs, d)) => Some(Reply::Values(objective.evaluate(py, &xs, d)?)),
            Some(Request::Improved(x, f)) => Some(Reply::Stop(objective.improved(py, &x, f)?)),
            None => None,
        };
        Ok(())
    }
}

/// The objective as the worker thread sees it: each call is handed to the calling thread.
struct Relay<'a> {
    exchange: &'a Mutex<Exchange>,
    ask: &'a (dyn Fn() -> bool + Sync),
}

impl Relay<'_> {
    fn ask(&self, request: Request) -> Option<Reply> {
        let lock = || self.exchange.lock().unwrap_or_else(|e| e.into_inner());
        lock().request = Some(request);
        (self.ask)();
        let mut exchange = lock();
        exchange.request = None;
        exchange.reply.take()
    }
}

impl Objective for Relay<'_> {
    fn evaluate(&mut self, xs: &[f64], d: usize) -> Result<Vec<f64>> {
        match self.ask(Request::Evaluate(xs.to_vec(), d)) {
            Some(Reply::Values(v)) => Ok(v),
            // no answer: the run is being cancelled (Ctrl-C, or an error the caller raises)
            _ => Err(Error::Interrupted),
        }
    }

    fn improved(&mut self, x: &[f64], f: f64) -> Result<bool> {
        match self.ask(Request::Improved(x.to_vec(), f)) {
            Some(Reply::Stop(stop)) => Ok(stop),
            _ => Err(Error::Interrupted),
        }
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
    let objective = PyObjective {
        fun: fun.unbind(),
        args: fun_args.unwrap_or_else(|| PyTuple::empty(py)).unbind(),
        vectorized,
        callback: callback.filter(|c| !c.is_none()).map(Bound::unbind),
    };
    let exchange = Mutex::new(Exchange::default());
    let answer = |py: Python<'_>| -> PyResult<bool> {
        exchange.lock().unwrap_or_else(|e| e.into_inner()).answer(py, &objective)?;
        Ok(true)
    };
    let outcome = run_long_asking(py, progress_cb.as_ref(), None, Some(&answer), |control, ask| {
        let mut relay = Relay { exchange: &exchange, ask };
        nqo::minimize(&space, &cfg, x0.as_deref(), &mut relay, control)
    });
    args::close_progress(progress_cb)?;
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
