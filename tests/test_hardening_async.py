"""The decision engines' ``*_async`` methods stop their native work once the awaiting task is
cancelled (issue 9): ``asyncio.to_thread`` alone left the worker running, and ``asyncio.run``
waited for it (minutes) after a timeout or Ctrl-C."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import numpy as np
import pytest
from quantumpanarchy.decision import IQAD, NQO, QAOA, QAR, QERC, Annealing

rng = np.random.default_rng(7)
Q = rng.normal(size=(60, 60))
Q = Q + Q.T


def sphere(x: Any) -> float:
    return float(np.sum(np.asarray(x) ** 2))


# Each is minutes of native work unless stopped.
LONG: dict[str, Callable[[], Coroutine[Any, Any, object]]] = {
    "Annealing.sample_qubo_async": lambda: Annealing().sample_qubo_async(Q, num_reads=10**5, num_sweeps=10**4),
    "IQAD.fit_async": lambda: IQAD(cd_steps=2**31, seed=0).fit_async(rng.random((50, 3))),
    "QAR.decide_async": lambda: QAR(num_pbits=16, exact=False, burn_in=10**12, seed=0).decide_async(np.full(16, 0.7)),
    "QAOA.optimize_async": lambda: QAOA(6, 1, restarts=10**7, maxiter=50, seed=1).optimize_async(
        np.linspace(0.01, 0.06, 6), np.eye(6) * 0.01
    ),
    "NQO.minimize_async": lambda: NQO(maxfun=60, num_chains=4096, num_sweeps=4000, seed=0).minimize_async(
        sphere, [(-1, 1)] * 4
    ),
    "QERC.fit_async": lambda: QERC(n_reservoir=7000, connectivity=0.002, seed=0).fit_async(
        rng.random((2, 3)), rng.random(2)
    ),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("which", sorted(LONG))
def test_a_cancelled_async_call_stops_its_native_worker(which: str) -> None:
    start = time.perf_counter()
    with pytest.raises(TimeoutError):
        # asyncio.run returns only once its executor's worker thread has stopped
        asyncio.run(asyncio.wait_for(LONG[which](), 0.5))
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5 + 1.5, f"{which} ran on for {elapsed - 0.5:.2f} s after its task was cancelled"
