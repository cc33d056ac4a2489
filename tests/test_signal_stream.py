"""Streaming handles (``signal.stream``): fed bar by bar, every indicator gives exactly (bit for
bit) the batch function's output, NaN look-back included; a handle started from a history
continues as one fed bar by bar; ``peek`` leaves the state unchanged; ``copy`` and pickle made
mid-stream continue identically."""

from __future__ import annotations

import copy
import math
import pickle
from typing import Any

import numpy as np
import pytest
from _indicator_data import columns, make_ohlc
from quantumpanarchy import signal
from quantumpanarchy._native import signal as native
from quantumpanarchy.exceptions import InvalidInputError

SPECS = {s[0]: s for s in native.indicator_specs()}
BARS = make_ohlc(600, seed=3)


def _with_nan_bars(bars: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Leading NaN bars (skipped, as TA-Lib's wrapper skips them), whole NaN bars inside, one
    alone and two in a row, and a NaN high alone (where TA-Lib's order of scanning a window
    and its NaN comparisons decide the numbers)."""
    out = {k: np.concatenate([np.full(5, np.nan), v]) for k, v in bars.items()}
    for k in out:
        out[k][[120, 301, 302]] = np.nan
    out["high"][347] = np.nan
    return out


BARS_NAN = _with_nan_bars(BARS)


def params(name: str) -> dict[str, Any]:
    """Non-default parameters: small periods, so that the look-back ends inside the data."""
    out: dict[str, Any] = {}
    for pname, _default, kind, lo, _hi in SPECS[name][2]:
        if kind == "int":
            out[pname] = max(int(lo), 4)
        elif kind == "matype":
            out[pname] = 1
    return out


def as_tuple(x: Any) -> tuple[Any, ...]:
    return x if isinstance(x, tuple) else (x,)


def same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize("kw", ["default", "small"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_stream_equals_batch_bit_for_bit(name: str, kw: str) -> None:
    p = {} if kw == "default" else params(name)
    cols = columns(BARS_NAN, SPECS[name][1])
    batch = as_tuple(getattr(signal, name)(*cols, **p))
    h = getattr(signal.stream, name)(**p)
    for t in range(len(cols[0])):
        got = as_tuple(h.update(*[float(c[t]) for c in cols]))
        for k, g in enumerate(got):
            assert same(g, float(batch[k][t])), (name, t, k, g, batch[k][t])
    assert all(same(a, b) for a, b in zip(as_tuple(h.value), [float(b[-1]) for b in batch], strict=True))


@pytest.mark.parametrize("name", sorted(SPECS))
def test_history_peek_copy_pickle_mid_stream(name: str) -> None:
    # A NaN bar shortly before the cut: in the windows that the copies carry on.
    cols = columns(BARS_NAN, SPECS[name][1])
    n, cut = len(cols[0]), 350
    batch = as_tuple(getattr(signal, name)(*cols))
    h = getattr(signal.stream, name)(*[c[:cut] for c in cols])
    assert all(same(a, float(b[cut - 1])) for a, b in zip(as_tuple(h.value), batch, strict=True))
    bar = [float(c[cut]) for c in cols]
    peeked = as_tuple(h.peek(*bar))
    c1 = h.copy()
    c2 = pickle.loads(pickle.dumps(h))
    c3 = copy.deepcopy(h)
    assert repr(c2) == repr(h)
    for t in range(cut, n):
        bar = [float(c[t]) for c in cols]
        outs = [as_tuple(x.update(*bar)) for x in (h, c1, c2, c3)]
        if t == cut:
            assert all(same(a, b) for a, b in zip(peeked, outs[0], strict=True))
        for o in outs:
            for k, g in enumerate(o):
                assert same(g, float(batch[k][t])), (name, t, k)


def test_stream_arguments() -> None:
    with pytest.raises(InvalidInputError):
        signal.stream.RSI(timeperiod=1)
    with pytest.raises(InvalidInputError):
        signal.stream.ATR(BARS["high"], BARS["low"])
    h = signal.stream.ATR(timeperiod=3)
    with pytest.raises((InvalidInputError, TypeError)):
        h.update(1.0, 2.0)  # type: ignore[call-arg]
    assert "ATR(timeperiod=3" in repr(h)
    assert math.isnan(h.value)
    assert isinstance(signal.stream.BBANDS().value, tuple)


def test_broken_state_is_refused() -> None:
    h = signal.stream.SMA(timeperiod=3)
    state = h.__getstate__()
    from quantumpanarchy._signal._indicator_core import _rebuild

    with pytest.raises(InvalidInputError):
        _rebuild(type(h), state["params"], [*state["state"], 1.0, 2.0, 3.0, 4.0, 5.0], math.nan)
