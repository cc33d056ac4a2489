"""Scale-out on a Dask cluster: many annealing problems, Monte Carlo VaR portfolios and symbols,
bit-identical to one machine for the same seed (Dask optional: ``quantumpanarchy[dask]``)."""

from collections.abc import Sequence
from typing import Any

from .core import PBitNetwork, SampleSet
from .risk import MonteCarloVaR

__all__ = ["anneal_many", "indicators_many", "monte_carlo_var_many", "problem_seeds"]

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
    **kwargs: Any,
) -> list[MonteCarloVaR]:
    """``risk.monte_carlo_var`` of each portfolio (row of ``weights``) on the same scenarios."""

def indicators_many(name: str, frame_or_dict: Any, client: Any = None, **params: Any) -> Any:
    """A TA-Lib indicator over many symbols (a mapping symbol → data, or a DataFrame of one
    series per column), here or on a Dask client's workers: a dict (or DataFrame) of results."""
