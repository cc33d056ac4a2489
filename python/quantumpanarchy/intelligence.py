"""Intelligence: ONNX inference in Rust and reinforcement-learning agents with a trading
environment.
"""

from __future__ import annotations

from types import ModuleType

from ._help import public_dir
from ._intelligence import onnx, rl_agents, rl_bandits, rl_envs

# the parts, one module of ``_intelligence`` each: their ``__all__`` is this module's
_PARTS: tuple[ModuleType, ...] = (onnx, rl_agents, rl_bandits, rl_envs)

__all__: list[str] = sorted(name for part in _PARTS for name in part.__all__)

for _part in _PARTS:
    for _name in _part.__all__:
        _value = getattr(_part, _name)
        if getattr(_value, "__module__", None) == _part.__name__:
            _value.__module__ = __name__
        globals()[_name] = _value

__dir__ = public_dir(__all__)
