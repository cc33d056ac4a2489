"""The indicators that equal TA-Lib 0.8.1 (the installed ``talib``) bit for bit, not only to
1e-9: the window extremes, AROON, the stochastics over them, TRANGE, and ATR/NATR (which take
TA-Lib's fused multiply-add Wilder step), VAR, STDDEV, BBANDS and CORREL (TA-Lib's running sums
about a shift, recentred every 32 periods or where they lose digits), LINEARREG, its slope, angle
and intercept, and TSF (TA-Lib's running sums of the window and its moments, restarted every 32
periods or where the value leaving outweighs what stays), BETA (TA-Lib's running sums of the
returns about a shift, restarted likewise), SAR (its fused step towards the extreme point), MFI
(its running flow sums, restarted after a period without flow), MAMA (TA-Lib's FMA build), WMA
(its running sums, summed afresh every 8 periods), RSI and CMO (Wilder's smoothing as TA-Lib's
build runs it) and MACD."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _indicator_data import columns, make_ohlc
from quantumpanarchy import performance, signal
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
    "BETA",
    "LINEARREG",
    "LINEARREG_SLOPE",
    "LINEARREG_ANGLE",
    "LINEARREG_INTERCEPT",
    "TSF",
    "SAR",
    "MFI",
    "WMA",
    "RSI",
    "CMO",
    "MACD",
]


@pytest.mark.parametrize("period", [None, 2, 7, 50])
@pytest.mark.parametrize("name", EXACT)
def test_bit_identical_to_talib(name: str, period: int | None) -> None:
    params = SPECS[name][2]
    # The period is the first parameter where that is a whole number (not SAR's acceleration).
    kw = {} if period is None or not params or params[0][2] != "int" else {params[0][0]: period}
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


# Periods from each indicator's minimum (VAR takes 1, the others 2).
@pytest.mark.parametrize("case", sorted(RECENTRING))
@pytest.mark.parametrize(
    ("name", "period"),
    [
        (n, p)
        for n in ("VAR", "STDDEV", "BBANDS", "LINEARREG", "LINEARREG_SLOPE", "LINEARREG_ANGLE", "TSF", "WMA")
        for p in (1, 2, 5, 30, 400)
        if p > 1 or n == "VAR"
    ],
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


@pytest.mark.parametrize("period", [1, 2, 5, 30, 400])
@pytest.mark.parametrize("case", [*sorted(RECENTRING), "flat"])
def test_beta_restarted_sums_bit_identical(case: str, period: int) -> None:
    # The recentring series (zero prices among them: TA-Lib's return guard), and a flat one
    # (no variance), each against the close in both orders, so that each series' guards fire.
    x = RECENTRING[case] if case != "flat" else np.full(30_000, 3.0)
    y = np.resize(BARS["close"], x.size)
    for a, b in ((x, y), (y, x)):
        ours, ref = signal.BETA(a, b, timeperiod=period), talib.BETA(a, b, timeperiod=period)
        np.testing.assert_array_equal(ours, ref, err_msg=f"BETA({period}) on {case}")


@pytest.mark.parametrize("matype", [0, 1, 2, 3, 4, 5, 6, 7, 8])
@pytest.mark.parametrize(("up", "dn"), [(2.0, 2.0), (1.5, 2.5)])
def test_bbands_every_average_and_width_bit_identical(matype: int, up: float, dn: float) -> None:
    x = BARS["close"]
    for period in (5, 40):
        ours = signal.BBANDS(x, timeperiod=period, nbdevup=up, nbdevdn=dn, matype=matype)
        ref = talib.BBANDS(x, timeperiod=period, nbdevup=up, nbdevdn=dn, matype=matype)
        for a, b in zip(ours, ref, strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"BBANDS({period}, {up}, {dn}, {matype})")


def _sar_cases() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Highs and lows that test SAR's branches and clamps: flat bars (every bar a reversal), runs
    of equal bars and of equal highs, gaps, NaN and infinite prices (NaN compares false
    everywhere in TA-Lib's loop, so it must not clamp here either), signed zeros, negative
    prices, highs under the lows, spikes."""
    rng = np.random.default_rng(7)
    h, lo = BARS["high"], BARS["low"]
    n = h.size
    equal_h, equal_l = h.copy(), lo.copy()
    rep = np.flatnonzero(rng.random(n) < 0.3)[1:]
    equal_h[rep], equal_l[rep] = equal_h[rep - 1], equal_l[rep - 1]
    equal_highs = h.copy()
    equal_highs[1::2] = h[0::2][: n // 2]
    gap = np.cumsum(np.where(rng.random(n) < 0.05, rng.normal(0, 20, n), 0.0))
    nan_h, nan_l = h.copy(), lo.copy()
    nan_h[[500, 5000, 5001]] = np.nan
    nan_l[[800, 5001, 9000]] = np.nan
    inf_h, inf_l = h.copy(), lo.copy()
    inf_h[3000], inf_l[7000] = np.inf, -np.inf
    zeros = np.where(rng.random(n) < 0.5, 0.0, -0.0)
    walk = np.cumsum(rng.normal(0, 1, n))
    spikes = h.copy()
    spikes[rng.integers(0, n, 50)] *= 100
    return {
        "flat": (np.full(n, 5.0), np.full(n, 5.0)),
        "equal_bars": (equal_h, equal_l),
        "equal_highs": (equal_highs, lo),
        "gaps": (h + gap, lo + gap),
        "nan": (nan_h, nan_l),
        "inf": (inf_h, inf_l),
        "zeros": (zeros, zeros[::-1].copy()),
        "negative": (walk + 0.5, walk - 0.5),
        "inverted": (lo, h),
        "spikes": (spikes, lo),
    }


SAR_CASES = _sar_cases()


# The defaults, an acceleration over the maximum (TA-Lib lowers it to the maximum), zero, equal,
# and large steps.
@pytest.mark.parametrize(("acc", "top"), [(0.02, 0.2), (0.1, 0.05), (0.0, 0.0), (0.02, 0.02), (0.5, 1.0), (0.01, 3.0)])
@pytest.mark.parametrize("case", sorted(SAR_CASES))
def test_sar_bit_identical_on_adversarial_bars(case: str, acc: float, top: float) -> None:
    h, lo = SAR_CASES[case]
    ours = signal.SAR(h, lo, acceleration=acc, maximum=top)
    ref = talib.SAR(h, lo, acceleration=acc, maximum=top)
    np.testing.assert_array_equal(ours, ref, err_msg=f"SAR({acc}, {top}) on {case}")


Hlcv = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _mfi_cases() -> dict[str, Hlcv]:
    """Bars that test TA-Lib's MFI guards: zero volumes (in runs longer than a period, which
    restart the sums), repeated and equal typical prices (no change, no flow), typical prices a
    few ulps apart (about TA-Lib's 1e-14 tolerance), NaN prices and volumes (a NaN stays in the
    sums until a period without flow restarts them), negative volumes (the ratio clamped to
    [0, 100]), zero prices, spikes and an infinite high."""
    rng = np.random.default_rng(3)
    h, lo, c, v = (BARS[k] for k in ("high", "low", "close", "volume"))
    n = h.size
    zero_v = np.where(rng.random(n) < 0.3, 0.0, v)
    zero_v[5000:5100] = 0.0
    flat = [x.copy() for x in (h, lo, c)]
    rep = np.flatnonzero(rng.random(n) < 0.4)[1:]
    for x in flat:
        x[rep] = x[rep - 1]
        x[8000:8200] = x[7999]
    # The last bar's high, low and close, permuted: the typical price equal or an ulp off.
    perm = [x.copy() for x in (h, lo, c)]
    perm[0][1::3], perm[1][1::3], perm[2][1::3] = (x[0::3][: perm[0][1::3].size] for x in (lo, c, h))
    ulps = 100.0 + rng.integers(-300, 301, n) * np.spacing(100.0)
    nan_h, nan_l, nan_c, nan_v = (x.copy() for x in (h, lo, c, v))
    nan_h[3000] = nan_v[9000] = np.nan
    for x in (nan_h, nan_l, nan_c):
        x[12000:12100] = x[11999]
    spikes = h.copy()
    spikes[rng.integers(0, n, 100)] *= 1e6
    inf = h.copy()
    inf[15000] = np.inf
    zeros = np.zeros(n)
    return {
        "zero_volume": (h, lo, c, zero_v),
        "flat": (flat[0], flat[1], flat[2], v),
        "equal_typical": (perm[0], perm[1], perm[2], v),
        "ulps": (ulps, ulps[::-1].copy(), np.roll(ulps, 7), v),
        "nan": (nan_h, nan_l, nan_c, nan_v),
        "negative_volume": (h, lo, c, v - 5e5),
        "zeros": (zeros, zeros, zeros, v),
        "spikes": (spikes, lo, c, v),
        "inf": (inf, lo, c, v),
    }


MFI_CASES = _mfi_cases()


@pytest.mark.parametrize("period", [2, 7, 14, 50])
@pytest.mark.parametrize("case", sorted(MFI_CASES))
def test_mfi_bit_identical_on_adversarial_bars(case: str, period: int) -> None:
    h, lo, c, v = MFI_CASES[case]
    ours, ref = signal.MFI(h, lo, c, v, timeperiod=period), talib.MFI(h, lo, c, v, timeperiod=period)
    np.testing.assert_array_equal(ours, ref, err_msg=f"MFI({period}) on {case}")


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


# The smoothing recurrences that run a long series in two halves on two threads, with the
# periods to try (the defaults' neighbourhood and the extremes).
IN_HALVES: dict[str, list[dict[str, Any]]] = {
    "EMA": [{"timeperiod": 2}, {"timeperiod": 30}, {"timeperiod": 1_000}],
    "DEMA": [{"timeperiod": 2}, {"timeperiod": 30}, {"timeperiod": 400}],
    "TEMA": [{"timeperiod": 2}, {"timeperiod": 30}, {"timeperiod": 300}],
    "T3": [{"timeperiod": 2}, {"timeperiod": 5, "vfactor": 0.7}, {"timeperiod": 150, "vfactor": 0.0}],
    "MACD": [{}, {"fastperiod": 2, "slowperiod": 3, "signalperiod": 2}, {"fastperiod": 50, "slowperiod": 400}],
    "ATR": [{"timeperiod": 2}, {"timeperiod": 14}, {"timeperiod": 600}],
    "NATR": [{"timeperiod": 14}],
    "RSI": [{"timeperiod": 2}, {"timeperiod": 14}, {"timeperiod": 600}],
    "CMO": [{"timeperiod": 2}, {"timeperiod": 14}, {"timeperiod": 600}],
}


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("nan_at", [None, 1_000, 149_990, 150_000, 150_001, 299_000])
@pytest.mark.parametrize("name", sorted(IN_HALVES))
def test_in_halves_bit_identical(name: str, threads: int, nan_at: int | None) -> None:
    """A long EMA, Wilder average or their compositions runs as two halves on two threads (the
    second from a guessed state it then checks): the bits are TA-Lib's whatever the thread
    count, NaN in either half or at the split."""
    bars = make_ohlc(300_000, seed=21)
    if nan_at is not None:
        bars = {k: v.copy() for k, v in bars.items()}
        bars["close"][nan_at] = np.nan
    ins = [bars[k] for k in (("high", "low", "close") if name in ("ATR", "NATR") else ("close",))]
    before = performance.get_num_threads()
    performance.set_num_threads(threads)
    try:
        for kwargs in IN_HALVES[name]:
            ours, ref = getattr(signal, name)(*ins, **kwargs), getattr(talib, name)(*ins, **kwargs)
            ours_t = ours if isinstance(ours, tuple) else (ours,)
            ref_t = ref if isinstance(ref, tuple) else (ref,)
            for a, b in zip(ours_t, ref_t, strict=True):
                np.testing.assert_array_equal(a.view(np.int64), b.view(np.int64), err_msg=f"{name}({kwargs})")
    finally:
        performance.set_num_threads(before)


# Window indicators whose two halves of a long series run on two threads, with their inputs.
WINDOW_HALVES = {
    "MIDPOINT": ("close",),
    "MIDPRICE": ("high", "low"),
    "WILLR": ("high", "low", "close"),
    "MOM": ("close",),
    "ROC": ("close",),
}


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("nan_at", [None, 1_000, 149_990, 149_999, 150_000, 150_005, 299_000])
@pytest.mark.parametrize("name", sorted(WINDOW_HALVES))
def test_window_halves_bit_identical(name: str, threads: int, nan_at: int | None) -> None:
    """A window indicator over a long series runs its halves on two threads (the second half's
    first windows reach back into the first): TA-Lib's bits whatever the thread count, a NaN
    bar in either half or in windows across the split included (TA-Lib's MAX/MIN blocks count
    from the series' first bar, not the half's)."""
    bars = make_ohlc(300_000, seed=22)
    if nan_at is not None:
        bars = {k: v.copy() for k, v in bars.items()}
        for k in WINDOW_HALVES[name]:
            bars[k][nan_at] = np.nan
    ins = [bars[k] for k in WINDOW_HALVES[name]]
    before = performance.get_num_threads()
    performance.set_num_threads(threads)
    try:
        for period in (2, 9, 14, 30, 1_000):
            ours, ref = getattr(signal, name)(*ins, timeperiod=period), getattr(talib, name)(*ins, timeperiod=period)
            np.testing.assert_array_equal(ours.view(np.int64), ref.view(np.int64), err_msg=f"{name}({period})")
    finally:
        performance.set_num_threads(before)
