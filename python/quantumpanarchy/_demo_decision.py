"""The demonstration's decision section (``quantumpanarchy`` command): the decision engines on the
demo's market."""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt

from .decision import QAOA

FloatArray = npt.NDArray[np.float64]

#: QAOA simulates 2^n amplitudes: the demo keeps it to a size that runs in about a second.
QAOA_ASSETS = 12


def qaoa_section(names: list[str], mu: FloatArray, cov: FloatArray, budget: int, seed: int) -> None:
    """QAOA on the portfolio problem (the assets with the best return/risk when there are many)."""
    keep = np.sort(np.argsort(-mu / np.sqrt(np.diag(cov)))[:QAOA_ASSETS])
    n = len(keep)
    budget = min(budget, n)
    qaoa = QAOA(n, num_layers=3, budget=budget, seed=seed)
    start = time.perf_counter()
    r = qaoa.optimize(mu[keep], cov[np.ix_(keep, keep)], risk_tolerance=0.5)
    elapsed = time.perf_counter() - start
    subset = "" if n == len(names) else f" (the {n} with the best return/risk)"
    print(f"QAOA p=3 statevector on {n} assets{subset}: {r.nfev} circuit evaluations in {elapsed * 1e3:.0f} ms")
    print(f"selected      : {', '.join(names[keep[int(str(i))]] for i in r.selected)}")
    print(f"expected ret. : {r.expected_return:+.2%} per year   risk: {r.risk:.2%}   Sharpe: {r.sharpe_ratio:.2f}")
    ratio = f"{r.approximation_ratio:.3f}" if r.approximation_ratio is not None else "n/a"
    verdict = "optimal" if np.isclose(r.energy, r.optimal_energy) else "suboptimal"
    print(
        f"energy        : {r.energy:.6f} vs exact {r.optimal_energy:.6f} -> {verdict}; "
        f"<E> by depth {', '.join(f'{e:.4f}' for e in r.expectation_by_depth)}; approximation ratio {ratio}"
    )
    print(
        f"measurement   : optimum with p = {r.optimum_probability:.3f} "
        f"({r.optimum_probability * 2**n:.0f}x uniform), {budget} assets with p = {r.feasible_probability:.3f}"
    )
