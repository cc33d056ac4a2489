//! Bindings: the native FrozenLake behind `quantumpanarchy.intelligence.FrozenLakeEnv` (typed
//! class in `python/quantumpanarchy/_intelligence/rl_envs.py`).

use crate::error::Error;
use crate::intelligence::rl::env::TabularEnv;
use crate::intelligence::rl::frozen_lake::{Config, FrozenLake};
use crate::python::args::{self, PyInt};
use pyo3::prelude::*;
use std::sync::{Mutex, MutexGuard};

pub(super) fn lock<T>(m: &Mutex<T>) -> Result<MutexGuard<'_, T>, Error> {
    m.lock().map_err(|_| Error::Internal("a lock of an intelligence object was poisoned".into()))
}

#[pyclass(module = "quantumpanarchy._native.intelligence", name = "FrozenLakeCore", frozen)]
pub struct PyFrozenLake {
    pub(super) inner: Mutex<FrozenLake>,
}

type Transition = (f64, usize, f64, bool);

#[pymethods]
impl PyFrozenLake {
    #[new]
    #[pyo3(signature = (desc, is_slippery, success_rate, reward_schedule, max_episode_steps, seed))]
    fn new(
        desc: Vec<String>,
        is_slippery: bool,
        success_rate: f64,
        reward_schedule: [f64; 3],
        #[pyo3(from_py_with = args::int)] max_episode_steps: PyInt,
        seed: u64,
    ) -> PyResult<Self> {
        let max_steps = args::count(max_episode_steps, "max_episode_steps", 1)?;
        let config = Config { desc, slippery: is_slippery, success_rate, reward_schedule, max_steps };
        Ok(Self { inner: Mutex::new(FrozenLake::new(config, seed)?) })
    }

    fn reseed(&self, seed: u64) -> PyResult<()> {
        lock(&self.inner)?.reseed(seed);
        Ok(())
    }

    fn reset(&self) -> PyResult<usize> {
        Ok(lock(&self.inner)?.reset())
    }

    /// (next state, reward, terminated, truncated, probability of the outcome).
    fn step(&self, action: usize) -> PyResult<(usize, f64, bool, bool, f64)> {
        let (s, p) = lock(&self.inner)?.step_with_prob(action)?;
        Ok((s.next, s.reward, s.terminated, s.truncated, p))
    }

    /// gymnasium's `P`: for each state, for each action, the list of (prob, next, reward, terminated).
    fn model(&self) -> PyResult<Vec<Vec<Vec<Transition>>>> {
        let l = lock(&self.inner)?;
        Ok((0..l.num_states())
            .map(|s| {
                (0..4)
                    .map(|a| l.outcomes(s, a).iter().map(|o| (o.prob, o.next, o.reward, o.terminated)).collect())
                    .collect()
            })
            .collect())
    }

    #[getter]
    fn shape(&self) -> PyResult<(usize, usize)> {
        Ok(lock(&self.inner)?.shape())
    }

    #[getter]
    fn state(&self) -> PyResult<usize> {
        Ok(lock(&self.inner)?.state())
    }

    /// (state, steps in the episode, generator state).
    fn position(&self) -> PyResult<(usize, usize, [u64; 4])> {
        let l = lock(&self.inner)?;
        Ok((l.state(), l.steps(), l.rng_state()))
    }

    fn restore(&self, state: usize, steps: usize, rng: [u64; 4]) -> PyResult<()> {
        Ok(lock(&self.inner)?.restore(state, steps, rng)?)
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFrozenLake>()
}
