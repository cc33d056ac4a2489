# ruff: noqa: N801 (TA-Lib's names)
"""Streaming indicators: one handle per TA-Lib indicator, fed bar by bar.

``h = stream.RSI(timeperiod=14)`` starts empty (``stream.RSI(history, timeperiod=14)`` starts
from a history); ``h.update(close)`` gives the bar's output (NaN during the look-back), equal
bit for bit to the batch function's output at that bar; ``h.peek(...)`` gives what the next
bar would give without changing the state; ``h.value`` is the last output. Handles copy
(``copy()``) and pickle. See ``docs/signal-indicators.md``.
"""

from __future__ import annotations

from ._indicator_core import ArrayLike, StreamBase, _int, _matype, _real

__all__ = [
    "AD",
    "ADOSC",
    "ADX",
    "ADXR",
    "APO",
    "AROON",
    "AROONOSC",
    "ATR",
    "BBANDS",
    "BETA",
    "BOP",
    "CCI",
    "CMO",
    "CORREL",
    "DEMA",
    "DX",
    "EMA",
    "KAMA",
    "LINEARREG",
    "LINEARREG_ANGLE",
    "LINEARREG_INTERCEPT",
    "LINEARREG_SLOPE",
    "MA",
    "MACD",
    "MACDEXT",
    "MAMA",
    "MFI",
    "MIDPOINT",
    "MIDPRICE",
    "MINUS_DI",
    "MOM",
    "NATR",
    "OBV",
    "PLUS_DI",
    "PPO",
    "ROC",
    "RSI",
    "SAR",
    "SMA",
    "STDDEV",
    "STOCH",
    "STOCHF",
    "STOCHRSI",
    "T3",
    "TEMA",
    "TRANGE",
    "TRIMA",
    "TSF",
    "ULTOSC",
    "VAR",
    "WILLR",
    "WMA",
]


class SMA(StreamBase):
    """Simple moving average, fed bar by bar (TA-Lib's ``SMA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 30
        2 to 100000.

    Examples
    --------
    >>> h = SMA()
    """

    _name = "SMA"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 30) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class EMA(StreamBase):
    """Exponential moving average (seeded by the SMA of the first period), fed bar by bar (TA-Lib's ``EMA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 30
        2 to 100000.

    Examples
    --------
    >>> h = EMA()
    """

    _name = "EMA"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 30) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class WMA(StreamBase):
    """Weighted moving average, fed bar by bar (TA-Lib's ``WMA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 30
        2 to 100000.

    Examples
    --------
    >>> h = WMA()
    """

    _name = "WMA"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 30) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class DEMA(StreamBase):
    """Double exponential moving average, fed bar by bar (TA-Lib's ``DEMA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 30
        2 to 100000.

    Examples
    --------
    >>> h = DEMA()
    """

    _name = "DEMA"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 30) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class TEMA(StreamBase):
    """Triple exponential moving average, fed bar by bar (TA-Lib's ``TEMA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 30
        2 to 100000.

    Examples
    --------
    >>> h = TEMA()
    """

    _name = "TEMA"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 30) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class TRIMA(StreamBase):
    """Triangular moving average, fed bar by bar (TA-Lib's ``TRIMA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 30
        2 to 100000.

    Examples
    --------
    >>> h = TRIMA()
    """

    _name = "TRIMA"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 30) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class KAMA(StreamBase):
    """Kaufman adaptive moving average, fed bar by bar (TA-Lib's ``KAMA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 30
        2 to 100000.

    Examples
    --------
    >>> h = KAMA()
    """

    _name = "KAMA"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 30) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class T3(StreamBase):
    """Tillson's T3 moving average, fed bar by bar (TA-Lib's ``T3``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 5
        2 to 100000.
    vfactor : float, default 0.7
        0 to 1.

    Examples
    --------
    >>> h = T3()
    """

    _name = "T3"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 5, vfactor: float = 0.7) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod"), "vfactor": _real(vfactor, "vfactor")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class MAMA(StreamBase):
    """MESA adaptive moving average, fed bar by bar (TA-Lib's ``MAMA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    fastlimit : float, default 0.5
        0.01 to 0.99.
    slowlimit : float, default 0.05
        0.01 to 0.99.

    Examples
    --------
    >>> h = MAMA()
    """

    _name = "MAMA"
    _inputs = ("close",)
    _outputs = ("mama", "fama")

    def __init__(self, *history: ArrayLike, fastlimit: float = 0.5, slowlimit: float = 0.05) -> None:
        super().__init__(
            history, {"fastlimit": _real(fastlimit, "fastlimit"), "slowlimit": _real(slowlimit, "slowlimit")}
        )

    def update(self, close: float) -> tuple[float, float]:
        """Feeds one bar; returns its outputs (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> tuple[float, float]:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class MA(StreamBase):
    """Moving average of any type (``matype`` 0 to 8), fed bar by bar (TA-Lib's ``MA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 30
        1 to 100000.
    matype : int, default 0
        0 to 8, see ``MA``.

    Examples
    --------
    >>> h = MA()
    """

    _name = "MA"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 30, matype: int = 0) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod"), "matype": _matype(matype, "matype")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class BBANDS(StreamBase):
    """Bollinger bands, fed bar by bar (TA-Lib's ``BBANDS``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 20
        2 to 100000.
    nbdevup : float, default 2.0
        -3e+37 to 3e+37.
    nbdevdn : float, default 2.0
        -3e+37 to 3e+37.
    matype : int, default 0
        0 to 8, see ``MA``.

    Examples
    --------
    >>> h = BBANDS()
    """

    _name = "BBANDS"
    _inputs = ("close",)
    _outputs = ("upperband", "middleband", "lowerband")

    def __init__(
        self, *history: ArrayLike, timeperiod: int = 20, nbdevup: float = 2.0, nbdevdn: float = 2.0, matype: int = 0
    ) -> None:
        super().__init__(
            history,
            {
                "timeperiod": _int(timeperiod, "timeperiod"),
                "nbdevup": _real(nbdevup, "nbdevup"),
                "nbdevdn": _real(nbdevdn, "nbdevdn"),
                "matype": _matype(matype, "matype"),
            },
        )

    def update(self, close: float) -> tuple[float, float, float]:
        """Feeds one bar; returns its outputs (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> tuple[float, float, float]:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class MACD(StreamBase):
    """Moving average convergence/divergence, fed bar by bar (TA-Lib's ``MACD``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    fastperiod : int, default 12
        2 to 100000.
    slowperiod : int, default 26
        2 to 100000.
    signalperiod : int, default 9
        1 to 100000.

    Examples
    --------
    >>> h = MACD()
    """

    _name = "MACD"
    _inputs = ("close",)
    _outputs = ("macd", "macdsignal", "macdhist")

    def __init__(self, *history: ArrayLike, fastperiod: int = 12, slowperiod: int = 26, signalperiod: int = 9) -> None:
        super().__init__(
            history,
            {
                "fastperiod": _int(fastperiod, "fastperiod"),
                "slowperiod": _int(slowperiod, "slowperiod"),
                "signalperiod": _int(signalperiod, "signalperiod"),
            },
        )

    def update(self, close: float) -> tuple[float, float, float]:
        """Feeds one bar; returns its outputs (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> tuple[float, float, float]:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class MACDEXT(StreamBase):
    """MACD with a moving-average type per average, fed bar by bar (TA-Lib's ``MACDEXT``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    fastperiod : int, default 12
        2 to 100000.
    fastmatype : int, default 0
        0 to 8, see ``MA``.
    slowperiod : int, default 26
        2 to 100000.
    slowmatype : int, default 0
        0 to 8, see ``MA``.
    signalperiod : int, default 9
        1 to 100000.
    signalmatype : int, default 0
        0 to 8, see ``MA``.

    Examples
    --------
    >>> h = MACDEXT()
    """

    _name = "MACDEXT"
    _inputs = ("close",)
    _outputs = ("macd", "macdsignal", "macdhist")

    def __init__(
        self,
        *history: ArrayLike,
        fastperiod: int = 12,
        fastmatype: int = 0,
        slowperiod: int = 26,
        slowmatype: int = 0,
        signalperiod: int = 9,
        signalmatype: int = 0,
    ) -> None:
        super().__init__(
            history,
            {
                "fastperiod": _int(fastperiod, "fastperiod"),
                "fastmatype": _matype(fastmatype, "fastmatype"),
                "slowperiod": _int(slowperiod, "slowperiod"),
                "slowmatype": _matype(slowmatype, "slowmatype"),
                "signalperiod": _int(signalperiod, "signalperiod"),
                "signalmatype": _matype(signalmatype, "signalmatype"),
            },
        )

    def update(self, close: float) -> tuple[float, float, float]:
        """Feeds one bar; returns its outputs (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> tuple[float, float, float]:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class APO(StreamBase):
    """Absolute price oscillator, fed bar by bar (TA-Lib's ``APO``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    fastperiod : int, default 12
        2 to 100000.
    slowperiod : int, default 26
        2 to 100000.
    matype : int, default 1
        0 to 8, see ``MA``.

    Examples
    --------
    >>> h = APO()
    """

    _name = "APO"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, fastperiod: int = 12, slowperiod: int = 26, matype: int = 1) -> None:
        super().__init__(
            history,
            {
                "fastperiod": _int(fastperiod, "fastperiod"),
                "slowperiod": _int(slowperiod, "slowperiod"),
                "matype": _matype(matype, "matype"),
            },
        )

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class PPO(StreamBase):
    """Percentage price oscillator, fed bar by bar (TA-Lib's ``PPO``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    fastperiod : int, default 12
        2 to 100000.
    slowperiod : int, default 26
        2 to 100000.
    matype : int, default 1
        0 to 8, see ``MA``.

    Examples
    --------
    >>> h = PPO()
    """

    _name = "PPO"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, fastperiod: int = 12, slowperiod: int = 26, matype: int = 1) -> None:
        super().__init__(
            history,
            {
                "fastperiod": _int(fastperiod, "fastperiod"),
                "slowperiod": _int(slowperiod, "slowperiod"),
                "matype": _matype(matype, "matype"),
            },
        )

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class RSI(StreamBase):
    """Relative strength index, fed bar by bar (TA-Lib's ``RSI``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = RSI()
    """

    _name = "RSI"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class CMO(StreamBase):
    """Chande momentum oscillator, fed bar by bar (TA-Lib's ``CMO``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = CMO()
    """

    _name = "CMO"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class MOM(StreamBase):
    """Momentum, fed bar by bar (TA-Lib's ``MOM``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 10
        1 to 100000.

    Examples
    --------
    >>> h = MOM()
    """

    _name = "MOM"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 10) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class ROC(StreamBase):
    """Rate of change: ((close / close[-n]) - 1) * 100, fed bar by bar (TA-Lib's ``ROC``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 10
        1 to 100000.

    Examples
    --------
    >>> h = ROC()
    """

    _name = "ROC"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 10) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class TRANGE(StreamBase):
    """True range, fed bar by bar (TA-Lib's ``TRANGE``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    (no parameters)

    Examples
    --------
    >>> h = TRANGE()
    """

    _name = "TRANGE"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike) -> None:
        super().__init__(history, {})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class ATR(StreamBase):
    """Average true range, fed bar by bar (TA-Lib's ``ATR``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod : int, default 14
        1 to 100000.

    Examples
    --------
    >>> h = ATR()
    """

    _name = "ATR"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class NATR(StreamBase):
    """Normalised average true range, fed bar by bar (TA-Lib's ``NATR``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod : int, default 14
        1 to 100000.

    Examples
    --------
    >>> h = NATR()
    """

    _name = "NATR"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class STDDEV(StreamBase):
    """Standard deviation (population), fed bar by bar (TA-Lib's ``STDDEV``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 5
        2 to 100000.
    nbdev : float, default 1.0
        -3e+37 to 3e+37.

    Examples
    --------
    >>> h = STDDEV()
    """

    _name = "STDDEV"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 5, nbdev: float = 1.0) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod"), "nbdev": _real(nbdev, "nbdev")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class VAR(StreamBase):
    """Variance (population), fed bar by bar (TA-Lib's ``VAR``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 5
        1 to 100000.
    nbdev : float, default 1.0
        -3e+37 to 3e+37.

    Examples
    --------
    >>> h = VAR()
    """

    _name = "VAR"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 5, nbdev: float = 1.0) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod"), "nbdev": _real(nbdev, "nbdev")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class OBV(StreamBase):
    """On-balance volume, fed bar by bar (TA-Lib's ``OBV``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close, volume (all of one length), or nothing.
    (no parameters)

    Examples
    --------
    >>> h = OBV()
    """

    _name = "OBV"
    _inputs = ("close", "volume")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike) -> None:
        super().__init__(history, {})

    def update(self, close: float, volume: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close, volume)  # type: ignore[no-any-return]

    def peek(self, close: float, volume: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close, volume)  # type: ignore[no-any-return]


class AD(StreamBase):
    """Chaikin accumulation/distribution line, fed bar by bar (TA-Lib's ``AD``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close, volume (all of one length), or nothing.
    (no parameters)

    Examples
    --------
    >>> h = AD()
    """

    _name = "AD"
    _inputs = ("high", "low", "close", "volume")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike) -> None:
        super().__init__(history, {})

    def update(self, high: float, low: float, close: float, volume: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close, volume)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float, volume: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close, volume)  # type: ignore[no-any-return]


class ADOSC(StreamBase):
    """Chaikin A/D oscillator, fed bar by bar (TA-Lib's ``ADOSC``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close, volume (all of one length), or nothing.
    fastperiod : int, default 3
        2 to 100000.
    slowperiod : int, default 10
        2 to 100000.

    Examples
    --------
    >>> h = ADOSC()
    """

    _name = "ADOSC"
    _inputs = ("high", "low", "close", "volume")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, fastperiod: int = 3, slowperiod: int = 10) -> None:
        super().__init__(
            history, {"fastperiod": _int(fastperiod, "fastperiod"), "slowperiod": _int(slowperiod, "slowperiod")}
        )

    def update(self, high: float, low: float, close: float, volume: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close, volume)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float, volume: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close, volume)  # type: ignore[no-any-return]


class BOP(StreamBase):
    """Balance of power, fed bar by bar (TA-Lib's ``BOP``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: open, high, low, close (all of one length), or nothing.
    (no parameters)

    Examples
    --------
    >>> h = BOP()
    """

    _name = "BOP"
    _inputs = ("open", "high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike) -> None:
        super().__init__(history, {})

    def update(self, open: float, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(open, high, low, close)  # type: ignore[no-any-return]

    def peek(self, open: float, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(open, high, low, close)  # type: ignore[no-any-return]


class MIDPOINT(StreamBase):
    """Midpoint of the highest and lowest value over the period, fed bar by bar (TA-Lib's ``MIDPOINT``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = MIDPOINT()
    """

    _name = "MIDPOINT"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class MIDPRICE(StreamBase):
    """Midpoint of the highest high and lowest low over the period, fed bar by bar (TA-Lib's ``MIDPRICE``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = MIDPRICE()
    """

    _name = "MIDPRICE"
    _inputs = ("high", "low")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low)  # type: ignore[no-any-return]


class WILLR(StreamBase):
    """Williams' %R, fed bar by bar (TA-Lib's ``WILLR``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = WILLR()
    """

    _name = "WILLR"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class AROON(StreamBase):
    """Aroon, fed bar by bar (TA-Lib's ``AROON``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = AROON()
    """

    _name = "AROON"
    _inputs = ("high", "low")
    _outputs = ("aroondown", "aroonup")

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float) -> tuple[float, float]:
        """Feeds one bar; returns its outputs (NaN during the look-back)."""
        return self._update(high, low)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float) -> tuple[float, float]:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low)  # type: ignore[no-any-return]


class AROONOSC(StreamBase):
    """Aroon oscillator, fed bar by bar (TA-Lib's ``AROONOSC``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = AROONOSC()
    """

    _name = "AROONOSC"
    _inputs = ("high", "low")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low)  # type: ignore[no-any-return]


class STOCH(StreamBase):
    """Stochastic oscillator, fed bar by bar (TA-Lib's ``STOCH``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    fastk_period : int, default 5
        1 to 100000.
    slowk_period : int, default 3
        1 to 100000.
    slowk_matype : int, default 0
        0 to 8, see ``MA``.
    slowd_period : int, default 3
        1 to 100000.
    slowd_matype : int, default 0
        0 to 8, see ``MA``.

    Examples
    --------
    >>> h = STOCH()
    """

    _name = "STOCH"
    _inputs = ("high", "low", "close")
    _outputs = ("slowk", "slowd")

    def __init__(
        self,
        *history: ArrayLike,
        fastk_period: int = 5,
        slowk_period: int = 3,
        slowk_matype: int = 0,
        slowd_period: int = 3,
        slowd_matype: int = 0,
    ) -> None:
        super().__init__(
            history,
            {
                "fastk_period": _int(fastk_period, "fastk_period"),
                "slowk_period": _int(slowk_period, "slowk_period"),
                "slowk_matype": _matype(slowk_matype, "slowk_matype"),
                "slowd_period": _int(slowd_period, "slowd_period"),
                "slowd_matype": _matype(slowd_matype, "slowd_matype"),
            },
        )

    def update(self, high: float, low: float, close: float) -> tuple[float, float]:
        """Feeds one bar; returns its outputs (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> tuple[float, float]:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class STOCHF(StreamBase):
    """Fast stochastic oscillator, fed bar by bar (TA-Lib's ``STOCHF``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    fastk_period : int, default 5
        1 to 100000.
    fastd_period : int, default 3
        1 to 100000.
    fastd_matype : int, default 0
        0 to 8, see ``MA``.

    Examples
    --------
    >>> h = STOCHF()
    """

    _name = "STOCHF"
    _inputs = ("high", "low", "close")
    _outputs = ("fastk", "fastd")

    def __init__(
        self, *history: ArrayLike, fastk_period: int = 5, fastd_period: int = 3, fastd_matype: int = 0
    ) -> None:
        super().__init__(
            history,
            {
                "fastk_period": _int(fastk_period, "fastk_period"),
                "fastd_period": _int(fastd_period, "fastd_period"),
                "fastd_matype": _matype(fastd_matype, "fastd_matype"),
            },
        )

    def update(self, high: float, low: float, close: float) -> tuple[float, float]:
        """Feeds one bar; returns its outputs (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> tuple[float, float]:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class STOCHRSI(StreamBase):
    """Stochastic RSI, fed bar by bar (TA-Lib's ``STOCHRSI``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.
    fastk_period : int, default 5
        1 to 100000.
    fastd_period : int, default 3
        1 to 100000.
    fastd_matype : int, default 0
        0 to 8, see ``MA``.

    Examples
    --------
    >>> h = STOCHRSI()
    """

    _name = "STOCHRSI"
    _inputs = ("close",)
    _outputs = ("fastk", "fastd")

    def __init__(
        self,
        *history: ArrayLike,
        timeperiod: int = 14,
        fastk_period: int = 5,
        fastd_period: int = 3,
        fastd_matype: int = 0,
    ) -> None:
        super().__init__(
            history,
            {
                "timeperiod": _int(timeperiod, "timeperiod"),
                "fastk_period": _int(fastk_period, "fastk_period"),
                "fastd_period": _int(fastd_period, "fastd_period"),
                "fastd_matype": _matype(fastd_matype, "fastd_matype"),
            },
        )

    def update(self, close: float) -> tuple[float, float]:
        """Feeds one bar; returns its outputs (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> tuple[float, float]:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class ADX(StreamBase):
    """Average directional movement index, fed bar by bar (TA-Lib's ``ADX``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = ADX()
    """

    _name = "ADX"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class ADXR(StreamBase):
    """Average directional movement index rating, fed bar by bar (TA-Lib's ``ADXR``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = ADXR()
    """

    _name = "ADXR"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class DX(StreamBase):
    """Directional movement index, fed bar by bar (TA-Lib's ``DX``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = DX()
    """

    _name = "DX"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class PLUS_DI(StreamBase):
    """Plus directional indicator, fed bar by bar (TA-Lib's ``PLUS_DI``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod : int, default 14
        1 to 100000.

    Examples
    --------
    >>> h = PLUS_DI()
    """

    _name = "PLUS_DI"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class MINUS_DI(StreamBase):
    """Minus directional indicator, fed bar by bar (TA-Lib's ``MINUS_DI``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod : int, default 14
        1 to 100000.

    Examples
    --------
    >>> h = MINUS_DI()
    """

    _name = "MINUS_DI"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class CCI(StreamBase):
    """Commodity channel index, fed bar by bar (TA-Lib's ``CCI``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = CCI()
    """

    _name = "CCI"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class MFI(StreamBase):
    """Money flow index, fed bar by bar (TA-Lib's ``MFI``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close, volume (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = MFI()
    """

    _name = "MFI"
    _inputs = ("high", "low", "close", "volume")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, high: float, low: float, close: float, volume: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close, volume)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float, volume: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close, volume)  # type: ignore[no-any-return]


class ULTOSC(StreamBase):
    """Ultimate oscillator, fed bar by bar (TA-Lib's ``ULTOSC``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low, close (all of one length), or nothing.
    timeperiod1 : int, default 7
        1 to 100000.
    timeperiod2 : int, default 14
        1 to 100000.
    timeperiod3 : int, default 28
        1 to 100000.

    Examples
    --------
    >>> h = ULTOSC()
    """

    _name = "ULTOSC"
    _inputs = ("high", "low", "close")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod1: int = 7, timeperiod2: int = 14, timeperiod3: int = 28) -> None:
        super().__init__(
            history,
            {
                "timeperiod1": _int(timeperiod1, "timeperiod1"),
                "timeperiod2": _int(timeperiod2, "timeperiod2"),
                "timeperiod3": _int(timeperiod3, "timeperiod3"),
            },
        )

    def update(self, high: float, low: float, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low, close)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low, close)  # type: ignore[no-any-return]


class SAR(StreamBase):
    """Parabolic SAR, fed bar by bar (TA-Lib's ``SAR``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: high, low (all of one length), or nothing.
    acceleration : float, default 0.02
        0 to 3e+37.
    maximum : float, default 0.2
        0 to 3e+37.

    Examples
    --------
    >>> h = SAR()
    """

    _name = "SAR"
    _inputs = ("high", "low")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, acceleration: float = 0.02, maximum: float = 0.2) -> None:
        super().__init__(
            history, {"acceleration": _real(acceleration, "acceleration"), "maximum": _real(maximum, "maximum")}
        )

    def update(self, high: float, low: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(high, low)  # type: ignore[no-any-return]

    def peek(self, high: float, low: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(high, low)  # type: ignore[no-any-return]


class LINEARREG(StreamBase):
    """Linear regression (the fitted value at the last bar), fed bar by bar (TA-Lib's ``LINEARREG``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = LINEARREG()
    """

    _name = "LINEARREG"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class LINEARREG_SLOPE(StreamBase):
    """Linear regression slope, fed bar by bar (TA-Lib's ``LINEARREG_SLOPE``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = LINEARREG_SLOPE()
    """

    _name = "LINEARREG_SLOPE"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class LINEARREG_ANGLE(StreamBase):
    """Linear regression angle (degrees), fed bar by bar (TA-Lib's ``LINEARREG_ANGLE``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = LINEARREG_ANGLE()
    """

    _name = "LINEARREG_ANGLE"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class LINEARREG_INTERCEPT(StreamBase):
    """Linear regression intercept, fed bar by bar (TA-Lib's ``LINEARREG_INTERCEPT``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = LINEARREG_INTERCEPT()
    """

    _name = "LINEARREG_INTERCEPT"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class TSF(StreamBase):
    """Time series forecast (the regression line one bar ahead), fed bar by bar (TA-Lib's ``TSF``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: close (all of one length), or nothing.
    timeperiod : int, default 14
        2 to 100000.

    Examples
    --------
    >>> h = TSF()
    """

    _name = "TSF"
    _inputs = ("close",)
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 14) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, close: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(close)  # type: ignore[no-any-return]

    def peek(self, close: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(close)  # type: ignore[no-any-return]


class BETA(StreamBase):
    """Beta of real0's changes on real1's, fed bar by bar (TA-Lib's ``BETA``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: real0, real1 (all of one length), or nothing.
    timeperiod : int, default 5
        1 to 100000.

    Examples
    --------
    >>> h = BETA()
    """

    _name = "BETA"
    _inputs = ("real0", "real1")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 5) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, real0: float, real1: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(real0, real1)  # type: ignore[no-any-return]

    def peek(self, real0: float, real1: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(real0, real1)  # type: ignore[no-any-return]


class CORREL(StreamBase):
    """Pearson's correlation coefficient, fed bar by bar (TA-Lib's ``CORREL``).

    Parameters
    ----------
    *history : array-like, optional
        Past bars to start from: real0, real1 (all of one length), or nothing.
    timeperiod : int, default 30
        1 to 100000.

    Examples
    --------
    >>> h = CORREL()
    """

    _name = "CORREL"
    _inputs = ("real0", "real1")
    _outputs = ("real",)

    def __init__(self, *history: ArrayLike, timeperiod: int = 30) -> None:
        super().__init__(history, {"timeperiod": _int(timeperiod, "timeperiod")})

    def update(self, real0: float, real1: float) -> float:
        """Feeds one bar; returns its output (NaN during the look-back)."""
        return self._update(real0, real1)  # type: ignore[no-any-return]

    def peek(self, real0: float, real1: float) -> float:
        """What :meth:`update` would return for this bar, the state unchanged."""
        return self._peek(real0, real1)  # type: ignore[no-any-return]
