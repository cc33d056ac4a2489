"""Risk and antifragility: performance statistics with empyrical's names and numbers, VaR/CVaR
(historical, parametric, Monte Carlo) and their backtests, Kelly sizing, barbell allocation and
convexity, and market regimes from a Gaussian hidden Markov model."""

# Everything is typed where it is implemented (python/quantumpanarchy/_risk/, one module per
# part); this stub re-exports it.

from ._risk.antifragile import AntifragileAnalyzer as AntifragileAnalyzer
from ._risk.antifragile import Convexity as Convexity
from ._risk.antifragile import Opportunity as Opportunity
from ._risk.antifragile import measure_convexity as measure_convexity
from ._risk.backtest import ChristoffersenResult as ChristoffersenResult
from ._risk.backtest import KupiecResult as KupiecResult
from ._risk.backtest import christoffersen_test as christoffersen_test
from ._risk.backtest import kupiec_test as kupiec_test
from ._risk.backtest import traffic_light as traffic_light
from ._risk.backtest import var_exceptions as var_exceptions
from ._risk.kelly import KellyPortfolio as KellyPortfolio
from ._risk.kelly import kelly_continuous as kelly_continuous
from ._risk.kelly import kelly_fraction as kelly_fraction
from ._risk.kelly import kelly_portfolio as kelly_portfolio
from ._risk.montecarlo import MonteCarloVaR as MonteCarloVaR
from ._risk.montecarlo import monte_carlo_var as monte_carlo_var
from ._risk.montecarlo import simulate_returns as simulate_returns
from ._risk.regime import MarketRegime as MarketRegime
from ._risk.regime import RegimeModel as RegimeModel
from ._risk.regime import detect_regime as detect_regime
from ._risk.stats import alpha as alpha
from ._risk.stats import annual_return as annual_return
from ._risk.stats import annual_volatility as annual_volatility
from ._risk.stats import annualization_factor as annualization_factor
from ._risk.stats import beta as beta
from ._risk.stats import calmar_ratio as calmar_ratio
from ._risk.stats import conditional_value_at_risk as conditional_value_at_risk
from ._risk.stats import cum_returns as cum_returns
from ._risk.stats import cum_returns_final as cum_returns_final
from ._risk.stats import down_capture as down_capture
from ._risk.stats import downside_risk as downside_risk
from ._risk.stats import drawdown_series as drawdown_series
from ._risk.stats import excess_sharpe as excess_sharpe
from ._risk.stats import max_drawdown as max_drawdown
from ._risk.stats import omega_ratio as omega_ratio
from ._risk.stats import sharpe_ratio as sharpe_ratio
from ._risk.stats import sortino_ratio as sortino_ratio
from ._risk.stats import stability_of_timeseries as stability_of_timeseries
from ._risk.stats import tail_ratio as tail_ratio
from ._risk.stats import up_capture as up_capture
from ._risk.stats import value_at_risk as value_at_risk
from ._risk.var import StudentTFit as StudentTFit
from ._risk.var import cvar as cvar
from ._risk.var import fit_student_t as fit_student_t
from ._risk.var import rolling_cvar as rolling_cvar
from ._risk.var import rolling_var as rolling_var
from ._risk.var import var as var

__all__ = [
    "AntifragileAnalyzer",
    "ChristoffersenResult",
    "Convexity",
    "KellyPortfolio",
    "KupiecResult",
    "MarketRegime",
    "MonteCarloVaR",
    "Opportunity",
    "RegimeModel",
    "StudentTFit",
    "alpha",
    "annual_return",
    "annual_volatility",
    "annualization_factor",
    "beta",
    "calmar_ratio",
    "christoffersen_test",
    "conditional_value_at_risk",
    "cum_returns",
    "cum_returns_final",
    "cvar",
    "detect_regime",
    "down_capture",
    "downside_risk",
    "drawdown_series",
    "excess_sharpe",
    "fit_student_t",
    "kelly_continuous",
    "kelly_fraction",
    "kelly_portfolio",
    "kupiec_test",
    "max_drawdown",
    "measure_convexity",
    "monte_carlo_var",
    "omega_ratio",
    "rolling_cvar",
    "rolling_var",
    "sharpe_ratio",
    "simulate_returns",
    "sortino_ratio",
    "stability_of_timeseries",
    "tail_ratio",
    "traffic_light",
    "up_capture",
    "value_at_risk",
    "var",
    "var_exceptions",
]
