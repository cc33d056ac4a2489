"""Scale-out on a Dask cluster the user already has: many annealing problems and many Monte Carlo
VaR portfolios, with results bit-identical to one machine for the same seed.

Dask is optional (``pip install quantumpanarchy[dask]``): with ``client=None`` every helper runs
in this process and needs no Dask; with a ``dask.distributed.Client`` the work is spread over its
workers. We never start a scheduler of our own: pass the client of a cluster you run (or of a
``LocalCluster`` you start).

How a seed is used
------------------
* :func:`anneal_many`: problem ``k`` is annealed with ``problem_seeds(seed, len(problems))[k]``
  (a child of ``numpy.random.SeedSequence(seed)``), here or on whichever worker runs it, so the
  result does not depend on the number of workers, on where a problem ran, or on a worker dying
  and its task running again. List one network several times (``[net] * 16``) to split many reads
  of one problem into 16 seeded chunks; the network then travels once per worker
  (``client.scatter(..., broadcast=True)``). The reads *inside* one ``anneal`` call are not split
  across workers: read ``r`` of a call draws from random stream ``r`` of the call's seed, and the
  native layer has no first-read offset yet to run reads ``a..b`` of a call elsewhere.
* :func:`monte_carlo_var_many`: every portfolio is priced on the same scenarios (common random
  numbers: the same ``seed`` for each), so portfolio ``k``'s result is
  ``risk.monte_carlo_var(mean, cov, weights[k], seed=seed, ...)`` bit for bit. The scenarios of
  one VaR are not cut across workers: that needs a native first-scenario offset (scenario ``i``
  already draws from Philox counter ``i``, so the hook is an offset plus an exact merge of the
  tail summaries) and is not there yet.

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

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from . import performance
from ._decision._params import check_int
from ._help import public_dir
from ._risk.montecarlo import MonteCarloVaR, monte_carlo_var
from .core import PBitNetwork, SampleSet
from .exceptions import InvalidInputError, InvalidTypeError, ResourceLimitError

__all__ = ["anneal_many", "monte_carlo_var_many", "problem_seeds"]

_MAX_SEED = 2**64
_BYTES_PER_SEED = 40


def _root_seed(seed: Any) -> int | None:
    if seed is None:
        return None
    value = check_int(seed, "seed", 0)
    if value >= _MAX_SEED:
        raise InvalidInputError(f"seed must be a non-negative integer below 2**64, got {value}")
    return value


def problem_seeds(seed: int | None, num_problems: int) -> list[int]:
    """The seed that :func:`anneal_many` gives each of ``num_problems`` problems.

    Problem ``k`` gets ``numpy.random.SeedSequence(seed).spawn(num_problems)[k]``'s first 64-bit
    word: independent streams for the problems, the same whatever the number of workers. With
    ``seed=None`` the root is drawn from the OS (each ``SampleSet.info["seed"]`` reports the
    problem's seed, so any one of them can be repeated with ``PBitNetwork.anneal(seed=...)``).

    Raises
    ------
    InvalidTypeError, InvalidInputError
        A seed or count that is not an int, a negative one, a seed of 2**64 or more.
    ResourceLimitError
        More seeds than fit in memory.

    Examples
    --------
    >>> from quantumpanarchy.distributed import problem_seeds
    >>> problem_seeds(7, 3) == problem_seeds(7, 5)[:3]
    True
    """
    root = _root_seed(seed)
    count = check_int(num_problems, "num_problems", 0)
    # a list of `count` Python ints: about 40 bytes each, reserved (and refused) before the loop
    try:
        np.empty(count * _BYTES_PER_SEED, dtype=np.uint8)
    except (MemoryError, ValueError):
        raise ResourceLimitError(
            f"{count} problem seeds need {count * _BYTES_PER_SEED / 2**30:.1f} GiB, more than can be allocated here"
        ) from None
    children = np.random.SeedSequence(root).spawn(count)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


# --- worker side ------------------------------------------------------------------------------

_POOL_SIZED = False


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _size_pool(processes_on_host: Mapping[str, int]) -> None:
    """In a Dask worker process, once: size the native pool to this process's share of the host's
    cores, unless it was sized already (not the default any more)."""
    global _POOL_SIZED
    if _POOL_SIZED:
        return
    _POOL_SIZED = True
    try:
        from distributed import get_worker

        address = get_worker().address
    except (ImportError, ValueError):
        return
    procs = processes_on_host.get(address, 1)
    if procs > 1 and performance.get_num_threads() == _cores():
        performance.set_num_threads(max(1, _cores() // procs))


def _anneal_task(
    network: PBitNetwork, seed: int, kwargs: dict[str, Any], processes_on_host: Mapping[str, int]
) -> SampleSet:
    _size_pool(processes_on_host)
    return network.anneal(seed=seed, **kwargs)


def _mc_task(
    model: tuple[Any, Any], weights: Any, seed: int, kwargs: dict[str, Any], processes_on_host: Mapping[str, int]
) -> MonteCarloVaR:
    _size_pool(processes_on_host)
    mean, cov = model
    return monte_carlo_var(mean, cov, weights, seed=seed, **kwargs)


# --- client side ------------------------------------------------------------------------------


def _check_client(client: Any) -> None:
    if not all(callable(getattr(client, name, None)) for name in ("scatter", "submit", "gather", "scheduler_info")):
        raise InvalidTypeError(f"client must be a dask.distributed.Client or None, got {type(client).__name__}")


def _processes_on_host(client: Any) -> dict[str, int]:
    """For each worker address: how many distinct worker processes share its host."""
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # older distributed: every worker is listed
        info = client.scheduler_info()
    workers: dict[str, Any] = info.get("workers", {})
    pids: dict[str, set[Any]] = {}
    for address, w in workers.items():
        pids.setdefault(str(w.get("host", address)), set()).add(w.get("pid", address))
    return {address: len(pids[str(w.get("host", address))]) for address, w in workers.items()}


def anneal_many(
    problems: Sequence[PBitNetwork],
    client: Any = None,
    seed: int | None = None,
    **anneal_kwargs: Any,
) -> list[SampleSet]:
    """Anneal many problems, one :class:`~quantumpanarchy.core.SampleSet` per problem, here or on a
    Dask cluster, with the same bits either way.

    Parameters
    ----------
    problems : sequence of PBitNetwork
        The problems, in order. A network listed several times (``[net] * 16``) is annealed once
        per listing with a seed of its own: many reads of one problem in seeded chunks; it then
        travels to each worker once (scattered with ``broadcast=True``). A network listed once
        travels inside its task, so Dask can run it again if its worker dies.
    client : dask.distributed.Client, optional
        Run the problems on this client's workers; ``None`` runs them here, one after another
        (each ``anneal`` uses every core), without importing Dask.
    seed : int, optional
        The root seed: problem ``k`` is annealed with ``problem_seeds(seed, len(problems))[k]``.
        ``None`` draws a root from the OS.
    **anneal_kwargs
        Passed to every ``PBitNetwork.anneal`` call (``num_reads``, ``num_sweeps``,
        ``beta_range``, ``method``, ``num_threads``, ...). Callables such as
        ``interrupt_function`` or ``progress`` must be picklable to go to a cluster.

    Returns
    -------
    list of SampleSet
        ``result[k]`` equals ``problems[k].anneal(seed=problem_seeds(seed, n)[k], **anneal_kwargs)``
        bit for bit (samples, energies, counts), whatever the number of workers or threads.
        ``result[k].info["seed"]`` is that seed.

    Raises
    ------
    InvalidTypeError
        ``problems`` is not a sequence of PBitNetwork, or ``client`` is not a client.
    InvalidInputError
        A negative seed or one of 2**64 or more; what ``anneal`` raises for bad arguments.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.core import PBitNetwork
    >>> from quantumpanarchy.distributed import anneal_many, problem_seeds
    >>> nets = [PBitNetwork.from_dense(np.ones((4, 4)) - np.eye(4)) for _ in range(3)]
    >>> sets = anneal_many(nets, seed=5, num_reads=4, num_sweeps=50)
    >>> sets[1] == nets[1].anneal(seed=problem_seeds(5, 3)[1], num_reads=4, num_sweeps=50)
    True
    """
    if isinstance(problems, PBitNetwork) or not isinstance(problems, Sequence):
        raise InvalidTypeError(
            f"problems must be a sequence of PBitNetwork (list one network k times for k seeded "
            f"chunks of its reads), got {type(problems).__name__}"
        )
    for k, p in enumerate(problems):
        if not isinstance(p, PBitNetwork):
            raise InvalidTypeError(f"problems[{k}] must be a PBitNetwork, got {type(p).__name__}")
    seeds = problem_seeds(seed, len(problems))
    if client is None:
        return [p.anneal(seed=s, **anneal_kwargs) for p, s in zip(problems, seeds, strict=True)]
    _check_client(client)
    if not problems:
        return []
    procs = _processes_on_host(client)
    counts: dict[int, int] = {}
    for p in problems:
        counts[id(p)] = counts.get(id(p), 0) + 1
    shared = {i: p for p in problems if counts[(i := id(p))] > 1}
    scattered: dict[int, Any] = {}
    if shared:
        futures = client.scatter(list(shared.values()), broadcast=True, hash=False)
        scattered = dict(zip(shared.keys(), futures, strict=True))
    tasks = [
        client.submit(_anneal_task, scattered.get(id(p), p), s, dict(anneal_kwargs), procs, pure=False)
        for p, s in zip(problems, seeds, strict=True)
    ]
    results: list[SampleSet] = client.gather(tasks)
    return results


def _portfolios(weights: Any) -> list[Any]:
    if type(weights).__module__.startswith("pandas") and hasattr(weights, "iterrows"):
        return [row for _, row in weights.iterrows()]
    if isinstance(weights, np.ndarray):
        if weights.ndim != 2:
            raise InvalidInputError(f"weights must be 2-D (portfolios × assets), got {weights.ndim}-D")
        return list(weights)
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
        raise InvalidTypeError(
            f"weights must be a 2-D array, a DataFrame or a sequence of weight vectors, got {type(weights).__name__}"
        )
    return list(weights)


def monte_carlo_var_many(
    mean: Any,
    cov: Any,
    weights: Any,
    client: Any = None,
    seed: int | None = None,
    **kwargs: Any,
) -> list[MonteCarloVaR]:
    """Monte Carlo VaR and CVaR of many portfolios of the same assets, here or on a Dask cluster,
    each bit-identical to :func:`quantumpanarchy.risk.monte_carlo_var` with the same seed.

    Parameters
    ----------
    mean, cov
        As :func:`~quantumpanarchy.risk.monte_carlo_var`; with a client they travel to each worker
        once (scattered with ``broadcast=True``).
    weights : 2-D array-like, DataFrame or sequence of weight vectors
        One portfolio per row (a DataFrame's rows are Series aligned to the assets by label).
    client : dask.distributed.Client, optional
        Price the portfolios on this client's workers; ``None`` prices them here.
    seed : int, optional
        Every portfolio is priced on the scenarios of this seed (common random numbers: the
        differences between portfolios are not Monte Carlo noise). ``None`` draws one seed from
        the OS for all of them (reported in each result's ``seed``).
    **kwargs
        Passed to every ``monte_carlo_var`` call (``alpha``, ``num_scenarios``, ``horizon``,
        ``distribution``, ``dof``, ``backend``, ``return_scenarios``).

    Returns
    -------
    list of MonteCarloVaR
        ``result[k] == risk.monte_carlo_var(mean, cov, weights[k], seed=seed, **kwargs)``.

    Raises
    ------
    InvalidTypeError, InvalidInputError
        Bad ``weights`` or ``client``; what ``monte_carlo_var`` raises.

    Examples
    --------
    >>> from quantumpanarchy.distributed import monte_carlo_var_many
    >>> cov = [[1e-4, 2e-5], [2e-5, 4e-4]]
    >>> a, b = monte_carlo_var_many([0.0, 0.0], cov, [[1.0, 0.0], [0.0, 1.0]], seed=1, num_scenarios=10_000)
    >>> a.var < b.var and a.seed == b.seed == 1
    True
    """
    rows = _portfolios(weights)
    root = _root_seed(seed)
    if root is None:
        root = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0])
    if client is None:
        return [monte_carlo_var(mean, cov, w, seed=root, **kwargs) for w in rows]
    _check_client(client)
    if not rows:
        return []
    procs = _processes_on_host(client)
    [model] = client.scatter([(mean, cov)], broadcast=True, hash=False)
    tasks = [client.submit(_mc_task, model, w, root, dict(kwargs), procs, pure=False) for w in rows]
    results: list[MonteCarloVaR] = client.gather(tasks)
    return results


__dir__ = public_dir(__all__)
