"""What every helper of :mod:`quantumpanarchy.distributed` shares: seeds, the client's checks and
what it says of its workers, the native pool's size in a worker process, chunking."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .. import performance
from .._decision._params import check_int
from ..exceptions import InvalidInputError, InvalidTypeError, ResourceLimitError

_MAX_SEED = 2**64


_BYTES_PER_SEED = 40


_BYTES_PER_TASK = 4096


def root_seed(seed: Any) -> int | None:
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
    root = root_seed(seed)
    count = check_int(num_problems, "num_problems", 0)
    # a list of `count` Python ints: about 40 bytes each, reserved (and refused) before the loop
    reserve(count * _BYTES_PER_SEED, f"{count} problem seeds")
    children = np.random.SeedSequence(root).spawn(count)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


# --- worker side ------------------------------------------------------------------------------

_POOL_SIZED = False


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def size_pool(processes_on_host: Mapping[str, int]) -> None:
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


# --- client side ------------------------------------------------------------------------------


def check_client(client: Any) -> None:
    if not all(callable(getattr(client, name, None)) for name in ("scatter", "submit", "gather", "scheduler_info")):
        raise InvalidTypeError(f"client must be a dask.distributed.Client or None, got {type(client).__name__}")


def processes_on_host(client: Any) -> dict[str, int]:
    """For each worker address: how many distinct worker processes share its host (the workers'
    process ids, asked of the workers: the scheduler does not list them)."""
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:  # older distributed: every worker is listed
        info = client.scheduler_info()
    workers: dict[str, Any] = info.get("workers", {})
    pids: dict[str, Any] = client.run(os.getpid)
    on_host: dict[str, set[Any]] = {}
    for address, w in workers.items():
        on_host.setdefault(str(w.get("host", address)), set()).add(pids.get(address, address))
    return {address: len(on_host[str(w.get("host", address))]) for address, w in workers.items()}


def worker_threads(client: Any) -> int:
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:
        info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


def chunks(items: list[Any], count: int) -> list[list[Any]]:
    """``items`` in ``count`` consecutive chunks of nearly equal length (none empty)."""
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    out, start = [], 0
    for k in range(count):
        end = start + size + (1 if k < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def reserve(nbytes: int, what: str) -> None:
    """Refuse, before building it, something of ``nbytes`` that cannot be allocated here."""
    try:
        np.empty(nbytes, dtype=np.uint8)
    except (MemoryError, ValueError):
        raise ResourceLimitError(
            f"{what} need about {nbytes / 2**30:.1f} GiB, more than can be allocated here"
        ) from None


def reserve_tasks(count: int) -> None:
    """Refuse, before submitting anything, more tasks than the scheduler could hold."""
    reserve(count * _BYTES_PER_TASK, f"{count} tasks")


def check_networks(problems: Any, repeated: str) -> None:
    """``problems`` must be a sequence of PBitNetwork; ``repeated`` says what listing one network
    several times means to the helper."""
    from ..core import PBitNetwork

    if isinstance(problems, PBitNetwork) or not isinstance(problems, Sequence):
        raise InvalidTypeError(
            f"problems must be a sequence of PBitNetwork (list one network k times for {repeated}), "
            f"got {type(problems).__name__}"
        )
    for k, p in enumerate(problems):
        if not isinstance(p, PBitNetwork):
            raise InvalidTypeError(f"problems[{k}] must be a PBitNetwork, got {type(p).__name__}")


def travelling(client: Any, items: Sequence[Any]) -> list[Any]:
    """Each item as its task carries it: one listed several times is scattered once per worker
    (broadcast); one listed once travels inside its task, so Dask can run the task again when its
    worker dies (scattered data lost with its worker could not be rebuilt)."""
    counts: dict[int, int] = {}
    for item in items:
        counts[id(item)] = counts.get(id(item), 0) + 1
    shared = {i: item for item in items if counts[(i := id(item))] > 1}
    scattered: dict[int, Any] = {}
    if shared:
        futures = client.scatter(list(shared.values()), broadcast=True, hash=False)
        scattered = dict(zip(shared.keys(), futures, strict=True))
    return [scattered.get(id(item), item) for item in items]
