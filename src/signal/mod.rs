//! `quantumpanarchy.signal`: TA-Lib's candlestick patterns (with its candle settings) and
//! indicators, their streaming forms, chart patterns found from swing pivots, and Fibonacci
//! levels. Plain Rust, no PyO3: the bindings are in `src/python/signal/`.

pub mod candles;
pub mod chart;
pub mod fibonacci;
pub mod indicators;
pub(crate) mod quotient;
