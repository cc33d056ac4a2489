#!/usr/bin/env python
"""When scale-out pays: ``distributed.anneal_many`` of 64 annealing problems on one machine
(``client=None``: one process, the native pool on every core) against a ``LocalCluster`` of 1 and
of 2 worker processes (one Dask thread each; each worker's native pool sized to its share of the
cores), for a few problem sizes, measured in one run; then one Monte Carlo VaR whose scenarios
are cut into ranges (``monte_carlo_var_many(..., scenarios_per_chunk=...)``) against
``risk.monte_carlo_var`` in one call.

The cluster is started before timing and warmed up with one call (worker imports, first
transfers); each row keeps the best of ``--rounds`` runs, the rows taking turns. Before timing,
the script checks that every way gives the same SampleSets, bit for bit.

Run ``python benches/bench_distributed.py [--quick] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from distributed import Client as _Client
from distributed import LocalCluster as _LocalCluster
from quantumpanarchy import risk
from quantumpanarchy.core import PBitNetwork
from quantumpanarchy.distributed import anneal_many, monte_carlo_var_many

NUM_PROBLEMS = 64
# distributed has no type hints: called through Any
Client: Any = _Client
LocalCluster: Any = _LocalCluster


def problem(n: int, seed: int) -> PBitNetwork:
    rng = np.random.default_rng(seed)
    J = rng.normal(size=(n, n))
    J = (J + J.T) / 2
    np.fill_diagonal(J, 0.0)
    return PBitNetwork.from_dense(J)


def best_of(rounds: int, fns: dict[str, Callable[[], Any]]) -> dict[str, float]:
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(rounds):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            best[name] = min(best[name], time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="the two smaller sizes, one round")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    # (spins, reads, sweeps) of each of the 64 problems
    sizes = [(32, 8, 100), (64, 16, 1000), (128, 32, 4000)]
    rounds = args.rounds
    if args.quick:
        sizes, rounds = sizes[:2], 1
    logging.getLogger("distributed").setLevel(logging.ERROR)
    cores = len(os.sched_getaffinity(0))
    print(f"{NUM_PROBLEMS} dense problems per call; {cores} cores; best of {rounds}")
    clusters = {w: start_cluster(w) for w in (1, 2)}
    clients = {w: Client(c) for w, c in clusters.items()}
    try:
        header = f"{'spins':>5} {'reads':>5} {'sweeps':>6} | {'one machine':>11} {'1 worker':>9} {'2 workers':>9}"
        print(header + " | 2 workers vs one machine")
        for n, reads, sweeps in sizes:
            probs = [problem(n, k) for k in range(NUM_PROBLEMS)]
            kw: dict[str, Any] = {"num_reads": reads, "num_sweeps": sweeps}
            ref = anneal_many(probs, seed=1, **kw)
            for c in clients.values():
                assert anneal_many(probs, client=c, seed=1, **kw) == ref  # and a warm-up
            runs: dict[str, Callable[[], Any]] = {"local": functools.partial(anneal_many, probs, None, 1, **kw)}
            runs.update({f"w{w}": functools.partial(anneal_many, probs, c, 1, **kw) for w, c in clients.items()})
            t = best_of(rounds, runs)
            print(
                f"{n:>5} {reads:>5} {sweeps:>6} | {t['local']:>10.3f}s {t['w1']:>8.3f}s {t['w2']:>8.3f}s"
                f" | {t['local'] / t['w2']:.2f}x"
            )
        var_table(clients, rounds, quick=args.quick)
    finally:
        for c in clients.values():
            c.close()
        for cl in clusters.values():
            cl.close()


def var_table(clients: dict[int, Any], rounds: int, *, quick: bool) -> None:
    """One VaR of 20 assets: one call here against its scenarios in ranges on the clusters."""
    rng = np.random.default_rng(7)
    a = rng.normal(size=(20, 20)) * 0.01
    mean, cov, w = rng.normal(0.0005, 0.0002, 20), a @ a.T, np.full((1, 20), 0.05)
    chunk = 2**21
    print(f"\nOne Monte Carlo VaR, 20 assets, ranges of {chunk} scenarios; best of {rounds}")
    print(f"{'scenarios':>10} | {'one call':>9} {'1 worker':>9} {'2 workers':>9} | 2 workers vs one call")
    for total in [2**23] if quick else [2**23, 2**25]:
        kw: dict[str, Any] = {"num_scenarios": total, "alpha": 0.01}
        ref = risk.monte_carlo_var(mean, cov, w[0], seed=3, backend="cpu", **kw)
        for c in clients.values():
            assert monte_carlo_var_many(mean, cov, w, client=c, seed=3, scenarios_per_chunk=chunk, **kw) == [ref]
        runs: dict[str, Callable[[], Any]] = {
            "local": functools.partial(risk.monte_carlo_var, mean, cov, w[0], seed=3, backend="cpu", **kw)
        }
        for n, c in clients.items():
            runs[f"w{n}"] = functools.partial(monte_carlo_var_many, mean, cov, w, c, 3, scenarios_per_chunk=chunk, **kw)
        t = best_of(rounds, runs)
        print(f"{total:>10} | {t['local']:>8.3f}s {t['w1']:>8.3f}s {t['w2']:>8.3f}s | {t['local'] / t['w2']:.2f}x")


def start_cluster(workers: int) -> Any:
    """A LocalCluster of ``workers`` processes with one Dask thread each."""
    return LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0", silence_logs=logging.ERROR)


if __name__ == "__main__":
    main()
