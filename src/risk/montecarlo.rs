//! Monte Carlo VaR and CVaR.
