"""``tempering_many``: many parallel-tempering runs (disorder realisations, or independent runs of
one network), one seed each."""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from ..core import Method, ParallelTempering, PBitNetwork, TemperingResult
from ..exceptions import InvalidTypeError
from .cluster import (
    check_client,
    check_networks,
    problem_seeds,
    processes_on_host,
    reserve_tasks,
    size_pool,
    travelling,
)


def _tempering_task(
    network: PBitNetwork,
    betas: Any,
    method: Method,
    seed: int,
    kwargs: dict[str, Any],
    processes_on_host: Mapping[str, int],
) -> TemperingResult:
    size_pool(processes_on_host)
    return ParallelTempering(network, betas, method=method, seed=seed).run(**kwargs)


def _check_run_kwargs(run_kwargs: dict[str, Any]) -> None:
    """Unknown or missing ``run`` arguments fail here, once, not in every task."""
    try:
        inspect.signature(ParallelTempering.run).bind(None, **run_kwargs)
    except TypeError as e:
        raise InvalidTypeError(f"tempering_many passes **run_kwargs to ParallelTempering.run: {e}") from None


def tempering_many(
    problems: Sequence[PBitNetwork],
    betas: Any,
    client: Any = None,
    seed: int | None = None,
    *,
    method: Method = "metropolis",
    **run_kwargs: Any,
) -> list[TemperingResult]:
    """Parallel tempering of many problems on one β ladder, one
    :class:`~quantumpanarchy.core.TemperingResult` per problem, here or on a Dask cluster, with
    the same bits either way.

    Parameters
    ----------
    problems : sequence of PBitNetwork
        The problems, in order: disorder realisations of a spin glass, or one network listed
        several times (``[net] * 8``) for independent runs with a seed each; such a network
        travels to each worker once (scattered with ``broadcast=True``). A network listed once
        travels inside its task, so Dask can run it again if its worker dies.
    betas : array-like
        The inverse temperatures of the replicas, as ``ParallelTempering`` takes them (1-D, at
        least two, finite, non-negative). Checked here once before anything runs.
    client : dask.distributed.Client, optional
        Run the problems on this client's workers, one task each; ``None`` runs them here, one
        after another (each run uses every core), without importing Dask.
    seed : int, optional
        The root seed: problem ``k`` runs with ``problem_seeds(seed, len(problems))[k]`` as the
        ``ParallelTempering`` seed. ``None`` draws a root from the OS.
    method : {"metropolis", "gibbs"}
        The update of each replica.
    **run_kwargs
        Passed to every ``ParallelTempering.run`` call (``num_samples``, ``burn_in``,
        ``swap_interval``, ``progress``; a ``progress`` callable must be picklable to go to a
        cluster).

    Returns
    -------
    list of TemperingResult
        ``result[k]`` equals ``ParallelTempering(problems[k], betas, method=method,
        seed=problem_seeds(seed, n)[k]).run(**run_kwargs)`` bit for bit (every array, the best
        energy, the observables), whatever the number of workers or threads.

    Raises
    ------
    InvalidTypeError
        ``problems`` is not a sequence of PBitNetwork, ``client`` is not a client, a
        ``run_kwargs`` name ``run`` does not take, or ``num_samples`` missing.
    InvalidInputError
        Bad ``betas`` or ``method``, a negative seed or one of 2**64 or more; what ``run``
        raises for bad values.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy.core import ParallelTempering, PBitNetwork
    >>> from quantumpanarchy.distributed import problem_seeds, tempering_many
    >>> rng = np.random.default_rng(0)
    >>> couplings = [np.triu(rng.normal(size=(6, 6)), 1) for _ in range(3)]
    >>> glasses = [PBitNetwork.from_dense(J + J.T) for J in couplings]
    >>> betas = [0.2, 0.5, 1.0, 2.0]
    >>> runs = tempering_many(glasses, betas, seed=9, num_samples=200, burn_in=20)
    >>> one = ParallelTempering(glasses[2], betas, seed=problem_seeds(9, 3)[2]).run(num_samples=200, burn_in=20)
    >>> runs[2].energies.tobytes() == one.energies.tobytes() and runs[2].best_energy == one.best_energy
    True
    """
    check_networks(problems, "k independent runs")
    # the ladder and the method do not depend on the network: one spin checks them cheaply
    ParallelTempering(PBitNetwork(1), betas, method=method)
    _check_run_kwargs(run_kwargs)
    seeds = problem_seeds(seed, len(problems))
    if client is None:
        return [
            ParallelTempering(p, betas, method=method, seed=s).run(**run_kwargs)
            for p, s in zip(problems, seeds, strict=True)
        ]
    check_client(client)
    if not problems:
        return []
    reserve_tasks(len(problems))
    procs = processes_on_host(client)
    tasks = [
        client.submit(_tempering_task, p, betas, method, s, dict(run_kwargs), procs, pure=False)
        for p, s in zip(travelling(client, problems), seeds, strict=True)
    ]
    results: list[TemperingResult] = client.gather(tasks)
    return results
