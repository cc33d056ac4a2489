"""p-bits, Ising models, Boltzmann sampling and annealing.

Convention (physics): spins s ∈ {-1, +1} (int8); E(s) = -Σ_{i<j} J_ij s_i s_j - Σ_i h_i s_i;
β = 1/T. A p-bit updates as s_i = sgn(tanh(β·I_i) - r), r ~ U(-1, 1), I_i = Σ_j J_ij s_j + h_i,
which is exactly Gibbs sampling of the Boltzmann distribution p(s) ∝ exp(-β E(s)).

dimod-style input (``PBitNetwork.from_dimod``, ``from_ising`` dicts) uses dimod's signs,
E(s) = Σ h_i s_i + Σ J_ij s_i s_j, and QUBO input uses E(x) = xᵀQx; energies are always
reported for the problem as the caller stated it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from ._decision._params import check_int
from ._help import public_dir
from ._native import core as _core
from ._validation import as_array, memory_for
from .exceptions import InvalidInputError, InvalidTypeError, ResourceLimitError

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
__dir__ = public_dir(__all__)

Method = Literal["gibbs", "metropolis"]
"""Update rule: heat bath (the p-bit rule) or Metropolis."""
ScheduleType = Literal["geometric", "linear"]
"""dwave-samplers' β schedule shapes."""
Vartype = Literal["SPIN", "BINARY"]
"""How states are written: ±1 spins or 0/1 bits."""
Progress = bool | Callable[[int, int], object] | None
FloatArray = npt.NDArray[np.float64]
SpinArray = npt.NDArray[np.int8]
ArrayLike = npt.ArrayLike


class SparseMatrix(Protocol):
    """A scipy.sparse matrix or array (``coo``/``csr``/``csc``/... ``_matrix`` or ``_array``), as
    :meth:`PBitNetwork.from_sparse` takes it; scipy itself stays optional."""

    @property
    def shape(self) -> tuple[int, ...]: ...
    def tocoo(self) -> Any: ...


PBit = _core.PBit
Temperature = _core.Temperature
PBitNetwork = _core.PBitNetwork
IsingEnergy = _core.IsingEnergy
BoltzmannSampler = _core.BoltzmannSampler
ParallelTempering = _core.ParallelTempering
integrated_autocorrelation_time = _core.integrated_autocorrelation_time
MAX_EXACT_PBITS: int = _core.MAX_EXACT_PBITS
integrated_autocorrelation_time.__module__ = __name__  # native functions report their native module


def default_beta_range(network: PBitNetwork) -> tuple[float, float]:
    """dwave-samplers' default β range for ``network``: (hot, cold), where the stiffest p-bit
    flips with probability 1/2 at the hot end and the weakest excitation with 1/100 at the cold end."""
    return network.default_beta_range()


class Sample(NamedTuple):
    """One row of a :class:`SampleSet`."""

    sample: npt.NDArray[np.int8]
    energy: float
    num_occurrences: int


class SampleSet:
    """Samples with their energies, like dimod's SampleSet (rows in the order produced)."""

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
    ) -> None:
        # shapes are checked before any conversion copies (a wrong-shaped 10**9 view is refused,
        # not converted); numpy's errors are ours, naming the argument
        raw_s, raw_e = as_array(samples, "samples"), as_array(energies, "energies")
        if raw_s.ndim != 2 or raw_e.ndim != 1 or raw_s.shape[0] != raw_e.shape[0]:
            raise InvalidInputError(
                f"samples must be 2-D with one energy per row, got shapes {raw_s.shape} and {raw_e.shape}"
            )
        if raw_s.dtype.kind not in "biuf":
            raise InvalidInputError(f"samples must hold real numbers (spins or bits), got dtype {raw_s.dtype}")
        if num_occurrences is not None:
            raw_occ = as_array(num_occurrences, "num_occurrences")
            if raw_occ.shape != raw_e.shape:
                raise InvalidInputError(f"num_occurrences must have shape {raw_e.shape}, got {raw_occ.shape}")
            kind = raw_occ.dtype.kind
            if kind not in "iuf" or (kind == "f" and raw_occ.size and not np.isfinite(raw_occ).all()):
                raise InvalidInputError("num_occurrences must hold finite counts")
        if not isinstance(vartype, str) or vartype not in ("SPIN", "BINARY"):
            raise InvalidInputError(f"vartype must be 'SPIN' or 'BINARY', got {vartype!r}")
        labels = _labels(variables, raw_s.shape[1])
        # reserve what the set will hold (int8 spins, float64 energies, int64 counts) before the
        # conversion passes: each is seconds of numpy at 10**9 rows, deaf to Ctrl-C, and would
        # otherwise run before a later allocation failed
        rows, cols = raw_s.shape
        try:
            np.empty(rows * (cols + 16), dtype=np.uint8)
        except MemoryError:
            raise ResourceLimitError(
                f"a SampleSet of {rows} rows of {cols} variables needs {rows * (cols + 16) / 2**30:.1f} GiB for its "
                "samples, energies and num_occurrences, more than can be allocated here"
            ) from None
        s = _samples(raw_s)
        e = _converted(raw_e, np.float64, "energies")
        with memory_for("energies"):
            if not np.isfinite(e).all():
                raise InvalidInputError("energies must be finite")
        with memory_for("num_occurrences"):
            occ = (
                np.ones(len(e), dtype=np.int64)
                if num_occurrences is None
                else _converted(raw_occ, np.int64, "num_occurrences")
            )
        try:
            extra = dict(info or {})
        except (TypeError, ValueError):
            raise InvalidTypeError(f"info must be a mapping, got {type(info).__name__}") from None
        self.samples, self.energies, self.num_occurrences = s, e, occ
        self.vartype, self.variables, self.info = vartype, labels, extra

    def __len__(self) -> int:
        return len(self.energies)

    def __iter__(self) -> Iterator[Sample]:
        for k in range(len(self)):
            yield self._row(k)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SampleSet):
            return NotImplemented
        return (
            self.vartype == other.vartype
            and self.variables == other.variables
            and np.array_equal(self.samples, other.samples)
            and np.array_equal(self.energies, other.energies)
            and np.array_equal(self.num_occurrences, other.num_occurrences)
        )

    __hash__ = None  # type: ignore[assignment]

    def _row(self, k: int) -> Sample:
        return Sample(self.samples[k].copy(), float(self.energies[k]), int(self.num_occurrences[k]))

    @property
    def num_variables(self) -> int:
        """Number of variables (columns)."""
        return int(self.samples.shape[1])

    @property
    def first(self) -> Sample:
        """The lowest-energy sample (dimod's ``first``)."""
        if len(self) == 0:
            raise InvalidInputError("the sample set is empty")
        return self._row(int(np.argmin(self.energies)))

    def best(self) -> Sample:
        """The lowest-energy sample."""
        return self.first

    def _take(self, rows: npt.NDArray[np.intp]) -> SampleSet:
        return SampleSet(
            self.samples[rows], self.energies[rows], self.num_occurrences[rows], self.vartype, self.variables, self.info
        )

    def lowest(self, n: int = 1) -> SampleSet:
        """The ``n`` lowest-energy rows, sorted by energy (ties keep their order)."""
        n = check_int(n, "n", 0)
        return self._take(np.argsort(self.energies, kind="stable")[:n])

    def aggregate(self) -> SampleSet:
        """Merge identical samples, adding up their occurrences (first-seen order)."""
        _, first, inverse = np.unique(self.samples, axis=0, return_index=True, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=self.num_occurrences, minlength=len(first))
        order = np.argsort(first)
        out = self._take(first[order])
        out.num_occurrences = counts[order].astype(np.int64)
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict of the samples, energies, occurrences, vartype, labels and info."""
        return {
            "samples": self.samples.tolist(),
            "energies": self.energies.tolist(),
            "num_occurrences": self.num_occurrences.tolist(),
            "vartype": self.vartype,
            "variables": list(self.variables),
            "info": dict(self.info),
        }

    def to_pandas(self) -> Any:
        """A DataFrame with one column per variable plus ``energy`` and ``num_occurrences``."""
        import pandas as pd

        df = pd.DataFrame(self.samples, columns=pd.Index(self.variables))
        df["energy"] = self.energies
        df["num_occurrences"] = self.num_occurrences
        return df

    def to_dimod(self) -> Any:
        """The same samples as a ``dimod.SampleSet`` (requires dimod)."""
        import dimod

        return dimod.SampleSet.from_samples(
            (self.samples, self.variables),
            vartype=self.vartype,
            energy=self.energies,
            num_occurrences=self.num_occurrences,
            info=dict(self.info),
        )

    def __repr__(self) -> str:
        lo = f", lowest energy {self.energies.min():.6g}" if len(self) else ""
        return f"SampleSet({len(self)} rows, {self.num_variables} variables, {self.vartype}{lo})"

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{v}</th>" for v in self.variables[:20])
        rows = "".join(
            "<tr>" + "".join(f"<td>{x}</td>" for x in s.sample[:20]) + f"<td>{s.energy:.6g}</td>"
            f"<td>{s.num_occurrences}</td></tr>"
            for s in self.lowest(10)
        )
        return f"<p>{self!r}</p><table><tr>{head}<th>energy</th><th>num_occurrences</th></tr>{rows}</table>"


def _converted(x: npt.NDArray[Any], dtype: Any, name: str) -> npt.NDArray[Any]:
    """``x`` as ``dtype``: what numpy cannot convert is an ``InvalidInputError`` naming ``name``,
    what does not fit in memory a ``ResourceLimitError``."""
    with memory_for(name):
        try:
            return np.asarray(x, dtype=dtype)
        except (TypeError, ValueError, OverflowError) as exc:
            raise InvalidInputError(f"{name} cannot be converted to {np.dtype(dtype)}: {exc}") from None


def _samples(raw: npt.NDArray[Any]) -> npt.NDArray[np.int8]:
    """Samples as int8 spins -1/+1 or bits 0/1. Converted first, then checked on the int8 copy in
    a few linear passes: checks on a broadcast view of 10**9 floats would hold the GIL for
    seconds (deaf to Ctrl-C) before the copy that must be made anyway."""
    with memory_for("samples"), np.errstate(invalid="ignore", over="ignore"):
        s = raw.astype(np.int8)
        exact = raw.dtype == np.int8 or bool(np.array_equal(s, raw))
    if not exact or (s.size and (s.min() < -1 or s.max() > 1)):
        raise InvalidInputError("samples must hold spins -1/+1 or bits 0/1")
    return s


def _labels(variables: Sequence[Any] | None, n: int) -> list[Any]:
    """The column labels: ``variables`` (one per column) or 0..n-1."""
    with memory_for("variables"):
        if variables is None:
            return list(range(n))
        if isinstance(variables, (str, bytes)) or not isinstance(variables, Iterable):
            raise InvalidTypeError(f"variables must be a sequence of labels, got {type(variables).__name__}")
        labels = list(variables)
    if len(labels) != n:
        raise InvalidInputError(f"{len(labels)} variables given for {n} columns")
    return labels


@dataclasses.dataclass(frozen=True)
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

    def to_dict(self) -> dict[str, float | int]:
        """All fields as a plain dict."""
        return dataclasses.asdict(self)

    def __repr__(self) -> str:
        return (
            f"Observables(beta={self.beta:.6g}, energy={self.energy:.6g}±{self.energy_error:.2g}, "
            f"|m|={self.abs_magnetization:.6g}±{self.abs_magnetization_error:.2g}, "
            f"c={self.specific_heat:.4g}±{self.specific_heat_error:.2g}, "
            f"chi={self.susceptibility:.4g}±{self.susceptibility_error:.2g}, tau_E={self.tau_energy:.3g})"
        )


@dataclasses.dataclass(frozen=True, eq=False)
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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly summary: betas, swap rates, best state and energy, observables."""
        return {
            "betas": self.betas.tolist(),
            "swap_acceptance": self.swap_acceptance.tolist(),
            "best_state": self.best_state.tolist(),
            "best_energy": self.best_energy,
            "observables": [o.to_dict() for o in self.observables],
        }

    def __repr__(self) -> str:
        return (
            f"TemperingResult({len(self.betas)} betas, {self.energies.shape[1]} samples, "
            f"best_energy={self.best_energy:.6g})"
        )
