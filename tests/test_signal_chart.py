"""`signal.zigzag`, `signal.PatternDetector`, `signal.Pattern`, `signal.plot_pattern`: the zig-zag
rule by hand, every input form, hand-built patterns with their neckline, breakout and target,
the records' contract, bad input, thread determinism, Ctrl-C, and S&P 500 sanity."""

from __future__ import annotations

import pickle
import sys

import numpy as np
import pytest
from quantumpanarchy import performance, signal
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError
from quantumpanarchy.signal import Candle, Pattern, PatternDetector, PatternType, zigzag


def through(points: list[tuple[int, float]], spread: float = 0.001) -> np.ndarray:
    """Bars (open, high, low, close) whose closes run straight between the points."""
    xs, ys = zip(*points, strict=True)
    c = np.interp(np.arange(xs[-1] + 1), xs, ys)
    return np.column_stack([c, c * (1 + spread), c * (1 - spread), c])


HS = [(0, 90.0), (20, 108.0), (30, 100.0), (40, 115.0), (50, 100.5), (60, 108.5), (80, 80.0)]


def test_zigzag_by_hand() -> None:
    h = [10.0, 11.0, 12.0, 11.0, 10.5, 11.0, 13.0, 12.0, 11.0]
    lo = [9.5, 10.5, 11.5, 10.0, 9.9, 10.5, 12.5, 11.0, 10.0]
    c = [(a + b) / 2 for a, b in zip(h, lo, strict=True)]
    pv = zigzag({"open": c, "high": h, "low": lo, "close": c}, threshold=0.1)
    # bar 1's high 11 >= 9.5 * 1.1 confirms the trough at bar 0; the peak 12 (bar 2) is confirmed
    # by bar 3's low 10.0 <= 10.8; the trough moves to bar 4 (9.9 < 10.0) and is confirmed by bar
    # 5's high 11.0 >= 10.89; the peak 13 (bar 6) by bar 7's low 11.0 <= 11.7.
    assert pv.indices.tolist() == [0, 2, 4, 6]
    assert pv.prices.tolist() == [9.5, 12.0, 9.9, 13.0]
    assert pv.kinds == ("trough", "peak", "trough", "peak")
    assert pv.confirmed.tolist() == [1, 3, 5, 7]
    assert len(pv) == 4 and "4 pivots" in repr(pv)
    assert pv.to_dict()["kinds"] == list(pv.kinds)
    assert pickle.loads(pickle.dumps(pv)).kinds == pv.kinds


def test_zigzag_ties_keep_the_earlier_bar() -> None:
    c = np.array([10.0, 12.0, 12.0, 10.0, 9.0])
    pv = zigzag((c, c, c, c), threshold=0.1)
    assert pv.indices.tolist()[:2] == [0, 1]


def test_head_and_shoulders_by_hand() -> None:
    bars = through(HS)
    (p,) = PatternDetector().detect_all(bars)
    assert p.pattern_type is PatternType.HEAD_AND_SHOULDERS
    assert (p.start, p.end) == (20, 60)
    assert [i for i, _ in p.pivots] == [20, 30, 40, 50, 60]
    assert p.pivots[2][1] == pytest.approx(115.0 * 1.001)
    # The neckline runs through the lows of bars 30 and 50.
    (x0, y0, x1, y1) = p.lines[0]
    slope = (100.5 - 100.0) * 0.999 / 20
    assert (x0, x1) == (20, 60)
    assert y0 == pytest.approx(100.0 * 0.999 - 10 * slope)
    assert y1 == pytest.approx(100.0 * 0.999 + 30 * slope)
    # Breakout: the first close after bar 60 below the neckline.
    close = bars[:, 3]

    def neck(x: float) -> float:
        return 100.0 * 0.999 + (x - 30) * slope

    expected = next(j for j in range(61, len(close)) if close[j] < neck(j))
    assert p.breakout == expected
    height = 115.0 * 1.001 - neck(40)
    assert p.target_price == pytest.approx(neck(expected) - height)
    assert p.direction == "bearish"
    # Rules: shoulders within 0.5 / (2 % of the mean pivot) ... all exact-ish, breakout confirmed.
    level = np.mean([108 * 1.001, 100 * 0.999, 115 * 1.001, 100.5 * 0.999, 108.5 * 1.001])
    shoulders = 1 - 0.5 * abs(108.5 - 108.0) * 1.001 / (0.02 * level)
    neck_rule = 1 - 0.5 * abs(100.5 - 100.0) * 0.999 / (0.04 * level)
    assert p.confidence == pytest.approx(0.4 * (shoulders + neck_rule) / 2 + 0.3 + 0.3)


def test_inverse_head_and_shoulders_is_the_mirror() -> None:
    pts = [(x, 200.0 - y) for x, y in HS]
    (p,) = PatternDetector().detect_all(through(pts))
    assert p.pattern_type is PatternType.INVERSE_HEAD_AND_SHOULDERS
    assert p.direction == "bullish" and p.breakout is not None
    assert p.target_price > p.lines[0][3]


@pytest.mark.parametrize(
    ("points", "kind"),
    [
        ([(0, 80.0), (20, 110.0), (40, 100.0), (60, 110.3), (80, 90.0)], "double_top"),
        ([(0, 120.0), (20, 100.0), (40, 110.0), (60, 100.3), (80, 125.0)], "double_bottom"),
        ([(0, 80.0), (20, 110), (35, 100), (50, 110.2), (65, 100.5), (80, 110.1), (100, 85)], "triple_top"),
        ([(0, 110.0), (15, 90), (30, 112), (50, 97), (70, 112.3), (90, 104), (110, 130)], "ascending_triangle"),
        ([(0, 95.0), (10, 100.0), (20, 130.0), (28, 118.0), (36, 126.0), (44, 114.0), (60, 140.0)], "bull_flag"),
        ([(0, 135.0), (10, 130.0), (20, 100.0), (30, 112.0), (40, 104.0), (50, 109.0), (65, 90.0)], "bear_pennant"),
        (
            [
                (0, 150.0),
                (50, 110),
                (62, 100),
                (74, 110.2),
                (86, 100.3),
                (98, 110.1),
                (110, 100.2),
                (122, 109.9),
                (132, 103.0),
                (150, 130.0),
            ],
            "rectangle_bottom",
        ),
    ],
)
def test_textbook_shapes(points: list[tuple[int, float]], kind: str) -> None:
    found = PatternDetector().detect_all(through(points))
    assert [str(p.pattern_type) for p in found] == [kind]


def test_cup_and_handle_and_falling_wedge() -> None:
    x = np.linspace(-1, 1, 61)
    cup = [(10 + i, float(v)) for i, v in enumerate(100 + 20 * x**2)]
    (p,) = PatternDetector().detect_all(through([(0, 110.0), *cup, (80, 113.0), (95, 140.0)]))
    assert p.pattern_type is PatternType.CUP_AND_HANDLE and p.direction == "bullish"
    assert (p.start, p.end) == (10, 80) and p.breakout is not None
    # Depth: rim (~120.12) to bottom (~99.9); target = the rim line at the breakout + depth.
    assert p.target_price == pytest.approx(p.lines[0][3] + (120 * 1.001 - 100 * 0.999), rel=1e-3)
    wedge = [(0, 90.0), (10, 120.0), (25, 100.0), (40, 113.0), (55, 96.0), (70, 106.0), (85, 94.5), (100, 125.0)]
    kinds = [str(p.pattern_type) for p in PatternDetector().detect_all(through(wedge))]
    assert "falling_wedge" in kinds


def test_every_input_form_gives_the_same_patterns() -> None:
    bars = through(HS)
    ref = PatternDetector().detect_all(bars)
    candles = [Candle(*row) for row in bars]
    assert PatternDetector().detect_all(candles) == ref
    assert PatternDetector().detect_all(tuple(bars.T)) == ref
    assert PatternDetector().detect_all({k: bars[:, i] for i, k in enumerate(["Open", "HIGH", "low", "close"])}) == ref
    assert PatternDetector().detect_all(np.asfortranarray(bars)) == ref
    f32 = bars.astype(np.float32)
    assert PatternDetector().detect_all(f32) == PatternDetector().detect_all(f32.astype(np.float64))
    assert PatternDetector().detect_all(bars.tolist()) == ref
    with_volume = np.column_stack([bars, np.ones(len(bars))])
    assert PatternDetector().detect_all(with_volume) == ref


def test_dataframe_keeps_the_index() -> None:
    pd = pytest.importorskip("pandas")
    bars = through(HS)
    idx = pd.date_range("2024-01-01", periods=len(bars), freq="D")
    df = pd.DataFrame(bars, columns=["Open", "High", "Low", "Close"], index=idx)
    (p,) = PatternDetector().detect_all(df)
    assert p.start_label == idx[p.start] and p.end_label == idx[p.end]
    assert p.breakout is not None and p.breakout_label == idx[p.breakout]
    pv = PatternDetector().pivots(df)
    assert list(pv.labels) == [idx[i] for i in pv.indices]


def test_pattern_record_contract() -> None:
    (p,) = PatternDetector().detect_all(through(HS))
    assert isinstance(p, Pattern)
    with pytest.raises(AttributeError):
        p.start = 3  # type: ignore[misc]
    d = p.to_dict()
    assert d["pattern_type"] == "head_and_shoulders" and d["start"] == 20 and len(d["pivots"]) == 5
    assert pickle.loads(pickle.dumps(p)) == p
    assert "head_and_shoulders" in repr(p) and p.duration == 40
    assert 0.0 <= p.confidence <= 1.0
    assert len(PatternType) == 25 and PatternType("double_top") is PatternType.DOUBLE_TOP
    assert pickle.loads(pickle.dumps(PatternType.DIAMOND_TOP)) is PatternType.DIAMOND_TOP
    det = PatternDetector(min_confidence=0.5, min_duration=3, tolerance=0.03, threshold=0.04)
    assert pickle.loads(pickle.dumps(det)) == det
    assert "tolerance=0.03" in repr(det)


def test_types_and_min_confidence_filter() -> None:
    bars = through(HS)
    assert PatternDetector().detect(bars, types=["double_top"]) == []
    assert len(PatternDetector().detect(bars, types="head_and_shoulders")) == 1
    assert len(PatternDetector().detect(bars, types=[PatternType.HEAD_AND_SHOULDERS])) == 1
    assert PatternDetector(min_confidence=1.0).detect_all(bars) == []
    low = PatternDetector(min_confidence=0.0).detect_all(bars)
    assert all(p.confidence >= 0 for p in low) and len(low) >= 1
    with pytest.raises(InvalidInputError, match="unknown pattern type"):
        PatternDetector().detect(bars, types=["head_and_knees"])
    with pytest.raises(InvalidTypeError):
        PatternDetector().detect(bars, types=[3])


def test_min_duration_drops_short_patterns() -> None:
    bars = through(HS)
    assert PatternDetector(min_duration=41).detect_all(bars) == []
    assert len(PatternDetector(min_duration=40).detect_all(bars)) == 1


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"min_confidence": 1.5}, InvalidInputError),
        ({"min_confidence": float("nan")}, InvalidInputError),
        ({"tolerance": 0.0}, InvalidInputError),
        ({"tolerance": 1.0}, InvalidInputError),
        ({"threshold": -0.1}, InvalidInputError),
        ({"min_duration": 0}, InvalidInputError),
        ({"min_duration": True}, InvalidTypeError),
        ({"min_duration": 2.5}, InvalidTypeError),
    ],
)
def test_bad_settings(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        PatternDetector(**kwargs)  # type: ignore[arg-type]


def test_bad_bars() -> None:
    bars = through(HS)
    det = PatternDetector()
    nan = bars.copy()
    nan[5, 3] = np.nan
    with pytest.raises(InvalidInputError, match="finite"):
        det.detect_all(nan)
    bad = bars.copy()
    bad[7, 2] = bad[7, 1] + 1  # low above high
    with pytest.raises(InvalidInputError, match="low <= open, close <= high"):
        det.detect_all(bad)
    with pytest.raises(InvalidInputError, match="positive"):
        det.detect_all(bars - 200)
    with pytest.raises(InvalidInputError):
        det.detect_all(bars[:, :3])
    with pytest.raises(InvalidInputError):
        det.detect_all(np.empty((0, 4)))
    with pytest.raises(InvalidInputError, match="missing"):
        det.detect_all({"open": [1.0], "high": [1.0], "low": [1.0]})
    with pytest.raises(InvalidInputError, match="one length"):
        det.detect_all(([1.0, 1.0], [1.0], [1.0], [1.0]))
    with pytest.raises(InvalidTypeError):
        det.detect_all("bars")
    with pytest.raises(InvalidInputError):
        zigzag(bars, threshold=1.0)


def test_short_and_flat_series_have_no_patterns() -> None:
    one = np.array([[10.0, 10.5, 9.5, 10.0]])
    assert PatternDetector().detect_all(one) == []
    flat = np.full((500, 4), 50.0)
    assert PatternDetector().detect_all(flat) == [] and len(zigzag(flat)) == 0


def _random_walk(n: int, seed: int, vol: float = 0.01) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = 100 * np.exp(np.cumsum(rng.normal(0, vol, n)))
    o = np.r_[c[0], c[:-1]]
    h = np.maximum(o, c) * (1 + np.abs(rng.normal(0, 0.003, n)))
    lo = np.minimum(o, c) * (1 - np.abs(rng.normal(0, 0.003, n)))
    return np.column_stack([o, h, lo, c])


def test_same_patterns_on_one_or_two_threads() -> None:
    bars = _random_walk(200_000, 1)
    before = performance.get_num_threads()
    try:
        performance.set_num_threads(1)
        one = PatternDetector(min_confidence=0.0).detect_all(bars)
        performance.set_num_threads(2)
        two = PatternDetector(min_confidence=0.0).detect_all(bars)
    finally:
        performance.set_num_threads(before)
    assert one == two and len(one) > 100


def test_patterns_are_consistent_with_their_pivots() -> None:
    bars = _random_walk(20_000, 2)
    det = PatternDetector(min_confidence=0.0)
    pv = det.pivots(bars)
    at = dict(zip(pv.indices.tolist(), pv.prices.tolist(), strict=True))
    pats = det.detect_all(bars)
    assert len({p.pattern_type for p in pats}) >= 10
    for p in pats:
        assert p.start == p.pivots[0][0] and p.end == p.pivots[-1][0]
        assert all(at[i] == price for i, price in p.pivots)
        assert p.end - p.start >= det.min_duration
        assert p.breakout is None or p.breakout > p.end
        assert np.isfinite(p.target_price) and 0 <= p.confidence <= 1
        assert (p.target_price > p.pivots[-1][1]) == (p.direction == "bullish") or p.breakout is not None


def test_ctrl_c_interrupts_detection() -> None:
    from interrupts import assert_interrupted

    bars = _random_walk(3_000_000, 3, vol=0.003)
    det = PatternDetector(threshold=0.002, min_confidence=0.0)
    h, lo, c = (np.ascontiguousarray(bars[:, k]) for k in (1, 2, 3))
    from quantumpanarchy._signal.chart import _native_signal

    def call() -> object:
        for _ in range(20):
            _native_signal.chart_detect(h, lo, c, 0.002, 0.02, 5, 0.0, (1 << 25) - 1)
        return None

    assert_interrupted(call, "chart_detect on 3e6 bars")
    assert len(det.detect_all(bars[:1000])) >= 0


def test_sp500_finds_several_types() -> None:
    sp500 = pytest.importorskip("arch.data.sp500")
    df = sp500.load()
    pats = PatternDetector().detect_all(df)
    kinds = {p.pattern_type for p in pats}
    assert len(pats) >= 10 and len(kinds) >= 5
    assert all(p.start_label in df.index for p in pats)


def test_plot_pattern_draws_on_agg() -> None:
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    import matplotlib.pyplot as plt

    bars = through(HS)
    (p,) = PatternDetector().detect_all(bars)
    fig, ax = plt.subplots()
    try:
        assert signal.plot_pattern(ax, bars, p) is ax
        assert len(ax.patches) > 60  # one body per bar drawn
        assert len(ax.lines) >= 3  # neckline, pivots, breakout and target lines
        assert ax.get_title() == "head_and_shoulders"
        ax2 = p.plot(fig.add_subplot(2, 1, 2), bars)
        assert len(ax2.collections) == 1  # the wicks
        fig.canvas.draw()
    finally:
        plt.close(fig)
    with pytest.raises(InvalidTypeError):
        signal.plot_pattern(ax, bars, "head_and_shoulders")  # type: ignore[arg-type]


def test_plot_pattern_without_matplotlib(monkeypatch: pytest.MonkeyPatch) -> None:
    (p,) = PatternDetector().detect_all(through(HS))
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.collections", None)
    monkeypatch.setitem(sys.modules, "matplotlib.patches", None)
    with pytest.raises(ImportError, match="needs matplotlib"):
        signal.plot_pattern(object(), through(HS), p)
