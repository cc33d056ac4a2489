"""Risk and antifragility: performance statistics with empyrical's names and numbers, VaR/CVaR
(historical, parametric, Monte Carlo) and their backtests, Kelly sizing, barbell allocation and
convexity, and market regimes from a Gaussian hidden Markov model."""

# Everything is typed where it is implemented (python/quantumpanarchy/_risk/, one module per
# part); this stub re-exports it, as `from ._risk.stats import sharpe_ratio as sharpe_ratio`.

__all__: list[str]
