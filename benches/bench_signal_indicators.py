#!/usr/bin/env python
"""signal indicators against TA-Lib (the installed ``talib``, C core 0.8.1), in one process.

* Every indicator with its default parameters on ``make_ohlc(1_000_000, seed=12345)``
  (anchor-baselines §3, with a volume column): ``quantumpanarchy.signal.X`` against ``talib.X``
  on the same arrays; each row first checks that both give the same numbers (1e-9 of the
  output's scale, the same NaN look-back). Ratio = TA-Lib's time / ours (above 1: we are
  faster), each the minimum of 15 calls taken in turns with the other's.
* Batched: 500 series × 20,000 bars as one 2-D call (parallel over series) against a loop of
  TA-Lib calls over the columns that keeps the 500 results, as a user's loop does (the ratio).
  The same loop discarding each result as soon as it is made is shown too: its outputs reuse
  one cached buffer, so it never writes the 80 MB per output a batch returns.

Run ``python benches/bench_signal_indicators.py [--quick] [--threads N]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from _timing import paired, timed_range
from quantumpanarchy import performance, signal
from quantumpanarchy._native import signal as native

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from _indicator_data import make_ohlc


def as_tuple(x: Any) -> tuple[Any, ...]:
    return x if isinstance(x, tuple) else (x,)


def check(ours: Any, ref: Any, name: str) -> float:
    """The largest difference from TA-Lib, relative to the output's scale."""
    worst = 0.0
    for a, b in zip(as_tuple(ours), as_tuple(ref), strict=True):
        if not np.array_equal(np.isnan(a), np.isnan(b)):
            raise SystemExit(f"{name}: the look-back differs from TA-Lib's")
        m = ~np.isnan(b)
        if m.any():
            scale = float(np.max(np.abs(b[m]))) or 1.0
            worst = max(worst, float(np.max(np.abs(a[m] - b[m]))) / scale)
    return worst


def main() -> None:
    import talib

    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    performance.set_num_threads(args.threads)
    n = 100_000 if args.quick else 1_000_000
    repeats, batch_repeats = (3, 3) if args.quick else (15, 7)
    bars = make_ohlc(n, seed=12345)
    bars |= {"real0": bars["close"], "real1": bars["open"]}
    print(f"1-D, {n:,} bars, default parameters; ratio = TA-Lib time / ours (threads: {performance.get_num_threads()})")
    print(f"{'indicator':<22}{'ours ms':>10}{'TA-Lib ms':>11}{'ratio':>8}{'max diff/scale':>16}")
    ratios = []
    for name, inputs, _params, _outputs in native.indicator_specs():
        cols = [bars[i] for i in inputs]
        ours = getattr(signal, name)
        ref = getattr(talib, name)
        diff = check(ours(*cols), ref(*cols), name)
        t_ours, t_ref = paired(partial(ours, *cols), partial(ref, *cols), repeats)
        ratios.append(t_ref / t_ours)
        print(f"{name:<22}{t_ours * 1e3:>10.2f}{t_ref * 1e3:>11.2f}{t_ref / t_ours:>8.2f}{diff:>16.1e}")
    print(f"geometric mean ratio: {float(np.exp(np.mean(np.log(ratios)))):.2f}; below 1: {sum(r < 1 for r in ratios)}")

    series, length = (100, 5_000) if args.quick else (500, 20_000)
    print(f"\n2-D, {series} series × {length:,} bars: one call vs a loop of TA-Lib calls keeping its results")
    print(f"{'indicator':<22}{'ours ms':>10}{'TA-Lib ms':>11}{'ratio':>8}{'discarding ms':>15}{'ratio':>8}")
    rng = np.random.default_rng(1)
    for name in ("SMA", "EMA", "RSI", "ATR", "MACD", "BBANDS", "STOCH", "ADX", "CCI", "LINEARREG"):
        inputs = dict((s[0], s[1]) for s in native.indicator_specs())[name]
        base = make_ohlc(length, seed=int(rng.integers(1 << 30)))
        mats = [np.asfortranarray(np.column_stack([base[i] * (1 + 0.001 * j) for j in range(series)])) for i in inputs]
        ours = getattr(signal, name)
        ref = getattr(talib, name)

        def kept(ref: Any = ref, mats: list[Any] = mats) -> list[Any]:
            return [ref(*[m[:, j] for m in mats]) for j in range(series)]

        def discarded(ref: Any = ref, mats: list[Any] = mats) -> None:
            for j in range(series):
                ref(*[m[:, j] for m in mats])

        t_ours = timed_range(partial(ours, *mats), batch_repeats)[1]
        t_ref = timed_range(kept, batch_repeats)[1]
        t_gone = timed_range(discarded, batch_repeats)[1]
        print(
            f"{name:<22}{t_ours * 1e3:>10.1f}{t_ref * 1e3:>11.1f}{t_ref / t_ours:>8.2f}"
            f"{t_gone * 1e3:>15.1f}{t_gone / t_ours:>8.2f}"
        )


if __name__ == "__main__":
    main()
