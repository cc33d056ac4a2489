"""Precision and recall of `PatternDetector` per pattern type on synthetic series with planted
patterns (tests/chart_synth.py; the docs' table is `python tests/chart_synth.py 40`). The
floors sit a little below what the fixed seeds give."""

from __future__ import annotations

import pytest
from chart_synth import TEMPLATES, evaluate, is_hit, plant
from quantumpanarchy.signal import PatternDetector, PatternType

# Measured on seeds 0..39 (docs/signal-patterns.md): every type's precision and recall.
RECALL_FLOOR = 0.6
PRECISION_FLOOR = 0.45


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[float, float, int, int]]:
    return evaluate(range(40))


def test_every_type_has_a_template() -> None:
    assert set(TEMPLATES) == {t.value for t in PatternType}


@pytest.mark.parametrize("kind", list(TEMPLATES))
def test_precision_and_recall_floors(results: dict[str, tuple[float, float, int, int]], kind: str) -> None:
    precision, recall, found, planted = results[kind]
    assert planted == 40
    assert recall >= RECALL_FLOOR, f"{kind}: recall {recall:.2f}"
    assert precision >= PRECISION_FLOOR, f"{kind}: precision {precision:.2f} over {found} detections"


def test_a_planted_pattern_is_found_where_it_was_planted() -> None:
    pl = plant("head_and_shoulders", 7)
    hits = [p for p in PatternDetector().detect_all(pl.bars) if is_hit(p, pl)]
    assert len(hits) == 1
    assert abs(hits[0].start - pl.start) <= 3 and abs(hits[0].end - pl.end) <= 3
