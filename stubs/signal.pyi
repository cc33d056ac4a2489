"""Patterns and indicators: TA-Lib's 61 candlestick patterns (with its candle settings) and its
indicators under TA-Lib's names, arguments and numbers, streaming handles (``signal.stream``),
chart patterns found from swing pivots, and Fibonacci levels."""

# Everything is typed where it is implemented (python/quantumpanarchy/_signal/, one module per
# part); this stub re-exports it, one line per name, grouped by part.

from ._signal import stream as stream
from ._signal.candle import Candle as Candle
from ._signal.chart import Pattern as Pattern
from ._signal.chart import PatternDetector as PatternDetector
from ._signal.chart import PatternType as PatternType
from ._signal.chart import Pivots as Pivots
from ._signal.chart import plot_pattern as plot_pattern
from ._signal.chart import zigzag as zigzag
from ._signal.fibonacci import FibonacciAnalyzer as FibonacciAnalyzer
from ._signal.fibonacci import FibonacciLevels as FibonacciLevels
from ._signal.fibonacci import SwingPoint as SwingPoint

__all__ = [
    "Candle",
    "FibonacciAnalyzer",
    "FibonacciLevels",
    "Pattern",
    "PatternDetector",
    "PatternType",
    "Pivots",
    "SwingPoint",
    "plot_pattern",
    "stream",
    "zigzag",
]
