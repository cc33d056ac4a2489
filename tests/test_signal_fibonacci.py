"""`signal.FibonacciAnalyzer`: swings and levels computed by hand, the support/resistance split,
the nearest level, pandas labels, candles, the records' contract and bad input."""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np
import pytest
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError
from quantumpanarchy.signal import Candle, FibonacciAnalyzer, FibonacciLevels

UP = [110.0, 105.0, 100.0, 120.0, 130.0, 140.0, 150.0, 145.0, 140.0, 142.0]


def test_up_swing_levels_by_hand() -> None:
    lv = FibonacciAnalyzer(swing_window=2).analyze(UP)
    assert isinstance(lv, FibonacciLevels)
    assert (lv.swing_low.index, lv.swing_low.price) == (2, 100.0)
    assert (lv.swing_high.index, lv.swing_high.price) == (6, 150.0)
    assert lv.trend == "up" and lv.range == 50.0
    expected = {0.0: 150.0, 0.236: 138.2, 0.382: 130.9, 0.5: 125.0, 0.618: 119.1, 0.786: 110.7, 1.0: 100.0}
    assert [r for r, _ in lv.retracements] == list(expected)
    for (r, p), want in zip(lv.retracements, expected.values(), strict=True):
        assert p == pytest.approx(want, abs=1e-12), r
    ext = dict(lv.extensions)
    assert list(ext) == [1.272, 1.414, 1.618, 2.0, 2.618]
    assert ext[1.618] == pytest.approx(180.9) and ext[2.0] == pytest.approx(200.0)
    # current price: the last price, 142.
    assert lv.current_price == 142.0
    assert lv.support[0] == pytest.approx((0.236, 138.2))
    assert [p for _, p in lv.support] == sorted((p for _, p in lv.support), reverse=True)
    assert lv.resistance[0] == (0.0, 150.0)
    kind, ratio, _price, dist = lv.nearest_level()
    assert (kind, ratio) == ("retracement", 0.236) and dist == pytest.approx(3.8)
    assert lv.nearest_level(181.0)[:2] == ("extension", 1.618)


def test_down_swing_levels_by_hand() -> None:
    prices = [90.0, 95.0, 100.0, 80.0, 70.0, 60.0, 50.0, 55.0, 60.0, 58.0]
    lv = FibonacciAnalyzer(swing_window=2).analyze(prices, current_price=66.0)
    assert lv.trend == "down"
    assert (lv.swing_high.index, lv.swing_low.index) == (2, 6)
    r = dict(lv.retracements)
    assert r[0.0] == 50.0 and r[1.0] == 100.0
    assert r[0.382] == pytest.approx(50 + 0.382 * 50)
    assert dict(lv.extensions)[1.272] == pytest.approx(100 - 1.272 * 50)
    assert lv.current_price == 66.0
    assert lv.support[0] == pytest.approx((0.236, 61.8))
    assert lv.resistance[0] == pytest.approx((0.382, 69.1))


def test_the_most_recent_qualifying_pair() -> None:
    # Two swings: 100 -> 150 (bars 2-6) and a later small one 140 -> 141 that is below 2 %.
    prices = [*UP[:8], 140.0, 139.0, 139.5, 141.0, 140.5, 140.2, 140.0]
    lv = FibonacciAnalyzer(swing_window=2, min_swing_size=0.05).analyze(prices)
    assert (lv.swing_low.price, lv.swing_high.price) == (100.0, 150.0)
    # With a tiny minimum the latest swing pair is used.
    small = FibonacciAnalyzer(swing_window=2, min_swing_size=0.001).analyze(prices)
    assert small.swing_high.index > 6


def test_ties_take_the_earliest_bar() -> None:
    prices = [1.0, 2.0, 5.0, 5.0, 2.0, 1.0, 0.5, 0.4, 0.3]
    lv = FibonacciAnalyzer(swing_window=2).analyze([*prices, 0.35, 0.5, 0.6])
    assert lv.swing_high.index == 2


def test_series_candles_and_numpy() -> None:
    pd = pytest.importorskip("pandas")
    idx = pd.date_range("2024-01-01", periods=len(UP))
    lv = FibonacciAnalyzer(swing_window=2).analyze(pd.Series(UP, index=idx))
    assert lv.swing_high.label == idx[6] and lv.swing_low.label == idx[2]
    candles = [Candle(p, p + 1, p - 1, p) for p in UP]
    assert FibonacciAnalyzer(swing_window=2).analyze(candles).retracements == lv.retracements
    assert FibonacciAnalyzer(swing_window=2).analyze(np.array(UP, dtype=np.float32)).retracements == lv.retracements


def test_record_contract() -> None:
    an = FibonacciAnalyzer(swing_window=2)
    lv = an.analyze(UP)
    assert pickle.loads(pickle.dumps(lv)) == lv
    assert pickle.loads(pickle.dumps(an)) == an
    d = lv.to_dict()
    assert d["trend"] == "up" and d["swing_high"]["price"] == 150.0 and len(d["retracements"]) == 7
    assert "trend=up" in repr(lv) and "swing_window=2" in repr(an)
    with pytest.raises(AttributeError):
        lv.trend = "down"  # type: ignore[misc]


def test_sp500_levels() -> None:
    sp500 = pytest.importorskip("arch.data.sp500")
    close = sp500.load()["Close"]
    lv = FibonacciAnalyzer().analyze(close)
    assert lv.swing_high.price > lv.swing_low.price
    assert lv.swing_high.label in close.index
    assert close.iloc[lv.swing_high.index] == lv.swing_high.price


@pytest.mark.parametrize(
    ("kwargs", "prices", "error", "match"),
    [
        ({}, UP, InvalidInputError, "at least 2 \\* swing_window \\+ 1"),
        ({"swing_window": 2}, [*UP[:4], float("nan"), *UP[5:]], InvalidInputError, "finite"),
        ({"swing_window": 2}, [100.0] * 20, InvalidInputError, "no swing"),
        ({"swing_window": 2, "min_swing_size": 0.0}, UP, InvalidInputError, "positive"),
        ({"swing_window": 2, "min_swing_size": -1.0}, UP, InvalidInputError, "positive"),
        ({"swing_window": 2, "min_swing_size": float("inf")}, UP, InvalidInputError, "positive"),
        ({"swing_window": 0}, UP, InvalidInputError, "swing_window"),
        ({"swing_window": 2.5}, UP, (InvalidInputError, InvalidTypeError), "swing_window"),
        ({"swing_window": 2}, [], InvalidInputError, "empty"),
        ({"swing_window": 2}, [[1.0, 2.0]], InvalidInputError, "1-D"),
    ],
)
def test_bad_input(kwargs: dict[str, object], prices: object, error: Any, match: str) -> None:
    with pytest.raises(error, match=match):
        FibonacciAnalyzer(**kwargs).analyze(prices)  # type: ignore[arg-type]


def test_bad_current_price() -> None:
    with pytest.raises(InvalidInputError):
        FibonacciAnalyzer(swing_window=2).analyze(UP, current_price=float("nan"))
