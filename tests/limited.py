"""Oversized requests in tests: one call run in a fresh interpreter under an address-space limit
(``RLIMIT_AS``), where an allocation the library did not check aborts the child (which the parent
sees) instead of the test run."""

from __future__ import annotations

import subprocess
import sys
import textwrap

CHILD = textwrap.dedent(
    """
    import _thread, resource, sys, threading
    limit = {gib} << 30
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    import numpy as np
    from quantumpanarchy.core import *
    from quantumpanarchy.decision import *
    from quantumpanarchy.exceptions import QuantumPanarchyError
    rng = np.random.default_rng(0)
    if {interrupt_after} is not None:  # for calls that run, bounded, until told
        threading.Timer({interrupt_after}, _thread.interrupt_main).start()
    try:
        {call}
    except (QuantumPanarchyError, KeyboardInterrupt) as exc:
        print("RAISED", type(exc).__name__, exc)
        sys.exit(0)
    print("RETURNED")
    sys.exit(3)
    """
)


def raised_under_limit(call: str, gib: int = 3, interrupt_after: float | None = None) -> tuple[str, str]:
    """The name of the exception of our hierarchy (or ``KeyboardInterrupt``) that the statement
    ``call`` raises under a ``gib`` GiB limit, and a detail for assertion messages; an abort, a
    stray exception or a return fails here."""
    code = CHILD.format(call=call, gib=gib, interrupt_after=interrupt_after)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    detail = f"rc={proc.returncode}\nstdout: {proc.stdout[-500:]}\nstderr: {proc.stderr[-1500:]}"
    assert proc.returncode == 0, detail
    assert proc.stdout.startswith("RAISED "), detail
    return proc.stdout.split()[1], detail
