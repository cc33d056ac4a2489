#!/usr/bin/env python
"""TA-Lib's 61 candlestick functions: quantumpanarchy.signal against talib, measured in one
process on the anchor's bars (``make_ohlc(1_000_000, seed=12345)``, research/anchor-baselines.md
section 3).

* Each of the 61 functions, ours against TA-Lib's (median of the repeats; ratio = TA-Lib's time
  over ours, > 1 means faster). Each row first checks that the two outputs are identical.
* All 61 at once: ``signal.candlesticks`` (one call, patterns in parallel) against the 61 TA-Lib
  calls back to back, and against our own 61 single calls.

Run ``python benches/bench_signal_candles.py [--quick] [--bars N] [--threads N]``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import sys
from functools import partial
from pathlib import Path

import numpy as np
import talib
from _timing import timed_range
from quantumpanarchy import performance, signal

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from candle_data import make_ohlc


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        performance.set_num_threads(args.threads)
    repeats = 3 if args.quick else 9
    o, h, lo, c = make_ohlc(args.bars, seed=12345)
    names = talib.get_function_groups()["Pattern Recognition"]  # type: ignore[no-untyped-call]
    print(f"{args.bars} bars, {repeats} repeats, {os.cpu_count()} CPUs (shared machine: ratios, not absolute times)")
    print(f"{'function':<22}{'TA-Lib ms':>11}{'ours ms':>10}{'ratio':>8}")
    ours_total = 0.0
    theirs_total = 0.0
    ratios = []
    for name in names:
        ta_fn = getattr(talib, name)
        qp_fn = getattr(signal, name)
        assert np.array_equal(ta_fn(o, h, lo, c), qp_fn(o, h, lo, c)), name
        t_ta, _ = timed_range(partial(ta_fn, o, h, lo, c), repeats)
        t_qp, _ = timed_range(partial(qp_fn, o, h, lo, c), repeats)
        ours_total += t_qp
        theirs_total += t_ta
        ratios.append(t_ta / t_qp)
        print(f"{name:<22}{t_ta * 1e3:>11.2f}{t_qp * 1e3:>10.2f}{t_ta / t_qp:>8.2f}")
    print(f"per-function ratio: min {min(ratios):.2f}, median {float(np.median(ratios)):.2f}, max {max(ratios):.2f}")

    def all_talib() -> None:
        for name in names:
            getattr(talib, name)(o, h, lo, c)

    def all_ours() -> None:
        for name in names:
            getattr(signal, name)(o, h, lo, c)

    table = signal.candlesticks(o, h, lo, c)
    for k, name in enumerate(names):
        assert np.array_equal(table[:, k], getattr(talib, name)(o, h, lo, c)), name
    t_all_ta, _ = timed_range(all_talib, max(1, repeats // 3))
    t_all_qp, _ = timed_range(all_ours, max(1, repeats // 3))
    t_table, _ = timed_range(lambda: signal.candlesticks(o, h, lo, c), repeats)
    print(
        f"61 TA-Lib calls: {t_all_ta * 1e3:.1f} ms; our 61 calls: {t_all_qp * 1e3:.1f} ms ({t_all_ta / t_all_qp:.2f}x)"
    )
    threads = performance.get_num_threads()
    print(f"candlesticks (one call, {threads} threads): {t_table * 1e3:.1f} ms", end=" ")
    print(f"-> {t_all_ta / t_table:.2f}x the 61 TA-Lib calls")


if __name__ == "__main__":
    main()
