"""Bars for the candlestick tests and benchmark: the anchor's synthetic generator, a generator
that makes the patterns fire often, and the S&P 500 daily bars shipped with ``arch``."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Bars = tuple[Array, Array, Array, Array]


def make_ohlc(n: int, seed: int = 12345) -> Bars:
    """The anchor's bars (research/anchor-baselines.md §3): a geometric random walk with open
    gaps and shadows, draws taken from ``default_rng(seed)`` in the documented order."""
    rng = np.random.default_rng(seed)
    r = rng.standard_normal(n) * 0.01
    close = 100.0 * np.exp(np.cumsum(r))
    prev = np.concatenate(([100.0], close[:-1]))
    open_ = prev * np.exp(0.002 * rng.standard_normal(n))
    high = np.maximum(open_, close) * np.exp(np.abs(0.005 * rng.standard_normal(n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(0.005 * rng.standard_normal(n)))
    return open_, high, low, close


def make_rich_ohlc(n: int, seed: int = 7) -> Bars:
    """Bars on which the patterns fire often: prices on a 0.01 grid (so equal prices and exact
    ties happen), a mixture of doji, short and long bodies, marubozu and long shadows, gaps, runs
    of same-coloured bars and opens at the previous close."""
    rng = np.random.default_rng(seed)
    o = np.empty(n)
    c = np.empty(n)
    x = 50.0
    trend = 0.0
    kind = rng.integers(0, 10, n)
    u = rng.random((n, 6))
    for i in range(n):
        if u[i, 0] < 0.05:
            trend = rng.choice([-1.0, 0.0, 1.0])
        gap = 0.0
        if kind[i] == 0:
            gap = (u[i, 1] - 0.5) * 2.0  # a gap of up to a point
        elif kind[i] in (1, 2):
            gap = 0.0  # open at the previous close
        else:
            gap = (u[i, 1] - 0.5) * 0.2
        open_ = x + gap
        size = u[i, 2]
        if size < 0.2:
            body = 0.0 if u[i, 3] < 0.5 else 0.01  # doji
        elif size < 0.55:
            body = u[i, 3] * 0.3
        else:
            body = 0.3 + u[i, 3] * 1.5
        sign = 1.0 if (u[i, 4] < 0.5 + 0.3 * trend) else -1.0
        close = open_ + sign * body
        o[i] = open_
        c[i] = close
        x = close
    o = np.round(np.maximum(o, 1.0), 2).astype(np.float64)
    c = np.round(np.maximum(c, 1.0), 2).astype(np.float64)
    top = np.maximum(o, c)
    bot = np.minimum(o, c)
    shade = rng.integers(0, 4, (n, 2))
    ext = rng.random((n, 2))
    # 0: no shadow, 1: tiny, 2: medium, 3: long
    scale = np.array([0.0, 0.02, 0.3, 1.5])
    h = np.round(top + scale[shade[:, 0]] * ext[:, 0], 2)
    lo = np.round(np.maximum(bot - scale[shade[:, 1]] * ext[:, 1], 0.5), 2)
    high: Array = np.maximum(h, top).astype(np.float64)
    low: Array = np.minimum(lo, bot).astype(np.float64)
    return o, high, low, c


def sp500() -> Bars:
    """The S&P 500 daily bars of ``arch.data.sp500`` (1999-2018, 5031 bars)."""
    from arch.data import sp500 as data

    df = data.load()
    return tuple(np.ascontiguousarray(df[k].to_numpy(dtype=np.float64)) for k in ("Open", "High", "Low", "Close"))  # type: ignore[return-value]
