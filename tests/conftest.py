"""Suite-wide fixtures."""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from quantumpanarchy import performance

# pytest-timeout (600 s) reports an ordinary hang; this is the backstop for a hang that holds
# the GIL (a deadlock in native code), where no Python-level timer can run: faulthandler's
# watchdog is a C thread, so it still prints every thread's stack and ends the run.
WATCHDOG_S = 900


@pytest.fixture(autouse=True)
def _watchdog() -> Iterator[None]:
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True, file=sys.stderr)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture
def restore_threads() -> Iterator[None]:
    """Tests that change the global thread count leave it as they found it."""
    before = performance.get_num_threads()
    try:
        yield
    finally:
        performance.set_num_threads(before)
    assert performance.get_num_threads() == before


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A dask.distributed LocalCluster of 2 worker processes (one thread each), per test module."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0", silence_logs=50
    )
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()
