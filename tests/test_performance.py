"""quantumpanarchy.performance.benchmark() times the kernels on every available backend."""

from __future__ import annotations

import pytest
from quantumpanarchy import performance


def test_benchmark_reports_every_backend(capsys: pytest.CaptureFixture[str]) -> None:
    rows = performance.benchmark(repeats=1)
    printed = capsys.readouterr().out
    assert {r["backend"] for r in rows} == set(performance.available_backends())
    assert {r["kernel"] for r in rows} == {"lattice L=64 (sparse)", "SK N=512 (dense)"}
    for r in rows:
        assert r["seconds"] > 0 and r["updates_per_s"] > 0
        assert r["kernel"] in printed
    assert performance.benchmark(repeats=1, verbose=False)
    assert capsys.readouterr().out == ""
