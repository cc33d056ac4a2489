"""Tail risk with extreme value theory: peaks over threshold with generalized Pareto fits, block
maxima with the GEV, Hill's estimator, threshold diagnostics, EVT VaR/ES, return levels with
delta-method, profile-likelihood and bootstrap intervals, and a streaming black-swan detector.

Shapes follow Coles' convention: ``xi > 0`` is a heavy tail, for the GPD and the GEV alike.
scipy's ``genpareto`` has ``c = xi``; **scipy's** ``genextreme`` **has** ``c = -xi``. The fits'
``to_scipy()`` methods do the conversion. See ``docs/blackswan.md``.
"""

from __future__ import annotations

from types import ModuleType

from ._blackswan import _detector, _diagnostics, _fits, _levels
from ._help import public_dir

_PARTS: tuple[ModuleType, ...] = (_fits, _diagnostics, _levels, _detector)

__all__: list[str] = sorted(name for part in _PARTS for name in part.__all__)

for _part in _PARTS:
    for _name in _part.__all__:
        _value = getattr(_part, _name)
        if getattr(_value, "__module__", None) == _part.__name__:
            _value.__module__ = __name__
        globals()[_name] = _value

__dir__ = public_dir(__all__)
