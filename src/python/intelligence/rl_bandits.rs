//! Bindings: the bandits behind `EpsilonGreedy`, `UCB1`, `ThompsonSampling` and `LinUCB` (typed
//! classes in `python/quantumpanarchy/_intelligence/rl_bandits.py`).

use super::rl_frozen_lake::lock;
use crate::error::Error;
use crate::intelligence::rl::bandits::{Bandit, Policy};
use crate::intelligence::rl::linucb::{LinUcb, Parts};
use crate::python::args::{self, PyInt};
use crate::python::run::run_sized;
use crate::rng::resolve_seed;
use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use std::sync::Mutex;

fn policy(name: &str, p1: f64, p2: f64) -> Result<Policy, Error> {
    match name {
        "epsilon_greedy" => Ok(Policy::EpsilonGreedy { epsilon: p1 }),
        "ucb1" => Ok(Policy::Ucb1 { c: p1 }),
        "bernoulli" => Ok(Policy::BetaThompson { alpha: p1, beta: p2 }),
        "gaussian" => Ok(Policy::GaussianThompson { sigma: p1 }),
        _ => Err(Error::InvalidInput(format!("unknown bandit policy {name:?}"))),
    }
}

fn policy_parts(p: Policy) -> (&'static str, f64, f64) {
    match p {
        Policy::EpsilonGreedy { epsilon } => ("epsilon_greedy", epsilon, 0.0),
        Policy::Ucb1 { c } => ("ucb1", c, 0.0),
        Policy::BetaThompson { alpha, beta } => ("bernoulli", alpha, beta),
        Policy::GaussianThompson { sigma } => ("gaussian", sigma, 0.0),
    }
}

#[pyclass(module = "quantumpanarchy._native.intelligence", name = "BanditCore", frozen)]
pub struct PyBandit {
    inner: Mutex<Bandit>,
}

/// (policy, parameter 1, parameter 2, counts, sums, successes, generator state).
type BanditState = (String, f64, f64, Vec<u64>, Vec<f64>, Vec<f64>, [u64; 4]);

#[pymethods]
impl PyBandit {
    #[new]
    #[pyo3(signature = (policy_name, n_arms, p1, p2, seed=None))]
    fn new(
        policy_name: &str,
        #[pyo3(from_py_with = args::int)] n_arms: PyInt,
        p1: f64,
        p2: f64,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let arms = args::count(n_arms, "n_arms", 1)?;
        let seed = resolve_seed(args::seed(seed)?);
        Ok(Self { inner: Mutex::new(Bandit::new(policy(policy_name, p1, p2)?, arms, seed)?) })
    }

    #[staticmethod]
    fn from_state(s: BanditState) -> PyResult<Self> {
        let (name, p1, p2, counts, sums, successes, rng) = s;
        Ok(Self { inner: Mutex::new(Bandit::from_parts(policy(&name, p1, p2)?, counts, sums, successes, rng)?) })
    }

    fn state(&self) -> PyResult<BanditState> {
        let b = lock(&self.inner)?;
        let (name, p1, p2) = policy_parts(b.policy());
        Ok((name.into(), p1, p2, b.counts().to_vec(), b.sums().to_vec(), b.successes().to_vec(), b.rng_state()))
    }

    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        Ok(lock(&self.inner)?.counts().iter().map(|&n| n as i64).collect::<Vec<_>>().into_pyarray(py))
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(lock(&self.inner)?.values().into_pyarray(py))
    }

    fn select(&self) -> PyResult<usize> {
        Ok(lock(&self.inner)?.select())
    }

    fn update(&self, arm: usize, reward: f64) -> PyResult<()> {
        Ok(lock(&self.inner)?.update(arm, reward)?)
    }

    /// Plays the rounds of a (horizon, n_arms) reward matrix; returns the arms played.
    fn run<'py>(&self, py: Python<'py>, rewards: PyReadonlyArray2<'py, f64>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let horizon = rewards.shape()[0];
        let values: Vec<f64> = rewards.as_array().iter().copied().collect();
        let units = (horizon as u64).saturating_mul(rewards.shape()[1] as u64 * 8);
        let played = run_sized(py, units, |control| lock(&self.inner)?.run(&values, horizon, control))?;
        Ok(played.into_iter().map(i64::from).collect::<Vec<_>>().into_pyarray(py))
    }
}

#[pyclass(module = "quantumpanarchy._native.intelligence", name = "LinUCBCore", frozen)]
pub struct PyLinUcb {
    inner: Mutex<LinUcb>,
}

#[pymethods]
impl PyLinUcb {
    #[new]
    #[pyo3(signature = (n_arms, n_features, alpha, seed=None))]
    fn new(
        #[pyo3(from_py_with = args::int)] n_arms: PyInt,
        #[pyo3(from_py_with = args::int)] n_features: PyInt,
        alpha: f64,
        seed: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let arms = args::count(n_arms, "n_arms", 1)?;
        let dim = args::count(n_features, "n_features", 1)?;
        let seed = resolve_seed(args::seed(seed)?);
        Ok(Self { inner: Mutex::new(LinUcb::new(arms, dim, alpha, seed)?) })
    }

    #[staticmethod]
    fn from_state(p: Parts) -> PyResult<Self> {
        Ok(Self { inner: Mutex::new(LinUcb::from_parts(p)?) })
    }

    fn state(&self) -> PyResult<Parts> {
        Ok(lock(&self.inner)?.parts())
    }

    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<i64>>> {
        Ok(lock(&self.inner)?.counts().iter().map(|&n| n as i64).collect::<Vec<_>>().into_pyarray(py))
    }

    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(lock(&self.inner)?.values().into_pyarray(py))
    }

    fn theta<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        let l = lock(&self.inner)?;
        l.theta().into_pyarray(py).reshape([l.arms(), l.dim()])
    }

    fn select(&self, context: PyReadonlyArray1<'_, f64>) -> PyResult<usize> {
        let x: Vec<f64> = context.as_array().iter().copied().collect();
        Ok(lock(&self.inner)?.select(&x)?)
    }

    fn update(&self, arm: usize, reward: f64, context: PyReadonlyArray1<'_, f64>) -> PyResult<()> {
        let x: Vec<f64> = context.as_array().iter().copied().collect();
        Ok(lock(&self.inner)?.update(arm, reward, &x)?)
    }

    /// Plays `horizon` rounds of flattened contexts and a (horizon, n_arms) reward matrix.
    fn run<'py>(
        &self,
        py: Python<'py>,
        contexts: PyReadonlyArray1<'py, f64>,
        rewards: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let horizon = rewards.shape()[0];
        let x: Vec<f64> = contexts.as_array().iter().copied().collect();
        let r: Vec<f64> = rewards.as_array().iter().copied().collect();
        let units = (x.len() as u64).saturating_mul(64);
        let played = run_sized(py, units, |control| lock(&self.inner)?.run(&x, &r, horizon, control))?;
        Ok(played.into_iter().map(i64::from).collect::<Vec<_>>().into_pyarray(py))
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyBandit>()?;
    m.add_class::<PyLinUcb>()
}
