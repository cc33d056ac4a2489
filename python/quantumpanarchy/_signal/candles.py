"""TA-Lib's 61 candlestick patterns, with its candle settings, bit for bit.

Every function has TA-Lib's name and arguments (``CDLDOJI(open, high, low, close)``,
``CDLMORNINGSTAR(open, high, low, close, penetration=0.3)``, ...) and returns what the installed
``talib`` returns: int32, -100/0/100 (±80 for the weaker engulfing and harami, ±200 for a
confirmed hikkake), zeros through the look-back.

Inputs: four 1-D arrays of any float dtype and any strides (or lists), four pandas Series (a
Series of int32 with the same index comes back), four 2-D arrays or DataFrames (one series per
column; one int32 column each, in parallel over columns), a single list of
:class:`~quantumpanarchy.signal.Candle` in place of ``open``, or a single DataFrame of bars (its
open, high, low and close columns in any case; the result keeps its index). NaN: as TA-Lib's Python wrapper,
the look-back starts at the first bar where none of the four prices is NaN; a NaN later on makes
the comparisons that read it false (and, as in TA-Lib, the running averages that take it in stay
NaN, so patterns that need them stop firing).

Candle settings: what "long body", "very short shadow", "near", ... mean. The process-wide table
(TA-Lib's, changed by :func:`set_candle_settings`, read by :func:`get_candle_settings`) applies
unless a call passes ``settings=``: a :class:`CandleSettings`, or a mapping of the settings to
change (the rest keep TA-Lib's defaults), so that threads need not share global state.
See ``docs/signal-candlesticks.md``.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

from .._decision._params import check_finite_real, check_int
from .._frame import Aligned, aligned, as_frame, is_pandas
from .._native import signal as _native
from ..exceptions import InvalidInputError, InvalidTypeError
from .candle import Candle, candle_columns, ohlc_by_name

__all__ = [
    "CANDLESTICK_NAMES",
    "CDL2CROWS",
    "CDL3BLACKCROWS",
    "CDL3INSIDE",
    "CDL3LINESTRIKE",
    "CDL3OUTSIDE",
    "CDL3STARSINSOUTH",
    "CDL3WHITESOLDIERS",
    "CDLABANDONEDBABY",
    "CDLADVANCEBLOCK",
    "CDLBELTHOLD",
    "CDLBREAKAWAY",
    "CDLCLOSINGMARUBOZU",
    "CDLCONCEALBABYSWALL",
    "CDLCOUNTERATTACK",
    "CDLDARKCLOUDCOVER",
    "CDLDOJI",
    "CDLDOJISTAR",
    "CDLDRAGONFLYDOJI",
    "CDLENGULFING",
    "CDLEVENINGDOJISTAR",
    "CDLEVENINGSTAR",
    "CDLGAPSIDESIDEWHITE",
    "CDLGRAVESTONEDOJI",
    "CDLHAMMER",
    "CDLHANGINGMAN",
    "CDLHARAMI",
    "CDLHARAMICROSS",
    "CDLHIGHWAVE",
    "CDLHIKKAKE",
    "CDLHIKKAKEMOD",
    "CDLHOMINGPIGEON",
    "CDLIDENTICAL3CROWS",
    "CDLINNECK",
    "CDLINVERTEDHAMMER",
    "CDLKICKING",
    "CDLKICKINGBYLENGTH",
    "CDLLADDERBOTTOM",
    "CDLLONGLEGGEDDOJI",
    "CDLLONGLINE",
    "CDLMARUBOZU",
    "CDLMATCHINGLOW",
    "CDLMATHOLD",
    "CDLMORNINGDOJISTAR",
    "CDLMORNINGSTAR",
    "CDLONNECK",
    "CDLPIERCING",
    "CDLRICKSHAWMAN",
    "CDLRISEFALL3METHODS",
    "CDLSEPARATINGLINES",
    "CDLSHOOTINGSTAR",
    "CDLSHORTLINE",
    "CDLSPINNINGTOP",
    "CDLSTALLEDPATTERN",
    "CDLSTICKSANDWICH",
    "CDLTAKURI",
    "CDLTASUKIGAP",
    "CDLTHRUSTING",
    "CDLTRISTAR",
    "CDLUNIQUE3RIVER",
    "CDLUPSIDEGAP2CROWS",
    "CDLXSIDEGAP3METHODS",
    "CandleSetting",
    "CandleSettings",
    "RangeType",
    "Setting",
    "candlesticks",
    "get_candle_settings",
    "restore_candle_default_settings",
    "set_candle_settings",
]

# An OHLC input: an array-like, a Series/DataFrame, or (for `open` alone) a list of Candle.
Prices: TypeAlias = Any


class RangeType(enum.IntEnum):
    """The range a candle setting averages (TA-Lib's ``TA_RangeType``)."""

    RealBody = 0
    """``|close - open|``."""
    HighLow = 1
    """``high - low``."""
    Shadows = 2
    """Upper plus lower shadow; the average is halved (one shadow's worth)."""


class CandleSetting(enum.IntEnum):
    """TA-Lib's eleven candle settings (``TA_CandleSettingType``), in its order."""

    BodyLong = 0
    BodyVeryLong = 1
    BodyShort = 2
    BodyDoji = 3
    ShadowLong = 4
    ShadowVeryLong = 5
    ShadowShort = 6
    ShadowVeryShort = 7
    Near = 8
    Far = 9
    Equal = 10


@dataclasses.dataclass(frozen=True, slots=True)
class Setting:
    """One candle setting: a bar's quantity is compared with ``factor`` times the average of
    ``range_type`` over the ``avg_period`` previous bars (halved for ``Shadows``); with
    ``avg_period`` 0 the bar's own range is used instead of an average."""

    range_type: RangeType
    avg_period: int
    factor: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "range_type", _range_type(self.range_type))
        period = check_int(self.avg_period, "avg_period", 0)
        if period > 100_000:
            raise InvalidInputError(f"avg_period must be from 0 to 100000, got {period}")
        object.__setattr__(self, "avg_period", period)
        object.__setattr__(self, "factor", check_finite_real(self.factor, "factor"))

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict (the range type by name)."""
        return {"range_type": self.range_type.name, "avg_period": self.avg_period, "factor": self.factor}


def _range_type(value: Any) -> RangeType:
    if isinstance(value, RangeType):
        return value
    if isinstance(value, str):
        try:
            return RangeType[value]
        except KeyError:
            raise InvalidInputError(f"unknown range type {value!r}: use RealBody, HighLow or Shadows") from None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidTypeError(f"range_type must be a RangeType, a name or 0-2, got {value!r}")
    try:
        return RangeType(int(value))
    except ValueError:
        raise InvalidInputError(f"range_type must be 0, 1 or 2, got {value}") from None


def _setting_key(value: Any) -> CandleSetting:
    if isinstance(value, CandleSetting):
        return value
    if isinstance(value, str):
        try:
            return CandleSetting[value]
        except KeyError:
            names = ", ".join(s.name for s in CandleSetting)
            raise InvalidInputError(f"unknown candle setting {value!r}: use one of {names}") from None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise InvalidTypeError(f"a candle setting is a CandleSetting, a name or 0-10, got {value!r}")
    try:
        return CandleSetting(int(value))
    except ValueError:
        raise InvalidInputError(f"a candle setting is a number from 0 to 10, got {value}") from None


def _as_setting(value: Any, key: CandleSetting) -> Setting:
    if isinstance(value, Setting):
        return value
    if isinstance(value, Mapping):
        return Setting(value.get("range_type"), value.get("avg_period"), value.get("factor"))  # type: ignore[arg-type]
    if isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 3:
        return Setting(*value)
    raise InvalidTypeError(
        f"the value for {key.name} must be a Setting or a (range_type, avg_period, factor) tuple, got {value!r}"
    )


def _rows(table: Sequence[tuple[int, int, float]]) -> tuple[Setting, ...]:
    return tuple(Setting(RangeType(rt), period, factor) for rt, period, factor in table)


class CandleSettings:
    """A full table of the eleven candle settings, immutable and picklable.

    ``CandleSettings()`` is TA-Lib's defaults; ``CandleSettings({"BodyLong": (RangeType.RealBody,
    20, 1.0)})`` changes the settings named (keys: :class:`CandleSetting`, its name or number;
    values: :class:`Setting` or ``(range_type, avg_period, factor)``).
    :meth:`current` is the process-wide table now.

    Examples
    --------
    >>> from quantumpanarchy.signal import CandleSettings, CandleSetting
    >>> s = CandleSettings({"Near": ("HighLow", 10, 0.25)})
    >>> s[CandleSetting.Near].avg_period
    10
    """

    __slots__ = ("_rows",)

    def __init__(self, overrides: Mapping[Any, Any] | None = None) -> None:
        rows = list(_rows(_native.default_candle_table()))
        if overrides is not None:
            if not isinstance(overrides, Mapping):
                raise InvalidTypeError(f"candle settings must be a mapping, got {type(overrides).__name__}")
            for key, value in overrides.items():
                k = _setting_key(key)
                rows[k] = _as_setting(value, k)
        self._rows: tuple[Setting, ...] = tuple(rows)

    @classmethod
    def defaults(cls) -> CandleSettings:
        """TA-Lib's default table."""
        return cls()

    @classmethod
    def current(cls) -> CandleSettings:
        """The process-wide table as it is now (a copy)."""
        return cls(dict(zip(CandleSetting, _rows(_native.get_candle_table()), strict=True)))

    def __getitem__(self, key: CandleSetting | str | int) -> Setting:
        return self._rows[_setting_key(key)]

    def replace(self, overrides: Mapping[Any, Any]) -> CandleSettings:
        """A copy with the settings in ``overrides`` changed."""
        return CandleSettings({**dict(zip(CandleSetting, self._rows, strict=True)), **dict(overrides)})

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The table as ``{setting name: {range_type, avg_period, factor}}``."""
        return {k.name: r.to_dict() for k, r in zip(CandleSetting, self._rows, strict=True)}

    def table(self) -> list[tuple[int, int, float]]:
        """The table as the native code takes it: 11 ``(range_type, avg_period, factor)`` rows."""
        return [(int(r.range_type), r.avg_period, r.factor) for r in self._rows]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CandleSettings) and self._rows == other._rows

    def __hash__(self) -> int:
        return hash(self._rows)

    def __repr__(self) -> str:
        changed = {
            k.name: (r.range_type.name, r.avg_period, r.factor)
            for k, r, d in zip(CandleSetting, self._rows, _rows(_native.default_candle_table()), strict=True)
            if r != d
        }
        return f"CandleSettings({changed})" if changed else "CandleSettings()"

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            CandleSettings,
            ({k.name: tuple(r.to_dict().values()) for k, r in zip(CandleSetting, self._rows, strict=True)},),
        )


SettingsArg: TypeAlias = CandleSettings | Mapping[Any, Any] | None


def _settings_table(settings: Any) -> list[tuple[int, int, float]] | None:
    if settings is None:
        return None
    if isinstance(settings, CandleSettings):
        return settings.table()
    if isinstance(settings, Mapping):
        return CandleSettings(settings).table()
    raise InvalidTypeError(f"settings must be a CandleSettings, a mapping or None, got {type(settings).__name__}")


def set_candle_settings(
    setting: CandleSetting | str | int, range_type: RangeType | str | int, avg_period: int, factor: float
) -> None:
    """Changes one row of the process-wide table, as TA-Lib's ``TA_SetCandleSettings``
    (``talib._ta_lib._ta_set_candle_settings``) does; calls without ``settings=`` use it.

    The table is shared by every thread of the process (guarded by a lock): prefer ``settings=``
    per call where threads want different settings.

    Raises
    ------
    InvalidInputError
        For an unknown setting or range type, a negative period or a non-finite factor.
    """
    key = _setting_key(setting)
    row = Setting(_range_type(range_type), avg_period, factor)
    _native.set_candle_setting(int(key), int(row.range_type), row.avg_period, row.factor)


def restore_candle_default_settings(setting: CandleSetting | str | int | None = None) -> None:
    """Restores one row (or, with ``None``, every row) of the process-wide table to TA-Lib's
    default, as ``TA_RestoreCandleDefaultSettings`` does."""
    _native.restore_candle_setting(None if setting is None else int(_setting_key(setting)))


def get_candle_settings() -> CandleSettings:
    """The process-wide table now (a copy)."""
    return CandleSettings.current()


def _penetration(value: Any) -> float:
    p = check_finite_real(value, "penetration")
    if p < 0:
        raise InvalidInputError(f"penetration must be >= 0, got {p}")
    return p


def _is_candles(x: Any) -> bool:
    return isinstance(x, (list, tuple)) and len(x) > 0 and all(isinstance(c, Candle) for c in x)


def _inputs(open: Any, high: Any, low: Any, close: Any) -> tuple[Any, list[Any]]:
    """The frame that labels the result and the four native inputs."""
    if high is None and low is None and close is None:
        if is_pandas(open) and hasattr(open, "columns"):
            # A DataFrame of bars: its open/high/low/close columns (any case), its index kept.
            return _inputs(*ohlc_by_name(open.columns, open.__getitem__, "the DataFrame"))
        if not _is_candles(open):
            raise InvalidInputError(
                "pass open, high, low and close, or a DataFrame with those columns or a non-empty list of "
                "Candle as the only input"
            )
        o, h, lo, c, _ = candle_columns(open)
        return as_frame(o, "open"), [o, h, lo, c]
    if high is None or low is None or close is None:
        raise InvalidInputError("pass all four of open, high, low and close")
    frame = as_frame(open, "open")
    values = [frame.values] + [as_frame(x, name).values for x, name in ((high, "high"), (low, "low"), (close, "close"))]
    return frame, values


def _pattern(
    name: str, open: Any, high: Any, low: Any, close: Any, settings: Any, penetration: float | None
) -> Aligned:
    frame, values = _inputs(open, high, low, close)
    table = _settings_table(settings)
    result = _native.candle_pattern(name, *values, table, penetration)
    if frame.is_series:
        return _pandas_series(result, frame.index, name)
    return aligned(frame, result)


def _pandas_series(result: npt.NDArray[np.int32], index: Any, name: str) -> Any:
    import sys

    return sys.modules["pandas"].Series(result, index=index, name=name)


def candlesticks(
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
    penetration: float | None = None,
) -> Aligned:
    """All 61 patterns at once: a ``(bars, 61)`` int32 array with the columns in TA-Lib's order
    (:data:`CANDLESTICK_NAMES`), or a DataFrame with one column per pattern and the input's
    index when pandas came in.

    Column ``k`` equals ``CANDLESTICK_NAMES[k]`` called alone, exactly. The patterns run in
    parallel over the shared bars (one column each).

    Parameters
    ----------
    open, high, low, close
        1-D prices (arrays, lists or Series), or a list of :class:`Candle` or a DataFrame with
        open/high/low/close columns as ``open`` alone.
    settings
        A :class:`CandleSettings`, a mapping of the settings to change, or None for the
        process-wide table.
    penetration
        None: each of the 7 functions with a ``penetration`` uses its TA-Lib default; a number:
        all 7 use it.

    Returns
    -------
    numpy.ndarray or pandas.DataFrame

    Raises
    ------
    InvalidInputError
        For inputs of different lengths, 2-D inputs, or a negative or non-finite penetration.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.signal import candlesticks, CANDLESTICK_NAMES
    >>> o = np.array([10.0, 10.5, 10.2, 10.8, 11.0] * 4)
    >>> t = candlesticks(o, o + 0.6, o - 0.5, o + 0.3)
    >>> t.shape, len(CANDLESTICK_NAMES)
    ((20, 61), 61)
    """
    frame, values = _inputs(open, high, low, close)
    pen = None if penetration is None else _penetration(penetration)
    table = _native.candle_table(*values, _settings_table(settings), pen)
    if is_pandas(open) or frame.index is not None:
        import sys

        return sys.modules["pandas"].DataFrame(table, index=frame.index, columns=list(CANDLESTICK_NAMES))
    return table


CANDLESTICK_NAMES: tuple[str, ...] = tuple(name for name, _ in _native.candle_patterns())
"""The 61 pattern names in TA-Lib's order (the columns of :func:`candlesticks`)."""


def CDL2CROWS(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Two Crows: TA-Lib's ``CDL2CROWS``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDL2CROWS", open, high, low, close, settings, None)


def CDL3BLACKCROWS(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Three Black Crows: TA-Lib's ``CDL3BLACKCROWS``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDL3BLACKCROWS", open, high, low, close, settings, None)


def CDL3INSIDE(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Three Inside Up/Down: TA-Lib's ``CDL3INSIDE``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDL3INSIDE", open, high, low, close, settings, None)


def CDL3LINESTRIKE(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Three-Line Strike: TA-Lib's ``CDL3LINESTRIKE``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDL3LINESTRIKE", open, high, low, close, settings, None)


def CDL3OUTSIDE(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Three Outside Up/Down: TA-Lib's ``CDL3OUTSIDE``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDL3OUTSIDE", open, high, low, close, settings, None)


def CDL3STARSINSOUTH(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Three Stars In The South: TA-Lib's ``CDL3STARSINSOUTH``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDL3STARSINSOUTH", open, high, low, close, settings, None)


def CDL3WHITESOLDIERS(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Three Advancing White Soldiers: TA-Lib's ``CDL3WHITESOLDIERS``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDL3WHITESOLDIERS", open, high, low, close, settings, None)


def CDLABANDONEDBABY(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    penetration: float = 0.3,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Abandoned Baby: TA-Lib's ``CDLABANDONEDBABY`` (``penetration`` defaults to 0.3, as in TA-Lib).

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLABANDONEDBABY", open, high, low, close, settings, _penetration(penetration))


def CDLADVANCEBLOCK(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Advance Block: TA-Lib's ``CDLADVANCEBLOCK``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLADVANCEBLOCK", open, high, low, close, settings, None)


def CDLBELTHOLD(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Belt-hold: TA-Lib's ``CDLBELTHOLD``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLBELTHOLD", open, high, low, close, settings, None)


def CDLBREAKAWAY(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Breakaway: TA-Lib's ``CDLBREAKAWAY``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLBREAKAWAY", open, high, low, close, settings, None)


def CDLCLOSINGMARUBOZU(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Closing Marubozu: TA-Lib's ``CDLCLOSINGMARUBOZU``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLCLOSINGMARUBOZU", open, high, low, close, settings, None)


def CDLCONCEALBABYSWALL(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Concealing Baby Swallow: TA-Lib's ``CDLCONCEALBABYSWALL``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLCONCEALBABYSWALL", open, high, low, close, settings, None)


def CDLCOUNTERATTACK(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Counterattack: TA-Lib's ``CDLCOUNTERATTACK``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLCOUNTERATTACK", open, high, low, close, settings, None)


def CDLDARKCLOUDCOVER(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    penetration: float = 0.5,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Dark Cloud Cover: TA-Lib's ``CDLDARKCLOUDCOVER`` (``penetration`` defaults to 0.5, as in TA-Lib).

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLDARKCLOUDCOVER", open, high, low, close, settings, _penetration(penetration))


def CDLDOJI(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Doji: TA-Lib's ``CDLDOJI``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLDOJI", open, high, low, close, settings, None)


def CDLDOJISTAR(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Doji Star: TA-Lib's ``CDLDOJISTAR``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLDOJISTAR", open, high, low, close, settings, None)


def CDLDRAGONFLYDOJI(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Dragonfly Doji: TA-Lib's ``CDLDRAGONFLYDOJI``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLDRAGONFLYDOJI", open, high, low, close, settings, None)


def CDLENGULFING(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Engulfing Pattern: TA-Lib's ``CDLENGULFING``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLENGULFING", open, high, low, close, settings, None)


def CDLEVENINGDOJISTAR(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    penetration: float = 0.3,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Evening Doji Star: TA-Lib's ``CDLEVENINGDOJISTAR`` (``penetration`` defaults to 0.3, as in TA-Lib).

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLEVENINGDOJISTAR", open, high, low, close, settings, _penetration(penetration))


def CDLEVENINGSTAR(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    penetration: float = 0.3,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Evening Star: TA-Lib's ``CDLEVENINGSTAR`` (``penetration`` defaults to 0.3, as in TA-Lib).

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLEVENINGSTAR", open, high, low, close, settings, _penetration(penetration))


def CDLGAPSIDESIDEWHITE(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Up/Down-gap side-by-side white lines: TA-Lib's ``CDLGAPSIDESIDEWHITE``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLGAPSIDESIDEWHITE", open, high, low, close, settings, None)


def CDLGRAVESTONEDOJI(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Gravestone Doji: TA-Lib's ``CDLGRAVESTONEDOJI``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLGRAVESTONEDOJI", open, high, low, close, settings, None)


def CDLHAMMER(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Hammer: TA-Lib's ``CDLHAMMER``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLHAMMER", open, high, low, close, settings, None)


def CDLHANGINGMAN(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Hanging Man: TA-Lib's ``CDLHANGINGMAN``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLHANGINGMAN", open, high, low, close, settings, None)


def CDLHARAMI(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Harami Pattern: TA-Lib's ``CDLHARAMI``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLHARAMI", open, high, low, close, settings, None)


def CDLHARAMICROSS(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Harami Cross Pattern: TA-Lib's ``CDLHARAMICROSS``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLHARAMICROSS", open, high, low, close, settings, None)


def CDLHIGHWAVE(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """High-Wave Candle: TA-Lib's ``CDLHIGHWAVE``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLHIGHWAVE", open, high, low, close, settings, None)


def CDLHIKKAKE(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Hikkake Pattern: TA-Lib's ``CDLHIKKAKE``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLHIKKAKE", open, high, low, close, settings, None)


def CDLHIKKAKEMOD(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Modified Hikkake Pattern: TA-Lib's ``CDLHIKKAKEMOD``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLHIKKAKEMOD", open, high, low, close, settings, None)


def CDLHOMINGPIGEON(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Homing Pigeon: TA-Lib's ``CDLHOMINGPIGEON``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLHOMINGPIGEON", open, high, low, close, settings, None)


def CDLIDENTICAL3CROWS(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Identical Three Crows: TA-Lib's ``CDLIDENTICAL3CROWS``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLIDENTICAL3CROWS", open, high, low, close, settings, None)


def CDLINNECK(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """In-Neck Pattern: TA-Lib's ``CDLINNECK``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLINNECK", open, high, low, close, settings, None)


def CDLINVERTEDHAMMER(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Inverted Hammer: TA-Lib's ``CDLINVERTEDHAMMER``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLINVERTEDHAMMER", open, high, low, close, settings, None)


def CDLKICKING(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Kicking: TA-Lib's ``CDLKICKING``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLKICKING", open, high, low, close, settings, None)


def CDLKICKINGBYLENGTH(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Kicking - bull/bear determined by the longer marubozu: TA-Lib's ``CDLKICKINGBYLENGTH``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLKICKINGBYLENGTH", open, high, low, close, settings, None)


def CDLLADDERBOTTOM(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Ladder Bottom: TA-Lib's ``CDLLADDERBOTTOM``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLLADDERBOTTOM", open, high, low, close, settings, None)


def CDLLONGLEGGEDDOJI(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Long Legged Doji: TA-Lib's ``CDLLONGLEGGEDDOJI``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLLONGLEGGEDDOJI", open, high, low, close, settings, None)


def CDLLONGLINE(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Long Line Candle: TA-Lib's ``CDLLONGLINE``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLLONGLINE", open, high, low, close, settings, None)


def CDLMARUBOZU(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Marubozu: TA-Lib's ``CDLMARUBOZU``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLMARUBOZU", open, high, low, close, settings, None)


def CDLMATCHINGLOW(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Matching Low: TA-Lib's ``CDLMATCHINGLOW``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLMATCHINGLOW", open, high, low, close, settings, None)


def CDLMATHOLD(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    penetration: float = 0.5,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Mat Hold: TA-Lib's ``CDLMATHOLD`` (``penetration`` defaults to 0.5, as in TA-Lib).

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLMATHOLD", open, high, low, close, settings, _penetration(penetration))


def CDLMORNINGDOJISTAR(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    penetration: float = 0.3,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Morning Doji Star: TA-Lib's ``CDLMORNINGDOJISTAR`` (``penetration`` defaults to 0.3, as in TA-Lib).

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLMORNINGDOJISTAR", open, high, low, close, settings, _penetration(penetration))


def CDLMORNINGSTAR(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    penetration: float = 0.3,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Morning Star: TA-Lib's ``CDLMORNINGSTAR`` (``penetration`` defaults to 0.3, as in TA-Lib).

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLMORNINGSTAR", open, high, low, close, settings, _penetration(penetration))


def CDLONNECK(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """On-Neck Pattern: TA-Lib's ``CDLONNECK``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLONNECK", open, high, low, close, settings, None)


def CDLPIERCING(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Piercing Pattern: TA-Lib's ``CDLPIERCING``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLPIERCING", open, high, low, close, settings, None)


def CDLRICKSHAWMAN(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Rickshaw Man: TA-Lib's ``CDLRICKSHAWMAN``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLRICKSHAWMAN", open, high, low, close, settings, None)


def CDLRISEFALL3METHODS(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Rising/Falling Three Methods: TA-Lib's ``CDLRISEFALL3METHODS``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLRISEFALL3METHODS", open, high, low, close, settings, None)


def CDLSEPARATINGLINES(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Separating Lines: TA-Lib's ``CDLSEPARATINGLINES``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLSEPARATINGLINES", open, high, low, close, settings, None)


def CDLSHOOTINGSTAR(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Shooting Star: TA-Lib's ``CDLSHOOTINGSTAR``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLSHOOTINGSTAR", open, high, low, close, settings, None)


def CDLSHORTLINE(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Short Line Candle: TA-Lib's ``CDLSHORTLINE``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLSHORTLINE", open, high, low, close, settings, None)


def CDLSPINNINGTOP(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Spinning Top: TA-Lib's ``CDLSPINNINGTOP``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLSPINNINGTOP", open, high, low, close, settings, None)


def CDLSTALLEDPATTERN(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Stalled Pattern: TA-Lib's ``CDLSTALLEDPATTERN``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLSTALLEDPATTERN", open, high, low, close, settings, None)


def CDLSTICKSANDWICH(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Stick Sandwich: TA-Lib's ``CDLSTICKSANDWICH``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLSTICKSANDWICH", open, high, low, close, settings, None)


def CDLTAKURI(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Takuri (Dragonfly Doji with very long lower shadow): TA-Lib's ``CDLTAKURI``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLTAKURI", open, high, low, close, settings, None)


def CDLTASUKIGAP(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Tasuki Gap: TA-Lib's ``CDLTASUKIGAP``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLTASUKIGAP", open, high, low, close, settings, None)


def CDLTHRUSTING(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Thrusting Pattern: TA-Lib's ``CDLTHRUSTING``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLTHRUSTING", open, high, low, close, settings, None)


def CDLTRISTAR(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Tristar Pattern: TA-Lib's ``CDLTRISTAR``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLTRISTAR", open, high, low, close, settings, None)


def CDLUNIQUE3RIVER(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Unique 3 River: TA-Lib's ``CDLUNIQUE3RIVER``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLUNIQUE3RIVER", open, high, low, close, settings, None)


def CDLUPSIDEGAP2CROWS(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Upside Gap Two Crows: TA-Lib's ``CDLUPSIDEGAP2CROWS``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLUPSIDEGAP2CROWS", open, high, low, close, settings, None)


def CDLXSIDEGAP3METHODS(  # noqa: N802
    open: Prices,
    high: Prices | None = None,
    low: Prices | None = None,
    close: Prices | None = None,
    *,
    settings: SettingsArg = None,
) -> Aligned:
    """Upside/Downside Gap Three Methods: TA-Lib's ``CDLXSIDEGAP3METHODS``.

    Takes and returns what every pattern function does (see the module's documentation).
    """
    return _pattern("CDLXSIDEGAP3METHODS", open, high, low, close, settings, None)
