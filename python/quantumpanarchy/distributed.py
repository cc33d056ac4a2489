"""Scale-out on a Dask cluster the user already has: many annealing problems, many
parallel-tempering runs, QAOA expectations over a grid of angles, many Monte Carlo VaR portfolios
and one indicator over many symbols, with results bit-identical to one machine (for the same seed
where there is randomness).

Dask is optional (``pip install quantumpanarchy[dask]``): with ``client=None`` every helper runs
in this process and needs no Dask; with a ``dask.distributed.Client`` the work is spread over its
workers. We never start a scheduler of our own: pass the client of a cluster you run (or of a
``LocalCluster`` you start).

How a seed is used
------------------
* :func:`anneal_many`: problem ``k`` is annealed with ``problem_seeds(seed, len(problems))[k]``
  (a child of ``numpy.random.SeedSequence(seed)``), here or on whichever worker runs it, so the
  result does not depend on the number of workers, on where a problem ran, or on a worker dying
  and its task running again. ``reads_per_chunk=k`` also cuts each problem's reads into chunks of
  ``k`` (a multiple of 8) run with ``anneal(first_read=...)``: read ``r`` of a call draws from
  random stream ``r`` of its seed, so the concatenated chunks are the one call's SampleSet, bit
  for bit, whatever ``k``. Networks used by several tasks travel once per worker
  (``client.scatter(..., broadcast=True)``).
* :func:`monte_carlo_var_many`: every portfolio is priced on the same scenarios (common random
  numbers: the same ``seed`` for each), so portfolio ``k``'s result is
  ``risk.monte_carlo_var(mean, cov, weights[k], seed=seed, ...)`` bit for bit.
  ``scenarios_per_chunk=k`` also cuts each portfolio's scenarios into ranges of ``k`` (a multiple
  of 32,768): scenario ``i`` draws from Philox counter ``i`` wherever it runs, each range sends
  back its upper tail, and the tail's order statistics and block sums merge exactly, so the
  result is still the one call's, bit for bit.
* :func:`tempering_many`: problem ``k`` runs ``ParallelTempering(problems[k], betas,
  seed=problem_seeds(seed, len(problems))[k])``, seeded as in :func:`anneal_many`.
* :func:`qaoa_grid` has no randomness: every angle set is evaluated on its own, so the values are
  one ``QAOA.expectation`` batch's whatever the chunking.

Threads
-------
The native thread pool is one per process and shared by every task that runs in it, so a
thread-based worker (``processes=False`` or ``threads_per_worker > 1``) never runs more native
threads than the pool holds. Several worker *processes* on one host would each start a pool of
all the cores; unless the pool was sized in that process already (``performance.set_num_threads``),
a helper's first task in a worker process sizes it to ``cores // worker processes on the host``
(at least 1). Results never depend on the thread count. See ``docs/distributed.md``.
"""

from __future__ import annotations

from ._distributed.anneal import anneal_many
from ._distributed.cluster import problem_seeds
from ._distributed.indicators import indicators_many
from ._distributed.montecarlo import monte_carlo_var_many
from ._distributed.qaoa import qaoa_grid
from ._distributed.tempering import tempering_many
from ._help import public_dir

__all__ = ["anneal_many", "indicators_many", "monte_carlo_var_many", "problem_seeds", "qaoa_grid", "tempering_many"]

for _value in (anneal_many, indicators_many, monte_carlo_var_many, problem_seeds, qaoa_grid, tempering_many):
    _value.__module__ = __name__  # help() and reprs name the public module

__dir__ = public_dir(__all__)
