"""Decision engines over the core: a dimod-compatible annealing sampler, a QAOA statevector simulator
for portfolio QUBOs, and learning engines (QAR, IQAD, QERC, NQO)."""

from collections.abc import Mapping
from typing import Any, Literal, overload

import numpy as np
import numpy.typing as npt

from .core import PBitNetwork, SampleSet, Temperature

__all__ = ["QERC", "Annealing"]

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

class QERC:
    """Reservoir computing (an echo-state network) with a ridge readout, for regression and
    classification of time series; scikit-learn's estimator API over reservoirpy's model."""

    n_reservoir: int
    spectral_radius: float
    leak_rate: float
    input_scaling: float
    connectivity: float
    input_connectivity: float
    bias_scaling: float
    ridge: float
    washout: int
    input_to_readout: bool
    task: Literal["auto", "regression", "classification"]
    pooling: Literal["mean", "last"]
    seed: int | None
    # fitted attributes (after ``fit``)
    Win_: npt.NDArray[np.float64]
    bias_: npt.NDArray[np.float64]
    Wout_: npt.NDArray[np.float64]
    intercept_: npt.NDArray[np.float64]
    state_: npt.NDArray[np.float64]
    n_features_in_: int
    n_outputs_: int
    task_: Literal["regression", "classification"]
    classes_: npt.NDArray[Any]
    temperature_: float
    def __init__(
        self,
        n_reservoir: int = 100,
        spectral_radius: float = 0.9,
        leak_rate: float = 1.0,
        input_scaling: float = 1.0,
        connectivity: float = 0.1,
        input_connectivity: float = 1.0,
        bias_scaling: float = 1.0,
        ridge: float = 1e-6,
        washout: int = 0,
        input_to_readout: bool = False,
        task: Literal["auto", "regression", "classification"] = "auto",
        pooling: Literal["mean", "last"] = "mean",
        seed: int | None = None,
    ) -> None: ...
    def get_params(self, deep: bool = True) -> dict[str, Any]: ...
    def set_params(self, **params: Any) -> QERC: ...
    def fit(self, X: Any, y: Any) -> QERC: ...
    async def fit_async(self, X: Any, y: Any) -> QERC: ...
    def predict(self, X: Any, *, reset: bool = True) -> Any:
        """An array for one series or a 3-D ``X``, a list of arrays for a list of sequences."""
    def predict_proba(self, X: Any, *, reset: bool = True) -> Any: ...
    async def predict_async(self, X: Any, *, reset: bool = True) -> Any: ...
    async def predict_proba_async(self, X: Any, *, reset: bool = True) -> Any: ...
    def score(self, X: Any, y: Any) -> float: ...
    def reset(self) -> QERC: ...
    @property
    def W_(self) -> npt.NDArray[np.float64]: ...  # noqa: N802
