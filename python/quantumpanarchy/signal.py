"""Patterns and indicators: TA-Lib's 61 candlestick patterns (with its candle settings) and its
indicators under TA-Lib's names, arguments and numbers, streaming handles (``signal.stream``),
chart patterns found from swing pivots, and Fibonacci levels.

1-D arrays give arrays; 2-D arrays are many series, one per column; pandas Series and DataFrames
come back with the same index. See ``docs/signal.md``.
"""

from __future__ import annotations

from types import ModuleType

from ._help import public_dir
from ._signal import candle, candles, chart, fibonacci, indicators, stream  # noqa: F401 (stream: public)

_PARTS: tuple[ModuleType, ...] = (candle, candles, indicators, chart, fibonacci)

__all__: list[str] = sorted([*(name for part in _PARTS for name in part.__all__), "stream"])

for _part in _PARTS:
    for _name in _part.__all__:
        _value = getattr(_part, _name)
        if getattr(_value, "__module__", None) == _part.__name__:
            _value.__module__ = __name__
        globals()[_name] = _value

__dir__ = public_dir(__all__)
