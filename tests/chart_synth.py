"""Synthetic bars with planted chart patterns, and the precision/recall of `PatternDetector` on
them (the table in docs/signal-patterns.md is printed by `python tests/chart_synth.py`).

Each pattern type has a template: points (t, y) with t in pattern time (the defining pivots span
t = 0 to 1) and y in pattern heights (0 = its lowest defining pivot, 1 = its highest), plus
lead-in points before and lead-out points after. An instance draws a base price, a duration
(bars for t = 0..1) and a height so that the template's smallest swing is 1.5–2.3 times the
detector's zig-zag threshold; the path runs straight between the points (round templates carry
many points along a parabola), with independent 0.2 % noise on every close; a random walk
(0.4 % a bar) of 60–120 bars leads into the first point and one of 40–80 bars follows the last.
The ground truth is the bar interval from the first to the last defining pivot. A detection is a
hit when its type matches and its [start, end] and the planted interval each cover at least half
of the other.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from typing import Any

import numpy as np

# (points, first defining point, last defining point): y in heights, t in pattern time.
Template = tuple[list[tuple[float, float]], int, int]


def _mirror(t: Template) -> Template:
    pts, a, b = t
    return [(x, 1.0 - y) for x, y in pts], a, b


def _arc(t0: float, t1: float, k: int = 13) -> list[tuple[float, float]]:
    """Points of a U from rim (t0, 1) through (mid, 0) to rim (t1, 1), rims excluded."""
    mid = (t0 + t1) / 2
    xs = np.linspace(t0, t1, k + 2)[1:-1]
    return [(float(x), float(((x - mid) / (mid - t0)) ** 2)) for x in xs]


def _cup() -> Template:
    pts = [(-0.25, 0.45), (0.0, 1.0), *_arc(0.0, 0.8), (0.8, 1.0), (0.9, 0.75), (1.1, 1.35)]
    # defining: left rim, bottom, right rim, handle low -> but the bottom is an arc point.
    return pts, 1, len(pts) - 2


def _rounding() -> Template:
    pts = [(-0.2, 0.55), (0.0, 1.0), *_arc(0.0, 1.0, 17), (1.0, 1.0), (1.5, 0.3), (1.9, 1.2)]
    return pts, 1, len(pts) - 3


_HS: Template = ([(-0.2, -0.3), (0, 0.6), (0.2, 0.2), (0.5, 1.0), (0.75, 0.2), (1.0, 0.6), (1.25, -0.5)], 1, 5)
_DOUBLE: Template = ([(-0.35, 0.0), (0, 1.0), (0.5, 0.45), (1.0, 1.0), (1.35, 0.0)], 1, 3)
_TRIPLE: Template = ([(-0.2, 0.0), (0, 1), (0.25, 0.5), (0.5, 1), (0.75, 0.5), (1.0, 1), (1.2, 0.0)], 1, 5)
_ASC: Template = ([(-0.2, 0.6), (0, 0), (0.2, 1.0), (0.45, 0.4), (0.7, 1.0), (1.0, 0.7), (1.2, 1.5)], 1, 5)
_SYM: Template = ([(-0.2, 0.6), (0, 0), (0.2, 1), (0.45, 0.2), (0.7, 0.8), (1.0, 0.4), (1.2, 1.2)], 1, 5)
_RWEDGE: Template = ([(-0.2, 0.1), (0, 0.55), (0.2, 0), (0.5, 0.8), (0.7, 0.45), (1.0, 1.0), (1.2, 0.1)], 1, 5)
_FLAG: Template = ([(-0.15, 0.15), (0, 0), (0.3, 1.0), (0.5, 0.7), (0.75, 0.88), (1.0, 0.58), (1.2, 1.25)], 1, 5)
_PENNANT: Template = ([(-0.15, 0.15), (0, 0), (0.3, 1.0), (0.5, 0.6), (0.75, 0.9), (1.0, 0.7), (1.2, 1.3)], 1, 5)
_RECT: Template = (
    [(-0.2, -0.5), (0, 1), (0.2, 0), (0.4, 1), (0.6, 0), (0.8, 1), (1.0, 0), (1.1, 0.6), (1.3, -0.6)],
    1,
    6,
)
_BROAD: Template = ([(-0.2, 0.1), (0, 0.6), (0.25, 0.35), (0.5, 0.8), (0.75, 0.15), (1.0, 1.0), (1.3, -0.3)], 1, 5)
_DIAMOND: Template = (
    [(-0.2, 0.1), (0, 0.65), (0.15, 0.35), (0.35, 1.0), (0.55, 0.0), (0.75, 0.7), (1.0, 0.3), (1.1, 0.55), (1.3, -0.4)],
    1,
    6,
)

TEMPLATES: dict[str, Template] = {
    "head_and_shoulders": _HS,
    "inverse_head_and_shoulders": _mirror(_HS),
    "double_top": _DOUBLE,
    "double_bottom": _mirror(_DOUBLE),
    "triple_top": _TRIPLE,
    "triple_bottom": _mirror(_TRIPLE),
    "ascending_triangle": _ASC,
    "descending_triangle": _mirror(_ASC),
    "symmetrical_triangle": _SYM,
    "rising_wedge": _RWEDGE,
    "falling_wedge": _mirror(_RWEDGE),
    "bull_flag": _FLAG,
    "bear_flag": _mirror(_FLAG),
    "bull_pennant": _PENNANT,
    "bear_pennant": _mirror(_PENNANT),
    "rectangle_top": _RECT,
    "rectangle_bottom": _mirror(_RECT),
    "cup_and_handle": _cup(),
    "inverse_cup_and_handle": _mirror(_cup()),
    "rounding_bottom": _rounding(),
    "rounding_top": _mirror(_rounding()),
    "broadening_top": _BROAD,
    "broadening_bottom": _mirror(_BROAD),
    "diamond_top": _DIAMOND,
    "diamond_bottom": _mirror(_DIAMOND),
}


@dataclasses.dataclass(frozen=True)
class Planted:
    pattern_type: str
    start: int
    end: int
    bars: np.ndarray  # (n, 4): open, high, low, close


def _height(ys: np.ndarray, base: float, swing: float) -> float:
    """The height (in price) whose smallest leg between turning points is `swing` relative."""
    turns = [0] + [i for i in range(1, len(ys) - 1) if (ys[i] - ys[i - 1]) * (ys[i + 1] - ys[i]) < 0] + [len(ys) - 1]
    h = base
    for _ in range(60):
        p = base + ys * h
        rel = min(abs(p[b] - p[a]) / max(p[a], p[b]) for a, b in itertools.pairwise(turns))
        h *= swing / rel
    return h


def plant(pattern_type: str, seed: int, threshold: float = 0.03) -> Planted:
    """One series with one planted `pattern_type`."""
    rng = np.random.default_rng(seed)
    pts, a, b = TEMPLATES[pattern_type]
    ts = np.array([p[0] for p in pts])
    ys = np.array([p[1] for p in pts])
    ys = ys - ys[a : b + 1].min()
    base = float(rng.uniform(50, 200))
    duration = int(rng.integers(40, 101))
    height = _height(ys, base, float(rng.uniform(1.5, 2.3)) * threshold)
    bars_t = np.round((ts - ts[0]) * duration).astype(int)
    path = np.interp(np.arange(bars_t[-1] + 1), bars_t, base + ys * height)
    pre_n, post_n = int(rng.integers(60, 121)), int(rng.integers(40, 81))
    pre = path[0] * np.exp(np.cumsum(rng.normal(0, 0.004, pre_n))[::-1])
    post = path[-1] * np.exp(np.cumsum(rng.normal(0, 0.004, post_n)))
    close = np.concatenate([pre, path, post]) * (1 + rng.normal(0, 0.002, pre_n + len(path) + post_n))
    opn = np.concatenate([[close[0]], close[:-1]])
    high = np.maximum(opn, close) * (1 + np.abs(rng.normal(0, 0.002, len(close))))
    low = np.minimum(opn, close) * (1 - np.abs(rng.normal(0, 0.002, len(close))))
    start, end = pre_n + int(bars_t[a]), pre_n + int(bars_t[b])
    return Planted(pattern_type, start, end, np.column_stack([opn, high, low, close]))


def is_hit(p: Any, planted: Planted) -> bool:
    if str(p.pattern_type) != planted.pattern_type:
        return False
    inter = min(p.end, planted.end) - max(p.start, planted.start)
    return bool(inter >= 0.5 * (planted.end - planted.start) and inter >= 0.5 * max(p.end - p.start, 1))


def evaluate(seeds: range, detector: Any = None) -> dict[str, tuple[float, float, int, int]]:
    """Per type: (precision, recall, detections, planted) over one planted instance per seed."""
    from quantumpanarchy.signal import PatternDetector

    det = detector or PatternDetector()
    found = {t: 0 for t in TEMPLATES}
    true_det = {t: 0 for t in TEMPLATES}
    recalled = {t: 0 for t in TEMPLATES}
    for k, t in enumerate(TEMPLATES):
        for s in seeds:
            pl = plant(t, 1000 * k + s, det.threshold)
            hits = False
            for p in det.detect_all(pl.bars):
                name = str(p.pattern_type)
                found[name] += 1
                if is_hit(p, pl):
                    true_det[name] += 1
                    hits = True
            recalled[t] += hits
    n = len(seeds)
    return {t: (true_det[t] / found[t] if found[t] else 1.0, recalled[t] / n, found[t], n) for t in TEMPLATES}


def table(res: dict[str, tuple[float, float, int, int]]) -> str:
    lines = ["| pattern type | precision | recall | detections | planted |", "|---|---:|---:|---:|---:|"]
    for t, (p, r, d, n) in res.items():
        lines.append(f"| {t} | {p:.2f} | {r:.2f} | {d} | {n} |")
    return "\n".join(lines)


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    print(table(evaluate(range(n))))
