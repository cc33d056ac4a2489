"""Rust log records reach Python's logging under the logger "quantumpanarchy"."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from quantumpanarchy.core import BoltzmannSampler, PBitNetwork


def _ring(n: int) -> PBitNetwork:
    idx = np.arange(n)
    return PBitNetwork.from_sparse(idx, (idx + 1) % n, np.ones(n), seed=0)


def test_native_records_reach_python_logging(caplog: pytest.LogCaptureFixture) -> None:
    net = _ring(64)
    with caplog.at_level(logging.DEBUG, logger="quantumpanarchy"):
        net.anneal(num_reads=10, num_sweeps=20, seed=1)
        BoltzmannSampler(net, 0.5, seed=1).sample(10, burn_in=5)
    anneal = [r for r in caplog.records if r.name.startswith("quantumpanarchy") and "anneal:" in r.getMessage()]
    assert anneal, [r.getMessage() for r in caplog.records]
    assert "64 p-bits, 10 reads x 20 sweeps" in anneal[0].getMessage()
    assert "1 lane groups (f32), 2 chains" in anneal[0].getMessage()
    assert any("sampling: 64 p-bits" in r.getMessage() for r in caplog.records)


def test_levels_set_later_in_python_are_respected(caplog: pytest.LogCaptureFixture) -> None:
    net = _ring(16)
    with caplog.at_level(logging.WARNING, logger="quantumpanarchy"):
        net.anneal(num_reads=2, num_sweeps=5, seed=1)
    assert not [r for r in caplog.records if "anneal:" in r.getMessage()]
    with caplog.at_level(logging.DEBUG, logger="quantumpanarchy"):
        net.anneal(num_reads=2, num_sweeps=5, seed=1)
    assert [r for r in caplog.records if "anneal:" in r.getMessage()]
