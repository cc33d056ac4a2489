"""Decision engines over the core: a dimod-compatible annealing sampler, a QAOA statevector simulator
for portfolio QUBOs, and learning engines (QAR, IQAD, QERC, NQO)."""

import dataclasses
import enum
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeAlias, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .core import PBitNetwork, SampleSet, Temperature

__all__ = ["QAR", "Action", "Annealing", "Decision"]

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

class Action(enum.Enum):
    """A trading decision; ``signal`` is +1 (buy), -1 (sell) or 0 (hold)."""

    Buy = "buy"
    Sell = "sell"
    Hold = "hold"
    @property
    def signal(self) -> int: ...

@dataclasses.dataclass(frozen=True, repr=False)
class Decision:
    """One decision of :class:`QAR`."""

    action: Action
    confidence: float
    reasoning: str
    energy: float
    probability_buy: float
    probability_sell: float
    contributions: dict[str, float] = dataclasses.field(hash=False)
    exact: bool
    @property
    def vote(self) -> float: ...
    @property
    def signal(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...

_Progress: TypeAlias = bool | Callable[[int, int], object] | None
_Labels: TypeAlias = ArrayLike | Sequence[Action | str | int]

class QAR:
    """Market-decision Boltzmann machine: factors in [0, 1] become p-bit fields, and the thermal
    vote of a decision p-bit says Buy, Sell or Hold."""

    num_pbits: int
    energy_threshold: float
    beta: float
    num_samples: int
    seed: int | None
    burn_in: int
    exact: bool | None
    factor_names: Sequence[str] | None
    max_iter: int
    alpha: float
    tol: float
    gains_: NDArray[np.float64]
    biases_: NDArray[np.float64]
    weights_: NDArray[np.float64]
    couplings_: NDArray[np.float64]
    decision_bias_: float
    n_features_in_: int
    feature_names_in_: NDArray[np.object_]
    n_iter_: int
    converged_: bool | None
    loss_curve_: NDArray[np.float64]
    log_likelihood_: float
    prior_log_likelihood_: float
    exact_: bool
    def __init__(
        self,
        num_pbits: int = 8,
        energy_threshold: float = 0.65,
        beta: float = 1.0,
        num_samples: int = 1000,
        seed: int | None = None,
        *,
        burn_in: int = 100,
        exact: bool | None = None,
        factor_names: Sequence[str] | None = None,
        max_iter: int = 200,
        alpha: float = 1e-2,
        tol: float = 1e-6,
    ) -> None: ...
    def get_params(self, deep: bool = True) -> dict[str, Any]: ...
    def set_params(self, **params: Any) -> QAR: ...
    def parameters(self) -> dict[str, Any]: ...
    @property
    def names(self) -> list[str]: ...
    def decide(self, factors: ArrayLike | Mapping[str, float], names: Sequence[str] | None = None) -> Decision: ...
    def decide_batch(
        self, matrix: ArrayLike, names: Sequence[str] | None = None, *, progress: _Progress = False
    ) -> list[Decision]: ...
    @overload
    def predict(self, X: NDArray[Any] | Sequence[Sequence[float]]) -> NDArray[np.int8]: ...
    @overload
    def predict(self, X: Any) -> Any: ...
    @overload
    def probability_buy(self, X: NDArray[Any] | Sequence[Sequence[float]]) -> NDArray[np.float64]: ...
    @overload
    def probability_buy(self, X: Any) -> Any: ...
    def score(self, X: ArrayLike, y: _Labels) -> float: ...
    def log_likelihood(self, X: ArrayLike, y: _Labels) -> float: ...
    def fit(self, history: ArrayLike, outcomes: _Labels, *, progress: _Progress = False) -> QAR: ...
    async def decide_async(
        self, factors: ArrayLike | Mapping[str, float], names: Sequence[str] | None = None
    ) -> Decision: ...
    async def decide_batch_async(
        self, matrix: ArrayLike, names: Sequence[str] | None = None, *, progress: _Progress = False
    ) -> list[Decision]: ...
    async def fit_async(self, history: ArrayLike, outcomes: _Labels, *, progress: _Progress = False) -> QAR: ...
