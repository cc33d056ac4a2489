"""``monte_carlo_var_many``: Monte Carlo VaR of many portfolios on common scenarios."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._decision._params import check_int
from .._risk.montecarlo import SUM_BLOCK, MonteCarloVaR, TailPart, monte_carlo_var, var_from_parts, var_part
from ..exceptions import InternalError, InvalidInputError, InvalidTypeError
from .cluster import check_client, processes_on_host, reserve_tasks, root_seed, size_pool


def _mc_task(
    model: tuple[Any, Any], weights: Any, seed: int, kwargs: dict[str, Any], processes_on_host: Mapping[str, int]
) -> MonteCarloVaR:
    size_pool(processes_on_host)
    mean, cov = model
    return monte_carlo_var(mean, cov, weights, seed=seed, **kwargs)


def _part_task(
    model: tuple[Any, Any],
    weights: Any,
    first: int,
    count: int,
    seed: int,
    options: dict[str, Any],
    keep_all: bool,
    processes_on_host: Mapping[str, int],
) -> TailPart:
    size_pool(processes_on_host)
    mean, cov = model
    return var_part(mean, cov, weights, first, count, seed=seed, keep_all=keep_all, **options)


def _portfolios(weights: Any) -> Sequence[Any] | npt.NDArray[Any]:
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


def monte_carlo_var_many(
    mean: Any,
    cov: Any,
    weights: Any,
    client: Any = None,
    seed: int | None = None,
    *,
    scenarios_per_chunk: int | None = None,
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
    scenarios_per_chunk : int, optional
        Also cut each portfolio's scenarios into ranges of this many (a positive multiple of
        32,768, the tail's summation block), one task each, simulated on the CPU: each worker
        sends back only the losses in the upper tail, and the ranges merge into the VaR and
        CVaR of the one call, bit for bit, whatever the chunk size. Refuses ``progress``,
        ``return_scenarios`` and ``backend="cuda"``.
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
    root = root_seed(seed)
    if root is None:
        root = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0])
    if scenarios_per_chunk is not None:
        return _var_in_chunks(mean, cov, rows, client, root, scenarios_per_chunk, kwargs)
    if client is None:
        return [monte_carlo_var(mean, cov, w, seed=root, **kwargs) for w in rows]
    check_client(client)
    if len(rows) == 0:
        return []
    reserve_tasks(len(rows))
    procs = processes_on_host(client)
    [model] = client.scatter([(mean, cov)], broadcast=True, hash=False)
    tasks = [client.submit(_mc_task, model, w, root, dict(kwargs), procs, pure=False) for w in rows]
    results: list[MonteCarloVaR] = client.gather(tasks)
    return results


_SPLITTABLE = ("alpha", "num_scenarios", "horizon", "distribution", "dof", "backend")


def _var_in_chunks(
    mean: Any,
    cov: Any,
    rows: Sequence[Any] | npt.NDArray[Any],
    client: Any,
    seed: int,
    scenarios_per_chunk: Any,
    kwargs: dict[str, Any],
) -> list[MonteCarloVaR]:
    """monte_carlo_var_many with each portfolio's scenarios cut into ranges."""
    size = check_int(scenarios_per_chunk, "scenarios_per_chunk", 1)
    if size % SUM_BLOCK:
        raise InvalidInputError(
            f"scenarios_per_chunk must be a multiple of {SUM_BLOCK} (the tail's summation block), got {size}"
        )
    refused = [k for k in kwargs if k not in _SPLITTABLE]
    if refused:
        raise InvalidInputError(f"scenarios_per_chunk cannot split runs with {', '.join(refused)}")
    options = dict(kwargs)
    backend = options.pop("backend", "auto")
    if not isinstance(backend, str) or backend not in ("auto", "cpu"):
        raise InvalidInputError(
            f"scenarios_per_chunk runs its ranges on the CPU (the GPU draws the same scenarios): "
            f"backend must be 'auto' or 'cpu', got {backend!r}"
        )
    total = check_int(options.setdefault("num_scenarios", 1_000_000), "num_scenarios", 2)
    for w in rows:  # every portfolio's arguments, checked here before any task runs
        var_part(mean, cov, w, 0, 0, seed=seed, **options)
    starts = range(0, total, size)
    reserve_tasks(len(rows) * len(starts))
    merge_options = {k: v for k, v in options.items() if k != "num_scenarios"}
    if client is not None:
        check_client(client)
        procs = processes_on_host(client)
        [model] = client.scatter([(mean, cov)], broadcast=True, hash=False)

    def parts(portfolios: list[int], keep_all: bool) -> list[list[TailPart]]:
        jobs = [(k, a, min(size, total - a)) for k in portfolios for a in starts]
        if client is None:
            made = [var_part(mean, cov, rows[k], a, n, seed=seed, keep_all=keep_all, **options) for k, a, n in jobs]
        else:
            made = client.gather(
                [
                    client.submit(_part_task, model, rows[k], a, n, seed, options, keep_all, procs, pure=False)
                    for k, a, n in jobs
                ]
            )
        return [made[i * len(starts) : (i + 1) * len(starts)] for i in range(len(portfolios))]

    everyone = list(range(len(rows)))
    results = [var_from_parts(p, seed=seed, **merge_options) for p in parts(everyone, False)]
    # a range's bound (from a sample of its own losses) that left out a needed loss: rare
    again = [k for k, r in enumerate(results) if r is None]
    if again:
        for k, p in zip(again, parts(again, True), strict=True):
            results[k] = var_from_parts(p, seed=seed, **merge_options)
    if any(r is None for r in results):
        raise InternalError("the Monte Carlo tail left out a loss while keeping every one")
    return [r for r in results if r is not None]
