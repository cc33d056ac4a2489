"""The demonstration's market: a seeded synthetic one, or daily returns from the user's CSV."""

from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ._demo_text import count, heading, say

FloatArray = npt.NDArray[np.float64]

#: Trading days in a year: returns and volatilities are annualised with it.
YEAR = 252
#: The common factor's GARCH(1,1) recursion σ²ₜ = ω + a·r²ₜ₋₁ + b·σ²ₜ₋₁: shocks raise the
#: volatility (a) and it decays slowly (a + b = 0.98, a half-life of about 35 days).
GARCH_A, GARCH_B = 0.10, 0.88
#: The factor's long-run daily volatility (about 16% a year) and mean daily return.
FACTOR_VOL, FACTOR_MEAN = 0.01, 0.0003


@dataclass(frozen=True)
class Market:
    names: list[str]
    returns: FloatArray  # days × assets, daily simple returns
    source: str  # "synthetic" or the CSV file's path
    # one asset's open, high, low and close from the CSV, aligned with the returns (the first
    # row, which has no return, dropped); None when the CSV has no such columns
    ohlc: tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None = None

    @property
    def synthetic(self) -> bool:
        return self.source == "synthetic"


def synthetic_market(num_assets: int, num_days: int, seed: int) -> Market:
    """A one-factor market: each asset's return is its own drift plus its sensitivity times a
    common factor plus its own noise. The factor's volatility clusters (GARCH(1,1)); its
    direction is independent of the past."""
    rng = np.random.default_rng(seed)
    shocks = rng.normal(0.0, 1.0, num_days)
    omega = FACTOR_VOL**2 * (1 - GARCH_A - GARCH_B)
    factor = np.empty(num_days)
    variance = FACTOR_VOL**2
    for t in range(num_days):
        factor[t] = np.sqrt(variance) * shocks[t]
        variance = omega + GARCH_A * factor[t] ** 2 + GARCH_B * variance
    sensitivities = rng.uniform(0.5, 1.5, num_assets)
    drifts = rng.normal(0.0002, 0.0004, num_assets)
    noise = rng.normal(0.0, 1.0, (num_days, num_assets)) * rng.uniform(0.005, 0.02, num_assets)
    returns = drifts + np.outer(factor + FACTOR_MEAN, sensitivities) + noise
    return Market([f"A{k:02d}" for k in range(num_assets)], returns, "synthetic")


def csv_market(path: str) -> Market:
    """Close prices from a CSV with a header: one ``Close`` column (one asset) or one column per
    asset (every numeric column but Open/High/Low/Volume/Date)."""
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{path}: no rows")
    skip = {"open", "high", "low", "volume", "date", "time", "timestamp", "adj close"}
    cols = [c for c in rows[0] if c and c.strip().lower() not in skip]
    try:
        prices = np.array([[float(r[c]) for c in cols] for r in rows], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SystemExit(f"{path}: every column but Date/Open/High/Low/Volume must hold prices ({exc})") from None
    if prices.shape[0] < 3 or not np.all(prices > 0):
        raise SystemExit(f"{path}: need at least 3 rows of positive prices")
    return Market(cols, prices[1:] / prices[:-1] - 1.0, path, _csv_bars(rows, cols))


def _csv_bars(
    rows: list[dict[str, str]], cols: list[str]
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray] | None:
    """Open, high, low and close of a one-asset CSV that has all four columns, else None."""
    by_name = {c.strip().lower(): c for c in rows[0] if c}
    if len(cols) != 1 or not {"open", "high", "low", "close"} <= by_name.keys():
        return None
    try:
        bars = np.array([[float(r[by_name[k]]) for k in ("open", "high", "low", "close")] for r in rows[1:]])
    except (TypeError, ValueError):
        return None
    o, h, lo, c = (np.ascontiguousarray(bars[:, k], dtype=np.float64) for k in range(4))
    return o, h, lo, c


def describe(market: Market, seed: int) -> None:
    """What the market is, said before any result."""
    days, n = market.returns.shape
    heading("The market")
    if market.synthetic:
        say(
            f"Synthetic and seeded (--seed {seed}): made-up daily returns of {n} assets, {market.names[0]} to "
            f"{market.names[-1]}, over {days} trading days ({days / YEAR:.0f} years). Each asset's return is its own "
            "drift + its sensitivity to the market (0.5 to 1.5) × a common market move + its own noise. The "
            "market move's volatility clusters (a GARCH(1,1) process: calm and turbulent spells, as in real "
            "markets), but its direction is independent of the past: nothing can forecast whether tomorrow is "
            "up or down. Another --seed gives another market; --csv FILE uses your own prices."
        )
    else:
        say(f"Your prices (--csv {market.source}): daily returns of {count(n, 'asset')} over {count(days, 'day')}.")
    mean = market.returns.mean(axis=0) * YEAR
    vol = market.returns.std(axis=0) * np.sqrt(YEAR)
    say(
        f"Per year, the assets' mean returns range from {mean.min():+.1%} to {mean.max():+.1%} and their "
        f"volatilities (the standard deviation of returns, the usual measure of risk) from {vol.min():.1%} to "
        f"{vol.max():.1%}."
    )
