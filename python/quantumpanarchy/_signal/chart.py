"""Chart patterns found from swing pivots: :func:`zigzag` (the pivots), :class:`PatternDetector`
(25 pattern types, each a typed :class:`Pattern` with its pivots, lines, breakout, target and
confidence) and :func:`plot_pattern`. The rules are in ``docs/signal-patterns.md``; the
detection runs in Rust (``src/signal/chart/``)."""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import _native
from .._decision._params import check_int, check_real
from .._frame import is_pandas
from .._validation import as_float_array
from ..exceptions import InvalidInputError, InvalidTypeError
from .candle import Candle, candle_columns, ohlc_by_name

__all__ = ["Pattern", "PatternDetector", "PatternType", "Pivots", "plot_pattern", "zigzag"]

_native_signal: Any = _native.signal
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class PatternType(str, enum.Enum):
    """The chart-pattern types, a str enum (the value is the snake_case name)."""

    HEAD_AND_SHOULDERS = "head_and_shoulders"
    INVERSE_HEAD_AND_SHOULDERS = "inverse_head_and_shoulders"
    DOUBLE_TOP = "double_top"
    DOUBLE_BOTTOM = "double_bottom"
    TRIPLE_TOP = "triple_top"
    TRIPLE_BOTTOM = "triple_bottom"
    ASCENDING_TRIANGLE = "ascending_triangle"
    DESCENDING_TRIANGLE = "descending_triangle"
    SYMMETRICAL_TRIANGLE = "symmetrical_triangle"
    RISING_WEDGE = "rising_wedge"
    FALLING_WEDGE = "falling_wedge"
    BULL_FLAG = "bull_flag"
    BEAR_FLAG = "bear_flag"
    BULL_PENNANT = "bull_pennant"
    BEAR_PENNANT = "bear_pennant"
    RECTANGLE_TOP = "rectangle_top"
    RECTANGLE_BOTTOM = "rectangle_bottom"
    CUP_AND_HANDLE = "cup_and_handle"
    INVERSE_CUP_AND_HANDLE = "inverse_cup_and_handle"
    ROUNDING_BOTTOM = "rounding_bottom"
    ROUNDING_TOP = "rounding_top"
    BROADENING_TOP = "broadening_top"
    BROADENING_BOTTOM = "broadening_bottom"
    DIAMOND_TOP = "diamond_top"
    DIAMOND_BOTTOM = "diamond_bottom"

    def __str__(self) -> str:
        return self.value


_TYPES: tuple[PatternType, ...] = tuple(PatternType)
_CODE = {t: i for i, t in enumerate(_TYPES)}
assert tuple(t.value for t in _TYPES) == tuple(_native_signal.CHART_PATTERN_NAMES)


@dataclasses.dataclass(frozen=True)
class OHLC:
    """Bars as float64 columns, with the caller's index labels when a DataFrame came in."""

    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    index: Any = None

    def label(self, i: int | None) -> Any:
        if i is None or self.index is None:
            return None
        return self.index[i]


def as_ohlc(candles: Any, name: str = "candles") -> OHLC:
    """Bars from a list of :class:`Candle`, a 2-D array (columns open, high, low, close[, volume]),
    a dict or tuple of arrays, or a DataFrame with open/high/low/close columns (any case).

    Raises
    ------
    InvalidInputError
        Missing columns, ragged lengths, no bars, non-finite or non-positive prices, or a bar
        whose open or close lies outside its low–high range.
    """
    index = None
    if isinstance(candles, (list, tuple)) and candles and isinstance(candles[0], Candle):
        cols: list[Any] = list(candle_columns(candles)[:4])
    elif is_pandas(candles) and hasattr(candles, "columns"):
        cols = ohlc_by_name(candles.columns, lambda k: candles[k].to_numpy(), name)
        index = candles.index
    elif isinstance(candles, Mapping):
        cols = ohlc_by_name(candles.keys(), candles.__getitem__, name)
    elif isinstance(candles, tuple) and len(candles) in (4, 5):
        cols = list(candles[:4])
    elif isinstance(candles, (str, bytes)) or candles is None or np.isscalar(candles):
        raise InvalidTypeError(
            f"{name} must be a list of Candle, a 2-D array, a dict or tuple of arrays or a DataFrame, "
            f"got {type(candles).__name__}"
        )
    else:
        table = as_float_array(candles, name, 2, False)
        if table.shape[1] not in (4, 5):
            raise InvalidInputError(
                f"{name} as a 2-D array needs 4 or 5 columns (open, high, low, close[, volume]), "
                f"got shape {table.shape}"
            )
        cols = [table[:, k] for k in range(4)]
    o, h, lo, c = (
        np.ascontiguousarray(as_float_array(x, f"{name}.{k}", 1, False))
        for x, k in zip(cols, ("open", "high", "low", "close"), strict=True)
    )
    n = len(c)
    if not len(o) == len(h) == len(lo) == n:
        raise InvalidInputError(
            f"{name}: open, high, low and close must have one length, got {len(o)}, {len(h)}, {len(lo)} and {n}"
        )
    bad = ~(np.isfinite(o) & np.isfinite(h) & np.isfinite(lo) & np.isfinite(c))
    if bad.any():
        i = int(np.argmax(bad))
        raise InvalidInputError(f"{name}: prices must be finite, bar {i} is ({o[i]}, {h[i]}, {lo[i]}, {c[i]})")
    outside = (lo > np.minimum(o, c)) | (h < np.maximum(o, c))
    if outside.any():
        i = int(np.argmax(outside))
        raise InvalidInputError(
            f"{name}: bar {i} needs low <= open, close <= high, got ({o[i]}, {h[i]}, {lo[i]}, {c[i]})"
        )
    return OHLC(o, h, lo, c, index)


@dataclasses.dataclass(frozen=True)
class Pivots:
    """Zig-zag swing pivots: bar ``indices``, ``prices`` (the high of a peak, the low of a
    trough), ``kinds`` (``"peak"``/``"trough"``), the bar that ``confirmed`` each, and the index
    ``labels`` when a DataFrame came in (else ``None``)."""

    indices: IntArray
    prices: FloatArray
    kinds: tuple[str, ...]
    confirmed: IntArray
    labels: Any = None

    def __len__(self) -> int:
        return len(self.indices)

    def __repr__(self) -> str:
        return f"Pivots({len(self)} pivots: {sum(k == 'peak' for k in self.kinds)} peaks)"

    def to_dict(self) -> dict[str, Any]:
        """The fields as lists."""
        return {
            "indices": self.indices.tolist(),
            "prices": self.prices.tolist(),
            "kinds": list(self.kinds),
            "confirmed": self.confirmed.tolist(),
            "labels": None if self.labels is None else list(self.labels),
        }


def _pivots(raw: Any, ohlc: OHLC) -> Pivots:
    idx, prices, peaks, confirmed = raw
    labels = None if ohlc.index is None else ohlc.index[np.asarray(idx)]
    return Pivots(
        np.asarray(idx),
        np.asarray(prices),
        tuple("peak" if p else "trough" for p in peaks),
        np.asarray(confirmed),
        labels,
    )


def _threshold(threshold: Any) -> float:
    t = check_real(threshold, "threshold")
    if not 0.0 < t < 1.0:
        raise InvalidInputError(f"threshold must be in (0, 1) (a relative reversal such as 0.05), got {t}")
    return t


def zigzag(candles: Any, threshold: float = 0.05) -> Pivots:
    """The swing pivots of a percentage zig-zag on highs and lows.

    A peak is confirmed at the first bar (not itself a new high) whose low is at least
    ``threshold`` (relative) below the highest high since the last trough; troughs mirror this.
    Ties keep the earlier bar; the last, unconfirmed extreme is not a pivot (see
    ``docs/signal-patterns.md``).

    Parameters
    ----------
    candles
        A list of :class:`Candle`, a 2-D array (open, high, low, close[, volume]), a dict or
        tuple of arrays, or a DataFrame with open/high/low/close columns.
    threshold
        The relative reversal that confirms a pivot, in (0, 1).

    Returns
    -------
    Pivots

    Raises
    ------
    InvalidInputError
        Bad bars or a threshold outside (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.signal import zigzag
    >>> c = np.array([10, 11, 12, 11, 10, 11, 13, 12, 11.0])
    >>> zigzag((c, c, c, c), threshold=0.1).kinds
    ('trough', 'peak', 'trough', 'peak')
    """
    t = _threshold(threshold)
    ohlc = as_ohlc(candles)
    return _pivots(_native_signal.chart_zigzag(ohlc.high, ohlc.low, ohlc.close, t), ohlc)


@dataclasses.dataclass(frozen=True)
class Pattern:
    """One detected chart pattern.

    Attributes
    ----------
    pattern_type
        Its :class:`PatternType`.
    start, end
        Bar indices of its first and last pivot.
    pivots
        ``(bar index, price)`` of its defining pivots, in time order.
    lines
        Its neckline or boundaries, each ``(start_index, start_price, end_index, end_price)``.
    breakout
        The first bar after the last pivot whose close crossed the breakout line in the pattern's
        direction (``None``: none yet, or price left the other way first).
    target_price
        The measured move: the pattern's height added to (bullish) or taken from (bearish) the
        breakout line's price at the breakout bar (at ``end`` without a breakout).
    direction
        ``"bullish"`` or ``"bearish"``.
    confidence
        ``0.4 × rules + 0.3 × fit + 0.3 × breakout``, in [0, 1] (see the docs).
    start_label, end_label, breakout_label
        The index labels of ``start``, ``end`` and ``breakout`` when a DataFrame came in.
    """

    pattern_type: PatternType
    start: int
    end: int
    pivots: tuple[tuple[int, float], ...]
    lines: tuple[tuple[int, float, int, float], ...]
    breakout: int | None
    target_price: float
    direction: str
    confidence: float
    start_label: Any = None
    end_label: Any = None
    breakout_label: Any = None

    @property
    def duration(self) -> int:
        """Bars from the first pivot to the last."""
        return self.end - self.start

    def __repr__(self) -> str:
        b = "none" if self.breakout is None else str(self.breakout)
        return (
            f"Pattern({self.pattern_type.value}, bars {self.start}-{self.end}, {self.direction}, "
            f"breakout={b}, target={self.target_price:.6g}, confidence={self.confidence:.3f})"
        )

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict (the type as its name)."""
        d = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        d["pattern_type"] = self.pattern_type.value
        d["pivots"] = [list(p) for p in self.pivots]
        d["lines"] = [list(x) for x in self.lines]
        return d

    def plot(self, ax: Any, candles: Any) -> Any:
        """Draw the candles and this pattern on a matplotlib Axes (see :func:`plot_pattern`)."""
        return plot_pattern(ax, candles, self)


def _types_mask(types: Any) -> int:
    if types is None:
        return (1 << len(_TYPES)) - 1
    if isinstance(types, (str, PatternType)):
        types = [types]
    try:
        items = list(types)
    except TypeError:
        raise InvalidTypeError(f"types must be pattern type names, got {type(types).__name__}") from None
    mask = 0
    for t in items:
        if not isinstance(t, str):
            raise InvalidTypeError(f"types must be pattern type names, got {type(t).__name__}")
        try:
            mask |= 1 << _CODE[PatternType(t.lower())]
        except (ValueError, UnicodeError):
            raise InvalidInputError(
                f"unknown pattern type {t!r}; known: {', '.join(x.value for x in _TYPES)}"
            ) from None
    if not mask:
        raise InvalidInputError("types must name at least one pattern type")
    return mask


class PatternDetector:
    """Finds chart patterns from zig-zag swing pivots.

    Parameters
    ----------
    min_confidence
        Patterns scoring below this are dropped, in [0, 1].
    min_duration
        Fewest bars from a pattern's first pivot to its last (>= 1).
    tolerance
        Relative tolerance of price equalities and flat lines (0.02: within 2 % of the pattern's
        mean pivot price), in (0, 1).
    threshold
        The zig-zag's relative reversal, in (0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.signal import PatternDetector
    >>> pts = [(0, 90), (20, 108), (30, 100), (40, 115), (50, 100.5), (60, 108.5), (80, 80)]
    >>> c = np.interp(np.arange(81), *zip(*pts))
    >>> [p.pattern_type.value for p in PatternDetector().detect_all((c, c * 1.001, c * 0.999, c))]
    ['head_and_shoulders']
    """

    def __init__(
        self,
        min_confidence: float = 0.70,
        min_duration: int = 5,
        tolerance: float = 0.02,
        threshold: float = 0.05,
    ) -> None:
        mc = check_real(min_confidence, "min_confidence")
        if not 0.0 <= mc <= 1.0:
            raise InvalidInputError(f"min_confidence must be in [0, 1], got {mc}")
        tol = check_real(tolerance, "tolerance")
        if not 0.0 < tol < 1.0:
            raise InvalidInputError(f"tolerance must be in (0, 1), got {tol}")
        self._min_confidence = mc
        self._min_duration = check_int(min_duration, "min_duration", 1)
        self._tolerance = tol
        self._threshold = _threshold(threshold)

    @property
    def min_confidence(self) -> float:
        return self._min_confidence

    @property
    def min_duration(self) -> int:
        return self._min_duration

    @property
    def tolerance(self) -> float:
        return self._tolerance

    @property
    def threshold(self) -> float:
        return self._threshold

    def __repr__(self) -> str:
        return (
            f"PatternDetector(min_confidence={self._min_confidence}, min_duration={self._min_duration}, "
            f"tolerance={self._tolerance}, threshold={self._threshold})"
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PatternDetector) and repr(self) == repr(other)

    def __hash__(self) -> int:
        return hash(repr(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (PatternDetector, (self._min_confidence, self._min_duration, self._tolerance, self._threshold))

    def pivots(self, candles: Any) -> Pivots:
        """The zig-zag pivots the patterns are found from (:func:`zigzag` with this threshold)."""
        return zigzag(candles, self._threshold)

    def detect_all(self, candles: Any) -> list[Pattern]:
        """Every pattern of every type, ordered by start bar.

        Parameters
        ----------
        candles
            A list of :class:`Candle`, a 2-D array (open, high, low, close[, volume]), a dict or
            tuple of arrays, or a DataFrame with open/high/low/close columns (its index labels
            the patterns' ``start_label``/``end_label``). Volume is not used.

        Returns
        -------
        list of Pattern

        Raises
        ------
        InvalidInputError
            Bad bars (non-finite, non-positive, low > open/close > high, ragged).
        """
        return self.detect(candles, None)

    def detect(self, candles: Any, types: Any = None) -> list[Pattern]:
        """The patterns of the given ``types`` (names or :class:`PatternType`; ``None``: all).

        Overlaps are resolved among the requested types only.
        """
        mask = _types_mask(types)
        ohlc = as_ohlc(candles)
        raw = _native_signal.chart_detect(
            ohlc.high,
            ohlc.low,
            ohlc.close,
            self._threshold,
            self._tolerance,
            self._min_duration,
            self._min_confidence,
            mask,
        )
        return _patterns(raw, ohlc)


def _patterns(raw: Any, ohlc: OHLC) -> list[Pattern]:
    (pidx, pprice, _peaks, _conf), ints, reals = raw
    kind, start, end, first, count, breakout, bullish, offsets = (np.asarray(a).tolist() for a in ints)
    target, confidence = (np.asarray(a).tolist() for a in reals[:2])
    lines = np.asarray(reals[2]).reshape(-1, 4)
    pidx_l, pprice_l = np.asarray(pidx).tolist(), np.asarray(pprice).tolist()
    out = []
    for k in range(len(kind)):
        f, m = first[k], count[k]
        b = None if breakout[k] < 0 else int(breakout[k])
        out.append(
            Pattern(
                pattern_type=_TYPES[kind[k]],
                start=int(start[k]),
                end=int(end[k]),
                pivots=tuple((int(pidx_l[j]), float(pprice_l[j])) for j in range(f, f + m)),
                lines=tuple(
                    (int(x0), float(y0), int(x1), float(y1)) for x0, y0, x1, y1 in lines[offsets[k] : offsets[k + 1]]
                ),
                breakout=b,
                target_price=float(target[k]),
                direction="bullish" if bullish[k] else "bearish",
                confidence=float(confidence[k]),
                start_label=ohlc.label(int(start[k])),
                end_label=ohlc.label(int(end[k])),
                breakout_label=ohlc.label(b),
            )
        )
    return out


def plot_pattern(ax: Any, candles: Any, pattern: Pattern | Sequence[Pattern], *, margin: int | None = None) -> Any:
    """Draw candles (bodies and wicks) and a pattern's lines and pivots on a matplotlib Axes.

    Bars from ``margin`` bars before the pattern to ``margin`` bars after its breakout (or end)
    are drawn (default: a quarter of the pattern's length, at least 5); x is the bar index.
    matplotlib is imported only here.

    Parameters
    ----------
    ax
        A matplotlib ``Axes``.
    candles
        The bars the pattern was found in (any form :meth:`PatternDetector.detect_all` takes).
    pattern
        A :class:`Pattern` (or a list of them, drawn on one window).
    margin
        Bars drawn either side of the pattern.

    Returns
    -------
    The Axes.

    Raises
    ------
    ImportError
        When matplotlib is not installed.
    """
    try:
        from matplotlib.collections import LineCollection
        from matplotlib.patches import Rectangle
    except ImportError as e:
        raise ImportError("plot_pattern needs matplotlib: pip install matplotlib") from e
    patterns = [pattern] if isinstance(pattern, Pattern) else list(pattern)
    if not patterns or not all(isinstance(p, Pattern) for p in patterns):
        raise InvalidTypeError("pattern must be a Pattern or a list of Pattern objects")
    ohlc = as_ohlc(candles)
    n = len(ohlc.close)
    lo_bar = min(p.start for p in patterns)
    hi_bar = max(p.breakout if p.breakout is not None else p.end for p in patterns)
    if hi_bar >= n:
        raise InvalidInputError(f"the pattern reaches bar {hi_bar} but candles has {n} bars")
    pad = check_int(margin, "margin", 0) if margin is not None else max(5, (hi_bar - lo_bar) // 4)
    a, b = max(0, lo_bar - pad), min(n, hi_bar + pad + 1)
    x = np.arange(a, b)
    o, h, lo, c = ohlc.open[a:b], ohlc.high[a:b], ohlc.low[a:b], ohlc.close[a:b]
    up = c >= o
    wicks = [[(xi, li), (xi, hi)] for xi, li, hi in zip(x, lo, h, strict=True)]
    ax.add_collection(LineCollection(wicks, colors="0.3", linewidths=0.8))
    for xi, oi, ci, u in zip(x, o, c, up, strict=True):
        bottom, height = min(oi, ci), abs(ci - oi)
        ax.add_patch(
            Rectangle(
                (xi - 0.35, bottom),
                0.7,
                height,
                facecolor="tab:green" if u else "tab:red",
                edgecolor="0.3",
                linewidth=0.5,
            )
        )
    for p in patterns:
        for x0, y0, x1, y1 in p.lines:
            ax.plot([x0, x1], [y0, y1], color="tab:blue", linewidth=1.5)
        px, py = zip(*p.pivots, strict=False)
        ax.plot(px, py, "o--", color="tab:orange", markersize=5, linewidth=0.8, label=p.pattern_type.value)
        if p.breakout is not None:
            ax.axvline(p.breakout, color="tab:purple", linestyle=":", linewidth=1.0)
        ax.axhline(p.target_price, color="tab:gray", linestyle="--", linewidth=0.8)
    ax.set_xlim(a - 1, b)
    ax.set_ylim(float(lo.min()) * 0.98, float(h.max()) * 1.02)
    ax.autoscale_view(scalex=False, scaley=False)
    ax.set_title(", ".join(p.pattern_type.value for p in patterns))
    return ax
