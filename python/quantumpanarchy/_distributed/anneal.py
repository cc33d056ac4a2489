"""``anneal_many``: many problems, and many reads of one problem in seeded chunks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._decision._params import check_int
from ..core import PBitNetwork, SampleSet
from ..exceptions import InvalidInputError
from .cluster import (
    check_client,
    check_networks,
    problem_seeds,
    processes_on_host,
    reserve_tasks,
    size_pool,
    travelling,
)


def _anneal_task(
    network: PBitNetwork, seed: int, kwargs: dict[str, Any], processes_on_host: Mapping[str, int]
) -> SampleSet:
    size_pool(processes_on_host)
    return network.anneal(seed=seed, **kwargs)


def anneal_many(
    problems: Sequence[PBitNetwork],
    client: Any = None,
    seed: int | None = None,
    *,
    reads_per_chunk: int | None = None,
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
    reads_per_chunk : int, optional
        Split the reads of each problem into chunks of this many reads (a positive multiple of
        8), one task each, run with ``first_read`` at the chunk's first read on the CPU, and
        concatenated: each SampleSet is then the one ``anneal(num_reads=..., backend="cpu")``
        gives in one call, bit for bit, whatever the chunk size. Needs ``num_reads``; refuses
        ``initial_states``, ``initial_states_generator``, ``interrupt_function``, ``time_limit``
        and ``first_read`` (they do not split).
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
    check_networks(problems, "k seeded chunks of its reads")
    seeds = problem_seeds(seed, len(problems))
    if client is None and reads_per_chunk is None:
        return [p.anneal(seed=s, **anneal_kwargs) for p, s in zip(problems, seeds, strict=True)]
    if reads_per_chunk is not None:
        return _anneal_in_chunks(problems, client, seeds, reads_per_chunk, anneal_kwargs)
    check_client(client)
    if not problems:
        return []
    procs = processes_on_host(client)
    tasks = [
        client.submit(_anneal_task, p, s, dict(anneal_kwargs), procs, pure=False)
        for p, s in zip(travelling(client, problems), seeds, strict=True)
    ]
    results: list[SampleSet] = client.gather(tasks)
    return results


_UNSPLITTABLE = ("initial_states", "initial_states_generator", "interrupt_function", "time_limit", "first_read")


_LANES = 8  # reads per lane group of the CPU kernels (src/rng.rs LANES)


def _anneal_in_chunks(
    problems: Sequence[PBitNetwork], client: Any, seeds: list[int], reads_per_chunk: Any, kwargs: dict[str, Any]
) -> list[SampleSet]:
    """anneal_many with each problem's reads cut into chunks of ``reads_per_chunk``."""
    chunk = check_int(reads_per_chunk, "reads_per_chunk", 1)
    if chunk % _LANES:
        raise InvalidInputError(f"reads_per_chunk must be a multiple of {_LANES}, got {chunk}")
    given = [k for k in _UNSPLITTABLE if kwargs.get(k) is not None and k != "first_read"]
    given += ["first_read"] if "first_read" in kwargs else []
    if given:
        raise InvalidInputError(f"reads_per_chunk cannot split runs with {', '.join(given)}")
    if kwargs.get("num_reads") is None:
        raise InvalidInputError("reads_per_chunk needs num_reads")
    num_reads = check_int(kwargs["num_reads"], "num_reads", 1)
    kwargs = {**kwargs, "backend": kwargs.get("backend") or "cpu"}
    starts = range(0, num_reads, chunk)
    reserve_tasks(len(problems) * len(starts))
    jobs = [(k, a, min(chunk, num_reads - a)) for k in range(len(problems)) for a in starts]
    if client is None:
        parts = [problems[k].anneal(seed=seeds[k], **{**kwargs, "num_reads": n, "first_read": a}) for k, a, n in jobs]
    else:
        check_client(client)
        if not jobs:
            return []
        procs = processes_on_host(client)
        # every problem runs on several workers: each travels once per worker
        unique = {id(p): p for p in problems}
        futures = dict(zip(unique, client.scatter(list(unique.values()), broadcast=True, hash=False), strict=True))
        tasks = [
            client.submit(
                _anneal_task,
                futures[id(problems[k])],
                seeds[k],
                {**kwargs, "num_reads": n, "first_read": a},
                procs,
                pure=False,
            )
            for k, a, n in jobs
        ]
        parts = client.gather(tasks)
    per_problem = len(starts)
    return [_concatenated(parts[k * per_problem : (k + 1) * per_problem]) for k in range(len(problems))]


def _concatenated(parts: list[SampleSet]) -> SampleSet:
    """The chunks of one run as one SampleSet (rows in read order; the first chunk's info, its
    timing summed over the chunks)."""
    first = parts[0]
    info = dict(first.info)
    timing = [p.info.get("timing", {}).get("sampling_s", 0.0) for p in parts]
    info["timing"] = {"sampling_s": float(sum(timing))}
    info["chunks"] = len(parts)
    return SampleSet(
        np.concatenate([p.samples for p in parts]),
        np.concatenate([p.energies for p in parts]),
        np.concatenate([p.num_occurrences for p in parts]),
        vartype=first.vartype,
        variables=first.variables,
        info=info,
    )
