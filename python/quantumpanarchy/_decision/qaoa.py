"""QAOA: exact statevector simulation of the quantum approximate optimisation algorithm, and
mean–variance portfolio selection with it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, Literal, NamedTuple, overload

import numpy as np
import numpy.typing as npt

from .. import _async
from .._native import decision as _native
from ..core import SampleSet
from ..exceptions import InvalidInputError, ResourceLimitError
from ..performance import BackendName
from ._params import Params, check_native_int, check_real

FloatArray = npt.NDArray[np.float64]
Optimizer = Literal["nelder-mead", "cobyla"]
Progress = bool | Callable[[int, int], object] | None

#: Shots ``sample_qubo`` measures when neither the call nor the constructor sets ``shots``.
DEFAULT_SHOTS = 1024
MAX_QUBITS: int = _native.QAOA_MAX_QUBITS


class QAOAParameters(NamedTuple):
    """Angles of a depth-p QAOA circuit: γ_k multiplies the cost, β_k the X mixer."""

    gammas: FloatArray
    betas: FloatArray


@dataclasses.dataclass(frozen=True, eq=False)
class PortfolioAllocation:
    """The portfolio QAOA chose, and how it got there.

    ``weights`` are equal over the ``selected`` assets; ``expected_return`` = wᵀμ,
    ``risk`` = √(wᵀΣw), ``sharpe_ratio`` = expected_return / risk (no risk-free rate).
    ``energy`` is the QUBO objective of the chosen bitstring (budget penalty included),
    ``expectation`` ⟨ψ|E|ψ⟩ at the final angles, ``optimal_energy`` the exact minimum over all
    2ⁿ bitstrings and ``approximation_ratio`` = (E_max − ⟨E⟩)/(E_max − E_min) (1 on the optimum;
    ``None`` when E is constant). The budget penalty makes E_max large, so the ratio is close to 1
    even for middling states: ``optimum_probability`` (of measuring an optimal bitstring) and
    ``feasible_probability`` (of measuring exactly ``budget`` assets) say more.
    """

    weights: FloatArray
    selected: list[Hashable]
    expected_return: float
    risk: float
    sharpe_ratio: float
    energy: float
    approximation_ratio: float | None
    parameters: QAOAParameters
    expectation: float
    optimal_energy: float
    expectation_by_depth: list[float]
    nfev: int
    optimum_probability: float
    feasible_probability: float
    bitstring: int
    budget: int
    penalty: float
    assets: list[Hashable]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict of every field (arrays as lists)."""
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        out["weights"] = self.weights.tolist()
        out["parameters"] = {"gammas": self.parameters.gammas.tolist(), "betas": self.parameters.betas.tolist()}
        return out


class QAOA(Params):
    """Exact statevector simulation of QAOA, and portfolio selection with it.

    The state is |ψ(γ, β)⟩ = Π_k e^{−iβ_k Σ_i X_i} e^{−iγ_k C} |+⟩^{⊗n} with C(x) = xᵀQx for
    x ∈ {0,1}ⁿ, qubit i carrying x_i (Qiskit's ``QAOAAnsatz`` convention and bit order). A
    non-symmetric Q means the same as (Q + Qᵀ)/2.

    ``optimize(returns, covariance, risk_tolerance)`` picks ``budget`` of ``num_assets`` assets
    by minimising E(x) = (1 − t)·xᵀΣx − t·μᵀx + penalty·(Σx − budget)², tuning the angles depth
    by depth with ``optimizer`` (``"nelder-mead"`` or ``"cobyla"``; ``restarts`` random starts
    at depth 1, warm starts from depth p − 1 after). With ``shots`` the allocation is the best
    of that many measured bitstrings, otherwise the most probable one.

    ``backend`` is ``"cpu"``, ``"cuda"`` (the GPU; needs a build with the ``cuda`` feature) or
    ``"auto"`` (the GPU from 20 qubits when there is one); ``None`` follows
    :func:`quantumpanarchy.performance.set_backend`.

    A register of n qubits needs about 32·2ⁿ bytes; a size that does not fit raises
    :class:`~quantumpanarchy.exceptions.ResourceLimitError` with the estimate, here in the
    constructor. With a ``seed`` every result is the same whatever the number of threads.
    """

    def __init__(
        self,
        num_assets: int,
        num_layers: int = 2,
        budget: int | None = None,
        penalty: float | None = None,
        optimizer: Optimizer = "nelder-mead",
        maxiter: int = 500,
        shots: int | None = None,
        seed: int | None = None,
        *,
        restarts: int = 3,
        backend: BackendName | None = None,
    ) -> None:
        self.num_assets = num_assets
        self.num_layers = num_layers
        self.budget = budget
        self.penalty = penalty
        self.optimizer = optimizer
        self.maxiter = maxiter
        self.shots = shots
        self.seed = seed
        self.restarts = restarts
        self.backend = backend
        self._check_params()

    def _check_params(self) -> None:
        _native.qaoa_validate(
            check_native_int(self.num_assets, "num_assets"),
            check_native_int(self.num_layers, "num_layers"),
            _option(self.optimizer, "optimizer", "'nelder-mead' or 'cobyla'"),
            check_native_int(self.maxiter, "maxiter"),
            check_native_int(self.restarts, "restarts"),
            None if self.shots is None else check_native_int(self.shots, "shots"),
            self.seed,
            None if self.budget is None else check_native_int(self.budget, "budget"),
            None if self.penalty is None else check_real(self.penalty, "penalty"),
            _backend(self.backend),
        )

    def _tuning(self) -> tuple[int, str, int, int]:
        # validated by _check_params (in the constructor and set_params)
        return self.num_layers, self.optimizer, self.maxiter, self.restarts

    def optimize(
        self,
        returns: npt.ArrayLike,
        covariance: npt.ArrayLike,
        risk_tolerance: float = 0.5,
        *,
        progress: Progress = None,
    ) -> PortfolioAllocation:
        """Choose ``budget`` assets by QAOA on the mean–variance QUBO.

        ``returns`` (n,) and ``covariance`` (n, n) may be numpy arrays, lists or pandas objects
        (a Series' index labels the assets); ``risk_tolerance`` t ∈ [0, 1] trades risk (t = 0)
        against return (t = 1). ``progress`` reports depths done.
        """
        assets = _labels(returns, self.num_assets)
        r = _native.qaoa_portfolio(
            _values(returns),
            _values(covariance),
            check_real(risk_tolerance, "risk_tolerance"),
            self.budget,
            self.penalty,
            *self._tuning(),
            self.shots,
            self.seed,
            self.backend,
            progress,
        )
        params = QAOAParameters(np.asarray(r.pop("gammas")), np.asarray(r.pop("betas")))
        selected_mask = r.pop("selected")
        return PortfolioAllocation(
            selected=[a for a, s in zip(assets, selected_mask, strict=True) if s],
            parameters=params,
            assets=assets,
            **r,
        )

    async def optimize_async(
        self,
        returns: npt.ArrayLike,
        covariance: npt.ArrayLike,
        risk_tolerance: float = 0.5,
        *,
        progress: Progress = None,
    ) -> PortfolioAllocation:
        """:meth:`optimize` off the event loop."""
        return await _async.to_thread(self.optimize, returns, covariance, risk_tolerance, progress=progress)

    @overload
    def expectation(self, Q: Any, gammas: Sequence[float], betas: Sequence[float]) -> float: ...
    @overload
    def expectation(self, Q: Any, gammas: npt.ArrayLike, betas: npt.ArrayLike) -> float | FloatArray: ...
    def expectation(self, Q: Any, gammas: npt.ArrayLike, betas: npt.ArrayLike) -> float | FloatArray:
        """⟨ψ(γ, β)|C|ψ(γ, β)⟩ for C(x) = xᵀQx.

        ``gammas`` and ``betas`` of shape (p,) give a float; of shape (m, p) they are m angle
        sets evaluated in one call (in parallel) and give an array of m values. ``Q`` is an
        (n, n) array-like or a dimod-style dict ``{(u, v): bias}``.
        """
        matrix, _ = _qubo_matrix(Q)
        # a float for one angle set (1-D), an array for a batch (2-D)
        value: float | FloatArray = _native.qaoa_expectations(matrix, gammas, betas, self.backend)
        return value

    def probabilities(self, Q: Any, gammas: npt.ArrayLike, betas: npt.ArrayLike) -> FloatArray:
        """|⟨x|ψ(γ, β)⟩|² for every x, indexed so that bit i of the index is x_i."""
        matrix, _ = _qubo_matrix(Q)
        probs: FloatArray = _native.qaoa_probabilities(matrix, gammas, betas, self.backend)
        return probs

    def sample_qubo(
        self,
        Q: Any,
        *,
        gammas: npt.ArrayLike | None = None,
        betas: npt.ArrayLike | None = None,
        shots: int | None = None,
        progress: Progress = None,
    ) -> SampleSet:
        """Measure bitstrings of the QAOA state of C(x) = xᵀQx.

        Without ``gammas``/``betas`` the angles are tuned first (as :meth:`optimize` does).
        Returns a BINARY :class:`~quantumpanarchy.core.SampleSet` of the distinct bitstrings
        measured, in the order first seen, with their counts in ``num_occurrences`` and xᵀQx as
        energies; ``info`` holds the angles, ⟨C⟩, ⟨C⟩ by depth, the evaluations spent and the
        exact minimum of C.
        """
        matrix, variables = _qubo_matrix(Q)
        count = shots if shots is not None else (self.shots if self.shots is not None else DEFAULT_SHOTS)
        count = check_native_int(count, "shots")
        r = _native.qaoa_sample(matrix, gammas, betas, count, *self._tuning(), self.seed, self.backend, progress)
        bits = np.asarray(r.pop("bitstrings"), dtype=np.uint64)
        n = r.pop("num_qubits")
        # the distinct bitstrings in the order first seen: memory grows with them, not the shots
        distinct, first, counts = np.unique(bits, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        distinct, first, counts = distinct[order], first[order], counts[order]
        samples = ((distinct[:, None] >> np.arange(n, dtype=np.uint64)) & np.uint64(1)).astype(np.int8)
        info = {
            "gammas": np.asarray(r["gammas"]),
            "betas": np.asarray(r["betas"]),
            "expectation": r["expectation"],
            "expectation_by_depth": r["expectation_by_depth"],
            "nfev": r["nfev"],
            "optimal_energy": r["optimal_energy"],
            "shots": count,
        }
        energies = np.asarray(r["energies"])[first]
        labels = variables if variables is not None else list(range(n))
        return SampleSet(samples, energies, counts, vartype="BINARY", variables=labels, info=info).aggregate()

    async def sample_qubo_async(
        self,
        Q: Any,
        *,
        gammas: npt.ArrayLike | None = None,
        betas: npt.ArrayLike | None = None,
        shots: int | None = None,
        progress: Progress = None,
    ) -> SampleSet:
        """:meth:`sample_qubo` off the event loop."""
        return await _async.to_thread(self.sample_qubo, Q, gammas=gammas, betas=betas, shots=shots, progress=progress)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QAOA):
            return NotImplemented
        return self.get_params() == other.get_params()

    __hash__ = None  # type: ignore[assignment]


def _values(x: Any) -> Any:
    """pandas objects as their values; anything else unchanged (the native layer converts it)."""
    return x.to_numpy() if hasattr(x, "to_numpy") else x


def _option(value: Any, name: str, choices: str) -> str:
    """An option string; one that cannot be encoded (a lone surrogate) is no valid option."""
    if not isinstance(value, str):
        raise InvalidInputError(f"{name} must be {choices}, got {value!r}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInputError(f"{name} must be {choices}, got {value!r}") from None
    return value


def _backend(value: Any) -> str | None:
    return None if value is None else _option(value, "backend", "'cpu', 'cuda', 'auto' or None")


def _labels(returns: Any, num_assets: int) -> list[Hashable]:
    """Asset labels: a pandas index when there is one, else 0..n-1; n must be ``num_assets``."""
    try:
        shape = np.shape(returns)
    except ValueError:  # a ragged list
        raise InvalidInputError("returns must be a 1-D array of numbers, got a ragged sequence") from None
    if len(shape) != 1:
        raise InvalidInputError(f"returns must be 1-D, got shape {shape}")
    if shape[0] != num_assets:
        raise InvalidInputError(f"this QAOA was made for num_assets={num_assets}, got {shape[0]} returns")
    return list(returns.index) if hasattr(returns, "to_numpy") else list(range(num_assets))


def _qubo_matrix(Q: Any) -> tuple[Any, list[Hashable] | None]:
    """An array-like Q unchanged (labelled 0..n-1 once the native layer has read it: ``None``
    here), or a dict ``{(u, v): bias}`` as a dense matrix with its variables in order of first
    appearance (as dimod orders them)."""
    if not isinstance(Q, Mapping):
        return Q, None
    index: dict[Hashable, int] = {}
    for key in Q:
        if not (isinstance(key, tuple) and len(key) == 2):
            raise InvalidInputError(f"QUBO dict keys must be (u, v) pairs, got {key!r}")
        for v in key:
            index.setdefault(v, len(index))
    if not index:
        raise InvalidInputError("Q must have at least one variable, got an empty dict")
    if len(index) > MAX_QUBITS:
        raise ResourceLimitError(f"QAOA simulates at most {MAX_QUBITS} qubits, got a QUBO of {len(index)} variables")
    m = np.zeros((len(index), len(index)))
    for (u, v), bias in Q.items():
        try:
            m[index[u], index[v]] += float(bias)
        except (TypeError, ValueError, OverflowError):
            raise InvalidInputError(f"QUBO bias for ({u!r}, {v!r}) must be a real number, got {bias!r}") from None
    return m, list(index)


for _cls in (QAOAParameters, PortfolioAllocation, QAOA):
    _cls.__module__ = "quantumpanarchy.decision"
