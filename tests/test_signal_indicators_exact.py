"""The indicators that equal TA-Lib 0.8.1 (the installed ``talib``) bit for bit, not only to
1e-9: the window extremes, AROON, the stochastics over them, TRANGE, and ATR/NATR (which take
TA-Lib's fused multiply-add Wilder step), VAR, STDDEV, BBANDS and CORREL (TA-Lib's running sums
about a shift, recentred every 32 periods or where they lose digits), and MAMA (TA-Lib's FMA build)."""

from __future__ import annotations

import numpy as np
import pytest
from _indicator_data import columns, make_ohlc
from quantumpanarchy import signal
from quantumpanarchy._native import signal as native

talib = pytest.importorskip("talib")

SPECS = {s[0]: s for s in native.indicator_specs()}
BARS = make_ohlc(20_000, seed=11)
EXACT = [
    "ATR",
    "NATR",
    "TRANGE",
    "MIDPOINT",
    "MIDPRICE",
    "WILLR",
    "AROON",
    "AROONOSC",
    "STOCHF",
    "STOCH",
    "VAR",
    "STDDEV",
    "BBANDS",
    "CORREL",
]


@pytest.mark.parametrize("period", [None, 2, 7, 50])
@pytest.mark.parametrize("name", EXACT)
def test_bit_identical_to_talib(name: str, period: int | None) -> None:
    params = SPECS[name][2]
    kw = {} if period is None or not params else {params[0][0]: period}
    args = columns(BARS, SPECS[name][1])
    ours, ref = getattr(signal, name)(*args, **kw), getattr(talib, name)(*args, **kw)
    ours, ref = (x if isinstance(x, tuple) else (x,) for x in (ours, ref))
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=f"{name}{kw}")


def _recentring_cases() -> dict[str, np.ndarray]:
    """Series that make TA-Lib recentre its sums early: a flat level with rare large jumps (the
    value leaving the window outweighs the rest), a high level with tiny noise (the variance
    under a millionth of the mean square), spikes, a far drift, zeros and a NaN."""
    rng = np.random.default_rng(5)
    n = 30_000
    steps = np.repeat(rng.normal(0, 1e4, n // 50), 50) + 100.0
    high = 1e7 + np.cumsum(rng.normal(0, 1e-4, n))
    spikes = rng.normal(100, 1, n)
    spikes[rng.integers(0, n, 300)] *= 1e5
    drift = np.cumsum(rng.normal(0.5, 1e-3, n))
    zeros = np.where(rng.random(n) < 0.3, 0.0, rng.normal(0, 1e-3, n))
    nan = BARS["close"][:n].copy() if BARS["close"].size >= n else np.resize(BARS["close"], n)
    nan[12_345] = np.nan
    return {"steps": steps, "high": high, "spikes": spikes, "drift": drift, "zeros": zeros, "nan": nan}


RECENTRING = _recentring_cases()


# Periods from each indicator's minimum (VAR takes 1, STDDEV and BBANDS 2).
@pytest.mark.parametrize("case", sorted(RECENTRING))
@pytest.mark.parametrize(
    ("name", "period"), [(n, p) for n in ("VAR", "STDDEV", "BBANDS") for p in (1, 2, 5, 30, 400) if p > 1 or n == "VAR"]
)
def test_recentred_sums_bit_identical(name: str, case: str, period: int) -> None:
    x = RECENTRING[case]
    ours, ref = getattr(signal, name)(x, timeperiod=period), getattr(talib, name)(x, timeperiod=period)
    ours, ref = (r if isinstance(r, tuple) else (r,) for r in (ours, ref))
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(a, b, err_msg=f"{name}({period}) on {case}")


@pytest.mark.parametrize("period", [1, 2, 5, 30, 400])
@pytest.mark.parametrize("case", sorted(RECENTRING))
def test_correl_recentred_sums_bit_identical(case: str, period: int) -> None:
    # Against itself shifted (both series force the same recentrings, each in turn), and against
    # the close (only the first does).
    x = RECENTRING[case]
    for y in (np.roll(x, 3) * 0.5 + 1.0, np.resize(BARS["close"], x.size)):
        for a, b in ((x, y), (y, x)):
            ours, ref = signal.CORREL(a, b, timeperiod=period), talib.CORREL(a, b, timeperiod=period)
            np.testing.assert_array_equal(ours, ref, err_msg=f"CORREL({period}) on {case}")


@pytest.mark.parametrize("matype", [0, 1, 2, 3, 4, 5, 6, 7, 8])
@pytest.mark.parametrize(("up", "dn"), [(2.0, 2.0), (1.5, 2.5)])
def test_bbands_every_average_and_width_bit_identical(matype: int, up: float, dn: float) -> None:
    x = BARS["close"]
    for period in (5, 40):
        ours = signal.BBANDS(x, timeperiod=period, nbdevup=up, nbdevdn=dn, matype=matype)
        ref = talib.BBANDS(x, timeperiod=period, nbdevup=up, nbdevdn=dn, matype=matype)
        for a, b in zip(ours, ref, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"BBANDS({period}, {up}, {dn}, {matype})")


def _mama_cases() -> dict[str, np.ndarray]:
    """Series for MAMA: the close, a random walk, zeros among tiny noise, a flat level, spikes,
    a NaN and an infinity inside, steps, and sines whose phase turns about 1 and 17 degrees a
    bar (near where alpha changes form)."""
    rng = np.random.default_rng(7)
    n = 20_000
    close = BARS["close"][:n]
    nan, inf = close.copy(), close.copy()
    nan[5_000] = np.nan
    inf[7_000] = np.inf
    spikes = rng.normal(100, 1, n)
    spikes[rng.integers(0, n, 200)] *= 1e5
    return {
        "close": close,
        "walk": np.cumsum(rng.normal(0, 1, n)) + 1_000.0,
        "zeros": np.where(rng.random(n) < 0.3, 0.0, rng.normal(0, 1e-3, n)),
        "flat": np.full(5_000, 3.0),
        "spikes": spikes,
        "nan": nan,
        "inf": inf,
        "steps": np.repeat(rng.normal(0, 1e4, n // 50), 50) + 100.0,
        "slow_sine": np.sin(np.arange(n) * 0.0175) * 10 + 50,
        "sine": np.sin(np.arange(n) * 0.3) * 10 + 50,
    }


MAMA_CASES = _mama_cases()


# TA-Lib's FMA build of MAMA; the limits include fast below slow and fast equal to slow.
@pytest.mark.parametrize(("fast", "slow"), [(0.5, 0.05), (0.99, 0.01), (0.2, 0.1), (0.01, 0.99), (0.3, 0.3)])
@pytest.mark.parametrize("case", sorted(MAMA_CASES))
def test_mama_bit_identical(case: str, fast: float, slow: float) -> None:
    x = MAMA_CASES[case]
    ours = signal.MAMA(x, fastlimit=fast, slowlimit=slow)
    ref = talib.MAMA(x, fastlimit=fast, slowlimit=slow)
    for a, b in zip(ours, ref, strict=True):
        np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64), err_msg=f"MAMA({fast}, {slow}) on {case}")
