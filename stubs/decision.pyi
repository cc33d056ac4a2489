"""Decision engines over the core: a dimod-compatible annealing sampler, a QAOA statevector simulator
for portfolio QUBOs, and learning engines (QAR, IQAD, QERC, NQO)."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from .core import PBitNetwork, SampleSet, Temperature

__all__ = ["NQO", "Annealing", "NQOResult", "minimize_nqo"]

class Annealing:
    """Simulated annealing of Ising models and QUBOs: a dimod sampler over ``quantumpanarchy.core``."""

    def __init__(
        self,
        schedule: Temperature | None = None,
        num_sweeps: int = 1000,
        num_reads: int = 10,
        seed: int | None = None,
        **defaults: Any,
    ) -> None: ...
    @property
    def parameters(self) -> dict[str, list[str]]: ...
    @property
    def properties(self) -> dict[str, Any]: ...
    @overload
    def sample(self, bqm: PBitNetwork, **kwargs: Any) -> SampleSet: ...
    @overload
    def sample(self, bqm: Any, **kwargs: Any) -> Any: ...
    def sample_ising(self, h: Any, J: Mapping[tuple[Any, Any], float], **kwargs: Any) -> Any: ...
    def sample_qubo(self, Q: Any, **kwargs: Any) -> Any: ...
    async def sample_async(self, bqm: PBitNetwork | Any, **kwargs: Any) -> Any: ...
    async def sample_ising_async(self, h: Any, J: Mapping[tuple[Any, Any], float], **kwargs: Any) -> Any: ...
    async def sample_qubo_async(self, Q: Any, **kwargs: Any) -> Any: ...

@dataclass(frozen=True, eq=False)
class NQOResult:
    """What :meth:`NQO.minimize` found, with scipy's ``OptimizeResult`` field names."""

    x: npt.NDArray[np.float64]
    fun: float
    nfev: int
    nit: int
    success: bool
    message: str
    history: npt.NDArray[np.float64]
    nan_count: int
    local_searches: int
    restarts: int
    def to_dict(self) -> dict[str, Any]: ...
    def __getitem__(self, key: str) -> Any: ...

class NQO:
    """Hybrid optimiser for continuous and mixed-integer black-box problems."""

    maxfun: int | None
    n_initial: int | None
    seed: int | None
    integrality: npt.ArrayLike | None
    local_method: Literal["bfgs", "nelder-mead", "none"]
    batch_size: int | None
    bits: int
    num_chains: int
    num_sweeps: int
    method: Literal["gibbs", "metropolis"]
    vectorized: bool
    num_threads: int | None
    def __init__(
        self,
        maxfun: int | None = None,
        n_initial: int | None = None,
        seed: int | None = None,
        integrality: npt.ArrayLike | None = None,
        local_method: Literal["bfgs", "nelder-mead", "none"] = "bfgs",
        *,
        batch_size: int | None = None,
        bits: int = 8,
        num_chains: int = 4,
        num_sweeps: int = 10,
        method: Literal["gibbs", "metropolis"] = "gibbs",
        vectorized: bool = False,
        num_threads: int | None = None,
    ) -> None: ...
    def get_params(self, deep: bool = True) -> dict[str, Any]: ...
    def set_params(self, **params: Any) -> NQO: ...
    def minimize(
        self,
        fun: Callable[..., Any],
        bounds: Any,
        *,
        x0: npt.ArrayLike | None = None,
        args: Sequence[Any] = (),
        maxfun: int | None = None,
        callback: Callable[[npt.NDArray[np.float64], float], object] | None = None,
        progress: bool | Callable[[int, int], object] | None = None,
    ) -> NQOResult: ...
    async def minimize_async(
        self,
        fun: Callable[..., Any],
        bounds: Any,
        *,
        x0: npt.ArrayLike | None = None,
        args: Sequence[Any] = (),
        maxfun: int | None = None,
        callback: Callable[[npt.NDArray[np.float64], float], object] | None = None,
        progress: bool | Callable[[int, int], object] | None = None,
    ) -> NQOResult: ...

def minimize_nqo(
    fun: Callable[..., Any],
    bounds: Any,
    *,
    x0: npt.ArrayLike | None = None,
    args: Sequence[Any] = (),
    callback: Callable[[npt.NDArray[np.float64], float], object] | None = None,
    progress: bool | Callable[[int, int], object] | None = None,
    **options: Any,
) -> NQOResult: ...
