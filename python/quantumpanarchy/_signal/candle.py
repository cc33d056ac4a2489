"""`Candle`: one bar of open, high, low, close and volume, for callers that hold bars as objects
rather than as arrays. Every function of :mod:`quantumpanarchy.signal` that takes OHLC arrays also
takes a list of candles."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_finite_real
from ..exceptions import InvalidInputError

__all__ = ["Candle"]


@dataclasses.dataclass(frozen=True, slots=True)
class Candle:
    """One bar: ``open``, ``high``, ``low``, ``close`` and ``volume`` (default 0).

    The values must be finite, ``high`` at least and ``low`` at most every other price, and
    ``volume`` non-negative; anything else raises :class:`~quantumpanarchy.InvalidInputError`.

    Examples
    --------
    >>> from quantumpanarchy.signal import Candle
    >>> Candle(10.0, 10.5, 9.8, 10.2).body
    0.1999999999999993
    """

    open: float
    high: float
    low: float
    close: float
    volume: float = 0.0

    def __post_init__(self) -> None:
        for name in ("open", "high", "low", "close", "volume"):
            object.__setattr__(self, name, check_finite_real(getattr(self, name), name))
        if self.high < max(self.open, self.close, self.low) or self.low > min(self.open, self.close):
            raise InvalidInputError(
                f"a candle needs low <= open, close <= high, got open={self.open}, high={self.high}, "
                f"low={self.low}, close={self.close}"
            )
        if self.volume < 0:
            raise InvalidInputError(f"volume must be >= 0, got {self.volume}")

    @property
    def body(self) -> float:
        """``|close - open|``, the real body."""
        return abs(self.close - self.open)

    @property
    def range(self) -> float:
        """``high - low``."""
        return self.high - self.low

    @property
    def is_bullish(self) -> bool:
        """True when the close is above the open (a white candle)."""
        return self.close > self.open

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict."""
        return dataclasses.asdict(self)


def candle_columns(candles: Sequence[Candle]) -> tuple[npt.NDArray[np.float64], ...]:
    """Open, high, low, close and volume of a list of candles as five float64 arrays."""
    if not all(isinstance(c, Candle) for c in candles):
        bad = next(type(c).__name__ for c in candles if not isinstance(c, Candle))
        raise InvalidInputError(f"expected a list of Candle objects, found a {bad}")
    table = np.array([(c.open, c.high, c.low, c.close, c.volume) for c in candles], dtype=np.float64)
    table = table.reshape(len(candles), 5)
    return tuple(np.ascontiguousarray(table[:, k]) for k in range(5))


def ohlc_by_name(keys: Iterable[Any], get: Any, what: str) -> list[Any]:
    """``get(key)`` for the open, high, low and close keys among ``keys``, matched in any case."""
    by_lower: dict[str, Any] = {}
    for k in keys:
        if isinstance(k, str):
            by_lower.setdefault(k.lower(), k)
    missing = [name for name in ("open", "high", "low", "close") if name not in by_lower]
    if missing:
        raise InvalidInputError(f"{what} needs open, high, low and close columns (any case); missing {missing}")
    return [get(by_lower[name]) for name in ("open", "high", "low", "close")]
