"""Suite-wide fixtures."""

from __future__ import annotations

import faulthandler
import sys
from collections.abc import Iterator

import pytest

# pytest-timeout (600 s) reports an ordinary hang; this is the backstop for a hang that holds
# the GIL (a deadlock in native code), where no Python-level timer can run: faulthandler's
# watchdog is a C thread, so it still prints every thread's stack and ends the run.
WATCHDOG_S = 900


@pytest.fixture(autouse=True)
def _watchdog() -> Iterator[None]:
    faulthandler.dump_traceback_later(WATCHDOG_S, exit=True, file=sys.stderr)
    yield
    faulthandler.cancel_dump_traceback_later()
