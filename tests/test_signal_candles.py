"""TA-Lib's 61 candlestick patterns against the installed ``talib`` (the oracle): exact int
equality on the S&P 500 daily bars, on 10^5 synthetic bars of two generators, on adversarial
bars (flat bars, gaps, equal closes, NaN bars, inputs shorter than the look-back), under
non-default candle settings and every penetration; the one-pass table equals the 61 calls."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import numpy as np
import pytest
from candle_data import make_ohlc, make_rich_ohlc, sp500
from quantumpanarchy import signal
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError

talib = pytest.importorskip("talib")
from talib import _ta_lib  # noqa: E402


def ta_set(setting: int, range_type: int, period: int, factor: float) -> None:
    """TA-Lib's own setter (the oracle's process-wide table)."""
    _ta_lib._ta_set_candle_settings(setting, range_type, period, factor)  # type: ignore[attr-defined]


def ta_restore() -> None:
    _ta_lib._ta_restore_candle_default_settings(11)  # type: ignore[attr-defined]


NAMES = tuple(talib.get_function_groups()["Pattern Recognition"])
PENETRATION = {
    "CDLABANDONEDBABY": 0.3,
    "CDLDARKCLOUDCOVER": 0.5,
    "CDLEVENINGDOJISTAR": 0.3,
    "CDLEVENINGSTAR": 0.3,
    "CDLMATHOLD": 0.5,
    "CDLMORNINGDOJISTAR": 0.3,
    "CDLMORNINGSTAR": 0.3,
}


def compare(bars: tuple[np.ndarray, ...], label: str, **kwargs: float) -> dict[str, int]:
    """Every pattern on ``bars``, ours against TA-Lib's; returns the nonzero count of each."""
    o, h, lo, c = bars
    counts = {}
    for name in NAMES:
        want = getattr(talib, name)(o, h, lo, c, **(kwargs if name in PENETRATION else {}))
        got = getattr(signal, name)(o, h, lo, c, **(kwargs if name in PENETRATION else {}))
        assert got.dtype == np.int32
        bad = np.flatnonzero(got != want)
        assert bad.size == 0, (
            f"{label} {name}: {bad.size} bars differ, first at {bad[:5]}: ours {got[bad[:5]]}, TA-Lib {want[bad[:5]]}"
        )
        counts[name] = int(np.count_nonzero(want))
    return counts


def report(label: str, counts: dict[str, int], n: int) -> None:
    fired = sum(1 for v in counts.values() if v)
    print(
        f"\n{label}: {n} bars x 61 patterns identical; {sum(counts.values())} nonzero outputs; {fired}/61 patterns fire"
    )
    print("  " + ", ".join(f"{k[3:]}={v}" for k, v in counts.items()))


@pytest.fixture(autouse=True)
def _restore() -> Iterator[None]:
    yield
    signal.restore_candle_default_settings()
    ta_restore()


def test_sp500_identical() -> None:
    bars = sp500()
    counts = compare(bars, "S&P 500")
    report("S&P 500", counts, len(bars[0]))
    assert counts["CDLDOJI"] == 624 and counts["CDLENGULFING"] == 741  # the anchor's counts


def test_random_bars_identical() -> None:
    bars = make_ohlc(100_000, seed=12345)
    counts = compare(bars, "make_ohlc(1e5)")
    report("make_ohlc(100_000, 12345)", counts, 100_000)
    assert sum(v > 0 for v in counts.values()) >= 55


def test_pattern_rich_bars_identical() -> None:
    bars = make_rich_ohlc(100_000, seed=7)
    counts = compare(bars, "rich(1e5)")
    report("make_rich_ohlc(100_000, 7)", counts, 100_000)
    assert all(v > 0 for v in counts.values()), [k for k, v in counts.items() if v == 0]


def test_lookbacks_equal_talib() -> None:
    import talib.abstract as abstract

    for name in NAMES:
        assert _native_lookback(name) == getattr(abstract, "Function")(name).lookback, name  # noqa: B009


def _native_lookback(name: str) -> int:
    from quantumpanarchy._native import signal as native

    return int(native.candle_lookback(name))


def test_adversarial_bars() -> None:
    rng = np.random.default_rng(3)
    o, h, lo, c = (x[:3000].copy() for x in make_rich_ohlc(3000, seed=11))
    # flat bars, equal closes, a block of NaN bars in the middle, NaN in single prices
    o[100:140] = h[100:140] = lo[100:140] = c[100:140] = 42.0
    c[300:320] = c[299]
    for arr in (o, h, lo, c):
        arr[500:503] = np.nan
    h[900] = np.nan
    lo[1500] = np.nan
    c[2000] = np.nan
    o[2500] = np.nan
    counts = compare((o, h, lo, c), "adversarial")
    report("adversarial", counts, len(o))
    # leading NaN bars (the look-back starts at the first bar without NaN) and NaN in one column only
    o2, h2, l2, c2 = (x.copy() for x in make_rich_ohlc(600, seed=12))
    o2[:17] = np.nan
    c2[:9] = np.nan
    h2[30] = np.nan
    compare((o2, h2, l2, c2), "leading NaN")
    # all NaN, short inputs (shorter than every look-back), one bar, zero-range bars
    nan = np.full(40, np.nan)
    compare((nan, nan, nan, nan), "all NaN")
    for n in (1, 2, 3, 5, 8, 11, 12, 13, 15):
        compare(tuple(x[:n] for x in make_rich_ohlc(50, seed=n)), f"short {n}")
    flat = np.full(200, 10.0)
    compare((flat, flat, flat, flat), "flat")
    # random gaps of every size
    o3, h3, l3, c3 = make_ohlc(5000, seed=int(rng.integers(1 << 30)))
    jump = np.where(rng.random(5000) < 0.1, rng.normal(0, 0.05, 5000), 0.0)
    scale = np.exp(np.cumsum(jump))
    compare((o3 * scale, h3 * scale, l3 * scale, c3 * scale), "gaps")


SETTINGS = [
    # (setting, range_type, avg_period, factor)
    (signal.CandleSetting.BodyLong, signal.RangeType.HighLow, 7, 0.6),
    (signal.CandleSetting.BodyShort, signal.RangeType.Shadows, 3, 1.5),
    (signal.CandleSetting.ShadowLong, signal.RangeType.HighLow, 4, 0.4),
    (signal.CandleSetting.Near, signal.RangeType.RealBody, 0, 0.3),
    (signal.CandleSetting.Equal, signal.RangeType.Shadows, 12, 0.2),
    (signal.CandleSetting.BodyDoji, signal.RangeType.RealBody, 2, 0.25),
    (signal.CandleSetting.ShadowVeryShort, signal.RangeType.Shadows, 6, 0.3),
    (signal.CandleSetting.Far, signal.RangeType.HighLow, 1, 0.5),
    (signal.CandleSetting.ShadowShort, signal.RangeType.RealBody, 15, 0.8),
    (signal.CandleSetting.ShadowVeryLong, signal.RangeType.Shadows, 3, 1.1),
    (signal.CandleSetting.BodyVeryLong, signal.RangeType.HighLow, 5, 2.0),
]


def test_non_default_settings_global_and_per_call() -> None:
    bars = make_rich_ohlc(20_000, seed=5)
    for setting, rt, period, factor in SETTINGS:
        ta_set(int(setting), int(rt), period, factor)
        signal.set_candle_settings(setting, rt, period, factor)
    assert signal.get_candle_settings()[signal.CandleSetting.Near].avg_period == 0
    counts = compare(bars, "global settings")
    report("11 settings changed (set on both sides)", counts, 20_000)
    # the same through settings= with the process-wide table back at the defaults
    signal.restore_candle_default_settings()
    table = signal.CandleSettings({s: (rt, p, f) for s, rt, p, f in SETTINGS})
    o, h, lo, c = bars
    for name in NAMES:
        assert np.array_equal(getattr(signal, name)(o, h, lo, c, settings=table), getattr(talib, name)(o, h, lo, c)), (
            name
        )
    # one setting at a time
    ta_restore()
    for setting, rt, period, factor in SETTINGS[:5]:
        ta_set(int(setting), int(rt), period, factor)
        signal.set_candle_settings(setting.name, rt.name, period, factor)
        compare(bars, f"{setting.name} only")
        signal.restore_candle_default_settings()
        for name in NAMES[:20]:
            got = getattr(signal, name)(o, h, lo, c, settings={setting.name: (rt.name, period, factor)})
            assert np.array_equal(got, getattr(talib, name)(o, h, lo, c)), name
        ta_restore()


@pytest.mark.parametrize("pen", [0.0, 0.1, 0.3, 0.5, 0.8, 1.0, 2.5])
def test_every_penetration(pen: float) -> None:
    bars = make_rich_ohlc(20_000, seed=9)
    o, h, lo, c = bars
    for name in PENETRATION:
        want = getattr(talib, name)(o, h, lo, c, penetration=pen)
        assert np.array_equal(getattr(signal, name)(o, h, lo, c, pen), want), name
        assert np.array_equal(getattr(signal, name)(o, h, lo, c, penetration=pen), want), name
    table = signal.candlesticks(o, h, lo, c, penetration=pen)
    for name in PENETRATION:
        k = signal.CANDLESTICK_NAMES.index(name)
        assert np.array_equal(table[:, k], getattr(talib, name)(o, h, lo, c, penetration=pen)), name


def test_candlesticks_equals_the_61_calls() -> None:
    assert signal.CANDLESTICK_NAMES == NAMES
    for bars in (make_ohlc(30_000, seed=1), make_rich_ohlc(30_000, seed=2), sp500()):
        o, h, lo, c = bars
        table = signal.candlesticks(o, h, lo, c)
        assert table.shape == (len(o), 61) and table.dtype == np.int32
        for k, name in enumerate(NAMES):
            assert np.array_equal(table[:, k], getattr(talib, name)(o, h, lo, c)), name
            assert np.array_equal(table[:, k], getattr(signal, name)(o, h, lo, c)), name
    settings = signal.CandleSettings({s: (rt, p, f) for s, rt, p, f in SETTINGS})
    o, h, lo, c = make_rich_ohlc(5000, seed=3)
    table = signal.candlesticks(o, h, lo, c, settings=settings)
    for k, name in enumerate(NAMES):
        assert np.array_equal(table[:, k], getattr(signal, name)(o, h, lo, c, settings=settings)), name


@pytest.mark.parametrize("n", [1, 17, 255, 256, 257, 300, 511, 513, 4099])
def test_candlesticks_equals_the_single_calls_on_adversarial_bars(n: int) -> None:
    """The table runs groups of patterns side by side over blocks of 256 bars and shares their
    running totals; on every length around a block's edge, with flat bars, equal closes, NaN
    bars (leading ones too) and gaps, under the default and unusual settings (a period longer
    than a block, zero periods), it equals the single functions and TA-Lib."""
    o, h, lo, c = (x.copy() for x in make_rich_ohlc(n + 40, seed=n))
    o, h, lo, c = o[40:], h[40:], lo[40:], c[40:]
    lead = min(7, n - 1)
    o[:lead] = np.nan
    for i in range(0, n, 61):
        o[i : i + 3] = h[i : i + 3] = lo[i : i + 3] = c[i : i + 3] = 42.0
        if i + 8 < n:
            c[i + 5 : i + 8] = c[i + 4]
    for arr, at in ((h, 100), (lo, 250), (c, 257), (o, 400)):
        if at < n:
            arr[at] = np.nan
    if n > 600:
        o[600:], h[600:], lo[600:], c[600:] = o[600:] * 1.3, h[600:] * 1.3, lo[600:] * 1.3, c[600:] * 1.3
    table = signal.candlesticks(o, h, lo, c)
    for k, name in enumerate(NAMES):
        want = getattr(talib, name)(o, h, lo, c)
        assert np.array_equal(table[:, k], want), name
        assert np.array_equal(getattr(signal, name)(o, h, lo, c), want), name
    rows = [
        (signal.CandleSetting.BodyLong, signal.RangeType.HighLow, 300, 0.6),
        (signal.CandleSetting.Near, signal.RangeType.RealBody, 0, 0.3),
        (signal.CandleSetting.BodyDoji, signal.RangeType.Shadows, 0, 0.25),
    ]
    unusual = signal.CandleSettings({s: (rt, p, f) for s, rt, p, f in rows})
    table = signal.candlesticks(o, h, lo, c, settings=unusual)
    try:
        for s, rt, p, f in rows:
            ta_set(int(s), int(rt), p, f)
        for k, name in enumerate(NAMES):
            want = getattr(talib, name)(o, h, lo, c)
            assert np.array_equal(table[:, k], want), name
            assert np.array_equal(getattr(signal, name)(o, h, lo, c, settings=unusual), want), name
    finally:
        ta_restore()


def test_input_kinds() -> None:
    pd = pytest.importorskip("pandas")
    o, h, lo, c = make_rich_ohlc(3000, seed=4)
    want = talib.CDLENGULFING(o, h, lo, c)
    idx = pd.date_range("2001-01-01", periods=3000, freq="D")
    s = signal.CDLENGULFING(*(pd.Series(x, index=idx) for x in (o, h, lo, c)))
    assert isinstance(s, pd.Series) and s.dtype == np.int32 and s.index.equals(idx)
    assert np.array_equal(s.to_numpy(), want)
    # float32: TA-Lib on the same values widened to float64
    f = [x.astype(np.float32) for x in (o, h, lo, c)]
    want32 = talib.CDLHAMMER(*(x.astype(np.float64) for x in f))
    assert np.array_equal(signal.CDLHAMMER(*f), want32)
    # strided views and lists
    big = [np.repeat(x, 2) for x in (o, h, lo, c)]
    assert np.array_equal(signal.CDLENGULFING(*(x[::2] for x in big)), want)
    assert np.array_equal(signal.CDLENGULFING(*(x.tolist() for x in (o, h, lo, c))), want)
    # a list of Candle
    candles = [signal.Candle(*row) for row in zip(o[:500], h[:500], lo[:500], c[:500], strict=True)]
    assert np.array_equal(signal.CDLDOJI(candles), talib.CDLDOJI(o[:500], h[:500], lo[:500], c[:500]))
    assert np.array_equal(signal.candlesticks(candles)[:, 15], talib.CDLDOJI(o[:500], h[:500], lo[:500], c[:500]))
    # 2-D: one series per column; a DataFrame gives a DataFrame
    cols = [make_rich_ohlc(800, seed=k) for k in range(3)]
    two_d = [np.column_stack([b[j] for b in cols]) for j in range(4)]
    got = signal.CDLHARAMI(*two_d)
    assert got.shape == (800, 3)
    for k in range(3):
        assert np.array_equal(got[:, k], talib.CDLHARAMI(*cols[k]))
    frames = [pd.DataFrame(x, columns=["a", "b", "c"]) for x in two_d]
    out = signal.CDLHARAMI(*frames)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == ["a", "b", "c"]
    df = signal.candlesticks(*(pd.Series(x, index=idx) for x in (o, h, lo, c)))
    assert isinstance(df, pd.DataFrame) and tuple(df.columns) == NAMES and df.index.equals(idx)


def test_bad_inputs() -> None:
    o, h, lo, c = make_rich_ohlc(100, seed=1)
    with pytest.raises(InvalidInputError):
        signal.CDLDOJI(o, h, lo, c[:-1])
    with pytest.raises(InvalidInputError):
        signal.CDLDOJI(o, h, lo)
    with pytest.raises(InvalidInputError):
        signal.CDLDOJI(o, h, lo, c.reshape(10, 10))
    with pytest.raises(InvalidInputError):
        signal.CDLDOJI(o.reshape(1, 10, 10), h.reshape(1, 10, 10), lo.reshape(1, 10, 10), c.reshape(1, 10, 10))
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(InvalidInputError):
            signal.CDLMORNINGSTAR(o, h, lo, c, bad)
        with pytest.raises(InvalidInputError):
            signal.candlesticks(o, h, lo, c, penetration=bad)
    with pytest.raises(InvalidInputError):
        signal.candlesticks(*(x.reshape(10, 10) for x in (o, h, lo, c)))
    with pytest.raises(InvalidInputError):
        signal.set_candle_settings("BodyLong", "RealBody", -1, 1.0)
    with pytest.raises(InvalidInputError):
        signal.set_candle_settings("Nope", "RealBody", 1, 1.0)
    with pytest.raises(InvalidInputError):
        signal.set_candle_settings(11, 0, 1, 1.0)
    with pytest.raises(InvalidInputError):
        signal.set_candle_settings("Near", 3, 1, 1.0)
    with pytest.raises(InvalidInputError):
        signal.set_candle_settings("Near", 1, 1, float("nan"))
    with pytest.raises(InvalidTypeError):
        signal.set_candle_settings("Near", 1, True, 1.0)
    with pytest.raises(InvalidTypeError):
        signal.CDLDOJI(o, h, lo, c, settings=[1, 2, 3])  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        signal.CDLDOJI([object()] * 3)
    assert signal.CDLDOJI(np.array([]), np.array([]), np.array([]), np.array([])).shape == (0,)


def test_settings_objects() -> None:
    import pickle

    s = signal.CandleSettings({"Near": ("HighLow", 10, 0.25)})
    assert s["Near"] == signal.Setting(signal.RangeType.HighLow, 10, 0.25)
    assert pickle.loads(pickle.dumps(s)) == s
    assert "Near" in repr(s) and repr(signal.CandleSettings()) == "CandleSettings()"
    assert signal.CandleSettings().to_dict()["ShadowShort"] == {
        "range_type": "Shadows",
        "avg_period": 10,
        "factor": 1.0,
    }
    assert s.replace({"Far": (1, 3, 0.7)})["Far"].avg_period == 3
    signal.set_candle_settings("Far", "RealBody", 2, 0.9)
    assert signal.get_candle_settings()["Far"] == signal.Setting(signal.RangeType.RealBody, 2, 0.9)
    signal.restore_candle_default_settings("Far")
    assert signal.get_candle_settings() == signal.CandleSettings.defaults()


def test_per_call_settings_are_thread_safe() -> None:
    """Threads with different settings= get their own results while another thread changes the
    process-wide table."""
    o, h, lo, c = make_rich_ohlc(20_000, seed=8)
    tables = [
        signal.CandleSettings({"BodyLong": ("RealBody", p, 1.0), "Near": ("HighLow", p, 0.2)}) for p in (3, 10, 20)
    ]
    expected = []
    for t in tables:
        expected.append(signal.candlesticks(o, h, lo, c, settings=t))
    errors: list[str] = []
    stop = threading.Event()

    def flip() -> None:
        k = 0
        while not stop.is_set():
            signal.set_candle_settings("BodyLong", "HighLow", 1 + k % 7, 0.5)
            k += 1
        signal.restore_candle_default_settings()

    def work(t: signal.CandleSettings, want: np.ndarray) -> None:
        for _ in range(3):
            if not np.array_equal(signal.candlesticks(o, h, lo, c, settings=t), want):
                errors.append(repr(t))

    flipper = threading.Thread(target=flip)
    flipper.start()
    workers = [threading.Thread(target=work, args=(t, w)) for t, w in zip(tables, expected, strict=True)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    stop.set()
    flipper.join()
    assert not errors


def test_ctrl_c_interrupts_long_runs() -> None:
    """Ctrl-C ends a long candlesticks call (checked between patterns) and a long 2-D call
    (checked between columns) within the bound; the functions work afterwards."""
    from interrupts import assert_interrupted

    o, h, lo, c = make_ohlc(4_000_000, seed=1)
    assert_interrupted(lambda: signal.candlesticks(o, h, lo, c), "candlesticks of 4e6 bars")
    # 400 columns of the same series (a broadcast view: no memory), long enough to be running
    # when the interrupt comes however fast the columns are.
    wide = [np.broadcast_to(x[:200_000, None], (200_000, 400)) for x in (o, h, lo, c)]
    # A tenth of a second in: the 400 columns take about 0.3 s on a fast core (Zen 4/5).
    assert_interrupted(lambda: signal.CDLADVANCEBLOCK(*wide), "CDLADVANCEBLOCK of 400 columns", delay=0.1)
    assert np.array_equal(
        signal.CDLDOJI(o[:5000], h[:5000], lo[:5000], c[:5000]), talib.CDLDOJI(o[:5000], h[:5000], lo[:5000], c[:5000])
    )


def test_a_dataframe_of_bars_as_the_only_input() -> None:
    pd = pytest.importorskip("pandas")
    o, h, lo, c = make_ohlc(500, seed=3)
    index = pd.date_range("2020-01-01", periods=500, freq="D")
    bars = pd.DataFrame({"Open": o, "High": h, "Low": lo, "Close": c, "Volume": 1.0}, index=index)
    doji = signal.CDLDOJI(bars)
    assert isinstance(doji, pd.Series) and doji.index.equals(index)
    np.testing.assert_array_equal(doji.to_numpy(), talib.CDLDOJI(o, h, lo, c))
    table = signal.candlesticks(bars)
    assert list(table.columns) == list(signal.CANDLESTICK_NAMES) and table.index.equals(index)
    np.testing.assert_array_equal(table.to_numpy(), signal.candlesticks(o, h, lo, c))
    with pytest.raises(InvalidInputError, match="missing"):
        signal.CDLDOJI(bars.drop(columns="Low"))
