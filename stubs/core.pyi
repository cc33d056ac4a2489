"""p-bits, Ising models, Boltzmann sampling and annealing.

Convention (physics): spins s ∈ {-1, +1} (int8); E(s) = -Σ_{i<j} J_ij s_i s_j - Σ_i h_i s_i;
β = 1/T. A p-bit updates as s_i = sgn(tanh(β·I_i) - r), r ~ U(-1, 1), I_i = Σ_j J_ij s_j + h_i,
which is exactly Gibbs sampling of the Boltzmann distribution p(s) ∝ exp(-β E(s)).

dimod-style input (``PBitNetwork.from_dimod``) uses dimod's signs, E(s) = Σ h_i s_i + Σ J_ij s_i s_j,
and QUBO input uses E(x) = xᵀQx; energies are always reported for the problem as the caller stated it.
"""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, NamedTuple, Protocol, final, overload

import numpy as np
import numpy.typing as npt

from .performance import BackendName

__all__ = [
    "MAX_EXACT_PBITS",
    "BoltzmannSampler",
    "IsingEnergy",
    "Method",
    "Observables",
    "PBit",
    "PBitNetwork",
    "ParallelTempering",
    "Sample",
    "SampleSet",
    "ScheduleType",
    "SparseMatrix",
    "Temperature",
    "TemperingResult",
    "Vartype",
    "default_beta_range",
    "integrated_autocorrelation_time",
]

Method = Literal["gibbs", "metropolis"]
ScheduleType = Literal["geometric", "linear"]
Vartype = Literal["SPIN", "BINARY"]
Progress = bool | Callable[[int, int], object] | None
FloatArray = npt.NDArray[np.float64]
SpinArray = npt.NDArray[np.int8]
# Real array inputs: numpy arrays of float16, float32 or float64 (read in place, any strides),
# integer arrays, nested sequences, pandas objects.
ArrayLike = npt.ArrayLike

class SparseMatrix(Protocol):
    """A scipy.sparse matrix or array, as ``PBitNetwork.from_sparse`` takes it."""

    @property
    def shape(self) -> tuple[int, ...]: ...
    def tocoo(self) -> Any: ...

@final
class PBit:
    """One probabilistic bit: P(s = +1) = (1 + tanh(β·(input + bias))) / 2."""

    def __new__(cls, bias: float = 0.0, beta: float = 1.0, seed: int | None = None) -> PBit: ...
    @property
    def bias(self) -> float: ...
    @property
    def beta(self) -> float: ...
    def probability_up(self, input: float = 0.0) -> float: ...
    def sample(self, input: float = 0.0) -> int: ...
    def sample_many(self, n: int, input: float = 0.0) -> SpinArray: ...

@final
class Temperature:
    """An annealing schedule: one temperature (and β = 1/T) per step."""

    @staticmethod
    def linear(t_start: float, t_end: float, steps: int) -> Temperature: ...
    @staticmethod
    def geometric(t_start: float, t_end: float, steps: int) -> Temperature: ...
    @staticmethod
    def exponential(t_start: float, t_end: float, steps: int, rate: float = 5.0) -> Temperature: ...
    @staticmethod
    def constant(t: float, steps: int) -> Temperature: ...
    @staticmethod
    def from_betas(betas: ArrayLike) -> Temperature: ...
    @staticmethod
    def from_beta_range(
        beta_min: float, beta_max: float, steps: int, schedule_type: ScheduleType = "geometric"
    ) -> Temperature: ...
    def temperatures(self) -> FloatArray: ...
    def betas(self) -> FloatArray: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[float]: ...
    def __eq__(self, other: object, /) -> bool: ...

class Sample(NamedTuple):
    """One row of a :class:`SampleSet`."""

    sample: npt.NDArray[np.int8]
    energy: float
    num_occurrences: int

class SampleSet:
    """Samples with their energies, like dimod's SampleSet (rows sorted as produced)."""

    samples: npt.NDArray[np.int8]
    energies: FloatArray
    num_occurrences: npt.NDArray[np.int64]
    vartype: Vartype
    variables: list[Any]
    info: dict[str, Any]
    def __init__(
        self,
        samples: ArrayLike,
        energies: ArrayLike,
        num_occurrences: ArrayLike | None = None,
        vartype: Vartype = "SPIN",
        variables: Sequence[Any] | None = None,
        info: Mapping[str, Any] | None = None,
    ) -> None: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Sample]: ...
    def __eq__(self, other: object) -> bool: ...
    @property
    def num_variables(self) -> int: ...
    @property
    def first(self) -> Sample: ...
    def best(self) -> Sample: ...
    def lowest(self, n: int = 1) -> SampleSet: ...
    def aggregate(self) -> SampleSet: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_pandas(self) -> Any: ...
    def to_dimod(self) -> Any: ...

@dataclass(frozen=True)
class Observables:
    """Per-spin thermodynamic observables with one-standard-error bars (jackknife).

    energy = ⟨E⟩/N (E as the caller stated the problem, offset included);
    magnetization = ⟨m⟩ and abs_magnetization = ⟨|m|⟩ with m = M/N;
    specific_heat = β² N (⟨e²⟩ − ⟨e⟩²); susceptibility = β N (⟨m²⟩ − ⟨|m|⟩²);
    tau_* are integrated autocorrelation times in samples. Exact results have zero errors, and so
    has a single sample (nothing to estimate an error from): never NaN.
    """

    beta: float
    num_spins: int
    num_samples: int
    energy: float
    energy_error: float
    magnetization: float
    magnetization_error: float
    abs_magnetization: float
    abs_magnetization_error: float
    specific_heat: float
    specific_heat_error: float
    susceptibility: float
    susceptibility_error: float
    tau_energy: float
    tau_abs_magnetization: float
    def to_dict(self) -> dict[str, float | int]: ...

@dataclass(frozen=True, eq=False)
class TemperingResult:
    """What a parallel-tempering run measured at each β (rows follow ``betas``)."""

    betas: FloatArray
    energies: FloatArray
    magnetizations: FloatArray
    swap_acceptance: FloatArray
    best_state: SpinArray
    best_energy: float
    final_states: SpinArray
    observables: list[Observables]
    def to_dict(self) -> dict[str, Any]: ...

@final
class PBitNetwork:
    """A network of coupled p-bits (an Ising model) with a current state."""

    def __new__(cls, num_pbits: int, seed: int | None = None) -> PBitNetwork: ...
    @staticmethod
    def from_dense(J: ArrayLike, h: ArrayLike | None = None, seed: int | None = None) -> PBitNetwork: ...
    @overload
    @staticmethod
    def from_sparse(
        J: SparseMatrix,
        cols: None = None,
        values: None = None,
        /,
        *,
        h: ArrayLike | None = None,
        num_pbits: int | None = None,
        seed: int | None = None,
    ) -> PBitNetwork: ...
    @overload
    @staticmethod
    def from_sparse(
        rows: ArrayLike,
        cols: ArrayLike,
        values: ArrayLike,
        /,
        h: ArrayLike | None = None,
        num_pbits: int | None = None,
        seed: int | None = None,
    ) -> PBitNetwork: ...
    @staticmethod
    def from_qubo(Q: ArrayLike | Mapping[tuple[Any, Any], float], seed: int | None = None) -> PBitNetwork: ...
    @staticmethod
    def from_ising(
        h: ArrayLike | Mapping[Any, float],
        J: Mapping[tuple[Any, Any], float],
        offset: float = 0.0,
        seed: int | None = None,
    ) -> PBitNetwork: ...
    @staticmethod
    def from_dimod(bqm: Any, seed: int | None = None) -> PBitNetwork: ...
    @property
    def num_pbits(self) -> int: ...
    @property
    def num_couplings(self) -> int: ...
    @property
    def is_dense(self) -> bool: ...
    @property
    def vartype(self) -> Vartype: ...
    @property
    def offset(self) -> float: ...
    @property
    def variables(self) -> list[Any]: ...
    @property
    def fields(self) -> FloatArray: ...
    @property
    def state(self) -> SpinArray: ...
    @state.setter
    def state(self, value: ArrayLike) -> None: ...
    def __len__(self) -> int: ...
    def set_coupling(self, i: int, j: int, w: float) -> None: ...
    def coupling(self, i: int, j: int) -> float: ...
    def set_field(self, i: int, h: float) -> None: ...
    def to_dense(self) -> tuple[FloatArray, FloatArray]: ...
    def edges(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]: ...
    def energy(self, state: ArrayLike | None = None) -> Any: ...
    def local_fields(self, state: ArrayLike | None = None) -> FloatArray: ...
    def magnetization(self) -> float: ...
    def randomize(self, seed: int | None = None) -> None: ...
    def sweep(self, beta: float, num_sweeps: int = 1, method: Method = "gibbs") -> int: ...
    def default_beta_range(self) -> tuple[float, float]: ...
    def num_colors(self) -> int: ...
    def anneal(
        self,
        schedule: Temperature | None = None,
        num_reads: int | None = None,
        seed: int | None = None,
        *,
        num_sweeps: int | None = None,
        beta_range: ArrayLike | None = None,
        beta_schedule_type: ScheduleType | Literal["custom"] = "geometric",
        beta_schedule: ArrayLike | None = None,
        num_sweeps_per_beta: int = 1,
        initial_states: ArrayLike | None = None,
        initial_states_generator: Literal["none", "tile", "random"] | None = None,
        randomize_order: bool = False,
        method: Method = "metropolis",
        interrupt_function: Callable[[], object] | None = None,
        backend: BackendName | None = None,
        progress: Progress = None,
        time_limit: float | None = None,
        num_threads: int | None = None,
        first_read: int = 0,
    ) -> SampleSet: ...
    async def anneal_async(
        self,
        schedule: Temperature | None = None,
        num_reads: int | None = None,
        seed: int | None = None,
        *,
        num_sweeps: int | None = None,
        beta_range: ArrayLike | None = None,
        beta_schedule_type: ScheduleType | Literal["custom"] = "geometric",
        beta_schedule: ArrayLike | None = None,
        num_sweeps_per_beta: int = 1,
        initial_states: ArrayLike | None = None,
        initial_states_generator: Literal["none", "tile", "random"] | None = None,
        randomize_order: bool = False,
        method: Method = "metropolis",
        interrupt_function: Callable[[], object] | None = None,
        backend: BackendName | None = None,
        time_limit: float | None = None,
        num_threads: int | None = None,
        first_read: int = 0,
    ) -> SampleSet: ...

@final
class IsingEnergy:
    """Batched energies and conversions for dense (J, h) in the physics convention."""

    @staticmethod
    def energy(J: ArrayLike, h: ArrayLike | None, states: ArrayLike) -> Any: ...
    @staticmethod
    def local_fields(J: ArrayLike, h: ArrayLike | None, states: ArrayLike) -> FloatArray: ...
    @staticmethod
    def delta_energy(J: ArrayLike, h: ArrayLike | None, states: ArrayLike, i: int) -> Any: ...
    @staticmethod
    def qubo_to_ising(Q: ArrayLike) -> tuple[FloatArray, FloatArray, float]: ...
    @staticmethod
    def ising_to_qubo(J: ArrayLike, h: ArrayLike | None = None) -> tuple[FloatArray, float]: ...

@final
class BoltzmannSampler:
    """Markov-chain sampling of p(s) ∝ exp(-β E(s)) with many chains in parallel."""

    def __new__(
        cls, network: PBitNetwork, beta: float, method: Method = "gibbs", seed: int | None = None
    ) -> BoltzmannSampler: ...
    @property
    def network(self) -> PBitNetwork: ...
    @property
    def beta(self) -> float: ...
    @property
    def method(self) -> Method: ...
    def sample(
        self,
        num_samples: int,
        burn_in: int = 100,
        thin: int = 1,
        num_chains: int = 1,
        seed: int | None = None,
        *,
        initial_states: ArrayLike | None = None,
        progress: Progress = None,
    ) -> SpinArray: ...
    def observables(
        self,
        num_samples: int = 10000,
        burn_in: int = 1000,
        thin: int = 1,
        num_chains: int = 4,
        seed: int | None = None,
        *,
        initial_states: ArrayLike | None = None,
        progress: Progress = None,
    ) -> Observables: ...
    def exact_distribution(self) -> FloatArray: ...
    def exact_observables(self) -> Observables: ...
    @staticmethod
    def autocorrelation_time(series: ArrayLike) -> float: ...
    async def sample_async(
        self, num_samples: int, burn_in: int = 100, thin: int = 1, num_chains: int = 1, seed: int | None = None
    ) -> SpinArray: ...
    async def observables_async(
        self,
        num_samples: int = 10000,
        burn_in: int = 1000,
        thin: int = 1,
        num_chains: int = 4,
        seed: int | None = None,
    ) -> Observables: ...

@final
class ParallelTempering:
    """Replica-exchange Monte Carlo over a ladder of inverse temperatures."""

    def __new__(
        cls, network: PBitNetwork, betas: ArrayLike, method: Method = "metropolis", seed: int | None = None
    ) -> ParallelTempering: ...
    @property
    def betas(self) -> FloatArray: ...
    def run(
        self,
        num_samples: int,
        burn_in: int = 100,
        swap_interval: int = 1,
        seed: int | None = None,
        *,
        progress: Progress = None,
    ) -> TemperingResult: ...

def default_beta_range(network: PBitNetwork) -> tuple[float, float]: ...
def integrated_autocorrelation_time(series: ArrayLike) -> float: ...

MAX_EXACT_PBITS: Final[int]
