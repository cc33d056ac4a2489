"""Timing shared by the benchmark scripts (run as ``python benches/NAME.py``, which puts this
folder on ``sys.path``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timings(fn: Callable[[], object], repeats: int) -> list[float]:
    """Seconds of each of ``repeats`` calls, after one untimed warm-up."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median seconds of ``repeats`` calls after one untimed warm-up."""
    return statistics.median(timings(fn, repeats))


def timed_range(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and minimum seconds (the minimum is the steadier figure on a shared machine)."""
    times = timings(fn, repeats)
    return statistics.median(times), min(times)


def paired(fn_a: Callable[[], object], fn_b: Callable[[], object], repeats: int) -> tuple[float, float]:
    """The minimum seconds of each of two functions over ``repeats`` calls taken in turns (one
    untimed warm-up each): a machine that slows down for a while slows both alike."""
    fn_a()
    fn_b()
    best_a = best_b = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn_a()
        t1 = time.perf_counter()
        fn_b()
        t2 = time.perf_counter()
        best_a, best_b = min(best_a, t1 - t0), min(best_b, t2 - t1)
    return best_a, best_b
