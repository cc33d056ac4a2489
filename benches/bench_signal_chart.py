#!/usr/bin/env python
"""Chart-pattern detection throughput: bars per second of ``PatternDetector().detect_all`` on
10**6 seeded random-walk bars (and of ``zigzag`` alone, and of ``FibonacciAnalyzer.analyze``).

No library detects the same chart patterns (TA-Lib declined them; the Python scanners that exist
find a few types with other rules), so there is no anchor to compare with: the table reports
throughput only, with the native part (array in, columns out) next to the full call that also
validates the bars and builds the ``Pattern`` records.

Run ``python benches/bench_signal_chart.py [--quick] [--threads N]``.
"""

from __future__ import annotations

import argparse

import numpy as np
from _timing import timed_range
from quantumpanarchy import performance
from quantumpanarchy._signal.chart import _native_signal
from quantumpanarchy.signal import FibonacciAnalyzer, PatternDetector, zigzag


def bars(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    o = np.r_[c[0], c[:-1]]
    h = np.maximum(o, c) * (1 + np.abs(rng.normal(0, 0.003, n)))
    lo = np.minimum(o, c) * (1 - np.abs(rng.normal(0, 0.003, n)))
    return np.column_stack([o, h, lo, c])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=None)
    a = ap.parse_args()
    if a.threads:
        performance.set_num_threads(a.threads)
    n = 10**5 if a.quick else 10**6
    repeats = 3 if a.quick else 5
    x = bars(n)
    h, lo, c = (np.ascontiguousarray(x[:, k]) for k in (1, 2, 3))
    det = PatternDetector()
    found = det.detect_all(x)
    rows = [
        ("detect_all (full call)", lambda: det.detect_all(x)),
        ("native detection only", lambda: _native_signal.chart_detect(h, lo, c, 0.05, 0.02, 5, 0.7, (1 << 25) - 1)),
        ("zigzag (full call)", lambda: zigzag(x)),
        ("FibonacciAnalyzer.analyze (closes)", lambda: FibonacciAnalyzer().analyze(c)),
    ]
    print(
        f"{n:,} bars, {len(found)} patterns of {len({p.pattern_type for p in found})} types, "
        f"{performance.get_num_threads()} threads (a shared 2-core machine: figures are indicative)"
    )
    print(f"| {'call':<36} | {'best s':>8} | {'median s':>8} | {'Mbars/s':>8} |")
    print(f"|{'-' * 38}|{'-' * 10}|{'-' * 10}|{'-' * 10}|")
    for name, fn in rows:
        med, best = timed_range(fn, repeats)
        print(f"| {name:<36} | {best:8.4f} | {med:8.4f} | {n / best / 1e6:8.2f} |")


if __name__ == "__main__":
    main()
