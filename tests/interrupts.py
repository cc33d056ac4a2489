"""Ctrl-C in tests: a KeyboardInterrupt sent to the main thread after a delay, and the check
that a long call answers it promptly (issue 9's rule: within 1.5 s, the object usable after)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable

import pytest

# How long after the interrupt a call may take to raise it: generous for two slow CI cores.
BOUND_S = 1.5


def interrupt_after(delay: float) -> Callable[[], None]:
    """A real SIGINT (what Ctrl-C sends) to this process after ``delay`` s; returns the cleanup.

    It comes from another process, as a terminal's does: a Python timer thread calling
    ``_thread.interrupt_main`` needs the GIL to fire, so it would wait out any native phase that
    holds the GIL (reading a caller's arrays) and blame its length on the code under test."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    sender = subprocess.Popen(["sh", "-c", f"sleep {delay}; kill -INT {os.getpid()}"])

    def cleanup() -> None:
        sender.kill()
        sender.wait()
        signal.signal(signal.SIGINT, previous)

    return cleanup


def assert_interrupted(call: Callable[[], object], what: str, delay: float = 0.3) -> None:
    """``call`` raises KeyboardInterrupt within :data:`BOUND_S` of a Ctrl-C sent ``delay`` s in."""
    cleanup = interrupt_after(delay)
    start = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            call()
        elapsed = time.perf_counter() - start
    finally:
        cleanup()
    assert elapsed < delay + BOUND_S, f"{what} took {elapsed - delay:.2f} s to notice the interrupt"
