"""Bars the indicator tests share: anchor-baselines §3's ``make_ohlc`` with a volume column."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Bars = dict[str, npt.NDArray[np.float64]]


def make_ohlc(n: int, seed: int = 12345) -> Bars:
    """Synthetic bars drawn as anchor-baselines §3 draws them, plus a volume (drawn after)."""
    rng = np.random.default_rng(seed)
    r = rng.standard_normal(n) * 0.01
    close = 100 * np.exp(np.cumsum(r))
    prev = np.concatenate([[100.0], close[:-1]])
    open_ = prev * np.exp(0.002 * rng.standard_normal(n))
    high = np.maximum(open_, close) * np.exp(np.abs(0.005 * rng.standard_normal(n)))
    low = np.minimum(open_, close) * np.exp(-np.abs(0.005 * rng.standard_normal(n)))
    volume = np.floor(rng.uniform(1e3, 1e6, n))
    return {"open": open_, "high": high, "low": low, "close": close, "volume": volume}


ALIASES = {"real0": "close", "real1": "open"}


def columns(bars: Bars, names: list[str]) -> list[npt.NDArray[np.float64]]:
    """The arrays an indicator takes, by its input names (BETA and CORREL's ``real0`` and
    ``real1`` read the close and the open)."""
    return [bars[ALIASES.get(n, n)] for n in names]
