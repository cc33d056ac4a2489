"""Scale-out on a Dask cluster: many annealing problems, parallel-tempering runs, QAOA angle
grids, Monte Carlo VaR portfolios and symbols, bit-identical to one machine for the same seed
(Dask optional: ``quantumpanarchy[dask]``)."""

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .core import Method, PBitNetwork, SampleSet, TemperingResult
from .performance import BackendName
from .risk import MonteCarloVaR

__all__ = ["anneal_many", "indicators_many", "monte_carlo_var_many", "problem_seeds", "qaoa_grid", "tempering_many"]

def problem_seeds(seed: int | None, num_problems: int) -> list[int]:
    """The seed :func:`anneal_many` gives each problem (children of ``SeedSequence(seed)``)."""

def anneal_many(
    problems: Sequence[PBitNetwork],
    client: Any = None,
    seed: int | None = None,
    *,
    reads_per_chunk: int | None = None,
    **anneal_kwargs: Any,
) -> list[SampleSet]:
    """One SampleSet per problem, here (``client=None``) or on a Dask client's workers."""

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
    """``risk.monte_carlo_var`` of each portfolio (row of ``weights``) on the same scenarios."""

def indicators_many(name: str, frame_or_dict: Any, client: Any = None, **params: Any) -> Any:
    """A TA-Lib indicator over many symbols (a mapping symbol → data, or a DataFrame of one
    series per column), here or on a Dask client's workers: a dict (or DataFrame) of results."""

def tempering_many(
    problems: Sequence[PBitNetwork],
    betas: npt.ArrayLike,
    client: Any = None,
    seed: int | None = None,
    *,
    method: Method = "metropolis",
    **run_kwargs: Any,
) -> list[TemperingResult]:
    """One TemperingResult per problem: ``ParallelTempering(problems[k], betas, method=method,
    seed=problem_seeds(seed, n)[k]).run(**run_kwargs)``, here (``client=None``) or on a Dask
    client's workers, bit for bit the same."""

def qaoa_grid(
    Q: Any,
    gammas: npt.ArrayLike,
    betas: npt.ArrayLike,
    client: Any = None,
    *,
    angle_sets_per_task: int | None = None,
    backend: BackendName | None = None,
) -> npt.NDArray[np.float64]:
    """⟨C⟩ of QAOA (as ``decision.QAOA.expectation``) over angle sets: 1-D gammas (G,) and betas
    (B,) give the depth-1 landscape (G, B); 2-D gammas and betas of shape (m, p) give (m,).
    Bit-identical to one ``expectation`` batch whatever the chunking, here or on a client."""
