//! `PBitNetwork.anneal`: its arguments (dwave-samplers' names and rules, plus ours), the run,
//! and the `SampleSet` it returns.

use crate::backend::Choice;
use crate::core::anneal::{anneal, AnnealParams};
use crate::core::initial_states::{self, Generator};
use crate::core::kernel::Method;
use crate::core::model::IsingModel;
use crate::core::schedule::dwave_betas;
use crate::error::Error;
use crate::parallel;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::time::Instant;

use super::network::PyPBitNetwork;
use super::results;
use super::schedule::PyTemperature;
use crate::python::args::{self, PyInt};
use crate::python::run::{run_long_asking, run_sized, Answer};

/// The keyword arguments of `PBitNetwork.anneal`, as received.
pub struct AnnealArgs<'a, 'py> {
    pub schedule: Option<&'a Bound<'py, PyAny>>,
    pub num_reads: Option<PyInt>,
    pub seed: Option<&'a Bound<'py, PyAny>>,
    pub num_sweeps: Option<PyInt>,
    pub beta_range: Option<&'a Bound<'py, PyAny>>,
    pub beta_schedule_type: &'a str,
    pub beta_schedule: Option<&'a Bound<'py, PyAny>>,
    pub num_sweeps_per_beta: PyInt,
    pub initial_states: Option<&'a Bound<'py, PyAny>>,
    pub initial_states_generator: Option<&'a str>,
    pub randomize_order: bool,
    pub method: &'a str,
    pub interrupt_function: Option<&'a Bound<'py, PyAny>>,
    pub backend: Option<&'a str>,
    pub progress: Option<&'a Bound<'py, PyAny>>,
    pub time_limit: Option<f64>,
    pub num_threads: Option<PyInt>,
    pub first_read: PyInt,
}

fn given(obj: Option<&Bound<'_, PyAny>>) -> bool {
    obj.is_some_and(|o| !o.is_none())
}

/// `(beta_range[0], beta_range[1])` from any sequence of two real numbers.
fn beta_range(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<(f64, f64)>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else { return Ok(None) };
    // the length first: a 10**9-long broadcast view is an error about its length, not a copy
    let values = args::real_1d(obj, "beta_range")?;
    if values.len() != 2 {
        return Err(Error::InvalidInput(format!("beta_range must hold two numbers, got {}", values.len())).into());
    }
    match values.to_vec()?.as_slice() {
        &[hot, cold] => Ok(Some((hot, cold))),
        other => Err(Error::Internal(format!("beta_range has {} values after its length check", other.len())).into()),
    }
}

/// The βs of the steps, the range reported for them, and the schedule type to report.
fn betas(
    py: Python<'_>,
    model: &IsingModel,
    a: &AnnealArgs<'_, '_>,
    k: usize,
) -> PyResult<(Vec<f64>, (f64, f64), String)> {
    let range = beta_range(a.beta_range)?;
    let num_sweeps = a.num_sweeps.map(|s| args::count(s, "num_sweeps", 0)).transpose()?;
    if let Some(s) = a.schedule.filter(|s| !s.is_none()) {
        let t = s
            .cast::<PyTemperature>()
            .map_err(|_| Error::InvalidInput(format!("schedule must be a Temperature, got {}", args::type_name(s))))?;
        if num_sweeps.is_some() || range.is_some() || given(a.beta_schedule) {
            return Err(Error::InvalidInput(
                "give either a schedule or num_sweeps/beta_range/beta_schedule, not both".into(),
            )
            .into());
        }
        let betas = t.get().schedule.betas().to_vec();
        let ends = (betas[0], betas[betas.len() - 1]);
        return Ok((betas, ends, "custom".into()));
    }
    let custom = match a.beta_schedule.filter(|b| !b.is_none()) {
        Some(b) => Some(args::real_1d(b, "beta_schedule")?.to_vec()?),
        None => None,
    };
    // seconds for 10**8 sweeps (or a default range over 10**8 couplings): under the Ctrl-C watch
    let work = num_sweeps.unwrap_or(1000).saturating_add(model.num_couplings()) as u64 * 16;
    let kind = a.beta_schedule_type;
    let (betas, ends) = run_sized(py, work, |control| dwave_betas(model, kind, custom, range, num_sweeps, k, control))?;
    Ok((betas, ends, kind.into()))
}

/// The number of reads and the starting states of the first ones (see `AnnealParams`): by
/// dimod's rules with a generator; without one, one state for every read or one per read.
fn starting_states(net: &PyPBitNetwork, n: usize, a: &AnnealArgs<'_, '_>) -> PyResult<(usize, Option<Vec<i8>>)> {
    let states = match a.initial_states.filter(|o| !o.is_none()) {
        Some(obj) => Some(net.states_arg(obj, "initial_states")?),
        None => None,
    };
    let rows = states.as_ref().map_or(0, |(_, rows)| rows.unwrap_or(1));
    let num_reads = match a.num_reads {
        Some(r) => args::count(r, "num_reads", 1)?,
        None => initial_states::default_num_reads(rows),
    };
    match a.initial_states_generator {
        Some(name) => {
            let generator = Generator::parse(name)?;
            let given = states.map(|(s, _)| s).unwrap_or_default();
            Ok((num_reads, initial_states::expand(given, n, num_reads, generator)?))
        }
        None => Ok((num_reads, states.map(|(s, r)| net.broadcast_states(s, r, num_reads, "num_reads")).transpose()?)),
    }
}

/// `interrupt_function()`'s truth, asked on the calling thread after each read: true, or an
/// `Exception` (reported to the log), ends the run, as in dwave-samplers. A `BaseException`
/// that is not an `Exception` (Ctrl-C's `KeyboardInterrupt`, `SystemExit`) cancels the run and
/// propagates.
fn interrupt_answer(f: Option<&Bound<'_, PyAny>>) -> PyResult<Option<impl Fn(Python<'_>) -> PyResult<bool> + Sync>> {
    let Some(f) = f.filter(|f| !f.is_none()) else { return Ok(None) };
    if !f.is_callable() {
        return Err(Error::InvalidInput(format!(
            "interrupt_function must be callable or None, got {}",
            args::type_name(f)
        ))
        .into());
    }
    let f = f.clone().unbind();
    Ok(Some(move |py: Python<'_>| match f.call0(py).and_then(|r| r.bind(py).is_truthy()) {
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyException>(py) => {
            log::warn!("interrupt_function raised {e}: annealing stops as if it had returned True");
            Ok(true)
        }
        answer => answer,
    }))
}

pub fn run<'py>(net: &PyPBitNetwork, py: Python<'py>, a: AnnealArgs<'_, 'py>) -> PyResult<Bound<'py, PyAny>> {
    let deadline = args::deadline(a.time_limit)?;
    let threads = a.num_threads.map(|t| args::count(t, "num_threads", 1)).transpose()?;
    let sweeps_per_beta = args::count(a.num_sweeps_per_beta, "num_sweeps_per_beta", 1)?;
    let method = Method::parse(a.method)?;
    let choice = a.backend.map(Choice::parse).transpose()?;
    let seed = args::seed(a.seed)?;
    let interrupt = interrupt_answer(a.interrupt_function)?;
    let snap = net.snapshot(py)?;
    let (betas, beta_range, schedule_type) = betas(py, &snap.model, &a, sweeps_per_beta)?;
    let n = snap.model.n();
    let (num_reads, initial_states) = starting_states(net, n, &a)?;
    let mut params = AnnealParams {
        betas,
        sweeps_per_beta,
        num_reads,
        seed: 0,
        first_read: args::count(a.first_read, "first_read", 0)? as u64,
        method,
        initial_states,
        randomize_order: a.randomize_order,
    };
    // Validate before drawing from the network's stream: a failed call must not shift it.
    params.validate(&snap.model)?;
    let cb = args::progress(py, a.progress, "anneal", "sweep")?;
    params.seed = seed.unwrap_or_else(|| net.next_seed(py));
    let work = (n as f64) * params.total_sweeps() as f64;
    // random-order sweeps are a CPU kernel: 'auto' keeps them there
    let backend = crate::core::anneal::resolve(&params, n, choice)?;
    let start = Instant::now();
    let answer = interrupt.as_ref().map(|a| a as Answer<'_>);
    let out = run_long_asking(py, cb.as_ref(), deadline, answer, |control, ask| {
        let hook = interrupt.is_some().then_some(ask);
        parallel::with_threads(threads, || anneal(&snap.model, &snap.engine, &params, backend, control, hook))?
    });
    args::close_progress(cb)?;
    let samples = out?;
    let elapsed = start.elapsed().as_secs_f64();
    let info = PyDict::new(py);
    info.set_item("beta_range", beta_range)?;
    info.set_item("beta_schedule_type", schedule_type)?;
    info.set_item("num_sweeps", params.betas.len() * sweeps_per_beta)?;
    info.set_item("method", method.name())?;
    info.set_item("backend", backend.name())?;
    info.set_item("seed", params.seed)?;
    let timing = PyDict::new(py);
    timing.set_item("sampling_s", elapsed)?;
    timing.set_item("spin_updates_per_s", work / elapsed.max(1e-12))?;
    info.set_item("timing", timing)?;
    results::sample_set(py, samples.states, samples.energies, n, snap.vartype, &net.variables_list(py)?, info)
}
