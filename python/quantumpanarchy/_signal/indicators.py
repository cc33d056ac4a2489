# ruff: noqa: N802 (TA-Lib's names)
"""TA-Lib's indicators under TA-Lib's names, arguments, defaults, outputs and numbers.

Each function equals the installed ``talib`` function of the same name (the C library 0.8.1,
bit for bit on the tested data): NaN during TA-Lib's look-back, computation from the first bar
where no input is NaN (as TA-Lib's Python wrapper does), several outputs as a tuple in TA-Lib's
order. Inputs: 1-D arrays (any float dtype, any strides, lists) give float64 arrays of the same
length; 2-D arrays (bars × series, one column a series) give 2-D arrays, computed in parallel
over the columns; a pandas Series or DataFrame comes back with its index (and columns).
Out-of-range parameters raise :class:`InvalidInputError`. See ``docs/signal-indicators.md``.
"""

from __future__ import annotations

from ._indicator_core import Aligned, ArrayLike, _call, _int, _matype, _real

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


def SMA(close: ArrayLike, timeperiod: int = 30) -> Aligned:
    """Simple moving average (TA-Lib's ``SMA``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 30
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("SMA", (close,), (_int(timeperiod, "timeperiod"),))


def EMA(close: ArrayLike, timeperiod: int = 30) -> Aligned:
    """Exponential moving average (seeded by the SMA of the first period) (TA-Lib's ``EMA``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 30
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("EMA", (close,), (_int(timeperiod, "timeperiod"),))


def WMA(close: ArrayLike, timeperiod: int = 30) -> Aligned:
    """Weighted moving average (TA-Lib's ``WMA``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 30
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("WMA", (close,), (_int(timeperiod, "timeperiod"),))


def DEMA(close: ArrayLike, timeperiod: int = 30) -> Aligned:
    """Double exponential moving average (TA-Lib's ``DEMA``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 30
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("DEMA", (close,), (_int(timeperiod, "timeperiod"),))


def TEMA(close: ArrayLike, timeperiod: int = 30) -> Aligned:
    """Triple exponential moving average (TA-Lib's ``TEMA``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 30
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("TEMA", (close,), (_int(timeperiod, "timeperiod"),))


def TRIMA(close: ArrayLike, timeperiod: int = 30) -> Aligned:
    """Triangular moving average (TA-Lib's ``TRIMA``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 30
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("TRIMA", (close,), (_int(timeperiod, "timeperiod"),))


def KAMA(close: ArrayLike, timeperiod: int = 30) -> Aligned:
    """Kaufman adaptive moving average (TA-Lib's ``KAMA``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 30
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("KAMA", (close,), (_int(timeperiod, "timeperiod"),))


def T3(close: ArrayLike, timeperiod: int = 5, vfactor: float = 0.7) -> Aligned:
    """Tillson's T3 moving average (TA-Lib's ``T3``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 5
        2 to 100000.
    vfactor : float, default 0.7
        0 to 1.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "T3",
        (close,),
        (
            _int(timeperiod, "timeperiod"),
            _real(vfactor, "vfactor"),
        ),
    )


def MAMA(close: ArrayLike, fastlimit: float = 0.5, slowlimit: float = 0.05) -> tuple[Aligned, Aligned]:
    """MESA adaptive moving average (TA-Lib's ``MAMA``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    fastlimit : float, default 0.5
        0.01 to 0.99.
    slowlimit : float, default 0.05
        0.01 to 0.99.

    Returns
    -------
    mama : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    fama : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "MAMA",
        (close,),
        (
            _real(fastlimit, "fastlimit"),
            _real(slowlimit, "slowlimit"),
        ),
    )


def MA(close: ArrayLike, timeperiod: int = 30, matype: int = 0) -> Aligned:
    """Moving average of any type (``matype`` 0 to 8) (TA-Lib's ``MA``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 30
        1 to 100000.
    matype : int, default 0
        0 to 8, see ``MA``.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "MA",
        (close,),
        (
            _int(timeperiod, "timeperiod"),
            _matype(matype, "matype"),
        ),
    )


def BBANDS(
    close: ArrayLike, timeperiod: int = 20, nbdevup: float = 2.0, nbdevdn: float = 2.0, matype: int = 0
) -> tuple[Aligned, Aligned, Aligned]:
    """Bollinger bands (TA-Lib's ``BBANDS``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 20
        2 to 100000.
    nbdevup : float, default 2.0
        -3e+37 to 3e+37.
    nbdevdn : float, default 2.0
        -3e+37 to 3e+37.
    matype : int, default 0
        0 to 8, see ``MA``.

    Returns
    -------
    upperband : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    middleband : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    lowerband : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "BBANDS",
        (close,),
        (
            _int(timeperiod, "timeperiod"),
            _real(nbdevup, "nbdevup"),
            _real(nbdevdn, "nbdevdn"),
            _matype(matype, "matype"),
        ),
    )


def MACD(
    close: ArrayLike, fastperiod: int = 12, slowperiod: int = 26, signalperiod: int = 9
) -> tuple[Aligned, Aligned, Aligned]:
    """Moving average convergence/divergence (TA-Lib's ``MACD``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    fastperiod : int, default 12
        2 to 100000.
    slowperiod : int, default 26
        2 to 100000.
    signalperiod : int, default 9
        1 to 100000.

    Returns
    -------
    macd : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    macdsignal : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    macdhist : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "MACD",
        (close,),
        (
            _int(fastperiod, "fastperiod"),
            _int(slowperiod, "slowperiod"),
            _int(signalperiod, "signalperiod"),
        ),
    )


def MACDEXT(
    close: ArrayLike,
    fastperiod: int = 12,
    fastmatype: int = 0,
    slowperiod: int = 26,
    slowmatype: int = 0,
    signalperiod: int = 9,
    signalmatype: int = 0,
) -> tuple[Aligned, Aligned, Aligned]:
    """MACD with a moving-average type per average (TA-Lib's ``MACDEXT``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
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

    Returns
    -------
    macd : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    macdsignal : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    macdhist : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "MACDEXT",
        (close,),
        (
            _int(fastperiod, "fastperiod"),
            _matype(fastmatype, "fastmatype"),
            _int(slowperiod, "slowperiod"),
            _matype(slowmatype, "slowmatype"),
            _int(signalperiod, "signalperiod"),
            _matype(signalmatype, "signalmatype"),
        ),
    )


def APO(close: ArrayLike, fastperiod: int = 12, slowperiod: int = 26, matype: int = 1) -> Aligned:
    """Absolute price oscillator (TA-Lib's ``APO``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    fastperiod : int, default 12
        2 to 100000.
    slowperiod : int, default 26
        2 to 100000.
    matype : int, default 1
        0 to 8, see ``MA``.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "APO",
        (close,),
        (
            _int(fastperiod, "fastperiod"),
            _int(slowperiod, "slowperiod"),
            _matype(matype, "matype"),
        ),
    )


def PPO(close: ArrayLike, fastperiod: int = 12, slowperiod: int = 26, matype: int = 1) -> Aligned:
    """Percentage price oscillator (TA-Lib's ``PPO``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    fastperiod : int, default 12
        2 to 100000.
    slowperiod : int, default 26
        2 to 100000.
    matype : int, default 1
        0 to 8, see ``MA``.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "PPO",
        (close,),
        (
            _int(fastperiod, "fastperiod"),
            _int(slowperiod, "slowperiod"),
            _matype(matype, "matype"),
        ),
    )


def RSI(close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Relative strength index (TA-Lib's ``RSI``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("RSI", (close,), (_int(timeperiod, "timeperiod"),))


def CMO(close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Chande momentum oscillator (TA-Lib's ``CMO``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("CMO", (close,), (_int(timeperiod, "timeperiod"),))


def MOM(close: ArrayLike, timeperiod: int = 10) -> Aligned:
    """Momentum (TA-Lib's ``MOM``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 10
        1 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("MOM", (close,), (_int(timeperiod, "timeperiod"),))


def ROC(close: ArrayLike, timeperiod: int = 10) -> Aligned:
    """Rate of change: ((close / close[-n]) - 1) * 100 (TA-Lib's ``ROC``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 10
        1 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("ROC", (close,), (_int(timeperiod, "timeperiod"),))


def TRANGE(high: ArrayLike, low: ArrayLike, close: ArrayLike) -> Aligned:
    """True range (TA-Lib's ``TRANGE``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "TRANGE",
        (
            high,
            low,
            close,
        ),
        (),
    )


def ATR(high: ArrayLike, low: ArrayLike, close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Average true range (TA-Lib's ``ATR``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        1 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "ATR",
        (
            high,
            low,
            close,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def NATR(high: ArrayLike, low: ArrayLike, close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Normalised average true range (TA-Lib's ``NATR``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        1 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "NATR",
        (
            high,
            low,
            close,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def STDDEV(close: ArrayLike, timeperiod: int = 5, nbdev: float = 1.0) -> Aligned:
    """Standard deviation (population) (TA-Lib's ``STDDEV``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 5
        2 to 100000.
    nbdev : float, default 1.0
        -3e+37 to 3e+37.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "STDDEV",
        (close,),
        (
            _int(timeperiod, "timeperiod"),
            _real(nbdev, "nbdev"),
        ),
    )


def VAR(close: ArrayLike, timeperiod: int = 5, nbdev: float = 1.0) -> Aligned:
    """Variance (population) (TA-Lib's ``VAR``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 5
        1 to 100000.
    nbdev : float, default 1.0
        -3e+37 to 3e+37.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "VAR",
        (close,),
        (
            _int(timeperiod, "timeperiod"),
            _real(nbdev, "nbdev"),
        ),
    )


def OBV(close: ArrayLike, volume: ArrayLike) -> Aligned:
    """On-balance volume (TA-Lib's ``OBV``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    volume : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "OBV",
        (
            close,
            volume,
        ),
        (),
    )


def AD(high: ArrayLike, low: ArrayLike, close: ArrayLike, volume: ArrayLike) -> Aligned:
    """Chaikin accumulation/distribution line (TA-Lib's ``AD``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    volume : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "AD",
        (
            high,
            low,
            close,
            volume,
        ),
        (),
    )


def ADOSC(
    high: ArrayLike, low: ArrayLike, close: ArrayLike, volume: ArrayLike, fastperiod: int = 3, slowperiod: int = 10
) -> Aligned:
    """Chaikin A/D oscillator (TA-Lib's ``ADOSC``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    volume : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    fastperiod : int, default 3
        2 to 100000.
    slowperiod : int, default 10
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "ADOSC",
        (
            high,
            low,
            close,
            volume,
        ),
        (
            _int(fastperiod, "fastperiod"),
            _int(slowperiod, "slowperiod"),
        ),
    )


def BOP(open: ArrayLike, high: ArrayLike, low: ArrayLike, close: ArrayLike) -> Aligned:
    """Balance of power (TA-Lib's ``BOP``).

    Parameters
    ----------
    open : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "BOP",
        (
            open,
            high,
            low,
            close,
        ),
        (),
    )


def MIDPOINT(close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Midpoint of the highest and lowest value over the period (TA-Lib's ``MIDPOINT``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("MIDPOINT", (close,), (_int(timeperiod, "timeperiod"),))


def MIDPRICE(high: ArrayLike, low: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Midpoint of the highest high and lowest low over the period (TA-Lib's ``MIDPRICE``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "MIDPRICE",
        (
            high,
            low,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def WILLR(high: ArrayLike, low: ArrayLike, close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Williams' %R (TA-Lib's ``WILLR``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "WILLR",
        (
            high,
            low,
            close,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def AROON(high: ArrayLike, low: ArrayLike, timeperiod: int = 14) -> tuple[Aligned, Aligned]:
    """Aroon (TA-Lib's ``AROON``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    aroondown : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    aroonup : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "AROON",
        (
            high,
            low,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def AROONOSC(high: ArrayLike, low: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Aroon oscillator (TA-Lib's ``AROONOSC``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "AROONOSC",
        (
            high,
            low,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def STOCH(
    high: ArrayLike,
    low: ArrayLike,
    close: ArrayLike,
    fastk_period: int = 5,
    slowk_period: int = 3,
    slowk_matype: int = 0,
    slowd_period: int = 3,
    slowd_matype: int = 0,
) -> tuple[Aligned, Aligned]:
    """Stochastic oscillator (TA-Lib's ``STOCH``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
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

    Returns
    -------
    slowk : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    slowd : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "STOCH",
        (
            high,
            low,
            close,
        ),
        (
            _int(fastk_period, "fastk_period"),
            _int(slowk_period, "slowk_period"),
            _matype(slowk_matype, "slowk_matype"),
            _int(slowd_period, "slowd_period"),
            _matype(slowd_matype, "slowd_matype"),
        ),
    )


def STOCHF(
    high: ArrayLike,
    low: ArrayLike,
    close: ArrayLike,
    fastk_period: int = 5,
    fastd_period: int = 3,
    fastd_matype: int = 0,
) -> tuple[Aligned, Aligned]:
    """Fast stochastic oscillator (TA-Lib's ``STOCHF``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    fastk_period : int, default 5
        1 to 100000.
    fastd_period : int, default 3
        1 to 100000.
    fastd_matype : int, default 0
        0 to 8, see ``MA``.

    Returns
    -------
    fastk : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    fastd : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "STOCHF",
        (
            high,
            low,
            close,
        ),
        (
            _int(fastk_period, "fastk_period"),
            _int(fastd_period, "fastd_period"),
            _matype(fastd_matype, "fastd_matype"),
        ),
    )


def STOCHRSI(
    close: ArrayLike, timeperiod: int = 14, fastk_period: int = 5, fastd_period: int = 3, fastd_matype: int = 0
) -> tuple[Aligned, Aligned]:
    """Stochastic RSI (TA-Lib's ``STOCHRSI``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.
    fastk_period : int, default 5
        1 to 100000.
    fastd_period : int, default 3
        1 to 100000.
    fastd_matype : int, default 0
        0 to 8, see ``MA``.

    Returns
    -------
    fastk : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.
    fastd : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "STOCHRSI",
        (close,),
        (
            _int(timeperiod, "timeperiod"),
            _int(fastk_period, "fastk_period"),
            _int(fastd_period, "fastd_period"),
            _matype(fastd_matype, "fastd_matype"),
        ),
    )


def ADX(high: ArrayLike, low: ArrayLike, close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Average directional movement index (TA-Lib's ``ADX``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "ADX",
        (
            high,
            low,
            close,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def ADXR(high: ArrayLike, low: ArrayLike, close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Average directional movement index rating (TA-Lib's ``ADXR``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "ADXR",
        (
            high,
            low,
            close,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def DX(high: ArrayLike, low: ArrayLike, close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Directional movement index (TA-Lib's ``DX``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "DX",
        (
            high,
            low,
            close,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def PLUS_DI(high: ArrayLike, low: ArrayLike, close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Plus directional indicator (TA-Lib's ``PLUS_DI``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        1 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "PLUS_DI",
        (
            high,
            low,
            close,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def MINUS_DI(high: ArrayLike, low: ArrayLike, close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Minus directional indicator (TA-Lib's ``MINUS_DI``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        1 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "MINUS_DI",
        (
            high,
            low,
            close,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def CCI(high: ArrayLike, low: ArrayLike, close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Commodity channel index (TA-Lib's ``CCI``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "CCI",
        (
            high,
            low,
            close,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def MFI(high: ArrayLike, low: ArrayLike, close: ArrayLike, volume: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Money flow index (TA-Lib's ``MFI``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    volume : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "MFI",
        (
            high,
            low,
            close,
            volume,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def ULTOSC(
    high: ArrayLike,
    low: ArrayLike,
    close: ArrayLike,
    timeperiod1: int = 7,
    timeperiod2: int = 14,
    timeperiod3: int = 28,
) -> Aligned:
    """Ultimate oscillator (TA-Lib's ``ULTOSC``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod1 : int, default 7
        1 to 100000.
    timeperiod2 : int, default 14
        1 to 100000.
    timeperiod3 : int, default 28
        1 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "ULTOSC",
        (
            high,
            low,
            close,
        ),
        (
            _int(timeperiod1, "timeperiod1"),
            _int(timeperiod2, "timeperiod2"),
            _int(timeperiod3, "timeperiod3"),
        ),
    )


def SAR(high: ArrayLike, low: ArrayLike, acceleration: float = 0.02, maximum: float = 0.2) -> Aligned:
    """Parabolic SAR (TA-Lib's ``SAR``).

    Parameters
    ----------
    high : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    low : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    acceleration : float, default 0.02
        0 to 3e+37.
    maximum : float, default 0.2
        0 to 3e+37.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "SAR",
        (
            high,
            low,
        ),
        (
            _real(acceleration, "acceleration"),
            _real(maximum, "maximum"),
        ),
    )


def LINEARREG(close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Linear regression (the fitted value at the last bar) (TA-Lib's ``LINEARREG``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("LINEARREG", (close,), (_int(timeperiod, "timeperiod"),))


def LINEARREG_SLOPE(close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Linear regression slope (TA-Lib's ``LINEARREG_SLOPE``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("LINEARREG_SLOPE", (close,), (_int(timeperiod, "timeperiod"),))


def LINEARREG_ANGLE(close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Linear regression angle (degrees) (TA-Lib's ``LINEARREG_ANGLE``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("LINEARREG_ANGLE", (close,), (_int(timeperiod, "timeperiod"),))


def LINEARREG_INTERCEPT(close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Linear regression intercept (TA-Lib's ``LINEARREG_INTERCEPT``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("LINEARREG_INTERCEPT", (close,), (_int(timeperiod, "timeperiod"),))


def TSF(close: ArrayLike, timeperiod: int = 14) -> Aligned:
    """Time series forecast (the regression line one bar ahead) (TA-Lib's ``TSF``).

    Parameters
    ----------
    close : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 14
        2 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call("TSF", (close,), (_int(timeperiod, "timeperiod"),))


def BETA(real0: ArrayLike, real1: ArrayLike, timeperiod: int = 5) -> Aligned:
    """Beta of real0's changes on real1's (TA-Lib's ``BETA``).

    Parameters
    ----------
    real0 : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    real1 : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 5
        1 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "BETA",
        (
            real0,
            real1,
        ),
        (_int(timeperiod, "timeperiod"),),
    )


def CORREL(real0: ArrayLike, real1: ArrayLike, timeperiod: int = 30) -> Aligned:
    """Pearson's correlation coefficient (TA-Lib's ``CORREL``).

    Parameters
    ----------
    real0 : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    real1 : array-like, pandas Series or DataFrame
        1-D (bars) or 2-D (bars × series).
    timeperiod : int, default 30
        1 to 100000.

    Returns
    -------
    real : array, Series or DataFrame
        Aligned with the input, NaN during the look-back.

    Raises
    ------
    InvalidInputError
        Inputs of different shapes or of more than 2 dimensions, a parameter out of TA-Lib's range.
    """
    return _call(
        "CORREL",
        (
            real0,
            real1,
        ),
        (_int(timeperiod, "timeperiod"),),
    )
