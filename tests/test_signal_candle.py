"""`signal.Candle`: validation, derived fields, pickling, and the list-of-candles conversion."""

import pickle

import numpy as np
import pytest
from quantumpanarchy._signal.candle import candle_columns
from quantumpanarchy.exceptions import InvalidInputError, InvalidTypeError
from quantumpanarchy.signal import Candle


def test_fields_and_derived_values() -> None:
    c = Candle(10.0, 11.0, 9.0, 9.5, volume=1e6)
    assert (c.open, c.high, c.low, c.close, c.volume) == (10.0, 11.0, 9.0, 9.5, 1e6)
    assert c.body == pytest.approx(0.5) and c.range == 2.0 and not c.is_bullish
    assert Candle.__module__ == "quantumpanarchy.signal"
    assert pickle.loads(pickle.dumps(c)) == c
    assert c.to_dict()["volume"] == 1e6


@pytest.mark.parametrize(
    "args",
    [
        (10.0, 9.0, 8.0, 9.5),  # high below open
        (10.0, 11.0, 10.5, 9.5),  # low above close
        (float("nan"), 11.0, 9.0, 10.0),
        (10.0, float("inf"), 9.0, 10.0),
        (10.0, 11.0, 9.0, 10.0, -1.0),
        (10**400, 11.0, 9.0, 10.0),
    ],
)
def test_inconsistent_or_non_finite_bars_are_refused(args: tuple[float, ...]) -> None:
    with pytest.raises(InvalidInputError):
        Candle(*args)


def test_non_numbers_are_type_errors() -> None:
    with pytest.raises(InvalidTypeError):
        Candle("10", 11.0, 9.0, 10.0)  # type: ignore[arg-type]
    with pytest.raises(InvalidTypeError):
        Candle(True, 11.0, 9.0, 10.0)


def test_candle_columns() -> None:
    o, _, low, _, v = candle_columns([Candle(1.0, 2.0, 0.5, 1.5, 3.0), Candle(1.5, 1.6, 1.0, 1.1)])
    np.testing.assert_array_equal(o, [1.0, 1.5])
    np.testing.assert_array_equal(low, [0.5, 1.0])
    np.testing.assert_array_equal(v, [3.0, 0.0])
    assert o.flags.c_contiguous and o.dtype == np.float64
    o, *_ = candle_columns([])
    assert o.shape == (0,)
    with pytest.raises(InvalidInputError, match="Candle"):
        candle_columns([Candle(1.0, 2.0, 0.5, 1.5), (1.0, 2.0, 0.5, 1.5)])  # type: ignore[list-item]
