"""Risk and antifragility: performance statistics with empyrical's names and numbers, VaR/CVaR
(historical, parametric, Monte Carlo) and their backtests, Kelly sizing, barbell allocation and
convexity, and market regimes from a Gaussian hidden Markov model.

1-D returns give a float; 2-D returns (observations × assets) give one value per column, as a
numpy array, or as a pandas Series keyed by the columns when a DataFrame came in. Losses (VaR,
CVaR) are positive numbers. See ``docs/risk.md``.
"""

from __future__ import annotations

from types import ModuleType

from ._help import public_dir
from ._risk import antifragile, backtest, kelly, montecarlo, regime, stats, var

_PARTS: tuple[ModuleType, ...] = (stats, var, backtest, montecarlo, kelly, antifragile, regime)

__all__: list[str] = sorted(name for part in _PARTS for name in part.__all__)

for _part in _PARTS:
    for _name in _part.__all__:
        _value = getattr(_part, _name)
        if getattr(_value, "__module__", None) == _part.__name__:
            _value.__module__ = __name__
        globals()[_name] = _value

__dir__ = public_dir(__all__)
