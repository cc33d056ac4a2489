//! VaR backtests: Kupiec, Christoffersen, Basel traffic light.
