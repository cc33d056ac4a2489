"""Complex adaptive systems: power-law fitting with the ``powerlaw`` package's names and numbers,
the Bak–Tang–Wiesenfeld sandpile, and self-organised criticality in price series. See
``docs/cas.md``.
"""

from __future__ import annotations

from types import ModuleType

from ._cas import powerlaw, sandpile, soc
from ._help import public_dir

_PARTS: tuple[ModuleType, ...] = (powerlaw, sandpile, soc)

__all__: list[str] = sorted(name for part in _PARTS for name in part.__all__)

for _part in _PARTS:
    for _name in _part.__all__:
        _value = getattr(_part, _name)
        if getattr(_value, "__module__", None) == _part.__name__:
            _value.__module__ = __name__
        globals()[_name] = _value

__dir__ = public_dir(__all__)
