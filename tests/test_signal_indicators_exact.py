"""The indicators that equal TA-Lib 0.8.1 (the installed ``talib``) bit for bit, not only to
1e-9: the window extremes, AROON, the stochastics over them, TRANGE, and ATR/NATR (which take
TA-Lib's fused multiply-add Wilder step)."""

from __future__ import annotations

import numpy as np
import pytest
from _indicator_data import columns, make_ohlc
from quantumpanarchy import signal
from quantumpanarchy._native import signal as native

talib = pytest.importorskip("talib")

SPECS = {s[0]: s for s in native.indicator_specs()}
BARS = make_ohlc(20_000, seed=11)
EXACT = ["ATR", "NATR", "TRANGE", "MIDPOINT", "MIDPRICE", "WILLR", "AROON", "AROONOSC", "STOCHF", "STOCH"]


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
