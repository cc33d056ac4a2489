//! A trading environment over a price series: at step t the agent picks a position (a target
//! exposure, or a trade of fixed size within a position limit), pays a proportional cost on the
//! change, and earns the position times the next simple return. Observations: the last `window`
//! log returns, the same rows of the optional features, and the current position.

use crate::error::{check_finite, check_finite_matrix, Error, Result};

/// Growth factor below which the account counts as bankrupt (the episode ends there).
pub const BANKRUPT: f64 = 1e-8;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reward {
    /// The change of equity (which starts at 1).
    Pnl,
    /// ln(equity_{t+1} / equity_t).
    LogReturn,
    /// Moody and Saffell's differential Sharpe ratio of the period returns, with EMA rate η.
    DifferentialSharpe { eta: f64 },
}

impl Reward {
    pub fn parse(name: &str, eta: f64) -> Result<Self> {
        match name {
            "pnl" => Ok(Self::Pnl),
            "log_return" => Ok(Self::LogReturn),
            "sharpe" | "differential_sharpe" => {
                if !(eta > 0.0 && eta <= 1.0) {
                    return Err(Error::InvalidInput(format!("sharpe_eta must be in (0, 1], got {eta}")));
                }
                Ok(Self::DifferentialSharpe { eta })
            }
            _ => Err(Error::InvalidInput(format!(
                "reward must be 'pnl', 'log_return' or 'differential_sharpe' (alias 'sharpe'), got {name:?}"
            ))),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Actions {
    /// Action k sets the position to `positions[k]`.
    Target(Vec<f64>),
    /// Actions 0, 1, 2 sell, hold, buy `size` units, the position clipped to ±`limit`.
    Delta { size: f64, limit: f64 },
}

impl Actions {
    pub fn count(&self) -> usize {
        match self {
            Actions::Target(p) => p.len(),
            Actions::Delta { .. } => 3,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub prices: Vec<f64>,
    /// Row-major `prices.len() × num_features`.
    pub features: Vec<f64>,
    pub num_features: usize,
    pub window: usize,
    pub actions: Actions,
    pub max_position: f64,
    pub transaction_cost: f64,
    pub reward: Reward,
    /// Steps after which an episode is truncated (besides the end of the series).
    pub max_steps: Option<usize>,
}

impl Config {
    pub fn check(&self) -> Result<()> {
        let n = self.prices.len();
        if n == 0 {
            return Err(Error::InvalidInput("prices must not be empty".into()));
        }
        check_finite(&self.prices, "prices")?;
        if let Some(k) = self.prices.iter().position(|&p| p <= 0.0) {
            return Err(Error::InvalidInput(format!("prices must be > 0: prices[{k}] is {}", self.prices[k])));
        }
        if self.window == 0 {
            return Err(Error::InvalidInput("window must be at least 1".into()));
        }
        if n < self.window.saturating_add(2) {
            return Err(Error::InvalidInput(format!(
                "prices needs at least window + 2 = {} values (window returns and one step), got {n}",
                self.window.saturating_add(2)
            )));
        }
        if self.features.len() != n * self.num_features {
            return Err(Error::InvalidInput(format!(
                "features must have one row per price ({n}), got {} values for {} features",
                self.features.len(),
                self.num_features
            )));
        }
        check_finite_matrix(&self.features, self.num_features, "features")?;
        if !(self.max_position.is_finite() && self.max_position > 0.0) {
            return Err(Error::InvalidInput(format!("max_position must be finite and > 0, got {}", self.max_position)));
        }
        if !(self.transaction_cost.is_finite() && (0.0..1.0).contains(&self.transaction_cost)) {
            return Err(Error::InvalidInput(format!(
                "transaction_cost must be in [0, 1), got {}",
                self.transaction_cost
            )));
        }
        match &self.actions {
            Actions::Target(p) => {
                if p.is_empty() {
                    return Err(Error::InvalidInput("positions must not be empty".into()));
                }
                check_finite(p, "positions")?;
                if let Some(k) = p.iter().position(|x| x.abs() > self.max_position) {
                    return Err(Error::InvalidInput(format!(
                        "positions[{k}] = {} is beyond max_position {}",
                        p[k], self.max_position
                    )));
                }
            }
            Actions::Delta { size, .. } => {
                if !(size.is_finite() && *size > 0.0) {
                    return Err(Error::InvalidInput(format!("trade_size must be finite and > 0, got {size}")));
                }
            }
        }
        if self.max_steps == Some(0) {
            return Err(Error::InvalidInput("max_episode_steps must be at least 1".into()));
        }
        Ok(())
    }

    pub fn obs_len(&self) -> usize {
        self.window * (1 + self.num_features) + 1
    }
}

/// One step's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TradeStep {
    pub reward: f64,
    pub terminated: bool,
    pub truncated: bool,
    pub position: f64,
    pub equity: f64,
    pub cost: f64,
    pub period_return: f64,
}

/// Where an episode stands: price index, position, equity, steps taken, the differential
/// Sharpe ratio's two moving averages, and whether it has ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub t: usize,
    pub position: f64,
    pub equity: f64,
    pub steps: usize,
    pub ema_return: f64,
    pub ema_square: f64,
    pub done: bool,
}

#[derive(Debug, Clone)]
pub struct TradingEnv {
    config: Config,
    log_returns: Vec<f64>,
    now: Position,
}

impl TradingEnv {
    pub fn new(config: Config) -> Result<Self> {
        config.check()?;
        let log_returns = config.prices.windows(2).map(|w| (w[1] / w[0]).ln()).collect();
        let mut env = Self {
            config,
            log_returns,
            now: Position { t: 0, position: 0.0, equity: 1.0, steps: 0, ema_return: 0.0, ema_square: 0.0, done: false },
        };
        env.reset();
        Ok(env)
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    pub fn now(&self) -> Position {
        self.now
    }

    pub fn restore(&mut self, p: Position) -> Result<()> {
        if p.t < self.config.window
            || p.t >= self.config.prices.len()
            || !p.position.is_finite()
            || !p.equity.is_finite()
        {
            return Err(Error::InvalidInput("not a saved position of this environment".into()));
        }
        self.now = p;
        Ok(())
    }

    /// Steps an episode can take from the start.
    pub fn episode_length(&self) -> usize {
        let data = self.config.prices.len() - 1 - self.config.window;
        self.config.max_steps.map_or(data, |m| m.min(data))
    }

    pub fn reset(&mut self) -> Vec<f32> {
        self.now = Position {
            t: self.config.window,
            position: 0.0,
            equity: 1.0,
            steps: 0,
            ema_return: 0.0,
            ema_square: 0.0,
            done: false,
        };
        self.observation()
    }

    /// The observation at the current price index.
    pub fn observation(&self) -> Vec<f32> {
        let (w, t, k) = (self.config.window, self.now.t, self.config.num_features);
        let mut obs = Vec::with_capacity(self.config.obs_len());
        // log returns r_{t-w+1..=t}, where r_i = ln(P_i / P_{i-1}) = log_returns[i - 1]
        obs.extend(self.log_returns[t - w..t].iter().map(|&r| r as f32));
        obs.extend(self.config.features[(t + 1 - w) * k..(t + 1) * k].iter().map(|&f| f as f32));
        obs.push(self.now.position as f32);
        obs
    }

    fn target(&self, action: usize) -> f64 {
        match &self.config.actions {
            Actions::Target(p) => p[action],
            Actions::Delta { size, limit } => {
                let lim = limit.min(self.config.max_position);
                (self.now.position + (action as f64 - 1.0) * size).clamp(-lim, lim)
            }
        }
    }

    pub fn step(&mut self, action: usize) -> Result<TradeStep> {
        let n_actions = self.config.actions.count();
        if action >= n_actions {
            return Err(Error::InvalidInput(format!("action must be in [0, {n_actions}), got {action}")));
        }
        if self.now.done {
            return Err(Error::InvalidInput("the episode has ended: call reset() before step()".into()));
        }
        let p = &self.config.prices;
        let new = self.target(action);
        let cost = self.config.transaction_cost * (new - self.now.position).abs();
        let simple = p[self.now.t + 1] / p[self.now.t] - 1.0;
        let period = new * simple - cost;
        let growth = 1.0 + period;
        let bankrupt = growth <= BANKRUPT;
        let equity = if bankrupt { 0.0 } else { self.now.equity * growth };
        let reward = match self.config.reward {
            Reward::Pnl => equity - self.now.equity,
            Reward::LogReturn => growth.max(BANKRUPT).ln(),
            Reward::DifferentialSharpe { eta } => {
                let (a, b) = (self.now.ema_return, self.now.ema_square);
                let (da, db) = (period - a, period * period - b);
                let var = b - a * a;
                self.now.ema_return = a + eta * da;
                self.now.ema_square = b + eta * db;
                // no spread of returns yet: the ratio's derivative is undefined, call it 0
                if var > 1e-12 {
                    (b * da - 0.5 * a * db) / var.powf(1.5)
                } else {
                    0.0
                }
            }
        };
        self.now.t += 1;
        self.now.steps += 1;
        self.now.position = new;
        self.now.equity = equity;
        let truncated = !bankrupt && self.now.steps >= self.episode_length();
        self.now.done = bankrupt || truncated;
        Ok(TradeStep { reward, terminated: bankrupt, truncated, position: new, equity, cost, period_return: period })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(prices: Vec<f64>, reward: Reward) -> Config {
        Config {
            prices,
            features: Vec::new(),
            num_features: 0,
            window: 2,
            actions: Actions::Target(vec![-1.0, 0.0, 1.0]),
            max_position: 1.0,
            transaction_cost: 0.01,
            reward,
            max_steps: None,
        }
    }

    #[test]
    fn a_long_position_earns_the_return_less_costs() {
        let mut env = TradingEnv::new(config(vec![100.0, 100.0, 100.0, 110.0, 121.0], Reward::Pnl)).unwrap();
        let obs = env.reset();
        assert_eq!(obs, vec![0.0, 0.0, 0.0]);
        let s = env.step(2).unwrap();
        assert!((s.reward - (0.10 - 0.01)).abs() < 1e-12);
        assert!(!s.truncated);
        let s = env.step(2).unwrap();
        // no trade, no cost: equity 1.09 grows 10%
        assert!((s.equity - 1.09 * 1.1).abs() < 1e-12);
        assert!(s.truncated);
        assert!(env.step(1).is_err());
        let obs = env.observation();
        assert!((obs[1] as f64 - 1.1f64.ln()).abs() < 1e-6 && obs[2] == 1.0);
    }

    #[test]
    fn bankruptcy_ends_the_episode_and_bad_configs_are_refused() {
        let mut c = config(vec![1.0, 1.0, 1.0, 3.0], Reward::LogReturn);
        c.actions = Actions::Target(vec![-1.0]);
        let mut env = TradingEnv::new(c).unwrap();
        let s = env.step(0).unwrap();
        assert!(s.terminated && s.equity == 0.0 && s.reward == BANKRUPT.ln());
        assert!(TradingEnv::new(config(vec![], Reward::Pnl)).is_err());
        assert!(TradingEnv::new(config(vec![1.0, f64::NAN, 1.0, 1.0], Reward::Pnl)).is_err());
        assert!(TradingEnv::new(config(vec![1.0, 1.0, 1.0], Reward::Pnl)).is_err());
        assert!(TradingEnv::new(config(vec![1.0, -1.0, 1.0, 1.0], Reward::Pnl)).is_err());
        assert!(Reward::parse("alpha", 0.1).is_err());
        let mut d = config(vec![1.0; 5], Reward::Pnl);
        d.actions = Actions::Delta { size: 1.0, limit: 1.0 };
        let mut env = TradingEnv::new(d).unwrap();
        assert_eq!(env.step(2).unwrap().position, 1.0);
        assert_eq!(env.step(2).unwrap().position, 1.0);
    }
}
