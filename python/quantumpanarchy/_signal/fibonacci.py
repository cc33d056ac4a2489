"""Fibonacci retracement and extension levels of the most recent swing:
:class:`FibonacciAnalyzer` and its :class:`FibonacciLevels`. The swing rule is in
``docs/signal-fibonacci.md``; the search runs in Rust (``src/signal/fibonacci.rs``)."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .. import _native
from .._decision._params import check_finite_real, check_int, check_real
from .._frame import is_pandas
from ..exceptions import InvalidInputError
from .candle import Candle, candle_columns

__all__ = ["FibonacciAnalyzer", "FibonacciLevels", "SwingPoint"]

_native_signal: Any = _native.signal


@dataclasses.dataclass(frozen=True)
class SwingPoint:
    """A swing high or low: its bar ``index``, ``price`` and, when a Series came in, its index
    ``label``."""

    index: int
    price: float
    label: Any = None


@dataclasses.dataclass(frozen=True)
class FibonacciLevels:
    """The levels of one swing.

    Attributes
    ----------
    swing_high, swing_low
        The swing pair.
    trend
        ``"up"`` when the low came first (retracements measured down from the high), ``"down"``
        when the high came first.
    retracements
        ``(ratio, price)`` for 0, 0.236, 0.382, 0.5, 0.618, 0.786 and 1: ``high − ratio × range``
        in an up trend, ``low + ratio × range`` in a down trend.
    extensions
        ``(ratio, price)`` for 1.272, 1.414, 1.618, 2 and 2.618: ``low + ratio × range`` in an up
        trend, ``high − ratio × range`` in a down trend.
    current_price
        The price the support and resistance split refers to (the last price unless given).
    """

    swing_high: SwingPoint
    swing_low: SwingPoint
    trend: str
    retracements: tuple[tuple[float, float], ...]
    extensions: tuple[tuple[float, float], ...]
    current_price: float

    @property
    def range(self) -> float:
        """``swing_high.price − swing_low.price``."""
        return self.swing_high.price - self.swing_low.price

    def levels(self) -> list[tuple[str, float, float]]:
        """Every level as ``(kind, ratio, price)``, kind ``"retracement"`` or ``"extension"``."""
        return [("retracement", r, p) for r, p in self.retracements] + [("extension", r, p) for r, p in self.extensions]

    def nearest_level(self, current_price: float | None = None) -> tuple[str, float, float, float]:
        """The level nearest ``current_price`` (default: :attr:`current_price`) as ``(kind,
        ratio, price, distance)`` with ``distance = |price − current_price|``; of equally near
        levels the retracement with the smaller ratio."""
        cp = self.current_price if current_price is None else check_finite_real(current_price, "current_price")
        kind, ratio, price = min(self.levels(), key=lambda lv: abs(lv[2] - cp))
        return kind, ratio, price, abs(price - cp)

    @property
    def support(self) -> list[tuple[float, float]]:
        """``(ratio, price)`` of the levels below :attr:`current_price`, nearest first."""
        below = [(r, p) for _, r, p in self.levels() if p < self.current_price]
        return sorted(below, key=lambda rp: -rp[1])

    @property
    def resistance(self) -> list[tuple[float, float]]:
        """``(ratio, price)`` of the levels above :attr:`current_price`, nearest first."""
        above = [(r, p) for _, r, p in self.levels() if p > self.current_price]
        return sorted(above, key=lambda rp: rp[1])

    def __repr__(self) -> str:
        return (
            f"FibonacciLevels(trend={self.trend}, high={self.swing_high.price:.6g}@{self.swing_high.index}, "
            f"low={self.swing_low.price:.6g}@{self.swing_low.index}, current={self.current_price:.6g})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict, with ``support`` and ``resistance``."""
        return {
            "swing_high": dataclasses.asdict(self.swing_high),
            "swing_low": dataclasses.asdict(self.swing_low),
            "trend": self.trend,
            "retracements": [list(x) for x in self.retracements],
            "extensions": [list(x) for x in self.extensions],
            "current_price": self.current_price,
            "support": [list(x) for x in self.support],
            "resistance": [list(x) for x in self.resistance],
        }


class FibonacciAnalyzer:
    """Fibonacci levels of the most recent swing of a price series.

    Parameters
    ----------
    swing_window
        Bars on each side a swing high (low) must exceed (undercut) (>= 1).
    min_swing_size
        The smallest swing, ``(high − low) / |low|`` (> 0).

    Examples
    --------
    >>> from quantumpanarchy.signal import FibonacciAnalyzer
    >>> prices = [110, 105, 100, 120, 130, 140, 150, 145, 140, 142]
    >>> lv = FibonacciAnalyzer(swing_window=2).analyze(prices)
    >>> lv.trend, lv.swing_low.price, lv.swing_high.price
    ('up', 100.0, 150.0)
    >>> dict(lv.retracements)[0.5]
    125.0
    """

    def __init__(self, swing_window: int = 10, min_swing_size: float = 0.02) -> None:
        self._swing_window = check_int(swing_window, "swing_window", 1)
        m = check_real(min_swing_size, "min_swing_size")
        if not (np.isfinite(m) and m > 0):
            raise InvalidInputError(f"min_swing_size must be a positive number, got {m}")
        self._min_swing_size = m

    @property
    def swing_window(self) -> int:
        return self._swing_window

    @property
    def min_swing_size(self) -> float:
        return self._min_swing_size

    def __repr__(self) -> str:
        return f"FibonacciAnalyzer(swing_window={self._swing_window}, min_swing_size={self._min_swing_size})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FibonacciAnalyzer) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (FibonacciAnalyzer, (self._swing_window, self._min_swing_size))

    def analyze(self, prices: Any, current_price: float | None = None) -> FibonacciLevels:
        """The levels of the most recent swing pair of ``prices``.

        Parameters
        ----------
        prices
            1-D prices (array, list, pandas Series), or a list of :class:`Candle` (closes).
        current_price
            The price support and resistance are split at (default: the last price).

        Returns
        -------
        FibonacciLevels

        Raises
        ------
        InvalidInputError
            Fewer than ``2 × swing_window + 1`` prices, non-finite prices, or no swing pair of
            ``min_swing_size``.
        """
        index = None
        if isinstance(prices, (list, tuple)) and prices and isinstance(prices[0], Candle):
            prices = candle_columns(prices)[3]
        elif is_pandas(prices) and not hasattr(prices, "columns"):
            index = prices.index
            prices = prices.to_numpy()
        (hi_i, hi_p), (lo_i, lo_p), up, retr, ext = _native_signal.fibonacci_levels(
            prices, self._swing_window, self._min_swing_size
        )
        if current_price is None:
            cp = float(np.asarray(prices, dtype=np.float64).reshape(-1)[-1])
        else:
            cp = check_finite_real(current_price, "current_price")

        def label(i: int) -> Any:
            return None if index is None else index[i]

        return FibonacciLevels(
            swing_high=SwingPoint(int(hi_i), float(hi_p), label(hi_i)),
            swing_low=SwingPoint(int(lo_i), float(lo_p), label(lo_i)),
            trend="up" if up else "down",
            retracements=tuple((float(r), float(p)) for r, p in retr),
            extensions=tuple((float(r), float(p)) for r, p in ext),
            current_price=cp,
        )
