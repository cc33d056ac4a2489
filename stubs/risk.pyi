"""Risk and antifragility: performance statistics with empyrical's names and numbers, VaR/CVaR
(historical, parametric, Monte Carlo) and their backtests, Kelly sizing, barbell allocation and
convexity, and market regimes from a Gaussian hidden Markov model."""

# Everything is typed where it is implemented (python/quantumpanarchy/_risk/, one module per
# part); this stub re-exports it, as `from ._risk.stats import sharpe_ratio as sharpe_ratio`.

__all__: list[str]

# market regimes and antifragility
from ._risk.antifragile import AntifragileAnalyzer as AntifragileAnalyzer
from ._risk.antifragile import Convexity as Convexity
from ._risk.antifragile import Opportunity as Opportunity
from ._risk.antifragile import measure_convexity as measure_convexity
from ._risk.regime import MarketRegime as MarketRegime
from ._risk.regime import RegimeModel as RegimeModel
from ._risk.regime import detect_regime as detect_regime

__all__ += [
    "AntifragileAnalyzer",
    "Convexity",
    "MarketRegime",
    "Opportunity",
    "RegimeModel",
    "detect_regime",
    "measure_convexity",
]
