"""Risk and antifragility: performance statistics with empyrical's names and numbers, VaR/CVaR
(historical, parametric, Monte Carlo) and their backtests, Kelly sizing, barbell allocation and
convexity, and market regimes from a Gaussian hidden Markov model."""

# Everything is typed where it is implemented (python/quantumpanarchy/_risk/, one module per
# part); this stub re-exports it, as `from ._risk.stats import sharpe_ratio as sharpe_ratio`.

__all__: list[str]

# Monte Carlo VaR and Kelly sizing (python/quantumpanarchy/_risk/montecarlo.py, kelly.py)
from ._risk.kelly import KellyPortfolio as KellyPortfolio
from ._risk.kelly import kelly_continuous as kelly_continuous
from ._risk.kelly import kelly_fraction as kelly_fraction
from ._risk.kelly import kelly_portfolio as kelly_portfolio
from ._risk.montecarlo import MonteCarloVaR as MonteCarloVaR
from ._risk.montecarlo import monte_carlo_var as monte_carlo_var
from ._risk.montecarlo import simulate_returns as simulate_returns

__all__ += [
    "KellyPortfolio",
    "MonteCarloVaR",
    "kelly_continuous",
    "kelly_fraction",
    "kelly_portfolio",
    "monte_carlo_var",
    "simulate_returns",
]
