#!/usr/bin/env python
"""quantumpanarchy.cas against its anchor, measured in one process.

* Power-law fit with x_min chosen by minimum KS distance (``PowerLawFit(x)`` against
  ``powerlaw.Fit(x)``) on seeded Pareto samples (alpha 2.5, x_min 1, a uniform body below 2 for a
  third of the values). Each row first checks that both give the same x_min and alpha (1e-9).
  powerlaw's scan is O(n²): it is timed up to ``--max-anchor-n`` values (default 10^4); above that
  its time is extrapolated from the largest measured size as n² (marked "n² est."); ours is
  always measured.
* Sandpile throughput: grains and topplings per second at stationarity (after 3 L² grains) for
  L = 64, 128, 256 (larger piles need hours of burn-in: mean avalanches grow as L²).

Run ``python benches/bench_cas.py [--quick] [--threads N] [--max-anchor-n N]``.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _timing import timed
from quantumpanarchy import performance
from quantumpanarchy.cas import PowerLawFit, Sandpile


def pareto(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = (1.0 - rng.random(n)) ** (-1.0 / 1.5)
    x[: n // 3] = rng.uniform(0.3, 2.0, n // 3)
    return x


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--max-anchor-n", type=int, default=10_000)
    args = ap.parse_args()
    performance.set_num_threads(args.threads)
    import powerlaw  # type: ignore[import-untyped]

    sizes = [1_000, 10_000, 100_000] if args.quick else [1_000, 10_000, 100_000, 1_000_000]
    print("power-law fit, x_min by KS scan (Pareto tail + uniform body)")
    print(f"{'n':>9} {'ours s':>10} {'powerlaw s':>12} {'ratio':>9}")
    anchor_ref: tuple[int, float] | None = None
    for n in sizes:
        x = pareto(n)

        def ours_fit(x: np.ndarray = x) -> PowerLawFit:
            return PowerLawFit(x)

        ours = timed(ours_fit, 1 if n >= 100_000 else 3)
        fit = PowerLawFit(x)
        if n <= args.max_anchor_n:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                t0 = time.perf_counter()
                ref = powerlaw.Fit(x, verbose=0)
                theirs = time.perf_counter() - t0
            assert ref.xmin == fit.xmin and abs(ref.alpha / fit.alpha - 1) < 1e-9, (ref.xmin, fit.xmin)
            anchor_ref = (n, theirs)
            note = ""
        else:
            assert anchor_ref is not None
            theirs = anchor_ref[1] * (n / anchor_ref[0]) ** 2
            note = " (n² est.)"
        print(f"{n:>9} {ours:>10.4f} {theirs:>12.2f} {theirs / ours:>8.0f}×{note}")
    print("\nsandpile at stationarity")
    print(f"{'L':>6} {'grains/s':>12} {'topplings/s':>14}")
    for L in [64, 128] if args.quick else [64, 128, 256]:
        pile = Sandpile(L, seed=1)
        pile.drive(3 * L * L)
        grains = max(20_000, 4 * L * L) if not args.quick else max(10_000, L * L)
        t0 = time.perf_counter()
        rec = pile.drive(grains)
        dt = time.perf_counter() - t0
        print(f"{L:>6} {grains / dt:>12.3g} {rec.sizes.sum() / dt:>14.3g}")


if __name__ == "__main__":
    main()
