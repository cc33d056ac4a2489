//! QAOA bindings: functions over plain arrays; `quantumpanarchy._decision.qaoa.QAOA` holds the
//! configuration and builds the result objects.

use numpy::ndarray::IxDyn;
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyFloat};

use crate::backend::Choice;
use crate::decision::qaoa::engine::{self, Engine};
use crate::decision::qaoa::optimize::Method;
use crate::decision::qaoa::portfolio::Portfolio;
use crate::decision::qaoa::statevector::{self, AngleSets};
use crate::decision::qaoa::{cost, Qaoa};
use crate::error::{try_collect, Error};
use crate::python::args::{self, PyInt};
use crate::python::run::{run_long, run_sized};

/// Q as row-major values, symmetrised: xᵀQx = xᵀ((Q + Qᵀ)/2)x, so any square Q (dimod-style
/// upper-triangular ones included) means what the caller wrote. Its side is checked against the
/// registers that can be simulated before anything is copied.
fn qubo_arg(q: &Bound<'_, PyAny>) -> PyResult<(Vec<f64>, usize)> {
    let q = args::real_2d(q, "Q")?;
    let n = args::square(q.shape(), "Q")?;
    cost::check_memory(n)?;
    let a = q.view()?;
    let sym = try_collect((0..n * n).map(|k| 0.5 * (a[(k / n, k % n)] + a[(k % n, k / n)])), "Q")?;
    Ok((sym, n))
}

/// (sets, layers) of an angle array: a 1-D array is one set, a 2-D (m, p) array m sets.
fn angle_shape(shape: &[usize], name: &str) -> PyResult<(usize, usize)> {
    match *shape {
        [p] => Ok((1, p)),
        [m, p] => Ok((m, p)),
        _ => {
            Err(Error::InvalidInput(format!("{name} must be a 1-D array of angles or a 2-D array of angle sets"))
                .into())
        }
    }
}

/// gammas and betas as flat rows of `layers` angles, and whether they were a batch (2-D). The
/// shapes must agree before either is copied: a mismatch is an error about the shapes, not an
/// allocation the size of the larger one.
fn angle_sets(gammas: &Bound<'_, PyAny>, betas: &Bound<'_, PyAny>) -> PyResult<(Vec<f64>, Vec<f64>, usize, bool)> {
    let g = args::reals::<IxDyn>(gammas, "gammas", false)?;
    let b = args::reals::<IxDyn>(betas, "betas", false)?;
    let (gs, bs) = (angle_shape(g.shape(), "gammas")?, angle_shape(b.shape(), "betas")?);
    if gs.0 != bs.0 {
        return Err(Error::InvalidInput(format!("{} gamma sets but {} beta sets", gs.0, bs.0)).into());
    }
    if gs.1 != bs.1 {
        return Err(Error::InvalidInput(format!(
            "gammas and betas must have the same length (one pair per layer), got {} and {}",
            gs.1, bs.1
        ))
        .into());
    }
    Ok((g.to_vec()?, b.to_vec()?, gs.1, g.shape().len() == 2))
}

fn method(name: &str) -> PyResult<Method> {
    match name.to_ascii_lowercase().replace(['_', ' '], "-").as_str() {
        "nelder-mead" => Ok(Method::NelderMead),
        "cobyla" => Ok(Method::Cobyla),
        _ => Err(Error::InvalidInput(format!("optimizer must be 'nelder-mead' or 'cobyla', got {name:?}")).into()),
    }
}

#[allow(clippy::too_many_arguments)]
fn config(
    num_layers: PyInt,
    optimizer: &str,
    maxiter: PyInt,
    restarts: PyInt,
    shots: Option<PyInt>,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<Qaoa> {
    let qaoa = Qaoa {
        num_layers: args::count(num_layers, "num_layers", 1)?,
        optimizer: method(optimizer)?,
        maxiter: args::count(maxiter, "maxiter", 1)?,
        restarts: args::count(restarts, "restarts", 0)?,
        shots: shots.map(|s| args::count(s, "shots", 1)).transpose()?,
        seed: crate::rng::resolve_seed(args::seed(seed)?),
    };
    qaoa.validate()?;
    Ok(qaoa)
}

/// Checks a configuration where it is made: `InvalidInputError` for a bad setting,
/// `ResourceLimitError` (with the estimate) when `num_assets` qubits cannot be simulated here.
#[pyfunction]
#[pyo3(signature = (num_assets, num_layers, optimizer, maxiter, restarts, shots, seed, budget, penalty, backend))]
#[allow(clippy::too_many_arguments)]
pub fn qaoa_validate(
    num_assets: PyInt,
    num_layers: PyInt,
    optimizer: &str,
    maxiter: PyInt,
    restarts: PyInt,
    shots: Option<PyInt>,
    seed: Option<&Bound<'_, PyAny>>,
    budget: Option<PyInt>,
    penalty: Option<f64>,
    backend: Option<&str>,
) -> PyResult<()> {
    let n = args::count(num_assets, "num_assets", 1)?;
    backend.map(Choice::parse).transpose()?;
    config(num_layers, optimizer, maxiter, restarts, shots, seed)?;
    let budget = budget.map(|b| args::count(b, "budget", 1)).transpose()?;
    crate::decision::qaoa::portfolio::check_budget_penalty(n, budget, penalty)?;
    Ok(cost::check_memory(n)?)
}

/// About how many amplitude updates `layers` QAOA layers on `n` qubits take (a layer's mixer
/// touches every amplitude once per qubit): what decides whether a call needs a Ctrl-C watcher.
fn statevector_work(n: usize, layers: usize) -> u64 {
    (layers as u64 + 1).saturating_mul(n as u64 + 1).saturating_mul(1u64 << n.min(63))
}

/// ⟨C⟩ for each row of (gammas, betas): a float for 1-D angles, an array of one value per
/// angle set for 2-D ones. Interruptible: a batch of millions of sets takes a while.
#[pyfunction]
pub fn qaoa_expectations<'py>(
    py: Python<'py>,
    q: &Bound<'py, PyAny>,
    gammas: &Bound<'py, PyAny>,
    betas: &Bound<'py, PyAny>,
    backend: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let choice = backend.map(Choice::parse).transpose()?;
    let (q, n) = qubo_arg(q)?;
    let (g, b, layers, batch) = angle_sets(gammas, betas)?;
    let sets = AngleSets::new(&g, &b, layers)?;
    let work = statevector_work(n, layers * sets.len());
    let values =
        run_sized(py, work, |control| engine::expectations(&cost::cost_diagonal(&q, n)?, &sets, choice, control))?;
    Ok(if batch { PyArray1::from_vec(py, values).into_any() } else { PyFloat::new(py, values[0]).into_any() })
}

/// |ψ_x(γ, β)|² for every bitstring x (index bit i = qubit i).
#[pyfunction]
pub fn qaoa_probabilities<'py>(
    py: Python<'py>,
    q: &Bound<'py, PyAny>,
    gammas: &Bound<'py, PyAny>,
    betas: &Bound<'py, PyAny>,
    backend: Option<&str>,
) -> PyResult<Bound<'py, PyArray1<f64>>> {
    let choice = backend.map(Choice::parse).transpose()?;
    let (q, n) = qubo_arg(q)?;
    let (g, b) = one_angle_set(gammas, betas)?;
    let work = statevector_work(n, g.len());
    let probs =
        run_sized(py, work, |control| engine::probabilities(&cost::cost_diagonal(&q, n)?, &g, &b, choice, control))?;
    Ok(PyArray1::from_vec(py, probs))
}

/// One set of angles (1-D gammas and betas of one length), checked before copying.
fn one_angle_set(gammas: &Bound<'_, PyAny>, betas: &Bound<'_, PyAny>) -> PyResult<(Vec<f64>, Vec<f64>)> {
    let (g, b) = (args::real_1d(gammas, "gammas")?, args::real_1d(betas, "betas")?);
    if g.len() != b.len() {
        return Err(Error::InvalidInput(format!(
            "gammas and betas must have the same length (one pair per layer), got {} and {}",
            g.len(),
            b.len()
        ))
        .into());
    }
    Ok((g.to_vec()?, b.to_vec()?))
}

/// Tunes the angles for Q unless given, then measures `shots` bitstrings. Returns a dict with
/// `bitstrings` (indices), `energies`, `gammas`, `betas`, `expectation`, `expectation_by_depth`,
/// `nfev` and `optimal_energy`.
#[pyfunction]
#[pyo3(signature = (q, gammas, betas, shots, num_layers, optimizer, maxiter, restarts, seed, backend, progress))]
#[allow(clippy::too_many_arguments)]
pub fn qaoa_sample<'py>(
    py: Python<'py>,
    q: &Bound<'py, PyAny>,
    gammas: Option<&Bound<'py, PyAny>>,
    betas: Option<&Bound<'py, PyAny>>,
    shots: PyInt,
    num_layers: PyInt,
    optimizer: &str,
    maxiter: PyInt,
    restarts: PyInt,
    seed: Option<&Bound<'py, PyAny>>,
    backend: Option<&str>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let choice = backend.map(Choice::parse).transpose()?;
    let (q, n) = qubo_arg(q)?;
    let shots = args::count(shots, "shots", 1)?;
    let qaoa = config(num_layers, optimizer, maxiter, restarts, Some(shots as PyInt), seed)?;
    let given = match (gammas, betas) {
        (Some(g), Some(b)) => Some(one_angle_set(g, b)?),
        (None, None) => None,
        _ => return Err(Error::InvalidInput("give both gammas and betas, or neither".into()).into()),
    };
    let cb = args::progress(py, progress, "QAOA", "layer")?;
    let out = run_long(py, cb.as_ref(), |control| {
        let diag = cost::cost_diagonal(&q, n)?;
        let e_min = diag.iter().copied().fold(f64::INFINITY, f64::min);
        let mut sim = Engine::new(diag.as_slice(), choice)?.with_control(control);
        let (g, b, by_depth, nfev) = match given {
            Some((g, b)) => (g, b, Vec::new(), 0),
            None => {
                let t = qaoa.tune(&mut sim, control)?;
                (t.gammas, t.betas, t.by_depth, t.nfev)
            }
        };
        let expectation = sim.expectation(&g, &b)?;
        let draws = statevector::sample_until(&sim.probabilities()?, shots, qaoa.seed, control)?;
        let energies = try_collect(draws.iter().map(|&x| diag[x as usize]), "the energies of the shots")?;
        Ok((draws, energies, g, b, expectation, by_depth, nfev, e_min))
    });
    args::close_progress(cb)?;
    let (draws, energies, g, b, expectation, by_depth, nfev, e_min) = out?;
    let d = PyDict::new(py);
    // arrays, not lists: a million shots are 16 MB here, not a million Python objects
    d.set_item("bitstrings", PyArray1::from_vec(py, draws))?;
    d.set_item("num_qubits", n)?;
    d.set_item("energies", PyArray1::from_vec(py, energies))?;
    d.set_item("gammas", g)?;
    d.set_item("betas", b)?;
    d.set_item("expectation", expectation)?;
    d.set_item("expectation_by_depth", by_depth)?;
    d.set_item("nfev", nfev)?;
    d.set_item("optimal_energy", e_min)?;
    Ok(d)
}

/// QAOA on the mean–variance portfolio QUBO; the fields of `PortfolioAllocation` as a dict.
#[pyfunction]
#[pyo3(signature = (returns, covariance, risk_tolerance, budget, penalty, num_layers, optimizer, maxiter, restarts, shots, seed, backend, progress))]
#[allow(clippy::too_many_arguments)]
pub fn qaoa_portfolio<'py>(
    py: Python<'py>,
    returns: &Bound<'py, PyAny>,
    covariance: &Bound<'py, PyAny>,
    risk_tolerance: f64,
    budget: Option<PyInt>,
    penalty: Option<f64>,
    num_layers: PyInt,
    optimizer: &str,
    maxiter: PyInt,
    restarts: PyInt,
    shots: Option<PyInt>,
    seed: Option<&Bound<'py, PyAny>>,
    backend: Option<&str>,
    progress: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let choice = backend.map(Choice::parse).transpose()?;
    let mu = args::real_1d(returns, "returns")?;
    cost::check_memory(mu.len())?;
    let mu = mu.to_vec()?;
    let cov = args::real_2d(covariance, "covariance")?;
    let (n, m) = (cov.shape()[0], cov.shape()[1]);
    if (n, m) != (mu.len(), mu.len()) {
        let k = mu.len();
        return Err(
            Error::InvalidInput(format!("covariance must be {k}×{k} for {k} returns, got shape ({n}, {m})")).into()
        );
    }
    // row-major, unsymmetrised: an asymmetric covariance is a mistake the domain check reports
    let cov = cov.to_vec()?;
    let budget = budget.map(|b| args::count(b, "budget", 0)).transpose()?;
    let qaoa = config(num_layers, optimizer, maxiter, restarts, shots, seed)?;
    let problem = Portfolio::new(&mu, &cov, risk_tolerance, budget, penalty)?;
    let cb = args::progress(py, progress, "QAOA", "layer")?;
    let out = run_long(py, cb.as_ref(), |control| qaoa.optimize_portfolio_on(&problem, choice, control));
    args::close_progress(cb)?;
    let r = out?;
    let d = PyDict::new(py);
    d.set_item("weights", PyArray1::from_vec(py, r.weights))?;
    d.set_item("selected", PyArray1::from_vec(py, r.selected))?;
    d.set_item("bitstring", r.bitstring)?;
    d.set_item("expected_return", r.expected_return)?;
    d.set_item("risk", r.risk)?;
    d.set_item("sharpe_ratio", r.sharpe_ratio)?;
    d.set_item("energy", r.energy)?;
    d.set_item("expectation", r.expectation)?;
    d.set_item("optimal_energy", r.optimal_energy)?;
    d.set_item("approximation_ratio", r.approximation_ratio)?;
    d.set_item("gammas", r.gammas)?;
    d.set_item("betas", r.betas)?;
    d.set_item("expectation_by_depth", r.expectation_by_depth)?;
    d.set_item("nfev", r.nfev)?;
    d.set_item("optimum_probability", r.optimum_probability)?;
    d.set_item("feasible_probability", r.feasible_probability)?;
    d.set_item("budget", problem.budget)?;
    d.set_item("penalty", problem.penalty)?;
    Ok(d)
}
