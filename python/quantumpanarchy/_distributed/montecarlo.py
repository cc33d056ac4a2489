"""``monte_carlo_var_many``: Monte Carlo VaR of many portfolios on common scenarios."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .._risk.montecarlo import MonteCarloVaR, monte_carlo_var
from ..exceptions import InvalidInputError, InvalidTypeError
from .cluster import check_client, processes_on_host, reserve_tasks, root_seed, size_pool


def _mc_task(
    model: tuple[Any, Any], weights: Any, seed: int, kwargs: dict[str, Any], processes_on_host: Mapping[str, int]
) -> MonteCarloVaR:
    size_pool(processes_on_host)
    mean, cov = model
    return monte_carlo_var(mean, cov, weights, seed=seed, **kwargs)


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
    root = root_seed(seed)
    if root is None:
        root = int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0])
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
