"""Suite-wide fixtures."""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import Iterator

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
