"""Patterns and indicators: TA-Lib's 61 candlestick patterns (with its candle settings) and its
indicators under TA-Lib's names, arguments and numbers, streaming handles (``signal.stream``),
chart patterns found from swing pivots, and Fibonacci levels."""

# Everything is typed where it is implemented (python/quantumpanarchy/_signal/, one module per
# part); this stub re-exports it, one line per name, grouped by part.

from ._signal import stream as stream
from ._signal.candle import Candle as Candle

__all__ = [
    "Candle",
    "stream",
]
