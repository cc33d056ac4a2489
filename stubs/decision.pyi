"""Decision engines over the core: a dimod-compatible annealing sampler, a QAOA statevector simulator
for portfolio QUBOs, and learning engines (QAR, IQAD, QERC, NQO)."""

from collections.abc import Callable, Mapping
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from .core import PBitNetwork, SampleSet, Temperature

__all__ = ["IQAD", "Annealing"]

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

class IQAD:
    """Anomaly detection with a p-bit restricted Boltzmann machine, scored by free energy
    (scikit-learn's outlier-detector conventions: ``score_samples`` higher for normal rows,
    ``predict`` +1 inliers / −1 outliers)."""

    n_hidden: int
    learning_rate: float
    n_epochs: int
    batch_size: int
    cd_steps: int
    persistent: bool
    momentum: float
    l2: float
    visible_sigma: float
    whiten: bool
    contamination: float
    window: int | None
    seed: int | None
    num_threads: int | None
    # fitted attributes (present after fit)
    weights_: npt.NDArray[np.float64]
    visible_bias_: npt.NDArray[np.float64]
    hidden_bias_: npt.NDArray[np.float64]
    mean_: npt.NDArray[np.float64]
    scale_: npt.NDArray[np.float64]
    whitening_: npt.NDArray[np.float64] | None
    reconstruction_error_: npt.NDArray[np.float64]
    offset_: float
    threshold_: float
    n_features_in_: int
    n_iter_: int
    n_steps_: int
    seed_: int

    def __init__(
        self,
        n_hidden: int = 16,
        learning_rate: float = 0.01,
        n_epochs: int = 50,
        batch_size: int = 32,
        cd_steps: int = 1,
        persistent: bool = False,
        momentum: float = 0.9,
        l2: float = 1e-4,
        visible_sigma: float = 0.5,
        whiten: bool = True,
        contamination: float = 0.1,
        window: int | None = None,
        seed: int | None = None,
        num_threads: int | None = None,
    ) -> None: ...
    def get_params(self, deep: bool = True) -> dict[str, Any]: ...
    def set_params(self, **params: Any) -> IQAD: ...
    def __sklearn_is_fitted__(self) -> bool: ...
    def __sklearn_tags__(self) -> Any: ...
    def fit(
        self, X: npt.ArrayLike, y: Any = None, *, progress: bool | Callable[[int, int], object] | None = False
    ) -> IQAD: ...
    def partial_fit(self, X: npt.ArrayLike, y: Any = None) -> IQAD: ...
    def update(self, X: npt.ArrayLike) -> IQAD: ...
    def fit_predict(self, X: npt.ArrayLike, y: Any = None) -> npt.NDArray[np.int64]: ...
    def free_energy(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def score_samples(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def decision_function(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    def predict(self, X: npt.ArrayLike) -> npt.NDArray[np.int64]: ...
    async def fit_async(
        self, X: npt.ArrayLike, y: Any = None, *, progress: bool | Callable[[int, int], object] | None = False
    ) -> IQAD: ...
    async def update_async(self, X: npt.ArrayLike) -> IQAD: ...
    async def score_samples_async(self, X: npt.ArrayLike) -> npt.NDArray[np.float64]: ...
    async def predict_async(self, X: npt.ArrayLike) -> npt.NDArray[np.int64]: ...
    def __getstate__(self) -> dict[str, Any]: ...
    def __setstate__(self, state: dict[str, Any]) -> None: ...
