"""Scale-out on a Dask cluster the user already has: many annealing problems, many Monte Carlo
VaR portfolios and one indicator over many symbols, with results bit-identical to one machine
(for the same seed where there is randomness).

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

import inspect
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from . import performance
from ._decision._params import check_int
from ._help import public_dir
from ._risk.montecarlo import MonteCarloVaR, monte_carlo_var
from ._signal import indicators as _indicators
from .core import PBitNetwork, SampleSet
from .exceptions import InvalidInputError, InvalidTypeError, ResourceLimitError

__all__ = ["anneal_many", "indicators_many", "monte_carlo_var_many", "problem_seeds"]

_MAX_SEED = 2**64
_BYTES_PER_SEED = 40
_BYTES_PER_TASK = 4096


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


def _indicator_task(
    name: str, symbols: list[tuple[Any, Any]], params: dict[str, Any], processes_on_host: Mapping[str, int]
) -> list[tuple[Any, Any]]:
    _size_pool(processes_on_host)
    fn, inputs = _indicator(name)
    return [(symbol, _apply(fn, inputs, symbol, value, params)) for symbol, value in symbols]


def _columns_task(name: str, block: Any, params: dict[str, Any], processes_on_host: Mapping[str, int]) -> Any:
    _size_pool(processes_on_host)
    fn, _ = _indicator(name)
    return fn(block, **params)


# --- client side ------------------------------------------------------------------------------


def _check_client(client: Any) -> None:
    if not all(callable(getattr(client, name, None)) for name in ("scatter", "submit", "gather", "scheduler_info")):
        raise InvalidTypeError(f"client must be a dask.distributed.Client or None, got {type(client).__name__}")


def _processes_on_host(client: Any) -> dict[str, int]:
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
    if isinstance(problems, PBitNetwork) or not isinstance(problems, Sequence):
        raise InvalidTypeError(
            f"problems must be a sequence of PBitNetwork (list one network k times for k seeded "
            f"chunks of its reads), got {type(problems).__name__}"
        )
    for k, p in enumerate(problems):
        if not isinstance(p, PBitNetwork):
            raise InvalidTypeError(f"problems[{k}] must be a PBitNetwork, got {type(p).__name__}")
    seeds = problem_seeds(seed, len(problems))
    if client is None and reads_per_chunk is None:
        return [p.anneal(seed=s, **anneal_kwargs) for p, s in zip(problems, seeds, strict=True)]
    if reads_per_chunk is not None:
        return _anneal_in_chunks(problems, client, seeds, reads_per_chunk, anneal_kwargs)
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


def _indicator(name: Any) -> tuple[Callable[..., Any], list[str]]:
    """The indicator function called ``name`` and the names of its array inputs."""
    if not isinstance(name, str):
        raise InvalidTypeError(f"name must be an indicator's name (a str), got {type(name).__name__}")
    if name not in _indicators.__all__:
        raise InvalidInputError(f"unknown indicator {name!r}; the indicators are {', '.join(_indicators.__all__)}")
    fn: Callable[..., Any] = getattr(_indicators, name)
    inputs = [p.name for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]
    return fn, inputs


def _is_pandas(x: object, kind: str) -> bool:
    return type(x).__module__.startswith("pandas") and type(x).__name__ == kind


def _apply(fn: Callable[..., Any], inputs: list[str], symbol: Any, value: Any, params: dict[str, Any]) -> Any:
    """``fn`` of one symbol's data: its columns (or keys) named as ``fn``'s inputs, or the series
    itself for a one-input indicator."""
    if isinstance(value, Mapping) or _is_pandas(value, "DataFrame"):
        missing = [i for i in inputs if i not in value]
        if missing:
            raise InvalidInputError(f"{fn.__name__} needs {inputs}; the data of {symbol!r} lacks {missing}")
        return fn(*(value[i] for i in inputs), **params)
    if len(inputs) != 1:
        raise InvalidInputError(
            f"{fn.__name__} needs {inputs}: give {symbol!r} a DataFrame or a mapping with those columns"
        )
    return fn(value, **params)


def _chunks(items: list[Any], count: int) -> list[list[Any]]:
    """``items`` in ``count`` consecutive chunks of nearly equal length (none empty)."""
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    out, start = [], 0
    for k in range(count):
        end = start + size + (1 if k < extra else 0)
        out.append(items[start:end])
        start = end
    return out


def indicators_many(name: str, frame_or_dict: Any, client: Any = None, **params: Any) -> Any:
    """One TA-Lib indicator over many symbols, here or on a Dask cluster, with the same numbers
    as calling it symbol by symbol (indicators are deterministic: every symbol is computed alone,
    so neither the workers nor the chunking change a bit).

    Parameters
    ----------
    name : str
        An indicator of :mod:`quantumpanarchy.signal` by its TA-Lib name (``"SMA"``, ``"ATR"``,
        ``"MACD"``, ...; candlestick patterns are not covered).
    frame_or_dict : mapping or pandas.DataFrame
        * a mapping symbol → data: a one-input indicator (``close``) takes a series (array or
          pandas Series) per symbol; any indicator takes a DataFrame or mapping per symbol whose
          columns are named as the indicator's inputs (``high``, ``low``, ``close``, ``volume``,
          ...);
        * a DataFrame of one series per column (bars × symbols), for a one-input indicator.
    client : dask.distributed.Client, optional
        Spread the symbols over this client's workers, in about four chunks per worker thread;
        ``None`` computes here.
    **params
        The indicator's parameters (``timeperiod=20``, ...).

    Returns
    -------
    dict or pandas.DataFrame
        For a mapping: a dict symbol → what the indicator returns for that symbol (an array,
        a Series with the symbol's index, or a tuple of them), in the mapping's order. For a
        DataFrame: what the indicator returns for the whole frame (a DataFrame, or a tuple of
        DataFrames), the same as ``signal.<name>(frame, **params)``.

    Raises
    ------
    InvalidInputError
        An unknown indicator, a symbol's data without the inputs the indicator needs, a DataFrame
        for an indicator of several inputs; what the indicator raises.
    InvalidTypeError
        ``name`` not a str, ``frame_or_dict`` neither a mapping nor a DataFrame, a bad client.

    Examples
    --------
    >>> import numpy as np
    >>> from quantumpanarchy import signal
    >>> from quantumpanarchy.distributed import indicators_many
    >>> closes = {s: np.random.default_rng(k).normal(100, 1, 50) for k, s in enumerate(["AAA", "BBB"])}
    >>> out = indicators_many("SMA", closes, timeperiod=10)
    >>> np.array_equal(out["BBB"], signal.SMA(closes["BBB"], timeperiod=10), equal_nan=True)
    True
    """
    fn, inputs = _indicator(name)
    if _is_pandas(frame_or_dict, "DataFrame"):
        if len(inputs) != 1:
            raise InvalidInputError(
                f"{name} needs {inputs}: pass a mapping symbol → DataFrame with those columns, not one DataFrame"
            )
        if client is None:
            return fn(frame_or_dict, **params)
        _check_client(client)
        procs = _processes_on_host(client)
        columns = _chunks(list(range(frame_or_dict.shape[1])), 4 * _worker_threads(client))
        tasks = [
            client.submit(_columns_task, name, frame_or_dict.iloc[:, cols], dict(params), procs, pure=False)
            for cols in columns
        ]
        parts = client.gather(tasks)
        import pandas as pd  # a DataFrame came in: pandas is there

        if isinstance(parts[0], tuple):
            return tuple(pd.concat([p[k] for p in parts], axis=1) for k in range(len(parts[0])))
        return pd.concat(parts, axis=1)
    if not isinstance(frame_or_dict, Mapping):
        raise InvalidTypeError(
            f"frame_or_dict must be a mapping symbol → data or a pandas DataFrame, got {type(frame_or_dict).__name__}"
        )
    items = list(frame_or_dict.items())
    if client is None:
        return {symbol: _apply(fn, inputs, symbol, value, params) for symbol, value in items}
    _check_client(client)
    if not items:
        return {}
    procs = _processes_on_host(client)
    tasks = [
        client.submit(_indicator_task, name, chunk, dict(params), procs, pure=False)
        for chunk in _chunks(items, 4 * _worker_threads(client))
    ]
    return {symbol: result for part in client.gather(tasks) for symbol, result in part}


def _worker_threads(client: Any) -> int:
    try:
        info = client.scheduler_info(n_workers=-1)
    except TypeError:
        info = client.scheduler_info()
    return max(1, sum(int(w.get("nthreads", 1)) for w in info.get("workers", {}).values()))


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
    _reserve_tasks(len(problems) * len(starts))
    jobs = [(k, a, min(chunk, num_reads - a)) for k in range(len(problems)) for a in starts]
    if client is None:
        parts = [problems[k].anneal(seed=seeds[k], **{**kwargs, "num_reads": n, "first_read": a}) for k, a, n in jobs]
    else:
        _check_client(client)
        if not jobs:
            return []
        procs = _processes_on_host(client)
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


def _portfolios(weights: Any) -> Sequence[Any]:
    """The portfolios (rows) of ``weights``, without copying them: an array's rows are read one
    at a time, so a huge broadcast view is refused by the first call that reads a row."""
    if type(weights).__module__.startswith("pandas") and hasattr(weights, "iterrows"):
        return _FrameRows(weights)
    if isinstance(weights, np.ndarray):
        if weights.ndim != 2:
            raise InvalidInputError(f"weights must be 2-D (portfolios × assets), got {weights.ndim}-D")
        return weights
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Sequence):
        raise InvalidTypeError(
            f"weights must be a 2-D array, a DataFrame or a sequence of weight vectors, got {type(weights).__name__}"
        )
    return weights


class _FrameRows(Sequence[Any]):
    """A DataFrame's rows as Series, read on demand."""

    def __init__(self, frame: Any) -> None:
        self.frame = frame

    def __len__(self) -> int:
        return len(self.frame)

    def __getitem__(self, k: Any) -> Any:
        if isinstance(k, slice):
            return [self.frame.iloc[j] for j in range(*k.indices(len(self)))]
        return self.frame.iloc[k]


def _reserve_tasks(count: int) -> None:
    """Refuse, before submitting anything, more tasks than the scheduler could hold."""
    try:
        np.empty(count * _BYTES_PER_TASK, dtype=np.uint8)
    except (MemoryError, ValueError):
        raise ResourceLimitError(
            f"{count} tasks need about {count * _BYTES_PER_TASK / 2**30:.1f} GiB here, more than can be allocated"
        ) from None


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
    if len(rows) == 0:
        return []
    _reserve_tasks(len(rows))
    procs = _processes_on_host(client)
    [model] = client.scatter([(mean, cov)], broadcast=True, hash=False)
    tasks = [client.submit(_mc_task, model, w, root, dict(kwargs), procs, pure=False) for w in rows]
    results: list[MonteCarloVaR] = client.gather(tasks)
    return results


__dir__ = public_dir(__all__)
