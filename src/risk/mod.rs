//! `quantumpanarchy.risk`: performance statistics (empyrical's definitions), VaR and CVaR
//! (historical, parametric, Monte Carlo), VaR backtests, Kelly sizing, antifragility (barbell,
//! convexity) and market regimes (Gaussian hidden Markov model). Plain Rust, no PyO3: the bindings
//! are in `src/python/risk/`.

pub mod antifragile;
pub mod backtest;
pub mod kelly;
pub mod montecarlo;
pub mod regime;
pub mod stats;
pub mod var;
