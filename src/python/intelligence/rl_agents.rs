//! Bindings: the tabular TD agents behind `QLearning`, `Sarsa` and `ExpectedSarsa` (typed classes
//! in `python/quantumpanarchy/_intelligence/rl_agents.py`).

use super::rl_frozen_lake::{lock, PyFrozenLake};
use crate::error::Error;
use crate::intelligence::rl::tabular::{Agent, Algorithm, Budget, Params};
use crate::python::args::{self, PyInt};
use crate::python::run::{run_long, run_sized};
use crate::rng::resolve_seed;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use std::sync::Mutex;

#[pyclass(module = "quantumpanarchy._native.intelligence", name = "TabularCore", frozen)]
pub struct PyAgent {
    inner: Mutex<Agent>,
}

/// (algorithm, (learning_rate, gamma, eps_start, eps_end, eps_fraction), states, actions,
/// Q table, generator state, epsilon).
type State = (String, (f64, f64, f64, f64, f64), usize, usize, Vec<f64>, [u64; 4], f64);

type Learned<'py> = (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<u64>>, u64);

#[pymethods]
impl PyAgent {
    #[new]
    #[pyo3(signature = (algorithm, n_states, n_actions, learning_rate, gamma, eps_start, eps_end, eps_fraction, seed=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        algorithm: &str,
        #[pyo3(from_py_with = args::int)] n_states: PyInt,
        #[pyo3(from_py_with = args::int)] n_actions: PyInt,
        learning_rate: f64,
        gamma: f64,
        eps_start: f64,
        eps_end: f64,
        eps_fraction: f64,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let states = args::count(n_states, "the number of states", 1)?;
        let actions = args::count(n_actions, "the number of actions", 1)?;
        let params = Params { learning_rate, gamma, eps_start, eps_end, eps_fraction };
        let seed = resolve_seed(args::seed(seed)?);
        Ok(Self { inner: Mutex::new(Agent::new(Algorithm::parse(algorithm)?, params, states, actions, seed)?) })
    }

    #[staticmethod]
    fn from_state(state: State) -> PyResult<Self> {
        let (name, (learning_rate, gamma, eps_start, eps_end, eps_fraction), states, actions, q, rng, eps) = state;
        let params = Params { learning_rate, gamma, eps_start, eps_end, eps_fraction };
        let mut agent = Agent::new(Algorithm::parse(&name)?, params, states, actions, 0)?;
        agent.set_q(q)?;
        agent.set_rng_state(rng);
        agent.set_epsilon(eps)?;
        Ok(Self { inner: Mutex::new(agent) })
    }

    fn state(&self) -> PyResult<State> {
        let a = lock(&self.inner)?;
        let p = a.params();
        let (s, n) = a.shape();
        Ok((
            a.algorithm().name().into(),
            (p.learning_rate, p.gamma, p.eps_start, p.eps_end, p.eps_fraction),
            s,
            n,
            a.q().to_vec(),
            a.rng_state(),
            a.epsilon(),
        ))
    }

    fn q_table<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let a = lock(&self.inner)?;
        let (s, n) = a.shape();
        let q = a.q().to_vec().into_pyarray(py);
        q.reshape([s, n])
    }

    fn set_q_table(&self, q: PyReadonlyArray2<'_, f64>) -> PyResult<()> {
        let mut a = lock(&self.inner)?;
        let (s, n) = a.shape();
        if q.shape() != [s, n] {
            return Err(Error::InvalidInput(format!(
                "q_table must have shape ({s}, {n}), got {}",
                args::shape_text(q.shape())
            ))
            .into());
        }
        Ok(a.set_q(q.as_array().iter().copied().collect())?)
    }

    #[getter]
    fn epsilon(&self) -> PyResult<f64> {
        Ok(lock(&self.inner)?.epsilon())
    }

    fn set_progress(&self, progress: f64) -> PyResult<()> {
        lock(&self.inner)?.set_progress(progress);
        Ok(())
    }

    fn reseed(&self, seed: u64) -> PyResult<()> {
        lock(&self.inner)?.reseed(seed);
        Ok(())
    }

    /// An ε-greedy action at the current ε.
    fn act(&self, obs: usize) -> PyResult<usize> {
        let mut a = lock(&self.inner)?;
        a.check_state(obs)?;
        Ok(a.act(obs))
    }

    fn greedy(&self, obs: usize) -> PyResult<usize> {
        let a = lock(&self.inner)?;
        a.check_state(obs)?;
        Ok(a.greedy(obs))
    }

    #[pyo3(signature = (obs, action, reward, next_obs, terminated, next_action=None))]
    fn update(
        &self,
        obs: usize,
        action: usize,
        reward: f64,
        next_obs: usize,
        terminated: bool,
        next_action: Option<usize>,
    ) -> PyResult<f64> {
        Ok(lock(&self.inner)?.update(obs, action, reward, next_obs, terminated, next_action)?)
    }

    /// The native loop on a built-in FrozenLake: (episode returns, episode lengths, steps).
    #[pyo3(signature = (env, total_timesteps=None, num_episodes=None, progress=None))]
    fn learn_lake<'py>(
        &self,
        py: Python<'py>,
        env: &PyFrozenLake,
        total_timesteps: Option<u64>,
        num_episodes: Option<u64>,
        progress: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Learned<'py>> {
        let budget = match (total_timesteps, num_episodes) {
            (Some(n), None) => Budget::Steps(n),
            (None, Some(n)) => Budget::Episodes(n),
            _ => return Err(Error::InvalidInput("give exactly one of total_timesteps and num_episodes".into()).into()),
        };
        // an episode of the lake lasts at most its step limit
        let units = match budget {
            Budget::Steps(n) => n,
            Budget::Episodes(n) => n.saturating_mul(100),
        }
        .saturating_mul(16);
        let work = |control: &crate::control::Control| {
            let mut agent = lock(&self.inner)?;
            let mut lake = lock(&env.inner)?;
            agent.learn(&mut *lake, budget, control)
        };
        let unit = if matches!(budget, Budget::Steps(_)) { "steps" } else { "episodes" };
        let bar = args::progress(py, progress, "learn", unit)?;
        let out = match &bar {
            Some(cb) => run_long(py, Some(cb), work),
            None => run_sized(py, units, work),
        };
        args::close_progress(bar)?;
        let out = out?;
        Ok((out.episode_returns.into_pyarray(py), out.episode_lengths.into_pyarray(py), out.timesteps))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAgent>()
}
