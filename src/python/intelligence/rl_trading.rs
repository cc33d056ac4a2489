//! Bindings: the trading environment behind `quantumpanarchy.intelligence.TradingEnv` (typed
//! class in `python/quantumpanarchy/_intelligence/rl_envs.py`).

use super::rl_frozen_lake::lock;
use crate::intelligence::rl::trading::{Actions, Config, Position, Reward, TradingEnv};
use numpy::{IntoPyArray, PyArray1, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use std::sync::Mutex;

#[pyclass(module = "quantumpanarchy._native.intelligence", name = "TradingCore", frozen)]
pub struct PyTrading {
    inner: Mutex<TradingEnv>,
}

/// (observation, reward, terminated, truncated, (position, equity, cost, period return, t)).
type Stepped<'py> = (Bound<'py, PyArray1<f32>>, f64, bool, bool, (f64, f64, f64, f64, usize));

/// (t, position, equity, steps, ema of returns, ema of squares, done).
type Saved = (usize, f64, f64, usize, f64, f64, bool);

#[pymethods]
impl PyTrading {
    #[new]
    #[pyo3(signature = (prices, features, window, positions, trade_size, max_position, transaction_cost, reward, sharpe_eta, max_episode_steps))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        prices: PyReadonlyArray1<'_, f64>,
        features: PyReadonlyArray2<'_, f64>,
        window: usize,
        positions: Option<Vec<f64>>,
        trade_size: f64,
        max_position: f64,
        transaction_cost: f64,
        reward: &str,
        sharpe_eta: f64,
        max_episode_steps: Option<usize>,
    ) -> PyResult<Self> {
        let actions = match positions {
            Some(p) => Actions::Target(p),
            None => Actions::Delta { size: trade_size, limit: max_position },
        };
        let config = Config {
            prices: prices.as_array().iter().copied().collect(),
            features: features.as_array().iter().copied().collect(),
            num_features: features.shape()[1],
            window,
            actions,
            max_position,
            transaction_cost,
            reward: Reward::parse(reward, sharpe_eta)?,
            max_steps: max_episode_steps,
        };
        Ok(Self { inner: Mutex::new(TradingEnv::new(config)?) })
    }

    #[getter]
    fn obs_len(&self) -> PyResult<usize> {
        Ok(lock(&self.inner)?.config().obs_len())
    }

    #[getter]
    fn n_actions(&self) -> PyResult<usize> {
        Ok(lock(&self.inner)?.config().actions.count())
    }

    #[getter]
    fn episode_length(&self) -> PyResult<usize> {
        Ok(lock(&self.inner)?.episode_length())
    }

    fn reset<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f32>>> {
        Ok(lock(&self.inner)?.reset().into_pyarray(py))
    }

    fn observation<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f32>>> {
        Ok(lock(&self.inner)?.observation().into_pyarray(py))
    }

    fn step<'py>(&self, py: Python<'py>, action: usize) -> PyResult<Stepped<'py>> {
        let mut env = lock(&self.inner)?;
        let s = env.step(action)?;
        let t = env.now().t;
        let obs = env.observation().into_pyarray(py);
        Ok((obs, s.reward, s.terminated, s.truncated, (s.position, s.equity, s.cost, s.period_return, t)))
    }

    fn position(&self) -> PyResult<Saved> {
        let p = lock(&self.inner)?.now();
        Ok((p.t, p.position, p.equity, p.steps, p.ema_return, p.ema_square, p.done))
    }

    fn restore(&self, s: Saved) -> PyResult<()> {
        let (t, position, equity, steps, ema_return, ema_square, done) = s;
        Ok(lock(&self.inner)?.restore(Position { t, position, equity, steps, ema_return, ema_square, done })?)
    }

    fn prices<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(lock(&self.inner)?.config().prices.clone().into_pyarray(py))
    }

    fn features<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        let env = lock(&self.inner)?;
        let c = env.config();
        c.features.clone().into_pyarray(py).reshape([c.prices.len(), c.num_features])
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTrading>()
}
